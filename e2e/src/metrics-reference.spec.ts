// Every metric a service exports is in the metrics table of docs/operations.md. The names are taken
// from the code of the libraries and services (prom-client Gauge, Counter and Histogram, and the
// services' database gauges: `name: 'custody_…'`), so a metric added without its row fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'testing' || entry.name === 'spec' ? [] : sourcesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.includes('spec') ? [path] : [];
  });
}

/** The metric names declared in the code of libs/ and services/. */
function exportedMetrics(): string[] {
  const files = ['libs', 'services'].flatMap((top) => readdirSync(join(root, top)).flatMap((project) => {
    const src = join(top, project, 'src');
    try {
      return sourcesUnder(src);
    } catch {
      return [];
    }
  }));
  const names = files.flatMap((file) => [...readFileSync(join(root, file), 'utf8').matchAll(/\bname: '(custody_[a-z0-9_]+)'/g)].map((m) => m[1]));
  return [...new Set(names)].sort();
}

const operations = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
const metricsSection = operations.slice(operations.indexOf('## Metrics'), operations.indexOf('\n## ', operations.indexOf('## Metrics') + 1));

describe('the metrics table (docs/operations.md)', () => {
  it('has a row for every metric the services export', () => {
    const missing = exportedMetrics().filter((name) => !new RegExp(`^\\| \`${name}\` \\|`, 'm').test(metricsSection));
    expect(missing).toEqual([]);
  });

  it('finds the metrics of the platform, of the services\' database gauges and of the personal-data library', () => {
    expect(exportedMetrics()).toEqual(expect.arrayContaining([
      'custody_commands_total', 'custody_relay_lag_head_events', 'custody_consumer_lag', 'custody_deadlines_missed', 'custody_ledger_size',
      'custody_personal_data_keys_under_retired_master_key',
    ]));
  });

  it('lists no metric that nothing exports', () => {
    const listed = [...metricsSection.matchAll(/^\| `(custody_[a-z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(10);
    expect(listed.filter((name) => !exportedMetrics().includes(name))).toEqual([]);
  });
});
