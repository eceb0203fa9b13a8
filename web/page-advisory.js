// page-advisory.js - one advisory: text, chain, our relay (sector note,
// narrowing), our acknowledgement, and - for the author's chain and the
// secretariats - live delivery status, reach by CEPTOAR and the "not yet
// reached" list, refreshed every few seconds.
import { h, link, table, select, msg, errText, sevBadge, rangeBadge, flag, time, clear, field, dl, enc, put } from './dom.js';
import { t, L, enumLabel, lang, dur, paren } from './i18n.js';
import { get, post, apiUrl } from './api.js';
import { ackDue } from './deadline.js';
import { readSet } from './page-advisories.js';
import { reporterCell } from './page-reports.js';
import { withholdForm, withheldTable } from './lists.js';
import { rollcallSection } from './page-rollcall.js';
import { relayTitle } from './names.js';

const RANGES = ['red', 'amber', 'yellow', 'green', 'white'];
const REFRESH_S = 5;
const SHOW_MAX = 1000;

function audienceText(aud, sectors) {
  if (!aud) return '—';
  const parts = [];
  if (aud.all) parts.push(t('adv.all.aud'));
  const secName = (id) => { const s = sectors.find((x) => x.id === id); return s ? L(s.name) : id; };
  const scName = (id) => { for (const s of sectors) for (const sc of s.scopes) if (sc.id === id) return L(sc.name); return id; };
  const cepName = (id) => { for (const s of sectors) for (const sc of s.scopes) if (sc.ceptoar && sc.ceptoar.id === id) return L(sc.ceptoar.name); return id; };
  if (aud.sectors && aud.sectors.length) parts.push(t('issue.sectors') + ': ' + aud.sectors.map(secName).join(', '));
  if (aud.scopes && aud.scopes.length) parts.push(t('issue.scopes') + ': ' + aud.scopes.map(scName).join(', '));
  if (aud.ceptoars && aud.ceptoars.length) parts.push(t('issue.ceptoars') + ': ' + aud.ceptoars.map(cepName).join(', '));
  if (aud.orgs && aud.orgs.length) parts.push(t('issue.orgs') + ': ' + aud.orgs.join(', '));
  return parts.join(' / ');
}

const pct = (x) => (Math.round((x || 0) * 1000) / 10).toFixed(1) + '%';

export function reachTable(byCeptoar, sectors) {
  const cepName = (id) => { for (const s of sectors) for (const sc of s.scopes) if (sc.ceptoar && sc.ceptoar.id === id) return L(sc.ceptoar.name); return id; };
  const rows = Object.entries(byCeptoar || {}).map(([k, v]) => Object.assign({ key: k }, v));
  return table([
    [t('adv.via'), (r) => cepName(r.key)],
    [t('adv.recipients'), (r) => String(r.recipients), 'num'],
    [t('adv.del', { w: dur(900) }), (r) => String(r.delivered_15m), 'num'],
    [t('adv.del', { w: dur(86400) }), (r) => String(r.delivered_1d), 'num'],
    [t('adv.ackw', { w: dur(900) }), (r) => String(r.acknowledged_15m), 'num'],
    [t('adv.ackw', { w: dur(3600) }), (r) => String(r.acknowledged_1h), 'num'],
    [t('adv.ackw', { w: dur(86400) }), (r) => String(r.acknowledged_1d), 'num'],
    [t('adv.reach1d'), (r) => h('span', {}, h('meter', { min: 0, max: 1, value: r.reach_1d || 0, 'aria-hidden': 'true' }), ' ', pct(r.reach_1d)), 'num'],
  ], rows);
}

