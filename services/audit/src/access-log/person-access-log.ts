import { Inject, Injectable } from '@nestjs/common';
import type { AccessLogEntry, PostgresAccessLog } from '@custody/platform';
import type { AccessLogSource } from './access-log-sources';

export const ACCESS_LOG_SOURCES = Symbol('ACCESS_LOG_SOURCES');
export const OWN_ACCESS_LOG = Symbol('OWN_ACCESS_LOG');

/** Most entries asked of each service: the largest page of `GET /access-log`. */
export const PER_SOURCE_LIMIT = 500;

/** What one service answered: how many entries, whether that is all of them, or why it did not answer. */
export interface SourceOutcome {
  service: string;
  entries: number;
  isComplete: boolean;
  error?: string;
}

/** Who read or was given a person's data, in every service, oldest first. */
export interface PersonAccessHistory {
  personId: string;
  /** Each entry names the service that recorded it (`service`). */
  items: AccessLogEntry[];
  sources: SourceOutcome[];
}

/** The caller's headers passed on to each service: who asks, and why and for whom (each service checks and records them). */
export type ForwardedHeaders = Partial<Record<'authorization' | 'x-access-purpose' | 'x-access-recipient' | 'x-correlation-id' | 'traceparent', string>>;

/**
 * A person's access history across the services (Directive (EU) 2016/680 Art 25; a data subject
 * asking who has seen their data): the audit service's own log and, for each service of
 * ACCESS_LOG_SOURCES, its `GET /access-log?personId=` asked with the caller's own token, purpose
 * and recipient. So each service applies its own policy (an auditor sees what its state may) and
 * records the read in its own log. A service that does not answer, or has more than
 * PER_SOURCE_LIMIT entries in the window, is reported as incomplete, never left out silently.
 */
@Injectable()
export class PersonAccessLog {
  constructor(
    @Inject(OWN_ACCESS_LOG) private readonly own: PostgresAccessLog,
    @Inject(ACCESS_LOG_SOURCES) private readonly sources: AccessLogSource[],
  ) {}

  async of(personId: string, window: { from?: string; to?: string }, visibleTo: string | undefined, headers: ForwardedHeaders): Promise<PersonAccessHistory> {
    const ownPage = this.own.query({ personId, ...window, limit: PER_SOURCE_LIMIT, visibleTo });
    const asked = await Promise.all(this.sources.map((source) => this.ask(source, personId, window, headers)));
    const own = await ownPage;
    const answers: Array<{ items: AccessLogEntry[]; outcome: SourceOutcome }> = [
      { items: own.items, outcome: { service: 'audit', entries: own.items.length, isComplete: own.nextAfter === null } },
      ...asked,
    ];
    const items = answers
      .flatMap((answer) => answer.items)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.service.localeCompare(b.service));
    return { personId, items, sources: answers.map((a) => a.outcome) };
  }

  private async ask(source: AccessLogSource, personId: string, window: { from?: string; to?: string }, headers: ForwardedHeaders) {
    const query = new URLSearchParams({ personId, limit: String(PER_SOURCE_LIMIT), ...(window.from ? { from: window.from } : {}), ...(window.to ? { to: window.to } : {}) });
    try {
      const response = await fetch(`${source.url}/access-log?${query}`, {
        headers: Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined)) as Record<string, string>,
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { code?: string };
        throw new Error(`HTTP ${response.status}${body.code ? ` ${body.code}` : ''}`);
      }
      const page = (await response.json()) as { items: AccessLogEntry[]; nextAfter: string | null };
      return { items: page.items, outcome: { service: source.service, entries: page.items.length, isComplete: page.nextAfter === null } };
    } catch (error) {
      const message = error instanceof Error ? (error.name === 'TimeoutError' ? 'no answer within 5 s' : error.message) : String(error);
      return { items: [], outcome: { service: source.service, entries: 0, isComplete: false, error: message } };
    }
  }
}
