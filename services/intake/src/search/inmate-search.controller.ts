import { Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { Pool } from 'pg';
import { ContractViolation, IsIsoDate, IsStateCode, RESIDENCE_STATUSES, type ResidenceStatus, type StateCode } from '@custody/contracts';
import { addDays, daysBetween } from '@custody/legal';
import { PersonalDataRead } from '@custody/platform';
import { openFields, PersonalDataKeys, type EncryptedField, type KeyAccess } from '@custody/personal-data';
import { CurrentPrincipal, Requires, type Principal } from '@custody/security';
import { POOL } from '../store/store.module';
import { InmateSearchProjection, SEARCH_NAME_PATHS } from './inmate-search.projection';
import { SEARCH_INDEX, searchKey, type SearchedName } from './search-keys';

/** Search filters; every one is optional, unknown ones are refused. */
export class InmateSearchQuery {
  /** One of the person's nationalities. */
  @IsOptional() @IsStateCode() nationality?: StateCode;
  @IsOptional() @IsIn(RESIDENCE_STATUSES) residence?: ResidenceStatus;
  @IsOptional() @IsStateCode() sendingState?: StateCode;
  /** At least this many days left to serve on `asOf` (indeterminate and life sentences always qualify). */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(60000) minRemainingDays?: number;
  @IsOptional() @IsIn(['active', 'suspended', 'ended']) enforcement?: 'active' | 'suspended' | 'ended';
  @IsOptional() @IsIn(['registered', 'released']) status?: 'registered' | 'released';
  @IsOptional() @IsIn(['true', 'false']) hasExpulsionOrder?: 'true' | 'false';
  /** The day remaining time is counted on; today (UTC) by default. */
  @IsOptional() @IsIsoDate() asOf?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  /**
   * The family name, matched exactly but for case, accents and white space (`hoxha` finds
   * `Hoxha`, `Çelë` finds `Cele`); no part of a name, no prefix, no near spelling: the read model
   * keeps only a blind index of each name (docs/personal-data.md).
   */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) familyName?: string;
  /** The given names, all of them as recorded, matched like `familyName`. */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) givenNames?: string;
  /** The `nextCursor` of the previous page. */
  @IsOptional() @IsString() cursor?: string;
}

interface Row {
  inmate_id: string;
  status: string;
  sending_state: string;
  nationalities: string[];
  residence_status: string;
  habitual_residence: string;
  enforcement: string;
  sentence_kind: string | null;
  release_on: string | null;
  has_expulsion_order: boolean;
  family_name_sealed: EncryptedField | null;
  given_names_sealed: EncryptedField | null;
}

/** What the access log reads of a page of results. */
type SearchPage = { items: Array<{ inmateId: string; sendingState: string }> };

const encodeCursor = (inmateId: string) => Buffer.from(JSON.stringify({ after: inmateId })).toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const { after } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof after === 'string' && /^[0-9a-f-]{36}$/.test(after)) return after;
  } catch {
    // answered below
  }
  throw new ContractViolation('VALIDATION_FAILED', [{ path: 'cursor', problem: 'cursor must be a nextCursor this service handed out' }]);
}

/** HTTP reads of the search read model, and its rebuild. */
@ApiTags('search')
@Controller()
export class InmateSearchController {
  constructor(
    @Inject(POOL) private readonly pool: Pool,
    private readonly projection: InmateSearchProjection,
    private readonly keys: PersonalDataKeys,
  ) {}

  /** The search key a name filter looks for; refused when the name is only white space or marks. */
  private searchKeyOf(field: SearchedName, name: string): string {
    const key = searchKey(field, name, (value) => this.keys.blindIndex(SEARCH_INDEX, value));
    if (key === undefined) throw new ContractViolation('VALIDATION_FAILED', [{ path: field, problem: `${field} must hold a letter or a digit` }]);
    return key;
  }

