import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '@custody/testing';
import { AuditLedger } from '../ledger/audit-ledger';
import { CheckpointService } from '../ledger/checkpoint.service';
import { belgiumToAlbania } from '../testing/history';
import { startTestAudit, type TestAudit } from '../testing/test-app';
import { run } from './cli';

const PURPOSE = ['--purpose', 'CLI test', '--actor', 'cli-test'];

describe('custody-audit against the audit database, and offline', () => {
  let audit: TestAudit;
  let dir: string;
  const person = belgiumToAlbania();
  person.add('AbsenceStarted', '2026-05-01T08:00:00Z', { kind: 'hospital', destination: 'Regional Hospital', authority: { state: 'AL', organisation: 'Hospital guard' } }, '2026-05-10T12:00:00Z');
  person.add('AbsenceEnded', '2026-05-02T16:00:00Z', {}, '2026-05-10T12:00:01Z');
  const others = [belgiumToAlbania(), belgiumToAlbania()];

  async function cli(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const online = [
      '--database-url', audit.config.DATABASE_URL, '--schema', audit.config.DATABASE_SCHEMA,
      '--trusted-keys', JSON.stringify([{ keyId: audit.config.AUDIT_SIGNING_KEY_ID, publicKeyPem: audit.publicKeyPem }]),
    ];
    const code = await run([...online, ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    audit = await startTestAudit('audit_cli');
    dir = await mkdtemp(join(tmpdir(), 'custody-audit-'));
    await audit.publish([...others[0].events, ...person.events, ...others[1].events]);
    const total = person.events.length + others[0].events.length + others[1].events.length;
    const ledger = audit.app.get(AuditLedger);
    await eventually(async () => ((await ledger.repository.head()).size === total ? true : undefined), { timeoutMs: 90_000, message: 'the ledger chained' });
    await audit.app.get(CheckpointService).signIfGrown();
    await writeFile(join(dir, 'ledger-key.pem'), audit.publicKeyPem);
  });

  afterAll(async () => {
    await audit?.close();
  });

  it('prints a timeline as a table, and as JSON equal to the HTTP answer', async () => {
    const table = await cli('timeline', person.inmateId, ...PURPOSE);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/FROM\s+TO\s+CUSTODIAN\s+PLACE\s+LAW\s+EVIDENCE/);
    expect(table.stdout).toContain('hospital absence: Regional Hospital');
    const json = await cli('timeline', person.inmateId, '--known-at', '2026-05-05T00:00:00Z', '--format', 'json', ...PURPOSE);
    const expected = await audit.app.get(AuditLedger).timeline(person.inmateId, { knownAt: '2026-05-05T00:00:00Z' });
    expect(JSON.parse(json.stdout)).toEqual(expected);
  });

  it('verifies the ledger (exit 0) and reports a tampered entry (exit 1)', async () => {
    const intact = await cli('verify');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain('INTACT');
    const table = `"${audit.schema.schema}".ledger`;
    const { rows } = await audit.schema.pool.query(`SELECT body, event_id FROM ${table} WHERE position = 7`);
    await audit.schema.pool.query(`UPDATE ${table} SET body = replace(body, 'Haren', 'Harem') WHERE position = 7`);
    await audit.schema.pool.query(`UPDATE ${table} SET body = body || ' ' WHERE position = 7 AND body = $1`, [rows[0].body]);
    try {
      const broken = await cli('verify', '--format', 'json');
      expect(broken.code).toBe(1);
      expect(JSON.parse(broken.stdout).break).toMatchObject({ position: 7, eventId: rows[0].event_id, kind: 'hash-mismatch' });
      expect((await cli('verify', '--from-position', '8')).code).toBe(0);
    } finally {
      await audit.schema.pool.query(`UPDATE ${table} SET body = $1 WHERE position = 7`, [rows[0].body]);
    }
  });

  it('exports a person; offline replay equals the online timeline; offline verify passes, and fails on a tampered file', async () => {
    const file = join(dir, 'person.ndjson');
    const checkpointFile = join(dir, 'checkpoint.json');
    const exported = await cli('export', person.inmateId, '--out', file, ...PURPOSE);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`${person.events.length} entries of ${person.inmateId}`);
    expect((await cli('checkpoint', '--out', checkpointFile)).code).toBe(0);

    // Offline: no database options at all.
    const offline = async (...argv: string[]) => {
      let stdout = '';
      const code = await run(['--database-url', 'postgres://nobody@127.0.0.1:1/none', ...argv], { stdout: (t) => (stdout += t), stderr: () => undefined });
      return { code, stdout };
    };
    for (const window of [[], ['--as-of', '2026-05-01T12:00:00Z'], ['--known-at', '2026-05-05T00:00:00Z']]) {
      const replayed = await offline('timeline', '--file', file, '--format', 'json', ...window);
      const live = await cli('timeline', person.inmateId, '--format', 'json', ...window, ...PURPOSE);
      expect(replayed.code).toBe(0);
      expect(JSON.parse(replayed.stdout)).toEqual(JSON.parse(live.stdout));
    }
    const verified = await offline('verify', '--file', file, '--checkpoint', checkpointFile, '--public-key', `${audit.config.AUDIT_SIGNING_KEY_ID}=${join(dir, 'ledger-key.pem')}`);
    expect(verified).toMatchObject({ code: 0, stdout: expect.stringContaining('INTACT') });

    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const tampered = join(dir, 'tampered.ndjson');
    const at = lines.findIndex((line) => line.includes('Regional Hospital'));
    await writeFile(tampered, lines.map((line, i) => (i === at ? line.replace('Regional Hospital', 'Regional Hospita1') : line)).join('\n') + '\n');
    const caught = await offline('verify', '--file', tampered, '--checkpoint', checkpointFile, '--public-key', `${audit.config.AUDIT_SIGNING_KEY_ID}=${join(dir, 'ledger-key.pem')}`, '--format', 'json');
    expect(caught.code).toBe(1);
    expect(JSON.parse(caught.stdout).problems[0]).toMatchObject({ line: at + 1, problem: 'the content does not give the recorded hash' });
  });

  it('records every online read of personal data in the access log with its purpose, and reads nothing without one', async () => {
    const entriesOf = async (inmateId: string) =>
      (await audit.schema.pool.query(`SELECT subject, purpose, recipient, method, route, kind, person_ids, jurisdictions FROM "${audit.schema.schema}".access_log WHERE $1 = ANY (person_ids) ORDER BY position`, [inmateId])).rows;
    const other = others[0].inmateId;
    const before = (await entriesOf(other)).length;

    const refused = await cli('timeline', other);
    expect(refused).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('--purpose: state the purpose of this read of personal data') });
    const tooLong = await cli('export', other, '--out', join(dir, 'never.ndjson'), '--purpose', 'x'.repeat(501));
    expect(tooLong).toMatchObject({ code: 2, stderr: expect.stringContaining('--purpose: the purpose takes 501 characters') });
    await expect(readFile(join(dir, 'never.ndjson'))).rejects.toThrow(/ENOENT/);
    expect(await entriesOf(other)).toHaveLength(before);

    expect((await cli('timeline', other, '--purpose', 'case BE-AL-2026-0042', '--actor', 'auditor.peeters')).code).toBe(0);
    expect((await cli('export', other, '--out', join(dir, 'other.ndjson'), '--purpose', 'ombudsman request', '--recipient', 'Ombudsman of Albania', '--actor', 'auditor.peeters')).code).toBe(0);
    const entries = (await entriesOf(other)).slice(before);
    expect(entries).toEqual([
      { subject: 'cli:auditor.peeters', purpose: 'case BE-AL-2026-0042', recipient: 'auditor.peeters', method: 'CLI', route: 'custody-audit timeline', kind: 'custody-timeline', person_ids: [other], jurisdictions: ['BE', 'AL'] },
      { subject: 'cli:auditor.peeters', purpose: 'ombudsman request', recipient: 'Ombudsman of Albania', method: 'CLI', route: 'custody-audit export', kind: 'ledger-export', person_ids: [other], jurisdictions: ['BE', 'AL'] },
    ]);
    // Offline, from an export file: no database, nothing to record, no purpose asked.
    let stdout = '';
    expect(await run(['--database-url', 'postgres://nobody@127.0.0.1:1/none', 'timeline', '--file', join(dir, 'other.ndjson')], { stdout: (t) => (stdout += t), stderr: () => undefined })).toBe(0);
    expect(stdout).toMatch(/CUSTODIAN/);
  });

  it('runs as the workspace bin, through its launcher', async () => {
    const bin = join(__dirname, '..', '..', 'bin', 'custody-audit.js');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'export', '--help']);
    expect(stdout).toContain('Usage: custody-audit export [options] <inmateId>');
  });
});

