import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, Matches, Max, Min, ValidateNested } from 'class-validator';
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

/**
 * The message a topic-level finding is about: one a consumer refused off a topic (its signature,
 * say) that names no person or facility, e.g. garbage under a forged signature header. What it
 * claims (id, type, source, key id) is as it came, unverified (docs/adr/0013-signed-events.md).
 */
export class RefusedMessage {
  /** The contract's topic it was read from (no prefix). */
  @Matches(/^custody\.[a-z0-9][a-z0-9.-]{0,200}$/, { message: '$property must be a topic of the contract (custody.…)' })
  topic!: string;

  @IsInt()
  @Min(0)
  @Max(1_000_000)
  partition!: number;

  /** Its offset on the partition, in decimal (a Kafka offset is a 64-bit integer). */
  @Matches(/^(0|[1-9]\d{0,18})$/, { message: '$property must be a Kafka offset in decimal' })
  offset!: string;

  /** The code of the refusal, e.g. EVENT_SIGNATURE_INVALID. */
  @Matches(/^[A-Z][A-Z0-9_]{0,63}$/, { message: '$property must be a refusal code such as EVENT_SIGNATURE_INVALID' })
  reasonCode!: string;

  /** The event id it claims (`ce_id`), if any. */
  @IsOptional()
  @IsText(200)
  eventId?: string;

  /** The event type it claims (`ce_type`), if any. */
  @IsOptional()
  @IsText(200)
  type?: string;

  /** The source it claims (`ce_source`), if any. */
  @IsOptional()
  @IsText(200)
  source?: string;

  /** The key id its signature names, if any could be read. */
  @IsOptional()
  @IsText(200)
  kid?: string;
}

/**
 * Audit findings (topic `custody.audit.findings`), keyed by inmate id, or facility id for a
 * facility's, or, for a topic-level finding (version 2), by the topic of the refused message it
 * names (`refusedMessage`; subject `topic/<topic>`).
 */
@JsonSchemaRule({ anyOf: [{ required: ['inmateId'] }, { required: ['facilityId'] }, { required: ['refusedMessage'] }] })
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

  /** A topic-level finding's message: one refused off a topic that names no person or facility (version 2). */
  @IsOptional()
  @ValidateNested()
  @Type(() => RefusedMessage)
  refusedMessage?: RefusedMessage;

  @IsText(2000)
  description!: string;

  /** The ledger's events that show the violation (for a refused message: its id, or one derived from its place on the topic). */
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
