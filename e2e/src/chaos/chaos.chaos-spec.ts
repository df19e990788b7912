// The chaos suite (`npm run test:chaos`, docs/operations.md "The chaos suite"): the four services as
// processes over a PostgreSQL cluster and a three-node Kafka cluster of the suite's own, each
// scenario breaking one thing while a batch of Belgium → Albania cases runs. Afterwards, every time:
// every case completed (every command answered), every effect in the ledger once per person (none
// missing, none twice), the facility's places taken once each, nothing in any dead-letter topic,
// `custody-audit verify` intact, no audit finding left open.
import { OwnKafka } from '@custody/testing';
import { BELGIUM_TO_ALBANIA, TransferCase } from '../harness/cases';
import { eventually, getOk } from '../harness/http';
import { OwnPostgres } from '../harness/own-postgres';
import { registerFacility, runCase } from '../harness/pipeline';
import { auditFindings, deadLetters, occupancyReaches, transferOf } from '../harness/reads';
import type { ServiceName } from '../harness/service-process';
import { Stack } from '../harness/stack';
import { record } from './tally';

/** Cases per scenario (CHAOS_CASES lowers or raises it). */
const CASES = Number(process.env.CHAOS_CASES ?? 24);
/** The share of a scenario's commands answered before the fault is injected: traffic runs on both sides of it. */
const FAULT_AT = 0.3;

/**
 * Every event of a completed Belgium → Albania case (TransferCase), each one ledger entry per
 * person: intake's registration and sentence, transfer's steps to the completion, custody's place
 * and admission, intake's suspension of enforcement once the person left.
 */
const EFFECTS = [
  'InmateRegistered', 'SentenceRecorded', 'TransferRequested', 'EligibilityEvaluated', 'InmateOpinionRecorded', 'ConsentRecorded', 'CertificateIssued',
  'CertificateReceived', 'ReceivingStateDecisionRecorded', 'InmateNotified', 'PlaceReservationRequested', 'PlaceReserved', 'PlaceReservationConfirmed',
  'TransferScheduled', 'CustodyDispatched', 'CustodyReceived', 'InmateAdmitted', 'PlaceOccupied', 'EnforcementSuspended', 'TransferCompleted',
];

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

