import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PostgresEventStore, type RecordedEvent } from '@custody/event-store';
import { TestIssuer } from '@custody/security/testing';
import { bootTransferApp, dropSchema, knownBelgianInmate, newEnvironment } from './testing/transfer-test-app';

const AUDIENCE = 'custody-tracking';

/** Headers a caller could set to pass for another state's officer: the record must not believe them. */
const FORGED_ACTOR = { 'X-Actor-State': 'NL', 'X-Actor-Organisation': 'Dienst Justitiële Inrichtingen', 'X-Actor-Officer': 'someone-else' };

describe('transfer: who acted is who was authenticated', () => {
  const env = newEnvironment();
  let belgium: TestIssuer;
  let app: INestApplication;

  beforeAll(async () => {
    belgium = await TestIssuer.create('BE');
    app = await bootTransferApp(env, undefined, { AUTH_MODE: 'on', AUTH_AUDIENCE: AUDIENCE, AUTH_ISSUERS: JSON.stringify([await belgium.settings()]) });
  });

  afterAll(async () => {
    await app?.close();
    await dropSchema(env.schema);
  });

  it('records the token\'s principal (the issuer\'s state, its subject, organisation and roles), not the X-Actor-* headers', async () => {
    const transferId = randomUUID();
    const inmateId = randomUUID();
    await knownBelgianInmate(env, app, inmateId);
    const token = await belgium.token(['transfer-coordinator'], AUDIENCE, { subject: 'coordinator-4', organisation: 'FPS Justice, Central Authority' });
    await request(app.getHttpServer()).post('/transfers').set('Authorization', `Bearer ${token}`).set(FORGED_ACTOR)
      .send({ commandId: randomUUID(), occurredAt: '2026-03-02T09:00:00Z', transferId, inmateId, sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' })
      .expect(201);
    const events: RecordedEvent[] = [];
    for await (const event of app.get(PostgresEventStore).readStream(`transfer-${transferId}`)) events.push(event);
    expect(events.map((event) => event.type)).toContain('TransferRequested');
    for (const event of events) {
      expect(event.metadata.actor).toEqual({
        state: 'BE', organisation: 'FPS Justice, Central Authority', subject: 'coordinator-4', roles: ['transfer-coordinator'], verifiedBy: 'bearer-token',
      });
    }
  });
});
