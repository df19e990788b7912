import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional } from 'class-validator';
import { JsonSchemaRule } from '../common/json-schema-rule';
import { IsId, IsText } from '../common/formats';

/** The invariants the audit service checks on every person's (and facility's) record. */
export const INVARIANTS = [
  'single-custodian', // Rule 10: exactly one custodian and one place at every instant
  'two-sided-hand-over', // Rule 11: custody passes only through both sides of a hand-over
  'consent-present', // Rule 5
  'deadline-met-or-recorded', // Rule 7
  'lease-capacity', // Rule 9: occupancy never above the leased capacity
  'deportation-order-on-lease-release', // Rule 9
  'admission-record-complete', // Rule 14
  'history-complete', // no event of a recorded stream missing: an EVENT_MISSING finding names the stream and the revision (docs/architecture.md, "Completeness")
  'event-ids-unique', // no event id recorded twice with other content: an EVENT_ID_CONFLICT finding names the id and both senders (docs/adr/0014-namespaced-event-ids.md)
  'recorded-in-time', // Rule 17: an act recorded more than COMMAND_LATE_RECORDING_DAYS after it happened is listed, with the reason its recording service kept
  'event-signatures-valid', // no event on a service's topic without its publisher's valid signature: an EVENT_SIGNATURE_INVALID finding names the refused event, its claimed source and signer (docs/adr/0013-signed-events.md)
] as const;
export type Invariant = (typeof INVARIANTS)[number];

/** Audit findings (topic `custody.audit.findings`), keyed by inmate id, or facility id for a facility's. */
@JsonSchemaRule({ anyOf: [{ required: ['inmateId'] }, { required: ['facilityId'] }] })
export class FindingRaisedPayload {
  @IsId()
  findingId!: string;

  @IsIn(INVARIANTS)
  invariant!: Invariant;

  @IsOptional()
  @IsId()
  inmateId?: string;

  @IsOptional()
  @IsId()
  facilityId?: string;

  @IsText(2000)
  description!: string;

  /** The ledger's events that show the violation. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsId({ each: true })
  evidenceEventIds!: string[];
}

/** A finding resolved, typically by late evidence (e.g. the missing side of a hand-over arrived). */
@JsonSchemaRule({ anyOf: [{ required: ['inmateId'] }, { required: ['facilityId'] }] })
export class FindingResolvedPayload {
  @IsId()
  findingId!: string;

  @IsIn(INVARIANTS)
  invariant!: Invariant;

  @IsOptional()
  @IsId()
  inmateId?: string;

  @IsOptional()
  @IsId()
  facilityId?: string;

  @IsText(2000)
  resolution!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsId({ each: true })
  evidenceEventIds!: string[];
}
