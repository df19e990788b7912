import { decryptField, encryptField, isEncryptedField } from './personal-data-crypto';

/**
 * Sealing and opening the personal fields of an event's data, named by their paths (e.g.
 * `identity.familyName`, `admission.health.summary`): each one is encrypted on its own with the
 * person's data key, the path being part of the associated data. Pure, given the key. An erased
 * field reads as `null`: after erasure, and for a value written in clear before the fields were
 * encrypted (still stored, no longer shown).
 */

/** A person's data key, when it exists and is not destroyed. */
export interface DataKey {
  kid: string;
  key: Buffer;
}

/** What opening a person's events can use: the key, or the knowledge that it was destroyed. */
export type KeyAccess = { status: 'held'; key: DataKey } | { status: 'erased' } | { status: 'none' };

/**
 * A data key the store says exists but cannot be found: personal fields it encrypted would be lost.
 * Transient for a Kafka consumer (docs/adr/0008-transient-failures-block-the-partition.md): the
 * message waits until the key can be read, rather than being set aside while later messages about
 * the same person are applied.
 */
export class MissingDataKeyError extends Error {
  readonly transient = true;
  constructor(subjectId: string) {
    super(`inmate ${subjectId} has encrypted personal fields but no data key (neither held nor recorded as destroyed)`);
    this.name = 'MissingDataKeyError';
  }
}

type Data = Record<string, unknown>;
const isObject = (value: unknown): value is Data => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at `path`, or undefined when a step of it is missing. */
function valueAt(data: unknown, path: string): unknown {
  let value: unknown = data;
  for (const step of path.split('.')) value = isObject(value) ? value[step] : undefined;
  return value;
}

/** A copy of `data` with the value at `path` replaced (the objects on the way are copied, nothing else). */
function withValueAt(data: Data, [step, ...rest]: string[], value: unknown): Data {
  return { ...data, [step]: rest.length === 0 ? value : withValueAt(data[step] as Data, rest, value) };
}

/** True when at least one of the paths holds a value in clear (written before encryption, or a command's facts). */
export function hasClearFields(data: unknown, paths: readonly string[]): boolean {
  return paths.some((path) => {
    const value = valueAt(data, path);
    return value !== undefined && !isEncryptedField(value);
  });
}

/** The data with every clear value at the paths encrypted for the person. */
export function sealFields(data: unknown, paths: readonly string[], subjectId: string, key: DataKey): unknown {
  let sealed = data;
  for (const path of paths) {
    const value = valueAt(sealed, path);
    if (value === undefined || isEncryptedField(value)) continue;
    sealed = withValueAt(sealed as Data, path.split('.'), encryptField(key.key, key.kid, subjectId, path, value));
  }
  return sealed;
}

/**
 * The data as the owning service's reads see it: the values at the paths decrypted, or `null` when
 * the person's data was erased. `isErased` tells whether any field was shown as erased.
 */
export function openFields(data: unknown, paths: readonly string[], subjectId: string, access: KeyAccess): { data: unknown; isErased: boolean } {
  let opened = data;
  let isErased = false;
  for (const path of paths) {
    const value = valueAt(opened, path);
    if (value === undefined) continue;
    if (access.status === 'erased') {
      opened = withValueAt(opened as Data, path.split('.'), null);
      isErased = true;
    } else if (isEncryptedField(value)) {
      if (access.status === 'none') throw new MissingDataKeyError(subjectId);
      opened = withValueAt(opened as Data, path.split('.'), decryptField(access.key.key, subjectId, path, value));
    }
  }
  return { data: opened, isErased };
}
