import {
  type ArgumentsHost, Catch, Controller, type DynamicModule, type ExceptionFilter, Inject, Injectable, type INestApplication, Module, type OnModuleDestroy, type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DEAD_LETTER_HEADERS } from '@custody/contracts';
import { PostgresEventStore, type PostgresTransaction } from '@custody/event-store';
import { databaseUrl, eventually, uniqueName } from '@custody/testing';
import type { IHeaders } from 'kafkajs';
import { Pool } from 'pg';
import { defer, delay, from, type Observable, of } from 'rxjs';
import type { DecodedEvent } from '../codec';
import { contractDecoder, contractRoute } from '../contract-codec';
import { EventConsumer, type ConsumerOutcome, type HandlerContext, PermanentHandlerError } from '../consumer';
import { PostgresInbox } from '../inbox';
import { Relay } from '../relay';
import { inmateRegistered } from '../testing/events';
import { Harness } from '../testing/harness';
import { deadLetterTopic, ensureDeadLetterTopics } from '../topics';
import { KafkaTransportError } from './kafka-inbox.server';
import { kafkaTransport, MessagingHost, MessagingModule, type MessagingOptions } from './messaging.module';

const DATABASE = Symbol('DATABASE');

/** The service's pool and the event store on it. */
interface Database {
  pool: Pool;
  store: PostgresEventStore;
}
const timeline: string[] = [];
let slowEventId = '';

/** The service's database, closed the way many services do it: in onModuleDestroy (the earliest hook). */
@Injectable()
class DatabaseLifecycle implements OnModuleDestroy {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async onModuleDestroy(): Promise<void> {
    timeline.push('database closing');
    await this.database.store.close();
    await this.database.pool.end();
  }
}

@Module({})
class DatabaseModule {
  static forSchema(schema: string) {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DATABASE,
          useFactory: (): Database => {
            const pool = new Pool({ connectionString: databaseUrl(), max: 5 });
            return { pool, store: new PostgresEventStore({ connection: pool, schema, pollIntervalMs: 200 }) };
          },
        },
        DatabaseLifecycle,
      ],
      exports: [DATABASE],
    };
  }
}

@Controller()
class InmateProjector {
  @EventPattern('InmateRegistered')
  async onRegistered(@Payload() event: DecodedEvent, @Ctx() { tx }: HandlerContext<PostgresTransaction>): Promise<void> {
    timeline.push(`handler started ${event.id}`);
    if (event.id === slowEventId) await new Promise((resolve) => setTimeout(resolve, 1_500));
    await tx.query(`INSERT INTO "${tx.schema}".effects (event_id, subject, type) VALUES ($1, $2, $3)`, [event.id, event.subject, event.type]);
    timeline.push(`handler finished ${event.id}`);
  }
}

/** The application's messaging on the harness's schema and topic, with this consumer group. */
function messagingOf(h: Harness, groupId: string, onOutcome?: (outcome: ConsumerOutcome) => void): DynamicModule {
  return MessagingModule.forRootAsync({
    imports: [DatabaseModule.forSchema(h.db.schema)],
    inject: [DATABASE],
    useFactory: ({ store, pool }: Database): MessagingOptions<PostgresTransaction> => ({
      kafka: { brokers: h.brokers, clientId: uniqueName('nest') },
      topics: [{ topic: h.topic, partitions: 3, replicationFactor: 1 }],
      consumer: {
        groupId,
        topics: [h.topic],
        decoder: contractDecoder(h.names),
        inbox: new PostgresInbox(store, h.db.schema),
        retry: { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 100 },
        onOutcome,
      },
      relay: { name: 'intake', store, pool, schema: h.db.schema, route: contractRoute(h.names, { store }) },
    }),
  });
}

/** An error filter written for HTTP answers, as a service's global one: it knows nothing of Kafka (and fails on it). */
@Catch()
class HttpAnswerFilter implements ExceptionFilter {
  catch(_error: unknown, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>().status(500).json({ code: 'PROCESSING_FAILED' });
  }
}

/** An error filter that answers every error, on Kafka with nothing: it would make a failure look like a success. */
@Catch()
class SwallowingFilter implements ExceptionFilter {
  catch(): Observable<undefined> {
    return of(undefined);
  }
}

/** An HTTP application with the Kafka transport connected the way the services' createApp does it, not started. */
async function createHybridApp(handlers: Type[], messaging: DynamicModule, filter: ExceptionFilter = new HttpAnswerFilter()): Promise<INestApplication> {
  @Module({ imports: [messaging], controllers: handlers })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: ['error'] });
  app.useGlobalFilters(filter);
  const strategy = kafkaTransport(app);
  if (!strategy) throw new Error('MessagingModule with a consumer provides a Kafka transport');
  app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  return app;
}

