import { randomBytes } from 'node:crypto';
import { resolveInfrastructure } from './infrastructure';

/**
 * Jest globalSetup of every integration suite: finds the real broker and database once,
 * and hands them to the test workers through process.env (module globals set here are not
 * visible to tests).
 */
export default async function globalSetup(): Promise<void> {
  const { infrastructure, containers } = await resolveInfrastructure();
  process.env.KAFKA_BROKERS = infrastructure.kafkaBrokers.join(',');
  process.env.DATABASE_URL = infrastructure.databaseUrl;
  process.env.TEST_RUN_ID ??= randomBytes(3).toString('hex');
  (globalThis as { __custodyContainers?: typeof containers }).__custodyContainers = containers;
  process.stdout.write(
    `\n[testing] Kafka ${infrastructure.kafkaBrokers.join(',')} (${infrastructure.source.kafka}); ` +
      `PostgreSQL ${new URL(infrastructure.databaseUrl).host} (${infrastructure.source.database}); run ${process.env.TEST_RUN_ID}\n`,
  );
}
