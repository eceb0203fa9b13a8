// page-advisories.js - the inbox (GET /api/v1/advisories?inbox=true) with
// unread / unacknowledged state and one-click acknowledgement, and the
// list of advisories with those waiting for our relay.
// "Unread" is kept per browser as a set of advisory ids (ids only, never
// content) because the API records acknowledgement, not reading.
import { h, link, table, msg, errText, sevBadge, rangeBadge, flag, time, clear, enc, put } from './dom.js';
import { t, L, enumLabel, dur } from './i18n.js';
import { get, post } from './api.js';

export function readSet(ctx) {
  const key = 'infrashare.read.' + ctx.me.id;
  let s;
  try { s = new Set(JSON.parse(localStorage.getItem(key) || '[]')); } catch (e) { s = new Set(); }
  return {
    has: (id) => s.has(id),
    add: (id) => { s.add(id); try { localStorage.setItem(key, JSON.stringify([...s].slice(-2000))); } catch (e) { /* full */ } },
  };
}

function flags(a) {
  return [a.drill ? flag(t('adv.drill')) : null, a.hotline ? flag(t('adv.hotline'), 'warn') : null];
}

export async function render(main, { ctx, name }) {
  return name === 'inbox' ? inbox(main, ctx) : list(main, ctx);
}

async function inbox(main, ctx) {
  put(main, h('h1', { 'data-title': t('inbox.title') }, t('inbox.title')), h('p', {}, t('inbox.intro')));
  const read = readSet(ctx);
  const out = h('div', { id: 'inbox' });
  put(main, out);
  const r = await get('/advisories?inbox=true&limit=200');
  if (!r.items.length) { put(out, h('p', { cls: 'empty' }, t('inbox.none'))); return; }
  const ackCell = (a) => {
    const cell = h('span', {});
    const m = a.mine || {};
    if (m.acknowledged) put(cell, flag(t('inbox.acked', { at: '' }).trim(), 'ok'), ' ', time(m.acked_at));
    else if (a.form) put(cell, flag(t('rc.unanswered'), 'warn'), ' ', link('/advisories/' + enc(a.id), t('rc.submit'))); // a roll call: answering acknowledges
    else if (ctx.has('liaison')) {
      put(cell, flag(t('inbox.unacked'), 'warn'), ' ', h('button', { type: 'button', 'data-ack': a.id, 'aria-label': t('inbox.ack') + ' ' + a.id, on: { click: async (e) => {
        e.target.disabled = true;
        try {
          const res = await post('/advisories/' + enc(a.id) + '/ack');
          a.mine = Object.assign({}, m, { acknowledged: true, acked_at: res.acked_at });
          put(clear(cell), ...[ackCell(a)]);
          ctx.say(t('inbox.ackdone'), 'ok');
        } catch (err) { e.target.disabled = false; ctx.say(errText(err), 'err'); }
      } } }, t('inbox.ack')));
    } else put(cell, flag(t('inbox.unacked'), 'warn'));
    return cell;
  };
  put(out, table([
    [t('state'), (a) => (read.has(a.id) ? '' : flag(t('inbox.new'), 'warn'))],
    [t('title'), (a) => [link('/advisories/' + enc(a.id), L(a.title)), ' ', flags(a)]],
    [t('severity'), (a) => sevBadge(a.severity)],
    [t('range'), (a) => rangeBadge(a.range, a.tlp)],
    [t('kind'), (a) => enumLabel('advkind', a.kind)],
    [t('adv.author'), (a) => L(a.author_name)],
    [t('inbox.received'), (a) => time(a.mine && a.mine.released_at)],
    [t('inbox.ack'), (a) => [ackCell(a), h('br'), h('span', { cls: 'meta' }, t('inbox.within', { w: dur(a.ack_deadline_min * 60) }))]],
  ], r.items, (a) => ({ cls: read.has(a.id) ? null : 'unread', 'data-id': a.id })));
}

async function list(main, ctx) {
  const me = ctx.me;
  const k = me.org_kind;
  put(main, h('h1', { 'data-title': t('adv.title') }, t('adv.title')));
  if (ctx.has('liaison', 'analyst') && ['nisc', 'ministry', 'ceptoar', 'council', 'agency'].includes(k)) {
    put(main, h('p', {}, h('a', { href: '#/advisories/new', cls: 'button' }, t('nav.issue'))));
  }
  const r = await get('/advisories?limit=50');
  // waiting for our relay: the chain of each listed advisory (hops only)
  if (['ministry', 'ceptoar'].includes(k)) {
    const box = h('div', { id: 'waiting' }, h('p', { cls: 'loading' }, t('loading')));
    put(main, h('h2', {}, t('adv.waiting')), box);
    const full = await Promise.all(r.items.filter((a) => a.author !== me.org).slice(0, 50)
      .map((a) => get('/advisories/' + enc(a.id)).catch(() => null)));
    const waiting = full.filter((a) => a && (a.chain || []).some((c) => c.org === me.org && c.state === 'waiting'));
    clear(box);
    if (!waiting.length) put(box, h('p', { cls: 'empty' }, t('adv.waitingnone')));
    else put(box, table([
      [t('title'), (a) => [link('/advisories/' + enc(a.id), L(a.title)), ' ', flags(a)]],
      [t('severity'), (a) => sevBadge(a.severity)], [t('range'), (a) => rangeBadge(a.range, a.tlp)],
      [t('adv.author'), (a) => L(a.author_name)], [t('adv.created'), (a) => time(a.created_at)],
      ['', (a) => link('/advisories/' + enc(a.id), t('adv.relay'))],
    ], waiting));
  }
  put(main, h('h2', {}, t('adv.all')));
  if (!r.items.length) { put(main, h('p', { cls: 'empty' }, t('adv.none'))); return; }
  put(main, h('div', { id: 'adv-list' }, table([
    [t('id'), (a) => h('span', { cls: 'id' }, a.id)],
    [t('title'), (a) => [link('/advisories/' + enc(a.id), L(a.title)), ' ', flags(a)]],
    [t('severity'), (a) => sevBadge(a.severity)], [t('range'), (a) => rangeBadge(a.range, a.tlp)],
    [t('kind'), (a) => enumLabel('advkind', a.kind)], [t('adv.author'), (a) => L(a.author_name)],
    [t('adv.created'), (a) => time(a.created_at)],
  ], r.items)));
}
