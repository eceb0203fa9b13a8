// cascade.js - the cascade suggestions panel (issue 15): the sectors an
// outage may reach through the interdependency model (page-dependencies.js),
// ranked, each with its path, lag and strength, and one step from them to
// an Amber warning to the sectors chosen. Used by the event page
// (page-events.js), the report page (page-report.js) and the sector-wide
// website alerts (page-obs.js): the API's
//   GET  {base}/cascade            the suggestions (recorded by the hub)
//   POST {base}/cascade/advisory   {suggestion, sectors}
// with base /events/{id}, /reports/{id} or /observation/alerts/{id}.
import { h, link, table, msg, errText, sevBadge, flag, time, clear, enc, put } from './dom.js';
import { t, L, lang, addTexts } from './i18n.js';
import { get, post } from './api.js';
import { strengthLabel, lagLabel, said } from './page-dependencies.js';

/* The panel's texts (i18n.js addTexts: not part of every first load). */
const TEXTS = {
  'err.no_model': ['相互依存モデルがまだ読み込まれていません。', 'No interdependency model has been loaded yet.'],
  'err.not_suggested': ['この提案に含まれない分野です。', 'Not a sector of this suggestion.'],
  'err.nothing_to_warn': ['注意喚起する分野を一つ以上選んでください。', 'Choose at least one sector to warn.'],
  'err.already_acted': ['この提案からは既に情報提供を発出しています。', 'An advisory was issued from this suggestion already.'],
  'err.red_source': ['元の報告の共有範囲が Red のため、この提案の文面と深刻度では発出できません。出典を伏せたご自身の文面と深刻度で、情報提供の作成画面から発出してください。', 'A report this comes from is Red, so its suggested text and severity (which pass the source on) cannot be issued: issue an advisory in your own words and severity from the advisory form.'],
  'cas.title': ['連鎖影響の提案', 'Cascade suggestions'],
  'cas.from': ['起点：{sources}', 'From: {sources}'],
  'cas.model': ['相互依存モデル第{v}版', 'Interdependency model, version {v}'],
  'cas.made': ['提案の作成', 'Suggested'],
  'cas.intro': ['この事象の報告の分野から相互依存モデルをたどり、影響が及ぶおそれのある分野を、強い順・早い順に示します。', 'The sectors this event may reach, found by following the interdependency model from its reports’ sectors; the strongest and soonest first.'],
  'cas.none': ['影響が及ぶおそれのある分野はありません。', 'No other sector is likely to be affected.'],
  'cas.rule': ['提案は、分野の分かる報告が紐付いた深刻度3以上の事象について作られます（深刻度3は強い依存だけを、4は中程度以上を、5はすべての依存をたどります）。', 'Suggestions are made for events of severity 3 or more with linked reports (3 follows strong dependencies only, 4 medium and strong, 5 all).'],
  'cas.col.pick': ['注意喚起', 'Warn'],
  'cas.col.rank': ['順位', 'Rank'],
  'cas.col.node': ['影響を受けるおそれ', 'May affect'],
  'cas.col.lag': ['影響までの時間', 'When'],
  'cas.col.path': ['経路と理由', 'Path and why'],
  'cas.pathof': ['{name}への経路', 'Path to {name}'],
  'cas.others': ['（ほかの事業者）', ' (other operators)'],
  'cas.whysep': ['：', ': '],
  'cas.stepmeta': ['{s}・{lag}', '{s}, {lag}'],
  'cas.regional': ['同じ地域', 'same region'],
  'cas.same': ['同じ分野のほかの事業者', 'other operators of the same sector'],
  'cas.pickone': ['{name}に注意喚起する', 'Warn {name}'],
  'cas.notsector': ['組織（分野を通じて伝わります）', 'an organisation (reached through its sector)'],
  'cas.issue': ['情報提供を発出', 'Issue an advisory'],
  'cas.picked': ['{n}分野を選択中', '{n} sectors chosen'],
  'cas.issuehint': ['選んだ分野の構成員へ、Amberの注意喚起（深刻度{s}）として発出します。件名と本文は提案から作られます。', 'Issued as an Amber warning (severity {s}) to the members of the sectors chosen, its title and text written from the suggestion.'],
  'cas.issued': ['情報提供（{id}）を発出しました。', 'Advisory {id} issued.'],
  'cas.done': ['この提案から発出した情報提供：', 'Advisory issued from this suggestion:'],
  'cas.intro.report': ['この報告の分野から相互依存モデルをたどり、影響が及ぶおそれのある分野を、強い順・早い順に示します。', 'The sectors this report’s outage may reach, found by following the interdependency model from its sector; the strongest and soonest first.'],
  'cas.intro.alert': ['この分野のHP観測の警報から相互依存モデルをたどり、影響が及ぶおそれのある分野を、強い順・早い順に示します（応答なしは深刻度4、低速は深刻度3として扱います）。', 'The sectors this sector-wide website alert may reach, found by following the interdependency model from its sector (unreachable sites count as severity 4, slow ones as 3); the strongest and soonest first.'],
  'cas.rule.report': ['提案は深刻度3以上の報告について作られます（深刻度3は強い依存だけを、4は中程度以上を、5はすべての依存をたどります）。', 'Suggestions are made for reports of severity 3 or more (3 follows strong dependencies only, 4 medium and strong, 5 all).'],
  'cas.rule.alert': ['低速の警報（深刻度3）は強い依存だけを、応答なしの警報（深刻度4）は中程度以上の依存をたどります。', 'A slow alert (severity 3) follows strong dependencies only, an unreachable one (severity 4) medium and strong ones.'],
  'cas.title.alert': ['連鎖影響の提案：{what}', 'Cascade suggestions: {what}'],
  'cas.show': ['連鎖影響の提案を表示', 'Show the cascade suggestions'],
  'cas.show.hint': ['表示すると、提案がハブに記録されます。', 'Showing them records the suggestions on the hub.'],
};
addTexts(TEXTS);

