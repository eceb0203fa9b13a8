// page-sites.js - website response observation (HPレスポンス観測): the
// sites the reader may see (its own organisation's; a secretariat's
// members'; NISC all), the register form, and a site's page: its state in
// words with a mark (never colour alone) and the reason in the reader's
// language, the response time over a window with the learned baseline
// band (SVG drawn here, no library), the breakdown by phase (DNS, connect,
// TLS, first byte, rest) as stacked bars, the same figures as a table,
// and the pause / maintenance actions.
//   #/sites?sector=&state=&org=&offset=   the list (filters in the URL;
//                                          the free-text search in memory)
//   #/sites/new                           the register form
//   #/sites/{id}?window=6h|24h|7d         a site
// API: GET/POST /sites, GET/PATCH /sites/{id}, POST /sites/{id}/maintenance,
// GET /sites/{id}/observations (docs/openapi.json).
import { h, svg, link, table, select, msg, errText, time, clear, field, enc, put, dl } from './dom.js';
import { t, L, lang, fmtTime, dur, jstInputToRfc, nowJstInput } from './i18n.js';
import { get, post, api } from './api.js';
import { loadNames, orgName, sectorName } from './names.js';

export const STATES = ['normal', 'slow', 'unreachable', 'learning', 'maintenance', 'paused'];
/* The mark of each state: the state is read from the word and the mark,
 * the colour only adds to them. */
const MARK = { normal: '✓', slow: '▲', unreachable: '✕', learning: '◌', maintenance: '◆', paused: '‖' };
export const PHASES = ['dns', 'connect', 'tls', 'ttfb', 'rest'];
const LIMIT = 50;
const memory = { q: '' };

/* Times from the API: RFC 3339 text or Unix seconds -> RFC 3339. */
export function iso(x) {
  if (x === null || x === undefined || x === '' || x === 0) return null;
  if (typeof x === 'number') return new Date(x * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return String(x);
}
export const ms = (x) => (typeof x === 'number' ? x : Date.parse(x));

export function stateName(s) { return t('obs.state.' + s, null, true) || s || '—'; }
export function stateBadge(s) {
  return h('span', { cls: 'badge obs-state obs-' + (s || 'none'), 'data-state': s || '' },
    h('span', { 'aria-hidden': 'true', cls: 'mark' }, MARK[s] || '·'), ' ', stateName(s));
}
export function phaseName(p) { return p ? (t('obs.phase.' + p, null, true) || p) : '—'; }
export function msText(v) {
  if (v === null || v === undefined || v < 0 || Number.isNaN(v)) return '—';
  return t('obs.ms', { n: v >= 100 ? Math.round(v) : Math.round(v * 10) / 10 });
}
export function reason(x) { return (lang() === 'en' ? x.reason_en : x.reason_ja) || (lang() === 'en' ? x.reason_ja : x.reason_en) || ''; }
export function siteName(s) { return s.label || s.host || ('#' + s.id); }
export function siteOrg(s) {
  const n = lang() === 'en' ? (s.org_name_en || s.org_name_ja) : (s.org_name_ja || s.org_name_en);
  return n || orgName(s.org);
}

/* Who may see sites at all: operators (their own), CEPTOAR secretariats
 * (their members') and NISC; ministries see sector aggregates only. */
export function seesSites(ctx) { return ['operator', 'ceptoar', 'nisc'].includes(ctx.kind()); }
/* Sub-navigation of the observation pages (only what the reader may use). */
export function obsNav(ctx, here) {
  const items = [];
  if (['nisc', 'ministry', 'ceptoar'].includes(ctx.kind())) items.push(['/obs', 'obs.nav.heat']);
  items.push(['/obs/alerts', 'obs.nav.alerts']);
  if (seesSites(ctx)) items.push(['/sites', 'obs.nav.sites']);
  return h('nav', { cls: 'subnav', 'aria-label': t('obs.nav') }, items.map(([p, k]) =>
    h('a', { href: '#' + p, 'aria-current': p === here ? 'page' : null }, t(k))));
}

/* Whether the user has a role beyond reading (registering, pausing). */
export function canChange(ctx) { return ctx.has('liaison', 'org_admin', 'reporter', 'analyst', 'admin'); }

function query() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
}

export async function render(main, env) {
  const { params, path } = env;
  if (path === '/sites/new') return registerPage(main, env);
  if (params && params[0]) return sitePage(main, env, params[0]);
  return listPage(main, env);
}

