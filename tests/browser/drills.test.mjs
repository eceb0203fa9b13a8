// drills.test.mjs - the drill programme page in Japanese and English: the
// T-CEPTOAR secretariat starts an outage drill by e-mail on sub-group SG1
// (a gateway one is refused, naming the members without a phone or SMS
// contact), reads its report with the reach per sub-group, and finds it in
// the hub's list of its CEPTOAR's drills for the fiscal year with the
// national summary; a member confirms its contacts for a structure drill.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, login, go, shot, mainText, until } from './lib.mjs';

const SEC = 'ceptoar-telecom-secretariat';
const open = [];
after(async () => { for (const b of open) await b.close().catch(() => {}); });
async function actor(user) {
  const b = await browser();
  open.push(b);
  await login(b.page, user);
  return b;
}
function clean(b) {
  assert.deepEqual(b.errors, [], 'no script error');
  assert.deepEqual(b.csp, [], 'no CSP violation');
  assert.deepEqual(b.dialogs, [], 'no dialog');
}
const s = {};

test('the secretariat starts an outage drill on a sub-group (Japanese)', async () => {
  const b = await actor(SEC);
  const p = b.page;
  await go(p, '/drills');
  assert.match(await mainText(p), /訓練の一覧（CEPTOAR・年度別）/);
  assert.match(await mainText(p), /全国の訓練集計/);
  await p.locator('#drill-kind').selectOption('outage');
  await p.locator('#drill-channel').selectOption('gateway');
  await p.locator('#drill-tk').selectOption('subgroup');
  await p.locator('#drill-target').selectOption('telecom-sg1');
  // a second step names who is reached; cancelled, nothing starts (one
  // click started a drill: found by a review)
  await p.locator('#drill-start').click();
  const step = p.locator('#drill-form .confirm-step');
  await step.waitFor();
  assert.match(await step.innerText(), /訓練を開始しますか。[\s\S]*の組織に訓練の連絡が直ちに送られます/);
  assert.ok(await p.locator('#drill-form .confirm-yes').evaluate((el) => document.activeElement === el), 'focus on the confirmation');
  await p.locator('#drill-form .confirm-no').click();
  assert.equal(await step.count(), 0);
  assert.match(p.url(), /#\/drills$/);
  // the demo members have no phone or SMS contact: refused, named, the
  // reason in Japanese (detail_ja)
  await p.locator('#drill-start').click();
  await p.locator('#drill-form .confirm-yes').click();
  await until(async () => /gateway の連絡先がない対象が \d+ 件あります/.test(await p.locator('#drill-error').innerText()), 'the refusal');
  assert.doesNotMatch(await p.locator('#drill-error').innerText(), /no gateway contact/);
  assert.match(await p.locator('#drill-error').innerText(), /op-telecom-0001/);
  await shot(p, 'drill-outage-refused-ja');
  await p.locator('#drill-channel').selectOption('email');
  await p.locator('#drill-start').click();
  await p.locator('#drill-form .confirm-yes').click();
  await p.waitForURL(/#\/drills\/D[0-9a-f]+$/);
  s.drill = p.url().split('/').pop();
  await p.locator('#drill-kind-line').waitFor();
  assert.match(await p.locator('#drill-kind-line').innerText(), /大規模障害想定訓練（単一手段）（電子メール）/);
  await p.locator('#drill-subgroups').waitFor();
  // by name, not id (found by a review)
  assert.match(await p.locator('#drill-subgroups').innerText(), /SG1 固定系基盤/);
  assert.doesNotMatch(await p.locator('#drill-subgroups').innerText(), /telecom-sg1/);
  await shot(p, 'drill-outage-report-ja');
  clean(b);
  s.sec = b;
});

test('the programme lists the drill per CEPTOAR and fiscal year (English)', async () => {
  const p = s.sec.page;
  await go(p, '/drills');
  await p.locator('#lang').click();
  await until(async () => /Drill programme/.test(await mainText(p)), 'English UI');
  const row = p.locator(`#drill-list tr[data-id="${s.drill}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Large outage \(one channel\) \(E-mail\)/);
  assert.match(await row.innerText(), /A sub-group/);
  assert.match(await row.innerText(), /Running \(1-day window open\)/);
  // the summary counts closed windows only: this drill is still open
  await until(async () => /Drills still in their 1-day window/.test(await p.locator('#drill-summary').innerText()), 'summary');
  // the previous fiscal year has none of today's drills
  const fy = p.locator('#drill-fy');
  const years = await fy.locator('option').allInnerTexts();
  assert.match(years[0], /^FY\d{4}$/);
  await fy.selectOption({ index: 1 });
  await until(async () => (await p.locator(`#drill-list tr[data-id="${s.drill}"]`).count()) === 0, 'previous year without the drill');
  await shot(p, 'drill-programme-en');
  await p.locator('#lang').click(); // back to Japanese for the next runs
  await until(async () => /訓練の一覧/.test(await mainText(p)), 'Japanese UI');
  clean(s.sec);
});

test('a drill that does not exist is titled as not found', async () => {
  // it was titled "訓練結果 DNOPE" (found by a review)
  const p = s.sec.page;
  await go(p, '/drills/DNOPE');
  await until(async () => (await p.title()) === 'ページが見つかりません - infrashare', 'the not-found title');
  assert.match(await p.locator('main h1').innerText(), /見つかりません/);
});

test('a member confirms its contacts for a structure drill', async () => {
  const p = s.sec.page;
  await go(p, '/drills');
  await p.locator('#drill-kind').selectOption('structure');
  await p.locator('#drill-tk').selectOption('ceptoar');
  await p.locator('#drill-start').click();
  await p.locator('#drill-form .confirm-yes').click();
  await p.waitForURL(/#\/drills\/D[0-9a-f]+$/);
  const id = p.url().split('/').pop();
  await p.locator('#drill-structure').waitFor();
  assert.match(await p.locator('#drill-structure').innerText(), /確認済 0/);
  const o = await actor('op-telecom-0001');
  await go(o.page, '/drills/' + id);
  await o.page.locator('#drill-confirm').click();
  await until(async () => /連絡先の確認を記録しました/.test(await o.page.locator('#confirm-result').innerText()), 'confirmation');
  await shot(o.page, 'drill-structure-confirm-ja');
  clean(o);
  await go(p, '/drills/' + id);
  await until(async () => /確認済 1/.test(await p.locator('#drill-structure').innerText()), 'confirmed 1');
  clean(s.sec);
});