export async function render(main, { ctx, params }) {
  const id = params[0];
  const me = ctx.me;
  const [a, sectors] = await Promise.all([get('/advisories/' + enc(id)), ctx.sectors()]);
  readSet(ctx).add(a.id);
  put(main, h('h1', { 'data-title': t('adv.one', { id }) }, L(a.title)),
    h('p', { cls: 'meta' }, h('span', { cls: 'id' }, a.id), sevBadge(a.severity, true), rangeBadge(a.range, a.tlp),
      flag(enumLabel('advkind', a.kind)), a.drill ? flag(t('adv.drill')) : null, a.hotline ? flag(t('adv.hotline'), 'warn') : null));
  put(main, h('div', { cls: 'card' }, dl([
    [t('adv.author'), L(a.author_name)], [t('adv.created'), time(a.created_at)],
    [t('adv.audience'), audienceText(a.audience, sectors)],
    [t('inbox.ack'), ackDue(a)],
  ]), h('h2', {}, t('adv.body')), h('div', { cls: 'body', lang: lang() }, L(a.body))));

  // a roll call: the answer form (answering acknowledges) and the board
  const stopRollcall = await rollcallSection(main, ctx, a);
  // our acknowledgement
  if (a.mine && a.mine.released_at && !a.form) {
    const box = h('div', { cls: 'card', id: 'mine' }, h('h2', {}, t('adv.mine')));
    const draw = () => {
      put(clear(box), h('h2', {}, t('adv.mine')));
      if (a.mine.acknowledged) put(box, h('p', {}, flag(t('inbox.acked', { at: '' }).trim(), 'ok'), ' ', time(a.mine.acked_at)));
      else if (ctx.has('liaison')) put(box, h('p', {}, flag(t('inbox.unacked'), 'warn'), ' ', h('button', { type: 'button', id: 'ack', on: { click: async (e) => {
        e.target.disabled = true;
        try { const r = await post('/advisories/' + enc(id) + '/ack'); a.mine.acknowledged = true; a.mine.acked_at = r.acked_at; ctx.say(t('inbox.ackdone'), 'ok'); draw(); }
        catch (err) { e.target.disabled = false; ctx.say(errText(err), 'err'); }
      } } }, t('inbox.ack'))));
      else put(box, h('p', {}, flag(t('inbox.unacked'), 'warn')));
    };
    draw();
    put(main, box);
  }

  // the chain and our relay
  const chain = a.chain || [];
  const myHop = chain.find((c) => c.org === me.org);
  if (myHop && myHop.state === 'waiting' && ctx.has('liaison', 'analyst')) {
    const nja = h('textarea', { name: 'note_ja', maxlength: 2000 });
    const nen = h('textarea', { name: 'note_en', maxlength: 2000 });
    const narrower = RANGES.slice(0, RANGES.indexOf(a.range) + 1);
    const rng = select('range', narrower.map((x) => [x, x.toUpperCase() + ' — ' + enumLabel('range', x)]), a.range);
    const out = h('div', { 'aria-live': 'polite' });
    put(main, h('form', { cls: 'card', id: 'relay-form', on: { submit: async (e) => {
      e.preventDefault(); clear(out);
      const body = {};
      if (nja.value.trim()) body.note_ja = nja.value;
      if (nen.value.trim()) body.note_en = nen.value;
      if (rng.value !== a.range) body.range = rng.value;
      try { await post('/advisories/' + enc(id) + '/relay', body); ctx.say(t('adv.relayed'), 'ok'); ctx.reload(); }
      catch (err) { put(out, msg(errText(err), 'err')); }
    } } }, h('h2', {}, relayTitle(me.org_kind)), field(t('adv.note_ja'), nja), field(t('adv.note_en'), nen), field(t('report.narrow'), rng),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'relay' }, t('adv.relay'))), out));
  }
  // withholding (lists.js): the waiting hop may decline; the author sees why
  if (myHop && myHop.state === 'waiting' && ctx.has('liaison', 'analyst')) put(main, withholdForm(ctx, a));
  const wb = withheldTable(ctx, a.withheld);
  if (wb) put(main, wb);
  if (chain.length) {
    put(main, h('h2', {}, t('adv.chain')), table([
      [t('org'), (c) => ctx.orgLabel(c.org)], [t('state'), (c) => enumLabel('hop', c.state)],
      [t('adv.arrived'), (c) => time(c.arrived_at)], [t('adv.relayedat'), (c) => time(c.relayed_at)],
      [t('adv.how'), (c) => enumLabel('how', c.how)], [t('report.note'), (c) => h('span', { cls: 'body' }, L(c.note))],
    ], chain));
  }
  if (a.refs && a.refs.length) {
    put(main, h('h2', {}, t('adv.refs')), h('ul', {}, a.refs.map((r) => h('li', {}, link('/reports/' + enc(r.id), r.title), ' — ', reporterCell(r)))));
  }

  // deliveries: only the author's chain and the secretariats may see them.
  // The board is built once and updated in place on each refresh (rows
  // keyed by organisation), so an open list, the scroll position and the
  // focus survive the automatic refresh.
  const dBox = h('section', { id: 'deliveries', 'aria-labelledby': 'dl-h' });
  put(main, dBox);
  let timer = null, stopped = false, every = REFRESH_S, board = null;
  async function refresh() {
    let all, unreached;
    try {
      [all, unreached] = await Promise.all([get('/advisories/' + enc(id) + '/deliveries?state=all'), get('/advisories/' + enc(id) + '/deliveries?state=unreached')]);
    } catch (e) {
      if (e.status === 403) { clear(dBox); board = null; return false; }
      if (!board) put(clear(dBox), msg(errText(e), 'err'));
      else board.fail(errText(e));
      return true;
    }
    if (stopped) return false;
    // large audiences (thousands of recipients) refresh less often
    every = all.reach.advisory.recipients > 1000 ? 15 : REFRESH_S;
    if (!board) board = ackBoard(dBox, ctx, a, sectors);
    board.update(all, unreached, every);
    return true;
  }
  const loop = async () => { if (stopped) return; const go = await refresh(); if (go && !stopped) timer = setTimeout(loop, every * 1000); };
  if (ctx.tracks(a)) await loop();
  return () => { stopped = true; clearTimeout(timer); stopRollcall(); };
}

