import { createHash, randomUUID } from 'node:crypto';
import type { NewEvent, PostgresEventStore, PostgresTransaction } from '@custody/event-store';
import { toTimelineEvent } from '../ledger/audit-ledger';
import type { LedgerEntry } from '../ledger/entry';
import { type LedgerRepository, type SignatureRefusal, TOPIC_SUBJECT_PREFIX } from '../ledger/ledger.repository';
import type { CheckedEvent } from '../invariants/violation';
import { checkFacility, checkInmate, facilitiesOf, facilityFacts, type CheckResult, type FacilityFacts, type Violation } from '../invariants/invariants';
import type { TimelineEvent } from '../timeline/timeline';
import { type DueCheck, type Finding, type FindingEvent, findingIdOf, FindingsRepository, findingStream } from './findings.repository';

const arrived = (entry: LedgerEntry, arrivals: Map<string, string>): CheckedEvent => {
  const event: CheckedEvent = toTimelineEvent(entry);
  const at = arrivals.get(entry.eventId);
  if (at) event.arrivedAt = at;
  return event;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID naming a refused message by its place on its topic, when its own id is no UUID (a finding's evidence is a list of ids). */
function placeId(refusal: { topic: string; partition: number; offset: string }): string {
  const hex = createHash('sha256').update(`${refusal.topic}:${refusal.partition}:${refusal.offset}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A refused message's evidence: its own id when it is a UUID, else one derived from its place on the topic. */
const evidenceOf = (refusal: SignatureRefusal): string => (refusal.eventId && UUID.test(refusal.eventId) ? refusal.eventId.toLowerCase() : placeId(refusal));

/** A claimed header of a refused message as the finding carries it (at most 200 characters; nothing when absent or empty). */
const claimed = <K extends string>(name: K, value: string | null): Partial<Record<K, string>> =>
  (value ? { [name]: value.slice(0, 200) } : {}) as Partial<Record<K, string>>;

/** What one check of a subject did. */
export interface CheckReport {
  subject: string;
  checkedAt: string;
  violations: Violation[];
  pending: Violation[];
  recheckAt?: string;
  raised: string[];
  resolved: string[];
}

/** One lock for every writer of findings: a rebuild and the checks never interleave. */
export const FINDINGS_LOCK = (schema: string) => `audit-findings:${schema}`;

/**
 * Runs the pure invariant checks on a subject's ledger entries and reconciles the result with
 * the findings: a violation with no open finding raises one (FindingRaised), an open finding
 * whose violation is gone is resolved (FindingResolved) with the entries that arrived since as
 * its evidence. Each finding has its own stream (`finding-<id>`, the id derived from the
 * violation's key), appended at its expected revision, and the read model is written in the
 * same transaction: the same violation is never raised twice, and the relay publishes both
 * events on `custody.audit.findings`.
 */
export class InvariantChecker {
  /**
   * Each facility's registrations (FacilityRegistered), and the position from which its entries
   * are still unread. A person's check needs only these of the facilities they name
   * (facilityFacts); reading every entry of each facility at every check of a person cost reads,
   * parsing and memory growing with the facilities' histories (docs/performance.md, "Memory").
   * The ledger is append-only, so what was read stays true; one entry per facility.
   */
  private readonly registrations = new Map<string, { from: number; events: TimelineEvent[] }>();

  constructor(
    private readonly ledger: LedgerRepository,
    private readonly store: PostgresEventStore,
    private readonly findings: FindingsRepository,
    private readonly schema: string,
    private readonly gracePeriodMs: number,
    /** Rule 17: days after which a recorded act is late (COMMAND_LATE_RECORDING_DAYS). */
    private readonly lateRecordingDays?: number,
  ) {}

  /** Checks one subject (`inmate/<id>`, `facility/<id>` or `topic/<topic>`) now, and clears its due mark if one was read. */
  async check(subject: string, now: string, due?: DueCheck): Promise<CheckReport> {
    const { result, events } = await this.evaluate(subject, now);
    const ledgerSize = (await this.ledger.head()).size;
    return this.store.transaction(async (tx) => {
      const query = (sql: string, params: unknown[]) => tx.query(sql, params);
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [FINDINGS_LOCK(this.schema)]);
      const report: CheckReport = { subject, checkedAt: now, violations: result.violations, pending: result.pending, raised: [], resolved: [] };
      if (result.recheckAt) report.recheckAt = result.recheckAt;
      const known = await this.findings.ofSubject(query, subject);
      const current = new Set([...result.violations, ...result.pending].map((v) => findingIdOf(v.key)));
      for (const violation of result.violations) {
        const findingId = findingIdOf(violation.key);
        const finding = known.get(findingId);
        if (finding?.status === 'open') continue;
        await this.append(tx, findingId, finding, 'FindingRaised', {
          findingId,
          invariant: violation.invariant,
          ...(violation.inmateId ? { inmateId: violation.inmateId } : {}),
          ...(violation.facilityId ? { facilityId: violation.facilityId } : {}),
          ...(violation.refusedMessage ? { refusedMessage: violation.refusedMessage } : {}),
          description: violation.description,
          evidenceEventIds: violation.evidenceEventIds,
        }, now, ledgerSize);
        report.raised.push(findingId);
      }
      for (const finding of known.values()) {
        if (finding.status !== 'open' || current.has(finding.findingId)) continue;
        const arrived = events.filter((e) => e.position >= finding.raisedAtLedgerSize).map((e) => e.id);
        await this.append(tx, finding.findingId, finding, 'FindingResolved', {
          findingId: finding.findingId,
          invariant: finding.invariant,
          ...(finding.inmateId ? { inmateId: finding.inmateId } : {}),
          ...(finding.facilityId ? { facilityId: finding.facilityId } : {}),
          resolution: `No longer violated as of ${now}: evidence recorded since the finding (${arrived.length} ledger entr${arrived.length === 1 ? 'y' : 'ies'}) settles it.`,
          evidenceEventIds: (arrived.length > 0 ? arrived : finding.evidenceEventIds).slice(0, 1000),
        }, now, ledgerSize);
        report.resolved.push(finding.findingId);
      }
      if (due) await this.findings.clearDue(query, due);
      if (result.recheckAt) await this.findings.markDue(query, subject, result.recheckAt);
      return report;
    });
  }

  /**
   * The pure checks on the subject's ledger entries, and event-ids-unique: each event id of the
   * subject that came again with another body (kept aside by the ledger consumer) is a violation.
   */
  async evaluate(subject: string, now: string): Promise<{ result: CheckResult; events: TimelineEvent[] }> {
    if (subject.startsWith(TOPIC_SUBJECT_PREFIX)) return { result: { violations: await this.topicViolations(subject), pending: [] }, events: [] };
    const evaluated = await this.evaluateEntries(subject, now);
    const id = subject.slice(subject.indexOf('/') + 1);
    for (const conflict of await this.ledger.idConflicts(subject)) {
      evaluated.result.violations.push({
        key: `event-ids-unique:${conflict.eventId}:${conflict.bodyHash}`,
        invariant: 'event-ids-unique',
        subject,
        ...(subject.startsWith('inmate/') ? { inmateId: id } : { facilityId: id }),
        description:
          `EVENT_ID_CONFLICT: event ${conflict.eventId} (${conflict.type ?? 'unknown type'}) from ${conflict.source ?? '(no ce_source)'} came with other content than the entry ` +
          `the ledger holds under that id (from ${conflict.heldSource ?? '(no ce_source)'}); it was kept aside, not chained. A sender reused or forged an event id: see docs/operations.md.`,
        evidenceEventIds: [conflict.eventId],
        since: conflict.receivedAt,
      });
    }
    // event-signatures-valid: each event refused for its signature that named this subject (docs/adr/0013-signed-events.md).
    for (const refusal of await this.ledger.signatureRefusals(subject)) {
      evaluated.result.violations.push({
        key: `event-signatures-valid:${refusal.topic}:${refusal.partition}:${refusal.offset}`,
        invariant: 'event-signatures-valid',
        subject,
        ...(subject.startsWith('inmate/') ? { inmateId: id } : { facilityId: id }),
        description: (
          `EVENT_SIGNATURE_INVALID: ${refusal.type ?? 'an event'} ${refusal.eventId ?? '(no ce_id)'} on ${refusal.topic} (partition ${refusal.partition}, offset ${refusal.offset}), ` +
          `claiming to come from ${refusal.source ?? '(no ce_source)'}${refusal.kid ? ` and signed with key ${refusal.kid}` : ', unsigned'}, was refused: ${refusal.reason}. ` +
          `It was not recorded, and is in ${refusal.topic}.dlq. Someone produced onto the topic who may not: see docs/operations.md.`
        ).slice(0, 2000),
        evidenceEventIds: [evidenceOf(refusal)],
        since: refusal.receivedAt,
      });
    }
    return evaluated;
  }

  /**
   * A topic's subject (`topic/<topic>`): each message refused off the topic for its signature that
   * named no person or facility is a topic-level event-signatures-valid finding, naming the
   * message by its place on the topic and what it claimed (FindingRaised version 2,
   * `refusedMessage`; docs/adr/0013-signed-events.md, "A forgery that names no one").
   */
  private async topicViolations(subject: string): Promise<Violation[]> {
    const topic = subject.slice(TOPIC_SUBJECT_PREFIX.length);
    return (await this.ledger.unnamedSignatureRefusals(topic)).map((refusal) => ({
      key: `event-signatures-valid:${refusal.topic}:${refusal.partition}:${refusal.offset}`,
      invariant: 'event-signatures-valid',
      subject,
      refusedMessage: {
        topic: refusal.topic,
        partition: refusal.partition,
        offset: refusal.offset,
        reasonCode: 'EVENT_SIGNATURE_INVALID',
        ...claimed('eventId', refusal.eventId),
        ...claimed('type', refusal.type),
        ...claimed('source', refusal.source),
        ...claimed('kid', refusal.kid),
      },
      description: (
        `EVENT_SIGNATURE_INVALID: a message naming no person or facility (${refusal.type ? `type ${refusal.type}` : 'no ce_type'}, ${refusal.eventId ? `id ${refusal.eventId}` : 'no ce_id'}) ` +
        `on ${refusal.topic} (partition ${refusal.partition}, offset ${refusal.offset}), claiming to come from ${refusal.source ?? '(no ce_source)'}` +
        `${refusal.kid ? ` and signed with key ${refusal.kid}` : ''}, was refused: ${refusal.reason}. ` +
        `It was not recorded, and is in ${refusal.topic}.dlq. Someone produced onto the topic who may not: see docs/operations.md.`
      ).slice(0, 2000),
      evidenceEventIds: [evidenceOf(refusal)],
      since: refusal.receivedAt,
    }));
  }

  private async evaluateEntries(subject: string, now: string): Promise<{ result: CheckResult; events: TimelineEvent[] }> {
    const options = { now, gracePeriodMs: this.gracePeriodMs, ...(this.lateRecordingDays === undefined ? {} : { lateRecordingDays: this.lateRecordingDays }) };
    // The entries first, their arrivals after: an entry chained between the two reads would have
    // no arrival, be taken as learnt when it was recorded (long ago), and its situation raised at
    // once, without the grace period that waits for the other side of a hand-over.
    if (subject.startsWith('facility/')) {
      const entries = await this.ledger.entriesOfSubject(subject);
      const arrivals = await this.ledger.arrivals({ subject });
      const events = entries.map((e) => arrived(e, arrivals));
      return { result: checkFacility(subject.slice('facility/'.length), events, options), events };
    }
    const inmateId = subject.slice('inmate/'.length);
    const entries = await this.ledger.entriesOfInmate(inmateId);
    const arrivals = await this.ledger.arrivals({ inmateId });
    const events = entries.map((e) => arrived(e, arrivals));
    const facilities = new Map<string, FacilityFacts>();
    for (const facilityId of facilitiesOf(events)) {
      const facts = facilityFacts(facilityId, await this.registrationsOf(facilityId));
      if (facts) facilities.set(facilityId, facts);
    }
    return { result: checkInmate(inmateId, events, facilities, options), events };
  }

  /** The facility's FacilityRegistered entries, in ledger order: those read before and those chained since. */
  private async registrationsOf(facilityId: string): Promise<TimelineEvent[]> {
    const known = this.registrations.get(facilityId) ?? { from: 0, events: [] };
    const fresh = await this.ledger.entriesOfSubject(`facility/${facilityId}`, known.from);
    if (fresh.length === 0) return known.events;
    const events = [...known.events, ...fresh.map(toTimelineEvent).filter((e) => e.type === 'FacilityRegistered')];
    // Another check of the same facility may have read further meanwhile: keep the further read.
    const current = this.registrations.get(facilityId);
    const from = fresh[fresh.length - 1].position + 1;
    if (!current || current.from < from) this.registrations.set(facilityId, { from, events });
    return events;
  }

  private async append(tx: PostgresTransaction, findingId: string, finding: Finding | undefined, type: 'FindingRaised' | 'FindingResolved', data: Record<string, unknown>, now: string, ledgerSize: number): Promise<void> {
    const event: NewEvent = {
      id: randomUUID(),
      type,
      // FindingRaised is of version 2 (a topic-level finding may name a refused message), FindingResolved of version 1.
      schemaVersion: type === 'FindingRaised' ? 2 : 1,
      data,
      metadata: { correlationId: findingId, occurredAt: now, actor: { system: 'audit' }, ledgerSize },
    };
    const { nextExpectedRevision } = await tx.appendToStream(findingStream(findingId), [event], { expectedRevision: finding ? finding.revision : 'no_stream' });
    const applied: FindingEvent = { id: event.id, type, data, occurredAt: now, revision: nextExpectedRevision, ledgerSize };
    await this.findings.apply((sql, params) => tx.query(sql, params), applied);
  }
}
