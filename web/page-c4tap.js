// page-c4tap.js - C4TAP (標的型攻撃に関する情報共有, issue 13): a handler's
// page to submit a suspicious e-mail (drag and drop, or a file chosen) with
// a range per information type, the submissions it may see, one
// submission's indicators with every flag explained in the reader's
// language, campaigns with their wave timeline (SVG drawn here), and the
// "have others seen this?" lookup. What the reader's range hides is
// absent and named ("hidden"), never blanked out.
//   #/c4tap                      submit, lookup, the list
//   #/c4tap/s/{id}               a submission
//   #/c4tap/campaigns            campaigns
//   #/c4tap/campaigns/{id}       a campaign (analysts: note, merge, split,
//                                advisory)
//   #/c4tap/admin                the secretariat: agreements and handlers
// API: /c4tap/me, /c4tap/submissions[/{id}], /c4tap/campaigns[/{id}],
// /c4tap/lookup, /c4tap/export (docs/openapi.json).
import { h, svg, link, table, select, msg, errText, time, field, dl, rangeBadge, put, shown, hiddenText } from './dom.js';
import { t, lang, paren, addTexts } from './i18n.js';
import { get, post, api } from './api.js';
import { sectorName } from './names.js';

/* The pages' texts (i18n.js addTexts: not part of every first load). */
const TEXTS = {
  'c4.title': ['C4TAP 標的型攻撃メールの共有', 'C4TAP: sharing targeted-attack e-mails'],
  'c4.nav': ['C4TAP のページ', 'C4TAP pages'],
  'c4.nav.subs': ['提供と一覧', 'Submit and list'],
  'c4.nav.campaigns': ['キャンペーン', 'Campaigns'],
  'c4.nav.admin': ['参加組織と取扱者（事務局）', 'Participants and handlers (secretariat)'],
  'c4.admin': ['C4TAP 参加組織と取扱者', 'C4TAP participants and handlers'],
  'c4.admin.only': ['この画面は CEPTOAR協議会事務局の管理者用です。', 'This page is for the CEPTOAR Council secretariat\'s administrators.'],
  'c4.admin.totals': ['参加組織{participant}・オブザーバー{observer}・関係組織{relation}', '{participant} participants, {observer} observers, {relation} relations'],
  'c4.admin.orgs': ['運用ルールへの同意', 'Agreements to the operating rules'],
  'c4.admin.org': ['組織', 'Organisation'],
  'c4.admin.version': ['運用ルールの版', 'Rules version'],
  'c4.admin.agreedby': ['同意した人', 'Agreed by'],
  'c4.admin.agreedat': ['同意日時', 'Agreed at'],
  'c4.admin.withdraw': ['脱退を記録', 'Record withdrawal'],
  'c4.admin.join': ['同意を記録する', 'Record an agreement'],
  'c4.admin.orgid': ['組織ID', 'Organisation id'],
  'c4.admin.orgid.hint': ['例：op-gas-0001（組織の画面に表示される ID）', 'e.g. op-gas-0001 (the id shown on the organisation\'s page)'],
  'c4.admin.join.button': ['記録する', 'Record'],
  'c4.admin.handlers': ['取扱者', 'Handlers'],
  'c4.admin.user': ['ユーザー', 'User'],
  'c4.admin.kind': ['種別', 'Kind'],
  'c4.admin.remove': ['登録を解除', 'Remove'],
  'c4.admin.addhandler': ['取扱者を登録する', 'Register a handler'],
  'c4.admin.addhandler.button': ['登録する', 'Register'],
  'c4.kind.participant': ['参加組織の取扱者', 'participant\'s handler'],
  'c4.kind.analyst': ['分析担当', 'analyst'],
  'c4.merge': ['ほかのキャンペーンを統合する', 'Merge another campaign into this one'],
  'c4.merge.hint': ['統合したキャンペーンの提供はこのキャンペーンに移り、元のキャンペーンはなくなります。', 'Its submissions move into this campaign; the other campaign is gone.'],
  'c4.merge.from': ['統合するキャンペーンの番号', 'Number of the campaign to merge'],
  'c4.merge.button': ['統合する', 'Merge'],
  'c4.split': ['提供を別のキャンペーンに分ける', 'Split submissions off into a new campaign'],
  'c4.split.which': ['分ける提供', 'Submissions to split off'],
  'c4.split.button': ['分割する', 'Split'],
  'c4.nothandler': ['C4TAP は登録された取扱者だけが利用できます。CEPTOAR協議会事務局に登録を依頼してください。', 'C4TAP is for its registered handlers: ask the CEPTOAR Council secretariat to register you.'],
  'c4.standing': ['参加区分', 'Standing'],
  'c4.standing.participant': ['参加組織', 'Participant'],
  'c4.standing.observer': ['オブザーバー（同意済み）', 'Observer (agreed)'],
  'c4.standing.relation': ['協議会関係組織（非参加）', 'Council relation (not participating)'],
  'c4.standing.none': ['参加していない', 'Not taking part'],
  'c4.address': ['あなた専用の提供用アドレス（不審メールを添付ファイルとして転送）', 'Your submission address (forward the suspicious e-mail as an attachment)'],
  'c4.submit': ['不審メールを提供する', 'Submit a suspicious e-mail'],
  'c4.drop': ['.eml ファイルをここにドラッグ＆ドロップするか、ファイルを選んでください（10MB まで）。', 'Drag and drop the .eml file here, or choose it (at most 10 MB).'],
  'c4.file': ['メールファイル（.eml）', 'E-mail file (.eml)'],
  'c4.drop.none': ['ファイルが選ばれていません。', 'No file chosen.'],
  'c4.drop.chosen': ['選択中：{name}（{n}バイト）', 'Chosen: {name} ({n} bytes)'],
  'c4.toolarge': ['10MB を超えるメールは提供できません。', 'An e-mail over 10 MB cannot be submitted.'],
  'c4.ranges': ['情報の種類ごとの共有範囲', 'Sharing range per type of information'],
  'c4.ranges.hint': ['Red：提供元・事務局・分析担当のみ／Amber：＋全参加組織／Yellow：＋同意したオブザーバー／Green：＋協議会関係組織／White：公開。', 'Red: you, the secretariat and analysts / Amber: + every participant / Yellow: + observers that agreed / Green: + Council relations / White: public.'],
  'c4.anonymous': ['提供元を匿名にする（事務局以外には組織名を示さない）', 'Submit anonymously (only the secretariat sees your organisation)'],
  'c4.forwarded': ['このファイルは不審メールを添付した転送メールである', 'This file is a forward with the suspicious e-mail attached'],
  'c4.submit.button': ['提供する', 'Submit'],
  'c4.submitted': ['提供しました（#{id}、キャンペーン #{campaign}）。', 'Submitted (#{id}, campaign #{campaign}).'],
  'c4.list': ['提供されたメール', 'Submissions'],
  'c4.none': ['まだありません。', 'None yet.'],
  'c4.notshared': ['（共有範囲外）', '(not shared with you)'],
  'c4.col.id': ['番号', 'No.'],
  'c4.col.date': ['日時', 'Date'],
  'c4.col.subject': ['件名', 'Subject'],
  'c4.col.from': ['差出人', 'From'],
  'c4.col.flags': ['警告', 'Flags'],
  'c4.col.provider': ['提供元', 'Provided by'],
  'c4.col.campaign': ['キャンペーン', 'Campaign'],
  'c4.col.kind': ['指標の種類', 'Indicator'],
  'c4.col.value': ['値', 'Value'],
  'c4.col.type': ['情報の種類', 'Type of information'],
  'c4.col.count': ['件数', 'Count'],
  'c4.col.flag': ['手口', 'Technique'],
  'c4.col.evidence': ['該当箇所', 'Evidence'],
  'c4.col.seen': ['確認状況', 'Seen'],
  'c4.col.waves': ['波の数', 'Waves'],
  'c4.col.wave': ['波', 'Wave'],
  'c4.col.updated': ['更新', 'Updated'],
  'c4.provider.hidden': ['C4TAP 参加組織（{sector}）', 'a C4TAP participant ({sector})'],
  'c4.provider.anon': ['C4TAP 参加組織（非公開）', 'a C4TAP participant (not named)'],
  'c4.hidden': ['共有範囲により表示されない情報：{types}', 'Not shared with you (range): {types}'],
  'c4.type.original': ['メール原本', 'Original e-mail'],
  'c4.type.sender': ['差出人情報', 'Sender'],
  'c4.type.headers': ['ヘッダ情報', 'Headers'],
  'c4.type.received': ['経由サーバ（Received）', 'Received hops'],
  'c4.type.urls': ['URL', 'URLs'],
  'c4.type.attachments': ['添付ファイル', 'Attachments'],
  'c4.type.provider': ['提供元', 'Provider'],
  'c4.type.attachment_name': ['添付ファイル名', 'Attachment name'],
  'c4.type.attachment_sha256': ['添付ファイルのSHA-256', 'Attachment SHA-256'],
  'c4.type.message_id': ['Message-ID', 'Message-ID'],
  'c4.type.origin_ip': ['送信元IPアドレス', 'Originating IP address'],
  'c4.type.received_host': ['経由サーバ名', 'Relay host name'],
  'c4.type.received_ip': ['経由サーバのIPアドレス', 'Relay IP address'],
  'c4.type.reply_to': ['返信先（Reply-To）', 'Reply-To address'],
  'c4.type.return_path': ['Return-Path', 'Return-Path'],
  'c4.type.sender_address': ['差出人アドレス', 'Sender address'],
  'c4.type.sender_domain': ['差出人ドメイン', 'Sender domain'],
  'c4.type.sender_name': ['差出人の表示名', 'Sender display name'],
  'c4.type.subject': ['件名', 'Subject'],
  'c4.type.subject_norm': ['件名（正規化）', 'Subject (normalised)'],
  'c4.type.url': ['URL', 'URL'],
  'c4.type.url_host': ['URLのホスト名', 'URL host name'],
  'c4.type.x_mailer': ['送信ソフト（X-Mailer）', 'Mailer (X-Mailer)'],
  'c4.lookup': ['他組織でも確認されているか調べる', 'Have others seen this?'],
  'c4.lookup.value': ['ハッシュ値・URL・ホスト名・メールアドレス・IPアドレス', 'Hash, URL, host, e-mail address or IP address'],
  'c4.lookup.hint': ['件数はすべての取扱者に示されます。組織名と内容は共有範囲の許す場合だけです。', 'Counts are shown to every handler; organisations and details only where the range allows.'],
  'c4.lookup.button': ['調べる', 'Look up'],
  'c4.lookup.hidden': ['ほかに共有範囲外の提供が{n}件あります。', '{n} more submission(s) not shared with you.'],
  'c4.seen': ['提供{submissions}件（{organisations}組織・{sectors}分野）', 'seen in {submissions} submission(s) by {organisations} organisation(s) in {sectors} sector(s)'],
  'c4.seen.short': ['{submissions}件・{organisations}組織・{sectors}分野', '{submissions} / {organisations} orgs / {sectors} sectors'],
  'c4.export.csv': ['指標のCSV（TLP付き）', 'Indicators as CSV (with TLP)'],
  'c4.export.json': ['指標のJSON（TLP付き）', 'Indicators as JSON (with TLP)'],
  'c4.sub': ['提供 #{id}', 'Submission #{id}'],
  'c4.received_at': ['受付日時', 'Received by the hub'],
  'c4.via': ['提供経路', 'Submitted via'],
  'c4.via.api': ['画面・API・コマンド', 'web page, API or CLI'],
  'c4.via.mail': ['メール転送', 'forwarded e-mail'],
  'c4.flags': ['見つかった手口（IPA の類型）', 'Deception techniques found'],
  'c4.noflags': ['見つかった手口はありません（共有範囲内）。', 'No technique found (in what is shared with you).'],
  'c4.from': ['差出人（From）', 'From'],
  'c4.replyto': ['返信先（Reply-To）', 'Reply-To'],
  'c4.returnpath': ['エンベロープ差出人（Return-Path）', 'Return-Path'],
  'c4.linktext': ['リンクの表示文字列', 'Link text'],
  'c4.source': ['出現箇所', 'Found in'],
  'c4.filename': ['ファイル名', 'File name'],
  'c4.declared': ['宣言された種類', 'Declared type'],
  'c4.sniffed': ['中身から判定した種類', 'Type from contents'],
  'c4.size': ['サイズ（バイト）', 'Size (bytes)'],
  'c4.original': ['メール原本をダウンロード（.eml）', 'Download the original e-mail (.eml)'],
  'c4.campaigns': ['キャンペーン', 'Campaigns'],
  'c4.campaign': ['キャンペーン #{id}', 'Campaign #{id}'],
  'c4.hiddensubs': ['共有範囲外の提供が{n}件あります（件数のみ）。', '{n} submission(s) not shared with you (counted only).'],
  'c4.waves': ['波の推移', 'Waves over time'],
  'c4.wave': ['第{n}波', 'wave {n}'],
  'c4.timeline.label': ['キャンペーンの波の推移（{n}波、下の表と同じ内容）', 'The campaign\'s waves over time ({n}; the table below has the figures)'],
  'c4.first': ['最初', 'First'],
  'c4.last': ['最後', 'Last'],
  'c4.indicators': ['共通する指標', 'Shared indicators'],
  'c4.notes': ['分析メモ', 'Analysts\' notes'],
  'c4.nonotes': ['メモはありません。', 'No notes.'],
  'c4.note.add': ['メモを追加', 'Add a note'],
  'c4.note': ['メモ', 'Note'],
  'c4.note.button': ['追加する', 'Add'],
  'c4.advisory': ['このキャンペーンから情報提供を発出する', 'Issue an advisory from this campaign'],
  'c4.advisory.hint': ['提供元が White（制限なし）で共有した指標だけが載ります。情報提供の読み手は C4TAP の読み手と異なるためです（原本と提供元は載りません）。', 'Only indicators their providers share as White (anyone) go in: an advisory\'s readers are not C4TAP\'s (never the original nor who provided it).'],
  'c4.advisory.button': ['情報提供を発出する', 'Issue the advisory'],
  'c4.advisory.open': ['発出した情報提供を開く', 'Open the advisory issued'],
};
addTexts(TEXTS);

