import { Pool } from 'pg';
import { databaseUrl, eventually, uniqueName } from '@custody/testing';
import { PeriodicJob } from './periodic-job';

describe('PeriodicJob with an advisory lock (PostgreSQL)', () => {
  let pools: Pool[];

  beforeAll(() => {
    // Two instances: two pools, as two processes would have.
    pools = [new Pool({ connectionString: databaseUrl(), max: 2 }), new Pool({ connectionString: databaseUrl(), max: 2 })];
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  it('runs in one instance at a time: the other skips its turn while the lock is held', async () => {
    const key = uniqueName('job-lock');
    let inRun = 0;
    let overlapped = false;
    const runsBy = [0, 0];
    const jobs = pools.map((pool, instance) => new PeriodicJob({
      name: `job-${instance}`,
      intervalMs: 5,
      runAtStart: true,
      lock: { pool, key },
      run: async () => {
        inRun++;
        if (inRun > 1) overlapped = true;
        runsBy[instance]++;
        await new Promise((resolve) => setTimeout(resolve, 40));
        inRun--;
      },
    }));
    jobs.forEach((job) => job.start());
    try {
      await eventually(() => (runsBy[0] + runsBy[1] >= 8 && jobs.some((job) => job.status().skipped > 0) ? true : undefined), { timeoutMs: 10_000, message: 'runs and skipped turns' });
    } finally {
      await Promise.all(jobs.map((job) => job.stop()));
    }
    expect(overlapped).toBe(false);
    // The lock is given back after each run: nothing of it stays held once both stopped.
    const { rows } = await pools[0].query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [0x4a4f4253, key]);
    expect(rows[0].ok).toBe(true);
    await pools[0].query('SELECT pg_advisory_unlock_all()');
  });

  it('takes the lock for scheduled runs only: a run on demand goes ahead while another instance holds it', async () => {
    const key = uniqueName('job-lock');
    const client = await pools[0].connect();
    try {
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [0x4a4f4253, key]);
      let runs = 0;
      const job = new PeriodicJob({ name: 'held-elsewhere', intervalMs: 5, runAtStart: true, lock: { pool: pools[1], key }, run: async () => ++runs });
      job.start();
      await eventually(() => (job.status().skipped >= 3 ? true : undefined), { timeoutMs: 5_000, message: 'skipped turns' });
      expect(runs).toBe(0);
      await expect(job.runNow()).resolves.toBe(1);
      await job.stop();
    } finally {
      await client.query('SELECT pg_advisory_unlock_all()');
      client.release();
    }
  });
});