/* ---------- the list ---------- */

async function listPage(main, { ctx }) {
  const title = t('site.list');
  put(main, h('h1', { 'data-title': title }, title), obsNav(ctx, '/sites'));
  const q = query();
  const f = { sector: q.get('sector') || '', state: q.get('state') || '', org: q.get('org') || '',
    offset: Math.max(0, parseInt(q.get('offset') || '0', 10) || 0) };
  if (!STATES.includes(f.state)) f.state = '';
  const sectors = await ctx.sectors();
  await loadNames(ctx);
  const fSector = select('sector', [['', t('reports.any')]].concat(sectors.map((s) => [s.id, L(s.name)])), f.sector);
  const fState = select('state', [['', t('reports.any')]].concat(STATES.map((s) => [s, stateName(s)])), f.state);
  const fQ = h('input', { type: 'search', name: 'q', maxlength: 200, value: memory.q });
  const write = (o) => {
    const p = new URLSearchParams();
    for (const k of ['sector', 'state', 'org']) if (o[k]) p.set(k, o[k]);
    if (o.offset) p.set('offset', String(o.offset));
    const s = p.toString();
    ctx.go('/sites' + (s ? '?' + s : ''));
  };
  const form = h('form', { cls: 'card filters', role: 'search', id: 'sites-filters' },
    ctx.kind() === 'operator' ? null : field(t('sector'), fSector),
    field(t('state'), fState), field(t('site.q'), fQ),
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('apply')),
      h('button', { type: 'button', cls: 'secondary', on: { click: () => { memory.q = ''; ctx.go('/sites'); } } }, t('reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    memory.q = fQ.value.trim();
    write({ sector: fSector.value, state: fState.value, org: f.org, offset: 0 });
  });
  const bar = h('div', { cls: 'actions listbar' },
    h('p', { cls: 'meta', id: 'sites-info', 'aria-live': 'polite' }),
    seesSites(ctx) && canChange(ctx) ? link('/sites/new', t('site.new')) : null);
  const out = h('div', { id: 'sites-out' });
  put(main, form, bar, out);
  const p = new URLSearchParams();
  for (const k of ['sector', 'state', 'org']) if (f[k]) p.set(k, f[k]);
  if (memory.q) p.set('q', memory.q);
  p.set('limit', String(LIMIT)); p.set('offset', String(f.offset));
  let r;
  try { r = await get('/sites?' + p.toString()); } catch (e) { put(out, msg(errText(e), 'err')); return; }
  const info = bar.querySelector('#sites-info');
  const total = r.total ?? r.items.length;
  info.textContent = total ? t('site.range', { a: f.offset + 1, b: f.offset + r.items.length, n: total }) : t('site.none');
  if (!r.items.length) return;
  put(out, table([
    [t('site.site'), (s) => [link('/sites/' + enc(s.id), siteName(s)), s.label ? h('div', { cls: 'meta host' }, s.host) : null]],
    ctx.kind() === 'operator' ? null : [t('org'), (s) => siteOrg(s)],
    ctx.kind() === 'operator' ? null : [t('sector'), (s) => sectorName(s.sector)],
    [t('state'), (s) => stateBadge(s.state)],
    [t('site.last'), (s) => (s.last && s.last.at ? [msText(s.last.total_ms), ' ', h('span', { cls: 'meta' }, time(iso(s.last.at)))] : '—')],
    [t('site.interval'), (s) => dur(s.interval_s)],
  ].filter(Boolean), r.items, (s) => ({ 'data-site': s.id, 'data-state': s.state || '' })));
  out.firstChild.id = 'sites-table';
  const pager = h('div', { cls: 'actions pager' });
  if (f.offset > 0) put(pager, h('button', { type: 'button', cls: 'secondary', id: 'sites-prev', on: { click: () => write(Object.assign({}, f, { offset: Math.max(0, f.offset - LIMIT) })) } }, t('site.prev')));
  if (f.offset + r.items.length < total) put(pager, h('button', { type: 'button', cls: 'secondary', id: 'sites-next', on: { click: () => write(Object.assign({}, f, { offset: f.offset + LIMIT })) } }, t('site.next')));
  if (pager.firstChild) put(out, pager);
}

/* ---------- the register form ---------- */

