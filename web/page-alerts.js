// page-alerts.js - NISC and ministries: severe reports (severity 4 or
// more) that a hop they reached has not opened yet, by hop
// (GET /api/v1/reports/unopened; docs/rules.md "Upward alerts").
import { h, link, table, sevBadge, rangeBadge, time, put, enc } from './dom.js';
import { t, L, dur } from './i18n.js';
import { get } from './api.js';
import { reporterCell } from './page-reports.js';

export async function render(main, { ctx }) {
  put(main, h('h1', { 'data-title': t('al.title') }, t('al.title')),
    h('p', { cls: 'meta' }, t('al.intro')));
  const r = await get('/reports/unopened');
  const out = h('div', { id: 'alerts-out' });
  put(main, out);
  if (!r.hops.length) { put(out, h('p', { cls: 'empty' }, t('al.none'))); return; }
  put(out, h('p', { id: 'alerts-total' }, t('al.total', { n: r.total })));
  for (const g of r.hops) {
    put(out, h('section', { cls: 'card', 'data-hop': g.org },
      h('h2', {}, L(g.name) || ctx.orgLabel(g.org), ' ', h('span', { cls: 'id' }, g.org)),
      table([
        [t('id'), (x) => link('/reports/' + enc(x.id), h('span', { cls: 'id' }, x.id))],
        [t('title'), (x) => link('/reports/' + enc(x.id), x.title || '—')],
        [t('severity'), (x) => sevBadge(x.alert.severity)],
        [t('range'), (x) => rangeBadge(x.range)],
        [t('reports.reporter'), reporterCell],
        [t('time'), (x) => time(x.alert.alerted_at)],
        [t('al.waiting'), (x) => dur(x.alert.waiting_s)],
        [t('al.round'), (x) => String(x.alert.round)],
        [t('al.reminded'), (x) => x.alert.reminded_at ? time(x.alert.reminded_at) : t('al.no')],
      ], g.items)));
  }
}
