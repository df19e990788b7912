import { CommandRejection, ContractViolation, reject } from '@custody/contracts';
import { answeringRejection, checkIdempotencyKey, commandIdentity, scopeOf, type StoredAnswer } from './command-answers';
import { replay } from './http-answers';

const ID = '0b8f3c1e-6a2d-4f7b-9c1e-2d3f4a5b6c7d';
const command = { commandId: ID, inmateId: 'a', occurredAt: '2026-03-02T09:30:00Z', sentence: { lengthDays: 10, kind: 'determinate' } };

function rejectionOf(run: () => unknown): CommandRejection | ContractViolation {
  try {
    run();
  } catch (error) {
    if (error instanceof CommandRejection || error instanceof ContractViolation) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('what makes two sends the same command', () => {
  it('is the same JSON value whatever the order of its members, from the same state', () => {
    const reordered = { sentence: { kind: 'determinate', lengthDays: 10 }, occurredAt: '2026-03-02T09:30:00Z', inmateId: 'a', commandId: ID };
    expect(commandIdentity('RecordSentence', reordered, 'BE')).toEqual(commandIdentity('RecordSentence', command, 'BE'));
  });

  it('differs with any value, the type, or the state; the key is the command id in lower case', () => {
    const first = commandIdentity('RecordSentence', command, 'BE');
    expect(commandIdentity('RecordSentence', { ...command, sentence: { ...command.sentence, lengthDays: 11 } }, 'BE').fingerprint).not.toBe(first.fingerprint);
    expect(commandIdentity('AdjustSentence', command, 'BE').fingerprint).not.toBe(first.fingerprint);
    expect(commandIdentity('RecordSentence', command, 'NL').scope).not.toBe(first.scope);
    expect(commandIdentity('RecordSentence', { ...command, commandId: ID.toUpperCase() }, 'BE').commandId).toBe(ID);
    expect(scopeOf(undefined)).toBe('unverified');
  });
});

describe('the Idempotency-Key header', () => {
  it('may be left out, or be the commandId in any case', () => {
    expect(() => checkIdempotencyKey(undefined, ID)).not.toThrow();
    expect(() => checkIdempotencyKey(ID.toUpperCase(), ID)).not.toThrow();
  });

  it('is refused, naming the header, when it is another key', () => {
    const violation = rejectionOf(() => checkIdempotencyKey('another-key', ID));
    expect(violation.code).toBe('VALIDATION_FAILED');
    expect(violation.errors).toEqual([{ path: 'headers.idempotency-key', problem: expect.stringContaining(ID) }]);
  });
});

describe('which errors are answers', () => {
  it('a refusal of the rules or of the contract is; a conflict between writers and a failure of the service are not', () => {
    expect(answeringRejection(reject('INMATE_ALREADY_REGISTERED'))).toMatchObject({ accepted: false, code: 'INMATE_ALREADY_REGISTERED' });
    expect(answeringRejection(new ContractViolation('VALIDATION_FAILED', [{ path: 'a', problem: 'b' }]))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(answeringRejection(reject('CONCURRENCY_CONFLICT'))).toBeUndefined();
    expect(answeringRejection(reject('ACCESS_LOG_UNAVAILABLE'))).toBeUndefined();
    expect(answeringRejection(new Error('connection lost'))).toBeUndefined();
  });

  it('"not yet known here" is not (docs/adr/0012-not-yet-known-here.md): the same command sent again after Retry-After may be taken', () => {
    expect(answeringRejection(reject('NOT_YET_KNOWN_HERE', { retryAfterSeconds: 1 }))).toBeUndefined();
  });
});

describe('an answer given again', () => {
  const identity = commandIdentity('RecordSentence', command, 'BE');
  const stored: StoredAnswer = { ...identity, channel: 'http', outcome: { accepted: true, eventIds: ['e'] }, httpStatus: 200, httpBody: '{"b":1,"a":[2]}' };

  it('is the stored status and body', () => {
    expect(replay(stored, identity, 200)).toEqual({ status: 200, body: { b: 1, a: [2] }, replayed: true });
  });

  it('is 422 IDEMPOTENCY_KEY_REUSED for other content or another state, naming nothing of the stored command', () => {
    for (const other of [commandIdentity('RecordSentence', { ...command, inmateId: 'b' }, 'BE'), commandIdentity('RecordSentence', command, 'NL')]) {
      const rejection = rejectionOf(() => replay(stored, other, 200)) as CommandRejection;
      expect([rejection.code, rejection.status, rejection.details]).toEqual(['IDEMPOTENCY_KEY_REUSED', 422, {}]);
      expect(JSON.stringify({ message: rejection.message, errors: rejection.errors })).not.toMatch(/RecordSentence|"b"|NL|BE|inmate-|command-/);
    }
  });

  it('for a command answered on Kafka, is its result: the rejection as the same problem, an acceptance with the route\'s status', () => {
    const refused: StoredAnswer = { ...identity, channel: 'kafka', outcome: { accepted: false, code: 'SENTENCE_NOT_RECORDED', message: 'No sentence.', errors: [], details: { x: 1 } } };
    expect(replay(refused, identity, 200)).toEqual({
      status: 422, body: { code: 'SENTENCE_NOT_RECORDED', message: 'No sentence.', errors: [], details: { x: 1 } }, replayed: true,
    });
    const accepted: StoredAnswer = { ...identity, channel: 'kafka', outcome: { accepted: true, eventIds: ['e1'], streamRevision: 3 } };
    expect(replay(accepted, identity, 201)).toEqual({ status: 201, body: { commandId: ID, eventIds: ['e1'], streamRevision: 3 }, replayed: true });
  });
});
