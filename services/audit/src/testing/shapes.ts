import { History } from './history';

/**
 * The three real shapes of case, as whole ledger histories (intake, transfer, facility and
 * custody events) from registration on, each lawful: no invariant is broken.
 */

const party = (state: string, organisation: string, officer: string, place: string) => ({ state, organisation, officer, place });
const escortOf = (state: string, organisation: string, leadOfficer: string) => ({ state, organisation, leadOfficer });
const noDeadlines = { decisionDueAt: undefined };

/** Belgium → Albania under ETS 112: an Albanian national without a residence permit, who consents. */
export function belgiumToAlbaniaCase(history = new History()): History {
  history.add('FacilityRegistered', '2025-06-01T00:00:00Z', { name: 'Fushë-Krujë Prison', country: 'AL', operatingState: 'AL', jurisdiction: 'national', lease: undefined, capacity: 800, units: undefined });
  history.add('InmateRegistered', '2026-01-10T08:00:00Z');
  history.add('TransferRequested', '2026-01-20T10:00:00Z', { facilityId: undefined });
  history.add('InmateOpinionRecorded', '2026-01-22T10:00:00Z');
  history.add('ConsentRecorded', '2026-01-25T10:00:00Z', { outcome: 'given' });
  history.add('CertificateIssued', '2026-02-01T10:00:00Z');
  // ETS 112 sets no decision or transfer deadline.
  history.add('CertificateReceived', '2026-02-03T10:00:00Z', noDeadlines);
  history.add('ReceivingStateDecisionRecorded', '2026-03-01T10:00:00Z', { transferDueAt: undefined });
  history.add('InmateNotified', '2026-03-02T10:00:00Z');
  history.add('CustodyDispatched', '2026-04-14T06:00:00Z');
  history.add('CustodyReceived', '2026-04-14T11:30:00Z');
  history.add('InmateAdmitted', '2026-04-14T13:00:00Z', { governingState: 'AL' });
  history.add('PlaceOccupied', '2026-04-14T13:00:00Z');
  history.add('TransferCompleted', '2026-04-14T13:05:00Z');
  history.add('EnforcementSuspended', '2026-04-14T14:00:00Z');
  history.add('AbsenceStarted', '2026-05-01T08:00:00Z', { kind: 'hospital', destination: 'Regional Hospital', authority: { state: 'AL', organisation: 'Hospital guard' } });
  history.add('AbsenceEnded', '2026-05-02T16:00:00Z');
  return history;
}

/**
 * Denmark → Kosovo, the Gjilan lease: a Moroccan national with an expulsion order, without consent,
 * placed by Denmark (docs/domain.md, Rule 18), later deported. `recognisedBeforeRule18`: the case as
 * recorded before Rule 18, with a recognition by Kosovo in place of Denmark's placement decision.
 */
export function denmarkToKosovoCase(history = new History(), { recognisedBeforeRule18 = false } = {}): History {
  const expulsionOrder = { orderReference: 'DK-UDL-2025-44120', issuingAuthority: { state: 'DK', organisation: 'Danish Immigration Service' }, issuedOn: '2025-05-02', destinationState: 'MA', isFinal: true };
  history.add('FacilityRegistered', '2026-08-01T00:00:00Z');
  history.add('InmateRegistered', '2026-09-01T08:00:00Z', {
    nationalities: ['MA'], sendingState: 'DK', holdingFacility: { name: 'Vestre Fængsel', reference: 'DK-VF' }, residence: { status: 'irregular', habitualResidence: 'DK' },
  });
  history.add('ExpulsionOrderRecorded', '2026-09-01T09:00:00Z', { expulsionOrder });
  history.add('TransferRequested', '2026-09-02T10:00:00Z', { sendingState: 'DK', receivingState: 'XK', legalBasis: 'LEASE_DK_XK_2022', facilityId: history.facilityId });
  history.add('InmateOpinionRecorded', '2026-09-03T10:00:00Z', { language: 'ar', recordedBy: { state: 'DK', organisation: 'Vestre Fængsel' } });
  history.add('ConsentRecorded', '2026-09-04T10:00:00Z', { outcome: 'not-required', notRequiredGround: 'lease-treaty', recordedBy: { state: 'DK', organisation: 'Vestre Fængsel' } });
  if (recognisedBeforeRule18) {
    history.add('ReceivingStateDecisionRecorded', '2026-09-10T10:00:00Z', { decidedBy: { state: 'XK', organisation: 'Kosovo Correctional Service' }, procedure: 'continuation', adaptedSentence: undefined, transferDueAt: undefined });
  } else {
    history.add('PlacementDecided', '2026-09-10T10:00:00Z', { decidedBy: { state: 'DK', organisation: 'Danish Prison and Probation Service' } });
  }
  history.add('PlaceReserved', '2026-09-11T10:00:00Z');
  history.add('CustodyDispatched', '2026-10-05T06:00:00Z', {
    dispatchedBy: party('DK', 'Danish Prison and Probation Service', 'Officer K. Nielsen', 'Pristina Airport'),
    escort: escortOf('DK', 'Danish Prison and Probation Service', 'Officer K. Nielsen'),
  });
  history.add('CustodyReceived', '2026-10-05T12:00:00Z', { receivedBy: party('XK', 'Kosovo Correctional Service', 'Officer B. Krasniqi', 'Gjilan Correctional Facility') });
  history.add('InmateAdmitted', '2026-10-05T13:00:00Z', { governingState: 'DK' });
  history.add('PlaceOccupied', '2026-10-05T13:00:00Z');
  history.add('TransferCompleted', '2026-10-05T13:05:00Z');
  history.add('SentenceCompleted', '2029-06-01T08:00:00Z', { completedOn: '2029-06-01' });
  history.add('InmateReleased', '2029-06-01T09:00:00Z', { disposition: 'deported', deportationOrderReference: 'DK-UDL-2025-44120', destinationState: 'MA', handedTo: undefined });
  history.add('PlaceVacated', '2029-06-01T09:00:00Z', { reason: 'Deported to Morocco.' });
  return history;
}

