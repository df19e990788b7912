import { AT, REPORT, TRANSFER, commandBodies, sentence } from './inmate.examples';
import { validateEvent } from '@custody/contracts';
import { specify } from '@custody/event-sourcing/testing';
import { inmateDecider, inmateDeciderAt, type InmateCommand, type InmateEvent } from './inmate.decider';

const given = specify(inmateDecider);

const inmateId = '3f1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e01';
const commandId = '0b7f3f7e-6c9a-4a39-9a0f-3f1f2d2b6c06';
const bodies = commandBodies(inmateId, commandId);
const command = <T extends InmateCommand['type']>(type: T, data: Extract<InmateCommand, { type: T }>['data']) =>
  ({ type, data }) as InmateCommand;
const ev = <T extends InmateEvent['type']>(type: T, data: Extract<InmateEvent, { type: T }>['data'], schemaVersion = 1) =>
  ({ type, schemaVersion, data }) as InmateEvent;

const { commandId: _c, occurredAt: _o, ...registration } = bodies.RegisterInmate();
const registered = ev('InmateRegistered', registration, 3);
const sentenced = ev('SentenceRecorded', { inmateId, sentence: sentence() });
const suspended = ev('EnforcementSuspended', { inmateId, transferId: TRANSFER, receivingState: 'AL' });
const ended = ev('EnforcementEnded', { inmateId, transferId: TRANSFER, reason: 'completion-reported' });
const released = ev('DomesticReleaseRecorded', { inmateId, reason: 'sentence-served' });
const reported = (report: 'sentence-completed' | 'escape' = 'sentence-completed') =>
  ev('ReceivingStateReportReceived', { inmateId, reportEventId: REPORT, report, occurredAt: AT });
const receiveReport = (data: Partial<Extract<InmateCommand, { type: 'ReceiveReport' }>['data']> = {}) =>
  command('ReceiveReport', { inmateId, reportEventId: REPORT, report: 'sentence-completed', occurredAt: AT, ...data });

describe('registering an inmate', () => {
  it('records the person, nationalities, sending state, facility and residence', () => {
    given().when(command('RegisterInmate', bodies.RegisterInmate())).then([registered]);
  });

  it('refuses a second registration under the same id, naming the inmate', () => {
    given([registered]).when(command('RegisterInmate', bodies.RegisterInmate()))
      .thenRejects('INMATE_ALREADY_REGISTERED', { details: { existingInmateId: inmateId } });
  });

  it('refuses a date of birth after the day of the act', () => {
    const identity = { ...registration.identity, dateOfBirth: '2026-03-03' };
    given().when(command('RegisterInmate', bodies.RegisterInmate({ identity })))
      .thenRejects('DATE_IN_FUTURE', { paths: ['identity.dateOfBirth'] });
  });

  it('counts the day of the act as written by the sender: a date of that day is not in the future', () => {
    const identity = { ...registration.identity, dateOfBirth: '2026-03-02' };
    const body = bodies.RegisterInmate({ identity, occurredAt: '2026-03-02T23:30:00-05:00' });
    given().when(command('RegisterInmate', body)).then([ev('InmateRegistered', { ...registration, identity }, 3)]);
  });

  it('reads a version 1 registration (a single nationality) as a list of nationalities', () => {
    const { nationalities: _n, ...v1 } = registration;
    const { state } = given([{ type: 'InmateRegistered', schemaVersion: 1, data: { ...v1, nationality: 'AL' } } as unknown as InmateEvent]);
    expect(state).toMatchObject({ status: 'registered', nationalities: ['AL'] });
  });
});

describe('any command about an inmate not registered', () => {
  it.each([
    ['RecordSentence', bodies.RecordSentence()],
    ['AdjustSentence', bodies.AdjustSentence()],
    ['RecordResidenceStatus', bodies.RecordResidenceStatus()],
    ['RecordExpulsionOrder', bodies.RecordExpulsionOrder()],
    ['RecordHealthAssessment', bodies.RecordHealthAssessment()],
    ['CorrectInmateRecord', bodies.CorrectInmateRecord()],
    ['RecordDomesticRelease', bodies.RecordDomesticRelease()],
    ['SuspendEnforcement', bodies.SuspendEnforcement()],
    ['ResumeEnforcement', bodies.ResumeEnforcement()],
    ['EndEnforcement', bodies.EndEnforcement()],
    ['AcknowledgeReport', bodies.AcknowledgeReport()],
  ] as const)('%s is refused with INMATE_NOT_FOUND', (type, body) => {
    given().when(command(type, body as never)).thenRejects('INMATE_NOT_FOUND', { details: { inmateId } });
  });
});

