import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { catchError, isObservable, lastValueFrom, type Observable, throwError } from 'rxjs';
import type { DecodedEvent, MessageDecoder } from '../codec';
import {
  EventConsumer, type CommandResultSource, type ConsumerLog, type ConsumerOutcome, type ConsumerStatus, type EventConsumerOptions, type EventHandler, type HandlerContext, type PartitionLag,
} from '../consumer';
import type { InboxTransaction, PostgresInbox } from '../inbox';
import type { RetryPolicy, TransientRetryPolicy } from '../retry';

/** A transport misuse found while starting: the application cannot consume. */
export class KafkaTransportError extends Error {
  constructor(
    readonly code: 'DUPLICATE_HANDLER' | 'TRANSPORT_CLOSED' | 'NOT_BOOTSTRAPPED',
    message: string,
  ) {
    super(message);
    this.name = 'KafkaTransportError';
  }
}

/**
 * A handler's failure that reached the transport without its own error, e.g. a guard's refusal
 * turned by an exception filter into a plain object: classified by its cause (failures.ts), as
 * any failure.
 */
export class HandlerFailedError extends Error {
  readonly code = 'HANDLER_FAILED';
  constructor(override readonly cause: unknown) {
    super(typeof cause === 'object' && cause !== null && 'message' in cause ? String((cause as { message: unknown }).message) : String(cause), { cause });
    this.name = 'HandlerFailedError';
  }
}

/**
 * The error each handler call threw, by its context object. Nest's exception filters turn a
 * handler's error into an answer for the caller (a plain `{ status, message }` by default): the
 * consumer needs the error itself (a PermanentHandlerError is dead-lettered at once, any other is
 * retried), so the interceptor keeps it here before the filters see it.
 */
const handlerErrors = new WeakMap<object, unknown>();

/**
 * Keeps the error a Kafka handler threw for the transport (see handlerErrors); lets every other
 * call (HTTP) through untouched. MessagingModule provides it as a global interceptor.
 */
@Injectable()
export class HandlerErrorInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const handlerContext = context.switchToRpc().getContext<object>();
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (typeof handlerContext === 'object' && handlerContext !== null) handlerErrors.set(handlerContext, error);
        return throwError(() => error);
      }),
    );
  }
}

/** What the transport needs to run a service's consumer. */
export interface KafkaInboxServerOptions<Tx extends InboxTransaction = InboxTransaction> {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  decoder: MessageDecoder;
  inbox: PostgresInbox<Tx>;
  retry?: RetryPolicy;
  transientRetry?: TransientRetryPolicy;
  commandResults?: CommandResultSource;
  transactionBatchSize?: number;
  /** The group membership's timing and this instance's name in the group (EventConsumerOptions). */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  instanceId?: string;
  /** Partitions worked on at once, each in order (EventConsumerOptions.partitionsConsumedConcurrently). */
  partitionsConcurrently?: number;
  onOutcome?: (outcome: ConsumerOutcome) => void;
  onRevisionGap?: EventConsumerOptions<InboxTransaction>['onRevisionGap'];
  onCommitted?: EventConsumerOptions<InboxTransaction>['onCommitted'];
  log?: ConsumerLog;
  /** Checked before anything starts: throws when the application is not ready to consume. */
  beforeStart?: () => void;
  /** Wraps each call of a registered handler (tracing, log context), read at each call. */
  wrap?: (handler: EventHandler<InboxTransaction>) => EventHandler<InboxTransaction>;
}

/**
 * The Kafka side of a Nest application as a microservice transport: the handlers are the
 * `@EventPattern(type)` / `@MessagePattern(type)` methods of controllers, the pattern being the
 * event or command type (ce_type), each called with `@Payload()` the DecodedEvent and `@Ctx()`
 * the HandlerContext (the inbox transaction and setAside). listen() starts an EventConsumer
 * with them: decoding, the inbox, retries, dead letters, heartbeats, batching and shutdown stay
 * the consumer's. A handler's result (Promise or Observable) is awaited, so the inbox
 * transaction commits only after the effect; a handler's error reaches the consumer as thrown.
 */
