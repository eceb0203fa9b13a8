// page-audit.js - the audit log for auditors (GET /api/v1/audit, newest
// page first) and the hash-chain verification (GET /api/v1/audit/verify).
// NISC and hub admins see every entry (anonymous reporters withheld); any
// other auditor sees its own organisation's entries, whose sequence numbers
// have gaps, so pages are fetched by sequence bounds (before / after).
import { h, table, msg, time, clear, flag, put } from './dom.js';
import { t } from './i18n.js';
import { get } from './api.js';

const LIMIT = 100;
const TOP = Number.MAX_SAFE_INTEGER;

export async function render(main, { ctx }) {
  put(main, h('h1', { 'data-title': t('audit.title') }, t('audit.title')));
  if (!ctx.has('auditor')) { put(main, msg(t('forbidden'), 'err')); return; }
  const v = await get('/audit/verify');
  put(main, h('div', { cls: 'card', id: 'verify' }, h('h2', {}, t('audit.verify')),
    v.ok ? h('p', {}, flag('OK', 'ok'), ' ', t('audit.ok', { n: v.entries })) : h('p', {}, flag('NG', 'warn'), ' ', t('audit.bad', { n: v.problems.length })),
    v.problems.length ? h('ul', {}, v.problems.map((p) => h('li', {}, '#' + p.seq + ' ' + p.kind + ': ' + p.message))) : null,
    h('p', { cls: 'meta' }, t('audit.head') + ': '), h('code', { cls: 'id' }, v.head)));
  const note = h('p', { cls: 'meta', id: 'audit-scope' });
  const box = h('div', { id: 'audit-list' });
  const nav = h('div', { cls: 'actions' });
  put(main, note, nav, box);
  // q: { before } (the newest LIMIT entries below it) or { after }
  async function load(q) {
    const r = await get('/audit?' + (q.before ? 'before=' + q.before : 'after=' + q.after) + '&limit=' + LIMIT);
    put(clear(note), t('audit.scope.' + r.scope));
    const full = r.items.length === LIMIT;
    const oldest = r.items.length ? r.items[0].seq : null;
    const newest = r.items.length ? r.items[r.items.length - 1].seq : null;
    const items = r.items.slice().reverse();
    put(clear(box), table([
      [t('audit.seq'), (e) => String(e.seq), 'num'], [t('time'), (e) => time(e.at)],
      [t('audit.actor'), (e) => (e.actor_withheld ? t('audit.withheld') : [e.actor_org || t('audit.hub'), e.actor_user ? ' #' + e.actor_user : ''])],
      [t('audit.action'), (e) => h('code', {}, e.action)], [t('audit.target'), (e) => h('span', { cls: 'id' }, e.target || '')],
      [t('audit.detail'), (e) => h('code', { cls: 'pre' }, e.detail && Object.keys(e.detail).length ? JSON.stringify(e.detail) : '')],
    ], items, (e) => ({ 'data-action': e.action, 'data-target': e.target || '' })));
    const atTop = q.before === TOP || (!q.before && !full);
    const atBottom = oldest === null || (q.before && !full);
    put(clear(nav),
      h('button', { type: 'button', cls: 'secondary', disabled: q.before === TOP, on: { click: () => load({ before: TOP }) } }, t('audit.newest')),
      h('button', { type: 'button', cls: 'secondary', disabled: atTop || newest === null, on: { click: () => load({ after: newest }) } }, t('audit.newer')),
      h('button', { type: 'button', cls: 'secondary', disabled: atBottom, on: { click: () => load({ before: oldest }) } }, t('audit.older')),
      h('span', { cls: 'meta' }, oldest === null ? '—' : `#${oldest}–#${newest}`));
  }
  await load({ before: TOP });
}
