// page-drills.js - the drill programme and drill reports.
// /drills: start a drill of any kind (reach, structure, outage with its one
// channel) on a CEPTOAR, sector, sub-group or every sector
// (POST /api/v1/drills); the hub's list of drills per CEPTOAR and fiscal
// year (GET /api/v1/drills); the national summary (GET
// /api/v1/drills/summary). /drills/{id}: the report (GET
// /api/v1/drills/{id}/report): reach within 1 day, the acknowledged share
// over time per CEPTOAR as an SVG chart built here, reach per sub-group,
// stale contacts of a structure drill, the organisations not reached, the
// comparison once both 1-day windows are closed, and the HTML/CSV formats;
// a member confirms its contacts there for a structure drill.
import { h, svg, link, table, select, msg, errText, time, clear, field, enc, put, flag, confirmStep } from './dom.js';
import { t, L, enumLabel, dur, fmtTime, paren, addTexts } from './i18n.js';
import { get, post } from './api.js';
import { reachTable } from './page-advisory.js';

/* The page's texts (i18n.js addTexts: not part of every first load). */
const TEXTS = {
  'drill.title': ['訓練', 'Drills'],
  'drill.one': ['訓練結果 {id}', 'Drill report {id}'],
  'drill.start': ['訓練を開始', 'Start a drill'],
  'drill.target_kind': ['対象', 'Target'],
  'drill.tk.ceptoar': ['CEPTOAR', 'A CEPTOAR'],
  'drill.tk.sector': ['分野', 'A sector'],
  'drill.tk.all': ['全分野', 'Every sector'],
  'drill.target': ['対象の選択', 'Which'],
  'drill.titleja': ['件名（日本語・任意）', 'Title (Japanese, optional)'],
  'drill.titleen': ['件名（英語・任意）', 'Title (English, optional)'],
  'drill.started': ['訓練 {id} を開始しました。', 'Drill {id} started.'],
  'drill.reach': ['1日以内の到達率（受領確認）', 'Reach within 1 day (acknowledged)'],
  'drill.chart': ['CEPTOAR別 受領確認率の推移', 'Acknowledged share over time, per CEPTOAR'],
  'drill.chartdesc': ['横軸は開始からの経過時間、縦軸は受領確認した組織の割合です。線の種類でも区別できます。', 'Horizontal: time since the start; vertical: share of organisations that acknowledged. Lines differ by dash pattern too.'],
  'drill.notreached': ['未到達（受領確認なし）', 'Not reached (no acknowledgement)'],
  'drill.compare': ['前回の訓練 {id} との差: {d}ポイント（前回{p}）', 'Change against the previous drill {id}: {d} points (then {p})'],
  'drill.formats': ['他の形式', 'Other formats'],
  'drill.html': ['HTML版（新しいタブ）', 'HTML (new tab)'],
  'drill.csv': ['CSV', 'CSV'],
  'drill.kind': ['訓練の種類', 'Kind of drill'],
  'drill.kind.reach': ['情報伝達訓練（到達確認）', 'Reach (acknowledgement)'],
  'drill.kind.structure': ['連絡体制確認訓練', 'Contact structure'],
  'drill.kind.outage': ['大規模障害想定訓練（単一手段）', 'Large outage (one channel)'],
  'drill.kindhint': ['体制確認では各会員が連絡先の最新性を確認します。障害想定では選んだ手段だけで送ります。', 'A structure drill asks each member to confirm its contacts; an outage drill sends by the chosen channel only.'],
  'drill.channel': ['使用する手段', 'Channel'],
  'drill.channelhint': ['対象の全組織にこの手段の連絡先が必要です。', 'Every target needs a contact of this channel.'],
  'drill.ch.gateway': ['電話・SMS（ゲートウェイ）', 'Phone / SMS gateway'],
  'drill.ch.email': ['電子メール', 'E-mail'],
  'drill.ch.webhook': ['Webhook', 'Webhook'],
  'drill.tk.subgroup': ['サブグループ', 'A sub-group'],
  'drill.programme': ['訓練の一覧（CEPTOAR・年度別）', 'Drill programme (per CEPTOAR and fiscal year)'],
  'drill.fy': ['年度', 'Fiscal year'],
  'drill.fyname': ['{y}年度', 'FY{y}'],
  'drill.allceptoars': ['すべてのCEPTOAR', 'Every CEPTOAR'],
  'drill.more': ['さらに表示', 'More'],
  'drill.summary': ['全国の訓練集計', 'National drill summary'],
  'drill.ndrills': ['訓練数', 'Drills'],
  'drill.tta2': ['受領確認までの時間 p50 / p90', 'Time to acknowledge p50 / p90'],
  'drill.opendrills': ['集計中の訓練（1日経過前）', 'Drills still in their 1-day window'],
  'drill.channels': ['到達した手段', 'Channels that reached'],
  'drill.trend': ['年度推移', 'Trend over fiscal years'],
  'drill.nosummary': ['この年度に集計済みの訓練はありません。', 'No drill of this fiscal year has closed its 1-day window.'],
  'drill.members': ['訓練の一覧と集計はNISC・所管省庁・CEPTOAR事務局向けです。連絡体制確認訓練の確認は、通知に記載されたリンクから行えます。', 'The drill programme is for NISC, ministries and CEPTOAR secretariats. Confirm your contacts for a structure drill through the link in its message.'],
  'drill.comparepending': ['前回の訓練との比較は、両方の訓練の1日の集計期間が終わってから表示されます。', 'The comparison with the previous drill appears once both drills\' 1-day windows are closed.'],
  'drill.structure': ['連絡先の確認状況', 'Contact confirmation'],
  'drill.structurefig': ['確認済 {c}・最近更新 {r}・要更新 {s}（{days}日以上更新・確認なし）', 'Confirmed {c}, recently updated {r}, stale {s} (no change or confirmation for over {days} days)'],
  'drill.updated': ['連絡先の最終更新・確認', 'Contacts last changed or confirmed'],
  'drill.bysubgroup': ['サブグループ別の到達率', 'Reach per sub-group'],
  'drill.subgroup': ['サブグループ', 'Sub-group'],
  'drill.confirmhint': ['連絡体制確認訓練です。自組織の連絡先が最新であることを確認してから、下のボタンを押してください。', 'This is a contact-structure drill. Check that your organisation\'s contacts are current, then press the button below.'],
  'drill.contacts': ['自組織の連絡先を見る', 'See your organisation\'s contacts'],
  'drill.confirm': ['連絡先を確認', 'Confirm contacts'],
  'drill.startconfirm': ['訓練を開始しますか。{target}の組織に訓練の連絡が直ちに送られます。', 'Start the drill? The organisations of {target} are sent its message at once.'],
  'drill.startconfirm.yes': ['開始する（確定）', 'Start now'],
  'drill.confirmed': ['連絡先の確認を記録しました（{at}）。', 'Your confirmation is recorded ({at}).'],
  'drill.noaccess': ['訓練の一覧は、NISC・所管省庁・CEPTOAR事務局の利用者が見られます。あなたの組織では訓練の一覧・集計を表示できません。', 'The list of drills is for users of NISC, ministries and CEPTOAR secretariats. Your organisation cannot list drills or see their figures.'],
  'drill.readonly': ['訓練の開始は連絡担当・分析担当の役割が必要です。ここでは一覧と報告を閲覧できます。', 'Starting a drill needs the liaison or analyst role; here you can read the list and the reports.'],
  'drill.state.running': ['実施中（1日の集計期間内）', 'Running (1-day window open)'],
  'drill.state.closed': ['集計期間終了', 'Window closed'],
  'drill.report': ['訓練（報告を開く）', 'Drill (opens its report)'],
  'drill.noreport': ['（報告は発出元・中継経路上の組織と事務局のみ閲覧できます）', '(its report is for the sender, its relay chain and the secretariats)'],
  'drill.now': ['現在', 'now'],
};
addTexts(TEXTS);