export class KafkaInboxServer extends Server implements CustomTransportStrategy {
  private consumer?: EventConsumer<InboxTransaction>;
  private starting?: Promise<void>;
  private closing?: Promise<void>;

  constructor(private readonly options: KafkaInboxServerOptions) {
    super();
  }

  /** Migrates the inbox, prepares the decoder and starts the consumer; then calls back (or with the error). */
  listen(callback: (error?: unknown) => void): void {
    this.starting = this.start();
    this.starting.then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  private async start(): Promise<void> {
    if (this.closing) throw new KafkaTransportError('TRANSPORT_CLOSED', `the Kafka transport of ${this.options.groupId} was closed before it started`);
    this.options.beforeStart?.();
    const handlers = this.handlersByType();
    const withoutInbox = this.typesWithoutInbox();
    await this.options.inbox.migrate();
    const wrap = this.options.wrap ?? ((handler: EventHandler<InboxTransaction>) => handler);
    this.consumer = new EventConsumer<InboxTransaction>({
      kafka: this.options.kafka,
      groupId: this.options.groupId,
      topics: this.options.topics,
      decoder: this.options.decoder,
      inbox: this.options.inbox,
      withoutInbox: (type) => withoutInbox.has(type),
      retry: this.options.retry,
      transientRetry: this.options.transientRetry,
      commandResults: this.options.commandResults,
      transactionBatchSize: this.options.transactionBatchSize,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      instanceId: this.options.instanceId,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      handlerFor: (type) => {
        const handler = handlers.get(type);
        return handler ? wrap(handler) : undefined;
      },
      onOutcome: this.options.onOutcome,
      onRevisionGap: this.options.onRevisionGap,
      onCommitted: this.options.onCommitted,
      log: this.options.log,
    });
    await this.options.decoder.prepare?.();
    await this.consumer.start();
  }

  /** Stops fetching, lets the message in flight finish and commits; once, however often it is called. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.starting?.catch(() => undefined);
      await this.consumer?.stop();
    })();
    return this.closing;
  }

  /** The consumer's connection and assignment: neither connected nor joined until listen() started it (readiness waits for it). */
  consumerStatus(): ConsumerStatus {
    return this.consumer?.status() ?? { groupId: this.options.groupId, connected: false, joined: false, assignment: {}, blocked: [] };
  }

  /** The group's lag per partition; empty before listen(). */
  async lag(): Promise<PartitionLag[]> {
    return this.consumer ? this.consumer.lag() : [];
  }

  on(): never {
    throw new Error('KafkaInboxServer has no events to listen to: status, lag and outcomes are on MessagingHost');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  /**
   * The types whose handler was declared `@EventPattern(type, { inbox: false })`: idempotent by its
   * own writes, run without an inbox claim (docs/adr/0014-namespaced-event-ids.md, "The ledger's consumer").
   */
  private typesWithoutInbox(): Set<string> {
    const types = new Set<string>();
    for (const [type, handler] of this.getHandlers()) if (handler.extras?.inbox === false) types.add(type);
    return types;
  }

  /** One handler per type, as the consumer dispatches: Nest chains a second event handler of a pattern, refused here. */
  private handlersByType(): Map<string, EventHandler<InboxTransaction>> {
    const handlers = new Map<string, EventHandler<InboxTransaction>>();
    for (const [type, handler] of this.getHandlers()) {
      if (handler.next) throw new KafkaTransportError('DUPLICATE_HANDLER', `Two handlers for event type ${type}: one consumer has one handler per type`);
      handlers.set(type, (event, context) => this.call(handler, event, context));
    }
    return handlers;
  }

  private async call(handler: MessageHandler, event: DecodedEvent, context: HandlerContext<InboxTransaction>): Promise<void> {
    let failure: unknown;
    try {
      const result = await handler(event, context);
      // With interceptors the handler runs only when its Observable is subscribed to.
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    } catch (error) {
      failure = error instanceof Error ? error : new HandlerFailedError(error);
    }
    // The handler's own error wins over what a filter made of it, even an answer that swallowed it:
    // a failure must roll back its transaction and be retried or dead-lettered.
    if (handlerErrors.has(context)) throw handlerErrors.get(context);
    if (failure) throw failure;
  }
}
