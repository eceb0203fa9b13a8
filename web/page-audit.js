// page-audit.js - the audit log for auditors, newest page first, paged by
// sequence bounds (an organisation's view numbers its own entries 1, 2, ...),
// and the chain's verification. Filters in the hash query, sent to the API; the CSV export
// with the same filters; actors, actions (i18n "auditact") by name.
import { h, table, msg, time, clear, flag, put, field, select, errText } from './dom.js';
import { t, L, enumLabel, enumValues, jstInputToRfc, paren, addTexts } from './i18n.js';
import { get } from './api.js';
import { labelCells, hashOf } from './page-advisories.js';

/* The page's texts (i18n.js addTexts: not part of every first load):
 * the names of the audit details' keys, and the words of a few values
 * (a Japanese auditor read "reason: wrong password": found by a review). */
const TEXTS = {
  'auditk.account': ['アカウント', 'account'],
  'auditk.added': ['追加', 'added'],
  'auditk.addr': ['接続元アドレス', 'address'],
  'auditk.admin': ['管理者', 'admin'],
  'auditk.advisory': ['情報提供', 'advisory'],
  'auditk.agreement': ['合意', 'agreement'],
  'auditk.already': ['既に', 'already'],
  'auditk.answers': ['回答', 'answers'],
  'auditk.api_root': ['API ルート', 'API root'],
  'auditk.attachment': ['添付', 'attachment'],
  'auditk.audited': ['監査対象', 'audited'],
  'auditk.auto': ['自動', 'automatic'],
  'auditk.campaign': ['キャンペーン', 'campaign'],
  'auditk.ceptoars': ['CEPTOAR', 'CEPTOARs'],
  'auditk.changed': ['変更', 'changed'],
  'auditk.channel': ['手段', 'channel'],
  'auditk.channels': ['手段', 'channels'],
  'auditk.code': ['コード', 'code'],
  'auditk.confirmed_at': ['確認日時', 'confirmed at'],
  'auditk.declaration': ['宣言', 'declaration'],
  'auditk.declared_at': ['宣言日時', 'declared at'],
  'auditk.default_ranges': ['既定の共有範囲', 'default ranges'],
  'auditk.deleted': ['削除', 'deleted'],
  'auditk.demo': ['デモ', 'demo'],
  'auditk.direction': ['方向', 'direction'],
  'auditk.disabled': ['無効化', 'disabled'],
  'auditk.drill': ['訓練', 'drill'],
  'auditk.edition': ['版', 'edition'],
  'auditk.ends': ['終了', 'ends'],
  'auditk.event': ['事象', 'event'],
  'auditk.exercise': ['演習', 'exercise'],
  'auditk.failed': ['失敗', 'failed'],
  'auditk.format': ['形式', 'format'],
  'auditk.from': ['変更前', 'from'],
  'auditk.fy': ['年度', 'fiscal year'],
  'auditk.group': ['グループ', 'group'],
  'auditk.hop': ['中継段', 'hop'],
  'auditk.hops': ['中継経路', 'hops'],
  'auditk.hotline': ['緊急連絡先', 'hotline'],
  'auditk.id': ['識別子', 'id'],
  'auditk.internal': ['内部', 'internal'],
  'auditk.item': ['項目', 'item'],
  'auditk.items': ['項目', 'items'],
  'auditk.jobs': ['送信ジョブ', 'jobs'],
  'auditk.kind': ['種別', 'kind'],
  'auditk.lasted_s': ['継続秒数', 'lasted (s)'],
  'auditk.limit_min': ['期限（分）', 'limit (min)'],
  'auditk.link': ['リンク', 'link'],
  'auditk.made_with': ['作成方法', 'made with'],
  'auditk.members': ['会員', 'members'],
  'auditk.message': ['メッセージ', 'message'],
  'auditk.name': ['名称', 'name'],
  'auditk.national': ['全国', 'national'],
  'auditk.next_after': ['次回以降', 'next after'],
  'auditk.operators': ['事業者', 'operators'],
  'auditk.org': ['組織', 'organisation'],
  'auditk.orgs': ['組織', 'organisations'],
  'auditk.owner': ['所有組織', 'owner'],
  'auditk.participants': ['参加組織', 'participants'],
  'auditk.policy': ['方針', 'policy'],
  'auditk.range': ['共有範囲', 'range'],
  'auditk.ranges': ['共有範囲', 'ranges'],
  'auditk.reason': ['理由', 'reason'],
  'auditk.recipients': ['受信者数', 'recipients'],
  'auditk.removed': ['削除', 'removed'],
  'auditk.renamed': ['名称変更', 'renamed'],
  'auditk.report': ['報告', 'report'],
  'auditk.reports': ['報告', 'reports'],
  'auditk.review': ['見直し', 'review'],
  'auditk.review_limit_min': ['確認期限（分）', 'review limit (min)'],
  'auditk.roles': ['ロール', 'roles'],
  'auditk.round': ['回', 'round'],
  'auditk.route': ['経路', 'route'],
  'auditk.rows': ['行数', 'rows'],
  'auditk.rules_version': ['規則の版', 'rules version'],
  'auditk.scope': ['業務範囲', 'scope'],
  'auditk.sectors': ['分野', 'sectors'],
  'auditk.seq': ['番号', 'sequence'],
  'auditk.set': ['設定', 'set'],
  'auditk.severity': ['深刻度', 'severity'],
  'auditk.size': ['サイズ', 'size'],
  'auditk.standing': ['立場', 'standing'],
  'auditk.starts': ['開始', 'starts'],
  'auditk.state': ['状態', 'state'],
  'auditk.status': ['状況', 'status'],
  'auditk.submitted_at': ['提出日時', 'submitted at'],
  'auditk.target': ['対象', 'target'],
  'auditk.target_kind': ['対象の種類', 'target kind'],
  'auditk.targets': ['対象', 'targets'],
  'auditk.to': ['変更後', 'to'],
  'auditk.total': ['合計', 'total'],
  'auditk.update': ['続報', 'update'],
  'auditk.url': ['URL', 'URL'],
  'auditk.user': ['ユーザー', 'user'],
  'auditk.username': ['ユーザー名', 'user name'],
  'auditk.version': ['版', 'version'],
  'auditk.via': ['経由', 'via'],
  'auditv.disabled': ['無効なアカウント', 'disabled account'],
  'auditv.false': ['いいえ', 'no'],
  'auditv.true': ['はい', 'yes'],
  'auditv.unknown user': ['不明なユーザー', 'unknown user'],
  'auditv.wrong password': ['パスワード誤り', 'wrong password'],
};
addTexts(TEXTS);

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
  return user ? (org ? user + paren(org) : user) : org;
}

/* an action code as words; the code itself (a test keeps the table whole) */
export function actionText(code) {
  return enumLabel('auditact', code);
}

/* a detail's key, and a value the page has words for, in the page's
 * language; any other as the hub wrote it */
const keyText = (k) => t('auditk.' + k, null, true) || k;
const RANGES = ['red', 'amber', 'yellow', 'green', 'white'];
function valueText(v, k) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return t('auditv.' + v);
  if (Array.isArray(v)) return v.map((x) => valueText(x, k)).join(', ');
  if (typeof v === 'object') return Object.entries(v).map(([kk, x]) => keyText(kk) + ': ' + valueText(x, kk)).join('; ');
  if (k === 'range' && RANGES.includes(v)) return enumLabel('range', v);
  return t('auditv.' + v, null, true) || String(v);
}

/* details as "key: value" lines */
export function detailLines(d) {
  const keys = d ? Object.keys(d) : [];
  if (!keys.length) return h('span', { cls: 'empty' }, '—');
  return h('dl', { cls: 'kv' }, keys.sort().map((k) => [h('dt', { title: k }, keyText(k)), h('dd', {}, valueText(d[k], k))]));
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