export async function render(main, { ctx, params, name }) {
  return name === 'drill' ? report(main, ctx, params[0]) : start(main, ctx);
}

/* The Japanese fiscal year (April to March, Japan time) of a time. */
function fiscalYear(ms) {
  const d = new Date(ms + 9 * 3600 * 1000);
  return d.getUTCMonth() >= 3 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
}
const pct = (x) => ((x || 0) * 100).toFixed(1) + '%';
/* a share of nobody is no 0 % (a summary of no drill said 0.0%: found by
 * a review) */
const share = (x, of) => (of ? pct(x) : '—');
/* A drill's state in words: running (its 1-day window open, figures may
 * still grow) or window closed (final figures). */
const stateFlag = (d) => flag(d.window_closed ? t('drill.state.closed') : t('drill.state.running'), d.window_closed ? null : 'warn');

async function start(main, ctx) {
  const me = ctx.me, k = me.org_kind;
  put(main, h('h1', { 'data-title': t('drill.title') }, t('drill.title')));
  const sectors = await ctx.sectors();
  const ceptoars = [];
  for (const s of sectors) for (const sc of s.scopes) if (sc.ceptoar && !ceptoars.some((c) => c[0] === sc.ceptoar.id)) ceptoars.push([sc.ceptoar.id, L(sc.ceptoar.name)]);
  const cepName = (cid) => (ceptoars.find((c) => c[0] === cid) || [cid, cid])[1];
  if (!['nisc', 'ministry', 'ceptoar'].includes(k)) {
    // the API lists drills for NISC, ministries and secretariats only: say
    // so plainly instead of an empty page
    put(main, h('div', { cls: 'card', id: 'drill-noaccess', role: 'status' }, h('p', {}, t('drill.noaccess')), h('p', { cls: 'hint' }, t('drill.members'))));
    return;
  }
  if (!ctx.has('liaison', 'analyst')) put(main, h('p', { cls: 'hint', id: 'drill-readonly' }, t('drill.readonly')));
  let subgroups = [];
  try { subgroups = (await get('/subgroups')).items; } catch (e) { subgroups = []; }
  const sgName = (id) => L((subgroups.find((g) => g.id === id) || {}).name) || id;
  // the hub's list first, then the start form, then the national summary
  const formBox = h('div', { id: 'drill-start-box' });
  if (ctx.has('liaison', 'analyst')) {
    const mySg = subgroups.filter((g) => k !== 'ceptoar' || g.ceptoar === me.org);
    const tks = (k === 'nisc' ? ['ceptoar', 'sector', 'all'] : k === 'ministry' ? ['ceptoar', 'sector'] : ['ceptoar']).concat(mySg.length ? ['subgroup'] : []);
    const kind = select('kind', ['reach', 'structure', 'outage'].map((x) => [x, t('drill.kind.' + x)]), 'reach', { id: 'drill-kind' });
    const channel = select('channel', ['gateway', 'email', 'webhook'].map((x) => [x, t('drill.ch.' + x)]), 'gateway', { id: 'drill-channel' });
    const tk = select('target_kind', tks.map((x) => [x, t('drill.tk.' + x)]), 'ceptoar', { id: 'drill-tk' });
    const target = h('select', { name: 'target', id: 'drill-target' });
    const channelRow = field(t('drill.channel'), channel, t('drill.channelhint'));
    const targetRow = field(t('drill.target'), target);
    const fillTargets = () => {
      clear(target);
      const opts = tk.value === 'sector' ? sectors.map((s) => [s.id, L(s.name)])
        : tk.value === 'subgroup' ? mySg.map((g) => [g.id, cepName(g.ceptoar) + ' — ' + L(g.name)])
          : k === 'ceptoar' ? ceptoars.filter((c) => c[0] === me.org) : ceptoars;
      for (const [v, l] of opts) put(target, h('option', { value: v }, l));
      targetRow.hidden = tk.value === 'all';
      channelRow.hidden = kind.value !== 'outage';
    };
    tk.addEventListener('change', fillTargets);
    kind.addEventListener('change', fillTargets);
    const tja = h('input', { type: 'text', maxlength: 180 }), ten = h('input', { type: 'text', maxlength: 180 });
    const out = h('div', { 'aria-live': 'polite', id: 'drill-error' });
    put(formBox, h('form', { cls: 'card', id: 'drill-form', on: { submit: async (e) => {
      e.preventDefault(); clear(out);
      const body = { target_kind: tk.value, kind: kind.value };
      if (kind.value === 'outage') body.channel = channel.value;
      if (tk.value !== 'all') body.target = target.value;
      if (tja.value.trim()) body.title_ja = tja.value.trim();
      if (ten.value.trim()) body.title_en = ten.value.trim();
      // one click with the defaults started a drill of a whole CEPTOAR:
      // a second step names who is reached (found by a review)
      const who = tk.value === 'all' ? t('drill.tk.all') : (target.selectedOptions[0] || {}).textContent || target.value;
      if (!await confirmStep(e.target, t('drill.startconfirm', { target: who }), t('drill.startconfirm.yes'))) return;
      try {
        const d = await post('/drills', body);
        ctx.say(t('drill.started', { id: d.id }), 'ok');
        ctx.go('/drills/' + enc(d.id));
      } catch (err) { put(out, msg(errText(err), 'err')); }
    } } }, h('h2', {}, t('drill.start')), field(t('drill.kind'), kind, t('drill.kindhint')), channelRow,
    field(t('drill.target_kind'), tk), targetRow,
    field(t('drill.titleja'), tja), field(t('drill.titleen'), ten),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'drill-start' }, t('drill.start'))), out));
    fillTargets();
  }
  // the programme: drills per CEPTOAR and fiscal year, and the summary
  const now = fiscalYear(Date.now());
  const fy = select('fy', [0, 1, 2, 3, 4].map((n) => [String(now - n), t('drill.fyname', { y: now - n })]), String(now), { id: 'drill-fy' });
  const cepOpts = k === 'ceptoar' ? ceptoars.filter((c) => c[0] === me.org) : [['', t('drill.allceptoars')]].concat(ceptoars);
  const cep = select('ceptoar', cepOpts, cepOpts[0][0], { id: 'drill-ceptoar' });
  const listBox = h('div', { id: 'drill-list' }), sumBox = h('div', { id: 'drill-summary' });
  const targetLabel = (d) => t('drill.tk.' + d.target_kind) + (d.target ? ' — ' + (d.target_kind === 'sector' ? L((sectors.find((x) => x.id === d.target) || {}).name) || d.target : d.target_kind === 'subgroup' ? sgName(d.target) : cepName(d.target)) : '');
  async function loadList(cursor) {
    const q = '?limit=50&fy=' + enc(fy.value) + (cep.value ? '&ceptoar=' + enc(cep.value) : '') + (cursor ? '&cursor=' + enc(cursor) : '');
    let r;
    try { r = await get('/drills' + q); } catch (e) { put(clear(listBox), msg(e.status === 403 ? t('drill.noaccess') : errText(e), 'err')); return; }
    if (!cursor) clear(listBox);
    if (!r.items.length && !cursor) { put(listBox, h('p', { cls: 'empty' }, t('none'))); return; }
    put(listBox, table([
      // the kind opens the drill's report (when the caller may read it:
      // a ministry sees its CEPTOARs' drills' figures, not their reports);
      // the id below it, small
      [t('drill.report'), (d) => {
        const name = t('drill.kind.' + d.kind) + (d.channel ? paren(t('drill.ch.' + d.channel)) : '');
        return [d.report === false ? h('span', { cls: 'noreport' }, name, ' ', h('span', { cls: 'muted' }, t('drill.noreport'))) : link('/drills/' + enc(d.id), name), h('br'), h('span', { cls: 'id' }, d.id)];
      }],
      [t('state'), stateFlag],
      [t('drill.target_kind'), targetLabel],
      [t('time'), (d) => time(d.started_at)],
      [t('drill.reach'), (d) => share(d.reach.reach_1d, d.reach.recipients) + ` (${d.reach.acknowledged_1d} / ${d.reach.recipients})`, 'num'],
    ], r.items, (d) => ({ 'data-id': d.id, 'data-state': d.window_closed ? 'closed' : 'running' })));
    if (r.next_cursor) {
      const more = h('button', { type: 'button', cls: 'secondary', on: { click: () => { more.remove(); loadList(r.next_cursor); } } }, t('drill.more'));
      put(listBox, more);
    }
  }
  async function loadSummary() {
    let s;
    try { s = await get('/drills/summary?fy=' + enc(fy.value)); } catch (e) { put(clear(sumBox), msg(errText(e), 'err')); return; }
    const n = s.national || {}, tta = n.time_to_acknowledge || {};
    put(clear(sumBox),
      h('div', { cls: 'tiles' },
        h('div', { cls: 'tile' }, h('span', { cls: 'n', id: 'national-reach' }, share(n.reach_1d, n.recipients)), t('drill.reach') + ` (${n.acknowledged_1d || 0} / ${n.recipients || 0})`),
        h('div', { cls: 'tile' }, h('span', { cls: 'n' }, String(n.drills || 0)), t('drill.ndrills')),
        h('div', { cls: 'tile' }, h('span', { cls: 'n' }, [dur(tta.p50_s), dur(tta.p90_s)].join(' / ')), t('drill.tta2')),
        h('div', { cls: 'tile' }, h('span', { cls: 'n' }, String(s.open_drills)), t('drill.opendrills'))),
      h('p', { cls: 'hint' }, t('drill.trend') + ': ' + s.trend.map((x) => t('drill.fyname', { y: x.fiscal_year }) + ' ' + (x.drills ? pct(x.reach_1d) : '—')).join(' · ')),
      s.ceptoars.length ? table([
        ['CEPTOAR', (r) => (r.name ? L(r.name) : r.ceptoar)],
        [t('drill.ndrills'), (r) => String(r.figures ? r.figures.drills : 0), 'num'],
        [t('drill.reach'), (r) => (r.figures ? pct(r.figures.reach_1d) + ` (${r.figures.acknowledged_1d} / ${r.figures.recipients})` : '—'), 'num'],
        [t('drill.tta2'), (r) => (r.figures && r.figures.time_to_acknowledge.p50_s !== undefined ? dur(r.figures.time_to_acknowledge.p50_s) + ' / ' + dur(r.figures.time_to_acknowledge.p90_s) : '—'), 'num'],
        [t('drill.channels'), (r) => (r.figures ? Object.entries(r.figures.channels).map(([c, v]) => enumLabel('channel', c) + ' ' + v).join(', ') : '')],
        [t('drill.trend'), (r) => r.trend.map((x) => x.fiscal_year + ': ' + pct(x.reach_1d)).join(' · ')],
      ], s.ceptoars, (r) => ({ 'data-ceptoar': r.ceptoar })) : h('p', { cls: 'empty' }, t('drill.nosummary')));
  }
  const reload = () => { loadList(); loadSummary(); };
  fy.addEventListener('change', reload);
  cep.addEventListener('change', () => loadList());
  put(main, h('h2', {}, t('drill.programme')),
    h('div', { cls: 'card filters' }, field(t('drill.fy'), fy), field('CEPTOAR', cep)),
    listBox, formBox, h('h2', {}, t('drill.summary')), sumBox);
  reload();
}

