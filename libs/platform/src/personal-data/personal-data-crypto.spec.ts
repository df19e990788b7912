import { createHash, randomUUID } from 'node:crypto';
import {
  blindIndex, decryptField, encryptField, generateDataKey, generateMasterKey, isEncryptedField, parseMasterKey, PersonalDataDecryptionError,
  unwrapDataKey, wrapDataKey,
} from './personal-data-crypto';

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

  it('blind-indexes a value under the master key: equal values meet, and without the key a guessed value cannot be checked', () => {
    const key = master();
    const value = 'passport\u0000AL\u0000BA1234567';
    expect(blindIndex(key, 'identity-document', value)).toBe(blindIndex(key, 'identity-document', value));
    expect(blindIndex(key, 'identity-document', value)).toMatch(/^[0-9a-f]{64}$/);
    expect(blindIndex(key, 'identity-document', value)).not.toBe(blindIndex(key, 'identity-document', value.replace('567', '568')));
    expect(blindIndex(key, 'identity-document', value)).not.toBe(blindIndex(master(), 'identity-document', value));
    expect(blindIndex(key, 'identity-document', value)).not.toBe(blindIndex(key, 'another-purpose', value));
    expect(blindIndex(key, 'identity-document', value)).not.toBe(createHash('sha256').update(value).digest('hex'));
  });
});
