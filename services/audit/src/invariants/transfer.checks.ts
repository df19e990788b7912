import type { DeadlineKind } from '@custody/contracts';
import { consentRequirement, type ConsentRequirement, findLegalBasis, type StateCode } from '@custody/legal';
import type { TimelineEvent } from '../timeline/timeline';
import type { InmateRecord, TransferRecord } from './inmate-record';
import { latest, learntAt, ms, text, type Verdicts } from './violation';

/** Rule 5 from the facts in the ledger, when they are enough for @custody/legal; undefined otherwise. */
function requirementOf(record: InmateRecord, transfer: TransferRecord): ConsentRequirement | undefined {
  const request = transfer.requested;
  if (!request || !record.registration) return undefined;
  const basis = text(request.data.legalBasis);
  if (!findLegalBasis(basis)) return undefined;
  const expulsionOrder = record.expulsionOrder ? { toState: record.expulsionOrder.toState as StateCode | undefined, reference: record.expulsionOrder.reference } : undefined;
  try {
    return consentRequirement({
      basis,
      sendingState: text(request.data.sendingState) as StateCode,
      receivingState: text(request.data.receivingState) as StateCode,
      requestReceivedOn: request.occurredAt.slice(0, 10),
      inmate: {
        nationalities: record.nationalities as StateCode[],
        ...(record.livesIn ? { livesIn: record.livesIn as StateCode } : {}),
        ...(record.residenceWhenArrested ? { residenceWhenArrested: record.residenceWhenArrested as StateCode } : {}),
        ...(expulsionOrder ? { expulsionOrder } : {}),
      },
    });
  } catch {
    return undefined;
  }
}

/**
 * Rule 5: consent present when the legal basis requires it, by the time custody is handed over.
 * Where the ledger holds the facts (the request, the registration, the residence and any
 * expulsion order), @custody/legal's consentRequirement says whether it is required; otherwise
 * the transfer's own consent records decide (given, or not required on a stated ground). A
 * consent record still in flight is given the grace period from the hand-over's recording.
 */
export function checkConsentPresent(record: InmateRecord, verdicts: Verdicts): void {
  const { inmateId } = record;
  for (const transfer of record.transfers.values()) {
    const handOver = [...transfer.dispatches, ...transfer.receipts].sort((a, b) => ms(a.occurredAt) - ms(b.occurredAt))[0];
    // Rule 19: a return to the state that sentenced the person asks no consent; Rule 5 is the case's it undoes.
    if (!handOver || transfer.requested?.type === 'ReturnRequested') continue;
    const consent = transfer.consents.filter((c) => ms(c.occurredAt) <= ms(handOver.occurredAt)).at(-1);
    const outcome = consent ? text(consent.data.outcome) : undefined;
    const requirement = requirementOf(record, transfer);
    let problem: string | undefined;
    if (requirement?.status === 'not-required' || outcome === 'given') continue;
    if (requirement?.status === 'required') {
      problem = `${requirement.cites}: ${requirement.explanation}, but ${outcome === 'refused' ? 'the inmate refused' : outcome === 'not-required' ? `consent was recorded as not required (${text(consent!.data.notRequiredGround)})` : 'no consent was recorded'}`;
    } else if (outcome !== 'not-required') {
      const why = requirement ? `${requirement.cites}: ${requirement.explanation}` : 'the ledger lacks the facts to tell whether consent is required';
      problem = `${why}, and ${outcome === 'refused' ? 'the inmate refused' : 'neither consent nor a ground for not requiring it was recorded'}`;
    }
    if (!problem) continue;
    verdicts.add({
      key: `consent-present:${transfer.transferId}`,
      invariant: 'consent-present',
      subject: `inmate/${inmateId}`,
      inmateId,
      description: `Transfer ${transfer.transferId} handed over at ${handOver.occurredAt}: ${problem} (Rule 5).`,
      evidenceEventIds: [handOver.id, ...(transfer.requested ? [transfer.requested.id] : []), ...(consent ? [consent.id] : [])],
      since: learntAt(handOver),
    });
  }
}

type Step = { at: number; event: TimelineEvent } & ({ kind: 'due'; due: string } | { kind: 'suspend' | 'met' | 'closed' });