// ---- issue 11: the acknowledgement board ----

/* The contacts of a recipient (only those not acknowledged carry them; an
 * address only for e-mail). */
function contactsCell(x) {
  const ks = x.contacts || [];
  if (!ks.length) return h('span', { cls: 'empty' }, '—');
  return h('ul', { cls: 'contacts' }, ks.map((k) => h('li', {},
    enumLabel('channel', k.channel), k.address ? [' ', k.channel === 'email' ? h('a', { href: 'mailto:' + k.address }, k.address) : k.address] : null,
    k.emergency ? [' ', flag(t('ab.emergency'), 'warn')] : null)));
}

/* Rows of tbody in the order of items, keyed by key(item): a row whose
 * item did not change is kept as it is (its focus and state with it), a
 * changed one replaced, a gone one removed. */
function syncRows(tbody, items, key, rowFn) {
  const old = new Map();
  for (const tr of Array.from(tbody.children)) old.set(tr.dataset.key, tr);
  let at = tbody.firstChild;
  for (const it of items) {
    const k = key(it), sig = JSON.stringify(it);
    let tr = old.get(k);
    if (tr && tr.dataset.sig === sig) old.delete(k);
    else { tr = rowFn(it); tr.dataset.key = k; tr.dataset.sig = sig; }
    if (tr !== at) tbody.insertBefore(tr, at); else at = at.nextSibling;
  }
  for (const tr of old.values()) if (tr.parentNode === tbody) tr.remove();
}

/* The board of advisory a in box: summary "acknowledged / total" at the
 * top, tiles, reach by CEPTOAR, the not-yet-reached list, and the list of
 * those not acknowledged with their contacts, CSV and reminders. Returns
 * {update(all, unreached, every), fail(text)}. */
