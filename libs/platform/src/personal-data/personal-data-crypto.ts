import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Crypto-shredding (Rule 16: erasure must not break the verifiability of the record). Each
 * person's personal fields are encrypted with a data key of their own (AES-256-GCM, one value per
 * field); the data key is kept only wrapped by the master key (AES-256-GCM). Destroying the
 * wrapped data key erases the fields everywhere they were copied (event store, topics, the audit
 * ledger) while the bytes, and every hash over them, stay as they were.
 *
 * The associated data binds a ciphertext to the person and the field: a value copied into another
 * person's event, or into another field of the same event, does not decrypt.
 */

/** The only algorithm written: AES-256-GCM, 96-bit IV, 128-bit tag (JOSE's name). */
export const FIELD_ALGORITHM = 'A256GCM';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** An encrypted field as it is stored and published: `ct` is the ciphertext followed by the tag (base64url). */
export interface EncryptedField {
  enc: typeof FIELD_ALGORITHM;
  /** The id of the person's data key. */
  kid: string;
  iv: string;
  ct: string;
}

/** The master key that wraps every data key, and the id that names it (for rotation). */
export interface MasterKey {
  id: string;
  key: Buffer;
}

/** A data key as the key store keeps it: wrapped by the master key named `masterKeyId`. */
export interface WrappedDataKey {
  masterKeyId: string;
  /** base64url of IV ‖ ciphertext ‖ tag. */
  wrapped: string;
}

/** A ciphertext that does not decrypt: a wrong key, a wrong person or field, or altered bytes. */
export class PersonalDataDecryptionError extends Error {
  readonly code = 'PERSONAL_DATA_UNREADABLE';
  constructor(what: string) {
    super(`${what} does not decrypt: wrong key, wrong person or field, or altered bytes`);
    this.name = 'PersonalDataDecryptionError';
  }
}

/**
 * Reads the master key from its configuration: base64 of exactly 32 bytes. Throws a message
 * naming `variable` otherwise (the service refuses to start).
 */
export function parseMasterKey(base64: string | undefined, id: string, variable = 'PERSONAL_DATA_MASTER_KEY'): MasterKey {
  const text = (base64 ?? '').trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new Error(`${variable} must be the base64 of 32 random bytes (e.g. openssl rand -base64 32)`);
  }
  return { id, key };
}

/** A new random data key for one person. */
export function generateDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** A new random master key, base64 (for tests and local development; production keys come from configuration). */
export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

const dataKeyContext = (subjectId: string, masterKeyId: string) => `custody/data-key/v1/${masterKeyId}/${subjectId}`;
const fieldContext = (subjectId: string, path: string, kid: string) => `custody/personal-field/v1/${subjectId}/${path}/${kid}`;

function seal(key: Buffer, plaintext: Buffer, context: string, iv: Buffer = randomBytes(IV_BYTES)): { iv: Buffer; sealed: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, sealed: Buffer.concat([body, cipher.getAuthTag()]) };
}

function open(key: Buffer, iv: Buffer, sealed: Buffer, context: string, what: string): Buffer {
  if (key.length !== KEY_BYTES || iv.length !== IV_BYTES || sealed.length < TAG_BYTES) throw new PersonalDataDecryptionError(what);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new PersonalDataDecryptionError(what);
  }
}

/** Wraps a person's data key with the master key, bound to the person. */
export function wrapDataKey(master: MasterKey, subjectId: string, dataKey: Buffer): WrappedDataKey {
  const { iv, sealed } = seal(master.key, dataKey, dataKeyContext(subjectId, master.id));
  return { masterKeyId: master.id, wrapped: Buffer.concat([iv, sealed]).toString('base64url') };
}

/** Unwraps a person's data key; throws PersonalDataDecryptionError for another person's key or another master key. */
export function unwrapDataKey(master: MasterKey, subjectId: string, wrapped: WrappedDataKey): Buffer {
  if (wrapped.masterKeyId !== master.id) {
    throw new PersonalDataDecryptionError(`the data key wrapped by master key ${wrapped.masterKeyId} (this service has ${master.id})`);
  }
  const bytes = Buffer.from(wrapped.wrapped, 'base64url');
  return open(master.key, bytes.subarray(0, IV_BYTES), bytes.subarray(IV_BYTES), dataKeyContext(subjectId, master.id), 'the data key');
}

/** Encrypts one field's value (any JSON value) for the person, at `path` (e.g. `identity.familyName`). */
export function encryptField(dataKey: Buffer, kid: string, subjectId: string, path: string, value: unknown): EncryptedField {
  const { iv, sealed } = seal(dataKey, Buffer.from(JSON.stringify(value), 'utf8'), fieldContext(subjectId, path, kid));
  return { enc: FIELD_ALGORITHM, kid, iv: iv.toString('base64url'), ct: sealed.toString('base64url') };
}

/** Decrypts one field's value; throws PersonalDataDecryptionError when the key, person, path or bytes do not match. */
export function decryptField(dataKey: Buffer, subjectId: string, path: string, field: EncryptedField): unknown {
  if (field.enc !== FIELD_ALGORITHM) throw new PersonalDataDecryptionError(`${path} (algorithm ${String(field.enc)})`);
  const plaintext = open(dataKey, Buffer.from(field.iv, 'base64url'), Buffer.from(field.ct, 'base64url'), fieldContext(subjectId, path, field.kid), path);
  return JSON.parse(plaintext.toString('utf8')) as unknown;
}

/** True for a value shaped as an encrypted field. */
export function isEncryptedField(value: unknown): value is EncryptedField {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const field = value as Record<string, unknown>;
  return field.enc === FIELD_ALGORITHM && typeof field.kid === 'string' && typeof field.iv === 'string' && typeof field.ct === 'string';
}

/**
 * A blind index: a keyed hash (HMAC-SHA-256) of a value, under a key derived from the master key
 * for one purpose (HKDF-SHA-256). It lets a service find equal values (one person, one identity
 * document) without keeping the value, and unlike a plain hash it cannot be recomputed from a
 * guessed value by whoever reads the database or the logs without the master key. The index is
 * tied to the master key: a rotation of the master key has to re-index (not built).
 */
export function blindIndex(master: MasterKey, purpose: string, value: string): string {
  const key = Buffer.from(hkdfSync('sha256', master.key, Buffer.alloc(0), `custody/blind-index/v1/${purpose}`, KEY_BYTES));
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}
