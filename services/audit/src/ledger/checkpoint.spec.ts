import { generateKeyPairSync } from 'node:crypto';
import { isSignatureValid, loadPublicKey, loadSigningKey, publicKeyPem, signCheckpoint } from './checkpoint';

const head = { entryCount: 42, headHash: 'a'.repeat(64), merkleRoot: 'b'.repeat(64) };

describe('signed checkpoints', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it('reads the key as PEM, as base64 of the PEM, or as base64 of the PKCS#8 DER', () => {
    const der = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    for (const text of [pem, Buffer.from(pem).toString('base64'), der, pem.replace(/\n/g, '\\n')]) {
      const key = loadSigningKey(text, 'k1');
      expect(publicKeyPem(key.publicKey)).toBe(publicKeyPem(loadSigningKey(pem, 'k1').publicKey));
    }
  });

  it('refuses a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadSigningKey(rsa, 'k1')).toThrow(/Ed25519/);
  });

  it('signs the head; any changed field or another key fails verification', () => {
    const key = loadSigningKey(pem, 'ministry-2026');
    const checkpoint = signCheckpoint(head, key);
    expect(checkpoint).toMatchObject({ ...head, algorithm: 'Ed25519', keyId: 'ministry-2026' });
    const publicKey = loadPublicKey(publicKeyPem(key.publicKey));
    expect(isSignatureValid(checkpoint, publicKey)).toBe(true);
    expect(isSignatureValid({ ...checkpoint, entryCount: 41 }, publicKey)).toBe(false);
    expect(isSignatureValid({ ...checkpoint, merkleRoot: 'c'.repeat(64) }, publicKey)).toBe(false);
    expect(isSignatureValid(checkpoint, generateKeyPairSync('ed25519').publicKey)).toBe(false);
  });
});
