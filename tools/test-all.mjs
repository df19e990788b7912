// `npm test`: every project's unit tests, then every integration suite against the
// real broker and database, then the end-to-end suite; ends with one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = join(import.meta.dirname, '..', 'dist', 'test-results');
rmSync(resultsDir, { recursive: true, force: true });

const steps = [
  ['nx', 'run-many', '-t', 'test', '--parallel=2', '--outputStyle=stream', '--skip-nx-cache'],
  ['nx', 'run-many', '-t', 'int-test', '--parallel=1', '--outputStyle=stream'],
];
if (existsSync(join(import.meta.dirname, '..', 'e2e', 'package.json'))) {
  steps.push(['nx', 'run-many', '-t', 'e2e', '--parallel=1', '--outputStyle=stream']);
}

let failedStep = false;
for (const args of steps) {
  const run = spawnSync('npx', args, { stdio: 'inherit' });
  if (run.status !== 0) failedStep = true;
}

const files = [];
const walk = (dir) => {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.json')) files.push(full);
  }
};
walk(resultsDir);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  const summary = JSON.parse(readFileSync(file, 'utf8'));
  passed += summary.passed;
  failed += summary.failed;
  skipped += summary.skipped;
  for (const test of summary.skippedTests) console.log(`skipped: ${test.name} (${test.file})`);
}
if (failedStep && failed === 0) failed = 1; // a run that broke before its tests counts as a failure
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || failedStep ? 1 : 0);
