import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { PartitionMetadata } from 'kafkajs';
import request from 'supertest';
import { partitionOfKey } from '@custody/messaging';
import { sendUntilKnownHere } from '@custody/testing';
import { bootTransferApp, dropSchema, newEnvironment, registerInmate, TestProducer, type TestEnvironment } from '../testing/transfer-test-app';

/** The test app's topics have two partitions (KAFKA_PARTITIONS=2). */
const TWO_PARTITIONS: PartitionMetadata[] = [0, 1].map((partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], offlineReplicas: [], partitionErrorCode: 0 }));

/** An id whose partition on intake's events topic is `partition`. */
function idOnPartition(partition: number): string {
  for (;;) {
    const id = randomUUID();
    if (partitionOfKey('any', id, TWO_PARTITIONS) === partition) return id;
  }
}

/**
 * In flight is not "not found" (docs/adr/0012-not-yet-known-here.md): a person intake registered,
 * whose events transfer's consumer has not read yet, is answered 409 NOT_YET_KNOWN_HERE with
 * Retry-After; the same request succeeds once the consumer has caught up; a person on a partition
 * the consumer has read to its end is not found.
 */
describe('transfer answers a person still on the way from intake as not yet known here', () => {
  let env: TestEnvironment;
  let app: INestApplication;
  let producer: TestProducer;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    env = newEnvironment();
    // The consumer is held back: the topics exist, nothing is read from them yet. No wait: the
    // request is answered as soon as the partition is found behind.
    app = await bootTransferApp(env, undefined, { NOT_YET_KNOWN_WAIT_MS: '0' }, { consume: false });
    http = request(app.getHttpServer());
    producer = new TestProducer(env.prefix);
  });

  afterAll(async () => {
    await producer?.close();
    await app?.close();
    await dropSchema(env.schema);
  });

  const requestOf = (inmateId: string) => ({
    commandId: randomUUID(), occurredAt: '2026-03-02T09:00:00Z', transferId: randomUUID(), inmateId, sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112',
  });

  it('409 NOT_YET_KNOWN_HERE with Retry-After while intake\'s registration is unread; the same request succeeds after; 404 for a person no partition holds', async () => {
    const inmateId = idOnPartition(0);
    // Sent on intake's topic (as intake's relay would), not read by transfer yet.
    await registerInmate(producer, inmateId, { nationalities: ['AL'], sendingState: 'BE', habitualResidence: 'BE' });
    const body = requestOf(inmateId);

    const early = await http.post('/transfers').send(body).expect(409);
    expect(early.headers['retry-after']).toBe('1');
    expect(early.body).toMatchObject({
      code: 'NOT_YET_KNOWN_HERE',
      details: { inmateId, awaitedService: 'intake', awaitedEvent: 'InmateRegistered', retryAfterSeconds: 1, unconsumedMessages: 2 },
    });
    expect(early.body.message).toBe('Intake\'s registration of this person has not reached the transfer service yet: send the request again in 1 s.');

    // A person on the other partition, which holds no message at all: nothing can be on its way.
    const stranger = idOnPartition(1);
    const unknown = await http.post('/transfers').send(requestOf(stranger)).expect(404);
    expect(unknown.body).toMatchObject({ code: 'INMATE_NOT_FOUND', details: { inmateId: stranger } });
    expect(unknown.headers['retry-after']).toBeUndefined();

    // The consumer catches up; the same command (same commandId: the 409 was not its answer) is sent
    // again after each Retry-After until it is taken.
    await app.startAllMicroservices();
    const answer = await sendUntilKnownHere(() => http.post('/transfers').send(body));
    expect(answer.status).toBe(201);
    expect(answer.body.events).toEqual([expect.objectContaining({ type: 'TransferRequested' })]);

    // Partition 0 consumed to its end (its offsets committed): a person never registered there is not found.
    const nobody = idOnPartition(0);
    const missing = await sendUntilKnownHere(() => http.post('/transfers').send(requestOf(nobody)));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'INMATE_NOT_FOUND', details: { inmateId: nobody } });
  });
});

/**
 * The request waits for the events on their way (NOT_YET_KNOWN_WAIT_MS) rather than send the client
 * away for a second: sent while transfer's consumer is stopped, it is answered 201 once the
 * consumer, started after the request was sent, has applied intake's registration.
 */
describe('transfer waits for a person still on the way from intake before answering', () => {
  let env: TestEnvironment;
  let app: INestApplication;
  let producer: TestProducer;

  beforeAll(async () => {
    env = newEnvironment();
    // Long enough for the consumer to join its group and catch up, however loaded the machine.
    app = await bootTransferApp(env, undefined, { NOT_YET_KNOWN_WAIT_MS: '30000' }, { consume: false });
    producer = new TestProducer(env.prefix);
  });

  afterAll(async () => {
    await producer?.close();
    await app?.close();
    await dropSchema(env.schema);
  });

  it('answers 201, not 409, when intake\'s registration is consumed while the request waits', async () => {
    const inmateId = idOnPartition(0);
    await registerInmate(producer, inmateId, { nationalities: ['AL'], sendingState: 'BE', habitualResidence: 'BE' });
    const body = {
      commandId: randomUUID(), occurredAt: '2026-03-02T09:00:00Z', transferId: randomUUID(), inmateId, sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112',
    };
    // Sent while nothing consumes intake's topic: the service cannot know the person yet.
    const answer = request(app.getHttpServer()).post('/transfers').send(body).then((response) => response);
    // Only now does the consumer start: a request answered without waiting would have been a 409.
    await app.startAllMicroservices();
    const taken = await answer;
    expect(taken.status).toBe(201);
    expect(taken.body.events).toEqual([expect.objectContaining({ type: 'TransferRequested' })]);
  });
});
