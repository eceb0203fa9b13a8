// page-exercise.js - cross-sector exercises (分野横断的演習, issue 14).
//   #/exercises                 the exercises the reader may see; the
//                               controllers' form for a new one
//   #/exercises/{id}            one exercise. Controllers (NISC analysts
//                               and liaisons, admins): the console (start,
//                               pause, resume, shift, advance, fire an
//                               inject, end), the participants with their
//                               venue and theme, and the live board of
//                               every participant's expected actions.
//                               Participants: their participation, the
//                               briefing, the rules pre-check, the BCP
//                               declaration, the questionnaire and their
//                               own row of the board.
//   #/exercises/{id}/debrief    the debrief: its formats and the figures
// Acting in the exercise (reports, the inbox) happens in the exercise
// context, the same UI under /x/{id}/ (api.js, app.js). Every page here
// says plainly that it is an exercise (【演習】 / EXERCISE).
// API: /exercises[/{id}[/participants|/checklist|/control|/board|/bcp|
// /questionnaire|/notes|/debrief]] (docs/openapi.json).
import { h, link, table, select, msg, errText, time, field, dl, put, clear, enc } from './dom.js';
import { t, L, lang } from './i18n.js';
import { get, post, put as apiPut, api } from './api.js';
import { sectorName } from './names.js';

const CHECKLIST = ['contacts_current', 'rules_reviewed', 'roles_assigned', 'bcp_authority_known', 'report_route_known'];
const OUTCOMES = ['on_time', 'late', 'missed', 'pending'];
const MARK = { on_time: '✓', late: '!', missed: '✗', pending: '…' };
const REFRESH_MS = 4000;

/* The heading; the window's title names the page only (app.js), never
 * an exercise's title. */
const title = (text, page) => h('h1', { 'data-title': page || text }, text);
const comma = (s) => String(s || '').split(/[,、，\s]+/).map((x) => x.trim()).filter(Boolean);
const stateLabel = (s) => t('ex.state.' + s, null, true) || s;
const actionLabel = (a) => t('ex.action.' + a, null, true) || a;
const pct = (x) => (x === null || x === undefined ? '—' : (x * 100).toFixed(1) + '%');
/* A date "YYYY-MM-DD" as the page's language writes it (2026/12/10 in
 * Japanese, as fmtTime). */
const fmtDate = (d) => (d ? (lang() === 'en' ? d : d.replace(/-/g, '/')) : '—');
const mins = (m) => (m === null || m === undefined ? '—' : t('ex.min', { n: Math.round(m * 10) / 10 }));

/* Whether the reader may run exercises (the API's rule: NISC analysts and
 * liaisons, admins); the list page offers the form to them only. */
function controls(ctx) {
  return ctx.has('admin') || (ctx.kind() === 'nisc' && ctx.has('analyst', 'liaison'));
}

function stateFlag(s) {
  return h('span', { cls: 'badge flag ex-state ex-state-' + s, 'data-state': s }, stateLabel(s));
}

/* The exercise's clock in words: "演習時刻 30分（一時停止中）". */
function clockText(x) {
  const c = x.clock || {};
  if (x.state !== 'running' && x.state !== 'ended') return t('ex.clock.notstarted');
  let s = t('ex.clock', { n: c.minute || 0 });
  if (x.state === 'running' && c.paused) s += t('ex.clock.paused');
  if (c.scale > 1) s += t('ex.clock.scale', { n: c.scale });
  return s;
}

/* The one line every exercise page carries, so that nobody takes it for
 * the real thing. */
function notice() {
  return h('p', { cls: 'xnotice', id: 'exercise-notice' }, h('strong', {}, t('ex.notice')), ' ', t('ex.notice.more'));
}

export async function render(main, env) {
  if (env.name === 'exercise') return detailPage(main, env.ctx, env.params[0]);
  if (env.name === 'exerciseDebrief') return debriefPage(main, env.ctx, env.params[0]);
  return listPage(main, env.ctx);
}

/* ---- the list ---- */

async function listPage(main, ctx) {
  put(main, title(t('ex.title')), notice());
  const box = h('div', { id: 'ex-list' });
  put(main, box);
  let r;
  try { r = await get('/exercises'); } catch (e) { put(box, msg(errText(e), 'err')); return; }
  const items = r.exercises || [];
  if (!items.length) put(box, h('p', { cls: 'empty', id: 'ex-none' }, controls(ctx) ? t('ex.none') : t('ex.none.member')));
  else {
    put(box, table([
      [t('ex.col.title'), (x) => link('/exercises/' + enc(x.id), L(x.title))],
      [t('state'), (x) => stateFlag(x.state)],
      [t('ex.col.planned'), (x) => fmtDate(x.planned_for)],
      [t('ex.col.participants'), (x) => t('ex.orgs', { n: x.participants }), 'num'],
      [t('ex.col.clock'), (x) => clockText(x)],
    ], items, (x) => ({ 'data-id': x.id, 'data-state': x.state })));
  }
  if (controls(ctx)) put(main, createForm(ctx));
}

