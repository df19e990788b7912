import { randomUUID } from 'node:crypto';
import { EXAMPLES, TOPICS, toKafkaMessage } from '@custody/contracts';
import { PostgresEventStore } from '@custody/event-store';
import { TopicNames } from '@custody/messaging';
import { TestJwksServer, TestMinistry, type CommandMessage } from '@custody/security/testing';
import { brokenCommandCases } from '@custody/messaging/testing';
import { KafkaProbe, type Seen } from './testing/kafka-probe';
import { startIntake, type IntakeTestApp } from './testing/intake-test-app';

const ACTOR = { BE: { state: 'BE', organisation: 'FPS Justice' }, AL: { state: 'AL', organisation: 'Ministry of Justice of Albania' } } as const;

/**
 * Commands on custody.intake.commands with COMMAND_SIGNATURES=required and two ministries' keys
 * made for the test: a command signed by the inmate's sending state takes effect once; an unsigned
 * one, one signed wrongly or with an unknown key, and one of a state without the right (from the
 * message, or from the record the service loaded) are answered with CommandRejected and their code
 * and set aside in the dead-letter topic with the reason, and write nothing. A signed command whose
 * body breaks the contract is still answered with its failing fields (and not set aside).
 */
describe('signed intake commands (real broker and PostgreSQL)', () => {
  let intake: IntakeTestApp;
  let probe: KafkaProbe;
  let belgium: TestMinistry;
  let albania: TestMinistry;
  let topic: (name: string) => string;

  beforeAll(async () => {
    [belgium, albania] = await Promise.all([TestMinistry.create('BE'), TestMinistry.create('AL', 'RS256')]);
    intake = await startIntake('intake-signed', { COMMAND_SIGNERS: JSON.stringify([belgium.signer(), albania.signer()]) });
    expect(intake.config.COMMAND_SIGNATURES).toBe('required');
    const names = new TopicNames(intake.config.KAFKA_TOPIC_PREFIX);
    topic = (name) => names.physical(name);
    probe = new KafkaProbe();
    await probe.start([topic(TOPICS.commandResults), topic(`${TOPICS.intakeCommands}.dlq`)]);
  });

  afterAll(async () => {
    await probe?.stop();
    await intake?.close();
  });

  /** A command message as the ministry of `actor` sends it, unsigned. */
  const command = (type: 'RegisterInmate' | 'RecordResidenceStatus', actor: keyof typeof ACTOR, data: Record<string, unknown>): CommandMessage & { id: string } => {
    const id = randomUUID();
    const body: Record<string, unknown> = { ...EXAMPLES[type], commandId: id, ...data };
    return { id, ...toKafkaMessage({ id, type, schemaVersion: 1, data: body, metadata: { correlationId: id, occurredAt: body.occurredAt as string, actor: ACTOR[actor] } }) };
  };
  const send = (message: CommandMessage) => probe.sendRaw(topic(TOPICS.intakeCommands), { key: message.key, value: message.value, headers: message.headers });
  const isResultOf = (id: string) => (s: Seen) => s.topic === topic(TOPICS.commandResults) && s.value.commandId === id;
  const isDeadLetterOf = (id: string) => (s: Seen) => s.topic === topic(`${TOPICS.intakeCommands}.dlq`) && s.headers.ce_id === id;
  const resultOf = (id: string) => probe.waitFor(`the result of ${id}`, isResultOf(id));
  const deadLetterOf = (id: string) => probe.waitFor(`${id} in the dead-letter topic`, isDeadLetterOf(id));
  const recorded = async (inmateId: string) => {
    const types: string[] = [];
    for await (const event of intake.app.get(PostgresEventStore).readStream(`inmate-${inmateId}`)) types.push(event.type);
    return types;
  };
  const registration = (actor: keyof typeof ACTOR, inmateId: string = randomUUID()) => {
    const { identity } = EXAMPLES.RegisterInmate as { identity: { documents: Array<Record<string, string>> } };
    const documents = identity.documents.map((d) => ({ ...d, number: `${d.number.slice(0, 3)}${inmateId.slice(0, 8)}` }));
    return command('RegisterInmate', actor, { inmateId, sendingState: 'BE', identity: { ...identity, documents } });
  };

  it('refuses to start with signatures required and no ministry key, naming COMMAND_SIGNERS', async () => {
    await expect(startIntake('intake-unsigned', { COMMAND_SIGNATURES: 'required' })).rejects.toThrow(/COMMAND_SIGNERS: no command-signing key configured/);
  });

  it('records the verified signer as the actor: its key\'s state and id, not the organisation or officer the headers claim', async () => {
    const registered = registration('BE');
    const inmateId = JSON.parse(registered.value).inmateId as string;
    await send(await belgium.sign({ ...registered, headers: { ...registered.headers, ce_actorofficer: 'officer-4711' } }));
    expect((await resultOf(registered.id)).headers.ce_type).toBe('CommandAccepted');
    const actors: unknown[] = [];
    for await (const event of intake.app.get(PostgresEventStore).readStream(`inmate-${inmateId}`)) actors.push(event.metadata.actor);
    expect(actors).toEqual([{ state: 'BE', subject: belgium.kid, verifiedBy: 'command-signature' }]);
  });

  it('refuses a signed command whose actor organisation, officer or correlation id was changed after signing (SIGNATURE_INVALID), writing nothing', async () => {
    const altered: Array<[CommandMessage & { id: string }, string, Record<string, string | undefined>]> = [];
    for (const [header, value] of [
      ['ce_actororganisation', 'Ministry of Justice of Albania'],
      ['ce_actorofficer', 'someone-else'], // added: the signature was made with no officer
      ['ce_correlationid', randomUUID()],
    ] as const) {
      const registered = registration('BE');
      const signed = await belgium.sign(registered);
      altered.push([registered, header, { ...signed.headers, [header]: value }]);
    }
    // An officer the signature names, then removed.
    const withOfficer = registration('BE');
    const signedWithOfficer = await belgium.sign({ ...withOfficer, headers: { ...withOfficer.headers, ce_actorofficer: 'officer-4711' } });
    altered.push([withOfficer, 'ce_actorofficer', { ...signedWithOfficer.headers, ce_actorofficer: undefined }]);
    for (const [message, , headers] of altered) {
      const kept = Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
      await send({ ...message, headers: kept });
    }
    // The same commands unaltered are taken: only the change was refused.
    const genuine = registration('BE');
    await send(await belgium.sign(genuine));
    expect((await resultOf(genuine.id)).headers.ce_type).toBe('CommandAccepted');

    for (const [{ id, value }, header] of altered) {
      const result = await resultOf(id);
      expect({ id, type: result.headers.ce_type, code: result.value.code, errors: result.value.errors }).toEqual({
        id, type: 'CommandRejected', code: 'SIGNATURE_INVALID', errors: [{ path: header, problem: expect.stringContaining(`another ${header}`) }],
      });
      const setAside = await deadLetterOf(id);
      expect({ id, code: setAside.headers.dlq_code }).toEqual({ id, code: 'SIGNATURE_INVALID' });
      expect(await recorded(JSON.parse(value).inmateId as string)).toEqual([]);
    }
  });

  it('applies a command signed by the sending state once, and refuses every other with its code, writing nothing', async () => {
    // Belgium registers a person it holds: it takes effect.
    const registered = registration('BE');
    const inmateId = JSON.parse(registered.value).inmateId as string;
    const signedRegistration = await belgium.sign(registered);
    await send(signedRegistration);
    expect((await resultOf(registered.id)).headers.ce_type).toBe('CommandAccepted');

    const residence = (actor: keyof typeof ACTOR) => command('RecordResidenceStatus', actor, { inmateId });
    const unsigned = residence('BE');
    const tampered = residence('BE');
    const tamperedMessage = await belgium.sign(tampered);
    const stranger = await TestMinistry.create('BE'); // a key nobody configured
    const unknownKey = residence('BE');
    const notTheSender = registration('AL'); // Albania registering a person Belgium holds
    const notTheHolder = residence('AL'); // Albania writing in Belgium's record
    const refusals: Array<[{ id: string }, CommandMessage, string, RegExp]> = [
      [unsigned, unsigned, 'SIGNATURE_MISSING', /no signature/],
      [tampered, { ...tamperedMessage, value: tamperedMessage.value.replace('"irregular"', '"regular"') }, 'SIGNATURE_INVALID', /does not verify/],
      [unknownKey, await stranger.sign(unknownKey), 'SIGNATURE_INVALID', /not a configured ministry key/],
      [notTheSender, await albania.sign(notTheSender), 'UNAUTHORISED_ACTOR', /AL may not issue RegisterInmate/],
      [notTheHolder, await albania.sign(notTheHolder), 'UNAUTHORISED_ACTOR', /AL may not issue RecordResidenceStatus for this inmate: only its sending state may/],
    ];
    for (const [, message] of refusals) await send(message);

    // A body that breaks the contract: signed, it is answered with its fields; unsigned, refused as unsigned.
    const invalid = (message: CommandMessage) => ({ ...message, value: JSON.stringify({ ...JSON.parse(message.value), status: 'unknown' }) });
    const signedInvalid = residence('BE');
    const unsignedInvalid = residence('BE');
    await send(await belgium.sign(invalid(signedInvalid)));
    await send(invalid(unsignedInvalid));

    // The signed registration again (a replay), then Belgium's own record of the residence: same
    // key, same partition, so once it is answered everything before it was handled.
    await send(signedRegistration);
    const recordedByBelgium = residence('BE');
    await send(await belgium.sign(recordedByBelgium));
    expect((await resultOf(recordedByBelgium.id)).headers.ce_type).toBe('CommandAccepted');

    for (const [{ id }, , code, reason] of refusals) {
      const result = await resultOf(id);
      expect({ id, type: result.headers.ce_type, code: result.value.code }).toEqual({ id, type: 'CommandRejected', code });
      const setAside = await deadLetterOf(id);
      expect({ id, code: setAside.headers.dlq_code }).toEqual({ id, code });
      expect(setAside.headers.dlq_reason).toMatch(reason);
    }
    expect((await resultOf(unsigned.id)).value).toMatchObject({ commandType: 'RecordResidenceStatus', errors: [{ path: 'ce_signature' }] });
    expect((await resultOf(signedInvalid.id)).value).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'data.status' }] });
    expect(probe.seen.filter(isDeadLetterOf(signedInvalid.id))).toEqual([]);
    expect((await resultOf(unsignedInvalid.id)).value).toMatchObject({ code: 'SIGNATURE_MISSING' });
    expect((await deadLetterOf(unsignedInvalid.id)).headers.dlq_code).toBe('SIGNATURE_MISSING');

    // Only the signed commands of the sending state wrote anything, the replayed registration once;
    // the replay was answered with the registration's own result again (same ce_id, same content).
    expect(await recorded(inmateId)).toEqual(['InmateRegistered', 'ResidenceStatusRecorded']);
    expect(await recorded(JSON.parse(notTheSender.value).inmateId as string)).toEqual([]);
    const answers = probe.seen.filter(isResultOf(registered.id));
    expect(answers).toHaveLength(2);
    expect(answers[1]).toEqual(answers[0]);
    expect(probe.seen.filter(isDeadLetterOf(registered.id))).toEqual([]);
  });

  it('answers each command whose envelope is broken but whose ids can be read with one CommandRejected of its code (and sets it aside), and a resend of a processed command with its original result', async () => {
    // Every message about one person (one key, one partition), but the one sent with another key.
    const person = randomUUID();
    const cases = brokenCommandCases().map((broken) => ({ broken, message: broken.break(registration('BE', person)) }));
    const processed = await belgium.sign(registration('BE', person));
    await send(processed);
    const original = await resultOf(processed.headers.ce_id);
    expect(original.headers.ce_type).toBe('CommandAccepted');
    for (const { message } of cases) await send(message);
    await send(processed); // the ministry retrying after a timeout

    // Markers behind them on each key they used: once answered, everything before them was handled.
    const otherKey = cases.find(({ message }) => message.key !== person)!.message.key;
    const markers = [await belgium.sign(command('RecordResidenceStatus', 'BE', { inmateId: person })), await belgium.sign(registration('BE', otherKey))];
    for (const marker of markers) await send(marker);
    for (const marker of markers) expect((await resultOf(marker.headers.ce_id)).headers.ce_type).toBe('CommandAccepted');

    for (const { broken, message } of cases) {
      const id = message.headers.ce_id;
      const results = probe.seen.filter(isResultOf(id));
      expect({ case: broken.name, results: results.map((r) => [r.headers.ce_type, r.value.code, r.value.commandType]) })
        .toEqual({ case: broken.name, results: [['CommandRejected', broken.code, broken.commandType ?? 'RegisterInmate']] });
      expect(results[0].key).toBe(message.headers.ce_correlationid);
      expect({ case: broken.name, setAside: probe.seen.filter(isDeadLetterOf(id)).map((d) => d.headers.dlq_code) }).toEqual({ case: broken.name, setAside: [broken.code] });
    }
    const answers = probe.seen.filter(isResultOf(processed.headers.ce_id));
    expect(answers).toHaveLength(2);
    expect(answers[1]).toEqual(original);
    expect(await recorded(person)).toEqual(['InmateRegistered', 'ResidenceStatusRecorded']);
  });

  it('takes the keys of a ministry that publishes them at a JWKS URL, fetched before the first command', async () => {
    const server = await TestJwksServer.start();
    const belgiumPublished = await TestMinistry.create('BE', 'ES256');
    server.publish(belgiumPublished.publicJwk());
    const published = await startIntake('intake-jwks', { COMMAND_SIGNERS: JSON.stringify([{ state: 'BE', jwksUri: server.url }]) });
    const names = new TopicNames(published.config.KAFKA_TOPIC_PREFIX);
    const watcher = new KafkaProbe();
    try {
      expect(server.fetches).toBeGreaterThanOrEqual(1);
      await watcher.start([names.physical(TOPICS.commandResults)]);
      const registered = registration('BE');
      const forged = registration('BE');
      await watcher.sendRaw(names.physical(TOPICS.intakeCommands), await belgiumPublished.sign(registered));
      await watcher.sendRaw(names.physical(TOPICS.intakeCommands), await belgium.sign(forged)); // a key Belgium never published
      const resultIn = (id: string) => watcher.waitFor(`the result of ${id}`, (m) => m.topic === names.physical(TOPICS.commandResults) && m.value.commandId === id);
      expect((await resultIn(registered.id)).headers.ce_type).toBe('CommandAccepted');
      expect((await resultIn(forged.id)).value).toMatchObject({ code: 'SIGNATURE_INVALID', errors: [{ problem: expect.stringContaining('is not a configured ministry key') }] });
    } finally {
      await watcher.stop();
      await published.close();
      await server.close();
    }
  });
});
