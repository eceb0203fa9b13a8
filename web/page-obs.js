// page-obs.js - website response observation, the sector view:
//   #/obs?sector=&window=6h|24h|7d   the sectors' counts (GET
//        /observation/sectors) and the sector heat map (GET
//        /observation/heatmap): one row per site the reader may see, one
//        cell per 5-minute or 1-hour bucket; an anomalous cell carries a
//        mark (▲ slow, ✕ unreachable, ◆ maintenance) as well as a colour,
//        a legend says which is which, and the grid is walked with the
//        arrow keys (one cell in the tab order, each cell's state read
//        out). Readers who may not see the sites (ministries, other
//        participants) get the sector's aggregate row only.
//   #/obs/alerts?state=&kind=&sector=   the alert list (GET
//        /observation/alerts): kind, sector, since, sites, phase, reason;
//        NISC and the sector's secretariat turn a correlated alert into an
//        advisory in one step (POST /observation/alerts/{id}/advisory);
//        a sector-wide alert's cascade suggestions (cascade.js) below.
import { h, link, table, select, msg, errText, time, clear, field, enc, put } from './dom.js';
import { t, L, fmtTime, dur } from './i18n.js';
import { get, api } from './api.js';
import { loadNames, sectorName } from './names.js';
import { stateBadge, stateName, phaseName, reason, iso, ms, obsNav, siteName } from './page-sites.js';

const KINDS = ['sector', 'prefix', 'dns', 'hosting', 'vantage', 'site'];
const WINDOWS = { '6h': 6 * 3600, '24h': 86400, '7d': 7 * 86400 };
const MARK = { slow: '▲', unreachable: '✕', maintenance: '◆', paused: '‖', learning: '◌', normal: '', none: '' };
const ROWS = 50; // heat map rows shown at first (anomalous sites first)

function query() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
}
const goWith = (ctx, base, o) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v) p.set(k, v);
  const s = p.toString();
  ctx.go(base + (s ? '?' + s : ''));
};

export async function render(main, env) {
  if (env.path === '/obs/alerts') return alertsPage(main, env);
  return heatPage(main, env);
}

/* A count the hub may give as "<5" (too few sites to show to this reader). */
const count = (v) => (v === null || v === undefined ? '—' : String(v));

/* ---------- the sectors and the heat map ---------- */

