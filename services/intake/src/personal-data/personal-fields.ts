import { type IdentityDocument, isEncryptedValue, PERSONAL_IDENTITY_FIELDS, type PersonIdentity, type Sex } from '@custody/contracts';
import { decryptField, encryptField, type EncryptedField } from '@custody/platform';

/**
 * Which fields of the intake events are personal data encrypted with the person's data key, and
 * how an event is sealed (for the store and the topic) and opened (for the service's own reads).
 * Names, date and place of birth and identity documents are encrypted: no other service needs
 * them (transfer keeps nationalities, residence, sentence, expulsion order and health facts for
 * the legal rules; custody takes identity from the receiving state's admission record). Pure,
 * given the key.
 *
 * An erased field reads as `null`: after erasure, and for a value written in clear before
 * personal fields were encrypted (still in the store, but no longer shown).
 */

/** The events whose `identity` carries personal fields. */
export const EVENTS_WITH_IDENTITY: ReadonlySet<string> = new Set(['InmateRegistered', 'InmateRecordCorrected']);

/** Paths of the personal fields of an identity, as the associated data and PersonalDataErased name them. */
export const ERASABLE_FIELDS = PERSONAL_IDENTITY_FIELDS.map((field) => `identity.${field}`);

/** A person's identity once erased: the personal fields are `null`, `sex` stays. */
export interface ErasedIdentity {
  givenNames: null;
  familyName: null;
  dateOfBirth: null;
  placeOfBirth: null;
  sex: Sex;
  documents: null;
}

/** The identity as intake reads it: in clear, or erased. */
export type RecordedIdentity = PersonIdentity | ErasedIdentity;

export const isErased = (identity: RecordedIdentity): identity is ErasedIdentity => identity.familyName === null;

/** The person's data key, when it exists and is not destroyed. */
export interface DataKey {
  kid: string;
  key: Buffer;
}

/** What opening a person's events can use: the key, or the knowledge that it was destroyed. */
export type KeyAccess = { status: 'held'; key: DataKey } | { status: 'erased' } | { status: 'none' };

/** A data key the store says exists but cannot be found: personal fields it encrypted would be lost. */
export class MissingDataKeyError extends Error {
  constructor(inmateId: string) {
    super(`inmate ${inmateId} has encrypted personal fields but no data key (neither held nor recorded as destroyed)`);
    this.name = 'MissingDataKeyError';
  }
}

type Data = Record<string, unknown>;

function identityOf(data: unknown): Data | undefined {
  const identity = (data as Data | undefined)?.identity;
  return typeof identity === 'object' && identity !== null ? (identity as Data) : undefined;
}

/** True when the event holds at least one personal field in clear (written before encryption, or a command's facts). */
export function hasClearPersonalFields(type: string, data: unknown): boolean {
  const identity = EVENTS_WITH_IDENTITY.has(type) ? identityOf(data) : undefined;
  return !!identity && PERSONAL_IDENTITY_FIELDS.some((field) => identity[field] !== undefined && !isEncryptedValue(identity[field]));
}

/** The event's data with every clear personal field encrypted for the person (`inmateId` of the data). */
export function sealEvent(type: string, data: unknown, key: DataKey): unknown {
  const identity = EVENTS_WITH_IDENTITY.has(type) ? identityOf(data) : undefined;
  if (!identity) return data;
  const inmateId = (data as Data).inmateId as string;
  const sealed: Data = { ...identity };
  for (const field of PERSONAL_IDENTITY_FIELDS) {
    const value = identity[field];
    if (value === undefined || isEncryptedValue(value)) continue;
    sealed[field] = encryptField(key.key, key.kid, inmateId, `identity.${field}`, value);
  }
  return { ...(data as Data), identity: sealed };
}

/**
 * The event's data as intake's reads see it: personal fields decrypted, or `null` when the
 * person's data was erased. `isErased` tells whether any field was shown as erased.
 */
export function openEvent(type: string, data: unknown, access: KeyAccess): { data: unknown; isErased: boolean } {
  const identity = EVENTS_WITH_IDENTITY.has(type) ? identityOf(data) : undefined;
  if (!identity) return { data, isErased: false };
  const inmateId = (data as Data).inmateId as string;
  const opened: Data = { ...identity };
  let isErased = false;
  for (const field of PERSONAL_IDENTITY_FIELDS) {
    const value = identity[field];
    if (value === undefined) continue;
    if (access.status === 'erased') {
      opened[field] = null;
      isErased = true;
    } else if (isEncryptedValue(value)) {
      if (access.status === 'none') throw new MissingDataKeyError(inmateId);
      opened[field] = decryptField(access.key.key, inmateId, `identity.${field}`, value as EncryptedField);
    }
  }
  return { data: { ...(data as Data), identity: opened }, isErased };
}

/** The documents of an identity, or none once erased. */
export const documentsOf = (identity: RecordedIdentity): IdentityDocument[] => identity.documents ?? [];
