import { randomUUID } from 'node:crypto';
import type { TransferEvent } from '@custody/contracts';
import { addDays, daysBetween, LEGAL_BASES, withPartySince } from '@custody/legal';
import {
  at, belgiumToAlbania, belgiumToNetherlands, commandsOf, denmarkToKosovo, given, happyPath, isLease, run, stepsOf, type CaseShape,
} from './transfer.fixtures';
import type { DecisionContext } from './transfer.decider';

const contextOf = (shape: CaseShape, over: DecisionContext = {}): DecisionContext => ({ inmate: shape.inmate, ...over });
const upTo = (shape: CaseShape, last: keyof ReturnType<typeof commandsOf>) => {
  const c = commandsOf(shape);
  const order: readonly string[] = stepsOf(shape);
  if (!order.includes(last)) throw new Error(`${String(last)} is not a step of ${shape.name}`);
  return order.slice(0, order.indexOf(last) + 1).map((step) => (c[step as keyof typeof c] as () => never)());
};

describe.each([
  ['Belgium → Albania under ETS 112, with consent', belgiumToAlbania],
  ['Denmark → Kosovo lease of a third-country national with an expulsion order, without consent', denmarkToKosovo],
  ['Belgium → Netherlands under 2008/909, deported there, without consent', belgiumToNetherlands],
])('%s', (_name, shape) => {
  it('goes from the request to the admission through every step', () => {
    const s = shape();
    const { events, state } = run(happyPath(s), contextOf(s));
    // Rule 18: a lease has no certificate and no recognition: the lessee decides the placement.
    const accepted = isLease(s) ? ['PlacementDecided'] : ['CertificateIssued', 'CertificateReceived', 'ReceivingStateDecisionRecorded'];
    expect(events.map((e) => e.type)).toEqual([
      'TransferRequested', 'EligibilityEvaluated', 'InmateOpinionRecorded', 'ConsentRecorded', ...accepted,
      'InmateNotified', 'PlaceReservationRequested',
      'PlaceReservationConfirmed', 'TransferScheduled', 'CustodyDispatched', 'CustodyReceived', 'TransferCompleted',
    ]);
    expect(state.stage).toBe('completed');
    expect(state.reservation?.status).toBe('used');
    expect(events[1].data).toMatchObject({ isEligible: true });
  });
});

