import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { reject } from '@custody/contracts';
import { PostgresEventStore } from '@custody/event-store';
import { databaseUrl, uniqueSchemaName } from '@custody/testing';
import { CommandAnswers, commandIdentity, scopeOf } from './command-answers';
import { HttpCommandAnswers, type CommandAnswer } from './http-answers';

/**
 * The stored answers on PostgreSQL: an effect and its answer commit together or not at all, and
 * every send of one command hears one answer (docs/adr/0010-http-idempotency-by-command-id.md).
 * The "effect" here is a row of a table of the test, written in the same transaction as the answer.
 */
describe('the answers to commands (real PostgreSQL)', () => {
  const schema = uniqueSchemaName('answers');
  let pool: Pool;
  let answers: CommandAnswers;
  let commands: HttpCommandAnswers;

  /** Runs `work` in a transaction of its own, as a service's unit of work does. */
  const transaction = async <T>(work: (client: PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const value = await work(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };
  const effects = async (commandId: string) =>
    Number((await pool.query(`SELECT count(*) AS n FROM "${schema}".effects WHERE command_id = $1`, [commandId])).rows[0].n);
  /** A port that writes its effect and records its answer in one transaction, as the services' ports do. */
  const applying = (commandId: string, before: () => Promise<void> = async () => undefined) => async (answer: CommandAnswer) => {
    await before();
    return transaction(async (client) => {
      await client.query(`INSERT INTO "${schema}".effects (command_id) VALUES ($1)`, [commandId]);
      const body = { commandId, applied: true };
      await answer.record(client, { body, outcome: { accepted: true, eventIds: [commandId] } });
      return body;
    });
  };
  const send = (raw: Record<string, unknown>, state = 'BE', status = 201) => ({ type: 'RegisterThing', status, raw, caller: { principal: { state } as never } });

  beforeAll(async () => {
    pool = new Pool({ connectionString: databaseUrl(), max: 4 });
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(`CREATE TABLE "${schema}".effects (command_id uuid NOT NULL)`);
    answers = new CommandAnswers(pool, schema);
    await answers.migrate();
    commands = new HttpCommandAnswers(answers);
  });

  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it('records the answer with the effect, and gives it again without running the command', async () => {
    const commandId = randomUUID();
    const first = await commands.answer(send({ commandId, name: 'a' }), applying(commandId));
    let ranAgain = false;
    const second = await commands.answer(send({ name: 'a', commandId }), async () => {
      ranAgain = true;
      return {};
    });
    expect(first).toEqual({ status: 201, body: { commandId, applied: true }, replayed: false });
    expect(second).toEqual({ ...first, replayed: true });
    expect(ranAgain).toBe(false);
    expect(await effects(commandId)).toBe(1);
  });

  it('a unit of work that says it committed the answer: answered from it without reading it again; a recorded answer rolled back: read, and stored now', async () => {
    const store = new PostgresEventStore({ connection: pool, schema });
    const find = jest.spyOn(answers, 'find');
    try {
      const commandId = randomUUID();
      const body = { commandId, applied: true };
      const answered = await commands.answer(send({ commandId, name: 'c' }), (answer) =>
        store.transaction(async (tx) => {
          await tx.query(`INSERT INTO "${schema}".effects (command_id) VALUES ($1)`, [commandId]);
          await answer.record(tx, { body, outcome: { accepted: true, eventIds: [commandId] } });
          return body;
        }),
      );
      expect(answered).toEqual({ status: 201, body, replayed: false });
      // The look before it ran, and none after.
      expect(find).toHaveBeenCalledTimes(1);
      expect(await answers.find(commandId)).toMatchObject({ httpStatus: 201, httpBody: JSON.stringify(body) });

      // A first attempt records its answer and rolls back (a conflict); the second decides nothing and writes nothing.
      find.mockClear();
      const quiet = randomUUID();
      const nothing = { commandId: quiet, changed: false };
      const second = await commands.answer(send({ commandId: quiet, name: 'd' }), async (answer) => {
        await store
          .transaction(async (tx) => {
            await answer.record(tx, { body: { commandId: quiet, changed: true }, outcome: { accepted: true, eventIds: [quiet] } });
            throw new Error('another writer got there first');
          })
          .catch(() => undefined);
        return nothing;
      });
      expect(second).toEqual({ status: 201, body: nothing, replayed: false });
      expect(find).toHaveBeenCalledTimes(2);
      expect(await answers.find(quiet)).toMatchObject({ httpStatus: 201, httpBody: JSON.stringify(nothing) });
    } finally {
      find.mockRestore();
      await store.close();
    }
  });

  it('rolls the effect back when the command got an answer meanwhile (another instance won), and gives that answer', async () => {
    const commandId = randomUUID();
    const winner = commandIdentity('RegisterThing', { commandId, name: 'a' }, scopeOf('BE'));
    const other = await commands.answer(send({ commandId, name: 'a' }), applying(commandId, async () => {
      // After this send found no answer, and before its transaction: another instance stores its answer.
      await answers.insert({ ...winner, channel: 'http', outcome: { accepted: true, eventIds: ['won'] }, httpStatus: 201, httpBody: '{"won":true}' });
    }));
    expect(other).toEqual({ status: 201, body: { won: true }, replayed: true });
    expect(await effects(commandId)).toBe(0);
  });

  it('answers a send with other content, or from another state, 422 IDEMPOTENCY_KEY_REUSED without running it', async () => {
    const commandId = randomUUID();
    await commands.answer(send({ commandId, name: 'a' }), applying(commandId));
    const ran: string[] = [];
    const run = (label: string) => async () => {
      ran.push(label);
      return {};
    };
    await expect(commands.answer(send({ commandId, name: 'b' }), run('other content'))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: {} });
    await expect(commands.answer(send({ commandId, name: 'a' }, 'NL'), run('other state'))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: {} });
    expect(ran).toEqual([]);
  });

  it('records a rejection as the answer and gives it again; a conflict between writers is no answer', async () => {
    const commandId = randomUUID();
    const refused = await commands.answer(send({ commandId }), async () => {
      throw reject('INMATE_NOT_FOUND', { inmateId: 'x' });
    });
    expect(refused).toMatchObject({ status: 404, body: { code: 'INMATE_NOT_FOUND', details: { inmateId: 'x' } }, replayed: false });
    expect(await commands.answer(send({ commandId }), applying(commandId))).toEqual({ ...refused, replayed: true });
    expect(await effects(commandId)).toBe(0);

    const raced = randomUUID();
    await expect(commands.answer(send({ commandId: raced }), async () => {
      throw reject('CONCURRENCY_CONFLICT');
    })).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    expect(await commands.answer(send({ commandId: raced }), applying(raced))).toMatchObject({ status: 201, replayed: false });
  });

  it('runs 10 simultaneous sends of one command once; all hear the same answer', async () => {
    const commandId = randomUUID();
    const results = await Promise.all(Array.from({ length: 10 }, () => commands.answer(send({ commandId, name: 'a' }), applying(commandId))));
    expect(new Set(results.map((r) => JSON.stringify([r.status, r.body]))).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await effects(commandId)).toBe(1);
  });

  it('runs simultaneous sends from separate instances (no shared memory) with one effect and one answer', async () => {
    const commandId = randomUUID();
    const instances = Array.from({ length: 5 }, () => new HttpCommandAnswers(answers));
    // Each instance lets its send run up to its transaction at the same moment as the others'.
    let arrived = 0;
    let release: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (release = resolve));
    const meet = async () => {
      if (++arrived === instances.length) release();
      await together;
    };
    const results = await Promise.allSettled(instances.map((instance) => instance.answer(send({ commandId, name: 'a' }), applying(commandId, meet))));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('fulfilled'));
    const answered = results.map((r) => (r as PromiseFulfilledResult<{ status: number; body: unknown }>).value);
    expect(new Set(answered.map((r) => JSON.stringify([r.status, r.body]))).size).toBe(1);
    expect(await effects(commandId)).toBe(1);
  });
});
