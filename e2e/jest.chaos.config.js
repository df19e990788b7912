// The chaos suite (`npm run test:chaos`): the four services as processes over a PostgreSQL cluster
// and a three-node Kafka of the suite's own, while the suite breaks them (src/chaos). Not part of
// `npm test`: its files end in .chaos-spec.ts, which no other configuration matches.
const path = require('node:path');
const base = require('../tools/jest/config')(__dirname, 'int');

module.exports = {
  ...base,
  displayName: 'chaos',
  testMatch: ['<rootDir>/**/*.chaos-spec.ts'],
  testTimeout: 20 * 60_000,
  maxWorkers: 1,
  reporters: [
    ...base.reporters.map((r) => (Array.isArray(r) && String(r[0]).includes('summary-reporter') ? [r[0], { tier: 'chaos' }] : r)),
    // Last, after jest's own summary: the suite's one line, `chaos: N scenarios, L lost, D duplicated`.
    path.join(__dirname, 'chaos-reporter.js'),
  ],
};
