import type { AdmissionRecord, PlacedAdmissionRecord } from '@custody/contracts';
import { AT, IDS, admissionRecord, gjilan } from '../spec/fixtures';
import { specify } from '@custody/event-sourcing/testing';
import { custodyDecider, type AdmissionFacts, type CustodyCommand, type CustodyEvent } from './custody.decider';

const given = specify(custodyDecider);
const base = { commandId: IDS.command, occurredAt: AT };
const inmateId = IDS.inmate;
const facilityId = IDS.facility;
const person = { inmateId, facilityId };
const kosovoStaff = { state: 'XK' as const, organisation: 'Kosovo Correctional Service', officer: 'Officer B. Krasniqi' };

const handedOver = { transferId: IDS.transfer, inmateId, isDispatched: true, isReceived: true, receivedAtFacilityId: facilityId };
const leasedFacts: AdmissionFacts = {
  facility: { jurisdiction: 'leased', lease: gjilan.lease, operatingState: 'XK', country: 'XK' },
  handOver: handedOver,
  sentence: { source: 'sending-state', kind: 'determinate', length: { years: 3, months: 0, days: 0 }, enforcementStartDate: '2025-01-01', preTrialDays: 100 },
};
const nationalFacts: AdmissionFacts = {
  facility: { jurisdiction: 'national', operatingState: 'AL', country: 'AL' },
  handOver: { ...handedOver, receivedAtFacilityId: IDS.nationalFacility },
  sentence: { source: 'adapted', kind: 'determinate', length: { years: 2, months: 6, days: 0 }, daysDeducted: 400 },
};

const admit = (facts: AdmissionFacts = leasedFacts, admission: AdmissionRecord = admissionRecord, at = facilityId): CustodyCommand => ({
  type: 'AdmitInmate',
  data: { ...base, inmateId, facilityId: at, transferId: IDS.transfer, reservationId: IDS.reservation, admission },
  facts,
});

// Version 2, still in clear here: the write path encrypts the personal fields before storing.
const admitted: CustodyEvent = {
  type: 'InmateAdmitted',
  schemaVersion: 2,
  data: { ...person, transferId: IDS.transfer, reservationId: IDS.reservation, admission: admissionRecord, governingState: 'DK' },
};
const leasedSentence: CustodyEvent = {
  type: 'SentenceToServeNoted',
  schemaVersion: 1,
  data: {
    ...person,
    governedBy: 'sending-state',
    // 3 years from 2025-01-01 is 1095 days; 100 days of pre-trial detention are deducted.
    sentence: { source: 'sending-state', length: { kind: 'determinate', days: 1095 }, startedOn: '2025-01-01', preTrialDays: 100, releaseOn: '2027-09-23' },
  },
};
const inCustody = [admitted, leasedSentence];
const escaped: CustodyEvent = { type: 'InmateEscaped', schemaVersion: 1, data: { ...person, circumstances: 'Missing at the 16:00 count.' } };
const absent: CustodyEvent = {
  type: 'AbsenceStarted',
  schemaVersion: 1,
  data: { ...person, absenceId: IDS.absence, kind: 'hospital', destination: 'Regional Hospital Gjilan', authority: kosovoStaff },
};
const released: CustodyEvent = { type: 'InmateReleased', schemaVersion: 1, data: { ...person, disposition: 'deported', deportationOrderReference: 'DK-UDL-2025-44120', destinationState: 'MA' } };
const died: CustodyEvent = { type: 'InmateDiedInCustody', schemaVersion: 1, data: { ...person, cause: 'Cardiac arrest', certifiedBy: { state: 'XK', organisation: 'Institute of Forensic Medicine' } } };

