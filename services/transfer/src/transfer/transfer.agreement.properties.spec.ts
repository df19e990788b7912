import fc from 'fast-check';
import { CommandRejection, type Sentence, type TransferCommand, type TransferEvent } from '@custody/contracts';
import { DOMAIN_RULE, type RuleName } from '@custody/legal';
import { decide, evolve, initialState, type DecisionContext, type TransferState } from './transfer.decider';
import { belgiumToAlbania, belgiumToNetherlands, commandsOf, denmarkToKosovo, run, type CaseShape } from './transfer.fixtures';

// A property runs a fixed number of cases, CPU-bound: its budget is that number, not the unit
// tier's 10 s of wall time, which a loaded machine can exceed without anything being wrong.
jest.setTimeout(120_000);

type Answer = 'agreed' | 'refused';
type Action = { kind: 'answer'; by: string; answer: Answer } | { kind: 'certificate' } | { kind: 'recognise' };

/** The outcome of one command: the events it recorded, or the code it was refused with. */
function attempt(command: TransferCommand, state: TransferState, context: DecisionContext): { events: TransferEvent[] } | { code: string } {
  try {
    return { events: decide(command, state, context).map((e) => ({ ...e, occurredAt: command.data.occurredAt })) };
  } catch (error) {
    if (!(error instanceof CommandRejection)) throw error;
    return { code: error.code };
  }
}

const withSentence = (shape: CaseShape, length: Sentence['length']): DecisionContext => ({ inmate: { ...shape.inmate, sentence: { ...shape.inmate.sentence!, length } } });

/** The case up to the consent, each step accepted: the states' answers and the certificate come after it. */
function prepared(shape: CaseShape, context: DecisionContext): TransferState {
  const c = commandsOf(shape);
  return run([c.request(), c.evaluate(), c.opinion(), c.consent()], context).events.reduce(evolve, initialState());
}

/** The command of one action on day `day` of the case. */
function commandOf(shape: CaseShape, action: Action, day: number): TransferCommand {
  const c = commandsOf(shape);
  if (action.kind === 'certificate') return c.certificate(day);
  if (action.kind === 'recognise') return c.recognise(day);
  return c.agreeSending(day, { answer: action.answer, agreedBy: { state: action.by, organisation: 'Ministry of Justice' } as never });
}

const actions = (states: string[]) =>
  fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('answer' as const), by: fc.constantFrom(...states), answer: fc.constantFrom<Answer>('agreed', 'refused') }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'certificate' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'recognise' as const }) },
    ),
    { maxLength: 14 },
  );

