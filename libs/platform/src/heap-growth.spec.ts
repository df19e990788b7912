import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// A process that holds about 40 MB and makes garbage fast, as a busy service does: its highest
// heap (committed by V8) is printed at the end. The module is loaded as the service loads it.
const WORKLOAD = `
  const [percent] = process.argv.slice(1);
  require(${JSON.stringify(join(__dirname, 'heap-growth.ts'))}).applyHeapGrowth(percent === 'none' ? undefined : Number(percent));
  const live = [];
  for (let i = 0; i < 200000; i++) live.push({ id: i, text: 'x'.repeat(100) + i });
  let peak = 0;
  let garbage = [];
  for (let round = 0; round < 200; round++) {
    garbage = [];
    for (let i = 0; i < 20000; i++) garbage.push({ a: i, b: 'y'.repeat(50) + i, c: [i, i + 1] });
    if (round % 10 === 0) live.splice(0, 5000, ...Array.from({ length: 5000 }, (_, i) => ({ id: i, text: 'z'.repeat(100) + i })));
    peak = Math.max(peak, process.memoryUsage().heapTotal);
  }
  process.stdout.write(String(Math.round(peak / 1e6)));
`;

async function peakHeapMb(percent: number | 'none'): Promise<number> {
  const { stdout } = await run(process.execPath, ['-e', WORKLOAD, '--', String(percent)], { timeout: 60_000 });
  return Number(stdout);
}

describe('applyHeapGrowth (NODE_HEAP_GROWING_PERCENT)', () => {
  it('keeps the heap of a process that makes garbage fast well below where V8 alone lets it grow', async () => {
    const alone = await peakHeapMb('none');
    const bounded = await peakHeapMb(50);
    // V8 alone grew this heap to about 490 MB, bounded at 50 % to about 320 MB (a full collection
    // keeps about 40 MB of it plus the garbage of the round under way).
    expect(bounded).toBeGreaterThan(0);
    expect(bounded).toBeLessThan(alone * 0.85);
  }, 120_000);

  it('leaves V8 its own choice at 0 and when unset', async () => {
    const [unset, zero] = await Promise.all([peakHeapMb('none'), peakHeapMb(0)]);
    expect(Math.abs(unset - zero)).toBeLessThan(Math.max(unset, zero) * 0.25);
    expect(zero).toBeGreaterThan((await peakHeapMb(50)) * 1.15);
  }, 120_000);
});
