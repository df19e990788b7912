import { IsIn, IsInt, IsString, Max, Min, MinLength } from 'class-validator';

/** The custody service's configuration, read from environment variables at start-up. */
export class CustodyConfig {
  /** HTTP port. */
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3103;

  @IsString()
  @MinLength(1)
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

  /** The schema holding this service's events, inbox and read models. */
  @IsString()
  @MinLength(1)
  DATABASE_SCHEMA = 'custody';

  /** Connections in the pool (the write path, projections, the relay and the consumer share them). */
  @IsInt()
  @Min(2)
  @Max(200)
  DATABASE_POOL_SIZE = 20;

  /** Comma-separated host:port list. */
  @IsString()
  @MinLength(1)
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsString()
  @MinLength(1)
  KAFKA_CLIENT_ID = 'custody';

  /** Prefix before every topic name (one environment or one test run per prefix). */
  @IsString()
  KAFKA_TOPIC_PREFIX = '';

  @IsString()
  @MinLength(1)
  KAFKA_GROUP_ID = 'custody';

  @IsInt()
  @Min(1)
  KAFKA_PARTITIONS = 6;

  @IsInt()
  @Min(1)
  KAFKA_REPLICATION_FACTOR = 1;

  /** 'on' starts the relay and the consumer; 'off' runs HTTP and read models only (tests of the write path). */
  @IsIn(['on', 'off'])
  KAFKA = 'on';

  /** How long a place reserved for a transfer is held when the request gives no expiry (hours). */
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  RESERVATION_HOLD_HOURS = 24 * 30;

  /** How often the expiry timer looks for reservations whose hold has run out (ms); 0 turns it off. */
  @IsInt()
  @Min(0)
  RESERVATION_EXPIRY_SWEEP_MS = 60_000;

  /** Attempts of one facility write when other instances keep appending to the same facility. */
  @IsInt()
  @Min(1)
  @Max(1000)
  FACILITY_WRITE_MAX_ATTEMPTS = 50;

  /** Most commands decided together in one append to a facility stream. */
  @IsInt()
  @Min(1)
  @Max(1000)
  FACILITY_BATCH_SIZE = 100;
}
