// app.js - the shell: session, language, navigation by role, the router.
// Pages are modules loaded on demand (page-*.js); each renders into its own
// element inside <main> and may return a function that stops its timers
// when the page changes.
import { t, lang, setLang, L, fmtTime } from './i18n.js';
import { get, post, del, setCsrf, onUnauthenticated, exerciseId } from './api.js';
import { h, clear, msg, errText, put } from './dom.js';
import { userName, timeNote, loadNames, orgName } from './names.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const langBtn = document.getElementById('lang');
const status = document.getElementById('status');
let keepStatus = false;

const ctx = {
  me: null,            // user from GET /api/v1/session
  org: null,           // the user's organisation (GET /api/v1/orgs/{id})
  roles: new Set(),
  has(...r) { return r.some((x) => this.roles.has(x)); },
  kind() { return this.me ? this.me.org_kind : null; },
  go(path) { if (location.hash === '#' + path) route(); else { keepStatus = true; location.hash = path; } },
  say(text, kind) { clear(status); if (text) status.appendChild(msg(text, kind)); },
  reload() { route(); },
  _sectors: null,
  _names: new Map(),
  async sectors() {
    if (!this._sectors) {
      this._sectors = (await get('/sectors')).items;
      for (const s of this._sectors) {
        if (s.ministry) this._names.set(s.ministry.id, s.ministry.name);
        for (const sc of s.scopes) if (sc.ceptoar) this._names.set(sc.ceptoar.id, sc.ceptoar.name);
      }
    }
    return this._sectors;
  },
  /* Whether the API lets us see an advisory's delivery status and
   * roll-call answers (GET .../deliveries, .../answers): its author's
   * organisation, NISC, and the ministries and secretariats that are hops
   * of its chain; anyone else is refused (403/404), so pages do not ask. */
  tracks(a) {
    if (!this.me || !a) return false;
    const k = this.kind();
    if (k === 'nisc' || a.author === this.me.org) return true;
    return (k === 'ministry' || k === 'ceptoar') && (a.chain || []).some((c) => c.org === this.me.org);
  },
  /* A national body's name (ministries, CEPTOARs, NISC, one's own
   * organisation) from what the UI already has; otherwise the id. */
  orgLabel(id) {
    if (!id) return '—';
    if (id === 'nisc') return t('org.nisc');
    if (this.org && this.org.id === id) return L(this.org.name);
    const n = this._names.get(id);
    return n ? L(n) : orgName(id); // names.js: councils, agencies, ...
  },
};

