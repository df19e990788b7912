import request from 'supertest';
import { undocumentedRoutes } from '@custody/testing';
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

  it('publishes its OpenAPI document at /docs, documenting every route it serves', async () => {
    const response = await request(audit.app.getHttpServer()).get('/docs/json').expect(200);
    expect(response.body.info.title).toBe('custody audit service');
    expect(response.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    // A body class of the service's own has its schema from its validation rules.
    expect(response.body.paths['/findings/check'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CheckInvariantsRequest' });
    expect(Object.keys(response.body.components.schemas.CheckInvariantsRequest.properties)).toEqual(['inmateId', 'facilityId']);
    expect(undocumentedRoutes(audit.app, response.body)).toEqual([]);
    await request(audit.app.getHttpServer()).get('/docs').expect(200);
  });
});
