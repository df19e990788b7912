import { Controller, Get, type INestApplication, Injectable, Module, Param, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CurrentPrincipal, hardenHttp, Requires, SecurityConfig, SecurityModule, type JurisdictionResolver, type Principal, type ResourceJurisdiction, type SecureRequest } from '@custody/security';
import { TestIssuer } from '@custody/security/testing';
import { HealthModule } from './health.module';
import { HttpErrorsFilter } from './http-errors.filter';

const CASES: Record<string, ResourceJurisdiction> = { 'case-1': { kind: 'case', sendingState: 'BE', receivingState: 'AL' } };

@Injectable()
class CaseJurisdiction implements JurisdictionResolver {
  resolve(request: SecureRequest) {
    return CASES[request.params.id];
  }
}

@Controller('cases')
class CasesController {
  @Get(':id')
  @Requires('transfer:read', CaseJurisdiction)
  read(@Param('id') id: string, @CurrentPrincipal() principal?: Principal) {
    if (!CASES[id]) return { found: false };
    return { id, reader: principal?.state ?? null };
  }

  @Post(':id/decision')
  @Requires('transfer:decide', CaseJurisdiction)
  decide() {
    return { decided: true };
  }

  @Get(':id/broken')
  @Requires('transfer:read', CaseJurisdiction)
  broken() {
    throw new Error('duplicate key value violates unique constraint "cases_pkey" -- INSERT INTO cases VALUES ($1)');
  }

  @Get(':id/undeclared')
  undeclared() {
    return { open: true };
  }
}

