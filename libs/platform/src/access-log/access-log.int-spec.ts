import { Controller, Get, Global, type INestApplication, Injectable, Module, Param, Query } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { reject } from '@custody/contracts';
import { createTestSchema, type TestSchema } from '@custody/testing';
import { Requires, SecurityConfig, SecurityModule, type JurisdictionResolver, type ResourceJurisdiction, type SecureRequest } from '@custody/security';
import { TestIssuer } from '@custody/security/testing';
import { contractValidationPipe, HttpErrorsFilter } from '../http-errors.filter';
import { AccessLogModule } from './access-log.module';
import { PostgresAccessLog } from './access-log.store';
import { NOT_STATED } from './access-purpose';
import { PersonalDataRead } from './personal-data-read';

const AUDIENCE = 'custody-tracking';
const POOL = Symbol('POOL');

interface Person {
  personId: string;
  name: string;
  sendingState: string;
  receivingState?: string;
}

const PEOPLE: Person[] = [
  { personId: 'p-1', name: 'Arben K.', sendingState: 'BE', receivingState: 'AL' },
  { personId: 'p-2', name: 'Jan D.', sendingState: 'BE' },
  { personId: 'p-3', name: 'Eva M.', sendingState: 'NL' },
];
let handled = 0;

@Injectable()
class PersonJurisdiction implements JurisdictionResolver {
  resolve(request: SecureRequest): ResourceJurisdiction | undefined {
    const person = PEOPLE.find((p) => p.personId === request.params.id);
    return person ? { kind: 'inmate', sendingState: person.sendingState, receivingState: person.receivingState } : undefined;
  }
}

@Controller('people')
class PeopleController {
  @Get(':id')
  @Requires('inmate:read', PersonJurisdiction)
  @PersonalDataRead({ kind: 'inmate', persons: (answer: Person) => [answer.personId] })
  read(@Param('id') id: string) {
    handled++;
    const person = PEOPLE.find((p) => p.personId === id);
    if (!person) throw reject('INMATE_NOT_FOUND', { inmateId: id });
    return person;
  }

  @Get()
  @Requires('inmate:search')
  @PersonalDataRead({
    kind: 'inmate-search',
    persons: (answer: { items: Person[] }) => answer.items.map((p) => p.personId),
    jurisdictions: (answer: { items: Person[] }) => answer.items.flatMap((p) => [p.sendingState, p.receivingState]),
  })
  list(@Query('sendingState') sendingState?: string) {
    return { items: PEOPLE.filter((p) => !sendingState || p.sendingState === sendingState) };
  }
}

