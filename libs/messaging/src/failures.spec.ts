import { CommandRejection, ContractViolation } from '@custody/contracts';
import { WrongExpectedRevisionError } from '@custody/event-store';
import { KafkaJSConnectionError, KafkaJSNonRetriableError } from 'kafkajs';
import { PermanentHandlerError } from './consumer';
import { classifyFailure } from './failures';
import { HandlerFailedError } from './nest/kafka-inbox.server';
import { backoffDelay, jitteredDelay } from './retry';

/** An error as node-postgres raises it for a server message: the SQLSTATE in `code`. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });
/** An error as Node raises it for a socket: the errno name in `code`. */
const systemError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });

describe('what a handler failure means for its message', () => {
  it.each([
    ['admin shutdown (the server stopped)', pgError('57P01', 'terminating connection due to administrator command'), '57P01'],
    ['the server starting up', pgError('57P03', 'the database system is starting up'), '57P03'],
    ['a statement timeout', pgError('57014', 'canceling statement due to statement timeout'), '57014'],
    ['a serialization failure', pgError('40001', 'could not serialize access due to concurrent update'), '40001'],
    ['a deadlock', pgError('40P01', 'deadlock detected'), '40P01'],
    ['a connection failure', pgError('08006', 'connection failure'), '08006'],
    ['too many connections', pgError('53300', 'sorry, too many clients already'), '53300'],
    ['a disk full', pgError('53100', 'could not extend file'), '53100'],
    ['an I/O error', pgError('58030', 'could not read block'), '58030'],
    ['a lock timeout', pgError('55P03', 'canceling statement due to lock timeout'), '55P03'],
    ['an idle transaction cut', pgError('25P03', 'terminating connection due to idle-in-transaction timeout'), '25P03'],
    ['a refused connection', systemError('ECONNREFUSED'), 'ECONNREFUSED'],
    ['a reset connection', systemError('ECONNRESET'), 'ECONNRESET'],
    ['a broken pipe', systemError('EPIPE'), 'EPIPE'],
    ['a name that does not resolve yet', systemError('EAI_AGAIN'), 'EAI_AGAIN'],
    ['a connection lost (node-postgres)', new Error('Connection terminated unexpectedly'), 'CONNECTION_LOST'],
    ['no connection in time (the pool)', new Error('timeout exceeded when trying to connect'), 'CONNECTION_LOST'],
    ['a stale expected revision', new WrongExpectedRevisionError('inmate-1', 3, 4), 'WRONG_EXPECTED_REVISION'],
    ['a concurrency conflict after the kernel\'s retries', new CommandRejection('CONCURRENCY_CONFLICT'), 'CONCURRENCY_CONFLICT'],
    ['the broker out of reach', new KafkaJSConnectionError('Connection timeout'), 'KafkaJSConnectionError'],
    ['an error that says so (a key not held yet)', Object.assign(new Error('wrapped by master key m-2, which this service does not hold'), { transient: true, code: 'PERSONAL_DATA_UNREADABLE' }), 'PERSONAL_DATA_UNREADABLE'],
    [
      'a connection tried at every address (AggregateError)',
      new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], 'connect failed'),
      'ECONNREFUSED',
    ],
    ['an error caused by a lost connection', new Error('could not load the inmate', { cause: pgError('57P01', 'terminating connection') }), '57P01'],
  ])('%s is transient', (_what, error, code) => {
    expect(classifyFailure(error)).toEqual({ kind: 'transient', code, reason: (error as Error).message });
  });

  it.each([
    ['a refusal of the handler', new PermanentHandlerError('INMATE_NOT_FOUND', 'no such inmate'), 'INMATE_NOT_FOUND'],
    ['a decision refused', new CommandRejection('STEP_OUT_OF_ORDER'), 'STEP_OUT_OF_ORDER'],
    ['a contract violation', new ContractViolation('VALIDATION_FAILED', [{ path: 'data.inmateId', problem: 'must be a UUID' }]), 'VALIDATION_FAILED'],
    ['an unauthorised actor', new CommandRejection('UNAUTHORISED_ACTOR'), 'UNAUTHORISED_ACTOR'],
    ['an error that says so', Object.assign(new Error('not for us'), { permanent: true, code: 'NOT_OURS' }), 'NOT_OURS'],
    // The refusal decides, even when it was raised while a connection failed underneath.
    ['a refusal caused by something transient', Object.assign(new PermanentHandlerError('INMATE_NOT_FOUND', 'gone'), { cause: pgError('57P01', 'terminating connection') }), 'INMATE_NOT_FOUND'],
  ])('%s is permanent', (_what, error, code) => {
    expect(classifyFailure(error)).toMatchObject({ kind: 'permanent', code });
  });

  it.each([
    ['a defect', new TypeError("Cannot read properties of undefined (reading 'inmateId')")],
    ['a plain error', new Error('the facility register is unreachable')],
    ['a deferred constraint broken by the data', pgError('40002', 'transaction integrity constraint violation')],
    ['a unique violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', pgError('42601', 'syntax error at or near "SELEC"')],
    ['a broker error retrying cannot fix', new KafkaJSNonRetriableError('Topic authorization failed')],
    ['a thrown string', 'oops'],
    ['a filter answer without an error', new HandlerFailedError({ status: 'error', message: 'Internal server error' })],
  ])('%s is of unknown kind: bounded retries, then HANDLER_FAILED', (_what, error) => {
    expect(classifyFailure(error)).toMatchObject({ kind: 'unknown', code: 'HANDLER_FAILED' });
  });

  it('follows the cause of a filter answer to a lost connection', () => {
    expect(classifyFailure(new HandlerFailedError(pgError('57P01', 'terminating connection')))).toMatchObject({ kind: 'transient', code: '57P01' });
  });
});

describe('the wait between transient failures', () => {
  const policy = { initialDelayMs: 200, maxDelayMs: 5_000 };

  it.each([
    [1, 200],
    [2, 400],
    [3, 800],
    [6, 5_000],
    [60, 5_000],
  ])('after failure %i: between half its ceiling of %i ms and the ceiling', (failures, ceiling) => {
    expect(jitteredDelay(policy, failures, () => 0)).toBe(ceiling / 2);
    expect(jitteredDelay(policy, failures, () => 0.999999)).toBe(ceiling);
    const random = jitteredDelay(policy, failures);
    expect(random).toBeGreaterThanOrEqual(ceiling / 2);
    expect(random).toBeLessThanOrEqual(ceiling);
  });

  it('never overflows, however long the outage', () => {
    expect(jitteredDelay(policy, 10_000, () => 0.5)).toBe(3_750);
    expect(backoffDelay({ maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 5_000 }, 10_000)).toBe(5_000);
  });
});
