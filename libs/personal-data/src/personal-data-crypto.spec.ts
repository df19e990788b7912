import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { classifyFailure } from '@custody/messaging';
import {
  blindIndex, decryptField, deriveIndexKey, encryptField, generateDataKey, generateMasterKey, isEncryptedField, masterKeyFor, MasterKeyNotHeldError,
  parseMasterKey, parseRetiredMasterKeys, PersonalDataDecryptionError, unwrapDataKey, unwrapIndexKey, wrapDataKey, wrapIndexKey,
} from './personal-data-crypto';
import { MissingDataKeyError } from './personal-fields';

const master = () => parseMasterKey(generateMasterKey(), 'master-1');

/** Flips one bit of a base64url string's bytes. */
function flip(base64url: string, index = 0): string {
  const bytes = Buffer.from(base64url, 'base64url');
  bytes[index] ^= 0x01;
  return bytes.toString('base64url');
}

describe('personal data crypto (AES-256-GCM per field, data keys wrapped by the master key)', () => {
  const person = randomUUID();
  const other = randomUUID();

  it('round-trips any JSON value of a field, with a fresh IV each time', () => {
    const key = generateDataKey();
    const documents = [{ kind: 'passport', number: 'BA1234567', issuingState: 'AL' }];
    const a = encryptField(key, 'kid-1', person, 'identity.documents', documents);
    const b = encryptField(key, 'kid-1', person, 'identity.documents', documents);
    expect(a).toMatchObject({ enc: 'A256GCM', kid: 'kid-1' });
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
    expect(JSON.stringify(a)).not.toContain('BA1234567');
    expect(decryptField(key, person, 'identity.documents', a)).toEqual(documents);
    expect(decryptField(key, person, 'identity.familyName', encryptField(key, 'kid-1', person, 'identity.familyName', 'Hoxha'))).toBe('Hoxha');
    expect(isEncryptedField(a)).toBe(true);
    expect(isEncryptedField('Hoxha')).toBe(false);
  });

  it('detects an altered ciphertext, IV or key id', () => {
    const key = generateDataKey();
    const field = encryptField(key, 'kid-1', person, 'identity.familyName', 'Hoxha');
    expect(() => decryptField(key, person, 'identity.familyName', { ...field, ct: flip(field.ct) })).toThrow(PersonalDataDecryptionError);
    expect(() => decryptField(key, person, 'identity.familyName', { ...field, ct: flip(field.ct, Buffer.from(field.ct, 'base64url').length - 1) })).toThrow(PersonalDataDecryptionError);
    expect(() => decryptField(key, person, 'identity.familyName', { ...field, iv: flip(field.iv) })).toThrow(PersonalDataDecryptionError);
    expect(() => decryptField(key, person, 'identity.familyName', { ...field, kid: 'kid-2' })).toThrow(PersonalDataDecryptionError);
    expect(() => decryptField(key, person, 'identity.familyName', { ...field, ct: '' })).toThrow(PersonalDataDecryptionError);
  });

  it('refuses a value copied to another person or another field, and another key', () => {
    const key = generateDataKey();
    const field = encryptField(key, 'kid-1', person, 'identity.familyName', 'Hoxha');
    expect(() => decryptField(key, other, 'identity.familyName', field)).toThrow(PersonalDataDecryptionError);
    expect(() => decryptField(key, person, 'identity.givenNames', field)).toThrow(PersonalDataDecryptionError);
    expect(() => decryptField(generateDataKey(), person, 'identity.familyName', field)).toThrow(PersonalDataDecryptionError);
  });

  it('pads a value to a multiple of 32 bytes: values of different lengths in one bucket give ciphertexts of one length', () => {
    const key = generateDataKey();
    const length = (value: unknown) => Buffer.from(encryptField(key, 'kid-1', person, 'identity.familyName', value).ct, 'base64url').length;
    // 32 bytes of padded JSON and the 16-byte tag, whether the name has 2 letters or 30 (32 bytes with its quotes).
    expect(length('Li')).toBe(48);
    expect(length('Hoxha')).toBe(48);
    expect(length('x'.repeat(30))).toBe(48);
    expect(length('x'.repeat(31))).toBe(80);
    expect(length([{ kind: 'passport', number: 'BA1234567', issuingState: 'AL' }]) % 32).toBe(16);
    for (const value of ['Li', 'x'.repeat(31), { a: [1, null, true] }, 0, '']) {
      expect(decryptField(key, person, 'identity.familyName', encryptField(key, 'kid-1', person, 'identity.familyName', value))).toEqual(value);
    }
  });

  it('still decrypts a value written before padding (the JSON text alone), and detects a padded value altered anywhere', () => {
    const key = generateDataKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(`custody/personal-field/v1/${person}/identity.familyName/kid-1`, 'utf8'));
    const unpadded = Buffer.concat([cipher.update(JSON.stringify('Hoxha'), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    expect(unpadded).toHaveLength(7 + 16);
    const written = { enc: 'A256GCM' as const, kid: 'kid-1', iv: iv.toString('base64url'), ct: unpadded.toString('base64url') };
    expect(decryptField(key, person, 'identity.familyName', written)).toBe('Hoxha');

    const padded = encryptField(key, 'kid-1', person, 'identity.familyName', 'Hoxha');
    for (const index of [0, 6, 7, 20, 31]) {
      expect(() => decryptField(key, person, 'identity.familyName', { ...padded, ct: flip(padded.ct, index) })).toThrow(PersonalDataDecryptionError);
    }
    // Cut back to the JSON text and its tag: the tag no longer matches.
    const cut = Buffer.from(padded.ct, 'base64url');
    expect(() => decryptField(key, person, 'identity.familyName', { ...padded, ct: Buffer.concat([cut.subarray(0, 7), cut.subarray(32)]).toString('base64url') }))
      .toThrow(PersonalDataDecryptionError);
  });

  it('wraps a data key for one person under the master key; another person, master key or altered bytes do not unwrap', () => {
    const masterKey = master();
    const key = generateDataKey();
    const wrapped = wrapDataKey(masterKey, person, key);
    expect(wrapped.masterKeyId).toBe('master-1');
    expect(Buffer.from(wrapped.wrapped, 'base64url').includes(key)).toBe(false);
    expect(unwrapDataKey(masterKey, person, wrapped).equals(key)).toBe(true);
    expect(() => unwrapDataKey(masterKey, other, wrapped)).toThrow(PersonalDataDecryptionError);
    expect(() => unwrapDataKey(parseMasterKey(generateMasterKey(), 'master-1'), person, wrapped)).toThrow(PersonalDataDecryptionError);
    expect(() => unwrapDataKey({ ...masterKey, id: 'master-2' }, person, wrapped)).toThrow(/master key master-1/);
    expect(() => unwrapDataKey(masterKey, person, { ...wrapped, wrapped: flip(wrapped.wrapped, 20) })).toThrow(PersonalDataDecryptionError);
  });

  it('accepts only a master key of exactly 32 bytes, naming the variable', () => {
    expect(parseMasterKey(Buffer.alloc(32, 7).toString('base64'), 'k').key).toHaveLength(32);
    for (const bad of [undefined, '', 'not base64!', Buffer.alloc(16).toString('base64'), Buffer.alloc(33).toString('base64')]) {
      expect(() => parseMasterKey(bad, 'k')).toThrow(/PERSONAL_DATA_MASTER_KEY must be the base64 of 32 random bytes/);
    }
  });

  it('blind-indexes a value under a key of its purpose: equal values meet, and without the key a guessed value cannot be checked', () => {
    const key = deriveIndexKey(master(), 'identity-document');
    const value = 'passport\u0000AL\u0000BA1234567';
    expect(blindIndex(key, value)).toBe(blindIndex(key, value));
    expect(blindIndex(key, value)).toMatch(/^[0-9a-f]{64}$/);
    expect(blindIndex(key, value)).not.toBe(blindIndex(key, value.replace('567', '568')));
    expect(blindIndex(key, value)).not.toBe(blindIndex(deriveIndexKey(master(), 'identity-document'), value));
    expect(blindIndex(key, value)).not.toBe(createHash('sha256').update(value).digest('hex'));
  });

  it('derives the blind-index key of a purpose from the master key as indexes were first made (HKDF), one key per purpose', () => {
    const masterKey = parseMasterKey(Buffer.alloc(32, 3).toString('base64'), 'master-1');
    expect(deriveIndexKey(masterKey, 'identity-document').toString('hex')).toBe(deriveIndexKey({ ...masterKey, id: 'other-id' }, 'identity-document').toString('hex'));
    expect(deriveIndexKey(masterKey, 'identity-document')).toHaveLength(32);
    expect(deriveIndexKey(masterKey, 'identity-document').equals(deriveIndexKey(masterKey, 'another-purpose'))).toBe(false);
  });

  it('wraps a blind-index key for one purpose; another purpose or master key does not unwrap it', () => {
    const masterKey = master();
    const key = deriveIndexKey(masterKey, 'identity-document');
    const wrapped = wrapIndexKey(masterKey, 'identity-document', key);
    expect(unwrapIndexKey(masterKey, 'identity-document', wrapped).equals(key)).toBe(true);
    expect(() => unwrapIndexKey(masterKey, 'another-purpose', wrapped)).toThrow(PersonalDataDecryptionError);
    expect(() => unwrapIndexKey(parseMasterKey(generateMasterKey(), 'master-1'), 'identity-document', wrapped)).toThrow(PersonalDataDecryptionError);
    // A blind-index key and a data key are wrapped under different contexts: neither passes for the other.
    expect(() => unwrapDataKey(masterKey, 'identity-document', wrapped)).toThrow(PersonalDataDecryptionError);
  });
});

describe('retired master keys (PERSONAL_DATA_RETIRED_MASTER_KEYS)', () => {
  const a = Buffer.alloc(32, 1).toString('base64');
  const b = Buffer.alloc(32, 2).toString('base64');

  it('reads comma-separated id=base64 entries, and nothing from an empty value', () => {
    expect(parseRetiredMasterKeys('', 'master-3')).toEqual([]);
    expect(parseRetiredMasterKeys(undefined, 'master-3')).toEqual([]);
    expect(parseRetiredMasterKeys(' , ', 'master-3')).toEqual([]);
    const retired = parseRetiredMasterKeys(` master-1=${a} , master-2=${b},`, 'master-3');
    expect(retired.map((key) => key.id)).toEqual(['master-1', 'master-2']);
    expect(retired[0].key.equals(Buffer.alloc(32, 1))).toBe(true);
    expect(retired[1].key.equals(Buffer.alloc(32, 2))).toBe(true);
    expect(parseRetiredMasterKeys(`2025.kms:key_1=${Buffer.alloc(32, 1).toString('base64url')}`, 'master-3')[0].id).toBe('2025.kms:key_1');
  });

  it.each([
    ['no "="', Buffer.alloc(32, 1).toString('base64url'), /entry 1 of PERSONAL_DATA_RETIRED_MASTER_KEYS must be id=base64/],
    ['no id', `=${a}`, /entry 1 of PERSONAL_DATA_RETIRED_MASTER_KEYS must be id=base64/],
    ['a key without its id', `${a.slice(0, -1)}=`, /entry 1 of PERSONAL_DATA_RETIRED_MASTER_KEYS must be id=base64/],
    ['a bad id', `master 1=${a}`, /entry 1 of PERSONAL_DATA_RETIRED_MASTER_KEYS must be id=base64/],
    ['an id of 65 characters', `${'k'.repeat(65)}=${a}`, /entry 1 of PERSONAL_DATA_RETIRED_MASTER_KEYS/],
    ['bad base64', `master-1=${a},master-2=not base64!`, /the key of master-2 in PERSONAL_DATA_RETIRED_MASTER_KEYS must be the base64 of 32 bytes/],
    ['a key of 16 bytes', `master-1=${Buffer.alloc(16).toString('base64')}`, /the key of master-1 in PERSONAL_DATA_RETIRED_MASTER_KEYS must be the base64 of 32 bytes/],
    ['a key of 33 bytes', `master-1=${Buffer.alloc(33).toString('base64')}`, /the key of master-1 in PERSONAL_DATA_RETIRED_MASTER_KEYS must be the base64 of 32 bytes/],
    ['the current id', `master-3=${a}`, /master-3 in PERSONAL_DATA_RETIRED_MASTER_KEYS is the current master key's id \(PERSONAL_DATA_MASTER_KEY_ID\)/],
    ['an id twice', `master-1=${a},master-1=${b}`, /master-1 is given twice in PERSONAL_DATA_RETIRED_MASTER_KEYS/],
  ])('refuses %s, naming the variable and never the key', (_case, text, message) => {
    let caught: Error | undefined;
    try {
      parseRetiredMasterKeys(text, 'master-3');
    } catch (error) {
      caught = error as Error;
    }
    expect(caught?.message).toMatch(message);
    for (const key of [a, b, a.slice(0, -1)]) expect(caught?.message).not.toContain(key);
  });

  it('finds the master key a stored key names, and names a master key it does not hold', () => {
    const ring = { current: parseMasterKey(b, 'master-2'), retired: parseRetiredMasterKeys(`master-1=${a}`, 'master-2') };
    expect(masterKeyFor(ring, 'master-2', 'the data key').id).toBe('master-2');
    expect(masterKeyFor(ring, 'master-1', 'the data key').key.equals(Buffer.alloc(32, 1))).toBe(true);
    expect(() => masterKeyFor(ring, 'master-0', 'the data key of inmate x')).toThrow(PersonalDataDecryptionError);
    expect(() => masterKeyFor(ring, 'master-0', 'the data key of inmate x'))
      .toThrow('the data key of inmate x does not decrypt: it is wrapped by master key master-0, which this service does not hold (it holds master-2, master-1); list master-0 in PERSONAL_DATA_RETIRED_MASTER_KEYS');
    // Not held yet (a rotation under way): a consumer waits for the key rather than setting the message aside.
    let notHeld: unknown;
    try {
      masterKeyFor(ring, 'master-0', 'the data key of inmate x');
    } catch (error) {
      notHeld = error;
    }
    expect(notHeld).toBeInstanceOf(MasterKeyNotHeldError);
    expect(classifyFailure(notHeld)).toMatchObject({ kind: 'transient', code: 'PERSONAL_DATA_UNREADABLE' });
    expect(classifyFailure(new PersonalDataDecryptionError('the data key of inmate x'))).toMatchObject({ kind: 'unknown' });
    expect(classifyFailure(new MissingDataKeyError('x'))).toMatchObject({ kind: 'transient', code: 'MissingDataKeyError' });
  });
});
