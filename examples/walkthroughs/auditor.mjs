#!/usr/bin/env node
// Walk-through: the auditor's export of one person's history and its verification offline. The
// auditor takes a person's ledger entries away with their Merkle inclusion proofs and the signed
// checkpoint (custody-audit export), and on a machine with no database and no Kafka checks the
// hashes, the proofs, the person's chain and the checkpoint's signature against the ledger's public
// key as the ministry published it (custody-audit verify --file). Run against a running stack
// (`npm run dev`): `node examples/walkthroughs/auditor.mjs [inmateId]`; without an inmate id it
// first runs the Belgium → Albania walk-through and takes that person.
//
// The CLI reads the audit service's database: AUDIT_DATABASE_URL (postgres://postgres@127.0.0.1:5432/audit,
// as `npm run dev` makes it) and AUDIT_DATABASE_SCHEMA (audit); it believes only the ledger keys it is
// given: AUDIT_TRUSTED_KEYS, by default the public half `npm run dev` keeps in .infra/audit-trusted-keys.json.
// It checks each entry's event signature with the services' public keys: EVENT_PUBLISHER_KEYS, by
// default .infra/event-publisher-keys.json as `npm run dev` writes it (docs/adr/0013-signed-events.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { belgiumToAlbania } from './belgium-to-albania.mjs';
import { announce, isMain, main, operate, StepFailed, waitFor } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliBin = join(root, 'services', 'audit', 'bin', 'custody-audit.js');

function trustedKeys() {
  if (process.env.AUDIT_TRUSTED_KEYS) return process.env.AUDIT_TRUSTED_KEYS;
  const kept = join(root, '.infra', 'audit-trusted-keys.json');
  if (!existsSync(kept)) throw new StepFailed('the ledger key', `no AUDIT_TRUSTED_KEYS and no ${kept} (npm run dev writes it)`);
  return readFileSync(kept, 'utf8');
}

/** The services' public event-signing keys, as they published them; undefined when none is at hand (signatures then go unchecked). */
function publisherKeys() {
  if (process.env.EVENT_PUBLISHER_KEYS) return process.env.EVENT_PUBLISHER_KEYS;
  const kept = join(root, '.infra', 'event-publisher-keys.json');
  return existsSync(kept) ? readFileSync(kept, 'utf8') : undefined;
}

/** Runs custody-audit with `args`, prints the command and its output; a non-zero exit stops the walk-through. */
function custodyAudit(step, args) {
  announce(step, `custody-audit ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const result = spawnSync(process.execPath, [cliBin, ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  const out = `${result.stdout ?? ''}`.trim();
  if (out) console.log(out.split('\n').map((line) => `   ${line}`).join('\n'));
  if (result.status !== 0) throw new StepFailed(step, `custody-audit exited ${result.status ?? result.signal}: ${`${result.stderr ?? ''}`.trim().split('\n').slice(-5).join(' | ')}`);
  return out;
}

export async function auditor(inmateId = process.argv[2]) {
  const online = [
    '--database-url', process.env.AUDIT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/audit',
    '--schema', process.env.AUDIT_DATABASE_SCHEMA ?? 'audit',
    '--trusted-keys', trustedKeys(),
    '--quiet',
  ];
  const keys = publisherKeys();
  const signatures = keys ? ['--publisher-keys', keys] : [];
  const person = inmateId ?? (await belgiumToAlbania()).inmateId;

  // The ledger hears every service's events: wait until it holds the person's whole case.
  await waitFor("the ledger holds the person's case to its completion", 'audit', `/auditor/inmates/${person}`, (view) => JSON.stringify(view).includes('"TransferCompleted"'), (view) => ({
    inmateId: view.inmateId, events: Array.isArray(view.events) ? view.events.length : undefined,
  }));
  // An operator signs the head now rather than waiting for the next checkpoint (AUDIT_CHECKPOINT_INTERVAL_MS).
  await operate('the ledger signs a checkpoint now', 'audit', '/ledger/checkpoints');

  // The whole ledger, online: hashes, the Merkle root, every signed checkpoint, and each entry's event signature.
  const whole = custodyAudit('the auditor verifies the whole ledger', [...online, 'verify', ...signatures]);
  if (!whole.includes('INTACT')) throw new StepFailed('the auditor verifies the whole ledger', 'no INTACT in the report');
  if (keys && !whole.includes('SIGNED:')) throw new StepFailed('the auditor verifies the whole ledger', 'no SIGNED in the report');

  // The export: the person's entries with their inclusion proofs; the read is recorded in the access log.
  const dir = mkdtempSync(join(tmpdir(), 'custody-audit-'));
  const file = join(dir, 'person.ndjson');
  const checkpointFile = join(dir, 'checkpoint.json');
  custodyAudit("the auditor exports the person's history", [
    ...online, ...signatures, 'export', person, '--out', file, '--purpose', 'request of the Ombudsman of Albania', '--recipient', 'Ombudsman of Albania', '--actor', 'auditor.walkthrough',
  ]);
  custodyAudit('the checkpoint the export is proven against', [...online, 'checkpoint', '--from-export', file, '--out', checkpointFile]);
  const { checkpoint } = JSON.parse(readFileSync(checkpointFile, 'utf8'));
  // The ledger's public key as the ministry published it (never one found beside the export).
  const published = JSON.parse(trustedKeys()).find((key) => key.keyId === checkpoint.keyId);
  if (!published) throw new StepFailed('the ledger key', `no trusted key ${checkpoint.keyId}`);
  const keyFile = join(dir, 'ledger-key.pem');
  writeFileSync(keyFile, published.publicKeyPem ?? readFileSync(published.keyFile, 'utf8'));

  // Offline: no database (an address nothing answers at), no Kafka, no key but the published one.
  const offline = ['--database-url', 'postgres://nobody@127.0.0.1:1/none', '--trusted-keys', '[]', '--quiet'];
  const verified = custodyAudit('the export verified offline', [...offline, 'verify', '--file', file, '--checkpoint', checkpointFile, '--public-key', `${checkpoint.keyId}=${keyFile}`, ...signatures]);
  if (!verified.includes('INTACT') || !verified.includes('COMPLETE:')) throw new StepFailed('the export verified offline', 'the report says neither INTACT nor COMPLETE');
  if (keys && !verified.includes('SIGNED:')) throw new StepFailed('the export verified offline', 'the report does not say SIGNED');
  const timeline = custodyAudit('the timeline replayed offline from the export', [...offline, 'timeline', '--file', file]);

  return {
    inmateId: person, exportFile: file, checkpointId: checkpoint.checkpointId,
    verdict: verified.split('\n').find((line) => line.startsWith('INTACT')), completeness: verified.split('\n').find((line) => line.startsWith('COMPLETE')),
    signatures: verified.split('\n').find((line) => line.startsWith('SIGNED') || line.startsWith('SIGNATURES') || line.startsWith('Event signatures')),
    timelineLines: timeline.split('\n').length,
  };
}

if (isMain(import.meta.url)) main("The auditor's export and offline verification", () => auditor());
