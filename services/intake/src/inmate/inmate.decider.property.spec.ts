import fc from 'fast-check';
import { CommandRejection } from '@custody/contracts';
import { decide, evolve, initialState, type Inmate, type InmateCommand, type InmateEvent } from './inmate.decider';
import { commandBodies, sentence } from './inmate.examples';

// A property runs a fixed number of cases, CPU-bound: its budget is that number, not the unit
// tier's 10 s of wall time, which a loaded machine can exceed without anything being wrong.
jest.setTimeout(120_000);

const inmateId = '3f1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e01';
const bodies = commandBodies(inmateId, '0b7f3f7e-6c9a-4a39-9a0f-3f1f2d2b6c06');
const transfers = ['7a2b9c1d-3e4f-4a5b-8c6d-9e0f1a2b3c02', 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'];
const reports = ['9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6', 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e'];
const day = fc.integer({ min: 0, max: 800 }).map((n) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
const at = fc.integer({ min: 0, max: 1200 }).map((n) => new Date(Date.UTC(2024, 0, 1, 9) + n * 86_400_000).toISOString().replace('.000', ''));
const reportKind = fc.constantFrom('sentence-completed', 'escape', 'conditional-release', 'pardon-or-amnesty', 'cannot-be-found', 'death' as const);

/** Commands of every kind, valid in shape; the decider accepts or refuses them by the rules. */
const commandArbitrary: fc.Arbitrary<InmateCommand> = fc.oneof(
  fc.record({ occurredAt: at, passport: fc.constantFrom('BA1', 'BA2') }).map(({ occurredAt, passport }) => ({
    type: 'RegisterInmate' as const,
    data: bodies.RegisterInmate({ occurredAt, identity: { ...bodies.RegisterInmate().identity, documents: [{ kind: 'passport', number: passport, issuingState: 'AL' }] } }),
  })),
  fc.record({ occurredAt: at, start: day, served: fc.integer({ min: 0, max: 3000 }), kind: fc.constantFrom('determinate', 'life' as const) }).map(
    ({ occurredAt, start, served, kind }) => {
      const s = kind === 'life' ? sentence({ kind, enforcementStartDate: start, daysServed: served }) : sentence({ enforcementStartDate: start, daysServed: served });
      if (kind === 'life') {
        delete s.length;
        delete s.sentenceEndDate;
      }
      return { type: 'RecordSentence' as const, data: bodies.RecordSentence({ occurredAt, sentence: s }) };
    },
  ),
  fc.record({ occurredAt: at, served: fc.integer({ min: 0, max: 3000 }) }).map(({ occurredAt, served }) => ({
    type: 'AdjustSentence' as const, data: bodies.AdjustSentence({ occurredAt, sentence: sentence({ daysServed: served }) }),
  })),
  fc.record({ occurredAt: at, status: fc.constantFrom('national', 'permanent-resident', 'temporary-resident', 'irregular' as const) }).map(({ occurredAt, status }) => ({
    type: 'RecordResidenceStatus' as const, data: bodies.RecordResidenceStatus({ occurredAt, status }),
  })),
  fc.record({ occurredAt: at, issuedOn: day }).map(({ occurredAt, issuedOn }) => {
    const body = bodies.RecordExpulsionOrder({ occurredAt });
    return { type: 'RecordExpulsionOrder' as const, data: { ...body, expulsionOrder: { ...body.expulsionOrder, issuedOn } } };
  }),
  fc.record({ occurredAt: at, assessedOn: day, ill: fc.boolean() }).map(({ occurredAt, assessedOn, ill }) => ({
    type: 'RecordHealthAssessment' as const, data: bodies.RecordHealthAssessment({ occurredAt, assessedOn, hasTerminalIllness: ill }),
  })),
  fc.record({ occurredAt: at, nationalities: fc.subarray(['AL', 'XK', 'BE'] as const, { minLength: 1 }) }).map(({ occurredAt, nationalities }) => ({
    type: 'CorrectInmateRecord' as const, data: bodies.CorrectInmateRecord({ occurredAt, nationalities: [...nationalities] }),
  })),
  at.map((occurredAt) => ({ type: 'RecordDomesticRelease' as const, data: bodies.RecordDomesticRelease({ occurredAt }) })),
  fc.record({ occurredAt: at, transferId: fc.constantFrom(...transfers) }).map(({ occurredAt, transferId }) => ({
    type: 'SuspendEnforcement' as const, data: bodies.SuspendEnforcement({ occurredAt, transferId }),
  })),
  at.map((occurredAt) => ({ type: 'ResumeEnforcement' as const, data: bodies.ResumeEnforcement({ occurredAt }) })),
  fc.record({ occurredAt: at, reason: fc.constantFrom('completion-reported', 'death', 'other' as const) }).map(({ occurredAt, reason }) => ({
    type: 'EndEnforcement' as const, data: bodies.EndEnforcement({ occurredAt, reason }),
  })),
  fc.record({ occurredAt: at, reportEventId: fc.constantFrom(...reports), report: reportKind }).map(({ occurredAt, reportEventId, report }) => ({
    type: 'AcknowledgeReport' as const, data: bodies.AcknowledgeReport({ occurredAt, reportEventId, report }),
  })),
  fc.record({ occurredAt: at, reportEventId: fc.constantFrom(...reports), report: reportKind, isFull: fc.boolean(), whereabouts: fc.constantFrom('BE', 'AL' as const) }).map(
    ({ occurredAt, reportEventId, report, isFull, whereabouts }) => ({
      type: 'ReceiveReport' as const,
      data: { inmateId, occurredAt, reportEventId, report, isFull, believedWhereabouts: whereabouts },
    }),
  ),
);

/** Runs the commands as the write path does: a refused command records nothing. */
function run(commands: InmateCommand[]): { state: Inmate; log: InmateEvent[]; accepted: number } {
  let state = initialState();
  const log: InmateEvent[] = [];
  let accepted = 0;
  for (const command of commands) {
    try {
      const events = decide(command, state);
      accepted++;
      log.push(...events);
      state = events.reduce(evolve, state);
    } catch (error) {
      if (!(error instanceof CommandRejection)) throw error;
    }
  }
  return { state, log, accepted };
}

const registration = fc.constant<InmateCommand>({ type: 'RegisterInmate', data: bodies.RegisterInmate() });
// Mostly sequences that start with a registration, so that most commands get past INMATE_NOT_FOUND.
const sequences = fc.oneof(
  { arbitrary: fc.array(commandArbitrary, { minLength: 1, maxLength: 40 }), weight: 1 },
  { arbitrary: fc.tuple(registration, fc.array(commandArbitrary, { maxLength: 40 })).map(([first, rest]) => [first, ...rest]), weight: 4 },
);

describe('the inmate decider, for any sequence of commands', () => {
  it('leaves a state that folding the recorded events (stored as JSON and read back) rebuilds identically', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        const { state, log } = run(commands);
        const stored = JSON.parse(JSON.stringify(log)) as InmateEvent[];
        expect(stored.reduce(evolve, initialState())).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts a fair share of the generated commands (the properties are not vacuous)', () => {
    const samples = fc.sample(sequences, { numRuns: 200, seed: 42 });
    const accepted = samples.reduce((sum, commands) => sum + run(commands).accepted, 0);
    const total = samples.reduce((sum, commands) => sum + commands.length, 0);
    expect(accepted / total).toBeGreaterThan(0.25);
  });

  it('only ever refuses with a CommandRejection (never a crash), and a refusal changes nothing', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        let state = initialState();
        for (const command of commands) {
          const before = JSON.stringify(state);
          try {
            state = decide(command, state).reduce(evolve, state);
          } catch (error) {
            expect(error).toBeInstanceOf(CommandRejection);
            expect(JSON.stringify(state)).toBe(before);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps Rule 12: enforcement is suspended by one transfer at a time, and never changes after it ended', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        const { log } = run(commands);
        let enforcement: 'active' | 'suspended' | 'ended' = 'active';
        for (const event of log) {
          if (event.type === 'EnforcementSuspended') {
            expect(enforcement).toBe('active');
            enforcement = 'suspended';
          } else if (event.type === 'EnforcementResumed') {
            expect(enforcement).toBe('suspended');
            enforcement = 'active';
          } else if (event.type === 'EnforcementEnded') {
            expect(enforcement).not.toBe('ended');
            if (event.data.reason === 'completion-reported') expect(enforcement).toBe('suspended');
            enforcement = 'ended';
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('records nothing but corrections after a domestic release, and registers a person once', () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        const { log } = run(commands);
        expect(log.filter((e) => e.type === 'InmateRegistered').length).toBeLessThanOrEqual(1);
        if (log.length > 0) expect(log[0].type).toBe('InmateRegistered');
        const release = log.findIndex((e) => e.type === 'DomesticReleaseRecorded');
        if (release >= 0) expect(log.slice(release + 1).every((e) => e.type === 'InmateRecordCorrected')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
