// `npm run bench -- restart`: how long a consumer killed with SIGKILL and started again takes to
// consume again (docs/adr/0017-restart-replaces-previous-member.md). Each restart: a consumer (its
// own process, libs/messaging/src/testing/consumer-process.ts) joins its group and holds every
// partition, is killed with SIGKILL, an event is published, and a new process of the same group is
// started; the figure is the time from that start to the event applied. Medians of
// RESTART_BENCH_RESTARTS (3) restarts, each in a group of its own:
//   ours      the services' defaults: the instance name (KAFKA_INSTANCE_ID) given, its previous member removed at start;
//   baseline  the defaults before it: no instance name, the killed member left to its 30 s session;
//   peer      no instance name, the broker's shortest session (6 s, heartbeat every 2 s).
// Beside: the same from the consumer's start (the process's code loaded), and the loading itself.
//   env: KAFKA_BROKERS (127.0.0.1:9092), DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres)
import { uniqueName } from '@custody/testing';
import { ChildConsumer, type ConsumerReport } from '../libs/messaging/src/testing/child-consumer';
import { inmateRegistered } from '../libs/messaging/src/testing/events';
import { Harness } from '../libs/messaging/src/testing/harness';
import { median, writeReport } from './lib/report';

const RESTARTS = Number(process.env.RESTART_BENCH_RESTARTS ?? 3);
const log = (message: string) => process.stdout.write(`[restart bench] ${message}\n`);

async function until<T>(check: () => T | undefined, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Restart {
  /** From the new process's start to the event applied. */
  consumedMs: number;
  /** From the new process's start to its consumer starting (code loaded). */
  bootMs: number;
}

/** One restart in a group of its own: join, SIGKILL, publish, start again, time to the event applied. */
async function restartOnce(h: Harness, env: Record<string, string>): Promise<Restart> {
  const groupEnv = { CONSUMER_SCHEMA: h.db.schema, GROUP_ID: uniqueName('bench-restart'), ...env };
  const first = new ChildConsumer(h.childEnv(groupEnv));
  try {
    await until(() => first.joined(), 'the first consumer to join');
    // A heartbeat's worth later: the member is settled in the group, as a service that ran a while.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  } finally {
    await first.kill();
  }
  const event = inmateRegistered();
  await h.append([event]);
  const second = new ChildConsumer(h.childEnv(groupEnv));
  try {
    const consumed: ConsumerReport = await until(() => second.processed(event.id), 'the restarted consumer to apply the event');
    const starting = second.reports.find((r) => r.kind === 'starting')!;
    return { consumedMs: consumed.at - second.startedAt, bootMs: starting.at - second.startedAt };
  } finally {
    await second.stop();
  }
}

async function main(): Promise<void> {
  const h = await Harness.create('bench-restart');
  try {
    await h.startRelay();
    const variants: Array<{ name: string; env: Record<string, string> }> = [
      { name: 'instance name, previous member removed', env: { INSTANCE_ID: 'bench-instance', SESSION_TIMEOUT_MS: '30000', HEARTBEAT_INTERVAL_MS: '3000' } },
      { name: 'session 30 s, nothing removed (before)', env: { SESSION_TIMEOUT_MS: '30000', HEARTBEAT_INTERVAL_MS: '3000' } },
      { name: 'session 6 s, nothing removed', env: { SESSION_TIMEOUT_MS: '6000', HEARTBEAT_INTERVAL_MS: '2000' } },
    ];
    const results = new Map<string, Restart[]>();
    for (let i = 0; i < RESTARTS; i++) {
      for (const variant of variants) {
        const restart = await restartOnce(h, variant.env);
        log(`${variant.name}: consuming again ${restart.consumedMs} ms after the restart (process start ${restart.bootMs} ms)`);
        results.set(variant.name, [...(results.get(variant.name) ?? []), restart]);
      }
    }
    const consumed = (name: string) => median(results.get(name)!.map((r) => r.consumedMs));
    const afterBoot = (name: string) => median(results.get(name)!.map((r) => r.consumedMs - r.bootMs));
    const [ours, before, shortSession] = variants.map((v) => v.name);
    writeReport('restart', { restarts: RESTARTS, partitions: 3 }, [
      {
        id: 'restart.consumedMs',
        what: 'a consumer killed with SIGKILL and started again: from the new process\'s start to an event published meanwhile applied (median)',
        unit: 'ms',
        higherIsBetter: false,
        ours: consumed(ours),
        baseline: { name: before, value: consumed(before) },
        peer: { name: shortSession, value: consumed(shortSession) },
      },
      {
        id: 'restart.afterBootMs',
        what: 'the same, from the new consumer\'s start (its code loaded) to the event applied (median)',
        unit: 'ms',
        higherIsBetter: false,
        ours: afterBoot(ours),
        baseline: { name: before, value: afterBoot(before) },
        peer: { name: shortSession, value: afterBoot(shortSession) },
      },
      {
        id: 'restart.bootMs',
        what: 'the new process loading its code until its consumer starts (median, ours)',
        unit: 'ms',
        higherIsBetter: false,
        ours: median(results.get(ours)!.map((r) => r.bootMs)),
      },
    ]);
  } finally {
    await h.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
