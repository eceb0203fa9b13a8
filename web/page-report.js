// page-report.js - one report: 5W1H, severity, hops, timeline, updates,
// deadlines; and what the reader's organisation may do with it (reveal an
// anonymous identity, note or question, forward with a narrower range, add
// an update or answer, link to an event); the cascade suggestions of a
// severe report (cascade.js).
import { h, link, table, select, enumSelect, msg, errText, sevBadge, rangeBadge, flag, time, clear, field, dl, enc, put, shown } from './dom.js';
import { t, L, enumLabel, enumValues, lang } from './i18n.js';
import { get, post, apiUrl } from './api.js';
import { reporterCell } from './page-reports.js';
import { loadNames, orgNames, orgName as nameOf, sectorScope, ruleName } from './names.js';

const RANGES = ['red', 'amber', 'yellow', 'green', 'white'];

function detailText(d, updates) {
  if (!d || typeof d !== 'object') return '';
  const parts = [];
  // an update, answer, full or final report: its text, from the update
  const u = d.update && (updates || []).find((x) => x.id === d.update);
  if (u && u.body && u.body.question) parts.push(t('report.toq', { n: u.body.question }));
  if (u && u.body && (u.body.text || u.body.what_happened)) parts.push(u.body.text || u.body.what_happened);
  if (d.text) parts.push(d.text);
  if (d.note) parts.push(d.note);
  if (d.number) parts.push('#' + d.number);
  if (d.question) parts.push('#' + d.question);
  if (d.event) parts.push(d.event);
  if (d.kind) parts.push(enumLabel('updkind', d.kind) !== d.kind ? enumLabel('updkind', d.kind) : enumLabel('tl', d.kind));
  if (d.range) parts.push(String(d.range).toUpperCase());
  if (d.how) parts.push(enumLabel('how', d.how) || d.how);
  if (d.update) parts.push(t('report.updno', { n: d.update }));
  if (d.to) parts.push('→ ' + nameOf(d.to));
  if (d.ja || d.en) parts.push(L(d));
  if (d.first_notice_late) parts.push(lang() === 'en' ? 'first notice late' : '第一報期限超過');
  if (d.narrowed) parts.push(lang() === 'en' ? 'range narrowed' : '共有範囲を縮小');
  return parts.join(' · ');
}