describe('Chaos: cases run while the database, the relay, a broker or a service fails', () => {
  let postgres: OwnPostgres | undefined;
  let kafka: OwnKafka | undefined;
  let stack: Stack;

  beforeAll(async () => {
    const started = Date.now();
    postgres = await OwnPostgres.create('chaos');
    await postgres.start();
    kafka = await OwnKafka.create(3);
    await kafka.start();
    stack = await Stack.start({ label: 'chaos', brokers: kafka.brokers, databaseUrl: postgres.url });
    process.stdout.write(`\n[chaos] PostgreSQL ${postgres.url}, Kafka ${kafka.brokers}, four services up in ${seconds(started)} s\n`);
  }, 1_200_000);

  afterAll(async () => {
    await stack?.stop().catch(() => undefined);
    await kafka?.destroy();
    await postgres?.destroy();
  }, 300_000);

  /**
   * Runs CASES cases at once, injects `fault` once FAULT_AT of their commands are answered, waits
   * for every case, then checks and counts. `fault` returns what it did, for the report.
   */
  async function scenario(name: string, fault: () => Promise<string>): Promise<void> {
    const started = Date.now();
    const facilityId = await registerFacility(stack, BELGIUM_TO_ALBANIA, CASES + 10);
    const cases = Array.from({ length: CASES }, () => new TransferCase(BELGIUM_TO_ALBANIA, facilityId));
    const commandsPerCase = cases[0].intake().length + cases[0].untilReservation().length + cases[0].handOver().length + 1; // + the admission
    // runCase marks each command and three waits: the place reserved, the case completed, the admission in the ledger.
    const stepsPerCase = commandsPerCase + 3;
    const total = CASES * stepsPerCase;
    let answered = 0;
    let trigger!: () => void;
    const faultDue = new Promise<void>((resolve) => (trigger = resolve));
    const onStep = () => {
      answered++;
      if (answered >= FAULT_AT * total) trigger();
    };

    let injected = 'no fault injected yet';
    const faultDone = faultDue.then(async () => {
      const t0 = Date.now();
      const at = Math.round((100 * answered) / total);
      injected = `fault injected at ${at}% of the commands`;
      const what = await fault();
      injected = `${what} at ${at}% of the commands, back in ${seconds(t0)} s`;
    });
    faultDone.catch(() => undefined);
    // A service that dies of the fault fails the scenario at once, not when the cases time out.
    let watch!: NodeJS.Timeout;
    const died = new Promise<never>((_, fail) => {
      watch = setInterval(() => {
        const dead = stack.all().find((p) => !p.isRunning && !restarting.has(p.name));
        if (dead) fail(new Error(`${name}: ${dead.label} exited (${injected}):\n${dead.lastLines(30)}`));
      }, 1000);
    });
    const results = await Promise.race([Promise.allSettled(cases.map((c) => runCase(stack, c, { timeoutMs: 900_000, onStep }))), died]).finally(() =>
      clearInterval(watch),
    );
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${cases[i].transferId}: ${(r.reason as Error).message}`] : []));
    if (failures.length > 0) {
      throw new Error(`${name}: ${failures.length} of ${CASES} cases did not complete:\n${failures.slice(0, 5).join('\n')}\n${injected}\n${stack.lastLines(15)}`);
    }
    await faultDone; // due since FAULT_AT of the commands were answered; throws if the fault could not be injected
    // Every command answered: each case's commands were each accepted, in order, to the end.
    expect(answered).toBe(total);

    // Every case completed in the transfer service's own view.
    const stages = await Promise.all(cases.map(async (c) => (await transferOf(stack, c.transferId)).stage));
    expect(stages).toEqual(cases.map(() => 'completed'));

    // The places: every one reserved was occupied, none left reserved, none taken twice.
    await occupancyReaches(stack, facilityId, { occupied: CASES, reserved: 0 }, 180_000);

    // The ledger: everything chained, then each effect of each person exactly once.
    await eventually(async () => {
      const head = await getOk<{ pending: number }>(`${stack.url('audit')}/ledger/head`);
      return head.pending === 0 ? head : undefined;
    }, { timeoutMs: 180_000, message: 'every ledger entry chained' });
    const inmates = cases.map((c) => c.inmateId);
    const count = async () => {
      const { rows } = await stack.pool.query<{ inmate_id: string; type: string; n: string }>(
        `WITH counted AS (
           SELECT inmate_id::text AS inmate_id, body::jsonb->>'type' AS type, count(*) AS n
             FROM "${stack.schemas.audit}".ledger WHERE inmate_id::text = ANY($1) GROUP BY 1, 2)
         SELECT i.inmate_id, t.type, coalesce(c.n, 0) AS n
           FROM unnest($1::text[]) AS i(inmate_id) CROSS JOIN unnest($2::text[]) AS t(type)
           LEFT JOIN counted c USING (inmate_id, type)`,
        [inmates, EFFECTS],
      );
      const missing = rows.filter((r) => Number(r.n) === 0);
      const extra = rows.filter((r) => Number(r.n) > 1);
      return { missing, extra, lost: missing.length, duplicated: extra.reduce((n, r) => n + Number(r.n) - 1, 0) };
    };
    // Effects still on their way are waited for (the ledger follows the services); what is still missing then is lost.
    const settled = await eventually(async () => {
      const now = await count();
      return now.lost === 0 ? now : undefined;
    }, { timeoutMs: 180_000, message: 'every effect of every case in the ledger' }).catch(() => count());

    const deadLettered = await deadLetters(stack);
    const verify = await stack.auditCli(['verify', '--quiet'], 300_000);
    // This scenario's findings: about its persons or its facility (the stack is shared, and an earlier scenario's reported its own).
    const ours = [...inmates, facilityId];
    const findings = (await auditFindings(stack)).filter((f) => ours.some((id) => JSON.stringify(f).includes(id)));

    const checked =
      `${injected}; ${CASES} cases, ${CASES * commandsPerCase} commands answered, all completed; ${EFFECTS.length} events × ${CASES} persons in the ledger: ` +
      `${settled.lost} lost, ${settled.duplicated} duplicated; ${CASES} places occupied, 0 reserved; ` +
      `dead letters ${JSON.stringify(deadLettered)}; verify exit ${verify.code}${verify.stdout.includes('INTACT') ? ' INTACT' : ''}; open findings ${findings.length}`;
    record({ name, seconds: Number(seconds(started)), lost: settled.lost, duplicated: settled.duplicated, checked });
    process.stdout.write(`\n[chaos] ${name} (${seconds(started)} s): ${checked}\n`);

    expect({ lost: settled.missing.slice(0, 10), duplicated: settled.extra.slice(0, 10) }).toEqual({ lost: [], duplicated: [] });
    expect(deadLettered).toEqual({});
    expect({ code: verify.code, stdout: verify.stdout }).toMatchObject({ code: 0, stdout: expect.stringContaining('INTACT') });
    expect(findings).toEqual([]);
  }

  /** Services the current fault stops on purpose: the watch in `scenario` lets them be down. */
  const restarting = new Set<ServiceName>();

  /** The PostgreSQL backend holding the advisory lock of a service's relay (docs/architecture.md, "The relay"). */
  async function relayLockHolder(service: ServiceName): Promise<number | undefined> {
    // The relay locks hashtext('relay:<schema>:<service>') as one bigint: pg_locks shows it as classid (high half) and objid (low half).
    const { rows } = await stack.pool.query<{ pid: number }>(
      `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND a.datname = current_database()
          AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext($1)::bigint`,
      [`relay:${stack.schemas[service]}:${service}`],
    );
    if (rows.length > 1) throw new Error(`${rows.length} sessions hold the relay lock of ${service}`);
    return rows[0]?.pid;
  }

  it('1. the PostgreSQL cluster restarted mid-traffic (immediate stop: crash recovery at the start)', async () => {
    await scenario('PostgreSQL restarted', async () => {
      await postgres!.restart('immediate');
      return 'PostgreSQL stopped in immediate mode and started again';
    });
  });

  it('2. a 3-second database outage', async () => {
    await scenario('3-second database outage', async () => {
      await postgres!.stop('fast');
      // The one fixed wait of the suite: the outage itself.
      await new Promise((r) => setTimeout(r, 3000));
      await postgres!.start();
      return 'PostgreSQL stopped for 3 s';
    });
  });

  it("3. the relay's lock connection terminated while its process lives", async () => {
    await scenario('relay lock terminated', async () => {
      const holder = await eventually(() => relayLockHolder('transfer'), { timeoutMs: 60_000, message: "transfer's relay to hold its lock" });
      const { rows } = await stack.pool.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [holder]);
      expect(rows[0].ok).toBe(true);
      // The relay notices, stands by and takes the lock again on a new session; its process never stopped.
      const next = await eventually(async () => {
        const pid = await relayLockHolder('transfer');
        return pid !== undefined && pid !== holder ? pid : undefined;
      }, { timeoutMs: 120_000, message: "transfer's relay to take its lock again" });
      expect(stack.service('transfer').isRunning).toBe(true);
      return `transfer's relay lock session (backend ${holder}) terminated, lock taken again by backend ${next}`;
    });
  });

  it('4. one broker of the three SIGKILLed and restarted', async () => {
    await scenario('broker SIGKILLed', async () => {
      kafka!.kill(2);
      await kafka!.start();
      return 'Kafka node 2 of 3 SIGKILLed and started again';
    });
  });

  it('5. one service SIGKILLed and restarted', async () => {
    await scenario('service SIGKILLed', async () => {
      restarting.add('custody');
      await stack.killAndRestart('custody');
      restarting.delete('custody');
      return 'custody SIGKILLed and started again';
    });
  });
});
