// The end-to-end tier: the four services as processes of their own (src/harness), over the real
// broker and database that the integration tier's globalSetup finds. One suite at a time.
const base = require('../tools/jest/config')(__dirname, 'int');

module.exports = {
  ...base,
  displayName: 'e2e',
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  testTimeout: 15 * 60_000,
  maxWorkers: 1,
  reporters: base.reporters.map((r) => (Array.isArray(r) && String(r[0]).includes('summary-reporter') ? [r[0], { tier: 'e2e' }] : r)),
};
