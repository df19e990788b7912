import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** One measured figure, beside its baseline (and peer) from the same run. */
export interface Figure {
  id: string;
  what: string;
  unit: string;
  higherIsBetter: boolean;
  ours: number;
  baseline?: { name: string; value: number };
  peer?: { name: string; value: number };
}

/**
 * Writes bench/results/<benchmark>.json and prints a table with the ratios. With `replaces`, the
 * file is shared by several parts of one benchmark (the pipeline's closed and open loops): the
 * figures already in the file that `replaces` does not claim are kept, in front, with the
 * environment they were measured in (the new environment's keys win).
 */
export function writeReport(
  benchmark: string,
  environment: Record<string, string | number>,
  figures: Figure[],
  { replaces }: { replaces?: (id: string) => boolean } = {},
): void {
  const file = resultsFile(benchmark);
  let kept: Figure[] = [];
  let keptEnvironment: Record<string, string | number> = {};
  if (replaces && existsSync(file)) {
    const previous = JSON.parse(readFileSync(file, 'utf8')) as { environment?: Record<string, string | number>; figures?: Figure[] };
    kept = (previous.figures ?? []).filter((f) => !replaces(f.id));
    keptEnvironment = previous.environment ?? {};
  }
  const report = {
    benchmark,
    when: new Date().toISOString(),
    environment: { ...keptEnvironment, node: process.versions.node, cpus: cpus().length, ...environment },
    figures: [...kept, ...figures],
  };
  writeResults(benchmark, report);
  const rows = figures.map((f) => ({
    id: f.id,
    unit: f.unit,
    ours: round(f.ours),
    baseline: f.baseline ? round(f.baseline.value) : '',
    'ours/baseline': f.baseline ? ratio(f.ours, f.baseline.value) : '',
    peer: f.peer ? round(f.peer.value) : '',
    'ours/peer': f.peer ? ratio(f.ours, f.peer.value) : '',
  }));
  console.table(rows);
}

function resultsFile(name: string): string {
  return join(__dirname, '..', 'results', `${name}.json`);
}

/** Writes bench/results/<name>.json (a report, or what a benchmark keeps beside its figures). */
export function writeResults(name: string, content: unknown): void {
  const file = resultsFile(name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify(content, null, 2) + '\n');
  console.log(`written: bench/results/${name}.json`);
}

/** The median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-th percentile (0-100) of a list of numbers, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100);
const ratio = (a: number, b: number) => (b === 0 ? '' : (a / b).toFixed(2));
