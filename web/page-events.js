// page-events.js - events (NISC and ministry analysts): the list, one
// event with its linked reports and severity, create, link a report.
import { h, link, table, msg, errText, sevBadge, rangeBadge, time, clear, field, enc, put } from './dom.js';
import { t, L, enumLabel } from './i18n.js';
import { get, post } from './api.js';
import { reporterCell, sectorName } from './page-reports.js';

export async function render(main, { ctx, params, name }) {
  return name === 'event' ? one(main, ctx, params[0]) : list(main, ctx);
}

async function list(main, ctx) {
  put(main, h('h1', { 'data-title': t('ev.title') }, t('ev.title')));
  const r = await get('/events');
  if (!r.items.length) put(main, h('p', { cls: 'empty' }, t('ev.none')));
  else put(main, table([
    [t('id'), (e) => link('/events/' + enc(e.id), h('span', { cls: 'id' }, e.id))],
    [t('title'), (e) => link('/events/' + enc(e.id), L(e.title))],
    [t('ev.by'), (e) => e.created_by], [t('time'), (e) => time(e.created_at)],
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
    h('p', { cls: 'meta' }, h('span', { cls: 'id' }, ev.id), sevBadge(ev.severity.level, true), t('ev.by') + ': ' + ev.created_by, ' · ', time(ev.created_at)),
    h('div', { cls: 'card' }, h('p', {}, L(ev.severity.explanation)), h('p', { cls: 'meta' }, t('new.rule') + ': ' + ev.severity.rule)));
  put(main, h('h2', {}, t('ev.reports')), h('div', { id: 'event-reports' }, table([
    [t('id'), (r) => link('/reports/' + enc(r.id), h('span', { cls: 'id' }, r.id))],
    [t('title'), (r) => link('/reports/' + enc(r.id), r.title)],
    [t('severity'), (r) => sevBadge(r.severity.effective)], [t('range'), (r) => rangeBadge(r.range)],
    [t('kind'), (r) => enumLabel('kind', r.kind)], [t('sector'), (r) => sectorName(sectors, r.sector)],
    [t('reports.reporter'), reporterCell], [t('reports.detected'), (r) => time(r.detected_at)],
  ], ev.reports || [])));
  if (ctx.has('analyst')) {
    const rid = h('input', { type: 'text', maxlength: 40, name: 'report' });
    const out = h('div', { 'aria-live': 'polite' });
    put(main, h('form', { cls: 'card', on: { submit: async (e) => {
      e.preventDefault(); clear(out);
      try { await post('/events/' + enc(id) + '/reports', { report: rid.value.trim() }); ctx.say(t('reports.linked', { n: 1, id }), 'ok'); ctx.reload(); }
      catch (err) { put(out, msg(errText(err), 'err')); }
    } } }, h('h2', {}, t('ev.link')), field(t('ev.reportid'), rid), h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('ev.link'))), out));
  }
}
