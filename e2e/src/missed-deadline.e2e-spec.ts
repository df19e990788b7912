// 4. A missed decision deadline with a moved clock: under 2008/909 the receiving state decides
// within 90 days of receiving the certificate (Rule 7). The transfer service is restarted with its
// clock 95 days ahead (CLOCK_OFFSET_MS); its scheduler records DeadlineMissed, once, and the
// auditor sees it in the ledger and in the person's export. (That a second scan or a second
// restart adds nothing is the transfer service's own integration test.)
import { BELGIUM_TO_NETHERLANDS, TransferCase } from './harness/cases';
import { send } from './harness/driver';
import { eventually, postOk, request } from './harness/http';
import { auditFindings, ledgerEventsOf, transferOf } from './harness/reads';
import { Stack } from './harness/stack';

const DAY = 86_400_000;

describe('A missed decision deadline, end to end over four processes', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ label: 'deadline' });
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('records DeadlineMissed once when the moved clock passes the 90 days, and the auditor sees it', async () => {
    // The certificate is received yesterday: the decision is due in 89 days.
    const c = new TransferCase(BELGIUM_TO_NETHERLANDS, '00000000-0000-4000-8000-000000000000', -7);
    const steps = [...c.intake(), ...c.untilReservation()];
    for (const step of steps.slice(0, steps.findIndex((s) => s.name === 'decision'))) await send(stack, step);

    const open = await transferOf(stack, c.transferId);
    const deadline = open.openDeadlines?.find((d) => d.kind === 'receiving-state-decision');
    expect(deadline).toMatchObject({ isOverdue: false });
    expect(deadline!.dueAt.slice(0, 10)).toBe(new Date(Date.parse(`${c.day(6)}T00:00:00Z`) + 90 * DAY).toISOString().slice(0, 10));

    // Time moves: the transfer service comes back with its clock 95 days ahead.
    await stack.killAndRestart('transfer', { CLOCK_OFFSET_MS: String(95 * DAY) });

    const missed = await eventually(async () => {
      const t = await transferOf(stack, c.transferId);
      return t.timeline?.some((s) => s.step === 'DeadlineMissed') ? t : undefined;
    }, { message: 'the scheduler to record DeadlineMissed' });
    expect(missed.timeline!.filter((s) => s.step === 'DeadlineMissed')).toHaveLength(1);
    const overdue = await request<{ items: Array<{ transferId: string }> }>('GET', `${stack.url('transfer')}/transfers?overdue=true`);
    expect(overdue.body.items.map((i) => i.transferId)).toContain(c.transferId);

    // The auditor: DeadlineMissed in the ledger, with the due date, once; and in the person's export.
    const events = await eventually(async () => {
      const all = await ledgerEventsOf(stack, c.inmateId);
      return all.some((e) => e.type === 'DeadlineMissed') ? all : undefined;
    }, { message: 'DeadlineMissed in the audit ledger' });
    const recorded = events.filter((e) => e.type === 'DeadlineMissed');
    expect(recorded).toHaveLength(1);
    expect(recorded[0].data).toMatchObject({ transferId: c.transferId, deadline: 'receiving-state-decision', dueAt: deadline!.dueAt });
    // The export carries proofs to the latest signed checkpoint: sign one now, as an auditor may ask.
    await postOk(`${stack.url('audit')}/ledger/checkpoints`, {});
    const exported = await request<string>('GET', `${stack.url('audit')}/inmates/${c.inmateId}/export`);
    expect(exported.status).toBe(200);
    const lines = String(exported.body).trim().split('\n').map((l) => JSON.parse(l) as { kind: string; body?: string });
    const exportedTypes = lines.filter((l) => l.kind === 'entry').map((l) => (JSON.parse(l.body!) as { type: string }).type);
    expect(exportedTypes.filter((t) => t === 'DeadlineMissed')).toHaveLength(1);

    const verify = await stack.auditCli(['verify', '--quiet']);
    expect({ code: verify.code, stdout: verify.stdout }).toMatchObject({ code: 0, stdout: expect.stringContaining('INTACT') });
    expect(await auditFindings(stack)).toEqual([]);
  });
});
