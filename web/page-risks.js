// page-risks.js - the risk register (リスク登録簿, issue 15).
//   #/risks?state=&treatment=&above=&review_before=   the register: a heat
//        map (SVG, impact × likelihood, a count per cell, the cells at or
//        above the risk appetite marked, the scale's labels in the UI
//        language; the same figures as a table) and the list (filters in
//        the hash query, paging with next_cursor). An operator's users see
//        their own risks; a CEPTOAR secretariat its members' shared ones,
//        read only, and a 5 × 5 map of level pairs (scales differ).
//   #/risks/new      a new risk (reporters, liaisons, analysts, org admins)
//   #/risks/{id}     one risk: its fields, edit with the version read
//                    (409 said with a reload), close / reopen (confirmed in
//                    the page), its history (each version: who, when, what
//                    changed)
//   #/risks/scale    the operator's scale: 3 to 5 levels of impact and of
//                    likelihood (labels ja/en) and the threshold (analysts
//                    and org admins edit; a level still used is refused at
//                    its field, 409 level_in_use)
// API: /risks, /risks/heatmap, /risks/scale, /risks/{id}[/history],
// /guideline (docs/openapi.json, tag risks; docs/rules.md "Risk register").
import { h, svg, link, table, msg, errText, field, put, clear, enc, flag, select } from './dom.js';
import { t, L, lang, addTexts } from './i18n.js';
import { get, post, put as apiPut } from './api.js';

