// page-taxii.js - TAXII peers (TAXII 連携, issue 16): the hub's TAXII 2.1
// client, for hub administrators (docs/taxii.md "Peers").
//   #/taxii        every peer with its state (ok / failing / never, in
//                  words with a mark), last run, last success, next run,
//                  counts and the last error's reason in full; per peer
//                  "sync now" (the new state and reason shown in place),
//                  "log" and "remove" (confirmed in the page); the form to
//                  add a peer (the token a password field, never shown
//                  again; an error the hub names a field of shown at it)
//   #/taxii/{id}   one peer: its state and its log (runs with their
//                  outcome and reason, quarantined objects with their
//                  reason and JSON, advisories made from reports)
// API: /taxii/peers, /taxii/peers/{id}, /taxii/peers/{id}/sync,
// /taxii/peers/{id}/log (docs/openapi.json, admin only: others 403).
import { h, link, table, msg, errText, field, put, clear, enc, flag, time, dl } from './dom.js';
import { t, L, addTexts, dur, fmtTime } from './i18n.js';
import { get, post, del } from './api.js';
import { orgNames, orgName } from './names.js';

/* The pages' texts (i18n.js addTexts: not part of every first load). */
const TEXTS = {
  'tx.title': ['TAXII 連携', 'TAXII peers'],
  'tx.intro': ['ハブはTAXII 2.1クライアントとして、ここに登録した接続先（他のハブ、MISP・OpenCTIなどのツール）のコレクションからSTIXオブジェクトを取得し、また共有してよいものを送信します。取得したものは接続先に対応づけた組織の提供として扱われ、TLPマーキングに従って共有されます。', 'As a TAXII 2.1 client the hub pulls STIX objects from the collections of the peers named here (other hubs, tools such as MISP or OpenCTI) and pushes what they may read. What is pulled counts as provided by the peer’s organisation and is shared as its TLP marking allows.'],
  'tx.forbidden': ['TAXII 連携の設定はハブ管理者だけが行えます。', 'TAXII peers are managed by the hub’s administrators only.'],
  'tx.peers': ['接続先', 'Peers'],
  'tx.summary': ['接続先{n}件（うち失敗中{f}件）', '{n} peers ({f} failing)'],
  'tx.none': ['接続先はまだ登録されていません。', 'No peer yet.'],
  'tx.st.ok': ['✓ 正常', '✓ OK'],
  'tx.st.failing': ['✕ 失敗中', '✕ Failing'],
  'tx.st.never': ['◌ 未実行', '◌ Not run yet'],
  'tx.now': ['現在の状態', 'Current state'],
  'tx.dir.pull': ['取得（pull）', 'Pull'],
  'tx.dir.push': ['送信（push）', 'Push'],
  'tx.dir.both': ['取得と送信（both）', 'Pull and push'],
  'tx.dir.pull.about': ['接続先のコレクションからオブジェクトを取得し、このハブの共有コレクションに加えます。', 'Objects of the remote collection are added to this hub’s shared collection.'],
  'tx.dir.push.about': ['接続先の組織が閲覧できる共有コレクションのオブジェクト（接続先から来たものを除く）を送信します。', 'The shared collection’s objects the peer’s organisation may read (not those that came from it) are posted to the remote collection.'],
  'tx.dir.both.about': ['取得と送信の両方を行います（ハブ同士の相互連携）。', 'Both (hub-to-hub exchange).'],
  'tx.map.objects': ['オブジェクトとして取り込む', 'Objects'],
  'tx.map.advisories': ['レポートを情報提供にする', 'Reports become advisories'],
  'tx.map.objects.about': ['取得したものを共有コレクションのオブジェクトとして取り込みます（既定）。', 'What is pulled becomes objects of the shared collection (the default).'],
  'tx.map.advisories.about': ['さらに、取得したSTIXのreportそれぞれを接続先の組織が発出する情報提供（セキュリティ情報）にし、下の配信先に届けます。情報提供を発出する組織（NISC、所管省庁、CEPTOAR、機関）に限ります。', 'Besides, each STIX report pulled becomes an advisory (security information) issued as the peer’s organisation to the audience below; only organisations that issue advisories (NISC, ministries, CEPTOARs, agencies).'],
  'tx.f.name': ['名前', 'Name'],
  'tx.f.org': ['組織', 'Organisation'],
  'tx.f.api_root': ['APIルート', 'API root'],
  'tx.f.collection': ['コレクション', 'Collection'],
  'tx.f.where': ['APIルートとコレクション', 'API root and collection'],
  'tx.f.direction': ['方向', 'Direction'],
  'tx.f.mapping': ['取り込み方', 'Mapping'],
  'tx.f.auth': ['認証', 'Authentication'],
  'tx.f.auth_user': ['Basic認証のユーザー名', 'User name for Basic'],
  'tx.f.token': ['トークン', 'Token'],
  'tx.f.interval': ['実行間隔', 'Interval'],
  'tx.f.interval_s': ['実行間隔（秒）', 'Interval (seconds)'],
  'tx.f.last_run': ['最終実行', 'Last run'],
  'tx.f.last_ok': ['最終成功', 'Last success'],
  'tx.f.next_run': ['次回実行', 'Next run'],
  'tx.f.pull_after': ['次の取得の開始位置', 'Next pull starts after'],
  'tx.f.pull_after.start': ['最初から', 'the start'],
  'tx.f.audience': ['情報提供の配信先', 'The advisories’ audience'],
  'tx.f.counts': ['件数', 'Counts'],
  'tx.auth.bearer': ['Bearerトークン', 'Bearer token'],
  'tx.auth.basic': ['Basic認証（ユーザー名とトークン）', 'Basic (user name and token)'],
  'tx.c.pulled': ['取得', 'Pulled'],
  'tx.c.added': ['追加', 'Added'],
  'tx.c.duplicates': ['重複', 'Duplicates'],
  'tx.c.quarantined': ['隔離', 'Quarantined'],
  'tx.c.pushed': ['送信', 'Pushed'],
  'tx.c.push_failed': ['送信拒否', 'Refused'],
  'tx.err.last': ['最後のエラー：', 'Last error: '],
  'tx.err.refused': ['接続先が拒否したオブジェクト：', 'Refused by the peer: '],
  'tx.sync': ['今すぐ同期', 'Sync now'],
  'tx.syncing': ['同期しています…', 'Syncing…'],
  'tx.synced.ok': ['同期しました（{name}）：正常に完了しました。', 'Synced {name}: it worked.'],
  'tx.synced.fail': ['同期しました（{name}）が、失敗しました：{reason}', 'Synced {name}, and it failed: {reason}'],
  'tx.log': ['ログ', 'Log'],
  'tx.remove': ['削除…', 'Remove…'],
  'tx.remove.confirm': ['接続先「{name}」を削除しますか。取得と送信は止まりますが、これまでに取得したものは残ります。', 'Remove the peer “{name}”? It is no longer pulled or pushed; what it brought stays.'],
  'tx.remove.yes': ['削除する', 'Remove it'],
  'tx.removed': ['接続先「{name}」を削除しました。', 'The peer “{name}” was removed.'],
  'tx.back': ['TAXII 連携へ戻る', 'Back to the TAXII peers'],
  'tx.log.title': ['TAXII 連携のログ', 'TAXII peer log'],
  'tx.runs': ['実行履歴（最新50件）', 'Runs (the last 50)'],
  'tx.runs.none': ['まだ実行していません。', 'Not run yet.'],
  'tx.run.at': ['時刻', 'Time'],
  'tx.run.dir': ['方向', 'Direction'],
  'tx.run.result': ['結果', 'Result'],
  'tx.run.ok': ['✓ 成功', '✓ OK'],
  'tx.run.failed': ['✕ 失敗', '✕ Failed'],
  'tx.run.objects': ['オブジェクト', 'Objects'],
  'tx.run.added': ['追加', 'Added'],
  'tx.run.failedn': ['失敗', 'Failed'],
  'tx.run.reason': ['理由', 'Reason'],
  'tx.q': ['隔離したオブジェクト（最新50件）', 'Quarantined objects (the last 50)'],
  'tx.q.about': ['取得したが検査で不適切とされ、保存しなかったオブジェクトです。', 'Objects a pull refused: checked as a POST’s would be, found bad, not stored.'],
  'tx.q.none': ['隔離したオブジェクトはありません。', 'No object quarantined.'],
  'tx.q.json': ['オブジェクトのJSON', 'The object’s JSON'],
  'tx.q.reason': ['理由：{reason}', 'Reason: {reason}'],
  'tx.adv': ['レポートから作成した情報提供', 'Advisories made from reports'],
  'tx.adv.none': ['レポートから作成した情報提供はありません。', 'No advisory made from a report.'],
  'tx.adv.report': ['レポート', 'Report'],
  'tx.adv.state': ['状態', 'State'],
  'tx.adv.advisory': ['情報提供', 'Advisory'],
  'tx.adv.st.done': ['✓ 作成済み', '✓ Made'],
  'tx.adv.st.pending': ['◌ 作成待ち', '◌ Waiting'],
  'tx.adv.st.failed': ['✕ 作成できず', '✕ Failed'],
  'tx.adv.open': ['情報提供{id}', 'Advisory {id}'],
  'tx.add': ['接続先を追加', 'Add a peer'],
  'tx.add.submit': ['追加する', 'Add the peer'],
  'tx.added': ['接続先「{name}」を追加しました。最初の同期はすぐに行われます。', 'The peer “{name}” was added; its first run is due at once.'],
  'tx.req': ['（必須）', ' (required)'],
  'tx.hint.name': ['一覧での呼び名（200文字まで）。', 'What the list calls it (up to 200 characters).'],
  'tx.hint.org': ['接続先が代表する登録済み組織のID（例：jpcert）。取得したオブジェクトはこの組織の提供として扱われ、送信するのはこの組織が閲覧できるものです。', 'The id of the registry organisation the peer stands for (such as jpcert): what is pulled is attributed to it, and what it may read is pushed.'],
  'tx.hint.api_root': ['http:// または https:// で始まり「/」で終わるURL（例：https://hub.example.jp/taxii2/infrashare/）。', 'An http:// or https:// URL ending in “/” (such as https://hub.example.jp/taxii2/infrashare/).'],
  'tx.hint.collection': ['接続先のコレクションのIDまたは別名（例：shared）。', 'The remote collection’s id or alias (such as shared).'],
  'tx.hint.token': ['接続先での認証情報（APIトークンなど）。保存後は二度と表示されません。', 'The credential on the remote (an API token). It is never shown again once stored.'],
  'tx.hint.auth_user': ['入力するとBasic認証（このユーザー名とトークン）で接続します。空欄ならBearerトークンです。', 'When given, HTTP Basic is sent with this user name and the token as its password; empty: a Bearer token.'],
  'tx.hint.interval': ['60秒以上。空欄なら900秒（15分）です。', 'At least 60 seconds; empty: 900 (15 min).'],
  'tx.aud.all': ['すべての重要インフラ事業者', 'Every operator'],
  'tx.aud.sectors': ['分野（その事業者）', 'Sectors (their operators)'],
  'tx.aud.ceptoars': ['CEPTOAR（その構成員）', 'CEPTOARs (their members)'],
  'tx.aud.orgs': ['個別の組織（IDをカンマ区切り）', 'Organisations by id (separated by commas)'],
  'tx.err.required': ['入力してください。', 'Required.'],
  'tx.err.audience': ['配信先を一つ以上選んでください。', 'Choose at least one recipient.'],
  'tx.err.form': ['追加していません：入力内容を確認してください。', 'Not added: check the fields marked.'],
  'tx.err.f.name': ['名前を入力してください（200文字まで）。', 'Enter a name (up to 200 characters).'],
  'tx.err.f.org': ['登録済みの組織のIDを入力してください（情報提供にする場合は、情報提供を発出する組織）。', 'Enter the id of a registered organisation (for advisories, one that issues advisories).'],
  'tx.err.f.api_root': ['http:// または https:// で始まり「/」で終わるAPIルートのURLを入力してください。', 'Enter the API root’s URL: http:// or https://, ending in “/”.'],
  'tx.err.f.collection': ['コレクションのIDまたは別名（英数字と - _ .）を入力してください。', 'Enter the collection’s id or alias (letters, digits, - _ .).'],
  'tx.err.f.token': ['空白を含まない文字列を入力してください。', 'Enter printable characters without spaces.'],
  'tx.err.f.auth_user': ['空白と「:」を含まない文字列を入力してください。', 'Enter printable characters without spaces or “:”.'],
  'tx.err.f.interval_s': ['60秒以上（86,400秒まで）の整数を入力してください。', 'Enter a whole number of seconds, at least 60 (at most 86,400).'],
  'tx.err.f.direction': ['方向を選んでください。', 'Choose a direction.'],
  'tx.err.f.mapping': ['取り込み方を選んでください。', 'Choose a mapping.'],
  'tx.err.f.audience': ['配信先が正しくありません。', 'The audience is not valid.'],
};
addTexts(TEXTS);

