// 7. The four processes as Docker Compose runs them: authentication on in every service, signed
// commands required on Kafka (Belgium's keys published at a JWKS URL), signed events, a purpose
// stated for every read of personal data, and a broker of the stack's own that authenticates every
// client with SASL/SCRAM and authorises it by the ACLs of docs/security.md (each service and
// Belgium's ministry a user of its own). The other end-to-end tests follow the business flows with
// these checks off; each service's own tests cover them one by one. This one shows they hold
// together across processes: a token passed from the audit service to the others, a command
// verified by a process against keys it fetched, the scope of each state, the broker's rights.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { ScramUser } from '@custody/messaging';
import { commandResultsTopic, toKafkaMessage, TOPICS } from '@custody/contracts';
import { TestIssuer, TestJwksServer, TestMinistry } from '@custody/security/testing';
import { type Role } from '@custody/security';
import { BELGIUM_TO_ALBANIA, TransferCase } from './harness/cases';
import { eventually, request } from './harness/http';
import { Stack } from './harness/stack';
import { SERVICE_NAMES } from './harness/service-process';

const AUDIENCE = 'custody-tracking';

/** The Kafka error codes of an error and of the errors it wraps (kafkajs wraps a refusal in its retrier's errors). */
const kafkaCodes = (error: unknown): string[] => {
  const codes: string[] = [];
  for (let e = error as { type?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 6; e = e.cause as typeof e, depth++) {
    if (typeof e.type === 'string') codes.push(e.type);
  }
  return codes;
};
const PURPOSE = 'case BE-AL-2026-0042';

describe('the stack with authentication, signed commands and stated purposes on, over four processes', () => {
  let stack: Stack;
  let jwks: TestJwksServer;
  let producer: Producer;
  let belgianMinistry: TestMinistry;
  const issuers = {} as Record<'BE' | 'AL' | 'NL', TestIssuer>;

  beforeAll(async () => {
    [issuers.BE, issuers.AL, issuers.NL, belgianMinistry] = await Promise.all([
      TestIssuer.create('BE'), TestIssuer.create('AL', 'RS256'), TestIssuer.create('NL'), TestMinistry.create('BE'),
    ]);
    jwks = await TestJwksServer.start();
    jwks.publish(belgianMinistry.publicJwk());
    const secure = {
      AUTH_MODE: 'on',
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_ISSUERS: JSON.stringify(await Promise.all(Object.values(issuers).map((issuer) => issuer.settings()))),
    };
    const signed = { ...secure, COMMAND_SIGNATURES: 'required', COMMAND_SIGNERS: JSON.stringify([{ state: 'BE', jwksUri: jwks.url }]) };
    stack = await Stack.start({ label: 'secure', secureKafka: { states: ['BE'] }, env: { intake: signed, transfer: signed, custody: signed, audit: secure } });
    producer = kafkaAs(stack.kafkaCredentials!.ministries.BE, 'ministry').producer({ retry: { retries: 2 } });
    await producer.connect();
  }, 600_000);

  afterAll(async () => {
    await producer?.disconnect();
    await stack?.stop();
    await jwks?.close();
  }, 120_000);

  /** A client of the stack's broker as one of its SCRAM users. */
  const kafkaAs = (user: ScramUser, clientId: string) =>
    new Kafka({
      clientId: `${stack.topicPrefix}${clientId}`,
      brokers: stack.brokers.split(','),
      logLevel: logLevel.NOTHING,
      sasl: { mechanism: 'scram-sha-512', username: user.username, password: user.password },
    });

  /**
   * The result of a command on a results topic (read from its beginning), with its type and body:
   * Belgium's own topic read by Belgium's ministry in a group of its own, the shared topic by the operators.
   */
  const resultOn = async (topic: string, commandId: string, reader: 'BE' | 'operator'): Promise<Record<string, unknown>> => {
    const credentials = stack.kafkaCredentials!;
    const consumer = (reader === 'BE' ? kafkaAs(credentials.ministries.BE, 'ministry-reader') : kafkaAs(credentials.operator!, 'operator-reader')).consumer({
      groupId: reader === 'BE' ? `${stack.topicPrefix}custody.ministry.BE.results-${randomUUID()}` : `${stack.topicPrefix}custody-admin-results-${randomUUID()}`,
    });
    const seen: Array<Record<string, unknown>> = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push({ type: message.headers?.ce_type?.toString(), ...(JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>) });
        },
      });
      return await eventually(async () => seen.find((m) => m.commandId === commandId), { message: `the result of ${commandId} on ${topic}` });
    } finally {
      await consumer.disconnect();
    }
  };

  const as = async (state: keyof typeof issuers, role: Role, purpose?: string) => ({
    Authorization: `Bearer ${await issuers[state].token([role], AUDIENCE, { subject: `${role}@${state.toLowerCase()}` })}`,
    ...(purpose ? { 'X-Access-Purpose': purpose } : {}),
  });

  it('lets each state do only its part, takes only signed commands, and gathers who read a person across the services', async () => {
    // Without a token: 401 on every service; health stays open for the orchestrator.
    for (const service of SERVICE_NAMES) {
      expect((await request('GET', `${stack.url(service)}/access-log`)).status).toBe(401);
      expect((await request('GET', `${stack.url(service)}/health`)).status).toBe(200);
    }

    // Belgium's intake officer registers a person it holds; Albania may not.
    const person = new TransferCase(BELGIUM_TO_ALBANIA, randomUUID());
    const [registration] = person.intake();
    expect((await request('POST', `${stack.url('intake')}${registration.path}`, { ...registration.body, commandId: randomUUID() }, await as('AL', 'intake-officer'))).status).toBe(403);
    expect((await request('POST', `${stack.url('intake')}${registration.path}`, registration.body, await as('BE', 'intake-officer'))).status).toBe(201);

    // Reading it needs a purpose; Belgium reads it, the Netherlands may not.
    const record = `${stack.url('intake')}/inmates/${person.inmateId}`;
    expect((await request('GET', record, undefined, await as('BE', 'intake-officer'))).body).toMatchObject({ code: 'PURPOSE_REQUIRED' });
    expect((await request('GET', record, undefined, await as('NL', 'intake-officer', PURPOSE))).status).toBe(403);
    const read = await request<{ identity: { familyName: string } }>('GET', record, undefined, await as('BE', 'intake-officer', PURPOSE));
    expect(read).toMatchObject({ status: 200, body: { identity: { familyName: `Person ${person.passport}` } } });

    // On Kafka, for one more person and on one partition (the person's id is the key): an unsigned
    // registration, then the same person registered under Belgium's key, which intake fetched from
    // the JWKS URL. Only the signed one takes effect.
    const other = new TransferCase(BELGIUM_TO_ALBANIA, randomUUID());
    const [otherRegistration] = other.intake();
    const message = (familyName: string) => {
      const id = randomUUID();
      const data = { ...otherRegistration.body, commandId: id, identity: { ...(otherRegistration.body.identity as object), familyName } };
      return toKafkaMessage({ id, type: 'RegisterInmate', schemaVersion: 1, data, metadata: { correlationId: id, occurredAt: data.occurredAt, actor: { state: 'BE', organisation: 'FPS Justice' } } });
    };
    const send = (m: { key: string; value: string; headers: Record<string, string> }) =>
      producer.send({ topic: `${stack.topicPrefix}${TOPICS.intakeCommands}`, acks: -1, messages: [{ key: m.key, value: m.value, headers: m.headers }] });
    const unsigned = message('Unsigned');
    const signed = await belgianMinistry.sign(message('Signed'));
    await send(unsigned);
    await send(signed);
    const otherRecord = `${stack.url('intake')}/inmates/${other.inmateId}`;
    const registered = await eventually(async () => {
      const answer = await request<{ identity: { familyName: string } }>('GET', otherRecord, undefined, await as('BE', 'intake-officer', PURPOSE));
      return answer.status === 200 ? answer.body : undefined;
    }, { message: 'the signed registration to take effect' });
    expect(registered.identity.familyName).toBe('Signed');
    // Belgium's answer on Belgium's own results topic; the unsigned command's, which no verified
    // state can be named for, on the operators' shared topic (docs/adr/0015-command-results-per-state.md).
    expect(await resultOn(`${stack.topicPrefix}${commandResultsTopic('BE')}`, signed.headers.ce_id, 'BE')).toMatchObject({ type: 'CommandAccepted', commandType: 'RegisterInmate' });
    expect(await resultOn(`${stack.topicPrefix}${TOPICS.commandResults}`, unsigned.headers.ce_id, 'operator')).toMatchObject({ type: 'CommandRejected', code: 'SIGNATURE_MISSING' });
    // The broker's ACLs: Belgium's ministry, which sends commands, may not write transfer's events
    // (a forged CustodyReceived is refused by the broker before any signature is checked).
    const forged = await producer
      .send({ topic: `${stack.topicPrefix}${TOPICS.transferEvents}`, acks: -1, messages: [{ key: other.inmateId, value: '{"forged":true}' }] })
      .then(() => undefined, (error: unknown) => error);
    expect(kafkaCodes(forged)).toContain('TOPIC_AUTHORIZATION_FAILED');

    // The audit ledger: Belgium's auditor reads the person's custody; a Dutch auditor may not.
    const timeline = `${stack.url('audit')}/inmates/${person.inmateId}/custody-timeline`;
    await eventually(async () => ((await request('GET', timeline, undefined, await as('BE', 'auditor', PURPOSE))).status === 200 ? true : undefined), {
      message: 'the registration chained in the ledger',
    });
    expect((await request('GET', timeline, undefined, await as('NL', 'auditor', PURPOSE))).status).toBe(403);

    // Who read the person, everywhere: the audit service asks each service with the auditor's own token.
    const history = await request<{ items: Array<{ service: string; kind: string; subject: string; purpose: string }>; sources: Array<{ service: string; isComplete: boolean; error?: string }> }>(
      'GET', `${stack.url('audit')}/inmates/${person.inmateId}/access-log`, undefined, await as('BE', 'auditor', 'access review'),
    );
    expect(history.status).toBe(200);
    expect(history.body.sources.map(({ service, isComplete, error }) => ({ service, isComplete, error }))).toEqual(
      ['audit', 'intake', 'transfer', 'custody'].map((service) => ({ service, isComplete: true, error: undefined })),
    );
    expect(history.body.items).toEqual(expect.arrayContaining([
      expect.objectContaining({ service: 'intake', kind: 'inmate', subject: 'intake-officer@be', purpose: PURPOSE }),
      expect.objectContaining({ service: 'audit', kind: 'custody-timeline', subject: 'auditor@be', purpose: PURPOSE }),
    ]));
    // The Dutch reader was refused, so nothing of theirs was disclosed or recorded.
    expect(history.body.items.filter((e) => e.subject.endsWith('@nl'))).toEqual([]);
  });
});
