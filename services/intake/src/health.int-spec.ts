import request from 'supertest';
import { startIntake, type IntakeTestApp } from './testing/intake-test-app';

describe('intake service', () => {
  let intake: IntakeTestApp;

  beforeAll(async () => {
    intake = await startIntake('health');
  });

  afterAll(async () => {
    await intake.close();
  });

  it('answers GET /health', async () => {
    const response = await request(intake.app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok', service: 'intake' });
  });

  it('publishes its OpenAPI document at /docs, with the command bodies', async () => {
    const response = await request(intake.app.getHttpServer()).get('/docs/json').expect(200);
    expect(Object.keys(response.body.paths)).toEqual(expect.arrayContaining(['/inmates', '/inmates/{id}', '/inmates/{id}/history']));
    expect(response.body.components.schemas.RegisterInmate.required).toEqual(expect.arrayContaining(['inmateId', 'identity', 'sendingState']));
    await request(intake.app.getHttpServer()).get('/docs').expect(200);
  });
});
