import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { AuditConfig } from '../config';
import type { LedgerEvent } from '../ledger/entry';
import { quoted } from '../ledger/ledger.repository';
import { PG_POOL } from '../store/store.module';

/** What the page says about a facility named in a person's history. */
export interface FacilityFacts {
  name: string;
  country: string;
  operatingState: string;
}

/** Facilities' names from their registration in the ledger (the custody service's tables are not read). */
@Injectable()
export class FacilityDirectory {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly config: AuditConfig,
  ) {}

  async factsOf(facilityIds: string[]): Promise<Record<string, FacilityFacts>> {
    if (facilityIds.length === 0) return {};
    // Bodies are RFC 8785 JSON, so the type is written exactly this way; the subject index finds the facility.
    const { rows } = await this.pool.query<{ subject: string; body: string }>(
      `SELECT DISTINCT ON (subject) subject, body FROM ${quoted(this.config.DATABASE_SCHEMA)}.ledger
        WHERE subject = ANY($1::text[]) AND body LIKE '%"type":"FacilityRegistered"%' ORDER BY subject, position`,
      [facilityIds.map((id) => `facility/${id}`)],
    );
    const facts: Record<string, FacilityFacts> = {};
    for (const row of rows) {
      const event = JSON.parse(row.body) as LedgerEvent;
      const d = event.data;
      facts[row.subject.slice('facility/'.length)] = { name: String(d.name ?? ''), country: String(d.country ?? ''), operatingState: String(d.operatingState ?? '') };
    }
    return facts;
  }
}