/* The pages' styles (taxii.css), added to the document once. */
let styled = null;
function styles() {
  if (!styled) {
    styled = new Promise((done) => {
      const l = h('link', { rel: 'stylesheet', href: '/ui/taxii.css', id: 'css-taxii' });
      l.addEventListener('load', done);
      l.addEventListener('error', done);
      document.head.appendChild(l);
    });
  }
  return styled;
}

const DIRS = ['pull', 'push', 'both'];
const MAPS = ['objects', 'advisories'];
const RANK = { failing: 0, never: 1, ok: 2 };
const COUNTS = ['pulled', 'added', 'duplicates', 'quarantined', 'pushed', 'push_failed'];
const title = (text, page) => h('h1', { 'data-title': page || text }, text);
const soft = (k, v) => t(k, null, true) || v;

function stateBadge(s) {
  return h('span', { cls: 'badge flag tx-state' + (s === 'ok' ? ' flag-ok' : s === 'failing' ? ' flag-warn' : ''), 'data-state': s },
    soft('tx.st.' + s, s));
}
function orgLabel(id) {
  const n = orgName(id);
  return n && n !== id ? [n, ' ', h('span', { cls: 'id' }, '(' + id + ')')] : h('span', { cls: 'id' }, id);
}

export async function render(main, env) {
  await styles();
  const ctx = env.ctx;
  const page = env.name === 'taxiiPeer' ? t('tx.log.title') : t('tx.title');
  let data;
  try {
    data = env.name === 'taxiiPeer' ? await get('/taxii/peers/' + enc(env.params[0]) + '/log') : await get('/taxii/peers');
  } catch (e) {
    if (e.status !== 403) throw e;
    // the API's answer to anyone but a hub administrator
    put(main, title(t('tx.title'), page), h('p', { cls: 'msg err', id: 'tx-forbidden' }, t('tx.forbidden')));
    return null;
  }
  if (env.name === 'taxiiPeer') return logPage(main, ctx, data, page);
  return listPage(main, ctx, data.items, page);
}

