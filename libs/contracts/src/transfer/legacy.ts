import { IsId, IsInstant } from '../common/formats';

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
