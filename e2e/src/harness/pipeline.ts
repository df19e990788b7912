import { performance } from 'node:perf_hooks';
import { facilityRegistration, TransferCase, type CaseShape, type Step } from './cases';
import { send } from './driver';
import { eventually, request } from './http';
import type { TransferView } from './reads';
import type { Stack } from './stack';

/** Timings of one case, in milliseconds from its first request. */
export interface CaseTimings {
  transferId: string;
  inmateId: string;
  startedAt: number;
  /** Per step: when its command was accepted (or, for the waits, when the state was seen). */
  steps: Array<{ name: string; ms: number }>;
  /** From the first request to the audit ledger showing the admission. */
  endToEndMs?: number;
}

/** Whether the step's event is already on its subject (the client lost the answer of an attempt that took effect). */
export async function isApplied(stack: Stack, c: TransferCase, step: Step): Promise<boolean> {
  switch (step.service) {
    case 'intake': {
      const answer = await request<{ events: Array<{ type: string }> }>('GET', `${stack.url('intake')}/inmates/${c.inmateId}/history`);
      return answer.status === 200 && answer.body.events.some((e) => e.type === step.event);
    }
    case 'transfer': {
      const answer = await request<TransferView>('GET', `${stack.url('transfer')}/transfers/${c.transferId}`);
      return answer.status === 200 && !!answer.body.timeline?.some((s) => s.step === step.event);
    }
    case 'custody': {
      // The person's record is a read model: give it a moment to follow the events.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const answer = await request<{ status: string; transferId?: string }>('GET', `${stack.url('custody')}/custody/${c.inmateId}`);
        if (answer.status === 200 && answer.body.transferId === c.transferId) return true;
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    default:
      return false;
  }
}

/** Registers a facility of the receiving state, surviving restarts; returns its id. */
export async function registerFacility(stack: Stack, shape: CaseShape, capacity: number, timeoutMs = 300_000): Promise<string> {
  const step = facilityRegistration(shape, capacity);
  const facilityId = step.body.facilityId as string;
  await send(stack, step, {
    timeoutMs,
    alreadyApplied: async () => (await request('GET', `${stack.url('custody')}/facilities/${facilityId}/occupancy`)).status === 200,
  });
  return facilityId;
}

/**
 * Runs one complete transfer as the parties' clients would: every command until accepted
 * (surviving restarts of the services and of the broker), waiting where a party waits for another
 * (the place reserved, the case completed), and finally until the audit ledger shows the admission.
 */
export async function runCase(
  stack: Stack,
  c: TransferCase,
  { timeoutMs = 600_000, onStep }: { timeoutMs?: number; onStep?: (name: string) => void } = {},
): Promise<CaseTimings> {
  const started = performance.now();
  const timings: CaseTimings = { transferId: c.transferId, inmateId: c.inmateId, startedAt: started, steps: [] };
  const mark = (name: string) => {
    timings.steps.push({ name, ms: performance.now() - started });
    onStep?.(name);
  };
  const run = async (step: Step) => {
    await send(stack, step, { timeoutMs, alreadyApplied: () => isApplied(stack, c, step) });
    mark(step.name);
  };
  const stageIs = (stages: string[], message: string) =>
    eventually(async () => {
      const answer = await request<TransferView>('GET', `${stack.url('transfer')}/transfers/${c.transferId}`);
      return answer.status === 200 && stages.includes(answer.body.stage) ? answer.body.stage : undefined;
    }, { timeoutMs, intervalMs: 250, message: `${message} (case ${c.transferId})` });

  for (const step of c.intake()) await run(step);
  for (const step of c.untilReservation()) await run(step);
  await stageIs(['place-reserved'], 'the place to be reserved');
  mark('place reserved');
  for (const step of c.handOver()) await run(step);
  await run(c.admission());
  await stageIs(['completed'], 'the case to complete');
  mark('case completed');
  await eventually(async () => {
    const { rows } = await stack.pool.query(
      `SELECT 1 FROM "${stack.schemas.audit}".ledger WHERE inmate_id = $1 AND body::jsonb->>'type' = 'InmateAdmitted' LIMIT 1`,
      [c.inmateId],
    );
    return rows.length > 0 ? true : undefined;
  }, { timeoutMs, intervalMs: 100, message: `the ledger to show the admission of ${c.inmateId}` });
  mark('admission in the ledger');
  timings.endToEndMs = performance.now() - started;
  return timings;
}