export const TYPES = ['original', 'sender', 'headers', 'received', 'urls', 'attachments', 'provider'];
const RANGES = ['red', 'amber', 'yellow', 'green', 'white'];
const MAX = 10 * 1024 * 1024;

/* whether the reader manages C4TAP (the secretariat's org_admin, admins):
 * the sub-navigation then shows the management page */
let isManager = false;
/* whether the reader is a handler (reads submissions and campaigns): a
 * manager who is none (an admin) is shown the management page alone (it
 * was shown links to pages that answer 403: found by a review) */
let isHandler = true;

const typeName = (x) => t('c4.type.' + x, null, true) || x;
// the window title names the page (data-title), never an item's content
const title = (text, page) => h('h1', { 'data-title': page || text }, text);

function subnav(here) {
  const items = isHandler ? [['/c4tap', 'c4.nav.subs'], ['/c4tap/campaigns', 'c4.nav.campaigns']] : [];
  if (isManager) items.push(['/c4tap/admin', 'c4.nav.admin']);
  return h('nav', { cls: 'subnav', 'aria-label': t('c4.nav') }, items.map(([p, k]) =>
    h('a', { href: '#' + p, 'aria-current': p === here ? 'page' : null }, t(k))));
}

function providerText(p) {
  if (p && p.shown) return (lang() === 'en' ? p.name_en : p.name_ja) || p.org;
  // anonymous: its sector when it has one, else only that it is not named
  return p && p.sector ? t('c4.provider.hidden', { sector: sectorName(p.sector) }) : t('c4.provider.anon');
}

