import { generateKeyPairSync } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidConfigurationError, loadConfig } from '@custody/config';
import type { MessageDecoder } from '@custody/messaging';
import { commandDecoder } from '@custody/security';
import { commandResultRouting, kafkaSettingsOf, ServiceConfig } from './service.config';

class ExampleConfig extends ServiceConfig {
  constructor() {
    super({ PORT: 3999, KAFKA_CLIENT_ID: 'example' });
  }
}

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(ExampleConfig, env);
  } catch (error) {
    return (error as InvalidConfigurationError).problems.map((p) => p.variable);
  }
  return [];
};

describe('ServiceConfig', () => {
  it('takes a subclass default over the base one, and the base validation still applies', () => {
    expect(loadConfig(ExampleConfig, {}).PORT).toBe(3999);
    expect(loadConfig(ExampleConfig, {}).KAFKA_CLIENT_ID).toBe('example');
    expect(loadConfig(ExampleConfig, {}).KAFKA_GROUP_ID).toBe('custody');
    expect(loadConfig(ExampleConfig, { PORT: '4000' }).PORT).toBe(4000);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT']);
    expect(problemsOf({ KAFKA_BROKERS: 'no-port' })).toEqual(['KAFKA_BROKERS']);
  });

  it('sizes every service\'s pool from DATABASE_POOL_SIZE (10 unless the service or the environment says otherwise, 2 to 200)', () => {
    expect(loadConfig(ExampleConfig, {}).DATABASE_POOL_SIZE).toBe(10);
    expect(loadConfig(ExampleConfig, { DATABASE_POOL_SIZE: '40' }).DATABASE_POOL_SIZE).toBe(40);
    class LargerPool extends ServiceConfig {
      constructor() {
        super({ DATABASE_POOL_SIZE: 20 });
      }
    }
    expect(loadConfig(LargerPool, {}).DATABASE_POOL_SIZE).toBe(20);
    expect(problemsOf({ DATABASE_POOL_SIZE: '1' })).toEqual(['DATABASE_POOL_SIZE']);
    expect(problemsOf({ DATABASE_POOL_SIZE: '201' })).toEqual(['DATABASE_POOL_SIZE']);
  });

  it('listens on the loopback interface unless told otherwise, and refuses an address that is none', () => {
    expect(loadConfig(ExampleConfig, {}).HTTP_HOST).toBe('127.0.0.1');
    expect(loadConfig(ExampleConfig, { HTTP_HOST: '0.0.0.0' }).HTTP_HOST).toBe('0.0.0.0');
    expect(loadConfig(ExampleConfig, { HTTP_HOST: '::1' }).HTTP_HOST).toBe('::1');
    expect(problemsOf({ HTTP_HOST: 'not a host' })).toEqual(['HTTP_HOST']);
  });

  it('names the instance after its host by default, and bounds the session and its heartbeat (at most a third of it)', () => {
    const defaults = loadConfig(ExampleConfig, {});
    expect(defaults.KAFKA_INSTANCE_ID).toBe(hostname());
    expect(defaults.KAFKA_SESSION_TIMEOUT_MS).toBe(30_000);
    expect(defaults.KAFKA_HEARTBEAT_INTERVAL_MS).toBe(3_000);
    expect(loadConfig(ExampleConfig, { KAFKA_INSTANCE_ID: '' }).KAFKA_INSTANCE_ID).toBe('');
    expect(loadConfig(ExampleConfig, { KAFKA_INSTANCE_ID: 'intake-0' }).KAFKA_INSTANCE_ID).toBe('intake-0');
    expect(problemsOf({ KAFKA_INSTANCE_ID: 'two words' })).toEqual(['KAFKA_INSTANCE_ID']);
    expect(loadConfig(ExampleConfig, { KAFKA_SESSION_TIMEOUT_MS: '10000', KAFKA_HEARTBEAT_INTERVAL_MS: '1000' }).KAFKA_SESSION_TIMEOUT_MS).toBe(10_000);
    expect(problemsOf({ KAFKA_SESSION_TIMEOUT_MS: '8000' })).toEqual(['KAFKA_HEARTBEAT_INTERVAL_MS']);
    expect(problemsOf({ KAFKA_SESSION_TIMEOUT_MS: '500', KAFKA_HEARTBEAT_INTERVAL_MS: '100' })).toEqual(['KAFKA_SESSION_TIMEOUT_MS']);
    expect(problemsOf({ KAFKA_HEARTBEAT_INTERVAL_MS: 'often' })).toEqual(['KAFKA_HEARTBEAT_INTERVAL_MS']);
  });

  it('refuses a SASL mechanism it does not know, and one without its credentials, naming each variable', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toEqual(['KAFKA_SASL_MECHANISM']);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toEqual(['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']);
    expect(problemsOf({ KAFKA_SSL: 'yes' })).toEqual(['KAFKA_SSL']);
  });

  it('publishes the relay through @platformatic/kafka by default, kafkajs when KAFKA_RELAY_CLIENT says so, and refuses any other client', () => {
    expect(loadConfig(ExampleConfig, {}).KAFKA_RELAY_CLIENT).toBe('platformatic');
    expect(loadConfig(ExampleConfig, { KAFKA_RELAY_CLIENT: 'kafkajs' }).KAFKA_RELAY_CLIENT).toBe('kafkajs');
    expect(problemsOf({ KAFKA_RELAY_CLIENT: 'librdkafka' })).toEqual(['KAFKA_RELAY_CLIENT']);
  });

  it('turns the variables into kafkajs settings: no SASL nor TLS by default, SCRAM when configured', () => {
    expect(kafkaSettingsOf(loadConfig(ExampleConfig, { KAFKA_BROKERS: 'a:1,b:2' }))).toEqual({ brokers: ['a:1', 'b:2'], clientId: 'example' });
    const secured = kafkaSettingsOf(
      loadConfig(ExampleConfig, { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'intake', KAFKA_SASL_PASSWORD: 'secret', KAFKA_SSL: 'true' }),
    );
    expect(secured.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'intake', password: 'secret' });
    expect(secured.ssl).toBe(true);
  });
});

