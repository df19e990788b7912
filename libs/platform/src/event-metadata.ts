import { messageScope, type IdScope } from '@custody/event-sourcing';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { findMessage } from '@custody/contracts';
import type { Actor, EventMetadata } from '@custody/event-store';
import type { DecodedEvent } from '@custody/messaging';
import type { Principal, SecureRequest } from '@custody/security';
import { currentTraceparent } from './observability/trace-context';

/**
 * The actor of what nobody verified: a request served with AUTH_MODE=off or a command taken with
 * COMMAND_SIGNATURES=off (local development). It names no state, so that a record made this way
 * can never pass for a ministry's act.
 */
export const UNAUTHENTICATED_ACTOR: Readonly<Actor> = Object.freeze({ system: 'local-unauthenticated', verifiedBy: 'none' as const });

/**
 * The actor of an authenticated request: the state of the issuer that signed the token (never a
 * claim of the token or of a header), its subject, organisation and roles.
 */
export function principalActor(principal: Principal): Actor {
  return {
    state: principal.state,
    ...(principal.organisation ? { organisation: principal.organisation } : {}),
    subject: principal.subject,
    roles: [...principal.roles],
    verifiedBy: 'bearer-token',
  };
}

/** Who sends an HTTP command, as the request shows it once the security guard has run. */
export interface Caller {
  /** The verified principal; undefined when AUTH_MODE=off. */
  principal?: Principal;
  /** `X-Correlation-Id`, when the caller correlates its commands itself. */
  correlationId?: string;
  /** The trace the request runs in. */
  traceparent?: string;
}

const header = (request: SecureRequest, name: string): string | undefined => {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first ? first : undefined;
};

/** The caller of the request as {@link Caller}. `X-Actor-*` headers are not read: they are whatever the caller chose. */
export function callerOf(request: SecureRequest): Caller {
  const traceparent = currentTraceparent() ?? header(request, 'traceparent');
  const correlationId = header(request, 'x-correlation-id');
  return {
    ...(request.principal ? { principal: request.principal } : {}),
    ...(correlationId ? { correlationId } : {}),
    ...(traceparent ? { traceparent } : {}),
  };
}

/** The caller of an HTTP command route (see {@link commandMetadata}). */
export const CommandCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => callerOf(context.switchToHttp().getRequest<SecureRequest>()));

/**
 * The metadata of the events an HTTP command causes: correlated by the caller's `X-Correlation-Id`
 * or the command id, caused by the command, in the request's trace, and acted by the verified
 * principal ({@link principalActor}), or by {@link UNAUTHENTICATED_ACTOR} when AUTH_MODE=off.
 * `X-Actor-State`, `X-Actor-Organisation` and `X-Actor-Officer` are ignored, not refused: in a
 * record meant to prove who did what, only what was verified is written.
 */
export function commandMetadata(command: { commandId: string; occurredAt: string; lateRecordingReason?: string }, caller: Caller): EventMetadata {
  return {
    correlationId: caller.correlationId ?? command.commandId,
    causationId: command.commandId,
    occurredAt: command.occurredAt,
    actor: caller.principal ? principalActor(caller.principal) : { ...UNAUTHENTICATED_ACTOR },
    ...(caller.traceparent ? { traceparent: caller.traceparent } : {}),
    ...lateRecording(command),
  };
}

/** Why a command's act is recorded late, kept with its events (docs/domain.md, Rule 17). */
function lateRecording(data: unknown): { lateRecordingReason?: string } {
  const reason = (data as { lateRecordingReason?: unknown } | undefined)?.lateRecordingReason;
  return typeof reason === 'string' && reason !== '' ? { lateRecordingReason: reason } : {};
}

/**
 * The actor of a message from Kafka. A command's is its verified signer (the state of the key
 * that signed it, and the key's id), or {@link UNAUTHENTICATED_ACTOR} when COMMAND_SIGNATURES=off:
 * the `ce_actor*` headers of a command are the sender's claim (only the state is checked, against
 * the signature). An event's is the one the service that recorded it established, passed on.
 */
export function messageActor(message: DecodedEvent): Actor | undefined {
  const signer = message.extensions.signer as { state?: string; kid?: string } | undefined;
  if (signer?.state) return { state: signer.state, ...(signer.kid ? { subject: signer.kid } : {}), verifiedBy: 'command-signature' };
  if (findMessage(message.type)?.kind === 'command') return { ...UNAUTHENTICATED_ACTOR };
  const actor = message.extensions.actor as Actor | undefined;
  return actor && Object.keys(actor).length > 0 ? actor : undefined;
}

/**
 * The metadata of the events a message from Kafka causes: correlated with it, caused by it, in its
 * trace (or the handler's), acted by {@link messageActor}; a command's late-recording reason is
 * kept with its events (an event's is its own, not passed on to what it causes).
 */
export function messageMetadata(message: DecodedEvent): EventMetadata {
  const actor = messageActor(message);
  const traceparent = message.traceparent ?? currentTraceparent();
  return {
    correlationId: message.correlationId ?? message.id,
    causationId: message.id,
    occurredAt: message.occurredAt,
    ...(actor ? { actor } : {}),
    ...(traceparent ? { traceparent } : {}),
    ...(findMessage(message.type)?.kind === 'command' ? lateRecording(message.data) : {}),
  };
}

/**
 * Who caused the events a service derives from another service's event: that event's source
 * (ce_source) and id, for {@link eventIds} (docs/adr/0014-namespaced-event-ids.md).
 */
export function causedBy(message: DecodedEvent): IdScope {
  const source = message.extensions['source'];
  return messageScope({ id: message.id, ...(typeof source === 'string' ? { source } : {}) });
}