function hiddenNote(s) {
  if (!s.hidden || !s.hidden.length) return null;
  return h('p', { cls: 'hint c4-hidden' }, t('c4.hidden', { types: s.hidden.map(typeName).join(lang() === 'en' ? ', ' : '、') }));
}

function notHandler(main, e) {
  main.appendChild(title(t('c4.title')));
  main.appendChild(msg(e && e.code === 'not_a_handler' ? t('c4.nothandler') : errText(e), 'err'));
}

export async function render(main, env) {
  const p = env.path;
  let m;
  if ((m = p.match(/^\/c4tap\/s\/([0-9]+)$/))) return subPage(main, env, m[1]);
  if ((m = p.match(/^\/c4tap\/campaigns\/([0-9]+)$/))) return campaignPage(main, env, m[1]);
  if (p === '/c4tap/campaigns') return campaignsPage(main, env);
  if (p === '/c4tap/admin') return adminPage(main, env);
  return homePage(main, env);
}

/* ---- the home page: submit, lookup, list ---- */

async function homePage(main, env) {
  let me;
  try { me = await get('/c4tap/me'); } catch (e) { return notHandler(main, e); }
  isManager = me.manager;
  isHandler = !!me.handler;
  if (!me.handler && me.manager) { env.ctx.go('/c4tap/admin'); return; }
  if (!me.handler) return notHandler(main, { code: 'not_a_handler' });
  main.appendChild(title(t('c4.title')));
  main.appendChild(subnav('/c4tap'));
  main.appendChild(dl([
    [t('c4.standing'), t('c4.standing.' + me.standing, null, true) || me.standing],
    me.submission_address ? [t('c4.address'), h('code', { id: 'c4-address' }, me.submission_address)] : null,
  ]));
  if (me.may_submit) main.appendChild(submitForm(env, me));
  main.appendChild(lookupForm());
  main.appendChild(h('h2', {}, t('c4.list')));
  const box = h('div', { id: 'c4-list' });
  main.appendChild(box);
  try {
    const r = await get('/c4tap/submissions?limit=50');
    box.appendChild(r.items.length ? subsTable(r.items) : msg(t('c4.none')));
  } catch (e) { box.appendChild(msg(errText(e), 'err')); }
  main.appendChild(h('p', {}, h('a', { href: '/api/v1/c4tap/export?format=csv', download: 'c4tap-indicators.csv' }, t('c4.export.csv')), ' · ',
    h('a', { href: '/api/v1/c4tap/export?format=json', download: 'c4tap-indicators.json' }, t('c4.export.json'))));
}

