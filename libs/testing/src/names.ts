import { randomBytes } from 'node:crypto';

/** The id of this test run, shared by every worker (set by globalSetup). */
export function testRunId(): string {
  return process.env.TEST_RUN_ID ?? 'local';
}

/**
 * A name no other test and no other run uses: for topics, consumer groups and client ids.
 * Two runs on one broker never collide.
 */
export function uniqueName(label: string): string {
  return `t-${testRunId()}-${label}-${randomBytes(4).toString('hex')}`;
}

/** A PostgreSQL schema name no other test or run uses (lower case, at most 63 bytes). */
export function uniqueSchemaName(label: string): string {
  const clean = label.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30);
  return `t_${testRunId()}_${clean}_${randomBytes(4).toString('hex')}`;
}
