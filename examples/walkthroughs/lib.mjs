// What every walk-through shares: the services' addresses, fresh identifiers, dates relative to
// now, and sending a command the way a ministry's client must (waiting where a fact is still on
// its way between services). Node ≥ 20, nothing to install: `node examples/walkthroughs/<name>.mjs`.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/** The services' base URLs: INTAKE_URL, TRANSFER_URL, CUSTODY_URL, AUDIT_URL, by default those of `npm run dev`. */
export const urls = {
  intake: process.env.INTAKE_URL ?? 'http://127.0.0.1:3101',
  transfer: process.env.TRANSFER_URL ?? 'http://127.0.0.1:3102',
  custody: process.env.CUSTODY_URL ?? 'http://127.0.0.1:3103',
  audit: process.env.AUDIT_URL ?? 'http://127.0.0.1:3104',
};

/** How long to wait for a fact to travel between services before the step counts as failed (WALKTHROUGH_TIMEOUT_SECONDS, 120). */
const timeoutMs = Number(process.env.WALKTHROUGH_TIMEOUT_SECONDS ?? 120) * 1000;

/** Extra headers for every call, e.g. WALKTHROUGH_TOKEN for a stack with authentication on. */
const authHeaders = process.env.WALKTHROUGH_TOKEN ? { authorization: `Bearer ${process.env.WALKTHROUGH_TOKEN}` } : {};

export const id = () => randomUUID();

/**
 * A clock for one walk-through: its acts are dated from `daysAgo` days back (at the whole hour)
 * forwards, never in the future and never before the step they follow (docs/domain.md, Rule 17).
 * Keeping `daysAgo` under COMMAND_LATE_RECORDING_DAYS (7 by default) means no act is recorded late.
 */
export function clockFrom(daysAgo) {
  const start = Math.floor((Date.now() - daysAgo * 86_400_000) / 3_600_000) * 3_600_000;
  return {
    /** The instant `hours` (and `minutes`) after the start of the walk-through. */
    at: (hours, minutes = 0) => {
      const t = start + hours * 3_600_000 + minutes * 60_000;
      if (t > Date.now()) throw new Error(`the walk-through dates an act in the future (${new Date(t).toISOString()})`);
      return new Date(t).toISOString();
    },
    /** The day (YYYY-MM-DD) `days` after the start (negative: before). */
    day: (days) => new Date(start + days * 86_400_000).toISOString().slice(0, 10),
  };
}

/** Whole days from one YYYY-MM-DD to another. */
export const daysBetween = (from, to) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** A failed step: the walk-through stops, naming it. */
export class StepFailed extends Error {
  constructor(step, why) {
    super(`step "${step}" failed: ${why}`);
    this.step = step;
  }
}

let stepNumber = 0;

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...authHeaders },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, retryAfter: Number(response.headers.get('retry-after') ?? 1) || 1 };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const short = (value) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text && text.length > 400 ? `${text.slice(0, 400)}…` : text;
};

/**
 * Sends one command (POST `service` `path` with `body`, the contract's command; `commandId` is
 * added when missing) and prints it and its answer. While the service answers 409
 * NOT_YET_KNOWN_HERE (what the command needs is on its way from another service:
 * docs/adr/0012-not-yet-known-here.md) it waits the Retry-After and sends the same command again;
 * while it answers one of `notYet` (codes that here only mean "not published yet") it sends it again
 * as a new command. Any other refusal stops the walk-through, naming the step.
 */
