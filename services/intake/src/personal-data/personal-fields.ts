import { type IdentityDocument, PERSONAL_IDENTITY_FIELDS, type PersonIdentity, type Sex } from '@custody/contracts';
import { hasClearFields, MissingDataKeyError, openFields, sealFields, type DataKey, type KeyAccess } from '@custody/personal-data';

/**
 * Which fields of the intake events are personal data encrypted with the person's data key, and
 * how an event is sealed (for the store and the topic) and opened (for the service's own reads).
 * Names, date and place of birth and identity documents are encrypted: no other service needs
 * them (transfer keeps nationalities, residence, sentence, expulsion order and health facts for
 * the legal rules; custody takes identity from the receiving state's admission record). Pure,
 * given the key (the sealing itself is @custody/personal-data's, by path).
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

export type { DataKey, KeyAccess };
export { MissingDataKeyError };

const inmateIdOf = (data: unknown) => (data as { inmateId: string }).inmateId;

/** True when the event holds at least one personal field in clear (written before encryption, or a command's facts). */
export function hasClearPersonalFields(type: string, data: unknown): boolean {
  return EVENTS_WITH_IDENTITY.has(type) && hasClearFields(data, ERASABLE_FIELDS);
}

/** The event's data with every clear personal field encrypted for the person (`inmateId` of the data). */
export function sealEvent(type: string, data: unknown, key: DataKey): unknown {
  return EVENTS_WITH_IDENTITY.has(type) ? sealFields(data, ERASABLE_FIELDS, inmateIdOf(data), key) : data;
}

/**
 * The event's data as intake's reads see it: personal fields decrypted, or `null` when the
 * person's data was erased. `isErased` tells whether any field was shown as erased.
 */
export function openEvent(type: string, data: unknown, access: KeyAccess): { data: unknown; isErased: boolean } {
  return EVENTS_WITH_IDENTITY.has(type) ? openFields(data, ERASABLE_FIELDS, inmateIdOf(data), access) : { data, isErased: false };
}

/** The documents of an identity, or none once erased. */
export const documentsOf = (identity: RecordedIdentity): IdentityDocument[] => identity.documents ?? [];