function subsTable(items) {
  return table([
    [t('c4.col.id'), (s) => link('/c4tap/s/' + s.id, '#' + s.id)],
    [t('c4.col.date'), (s) => time(s.mail_date)],
    [t('c4.col.subject'), (s) => s.subject != null ? shown(s.subject) : h('span', { cls: 'empty' }, t('c4.notshared'))],
    [t('c4.col.from'), (s) => s.from != null ? shown(s.from) : h('span', { cls: 'empty' }, t('c4.notshared'))],
    [t('c4.col.flags'), (s) => String((s.flags || []).length)],
    [t('c4.col.provider'), (s) => providerText(s.provider)],
    [t('c4.col.campaign'), (s) => link('/c4tap/campaigns/' + s.campaign, '#' + s.campaign)],
  ], items);
}

function rangeSelect(type, value) {
  return select('range-' + type, RANGES.map((r) => [r, r.toUpperCase()]), value,
    { id: 'c4-range-' + type });
}

function submitForm(env, me) {
  let file = null;
  const out = h('div', { role: 'status', 'aria-live': 'polite' });
  const chosen = h('p', { cls: 'hint', id: 'c4-chosen' }, t('c4.drop.none'));
  const input = h('input', { type: 'file', id: 'c4-file', accept: '.eml,message/rfc822' });
  const take = (f) => {
    if (!f) return;
    if (f.size > MAX) { out.replaceChildren(msg(t('c4.toolarge'), 'err')); return; }
    file = f; chosen.textContent = t('c4.drop.chosen', { name: hiddenText(f.name, true), n: f.size });
  };
  input.addEventListener('change', () => take(input.files[0]));
  const zone = h('div', { cls: 'c4-drop', id: 'c4-drop' }, h('p', {}, t('c4.drop')), field(t('c4.file'), input), chosen);
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); take(e.dataTransfer.files[0]); });
  const anon = h('input', { type: 'checkbox', id: 'c4-anon' });
  const fwd = h('input', { type: 'checkbox', id: 'c4-fwd' });
  const ranges = h('fieldset', {}, h('legend', {}, t('c4.ranges')),
    h('p', { cls: 'hint' }, t('c4.ranges.hint')),
    TYPES.map((x) => field(typeName(x), rangeSelect(x, me.default_ranges[x]))));
  const form = h('form', { cls: 'c4-submit', id: 'c4-form' },
    h('h2', {}, t('c4.submit')), zone, ranges,
    h('div', { cls: 'row' }, h('label', { cls: 'inline' }, anon, t('c4.anonymous'))),
    h('div', { cls: 'row' }, h('label', { cls: 'inline' }, fwd, t('c4.forwarded'))),
    h('button', { type: 'submit' }, t('c4.submit.button')), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!file) { out.replaceChildren(msg(t('c4.drop.none'), 'err')); return; }
    const buf = new Uint8Array(await file.arrayBuffer());
    let bin = '';
    for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
    const body = { eml_base64: btoa(bin), anonymous: anon.checked, forwarded: fwd.checked, ranges: {} };
    for (const x of TYPES) body.ranges[x] = form.querySelector('#c4-range-' + x).value;
    try {
      const s = await post('/c4tap/submissions', body);
      env.ctx.say(t('c4.submitted', { id: s.id, campaign: s.campaign }), 'ok');
      env.ctx.go('/c4tap/s/' + s.id);
    } catch (err) { out.replaceChildren(msg(errText(err), 'err')); }
  });
  return form;
}