/* ---------- a peer: its state, counts and actions ---------- */

function peerBody(p) {
  const err = p.last_error
    ? h('div', { cls: 'msg ' + (p.state === 'failing' ? 'err' : 'warn') + ' tx-reason', id: 'tx-reason-' + p.id },
      h('strong', {}, p.state === 'failing' ? t('tx.err.last') : t('tx.err.refused')), h('span', { cls: 'body tx-reason-text' }, p.last_error))
    : null;
  const counts = h('ul', { cls: 'tx-counts' },
    COUNTS.map((k) => h('li', { 'data-count': k }, h('span', { cls: 'tx-count-k' }, t('tx.c.' + k)), ' ', h('strong', { cls: 'tx-count-n' }, String(p.counts[k])))));
  return [
    h('p', { cls: 'meta' }, stateBadge(p.state), ' ', h('span', { cls: 'tx-dir' }, soft('tx.dir.' + p.direction, p.direction)),
      ' · ', h('span', { cls: 'tx-map' }, soft('tx.map.' + p.mapping, p.mapping))),
    err,
    dl([
      [t('tx.f.org'), orgLabel(p.org)],
      [t('tx.f.where'), h('span', { cls: 'tx-where' }, h('span', { cls: 'id' }, p.api_root), ' + ', h('span', { cls: 'id' }, p.collection))],
      [t('tx.f.last_run'), time(p.last_run)],
      [t('tx.f.last_ok'), time(p.last_ok)],
      [t('tx.f.next_run'), time(p.next_run)],
      [t('tx.f.interval'), dur(p.interval_s)],
      [t('tx.f.auth'), t('tx.auth.' + p.auth)],
      p.direction !== 'push' ? [t('tx.f.pull_after'), p.pull_after ? h('time', { datetime: p.pull_after, title: p.pull_after, cls: 'tx-pull-after' }, fmtTime(p.pull_after)) : t('tx.f.pull_after.start')] : null,
      p.mapping === 'advisories' && p.audience ? [t('tx.f.audience'), audienceText(p.audience)] : null,
      [t('tx.f.counts'), counts],
    ]),
  ];
}

