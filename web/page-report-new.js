// page-report-new.js - the operator's guided report form (情報連絡): 5W1H,
// CI service and system class from the catalogue, impact figures, the
// severity computed live (POST /api/v1/severity/evaluate), and the route
// and range explained in plain words.
import { h, field, select, enumSelect, msg, errText, sevBadge, clear, add, put } from './dom.js';
import { t, L, enumLabel, enumValues, jstInputToRfc, nowJstInput, lang } from './i18n.js';
import { get, post } from './api.js';
import { ruleName } from './names.js';

const NUMS = ['users_affected', 'duration_min', 'kw_lost', 'households', 'broadcast_stop_min', 'records_leaked', 'operators_affected'];
const BOOLS = ['service_stopped', 'service_degraded', 'compromise_confirmed', 'emergency_systems', 'safety_affected',
  'card_auth_affected', 'relay_station', 'attack_blocked', 'imminent_multi_sector_threat'];
const RANGES = ['red', 'amber', 'yellow', 'green', 'white'];
/* Impact figures that only some scopes' maintenance levels use
 * (data/severity/maintenance_levels.json): shown first to operators of
 * those scopes, folded away for the others. Every other figure applies to
 * every sector. */
const SECTOR_FIELDS = {
  users_affected: ['telecom', 'cable_tv'], duration_min: ['telecom', 'cable_tv', 'electricity'],
  kw_lost: ['electricity'], households: ['gas', 'water'], broadcast_stop_min: ['broadcasting'],
  relay_station: ['broadcasting'], card_auth_affected: ['credit'],
};

