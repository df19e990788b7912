import { generateKeyPairSync, randomUUID } from 'node:crypto';
import request from 'supertest';
import { currentVersion, EXAMPLES, TOPICS, toKafkaMessage, type Envelope } from '@custody/contracts';
import { TopicNames } from '@custody/messaging';
import { EVENT_BATCH_SIGNATURE_TYPE, EVENT_SIGNATURE_HEADER, EVENT_SIGNATURE_PATH_HEADER, eventKeyId, EventSignatureVerifier, EventSigner } from '@custody/security';
import { eventually } from '@custody/testing';
import { commandBodies, identity } from './inmate/inmate.examples';
import { KafkaProbe } from './testing/kafka-probe';
import { startIntake, type IntakeTestApp } from './testing/intake-test-app';

/** A service's event-signing key pair, generated for the test (docs/adr/0013-signed-events.md). */
function serviceKey(service: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = eventKeyId(service, publicKey);
  return {
    service, kid, publicKey, signer: new EventSigner(kid, privateKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    entry: { service, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  };
}

/**
 * Intake with EVENT_SIGNATURES=required, given the transfer and custody services' public keys: an
 * event on custody.transfer.events is applied only signed by the transfer service. The attack of
 * docs/security.md ("Signed events"): a ministry with broker access produces a CustodyReceived on
 * the transfer service's topic, one that names a case intake knows and its receiving state, so
 * that nothing but the signature tells it from the transfer service's.
 */
describe('signed events: intake applies the transfer service\'s events only with its signature (real broker and PostgreSQL)', () => {
  const intakeKey = serviceKey('intake');
  const transfer = serviceKey('transfer');
  const custody = serviceKey('custody');
  let intake: IntakeTestApp;
  let probe: KafkaProbe;
  let topic: (t: string) => string;
  const http = () => request(intake.app.getHttpServer());

  const sendSigned = (t: string, envelope: Envelope, signer?: EventSigner) => {
    const message = toKafkaMessage(envelope);
    return probe.sendRaw(topic(t), signer ? signer.signed(message) : message);
  };
  const deadLettered = (id: string) =>
    probe.waitFor(`${id} in custody.transfer.events.dlq`, (s) => s.topic === topic(`${TOPICS.transferEvents}.dlq`) && s.headers.ce_id === id);

  beforeAll(async () => {
    intake = await startIntake('intake-signed-events', {
      EVENT_SIGNING_KEY: intakeKey.privateKeyPem,
      EVENT_PUBLISHER_KEYS: JSON.stringify([transfer.entry, custody.entry]),
    });
    expect(intake.config.EVENT_SIGNATURES).toBe('required');
    const names = new TopicNames(intake.config.KAFKA_TOPIC_PREFIX);
    topic = (t) => names.physical(t);
    probe = new KafkaProbe();
    await probe.start([topic(TOPICS.intakeEvents), topic(`${TOPICS.transferEvents}.dlq`)]);
  });

  afterAll(async () => {
    await probe?.stop();
    await intake?.close();
  });

  it('signs what its relay publishes with intake\'s key: InmateRegistered verifies as intake\'s, not as another service\'s', async () => {
    const inmateId = randomUUID();
    await http().post('/inmates').send(commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(`S-${inmateId.slice(0, 8)}`) })).expect(201);
    const published = await probe.waitFor('InmateRegistered', (s) => s.topic === topic(TOPICS.intakeEvents) && s.key === inmateId);
    expect(published.headers[EVENT_SIGNATURE_HEADER]).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
    // The relay signs per batch: one signature over the batch's Merkle root, the event's place and path beside it.
    expect(JSON.parse(Buffer.from(published.headers[EVENT_SIGNATURE_HEADER].split('.')[0], 'base64url').toString())).toEqual({ alg: 'EdDSA', kid: intakeKey.kid, typ: EVENT_BATCH_SIGNATURE_TYPE });
    expect(published.headers[EVENT_SIGNATURE_PATH_HEADER]).toMatch(/^\d+\.[1-9]\d*(\.[A-Za-z0-9_-]{43})*$/);
    const message = { key: published.key, value: JSON.stringify(published.value), headers: published.headers };
    expect(new EventSignatureVerifier([{ service: 'intake', kid: intakeKey.kid, key: intakeKey.publicKey }]).check(message, ['intake'])).toEqual({ ok: true, service: 'intake', kid: intakeKey.kid });
  });

  it('dead-letters a forged CustodyReceived (unsigned, a ministry\'s key, custody\'s key, an altered value under a single or a batch signature) as EVENT_SIGNATURE_INVALID, applies none, then applies the genuine one', async () => {
    const inmateId = randomUUID();
    await http().post('/inmates').send(commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(`H-${inmateId.slice(0, 8)}`) })).expect(201);
    await http().post(`/inmates/${inmateId}/sentence`).send(commandBodies(inmateId, randomUUID()).RecordSentence()).expect(200);

    // The case as the transfer service publishes it, signed: requested by BE, recognised by AL.
    const transferId = randomUUID();
    const meta = { correlationId: transferId, occurredAt: '2026-05-01T10:00:00Z' };
    const decided = EXAMPLES.ReceivingStateDecisionRecorded as { decidedBy: object };
    await sendSigned(TOPICS.transferEvents, {
      id: randomUUID(), type: 'TransferRequested', schemaVersion: currentVersion('TransferRequested'), metadata: meta,
      data: { ...EXAMPLES.TransferRequested, transferId, inmateId, sendingState: 'BE', receivingState: 'AL' },
    }, transfer.signer);
    await sendSigned(TOPICS.transferEvents, {
      id: randomUUID(), type: 'ReceivingStateDecisionRecorded', schemaVersion: currentVersion('ReceivingStateDecisionRecorded'), metadata: meta,
      data: { ...decided, transferId, inmateId, decision: 'recognised', decidedBy: { ...decided.decidedBy, state: 'AL' } },
    }, transfer.signer);

    const handOver = (state = 'AL'): Envelope => ({
      id: randomUUID(), type: 'CustodyReceived', schemaVersion: 1,
      data: { transferId, inmateId, facilityId: randomUUID(), receivedBy: { state, organisation: 'General Directorate of Prisons', officer: 'A. Kola', place: 'Tirana International Airport' } },
      metadata: { correlationId: transferId, occurredAt: '2026-06-01T10:00:00Z' },
    });
    const ministry = serviceKey('transfer'); // a key a ministry made up, claiming to be the transfer service's
    const unsigned = handOver();
    const byMinistry = handOver();
    const byCustody = handOver();
    const altered = handOver();
    const alteredMessage = transfer.signer.signed(toKafkaMessage(altered));
    // The same, in the batch form: the second event of a batch the transfer service signed, its value changed afterwards.
    const alteredInBatch = handOver();
    const [, alteredBatchMessage] = transfer.signer.signedBatch([toKafkaMessage(handOver()), toKafkaMessage(alteredInBatch)]);
    await sendSigned(TOPICS.transferEvents, unsigned);
    await sendSigned(TOPICS.transferEvents, byMinistry, ministry.signer);
    await sendSigned(TOPICS.transferEvents, byCustody, custody.signer);
    // The transfer service's genuine signature, over a value changed afterwards (another place of hand-over).
    await probe.sendRaw(topic(TOPICS.transferEvents), { ...alteredMessage, value: alteredMessage.value.replace('Tirana International Airport', 'Schiphol') });
    await probe.sendRaw(topic(TOPICS.transferEvents), { ...alteredBatchMessage, value: alteredBatchMessage.value.replace('Tirana International Airport', 'Schiphol') });

    const expected: Array<[Envelope, string]> = [
      [unsigned, 'the event carries no signature'],
      [byMinistry, `the signing key ${ministry.kid} is not a configured publisher key`],
      [byCustody, `signed by custody (key ${custody.kid}); only transfer may publish on this topic`],
      [altered, `the signature of key ${transfer.kid} does not verify over the event`],
      [alteredInBatch, `the batch signature of key ${transfer.kid} does not verify over the root`],
    ];
    for (const [envelope, reason] of expected) {
      const setAside = await deadLettered(envelope.id);
      expect({ id: envelope.id, code: setAside.headers.dlq_code, reason: setAside.headers.dlq_reason }).toEqual({ id: envelope.id, code: 'EVENT_SIGNATURE_INVALID', reason: expect.stringContaining(reason) });
    }
    expect((await http().get(`/inmates/${inmateId}`).expect(200)).body.enforcement.status).toBe('active');

    // The genuine hand-over, on the same partition behind the forgeries, is applied: the partition
    // moved on. It comes in the batch form (the last of a batch of three, sent alone), where the
    // case's events above came in the single-event form: both are accepted.
    const genuine = handOver();
    const batch = transfer.signer.signedBatch([toKafkaMessage(handOver('BE')), toKafkaMessage(handOver('BE')), toKafkaMessage(genuine)]);
    await probe.sendRaw(topic(TOPICS.transferEvents), batch[2]);
    await eventually(async () => {
      const body = (await http().get(`/inmates/${inmateId}`)).body;
      return body.enforcement?.status === 'suspended' ? body : undefined;
    }, { timeoutMs: 60_000, message: 'enforcement suspended by the signed hand-over' });
    const history = await http().get(`/inmates/${inmateId}/history`).expect(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['InmateRegistered', 'SentenceRecorded', 'EnforcementSuspended']);
    expect(history.body.events[2]).toMatchObject({ causationId: genuine.id });
  });

  it('refuses to start with signatures required and no key of a publisher it reads, naming EVENT_PUBLISHER_KEYS', async () => {
    await expect(startIntake('intake-no-keys', { EVENT_SIGNING_KEY: intakeKey.privateKeyPem, EVENT_PUBLISHER_KEYS: JSON.stringify([transfer.entry]) }))
      .rejects.toThrow(/EVENT_PUBLISHER_KEYS: no key of custody, the publisher of custody.facility.events/);
  });
});