function audienceText(a) {
  const parts = [];
  if (a.all) parts.push(t('tx.aud.all'));
  for (const k of ['sectors', 'scopes', 'ceptoars', 'orgs', 'lists', 'subgroups']) {
    if (Array.isArray(a[k]) && a[k].length) parts.push(k + ': ' + a[k].join(', '));
  }
  return parts.join(' / ') || '—';
}

/* A peer's card: its body (drawn again after a sync), "sync now", "log"
 * (the list only), "remove" confirmed in the page, and a live region for
 * the outcome. heading: 'h2' or 'h3'. */
function peerCard(ctx, p, heading, onRemoved, withLog, headText) {
  const hid = 'tx-name-' + p.id;
  const body = h('div', { cls: 'tx-body' }, peerBody(p));
  const out = h('div', { cls: 'tx-out', id: 'tx-out-' + p.id, role: 'status' });
  const sync = h('button', { type: 'button', cls: 'tx-sync', 'aria-describedby': hid }, t('tx.sync'));
  const ask = h('button', { type: 'button', cls: 'secondary tx-remove', 'aria-describedby': hid }, t('tx.remove'));
  const yes = h('button', { type: 'button', cls: 'danger tx-remove-yes' }, t('tx.remove.yes'));
  const no = h('button', { type: 'button', cls: 'secondary tx-remove-no' }, t('cancel'));
  const confirmBox = h('div', { cls: 'msg warn tx-confirm', hidden: true, role: 'group', 'aria-label': t('tx.remove.yes') },
    h('p', {}, t('tx.remove.confirm', { name: p.name })), h('div', { cls: 'actions' }, yes, no));
  const card = h('section', { cls: 'card tx-peer', id: 'tx-peer-' + p.id, 'data-id': p.id, 'data-state': p.state, 'aria-labelledby': hid },
    h(heading, { id: hid, cls: 'tx-name' }, headText || p.name),
    body,
    h('div', { cls: 'actions' }, sync, withLog ? link('/taxii/' + enc(p.id), t('tx.log')) : null, ask),
    confirmBox, out);
  if (withLog) card.querySelector('.actions a').setAttribute('aria-describedby', hid);
  let onSynced = null;
  card.onSynced = (fn) => { onSynced = fn; };
  sync.addEventListener('click', async () => {
    sync.disabled = true;
    clear(out); put(out, h('p', { cls: 'hint' }, t('tx.syncing')));
    try {
      const x = await post('/taxii/peers/' + enc(p.id) + '/sync');
      Object.assign(p, x);
      card.dataset.state = x.state;
      clear(body); put(body, peerBody(x));
      clear(out);
      put(out, x.state === 'failing'
        ? msg(t('tx.synced.fail', { name: x.name, reason: x.last_error }), 'err tx-result')
        : msg(t('tx.synced.ok', { name: x.name }), 'ok tx-result'));
      if (onSynced) onSynced(x);
    } catch (e) {
      clear(out); put(out, msg(errText(e), 'err'));
    }
    sync.disabled = false;
  });
  ask.addEventListener('click', () => { ask.hidden = true; confirmBox.hidden = false; yes.focus(); });
  no.addEventListener('click', () => { confirmBox.hidden = true; ask.hidden = false; ask.focus(); });
  yes.addEventListener('click', async () => {
    yes.disabled = true; clear(out);
    try {
      await del('/taxii/peers/' + enc(p.id));
      ctx.say(t('tx.removed', { name: p.name }), 'ok');
      onRemoved();
    } catch (e) {
      yes.disabled = false; confirmBox.hidden = true; ask.hidden = false;
      put(out, msg(errText(e), 'err'));
    }
  });
  return card;
}

