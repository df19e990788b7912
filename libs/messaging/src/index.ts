export { createKafka, custodyPartitioner, removeGroupMember } from './kafka';
export { ArrivalWatch, partitionOfKey, unconsumed } from './arrivals';
export type { ArrivalWatchOptions, PartitionPosition, PendingArrival } from './arrivals';
export type { KafkaSettings } from './kafka';
export { ensureTopics, ensureDeadLetterTopics, deadLetterTopic, replicationOf, withReplication } from './topics';
export type { TopicSettingDrift, TopicSpec } from './topics';
export { backoffDelay, DEFAULT_RETRY_POLICY, DEFAULT_TRANSIENT_RETRY_POLICY, jitteredDelay } from './retry';
export type { RetryPolicy, TransientRetryPolicy } from './retry';
export { classifyFailure } from './failures';
export type { ClassifiedFailure, FailureKind } from './failures';
export type { InboundMessage, DecodedEvent, DecodeFailure, DecodeResult, MessageDecoder } from './codec';
export { sendToDeadLetter } from './dead-letter';
export { contractDecoder, contractRoute, TopicNames, verifiedActingState, type CommandResultRouting } from './contract-codec';
export type { DeadLetterReason } from './dead-letter';
export { INBOX_MIGRATIONS, messageDigest, PostgresInbox } from './inbox';
export type { InboxKey, InboxTransaction, TransactionRunner, InboxOutcome } from './inbox';
export { decodeSafely, EVENT_ID_CONFLICT, EventConsumer, PermanentHandlerError } from './consumer';
export type {
  BlockedMessage, CommandResultSource, ConsumerLog, EventConsumerOptions, EventHandler, HandlerContext, ConsumerOutcome, ConsumerStatus, PartitionLag,
} from './consumer';
export { Relay, RelayLockLostError, writeRelayCheckpoint } from './relay';
export type { RelayOptions, RelayLag, RelayRoute, OutboundMessage } from './relay';
export { PublishedRevisions, RevisionWatch } from './stream-revisions';
export type { RevisionGap, StreamReader } from './stream-revisions';
export {
  producerPublisher, RecordingPartitioner, RELAY_CHECKPOINT_TOPIC, RelayFencedError, RelayPartialSendError, relayTransactionalId,
  RelayUnsafeRetryError, splitByLeader, transactionalPublisher, unacknowledgedPartitions, unsafeRetry,
} from './relay-publishers';
export type { RelayPublisher, RelayTerm, TopicMessages, TransactionalPublisherOptions } from './relay-publishers';
export { platformaticConnection, platformaticMessages, platformaticPublisher, RELAY_CLIENTS, relayPublisher } from './relay-publisher-platformatic';
export type { PlatformaticPublisherOptions, RelayClient } from './relay-publisher-platformatic';
export { kafkaTransport, MessagingModule, MessagingHost, MESSAGING_OPTIONS } from './nest/messaging.module';
export { HandlerErrorInterceptor, HandlerFailedError, KafkaInboxServer, KafkaTransportError } from './nest/kafka-inbox.server';
export type { KafkaInboxServerOptions } from './nest/kafka-inbox.server';
export type { ConsumerRevisionGap, MessagingOptions, HandlerInterceptor } from './nest/messaging.module';
export { COMMAND_REFUSED, refuseInDecoder, refusedCommand, refusalId } from './refusals';
export type { CommandRefusal, RefusedEnvelope } from './refusals';
export { kafkaSecurity } from './kafka-security';
export type { KafkaSecurityVariables } from './kafka-security';
export {
  aclBindings, AclTableError, applyAcls, checkCredentials, deploymentOf, describeBinding, generateCredentials, parseAclTable, readAclTable, secureBroker,
  upsertScramUsers, usersOf,
} from './acl';
export type { AclBinding, AclDeployment, AclRule, KafkaCredentials, ScramUser } from './acl';