function createForm(ctx) {
  const tja = h('input', { type: 'text', id: 'ex-title-ja', maxlength: 200, required: true });
  const ten = h('input', { type: 'text', id: 'ex-title-en', maxlength: 200, required: true });
  const planned = h('input', { type: 'date', id: 'ex-planned' });
  const file = h('input', { type: 'file', id: 'ex-scenario-file', accept: '.json,application/json' });
  const text = h('textarea', { id: 'ex-scenario', rows: 8, spellcheck: 'false' });
  const chosen = h('p', { cls: 'hint', id: 'ex-scenario-chosen', 'aria-live': 'polite' });
  const sectors = h('input', { type: 'text', id: 'ex-sectors', autocomplete: 'off' });
  const orgs = h('input', { type: 'text', id: 'ex-orgs', autocomplete: 'off' });
  const bja = h('textarea', { id: 'ex-briefing-ja', rows: 3, maxlength: 20000 });
  const ben = h('textarea', { id: 'ex-briefing-en', rows: 3, maxlength: 20000 });
  const out = h('div', { id: 'ex-create-out', 'aria-live': 'polite' });
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    if (f.size > 1024 * 1024) { chosen.textContent = t('ex.scenario.toolarge'); return; }
    text.value = await f.text();
    chosen.textContent = t('ex.scenario.chosen', { name: f.name });
  });
  const form = h('form', { cls: 'card', id: 'ex-create' },
    h('h2', {}, t('ex.new')),
    field(t('ex.titleja') + t('ex.req'), tja), field(t('ex.titleen') + t('ex.req'), ten),
    field(t('ex.planned'), planned),
    h('fieldset', {}, h('legend', {}, t('ex.scenario') + t('ex.req')),
      field(t('ex.scenario.file'), file, t('ex.scenario.filehint')), chosen,
      field(t('ex.scenario.text'), text, t('ex.scenario.texthint'))),
    h('fieldset', {}, h('legend', {}, t('ex.participants')),
      field(t('ex.sectors'), sectors, t('ex.sectors.hint')),
      field(t('ex.orgids'), orgs, t('ex.orgids.hint'))),
    field(t('ex.briefingja'), bja), field(t('ex.briefingen'), ben),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'ex-create-button' }, t('ex.create'))), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    let scenario;
    try { scenario = JSON.parse(text.value); } catch (err) { put(out, msg(t('ex.scenario.bad'), 'err')); text.focus(); return; }
    if (!scenario || typeof scenario !== 'object' || Array.isArray(scenario)) { put(out, msg(t('ex.scenario.bad'), 'err')); return; }
    const body = { title_ja: tja.value.trim(), title_en: ten.value.trim(), scenario,
      participants: { sectors: comma(sectors.value), orgs: comma(orgs.value) } };
    if (planned.value) body.planned_for = planned.value;
    if (bja.value.trim()) body.briefing_ja = bja.value.trim();
    if (ben.value.trim()) body.briefing_en = ben.value.trim();
    try {
      const x = await post('/exercises', body);
      ctx.say(t('ex.created'), 'ok');
      ctx.go('/exercises/' + enc(x.id));
    } catch (err) { put(out, msg(errText(err), 'err')); }
  });
  return form;
}

/* ---- one exercise ---- */

/* The outcome of an expected action: a mark and a word, coloured (never
 * the colour alone). */
function outcome(o) {
  return h('span', { cls: 'badge ex-outcome ex-' + o, 'data-outcome': o },
    h('span', { 'aria-hidden': 'true' }, (MARK[o] || '') + ' '), t('ex.outcome.' + o, null, true) || o);
}

/* The board's rows: one per participant and expected action; a
 * participant no inject has reached yet has one row saying so. */
function boardRows(b) {
  const rows = [];
  for (const p of b.participants || []) {
    if (!p.actions.length) rows.push({ p, a: null });
    for (const a of p.actions) rows.push({ p, a });
  }
  return rows;
}

/* An expected action's inject title in the reader's language (the board
 * carries it: participants have no scenario), or '' */
function titleOf(a) {
  const n = a && a.inject_title;
  return n ? (lang() === 'en' ? n.en : n.ja) || '' : '';
}

function boardTable(rows, injectTitle, own) {
  if (!rows.length) return h('p', { cls: 'empty' }, t('ex.board.none'));
  const cols = [];
  if (!own) {
    cols.push([t('org'), (r) => L(r.p.name) || r.p.org]);
    cols.push([t('sector'), (r) => sectorName(r.p.sector)]);
  }
  cols.push(
    [t('ex.col.action'), (r) => (r.a ? [h('strong', {}, actionLabel(r.a.action)), h('br'), h('span', { cls: 'hint' }, titleOf(r.a) || injectTitle(r.a.inject))] : h('span', { cls: 'empty' }, t('ex.board.noaction')))],
    [t('ex.col.outcome'), (r) => (r.a ? outcome(r.a.outcome) : '')],
    [t('ex.col.within'), (r) => (r.a ? t('ex.min', { n: r.a.within_min }) : ''), 'num'],
    [t('ex.col.minutes'), (r) => (r.a ? mins(r.a.minutes) : ''), 'num'],
    [t('ex.col.done'), (r) => (r.a && r.a.done_at ? time(r.a.done_at) : '')]);
  return table(cols, rows, (r) => ({ 'data-org': r.p.org, 'data-action': r.a ? r.a.id : '', 'data-outcome': r.a ? r.a.outcome : '' }));
}