async function registerPage(main, { ctx }) {
  const title = t('site.new');
  put(main, h('h1', { 'data-title': title }, title), obsNav(ctx, ''));
  const k = ctx.kind();
  const fields = {
    url: h('input', { type: 'url', name: 'url', required: true, maxlength: 2048, inputmode: 'url', autocomplete: 'off', placeholder: 'https://www.example.jp/' }),
    label: h('input', { type: 'text', name: 'label', maxlength: 200 }),
    expected_status: h('input', { type: 'number', name: 'expected_status', min: 100, max: 599, value: '200' }),
    content_match: h('input', { type: 'text', name: 'content_match', maxlength: 256 }),
    interval_s: h('input', { type: 'number', name: 'interval_s', min: 30, max: 3600, value: '60' }),
    hosting: h('input', { type: 'text', name: 'hosting', maxlength: 200 }),
    notify: h('input', { type: 'checkbox', name: 'notify' }),
  };
  const rows = {};
  const errs = {};
  const mk = (name, label, hint) => {
    const r = field(label, fields[name], hint);
    const e = h('p', { cls: 'fielderr', id: 'err-' + name, hidden: true });
    r.insertBefore(e, fields[name].nextSibling);
    rows[name] = r; errs[name] = e;
    return r;
  };
  // the organisation: secretariats (and NISC) register for a member
  let orgSel = null, cepSel = null;
  const orgBox = h('div');
  if (k === 'ceptoar' || k === 'nisc') {
    fields.org = orgSel = h('select', { name: 'org', required: true });
    const fill = async (cep) => {
      clear(orgSel);
      orgSel.appendChild(h('option', { value: '' }, t('site.pickorg')));
      if (!cep) return;
      try {
        const r = await get('/orgs?kind=operator&ceptoar=' + enc(cep) + '&limit=500');
        for (const o of r.items) orgSel.appendChild(h('option', { value: o.id }, L(o.name)));
      } catch (e) { put(orgBox, msg(errText(e), 'err')); }
    };
    if (k === 'nisc') {
      const ceps = [];
      for (const s of await ctx.sectors()) for (const sc of s.scopes) if (sc.ceptoar && !ceps.some((c) => c[0] === sc.ceptoar.id)) ceps.push([sc.ceptoar.id, L(sc.ceptoar.name)]);
      cepSel = select('ceptoar', [['', t('site.pickceptoar')]].concat(ceps), '');
      cepSel.addEventListener('change', () => fill(cepSel.value));
      put(orgBox, field(t('site.ceptoar'), cepSel));
      await fill('');
    } else {
      await fill(ctx.me.org);
    }
    put(orgBox, mk('org', t('site.org'), t('site.orghint')));
  }
  const status = h('div', { 'aria-live': 'polite', id: 'site-form-status' });
  const form = h('form', { novalidate: true, id: 'site-form', cls: 'card' },
    orgBox,
    mk('url', t('site.url') + t('site.req'), t('site.urlhint')),
    mk('label', t('site.label'), t('site.labelhint')),
    h('div', { cls: 'cols' }, mk('expected_status', t('site.expected')), mk('interval_s', t('site.intervals'), t('site.intervalhint'))),
    mk('content_match', t('site.content'), t('site.contenthint')),
    mk('hosting', t('site.hosting'), t('site.hostinghint')),
    h('div', { cls: 'row' }, h('label', { cls: 'inline' }, fields.notify, t('site.notify')), h('p', { cls: 'hint' }, t('site.notifyhint'))),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'site-submit' }, t('site.register')), link('/sites', t('cancel'))),
    status);
  put(main, form);
  const setErr = (name, text) => {
    const el = fields[name], e = errs[name];
    if (!el || !e) return false;
    e.textContent = text || ''; e.hidden = !text;
    const desc = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== e.id);
    if (text) { el.setAttribute('aria-invalid', 'true'); desc.unshift(e.id); } else el.removeAttribute('aria-invalid');
    if (desc.length) el.setAttribute('aria-describedby', desc.join(' ')); else el.removeAttribute('aria-describedby');
    return true;
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(status);
    for (const n of Object.keys(errs)) setErr(n, '');
    const body = { url: fields.url.value.trim() };
    let bad = null;
    if (orgSel) { if (!orgSel.value) bad = bad || ['org', t('site.err.org')]; else body.org = orgSel.value; }
    if (!body.url) bad = bad || ['url', t('site.err.url')];
    if (fields.label.value.trim()) body.label = fields.label.value.trim();
    if (fields.content_match.value) body.content_match = fields.content_match.value;
    if (fields.hosting.value.trim()) body.hosting = fields.hosting.value.trim();
    for (const n of ['expected_status', 'interval_s']) {
      const v = fields[n].value.trim();
      if (v === '') continue;
      if (!/^\d+$/.test(v)) { bad = bad || [n, t('err.invalid_value')]; continue; }
      body[n] = Number(v);
    }
    body.notify = fields.notify.checked;
    if (bad) { setErr(bad[0], bad[1]); fields[bad[0]].focus(); put(status, msg(bad[1], 'err')); return; }
    const btn = form.querySelector('#site-submit');
    btn.disabled = true;
    try {
      const s = await post('/sites', body);
      ctx.say(t('site.registered', { site: siteName(s) }), 'ok');
      ctx.go('/sites/' + enc(s.id));
    } catch (e) {
      btn.disabled = false;
      const name = e.field ? String(e.field).replace(/^.*\./, '') : (e.status === 409 ? 'url' : null);
      // next to the field: the code's text, else the field's own hint
      // (its limits), else the hub's message
      const hint = name && fields[name] && rows[name] ? rows[name].querySelector('.hint') : null;
      const text = e.code === 'duplicate' ? t('site.err.dup')
        : t('err.' + e.code, null, true) || (hint && e.status === 400 ? hint.textContent : errText(e));
      if (name && setErr(name, text)) fields[name].focus();
      put(status, msg(text, 'err'));
    }
  });
}