function lookupForm() {
  const q = h('input', { type: 'search', id: 'c4-lookup', maxlength: 2048 });
  const out = h('div', { id: 'c4-lookup-out', 'aria-live': 'polite' });
  const form = h('form', { role: 'search' }, h('h2', {}, t('c4.lookup')),
    field(t('c4.lookup.value'), q, t('c4.lookup.hint')), h('button', { type: 'submit' }, t('c4.lookup.button')), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    out.replaceChildren();
    if (!q.value.trim()) return;
    try {
      const r = await get('/c4tap/lookup?value=' + encodeURIComponent(q.value.trim()));
      out.appendChild(h('p', { cls: 'c4-seen' }, t('c4.seen', r.seen)));
      if (r.hidden) out.appendChild(h('p', { cls: 'hint' }, t('c4.lookup.hidden', { n: r.hidden })));
      if (r.matches.length) out.appendChild(table([
        [t('c4.col.id'), (m) => link('/c4tap/s/' + m.submission, '#' + m.submission)],
        [t('c4.col.date'), (m) => time(m.mail_date)],
        [t('c4.col.kind'), (m) => m.kind],
        [t('c4.col.provider'), (m) => providerText(m.provider)],
        ['TLP', (m) => m.tlp],
      ], r.matches));
    } catch (err) { out.appendChild(msg(errText(err), 'err')); }
  });
  return form;
}

/* ---- one submission ---- */

function flagsTable(flags) {
  if (!flags.length) return msg(t('c4.noflags'));
  return table([
    [t('c4.col.flag'), (f) => h('strong', {}, lang() === 'en' ? f.en : f.ja)],
    [t('c4.col.evidence'), (f) => h('code', {}, f.evidence ? shown(f.evidence) : '')],
    [t('c4.col.type'), (f) => typeName(f.type)],
  ], flags);
}

