import { Transform } from 'class-transformer';
import { IsString, IsUUID, Matches, MaxLength, MinLength, registerDecorator, type ValidationOptions } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time with an explicit offset: an instant, never a local time.
const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** True for an RFC 3339 date-time with `Z` or an offset (e.g. `2026-03-01T09:30:00Z`). */
export function isInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = INSTANT.exec(value);
  return match !== null && isIsoDate(match[1]);
}

function register(
  name: string,
  message: string,
  validate: (value: unknown) => boolean,
  schema: Record<string, unknown>,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message, ...options },
      validator: { validate },
    });
    JSONSchema(options?.each ? { type: 'array', items: schema } : schema)(target, propertyName as string);
  };
}

/** A calendar date, `YYYY-MM-DD` (JSON Schema `format: date`). */
export function IsIsoDate(options?: ValidationOptions): PropertyDecorator {
  return register('isIsoDate', '$property must be a date written YYYY-MM-DD', isIsoDate, { type: 'string', format: 'date' }, options);
}

/** An instant, RFC 3339 with `Z` or an offset (JSON Schema `format: date-time`). */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return register(
    'isInstant',
    '$property must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00Z',
    isInstant,
    { type: 'string', format: 'date-time' },
    options,
  );
}

const lowerCase = (value: unknown): unknown =>
  typeof value === 'string' ? value.toLowerCase() : Array.isArray(value) ? value.map(lowerCase) : value;

/**
 * An identifier: a UUID (any version; callers choose v4 or v7), written in lower case from the
 * edge on (HTTP bodies and Kafka messages alike are transformed when validated), so that one
 * person or case has one id everywhere: `5E0C…` and `5e0c…` name the same stream.
 */
export function IsId(options?: ValidationOptions): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    Transform(({ value }) => lowerCase(value))(target, property as string);
    IsUUID('all', { message: '$property must be a UUID', ...options })(target, property as string);
  };
}

/** Free text a person writes: a non-empty string of at most `max` characters. */
export function IsText(max = 200, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    IsString(options)(target, propertyName as string);
    MinLength(1, options)(target, propertyName as string);
    MaxLength(max, options)(target, propertyName as string);
  };
}

/** A language the person understands: an ISO 639 code (`sq`, `nl`, `fr`, `da`). */
export function IsLanguage(options?: ValidationOptions): PropertyDecorator {
  return Matches(/^[a-z]{2,3}$/, { message: '$property must be an ISO 639 language code such as sq or nl', ...options });
}
