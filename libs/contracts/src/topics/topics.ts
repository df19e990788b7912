import { isStateCode } from '../common/state-codes';

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
 * The topic of one state's command results, `custody.command-results.<STATE>` (`BE` →
 * `custody.command-results.BE`): the results of the commands that state signed, which that state's
 * ministry alone is meant to read (docs/adr/0015-command-results-per-state.md). `state` is the
 * acting state as the domain writes it, an ISO 3166-1 alpha-2 code or `XK`; anything else is a
 * TypeError (a topic name is never made of an unchecked string). The shared topic
 * `custody.command-results` ({@link TOPICS}.commandResults) carries what no state can be named for,
 * and, while the migration lasts, a copy of every result.
 */
export function commandResultsTopic(state: string): `${typeof TOPICS.commandResults}.${string}` {
  if (!isStateCode(state)) throw new TypeError(`${JSON.stringify(state)} is not a state code (ISO 3166-1 alpha-2, or XK): no command results topic is named after it`);
  return `${TOPICS.commandResults}.${state}`;
}

/** The state whose results topic a name is (`custody.command-results.BE` → `BE`), or undefined. */
export function stateOfCommandResultsTopic(name: string): string | undefined {
  const prefix = `${TOPICS.commandResults}.`;
  if (!name.startsWith(prefix)) return undefined;
  const state = name.slice(prefix.length);
  return isStateCode(state) ? state : undefined;
}

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

/** True when the name is a topic of the contract (a state's results topic included) or the dead-letter twin of one. */
export function isContractTopic(name: string): boolean {
  const topic = name.endsWith('.dlq') ? name.slice(0, -4) : name;
  return (ALL_TOPICS as readonly string[]).includes(topic) || stateOfCommandResultsTopic(topic) !== undefined;
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