describe('the access log on a Nest application and PostgreSQL', () => {
  let belgium: TestIssuer;
  let albania: TestIssuer;
  let netherlands: TestIssuer;
  let schema: TestSchema;
  let log: PostgresAccessLog;
  const apps: INestApplication[] = [];

  async function appWith(config: Partial<SecurityConfig>): Promise<INestApplication> {
    // The service's pool, from a global module as the services' store modules provide it.
    @Global()
    @Module({ providers: [{ provide: POOL, useValue: schema.pool }], exports: [POOL] })
    class PoolModule {}
    @Module({
      imports: [PoolModule, SecurityModule.forRoot({ ...new SecurityConfig(), ...config }), AccessLogModule.forRoot({ service: 'people', schema: schema.schema, pool: POOL })],
      controllers: [PeopleController],
      providers: [PersonJurisdiction],
    })
    class TestModule {}
    const moduleRef = await Test.createTestingModule({ imports: [TestModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new HttpErrorsFilter());
    app.useGlobalPipes(contractValidationPipe());
    await app.init();
    apps.push(app);
    return app;
  }

  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const bearer = async (issuer: TestIssuer, roles: Parameters<TestIssuer['token']>[0], organisation?: string) =>
    `Bearer ${await issuer.token(roles, AUDIENCE, { subject: `${roles[0]}@${issuer.state.toLowerCase()}`, organisation })}`;
  const rows = async () => (await schema.pool.query(`SELECT * FROM ${log.table} ORDER BY position`)).rows;

  let issuers: string;
  beforeAll(async () => {
    [belgium, albania, netherlands] = await Promise.all([TestIssuer.create('BE'), TestIssuer.create('AL'), TestIssuer.create('NL')]);
    issuers = JSON.stringify(await Promise.all([belgium, albania, netherlands].map((i) => i.settings())));
  });
  // Each test has a log of its own: the log refuses DELETE and TRUNCATE.
  beforeEach(async () => {
    schema = await createTestSchema('access_log');
    app = await appWith({ AUTH_ISSUERS: issuers, AUTH_AUDIENCE: AUDIENCE });
    log = app.get(PostgresAccessLog);
  });
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    await schema.drop();
  });

  it('refuses a read without a stated purpose with 400 PURPOSE_REQUIRED, before the route runs, and records nothing', async () => {
    const before = handled;
    const answer = await http().get('/people/p-1').set('Authorization', await bearer(belgium, ['intake-officer'])).expect(400);
    expect(answer.body).toEqual({
      code: 'PURPOSE_REQUIRED', message: expect.stringContaining('X-Access-Purpose'), errors: [{ path: 'headers.x-access-purpose', problem: expect.any(String) }], details: {},
    });
    await http().get('/people/p-1').set('Authorization', await bearer(belgium, ['intake-officer'])).set('X-Access-Purpose', ' ').expect(400);
    await http().get('/people/p-1').set('Authorization', await bearer(belgium, ['intake-officer'])).set('X-Access-Purpose', 'x'.repeat(501)).expect(400);
    expect(handled).toBe(before);
    expect(await rows()).toEqual([]);
  });

  it('records one read: who, when, why, the recipient, the person and the states of the record', async () => {
    const started = new Date();
    const answer = await http().get('/people/p-1').set('Authorization', await bearer(albania, ['transfer-coordinator'], 'Ministria e Drejtësisë'))
      .set('X-Access-Purpose', 'case AL-2026-7: recognition of the judgment').set('X-Access-Recipient', 'Gjykata e Tiranës').expect(200);
    expect(answer.body).toMatchObject({ personId: 'p-1' });
    const [entry] = await rows();
    expect(await rows()).toHaveLength(1);
    expect(entry).toMatchObject({
      service: 'people', subject: 'transfer-coordinator@al', issuer: albania.issuer, state: 'AL', organisation: 'Ministria e Drejtësisë',
      roles: ['transfer-coordinator'], purpose: 'case AL-2026-7: recognition of the judgment', recipient: 'Gjykata e Tiranës',
      method: 'GET', route: '/people/:id', path: '/people/p-1', kind: 'inmate', person_ids: ['p-1'], jurisdictions: ['BE', 'AL'], status: 200,
    });
    expect(entry.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(entry.at.getTime()).toBeGreaterThanOrEqual(started.getTime() - 1000);
    expect(entry.at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('takes the recipient from the organisation of the token, else the state', async () => {
    await http().get('/people/p-2').set('Authorization', await bearer(belgium, ['intake-officer'], 'FOD Justitie')).set('X-Access-Purpose', 'review').expect(200);
    await http().get('/people/p-2').set('Authorization', await bearer(belgium, ['intake-officer'])).set('X-Access-Purpose', 'review').expect(200);
    expect((await rows()).map((r) => r.recipient)).toEqual(['FOD Justitie', 'BE']);
  });

  it('records every person of a list, with the states of each', async () => {
    await http().get('/people').set('Authorization', await bearer(belgium, ['auditor'])).set('X-Access-Purpose', 'yearly review').expect(200);
    await http().get('/people?sendingState=XX').set('Authorization', await bearer(belgium, ['auditor'])).set('X-Access-Purpose', 'empty search').expect(200);
    const [all, none] = await rows();
    expect(all).toMatchObject({ kind: 'inmate-search', route: '/people', person_ids: ['p-1', 'p-2', 'p-3'] });
    expect([...all.jurisdictions].sort()).toEqual(['AL', 'BE', 'NL']);
    expect(none).toMatchObject({ person_ids: [], purpose: 'empty search' });
  });

  it('records nothing for a refused read (403) or a read of nobody (404)', async () => {
    await http().get('/people/p-1').set('Authorization', await bearer(netherlands, ['transfer-coordinator'])).set('X-Access-Purpose', 'curiosity').expect(403);
    await http().get('/people/p-1').set('Authorization', await bearer(belgium, ['operator'])).set('X-Access-Purpose', 'curiosity').expect(403);
    await http().get('/people/p-9').set('Authorization', await bearer(belgium, ['intake-officer'])).set('X-Access-Purpose', 'lookup').expect(404);
    await http().get('/people/p-1').expect(401);
    expect(await rows()).toEqual([]);
  });

  it('is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    await http().get('/people/p-1').set('Authorization', await bearer(belgium, ['intake-officer'])).set('X-Access-Purpose', 'review').expect(200);
    await expect(schema.pool.query(`UPDATE ${log.table} SET purpose = 'nothing to see'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(schema.pool.query(`DELETE FROM ${log.table}`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(schema.pool.query(`DELETE FROM ${log.table} WHERE false`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(schema.pool.query(`TRUNCATE ${log.table}`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await rows()).toEqual([expect.objectContaining({ purpose: 'review', person_ids: ['p-1'] })]);
  });

  it('withholds the data when the disclosure cannot be recorded: 503 ACCESS_LOG_UNAVAILABLE, no personal data in the answer', async () => {
    await schema.pool.query(`ALTER TABLE ${log.table} ADD CONSTRAINT log_unwritable CHECK (false) NOT VALID`);
    try {
      const answer = await http().get('/people/p-1').set('Authorization', await bearer(belgium, ['intake-officer'])).set('X-Access-Purpose', 'review').expect(503);
      expect(answer.body).toEqual({ code: 'ACCESS_LOG_UNAVAILABLE', message: expect.any(String), errors: [], details: { route: '/people/:id' } });
      expect(answer.text).not.toContain('Arben');
    } finally {
      await schema.pool.query(`ALTER TABLE ${log.table} DROP CONSTRAINT log_unwritable`);
    }
    expect(await rows()).toEqual([]);
  });

  it('answers auditors on GET /access-log: filters, pages, the auditor state scope; others get 403', async () => {
    await http().get('/people/p-1').set('Authorization', await bearer(belgium, ['intake-officer'])).set('X-Access-Purpose', 'one').expect(200);
    await http().get('/people/p-2').set('Authorization', await bearer(belgium, ['intake-officer'])).set('X-Access-Purpose', 'two').expect(200);
    await http().get('/people/p-3').set('Authorization', await bearer(netherlands, ['intake-officer'])).set('X-Access-Purpose', 'three').expect(200);
    const audit = async (issuer: TestIssuer, query: string) =>
      (await http().get(`/access-log${query}`).set('Authorization', await bearer(issuer, ['auditor'])).set('X-Access-Purpose', 'audit').expect(200)).body;

    const aboutP1 = await audit(belgium, '?personId=p-1');
    expect(aboutP1.items).toEqual([expect.objectContaining({ purpose: 'one', personIds: ['p-1'], subject: 'intake-officer@be', state: 'BE', roles: ['intake-officer'] })]);
    // Belgium sees its officers' reads; Albania the read of p-1, a person of its case; the Netherlands only its own.
    expect((await audit(belgium, '?subject=intake-officer@be')).items.map((e: { purpose: string }) => e.purpose)).toEqual(['one', 'two']);
    expect((await audit(albania, '?limit=500')).items.filter((e: { kind: string }) => e.kind === 'inmate').map((e: { purpose: string }) => e.purpose)).toEqual(['one']);
    expect((await audit(netherlands, '?state=BE')).items).toEqual([]);
    const firstPage = await audit(belgium, '?limit=1&state=BE');
    expect(firstPage.items.map((e: { purpose: string }) => e.purpose)).toEqual(['one']);
    const secondPage = await audit(belgium, `?limit=1&state=BE&after=${firstPage.nextAfter}`);
    expect(secondPage.items.map((e: { purpose: string }) => e.purpose)).toEqual(['two']);
    const later = await audit(belgium, `?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(later.items).toEqual([]);

    // Reading the log is itself recorded, with the persons it named.
    const own = (await audit(belgium, '?subject=auditor@be')).items;
    expect(own[0]).toMatchObject({ kind: 'access-log', route: '/access-log', purpose: 'audit', personIds: ['p-1'] });

    const refused = await http().get('/access-log').set('Authorization', await bearer(belgium, ['intake-officer'])).set('X-Access-Purpose', 'audit').expect(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN', details: { action: 'access-log:read' } });
    await http().get('/access-log').set('Authorization', await bearer(belgium, ['auditor'])).expect(400);
    const invalid = await http().get('/access-log?after=x&limit=0').set('Authorization', await bearer(belgium, ['auditor'])).set('X-Access-Purpose', 'audit').expect(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['after', 'limit']);
  });

  it('with AUTH_MODE=off records a read without purpose as not stated, by an anonymous principal', async () => {
    const open = await appWith({ AUTH_MODE: 'off' });
    await request(open.getHttpServer()).get('/people/p-2').expect(200);
    expect(await rows()).toEqual([
      expect.objectContaining({ subject: 'anonymous', issuer: null, state: null, roles: [], purpose: NOT_STATED, recipient: NOT_STATED, person_ids: ['p-2'] }),
    ]);
  });

  it('migrates once when instances start together, and again without harm', async () => {
    const instances = [1, 2, 3].map(() => new PostgresAccessLog(schema.pool, schema.schema));
    await Promise.all(instances.map((i) => i.migrate()));
    const { rows: triggers } = await schema.pool.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal`, [log.table]);
    expect(triggers).toEqual([{ tgname: 'access_log_append_only' }]);
  });
});