  /** The names of a page's rows, opened with each person's key (`null` once erased, or when the row keeps none). */
  private async openNames(rows: Row[]): Promise<Array<{ familyName: string | null; givenNames: string | null }>> {
    const access = new Map<string, Promise<KeyAccess>>();
    return Promise.all(rows.map(async (row) => {
      if (!row.family_name_sealed && !row.given_names_sealed) return { familyName: null, givenNames: null };
      if (!access.has(row.inmate_id)) access.set(row.inmate_id, this.keys.access(row.inmate_id));
      const sealed = { identity: { familyName: row.family_name_sealed ?? undefined, givenNames: row.given_names_sealed ?? undefined } };
      const { data } = openFields(sealed, SEARCH_NAME_PATHS, row.inmate_id, await access.get(row.inmate_id)!);
      const identity = (data as { identity: { familyName?: string | null; givenNames?: string | null } }).identity;
      return { familyName: identity.familyName ?? null, givenNames: identity.givenNames ?? null };
    }));
  }

  @Get('inmates')
  @Requires('inmate:search')
  @PersonalDataRead({
    kind: 'inmate-search',
    persons: (page: SearchPage) => page.items.map((item) => item.inmateId),
    jurisdictions: (page: SearchPage) => page.items.map((item) => item.sendingState),
  })
  @ApiOperation({ summary: 'Searches inmates, e.g. transfer candidates: ?nationality=AL&residence=irregular&minRemainingDays=183&sendingState=BE, or by name: ?familyName=hoxha (exact but for case, accents and white space). Paginated with cursors.' })
  async search(@Query() query: InmateSearchQuery, @CurrentPrincipal() principal?: Principal) {
    const asOf = query.asOf ?? new Date().toISOString().slice(0, 10);
    const limit = query.limit ?? 50;
    const conditions: string[] = [];
    const values: unknown[] = [];
    const where = (sql: (p: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(sql(`$${values.length}`));
    };
    // A state lists only the persons it sends (the read model keeps the sending state only).
    if (principal) where((p) => `sending_state = ${p}`, principal.state);
    if (query.nationality) where((p) => `${p} = ANY (nationalities)`, query.nationality);
    if (query.residence) where((p) => `residence_status = ${p}`, query.residence);
    if (query.sendingState) where((p) => `sending_state = ${p}`, query.sendingState);
    if (query.enforcement) where((p) => `enforcement = ${p}`, query.enforcement);
    if (query.status) where((p) => `status = ${p}`, query.status);
    if (query.hasExpulsionOrder) where((p) => `has_expulsion_order = ${p}`, query.hasExpulsionOrder === 'true');
    // Names only by their blind index: an erased person's row has none, and is found by no name.
    if (query.familyName !== undefined) where((p) => `family_name_key = ${p}`, this.searchKeyOf('familyName', query.familyName));
    if (query.givenNames !== undefined) where((p) => `given_names_key = ${p}`, this.searchKeyOf('givenNames', query.givenNames));
    // Remaining time (the legal rules' count) is release date − asOf: at least N days left means release on or after asOf + N.
    if (query.minRemainingDays !== undefined) {
      where((p) => `(sentence_kind IN ('life', 'indeterminate') OR release_on >= ${p}::date)`, addDays(asOf, query.minRemainingDays));
    }
    if (query.cursor) where((p) => `inmate_id > ${p}::uuid`, decodeCursor(query.cursor));
    values.push(limit + 1);
    const { rows } = await this.pool.query<Row>(
      `SELECT inmate_id, status, sending_state, nationalities, residence_status, habitual_residence, enforcement, sentence_kind,
              release_on::text AS release_on, has_expulsion_order, family_name_sealed, given_names_sealed
       FROM ${this.projection.table} ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY inmate_id LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, limit);
    const names = await this.openNames(page);
    return {
      asOf,
      items: page.map((row, at) => ({
        inmateId: row.inmate_id,
        familyName: names[at].familyName,
        givenNames: names[at].givenNames,
        nationalities: row.nationalities,
        sendingState: row.sending_state,
        residence: { status: row.residence_status, habitualResidence: row.habitual_residence },
        status: row.status,
        enforcement: row.enforcement,
        sentenceKind: row.sentence_kind,
        releaseOn: row.release_on,
        remainingDays: row.release_on ? Math.max(0, daysBetween(asOf, row.release_on)) : null,
        hasExpulsionOrder: row.has_expulsion_order,
      })),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].inmate_id) : null,
    };
  }

  @Post('admin/projections/inmates/rebuild')
  @Requires('admin:operate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Empties the search read model and rebuilds it from position 0 of the event store.' })
  rebuild() {
    return this.projection.rebuild();
  }
}
