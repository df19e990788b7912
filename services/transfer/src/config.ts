import { PersonalDataConfig } from '@custody/personal-data';
import { WholeNumber } from '@custody/config';

/**
 * The transfer service's configuration, read from environment variables at start-up (the variables
 * every service reads, and the master key of persons' data keys, which seal the person's opinion:
 * PersonalDataConfig).
 */
export class TransferConfig extends PersonalDataConfig {
  constructor() {
    super({ PORT: 3102, DATABASE_SCHEMA: 'transfer', KAFKA_CLIENT_ID: 'transfer', KAFKA_GROUP_ID: 'transfer' });
  }

  /** How often the deadline scheduler looks for deadlines that passed. */
  @WholeNumber(50, 3_600_000)
  DEADLINE_SCAN_INTERVAL_MS = 30_000;

  /**
   * Moves the service's clock (deadline scans, overdue reads) by this many milliseconds from the
   * machine's time. 0, the default, in production; end-to-end tests restart the service with an
   * offset to let a deadline pass.
   */
  @WholeNumber()
  CLOCK_OFFSET_MS = 0;
}
