import { REJECTIONS, type RejectionDefinition, isRejectionCode } from './codes';
import { CommandRejection, ContractViolation, reject } from './errors';

describe('the rejection catalogue', () => {
  it.each(Object.entries(REJECTIONS))('%s has an upper-case code and a sentence a person can act on', (code, rejection) => {
    expect(code).toMatch(/^[A-Z][A-Z_]+[A-Z]$/);
    expect(rejection.message).toMatch(/^[A-Z].{20,}\.$/);
    expect([400, 403, 404, 409, 413, 422, 500, 503]).toContain(rejection.status);
  });

  it('has the codes the services and ministries rely on', () => {
    for (const code of [
      'CONSENT_REQUIRED', 'LEGAL_BASIS_NOT_APPLICABLE', 'CAPACITY_EXHAUSTED', 'DEADLINE_PASSED', 'CONCURRENCY_CONFLICT',
      'INMATE_ALREADY_REGISTERED', 'VALIDATION_FAILED', 'MESSAGE_TOO_LARGE', 'UNKNOWN_MESSAGE_TYPE', 'UNKNOWN_SCHEMA_VERSION',
      'INVALID_ENVELOPE', 'DEPORTATION_ORDER_REQUIRED', 'ADMISSION_RECORD_INCOMPLETE', 'HAND_OVER_INCOMPLETE',
      'ADAPTED_SENTENCE_HARSHER', 'WITHDRAWAL_TOO_LATE', 'LEASE_ELIGIBILITY_NOT_MET',
      'PLACEMENT_NOT_UNDER_LEASE', 'PLACEMENT_NOT_BY_LESSEE', 'RECOGNITION_NOT_UNDER_LEASE',
      'RETURN_GROUND_NOT_APPLICABLE', 'RETURN_NOT_BY_RESPONSIBLE_STATE', 'RETURN_OF_OPEN_CASE',
    ]) {
      expect(isRejectionCode(code)).toBe(true);
    }
    expect(isRejectionCode('toString')).toBe(false);
  });

  it('covers every numbered rule of the domain that can refuse a command', () => {
    const rules = new Set((Object.values(REJECTIONS) as RejectionDefinition[]).map((r) => r.rule).filter(Boolean));
    for (const rule of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19']) expect(rules).toContain(rule);
  });
});

describe('typed errors', () => {
  it('a decider rejection carries the code, the catalogue sentence, details and the HTTP status', () => {
    const rejection = reject('INMATE_ALREADY_REGISTERED', { existingInmateId: 'abc' });
    expect(rejection).toBeInstanceOf(CommandRejection);
    expect(rejection).toBeInstanceOf(Error);
    expect(rejection.code).toBe('INMATE_ALREADY_REGISTERED');
    expect(rejection.message).toBe(REJECTIONS.INMATE_ALREADY_REGISTERED.message);
    expect(rejection.details).toEqual({ existingInmateId: 'abc' });
    expect(rejection.status).toBe(409);
  });

  it('a contract violation lists the failing fields', () => {
    const violation = new ContractViolation('VALIDATION_FAILED', [{ path: 'inmateId', problem: 'inmateId must be a UUID' }]);
    expect(violation.status).toBe(400);
    expect(violation.errors).toHaveLength(1);
  });
});
