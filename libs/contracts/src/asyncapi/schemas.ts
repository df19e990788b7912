import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { MESSAGE_DEFINITIONS } from '../catalogue/catalogue';
import { STATE_CODE_SCHEMA_NAME, STATE_CODES } from '../common/state-codes';

/** A JSON Schema (draft-07, the AsyncAPI Schema format's base), as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/** Where schemas live in the published document; `$ref`s point here. */
export const SCHEMA_POINTER = '#/components/schemas/';

function tidy(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(tidy);
  if (typeof schema !== 'object' || schema === null) return schema;
  const source = schema as JsonSchema;
  // A $ref stands alone in draft-07: other keywords beside it are ignored, so drop them.
  if (typeof source.$ref === 'string') return { $ref: source.$ref };
  const out: JsonSchema = {};
  for (const key of Object.keys(source)) out[key] = tidy(source[key]);
  // Whitelist with forbidNonWhitelisted: unknown fields are rejected, in the schema as at run time.
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function referencedNames(schema: unknown, into: Set<string>): void {
  if (Array.isArray(schema)) return schema.forEach((item) => referencedNames(item, into));
  if (typeof schema !== 'object' || schema === null) return;
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_POINTER)) into.add(value.slice(SCHEMA_POINTER.length));
    else referencedNames(value, into);
  }
}

/**
 * The JSON Schema of every payload of the catalogue (current and older versions) and of every
 * value they use, generated from the class-validator decorators: the classes are the one source
 * of truth. Keys are schema names (class names); only schemas some message reaches are kept.
 */
export function payloadSchemas(): Record<string, JsonSchema> {
  const generated = validationMetadatasToSchemas({
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: SCHEMA_POINTER,
  }) as Record<string, JsonSchema>;
  const all: Record<string, JsonSchema> = {
    [STATE_CODE_SCHEMA_NAME]: {
      type: 'string',
      description: 'ISO 3166-1 alpha-2 state code; XK for Kosovo.',
      enum: [...STATE_CODES],
    },
  };
  for (const [name, schema] of Object.entries(generated)) all[name] = tidy(schema) as JsonSchema;

  const roots = MESSAGE_DEFINITIONS.flatMap((d) => [d.payload.name, ...Object.values(d.legacy).map((c) => c.name)]);
  const reachable = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (reachable.has(name)) continue;
    if (!all[name]) throw new Error(`No JSON Schema was generated for ${name}`);
    reachable.add(name);
    const refs = new Set<string>();
    referencedNames(all[name], refs);
    pending.push(...refs);
  }
  return Object.fromEntries([...reachable].sort().map((name) => [name, all[name]]));
}