describe('Rule 1: the legal basis fits the pair of states (the instruments\' parties and entry into force; 2008/909 Art 26(1))', () => {
  it('accepts ETS 112 from Belgium to Albania', () => {
    const s = belgiumToAlbania();
    given([], contextOf(s)).when(commandsOf(s).request()).thenMatches([
      { type: 'TransferRequested', data: { sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' } },
    ]);
  });

  it('refuses ETS 112 between two EU states, where 2008/909 replaced it', () => {
    const s = belgiumToNetherlands();
    given([], contextOf(s)).when(commandsOf(s).request(0, { legalBasis: 'ETS112' })).thenRejects('LEGAL_BASIS_NOT_APPLICABLE', { details: { rule: 'LEGAL_BASIS' }, message: /2008\/909 Art 26\(1\).*FD2008_909/ });
  });

  it('refuses 2008/909 to a state outside the EU', () => {
    const s = belgiumToAlbania();
    given([], contextOf(s)).when(commandsOf(s).request(0, { legalBasis: 'FD2008_909' })).thenRejects('LEGAL_BASIS_NOT_APPLICABLE', { message: /AL is not a party/ });
  });

  it('refuses ETS 112 to Kosovo, which is party only to bilateral treaties and the lease', () => {
    const s = denmarkToKosovo();
    given([], contextOf(s)).when(commandsOf(s).request(0, { legalBasis: 'ETS112' })).thenRejects('LEGAL_BASIS_NOT_APPLICABLE', { message: /LEASE_DK_XK_2022/ });
  });

  it('refuses a basis the catalogue does not know', () => {
    const s = belgiumToAlbania();
    given([], contextOf(s)).when(commandsOf(s).request(0, { legalBasis: 'TREATY_OF_NOWHERE' })).thenRejects('LEGAL_BASIS_UNKNOWN');
  });

  it('refuses a lease from a state that is not its tenant', () => {
    const s = denmarkToKosovo();
    given([], contextOf(s, { inmate: { ...s.inmate, sendingState: 'BE' } })).when(commandsOf(s).request(0, { sendingState: 'BE' })).thenRejects('LEGAL_BASIS_NOT_APPLICABLE', { message: /only lets DK/ });
  });
});

describe('Rule 2: a transfer of enforcement needs a final judgment (ETS 112 Art 3(1)(b); 2008/909 Art 1(a))', () => {
  const s = belgiumToAlbania();
  const appeal = contextOf(s, { inmate: { ...s.inmate, sentence: { ...s.inmate.sentence!, finalJudgmentDate: undefined } } });

  it('the evaluation says the case is not eligible, and why', () => {
    const c = commandsOf(s);
    const [evaluated] = given([c.request()], appeal).when(c.evaluate()).thenMatches([{ type: 'EligibilityEvaluated', data: { isEligible: false } }]);
    expect(evaluated.data).toMatchObject({ verdicts: expect.arrayContaining([expect.objectContaining({ rule: 'final-judgment', outcome: 'not-met' })]) });
  });

  it('the certificate is not issued', () => {
    given(upTo(s, 'consent'), appeal).when(commandsOf(s).certificate()).thenRejects('FINAL_JUDGMENT_REQUIRED');
  });
});

describe('Rule 3: time left to serve (ETS 112 Art 3(1)(c); 2008/909 Art 9(1)(h))', () => {
  it('ETS 112: less than six months left stops the certificate until both states agree', () => {
    const s = belgiumToAlbania();
    const short = contextOf(s, { inmate: { ...s.inmate, sentence: { ...s.inmate.sentence!, length: { years: 1, months: 3, days: 0 } } } });
    given(upTo(s, 'consent'), short).when(commandsOf(s).certificate()).thenRejects('INSUFFICIENT_TIME_LEFT', { message: /both states record their agreement/ });
  });

  it('2008/909: less than six months left is flagged, not blocked', () => {
    const s = belgiumToNetherlands();
    const short = contextOf(s, { inmate: { ...s.inmate, sentence: { ...s.inmate.sentence!, length: { years: 0, months: 9, days: 0 } } } });
    const c = commandsOf(s);
    const [evaluated] = given([c.request()], short).when(c.evaluate()).thenMatches([{ type: 'EligibilityEvaluated', data: { isEligible: true } }]);
    expect(evaluated.data).toMatchObject({ verdicts: expect.arrayContaining([expect.objectContaining({ rule: 'time-left', outcome: 'needs-decision' })]) });
    given(upTo(s, 'consent'), short).when(c.certificate()).thenMatches([{ type: 'CertificateIssued' }]);
  });
});

describe('Rule 3: ETS 112 Art 3(2), both states agree to a transfer with less than six months left, each for itself', () => {
  const s = belgiumToAlbania();
  const c = commandsOf(s);
  // 1 year 3 months from 2024-03-03: on day 5 (2025-03-08) about 150 days are left.
  const short = contextOf(s, { inmate: { ...s.inmate, sentence: { ...s.inmate.sentence!, length: { years: 1, months: 3, days: 0 } } } });

  it('each state records its own answer, citing Art 3(2), with the side it answers for', () => {
    given(upTo(s, 'consent'), short).when(c.agreeSending()).thenMatches([
      { type: 'StateAgreementRecorded', data: { clause: 'time-left-below-minimum', answer: 'agreed', side: 'sending', agreedBy: { state: 'BE' }, cites: 'ETS 112 Art 3(2)' } },
    ]);
    given(upTo(s, 'consent'), short).when(c.agreeReceiving()).thenMatches([
      { type: 'StateAgreementRecorded', data: { answer: 'agreed', side: 'receiving', agreedBy: { state: 'AL' } } },
    ]);
  });

  it('with one state\'s agreement the certificate still waits, naming the state that has not answered', () => {
    given([...upTo(s, 'consent'), c.agreeReceiving()], short).when(c.certificate()).thenRejects('INSUFFICIENT_TIME_LEFT', { message: /So far BE has not answered yet; AL has agreed/ });
  });

  it('once both agreed, the time-left verdict passes citing Art 3(2), and the certificate is issued', () => {
    const agreed = [...upTo(s, 'consent'), c.agreeSending(), c.agreeReceiving()];
    given(agreed, short).when(c.certificate()).thenMatches([{ type: 'CertificateIssued' }]);
    const [evaluated] = given([c.request(), c.agreeSending(), c.agreeReceiving()], short).when(c.evaluate(4)).thenMatches([{ type: 'EligibilityEvaluated' }]);
    expect(evaluated.data).toMatchObject({
      verdicts: expect.arrayContaining([expect.objectContaining({ rule: 'time-left', outcome: 'met', reason: expect.stringMatching(/^ETS 112 Art 3\(2\): only \d+ days .* both states have recorded their agreement/), domainRule: '3' })]),
    });
  });

  it('one state\'s refusal stops the transfer', () => {
    given([...upTo(s, 'consent'), c.agreeSending(), c.agreeReceiving(4, { answer: 'refused' })], short).when(c.certificate()).thenRejects('INSUFFICIENT_TIME_LEFT', { message: /have not agreed/ });
  });

  it('the same answer twice changes nothing; a state that is not the case\'s cannot answer', () => {
    given([...upTo(s, 'consent'), c.agreeSending()], short).when(c.agreeSending(4)).thenNothing();
    given(upTo(s, 'consent'), short).when(c.agreeSending(4, { agreedBy: { state: 'NL', organisation: 'Ministerie van Justitie' } as never })).thenRejects('STATE_NOT_PARTY_TO_CASE', {
      details: { namedState: 'NL', sendingState: 'BE', receivingState: 'AL' },
    });
  });

  it('2008/909 (an optional refusal ground) and a lease have no such clause', () => {
    const n = belgiumToNetherlands();
    given(upTo(n, 'consent'), contextOf(n)).when(commandsOf(n).agreeSending()).thenRejects('AGREEMENT_CLAUSE_NOT_APPLICABLE', { message: /^2008\/909 has no clause/ });
    const k = denmarkToKosovo();
    given(upTo(k, 'consent'), contextOf(k)).when(commandsOf(k).agreeReceiving()).thenRejects('AGREEMENT_CLAUSE_NOT_APPLICABLE');
  });

  it('a refusal recorded after the certificate is the states\' refusal: the recognition is refused INSUFFICIENT_TIME_LEFT naming the state, a refusal of the case still passes', () => {
    const certified = [...upTo(s, 'consent'), c.agreeSending(), c.agreeReceiving(), c.certificate(), c.receipt()];
    const withdrawn = [...certified, c.agreeSending(7, { answer: 'refused' })];
    given(certified, short).when(c.recognise()).thenMatches([{ type: 'ReceivingStateDecisionRecorded', data: { decision: 'recognised' } }]);
    given(withdrawn, short).when(c.recognise()).thenRejects('INSUFFICIENT_TIME_LEFT', { message: /ETS 112 Art 3\(2\)\. So far BE has refused; AL has agreed\.$/ });
    given(withdrawn, short).when(c.refuse()).thenMatches([{ type: 'ReceivingStateDecisionRecorded', data: { decision: 'refused' } }]);
  });

  it('with six months or more left on the day of the certificate, an answer under Art 3(2) changes nothing', () => {
    const refused = [...upTo(s, 'consent'), c.agreeReceiving(4, { answer: 'refused' }), c.certificate(), c.receipt(), c.agreeSending(7, { answer: 'refused' })];
    given(refused, contextOf(s)).when(c.recognise()).thenMatches([{ type: 'ReceivingStateDecisionRecorded', data: { decision: 'recognised' } }]);
  });

  it('no answer once the receiving state has decided', () => {
    given(upTo(s, 'recognise'), contextOf(s)).when(c.agreeSending(21)).thenRejects('STEP_OUT_OF_ORDER');
  });
});

describe('verdicts on the events name their code and their rule of docs/domain.md', () => {
  it('a met verdict carries its rule, one not met or waiting carries its code too', () => {
    const s = belgiumToAlbania();
    const c = commandsOf(s);
    const [evaluated] = given([c.request()], contextOf(s)).when(c.evaluate()).thenMatches([{ type: 'EligibilityEvaluated' }]);
    const verdicts = (evaluated.data as { verdicts: Array<{ rule: string; code?: string; domainRule?: string }> }).verdicts;
    expect(verdicts.find((v) => v.rule === 'legal-basis')).toEqual(expect.objectContaining({ domainRule: '1' }));
    expect(verdicts.find((v) => v.rule === 'legal-basis')).not.toHaveProperty('code');
    expect(verdicts.find((v) => v.rule === 'consent')).toMatchObject({ outcome: 'needs-decision', code: 'CONSENT_REQUIRED', domainRule: '5' });
    expect(verdicts.find((v) => v.rule === 'opinion')).toMatchObject({ code: 'OPINION_NOT_RECORDED', domainRule: '5' });
  });
});

describe('Rule 4: nationality (ETS 112 Art 3(1)(a); 2008/909 Art 4(1))', () => {
  it('ETS 112: the person must be a national of the administering state', () => {
    const s = belgiumToAlbania();
    const notAlbanian = contextOf(s, { inmate: { ...s.inmate, nationalities: ['MA'] } });
    given(upTo(s, 'consent'), notAlbanian).when(commandsOf(s).certificate()).thenRejects('NATIONALITY_REQUIREMENT_NOT_MET');
  });
});

describe('Rule 5: consent and the opinion (ETS 112 Art 3(1)(d) and Art 7(1); 2008/909 Art 6(1)–(4); the lease treaties)', () => {
  it('ETS 112 requires consent: no certificate before it is recorded', () => {
    const s = belgiumToAlbania();
    const c = commandsOf(s);
    given([c.request(), c.evaluate(), c.opinion()], contextOf(s)).when(c.certificate()).thenRejects('CONSENT_REQUIRED');
  });

  it('ETS 112: a refusal of consent stops the transfer', () => {
    const s = belgiumToAlbania();
    const c = commandsOf(s);
    given([c.request(), c.evaluate(), c.opinion(), c.consent(3, { outcome: 'refused' })], contextOf(s))
      .when(c.certificate()).thenRejects('CONSENT_REFUSED', { message: /ETS 112 Art 3\(1\)\(d\)/ });
  });

  it('ETS 112: consent cannot be declared not required', () => {
    const s = belgiumToAlbania();
    const c = commandsOf(s);
    given([c.request()], contextOf(s)).when(c.consent(3, { outcome: 'not-required', notRequiredGround: 'expulsion-order' }))
      .thenRejects('CONSENT_GROUND_NOT_APPLICABLE', { message: /consent is required/ });
  });

  it('the opinion is always recorded, even when consent is not required', () => {
    const s = belgiumToNetherlands();
    const c = commandsOf(s);
    given([c.request(), c.evaluate(), c.consent()], contextOf(s)).when(c.certificate()).thenRejects('OPINION_NOT_RECORDED');
  });

  it('2008/909 Art 6(2)(b): not required because the person will be deported to the receiving state, with the legal reason', () => {
    const s = belgiumToNetherlands();
    const c = commandsOf(s);
    given([c.request()], contextOf(s)).when(c.consent()).thenMatches([
      { type: 'ConsentRecorded', data: { outcome: 'not-required', notRequiredGround: 'national-to-be-deported-to-receiving-state', cites: '2008/909 Art 6(2)(b)' } },
    ]);
  });

  it('2008/909: a ground that does not hold is refused, naming the one that does', () => {
    const s = belgiumToNetherlands();
    const c = commandsOf(s);
    given([c.request()], contextOf(s)).when(c.consent(3, { notRequiredGround: 'national-living-in-receiving-state' }))
      .thenRejects('CONSENT_GROUND_NOT_APPLICABLE', { details: { applicableGround: 'national-to-be-deported-to-receiving-state' } });
  });

  it('2008/909: without a deportation order to the Netherlands, consent is required', () => {
    const s = belgiumToNetherlands();
    const c = commandsOf(s);
    const noOrder = contextOf(s, { inmate: { ...s.inmate, expulsionOrder: undefined } });
    given([c.request()], noOrder).when(c.consent()).thenRejects('CONSENT_GROUND_NOT_APPLICABLE', { message: /2008\/909 Art 6\(1\)/ });
  });

  it('the lease needs no consent: the ground is the lease treaty', () => {
    const s = denmarkToKosovo();
    const c = commandsOf(s);
    given([c.request()], contextOf(s)).when(c.consent()).thenMatches([
      { type: 'ConsentRecorded', data: { outcome: 'not-required', notRequiredGround: 'lease-treaty', cites: expect.stringMatching(/DK–XK lease treaty 2022/) } },
    ]);
  });

  it('the person is notified of the decision in a language they understand', () => {
    const s = belgiumToAlbania();
    const c = commandsOf(s);
    given(upTo(s, 'recognise'), contextOf(s)).when(c.notify(21, { language: 'sq', subject: 'Albania recognised the judgment' })).thenMatches([
      { type: 'InmateNotified', data: { language: 'sq', subject: 'Albania recognised the judgment' } },
    ]);
  });
});

describe('Rule 6: both states agree; one case and one receiving state at a time (ETS 112 Art 3(1)(f); 2008/909 Art 4 and Art 12)', () => {
  it('a second open case for the same inmate is refused', () => {
    const s = belgiumToAlbania();
    given([], contextOf(s, { activeTransferId: '11111111-1111-4111-8111-111111111111' })).when(commandsOf(s).request())
      .thenRejects('TRANSFER_ALREADY_ACTIVE', { details: { activeTransferId: '11111111-1111-4111-8111-111111111111' } });
  });

  it('the same case cannot be requested twice', () => {
    const s = belgiumToAlbania();
    given([commandsOf(s).request()], contextOf(s)).when(commandsOf(s).request()).thenRejects('TRANSFER_ALREADY_ACTIVE');
  });

  it('the certificate goes to the receiving state of the request, not another', () => {
    const s = belgiumToAlbania();
    given(upTo(s, 'consent'), contextOf(s)).when(commandsOf(s).certificate(5, { receivingAuthority: { state: 'XK', organisation: 'Ministry' } }))
      .thenRejects('RECEIVING_STATE_MISMATCH', { details: { receivingState: 'AL', namedState: 'XK' } });
  });

  it('only the receiving state of the case decides', () => {
    const s = belgiumToAlbania();
    given(upTo(s, 'receipt'), contextOf(s)).when(commandsOf(s).recognise(20, { decidedBy: { state: 'RS', organisation: 'Ministry' } }))
      .thenRejects('RECEIVING_STATE_MISMATCH');
  });

  it('the receiving state decides only once the certificate is issued', () => {
    const s = belgiumToAlbania();
    given(upTo(s, 'consent'), contextOf(s)).when(commandsOf(s).recognise()).thenRejects('TRANSFER_NOT_AWAITING_DECISION');
  });

  it('a refusal with its ground ends the case', () => {
    const s = belgiumToAlbania();
    const c = commandsOf(s);
    const refused = given(upTo(s, 'receipt'), contextOf(s));
    refused.when(c.refuse()).thenMatches([{ type: 'ReceivingStateDecisionRecorded', data: { decision: 'refused', refusalGround: 'no-double-criminality' } }]);
    given([...upTo(s, 'receipt'), c.refuse()], contextOf(s)).when(c.reserve()).thenRejects('TRANSFER_CLOSED');
  });

  it('the request can be withdrawn until the receiving state takes the person into charge', () => {
    const s = belgiumToAlbania();
    const c = commandsOf(s);
    given(upTo(s, 'dispatch'), contextOf(s)).when(c.withdraw(31)).thenMatches([{ type: 'TransferWithdrawn' }, { type: 'PlaceReleaseRequested' }]);
    given(upTo(s, 'receive'), contextOf(s)).when(c.withdraw(31)).thenRejects('WITHDRAWAL_TOO_LATE');
  });

  it('a withdrawn case accepts nothing more', () => {
    const s = belgiumToAlbania();
    const c = commandsOf(s);
    given([c.request(), c.withdraw(1)], contextOf(s)).when(c.evaluate(2)).thenRejects('TRANSFER_CLOSED');
  });

  it('a command naming another inmate finds no case', () => {
    const s = belgiumToAlbania();
    given([commandsOf(s).request()], contextOf(s)).when(commandsOf(s).evaluate(1, { inmateId: '22222222-2222-4222-8222-222222222222' }))
      .thenRejects('TRANSFER_NOT_FOUND');
  });

  it('a command for a case never requested finds no case', () => {
    const s = belgiumToAlbania();
    given([]).when(commandsOf(s).evaluate()).thenRejects('TRANSFER_NOT_FOUND');
  });

  it('a case cannot be evaluated without the inmate facts from intake', () => {
    const s = belgiumToAlbania();
    const requested = run([commandsOf(s).request()], contextOf(s)).events;
    given(requested).when(commandsOf(s).evaluate()).thenRejects('INMATE_NOT_FOUND');
  });

  it('a case is opened only for a person this service knows from intake\'s registration', () => {
    const s = belgiumToAlbania();
    given([]).when(commandsOf(s).request()).thenRejects('INMATE_NOT_FOUND', { message: /register the person with intake first/ });
    given([], contextOf(s, { inmate: { ...s.inmate, sendingState: undefined } })).when(commandsOf(s).request()).thenRejects('INMATE_NOT_FOUND');
  });
});

describe('In flight is not "not found" (docs/adr/0012-not-yet-known-here.md)', () => {
  const inFlight = { retryAfterSeconds: 1, unconsumed: 3 };

  it('a request for a person whose registration may still be on its way from intake is answered NOT_YET_KNOWN_HERE, naming what is awaited', () => {
    const s = belgiumToAlbania();
    given([], { intakeInFlight: inFlight }).when(commandsOf(s).request()).thenRejects('NOT_YET_KNOWN_HERE', {
      message: /^Intake's registration of this person has not reached the transfer service yet: send the request again in 1 s\.$/,
      details: { inmateId: s.inmate.inmateId, awaitedService: 'intake', awaitedEvent: 'InmateRegistered', retryAfterSeconds: 1, unconsumedMessages: 3 },
    });
  });

  it('an evaluation waiting on the person\'s registration or sentence from intake is answered NOT_YET_KNOWN_HERE', () => {
    const s = belgiumToAlbania();
    const requested = run([commandsOf(s).request()], contextOf(s)).events;
    given(requested, { intakeInFlight: inFlight }).when(commandsOf(s).evaluate()).thenRejects('NOT_YET_KNOWN_HERE', { details: { awaitedEvent: 'InmateRegistered' } });
    given(requested, contextOf(s, { inmate: { ...s.inmate, sentence: undefined }, intakeInFlight: inFlight })).when(commandsOf(s).evaluate())
      .thenRejects('NOT_YET_KNOWN_HERE', { message: /sentence has not reached the transfer service yet/, details: { awaitedEvent: 'SentenceRecorded' } });
  });

  it('with nothing left to read from intake, the absence stands: INMATE_NOT_FOUND, SENTENCE_NOT_RECORDED', () => {
    const s = belgiumToAlbania();
    const requested = run([commandsOf(s).request()], contextOf(s)).events;
    given([]).when(commandsOf(s).request()).thenRejects('INMATE_NOT_FOUND');
    given(requested, contextOf(s, { inmate: { ...s.inmate, sentence: undefined } })).when(commandsOf(s).evaluate()).thenRejects('SENTENCE_NOT_RECORDED');
  });

  it('a person known here is decided on what is known, messages in flight or not', () => {
    const s = belgiumToAlbania();
    given([], contextOf(s, { intakeInFlight: inFlight })).when(commandsOf(s).request()).thenMatches([{ type: 'TransferRequested' }]);
    given([], contextOf(s, { inmate: { ...s.inmate, sendingState: 'NL' }, intakeInFlight: inFlight })).when(commandsOf(s).request()).thenRejects('SENDING_STATE_MISMATCH');
  });

  it('a state may not open a case for another state\'s prisoner, nor pursue one the record no longer gives it', () => {
    const s = belgiumToAlbania();
    given([], contextOf(s, { inmate: { ...s.inmate, sendingState: 'NL' } })).when(commandsOf(s).request())
      .thenRejects('SENDING_STATE_MISMATCH', { details: { sendingState: 'NL', namedState: 'BE' } });
    const requested = run([commandsOf(s).request()], contextOf(s)).events;
    given(requested, contextOf(s, { inmate: { ...s.inmate, sendingState: 'NL' } })).when(commandsOf(s).evaluate()).thenRejects('SENDING_STATE_MISMATCH');
  });
});

describe('Rule 7: deadlines of 2008/909 (Art 12(2)–(3), Art 15(1)–(2))', () => {
  const s = belgiumToNetherlands();
  const c = commandsOf(s);
  const ctx = contextOf(s);
  const due = (days: number) => `${addDays(s.day0, days)}T23:59:59Z`;

  it('the receiving state decides within 90 days of receiving the certificate (Art 12(2))', () => {
    given(upTo(s, 'certificate'), ctx).when(c.receipt(6)).thenMatches([{ type: 'CertificateReceived', data: { decisionDueAt: due(96) } }]);
  });

  it('ETS 112 sets no decision deadline', () => {
    const a = belgiumToAlbania();
    const [received] = given(upTo(a, 'certificate'), contextOf(a)).when(commandsOf(a).receipt()).thenMatches([{ type: 'CertificateReceived' }]);
    expect(received.data).not.toHaveProperty('decisionDueAt', expect.anything());
  });

  it('a decision after the deadline is refused: extend it with a reason first', () => {
    given(upTo(s, 'receipt'), ctx).when(c.recognise(97)).thenRejects('DEADLINE_PASSED', { details: { deadline: 'receiving-state-decision', dueAt: due(96) } });
    given(upTo(s, 'receipt'), ctx).when(c.recognise(96)).thenMatches([{ type: 'ReceivingStateDecisionRecorded' }]);
  });

  it('an extension carries its reason and notice, and moves the deadline', () => {
    const extend = c.extend(90, { newDueAt: due(130) });
    given(upTo(s, 'receipt'), ctx).when(extend).thenMatches([
      { type: 'DeadlineExtended', data: { previousDueAt: due(96), newDueAt: due(130), reason: 'Translation pending.', noticeReference: 'NOTICE-1' } },
    ]);
    given([...upTo(s, 'receipt'), extend], ctx).when(c.recognise(120)).thenMatches([{ type: 'ReceivingStateDecisionRecorded' }]);
  });

  it('an extension must move the deadline later', () => {
    given(upTo(s, 'receipt'), ctx).when(c.extend(30, { newDueAt: due(50) })).thenRejects('VALIDATION_FAILED');
  });

  it('only a running deadline can be extended', () => {
    given(upTo(s, 'certificate'), ctx).when(c.extend()).thenRejects('DEADLINE_NOT_RUNNING');
  });

  it('a missed deadline is an event, recorded once', () => {
    const missed = c.missed(97, { dueAt: due(96) });
    given(upTo(s, 'receipt'), ctx).when(missed).thenMatches([{ type: 'DeadlineMissed', data: { deadline: 'receiving-state-decision', dueAt: due(96) } }]);
    given([...upTo(s, 'receipt'), missed], ctx).when(c.missed(98, { dueAt: due(96) })).thenNothing();
  });

  it('a deadline is not missed before it passes', () => {
    given(upTo(s, 'receipt'), ctx).when(c.missed(50, { dueAt: due(96) })).thenRejects('STEP_OUT_OF_ORDER', { message: /has not passed yet/ });
  });

  it('a deadline met or ended is not missed', () => {
    given(upTo(s, 'recognise'), ctx).when(c.missed(97, { dueAt: due(96) })).thenNothing();
    given([...upTo(s, 'receipt'), c.withdraw(30)], ctx).when(c.missed(97, { dueAt: due(96) })).thenNothing();
  });

  it('an extended deadline can be missed again, at its new date', () => {
    const history = [...upTo(s, 'receipt'), c.missed(97, { dueAt: due(96) }), c.extend(98, { newDueAt: due(130) })];
    given(history, ctx).when(c.missed(131, { dueAt: due(96) })).thenNothing();
    given(history, ctx).when(c.missed(131, { dueAt: due(130) })).thenMatches([{ type: 'DeadlineMissed', data: { dueAt: due(130) } }]);
  });

  it('the physical transfer happens within 30 days of the decision (Art 15(1))', () => {
    given(upTo(s, 'receipt'), ctx).when(c.recognise(20)).thenMatches([{ type: 'ReceivingStateDecisionRecorded', data: { transferDueAt: due(50) } }]);
  });

  it('an unforeseen obstacle stops the clock; it restarts with 10 days when the obstacle ends (Art 15(2))', () => {
    const obstructed = [...upTo(s, 'recognise'), c.obstacle(25)];
    expect(given(obstructed, ctx).state.deadlines['physical-transfer']).toMatchObject({ status: 'suspended' });
    given(obstructed, ctx).when(c.missed(60, { deadline: 'physical-transfer', dueAt: due(50) })).thenNothing();
    given(obstructed, ctx).when(c.endObstacle(55)).thenMatches([{ type: 'TransferObstacleEnded', data: { transferDueAt: due(65) } }]);
  });

  it('no dispatch while an obstacle is open', () => {
    const c2 = c;
    given([...upTo(s, 'schedule'), c2.obstacle(25)], ctx).when(c2.dispatch()).thenRejects('STEP_OUT_OF_ORDER', { message: /end the obstacle/ });
  });

  it('ETS 112 sets no transfer deadline: an obstacle still stops the dispatch, and its end names no due date (TransferObstacleEnded v2)', () => {
    const a = belgiumToAlbania();
    const ca = commandsOf(a);
    const obstructed = [...upTo(a, 'schedule'), ca.obstacle(25)];
    given(obstructed, contextOf(a)).when(ca.dispatch()).thenRejects('STEP_OUT_OF_ORDER', { message: /end the obstacle/ });
    const [ended] = given(obstructed, contextOf(a)).when(ca.endObstacle(28)).thenMatches([{ type: 'TransferObstacleEnded' }]);
    expect(ended.data).not.toHaveProperty('transferDueAt');
    const { state } = run([...obstructed, ca.endObstacle(28)], contextOf(a));
    expect(state.deadlines).toEqual({});
    given([...obstructed, ca.endObstacle(28)], contextOf(a)).when(ca.dispatch(30)).thenMatches([{ type: 'CustodyDispatched' }]);
  });

  it('the receipt meets the transfer deadline', () => {
    const { state } = run(upTo(s, 'receive'), ctx);
    expect(state.deadlines['physical-transfer']).toMatchObject({ status: 'met' });
    expect(state.deadlines['receiving-state-decision']).toMatchObject({ status: 'met' });
  });
});

describe('Rule 8: adaptation of the sentence (ETS 112 Art 10(2), Art 11(1)(b)–(d); 2008/909 Art 8(3)–(4), Art 17(2))', () => {
  const s = belgiumToAlbania();
  const c = commandsOf(s);
  const ctx = contextOf(s);
  const decisionDay = addDays(s.day0, 20);
  const served = daysBetween(s.inmate.sentence!.enforcementStartDate, decisionDay) + s.inmate.sentence!.preTrialDays;
  const adapted = (over: object) => c.recognise(20, {
    procedure: 'conversion',
    adaptedSentence: { measure: 'custodial', kind: 'determinate', length: { years: 2, months: 6, days: 0 }, sentenceEndDate: '2026-09-03', daysDeducted: served, legalGround: 'Criminal Code of Albania; ETS 112 Art 11', ...over },
  });

  it('a converted sentence no harsher, deducting all time served, is recorded', () => {
    given(upTo(s, 'receipt'), ctx).when(adapted({})).thenMatches([{ type: 'ReceivingStateDecisionRecorded', data: { procedure: 'conversion', adaptedSentence: { daysDeducted: served } } }]);
  });

  it('never harsher', () => {
    given(upTo(s, 'receipt'), ctx).when(adapted({ length: { years: 4, months: 0, days: 0 } })).thenRejects('ADAPTED_SENTENCE_HARSHER', { details: { daysServed: served }, message: /ETS 112 Art 10\(2\)|ETS 112 Art 11/ });
  });

  it('never a fine', () => {
    given(upTo(s, 'receipt'), ctx).when(adapted({ measure: 'fine' })).thenRejects('ADAPTED_SENTENCE_IS_FINE');
  });

  it('all time served, pre-trial included, is deducted', () => {
    given(upTo(s, 'receipt'), ctx).when(adapted({ daysDeducted: served - 1 })).thenRejects('TIME_SERVED_NOT_DEDUCTED', { details: { daysServed: served } });
  });

  it('pre-trial detention counts as time served', () => {
    const n = belgiumToNetherlands();
    const cn = commandsOf(n);
    const onDay = addDays(n.day0, 20);
    const withoutPreTrial = daysBetween(n.inmate.sentence!.enforcementStartDate, onDay);
    given(upTo(n, 'receipt'), contextOf(n)).when(cn.recognise(20, {
      adaptedSentence: { measure: 'custodial', kind: 'determinate', length: { years: 2, months: 0, days: 0 }, sentenceEndDate: '2027-01-15', daysDeducted: withoutPreTrial, legalGround: 'Dutch law' },
    })).thenRejects('TIME_SERVED_NOT_DEDUCTED', { details: { daysServed: withoutPreTrial + 60 } });
  });
});

describe('Rule 9: lease eligibility (the Denmark–Kosovo lease treaty 2022)', () => {
  const s = denmarkToKosovo();
  const c = commandsOf(s);

  it('a person without an expulsion order may not be placed in the leased facility', () => {
    const noOrder = contextOf(s, { inmate: { ...s.inmate, expulsionOrder: undefined } });
    given([c.request()], noOrder).when(c.evaluate()).thenMatches([{ type: 'EligibilityEvaluated', data: { isEligible: false } }]);
    given(upTo(s, 'consent'), noOrder).when(c.place()).thenRejects('LEASE_ELIGIBILITY_NOT_MET', { message: /has no expulsion order/ });
  });

  it('terrorism convictions and life sentences are excluded', () => {
    const excluded = contextOf(s, { inmate: { ...s.inmate, sentence: { ...s.inmate.sentence!, kind: 'life', length: undefined, sentenceEndDate: undefined, offences: [{ description: 'Terrorism', category: 'terrorism' }] } } });
    given(upTo(s, 'consent'), excluded).when(c.place()).thenRejects('LEASE_ELIGIBILITY_NOT_MET', { message: /terrorism.*life sentence/ });
  });

  it('an EU national is not a third-country national', () => {
    const eu = contextOf(s, { inmate: { ...s.inmate, nationalities: ['PL'] } });
    given(upTo(s, 'consent'), eu).when(c.place()).thenRejects('LEASE_ELIGIBILITY_NOT_MET', { message: /not a third-country national/ });
  });

  it('the place is reserved in the leased facility named at the request', () => {
    given(upTo(s, 'place'), contextOf(s)).when(c.reserve(21, { facilityId: '33333333-3333-4333-8333-333333333333' })).thenRejects('VALIDATION_FAILED');
  });
});

const SECOND_RESERVATION = '66666666-6666-4666-8666-666666666666';

describe('the place at the receiving facility', () => {
  const s = belgiumToAlbania();
  const c = commandsOf(s);
  const ctx = contextOf(s);

  it('is asked of the facility after the decision', () => {
    given(upTo(s, 'receipt'), ctx).when(c.reserve()).thenRejects('STEP_OUT_OF_ORDER');
    given(upTo(s, 'recognise'), ctx).when(c.reserve()).thenMatches([{ type: 'PlaceReservationRequested', data: { reservationId: c.reservationId, facilityId: s.facilityId } }]);
  });

  it('no schedule before the facility confirmed the place', () => {
    given(upTo(s, 'reserve'), ctx).when(c.schedule()).thenRejects('PLACE_NOT_RESERVED');
  });

  it('the schedule goes to the facility holding the place', () => {
    given(upTo(s, 'confirm'), ctx).when(c.schedule(23, { destinationFacilityId: '44444444-4444-4444-8444-444444444444' })).thenRejects('PLACE_NOT_RESERVED');
  });

  it('Rule 9: a refusal for want of a free place (or of a facility custody does not know yet) returns the case to recognised, to ask again under a new reservation id', () => {
    const declined = [...upTo(s, 'reserve'), c.decline()];
    given(upTo(s, 'reserve'), ctx).when(c.decline()).thenMatches([{ type: 'PlaceReservationDeclined', data: { code: 'CAPACITY_EXHAUSTED', isCaseEnded: false } }]);
    given(upTo(s, 'reserve'), ctx).when(c.decline(22, { code: 'FACILITY_NOT_FOUND', reason: 'No facility with this id is registered.' }))
      .thenMatches([{ type: 'PlaceReservationDeclined', data: { code: 'FACILITY_NOT_FOUND', isCaseEnded: false } }]);
    expect(given(declined, ctx).state).toMatchObject({ stage: 'recognised', reservation: { reservationId: c.reservationId, status: 'declined', code: 'CAPACITY_EXHAUSTED' } });
    given(declined, ctx).when(c.schedule()).thenRejects('PLACE_NOT_RESERVED');
    // The refused reservation is not asked for again; a new one is.
    given(declined, ctx).when(c.reserve(23)).thenRejects('RESERVATION_NOT_ACTIVE', { details: { status: 'declined' } });
    given(declined, ctx).when(c.reserve(23, { reservationId: SECOND_RESERVATION }))
      .thenMatches([{ type: 'PlaceReservationRequested', data: { reservationId: SECOND_RESERVATION, facilityId: s.facilityId } }]);

    const confirmed = [...declined, c.reserve(23, { reservationId: SECOND_RESERVATION }), c.confirm(24, { reservationId: SECOND_RESERVATION })];
    expect(given(confirmed, ctx).state).toMatchObject({ stage: 'place-reserved', reservation: { reservationId: SECOND_RESERVATION, status: 'confirmed' } });
    // An answer about the refused reservation is about no place the case asks for now.
    given(confirmed, ctx).when(c.confirm(25)).thenRejects('RESERVATION_NOT_FOUND');
    given(confirmed, ctx).when(c.schedule(25)).thenMatches([{ type: 'TransferScheduled' }]);
  });

  it('Rule 9: a refusal on the lease eligibility ends the case: the person may not take the leased places the case must use', () => {
    const ineligible = c.decline(22, { code: 'LEASE_ELIGIBILITY_NOT_MET', reason: 'A life sentence excludes placement in the leased facility.' });
    given(upTo(s, 'reserve'), ctx).when(ineligible).thenMatches([{ type: 'PlaceReservationDeclined', data: { code: 'LEASE_ELIGIBILITY_NOT_MET', isCaseEnded: true } }]);
    const ended = [...upTo(s, 'reserve'), ineligible];
    expect(given(ended, ctx).state).toMatchObject({ stage: 'no-capacity', reservation: { status: 'declined' } });
    given(ended, ctx).when(c.reserve(23, { reservationId: SECOND_RESERVATION })).thenRejects('TRANSFER_CLOSED');
    given(ended, ctx).when(c.schedule()).thenRejects('TRANSFER_CLOSED');
  });

  it('a refusal recorded at version 1 of PlaceReservationDeclined ended its case, and is still read so', () => {
    const { events } = run(upTo(s, 'reserve'), ctx);
    const v1 = {
      type: 'PlaceReservationDeclined', schemaVersion: 1,
      data: { transferId: s.transferId, inmateId: s.inmate.inmateId, facilityId: s.facilityId, reservationId: c.reservationId, code: 'CAPACITY_EXHAUSTED', reason: 'No free place.' },
    } as unknown as TransferEvent;
    expect(given([...events, v1], ctx).state.stage).toBe('no-capacity');
    given([...events, v1], ctx).when(c.reserve(23, { reservationId: SECOND_RESERVATION })).thenRejects('TRANSFER_CLOSED');
  });

  it('an answer about another reservation is refused', () => {
    given(upTo(s, 'reserve'), ctx).when(c.confirm(22, { reservationId: '55555555-5555-4555-8555-555555555555' })).thenRejects('RESERVATION_NOT_FOUND');
  });

  it('a repeated confirmation changes nothing', () => {
    given(upTo(s, 'confirm'), ctx).when(c.confirm()).thenNothing();
  });

  it('is released when the case is withdrawn or cancelled (compensation)', () => {
    given(upTo(s, 'confirm'), ctx).when(c.withdraw()).thenMatches([
      { type: 'TransferWithdrawn' },
      { type: 'PlaceReleaseRequested', data: { facilityId: s.facilityId, reservationId: c.reservationId, reason: expect.stringMatching(/withdrawn/) } },
    ]);
    given(upTo(s, 'schedule'), ctx).when(c.cancel()).thenMatches([{ type: 'TransferCancelled', data: { cancelledBy: 'sending-state' } }, { type: 'PlaceReleaseRequested' }]);
  });

  it('a place still being asked for is released too, and a late confirmation changes nothing', () => {
    given(upTo(s, 'reserve'), ctx).when(c.cancel()).thenMatches([{ type: 'TransferCancelled' }, { type: 'PlaceReleaseRequested' }]);
    given([...upTo(s, 'reserve'), c.cancel()], ctx).when(c.confirm(25)).thenNothing();
  });

  it('nothing is released when no place was held', () => {
    given(upTo(s, 'recognise'), ctx).when(c.withdraw()).thenMatches([{ type: 'TransferWithdrawn' }]);
  });
});

describe('Rules 10 to 12: the hand-over is two-sided; custody passes on receipt (the project\'s rules of evidence, on the acts of 2008/909 Art 15; ETS 112 Art 8; 2008/909 Art 22)', () => {
  const s = belgiumToAlbania();
  const c = commandsOf(s);
  const ctx = contextOf(s);

  it('no dispatch before the transfer is scheduled', () => {
    given(upTo(s, 'confirm'), ctx).when(c.dispatch()).thenRejects('STEP_OUT_OF_ORDER');
  });

  it('the sending state dispatches, with the officer, organisation, place and escort', () => {
    given(upTo(s, 'schedule'), ctx).when(c.dispatch()).thenMatches([
      { type: 'CustodyDispatched', data: { dispatchedBy: { state: 'BE', place: 'Airport' }, escort: { state: 'BE' } } },
    ]);
    given(upTo(s, 'schedule'), ctx).when(c.dispatch(30, { dispatchedBy: { state: 'AL', organisation: 'x', officer: 'y', place: 'z' } })).thenRejects('UNAUTHORISED_ACTOR');
  });

  it('no receipt before the dispatch', () => {
    given(upTo(s, 'schedule'), ctx).when(c.receive()).thenRejects('HAND_OVER_INCOMPLETE');
  });

  it('the receiving state receives, at the facility holding the place', () => {
    given(upTo(s, 'dispatch'), ctx).when(c.receive(30, { receivedBy: { state: 'XK', organisation: 'x', officer: 'y', place: 'z' } })).thenRejects('RECEIVING_STATE_MISMATCH');
    given(upTo(s, 'dispatch'), ctx).when(c.receive(30, { facilityId: '66666666-6666-4666-8666-666666666666' })).thenRejects('PLACE_NOT_RESERVED');
    given(upTo(s, 'dispatch'), ctx).when(c.receive()).thenMatches([{ type: 'CustodyReceived', data: { receivedBy: { state: 'AL' }, facilityId: s.facilityId } }]);
  });

  it('no completion without both sides of the hand-over', () => {
    given(upTo(s, 'schedule'), ctx).when(c.complete()).thenRejects('HAND_OVER_INCOMPLETE');
    given(upTo(s, 'dispatch'), ctx).when(c.complete()).thenRejects('HAND_OVER_INCOMPLETE');
  });

  it('once received, the case can be neither withdrawn nor cancelled', () => {
    given(upTo(s, 'receive'), ctx).when(c.cancel(31)).thenRejects('WITHDRAWAL_TOO_LATE');
  });
});

describe('Rule 13: the facility reports the admission and the case is complete (ETS 112 Art 15; 2008/909 Art 21)', () => {
  const s = belgiumToAlbania();
  const c = commandsOf(s);
  const ctx = contextOf(s);

  it('completes with the admission event of the facility that received the person', () => {
    given(upTo(s, 'receive'), ctx).when(c.complete()).thenMatches([{ type: 'TransferCompleted', data: { facilityId: s.facilityId, admissionEventId: s.transferId } }]);
    given(upTo(s, 'receive'), ctx).when(c.complete(31, { facilityId: '77777777-7777-4777-8777-777777777777' })).thenRejects('VALIDATION_FAILED');
  });

  it('the same admission reported twice changes nothing; another is refused', () => {
    const done = [...upTo(s, 'receive'), c.complete()];
    given(done, ctx).when(c.complete(32)).thenNothing();
    given(done, ctx).when(c.complete(32, { admissionEventId: '88888888-8888-4888-8888-888888888888' })).thenRejects('TRANSFER_CLOSED');
  });

  it('a completed case keeps no reservation and no open deadline', () => {
    const n = belgiumToNetherlands();
    const { state } = run(happyPath(n), contextOf(n));
    expect(state.reservation?.status).toBe('used');
    expect(Object.values(state.deadlines).every((d) => d!.status === 'met')).toBe(true);
    expect(at(n, 0)).toBe('2025-05-12T09:00:00Z');
  });
});

describe('Rule 17: time runs forward in a case', () => {
  const s = belgiumToAlbania();
  const c = commandsOf(s);
  // The service's clock reads day 6 of the case, 12:00; the default policy: 300 s of skew, 7 days before a reason is needed.
  const clock = { now: `${addDays(s.day0, 6)}T12:00:00.000Z`, policy: { clockSkewSeconds: 300, lateRecordingDays: 7 } };
  const ctx = contextOf(s, { clock });

  it('a certificate receipt dated in the future is refused DATE_IN_FUTURE, naming the field and the clock (2008/909 Art 12(2) would run from it)', () => {
    given(upTo(s, 'certificate'), ctx).when(c.receipt(0, { occurredAt: '2099-01-01T00:00:00Z' })).thenRejects('DATE_IN_FUTURE', {
      details: { field: 'occurredAt', date: '2099-01-01T00:00:00Z', now: clock.now, latest: `${addDays(s.day0, 6)}T12:05:00.000Z` },
      paths: ['occurredAt'],
    });
  });

  it('the clock\'s skew is allowed: five minutes ahead passes, a second more does not', () => {
    given(upTo(s, 'certificate'), ctx).when(c.receipt(0, { occurredAt: `${addDays(s.day0, 6)}T12:05:00Z` })).thenMatches([{ type: 'CertificateReceived' }]);
    given(upTo(s, 'certificate'), ctx).when(c.receipt(0, { occurredAt: `${addDays(s.day0, 6)}T12:05:01Z` })).thenRejects('DATE_IN_FUTURE');
  });

  it('a certificate receipt dated before the certificate was issued is refused DATE_BEFORE_PRECEDING_STEP, naming both dates (2008/909 Art 5(1), 12(2))', () => {
    given(upTo(s, 'certificate'), ctx).when(c.receipt(4)).thenRejects('DATE_BEFORE_PRECEDING_STEP', {
      details: { field: 'occurredAt', date: at(s, 4), step: 'certificate-receipt', precedingStep: 'certificate-issue', precedingDate: at(s, 5) },
      message: /2008\/909 Art 5\(1\) and Art 12\(2\)/,
    });
  });

  it('the decision is not dated before the receipt, the dispatch not before the decision, the receipt of the person not before the dispatch', () => {
    given(upTo(s, 'receipt'), contextOf(s)).when(c.recognise(5)).thenRejects('DATE_BEFORE_PRECEDING_STEP', { details: { precedingStep: 'certificate-receipt', precedingDate: at(s, 6) } });
    // The latest step it follows is named: here the schedule (day 23), which came after the decision (day 20).
    given(upTo(s, 'schedule'), contextOf(s)).when(c.dispatch(19)).thenRejects('DATE_BEFORE_PRECEDING_STEP', {
      details: { precedingStep: 'schedule', precedingDate: at(s, 23) }, message: /2008\/909 Art 15\(1\): the person is transferred after the final decision/,
    });
    given(upTo(s, 'dispatch'), contextOf(s)).when(c.receive(29)).thenRejects('DATE_BEFORE_PRECEDING_STEP', { details: { precedingStep: 'dispatch', precedingDate: at(s, 30) } });
  });

  it('every step follows the request (Rule 6)', () => {
    given([c.request()], contextOf(s)).when(c.opinion(-1)).thenRejects('DATE_BEFORE_PRECEDING_STEP', { details: { precedingStep: 'request' } });
  });

  it('an act recorded more than 7 days after it happened needs a lateRecordingReason', () => {
    const later = contextOf(s, { clock: { ...clock, now: `${addDays(s.day0, 20)}T12:00:00.000Z` } });
    given(upTo(s, 'certificate'), later).when(c.receipt(6)).thenRejects('LATE_RECORDING_REASON_REQUIRED', {
      details: { field: 'occurredAt', date: at(s, 6), recordedAt: `${addDays(s.day0, 20)}T12:00:00.000Z`, lateRecordingDays: 7 },
    });
    given(upTo(s, 'certificate'), later).when(c.receipt(6, { lateRecordingReason: 'The receipt was logged on paper while the registry system was down.' })).thenMatches([{ type: 'CertificateReceived' }]);
  });

  it('the facts the service records itself (no clock in the context) are dated by the fact that settles them', () => {
    given(upTo(s, 'receive'), contextOf(s)).when(c.complete(200)).thenMatches([{ type: 'TransferCompleted' }]);
  });

  it('a command that changes nothing is not dated again (a re-sent completion)', () => {
    given([...upTo(s, 'receive'), c.complete()], ctx).when(c.complete(200)).thenNothing();
  });
});

describe('Rule 18: under a lease the lessee decides the placement; nothing is recognised or adapted (DK–XK lease treaty 2022 Art 1; Danish Sentence Enforcement Act § 1 a; NO–NL Norgerhaven agreement 2015 Art 1)', () => {
  const s = denmarkToKosovo();
  const c = commandsOf(s);
  const ctx = contextOf(s);

  it('Denmark, the lessee, decides the placement in Gjilan once eligibility, opinion and consent are recorded: PlacementDecided citing the treaty and the Danish act', () => {
    given(upTo(s, 'consent'), ctx).when(c.place()).thenMatches([{
      type: 'PlacementDecided',
      data: {
        legalBasis: 'LEASE_DK_XK_2022', decisionReference: 'PLACE-1', decidedBy: { state: 'DK' }, facilityId: s.facilityId,
        legalGround: 'Sentence Enforcement Act § 1 a', cites: 'DK–XK lease treaty 2022 Art 1(c); Danish Sentence Enforcement Act § 1 a(2)',
      },
    }]);
    const placed = given(upTo(s, 'place'), ctx).state;
    expect(placed).toMatchObject({ stage: 'placement-decided', placement: { reference: 'PLACE-1', decidedBy: { state: 'DK' } } });
    expect(placed.decision).toBeUndefined();
    expect(placed.certificate).toBeUndefined();
  });

  it('no certificate, no receipt, no recognition and no adaptation under a lease: RECOGNITION_NOT_UNDER_LEASE', () => {
    given(upTo(s, 'consent'), ctx).when(c.certificate()).thenRejects('RECOGNITION_NOT_UNDER_LEASE', { details: { rule: 'LEASE_PLACEMENT', legalBasis: 'LEASE_DK_XK_2022' }, message: /XK recognises and adapts nothing/ });
    given(upTo(s, 'consent'), ctx).when(c.receipt()).thenRejects('RECOGNITION_NOT_UNDER_LEASE');
    given(upTo(s, 'place'), ctx).when(c.recognise(21)).thenRejects('RECOGNITION_NOT_UNDER_LEASE');
    given(upTo(s, 'place'), ctx).when(c.recognise(21, {
      procedure: 'conversion',
      adaptedSentence: { measure: 'custodial', kind: 'determinate', length: { years: 3, months: 0, days: 0 }, sentenceEndDate: '2029-06-01', daysDeducted: 600, legalGround: 'Criminal Code of Kosovo' },
    })).thenRejects('RECOGNITION_NOT_UNDER_LEASE');
  });

  it('only the lessee places: Kosovo, the host, is refused PLACEMENT_NOT_BY_LESSEE', () => {
    given(upTo(s, 'consent'), ctx).when(c.place(20, { decidedBy: { state: 'XK', organisation: 'Kosovo Correctional Service' } }))
      .thenRejects('PLACEMENT_NOT_BY_LESSEE', { details: { namedState: 'XK' }, message: /decided by DK, the lessee/ });
  });

  it('under a transfer of enforcement there is no placement decision: PLACEMENT_NOT_UNDER_LEASE', () => {
    const b = belgiumToAlbania();
    given(upTo(b, 'consent'), contextOf(b)).when(commandsOf(b).place(20, { decidedBy: { state: 'BE', organisation: 'FPS Justice' } as never }))
      .thenRejects('PLACEMENT_NOT_UNDER_LEASE', { details: { legalBasis: 'ETS112' } });
  });

  it('the placement follows the evaluation, the opinion and the consent (Rule 5), in the facility of the request, once', () => {
    given([c.request()], ctx).when(c.place()).thenRejects('STEP_OUT_OF_ORDER', { message: /evaluated for eligibility first/ });
    given([c.request(), c.evaluate()], ctx).when(c.place()).thenRejects('OPINION_NOT_RECORDED');
    given([c.request(), c.evaluate(), c.opinion()], ctx).when(c.place()).thenRejects('CONSENT_REQUIRED');
    given(upTo(s, 'consent'), ctx).when(c.place(20, { facilityId: '77777777-7777-4777-8777-777777777777' })).thenRejects('VALIDATION_FAILED');
    given(upTo(s, 'place'), ctx).when(c.place(21)).thenRejects('STEP_OUT_OF_ORDER');
    given(upTo(s, 'consent'), ctx).when(c.place(2)).thenRejects('DATE_BEFORE_PRECEDING_STEP', { details: { precedingStep: 'consent' } });
  });

  it('a place is asked for only once the lessee placed the person; a refusal for want of room returns the case to placement-decided', () => {
    given(upTo(s, 'consent'), ctx).when(c.reserve()).thenRejects('STEP_OUT_OF_ORDER', { message: /placed by the lessee/ });
    const declined = [...upTo(s, 'reserve'), c.decline()];
    expect(given(declined, ctx).state.stage).toBe('placement-decided');
    given(declined, ctx).when(c.reserve(23, { reservationId: SECOND_RESERVATION })).thenMatches([{ type: 'PlaceReservationRequested' }]);
  });

  it('the lease case goes to the admission without a recognition step', () => {
    const { events, state } = run(happyPath(s), ctx);
    const types = events.map((e) => e.type);
    expect(types).not.toContain('CertificateIssued');
    expect(types).not.toContain('ReceivingStateDecisionRecorded');
    expect(types.indexOf('PlacementDecided')).toBeLessThan(types.indexOf('CustodyDispatched'));
    expect(state).toMatchObject({ stage: 'completed', placement: { reference: 'PLACE-1' } });
    expect(state.decision).toBeUndefined();
  });

  it('a lease case recorded with a recognition before Rule 18 still replays, recognised, and goes on', () => {
    const ids = { transferId: s.transferId, inmateId: s.inmate.inmateId };
    const kosovo = { state: 'XK', organisation: 'Ministry of Justice of Kosovo' };
    const { events } = run(upTo(s, 'consent'), ctx);
    const old = [
      { type: 'CertificateIssued', schemaVersion: 1, occurredAt: at(s, 5), data: { ...ids, certificateReference: 'CERT-OLD', receivingAuthority: kosovo, isJudgmentEnclosed: true } },
      { type: 'CertificateReceived', schemaVersion: 1, occurredAt: at(s, 6), data: { ...ids, receivedBy: kosovo } },
      { type: 'ReceivingStateDecisionRecorded', schemaVersion: 1, occurredAt: at(s, 20), data: { ...ids, decision: 'recognised', decisionReference: 'DEC-OLD', decidedBy: kosovo, procedure: 'continuation' } },
    ] as unknown as TransferEvent[];
    const replayed = given([...events, ...old], ctx);
    expect(replayed.state).toMatchObject({ stage: 'recognised', decision: { decision: 'recognised', reference: 'DEC-OLD' } });
    expect(replayed.state.placement).toBeUndefined();
    given([...events, ...old], ctx).when(c.reserve()).thenMatches([{ type: 'PlaceReservationRequested' }]);
    // A recorded decision is not re-decided, and a placement is not added to a recognised case.
    given([...events, ...old], ctx).when(c.place(21)).thenRejects('STEP_OUT_OF_ORDER');
  });

  it('a lease case whose certificate was issued before Rule 18 goes on under the lessee\'s placement', () => {
    const ids = { transferId: s.transferId, inmateId: s.inmate.inmateId };
    const { events } = run(upTo(s, 'consent'), ctx);
    const certificate = { type: 'CertificateIssued', schemaVersion: 1, occurredAt: at(s, 5), data: { ...ids, certificateReference: 'CERT-OLD', receivingAuthority: { state: 'XK', organisation: 'Ministry of Justice of Kosovo' }, isJudgmentEnclosed: true } } as unknown as TransferEvent;
    given([...events, certificate], ctx).when(c.place()).thenMatches([{ type: 'PlacementDecided' }]);
  });
});

describe('Law in force by date: a case is decided under the law of its request, later steps included (2008/909 Art 28(1); the instruments\' entry into force per party)', () => {
  /** A Croatian sentence, a German national sent home under ETS 112 with consent, requested on 20 June 2026. */
  const croatiaToGermany = (): CaseShape => {
    const b = belgiumToAlbania();
    return {
      ...b, name: 'Croatia → Germany under ETS 112', day0: '2026-06-20', sendingState: 'HR', receivingState: 'DE',
      inmate: { ...b.inmate, sendingState: 'HR', nationalities: ['DE'], habitualResidence: 'DE' },
    };
  };
  // The catalogue amended: Croatia bound by 2008/909 from 1 July 2026 (moved from its accession of 1 July 2013),
  // so that 2008/909 Art 26(1) replaces ETS 112 between Croatia and Germany from that day.
  const amended = withPartySince(LEGAL_BASES, 'FD2008_909', 'HR', '2026-07-01');

  it('2008/909 Art 28(1): an old case, requested before Croatia\'s date moved past it, keeps its ETS 112 verdict at the evaluation and the certificate after that date', () => {
    const s = croatiaToGermany();
    const c = commandsOf(s);
    const ctx = contextOf(s, { catalogue: amended });
    const { events, state } = run([c.request(0), c.evaluate(15), c.opinion(16), c.consent(17), c.certificate(18)], ctx);
    const evaluation = events.find((e) => e.type === 'EligibilityEvaluated')!;
    expect(evaluation.data).toMatchObject({ isEligible: true });
    const legalBasis = (evaluation.data as { verdicts: Array<{ rule: string; outcome: string; reason: string }> }).verdicts.find((v) => v.rule === 'legal-basis')!;
    expect(legalBasis).toMatchObject({ outcome: 'met' });
    expect(legalBasis.reason).toContain('both states are parties on 2026-06-20');
    expect(state.stage).toBe('certificate-issued');
  });

  it('2008/909 Art 26(1): a new case, requested after the moved date, is refused ETS 112 and takes 2008/909', () => {
    const s = croatiaToGermany();
    const c = commandsOf(s);
    const ctx = contextOf(s, { catalogue: amended });
    given([], ctx).when(c.request(15)).thenRejects('LEGAL_BASIS_NOT_APPLICABLE', { details: { rule: 'LEGAL_BASIS' }, message: /2008\/909 Art 26\(1\): between HR and DE.*FD2008_909/ });
    given([], ctx).when(c.request(15, { legalBasis: 'FD2008_909' })).thenMatches([{ type: 'TransferRequested', data: { legalBasis: 'FD2008_909' } }]);
  });

  it('the same old request under the catalogue as it stands (Croatia bound by 2008/909 since its accession, 1 July 2013) is refused: the date moved is what the verdicts follow', () => {
    const s = croatiaToGermany();
    given([], contextOf(s)).when(commandsOf(s).request(0)).thenRejects('LEGAL_BASIS_NOT_APPLICABLE', { message: /2008\/909 Art 26\(1\): between HR and DE/ });
  });

  it('the law is read on the request\'s day, not on the step\'s: with the date moved between the two, the later steps still pass', () => {
    const s = croatiaToGermany();
    const c = commandsOf(s);
    // Moved to the day after the request: every later step falls after it.
    const ctx = contextOf(s, { catalogue: withPartySince(LEGAL_BASES, 'FD2008_909', 'HR', '2026-06-21') });
    const { state } = run([c.request(0), c.evaluate(1), c.opinion(2), c.consent(3), c.certificate(5), c.receipt(6), c.recognise(20)], ctx);
    expect(state.stage).toBe('recognised');
    expect(state.eligibility?.isEligible).toBe(true);
  });

  describe('a lease\'s term binds the placement on its own day (NO–NL Norgerhaven agreement 2015, in force until 31 August 2018; Rule 18)', () => {
    const norwayToNetherlands = (): CaseShape => {
      const d = denmarkToKosovo();
      return {
        ...d, name: 'Norway → Norgerhaven', day0: '2018-08-20', sendingState: 'NO', receivingState: 'NL', legalBasis: 'LEASE_NO_NL_2015',
        inmate: { ...d.inmate, sendingState: 'NO', nationalities: ['NO'], habitualResidence: 'NO' },
      };
    };

    it('a request of 20 August 2018 is evaluated under the agreement after its end (the law of the request), and placed before the end', () => {
      const s = norwayToNetherlands();
      const c = commandsOf(s);
      const { events, state } = run([c.request(0), c.evaluate(1), c.opinion(2), c.consent(3), c.place(10)], contextOf(s));
      expect(state.stage).toBe('placement-decided');
      expect(events.find((e) => e.type === 'EligibilityEvaluated')!.data).toMatchObject({ isEligible: true });
      const late = run([c.request(0), c.evaluate(13)], contextOf(s)).events[1];
      expect(late.data).toMatchObject({ isEligible: true });
    });

    it('no placement is decided once the lease has ended: LEGAL_BASIS_NOT_APPLICABLE naming its term', () => {
      const s = norwayToNetherlands();
      const c = commandsOf(s);
      given([c.request(0), c.evaluate(1), c.opinion(2), c.consent(3)], contextOf(s)).when(c.place(15))
        .thenRejects('LEGAL_BASIS_NOT_APPLICABLE', { details: { rule: 'LEGAL_BASIS', legalBasis: 'LEASE_NO_NL_2015' }, message: /until 2018-08-31; on 2018-09-04 the lease is not in force/ });
    });
  });
});

describe('Rule 19: a return to the state that sentenced the person, a case of its own with its own hand-over (DK–XK lease treaty 2022; ETS 112 Art 13–14)', () => {
  const DESTINATION = '5d6e7f80-91a2-4b3c-8d4e-5f60718293a4';
  /** A completed case and the commands of a return from it, on days counted from the original case's day 0. */
  const returnFrom = (shape: CaseShape, responsible: string, home: string) => {
    const original = run(happyPath(shape), contextOf(shape)).state;
    const transferId = randomUUID();
    const ids = { transferId, inmateId: shape.inmate.inmateId };
    const side = (state: string, place: string) => ({ state, organisation: `${state} prison service`, officer: 'Officer on duty', place });
    const escort = { state: responsible, organisation: `${responsible} escort service`, leadOfficer: 'Lead officer' };
    const cmd = (type: string, day: number, data: object) => ({ type, data: { commandId: randomUUID(), occurredAt: at(shape, day), ...ids, ...data } }) as never;
    const c = {
      request: (day = 400, over: object = {}) => cmd('RequestReturn', day, {
        returnOf: shape.transferId, ground: 'lease-ended', sendingState: responsible, receivingState: home, decisionReference: 'RETURN-1',
        decidedBy: { state: responsible, organisation: `${responsible} Ministry of Justice` }, fromFacilityId: shape.facilityId, destinationFacilityId: DESTINATION, ...over,
      }),
      schedule: (day = 401, over: object = {}) => cmd('ScheduleTransfer', day, { plannedDeparture: at(shape, 402), destinationFacilityId: DESTINATION, escort, ...over }),
      dispatch: (day = 402, over: object = {}) => cmd('RecordDispatch', day, { dispatchedBy: side(responsible, 'Facility gate'), escort, ...over }),
      receive: (day = 403, over: object = {}) => cmd('RecordReceipt', day, { receivedBy: side(home, 'Prison reception'), facilityId: DESTINATION, ...over }),
      complete: (day = 403, over: object = {}) => cmd('CompleteTransfer', day, { facilityId: shape.facilityId, admissionEventId: randomUUID(), ...over }),
    };
    return { original, ids, c, ctx: contextOf(shape, { returnOf: original }) };
  };

  it('DK–XK lease treaty 2022 (term of the treaty): at the end of the lease Denmark returns the person from Gjilan to Denmark; the case goes through the two-sided hand-over (Rule 11) and completes with the release from Gjilan', () => {
    const s = denmarkToKosovo();
    const { c, ctx, ids } = returnFrom(s, 'DK', 'DK');
    given([], ctx).when(c.request()).thenMatches([{
      type: 'ReturnRequested',
      data: {
        ...ids, returnOf: s.transferId, ground: 'lease-ended', legalBasis: 'LEASE_DK_XK_2022', sendingState: 'DK', receivingState: 'DK',
        fromFacilityId: s.facilityId, destinationFacilityId: DESTINATION, cites: 'DK–XK lease treaty 2022 (term of the treaty); Danish Sentence Enforcement Act § 1 a',
      },
    }]);
    const { events, state } = run([c.request(), c.schedule(), c.dispatch(), c.receive(), c.complete()], ctx);
    expect(events.map((e) => e.type)).toEqual(['ReturnRequested', 'TransferScheduled', 'CustodyDispatched', 'CustodyReceived', 'TransferCompleted']);
    expect(state).toMatchObject({ stage: 'completed', returnOf: { transferId: s.transferId, ground: 'lease-ended', fromFacilityId: s.facilityId }, facilityId: DESTINATION });
    expect(state.reservation).toBeUndefined();
  });

  it('Rule 11 in a return: the receipt follows the dispatch, each side records its own half, and the case completes only after the receipt, from the facility the person left', () => {
    const s = denmarkToKosovo();
    const { c, ctx } = returnFrom(s, 'DK', 'DK');
    given([c.request(), c.schedule()], ctx).when(c.receive()).thenRejects('HAND_OVER_INCOMPLETE');
    given([c.request(), c.schedule()], ctx).when(c.dispatch(402, { dispatchedBy: { state: 'XK', organisation: 'Kosovo Correctional Service', officer: 'Officer', place: 'Gate' } })).thenRejects('UNAUTHORISED_ACTOR');
    given([c.request(), c.schedule(), c.dispatch()], ctx).when(c.receive(403, { facilityId: s.facilityId })).thenRejects('VALIDATION_FAILED');
    given([c.request(), c.schedule(), c.dispatch()], ctx).when(c.complete()).thenRejects('HAND_OVER_INCOMPLETE');
    given([c.request(), c.schedule(), c.dispatch(), c.receive()], ctx).when(c.complete(403, { facilityId: DESTINATION })).thenRejects('VALIDATION_FAILED');
    given([c.request()], ctx).when(c.schedule(401, { destinationFacilityId: s.facilityId })).thenRejects('VALIDATION_FAILED');
  });

  it('DK–XK lease treaty 2022: Kosovo, the host, decides no return (RETURN_NOT_BY_RESPONSIBLE_STATE); the authority that decides is the responsible state\'s', () => {
    const s = denmarkToKosovo();
    const { c, ctx } = returnFrom(s, 'DK', 'DK');
    given([], ctx).when(c.request(400, { sendingState: 'XK' })).thenRejects('RETURN_NOT_BY_RESPONSIBLE_STATE', { details: { rule: 'RETURN', ground: 'lease-ended' }, message: /DK, the lessee/ });
    given([], ctx).when(c.request(400, { decidedBy: { state: 'XK', organisation: 'Kosovo Correctional Service' } })).thenRejects('RETURN_NOT_BY_RESPONSIBLE_STATE', { details: { field: 'decidedBy.state' } });
  });

  it('ETS 112 Art 13 and Art 14: after a transfer of enforcement Albania hands the person back to Belgium on a Belgian court order; a lease-ended return is RETURN_GROUND_NOT_APPLICABLE', () => {
    const s = belgiumToAlbania();
    const { c, ctx } = returnFrom(s, 'AL', 'BE');
    given([], ctx).when(c.request(400, { ground: 'lease-ended' })).thenRejects('RETURN_GROUND_NOT_APPLICABLE', { message: /ETS 112 provides no return/ });
    given([], ctx).when(c.request(400, { ground: 'court-order', sendingState: 'BE', decidedBy: { state: 'BE', organisation: 'FPS Justice' } })).thenRejects('RETURN_NOT_BY_RESPONSIBLE_STATE');
    const { events, state } = run([c.request(400, { ground: 'court-order' }), c.schedule(), c.dispatch(), c.receive(), c.complete()], ctx);
    expect(events[0]).toMatchObject({ type: 'ReturnRequested', data: { sendingState: 'AL', receivingState: 'BE', cites: 'ETS 112 Art 13 and Art 14' } });
    expect(state.stage).toBe('completed');
  });

  it('a return undoes a completed case of the person, from the facility that admitted them, back to the state that sentenced them, after that case\'s completion (Rules 6, 17, 19)', () => {
    const s = denmarkToKosovo();
    const { c, ctx, original } = returnFrom(s, 'DK', 'DK');
    const open = run(happyPath(s).slice(0, -2), contextOf(s)).state;
    given([], { ...ctx, returnOf: open }).when(c.request()).thenRejects('RETURN_OF_OPEN_CASE', { details: { stage: 'dispatched' } });
    given([], { ...ctx, returnOf: undefined }).when(c.request()).thenRejects('TRANSFER_NOT_FOUND');
    given([], { ...ctx, returnOf: { ...original, inmateId: randomUUID() } }).when(c.request()).thenRejects('TRANSFER_NOT_FOUND');
    given([], ctx).when(c.request(400, { fromFacilityId: DESTINATION })).thenRejects('VALIDATION_FAILED');
    given([], ctx).when(c.request(400, { receivingState: 'XK' })).thenRejects('VALIDATION_FAILED');
    given([], ctx).when(c.request(20)).thenRejects('DATE_BEFORE_PRECEDING_STEP', { details: { precedingStep: 'completion' } });
    given([], { ...ctx, activeTransferId: randomUUID() }).when(c.request()).thenRejects('TRANSFER_ALREADY_ACTIVE');
    given([], { ...ctx, inmate: { ...s.inmate, sendingState: 'NO' } }).when(c.request()).thenRejects('SENDING_STATE_MISMATCH');
  });

  it('nothing of the forward procedure applies to a return: no eligibility, placement or place reservation', () => {
    const s = denmarkToKosovo();
    const { c, ctx, ids } = returnFrom(s, 'DK', 'DK');
    const forward = commandsOf({ ...s, transferId: ids.transferId });
    given([c.request()], ctx).when(forward.evaluate(401)).thenRejects('STEP_OUT_OF_ORDER');
    given([c.request()], ctx).when(forward.place(401)).thenRejects('STEP_OUT_OF_ORDER');
    given([c.request()], ctx).when(forward.reserve(401)).thenRejects('STEP_OUT_OF_ORDER');
  });
});