/* ---------- the list and the form ---------- */

async function listPage(main, ctx, peers, page) {
  await orgNames(ctx, peers.map((p) => p.org));
  const failing = peers.filter((p) => p.state === 'failing').length;
  put(main, title(t('tx.title'), page), h('p', {}, t('tx.intro')));
  const sec = h('section', { id: 'tx-peers', 'aria-labelledby': 'tx-peers-h' },
    h('h2', { id: 'tx-peers-h' }, t('tx.peers')),
    peers.length ? h('p', { id: 'tx-summary', cls: failing ? 'tx-summary-bad' : null }, t('tx.summary', { n: peers.length, f: failing })) : null,
    peers.length ? null : h('p', { cls: 'empty', id: 'tx-none' }, t('tx.none')),
    // failing peers first, then those not run yet (the API's order within each)
    [...peers].sort((a, b) => RANK[a.state] - RANK[b.state]).map((p) => peerCard(ctx, p, 'h3', () => ctx.reload(), true)));
  put(main, sec, await addForm(ctx));
  return null;
}

/* The form of a new peer (TaxiiPeerNew). */
async function addForm(ctx) {
  let sectors = [];
  try { sectors = await ctx.sectors(); } catch (e) { /* the audience's sectors then not offered */ }
  const f = {
    name: h('input', { type: 'text', id: 'tx-f-name', name: 'name', maxlength: 200, required: true, autocomplete: 'off' }),
    org: h('input', { type: 'text', id: 'tx-f-org', name: 'org', maxlength: 63, required: true, autocomplete: 'off', spellcheck: 'false' }),
    api_root: h('input', { type: 'url', id: 'tx-f-api_root', name: 'api_root', maxlength: 512, required: true, autocomplete: 'off', spellcheck: 'false' }),
    collection: h('input', { type: 'text', id: 'tx-f-collection', name: 'collection', maxlength: 128, required: true, autocomplete: 'off', spellcheck: 'false' }),
    token: h('input', { type: 'password', id: 'tx-f-token', name: 'token', maxlength: 256, required: true, autocomplete: 'new-password' }),
    auth_user: h('input', { type: 'text', id: 'tx-f-auth_user', name: 'auth_user', maxlength: 128, autocomplete: 'off', spellcheck: 'false' }),
    interval_s: h('input', { type: 'number', id: 'tx-f-interval_s', name: 'interval_s', min: 60, max: 86400, step: 1, placeholder: '900', inputmode: 'numeric' }),
    orgs: h('input', { type: 'text', id: 'tx-f-aud-orgs', name: 'aud-orgs', autocomplete: 'off', spellcheck: 'false' }),
  };
  const errs = {};
  const errEl = (name) => (errs[name] = h('p', { cls: 'fielderr', id: 'tx-err-' + name, hidden: true }));
  const row = (name, label, hint) => {
    const x = field(label, f[name], hint);
    x.insertBefore(errEl(name), f[name].nextSibling);
    return x;
  };
  const radios = {};
  const choiceSet = (name, values, value) => {
    radios[name] = values.map((v) => h('input', { type: 'radio', name: 'tx-' + name, value: v, checked: v === value, 'aria-describedby': 'tx-' + name + '-' + v + '-about' }));
    return h('fieldset', { id: 'tx-f-' + name, 'aria-describedby': 'tx-err-' + name },
      h('legend', {}, t('tx.f.' + name) + t('tx.req')),
      radios[name].map((x) => h('label', { cls: 'choice' }, x, ' ', h('strong', {}, t((name === 'direction' ? 'tx.dir.' : 'tx.map.') + x.value)),
        h('span', { cls: 'hint', id: 'tx-' + name + '-' + x.value + '-about' }, t((name === 'direction' ? 'tx.dir.' : 'tx.map.') + x.value + '.about')))),
      errEl(name));
  };
  // the advisories' audience: every operator, sectors, CEPTOARs, organisations
  const all = h('input', { type: 'checkbox', id: 'tx-f-aud-all', name: 'aud-all' });
  const secBoxes = sectors.map((s) => h('input', { type: 'checkbox', name: 'aud-sector', value: s.id, 'data-sector': s.id }));
  const cepts = new Map();
  for (const s of sectors) for (const sc of s.scopes || []) if (sc.ceptoar && !cepts.has(sc.ceptoar.id)) cepts.set(sc.ceptoar.id, sc.ceptoar.name);
  const ceptBoxes = [...cepts].map(([id]) => h('input', { type: 'checkbox', name: 'aud-ceptoar', value: id, 'data-ceptoar': id }));
  const ceptNames = [...cepts.values()];
  const audSet = h('fieldset', { id: 'tx-f-audience', 'aria-describedby': 'tx-err-audience', hidden: true },
    h('legend', {}, t('tx.f.audience') + t('tx.req')),
    h('label', { cls: 'inline' }, all, t('tx.aud.all')),
    secBoxes.length ? h('fieldset', { cls: 'tx-aud-group' }, h('legend', {}, t('tx.aud.sectors')),
      h('div', { cls: 'tx-checks' }, secBoxes.map((x, i) => h('label', { cls: 'inline' }, x, L(sectors[i].name))))) : null,
    ceptBoxes.length ? h('fieldset', { cls: 'tx-aud-group' }, h('legend', {}, t('tx.aud.ceptoars')),
      h('div', { cls: 'tx-checks' }, ceptBoxes.map((x, i) => h('label', { cls: 'inline' }, x, L(ceptNames[i]))))) : null,
    h('div', { cls: 'row' }, h('label', { for: 'tx-f-aud-orgs' }, t('tx.aud.orgs')), f.orgs),
    errEl('audience'));
  const mapSet = choiceSet('mapping', MAPS, 'objects');
  const showAud = () => { audSet.hidden = radios.mapping.find((x) => x.checked).value !== 'advisories'; };
  for (const x of radios.mapping) x.addEventListener('change', () => { showAud(); setErr('mapping', ''); });

  const out = h('div', { id: 'tx-f-out', 'aria-live': 'polite' });
  const btn = h('button', { type: 'submit', id: 'tx-f-save' }, t('tx.add.submit'));
  const form = h('form', { cls: 'card tx-form', id: 'tx-form', novalidate: true, 'aria-labelledby': 'tx-form-h' },
    h('h2', { id: 'tx-form-h' }, t('tx.add')),
    h('div', { cls: 'cols' }, row('name', t('tx.f.name') + t('tx.req'), t('tx.hint.name')), row('org', t('tx.f.org') + t('tx.req'), t('tx.hint.org'))),
    row('api_root', t('tx.f.api_root') + t('tx.req'), t('tx.hint.api_root')),
    row('collection', t('tx.f.collection') + t('tx.req'), t('tx.hint.collection')),
    choiceSet('direction', DIRS, 'pull'),
    h('div', { cls: 'cols' }, row('token', t('tx.f.token') + t('tx.req'), t('tx.hint.token')), row('auth_user', t('tx.f.auth_user'), t('tx.hint.auth_user'))),
    row('interval_s', t('tx.f.interval_s'), t('tx.hint.interval')),
    mapSet, audSet,
    h('div', { cls: 'actions' }, btn), out);
  for (const x of radios.direction) x.addEventListener('change', () => setErr('direction', ''));

  const controls = (name) => (radios[name] ? radios[name] : name === 'audience' ? [all] : f[name] ? [f[name]] : []);
  function setErr(name, text) {
    const e = errs[name];
    if (!e) return false;
    e.textContent = text || ''; e.hidden = !text;
    for (const el of controls(name)) {
      if (text) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid');
      if (radios[name] || name === 'audience') continue; // the fieldset names it
      const desc = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== e.id);
      if (text) desc.unshift(e.id);
      if (desc.length) el.setAttribute('aria-describedby', desc.join(' ')); else el.removeAttribute('aria-describedby');
    }
    return true;
  }
  const focus = (name) => { const el = controls(name)[0]; if (el) el.focus(); };
  for (const n of Object.keys(f)) f[n].addEventListener('input', () => setErr(n, ''));
  const ids = (s) => s.split(/[\s,、]+/).map((x) => x.trim()).filter(Boolean);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(out);
    for (const n of Object.keys(errs)) setErr(n, '');
    const mapping = radios.mapping.find((x) => x.checked).value;
    const bad = [];
    for (const n of ['name', 'org', 'api_root', 'collection', 'token']) if (!f[n].value.trim()) bad.push([n, t('tx.err.required')]);
    const aud = {};
    if (mapping === 'advisories') {
      if (all.checked) aud.all = true;
      const sx = secBoxes.filter((x) => x.checked).map((x) => x.value);
      const cx = ceptBoxes.filter((x) => x.checked).map((x) => x.value);
      const ox = ids(f.orgs.value);
      if (sx.length) aud.sectors = sx;
      if (cx.length) aud.ceptoars = cx;
      if (ox.length) aud.orgs = ox;
      if (!Object.keys(aud).length) bad.push(['audience', t('tx.err.audience')]);
    }
    if (bad.length) {
      for (const [n, text] of bad) setErr(n, text);
      focus(bad[0][0]);
      put(out, msg(t('tx.err.form'), 'err'));
      return;
    }
    const body = {
      name: f.name.value.trim(), org: f.org.value.trim(), api_root: f.api_root.value.trim(),
      collection: f.collection.value.trim(), direction: radios.direction.find((x) => x.checked).value,
      token: f.token.value, mapping,
    };
    if (f.auth_user.value.trim()) body.auth_user = f.auth_user.value.trim();
    if (f.interval_s.value.trim() !== '') body.interval_s = Number(f.interval_s.value);
    if (mapping === 'advisories') body.audience = aud;
    btn.disabled = true;
    try {
      const x = await post('/taxii/peers', body);
      f.token.value = ''; // never kept, never shown again
      ctx.say(t('tx.added', { name: x.name }), 'ok');
      ctx.reload();
    } catch (e) {
      btn.disabled = false;
      const name = String(e.field || '').replace(/[.[].*$/, '');
      // the field's own words in the UI's language, with the hub's reason
      const text = t('tx.err.f.' + name, null, true) || errText(e);
      if (name && setErr(name, text)) focus(name);
      put(out, msg(t('tx.err.form') + ' ' + errText(e), 'err'));
    }
  });
  return form;
}

