// page-advisory-new.js - issue an advisory (情報提供): kind, severity,
// range (explained), bilingual text and the audience picked over sectors,
// business scopes, CEPTOARs and organisations (GET /api/v1/sectors,
// /api/v1/orgs). Then its page shows the reach as it happens.
import { h, field, select, enumSelect, msg, errText, clear, enc, put } from './dom.js';
import { t, L, enumLabel, enumValues } from './i18n.js';
import { get, post } from './api.js';

const RANGES = ['red', 'amber', 'yellow', 'green', 'white'];

export async function render(main, { ctx }) {
  put(main, h('h1', { 'data-title': t('issue.title') }, t('issue.title')));
  const me = ctx.me, k = me.org_kind;
  if (!['nisc', 'ministry', 'ceptoar', 'council', 'agency'].includes(k) || !ctx.has('liaison', 'analyst')) {
    put(main, msg(t('forbidden'), 'err')); return;
  }
  const sectors = await ctx.sectors();
  const kind = enumSelect('kind', 'advkind', enumValues('advkind'), 'warning');
  const sev = select('severity', [0, 1, 2, 3, 4, 5].map((l) => [l, String(l)]), 2);
  const tja = h('input', { type: 'text', name: 'title_ja', maxlength: 200, required: true });
  const ten = h('input', { type: 'text', name: 'title_en', maxlength: 200, required: true });
  const bja = h('textarea', { name: 'body_ja', maxlength: 20000, required: true });
  const ben = h('textarea', { name: 'body_en', maxlength: 20000, required: true });
  const notice = h('input', { type: 'checkbox', name: 'title_in_notice' });
  const hotline = h('p', { cls: 'msg', hidden: true }, t('issue.hotline'));
  const upd = () => { hotline.hidden = !(kind.value === 'warning' && Number(sev.value) >= 4); };
  kind.addEventListener('change', upd); sev.addEventListener('change', upd);

  const rangeRadios = {};
  const rangeBox = h('div', { role: 'radiogroup', 'aria-label': t('range') });
  for (const r of RANGES) {
    rangeRadios[r] = h('input', { type: 'radio', name: 'range', value: r, checked: r === 'green' });
    put(rangeBox, h('label', { cls: 'choice' }, rangeRadios[r], h('span', { cls: 'badge range-' + r }, r.toUpperCase()), ' ', enumLabel('range', r),
      h('span', { cls: 'hint' }, t('adv.range.' + r + '.x'))));
  }

  // audience
  const aud = h('fieldset', { id: 'audience' }, h('legend', {}, t('issue.audience')), h('p', { cls: 'hint' }, t('issue.summary')));
  const chosen = new Map(); // org id -> name
  const picked = h('div', { cls: 'picked', 'aria-live': 'polite' });
  const drawPicked = () => {
    clear(picked);
    for (const [id, name] of chosen) put(picked, h('button', { type: 'button', cls: 'secondary', 'aria-label': t('issue.remove', { name }), on: { click: () => { chosen.delete(id); drawPicked(); } } }, name + ' ✕'));
  };
  let all = null;
  const secBoxes = [], scBoxes = [], cepBoxes = [];
  let ownMembers = null;
  if (k === 'ceptoar') {
    ownMembers = h('input', { type: 'checkbox', name: 'own', checked: true });
    put(aud, h('label', { cls: 'inline' }, ownMembers, t('issue.ownmembers')));
  } else {
    all = h('input', { type: 'checkbox', name: 'all' });
    put(aud, h('div', { cls: 'row' }, h('label', { cls: 'inline' }, all, t('issue.all'))));
    const g1 = h('div', { cls: 'cols' });
    const g2 = h('div', { cls: 'cols' });
    const g3 = h('div', { cls: 'cols' });
    for (const s of sectors) {
      const cb = h('input', { type: 'checkbox', name: 'sectors', value: s.id });
      secBoxes.push(cb); put(g1, h('label', { cls: 'inline' }, cb, L(s.name)));
      for (const sc of s.scopes) {
        const c2 = h('input', { type: 'checkbox', name: 'scopes', value: sc.id });
        scBoxes.push(c2); put(g2, h('label', { cls: 'inline' }, c2, L(sc.name)));
        if (sc.ceptoar && !cepBoxes.some((x) => x.value === sc.ceptoar.id)) {
          const c3 = h('input', { type: 'checkbox', name: 'ceptoars', value: sc.ceptoar.id });
          cepBoxes.push(c3); put(g3, h('label', { cls: 'inline' }, c3, L(sc.ceptoar.name)));
        }
      }
    }
    put(aud, h('h2', {}, t('issue.sectors')), g1,
      h('details', {}, h('summary', {}, t('issue.scopes')), g2),
      h('details', {}, h('summary', {}, t('issue.ceptoars')), g3));
  }
  // organisations named individually
  const okind = select('okind', (k === 'ceptoar' ? ['operator'] : ['operator', 'ministry', 'agency', 'ceptoar', 'council', 'nisc']).map((x) => [x, enumLabel('orgkind', x)]), 'operator');
  const oscope = select('oscope', [['', '—']].concat(sectors.flatMap((s) => s.scopes.map((sc) => [sc.id, L(sc.name)]))), '');
  const ofilter = h('input', { type: 'search', name: 'ofilter' });
  const olist = h('div', { cls: 'picker', hidden: true });
  let loaded = [];
  const drawList = () => {
    clear(olist);
    const q = ofilter.value.trim().toLowerCase();
    for (const o of loaded.filter((x) => !q || (x.id + ' ' + x.name.ja + ' ' + x.name.en).toLowerCase().includes(q)).slice(0, 300)) {
      const cb = h('input', { type: 'checkbox', checked: chosen.has(o.id), on: { change: (e) => { if (e.target.checked) chosen.set(o.id, L(o.name)); else chosen.delete(o.id); drawPicked(); } } });
      put(olist, h('label', { cls: 'inline' }, cb, L(o.name), ' ', h('span', { cls: 'id' }, o.id)));
    }
  };
  ofilter.addEventListener('input', drawList);
  const loadOrgs = async () => {
    const p = new URLSearchParams({ kind: okind.value, limit: '500' });
    if (k === 'ceptoar') p.set('ceptoar', me.org);
    else if (oscope.value && okind.value === 'operator') p.set('scope', oscope.value);
    try { loaded = (await get('/orgs?' + p)).items; olist.hidden = false; drawList(); } catch (e) { ctx.say(errText(e), 'err'); }
  };
  put(aud, h('details', { open: k === 'ceptoar' ? true : null }, h('summary', {}, t('issue.orgs')),
    h('div', { cls: 'filters' }, field(t('issue.orgkind'), okind), k === 'ceptoar' ? null : field(t('issue.orgscope'), oscope),
      h('div', { cls: 'row' }, h('button', { type: 'button', cls: 'secondary', on: { click: loadOrgs } }, t('issue.load')))),
    field(t('issue.filter'), ofilter), olist, picked));

  const rollcall = h('input', { type: 'checkbox', name: 'rollcall', id: 'issue-rollcall' });
  const out = h('div', { id: 'issue-errors', 'aria-live': 'assertive' });
  const btn = h('button', { type: 'submit', id: 'issue-submit' }, t('issue.submit'));
  const form = h('form', { novalidate: true },
    h('fieldset', {}, h('legend', {}, t('kind') + ' / ' + t('severity')), h('div', { cls: 'cols' }, field(t('issue.kind'), kind), field(t('severity'), sev)), hotline),
    h('fieldset', {}, h('legend', {}, t('adv.body')), field(t('issue.title_ja'), tja), field(t('issue.title_en'), ten),
      field(t('issue.body_ja'), bja), field(t('issue.body_en'), ben), h('label', { cls: 'inline' }, notice, t('issue.notice'))),
    aud,
    h('fieldset', {}, h('legend', {}, t('range')), rangeBox),
    h('fieldset', {}, h('legend', {}, t('rc.title').split('（')[0].split(' (')[0]), h('label', { cls: 'inline' }, rollcall, t('rc.attach'))),
    out, h('div', { cls: 'actions' }, btn));
  put(main, form);
  upd();

  form.addEventListener('submit', async (e) => {
    e.preventDefault(); clear(out);
    const audience = {};
    if (all && all.checked) audience.all = true;
    const pick = (boxes) => boxes.filter((b) => b.checked).map((b) => b.value);
    if (k === 'ceptoar') { if (ownMembers.checked) audience.ceptoars = [me.org]; }
    else {
      const s1 = pick(secBoxes), s2 = pick(scBoxes), s3 = pick(cepBoxes);
      if (s1.length) audience.sectors = s1;
      if (s2.length) audience.scopes = s2;
      if (s3.length) audience.ceptoars = s3;
    }
    if (chosen.size) audience.orgs = [...chosen.keys()];
    const range = RANGES.find((r) => rangeRadios[r].checked);
    const body = { kind: kind.value, severity: Number(sev.value), range, title_ja: tja.value.trim(), title_en: ten.value.trim(),
      body_ja: bja.value, body_en: ben.value, audience };
    if (notice.checked) body.title_in_notice = true;
    if (rollcall.checked) body.form = { name: 'roll_call' };
    for (const [el, v] of [[tja, body.title_ja], [ten, body.title_en], [bja, body.body_ja.trim()], [ben, body.body_en.trim()]]) {
      if (!v) { put(out, msg(el.labels[0].textContent + ': ' + t('err.missing_field'), 'err')); el.focus(); return; }
    }
    if (!Object.keys(audience).length) { put(out, msg(t('issue.audience') + ': ' + t('err.missing_field'), 'err')); return; }
    btn.disabled = true;
    try {
      const r = await post('/advisories', body);
      ctx.say(t('issue.done', { id: r.id, n: r.recipients }), 'ok');
      ctx.go('/advisories/' + enc(r.id));
    } catch (err) { put(out, msg(errText(err), 'err')); btn.disabled = false; }
  });
}
