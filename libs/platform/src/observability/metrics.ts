import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EVENT_ID_CONFLICT, type ConsumerOutcome, type ConsumerRevisionGap, type MessagingHost } from '@custody/messaging';
import type { CommandRecorder } from './context';

/** A figure read from the service's database at each scrape: one row, its `value` column. */
export interface DatabaseGauge {
  name: string;
  help: string;
  sql: string;
}

export type Query = (sql: string) => Promise<Array<Record<string, unknown>>>;

/**
 * The metrics of one application, in a registry of its own (never prom-client's global one):
 * an application created twice in one process registers everything twice without clashing.
 */
export class ServiceMetrics implements CommandRecorder {
  readonly registry = new Registry();
  private readonly commands: Counter<'type' | 'outcome' | 'code'>;
  private readonly append: Histogram<'category'>;
  private readonly http: Histogram<'method' | 'route' | 'status'>;
  private readonly consumed: Counter<'topic' | 'outcome'>;
  private readonly deadLetters: Counter<'topic' | 'reason'>;
  private readonly refusedEffects: Counter<'event' | 'command' | 'code'>;
  private readonly revisionGaps: Counter<'topic'>;
  private readonly idConflicts: Counter<'topic' | 'source'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.commands = new Counter({
      name: 'custody_commands_total',
      help: 'Commands decided, by type, outcome (accepted or rejected) and rejection code',
      labelNames: ['type', 'outcome', 'code'],
      registers,
    });
    this.append = new Histogram({
      name: 'custody_append_duration_seconds',
      help: 'Time to append a decision to the event store, by stream category',
      labelNames: ['category'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.http = new Histogram({
      name: 'custody_http_request_duration_seconds',
      help: 'Time from the arrival of an HTTP request to the last byte of its answer, by method, route pattern (unmatched for no route) and status class (2xx, 4xx, 5xx)',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
      registers,
    });
    this.consumed = new Counter({
      name: 'custody_consumer_messages_total',
      help: 'Messages consumed, by topic and outcome (processed, duplicate, ignored, dead-lettered)',
      labelNames: ['topic', 'outcome'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'custody_dlq_messages_total',
      help: 'Messages sent to a dead-letter topic, by original topic and reason code',
      labelNames: ['topic', 'reason'],
      registers,
    });
    this.refusedEffects = new Counter({
      name: 'custody_effects_refused_total',
      help: 'Events of other services whose effect here the rules refused (the message is consumed, nothing is written): by event type, the command it became, and the rejection code',
      labelNames: ['event', 'command', 'code'],
      registers,
    });
    this.revisionGaps = new Counter({
      name: 'custody_consumer_revision_gaps_total',
      help: 'Skipped revisions the consumer saw, by topic: a message whose stream\'s previous published event never arrived (an event missing on the way; the audit ledger raises EVENT_MISSING for what it records)',
      labelNames: ['topic'],
      registers,
    });
    this.idConflicts = new Counter({
      name: 'custody_inbox_id_conflicts_total',
      help: 'Events whose (source, id) the inbox had processed before with other content, by topic and sender (ce_source): each set aside as EVENT_ID_CONFLICT, not applied; any is an alarm (docs/operations.md)',
      labelNames: ['topic', 'source'],
      registers,
    });
  }

  /** A message showed the consumer that an event of its stream never arrived (docs/architecture.md, "Completeness"). */
  revisionGap(gap: Pick<ConsumerRevisionGap, 'topic'>): void {
    this.revisionGaps.inc({ topic: gap.topic });
  }

  effectRefused(eventType: string, commandType: string, code: string): void {
    this.refusedEffects.inc({ event: eventType, command: commandType, code });
  }

  command(type: string, outcome: 'accepted' | 'rejected', code: string): void {
    this.commands.inc({ type, outcome, code });
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: `${Math.floor(status / 100)}xx` }, seconds);
  }

  appendSeconds(category: string, seconds: number): void {
    this.append.observe({ category }, seconds);
  }

  outcome(outcome: ConsumerOutcome): void {
    const topic = outcome.message.topic;
    this.consumed.inc({ topic, outcome: outcome.kind });
    if (outcome.kind === 'dead-lettered') this.deadLetters.inc({ topic, reason: outcome.code });
    if (outcome.kind === 'dead-lettered' && outcome.code === EVENT_ID_CONFLICT) {
      const source = outcome.message.headers['ce_source'];
      this.idConflicts.inc({ topic, source: source === undefined ? '' : String(Array.isArray(source) ? source[0] : source) });
    }
  }

  /** Relay lag and consumer lag, read from the messaging host at each scrape. */
  watchMessaging(host: MessagingHost, now: () => number = Date.now): void {
    const registers = [this.registry];
    new Gauge({
      name: 'custody_relay_lag_events',
      help: 'Events read from the store and not yet acknowledged by the broker',
      registers,
      collect() {
        const status = host.relayStatus();
        if (status) this.set(status.pendingEvents);
      },
    });
    new Gauge({
      name: 'custody_relay_lag_head_events',
      help: 'Events committed to the store after the relay checkpoint: the relay distance to the store head, read or not',
      registers,
      collect() {
        const status = host.relayStatus();
        if (status?.behindEvents !== undefined) this.set(status.behindEvents);
      },
    });
    new Gauge({
      name: 'custody_relay_lag_seconds',
      help: 'Age of the oldest committed event not yet acknowledged by the broker, read or not (0 when caught up)',
      registers,
      collect() {
        const status = host.relayStatus();
        if (status) this.set(relayLagSeconds(status, now()));
      },
    });
    new Gauge({
      name: 'custody_relay_active',
      help: '1 when this instance holds the relay lock and publishes, 0 on a standby',
      registers,
      collect() {
        const status = host.relayStatus();
        if (status) this.set(status.isActive ? 1 : 0);
      },
    });
    new Gauge({
      name: 'custody_relay_published_events',
      help: 'Events this instance published since it started (or passed on as internal to the service); those the contract refused are custody_relay_rejected_events',
      registers,
      collect() {
        const status = host.relayStatus();
        if (status) this.set(status.published);
      },
    });
    new Gauge({
      name: 'custody_relay_rejected_events',
      help: 'Stored events this instance could not publish since it started, because the contract refused them (each recorded in relay_rejected and logged; its readers see its revision missing). Not counted as published',
      registers,
      collect() {
        const status = host.relayStatus();
        if (status) this.set(status.rejected);
      },
    });
    new Gauge({
      name: 'custody_consumer_blocked_seconds',
      help: 'How long the consumer has waited on one message of a partition whose handler keeps failing for a transient reason (0: the partition flows)',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        this.reset();
        const status = host.consumerStatus();
        if (!status) return;
        for (const [topic, partitions] of Object.entries(status.assignment)) {
          for (const partition of partitions) this.set({ topic, partition: String(partition) }, 0);
        }
        for (const blocked of status.blocked) this.set({ topic: blocked.topic, partition: String(blocked.partition) }, blocked.seconds);
      },
    });
    new Gauge({
      name: 'custody_consumer_lag',
      help: 'Messages of a partition not yet committed by the service\'s consumer group',
      labelNames: ['topic', 'partition'],
      registers,
      async collect() {
        this.reset();
        if (!host.consumerStatus()) return;
        for (const { topic, partition, lag } of await host.consumerLag().catch(() => [])) {
          this.set({ topic, partition: String(partition) }, lag);
        }
      },
    });
  }

  /** A service's own figure (e.g. deadlines missed, ledger size), read with `query` at each scrape. */
  addDatabaseGauge(spec: DatabaseGauge, query: () => Query | undefined): void {
    new Gauge({
      name: spec.name,
      help: spec.help,
      registers: [this.registry],
      async collect() {
        const run = query();
        if (!run) return;
        const rows = await run(spec.sql).catch(() => undefined); // a table not created yet: no sample
        const value = Number(rows?.[0]?.value);
        if (Number.isFinite(value)) this.set(value);
      },
    });
  }
}

/**
 * How far behind the relay is, in seconds: the age of the oldest committed event it has not
 * published, whether it has read it (a batch waiting for the broker) or not (measured from the
 * store's head: a relay that reads nothing is behind too).
 */
export function relayLagSeconds(
  status: { pendingEvents: number; oldestPendingRecordedAt?: string; oldestUnpublishedAt?: string },
  now: number,
): number {
  const ages = [
    status.pendingEvents > 0 && status.oldestPendingRecordedAt ? now - Date.parse(status.oldestPendingRecordedAt) : 0,
    status.oldestUnpublishedAt ? now - Date.parse(status.oldestUnpublishedAt) : 0,
  ];
  return Math.max(0, ...ages) / 1000;
}