/* ---------- a site ---------- */

const WINDOWS = { '6h': [6 * 3600, '5m'], '24h': [86400, '5m'], '7d': [7 * 86400, '1h'] };

/* The phases of a point, each its own duration: the API's dns, connect,
 * tls and ttfb (-1 or absent: the phase did not happen), and the rest of
 * the total (transfer) = p50 - their sum, never below 0. */
export function phaseParts(p) {
  const v = (x) => (typeof x === 'number' && x > 0 ? x : 0);
  const parts = { dns: v(p.dns), connect: v(p.connect), tls: v(p.tls), ttfb: v(p.ttfb) };
  const sum = parts.dns + parts.connect + parts.tls + parts.ttfb;
  parts.rest = Math.max(0, v(p.p50) - sum);
  return parts;
}

async function sitePage(main, { ctx }, id) {
  const s = await get('/sites/' + enc(id));
  const title = t('site.title');
  const q = query();
  const win = WINDOWS[q.get('window')] ? q.get('window') : '24h';
  put(main, h('h1', { 'data-title': title }, siteName(s)), obsNav(ctx, ''));
  put(main, h('div', { cls: 'card obs-now', id: 'site-state', 'data-state': s.state || '' },
    h('p', { cls: 'obs-statebig' }, stateBadge(s.state), s.state_since ? t('site.since', { t: fmtTime(iso(s.state_since)) }) : null),
    // the reason of an anomaly (a paused site or one in maintenance has
    // none that is current)
    reason(s) && ['slow', 'unreachable'].includes(s.state) ? h('p', { id: 'site-reason' }, reason(s)) : null,
    dl([
      [t('site.url'), h('span', { cls: 'id' }, s.url)],
      [t('org'), siteOrg(s)],
      [t('sector'), sectorName(s.sector)],
      [t('site.last'), s.last && s.last.at ? [msText(s.last.total_ms), t('paren', { x: t('obs.outcome.' + s.last.outcome, null, true) || s.last.outcome }), ' ', time(iso(s.last.at))] : '—'],
      [t('site.expected'), String(s.expected_status ?? 200)],
      s.content_match ? [t('site.content'), s.content_match] : null,
      [t('site.interval'), dur(s.interval_s)],
      [t('site.notify'), s.notify ? t('yes') : t('no')],
      s.dns_provider ? [t('site.dns'), s.dns_provider] : null,
      s.hosting ? [t('site.hosting'), s.hosting] : null,
      s.via_org ? [t('site.via'), orgName(s.via_org)] : null,
    ])));
  // the window, in the URL
  const winNav = h('div', { cls: 'actions', role: 'group', 'aria-label': t('site.window') },
    h('span', {}, t('site.window') + ':'),
    Object.keys(WINDOWS).map((w) => h('a', { href: '#/sites/' + enc(id) + '?window=' + w, cls: 'button secondary' + (w === win ? ' current' : ''), 'aria-current': w === win ? 'true' : null }, t('site.win.' + w))));
  const chartBox = h('div', { id: 'site-charts' });
  put(main, h('h2', { id: 'rt-h' }, t('site.rt')), winNav, chartBox);
  const actions = h('section', { id: 'site-actions' });
  put(main, actions);
  drawActions(ctx, actions, s);
  const to = Math.floor(Date.now() / 1000), from = to - WINDOWS[win][0];
  let o;
  try {
    o = await get('/sites/' + enc(id) + '/observations?from=' + iso(from) + '&to=' + iso(to) + '&step=' + WINDOWS[win][1]);
  } catch (e) { put(chartBox, msg(errText(e), 'err')); return; }
  drawCharts(chartBox, o, from * 1000, to * 1000);
}

