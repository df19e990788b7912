import { Logger } from '@nestjs/common';
import { PeriodicJob } from './periodic-job';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A run that waits until released, to hold a run in progress. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('PeriodicJob', () => {
  const jobs: Array<PeriodicJob<unknown>> = [];
  const job = <T>(options: ConstructorParameters<typeof PeriodicJob<T>>[0]) => {
    const created = new PeriodicJob<T>(options);
    jobs.push(created as PeriodicJob<unknown>);
    return created;
  };

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await Promise.all(jobs.splice(0).map((j) => j.stop()));
    jest.restoreAllMocks();
  });

  it('runs every interval once started, and not before', async () => {
    let runs = 0;
    const ticking = job({ name: 'tick', intervalMs: 10, run: async () => ++runs });
    await sleep(30);
    expect(runs).toBe(0);
    ticking.start();
    await until(() => runs >= 3, 'three runs');
    expect(ticking.status()).toMatchObject({ name: 'tick', failures: 0 });
    expect(ticking.status().runs).toBeGreaterThanOrEqual(3);
  });

  it('logs and counts a failed run, and keeps running', async () => {
    let calls = 0;
    const failing = job({
      name: 'flaky',
      intervalMs: 5,
      run: async () => {
        calls++;
        if (calls <= 2) throw new Error(`broken ${calls}`);
        return calls;
      },
    });
    failing.start();
    await until(() => calls >= 4, 'runs after the failures');
    expect(failing.status()).toMatchObject({ failures: 2, lastError: 'broken 2' });
    expect(Logger.prototype.error).toHaveBeenCalledWith('flaky failed: broken 1');
  });

  it('runs once at start when asked, and never again without an interval', async () => {
    let runs = 0;
    const once = job({ name: 'once', intervalMs: 0, runAtStart: true, run: async () => ++runs });
    once.start();
    await until(() => runs === 1, 'the run at start');
    await sleep(30);
    expect(runs).toBe(1);
  });

  it('never runs on its own with no interval and no run at start, but does on demand', async () => {
    let runs = 0;
    const idle = job({ name: 'idle', intervalMs: 0, run: async () => ++runs });
    idle.start();
    await sleep(30);
    expect(runs).toBe(0);
    await expect(idle.runNow()).resolves.toBe(1);
  });

  it('joins a run under way instead of starting a second one', async () => {
    const held = gate();
    let started = 0;
    const slow = job({
      name: 'slow',
      intervalMs: 0,
      run: async () => {
        started++;
        await held.opened;
        return started;
      },
    });
    const first = slow.runNow();
    const second = slow.runNow();
    expect(slow.status().isRunning).toBe(true);
    held.open();
    expect(await Promise.all([first, second])).toEqual([1, 1]);
    expect(started).toBe(1);
  });

  it('hands a failed run on demand to its caller', async () => {
    const failing = job({ name: 'on-demand', intervalMs: 0, run: async () => Promise.reject(new Error('refused')) });
    await expect(failing.runNow()).rejects.toThrow('refused');
    expect(failing.status()).toMatchObject({ failures: 1, runs: 0 });
  });

  it('stop waits for the run in progress, aborts its signal, and no run follows', async () => {
    const held = gate();
    let runs = 0;
    let finished = false;
    let signal: AbortSignal | undefined;
    const long = job({
      name: 'long',
      intervalMs: 5,
      runAtStart: true,
      run: async (s) => {
        runs++;
        signal = s;
        await held.opened;
        finished = true;
      },
    });
    long.start();
    await until(() => runs === 1, 'the run in progress');
    const stopping = long.stop();
    await sleep(20);
    expect(signal?.aborted).toBe(true);
    expect(finished).toBe(false);
    held.open();
    await stopping;
    expect(finished).toBe(true);
    await sleep(30);
    expect(runs).toBe(1);
  });

  it('runs again at once while the last run says so, then waits for the interval', async () => {
    const batches = [100, 100, 100, 3];
    const taken: number[] = [];
    const draining = job({
      name: 'drain',
      intervalMs: 60_000,
      runAtStart: true,
      again: (size: number) => size === 100,
      run: async () => {
        const size = batches.shift() ?? 0;
        taken.push(size);
        return size;
      },
    });
    draining.start();
    await until(() => taken.length === 4, 'four batches');
    await sleep(30);
    expect(taken).toEqual([100, 100, 100, 3]);
  });

  it('wake: a job waiting for its interval takes its turn at once; woken during a turn, it takes another right after', async () => {
    const started: number[] = [];
    const held: { gate?: ReturnType<typeof gate> } = {};
    const waking = job({
      name: 'wake',
      intervalMs: 60_000,
      run: async () => {
        started.push(started.length + 1);
        await held.gate?.opened;
      },
    });
    waking.wake();
    await sleep(20);
    expect(started).toEqual([]); // not started: nothing happens
    waking.start();
    await sleep(20);
    expect(started).toEqual([]); // the first turn is a minute away
    waking.wake();
    await until(() => started.length === 1, 'the woken turn');
    const hold = gate();
    held.gate = hold;
    waking.wake();
    await until(() => started.length === 2, 'a turn under way');
    waking.wake(); // during the turn: one more follows it
    waking.wake(); // and only one
    await sleep(20);
    expect(started).toEqual([1, 2]);
    hold.open();
    await until(() => started.length === 3, 'the turn after the one under way');
    await sleep(30);
    expect(started).toEqual([1, 2, 3]);
    expect(waking.status()).toMatchObject({ runs: 3, failures: 0 });
  });
});