/* The pages' texts (i18n.js addTexts: not part of every first load). */
const TEXTS = {
  'rk.title': ['リスク登録簿', 'Risk register'],
  'rk.intro': ['自組織のリスクを、影響の大きさと発生可能性で評価し、対応の方針・対策・見直し日とともに記録します（安全基準等策定指針のリスクアセスメントとリスク対応）。', 'Your organisation’s risks, assessed by impact and likelihood and kept with their treatment, measures and review date (the guideline’s risk assessment and treatment).'],
  'rk.intro.sec': ['構成員の重要インフラ事業者が事務局と共有したリスクです（閲覧のみ）。', 'The risks your member operators share with their secretariat (read-only).'],
  'rk.notfor': ['リスク登録簿は重要インフラ事業者が自組織について記録するもので、CEPTOAR事務局は構成員が共有したリスクを閲覧します。', 'Risk registers are kept by operators; a CEPTOAR secretariat reads what its members share.'],
  'rk.new': ['リスクを登録', 'Enter a risk'],
  'rk.new.title': ['リスクの登録', 'Enter a risk'],
  'rk.scale.link': ['評価基準（尺度と許容水準）', 'Scale and risk appetite'],
  'rk.back': ['リスク登録簿へ戻る', 'Back to the register'],
  'rk.one': ['リスク{id}', 'Risk {id}'],
  'rk.req': ['（必須）', ' (required)'],
  'rk.heat': ['ヒートマップ', 'Heat map'],
  'rk.heat.sec': ['構成員の共有リスクのヒートマップ（段階の番号の組ごと）', 'Members’ shared risks by level pair'],
  'rk.heat.totals': ['対応中のリスク{n}件（うち許容水準以上{a}件）', '{n} open risks ({a} at or above the appetite)'],
  'rk.heat.desc': ['影響（縦軸）と発生可能性（横軸）の組ごとの対応中のリスクの数。同じ数値を下の表に示します。', 'The number of open risks per impact (rows) and likelihood (columns); the table below gives the same figures.'],
  'rk.heat.table': ['ヒートマップの数値を表で見る', 'The heat map as a table'],
  'rk.heat.key.count': ['数字：そのマスの対応中のリスクの数', 'Figure: open risks in the cell'],
  'rk.heat.key.above': ['▲と斜線：許容水準（スコア{th}）以上のマス。対応が必要です', '▲ and hatching: cells at or above the appetite (score {th}); such risks must be treated'],
  'rk.heat.key.secabove': ['（▲n）：そのうち各構成員自身の許容水準以上のリスクの数', '(▲n): of which at or above their own operator’s appetite'],
  'rk.heat.note': ['評価基準（段階の数・名前・許容水準）は構成員ごとに異なるため、このマップは段階の番号の組（例：影響3・発生可能性2）ごとの件数です。ある構成員のレベル3と別の構成員のレベル3は同じ意味とは限りません。', 'Members’ scales differ (their levels, labels and appetites), so this map counts risks per pair of level numbers (such as impact 3, likelihood 2): level 3 of one member and level 3 of another need not mean the same.'],
  'rk.heat.cell': ['影響{i}・発生可能性{l}：{n}件', 'Impact {i}, likelihood {l}: {n}'],
  'rk.heat.cellabove': ['（許容水準以上）', ' (at or above the appetite)'],
  'rk.heat.impact': ['影響 ↑', 'Impact ↑'],
  'rk.heat.likelihood': ['発生可能性 →', 'Likelihood →'],
  'rk.level': ['レベル{n}', 'Level {n}'],
  'rk.levelname': ['{n} {label}', '{n} {label}'],
  'rk.filters': ['絞り込み', 'Filters'],
  'rk.f.state.any': ['すべて', 'any'],
  'rk.f.above': ['許容水準', 'Risk appetite'],
  'rk.f.above.true': ['許容水準以上', 'at or above'],
  'rk.f.above.false': ['許容水準未満', 'below'],
  'rk.f.before': ['見直し日がこの日より前', 'Review before'],
  'rk.list': ['リスクの一覧', 'Risks'],
  'rk.none': ['条件に合うリスクはありません。', 'No risk matches.'],
  'rk.none.any': ['リスクはまだ登録されていません。', 'No risk entered yet.'],
  'rk.count': ['{n}件を表示', '{n} shown'],
  'rk.col.title': ['リスク', 'Risk'],
  'rk.col.org': ['事業者', 'Operator'],
  'rk.col.score': ['スコア（影響×発生可能性）', 'Score (impact × likelihood)'],
  'rk.col.review': ['見直し日', 'Review'],
  'rk.scoreof': ['{i}×{l}', '{i}×{l}'],
  'rk.thresh': ['（許容水準：スコア{th}以上）', '(appetite: a score of {th} or more)'],
  'rk.above': ['許容水準以上', 'above appetite'],
  'rk.due': ['見直し期日', 'review due'],
  'rk.shared': ['共有', 'shared'],
  'rk.col.shared': ['共有', 'Shared'],
  'rk.notshared': ['共有なし', 'not shared'],
  'rk.st.open': ['対応中', 'Open'],
  'rk.st.closed': ['クローズ', 'Closed'],
  'rk.f.title': ['件名', 'Title'],
  'rk.f.owner': ['リスク所有者', 'Risk owner'],
  'rk.f.asset': ['資産・サービス', 'Asset or service'],
  'rk.f.description': ['内容', 'Description'],
  'rk.f.impact': ['影響の大きさ', 'Impact'],
  'rk.f.likelihood': ['発生可能性', 'Likelihood'],
  'rk.f.treatment': ['対応の方針', 'Treatment'],
  'rk.f.measures': ['対策（指針の項目）', 'Measures (guideline items)'],
  'rk.f.plan': ['対応計画', 'Treatment plan'],
  'rk.f.review_at': ['次の見直し日', 'Next review'],
  'rk.f.state': ['状態', 'State'],
  'rk.f.shared': ['CEPTOAR事務局との共有', 'Shared with the CEPTOAR secretariat'],
  'rk.f.score': ['スコア', 'Score'],
  'rk.f.org': ['事業者', 'Operator'],
  'rk.f.created': ['登録', 'Entered'],
  'rk.f.updated': ['最終更新', 'Last changed'],
  'rk.hint.title': ['200文字まで。', 'Up to 200 characters.'],
  'rk.hint.owner': ['リスクに責任を持つ人または役職（200文字まで）。', 'The person or role accountable for the risk (up to 200 characters).'],
  'rk.hint.asset': ['影響を受ける資産や重要インフラサービス（任意、200文字まで）。', 'The asset or critical-infrastructure service concerned (optional, up to 200 characters).'],
  'rk.hint.text': ['4,000文字まで（任意）。', 'Up to 4,000 characters (optional).'],
  'rk.hint.plan': ['目標・実施事項・スケジュールなど（任意、4,000文字まで）。', 'Objectives, tasks and schedule (optional, up to 4,000 characters).'],
  'rk.hint.review': ['明日以降の日付。見直し日の14日前から自組織の連絡先にお知らせが届き、過ぎると一覧に「見直し期日」と表示されます。', 'A date after today. Your contacts are reminded from 14 days before; once it passes, the list marks it “review due”.'],
  'rk.hint.shared': ['共有すると、所属するCEPTOARの事務局がこのリスクと共有中の版の履歴を閲覧できます（編集はできません）。', 'When shared, your CEPTOAR’s secretariat may read this risk and the versions that were shared (never edit it).'],
  'rk.hint.scale': ['自組織の評価基準の段階です：', 'Levels of your own scale:'],
  'rk.score.now': ['スコア{s}（影響{i}×発生可能性{l}）：許容水準（{th}）以上です。対応が必要です。', 'Score {s} (impact {i} × likelihood {l}): at or above the appetite ({th}); it must be treated.'],
  'rk.score.below': ['スコア{s}（影響{i}×発生可能性{l}）：許容水準（{th}）未満です。', 'Score {s} (impact {i} × likelihood {l}): below the appetite ({th}).'],
  'rk.score.pick': ['影響と発生可能性を選ぶとスコアが表示されます。', 'Choose the impact and the likelihood to see the score.'],
  'rk.tr.reduce': ['低減', 'Reduce'],
  'rk.tr.avoid': ['回避', 'Avoid'],
  'rk.tr.transfer': ['移転・共有', 'Transfer'],
  'rk.tr.accept': ['受容', 'Accept'],
  'rk.tr.reduce.about': ['管理策（対策）を講じて、影響または発生可能性を小さくします。', 'Apply controls so that the impact or the likelihood becomes smaller.'],
  'rk.tr.avoid.about': ['リスクの原因となる活動をやめる、または始めないことで、リスクそのものをなくします。', 'Stop, or do not start, the activity that gives rise to the risk.'],
  'rk.tr.transfer.about': ['保険や外部委託などにより、リスクを他者と分担します。', 'Share the risk with others, for example through insurance or outsourcing.'],
  'rk.tr.accept.about': ['内容を理解したうえで、対策を追加せずにそのまま保有すると判断します。', 'Keep the risk as it is, as an informed decision.'],
  'rk.m.search': ['指針の項目を検索（番号または名称）', 'Search the guideline’s items (number or name)'],
  'rk.m.hint': ['チェックした項目がこのリスクの対策になります（50項目まで）。', 'The items ticked are this risk’s measures (up to 50).'],
  'rk.m.chosen': ['選んだ対策：{n}項目', 'Measures chosen: {n}'],
  'rk.m.nochosen': ['まだ選んでいません。', 'None chosen yet.'],
  'rk.m.remove': ['外す', 'Remove'],
  'rk.m.removeone': ['{id}を外す', 'Remove {id}'],
  'rk.m.matches': ['{n}項目が該当', '{n} items match'],
  'rk.m.nomatch': ['該当する項目はありません。', 'No item matches.'],
  'rk.m.toomany': ['対策は50項目までです。', 'At most 50 measures.'],
  'rk.m.bcp': ['CP/BCP：{title}', 'CP/BCP: {title}'],
  'rk.m.none': ['なし', 'none'],
  'rk.save.new': ['登録する', 'Enter the risk'],
  'rk.save': ['変更を保存', 'Save changes'],
  'rk.created': ['リスク{id}を登録しました。', 'Risk {id} entered.'],
  'rk.saved': ['保存しました（第{v}版）。', 'Saved (version {v}).'],
  'rk.nochange': ['変更はありません。', 'Nothing changed.'],
  'rk.err.title': ['件名を入力してください。', 'Enter a title.'],
  'rk.err.owner': ['リスク所有者を入力してください。', 'Enter the risk owner.'],
  'rk.err.impact': ['影響の大きさを選んでください。', 'Choose the impact.'],
  'rk.err.likelihood': ['発生可能性を選んでください。', 'Choose the likelihood.'],
  'rk.err.treatment': ['対応の方針を選んでください。', 'Choose the treatment.'],
  'rk.err.review': ['次の見直し日を入力してください。', 'Enter the next review date.'],
  'rk.err.form': ['登録していません：入力内容を確認してください。', 'Not saved: check the fields marked.'],
  'rk.err.in_the_past': ['見直し日は明日以降の日付にしてください。', 'The review date must be after today.'],
  'rk.err.out_of_range': ['評価基準の段階を超えています。', 'Beyond the levels of the scale.'],
  'rk.err.unknown_item': ['指針の項目ではありません。', 'Not an item of the guideline.'],
  'rk.err.duplicate_item': ['同じ項目が二つあります。', 'The same item twice.'],
  'rk.err.too_many': ['登録できるリスクは10,000件までです。', 'At most 10,000 risks per operator.'],
  'rk.err.level_in_use': ['この段階を使っているリスクがあるため、段階の数を減らせません（クローズしたリスクも含みます）。先にそのリスクの評価を変えてください。', 'Risks (closed ones included) use the levels you remove: change their assessment first.'],
  'rk.err.invalid_value': ['値が正しくありません。', 'The value is not valid.'],
  'rk.conflict': ['保存していません：このリスクは読み込んだ後にほかの画面または担当者によって変更されました。読み込み直すと最新の内容が表示されます（この画面での変更は失われます）。', 'Not saved: the risk was changed meanwhile from another window or by a colleague. Reload to see the latest (the changes made here will be lost).'],
  'rk.reload': ['読み込み直す', 'Reload'],
  'rk.edit': ['編集', 'Edit'],
  'rk.edit.title': ['リスクの編集（第{v}版をもとに）', 'Edit the risk (from version {v})'],
  'rk.close': ['クローズ…', 'Close…'],
  'rk.reopen': ['再開…', 'Reopen…'],
  'rk.close.confirm': ['このリスクをクローズしますか。履歴は残り、あとで再開できます。', 'Close this risk? Its history stays, and it can be reopened later.'],
  'rk.reopen.confirm': ['このリスクを再開しますか。', 'Reopen this risk?'],
  'rk.close.yes': ['クローズする', 'Close it'],
  'rk.reopen.yes': ['再開する', 'Reopen it'],
  'rk.closed.done': ['クローズしました（第{v}版）。', 'Closed (version {v}).'],
  'rk.reopened.done': ['再開しました（第{v}版）。', 'Reopened (version {v}).'],
  'rk.readonly': ['閲覧のみです。', 'Read-only.'],
  'rk.version': ['第{v}版', 'Version {v}'],
  'rk.history': ['変更履歴', 'History'],
  'rk.history.sec': ['共有されていた版だけを表示します。', 'Only the versions that were shared are shown.'],
  'rk.history.by': ['{who}', '{who}'],
  'rk.history.changed': ['変更：{fields}', 'Changed: {fields}'],
  'rk.history.first': ['登録', 'Entered'],
  'rk.history.snapshot': ['この版の内容', 'This version'],
  'rk.yes': ['はい', 'yes'],
  'rk.no': ['いいえ', 'no'],
  'rk.scale.title': ['リスクの評価基準', 'Risk scale and appetite'],
  'rk.scale.intro': ['影響の大きさと発生可能性をそれぞれ3〜5段階で評価し、スコア（影響×発生可能性）が許容水準以上のリスクは対応が必要なものとします。段階の名前は日本語と英語で付けます。', 'Impact and likelihood are each rated on 3 to 5 levels; a risk whose score (impact × likelihood) reaches the threshold is above the appetite and must be treated. Each level has a name in Japanese and in English.'],
  'rk.scale.notop': ['評価基準は重要インフラ事業者がそれぞれ定めるものです。', 'Each operator sets its own scale.'],
  'rk.scale.default': ['既定の評価基準を使っています（まだ保存していません）。', 'You use the default scale (not saved yet).'],
  'rk.scale.readonly': ['あなたの役割では評価基準を変更できません（分析担当・組織管理者が変更します）。', 'Your roles do not allow changing the scale (analysts and organisation admins do).'],
  'rk.scale.n': ['段階の数', 'Number of levels'],
  'rk.scale.nlevels': ['{n}段階', '{n} levels'],
  'rk.scale.ja': ['レベル{n}の名前（日本語）', 'Level {n} name (Japanese)'],
  'rk.scale.en': ['レベル{n}の名前（英語）', 'Level {n} name (English)'],
  'rk.scale.threshold': ['許容水準（スコア）', 'Appetite threshold (score)'],
  'rk.scale.thint': ['スコアがこの値以上のリスクを「許容水準以上」とします（1〜{max}）。', 'Risks scoring this or more are above the appetite (1 to {max}).'],
  'rk.scale.cells': ['{m}マス中{k}マスが許容水準以上になります。', '{k} of {m} cells are at or above the appetite.'],
  'rk.scale.save': ['評価基準を保存', 'Save the scale'],
  'rk.scale.saved': ['評価基準を保存しました（第{v}版）。', 'Scale saved (version {v}).'],
  'rk.scale.conflict': ['保存していません：評価基準は読み込んだ後にほかの画面または担当者によって変更されました。読み込み直してください。', 'Not saved: the scale was changed meanwhile from another window or by a colleague. Reload it.'],
  'rk.scale.err.label': ['名前を入力してください（100文字まで）。', 'Enter a name (up to 100 characters).'],
  'rk.scale.err.threshold': ['許容水準は1〜{max}の整数です。', 'The threshold is a whole number from 1 to {max}.'],
};
addTexts(TEXTS);

