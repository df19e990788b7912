import { Inject, Injectable, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { migrateSchema, migrationSet, PostgresEventStore, type GlobalEvent, type PostgresTransaction } from '@custody/event-store';
import { CheckpointedProjector, type Projection } from '@custody/platform';
import { IntakeConfig } from '../config';
import { evolve, initialState, type Inmate, type InmateEvent } from '../inmate/inmate.decider';
import { releaseOn } from '../inmate/inmate.facts';
import { PersonalDataStore } from '../personal-data/personal-data.store';
import { POOL } from '../store/store.module';

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
      `]);

/** The read model's row of an inmate: the folded record, and the columns searches filter on. */
function columns(state: Exclude<Inmate, { status: 'unregistered' }>) {
  return [
    state.status, state.sendingState, state.nationalities, state.residence.status, state.residence.habitualResidence,
    state.enforcement.status, state.sentence?.kind ?? null, state.sentence ? (releaseOn(state.sentence) ?? null) : null,
    state.expulsionOrders.length > 0, state.identity.familyName, state.identity.givenNames,
  ];
}

/**
 * The search read model, kept from the service's own events: a table with one row per inmate
 * (the folded record and the columns searched on), kept by a checkpointed projector (a batch of
 * events and the checkpoint in one transaction, one instance at a time). A row remembers the
 * revision it folded, so an event is never applied twice (a second instance, or a replay after a
 * crash before the checkpoint moved). Rebuilt from position 0 by `rebuild()`. Events are read
 * through the personal data store: names are decrypted into the row, and PersonalDataErased (or a
 * rebuild after it) leaves them `null`.
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
    const event = await this.personalData.open(recorded);
    const inmateId = event.streamName.slice('inmate-'.length);
    const { rows } = await tx.query<{ state: Inmate; revision: string }>(`SELECT state, revision FROM ${this.table} WHERE inmate_id = $1 FOR UPDATE`, [inmateId]);
    const row = rows[0];
    if (!row || Number(row.revision) < event.revision) {
      // A row folded before legal holds and erasure were recorded has neither field.
      const folded = row ? ({ legalHolds: [], isPersonalDataErased: false, ...row.state } as Inmate) : initialState();
      const state = evolve(folded, {
        type: event.type, schemaVersion: event.schemaVersion, data: event.data, occurredAt: event.metadata.occurredAt,
      } as InmateEvent);
      if (state.status !== 'unregistered') {
        await tx.query(
          `INSERT INTO ${this.table} (inmate_id, revision, state, status, sending_state, nationalities, residence_status, habitual_residence,
             enforcement, sentence_kind, release_on, has_expulsion_order, family_name, given_names)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (inmate_id) DO UPDATE SET revision = EXCLUDED.revision, state = EXCLUDED.state, status = EXCLUDED.status,
             sending_state = EXCLUDED.sending_state, nationalities = EXCLUDED.nationalities, residence_status = EXCLUDED.residence_status,
             habitual_residence = EXCLUDED.habitual_residence, enforcement = EXCLUDED.enforcement, sentence_kind = EXCLUDED.sentence_kind,
             release_on = EXCLUDED.release_on, has_expulsion_order = EXCLUDED.has_expulsion_order, family_name = EXCLUDED.family_name,
             given_names = EXCLUDED.given_names
           WHERE ${this.table}.revision < EXCLUDED.revision`,
          [inmateId, event.revision, JSON.stringify(state), ...columns(state)],
        );
      }
    }
  }
}
