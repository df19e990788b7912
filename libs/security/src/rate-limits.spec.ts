import { limitOf, parseRoleLimits, trackerOf } from './rate-limits';

describe('rate limits by role', () => {
  const limits = { perMinute: 600, perRole: parseRoleLimits('{"integration": 6000, "auditor": 1200}') };

  it('gives a principal the highest limit of its roles, and the default to a role with none or to no principal', () => {
    expect(limitOf({ roles: ['integration'] }, limits)).toBe(6000);
    expect(limitOf({ roles: ['auditor', 'integration'] }, limits)).toBe(6000);
    expect(limitOf({ roles: ['intake-officer'] }, limits)).toBe(600);
    expect(limitOf(undefined, limits)).toBe(600);
  });

  it('refuses a setting that is not an object of known roles to whole numbers, naming what is wrong', () => {
    expect(() => parseRoleLimits('[6000]')).toThrow(/JSON object/);
    expect(() => parseRoleLimits('integration=6000')).toThrow(/JSON object/);
    expect(() => parseRoleLimits('{"minister": 5}')).toThrow(/unknown role "minister"/);
    expect(() => parseRoleLimits('{"integration": 0}')).toThrow(/"integration" 0/);
    expect(() => parseRoleLimits('{"integration": "many"}')).toThrow(/"integration" "many"/);
    expect(parseRoleLimits('{}')).toEqual({});
  });

  it('counts a verified principal by issuer and subject, anyone else by address', () => {
    expect(trackerOf({ issuer: 'https://idp.be', subject: 'batch' }, '10.0.0.1')).toBe('principal:https://idp.be:batch');
    expect(trackerOf(undefined, '10.0.0.1')).toBe('ip:10.0.0.1');
  });
});