describe('ServiceConfig: command signatures', () => {
  const inner: MessageDecoder = { decode: () => ({ ok: false, failure: { code: 'INVALID_ENVELOPE', reason: 'inner' } }) };

  it('requires signatures by default, and refuses to start without a signer, naming COMMAND_SIGNERS', () => {
    const config = loadConfig(ServiceConfig, {});
    expect(config.COMMAND_SIGNATURES).toBe('required');
    let problem: { variable: string; problem: string } | undefined;
    try {
      commandDecoder(config, inner, 'custody.intake.commands', {});
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigurationError);
      problem = (error as InvalidConfigurationError).problems[0];
    }
    expect(problem).toEqual({
      variable: 'COMMAND_SIGNERS',
      problem: expect.stringContaining('no command-signing key configured while COMMAND_SIGNATURES=required'),
    });
    expect(() => loadConfig(ServiceConfig, { COMMAND_SIGNATURES: 'maybe' })).toThrow(/COMMAND_SIGNATURES must be required or off/);
  });

  it('leaves the inner decoder alone when switched off', () => {
    expect(commandDecoder(loadConfig(ServiceConfig, { COMMAND_SIGNATURES: 'off' }), inner, 'custody.intake.commands', {})).toBe(inner);
  });
});

describe('where command results go (docs/adr/0015-command-results-per-state.md)', () => {
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const signers = (...states: string[]) => JSON.stringify(states.map((state, i) => ({ kid: `k${i}`, state, publicKeyPem: pem })));

  it('gives each state of COMMAND_SIGNERS its own topic, copies to the shared topic unless COMMAND_RESULTS_SHARED_TOPIC=off', () => {
    const config = loadConfig(ServiceConfig, { COMMAND_SIGNERS: JSON.stringify([...JSON.parse(signers('BE', 'AL', 'BE')), { state: 'XK', jwksUri: 'https://idp.example/jwks' }]) });
    expect(config.COMMAND_RESULTS_SHARED_TOPIC).toBe('on');
    expect(commandResultRouting(config)).toEqual({ states: ['AL', 'BE', 'XK'], shared: true });
    expect(commandResultRouting(loadConfig(ServiceConfig, { COMMAND_SIGNERS: signers('BE'), COMMAND_RESULTS_SHARED_TOPIC: 'off' }))).toEqual({ states: ['BE'], shared: false });
    expect(() => loadConfig(ServiceConfig, { COMMAND_RESULTS_SHARED_TOPIC: 'yes' })).toThrow(/COMMAND_RESULTS_SHARED_TOPIC must be on or off/);
  });

  it('has no state topic when signatures are off (no result names a verified state), and stops on a signer state that is no state code', () => {
    expect(commandResultRouting(loadConfig(ServiceConfig, { COMMAND_SIGNATURES: 'off', COMMAND_SIGNERS: signers('BE') }))).toEqual({ states: [], shared: true });
    let problem: unknown;
    try {
      commandResultRouting(loadConfig(ServiceConfig, { COMMAND_SIGNERS: signers('BE', 'ZZ') }));
    } catch (error) {
      problem = (error as InvalidConfigurationError).problems;
    }
    expect(problem).toEqual([{ variable: 'COMMAND_SIGNERS', problem: expect.stringContaining('ZZ is no state code') }]);
  });
});
