import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TestIssuer } from '@custody/security/testing';
import { commandBodies, identity } from './inmate/inmate.examples';
import { startIntake, type IntakeTestApp } from './testing/intake-test-app';

const AUDIENCE = 'custody-tracking';

/** Headers a caller could set to pass for another state's officer: the record must not believe them. */
const FORGED_ACTOR = { 'X-Actor-State': 'NL', 'X-Actor-Organisation': 'Dienst Justitiële Inrichtingen', 'X-Actor-Officer': 'someone-else' };

describe('intake: who acted is who was authenticated', () => {
  let belgium: TestIssuer;
  let intake: IntakeTestApp;
  let unauthenticated: IntakeTestApp;

  beforeAll(async () => {
    belgium = await TestIssuer.create('BE');
    intake = await startIntake('intake-actor', { AUTH_MODE: 'on', AUTH_AUDIENCE: AUDIENCE, AUTH_ISSUERS: JSON.stringify([await belgium.settings()]) });
    unauthenticated = await startIntake('intake-actor-off');
  });

  afterAll(async () => {
    await intake?.close();
    await unauthenticated?.close();
  });

  const historyOf = async (app: IntakeTestApp, inmateId: string, token?: string) => {
    const call = request(app.app.getHttpServer()).get(`/inmates/${inmateId}/history`).set('X-Access-Purpose', 'actor test');
    const response = await (token ? call.set('Authorization', `Bearer ${token}`) : call).expect(200);
    return response.body.events as Array<{ type: string; actor?: unknown }>;
  };

  it('records the token\'s principal (the issuer\'s state, its subject, organisation and roles), not the X-Actor-* headers', async () => {
    const inmateId = randomUUID();
    const token = await belgium.token(['intake-officer'], AUDIENCE, { subject: 'officer-17', organisation: 'FPS Justice' });
    await request(intake.app.getHttpServer()).post('/inmates').set('Authorization', `Bearer ${token}`).set(FORGED_ACTOR)
      .send(commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(`P${randomUUID().slice(0, 8)}`) }))
      .expect(201);
    const events = await historyOf(intake, inmateId, token);
    expect(events.map((event) => event.type)).toEqual(['InmateRegistered']);
    expect(events[0].actor).toEqual({ state: 'BE', organisation: 'FPS Justice', subject: 'officer-17', roles: ['intake-officer'], verifiedBy: 'bearer-token' });
  });

  it('with AUTH_MODE=off, records the unauthenticated actor, not the X-Actor-* headers', async () => {
    const inmateId = randomUUID();
    await request(unauthenticated.app.getHttpServer()).post('/inmates').set(FORGED_ACTOR)
      .send(commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(`P${randomUUID().slice(0, 8)}`) }))
      .expect(201);
    const events = await historyOf(unauthenticated, inmateId);
    expect(events[0].actor).toEqual({ system: 'local-unauthenticated', verifiedBy: 'none' });
  });
});
