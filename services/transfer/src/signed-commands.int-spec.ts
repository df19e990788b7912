import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import { TOPICS, toKafkaMessage } from '@custody/contracts';
import { TestMinistry, type CommandMessage } from '@custody/security/testing';
import { brokenCommandCases } from '@custody/messaging/testing';
import { testKafka } from '@custody/testing';
import {
  bootTransferApp, dropSchema, newEnvironment, knownBelgianInmate, streamTypes, TopicReader, type TestEnvironment,
} from './testing/transfer-test-app';

const BELGIAN_PRISON = { state: 'BE', organisation: 'Prison de Haren', officer: 'Inspector L. Peeters' };
const ACTOR = { BE: { state: 'BE', organisation: 'FPS Justice' }, AL: { state: 'AL', organisation: 'Ministry of Justice of Albania' } } as const;

/**
 * Commands on custody.transfer.commands with COMMAND_SIGNATURES=required and two ministries' keys
 * made for the test: a command signed by the state that may issue it takes effect once; an
 * unsigned one, one signed wrongly or with an unknown key, and one of a state without the right
 * (from the message, or from the case the service loaded) are answered with CommandRejected and
 * their code and set aside in the dead-letter topic with the reason, and write nothing.
 */
describe('signed transfer commands (real broker and PostgreSQL)', () => {
  let env: TestEnvironment;
  let app: INestApplication;
  let reader: TopicReader;
  let producer: Producer;
  let belgium: TestMinistry;
  let albania: TestMinistry;
  const dlq = `${TOPICS.transferCommands}.dlq`;

  beforeAll(async () => {
    [belgium, albania] = await Promise.all([TestMinistry.create('BE', 'ES256'), TestMinistry.create('AL', 'RS256')]);
    env = newEnvironment();
    app = await bootTransferApp(env, undefined, { COMMAND_SIGNATURES: 'required', COMMAND_SIGNERS: JSON.stringify([belgium.signer(), albania.signer()]) });
    reader = new TopicReader(env.prefix);
    await reader.start([TOPICS.commandResults, dlq]);
    producer = testKafka('ministry').producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await reader?.stop();
    await app?.close();
    await dropSchema(env.schema);
  });

  /** A command message as the ministry of `actor` sends it, unsigned. */
  const command = (type: string, actor: keyof typeof ACTOR, data: Record<string, unknown>): CommandMessage & { id: string; data: Record<string, unknown> } => {
    const id = randomUUID();
    const body = { commandId: id, occurredAt: '2026-03-02T09:00:00Z', ...data };
    return { id, data: body, ...toKafkaMessage({ id, type, schemaVersion: 1, data: body, metadata: { correlationId: id, occurredAt: body.occurredAt, actor: ACTOR[actor] } }) };
  };
  const send = ({ key, value, headers }: CommandMessage) => producer.send({ topic: `${env.prefix}${TOPICS.transferCommands}`, acks: -1, messages: [{ key, value, headers }] });
  const resultOf = (id: string) => reader.waitFor((m) => m.topic === TOPICS.commandResults && m.data.commandId === id, `the result of ${id}`);
  const resultsOf = (id: string) => reader.messages.filter((m) => m.topic === TOPICS.commandResults && m.data.commandId === id);
  const deadLetterOf = (id: string) => reader.waitFor((m) => m.topic === dlq && m.headers.ce_id === id, `${id} in the dead-letter topic`);

  it('refuses to start with signatures required and no ministry key, naming COMMAND_SIGNERS', async () => {
    await expect(bootTransferApp(newEnvironment(), undefined, { COMMAND_SIGNATURES: 'required' })).rejects.toThrow(/COMMAND_SIGNERS: no command-signing key configured/);
  });

  it('applies a command signed by the state that may issue it once, and refuses every other with its code, writing nothing', async () => {
    const inmateId = randomUUID();
    await knownBelgianInmate(env, app, inmateId);
    const request = (actor: keyof typeof ACTOR, transferId = randomUUID()) =>
      command('RequestTransfer', actor, { transferId, inmateId, sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' });
    const opinion = (actor: keyof typeof ACTOR, transferId: string) =>
      command('RecordInmateOpinion', actor, { transferId, inmateId, opinion: 'I agree to go to Albania.', language: 'sq', recordedBy: BELGIAN_PRISON });

    // Belgium, the sending state, requests the transfer: it takes effect.
    const requested = request('BE');
    const transferId = requested.data.transferId as string;
    const signedRequest = await belgium.sign(requested);
    await send(signedRequest);
    expect((await resultOf(requested.id)).type).toBe('CommandAccepted');

    const unsigned = request('BE');
    const tampered = request('BE');
    const tamperedMessage = await belgium.sign(tampered);
    const forged = request('BE'); // Albania's key claiming to be Belgium's
    const stranger = await TestMinistry.create('BE'); // a key nobody configured
    const unknownKey = request('BE');
    const notTheSender = request('AL'); // Albania requesting the transfer of a person Belgium holds
    const notTheHolder = opinion('AL', transferId); // the sending state records the opinion, not the receiving one
    // The completion is the service's to record from custody's admission: no ministry's, even signed.
    const completion = command('CompleteTransfer', 'AL', { transferId, inmateId, facilityId: randomUUID(), admissionEventId: randomUUID() });
    const refusals: Array<[CommandMessage, string]> = [
      [unsigned, 'SIGNATURE_MISSING'],
      [{ ...tamperedMessage, value: tamperedMessage.value.replace('ETS112', 'ETS167') }, 'SIGNATURE_INVALID'],
      [await albania.sign(forged, { kid: belgium.kid }), 'SIGNATURE_INVALID'],
      [await stranger.sign(unknownKey), 'SIGNATURE_INVALID'],
      [await albania.sign(notTheSender), 'UNAUTHORISED_ACTOR'],
      [await albania.sign(notTheHolder), 'UNAUTHORISED_ACTOR'],
      [await albania.sign(completion), 'UNAUTHORISED_ACTOR'],
    ];
    for (const [message] of refusals) await send(message);
    // The signed request again (a replay), then Belgium's own opinion: same key, same partition, so
    // once the opinion is answered everything before it was handled.
    await send(signedRequest);
    const belgianOpinion = opinion('BE', transferId);
    await send(await belgium.sign(belgianOpinion));
    expect((await resultOf(belgianOpinion.id)).type).toBe('CommandAccepted');

    const ids = [unsigned, tampered, forged, unknownKey, notTheSender, notTheHolder, completion].map((m) => m.id);
    for (const [index, [, code]] of refusals.entries()) {
      const id = ids[index];
      const result = await resultOf(id);
      expect({ id, type: result.type, code: result.data.code }).toEqual({ id, type: 'CommandRejected', code });
      const setAside = await deadLetterOf(id);
      expect({ id, code: setAside.headers.dlq_code }).toEqual({ id, code });
      expect(setAside.headers.dlq_reason.length).toBeGreaterThan(10);
    }
    expect((await deadLetterOf(unsigned.id)).headers.dlq_reason).toMatch(/no signature/);
    expect((await deadLetterOf(tampered.id)).headers.dlq_reason).toMatch(/does not verify/);
    expect((await deadLetterOf(forged.id)).headers.dlq_reason).toMatch(/algorithm|does not verify/);
    expect((await deadLetterOf(unknownKey.id)).headers.dlq_reason).toMatch(/not a configured ministry key/);
    expect((await deadLetterOf(notTheSender.id)).headers.dlq_reason).toMatch(/AL may not issue RequestTransfer/);
    expect((await resultOf(notTheHolder.id)).data).toMatchObject({
      code: 'UNAUTHORISED_ACTOR',
      message: 'AL may not issue RecordInmateOpinion for this case: only its sending state may.',
      details: { signerState: 'AL', commandType: 'RecordInmateOpinion' },
    });
    expect((await deadLetterOf(notTheHolder.id)).headers.dlq_reason).toMatch(/only its sending state may/);
    expect((await deadLetterOf(completion.id)).headers.dlq_reason).toMatch(/CompleteTransfer is recorded by the transfer service from custody's InmateAdmitted/);
    expect((await resultOf(unsigned.id)).data).toMatchObject({ errors: [{ path: 'ce_signature', problem: expect.stringContaining('no signature') }] });

    // Nothing of the refused commands was written; the replayed request had no second effect, and
    // was answered with the request's own result again (same ce_id, same content).
    expect(await streamTypes(app, transferId)).toEqual(['TransferRequested', 'InmateOpinionRecorded']);
    for (const refused of [unsigned, tampered, forged, unknownKey, notTheSender]) expect(await streamTypes(app, refused.data.transferId as string)).toEqual([]);
    const answers = resultsOf(requested.id);
    expect(answers).toHaveLength(2);
    expect(answers[1]).toEqual(answers[0]);
    expect(reader.messages.filter((m) => m.topic === dlq && m.headers.ce_id === requested.id)).toEqual([]);
  });

  it('answers each command whose envelope is broken but whose ids can be read with one CommandRejected of its code (and sets it aside), and a resend of a processed command with its original result', async () => {
    // Every message about one person (one key, one partition), but the one sent with another key.
    const person = randomUUID();
    await knownBelgianInmate(env, app, person);
    const request = (inmateId: string) => command('RequestTransfer', 'BE', { transferId: randomUUID(), inmateId, sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' });
    const cases = brokenCommandCases().map((broken) => ({ broken, message: broken.break(request(person)) }));
    const processed = request(person);
    const signed = await belgium.sign(processed);
    await send(signed);
    const original = await resultOf(processed.id);
    expect(original.type).toBe('CommandAccepted');
    for (const { message } of cases) await send(message);
    await send(signed); // the ministry retrying after a timeout

    // Markers behind them on each key they used: once answered, everything before them was handled.
    const otherKey = cases.find(({ message }) => message.key !== person)!.message.key;
    const opinion = command('RecordInmateOpinion', 'BE', {
      transferId: processed.data.transferId, inmateId: person, opinion: 'I agree to go to Albania.', language: 'sq', recordedBy: BELGIAN_PRISON,
    });
    await knownBelgianInmate(env, app, otherKey);
    const markers = [opinion, request(otherKey)];
    for (const marker of markers) await send(await belgium.sign(marker));
    for (const marker of markers) expect((await resultOf(marker.id)).type).toBe('CommandAccepted');

    for (const { broken, message } of cases) {
      const id = message.headers.ce_id;
      const results = resultsOf(id);
      expect({ case: broken.name, results: results.map((r) => [r.type, r.data.code, r.data.commandType]) })
        .toEqual({ case: broken.name, results: [['CommandRejected', broken.code, broken.commandType ?? 'RequestTransfer']] });
      expect(results[0].key).toBe(message.headers.ce_correlationid);
      const setAside = reader.messages.filter((m) => m.topic === dlq && m.headers.ce_id === id).map((m) => m.headers.dlq_code);
      expect({ case: broken.name, setAside }).toEqual({ case: broken.name, setAside: [broken.code] });
    }
    const answers = resultsOf(processed.id);
    expect(answers).toHaveLength(2);
    expect(answers[1]).toEqual(original);
    expect(await streamTypes(app, processed.data.transferId as string)).toEqual(['TransferRequested', 'InmateOpinionRecorded']);
  });
});
