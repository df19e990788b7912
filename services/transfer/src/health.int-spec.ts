import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { bootTransferApp, dropSchema, newEnvironment } from './testing/transfer-test-app';

describe('transfer service', () => {
  const env = newEnvironment();
  let app: INestApplication;

  beforeAll(async () => {
    app = await bootTransferApp(env);
  });

  afterAll(async () => {
    await app?.close();
    await dropSchema(env.schema);
  });

  it('answers GET /health', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok', service: 'transfer' });
  });
});
