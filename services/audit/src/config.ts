import { IsString, MaxLength, MinLength } from 'class-validator';
import { ServiceConfig } from '@custody/platform';
import { WholeNumber } from '@custody/config';

/** The audit service's configuration, read from environment variables at start-up. */
export class AuditConfig extends ServiceConfig {
  constructor() {
    super({ PORT: 3104, DATABASE_SCHEMA: 'audit', KAFKA_CLIENT_ID: 'audit', KAFKA_GROUP_ID: 'audit-ledger' });
  }

  /** Most entries the chainer links in one transaction. */
  @WholeNumber(1, 100000)
  LEDGER_CHAIN_BATCH = 2000;

  /** How often the chainer looks for unchained entries when idle (the instance's own consumer wakes it at once). */
  @WholeNumber(5, 60000)
  LEDGER_CHAIN_INTERVAL_MS = 100;

  /**
   * The Ed25519 private key that signs checkpoints: PEM (newlines may be written `\n`), or base64
   * of the PEM or of the PKCS#8 DER. Required with AUTH_MODE=on (the service refuses to start
   * without it); in local development (AUTH_MODE=off) no checkpoint is signed without it.
   */
  @IsString()
  @MaxLength(10000)
  AUDIT_SIGNING_KEY = '';

  /**
   * The public keys whose checkpoints the service believes besides its own signing key's: a JSON
   * array of `{ "keyId", "publicKeyPem" }` or `{ "keyId", "keyFile" }` (Ed25519, PEM), e.g. the
   * ledger's earlier keys after a rotation. Never read from the ledger's database.
   */
  @IsString()
  @MaxLength(100000)
  AUDIT_TRUSTED_KEYS = '[]';

  /** The id published with each signature, so that verifiers pick the right public key. */
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  AUDIT_SIGNING_KEY_ID = 'audit-ledger-1';

  /** How often the head is signed (only when the ledger grew). */
  @WholeNumber(100)
  AUDIT_CHECKPOINT_INTERVAL_MS = 60000;

  /**
   * How often the whole chain is verified in the background (one instance at a time), its report
   * recorded for `GET /ledger/verify`; 0: never in the background, the route verifies on each
   * request (docs/adr/0020-background-ledger-verification.md).
   */
  @WholeNumber(0)
  AUDIT_VERIFY_INTERVAL_MS = 15 * 60 * 1000;

  /**
   * Rule 10's grace period: how long a gap or an overlap between custodians may last before it
   * is a finding (messages of the two sides of a hand-over may still be in flight).
   */
  @WholeNumber(0)
  INVARIANT_GRACE_PERIOD_MS = 15 * 60 * 1000;

  /**
   * The services whose access logs a person's access history gathers
   * (`GET /inmates/:id/access-log`), a JSON array of `{ "service": "intake", "url": "http://intake:3000" }`;
   * the audit service's own log is always read. Empty: the history holds the audit service's
   * entries only.
   */
  @IsString()
  @MaxLength(10000)
  ACCESS_LOG_SOURCES = '[]';

  /**
   * How long after a person's or a facility's entries are chained their invariant check runs.
   * Entries of the same subject chained meanwhile join that check: a busy facility or a case in
   * progress is checked about once per delay, not once per batch of the chainer (each check
   * reads the subject's history). Findings wait for their grace period anyway.
   */
  @WholeNumber(0, 600000)
  INVARIANT_CHECK_DELAY_MS = 1000;

  /** How often the service looks for people and facilities due for an invariant check. */
  @WholeNumber(5, 600000)
  INVARIANT_CHECK_INTERVAL_MS = 500;
}
