import type {
  CommandPayload, CustodyCommandType, CustodyEventType, EventPayload, FacilityCommandType, FacilityEventType,
} from '../catalogue/catalogue';
import { AT, IDS, encrypted, identity, profile, protectedIdentity, receiptSide } from './fixtures';

const base = { commandId: IDS.command, occurredAt: AT };
const facilityId = IDS.facility;
const reservation = { facilityId, reservationId: IDS.reservation, transferId: IDS.transfer, inmateId: IDS.inmate };
const gjilan = {
  facilityId,
  name: 'Gjilan Correctional Facility (Danish-leased places)',
  country: 'XK' as const,
  operatingState: 'XK' as const,
  jurisdiction: 'leased' as const,
  lease: { lesseeState: 'DK' as const, treatyId: 'DK-XK-2022' },
  capacity: 300,
  units: [{ unitId: 'A', name: 'Wing A', capacity: 150 }, { unitId: 'B', name: 'Wing B', capacity: 150 }],
};
const kosovoStaff = { state: 'XK' as const, organisation: 'Kosovo Correctional Service', officer: 'Officer B. Krasniqi' };
const inmate = { inmateId: IDS.inmate, facilityId };
const admission = {
  ...inmate,
  transferId: IDS.transfer,
  reservationId: IDS.reservation,
  admission: {
    identity,
    commitment: { reason: 'Enforcement of a Danish sentence under the lease treaty', authority: { state: 'DK' as const, organisation: 'Danish Prison and Probation Service' }, warrantReference: 'DK-KRIM-2026-7781' },
    admittedAt: AT,
    propertyInventory: [{ description: 'Wristwatch', quantity: 1 }, { description: 'Clothing, set', quantity: 2 }],
    hasVisibleInjuries: false,
    health: { summary: 'No acute condition; takes no medication.', isFitForDetention: true, examinedBy: { state: 'XK' as const, organisation: 'Facility medical service', officer: 'Dr. V. Berisha' } },
  },
};
const placement = { securityLevel: 'medium' as const, medicalNeeds: ['Asthma inhaler within reach'], languages: ['ar', 'fr'], needsInterpreter: true };
const absence = { ...inmate, absenceId: IDS.absence };
const conditional = {
  ...inmate,
  conditions: ['Reside at the declared address', 'Report weekly to the probation service'],
  grantedBy: { state: 'AL' as const, organisation: 'Tirana District Court' },
  supervisingAuthority: { state: 'AL' as const, organisation: 'Probation Service of Albania' },
};
const clemency = { ...inmate, kind: 'amnesty' as const, grantedBy: { state: 'AL' as const, organisation: 'Parliament of Albania' }, reference: 'Law 2026/12', isFull: false, newSentenceEndDate: '2028-11-03' };
const release = { ...inmate, disposition: 'deported' as const, deportationOrderReference: 'DK-UDL-2025-44120', destinationState: 'AL' as const };

/** One example of every facility-level command. */
export const FACILITY_COMMAND_EXAMPLES: { [K in FacilityCommandType]: CommandPayload<K> } = {
  RegisterFacility: { ...base, ...gjilan },
  ChangeFacilityCapacity: { ...base, facilityId, capacity: 280, reason: 'Wing B partly closed for repairs.' },
  ReservePlace: { ...base, ...reservation, profile, expiresAt: '2026-05-15T00:00:00Z' },
  ReleaseReservation: { ...base, facilityId, reservationId: IDS.reservation, reason: 'The transfer was withdrawn.' },
  ExpireReservation: { ...base, facilityId, reservationId: IDS.reservation },
};

/** One example of every facility-level event. */
export const FACILITY_EVENT_EXAMPLES: { [K in FacilityEventType]: EventPayload<K> } = {
  FacilityRegistered: gjilan,
  FacilityCapacityChanged: { facilityId, previousCapacity: 300, capacity: 280, reason: 'Wing B partly closed for repairs.' },
  PlaceReserved: { ...reservation, expiresAt: '2026-05-15T00:00:00Z' },
  ReservationRefused: { ...reservation, code: 'CAPACITY_EXHAUSTED', reason: 'All 300 leased places are occupied or reserved.' },
  ReservationReleased: { ...reservation, reason: 'The transfer was withdrawn.' },
  ReservationExpired: reservation,
  PlaceOccupied: { facilityId, inmateId: IDS.inmate, reservationId: IDS.reservation },
  PlaceVacated: { facilityId, inmateId: IDS.inmate, reason: 'Deported to Albania.' },
};