/* The pages' styles (risks.css), added to the document once. */
let styled = null;
function styles() {
  if (!styled) {
    styled = new Promise((done) => {
      const l = h('link', { rel: 'stylesheet', href: '/ui/risks.css', id: 'css-risks' });
      l.addEventListener('load', done);
      l.addEventListener('error', done);
      document.head.appendChild(l);
    });
  }
  return styled;
}

const TREATMENTS = ['reduce', 'avoid', 'transfer', 'accept'];
const AXES = ['impact', 'likelihood'];
const MEASURES_MAX = 50;

/* The API's rules: who writes risks, who sets the scale. */
const mayWrite = (ctx) => ctx.kind() === 'operator' && ctx.has('reporter', 'liaison', 'analyst', 'org_admin');
const mayScale = (ctx) => ctx.kind() === 'operator' && ctx.has('analyst', 'org_admin');

const title = (text, page) => h('h1', { 'data-title': page || text }, text);
const trLabel = (x) => t('rk.tr.' + x, null, true) || x;
/* A refusal in words: the register's own codes first. */
const errOf = (e) => t('rk.err.' + (e && e.code), null, true) || errText(e);

/* Dates: the review date is a day in JST (its 00:00), sent as UTC. */
const p2 = (n) => String(n).padStart(2, '0');
function toDay(iso) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const j = new Date(ms + 9 * 3600e3);
  return `${j.getUTCFullYear()}-${p2(j.getUTCMonth() + 1)}-${p2(j.getUTCDate())}`;
}
function fromDay(v) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v || '');
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]) - 9 * 3600e3).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
function day(iso) {
  const d = toDay(iso);
  if (!d) return h('span', { cls: 'empty' }, '—');
  return h('time', { datetime: iso }, lang() === 'en' ? d : d.replace(/-/g, '/'));
}

/* A level in words: "4 大" (the operator's scale), else "4". */
function levelName(scale, axis, n) {
  const lv = scale && scale[axis] && scale[axis][n - 1];
  return lv ? t('rk.levelname', { n, label: L(lv) }) : String(n);
}

function scoreEl(r) {
  return h('span', { cls: 'rk-score', 'data-score': r.score, 'data-above': r.above_appetite ? '1' : '0' },
    h('strong', {}, String(r.score)), ' ', h('span', { cls: 'hint' }, t('rk.scoreof', { i: r.impact, l: r.likelihood })),
    r.above_appetite ? [' ', flag('▲ ' + t('rk.above'), 'warn')] : null);
}
function reviewEl(r) {
  return h('span', { cls: 'rk-review', 'data-due': r.review_due ? '1' : '0' }, day(r.review_at),
    r.review_due ? [' ', flag('⏰ ' + t('rk.due'), 'warn')] : null);
}
function stateBadge(s) {
  return h('span', { cls: 'badge flag rk-state rk-state-' + s, 'data-state': s }, t('rk.st.' + s, null, true) || s);
}

export async function render(main, env) {
  await styles();
  const ctx = env.ctx;
  if (env.name === 'riskScale') return scalePage(main, ctx);
  if (ctx.kind() !== 'operator' && ctx.kind() !== 'ceptoar') {
    put(main, title(t('rk.title')), h('p', { cls: 'empty', id: 'rk-notfor' }, t('rk.notfor')));
    return null;
  }
  if (env.name === 'riskNew') return newPage(main, ctx);
  if (env.name === 'risk') return riskPage(main, ctx, env.params[0]);
  return listPage(main, ctx);
}

/* ---------- the register ---------- */

function query() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
}

