import { KeyedTurns } from './turns';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedTurns', () => {
  it('runs the work of one key one at a time, in the order it came, whatever each one\'s outcome', async () => {
    const turns = new KeyedTurns();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const work = (name: string, fail = false) => async () => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${name}`);
      await tick();
      await tick();
      log.push(`end ${name}`);
      running--;
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([turns.run('f', work('a')), turns.run('f', work('b', true)), turns.run('f', work('c'))]);
    expect(most).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseFulfilledResult<string>).value).toBe('c');
    expect(turns.busyKeys).toBe(0);
  });

  it('runs the work of different keys alongside', async () => {
    const turns = new KeyedTurns();
    let running = 0;
    let most = 0;
    const work = async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    };
    await Promise.all([turns.run('a', work), turns.run('b', work), turns.run('c', work)]);
    expect(most).toBe(3);
  });
});
