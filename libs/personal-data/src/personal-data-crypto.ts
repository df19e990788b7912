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
/**
 * A field's plaintext is padded to a multiple of this many bytes, so that the length of a
 * ciphertext tells only a bucket (a name of 5 letters and one of 20 look alike), not the length
 * of the name or the document number.
 */
const PADDING_BLOCK = 32;
const MASTER_KEY_ID = /^[A-Za-z0-9._:-]{1,64}$/;

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

/**
 * The master keys a service holds: the current one, which wraps every key written, and the
 * retired ones, kept only to unwrap the keys still wrapped by them until they are rewrapped.
 */
export interface MasterKeyring {
  current: MasterKey;
  retired: MasterKey[];
}

/** A data key (or a blind-index key) as the key store keeps it: wrapped by the master key named `masterKeyId`. */
export interface WrappedDataKey {
  masterKeyId: string;
  /** base64url of IV ‖ ciphertext ‖ tag. */
  wrapped: string;
}

/** A ciphertext that does not decrypt: a wrong key, a wrong person or field, or altered bytes. */
export class PersonalDataDecryptionError extends Error {
  readonly code = 'PERSONAL_DATA_UNREADABLE';
  constructor(what: string, reason = 'wrong key, wrong person or field, or altered bytes') {
    super(`${what} does not decrypt: ${reason}`);
    this.name = 'PersonalDataDecryptionError';
  }
}

/** The 32 bytes of a key written in base64 (or base64url), or undefined for anything else. */
function decodeKey(base64: string): Buffer | undefined {
  const text = base64.trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  return key.length === KEY_BYTES ? key : undefined;
}

/**
 * Reads the master key from its configuration: base64 of exactly 32 bytes. Throws a message
 * naming `variable` otherwise (the service refuses to start).
 */
export function parseMasterKey(base64: string | undefined, id: string, variable = 'PERSONAL_DATA_MASTER_KEY'): MasterKey {
  const key = decodeKey(base64 ?? '');
  if (!key) throw new Error(`${variable} must be the base64 of 32 random bytes (e.g. openssl rand -base64 32)`);
  return { id, key };
}

/**
 * Reads the retired master keys from their configuration: comma-separated `id=base64` entries
 * (blank ones ignored), each an earlier master key kept only to unwrap the keys still wrapped by it.
 * Throws a message naming `variable` and the entry for a bad id, a key that is not 32 bytes, the
 * current key's id (`currentId`) or an id given twice (the service refuses to start). A message
 * never holds a key: an entry is named by its position until its id is known to be one.
 */
