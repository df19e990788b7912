import { Type } from 'class-transformer';
import { IsDefined, ValidateNested } from 'class-validator';
import { Authority } from '../common/authority';
import { IsId, IsInstant, IsLanguage, IsText } from '../common/formats';

/**
 * PlaceReservationDeclined, schema version 1 (frozen): every refusal of a place ended the case.
 * Version 2 says whether it does (`isCaseEnded`); a v1 event is lifted with `isCaseEnded: true`,
 * which is what it meant when it was written.
 */
export class PlaceReservationDeclinedV1Payload {
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

/**
 * TransferObstacleEnded, schema version 1 (frozen): `transferDueAt` required, since an obstacle
 * could be reported only where 2008/909's physical-transfer deadline ran. Version 2 makes it
 * optional (an obstacle under a basis without deadlines); a v1 event is lifted unchanged.
 */
export class TransferObstacleEndedV1Payload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsInstant()
  transferDueAt!: string;
}

/**
 * InmateOpinionRecorded, schema version 1 (frozen): the opinion in clear. Version 2 holds it
 * encrypted under the person's data key; a v1 event is lifted unchanged (a clear value is valid
 * where an encrypted one is expected, as in intake's events written before encryption).
 */
export class InmateOpinionRecordedV1Payload {
  @IsId()
  transferId!: string;

  @IsId()
  inmateId!: string;

  @IsText(4000)
  opinion!: string;

  @IsLanguage()
  language!: string;

  @IsDefined()
  @ValidateNested()
  @Type(() => Authority)
  recordedBy!: Authority;
}
