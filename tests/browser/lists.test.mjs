// lists.test.mjs - distribution lists on the organisation page and
// withholding on the advisory page, in Japanese and English: a water hub
// sees and edits its list (a member it may not see is refused), withholds
// an advisory with a reason, and the author sees the withheld branch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, login, go, shot, until, adminApi, pageApi } from './lib.mjs';

const HUB = 'op-water-0001';
const SEC = 'ceptoar-water-secretariat';
const REASON = '当地域の事業体には該当しないため / not relevant here';
const open = [];
const s = {};

async function actor(user, opts) {
  const b = await browser(opts);
  open.push(b);
  if (user) await login(b.page, user);
  return b;
}
function clean(b) {
  assert.deepEqual(b.errors, [], 'no script error');
  assert.deepEqual(b.csp, [], 'no CSP violation');
}

before(async () => {
  // the hub reviews before relaying to its list
  await adminApi('PUT', '/orgs/' + HUB + '/policy', { policy: 'review', review_limit_min: 60 });
});
after(async () => { for (const b of open) await b.close().catch(() => {}); });

test('a hub manages its distribution list (Japanese, then English)', async () => {
  const b = await actor(HUB);
  const p = b.page;
  await go(p, '/org');
  const lists = p.locator('#lists');
  await lists.waitFor();
  assert.match(await lists.innerText(), /配信先リスト/);
  assert.match(await p.locator('#lists tr[data-list="L-demo-water-1"]').innerText(), /169/);
  // a hub relaying to a list sets its relay policy like any hop
  assert.match(await p.locator('#policy').innerText(), /中継の方針/);
  // a member outside the hub's visibility: refused, nothing added
  await p.locator('input[name=list-name-ja]').fill('訓練用リスト');
  await p.locator('input[name=list-name-en]').fill('Drill list');
  await p.locator('textarea[name=list-members-new]').fill('ext-telecom-0001');
  await p.locator('#list-create button[type=submit]').click();
  await until(async () => /正しくありません|members/.test(await p.locator('#lists-msg').innerText()), 'refusal shown');
  assert.equal(await p.locator('#lists tbody tr').count(), 1);
  // one of its own utilities: created
  await p.locator('textarea[name=list-members-new]').fill('ext-water-0001');
  await p.locator('#list-create button[type=submit]').click();
  await until(async () => (await p.locator('#lists tbody tr').count()) === 2, 'list created');
  await shot(p, 'lists-ja');
  await p.locator('#lang').click();
  await until(async () => /Distribution lists/.test(await p.locator('#lists').innerText()), 'English');
  await shot(p, 'lists-en');
  await p.locator('#lang').click();
  await until(async () => /配信先リスト/.test(await p.locator('#lists').innerText()), 'back to Japanese');
  clean(b);
});

test('the hub withholds an advisory with a reason; the author sees the branch', async () => {
  const sec = await actor(SEC);
  const r = await pageApi(sec.page, 'POST', '/advisories', {
    kind: 'security_info', range: 'amber', severity: 1, title_ja: '保留の試験', title_en: 'Withholding test',
    body_ja: '本文', body_en: 'Body', audience: { ceptoars: ['ceptoar-water'], include_lists: true } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  s.adv = r.body.id;
  assert.equal(r.body.recipients, 1360);

  const b = await actor(HUB);
  const p = b.page;
  await go(p, '/advisories/' + s.adv);
  await p.locator('#withhold-form').waitFor();
  await p.locator('textarea[name=withhold_reason]').fill(REASON);
  await p.locator('#withhold').click();
  await until(async () => !(await p.locator('#withhold-form').count()), 'form gone after withholding');
  await until(async () => /保留（中継せず）/.test(await p.locator('main').innerText()), 'chain shows withheld');
  // the hub is not the author: no withheld table for it
  assert.equal(await p.locator('#withheld').count(), 0);
  clean(b);

  const sp = sec.page;
  await go(sp, '/advisories/' + s.adv);
  const w = sp.locator('#withheld');
  await w.waitFor();
  const text = await w.innerText();
  assert.match(text, /中継されなかった経路/);
  assert.ok(text.includes(REASON));
  assert.match(await sp.locator(`#withheld tr[data-hop="${HUB}"]`).innerText(), /169/);
  await sp.locator('#lang').click();
  await until(async () => /Withheld branches/.test(await sp.locator('#withheld').innerText()), 'English');
  await sp.locator('#lang').click();
  await until(async () => /中継されなかった経路/.test(await sp.locator('#withheld').innerText()), 'back to Japanese');
  clean(sec);
});