describe('the sentence', () => {
  it('is recorded', () => {
    given([registered]).when(command('RecordSentence', bodies.RecordSentence())).then([sentenced]);
  });

  it('is replaced by an adjustment, with its reason', () => {
    const body = bodies.AdjustSentence();
    given([registered, sentenced]).when(command('AdjustSentence', body))
      .then([ev('SentenceAdjusted', { inmateId, sentence: body.sentence, reason: 'remission', explanation: 'Remission of three months.' })]);
  });

  it('cannot be adjusted before one is recorded', () => {
    given([registered]).when(command('AdjustSentence', bodies.AdjustSentence())).thenRejects('SENTENCE_NOT_RECORDED');
  });

  it('refuses a final judgment or an enforcement start after the day of the act, listing both', () => {
    const body = bodies.RecordSentence({ sentence: sentence({ finalJudgmentDate: '2026-04-01', enforcementStartDate: '2026-03-10', sentenceEndDate: '2032-03-10' }) });
    given([registered]).when(command('RecordSentence', body))
      .thenRejects('DATE_IN_FUTURE', { paths: ['sentence.finalJudgmentDate', 'sentence.enforcementStartDate'] });
  });

  it('refuses more days served than the sentence lasts (remaining time below zero)', () => {
    const body = bodies.RecordSentence({ sentence: sentence({ daysServed: 2193 }) });
    given([registered]).when(command('RecordSentence', body)).thenRejects('REMAINING_TIME_NEGATIVE', { paths: ['sentence.daysServed'] });
  });

  it('accepts exactly the whole sentence served (six years from 2023-11-03 are 2192 days)', () => {
    const body = bodies.RecordSentence({ sentence: sentence({ daysServed: 2192 }) });
    given([registered]).when(command('RecordSentence', body)).then([ev('SentenceRecorded', { inmateId, sentence: body.sentence })]);
  });

  it('refuses a sentence that ends before its enforcement starts, and pre-trial days beyond its length', () => {
    const body = bodies.AdjustSentence({ sentence: sentence({ sentenceEndDate: '2023-01-01', length: { years: 0, months: 1, days: 0 }, preTrialDays: 40, daysServed: 10 }) });
    given([registered, sentenced]).when(command('AdjustSentence', body))
      .thenRejects('REMAINING_TIME_NEGATIVE', { paths: ['sentence.preTrialDays', 'sentence.sentenceEndDate'] });
  });

  it('accepts a life sentence, which has no length and no end', () => {
    const life = sentence({ kind: 'life', length: undefined, sentenceEndDate: undefined });
    delete life.length;
    delete life.sentenceEndDate;
    given([registered]).when(command('RecordSentence', bodies.RecordSentence({ sentence: life })))
      .then([ev('SentenceRecorded', { inmateId, sentence: life })]);
  });
});

describe('residence, expulsion orders and health', () => {
  it('records the residence status', () => {
    const { commandId: _x, occurredAt: _y, ...residence } = bodies.RecordResidenceStatus();
    const { state } = given([registered, ev('ResidenceStatusRecorded', residence)]);
    given([registered]).when(command('RecordResidenceStatus', bodies.RecordResidenceStatus())).then([ev('ResidenceStatusRecorded', residence)]);
    expect(state).toMatchObject({ residence: { status: 'temporary-resident', habitualResidence: 'BE', permitReference: 'BE-TR-991' } });
  });

  it('records an expulsion order', () => {
    const body = bodies.RecordExpulsionOrder();
    given([registered]).when(command('RecordExpulsionOrder', body)).then([ev('ExpulsionOrderRecorded', { inmateId, expulsionOrder: body.expulsionOrder })]);
  });

  it('refuses an expulsion order issued after the day of the act', () => {
    const body = bodies.RecordExpulsionOrder();
    body.expulsionOrder = { ...body.expulsionOrder, issuedOn: '2026-12-01' };
    given([registered]).when(command('RecordExpulsionOrder', body)).thenRejects('DATE_IN_FUTURE', { paths: ['expulsionOrder.issuedOn'] });
  });

  it('records a health assessment', () => {
    const { commandId: _x, occurredAt: _y, ...assessment } = bodies.RecordHealthAssessment();
    given([registered]).when(command('RecordHealthAssessment', bodies.RecordHealthAssessment())).then([ev('HealthAssessmentRecorded', assessment)]);
  });

  it('refuses an assessment dated after the day of the act', () => {
    given([registered]).when(command('RecordHealthAssessment', bodies.RecordHealthAssessment({ assessedOn: '2026-03-03' })))
      .thenRejects('DATE_IN_FUTURE', { paths: ['assessedOn'] });
  });
});

