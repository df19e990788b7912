import type { MigrationSet } from './migrations';

/** One step of a migration set: its name and its SQL, given the quoted schema name. */
export type MigrationStep = readonly [name: string, sql: (schema: string) => string];

/**
 * A migration set from its steps in order: the first is version 1, the next 2, and so on. Never
 * edit or reorder a released step: append the next one.
 */
export function migrationSet(name: string, ...steps: readonly MigrationStep[]): MigrationSet {
  return { name, migrations: steps.map(([stepName, sql], index) => ({ version: index + 1, name: stepName, sql })) };
}
