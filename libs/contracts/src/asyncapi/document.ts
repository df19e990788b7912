import { type MessageDefinition, MESSAGE_DEFINITIONS } from '../catalogue/catalogue';
import type { Envelope } from '../envelope/envelope';
import { toKafkaMessage } from '../envelope/write';
import { EXAMPLES, LEGACY_EXAMPLES } from '../examples/examples';
import { IDS } from '../examples/fixtures';
import { REJECTIONS } from '../rejections/codes';
import { ALL_TOPICS, deadLetterTopic, DEAD_LETTER_HEADERS, TOPICS, type Topic } from '../topics/topics';
import { findUpcaster } from '../versioning/read-event';
import { envelopeHeaders } from './headers';
import { type JsonSchema, payloadSchemas, SCHEMA_POINTER } from './schemas';

/** The contract's version, in the document's `info.version`. */
export const CONTRACT_VERSION = '1.0.0';

/** One entry of the document per message type and schema version: `InmateRegistered`, `InmateRegisteredV1`. */
export interface PublishedMessage {
  name: string;
  definition: MessageDefinition;
  version: number;
  schemaName: string;
  example: object;
  isCurrent: boolean;
}

/** Every message of the document: the current version of each type, then older readable versions. */
export function publishedMessages(): PublishedMessage[] {
  return MESSAGE_DEFINITIONS.flatMap((definition) => [
    { name: definition.type, definition, version: definition.version, schemaName: definition.payload.name, example: EXAMPLES[definition.type], isCurrent: true },
    ...Object.entries(definition.legacy).map(([version, payload]) => ({
      name: `${definition.type}V${version}`,
      definition,
      version: Number(version),
      schemaName: payload.name,
      example: LEGACY_EXAMPLES[definition.type][Number(version)],
      isCurrent: false,
    })),
  ]);
}

const channelName = (topic: string) => topic.replace(/^custody\./, '').replace(/[.-](\w)/g, (_m, c: string) => c.toUpperCase());

function exampleEnvelope(message: PublishedMessage): Envelope {
  const data = message.example as Record<string, unknown>;
  const isCommand = message.definition.kind === 'command';
  return {
    id: isCommand ? String(data.commandId) : IDS.event,
    type: message.definition.type,
    schemaVersion: message.version,
    data,
    metadata: {
      correlationId: IDS.command,
      ...(isCommand ? {} : { causationId: IDS.command }),
      actor: { state: 'BE', organisation: 'FPS Justice', system: 'be-justice-integration' },
      occurredAt: isCommand ? String(data.occurredAt) : '2026-03-02T09:30:00Z',
    },
    ...(isCommand ? {} : { recordedAt: '2026-03-02T09:30:01.250Z' }),
  };
}

function messageObject(message: PublishedMessage): JsonSchema {
  const { definition, version } = message;
  const produced = toKafkaMessage(exampleEnvelope(message));
  const upcaster = findUpcaster(definition.type, version);
  return {
    name: definition.type,
    title: message.isCurrent ? definition.type : `${definition.type} (schema version ${version})`,
    summary: definition.summary,
    ...(message.isCurrent
      ? {}
      : { description: `Older schema version, still readable: consumers upcast it on read. ${upcaster ? upcaster.change : ''}`.trim() }),
    contentType: 'application/json',
    headers: {
      allOf: [
        { $ref: `${SCHEMA_POINTER}${definition.kind === 'command' ? 'CommandHeaders' : 'EventHeaders'}` },
        { type: 'object', properties: { ce_type: { const: definition.type }, ce_schemaversion: { const: String(version) } } },
      ],
    },
    payload: { $ref: `${SCHEMA_POINTER}${message.schemaName}` },
    correlationId: { location: '$message.header#/ce_correlationid' },
    bindings: {
      kafka: {
        key: { type: 'string', description: keyDescription(definition) },
        bindingVersion: '0.5.0',
      },
    },
    examples: [{ name: `${message.name}Example`, summary: definition.summary, headers: produced.headers, payload: message.example }],
    'x-schema-version': version,
  };
}

function keyDescription(definition: MessageDefinition): string {
  switch (definition.subject) {
    case 'inmate': return 'The inmate id (order per person).';
    case 'facility': return 'The facility id (order per facility).';
    case 'inmate-or-facility': return 'The inmate id, or the facility id for a facility-level finding.';
    case 'inmate-facility-or-topic': return 'The inmate id, or the facility id for a facility-level finding, or the topic (e.g. `custody.transfer.events`) for a topic-level finding about a refused message that names neither.';
    case 'ledger': return 'The constant `ledger`.';
    case 'command': return 'The correlation id of the command answered.';
  }
}

const TOPIC_DESCRIPTIONS: Record<Topic, string> = {
  'custody.intake.commands': 'Commands to the intake service (the sending state\'s inmate record).',
  'custody.intake.events': 'Events of the inmate record.',
  'custody.transfer.commands': 'Commands to the transfer service; the receiving ministry records its decision here.',
  'custody.transfer.events': 'Events of transfer cases.',
  'custody.facility.commands': 'Commands to the custody service: facilities, reservations, and persons held.',
  'custody.facility.events': 'Events of facilities and of persons held, including the receiving state\'s reports.',
  'custody.audit.findings': 'Invariant violations found by the audit service, and their resolution.',
  'custody.audit.checkpoints': 'Signed checkpoints of the audit ledger.',
  'custody.command-results':
    'The shared results topic, for operators only: the results of commands no verified state can be named for (unsigned, signed by no configured key, ' +
    'or too broken to read), and, while the migration to per-state topics lasts (COMMAND_RESULTS_SHARED_TOPIC=on), a copy of every result. ' +
    'Retired for ministries: each reads its own state\'s topic, custody.command-results.{state}.',
};

