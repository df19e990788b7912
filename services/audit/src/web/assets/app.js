// The auditor's page: plain JavaScript drawing SVG, served by the audit service with its JSON
// reads (/auditor/…, /ledger/verify, /findings). No framework, nothing from another origin.
(function () {
  'use strict';

  const SVG = 'http://www.w3.org/2000/svg';
  const TOKEN_KEY = 'custody-audit.token';
  const PURPOSE_KEY = 'custody-audit.purpose';
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const $ = (id) => document.getElementById(id);

  // ---- state -------------------------------------------------------------------------------

  const state = { route: { page: 'home' }, view: null, findings: null, zoom: null, selected: null, loadSeq: 0 };

  // ---- helpers -----------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, String(v));
    }
    for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  const ms = (instant) => Date.parse(instant);
  const short = (id) => (id ? String(id).slice(0, 8) + '…' : '');
  /** "2026-04-14T11:30:00Z" → "2026-04-14 11:30 UTC" */
  function when(instant) {
    if (!instant) return '';
    const d = new Date(instant);
    if (Number.isNaN(d.getTime())) return String(instant);
    return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  }
  /** datetime-local value (read as UTC) → ISO instant, or undefined. */
  function fromInput(value) {
    if (!value) return undefined;
    const iso = value.length === 16 ? value + ':00Z' : value + 'Z';
    return Number.isNaN(Date.parse(iso)) ? undefined : new Date(iso).toISOString().replace('.000Z', 'Z');
  }
  function toInput(instant) {
    if (!instant) return '';
    const d = new Date(instant);
    return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 16);
  }

  /** A colour per state, the same on every page (whose law applies). */
  const STATE_COLOURS = { BE: '#2f6f9f', AL: '#b8433a', DK: '#7a4fa0', XK: '#1f8a70', NL: '#d0782a', DE: '#5b6b7b', FR: '#3d5a99', IT: '#3f8f3f', ES: '#b5892b', RO: '#8f5b3f', PL: '#a23b72', SE: '#2a7f9e' };
  const PALETTE = ['#2f6f9f', '#b8433a', '#7a4fa0', '#1f8a70', '#d0782a', '#5b6b7b', '#a23b72', '#3f8f3f', '#b5892b', '#2a7f9e'];
  function colourOf(stateCode) {
    if (STATE_COLOURS[stateCode]) return STATE_COLOURS[stateCode];
    let h = 0;
    for (const c of String(stateCode)) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }

  // ---- HTTP --------------------------------------------------------------------------------

  class HttpError extends Error {
    constructor(status, body) {
      super((body && body.message) || 'HTTP ' + status);
      this.status = status;
      this.body = body;
    }
  }

  async function getJson(path, params) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== '') query.set(k, v);
    const url = path + (query.toString() ? '?' + query : '');
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = 'Bearer ' + token;
    // Directive (EU) 2016/680 Art 25: every read of personal data states why (recorded in the access log).
    const purpose = sessionStorage.getItem(PURPOSE_KEY);
    if (purpose) headers['X-Access-Purpose'] = purpose;
    const response = await fetch(url, { headers, credentials: 'same-origin' });
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = { message: text }; }
    if (!response.ok) throw new HttpError(response.status, body);
    return body;
  }

  function explain(error) {
    if (error instanceof HttpError && error.body && error.body.code === 'PURPOSE_REQUIRED') {
      return 'State the purpose of your access under "Sign-in" above: it is recorded with every read of personal data. ' + error.body.message;
    }
    if (error instanceof HttpError && (error.status === 401 || error.status === 403)) {
      return 'The service asks for a sign-in (' + error.status + '): paste a bearer token under "Sign-in" above. ' + (error.body && error.body.message ? error.body.message : '');
    }
    if (error instanceof HttpError && error.body && Array.isArray(error.body.errors) && error.body.errors.length) {
      return error.message + ' ' + error.body.errors.map((e) => e.path + ': ' + e.problem).join('; ');
    }
    return error instanceof Error ? error.message : String(error);
  }

  function say(text) { $('message').textContent = text || ''; }

  // ---- routing (#/inmates/<id>?asOf=…&knownAt=…, #/facilities/<id>) -------------------------

  function parseRoute() {
    const hash = location.hash.replace(/^#/, '');
    const [path, query] = hash.split('?');
    const params = new URLSearchParams(query || '');
    const parts = path.split('/').filter(Boolean);
    const window = { asOf: params.get('asOf') || undefined, knownAt: params.get('knownAt') || undefined };
    if (parts[0] === 'inmates' && parts[1]) return { page: 'person', id: parts[1], ...window };
    if (parts[0] === 'facilities' && parts[1]) return { page: 'facility', id: parts[1], ...window };
    return { page: 'home', ...window };
  }

  function go(page, id, window) {
    const params = new URLSearchParams();
    if (window.asOf) params.set('asOf', window.asOf);
    if (window.knownAt) params.set('knownAt', window.knownAt);
    const hash = '#/' + (page === 'person' ? 'inmates/' : 'facilities/') + encodeURIComponent(id) + (params.toString() ? '?' + params : '');
    if (location.hash === hash) route();
    else location.hash = hash;
  }

  function currentWindow() {
    return { asOf: fromInput($('as-of').value), knownAt: fromInput($('known-at').value) };
  }

  function route() {
    const r = parseRoute();
    if (r.page !== state.route.page || r.id !== state.route.id) state.zoom = null;
    state.route = r;
    $('as-of').value = toInput(r.asOf);
    $('known-at').value = toInput(r.knownAt);
    $('window-note').textContent = describeWindow(r);
    for (const page of ['home', 'person', 'facility']) $(page).hidden = page !== r.page;
    say('');
    if (r.page === 'person') {
      $('inmate-id').value = r.id;
      void loadPerson(r);
    } else if (r.page === 'facility') {
      $('facility-id').value = r.id;
      void loadFacility(r);
    }
  }

  function describeWindow(r) {
    const parts = [];
    if (r.asOf) parts.push('the world as it was at ' + when(r.asOf));
    if (r.knownAt) parts.push('as the record showed it at ' + when(r.knownAt));
    return parts.length ? 'Showing ' + parts.join(', ') + '.' : 'Showing everything that happened, as recorded now.';
  }

  // ---- the person's page -----------------------------------------------------------------------

  async function loadPerson(r) {
    const seq = ++state.loadSeq;
    $('person-id').textContent = r.id;
    const box = $('timeline-box');
    box.setAttribute('aria-busy', 'true');
    if (!UUID.test(r.id)) {
      say('An inmate id is a UUID, e.g. 3f1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e01.');
      box.removeAttribute('aria-busy');
      return;
    }
    try {
      const [view, findings] = await Promise.all([
        getJson('/auditor/inmates/' + encodeURIComponent(r.id), { asOf: r.asOf, knownAt: r.knownAt }),
        getJson('/findings', { inmateId: r.id, status: 'open' }).catch((error) => ({ unavailable: error })),
      ]);
      if (seq !== state.loadSeq) return;
      state.view = view;
      state.findings = findings;
      state.selected = null;
      drawPerson();
      if (view.events.length === 0) say('The ledger holds no event of this person.');
      void loadVerification(seq);
    } catch (error) {
      if (seq !== state.loadSeq) return;
      say(explain(error));
      box.replaceChildren();
    } finally {
      if (seq === state.loadSeq) box.removeAttribute('aria-busy');
    }
  }

  // The latest background verification (docs/adr/0020-background-ledger-verification.md); "Verify now" recomputes the whole chain.
  async function loadVerification(seq, now) {
    const box = $('verification');
    box.dataset.state = 'checking';
    box.textContent = 'Ledger verification: checking…';
    try {
      const report = await getJson('/ledger/verify', now ? { fromPosition: '0' } : {});
      if (seq !== state.loadSeq) return;
      state.verification = report;
      showVerification(report);
      drawPerson();
    } catch (error) {
      if (seq !== state.loadSeq) return;
      box.dataset.state = 'unknown';
      box.textContent = 'Ledger verification: not available (' + explain(error) + ')';
    }
  }

  function showVerification(report) {
    const box = $('verification');
    if (report.isIntact) {
      box.dataset.state = 'intact';
      box.replaceChildren(el('span', { class: 'status intact' }, 'intact'), ' Ledger verified: ' + report.checked + ' entries give their hashes and links' +
        (report.checkpointsMatched ? ', ' + report.checkpointsMatched + ' signed checkpoint(s) matched' : '') + verifiedWhen(report) + '.');
      box.removeAttribute('data-position');
      return;
    }
    const b = report.break || {};
    const mine = state.view && state.view.events.find((e) => e.id === b.eventId || e.position === b.position);
    box.dataset.state = 'broken';
    box.dataset.position = String(b.position);
    box.replaceChildren(el('span', { class: 'status broken' }, 'broken'),
      ' First broken entry: position ' + b.position + (b.eventId ? ' (event ' + b.eventId + ')' : '') + ': ' + b.kind + '. ' + (b.message || '') +
      (mine ? ' It is an entry of this person (' + mine.type + ').' : ' It is not an entry of this person; this history is read from a ledger that no longer verifies from there on.') +
      ' Found' + verifiedWhen(report) + '.');
  }

  /** When the report was made, and what was chained after it (not covered by it). */
  function verifiedWhen(report) {
    if (!report.verifiedAt) return '';
    return ' (' + (report.trigger === 'background' ? 'background run' : 'run now') + ' at ' + report.verifiedAt +
      (report.entriesSince ? '; ' + report.entriesSince + ' entries chained since, not yet verified' : '') + ')';
  }

  function laneKey(interval) {
    const p = interval.place;
    const c = interval.custodian;
    const where = p.kind === 'facility' ? 'facility:' + (p.facilityId || p.name || '') : p.kind === 'in-transit' ? 'transit:' + p.transferId : p.kind === 'absence' ? 'absence:' + p.absenceKind + ':' + p.destination : 'at-large:' + p.facilityId;
    return c.state + '|' + c.organisation + '|' + (c.officer || '') + '|' + where;
  }

  function placeText(place, facilityNames) {
    switch (place.kind) {
      case 'facility': return place.name || facilityNames[place.facilityId] || 'facility ' + short(place.facilityId);
      case 'in-transit': return 'in transit with the escort';
      case 'absence': return place.absenceKind + ' absence: ' + place.destination;
      case 'at-large': return place.reason === 'escaped' ? 'escaped' : 'cannot be found';
      default: return place.kind;
    }
  }
  const custodianText = (c) => c.state + ' ' + c.organisation + (c.officer ? ' (' + c.officer + ')' : '');

  /** Time ticks for a domain: the coarsest unit that still gives a few labelled ticks. */
  function ticks(t0, t1) {
    const H = 3600e3, D = 24 * H;
    const span = t1 - t0;
    const steps = [[H, 'hour'], [6 * H, 'hour'], [D, 'day'], [7 * D, 'day'], [1, 'month'], [3, 'month'], [12, 'month']];
    for (const [step, unit] of steps) {
      const approx = unit === 'month' ? step * 30.4 * D : step;
      if (span / approx > 12) continue;
      const out = [];
      if (unit === 'month') {
        const d = new Date(t0);
        let y = d.getUTCFullYear(), m = d.getUTCMonth() + 1;
        for (;;) {
          if (m > 11) { y += Math.floor(m / 12); m %= 12; }
          const t = Date.UTC(y, m, 1);
          if (t > t1) break;
          if (m % step === 0) out.push([t, step === 12 ? String(y) : new Date(t).toISOString().slice(0, 7)]);
          m += 1;
        }
      } else {
        for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
          const iso = new Date(t).toISOString();
          out.push([t, step < D ? iso.slice(5, 16).replace('T', ' ') : iso.slice(0, 10)]);
        }
      }
      return out;
    }
    return [[t0, new Date(t0).toISOString().slice(0, 10)], [t1, new Date(t1).toISOString().slice(0, 10)]];
  }

  function findingsList() {
    const f = state.findings;
    return Array.isArray(f) ? f.filter((x) => x.status === 'open') : [];
  }

  /** Where a finding sits on the time axis: the last of its evidence that happened, else when it was raised. */
  function findingAt(finding) {
    const byId = new Map(state.view.events.map((e) => [e.id, e]));
    const times = (finding.evidenceEventIds || []).map((id) => byId.get(id)).filter(Boolean).map((e) => ms(e.occurredAt));
    return times.length ? new Date(Math.max(...times)).toISOString() : finding.raisedAt;
  }

  function drawPerson() {
    const view = state.view;
    if (!view) return;
    const box = $('timeline-box');
    const intervals = view.timeline.intervals;
    const facilityNames = Object.fromEntries(Object.entries(view.facilities || {}).map(([id, f]) => [id, f.name + (f.country ? ' (' + f.country + ')' : '')]));
    const marks = view.marks;
    const findings = findingsList();
    const deadlines = view.deadlines;
    const broken = state.verification && !state.verification.isIntact && state.verification.break
      ? view.events.find((e) => e.id === state.verification.break.eventId) : undefined;

    // The time domain: the history, its deadlines and the window's instants, with a margin.
    const times = [];
    for (const i of intervals) { times.push(ms(i.from)); if (i.to) times.push(ms(i.to)); }
    for (const m of marks) times.push(ms(m.at));
    for (const d of deadlines) times.push(ms(d.dueAt));
    for (const f of findings) times.push(ms(findingAt(f)));
    if (view.window.asOf) times.push(ms(view.window.asOf));
    const known = times.filter(Number.isFinite);
    let t0 = known.length ? Math.min(...known) : Date.now() - 30 * 864e5;
    let t1 = known.length ? Math.max(...known) : Date.now();
    if (t1 - t0 < 864e5) { t0 -= 432e5; t1 += 432e5; }
    const pad = (t1 - t0) * 0.04;
    t0 -= pad; t1 += pad;
    const end = view.window.asOf ? ms(view.window.asOf) : t1; // where an interval still open is drawn to
    if (state.zoom) { t0 = state.zoom[0]; t1 = state.zoom[1]; }
    $('zoom-note').textContent = state.zoom ? 'Zoomed to ' + when(new Date(t0).toISOString()) + ' – ' + when(new Date(t1).toISOString()) : '';
    $('zoom-all').disabled = !state.zoom;

    // Lanes: one per custodian and place, in the order they first appear.
    const lanes = [];
    const laneOf = new Map();
    for (const i of intervals) {
      const key = laneKey(i);
      if (!laneOf.has(key)) { laneOf.set(key, lanes.length); lanes.push({ key, interval: i }); }
    }

    const width = Math.max(900, box.clientWidth || 1100);
    const labelW = 290, right = 24, top = 46, laneH = 34, gap = 8;
    const x0 = labelW, x1 = width - right;
    const plotH = Math.max(1, lanes.length) * (laneH + gap);
    const height = top + plotH + 34;
    const x = (t) => x0 + ((t - t0) / (t1 - t0)) * (x1 - x0);
    const clampX = (t) => Math.min(x1, Math.max(x0, x(t)));

    const root = svg('svg', {
      id: 'timeline', width, height, viewBox: '0 0 ' + width + ' ' + height, role: 'img',
      'aria-label': 'Custody of ' + view.inmateId + ' over time',
      'data-t0': new Date(t0).toISOString(), 'data-t1': new Date(t1).toISOString(), 'data-x0': x0, 'data-x1': x1,
      'data-as-of': view.window.asOf || '', 'data-known-at': view.window.knownAt || '',
    });
    root.append(svg('defs', null, svg('clipPath', { id: 'plot-clip' }, svg('rect', { x: x0, y: 0, width: x1 - x0, height }))));

    // Axis and grid.
    const axis = svg('g', { class: 'axis' });
    for (const [t, label] of ticks(t0, t1)) {
      const tx = x(t);
      axis.append(svg('line', { x1: tx, x2: tx, y1: top - 6, y2: top + plotH }), svg('text', { x: tx + 2, y: top + plotH + 14 }, label));
    }
    root.append(axis);

    // Lane labels and backgrounds.
    lanes.forEach((lane, n) => {
      const y = top + n * (laneH + gap);
      const i = lane.interval;
      root.append(svg('rect', { class: 'lane-bg', x: x0, y, width: x1 - x0, height: laneH }));
      // The label selects the lane's first band (a band of a few hours is a few pixels wide).
      const first = intervals.findIndex((i) => laneKey(i) === lane.key);
      root.append(svg('text', { class: 'lane-label clickable', x: 8, y: y + 14, 'data-lane': n, onclick: () => select('band:' + first) },
        svg('tspan', null, truncate(placeText(i.place, facilityNames), 44)),
        svg('tspan', { class: 'sub', x: 8, dy: 14 }, truncate(custodianText(i.custodian), 48))));
    });

    // Bands.
    const plot = svg('g', { 'clip-path': 'url(#plot-clip)' });
    intervals.forEach((i, n) => {
      const lane = laneOf.get(laneKey(i));
      const y = top + lane * (laneH + gap);
      const from = ms(i.from);
      const to = i.to ? ms(i.to) : Math.max(end, from);
      const bx = x(from);
      const bw = Math.max(3, x(to) - bx);
      const band = svg('rect', {
        class: 'band' + (i.to ? '' : ' open') + (state.selected === 'band:' + n ? ' selected' : ''),
        x: bx, y: y + 3, width: bw, height: laneH - 6, rx: 2, fill: colourOf(i.governingState),
        'data-index': n, 'data-lane': lane, 'data-from': i.from, 'data-to': i.to || '', 'data-place-kind': i.place.kind,
        'data-custodian-state': i.custodian.state, 'data-governing-state': i.governingState, 'data-legal-basis': i.legalBasis || '',
        tabindex: 0,
        onclick: () => select('band:' + n),
      }, svg('title', null, custodianText(i.custodian) + ' — ' + placeText(i.place, facilityNames) + ' — ' + i.governingState + ' law — ' + when(i.from) + ' → ' + (i.to ? when(i.to) : 'still')));
      plot.append(band);
      if (bw > 70) plot.append(svg('text', { class: 'band-text', x: Math.max(bx, x0) + 5, y: y + laneH / 2 + 4 }, i.governingState + ' law' + (i.legalBasis ? ' · ' + i.legalBasis : '')));
    });
    root.append(plot);

    // Marks: hand-overs and decisions on the lanes, deadlines and findings across them.
    const markLayer = svg('g', { 'clip-path': 'url(#plot-clip)' });
    const glyph = (kind, mx, my) => {
      if (kind === 'handover') return svg('path', { class: 'glyph', d: `M${mx} ${my - 7} L${mx + 6} ${my} L${mx} ${my + 7} L${mx - 6} ${my} Z` });
      if (kind === 'decision') return svg('circle', { class: 'glyph', cx: mx, cy: my, r: 4.5 });
      if (kind === 'deadline') return svg('path', { class: 'glyph', d: `M${mx} ${my - 9} L${mx + 10} ${my - 5} L${mx} ${my - 1} Z` });
      if (kind === 'finding') return svg('path', { class: 'glyph', d: `M${mx} ${my - 8} L${mx + 7} ${my + 5} L${mx - 7} ${my + 5} Z` });
      return svg('rect', { class: 'glyph', x: mx - 4, y: my - 4, width: 8, height: 8 });
    };
    const lastLabel = {};
    marks.forEach((m, n) => {
      const mx = x(ms(m.at));
      const row = m.kind === 'handover' ? top - 14 : m.kind === 'decision' ? top - 28 : top - 14;
      // A short label when it does not run into the previous one of its row.
      let label = null;
      if (mx >= x0 && mx <= x1 && (lastLabel[row] === undefined || mx - lastLabel[row] > 110)) {
        label = svg('text', { class: 'mark-label', x: mx + 8, y: row + 4 }, MARK_LABELS[m.type] || m.type);
        lastLabel[row] = mx;
      }
      markLayer.append(svg('g', {
        class: 'mark mark-' + m.kind + (state.selected === 'mark:' + n ? ' selected' : ''), 'data-kind': m.kind, 'data-type': m.type, 'data-at': m.at,
        'data-event-id': m.eventId, 'data-x': mx.toFixed(2), tabindex: 0, onclick: () => select('mark:' + n),
      }, svg('title', null, when(m.at) + ': ' + m.label), svg('line', { x1: mx, x2: mx, y1: row + 6, y2: top + plotH }), glyph(m.kind, mx, row), label));
    });
    deadlines.forEach((d, n) => {
      const mx = x(ms(d.dueAt));
      markLayer.append(svg('g', {
        class: 'mark mark-deadline ' + (d.status === 'met' ? 'met' : d.status), 'data-kind': 'deadline', 'data-deadline': d.deadline, 'data-status': d.status,
        'data-at': d.dueAt, 'data-x': mx.toFixed(2), tabindex: 0, onclick: () => select('deadline:' + n),
      }, svg('title', null, d.deadline + ' due ' + when(d.dueAt) + ': ' + d.status), svg('line', { x1: mx, x2: mx, y1: top - 8, y2: top + plotH }), glyph('deadline', mx, top - 4)));
    });
    findings.forEach((f, n) => {
      const at = findingAt(f);
      const mx = x(ms(at));
      markLayer.append(svg('g', {
        class: 'mark mark-finding', 'data-kind': 'finding', 'data-invariant': f.invariant, 'data-at': at, 'data-x': mx.toFixed(2), tabindex: 0,
        onclick: () => select('finding:' + n),
      }, svg('title', null, 'Finding: ' + f.description), svg('line', { x1: mx, x2: mx, y1: top + 4, y2: top + plotH }), glyph('finding', mx, top + plotH - 8)));
    });
    if (broken) {
      const mx = x(ms(broken.occurredAt));
      markLayer.append(svg('g', { class: 'mark mark-broken', 'data-kind': 'broken', 'data-at': broken.occurredAt },
        svg('title', null, 'The ledger breaks at this entry'), svg('line', { x1: mx, x2: mx, y1: top - 30, y2: top + plotH })));
    }
    root.append(markLayer);

    // The window's instants.
    if (view.window.asOf) {
      const ax = clampX(ms(view.window.asOf));
      root.append(svg('g', { class: 'reference as-of', 'data-at': view.window.asOf },
        svg('line', { x1: ax, x2: ax, y1: top - 36, y2: top + plotH }), svg('text', { x: ax + 3, y: top - 38 }, 'as of')));
    }
    root.append(svg('text', { x: 8, y: 16, class: 'lane-label' }, 'Custodian and place'),
      svg('text', { x: 8, y: 30, class: 'axis-note' }, view.window.knownAt ? 'as known at ' + when(view.window.knownAt) : 'as recorded now'));

    box.replaceChildren(root);
    drawLegend(intervals, deadlines.length > 0, findings.length > 0);
    drawSelection();
    drawDeadlines();
    drawFindings();
    drawEvents();
  }

  const MARK_LABELS = {
    CustodyDispatched: 'dispatched', CustodyReceived: 'received', ConsentRecorded: 'consent', ReceivingStateDecisionRecorded: 'decision',
    EligibilityEvaluated: 'eligibility', ExpulsionOrderRecorded: 'expulsion order', EnforcementSuspended: 'enforcement suspended', EnforcementResumed: 'enforcement resumed',
    EnforcementEnded: 'enforcement ended', DeadlineExtended: 'deadline extended', DeadlineMissed: 'deadline missed', TransferWithdrawn: 'withdrawn', TransferCancelled: 'cancelled',
    InmateReleased: 'released', DomesticReleaseRecorded: 'released', InmateDiedInCustody: 'died', ConditionalReleaseGranted: 'conditional release', PardonOrAmnestyGranted: 'pardon',
  };

  function truncate(text, n) { return text.length > n ? text.slice(0, n - 1) + '…' : text; }

  function drawLegend(intervals, hasDeadlines, hasFindings) {
    const states = [...new Set(intervals.map((i) => i.governingState))];
    const items = states.map((s) => el('span', null, el('span', { class: 'swatch', 'data-state': s }), s + ' law applies'));
    const legend = $('legend');
    legend.replaceChildren(...items, el('span', null, '◆ hand-over'), el('span', null, '● decision'), ...(hasDeadlines ? [el('span', null, '⚑ deadline')] : []), ...(hasFindings ? [el('span', null, '▲ finding')] : []), el('span', null, 'dashed edge: still lasting'));
    // Colours through the DOM, not inline style text (the page's policy forbids inline styles).
    legend.querySelectorAll('.swatch').forEach((node) => { node.style.background = colourOf(node.dataset.state); });
  }

  function select(key) {
    state.selected = key;
    drawPerson();
  }

  function eventLink(id) {
    const e = state.view.events.find((x) => x.id === id);
    return e ? el('li', { 'data-event-id': id }, when(e.occurredAt) + ' ', el('b', null, e.type), ' — ' + e.label + ' ', el('span', { class: 'note' }, '(recorded ' + when(e.recordedAt) + ', position ' + e.position + ')'))
      : el('li', { 'data-event-id': id }, el('span', { class: 'mono' }, id), el('span', { class: 'note' }, ' (not an entry of this person in this window)'));
  }

  function drawSelection() {
    const box = $('selection');
    const view = state.view;
    if (!state.selected) { box.replaceChildren(el('p', { class: 'note' }, 'Click a band or a mark.')); return; }
    const [kind, n] = state.selected.split(':');
    const rows = [];
    let evidence = [];
    let zoom = null;
    if (kind === 'band') {
      const i = view.timeline.intervals[Number(n)];
      if (!i) return;
      rows.push(['Custodian', custodianText(i.custodian)], ['Place', placeText(i.place, Object.fromEntries(Object.entries(view.facilities || {}).map(([id, f]) => [id, f.name])))], ['Law', i.governingState + (i.legalBasis ? ' (' + i.legalBasis + ')' : '')], ['From', when(i.from)], ['To', i.to ? when(i.to) : 'still']);
      evidence = i.evidenceEventIds;
      zoom = [ms(i.from), i.to ? ms(i.to) : null];
      if (i.place.facilityId) rows.push(['Facility', el('a', { href: '#/facilities/' + i.place.facilityId }, i.place.facilityId)]);
    } else if (kind === 'mark') {
      const m = view.marks[Number(n)];
      if (!m) return;
      rows.push(['What', m.label], ['Happened', when(m.at)], ['Recorded', when(m.recordedAt)]);
      evidence = [m.eventId];
    } else if (kind === 'deadline') {
      const d = view.deadlines[Number(n)];
      if (!d) return;
      rows.push(['Deadline', d.deadline], ['Due', when(d.dueAt)], ['Status', el('span', { class: 'status ' + d.status }, d.status)]);
      if (d.previousDueAts.length) rows.push(['Before extension', d.previousDueAts.map(when).join(', ')]);
      if (d.metAt) rows.push(['Met at', when(d.metAt)]);
      evidence = d.evidenceEventIds;
    } else if (kind === 'finding') {
      const f = findingsList()[Number(n)];
      if (!f) return;
      rows.push(['Finding', f.description], ['Invariant', f.invariant], ['Raised', when(f.raisedAt)]);
      evidence = f.evidenceEventIds || [];
    }
    const dl = el('dl', null, rows.flatMap(([k, v]) => [el('dt', null, k), el('dd', null, v)]));
    const parts = [dl, el('p', { class: 'note' }, 'Evidence:'), el('ul', null, evidence.map(eventLink))];
    if (zoom) {
      parts.push(el('button', {
        type: 'button', onclick: () => {
          const t1 = zoom[1] ?? (view.window.asOf ? ms(view.window.asOf) : zoom[0] + 864e5);
          const pad = Math.max((t1 - zoom[0]) * 0.6, 3600e3);
          state.zoom = [zoom[0] - pad, t1 + pad];
          drawPerson();
        },
      }, 'Zoom to this band'));
    }
    box.replaceChildren(...parts);
  }

  function drawDeadlines() {
    const list = $('deadlines');
    const ds = state.view.deadlines;
    list.replaceChildren(...(ds.length ? ds.map((d) => el('li', { 'data-deadline': d.deadline, 'data-status': d.status },
      el('span', { class: 'status ' + d.status }, d.status), ' ' + d.deadline + ' due ' + when(d.dueAt) + (d.metAt ? ', met ' + when(d.metAt) : '') +
      (d.previousDueAts.length ? ' (extended from ' + d.previousDueAts.map(when).join(', ') + ')' : ''))) : [el('li', { class: 'note' }, 'No deadline runs in this case.')]));
  }

  function drawFindings() {
    const box = $('findings');
    const f = state.findings;
    if (!Array.isArray(f)) {
      const e = f && f.unavailable;
      box.replaceChildren(el('p', { class: 'note', 'data-findings': 'unavailable' }, e instanceof HttpError && e.status === 404
        ? 'This audit service does not list findings yet.' : 'Findings could not be read: ' + explain(e)));
      return;
    }
    const open = findingsList();
    if (!open.length) { box.replaceChildren(el('p', { class: 'note', 'data-findings': '0' }, 'No open finding for this person.')); return; }
    box.replaceChildren(...open.map((x) => el('div', { class: 'finding', 'data-finding-id': x.findingId, 'data-invariant': x.invariant },
      el('b', null, x.invariant), ' — ' + x.description, el('div', { class: 'note' }, 'raised ' + when(x.raisedAt)),
      el('ul', null, (x.evidenceEventIds || []).map(eventLink)))));
  }

  function drawEvents() {
    const body = $('events').querySelector('tbody');
    body.replaceChildren(...state.view.events.map((e) => el('tr', { class: e.shown ? '' : 'hidden-by-window', 'data-event-id': e.id, 'data-type': e.type },
      el('td', null, when(e.occurredAt)), el('td', null, when(e.recordedAt)), el('td', null, String(e.position)), el('td', null, el('b', null, e.type), ' — ' + e.label), el('td'))));
  }

  // ---- the facility page -------------------------------------------------------------------

  async function loadFacility(r) {
    const seq = ++state.loadSeq;
    if (!UUID.test(r.id)) { say('A facility id is a UUID.'); return; }
    try {
      const view = await getJson('/auditor/facilities/' + encodeURIComponent(r.id), { asOf: r.asOf, knownAt: r.knownAt });
      if (seq !== state.loadSeq) return;
      drawFacility(view);
      if (!view.steps.length && !view.name) say('The ledger holds no event of this facility.');
    } catch (error) {
      if (seq !== state.loadSeq) return;
      say(explain(error));
      $('occupancy-box').replaceChildren();
    }
  }

  function drawFacility(view) {
    $('facility-name').textContent = (view.name ? view.name + ' ' : '') + '(' + view.facilityId + ')';
    const lease = view.lease ? ', places leased to ' + (view.lease.lesseeState || '?') + (view.lease.treatyReference ? ' (' + view.lease.treatyReference + ')' : '') : '';
    $('facility-facts').textContent = [view.country && 'in ' + view.country, view.operatingState && 'operated by ' + view.operatingState, view.jurisdiction].filter(Boolean).join(', ') + lease +
      '. Now: ' + view.occupied + ' occupied, ' + view.reservations.length + ' reserved, capacity ' + view.capacity + '.';
    const box = $('occupancy-box');
    const steps = view.steps;
    const width = Math.max(900, box.clientWidth || 1100);
    const left = 56, right = 24, top = 20, plotH = 260;
    const height = top + plotH + 40;
    const times = steps.map((s) => ms(s.at));
    if (view.window.asOf) times.push(ms(view.window.asOf));
    let t0 = times.length ? Math.min(...times) : Date.now() - 864e5;
    let t1 = times.length ? Math.max(...times) : Date.now();
    if (t1 - t0 < 864e5) t1 = t0 + 864e5;
    const pad = (t1 - t0) * 0.05;
    t0 -= pad; t1 += pad;
    const vmax = Math.max(1, ...steps.map((s) => Math.max(s.capacity, s.occupied + s.reserved))) * 1.1;
    const x = (t) => left + ((t - t0) / (t1 - t0)) * (width - right - left);
    const y = (v) => top + plotH - (v / vmax) * plotH;
    const root = svg('svg', {
      id: 'occupancy', width, height, viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'Occupancy against capacity',
      'data-t0': new Date(t0).toISOString(), 'data-t1': new Date(t1).toISOString(), 'data-x0': left, 'data-x1': width - right, 'data-vmax': vmax, 'data-y0': top + plotH, 'data-y1': top,
    });
    const axis = svg('g', { class: 'axis' });
    for (const [t, label] of ticks(t0, t1)) axis.append(svg('line', { x1: x(t), x2: x(t), y1: top, y2: top + plotH }), svg('text', { x: x(t) + 2, y: top + plotH + 14 }, label));
    const yStep = Math.max(1, Math.pow(10, Math.floor(Math.log10(vmax))) / (vmax / Math.pow(10, Math.floor(Math.log10(vmax))) < 3 ? 4 : 1));
    for (let v = 0; v <= vmax; v += yStep) axis.append(svg('line', { x1: left, x2: width - right, y1: y(v), y2: y(v) }), svg('text', { x: 6, y: y(v) + 4 }, String(v)));
    root.append(axis);
    const endT = view.window.asOf ? ms(view.window.asOf) : t1;
    const path = (value) => {
      if (!steps.length) return '';
      let d = 'M' + x(ms(steps[0].at)).toFixed(2) + ' ' + y(value(steps[0])).toFixed(2);
      for (let n = 1; n < steps.length; n++) {
        const sx = x(ms(steps[n].at)).toFixed(2);
        d += ' H' + sx + ' V' + y(value(steps[n])).toFixed(2);
      }
      return d + ' H' + x(endT).toFixed(2);
    };
    for (const s of steps) if (s.occupied + s.reserved > s.capacity) {
      const n = steps.indexOf(s);
      const next = steps[n + 1] ? ms(steps[n + 1].at) : endT;
      root.append(svg('rect', { class: 'over', x: x(ms(s.at)), y: top, width: Math.max(2, x(next) - x(ms(s.at))), height: plotH, 'data-at': s.at }));
    }
    root.append(
      svg('path', { class: 'capacity-line', d: path((s) => s.capacity), 'data-values': steps.map((s) => s.capacity).join(',') }),
      svg('path', { class: 'reserved-line', d: path((s) => s.occupied + s.reserved), 'data-values': steps.map((s) => s.occupied + s.reserved).join(',') }),
      svg('path', { class: 'occupancy-line', d: path((s) => s.occupied), 'data-values': steps.map((s) => s.occupied).join(',') }),
    );
    for (const s of steps) {
      root.append(svg('circle', { class: 'step-dot', cx: x(ms(s.at)), cy: y(s.occupied), r: 3, 'data-at': s.at, 'data-occupied': s.occupied, 'data-reserved': s.reserved, 'data-capacity': s.capacity, 'data-type': s.type },
        svg('title', null, when(s.at) + ': ' + s.occupied + ' occupied, ' + s.reserved + ' reserved, capacity ' + s.capacity + ' (' + s.type + ')')));
    }
    box.replaceChildren(root);
    const rows = view.reservations.map((r) => el('tr', { 'data-reservation-id': r.reservationId },
      el('td', { class: 'mono' }, short(r.reservationId)), el('td', null, el('a', { href: '#/inmates/' + r.inmateId, class: 'mono' }, r.inmateId)),
      el('td', null, when(r.reservedAt)), el('td', null, when(r.expiresAt), r.isPastExpiry ? el('span', { class: 'status overdue' }, ' past expiry') : '')));
    $('reservations').querySelector('tbody').replaceChildren(...(rows.length ? rows : [el('tr', null, el('td', { colspan: 4, class: 'note' }, 'No place is reserved.'))]));
    $('occupants').replaceChildren(...(view.occupants.length ? view.occupants.map((id) => el('li', null, el('a', { href: '#/inmates/' + id, class: 'mono' }, id))) : [el('li', { class: 'note' }, 'Nobody.')]));
  }

  // ---- controls ----------------------------------------------------------------------------

  function showToken() {
    const purpose = sessionStorage.getItem(PURPOSE_KEY);
    $('token-state').textContent = (sessionStorage.getItem(TOKEN_KEY) ? 'Sign-in: bearer token set' : 'Sign-in: none') + (purpose ? ' · purpose: ' + purpose : '');
    $('purpose').value = purpose || '';
  }

  function init() {
    $('person-search').addEventListener('submit', (e) => {
      e.preventDefault();
      const id = $('inmate-id').value.trim();
      if (id) go('person', id, currentWindow());
    });
    $('facility-search').addEventListener('submit', (e) => {
      e.preventDefault();
      const id = $('facility-id').value.trim();
      if (id) go('facility', id, currentWindow());
    });
    const requery = () => {
      const r = state.route;
      if (r.page === 'person' || r.page === 'facility') go(r.page, r.id, currentWindow());
    };
    $('as-of').addEventListener('change', requery);
    $('known-at').addEventListener('change', requery);
    $('as-of-clear').addEventListener('click', () => { $('as-of').value = ''; requery(); });
    $('known-at-clear').addEventListener('click', () => { $('known-at').value = ''; requery(); });
    $('zoom-all').addEventListener('click', () => { state.zoom = null; drawPerson(); });
    $('verify-now').addEventListener('click', () => { void loadVerification(state.loadSeq, true); });
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const token = $('token').value.trim();
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      const purpose = $('purpose').value.trim();
      if (purpose) sessionStorage.setItem(PURPOSE_KEY, purpose);
      else sessionStorage.removeItem(PURPOSE_KEY);
      $('token').value = '';
      showToken();
      route();
    });
    $('token-clear').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); sessionStorage.removeItem(PURPOSE_KEY); showToken(); route(); });
    window.addEventListener('hashchange', route);
    window.addEventListener('resize', () => { if (state.route.page === 'person') drawPerson(); });
    showToken();
    route();
  }

  init();
})();
