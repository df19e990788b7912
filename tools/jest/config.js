// One jest configuration for every project, by tier:
//   unit        *.spec.ts       pure logic, no I/O
//   int         *.int-spec.ts   the real Kafka broker and PostgreSQL server
const path = require('node:path');

const workspaceRoot = path.resolve(__dirname, '..', '..');

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/**
 * @param {string} projectDir the project's folder (pass __dirname)
 * @param {'unit' | 'int'} tier
 */
module.exports = function jestConfig(projectDir, tier) {
  const isIntegration = tier === 'int';
  return {
    displayName: `${path.basename(projectDir)}:${tier}`,
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: isIntegration ? ['<rootDir>/**/*.int-spec.ts'] : ['<rootDir>/**/*.spec.ts'],
    transform: { '^.+\\.(t|j)s$': ['@swc/jest', swcOptions] },
    // @platformatic/kafka and its own @platformatic packages (the relay's publisher, docs/adr/0018-relay-publisher-on-platformatic-kafka.md)
    // is published as ES modules only: compiled to CommonJS like our own sources.
    transformIgnorePatterns: ['/node_modules/(?!@platformatic/)'],
    moduleNameMapper: {
      // A library's testing-only entry point, e.g. @custody/event-sourcing/testing.
      '^@custody/([a-z-]+)/testing$': path.join(workspaceRoot, 'libs/$1/src/testing.ts'),
      '^@custody/([a-z-]+)$': path.join(workspaceRoot, 'libs/$1/src/index.ts'),
    },
    // Integration tests: kafkajs's idle connections quiet, as in the services (libs/messaging/src/kafkajs-idle-queue.ts),
    // also for the testing library's plain kafkajs clients in suites that never load the messaging library.
    setupFiles: [path.join(__dirname, 'setup-reflect.js'), ...(isIntegration ? [path.join(workspaceRoot, 'libs/messaging/src/kafkajs-idle-queue.ts')] : [])],
    globalSetup: isIntegration ? path.join(workspaceRoot, 'libs/testing/src/global-setup.ts') : undefined,
    globalTeardown: isIntegration ? path.join(workspaceRoot, 'libs/testing/src/global-teardown.ts') : undefined,
    testTimeout: isIntegration ? 120_000 : 10_000,
    maxWorkers: isIntegration ? 1 : '50%',
    reporters: ['default', [path.join(__dirname, 'summary-reporter.js'), { tier }]],
  };
};
