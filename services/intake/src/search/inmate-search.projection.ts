import { Inject, Injectable, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { migrateSchema, migrationSet, PostgresEventStore, type GlobalEvent, type PostgresTransaction } from '@custody/event-store';
import { CheckpointedProjector, type Projection } from '@custody/platform';
import { PersonalDataKeys, sealFields, type EncryptedField } from '@custody/personal-data';
import type { PersonIdentity } from '@custody/contracts';
import { IntakeConfig } from '../config';
import { evolve, initialState, type Inmate, type InmateEvent } from '../inmate/inmate.decider';
import { releaseOn } from '../inmate/inmate.facts';
import { EVENTS_WITH_IDENTITY, type KeyAccess } from '../personal-data/personal-fields';
import { PersonalDataStore } from '../personal-data/personal-data.store';
import { POOL } from '../store/store.module';
import { SEARCH_INDEX, searchKey } from './search-keys';

const NAME = 'inmate-search';

/**
 * The search read model's tables. Version 1 is the DDL from before versioned migrations (IF NOT
 * EXISTS; dropping NOT NULL again changes nothing): on a schema it already made it changes nothing.
 */
export const INMATE_SEARCH_MIGRATIONS = migrationSet('inmate-search', ['inmate_search and the projection checkpoints', (s) => `
        CREATE TABLE IF NOT EXISTS ${s}.inmate_search (
          inmate_id uuid PRIMARY KEY,
          revision bigint NOT NULL,
          state jsonb NOT NULL,
          status text NOT NULL,
          sending_state text NOT NULL,
          nationalities text[] NOT NULL,
          residence_status text NOT NULL,
          habitual_residence text NOT NULL,
          enforcement text NOT NULL,
          sentence_kind text,
          release_on date,
          has_expulsion_order boolean NOT NULL,
          family_name text NOT NULL,
          given_names text NOT NULL
        );
        CREATE INDEX IF NOT EXISTS inmate_search_candidates ON ${s}.inmate_search (sending_state, residence_status, release_on);
        CREATE INDEX IF NOT EXISTS inmate_search_nationalities ON ${s}.inmate_search USING gin (nationalities);
        CREATE TABLE IF NOT EXISTS ${s}.projection_checkpoints (name text PRIMARY KEY, checkpoint text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
        -- Rule 16: names are null once the person's personal data is erased.
        ALTER TABLE ${s}.inmate_search ALTER COLUMN family_name DROP NOT NULL, ALTER COLUMN given_names DROP NOT NULL;
      `], ['no clear identity: names sealed under the person\'s key, searched by blind index; emptied to be rebuilt', (s) => `
        -- docs/personal-data.md, "The search read model": the clear names go, and so does the folded
        -- record that held the whole identity in clear. TRUNCATE writes the table anew (dropping a
        -- column alone would leave the values in its pages); forgetting the checkpoint makes the
        -- projector fold every event again from position 0 when the service starts.
        TRUNCATE ${s}.inmate_search;
        DELETE FROM ${s}.projection_checkpoints WHERE name = 'inmate-search';
        ALTER TABLE ${s}.inmate_search
          DROP COLUMN family_name,
          DROP COLUMN given_names,
          ADD COLUMN family_name_sealed jsonb,
          ADD COLUMN given_names_sealed jsonb,
          ADD COLUMN family_name_key text,
          ADD COLUMN given_names_key text;
        CREATE INDEX inmate_search_family_name ON ${s}.inmate_search (family_name_key);
        CREATE INDEX inmate_search_given_names ON ${s}.inmate_search (given_names_key);
      `]);

/** The names as the row keeps them: sealed under the person's key, and their search keys (all `null` once erased). */
interface SearchNames {
  familyNameSealed: EncryptedField | null;
  givenNamesSealed: EncryptedField | null;
  familyNameKey: string | null;
  givenNamesKey: string | null;
}

const NO_NAMES: SearchNames = { familyNameSealed: null, givenNamesSealed: null, familyNameKey: null, givenNamesKey: null };

/** The paths of the names sealed in the row: those of the event, so the row holds the event's own ciphertexts. */
export const SEARCH_NAME_PATHS = ['identity.familyName', 'identity.givenNames'] as const;

type Registered = Exclude<Inmate, { status: 'unregistered' }>;

/** The folded record as the row keeps it: the identity without its personal fields (only `sex`, kept in clear by the events too). */
function withoutIdentity(state: Registered): Registered {
  return { ...state, identity: { sex: state.identity.sex } as Registered['identity'] };
}

/** The read model's row of an inmate: the folded record, and the columns searches filter on. */
function columns(state: Registered, names: SearchNames) {
  return [
    state.status, state.sendingState, state.nationalities, state.residence.status, state.residence.habitualResidence,
    state.enforcement.status, state.sentence?.kind ?? null, state.sentence ? (releaseOn(state.sentence) ?? null) : null,
    state.expulsionOrders.length > 0,
    names.familyNameSealed && JSON.stringify(names.familyNameSealed), names.givenNamesSealed && JSON.stringify(names.givenNamesSealed),
    names.familyNameKey, names.givenNamesKey,
  ];
}

/**
 * The search read model, kept from the service's own events: a table with one row per inmate
 * (the folded record and the columns searched on), kept by a checkpointed projector (a batch of
 * events and the checkpoint in one transaction, one instance at a time). A row remembers the
 * revision it folded, so an event is never applied twice (a second instance, or a replay after a
 * crash before the checkpoint moved). Rebuilt from position 0 by `rebuild()`.
 *
 * The row holds no clear identity (docs/personal-data.md, "The search read model"): the names are
 * kept as the event sealed them under the person's key (a name written in clear before
 * encryption is sealed here with the key, when the person has one), and searched by their blind
 * indexes ({@link searchKey}); the folded record keeps no personal field. Once the person's key is
 * destroyed, PersonalDataErased (or a rebuild after it) leaves the names and their keys `null`:
 * the row can be neither found by name nor read.
 */
@Injectable()
export class InmateSearchProjection implements OnApplicationBootstrap, BeforeApplicationShutdown, Projection {
  readonly categories = ['inmate'];
  private readonly s: string;
  private readonly projector: CheckpointedProjector;
  private migrated?: Promise<void>;

  constructor(
    private readonly store: PostgresEventStore,
    @Inject(POOL) private readonly pool: Pool,
    private readonly config: IntakeConfig,
    private readonly personalData: PersonalDataStore,
    private readonly keys: PersonalDataKeys,
  ) {
    this.s = `"${config.DATABASE_SCHEMA}"`;
    this.projector = new CheckpointedProjector({ name: NAME, store, pool, schema: config.DATABASE_SCHEMA, projections: [this] });
  }

  get table(): string {
    return `${this.s}.inmate_search`;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.migrate();
    if (this.config.PROJECTION_ENABLED === 'true') this.projector.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
  }

  migrate(): Promise<void> {
    this.migrated ??= migrateSchema(this.pool, this.config.DATABASE_SCHEMA, INMATE_SEARCH_MIGRATIONS).then(() => undefined);
    return this.migrated;
  }

  /** Empties the read model and folds every inmate event again from position 0. */
  async rebuild(): Promise<{ events: number; checkpoint: string | null }> {
    await this.projector.stop();
    try {
      await this.migrate();
      await this.store.transaction(async (tx) => {
        await tx.query(`TRUNCATE ${this.table}`);
        await this.projector.resetCheckpoint(tx);
      });
      return await this.projector.catchUp();
    } finally {
      if (this.config.PROJECTION_ENABLED === 'true') this.projector.start();
    }
  }

  /** Events applied by this instance since it started (for health and tests). */
  status() {
    return this.projector.status();
  }

  /** Folds one event into its inmate's row (in the projector's transaction, with the checkpoint). */
  async apply(recorded: GlobalEvent, tx: PostgresTransaction): Promise<void> {
    const access = new Map<string, Promise<KeyAccess>>();
    const event = await this.personalData.open(recorded, access);
    const inmateId = event.streamName.slice('inmate-'.length);
    const { rows } = await tx.query<{ state: Inmate; revision: string } & Record<'family_name_sealed' | 'given_names_sealed', EncryptedField | null> & Record<'family_name_key' | 'given_names_key', string | null>>(
      `SELECT state, revision, family_name_sealed, given_names_sealed, family_name_key, given_names_key FROM ${this.table} WHERE inmate_id = $1 FOR UPDATE`,
      [inmateId],
    );
    const row = rows[0];
    if (!row || Number(row.revision) < event.revision) {
      // A row folded before legal holds and erasure were recorded has neither field.
      const folded = row ? ({ legalHolds: [], isPersonalDataErased: false, ...row.state } as Inmate) : initialState();
      const state = evolve(folded, {
        type: event.type, schemaVersion: event.schemaVersion, data: event.data, occurredAt: event.metadata.occurredAt,
      } as InmateEvent);
      if (state.status !== 'unregistered') {
        const kept: SearchNames = row
          ? { familyNameSealed: row.family_name_sealed, givenNamesSealed: row.given_names_sealed, familyNameKey: row.family_name_key, givenNamesKey: row.given_names_key }
          : NO_NAMES;
        const names = state.isPersonalDataErased ? NO_NAMES : ((await this.names(recorded, event.data, access)) ?? kept);
        await tx.query(
          `INSERT INTO ${this.table} (inmate_id, revision, state, status, sending_state, nationalities, residence_status, habitual_residence,
             enforcement, sentence_kind, release_on, has_expulsion_order, family_name_sealed, given_names_sealed, family_name_key, given_names_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
           ON CONFLICT (inmate_id) DO UPDATE SET revision = EXCLUDED.revision, state = EXCLUDED.state, status = EXCLUDED.status,
             sending_state = EXCLUDED.sending_state, nationalities = EXCLUDED.nationalities, residence_status = EXCLUDED.residence_status,
             habitual_residence = EXCLUDED.habitual_residence, enforcement = EXCLUDED.enforcement, sentence_kind = EXCLUDED.sentence_kind,
             release_on = EXCLUDED.release_on, has_expulsion_order = EXCLUDED.has_expulsion_order,
             family_name_sealed = EXCLUDED.family_name_sealed, given_names_sealed = EXCLUDED.given_names_sealed,
             family_name_key = EXCLUDED.family_name_key, given_names_key = EXCLUDED.given_names_key
           WHERE ${this.table}.revision < EXCLUDED.revision`,
          [inmateId, event.revision, JSON.stringify(withoutIdentity(state)), ...columns(state, names)],
        );
      }
    }
  }

  /**
   * The names an event records (a registration, a correction of the identity), sealed and keyed;
   * undefined for an event that records none (the row keeps its names). `opened` is the event's
   * data opened, `access` the person's key as the opening found it.
   */
  private async names(recorded: GlobalEvent, opened: unknown, access: Map<string, Promise<KeyAccess>>): Promise<SearchNames | undefined> {
    const identity = (opened as { identity?: PersonIdentity }).identity;
    if (!EVENTS_WITH_IDENTITY.has(recorded.type) || !identity) return undefined;
    const inmateId = (recorded.data as { inmateId: string }).inmateId;
    const key = await access.get(inmateId);
    if (!key || key.status === 'erased') return NO_NAMES;
    const index = (value: string) => this.keys.blindIndex(SEARCH_INDEX, value);
    // The event's own ciphertexts; a name stored in clear before encryption is sealed with the person's key,
    // and not kept at all by a person who has none yet (still found by its key; GET /inmates/:id reads it).
    const sealed = key.status === 'held'
      ? (sealFields(recorded.data, SEARCH_NAME_PATHS, inmateId, key.key) as { identity: Record<string, EncryptedField> }).identity
      : undefined;
    return {
      familyNameSealed: sealed?.familyName ?? null,
      givenNamesSealed: sealed?.givenNames ?? null,
      familyNameKey: searchKey('familyName', identity.familyName, index) ?? null,
      givenNamesKey: searchKey('givenNames', identity.givenNames, index) ?? null,
    };
  }
}