function ackBoard(box, ctx, a, sectors) {
  const id = a.id;
  const may = ctx.has('liaison', 'analyst');
  const csvHref = (st) => apiUrl('/advisories/') + enc(id) + '/deliveries?format=csv&state=' + st;
  const el = {
    sumN: h('span', { cls: 'n', id: 'ack-summary-n' }),
    sumPct: h('span', { id: 'ack-summary-pct' }),
    meter: h('meter', { min: 0, max: 1, value: 0, 'aria-hidden': 'true' }),
    meta: h('p', { cls: 'meta', id: 'dl-meta' }),
    recipients: h('span', { cls: 'n' }), acked: h('span', { cls: 'n', id: 'acked-count' }),
    unreachedN: h('span', { cls: 'n', id: 'unreached-count' }), reach1d: h('span', { cls: 'n' }),
    tta: h('div', { cls: 'tile', hidden: true }, h('span', { cls: 'n' }), 'p50 ' + t('drill.tta').split(' p50')[0]),
    states: h('p', { cls: 'meta', id: 'dl-states' }),
    reach: h('div', { id: 'reach' }),
    unreachedH: h('h3', { id: 'unreached-h' }),
    unreachedMax: h('p', { cls: 'meta', hidden: true }, t('adv.first', { n: SHOW_MAX })),
    unreachedNone: h('p', { cls: 'empty' }, t('adv.unreachednone')),
    notackedSum: h('summary', { id: 'notacked-sum' }),
    out: h('div', { id: 'remind-out', 'aria-live': 'polite' }),
    err: h('div', { 'aria-live': 'polite' }),
  };
  const remind = async (orgs, btn) => {
    clear(el.out);
    btn.disabled = true;
    try {
      const r = await post('/advisories/' + enc(id) + '/remind', orgs ? { orgs } : {});
      if (!r.reminded.length) put(el.out, msg(t('ab.nonesent', { n: r.skipped.length }), 'warn'));
      else put(el.out, msg(t('ab.reminded', { n: r.reminded.length, m: r.messages }) +
        (r.skipped.length ? ' ' + t('ab.skipped', { n: r.skipped.length }) : ''), 'ok'));
    } catch (e) { put(el.out, msg(errText(e), 'err')); }
    finally { btn.disabled = false; }
  };
  const cols = (withRemind) => [
    [t('org'), (x) => h('span', {}, L(x.name), h('br'), h('span', { cls: 'id' }, x.org))],
    [t('adv.via'), (x) => x.via ? ctx.orgLabel(x.via) : '—'],
    [t('state'), (x) => enumLabel('dstate', x.state)],
    [t('ab.contacts'), contactsCell],
    [t('inbox.received'), (x) => time(x.released_at)],
    withRemind && may ? [t('ab.remind'), (x) => x.state === 'pending' ? h('span', { cls: 'empty' }, '—')
      : h('button', { type: 'button', cls: 'small', 'data-remind': x.org, 'aria-label': t('ab.remindone', { org: L(x.name) }),
        on: { click: (e) => remind([x.org], e.currentTarget) } }, t('ab.remind'))] : null,
  ].filter(Boolean);
  const unreachedTable = table(cols(false), []);
  const notackedTable = table(cols(true), []);
  const remindAll = may ? h('button', { type: 'button', id: 'remind-all', on: { click: (e) => remind(null, e.currentTarget) } }, t('ab.remindall')) : null;
  const notacked = h('details', { id: 'notacked-box' }, el.notackedSum,
    h('div', { cls: 'actions' }, remindAll,
      h('a', { href: csvHref('all'), id: 'ab-csv', download: 'deliveries-' + id + '.csv' }, t('ab.csvall')),
      h('a', { href: csvHref('unreached'), id: 'ab-csv-unreached', download: 'unreached-' + id + '.csv' }, t('ab.csvunreached'))),
    may ? h('p', { cls: 'hint' }, t('ab.remindhint')) : null,
    el.out, h('div', { id: 'notacked' }, notackedTable));
  put(clear(box),
    h('h2', { id: 'dl-h' }, t('adv.deliveries')),
    h('p', { cls: 'ack-summary', id: 'ack-summary' }, h('span', {}, t('ab.summary')), ' ', el.sumN, ' ', el.meter, ' ', el.sumPct),
    el.meta, el.err,
    h('div', { cls: 'tiles' },
      h('div', { cls: 'tile' }, el.recipients, t('adv.recipients')),
      h('div', { cls: 'tile' }, el.acked, enumLabel('dstate', 'acknowledged')),
      h('div', { cls: 'tile' }, el.unreachedN, t('adv.unreached')),
      h('div', { cls: 'tile' }, el.reach1d, t('adv.reach1d')), el.tta),
    el.states,
    h('h3', {}, t('adv.reach')), el.reach,
    el.unreachedH, el.unreachedMax, el.unreachedNone, h('div', { id: 'unreached' }, unreachedTable),
    h('h3', { id: 'notacked-h' }, t('ab.notacked')), notacked);
  let n = 0;
  return {
    fail(text) { put(clear(el.err), msg(text, 'err')); },
    update(all, unreached, every) {
      clear(el.err);
      const counts = {};
      for (const it of all.items) counts[it.state] = (counts[it.state] || 0) + 1;
      const r = all.reach.advisory;
      const acked = counts.acknowledged || 0, total = all.items.length;
      el.sumN.textContent = acked + ' / ' + total;
      el.meter.value = total ? acked / total : 0;
      el.sumPct.textContent = '(' + pct(total ? acked / total : 0) + ')';
      put(clear(el.meta), t('adv.autorefresh', { s: every }), ' · ', t('updated') + ': ', time(new Date().toISOString()));
      el.recipients.textContent = String(r.recipients);
      el.acked.textContent = String(acked);
      el.unreachedN.textContent = String(unreached.items.length);
      el.reach1d.textContent = pct(r.reach_1d);
      const p50 = r.time_to_acknowledge && r.time_to_acknowledge.p50_s;
      el.tta.hidden = p50 === undefined;
      if (p50 !== undefined) el.tta.firstChild.textContent = dur(p50);
      put(clear(el.states), t('adv.states') + ': ', Object.entries(counts).map(([s, k]) => h('span', {}, enumLabel('dstate', s) + ' ' + k + '  ')));
      put(clear(el.reach), reachTable(all.reach.by_ceptoar, sectors));
      el.unreachedH.textContent = t('adv.unreached') + paren(unreached.items.length);
      el.unreachedMax.hidden = unreached.items.length <= SHOW_MAX;
      el.unreachedNone.hidden = unreached.items.length > 0;
      unreachedTable.hidden = unreached.items.length === 0;
      const rowU = (x) => h('tr', { 'data-org': x.org }, cols(false).map((c) => h('td', {}, c[1](x))));
      syncRows(unreachedTable.querySelector('tbody'), unreached.items.slice(0, SHOW_MAX), (x) => x.org, rowU);
      const waiting = all.items.filter((x) => x.state !== 'acknowledged');
      el.notackedSum.textContent = t('ab.notackedsum', { n: waiting.length, total });
      const rowW = (x) => h('tr', { 'data-org': x.org }, cols(true).map((c) => h('td', {}, c[1](x))));
      syncRows(notackedTable.querySelector('tbody'), waiting.slice(0, SHOW_MAX), (x) => x.org, rowW);
      if (remindAll) remindAll.disabled = !waiting.some((x) => x.state !== 'pending');
      box.dataset.refreshes = String(++n);
    },
  };
}
