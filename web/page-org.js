// page-org.js - my organisation: its registry entry, its relay policy,
// its users and contacts (org admins), and my API tokens (created and
// shown once, listed without secret, revoked).
import { h, table, select, msg, errText, time, clear, field, dl, flag, enc, put } from './dom.js';
import { t, L, enumLabel, lang } from './i18n.js';
import { get, put as apiPut, post, del } from './api.js';
import { renderLists } from './lists.js';
import { loadNames, orgName, sectorScope, roleNames, userName } from './names.js';

const langName = (l) => (l === 'en' ? 'English' : l === 'ja' ? '日本語' : (l || '—'));

export async function render(main, { ctx }) {
  const me = ctx.me;
  put(main, h('h1', { 'data-title': t('org.title') }, t('org.title')));
  const [org] = await Promise.all([ctx.org || get('/orgs/' + enc(me.org)), loadNames(ctx)]);
  const scopeName = sectorScope(org.sector, org.scope);
  put(main, h('div', { cls: 'card' }, h('h2', {}, L(org.name)), dl([
    [t('id'), h('span', { cls: 'id' }, org.id)], [t('kind'), enumLabel('orgkind', org.kind)],
    org.scope ? [t('scope'), scopeName] : null, org.member_of && org.member_of.length ? [t('org.memberof'), org.member_of.map(orgName).join(lang() === 'en' ? ', ' : '、')] : null,
    org.registry && org.registry.members ? [t('org.members'), String(org.registry.members)] : null,
  ])));

  // relay policy (hops: not operators, but operators relaying to a
  // distribution list are hops for it)
  const relaysToList = org.kind === 'operator' &&
    await get('/orgs/' + enc(org.id) + '/lists').then((r) => r.items.length > 0).catch(() => false);
  if ((org.kind !== 'operator' && org.kind !== 'external') || relaysToList) {
    const box = h('div', { cls: 'card', id: 'policy' }, h('h2', {}, t('org.policy')), h('p', { cls: 'hint' }, t('org.policyx')));
    put(main, box);
    try {
      const p = await get('/orgs/' + enc(org.id) + '/policy');
      if (ctx.has('org_admin', 'admin')) {
        const pol = select('policy', ['auto', 'review'].map((x) => [x, enumLabel('policy', x)]), p.policy);
        const lim = h('input', { type: 'number', min: 0, max: 1440, value: p.review_limit_min });
        const out = h('div', { 'aria-live': 'polite' });
        put(box, h('form', { cls: 'filters', on: { submit: async (e) => {
          e.preventDefault(); clear(out);
          try { await apiPut('/orgs/' + enc(org.id) + '/policy', { policy: pol.value, review_limit_min: Number(lim.value) }); put(out, msg(t('org.policysaved'), 'ok')); }
          catch (err) { put(out, msg(errText(err), 'err')); }
        } } }, field(t('org.policy'), pol), field(t('org.limit'), lim), h('div', { cls: 'row' }, h('button', { type: 'submit' }, t('save')))), out);
      } else put(box, h('p', {}, enumLabel('policy', p.policy) + ' · ' + t('org.limit') + ': ' + p.review_limit_min));
    } catch (e) { put(box, msg(errText(e), 'err')); }
  }

  // handling-rule agreement (docs/rules.md "Handling-rule agreements")
  const agr = h('div', { cls: 'card', id: 'agreement' });
  put(main, agr);
  async function drawAgreement() {
    clear(agr);
    put(agr, h('h2', {}, t('agr.title')), h('p', { cls: 'hint' }, t('agr.x')));
    let a;
    try { a = await get('/orgs/' + enc(org.id) + '/agreements'); } catch (e) { put(agr, msg(errText(e), 'err')); return; }
    const r = a.current_rules;
    const who = (u) => (u ? userName(u) : t('agr.system'));
    put(agr, dl([
      [t('state'), h('span', { id: 'agreement-state', 'data-state': a.state }, flag(enumLabel('agrstate', a.state), a.state === 'active' ? 'ok' : 'warn'))],
      [t('agr.current'), r.version + ' · ' + (lang() === 'en' ? r.title_en : r.title_ja)],
    ]));
    if (a.agreements.length) put(agr, table([
      [t('id'), (x) => h('span', { cls: 'id' }, String(x.id))], [t('agr.version'), (x) => x.rules_version],
      [t('state'), (x) => enumLabel('agrstate', x.state)],
      [t('agr.signedat'), (x) => time(x.signed_at)], [t('agr.signedby'), (x) => who(x.signed_by)],
      [t('agr.withdrawnat'), (x) => (x.withdrawn_at ? time(x.withdrawn_at) : '—')], [t('agr.withdrawnby'), (x) => (x.withdrawn_at ? who(x.withdrawn_by) : '—')],
    ], a.agreements));
    if (!ctx.has('org_admin', 'admin')) { put(agr, h('p', { cls: 'hint' }, t('agr.adminonly'))); return; }
    const out = h('div', { 'aria-live': 'polite', id: 'agreement-out' });
    const act = async (fn, okText) => {
      clear(out);
      try { await fn(); await drawAgreement(); ctx.say(okText, 'ok'); } catch (err) { put(out, msg(errText(err), 'err')); }
    };
    const active = a.agreements.find((x) => x.state === 'active');
    if (active) put(agr, h('div', { cls: 'row' }, h('button', { type: 'button', cls: 'danger', id: 'agreement-withdraw', on: { click: () => act(() => post('/orgs/' + enc(org.id) + '/agreements/' + active.id + '/withdraw'), t('agr.withdrawn')) } }, t('agr.withdraw'))), out);
    else put(agr, h('div', { cls: 'row' }, h('button', { type: 'button', id: 'agreement-sign', on: { click: () => act(() => post('/orgs/' + enc(org.id) + '/agreements', { rules_version: r.version }), t('agr.signed')) } }, t('agr.sign'))), out);
  }
  await drawAgreement();

  if (ctx.has('org_admin', 'admin')) {
    const [users, contacts] = await Promise.all([get('/orgs/' + enc(org.id) + '/users').catch(() => ({ items: [] })), get('/orgs/' + enc(org.id) + '/contacts').catch(() => ({ items: [] }))]);
    put(main, h('h2', {}, t('org.users')), table([
      [t('org.username'), (u) => u.username], [t('org.name'), (u) => u.display_name || '—'], [t('org.roles'), (u) => roleNames(u.roles)],
      [t('org.lang'), (u) => langName(u.lang)], [t('org.enabled'), (u) => (u.disabled ? flag(t('no'), 'warn') : flag(t('yes'), 'ok'))],
    ], users.items));
    put(main, h('h2', {}, t('org.contacts')), table([
      [t('org.priority'), (c) => String(c.priority), 'num'], [t('org.channel'), (c) => enumLabel('channel', c.channel)],
      [t('org.address'), (c) => h('span', { cls: 'id' }, c.address)], [t('org.emergency'), (c) => (c.emergency ? flag(t('org.emergency'), 'warn') : '')],
      [t('org.lang'), (c) => langName(c.lang)],
    ], contacts.items));
  } else put(main, h('p', { cls: 'hint' }, t('org.adminonly')));

  // distribution lists (lists.js)
  await renderLists(main, ctx, org);

  // API tokens of the signed-in user
  const tokBox = h('div', { id: 'tokens' });
  put(main, h('h2', {}, t('org.tokens')), tokBox);
  const secret = h('div', { 'aria-live': 'polite', id: 'token-secret' });
  async function drawTokens() {
    const r = await get('/tokens');
    put(clear(tokBox), table([
      [t('id'), (x) => h('span', { cls: 'id' }, x.id)], [t('org.tokname'), (x) => x.name],
      [t('org.created'), (x) => time(x.created_at)], [t('org.expires'), (x) => time(x.expires_at)],
      [t('state'), (x) => (x.revoked_at ? flag(t('org.revoked').replace(/[。.]$/, ''), 'warn') : h('button', { type: 'button', cls: 'danger', 'aria-label': t('org.revoke') + ' ' + x.name, on: { click: async () => {
        try { await del('/tokens/' + enc(x.id)); ctx.say(t('org.revoked'), 'ok'); drawTokens(); } catch (err) { ctx.say(errText(err), 'err'); }
      } } }, t('org.revoke')))],
    ], r.items));
  }
  const nm = h('input', { type: 'text', maxlength: 100, required: true, name: 'token-name' });
  const days = h('input', { type: 'number', min: 1, max: 3650, name: 'token-days' });
  put(main, h('form', { cls: 'card', on: { submit: async (e) => {
    e.preventDefault(); clear(secret);
    if (!nm.value.trim()) { put(secret, msg(t('org.tokname') + ': ' + t('err.missing_field'), 'err')); return; }
    const body = { name: nm.value.trim() };
    if (days.value) body.expires_in_days = Number(days.value);
    try {
      const r = await post('/tokens', body);
      put(secret, msg(t('org.tokonce'), 'ok'), h('code', { cls: 'secret' }, r.token));
      nm.value = ''; days.value = '';
      drawTokens();
    } catch (err) { put(secret, msg(errText(err), 'err')); }
  } } }, h('h3', {}, t('org.tokcreate')), h('div', { cls: 'filters' }, field(t('org.tokname'), nm), field(t('org.tokdays'), days),
    h('div', { cls: 'row' }, h('button', { type: 'submit' }, t('org.tokcreate')))), secret));
  await drawTokens();
  return () => clear(secret); // the secret never outlives the page
}
