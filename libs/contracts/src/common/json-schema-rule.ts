import { JSONSchema } from 'class-validator-jsonschema';

/**
 * A JSON Schema rule on a whole class, for what class-validator says with `@ValidateIf`
 * (e.g. "when `legalBasis` is a lease, `facilityId` is required"). It keeps the published schema
 * as strict as the runtime validation. Keywords: `if`/`then`/`else`, `allOf`, `anyOf`.
 */
export function JsonSchemaRule(rule: Record<string, unknown>): ClassDecorator {
  return JSONSchema(rule as Parameters<typeof JSONSchema>[0]) as ClassDecorator;
}
