/**
 * One writer at a time per key, within a process: work for a key starts when the work queued
 * before it for the same key has settled (resolved or rejected); work for other keys runs
 * alongside. For a stream many requests append to at once (a facility's places on admission),
 * the expected-revision check then no longer makes the process's own requests race each other
 * round after round until their attempts run out; other processes still meet it, and the retry
 * policy answers them.
 *
 * Only for work that waits on nothing another turn of the same key holds: a consumer's
 * transaction (which keeps its row locks until the batch commits) must not take a turn.
 */
export class KeyedTurns {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier turn of `key` has settled; resolves or rejects as it does. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const mine = before.then(work, work);
    const tail = mine.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }

  /** Keys with work queued or running (for tests and metrics). */
  get busyKeys(): number {
    return this.tails.size;
  }
}
