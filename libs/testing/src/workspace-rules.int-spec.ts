import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '..', '..', '..');

/** Lints each sample as if it were the file at its path, with the workspace's real ESLint configuration (one process for all). */
function lintAll(samples: Record<string, { filePath: string; code: string }>): Record<string, string[]> {
  const script = `
    const { ESLint } = require('eslint');
    let input = '';
    process.stdin.on('data', (chunk) => (input += chunk)).on('end', async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const reports = {};
      for (const [name, { filePath, code }] of Object.entries(JSON.parse(input))) {
        const [report] = await eslint.lintText(code, { filePath });
        reports[name] = report.messages.map((m) => m.ruleId + ': ' + m.message);
      }
      process.stdout.write(JSON.stringify(reports));
    });`;
  const run = spawnSync(process.execPath, ['-e', script], {
    cwd: workspaceRoot,
    input: JSON.stringify(samples),
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (!run.stdout) throw new Error(`eslint produced no report: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, string[]>;
}

const importing = (what: string, from: string) => `import { ${what} } from '${from}';\nexport const x = ${what};\n`;

const SAMPLES = {
  serviceByPath: { filePath: 'services/intake/src/probe.ts', code: importing('AppModule', '../../transfer/src/app.module') },
  serviceByName: { filePath: 'services/intake/src/probe.ts', code: importing('AppModule', '@custody/transfer-service') },
  serviceImportsLibrary: { filePath: 'services/intake/src/probe.ts', code: importing('loadConfig', '@custody/config') },
  contractsImportTesting: { filePath: 'libs/contracts/src/probe.ts', code: importing('uniqueName', '@custody/testing') },
  impureDecider: {
    filePath: 'services/intake/src/inmate/inmate.decider.ts',
    code: "import { Pool } from 'pg';\nexport const x = Pool;\nexport const now = () => Date.now();\n",
  },
  securityImportsPlatform: { filePath: 'libs/security/src/probe.ts', code: importing('ServiceConfig', '@custody/platform') },
  messagingImportsSecurity: { filePath: 'libs/messaging/src/probe.ts', code: importing('signCommand', '@custody/security') },
  platformImportsPersonalData: { filePath: 'libs/platform/src/probe.ts', code: importing('PersonalDataKeys', '@custody/personal-data') },
  configImportsPlatform: { filePath: 'libs/config/src/probe.ts', code: importing('ServiceConfig', '@custody/platform') },
  clientImportsPlatform: { filePath: 'libs/ministry-client/src/probe.ts', code: importing('ServiceConfig', '@custody/platform') },
  domainImportsSecurity: { filePath: 'libs/legal/src/probe.ts', code: importing('decide', '@custody/security') },
  serviceRunsClient: { filePath: 'services/intake/src/probe.ts', code: importing('run', '@custody/ministry-client') },
  specRunsClient: { filePath: 'services/intake/src/probe.int-spec.ts', code: importing('run', '@custody/ministry-client') },
  personalDataImportsPlatform: { filePath: 'libs/personal-data/src/probe.ts', code: importing('ServiceConfig', '@custody/platform') },
  platformImportsSecurity: { filePath: 'libs/platform/src/probe.ts', code: importing('SecurityModule', '@custody/security') },
  securityImportsBelow: {
    filePath: 'libs/security/src/probe.ts',
    code: "import { loadConfig } from '@custody/config';\nimport { contractDecoder } from '@custody/messaging';\nexport const x = [loadConfig, contractDecoder];\n",
  },
  serviceImportsTestingEntry: { filePath: 'services/intake/src/probe.ts', code: "import type { CommandMessage } from '@custody/security/testing';\nexport type X = CommandMessage;\n" },
  libraryImportsTestingEntry: { filePath: 'libs/platform/src/probe.ts', code: importing('Harness', '@custody/messaging/testing') },
  libraryImportsOwnHelper: { filePath: 'libs/security/src/probe.ts', code: importing('TestMinistry', './testing/test-ministry') },
  libraryReexportsOwnEntry: { filePath: 'libs/security/src/probe.ts', code: "export { TestIssuer } from './testing';\n" },
  serviceImportsOwnHelper: { filePath: 'services/audit/src/web/probe.ts', code: importing('History', '../testing/history') },
  testKeyFromMainBarrel: { filePath: 'services/transfer/src/probe.ts', code: importing('TestJwksServer', '@custody/security') },
  serviceImportsTestingLibrary: { filePath: 'services/custody/src/probe.ts', code: importing('uniqueName', '@custody/testing') },
  ...Object.fromEntries(
    [
      ['specUsesHelpers', 'services/intake/src/probe.int-spec.ts'],
      ['testHelperUsesHelpers', 'services/intake/src/testing/probe.ts'],
      ['e2eUsesHelpers', 'e2e/src/harness/probe.ts'],
    ].map(([name, filePath]) => [
      name,
      {
        filePath,
        code: "import { TestIssuer, TestMinistry } from '@custody/security/testing';\nimport { uniqueName } from '@custody/testing';\nexport const x = [TestIssuer, TestMinistry, uniqueName];\n",
      },
    ]),
  ),
};

let problems: Record<string, string[]>;
beforeAll(() => {
  problems = lintAll(SAMPLES);
});

const BOUNDARY = /^@nx\/enforce-module-boundaries: /;

describe('module boundaries are enforced by lint', () => {
  it.each([
    ['a relative path', 'serviceByPath'],
    ['its package name', 'serviceByName'],
  ])('a service that imports another service by %s fails lint', (_how, sample) => {
    expect(problems[sample]).toEqual([expect.stringMatching(BOUNDARY)]);
  });

  it('a service may import a library', () => {
    expect(problems.serviceImportsLibrary).toEqual([]);
  });

  it('the contracts import no other library of ours', () => {
    expect(problems.contractsImportTesting).toEqual([expect.stringMatching(BOUNDARY)]);
  });

  it('a decider imports no I/O and reads no clock', () => {
    expect(problems.impureDecider).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*A decider imports no framework/),
      expect.stringMatching(/^no-restricted-properties: .*Time comes in on the command/),
    ]);
  });

  // Against the layers: the lower library is already imported by the upper one, so Nx finds a cycle.
  it.each([
    ['security imports the platform', 'securityImportsPlatform'],
    ['messaging imports security (the transport does not judge signatures)', 'messagingImportsSecurity'],
    ['the platform imports personal data', 'platformImportsPersonalData'],
    ['the configuration imports the platform', 'configImportsPlatform'],
  ])('the libraries are layered: lint fails when %s', (_what, sample) => {
    expect(problems[sample]).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: Circular dependency/)]);
  });

  // Where no cycle would tell, the tags do.
  it.each([
    ["a ministry's client imports the platform", 'clientImportsPlatform', 'type:client'],
    ['the legal rules import security', 'domainImportsSecurity', 'type:domain'],
    ["a service's production code imports a ministry's client", 'serviceRunsClient', 'type:service'],
  ])('the tags constrain the layers: lint fails when %s', (_what, sample, tag) => {
    expect(problems[sample]).toEqual([expect.stringMatching(new RegExp(`^@nx/enforce-module-boundaries: A project tagged with "${tag}" can only depend on libs tagged with`))]);
  });

  it("each library may import the ones below it, and a service's tests a ministry's client", () => {
    expect(problems.personalDataImportsPlatform).toEqual([]);
    expect(problems.platformImportsSecurity).toEqual([]);
    expect(problems.securityImportsBelow).toEqual([]);
    expect(problems.specRunsClient).toEqual([]);
  });
});

describe('test helpers stay out of production code', () => {
  it.each([
    ['a testing entry point', 'serviceImportsTestingEntry'],
    ['another testing entry point', 'libraryImportsTestingEntry'],
    ["a library's own test helpers", 'libraryImportsOwnHelper'],
    ['its testing entry point from inside the library', 'libraryReexportsOwnEntry'],
    ["a service's test helpers", 'serviceImportsOwnHelper'],
  ])('a production file that imports %s fails lint', (_what, sample) => {
    expect(problems[sample]).toEqual([expect.stringMatching(/^no-restricted-imports: .*for specs and test helpers only/)]);
  });

  it('a production file that takes a test key from a main barrel fails lint', () => {
    expect(problems.testKeyFromMainBarrel).toEqual([expect.stringMatching(/^no-restricted-imports: .*generate keys for tests only/)]);
  });

  it('a service that imports the testing library outside its tests fails lint', () => {
    expect(problems.serviceImportsTestingLibrary).toEqual([expect.stringMatching(BOUNDARY)]);
  });

  it.each([
    ['a spec', 'specUsesHelpers'],
    ['a test helper', 'testHelperUsesHelpers'],
    ['the end-to-end suite', 'e2eUsesHelpers'],
  ])('%s may use the testing entry points and the testing library', (_what, sample) => {
    expect(problems[sample]).toEqual([]);
  });

  it("no library's main barrel exports TestIssuer, TestMinistry or TestJwksServer", () => {
    const barrels = readdirSync(join(workspaceRoot, 'libs'))
      .map((lib) => join(workspaceRoot, 'libs', lib, 'src', 'index.ts'))
      .filter((file) => existsSync(file));
    expect(barrels.length).toBeGreaterThanOrEqual(10);
    const leaking = barrels.filter((file) => /\bTest(Issuer|Ministry|JwksServer)\b/.test(readFileSync(file, 'utf8')));
    expect(leaking).toEqual([]);
  });
});
