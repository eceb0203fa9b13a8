// page-reports.js - reports the user may read, filterable (sector,
// severity, kind, state, overdue, search); analysts of NISC and ministries
// select rows and link them into an event. Filters stay in memory, never in
// the URL (a search term could be sensitive).
import { h, link, table, select, enumSelect, msg, errText, sevBadge, rangeBadge, flag, time, clear, field, enc, put } from './dom.js';
import { t, L, enumLabel, enumValues } from './i18n.js';
import { get, post } from './api.js';
import { loadNames, orgShort } from './names.js';

const saved = { sector: '', kind: '', state: '', min_severity: '', overdue: false, q: '', mine: true, waiting: false };

export function reporterCell(r) {
  const rep = r.reporter || {};
  if (rep.name) return [L(rep.name), rep.anonymous ? [' ', flag(t('report.anon'))] : null];
  if (rep.label) return [L(rep.label), ' ', flag(t('report.anon'))];
  return rep.org || '—';
}

export async function render(main, { ctx }) {
  const me = ctx.me, k = me.org_kind;
  const staff = k === 'nisc' || k === 'ministry';
  const canLink = staff && ctx.has('analyst');
  const title = k === 'operator' ? t('nav.myreports') : k === 'ceptoar' ? t('nav.routed') : t('reports.title');
  put(main, h('h1', { 'data-title': title }, title));
  const sectors = await ctx.sectors();
  await loadNames(ctx);

  const fSector = select('sector', [['', t('reports.any')]].concat(sectors.map((s) => [s.id, L(s.name)])), saved.sector);
  const fKind = enumSelect('kind', 'kind', enumValues('kind'), saved.kind, t('reports.any'));
  const fState = enumSelect('state', 'rstate', ['open', 'closed'], saved.state, t('reports.any'));
  const fSev = select('min_severity', [['', t('reports.any')]].concat([5, 4, 3, 2, 1, 0].map((l) => [l, l + '+'])), saved.min_severity);
  const fOver = h('input', { type: 'checkbox', name: 'overdue', checked: saved.overdue });
  const fQ = h('input', { type: 'search', name: 'q', maxlength: 200, value: saved.q });
  const fMine = h('input', { type: 'checkbox', name: 'mine', checked: saved.mine });
  const fWait = h('input', { type: 'checkbox', name: 'waiting', checked: saved.waiting });
  const form = h('form', { cls: 'card filters', role: 'search' },
    field(t('sector'), fSector), field(t('reports.minsev'), fSev), field(t('kind'), fKind), field(t('state'), fState),
    field(t('reports.q'), fQ),
    staff ? h('label', { cls: 'inline' }, fOver, t('reports.overdue')) : null,
    k === 'operator' ? h('label', { cls: 'inline' }, fMine, t('reports.mine')) : null,
    ['ceptoar', 'ministry', 'agency'].includes(k) ? h('label', { cls: 'inline' }, fWait, t('reports.waiting')) : null,
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('apply')),
      h('button', { type: 'button', cls: 'secondary', on: { click: () => { Object.assign(saved, { sector: '', kind: '', state: '', min_severity: '', overdue: false, q: '', waiting: false }); ctx.reload(); } } }, t('reset'))));
  const out = h('div', { id: 'reports-out' });
  const info = h('p', { cls: 'meta', 'aria-live': 'polite' });
  put(main, form, info, out);

  let items = [], next = null;
  const selected = new Set();
  const linkBox = h('div');
  const query = () => {
    const p = new URLSearchParams();
    for (const k2 of ['sector', 'kind', 'state', 'min_severity', 'q']) if (saved[k2] !== '') p.set(k2, saved[k2]);
    if (saved.overdue && staff) p.set('overdue', 'true');
    p.set('limit', '50');
    return p;
  };
  function visible() {
    return items.filter((r) => (k !== 'operator' || !saved.mine || (r.reporter && r.reporter.org === me.org))
      && (!saved.waiting || r.current_hop === me.org));
  }
  function draw() {
    clear(out);
    const rows = visible();
    info.textContent = t('reports.count', { n: rows.length });
    if (!rows.length) { put(out, h('p', { cls: 'empty' }, t('reports.none'))); }
    else {
      const cols = [];
      if (canLink) cols.push([t('reports.select'), (r) => h('input', { type: 'checkbox', 'aria-label': t('reports.selectrow', { id: r.id }), checked: selected.has(r.id), on: { change: (e) => { if (e.target.checked) selected.add(r.id); else selected.delete(r.id); } } })]);
      cols.push(
        [t('id'), (r) => link('/reports/' + enc(r.id), h('span', { cls: 'id' }, r.id))],
        [t('title'), (r) => link('/reports/' + enc(r.id), r.title)],
        [t('severity'), (r) => sevBadge(r.severity && r.severity.effective)],
        [t('range'), (r) => rangeBadge(r.range)],
        [t('kind'), (r) => enumLabel('kind', r.kind)],
        [t('sector'), (r) => sectorName(sectors, r.sector)],
        [t('reports.reporter'), reporterCell],
        [t('reports.hop'), (r) => [enumLabel('rstate', r.state), ' · ', r.current_hop ? orgShort(r.current_hop) : t('reports.atnisc'), r.overdue ? [' ', flag(t('overdue'), 'warn')] : null]],
        [t('reports.detected'), (r) => time(r.detected_at)]);
      put(out, h('div', { id: 'reports-table' }, table(cols, rows)));
    }
    if (next) put(out, h('div', { cls: 'actions' }, h('button', { type: 'button', cls: 'secondary', on: { click: more } }, t('more'))));
    if (canLink && rows.length) put(out, linkBox);
  }
  async function load(append) {
    const p = query();
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
    Object.assign(saved, { sector: fSector.value, kind: fKind.value, state: fState.value, min_severity: fSev.value, overdue: fOver.checked, q: fQ.value.trim(), mine: fMine.checked, waiting: fWait.checked });
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