async function listPage(main, ctx) {
  const op = ctx.kind() === 'operator';
  put(main, title(t('rk.title')), h('p', {}, t(op ? 'rk.intro' : 'rk.intro.sec')));
  if (op) {
    put(main, h('p', { cls: 'rk-links' },
      mayWrite(ctx) ? h('a', { href: '#/risks/new', cls: 'button', id: 'rk-new' }, t('rk.new')) : null,
      h('a', { href: '#/risks/scale', id: 'rk-scale-link' }, t('rk.scale.link'))));
  }
  const q = query();
  const f = {
    state: ['open', 'closed'].includes(q.get('state')) ? q.get('state') : '',
    treatment: TREATMENTS.includes(q.get('treatment')) ? q.get('treatment') : '',
    above: ['true', 'false'].includes(q.get('above')) ? q.get('above') : '',
    review_before: /^\d{4}-\d{2}-\d{2}$/.test(q.get('review_before') || '') ? q.get('review_before') : '',
  };
  const hm = await get('/risks/heatmap');
  put(main, heatSection(hm, op));

  // filters (in the hash query: ids and enum values only)
  const fState = select('state', [['', t('rk.f.state.any')], ['open', t('rk.st.open')], ['closed', t('rk.st.closed')]], f.state, { id: 'rk-q-state' });
  const fTr = select('treatment', [['', t('rk.f.state.any')]].concat(TREATMENTS.map((x) => [x, trLabel(x)])), f.treatment, { id: 'rk-q-treatment' });
  const fAbove = select('above', [['', t('rk.f.state.any')], ['true', t('rk.f.above.true')], ['false', t('rk.f.above.false')]], f.above, { id: 'rk-q-above' });
  const fBefore = h('input', { type: 'date', name: 'review_before', id: 'rk-q-before', value: f.review_before });
  const form = h('form', { cls: 'card filters', role: 'search', id: 'rk-filters', 'aria-label': t('rk.filters') },
    field(t('rk.f.state'), fState), field(t('rk.f.treatment'), fTr), field(t('rk.f.above'), fAbove), field(t('rk.f.before'), fBefore),
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('apply')),
      h('button', { type: 'button', cls: 'secondary', on: { click: () => ctx.go('/risks') } }, t('reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (fState.value) p.set('state', fState.value);
    if (fTr.value) p.set('treatment', fTr.value);
    if (fAbove.value) p.set('above', fAbove.value);
    if (fBefore.value) p.set('review_before', fBefore.value);
    ctx.go('/risks' + (p.toString() ? '?' + p.toString() : ''));
  });
  const out = h('div', { id: 'rk-list' });
  const more = h('div', { id: 'rk-more' });
  put(main, form, h('section', { 'aria-labelledby': 'rk-list-h' }, h('h2', { id: 'rk-list-h' }, t('rk.list')), out, more));

  const api = new URLSearchParams();
  if (f.state) api.set('state', f.state);
  if (f.treatment) api.set('treatment', f.treatment);
  if (f.above) api.set('above', f.above);
  if (f.review_before) api.set('review_before', fromDay(f.review_before));
  api.set('limit', '50');
  const filtered = !!(f.state || f.treatment || f.above || f.review_before);
  const rows = [];
  const cols = [[t('rk.col.title'), (r) => link('/risks/' + enc(r.id), r.title)]];
  if (!op) cols.push([t('rk.col.org'), (r) => L(r.org.name)]);
  cols.push(
    [t('rk.f.owner'), (r) => r.owner],
    [t('rk.f.asset'), (r) => r.asset || h('span', { cls: 'empty' }, '—')],
    [t('rk.col.score'), scoreEl],
    [t('rk.f.treatment'), (r) => trLabel(r.treatment)],
    [t('rk.col.review'), reviewEl]);
  if (op) cols.push([t('rk.col.shared'), (r) => (r.shared ? t('rk.shared') : h('span', { cls: 'empty' }, t('rk.notshared')))]);
  cols.push([t('rk.f.state'), (r) => stateBadge(r.state)]);
  const load = async (cursor) => {
    if (cursor) api.set('cursor', cursor); else api.delete('cursor');
    const r = await get('/risks?' + api.toString());
    rows.push(...r.items);
    clear(out); clear(more);
    if (!rows.length) { put(out, h('p', { cls: 'empty', id: 'rk-none' }, t(filtered ? 'rk.none' : 'rk.none.any'))); return; }
    put(out, table(cols, rows, (x) => ({ 'data-id': x.id, 'data-state': x.state })), h('p', { cls: 'hint', id: 'rk-count' }, t('rk.count', { n: rows.length })));
    if (r.next_cursor) {
      const b = h('button', { type: 'button', cls: 'secondary', id: 'rk-more-btn' }, t('more'));
      b.addEventListener('click', async () => {
        b.disabled = true;
        const before = rows.length;
        try { await load(r.next_cursor); } catch (e) { b.disabled = false; put(more, msg(errText(e), 'err')); return; }
        // the first new row's link takes the focus
        const a = out.querySelectorAll('tbody tr')[before];
        if (a && a.querySelector('a')) a.querySelector('a').focus();
      });
      put(more, b);
    }
  };
  await load(null);
  return null;
}

/* The heat map: an SVG grid (impact rows from the highest down,
 * likelihood columns), a count per cell, the cells at or above the
 * appetite hatched and marked ▲; a legend and the same figures as a
 * table. A secretariat's is a 5 × 5 grid of level pairs with a note. */
function heatSection(hm, op) {
  const own = hm.basis === 'own_scale';
  const sc = hm.scale;
  const ni = hm.impact_levels, nl = hm.likelihood_levels;
  const cell = new Map(hm.cells.map((c) => [c.impact + ':' + c.likelihood, c]));
  const name = (axis, n) => (own ? levelName(sc, axis, n) : t('rk.level', { n }));
  const short = (s, n = 12) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
  const CW = 72, CH = 52, LW = 104, TH = 10, BH = 58;
  const W = LW + nl * CW + 10, H = TH + ni * CH + BH;
  const kids = [svg('defs', {}, svg('pattern', { id: 'rk-hatch', width: 8, height: 8, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
    svg('line', { x1: 0, y1: 0, x2: 0, y2: 8, cls: 'rk-hatchline' })))];
  for (let i = ni; i >= 1; i--) {
    const y = TH + (ni - i) * CH;
    kids.push(svg('text', { x: LW - 8, y: y + CH / 2 + 4, cls: 'rk-axlab', 'text-anchor': 'end' }, short(name('impact', i)),
      svg('title', {}, name('impact', i))));
    for (let l = 1; l <= nl; l++) {
      const x = LW + (l - 1) * CW;
      const c = cell.get(i + ':' + l) || { count: 0, above: 0 };
      const hot = own ? !!c.above_appetite : false;
      const band = i * l >= 15 ? 'hi' : i * l >= 8 ? 'mid' : 'lo';
      const label = t('rk.heat.cell', { i, l, n: c.count }) + (hot ? t('rk.heat.cellabove') : '');
      kids.push(svg('g', { cls: 'rk-cell rk-band-' + band + (hot ? ' rk-hot' : '') + (c.count ? '' : ' rk-zero'),
        'data-impact': i, 'data-likelihood': l, 'data-count': c.count, 'data-above': c.above || 0, 'data-appetite': hot ? '1' : '0' },
      svg('title', {}, label),
      svg('rect', { x: x + 1, y: y + 1, width: CW - 2, height: CH - 2, cls: 'rk-bg' }),
      hot ? svg('rect', { x: x + 1, y: y + 1, width: CW - 2, height: CH - 2, cls: 'rk-hatch', fill: 'url(#rk-hatch)' }) : null,
      hot ? svg('text', { x: x + 6, y: y + 16, cls: 'rk-mark' }, '▲') : null,
      svg('text', { x: x + CW / 2, y: y + CH / 2 + 7, cls: 'rk-count', 'text-anchor': 'middle' }, String(c.count)),
      !own && c.above ? svg('text', { x: x + CW / 2, y: y + CH - 6, cls: 'rk-sub', 'text-anchor': 'middle' }, '▲' + c.above) : null));
    }
  }
  for (let l = 1; l <= nl; l++) {
    const x = LW + (l - 1) * CW + CW / 2;
    const lab = name('likelihood', l);
    // the level's number on one line, its name on the next
    const m = /^(\d+) (.*)$/.exec(lab);
    kids.push(svg('text', { x, y: TH + ni * CH + 18, cls: 'rk-axlab', 'text-anchor': 'middle' }, m ? m[1] : lab, svg('title', {}, lab)));
    if (m) kids.push(svg('text', { x, y: TH + ni * CH + 34, cls: 'rk-axlab small', 'text-anchor': 'middle' }, short(m[2], 10)));
  }
  kids.push(svg('text', { x: 4, y: TH + 12, cls: 'rk-axis' }, t('rk.heat.impact')));
  kids.push(svg('text', { x: LW + (nl * CW) / 2, y: H - 4, cls: 'rk-axis', 'text-anchor': 'middle' }, t('rk.heat.likelihood')));
  const head = own ? t('rk.heat') : t('rk.heat.sec');
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, cls: 'rk-heat', id: 'rk-heat', role: 'img', 'aria-labelledby': 'rk-heat-h rk-heat-desc',
    'data-basis': hm.basis, 'data-total': hm.total, 'data-above': hm.above_appetite },
  svg('desc', { id: 'rk-heat-desc' }, t('rk.heat.desc')), kids);
  // the same figures as a table
  const cols = [[t('rk.f.impact'), (i) => h('span', { cls: 'rk-rowlab' }, name('impact', i))]];
  for (let l = 1; l <= nl; l++) {
    cols.push([name('likelihood', l), (i) => {
      const c = cell.get(i + ':' + l) || { count: 0, above: 0 };
      const hot = own && c.above_appetite;
      return [String(c.count), hot ? ' ▲' : '', !own && c.above ? ` (▲${c.above})` : ''];
    }, 'num']);
  }
  const rowsI = [];
  for (let i = ni; i >= 1; i--) rowsI.push(i);
  return h('section', { cls: 'card rk-heatbox', id: 'rk-heatmap', 'aria-labelledby': 'rk-heat-h' },
    h('h2', { id: 'rk-heat-h' }, head),
    h('p', { cls: 'meta', id: 'rk-heat-totals' }, t('rk.heat.totals', { n: hm.total, a: hm.above_appetite })),
    own ? null : h('p', { cls: 'msg rk-note', id: 'rk-heat-note' }, t('rk.heat.note')),
    h('div', { cls: 'rk-heatwrap' }, chart),
    h('ul', { cls: 'legend rk-legend' },
      h('li', {}, t('rk.heat.key.count')),
      own ? h('li', { cls: 'rk-key-hot' }, t('rk.heat.key.above', { th: sc.threshold })) : h('li', {}, t('rk.heat.key.secabove'))),
    h('details', { cls: 'rk-heattable' }, h('summary', {}, t('rk.heat.table')), table(cols, rowsI, (i) => ({ 'data-impact': i }))));
}

