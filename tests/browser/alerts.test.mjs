// alerts.test.mjs - upward alerts in the UI: an operator files a
// severity-4 report; NISC's "unopened severe reports" panel lists it under
// METI (the hop that has not opened it), in Japanese and in English; once
// a METI user opens the report, the panel no longer lists it there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, login, go, drawn, shot, mainText, until, adminApi, pageApi } from './lib.mjs';

const OP = 'op-gas-0001';
const TITLE = 'ガス制御系の停止（警報テスト）' + Date.now();
const open = [];
const s = {};

async function actor(user) {
  const b = await browser();
  open.push(b);
  await login(b.page, user);
  return b;
}
function clean(b) {
  assert.deepEqual(b.errors, [], 'no script error');
  assert.deepEqual(b.csp, [], 'no CSP violation');
}

before(async () => {
  // METI reviews: the report stays there unopened
  await adminApi('PUT', '/orgs/meti/policy', { policy: 'review', review_limit_min: 30 });
});
after(async () => {
  await adminApi('PUT', '/orgs/meti/policy', { policy: 'auto', review_limit_min: 30 });
  for (const b of open) await b.close().catch(() => {});
});

test('an operator files a severity-4 report; NISC sees it unopened at METI (ja, en)', async () => {
  const o = await actor(OP);
  const r = await pageApi(o.page, 'POST', '/reports', {
    title: TITLE, kind: 'incident', range: 'green', route: 'direct',
    detected_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    what_happened: 'ガバナ制御が停止', declared_severity: 4, declared_reason: '供給停止のおそれ',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  s.id = r.body.id;
  assert.equal((await mainText(o.page)).includes('未開封の重大な報告'), false);
  await o.close();

  const b = await actor('nisc-analyst');
  const p = b.page;
  await go(p, '/alerts');
  await p.locator('main h1', { hasText: '未開封の重大な報告' }).waitFor();
  assert.ok((await p.locator('#nav').innerText()).includes('未開封の報告'));
  const meti = p.locator('section[data-hop=meti]');
  await until(async () => (await meti.innerText()).includes(TITLE), 'the report under METI');
  const text = await meti.innerText();
  assert.ok(text.includes(s.id) && /経過/.test(text) && /督促/.test(text));
  await shot(p, 'nisc-alerts-ja');
  await p.locator('#lang').click();
  await p.locator('main h1', { hasText: 'Unopened severe reports' }).waitFor();
  const en = await p.locator('section[data-hop=meti]').innerText();
  assert.ok(en.includes(TITLE) && /Waiting/.test(en) && /not yet/.test(en));
  await shot(p, 'nisc-alerts-en');
  await p.locator('#lang').click(); // back to Japanese for the next user
  clean(b);
});

test('once METI opens the report, NISC no longer sees it unopened there', async () => {
  const m = await actor('meti-desk');
  await go(m.page, '/reports/' + s.id);
  await m.page.locator('main h1', { hasText: TITLE }).waitFor();
  const p = open.find((x) => x.page && !x.page.isClosed() && x !== m).page;
  await until(async () => {
    await p.reload();
    await p.locator('main h1', { hasText: '未開封の重大な報告' }).waitFor();
    await drawn(p);
    return !(await mainText(p)).includes(TITLE);
  }, 'gone from the panel');
  clean(m);
});
