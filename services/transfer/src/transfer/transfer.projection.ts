import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PostgresEventStore, type GlobalEvent } from '@custody/event-store';
import { CheckpointedProjector, type Projection } from '@custody/platform';
import { Clock } from '../deadlines/clock';
import { OPINION_EVENT, PersonalOpinions } from '../personal-data/opinion';
import { TransferTables, type Queryable } from '../store/transfer-tables';
import { transferStream } from './transfer.commands';
import { openDeadlines, type Stage } from './transfer.state';
import { applyToView, isOverdue, presentTransfer, type TransferView } from './transfer.view';

const NAME = 'transfers';

export interface TransferFilter {
  stage?: Stage;
  receivingState?: string;
  isOverdue?: boolean;
  limit: number;
  /** Only cases whose sending or receiving state is one of these (the caller's, from visibleStates); all when undefined. */
  states?: string[];
}

/**
 * The read model, kept from our own events: a row per case (`transfers`) and its owed deadlines
 * (`transfer_deadlines`, which the deadline scheduler scans). It follows the store's global log
 * from a stored checkpoint, in one instance at a time; each batch of events is folded in one
 * transaction with the checkpoint, and a row remembers the revision it was built at, so replaying
 * (or a second instance taking over) changes nothing. Rebuild: delete the checkpoint row and the
 * two tables' rows.
 */
@Injectable()
export class TransferProjection implements OnApplicationBootstrap, BeforeApplicationShutdown, Projection {
  readonly categories = ['transfer'];
  private readonly projector: CheckpointedProjector;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly tables: TransferTables,
    private readonly clock: Clock,
    private readonly opinions: PersonalOpinions,
  ) {
    this.projector = new CheckpointedProjector({ name: NAME, store, pool: tables.pool, schema: tables.schema, projections: [this] });
  }

  onApplicationBootstrap(): void {
    this.projector.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
  }

  apply(event: GlobalEvent, tx: Queryable): Promise<void> {
    return this.project(tx, event);
  }

  private async project(tx: Queryable, event: GlobalEvent): Promise<void> {
    const transferId = event.streamName.slice('transfer-'.length);
    const { rows } = await tx.query<{ view: TransferView }>(`SELECT view FROM ${this.tables.s}.transfers WHERE transfer_id = $1 FOR UPDATE`, [transferId]);
    const before = rows[0]?.view;
    const view = applyToView(before, event, transferId);
    if (view === before) return;
    const { state } = view;
    const deadlines = openDeadlines(state);
    // One statement: the view, and the deadlines replaced by the open ones (those no longer open
    // deleted, the others written), as a delete of all and an insert of each would leave them.
    await tx.query(
      `WITH view AS (
         INSERT INTO ${this.tables.s}.transfers (transfer_id, inmate_id, stage, sending_state, receiving_state, legal_basis, view, last_revision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (transfer_id) DO UPDATE SET stage = EXCLUDED.stage, view = EXCLUDED.view, last_revision = EXCLUDED.last_revision, updated_at = now()
       ), closed AS (
         DELETE FROM ${this.tables.s}.transfer_deadlines WHERE transfer_id = $1 AND kind <> ALL ($9::text[])
       )
       INSERT INTO ${this.tables.s}.transfer_deadlines (transfer_id, inmate_id, kind, due_at, due, status)
       SELECT $1, $2, d.kind, d.due_at, d.due_at::timestamptz, d.status FROM unnest($9::text[], $10::text[], $11::text[]) AS d(kind, due_at, status)
       ON CONFLICT (transfer_id, kind) DO UPDATE SET inmate_id = EXCLUDED.inmate_id, due_at = EXCLUDED.due_at, due = EXCLUDED.due, status = EXCLUDED.status`,
      [
        transferId, state.inmateId, state.stage, state.sendingState, state.receivingState, state.legalBasis, JSON.stringify(view), view.revision,
        deadlines.map((d) => d.kind), deadlines.map((d) => d.dueAt), deadlines.map((d) => d.status),
      ],
    );
  }

  /** The case as its stream says now (not the read model, which may lag). */
  async current(transferId: string) {
    let view: TransferView | undefined;
    let opinion: unknown;
    for await (const event of this.store.readStream(transferStream(transferId))) {
      view = applyToView(view, event, transferId);
      if (event.type === OPINION_EVENT) opinion = event.data;
    }
    // The opinion, sealed in the stream, opened with the person's key: shown here only, never kept in the read model.
    return view && { ...presentTransfer(view, this.clock.now()), ...(opinion ? { opinion: await this.opinions.open(opinion) } : {}) };
  }

  async list(filter: TransferFilter) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.stage) where.push(`t.stage = $${params.push(filter.stage)}`);
    if (filter.receivingState) where.push(`t.receiving_state = $${params.push(filter.receivingState)}`);
    if (filter.states) {
      const states = `$${params.push(filter.states)}::text[]`;
      where.push(`(t.sending_state = ANY (${states}) OR t.receiving_state = ANY (${states}))`);
    }
    if (filter.isOverdue !== undefined) {
      const overdue = `EXISTS (SELECT 1 FROM ${this.tables.s}.transfer_deadlines d WHERE d.transfer_id = t.transfer_id AND d.status IN ('open', 'missed') AND d.due < $${params.push(this.clock.now())})`;
      where.push(filter.isOverdue ? overdue : `NOT ${overdue}`);
    }
    const { rows } = await this.tables.pool.query<{ view: TransferView }>(
      `SELECT t.view FROM ${this.tables.s}.transfers t ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY t.updated_at DESC LIMIT $${params.push(filter.limit)}`,
      params,
    );
    const now = this.clock.now();
    return rows.map(({ view }) => {
      const { state } = view;
      const deadlines = openDeadlines(state).map((d) => ({ ...d, isOverdue: isOverdue(d, now) }));
      return {
        transferId: view.transferId, inmateId: state.inmateId, stage: state.stage, sendingState: state.sendingState,
        receivingState: state.receivingState, legalBasis: state.legalBasis, openDeadlines: deadlines,
        isOverdue: deadlines.some((d) => d.isOverdue), revision: view.revision,
      };
    });
  }
}