/* Routes: pattern -> [module, export, title key] */
const ROUTES = [
  [/^\/?$/, 'page-home.js', 'home'],
  [/^\/login$/, 'page-login.js', 'login'],
  [/^\/report\/new$/, 'page-report-new.js', 'newReport'],
  [/^\/reports$/, 'page-reports.js', 'reports'],
  [/^\/reports\/([A-Za-z0-9_-]+)$/, 'page-report.js', 'report'],
  [/^\/inbox$/, 'page-advisories.js', 'inbox'],
  [/^\/advisories$/, 'page-advisories.js', 'advisories'],
  [/^\/advisories\/new$/, 'page-advisory-new.js', 'issue'],
  [/^\/advisories\/([A-Za-z0-9_-]+)$/, 'page-advisory.js', 'advisory'],
  [/^\/events$/, 'page-events.js', 'events'],
  [/^\/events\/([A-Za-z0-9_-]+)$/, 'page-events.js', 'event'],
  [/^\/drills$/, 'page-drills.js', 'drills'],
  [/^\/drills\/([A-Za-z0-9_-]+)$/, 'page-drills.js', 'drill'],
  [/^\/org$/, 'page-org.js', 'org'],
  [/^\/audit$/, 'page-audit.js', 'audit'],
  [/^\/alerts$/, 'page-alerts.js', 'alerts'],
  [/^\/declarations$/, 'page-declarations.js', 'declarations'],
  [/^\/declarations\/([A-Za-z0-9_-]+)$/, 'page-declarations.js', 'declaration'],
  // issue 12: ui (website response observation)
  [/^\/sites$/, 'page-sites.js', 'sites'],
  [/^\/sites\/new$/, 'page-sites.js', 'siteNew'],
  [/^\/sites\/([0-9]+)$/, 'page-sites.js', 'site'],
  [/^\/obs$/, 'page-obs.js', 'obs'],
  [/^\/obs\/alerts$/, 'page-obs.js', 'obsAlerts'],
  // issue 13: C4TAP
  [/^\/c4tap$/, 'page-c4tap.js', 'c4tap'],
  [/^\/c4tap\/campaigns$/, 'page-c4tap.js', 'c4tapCampaigns'],
  [/^\/c4tap\/campaigns\/([0-9]+)$/, 'page-c4tap.js', 'c4tapCampaign'],
  [/^\/c4tap\/s\/([0-9]+)$/, 'page-c4tap.js', 'c4tapSub'],
  [/^\/c4tap\/admin$/, 'page-c4tap.js', 'c4tapAdmin'],
  // issue 14: cross-sector exercises
  [/^\/exercises$/, 'page-exercise.js', 'exercises'],
  [/^\/exercises\/([A-Za-z0-9]+)$/, 'page-exercise.js', 'exercise'],
  [/^\/exercises\/([A-Za-z0-9]+)\/debrief$/, 'page-exercise.js', 'exerciseDebrief'],
  // issue 15: the interdependency model
  [/^\/dependencies$/, 'page-dependencies.js', 'dependencies'],
  // issue 15: the annual safety-standards survey and CP/BCP readiness
  [/^\/surveys$/, 'page-surveys.js', 'surveys'],
  [/^\/surveys\/([A-Za-z0-9_-]+)$/, 'page-surveys.js', 'survey'],
  [/^\/bcp$/, 'page-surveys.js', 'bcp'],
  // issue 15: the risk register
  [/^\/risks$/, 'page-risks.js', 'risks'],
  [/^\/risks\/new$/, 'page-risks.js', 'riskNew'],
  [/^\/risks\/scale$/, 'page-risks.js', 'riskScale'],
  [/^\/risks\/([0-9]+)$/, 'page-risks.js', 'risk'],
  // issue 16: TAXII peers (hub admins)
  [/^\/taxii$/, 'page-taxii.js', 'taxii'],
  [/^\/taxii\/([A-Za-z0-9_-]+)$/, 'page-taxii.js', 'taxiiPeer'],
];

/* The exercise context (issue 14, api.js): under /x/{id}/ the menu offers
 * the pages that act in the exercise only (reports, advisories, events);
 * the rest of the hub is reached from the real hub (the banner's link). */
const IN_EXERCISE = new Set(['/', '/report/new', '/reports', '/inbox', '/advisories', '/advisories/new', '/events']);

