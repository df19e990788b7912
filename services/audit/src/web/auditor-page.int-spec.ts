import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { eventually } from '@custody/testing';
import { AuditLedger } from '../ledger/audit-ledger';
import { startTestAudit, type TestAudit } from '../testing/test-app';
import { lateHospitalCase, RESIDENTS, smallFacility } from './fixtures';

/**
 * The auditor's page in a real browser: Debian's Chromium driven by playwright-core, against the
 * audit service booted on a fresh schema and topics, fed the Belgium → Albania case over Kafka.
 */

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = resolve(__dirname, '../../../../bench/results');

interface Band {
  from: string;
  to: string;
  placeKind: string;
  custodianState: string;
  governingState: string;
  x: number;
  width: number;
}

interface Geometry {
  t0: number;
  t1: number;
  x0: number;
  x1: number;
  knownAt: string;
  asOf: string;
}

async function geometry(page: Page): Promise<Geometry> {
  return page.locator('#timeline').evaluate((svg) => ({
    t0: Date.parse(svg.getAttribute('data-t0')!),
    t1: Date.parse(svg.getAttribute('data-t1')!),
    x0: Number(svg.getAttribute('data-x0')),
    x1: Number(svg.getAttribute('data-x1')),
    knownAt: svg.getAttribute('data-known-at') ?? '',
    asOf: svg.getAttribute('data-as-of') ?? '',
  }));
}

async function bands(page: Page): Promise<Band[]> {
  return page.locator('#timeline rect.band').evaluateAll((rects) =>
    rects.map((r) => ({
      from: r.getAttribute('data-from')!,
      to: r.getAttribute('data-to')!,
      placeKind: r.getAttribute('data-place-kind')!,
      custodianState: r.getAttribute('data-custodian-state')!,
      governingState: r.getAttribute('data-governing-state')!,
      x: Number(r.getAttribute('x')),
      width: Number(r.getAttribute('width')),
    })),
  );
}

/** Where an instant falls on the drawn time axis. */
const xOf = (g: Geometry, instant: string) => g.x0 + ((Date.parse(instant) - g.t0) / (g.t1 - g.t0)) * (g.x1 - g.x0);