/* ---------- a risk's form (new and edit) ---------- */

/* The guideline's items as measures: every item, then the CP/BCP checks. */
async function catalogue() {
  const g = await get('/guideline');
  const out = [];
  for (const it of g.items) out.push({ id: it.id, title: it.title });
  for (const ch of g.bcp || []) {
    for (const k of ch.checks) out.push({ id: k.id, title: k.text, bcp: ch.title });
  }
  return out;
}
const measureTitle = (m) => (m.bcp ? t('rk.m.bcp', { title: L(m.bcp) }) + ' — ' + L(m.title) : L(m.title));

/* The form: r (a risk being edited) or null; onSaved(risk). */
function riskForm(ctx, scale, cat, r, onSaved, onCancel) {
  const edit = !!r;
  const orig = r || {};
  const f = {
    title: h('input', { type: 'text', id: 'rk-f-title', maxlength: 200, required: true, value: orig.title || '' }),
    owner: h('input', { type: 'text', id: 'rk-f-owner', maxlength: 200, required: true, value: orig.owner || '' }),
    asset: h('input', { type: 'text', id: 'rk-f-asset', maxlength: 200, value: orig.asset || '' }),
    description: h('textarea', { id: 'rk-f-description', rows: 3, maxlength: 4000 }),
    plan: h('textarea', { id: 'rk-f-plan', rows: 3, maxlength: 4000 }),
    review: h('input', { type: 'date', id: 'rk-f-review', required: true, value: orig.review_at ? toDay(orig.review_at) : '' }),
    shared: h('input', { type: 'checkbox', id: 'rk-f-shared', checked: !!orig.shared }),
  };
  f.description.value = orig.description || '';
  f.plan.value = orig.plan || '';
  const errs = {};
  const errEl = (name) => (errs[name] = h('p', { cls: 'fielderr', id: 'rk-err-' + name, hidden: true }));
  const row = (name, label, hint) => {
    const x = field(label, f[name], hint);
    x.insertBefore(errEl(name), f[name].nextSibling);
    return x;
  };
  // impact and likelihood: the scale's labelled levels
  const radios = {};
  const levelSet = (axis) => {
    radios[axis] = scale[axis].map((lv, k) => h('input', { type: 'radio', name: 'rk-' + axis, value: String(k + 1), checked: orig[axis] === k + 1, 'data-level': k + 1 }));
    return h('fieldset', { id: 'rk-f-' + axis, cls: 'rk-levels', 'aria-describedby': 'rk-err-' + axis },
      h('legend', {}, t('rk.f.' + axis) + t('rk.req')),
      h('div', { cls: 'rk-levellist' }, radios[axis].map((x, k) => h('label', { cls: 'inline rk-level' }, x, levelName(scale, axis, k + 1)))),
      errEl(axis));
  };
  const trRadios = TREATMENTS.map((x) => h('input', { type: 'radio', name: 'rk-treatment', value: x, checked: orig.treatment === x, 'aria-describedby': 'rk-tr-' + x + '-about' }));
  const trSet = h('fieldset', { id: 'rk-f-treatment', 'aria-describedby': 'rk-err-treatment' },
    h('legend', {}, t('rk.f.treatment') + t('rk.req')),
    trRadios.map((x) => h('label', { cls: 'choice rk-tr' }, x, ' ', h('strong', {}, trLabel(x.value)),
      h('span', { cls: 'hint', id: 'rk-tr-' + x.value + '-about' }, t('rk.tr.' + x.value + '.about')))),
    errEl('treatment'));
  const scoreOut = h('p', { id: 'rk-f-score', cls: 'rk-scorebox', 'aria-live': 'polite' });
  const level = (axis) => { const x = radios[axis].find((y) => y.checked); return x ? Number(x.value) : null; };
  const score = () => {
    const i = level('impact'), l = level('likelihood');
    scoreOut.classList.remove('rk-hot');
    if (!i || !l) { scoreOut.textContent = t('rk.score.pick'); return; }
    const s = i * l;
    scoreOut.textContent = t(s >= scale.threshold ? 'rk.score.now' : 'rk.score.below', { s, i, l, th: scale.threshold });
    if (s >= scale.threshold) scoreOut.classList.add('rk-hot');
  };

  // measures: a searchable list of the catalogue, the chosen ones above it
  const chosen = new Set(orig.measures || []);
  const byId = new Map(cat.map((m) => [m.id, m]));
  const chosenList = h('ul', { cls: 'rk-chosen', id: 'rk-m-chosen' });
  const chosenHead = h('p', { id: 'rk-m-count', 'aria-live': 'polite' });
  const mq = h('input', { type: 'search', id: 'rk-m-q', maxlength: 100, autocomplete: 'off' });
  const boxes = new Map();
  const pickList = h('ul', { cls: 'picker rk-picklist', id: 'rk-m-list', 'aria-label': t('rk.f.measures') });
  const matches = h('p', { cls: 'hint', id: 'rk-m-matches', 'aria-live': 'polite' });
  const mOut = h('p', { cls: 'hint', id: 'rk-m-out', 'aria-live': 'polite' });
  for (const m of cat) {
    const cb = h('input', { type: 'checkbox', value: m.id, checked: chosen.has(m.id), cls: 'rk-m-pick', 'data-item': m.id });
    boxes.set(m.id, cb);
    cb.addEventListener('change', () => {
      if (cb.checked && chosen.size >= MEASURES_MAX) { cb.checked = false; mOut.textContent = t('rk.m.toomany'); return; }
      mOut.textContent = '';
      if (cb.checked) chosen.add(m.id); else chosen.delete(m.id);
      drawChosen();
    });
    pickList.appendChild(h('li', { 'data-item': m.id, 'data-text': (m.id + ' ' + m.title.ja + ' ' + m.title.en + (m.bcp ? ' ' + m.bcp.ja + ' ' + m.bcp.en : '')).toLowerCase() },
      h('label', { cls: 'inline' }, cb, h('span', { cls: 'id' }, m.id), ' ', measureTitle(m))));
  }
  function drawChosen() {
    clear(chosenList);
    chosenHead.textContent = chosen.size ? t('rk.m.chosen', { n: chosen.size }) : t('rk.m.nochosen');
    for (const id of chosen) {
      const m = byId.get(id);
      chosenList.appendChild(h('li', { 'data-item': id }, h('span', { cls: 'id' }, id), ' ', m ? measureTitle(m) : '', ' ',
        h('button', { type: 'button', cls: 'secondary small rk-m-remove', 'aria-label': t('rk.m.removeone', { id }), on: { click: () => {
          chosen.delete(id);
          const cb = boxes.get(id);
          if (cb) cb.checked = false;
          drawChosen();
          mq.focus();
        } } }, t('rk.m.remove'))));
    }
  }
  const filter = () => {
    const words = mq.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let n = 0;
    for (const li of pickList.children) {
      const hit = words.every((w) => li.dataset.text.includes(w));
      li.hidden = !hit;
      if (hit) n++;
    }
    matches.textContent = n ? t('rk.m.matches', { n }) : t('rk.m.nomatch');
  };
  mq.addEventListener('input', filter);
  drawChosen(); filter();
  const mSet = h('fieldset', { id: 'rk-f-measures', 'aria-describedby': 'rk-m-hint rk-err-measures' },
    h('legend', {}, t('rk.f.measures')),
    h('p', { cls: 'hint', id: 'rk-m-hint' }, t('rk.m.hint')),
    chosenHead, chosenList, errEl('measures'),
    h('div', { cls: 'row' }, h('label', { for: 'rk-m-q' }, t('rk.m.search')), mq), matches, pickList, mOut);

  const out = h('div', { id: 'rk-f-out', 'aria-live': 'polite' });
  const btn = h('button', { type: 'submit', id: 'rk-f-save' }, edit ? t('rk.save') : t('rk.save.new'));
  const form = h('form', { cls: 'card rk-form', id: 'rk-form', novalidate: true, 'aria-labelledby': 'rk-form-h' },
    h('h2', { id: 'rk-form-h' }, edit ? t('rk.edit.title', { v: orig.version }) : t('rk.new.title')),
    row('title', t('rk.f.title') + t('rk.req'), t('rk.hint.title')),
    h('div', { cls: 'cols' }, row('owner', t('rk.f.owner') + t('rk.req'), t('rk.hint.owner')), row('asset', t('rk.f.asset'), t('rk.hint.asset'))),
    row('description', t('rk.f.description'), t('rk.hint.text')),
    h('p', { cls: 'hint' }, t('rk.hint.scale'), ' ', link('/risks/scale', t('rk.scale.link'))),
    h('div', { cls: 'rk-axes' }, levelSet('impact'), levelSet('likelihood')),
    scoreOut, trSet, mSet,
    row('plan', t('rk.f.plan'), t('rk.hint.plan')),
    row('review', t('rk.f.review_at') + t('rk.req'), t('rk.hint.review')),
    h('div', { cls: 'row' }, h('label', { cls: 'inline', for: 'rk-f-shared' }, f.shared, t('rk.f.shared')), h('p', { cls: 'hint' }, t('rk.hint.shared'))),
    h('div', { cls: 'actions' }, btn, onCancel ? h('button', { type: 'button', cls: 'secondary', id: 'rk-f-cancel', on: { click: onCancel } }, t('cancel')) : null), out);
  for (const a of AXES) for (const x of radios[a]) x.addEventListener('change', () => { setErr(a, ''); score(); });
  for (const x of trRadios) x.addEventListener('change', () => setErr('treatment', ''));
  score();

  // an error at a field: its message, aria-invalid, aria-describedby
  const controls = (name) => (name === 'impact' || name === 'likelihood' ? radios[name] : name === 'treatment' ? trRadios : name === 'measures' ? [mq] : [f[name]]);
  function setErr(name, text) {
    const e = errs[name];
    if (!e) return false;
    e.textContent = text || ''; e.hidden = !text;
    for (const el of controls(name)) {
      if (text) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid');
      if (['impact', 'likelihood', 'treatment', 'measures'].includes(name)) continue; // the fieldset names it
      const desc = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== e.id);
      if (text) desc.unshift(e.id);
      if (desc.length) el.setAttribute('aria-describedby', desc.join(' ')); else el.removeAttribute('aria-describedby');
    }
    return true;
  }
  const focus = (name) => { const el = controls(name)[0]; if (el) el.focus(); };
  // the API's field names to the form's
  const fieldOf = (x) => {
    const n = String(x || '').replace(/\[\d+\].*$/, '');
    return n === 'review_at' ? 'review' : n;
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(out);
    for (const n of Object.keys(errs)) setErr(n, '');
    const bad = [];
    if (!f.title.value.trim()) bad.push(['title', t('rk.err.title')]);
    if (!f.owner.value.trim()) bad.push(['owner', t('rk.err.owner')]);
    if (!level('impact')) bad.push(['impact', t('rk.err.impact')]);
    if (!level('likelihood')) bad.push(['likelihood', t('rk.err.likelihood')]);
    if (!trRadios.some((x) => x.checked)) bad.push(['treatment', t('rk.err.treatment')]);
    if (!f.review.value) bad.push(['review', t('rk.err.review')]);
    if (bad.length) {
      for (const [n, text] of bad) setErr(n, text);
      focus(bad[0][0]);
      put(out, msg(t('rk.err.form'), 'err'));
      return;
    }
    const body = {
      title: f.title.value.trim(), owner: f.owner.value.trim(), asset: f.asset.value.trim(),
      description: f.description.value, plan: f.plan.value,
      impact: level('impact'), likelihood: level('likelihood'),
      treatment: trRadios.find((x) => x.checked).value,
      measures: [...chosen], shared: f.shared.checked,
    };
    // the review date: sent when new or changed (an unchanged one may
    // have passed)
    if (!edit || f.review.value !== toDay(orig.review_at)) body.review_at = fromDay(f.review.value);
    if (edit) body.version = orig.version;
    btn.disabled = true;
    try {
      const x = edit ? await apiPut('/risks/' + enc(orig.id), body) : await post('/risks', body);
      onSaved(x);
    } catch (e) {
      btn.disabled = false;
      if (e.status === 409 && e.code === 'version_conflict') { put(out, reloadBox(ctx, t('rk.conflict'))); return; }
      const name = fieldOf(e.field);
      const text = errOf(e);
      if (name && setErr(name, text)) focus(name);
      put(out, msg(text, 'err'));
    }
  });
  return form;
}