/* The response time (the p50 of each bucket, a line; the p90, dashed)
 * over the baseline band (low..high, filled) and its median (dotted). */
function drawCharts(box, o, from, to) {
  const pts = (o.points || []).map((p) => Object.assign({}, p, { x: ms(p.t) })).filter((p) => !Number.isNaN(p.x)).sort((a, b) => a.x - b.x);
  const base = (o.baseline || []).map((b) => Object.assign({}, b, { x: ms(b.t) })).filter((b) => !Number.isNaN(b.x) && b.high >= 0).sort((a, b) => a.x - b.x);
  if (!pts.length) { put(box, h('p', { cls: 'empty', id: 'site-nodata' }, t('site.nodata'))); return; }
  // drawn at the width it is shown at (up to 720), so its text keeps its size on a phone
  const W = Math.max(320, Math.min(720, Math.round(box.clientWidth || 720))), H = 240, L0 = 52, R0 = 10, T0 = 12, B0 = 28;
  const ok = (v) => typeof v === 'number' && v >= 0;
  const ymax = Math.max(10, ...pts.map((p) => (ok(p.p90) ? p.p90 : ok(p.p50) ? p.p50 : 0)), ...base.map((b) => b.high)) * 1.1;
  const X = (x) => L0 + (W - L0 - R0) * (x - from) / Math.max(1, to - from);
  const Y = (v) => H - B0 - (H - B0 - T0) * Math.min(v, ymax) / ymax;
  const stepMs = o.step === '1h' ? 3600e3 : o.step === 'raw' ? 60e3 : 300e3;
  const path = (list, key) => {
    let d = '', prev = null;
    for (const p of list) {
      if (!ok(p[key])) { prev = null; continue; }
      d += (prev !== null && p.x - prev <= 2.5 * stepMs ? 'L' : 'M') + X(p.x).toFixed(1) + ' ' + Y(p[key]).toFixed(1);
      prev = p.x;
    }
    return d;
  };
  const ticks = axes(W, H, L0, R0, T0, B0, ymax, from, to, X, Y);
  const band = base.length ? svg('path', { cls: 'band', 'data-series': 'band',
    d: 'M' + base.map((b) => X(b.x).toFixed(1) + ' ' + Y(Math.max(0, b.high)).toFixed(1)).join('L') +
       'L' + base.slice().reverse().map((b) => X(b.x).toFixed(1) + ' ' + Y(Math.max(0, b.low)).toFixed(1)).join('L') + 'Z' }) : null;
  const downs = pts.filter((p) => p.n > 0 && p.errors >= p.n).map((p) =>
    svg('text', { x: X(p.x), y: H - B0 - 4, 'text-anchor': 'middle', cls: 'down-mark' }, '✕'));
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, cls: 'obs-chart', id: 'site-chart', role: 'img', 'aria-labelledby': 'rt-h rt-desc' },
    ticks, band,
    base.length ? svg('path', { cls: 'median', 'data-series': 'median', d: path(base, 'median') }) : null,
    svg('path', { cls: 'p90', 'data-series': 'p90', d: path(pts, 'p90') }),
    svg('path', { cls: 'p50', 'data-series': 'p50', d: path(pts, 'p50') }),
    downs);
  const last = pts[pts.length - 1];
  put(box, chart,
    h('p', { id: 'rt-desc', cls: 'vh' }, t('site.rtdesc', { n: pts.length, p50: msText(last.p50) })),
    h('p', { cls: 'legend' },
      h('span', { cls: 'key key-p50' }, t('site.k.p50')), ' ', h('span', { cls: 'key key-p90' }, t('site.k.p90')), ' ',
      h('span', { cls: 'key key-band' }, t('site.k.band')), ' ', h('span', { cls: 'key key-median' }, t('site.k.median')), ' ',
      h('span', { cls: 'key key-down' }, '✕ ' + t('site.k.down'))));
  // the phases: stacked bars (each phase its own fill pattern and colour)
  const PH = 200;
  const pmax = Math.max(10, ...pts.map((p) => { const q = phaseParts(p); return PHASES.reduce((a, k) => a + q[k], 0); })) * 1.1;
  const PY = (v) => PH - B0 - (PH - B0 - T0) * Math.min(v, pmax) / pmax;
  const bw = Math.max(1, (W - L0 - R0) * stepMs / Math.max(1, to - from) - 1);
  const bars = pts.filter((p) => ok(p.p50)).map((p) => {
    const q = phaseParts(p);
    let acc = 0;
    return svg('g', {}, PHASES.map((k) => {
      if (q[k] <= 0) return null;
      const y0 = PY(acc), y1 = PY(acc + q[k]);
      acc += q[k];
      return svg('rect', { cls: 'ph ph-' + k, x: (X(p.x) - bw / 2).toFixed(1), y: y1.toFixed(1), width: bw.toFixed(1), height: Math.max(0.5, y0 - y1).toFixed(1) });
    }));
  });
  const defs = svg('defs', {},
    svg('pattern', { id: 'hatch-connect', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      svg('rect', { width: 6, height: 6, cls: 'ph-connect' }), svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, cls: 'hatch' })),
    svg('pattern', { id: 'hatch-ttfb', width: 6, height: 6, patternUnits: 'userSpaceOnUse' },
      svg('rect', { width: 6, height: 6, cls: 'ph-ttfb' }), svg('circle', { cx: 3, cy: 3, r: 1.2, cls: 'dot' })));
  const med = (k) => {
    const v = pts.filter((p) => ok(p.p50)).map((p) => phaseParts(p)[k]).sort((a, b) => a - b);
    return v.length ? v[Math.floor(v.length / 2)] : -1;
  };
  put(box, h('h2', { id: 'ph-h' }, t('site.phases')),
    svg('svg', { viewBox: `0 0 ${W} ${PH}`, cls: 'obs-chart obs-phases', id: 'site-phases', role: 'img', 'aria-labelledby': 'ph-h ph-legend' },
      defs, axes(W, PH, L0, R0, T0, B0, pmax, from, to, X, PY), bars),
    h('ul', { cls: 'legend phlegend', id: 'ph-legend' }, PHASES.map((k) =>
      h('li', { 'data-phase': k }, h('span', { cls: 'key key-ph-' + k }), phaseName(k), t('obs.colon'), msText(med(k))))),
    h('p', { cls: 'meta' }, t('site.phasenote')));
  // the same figures as a table
  put(box, h('details', { id: 'site-figures' }, h('summary', {}, t('site.figures')),
    h('div', { cls: 'tablewrap' }, h('table', {},
      h('thead', {}, h('tr', {}, [t('time'), t('site.k.p50'), t('site.k.p90'), t('site.k.median'), t('site.k.band'), t('site.probes'), ...PHASES.map(phaseName)]
        .map((x, i) => h('th', { scope: 'col', cls: i ? 'num' : null }, x)))),
      h('tbody', {}, pts.slice().reverse().map((p) => {
        const b = nearest(base, p.x, stepMs);
        const q = phaseParts(p);
        return h('tr', {}, h('td', {}, time(iso(p.t))), h('td', { cls: 'num' }, msText(p.p50)), h('td', { cls: 'num' }, msText(p.p90)),
          h('td', { cls: 'num' }, b ? msText(b.median) : '—'), h('td', { cls: 'num' }, b ? msText(b.low) + '–' + msText(b.high) : '—'),
          h('td', { cls: 'num' }, t('site.nerr', { n: p.n ?? 0, e: p.errors ?? 0 })),
          PHASES.map((k) => h('td', { cls: 'num' }, ok(p.p50) ? msText(q[k]) : '—')));
      }))))));
}