function navItems() {
  const k = ctx.kind();
  const items = [['/', 'nav.home']];
  if (!ctx.me) return [];
  const staff = k === 'nisc' || k === 'ministry';
  if (k === 'operator') {
    if (ctx.has('reporter')) items.push(['/report/new', 'nav.file']);
    items.push(['/reports', 'nav.myreports'], ['/inbox', 'nav.inbox']);
  } else if (k === 'ceptoar') {
    items.push(['/reports', 'nav.routed'], ['/advisories', 'nav.advisories'], ['/drills', 'nav.drills'], ['/inbox', 'nav.inbox']);
  } else if (staff) {
    // events are for analysts only (GET /events answers anyone else 403)
    items.push(['/reports', 'nav.reports'], ['/alerts', 'nav.alerts']);
    if (ctx.has('analyst')) items.push(['/events', 'nav.events']);
    items.push(['/advisories', 'nav.advisories']);
    if (ctx.has('liaison', 'analyst')) items.push(['/advisories/new', 'nav.issue']);
    items.push(['/drills', 'nav.drills']);
  } else {
    items.push(['/reports', 'nav.reports'], ['/advisories', 'nav.advisories'], ['/inbox', 'nav.inbox']);
  }
  items.push(['/org', 'nav.org']);
  if (ctx.has('auditor')) items.push(['/audit', 'nav.audit']);
  if (k === 'nisc') items.push(['/declarations', 'nav.declarations']);
  // issue 12: ui - website response observation: the heat map and alerts
  // for NISC, ministries and secretariats; an operator's own sites
  if (k === 'nisc' || k === 'ministry' || k === 'ceptoar') items.push(['/obs', 'nav.obs']);
  else if (k === 'operator') items.push(['/sites', 'nav.sites']);
  // issue 13: C4TAP (the page tells a user who is no handler so)
  items.push(['/c4tap', 'nav.c4tap']);
  // issue 14: cross-sector exercises (an empty list for one taking no part)
  items.push(['/exercises', 'nav.exercises']);
  // issue 15: the interdependency model, for NISC's and the ministries'
  // analysts and the admins (anyone signed in may read it; NISC's
  // analysts and the admins edit it)
  if ((staff && ctx.has('analyst')) || ctx.has('admin')) items.push(['/dependencies', 'nav.dependencies']);
  // issue 15: the annual safety-standards survey (operators answer,
  // secretariats follow their members, NISC and ministries the sectors;
  // everyone reads the published results) and an operator's CP/BCP
  // readiness
  items.push(['/surveys', 'nav.surveys']);
  if (k === 'operator') items.push(['/bcp', 'nav.bcp']);
  // issue 15: the risk register (operators keep one; secretariats read
  // their members' shared risks)
  if (k === 'operator' || k === 'ceptoar') items.push(['/risks', 'nav.risks']);
  // issue 16: TAXII peers (the API answers hub admins only)
  if (ctx.has('admin')) items.push(['/taxii', 'nav.taxii']);
  if (exerciseId) return items.filter(([p]) => IN_EXERCISE.has(p));
  return items;
}