describe('custody: admission (Rules 11 and 14: European Prison Rules 15.1 and 16; the placement 51.3–51.4, 42.1–42.3, 38.3, 30.1)', () => {
  it('admits with the full EPR 15.1 record after a completed hand-over; under the lease Danish law governs', () => {
    given([]).when(admit()).then(inCustody);
  });

  it('in a national facility the receiving state governs, and the adapted sentence runs from admission with the days served deducted', () => {
    const events = given([]).when(admit(nationalFacts, admissionRecord, IDS.nationalFacility)).events();
    expect(events[0].data).toMatchObject({ governingState: 'AL', facilityId: IDS.nationalFacility });
    // 2 years 6 months from 2026-03-02 is 915 days (2028 is a leap year); 400 deducted: release 515 days after admission.
    expect(events[1].data).toEqual({
      inmateId,
      facilityId: IDS.nationalFacility,
      governedBy: 'receiving-state',
      sentence: { source: 'adapted', length: { kind: 'determinate', days: 915 }, startedOn: '2026-03-02', preTrialDays: 400, releaseOn: '2027-07-30' },
    });
  });

  it('a sentence without a fixed end has no release date', () => {
    const facts = { ...leasedFacts, sentence: { source: 'adapted' as const, kind: 'indeterminate' as const, daysDeducted: 10 } };
    const [, noted] = given([]).when(admit(facts)).events();
    expect(noted.data).toMatchObject({ sentence: { length: { kind: 'indeterminate' } } });
    expect((noted.data as { sentence: object }).sentence).not.toHaveProperty('releaseOn');
  });

  it('an unknown sentence is noted as unknown', () => {
    const [, noted] = given([]).when(admit({ ...leasedFacts, sentence: undefined })).events();
    expect(noted.data).toEqual({ ...person, governedBy: 'sending-state' });
  });

  it.each([
    ['no hand-over known', { ...leasedFacts, handOver: undefined }],
    ['only the dispatch recorded', { ...leasedFacts, handOver: { ...handedOver, isReceived: false } }],
    ['only the receipt recorded', { ...leasedFacts, handOver: { ...handedOver, isDispatched: false } }],
    ['a hand-over of another transfer', { ...leasedFacts, handOver: { ...handedOver, transferId: IDS.reservation } }],
    ['a hand-over received at another facility', { ...leasedFacts, handOver: { ...handedOver, receivedAtFacilityId: IDS.nationalFacility } }],
  ])('rule 11: refuses an admission with %s (ADMISSION_WITHOUT_HAND_OVER)', (_case, facts) => {
    given([]).when(admit(facts)).thenRejects('ADMISSION_WITHOUT_HAND_OVER', { details: { transferId: IDS.transfer } });
  });

  describe('a hand-over still on its way from the transfer service (docs/adr/0012-not-yet-known-here.md)', () => {
    const transferInFlight = { retryAfterSeconds: 1, unconsumed: 2 };

    it('is answered NOT_YET_KNOWN_HERE, naming the side of the hand-over awaited', () => {
      given([]).when(admit({ ...leasedFacts, handOver: undefined, transferInFlight })).thenRejects('NOT_YET_KNOWN_HERE', {
        message: /^The transfer service's record of this hand-over has not reached the custody service yet: send the request again in 1 s\.$/,
        details: { transferId: IDS.transfer, awaitedService: 'transfer', awaitedEvent: 'CustodyDispatched', retryAfterSeconds: 1, unconsumedMessages: 2 },
      });
      given([]).when(admit({ ...leasedFacts, handOver: { ...handedOver, isReceived: false }, transferInFlight }))
        .thenRejects('NOT_YET_KNOWN_HERE', { details: { awaitedEvent: 'CustodyReceived' } });
    });

    it('changes nothing once both sides are known here', () => {
      const [admitted] = given([]).when(admit({ ...leasedFacts, transferInFlight })).events();
      expect(admitted.type).toBe('InmateAdmitted');
    });
  });

  it.each([
    ['the identity documents', (r: AdmissionRecord) => ({ ...r, identity: { ...r.identity, documents: [] } }), 'admission.identity.documents'],
    ['the reason for commitment', (r: AdmissionRecord) => ({ ...r, commitment: { ...r.commitment, reason: '' } }), 'admission.commitment.reason'],
    ['the authority for commitment', (r: AdmissionRecord) => ({ ...r, commitment: { ...r.commitment, authority: undefined } }), 'admission.commitment.authority'],
    ['the date and time of admission', (r: AdmissionRecord) => ({ ...r, admittedAt: undefined }), 'admission.admittedAt'],
    ['the property inventory', (r: AdmissionRecord) => ({ ...r, propertyInventory: undefined }), 'admission.propertyInventory'],
    ['the visible injuries it says there are', (r: AdmissionRecord) => ({ ...r, hasVisibleInjuries: true }), 'admission.visibleInjuries'],
    ['the health information', (r: AdmissionRecord) => ({ ...r, health: undefined }), 'admission.health'],
  ])('rule 14: refuses an admission record without %s (ADMISSION_RECORD_INCOMPLETE)', (_case, strip, path) => {
    const rejection = given([]).when(admit(leasedFacts, strip(admissionRecord) as unknown as AdmissionRecord)).thenRejects('ADMISSION_RECORD_INCOMPLETE');
    expect(rejection.errors.map((e) => e.path)).toContain(path);
  });

  it('rule 14 (European Prison Rules 51.3–51.4, 42.1–42.3, 38.3, 30.1): the placement given on admission is recorded with it', () => {
    const placement = { securityLevel: 'high' as const, medicalNeeds: ['Insulin twice a day'], languages: ['ar', 'fr'], needsInterpreter: true };
    const placed: PlacedAdmissionRecord = { ...admissionRecord, placement };
    const [admittedWithPlacement] = given([]).when(admit(leasedFacts, placed)).events();
    expect(admittedWithPlacement).toMatchObject({ type: 'InmateAdmitted', data: { admission: { placement } } });
  });

  it('an empty property inventory states that the person had none: accepted', () => {
    given([]).when(admit(leasedFacts, { ...admissionRecord, propertyInventory: [] })).events();
  });

  it('refuses an admission time after the act was recorded', () => {
    given([]).when(admit(leasedFacts, { ...admissionRecord, admittedAt: '2026-03-02T10:00:00Z' })).thenRejects('DATE_IN_FUTURE');
  });

  it('refuses an admission to an unknown facility', () => {
    given([]).when(admit({ ...leasedFacts, facility: undefined })).thenRejects('FACILITY_NOT_FOUND');
  });

  it('rule 10: one place at a time: a person in custody is not admitted again', () => {
    given(inCustody).when(admit()).thenRejects('INMATE_ALREADY_IN_CUSTODY');
  });

  it('a released person may be admitted again on a new transfer', () => {
    given([...inCustody, released]).when(admit()).then(inCustody);
  });

  it('no admission after a death in custody', () => {
    given([...inCustody, died]).when(admit()).thenRejects('CUSTODY_ENDED');
  });
});

