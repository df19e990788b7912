import { IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { SecurityConfig } from '@custody/platform';

/** The intake service's configuration, read from environment variables at start-up (AUTH_* and RATE_LIMIT_PER_MINUTE: SecurityConfig). */
export class IntakeConfig extends SecurityConfig {
  /** HTTP port. */
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3101;

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

  /** The schema that holds the service's events, inbox, relay checkpoint and read model. */
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { message: 'DATABASE_SCHEMA must be a plain identifier' })
  DATABASE_SCHEMA = 'intake';

  /** Comma-separated host:port list. */
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port…]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsString()
  @MinLength(1)
  KAFKA_CLIENT_ID = 'intake';

  /** Prefix of every topic name on the broker (one environment or test run per prefix). */
  @IsString()
  KAFKA_TOPIC_PREFIX = '';

  /** The consumer group of the service (commands and the transfer and custody events). */
  @IsString()
  @MinLength(1)
  KAFKA_GROUP_ID = 'intake';

  @IsInt()
  @Min(1)
  KAFKA_PARTITIONS = 6;

  @IsInt()
  @Min(1)
  KAFKA_REPLICATION_FACTOR = 1;

  /** Largest HTTP body accepted, in bytes (a registration is a few kilobytes). */
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024)
  HTTP_BODY_LIMIT_BYTES = 64 * 1024;

  /** Attempts in all when another writer changed the inmate's record at the same time. */
  @IsInt()
  @Min(1)
  @Max(50)
  COMMAND_MAX_ATTEMPTS = 5;

  /** Whether this instance keeps the search read model (turn off on extra instances if wished). */
  @IsIn(['true', 'false'])
  PROJECTION_ENABLED: 'true' | 'false' = 'true';
}
