import { CompactSign, exportSPKI, generateKeyPair, type KeyLike } from 'jose';
import { EXAMPLES, toKafkaMessage, TOPICS } from '@custody/contracts';
import { COMMAND_REFUSED, contractDecoder, refusalId, refusedCommand, type InboundMessage } from '@custody/messaging';
import { COMMAND_SIGNATURE_FORM, CommandSignatureVerifier, SIGNATURE_HEADER, signCommand, signCommandFirstForm, signedCommandDecoder, signedFieldsOf } from './signatures';

interface Ministry {
  state: string;
  kid: string;
  algorithm: 'RS256' | 'ES256';
  privateKey: KeyLike;
  publicKeyPem: string;
}

async function ministry(state: string, algorithm: 'RS256' | 'ES256'): Promise<Ministry> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  return { state, kid: `${state}-commands-1`, algorithm, privateKey, publicKeyPem: await exportSPKI(publicKey) };
}

const registration = EXAMPLES.RegisterInmate as { commandId: string; sendingState: string; occurredAt: string };

function command(actorState: string, data: Record<string, unknown> = registration) {
  return toKafkaMessage({
    id: data.commandId as string,
    type: 'RegisterInmate',
    schemaVersion: 1,
    data,
    metadata: { correlationId: data.commandId as string, occurredAt: data.occurredAt as string, actor: { state: actorState, organisation: `Ministry of Justice ${actorState}` } },
  });
}

function inbound(message: { key: string; value: string; headers: Record<string, string> }, signature?: string, value = message.value): InboundMessage {
  const headers: Record<string, Buffer> = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)]));
  if (signature) headers[SIGNATURE_HEADER] = Buffer.from(signature);
  return { topic: TOPICS.intakeCommands, partition: 0, offset: '0', key: Buffer.from(message.key), value: Buffer.from(value), headers };
}

