// names.js - names where the API gives ids and codes: organisations (the
// current hop "mic" -> 総務省 / MIC), business scopes and CEPTOARs
// ("ceptoar-medical" -> 医療CEPTOAR), the sector and scope of a report,
// roles ("reader,liaison" -> 閲覧者・連絡担当), severity rules
// ("L1-precursor" -> 予兆・脆弱性・防御された攻撃) and the heading of the
// relay form by the relaying organisation's kind.
//
// The national bodies (NISC, ministries, CEPTOARs, councils, agencies: a
// few dozen, listed to every signed-in user) and the sectors are read once
// per signed-in user and kept in memory (never in storage); any other id
// (an operator, an external organisation) is looked up one by one with
// GET /orgs/{id}, which answers only what the reader may see, and cached
// for that user. The registry's thousands of operators are never
// downloaded. Names are kept bilingual and put in the current language
// when shown, so a language switch needs no new request.
import { t, L, lang, tzNote } from './i18n.js';
import { get } from './api.js';

const NATIONAL = ['nisc', 'ministry', 'ceptoar', 'council', 'agency'];
const MAX_LOOKUPS = 50; // per call of orgNames(): ids beyond stay ids

let owner = null;         // the user the caches were filled for
let national = null;      // promise of the national bodies and sectors
const orgs = new Map();   // id -> {name: {ja, en}, short_en, kind} | null (unknown)
const scopes = new Map(); // scope id -> {name, sector}
const sectors = new Map(); // sector id -> {ja, en}
const pending = new Map(); // id -> promise of a lookup

function reset(who) {
  owner = who; national = null;
  orgs.clear(); scopes.clear(); sectors.clear(); pending.clear();
}

/* Keeps a registry entry; a fuller one (with short_en) is never replaced
 * by the sectors' shorter copy. */
function keep(o) {
  if (!o || !o.id) return;
  const had = orgs.get(o.id);
  if (had && had.short_en && !o.short_en) return;
  orgs.set(o.id, { name: o.name, short_en: o.short_en || '', kind: o.kind });
}

/* Fills the caches for the signed-in user of ctx (once per user). Never
 * throws: a name that could not be read shows as its id. */
export function loadNames(ctx) {
  const who = ctx && ctx.me ? ctx.me.id : null;
  if (who !== owner) reset(who);
  if (!national) {
    national = Promise.all([
      get('/sectors').then((r) => {
        for (const s of r.items) {
          sectors.set(s.id, s.name);
          if (s.ministry) keep(Object.assign({ kind: 'ministry' }, s.ministry));
          for (const sc of s.scopes) {
            scopes.set(sc.id, { name: sc.name, sector: s.id });
            if (sc.ceptoar) keep(Object.assign({ kind: 'ceptoar' }, sc.ceptoar));
          }
        }
      }).catch(() => {}),
      ...(who === null ? [] : NATIONAL.map((k) => get('/orgs?kind=' + k + '&limit=500', { quiet: true })
        .then((r) => { for (const o of r.items) keep(o); }).catch(() => {}))),
    ]).then(() => undefined);
  }
  return national;
}

/* Resolves ids not yet known (operators, external organisations) with
 * GET /orgs/{id}; at most MAX_LOOKUPS per call. */
export async function orgNames(ctx, ids) {
  await loadNames(ctx);
  const want = [...new Set((ids || []).filter((id) => id && !orgs.has(id)))].slice(0, MAX_LOOKUPS);
  await Promise.all(want.map((id) => {
    if (!pending.has(id)) {
      pending.set(id, get('/orgs/' + encodeURIComponent(id), { quiet: true })
        .then((o) => keep(o)).catch(() => orgs.set(id, null)));
    }
    return pending.get(id);
  }));
}

/* The organisation's name in the current language; the id when unknown. */
export function orgName(id) {
  if (!id) return '—';
  const o = orgs.get(id);
  return o ? L(o.name) : id;
}

/* A short name for table cells: Japanese names are short already; in
 * English the registry's short form (MIC, JPCERT/CC) when there is one. */
export function orgShort(id) {
  if (!id) return '—';
  const o = orgs.get(id);
  if (!o) return id;
  return lang() === 'en' && o.short_en ? o.short_en : L(o.name);
}

export function orgKind(id) { const o = orgs.get(id); return o ? o.kind : null; }

/* A business scope's name; a CEPTOAR id gives the CEPTOAR's name. */
export function scopeName(id) {
  if (!id) return '—';
  const s = scopes.get(id);
  if (s) return L(s.name);
  return orgs.has(id) ? orgName(id) : id;
}

export function sectorName(id) {
  if (!id) return '—';
  const s = sectors.get(id);
  return s ? L(s) : id;
}

/* "ガス" for the gas sector's gas scope (not "ガス / gas");
 * "情報通信（電気通信）" when the scope is a part of the sector. */
export function sectorScope(sector, scope) {
  const a = sectorName(sector), b = scope ? scopeName(scope) : '';
  if (!b || b === a) return a;
  return t('sectorscope', { sector: a, scope: b });
}

/* "reader,liaison" (or an array) -> "閲覧者・連絡担当" / "Reader, Liaison". */
export function roleNames(roles) {
  const list = Array.isArray(roles) ? roles : String(roles || '').split(',');
  return list.map((r) => r.trim()).filter(Boolean)
    .map((r) => t('role.' + r, null, true) || r)
    .join(lang() === 'en' ? ', ' : '・');
}

/* A severity rule's name ("L3-exceeded" -> "サービス維持レベルの逸脱・サービス停止"). */
export function ruleName(code) {
  if (!code) return '—';
  return t('rule.' + code, null, true) || code;
}

/* The heading of the relay form: who the relaying organisation passes an
 * advisory on to depends on its kind (a ministry to its CEPTOARs, a
 * CEPTOAR to its members, an operator to its distribution lists). */
export function relayTitle(kind) {
  return t('adv.relaytitle.' + kind, null, true) || t('adv.relaytitle.other');
}

/* A user's name to show: the display name when the user has one. */
export function userName(u) {
  if (!u) return '';
  return (u.display_name && u.display_name.trim()) || u.username || '';
}

/* The page's one statement of the time zone (times are shown without an
 * offset: i18n.js fmtTime), at the top of the footer. */
export function timeNote() {
  const foot = document.querySelector('footer.foot');
  if (!foot) return;
  let n = document.getElementById('tznote');
  if (!n) {
    n = document.createElement('p');
    n.id = 'tznote';
    n.className = 'tznote';
    foot.insertBefore(n, foot.firstChild);
  }
  n.textContent = tzNote();
}
