// Writes each jest run's counts, the names of skipped tests with their reasons, and the names of
// failed tests and of suites that could not run (with the first lines of why) to
// dist/test-results/<project>/<tier>.json, for tools/test-all.mjs to add up and repeat at the end
// of the run, where a reader of a long log looks first.
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
    const failures = [];
    const firstLines = (text) =>
      String(text ?? '')
        .replace(/\u001b\[[0-9;]*m/g, '')
        .split('\n')
        .map((line) => line.trimEnd())
        .filter((line) => line.trim() !== '')
        .slice(0, 6)
        .join('\n');
    for (const file of results.testResults) {
      const relativeFile = path.relative(workspaceRoot, file.testFilePath);
      if (file.testExecError || (file.failureMessage && file.testResults.length === 0)) {
        failures.push({
          file: relativeFile,
          name: '(the suite could not run)',
          reason: firstLines(file.testExecError?.message ?? file.failureMessage),
        });
      }
      for (const test of file.testResults) {
        if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') {
          skipped.push({ file: relativeFile, name: test.fullName });
        } else if (test.status === 'failed') {
          failures.push({ file: relativeFile, name: test.fullName, reason: firstLines(test.failureMessages?.[0]) });
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
          failures,
        },
        null,
        2,
      ),
    );
  }
}

module.exports = SummaryReporter;
