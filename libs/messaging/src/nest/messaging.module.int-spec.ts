import { Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PostgresEventStore, type PostgresTransaction } from '@custody/event-store';
import { databaseUrl, eventually, uniqueName } from '@custody/testing';
import { Pool } from 'pg';
import type { DecodedEvent } from '../codec';
import { contractDecoder, contractRoute } from '../contract-codec';
import { EventConsumer, type HandlerContext } from '../consumer';
import { PostgresInbox } from '../inbox';
import { inmateRegistered } from '../testing/events';
import { Harness } from '../testing/harness';
import { MessagingModule, type MessagingOptions } from './messaging.module';
import { OnEvent } from './on-event.decorator';

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

@Injectable()
class InmateProjector {
  @OnEvent('InmateRegistered')
  async onRegistered(event: DecodedEvent, { tx }: HandlerContext<PostgresTransaction>): Promise<void> {
    timeline.push(`handler started ${event.id}`);
    if (event.id === slowEventId) await new Promise((resolve) => setTimeout(resolve, 1_500));
    await tx.query(`INSERT INTO "${tx.schema}".effects (event_id, subject, type) VALUES ($1, $2, $3)`, [event.id, event.subject, event.type]);
    timeline.push(`handler finished ${event.id}`);
  }
}

describe('MessagingModule in a Nest application', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('nest');
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await h?.close();
  });

  it('carries an event store → relay → Kafka → consumer → @OnEvent handler, and app.close() stops the consumer (in-flight work committed) before the database closes', async () => {
    const stop = EventConsumer.prototype.stop;
    jest.spyOn(EventConsumer.prototype, 'stop').mockImplementation(async function (this: EventConsumer<never>) {
      timeline.push('consumer stopping');
      await stop.call(this);
      timeline.push('consumer stopped');
    });

    @Module({
      imports: [
        MessagingModule.forRootAsync({
          imports: [DatabaseModule.forSchema(h.db.schema)],
          inject: [DATABASE],
          useFactory: ({ store, pool }: Database): MessagingOptions<PostgresTransaction> => ({
            kafka: { brokers: h.brokers, clientId: uniqueName('nest') },
            topics: [{ topic: h.topic, partitions: 3, replicationFactor: 1 }],
            consumer: {
              groupId: uniqueName('nest-group'),
              topics: [h.topic],
              decoder: contractDecoder(h.names),
              inbox: new PostgresInbox(store, h.db.schema),
            },
            relay: { name: 'intake', store, pool, schema: h.db.schema, route: contractRoute(h.names) },
          }),
        }),
      ],
      providers: [InmateProjector],
    })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
    await app.init();

    const first = inmateRegistered();
    await h.append([first]);
    await eventually(async () => ((await h.effects()).some((e) => e.event_id === first.id) ? true : undefined), {
      timeoutMs: 60_000,
      message: 'the first event to reach its @OnEvent handler',
    });

    const slow = inmateRegistered();
    slowEventId = slow.id;
    await h.append([slow]);
    await eventually(() => (timeline.includes(`handler started ${slow.id}`) ? true : undefined), { timeoutMs: 60_000, message: 'the slow handler to start' });
    await app.close();

    const order = (entry: string) => timeline.indexOf(entry);
    expect(order('consumer stopping')).toBeGreaterThan(-1);
    expect(order(`handler finished ${slow.id}`)).toBeGreaterThan(order('consumer stopping'));
    expect(order('consumer stopped')).toBeGreaterThan(order(`handler finished ${slow.id}`));
    expect(order('database closing')).toBeGreaterThan(order('consumer stopped'));
    // The in-flight work was committed, with its inbox entry.
    expect((await h.effects()).map((e) => e.event_id)).toEqual([first.id, slow.id]);
    expect(await h.inboxCount()).toBe(2);
  }, 120_000);
});