async function appWith(config: Partial<SecurityConfig>): Promise<INestApplication> {
  @Module({ imports: [SecurityModule.forRoot({ ...new SecurityConfig(), ...config }), HealthModule.forService('test')], controllers: [CasesController], providers: [CaseJurisdiction] })
  class TestModule {}
  const moduleRef = await Test.createTestingModule({ imports: [TestModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  hardenHttp(app);
  app.useGlobalFilters(new HttpErrorsFilter());
  await app.init();
  return app;
}

describe('SecurityModule on a Nest application', () => {
  const audience = 'custody-tracking';
  let belgium: TestIssuer;
  let albania: TestIssuer;
  let app: INestApplication;

  beforeAll(async () => {
    belgium = await TestIssuer.create('BE');
    albania = await TestIssuer.create('AL', 'RS256');
    app = await appWith({ AUTH_ISSUERS: JSON.stringify([await belgium.settings(), await albania.settings()]), AUTH_AUDIENCE: audience });
  });
  afterAll(() => app.close());

  const bearer = async (issuer: TestIssuer, roles: Parameters<TestIssuer['token']>[0]) => `Bearer ${await issuer.token(roles, audience)}`;

  it('answers 401 without a token or with a token for another audience; /health stays public', async () => {
    const none = await request(app.getHttpServer()).get('/cases/case-1').expect(401);
    expect(none.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(none.headers['www-authenticate']).toBe('Bearer');
    await request(app.getHttpServer()).get('/cases/case-1').set('Authorization', `Bearer ${await belgium.token(['auditor'], 'other')}`).expect(401);
    await request(app.getHttpServer()).get('/health').expect(200);
  });

  it('lets both states of a case read it, refuses a third state and the wrong role with 403', async () => {
    const nl = await TestIssuer.create('NL');
    const withNl = await appWith({ AUTH_ISSUERS: JSON.stringify([await nl.settings()]), AUTH_AUDIENCE: audience });
    try {
      const refused = await request(withNl.getHttpServer()).get('/cases/case-1').set('Authorization', await bearer(nl, ['transfer-coordinator'])).expect(403);
      expect(refused.body).toEqual({ code: 'FORBIDDEN', message: expect.any(String), errors: [], details: { action: 'transfer:read' } });
    } finally {
      await withNl.close();
    }
    const read = await request(app.getHttpServer()).get('/cases/case-1').set('Authorization', await bearer(albania, ['transfer-coordinator'])).expect(200);
    expect(read.body).toEqual({ id: 'case-1', reader: 'AL' });
    await request(app.getHttpServer()).get('/cases/case-1').set('Authorization', await bearer(belgium, ['intake-officer'])).expect(403);
  });

  it('lets only the receiving state decide', async () => {
    await request(app.getHttpServer()).post('/cases/case-1/decision').set('Authorization', await bearer(belgium, ['transfer-coordinator'])).expect(403);
    await request(app.getHttpServer()).post('/cases/case-1/decision').set('Authorization', await bearer(albania, ['transfer-coordinator'])).expect(201);
  });

  it('leaves an unknown resource to the route (its own 404), after checking the role', async () => {
    await request(app.getHttpServer()).get('/cases/nope').set('Authorization', await bearer(belgium, ['transfer-coordinator'])).expect(200, { found: false });
    await request(app.getHttpServer()).get('/cases/nope').set('Authorization', await bearer(belgium, ['facility-officer'])).expect(403);
  });

  it('refuses a route that declares no action (deny by default)', async () => {
    await request(app.getHttpServer()).get('/cases/case-1/undeclared').set('Authorization', await bearer(belgium, ['operator', 'auditor', 'integration'])).expect(403);
  });

  it('answers an unexpected error with 500 and no SQL or stack trace; sends security headers', async () => {
    const answer = await request(app.getHttpServer()).get('/cases/case-1/broken').set('Authorization', await bearer(belgium, ['auditor'])).expect(500);
    expect(answer.body).toEqual({ code: 'PROCESSING_FAILED', message: expect.any(String), errors: [], details: {} });
    expect(answer.text).not.toMatch(/INSERT|constraint|at .*\.ts/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['strict-transport-security']).toBeDefined();
    expect(answer.headers['x-powered-by']).toBeUndefined();
  });

  it('is off only when AUTH_MODE=off is configured, and refuses to start on without issuers', async () => {
    await expect(appWith({})).rejects.toThrow(/AUTH_ISSUERS/);
    const open = await appWith({ AUTH_MODE: 'off' });
    try {
      await request(open.getHttpServer()).get('/cases/case-1').expect(200, { id: 'case-1', reader: null });
    } finally {
      await open.close();
    }
  });

  it('limits the rate per client with 429 RATE_LIMITED', async () => {
    const limited = await appWith({ AUTH_MODE: 'off', RATE_LIMIT_PER_MINUTE: 3 });
    try {
      for (let i = 0; i < 3; i++) await request(limited.getHttpServer()).get('/health').expect(200);
      const answer = await request(limited.getHttpServer()).get('/health').expect(429);
      expect(answer.body).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 3 } });
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('counts each principal apart, at the limit of its roles, and an unverified caller by address', async () => {
    const limited = await appWith({
      AUTH_ISSUERS: JSON.stringify([await belgium.settings()]), AUTH_AUDIENCE: audience, RATE_LIMIT_PER_MINUTE: 2, RATE_LIMITS_PER_ROLE: '{"integration": 5}',
    });
    const server = limited.getHttpServer();
    const as = async (subject: string, role: 'transfer-coordinator' | 'integration') => `Bearer ${await belgium.token([role], audience, { subject })}`;
    const read = (authorization: string) => request(server).get('/cases/case-1').set('Authorization', authorization);
    try {
      // One officer spends the default budget; a colleague behind the same address keeps theirs.
      const officer = await as('officer-1', 'transfer-coordinator');
      for (let i = 0; i < 2; i++) await read(officer).expect(200);
      const refused = await read(officer).expect(429);
      expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 2 } });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      await read(await as('officer-2', 'transfer-coordinator')).expect(200);
      // A ministry's system has the limit of its role.
      const system = await as('batch', 'integration');
      for (let i = 0; i < 5; i++) await read(system).expect(200);
      await read(system).expect(429);
      // A token that does not verify counts against the address, and is still answered 401.
      const forged = () => request(server).get('/cases/case-1').set('Authorization', 'Bearer not-a-token');
      for (let i = 0; i < 2; i++) await forged().expect(401);
      await forged().expect(429);
    } finally {
      await limited.close();
    }
  });

  it('refuses RATE_LIMITS_PER_ROLE naming an unknown role', async () => {
    await expect(appWith({ AUTH_MODE: 'off', RATE_LIMITS_PER_ROLE: '{"minister": 10}' })).rejects.toThrow(/RATE_LIMITS_PER_ROLE.*unknown role "minister"/s);
  });
});
