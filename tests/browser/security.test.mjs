// security.test.mjs - the UI's security properties and its budget: CSP
// without inline script, no HTML parsing of data in the sources, the
// session cookie's flags, server-side log-out, keyboard sign-in, 200 %
// zoom, and the bytes of a first load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { browser, login, go, shot, until, URL } from './lib.mjs';

const WEB = path.join(import.meta.dirname, '..', '..', 'web');

test('HTML is served with a CSP that allows no inline script or style', async () => {
  for (const p of ['/', '/public']) {
    const r = await fetch(URL + p);
    assert.equal(r.status, 200);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'/, p);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, p);
    assert.match(csp, /style-src 'self'/, p);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    const html = await r.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline <script> in ' + p);
    assert.doesNotMatch(html, /\sstyle=|\son[a-z]+=/i, 'no style= or on*= attributes in ' + p);
  }
  const js = await fetch(URL + '/ui/app.js');
  assert.match(js.headers.get('content-type'), /text\/javascript/);
  assert.equal((await fetch(URL + '/ui/nope.js')).status, 404);
  assert.equal((await fetch(URL + '/ui/..%2fmeson.build')).status, 404);
});

test('every file of web/ is embedded and served as it is in the tree', async () => {
  for (const f of fs.readdirSync(WEB)) {
    const r = await fetch(URL + '/ui/' + f);
    assert.equal(r.status, 200, f + ' is not embedded (meson.build web_c)');
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(fs.readFileSync(path.join(WEB, f))), f + ' differs: rebuild');
  }
  const index = Buffer.from(await (await fetch(URL + '/')).arrayBuffer());
  assert.ok(index.equals(fs.readFileSync(path.join(WEB, 'index.html'))));
});

test('the UI sources never parse data as HTML', () => {
  for (const f of fs.readdirSync(WEB).filter((x) => x.endsWith('.js'))) {
    const src = fs.readFileSync(path.join(WEB, f), 'utf8');
    assert.doesNotMatch(src, /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/, f);
    assert.doesNotMatch(src, /setAttribute\(\s*['"]style|\.style\./, f + ': styles live in app.css');
  }
});

test('the session cookie is HttpOnly and SameSite=Strict; log-out ends it on the server', async () => {
  const b = await browser();
  await login(b.page, 'op-electricity-0003');
  const c = (await b.ctx.cookies(URL)).find((x) => x.name === 'infrashare_session');
  assert.ok(c, 'session cookie set');
  assert.equal(c.httpOnly, true);
  assert.equal(c.sameSite, 'Strict');
  assert.equal(await b.page.evaluate(() => document.cookie.includes('infrashare_session')), false);
  const cookie = 'infrashare_session=' + c.value;
  assert.equal((await fetch(URL + '/api/v1/session', { headers: { Cookie: cookie } })).status, 200);
  // a state change without the CSRF token is refused even with the cookie
  const noCsrf = await fetch(URL + '/api/v1/session/lang', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: '{"lang":"en"}' });
  assert.equal(noCsrf.status, 403);
  await b.page.locator('#logout').click();
  await b.page.locator('input[name=username]').waitFor();
  const after = await fetch(URL + '/api/v1/session', { headers: { Cookie: cookie } });
  assert.equal(after.status, 401, 'the old cookie is refused after log-out');
  assert.equal((await b.ctx.cookies(URL)).filter((x) => x.name === 'infrashare_session' && x.value).length, 0);
  assert.deepEqual(b.errors, []);
  await b.close();
});

test('sign-in and acknowledgement work with the keyboard alone', async () => {
  const b = await browser();
  const p = b.page;
  await p.goto(URL + '/#/login');
  await p.locator('input[name=username]').waitFor();
  // the user name field has focus on arrival
  await p.keyboard.type('op-electricity-0004');
  await p.keyboard.press('Tab');
  await p.keyboard.type('infrashare-demo');
  await p.keyboard.press('Enter');
  await p.locator('#whoami').waitFor();
  // after a page change the focus is on the page's heading
  await until(async () => (await p.evaluate(() => document.activeElement.tagName)) === 'H1', 'focus on h1');
  await go(p, '/inbox');
  const btn = p.locator('#inbox button[data-ack]').first();
  if (await btn.count()) {
    await btn.focus();
    await p.keyboard.press('Enter');
    await until(async () => /確認済/.test(await p.locator('#inbox').innerText()), 'acknowledged by keyboard');
  }
  assert.deepEqual(b.errors, []);
  await b.close();
});

test('pages reflow at 200 % zoom without horizontal scrolling', async () => {
  // 200 % zoom of a 1280-pixel window: a 640 CSS-pixel viewport at scale 2
  const b = await browser({ viewport: { width: 640, height: 800 }, scale: 2 });
  const p = b.page;
  await login(p, 'op-electricity-0005');
  for (const [hash, name] of [['/report/new', 'zoom200-report-form-ja'], ['/inbox', 'zoom200-inbox-ja'], ['/', 'zoom200-home-ja']]) {
    await go(p, hash);
    await new Promise((r) => setTimeout(r, 300));
    const over = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(over <= 1, `${hash}: ${over}px of horizontal overflow`);
    await shot(p, name);
  }
  assert.deepEqual(b.errors, []);
  await b.close();
});

test('a first load stays within 200 KB of UI assets', async () => {
  const b = await browser();
  const p = b.page;
  const sizes = new Map();
  p.on('response', async (r) => {
    const u = new global.URL(r.url());
    if (u.pathname.startsWith('/api/')) return;
    const body = await r.body().catch(() => null);
    if (body) sizes.set(u.pathname, body.length);
  });
  await p.goto(URL + '/');
  await p.locator('input[name=username]').waitFor();
  const before = [...sizes.values()].reduce((a, x) => a + x, 0);
  await login(p, 'nisc-analyst');
  await go(p, '/reports');
  await p.locator('#reports-out').waitFor();
  await new Promise((r) => setTimeout(r, 300));
  const total = [...sizes.values()].reduce((a, x) => a + x, 0);
  const all = fs.readdirSync(WEB).reduce((a, f) => a + fs.statSync(path.join(WEB, f)).size, 0);
  console.log(`# first load: sign-in page ${before} bytes; signed in + report list ${total} bytes (${sizes.size} files); all UI assets ${all} bytes`);
  // the budget is the first load (issue 11): pages are modules loaded when
  // opened, so the sum of every asset is reported, not bounded
  assert.ok(total <= 200 * 1024, `first load ${total} bytes`);
  await b.close();
});
