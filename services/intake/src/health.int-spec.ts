import { ConfigResourceTypes } from 'kafkajs';
import request from 'supertest';
import { TOPICS } from '@custody/contracts';
import { registeredRoutes, testKafka, undocumentedRoutes } from '@custody/testing';
import { INMATE_COMMANDS } from './inmate/inmate.command-table';
import { startIntake, type IntakeTestApp } from './testing/intake-test-app';

const RETENTION_MS = '5400000';

describe('intake service', () => {
  let intake: IntakeTestApp;

  beforeAll(async () => {
    intake = await startIntake('health', { COMMAND_TOPIC_RETENTION_MS: RETENTION_MS });
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
    expect(response.body.paths['/inmates'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RegisterInmate' });
    // A query given as one class is documented parameter by parameter, from its validation rules.
    const search = response.body.paths['/inmates'].get.parameters as Array<{ name: string; in: string; schema: { enum?: string[] } }>;
    expect(search.find((parameter) => parameter.name === 'status')).toMatchObject({ in: 'query', schema: { enum: ['registered', 'released'] } });
    expect(search.map((parameter) => parameter.name)).toEqual(expect.arrayContaining(['X-Access-Purpose', 'limit', 'cursor']));
    await request(intake.app.getHttpServer()).get('/docs').expect(200);
  });

  it('documents, on every command route, the Idempotency-Key header and the 422 of a reused commandId', async () => {
    const response = await request(intake.app.getHttpServer()).get('/docs/json').expect(200);
    for (const row of INMATE_COMMANDS.rows) {
      const path = `/inmates${row.http!.path ? `/${row.http!.path.replace(/:(\w+)/g, '{$1}')}` : ''}`;
      const operation = response.body.paths[path].post as { parameters: Array<{ name: string; in: string; required: boolean }>; responses: Record<string, { description: string; content: object }> };
      expect({ path, header: operation.parameters.find((p) => p.name === 'Idempotency-Key') }).toEqual({ path, header: expect.objectContaining({ in: 'header', required: false }) });
      expect(operation.responses['422'].description).toContain('IDEMPOTENCY_KEY_REUSED');
      expect(operation.responses['422'].content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } });
    }
  });

  it('documents every route it serves in its OpenAPI document', async () => {
    const response = await request(intake.app.getHttpServer()).get('/docs/json').expect(200);
    expect(registeredRoutes(intake.app)).toEqual(expect.arrayContaining(['POST /inmates', 'GET /inmates/{id}', 'GET /access-log']));
    expect(undocumentedRoutes(intake.app, response.body)).toEqual([]);
  });

  it('creates its commands topic and that topic\'s dead-letter twin with COMMAND_TOPIC_RETENTION_MS (commands carry identities in clear), its events topic at the broker\'s default', async () => {
    const prefix = intake.config.KAFKA_TOPIC_PREFIX;
    const admin = testKafka('retention').admin();
    await admin.connect();
    try {
      const names = [`${prefix}${TOPICS.intakeCommands}`, `${prefix}${TOPICS.intakeCommands}.dlq`, `${prefix}${TOPICS.intakeEvents}`];
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] })),
      });
      const retention = Object.fromEntries(resources.map((r) => [r.resourceName, r.configEntries[0]]));
      expect(retention[names[0]].configValue).toBe(RETENTION_MS);
      expect(retention[names[1]].configValue).toBe(RETENTION_MS);
      expect(retention[names[2]].isDefault).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });
});