/** One example of every command about a person in a facility. */
export const CUSTODY_COMMAND_EXAMPLES: { [K in CustodyCommandType]: CommandPayload<K> } = {
  AdmitInmate: { ...base, ...admission, admission: { ...admission.admission, placement } },
  AssignCell: { ...base, ...inmate, cell: 'A-112', unitId: 'A' },
  StartAbsence: { ...base, ...absence, kind: 'hospital', destination: 'Regional Hospital Gjilan', authority: kosovoStaff, expectedReturnAt: '2026-03-03T18:00:00Z' },
  EndAbsence: { ...base, ...absence },
  RecordEscape: { ...base, ...inmate, circumstances: 'Did not return from the exercise yard count at 16:00.', believedWhereabouts: 'DK' },
  RecordRecapture: { ...base, ...inmate, recapturedBy: { state: 'XK', organisation: 'Kosovo Police' }, place: 'Ferizaj', stateFoundIn: 'XK' },
  ReportInmateNotFound: { ...base, ...inmate, circumstances: 'Not found since the escape of 2 March; search continues.' },
  RecordDeathInCustody: { ...base, ...inmate, cause: 'Cardiac arrest', certifiedBy: { state: 'XK', organisation: 'Institute of Forensic Medicine' } },
  GrantConditionalRelease: { ...base, ...conditional },
  GrantPardonOrAmnesty: { ...base, ...clemency },
  RecordSentenceCompleted: { ...base, ...inmate, completedOn: '2029-11-03' },
  ReleaseInmate: { ...base, ...release },
};

/** One example of every event about a person in a facility. */
export const CUSTODY_EVENT_EXAMPLES: { [K in CustodyEventType]: EventPayload<K> } = {
  InmateAdmitted: {
    ...admission,
    admission: {
      ...admission.admission,
      identity: protectedIdentity,
      hasVisibleInjuries: encrypted('x1Jb3kQm9T_4vLrA', 'Vt7ccC8aWq0h2xYkP3nRmLsZ1fE'),
      health: {
        ...admission.admission.health,
        summary: encrypted('Qm2Lk9Xz4Wp7Vt1B', 'b8Hk2mQpWx0zLr4TyN7cVs3aJd9fGe6uKi1oPq5wRt8yUx2vBn4mZc7'),
        isFitForDetention: encrypted('Hn5Ty8Ur1Ie4Ow7P', 'Lp3Ks6Jd9Hf2Gg5Aa8Zx1Cv4Bn7'),
      },
      placement: {
        securityLevel: 'medium',
        medicalNeeds: encrypted('Rt6Yu9Io2Pa5Sd8F', 'Kx4Mn7Bv0Cz3Lq6Wp9Ej2Rt5Yu8Io1Pa4Sd7FgHh0Jk3'),
        languages: encrypted('Gh1Jk4Lz7Xc0Vb3N', 'Qw8Er5Ty2Ui9Op6As3Df0Gh'),
        needsInterpreter: encrypted('Zx2Cv5Bn8Mq1Wr4E', 'Ty7Ui0Op3As6Df9Gh2Jk5Lz8'),
      },
    },
    governingState: 'DK',
  },
  CellAssigned: { ...inmate, cell: 'A-112', unitId: 'A' },
  AbsenceStarted: { ...absence, kind: 'court', destination: 'Basic Court of Gjilan', authority: kosovoStaff },
  AbsenceEnded: absence,
  InmateEscaped: { ...inmate, circumstances: 'Did not return from the exercise yard count at 16:00.' },
  InmateRecaptured: { ...inmate, recapturedBy: { state: 'XK', organisation: 'Kosovo Police' }, place: 'Ferizaj', stateFoundIn: 'XK' },
  InmateCannotBeFound: { ...inmate, circumstances: 'Not found since the escape of 2 March; search continues.' },
  InmateDiedInCustody: { ...inmate, cause: 'Cardiac arrest', certifiedBy: { state: 'XK', organisation: 'Institute of Forensic Medicine' } },
  ConditionalReleaseGranted: conditional,
  PardonOrAmnestyGranted: clemency,
  SentenceCompleted: { ...inmate, completedOn: '2029-11-03' },
  InmateReleased: { ...inmate, disposition: 'returned-to-sending-state', handedTo: receiptSide },
  CustodyPersonalDataErased: {
    ...inmate, keyId: 'c3f8a1b2-7d4e-4c5f-9a6b-1e2d3c4b5a69', erasureEventId: IDS.event, sendingState: 'DK', ground: 'retention-expired',
    erasedFields: ['admission.identity.givenNames', 'admission.identity.familyName', 'admission.identity.dateOfBirth', 'admission.identity.documents', 'admission.hasVisibleInjuries', 'admission.health.summary', 'admission.health.isFitForDetention'],
  },
};

/** Events about a person in a facility at older schema versions still readable: type → version → payload. */
export const CUSTODY_LEGACY_EXAMPLES: Record<string, Record<number, object>> = {
  InmateAdmitted: { 1: { ...admission, governingState: 'DK' } },
};
