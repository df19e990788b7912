import { migrationSet } from './migration-set';

describe('migrationSet', () => {
  it('numbers the steps from 1 in the order given, keeping each name and SQL', () => {
    const set = migrationSet('example', ['tables', (s) => `CREATE TABLE ${s}.a ()`], ['index', (s) => `CREATE INDEX ON ${s}.a ()`]);
    expect(set.name).toBe('example');
    expect(set.migrations.map((m) => [m.version, m.name, m.sql('"x"')])).toEqual([
      [1, 'tables', 'CREATE TABLE "x".a ()'],
      [2, 'index', 'CREATE INDEX ON "x".a ()'],
    ]);
  });
});