async function heatPage(main, { ctx }) {
  const title = t('obs.title');
  put(main, h('h1', { 'data-title': title }, title), obsNav(ctx, '/obs'));
  const q = query();
  const win = WINDOWS[q.get('window')] ? q.get('window') : '6h';
  const sectors = await ctx.sectors();
  await loadNames(ctx);
  const [sum, open] = await Promise.all([
    get('/observation/sectors').catch((e) => ({ error: e })),
    get('/observation/alerts?state=open').catch(() => ({ items: [] })),
  ]);
  const alerted = new Set((open.items || []).filter((a) => a.kind !== 'site' && a.sector).map((a) => a.sector));
  const rows = sum.items || [];
  let sector = q.get('sector') || '';
  if (!sectors.some((s) => s.id === sector)) sector = '';
  if (!sector) {
    const some = (v) => v === '<5' || Number(v) > 0;
    const hot = rows.find((r) => alerted.has(r.sector)) || rows.find((r) => some(r.unreachable) || some(r.slow)) ||
      rows.find((r) => some(r.sites)) || rows[0];
    sector = hot ? hot.sector : (sectors[0] && sectors[0].id) || '';
  }
  // open correlated alerts first: what NISC and the secretariats act on
  const corr = (open.items || []).filter((a) => a.kind !== 'site');
  if (corr.length) {
    put(main, h('section', { cls: 'card obs-open', id: 'obs-open', 'aria-labelledby': 'obs-open-h' },
      h('h2', { id: 'obs-open-h' }, t('obs.openalerts', { n: corr.length })),
      h('ul', {}, corr.map((a) => h('li', { 'data-alert': a.id }, stateBadge(a.condition === 'unreachable' ? 'unreachable' : 'slow'), ' ',
        alertWhat(a), t('obs.colon'), reason(a) || t('obs.nsites', { n: a.site_count }), ' ',
        link('/obs/alerts?state=open', t('obs.toalerts')))))));
  }
  // the sectors' counts
  put(main, h('h2', { id: 'obs-sectors-h' }, t('obs.sectors')));
  if (sum.error) put(main, msg(errText(sum.error), 'err'));
  else {
    // a compact table (not cards on a phone: five short columns fit)
    const num = (v) => h('td', { cls: 'num' }, count(v));
    const head = (st) => h('th', { scope: 'col', cls: 'num' }, h('span', { 'aria-hidden': 'true' }, MARK[st] ? MARK[st] + ' ' : '✓ '), t('obs.short.' + st));
    put(main, h('div', { id: 'obs-sectors', cls: 'sectorwrap' }, h('table', { cls: 'obs-sectors' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('sector')), h('th', { scope: 'col', cls: 'num' }, t('obs.sites')),
        head('normal'), head('slow'), head('unreachable'))),
      h('tbody', {}, rows.map((r) => h('tr', { 'data-sector': r.sector, 'aria-current': r.sector === sector ? 'true' : null },
        h('th', { scope: 'row' }, link('/obs?' + new URLSearchParams({ sector: r.sector, window: win }).toString(), sectorName(r.sector)),
          alerted.has(r.sector) ? [' ', h('span', { cls: 'badge flag flag-warn' }, '⚠ ' + t('obs.alerted'))] : null),
        num(r.sites), num(r.normal), num(r.slow), num(r.unreachable)))))));
  }
  // the heat map of one sector
  const fSector = select('sector', sectors.map((s) => [s.id, L(s.name)]), sector);
  const fWin = select('window', Object.keys(WINDOWS).map((w) => [w, t('site.win.' + w)]), win);
  const form = h('form', { cls: 'card filters', id: 'heat-filters' }, field(t('sector'), fSector), field(t('site.window'), fWin),
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('obs.show'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); goWith(ctx, '/obs', { sector: fSector.value, window: fWin.value }); });
  const box = h('div', { id: 'heat-out' });
  put(main, h('h2', { id: 'heat-h' }, t('obs.heat', { sector: sectorName(sector) })), form, box);
  const to = Math.floor(Date.now() / 1000), from = to - WINDOWS[win];
  let r;
  try {
    r = await get('/observation/heatmap?' + new URLSearchParams({ sector, from: iso(from), to: iso(to), step: win === '6h' ? '5m' : '1h' }).toString());
  } catch (e) { put(box, msg(errText(e), 'err')); return; }
  drawHeat(box, r, from * 1000, to * 1000);
}

/* The heat map's data in one shape, whatever the hub's field names:
 * {times: [ms], step: ms, rows: [{id, name, cells: [{state, ratio}]}],
 *  agg: [{n, slow, unreachable}] | null}. */
function normalise(r, from, to) {
  const stepS = typeof r.step === 'number' ? r.step : r.step === '1h' ? 3600 : r.step === '5m' ? 300 : (r.step_s || 300);
  const step = stepS * 1000;
  let times = (r.times || r.columns || []).map(ms);
  const rowsIn = r.rows || r.sites || r.items || [];
  const cellT = (c) => (c && (c.t !== undefined || c.bucket !== undefined) ? ms(c.t ?? c.bucket) : NaN);
  if (!times.length) {
    const all = new Set();
    for (const x of rowsIn) for (const c of (x.cells || [])) { const v = cellT(c); if (!Number.isNaN(v)) all.add(v); }
    if (all.size) times = [...all].sort((a, b) => a - b);
    else for (let x = Math.floor(from / step) * step; x < to; x += step) times.push(x);
  }
  const idx = new Map(times.map((x, i) => [x, i]));
  const cellsOf = (list) => {
    const out = new Array(times.length).fill(null);
    (list || []).forEach((c, i) => {
      const v = cellT(c);
      const j = Number.isNaN(v) ? i : idx.get(v);
      if (j === undefined || j >= out.length) return;
      out[j] = typeof c === 'string' ? { state: c } : c;
    });
    return out;
  };
  const rows = rowsIn.map((x) => {
    const s = x.site && typeof x.site === 'object' ? x.site : x;
    const id = typeof x.site === 'number' ? x.site : (s.id ?? x.site_id);
    return { id, name: siteName({ id, label: s.label, host: s.host }), cells: cellsOf(x.cells) };
  });
  const aggIn = r.aggregate || null;
  const agg = aggIn ? cellsOf(Array.isArray(aggIn) ? aggIn : aggIn.cells) : null;
  return { times, step, rows, agg, aggSites: r.sites ?? (aggIn && aggIn.sites) };
}

