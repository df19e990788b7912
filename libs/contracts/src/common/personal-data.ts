import { plainToInstance } from 'class-transformer';
import { IsIn, Matches, registerDecorator, validateSync, type ValidationOptions } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { isIsoDate } from './formats';

/** The algorithm of an encrypted personal field: AES-256-GCM (JOSE's name). */
export const PERSONAL_DATA_ALGORITHMS = ['A256GCM'] as const;
export type PersonalDataAlgorithm = (typeof PERSONAL_DATA_ALGORITHMS)[number];

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * A personal field encrypted with the person's own data key (crypto-shredding, Rule 16). `ct`
 * is the ciphertext followed by the 16-byte tag; the associated data binds it to the person
 * (the event's `inmateId`) and to the field's path. Only the service that owns the person's record
 * holds the key; when the person's data is erased the key is destroyed and the value can never be
 * read again, while the event and every hash over it stay as they were.
 */
@JSONSchema({ description: 'A personal field encrypted with the person\'s data key (AES-256-GCM); unreadable once the person\'s data is erased.' })
export class EncryptedValue {
  @IsIn(PERSONAL_DATA_ALGORITHMS)
  enc!: PersonalDataAlgorithm;

  /** The id of the person's data key. */
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: '$property must be a key id (1 to 64 letters, digits, ".", "_", ":" or "-")' })
  kid!: string;

  /** The 96-bit IV, base64url. */
  @Matches(/^[A-Za-z0-9_-]{16}$/, { message: '$property must be 12 bytes in base64url' })
  iv!: string;

  /** Ciphertext and tag, base64url. */
  @Matches(BASE64URL, { message: '$property must be base64url' })
  ct!: string;
}

function encryptedProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['is not an object'];
  const keys = Object.keys(value);
  const unknown = keys.filter((k) => !['enc', 'kid', 'iv', 'ct'].includes(k));
  const errors = validateSync(plainToInstance(EncryptedValue, value), { forbidUnknownValues: true });
  return [...unknown.map((k) => `${k} is not a field of an encrypted value`), ...errors.flatMap((e) => Object.values(e.constraints ?? {}))];
}

/** True for a value shaped as an EncryptedValue. */
export function isEncryptedValue(value: unknown): value is EncryptedValue {
  return typeof value === 'object' && value !== null && 'enc' in value && encryptedProblems(value).length === 0;
}

/** What a personal field holds in clear: how it is checked, and its JSON Schema. */
export interface ClearForm {
  description: string;
  check(value: unknown): boolean;
  schema: Record<string, unknown>;
}

/** Clear text of at most `max` characters. */
export const clearText = (max = 200): ClearForm => ({
  description: `text of 1 to ${max} characters`,
  check: (v) => typeof v === 'string' && v.length >= 1 && v.length <= max,
  schema: { type: 'string', minLength: 1, maxLength: max },
});

/** A clear calendar date. */
export const clearDate: ClearForm = {
  description: 'a date written YYYY-MM-DD',
  check: isIsoDate,
  schema: { type: 'string', format: 'date' },
};

/** A clear yes or no (a health fact). */
export const clearBoolean: ClearForm = {
  description: 'true or false',
  check: (v) => typeof v === 'boolean',
  schema: { type: 'boolean' },
};

/** A clear list of `min` to `max` texts of at most `length` characters each. */
export const clearTexts = (min: number, max: number, length: number): ClearForm => ({
  description: `a list of ${min} to ${max} texts of at most ${length} characters`,
  check: (v) => Array.isArray(v) && v.length >= min && v.length <= max && v.every((item) => typeof item === 'string' && item.length >= 1 && item.length <= length),
  schema: { type: 'array', minItems: min, maxItems: max, items: { type: 'string', minLength: 1, maxLength: length } },
});

/** A clear list of objects of `type`, valid by its own decorators. */
export const clearList = (type: new () => object, min: number, max: number): ClearForm => ({
  description: `a list of ${min} to ${max} ${type.name}`,
  check: (v) =>
    Array.isArray(v) && v.length >= min && v.length <= max &&
    v.every((item) => typeof item === 'object' && item !== null && validateSync(plainToInstance(type, item), { whitelist: true, forbidNonWhitelisted: true }).length === 0),
  schema: { type: 'array', minItems: min, maxItems: max, items: { $ref: `#/components/schemas/${type.name}` } },
});

/**
 * A personal field: an EncryptedValue, which is all the owning service writes. An event written at
 * an older version of its type (before personal fields were encrypted) and lifted by the upcaster
 * still holds the clear value it was written with; `clear` says what that looks like.
 */
export function IsPersonal(clear: ClearForm, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isPersonal',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must be an encrypted value { enc: "A256GCM", kid, iv, ct } (or, in an event written before personal fields were encrypted, ${clear.description})`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' && value !== null && !Array.isArray(value) ? encryptedProblems(value).length === 0 : clear.check(value),
      },
    });
    // A function replaces what the generator inferred from the TypeScript union (a `$ref` to Object).
    JSONSchema((() => ({
      anyOf: [{ $ref: '#/components/schemas/EncryptedValue' }, { ...clear.schema, description: 'Clear, only in events written before personal fields were encrypted.' }],
    })) as unknown as Parameters<typeof JSONSchema>[0])(target, propertyName as string);
  };
}