/* A refusal because something changed meanwhile, with a reload. */
function reloadBox(ctx, text) {
  return h('div', { cls: 'msg err rk-conflict', id: 'rk-conflict', role: 'alert' },
    h('p', {}, text),
    h('div', { cls: 'actions' }, h('button', { type: 'button', id: 'rk-reload', on: { click: () => ctx.reload() } }, t('rk.reload'))));
}

async function newPage(main, ctx) {
  put(main, title(t('rk.new.title')), h('p', {}, link('/risks', t('rk.back'))));
  if (!mayWrite(ctx)) { put(main, h('p', { cls: 'empty', id: 'rk-readonly' }, ctx.kind() === 'operator' ? t('rk.readonly') : t('rk.notfor'))); return null; }
  const [scale, cat] = await Promise.all([get('/risks/scale'), catalogue()]);
  put(main, riskForm(ctx, scale, cat, null, (r) => {
    ctx.say(t('rk.created', { id: r.id }), 'ok');
    ctx.go('/risks/' + enc(r.id));
  }));
  return null;
}

/* ---------- one risk ---------- */

async function riskPage(main, ctx, id) {
  const op = ctx.kind() === 'operator';
  // the history's first page is fetched beside the risk, and the page is
  // drawn at once: its version never shows before its history
  const [r, cat, scale, hist] = await Promise.all([get('/risks/' + enc(id)), catalogue(), op ? get('/risks/scale') : null,
    get(historyPath(id, null))]);
  const byId = new Map(cat.map((m) => [m.id, m]));
  put(main, title(r.title, t('rk.one', { id: r.id })), h('p', {}, link('/risks', t('rk.back'))));
  const head = h('p', { cls: 'meta', id: 'rk-head' }, stateBadge(r.state), scoreEl(r), r.review_due ? flag('⏰ ' + t('rk.due'), 'warn') : null,
    op ? (r.shared ? flag(t('rk.shared')) : h('span', {}, t('rk.notshared'))) : null,
    // the version is the operator's; a secretariat's view has none (its
    // history numbers the shared versions among themselves)
    r.version != null ? h('span', { id: 'rk-version', 'data-version': r.version }, t('rk.version', { v: r.version })) : null);
  const view = h('div', { cls: 'card', id: 'rk-view' }, dlOf(r, scale, byId, op));
  const out = h('div', { id: 'rk-out', 'aria-live': 'polite' });
  put(main, head, view, out);
  if (!r.read_only) {
    const editBtn = h('button', { type: 'button', id: 'rk-edit' }, t('rk.edit'));
    const closing = r.state === 'open';
    const ask = h('button', { type: 'button', cls: 'secondary', id: 'rk-state-ask' }, closing ? t('rk.close') : t('rk.reopen'));
    const yes = h('button', { type: 'button', cls: closing ? 'danger' : '', id: 'rk-state-yes' }, closing ? t('rk.close.yes') : t('rk.reopen.yes'));
    const no = h('button', { type: 'button', cls: 'secondary', id: 'rk-state-no' }, t('cancel'));
    const confirmBox = h('div', { cls: 'msg warn rk-confirm', id: 'rk-state-confirm', hidden: true, role: 'group', 'aria-label': closing ? t('rk.close.yes') : t('rk.reopen.yes') },
      h('p', {}, closing ? t('rk.close.confirm') : t('rk.reopen.confirm')), h('div', { cls: 'actions' }, yes, no));
    const bar = h('div', { cls: 'actions', id: 'rk-actions' }, editBtn, ask);
    put(view, bar, confirmBox);
    ask.addEventListener('click', () => { ask.hidden = true; confirmBox.hidden = false; yes.focus(); });
    no.addEventListener('click', () => { confirmBox.hidden = true; ask.hidden = false; ask.focus(); });
    yes.addEventListener('click', async () => {
      yes.disabled = true; clear(out);
      try {
        const x = await apiPut('/risks/' + enc(r.id), { version: r.version, state: closing ? 'closed' : 'open' });
        ctx.say(t(closing ? 'rk.closed.done' : 'rk.reopened.done', { v: x.version }), 'ok');
        ctx.reload();
      } catch (e) {
        yes.disabled = false;
        confirmBox.hidden = true; ask.hidden = false;
        put(out, e.status === 409 && e.code === 'version_conflict' ? reloadBox(ctx, t('rk.conflict')) : msg(errOf(e), 'err'));
      }
    });
    editBtn.addEventListener('click', () => {
      view.hidden = true; clear(out);
      const form = riskForm(ctx, scale, cat, r, (x) => {
        ctx.say(t('rk.saved', { v: x.version }), 'ok');
        ctx.reload();
      }, () => { form.remove(); view.hidden = false; editBtn.focus(); });
      view.after(form);
      form.querySelector('#rk-f-title').focus();
    });
  } else if (op) put(view, h('p', { cls: 'hint', id: 'rk-readonly' }, t('rk.readonly')));
  put(main, historySection(r, scale, op, hist));
  return null;
}