const bad = (c) => c && (c.state === 'slow' || c.state === 'unreachable');

function drawHeat(box, r, from, to) {
  const d = normalise(r, from, to);
  if (!d.rows.length && !d.agg) { put(box, h('p', { cls: 'empty', id: 'heat-none' }, t('obs.heatnone'))); return; }
  const legend = h('ul', { cls: 'legend heatlegend', id: 'heat-legend' },
    ['normal', 'slow', 'unreachable', 'maintenance', 'none'].map((s) =>
      h('li', {}, h('span', { cls: 'hc hc-' + s, 'aria-hidden': 'true' }, MARK[s] || ''), ' ', s === 'none' ? t('obs.nodata') : stateName(s))));
  // anomalous sites first, then by name
  const score = (x) => x.cells.filter(bad).length;
  const rows = d.rows.slice().sort((a, b) => score(b) - score(a) || String(a.name).localeCompare(String(b.name), undefined, { numeric: true }));
  const label = (x) => {
    const j = new Date(x + 9 * 3600e3);
    return String(j.getUTCHours()).padStart(2, '0') + ':' + String(j.getUTCMinutes()).padStart(2, '0');
  };
  const every = Math.max(1, Math.ceil(d.times.length / 12));
  const head = h('tr', {}, h('th', { scope: 'col', cls: 'heat-site' }, t('site.site')),
    d.times.map((x, i) => h('th', { scope: 'col', cls: 'heat-t' + (i % every === 0 ? ' lab' : '') },
      i % every === 0 ? h('span', { 'aria-hidden': 'true' }, label(x)) : null, h('span', { cls: 'vh' }, fmtTime(iso(x / 1000))))));
  const cellTd = (name, x, c) => {
    const st = c ? (c.state || 'none') : 'none';
    const ratio = c && typeof c.ratio === 'number' && c.ratio > 0 ? c.ratio : null;
    const text = t('obs.cell', { site: name, t: fmtTime(iso(x / 1000)), state: st === 'none' ? t('obs.nodata') : stateName(st) }) +
      (ratio && bad(c) ? t('obs.ratio', { r: ratio.toFixed(1) }) : '');
    return h('td', { cls: 'hc hc-' + st, tabindex: '-1', 'data-state': st, title: text },
      h('span', { 'aria-hidden': 'true' }, MARK[st] || ''), h('span', { cls: 'vh' }, text));
  };
  /* the sector's row: how many of its sites were anomalous in the cell
   * (the hub gives "<5" for small counts to readers who cannot see the
   * sites) */
  const aggTd = (x, c) => {
    const a = c ? (c.anomalous ?? ((Number(c.slow) || 0) + (Number(c.unreachable) || 0))) : null;
    const st = !c ? 'none' : (a === 0 || a === '0') ? 'normal' : 'slow';
    const text = t('obs.aggcell', { t: fmtTime(iso(x / 1000)), n: count(a), m: c ? count(c.sites ?? c.n) : '—' });
    return h('td', { cls: 'hc hc-' + st + ' agg', tabindex: '-1', 'data-state': st, title: text },
      h('span', { 'aria-hidden': 'true' }, a && a !== '0' ? String(a) : ''), h('span', { cls: 'vh' }, text));
  };
  const body = h('tbody', {});
  if (d.agg) body.appendChild(h('tr', { cls: 'aggrow', 'data-agg': '1' }, h('th', { scope: 'row' }, t('obs.aggrow', { n: count(d.aggSites) })), d.agg.map((c, i) => aggTd(d.times[i], c))));
  const addRows = (list) => { for (const x of list) body.appendChild(h('tr', { 'data-site': x.id, 'data-bad': score(x) ? '1' : '0' }, h('th', { scope: 'row' }, link('/sites/' + enc(x.id), x.name)), x.cells.map((c, i) => cellTd(x.name, d.times[i], c)))); };
  addRows(rows.slice(0, ROWS));
  const tbl = h('table', { cls: 'heat', id: 'heat' }, h('caption', { cls: 'vh' }, t('obs.heatcap')), h('thead', {}, head), body);
  // the one tab stop: the newest cell of the first row
  const first = body.rows.length ? body.rows[0].cells[body.rows[0].cells.length - 1] : null;
  if (first && first.tagName === 'TD') first.setAttribute('tabindex', '0');
  tbl.addEventListener('keydown', (e) => move(tbl, e));
  const wrap = h('div', { cls: 'heatwrap', tabindex: '0', role: 'region', 'aria-labelledby': 'heat-h', id: 'heat-wrap' }, tbl);
  put(box, h('p', { cls: 'meta' }, t('obs.heathelp')), legend, wrap);
  // the newest cells are on the right: show them first
  wrap.scrollLeft = wrap.scrollWidth;
  requestAnimationFrame(() => { wrap.scrollLeft = wrap.scrollWidth; });
  const nbad = d.rows.filter((x) => score(x)).length;
  put(box, h('p', { cls: 'meta', id: 'heat-info' }, d.rows.length
    ? t('obs.heatinfo', { n: d.rows.length, b: nbad, step: dur(d.step / 1000) })
    : t('obs.aggonly', { step: dur(d.step / 1000) })));
  if (rows.length > ROWS) {
    const more = h('button', { type: 'button', cls: 'secondary', id: 'heat-more', on: { click: () => { addRows(rows.slice(ROWS)); more.remove(); } } },
      t('obs.heatmore', { n: rows.length - ROWS }));
    put(box, h('div', { cls: 'actions' }, more));
  }
}

