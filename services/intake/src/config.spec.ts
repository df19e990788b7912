import { randomBytes } from 'node:crypto';
import { InvalidConfigurationError, loadConfig } from '@custody/config';
import { IntakeConfig } from './config';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(IntakeConfig, env);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    return error.problems;
  }
};

describe('intake configuration: personal data', () => {
  const key = randomBytes(32).toString('base64');

  it('refuses to start without a master key of 32 bytes, naming the variable and never echoing the value', () => {
    for (const bad of [{} as Record<string, string>, { PERSONAL_DATA_MASTER_KEY: '' }, { PERSONAL_DATA_MASTER_KEY: randomBytes(16).toString('base64') }, { PERSONAL_DATA_MASTER_KEY: 'not a key' }]) {
      const problems = problemsOf(bad);
      expect(problems.map((p) => p.variable)).toEqual(['PERSONAL_DATA_MASTER_KEY']);
      expect(problems[0].problem).toContain('base64 of 32 random bytes');
    }
    const secret = randomBytes(31).toString('base64');
    expect(JSON.stringify(problemsOf({ PERSONAL_DATA_MASTER_KEY: secret }))).not.toContain(secret);
    expect(problemsOf({ PERSONAL_DATA_MASTER_KEY: key })).toEqual([]);
  });

  it('reads retention periods per state and a default, refusing anything else by name', () => {
    const config = loadConfig(IntakeConfig, { PERSONAL_DATA_MASTER_KEY: key, RETENTION_PERIODS: '{"BE":"P10Y","DK":"P5Y6M"}', RETENTION_DEFAULT_PERIOD: 'P90D' });
    expect(config).toMatchObject({ RETENTION_PERIODS: '{"BE":"P10Y","DK":"P5Y6M"}', RETENTION_DEFAULT_PERIOD: 'P90D', RETENTION_SCAN_INTERVAL_MS: 86_400_000 });
    expect(problemsOf({ PERSONAL_DATA_MASTER_KEY: key, RETENTION_PERIODS: '{"Belgium":"P10Y"}' }).map((p) => p.variable)).toEqual(['RETENTION_PERIODS']);
    expect(problemsOf({ PERSONAL_DATA_MASTER_KEY: key, RETENTION_PERIODS: '{"BE":"10 years"}' }).map((p) => p.variable)).toEqual(['RETENTION_PERIODS']);
    expect(problemsOf({ PERSONAL_DATA_MASTER_KEY: key, RETENTION_PERIODS: 'BE=P10Y' }).map((p) => p.variable)).toEqual(['RETENTION_PERIODS']);
    expect(problemsOf({ PERSONAL_DATA_MASTER_KEY: key, RETENTION_DEFAULT_PERIOD: 'ten years' }).map((p) => p.variable)).toEqual(['RETENTION_DEFAULT_PERIOD']);
    expect(problemsOf({ PERSONAL_DATA_MASTER_KEY: key, RETENTION_SCAN_INTERVAL_MS: '-1' }).map((p) => p.variable)).toEqual(['RETENTION_SCAN_INTERVAL_MS']);
  });
});