function dlOf(r, scale, byId, op) {
  const pairs = [
    !op ? [t('rk.f.org'), L(r.org.name)] : null,
    [t('rk.f.owner'), r.owner],
    [t('rk.f.asset'), r.asset || '—'],
    [t('rk.f.description'), r.description ? h('div', { cls: 'body' }, r.description) : '—'],
    [t('rk.f.impact'), h('span', { id: 'rk-impact' }, levelName(scale, 'impact', r.impact))],
    [t('rk.f.likelihood'), h('span', { id: 'rk-likelihood' }, levelName(scale, 'likelihood', r.likelihood))],
    [t('rk.f.score'), [scoreEl(r), ' ', h('span', { cls: 'hint' }, t('rk.thresh', { th: r.threshold }))]],
    [t('rk.f.treatment'), [h('strong', { id: 'rk-treatment', 'data-treatment': r.treatment }, trLabel(r.treatment)), ' ', h('span', { cls: 'hint' }, t('rk.tr.' + r.treatment + '.about'))]],
    [t('rk.f.measures'), r.measures.length ? h('ul', { cls: 'rk-measures', id: 'rk-measures' }, r.measures.map((m) => h('li', { 'data-item': m }, h('span', { cls: 'id' }, m), ' ', byId.has(m) ? measureTitle(byId.get(m)) : ''))) : t('rk.m.none')],
    [t('rk.f.plan'), r.plan ? h('div', { cls: 'body' }, r.plan) : '—'],
    [t('rk.f.review_at'), reviewEl(r)],
    [t('rk.f.created'), [h('time', { datetime: r.created_at }, fmt(r.created_at)), r.created_by ? ' · ' + r.created_by.username : '']],
    [t('rk.f.updated'), [h('time', { datetime: r.updated_at }, fmt(r.updated_at)), r.updated_by ? ' · ' + r.updated_by.username : '']],
  ].filter(Boolean);
  return h('dl', { cls: 'fields rk-fields' }, pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}
/* a time in JST with the app's formatting */
function fmt(iso) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '—';
  const j = new Date(ms + 9 * 3600e3);
  const d = `${j.getUTCFullYear()}-${p2(j.getUTCMonth() + 1)}-${p2(j.getUTCDate())} ${p2(j.getUTCHours())}:${p2(j.getUTCMinutes())}`;
  return lang() === 'en' ? d : d.replace(/-/g, '/');
}

/* The history: each version with when, who (the operator's own users;
 * a secretariat sees the organisation only) and what changed. */
function historyPath(id, cursor) {
  return '/risks/' + enc(id) + '/history?limit=100' + (cursor ? '&cursor=' + enc(cursor) : '');
}

function historySection(r, scale, op, first) {
  const list = h('ol', { cls: 'rk-history', id: 'rk-history' });
  const more = h('div', { id: 'rk-history-more' });
  const sec = h('section', { cls: 'card', id: 'rk-history-box', 'aria-labelledby': 'rk-history-h' },
    h('h2', { id: 'rk-history-h' }, t('rk.history')), op ? null : h('p', { cls: 'hint' }, t('rk.history.sec')), list, more);
  const sepr = lang() === 'en' ? ', ' : '、';
  const value = (k, x) => {
    switch (k) {
      case 'impact': case 'likelihood': return levelName(scale, k, x[k]);
      case 'treatment': return trLabel(x[k]);
      case 'state': return t('rk.st.' + x[k], null, true) || x[k];
      case 'shared': return x[k] ? t('rk.yes') : t('rk.no');
      case 'review_at': return toDay(x[k]);
      case 'measures': return x[k].length ? x[k].join(sepr) : t('rk.m.none');
      default: return null; // text: named only
    }
  };
  const show = (p) => {
    for (const v of p.items) {
      const first = v.version === 1;
      const names = v.changed.map((k) => t('rk.f.' + k, null, true) || k);
      const vals = first ? [] : v.changed.map((k) => [k, value(k, v.risk)]).filter(([, x]) => x !== null);
      list.appendChild(h('li', { 'data-version': v.version, 'data-changed': v.changed.join(' ') },
        h('p', { cls: 'rk-hline' }, h('strong', {}, t('rk.version', { v: v.version })), ' ',
          h('time', { datetime: v.at }, fmt(v.at)), ' · ', v.by ? v.by.username : L(r.org.name)),
        h('p', {}, first ? t('rk.history.first') : t('rk.history.changed', { fields: names.join(sepr) })),
        vals.length ? h('ul', { cls: 'rk-hvals' }, vals.map(([k, x]) => h('li', {}, (t('rk.f.' + k, null, true) || k) + (lang() === 'en' ? ': ' : '：') + x))) : null));
    }
    clear(more);
    if (p.next_cursor) {
      const b = h('button', { type: 'button', cls: 'secondary', id: 'rk-history-next' }, t('more'));
      b.addEventListener('click', () => {
        b.disabled = true;
        get(historyPath(r.id, p.next_cursor)).then(show).catch((e) => put(more, msg(errText(e), 'err')));
      });
      put(more, b);
    }
  };
  show(first);
  return sec;
}

