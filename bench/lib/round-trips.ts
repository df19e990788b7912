import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceName } from '../../e2e/src/harness/service-process';

/** Requests sent by each service, by statement (`pg …`) or Kafka API (`kafka …`). */
export type RoundTrips = Map<string, Record<string, number>>;

/**
 * The services' round trips to PostgreSQL and Kafka, counted in each service process by
 * `round-trips-preload.cjs` (loaded through NODE_OPTIONS by the processes the stack starts after
 * `enable()`). Counts are cumulative per process; `snapshot()` sums the processes of each service.
 */
export class RoundTripCounter {
  private constructor(private readonly dir: string) {}

  /** Makes every Node process started from now on by this process count its round trips. */
  static enable(): RoundTripCounter {
    const dir = mkdtempSync(join(tmpdir(), 'custody-round-trips-'));
    process.env.BENCH_ROUND_TRIPS_DIR = dir;
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} -r ${JSON.stringify(join(__dirname, 'round-trips-preload.cjs'))}`.trim();
    return new RoundTripCounter(dir);
  }

  /** The counts as the services last wrote them (every half second: wait that long after the work). */
  snapshot(): RoundTrips {
    const byService: RoundTrips = new Map();
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith('.json'))) {
      const service = file.slice(0, file.indexOf('-'));
      const counts = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as Record<string, number>;
      const sum = byService.get(service) ?? {};
      for (const [key, n] of Object.entries(counts)) sum[key] = (sum[key] ?? 0) + n;
      byService.set(service, sum);
    }
    return byService;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What the services sent between two snapshots, per case: totals per service and kind, and each statement. */
export function perCase(before: RoundTrips, after: RoundTrips, cases: number, services: readonly ServiceName[]): Record<string, { pg: number; kafka: number; statements: Record<string, number> }> {
  const out: Record<string, { pg: number; kafka: number; statements: Record<string, number> }> = {};
  for (const service of services) {
    const a = after.get(service) ?? {};
    const b = before.get(service) ?? {};
    const statements: Record<string, number> = {};
    let pg = 0;
    let kafka = 0;
    for (const [key, n] of Object.entries(a)) {
      const delta = n - (b[key] ?? 0);
      if (delta <= 0) continue;
      statements[key] = Number((delta / cases).toFixed(2));
      if (key.startsWith('pg ')) pg += delta;
      else kafka += delta;
    }
    out[service] = {
      pg: pg / cases,
      kafka: kafka / cases,
      statements: Object.fromEntries(Object.entries(statements).sort(([, x], [, y]) => y - x)),
    };
  }
  return out;
}