/* Arrow keys, Home and End walk the cells (a roving tab stop). */
function move(tbl, e) {
  const td = e.target.closest && e.target.closest('td');
  if (!td) return;
  const tr = td.parentElement;
  const rows = [...tbl.tBodies[0].rows];
  let r = rows.indexOf(tr), c = [...tr.cells].indexOf(td);
  const last = tr.cells.length - 1;
  switch (e.key) {
    case 'ArrowRight': c = Math.min(last, c + 1); break;
    case 'ArrowLeft': c = Math.max(1, c - 1); break;
    case 'ArrowDown': r = Math.min(rows.length - 1, r + 1); break;
    case 'ArrowUp': r = Math.max(0, r - 1); break;
    case 'Home': c = 1; break;
    case 'End': c = last; break;
    default: return;
  }
  e.preventDefault();
  const next = rows[r].cells[c];
  if (!next || next.tagName !== 'TD') return;
  td.setAttribute('tabindex', '-1');
  next.setAttribute('tabindex', '0');
  next.focus();
}

/* ---------- the alert list ---------- */

/* What an alert is about, in words: "電力の分野" / "DNS provider ns1.…". */
function alertWhat(a) {
  const kind = t('obs.kind.' + a.kind, null, true) || a.kind;
  if (a.kind === 'sector') return t('obs.what.sector', { sector: sectorName(a.sector || a.key) });
  if (a.kind === 'site') return kind + t('obs.colon') + ((a.sites && a.sites[0]) ? siteName(a.sites[0]) : a.key);
  return kind + t('obs.colon') + a.key;
}

/* The secretariat's sector(s): its CEPTOAR is a scope's CEPTOAR. */
async function mySectors(ctx) {
  const out = new Set();
  if (ctx.kind() !== 'ceptoar') return out;
  for (const s of await ctx.sectors()) for (const sc of s.scopes) if (sc.ceptoar && sc.ceptoar.id === ctx.me.org) out.add(s.id);
  return out;
}

