import { Kafka, logLevel } from 'kafkajs';
import { eventually, getOk } from './http';
import type { Stack } from './stack';

/** The transfer service's view of a case (GET /transfers/:id), as much as the tests read of it. */
export interface TransferView {
  transferId: string;
  stage: string;
  legalBasis?: string;
  case?: { legalBasis?: string };
  openDeadlines?: Array<{ kind: string; dueAt: string; isOverdue: boolean }>;
  timeline?: Array<{ step?: string; type?: string; occurredAt: string; recordedAt: string }>;
  [key: string]: unknown;
}

export function transferOf(stack: Stack, transferId: string): Promise<TransferView> {
  return getOk<TransferView>(`${stack.url('transfer')}/transfers/${transferId}`);
}

/** One interval of the audit service's custody timeline. */
export interface TimelineInterval {
  from: string;
  to: string | null;
  custodian: { state: string; organisation: string; officer?: string };
  place: { kind: string; [key: string]: unknown };
  governingState: string;
  legalBasis?: string;
  evidenceEventIds: string[];
}

export interface LedgerEventView {
  position: number;
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** The chained ledger entries of one person (the audit service's table, read as an auditor with database access). */
export async function ledgerEventsOf(stack: Stack, inmateId: string): Promise<LedgerEventView[]> {
  const { rows } = await stack.pool.query<{ position: string; body: string }>(
    `SELECT position, body FROM "${stack.schemas.audit}".ledger WHERE inmate_id = $1 ORDER BY position`,
    [inmateId],
  );
  return rows.map((row) => {
    const body = JSON.parse(row.body) as Omit<LedgerEventView, 'position'>;
    return { position: Number(row.position), id: body.id, type: body.type, occurredAt: body.occurredAt, data: body.data };
  });
}

/** Every chained ledger entry: type and the person or facility it is about. */
export async function ledgerTypeCounts(stack: Stack): Promise<Map<string, number>> {
  const { rows } = await stack.pool.query<{ type: string; n: string }>(
    `SELECT body::jsonb->>'type' AS type, count(*) AS n FROM "${stack.schemas.audit}".ledger GROUP BY 1`,
  );
  return new Map(rows.map((r) => [r.type, Number(r.n)]));
}

/**
 * The findings that list acts recorded late with their reason (invariant `recorded-in-time`,
 * docs/domain.md Rule 17): facts of the record that stay open, not breaches. The cases here are
 * dated weeks back and recorded now, with a reason (asRecordedNow), so each of their acts has one.
 */
export const LATE_RECORDING = 'recorded-in-time';

/**
 * The audit service's findings of a breach still open after the invariant checks settled (GET
 * /findings, polled until none is open, for at most `settleMs`), and whatever it published on
 * `custody.audit.findings` (behind the stack's prefix) about such a finding still open. A finding
 * raised while a hand-over was in flight and resolved since is not returned: none may *stay* open.
 * The acts recorded late are not breaches: {@link lateRecordings} lists them.
 */
export async function auditFindings(stack: Stack, settleMs = 60_000): Promise<Array<{ id?: string; kind?: string; subject?: string; [key: string]: unknown }>> {
  const open = async () =>
    (await getOk<Array<{ id?: string; status?: string; invariant?: string }>>(`${stack.url('audit')}/findings?status=open`)).filter((f) => f.invariant !== LATE_RECORDING);
  let still = await open();
  const deadline = Date.now() + settleMs;
  while (still.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    still = await open();
  }
  const published = await publishedFindings(stack);
  const unresolved = published.filter(
    (m) => m.type === 'FindingRaised' && m.invariant !== LATE_RECORDING && !published.some((o) => o.type === 'FindingResolved' && o.findingId === m.findingId),
  );
  return [...still, ...unresolved.map((m) => ({ published: m.value.slice(0, 500) }))];
}

/** One person's open findings of acts recorded late (Rule 17), as GET /findings lists them. */
export async function lateRecordings(stack: Stack, inmateId: string): Promise<Array<{ findingId: string; invariant: string; description: string; evidenceEventIds: string[] }>> {
  const open = await getOk<Array<{ findingId: string; invariant: string; description: string; evidenceEventIds: string[] }>>(
    `${stack.url('audit')}/findings?status=open&inmateId=${inmateId}`,
  );
  return open.filter((f) => f.invariant === LATE_RECORDING);
}

/** The messages on the stack's `custody.audit.findings` topic, read from the beginning to the current end. */
async function publishedFindings(stack: Stack): Promise<Array<{ key: string | null; type: string; findingId?: string; invariant?: string; value: string }>> {
  const topic = `${stack.topicPrefix}custody.audit.findings`;
  const kafka = new Kafka({ clientId: `${stack.topicPrefix}findings-reader`, brokers: stack.brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    const total = (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    if (total === 0) return [];
    const consumer = kafka.consumer({ groupId: `${stack.topicPrefix}findings-reader-${Date.now()}` });
    const found: Array<{ key: string | null; type: string; findingId?: string; invariant?: string; value: string }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((done) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const value = message.value?.toString() ?? '';
          let findingId: string | undefined;
          let invariant: string | undefined;
          try {
            ({ findingId, invariant } = JSON.parse(value) as { findingId?: string; invariant?: string });
          } catch {
            // not JSON: kept as text
          }
          found.push({ key: message.key?.toString() ?? null, type: message.headers?.ce_type?.toString() ?? '', findingId, invariant, value });
          if (found.length >= total) done();
        },
      });
      setTimeout(done, 30_000).unref();
    });
    await consumer.disconnect();
    return found;
  } finally {
    await admin.disconnect();
  }
}

/** The custody service's occupancy of a facility (its read model). */
export interface Occupancy {
  capacity: number;
  occupied: number;
  reserved: number;
  free?: number;
  reservations: Array<{ reservationId: string; status: string }>;
}

export function occupancyOf(stack: Stack, facilityId: string): Promise<Occupancy> {
  return getOk<Occupancy>(`${stack.url('custody')}/facilities/${facilityId}/occupancy`);
}

/** Waits until the facility's read model shows these counts (it follows the events). */
export function occupancyReaches(stack: Stack, facilityId: string, expected: Partial<Pick<Occupancy, 'occupied' | 'reserved' | 'free'>>, timeoutMs = 60_000): Promise<Occupancy> {
  return eventually(async () => {
    const now = await occupancyOf(stack, facilityId);
    return Object.entries(expected).every(([k, v]) => now[k as keyof Occupancy] === v) ? now : undefined;
  }, { timeoutMs, message: `occupancy of ${facilityId} to reach ${JSON.stringify(expected)}` });
}

/** Messages on the stack's dead-letter topics, by topic (none expected). */
export async function deadLetters(stack: Stack): Promise<Record<string, number>> {
  const admin = new Kafka({ clientId: `${stack.topicPrefix}dlq-check`, brokers: stack.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const found: Record<string, number> = {};
    for (const topic of (await admin.listTopics()).filter((t) => t.startsWith(stack.topicPrefix) && t.endsWith('.dlq'))) {
      const count = (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
      if (count > 0) found[topic] = count;
    }
    return found;
  } finally {
    await admin.disconnect();
  }
}
