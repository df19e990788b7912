import * as custodyCommands from '../custody/custody-commands';
import * as custodyEvents from '../custody/custody-events';
import * as facilityCommands from '../custody/facility-commands';
import * as facilityEvents from '../custody/facility-events';
import { InmateAdmittedV1Payload } from '../custody/legacy';
import { TOPICS } from '../topics/topics';
import { group, message } from './define';

const SOURCE = '/custody/facility';

/** Facility-level commands (capacity, reservations): `custody.facility.commands`, keyed by facility. */
export const FACILITY_COMMANDS = group(TOPICS.facilityCommands, 'command', SOURCE, {
  RegisterFacility: message(facilityCommands.RegisterFacility, 'facility', 'Registers a facility: country, operating state, jurisdiction, capacity.'),
  ChangeFacilityCapacity: message(facilityCommands.ChangeFacilityCapacity, 'facility', 'Changes the facility\'s capacity.'),
  ReservePlace: message(facilityCommands.ReservePlace, 'facility', 'Holds a place for a coming transfer.'),
  ReleaseReservation: message(facilityCommands.ReleaseReservation, 'facility', 'Releases a held place.'),
  ExpireReservation: message(facilityCommands.ExpireReservation, 'facility', 'Expires a held place (sent by the expiry timer).'),
});

/** Facility-level events: `custody.facility.events`, keyed by facility. */
export const FACILITY_EVENTS = group(TOPICS.facilityEvents, 'event', SOURCE, {
  FacilityRegistered: message(facilityEvents.FacilityRegisteredPayload, 'facility', 'A facility was registered.'),
  FacilityCapacityChanged: message(facilityEvents.FacilityCapacityChangedPayload, 'facility', 'The capacity changed.'),
  PlaceReserved: message(facilityEvents.PlaceReservedPayload, 'facility', 'A place is held for a transfer.'),
  ReservationRefused: message(facilityEvents.ReservationRefusedPayload, 'facility', 'A place was refused, with a rejection code.'),
  ReservationReleased: message(facilityEvents.ReservationReleasedPayload, 'facility', 'A held place was released.'),
  ReservationExpired: message(facilityEvents.ReservationExpiredPayload, 'facility', 'A held place expired.'),
  PlaceOccupied: message(facilityEvents.PlaceOccupiedPayload, 'facility', 'An admitted person took a place.'),
  PlaceVacated: message(facilityEvents.PlaceVacatedPayload, 'facility', 'A place was freed.'),
});

/** Commands about a person in a foreign facility: `custody.facility.commands`, keyed by inmate. */
export const CUSTODY_COMMANDS = group(TOPICS.facilityCommands, 'command', SOURCE, {
  AdmitInmate: message(custodyCommands.AdmitInmate, 'inmate', 'Admits a person with the admission record of European Prison Rules 15.1.'),
  AssignCell: message(custodyCommands.AssignCell, 'inmate', 'Assigns a cell.'),
  StartAbsence: message(custodyCommands.StartAbsence, 'inmate', 'Starts a temporary absence under a named authority.'),
  EndAbsence: message(custodyCommands.EndAbsence, 'inmate', 'Ends a temporary absence.'),
  RecordEscape: message(custodyCommands.RecordEscape, 'inmate', 'Records an escape.'),
  RecordRecapture: message(custodyCommands.RecordRecapture, 'inmate', 'Records a recapture.'),
  ReportInmateNotFound: message(custodyCommands.ReportInmateNotFound, 'inmate', 'Reports that the person cannot be found.'),
  RecordDeathInCustody: message(custodyCommands.RecordDeathInCustody, 'inmate', 'Records a death in custody.'),
  GrantConditionalRelease: message(custodyCommands.GrantConditionalRelease, 'inmate', 'Grants conditional release.'),
  GrantPardonOrAmnesty: message(custodyCommands.GrantPardonOrAmnesty, 'inmate', 'Records a pardon or amnesty.'),
  RecordSentenceCompleted: message(custodyCommands.RecordSentenceCompleted, 'inmate', 'Records that the sentence is completed.'),
  ReleaseInmate: message(custodyCommands.ReleaseInmate, 'inmate', 'Releases the person: released, deported, or returned to the sending state.'),
});

/** Events about a person in a foreign facility: `custody.facility.events`, keyed by inmate. */
export const CUSTODY_EVENTS = group(TOPICS.facilityEvents, 'event', SOURCE, {
  InmateAdmitted: message(custodyEvents.InmateAdmittedPayload, 'inmate', 'The person was admitted; the receiving side is custodian.', {
    version: 2,
    legacy: { 1: InmateAdmittedV1Payload },
  }),
  CellAssigned: message(custodyEvents.CellAssignedPayload, 'inmate', 'A cell was assigned.'),
  AbsenceStarted: message(custodyEvents.AbsenceStartedPayload, 'inmate', 'A temporary absence started.'),
  AbsenceEnded: message(custodyEvents.AbsenceEndedPayload, 'inmate', 'A temporary absence ended.'),
  InmateEscaped: message(custodyEvents.InmateEscapedPayload, 'inmate', 'The person escaped (reported to the sending state).'),
  InmateRecaptured: message(custodyEvents.InmateRecapturedPayload, 'inmate', 'The person was recaptured.'),
  InmateCannotBeFound: message(custodyEvents.InmateCannotBeFoundPayload, 'inmate', 'The person cannot be found (reported to the sending state).'),
  InmateDiedInCustody: message(custodyEvents.InmateDiedInCustodyPayload, 'inmate', 'The person died in custody.'),
  ConditionalReleaseGranted: message(custodyEvents.ConditionalReleaseGrantedPayload, 'inmate', 'Conditional release was granted (reported to the sending state).'),
  PardonOrAmnestyGranted: message(custodyEvents.PardonOrAmnestyGrantedPayload, 'inmate', 'A pardon or amnesty was granted (reported to the sending state).'),
  SentenceCompleted: message(custodyEvents.SentenceCompletedPayload, 'inmate', 'The sentence is completed (reported to the sending state).'),
  InmateReleased: message(custodyEvents.InmateReleasedPayload, 'inmate', 'The person left the facility for good.'),
  CustodyPersonalDataErased: message(custodyEvents.CustodyPersonalDataErasedPayload, 'inmate', 'Following the sending state\'s erasure, custody destroyed its data key for the person (Rule 16).'),
});