export async function send(step, service, path, body, { notYet = [] } = {}) {
  stepNumber += 1;
  const url = `${urls[service]}${path}`;
  let command = { commandId: id(), ...body };
  console.log(`\n${stepNumber}. ${step}\n   POST ${url}\n   ${short(command)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let answer;
    try {
      answer = await call('POST', url, command);
    } catch (error) {
      throw new StepFailed(step, `${service} does not answer at ${urls[service]} (${error.cause?.code ?? error.cause?.errors?.[0]?.code ?? error.message}); is the stack running (npm run dev)?`);
    }
    if (answer.status < 300) {
      const events = Array.isArray(answer.body?.events) ? answer.body.events.map((e) => e.type).join(', ') : undefined;
      console.log(`   → ${answer.status}${events ? ` ${events}` : ` ${short(answer.body)}`}`);
      return answer.body;
    }
    const code = answer.body?.code;
    const waiting = (answer.status === 409 && code === 'NOT_YET_KNOWN_HERE') || notYet.includes(code);
    if (!waiting || Date.now() + answer.retryAfter * 1000 > deadline) {
      throw new StepFailed(step, `${answer.status} ${short(answer.body)}${waiting ? ` (still after ${timeoutMs / 1000} s)` : ''}`);
    }
    console.log(`   … ${answer.status} ${code}: waiting ${answer.retryAfter} s for the fact to arrive`);
    await sleep(answer.retryAfter * 1000);
    if (code !== 'NOT_YET_KNOWN_HERE') command = { ...command, commandId: id() };
  }
}

/** GET and print one read; a status other than 200 stops the walk-through. */
export async function read(step, service, path) {
  const url = `${urls[service]}${path}`;
  const answer = await call('GET', url).catch((error) => {
    throw new StepFailed(step, `${service} does not answer at ${urls[service]} (${error.cause?.code ?? error.cause?.errors?.[0]?.code ?? error.message})`);
  });
  if (answer.status !== 200) throw new StepFailed(step, `GET ${url} → ${answer.status} ${short(answer.body)}`);
  return answer.body;
}

/** POST without a body (an operator's action, not a command), printed; a status over 299 stops the walk-through. */
export async function operate(step, service, path) {
  stepNumber += 1;
  const url = `${urls[service]}${path}`;
  console.log(`\n${stepNumber}. ${step}\n   POST ${url}`);
  const answer = await call('POST', url).catch((error) => {
    throw new StepFailed(step, `${service} does not answer at ${urls[service]} (${error.cause?.code ?? error.cause?.errors?.[0]?.code ?? error.message})`);
  });
  if (answer.status > 299) throw new StepFailed(step, `${answer.status} ${short(answer.body)}`);
  console.log(`   → ${answer.status} ${short(answer.body)}`);
  return answer.body;
}

/** Prints a step that is not an HTTP call (e.g. the auditor's CLI). */
export function announce(step, detail) {
  stepNumber += 1;
  console.log(`\n${stepNumber}. ${step}${detail ? `\n   ${detail}` : ''}`);
}

/**
 * Reads until `until(body)` holds (an event travelling between services), then prints what
 * `show(body)` picks; stops the walk-through after the timeout, naming the step and the last answer.
 */
export async function waitFor(step, service, path, until, show = (body) => body) {
  stepNumber += 1;
  console.log(`\n${stepNumber}. ${step}\n   GET ${urls[service]}${path}`);
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    const answer = await call('GET', `${urls[service]}${path}`).catch((error) => ({ status: 0, body: error.cause?.code ?? error.cause?.errors?.[0]?.code ?? error.message }));
    last = answer;
    if (answer.status === 200 && until(answer.body)) {
      console.log(`   → ${short(show(answer.body))}`);
      return answer.body;
    }
    if (Date.now() > deadline) throw new StepFailed(step, `not so after ${timeoutMs / 1000} s; last answer ${last.status} ${short(show(last.body))}`);
    await sleep(500);
  }
}

/** Whether this module is the program node was asked to run (not imported by another walk-through). */
export const isMain = (importMetaUrl) => process.argv[1] !== undefined && importMetaUrl === pathToFileURL(process.argv[1]).href;

/** Runs a walk-through as a program: exit 0 when every step passed, 1 naming the step that failed. */
export function main(name, walk) {
  walk()
    .then((facts) => {
      console.log(`\n${name}: done.`);
      // The last line: the walk-through's identifiers and outcome, for a program to read.
      if (facts) console.log(`facts: ${JSON.stringify(facts)}`);
    })
    .catch((error) => {
      console.error(`\n${name}: ${error instanceof StepFailed ? error.message : error.stack ?? error}`);
      process.exit(1);
    });
}
