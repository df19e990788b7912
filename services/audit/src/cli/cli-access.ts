import { userInfo } from 'node:os';
import { CommandRejection } from '@custody/contracts';
import { PostgresAccessLog, PURPOSE_HEADER, RECIPIENT_HEADER, statedAccess } from '@custody/platform';
import type { Pool } from 'pg';
import type { AuditConfig } from '../config';
import { LedgerJurisdictions } from '../jurisdiction/ledger-jurisdictions';

/** What an auditor says of a read of personal data made with the CLI (options or environment). */
export interface CliAccessOptions {
  purpose?: string;
  recipient?: string;
  actor?: string;
}

/** Why, for whom and by whom: checked before anything is read. */
export interface CliAccess {
  purpose: string;
  recipient: string;
  subject: string;
}

/** The person at the terminal, as the operating system names them; the access log records it unless --actor says otherwise. */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

/**
 * The purpose, recipient and actor of a read the CLI is about to make online, under the rules of
 * the HTTP routes (Directive (EU) 2016/680 Art 25): the purpose is required, one line of at most
 * 500 characters. Throws an Error naming the option otherwise, before the ledger is read.
 */
export function cliAccess(options: CliAccessOptions): CliAccess {
  const actor = options.actor?.trim() || osUser();
  try {
    const stated = statedAccess({ [PURPOSE_HEADER]: options.purpose, [RECIPIENT_HEADER]: options.recipient }, undefined, 'on');
    return { purpose: stated.purpose, recipient: options.recipient?.trim() || actor, subject: `cli:${actor}` };
  } catch (error) {
    if (!(error instanceof CommandRejection)) throw error;
    const problem = error.errors[0]?.problem ?? error.message;
    const option = error.errors[0]?.path === `headers.${RECIPIENT_HEADER}` ? '--recipient' : '--purpose';
    throw new Error(`${option}: ${problem}; the access log of the audit service records every read of personal data (also ACCESS_PURPOSE, ACCESS_RECIPIENT)`);
  }
}

/**
 * Appends one disclosure to the audit service's access log, as the HTTP routes do: who (the
 * actor at the terminal), why, for whom, which persons and their states (from the ledger). Called
 * after the read and before anything is printed or written: if it cannot be recorded, the CLI
 * shows nothing (the caller's error exits 2).
 */
export async function recordCliDisclosure(
  pool: Pool,
  schema: string,
  access: CliAccess,
  read: { kind: string; command: string; personIds: string[] },
): Promise<void> {
  const personIds = [...new Set(read.personIds)];
  if (personIds.length === 0) return;
  const states = await new LedgerJurisdictions(pool, { DATABASE_SCHEMA: schema } as AuditConfig).ofSubjects(personIds.map((id) => `inmate/${id}`));
  const jurisdictions = [...new Set([...states.values()].flatMap((s) => (s.kind === 'inmate' ? [...s.sendingStates, ...s.receivingStates] : [])))];
  const log = new PostgresAccessLog(pool, schema);
  try {
    await log.migrate();
    await log.append({
      service: 'audit',
      subject: access.subject,
      issuer: null,
      state: null,
      organisation: null,
      roles: ['auditor'],
      purpose: access.purpose,
      recipient: access.recipient,
      method: 'CLI',
      route: `custody-audit ${read.command}`,
      path: `custody-audit ${read.command}${personIds.length === 1 ? ` ${personIds[0]}` : ''}`,
      kind: read.kind,
      personIds,
      jurisdictions,
      status: 200,
      traceId: null,
      correlationId: null,
    });
  } catch (error) {
    throw new Error(`the access log could not record this read, so nothing is shown: ${(error as Error).message}`);
  }
}