function totalsTiles(tot) {
  return h('div', { cls: 'tiles', id: 'ex-totals' },
    ['asked'].concat(OUTCOMES).map((k) => h('div', { cls: 'tile' + (k === 'asked' ? '' : ' ex-tile ex-' + k), 'data-key': k },
      h('span', { cls: 'n', id: 'ex-total-' + k }, String(tot[k] || 0)), k === 'asked' ? t('ex.total.asked') : t('ex.outcome.' + k))));
}

async function detailPage(main, ctx, id) {
  const x = await get('/exercises/' + enc(id)); // 404: the router says "not found"
  put(main, title(t('ex.one', { title: L(x.title) }), t('ex.one.page')), notice());
  const clockEl = h('span', { id: 'ex-clock' }, clockText(x));
  const stateEl = h('span', { id: 'ex-state' }, stateFlag(x.state));
  put(main, h('p', { cls: 'meta' }, stateEl, ' ', clockEl,
    x.planned_for ? [' · ', t('ex.planned') + t('ex.colon') + fmtDate(x.planned_for)] : null,
    ' · ', t('ex.orgs', { n: x.participants }),
    x.scenario_id ? [' · ', t('ex.scenario') + t('ex.colon'), h('span', { cls: 'id' }, x.scenario_id)] : null));
  const acts = x.state === 'running' && (x.controller || x.me);
  put(main, h('p', { cls: 'actions' },
    acts ? h('a', { cls: 'button', id: 'ex-act', href: '/x/' + enc(x.id) + '/' }, t('ex.act')) : null,
    link('/exercises/' + enc(x.id) + '/debrief', t('ex.debrief')),
    link('/exercises', t('ex.back'))));
  if (acts) put(main, h('p', { cls: 'hint' }, t('ex.act.hint')));
  const brief = L(x.briefing);
  if (brief) put(main, h('h2', {}, t('ex.briefing')), h('div', { cls: 'card body', id: 'ex-briefing' }, brief));

  const injects = (x.scenario && x.scenario.injects) || [];
  const injectTitle = (iid) => {
    const i = injects.find((j) => j.id === iid);
    return i ? (lang() === 'en' ? i.title_en : i.title_ja) || iid : iid;
  };
  // the board: the totals, (controllers) filters by outcome and sector
  // kept across refreshes, the table
  const tilesBox = h('div', {}), tableBox = h('div', {}), countEl = h('p', { cls: 'meta', id: 'ex-board-count' });
  const hintEl = h('p', { cls: 'hint' });
  const fOutcome = select('outcome', [['', t('ex.filter.all')]].concat(OUTCOMES.map((o) => [o, t('ex.outcome.' + o)])), '', { id: 'ex-filter-outcome' });
  const sectorIds = [...new Set((x.participant_list || []).map((p) => p.sector).filter(Boolean))];
  const fSector = select('sector', [['', t('ex.filter.allsectors')]].concat(sectorIds.map((k) => [k, sectorName(k)])), '', { id: 'ex-filter-sector' });
  const filters = x.controller ? h('form', { cls: 'card filters', id: 'ex-board-filters', role: 'search', 'aria-label': t('ex.filter') },
    field(t('ex.col.outcome'), fOutcome), sectorIds.length > 1 ? field(t('sector'), fSector) : null) : null;
  const boardBox = h('div', { id: 'ex-board', 'data-ready': '0' }, tilesBox, filters, countEl, tableBox, hintEl);
  let lastBoard = null;
  function paintBoard() {
    const b = lastBoard;
    if (!b) return;
    const all = boardRows(b);
    const rows = all.filter((r) => (!fOutcome.value || (r.a && r.a.outcome === fOutcome.value)) && (!fSector.value || r.p.sector === fSector.value));
    put(clear(tilesBox), b.totals ? totalsTiles(b.totals) : null);
    countEl.textContent = filters && all.length ? t('ex.board.count', { n: rows.length, m: all.length }) : '';
    put(clear(tableBox), boardTable(rows, injectTitle, !x.controller));
    hintEl.textContent = b.state === 'running' ? t('ex.board.refresh', { s: REFRESH_MS / 1000 }) : t('ex.board.final');
    boardBox.setAttribute('data-ready', '1');
  }
  fOutcome.addEventListener('change', paintBoard);
  fSector.addEventListener('change', paintBoard);
  if (filters) filters.addEventListener('submit', (e) => e.preventDefault());
  let fired = new Set();
  let fireSelect = null, fireChosen = false;
  async function drawBoard() {
    let b;
    try { b = await get('/exercises/' + enc(id) + '/board'); } catch (e) { put(clear(tableBox), msg(errText(e), 'err')); return null; }
    fired = new Set();
    for (const p of b.participants || []) for (const r of p.reached || []) fired.add(r);
    if (fireSelect) {
      for (const o of fireSelect.options) o.textContent = injectOption(o.value);
      // first offered: the next inject not fired yet
      const next = !fireChosen && injects.find((i) => !fired.has(i.id));
      if (next) fireSelect.value = next.id;
      fireChosen = true;
    }
    lastBoard = b;
    paintBoard();
    return b;
  }
  const injectOption = (iid) => {
    const i = injects.find((j) => j.id === iid);
    return t('ex.inject.option', { min: i ? i.at_min : '?', title: injectTitle(iid) }) + (fired.has(iid) ? t('ex.inject.fired') : '');
  };

  if (x.controller) {
    put(main, h('h2', {}, t('ex.console')), consoleCard(ctx, x, injects, (s) => { fireSelect = s; }, injectOption));
    if (x.state === 'running' || x.state === 'ended') put(main, h('h2', { id: 'ex-board-h' }, t('ex.board')), boardBox);
    put(main, h('h2', {}, t('ex.participants')), participantsCard(ctx, x));
    if (x.state === 'running' || x.state === 'ended') put(main, notesCard(x));
  }
  if (x.me) {
    put(main, h('h2', {}, t('ex.mine')), h('div', { cls: 'card', id: 'ex-mine' }, dl([
      [t('org'), L(x.me.name) || x.me.org],
      [t('ex.venue'), x.me.venue || '—'],
      [t('ex.theme'), L(x.me.theme) || '—'],
    ])));
    put(main, checklistForm(x));
    if (x.state === 'running') put(main, bcpCard(x));
    if (x.state === 'running' || x.state === 'ended') {
      put(main, questionnaireForm(x));
      if (!x.controller) put(main, h('h2', { id: 'ex-board-h' }, t('ex.board.own')), boardBox);
    }
  }
  if (!x.controller && !x.me) put(main, msg(t('ex.observer')));
  if (!boardBox.isConnected) return null;
  await drawBoard();
  if (x.state !== 'running') return null;
  // while it runs: the board and the clock again every few seconds,
  // until the page is left (the router calls the function returned)
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const b = await drawBoard();
      if (b && b.clock) {
        const now = Object.assign({}, x, { state: b.state, clock: b.clock });
        clockEl.textContent = clockText(now);
        if (b.state !== x.state) { put(clear(stateEl), stateFlag(b.state)); x.state = b.state; }
        if (b.state !== 'running') clearInterval(timer);
      }
    } finally { busy = false; }
  }, REFRESH_MS);
  return () => clearInterval(timer);
}