describe('Rule 3 properties in the case: ETS 112 Art 3(1)(c) and Art 3(2), each state answering for itself', () => {
  // Belgium → Albania, sentence of 1 year 3 months from 2024-03-03: about 150 days left on the
  // day of the certificate, less than six months.
  const s = belgiumToAlbania();
  const short = withSentence(s, { years: 1, months: 3, days: 0 });

  it('ETS 112 Art 3(2): in any order, however often a state changes its answer, the certificate is issued exactly when each state\'s latest answer is "agreed", and the case recognised exactly when neither has refused since; a third state never answers', () => {
    const seen = { certified: 0, recognised: 0, withdrawn: 0 };
    fc.assert(
      fc.property(actions(['BE', 'AL', 'NL']), (plan) => {
        let state = prepared(s, short);
        const latest: Record<string, Answer | undefined> = {};
        let stage: 'requested' | 'certified' | 'recognised' = 'requested';
        plan.forEach((action, i) => {
          const day = 4 + i;
          const outcome = attempt(commandOf(s, action, day), state, short);
          const accept = (events: string[]) => {
            expect(outcome).toEqual({ events: events.map((type) => expect.objectContaining({ type })) });
            if ('events' in outcome) state = outcome.events.reduce(evolve, state);
          };
          if (action.kind === 'answer') {
            if (stage === 'recognised') return expect(outcome).toEqual({ code: 'STEP_OUT_OF_ORDER' });
            if (action.by === 'NL') return expect(outcome).toEqual({ code: 'STATE_NOT_PARTY_TO_CASE' });
            accept(latest[action.by] === action.answer ? [] : ['StateAgreementRecorded']);
            latest[action.by] = action.answer;
          } else if (action.kind === 'certificate') {
            if (stage !== 'requested') return expect(outcome).toEqual({ code: 'STEP_OUT_OF_ORDER' });
            if (latest.BE !== 'agreed' || latest.AL !== 'agreed') return expect(outcome).toEqual({ code: 'INSUFFICIENT_TIME_LEFT' });
            accept(['CertificateIssued']);
            stage = 'certified';
            seen.certified++;
          } else {
            if (stage !== 'certified') return expect(outcome).toEqual({ code: 'TRANSFER_NOT_AWAITING_DECISION' });
            if (latest.BE === 'refused' || latest.AL === 'refused') {
              seen.withdrawn++;
              return expect(outcome).toEqual({ code: 'INSUFFICIENT_TIME_LEFT' });
            }
            accept(['ReceivingStateDecisionRecorded']);
            stage = 'recognised';
            seen.recognised++;
          }
        });
      }),
      {
        numRuns: 1_500,
        // The plans the counts below need, run besides the random ones: a random run of 1,500
        // plans reached a refusal after the certificate followed by a decision in most runs only.
        examples: [
          [[{ kind: 'answer', by: 'BE', answer: 'agreed' }, { kind: 'answer', by: 'AL', answer: 'agreed' }, { kind: 'certificate' }, { kind: 'recognise' }]],
          [[{ kind: 'answer', by: 'BE', answer: 'agreed' }, { kind: 'answer', by: 'AL', answer: 'agreed' }, { kind: 'certificate' }, { kind: 'answer', by: 'AL', answer: 'refused' }, { kind: 'recognise' }]],
        ],
      },
    );
    expect(seen.certified).toBeGreaterThan(0);
    expect(seen.recognised).toBeGreaterThan(0);
    expect(seen.withdrawn).toBeGreaterThan(0);
  });

  it('ETS 112 Art 3(1)(c): with more than six months left, no answer of the states changes whether the certificate is issued', () => {
    const long = withSentence(s, { years: 3, months: 0, days: 0 });
    fc.assert(
      fc.property(actions(['BE', 'AL']).map((plan) => plan.filter((a) => a.kind === 'answer')), (answers) => {
        let state = prepared(s, long);
        answers.forEach((action, i) => {
          const outcome = attempt(commandOf(s, action, 4 + i), state, long);
          if ('events' in outcome) state = outcome.events.reduce(evolve, state);
        });
        expect(attempt(commandsOf(s).certificate(4 + answers.length), state, long)).toEqual({ events: [expect.objectContaining({ type: 'CertificateIssued' })] });
      }),
      { numRuns: 300 },
    );
  });

  it('2008/909 Art 9(1)(h) and the leases set no clause both states must agree on: every answer is refused AGREEMENT_CLAUSE_NOT_APPLICABLE', () => {
    fc.assert(
      fc.property(fc.constantFrom(belgiumToNetherlands, denmarkToKosovo), fc.constantFrom<Answer>('agreed', 'refused'), fc.boolean(), (shape, answer, bySending) => {
        const k = shape();
        const context = { inmate: k.inmate };
        const by = bySending ? k.sendingState : k.receivingState;
        const outcome = attempt(commandOf(k, { kind: 'answer', by, answer }, 4), prepared(k, context), context);
        expect(outcome).toEqual({ code: 'AGREEMENT_CLAUSE_NOT_APPLICABLE' });
      }),
      { numRuns: 100 },
    );
  });
});

describe('verdicts on EligibilityEvaluated carry their code and their rule of docs/domain.md (Rules 1–5 and 9)', () => {
  it('whatever the sentence and the states\' answers, a verdict carries a code exactly when it is not met, and the number of the rule it applies', () => {
    const shapes = fc.constantFrom(belgiumToAlbania, belgiumToNetherlands, denmarkToKosovo);
    const lengths = fc.record({ years: fc.integer({ min: 0, max: 4 }), months: fc.integer({ min: 0, max: 11 }), days: fc.integer({ min: 0, max: 30 }) });
    fc.assert(
      fc.property(shapes, lengths, fc.subarray(['agreeSending', 'agreeReceiving'] as const), (shape, length, answers) => {
        const k = shape();
        const c = commandsOf(k);
        const context = withSentence(k, length);
        let state = run([c.request()], context).events.reduce(evolve, initialState());
        for (const answer of answers) {
          const outcome = attempt(c[answer](0), state, context);
          if ('events' in outcome) state = outcome.events.reduce(evolve, state);
        }
        const outcome = attempt(c.evaluate(), state, context);
        expect(outcome).toHaveProperty('events');
        if (!('events' in outcome)) return;
        const [evaluated] = outcome.events as Array<Extract<TransferEvent, { type: 'EligibilityEvaluated' }>>;
        for (const verdict of evaluated.data.verdicts) {
          if (verdict.outcome === 'met') expect(verdict).not.toHaveProperty('code');
          else expect(verdict.code).toMatch(/^[A-Z][A-Z_]+$/);
          expect(verdict.domainRule).toBe(DOMAIN_RULE[verdict.rule.toUpperCase().replace(/-/g, '_') as RuleName]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
