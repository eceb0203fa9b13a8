// page-reports.js - reports the user may read, filterable (sector,
// severity range, kind, state, overdue, search), sortable by column, paged
// with the API's cursor, exportable as CSV (GET /reports/export); analysts
// of NISC and ministries select rows and link them into an event.
// The filters live in the URL's hash query (#/reports?sector=gas&
// min_severity=4&state=open&overdue=1), so a view can be shared and
// reloaded: the page reads them from the URL and writes them back when the
// user changes them. They are ids and enum values only; the free-text
// search stays in memory, never in the URL (a search term can be
// sensitive).
import { h, link, table, select, enumSelect, msg, errText, sevBadge, rangeBadge, flag, time, clear, field, enc, put } from './dom.js';
import { t, L, enumLabel, enumValues } from './i18n.js';
import { get, post, apiUrl } from './api.js';
import { loadNames, orgShort } from './names.js';

const memory = { q: '' };
const KEYS = ['sector', 'kind', 'state', 'min_severity', 'max_severity', 'overdue', 'mine', 'waiting', 'sort', 'dir'];

/* The filters of the URL's hash query (unknown or bad values: none). */
export function urlFilters() {
  const i = location.hash.indexOf('?');
  const p = new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
  const f = {};
  for (const k of KEYS) f[k] = p.get(k) || '';
  for (const k of ['min_severity', 'max_severity']) if (!/^[0-5]$/.test(f[k])) f[k] = '';
  if (f.state && !['open', 'closed'].includes(f.state)) f.state = '';
  if (f.kind && !enumValues('kind').includes(f.kind)) f.kind = '';
  f.overdue = f.overdue === '1' || f.overdue === 'true';
  f.waiting = f.waiting === '1' || f.waiting === 'true';
  f.mine = f.mine !== '0' && f.mine !== 'false';
  if (!['desc', 'asc'].includes(f.dir)) f.dir = 'desc';
  return f;
}

/* The hash path of filters f (defaults left out). */
export function filtersPath(f) {
  const p = new URLSearchParams();
  for (const k of ['sector', 'kind', 'state', 'min_severity', 'max_severity']) if (f[k] !== '' && f[k] !== undefined) p.set(k, f[k]);
  if (f.overdue) p.set('overdue', '1');
  if (f.waiting) p.set('waiting', '1');
  if (f.mine === false) p.set('mine', '0');
  if (f.sort) { p.set('sort', f.sort); p.set('dir', f.dir || 'desc'); }
  const q = p.toString();
  return '/reports' + (q ? '?' + q : '');
}

export function reporterCell(r) {
  const rep = r.reporter || {};
  if (rep.name) return [L(rep.name), rep.anonymous ? [' ', flag(t('report.anon'))] : null];
  if (rep.label) return [L(rep.label), ' ', flag(t('report.anon'))];
  return rep.org || '—';
}

/* Sort keys of the columns (rows loaded so far are sorted in the page). */
const SORTS = {
  id: (r) => r.id,
  title: (r) => r.title || '',
  severity: (r) => (r.severity && r.severity.effective) ?? -1,
  range: (r) => ['red', 'amber', 'yellow', 'green', 'white'].indexOf(r.range),
  kind: (r) => r.kind,
  sector: (r) => r.sector || '',
  hop: (r) => r.current_hop || '',
  detected: (r) => r.detected_at || '',
};

