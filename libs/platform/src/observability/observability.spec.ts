import { Writable } from 'node:stream';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import request from 'supertest';
import { MemoryEventStore } from '@custody/event-store';
import { MessagingHost } from '@custody/messaging';
import { CommandRejection } from '@custody/contracts';
import { handleCommand, type Decider } from '@custody/event-sourcing';
import { observedCommand } from '../command-context';
import { HealthModule } from '../health.module';
import { runObserved } from './context';
import { pinoSettings } from './logging';
import { ServiceMetrics } from './metrics';
import { logLevelFor, ObservabilityModule, observe, useObservability } from './observability.module';
import { addSpanProcessor, currentTraceparent, tracer } from './tracing';

@Controller('ping')
class PingController {
  @Get()
  ping() {
    return { traceparent: currentTraceparent() };
  }
}

@Module({ imports: [HealthModule.forService('example')], controllers: [PingController] })
class ExampleModule {}

async function createExampleApp() {
  const app = await NestFactory.create(observe(ObservabilityModule.forService('example', { logLevel: 'silent' }), { module: ExampleModule }), { bufferLogs: true });
  useObservability(app);
  await app.init();
  return app;
}

describe('observability of an application', () => {
  const spans = new InMemorySpanExporter();
  let remove: () => void;

  beforeAll(() => {
    remove = addSpanProcessor(new SimpleSpanProcessor(spans));
  });

  afterAll(() => remove());

  it('creates the application twice in one process: each has its own metrics registry on /metrics', async () => {
    const first = await createExampleApp();
    const second = await createExampleApp();
    try {
      for (const app of [first, second]) {
        const response = await request(app.getHttpServer()).get('/metrics').expect(200);
        expect(response.headers['content-type']).toMatch(/^text\/plain/);
        expect(response.text).toContain('custody_commands_total');
        expect(response.text).toContain('process_cpu_user_seconds_total{service="example"}');
      }
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('times each HTTP request by method, route pattern and status class on /metrics', async () => {
    const app = await createExampleApp();
    try {
      await request(app.getHttpServer()).get('/ping').expect(200);
      await request(app.getHttpServer()).get('/ping').expect(200);
      await request(app.getHttpServer()).get('/no-such-route').expect(404);
      const { text } = await request(app.getHttpServer()).get('/metrics').expect(200);
      const count = (labels: RegExp) =>
        text.split('\n').filter((line) => line.startsWith('custody_http_request_duration_seconds_count{') && labels.test(line)).map((line) => Number(line.split(' ').pop()));
      expect(count(/method="GET".*route="\/ping".*status="2xx"/)).toEqual([2]);
      // A path no route matches is counted under the pattern of the framework's not-found route, never its own path.
      expect(count(/method="GET".*status="4xx"/)).toEqual([1]);
      expect(text).not.toContain('no-such-route');
    } finally {
      await app.close();
    }
  });

  it('answers /health as before, /health/live, and /health/ready with nothing to check', async () => {
    const app = await createExampleApp();
    try {
      await request(app.getHttpServer()).get('/health').expect(200, { status: 'ok', service: 'example' });
      const live = await request(app.getHttpServer()).get('/health/live').expect(200);
      expect(live.body).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
      const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(ready.body.status).toBe('ok');
    } finally {
      await app.close();
    }
  });

  it('continues the caller\'s trace in a server span, and answers with the trace and correlation ids', async () => {
    const app = await createExampleApp();
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const response = await request(app.getHttpServer())
        .get('/ping')
        .set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`)
        .set('x-correlation-id', 'corr-1')
        .expect(200);
      expect(response.headers['x-trace-id']).toBe(traceId);
      expect(response.headers['x-correlation-id']).toBe('corr-1');
      expect(response.body.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      const server = spans.getFinishedSpans().find((s) => s.spanContext().traceId === traceId);
      expect(server?.name).toBe('GET /ping');
      expect(server?.attributes['http.response.status_code']).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('readiness', () => {
  async function appWith(messaging: object) {
    @Module({ imports: [HealthModule.forService('example')], providers: [{ provide: MessagingHost, useValue: messaging }] })
    class WithMessaging {}
    const app = await NestFactory.create(observe(ObservabilityModule.forService('example', { logLevel: 'silent', env: { READY_MAX_RELAY_LAG_SECONDS: '30', READY_MAX_CONSUMER_BLOCKED_SECONDS: '20' } }), { module: WithMessaging }), { bufferLogs: true });
    useObservability(app);
    await app.init();
    return app;
  }
  const joined = { groupId: 'g', connected: true, joined: true, assignment: { t: [0, 1] }, blocked: [] };
  /** The consumer waiting on offset 7 of partition 1 for `seconds`, its database out of reach. */
  const waiting = (seconds: number) => ({
    ...joined,
    blocked: [{
      topic: 't', partition: 1, offset: '7', eventId: 'e-7', type: 'InmateRegistered', since: new Date(Date.now() - seconds * 1000).toISOString(),
      seconds, failures: 4, code: 'ECONNREFUSED', error: 'connect ECONNREFUSED 127.0.0.1:5432',
    }],
  });
  const relay = (secondsBehind: number) => ({
    pendingEvents: secondsBehind > 0 ? 3 : 0,
    oldestPendingRecordedAt: secondsBehind > 0 ? new Date(Date.now() - secondsBehind * 1000).toISOString() : undefined,
    lastLagSeconds: 0,
    published: 10,
    rejected: 0,
    isActive: true,
  });
  const host = (consumer: object | undefined, relayStatus: object | undefined) => ({
    consumerStatus: () => consumer,
    relayStatus: () => relayStatus,
    consumerLag: async () => [{ topic: 't', partition: 0, lag: 4 }],
    addOutcomeListener: () => undefined,
    addRevisionGapListener: () => undefined,
    addHandlerInterceptor: () => undefined,
  });

  it('is ready when the consumer has joined its group and the relay keeps up; /metrics shows the lags', async () => {
    const app = await appWith(host(joined, relay(2)));
    try {
      const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(ready.body.info).toMatchObject({ consumer: { status: 'up', assignment: { t: [0, 1] } }, relay: { status: 'up', pendingEvents: 3 } });
      const { text } = await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(text).toContain('custody_relay_lag_events{service="example"} 3');
      expect(text).toContain('custody_consumer_lag{topic="t",partition="0",service="example"} 4');
    } finally {
      await app.close();
    }
  });

  it('is not ready (503, naming the check) while the consumer has not joined, or the relay is further behind than allowed', async () => {
    for (const [messaging, failing] of [
      [host({ ...joined, joined: false, assignment: {} }, relay(0)), 'consumer'],
      [host(joined, relay(45)), 'relay'],
    ] as const) {
      const app = await appWith(messaging);
      try {
        const response = await request(app.getHttpServer()).get('/health/ready').expect(503);
        expect(response.body.status).toBe('error');
        expect(Object.keys(response.body.error)).toEqual([failing]);
        await request(app.getHttpServer()).get('/health/live').expect(200);
      } finally {
        await app.close();
      }
    }
  });

  it('stays ready while the consumer waits on a message for less than READY_MAX_CONSUMER_BLOCKED_SECONDS, and turns unready past it, naming the message; /metrics shows the wait per partition', async () => {
    const briefly = await appWith(host(waiting(5), relay(0)));
    try {
      const ready = await request(briefly.getHttpServer()).get('/health/ready').expect(200);
      expect(ready.body.info.consumer).toMatchObject({ status: 'up', blocked: [{ topic: 't', partition: 1, offset: '7', eventId: 'e-7', seconds: 5, code: 'ECONNREFUSED' }], maxBlockedSeconds: 20 });
      const { text } = await request(briefly.getHttpServer()).get('/metrics').expect(200);
      expect(text).toContain('custody_consumer_blocked_seconds{topic="t",partition="0",service="example"} 0');
      expect(text).toContain('custody_consumer_blocked_seconds{topic="t",partition="1",service="example"} 5');
    } finally {
      await briefly.close();
    }
    const long = await appWith(host(waiting(25), relay(0)));
    try {
      const response = await request(long.getHttpServer()).get('/health/ready').expect(503);
      expect(Object.keys(response.body.error)).toEqual(['consumer']);
      expect(response.body.error.consumer).toMatchObject({ status: 'down', connected: true, joined: true, blocked: [{ offset: '7', type: 'InmateRegistered', seconds: 25 }] });
      await request(long.getHttpServer()).get('/health/live').expect(200);
    } finally {
      await long.close();
    }
  });

  it('is not ready when the relay reads nothing but the store holds events it has not published for longer than allowed; /metrics shows the distance', async () => {
    const stalled = {
      pendingEvents: 0,
      lastLagSeconds: 0,
      published: 10,
      rejected: 0,
      isActive: true,
      behindEvents: 12,
      oldestUnpublishedAt: new Date(Date.now() - 45_000).toISOString(),
    };
    const app = await appWith(host(joined, stalled));
    try {
      const response = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(Object.keys(response.body.error)).toEqual(['relay']);
      expect(response.body.error.relay).toMatchObject({ status: 'down', pendingEvents: 0, behindEvents: 12, maxLagSeconds: 30 });
      expect(response.body.error.relay.lagSeconds).toBeGreaterThanOrEqual(45);
      const { text } = await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(text).toContain('custody_relay_lag_head_events{service="example"} 12');
      expect(text).toContain('custody_relay_lag_events{service="example"} 0');
      const seconds = Number(/custody_relay_lag_seconds\{service="example"\} ([0-9.]+)/.exec(text)?.[1]);
      expect(seconds).toBeGreaterThanOrEqual(45);
    } finally {
      await app.close();
    }
    const caughtUp = await appWith(host(joined, { ...stalled, behindEvents: 0, oldestUnpublishedAt: undefined }));
    try {
      await request(caughtUp.getHttpServer()).get('/health/ready').expect(200);
    } finally {
      await caughtUp.close();
    }
  });
});

describe('the write path under observation', () => {
  type Event = { type: 'Counted'; data: { by: number } };
  type Command = { type: 'Count'; by: number; limit: number };
  const counter: Decider<Command, Event, { total: number }> = {
    initialState: () => ({ total: 0 }),
    evolve: (state, event) => ({ total: state.total + event.data.by }),
    decide: (command, state) => {
      if (state.total + command.by > command.limit) throw new CommandRejection('CAPACITY_EXHAUSTED', 'The limit is reached.');
      return [{ type: 'Counted', data: { by: command.by } }];
    },
  };

  it('stores the active traceparent in the event metadata, and counts accepted and rejected commands with the append latency', async () => {
    const remove = addSpanProcessor(new SimpleSpanProcessor(new InMemorySpanExporter()));
    const store = new MemoryEventStore();
    const metrics = new ServiceMetrics('example');
    const span = tracer().startSpan('request');
    try {
      await context.with(trace.setSpan(context.active(), span), () =>
        runObserved({ service: 'example', recorder: metrics }, async () => {
          await handleCommand(store, 'counter-1', counter, { type: 'Count', by: 2, limit: 3 }, observedCommand({ correlationId: 'c', occurredAt: '2026-11-29T10:00:00.000Z' }));
          await expect(
            handleCommand(store, 'counter-1', counter, { type: 'Count', by: 2, limit: 3 }, observedCommand({ correlationId: 'c', occurredAt: '2026-11-29T10:00:00.000Z' })),
          ).rejects.toThrow(CommandRejection);
        }),
      );
    } finally {
      span.end();
      remove();
    }
    const events = [];
    for await (const event of store.readStream('counter-1')) events.push(event);
    const [event] = events;
    expect(event.metadata.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    const text = await metrics.registry.metrics();
    expect(text).toContain('custody_commands_total{type="Count",outcome="accepted",code="",service="example"} 1');
    expect(text).toContain('custody_commands_total{type="Count",outcome="rejected",code="CAPACITY_EXHAUSTED",service="example"} 1');
    expect(text).toContain('custody_append_duration_seconds_count{service="example",category="counter"} 1');
  });
});

describe('log lines', () => {
  function capture(level = 'info') {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const settings = pinoSettings('example', level).pinoHttp as pino.LoggerOptions;
    return { logger: pino(settings, sink), lines };
  }

  it('are JSON with the service, the correlation id and the trace id of the context', async () => {
    const remove = addSpanProcessor(new SimpleSpanProcessor(new InMemorySpanExporter()));
    const { logger, lines } = capture();
    const span = tracer().startSpan('handler');
    context.with(trace.setSpan(context.active(), span), () => runObserved({ service: 'example', correlationId: 'corr-7' }, () => logger.info('event handled')));
    span.end();
    remove();
    expect(lines[0]).toMatchObject({ service: 'example', msg: 'event handled', correlation_id: 'corr-7', trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
  });

  it('never carry personal data', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        identity: { names: ['Ana'], dateOfBirth: '1990-01-01' },
        data: { identity: { documents: [{ number: 'X1' }] }, health: 'diabetic', inmateId: 'i-1' },
        event: { data: { dateOfBirth: '1990-01-01', names: ['Ana'] } },
      },
      'registered',
    );
    const text = JSON.stringify(lines[0]);
    for (const personal of ['Ana', '1990-01-01', 'X1', 'diabetic']) expect(text).not.toContain(personal);
    expect(text).toContain('i-1');
  });

  it('follow the levels a test asks of the app factory', () => {
    expect(logLevelFor(undefined, 'debug')).toBe('debug');
    expect(logLevelFor(['error', 'warn'], 'info')).toBe('warn');
    expect(logLevelFor(false, 'info')).toBe('silent');
  });
});
