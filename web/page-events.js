// page-events.js - events (NISC and ministry analysts): the list, one
// event with its linked reports and severity, create, link a report, and
// the cascade suggestions (issue 15): the sectors the event may reach
// through the interdependency model (page-dependencies.js), ranked, and
// one step from them to an advisory.
import { h, link, table, msg, errText, sevBadge, rangeBadge, flag, time, clear, field, enc, put } from './dom.js';
import { t, L, lang, enumLabel } from './i18n.js';
import { get, post } from './api.js';
import { reporterCell, sectorName } from './page-reports.js';
import { strengthLabel, lagLabel, said } from './page-dependencies.js';

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
  put(main, cascadePanel(ctx, id, sectors));
  if (ctx.has('analyst')) put(main, linkPicker(ctx, id, sectors, new Set((ev.reports || []).map((r) => r.id))));
}

/* ---- cascade suggestions (issue 15) ---- */

/* The panel: filled once the suggestions are read (GET .../cascade, which
 * whoever reads the event may ask), so the event shows at once. */
function cascadePanel(ctx, id, sectors) {
  const box = h('div', { id: 'cascade-body' }, h('p', { cls: 'loading' }, t('loading')));
  const panel = h('section', { cls: 'card cascade', id: 'cascade', 'aria-labelledby': 'cascade-h' },
    h('h2', { id: 'cascade-h' }, t('cas.title')), box);
  const load = async (note) => {
    let c;
    try { c = await get('/events/' + enc(id) + '/cascade'); } catch (err) { put(clear(box), msg(errText(err), 'err')); return; }
    clear(box);
    if (note) put(box, note);
    drawCascade(box, ctx, id, c, sectors, load);
  };
  load();
  return panel;
}

function drawCascade(box, ctx, id, c, sectors, reload) {
  const sectorIds = new Set(sectors.map((s) => s.id));
  const names = new Map();
  for (const s of c.suggestions) names.set(s.node, s.name);
  const nameOf = (n) => (names.has(n) ? L(names.get(n)) : sectorName(sectors, n));
  const sep = lang() === 'en' ? ', ' : '、';
  put(box, h('p', { cls: 'meta', id: 'cascade-basis' },
    h('span', {}, t('cas.from', { sources: c.sources.length ? c.sources.map(nameOf).join(sep) : '—' })),
    sevBadge(c.severity, true),
    h('a', { href: '#/dependencies' }, t('cas.model', { v: c.model_version })),
    h('span', {}, t('cas.made')), time(c.created_at)));
  if (!c.suggestions.length) {
    put(box, h('p', { cls: 'empty', id: 'cascade-none' }, t('cas.none')), h('p', { cls: 'hint' }, t('cas.rule')));
    return;
  }
  put(box, h('p', { cls: 'hint' }, t('cas.intro')));
  const acted = c.advisory;
  const canIssue = !acted && ctx.has('liaison', 'analyst');
  // every suggested sector ticked at first; organisations are warned
  // through their sector, so they have no box
  const picked = new Set(c.suggestions.filter((s) => sectorIds.has(s.node)).map((s) => s.node));
  const count = h('span', { id: 'cascade-count', 'aria-live': 'polite' });
  const go = h('button', { type: 'button', id: 'cascade-issue' }, t('cas.issue'));
  const refresh = () => { count.textContent = t('cas.picked', { n: picked.size }); go.disabled = !picked.size; };
  const cols = [];
  if (canIssue) {
    cols.push([t('cas.col.pick'), (s) => (sectorIds.has(s.node)
      ? h('input', { type: 'checkbox', value: s.node, checked: true, cls: 'cascade-pick', 'aria-label': t('cas.pickone', { name: L(s.name) }),
        on: { change: (e) => { if (e.target.checked) picked.add(s.node); else picked.delete(s.node); refresh(); } } })
      : h('span', { cls: 'hint' }, t('cas.notsector')))]);
  }
  cols.push(
    [t('cas.col.rank'), (s) => String(s.rank), 'num'],
    [t('cas.col.node'), (s) => [h('strong', {}, L(s.name)), s.same_sector ? [' ', flag(t('cas.same'))] : null]],
    [t('dep.col.strength'), (s) => h('span', { cls: 'dep-str dep-str-' + s.strength }, strengthLabel(s.strength))],
    [t('cas.col.lag'), (s) => lagLabel(s.lag_min)],
    [t('dep.col.regional'), (s) => (s.regional ? flag(t('cas.regional')) : t('dep.anyregion'))],
    [t('cas.col.path'), (s) => h('ol', { cls: 'cas-path' + (s.steps.length === 1 ? ' one' : ''), 'aria-label': t('cas.pathof', { name: L(s.name) }) },
      s.steps.map((st) => h('li', {},
        h('span', { cls: 'cas-step' }, nameOf(st.from) + ' → ' + nameOf(st.to) + (st.from === st.to ? t('cas.others') : '')),
        st.ja || st.en ? h('span', { cls: 'cas-why' }, t('cas.whysep'), said(st.ja, st.en)) : null,
        // a step's own strength and lag when the path has several
        st.strength && s.steps.length > 1 ? h('span', { cls: 'hint cas-stepmeta' }, t('cas.stepmeta', { s: strengthLabel(st.strength), lag: lagLabel(st.lag_min) })) : null)))],
  );
  put(box, h('div', { id: 'cascade-list' }, table(cols, c.suggestions, (s) => ({ 'data-node': s.node, 'data-rank': s.rank }))));
  if (acted) { put(box, done(acted)); return; }
  if (!canIssue) return;
  const out = h('div', { id: 'cascade-out', 'aria-live': 'polite' });
  go.addEventListener('click', async () => {
    clear(out); go.disabled = true;
    // in the order of the suggestions
    const list = c.suggestions.map((s) => s.node).filter((n) => picked.has(n));
    try {
      const r = await post('/events/' + enc(id) + '/cascade/advisory', { suggestion: c.suggestion, sectors: list });
      const a = r.advisory || {};
      clear(box);
      put(box, msg(t('cas.issued', { id: a.id }), 'ok'));
      drawCascade(box, ctx, id, Object.assign({}, c, { advisory: { id: a.id, at: a.created_at || new Date().toISOString() } }), sectors, reload);
      const first = box.querySelector('#cascade-done a');
      if (first) first.focus();
    } catch (err) {
      if (err.code === 'already_acted') { reload(msg(errText(err), 'err')); return; }
      put(out, msg(errText(err), 'err')); refresh();
    }
  });
  refresh();
  put(box, h('div', { cls: 'actions', id: 'cascade-actions' }, go, count),
    h('p', { cls: 'hint', id: 'cascade-hint' }, t('cas.issuehint', { s: c.severity })), out);
}

/* The advisory made from the suggestion, in place of the button. */
function done(a) {
  return h('p', { id: 'cascade-done', cls: 'cascade-done', 'data-advisory': a.id },
    t('cas.done'), ' ', link('/advisories/' + enc(a.id), h('span', { cls: 'id' }, a.id)), a.at ? (lang() === 'en' ? [' (', time(a.at), ')'] : ['（', time(a.at), '）']) : null);
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
