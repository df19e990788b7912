import { DEFAULT_DATABASE_URL, explainDatabaseError, run } from './cli';

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

describe('custody-audit, where the ledger is', () => {
  it('reads the database npm run dev gives the audit service unless told otherwise', async () => {
    const { stdout } = await cli('--help');
    expect(DEFAULT_DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/audit');
    expect(stdout.replace(/\s+/g, ' ')).toContain('default: "postgres://postgres@127.0.0.1:5432/audit", env: DATABASE_URL');
  });

  it('names the database and schema it looked in when the ledger is not there, and how to name the right ones', () => {
    const missingTable = Object.assign(new Error('relation "audit.ledger_head" does not exist'), { code: '42P01' });
    const message = explainDatabaseError(missingTable, 'postgres://postgres:secret@db.example:5432/postgres', 'audit');
    expect(message).toContain('no audit ledger in schema audit of database postgres on db.example:5432');
    expect(message).toContain('--database-url (or DATABASE_URL)');
    expect(message).toContain('npm run dev keeps it in postgres://postgres@127.0.0.1:5432/audit');
    expect(message).not.toContain('secret');
    const missingDatabase = Object.assign(new Error('database "audit" does not exist'), { code: '3D000' });
    expect(explainDatabaseError(missingDatabase, DEFAULT_DATABASE_URL, 'audit')).toContain('no audit ledger in schema audit of database audit on 127.0.0.1:5432');
  });

  it('passes any other failure of the database on as PostgreSQL said it', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(explainDatabaseError(refused, DEFAULT_DATABASE_URL, 'audit')).toBe('connect ECONNREFUSED 127.0.0.1:5432');
  });
});
