import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { commandResultsTopic, findMessage, isCommandType, isStateCode, toKafkaMessage, TOPIC_PUBLISHERS, TOPICS } from '@custody/contracts';
import { contractDecoder, createKafka, custodyPartitioner, TopicNames, type DecodedEvent, type KafkaSettings } from '@custody/messaging';
import { EventSignatureVerifier, signCommand, signedFieldsOf, type PublisherKey } from '@custody/security';
import type { Consumer, Producer } from 'kafkajs';

/** Who sends: the ministry's state and organisation (and the officer), and its command-signing key. */
export interface MinistryIdentity {
  /** ISO 3166-1 alpha-2 code of the acting state, e.g. BE. */
  state: string;
  organisation: string;
  officer?: string;
  /** The ministry's command-signing key (ES256: an EC P-256 key; RS256: an RSA key); absent: commands go unsigned. */
  signingKey?: { kid: string; privateKey: KeyObject };
}

/** A command as a ministry writes it: its type and its body (the body's commandId is made when absent). */
export interface CommandFile {
  type: string;
  data: Record<string, unknown>;
}

/** The Kafka message of a command, ready to produce, with the topic the contract names for it. */
export interface PreparedCommand {
  topic: string;
  commandId: string;
  correlationId: string;
  key: string;
  value: string;
  headers: Record<string, string>;
  /**
   * Where its result comes: the sending state's own results topic, custody.command-results.<STATE>,
   * for a signed command; for an unsigned one, which no state can be named for, the shared
   * custody.command-results, which only operators may read once the migration is over
   * (docs/adr/0015-command-results-per-state.md).
   */
  resultsTopic: string;
}

/** A command's result as the results topics carry it. */
export interface CommandResult {
  type: 'CommandAccepted' | 'CommandRejected';
  data: Record<string, unknown>;
}

/** A refusal of the client itself (a command it cannot build), with a sentence naming what is wrong. */
export class ClientUsageError extends Error {
  readonly code = 'CLIENT_USAGE';
}

/** The services that publish command results, whichever results topic carries them (docs/adr/0015-command-results-per-state.md). */
export const RESULT_PUBLISHERS: readonly string[] = TOPIC_PUBLISHERS[TOPICS.commandResults]!;

/**
 * A message of a results topic refused for its event signature (missing, by a key not given, by a
 * key of a service that does not publish results, or not over this message): never delivered as a
 * result (docs/adr/0013-signed-events.md; docs/security.md, "Threats"). `commandId` is the one its
 * unverified body claims, if any.
 */
export class ResultSignatureError extends Error {
  readonly code = 'RESULT_SIGNATURE_INVALID';

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    readonly type: string | undefined,
    readonly commandId: string | undefined,
    readonly reason: string,
  ) {
    super(`RESULT_SIGNATURE_INVALID: ${type ?? 'a message'}${commandId ? ` for command ${commandId}` : ''} on ${topic} (partition ${partition}, offset ${offset}) was refused: ${reason}`);
    this.name = 'ResultSignatureError';
  }
}

/** How the client checks the results it reads. */
export interface ResultVerification {
  /**
   * The public keys of the services that publish results (intake, transfer, custody), as the
   * services' EVENT_PUBLISHER_KEYS names them (parsePublisherKeys of @custody/security reads that
   * JSON). Each result must carry a valid event signature (ce_eventsignature) by one of them.
   */
  publisherKeys?: readonly PublisherKey[];
  /** Local development against services that sign nothing: results delivered unverified. Never with publisherKeys. */
  unverified?: boolean;
}

