import { CommandRejection } from '@custody/contracts';
import type { Principal } from '@custody/security';
import { NOT_STATED, statedAccess } from './access-purpose';

const officer: Principal = { subject: 'officer@be', state: 'BE', roles: ['intake-officer'], issuer: 'https://idp.justice.be', organisation: 'FOD Justitie' };
const withoutOrganisation: Principal = { ...officer, organisation: undefined };

function rejection(run: () => unknown): CommandRejection {
  try {
    run();
  } catch (error) {
    if (error instanceof CommandRejection) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('the stated purpose and recipient of a read of personal data', () => {
  it('keeps the purpose and takes the recipient from the header', () => {
    expect(statedAccess({ 'x-access-purpose': '  case BE-2026-114: transfer request  ', 'x-access-recipient': 'Ministry of Justice AL' }, officer, 'on'))
      .toEqual({ purpose: 'case BE-2026-114: transfer request', recipient: 'Ministry of Justice AL' });
  });

  it('defaults the recipient to the organisation of the principal, else its state', () => {
    expect(statedAccess({ 'x-access-purpose': 'review' }, officer, 'on').recipient).toBe('FOD Justitie');
    expect(statedAccess({ 'x-access-purpose': 'review', 'x-access-recipient': ' ' }, withoutOrganisation, 'on').recipient).toBe('BE');
  });

  it.each([
    ['missing', {}],
    ['blank', { 'x-access-purpose': '   ' }],
    ['too long', { 'x-access-purpose': 'x'.repeat(501) }],
    ['with a line break', { 'x-access-purpose': 'review\nof the file' }],
  ])('refuses a purpose %s with PURPOSE_REQUIRED naming the header', (_case, headers) => {
    const refused = rejection(() => statedAccess(headers, officer, 'on'));
    expect(refused.code).toBe('PURPOSE_REQUIRED');
    expect(refused.status).toBe(400);
    expect(refused.errors).toEqual([{ path: 'headers.x-access-purpose', problem: expect.any(String) }]);
  });

  it('accepts a purpose of exactly 500 characters', () => {
    expect(statedAccess({ 'x-access-purpose': 'x'.repeat(500) }, officer, 'on').purpose).toHaveLength(500);
  });

  it('refuses a recipient that is too long', () => {
    const refused = rejection(() => statedAccess({ 'x-access-purpose': 'review', 'x-access-recipient': 'r'.repeat(201) }, officer, 'on'));
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.errors[0].path).toBe('headers.x-access-recipient');
  });

  it('with AUTH_MODE=off records a missing purpose and recipient as not stated, but still checks a stated one', () => {
    expect(statedAccess({}, undefined, 'off')).toEqual({ purpose: NOT_STATED, recipient: NOT_STATED });
    expect(statedAccess({ 'x-access-purpose': 'demo' }, undefined, 'off')).toEqual({ purpose: 'demo', recipient: NOT_STATED });
    expect(rejection(() => statedAccess({ 'x-access-purpose': 'x'.repeat(501) }, undefined, 'off')).code).toBe('PURPOSE_REQUIRED');
  });
});