describe('custody: life in the facility', () => {
  it('assigns a cell', () => {
    given(inCustody).when({ type: 'AssignCell', data: { ...base, ...person, cell: 'A-112', unitId: 'A' } }).then([
      { type: 'CellAssigned', schemaVersion: 1, data: { ...person, cell: 'A-112', unitId: 'A' } },
    ]);
  });

  it('the same cell again records nothing', () => {
    const assigned: CustodyEvent = { type: 'CellAssigned', schemaVersion: 1, data: { ...person, cell: 'A-112' } };
    given([...inCustody, assigned]).when({ type: 'AssignCell', data: { ...base, ...person, cell: 'A-112' } }).then([]);
  });

  it('nothing is recorded for a person not in custody', () => {
    given([]).when({ type: 'AssignCell', data: { ...base, ...person, cell: 'A-112' } }).thenRejects('INMATE_NOT_IN_CUSTODY');
  });

  it('nothing is recorded for a person held at another facility', () => {
    given(inCustody).when({ type: 'AssignCell', data: { ...base, ...person, facilityId: IDS.nationalFacility, cell: 'A-1' } }).thenRejects('INMATE_NOT_IN_CUSTODY', { details: { heldAt: facilityId } });
  });

  it('rule 10: an absence to hospital under a named authority', () => {
    given(inCustody)
      .when({ type: 'StartAbsence', data: { ...base, ...person, absenceId: IDS.absence, kind: 'hospital', destination: 'Regional Hospital Gjilan', authority: kosovoStaff } })
      .then([absent]);
  });

  it('rule 10: one absence at a time', () => {
    given([...inCustody, absent])
      .when({ type: 'StartAbsence', data: { ...base, ...person, absenceId: IDS.reservation, kind: 'court', destination: 'Basic Court of Gjilan', authority: kosovoStaff } })
      .thenRejects('ABSENCE_ALREADY_OPEN');
  });

  it('ends the absence', () => {
    given([...inCustody, absent]).when({ type: 'EndAbsence', data: { ...base, ...person, absenceId: IDS.absence } }).then([
      { type: 'AbsenceEnded', schemaVersion: 1, data: { ...person, absenceId: IDS.absence } },
    ]);
  });

  it('an absence that is not open cannot end', () => {
    given(inCustody).when({ type: 'EndAbsence', data: { ...base, ...person, absenceId: IDS.absence } }).thenRejects('ABSENCE_NOT_FOUND');
  });
});