/* The controllers' console: the buttons the exercise's state allows. */
function consoleCard(ctx, x, injects, keepSelect, injectOption) {
  const out = h('div', { id: 'ex-console-out', 'aria-live': 'polite' });
  const card = h('div', { cls: 'card', id: 'ex-console' });
  const control = async (body, done, btn) => {
    clear(out);
    if (btn) btn.disabled = true;
    try {
      await post('/exercises/' + enc(x.id) + '/control', body);
      ctx.say(done, 'ok');
      ctx.reload();
    } catch (err) { if (btn) btn.disabled = false; put(out, msg(errText(err), 'err')); }
  };
  const button = (id, text, fn, cls) => h('button', { type: 'button', id, cls: cls || null, on: { click: (e) => fn(e.currentTarget) } }, text);
  if (x.state === 'planning' || x.state === 'briefing') {
    const paused = h('input', { type: 'checkbox', id: 'ex-start-paused' });
    const scale = h('input', { type: 'number', id: 'ex-scale', min: 1, max: 3600, value: String((x.clock && x.clock.scale) || 1), inputmode: 'numeric' });
    put(card,
      h('p', {}, t('ex.console.before')),
      x.state === 'planning' ? h('div', { cls: 'actions' }, button('ex-brief', t('ex.do.brief'), (b) => control({ action: 'brief' }, t('ex.done.brief'), b), 'secondary'),
        h('span', { cls: 'hint' }, t('ex.do.brief.hint'))) : null,
      h('div', { cls: 'row' }, h('label', { cls: 'inline' }, paused, t('ex.start.paused'))),
      field(t('ex.scale'), scale, t('ex.scale.hint')),
      h('div', { cls: 'actions' }, button('ex-start', t('ex.do.start'), (b) => {
        const n = Number(scale.value);
        if (!Number.isInteger(n) || n < 1 || n > 3600) { put(clear(out), msg(t('ex.scale.bad'), 'err')); scale.focus(); return; }
        control({ action: 'start', paused: paused.checked, scale: n }, t('ex.done.start'), b);
      })), out);
    return card;
  }
  if (x.state === 'ended') {
    put(card, h('p', {}, t('ex.console.ended')), h('p', {}, link('/exercises/' + enc(x.id) + '/debrief', t('ex.debrief'))));
    return card;
  }
  // running
  const paused = x.clock && x.clock.paused;
  const shiftN = h('input', { type: 'number', id: 'ex-shift-min', min: 1, max: 1440, value: '5', inputmode: 'numeric' });
  const advN = h('input', { type: 'number', id: 'ex-advance-min', min: 1, max: 1440, value: '10', inputmode: 'numeric' });
  const minutes = (inp) => {
    const n = Number(inp.value);
    if (!Number.isInteger(n) || n < 1 || n > 1440) { put(clear(out), msg(t('ex.minutes.bad'), 'err')); inp.focus(); return null; }
    return n;
  };
  const fire = select('inject', injects.map((i) => [i.id, injectOption(i.id)]), '', { id: 'ex-inject' });
  keepSelect(fire);
  put(card,
    h('p', { id: 'ex-console-state' }, paused ? t('ex.console.paused') : t('ex.console.running')),
    h('div', { cls: 'actions' },
      paused ? button('ex-resume', t('ex.do.resume'), (b) => control({ action: 'resume' }, t('ex.done.resume'), b))
        : button('ex-pause', t('ex.do.pause'), (b) => control({ action: 'pause' }, t('ex.done.pause'), b))),
    h('div', { cls: 'grid' }, h('fieldset', {}, h('legend', {}, t('ex.shift')),
      field(t('ex.minutes'), shiftN, t('ex.shift.hint')),
      h('div', { cls: 'actions' },
        button('ex-shift-later', t('ex.do.later'), (b) => { const n = minutes(shiftN); if (n) control({ action: 'shift', minutes: n }, t('ex.done.shift'), b); }, 'secondary'),
        button('ex-shift-earlier', t('ex.do.earlier'), (b) => { const n = minutes(shiftN); if (n) control({ action: 'shift', minutes: -n }, t('ex.done.shift'), b); }, 'secondary'))),
    h('fieldset', {}, h('legend', {}, t('ex.advance')),
      field(t('ex.minutes'), advN, t('ex.advance.hint')),
      h('div', { cls: 'actions' }, button('ex-advance', t('ex.do.advance'), (b) => { const n = minutes(advN); if (n) control({ action: 'advance', minutes: n }, t('ex.done.advance', { n }), b); }))),
    injects.length ? h('fieldset', {}, h('legend', {}, t('ex.fire')),
      field(t('ex.inject'), fire, t('ex.fire.hint')),
      h('div', { cls: 'actions' }, button('ex-fire', t('ex.do.fire'), (b) => control({ action: 'fire', inject: fire.value }, t('ex.done.fire'), b)))) : null),
    h('div', { cls: 'actions' }, button('ex-end', t('ex.do.end'), (b) => control({ action: 'end' }, t('ex.done.end'), b), 'danger'),
      h('span', { cls: 'hint' }, t('ex.do.end.hint'))),
    out);
  return card;
}

