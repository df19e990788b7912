// `npm run bench -- <name>`: runs bench/<name>.bench.ts, which writes bench/results/<name>.json
// in the format of the benchmarks design note and prints a table.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const benchDir = join(import.meta.dirname, '..', 'bench');
const name = process.argv[2];
const available = readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace('.bench.ts', ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>   (one of: ${available.join(', ') || 'none yet'})`);
  process.exit(2);
}
const file = join(benchDir, `${name}.bench.ts`);
if (!existsSync(file)) process.exit(2);
const run = spawnSync(process.execPath, ['--expose-gc', '-r', '@swc-node/register', file, ...process.argv.slice(3)], {
  stdio: 'inherit',
  env: { ...process.env, SWC_NODE_PROJECT: join(import.meta.dirname, '..', 'tsconfig.base.json') },
});
process.exit(run.status ?? 1);
