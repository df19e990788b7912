// Writes each jest run's counts (and the names of skipped tests with their reasons)
// to dist/test-results/<project>/<tier>.json, for tools/test-all.mjs to add up.
const fs = require('node:fs');
const path = require('node:path');

const workspaceRoot = path.resolve(__dirname, '..', '..');

class SummaryReporter {
  constructor(globalConfig, options) {
    this.globalConfig = globalConfig;
    this.tier = options.tier;
  }

  onRunComplete(_contexts, results) {
    const projectDir = this.globalConfig.rootDir;
    const relative = path.relative(workspaceRoot, projectDir);
    const skipped = [];
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') {
          skipped.push({ file: path.relative(workspaceRoot, file.testFilePath), name: test.fullName });
        }
      }
    }
    const out = path.join(workspaceRoot, 'dist', 'test-results', relative, `${this.tier}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      JSON.stringify(
        {
          project: relative,
          tier: this.tier,
          passed: results.numPassedTests,
          failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
          skipped: results.numPendingTests + results.numTodoTests,
          skippedTests: skipped,
        },
        null,
        2,
      ),
    );
  }
}

module.exports = SummaryReporter;
