// page-audit.js - the audit log for auditors (GET /api/v1/audit, newest
// page first) and the hash-chain verification (GET /api/v1/audit/verify).
import { h, table, msg, time, clear, flag, put } from './dom.js';
import { t } from './i18n.js';
import { get } from './api.js';

const LIMIT = 100;

export async function render(main, { ctx }) {
  put(main, h('h1', { 'data-title': t('audit.title') }, t('audit.title')));
  if (!ctx.has('auditor')) { put(main, msg(t('forbidden'), 'err')); return; }
  const v = await get('/audit/verify');
  put(main, h('div', { cls: 'card', id: 'verify' }, h('h2', {}, t('audit.verify')),
    v.ok ? h('p', {}, flag('OK', 'ok'), ' ', t('audit.ok', { n: v.entries })) : h('p', {}, flag('NG', 'warn'), ' ', t('audit.bad', { n: v.problems.length })),
    v.problems.length ? h('ul', {}, v.problems.map((p) => h('li', {}, '#' + p.seq + ' ' + p.kind + ': ' + p.message))) : null,
    h('p', { cls: 'meta' }, t('audit.head') + ': '), h('code', { cls: 'id' }, v.head)));
  const total = v.entries;
  let after = Math.max(0, total - LIMIT);
  const box = h('div', { id: 'audit-list' });
  const nav = h('div', { cls: 'actions' });
  put(main, nav, box);
  async function load() {
    const r = await get('/audit?after=' + after + '&limit=' + LIMIT);
    const items = r.items.slice().reverse();
    put(clear(box), table([
      [t('audit.seq'), (e) => String(e.seq), 'num'], [t('time'), (e) => time(e.at)],
      [t('audit.actor'), (e) => (e.actor_withheld ? t('audit.withheld') : [e.actor_org || t('audit.hub'), e.actor_user ? ' #' + e.actor_user : ''])],
      [t('audit.action'), (e) => h('code', {}, e.action)], [t('audit.target'), (e) => h('span', { cls: 'id' }, e.target || '')],
      [t('audit.detail'), (e) => h('code', { cls: 'pre' }, e.detail && Object.keys(e.detail).length ? JSON.stringify(e.detail) : '')],
    ], items, (e) => ({ 'data-action': e.action, 'data-target': e.target || '' })));
    put(clear(nav), 
      h('button', { type: 'button', cls: 'secondary', disabled: after + LIMIT >= total, on: { click: () => { after = Math.max(0, total - LIMIT); load(); } } }, t('audit.newest')),
      h('button', { type: 'button', cls: 'secondary', disabled: after + LIMIT >= total, on: { click: () => { after = Math.min(total - LIMIT, after + LIMIT); load(); } } }, t('audit.newer')),
      h('button', { type: 'button', cls: 'secondary', disabled: after <= 0, on: { click: () => { after = Math.max(0, after - LIMIT); load(); } } }, t('audit.older')),
      h('span', { cls: 'meta' }, `#${after + 1}–#${Math.min(total, after + LIMIT)} / ${total}`));
  }
  await load();
}