/** The channel of each state's results (docs/adr/0015-command-results-per-state.md). */
const RESULTS_OF_STATE = {
  name: 'commandResultsOfState',
  description:
    'One result per command a state signed and sent on Kafka: accepted or rejected, keyed by correlation id. One topic per state, ' +
    'named after the acting state of the command (the state of the key that signed it), which that state\'s ministry alone may read: ' +
    'a rejection may name another state\'s legal holds and dates. The services create the topic of each state whose command-signing ' +
    'key they are configured with (COMMAND_SIGNERS).',
};

const CONSUMED_BY_US = (topic: Topic) => topic.endsWith('.commands') || topic.endsWith('.events');

/** The AsyncAPI 3.0 document of the contract, built from the catalogue. */
export function buildAsyncApiDocument(): JsonSchema {
  const messages = publishedMessages();
  const channels: JsonSchema = {};
  const operations: JsonSchema = {};
  for (const topic of ALL_TOPICS) {
    const onTopic = messages.filter((m) => m.definition.topic === topic);
    const refs = Object.fromEntries(onTopic.map((m) => [m.name, { $ref: `#/components/messages/${m.name}` }]));
    const name = channelName(topic);
    channels[name] = { address: topic, title: topic, description: TOPIC_DESCRIPTIONS[topic], messages: refs };
    const isCommands = topic.endsWith('.commands');
    operations[isCommands ? `receive${name[0].toUpperCase()}${name.slice(1)}` : `send${name[0].toUpperCase()}${name.slice(1)}`] = {
      action: isCommands ? 'receive' : 'send',
      channel: { $ref: `#/channels/${name}` },
      summary: isCommands ? `The service consumes ${topic}.` : `The backend publishes ${topic}.`,
      messages: onTopic.map((m) => ({ $ref: `#/channels/${name}/messages/${m.name}` })),
    };
    if (CONSUMED_BY_US(topic)) {
      const dlq = deadLetterTopic(topic);
      const dlqName = `${name}Dlq`;
      channels[dlqName] = {
        address: dlq,
        title: dlq,
        description: `Messages of ${topic} that could not be processed, with the reason in the headers ${Object.values(DEAD_LETTER_HEADERS).join(', ')}. Nothing is dropped silently.`,
        messages: refs,
      };
      operations[`send${dlqName[0].toUpperCase()}${dlqName.slice(1)}`] = {
        action: 'send',
        channel: { $ref: `#/channels/${dlqName}` },
        summary: `Dead-letters what could not be processed from ${topic}.`,
        messages: onTopic.map((m) => ({ $ref: `#/channels/${dlqName}/messages/${m.name}` })),
      };
    }
  }
  // Each state's results: the messages of the shared results topic, on a topic of the state's own.
  const results = messages.filter((m) => m.definition.topic === TOPICS.commandResults);
  channels[RESULTS_OF_STATE.name] = {
    address: `${TOPICS.commandResults}.{state}`,
    title: `${TOPICS.commandResults}.<STATE>`,
    description: RESULTS_OF_STATE.description,
    parameters: {
      state: { description: 'The acting state of the command answered: an ISO 3166-1 alpha-2 code, or XK for Kosovo.', examples: ['BE', 'AL', 'DK', 'XK'] },
    },
    messages: Object.fromEntries(results.map((m) => [m.name, { $ref: `#/components/messages/${m.name}` }])),
  };
  operations.sendCommandResultsOfState = {
    action: 'send',
    channel: { $ref: `#/channels/${RESULTS_OF_STATE.name}` },
    summary: `The backend publishes each result on ${TOPICS.commandResults}.{state}, the topic of the command's acting state.`,
    messages: results.map((m) => ({ $ref: `#/channels/${RESULTS_OF_STATE.name}/messages/${m.name}` })),
  };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Cross-border custody tracking: message contract',
      version: CONTRACT_VERSION,
      description: [
        'Commands and events exchanged with justice ministries over Apache Kafka.',
        'Every message is a CloudEvents 1.0 event in Kafka binary mode: ce_* headers, content-type application/json, the payload as the value.',
        'Keys: the inmate id for messages about a person, the facility id for facility-level ones, the correlation id for command results.',
        'A ministry reads the results of its commands on custody.command-results.{state}, its own state\'s topic; the shared custody.command-results is for operators and is being retired.',
        'Producers not using kafkajs must hash keys with murmur2 (librdkafka: partitioner=murmur2_random).',
        'Events say where they lie in their publisher\'s stream (ce_stream, ce_streamrevision, ce_streamprevious): a reader that keeps the last revision it saw of each stream can tell when an event is missing; a redelivery repeats a revision and is no gap.',
        'A breaking change is a new schema version (ce_schemaversion), never an edit; older versions stay readable.',
        'Rejections carry a stable code: see the RejectionCode schema for each code and what to do about it.',
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: 'localhost:9092', protocol: 'kafka', description: 'The local broker of the development stack.' },
    },
    channels,
    operations,
    components: {
      messages: Object.fromEntries(messages.map((m) => [m.name, messageObject(m)])),
      schemas: {
        CommandHeaders: envelopeHeaders('command'),
        EventHeaders: envelopeHeaders('event'),
        RejectionCode: {
          type: 'string',
          description: 'Stable machine-readable codes of CommandRejected (and of ReservationRefused and PlaceReservationDeclined); new codes may be added, none is renamed.',
          oneOf: Object.entries(REJECTIONS).map(([code, rejection]) => ({ const: code, description: rejection.message })),
        },
        ...payloadSchemas(),
      },
    },
  };
}