describe('corrections (Rule 15: a compensating event, never an edit)', () => {
  it('records the corrected nationalities', () => {
    given([registered]).when(command('CorrectInmateRecord', bodies.CorrectInmateRecord()))
      .then([ev('InmateRecordCorrected', { inmateId, correctedEventId: bodies.CorrectInmateRecord().correctedEventId, reason: 'Second nationality omitted.', nationalities: ['AL', 'XK'] }, 2)]);
  });

  it('keeps only the facts that change', () => {
    const body = bodies.CorrectInmateRecord({ identity: registration.identity, nationalities: ['XK'] });
    given([registered]).when(command('CorrectInmateRecord', body))
      .then([ev('InmateRecordCorrected', { inmateId, correctedEventId: body.correctedEventId, reason: body.reason, nationalities: ['XK'] }, 2)]);
  });

  it('refuses a correction that changes nothing', () => {
    const body = bodies.CorrectInmateRecord({ nationalities: ['AL'] });
    given([registered]).when(command('CorrectInmateRecord', body)).thenRejects('NOTHING_TO_CORRECT');
    const empty = bodies.CorrectInmateRecord();
    delete empty.nationalities;
    given([registered]).when(command('CorrectInmateRecord', empty)).thenRejects('NOTHING_TO_CORRECT');
  });

  it('refuses a corrected date of birth after the day of the act', () => {
    const body = bodies.CorrectInmateRecord({ identity: { ...registration.identity, dateOfBirth: '2027-01-01' } });
    given([registered]).when(command('CorrectInmateRecord', body)).thenRejects('DATE_IN_FUTURE', { paths: ['identity.dateOfBirth'] });
  });

  it('is still possible after a release', () => {
    given([registered, released]).when(command('CorrectInmateRecord', bodies.CorrectInmateRecord())).then([
      ev('InmateRecordCorrected', { inmateId, correctedEventId: bodies.CorrectInmateRecord().correctedEventId, reason: 'Second nationality omitted.', nationalities: ['AL', 'XK'] }, 2),
    ]);
  });
});

describe('domestic release', () => {
  it('closes the record', () => {
    const { state } = given([registered, released]);
    given([registered]).when(command('RecordDomesticRelease', bodies.RecordDomesticRelease())).then([released]);
    expect(state.status).toBe('released');
  });

  it.each([
    ['RecordSentence', bodies.RecordSentence()],
    ['RecordResidenceStatus', bodies.RecordResidenceStatus()],
    ['RecordDomesticRelease', bodies.RecordDomesticRelease()],
    ['SuspendEnforcement', bodies.SuspendEnforcement()],
  ] as const)('after it, %s is refused with INMATE_ALREADY_RELEASED', (type, body) => {
    given([registered, sentenced, released]).when(command(type, body as never)).thenRejects('INMATE_ALREADY_RELEASED');
  });
});