function chrome() {
  document.documentElement.lang = lang();
  langBtn.textContent = t('switch');
  langBtn.setAttribute('lang', lang() === 'ja' ? 'en' : 'ja');
  langBtn.setAttribute('aria-label', t('switch.label'));
  document.getElementById('skip').textContent = t('skip');
  document.getElementById('publiclink').textContent = t('nav.public');
  document.getElementById('publiclink').setAttribute('href', '/public' + (lang() === 'en' ? '?lang=en' : ''));
  nav.setAttribute('aria-label', t('nav'));
  clear(nav);
  const here = location.hash.replace(/^#/, '') || '/';
  for (const [p, key] of navItems()) {
    const cur = here === p || (p !== '/' && here.startsWith(p + '/') && !(p === '/advisories' && here === '/advisories/new'));
    nav.appendChild(h('a', { href: '#' + p, 'aria-current': cur ? 'page' : null }, t(key)));
  }
  timeNote();
  clear(who);
  if (ctx.me) {
    who.appendChild(h('span', { id: 'whoami' }, t('signedin', { user: userName(ctx.me), org: ctx.org ? L(ctx.org.name) : ctx.me.org })));
    who.appendChild(h('button', { type: 'button', id: 'logout', on: { click: logout } }, t('logout')));
  }
}

/* The mode banner (large-scale outage mode): shown on every page while a
 * declaration is active, read again at each navigation. Signed-in users
 * only: the API gives the mode to registered organisations, never to the
 * public. */
const modeBox = h('div', { id: 'mode', cls: 'mode', role: 'region', hidden: true });
status.parentNode.insertBefore(modeBox, status);

/* The exercise banner (issue 14): on every page of the exercise context,
 * whoever is signed in, so that nobody takes the exercise's messages for
 * real ones; it names the exercise and links back to the real hub. */
const exBox = h('div', { id: 'exercise-banner', cls: 'xbanner', role: 'region', hidden: !exerciseId });
status.parentNode.insertBefore(exBox, modeBox);
let exInfo = null; // the exercise (GET /exercises/{id}), read again at each navigation
let exSeq = 0;
async function exerciseBanner() {
  if (!exerciseId) return;
  const my = ++exSeq;
  if (ctx.me) {
    try { exInfo = await get('/exercises/' + encodeURIComponent(exerciseId), { quiet: true }); } catch (e) { exInfo = null; }
  }
  if (my !== exSeq) return; // a later navigation draws it
  clear(exBox);
  exBox.setAttribute('aria-label', t('x.banner.label'));
  put(exBox, h('strong', { cls: 'xbanner-title' }, t('x.banner')),
    exInfo ? h('span', { cls: 'xbanner-name' }, t('x.banner.name', { title: L(exInfo.title) })) : null,
    exInfo && exInfo.state !== 'running' ? h('span', { cls: 'xbanner-state' }, t('x.banner.notrunning')) : null,
    h('span', { cls: 'xbanner-links' },
      h('a', { href: '/', id: 'exercise-back' }, t('x.banner.back')),
      exInfo ? [' · ', h('a', { href: '/#/exercises/' + encodeURIComponent(exerciseId) }, t('x.banner.console'))] : null));
}

let modeSeq = 0;
async function modeBanner() {
  const my = ++modeSeq;
  if (!ctx.me) { clear(modeBox); modeBox.hidden = true; return; }
  let d;
  try { d = await get('/declarations?active=1', { quiet: true }); } catch (e) { return; }
  const names = new Map();
  try { for (const s of await ctx.sectors()) names.set(s.id, L(s.name)); } catch (e) { /* ids then */ }
  if (my !== modeSeq) return; // a later navigation draws it
  clear(modeBox);
  modeBox.hidden = d.mode !== 'outage';
  if (modeBox.hidden) return;
  modeBox.setAttribute('aria-label', t('mode.label'));
  modeBox.appendChild(h('strong', {}, t('mode.outage')));
  for (const x of d.items) {
    const cover = x.national ? t('mode.national') : x.sectors.map((s) => names.get(s) || s).join(lang() === 'en' ? ', ' : '、');
    modeBox.appendChild(h('div', { cls: 'mode-item', 'data-id': x.id },
      h('a', { href: '#/declarations/' + encodeURIComponent(x.id) },
        t('mode.line', { title: L(x.title), cover, since: fmtTime(x.started_at) }))));
  }
  modeBox.appendChild(h('div', { cls: 'mode-rules' }, t('mode.rules')));
}

let cleanup = null;
let seq = 0;

async function route() {
  const my = ++seq;
  if (cleanup) { try { cleanup(); } catch (e) { /* ignore */ } cleanup = null; }
  const path = (location.hash.replace(/^#/, '') || '/').split('?')[0];
  if (!ctx.me && path !== '/login') { location.replace('#/login'); return; }
  if (ctx.me && path === '/login') { location.replace('#/'); return; }
  let hit = null, params = [];
  for (const r of ROUTES) {
    const m = r[0].exec(path);
    if (m) { hit = r; params = m.slice(1); break; }
  }
  // busy until this page has drawn all it reads (and its title): what
  // assistive technology waits for, and what the browser tests wait for
  main.setAttribute('aria-busy', 'true');
  chrome();
  modeBanner();
  exerciseBanner();
  clear(main);
  main.appendChild(h('p', { cls: 'loading' }, t('loading')));
  if (!hit) { clear(main); main.appendChild(h('h1', { 'data-title': t('notfound.title') }, t('notfound'))); }
  else try {
    const mod = await import('./' + hit[1]);
    if (my !== seq) return;
    clear(main);
    // each navigation renders into its own element: a page still awaiting
    // a read when the user moves on (the home page's CP/BCP summary, say)
    // then draws into an element no longer on the page, never into the
    // next page
    const view = h('div', { cls: 'view' });
    main.appendChild(view);
    const stop = await mod.render(view, { ctx, params, name: hit[2], path });
    if (my !== seq) { if (typeof stop === 'function') stop(); return; }
    cleanup = typeof stop === 'function' ? stop : null;
  } catch (e) {
    if (my !== seq) return;
    clear(main);
    // the window title names these pages too (never "infrashare - infrashare")
    const [text, name] = e.status === 404 ? [t('notfound'), t('notfound.title')]
      : e.status === 403 ? [t('forbidden'), t('forbidden.title')] : [t('error.title'), t('error.title')];
    main.appendChild(h('h1', { 'data-title': name }, text));
    if (e.status !== 404 && e.status !== 403) main.appendChild(msg(errText(e) || String(e), 'err'));
  }
  const h1 = main.querySelector('h1');
  // the title names the page only, never an item's content
  // (a heading without data-title: "infrashare" alone)
  document.title = (exerciseId ? t('x.titleprefix') : '') + (h1 && h1.dataset.title ? h1.dataset.title + ' - ' : '') + 'infrashare';
  if (h1) { h1.setAttribute('tabindex', '-1'); if (!firstRender) h1.focus(); }
  firstRender = false;
  main.setAttribute('aria-busy', 'false');
}
let firstRender = true;

/* Whether this browser may hold a session: the expiry time the sign-in
 * answered (expires_at), kept in localStorage until sign-out. The session
 * cookie is HttpOnly, so the UI cannot see it; without this hint (never
 * signed in here, signed out, or past the expiry, when the browser has
 * dropped the cookie too) the UI does not ask GET /api/v1/session, which
 * would answer 401 and the browser would log that as an error. */
const HINT = 'infrashare.session_until';
function hint(until) {
  try { if (until) localStorage.setItem(HINT, until); else localStorage.removeItem(HINT); } catch (e) { /* private mode */ }
}
function mayHaveSession() {
  let v = null;
  try { v = localStorage.getItem(HINT); } catch (e) { return true; /* no storage: ask */ }
  const until = v ? Date.parse(v) : NaN;
  return Number.isFinite(until) && until > Date.now();
}

export async function signedIn(user, csrfToken, expiresAt) {
  if (expiresAt) hint(expiresAt);
  ctx.me = user;
  ctx.roles = new Set((user.roles || '').split(',').filter(Boolean));
  setCsrf(csrfToken);
  const unsaved = unsavedLang();
  if (unsaved && unsaved.user === user.id && unsaved.lang !== user.lang) {
    // the user chose this language here and the page was left (reloaded,
    // closed) before the hub had it: the choice stands and is sent again
    setLang(unsaved.lang);
    saveLang(unsaved.lang);
  } else {
    unsavedLang(null);
    if (user.lang && user.lang !== lang()) setLang(user.lang);
  }
  try { ctx.org = await get('/orgs/' + encodeURIComponent(user.org)); } catch (e) { ctx.org = null; }
  await loadNames(ctx); // the national bodies' names, once per user (names.js)
}

ctx.signedIn = signedIn;

async function logout() {
  try { await del('/session'); } catch (e) { /* signed out anyway */ }
  forget();
  ctx.say(t('logout.done'), 'ok');
  location.hash = '/login';
}

/* A language chosen by a signed-in user and not yet stored on the hub
 * (POST /api/v1/session/lang under way or failed): {user, lang} in this
 * browser until the hub answers, so that a reload in between does not put
 * the hub's older choice back. unsavedLang() reads it, unsavedLang(null)
 * forgets it. */
const UNSAVED = 'infrashare.lang_unsaved';
function unsavedLang(v) {
  try {
    if (v === undefined) {
      const x = JSON.parse(localStorage.getItem(UNSAVED) || 'null');
      return x && typeof x.user === 'number' && (x.lang === 'ja' || x.lang === 'en') ? x : null;
    }
    if (v) localStorage.setItem(UNSAVED, JSON.stringify(v)); else localStorage.removeItem(UNSAVED);
  } catch (e) { /* private mode: the hub's choice wins after a reload */ }
  return null;
}
/* Stores the user's choice l on the hub. One save is under way at a time:
 * a choice made meanwhile is sent after its answer, so that the hub ends
 * with the last choice made (two saves at once may reach the hub in either
 * order, and the first choice would win). The promise is of the last
 * choice's answer. */
let langWanted = null; // a choice not yet sent
let langSaving = null; // the saves under way
function saveLang(l) {
  unsavedLang({ user: ctx.me.id, lang: l });
  langWanted = l;
  if (!langSaving) langSaving = sendLangs().finally(() => { langSaving = null; });
  return langSaving;
}
async function sendLangs() {
  while (langWanted) {
    const l = langWanted;
    langWanted = null;
    try {
      await post('/session/lang', { lang: l });
    } catch (e) { ctx.say(errText(e), 'err'); continue; } // kept unsaved: sent again at the next load
    if (ctx.me) ctx.me.lang = l;
    // a later choice is still to be sent: it stays unsaved until its answer
    const u = unsavedLang();
    if (!langWanted && u && u.lang === l) unsavedLang(null);
  }
}

function forget() {
  hint(null);
  unsavedLang(null);
  langWanted = null; // not to be sent for whoever signs in next
  ctx.me = null; ctx.org = null; ctx.roles = new Set(); setCsrf(null);
  exInfo = null;
  try { sessionStorage.clear(); } catch (e) { /* ignore */ }
}

/* What was typed into the page's forms, kept across its redraw in the
 * other language (a half-filled report was lost: found by a review):
 * each control the user changed (an input or change event reached it;
 * values a page set itself are its own to set again), by its name and
 * place among its namesakes, else its place (field() gives controls ids
 * of its own, new at each drawing). Files and passwords are not kept; a
 * value already there is not set again (no second change event for a
 * control that saves on change). */
for (const ev of ['input', 'change']) main.addEventListener(ev, (e) => { if (e.target.dataset) e.target.dataset.typed = '1'; }, true);
function controls() {
  const seen = {}, at = new Map();
  main.querySelectorAll('input, textarea, select').forEach((el, i) => {
    at.set(el.name ? el.name + '@' + (seen[el.name] = (seen[el.name] || 0) + 1) : '@' + i, el);
  });
  return at;
}
function typed() {
  const out = [];
  for (const [key, el] of controls()) {
    if (!el.dataset.typed || el.type === 'file' || el.type === 'password' || el.type === 'hidden') continue;
    const box = el.type === 'checkbox' || el.type === 'radio';
    out.push([key, box ? el.checked : el.value, box]);
  }
  return out;
}
function retype(kept) {
  const at = controls();
  for (const [key, v, box] of kept) {
    const el = at.get(key);
    if (!el || (box ? el.checked === v : el.value === v)) continue;
    if (box) el.checked = v; else el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }
}

langBtn.addEventListener('click', async () => {
  const next = lang() === 'ja' ? 'en' : 'ja';
  const kept = typed();
  setLang(next);
  if (ctx.me) await saveLang(next);
  const at = location.hash;
  await route();
  if (location.hash === at) retype(kept);
});
document.getElementById('skip').addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
// a message said just before ctx.go() survives the navigation it causes
window.addEventListener('hashchange', () => { if (!keepStatus) ctx.say(''); keepStatus = false; route(); });
onUnauthenticated(() => { if (ctx.me) { forget(); location.hash = '/login'; } });

(async function boot() {
  if (mayHaveSession()) {
    try {
      const s = await get('/session', { quiet: true });
      await signedIn(s.user, s.csrf_token);
    } catch (e) { if (e.status === 401) hint(null); /* not signed in */ }
  }
  route();
})();