async function alertsPage(main, { ctx }) {
  const title = t('obs.alerts');
  put(main, h('h1', { 'data-title': title }, title), obsNav(ctx, '/obs/alerts'));
  const q = query();
  const f = { state: q.get('state') || 'open', kind: q.get('kind') || '', sector: q.get('sector') || '' };
  if (!['open', 'closed', 'all'].includes(f.state)) f.state = 'open';
  if (!KINDS.includes(f.kind)) f.kind = '';
  const sectors = await ctx.sectors();
  await loadNames(ctx);
  const mine = await mySectors(ctx);
  const fState = select('state', [['open', t('obs.st.open')], ['closed', t('obs.st.closed')], ['all', t('obs.st.all')]], f.state);
  const fKind = select('kind', [['', t('reports.any')]].concat(KINDS.map((k) => [k, t('obs.kind.' + k, null, true) || k])), f.kind);
  const fSector = select('sector', [['', t('reports.any')]].concat(sectors.map((s) => [s.id, L(s.name)])), f.sector);
  const form = h('form', { cls: 'card filters', role: 'search', id: 'alert-filters' },
    field(t('state'), fState), field(t('kind'), fKind), field(t('sector'), fSector),
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('apply')),
      h('button', { type: 'button', cls: 'secondary', on: { click: () => ctx.go('/obs/alerts') } }, t('reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    goWith(ctx, '/obs/alerts', { state: fState.value === 'open' ? '' : fState.value, kind: fKind.value, sector: fSector.value });
  });
  const out = h('div', { id: 'alerts-list' });
  put(main, form, out);
  const p = new URLSearchParams();
  if (f.state !== 'all') p.set('state', f.state);
  if (f.kind) p.set('kind', f.kind);
  if (f.sector) p.set('sector', f.sector);
  let r;
  try { r = await get('/observation/alerts' + (p.toString() ? '?' + p.toString() : '')); } catch (e) { put(out, msg(errText(e), 'err')); return; }
  if (!r.items.length) { put(out, h('p', { cls: 'empty', id: 'alerts-none' }, t('obs.noalerts'))); return; }
  const mayAdvise = (a) => a.kind !== 'site' && a.kind !== 'vantage' && a.state !== 'closed' && ctx.has('liaison', 'analyst') &&
    (ctx.kind() === 'nisc' || (ctx.kind() === 'ceptoar' && mine.has(a.sector)));
  const advCell = (a) => {
    if (a.advisory_id) return link('/advisories/' + enc(a.advisory_id), h('span', { cls: 'id' }, a.advisory_id));
    if (!mayAdvise(a)) return '—';
    const box = h('div', { cls: 'advbox' });
    const btn = h('button', { type: 'button', cls: 'small', 'data-advise': a.id, on: { click: async () => {
      btn.disabled = true;
      try {
        const x = await api('POST', '/observation/alerts/' + enc(a.id) + '/advisory'); // no body
        const id = x.advisory_id || x.id || (x.advisory && x.advisory.id);
        clear(box);
        put(box, msg(t('obs.advised'), 'ok'), id ? link('/advisories/' + enc(id), h('span', { cls: 'id' }, id)) : null);
      } catch (e) { btn.disabled = false; put(box, msg(errText(e), 'err')); }
    } } }, t('obs.advise'));
    put(box, btn, h('p', { cls: 'hint' }, t('obs.advisehint', { sector: sectorName(a.sector) })));
    return box;
  };
  put(out, table([
    [t('obs.what'), (a) => [h('strong', {}, alertWhat(a)), a.state === 'closed' ? [' ', h('span', { cls: 'badge flag' }, t('obs.st.closed'))] : null]],
    [t('sector'), (a) => sectorName(a.sector)],
    [t('state'), (a) => stateBadge(a.condition === 'unreachable' ? 'unreachable' : 'slow')],
    [t('obs.since'), (a) => [time(iso(a.since)), ' ', h('span', { cls: 'meta' }, t('obs.for', { d: dur(((a.closed_at ? ms(iso(a.closed_at)) : Date.now()) - ms(iso(a.since))) / 1000) }))]],
    [t('obs.sites'), (a) => [h('span', { 'data-count': a.site_count }, a.site_count === 1 ? t('obs.onesite') : t('obs.nsites', { n: a.site_count })),
      (a.sites || []).length ? h('ul', { cls: 'alertsites' }, a.sites.slice(0, 5).map((s) => h('li', {}, link('/sites/' + enc(s.id), siteName(s))))) : null,
      (a.sites || []).length > 5 ? h('p', { cls: 'meta' }, t('obs.moresites', { n: a.sites.length - 5 })) : null]],
    [t('obs.phase'), (a) => phaseName(a.phase)],
    [t('obs.reason'), (a) => reason(a) || '—'],
    [t('obs.advisory'), advCell],
  ], r.items, (a) => ({ 'data-alert': a.id, 'data-kind': a.kind })));
  out.firstChild.id = 'alerts-table';
  // the cascade suggestions of a sector-wide alert (issue 15, cascade.js):
  // for NISC and the sector's secretariat, as the API allows; an open
  // alert's are read at once, a closed one's when asked
  const casc = r.items.filter((a) => a.kind === 'sector' && a.sector && (ctx.kind() === 'nisc' || (ctx.kind() === 'ceptoar' && mine.has(a.sector))));
  if (casc.length) {
    const m = await import('./cascade.js');
    for (const a of casc) {
      put(out, m.cascadePanel(ctx, { base: '/observation/alerts/' + enc(a.id), subject: 'alert', sectors, prefix: 'cascade-' + a.id,
        heading: t('cas.title.alert', { what: alertWhat(a) }), lazy: a.state === 'closed' }));
    }
  }
}

