import fc from 'fast-check';
import { CommandRejection, type TransferCommand } from '@custody/contracts';
import { addDays, addMonths, remainingTime } from '@custody/legal';
import { sentenceFacts } from '../inmates/inmate-record';
import { decide, evolve, initialState, type DecisionContext, type TransferState } from './transfer.decider';
import { belgiumToAlbania, commandsOf } from './transfer.fixtures';

// A property runs a fixed number of cases, CPU-bound: its budget is that number, not the unit
// tier's 10 s of wall time, which a loaded machine can exceed without anything being wrong.
jest.setTimeout(120_000);

type Answer = 'agreed' | 'refused' | undefined;

describe('Rules 2–5 properties in the case: the certificate under ETS 112 Art 3(1)(a)–(d), Art 3(2) and Art 7(1)', () => {
  const facts = fc.record({
    nationalities: fc.subarray(['AL', 'BE', 'IT', 'XK'] as const),
    finalJudgmentDay: fc.integer({ min: -400, max: 30 }),
    startDay: fc.integer({ min: -900, max: 0 }),
    preTrialDays: fc.integer({ min: 0, max: 200 }),
    length: fc.record({ years: fc.integer({ min: 0, max: 3 }), months: fc.integer({ min: 0, max: 11 }), days: fc.constant(0) }),
    consent: fc.constantFrom('given' as const, 'refused' as const),
    isOpinionHeard: fc.boolean(),
    sending: fc.constantFrom<Answer>('agreed', 'refused', undefined),
    receiving: fc.constantFrom<Answer>('agreed', 'refused', undefined),
  });

  it('Belgium → Albania: the certificate is issued exactly when the person is Albanian (Art 3(1)(a)), the judgment final (Art 3(1)(b)), six months are left or both states agreed (Art 3(1)(c), 3(2)), the person consented (Art 3(1)(d)) and was heard (Art 7(1)); otherwise it is refused with the code of the first condition that fails', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(facts, (f) => {
        const shape = belgiumToAlbania();
        const day = (n: number) => addDays(shape.day0, n);
        const sentence = {
          ...shape.inmate.sentence!, length: f.length, enforcementStartDate: day(f.startDay), finalJudgmentDate: day(f.finalJudgmentDay),
          preTrialDays: f.preTrialDays,
        };
        const context: DecisionContext = { inmate: { ...shape.inmate, nationalities: f.nationalities, sentence } };
        const c = commandsOf(shape);
        const answer = (by: string, value: Answer) => (value ? [c.agreeSending(4, { answer: value, agreedBy: { state: by, organisation: 'Ministry of Justice' } as never })] : []);
        const commands: TransferCommand[] = [
          c.request(), c.evaluate(), ...(f.isOpinionHeard ? [c.opinion()] : []), c.consent(3, { outcome: f.consent }), ...answer('BE', f.sending), ...answer('AL', f.receiving),
        ];
        let state: TransferState = initialState();
        for (const command of commands) state = decide(command, state, context).map((e) => ({ ...e, occurredAt: command.data.occurredAt })).reduce(evolve, state);

        // The conditions, read from the facts themselves, on the day of the certificate (day 5).
        const on = day(5);
        const left = remainingTime(sentenceFacts(sentence, on), on);
        const isTimeEnough = left.isIndeterminate || (left.days > 0 && (left.releaseOn >= addMonths(on, 6) || (f.sending === 'agreed' && f.receiving === 'agreed')));
        const failing = [
          [!f.isOpinionHeard, 'OPINION_NOT_RECORDED'],
          [sentence.finalJudgmentDate > on, 'FINAL_JUDGMENT_REQUIRED'],
          [!isTimeEnough, 'INSUFFICIENT_TIME_LEFT'],
          [!f.nationalities.includes('AL'), 'NATIONALITY_REQUIREMENT_NOT_MET'],
          [f.consent === 'refused', 'CONSENT_REFUSED'],
        ].find(([fails]) => fails)?.[1];

        let outcome: string;
        try {
          outcome = decide(c.certificate(5), state, context).map((e) => e.type).join();
        } catch (error) {
          if (!(error instanceof CommandRejection)) throw error;
          outcome = error.code;
        }
        seen.add(outcome);
        expect(outcome).toBe(failing ?? 'CertificateIssued');
      }),
      { numRuns: 2_000 },
    );
    expect([...seen].sort()).toEqual(['CONSENT_REFUSED', 'CertificateIssued', 'FINAL_JUDGMENT_REQUIRED', 'INSUFFICIENT_TIME_LEFT', 'NATIONALITY_REQUIREMENT_NOT_MET', 'OPINION_NOT_RECORDED']);
  });
});
