// page-advisory.js - one advisory: text, chain, our relay (sector note,
// narrowing), our acknowledgement, and - for the author's chain and the
// secretariats - live delivery status, reach by CEPTOAR and the "not yet
// reached" list, refreshed every few seconds.
import { h, link, table, select, msg, errText, sevBadge, rangeBadge, flag, time, clear, field, dl, enc, put } from './dom.js';
import { t, L, enumLabel, lang, dur } from './i18n.js';
import { get, post } from './api.js';
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
  put(main, h('h1', { 'data-title': t('adv.title') + ' ' + id }, L(a.title)),
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

  // deliveries: only the author's chain and the secretariats may see them
  const dBox = h('section', { id: 'deliveries', 'aria-labelledby': 'dl-h' });
  put(main, dBox);
  let timer = null, stopped = false, every = REFRESH_S;
  async function refresh() {
    let all, unreached;
    try {
      [all, unreached] = await Promise.all([get('/advisories/' + enc(id) + '/deliveries?state=all'), get('/advisories/' + enc(id) + '/deliveries?state=unreached')]);
    } catch (e) {
      if (e.status === 403) { clear(dBox); return false; }
      put(clear(dBox), msg(errText(e), 'err'));
      return true;
    }
    if (stopped) return false;
    const counts = {};
    for (const it of all.items) counts[it.state] = (counts[it.state] || 0) + 1;
    const awaiting = all.items.filter((it) => it.state !== 'acknowledged' && it.state !== 'unreached');
    const r = all.reach.advisory;
    // large audiences (thousands of recipients) refresh less often
    every = r.recipients > 1000 ? 15 : REFRESH_S;
    put(clear(dBox), 
      h('h2', { id: 'dl-h' }, t('adv.deliveries')),
      h('p', { cls: 'meta' }, t('adv.autorefresh', { s: every }), ' · ', t('updated') + ': ', time(new Date().toISOString())),
      h('div', { cls: 'tiles' },
        h('div', { cls: 'tile' }, h('span', { cls: 'n' }, String(r.recipients)), t('adv.recipients')),
        h('div', { cls: 'tile' }, h('span', { cls: 'n', id: 'acked-count' }, String(counts.acknowledged || 0)), enumLabel('dstate', 'acknowledged')),
        h('div', { cls: 'tile' }, h('span', { cls: 'n', id: 'unreached-count' }, String(unreached.items.length)), t('adv.unreached')),
        h('div', { cls: 'tile' }, h('span', { cls: 'n' }, pct(r.reach_1d)), t('adv.reach1d')),
        r.time_to_acknowledge && r.time_to_acknowledge.p50_s !== undefined ? h('div', { cls: 'tile' }, h('span', { cls: 'n' }, dur(r.time_to_acknowledge.p50_s)), 'p50 ' + t('drill.tta').split(' p50')[0]) : null),
      h('p', { cls: 'meta' }, t('adv.states') + ': ', Object.entries(counts).map(([s, n]) => h('span', {}, enumLabel('dstate', s) + ' ' + n + '  '))),
      h('h3', {}, t('adv.reach')), h('div', { id: 'reach' }, reachTable(all.reach.by_ceptoar, sectors)),
      h('h3', { id: 'unreached-h' }, t('adv.unreached') + ' (' + unreached.items.length + ')'),
      unreached.items.length > SHOW_MAX ? h('p', { cls: 'meta' }, t('adv.first', { n: SHOW_MAX })) : null,
      h('div', { id: 'unreached' }, unreached.items.length ? table([
        [t('org'), (x) => L(x.name)], [t('id'), (x) => h('span', { cls: 'id' }, x.org)], [t('adv.via'), (x) => ctx.orgLabel(x.via)],
        [t('state'), (x) => enumLabel('dstate', x.state)], [t('inbox.received'), (x) => time(x.released_at)],
        [t('adv.channel'), (x) => enumLabel('channel', x.channel)],
      ], unreached.items.slice(0, SHOW_MAX), (x) => ({ 'data-org': x.org })) : h('p', { cls: 'empty' }, t('adv.unreachednone'))),
      h('h3', {}, t('adv.awaiting') + ' (' + awaiting.length + ')'),
      awaiting.length ? h('details', {}, h('summary', {}, t('adv.awaiting')), table([
        [t('org'), (x) => L(x.name)], [t('id'), (x) => h('span', { cls: 'id' }, x.org)], [t('state'), (x) => enumLabel('dstate', x.state)],
        [t('adv.channel'), (x) => enumLabel('channel', x.channel)], [t('inbox.received'), (x) => time(x.released_at)],
      ], awaiting.slice(0, SHOW_MAX))) : null);
    return true;
  }
  const loop = async () => { if (stopped) return; const go = await refresh(); if (go && !stopped) timer = setTimeout(loop, every * 1000); };
  if (ctx.tracks(a)) await loop();
  return () => { stopped = true; clearTimeout(timer); stopRollcall(); };
}
