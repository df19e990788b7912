import { randomUUID } from 'node:crypto';
import { HttpFailure, request, type Answer, type ErrorBody } from './http';
import type { Step } from './cases';
import type { Stack } from './stack';

export interface SendOptions {
  /** Give up after this long (the service may be restarting meanwhile). */
  timeoutMs?: number;
  /**
   * Whether a rejection of a command sent again (after a lost answer) means it was already
   * applied: asked after a 4xx that followed an attempt whose answer never came.
   */
  alreadyApplied?: () => Promise<boolean>;
}

/**
 * Sends one command over HTTP as a client that must get it through: retries with the same command
 * id while the service is down or answers 5xx (a command sent again is answered as the first time
 * and runs once: docs/adr/0010-http-idempotency-by-command-id.md); waits the Retry-After of a 409
 * NOT_YET_KNOWN_HERE (what the command needs is on its way from another service, and the answer
 * is not the command's: docs/adr/0012-not-yet-known-here.md) and sends the same command again; and
 * sends it again as a new command (a new command id: the rejection was the first one's answer)
 * while it answers a rejection listed in `step.notYet`. Any other rejection fails, unless an
 * earlier attempt lost its answer and `alreadyApplied` says the command took effect.
 */
export async function send(stack: Stack, step: Step, { timeoutMs = 120_000, alreadyApplied }: SendOptions = {}): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  let answerLost = false;
  let last: Answer | Error | undefined;
  let body = step.body;
  for (let attempt = 0; ; attempt++) {
    const url = `${stack.url(step.service)}${step.path}`;
    try {
      const answer = await request('POST', url, body);
      last = answer;
      if (answer.status < 300) return answer;
      const code = (answer.body as ErrorBody | undefined)?.code;
      if (answer.status === 409 && code === 'NOT_YET_KNOWN_HERE') {
        const seconds = answer.retryAfterSeconds ?? Number((answer.body as ErrorBody).details?.retryAfterSeconds ?? 1);
        if (Date.now() + seconds * 1000 > deadline) throw new Error(`${step.name} (${step.service} ${step.path}) still not known there after ${timeoutMs} ms: ${JSON.stringify(answer.body)}`);
        await new Promise((r) => setTimeout(r, seconds * 1000));
        continue;
      }
      const notYet = code !== undefined && (step.notYet?.includes(code) ?? false);
      if (notYet) body = { ...body, commandId: randomUUID() };
      const retry = answer.status >= 500 || notYet;
      if (!retry) {
        if (answerLost && alreadyApplied && (await alreadyApplied())) return answer;
        throw new HttpFailure('POST', url, answer);
      }
    } catch (error) {
      if (error instanceof HttpFailure) throw error;
      answerLost = true; // refused, reset or timed out: the command may or may not have been applied
      last = error as Error;
    }
    if (Date.now() > deadline) {
      const what = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`${step.name} (${step.service} ${step.path}) not accepted after ${timeoutMs} ms: ${what}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
  }
}