export async function render(main, { ctx, params }) {
  const id = params[0];
  const me = ctx.me;
  const r = await get('/reports/' + enc(id));
  const [, cat] = await Promise.all([loadNames(ctx), get('/catalogue?scope=' + enc(r.scope)).catch(() => null)]);
  await orgNames(ctx, (r.timeline || []).map((e) => e.org));
  const catName = (list, cid) => {
    const x = cat && (cat[list] || []).find((c) => c.id === cid);
    return x ? (lang() === 'en' ? x.name_en : x.name_ja) : (cid || '—');
  };
  const names = new Map((r.chain || []).map((c) => [c.org, L(c.name)]));
  const orgName = (o) => names.get(o) || nameOf(o);
  const h1 = h('h1', { 'data-title': t('report.title', { id }) }, r.title);
  put(main, h1, h('p', { cls: 'meta' },
    h('span', { cls: 'id' }, r.id), sevBadge(r.severity.effective, true), rangeBadge(r.range, r.tlp),
    flag(enumLabel('kind', r.kind)), flag(enumLabel('rstate', r.state)), r.overdue ? flag(t('overdue'), 'warn') : null,
    flag(enumLabel('route', r.route))));

  // open questions from the hops, at the top: the reporter answers here
  const mine = r.reporter && r.reporter.org === me.org;
  const answered = new Set((r.updates || []).filter((u) => u.kind === 'answer' && u.body && u.body.question).map((u) => Number(u.body.question)));
  const openQs = (r.timeline || []).filter((e) => e.type === 'question' && e.detail && e.detail.number && !answered.has(Number(e.detail.number)));
  if (openQs.length) {
    const canAnswer = mine && ctx.has('reporter') && r.state === 'open';
    put(main, h('section', { cls: 'card questions', id: 'open-questions', 'aria-labelledby': 'oq-h' },
      h('h2', { id: 'oq-h' }, t('report.openq', { n: openQs.length })),
      h('ol', { cls: 'qlist' }, openQs.map((q) => {
        const n = Number(q.detail.number);
        const li = h('li', { 'data-question': n },
          h('p', {}, h('strong', {}, t('report.qfrom', { n, org: q.org ? orgName(q.org) : t('audit.hub') }))), h('p', { cls: 'meta' }, time(q.at)),
          h('p', { cls: 'body' }, q.detail.text || ''));
        if (canAnswer) {
          const ta = h('textarea', { name: 'answer', maxlength: 10000, id: 'answer-' + n });
          const out = h('div', { 'aria-live': 'polite', id: 'answer-out-' + n });
          const form = h('form', { cls: 'answer', id: 'answer-form-' + n, hidden: true, novalidate: true, on: { submit: async (e) => {
            e.preventDefault(); clear(out);
            if (!ta.value.trim()) { put(out, msg(t('report.text') + ': ' + t('err.missing_field'), 'err')); ta.focus(); return; }
            try { await post('/reports/' + enc(id) + '/updates', { kind: 'answer', question: n, text: ta.value }); ctx.say(t('report.answered', { n }), 'ok'); ctx.reload(); }
            catch (err) { put(out, msg(errText(err), 'err')); }
          } } }, field(t('report.youranswer', { n }), ta),
          h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'answer-send-' + n }, t('report.sendanswer')),
            h('button', { type: 'button', cls: 'secondary', on: { click: () => { form.hidden = true; btn.hidden = false; btn.focus(); } } }, t('cancel'))), out);
          const btn = h('button', { type: 'button', id: 'answer-' + n + '-open', on: { click: () => { btn.hidden = true; form.hidden = false; ta.focus(); } } }, t('report.answer', { n }));
          put(li, btn, form);
        }
        return li;
      }))));
  }

  // reporter and reveal
  const repBox = h('div', { cls: 'card', id: 'reporter' }, h('h2', {}, t('reports.reporter')), h('p', {}, reporterCell(r)));
  if (r.reporter && r.reporter.revealable) {
    // the reveal is audited with a reason: ask for it, then for a confirmation
    const out = h('div', { 'aria-live': 'polite', id: 'reveal-out' });
    const reason = h('textarea', { name: 'reason', id: 'reveal-reason', maxlength: 500, required: true });
    const sure = h('input', { type: 'checkbox', id: 'reveal-confirm', name: 'confirm' });
    const form = h('form', { id: 'reveal-form', hidden: true, novalidate: true, on: { submit: async (e) => {
      e.preventDefault(); clear(out);
      if (!reason.value.trim()) { put(out, msg(t('report.revealneedreason'), 'err')); reason.focus(); return; }
      if (!sure.checked) { put(out, msg(t('report.revealneedconfirm'), 'err')); sure.focus(); return; }
      const go = form.querySelector('#reveal-submit');
      go.disabled = true;
      try {
        const v = await post('/reports/' + enc(id) + '/reveal', { reason: reason.value });
        form.hidden = true;
        put(out, msg(t('report.revealed', { name: L(v.name), org: v.org }), 'ok'));
      } catch (err) { put(out, msg(errText(err), 'err')); go.disabled = false; }
    } } },
    field(t('report.revealreason'), reason, t('report.revealhint')),
    h('div', { cls: 'row' }, h('label', { for: 'reveal-confirm' }, sure, ' ', t('report.revealconfirm'))),
    h('div', { cls: 'actions' },
      h('button', { type: 'submit', id: 'reveal-submit' }, t('report.revealgo')),
      h('button', { type: 'button', cls: 'secondary', id: 'reveal-cancel', on: { click: () => { form.hidden = true; open.hidden = false; clear(out); } } }, t('cancel'))));
    const open = h('button', { type: 'button', id: 'reveal', cls: 'secondary', on: { click: () => {
      open.hidden = true; form.hidden = false; clear(out); reason.focus();
    } } }, t('report.reveal'));
    put(repBox, open, form, out);
  }
  put(main, repBox);

  // severity
  const s = r.severity;
  put(main, h('div', { cls: 'card' }, h('h2', {}, t('severity')),
    h('p', {}, sevBadge(s.effective, true), ' ', t('report.effective')),
    h('p', { cls: 'meta' }, t('report.computed') + ': ' + s.computed + ' · ' + t('new.rule') + ': ' + ruleName(s.rule),
      s.declared !== null && s.declared !== undefined ? ' · ' + t('report.declared') + ': ' + s.declared : '')));
  // the cascade suggestions (issue 15, cascade.js): asked for by those who
  // may issue advisories, for a report of severity 3 or more; shown only
  // when the hub answers them (the page does not wait for them)
  if (s.effective >= 3 && ['nisc', 'ministry', 'ceptoar'].includes(ctx.kind()) && ctx.has('liaison', 'analyst')) {
    const slot = h('div', { id: 'cascade-slot' });
    put(main, slot);
    import('./cascade.js').then(async (m) => {
      const base = '/reports/' + enc(id);
      const [c, sectors] = await Promise.all([m.loadCascade(base), ctx.sectors()]);
      // the advisory is made by a hop of the report's route or NISC only
      const hop = ctx.kind() === 'nisc' || (r.chain || []).some((x) => ctx.me && x.org === ctx.me.org);
      if (c && slot.isConnected) put(slot, m.cascadePanel(ctx, { base, subject: 'report', sectors, data: c, mayIssue: hop }));
    }).catch(() => {});
  }

  // 5W1H
  const imp = r.impact || {};
  const impList = Object.keys(imp).map((k) => (typeof imp[k] === 'boolean' ? t('impact.' + k) : t('impact.' + k) + ': ' + imp[k].toLocaleString()));
  put(main, h('div', { cls: 'card' }, h('h2', {}, t('report.fields')), dl([
    [t('new.what'), h('div', { cls: 'body' }, r.what_happened || '—')],
    [t('new.occurred'), time(r.occurred_at)], [t('new.detected'), time(r.detected_at)], [t('new.contained'), time(r.contained_at)],
    [t('sector') + ' / ' + t('scope'), sectorScope(r.sector, r.scope)],
    [t('new.service'), catName('ci_services', r.ci_service)], [t('new.sysclass'), catName('system_classes', r.system_class)],
    [t('new.systype'), r.system_type ? enumLabel('systype', r.system_type) : '—'],
    [t('new.domains'), (r.domains || []).map((d) => enumLabel('domain', d)).join(', ') || '—'],
    [t('new.cause'), r.cause ? enumLabel('cause', r.cause) : '—'], [t('new.threat'), r.threat_type ? enumLabel('threat', r.threat_type) : '—'],
    [t('new.impact'), impList.length ? h('ul', {}, impList.map((x) => h('li', {}, x))) : '—'],
    [t('new.measures'), h('div', { cls: 'body' }, r.measures || '—')],
  ])));

  // chain
  if (r.chain) {
    put(main, h('div', { cls: 'card' }, h('h2', {}, t('report.chain')),
      h('ol', { cls: 'chain', id: 'chain' }, r.chain.map((c) => h('li', { cls: (c.reached ? 'reached' : '') + (c.current ? ' current' : '') },
        L(c.name), ' — ', c.current ? t('report.current') : c.reached ? t('report.reached') : t('report.notyet'))))));
  }

  // actions
  const chainMe = (r.chain || []).find((c) => c.org === me.org);
  const hopRole = ctx.has('liaison', 'analyst');
  if (r.current_hop === me.org && hopRole) {
    const idx = r.chain.findIndex((c) => c.org === me.org);
    const nextHop = r.chain[idx + 1];
    const note = h('textarea', { name: 'note', maxlength: 4000 });
    const narrower = RANGES.slice(0, RANGES.indexOf(r.range) + 1);
    const rng = select('range', narrower.map((x) => [x, x.toUpperCase() + ' — ' + enumLabel('range', x)]), r.range);
    const out = h('div', { 'aria-live': 'polite' });
    put(main, h('form', { cls: 'card', id: 'forward-form', on: { submit: async (e) => {
      e.preventDefault(); clear(out);
      const body = {};
      if (note.value.trim()) body.note = note.value;
      if (rng.value !== r.range) body.range = rng.value;
      try { await post('/reports/' + enc(id) + '/forward', body); ctx.say(t('report.forwarded'), 'ok'); ctx.reload(); }
      catch (err) { put(out, msg(errText(err), 'err')); }
    } } }, h('h2', {}, t('report.forward')), field(t('report.note'), note), field(t('report.narrow'), rng),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'forward' }, nextHop ? t('report.forwardto', { org: L(nextHop.name) }) : t('report.forward'))), out));
  }
  if (chainMe && chainMe.reached && hopRole) {
    const txt = h('textarea', { name: 'text', maxlength: 4000, required: true });
    const q = h('input', { type: 'checkbox', name: 'question', id: 'note-question' });
    const out = h('div', { 'aria-live': 'polite' });
    put(main, h('form', { cls: 'card', id: 'note-form', on: { submit: async (e) => {
      e.preventDefault(); clear(out);
      if (!txt.value.trim()) { put(out, msg(t('report.text') + ': ' + t('err.missing_field'), 'err')); return; }
      try { await post('/reports/' + enc(id) + '/notes', { text: txt.value, question: q.checked }); ctx.say(t('report.noted'), 'ok'); ctx.reload(); }
      catch (err) { put(out, msg(errText(err), 'err')); }
    } } }, h('h2', {}, t('report.addnote')), field(t('report.text'), txt), h('label', { cls: 'inline' }, q, t('report.question')),
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'note-send' }, t('report.send'))), out));
  }
  if (mine && ctx.has('reporter') && r.state === 'open') {
    const questions = (r.timeline || []).filter((e) => e.type === 'question').map((e) => e.detail && e.detail.number).filter(Boolean);
    const kind = enumSelect('kind', 'updkind', ['update', 'full', 'final'].concat(questions.length ? ['answer'] : []), 'update');
    const qn = select('question', questions.map((n) => [n, '#' + n]), questions[questions.length - 1]);
    const qRow = field(t('report.answerto'), qn);
    qRow.hidden = true;
    kind.addEventListener('change', () => { qRow.hidden = kind.value !== 'answer'; });
    const txt = h('textarea', { name: 'text', maxlength: 10000 });
    const out = h('div', { 'aria-live': 'polite' });
    put(main, h('form', { cls: 'card', id: 'update-form', on: { submit: async (e) => {
      e.preventDefault(); clear(out);
      const body = { kind: kind.value };
      if (txt.value.trim()) body.text = txt.value;
      if (kind.value === 'answer') body.question = Number(qn.value);
      try { await post('/reports/' + enc(id) + '/updates', body); ctx.say(t('report.updated'), 'ok'); ctx.reload(); }
      catch (err) { put(out, msg(errText(err), 'err')); }
    } } }, h('h2', {}, t('report.update')), field(t('report.updkind'), kind), qRow, field(t('report.text'), txt),
    h('div', { cls: 'actions' }, h('button', { type: 'submit' }, t('report.send'))), out));
  }
  if ((me.org_kind === 'nisc' || me.org_kind === 'ministry') && ctx.has('analyst')) {
    const sel = h('select', { name: 'event', id: 'event-select' });
    const out = h('div', { 'aria-live': 'polite' });
    const tja = h('input', { type: 'text', maxlength: 200 }), ten = h('input', { type: 'text', maxlength: 200 });
    const newBox = h('div', {}, field(t('ev.title_ja'), tja), field(t('ev.title_en'), ten));
    put(sel, h('option', { value: '' }, t('reports.newevent')));
    get('/events').then((ev) => { for (const e of ev.items) put(sel, h('option', { value: e.id }, e.id + ' — ' + L(e.title))); }).catch(() => {});
    sel.addEventListener('change', () => { newBox.hidden = !!sel.value; });
    put(main, h('form', { cls: 'card', id: 'link-form', on: { submit: async (e) => {
      e.preventDefault(); clear(out);
      try {
        let eid = sel.value;
        if (eid) await post('/events/' + enc(eid) + '/reports', { report: id });
        else eid = (await post('/events', { title_ja: tja.value.trim() || ten.value.trim(), title_en: ten.value.trim() || tja.value.trim(), reports: [id] })).id;
        ctx.say(t('reports.linked', { n: 1, id: eid }), 'ok');
        ctx.go('/events/' + enc(eid));
      } catch (err) { put(out, msg(errText(err), 'err')); }
    } } }, h('h2', {}, t('report.tolink')), field(t('reports.linkto'), sel), newBox,
    h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'link-submit' }, t('report.tolink'))), out));
  }

  // timeline
  put(main, h('h2', {}, t('report.timeline')), h('div', { id: 'timeline' }, table([
    [t('time'), (e) => time(e.at)],
    [t('org'), (e) => (e.by === 'reporter' ? t('reports.reporter') : e.org ? orgName(e.org) : t('audit.hub'))],
    [t('kind'), (e) => enumLabel('tl', e.type) || e.type],
    [t('report.text'), (e) => h('span', { cls: 'body' }, detailText(e.detail, r.updates))],
  ], r.timeline || [])));

  // updates
  if (r.updates && r.updates.length) {
    put(main, h('h2', {}, t('report.updates')), h('div', { id: 'updates' }, table([
      ['#', (u) => t('report.updno', { n: u.id })], [t('time'), (u) => time(u.at)], [t('kind'), (u) => enumLabel('updkind', u.kind)],
      [t('range'), (u) => rangeBadge(u.range)],
      [t('report.text'), (u) => h('span', { cls: 'body' }, (u.body && (u.body.text || u.body.what_happened)) || '')],
    ], r.updates)));
  }
  // deadlines
  const d = r.deadlines || {};
  // each deadline as a clock time (JST), marked when passed and not met
  const nowMs = Date.now();
  const fullDone = d.full_report_at || d.closed_at, closed = d.closed_at || r.state === 'closed';
  const due = (at, done, key) => {
    const late = at && !done && Date.parse(at) < nowMs;
    return h('span', { id: 'due-' + key, 'data-overdue': late ? 'true' : 'false' }, time(at), late ? [' ', flag(t('report.pastdue'), 'warn')] : null);
  };
  put(main, h('div', { cls: 'card', id: 'deadlines' }, h('h2', {}, t('report.deadlines')), dl([
    [t('report.firstdue'), due(d.first_notice_due, true, 'first')], [t('report.fulldue'), due(d.full_report_due, fullDone, 'full')],
    [t('report.finaldue'), due(d.final_report_due, closed, 'final')], [t('report.fullat'), time(d.full_report_at)], [t('report.closedat'), time(d.closed_at)],
    r.reminders && r.reminders.length ? [t('report.reminders'), r.reminders.map((x) => enumLabel('tl', x.kind)).join(lang() === 'en' ? ', ' : '、')] : null,
  ])));
  if (r.attachments && r.attachments.length) {
    put(main, h('h2', {}, t('report.atts')), h('ul', {}, r.attachments.map((a, i) =>
      h('li', {}, h('a', { href: apiUrl('/reports/') + enc(id) + '/attachments/' + enc(a.id || i + 1), download: '' }, a.name ? shown(a.name) : ('#' + (i + 1)))))));
  }
}
