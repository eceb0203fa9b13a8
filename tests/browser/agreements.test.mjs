// agreements.test.mjs - the handling-rule agreement on the organisation
// page: an org admin signs in Japanese and withdraws in English; the state
// and the history follow, and the hub agrees (read back through the API);
// a user without org_admin sees the state and no buttons.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, login, go, shot, until, adminApi } from './lib.mjs';

const ADMIN = 'ceptoar-gas-secretariat'; // roles include org_admin
const ORG = 'ceptoar-gas';
const open = [];
after(async () => { for (const b of open) await b.close().catch(() => {}); });

function clean(b) {
  assert.deepEqual(b.errors, [], 'no script error');
  assert.deepEqual(b.csp, [], 'no CSP violation');
  assert.deepEqual(b.dialogs, [], 'no dialog');
}
const state = (p) => p.locator('#agreement-state').getAttribute('data-state');

test('an org admin agrees in Japanese and withdraws in English', async () => {
  const before = await adminApi('GET', `/orgs/${ORG}/agreements`);
  assert.equal(before.state, 'none');
  const b = await browser();
  open.push(b);
  const p = b.page;
  await login(p, ADMIN);
  await go(p, '/org');
  await p.locator('#agreement-state').waitFor();
  assert.equal(await state(p), 'none');
  const box = p.locator('#agreement');
  assert.ok((await box.innerText()).includes('取扱いルールへの同意'));
  assert.ok((await box.innerText()).includes('未同意'));
  await p.locator('#agreement-sign').click();
  await until(async () => (await state(p)) === 'active', 'signed');
  const ja = await box.innerText();
  assert.ok(ja.includes('同意中') && ja.includes(ADMIN) && ja.includes('2026.1'), ja);
  await shot(p, 'agreement-signed-ja');
  const mid = await adminApi('GET', `/orgs/${ORG}/agreements`);
  assert.equal(mid.state, 'active');
  assert.equal(mid.agreements[0].signed_by.username, ADMIN);

  await p.locator('#lang').click();
  // the page is drawn again in English: wait for the whole box (heading
  // and state), not only its heading (a race seen in a fresh-clone run)
  await until(async () => {
    const t = await box.innerText();
    return t.includes('Handling-rule agreement') && t.includes('agreed');
  }, 'English UI with the state "agreed"');
  await p.locator('#agreement-withdraw').click();
  await until(async () => (await state(p)) === 'withdrawn', 'withdrawn');
  const en = await box.innerText();
  assert.ok(en.includes('withdrawn') && en.includes('Agree to the current rules'), en);
  await shot(p, 'agreement-withdrawn-en');
  const end = await adminApi('GET', `/orgs/${ORG}/agreements`);
  assert.equal(end.state, 'withdrawn');
  assert.equal(end.agreements[0].withdrawn_by.username, ADMIN);
  clean(b);
});

test('a user without org_admin sees the state and no buttons', async () => {
  const b = await browser();
  open.push(b);
  const p = b.page;
  await login(p, 'jpcert-desk'); // the demo data records JPCERT/CC as agreed
  await go(p, '/org');
  await p.locator('#agreement-state').waitFor();
  assert.equal(await state(p), 'active');
  assert.equal(await p.locator('#agreement-sign, #agreement-withdraw').count(), 0);
  clean(b);
});
