// page-dependencies.js - the interdependency model between sectors
// (issue 15): #/dependencies.
//   Everyone signed in may read it (GET /api/v1/dependencies): a graph of
//   the model (sectors on a circle, an arrow per dependency, its width the
//   strength, dashed when it holds within a region only, a loop for a
//   sector's own other operators), its legend, and the table of the
//   dependencies, the graph's accessible equivalent (the graph is one
//   image; the table says everything it shows, and more).
//   NISC's analysts and the hub's admins also edit it: the model file as
//   JSON, saved as a new version (PUT /api/v1/dependencies with the version
//   replaced); a refused edit names the dependency at fault, and an edit
//   made on a version replaced meanwhile is refused (409) and said so.
// The event page (page-events.js) shows the cascade suggestions made from
// this model.
import { h, svg, table, msg, time, field, put, clear, flag } from './dom.js';
import { t, L, lang, dur, addTexts } from './i18n.js';
import { get, put as apiPut } from './api.js';

/* The page's texts (i18n.js addTexts: not part of every first load);
 * cascade.js uses the strengths, lags and regions too (it imports this
 * module). */
const TEXTS = {
  'dep.title': ['重要インフラ分野間の相互依存', 'Interdependency between critical-infrastructure sectors'],
  'dep.version': ['第{v}版', 'Version {v}'],
  'dep.by.init': ['初期データ', 'initial data'],
  'dep.by.you': ['あなたが保存', 'saved by you'],
  'dep.intro': ['ある分野の障害がほかの分野へ及ぶ関係のモデルです。事象ページの「連鎖影響の提案」はこのモデルから作られます。', 'How an outage in one sector reaches others. The cascade suggestions on an event’s page are made from this model.'],
  'dep.graph': ['関係図', 'Graph'],
  'dep.graph.desc': ['{n}分野・{m}件の依存関係の図。同じ内容を下の「依存関係の一覧」の表に示します。', 'A graph of {n} sectors and {m} dependencies; the table “Dependencies” below gives the same.'],
  'dep.legend': ['凡例', 'Legend'],
  'dep.k.strong': ['強い依存（3）', 'strong dependency (3)'],
  'dep.k.medium': ['中程度の依存（2）', 'medium dependency (2)'],
  'dep.k.weak': ['弱い依存（1）', 'weak dependency (1)'],
  'dep.k.regional': ['破線：同じ地域の中でだけ及ぶ', 'dashed: only within the same region'],
  'dep.k.loop': ['輪：同じ分野のほかの事業者へ及ぶ', 'loop: to the sector’s other operators'],
  'dep.k.org': ['四角：個別の組織', 'square: a single organisation'],
  'dep.k.arrow': ['矢印は影響の向きです（障害の起きた分野 → 影響を受ける分野）。線が太いほど強く依存しています。', 'Arrows point the way an outage spreads (from the sector hit to the one depending on it); the thicker the line, the stronger the dependency.'],
  'dep.k.more': ['分野にポインターを合わせるとその分野の依存関係が強調され、線に合わせると影響までの時間と理由が表示されます。', 'Point at a sector to bring out its dependencies, at a line to see its lag and why.'],
  'dep.tip': ['{from} → {to}：{what}', '{from} → {to}: {what}'],
  'dep.edges': ['依存関係の一覧（{n}件）', 'Dependencies ({n})'],
  'dep.noedges': ['依存関係はまだありません。', 'No dependencies yet.'],
  'dep.col.from': ['影響元（障害の起きた分野）', 'From (the sector hit)'],
  'dep.col.to': ['影響先（依存する分野）', 'To (the dependent)'],
  'dep.col.strength': ['強さ', 'Strength'],
  'dep.col.lag': ['影響までの時間', 'Lag'],
  'dep.col.regional': ['範囲', 'Extent'],
  'dep.col.why': ['理由', 'Why'],
  'dep.strength.1': ['弱（1）', 'weak (1)'],
  'dep.strength.2': ['中（2）', 'medium (2)'],
  'dep.strength.3': ['強（3）', 'strong (3)'],
  'dep.lag': ['約{d}後', 'within about {d}'],
  'dep.lag0': ['直ちに', 'at once'],
  'dep.regional': ['同じ地域のみ', 'same region only'],
  'dep.anyregion': ['地域を問わない', 'any region'],
  'dep.self': ['同じ分野のほかの事業者', 'the sector’s other operators'],
  'dep.edit': ['モデルの編集', 'Edit the model'],
  'dep.edit.base': ['編集のもとにする版：第{v}版', 'Editing version {v}'],
  'dep.edit.json': ['モデル（JSON）', 'Model (JSON)'],
  'dep.edit.hint': ['形式「infrashare-dependencies/1」。edges の各要素は from・to（分野または組織のID）、strength（1〜3）、lag_min（分：0〜10080）、regional（true/false）、why_ja・why_en です。保存すると新しい版になり、以前の版も記録に残ります。', 'Format “infrashare-dependencies/1”. Each element of edges has from and to (sector or organisation ids), strength (1 to 3), lag_min (minutes, 0 to 10080), regional (true/false), why_ja and why_en. Saving makes a new version; the earlier ones stay on record.'],
  'dep.save': ['新しい版として保存', 'Save as a new version'],
  'dep.discard': ['編集を取り消す', 'Discard changes'],
  'dep.saved': ['第{v}版として保存しました。', 'Saved as version {v}.'],
  'dep.badjson': ['JSONとして読めません：{m}', 'This is not valid JSON: {m}'],
  'dep.err.at': ['問題の箇所：{field}', 'Where: {field}'],
  'dep.err.edge': ['{field}（{from} → {to}）', '{field} ({from} → {to})'],
  'dep.err.unknown_field': ['モデルにない項目です。', 'Not a field of the model.'],
  'dep.err.invalid_type': ['値の型が正しくありません。', 'The value has the wrong type.'],
  'dep.err.missing_field': ['必須の項目がありません。', 'A required field is missing.'],
  'dep.err.too_long': ['文字数が多すぎます。', 'The text is too long.'],
  'dep.err.too_many': ['依存関係または分野・組織の数が上限を超えています。', 'Too many dependencies, or too many sectors and organisations.'],
  'dep.err.invalid_value': ['値が正しくありません（format は「infrashare-dependencies/1」）。', 'The value is not valid (format must be “infrashare-dependencies/1”).'],
  'dep.conflict': ['保存していません：編集中に別の版（第{v}版）が保存されました。最新の版を読み込み、編集し直してください。', 'Not saved: another version (version {v}) was saved while you were editing. Load the latest version and make your edit again.'],
  'dep.conflict.any': ['保存していません：編集中に別の版が保存されました。最新の版を読み込み、編集し直してください。', 'Not saved: another version was saved while you were editing. Load the latest version and make your edit again.'],
  'dep.reload': ['最新の版を読み込む', 'Load the latest version'],
  'err.zero_lag_cycle': ['影響までの時間が0分の依存関係が循環しています（障害が直ちに自分自身へ戻ることになります）。この依存関係の時間を1分以上にするか、削除してください。', 'This closes a cycle of zero-lag dependencies (an outage would reach itself at once): give it a lag of a minute or more, or remove it.'],
  'err.unknown_node': ['分野または組織のIDではありません。', 'Neither a sector nor an organisation id.'],
  'err.invalid_strength': ['強さは1（弱）・2（中）・3（強）のいずれかです。', 'The strength is 1 (weak), 2 (medium) or 3 (strong).'],
  'err.invalid_lag': ['影響までの時間は0〜10080分です。', 'The lag is 0 to 10080 minutes.'],
  'err.duplicate_edge': ['同じ依存関係が二つあります。', 'The same dependency twice.'],
};
addTexts(TEXTS);

