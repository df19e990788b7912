// The chaos suite's closing line, printed after jest's summary: what the scenarios that ran to their
// checks counted (src/chaos/tally.ts writes it as each scenario ends).
const fs = require('node:fs');
const path = require('node:path');

const tallyFile = path.resolve(__dirname, '..', 'dist', 'chaos', 'tally.json');

class ChaosTallyReporter {
  onRunStart() {
    fs.rmSync(tallyFile, { force: true });
  }

  onRunComplete(_contexts, results) {
    const tally = fs.existsSync(tallyFile) ? JSON.parse(fs.readFileSync(tallyFile, 'utf8')) : { scenarios: [], lost: 0, duplicated: 0 };
    for (const s of tally.scenarios) process.stdout.write(`chaos: ${s.name}: ${s.seconds} s; ${s.checked}\n`);
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(
      `chaos: ${tally.scenarios.length} scenarios, ${tally.lost} lost, ${tally.duplicated} duplicated${failed > 0 ? ` (${failed} failed)` : ''}\n`,
    );
  }
}

module.exports = ChaosTallyReporter;
