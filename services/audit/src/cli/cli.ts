import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isInstant } from '@custody/contracts';
import { PostgresEventStore } from '@custody/event-store';
import { parsePublisherKeys, type PublisherKey } from '@custody/security';
import { Pool } from 'pg';
import { AuditLedger, type HistoryReport } from '../ledger/audit-ledger';
import { loadPublicKey, parseTrustedKeys, type Checkpoint } from '../ledger/checkpoint';
import { LedgerRepository } from '../ledger/ledger.repository';
import { namedKeyIds } from '../ledger/event-signatures';
import { formatExport, parseExport, timelineOfExport, verifyExport } from '../ledger/offline';
import { FindingsRepository } from '../findings/findings.repository';
import { rebuildFindings, stateDigest } from '../findings/state-digest';
import { cliAccess, recordCliDisclosure, type CliAccess, type CliAccessOptions } from './cli-access';
import { digestText, exportVerificationText, findingsTable, historyText, timelineTable, verifyText } from './describe';

/** What the CLI touches of the outside world (tests give their own). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether progress may redraw one line (a terminal) or prints a line now and then. */
  isInteractive?: boolean;
}

/** A request the CLI cannot carry out as asked: the message says what to give instead. */
class UsageError extends Error {}

/** Exit codes: 0 done (verify: intact and complete), 1 verify found a break, a history that misses events or an event signature that does not hold, 2 usage or operational error. */
export const EXIT = { ok: 0, broken: 1, error: 2 } as const;

/** The audit service's database as `npm run dev` creates it (one database per service on the local server). */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/audit';

/**
 * What to say when the database could not be read: PostgreSQL's own message, and, when the ledger
 * is not where the CLI looked (no such database, schema or table), which database and schema it
 * looked in and how to name the right ones.
 */
export function explainDatabaseError(error: Error & { code?: string }, databaseUrl: string, schema: string): string {
  // 3D000 invalid_catalog_name (no such database), 42P01 undefined_table, 3F000 invalid_schema_name.
  if (error.code !== '3D000' && error.code !== '42P01' && error.code !== '3F000') return error.message;
  let where = databaseUrl;
  try {
    const url = new URL(databaseUrl);
    where = `database ${decodeURIComponent(url.pathname.slice(1)) || '(default)'} on ${url.host}`;
  } catch {
    // not a URL: named as given (PostgreSQL took it as a connection string)
  }
  return (
    `${error.message}: no audit ledger in schema ${schema} of ${where}. ` +
    'Name the audit service\'s database with --database-url (or DATABASE_URL) and its schema with --schema (or DATABASE_SCHEMA); ' +
    `npm run dev keeps it in ${DEFAULT_DATABASE_URL}, schema audit.`
  );
}

const instant = (name: string) => (value: string) => {
  if (!isInstant(value)) throw new InvalidArgumentError(`${name} must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00Z`);
  return value;
};
const position = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a position (0, 1, 2, ...)');
  return Number(value);
};

function progress(io: CliIo, quiet: boolean) {
  let last = 0;
  return (label: string, done: number, total: number) => {
    if (quiet) return;
    const now = Date.now();
    if (done < total && now - last < (io.isInteractive ? 200 : 2_000)) return;
    last = now;
    const count = total > 0 ? `${done}/${total} (${Math.floor((100 * done) / total)}%)` : String(done);
    io.stderr(io.isInteractive ? `\r${label}: ${count}   ${done >= total ? '\n' : ''}` : `${label}: ${count}\n`);
  };
}

async function readCheckpointFile(path: string): Promise<{ checkpoint: Checkpoint; publicKey?: string }> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as Checkpoint | { checkpoint: Checkpoint; publicKey?: string };
  return 'checkpoint' in parsed ? parsed : { checkpoint: parsed };
}

