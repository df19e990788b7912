import fc from 'fast-check';
import { checkEndAfterStart, checkStepDate, STEP_ORDER, withStepDate, type Step, type StepDates } from './step-order';

describe('Rule 17: each step is dated no earlier than the steps it follows', () => {
  const dates: StepDates = {
    request: '2026-03-02T09:00:00Z',
    'certificate-issue': '2026-03-06T09:00:00Z',
    'certificate-receipt': '2026-03-08T09:00:00Z',
    decision: '2026-03-12T09:00:00Z',
    dispatch: '2026-03-22T11:00:00Z',
  };

  it('2008/909 Art 5(1) and Art 12(2): a certificate is not received before it was issued', () => {
    const problem = checkStepDate('certificate-receipt', 'occurredAt', '2020-01-01T09:00:00Z', dates);
    expect(problem).toMatchObject({
      code: 'DATE_BEFORE_PRECEDING_STEP',
      details: { field: 'occurredAt', date: '2020-01-01T09:00:00Z', step: 'certificate-receipt', precedingStep: 'certificate-issue', precedingDate: '2026-03-06T09:00:00Z' },
    });
    expect(problem!.message).toMatch(/2008\/909 Art 5\(1\) and Art 12\(2\)/);
    expect(checkStepDate('certificate-receipt', 'occurredAt', '2026-03-06T09:00:00Z', dates)).toBeUndefined();
  });

  it('2008/909 Art 12(1): the decision is not taken before the receipt of the certificate (the latest step it follows is named)', () => {
    expect(checkStepDate('decision', 'occurredAt', '2026-03-07T09:00:00Z', dates)?.details).toMatchObject({ precedingStep: 'certificate-receipt', precedingDate: '2026-03-08T09:00:00Z' });
  });

  it('2008/909 Art 15(1): the person is not dispatched before the decision', () => {
    expect(checkStepDate('dispatch', 'occurredAt', '2026-03-11T09:00:00Z', dates)?.details).toMatchObject({ precedingStep: 'decision' });
  });

  it('Rule 11: the receipt of the person follows the dispatch, and the admission the receipt', () => {
    expect(checkStepDate('receipt', 'occurredAt', '2026-03-22T10:59:59Z', dates)?.details).toMatchObject({ precedingStep: 'dispatch' });
    expect(checkStepDate('admission', 'admission.admittedAt', '2026-03-22T10:00:00Z', { receipt: '2026-03-22T11:05:00Z' })?.details).toMatchObject({
      field: 'admission.admittedAt', precedingStep: 'receipt', precedingDate: '2026-03-22T11:05:00Z',
    });
  });

  it('Rule 19: a return follows the completion of the case it undoes', () => {
    const completed = { completion: '2026-04-01T09:00:00Z' };
    expect(checkStepDate('return-request', 'occurredAt', '2026-03-31T09:00:00Z', completed)).toMatchObject({
      code: 'DATE_BEFORE_PRECEDING_STEP', details: { precedingStep: 'completion', precedingDate: '2026-04-01T09:00:00Z' },
    });
    expect(checkStepDate('return-request', 'occurredAt', '2026-04-01T09:00:00Z', completed)).toBeUndefined();
  });

  it('Rule 6: every step of a case follows the request', () => {
    expect(checkStepDate('opinion', 'occurredAt', '2026-03-01T09:00:00Z', dates)?.details).toMatchObject({ precedingStep: 'request' });
  });

  it('a step whose preceding steps are not recorded yet passes', () => {
    expect(checkStepDate('decision', 'occurredAt', '2020-01-01T00:00:00Z', {})).toBeUndefined();
    expect(checkStepDate('request', 'occurredAt', '2020-01-01T00:00:00Z', dates)).toBeUndefined();
  });

  it('Rule 9: a reservation expires strictly after it starts', () => {
    const start = { step: 'reservation' as const, date: '2026-03-02T09:00:00Z' };
    expect(checkEndAfterStart('reservation-expiry', 'expiresAt', '2020-01-01T00:00:00Z', start)).toMatchObject({
      code: 'DATE_BEFORE_PRECEDING_STEP',
      details: { field: 'expiresAt', date: '2020-01-01T00:00:00Z', precedingStep: 'reservation', precedingDate: '2026-03-02T09:00:00Z' },
    });
    expect(checkEndAfterStart('reservation-expiry', 'expiresAt', '2026-03-02T09:00:00Z', start)).toBeDefined();
    expect(checkEndAfterStart('reservation-expiry', 'expiresAt', '2026-03-02T09:00:01Z', start)).toBeUndefined();
  });

  it('withStepDate keeps the latest date of a step recorded more than once', () => {
    const once = withStepDate({}, 'consent', '2026-03-05T09:00:00Z');
    expect(withStepDate(once, 'consent', '2026-03-04T09:00:00Z')).toBe(once);
    expect(withStepDate(once, 'consent', '2026-03-06T09:00:00Z').consent).toBe('2026-03-06T09:00:00Z');
  });

  it('every step named in the order is a step the order knows, and the order has no cycle', () => {
    const visiting = new Set<Step>();
    const visit = (step: Step, path: Step[]): void => {
      expect(path).not.toContain(step);
      visiting.add(step);
      for (const before of STEP_ORDER[step]?.after ?? []) visit(before, [...path, step]);
    };
    for (const step of Object.keys(STEP_ORDER) as Step[]) visit(step, []);
    expect(visiting.size).toBeGreaterThan(20);
  });

  it('property: a step is accepted exactly when it is dated no earlier than every recorded step it follows', () => {
    const steps = Object.keys(STEP_ORDER) as Step[];
    const hour = fc.integer({ min: 0, max: 400 }).map((n) => new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString());
    const recorded = fc.dictionary(fc.constantFrom<Step>('request', 'consent', 'certificate-issue', 'certificate-receipt', 'decision', 'schedule', 'dispatch', 'receipt', 'admission', 'registration'), hour);
    fc.assert(
      fc.property(fc.constantFrom(...steps), hour, recorded, (step, at, dates) => {
        const accepted = checkStepDate(step, 'occurredAt', at, dates) === undefined;
        const follows = (STEP_ORDER[step]?.after ?? []).map((before) => dates[before]).filter((d): d is string => d !== undefined);
        expect(accepted).toBe(follows.every((d) => Date.parse(d) <= Date.parse(at)));
      }),
    );
  });
});
