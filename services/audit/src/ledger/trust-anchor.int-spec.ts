import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { eventually } from '@custody/testing';
import { run } from '../cli/cli';
import { AuditConfig } from '../config';
import { belgiumToAlbania } from '../testing/history';
import { startTestAudit, type TestAudit } from '../testing/test-app';
import { AuditLedger } from './audit-ledger';
import { publicKeyPem, signCheckpoint, type Checkpoint } from './checkpoint';
import { CheckpointService } from './checkpoint.service';
import { CHECKPOINT_STREAM } from './checkpoints';
import { entryHash, type LedgerEntry } from './entry';
import { MerkleFrontier } from './merkle';
import { trustedKeysOf } from './trusted-keys';

/**
 * The ledger's trust anchor lies outside its database. Whoever can write that database can
 * rewrite an entry, chain everything after it again, add a key of their own to
 * ledger_signing_keys and put a checkpoint signed with it in place of the genuine one: the chain
 * and the Merkle root then agree with the forged checkpoint. Verification believes only keys from
 * configuration (or the auditor's command line), so it reports the forgery; and a checkpoint a
 * ministry kept from custody.audit.checkpoints exposes the rewritten entries themselves.
 */
describe('audit: checkpoints are checked against keys from configuration, never from the ledger database', () => {
  let audit: TestAudit;
  let dir: string;
  let genuine: Checkpoint;
  const person = belgiumToAlbania();
  const other = belgiumToAlbania();

  const cli = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const online = ['--database-url', audit.config.DATABASE_URL, '--schema', audit.config.DATABASE_SCHEMA];
    const code = await run([...online, ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    audit = await startTestAudit('trust_anchor');
    dir = await mkdtemp(join(tmpdir(), 'custody-trust-'));
    await audit.publish([...person.events, ...other.events]);
    const ledger = audit.app.get(AuditLedger);
    const total = person.events.length + other.events.length;
    await eventually(async () => ((await ledger.repository.head()).size === total ? true : undefined), { timeoutMs: 90_000, message: 'the ledger chained' });
    genuine = (await audit.app.get(CheckpointService).signIfGrown())!;
    await writeFile(join(dir, 'ledger-key.pem'), audit.publicKeyPem);
    // What a ministry keeps from custody.audit.checkpoints.
    await writeFile(join(dir, 'kept.json'), JSON.stringify(genuine));
  });

  afterAll(async () => {
    await audit?.close();
  });

  it('the genuine ledger verifies, over HTTP and with the CLI given the published key', async () => {
    const verified = await request(audit.app.getHttpServer()).get('/ledger/verify?fromPosition=0').expect(200);
    expect(verified.body).toMatchObject({ isIntact: true, checkpointsMatched: 1, invalidCheckpoints: [] });
    const cliVerified = await cli('verify', '--public-key', `${audit.config.AUDIT_SIGNING_KEY_ID}=${join(dir, 'ledger-key.pem')}`, '--checkpoint', join(dir, 'kept.json'));
    expect(cliVerified).toMatchObject({ code: 0, stdout: expect.stringContaining('INTACT') });
  });

  it('a rewritten, re-chained and re-signed ledger is reported: the forged checkpoint is untrusted, and the kept one no longer matches', async () => {
    const s = `"${audit.schema.schema}"`;
    const db = audit.schema.pool;
    // The rewrite: one entry of the person changed, everything after it chained again.
    const { rows } = await db.query<{ position: string; event_id: string; subject: string; inmate_id: string | null; body: string; prev_hash: string | null; subject_prev_hash: string | null; hash: string }>(
      `SELECT position, event_id, subject, inmate_id, body, prev_hash, subject_prev_hash, hash FROM ${s}.ledger ORDER BY position`,
    );
    const target = rows.findIndex((row) => row.body.includes('Haren'));
    expect(target).toBeGreaterThanOrEqual(0);
    const frontier = new MerkleFrontier();
    const subjectHeads = new Map<string, string>();
    let previous: string | null = null;
    for (const [index, row] of rows.entries()) {
      const entry: Omit<LedgerEntry, 'hash'> = {
        position: Number(row.position), eventId: row.event_id, subject: row.subject, inmateId: row.inmate_id,
        body: index === target ? row.body.replace('Haren', 'Harem') : row.body,
        prevHash: previous, subjectPrevHash: subjectHeads.get(row.subject) ?? null,
      };
      const hash = entryHash(entry);
      await db.query(`UPDATE ${s}.ledger SET body = $2, prev_hash = $3, subject_prev_hash = $4, hash = $5 WHERE position = $1`, [entry.position, entry.body, entry.prevHash, entry.subjectPrevHash, hash]);
      subjectHeads.set(row.subject, hash);
      previous = hash;
      frontier.append(hash);
    }
    await db.query(`UPDATE ${s}.ledger_head SET head_hash = $1, frontier = $2`, [previous, JSON.stringify(frontier.toJson())]);
    // The re-signing: a key of the rewriter's beside the ledger, and its checkpoint in place of the genuine one.
    const rewriter = generateKeyPairSync('ed25519');
    const keyId = 'audit-ledger-rotated';
    await db.query(`INSERT INTO ${s}.ledger_signing_keys (key_id, public_key) VALUES ($1, $2)`, [keyId, publicKeyPem(rewriter.publicKey)]);
    const forged = signCheckpoint({ entryCount: rows.length, headHash: previous!, merkleRoot: frontier.root() }, { keyId, privateKey: rewriter.privateKey, publicKey: rewriter.publicKey }, genuine.checkpointId);
    await db.query(`UPDATE ${s}.events SET data = $1 WHERE stream_name = $2`, [JSON.stringify(forged), CHECKPOINT_STREAM]);

    const verified = await request(audit.app.getHttpServer()).get('/ledger/verify?fromPosition=0').expect(200);
    expect(verified.body).toMatchObject({
      isIntact: false,
      invalidCheckpoints: [genuine.checkpointId],
      break: { kind: 'untrusted-checkpoint', message: expect.stringContaining(`signed by key ${keyId}, which is not a trusted key`) },
    });
    // The export of the person refuses to vouch for the rewritten entries with the forged checkpoint.
    await request(audit.app.getHttpServer()).get(`/inmates/${person.inmateId}/export`).set('X-Access-Purpose', 'trust anchor test').expect(500);

    const key = ['--public-key', `${audit.config.AUDIT_SIGNING_KEY_ID}=${join(dir, 'ledger-key.pem')}`];
    const untrusted = await cli('verify', ...key, '--format', 'json');
    expect(untrusted.code).toBe(1);
    expect(JSON.parse(untrusted.stdout).break).toMatchObject({ kind: 'untrusted-checkpoint' });
    // With the checkpoint the ministry kept, the rewritten entries themselves are caught.
    const caught = await cli('verify', ...key, '--checkpoint', join(dir, 'kept.json'), '--format', 'json');
    expect(caught.code).toBe(1);
    expect(JSON.parse(caught.stdout).break).toMatchObject({ kind: 'checkpoint-mismatch', message: expect.stringContaining(genuine.checkpointId) });
    // The rewriter's own key, found in the database, is never taken: without a trusted key the CLI cannot vouch for any checkpoint.
    const keyless = await cli('verify', '--format', 'json');
    expect(keyless.code).toBe(1);
    expect(JSON.parse(keyless.stdout)).toMatchObject({ isIntact: false, invalidCheckpoints: [genuine.checkpointId] });
  });

  it('refuses to start without a signing key outside local development, and a trusted key listed under its id with another key', () => {
    const config = Object.assign(new AuditConfig(), { AUTH_MODE: 'on', AUDIT_SIGNING_KEY: '' });
    expect(() => new CheckpointService(config, {} as never, {} as never, {} as never)).toThrow(/AUDIT_SIGNING_KEY is required/);
    const local = Object.assign(new AuditConfig(), { AUTH_MODE: 'off', AUDIT_SIGNING_KEY: '' });
    expect(new CheckpointService(local, {} as never, {} as never, {} as never).key).toBeUndefined();
    const own = new CheckpointService(audit.config, {} as never, {} as never, {} as never).key!;
    const stranger = publicKeyPem(generateKeyPairSync('ed25519').publicKey);
    expect(() => trustedKeysOf({ AUDIT_TRUSTED_KEYS: JSON.stringify([{ keyId: own.keyId, publicKeyPem: stranger }]) }, own)).toThrow(
      `AUDIT_TRUSTED_KEYS names ${own.keyId}, the id of AUDIT_SIGNING_KEY, with another key`,
    );
    expect([...trustedKeysOf({ AUDIT_TRUSTED_KEYS: JSON.stringify([{ keyId: 'audit-ledger-0', publicKeyPem: stranger }]) }, own).keys()]).toEqual(['audit-ledger-0', own.keyId]);
    expect(() => trustedKeysOf({ AUDIT_TRUSTED_KEYS: '[{"keyId":"k"}]' }, own)).toThrow('AUDIT_TRUSTED_KEYS[0] needs publicKeyPem or keyFile');
    expect(() => trustedKeysOf({ AUDIT_TRUSTED_KEYS: '[{"keyId":"k","publicKeyPem":"nonsense"}]' }, own)).toThrow(/AUDIT_TRUSTED_KEYS\[0\] is not an Ed25519 public key/);
    expect(() => trustedKeysOf({ AUDIT_TRUSTED_KEYS: '{}' }, own)).toThrow('AUDIT_TRUSTED_KEYS must be a JSON array');
  });
});
