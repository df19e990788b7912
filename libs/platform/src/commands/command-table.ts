import { Body, Controller, createParamDecorator, type ExecutionContext, HttpCode, HttpException, Inject, Param, Post, Res, type Type } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ContractViolation, MESSAGE_GROUPS, type Topic } from '@custody/contracts';
import type { DecodedEvent, HandlerContext } from '@custody/messaging';
import { Requires, type Action, type JurisdictionResolver, type SecureRequest } from '@custody/security';
import { type Caller, CommandCaller } from '../event-metadata';
import { type CommandAnswer, HttpCommandAnswers } from './http-answers';
import { type AnswerTransaction, KafkaCommandAnswers } from './kafka-answers';

/**
 * A command's HTTP route. Its `path` is under the table's prefix; each `:name` in it is a UUID that
 * must equal the body's field of the same name (`:transferId/consent` → `body.transferId`), or the
 * route answers 400 VALIDATION_FAILED naming the field.
 */
export interface CommandRoute {
  path: string;
  summary: string;
  /** The action of the policy the caller needs (docs/security.md). */
  permission: Action;
  /** The service's resolver of the states the command's resource belongs to, for scoped actions. */
  jurisdiction?: Type<JurisdictionResolver>;
  /** 201 for a command that creates what it names (the default for a route on the prefix itself), 200 otherwise. */
  status?: 200 | 201;
  /** The route's OpenAPI tag, when it is not the table's. */
  tag?: string;
}

/**
 * One command of a service, declared once (docs/architecture.md, "adding a command"): its
 * contract type and class, its HTTP route if ministries may send it over HTTP, and whether the
 * service takes it from its commands topic (by default it does).
 */
export interface CommandRow<T extends string = string> {
  type: T;
  /** The contract's class of the command's body: the validation pipe and the OpenAPI document read it. */
  body: Type<object>;
  http?: CommandRoute;
  kafka?: boolean;
}

/** How a service executes the commands of its table, once for HTTP and once for Kafka. */
export interface CommandPort<T extends string = string, Tx = unknown> {
  /**
   * Executes a command of an HTTP route; the answer is the route's body. `answer` records it in
   * the unit of work of the command's effect (see {@link CommandAnswer}): a resend of the command
   * is then answered from it without running again.
   */
  http(type: T, body: { commandId: string; occurredAt: string }, caller: Caller, answer: CommandAnswer): Promise<unknown>;
  /** Executes a command from the commands topic, in the inbox transaction, recording its result. */
  kafka(type: T, event: DecodedEvent, context: HandlerContext<Tx>): Promise<void>;
}

export interface CommandTable<T extends string = string> {
  /** The name of the generated classes (`<name>Commands` for HTTP, `<name>CommandHandlers` for Kafka). */
  name: string;
  /** The HTTP prefix of the routes, e.g. `transfers`. */
  prefix: string;
  /** The OpenAPI tag of the routes. */
  tag: string;
  rows: ReadonlyArray<CommandRow<T>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `:name` parameters of a route's path, in order. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z]\w*)/g)].map((match) => match[1]);
}

/**
 * Each path parameter must be a UUID and name what the body names (compared without case, as
 * UUIDs are): 400 VALIDATION_FAILED listing every field that does not.
 */
export function checkPath(names: readonly string[], values: readonly string[], body: Record<string, unknown>): void {
  const problems = names.flatMap((name, index) => {
    const value = values[index];
    if (!UUID.test(value)) return [{ path: name, problem: `${name} in the path must be a UUID` }];
    const inBody = body?.[name];
    if (typeof inBody !== 'string' || inBody.toLowerCase() !== value.toLowerCase()) {
      return [{ path: name, problem: `${name} must be ${value.toLowerCase()}, the ${name} of the path` }];
    }
    return [];
  });
  if (problems.length > 0) throw new ContractViolation('VALIDATION_FAILED', problems);
}

/** The header a client may name a command's key in, as payment APIs do: it must be the body's commandId. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Set on an answer given again from the stored one. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** The request's body as the client sent it, and its Idempotency-Key: what the stored answer is keyed and compared by. */
const CommandRequest = createParamDecorator((_data: unknown, context: ExecutionContext): { raw: unknown; idempotencyKey?: string } => {
  const request = context.switchToHttp().getRequest<SecureRequest & { body?: unknown }>();
  const header = request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  const idempotencyKey = Array.isArray(header) ? header[0] : header;
  return { raw: request.body, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) };
});

const IDEMPOTENCY_DESCRIPTION =
  'Optional: the command\'s key, as payment APIs name it. It must be the body\'s commandId (400 VALIDATION_FAILED otherwise): '
  + 'a command\'s key is its commandId, header or not. A command sent again with the same commandId by the same state, with the same body, '
  + 'is answered with the status and body of its first answer (rejections included), with the header Idempotent-Replayed: true, and runs once.';

const REUSED_DESCRIPTION =
  'The rules refuse the command (e.g. DATE_IN_FUTURE), or IDEMPOTENCY_KEY_REUSED: its commandId was already used for another command '
  + '(another body, another route, or another state); nothing of that command is told.';

/** `RecordConsent` → `recordConsent`: the method of a command, for operation ids and logs. */
const methodOf = (type: string) => type.charAt(0).toLowerCase() + type.slice(1);

function decorate(prototype: object, method: string, implementation: (...args: never[]) => unknown, parameters: Type[], decorators: MethodDecorator[], argumentDecorators: ParameterDecorator[]): void {
  Object.defineProperty(implementation, 'name', { value: method });
  Object.defineProperty(prototype, method, { value: implementation, writable: true, configurable: true, enumerable: false });
  Reflect.defineMetadata('design:paramtypes', parameters, prototype, method);
  argumentDecorators.forEach((decorator, index) => decorator(prototype, method, index));
  const descriptor = Object.getOwnPropertyDescriptor(prototype, method)!;
  for (const decorator of [...decorators].reverse()) decorator(prototype, method, descriptor);
  Object.defineProperty(prototype, method, descriptor);
}

