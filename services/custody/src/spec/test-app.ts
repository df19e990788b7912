import type { INestApplication } from '@nestjs/common';
import { generateMasterKey } from '@custody/personal-data';
import { loadConfig } from '@custody/config';
import { databaseUrl, kafkaBrokers, uniqueName, uniqueSchemaName } from '@custody/testing';
import { createApp } from '../app';
import { CustodyConfig } from '../config';

export interface RunningCustody {
  app: INestApplication;
  config: CustodyConfig;
  /** The base URL the application listens on. */
  url: string;
}

/** A fresh configuration for one test: its own schema, topics and consumer group on the shared broker and database. */
export function testConfig(overrides: Record<string, string> = {}): CustodyConfig {
  return loadConfig(CustodyConfig, {
    PORT: '0',
    DATABASE_URL: databaseUrl(),
    DATABASE_SCHEMA: uniqueSchemaName('custody'),
    DATABASE_POOL_SIZE: '10',
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_CLIENT_ID: uniqueName('custody'),
    KAFKA_GROUP_ID: uniqueName('custody-group'),
    KAFKA_TOPIC_PREFIX: `${uniqueName('custody')}.`,
    KAFKA_PARTITIONS: '3',
    KAFKA: 'off',
    RESERVATION_EXPIRY_SWEEP_MS: '0',
    // A master key of the test's own for persons' data keys (crypto-shredding).
    PERSONAL_DATA_MASTER_KEY: generateMasterKey(),
    // Tests of the service's behaviour run without authentication; a test that names issuers
    // (security.int-spec.ts) runs with it.
    AUTH_MODE: overrides.AUTH_ISSUERS ? 'on' : 'off',
    // Likewise commands on Kafka unsigned, unless the test names the ministries' keys (signed-commands.int-spec.ts).
    COMMAND_SIGNATURES: overrides.COMMAND_SIGNERS ? 'required' : 'off',
    // And other services' events unverified, unless the test names the publishers' keys (signed-events.int-spec.ts).
    EVENT_SIGNATURES: overrides.EVENT_PUBLISHER_KEYS ? 'required' : 'off',
    RATE_LIMIT_PER_MINUTE: '100000',
    // The tests date their acts on fixed days of 2026 (docs/domain.md, Rule 17 would ask a reason of each):
    // late recording has tests of its own, which set COMMAND_LATE_RECORDING_DAYS back.
    COMMAND_LATE_RECORDING_DAYS: '36500',
    ...overrides,
  });
}

/** Starts the real service (real modules, real PostgreSQL, Kafka when KAFKA=on) listening on a free port. */
export async function startCustody(config: CustodyConfig): Promise<RunningCustody> {
  const app = await createApp(config, process.env.CUSTODY_TEST_LOGS ? {} : { logger: false });
  await app.init();
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, config, url: `http://127.0.0.1:${address.port}` };
}
