import type { INestApplication } from '@nestjs/common';
import { createServiceApp } from '@custody/platform';
import { AppModule } from './app.module';
import type { AuditConfig } from './config';

/** The audit application, as main.ts starts it and the tests boot it. */
export function createApp(config: AuditConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const schema = `"${config.DATABASE_SCHEMA}"`;
  return createServiceApp('audit', config, AppModule.forConfig(config), {
    ...options,
    databaseGauges: [
      { name: 'custody_audit_findings_open', help: 'Invariant findings raised and not resolved', sql: `SELECT count(*)::int AS value FROM ${schema}.findings WHERE status = 'open'` },
      { name: 'custody_ledger_size', help: 'Entries chained in the audit ledger', sql: `SELECT size AS value FROM ${schema}.ledger_head` },
      {
        name: 'custody_audit_event_id_conflicts',
        help: 'Events the ledger received under an id it already held with other content (kept aside in ledger_id_conflicts, each an EVENT_ID_CONFLICT finding of invariant event-ids-unique); any is an alarm',
        sql: `SELECT count(*)::int AS value FROM ${schema}.ledger_id_conflicts`,
      },
      {
        name: 'custody_audit_event_signatures_refused',
        help: 'Events of the ledger\'s topics refused for their signature (EVENT_SIGNATURE_INVALID, kept in ledger_signature_refusals, each an event-signatures-valid finding of the person or facility it names); any is an alarm',
        sql: `SELECT count(*)::int AS value FROM ${schema}.ledger_signature_refusals`,
      },
      {
        name: 'custody_ledger_verified_intact',
        help: 'The latest whole-chain verification of the ledger (ledger_verifications): 1 intact, 0 broken; no sample before the first (docs/adr/0020-background-ledger-verification.md)',
        sql: `SELECT is_intact::int AS value FROM ${schema}.ledger_verifications ORDER BY id DESC LIMIT 1`,
      },
      {
        name: 'custody_ledger_verified_age_seconds',
        help: 'Seconds since the latest whole-chain verification of the ledger ended (AUDIT_VERIFY_INTERVAL_MS apart when the background verification runs)',
        sql: `SELECT extract(epoch FROM now() - verified_at)::float8 AS value FROM ${schema}.ledger_verifications ORDER BY id DESC LIMIT 1`,
      },
      {
        name: 'custody_audit_events_missing',
        help: 'Open EVENT_MISSING findings (invariant history-complete): revisions of recorded streams that never reached the ledger',
        sql: `SELECT count(*)::int AS value FROM ${schema}.findings WHERE status = 'open' AND invariant = 'history-complete'`,
      },
    ],
  });
}
