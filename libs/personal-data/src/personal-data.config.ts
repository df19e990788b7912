import { Matches, ValidateBy, type ValidationArguments } from 'class-validator';
import { ServiceConfig } from '@custody/platform';
import { parseRetiredMasterKeys } from './personal-data-crypto';

/** What is wrong with PERSONAL_DATA_RETIRED_MASTER_KEYS, or undefined when it is valid. */
function retiredMasterKeysProblem(value: unknown, config: PersonalDataConfig): string | undefined {
  if (typeof value !== 'string') return 'PERSONAL_DATA_RETIRED_MASTER_KEYS must be a comma-separated list of id=base64';
  try {
    parseRetiredMasterKeys(value, config.PERSONAL_DATA_MASTER_KEY_ID);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The variables of a service that keeps persons' data keys (crypto-shredding, Rule 16): intake for
 * the sending state's record, custody for the receiving state's admission record. Both services
 * wrap their keys with the master key of the same configuration.
 */
export class PersonalDataConfig extends ServiceConfig {
  /**
   * The master key that wraps each person's data key (crypto-shredding): base64 of 32 random
   * bytes. Required; never logged. Losing it makes every person's personal fields unreadable.
   */
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'PERSONAL_DATA_MASTER_KEY must be the base64 of 32 random bytes (e.g. openssl rand -base64 32)' })
  PERSONAL_DATA_MASTER_KEY = '';

  /** The name of the master key, stored beside each wrapped data key (to tell keys apart when rotating). */
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'PERSONAL_DATA_MASTER_KEY_ID must be 1 to 64 letters, digits, ".", "_", ":" or "-"' })
  PERSONAL_DATA_MASTER_KEY_ID = 'master-1';

  /**
   * Earlier master keys, kept only while keys wrapped by them remain (a rotation): comma-separated
   * `id=base64`, e.g. `master-1=…`. The service reads keys wrapped by any of them and rewraps them
   * under the current master key in the background; empty (default) when there is no rotation.
   */
  @ValidateBy({
    name: 'isRetiredMasterKeys',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => retiredMasterKeysProblem(value, args!.object as PersonalDataConfig) === undefined,
      defaultMessage: (args?: ValidationArguments) => retiredMasterKeysProblem(args!.value, args!.object as PersonalDataConfig) ?? 'invalid',
    },
  })
  PERSONAL_DATA_RETIRED_MASTER_KEYS = '';
}
