import type { Topic } from '../topics/topics';
import { AUDIT_CHECKPOINTS, AUDIT_FINDINGS, COMMAND_RESULTS } from './audit';
import { CUSTODY_COMMANDS, CUSTODY_EVENTS, FACILITY_COMMANDS, FACILITY_EVENTS } from './custody';
import type { MessageGroup, MessageKind, MessageSpec, PayloadClass, SubjectRule } from './define';
import { INTAKE_COMMANDS, INTAKE_EVENTS } from './intake';
import { TRANSFER_COMMANDS, TRANSFER_EVENTS } from './transfer';

/** Every group of the catalogue, commands first. */
export const MESSAGE_GROUPS = [
  INTAKE_COMMANDS, TRANSFER_COMMANDS, FACILITY_COMMANDS, CUSTODY_COMMANDS,
  INTAKE_EVENTS, TRANSFER_EVENTS, FACILITY_EVENTS, CUSTODY_EVENTS,
  AUDIT_FINDINGS, AUDIT_CHECKPOINTS, COMMAND_RESULTS,
] as const;

type Messages<G> = G extends MessageGroup<infer M> ? M : never;
type PayloadOf<S> = S extends MessageSpec<infer C> ? InstanceType<C> : never;

export type IntakeCommandType = keyof Messages<typeof INTAKE_COMMANDS>;
export type TransferCommandType = keyof Messages<typeof TRANSFER_COMMANDS>;
export type FacilityCommandType = keyof Messages<typeof FACILITY_COMMANDS>;
export type CustodyCommandType = keyof Messages<typeof CUSTODY_COMMANDS>;
export type IntakeEventType = keyof Messages<typeof INTAKE_EVENTS>;
export type TransferEventType = keyof Messages<typeof TRANSFER_EVENTS>;
export type FacilityEventType = keyof Messages<typeof FACILITY_EVENTS>;
export type CustodyEventType = keyof Messages<typeof CUSTODY_EVENTS>;
export type AuditFindingType = keyof Messages<typeof AUDIT_FINDINGS>;
export type CommandResultType = keyof Messages<typeof COMMAND_RESULTS>;

type CommandSpecs = Messages<typeof INTAKE_COMMANDS> & Messages<typeof TRANSFER_COMMANDS> &
  Messages<typeof FACILITY_COMMANDS> & Messages<typeof CUSTODY_COMMANDS>;
type EventSpecs = Messages<typeof INTAKE_EVENTS> & Messages<typeof TRANSFER_EVENTS> & Messages<typeof FACILITY_EVENTS> &
  Messages<typeof CUSTODY_EVENTS> & Messages<typeof AUDIT_FINDINGS> & Messages<typeof AUDIT_CHECKPOINTS> &
  Messages<typeof COMMAND_RESULTS>;

/** Every command type of the catalogue. */
export type CommandType = keyof CommandSpecs & string;
/** Every event type of the catalogue (findings, checkpoints and command results included). */
export type EventType = keyof EventSpecs & string;
/** Any message type. */
export type MessageType = CommandType | EventType;

/** The payload (body) of a command type: the class instance, e.g. `CommandPayload<'RegisterInmate'>`. */
export type CommandPayload<T extends CommandType> = PayloadOf<CommandSpecs[T]>;
/** The payload (`data`) of an event type at its current version. */
export type EventPayload<T extends EventType> = PayloadOf<EventSpecs[T]>;

/** A command as a decider sees it: a discriminated union on `type`, e.g. `Command<TransferCommandType>`. */
export type Command<T extends CommandType = CommandType> = { [K in T]: { type: K; data: CommandPayload<K> } }[T];

/**
 * An event as a decider emits and folds it: a discriminated union on `type`, at the current
 * schema version. A service adds `id` and `metadata` to store it (the event store's `NewEvent`).
 */
export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: { type: K; schemaVersion: number; data: EventPayload<K> };
}[T];

export type IntakeCommand = Command<IntakeCommandType>;
export type TransferCommand = Command<TransferCommandType>;
export type FacilityCommand = Command<FacilityCommandType>;
export type CustodyCommand = Command<CustodyCommandType>;
export type IntakeEvent = DomainEvent<IntakeEventType>;
export type TransferEvent = DomainEvent<TransferEventType>;
export type FacilityEvent = DomainEvent<FacilityEventType>;
export type CustodyEvent = DomainEvent<CustodyEventType>;
export type AuditFindingEvent = DomainEvent<AuditFindingType>;
export type CommandResult = DomainEvent<CommandResultType>;

/** One message type of the catalogue, flattened for lookups. */
export interface MessageDefinition {
  readonly type: MessageType;
  readonly kind: MessageKind;
  readonly topic: Topic;
  readonly source: string;
  readonly subject: SubjectRule;
  readonly summary: string;
  readonly version: number;
  readonly payload: PayloadClass;
  readonly legacy: Readonly<Record<number, PayloadClass>>;
}

/** Every message type of the catalogue, in catalogue order. */
export const MESSAGE_DEFINITIONS: readonly MessageDefinition[] = MESSAGE_GROUPS.flatMap((g) =>
  Object.entries(g.messages as Record<string, MessageSpec>).map(([type, spec]) => ({
    type: type as MessageType,
    kind: g.kind,
    topic: g.topic,
    source: g.source,
    ...spec,
  })),
);

const byType = new Map<string, MessageDefinition>(MESSAGE_DEFINITIONS.map((d) => [d.type, d]));

/** The definition of a message type, or undefined when the catalogue has no such type. */
export function findMessage(type: string): MessageDefinition | undefined {
  return byType.get(type);
}

/** True when the string is a command type of the catalogue. */
export function isCommandType(type: string): type is CommandType {
  return byType.get(type)?.kind === 'command';
}

/** True when the string is an event type of the catalogue. */
export function isEventType(type: string): type is EventType {
  return byType.get(type)?.kind === 'event';
}

/** The current schema version of a message type. */
export function currentVersion(type: MessageType): number {
  return byType.get(type)!.version;
}

/** The message types that go on a topic. */
export function messagesOnTopic(topic: Topic): MessageType[] {
  return MESSAGE_DEFINITIONS.filter((d) => d.topic === topic).map((d) => d.type);
}

/** The payload class of a message type at a version (current or legacy), or undefined. */
export function payloadClass(type: string, version: number): PayloadClass | undefined {
  const definition = byType.get(type);
  if (!definition) return undefined;
  return version === definition.version ? definition.payload : definition.legacy[version];
}
