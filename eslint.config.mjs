// Lint: TypeScript rules, and Nx module boundaries by tag. The libraries are layered, each type
// importing only the ones below it (docs/architecture.md, "Libraries"):
//   type:contracts (libs/contracts)      imports nothing of ours
//   type:util      (libs/config)         imports nothing of ours
//   type:domain    (libs/legal)          imports only contracts, and no framework or I/O
//   type:kernel    (libs/event-sourcing) the write path: contracts and the event store only, no framework
//   type:adapter   (event-store, messaging) contracts, domain, kernel, util and other adapters
//   type:security  (libs/security)       the above; never the platform
//   type:platform  (libs/platform)       the above and security
//   type:feature   (libs/personal-data)  the above and the platform
//   type:client    (libs/ministry-client) a ministry's client: adapters and security, no platform
//   type:service   any library; never another service; the testing library and clients only in tests
//   type:testing   any library
// There is no '*' rule: an untagged project can import nothing of ours and so fails lint.
// Testing entry points (`@custody/<lib>/testing`, a library's `src/testing/`) and the test keys
// they hold (TestIssuer, TestMinistry, TestJwksServer) are for specs and test helpers only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

/** The code of tests: specs, test helpers, testing entry points, the end-to-end suite. */
const TEST_FILES = [
  '**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/*.fixtures.ts', '**/fixtures.ts', '**/src/testing/**/*.ts', '**/src/testing.ts', '**/src/spec/**/*.ts',
  'e2e/**/*.ts',
];

/** Module boundaries by tag; tests of any library may also use the testing library. */
function boundaries({ inTests }) {
  const testing = inTests ? ['type:testing'] : [];
  const below = {
    adapter: ['type:contracts', 'type:domain', 'type:kernel', 'type:util', 'type:adapter'],
  };
  below.security = [...below.adapter];
  below.platform = [...below.security, 'type:security'];
  below.feature = [...below.platform, 'type:platform'];
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allowCircularSelfDependency: false,
      banTransitiveDependencies: false,
      checkDynamicDependenciesExceptions: [],
      depConstraints: [
        {
          sourceTag: 'type:service',
          onlyDependOnLibsWithTags: [...below.feature, 'type:feature', ...(inTests ? ['type:client'] : []), ...testing],
        },
        { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [...testing] },
        { sourceTag: 'type:util', onlyDependOnLibsWithTags: [...testing] },
        {
          sourceTag: 'type:domain',
          onlyDependOnLibsWithTags: ['type:contracts', ...testing],
          bannedExternalImports: impureModules,
        },
        {
          sourceTag: 'type:kernel',
          onlyDependOnLibsWithTags: ['type:contracts', 'type:adapter', ...testing],
          bannedExternalImports: ['@nestjs/*', 'kafkajs', 'pg', 'pg-*', '@kurrent/*', 'express'],
        },
        { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: [...below.adapter, ...testing] },
        { sourceTag: 'type:security', onlyDependOnLibsWithTags: [...below.security, ...testing] },
        { sourceTag: 'type:platform', onlyDependOnLibsWithTags: [...below.platform, ...testing] },
        { sourceTag: 'type:feature', onlyDependOnLibsWithTags: [...below.feature, ...testing] },
        { sourceTag: 'type:client', onlyDependOnLibsWithTags: [...below.security, 'type:security', ...testing] },
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: [...below.feature, 'type:feature', 'type:client', 'type:testing'] },
      ],
    },
  ];
}

/**
 * What production code never imports: a testing entry point (`@custody/<lib>/testing`), a
 * library's own test helpers (`./testing`, `../testing/...`), and the test keys and issuers.
 */
const testingImports = [
  {
    regex: '^(@custody/[a-z-]+/testing|(\\.{1,2}/)+([^/]+/)*testing(/.*)?)$',
    message: 'A testing entry point or test helper is for specs and test helpers only, never for production code.',
  },
  {
    regex: '^@custody/',
    importNames: ['TestIssuer', 'TestMinistry', 'TestJwksServer'],
    message: 'Test issuers, test ministries and test JWKS servers generate keys for tests only.',
  },
];

const impureModules = ['@nestjs/*', 'kafkajs', 'pg', 'pg-*', '@kurrent/*', 'express', 'node:fs', 'node:net', 'node:http'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', '.tools/**', '**/*.js', '**/*.mjs', '**/*.cjs', 'deploy/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ inTests: false }),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ThrowStatement > Literal', message: 'Throw a typed error class with a stable code, never a string.' },
        { selector: 'ExportAllDeclaration', message: 'Export the public API by name; no `export *` barrels.' },
      ],
    },
  },
  {
    // Production code imports no testing entry point and no test key (the blocks below that set
    // their own restricted imports repeat these patterns).
    files: ['**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': ['error', { patterns: testingImports }],
    },
  },
  {
    // Deciders are the law in pure functions: no framework, no I/O, no clock.
    files: ['**/*.decider.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: impureModules, message: 'A decider imports no framework and no I/O.' },
            {
              group: ['@custody/event-store', '@custody/messaging', '@custody/security', '@custody/platform', '@custody/personal-data', '@custody/config'],
              message: 'A decider imports no adapter.',
            },
            ...testingImports,
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time comes in on the command.' },
        { object: 'Math', property: 'random', message: 'Ids come in on the command.' },
      ],
    },
  },
  {
    // Of the adapters, the kernel uses the event store only: the platform (Nest, observability)
    // and messaging build on the kernel, not the other way round.
    files: ['libs/event-sourcing/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@custody/platform', '@custody/messaging', '@custody/security', '@custody/personal-data', '@custody/config', '@custody/legal', '@custody/testing'],
              message: 'The kernel imports only the contracts and the event store.',
            },
            ...testingImports,
          ],
        },
      ],
    },
  },
  {
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': boundaries({ inTests: true }),
    },
  },
);