/** Belgium → the Netherlands under 2008/909: a Dutch national who will be deported there, so consent is not required. */
export function belgiumToNetherlandsCase(history = new History()): History {
  const expulsionOrder = { orderReference: 'OQT-2025-118', issuingAuthority: { state: 'BE', organisation: 'Immigration Office' }, issuedOn: '2025-02-01', destinationState: 'NL', isFinal: true };
  const dutchJustice = { state: 'NL', organisation: 'Ministry of Justice and Security' };
  history.add('FacilityRegistered', '2025-01-01T00:00:00Z', { name: 'PI Vught', country: 'NL', operatingState: 'NL', jurisdiction: 'national', lease: undefined, capacity: 700, units: undefined });
  history.add('InmateRegistered', '2025-05-01T08:00:00Z', { nationalities: ['NL'], residence: { status: 'temporary-resident', habitualResidence: 'BE' } });
  history.add('ExpulsionOrderRecorded', '2025-05-01T09:00:00Z', { expulsionOrder });
  history.add('TransferRequested', '2025-05-12T10:00:00Z', { receivingState: 'NL', legalBasis: 'FD2008_909', facilityId: undefined });
  history.add('InmateOpinionRecorded', '2025-05-13T10:00:00Z', { language: 'nl' });
  history.add('ConsentRecorded', '2025-05-14T10:00:00Z', { outcome: 'not-required', notRequiredGround: 'national-to-be-deported-to-receiving-state' });
  history.add('CertificateIssued', '2025-05-15T10:00:00Z', { receivingAuthority: dutchJustice });
  // 2008/909 Art 12: 90 days to decide; Art 15: 30 days to transfer after the decision.
  history.add('CertificateReceived', '2025-05-16T10:00:00Z', { receivedBy: dutchJustice, decisionDueAt: '2025-08-14T23:59:59Z' });
  history.add('ReceivingStateDecisionRecorded', '2025-06-10T10:00:00Z', { decidedBy: dutchJustice, procedure: 'continuation', adaptedSentence: undefined, transferDueAt: '2025-07-10T23:59:59Z' });
  history.add('CustodyDispatched', '2025-07-01T06:00:00Z', { dispatchedBy: party('BE', 'Federal Police, Escort Directorate', 'Commissioner M. Janssens', 'Hazeldonk border crossing') });
  history.add('CustodyReceived', '2025-07-01T09:00:00Z', { receivedBy: party('NL', 'Dienst Justitiële Inrichtingen', 'Officer J. de Vries', 'Hazeldonk border crossing') });
  history.add('InmateAdmitted', '2025-07-01T12:00:00Z', { governingState: 'NL' });
  history.add('PlaceOccupied', '2025-07-01T12:00:00Z');
  history.add('TransferCompleted', '2025-07-01T12:05:00Z');
  return history;
}