/* The participants: their venue and theme (editable), their pre-check;
 * while planning, adding and removing. */
function participantsCard(ctx, x) {
  const list = x.participant_list || [];
  const box = h('div', { id: 'ex-participants' });
  const early = x.state === 'planning' || x.state === 'briefing';
  const out = h('div', { 'aria-live': 'polite', id: 'ex-participants-out' });
  const done = (p) => CHECKLIST.filter((k) => p.checklist && p.checklist[k]).length;
  if (!list.length) put(box, h('p', { cls: 'empty' }, t('ex.participants.none')));
  else {
    put(box, table([
      [t('org'), (p) => [L(p.name) || p.org, h('br'), h('span', { cls: 'id' }, p.org)]],
      [t('sector'), (p) => sectorName(p.sector)],
      [t('ex.venue'), (p) => p.venue || '—'],
      [t('ex.theme'), (p) => L(p.theme) || '—'],
      [t('ex.checklist.short'), (p) => t('ex.checklist.count', { n: done(p), m: CHECKLIST.length }), 'num'],
      early ? ['', (p) => h('button', { type: 'button', cls: 'secondary small', 'aria-label': t('ex.remove.label', { org: L(p.name) || p.org }), on: { click: async (e) => {
        e.currentTarget.disabled = true;
        try { await api('DELETE', '/exercises/' + enc(x.id) + '/participants/' + enc(p.org)); ctx.say(t('ex.removed', { org: L(p.name) || p.org }), 'ok'); ctx.reload(); } catch (err) { put(clear(out), msg(errText(err), 'err')); }
      } } }, t('ex.remove')), '', t('ex.remove')] : null,
    ].filter(Boolean), list, (p) => ({ 'data-org': p.org })));
  }
  put(box, out);
  if (early) {
    const sectors = h('input', { type: 'text', id: 'ex-add-sectors', autocomplete: 'off' });
    const orgs = h('input', { type: 'text', id: 'ex-add-orgs', autocomplete: 'off' });
    const aout = h('div', { 'aria-live': 'polite' });
    const add = h('form', { cls: 'card', id: 'ex-add' }, h('h3', {}, t('ex.add')),
      field(t('ex.sectors'), sectors, t('ex.sectors.hint')), field(t('ex.orgids'), orgs, t('ex.orgids.hint')),
      h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'ex-add-button' }, t('ex.add.button'))), aout);
    add.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const r = await post('/exercises/' + enc(x.id) + '/participants', { sectors: comma(sectors.value), orgs: comma(orgs.value) });
        ctx.say(t('ex.added', { n: r.participants }), 'ok');
        ctx.reload();
      } catch (err) { put(clear(aout), msg(errText(err), 'err')); }
    });
    put(box, add);
  }
  if (list.length) {
    // the venue and theme of one participant at a time
    const who = select('org', list.map((p) => [p.org, L(p.name) || p.org]), list[0].org, { id: 'ex-edit-org' });
    const venue = h('input', { type: 'text', id: 'ex-edit-venue', maxlength: 200 });
    const tja = h('input', { type: 'text', id: 'ex-edit-theme-ja', maxlength: 1000 });
    const ten = h('input', { type: 'text', id: 'ex-edit-theme-en', maxlength: 1000 });
    const fill = () => {
      const p = list.find((q) => q.org === who.value) || {};
      venue.value = p.venue || ''; tja.value = (p.theme && p.theme.ja) || ''; ten.value = (p.theme && p.theme.en) || '';
    };
    who.addEventListener('change', fill);
    fill();
    const eout = h('div', { 'aria-live': 'polite', id: 'ex-edit-out' });
    const edit = h('form', { cls: 'card', id: 'ex-edit' }, h('h3', {}, t('ex.edit')),
      field(t('org'), who), field(t('ex.venue'), venue, t('ex.venue.hint')),
      field(t('ex.themeja'), tja), field(t('ex.themeen'), ten),
      h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'ex-edit-button' }, t('save'))), eout);
    edit.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const p = await apiPut('/exercises/' + enc(x.id) + '/participants/' + enc(who.value), { venue: venue.value.trim(), theme_ja: tja.value.trim(), theme_en: ten.value.trim() });
        ctx.say(t('ex.edited', { org: L(p.name) || p.org }), 'ok');
        ctx.reload();
      } catch (err) { put(clear(eout), msg(errText(err), 'err')); }
    });
    put(box, edit);
  }
  return box;
}

