// page-events.js - events (NISC and ministry analysts): the list, one
// event with its linked reports and severity, create, link a report, and
// the cascade suggestions (issue 15, cascade.js): the sectors the event
// may reach through the interdependency model, ranked, and one step from
// them to an advisory.
import { h, link, table, msg, errText, sevBadge, rangeBadge, flag, time, clear, field, enc, put } from './dom.js';
import { t, L, lang, enumLabel } from './i18n.js';
import { get, post } from './api.js';
import { reporterCell, sectorName } from './page-reports.js';
import { cascadePanel } from './cascade.js';

export async function render(main, { ctx, params, name }) {
  return name === 'event' ? one(main, ctx, params[0]) : list(main, ctx);
}

/* The creating organisation's name (NISC or a ministry), never its id. */
const byName = (ctx, o) => ctx.orgLabel(o);
/* The rule behind an event's severity, in words. */
export function ruleLabel(rule) {
  return t('evrule.' + rule, null, true) || rule;
}

async function list(main, ctx) {
  put(main, h('h1', { 'data-title': t('ev.title') }, t('ev.title')));
  const [r] = await Promise.all([get('/events'), ctx.sectors()]);
  if (!r.items.length) put(main, h('p', { cls: 'empty' }, t('ev.none')));
  else put(main, table([
    [t('id'), (e) => link('/events/' + enc(e.id), h('span', { cls: 'id' }, e.id))],
    [t('title'), (e) => link('/events/' + enc(e.id), L(e.title))],
    [t('ev.by'), (e) => byName(ctx, e.created_by)], [t('time'), (e) => time(e.created_at)],
  ], r.items));
  if (ctx.has('analyst')) {
    const tja = h('input', { type: 'text', maxlength: 200, required: true });
    const ten = h('input', { type: 'text', maxlength: 200, required: true });
    const out = h('div', { 'aria-live': 'polite' });
    put(main, h('form', { cls: 'card', on: { submit: async (e) => {
      e.preventDefault(); clear(out);
      if (!tja.value.trim() || !ten.value.trim()) { put(out, msg(t('title') + ': ' + t('err.missing_field'), 'err')); return; }
      try { const ev = await post('/events', { title_ja: tja.value.trim(), title_en: ten.value.trim() }); ctx.say(t('ev.created', { id: ev.id }), 'ok'); ctx.go('/events/' + enc(ev.id)); }
      catch (err) { put(out, msg(errText(err), 'err')); }
    } } }, h('h2', {}, t('ev.new')), field(t('ev.title_ja'), tja), field(t('ev.title_en'), ten),
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('ev.create'))), out));
  }
}

async function one(main, ctx, id) {
  const [ev, sectors] = await Promise.all([get('/events/' + enc(id)), ctx.sectors()]);
  put(main, h('h1', { 'data-title': t('ev.one', { id }) }, L(ev.title)),
    h('p', { cls: 'meta' }, h('span', { cls: 'id' }, ev.id), sevBadge(ev.severity.level, true), h('span', { id: 'event-by' }, t('ev.by') + ': ' + byName(ctx, ev.created_by)), ' · ', time(ev.created_at)),
    h('div', { cls: 'card' }, h('p', {}, L(ev.severity.explanation)), h('p', { cls: 'meta', id: 'event-rule' }, t('new.rule') + ': ' + ruleLabel(ev.severity.rule))));
  put(main, h('h2', {}, t('ev.reports')), h('div', { id: 'event-reports' }, table([
    [t('id'), (r) => link('/reports/' + enc(r.id), h('span', { cls: 'id' }, r.id))],
    [t('title'), (r) => link('/reports/' + enc(r.id), r.title)],
    [t('severity'), (r) => sevBadge(r.severity.effective)], [t('range'), (r) => rangeBadge(r.range)],
    [t('kind'), (r) => enumLabel('kind', r.kind)], [t('sector'), (r) => sectorName(sectors, r.sector)],
    [t('reports.reporter'), reporterCell], [t('reports.detected'), (r) => time(r.detected_at)],
  ], ev.reports || [])));
  // the cascade suggestions (in an exercise too: its database has the
  // model of its start)
  put(main, cascadePanel(ctx, { base: '/events/' + enc(id), subject: 'event', sectors }));
  if (ctx.has('analyst')) put(main, linkPicker(ctx, id, sectors, new Set((ev.reports || []).map((r) => r.id))));
}

/* Link reports by searching the report list (GET /reports: exactly the
 * reports this reader may read) and ticking them; no ids to type. */
function linkPicker(ctx, id, sectors, linked) {
  const q = h('input', { type: 'search', name: 'q', id: 'link-q', maxlength: 200 });
  const results = h('div', { id: 'link-results', 'aria-live': 'polite' });
  const out = h('div', { 'aria-live': 'polite', id: 'link-out' });
  const picked = new Set();
  const go = h('button', { type: 'button', id: 'link-go', disabled: true, on: { click: async () => {
    clear(out); go.disabled = true;
    let n = 0;
    try {
      for (const rid of picked) { await post('/events/' + enc(id) + '/reports', { report: rid }); n++; }
      ctx.say(t('reports.linked', { n, id }), 'ok'); ctx.reload();
    } catch (err) { put(out, msg(errText(err), 'err')); go.disabled = false; }
  } } }, t('ev.linkpicked', { n: 0 }));
  const count = () => { go.textContent = t('ev.linkpicked', { n: picked.size }); go.disabled = !picked.size; };
  let seq = 0;
  async function search() {
    const my = ++seq;
    const p = new URLSearchParams({ limit: '20' });
    if (q.value.trim()) p.set('q', q.value.trim());
    let r;
    try { r = await get('/reports?' + p.toString()); } catch (err) { if (my === seq) put(clear(results), msg(errText(err), 'err')); return; }
    if (my !== seq) return;
    clear(results);
    if (!r.items.length) { put(results, h('p', { cls: 'empty' }, t('ev.nomatch'))); return; }
    put(results, table([
      [t('ev.pick'), (x) => (linked.has(x.id) ? flag(t('ev.already')) : h('input', { type: 'checkbox', value: x.id, checked: picked.has(x.id),
        'aria-label': t('ev.pickone', { title: x.title }), on: { change: (e) => { if (e.target.checked) picked.add(x.id); else picked.delete(x.id); count(); } } }))],
      [t('title'), (x) => link('/reports/' + enc(x.id), x.title)],
      [t('severity'), (x) => sevBadge(x.severity.effective)], [t('range'), (x) => rangeBadge(x.range)],
      [t('sector'), (x) => sectorName(sectors, x.sector)], [t('reports.detected'), (x) => time(x.detected_at)],
    ], r.items, (x) => ({ 'data-id': x.id })));
  }
  let timer = null;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 250); });
  const form = h('form', { cls: 'card', id: 'event-link-form', role: 'search', on: { submit: (e) => { e.preventDefault(); clearTimeout(timer); search(); } } },
    h('h2', {}, t('ev.link')), field(t('ev.search'), q, t('ev.searchhint')),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', cls: 'secondary', id: 'link-search' }, t('ev.searchgo'))),
    results, h('div', { cls: 'actions' }, go), out);
  search();
  return form;
}
