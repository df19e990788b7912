import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { MESSAGE_DEFINITIONS, STATE_CODE_SCHEMA_NAME, STATE_CODES } from '@custody/contracts';

type Schema = Record<string, unknown>;

/**
 * JSON Schemas of the command bodies, generated from the contracts' class-validator decorators
 * (the classes are the one source of truth), for the OpenAPI document's components.
 */
export function commandSchemas(): Record<string, Schema> {
  // Loading the catalogue registered every payload class's decorators.
  void MESSAGE_DEFINITIONS;
  const schemas = validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/' }) as Record<string, Schema>;
  for (const schema of Object.values(schemas)) {
    if (schema.type === 'object' && schema.additionalProperties === undefined) schema.additionalProperties = false;
  }
  schemas[STATE_CODE_SCHEMA_NAME] = { type: 'string', enum: [...STATE_CODES], description: 'ISO 3166-1 alpha-2, XK for Kosovo' };
  return schemas;
}
