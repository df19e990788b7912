import request from 'supertest';
import { Pool } from 'pg';
import { undocumentedRoutes } from '@custody/testing';
import { startCustody, testConfig, type RunningCustody } from './spec/test-app';

describe('custody service', () => {
  let running: RunningCustody;

  beforeAll(async () => {
    running = await startCustody(testConfig());
  });

  afterAll(async () => {
    await running.app.close();
    const pool = new Pool({ connectionString: running.config.DATABASE_URL, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${running.config.DATABASE_SCHEMA}" CASCADE`);
    await pool.end();
  });

  it('answers GET /health', async () => {
    const response = await request(running.url).get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok', service: 'custody' });
  });

  it('publishes its OpenAPI document at /docs, documenting every route it serves', async () => {
    const response = await request(running.url).get('/docs/json').expect(200);
    expect(response.body.info.title).toBe('custody custody service');
    expect(response.body.paths['/facilities'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RegisterFacility' });
    expect(response.body.components.schemas.AdmitInmate.required).toEqual(expect.arrayContaining(['inmateId', 'facilityId']));
    expect(undocumentedRoutes(running.app, response.body)).toEqual([]);
    await request(running.url).get('/docs').expect(200);
  });
});
