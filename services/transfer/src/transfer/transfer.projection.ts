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

/** Most case views kept in memory by the projection (a few KB each: the cases in progress, not every case). */
const VIEWS_KEPT = 1_000;

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

  /**
   * The views this instance wrote last, by case (at most VIEWS_KEPT, the least recently written
   * forgotten first): the next event of a case is folded into the kept view and written with one
   * statement, guarded by the revision the view was built at, instead of a read and a write. The
   * guard makes a kept view that is not the stored one harmless (its transaction rolled back, or
   * another instance projected meanwhile): nothing is written, and the event is folded into the
   * stored row, read as before (docs/performance.md, "Fewer statements per case").
   */
  private readonly views = new Map<string, TransferView>();

  private remember(transferId: string, view: TransferView): void {
    this.views.delete(transferId);
    this.views.set(transferId, view);
    if (this.views.size > VIEWS_KEPT) this.views.delete(this.views.keys().next().value as string);
  }

  private async project(tx: Queryable, event: GlobalEvent): Promise<void> {
    const transferId = event.streamName.slice('transfer-'.length);
    const kept = this.views.get(transferId);
    if (kept) {
      const view = applyToView(kept, event, transferId);
      // An event the kept view already holds may be one its rolled-back transaction held: the stored row says.
      if (view !== kept && (await this.write(tx, transferId, view, kept.revision))) return this.remember(transferId, view);
      this.views.delete(transferId);
    }
    const { rows } = await tx.query<{ view: TransferView }>(`SELECT view FROM ${this.tables.s}.transfers WHERE transfer_id = $1 FOR UPDATE`, [transferId]);
    const before = rows[0]?.view;
    const view = applyToView(before, event, transferId);
    if (view !== before) await this.write(tx, transferId, view);
    this.remember(transferId, view);
  }

  /**
   * Writes the view, and its deadlines replaced by the open ones (those no longer open deleted,
   * the others written) in one statement, as a delete of all and an insert of each would leave
   * them. With `storedRevision`, only over a stored row of that revision: false when there was none.
   */
  private async write(tx: Queryable, transferId: string, view: TransferView, storedRevision?: number): Promise<boolean> {
    const { state } = view;
    const deadlines = openDeadlines(state);
    const due = [deadlines.map((d) => d.kind), deadlines.map((d) => d.dueAt), deadlines.map((d) => d.status)];
    // $1 the case, $2 the person; `d` the parameter numbers of the deadlines' kinds, due instants and statuses.
    const deadlinesWritten = (d: number) => `closed AS (
         DELETE FROM ${this.tables.s}.transfer_deadlines WHERE transfer_id = $1 AND kind <> ALL ($${d}::text[]) AND EXISTS (SELECT 1 FROM view)
       ), opened AS (
         INSERT INTO ${this.tables.s}.transfer_deadlines (transfer_id, inmate_id, kind, due_at, due, status)
         SELECT $1, $2, d.kind, d.due_at, d.due_at::timestamptz, d.status FROM unnest($${d}::text[], $${d + 1}::text[], $${d + 2}::text[]) AS d(kind, due_at, status)
         WHERE EXISTS (SELECT 1 FROM view)
         ON CONFLICT (transfer_id, kind) DO UPDATE SET inmate_id = EXCLUDED.inmate_id, due_at = EXCLUDED.due_at, due = EXCLUDED.due, status = EXCLUDED.status
       )
       SELECT EXISTS (SELECT 1 FROM view) AS written`;
    const { rows } = storedRevision === undefined
      ? await tx.query<{ written: boolean }>(
          `WITH view AS (
             INSERT INTO ${this.tables.s}.transfers (transfer_id, inmate_id, stage, sending_state, receiving_state, legal_basis, view, last_revision)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (transfer_id) DO UPDATE SET stage = EXCLUDED.stage, view = EXCLUDED.view, last_revision = EXCLUDED.last_revision, updated_at = now()
             RETURNING 1
           ), ${deadlinesWritten(9)}`,
          [transferId, state.inmateId, state.stage, state.sendingState, state.receivingState, state.legalBasis, JSON.stringify(view), view.revision, ...due],
        )
      : await tx.query<{ written: boolean }>(
          `WITH view AS (
             UPDATE ${this.tables.s}.transfers SET stage = $3, view = $4, last_revision = $5, updated_at = now()
             WHERE transfer_id = $1 AND last_revision = $6
             RETURNING 1
           ), ${deadlinesWritten(7)}`,
          [transferId, state.inmateId, state.stage, JSON.stringify(view), view.revision, storedRevision, ...due],
        );
    return rows[0].written;
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
