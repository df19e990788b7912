// One trace across two services: an HTTP request to intake (a process of its own, started
// here the way `npm run dev` starts it) → intake's append → intake's relay → Kafka → the
// transfer consumer in this process, whose span must carry the trace id intake answered with.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { EXAMPLES } from '@custody/contracts';
import { addSpanProcessor } from '@custody/platform';
import { generateMasterKey } from '@custody/personal-data';
import { databaseUrl, eventually, kafkaBrokers, uniqueName, uniqueSchemaName } from '@custody/testing';
import { bootTransferApp, dropSchema, newEnvironment } from './testing/transfer-test-app';

const root = resolve(__dirname, '..', '..', '..');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('one trace per transfer, across services', () => {
  const env = newEnvironment();
  const intakeSchema = uniqueSchemaName('intake');
  const spans = new InMemorySpanExporter();
  let removeProcessor: () => void;
  let transfer: INestApplication;
  let intake: ChildProcess | undefined;
  let intakeUrl = '';
  const intakeOutput: string[] = [];

  beforeAll(async () => {
    removeProcessor = addSpanProcessor(new SimpleSpanProcessor(spans));
    transfer = await bootTransferApp(env);
    const port = await freePort();
    intakeUrl = `http://127.0.0.1:${port}`;
    intake = spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'services', 'intake', 'src', 'main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        SWC_NODE_PROJECT: join(root, 'tsconfig.base.json'),
        PORT: String(port),
        DATABASE_URL: databaseUrl(),
        DATABASE_SCHEMA: intakeSchema,
        KAFKA_BROKERS: kafkaBrokers().join(','),
        KAFKA_CLIENT_ID: uniqueName('intake'),
        KAFKA_TOPIC_PREFIX: env.prefix,
        KAFKA_GROUP_ID: uniqueName('intake-group'),
        KAFKA_PARTITIONS: '2',
        AUTH_MODE: 'off',
        COMMAND_SIGNATURES: 'off',
        EVENT_SIGNATURES: 'off',
        PERSONAL_DATA_MASTER_KEY: generateMasterKey(),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [intake.stdout!, intake.stderr!]) stream.on('data', (chunk: Buffer) => intakeOutput.push(...chunk.toString().split('\n').filter(Boolean)));
    await eventually(
      async () => {
        if (intake?.exitCode !== null) throw new Error(`intake exited:\n${intakeOutput.slice(-30).join('\n')}`);
        const response = await fetch(`${intakeUrl}/health/ready`).catch(() => undefined);
        return response?.status === 200 ? true : undefined;
      },
      { timeoutMs: 120_000, message: 'the intake process to be ready' },
    );
  }, 180_000);

  afterAll(async () => {
    if (intake && intake.exitCode === null) {
      const exited = new Promise((done) => intake!.once('exit', done));
      intake.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((done) => (timer = setTimeout(done, 20_000)))]);
      clearTimeout(timer);
      if (intake.exitCode === null) intake.kill('SIGKILL');
    }
    await transfer?.close();
    removeProcessor?.();
    await dropSchema(env.schema);
    await dropSchema(intakeSchema);
  }, 60_000);

  it('the transfer consumer continues the trace of the HTTP request that registered the inmate in intake', async () => {
    const inmateId = randomUUID();
    const example = EXAMPLES.RegisterInmate as { identity: { documents: Array<Record<string, unknown>> } } & Record<string, unknown>;
    const body = {
      ...example,
      commandId: randomUUID(),
      // Registered now: the intake process runs with the default COMMAND_LATE_RECORDING_DAYS (docs/domain.md, Rule 17).
      occurredAt: new Date().toISOString(),
      inmateId,
      identity: { ...example.identity, documents: example.identity.documents.map((d) => ({ ...d, number: uniqueName('DOC') })) },
    };
    const response = await fetch(`${intakeUrl}/inmates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(201);
    const traceId = response.headers.get('x-trace-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const consumed = await eventually(
      () => spans.getFinishedSpans().find((s) => s.name === 'consume InmateRegistered' && s.attributes['service.name'] === 'transfer'),
      { timeoutMs: 90_000, message: 'the transfer consumer to handle InmateRegistered' },
    );
    expect(consumed.spanContext().traceId).toBe(traceId);
    expect(consumed.parentSpanContext?.traceId).toBe(traceId);

    // intake's log lines of the request carry the same trace id, and no personal data.
    const requestLine = await eventually(
      () => intakeOutput.map((line) => { try { return JSON.parse(line) as Record<string, unknown>; } catch { return undefined; } })
        .find((line) => line?.trace_id === traceId && (line.req as { path?: string } | undefined)?.path === '/inmates'),
      { timeoutMs: 10_000, message: 'intake to log the request with its trace id' },
    );
    expect(requestLine).toMatchObject({ service: 'intake', msg: 'request completed' });
    const familyName = JSON.stringify(example.identity).match(/"familyName":"([^"]+)"/)?.[1];
    expect(familyName).toBeDefined();
    expect(intakeOutput.join('\n')).not.toContain(familyName);
  }, 150_000);
});
