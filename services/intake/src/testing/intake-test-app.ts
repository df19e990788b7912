import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { generateMasterKey } from '@custody/personal-data';
import { loadConfig } from '@custody/config';
import { databaseUrl, kafkaBrokers, uniqueName, uniqueSchemaName } from '@custody/testing';
import { createApp } from '../app';
import { IntakeConfig } from '../config';

/** The real intake application on the test broker and database: a fresh schema, topics and group of its own. */
export interface IntakeTestApp {
  app: INestApplication;
  config: IntakeConfig;
  close(): Promise<void>;
}

export async function startIntake(label: string, overrides: Record<string, string> = {}): Promise<IntakeTestApp> {
  const config = loadConfig(IntakeConfig, {
    DATABASE_URL: databaseUrl(),
    DATABASE_SCHEMA: uniqueSchemaName(label),
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_CLIENT_ID: uniqueName(`${label}-client`),
    KAFKA_TOPIC_PREFIX: `${uniqueName(label)}.`,
    KAFKA_GROUP_ID: uniqueName(`${label}-group`),
    KAFKA_PARTITIONS: '2',
    // Tests of the service's behaviour run without authentication; security.int-spec.ts turns it on with test issuers.
    AUTH_MODE: 'off',
    // Likewise commands on Kafka unsigned, unless the test names the ministries' keys (signed-commands.int-spec.ts).
    COMMAND_SIGNATURES: overrides.COMMAND_SIGNERS ? 'required' : 'off',
    // And other services' events unverified, unless the test names the publishers' keys (signed-events.int-spec.ts).
    EVENT_SIGNATURES: overrides.EVENT_PUBLISHER_KEYS ? 'required' : 'off',
    RATE_LIMIT_PER_MINUTE: '100000',
    // The tests date their acts on fixed days of 2026 (docs/domain.md, Rule 17 would ask a reason of each):
    // late recording has tests of its own, which set COMMAND_LATE_RECORDING_DAYS back.
    COMMAND_LATE_RECORDING_DAYS: '36500',
    // A master key of the test's own: no key is committed anywhere.
    PERSONAL_DATA_MASTER_KEY: generateMasterKey(),
    ...overrides,
  });
  const app = await createApp(config, { logger: ['error', 'warn'] });
  await app.init();
  await app.startAllMicroservices();
  return {
    app,
    config,
    async close() {
      await app.close();
      const pool = new Pool({ connectionString: config.DATABASE_URL, max: 1 });
      await pool.query(`DROP SCHEMA IF EXISTS "${config.DATABASE_SCHEMA}" CASCADE`);
      await pool.end();
    },
  };
}