/* Whether the reader may edit the model (the API's rule). */
export function mayEdit(ctx) {
  return ctx.has('admin') || (ctx.kind() === 'nisc' && ctx.has('analyst'));
}

/* "強（3）" / "strong (3)" */
export function strengthLabel(n) {
  return t('dep.strength.' + n, null, true) || String(n);
}

/* The lag in words: "直ちに", "約30分後", "約1時間後" / "at once",
 * "within about 30 min". */
export function lagLabel(min) {
  if (min === null || min === undefined) return '—';
  if (Number(min) === 0) return t('dep.lag0');
  return t('dep.lag', { d: dur(Number(min) * 60) });
}

/* A dependency's reason in the reader's language (the other when only
 * one is written). */
const why = (e) => L({ ja: e.why_ja || e.ja || '', en: e.why_en || e.en || '' });

/* A text written in both languages, in the reader's; when only the other
 * language has it, that one, marked with its language. */
export function said(ja, en) {
  const mine = lang() === 'en' ? en : ja;
  if (mine) return mine;
  const other = lang() === 'en' ? ja : en;
  return other ? h('span', { lang: lang() === 'en' ? 'ja' : 'en' }, other) : '';
}

/* A name without its parenthesis, for the graph's labels
 * ("政府・行政サービス（地方公共団体を含む）" -> "政府・行政サービス"). */
