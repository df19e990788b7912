// `npm test`: every project's unit tests, then every integration suite against the
// real broker and database, then the end-to-end suite; ends with one summary line.
// On a fresh machine it first installs or starts what is missing (tools/bootstrap.mjs: Node.js
// 24, the npm dependencies, PostgreSQL, the Kafka broker) and stops at the end what it started.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, hasDocker } from './bootstrap.mjs';

// Where a Docker engine answers and neither KAFKA_BROKERS nor DATABASE_URL is set, the tests start
// Kafka and PostgreSQL in containers themselves (testcontainers, libs/testing/src/infrastructure.ts).
const byContainers = !process.env.KAFKA_BROKERS && !process.env.DATABASE_URL && hasDocker();
const infrastructure = await bootstrap({ servers: !byContainers });

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
const failures = [];
for (const file of files) {
  const summary = JSON.parse(readFileSync(file, 'utf8'));
  passed += summary.passed;
  failed += summary.failed;
  skipped += summary.skipped;
  for (const test of summary.skippedTests) console.log(`skipped: ${test.name} (${test.file})`);
  failures.push(...(summary.failures ?? []).map((failure) => ({ ...failure, tier: summary.tier })));
}
for (const failure of failures) {
  console.log(`failed (${failure.tier}): ${failure.name} (${failure.file})`);
  if (failure.reason) console.log(failure.reason.replace(/^/gm, '    '));
}
if (failedStep && failed === 0) {
  failed = 1; // a run that broke before its tests counts as a failure
  console.log('failed: a step ended in error without a failed test on record (see its output above)');
}
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
await infrastructure.stop();
process.exit(failed > 0 || failedStep ? 1 : 0);