/* The controllers' discussion notes, per group of the scenario. */
function notesCard(x) {
  const groups = Object.entries((x.scenario && x.scenario.groups) || {});
  const group = groups.length ? select('group', groups.map(([k, g]) => [k, (lang() === 'en' ? g.name_en : g.name_ja) || k]), groups[0][0], { id: 'ex-note-group' })
    : h('input', { type: 'text', id: 'ex-note-group', maxlength: 60 });
  const text = h('textarea', { id: 'ex-note-text', rows: 3, maxlength: 4000 });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { cls: 'card', id: 'ex-note' }, h('h2', {}, t('ex.note')),
    field(t('ex.note.group'), group), field(t('ex.note.text'), text),
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('ex.note.button'))), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    if (!text.value.trim()) { put(out, msg(t('ex.note.empty'), 'err')); return; }
    try {
      await post('/exercises/' + enc(x.id) + '/notes', { group: group.value.trim(), text: text.value.trim() });
      text.value = '';
      put(out, msg(t('ex.note.saved'), 'ok'));
    } catch (err) { put(out, msg(errText(err), 'err')); }
  });
  return form;
}

/* The rules pre-check: five points each participant confirms. */
function checklistForm(x) {
  const had = (x.me && x.me.checklist) || {};
  const boxes = CHECKLIST.map((k) => h('div', { cls: 'row' }, h('label', { cls: 'inline' },
    h('input', { type: 'checkbox', id: 'ex-check-' + k, name: k, checked: !!had[k] }), t('ex.check.' + k))));
  const out = h('div', { 'aria-live': 'polite', id: 'ex-checklist-out' });
  const form = h('form', { cls: 'card', id: 'ex-checklist' }, h('h2', {}, t('ex.checklist')),
    h('p', { cls: 'hint' }, t('ex.checklist.hint')),
    h('fieldset', {}, h('legend', {}, t('ex.checklist.legend')), boxes),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'ex-checklist-save' }, t('ex.checklist.save'))), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    const items = {};
    for (const k of CHECKLIST) items[k] = form.querySelector('#ex-check-' + k).checked;
    try {
      const p = await apiPut('/exercises/' + enc(x.id) + '/checklist', { items });
      const n = CHECKLIST.filter((k) => p.checklist && p.checklist[k]).length;
      put(out, msg(t('ex.checklist.saved', { n, m: CHECKLIST.length }), 'ok'));
    } catch (err) { put(out, msg(errText(err), 'err')); }
  });
  return form;
}

/* Declaring the activation of the IT-BCP (an expected action of some
 * injects), while the exercise runs. */
function bcpCard(x) {
  const note = h('textarea', { id: 'ex-bcp-note', rows: 2, maxlength: 2000 });
  const out = h('div', { 'aria-live': 'polite', id: 'ex-bcp-out' });
  const form = h('form', { cls: 'card', id: 'ex-bcp' }, h('h2', {}, t('ex.bcp')),
    h('p', { cls: 'hint' }, t('ex.bcp.hint')), field(t('ex.bcp.note'), note),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'ex-bcp-button', cls: 'danger' }, t('ex.bcp.button'))), out);
  const done = x.me && x.me.bcp_declared_at;
  if (done) put(out, h('p', { cls: 'meta' }, t('ex.bcp.at'), ' ', time(done)));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    try {
      const r = await post('/exercises/' + enc(x.id) + '/bcp', { note: note.value.trim() });
      put(out, msg(t('ex.bcp.done', { at: '' }).trim(), 'ok'), h('p', { cls: 'meta' }, t('ex.bcp.at'), ' ', time(r.declared_at)));
    } catch (err) { put(out, msg(errText(err), 'err')); }
  });
  return form;
}

/* The debrief questionnaire: the gaps found in the internal rules
 * (required), what went well, what to improve, a rating. */