/* ---------- one peer's log ---------- */

async function logPage(main, ctx, log, page) {
  const p = log.peer;
  await orgNames(ctx, [p.org]);
  put(main, title(p.name, page), h('p', {}, link('/taxii', t('tx.back'))));
  const card = peerCard(ctx, p, 'h2', () => ctx.go('/taxii'), false, t('tx.now'));
  // after a sync, the log is read again (the new run at the top)
  card.onSynced(async () => {
    try {
      const x = await get('/taxii/peers/' + enc(p.id) + '/log');
      clear(logBox); put(logBox, logSections(x));
    } catch (e) { /* the card says the outcome */ }
  });
  const logBox = h('div', { id: 'tx-log' }, logSections(log));
  put(main, card, logBox);
  return null;
}

function logSections(log) {
  const runs = log.runs || [];
  const q = log.quarantine || [];
  const adv = log.advisories || [];
  return [
    h('section', { id: 'tx-runs', 'aria-labelledby': 'tx-runs-h' },
      h('h2', { id: 'tx-runs-h' }, t('tx.runs')),
      runs.length ? table([
        [t('tx.run.at'), (r) => time(r.at)],
        [t('tx.run.dir'), (r) => soft('tx.dir.' + r.direction, r.direction)],
        [t('tx.run.result'), (r) => h('span', { cls: 'badge flag tx-run-result ' + (r.ok ? 'flag-ok' : 'flag-warn'), 'data-ok': r.ok ? '1' : '0' }, r.ok ? t('tx.run.ok') : t('tx.run.failed'))],
        [t('tx.run.objects'), (r) => String(r.objects), 'num'],
        [t('tx.run.added'), (r) => String(r.added), 'num'],
        [t('tx.run.failedn'), (r) => String(r.failed), 'num'],
        [t('tx.run.reason'), (r) => (r.reason ? h('span', { cls: 'body tx-run-reason' }, r.reason) : '')],
      ], runs, (r) => ({ cls: 'tx-run', 'data-ok': r.ok ? '1' : '0', 'data-direction': r.direction }))
        : h('p', { cls: 'empty', id: 'tx-runs-none' }, t('tx.runs.none'))),
    h('section', { id: 'tx-quarantine', 'aria-labelledby': 'tx-q-h' },
      h('h2', { id: 'tx-q-h' }, t('tx.q')),
      h('p', { cls: 'hint' }, t('tx.q.about')),
      q.length ? h('ul', { cls: 'tx-qlist' }, q.map((x) => h('li', { cls: 'tx-q', 'data-id': x.id },
        h('p', { cls: 'meta' }, h('span', { cls: 'id tx-q-id' }, x.id), time(x.at)),
        h('p', { cls: 'tx-q-reason' }, t('tx.q.reason', { reason: x.reason })),
        h('details', { cls: 'tx-q-json' }, h('summary', {}, t('tx.q.json')), h('pre', { cls: 'pre tx-json' }, pretty(x.object))))))
        : h('p', { cls: 'empty', id: 'tx-q-none' }, t('tx.q.none'))),
    log.peer.mapping === 'advisories' || adv.length ? h('section', { id: 'tx-advisories', 'aria-labelledby': 'tx-adv-h' },
      h('h2', { id: 'tx-adv-h' }, t('tx.adv')),
      adv.length ? table([
        [t('tx.adv.report'), (a) => h('span', { cls: 'id' }, a.id)],
        [t('tx.adv.state'), (a) => h('span', { cls: 'badge flag tx-adv-state' + (a.state === 'done' ? ' flag-ok' : a.state === 'failed' ? ' flag-warn' : ''), 'data-state': a.state }, soft('tx.adv.st.' + a.state, a.state))],
        [t('tx.adv.advisory'), (a) => (a.advisory ? link('/advisories/' + enc(a.advisory), t('tx.adv.open', { id: a.advisory })) : '')],
        [t('tx.run.reason'), (a) => (a.reason ? h('span', { cls: 'body' }, a.reason) : '')],
        [t('tx.run.at'), (a) => time(a.at)],
      ], adv, (a) => ({ cls: 'tx-adv', 'data-state': a.state }))
        : h('p', { cls: 'empty', id: 'tx-adv-none' }, t('tx.adv.none'))) : null,
  ];
}

/* The refused object's JSON, indented when it parses (its first 64 KiB
 * may not). */
function pretty(s) {
  try { return JSON.stringify(JSON.parse(s), null, 2); } catch (e) { return String(s || ''); }
}