describe('enforcement passes once (Rule 12)', () => {
  it('taking into charge suspends the sending state\'s enforcement', () => {
    given([registered, sentenced]).when(command('SuspendEnforcement', bodies.SuspendEnforcement())).then([suspended]);
  });

  it('needs a sentence to suspend', () => {
    given([registered]).when(command('SuspendEnforcement', bodies.SuspendEnforcement())).thenRejects('SENTENCE_NOT_RECORDED');
  });

  it('the same taking into charge told twice changes nothing', () => {
    given([registered, sentenced, suspended]).when(command('SuspendEnforcement', bodies.SuspendEnforcement())).thenNothing();
  });

  it('another transfer cannot suspend what is already suspended, nor what ended', () => {
    const other = bodies.SuspendEnforcement({ transferId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' });
    given([registered, sentenced, suspended]).when(command('SuspendEnforcement', other)).thenRejects('ENFORCEMENT_NOT_ACTIVE');
    given([registered, sentenced, suspended, ended]).when(command('SuspendEnforcement', other)).thenRejects('ENFORCEMENT_NOT_ACTIVE');
  });

  it('resumes on escape back to the sending state, only after a suspension', () => {
    given([registered, sentenced, suspended]).when(command('ResumeEnforcement', bodies.ResumeEnforcement()))
      .then([ev('EnforcementResumed', { inmateId, transferId: TRANSFER, reason: 'escape-to-sending-state' })]);
    given([registered, sentenced]).when(command('ResumeEnforcement', bodies.ResumeEnforcement())).thenRejects('ENFORCEMENT_NOT_SUSPENDED');
  });

  it('refuses to resume under a transfer that did not suspend it', () => {
    const body = bodies.ResumeEnforcement({ transferId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' });
    given([registered, sentenced, suspended]).when(command('ResumeEnforcement', body))
      .thenRejects('ENFORCEMENT_NOT_SUSPENDED', { details: { suspendedByTransferId: TRANSFER } });
  });

  it('ends when the receiving state reports completion', () => {
    given([registered, sentenced, suspended]).when(command('EndEnforcement', bodies.EndEnforcement())).then([ended]);
  });

  it('completion cannot be reported for an enforcement never suspended', () => {
    given([registered, sentenced]).when(command('EndEnforcement', bodies.EndEnforcement())).thenRejects('ENFORCEMENT_NOT_SUSPENDED');
  });

  it('death ends an active enforcement too', () => {
    given([registered, sentenced]).when(command('EndEnforcement', bodies.EndEnforcement({ reason: 'death' })))
      .then([ev('EnforcementEnded', { inmateId, reason: 'death' })]);
  });

  it('ends only once', () => {
    given([registered, sentenced, suspended, ended]).when(command('EndEnforcement', bodies.EndEnforcement())).thenRejects('ENFORCEMENT_NOT_ACTIVE');
  });
});

describe('reports of the receiving state (Rule 13)', () => {
  it('a completion report is kept and ends a suspended enforcement', () => {
    given([registered, sentenced, suspended]).when(receiveReport()).then([reported(), ended]);
  });

  it('the same report told twice changes nothing', () => {
    given([registered, sentenced, suspended, reported(), ended]).when(receiveReport()).thenNothing();
  });

  it('an escape to the sending state resumes its enforcement; an escape elsewhere does not', () => {
    given([registered, sentenced, suspended]).when(receiveReport({ report: 'escape', believedWhereabouts: 'BE' }))
      .then([reported('escape'), ev('EnforcementResumed', { inmateId, transferId: TRANSFER, reason: 'escape-to-sending-state' })]);
    given([registered, sentenced, suspended]).when(receiveReport({ report: 'escape', believedWhereabouts: 'AL' })).then([reported('escape')]);
  });

  it('a full pardon and a death end the enforcement; a partial pardon does not', () => {
    const pardon = ev('ReceivingStateReportReceived', { inmateId, reportEventId: REPORT, report: 'pardon-or-amnesty', occurredAt: AT });
    given([registered, sentenced, suspended]).when(receiveReport({ report: 'pardon-or-amnesty', isFull: true }))
      .then([pardon, ev('EnforcementEnded', { inmateId, transferId: TRANSFER, reason: 'pardon-or-amnesty' })]);
    given([registered, sentenced, suspended]).when(receiveReport({ report: 'pardon-or-amnesty', isFull: false })).then([pardon]);
    const death = ev('ReceivingStateReportReceived', { inmateId, reportEventId: REPORT, report: 'death', occurredAt: AT });
    given([registered, sentenced, suspended]).when(receiveReport({ report: 'death' }))
      .then([death, ev('EnforcementEnded', { inmateId, transferId: TRANSFER, reason: 'death' })]);
  });

  it('a report about an enforcement not suspended is kept without effect', () => {
    given([registered, sentenced]).when(receiveReport()).then([reported()]);
  });

  it('is acknowledged by the sending state, once', () => {
    const acknowledged = ev('ReportAcknowledged', { inmateId, reportEventId: REPORT, report: 'sentence-completed' });
    given([registered, sentenced, suspended, reported(), ended]).when(command('AcknowledgeReport', bodies.AcknowledgeReport())).then([acknowledged]);
    given([registered, sentenced, suspended, reported(), ended, acknowledged]).when(command('AcknowledgeReport', bodies.AcknowledgeReport())).thenNothing();
  });

  it('an unknown report, or one of another kind, cannot be acknowledged', () => {
    given([registered, sentenced]).when(command('AcknowledgeReport', bodies.AcknowledgeReport())).thenRejects('REPORT_NOT_FOUND');
    given([registered, sentenced, reported()]).when(command('AcknowledgeReport', bodies.AcknowledgeReport({ report: 'escape' }))).thenRejects('REPORT_NOT_FOUND');
  });

  it('a report about a person not registered here is refused', () => {
    given().when(receiveReport()).thenRejects('INMATE_NOT_FOUND');
  });
});

describe('Rule 17: a ministry\'s act on the service\'s clock', () => {
  // The service's clock reads AT plus two hours (2026-03-02T11:30:00Z); 300 s of skew; 7 days before a reason is needed.
  const clock = { now: '2026-03-02T11:30:00.000Z', policy: { clockSkewSeconds: 300, lateRecordingDays: 7 } };
  const at = (occurredAt: string, over: object = {}) => ({ ...commandBodies(inmateId, commandId, occurredAt), ...over });

  it('a registration dated in 2099 is refused DATE_IN_FUTURE, naming occurredAt', () => {
    specify(inmateDeciderAt(clock))().when(command('RegisterInmate', at('2099-01-01T00:00:00Z').RegisterInmate()))
      .thenRejects('DATE_IN_FUTURE', { details: { field: 'occurredAt', date: '2099-01-01T00:00:00Z', now: clock.now }, paths: ['occurredAt'] });
  });

  it('an act of the record dated before the registration is refused DATE_BEFORE_PRECEDING_STEP, naming both dates', () => {
    const dated = { ...registered, occurredAt: AT } as InmateEvent;
    specify(inmateDeciderAt(clock))([dated]).when(command('RecordSentence', at('2026-03-01T09:30:00Z').RecordSentence()))
      .thenRejects('DATE_BEFORE_PRECEDING_STEP', { details: { field: 'occurredAt', date: '2026-03-01T09:30:00Z', precedingStep: 'registration', precedingDate: AT } });
    specify(inmateDeciderAt(clock))([dated]).when(command('RecordSentence', at(AT).RecordSentence())).thenMatches([{ type: 'SentenceRecorded' }]);
  });

  it('an act recorded more than 7 days late needs a lateRecordingReason', () => {
    const late = at('2026-02-20T09:00:00Z');
    specify(inmateDeciderAt(clock))().when(command('RegisterInmate', late.RegisterInmate()))
      .thenRejects('LATE_RECORDING_REASON_REQUIRED', { details: { date: '2026-02-20T09:00:00Z', recordedAt: clock.now, lateRecordingDays: 7 } });
    const [registeredLate] = specify(inmateDeciderAt(clock))().when(command('RegisterInmate', late.RegisterInmate({ lateRecordingReason: 'Registered from the prison\'s paper file after a system outage.' })))
      .thenMatches([{ type: 'InmateRegistered' }]);
    // The reason goes with the events' metadata, never into the payload (which the contract validates).
    expect(registeredLate.data).not.toHaveProperty('lateRecordingReason');
    expect(validateEvent('InmateRegistered', 3, registeredLate.data).ok).toBe(true);
    for (const type of ['RecordResidenceStatus', 'RecordHealthAssessment', 'RecordDomesticRelease'] as const) {
      const [recorded] = specify(inmateDeciderAt(clock))([registered]).when(command(type, at(AT)[type]({ lateRecordingReason: 'Late.' } as never))).events();
      expect(recorded.data).not.toHaveProperty('lateRecordingReason');
    }
  });

  it('the effects of other services\' events come without the clock: dated by the fact they report', () => {
    given([registered, sentenced]).when(command('SuspendEnforcement', { ...at('2020-01-01T00:00:00Z').SuspendEnforcement() })).thenMatches([{ type: 'EnforcementSuspended' }]);
  });
});
