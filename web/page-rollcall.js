// page-rollcall.js - roll calls and survey requests on the advisory page:
// the answer form for a recipient (answering acknowledges; a later answer
// replaces the earlier one) and, for the author, NISC and the chain's
// secretariats and ministries, the live board of answers: counts in all,
// per CEPTOAR and per sector, the not-yet-answered list, each answer, and
// the CSV export. Refreshed every few seconds while the page is open.
import { h, table, msg, errText, flag, time, clear, enc, put } from './dom.js';
import { t, L } from './i18n.js';
import { get, post, apiUrl } from './api.js';
import { orgName, sectorName } from './names.js';

const REFRESH_S = 5;
const YNU = ['yes', 'no', 'unknown'];

/* The label of a value of question q. */
function valueLabel(q, v) {
  if (q.type === 'yes_no_unknown') return t('rc.ynu.' + v, null, true) || v;
  const o = (q.options || []).find((x) => x.id === v);
  return o ? L(o.label) : v;
}

/* The answer form for our organisation. */
function answerForm(ctx, a, onDone) {
  const form = a.form, mine = a.my_answer;
  const out = h('div', { 'aria-live': 'assertive', id: 'rc-errors' });
  const inputs = {};
  const sets = form.questions.map((q) => {
    const cur = mine && mine.answers ? mine.answers[q.id] : undefined;
    const legend = h('legend', {}, L(q.label), q.required ? ' *' : '');
    if (q.type === 'text') {
      const ta = h('textarea', { name: q.id, maxlength: q.max_len || 2000, id: 'rc-q-' + q.id }, cur || '');
      inputs[q.id] = () => ta.value;
      return h('fieldset', { 'data-q': q.id }, legend, ta);
    }
    const values = q.type === 'yes_no_unknown' ? YNU : q.options.map((o) => o.id);
    const radios = values.map((v) => h('input', { type: 'radio', name: 'rc-' + q.id, value: v, checked: cur === v, id: 'rc-' + q.id + '-' + v }));
    inputs[q.id] = () => { const r = radios.find((x) => x.checked); return r ? r.value : ''; };
    return h('fieldset', { 'data-q': q.id }, legend, radios.map((r, i) => h('label', { cls: 'inline', for: r.id }, r, ' ', valueLabel(q, values[i]))));
  });
  const btn = h('button', { type: 'submit', id: 'rc-submit' }, mine ? t('rc.replace') : t('rc.submit'));
  const f = h('form', { cls: 'card', id: 'rc-form', novalidate: true, on: { submit: async (e) => {
    e.preventDefault(); clear(out);
    const answers = [];
    for (const q of form.questions) {
      const v = inputs[q.id]();
      if (v) answers.push({ question: q.id, value: v });
    }
    btn.disabled = true;
    try {
      const r = await post('/advisories/' + enc(a.id) + '/answers', { answers });
      ctx.say(r.replaced ? t('rc.replaced') : t('rc.done'), 'ok');
      onDone(r);
    } catch (err) {
      btn.disabled = false;
      const q = err.field && err.field.startsWith('answers.') ? form.questions.find((x) => 'answers.' + x.id === err.field) : null;
      put(out, msg((q ? L(q.label) + ': ' : '') + errText(err), 'err'));
    }
  } } },
  h('h2', {}, form.name === 'roll_call' ? t('rc.title') : t('rc.survey')),
  h('p', { cls: 'hint' }, t('rc.hint')),
  mine ? h('p', { id: 'rc-mine' }, flag(t('rc.answered'), 'ok'), ' ', time(mine.answered_at), ' · ', t('rc.revision', { n: mine.revision })) : h('p', {}, flag(t('rc.unanswered'), 'warn')),
  sets, out, ctx.has('liaison') ? h('div', { cls: 'actions' }, btn) : h('p', { cls: 'meta' }, t('rc.needliaison')));
  return f;
}

/* The counts of one bucket as a cell: "3 / 5" and value counts. */
function countsCell(form, b) {
  const parts = [];
  for (const q of form.questions) {
    const vals = (b.values || {})[q.id];
    if (!vals) continue;
    parts.push(L(q.label) + ': ' + Object.entries(vals).map(([v, n]) => valueLabel(q, v) + ' ' + n).join(', '));
  }
  return parts.join(' / ') || '—';
}

function bucketTable(form, by, label, id) {
  const rows = Object.entries(by || {}).map(([k, v]) => Object.assign({ key: k }, v));
  return h('div', { id }, table([
    [label, (r) => (id === 'rc-by-sector' ? sectorName(r.key) : orgName(r.key))],
    [t('adv.recipients'), (r) => String(r.recipients), 'num'],
    [t('rc.answered'), (r) => String(r.answered), 'num'],
    [t('rc.unanswered'), (r) => String(r.unanswered), 'num'],
    [t('rc.counts'), (r) => countsCell(form, r)],
  ], rows, (r) => ({ 'data-key': r.key })));
}