export async function render(main, { ctx }) {
  const me = ctx.me, k = me.org_kind;
  const staff = k === 'nisc' || k === 'ministry';
  const canLink = staff && ctx.has('analyst');
  const title = k === 'operator' ? t('nav.myreports') : k === 'ceptoar' ? t('nav.routed') : t('reports.title');
  put(main, h('h1', { 'data-title': title }, title));
  const sectors = await ctx.sectors();
  const saved = urlFilters();
  if (!staff) saved.overdue = false;
  await loadNames(ctx);

  const sevOpts = [['', t('reports.any')]].concat([5, 4, 3, 2, 1, 0].map((l) => [l, String(l)]));
  const fSector = select('sector', [['', t('reports.any')]].concat(sectors.map((s) => [s.id, L(s.name)])), saved.sector);
  const fKind = enumSelect('kind', 'kind', enumValues('kind'), saved.kind, t('reports.any'));
  const fState = enumSelect('state', 'rstate', ['open', 'closed'], saved.state, t('reports.any'));
  const fSev = select('min_severity', sevOpts, saved.min_severity);
  const fMax = select('max_severity', sevOpts, saved.max_severity);
  const fOver = h('input', { type: 'checkbox', name: 'overdue', checked: saved.overdue });
  const fQ = h('input', { type: 'search', name: 'q', maxlength: 200, value: memory.q });
  const fMine = h('input', { type: 'checkbox', name: 'mine', checked: saved.mine });
  const fWait = h('input', { type: 'checkbox', name: 'waiting', checked: saved.waiting });
  const form = h('form', { cls: 'card filters', role: 'search' },
    field(t('sector'), fSector), field(t('reports.minsev'), fSev), field(t('reports.maxsev'), fMax),
    field(t('kind'), fKind), field(t('state'), fState),
    field(t('reports.q'), fQ),
    staff ? h('label', { cls: 'inline' }, fOver, t('reports.overdue')) : null,
    k === 'operator' ? h('label', { cls: 'inline' }, fMine, t('reports.mine')) : null,
    ['ceptoar', 'ministry', 'agency'].includes(k) ? h('label', { cls: 'inline' }, fWait, t('reports.waiting')) : null,
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('apply')),
      h('button', { type: 'button', cls: 'secondary', on: { click: () => { memory.q = ''; ctx.go('/reports'); } } }, t('reset'))));
  const out = h('div', { id: 'reports-out' });
  const info = h('p', { cls: 'meta', 'aria-live': 'polite', id: 'reports-info' });
  const csv = h('a', { cls: 'button secondary', id: 'reports-csv', download: 'reports.csv' }, t('reports.csv'));
  put(main, form, h('div', { cls: 'actions listbar' }, info, csv), out);

  let items = [], next = null;
  const selected = new Set();
  const linkBox = h('div');
  const query = () => {
    const p = new URLSearchParams();
    for (const k2 of ['sector', 'kind', 'state', 'min_severity', 'max_severity']) if (saved[k2] !== '') p.set(k2, saved[k2]);
    if (memory.q) p.set('q', memory.q);
    if (saved.overdue && staff) p.set('overdue', 'true');
    return p;
  };
  csv.setAttribute('href', apiUrl('/reports/export?') + query().toString());
  function visible() {
    const rows = items.filter((r) => (k !== 'operator' || !saved.mine || (r.reporter && r.reporter.org === me.org))
      && (!saved.waiting || r.current_hop === me.org));
    const key = SORTS[saved.sort];
    if (!key) return rows;
    const sgn = saved.dir === 'asc' ? 1 : -1;
    return rows.slice().sort((a, b) => { const x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * sgn; });
  }
  function sortHead(label, key) {
    const on = saved.sort === key;
    const arrow = on ? (saved.dir === 'asc' ? ' ▲' : ' ▼') : '';
    return h('button', { type: 'button', cls: 'sorthead', 'data-sort': key,
      'aria-label': t('reports.sortby', { col: label }) + (on ? ' (' + t(saved.dir === 'asc' ? 'reports.asc' : 'reports.desc') + ')' : ''),
      on: { click: () => {
        saved.dir = on && saved.dir === 'desc' ? 'asc' : 'desc';
        saved.sort = key;
        history.replaceState(null, '', '#' + filtersPath(saved));
        draw();
        const b = out.querySelector('button[data-sort="' + key + '"]');
        if (b) b.focus();
      } } }, label + arrow);
  }
  function draw() {
    clear(out);
    const rows = visible();
    info.textContent = t('reports.count', { n: rows.length }) + (next ? ' · ' + t('reports.hasmore') : '');
    if (!rows.length) { put(out, h('p', { cls: 'empty' }, t('reports.none'))); }
    else {
      const cols = [];
      if (canLink) cols.push([t('reports.select'), (r) => h('input', { type: 'checkbox', 'aria-label': t('reports.selectrow', { id: r.id }), checked: selected.has(r.id), on: { change: (e) => { if (e.target.checked) selected.add(r.id); else selected.delete(r.id); } } })]);
      cols.push(
        [sortHead(t('id'), 'id'), (r) => link('/reports/' + enc(r.id), h('span', { cls: 'id' }, r.id))],
        [sortHead(t('title'), 'title'), (r) => link('/reports/' + enc(r.id), r.title)],
        [sortHead(t('severity'), 'severity'), (r) => sevBadge(r.severity && r.severity.effective)],
        [sortHead(t('range'), 'range'), (r) => rangeBadge(r.range)],
        [sortHead(t('kind'), 'kind'), (r) => enumLabel('kind', r.kind)],
        [sortHead(t('sector'), 'sector'), (r) => sectorName(sectors, r.sector)],
        [t('reports.reporter'), reporterCell],
        [sortHead(t('reports.hop'), 'hop'), (r) => [enumLabel('rstate', r.state), ' · ', r.current_hop ? orgShort(r.current_hop) : t('reports.atnisc'), r.overdue ? [' ', flag(t('overdue'), 'warn')] : null]],
        [sortHead(t('reports.detected'), 'detected'), (r) => time(r.detected_at)]);
      const tw = table(cols, rows);
      for (const th of tw.querySelectorAll('th')) {
        const b = th.querySelector('button[data-sort]');
        if (b && b.dataset.sort === saved.sort) th.setAttribute('aria-sort', saved.dir === 'asc' ? 'ascending' : 'descending');
      }
      put(out, h('div', { id: 'reports-table' }, tw));
    }
    if (next) put(out, h('div', { cls: 'actions' }, h('button', { type: 'button', cls: 'secondary', id: 'reports-more', on: { click: more } }, t('more'))));
    if (canLink && rows.length) put(out, linkBox);
  }
  async function load(append) {
    const p = query();
    p.set('limit', '50');
    if (append && next) p.set('cursor', next);
    try {
      const r = await get('/reports?' + p.toString());
      items = append ? items.concat(r.items) : r.items;
      next = r.next_cursor;
      draw();
    } catch (e) { clear(out); put(out, msg(errText(e), 'err')); }
  }
  async function more() { await load(true); }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    memory.q = fQ.value.trim();
    Object.assign(saved, { sector: fSector.value, kind: fKind.value, state: fState.value, min_severity: fSev.value,
      max_severity: fMax.value, overdue: fOver.checked, mine: k === 'operator' ? fMine.checked : true, waiting: fWait.checked });
    // the filters go back into the URL (the same history entry: a reload
    // or a shared link shows this view) and the list loads in place
    history.replaceState(null, '', '#' + filtersPath(saved));
    csv.setAttribute('href', apiUrl('/reports/export?') + query().toString());
    load(false);
  });

  if (canLink) {
    const evSel = h('select', { name: 'event', id: 'link-event' });
    const tja = h('input', { type: 'text', maxlength: 200, id: 'ev-title-ja' });
    const ten = h('input', { type: 'text', maxlength: 200, id: 'ev-title-en' });
    const newBox = h('div', {}, field(t('ev.title_ja'), tja), field(t('ev.title_en'), ten));
    const res = h('div', { 'aria-live': 'polite' });
    get('/events').then((r) => {
      put(evSel, h('option', { value: '' }, t('reports.newevent')));
      for (const ev of r.items) put(evSel, h('option', { value: ev.id }, ev.id + ' — ' + L(ev.title)));
    }).catch(() => put(evSel, h('option', { value: '' }, t('reports.newevent'))));
    evSel.addEventListener('change', () => { newBox.hidden = !!evSel.value; });
    put(linkBox, h('form', { cls: 'card', on: { submit: async (e) => {
      e.preventDefault(); clear(res);
      const ids = [...selected];
      if (!ids.length) { put(res, msg(t('reports.select') + ': ' + t('err.missing_field'), 'err')); return; }
      try {
        let id = evSel.value;
        if (!id) {
          const ev = await post('/events', { title_ja: tja.value.trim() || ten.value.trim(), title_en: ten.value.trim() || tja.value.trim(), reports: ids });
          id = ev.id;
        } else {
          for (const rid of ids) await post('/events/' + enc(id) + '/reports', { report: rid });
        }
        ctx.say(t('reports.linked', { n: ids.length, id }), 'ok');
        ctx.go('/events/' + enc(id));
      } catch (err) { put(res, msg(errText(err), 'err')); }
    } } }, h('h2', {}, t('reports.link')), h('p', { cls: 'hint' }, t('reports.linkhint')), field(t('reports.linkto'), evSel), newBox,
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'link-submit' }, t('reports.link'))), res));
  }
  await load(false);
}

export function sectorName(sectors, id) {
  const s = sectors.find((x) => x.id === id);
  return s ? L(s.name) : (id || '—');
}
