// Crypto-shredding (docs/domain.md, Rule 16): each person's personal fields are encrypted with a
// data key of their own, wrapped by the service's master key; destroying the key erases the
// person from every copy of the events. Blind indexes search the encrypted fields.
export {
  blindIndex, decryptField, encryptField, FIELD_ALGORITHM, generateDataKey, generateMasterKey, isEncryptedField, parseMasterKey,
  MasterKeyNotHeldError, parseRetiredMasterKeys, PersonalDataDecryptionError, unwrapDataKey, wrapDataKey,
} from './personal-data-crypto';
export type { EncryptedField, MasterKey, WrappedDataKey } from './personal-data-crypto';
export { hasClearFields, MissingDataKeyError, openFields, sealFields } from './personal-fields';
export type { DataKey, KeyAccess } from './personal-fields';
export { PersonalDataKeys } from './data-keys';
export type { Destruction, DestructionLogEntry, MasterKeyUsage, PersonalDataKeysConfig, RewrapRun } from './data-keys';
export { BlindIndexKeyError } from './index-keys';
export { MasterKeyRewrapJob } from './rewrap.job';
export { PersonalDataConfig } from './personal-data.config';