/** The custody-audit program. `run` returns the exit code instead of exiting. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  let pool: Pool | undefined;
  let store: PostgresEventStore | undefined;
  const program = new Command('custody-audit');

  /**
   * The keys whose checkpoints the auditor believes: AUDIT_TRUSTED_KEYS (--trusted-keys) and each
   * --public-key file, all from outside the ledger's database, never the keys recorded beside it.
   */
  const trustedKeys = async (publicKeyFiles: string[] = []): Promise<Map<string, KeyObject>> => {
    const keys = parseTrustedKeys(program.opts<{ trustedKeys: string }>().trustedKeys, (path) => readFileSync(path, 'utf8'));
    for (const spec of publicKeyFiles) {
      const at = spec.indexOf('=');
      if (at <= 0) throw new UsageError(`--public-key ${spec}: give it as <keyId>=<file> (the key id the checkpoints name)`);
      keys.set(spec.slice(0, at), loadPublicKey(await readFile(spec.slice(at + 1), 'utf8')));
    }
    return keys;
  };

  /**
   * The publishers' public keys that the entries' event signatures are checked with
   * (EVENT_PUBLISHER_KEYS, --publisher-keys): from the auditor, never from the ledger's database.
   */
  const publisherKeys = (): PublisherKey[] => {
    try {
      return parsePublisherKeys(program.opts<{ publisherKeys: string }>().publisherKeys);
    } catch (error) {
      throw new UsageError(`--publisher-keys (EVENT_PUBLISHER_KEYS): ${(error as Error).message}`);
    }
  };

  const online = async (publicKeyFiles: string[] = []): Promise<AuditLedger> => {
    const options = program.opts<{ databaseUrl: string; schema: string }>();
    const trusted = await trustedKeys(publicKeyFiles);
    const publishers = publisherKeys();
    pool = new Pool({ connectionString: options.databaseUrl, max: 2 });
    store = new PostgresEventStore({ connection: pool, schema: options.schema });
    return new AuditLedger(new LedgerRepository(pool, options.schema), store, trusted, undefined, publishers);
  };

  /**
   * A read of personal data from the audit database (a person's timeline or export, findings that
   * name persons) is recorded in the service's access log like one over HTTP (Directive (EU)
   * 2016/680 Art 25): the purpose is required and checked first; the entry is appended after the
   * read and before anything is shown. Offline reads of an export file touch no database.
   */
  const disclosed = (access: CliAccess, kind: string, command: string, personIds: string[]) =>
    recordCliDisclosure(pool!, program.opts<{ schema: string }>().schema, access, { kind, command, personIds });
  const withAccessOptions = (command: Command) =>
    command
      .addOption(new Option('--purpose <text>', 'why you read this personal data (a case reference, a task); required online, recorded in the access log').env('ACCESS_PURPOSE'))
      .addOption(new Option('--recipient <name>', 'who the data goes to, when not yourself (access log)').env('ACCESS_RECIPIENT'))
      .addOption(new Option('--actor <name>', 'who reads, as the access log records it (default: your user name)').env('CUSTODY_AUDIT_ACTOR'));

  program
    .description('Replay, verify and export the custody ledger: online against the audit database, or offline from an export file.')
    .addOption(new Option('--database-url <url>', 'PostgreSQL of the audit service').env('DATABASE_URL').default(DEFAULT_DATABASE_URL))
    .addOption(new Option('--schema <name>', 'schema of the audit service').env('DATABASE_SCHEMA').default('audit'))
    .addOption(
      new Option('--trusted-keys <json>', 'the ledger\'s public keys you trust, as the ministry published them: a JSON array of { "keyId", "publicKeyPem" } or { "keyId", "keyFile" }')
        .env('AUDIT_TRUSTED_KEYS')
        .default('[]'),
    )
    .addOption(
      new Option('--publisher-keys <json>', 'the services\' public event-signing keys, as they published them: a JSON array of { "service", "publicKeyPem" } or { "service", "keyFile" } (and "kid" when not the default); verify checks each entry\'s event signature with them')
        .env('EVENT_PUBLISHER_KEYS')
        .default('[]'),
    )
    .option('-q, --quiet', 'no progress on standard error', false)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    .exitOverride();

  withAccessOptions(program
    .command('timeline'))
    .description("A person's custody: who was responsible, where, under whose law, from when to when, and the evidence events.")
    .argument('[inmateId]', 'the person (online)')
    .option('--as-of <instant>', 'the world as it was at this instant (events by occurredAt)', instant('--as-of'))
    .option('--known-at <instant>', 'the record as it stood at this instant (events by recordedAt)', instant('--known-at'))
    .option('--file <export>', 'replay an export file offline (no database, no Kafka)')
    .addOption(new Option('--format <format>', 'table for people, json for machines').choices(['table', 'json']).default('table'))
    .addHelpText('after', '\nExamples:\n  custody-audit timeline 3f1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e01 --known-at 2026-05-05T00:00:00Z --purpose "case BE-AL-2026-0042"\n  custody-audit timeline --file hoxha.ndjson --as-of 2026-05-01T12:00:00Z --format json\n')
    .action(async (inmateId: string | undefined, options: { asOf?: string; knownAt?: string; file?: string; format: string } & CliAccessOptions) => {
      const window = { asOf: options.asOf, knownAt: options.knownAt };
      let timeline;
      if (options.file) {
        timeline = timelineOfExport(await readFile(options.file, 'utf8'), window);
        if (inmateId && inmateId !== timeline.inmateId) throw new UsageError(`the export is about ${timeline.inmateId}, not ${inmateId}`);
      } else {
        if (!inmateId) throw new UsageError('name the person (inmateId), or give --file');
        const access = cliAccess(options);
        timeline = await (await online()).timeline(inmateId, window);
        await disclosed(access, 'custody-timeline', 'timeline', [timeline.inmateId]);
      }
      io.stdout(options.format === 'json' ? JSON.stringify(timeline, null, 2) + '\n' : timelineTable(timeline));
    });

  withAccessOptions(program
    .command('verify'))
    .description('Recompute the ledger (or an export offline) and report the first broken entry, and whether every history is complete (no revision of a stream missing); exit code 0 only when intact and complete.')
    .option('--from-position <n>', 'start at this position, trusting the hash before it (online)', position)
    .option('--file <export>', 'verify an export file offline, with --checkpoint')
    .option('--checkpoint <file>', 'a signed checkpoint you kept (JSON, as `checkpoint --out` writes it, or a LedgerCheckpointSigned payload from custody.audit.checkpoints): offline, the one the export is verified against; online, compared with the ledger too')
    .option('--public-key <keyId=file>', "a public key of the ledger (Ed25519, PEM) obtained from the ministry, trusted for checkpoints naming keyId; repeatable (or AUDIT_TRUSTED_KEYS)", (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--inmate <inmateId>', "report this person's history, complete or not (online; repeatable; a read of personal data: give --purpose)", (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--people', "report every person's history, complete or not (online; a read of personal data: give --purpose)")
    .addOption(new Option('--format <format>', 'table for people, json for machines').choices(['table', 'json']).default('table'))
    .addHelpText('after', '\nCheckpoints are believed only when a key you trust (--public-key, AUDIT_TRUSTED_KEYS) signed them, never a key found in the ledger\'s database or in a file beside the export.\n\n' +
      'Each entry\'s event signature is checked with the services\' public keys (--publisher-keys, EVENT_PUBLISHER_KEYS; offline, the keys the export carries for the key ids you do not give): an entry whose signature does not hold is listed by position, and verify exits 1; entries without a signature (recorded before the ledger kept them) are counted.\n\n' +
      'A history is complete when no revision of its streams is missing: every event names the revision of its stream\'s previous published event, and the ledger holds it (docs/architecture.md, "Completeness"). ' +
      'Without --inmate or --people, people are counted, not named.\n\nExit codes: 0 intact and complete, every event signature checked holding, 1 broken, incomplete or an event signature that does not hold, 2 could not verify.\n\nExamples:\n  custody-audit verify --public-key audit-ledger-1=ledger-key.pem\n  custody-audit verify --people --purpose "quarterly ledger audit"\n  custody-audit verify --checkpoint kept-checkpoint.json --public-key audit-ledger-1=ledger-key.pem\n  custody-audit verify --file hoxha.ndjson --checkpoint checkpoint.json --public-key audit-ledger-1=ledger-key.pem\n')
    .action(async (options: { fromPosition?: number; file?: string; checkpoint?: string; publicKey: string[]; inmate: string[]; people?: boolean; format: string } & CliAccessOptions) => {
      const quiet = program.opts<{ quiet: boolean }>().quiet;
      const kept = options.checkpoint ? (await readCheckpointFile(options.checkpoint)).checkpoint : undefined;
      if (options.file) {
        if (!kept) throw new UsageError('--file needs --checkpoint: the signed checkpoint to verify against');
        const key = (await trustedKeys(options.publicKey)).get(kept.keyId);
        if (!key) throw new UsageError(`no trusted key ${kept.keyId}: give --public-key ${kept.keyId}=<file> with the key the ministry published (or AUDIT_TRUSTED_KEYS)`);
        const result = verifyExport(await readFile(options.file, 'utf8'), kept, key, { publisherKeys: publisherKeys() });
        io.stdout(options.format === 'json' ? JSON.stringify(result, null, 2) + '\n' : exportVerificationText(result));
        exitCode = result.isIntact && result.history?.isComplete !== false ? EXIT.ok : EXIT.broken;
        return;
      }
      const naming = options.people || options.inmate.length > 0;
      // Naming people is a read of personal data: the purpose is checked before anything is read.
      const access = naming ? cliAccess(options) : undefined;
      const show = progress(io, quiet);
      const ledger = await online(options.publicKey);
      const report = await ledger.verify({ fromPosition: options.fromPosition, kept: kept ? [kept] : [], onProgress: (checked, total) => show('verified', checked, total) });
      let history: HistoryReport | undefined;
      try {
        history = await ledger.history(options.people ? 'all' : options.inmate.length > 0 ? options.inmate : undefined);
      } catch (error) {
        // A broken ledger may hold a body that is no JSON any more: the break is the answer then.
        if (report.isIntact) throw error;
        io.stderr(`completeness not checked: ${(error as Error).message}\n`);
      }
      if (access && history) await disclosed(access, 'history-completeness', 'verify', (history.persons ?? []).map((p) => p.subject.slice('inmate/'.length)));
      io.stdout(options.format === 'json' ? JSON.stringify({ ...report, history }, null, 2) + '\n' : verifyText(report) + (history ? historyText(history) : 'Completeness not checked: the ledger is broken.\n'));
      exitCode = report.isIntact && report.invalidCheckpoints.length === 0 && history?.isComplete && !report.signatures?.invalid ? EXIT.ok : EXIT.broken;
    });

  withAccessOptions(program
    .command('export'))
    .description("Write a person's ledger entries with their Merkle inclusion proofs and the signed checkpoint, as NDJSON, for offline verification; with the publishers' public keys (--publisher-keys) that their event signatures name.")
    .argument('<inmateId>', 'the person')
    .requiredOption('--out <file>', 'the NDJSON file to write')
    .addHelpText('after', '\nExample:\n  custody-audit export 3f1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e01 --out hoxha.ndjson --purpose "request of the Albanian ombudsman" --recipient "Ombudsman of Albania"\n')
    .action(async (inmateId: string, options: { out: string } & CliAccessOptions) => {
      const access = cliAccess(options);
      const show = progress(io, program.opts<{ quiet: boolean }>().quiet);
      const { header, entries } = await (await online()).export(inmateId, (stage, done, total) => show(stage, done, total));
      await disclosed(access, 'ledger-export', 'export', [inmateId.toLowerCase()]);
      await writeFile(options.out, formatExport(header, entries));
      io.stdout(`${entries.length} entries of ${inmateId} written to ${options.out}, with proofs to checkpoint ${header.checkpoint.checkpointId} (${header.checkpoint.entryCount} entries).\n`);
      // The export carries the publishers' keys the auditor gave; a key an entry's signature names and nobody gave is said.
      const carried = new Set((header.publisherKeys ?? []).map((key) => key.kid));
      const absent = namedKeyIds(entries).filter((kid) => !carried.has(kid));
      if (absent.length > 0) io.stdout(`The export carries no public key for ${absent.join(', ')}, which signed entries: give the services' keys with --publisher-keys (EVENT_PUBLISHER_KEYS).\n`);
    });

  program
    .command('checkpoint')
    .description('Show the latest signed checkpoint of the ledger and the public key that signed it.')
    .option('--out <file>', 'also write it as JSON, for `verify --checkpoint`')
    .option('--from-export <file>', 'take the checkpoint from an export file instead of the database')
    .action(async (options: { out?: string; fromExport?: string }) => {
      let value: { checkpoint: Checkpoint; publicKey?: string };
      if (options.fromExport) {
        const { header } = parseExport(await readFile(options.fromExport, 'utf8'));
        value = { checkpoint: header.checkpoint, publicKey: header.publicKey };
      } else {
        const ledger = await online();
        const { valid } = await ledger.checkpoints();
        const checkpoint = valid[valid.length - 1];
        if (!checkpoint) throw new UsageError('no checkpoint signed by a trusted key (AUDIT_TRUSTED_KEYS) yet');
        value = { checkpoint, publicKey: ledger.trustedKeyPem(checkpoint.keyId) };
      }
      const text = JSON.stringify(value, null, 2) + '\n';
      if (options.out) await writeFile(options.out, text);
      io.stdout(text);
    });

  const connect = () => {
    const options = program.opts<{ databaseUrl: string; schema: string }>();
    pool = new Pool({ connectionString: options.databaseUrl, max: 2 });
    store = new PostgresEventStore({ connection: pool, schema: options.schema });
    return { pool, store, schema: options.schema };
  };

  program
    .command('rebuild')
    .description("Rebuild the findings read model from position 0 of the audit service's event store, then print the digest of the resulting state (open findings and every person's timeline). Two rebuilds, and the live state, give the same digest.")
    .option('--live', 'do not rebuild: digest the state as it stands')
    .addOption(new Option('--format <format>', 'table for people, json for machines').choices(['table', 'json']).default('table'))
    .addHelpText('after', '\nExamples:\n  custody-audit rebuild\n  custody-audit rebuild --live --format json\n')
    .action(async (options: { live?: boolean; format: string }) => {
      const show = progress(io, program.opts<{ quiet: boolean }>().quiet);
      const { pool: db, store: events, schema } = connect();
      const onProgress = (stage: string, done: number) => show(stage, done, 0);
      const digest = options.live
        ? await stateDigest(db, schema, new FindingsRepository(db, schema), (people) => onProgress('timelines digested', people))
        : await rebuildFindings(db, events, schema, onProgress);
      io.stdout(options.format === 'json' ? JSON.stringify(digest, null, 2) + '\n' : digestText(digest, !options.live));
    });

  withAccessOptions(program
    .command('findings'))
    .description('List the findings of the invariant checks (open and resolved), newest first.')
    .option('--inmate <inmateId>', 'only this person')
    .option('--facility <facilityId>', 'only this facility')
    .option('--topic <topic>', 'only the topic-level findings of this topic (messages refused off it that named no person or facility), e.g. custody.transfer.events')
    .addOption(new Option('--status <status>', 'only open or only resolved findings').choices(['open', 'resolved']))
    .addOption(new Option('--format <format>', 'table for people, json for machines').choices(['table', 'json']).default('table'))
    .action(async (options: { inmate?: string; facility?: string; topic?: string; status?: 'open' | 'resolved'; format: string } & CliAccessOptions) => {
      const access = cliAccess(options);
      const { pool: db, schema } = connect();
      const findings = await new FindingsRepository(db, schema).list({ inmateId: options.inmate, facilityId: options.facility, topic: options.topic, status: options.status });
      await disclosed(access, 'findings', 'findings', findings.map((f) => f.inmateId).filter((id): id is string => typeof id === 'string'));
      io.stdout(options.format === 'json' ? JSON.stringify(findings, null, 2) + '\n' : findingsTable(findings));
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.error;
    } else {
      const { databaseUrl, schema } = program.opts<{ databaseUrl: string; schema: string }>();
      const message = error instanceof UsageError ? error.message : explainDatabaseError(error as Error & { code?: string }, databaseUrl, schema);
      io.stderr(`custody-audit: ${message}\n`);
      exitCode = EXIT.error;
    }
  } finally {
    await store?.close();
    await pool?.end();
  }
  return exitCode;
}
