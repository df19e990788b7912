import { IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

/** The audit service's configuration, read from environment variables at start-up. */
export class AuditConfig {
  /** HTTP port. */
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3104;

  @IsString()
  @MinLength(1)
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

  /** The schema holding the ledger, the service's own events and its read models. */
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { message: 'DATABASE_SCHEMA must be a plain identifier' })
  DATABASE_SCHEMA = 'audit';

  /** Comma-separated host:port list. */
  @IsString()
  @MinLength(1)
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsString()
  @MinLength(1)
  KAFKA_CLIENT_ID = 'audit';

  /** Put before every topic name (one environment, or one test run, per prefix). */
  @IsString()
  KAFKA_TOPIC_PREFIX = '';

  @IsInt()
  @Min(1)
  @Max(1000)
  KAFKA_PARTITIONS = 6;

  @IsInt()
  @Min(1)
  @Max(10)
  KAFKA_REPLICATION_FACTOR = 1;

  /** The consumer group that reads every events topic into the ledger. */
  @IsString()
  @MinLength(1)
  KAFKA_GROUP_ID = 'audit-ledger';

  /** Most entries the chainer links in one transaction. */
  @IsInt()
  @Min(1)
  @Max(100000)
  LEDGER_CHAIN_BATCH = 2000;

  /** How often the chainer looks for unchained entries when idle. */
  @IsInt()
  @Min(5)
  @Max(60000)
  LEDGER_CHAIN_INTERVAL_MS = 100;

  /**
   * The Ed25519 private key that signs checkpoints: PEM (newlines may be written `\n`), or base64
   * of the PEM or of the PKCS#8 DER. Without it, no checkpoint is signed (a warning says so).
   */
  @IsString()
  @MaxLength(10000)
  AUDIT_SIGNING_KEY = '';

  /** The id published with each signature, so that verifiers pick the right public key. */
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  AUDIT_SIGNING_KEY_ID = 'audit-ledger-1';

  /** How often the head is signed (only when the ledger grew). */
  @IsInt()
  @Min(100)
  AUDIT_CHECKPOINT_INTERVAL_MS = 60000;

  /**
   * Rule 10's grace period: how long a gap or an overlap between custodians may last before it
   * is a finding (messages of the two sides of a hand-over may still be in flight).
   */
  @IsInt()
  @Min(0)
  INVARIANT_GRACE_PERIOD_MS = 15 * 60 * 1000;

  /** How often the service looks for people and facilities due for an invariant check. */
  @IsInt()
  @Min(5)
  @Max(600000)
  INVARIANT_CHECK_INTERVAL_MS = 500;
}
