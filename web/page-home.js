// page-home.js - the operations picture, by the user's role, from
// GET /api/v1/dashboard (counts computed by the hub; the page downloads no
// list to count it). NISC and ministries: tiles, the open reports by
// sector x severity (each cell opens the list with that filter), a 7-day
// timeline, advisories in flight with their acknowledgement per CEPTOAR.
// Secretariats: their CEPTOAR's acknowledgement progress and the relays
// waiting for them. Operators: their own items. Every tile opens a
// FILTERED list whose filters are in the URL (page-reports.js reads them).
import { h, svg, link, sevBadge, msg, errText, put, enc, time } from './dom.js';
import { t, L, sevName } from './i18n.js';
import { get } from './api.js';
import { roleNames, userName } from './names.js';

const LEVELS = [5, 4, 3, 2, 1, 0];

/* The report list's path with filters f (page-reports.js reads them). */
export function reportsPath(f) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const q = p.toString();
  return '/reports' + (q ? '?' + q : '');
}

function tile(n, label, path, id) {
  const body = [h('span', { cls: 'n' }, String(n)), h('span', { cls: 'l' }, label)];
  return h('div', { cls: 'tile', 'data-tile': id || null }, path ? link(path, ...body) : body);
}

function matrix(ctx, d, sectors) {
  const counts = new Map();
  const ids = sectors.map((s) => s.id);
  for (const c of d.open_reports.cells) {
    counts.set(c.sector + ':' + c.severity, c.count);
    if (!ids.includes(c.sector)) ids.push(c.sector);
  }
  const name = (id) => { const s = sectors.find((x) => x.id === id); return s ? L(s.name) : id; };
  const rowTotal = (id) => LEVELS.reduce((a, l) => a + (counts.get(id + ':' + l) || 0), 0);
  const cell = (id, l) => {
    const n = counts.get(id + ':' + l) || 0;
    const label = t('dash.cell', { sector: name(id), level: l, n });
    return h('td', { cls: 'num' + (n ? ' hit sev-cell-' + l : ''), 'data-cell': id + ':' + l },
      n ? h('a', { href: '#' + reportsPath({ state: 'open', sector: id, min_severity: l, max_severity: l }), 'aria-label': label }, String(n))
        : h('span', { cls: 'empty', 'aria-label': label }, '0'));
  };
  const rows = ids.filter((id) => rowTotal(id) > 0 || sectors.some((s) => s.id === id));
  return h('div', { cls: 'tablewrap figures', id: 'dash-matrix', tabindex: '0', role: 'region', 'aria-label': t('dash.matrix') },
    h('table', { cls: 'matrix' },
      h('caption', {}, t('dash.matrixcap')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('sector')),
        LEVELS.map((l) => h('th', { scope: 'col', cls: 'num' }, h('span', { cls: 'long' }, sevBadge(l)),
          h('span', { cls: 'short badge sev sev-' + l, title: t('severity') + ' ' + l + ' ' + sevName(l) }, String(l)))),
        h('th', { scope: 'col', cls: 'num' }, t('dash.total')))),
      h('tbody', {}, rows.map((id) => {
        const n = rowTotal(id);
        return h('tr', { 'data-sector': id },
          h('th', { scope: 'row' }, n ? link(reportsPath({ state: 'open', sector: id }), name(id)) : name(id)),
          LEVELS.map((l) => cell(id, l)),
          h('td', { cls: 'num total', 'data-cell': id + ':total' }, String(n)));
      }))));
}

/* The 7-day timeline: an SVG bar chart (reports filled, advisories
 * outlined: the two differ without colour) with the figures as text above
 * each bar, and the same figures in a table. */
function timeline(days) {
  const W = 380, H = 170, top = 18, base = 140, bw = 16;
  const max = Math.max(1, ...days.map((x) => Math.max(x.reports, x.advisories)));
  const y = (n) => base - Math.round((base - top) * n / max);
  const label = (day) => { const [, m, dd] = day.split('-'); return (+m) + '/' + (+dd); };
  const step = (W - 32) / days.length;
  const bars = days.map((x, i) => {
    const x0 = 26 + i * step + (step - 2 * bw - 4) / 2;
    return svg('g', { 'data-day': x.day },
      svg('rect', { cls: 'bar-rep', x: x0, y: y(x.reports), width: bw, height: base - y(x.reports) }),
      svg('text', { x: x0 + bw / 2, y: y(x.reports) - 3, 'text-anchor': 'middle', cls: 'bar-n' }, String(x.reports)),
      svg('rect', { cls: 'bar-adv', x: x0 + bw + 4, y: y(x.advisories), width: bw, height: base - y(x.advisories) }),
      svg('text', { x: x0 + bw * 1.5 + 4, y: y(x.advisories) - 3, 'text-anchor': 'middle', cls: 'bar-n' }, String(x.advisories)),
      svg('text', { x: x0 + bw + 2, y: base + 18, 'text-anchor': 'middle', cls: 'bar-day' }, label(x.day)));
  });
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, cls: 'timeline', role: 'img', 'aria-labelledby': 'dash-tl-h' },
    svg('line', { x1: 24, y1: base, x2: W - 6, y2: base, cls: 'axis' }), bars);
  const legend = h('p', { cls: 'legend' },
    h('span', { cls: 'key key-rep' }, t('dash.tl.reports')), ' ', h('span', { cls: 'key key-adv' }, t('dash.tl.advisories')));
  const tbl = h('details', {}, h('summary', {}, t('dash.tl.figures')),
    h('div', { cls: 'tablewrap' }, h('table', { id: 'dash-timeline' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('dash.tl.day')), h('th', { scope: 'col', cls: 'num' }, t('dash.tl.reports')), h('th', { scope: 'col', cls: 'num' }, t('dash.tl.advisories')))),
      h('tbody', {}, days.map((x) => h('tr', {}, h('td', {}, x.day), h('td', { cls: 'num' }, String(x.reports)), h('td', { cls: 'num' }, String(x.advisories))))))));
  return [h('h2', { id: 'dash-tl-h' }, t('dash.timeline')), chart, legend, tbl];
}