const short = (s) => String(s).replace(/\s*[（(][^（()）]*[)）]\s*$/, '') || String(s);

/* Splits a label into lines of about max characters: English at spaces,
 * Japanese after "・" or else anywhere; at most four lines. */
function lines(s, max) {
  max = Math.max(5, max);
  const out = [];
  if (lang() === 'en') {
    let cur = '';
    for (const w of s.split(/\s+/)) {
      if (cur && (cur + ' ' + w).length > max) { out.push(cur); cur = w; } else cur = cur ? cur + ' ' + w : w;
    }
    if (cur) out.push(cur);
  } else {
    let rest = s;
    while (rest.length > max) {
      let cut = rest.lastIndexOf('・', max);
      cut = cut > 1 ? cut + 1 : max;
      out.push(rest.slice(0, cut)); rest = rest.slice(cut);
    }
    if (rest) out.push(rest);
  }
  if (out.length > 4) { out.length = 4; out[3] += '…'; }
  return out;
}

export async function render(main, { ctx }) {
  put(main, h('h1', { 'data-title': t('dep.title') }, t('dep.title')));
  let d;
  try {
    [d] = await Promise.all([get('/dependencies'), ctx.sectors()]);
  } catch (e) {
    if (e.code === 'no_model') { put(main, h('p', { cls: 'empty', id: 'dep-none' }, t('err.no_model'))); return null; }
    throw e;
  }
  const sectorIds = new Set((await ctx.sectors()).map((s) => s.id));
  const model = d.model || {};
  const edges = Array.isArray(model.edges) ? model.edges : [];
  const names = new Map(d.nodes.map((n) => [n.id, n.name && (n.name.ja || n.name.en) ? n.name : { ja: n.id, en: n.id }]));
  const nameOf = (id) => (names.has(id) ? L(names.get(id)) : id);
  const by = d.created_by === 0 ? t('dep.by.init') : ctx.me && d.created_by === ctx.me.id ? t('dep.by.you') : null;

  put(main,
    h('p', { cls: 'meta', id: 'dep-meta' },
      h('span', { id: 'dep-version', 'data-version': d.version }, t('dep.version', { v: d.version })),
      time(d.created_at), by ? h('span', {}, by) : null),
    h('div', { cls: 'card', id: 'dep-about' },
      h('p', { id: 'dep-model-title' }, h('strong', {}, L({ ja: model.title_ja, en: model.title_en }))),
      model.note_ja || model.note_en ? h('p', { cls: 'hint', id: 'dep-note', lang: model['note_' + lang()] ? null : (model.note_ja ? 'ja' : 'en') },
        L({ ja: model.note_ja, en: model.note_en })) : null,
      h('p', {}, t('dep.intro'))));

  // the graph, drawn for the screen's width (again when that changes)
  const gbox = h('div', { cls: 'dep-graphbox', id: 'dep-graphbox' });
  const mq = window.matchMedia('(max-width: 600px)');
  const draw = () => { clear(gbox); put(gbox, graph(d.nodes, edges, nameOf, sectorIds, mq.matches)); };
  draw();
  mq.addEventListener('change', draw);
  put(main, h('section', { 'aria-labelledby': 'dep-graph-h', id: 'dep-graph-section' },
    h('h2', { id: 'dep-graph-h' }, t('dep.graph')),
    gbox, legend(d.nodes.some((n) => !sectorIds.has(n.id)))));

  // the table: everything the graph shows
  put(main, h('section', { 'aria-labelledby': 'dep-edges-h', id: 'dep-edges' },
    h('h2', { id: 'dep-edges-h' }, t('dep.edges', { n: edges.length })),
    edges.length ? table([
      [t('dep.col.from'), (e) => nameOf(e.from)],
      [t('dep.col.to'), (e) => [nameOf(e.to), e.from === e.to ? [' ', flag(t('dep.self'))] : null]],
      [t('dep.col.strength'), (e) => h('span', { cls: 'dep-str dep-str-' + e.strength }, strengthLabel(e.strength))],
      [t('dep.col.lag'), (e) => lagLabel(e.lag_min)],
      [t('dep.col.regional'), (e) => (e.regional ? flag(t('dep.regional')) : t('dep.anyregion'))],
      [t('dep.col.why'), (e) => said(e.why_ja, e.why_en) || '—'],
    ], edges, (e) => ({ 'data-from': e.from, 'data-to': e.to })) : h('p', { cls: 'empty' }, t('dep.noedges'))));

  if (mayEdit(ctx)) put(main, editor(ctx, d, nameOf));
  return () => mq.removeEventListener('change', draw);
}

