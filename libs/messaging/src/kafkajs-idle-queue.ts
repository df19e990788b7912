import RequestQueue from 'kafkajs/src/network/requestQueue';

let installed = false;

/**
 * Arms kafkajs's check of a connection's pending requests only when a request is pending.
 *
 * kafkajs 2.2.4 (in maintenance: no release will fix it) schedules that check again after each
 * check and each response, pending or not, with a delay of `throttledUntil - Date.now()`; unless
 * the broker throttled the client, `throttledUntil` is -1, and the delay a large negative number.
 * Node 24 warns about it (TimeoutNegativeWarning, "Timeout duration was set to 1") and runs the
 * check after 1 ms, which schedules the next: every idle connection woke about 800 times a second
 * to find nothing to send. With nothing pending there is nothing to check: a request queued later
 * arms its own check (kafkajs's `push`), and every response checks the queue (`fulfillRequest`).
 * With a request pending, kafkajs's own delay applies unchanged (the throttle's end, else 10 ms),
 * never negative. Other warnings are untouched. Idempotent.
 */
export function armRequestChecksOnlyWhenPending(): void {
  if (installed) return;
  installed = true;
  const prototype = RequestQueue.prototype;
  const schedule = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: typeof prototype): void {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
}

// Installed as soon as this module is loaded: by kafka.ts, our seam over kafkajs, for every client
// of the process; and by the integration tests' setup (tools/jest/config.js) for the plain kafkajs
// clients of the testing library in suites that never load the seam.
armRequestChecksOnlyWhenPending();
