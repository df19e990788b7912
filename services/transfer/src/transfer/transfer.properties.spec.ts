import fc from 'fast-check';
import { CommandRejection, type TransferCommand, type TransferEvent } from '@custody/contracts';
import { addDays } from '@custody/legal';
import { decide, evolve, initialState } from './transfer.decider';
import { belgiumToAlbania, belgiumToNetherlands, commandsOf, denmarkToKosovo, type CaseShape } from './transfer.fixtures';

const HAPPY = ['request', 'evaluate', 'opinion', 'consent', 'certificate', 'receipt', 'recognise', 'reserve', 'confirm', 'schedule', 'dispatch', 'receive', 'complete'] as const;
const DISRUPTIVE = ['refuse', 'withdraw', 'cancel', 'decline', 'obstacle', 'endObstacle', 'extend', 'missed', 'notify', 'dispatch', 'receive', 'complete', 'confirm', 'reserve'] as const;
type Step = (typeof HAPPY)[number] | (typeof DISRUPTIVE)[number];

/** Plays the commands through the decider; rejected ones change nothing, as at the edge. */
function play(shape: CaseShape, steps: readonly Step[]): TransferEvent[] {
  const c = commandsOf(shape);
  const context = { inmate: shape.inmate };
  let state = initialState();
  const events: TransferEvent[] = [];
  steps.forEach((step, i) => {
    const command = (c[step] as (day?: number) => TransferCommand)(i);
    try {
      const decided = decide(command, state, context);
      events.push(...decided);
      state = decided.reduce(evolve, state);
    } catch (error) {
      if (!(error instanceof CommandRejection)) throw error;
    }
  });
  return events;
}

/** Mostly in order, with steps skipped and others slipped in between: reaches every ending. */
const nearlyInOrder = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
      fc.oneof({ weight: 5, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.constantFrom(...DISRUPTIVE), { maxLength: 2 }) }),
    ),
    { minLength: HAPPY.length, maxLength: HAPPY.length },
  )
  .map((plan) => plan.flatMap(([keep, extra], i) => [...extra, ...(keep || i === 0 ? [HAPPY[i]] : [])]) as Step[]);
const anyOrder = fc.array(fc.constantFrom<Step>(...HAPPY, ...DISRUPTIVE), { maxLength: 40 });
const sequences = fc.oneof({ weight: 3, arbitrary: nearlyInOrder }, { weight: 1, arbitrary: anyOrder });
const shapes = fc.constantFrom(belgiumToAlbania, denmarkToKosovo, belgiumToNetherlands);

const ENDINGS = new Set(['TransferWithdrawn', 'TransferCancelled', 'PlaceReservationDeclined', 'TransferCompleted']);
const isEnding = (e: TransferEvent) =>
  ENDINGS.has(e.type) || (e.type === 'ReceivingStateDecisionRecorded' && e.data.decision === 'refused');

describe('properties of every sequence of commands', () => {
  const seen = { completed: 0, ended: 0, releases: 0 };

  it('no case completes without both sides of the hand-over, dispatch first (Rule 11)', () => {
    fc.assert(
      fc.property(shapes, sequences, (shape, steps) => {
        const types = play(shape(), steps).map((e) => e.type);
        const completed = types.indexOf('TransferCompleted');
        if (completed < 0) return;
        seen.completed++;
        const dispatched = types.indexOf('CustodyDispatched');
        const received = types.indexOf('CustodyReceived');
        expect(dispatched).toBeGreaterThanOrEqual(0);
        expect(received).toBeGreaterThan(dispatched);
        expect(completed).toBeGreaterThan(received);
      }),
      { numRuns: 600 },
    );
    expect(seen.completed).toBeGreaterThan(0);
  });

  it('no reservation is held after the case ended: each held place is released or used', () => {
    fc.assert(
      fc.property(shapes, sequences, (shape, steps) => {
        const events = play(shape(), steps);
        // Read from the events alone, not from the decider's state.
        let isHeld = false;
        let hasEnded = false;
        for (const e of events) {
          if (e.type === 'PlaceReservationRequested') isHeld = true;
          if (e.type === 'PlaceReservationDeclined' || e.type === 'PlaceReleaseRequested' || e.type === 'TransferCompleted') isHeld = false;
          if (e.type === 'PlaceReleaseRequested') seen.releases++;
          if (isEnding(e)) hasEnded = true;
          if (hasEnded) expect(['PlaceReservationRequested', 'PlaceReservationConfirmed', 'TransferScheduled', 'CustodyDispatched']).not.toContain(e.type);
        }
        if (hasEnded) {
          seen.ended++;
          expect(isHeld).toBe(false);
        }
      }),
      { numRuns: 600 },
    );
    expect(seen.ended).toBeGreaterThan(0);
    expect(seen.releases).toBeGreaterThan(0);
  });

  it('a deadline is missed at most once for each due date, and never after the case ended', () => {
    fc.assert(
      fc.property(sequences, (steps) => {
        const shape = belgiumToNetherlands();
        const c = commandsOf(shape);
        const commands = steps.flatMap((step, i): TransferCommand[] => {
          const command = (c[step] as (day?: number) => TransferCommand)(i * 8);
          // The scheduler's view: after each step, the decision deadline of day 96 may have passed.
          return [command, c.missed(i * 8, { dueAt: `${addDays(shape.day0, 96)}T23:59:59Z` })];
        });
        let state = initialState();
        const missed: string[] = [];
        for (const command of commands) {
          try {
            const decided = decide(command, state, { inmate: shape.inmate });
            for (const e of decided) if (e.type === 'DeadlineMissed') {
              expect(['completed', 'withdrawn', 'cancelled', 'refused', 'no-capacity']).not.toContain(state.stage);
              missed.push(`${e.data.deadline}@${e.data.dueAt}`);
            }
            state = decided.reduce(evolve, state);
          } catch (error) {
            if (!(error instanceof CommandRejection)) throw error;
          }
        }
        expect(new Set(missed).size).toBe(missed.length);
      }),
      { numRuns: 300 },
    );
  });
});
