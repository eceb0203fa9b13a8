// page-advisories.js - the inbox (?inbox=true) and the advisory list:
// filters in the hash query (kept on reload), paging by the API's cursor,
// sorting of the loaded rows, "acks" (acknowledged / total) when the API
// gives it; unread = not acknowledged nor opened (mine.opened_at) by our
// organisation, nor opened in this browser (ids only). docs/ui.md.
import { h, link, table, msg, errText, sevBadge, rangeBadge, flag, time, clear, enc, put, select, enumSelect, field } from './dom.js';
import { t, L, enumLabel, enumValues } from './i18n.js';
import { get, post } from './api.js';
import { ackDue } from './deadline.js';

export function readSet(ctx) {
  const key = 'infrashare.read.' + ctx.me.id;
  let s;
  try { s = new Set(JSON.parse(localStorage.getItem(key) || '[]')); } catch (e) { s = new Set(); }
  return {
    has: (id) => s.has(id),
    add: (id) => { s.add(id); try { localStorage.setItem(key, JSON.stringify([...s].slice(-2000))); } catch (e) { /* full */ } },
  };
}

export function isUnread(a, read) {
  const m = a.mine || {};
  return !m.acknowledged && !m.opened_at && !read.has(a.id);
}

function flags(a) {
  return [a.drill ? flag(t('adv.drill')) : null, a.hotline ? flag(t('adv.hotline'), 'warn') : null];
}

const PAGE = 50;

/* data-label per cell: the cards of narrow screens */
export function labelCells(el, names) {
  for (const tr of el.querySelectorAll('tbody tr')) {
    [...tr.children].forEach((td, i) => { if (names[i]) td.setAttribute('data-label', names[i]); });
  }
}
const FILTERS = ['kind', 'range', 'min_severity', 'acked'];
const RANGES = ['red', 'amber', 'yellow', 'green', 'white'];

/* filters (valid values only), sort, dir from the hash query */
function readQuery() {
  const q = new URLSearchParams((location.hash.split('?')[1]) || '');
  const f = {};
  const ok = {
    kind: (v) => enumValues('advkind').includes(v),
    range: (v) => RANGES.includes(v),
    min_severity: (v) => /^[0-5]$/.test(v),
    acked: (v) => v === 'true' || v === 'false',
  };
  for (const k of FILTERS) { const v = q.get(k); if (v && ok[k](v)) f[k] = v; }
  return { f, sort: q.get('sort') || '', dir: q.get('dir') === 'asc' ? 'asc' : 'desc' };
}

/* '#' + base + the query of o's non-empty values */
export function hashOf(base, o) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v) p.set(k, v);
  const s = p.toString();
  return '#' + base + (s ? '?' + s : '');
}
const hashFor = (base, f, sort, dir) => hashOf(base, Object.assign({}, f, sort ? { sort, dir } : {}));

const rangeOrder = (a) => RANGES.indexOf(a.range);
const ackShare = (a) => (a.acks && a.acks.total ? a.acks.acknowledged / a.acks.total : -1);