async function subPage(main, env, id) {
  let s;
  try { s = await get('/c4tap/submissions/' + id); } catch (e) {
    if (e.code === 'not_a_handler') return notHandler(main, e);
    main.appendChild(title(t('c4.sub', { id })));
    main.appendChild(msg(errText(e), 'err'));
    return;
  }
  main.appendChild(title(t('c4.sub', { id: s.id })));
  main.appendChild(subnav(''));
  main.appendChild(dl([
    [t('c4.col.provider'), providerText(s.provider)],
    [t('c4.col.campaign'), link('/c4tap/campaigns/' + s.campaign, '#' + s.campaign)],
    [t('c4.col.date'), time(s.mail_date)],
    [t('c4.received_at'), time(s.received_at)],
    [t('c4.via'), t('c4.via.' + s.via, null, true) || s.via],
  ]));
  put(main, hiddenNote(s));
  main.appendChild(h('h2', {}, t('c4.ranges')));
  main.appendChild(table([
    [t('c4.col.type'), (x) => typeName(x)],
    [t('range'), (x) => rangeBadge(s.ranges[x], s.tlp[x])],
  ], TYPES));
  main.appendChild(h('h2', {}, t('c4.flags')));
  main.appendChild(flagsTable(s.flags || []));
  if ('from' in s) {
    main.appendChild(h('h2', {}, typeName('sender')));
    main.appendChild(dl([
      [t('c4.from'), s.from ? [s.from.display_name ? [shown(s.from.display_name), ' '] : '', h('code', {}, '<', shown(s.from.address), '>')] : '—'],
      [t('c4.replyto'), (s.reply_to || []).length ? shown(s.reply_to.join(', ')) : '—'],
      [t('c4.returnpath'), s.return_path ? shown(s.return_path) : '—'],
    ]));
  }
  if ('subject' in s) {
    main.appendChild(h('h2', {}, typeName('headers')));
    main.appendChild(dl([
      [t('c4.col.subject'), s.subject ? shown(s.subject) : '—'], ['Message-ID', s.message_id ? shown(s.message_id) : '—'],
      ['Date', s.date_header ? shown(s.date_header) : '—'], ['X-Mailer', s.x_mailer ? shown(s.x_mailer) : '—'],
      ['SPF / DKIM / DMARC', ['spf', 'dkim', 'dmarc'].map((k) => (s.auth && s.auth[k]) || '—').join(' / ')],
    ]));
  }
  if (s.received) {
    main.appendChild(h('h2', {}, typeName('received')));
    main.appendChild(table([
      ['from', (r) => r.from_host ? shown(r.from_host) : '—'], ['IP', (r) => r.from_ip || '—'],
      ['by', (r) => r.by_host ? shown(r.by_host) : '—'], [t('c4.col.date'), (r) => r.date ? time(r.date) : '—'],
    ], s.received));
  }
  if (s.urls) {
    main.appendChild(h('h2', {}, typeName('urls')));
    main.appendChild(table([
      ['URL', (u) => h('code', {}, shown(u.url))], [t('c4.linktext'), (u) => u.link_text ? shown(u.link_text) : '—'], [t('c4.source'), (u) => u.source],
    ], s.urls));
  }
  if (s.attachments) {
    main.appendChild(h('h2', {}, typeName('attachments')));
    main.appendChild(table([
      [t('c4.filename'), (a) => h('code', {}, shown(a.filename || '', true))],
      [t('c4.declared'), (a) => a.declared_type ? shown(a.declared_type) : '—'], [t('c4.sniffed'), (a) => a.sniffed_type || '—'],
      [t('c4.size'), (a) => String(a.size)], ['SHA-256', (a) => h('code', { cls: 'hash' }, a.sha256)],
    ], s.attachments));
  }
  if (s.sha256 && !s.hidden.includes('original'))
    main.appendChild(h('p', {}, h('a', { href: '/api/v1/c4tap/submissions/' + s.id + '/original', download: 'submission-' + s.id + '.eml' }, t('c4.original'))));
}

/* ---- campaigns ---- */

async function campaignsPage(main) {
  main.appendChild(title(t('c4.campaigns')));
  main.appendChild(subnav('/c4tap/campaigns'));
  let r;
  try { r = await get('/c4tap/campaigns'); } catch (e) { main.appendChild(msg(errText(e), 'err')); return; }
  if (!r.items.length) { main.appendChild(msg(t('c4.none'))); return; }
  main.appendChild(table([
    [t('c4.col.campaign'), (c) => link('/c4tap/campaigns/' + c.id, '#' + c.id, c.title ? [' ', shown(c.title)] : null)],
    [t('c4.col.seen'), (c) => t('c4.seen.short', c.seen)],
    [t('c4.col.waves'), (c) => String(c.waves.length)],
    [t('c4.col.updated'), (c) => time(c.updated_at)],
  ], r.items));
}

/* The wave timeline: one bar per wave on a time axis, its height the
 * submissions; the same figures as a table under it (never the picture
 * alone). */
function timeline(waves) {
  if (!waves.length) return null;
  const t0 = Date.parse(waves[0].first), t1 = Math.max(Date.parse(waves[waves.length - 1].last), t0 + 3600e3);
  const W = 600, H = 120, max = Math.max(...waves.map((w) => w.submissions));
  const x = (ms) => 20 + ((ms - t0) / (t1 - t0)) * (W - 40);
  return svg('svg', { viewBox: `0 0 ${W} ${H + 20}`, cls: 'c4-timeline', role: 'img', 'aria-label': t('c4.timeline.label', { n: waves.length }) },
    svg('line', { x1: 10, y1: H, x2: W - 10, y2: H, stroke: 'currentColor' }),
    waves.map((w) => {
      const a = x(Date.parse(w.first)), b = Math.max(x(Date.parse(w.last)), a + 6);
      const hh = Math.max(4, (w.submissions / max) * (H - 20));
      return svg('g', {}, svg('rect', { x: a, y: H - hh, width: b - a, height: hh, cls: 'c4-wave' }),
        svg('text', { x: a, y: H + 14, 'font-size': 11 }, t('c4.wave', { n: w.wave })));
    }));
}