const POINTS = [0, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400];
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/* Acknowledged share over time per CEPTOAR: lines differ by colour AND by
 * dash pattern, with a text legend and a table of the same figures. */
function chart(orgs, t0, names, running) {
  // a running drill's lines stop at "now": nothing is drawn into the future
  const elapsed = running ? Math.max(0, Math.min(86400, (Date.now() - t0) / 1000)) : 86400;
  const xAt = (sec) => {
    let i = 0;
    while (i < POINTS.length - 2 && POINTS[i + 1] <= sec) i++;
    const f = Math.min(1, (sec - POINTS[i]) / (POINTS[i + 1] - POINTS[i]));
    return left + (pw * (i + f)) / (POINTS.length - 1);
  };
  const upto = POINTS.filter((sec) => sec < elapsed).concat([elapsed]);
  const groups = new Map();
  for (const o of orgs) { const k = o.via || '(direct)'; if (!groups.has(k)) groups.set(k, []); groups.get(k).push(o); }
  const left = 50, top = 20, pw = 420, ph = 220, w = 700, hgt = Math.max(280, top + 20 * groups.size + 20);
  const nowX = xAt(elapsed);
  const s = svg('svg', { viewBox: `0 0 ${w} ${hgt}`, width: w, height: hgt, cls: 'chart', role: 'img', id: 'drill-chart', 'aria-labelledby': 'chart-title chart-desc', 'data-now-x': nowX.toFixed(1), 'data-running': running ? 'true' : 'false' },
    svg('title', { id: 'chart-title' }, t('drill.chart')), svg('desc', { id: 'chart-desc' }, t('drill.chartdesc')),
    svg('rect', { x: left, y: top, width: pw, height: ph, fill: 'none', stroke: '#555' }));
  for (let p = 0; p <= 4; p++) {
    const y = top + ph - (ph * p) / 4;
    put(s, svg('line', { x1: left, x2: left + pw, y1: y, y2: y, stroke: '#ddd' }), svg('text', { x: left - 4, y: y + 4, 'text-anchor': 'end' }, p * 25 + '%'));
  }
  POINTS.forEach((_, i) => put(s, svg('text', { x: left + (pw * i) / (POINTS.length - 1), y: top + ph + 14, 'text-anchor': 'middle' }, i ? dur(POINTS[i]) : '0')));
  if (running) {
    put(s, svg('line', { x1: nowX, x2: nowX, y1: top, y2: top + ph, stroke: '#333', 'stroke-dasharray': '4,3', id: 'chart-now' }),
      svg('text', { x: nowX, y: top - 6, 'text-anchor': 'middle' }, t('drill.now')));
  }
  let gi = 0;
  for (const [k, list] of groups) {
    const pts = upto.map((sec) => {
      const n = list.filter((o) => o.acked_at && (Date.parse(o.acked_at) - t0) / 1000 <= sec).length;
      return `${xAt(sec).toFixed(1)},${top + ph - (ph * n) / (list.length || 1)}`;
    }).join(' ');
    const col = COLOURS[gi % COLOURS.length], dash = gi % 4 ? `${2 + 2 * (gi % 4)},3` : 'none';
    const ly = top + 10 + 18 * gi;
    put(s, svg('polyline', { points: pts, fill: 'none', stroke: col, 'stroke-width': 2.5, 'stroke-dasharray': dash }),
      svg('line', { x1: left + pw + 10, x2: left + pw + 34, y1: ly, y2: ly, stroke: col, 'stroke-width': 2.5, 'stroke-dasharray': dash }),
      svg('text', { x: left + pw + 38, y: ly + 4 }, names(k)));
    gi++;
  }
  return s;
}