describe('custody: escape, recapture and a person who cannot be found (Rule 13)', () => {
  const recapture: CustodyCommand = { type: 'RecordRecapture', data: { ...base, ...person, recapturedBy: { state: 'XK', organisation: 'Kosovo Police' }, place: 'Ferizaj', stateFoundIn: 'XK' } };
  const notFound: CustodyCommand = { type: 'ReportInmateNotFound', data: { ...base, ...person, circumstances: 'Not found since the escape; search continues.' } };

  it('records an escape, with where the person is believed to be', () => {
    given(inCustody).when({ type: 'RecordEscape', data: { ...base, ...person, circumstances: 'Missing at the 16:00 count.', believedWhereabouts: 'DK' } }).then([
      { type: 'InmateEscaped', schemaVersion: 1, data: { ...person, circumstances: 'Missing at the 16:00 count.', believedWhereabouts: 'DK' } },
    ]);
  });

  it('an escape from an absence (the hospital) is an escape', () => {
    given([...inCustody, absent]).when({ type: 'RecordEscape', data: { ...base, ...person, circumstances: 'Left the hospital ward.' } }).events();
  });

  it('a person who escaped cannot escape again', () => {
    given([...inCustody, escaped]).when({ type: 'RecordEscape', data: { ...base, ...person, circumstances: 'x' } }).thenRejects('INMATE_NOT_IN_CUSTODY');
  });

  it('records the recapture', () => {
    given([...inCustody, escaped]).when(recapture).then([{ type: 'InmateRecaptured', schemaVersion: 1, data: { ...person, recapturedBy: { state: 'XK', organisation: 'Kosovo Police' }, place: 'Ferizaj', stateFoundIn: 'XK' } }]);
  });

  it('a recapture needs an escape', () => {
    given(inCustody).when(recapture).thenRejects('INMATE_NOT_ESCAPED');
  });

  it('reports that the person cannot be found after an escape', () => {
    given([...inCustody, escaped]).when(notFound).then([
      { type: 'InmateCannotBeFound', schemaVersion: 1, data: { ...person, circumstances: 'Not found since the escape; search continues.' } },
    ]);
  });

  it('a person recorded in the facility is not reported missing', () => {
    given(inCustody).when(notFound).thenRejects('INMATE_NOT_ESCAPED');
  });
});

