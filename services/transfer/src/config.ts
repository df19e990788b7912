import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** The transfer service's configuration, read from environment variables at start-up. */
export class TransferConfig {
  /** HTTP port. */
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3102;

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

  /** The schema that holds the service's events, inbox, relay checkpoint, inmate facts and read model. */
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { message: 'DATABASE_SCHEMA must be a plain identifier' })
  DATABASE_SCHEMA = 'transfer';

  /** Comma-separated host:port list. */
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port…]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsString()
  @MinLength(1)
  KAFKA_CLIENT_ID = 'transfer';

  /** Prefix of every topic name on the broker (one environment or test run per prefix). */
  @IsString()
  KAFKA_TOPIC_PREFIX = '';

  /** The consumer group: transfer commands, intake events, facility events. */
  @IsString()
  @MinLength(1)
  KAFKA_GROUP_ID = 'transfer';

  @IsInt()
  @Min(1)
  KAFKA_PARTITIONS = 6;

  @IsInt()
  @Min(1)
  KAFKA_REPLICATION_FACTOR = 1;

  /** How often the deadline scheduler looks for deadlines that passed. */
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  DEADLINE_SCAN_INTERVAL_MS = 30_000;

  /**
   * Moves the service's clock (deadline scans, overdue reads) by this many milliseconds from the
   * machine's time. 0, the default, in production; end-to-end tests restart the service with an
   * offset to let a deadline pass.
   */
  @IsInt()
  CLOCK_OFFSET_MS = 0;
}