/* A member's page of a structure drill: confirm the contacts. */
function confirmCard(main, ctx, id) {
  const out = h('div', { 'aria-live': 'polite', id: 'confirm-result' });
  put(main, h('div', { cls: 'card' }, h('p', {}, t('drill.confirmhint')),
    h('p', {}, link('/org', t('drill.contacts'))),
    h('div', { cls: 'actions' }, h('button', { type: 'button', id: 'drill-confirm', on: { click: async () => {
      clear(out);
      try {
        const r = await post('/drills/' + enc(id) + '/confirm', undefined);
        put(out, msg(t('drill.confirmed', { at: fmtTime(r.confirmed_at) }), 'ok'));
      } catch (e) { put(out, msg(errText(e), 'err')); }
    } } }, t('drill.confirm'))), out));
}

async function report(main, ctx, id) {
  // a drill that does not exist, or whose report the reader may not see:
  // the app's page of either, titled so (it was titled "Drill report
  // DNOPE": found by a review)
  if (ctx.me.org_kind !== 'operator') await get('/drills/' + enc(id) + '/report?format=json');
  put(main, h('h1', { 'data-title': t('drill.one', { id }) }, t('drill.one', { id })));
  if (ctx.me.org_kind === 'operator') return confirmCard(main, ctx, id);
  const sectors = await ctx.sectors();
  const cepName = (cid) => { for (const s of sectors) for (const sc of s.scopes) if (sc.ceptoar && sc.ceptoar.id === cid) return L(sc.ceptoar.name); return cid; };
  // sub-groups by name (the table listed telecom-sg1: found by a review)
  let sgs = [];
  try { sgs = (await get('/subgroups')).items; } catch (e) { sgs = []; }
  const sgName = (sid) => L((sgs.find((g) => g.id === sid) || {}).name) || sid;
  const targetName = (d) => (d.target_kind === 'sector' ? L((sectors.find((x) => x.id === d.target) || {}).name) || d.target
    : d.target_kind === 'subgroup' ? sgName(d.target) : ctx.orgLabel(d.target));
  const box = h('div', { id: 'drill-report' });
  put(main, box);
  let timer = null, stopped = false;
  async function draw() {
    let d;
    try { d = await get('/drills/' + enc(id) + '/report?format=json'); }
    catch (e) { put(clear(box), msg(errText(e), 'err')); return e.status !== 404 && e.status !== 403; }
    if (stopped) return false;
    const r = d.reach || {};
    const tta = r.time_to_acknowledge || {};
    put(clear(box), 
      h('p', { cls: 'meta' }, h('span', { id: 'drill-state', 'data-state': d.window_closed ? 'closed' : 'running' }, stateFlag(d)), ' ',
        t('drill.target_kind') + ': ' + t('drill.tk.' + d.target_kind) + (d.target ? ' — ' + targetName(d) : ''), ' · ', time(d.started_at),
        ' · ', h('a', { href: '#/advisories/' + enc(d.advisory) }, d.advisory), ' · ', t('adv.autorefresh', { s: 5 })),
      h('div', { cls: 'tiles' },
        h('div', { cls: 'tile' }, h('span', { cls: 'n', id: 'reach-1d' }, share(r.reach_1d, r.recipients)), t('drill.reach') + ` (${r.acknowledged_1d || 0} / ${r.recipients || 0})`),
        h('div', { cls: 'tile' }, h('span', { cls: 'n' }, String((d.not_reached || []).length)), t('drill.notreached')),
        h('div', { cls: 'tile' }, h('span', { cls: 'n' }, [dur(tta.p50_s), dur(tta.p90_s), dur(tta.max_s)].join(' / ')), t('drill.tta'))),
      h('p', { cls: 'meta', id: 'drill-kind-line' }, t('drill.kind') + ': ' + t('drill.kind.' + d.kind) + (d.channel ? paren(t('drill.ch.' + d.channel)) : '') + ' · ' + t('drill.fyname', { y: d.fiscal_year })),
      // the comparison only when both 1-day windows are closed (the API's
      // rule, honoured here too): never "-20 points" on a drill seconds old
      d.comparison && d.comparison_status === 'shown' && d.window_closed ? h('p', { id: 'drill-compare' }, t('drill.compare', { id: d.comparison.previous_drill, d: (d.comparison.change * 100).toFixed(1), p: (d.comparison.previous_reach_1d * 100).toFixed(1) + '%' }))
        : d.comparison_status === 'pending' ? h('p', { cls: 'hint', id: 'drill-compare' }, t('drill.comparepending')) : null,
      d.structure ? h('div', { id: 'drill-structure' }, h('h2', {}, t('drill.structure')),
        h('p', {}, t('drill.structurefig', { c: d.structure.confirmed, r: d.structure.recent, s: d.structure.stale.length, days: d.structure.max_age_days })),
        d.structure.stale.length ? table([[t('org'), (x) => L(x.name)], [t('id'), (x) => h('span', { cls: 'id' }, x.org)], [t('drill.updated'), (x) => (x.contacts_updated_at ? time(x.contacts_updated_at) : '—')]], d.structure.stale) : null) : null,
      Object.keys(d.by_subgroup || {}).length ? h('div', { id: 'drill-subgroups' }, h('h2', {}, t('drill.bysubgroup')),
        table([[t('drill.subgroup'), (r) => sgName(r.key)], [t('adv.recipients'), (r) => String(r.recipients), 'num'], [t('drill.reach'), (r) => pct(r.reach_1d) + ` (${r.acknowledged_1d} / ${r.recipients})`, 'num']],
          Object.entries(d.by_subgroup).map(([key, v]) => Object.assign({ key }, v)))) : null,
      h('h2', {}, t('drill.chart')), h('p', { cls: 'hint' }, t('drill.chartdesc')),
      chart(d.organisations || [], Date.parse(d.started_at), cepName, !d.window_closed),
      h('h2', {}, t('adv.reach')), reachTable(d.by_ceptoar, sectors),
      h('h2', {}, t('drill.notreached') + paren((d.not_reached || []).length)),
      (d.not_reached || []).length ? table([[t('org'), (x) => L(x.name)], [t('id'), (x) => h('span', { cls: 'id' }, x.org)], [t('adv.via'), (x) => cepName(x.via)], [t('state'), (x) => enumLabel('dstate', x.state)]], d.not_reached)
        : h('p', { cls: 'empty' }, t('adv.unreachednone')),
      h('h2', {}, t('drill.formats')),
      h('p', {}, h('a', { href: '/api/v1/drills/' + enc(id) + '/report?format=html', target: '_blank', rel: 'noopener', id: 'drill-html' }, t('drill.html')), ' · ',
        h('a', { href: '/api/v1/drills/' + enc(id) + '/report?format=csv', download: 'drill-' + id + '.csv' }, t('drill.csv'))));
    return true;
  }
  const loop = async () => { if (stopped) return; const go = await draw(); if (go && !stopped) timer = setTimeout(loop, 5000); };
  await loop();
  return () => { stopped = true; clearTimeout(timer); };
}
