import request from 'supertest';
import { Pool } from 'pg';
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
});