/* Reads the suggestions of base (null when the hub refuses: the page then
 * shows no panel). */
export async function loadCascade(base) {
  try { return await get(base + '/cascade', { quiet: true }); } catch (e) { return null; }
}

/* The panel.
 *   base     the subject's API path (/events/E…, /reports/R…, /observation/alerts/7)
 *   subject  'event' | 'report' | 'alert' (the intro and the rule in words)
 *   sectors  ctx.sectors() (names of the path's sectors)
 *   prefix   the ids' prefix ('cascade' unless several panels share a page)
 *   heading  the heading's text (default "連鎖影響の提案")
 *   level    the heading's level (2 unless said)
 *   data     suggestions already read (loadCascade), else read here
 *   lazy     read only when asked (a button), for closed alerts */
export function cascadePanel(ctx, o) {
  const id = o.prefix || 'cascade';
  const box = h('div', { id: id + '-body', cls: 'cascade-body' });
  const hx = 'h' + (o.level || 2);
  const panel = h('section', { cls: 'card cascade', id, 'aria-labelledby': id + '-h', 'data-subject': o.subject || 'event' },
    h(hx, { id: id + '-h' }, o.heading || t('cas.title')), box);
  const load = async (note) => {
    put(clear(box), h('p', { cls: 'loading' }, t('loading')));
    let c;
    try { c = await get(o.base + '/cascade'); } catch (err) { put(clear(box), msg(errText(err), 'err')); return; }
    clear(box);
    if (note) put(box, note);
    draw(box, ctx, o, id, c, load);
  };
  if (o.data) draw(box, ctx, o, id, o.data, load);
  else if (o.lazy) {
    const btn = h('button', { type: 'button', cls: 'secondary', id: id + '-show', on: { click: () => load() } }, t('cas.show'));
    put(box, h('div', { cls: 'actions' }, btn), h('p', { cls: 'hint' }, t('cas.show.hint')));
  } else load();
  return panel;
}