describe('signed commands (detached JWS)', () => {
  let belgium: Ministry;
  let albania: Ministry;
  let decoder: ReturnType<typeof signedCommandDecoder>;
  /** The message's value signed by `m` for the command and the covered headers the message carries (`overrides` sign other ones). */
  const sign = (m: Ministry, message: { value: string; headers: Record<string, string> }, overrides: Partial<Parameters<typeof signCommand>[2]> = {}) =>
    signCommand(message.value, m.privateKey, { kid: m.kid, algorithm: m.algorithm, ...signedFieldsOf(message.headers), ...overrides });

  beforeAll(async () => {
    belgium = await ministry('BE', 'ES256');
    albania = await ministry('AL', 'RS256');
    const verifier = new CommandSignatureVerifier([belgium, albania], {
      RegisterInmate: (data, state) => data.sendingState === state,
    });
    decoder = signedCommandDecoder(contractDecoder(), verifier, [TOPICS.intakeCommands]);
  });

  const refusal = (message: InboundMessage) => {
    const result = decoder.decode(message);
    if (result.ok) throw new Error('expected a refusal');
    return result;
  };
  const failure = (message: InboundMessage) => refusal(message).failure;

  it('lets through a command signed by the ministry of the acting state, with the signer named', async () => {
    const message = command('BE');
    const signature = await sign(belgium, message);
    expect(signature).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
    const result = decoder.decode(inbound(message, signature));
    expect(result.ok && result.event.extensions.signer).toEqual({ state: 'BE', kid: belgium.kid });
  });

  it('refuses an unsigned command, a malformed or unknown-key signature, a tampered value', async () => {
    const message = command('BE');
    expect(failure(inbound(message))).toEqual({ code: 'SIGNATURE_MISSING', reason: expect.stringContaining('no signature') });
    expect(failure(inbound(message, 'abc.def.ghi'))).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/detached/) });
    const stranger = await ministry('BE', 'ES256');
    const unknown = await signCommand(message.value, stranger.privateKey, { kid: 'someone-else', algorithm: 'ES256', ...signedFieldsOf(message.headers) });
    expect(failure(inbound(message, unknown))).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/not a configured ministry key/) });
    const forgedWithKnownKid = await signCommand(message.value, stranger.privateKey, { kid: belgium.kid, algorithm: 'ES256', ...signedFieldsOf(message.headers) });
    expect(failure(inbound(message, forgedWithKnownKid))).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/does not verify/) });
    const signature = await sign(belgium, message);
    const body = JSON.parse(message.value) as { identity: { familyName: string } };
    body.identity.familyName = 'Changed';
    const tampered = JSON.stringify(body);
    expect(failure(inbound(message, signature, tampered))).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/does not verify/) });
  });

  it('answers each refusal to the sender: a CommandRefused of its own id, naming the header at fault, without the unverified actor', () => {
    const message = inbound(command('BE'));
    const { answer } = refusal(message);
    expect(answer).toMatchObject({
      id: refusalId(message, registration.commandId),
      type: COMMAND_REFUSED,
      correlationId: registration.commandId,
      occurredAt: registration.occurredAt,
      extensions: {},
      data: {
        commandId: registration.commandId,
        commandType: 'RegisterInmate',
        code: 'SIGNATURE_MISSING',
        message: expect.stringMatching(/^The command carries no signature/),
        errors: [{ path: SIGNATURE_HEADER, problem: expect.stringContaining('no signature') }],
      },
    });
    // Not the command's own id: a forged copy must not take the genuine command's place in the inbox.
    expect(answer!.id).not.toBe(registration.commandId);
    expect(refusalId({ ...message, offset: '1' }, registration.commandId)).not.toBe(answer!.id);
  });

  it('refuses a signature made for another command, or by a state other than the acting one', async () => {
    const message = command('BE');
    expect(failure(inbound(message, await sign(belgium, message, { commandId: '00000000-0000-4000-8000-000000000000' })))).toEqual({
      code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/another command/),
    });
    expect(failure(inbound(message, await sign(albania, message)))).toEqual({ code: 'UNAUTHORISED_ACTOR', reason: expect.stringMatching(/not the signer's state AL/) });
  });

  it('refuses a state without the right to issue the command (a registration is the sending state\'s)', async () => {
    const message = command('AL');
    const refused = refusal(inbound(message, await sign(albania, message)));
    expect(refused.failure).toEqual({ code: 'UNAUTHORISED_ACTOR', reason: expect.stringMatching(/AL may not issue RegisterInmate/) });
    expect(refused.answer?.data).toMatchObject({ code: 'UNAUTHORISED_ACTOR', errors: [{ path: 'ce_actorstate' }], details: { signerState: 'AL' } });
    // The signature verified: the answer is the signer's state's, on its own results topic (docs/adr/0015-command-results-per-state.md).
    expect(refused.answer?.extensions).toEqual({ actor: { state: 'AL', verifiedBy: 'command-signature' } });
  });

  it('keeps the inner decoder\'s answer to an invalid body only when the command is signed by the acting state, acted by the signer', async () => {
    const message = command('BE');
    const bodyRefused = refusedCommand(
      { id: registration.commandId, type: 'RegisterInmate', correlationId: registration.commandId, occurredAt: registration.occurredAt },
      { code: 'VALIDATION_FAILED', message: 'invalid', errors: [{ path: 'data.identity', problem: 'missing' }] },
      registration.commandId,
    );
    const refusingInner = signedCommandDecoder({ decode: () => ({ ok: true, event: bodyRefused }) }, new CommandSignatureVerifier([belgium, albania]), [TOPICS.intakeCommands]);
    expect(refusingInner.decode(inbound(message, await sign(belgium, message)))).toEqual({
      ok: true,
      event: { ...bodyRefused, extensions: { actor: { state: 'BE', subject: belgium.kid, verifiedBy: 'command-signature' } } },
    });
    const unsigned = refusingInner.decode(inbound(message));
    expect(unsigned.ok).toBe(false);
    expect(!unsigned.ok && unsigned.answer?.data).toMatchObject({ commandId: registration.commandId, code: 'SIGNATURE_MISSING' });
  });

  describe('the actor and correlation headers a signature covers (form custody-command/2)', () => {
    const withHeaders = (message: ReturnType<typeof command>, headers: Record<string, string | undefined>) => ({
      ...message,
      headers: Object.fromEntries(Object.entries({ ...message.headers, ...headers }).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    });
    const protectedHeaderOf = (signature: string) => JSON.parse(Buffer.from(signature.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;

    it('names its form and the covered values in the protected header', async () => {
      const message = withHeaders(command('BE'), { ce_actorofficer: 'officer-4711' });
      expect(protectedHeaderOf(await sign(belgium, message))).toEqual({
        alg: 'ES256', kid: belgium.kid, typ: COMMAND_SIGNATURE_FORM, custody_cid: registration.commandId, custody_type: 'RegisterInmate',
        custody_actororganisation: 'Ministry of Justice BE', custody_actorofficer: 'officer-4711', custody_correlationid: registration.commandId,
      });
    });

    it.each([
      ['ce_actororganisation', 'changed', 'Ministry of Justice AL'],
      ['ce_correlationid', 'changed', '11111111-1111-4111-8111-111111111111'],
      ['ce_actorofficer', 'added (signed without an officer)', 'someone-else'],
    ])('refuses a signed command whose %s was %s after signing (SIGNATURE_INVALID, naming the header)', async (header, _how, value) => {
      const message = command('BE');
      const signature = await sign(belgium, message);
      expect(decoder.decode(inbound(message, signature)).ok).toBe(true);
      const altered = refusal(inbound(withHeaders(message, { [header]: value }), signature));
      expect(altered.failure).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringContaining(`another ${header}`) });
      expect(altered.answer?.data).toMatchObject({ code: 'SIGNATURE_INVALID', errors: [{ path: header }] });
    });

    it('refuses a signed command whose officer was changed or removed after signing', async () => {
      const message = withHeaders(command('BE'), { ce_actorofficer: 'officer-4711' });
      const signature = await sign(belgium, message);
      expect(decoder.decode(inbound(message, signature)).ok).toBe(true);
      for (const officer of ['officer-0815', undefined]) {
        expect(failure(inbound(withHeaders(message, { ce_actorofficer: officer }), signature))).toEqual({
          code: 'SIGNATURE_INVALID', reason: expect.stringContaining('another ce_actorofficer'),
        });
      }
    });

    it('refuses a second header of the same name in another case, which the contract\'s reader would take instead', async () => {
      const message = command('BE');
      const signature = await sign(belgium, message);
      const doubled = inbound(withHeaders(message, { CE_ACTORORGANISATION: 'Ministry of Justice AL' }), signature);
      expect(failure(doubled)).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringContaining('another ce_actororganisation') });
      // Without the decoded envelope, the verifier itself takes a header given twice for none it signed.
      const verifier = new CommandSignatureVerifier([belgium]);
      expect(verifier.check(doubled, { id: registration.commandId, type: 'RegisterInmate', actorState: 'BE' })).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID', field: 'ce_actororganisation' });
      expect(verifier.check(inbound(message, signature), { id: registration.commandId, type: 'RegisterInmate', actorState: 'BE' })).toMatchObject({ ok: true });
    });

    it('refuses a signature made for other values than the headers say, though it verifies', async () => {
      const message = command('BE');
      expect(failure(inbound(message, await sign(belgium, message, { actorOrganisation: 'Someone else' })))).toEqual({
        code: 'SIGNATURE_INVALID', reason: expect.stringContaining('another ce_actororganisation'),
      });
      expect(failure(inbound(message, await sign(belgium, message, { correlationId: 'other' })))).toEqual({
        code: 'SIGNATURE_INVALID', reason: expect.stringContaining('another ce_correlationid'),
      });
    });

    it('refuses a first-form signature (no typ) by default, and an unknown form, naming the form', async () => {
      const message = command('BE');
      const firstForm = await signCommandFirstForm(message.value, belgium.privateKey, { kid: belgium.kid, algorithm: 'ES256', commandId: registration.commandId, commandType: 'RegisterInmate' });
      expect(failure(inbound(message, firstForm))).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/first form.*no longer accepted.*custody-command\/2/) });
      const jws = await new CompactSign(new TextEncoder().encode(message.value))
        .setProtectedHeader({ alg: 'ES256', kid: belgium.kid, typ: 'custody-command/3', custody_cid: registration.commandId, custody_type: 'RegisterInmate' })
        .sign(belgium.privateKey);
      const [header, , signature] = jws.split('.');
      expect(failure(inbound(message, `${header}..${signature}`))).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/form "custody-command\/3" is not known/) });
    });

    it('accepts a first-form signature only where the transition is switched on (COMMAND_SIGNATURES_V1=accept), its other checks unchanged', async () => {
      const transition = signedCommandDecoder(contractDecoder(), new CommandSignatureVerifier([belgium, albania], {}, { acceptFirstForm: true }), [TOPICS.intakeCommands]);
      const message = command('BE');
      const firstForm = (m: Ministry, commandId = registration.commandId) =>
        signCommandFirstForm(message.value, m.privateKey, { kid: m.kid, algorithm: m.algorithm, commandId, commandType: 'RegisterInmate' });
      const taken = transition.decode(inbound(message, await firstForm(belgium)));
      expect(taken.ok && taken.event.extensions.signer).toEqual({ state: 'BE', kid: belgium.kid });
      const otherCommand = transition.decode(inbound(message, await firstForm(belgium, '00000000-0000-4000-8000-000000000000')));
      expect(!otherCommand.ok && otherCommand.failure).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/another command/) });
      const otherState = transition.decode(inbound(message, await firstForm(albania)));
      expect(!otherState.ok && otherState.failure).toEqual({ code: 'UNAUTHORISED_ACTOR', reason: expect.stringMatching(/not the signer's state AL/) });
      // A second-form signature is still checked in full there.
      const altered = transition.decode(inbound({ ...message, headers: { ...message.headers, ce_correlationid: 'other' } }, await sign(belgium, message)));
      expect(!altered.ok && altered.failure).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringContaining('another ce_correlationid') });
    });
  });

  it('leaves messages of other topics alone', () => {
    const message = { ...inbound(command('BE')), topic: TOPICS.transferEvents };
    expect(decoder.decode(message)).toEqual(contractDecoder().decode(message));
  });
});