function nearest(list, x, step) {
  let best = null;
  for (const b of list) if (Math.abs(b.x - x) <= step && (!best || Math.abs(b.x - x) < Math.abs(best.x - x))) best = b;
  return best;
}

/* Axes: four value ticks (ms) and five time ticks (JST). */
function axes(W, H, L0, R0, T0, B0, vmax, from, to, X, Y) {
  const g = [];
  const nice = (v) => { const e = Math.pow(10, Math.floor(Math.log10(v))); const m = v / e; return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e; };
  const st = nice(vmax / 4);
  for (let v = 0; v <= vmax; v += st) {
    g.push(svg('line', { x1: L0, x2: W - R0, y1: Y(v), y2: Y(v), cls: 'grid' }),
      svg('text', { x: L0 - 4, y: Y(v) + 4, 'text-anchor': 'end', cls: 'tick' }, t('obs.ms', { n: v })));
  }
  const span = to - from;
  for (let i = 0; i <= 4; i++) {
    const x = from + span * i / 4;
    const j = new Date(x + 9 * 3600e3);
    const hm = String(j.getUTCHours()).padStart(2, '0') + ':' + String(j.getUTCMinutes()).padStart(2, '0');
    const label = span > 2 * 86400e3 ? (j.getUTCMonth() + 1) + '/' + j.getUTCDate() + (W >= 500 ? ' ' + hm : '') : hm;
    g.push(svg('text', { x: X(x), y: H - B0 + 16, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle', cls: 'tick' }, label));
  }
  g.push(svg('line', { x1: L0, x2: W - R0, y1: H - B0, y2: H - B0, cls: 'axis' }));
  return svg('g', { 'aria-hidden': 'true' }, g);
}

/* Pause / resume (the site's opt-out) and a maintenance window. The API
 * decides who may; the buttons are shown to users who can change things. */
function drawActions(ctx, box, s) {
  if (!canChange(ctx)) return;
  const out = h('div', { 'aria-live': 'polite', id: 'site-action-status' });
  const pause = h('button', { type: 'button', cls: 'secondary', id: 'site-pause', on: { click: async () => {
    pause.disabled = true; clear(out);
    try {
      await api('PATCH', '/sites/' + enc(s.id), { version: s.version, paused: !s.paused });
      ctx.say(s.paused ? t('site.resumed') : t('site.paused'), 'ok');
      ctx.reload();
    } catch (e) { pause.disabled = false; put(out, msg(errText(e), 'err')); }
  } } }, s.paused ? t('site.resume') : t('site.pause'));
  const starts = h('input', { type: 'datetime-local', name: 'starts', value: nowJstInput() });
  const ends = h('input', { type: 'datetime-local', name: 'ends' });
  const note = h('input', { type: 'text', name: 'note', maxlength: 200 });
  const mform = h('form', { id: 'maint-form', novalidate: true },
    h('p', { cls: 'hint' }, t('new.jst')),
    h('div', { cls: 'cols' }, field(t('site.m.starts'), starts), field(t('site.m.ends'), ends)),
    field(t('site.m.note'), note),
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('site.m.add'))));
  mform.addEventListener('submit', async (e) => {
    e.preventDefault(); clear(out);
    const a = jstInputToRfc(starts.value), b = jstInputToRfc(ends.value);
    if (!a || !b || b <= a) { ends.setAttribute('aria-invalid', 'true'); ends.focus(); put(out, msg(t('site.m.bad'), 'err')); return; }
    ends.removeAttribute('aria-invalid');
    try {
      await post('/sites/' + enc(s.id) + '/maintenance', { starts: a, ends: b, note: note.value.trim() });
      ctx.say(t('site.m.done', { a: fmtTime(a), b: fmtTime(b) }), 'ok');
      ctx.reload();
    } catch (err) { put(out, msg(errText(err), 'err')); }
  });
  put(box, h('h2', {}, t('site.actions')),
    h('div', { cls: 'card' }, h('p', {}, s.paused ? t('site.pausedtext') : t('site.pausehint')), h('div', { cls: 'actions' }, pause)),
    (s.maintenance || []).length ? h('div', { cls: 'card', id: 'site-maint' }, h('h3', {}, t('site.m.list')),
      h('ul', {}, s.maintenance.map((w) => h('li', {}, time(iso(w.starts)), t('obs.to'), time(iso(w.ends)), w.note ? t('paren', { x: w.note }) : null)))) : null,
    h('details', { cls: 'card' }, h('summary', {}, t('site.maint')), mform), out);
}