function questionnaireForm(x) {
  const gaps = h('textarea', { id: 'ex-q-gaps', rows: 4, maxlength: 4000, required: true });
  const well = h('textarea', { id: 'ex-q-well', rows: 3, maxlength: 4000 });
  const improve = h('textarea', { id: 'ex-q-improve', rows: 3, maxlength: 4000 });
  const ratings = [1, 2, 3, 4, 5].map((n) => h('label', { cls: 'inline' },
    h('input', { type: 'radio', name: 'rating', value: String(n), id: 'ex-q-rating-' + n }), t('ex.q.rating.' + n)));
  const out = h('div', { 'aria-live': 'polite', id: 'ex-q-out' });
  const form = h('form', { cls: 'card', id: 'ex-questionnaire' }, h('h2', {}, t('ex.q')),
    h('p', { cls: 'hint' }, t('ex.q.hint')),
    field(t('ex.q.gaps') + t('ex.req'), gaps, t('ex.q.gaps.hint')),
    field(t('ex.q.well'), well), field(t('ex.q.improve'), improve),
    h('fieldset', {}, h('legend', {}, t('ex.q.rating')), ratings),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'ex-q-submit' }, t('ex.q.submit'))), out);
  const given = x.me && x.me.questionnaire;
  if (given) {
    const a = given.answers || {};
    gaps.value = a.gaps || '';
    well.value = a.went_well || '';
    improve.value = a.improve || '';
    const r = form.querySelector('#ex-q-rating-' + a.rating);
    if (r) r.checked = true;
    put(out, h('p', { cls: 'meta' }, t('ex.q.at'), ' ', time(given.submitted_at)));
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    if (!gaps.value.trim()) { gaps.setAttribute('aria-invalid', 'true'); put(out, msg(t('ex.q.gaps.missing'), 'err')); gaps.focus(); return; }
    gaps.removeAttribute('aria-invalid');
    const body = { gaps: gaps.value.trim(), went_well: well.value.trim(), improve: improve.value.trim() };
    const r = form.querySelector('input[name=rating]:checked');
    if (r) body.rating = Number(r.value);
    try {
      const a = await apiPut('/exercises/' + enc(x.id) + '/questionnaire', body);
      put(out, msg(t('ex.q.saved'), 'ok'), h('p', { cls: 'meta' }, t('ex.q.at'), ' ', time(a.submitted_at)));
    } catch (err) { put(out, msg(errText(err), 'err')); }
  });
  return form;
}

/* ---- the debrief ---- */

function tallyCols(first) {
  const v = (k, f) => (r) => (r.hidden ? (k === 'participants' ? t('ex.hidden') : '') : f(r[k]));
  return [first,
    [t('ex.col.participants'), v('participants', String), 'num'],
    [t('ex.total.asked'), v('asked', String), 'num'],
    [t('ex.outcome.on_time'), v('on_time', String), 'num'],
    [t('ex.outcome.late'), v('late', String), 'num'],
    [t('ex.outcome.missed'), v('missed', String), 'num'],
    [t('ex.outcome.pending'), v('pending', String), 'num'],
    [t('ex.rate'), v('on_time_rate', pct), 'num'],
    [t('ex.median'), v('median_minutes', mins), 'num']];
}

