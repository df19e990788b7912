import { generateKeyPairSync } from 'node:crypto';
import { EXAMPLES, TOPICS } from '@custody/contracts';
import { contractDecoder, TopicNames, type InboundMessage } from '@custody/messaging';
import { CommandSignatureVerifier, signedCommandDecoder } from '@custody/security';
import { run } from './cli';
import { algorithmOf, loadSigningKey, MinistryClient, prepareCommand } from './client';

/** What the client builds is what the services take: checked with the services' own decoders. */
describe('custody-ministry: building a command', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = (key: typeof ec.privateKey) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const decoderFor = (state: string, publicKey: typeof ec.publicKey, kid: string) =>
    signedCommandDecoder(contractDecoder(), new CommandSignatureVerifier([{ kid, state, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }]), [TOPICS.intakeCommands]);
  const inbound = (m: { topic: string; key: string; value: string; headers: Record<string, string> }): InboundMessage => ({
    topic: m.topic, partition: 0, offset: '0', key: Buffer.from(m.key), value: Buffer.from(m.value),
    headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v)])),
  });

  it.each([['ES256', ec], ['RS256', rsa]] as const)('signs with %s a command the services verify, on the topic the contract names, with the signer named', async (algorithm, pair) => {
    const key = loadSigningKey(pem(pair.privateKey), 'be-commands-1');
    expect(algorithmOf(key.privateKey)).toBe(algorithm);
    const prepared = await prepareCommand({ type: 'RegisterInmate', data: { ...(EXAMPLES.RegisterInmate as Record<string, unknown>) } }, { state: 'BE', organisation: 'FPS Justice', officer: 'J. Peeters', signingKey: key });
    expect(prepared.topic).toBe(TOPICS.intakeCommands);
    expect(prepared.resultsTopic).toBe('custody.command-results.BE');
    expect(prepared.commandId).toBe((EXAMPLES.RegisterInmate as { commandId: string }).commandId);
    const decoded = decoderFor('BE', pair.publicKey, 'be-commands-1').decode(inbound(prepared));
    expect(decoded.ok && decoded.event).toMatchObject({ id: prepared.commandId, type: 'RegisterInmate', extensions: { signer: { state: 'BE', kid: 'be-commands-1' }, actor: { state: 'BE', organisation: 'FPS Justice', officer: 'J. Peeters' } } });
  });

  it('signs the acting organisation and officer and the correlation id: a command with any of them changed is refused', async () => {
    const key = loadSigningKey(pem(ec.privateKey), 'be-commands-1');
    const prepared = await prepareCommand({ type: 'RegisterInmate', data: { ...(EXAMPLES.RegisterInmate as Record<string, unknown>) } }, { state: 'BE', organisation: 'FPS Justice', officer: 'J. Peeters', signingKey: key });
    const decoder = decoderFor('BE', ec.publicKey, 'be-commands-1');
    for (const header of ['ce_actororganisation', 'ce_actorofficer', 'ce_correlationid']) {
      const decoded = decoder.decode(inbound({ ...prepared, headers: { ...prepared.headers, [header]: 'changed' } }));
      expect({ header, failure: !decoded.ok && decoded.failure }).toEqual({ header, failure: { code: 'SIGNATURE_INVALID', reason: expect.stringContaining(`another ${header}`) } });
    }
  });

  it('makes a commandId when the body has none, and the signature binds it', async () => {
    const { commandId: _, ...body } = EXAMPLES.RegisterInmate as Record<string, unknown>;
    const key = loadSigningKey(pem(ec.privateKey), 'k');
    const prepared = await prepareCommand({ type: 'RegisterInmate', data: body }, { state: 'BE', organisation: 'FPS Justice', signingKey: key });
    expect(prepared.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(prepared.value).commandId).toBe(prepared.commandId);
    expect(decoderFor('BE', ec.publicKey, 'k').decode(inbound(prepared)).ok).toBe(true);
  });

  it('waits for a signed command\'s result on its state\'s own topic, and for an unsigned one\'s (which no state can be named for) on the shared topic', async () => {
    const body = { ...(EXAMPLES.RegisterInmate as Record<string, unknown>) };
    const names = new TopicNames('run-1.');
    const signed = await prepareCommand({ type: 'RegisterInmate', data: body }, { state: 'AL', organisation: 'Ministry of Justice', signingKey: loadSigningKey(pem(ec.privateKey), 'k') }, names);
    expect(signed.resultsTopic).toBe('run-1.custody.command-results.AL');
    const unsigned = await prepareCommand({ type: 'RegisterInmate', data: body }, { state: 'AL', organisation: 'Ministry of Justice' }, names);
    expect(unsigned.resultsTopic).toBe('run-1.custody.command-results');
  });

  it('names what is wrong before anything is sent: not a command, no occurredAt, a body the contract refuses, a key of another kind', async () => {
    const sender = { state: 'BE', organisation: 'FPS Justice' };
    await expect(prepareCommand({ type: 'InmateRegistered', data: {} }, sender)).rejects.toThrow('InmateRegistered is not a command of the contract');
    await expect(prepareCommand({ type: 'RegisterInmate', data: { inmateId: 'x' } }, sender)).rejects.toThrow('the body needs occurredAt');
    await expect(prepareCommand({ type: 'RegisterInmate', data: { ...(EXAMPLES.RegisterInmate as Record<string, unknown>) } }, { ...sender, state: 'be' })).rejects.toThrow('the acting state must be an ISO 3166-1 alpha-2 code in capitals (or XK), not "be"');
    await expect(prepareCommand({ type: 'RegisterInmate', data: { occurredAt: '2026-03-02T09:30:00Z' } }, sender)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const ed = generateKeyPairSync('ed25519');
    expect(() => loadSigningKey(pem(ed.privateKey), 'k')).toThrow('the signing key must be an RSA key (RS256) or an EC P-256 key (ES256), not ed25519');
  });

  it('prints the contract\'s example of a command, lists the commands, and refuses an unknown type (exit 2)', async () => {
    let out = '';
    let err = '';
    const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t), env: {} };
    expect(await run(['example', 'RequestTransfer'], io)).toBe(0);
    expect(JSON.parse(out)).toEqual({ type: 'RequestTransfer', data: EXAMPLES.RequestTransfer });
    out = '';
    expect(await run(['example'], io)).toBe(0);
    expect(out).toMatch(/^RegisterInmate\s+custody\.intake\.commands$/m);
    expect(out).not.toMatch(/InmateRegistered/);
    expect(await run(['example', 'Nonsense'], io)).toBe(2);
    expect(err).toContain('Nonsense is not a message type of the contract');
  });

  it('refuses to wait for a result it cannot verify (no publisher keys), keys of no service that publishes results, and keys with unverified results', async () => {
    const settings = { brokers: ['127.0.0.1:1'], clientId: 'spec' };
    const prepared = await prepareCommand({ type: 'RegisterInmate', data: { ...(EXAMPLES.RegisterInmate as Record<string, unknown>) } }, { state: 'BE', organisation: 'FPS Justice' });
    await expect(new MinistryClient(settings, undefined, 'BE').send(prepared, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'CLIENT_USAGE', message: expect.stringContaining('the results cannot be verified') });
    const audit = { service: 'audit', kid: 'audit-1', key: generateKeyPairSync('ed25519').publicKey };
    expect(() => new MinistryClient(settings, undefined, 'BE', { publisherKeys: [audit] })).toThrow('no key of intake, transfer, custody, the services that publish results');
    const intake = { ...audit, service: 'intake', kid: 'intake-1' };
    expect(() => new MinistryClient(settings, undefined, 'BE', { publisherKeys: [intake], unverified: true })).toThrow('not both');
  });
});