/* ---- the graph ---- */

const GEO = {
  wide: { W: 820, H: 600, R: 215, node: 10, loop: 13, font: 14, width: [0, 1.6, 3.2, 5.6], arrow: 13 },
  narrow: { W: 460, H: 380, R: 108, node: 8, loop: 10, font: 13, width: [0, 1.2, 2.4, 4], arrow: 10 },
};

/* The model as one image: nodes on a circle, the first at the top. */
function graph(nodes, edges, nameOf, sectorIds, narrow) {
  const g = narrow ? GEO.narrow : GEO.wide;
  const cx = g.W / 2, cy = g.H / 2, n = nodes.length || 1;
  const pos = new Map();
  nodes.forEach((x, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    pos.set(x.id, { x: cx + g.R * Math.cos(a), y: cy + g.R * Math.sin(a), ux: Math.cos(a), uy: Math.sin(a) });
  });
  const f = (v) => v.toFixed(1);
  const markers = svg('defs', {}, [1, 2, 3].map((s) => svg('marker', {
    id: 'dep-arrow-' + s, viewBox: '0 0 10 10', refX: 5, refY: 5, markerWidth: g.arrow, markerHeight: g.arrow,
    markerUnits: 'userSpaceOnUse', orient: 'auto' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', cls: 'dep-head dep-s' + s }))));
  const lines_ = [];
  for (const e of edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const tip = t('dep.tip', { from: nameOf(e.from), to: nameOf(e.to), what: [strengthLabel(e.strength), lagLabel(e.lag_min),
      e.regional ? t('dep.regional') : t('dep.anyregion')].join(lang() === 'en' ? ', ' : '、') }) + (why(e) ? ' — ' + why(e) : '');
    const cls = 'dep-edge dep-s' + e.strength + (e.regional ? ' dep-regional' : '') + (e.from === e.to ? ' dep-loop' : '');
    const attrs = { cls, 'data-from': e.from, 'data-to': e.to, 'stroke-width': g.width[e.strength] || 1, 'marker-end': `url(#dep-arrow-${e.strength})` };
    let d;
    if (e.from === e.to) {
      // a loop outside the circle, from one side of the node to the other
      const rot = (k) => ({ x: a.ux * Math.cos(k) - a.uy * Math.sin(k), y: a.ux * Math.sin(k) + a.uy * Math.cos(k) });
      const s = rot(-0.7), t2 = rot(0.7);
      d = `M${f(a.x + s.x * g.node)},${f(a.y + s.y * g.node)} A${g.loop},${g.loop} 0 1 1 ${f(a.x + t2.x * (g.node + 3))},${f(a.y + t2.y * (g.node + 3))}`;
    } else {
      // a gentle curve, so that the two directions between a pair differ
      const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
      const q = { x: (a.x + b.x) / 2 - (dy / len) * len * 0.12, y: (a.y + b.y) / 2 + (dx / len) * len * 0.12 };
      const u0 = unit(q.x - a.x, q.y - a.y), u1 = unit(b.x - q.x, b.y - q.y);
      const back = g.node + g.arrow / 2 + 1; // the arrow's tip touches the node
      d = `M${f(a.x + u0.x * g.node)},${f(a.y + u0.y * g.node)} Q${f(q.x)},${f(q.y)} ${f(b.x - u1.x * back)},${f(b.y - u1.y * back)}`;
    }
    lines_.push(svg('path', Object.assign({ d }, attrs), svg('title', {}, tip)));
  }
  const looped = new Set(edges.filter((e) => e.from === e.to).map((e) => e.from));
  const nodeEls = nodes.map((x) => {
    const p = pos.get(x.id);
    // the label beyond the node (and beyond its loop), as wide as the
    // space left to the edge of the picture allows
    const off = looped.has(x.id) ? g.node + 2 * g.loop + 4 : g.node + 6;
    const lx = p.x + p.ux * off, ly = p.y + p.uy * off;
    const anchor = p.ux > 0.3 ? 'start' : p.ux < -0.3 ? 'end' : 'middle';
    const room = anchor === 'start' ? g.W - lx - 4 : anchor === 'end' ? lx - 4 : g.W * 0.4;
    const ls = lines(short(nameOf(x.id)), Math.floor(room / (g.font * (lang() === 'en' ? 0.6 : 1.05))));
    const lh = g.font * 1.2;
    // above the node the text grows upwards, below it downwards
    const y0 = p.uy < -0.3 ? ly - (ls.length - 1) * lh : p.uy > 0.3 ? ly + g.font * 0.8 : ly + g.font * 0.35 - ((ls.length - 1) * lh) / 2;
    const sector = sectorIds.has(x.id);
    return svg('g', { cls: 'dep-node' + (sector ? '' : ' dep-org'), 'data-node': x.id },
      svg('title', {}, nameOf(x.id)),
      sector ? svg('circle', { cx: f(p.x), cy: f(p.y), r: g.node })
        : svg('rect', { x: f(p.x - g.node), y: f(p.y - g.node), width: g.node * 2, height: g.node * 2 }),
      svg('text', { x: f(lx), y: f(y0), 'text-anchor': anchor, 'font-size': g.font },
        ls.map((s, i) => svg('tspan', { x: f(lx), dy: i ? f(lh) : 0 }, s))));
  });
  const el = svg('svg', { viewBox: `0 0 ${g.W} ${g.H}`, cls: 'dep-graph' + (narrow ? ' narrow' : ''), id: 'dep-graph', role: 'img',
    'aria-labelledby': 'dep-graph-h dep-graph-desc' },
  svg('desc', { id: 'dep-graph-desc' }, t('dep.graph.desc', { n: nodes.length, m: edges.length })),
  markers, svg('g', { cls: 'dep-edges' }, lines_), svg('g', { cls: 'dep-nodes' }, nodeEls));
  // pointing at a node brings out its dependencies (the table says the same)
  for (const ne of nodeEls) {
    const id = ne.getAttribute('data-node');
    ne.addEventListener('mouseenter', () => {
      el.classList.add('focus');
      for (const l of lines_) if (l.getAttribute('data-from') === id || l.getAttribute('data-to') === id) l.classList.add('hl');
    });
    ne.addEventListener('mouseleave', () => { el.classList.remove('focus'); for (const l of lines_) l.classList.remove('hl'); });
  }
  return el;
}

function unit(x, y) {
  const l = Math.hypot(x, y) || 1;
  return { x: x / l, y: y / l };
}

function legend(orgs) {
  const sample = (cls, w, loop) => svg('svg', { width: 44, height: 22, viewBox: '0 0 44 22', 'aria-hidden': 'true', focusable: 'false', cls: 'dep-key' },
    loop ? [svg('path', { d: 'M17,14 A7,7 0 1 1 27,14', cls, 'stroke-width': w }), svg('circle', { cx: 22, cy: 17, r: 4, cls: 'dep-keynode' })]
      : svg('line', { x1: 2, y1: 11, x2: 42, y2: 11, cls, 'stroke-width': w }));
  return h('div', { id: 'dep-legend' },
    h('h3', {}, t('dep.legend')),
    h('ul', { cls: 'legend dep-legend' },
      h('li', {}, sample('dep-edge dep-s3', 5, false), t('dep.k.strong')),
      h('li', {}, sample('dep-edge dep-s2', 3, false), t('dep.k.medium')),
      h('li', {}, sample('dep-edge dep-s1', 1.5, false), t('dep.k.weak')),
      h('li', {}, sample('dep-edge dep-s2 dep-regional', 2.5, false), t('dep.k.regional')),
      h('li', {}, sample('dep-edge dep-s2', 2, true), t('dep.k.loop')),
      orgs ? h('li', {}, t('dep.k.org')) : null),
    h('p', { cls: 'hint' }, t('dep.k.arrow')),
    h('p', { cls: 'hint' }, t('dep.k.more')));
}

/* ---- the editor (NISC analysts, admins) ---- */

function editor(ctx, d, nameOf) {
  const text = h('textarea', { id: 'dep-json', rows: 18, spellcheck: 'false', autocomplete: 'off', cls: 'dep-json' });
  text.value = JSON.stringify(d.model, null, 2);
  const out = h('div', { id: 'dep-edit-out', 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', id: 'dep-save' }, t('dep.save'));
  const say = (...kids) => { clear(out); put(out, ...kids); };
  const form = h('form', { cls: 'card', id: 'dep-edit', 'aria-labelledby': 'dep-edit-h' },
    h('h2', { id: 'dep-edit-h' }, t('dep.edit')),
    h('p', { id: 'dep-edit-base', 'data-version': d.version }, t('dep.edit.base', { v: d.version })),
    field(t('dep.edit.json'), text, t('dep.edit.hint')),
    h('div', { cls: 'actions' }, save,
      h('button', { type: 'button', cls: 'secondary', id: 'dep-discard', on: { click: () => {
        text.value = JSON.stringify(d.model, null, 2); text.removeAttribute('aria-invalid'); clear(out);
      } } }, t('dep.discard'))),
    out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    text.removeAttribute('aria-invalid');
    let model;
    try { model = JSON.parse(text.value); } catch (e) {
      text.setAttribute('aria-invalid', 'true');
      say(msg(t('dep.badjson', { m: e.message }), 'err'));
      return;
    }
    save.disabled = true;
    try {
      const r = await apiPut('/dependencies', { version: d.version, model });
      ctx.say(t('dep.saved', { v: r.version }), 'ok');
      ctx.reload();
    } catch (e) {
      save.disabled = false;
      if (e.status === 409 && e.code === 'version_conflict') {
        let now = null;
        try { now = (await get('/dependencies')).version; } catch (x) { /* said without it */ }
        say(h('div', { cls: 'msg err', role: 'alert', id: 'dep-conflict' },
          h('p', {}, now ? t('dep.conflict', { v: now }) : t('dep.conflict.any')),
          h('div', { cls: 'actions' }, h('button', { type: 'button', id: 'dep-reload', on: { click: () => ctx.reload() } }, t('dep.reload')))));
        return;
      }
      if (e.status === 400) {
        text.setAttribute('aria-invalid', 'true');
        say(h('div', { cls: 'msg err', role: 'alert', id: 'dep-error', 'data-field': e.field || '', 'data-code': e.code },
          h('p', {}, problem(e)),
          e.field ? h('p', { id: 'dep-error-field' }, t('dep.err.at', { field: where(e.field, model, nameOf) })) : null));
        return;
      }
      say(msg(problem(e), 'err'));
    }
  });
  return form;
}

/* A refused model in words: the codes of the model file have their own
 * texts; the general ones (unknown_field, invalid_type, ...) are said for
 * the model here, so other pages' messages stay as they are. */
function problem(e) {
  const s = t('err.' + e.code, null, true) || t('dep.err.' + e.code, null, true);
  if (s) return s;
  return (lang() === 'ja' && e.detailJa) || e.message || e.code;
}

/* "model.edges[40]" -> "model.edges[40]（鉄道 → 電力）": the dependency
 * at fault named, as the edit had it. */
function where(fieldName, model, nameOf) {
  const m = /^model\.edges\[(\d+)\]/.exec(fieldName || '');
  const e = m && model && Array.isArray(model.edges) ? model.edges[Number(m[1])] : null;
  if (!e || typeof e !== 'object' || typeof e.from !== 'string' || typeof e.to !== 'string') return fieldName;
  return t('dep.err.edge', { field: fieldName, from: nameOf(e.from), to: nameOf(e.to) });
}
