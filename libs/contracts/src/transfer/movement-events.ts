import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsOptional, ValidateNested } from 'class-validator';
import { Escort, HandOverParty } from '../common/authority';
import { IsId, IsInstant, IsIsoDate, IsText } from '../common/formats';
import { PlacementProfile } from '../custody/values';
import { CANCELLING_PARTIES, type CancellingParty } from './values';

/** Transfer events, second half (topic `custody.transfer.events`), keyed by inmate id. */

export class TransferObstacleReportedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsText(2000)
  description!: string;
}

/**
 * `transferDueAt`: 10 days from the end of the obstacle (2008/909 Art 15.2), where a deadline runs;
 * absent under a basis that sets none (ETS 112, a lease). Version 2; version 1 always carried it.
 */
export class TransferObstacleEndedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsOptional()
  @IsInstant()
  transferDueAt?: string;
}

/** The custody service reserves (or refuses) a place when it sees this. */
export class PlaceReservationRequestedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

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

export class PlaceReservationConfirmedPayload {
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

/**
 * The facility refused the place (custody's ReservationRefused, with its code). The case asks
 * again with another reservation unless the refusal ends it (`isCaseEnded`, Rule 9).
 */
export class PlaceReservationDeclinedPayload {
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

  /** True when the refusal ends the case (the person may not be placed where the case must go); false when it may ask again. */
  @IsBoolean()
  isCaseEnded!: boolean;
}

/** Compensation: the case ended while holding a place; the custody service releases it. */
export class PlaceReleaseRequestedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsId()
  reservationId!: string;

  @IsText(1000)
  reason!: string;
}

export class TransferScheduledPayload {
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

/** Sending side of the hand-over; the person is now in transit with the named escort. */
export class CustodyDispatchedPayload {
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

/** Receiving side of the hand-over: custody and enforcement pass to the receiving state (Rules 11, 12). */
export class CustodyReceivedPayload {
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

export class TransferWithdrawnPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsText(2000)
  reason!: string;
}

export class TransferCancelledPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsIn(CANCELLING_PARTIES)
  cancelledBy!: CancellingParty;

  @IsText(2000)
  reason!: string;
}

export class TransferCompletedPayload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsId()
  facilityId!: string;

  @IsId()
  admissionEventId!: string;
}
