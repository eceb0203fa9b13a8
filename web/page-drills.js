// page-drills.js - start a drill (POST /api/v1/drills) and read its report
// (GET /api/v1/drills/{id}/report): reach within 1 day, the acknowledged
// share over time per CEPTOAR as an SVG chart built here, the list of
// organisations not reached, and the HTML/CSV formats in a new tab.
// The API has no list of drills: this browser tab remembers the ids it
// started (sessionStorage, ids only).
import { h, svg, link, table, select, msg, errText, time, clear, field, enc, put } from './dom.js';
import { t, L, enumLabel, dur } from './i18n.js';
import { get, post } from './api.js';
import { reachTable } from './page-advisory.js';

const KEY = 'infrashare.drills';
const mine = () => { try { return JSON.parse(sessionStorage.getItem(KEY) || '[]'); } catch (e) { return []; } };
const remember = (d) => { try { sessionStorage.setItem(KEY, JSON.stringify([d].concat(mine()).slice(0, 50))); } catch (e) { /* ignore */ } };

export async function render(main, { ctx, params, name }) {
  return name === 'drill' ? report(main, ctx, params[0]) : start(main, ctx);
}

async function start(main, ctx) {
  const me = ctx.me, k = me.org_kind;
  put(main, h('h1', { 'data-title': t('drill.title') }, t('drill.title')));
  const sectors = await ctx.sectors();
  const ceptoars = [];
  for (const s of sectors) for (const sc of s.scopes) if (sc.ceptoar && !ceptoars.some((c) => c[0] === sc.ceptoar.id)) ceptoars.push([sc.ceptoar.id, L(sc.ceptoar.name)]);
  if (['nisc', 'ministry', 'ceptoar'].includes(k) && ctx.has('liaison', 'analyst')) {
    const kinds = k === 'nisc' ? ['ceptoar', 'sector', 'all'] : k === 'ministry' ? ['ceptoar', 'sector'] : ['ceptoar'];
    const tk = select('target_kind', kinds.map((x) => [x, t('drill.tk.' + x)]), 'ceptoar');
    const target = h('select', { name: 'target' });
    const fillTargets = () => {
      clear(target);
      const opts = tk.value === 'sector' ? sectors.map((s) => [s.id, L(s.name)]) : k === 'ceptoar' ? ceptoars.filter((c) => c[0] === me.org) : ceptoars;
      for (const [v, l] of opts) put(target, h('option', { value: v }, l));
      targetRow.hidden = tk.value === 'all';
    };
    const targetRow = field(t('drill.target'), target);
    tk.addEventListener('change', fillTargets);
    const tja = h('input', { type: 'text', maxlength: 180 }), ten = h('input', { type: 'text', maxlength: 180 });
    const out = h('div', { 'aria-live': 'polite' });
    put(main, h('form', { cls: 'card', id: 'drill-form', on: { submit: async (e) => {
      e.preventDefault(); clear(out);
      const body = { target_kind: tk.value };
      if (tk.value !== 'all') body.target = target.value;
      if (tja.value.trim()) body.title_ja = tja.value.trim();
      if (ten.value.trim()) body.title_en = ten.value.trim();
      try {
        const d = await post('/drills', body);
        remember({ id: d.id, target_kind: d.target_kind, target: d.target || '', started_at: d.started_at });
        ctx.say(t('drill.started', { id: d.id }), 'ok');
        ctx.go('/drills/' + enc(d.id));
      } catch (err) { put(out, msg(errText(err), 'err')); }
    } } }, h('h2', {}, t('drill.start')), field(t('drill.target_kind'), tk), targetRow,
    field(t('drill.titleja'), tja), field(t('drill.titleen'), ten),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'drill-start' }, t('drill.start'))), out));
    fillTargets();
  }
  const list = mine();
  put(main, h('h2', {}, t('drill.mine')));
  if (!list.length) put(main, h('p', { cls: 'empty' }, t('none')));
  else put(main, table([
    [t('id'), (d) => link('/drills/' + enc(d.id), h('span', { cls: 'id' }, d.id))],
    [t('drill.target_kind'), (d) => t('drill.tk.' + d.target_kind) + (d.target ? ' — ' + (d.target_kind === 'sector' ? L((sectors.find((x) => x.id === d.target) || {}).name) : ctx.orgLabel(d.target)) : '')],
    [t('time'), (d) => time(d.started_at)],
  ], list));
  const idIn = h('input', { type: 'text', maxlength: 40, name: 'drill' });
  put(main, h('form', { cls: 'card filters', on: { submit: (e) => { e.preventDefault(); if (idIn.value.trim()) ctx.go('/drills/' + enc(idIn.value.trim())); } } },
    field(t('drill.open'), idIn), h('div', { cls: 'row' }, h('button', { type: 'submit', cls: 'secondary' }, t('drill.openbtn')))));
}

const POINTS = [0, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400];
const LABELS = ['0', '5m', '15m', '30m', '1h', '2h', '4h', '8h', '24h'];
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/* Acknowledged share over time per CEPTOAR: lines differ by colour AND by
 * dash pattern, with a text legend and a table of the same figures. */