/* ---------- the scale ---------- */

async function scalePage(main, ctx) {
  put(main, title(t('rk.scale.title')), h('p', {}, t('rk.scale.intro')));
  if (ctx.kind() !== 'operator') { put(main, h('p', { cls: 'empty', id: 'rk-scale-notop' }, t('rk.scale.notop'))); return null; }
  put(main, h('p', {}, link('/risks', t('rk.back'))));
  const sc = await get('/risks/scale');
  const may = mayScale(ctx);
  if (sc.default) put(main, h('p', { cls: 'msg', id: 'rk-scale-default' }, t('rk.scale.default')));
  if (!may) put(main, h('p', { cls: 'msg', id: 'rk-scale-readonly' }, t('rk.scale.readonly')));
  const setErr = (el, errEl, text) => {
    errEl.textContent = text || ''; errEl.hidden = !text;
    if (text) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid');
    const desc = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== errEl.id);
    if (text) desc.unshift(errEl.id);
    if (desc.length) el.setAttribute('aria-describedby', desc.join(' ')); else el.removeAttribute('aria-describedby');
  };
  const ax = {};
  const sets = AXES.map((a) => {
    const n = select('n', [3, 4, 5].map((k) => [k, t('rk.scale.nlevels', { n: k })]), sc[a].length, { id: 'rk-s-' + a + '-n', disabled: !may });
    const nErr = h('p', { cls: 'fielderr', id: 'rk-s-' + a + '-err', hidden: true });
    const levels = [];
    for (let k = 1; k <= 5; k++) {
      const cur = sc[a][k - 1] || { ja: '', en: '' };
      const ja = h('input', { type: 'text', id: `rk-s-${a}-${k}-ja`, maxlength: 100, value: cur.ja, disabled: !may });
      const en = h('input', { type: 'text', id: `rk-s-${a}-${k}-en`, maxlength: 100, value: cur.en, disabled: !may, lang: 'en' });
      const jaErr = h('p', { cls: 'fielderr', id: ja.id + '-err', hidden: true });
      const enErr = h('p', { cls: 'fielderr', id: en.id + '-err', hidden: true });
      const rowEl = h('div', { cls: 'rk-s-level cols', 'data-level': k },
        h('div', { cls: 'row' }, h('label', { for: ja.id }, t('rk.scale.ja', { n: k })), ja, jaErr),
        h('div', { cls: 'row' }, h('label', { for: en.id }, t('rk.scale.en', { n: k })), en, enErr));
      levels.push({ ja, en, jaErr, enErr, rowEl });
    }
    ax[a] = { n, nErr, levels };
    const show = () => { levels.forEach((l, i) => { l.rowEl.hidden = i >= Number(n.value); }); cells(); };
    n.addEventListener('change', () => { setErr(n, nErr, ''); show(); });
    const fs = h('fieldset', { id: 'rk-s-' + a, cls: 'rk-s-axis' }, h('legend', {}, t('rk.f.' + a)),
      h('div', { cls: 'row' }, h('label', { for: n.id }, t('rk.scale.n')), n, nErr), levels.map((l) => l.rowEl));
    setTimeout(show, 0);
    return fs;
  });
  const th = h('input', { type: 'number', id: 'rk-s-threshold', min: 1, max: 25, step: 1, value: String(sc.threshold), disabled: !may });
  const thHint = h('p', { cls: 'hint', id: 'rk-s-threshold-hint' });
  const thErr = h('p', { cls: 'fielderr', id: 'rk-s-threshold-err', hidden: true });
  th.setAttribute('aria-describedby', thHint.id);
  const cellsOut = h('p', { id: 'rk-s-cells', 'aria-live': 'polite' });
  function cells() {
    const ni = Number(ax.impact.n.value), nl = Number(ax.likelihood.n.value);
    const max = ni * nl;
    th.max = String(max);
    thHint.textContent = t('rk.scale.thint', { max });
    const v = Number(th.value);
    let k = 0;
    for (let i = 1; i <= ni; i++) for (let l = 1; l <= nl; l++) if (i * l >= v) k++;
    cellsOut.textContent = Number.isInteger(v) && v >= 1 && v <= max ? t('rk.scale.cells', { k, m: max }) : '';
  }
  th.addEventListener('input', () => { setErr(th, thErr, ''); cells(); });
  const out = h('div', { id: 'rk-s-out', 'aria-live': 'polite' });
  const btn = h('button', { type: 'submit', id: 'rk-s-save', disabled: !may }, t('rk.scale.save'));
  const form = h('form', { cls: 'card', id: 'rk-scale-form', novalidate: true, 'aria-label': t('rk.scale.title') },
    sets, h('div', { cls: 'row' }, h('label', { for: th.id }, t('rk.scale.threshold')), th, thErr, thHint), cellsOut,
    h('div', { cls: 'actions' }, btn), out);
  put(main, form);
  let version = sc.version;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(out);
    setErr(th, thErr, '');
    const body = { version, threshold: Number(th.value) };
    let first = null;
    for (const a of AXES) {
      setErr(ax[a].n, ax[a].nErr, '');
      const n = Number(ax[a].n.value);
      body[a] = [];
      ax[a].levels.forEach((l, i) => {
        setErr(l.ja, l.jaErr, ''); setErr(l.en, l.enErr, '');
        if (i >= n) return;
        for (const [inp, e] of [[l.ja, l.jaErr], [l.en, l.enErr]]) {
          if (!inp.value.trim()) { setErr(inp, e, t('rk.scale.err.label')); first = first || inp; }
        }
        body[a].push({ level: i + 1, ja: l.ja.value.trim(), en: l.en.value.trim() });
      });
    }
    const max = body.impact.length * body.likelihood.length;
    if (!Number.isInteger(body.threshold) || body.threshold < 1 || body.threshold > max) {
      setErr(th, thErr, t('rk.scale.err.threshold', { max })); first = first || th;
    }
    if (first) { first.focus(); put(out, msg(t('rk.err.form'), 'err')); return; }
    btn.disabled = true;
    try {
      const x = await apiPut('/risks/scale', body);
      version = x.version;
      const d = document.getElementById('rk-scale-default');
      if (d) d.remove();
      put(out, msg(t('rk.scale.saved', { v: x.version }), 'ok'));
    } catch (e) {
      if (e.status === 409 && e.code === 'version_conflict') { put(out, reloadBox(ctx, t('rk.scale.conflict'))); return; }
      const text = errOf(e);
      // the field the hub names: an axis (level_in_use), a label, the threshold
      const m = /^(impact|likelihood)(?:\[(\d+)\]\.(ja|en))?$/.exec(e.field || '');
      if (m && m[2] !== undefined) {
        const l = ax[m[1]].levels[Number(m[2])];
        if (l) { setErr(l[m[3]], l[m[3] + 'Err'], text); l[m[3]].focus(); }
      } else if (m) { setErr(ax[m[1]].n, ax[m[1]].nErr, text); ax[m[1]].n.focus(); } else if (e.field === 'threshold') { setErr(th, thErr, text); th.focus(); }
      put(out, msg(text, 'err'));
    } finally { btn.disabled = !may; }
  });
  return null;
}
