import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandRejection } from '@custody/contracts';
import { InvalidConfigurationError } from '@custody/config';
import type { DecodedEvent, MessageDecoder } from '@custody/messaging';
import { commandDecoder, messageRights, parseSigners, signerRefusal, signerStateOf } from './command-signatures';

const publicKeyPem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const inner: MessageDecoder = { decode: () => ({ ok: false, failure: { code: 'INVALID_ENVELOPE', reason: 'inner' } }) };

/** The variable and sentence of the configuration error `build` throws. */
function configurationProblem(build: () => unknown): { variable: string; problem: string } {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    return (error as InvalidConfigurationError).problems[0];
  }
  throw new Error('expected a configuration error');
}

describe('command signatures: configuration', () => {
  // That signatures are required by default, and the service's defaults refuse to start: service.config.spec.ts in @custody/platform.
  it('refuses to start without a signer while signatures are required, naming COMMAND_SIGNERS', () => {
    expect(configurationProblem(() => commandDecoder({ COMMAND_SIGNATURES: 'required', COMMAND_SIGNERS: '[]' }, inner, 'custody.intake.commands', {}))).toEqual({
      variable: 'COMMAND_SIGNERS',
      problem: expect.stringContaining('no command-signing key configured while COMMAND_SIGNATURES=required'),
    });
  });

  it('leaves the inner decoder alone when switched off, and wraps it with a signer', () => {
    expect(commandDecoder({ COMMAND_SIGNATURES: 'off', COMMAND_SIGNERS: '[]' }, inner, 'custody.intake.commands', {})).toBe(inner);
    const signed = commandDecoder({ COMMAND_SIGNATURES: 'required', COMMAND_SIGNERS: JSON.stringify([{ kid: 'be-1', state: 'BE', publicKeyPem: publicKeyPem() }]) }, inner, 'custody.intake.commands', {});
    expect(signed).not.toBe(inner);
  });

  it('reads keys inline or from a file, and names the entry at fault', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signers-'));
    try {
      const pem = publicKeyPem();
      writeFileSync(join(dir, 'al.pem'), pem);
      expect(parseSigners(JSON.stringify([
        { kid: 'be-1', state: 'BE', publicKeyPem: pem },
        { kid: 'al-1', state: 'AL', keyFile: join(dir, 'al.pem') },
        { state: 'XK', jwksUri: 'https://keys.md-ks.example/commands/jwks.json' },
      ]))).toEqual({
        keys: [{ kid: 'be-1', state: 'BE', publicKeyPem: pem }, { kid: 'al-1', state: 'AL', publicKeyPem: pem }],
        jwks: [{ state: 'XK', jwksUri: 'https://keys.md-ks.example/commands/jwks.json' }],
      });
      expect(() => parseSigners('{}')).toThrow('must be a JSON array');
      expect(() => parseSigners(JSON.stringify([{ state: 'BE', publicKeyPem: pem }]))).toThrow('[0].kid is required (or jwksUri)');
      expect(() => parseSigners(JSON.stringify([{ kid: 'x', state: 'Belgium', publicKeyPem: pem }]))).toThrow('[0].state must be an ISO 3166-1 alpha-2 code');
      expect(() => parseSigners(JSON.stringify([{ kid: 'x', state: 'BE' }]))).toThrow('[0] needs publicKeyPem, keyFile or jwksUri');
      expect(() => parseSigners(JSON.stringify([{ state: 'XK', jwksUri: 'ftp://keys' }]))).toThrow('[0].jwksUri must be an https URL');
      expect(() => parseSigners(JSON.stringify([{ state: 'XK', jwksUri: 'http://keys.justice.example/jwks' }]))).toThrow('[0].jwksUri must be an https URL: plain http is accepted only for a loopback host (127.0.0.0/8, ::1, localhost), not keys.justice.example');
      expect(() => parseSigners(JSON.stringify([{ state: 'XK', jwksUri: 'https://k/j', kid: 'x' }]))).toThrow('[0] has jwksUri and a key');
      expect(() => parseSigners(JSON.stringify([{ state: 'XK', jwksUri: 'https://k/j' }, { state: 'AL', jwksUri: 'https://k/j' }]))).toThrow('[1].jwksUri https://k/j is given twice');
      expect(() => parseSigners(JSON.stringify([{ kid: 'x', state: 'BE', keyFile: join(dir, 'missing.pem') }]))).toThrow('[0].keyFile cannot be read (ENOENT)');
      expect(() => parseSigners(JSON.stringify([{ kid: 'x', state: 'BE', publicKeyPem: pem }, { kid: 'x', state: 'AL', publicKeyPem: pem }]))).toThrow('[1].kid x is given twice');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const notAKey = { COMMAND_SIGNATURES: 'required' as const, COMMAND_SIGNERS: JSON.stringify([{ kid: 'x', state: 'BE', publicKeyPem: 'not a key' }]) };
    expect(configurationProblem(() => commandDecoder(notAKey, inner, 't', {}))).toEqual({ variable: 'COMMAND_SIGNERS', problem: expect.stringContaining('not a PEM public key') });
    expect(configurationProblem(() => commandDecoder({ COMMAND_SIGNATURES: 'off', COMMAND_SIGNERS: 'not json' }, inner, 't', {})).variable).toBe('COMMAND_SIGNERS');
  });
});

