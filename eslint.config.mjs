// Lint: TypeScript rules, and Nx module boundaries by tag.
//   type:service   may import contracts, domain, adapter and testing libraries; never another service
//   type:contracts imports nothing of ours
//   type:domain    (libs/legal) imports only contracts, and no framework or I/O
//   type:kernel    (libs/event-sourcing, the write path) imports contracts and the event store only, no framework
//   type:adapter   imports contracts, domain, the kernel and other adapters
//   type:testing   imports adapters and contracts
// There is no '*' rule: an untagged project can import nothing of ours and so fails lint.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

/** Module boundaries by tag; tests of any library may also use the testing library. */
function boundaries({ inTests }) {
  const testing = inTests ? ['type:testing'] : [];
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
          onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:kernel', 'type:adapter', 'type:testing'],
        },
        { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [...testing] },
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
        { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:kernel', 'type:adapter', ...testing] },
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:adapter', 'type:kernel', 'type:contracts', 'type:domain'] },
      ],
    },
  ];
}

const impureModules = ['@nestjs/*', 'kafkajs', 'pg', 'pg-*', '@kurrent/*', 'express', 'node:fs', 'node:net', 'node:http'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', '.tools/**', '**/*.js', '**/*.mjs', 'deploy/**'] },
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
    // Deciders are the law in pure functions: no framework, no I/O, no clock.
    files: ['**/*.decider.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: impureModules, message: 'A decider imports no framework and no I/O.' },
            { group: ['@custody/event-store', '@custody/messaging', '@custody/platform'], message: 'A decider imports no adapter.' },
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
        { patterns: [{ group: ['@custody/platform', '@custody/messaging', '@custody/legal', '@custody/testing'], message: 'The kernel imports only the contracts and the event store.' }] },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/src/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': boundaries({ inTests: true }),
    },
  },
);
