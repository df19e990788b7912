import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { workspaceRoot } from '../harness/service-process';

/** What one scenario counted once its traffic had settled. */
export interface ScenarioTally {
  name: string;
  seconds: number;
  /** Expected effects (one ledger entry per person and effect) that never arrived. */
  lost: number;
  /** Ledger entries of an effect beyond the one expected. */
  duplicated: number;
  /** What was broken and what was checked afterwards, in words. */
  checked: string;
}

/** Read by e2e/chaos-reporter.js, which prints the suite's closing line after jest's summary. */
const tallyFile = join(workspaceRoot, 'dist', 'chaos', 'tally.json');

/** Adds a scenario's counts to the run's tally (the reporter clears the file when the run starts). */
export function record(scenario: ScenarioTally): void {
  const tally = existsSync(tallyFile)
    ? (JSON.parse(readFileSync(tallyFile, 'utf8')) as { scenarios: ScenarioTally[]; lost: number; duplicated: number })
    : { scenarios: [], lost: 0, duplicated: 0 };
  tally.scenarios.push(scenario);
  tally.lost += scenario.lost;
  tally.duplicated += scenario.duplicated;
  mkdirSync(dirname(tallyFile), { recursive: true });
  writeFileSync(tallyFile, JSON.stringify(tally, null, 2));
}