describe('custody: death, conditional release, pardon or amnesty, sentence completed', () => {
  it('records a death in custody, after which nothing more is recorded', () => {
    given(inCustody).when({ type: 'RecordDeathInCustody', data: { ...base, ...person, cause: 'Cardiac arrest', certifiedBy: { state: 'XK', organisation: 'Institute of Forensic Medicine' } } }).then([died]);
    given([...inCustody, died]).when({ type: 'AssignCell', data: { ...base, ...person, cell: 'B-1' } }).thenRejects('CUSTODY_ENDED');
  });

  it('rule 13: grants conditional release (reported to the sending state)', () => {
    const grant = { conditions: ['Report weekly to the probation service'], grantedBy: { state: 'DK' as const, organisation: 'Danish Prison and Probation Service' }, supervisingAuthority: { state: 'DK' as const, organisation: 'Danish Probation Service' } };
    given(inCustody).when({ type: 'GrantConditionalRelease', data: { ...base, ...person, ...grant } }).then([
      { type: 'ConditionalReleaseGranted', schemaVersion: 1, data: { ...person, ...grant } },
    ]);
  });

  it('a partial amnesty moves the release date', () => {
    const amnesty = { kind: 'amnesty' as const, grantedBy: { state: 'DK' as const, organisation: 'Folketinget' }, reference: 'Law 2026/12', isFull: false, newSentenceEndDate: '2027-01-31' };
    const events = given(inCustody).when({ type: 'GrantPardonOrAmnesty', data: { ...base, ...person, ...amnesty } }).then([
      { type: 'PardonOrAmnestyGranted', schemaVersion: 1, data: { ...person, ...amnesty } },
    ]);
    expect(given([...inCustody, ...events]).state.releaseOn).toBe('2027-01-31');
  });

  it('a full pardon completes the sentence', () => {
    const pardon = { kind: 'pardon' as const, grantedBy: { state: 'DK' as const, organisation: 'The Crown' }, reference: 'P-2026-1', isFull: true };
    const events = given(inCustody).when({ type: 'GrantPardonOrAmnesty', data: { ...base, ...person, ...pardon } }).events();
    expect(given([...inCustody, ...events]).state.isSentenceCompleted).toBe(true);
  });

  it('records the completion of the sentence', () => {
    given(inCustody).when({ type: 'RecordSentenceCompleted', data: { ...base, ...person, completedOn: '2026-03-01' } }).then([
      { type: 'SentenceCompleted', schemaVersion: 1, data: { ...person, completedOn: '2026-03-01' } },
    ]);
  });

  it('a completion dated after the act is refused', () => {
    given(inCustody).when({ type: 'RecordSentenceCompleted', data: { ...base, ...person, completedOn: '2026-03-03' } }).thenRejects('DATE_IN_FUTURE');
  });

  it('the release date is kept from the admission', () => {
    expect(given(inCustody).state.releaseOn).toBe('2027-09-23');
  });
});

describe('custody: release with a disposition', () => {
  const release = (data: Record<string, unknown>): CustodyCommand => ({ type: 'ReleaseInmate', data: { ...base, ...person, ...data } as never });
  const nationalAdmission: CustodyEvent[] = [
    { ...admitted, data: { ...admitted.data, facilityId: IDS.nationalFacility, governingState: 'AL' } } as CustodyEvent,
    { type: 'SentenceToServeNoted', schemaVersion: 1, data: { inmateId, facilityId: IDS.nationalFacility, governedBy: 'receiving-state' } },
  ];

  it('rule 9: deportation from a leased facility with the order reference', () => {
    given(inCustody).when(release({ disposition: 'deported', deportationOrderReference: 'DK-UDL-2025-44120', destinationState: 'MA' })).then([released]);
  });

  it('rule 9: a leased facility does not release without a deportation order', () => {
    given(inCustody).when(release({ disposition: 'released' })).thenRejects('DEPORTATION_ORDER_REQUIRED');
  });

  it('a deportation always names its order', () => {
    given(inCustody).when(release({ disposition: 'deported', destinationState: 'MA' })).thenRejects('DEPORTATION_ORDER_REQUIRED');
  });

  it('returns the person to the sending state, naming who received them', () => {
    const handedTo = { state: 'DK' as const, organisation: 'Danish Prison and Probation Service', officer: 'Officer K. Madsen', place: 'Prishtina airport' };
    given(inCustody).when(release({ disposition: 'returned-to-sending-state', handedTo })).then([
      { type: 'InmateReleased', schemaVersion: 1, data: { ...person, disposition: 'returned-to-sending-state', handedTo } },
    ]);
  });

  it('a national facility releases without a deportation order', () => {
    given(nationalAdmission)
      .when({ type: 'ReleaseInmate', data: { ...base, inmateId, facilityId: IDS.nationalFacility, disposition: 'released' } })
      .then([{ type: 'InmateReleased', schemaVersion: 1, data: { inmateId, facilityId: IDS.nationalFacility, disposition: 'released' } }]);
  });

  it('an absent person is not released before the absence ends', () => {
    given([...inCustody, absent]).when(release({ disposition: 'deported', deportationOrderReference: 'X-1', destinationState: 'MA' })).thenRejects('ABSENCE_ALREADY_OPEN');
  });

  it('an escaped person is not released', () => {
    given([...inCustody, escaped]).when(release({ disposition: 'deported', deportationOrderReference: 'X-1', destinationState: 'MA' })).thenRejects('INMATE_NOT_IN_CUSTODY');
  });

  it('after the release nothing more is recorded', () => {
    given([...inCustody, released]).when(release({ disposition: 'deported', deportationOrderReference: 'X-1', destinationState: 'MA' })).thenRejects('CUSTODY_ENDED');
  });
});


