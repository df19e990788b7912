import { run } from './cli';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('custody-audit, without a database', () => {
  it.each([[], ['timeline'], ['verify'], ['export'], ['checkpoint']])('has help for %p', async (...command) => {
    const { code, stdout } = await cli(...command.flat(), '--help');
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: custody-audit${command.flat().length ? ` ${command.flat()[0]}` : ''}`);
  });

  it('refuses an instant without a time zone, naming the option', async () => {
    const { code, stderr } = await cli('timeline', 'x', '--as-of', '2026-05-01');
    expect(code).toBe(2);
    expect(stderr).toContain('--as-of must be an ISO 8601 date-time with a time zone');
  });

  it('asks for a checkpoint to verify an export offline', async () => {
    const { code, stderr } = await cli('verify', '--file', 'export.ndjson');
    expect(code).toBe(2);
    expect(stderr).toContain('--file needs --checkpoint');
  });
});