/** The signing algorithm a key fits: ES256 for an EC P-256 key, RS256 for an RSA key. */
export function algorithmOf(key: KeyObject): 'ES256' | 'RS256' {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new ClientUsageError(`the signing key must be an RSA key (RS256) or an EC P-256 key (ES256), not ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim());
}

/** Reads a ministry's private key (PKCS#8 or traditional PEM). */
export function loadSigningKey(pem: string, kid: string): NonNullable<MinistryIdentity['signingKey']> {
  const privateKey = createPrivateKey(pem);
  algorithmOf(privateKey);
  return { kid, privateKey };
}

/**
 * Builds the Kafka message of a command as the contract wants it: the CloudEvents headers (id =
 * commandId, type, schema version, the acting party, the correlation id), the key the contract
 * derives from the body, the topic the catalogue names, and, with a signing key, the detached JWS
 * in ce_signature over the exact value, the command id and type, the acting organisation and
 * officer and the correlation id. The body is validated by the contract here, so that a
 * mistake is named before anything is sent.
 */
export async function prepareCommand(command: CommandFile, sender: MinistryIdentity, names = new TopicNames()): Promise<PreparedCommand> {
  if (!isCommandType(command.type)) throw new ClientUsageError(`${command.type} is not a command of the contract (custody-ministry example lists them)`);
  if (!isStateCode(sender.state)) throw new ClientUsageError(`the acting state must be an ISO 3166-1 alpha-2 code in capitals (or XK), not ${JSON.stringify(sender.state)}`);
  const definition = findMessage(command.type)!;
  const commandId = typeof command.data.commandId === 'string' ? command.data.commandId : randomUUID();
  const data: Record<string, unknown> = { ...command.data, commandId };
  const occurredAt = typeof data.occurredAt === 'string' ? data.occurredAt : undefined;
  if (!occurredAt) throw new ClientUsageError('the body needs occurredAt: the instant of the act (ISO 8601 with a zone)');
  const correlationId = commandId;
  const message = toKafkaMessage({
    id: commandId,
    type: command.type,
    schemaVersion: definition.version,
    data,
    metadata: { correlationId, occurredAt, actor: { state: sender.state, organisation: sender.organisation, ...(sender.officer ? { officer: sender.officer } : {}) } },
  });
  const headers: Record<string, string> = { ...message.headers };
  if (sender.signingKey) {
    // The signature covers the value, the command id and type, the acting organisation and officer
    // and the correlation id, as the headers carry them (docs/security.md, "Kafka: signed commands").
    headers.ce_signature = await signCommand(message.value, sender.signingKey.privateKey, {
      kid: sender.signingKey.kid,
      algorithm: algorithmOf(sender.signingKey.privateKey),
      ...signedFieldsOf(headers),
    });
  }
  const resultsTopic = names.physical(sender.signingKey ? commandResultsTopic(sender.state) : TOPICS.commandResults);
  return { topic: names.physical(definition.topic), commandId, correlationId, key: message.key, value: message.value, headers, resultsTopic };
}

/** The ministry's connection to the broker: send commands and wait for their results, read topics. */
export class MinistryClient {
  private readonly kafka;
  private producer?: Producer;
  private readonly consumers = new Set<Consumer>();
  private readonly verifier?: EventSignatureVerifier;

  constructor(
    settings: KafkaSettings,
    readonly names = new TopicNames(),
    /** The ministry's state: its consumer groups are `custody.ministry.<STATE>.…`, the only ones the broker's ACLs let it join (docs/security.md). */
    readonly state?: string,
    private readonly verification: ResultVerification = {},
  ) {
    if (state !== undefined && !isStateCode(state)) throw new ClientUsageError(`the ministry's state must be an ISO 3166-1 alpha-2 code in capitals (or XK), not ${JSON.stringify(state)}`);
    if (verification.unverified && verification.publisherKeys?.length) throw new ClientUsageError('results are either verified with the publishers\' keys or, in local development, unverified: not both');
    if (verification.publisherKeys?.length) {
      const services = new Set(verification.publisherKeys.map((k) => k.service));
      if (!RESULT_PUBLISHERS.some((service) => services.has(service))) {
        throw new ClientUsageError(`no key of ${RESULT_PUBLISHERS.join(', ')}, the services that publish results, among the publisher keys (${[...services].join(', ')})`);
      }
      try {
        this.verifier = new EventSignatureVerifier(verification.publisherKeys);
      } catch (error) {
        throw new ClientUsageError(`the publisher keys cannot be used: ${(error as Error).message}`);
      }
    }
    this.kafka = createKafka(settings);
  }

  /** A consumer group of this ministry's own, for one reader. */
  private groupId(purpose: 'tail' | 'results'): string {
    const id = randomUUID();
    return this.state ? `${this.names.physical(`custody.ministry.${this.state}.${purpose}`)}-${id}` : `custody-ministry-${purpose}-${id}`;
  }

  /**
   * Sends a prepared command and, unless `timeoutMs` is 0, waits for its result on its results
   * topic (the command's `resultsTopic`, the sending state's own unless `resultsTopic` says
   * otherwise; matched by command id). The reader joins before the command is sent, so that a fast
   * answer is not missed; it reads from the end of the topic, never old results.
   *
   * Each result is verified before it is taken: it must carry a valid event signature by a key of
   * the client's `publisherKeys` belonging to a service that publishes results. A message that
   * does not is never delivered: it is reported to `onRefused` (a ResultSignatureError) and the
   * wait goes on for a genuine result; when none comes in time after a refusal for this command,
   * `send` rejects with that ResultSignatureError. Waiting without keys is refused unless the
   * client was made `unverified` (docs/security.md, "Command results are verified by the client").
   */
  async send(command: PreparedCommand, options: { timeoutMs: number; resultsTopic?: string; onRefused?: (refusal: ResultSignatureError) => void }): Promise<CommandResult | undefined> {
    if (options.timeoutMs > 0 && !this.verifier && !this.verification.unverified) {
      throw new ClientUsageError('the results cannot be verified: give the public keys of the services that publish them (publisherKeys; --publisher-keys or MINISTRY_PUBLISHER_KEYS), or send without waiting');
    }
    const waiting = options.timeoutMs > 0 ? await this.resultOf(command.commandId, options.resultsTopic ?? command.resultsTopic, options.timeoutMs, options.onRefused) : undefined;
    this.producer ??= this.kafka.producer({ createPartitioner: custodyPartitioner, allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    await this.producer.send({ topic: command.topic, acks: -1, messages: [{ key: command.key, value: command.value, headers: command.headers }] });
    return waiting?.();
  }

  /** Prints (through `onEvent`) each message of a topic, decoded by the contract; stops after `max` or when `signal` aborts. */
  async tail(topic: string, options: { fromBeginning: boolean; max?: number; signal?: AbortSignal }, onEvent: (event: DecodedEvent | { undecodable: string; offset: string }) => void): Promise<number> {
    const consumer = this.kafka.consumer({ groupId: this.groupId('tail') });
    this.consumers.add(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning });
    const decoder = contractDecoder(this.names);
    let seen = 0;
    await new Promise<void>((done) => {
      const finish = () => done();
      options.signal?.addEventListener('abort', finish, { once: true });
      void consumer.run({
        eachMessage: async ({ topic: from, partition, message }) => {
          if (options.max !== undefined && seen >= options.max) return;
          const decoded = decoder.decode({ topic: from, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers ?? {} });
          onEvent(decoded.ok ? decoded.event : { undecodable: `${decoded.failure.code}: ${decoded.failure.reason}`, offset: message.offset });
          seen++;
          if (options.max !== undefined && seen >= options.max) finish();
        },
      });
    });
    return seen;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    await this.producer?.disconnect();
  }

  /**
   * Starts reading the results topic from where it ends now (its end offsets are taken before the
   * command is sent, so that no answer can slip in before the reader's starting point); the returned
   * function waits for the command's result.
   */
  private async resultOf(commandId: string, topic: string, timeoutMs: number, onRefused?: (refusal: ResultSignatureError) => void): Promise<() => Promise<CommandResult | undefined>> {
    const admin = this.kafka.admin();
    await admin.connect();
    let ends: Map<number, bigint>;
    try {
      if (!(await admin.listTopics()).includes(topic)) {
        throw new ClientUsageError(`the results topic ${topic} does not exist: the services create a state's topic when its command-signing key is in their COMMAND_SIGNERS (or give --results-topic)`);
      }
      ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({ groupId: this.groupId('results') });
    this.consumers.add(consumer);
    let resolve!: (result: CommandResult) => void;
    const result = new Promise<CommandResult>((r) => (resolve = r));
    let refused: ResultSignatureError | undefined;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (BigInt(message.offset) < (ends.get(partition) ?? 0n)) return;
        const type = message.headers?.ce_type?.toString();
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>;
        } catch {
          data = {};
        }
        if (this.verifier) {
          // The signature first: nothing of a message whose signature does not hold is taken (docs/adr/0013-signed-events.md).
          const check = this.verifier.check({ key: message.key, value: message.value, headers: message.headers }, RESULT_PUBLISHERS);
          if (!check.ok) {
            const claimed = typeof data?.commandId === 'string' ? data.commandId.slice(0, 200) : undefined;
            const refusal = new ResultSignatureError(topic, partition, message.offset, type?.slice(0, 200), claimed, check.reason);
            if (claimed === commandId) refused = refusal;
            onRefused?.(refusal);
            return;
          }
        }
        if (type !== 'CommandAccepted' && type !== 'CommandRejected') return;
        if (data?.commandId === commandId) resolve({ type, data });
      },
    });
    // Skip what was there before rather than read it.
    for (const [partition, offset] of ends) consumer.seek({ topic, partition, offset: offset.toString() });
    return async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs)));
      try {
        const answer = await Promise.race([result, timeout]);
        if (answer === undefined && refused) throw refused;
        return answer;
      } finally {
        clearTimeout(timer);
      }
    };
  }
}
