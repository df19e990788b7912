import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Pool } from 'pg';
import { eventually, undocumentedRoutes } from '@custody/testing';
import { POOL } from './store/store.module';
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

  it('is live, and ready once the database answers, the consumer has joined its group and the relay keeps up', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200);
    const ready = await eventually(
      async () => {
        const response = await request(app.getHttpServer()).get('/health/ready');
        return response.status === 200 ? response.body : undefined;
      },
      { timeoutMs: 60_000, message: '/health/ready to answer 200' },
    );
    expect(ready).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, consumer: { status: 'up', groupId: env.groupId, connected: true, joined: true }, relay: { status: 'up' } },
    });
  });

  it('bounds how long its database sessions may sit idle inside a transaction', async () => {
    const { rows } = await app.get<Pool>(POOL).query<{ timeout: string }>("SELECT current_setting('idle_in_transaction_session_timeout') AS timeout");
    expect(rows[0].timeout).toBe('30s');
  });

  it('exports its metrics on /metrics, and a second application in the same process has a registry of its own', async () => {
    const second = await bootTransferApp(newEnvironment());
    try {
      for (const instance of [app, second]) {
        const { text } = await request(instance.getHttpServer()).get('/metrics').expect(200);
        expect(text).toContain('custody_relay_lag_events{service="transfer"}');
        expect(text).toContain('custody_relay_lag_seconds{service="transfer"}');
        expect(text).toContain('# TYPE custody_relay_lag_head_events gauge');
        expect(text).toMatch(/custody_deadlines_missed\{service="transfer"\} 0/);
        expect(text).toContain('# TYPE custody_consumer_lag gauge');
      }
    } finally {
      await second.close();
    }
  });

  it('publishes its OpenAPI document at /docs, documenting every route it serves', async () => {
    const response = await request(app.getHttpServer()).get('/docs/json').expect(200);
    expect(response.body.info.title).toBe('custody transfer service');
    expect(response.body.paths['/transfers'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RequestTransfer' });
    expect(response.body.components.schemas.RequestTransfer.required).toEqual(expect.arrayContaining(['transferId', 'inmateId', 'sendingState', 'receivingState']));
    expect(response.body.paths['/transfers/{id}'].get.security).toEqual([{ bearer: [] }]);
    expect(undocumentedRoutes(app, response.body)).toEqual([]);
    await request(app.getHttpServer()).get('/docs').expect(200);
  });
});
