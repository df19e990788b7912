import RequestQueue from 'kafkajs/src/network/requestQueue';

/** The part of kafkajs's per-connection request queue (kafkajs 2.2.4, an internal module) this fix touches. */
interface Queue {
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
}

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
 * never negative. Other warnings are untouched. Idempotent; loading kafka.ts installs it.
 */
export function armRequestChecksOnlyWhenPending(): void {
  if (installed) return;
  installed = true;
  const prototype = RequestQueue.prototype as Queue;
  const schedule = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: Queue): void {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
}
