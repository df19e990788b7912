import { InvalidConfigurationError, loadConfig } from '@custody/config';
import { PersonalDataConfig } from './personal-data.config';

const current = Buffer.alloc(32, 9).toString('base64');
const earlier = Buffer.alloc(32, 8).toString('base64');
const load = (env: Record<string, string>) => loadConfig(PersonalDataConfig, { PERSONAL_DATA_MASTER_KEY: current, ...env });

/** The problems a configuration is refused with, by variable. */
function refusal(env: Record<string, string>): Record<string, string> {
  try {
    load(env);
  } catch (error) {
    if (error instanceof InvalidConfigurationError) return Object.fromEntries(error.problems.map((p) => [p.variable, p.problem]));
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('the master key variables (PersonalDataConfig)', () => {
  it('has no retired master key by default, and takes earlier keys by id', () => {
    expect(load({}).PERSONAL_DATA_RETIRED_MASTER_KEYS).toBe('');
    expect(load({ PERSONAL_DATA_MASTER_KEY_ID: 'master-2', PERSONAL_DATA_RETIRED_MASTER_KEYS: `master-1=${earlier}` }).PERSONAL_DATA_RETIRED_MASTER_KEYS)
      .toBe(`master-1=${earlier}`);
  });

  it.each([
    ['a key that is not 32 bytes', { PERSONAL_DATA_RETIRED_MASTER_KEYS: 'master-0=c2hvcnQ=' }, /the key of master-0 .* must be the base64 of 32 bytes/],
    ['an entry without an id', { PERSONAL_DATA_RETIRED_MASTER_KEYS: earlier }, /entry 1 of PERSONAL_DATA_RETIRED_MASTER_KEYS must be id=base64/],
    ['the id of the current key', { PERSONAL_DATA_RETIRED_MASTER_KEYS: `master-1=${earlier}` }, /master-1 .* is the current master key's id/],
    ['an id twice', { PERSONAL_DATA_MASTER_KEY_ID: 'k3', PERSONAL_DATA_RETIRED_MASTER_KEYS: `k1=${earlier},k1=${earlier}` }, /k1 is given twice/],
  ])('refuses to start with %s, naming PERSONAL_DATA_RETIRED_MASTER_KEYS', (_case, env, message) => {
    const problems = refusal(env);
    expect(Object.keys(problems)).toEqual(['PERSONAL_DATA_RETIRED_MASTER_KEYS']);
    expect(problems.PERSONAL_DATA_RETIRED_MASTER_KEYS).toMatch(message);
    expect(problems.PERSONAL_DATA_RETIRED_MASTER_KEYS).not.toContain(earlier);
  });
});
