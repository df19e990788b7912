import { randomBytes } from 'node:crypto';
import { InvalidConfigurationError, loadConfig } from '@custody/config';
import { CustodyConfig } from './config';

describe('custody configuration: personal data', () => {
  it('refuses to start without a valid master key of persons\' data keys, naming the variable and never echoing the value', () => {
    const secret = randomBytes(31).toString('base64');
    for (const env of [{}, { PERSONAL_DATA_MASTER_KEY: 'not a key' }, { PERSONAL_DATA_MASTER_KEY: secret }]) {
      let caught: unknown;
      try {
        loadConfig(CustodyConfig, env);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidConfigurationError);
      expect((caught as InvalidConfigurationError).problems).toEqual([
        { variable: 'PERSONAL_DATA_MASTER_KEY', problem: expect.stringContaining('base64 of 32 random bytes') },
      ]);
      expect((caught as Error).message).not.toContain(secret);
    }
    expect(loadConfig(CustodyConfig, { PERSONAL_DATA_MASTER_KEY: randomBytes(32).toString('base64') }).PERSONAL_DATA_MASTER_KEY_ID).toBe('master-1');
  });
});