async function campaignPage(main, env, id) {
  let c;
  try { c = await get('/c4tap/campaigns/' + id); } catch (e) {
    main.appendChild(title(t('c4.campaign', { id })));
    main.appendChild(msg(errText(e), 'err'));
    return;
  }
  // the heading shows the campaign's title; the window title only its number
  main.appendChild(title([t('c4.campaign', { id: c.id }), c.title ? [' ', shown(c.title)] : null], t('c4.campaign', { id: c.id })));
  main.appendChild(subnav(''));
  main.appendChild(h('p', { cls: 'c4-seen' }, t('c4.seen', c.seen)));
  if (c.hidden_submissions) main.appendChild(h('p', { cls: 'hint' }, t('c4.hiddensubs', { n: c.hidden_submissions })));
  main.appendChild(h('h2', {}, t('c4.waves')));
  put(main, timeline(c.waves));
  main.appendChild(table([
    [t('c4.col.wave'), (w) => t('c4.wave', { n: w.wave })], [t('c4.first'), (w) => time(w.first)], [t('c4.last'), (w) => time(w.last)],
    [t('c4.col.seen'), (w) => t('c4.seen.short', w)],
  ], c.waves));
  if (c.indicators && c.indicators.length) {
    main.appendChild(h('h2', {}, t('c4.indicators')));
    main.appendChild(table([
      [t('c4.col.kind'), (i) => typeName(i.kind)], [t('c4.col.value'), (i) => h('code', {}, shown(i.value))],
      [t('c4.col.type'), (i) => typeName(i.type)], [t('c4.col.count'), (i) => String(i.count)],
    ], c.indicators));
  }
  if (c.submissions && c.submissions.length) {
    main.appendChild(h('h2', {}, t('c4.list')));
    main.appendChild(subsTable(c.submissions));
  }
  main.appendChild(h('h2', {}, t('c4.notes')));
  main.appendChild((c.notes || []).length ? h('ul', {}, c.notes.map((n) => h('li', {}, rangeBadge(n.range), ' ', shown(n.text), ' — ', n.author, ' ', time(n.created_at)))) : msg(t('c4.nonotes')));
  let me = null;
  try { me = await get('/c4tap/me'); } catch (e) { me = null; }
  if (me && me.may_analyse) main.appendChild(analystForms(env, c));
}

/* Merge another campaign into this one; split submissions off. */
function mergeSplit(env, c) {
  const other = h('input', { type: 'number', id: 'c4-merge-from', min: 1, inputmode: 'numeric' });
  const out = h('div', { 'aria-live': 'polite' });
  const merge = h('form', { id: 'c4-merge' }, h('h2', {}, t('c4.merge')), h('p', { cls: 'hint' }, t('c4.merge.hint')),
    field(t('c4.merge.from'), other), h('button', { type: 'submit' }, t('c4.merge.button')), out);
  merge.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { await post('/c4tap/campaigns/' + c.id + '/merge', { from: [Number(other.value)] }); env.ctx.reload(); } catch (err) { out.replaceChildren(msg(errText(err), 'err')); }
  });
  const subs = c.submissions || [];
  if (subs.length < 2) return merge;
  const boxes = subs.map((x) => h('label', { cls: 'inline' },
    h('input', { type: 'checkbox', id: 'c4-split-' + x.id, value: String(x.id) }), '#' + x.id));
  const out2 = h('div', { 'aria-live': 'polite' });
  const split = h('form', { id: 'c4-split' }, h('h2', {}, t('c4.split')),
    h('fieldset', {}, h('legend', {}, t('c4.split.which')), boxes),
    h('button', { type: 'submit' }, t('c4.split.button')), out2);
  split.addEventListener('submit', async (e) => {
    e.preventDefault();
    const ids = [...split.querySelectorAll('input[type=checkbox]:checked')].map((b) => Number(b.value));
    try { const r = await post('/c4tap/campaigns/' + c.id + '/split', { submissions: ids }); env.ctx.go('/c4tap/campaigns/' + r.id); } catch (err) { out2.replaceChildren(msg(errText(err), 'err')); }
  });
  return h('div', {}, merge, split);
}

/* ---- the secretariat: agreements to the operating rules, handlers ---- */