function chart(orgs, t0, names) {
  const groups = new Map();
  for (const o of orgs) { const k = o.via || '(direct)'; if (!groups.has(k)) groups.set(k, []); groups.get(k).push(o); }
  const left = 50, top = 20, pw = 420, ph = 220, w = 700, hgt = Math.max(280, top + 20 * groups.size + 20);
  const s = svg('svg', { viewBox: `0 0 ${w} ${hgt}`, width: w, height: hgt, cls: 'chart', role: 'img', id: 'drill-chart', 'aria-labelledby': 'chart-title chart-desc' },
    svg('title', { id: 'chart-title' }, t('drill.chart')), svg('desc', { id: 'chart-desc' }, t('drill.chartdesc')),
    svg('rect', { x: left, y: top, width: pw, height: ph, fill: 'none', stroke: '#555' }));
  for (let p = 0; p <= 4; p++) {
    const y = top + ph - (ph * p) / 4;
    put(s, svg('line', { x1: left, x2: left + pw, y1: y, y2: y, stroke: '#ddd' }), svg('text', { x: left - 4, y: y + 4, 'text-anchor': 'end' }, p * 25 + '%'));
  }
  POINTS.forEach((_, i) => put(s, svg('text', { x: left + (pw * i) / (POINTS.length - 1), y: top + ph + 14, 'text-anchor': 'middle' }, LABELS[i])));
  let gi = 0;
  for (const [k, list] of groups) {
    const pts = POINTS.map((sec, i) => {
      const n = list.filter((o) => o.acked_at && (Date.parse(o.acked_at) - t0) / 1000 <= sec).length;
      return `${left + (pw * i) / (POINTS.length - 1)},${top + ph - (ph * n) / (list.length || 1)}`;
    }).join(' ');
    const col = COLOURS[gi % COLOURS.length], dash = gi % 4 ? `${2 + 2 * (gi % 4)},3` : 'none';
    const ly = top + 10 + 18 * gi;
    put(s, svg('polyline', { points: pts, fill: 'none', stroke: col, 'stroke-width': 2.5, 'stroke-dasharray': dash }),
      svg('line', { x1: left + pw + 10, x2: left + pw + 34, y1: ly, y2: ly, stroke: col, 'stroke-width': 2.5, 'stroke-dasharray': dash }),
      svg('text', { x: left + pw + 38, y: ly + 4 }, names(k)));
    gi++;
  }
  return s;
}

async function report(main, ctx, id) {
  put(main, h('h1', { 'data-title': t('drill.one', { id }) }, t('drill.one', { id })));
  const sectors = await ctx.sectors();
  const cepName = (cid) => { for (const s of sectors) for (const sc of s.scopes) if (sc.ceptoar && sc.ceptoar.id === cid) return L(sc.ceptoar.name); return cid; };
  const targetName = (d) => (d.target_kind === 'sector' ? L((sectors.find((x) => x.id === d.target) || {}).name) || d.target : ctx.orgLabel(d.target));
  const box = h('div', { id: 'drill-report' });
  put(main, box);
  let timer = null, stopped = false;
  async function draw() {
    let d;
    try { d = await get('/drills/' + enc(id) + '/report?format=json'); }
    catch (e) { put(clear(box), msg(errText(e), 'err')); return e.status !== 404 && e.status !== 403; }
    if (stopped) return false;
    const r = d.reach || {};
    const tta = r.time_to_acknowledge || {};
    put(clear(box), 
      h('p', { cls: 'meta' }, t('drill.target_kind') + ': ' + t('drill.tk.' + d.target_kind) + (d.target ? ' — ' + targetName(d) : ''), ' · ', time(d.started_at),
        ' · ', h('a', { href: '#/advisories/' + enc(d.advisory) }, d.advisory), ' · ', t('adv.autorefresh', { s: 5 })),
      h('div', { cls: 'tiles' },
        h('div', { cls: 'tile' }, h('span', { cls: 'n', id: 'reach-1d' }, ((r.reach_1d || 0) * 100).toFixed(1) + '%'), t('drill.reach') + ` (${r.acknowledged_1d || 0} / ${r.recipients || 0})`),
        h('div', { cls: 'tile' }, h('span', { cls: 'n' }, String((d.not_reached || []).length)), t('drill.notreached')),
        h('div', { cls: 'tile' }, h('span', { cls: 'n' }, [dur(tta.p50_s), dur(tta.p90_s), dur(tta.max_s)].join(' / ')), t('drill.tta'))),
      d.comparison ? h('p', {}, t('drill.compare', { id: d.comparison.previous_drill, d: (d.comparison.change * 100).toFixed(1), p: (d.comparison.previous_reach_1d * 100).toFixed(1) + '%' })) : null,
      h('h2', {}, t('drill.chart')), h('p', { cls: 'hint' }, t('drill.chartdesc')),
      chart(d.organisations || [], Date.parse(d.started_at), cepName),
      h('h2', {}, t('adv.reach')), reachTable(d.by_ceptoar, sectors),
      h('h2', {}, t('drill.notreached') + ' (' + (d.not_reached || []).length + ')'),
      (d.not_reached || []).length ? table([[t('org'), (x) => L(x.name)], [t('id'), (x) => h('span', { cls: 'id' }, x.org)], [t('adv.via'), (x) => cepName(x.via)], [t('state'), (x) => enumLabel('dstate', x.state)]], d.not_reached)
        : h('p', { cls: 'empty' }, t('adv.unreachednone')),
      h('h2', {}, t('drill.formats')),
      h('p', {}, h('a', { href: '/api/v1/drills/' + enc(id) + '/report?format=html', target: '_blank', rel: 'noopener', id: 'drill-html' }, t('drill.html')), ' · ',
        h('a', { href: '/api/v1/drills/' + enc(id) + '/report?format=csv', download: 'drill-' + id + '.csv' }, t('drill.csv'))));
    return true;
  }
  const loop = async () => { if (stopped) return; const go = await draw(); if (go && !stopped) timer = setTimeout(loop, 5000); };
  await loop();
  return () => { stopped = true; clearTimeout(timer); };
}