/**
 * The HTTP routes and the Kafka handlers of a service's commands, made from its table: one route
 * per row with `http` (its permission, jurisdiction, OpenAPI summary and body schema) and one
 * `@EventPattern(type)` handler per row taken from Kafka, both delegating to the service's
 * {@link CommandPort}. Register `http` and `kafka` as controllers of the service's module, with the
 * port as a provider.
 */
export function commandControllers<T extends string>(table: CommandTable<T>, port: Type<CommandPort<T>>): { http: Type; kafka: Type } {
  @ApiTags(table.tag)
  @Controller(table.prefix)
  class Routes {
    constructor(
      @Inject(port) readonly port: CommandPort<T>,
      @Inject(HttpCommandAnswers) readonly answers: HttpCommandAnswers,
    ) {}
  }
  Object.defineProperty(Routes, 'name', { value: `${table.name}Commands` });

  @Controller()
  class Handlers {
    constructor(
      @Inject(port) readonly port: CommandPort<T>,
      @Inject(KafkaCommandAnswers) readonly answers: KafkaCommandAnswers,
    ) {}
  }
  Object.defineProperty(Handlers, 'name', { value: `${table.name}CommandHandlers` });

  for (const row of table.rows) {
    const method = methodOf(row.type);
    if (row.http) {
      const { path, summary, permission, jurisdiction } = row.http;
      const names = pathParameters(path);
      const status = row.http.status ?? (names.length === 0 ? 201 : 200);
      const route = async function (this: Routes, ...args: unknown[]) {
        const values = args.slice(0, names.length) as string[];
        const body = args[names.length] as Parameters<CommandPort<T>['http']>[1];
        const caller = args[names.length + 1] as Caller;
        const { raw, idempotencyKey } = args[names.length + 2] as { raw: unknown; idempotencyKey?: string };
        const response = args[names.length + 3] as { setHeader(name: string, value: string): void };
        checkPath(names, values, body as unknown as Record<string, unknown>);
        // docs/adr/0010-http-idempotency-by-command-id.md: answered once, given again to a resend.
        const answer = await this.answers.answer(
          { type: row.type, status, raw, ...(idempotencyKey === undefined ? {} : { idempotencyKey }), caller },
          (recorder) => this.port.http(row.type, body, caller, recorder),
        );
        if (answer.replayed) response.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
        if (answer.status !== status) throw new HttpException(answer.body as Record<string, unknown>, answer.status);
        return answer.body;
      };
      decorate(
        Routes.prototype,
        method,
        route,
        [...names.map(() => String), row.body, Object, Object, Object],
        [
          Post(path),
          HttpCode(status),
          Requires(permission, jurisdiction),
          ApiOperation({ summary }),
          ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: false, description: IDEMPOTENCY_DESCRIPTION, schema: { type: 'string', format: 'uuid' } }),
          ApiResponse({ status: 422, description: REUSED_DESCRIPTION, schema: { $ref: '#/components/schemas/Problem' } }),
          ...(row.http.tag ? [ApiTags(row.http.tag)] : []),
          ...names.map((name) => ApiParam({ name, format: 'uuid', description: `The ${name} the body names.` })),
        ],
        [...names.map((name) => Param(name)), Body(), CommandCaller(), CommandRequest(), Res({ passthrough: true })],
      );
    }
    if (row.kafka !== false) {
      const handler = function (this: Handlers, event: DecodedEvent, context: HandlerContext<unknown>) {
        // One record of each command's answer, HTTP's and Kafka's (docs/architecture.md, "Idempotent commands").
        return this.answers.handle(event, context.tx as AnswerTransaction, () => this.port.kafka(row.type, event, context));
      };
      decorate(Handlers.prototype, method, handler, [Object, Object], [EventPattern(row.type)], [Payload(), Ctx()]);
    }
  }
  return { http: Routes, kafka: Handlers };
}

/**
 * What is wrong with a service's tables against the contract's catalogue of the commands topic it
 * consumes: every command of the topic must be a row of exactly one table, with the catalogue's
 * class as its body, and no row may name a command the topic does not carry. Empty when the
 * tables and the catalogue agree.
 */
export function commandTableProblems(topic: Topic, tables: ReadonlyArray<CommandTable>): string[] {
  const catalogue = new Map<string, object>();
  for (const group of MESSAGE_GROUPS) {
    if (group.topic !== topic || group.kind !== 'command') continue;
    for (const [type, spec] of Object.entries(group.messages)) catalogue.set(type, (spec as { payload: object }).payload);
  }
  const rows = tables.flatMap((table) => table.rows.map((row) => ({ table: table.name, row })));
  const problems: string[] = [];
  for (const [type, payload] of catalogue) {
    const found = rows.filter(({ row }) => row.type === type);
    if (found.length === 0) problems.push(`${type} (a command of ${topic}) is in no table`);
    if (found.length > 1) problems.push(`${type} is declared ${found.length} times (${found.map((f) => f.table).join(', ')})`);
    for (const { table, row } of found) {
      if (row.body !== payload) problems.push(`${type} in ${table} takes ${row.body.name}, not the contract's ${(payload as { name: string }).name}`);
    }
  }
  for (const { table, row } of rows) {
    if (!catalogue.has(row.type)) problems.push(`${row.type} in ${table} is not a command of ${topic}`);
  }
  return problems;
}
