import fc from 'fast-check';
import { checkInstantsNotInFuture, checkNotInFuture, checkRecordedInTime, checkRecording, daysRecordedLate, DEFAULT_TIME_POLICY, latestAllowed, type RecordingClock } from './time-rules';

const clock: RecordingClock = { now: '2026-03-10T12:00:00.000Z', policy: DEFAULT_TIME_POLICY };

describe('Rule 17: an act is dated when it happened, never after the service\'s clock (the project\'s rule of evidence, with Rule 15)', () => {
  it('accepts an act dated up to the clock plus the allowed skew (COMMAND_CLOCK_SKEW_SECONDS, 300 s)', () => {
    expect(latestAllowed(clock)).toBe('2026-03-10T12:05:00.000Z');
    expect(checkNotInFuture('occurredAt', '2026-03-10T12:05:00Z', clock)).toBeUndefined();
    expect(checkNotInFuture('occurredAt', '2026-03-10T13:04:00+01:00', clock)).toBeUndefined();
  });

  it('refuses a date after it with DATE_IN_FUTURE, naming the field, the date and the clock', () => {
    const problem = checkNotInFuture('occurredAt', '2099-01-01T00:00:00Z', clock);
    expect(problem).toMatchObject({
      code: 'DATE_IN_FUTURE',
      details: { field: 'occurredAt', date: '2099-01-01T00:00:00Z', now: clock.now, latest: '2026-03-10T12:05:00.000Z' },
      errors: [{ path: 'occurredAt' }],
    });
    expect(problem!.message).toMatch(/occurredAt 2099-01-01T00:00:00Z lies in the future: the service's clock reads 2026-03-10T12:00:00.000Z/);
  });

  it('reads instants in any zone: one second past the skew is refused', () => {
    expect(checkNotInFuture('occurredAt', '2026-03-10T13:05:01+01:00', clock)).toMatchObject({ code: 'DATE_IN_FUTURE' });
  });

  it('checks other instants of the act the same way, naming the first one that is in the future', () => {
    expect(checkInstantsNotInFuture([['admission.admittedAt', undefined], ['admission.admittedAt', '2026-04-01T00:00:00Z']], clock)).toMatchObject({
      details: { field: 'admission.admittedAt' },
    });
  });
});

describe('Rule 17: an act recorded more than COMMAND_LATE_RECORDING_DAYS (7) days after it happened needs a reason', () => {
  it('accepts an act recorded within the days', () => {
    expect(checkRecordedInTime('2026-03-03T12:00:00Z', undefined, clock)).toBeUndefined();
  });

  it('refuses a later one without a reason, with LATE_RECORDING_REASON_REQUIRED naming both dates', () => {
    expect(checkRecordedInTime('2026-03-03T11:59:59Z', undefined, clock)).toMatchObject({
      code: 'LATE_RECORDING_REASON_REQUIRED',
      details: { field: 'occurredAt', date: '2026-03-03T11:59:59Z', recordedAt: clock.now, lateRecordingDays: 7 },
    });
    expect(checkRecordedInTime('2026-01-10T00:00:00Z', '  ', clock)?.message).toMatch(/is 59 days before it is recorded/);
  });

  it('accepts it with a reason', () => {
    expect(checkRecordedInTime('2026-01-10T00:00:00Z', 'The file reached the central authority late; entered from the paper register.', clock)).toBeUndefined();
  });

  it('daysRecordedLate: the whole days between the act and its recording, only beyond the allowed days (what the audit service lists)', () => {
    expect(daysRecordedLate('2026-03-03T12:00:00Z', clock.now, 7)).toBeUndefined();
    expect(daysRecordedLate('2026-03-03T11:59:59Z', clock.now, 7)).toBe(7);
    expect(daysRecordedLate('2026-01-10T00:00:00Z', clock.now, 7)).toBe(59);
    expect(daysRecordedLate('2026-03-12T00:00:00Z', clock.now, 7)).toBeUndefined();
  });

  it('property: checkRecordedInTime asks a reason exactly when daysRecordedLate says the act is late', () => {
    const instants = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
    fc.assert(
      fc.property(instants, instants, fc.integer({ min: 1, max: 60 }), (now, at, days) => {
        const c = { now: new Date(now).toISOString(), policy: { clockSkewSeconds: 300, lateRecordingDays: days } };
        const occurredAt = new Date(at).toISOString();
        expect(checkRecordedInTime(occurredAt, undefined, c) !== undefined).toBe(daysRecordedLate(occurredAt, c.now, days) !== undefined);
      }),
    );
  });

  it('checkRecording: the future first, then the lateness', () => {
    expect(checkRecording({ occurredAt: '2027-01-01T00:00:00Z' }, clock)?.code).toBe('DATE_IN_FUTURE');
    expect(checkRecording({ occurredAt: '2020-01-01T00:00:00Z' }, clock)?.code).toBe('LATE_RECORDING_REASON_REQUIRED');
    expect(checkRecording({ occurredAt: '2026-03-10T11:00:00Z' }, clock)).toBeUndefined();
  });

  it('property: whatever the clock and the act, an accepted act lies within [clock − days, clock + skew], or carries a reason', () => {
    const instants = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
    fc.assert(
      fc.property(instants, instants, fc.integer({ min: 0, max: 3600 }), fc.integer({ min: 0, max: 60 }), fc.option(fc.constant('reason'), { nil: undefined }), (now, at, skew, days, reason) => {
        const c = { now: new Date(now).toISOString(), policy: { clockSkewSeconds: skew, lateRecordingDays: days } };
        const accepted = checkRecording({ occurredAt: new Date(at).toISOString(), lateRecordingReason: reason }, c) === undefined;
        const inFuture = at > now + skew * 1000;
        const late = at < now - days * 86_400_000;
        expect(accepted).toBe(!inFuture && (!late || reason !== undefined));
      }),
    );
  });
});
