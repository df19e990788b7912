// The READMEs' walk-throughs (examples/walkthroughs/*.mjs), run as a reader runs them against the
// four services as processes: each script as a program of its own with the stack's addresses,
// exit 0, and the state it leaves checked here through the services' own reads. A walk-through
// that no longer matches the services fails here, naming its step.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { getOk } from './harness/http';
import { workspaceRoot } from './harness/service-process';
import { Stack } from './harness/stack';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The script's last line, `facts: {…}`: its identifiers and outcome. */
  facts: Facts;
}

/** What the scripts print as their facts (each names those it has). */
interface Facts {
  inmateId: string;
  transferId: string;
  facilityId: string;
  reservations: string[];
  [fact: string]: unknown;
}

describe('The walk-throughs of the READMEs, run against the stack', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ label: 'walkthroughs' });
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  /** Runs examples/walkthroughs/<script> with node, as a reader does, with the stack's URLs (and its audit database and key). */
  function walk(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [join(workspaceRoot, 'examples', 'walkthroughs', script), ...args], {
        cwd: workspaceRoot,
        env: {
          PATH: process.env.PATH ?? '',
          INTAKE_URL: stack.service('intake').url,
          TRANSFER_URL: stack.service('transfer').url,
          CUSTODY_URL: stack.service('custody').url,
          AUDIT_URL: stack.service('audit').url,
          AUDIT_DATABASE_URL: stack.databaseUrl,
          AUDIT_DATABASE_SCHEMA: stack.schemas.audit,
          AUDIT_TRUSTED_KEYS: JSON.stringify([{ keyId: `e2e-${stack.id}`, publicKeyPem: stack.auditPublicKeyPem }]),
          EVENT_PUBLISHER_KEYS: stack.eventPublisherKeys,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => (child.kill('SIGKILL'), fail(new Error(`${script} ran over 8 minutes:\n${stdout}\n${stderr}`))), 8 * 60_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        const last = stdout.trim().split('\n').pop() ?? '';
        done({ code, stdout, stderr, facts: last.startsWith('facts: ') ? (JSON.parse(last.slice('facts: '.length)) as Facts) : ({} as Facts) });
      });
    });
  }

  /** The run's exit code with its output, so that a failure shows the step the script named. */
  const outcome = (run: Run) => ({ code: run.code, output: run.code === 0 ? '' : `${run.stdout}\n${run.stderr}` });

  let belgiumToAlbania: Run;

  it('Belgium → Albania under ETS 112: the case completes and Albania holds the person in the facility the script registered', async () => {
    belgiumToAlbania = await walk('belgium-to-albania.mjs');
    expect(outcome(belgiumToAlbania)).toEqual({ code: 0, output: '' });
    const { inmateId, transferId, facilityId } = belgiumToAlbania.facts;

    const transfer = await getOk<Record<string, unknown>>(`${stack.url('transfer')}/transfers/${transferId}`);
    expect(transfer).toMatchObject({ stage: 'completed', legalBasis: 'ETS112', sendingState: 'BE', receivingState: 'AL', openDeadlines: [], consent: { outcome: 'given' }, decision: { decision: 'recognised', procedure: 'conversion' }, reservation: { status: 'used' } });
    const custody = await getOk<Record<string, unknown>>(`${stack.url('custody')}/custody/${inmateId}`);
    expect(custody).toMatchObject({ status: 'in-custody', facilityId, law: { governingState: 'AL' } });
    expect(await getOk(`${stack.url('custody')}/facilities/${facilityId}/occupancy`)).toMatchObject({ capacity: 50, occupied: 1, reserved: 0 });
  });

  it('Denmark → Kosovo under the lease: placed in Gjilan by Denmark without consent or recognition, under Danish law, then deported with the order reference', async () => {
    const run = await walk('denmark-to-kosovo.mjs');
    expect(outcome(run)).toEqual({ code: 0, output: '' });
    const { inmateId, transferId, facilityId } = run.facts;

    const transfer = await getOk<Record<string, unknown>>(`${stack.url('transfer')}/transfers/${transferId}`);
    // Rule 18: Denmark's own placement decision; no certificate, no decision of Kosovo, no adaptation.
    expect(transfer).toMatchObject({
      stage: 'completed', legalBasis: 'LEASE_DK_XK_2022', consent: { outcome: 'not-required', notRequiredGround: 'lease-treaty' },
      placement: { decidedBy: { state: 'DK', organisation: 'Danish Prison and Probation Service' }, facilityId },
    });
    expect(transfer.decision).toBeUndefined();
    expect(transfer.certificate).toBeUndefined();
    expect((transfer.timeline as Array<{ step: string }>).map((t) => t.step)).toEqual(expect.arrayContaining(['PlacementDecided']));
    expect((transfer.timeline as Array<{ step: string }>).map((t) => t.step)).not.toEqual(expect.arrayContaining(['ReceivingStateDecisionRecorded']));
    // The end of the sentence: deported from Kosovo, the order named; Danish law to the end.
    expect(run.facts.release).toEqual({ status: 'released', disposition: 'deported', deportationOrderReference: 'DK-UDL-2025-44120', governingState: 'DK' });
    const custody = await getOk<Record<string, unknown>>(`${stack.url('custody')}/custody/${inmateId}`);
    expect(custody).toMatchObject({ status: 'released', law: { governingState: 'DK' } });
    expect(await getOk(`${stack.url('custody')}/facilities/${facilityId}/occupancy`)).toMatchObject({ capacity: 300, occupied: 0, reserved: 0, governingState: 'DK' });
  });

  it('registering and filling Gjilan: 300 places governed by Denmark, two held', async () => {
    const run = await walk('gjilan.mjs');
    expect(outcome(run)).toEqual({ code: 0, output: '' });
    const occupancy = await getOk<{ reservations: Array<{ reservationId: string }> }>(`${stack.url('custody')}/facilities/${run.facts.facilityId}/occupancy`);
    expect(occupancy).toMatchObject({ capacity: 300, occupied: 0, reserved: 2, free: 298, governingState: 'DK' });
    expect(occupancy.reservations.map((r) => r.reservationId).sort()).toEqual([...run.facts.reservations].sort());
  });

  it.each([
    ['of the Belgium → Albania person', () => [belgiumToAlbania.facts.inmateId]],
    ['of a person of its own (it runs Belgium → Albania first, as with no argument)', () => []],
  ])("the auditor's export %s verifies offline as intact and complete", async (_, args) => {
    expect(belgiumToAlbania?.code).toBe(0);
    const run = await walk('auditor.mjs', args());
    expect(outcome(run)).toEqual({ code: 0, output: '' });
    const inmateId = args()[0] ?? run.facts.inmateId;
    expect(run.facts).toMatchObject({
      inmateId,
      verdict: expect.stringMatching(/^INTACT: \d+ entries of /),
      completeness: expect.stringMatching(/^COMPLETE: no revision missing/),
      // Every entry's event signature holds, checked offline with the services' keys.
      signatures: expect.stringMatching(/^SIGNED: (\d+) of \1 entries hold their publisher's signature/),
    });
    // The CLI recorded the export in the access log, with its purpose and recipient.
    const { rows } = await stack.pool.query(
      `SELECT purpose, recipient FROM "${stack.schemas.audit}".access_log WHERE route = 'custody-audit export' AND $1 = ANY(person_ids)`,
      [inmateId],
    );
    expect(rows).toEqual([{ purpose: 'request of the Ombudsman of Albania', recipient: 'Ombudsman of Albania' }]);
  });

  it('a walk-through that cannot pass exits 1 naming its step', async () => {
    // Nothing listens on port 1.
    const run = await walk('gjilan.mjs', [], { CUSTODY_URL: 'http://127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('step "custody registers Gjilan, leased to Denmark" failed: custody does not answer at http://127.0.0.1:1');
  });
});
