// lists.js - distribution lists (配信先リスト) on the organisation page,
// and withholding on the advisory page: the form a waiting hop uses to
// withhold, and the withheld branches the author sees.
import { h, table, msg, errText, time, clear, field, enc, put, flag } from './dom.js';
import { t, L } from './i18n.js';
import { get, post, put as apiPut, del } from './api.js';

const ids = (s) => s.split(/[\s,、]+/).map((x) => x.trim()).filter(Boolean);

/* The lists section of org's page: shown to those who may see the lists
 * (403/404: nothing); managed by org_admin users and hub admins. */
export async function renderLists(main, ctx, org) {
  if (org.kind === 'external') return;
  let r;
  try { r = await get('/orgs/' + enc(org.id) + '/lists'); } catch (e) { return; }
  const box = h('section', { cls: 'card', id: 'lists', 'aria-labelledby': 'lists-h' });
  put(main, box);
  const manage = ctx.has('org_admin', 'admin');
  const out = h('div', { 'aria-live': 'polite', id: 'lists-msg' });
  async function draw() {
    r = await get('/orgs/' + enc(org.id) + '/lists');
    put(clear(box), h('h2', { id: 'lists-h' }, t('lists.title')), h('p', { cls: 'hint' }, t('lists.hint')));
    if (!r.items.length) put(box, h('p', { cls: 'empty' }, t('lists.none')));
    else put(box, table([
      [t('id'), (l) => h('span', { cls: 'id' }, l.id)], [t('lists.name'), (l) => L(l.name)],
      [t('lists.count'), (l) => String(l.members_count), 'num'],
      [t('lists.members'), (l) => h('details', { on: { toggle: async (e) => {
        const d = e.target;
        if (!d.open || d.dataset.loaded) return;
        d.dataset.loaded = '1';
        try {
          const full = await get('/orgs/' + enc(org.id) + '/lists/' + enc(l.id));
          d.appendChild(h('ul', { cls: 'members' }, full.members.slice(0, 500).map((m) => h('li', {}, h('span', { cls: 'id' }, m.id), ' ', L(m.name)))));
          if (manage) d.appendChild(editForm(full));
        } catch (err) { d.appendChild(msg(errText(err), 'err')); }
      } } }, h('summary', {}, t('lists.show')))],
      manage ? ['', (l) => h('button', { type: 'button', cls: 'danger', 'aria-label': t('lists.delete') + ' ' + L(l.name), on: { click: async () => {
        try { await del('/orgs/' + enc(org.id) + '/lists/' + enc(l.id)); put(clear(out), msg(t('lists.deleted'), 'ok')); await draw(); }
        catch (err) { put(clear(out), msg(errText(err), 'err')); }
      } } }, t('lists.delete'))] : null,
    ].filter(Boolean), r.items, (l) => ({ 'data-list': l.id })));
    if (manage) put(box, createForm());
    put(box, out);
  }
  function editForm(full) {
    const mem = h('textarea', { name: 'list-members', rows: 3 }, full.members.map((m) => m.id).join('\n'));
    return h('form', { on: { submit: async (e) => {
      e.preventDefault();
      try { await apiPut('/orgs/' + enc(org.id) + '/lists/' + enc(full.id), { members: ids(mem.value) }); put(clear(out), msg(t('lists.saved'), 'ok')); await draw(); }
      catch (err) { put(clear(out), msg(errText(err), 'err')); }
    } } }, field(t('lists.memberids'), mem), h('button', { type: 'submit' }, t('save')));
  }
  function createForm() {
    const ja = h('input', { type: 'text', name: 'list-name-ja', maxlength: 200, required: true });
    const en = h('input', { type: 'text', name: 'list-name-en', maxlength: 200, required: true });
    const mem = h('textarea', { name: 'list-members-new', rows: 2 });
    return h('form', { id: 'list-create', on: { submit: async (e) => {
      e.preventDefault();
      const body = { name_ja: ja.value.trim(), name_en: en.value.trim(), members: ids(mem.value) };
      try { await post('/orgs/' + enc(org.id) + '/lists', body); put(clear(out), msg(t('lists.created'), 'ok')); await draw(); }
      catch (err) { put(clear(out), msg(errText(err), 'err')); }
    } } }, h('h3', {}, t('lists.create')), h('div', { cls: 'filters' }, field(t('lists.name_ja'), ja), field(t('lists.name_en'), en)),
    field(t('lists.memberids'), mem, t('lists.memberhint')), h('div', { cls: 'row' }, h('button', { type: 'submit' }, t('lists.create'))));
  }
  await draw();
}

/* The withhold form of a hop the advisory waits at (a.severity >= 4
 * warnings: the hint says it cannot be withheld; the hub refuses). */
export function withholdForm(ctx, a) {
  const severe = a.kind === 'warning' && a.severity >= 4;
  const reason = h('textarea', { name: 'withhold_reason', maxlength: 2000, required: true });
  const out = h('div', { 'aria-live': 'polite' });
  return h('form', { cls: 'card', id: 'withhold-form', on: { submit: async (e) => {
    e.preventDefault(); clear(out);
    try { await post('/advisories/' + enc(a.id) + '/withhold', { reason: reason.value }); ctx.say(t('withhold.done'), 'ok'); ctx.reload(); }
    catch (err) { put(out, msg(errText(err), 'err')); }
  } } }, h('h2', {}, t('withhold.title')), h('p', { cls: 'hint' }, severe ? t('withhold.severe') : t('withhold.hint')),
  field(t('withhold.reason'), reason), h('div', { cls: 'actions' }, h('button', { type: 'submit', id: 'withhold', cls: 'danger', disabled: severe ? true : undefined }, t('withhold.button'))), out);
}

/* The withheld branches (the author's view of the advisory). */
export function withheldTable(ctx, branches) {
  if (!branches || !branches.length) return null;
  return h('section', { id: 'withheld', cls: 'card' }, h('h2', {}, t('withheld.title')), table([
    [t('org'), (b) => h('span', {}, L(b.name), ' ', h('span', { cls: 'id' }, b.hop))], [t('withheld.at'), (b) => time(b.withheld_at)],
    [t('withhold.reason'), (b) => h('span', { cls: 'body' }, b.reason)],
    [t('withheld.notreached'), (b) => flag(String(b.recipients_not_reached), 'warn'), 'num'],
  ], branches, (b) => ({ 'data-hop': b.hop })));
}
