import { Injectable } from '@nestjs/common';
import type { CommandRejection, CustodyCommandType, FacilityCommandType } from '@custody/contracts';
import type { DecodedEvent } from '@custody/messaging';
import { messageRights, signerRefusal, signerStateOf, type CommandRight, type ResourceJurisdiction } from '@custody/security';
import { FacilityCommands, facilityStream } from './facility.commands';
import type { RegisteredFacility } from './facility.decider';
import { facilityJurisdiction } from './facility.jurisdiction';

const OPERATOR = ['operator'] as const;
const FACILITY_STATES = ['operator', 'lessee'] as const;

/**
 * Which state may issue each command on custody.facility.commands, with its ministry's signature,
 * by its relation to the facility the command names. The operating state registers its facility
 * and keeps its places (capacity, expiry). Places are held and released by the operating state or,
 * in a leased facility, by the lessee whose prisoners they are for. A person's custody record,
 * from the admission on, is the governing state's: in a leased facility the lessee's, whose law
 * and sentence still apply (Denmark in Gjilan; the host provides building and staff, and sees the
 * occupancy but not the file), otherwise the operating state's, which took over enforcement. The
 * same as over HTTP (custody:write, the receiving state of the record).
 */
export const CUSTODY_COMMAND_RIGHTS = {
  RegisterFacility: OPERATOR,
  ChangeFacilityCapacity: OPERATOR,
  ExpireReservation: OPERATOR,
  ReservePlace: FACILITY_STATES,
  ReleaseReservation: FACILITY_STATES,
  AdmitInmate: 'governing',
  AssignCell: 'governing',
  StartAbsence: 'governing',
  EndAbsence: 'governing',
  RecordEscape: 'governing',
  RecordRecapture: 'governing',
  ReportInmateNotFound: 'governing',
  RecordDeathInCustody: 'governing',
  GrantConditionalRelease: 'governing',
  GrantPardonOrAmnesty: 'governing',
  RecordSentenceCompleted: 'governing',
  ReleaseInmate: 'governing',
} as const satisfies Record<FacilityCommandType | CustodyCommandType, CommandRight | 'governing'>;

export type CustodyCommandRight = (typeof CUSTODY_COMMAND_RIGHTS)[keyof typeof CUSTODY_COMMAND_RIGHTS];

/** The relations a command's right asks of the signer's state, for this facility. */
export function rightAt(right: CustodyCommandRight, facility: Pick<RegisteredFacility, 'jurisdiction'>): CommandRight {
  if (right !== 'governing') return right;
  return facility.jurisdiction === 'leased' ? ['lessee'] : OPERATOR;
}

/** What the decoder checks from the message alone: a facility is registered by the state that operates it. */
export const CUSTODY_MESSAGE_RIGHTS = messageRights({ RegisterFacility: CUSTODY_COMMAND_RIGHTS.RegisterFacility }, {
  RegisterFacility: (data): ResourceJurisdiction => ({ kind: 'facility', operatorState: data.operatingState as string }),
});

/** The check of a signer's right against the facility its command names, as the facility's stream has it. */
@Injectable()
export class FacilityRights {
  constructor(private readonly facilities: FacilityCommands) {}

  /**
   * UNAUTHORISED_ACTOR when the state that signed the command may not issue it for the facility it
   * names; undefined when it may, when the command came unsigned (COMMAND_SIGNATURES=off), or when
   * no facility has this id (the decider answers FACILITY_NOT_FOUND; a registration was checked by
   * the decoder). A facility's operating state and lessee never change once it is registered.
   */
  async refusal(message: DecodedEvent): Promise<CommandRejection | undefined> {
    const signerState = signerStateOf(message);
    if (!signerState) return undefined;
    const type = message.type as keyof typeof CUSTODY_COMMAND_RIGHTS;
    const { facilityId } = message.data as { facilityId: string };
    const state = await this.facilities.registration(facilityStream(facilityId));
    if (state.status !== 'registered') return undefined;
    return signerRefusal(signerState, type, facilityJurisdiction(state), rightAt(CUSTODY_COMMAND_RIGHTS[type], state));
  }
}