export function parseRetiredMasterKeys(text: string | undefined, currentId: string, variable = 'PERSONAL_DATA_RETIRED_MASTER_KEYS'): MasterKey[] {
  const entries = (text ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const retired: MasterKey[] = [];
  entries.forEach((entry, index) => {
    const at = entry.indexOf('=');
    const id = entry.slice(0, Math.max(at, 0));
    // Without a key after "=", the "id" may be a key written without its id: never repeat it.
    if (at <= 0 || /^=*$/.test(entry.slice(at + 1)) || !MASTER_KEY_ID.test(id)) {
      throw new Error(`entry ${index + 1} of ${variable} must be id=base64, the id 1 to 64 letters, digits, ".", "_", ":" or "-"`);
    }
    const key = decodeKey(entry.slice(at + 1));
    if (!key) throw new Error(`the key of ${id} in ${variable} must be the base64 of 32 bytes`);
    if (id === currentId) throw new Error(`${id} in ${variable} is the current master key's id (PERSONAL_DATA_MASTER_KEY_ID); a retired key keeps the id it had`);
    if (retired.some((earlier) => earlier.id === id)) throw new Error(`${id} is given twice in ${variable}`);
    retired.push({ id, key });
  });
  return retired;
}

/**
 * A key wrapped by a master key this instance was not given (yet): during a rotation, another
 * instance may already wrap with the new master key. Transient for a Kafka consumer
 * (docs/adr/0008-transient-failures-block-the-partition.md): the message waits until this
 * instance holds the key, rather than being set aside.
 */
export class MasterKeyNotHeldError extends PersonalDataDecryptionError {
  readonly transient = true;
  constructor(
    what: string,
    readonly masterKeyId: string,
    held: string,
  ) {
    super(what, `it is wrapped by master key ${masterKeyId}, which this service does not hold (it holds ${held}); list ${masterKeyId} in PERSONAL_DATA_RETIRED_MASTER_KEYS`);
    this.name = 'MasterKeyNotHeldError';
  }
}

/**
 * The master key of the ring named `id`, to unwrap a key stored beside that id. Throws
 * MasterKeyNotHeldError (a PersonalDataDecryptionError) naming the id when the ring does not hold
 * it: the key is not erased, it is wrapped by a master key this service was not given.
 */
export function masterKeyFor(ring: MasterKeyring, id: string, what: string): MasterKey {
  const master = [ring.current, ...ring.retired].find((candidate) => candidate.id === id);
  if (master) return master;
  const held = [ring.current.id, ...ring.retired.map((retired) => retired.id)].join(', ');
  throw new MasterKeyNotHeldError(what, id, held);
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
const indexKeyContext = (purpose: string, masterKeyId: string) => `custody/index-key/v1/${masterKeyId}/${purpose}`;
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

function wrapKey(master: MasterKey, key: Buffer, context: string): WrappedDataKey {
  const { iv, sealed } = seal(master.key, key, context);
  return { masterKeyId: master.id, wrapped: Buffer.concat([iv, sealed]).toString('base64url') };
}

function unwrapKey(master: MasterKey, wrapped: WrappedDataKey, context: string, what: string): Buffer {
  if (wrapped.masterKeyId !== master.id) {
    throw new PersonalDataDecryptionError(`${what} wrapped by master key ${wrapped.masterKeyId} (this service has ${master.id})`);
  }
  const bytes = Buffer.from(wrapped.wrapped, 'base64url');
  return open(master.key, bytes.subarray(0, IV_BYTES), bytes.subarray(IV_BYTES), context, what);
}

/** Wraps a person's data key with the master key, bound to the person. */
export function wrapDataKey(master: MasterKey, subjectId: string, dataKey: Buffer): WrappedDataKey {
  return wrapKey(master, dataKey, dataKeyContext(subjectId, master.id));
}

/** Unwraps a person's data key; throws PersonalDataDecryptionError for another person's key or another master key. */
export function unwrapDataKey(master: MasterKey, subjectId: string, wrapped: WrappedDataKey): Buffer {
  return unwrapKey(master, wrapped, dataKeyContext(subjectId, master.id), 'the data key');
}

/** Wraps the blind-index key of one purpose with the master key, bound to the purpose. */
export function wrapIndexKey(master: MasterKey, purpose: string, indexKey: Buffer): WrappedDataKey {
  return wrapKey(master, indexKey, indexKeyContext(purpose, master.id));
}

/** Unwraps the blind-index key of one purpose; throws PersonalDataDecryptionError for another purpose or another master key. */
export function unwrapIndexKey(master: MasterKey, purpose: string, wrapped: WrappedDataKey): Buffer {
  return unwrapKey(master, wrapped, indexKeyContext(purpose, master.id), `the blind-index key of ${purpose}`);
}

/**
 * Encrypts one field's value (any JSON value) for the person, at `path` (e.g. `identity.familyName`).
 * The JSON text is padded with spaces to a multiple of PADDING_BLOCK bytes: JSON allows white space
 * after a value, so a padded plaintext and one written before padding (none) parse alike, and the
 * representation needs no mark of its own.
 */
export function encryptField(dataKey: Buffer, kid: string, subjectId: string, path: string, value: unknown): EncryptedField {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  const padded = Buffer.concat([json, Buffer.alloc((PADDING_BLOCK - (json.length % PADDING_BLOCK)) % PADDING_BLOCK, ' ')]);
  const { iv, sealed } = seal(dataKey, padded, fieldContext(subjectId, path, kid));
  return { enc: FIELD_ALGORITHM, kid, iv: iv.toString('base64url'), ct: sealed.toString('base64url') };
}

/** Decrypts one field's value (padded or not); throws PersonalDataDecryptionError when the key, person, path or bytes do not match. */
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
 * The blind-index key of one purpose as indexes were first made: derived from a master key
 * (HKDF-SHA-256). A key store keeps it wrapped from its first use on (like a data key), so that a
 * rotation of the master key leaves it, and every index made with it, unchanged.
 */
export function deriveIndexKey(master: MasterKey, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master.key, Buffer.alloc(0), `custody/blind-index/v1/${purpose}`, KEY_BYTES));
}

/**
 * A blind index: a keyed hash (HMAC-SHA-256) of a value under the blind-index key of one purpose.
 * It lets a service find equal values (one person, one identity document) without keeping the
 * value, and unlike a plain hash it cannot be recomputed from a guessed value by whoever reads the
 * database or the logs without the key (which is stored only wrapped by the master key).
 */
export function blindIndex(indexKey: Buffer, value: string): string {
  return createHmac('sha256', indexKey).update(value, 'utf8').digest('hex');
}