async function debriefPage(main, ctx, id) {
  const base = '/api/v1/exercises/' + enc(id) + '/debrief';
  let d;
  try { d = await get('/exercises/' + enc(id) + '/debrief?format=json'); } catch (e) {
    put(main, title(t('ex.debrief.page')), notice(), msg(errText(e), 'err'));
    return;
  }
  const x = d.exercise;
  // what each expected action is (from the board rows) and, for the
  // controllers, the injects' titles (from the scenario)
  let injects = [];
  try { injects = ((await get('/exercises/' + enc(id))).scenario || {}).injects || []; } catch (e) { injects = []; }
  const expected = new Map();
  for (const p of d.participants || []) for (const a of p.actions || []) expected.set(a.id, a);
  const injectTitle = (iid) => {
    const i = injects.find((j) => j.id === iid);
    return i ? (lang() === 'en' ? i.title_en : i.title_ja) || iid : iid;
  };
  const actionCell = (aid) => {
    const a = expected.get(aid);
    return a ? [h('strong', {}, actionLabel(a.action)), h('br'), h('span', { cls: 'hint' }, titleOf(a) || injectTitle(a.inject))] : h('span', { cls: 'id' }, aid);
  };
  put(main, title(t('ex.debrief.title', { title: L(x.title) }), t('ex.debrief.page')), notice());
  put(main, h('p', { cls: 'meta' }, stateFlag(x.state), ' ', t('ex.started'), ' ', time(x.started_at), ' · ', t('ex.ended'), ' ', time(x.ended_at),
    x.report_state ? [' · ', t('ex.report.' + x.report_state, null, true) || x.report_state] : null));
  put(main, h('p', { cls: 'actions' }, link('/exercises/' + enc(id), t('ex.back.one'))));
  put(main, h('h2', {}, t('ex.formats')), h('ul', { id: 'ex-formats' },
    h('li', {}, h('a', { href: base + '?format=html&view=summary', target: '_blank', rel: 'noopener', id: 'ex-summary-link' }, t('ex.fmt.summary'))),
    h('li', {}, h('a', { href: base + '?format=html', target: '_blank', rel: 'noopener', id: 'ex-html-link' }, t('ex.fmt.html'))),
    h('li', {}, h('a', { href: base + '?format=csv', download: 'exercise-' + id + '.csv', id: 'ex-csv-link' }, t('ex.fmt.csv'))),
    h('li', {}, h('a', { href: base + '?format=json', download: 'exercise-' + id + '.json', id: 'ex-json-link' }, t('ex.fmt.json')))));
  if (d.report && L(d.report)) put(main, h('h2', {}, t('ex.report')), h('div', { cls: 'card body' }, L(d.report)));
  const tot = d.totals || {};
  // before the end a participant sees no group's figures (docs/rules.md)
  const hiddenNote = () => h('p', { cls: 'hint' },
    t(d.exercise && d.exercise.state !== 'ended' ? 'ex.hidden.live' : 'ex.hidden.note'));
  put(main, h('h2', {}, t('ex.totals')));
  if (tot.hidden) put(main, hiddenNote());
  else {
    put(main, h('div', { cls: 'tiles', id: 'ex-debrief-totals' },
      h('div', { cls: 'tile' }, h('span', { cls: 'n' }, String(tot.participants || 0)), t('ex.col.participants')),
      h('div', { cls: 'tile' }, h('span', { cls: 'n' }, String(tot.asked || 0)), t('ex.total.asked')),
      OUTCOMES.map((k) => h('div', { cls: 'tile ex-tile ex-' + k }, h('span', { cls: 'n', id: 'ex-debrief-' + k }, String(tot[k] || 0)), t('ex.outcome.' + k))),
      h('div', { cls: 'tile' }, h('span', { cls: 'n' }, pct(tot.on_time_rate)), t('ex.rate')),
      h('div', { cls: 'tile' }, h('span', { cls: 'n' }, mins(tot.median_minutes)), t('ex.median'))));
  }
  put(main, h('h2', {}, t('ex.bysector')));
  put(main, (d.sectors || []).length ? table(tallyCols([t('sector'), (r) => sectorName(r.sector)]), d.sectors, (r) => ({ 'data-sector': r.sector })) : h('p', { cls: 'empty' }, t('none')));
  if (d.sectors && d.sectors.some((s) => s.hidden)) put(main, hiddenNote());
  put(main, h('h2', {}, t('ex.byaction')));
  put(main, (d.actions || []).length ? table(tallyCols([t('ex.col.action'), (r) => actionCell(r.action)]), d.actions, (r) => ({ 'data-action': r.action })) : h('p', { cls: 'empty' }, t('none')));
  if ((d.drills || []).length) {
    put(main, h('h2', {}, t('ex.drills')), table(tallyCols([t('ex.inject'), (r) => injectTitle(r.inject)]), d.drills));
  }
  put(main, h('h2', {}, t('ex.q.results')));
  const qs = d.questionnaire || [];
  const names = new Map((d.participants || []).map((p) => [p.org, L(p.name) || p.org]));
  put(main, qs.length ? h('ul', { cls: 'ex-answers', id: 'ex-answers' }, qs.map((q) => h('li', { cls: 'card', 'data-org': q.org },
    h('p', { cls: 'meta' }, h('strong', {}, names.get(q.org) || q.org), ' ', time(q.submitted_at),
      q.answers.rating ? [' · ', t('ex.q.rating') + t('ex.colon') + t('ex.q.rating.' + q.answers.rating, null, true)] : null),
    dl([[t('ex.q.gaps'), h('span', { cls: 'body' }, q.answers.gaps || '—')],
      q.answers.went_well ? [t('ex.q.well'), h('span', { cls: 'body' }, q.answers.went_well)] : null,
      q.answers.improve ? [t('ex.q.improve'), h('span', { cls: 'body' }, q.answers.improve)] : null]))))
    : h('p', { cls: 'empty' }, t('ex.q.none')));
  if ((d.notes || []).length) {
    put(main, h('h2', {}, t('ex.notes')), h('ul', { id: 'ex-notes' }, d.notes.map((n) => h('li', {}, h('strong', {}, n.group), ': ', n.text, ' ', time(n.at)))));
  }
  put(main, h('h2', {}, t('ex.comparison')));
  const cmp = d.comparison || [];
  put(main, cmp.length ? table([
    [t('ex.col.title'), (c) => link('/exercises/' + enc(c.id) + '/debrief', L(c.title))],
    [t('ex.ended'), (c) => time(c.ended_at)],
    [t('ex.col.participants'), (c) => (c.totals.hidden ? t('ex.hidden') : String(c.totals.participants)), 'num'],
    [t('ex.rate'), (c) => (c.totals.hidden ? '—' : pct(c.totals.on_time_rate)), 'num'],
    [t('ex.median'), (c) => (c.totals.hidden ? '—' : mins(c.totals.median_minutes)), 'num'],
    [t('ex.thisone'), () => (tot.hidden ? '—' : pct(tot.on_time_rate)), 'num'],
  ], cmp, (c) => ({ 'data-id': c.id })) : h('p', { cls: 'empty' }, t('ex.comparison.none')));
}