function progress(a, n) {
  return h('span', { cls: 'ackprog' },
    h('progress', { max: n, value: a, 'aria-label': t('dash.acked') }), ' ', t('dash.ackfig', { a, n }));
}

function flights(ctx, d) {
  const f = d.advisories_in_flight;
  const out = [h('h2', { id: 'dash-flight-h' }, t('dash.flight'))];
  if (!f.items.length) { out.push(h('p', { cls: 'empty' }, t('dash.noflight'))); return out; }
  out.push(h('ul', { cls: 'flights', id: 'dash-flight', 'aria-labelledby': 'dash-flight-h' }, f.items.map((x) =>
    h('li', { cls: 'card', 'data-adv': x.id },
      h('div', {}, link('/advisories/' + enc(x.id), L(x.title)), ' ', sevBadge(x.severity)),
      h('div', { cls: 'meta' }, h('span', { cls: 'id' }, x.id), time(x.created_at), progress(x.acknowledged, x.total)),
      h('ul', { cls: 'byceptoar' }, x.by_ceptoar.map((c) => h('li', { 'data-ceptoar': c.ceptoar || '' },
        (c.ceptoar ? (L(c.name) || ctx.orgLabel(c.ceptoar)) : t('dash.direct')) + ': ',
        progress(c.acknowledged, c.total))))))));
  if (f.total > f.items.length) out.push(h('p', { cls: 'meta' }, t('dash.flightmore', { n: f.total - f.items.length })));
  return out;
}

function unopened(d) {
  const u = d.unopened_severe;
  if (!u || !u.hops.length) return [];
  return [h('h2', {}, t('dash.unopened')), h('ul', { cls: 'hops', id: 'dash-unopened' }, u.hops.map((x) =>
    h('li', {}, link('/alerts', L(x.name) || x.org), ': ', t('dash.nreports', { n: x.count }))))];
}

export async function render(main, { ctx }) {
  const me = ctx.me, k = me.org_kind;
  put(main, h('h1', { 'data-title': t('home.title') }, t('home.title')),
    h('p', {}, t('home.hello', { user: userName(me), org: ctx.org ? L(ctx.org.name) : me.org })),
    h('p', { cls: 'meta' }, t('home.roles') + ': ' + roleNames(me.roles)));
  const tiles = h('div', { cls: 'tiles', id: 'dash-tiles' });
  put(main, tiles);
  let d, sectors;
  try {
    [d, sectors] = await Promise.all([get('/dashboard'), ctx.sectors()]);
  } catch (e) { put(main, msg(errText(e), 'err')); return; }
  const staff = k === 'nisc' || k === 'ministry';
  const fl = d.advisories_in_flight;
  const inbox = () => tile(d.inbox_unacknowledged, t('home.unacked'), '/inbox', 'inbox');
  if (staff) {
    put(tiles, tile(d.open_reports.total, t('home.open'), reportsPath({ state: 'open' }), 'open'));
    put(tiles, tile(d.overdue, t('home.overdue'), reportsPath({ overdue: 1 }), 'overdue'));
    if (d.unopened_severe) put(tiles, tile(d.unopened_severe.total, t('dash.unopened'), '/alerts', 'unopened'));
    if (d.events_in_progress !== null) put(tiles, tile(d.events_in_progress, t('dash.events'), '/events', 'events'));
    put(tiles, tile(fl.total, t('dash.flight'), '/advisories', 'flight'));
    if (d.waiting_relay) put(tiles, tile(d.waiting_relay, t('dash.relay'), '/advisories', 'relay'));
    if (d.inbox_unacknowledged) put(tiles, inbox());
    put(main, h('h2', {}, t('dash.matrix')), matrix(ctx, d, sectors));
    put(main, timeline(d.timeline));
    put(main, unopened(d));
    put(main, flights(ctx, d));
  } else if (k === 'ceptoar') {
    const a = fl.items.reduce((s, x) => s + x.acknowledged, 0), n = fl.items.reduce((s, x) => s + x.total, 0);
    put(tiles, tile(fl.total, t('dash.flight'), '/advisories', 'flight'));
    put(tiles, tile(n - a, t('dash.notacked'), '/advisories', 'notacked'));
    put(tiles, tile(d.waiting_relay, t('dash.relay'), '/advisories', 'relay'));
    put(tiles, tile(d.open_reports.total, t('home.open'), reportsPath({ state: 'open' }), 'open'));
    put(tiles, inbox());
    put(main, flights(ctx, d));
    put(main, timeline(d.timeline));
  } else {
    put(tiles, inbox());
    put(tiles, tile(d.open_reports.total, k === 'operator' ? t('dash.readable') : t('home.open'),
      reportsPath(k === 'operator' ? { state: 'open', mine: 0 } : { state: 'open' }), 'open'));
    if (d.waiting_relay) put(tiles, tile(d.waiting_relay, t('dash.relay'), '/advisories', 'relay'));
    if (k === 'operator' && ctx.has('reporter')) put(main, h('p', {}, link('/report/new', t('nav.file'))));
    put(main, timeline(d.timeline));
    // issue 15: the CP/BCP readiness summary (page-surveys.js, loaded
    // for operators only: not part of the others' first load)
    if (k === 'operator') {
      try { put(main, await (await import('./page-surveys.js')).bcpSummary()); } catch (e) { /* the page has the rest */ }
    }
  }
  tiles.setAttribute('data-ready', '1');
}