async function adminPage(main, env) {
  let me;
  try { me = await get('/c4tap/me'); } catch (e) { return notHandler(main, e); }
  isManager = me.manager;
  isHandler = !!me.handler;
  main.appendChild(title(t('c4.admin')));
  main.appendChild(subnav('/c4tap/admin'));
  if (!me.manager) { main.appendChild(msg(t('c4.admin.only'), 'err')); return; }
  const [parts, hands] = await Promise.all([get('/c4tap/participants'), get('/c4tap/handlers')]);
  main.appendChild(h('p', {}, t('c4.admin.totals', parts.totals)));
  main.appendChild(h('h2', {}, t('c4.admin.orgs')));
  const out = h('div', { 'aria-live': 'polite' });
  main.appendChild(table([
    [t('c4.admin.org'), (o) => (lang() === 'en' ? o.name_en : o.name_ja) || o.org],
    [t('c4.standing'), (o) => t('c4.standing.' + o.standing, null, true) || o.standing],
    [t('c4.admin.version'), (o) => o.rules_version],
    [t('c4.admin.agreedby'), (o) => o.agreed_by],
    [t('c4.admin.agreedat'), (o) => time(o.agreed_at)],
    ['', (o) => o.standing === 'none' ? '' : h('button', { type: 'button', on: { click: async () => {
      try { await api('DELETE', '/c4tap/participants/' + encodeURIComponent(o.org)); env.ctx.reload(); } catch (err) { out.replaceChildren(msg(errText(err), 'err')); }
    } } }, t('c4.admin.withdraw')), '', t('c4.admin.withdraw')],
  ], parts.items));
  main.appendChild(out);
  const org = h('input', { type: 'text', id: 'c4-join-org', maxlength: 63, autocomplete: 'off' });
  const standing = select('standing', ['participant', 'observer', 'relation'].map((x) => [x, t('c4.standing.' + x)]), 'participant', { id: 'c4-join-standing' });
  const version = h('input', { type: 'text', id: 'c4-join-version', maxlength: 32, value: me.rules_version });
  const by = h('input', { type: 'text', id: 'c4-join-by', maxlength: 200 });
  const jout = h('div', { 'aria-live': 'polite' });
  const join = h('form', { id: 'c4-join' }, h('h2', {}, t('c4.admin.join')),
    field(t('c4.admin.orgid'), org, t('c4.admin.orgid.hint')), field(t('c4.standing'), standing),
    field(t('c4.admin.version'), version), field(t('c4.admin.agreedby'), by),
    h('button', { type: 'submit' }, t('c4.admin.join.button')), jout);
  join.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await post('/c4tap/participants', { org: org.value.trim(), standing: standing.value, rules_version: version.value.trim(), agreed_by: by.value.trim() });
      env.ctx.reload();
    } catch (err) { jout.replaceChildren(msg(errText(err), 'err')); }
  });
  main.appendChild(join);
  main.appendChild(h('h2', {}, t('c4.admin.handlers')));
  const hout = h('div', { 'aria-live': 'polite' });
  main.appendChild(table([
    [t('c4.admin.user'), (x) => x.display_name ? x.display_name + paren(x.username) : x.username],
    [t('c4.admin.org'), (x) => {
      // the organisation's name (the participants' list has it; a national
      // body's the app knows), not its id (found by a review)
      const o = parts.items.find((p) => p.org === x.org);
      return (o && (lang() === 'en' ? o.name_en : o.name_ja)) || env.ctx.orgLabel(x.org);
    }],
    [t('c4.admin.kind'), (x) => t('c4.kind.' + x.kind, null, true) || x.kind],
    ['', (x) => h('button', { type: 'button', on: { click: async () => {
      try { await api('DELETE', '/c4tap/handlers/' + encodeURIComponent(x.username)); env.ctx.reload(); } catch (err) { hout.replaceChildren(msg(errText(err), 'err')); }
    } } }, t('c4.admin.remove')), '', t('c4.admin.remove')],
  ], hands.items));
  main.appendChild(hout);
  const user = h('input', { type: 'text', id: 'c4-handler-user', maxlength: 64, autocomplete: 'off' });
  const kind = select('kind', ['participant', 'analyst'].map((x) => [x, t('c4.kind.' + x)]), 'participant', { id: 'c4-handler-kind' });
  const aout = h('div', { 'aria-live': 'polite' });
  const add = h('form', { id: 'c4-handler' }, h('h2', {}, t('c4.admin.addhandler')),
    field(t('c4.admin.user'), user), field(t('c4.admin.kind'), kind),
    h('button', { type: 'submit' }, t('c4.admin.addhandler.button')), aout);
  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { await post('/c4tap/handlers', { username: user.value.trim(), kind: kind.value }); env.ctx.reload(); } catch (err) { aout.replaceChildren(msg(errText(err), 'err')); }
  });
  main.appendChild(add);
}

function analystForms(env, c) {
  const text = h('textarea', { id: 'c4-note', maxlength: 4000, rows: 3 });
  const nrange = rangeSelect('note', 'amber');
  const out = h('div', { 'aria-live': 'polite' });
  const note = h('form', {}, h('h2', {}, t('c4.note.add')), field(t('c4.note'), text), field(t('range'), nrange),
    h('button', { type: 'submit' }, t('c4.note.button')), out);
  note.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { await post('/c4tap/campaigns/' + c.id + '/notes', { text: text.value, range: nrange.value }); env.ctx.reload(); } catch (err) { out.replaceChildren(msg(errText(err), 'err')); }
  });
  const arange = rangeSelect('adv', 'green');
  const out2 = h('div', { 'aria-live': 'polite' });
  const adv = h('form', {}, h('h2', {}, t('c4.advisory')), h('p', { cls: 'hint' }, t('c4.advisory.hint')),
    field(t('range'), arange), h('button', { type: 'submit', disabled: !!c.advisory }, t('c4.advisory.button')), out2,
    c.advisory ? h('p', {}, link('/advisories/' + c.advisory, t('c4.advisory.open'))) : null);
  adv.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api('POST', '/c4tap/campaigns/' + c.id + '/advisory', { range: arange.value });
      env.ctx.go('/advisories/' + r.advisory.id);
    } catch (err) { out2.replaceChildren(msg(errText(err), 'err')); }
  });
  return h('div', {}, note, mergeSplit(env, c), adv);
}
