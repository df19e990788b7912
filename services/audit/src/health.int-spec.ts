import request from 'supertest';
import { startTestAudit, type TestAudit } from './testing/test-app';

describe('audit service', () => {
  let audit: TestAudit;

  beforeAll(async () => {
    audit = await startTestAudit('audit_health');
  });

  afterAll(async () => {
    await audit.close();
  });

  it('answers GET /health', async () => {
    const response = await request(audit.app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok', service: 'audit' });
  });
});
