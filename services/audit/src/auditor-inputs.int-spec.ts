import request from 'supertest';
import { AuditLedger } from './ledger/audit-ledger';
import { startTestAudit, type TestAudit } from './testing/test-app';

/**
 * An auditor's inputs are checked, never guessed: a position that is not a whole number from 0,
 * or a check request that is not JSON, is answered 400 naming what is wrong, instead of a false
 * "missing entry" alarm, a silent position 0, or a check of everyone.
 */
describe('audit: the auditor\'s inputs (real broker and database)', () => {
  let audit: TestAudit;

  beforeAll(async () => {
    audit = await startTestAudit('auditor_inputs');
  });
  afterAll(async () => {
    await audit?.close();
  });

  const http = () => request(audit.app.getHttpServer());

  it.each(['-1', 'abc', '1.5', '', '1e3', '99999999999999999999'])('GET /ledger/verify?fromPosition=%p is 400 naming fromPosition', async (value) => {
    const response = await http().get(`/ledger/verify?fromPosition=${encodeURIComponent(value)}`).set('X-Access-Purpose', 'audit');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'fromPosition', problem: expect.stringContaining('whole number') }] });
  });

  it('GET /ledger/verify with no position or a whole number from 0 verifies', async () => {
    for (const query of ['', '?fromPosition=0', '?fromPosition=12']) {
      const response = await http().get(`/ledger/verify${query}`).set('X-Access-Purpose', 'audit');
      expect(response.status).toBe(200);
    }
  });

  it('GET /ledger/verify?fromPosition=0 requests arriving while the same range is verified share that run: one scan of the ledger, one report', async () => {
    const ledger = audit.app.get(AuditLedger);
    const shared = jest.spyOn(ledger, 'verifyShared');
    const scans = jest.spyOn(ledger.repository, 'scan');
    // The first run waits at its first read until every request has reached the ledger.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const head = ledger.repository.head.bind(ledger.repository);
    jest.spyOn(ledger.repository, 'head').mockImplementationOnce(async () => {
      await gate;
      return head();
    });
    try {
      const responses = Promise.all(Array.from({ length: 4 }, () => http().get('/ledger/verify?fromPosition=0').set('X-Access-Purpose', 'audit').then((r) => r)));
      while (shared.mock.calls.length < 4) await new Promise((resolve) => setTimeout(resolve, 5));
      release();
      const answered = await responses;
      expect(answered.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(new Set(answered.map((r) => JSON.stringify(r.body))).size).toBe(1);
      expect(scans).toHaveBeenCalledTimes(1);
      // Once it has ended, the next request verifies again.
      expect((await http().get('/ledger/verify?fromPosition=0').set('X-Access-Purpose', 'audit')).status).toBe(200);
      expect(scans).toHaveBeenCalledTimes(2);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('POST /findings/check with a text/plain body is 400 naming the content type, and checks nobody', async () => {
    const response = await http().post('/findings/check').set('X-Access-Purpose', 'audit').set('Content-Type', 'text/plain').send('inmateId=x');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'Content-Type', problem: expect.stringContaining('application/json') }] });
  });

  it.each([
    ['/findings?inmateId=abc', 'inmateId'],
    ['/findings?facilityId=1', 'facilityId'],
    ['/inmates/abc/custody-timeline', 'id'],
    ['/auditor/inmates/abc', 'id'],
    ['/auditor/facilities/abc', 'id'],
    ['/inmates/abc/export', 'id'],
    ['/inmates/abc/access-log', 'id'],
  ])('GET %s is 400 naming %s, which must be a UUID', async (path, name) => {
    const response = await http().get(path).set('X-Access-Purpose', 'audit');
    expect(response.status).toBe(400);
    // JSON, also where the route answers another type (the export is NDJSON).
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: name, problem: expect.stringContaining(`${name} must be a UUID`) }] });
  });

  it('POST /findings/check with a JSON body still checks', async () => {
    const response = await http().post('/findings/check').set('X-Access-Purpose', 'audit').send({});
    expect(response.status).toBe(200);
    expect(Array.isArray(response.body)).toBe(true);
  });
});
