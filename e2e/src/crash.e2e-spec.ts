// 5. Crash test: 200 concurrent Belgium → Albania cases while each service in turn is killed with
// SIGKILL and restarted, and once the broker itself (a broker of the test's own, never the shared
// one). Every case reaches its terminal state (completed); every effect happened once (no
// duplicate admission, reservation or ledger entry); custody-audit verify is intact; no finding.
import { BELGIUM_TO_ALBANIA, TransferCase } from './harness/cases';
import { eventually, getOk } from './harness/http';
import { registerFacility, runCase, type CaseTimings } from './harness/pipeline';
import { OwnKafka } from '@custody/testing';
import { auditFindings, deadLetters, occupancyReaches } from './harness/reads';
import type { ServiceName } from './harness/service-process';
import { Stack } from './harness/stack';

/** The issue asks for 200; E2E_CRASH_CASES lowers it for a quick local run. */
const CASES = Number(process.env.E2E_CRASH_CASES ?? 200);

describe('Crash test: concurrent cases through SIGKILLs of every service and of the broker', () => {
  let broker: OwnKafka;
  let stack: Stack;

  beforeAll(async () => {
    broker = await OwnKafka.create();
    await broker.start();
    stack = await Stack.start({ label: 'crash', brokers: broker.brokers });
  }, 900_000);

  afterAll(async () => {
    await stack?.stop();
    await broker?.destroy();
  }, 300_000);

  // A step may wait up to 20 minutes for its services (five kills on a loaded 2-core machine); the
  // test allows for the waits after it.
  it(`${CASES} cases all complete, every effect once, the ledger intact, no finding`, async () => {
    const started = Date.now();
    const facilityId = await registerFacility(stack, BELGIUM_TO_ALBANIA, CASES + 50);
    const cases = Array.from({ length: CASES }, () => new TransferCase(BELGIUM_TO_ALBANIA, facilityId));
    const stepsPerCase = cases[0].intake().length + cases[0].untilReservation().length + cases[0].handOver().length + 4;
    const total = CASES * stepsPerCase;
    let done = 0;
    const progress: Array<() => void> = [];
    const reached = (fraction: number) =>
      new Promise<void>((resolve) => {
        const check = () => (done >= fraction * total ? (resolve(), true) : false);
        if (!check()) progress.push(() => void check());
      });
    const onStep = () => {
      done++;
      progress.forEach((p) => p());
    };

    // The chaos: each service in turn, then the broker, at growing shares of the work done.
    const chaos: string[] = [];
    const chaosDone = (async () => {
      const victims: Array<ServiceName | 'broker'> = ['intake', 'transfer', 'custody', 'audit', 'broker'];
      for (const [i, victim] of victims.entries()) {
        await reached(0.05 + i * 0.1);
        const t0 = Date.now();
        if (victim === 'broker') {
          broker.kill();
          await broker.start();
        } else {
          await stack.killAndRestart(victim);
        }
        chaos.push(`${victim} SIGKILL at ${Math.round((100 * done) / total)}% of the steps, back in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
    })();

    // Where it stands, once a minute: on a loaded machine a failure then shows how far it got.
    const ticker = setInterval(() => process.stdout.write(`[crash] ${done} of ${total} steps after ${Math.round((Date.now() - started) / 1000)} s; ${chaos.join('; ') || 'no kill yet'}\n`), 60_000);
    const results = await Promise.allSettled(cases.map((c) => runCase(stack, c, { timeoutMs: 1_200_000, onStep }))).finally(() => clearInterval(ticker));
    await chaosDone;
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${cases[i].transferId}: ${(r.reason as Error).message}`] : []));
    if (failures.length > 0) throw new Error(`${failures.length} of ${CASES} cases did not complete:\n${failures.slice(0, 10).join('\n')}\n${chaos.join('\n')}\n${stack.lastLines(15)}`);
    expect(chaos).toHaveLength(5);

    // Every case is completed, in the transfer service's read model too.
    const completed = await eventually(async () => {
      const list = await getOk<{ items: Array<{ transferId: string }> }>(`${stack.url('transfer')}/transfers?state=completed&receivingState=AL&limit=${CASES + 10}`);
      return list.items.length === CASES ? list.items : undefined;
    }, { timeoutMs: 120_000, message: `${CASES} completed cases in the read model` });
    expect(new Set(completed.map((i) => i.transferId))).toEqual(new Set(cases.map((c) => c.transferId)));

    // Every place used once: all occupied, none still reserved.
    await occupancyReaches(stack, facilityId, { occupied: CASES, reserved: 0 }, 120_000);

    // The ledger: all chained, no event twice, and each effect once per person.
    await eventually(async () => {
      const head = await getOk<{ pending: number }>(`${stack.url('audit')}/ledger/head`);
      return head.pending === 0 ? head : undefined;
    }, { timeoutMs: 120_000, message: 'every ledger entry chained' });
    const audit = `"${stack.schemas.audit}"`;
    const duplicates = await stack.pool.query(`SELECT event_id FROM ${audit}.ledger GROUP BY event_id HAVING count(*) > 1`);
    expect(duplicates.rows).toEqual([]);
    // Each effect once per person: once every event has reached the ledger, exactly one of each.
    const effects = ['InmateRegistered', 'SentenceRecorded', 'TransferRequested', 'ReceivingStateDecisionRecorded', 'PlaceReservationRequested', 'PlaceReserved', 'PlaceReservationConfirmed', 'TransferScheduled', 'CustodyDispatched', 'CustodyReceived', 'InmateAdmitted', 'PlaceOccupied', 'TransferCompleted'];
    const perType = async () => {
      const { rows } = await stack.pool.query<{ type: string; inmates: string; entries: string }>(
        `SELECT body::jsonb->>'type' AS type, count(DISTINCT inmate_id) AS inmates, count(*) AS entries
           FROM ${audit}.ledger WHERE inmate_id IS NOT NULL GROUP BY 1`,
      );
      const counts = Object.fromEntries(rows.map((r) => [r.type, { inmates: Number(r.inmates), entries: Number(r.entries) }]));
      return effects.map((type) => ({ type, ...(counts[type] ?? { inmates: 0, entries: 0 }) }));
    };
    const settled = await eventually(async () => {
      const now = await perType();
      return now.every((c) => c.inmates === CASES) ? now : undefined;
    }, { timeoutMs: 180_000, message: 'every effect of every case in the ledger' }).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify((await perType()).filter((c) => c.inmates !== CASES))}`);
    });
    expect(settled).toEqual(effects.map((type) => ({ type, inmates: CASES, entries: CASES })));

    // Nothing set aside: every dead-letter topic of the stack is empty.
    expect(await deadLetters(stack)).toEqual({});

    const verify = await stack.auditCli(['verify', '--quiet'], 300_000);
    expect({ code: verify.code, stdout: verify.stdout }).toMatchObject({ code: 0, stdout: expect.stringContaining('INTACT') });
    expect(await auditFindings(stack)).toEqual([]);

    const latencies = results.map((r) => (r as PromiseFulfilledResult<CaseTimings>).value.endToEndMs!).sort((a, b) => a - b);
    process.stdout.write(
      `\n[crash] ${CASES} cases in ${((Date.now() - started) / 1000).toFixed(0)} s; request → admission in the ledger p50 ${(latencies[Math.floor(CASES / 2)] / 1000).toFixed(1)} s, ` +
        `max ${(latencies[CASES - 1] / 1000).toFixed(1)} s\n${chaos.map((c) => `[crash] ${c}`).join('\n')}\n`,
    );
  }, 40 * 60_000);
});
