import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import {
  type CommandPayload, type CommandType, type EventType, findMessage, payloadClass,
} from '../catalogue/catalogue';
import type { PayloadClass } from '../catalogue/define';
import { ContractViolation, type FieldProblem } from '../rejections/errors';
import { cacheValidationMetadata } from './metadata-cache';

cacheValidationMetadata();

/** The outcome of a validation: the typed value, or a violation listing every failing field. */
export type Validated<T> = { ok: true; value: T } | { ok: false; error: ContractViolation };

/**
 * class-validator options of the contract: unknown fields are rejected, as with NestJS
 * `ValidationPipe({ whitelist: true, forbidNonWhitelisted: true })`. Services pass the same
 * options to their pipes so HTTP and Kafka answer alike.
 */
export const VALIDATOR_OPTIONS: Readonly<ValidatorOptions> = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
});

/** Flattens class-validator errors into one problem per failing field, with dotted paths. */
export function toFieldProblems(errors: readonly ValidationError[], parentPath = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const error of errors) {
    const path = parentPath ? `${parentPath}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) problems.push({ path, problem: messages.join('; ') });
    if (error.children?.length) problems.push(...toFieldProblems(error.children, path));
  }
  return problems;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a payload against a payload class; an empty list means valid. */
export function validatePayload<T extends object>(
  payloadType: new () => T,
  payload: unknown,
): { value: T; problems: FieldProblem[] } {
  if (!isPlainObject(payload)) {
    return { value: payload as T, problems: [{ path: '', problem: 'the payload must be a JSON object' }] };
  }
  const value = plainToInstance(payloadType, payload);
  return { value, problems: toFieldProblems(validateSync(value, VALIDATOR_OPTIONS)) };
}

function validateAgainst(type: string, version: number, payloadType: PayloadClass, payload: unknown): Validated<object> {
  const { value, problems } = validatePayload(payloadType, payload);
  if (problems.length > 0) {
    return { ok: false, error: new ContractViolation('VALIDATION_FAILED', problems, { type, schemaVersion: version }) };
  }
  return { ok: true, value };
}

/** Validates a command body (the same rules as HTTP). Unknown type: `UNKNOWN_MESSAGE_TYPE`. */
export function validateCommand<T extends CommandType>(type: T, payload: unknown): Validated<CommandPayload<T>>;
export function validateCommand(type: string, payload: unknown): Validated<object>;
export function validateCommand(type: string, payload: unknown): Validated<object> {
  const definition = findMessage(type);
  if (definition?.kind !== 'command') {
    return {
      ok: false,
      error: new ContractViolation('UNKNOWN_MESSAGE_TYPE', [{ path: 'type', problem: `${type} is not a command of the catalogue` }], { type }),
    };
  }
  return validateAgainst(type, definition.version, definition.payload, payload);
}

/**
 * Validates an event's `data` at the given schema version (current or older). It does not upcast:
 * see `readEvent` for validate-then-upcast. Unknown type or version: their own codes.
 */
export function validateEvent<T extends EventType>(type: T, version: number, payload: unknown): Validated<object>;
export function validateEvent(type: string, version: number, payload: unknown): Validated<object>;
export function validateEvent(type: string, version: number, payload: unknown): Validated<object> {
  const definition = findMessage(type);
  if (definition?.kind !== 'event') {
    return {
      ok: false,
      error: new ContractViolation('UNKNOWN_MESSAGE_TYPE', [{ path: 'type', problem: `${type} is not an event of the catalogue` }], { type }),
    };
  }
  const payloadType = payloadClass(type, version);
  if (!payloadType) {
    return { ok: false, error: unknownVersion(type, version, definition.version) };
  }
  return validateAgainst(type, version, payloadType, payload);
}

/** The violation for a version the catalogue does not know. */
export function unknownVersion(type: string, version: number, current: number): ContractViolation {
  return new ContractViolation(
    'UNKNOWN_SCHEMA_VERSION',
    [{ path: 'schemaVersion', problem: `${type} has no schema version ${version}; the current version is ${current}` }],
    { type, schemaVersion: version },
  );
}
