// ui-outage-mode.test.mjs - large-scale outage mode: NISC declares from its
// page (in Japanese) and ends it (in English); while the declaration is
// active every page of a signed-in user shows the banner, in Japanese and
// in English, linking to the declaration; after the end it is gone.
// Runs after the other scenarios (node orders the files by name): its roll
// call reaches many demo operators, whose escalations fill the audit log.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, login, go, shot, until, pageApi, mainText } from './lib.mjs';

const open = [];
after(async () => { for (const b of open) await b.close().catch(() => {}); });

// water and medical: sectors the other scenarios do not use (the roll
// call goes to their operators)
const TITLE_JA = '大規模IT障害（水道・医療）';
const TITLE_EN = 'Large-scale outage (water, medical)';

test('NISC declares and ends a large-scale outage from its page; the mode banner shows on every page, in both languages', async () => {
  const nisc = await browser();
  open.push(nisc);
  await login(nisc.page, 'nisc-analyst');
  const op = await browser();
  open.push(op);
  await login(op.page, 'op-electricity-0001');
  assert.equal(await op.page.locator('#mode').isVisible(), false, 'no banner in normal mode');

  // NISC declares through its page, in Japanese
  const np = nisc.page;
  await go(np, '/declarations');
  assert.match(await np.locator('#decl-mode').innerText(), /平時/);
  // an empty form: the page says it beside the field, in Japanese,
  // never the browser's bubble in its own language (found by a review)
  await np.locator('#declare-form button[type=submit]').click();
  const need = np.locator('#verr-title_ja');
  await need.waitFor();
  assert.equal(await need.innerText(), '入力してください。');
  const tj = np.locator('#declare-form input[name=title_ja]');
  assert.equal(await tj.getAttribute('aria-invalid'), 'true');
  assert.ok((await tj.getAttribute('aria-describedby')).split(' ').includes('verr-title_ja'));
  assert.ok(await tj.evaluate((el) => document.activeElement === el), 'focus on the first empty field');
  await np.locator('#declare-form input[name=title_ja]').fill(TITLE_JA);
  assert.equal(await need.count(), 0, 'the message goes once the field is filled');
  await np.locator('#declare-form input[name=title_en]').fill(TITLE_EN);
  await np.locator('#declare-form textarea[name=reason]').fill('ブラウザ試験 / browser test');
  await np.locator('#declare-form input[name=sectors][value=water]').check();
  await np.locator('#declare-form input[name=sectors][value=medical]').check();
  await np.locator('#declare-form button[type=submit]').click();
  // a second step names the sectors first (one click sent the roll call:
  // found by a review)
  const step = np.locator('#declare-form .confirm-step');
  await step.waitFor();
  assert.match(await step.innerText(), /対象：医療、水道。対象分野の事業者に点呼が直ちに送られ/);
  await np.locator('#declare-form .confirm-yes').click();
  await until(async () => /\/declarations\/D[0-9a-f]+$/.test(np.url()), 'the declaration page');
  const id = np.url().split('/').pop();
  try {
    await until(async () => (await np.locator('main h1').innerText()) === TITLE_JA, 'its title');
    assert.match(await mainText(np), /発令中/);
    // no report linked yet: said, not a table of headers alone
    assert.equal(await np.locator('#decl-reports').innerText(), 'この宣言に連携された報告はまだありません。');
    // its roll call is linked to it
    await until(async () => /【点呼】/.test(await np.locator('#decl-advisories').innerText()), 'the roll call listed');
    await shot(np, 'declaration-ja');
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
  // the banner leads to the declaration, with the roll call it started
  await p.locator('#mode a').first().click();
  await until(async () => (await p.locator('main h1').innerText()) === TITLE_EN, 'the declaration from the banner');
  await until(async () => /\[Roll call\]/.test(await p.locator('#decl-advisories').innerText()), 'the roll call (English)');
  assert.equal(await p.locator('#end-form').count(), 0, 'an operator cannot end it');
  // NISC, in English, ends it from its page
  const np = nisc.page;
  await np.locator('#lang').click();
  await until(async () => /Large-scale outage mode/.test(await np.locator('#mode').innerText()), 'NISC\'s English banner');
  await np.locator('#end-form button[type=submit]').click();
  await until(async () => /ended/.test(await np.locator('main .meta').first().innerText()), 'ended');
  await until(async () => !(await np.locator('#mode').isVisible()), 'NISC\'s banner gone');
  await np.locator('#lang').click();
  await until(async () => np.evaluate(() => document.documentElement.lang === 'ja'), 'NISC in Japanese again');
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