describe("the auditor's page in headless Chromium", () => {
  let audit: TestAudit;
  let browser: Browser;
  let page: Page;
  let base: string;
  const person = lateHospitalCase();
  const facility = smallFacility();
  const offOrigin: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with: apt-get install chromium (run apt-get update first)`);
    }
    mkdirSync(RESULTS, { recursive: true });
    audit = await startTestAudit('audit_ui');
    await audit.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(audit.app.getHttpServer().address() as AddressInfo).port}`;
    const ledger = audit.app.get(AuditLedger);
    const total = person.events.length + facility.events.length;
    await audit.publish([...person.events, ...facility.events]);
    await eventually(async () => ((await ledger.repository.head()).size === total ? true : undefined), { timeoutMs: 90_000, message: `${total} chained ledger entries` });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 90_000,
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(30_000);
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) offOrigin.push(r.url());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await audit?.close();
  });

  it('draws one band per custodian and place at the times of the case, coloured by whose law applies, and the hand-over mark at the receipt', async () => {
    await page.goto(`${base}/ui/#/inmates/${person.inmateId}`);
    await page.locator('#timeline rect.band').nth(4).waitFor();
    const drawn = await bands(page);
    expect(drawn.map((b) => [b.from, b.to, b.placeKind, b.custodianState, b.governingState])).toEqual([
      ['2026-01-10T08:00:00Z', '2026-04-14T06:00:00Z', 'facility', 'BE', 'BE'],
      ['2026-04-14T06:00:00Z', '2026-04-14T11:30:00Z', 'in-transit', 'BE', 'BE'],
      ['2026-04-14T11:30:00Z', '2026-05-01T08:00:00Z', 'facility', 'AL', 'AL'],
      ['2026-05-01T08:00:00Z', '2026-05-02T16:00:00Z', 'absence', 'AL', 'AL'],
      ['2026-05-02T16:00:00Z', '', 'facility', 'AL', 'AL'],
    ]);
    const g = await geometry(page);
    for (const band of drawn) {
      expect(band.x).toBeCloseTo(xOf(g, band.from), 1);
      if (band.to) expect(band.width).toBeCloseTo(Math.max(3, xOf(g, band.to) - xOf(g, band.from)), 1);
    }
    // The Albanian facility is back in the lane it had before the stay; the transit has a lane of its own.
    const lanes = await page.locator('#timeline rect.band').evaluateAll((rects) => rects.map((r) => r.getAttribute('data-lane')));
    expect(lanes).toEqual(['0', '1', '2', '3', '2']);
    const fills = await page.locator('#timeline rect.band').evaluateAll((rects) => rects.map((r) => r.getAttribute('fill')));
    expect(new Set(fills.slice(0, 2)).size).toBe(1);
    expect(fills[2]).not.toBe(fills[0]);

    const receipt = page.locator('#timeline g.mark-handover[data-type="CustodyReceived"]');
    expect(await receipt.getAttribute('data-at')).toBe('2026-04-14T11:30:00Z');
    const receiptX = Number(await receipt.locator('line').getAttribute('x1'));
    expect(receiptX).toBeCloseTo(xOf(g, '2026-04-14T11:30:00Z'), 1);
    expect(receiptX).toBeCloseTo(drawn[2].x, 1);
    expect(await page.locator('#timeline g.mark-handover[data-type="CustodyDispatched"]').getAttribute('data-at')).toBe('2026-04-14T06:00:00Z');
    expect(await page.locator('#timeline g.mark-decision').evaluateAll((gs) => gs.map((x) => x.getAttribute('data-type')))).toEqual([
      'ConsentRecorded', 'ReceivingStateDecisionRecorded', 'EnforcementSuspended',
    ]);

    // The latest background verification ran at start, before the events came: the page says what came after it.
    const chained = person.events.length + facility.events.length;
    const background = (await page.locator('#verification[data-state="intact"]').textContent())!.match(/Ledger verified: (\d+) entries .*\(background run at [^;)]+(?:; (\d+) entries chained since, not yet verified)?\)/);
    expect(background).not.toBeNull();
    expect(Number(background![1]) + Number(background![2] ?? 0)).toBe(chained);
    expect(Number(background![2] ?? 0)).toBeGreaterThan(0);
    await page.locator('#verify-now').click();
    await page.locator('#verification[data-state="intact"]', { hasText: 'run now' }).waitFor();
    expect(await page.locator('#verification').textContent()).toContain('Ledger verified: ' + chained + ' entries');
    const findings = await request(audit.app.getHttpServer()).get('/findings').query({ inmateId: person.inmateId, status: 'open' });
    if (findings.status === 200) {
      await page.locator('#findings [data-findings], #findings .finding').first().waitFor();
      expect(await page.locator('#findings .finding').count()).toBe(findings.body.length);
    } else {
      expect(findings.status).toBe(404);
      await page.locator('#findings [data-findings="unavailable"]').waitFor();
    }
    expect(await page.locator('#events tbody tr').count()).toBe(person.events.length - 1); // FacilityRegistered is the facility's, not the person's
    await page.screenshot({ path: join(RESULTS, 'auditor-timeline.png'), fullPage: true });

    // Zoomed to the hand-over: hours, not months, across the plot; the marks stay on their instants.
    await page.locator('#timeline rect.band[data-place-kind="in-transit"]').click();
    await page.getByRole('button', { name: 'Zoom to this band' }).click();
    await page.locator('#zoom-note').filter({ hasText: 'Zoomed' }).waitFor();
    const zoomed = await geometry(page);
    expect(zoomed.t1 - zoomed.t0).toBeLessThan(24 * 3600e3);
    const transit = (await bands(page))[1];
    expect(transit.x).toBeCloseTo(xOf(zoomed, '2026-04-14T06:00:00Z'), 1);
    expect(transit.width).toBeCloseTo(xOf(zoomed, '2026-04-14T11:30:00Z') - xOf(zoomed, '2026-04-14T06:00:00Z'), 1);
    expect(transit.width).toBeGreaterThan(200);
    expect(Number(await receipt.locator('line').getAttribute('x1'))).toBeCloseTo(xOf(zoomed, '2026-04-14T11:30:00Z'), 1);
    expect(await page.locator('#selection').textContent()).toContain('BE Federal Police, Escort Directorate');
    await page.screenshot({ path: join(RESULTS, 'auditor-timeline-handover.png'), fullPage: true });
    await page.locator('#zoom-all').click();
    await page.locator('#zoom-note').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
  });

  it('moving "as known at" before the late correction takes the hospital stay out of the picture, and back', async () => {
    await page.locator('#known-at').fill('2026-05-05T00:00');
    await page.locator('#known-at').dispatchEvent('change');
    await page.locator('#timeline[data-known-at="2026-05-05T00:00:00Z"]').waitFor();
    const before = await bands(page);
    expect(before.map((b) => [b.from, b.to, b.placeKind])).toEqual([
      ['2026-01-10T08:00:00Z', '2026-04-14T06:00:00Z', 'facility'],
      ['2026-04-14T06:00:00Z', '2026-04-14T11:30:00Z', 'in-transit'],
      ['2026-04-14T11:30:00Z', '', 'facility'],
    ]);
    expect(await page.locator('#events tr.hidden-by-window').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')))).toEqual(['AbsenceStarted', 'AbsenceEnded']);
    expect(page.url()).toContain('knownAt=2026-05-05T00%3A00%3A00Z');
    await page.screenshot({ path: join(RESULTS, 'auditor-timeline-known-at-2026-05-05.png'), fullPage: true });

    await page.locator('#known-at-clear').click();
    await page.locator('#timeline[data-known-at=""]').waitFor();
    expect((await bands(page)).map((b) => b.placeKind)).toEqual(['facility', 'in-transit', 'facility', 'absence', 'facility']);
  });

  it('"as of" shows the world as it was: at noon on 1 May the person is in hospital', async () => {
    await page.locator('#as-of').fill('2026-05-01T12:00');
    await page.locator('#as-of').dispatchEvent('change');
    await page.locator('#timeline[data-as-of="2026-05-01T12:00:00Z"]').waitFor();
    const drawn = await bands(page);
    expect(drawn.at(-1)).toMatchObject({ from: '2026-05-01T08:00:00Z', to: '', placeKind: 'absence' });
    const g = await geometry(page);
    // A band still lasting is drawn up to the "as of" line.
    const last = drawn.at(-1)!;
    expect(last.x).toBeCloseTo(xOf(g, '2026-05-01T08:00:00Z'), 1);
    expect(last.width).toBeCloseTo(Math.max(3, xOf(g, '2026-05-01T12:00:00Z') - last.x), 1);
    expect(Number(await page.locator('#timeline g.as-of line').getAttribute('x1'))).toBeCloseTo(xOf(g, '2026-05-01T12:00:00Z'), 1);
    await page.locator('#as-of-clear').click();
    await page.locator('#timeline[data-as-of=""]').waitFor();
  });

  it('draws a facility\'s occupancy against its capacity over time, and its current reservations', async () => {
    await page.goto(`${base}/ui/#/facilities/${facility.facilityId}`);
    await page.locator('#occupancy circle.step-dot').nth(6).waitFor();
    expect(await page.locator('#occupancy .capacity-line').getAttribute('data-values')).toBe('3,3,3,3,3,2,2');
    expect(await page.locator('#occupancy .occupancy-line').getAttribute('data-values')).toBe('0,0,0,1,2,2,1');
    expect(await page.locator('#occupancy .reserved-line').getAttribute('data-values')).toBe('0,1,2,2,3,3,2');
    const over = await page.locator('#occupancy rect.over').evaluateAll((rects) => rects.map((r) => r.getAttribute('data-at')));
    expect(over).toEqual(['2026-02-12T00:00:00Z']);
    expect(await page.locator('#reservations tbody tr[data-reservation-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reservation-id')))).toEqual([
      'aaaaaaaa-0000-4000-8000-000000000002',
    ]);
    expect(await page.locator('#occupants a').evaluateAll((links) => links.map((a) => a.textContent))).toEqual([RESIDENTS[0]]);
    await page.screenshot({ path: join(RESULTS, 'auditor-facility.png'), fullPage: true });

    await page.locator('#known-at').fill('2026-04-10T00:00');
    await page.locator('#known-at').dispatchEvent('change');
    await eventually(async () => ((await page.locator('#occupancy .occupancy-line').getAttribute('data-values')) === '0,0,0,1,2,2' ? true : undefined), {
      timeoutMs: 30_000, message: 'the occupancy as known before the late vacating',
    });
    await page.locator('#known-at-clear').click();
  });

  it('sends a bearer token once one is given, and shows a broken ledger at its first broken entry', async () => {
    const seen: Array<string | undefined> = [];
    const purposes: Array<string | undefined> = [];
    page.on('request', (r) => {
      if (r.url().includes('/auditor/')) {
        seen.push(r.headers()['authorization']);
        purposes.push(r.headers()['x-access-purpose']);
      }
    });
    await page.goto(`${base}/ui/#/inmates/${person.inmateId}`);
    await page.locator('#timeline rect.band').nth(4).waitFor();
    await page.locator('details.token summary').click();
    await page.locator('#token').fill('test-token');
    await page.locator('#purpose').fill('review of case BE-2026-31');
    await page.locator('#token-form button[type="submit"]').click();
    await eventually(() => (seen.includes('Bearer test-token') ? true : undefined), { timeoutMs: 30_000, message: 'a request with the bearer token' });
    expect(seen[0]).toBeUndefined();
    // The stated purpose goes with the reads, for the access log.
    expect(purposes[0]).toBeUndefined();
    expect(purposes[seen.indexOf('Bearer test-token')]).toBe('review of case BE-2026-31');
    expect(await page.evaluate(() => sessionStorage.getItem('custody-audit.token'))).toBe('test-token');

    // Change one byte of the person's receipt in the ledger: verification names that entry.
    const receipt = person.events.find((e) => e.type === 'CustodyReceived')!;
    const { rows } = await audit.schema.pool.query<{ position: string }>(
      `UPDATE "${audit.schema.schema}".ledger SET body = replace(body, 'Kola', 'Kolb') WHERE event_id = $1 RETURNING position`,
      [receipt.id],
    );
    expect(rows).toHaveLength(1);
    await page.reload();
    await page.locator('#verification[data-state="intact"]').waitFor();
    await page.locator('#verify-now').click();
    await page.locator('#verification[data-state="broken"]').waitFor();
    expect(await page.locator('#verification').getAttribute('data-position')).toBe(rows[0].position);
    expect(await page.locator('#verification').textContent()).toContain(`event ${receipt.id}`);
    expect(await page.locator('#timeline g.mark-broken').getAttribute('data-at')).toBe('2026-04-14T11:30:00Z');
    await page.screenshot({ path: join(RESULTS, 'auditor-timeline-broken.png'), fullPage: true });
  });

  it('loads nothing from another origin and raises no script error', async () => {
    expect(offOrigin).toEqual([]);
    expect(pageErrors).toEqual([]);
    const asset = await request(audit.app.getHttpServer()).get('/ui/app.js').expect(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['content-security-policy']).toContain("default-src 'self'");
    await request(audit.app.getHttpServer()).get('/ui/../config.ts').expect(404);
    await request(audit.app.getHttpServer()).get('/ui').expect(301).expect('Location', 'ui/');
  });
});
