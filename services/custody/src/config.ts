import { IsIn } from 'class-validator';
import { PersonalDataConfig } from '@custody/personal-data';
import { WholeNumber } from '@custody/config';

/**
 * The custody service's configuration, read from environment variables at start-up (the variables
 * every service reads, and the master key of persons' data keys: PersonalDataConfig).
 */
export class CustodyConfig extends PersonalDataConfig {
  constructor() {
    super({ PORT: 3103, DATABASE_SCHEMA: 'custody', DATABASE_POOL_SIZE: 20, KAFKA_CLIENT_ID: 'custody', KAFKA_GROUP_ID: 'custody' });
  }

  /** 'on' starts the relay and the consumer; 'off' runs HTTP and read models only (tests of the write path). */
  @IsIn(['on', 'off'])
  KAFKA = 'on';

  /** How long a place reserved for a transfer is held when the request gives no expiry (hours). */
  @WholeNumber(1, 24 * 365)
  RESERVATION_HOLD_HOURS = 24 * 30;

  /** How often the expiry timer looks for reservations whose hold has run out (ms); 0 turns it off. */
  @WholeNumber(0)
  RESERVATION_EXPIRY_SWEEP_MS = 60_000;

  /** Attempts in all (the first included) of one facility write when other instances keep appending to the same facility. */
  @WholeNumber(1, 1000)
  FACILITY_WRITE_MAX_ATTEMPTS = 50;

  /** Most commands decided together in one append to a facility stream. */
  @WholeNumber(1, 1000)
  FACILITY_BATCH_SIZE = 100;
}
