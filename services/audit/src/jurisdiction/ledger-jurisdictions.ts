import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { AuditConfig } from '../config';
import type { LedgerEvent } from '../ledger/entry';
import { quoted } from '../ledger/ledger.repository';
import { PG_POOL } from '../store/store.module';
import { facilityStates, inmateStates, isOfStates, JURISDICTION_EVENTS, type SubjectStates } from './jurisdiction';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a path or body value is an id the ledger can hold (anything else is the route's 400). */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

// Bodies are RFC 8785 JSON, so a type is written exactly this way; the pattern only narrows the
// rows read, the parsed event's type decides.
const PATTERNS = JURISDICTION_EVENTS.map((type) => `%"type":"${type}"%`);

/**
 * The states of ledger subjects, read from the chained ledger: the jurisdiction resolvers of the
 * routes and the filter of lists use it. A subject with no chained entry is absent from the
 * answer (the route answers for an unknown subject); one with entries but none naming its
 * states is present with no state, so no caller sees it until they arrive.
 */
@Injectable()
export class LedgerJurisdictions {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly config: AuditConfig,
  ) {}

  async ofInmate(inmateId: string): Promise<SubjectStates | undefined> {
    return (await this.ofSubjects([`inmate/${inmateId.toLowerCase()}`])).get(`inmate/${inmateId.toLowerCase()}`);
  }

  async ofFacility(facilityId: string): Promise<SubjectStates | undefined> {
    return (await this.ofSubjects([`facility/${facilityId.toLowerCase()}`])).get(`facility/${facilityId.toLowerCase()}`);
  }

  /** The states of subjects named `inmate/<id>` or `facility/<id>`, by subject. */
  async ofSubjects(subjects: string[]): Promise<Map<string, SubjectStates>> {
    const lower = subjects.map((s) => s.toLowerCase());
    const inmateIds = [...new Set(lower.filter((s) => s.startsWith('inmate/')).map((s) => s.slice('inmate/'.length)).filter(isUuid))];
    const facilityIds = [...new Set(lower.filter((s) => s.startsWith('facility/')).map((s) => s.slice('facility/'.length)).filter(isUuid))];
    const [inmates, facilities] = await Promise.all([this.facts('inmate', inmateIds), this.facts('facility', facilityIds)]);
    const states = new Map<string, SubjectStates>();
    for (const [id, events] of inmates) states.set(`inmate/${id}`, inmateStates(events));
    for (const [id, events] of facilities) states.set(`facility/${id}`, facilityStates(events));
    return states;
  }

  /** The items whose subject is of one of `visible` (the caller's states), in their order. */
  async visibleOnly<T extends { subject: string }>(items: T[], visible: string[]): Promise<T[]> {
    const states = await this.ofSubjects(items.map((item) => item.subject));
    return items.filter((item) => {
      const found = states.get(item.subject.toLowerCase());
      return found !== undefined && isOfStates(found, visible);
    });
  }

  /**
   * For each id with at least one chained entry, the events among them that name its states.
   * A person's entries are found by `inmate_id`, a facility's by its subject (both indexed).
   */
  private async facts(kind: 'inmate' | 'facility', ids: string[]): Promise<Map<string, LedgerEvent[]>> {
    const found = new Map<string, LedgerEvent[]>();
    if (ids.length === 0) return found;
    const s = quoted(this.config.DATABASE_SCHEMA);
    const match = kind === 'inmate' ? 'l.inmate_id = i.id' : `l.subject = 'facility/' || i.id::text`;
    const { rows } = await this.pool.query<{ id: string; body: string | null }>(
      `SELECT i.id::text AS id, f.body
         FROM unnest($1::uuid[]) AS i(id)
         LEFT JOIN LATERAL (SELECT l.body FROM ${s}.ledger l WHERE ${match} AND l.body LIKE ANY ($2::text[])) f ON true
        WHERE EXISTS (SELECT 1 FROM ${s}.ledger l WHERE ${match})`,
      [ids, PATTERNS],
    );
    for (const row of rows) {
      const events = found.get(row.id) ?? [];
      if (row.body !== null) events.push(JSON.parse(row.body) as LedgerEvent);
      found.set(row.id, events);
    }
    return found;
  }
}
