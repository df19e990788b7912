import { createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson, type LedgerCheckpointSignedPayload } from '@custody/contracts';

/** A signed checkpoint of the ledger head, as published on `custody.audit.checkpoints`. */
export type Checkpoint = LedgerCheckpointSignedPayload;

/** The key that signs checkpoints, with the id published beside each signature. */
export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/**
 * Reads an Ed25519 private key given as PEM, or as base64 of its PEM or of its PKCS#8 DER
 * (so that it fits in one environment variable).
 */
export function loadSigningKey(text: string, keyId: string): SigningKey {
  const trimmed = text.trim();
  let privateKey: KeyObject;
  if (trimmed.startsWith('-----BEGIN')) {
    privateKey = createPrivateKey(trimmed.replace(/\\n/g, '\n'));
  } else {
    const bytes = Buffer.from(trimmed, 'base64');
    const decoded = bytes.toString('utf8');
    privateKey = decoded.startsWith('-----BEGIN') ? createPrivateKey(decoded) : createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the checkpoint signing key must be an Ed25519 key, not ${privateKey.asymmetricKeyType}`);
  }
  return { keyId, privateKey, publicKey: createPublicKey(privateKey) };
}

/** A public key from PEM (an auditor's copy of the ledger's key). */
export function loadPublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem.trim());
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the checkpoint key must be an Ed25519 public key');
  return key;
}

/** The PEM of a public key. */
export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** The bytes a checkpoint's signature covers: the canonical JSON of every field but the signature. */
export function signedBytes(checkpoint: Omit<Checkpoint, 'signature'>): Buffer {
  const { checkpointId, entryCount, headHash, merkleRoot, algorithm, keyId } = checkpoint;
  return Buffer.from(canonicalJson({ checkpointId, entryCount, headHash, merkleRoot, algorithm, keyId }), 'utf8');
}

/** Signs the head of the ledger. */
export function signCheckpoint(
  head: { entryCount: number; headHash: string; merkleRoot: string },
  key: SigningKey,
  checkpointId: string = randomUUID(),
): Checkpoint {
  const unsigned = { checkpointId, ...head, algorithm: 'Ed25519' as const, keyId: key.keyId };
  return { ...unsigned, signature: sign(null, signedBytes(unsigned), key.privateKey).toString('base64') };
}

/** True when the signature is the key's over the checkpoint's fields. */
export function isSignatureValid(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  if (checkpoint.algorithm !== 'Ed25519') return false;
  try {
    return verify(null, signedBytes(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * The public keys whose checkpoints a verifier believes, by key id. They come from configuration
 * (the service's own signing key and AUDIT_TRUSTED_KEYS) or from the auditor's command line, never
 * from the ledger's database: whoever could write that database could otherwise rewrite the ledger,
 * add a key of their own beside it and sign the result.
 */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

/**
 * Parses AUDIT_TRUSTED_KEYS: a JSON array of `{ "keyId", "publicKeyPem" }` or `{ "keyId", "keyFile" }`
 * (an Ed25519 public key in PEM), e.g. the ledger's earlier keys after a rotation. Throws a
 * sentence naming the entry at fault.
 */
export function parseTrustedKeys(json: string, readKeyFile: (path: string) => string): Map<string, KeyObject> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.trim() || '[]');
  } catch {
    throw new TypeError('AUDIT_TRUSTED_KEYS must be a JSON array of { "keyId", "publicKeyPem" } or { "keyId", "keyFile" }');
  }
  if (!Array.isArray(parsed)) throw new TypeError('AUDIT_TRUSTED_KEYS must be a JSON array');
  const keys = new Map<string, KeyObject>();
  parsed.forEach((entry: { keyId?: unknown; publicKeyPem?: unknown; keyFile?: unknown } | null, index) => {
    const at = `AUDIT_TRUSTED_KEYS[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new TypeError(`${at} must be an object`);
    if (typeof entry.keyId !== 'string' || !entry.keyId) throw new TypeError(`${at}.keyId is required`);
    if (keys.has(entry.keyId)) throw new TypeError(`${at}.keyId ${entry.keyId} is given twice`);
    const pem = typeof entry.publicKeyPem === 'string' ? entry.publicKeyPem : typeof entry.keyFile === 'string' ? readKeyFile(entry.keyFile) : undefined;
    if (!pem) throw new TypeError(`${at} needs publicKeyPem or keyFile`);
    try {
      keys.set(entry.keyId, loadPublicKey(pem.replace(/\\n/g, '\n')));
    } catch (error) {
      throw new TypeError(`${at} is not an Ed25519 public key in PEM (${(error as Error).message})`);
    }
  });
  return keys;
}