describe('command signatures: rights', () => {
  const rights = { RequestTransfer: ['sending'], RecordReceivingStateDecision: ['receiving'] } as const;

  it('checks from the message the rights of commands whose body names the subject, and leaves the others to the handler', () => {
    const fromMessage = messageRights(rights, {
      RequestTransfer: (data) => ({ kind: 'case', sendingState: data.sendingState as string, receivingState: data.receivingState as string }),
    });
    expect(Object.keys(fromMessage)).toEqual(['RequestTransfer']);
    expect(fromMessage.RequestTransfer({ sendingState: 'BE', receivingState: 'AL' }, 'BE')).toBe(true);
    expect(fromMessage.RequestTransfer({ sendingState: 'BE', receivingState: 'AL' }, 'AL')).toBe(false);
  });

  it('refuses a signer without the relation the right asks, with UNAUTHORISED_ACTOR naming the state and the command', () => {
    const belgiumToAlbania = { kind: 'case' as const, sendingState: 'BE', receivingState: 'AL' };
    expect(signerRefusal('AL', 'RecordReceivingStateDecision', belgiumToAlbania, rights.RecordReceivingStateDecision)).toBeUndefined();
    const refusal = signerRefusal('BE', 'RecordReceivingStateDecision', belgiumToAlbania, rights.RecordReceivingStateDecision);
    expect(refusal).toBeInstanceOf(CommandRejection);
    expect(refusal).toMatchObject({
      code: 'UNAUTHORISED_ACTOR',
      message: 'BE may not issue RecordReceivingStateDecision for this case: only its receiving state may.',
      details: { signerState: 'BE', commandType: 'RecordReceivingStateDecision' },
    });
    expect(signerRefusal('NL', 'Unlisted', belgiumToAlbania)?.message).toBe('NL may not issue Unlisted for this case: no ministry may.');
    // Unsigned (signatures off) or a subject not known: the handler goes on and the decider answers.
    expect(signerRefusal(undefined, 'RecordReceivingStateDecision', belgiumToAlbania, rights.RecordReceivingStateDecision)).toBeUndefined();
    expect(signerRefusal('BE', 'RecordReceivingStateDecision', undefined, rights.RecordReceivingStateDecision)).toBeUndefined();
  });

  it('reads the signer the decoder named', () => {
    const event = { extensions: { signer: { state: 'BE', kid: 'be-1' } } } as unknown as DecodedEvent;
    expect(signerStateOf(event)).toBe('BE');
    expect(signerStateOf({ extensions: {} } as DecodedEvent)).toBeUndefined();
  });
});
