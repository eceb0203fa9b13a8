// rollcall.test.mjs - a roll call in the web UI: NISC (Japanese) issues an
// advisory with the roll-call form attached; an operator (English) answers
// it on the advisory page; the gas secretariat (Japanese) and NISC watch
// the board refresh: counts, the per-CEPTOAR table, the not-yet-answered
// list, the answers, and the CSV link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, login, go, shot, until, adminApi } from './lib.mjs';

const NISC = 'nisc-analyst';
const OP = 'op-gas-0001';
const SEC = 'ceptoar-gas-secretariat';
const TITLE_JA = '【安否確認】ガス分野の被害状況';
const TITLE_EN = 'Roll call: status of the gas sector';
const s = {};
const open = [];

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

before(async () => {
  // the chain relays at once, so the members receive it
  await adminApi('PUT', '/orgs/meti/policy', { policy: 'auto', review_limit_min: 30 });
  await adminApi('PUT', '/orgs/ceptoar-gas/policy', { policy: 'auto', review_limit_min: 30 });
});
after(async () => { for (const b of open) await b.close().catch(() => {}); });

test('NISC issues a roll call with the standard form (Japanese)', async () => {
  const b = await actor(NISC);
  s.nisc = b;
  const p = b.page;
  await go(p, '/advisories/new');
  await p.locator('input[name=title_ja]').fill(TITLE_JA);
  await p.locator('input[name=title_en]').fill(TITLE_EN);
  await p.locator('textarea[name=body_ja]').fill('各事業者は被害の有無とサービスの状態を回答してください。');
  await p.locator('textarea[name=body_en]').fill('Each operator: please report whether you are affected and your service state.');
  await p.locator('input[name=sectors][value=gas]').check();
  await p.locator('input[name=range][value=green]').check();
  assert.match(await p.locator('label', { has: p.locator('#issue-rollcall') }).innerText(), /安否確認の回答フォーム/);
  await p.locator('#issue-rollcall').check();
  await p.locator('#issue-submit').click();
  await p.waitForURL(/#\/advisories\/A[0-9a-f]+$/);
  s.adv = p.url().split('/').pop();
  await p.locator('#rc-board').waitFor();
  assert.match(await p.locator('#rc-board h2').innerText(), /回答状況/);
  s.n = Number(await p.locator('#rc-recipients').innerText());
  assert.ok(s.n >= 2, 'the gas members are addressed');
  assert.equal(await p.locator('#rc-answered').innerText(), '0');
  assert.ok((await p.locator('#rc-unanswered-list').innerText()).includes(OP));
  assert.match(await p.locator('#rc-csv').getAttribute('href'), /format=csv/);
  await shot(p, 'rollcall-nisc-board-ja');
  clean(b);
});

test('an operator answers it in English; answering acknowledges', async () => {
  const b = await actor(OP);
  const p = b.page;
  await p.locator('#lang').click();
  await until(async () => (await p.locator('#logout').innerText()).includes('Sign out'), 'English UI');
  // the inbox offers the answer, not a one-click acknowledgement
  await go(p, '/inbox');
  const row = p.locator(`#inbox tr[data-id="${s.adv}"]`);
  assert.match(await row.innerText(), /Not answered/);
  assert.equal(await row.locator('button[data-ack]').count(), 0);
  await row.locator('a', { hasText: 'Send answer' }).click();
  await p.locator('#rc-form').waitFor();
  const form = await p.locator('#rc-form').innerText();
  assert.match(form, /Roll call \(please answer\)/);
  assert.match(form, /Affected\?/);
  assert.match(form, /Degraded/);
  assert.equal(await p.locator('#ack').count(), 0, 'no plain acknowledge button on a roll call');
  assert.equal(await p.locator('#rc-board').innerText(), '', 'no board for an operator');
  // a required question left out: the hub names it, nothing recorded
  await p.locator('#rc-service_state-degraded').check();
  await p.locator('#rc-submit').click();
  await until(async () => (await p.locator('#rc-errors').innerText()).includes('Affected?'), 'the error names the question');
  await p.locator('#rc-affected-yes').check();
  await p.locator('#rc-q-details').fill('Partial outage in one district');
  await p.locator('#rc-submit').click();
  await until(async () => (await p.locator('#rc-mine').innerText().catch(() => '')).includes('Answered'), 'answered');
  assert.match(await p.locator('#rc-submit').innerText(), /Replace our answer/);
  await shot(p, 'rollcall-operator-answer-en');
  clean(b);
  await b.close();
});

test('the secretariat and NISC see the board update (Japanese)', async () => {
  const b = await actor(SEC);
  const p = b.page;
  // the language is the user's stored choice: an earlier scenario may have
  // left this secretariat in English
  if ((await p.locator('#logout').innerText()).includes('Sign out')) {
    await p.locator('#lang').click();
    await until(async () => !(await p.locator('#logout').innerText()).includes('Sign out'), 'Japanese UI');
  }
  await go(p, '/advisories/' + s.adv);
  await p.locator('#rc-board h2').waitFor();
  assert.equal(await p.locator('#rc-answered').innerText(), '1');
  assert.ok(!(await p.locator('#rc-unanswered-list').innerText()).includes(OP), 'the operator left the list');
  const answers = await p.locator('#rc-answers').innerText();
  assert.ok(answers.includes(OP) && answers.includes('一部支障') && answers.includes('はい'), answers);
  // the CEPTOAR by name, its id only in data-key
  assert.match(await p.locator('#rc-by-ceptoar tr[data-key="ceptoar-gas"]').innerText(), /GAS CEPTOAR/);
  assert.doesNotMatch(await p.locator('#rc-by-ceptoar').innerText(), /ceptoar-gas/);
  await shot(p, 'rollcall-secretariat-board-ja');
  clean(b);
  // NISC's page (opened before the answer) refreshes by itself
  const q = s.nisc.page;
  await until(async () => (await q.locator('#rc-answered').innerText().catch(() => '')) === '1', 'NISC board refreshed', 20000);
  assert.equal(await q.locator('#rc-unanswered').innerText(), String(s.n - 1));
  clean(s.nisc);
});
