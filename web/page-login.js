// page-login.js - sign in (POST /api/v1/session).
import { h, msg, errText, field, put } from './dom.js';
import { t } from './i18n.js';
import { post } from './api.js';

export async function render(main, { ctx }) {
  const user = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true, maxlength: 64 });
  const pass = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, maxlength: 256 });
  const out = h('div', { 'aria-live': 'assertive' });
  const btn = h('button', { type: 'submit' }, t('login.submit'));
  const form = h('form', { cls: 'card', novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    out.textContent = '';
    btn.disabled = true;
    try {
      const r = await post('/session', { username: user.value.trim(), password: pass.value });
      pass.value = '';
      await ctx.signedIn(r.user, r.csrf_token, r.expires_at);
      ctx.say('');
      ctx.go('/');
    } catch (err) {
      out.appendChild(msg(errText(err), 'err'));
      pass.focus();
    } finally { btn.disabled = false; }
  } } },
  field(t('login.user'), user), field(t('login.pass'), pass), h('div', { cls: 'actions' }, btn), out);
  put(main, h('h1', { 'data-title': t('login.title') }, t('login.title')), form,
    h('p', {}, h('a', { href: '/public' }, t('login.public'))));
  user.focus();
}
