import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { Escort, HandOverParty } from '../common/authority';
import { CommandBase } from '../common/command-base';
import { IsId, IsInstant, IsIsoDate, IsText } from '../common/formats';
import { PlacementProfile } from '../custody/values';
import { CANCELLING_PARTIES, type CancellingParty } from './values';

/**
 * Transfer commands, second half: the place, the schedule, the two sides of the hand-over, and
 * the ends of a case (topic `custody.transfer.commands`).
 */

/** 2008/909 Art 15.2: an unforeseen obstacle stops the 30-day clock; it restarts with 10 days when it ends. */
export class ReportTransferObstacle extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsText(2000)
  description!: string;
}

export class EndTransferObstacle extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;
}

/** Ask the receiving facility to hold a place for this case (answered on `custody.facility.events`). */
export class RequestPlaceReservation extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  /** Chosen by the transfer service; the facility's reservation carries the same id. */
  @IsId()
  reservationId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => PlacementProfile)
  profile!: PlacementProfile;

  @IsOptional()
  @IsIsoDate()
  expectedArrivalOn?: string;
}

/** The facility reserved the place (sent by the transfer service on the facility's `PlaceReserved`). */
export class ConfirmPlaceReservation extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsId()
  reservationId!: string;

  @IsInstant()
  expiresAt!: string;
}

/** The facility refused the place, with its rejection code (e.g. `CAPACITY_EXHAUSTED`). */
export class DeclinePlaceReservation extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsId()
  reservationId!: string;

  @IsText(64)
  code!: string;

  @IsText(1000)
  reason!: string;
}

export class ScheduleTransfer extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsInstant()
  plannedDeparture!: string;

  @IsId()
  destinationFacilityId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Escort)
  escort!: Escort;

  @IsOptional()
  @IsText(500)
  route?: string;
}

/**
 * The sending side of the hand-over (Rule 11): the dispatching officer and organisation, the place;
 * the time is `occurredAt`. From here the person is in transit with the named escort (Rule 10).
 */
export class RecordDispatch extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => HandOverParty)
  dispatchedBy!: HandOverParty;

  @IsDefined()
  @ValidateNested()
  @Type(() => Escort)
  escort!: Escort;
}

/** The receiving side of the hand-over (Rule 11); custody passes only once both sides are recorded. */
export class RecordReceipt extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => HandOverParty)
  receivedBy!: HandOverParty;

  @IsId()
  facilityId!: string;
}

/** Rule 6: the sending state withdraws its request; allowed only before enforcement begins. */
export class WithdrawTransfer extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsText(2000)
  reason!: string;
}

export class CancelTransfer extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsIn(CANCELLING_PARTIES)
  cancelledBy!: CancellingParty;

  @IsText(2000)
  reason!: string;
}

/** The facility reported the admission: the case is complete. */
export class CompleteTransfer extends CommandBase {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  /** The id of the facility's `InmateAdmitted` event. */
  @IsId()
  admissionEventId!: string;
}