describe('MessagingModule in a Nest application', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('nest');
  });

  /** An application a failed test left running: closed here, so that its consumer cannot keep the run alive. */
  let running: INestApplication | undefined;

  afterAll(async () => {
    jest.restoreAllMocks();
    await running?.close().catch(() => undefined);
    await h?.close();
  });

  it('carries an event store → relay → Kafka → transport → @EventPattern handler, and app.close() stops the consumer (in-flight work committed), then the relay, before the database closes', async () => {
    const stop = EventConsumer.prototype.stop;
    jest.spyOn(EventConsumer.prototype, 'stop').mockImplementation(async function (this: EventConsumer<never>) {
      timeline.push('consumer stopping');
      await stop.call(this);
      timeline.push('consumer stopped');
    });
    const stopRelay = Relay.prototype.stop;
    jest.spyOn(Relay.prototype, 'stop').mockImplementation(async function (this: Relay) {
      timeline.push('relay stopping');
      await stopRelay.call(this);
    });

    const app = await createHybridApp([InmateProjector], messagingOf(h, uniqueName('nest-group')));
    running = app;
    await app.init();
    await app.startAllMicroservices();

    const first = inmateRegistered();
    await h.append([first]);
    await eventually(async () => ((await h.effects()).some((e) => e.event_id === first.id) ? true : undefined), {
      timeoutMs: 60_000,
      message: 'the first event to reach its @EventPattern handler',
    });

    const slow = inmateRegistered();
    slowEventId = slow.id;
    await h.append([slow]);
    await eventually(() => (timeline.includes(`handler started ${slow.id}`) ? true : undefined), { timeoutMs: 60_000, message: 'the slow handler to start' });
    running = undefined;
    await app.close();

    const order = (entry: string) => timeline.indexOf(entry);
    expect(order('consumer stopping')).toBeGreaterThan(-1);
    expect(order(`handler finished ${slow.id}`)).toBeGreaterThan(order('consumer stopping'));
    expect(order('consumer stopped')).toBeGreaterThan(order(`handler finished ${slow.id}`));
    expect(order('relay stopping')).toBeGreaterThan(order('consumer stopped'));
    expect(order('database closing')).toBeGreaterThan(order('relay stopping'));
    // The in-flight work was committed, with its inbox entry.
    expect((await h.effects()).map((e) => e.event_id)).toEqual([first.id, slow.id]);
    expect(await h.inboxCount()).toBe(2);
  }, 120_000);
});

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

/** What each event of the failure test does in its handler, by event id. */
const behaviour = new Map<string, 'flaky' | 'failing' | 'permanent' | 'observable'>();
const attempts = new Map<string, number[]>();

const recordEffect = (tx: PostgresTransaction, event: DecodedEvent) =>
  tx.query(`INSERT INTO "${tx.schema}".effects (event_id, subject, type) VALUES ($1, $2, $3)`, [event.id, event.subject, event.type]);

@Controller()
class FaultyProjector {
  @EventPattern('InmateRegistered')
  onRegistered(@Payload() event: DecodedEvent, @Ctx() { tx, attempt }: HandlerContext<PostgresTransaction>): Promise<void> | Observable<unknown> {
    attempts.set(event.id, [...(attempts.get(event.id) ?? []), attempt]);
    const kind = behaviour.get(event.id);
    // Its effect is written later than the handler returns: the transaction must wait for it.
    if (kind === 'observable') return defer(() => from(recordEffect(tx, event))).pipe(delay(300));
    return (async () => {
      if (kind === 'permanent') throw new PermanentHandlerError('INMATE_UNKNOWN', 'no such inmate in this service');
      await recordEffect(tx, event);
      if (kind === 'failing') throw new Error('the facility register is unreachable');
      if (kind === 'flaky' && attempt < 3) throw new Error(`the facility register is busy (attempt ${attempt})`);
    })();
  }
}

@Controller()
class SecondProjector {
  @EventPattern('InmateRegistered')
  onRegistered(): void {}
}