export async function render(main, { ctx }) {
  put(main, h('h1', { 'data-title': t('new.title') }, t('new.title')));
  if (ctx.kind() !== 'operator' || !ctx.has('reporter')) { put(main, msg(t('new.onlyop'), 'err')); return; }
  const org = ctx.org || {};
  const scope = org.scope;
  const [sectors, cat, agencies] = await Promise.all([
    ctx.sectors(),
    scope ? get('/catalogue?scope=' + encodeURIComponent(scope)) : { ci_services: [], system_classes: [] },
    get('/orgs?kind=agency&limit=100').then((r) => r.items).catch(() => []),
  ]);
  // names for the plain explanations
  let sectorObj = null, scopeObj = null;
  for (const s of sectors) for (const sc of s.scopes) if (sc.id === scope) { sectorObj = s; scopeObj = sc; }
  const ceptoarIds = org.member_of || [];
  const ceptoarName = (() => {
    for (const s of sectors) for (const sc of s.scopes) if (sc.ceptoar && ceptoarIds.includes(sc.ceptoar.id)) return L(sc.ceptoar.name);
    return ceptoarIds[0] || '—';
  })();
  const names = {
    ministry: sectorObj ? L(sectorObj.ministry.name) : '—',
    ceptoar: ceptoarName,
    label: lang() === 'en' ? `an operator in ${L(scopeObj && scopeObj.name)} (via ${ceptoarName})`
      : `${L(scopeObj && scopeObj.name)}の事業者（${ceptoarName}経由）`,
  };

  put(main, h('p', {}, t('new.intro')));
  const f = {};
  f.title = h('input', { type: 'text', name: 'title', required: true, maxlength: 200 });
  f.kind = enumSelect('kind', 'kind', enumValues('kind'), 'incident');
  f.what = h('textarea', { name: 'what_happened', maxlength: 10000 });
  f.occurred = h('input', { type: 'datetime-local', name: 'occurred_at' });
  f.detected = h('input', { type: 'datetime-local', name: 'detected_at', required: true, value: nowJstInput() });
  f.contained = h('input', { type: 'datetime-local', name: 'contained_at' });
  f.service = select('ci_service', [['', t('new.choose')]].concat(cat.ci_services.map((s) => [s.id, lang() === 'en' ? s.name_en : s.name_ja])), '', { cls: 'wide' });
  f.sysclass = select('system_class', [['', t('new.choose')]].concat(cat.system_classes.map((s) => [s.id, lang() === 'en' ? s.name_en : s.name_ja])), '', { cls: 'wide' });
  f.systype = enumSelect('system_type', 'systype', enumValues('systype'), '', t('new.choose'));
  f.domains = enumValues('domain').map((d) => h('input', { type: 'checkbox', name: 'domains', value: d }));
  f.cause = enumSelect('cause', 'cause', enumValues('cause'), '', t('new.choose'));
  f.threat = enumSelect('threat_type', 'threat', enumValues('threat'), '', t('new.choose'));
  f.nums = NUMS.map((k) => h('input', { type: 'number', min: 0, step: 1, name: k, inputmode: 'numeric' }));
  f.bools = BOOLS.map((k) => h('input', { type: 'checkbox', name: k }));
  f.measures = h('textarea', { name: 'measures', maxlength: 10000 });
  f.declared = select('declared_severity', [['', t('new.choose')]].concat([0, 1, 2, 3, 4, 5].map((l) => [l, String(l)])), '');
  f.reason = h('input', { type: 'text', name: 'declared_reason', maxlength: 1000 });
  const hasCeptoar = ceptoarIds.length > 0;
  const routeRadios = {};
  const routeBox = h('div', { role: 'radiogroup' });
  for (const r of enumValues('route')) {
    const disabled = (r === 'via_ceptoar' || r === 'anonymous') && !hasCeptoar;
    routeRadios[r] = h('input', { type: 'radio', name: 'route', value: r, disabled, checked: r === (hasCeptoar ? 'via_ceptoar' : 'direct') });
    put(routeBox, h('label', { cls: 'choice' }, routeRadios[r], enumLabel('route', r),
      h('span', { cls: 'hint', id: 'route-' + r }, disabled ? t('route.noceptoar') : t('route.' + r + '.x', names))));
    routeRadios[r].setAttribute('aria-describedby', 'route-' + r);
  }
  f.agency = select('via_agency', agencies.map((a) => [a.id, L(a.name)]), '');
  const agencyRow = field(t('new.agency'), f.agency);
  const rangeRadios = {};
  const rangeBox = h('div', { role: 'radiogroup' });
  for (const r of RANGES) {
    rangeRadios[r] = h('input', { type: 'radio', name: 'range', value: r, checked: r === 'amber' });
    put(rangeBox, h('label', { cls: 'choice' }, rangeRadios[r], h('span', { cls: 'badge range-' + r }, r.toUpperCase()), ' ',
      enumLabel('range', r), h('span', { cls: 'hint', id: 'range-' + r }, t('range.' + r + '.x', names))));
    rangeRadios[r].setAttribute('aria-describedby', 'range-' + r);
  }
  const whoSees = h('p', { cls: 'msg', id: 'whosees', 'aria-live': 'polite' });

  // the live severity panel
  const sevOut = h('div', { id: 'severity-live', cls: 'card sevpanel', 'aria-live': 'polite', 'aria-atomic': 'true' });

  // impact figures: those of the operator's own scope first, then the ones
  // every sector uses, the other sectors' folded
  const impKind = (k) => (SECTOR_FIELDS[k] ? (SECTOR_FIELDS[k].includes(scope) ? 'own' : 'other') : 'common');
  const allImp = NUMS.map((k, i) => [k, f.nums[i], 'num']).concat(BOOLS.map((k, i) => [k, f.bools[i], 'bool']));
  const ownImp = allImp.filter((x) => impKind(x[0]) === 'own');
  const commonImp = allImp.filter((x) => impKind(x[0]) === 'common');
  const otherImp = allImp.filter((x) => impKind(x[0]) === 'other');
  const impFields = (list) => [
    h('div', { cls: 'cols' }, list.filter((x) => x[2] === 'num').map(([k, el]) => field(t('impact.' + k), el))),
    h('div', { cls: 'cols' }, list.filter((x) => x[2] === 'bool').map(([k, el]) => h('label', { cls: 'inline' }, el, t('impact.' + k))))];
  // the title's own error, next to the field
  const titleErr = h('p', { cls: 'fielderr', id: 'title-err', hidden: true });
  const jst = t('new.jst');
  const titleRow = field(t('title'), f.title, t('new.titlehint'));
  titleRow.insertBefore(titleErr, f.title.nextSibling);
  const titleHint = f.title.getAttribute('aria-describedby');
  const setTitleErr = (text) => {
    titleErr.textContent = text || '';
    titleErr.hidden = !text;
    if (text) { f.title.setAttribute('aria-invalid', 'true'); f.title.setAttribute('aria-describedby', 'title-err ' + titleHint); }
    else { f.title.removeAttribute('aria-invalid'); f.title.setAttribute('aria-describedby', titleHint); }
  };
  f.title.addEventListener('input', () => { if (f.title.value.trim()) setTitleErr(''); });
  // the hub's refusal of another field, next to that field too (it was
  // only at the bottom of the form: found by a review): the control the
  // error's field names (impact.kw_lost is the impact figure kw_lost)
  const fieldErrs = [];
  const controlOf = (name) => {
    if (!name) return null;
    const m = /^impact\.([a-z_]+)$/.exec(name);
    if (m && NUMS.includes(m[1])) return f.nums[NUMS.indexOf(m[1])];
    if (m && BOOLS.includes(m[1])) return f.bools[BOOLS.indexOf(m[1])];
    return form.querySelector('[name="' + CSS.escape(name) + '"]');
  };
  const clearFieldErrs = () => {
    for (const [el, p, was] of fieldErrs.splice(0)) {
      p.remove();
      el.removeAttribute('aria-invalid');
      if (was) el.setAttribute('aria-describedby', was); else el.removeAttribute('aria-describedby');
    }
  };
  const showFieldErr = (name, text) => {
    const el = controlOf(name);
    if (!el || el === f.title) return false;
    const d = el.closest('details');
    if (d) d.open = true;
    const id = 'err-' + name.replace(/[^a-z0-9_]/gi, '-');
    const p = h('p', { cls: 'fielderr', id, 'data-field': name }, text);
    const anchor = el.closest('label.inline') || el;
    anchor.parentNode.insertBefore(p, anchor.nextSibling);
    const was = el.getAttribute('aria-describedby');
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('aria-describedby', was ? id + ' ' + was : id);
    fieldErrs.push([el, p, was]);
    el.focus();
    return true;
  };
  const form = h('form', { novalidate: true },
    h('fieldset', {}, h('legend', {}, t('new.what')),
      titleRow, field(t('kind'), f.kind), field(t('new.what'), f.what)),
    h('fieldset', {}, h('legend', {}, t('new.when')), h('p', { cls: 'hint' }, jst),
      h('div', { cls: 'cols' }, field(t('new.occurred'), f.occurred), field(t('new.detected.req'), f.detected), field(t('new.contained'), f.contained))),
    h('fieldset', {}, h('legend', {}, t('new.where')),
      h('p', { cls: 'meta' }, t('scope') + ': ' + L(scopeObj && scopeObj.name) + ' / ' + t('sector') + ': ' + L(sectorObj && sectorObj.name)),
      field(t('new.service'), f.service), field(t('new.sysclass'), f.sysclass), field(t('new.systype'), f.systype),
      h('div', { cls: 'row', role: 'group', 'aria-labelledby': 'dom-l' }, h('span', { id: 'dom-l', cls: 'label' }, h('strong', {}, t('new.domains'))), h('br'),
        enumValues('domain').map((d, i) => h('label', { cls: 'inline' }, f.domains[i], enumLabel('domain', d))))),
    h('fieldset', {}, h('legend', {}, t('new.why')), h('div', { cls: 'cols' }, field(t('new.cause'), f.cause), field(t('new.threat'), f.threat))),
    h('fieldset', { id: 'impact' }, h('legend', {}, t('new.impact')),
      ownImp.length ? h('div', { id: 'impact-own', role: 'group', 'aria-labelledby': 'impact-own-l' }, h('p', { cls: 'label', id: 'impact-own-l' }, h('strong', {}, t('new.impactown', { s: L(scopeObj && scopeObj.name) || scope }))), impFields(ownImp)) : null,
      h('div', { id: 'impact-common', role: 'group', 'aria-labelledby': 'impact-common-l' }, h('p', { cls: 'label', id: 'impact-common-l' }, h('strong', {}, t('new.impactcommon'))), impFields(commonImp)),
      otherImp.length ? h('details', { id: 'impact-other' }, h('summary', {}, t('new.impactother', { n: otherImp.length })),
        h('p', { cls: 'hint' }, t('new.impactotherhint')), impFields(otherImp)) : null),
    sevOut,
    h('fieldset', {}, h('legend', {}, t('new.declared')), h('p', { cls: 'hint' }, t('new.declaredhint')),
      h('div', { cls: 'cols' }, field(t('severity'), f.declared), field(t('new.reason'), f.reason))),
    h('fieldset', {}, h('legend', {}, t('new.measures')), field(t('new.measures'), f.measures)),
    h('fieldset', {}, h('legend', {}, t('new.whosees')),
      h('h2', {}, t('new.route')), routeBox, agencyRow,
      h('h2', {}, t('range')), rangeBox, whoSees),
    h('div', { id: 'form-errors', 'aria-live': 'assertive' }),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'submit-report' }, t('new.submit'))));
  put(main, form);

  const val = (name, radios) => { for (const [k, el] of Object.entries(radios)) if (el.checked) return k; return null; };
  function impact() {
    const o = {};
    NUMS.forEach((k, i) => { const v = f.nums[i].value.trim(); if (v !== '' && /^\d+$/.test(v)) o[k] = Number(v); });
    BOOLS.forEach((k, i) => { if (f.bools[i].checked) o[k] = true; });
    return o;
  }
  // the first impact figure that is no whole number of 0 or more (-5,
  // 1.5, text the browser could not read): -1 when none. impact() leaves
  // such a figure out of the live severity; a report is not filed with it
  // (it was filed without it, no word said: found by a review)
  function badImpact() {
    return f.nums.findIndex((el) => el.validity.badInput || (el.value.trim() !== '' && !/^\d+$/.test(el.value.trim())));
  }
  function explainWho() {
    const route = val('route', routeRadios), range = val('range', rangeRadios);
    agencyRow.hidden = route !== 'via_agency';
    clear(whoSees);
    add(whoSees, [h('strong', {}, enumLabel('route', route) + ' / ' + range.toUpperCase() + ': '),
      route === 'via_agency' ? t('route.via_agency.x') : t('route.' + route + '.x', names), ' ', t('range.' + range + '.x', names)]);
  }
  let evalSeq = 0, timer = null;
  async function evaluate() {
    const my = ++evalSeq;
    if (!scope) { clear(sevOut); put(sevOut, msg(t('new.needscope'), 'err')); return; }
    try {
      const r = await post('/severity/evaluate', { scope, kind: f.kind.value, impact: impact() });
      if (my !== evalSeq) return;
      sevOut.className = 'card sevpanel l' + r.level;
      clear(sevOut);
      put(sevOut, h('h2', {}, t('new.computed')),
        h('p', { cls: 'big' }, sevBadge(r.level, true)),
        h('p', {}, L(r.explanation)),
        h('p', { cls: 'meta' }, t('new.rule') + ': ', h('span', { id: 'severity-rule', 'data-rule': r.rule }, ruleName(r.rule))),
        r.maintenance_level ? h('p', { cls: 'meta' }, t('new.maint') + ': ' + L(r.maintenance_level)) : null);
    } catch (e) {
      if (my !== evalSeq) return;
      clear(sevOut); put(sevOut, msg(errText(e), 'err'));
    }
  }
  const soon = () => { clearTimeout(timer); timer = setTimeout(evaluate, 200); };
  form.addEventListener('input', (e) => { if (e.target.name === 'route' || e.target.name === 'range') explainWho(); else soon(); });
  form.addEventListener('change', (e) => { if (e.target.name === 'route' || e.target.name === 'range') explainWho(); else soon(); });
  explainWho();
  evaluate();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const errs = document.getElementById('form-errors');
    clear(errs);
    clearFieldErrs();
    const body = { title: f.title.value.trim(), kind: f.kind.value, route: val('route', routeRadios), range: val('range', rangeRadios) };
    const det = jstInputToRfc(f.detected.value);
    setTitleErr(body.title ? '' : t('new.titlemissing'));
    if (!body.title || !det) {
      put(errs, msg((body.title ? t('new.detected') : t('title')) + ': ' + t('err.missing_field'), 'err'));
      (body.title ? f.detected : f.title).focus();
      return;
    }
    f.nums.forEach((el) => el.removeAttribute('aria-invalid'));
    const bi = badImpact();
    if (bi >= 0) {
      const el = f.nums[bi];
      const d = el.closest('details');
      if (d) d.open = true;
      el.setAttribute('aria-invalid', 'true');
      put(errs, msg(t('impact.' + NUMS[bi]) + ': ' + t('new.impactwhole'), 'err'));
      el.focus();
      return;
    }
    body.detected_at = det;
    const oc = jstInputToRfc(f.occurred.value); if (oc) body.occurred_at = oc;
    const co = jstInputToRfc(f.contained.value); if (co) body.contained_at = co;
    if (f.what.value.trim()) body.what_happened = f.what.value;
    if (f.service.value) body.ci_service = f.service.value;
    if (f.sysclass.value) body.system_class = f.sysclass.value;
    if (f.systype.value) body.system_type = f.systype.value;
    const doms = enumValues('domain').filter((d, i) => f.domains[i].checked);
    if (doms.length) body.domains = doms;
    if (f.cause.value) body.cause = f.cause.value;
    if (f.threat.value) body.threat_type = f.threat.value;
    const imp = impact(); if (Object.keys(imp).length) body.impact = imp;
    if (f.measures.value.trim()) body.measures = f.measures.value;
    if (f.declared.value !== '') { body.declared_severity = Number(f.declared.value); if (f.reason.value.trim()) body.declared_reason = f.reason.value; }
    if (body.route === 'via_agency') body.via_agency = f.agency.value;
    const btn = document.getElementById('submit-report');
    btn.disabled = true;
    try {
      const r = await post('/reports', body);
      ctx.say(t('new.filed', { id: r.id }), 'ok');
      if (r.warnings && r.warnings.length) {
        for (const w of r.warnings) ctx.say(t('new.filed', { id: r.id }) + ' ' + (t('report.warn.' + w.code, null, true) || w.message || w.code), 'err');
      }
      ctx.go('/reports/' + encodeURIComponent(r.id));
    } catch (err) {
      put(errs, msg(errText(err), 'err'));
      if (err.field === 'title') { setTitleErr(errText(err)); f.title.focus(); }
      else showFieldErr(err.field, errText(err));
      btn.disabled = false;
    }
  });
  f.title.focus();
}