describe('custody-audit verify: whether each history is complete', () => {
  let audit: TestAudit;
  let dir: string;
  const lawful = belgiumToAlbania();
  // A person whose personal data was erased: the erasures are events of their streams like the others.
  const erased = belgiumToAlbania();
  erased.add('InmateReleased', '2026-09-01T09:00:00Z', { disposition: 'released', deportationOrderReference: undefined, destinationState: undefined, handedTo: undefined });
  erased.add('PersonalDataErased', '2026-12-01T00:00:00Z');
  erased.add('CustodyPersonalDataErased', '2026-12-01T00:00:05Z');
  // Custody's stream of this person reached the ledger with revisions 0, 1 and 3.
  const gappy = belgiumToAlbania();
  gappy.add('AbsenceStarted', '2026-05-01T08:00:00Z', { kind: 'hospital', destination: 'Regional Hospital', authority: { state: 'AL', organisation: 'Hospital guard' } });
  gappy.add('AbsenceEnded', '2026-05-02T16:00:00Z');
  gappy.add('AbsenceStarted', '2026-06-01T08:00:00Z', { kind: 'court', destination: 'Tirana District Court', authority: { state: 'AL', organisation: 'Court police' } });
  const custody = `custody-${gappy.inmateId}`;
  const gappyEvents = gappy.revisioned().filter((e) => !(e.stream === custody && e.streamRevision === 2));
  const afterGap = gappyEvents.find((e) => e.stream === custody && e.streamRevision === 3)!;

  async function cli(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const online = [
      '--database-url', audit.config.DATABASE_URL, '--schema', audit.config.DATABASE_SCHEMA,
      '--trusted-keys', JSON.stringify([{ keyId: audit.config.AUDIT_SIGNING_KEY_ID, publicKeyPem: audit.publicKeyPem }]),
    ];
    const code = await run([...online, '-q', ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  }
  const chained = (size: number) =>
    eventually(async () => ((await audit.app.get(AuditLedger).repository.head()).size === size ? true : undefined), { timeoutMs: 90_000, message: `${size} chained entries` });

  beforeAll(async () => {
    audit = await startTestAudit('audit_cli_history');
    dir = await mkdtemp(join(tmpdir(), 'custody-audit-history-'));
    await writeFile(join(dir, 'ledger-key.pem'), audit.publicKeyPem);
    await audit.publish([...lawful.revisioned(), ...erased.revisioned()]);
    await chained(lawful.events.length + erased.events.length);
  });

  afterAll(async () => {
    await audit?.close();
  });

  it('reports intact and complete for normal histories, an erased person included (exit 0), and each person complete when asked', async () => {
    const verified = await cli('verify');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('INTACT');
    expect(verified.stdout).toContain('COMPLETE: no revision missing from the 6 streams of 2 people and 0 facilities.');
    const people = await cli('verify', '--inmate', lawful.inmateId, '--inmate', erased.inmateId, ...PURPOSE);
    expect(people.code).toBe(0);
    expect(people.stdout).toMatch(new RegExp(`${lawful.inmateId}\\s+6\\s+3\\s+complete`));
    expect(people.stdout).toMatch(new RegExp(`${erased.inmateId}\\s+9\\s+3\\s+complete`));
  });

  it('reports a person whose stream misses a revision as incomplete (exit 1), naming the stream and the revision; by name only with a purpose, recorded in the access log', async () => {
    await audit.publish(gappyEvents);
    await chained(lawful.events.length + erased.events.length + gappyEvents.length);

    const counted = await cli('verify');
    expect(counted.code).toBe(1);
    expect(counted.stdout).toContain('INTACT');
    expect(counted.stdout).toContain('INCOMPLETE: 1 revision missing: the histories of 1 of 3 people and 0 of 0 facilities miss events.');
    expect(counted.stdout).not.toContain(gappy.inmateId);

    expect(await cli('verify', '--people')).toMatchObject({ code: 2, stderr: expect.stringContaining('--purpose') });
    const named = await cli('verify', '--people', ...PURPOSE);
    expect(named.code).toBe(1);
    expect(named.stdout).toMatch(new RegExp(`${gappy.inmateId}\\s+8\\s+3\\s+INCOMPLETE\\s+revision 2 of ${custody} \\(/custody/facility\\), named by revision 3 \\(event ${afterGap.id}\\)`));
    expect(named.stdout).toMatch(new RegExp(`${lawful.inmateId}\\s+6\\s+3\\s+complete`));
    const json = JSON.parse((await cli('verify', '--inmate', gappy.inmateId, '--format', 'json', ...PURPOSE)).stdout);
    expect(json).toMatchObject({ isIntact: true, history: { isComplete: false, incompletePeople: 1, persons: [{ subject: `inmate/${gappy.inmateId}`, isComplete: false }] } });
    expect(json.history.persons[0].missing).toEqual([{ subject: `inmate/${gappy.inmateId}`, source: '/custody/facility', stream: custody, revision: 2, followedBy: { revision: 3, eventId: afterGap.id } }]);
    const { rows } = await audit.schema.pool.query(`SELECT kind, route, person_ids FROM "${audit.schema.schema}".access_log WHERE route = 'custody-audit verify' ORDER BY position`);
    expect(rows.at(-1)).toEqual({ kind: 'history-completeness', route: 'custody-audit verify', person_ids: [gappy.inmateId] });
  });

  it('reports a ledger whose entry is no JSON any more as broken, its completeness not checked (exit 1)', async () => {
    const table = `"${audit.schema.schema}".ledger`;
    const { rows } = await audit.schema.pool.query(`SELECT body FROM ${table} WHERE position = 3`);
    await audit.schema.pool.query(`UPDATE ${table} SET body = left(body, 20) WHERE position = 3`);
    try {
      const broken = await cli('verify');
      expect(broken).toMatchObject({ code: 1, stdout: expect.stringContaining('BROKEN at position 3') });
      expect(broken.stdout).toContain('Completeness not checked: the ledger is broken.');
    } finally {
      await audit.schema.pool.query(`UPDATE ${table} SET body = $1 WHERE position = 3`, [rows[0].body]);
    }
  });

  it('verifies an export offline as intact and incomplete (exit 1), from the revisions its hashes cover', async () => {
    await audit.app.get(CheckpointService).signIfGrown();
    const file = join(dir, 'gappy.ndjson');
    const checkpointFile = join(dir, 'checkpoint.json');
    expect((await cli('export', gappy.inmateId, '--out', file, ...PURPOSE)).code).toBe(0);
    expect((await cli('checkpoint', '--out', checkpointFile)).code).toBe(0);
    const offline = await cli('verify', '--file', file, '--checkpoint', checkpointFile, '--public-key', `${audit.config.AUDIT_SIGNING_KEY_ID}=${join(dir, 'ledger-key.pem')}`);
    expect(offline.code).toBe(1);
    expect(offline.stdout).toContain(`INTACT: ${gappyEvents.length} entries of ${gappy.inmateId}`);
    expect(offline.stdout).toContain(`INCOMPLETE: the person's history misses revision 2 of ${custody} (/custody/facility), named by revision 3 (event ${afterGap.id}).`);
    const lawfulFile = join(dir, 'lawful.ndjson');
    expect((await cli('export', lawful.inmateId, '--out', lawfulFile, ...PURPOSE)).code).toBe(0);
    const complete = await cli('verify', '--file', lawfulFile, '--checkpoint', checkpointFile, '--public-key', `${audit.config.AUDIT_SIGNING_KEY_ID}=${join(dir, 'ledger-key.pem')}`);
    expect(complete).toMatchObject({ code: 0, stdout: expect.stringContaining("COMPLETE: no revision missing from the person's 3 streams in the export.") });
  });
});
