// page-declarations.js - large-scale outage mode (大規模IT障害発生時): the
// declarations (everyone signed in), one with its linked reports and
// advisories as the reader may read them; NISC analysts declare and end.
import { h, link, table, msg, errText, sevBadge, rangeBadge, time, clear, field, enc, put, confirmStep } from './dom.js';
import { t, L, lang } from './i18n.js';
import { get, post } from './api.js';
import { orgName } from './names.js';

export async function render(main, { ctx, params, name }) {
  return name === 'declaration' ? one(main, ctx, params[0]) : list(main, ctx);
}

const mayDeclare = (ctx) => ctx.kind() === 'nisc' && ctx.has('analyst');

function cover(d, names) {
  if (d.national) return t('mode.national');
  return d.sectors.map((s) => names.get(s) || s).join(lang() === 'en' ? ', ' : '、');
}

async function sectorNames(ctx) {
  const names = new Map();
  for (const s of await ctx.sectors()) names.set(s.id, L(s.name));
  return names;
}

async function list(main, ctx) {
  put(main, h('h1', { 'data-title': t('decl.title') }, t('decl.title')));
  const [r, names] = await Promise.all([get('/declarations'), sectorNames(ctx)]);
  put(main, h('p', { id: 'decl-mode' }, t('decl.mode') + ': ' + (r.mode === 'outage' ? t('mode.outage') : t('decl.normal'))));
  if (!r.items.length) put(main, h('p', { cls: 'empty' }, t('decl.none')));
  else put(main, table([
    [t('id'), (d) => link('/declarations/' + enc(d.id), h('span', { cls: 'id' }, d.id))],
    [t('title'), (d) => link('/declarations/' + enc(d.id), L(d.title))],
    [t('decl.cover'), (d) => cover(d, names)],
    [t('decl.state'), (d) => (d.active ? t('decl.active') : t('decl.ended'))],
    [t('decl.started'), (d) => time(d.started_at)],
  ], r.items));
  if (!mayDeclare(ctx)) return;
  const tja = h('input', { type: 'text', name: 'title_ja', maxlength: 200, required: true });
  const ten = h('input', { type: 'text', name: 'title_en', maxlength: 200, required: true });
  const reason = h('textarea', { name: 'reason', maxlength: 2000, required: true, rows: 3 });
  const national = h('input', { type: 'checkbox', name: 'national' });
  const boxes = (await ctx.sectors()).map((s) => h('label', { cls: 'check' },
    h('input', { type: 'checkbox', name: 'sectors', value: s.id }), ' ', L(s.name)));
  const out = h('div', { 'aria-live': 'polite' });
  put(main, h('form', { cls: 'card', id: 'declare-form', on: { submit: async (e) => {
    e.preventDefault(); clear(out);
    const body = { title_ja: tja.value.trim(), title_en: ten.value.trim(), reason: reason.value.trim() };
    if (national.checked) body.national = true;
    else body.sectors = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    // one click sent a roll call to every operator of the sectors: a
    // second step names them first (found by a review)
    const which = national.checked ? t('decl.allsectors')
      : body.sectors.map((s) => names.get(s) || s).join(lang() === 'ja' ? '、' : ', ');
    if ((national.checked || body.sectors.length) &&
      !await confirmStep(e.target, t('decl.confirm', { sectors: which }), t('decl.confirm.yes'))) return;
    try { const d = await post('/declarations', body); ctx.say(t('decl.declared', { id: d.id }), 'ok'); ctx.go('/declarations/' + enc(d.id)); }
    catch (err) { put(out, msg(errText(err), 'err')); }
  } } }, h('h2', {}, t('decl.new')), field(t('ev.title_ja'), tja), field(t('ev.title_en'), ten),
  field(t('decl.reason'), reason), h('label', { cls: 'check' }, national, ' ', t('decl.national')),
  h('fieldset', {}, h('legend', {}, t('decl.sectors')), ...boxes),
  h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('decl.declare'))), out));
}

async function one(main, ctx, id) {
  const [d, names] = await Promise.all([get('/declarations/' + enc(id)), sectorNames(ctx)]);
  put(main, h('h1', { 'data-title': t('decl.one', { id }) }, L(d.title)),
    h('p', { cls: 'meta' }, h('span', { cls: 'id' }, d.id), ' · ',
      d.active ? t('decl.active') : t('decl.ended'), ' · ', t('decl.cover') + ': ' + cover(d, names)),
    h('div', { cls: 'card' }, h('p', {}, d.reason),
      h('p', { cls: 'meta' }, t('decl.started') + ': ', time(d.started_at), t('paren', { x: orgName(d.started_by.org) }),
        d.ended_at ? [' · ' + t('decl.endedat') + ': ', time(d.ended_at), t('paren', { x: orgName(d.ended_by.org) })] : null),
      d.rollcall ? h('p', {}, t('decl.rollcall') + ': ', link('/advisories/' + enc(d.rollcall), h('span', { cls: 'id' }, d.rollcall))) : null));
  // an empty list says so (a table of headers alone: found by a review)
  const none = (rows, key) => (rows.length ? null : h('p', { cls: 'empty' }, t(key)));
  put(main, h('h2', {}, t('decl.reports', { n: d.counts.reports })), h('div', { id: 'decl-reports' }, none(d.reports, 'decl.noreports') || table([
    [t('id'), (r) => link('/reports/' + enc(r.id), h('span', { cls: 'id' }, r.id))],
    [t('title'), (r) => link('/reports/' + enc(r.id), r.title)],
    [t('severity'), (r) => sevBadge(r.severity.effective)], [t('range'), (r) => rangeBadge(r.range)],
    [t('time'), (r) => time(r.created_at)],
  ], d.reports)));
  put(main, h('h2', {}, t('decl.advisories', { n: d.counts.advisories })), h('div', { id: 'decl-advisories' }, none(d.advisories, 'decl.noadvisories') || table([
    [t('id'), (a) => link('/advisories/' + enc(a.id), h('span', { cls: 'id' }, a.id))],
    [t('title'), (a) => link('/advisories/' + enc(a.id), L(a.title))],
    [t('severity'), (a) => sevBadge(a.severity)], [t('range'), (a) => rangeBadge(a.range)],
    [t('time'), (a) => time(a.created_at)],
  ], d.advisories)));
  if (!mayDeclare(ctx) || !d.active) return;
  const out = h('div', { 'aria-live': 'polite' });
  put(main, h('form', { cls: 'card', id: 'end-form', on: { submit: async (e) => {
    e.preventDefault(); clear(out);
    try { await post('/declarations/' + enc(id) + '/end'); ctx.say(t('decl.endeddone'), 'ok'); ctx.reload(); }
    catch (err) { put(out, msg(errText(err), 'err')); }
  } } }, h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('decl.end'))), out));
}