describe('Rule 17: what the facility records follows the hand-over and the admission', () => {
  const received = (receivedAt: string): AdmissionFacts => ({ ...leasedFacts, handOver: { ...handedOver, receivedAt } });

  it('an admission dated before the receiving side of the hand-over is refused DATE_BEFORE_PRECEDING_STEP, naming both dates (Rule 11)', () => {
    given([]).when(admit(received('2026-03-02T09:15:00.000Z'))).thenRejects('DATE_BEFORE_PRECEDING_STEP', {
      details: { field: 'admission.admittedAt', date: admissionRecord.admittedAt, precedingStep: 'receipt', precedingDate: '2026-03-02T09:15:00.000Z' },
      paths: ['admission.admittedAt'],
    });
    given([]).when(admit(received('2026-03-02T08:45:00.000Z'))).then(inCustody);
  });

  it('a later act is not dated before the admission, nor an absence\'s end before its start', () => {
    given(inCustody).when({ type: 'AssignCell', data: { ...base, ...person, occurredAt: '2026-03-01T09:00:00Z', cell: 'A-112' } }).thenRejects('DATE_BEFORE_PRECEDING_STEP', {
      details: { precedingStep: 'admission', precedingDate: admissionRecord.admittedAt },
    });
    const started = { ...absent, occurredAt: '2026-03-03T08:00:00Z' } as CustodyEvent;
    given([...inCustody, started]).when({ type: 'EndAbsence', data: { ...base, ...person, occurredAt: '2026-03-03T07:00:00Z', absenceId: IDS.absence } }).thenRejects('DATE_BEFORE_PRECEDING_STEP', {
      details: { precedingStep: 'absence-start', precedingDate: '2026-03-03T08:00:00Z' },
    });
  });

  it('an absence is expected back after it starts', () => {
    given(inCustody).when({
      type: 'StartAbsence',
      data: { ...base, ...person, absenceId: IDS.absence, kind: 'hospital', destination: 'Regional Hospital Gjilan', authority: kosovoStaff, expectedReturnAt: '2026-03-01T18:00:00Z' },
    }).thenRejects('DATE_BEFORE_PRECEDING_STEP', { details: { field: 'expectedReturnAt', precedingStep: 'absence-start', precedingDate: AT } });
  });

  it('with the clock of a ministry\'s act: an admission dated in the future, or recorded late without a reason, is refused', () => {
    const clock = { now: '2026-03-02T09:31:00.000Z', policy: { clockSkewSeconds: 300, lateRecordingDays: 7 } };
    const admission = admit() as Extract<CustodyCommand, { type: 'AdmitInmate' }>;
    const admitting = (data: Partial<typeof admission.data>, now: string): CustodyCommand => ({ ...admission, data: { ...admission.data, ...data }, clock: { ...clock, now } });
    given([]).when(admitting({ occurredAt: '2026-03-09T09:30:00Z' }, clock.now)).thenRejects('DATE_IN_FUTURE', { details: { field: 'occurredAt' } });
    given([]).when(admitting({}, '2026-03-20T09:00:00.000Z')).thenRejects('LATE_RECORDING_REASON_REQUIRED');
    given([]).when(admitting({ lateRecordingReason: 'The admission register was entered after the network outage.' }, '2026-03-20T09:00:00.000Z')).then(inCustody);
  });
});
