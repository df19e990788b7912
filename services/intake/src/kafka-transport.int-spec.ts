import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TOPICS } from '@custody/contracts';
import { TopicNames } from '@custody/messaging';
import { TestIssuer } from '@custody/security/testing';
import { commandBodies, identity } from './inmate/inmate.examples';
import { KafkaProbe } from './testing/kafka-probe';
import { startIntake, type IntakeTestApp } from './testing/intake-test-app';

/**
 * Kafka handlers run through the HTTP application's global guards, pipes, interceptors and
 * filters (the transport inherits its configuration): with authentication on and a rate limit of
 * one request a minute, commands on Kafka, which carry no bearer token and are no client's
 * requests, are still applied, every one of them, and answered on custody.command-results.
 */
describe('intake: Kafka commands through the application guards (authentication on, one request a minute)', () => {
  const AUDIENCE = 'custody-tracking';
  let intake: IntakeTestApp;
  let probe: KafkaProbe;
  let topic: (t: string) => string;

  beforeAll(async () => {
    const belgium = await TestIssuer.create('BE', 'RS256');
    intake = await startIntake('intake-transport', {
      AUTH_MODE: 'on',
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_ISSUERS: JSON.stringify([await belgium.settings()]),
      RATE_LIMIT_PER_MINUTE: '1',
    });
    const names = new TopicNames(intake.config.KAFKA_TOPIC_PREFIX);
    topic = (t) => names.physical(t);
    probe = new KafkaProbe();
    await probe.start([topic(TOPICS.commandResults), topic(`${TOPICS.intakeCommands}.dlq`)]);
  });

  afterAll(async () => {
    await probe?.stop();
    await intake?.close();
  });

  it('applies three commands from Kafka and dead-letters none, while HTTP without a token is refused', async () => {
    const commands = [0, 1, 2].map(() => {
      const inmateId = randomUUID();
      return commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(`T-${inmateId.slice(0, 8)}`) });
    });
    for (const body of commands) await probe.send(topic(TOPICS.intakeCommands), KafkaProbe.command('RegisterInmate', body));

    for (const body of commands) {
      const result = await probe.waitFor(`the result of ${body.commandId}`, (s) => s.topic === topic(TOPICS.commandResults) && s.value.commandId === body.commandId);
      expect(result.headers).toMatchObject({ ce_type: 'CommandAccepted' });
    }
    expect(probe.seen.filter((s) => s.topic.endsWith('.dlq'))).toEqual([]);
    // The guards still stand on HTTP.
    await request(intake.app.getHttpServer()).get(`/inmates/${commands[0].inmateId}`).expect(401);
  });
});