/** Walks a deadline's steps in order of occurrence: met in time, closed, still open, or passed (and when it fell due). */
function outcomeOf(steps: Step[], now: number): { status: 'met' | 'closed' | 'open'; due?: string } | { status: 'passed'; due: string; setBy: TimelineEvent; evidence: string[] } {
  let due: string | undefined;
  let setBy: TimelineEvent | undefined;
  let suspended = false;
  const evidence: string[] = [];
  for (const step of steps.sort((a, b) => a.at - b.at)) {
    if (due !== undefined && !suspended && step.at > ms(due)) return { status: 'passed', due, setBy: setBy!, evidence: [...evidence, step.event.id] };
    evidence.push(step.event.id);
    switch (step.kind) {
      case 'due':
        due = step.due;
        setBy = step.event;
        suspended = false;
        break;
      case 'suspend':
        suspended = true;
        break;
      case 'met':
      case 'closed':
        return { status: step.kind };
    }
  }
  if (due !== undefined && !suspended && now > ms(due)) return { status: 'passed', due, setBy: setBy!, evidence };
  return { status: 'open', due: suspended ? undefined : due };
}

const step = (event: TimelineEvent, kind: Step['kind'], due?: unknown): Step[] =>
  kind === 'due' ? (text(due) ? [{ at: ms(event.occurredAt), event, kind, due: text(due) }] : []) : [{ at: ms(event.occurredAt), event, kind } as Step];

/**
 * Rule 7: deadlines met, or recorded as missed. The receiving state's decision is due by the
 * certificate's `decisionDueAt` (2008/909 Art 12), the physical transfer (the receipt) by the
 * decision's `transferDueAt` (Art 15), each moved by extensions; an obstacle stops the transfer
 * clock until it ends with a new due date. A deadline that passed needs a DeadlineMissed; the
 * transfer service records it at the due instant, so the grace period runs from then (or from
 * when the ledger learnt of the deadline, for a history that reaches it late).
 */
export function checkDeadlines(record: InmateRecord, verdicts: Verdicts, now: string): void {
  const { inmateId } = record;
  for (const transfer of record.transfers.values()) {
    const extensions = (kind: DeadlineKind) => transfer.extensions.filter((e) => e.data.deadline === kind).flatMap((e) => step(e, 'due', e.data.newDueAt));
    const closed = transfer.ended ? step(transfer.ended, 'closed') : [];
    const decision = transfer.decision;
    const deadlines: Array<[DeadlineKind, Step[]]> = [
      ['receiving-state-decision', [
        ...(transfer.certificateReceived ? step(transfer.certificateReceived, 'due', transfer.certificateReceived.data.decisionDueAt) : []),
        ...extensions('receiving-state-decision'),
        ...(decision ? step(decision, 'met') : []),
        ...closed,
      ]],
      ['physical-transfer', [
        ...(decision?.data.decision === 'recognised' ? step(decision, 'due', decision.data.transferDueAt) : []),
        ...(decision?.data.decision === 'refused' ? step(decision, 'closed') : []),
        ...extensions('physical-transfer'),
        ...transfer.obstacles.flatMap((o) => (o.type === 'TransferObstacleReported' ? step(o, 'suspend') : step(o, 'due', o.data.transferDueAt))),
        ...transfer.receipts.flatMap((r) => step(r, 'met')),
        ...closed,
      ]],
    ];
    for (const [kind, steps] of deadlines) {
      const outcome = outcomeOf(steps, ms(now));
      if (outcome.status === 'open' && outcome.due) verdicts.later(ms(outcome.due) + 1);
      if (outcome.status !== 'passed') continue;
      const missed = transfer.missed.find((m) => m.data.deadline === kind);
      if (missed) continue;
      verdicts.add({
        key: `deadline-met-or-recorded:${transfer.transferId}:${kind}`,
        invariant: 'deadline-met-or-recorded',
        subject: `inmate/${inmateId}`,
        inmateId,
        description: `The ${kind} deadline of transfer ${transfer.transferId} fell due at ${outcome.due} without the act, and no DeadlineMissed is recorded (Rule 7).`,
        evidenceEventIds: outcome.evidence,
        // From the due instant, or from when the ledger learnt of the deadline if later (a replayed history).
        since: latest(outcome.due, learntAt(outcome.setBy)),
      });
    }
  }
}
