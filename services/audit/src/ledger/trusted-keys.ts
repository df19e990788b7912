import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseTrustedKeys, type SigningKey, type TrustedKeys } from './checkpoint';

/**
 * The keys whose checkpoints the service believes: its own signing key's public half and
 * AUDIT_TRUSTED_KEYS, both from configuration. A key id that names two different keys is refused.
 */
export function trustedKeysOf(config: { AUDIT_TRUSTED_KEYS: string }, own: SigningKey | undefined): TrustedKeys {
  const keys: Map<string, KeyObject> = parseTrustedKeys(config.AUDIT_TRUSTED_KEYS, (path) => readFileSync(path, 'utf8'));
  if (own) {
    const listed = keys.get(own.keyId);
    if (listed && !listed.equals(own.publicKey)) {
      throw new TypeError(`AUDIT_TRUSTED_KEYS names ${own.keyId}, the id of AUDIT_SIGNING_KEY, with another key`);
    }
    keys.set(own.keyId, own.publicKey);
  }
  return keys;
}
