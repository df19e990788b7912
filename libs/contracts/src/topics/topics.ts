/**
 * Kafka topics of the contract. Each service consumes its `commands` topic and publishes its
 * `events` topic; every consumed topic has a dead-letter twin `<topic>.dlq`. Partition counts are
 * configuration, not contract.
 */
export const TOPICS = {
  intakeCommands: 'custody.intake.commands',
  intakeEvents: 'custody.intake.events',
  transferCommands: 'custody.transfer.commands',
  transferEvents: 'custody.transfer.events',
  facilityCommands: 'custody.facility.commands',
  facilityEvents: 'custody.facility.events',
  auditFindings: 'custody.audit.findings',
  auditCheckpoints: 'custody.audit.checkpoints',
  commandResults: 'custody.command-results',
} as const;

/** A topic of the contract. */
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/**
 * The services that publish each topic (their relays sign what they publish, docs/adr/0013-signed-events.md):
 * a consumer accepts an event of a topic only signed by one of its publishers' keys. Commands
 * topics are the ministries' (signed by them, ce_signature) and have none.
 */
export const TOPIC_PUBLISHERS: Readonly<Partial<Record<Topic, readonly string[]>>> = {
  'custody.intake.events': ['intake'],
  'custody.transfer.events': ['transfer'],
  'custody.facility.events': ['custody'],
  'custody.audit.findings': ['audit'],
  'custody.audit.checkpoints': ['audit'],
  'custody.command-results': ['intake', 'transfer', 'custody'],
};

/** Every topic of the contract, in a stable order. */
export const ALL_TOPICS: readonly Topic[] = Object.values(TOPICS);

/** The dead-letter topic of a consumed topic: `custody.intake.commands` → `custody.intake.commands.dlq`. */
export function deadLetterTopic(topic: Topic): `${Topic}.dlq` {
  return `${topic}.dlq`;
}

/** True when the name is a topic of the contract or the dead-letter twin of one. */
export function isContractTopic(name: string): boolean {
  return (ALL_TOPICS as readonly string[]).includes(name.endsWith('.dlq') ? name.slice(0, -4) : name);
}

/**
 * Headers a dead-lettered message carries beside its original headers, so an operator sees why
 * it was set aside and where it came from.
 */
export const DEAD_LETTER_HEADERS = {
  code: 'dlq_code',
  reason: 'dlq_reason',
  originalTopic: 'dlq_original_topic',
  originalPartition: 'dlq_original_partition',
  originalOffset: 'dlq_original_offset',
  failedAt: 'dlq_failed_at',
  attempts: 'dlq_attempts',
} as const;
