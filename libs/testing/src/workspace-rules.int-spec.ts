import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '..', '..', '..');

/** Lints `code` as if it were the file at `filePath`, with the workspace's real ESLint configuration. */
function lint(filePath: string, code: string): string[] {
  const run = spawnSync(
    process.execPath,
    [join(workspaceRoot, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', filePath, '--format', 'json'],
    { cwd: workspaceRoot, input: code, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  if (!run.stdout) throw new Error(`eslint produced no report: ${run.stderr}`);
  const [report] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
  return report.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries are enforced by lint', () => {
  it.each([
    ['a relative path', "import { AppModule } from '../../transfer/src/app.module';\nexport const x = AppModule;\n"],
    ['its package name', "import { AppModule } from '@custody/transfer-service';\nexport const x = AppModule;\n"],
  ])('a service that imports another service by %s fails lint', (_how, code) => {
    const problems = lint('services/intake/src/probe.ts', code);
    expect(problems).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: /)]);
  });

  it('a service may import a library', () => {
    expect(lint('services/intake/src/probe.ts', "import { loadConfig } from '@custody/config';\nexport const x = loadConfig;\n")).toEqual([]);
  });

  it('the contracts import no other library of ours', () => {
    const problems = lint('libs/contracts/src/probe.ts', "import { uniqueName } from '@custody/testing';\nexport const x = uniqueName;\n");
    expect(problems).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: /)]);
  });

  it('a decider imports no I/O and reads no clock', () => {
    const problems = lint(
      'services/intake/src/inmate/inmate.decider.ts',
      "import { Pool } from 'pg';\nexport const x = Pool;\nexport const now = () => Date.now();\n",
    );
    expect(problems).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*A decider imports no framework/),
      expect.stringMatching(/^no-restricted-properties: .*Time comes in on the command/),
    ]);
  });
});
