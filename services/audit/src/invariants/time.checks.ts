import { daysRecordedLate, DEFAULT_TIME_POLICY } from '@custody/legal';
import type { TimelineEvent } from '../timeline/timeline';
import type { Verdicts } from './violation';

/**
 * Rule 17 (docs/domain.md), recorded-in-time: an act recorded more than the allowed days after it
 * happened (COMMAND_LATE_RECORDING_DAYS) was accepted by its recording service only with a reason,
 * kept with its events (`lateRecordingReason`, header `ce_laterecordingreason`). Its date was
 * chosen afterwards, and a deadline runs from it: each such act of the subject is a finding that
 * names both dates and quotes the reason, for an auditor to weigh. The events one command
 * recorded (same causation) make one finding. An act recorded in time is never listed, even with
 * a reason; the facts a service derives from another service's event carry no reason of their own
 * and are not listed (the act they follow is). A late act is a fact of the record: the finding
 * stays open.
 */
export function checkRecordedInTime(subject: string, events: readonly TimelineEvent[], verdicts: Verdicts, lateRecordingDays = DEFAULT_TIME_POLICY.lateRecordingDays): void {
  const id = subject.slice(subject.indexOf('/') + 1);
  const acts = new Map<string, TimelineEvent[]>();
  for (const event of events) {
    if (event.subject !== subject || !event.lateRecordingReason?.trim()) continue;
    if (daysRecordedLate(event.occurredAt, event.recordedAt, lateRecordingDays) === undefined) continue;
    const act = event.causationId ?? event.id;
    acts.set(act, [...(acts.get(act) ?? []), event]);
  }
  for (const [act, recorded] of acts) {
    const first = [...recorded].sort((a, b) => a.position - b.position)[0];
    const days = daysRecordedLate(first.occurredAt, first.recordedAt, lateRecordingDays)!;
    const types = [...new Set(recorded.map((e) => e.type))].join(', ');
    verdicts.addFact({
      key: `recorded-in-time:${subject}:${act}`,
      invariant: 'recorded-in-time',
      subject,
      ...(subject.startsWith('inmate/') ? { inmateId: id } : { facilityId: id }),
      description:
        `LATE_RECORDING: ${types} dated ${first.occurredAt} was recorded ${first.recordedAt}, ${days} days after it happened (more than ${lateRecordingDays}); ` +
        `reason given: "${first.lateRecordingReason!.trim().slice(0, 1500)}" (Rule 17).`,
      evidenceEventIds: recorded.map((e) => e.id),
      since: first.recordedAt,
    });
  }
}
