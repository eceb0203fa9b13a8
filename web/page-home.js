// page-home.js - what needs attention, by the user's role.
import { h, link, sevBadge, msg, errText, put } from './dom.js';
import { t, L } from './i18n.js';
import { get } from './api.js';
import { roleNames, userName } from './names.js';

function tile(n, label, path) {
  const body = [h('span', { cls: 'n' }, String(n)), label];
  return h('div', { cls: 'tile' }, path ? link(path, ...body) : body);
}

export async function render(main, { ctx }) {
  const me = ctx.me;
  put(main, h('h1', { 'data-title': t('home.title') }, t('home.title')),
    h('p', {}, t('home.hello', { user: userName(me), org: ctx.org ? L(ctx.org.name) : me.org })),
    h('p', { cls: 'meta' }, t('home.roles') + ': ' + roleNames(me.roles)));
  const tiles = h('div', { cls: 'tiles' });
  put(main, tiles);
  const k = me.org_kind;
  const jobs = [];
  jobs.push(get('/advisories?inbox=true&limit=200').then((r) => {
    const un = r.items.filter((a) => a.mine && !a.mine.acknowledged).length;
    if (r.items.length || k === 'operator') put(tiles, tile(un, t('home.unacked'), '/inbox'));
  }).catch(() => {}));
  jobs.push(get('/reports/counts').then((c) => {
    put(tiles, tile(c.total, t('home.total'), '/reports'));
    put(tiles, tile((c.by_state && c.by_state.open) || 0, t('home.open'), '/reports'));
    if (k === 'nisc' || k === 'ministry') put(tiles, tile(c.overdue || 0, t('home.overdue'), '/reports'));
    const sev = c.by_severity || {};
    const levels = Object.keys(sev).sort().reverse();
    if (levels.length) {
      put(main, h('h2', {}, t('home.sev')), h('p', { cls: 'meta' },
        levels.map((l) => h('span', {}, sevBadge(+l), ' × ' + sev[l]))));
    }
  }).catch((e) => put(main, msg(errText(e), 'err'))));
  if (k === 'ceptoar' || k === 'ministry' || k === 'agency') {
    jobs.push(get('/reports?limit=200').then((r) => {
      const n = r.items.filter((x) => x.current_hop === me.org).length;
      put(tiles, tile(n, t('home.waiting') + ' (' + t('nav.reports') + ')', '/reports'));
    }).catch(() => {}));
  }
  await Promise.all(jobs);
}