/* Adds the roll call's parts to the advisory page; returns a stop
 * function for its refresh timer. */
export async function rollcallSection(main, ctx, a) {
  if (!a.form) return () => {};
  if (a.mine && a.mine.released_at) {
    const box = h('div', { id: 'rc-answer' });
    const draw = () => put(clear(box), answerForm(ctx, a, (r) => {
      a.my_answer = { answers: r.answers, answered_at: r.answered_at, via: 'api', revision: r.revision };
      a.mine.acknowledged = true;
      draw();
    }));
    draw();
    put(main, box);
  }
  const sec = h('section', { id: 'rc-board', 'aria-labelledby': 'rc-board-h' });
  put(main, sec);
  let timer = null, stopped = false;
  async function refresh() {
    let b, un;
    try {
      [b, un] = await Promise.all([get('/advisories/' + enc(a.id) + '/answers?limit=200&state=answered'),
        get('/advisories/' + enc(a.id) + '/answers?limit=200&state=unanswered')]);
    } catch (e) {
      if (e.status === 403 || e.status === 404) { clear(sec); return false; }
      put(clear(sec), msg(errText(e), 'err'));
      return true;
    }
    if (stopped) return false;
    const T = b.totals, form = b.form;
    const qcols = form.questions.map((q) => [L(q.label), (x) => (x.answer && x.answer.answers[q.id] !== undefined ? valueLabel(q, x.answer.answers[q.id]) : '—')]);
    put(clear(sec),
      h('h2', { id: 'rc-board-h' }, t('rc.board')),
      h('p', { cls: 'meta' }, t('adv.autorefresh', { s: REFRESH_S }), ' · ', t('updated') + ': ', time(new Date().toISOString()), ' · ',
        h('a', { href: apiUrl('/advisories/') + enc(a.id) + '/answers?format=csv', id: 'rc-csv', download: 'answers-' + a.id + '.csv' }, t('rc.csv'))),
      h('div', { cls: 'tiles' },
        h('div', { cls: 'tile' }, h('span', { cls: 'n', id: 'rc-recipients' }, String(T.recipients)), t('adv.recipients')),
        h('div', { cls: 'tile' }, h('span', { cls: 'n', id: 'rc-answered' }, String(T.answered)), t('rc.answered')),
        h('div', { cls: 'tile' }, h('span', { cls: 'n', id: 'rc-unanswered' }, String(T.unanswered)), t('rc.unanswered'))),
      h('p', { id: 'rc-totals' }, countsCell(form, T)),
      h('h3', {}, t('rc.byceptoar')), bucketTable(form, b.by_ceptoar, t('adv.via'), 'rc-by-ceptoar'),
      h('h3', {}, t('rc.bysector')), bucketTable(form, b.by_sector, t('sector'), 'rc-by-sector'),
      h('h3', {}, t('rc.unansweredlist') + ' (' + T.unanswered + ')'),
      h('div', { id: 'rc-unanswered-list' }, un.items.length ? table([
        [t('org'), (x) => L(x.name)], [t('id'), (x) => h('span', { cls: 'id' }, x.org)], [t('adv.via'), (x) => x.ceptoar ? ctx.orgLabel(x.ceptoar) : '—'],
        [t('rc.escalated'), (x) => time(x.escalated_at)],
      ], un.items, (x) => ({ 'data-org': x.org })) : h('p', { cls: 'empty' }, t('rc.allanswered'))),
      un.next_cursor ? h('p', { cls: 'meta' }, t('adv.first', { n: un.items.length })) : null,
      h('h3', {}, t('rc.answers') + ' (' + T.answered + ')'),
      h('div', { id: 'rc-answers' }, b.items.length ? table([
        [t('org'), (x) => L(x.name)], [t('id'), (x) => h('span', { cls: 'id' }, x.org)], ...qcols,
        [t('rc.at'), (x) => time(x.answer.answered_at)],
      ], b.items, (x) => ({ 'data-org': x.org })) : h('p', { cls: 'empty' }, t('rc.noanswers'))),
      b.next_cursor ? h('p', { cls: 'meta' }, t('adv.first', { n: b.items.length })) : null);
    return true;
  }
  const loop = async () => { if (stopped) return; const go = await refresh(); if (go && !stopped) timer = setTimeout(loop, REFRESH_S * 1000); };
  if (ctx.tracks(a)) await loop();
  return () => { stopped = true; clearTimeout(timer); };
}
