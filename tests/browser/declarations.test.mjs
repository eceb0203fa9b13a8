// declarations.test.mjs - the large-scale outage mode banner: while NISC's
// declaration is active every page of a signed-in user shows it, in
// Japanese and in English; after the end it is gone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, login, go, shot, until, pageApi } from './lib.mjs';

const open = [];
after(async () => { for (const b of open) await b.close().catch(() => {}); });

// water and medical: sectors the other scenarios do not use (the roll
// call goes to their operators)
const TITLE_JA = '大規模IT障害（水道・医療）';
const TITLE_EN = 'Large-scale outage (water, medical)';

test('the mode banner shows on every page while a declaration is active, in both languages', async () => {
  const nisc = await browser();
  open.push(nisc);
  await login(nisc.page, 'nisc-analyst');
  const op = await browser();
  open.push(op);
  await login(op.page, 'op-electricity-0001');
  assert.equal(await op.page.locator('#mode').isVisible(), false, 'no banner in normal mode');

  const r = await pageApi(nisc.page, 'POST', '/declarations', {
    title_ja: TITLE_JA, title_en: TITLE_EN, reason: 'browser test',
    sectors: ['water', 'medical'] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.id;
  try {
    await banners(op, nisc, id);
  } finally {
    // the other scenarios run in the normal mode
    await pageApi(nisc.page, 'POST', `/declarations/${id}/end`);
  }
});

async function banners(op, nisc, id) {
  const p = op.page;
  const banner = p.locator('#mode');
  // every page, each loaded afresh (the home page last: the one the
  // sign-in left open is reloaded)
  for (const page of ['/inbox', '/reports', '/org', '/']) {
    await go(p, page);
    await until(async () => banner.isVisible(), 'the banner on ' + page);
    const text = await banner.innerText();
    assert.match(text, /大規模IT障害発生時モード/);
    assert.ok(text.includes(TITLE_JA), text);
    assert.match(text, /水道/);
  }
  await shot(p, 'mode-banner-ja');
  await p.locator('#lang').click();
  await until(async () => /Large-scale outage mode/.test(await banner.innerText()), 'the English banner');
  const en = await banner.innerText();
  assert.ok(en.includes(TITLE_EN), en);
  assert.match(en, /Water/);
  assert.equal(await banner.getAttribute('role'), 'region');
  await shot(p, 'mode-banner-en');
  // NISC's own pages show it too
  await go(nisc.page, '/events');
  await until(async () => nisc.page.locator('#mode').isVisible(), 'the banner at NISC');

  const e = await pageApi(nisc.page, 'POST', `/declarations/${id}/end`);
  assert.equal(e.status, 200, JSON.stringify(e.body));
  await go(p, '/reports');
  await until(async () => !(await banner.isVisible()), 'the banner gone after the end');
  // back to Japanese (kept on the hub) for the next tests' user
  await p.locator('#lang').click();
  await until(async () => p.evaluate(() => document.documentElement.lang === 'ja'), 'Japanese again');
  for (const b of [nisc, op]) {
    assert.deepEqual(b.errors, [], 'no script error');
    assert.deepEqual(b.csp, [], 'no CSP violation');
  }
}
