// page-audit.js - the audit log for auditors, newest page first, paged by
// sequence bounds (an organisation's view numbers its own entries 1, 2, ...),
// and the chain's verification. Filters in the hash query, sent to the API; the CSV export
// with the same filters; actors, actions (i18n "auditact") by name.
import { h, table, msg, time, clear, flag, put, field, select, errText } from './dom.js';
import { t, L, enumLabel, enumValues, jstInputToRfc } from './i18n.js';
import { get } from './api.js';
import { labelCells, hashOf } from './page-advisories.js';

const LIMIT = 100;
const TOP = Number.MAX_SAFE_INTEGER;
const FILTERS = ['actor_org', 'actor_user', 'action', 'from', 'to'];

const p2 = (n) => String(n).padStart(2, '0');
/* RFC 3339 -> the value of a datetime-local input in JST */
function rfcToJstInput(s) {
  const d = new Date(s);
  if (isNaN(d.getTime())) return '';
  const j = new Date(d.getTime() + 9 * 3600e3);
  return `${j.getUTCFullYear()}-${p2(j.getUTCMonth() + 1)}-${p2(j.getUTCDate())}T${p2(j.getUTCHours())}:${p2(j.getUTCMinutes())}`;
}

function readQuery() {
  const q = new URLSearchParams((location.hash.split('?')[1]) || '');
  const f = {};
  for (const k of FILTERS) { const v = q.get(k); if (v) f[k] = v; }
  return f;
}

const hashFor = (f) => hashOf('/audit', f);

/* "username (organisation name)"; the system; a withheld actor */
export function actorText(e) {
  if (e.actor_withheld) return t('audit.withheld');
  if (!e.actor_org && !e.actor_user) return t('auditf.system');
  const user = e.actor_name || (e.actor_user ? t('auditf.unknownuser', { id: e.actor_user }) : '');
  const org = e.actor_org_name ? L(e.actor_org_name) : (e.actor_org || '');
  return user ? (org ? user + ' (' + org + ')' : user) : org;
}

/* an action code as words; the code itself (a test keeps the table whole) */
export function actionText(code) {
  return enumLabel('auditact', code);
}

function valueText(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => k + ': ' + valueText(x)).join('; ');
  return String(v);
}

/* details as "key: value" lines */
export function detailLines(d) {
  const keys = d ? Object.keys(d) : [];
  if (!keys.length) return h('span', { cls: 'empty' }, '—');
  return h('dl', { cls: 'kv' }, keys.sort().map((k) => [h('dt', {}, k), h('dd', {}, valueText(d[k]))]));
}

export async function render(main, { ctx }) {
  put(main, h('h1', { 'data-title': t('audit.title') }, t('audit.title')));
  if (!ctx.has('auditor')) { put(main, msg(t('forbidden'), 'err')); return; }
  const v = await get('/audit/verify');
  put(main, h('div', { cls: 'card', id: 'verify' }, h('h2', {}, t('audit.verify')),
    v.ok ? h('p', {}, flag('OK', 'ok'), ' ', t('audit.ok', { n: v.entries })) : h('p', {}, flag('NG', 'warn'), ' ', t('audit.bad', { n: v.problems.length })),
    v.problems.length ? h('ul', {}, v.problems.map((p) => h('li', {}, '#' + p.seq + ' ' + p.kind + ': ' + p.message))) : null,
    h('p', { cls: 'meta' }, t('audit.head') + ': '), h('code', { cls: 'id' }, v.head)));

  const f = readQuery();
  const codes = enumValues('auditact');
  const fOrg = h('input', { type: 'text', name: 'actor_org', id: 'af-org', maxlength: 63, value: f.actor_org || '', autocomplete: 'off' });
  const fUser = h('input', { type: 'text', name: 'actor_user', id: 'af-user', inputmode: 'numeric', pattern: '[0-9]*', maxlength: 18, value: f.actor_user || '' });
  const fAct = select('action', [['', t('advl.any')]].concat(codes.map((c) => [c, actionText(c)])), f.action || '', { id: 'af-action' });
  const fFrom = h('input', { type: 'datetime-local', name: 'from', id: 'af-from', value: f.from ? rfcToJstInput(f.from) : '' });
  const fTo = h('input', { type: 'datetime-local', name: 'to', id: 'af-to', value: f.to ? rfcToJstInput(f.to) : '' });
  const exportQ = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) exportQ.set(k, f[k]);
  exportQ.set('format', 'csv');
  const form = h('form', { cls: 'card filters', role: 'search', id: 'audit-filters', 'aria-label': t('advl.filters') },
    field(t('auditf.actor'), fOrg), field(t('auditf.user'), fUser), field(t('auditf.action'), fAct),
    field(t('auditf.from'), fFrom), field(t('auditf.to'), fTo),
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('auditf.apply')),
      h('button', { type: 'button', cls: 'secondary', on: { click: () => { location.hash = '#/audit'; } } }, t('auditf.reset')),
      h('a', { cls: 'button secondary', id: 'audit-export', href: '/api/v1/audit/export?' + exportQ.toString(), download: 'audit.csv' }, t('auditf.export'))),
    h('p', { cls: 'hint' }, t('auditf.exportnote')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = hashFor({ actor_org: fOrg.value.trim(), actor_user: fUser.value.trim(), action: fAct.value,
      from: jstInputToRfc(fFrom.value) || '', to: jstInputToRfc(fTo.value) || '' });
  });
  put(main, form);

  const note = h('p', { cls: 'meta', id: 'audit-scope' });
  const box = h('div', { id: 'audit-list', cls: 'cards' });
  const nav = h('div', { cls: 'actions' });
  put(main, note, nav, box);
  const filterQ = () => FILTERS.filter((k) => f[k]).map((k) => '&' + k + '=' + encodeURIComponent(f[k])).join('');
  // q: { before } (the newest LIMIT entries below it) or { after }
  async function load(q) {
    let r;
    try {
      r = await get('/audit?' + (q.before ? 'before=' + q.before : 'after=' + q.after) + '&limit=' + LIMIT + filterQ());
    } catch (err) {
      put(clear(box), msg(errText(err), 'err'));
      return;
    }
    put(clear(note), t('audit.scope.' + r.scope));
    const full = r.items.length === LIMIT;
    const oldest = r.items.length ? r.items[0].seq : null;
    const newest = r.items.length ? r.items[r.items.length - 1].seq : null;
    const items = r.items.slice().reverse();
    const cols = [
      [t('audit.seq'), (e) => String(e.seq), 'num'], [t('time'), (e) => time(e.at)],
      // an actor's name filters by its organisation
      [t('audit.actor'), (e) => (e.actor_org && !e.actor_withheld
        ? h('a', { cls: 'actor', 'data-org': e.actor_org, href: hashFor(Object.assign({}, f, { actor_org: e.actor_org })) }, actorText(e))
        : h('span', { cls: 'actor', 'data-org': '' }, actorText(e)))],
      [t('audit.action'), (e) => h('span', { cls: 'action', title: e.action }, actionText(e.action))],
      [t('audit.target'), (e) => h('span', { cls: 'id' }, e.target || '')],
      [t('audit.detail'), (e) => detailLines(e.detail)],
    ];
    if (!items.length) put(clear(box), h('p', { cls: 'empty' }, t('auditf.none')));
    else {
      const el = table(cols, items, (e) => ({ 'data-action': e.action, 'data-target': e.target || '' }));
      labelCells(el, cols.map((c) => c[0]));
      put(clear(box), el);
    }
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