describe('the Kafka transport: handlers errors and results reach the consumer as before', () => {
  const worlds: Harness[] = [];
  const closers: Array<() => Promise<unknown>> = [];

  /** A world of its own (schema, topic) and what lands on its dead-letter topic. */
  async function world(label: string): Promise<{ h: Harness; deadLetters: Array<{ headers: Record<string, string> }> }> {
    const h = await Harness.create(label);
    worlds.push(h);
    const deadLetters: Array<{ headers: Record<string, string> }> = [];
    const reader = h.kafka.consumer({ groupId: uniqueName('dlq-reader') });
    await reader.connect();
    // The consumer makes the dead-letter topic at start too; the reader needs it before.
    await ensureDeadLetterTopics(h.kafka, [h.topic]);
    await reader.subscribe({ topic: deadLetterTopic(h.topic), fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void deadLetters.push({ headers: text(message.headers) }) });
    closers.push(() => reader.disconnect());
    return { h, deadLetters };
  }

  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
    for (const h of worlds) await h.close();
  });

  it.each([
    ['written for HTTP', () => new HttpAnswerFilter()],
    ['that swallows errors', () => new SwallowingFilter()],
  ])('through a global exception filter %s: a failing handler is retried then dead-lettered with HANDLER_FAILED, a PermanentHandlerError at once with its code, a flaky one commits on its third attempt, an Observable is awaited; each effect commits with its inbox entry or not at all', async (_name, filter) => {
    const { h, deadLetters } = await world('nest-faults');
    const outcomes: ConsumerOutcome[] = [];
    const app = await createHybridApp([FaultyProjector], messagingOf(h, uniqueName('nest-faults'), (outcome) => outcomes.push(outcome)), filter());
    await app.init();
    await app.startAllMicroservices();
    try {
      const [failing, permanent, flaky, observable] = [inmateRegistered(), inmateRegistered(), inmateRegistered(), inmateRegistered()];
      behaviour.set(failing.id, 'failing').set(permanent.id, 'permanent').set(flaky.id, 'flaky').set(observable.id, 'observable');
      await h.append([failing, permanent, flaky, observable]);

      const deadFailing = await eventually(() => deadLetters.find((d) => d.headers.ce_id === failing.id), { timeoutMs: 60_000, message: 'the HANDLER_FAILED dead letter' });
      expect(deadFailing.headers[DEAD_LETTER_HEADERS.code]).toBe('HANDLER_FAILED');
      // The handler's own error, not the exception filter's answer nor Nest's "Internal server error".
      expect(deadFailing.headers[DEAD_LETTER_HEADERS.reason]).toContain('the facility register is unreachable');
      expect(deadFailing.headers[DEAD_LETTER_HEADERS.attempts]).toBe('4');
      expect(attempts.get(failing.id)).toEqual([1, 2, 3, 4]);

      const deadPermanent = await eventually(() => deadLetters.find((d) => d.headers.ce_id === permanent.id), { timeoutMs: 60_000, message: 'the permanent failure dead letter' });
      expect(deadPermanent.headers[DEAD_LETTER_HEADERS.code]).toBe('INMATE_UNKNOWN');
      expect(deadPermanent.headers[DEAD_LETTER_HEADERS.attempts]).toBe('1');
      // (Tried once more alone when it failed behind others of its transaction batch: still attempt 1.)
      expect(new Set(attempts.get(permanent.id))).toEqual(new Set([1]));

      await eventually(() => (outcomes.filter((o) => o.kind === 'processed').length >= 2 ? true : undefined), { timeoutMs: 60_000, message: 'the flaky and the observable events processed' });
      expect(attempts.get(flaky.id)).toEqual([1, 2, 3]);
      expect(attempts.get(observable.id)).toEqual([1]);

      // Rolled-back attempts leave no effect and no inbox entry; a committed one leaves exactly one of each.
      const ours = new Set([failing.id, permanent.id, flaky.id, observable.id]);
      const effects = (await h.effects()).map((e) => e.event_id).filter((id) => ours.has(id));
      expect(effects.sort()).toEqual([flaky.id, observable.id].sort());
      const { rows } = await h.db.pool.query<{ event_id: string }>(`SELECT event_id FROM "${h.db.schema}".inbox`);
      expect(rows.map((r) => r.event_id).filter((id) => ours.has(id)).sort()).toEqual([flaky.id, observable.id].sort());
    } finally {
      await app.close();
    }
  }, 120_000);

  it('finds no transport in an application without MessagingModule (e.g. a service run without Kafka)', async () => {
    @Module({})
    class WithoutKafka {}
    const app = await NestFactory.create(WithoutKafka, { logger: false });
    expect(kafkaTransport(app)).toBeUndefined();
    await app.close();
  });

  it('refuses two handlers of one type, and a start before the application is initialised', async () => {
    const { h } = await world('nest-refusals');
    const duplicated = await createHybridApp([InmateProjector, SecondProjector], messagingOf(h, uniqueName('nest-twice')));
    try {
      await duplicated.init();
      await expect(duplicated.startAllMicroservices()).rejects.toMatchObject({ code: 'DUPLICATE_HANDLER' });
    } finally {
      await duplicated.close();
    }

    const earlyGroup = uniqueName('nest-early');
    const early = await createHybridApp([InmateProjector], messagingOf(h, earlyGroup));
    // Not started: readiness sees a consumer that is neither connected nor joined.
    expect(early.get(MessagingHost).consumerStatus()).toEqual({ groupId: earlyGroup, connected: false, joined: false, assignment: {}, blocked: [] });
    try {
      const started = early.startAllMicroservices();
      await expect(started).rejects.toBeInstanceOf(KafkaTransportError);
      await expect(started).rejects.toMatchObject({ code: 'NOT_BOOTSTRAPPED' });
    } finally {
      await early.close();
    }
  }, 60_000);
});