export async function render(main, { ctx, name }) {
  const inbox = name === 'inbox';
  const base = inbox ? '/inbox' : '/advisories';
  const me = ctx.me;
  const k = me.org_kind;
  const title = inbox ? t('inbox.title') : t('adv.title');
  put(main, h('h1', { 'data-title': title }, title));
  if (inbox) put(main, h('p', {}, t('inbox.intro')));
  else if (ctx.has('liaison', 'analyst') && ['nisc', 'ministry', 'ceptoar', 'council', 'agency'].includes(k)) {
    put(main, h('p', {}, h('a', { href: '#/advisories/new', cls: 'button' }, t('nav.issue'))));
  }
  const read = readSet(ctx);
  const { f, sort: sort0, dir: dir0 } = readQuery();
  let sort = sort0, dir = dir0;

  // the filters: applying one changes the URL (a new page load of the view)
  const fKind = enumSelect('kind', 'advkind', enumValues('advkind'), f.kind || '', t('advl.any'), { id: 'f-kind' });
  const fRange = select('range', [['', t('advl.any')]].concat(RANGES.map((r) => [r, r.toUpperCase()])), f.range || '', { id: 'f-range' });
  const fSev = select('min_severity', [['', t('advl.any')]].concat([5, 4, 3, 2, 1, 0].map((l) => [String(l), l + '+'])), f.min_severity || '', { id: 'f-sev' });
  const fAck = select('acked', [['', t('advl.any')], ['false', t('advl.acked.false')], ['true', t('advl.acked.true')]], f.acked || '', { id: 'f-acked' });
  const form = h('form', { cls: 'card filters', role: 'search', id: 'adv-filters', 'aria-label': t('advl.filters') },
    field(t('kind'), fKind), field(t('range'), fRange), field(t('advl.minsev'), fSev), field(t('advl.acked'), fAck),
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('advl.apply')),
      h('button', { type: 'button', cls: 'secondary', on: { click: () => { location.hash = hashFor(base, {}, sort, dir); } } }, t('advl.reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const nf = { kind: fKind.value, range: fRange.value, min_severity: fSev.value, acked: fAck.value };
    location.hash = hashFor(base, nf, sort, dir);
  });

  const query = (cursor) => {
    const p = new URLSearchParams();
    if (inbox) p.set('inbox', 'true');
    for (const k2 of FILTERS) if (f[k2]) p.set(k2, f[k2]);
    p.set('limit', String(PAGE));
    if (cursor) p.set('cursor', cursor);
    return '/advisories?' + p.toString();
  };
  const first = await get(query(null));
  let items = first.items, next = first.next_cursor;

  // waiting for our relay: the chain of each advisory on the first page
  if (!inbox && ['ministry', 'ceptoar'].includes(k)) {
    const box = h('div', { id: 'waiting' }, h('p', { cls: 'loading' }, t('loading')));
    put(main, h('h2', {}, t('adv.waiting')), box);
    const full = await Promise.all(first.items.filter((a) => a.author !== me.org).slice(0, 50)
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

  if (!inbox) put(main, h('h2', {}, t('adv.all')));
  put(main, form);
  const info = h('p', { cls: 'meta', id: 'adv-count', 'aria-live': 'polite' });
  const out = h('div', { id: inbox ? 'inbox' : 'adv-list', cls: 'cards' });
  const moreBox = h('div', { cls: 'actions', id: 'adv-more' });
  put(main, info, out, moreBox);

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
          ctx.say(t('inbox.ackdone'), 'ok');
          draw(); // the unread mark goes with the acknowledgement
        } catch (err) { e.target.disabled = false; ctx.say(errText(err), 'err'); }
      } } }, t('inbox.ack')));
    } else put(cell, flag(t('inbox.unacked'), 'warn'));
    return cell;
  };

  // columns: [key, header, cell, sort value]
  const hasAcks = () => items.some((a) => a.acks);
  function columns() {
    const cols = [];
    if (inbox) cols.push(['unread', t('state'), (a) => (isUnread(a, read) ? flag(t('inbox.new'), 'warn') : ''), (a) => (isUnread(a, read) ? 1 : 0)]);
    else cols.push(['id', t('id'), (a) => h('span', { cls: 'id' }, a.id), (a) => a.id]);
    cols.push(
      ['title', t('title'), (a) => [link('/advisories/' + enc(a.id), L(a.title)), ' ', flags(a)], (a) => L(a.title)],
      ['severity', t('severity'), (a) => sevBadge(a.severity), (a) => a.severity],
      ['range', t('range'), (a) => rangeBadge(a.range, a.tlp), rangeOrder],
      ['kind', t('kind'), (a) => enumLabel('advkind', a.kind), (a) => enumLabel('advkind', a.kind)],
      ['author', t('adv.author'), (a) => L(a.author_name), (a) => L(a.author_name)]);
    if (inbox) {
      cols.push(['received', t('inbox.received'), (a) => time(a.mine && a.mine.released_at), (a) => (a.mine && a.mine.released_at) || '']);
      cols.push(['ack', t('inbox.ack'), (a) => [ackCell(a), h('br'), ackDue(a)], (a) => (a.mine && a.mine.acknowledged ? 1 : 0)]);
    } else cols.push(['created', t('adv.created'), (a) => time(a.created_at), (a) => a.created_at]);
    if (hasAcks()) cols.push(['acks', t('advl.acks'), (a) => (a.acks ? h('span', { cls: 'acks', 'data-acks': a.acks.acknowledged + '/' + a.acks.total }, a.acks.acknowledged + ' / ' + a.acks.total) : h('span', { cls: 'empty' }, '—')), ackShare, 'num']);
    return cols;
  }
  function sorted(cols) {
    const c = cols.find((x) => x[0] === sort);
    if (!c) return items;
    const m = dir === 'asc' ? 1 : -1;
    return items.map((a, i) => [a, i]).sort((x, y) => {
      const u = c[3](x[0]), v = c[3](y[0]);
      const r = typeof u === 'number' && typeof v === 'number' ? u - v : String(u).localeCompare(String(v), undefined, { numeric: true });
      return r ? r * m : x[1] - y[1];
    }).map((x) => x[0]);
  }
  function header(c) {
    const on = sort === c[0];
    const label = on ? (dir === 'asc' ? ' ▲' : ' ▼') : '';
    return h('button', { type: 'button', cls: 'sort', 'data-sort': c[0],
      on: { click: () => {
        if (sort === c[0]) dir = dir === 'asc' ? 'desc' : 'asc';
        else { sort = c[0]; dir = c[0] === 'title' || c[0] === 'kind' || c[0] === 'author' || c[0] === 'id' ? 'asc' : 'desc'; }
        // the URL keeps the order without loading the page again
        history.replaceState(null, '', hashFor(base, f, sort, dir));
        draw();
        const b = out.querySelector('button[data-sort="' + c[0] + '"]');
        if (b) b.focus();
      } } }, c[1], label);
  }
  function draw() {
    clear(out);
    const filtered = FILTERS.some((k2) => f[k2]);
    info.textContent = t('advl.shown', { n: items.length }) + (next ? '' : ' · ' + t('advl.end')) + (sort ? ' · ' + t('advl.sortnote') : '');
    if (!items.length) { put(out, h('p', { cls: 'empty' }, filtered ? t('advl.none') : inbox ? t('inbox.none') : t('adv.none'))); return; }
    const cols = columns();
    const el = table(cols.map((c) => [header(c), c[2], c[4] || null]), sorted(cols),
      (a) => ({ cls: inbox && isUnread(a, read) ? 'unread' : null, 'data-id': a.id }));
    const ths = el.querySelectorAll('thead th');
    cols.forEach((c, i) => { if (c[0] === sort && ths[i]) ths[i].setAttribute('aria-sort', dir === 'asc' ? 'ascending' : 'descending'); });
    labelCells(el, cols.map((c) => c[1]));
    put(out, el);
  }
  function drawMore() {
    clear(moreBox);
    if (next) put(moreBox, h('button', { type: 'button', cls: 'secondary', id: 'adv-more-btn', on: { click: async (e) => {
      e.target.disabled = true;
      try {
        const r = await get(query(next));
        items = items.concat(r.items);
        next = r.next_cursor;
        draw(); drawMore();
        const b = document.getElementById('adv-more-btn');
        if (b) b.focus();
      } catch (err) { e.target.disabled = false; ctx.say(errText(err), 'err'); }
    } } }, t('advl.more', { n: PAGE })));
  }
  draw(); drawMore();
}
