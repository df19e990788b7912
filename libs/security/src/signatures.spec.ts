import { exportSPKI, generateKeyPair, type KeyLike } from 'jose';
import { EXAMPLES, toKafkaMessage, TOPICS } from '@custody/contracts';
import { COMMAND_REFUSED, contractDecoder, refusalId, refusedCommand, type InboundMessage } from '@custody/messaging';
import { CommandSignatureVerifier, SIGNATURE_HEADER, signCommand, signedCommandDecoder } from './signatures';

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
  const sign = (m: Ministry, value: string, overrides: { commandId?: string; commandType?: string } = {}) =>
    signCommand(value, m.privateKey, { kid: m.kid, algorithm: m.algorithm, commandId: overrides.commandId ?? registration.commandId, commandType: overrides.commandType ?? 'RegisterInmate' });

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
    const signature = await sign(belgium, message.value);
    expect(signature).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
    const result = decoder.decode(inbound(message, signature));
    expect(result.ok && result.event.extensions.signer).toEqual({ state: 'BE', kid: belgium.kid });
  });

  it('refuses an unsigned command, a malformed or unknown-key signature, a tampered value', async () => {
    const message = command('BE');
    expect(failure(inbound(message))).toEqual({ code: 'SIGNATURE_MISSING', reason: expect.stringContaining('no signature') });
    expect(failure(inbound(message, 'abc.def.ghi'))).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/detached/) });
    const stranger = await ministry('BE', 'ES256');
    const unknown = await signCommand(message.value, stranger.privateKey, { kid: 'someone-else', algorithm: 'ES256', commandId: registration.commandId, commandType: 'RegisterInmate' });
    expect(failure(inbound(message, unknown))).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/not a configured ministry key/) });
    const forgedWithKnownKid = await signCommand(message.value, stranger.privateKey, { kid: belgium.kid, algorithm: 'ES256', commandId: registration.commandId, commandType: 'RegisterInmate' });
    expect(failure(inbound(message, forgedWithKnownKid))).toEqual({ code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/does not verify/) });
    const signature = await sign(belgium, message.value);
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
    expect(failure(inbound(message, await sign(belgium, message.value, { commandId: '00000000-0000-4000-8000-000000000000' })))).toEqual({
      code: 'SIGNATURE_INVALID', reason: expect.stringMatching(/another command/),
    });
    expect(failure(inbound(message, await sign(albania, message.value)))).toEqual({ code: 'UNAUTHORISED_ACTOR', reason: expect.stringMatching(/not the signer's state AL/) });
  });

  it('refuses a state without the right to issue the command (a registration is the sending state\'s)', async () => {
    const message = command('AL');
    const refused = refusal(inbound(message, await sign(albania, message.value)));
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
    expect(refusingInner.decode(inbound(message, await sign(belgium, message.value)))).toEqual({
      ok: true,
      event: { ...bodyRefused, extensions: { actor: { state: 'BE', subject: belgium.kid, verifiedBy: 'command-signature' } } },
    });
    const unsigned = refusingInner.decode(inbound(message));
    expect(unsigned.ok).toBe(false);
    expect(!unsigned.ok && unsigned.answer?.data).toMatchObject({ commandId: registration.commandId, code: 'SIGNATURE_MISSING' });
  });

  it('leaves messages of other topics alone', () => {
    const message = { ...inbound(command('BE')), topic: TOPICS.transferEvents };
    expect(decoder.decode(message)).toEqual(contractDecoder().decode(message));
  });
});
