// A clean start is quiet: the four services started at once, as `npm run dev` starts them, on
// topics and schemas nobody created before, print nothing at warn level or above (their own pino
// lines, kafkajs's lines, Nest's) and no process warning (a Node deprecation, TimeoutNegativeWarning)
// until they are ready and have stopped again. Each listens on the loopback interface only,
// unless HTTP_HOST says otherwise (docs/configuration.md).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { eventually, request } from './harness/http';
import { Stack } from './harness/stack';
import { SERVICE_NAMES } from './harness/service-process';

/** pino's numeric levels; kafkajs writes its own names in capitals (ERROR, WARN, INFO, DEBUG). */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, nothing: 0 };
const WARN = 40;

/**
 * The lines of a log at warn level or above, and every line that is not a structured log line
 * (a process warning on standard error, a stack trace, anything printed past the logger).
 */
function loudLines(log: string): string[] {
  return log.split('\n').filter((line) => {
    if (line.trim() === '' || line.startsWith('===== start #')) return false;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      return true;
    }
    if (typeof entry !== 'object' || entry === null) return true;
    const level = (entry as { level?: unknown }).level;
    const severity = typeof level === 'number' ? level : typeof level === 'string' ? LEVELS[level.toLowerCase()] : undefined;
    return severity === undefined || severity >= WARN;
  });
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.setTimeout(5_000, () => (socket.destroy(), done(false)));
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

describe('A clean start of the four services', () => {
  let stack: Stack | undefined;
  const logs: Record<string, string> = {};

  beforeAll(async () => {
    // No HTTP_HOST: the services' own default, as under npm run dev.
    stack = await Stack.start({ label: 'clean-start', together: true });
    for (const p of stack.all()) {
      await eventually(async () => ((await request('GET', `${p.url}/health/ready`)).status === 200 ? true : undefined), {
        timeoutMs: 120_000,
        message: `${p.label} ready`,
      });
    }
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('listens on 127.0.0.1 unless told otherwise: another loopback address of the same machine is refused', async () => {
    for (const p of stack!.all()) {
      // Linux routes all of 127.0.0.0/8 to the loopback interface: a socket bound to every address
      // (0.0.0.0) accepts 127.0.0.2, one bound to 127.0.0.1 does not.
      expect({ service: p.label, on127001: await accepts('127.0.0.1', p.port), on127002: await accepts('127.0.0.2', p.port) }).toEqual({
        service: p.label,
        on127001: true,
        on127002: false,
      });
    }
  });

  it('prints no line at warn level or above and no process warning, from the start until it has stopped', async () => {
    await stack!.stop();
    for (const p of stack!.all()) logs[p.label] = readFileSync(p.logFile, 'utf8');
    stack = undefined;
    for (const name of SERVICE_NAMES) {
      expect(logs[name]).toMatch(new RegExp(`"msg":"${name} listening on 127\\.0\\.0\\.1:\\d+"`));
    }
    expect(Object.fromEntries(Object.entries(logs).map(([service, log]) => [service, loudLines(log)]))).toEqual(
      Object.fromEntries(SERVICE_NAMES.map((name) => [name, []])),
    );
  });
});