function draw(box, ctx, o, id, c, reload) {
  const sectors = o.sectors || [];
  const sectorIds = new Set(sectors.map((s) => s.id));
  const names = new Map();
  for (const s of sectors) names.set(s.id, s.name);
  for (const s of c.suggestions) names.set(s.node, s.name);
  const nameOf = (n) => (names.has(n) ? L(names.get(n)) : n);
  const sub = o.subject && o.subject !== 'event' ? '.' + o.subject : '';
  const sep = lang() === 'en' ? ', ' : '、';
  put(box, h('p', { cls: 'meta', id: id + '-basis' },
    h('span', {}, t('cas.from', { sources: c.sources.length ? c.sources.map(nameOf).join(sep) : '—' })),
    sevBadge(c.severity, true),
    h('a', { href: '#/dependencies' }, t('cas.model', { v: c.model_version })),
    h('span', {}, t('cas.made')), time(c.created_at)));
  if (!c.suggestions.length) {
    put(box, h('p', { cls: 'empty', id: id + '-none' }, t('cas.none')), h('p', { cls: 'hint' }, t('cas.rule' + sub)));
    return;
  }
  put(box, h('p', { cls: 'hint' }, t('cas.intro' + sub)));
  const acted = c.advisory;
  const canIssue = !acted && o.mayIssue !== false && ctx.has('liaison', 'analyst');
  // every suggested sector ticked at first; organisations are warned
  // through their sector, so they have no box
  const picked = new Set(c.suggestions.filter((s) => sectorIds.has(s.node)).map((s) => s.node));
  const count = h('span', { id: id + '-count', cls: 'cascade-count', 'aria-live': 'polite' });
  const go = h('button', { type: 'button', id: id + '-issue', cls: 'cascade-issue' }, t('cas.issue'));
  const refresh = () => { count.textContent = t('cas.picked', { n: picked.size }); go.disabled = !picked.size; };
  const cols = [];
  if (canIssue) {
    cols.push([t('cas.col.pick'), (s) => (sectorIds.has(s.node)
      ? h('input', { type: 'checkbox', value: s.node, checked: true, cls: 'cascade-pick', 'aria-label': t('cas.pickone', { name: L(s.name) }),
        on: { change: (e) => { if (e.target.checked) picked.add(s.node); else picked.delete(s.node); refresh(); } } })
      : h('span', { cls: 'hint' }, t('cas.notsector')))]);
  }
  cols.push(
    [t('cas.col.rank'), (s) => String(s.rank), 'num'],
    [t('cas.col.node'), (s) => [h('strong', {}, L(s.name)), s.same_sector ? [' ', flag(t('cas.same'))] : null]],
    [t('dep.col.strength'), (s) => h('span', { cls: 'dep-str dep-str-' + s.strength }, strengthLabel(s.strength))],
    [t('cas.col.lag'), (s) => lagLabel(s.lag_min)],
    [t('dep.col.regional'), (s) => (s.regional ? flag(t('cas.regional')) : t('dep.anyregion'))],
    [t('cas.col.path'), (s) => h('ol', { cls: 'cas-path' + (s.steps.length === 1 ? ' one' : ''), 'aria-label': t('cas.pathof', { name: L(s.name) }) },
      s.steps.map((st) => h('li', {},
        h('span', { cls: 'cas-step' }, nameOf(st.from) + ' → ' + nameOf(st.to) + (st.from === st.to ? t('cas.others') : '')),
        st.ja || st.en ? h('span', { cls: 'cas-why' }, t('cas.whysep'), said(st.ja, st.en)) : null,
        // a step's own strength and lag when the path has several
        st.strength && s.steps.length > 1 ? h('span', { cls: 'hint cas-stepmeta' }, t('cas.stepmeta', { s: strengthLabel(st.strength), lag: lagLabel(st.lag_min) })) : null)))],
  );
  put(box, h('div', { id: id + '-list', cls: 'cascade-list' }, table(cols, c.suggestions, (s) => ({ 'data-node': s.node, 'data-rank': s.rank }))));
  if (acted) { put(box, done(id, acted)); return; }
  if (!canIssue) return;
  const out = h('div', { id: id + '-out', 'aria-live': 'polite' });
  go.addEventListener('click', async () => {
    clear(out); go.disabled = true;
    // in the order of the suggestions
    const list = c.suggestions.map((s) => s.node).filter((n) => picked.has(n));
    try {
      const r = await post(o.base + '/cascade/advisory', { suggestion: c.suggestion, sectors: list });
      const a = r.advisory || {};
      clear(box);
      put(box, msg(t('cas.issued', { id: a.id }), 'ok'));
      draw(box, ctx, o, id, Object.assign({}, c, { advisory: { id: a.id, at: a.created_at || new Date().toISOString() } }), reload);
      const first = box.querySelector('#' + id + '-done a');
      if (first) first.focus();
    } catch (err) {
      if (err.code === 'already_acted') { reload(msg(errText(err), 'err')); return; }
      put(out, msg(errText(err), 'err')); refresh();
    }
  });
  refresh();
  put(box, h('div', { cls: 'actions', id: id + '-actions' }, go, count),
    h('p', { cls: 'hint', id: id + '-hint' }, t('cas.issuehint', { s: c.severity })), out);
}

/* The advisory made from the suggestion, in place of the button. */
function done(id, a) {
  return h('p', { id: id + '-done', cls: 'cascade-done', 'data-advisory': a.id },
    t('cas.done'), ' ', link('/advisories/' + enc(a.id), h('span', { cls: 'id' }, a.id)), a.at ? (lang() === 'en' ? [' (', time(a.at), ')'] : ['（', time(a.at), '）']) : null);
}
