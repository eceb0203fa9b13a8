// taxii.test.mjs - the TAXII peers page (TAXII 連携, issue 16, the UI) on a
// real daemon with the demo data, in Japanese and English, at 1366x768 and
// 390x844; every page checked with axe-core, no script error, no CSP
// violation, no dialog, no response >= 400 (but the refusals the test asks
// for) and no sideways scrolling on a phone:
//  - the hub's admin has the menu entry; an API root without its trailing
//    "/" is refused by the hub (400, field api_root) and shown at the field;
//  - a peer at a closed local port, added through the form: "sync now"
//    shows it failing with the connection failure as its reason, in the
//    card and in the list;
//  - a peer at the hub's own TAXII API root with a token of an operator's
//    user (made with the CLI), after that operator posted an indicator:
//    "sync now" shows it ok with the counts the API gives; its log lists
//    the runs (pull and push, ✓);
//  - a peer at a TAXII server the test runs (HTTP Basic, one good object,
//    one bad one, one STIX report; mapping "advisories"): the log shows
//    the bad object quarantined with its id, reason and JSON (folded),
//    and the report's advisory with a link that opens it;
//  - a peer removed after a confirmation in the page;
//  - a user who is no hub admin has no menu entry and, going to the page,
//    gets the API's 403 said in the page.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { browser, login, go, shot, until, axeCheck, watch, settle, adminApi, URL, setLang } from './lib.mjs';

const VIEWS = { 1366: { width: 1366, height: 768 }, 390: { width: 390, height: 844 } };
// run.sh makes the demo hub with this admin password
const ADMIN_PW = process.env.INFRASHARE_ADMIN_PASSWORD || 'browser-test-admin-password';
const OP = 'op-gas-0001';
const open = [];
const s = {};

/* ---------- a TAXII 2.1 server of the test's own ---------- */
const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
const FEED_AUTH = 'Basic ' + Buffer.from('feeder:feed-secret-1').toString('base64');
const GOOD = {
  type: 'indicator', spec_version: '2.1', id: 'indicator--5b1e6a52-4a0c-4c61-9a43-0b6a5d2f7e11',
  created: '2026-11-29T01:00:00.000Z', modified: '2026-11-29T01:00:00.000Z', name: 'feed: bad host',
  pattern: "[domain-name:value = 'bad-host.example']", pattern_type: 'stix', valid_from: '2026-11-29T01:00:00Z',
  object_marking_refs: [GREEN],
};
const BAD = { type: 'indicator', spec_version: '2.1', id: 'indicator--not-a-uuid', name: 'broken <b>one</b>', pattern: '[x]' };
const REPORT = {
  type: 'report', spec_version: '2.1', id: 'report--0c7c3f1e-2f77-4b8e-9d0d-6c3f3e1b2a44',
  created: '2026-11-29T02:00:00.000Z', modified: '2026-11-29T02:00:00.000Z',
  name: 'Feed report: phishing wave', description: 'A phishing wave against gas operators.',
  published: '2026-11-29T02:00:00Z', report_types: ['threat-report'], object_refs: [GOOD.id],
  labels: ['severity-3'], object_marking_refs: [GREEN],
};
let feed, feedRoot, closedRoot;
function startFeed() {
  return new Promise((done) => {
    feed = http.createServer((req, res) => {
      const send = (status, body) => {
        res.writeHead(status, { 'Content-Type': 'application/taxii+json;version=2.1', 'X-TAXII-Date-Added-Last': '2026-11-29T02:00:00.000000Z' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== FEED_AUTH) return send(401, { title: 'no', http_status: '401' });
      if (req.method === 'GET' && req.url.startsWith('/feed/collections/news/objects/')) {
        return send(200, { more: false, objects: [GOOD, BAD, REPORT] });
      }
      return send(404, { title: 'not found', http_status: '404' });
    });
    feed.listen(0, '127.0.0.1', () => { feedRoot = `http://127.0.0.1:${feed.address().port}/feed/`; done(); });
  });
}
/* A local port nothing listens on: one the system gave and took back. */
function closedPort() {
  return new Promise((done) => {
    const x = http.createServer();
    x.listen(0, '127.0.0.1', () => { const p = x.address().port; x.close(() => done(p)); });
  });
}

before(async () => {
  await startFeed();
  closedRoot = `http://127.0.0.1:${await closedPort()}/taxii2/remote/`;
});
after(async () => {
  for (const b of open) await b.close().catch(() => {});
  if (feed) feed.close();
});

/* An API token of a demo user, made with the CLI on the test's database. */
function tokenFor(user) {
  const out = execFileSync(path.join(process.env.INFRASHARE_BUILD, 'infrashare'),
    ['--db', process.env.INFRASHARE_DB, 'token', 'create', user, '--name', 'taxii-test'], { encoding: 'utf8' });
  const m = /ist_[A-Za-z0-9_-]+/.exec(out);
  assert.ok(m, 'a token for ' + user);
  return m[0];
}

async function actor(user, pw, view = '1366') {
  const b = watch(await browser({ viewport: VIEWS[view] }));
  open.push(b);
  await login(b.page, user, pw);
  await setLang(b.page, 'ja');
  return b;
}
/* Drops what the browser logged about a refusal the test asked for. */
function expected(b, status, what) {
  const before = b.problems.length;
  b.problems = b.problems.filter((x) => !(x.startsWith(`${status} ${what}`) || (x.startsWith('console:') && x.includes(`status of ${status}`))));
  assert.ok(b.problems.length < before, `the ${status} was seen`);
}
async function check(b, name, view) {
  await settle(b);
  if (view === '390') {
    const w = await b.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(w[0] <= w[1] + 1, `${name}: the page scrolls sideways (${w[0]} > ${w[1]})`);
    const narrow = await b.page.evaluate(() => [...document.querySelectorAll('main .tablewrap td > .cell')]
      .filter((c) => c.offsetParent && c.getBoundingClientRect().width < 150).map((c) => c.closest('td').dataset.label));
    assert.deepEqual(narrow, [], name + ': no squeezed table cell');
  }
  await shot(b.page, name);
  await axeCheck(b.page, name, ['heading-order', 'empty-table-header']);
  assert.deepEqual(b.errors, [], name + ': no script error');
  assert.deepEqual(b.csp, [], name + ': no CSP violation');
  assert.deepEqual(b.dialogs, [], name + ': no dialog');
  assert.deepEqual(b.problems, [], name + ': no failed request');
}
async function everyWay(b, name, ready) {
  const p = b.page;
  for (const l of ['ja', 'en']) {
    await setLang(p, l);
    for (const v of ['1366', '390']) {
      await p.setViewportSize(VIEWS[v]);
      if (ready) await ready(l, v);
      await check(b, `${name}-${l}-${v}`, v);
    }
  }
  await setLang(p, 'ja');
  await p.setViewportSize(VIEWS[1366]);
}
const card = (p, id) => p.locator(`#tx-peer-${id}`);
async function peersApi() { return (await adminApi('GET', '/taxii/peers')).items; }
async function byName(name) {
  return until(async () => (await peersApi()).find((x) => x.name === name), 'the peer ' + name);
}

/* Fills the form and submits it. */
async function addPeer(p, v) {
  const f = p.locator('#tx-form');
  await f.locator('#tx-f-name').fill(v.name);
  await f.locator('#tx-f-org').fill(v.org);
  await f.locator('#tx-f-api_root').fill(v.api_root);
  await f.locator('#tx-f-collection').fill(v.collection);
  await f.locator(`input[name=tx-direction][value=${v.direction}]`).check();
  await f.locator('#tx-f-token').fill(v.token);
  if (v.auth_user) await f.locator('#tx-f-auth_user').fill(v.auth_user);
  if (v.mapping) await f.locator(`input[name=tx-mapping][value=${v.mapping}]`).check();
  for (const sec of v.sectors || []) await f.locator(`input[name=aud-sector][value=${sec}]`).check();
  await f.locator('#tx-f-save').click();
}

test('the admin has the page; a bad API root is refused at its field', async () => {
  const b = await actor('admin', ADMIN_PW);
  s.admin = b;
  const p = b.page;
  assert.equal(await p.locator('#nav a[href="#/taxii"]').count(), 1, 'a menu entry');
  assert.equal(await p.locator('#nav a[href="#/taxii"]').innerText(), 'TAXII 連携');
  await p.locator('#nav a[href="#/taxii"]').click();
  await p.locator('#tx-form').waitFor();
  assert.equal(await p.locator('main h1').innerText(), 'TAXII 連携');
  assert.equal(await p.title(), 'TAXII 連携 - infrashare');
  assert.ok(await p.locator('#tx-none').isVisible(), 'no peer yet');
  // the token is a password field
  assert.equal(await p.locator('#tx-f-token').getAttribute('type'), 'password');

  // empty required fields are stopped in the page (no request)
  await p.locator('#tx-f-save').click();
  await p.locator('#tx-err-name').waitFor();
  assert.equal(await p.locator('#tx-f-name').getAttribute('aria-invalid'), 'true');
  assert.ok(await p.locator('#tx-err-token').isVisible());

  // the hub's 400 with field api_root, shown at the field
  await addPeer(p, { name: 'no slash', org: 'aist', api_root: 'http://127.0.0.1:9/taxii2/x', collection: 'shared', direction: 'pull', token: 'tok-1' });
  const err = p.locator('#tx-err-api_root');
  await err.waitFor();
  assert.match(await err.innerText(), /「\/」で終わる/);
  assert.equal(await p.locator('#tx-f-api_root').getAttribute('aria-invalid'), 'true');
  assert.match(await p.locator('#tx-f-api_root').getAttribute('aria-describedby'), /tx-err-api_root/);
  assert.equal(await p.evaluate(() => document.activeElement.id), 'tx-f-api_root', 'focus at the field');
  // the other fields' errors are gone
  assert.ok(await p.locator('#tx-err-name').isHidden());
  assert.equal((await peersApi()).length, 0, 'nothing stored');
  expected(b, 400, 'POST');
  await everyWay(b, 'taxii-empty', async (l) => {
    if (l === 'en') {
      // the page drawn again in English: the refusal once more, in English
      await addPeer(p, { name: 'no slash', org: 'aist', api_root: 'http://127.0.0.1:9/taxii2/x', collection: 'shared', direction: 'pull', token: 'tok-1' });
      await p.locator('#tx-err-api_root').waitFor();
      assert.match(await p.locator('#tx-err-api_root').innerText(), /ending in “\/”/);
      expected(b, 400, 'POST');
    }
  });
});

test('a peer at a closed port: sync now shows it failing with the reason', async () => {
  const p = s.admin.page;
  await go(p, '/taxii');
  await addPeer(p, { name: 'Closed port feed', org: 'aist', api_root: closedRoot, collection: 'shared', direction: 'pull', token: 'tok-closed' });
  await p.locator('#status').getByText('Closed port feed').waitFor();
  const x = await byName('Closed port feed');
  s.closed = x;
  const c = card(p, x.id);
  await c.waitFor();
  assert.equal(await c.locator('#tx-f-token, input').count(), 0);
  assert.equal(await p.locator('#tx-f-token').inputValue(), '', 'the token is not kept in the form');
  assert.ok(!(await p.locator('main').innerText()).includes('tok-closed'), 'the token is never shown');
  await c.locator('button.tx-sync').click();
  await c.locator('.tx-result').waitFor();
  assert.equal(await c.getAttribute('data-state'), 'failing');
  assert.equal(await c.locator('.tx-state').innerText(), '✕ 失敗中');
  const reason = await c.locator('.tx-reason').innerText();
  assert.match(reason, /最後のエラー/);
  assert.match(reason, /connect/i, 'the connection failure: ' + reason);
  const api = (await peersApi()).find((y) => y.id === x.id);
  assert.equal(api.state, 'failing');
  assert.ok(reason.includes(api.last_error), 'the reason in full');
  assert.match(await c.locator('.tx-result').innerText(), /失敗しました/);
  assert.match(await c.locator('.tx-result').innerText(), /connect/i);
  assert.equal(await c.locator('[data-count=pulled] .tx-count-n').innerText(), '0');
  // the list, reloaded, still shows it failing with the reason, and sums it up
  await go(p, '/taxii');
  assert.equal(await card(p, x.id).getAttribute('data-state'), 'failing');
  assert.match(await card(p, x.id).locator('.tx-reason').innerText(), /connect/i);
  assert.match(await p.locator('#tx-summary').innerText(), /失敗中1件/);
});

test('a peer at the hub’s own TAXII API root: ok with its counts; the log lists the runs', async () => {
  const p = s.admin.page;
  // the operator posts an indicator to the shared collection
  const tok = tokenFor(OP);
  const r = await fetch(URL + '/taxii2/infrashare/collections/shared/objects/', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + tok, 'Content-Type': 'application/taxii+json;version=2.1', Accept: 'application/taxii+json;version=2.1' },
    body: JSON.stringify({ objects: [Object.assign({}, GOOD, { id: 'indicator--1f2e3d4c-5b6a-4789-8abc-def012345678', name: 'gas: bad host' })] }),
  });
  assert.equal(r.status, 202);
  await go(p, '/taxii');
  await addPeer(p, { name: 'This hub', org: 'ceptoar-gas', api_root: URL + '/taxii2/infrashare/', collection: 'shared', direction: 'both', token: tok });
  await p.locator('#status').getByText('This hub').waitFor();
  const x = await byName('This hub');
  s.self = x;
  const c = card(p, x.id);
  await c.locator('button.tx-sync').click();
  await c.locator('.tx-result').waitFor();
  assert.equal(await c.getAttribute('data-state'), 'ok');
  assert.equal(await c.locator('.tx-state').innerText(), '✓ 正常');
  assert.equal(await c.locator('.tx-reason').count(), 0, 'no error');
  assert.match(await c.locator('.tx-result').innerText(), /正常に完了/);
  const api = (await peersApi()).find((y) => y.id === x.id);
  assert.equal(api.state, 'ok');
  assert.ok(api.counts.pulled >= 1, JSON.stringify(api.counts));
  for (const k of ['pulled', 'added', 'duplicates', 'quarantined', 'pushed', 'push_failed']) {
    assert.equal(await c.locator(`[data-count=${k}] .tx-count-n`).innerText(), String(api.counts[k]), k);
  }
  assert.match(await c.locator('[data-count=push_failed]').innerText(), /送信拒否/);
  // the failing peer is listed first
  assert.equal(await p.locator('section.tx-peer').first().getAttribute('data-id'), s.closed.id);
  // the times: last run, last success, next run
  assert.ok(await c.locator('time').count() >= 3);
  await everyWay(s.admin, 'taxii-list', async (l) => {
    const cc = card(p, x.id);
    await cc.waitFor();
    assert.equal(await cc.locator('.tx-state').innerText(), l === 'ja' ? '✓ 正常' : '✓ OK');
    assert.equal(await card(p, s.closed.id).locator('.tx-state').innerText(), l === 'ja' ? '✕ 失敗中' : '✕ Failing');
    if (l === 'en') assert.match(await card(p, s.closed.id).locator('.tx-reason').innerText(), /Last error: .*connect/i);
  });

  // the log: the runs, pull and push, with their outcome
  await c.getByRole('link', { name: 'ログ' }).click();
  await p.locator('#tx-runs').waitFor();
  assert.equal(await p.title(), 'TAXII 連携のログ - infrashare', 'the title names the page, not the peer');
  assert.equal(await p.locator('main h1').innerText(), 'This hub');
  const log = await adminApi('GET', `/taxii/peers/${x.id}/log`);
  const rows = p.locator('#tx-runs tr.tx-run');
  assert.equal(await rows.count(), log.runs.length);
  assert.ok(log.runs.length >= 2);
  const dirs = await rows.evaluateAll((rs) => rs.map((r) => r.dataset.direction));
  assert.ok(dirs.includes('pull') && dirs.includes('push'), dirs.join());
  assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => r.dataset.ok)), log.runs.map((y) => (y.ok ? '1' : '0')));
  assert.match(await rows.first().innerText(), /✓ 成功/);
  assert.ok(await p.locator('#tx-q-none').isVisible(), 'nothing quarantined');
  // sync now on the log page: a new run at the top of the log
  await p.locator('button.tx-sync').click();
  await p.locator('.tx-result').waitFor();
  await until(async () => (await rows.count()) > log.runs.length, 'the new runs');
  await everyWay(s.admin, 'taxii-log');
});

test('a TAXII server with a bad object and a report: quarantine and the advisory in the log', async () => {
  const p = s.admin.page;
  await go(p, '/taxii');
  // the audience appears when reports are to become advisories
  assert.ok(await p.locator('#tx-f-audience').isHidden());
  await p.locator('input[name=tx-mapping][value=advisories]').check();
  assert.ok(await p.locator('#tx-f-audience').isVisible());
  await addPeer(p, {
    name: 'Research feed', org: 'aist', api_root: feedRoot, collection: 'news', direction: 'pull',
    token: 'feed-secret-1', auth_user: 'feeder', mapping: 'advisories', sectors: ['gas'],
  });
  await p.locator('#status').getByText('Research feed').waitFor();
  const x = await byName('Research feed');
  assert.equal(x.auth, 'basic');
  assert.deepEqual(x.audience, { sectors: ['gas'] });
  const c = card(p, x.id);
  await c.locator('button.tx-sync').click();
  await c.locator('.tx-result').waitFor();
  assert.equal(await c.getAttribute('data-state'), 'ok');
  assert.equal(await c.locator('[data-count=quarantined] .tx-count-n').innerText(), '1');
  assert.match(await c.locator('.tx-map').innerText(), /情報提供/);
  await c.getByRole('link', { name: 'ログ' }).click();
  await p.locator('#tx-quarantine').waitFor();
  const q = p.locator('#tx-quarantine li.tx-q');
  assert.equal(await q.count(), 1);
  assert.equal(await q.locator('.tx-q-id').innerText(), BAD.id);
  const log = await adminApi('GET', `/taxii/peers/${x.id}/log`);
  assert.ok(log.quarantine[0].reason);
  assert.ok((await q.locator('.tx-q-reason').innerText()).includes(log.quarantine[0].reason));
  // the object's JSON, folded; the markup in it is text
  const json = q.locator('pre.tx-json');
  assert.ok(await json.isHidden(), 'folded');
  await q.locator('summary').click();
  assert.ok(await json.isVisible());
  assert.deepEqual(JSON.parse(await json.innerText()), BAD);
  assert.equal(await p.locator('main b').count(), 0);
  // the report became an advisory; its link opens it
  await until(async () => (await adminApi('GET', `/taxii/peers/${x.id}/log`)).advisories.some((a) => a.state === 'done'), 'the advisory');
  await go(p, '/taxii/' + x.id);
  const adv = p.locator('#tx-advisories tr.tx-adv');
  assert.equal(await adv.count(), 1);
  assert.equal(await adv.getAttribute('data-state'), 'done');
  assert.match(await adv.innerText(), /✓ 作成済み/);
  assert.match(await adv.innerText(), new RegExp(REPORT.id));
  await everyWay(s.admin, 'taxii-quarantine', async (l) => {
    await p.locator('#tx-quarantine summary').click();
    assert.match(await p.locator('#tx-advisories').innerText(), l === 'ja' ? /作成済み/ : /Made/);
  });
  const a = (await adminApi('GET', `/taxii/peers/${x.id}/log`)).advisories[0];
  await adv.getByRole('link').click();
  await p.waitForURL(new RegExp('#/advisories/' + a.advisory + '$'));
  await p.locator('main h1').getByText(REPORT.name).waitFor();
});

test('a peer removed after a confirmation in the page', async () => {
  const b = s.admin;
  const p = b.page;
  await go(p, '/taxii');
  const c = card(p, s.closed.id);
  await c.locator('button.tx-remove').click();
  const box = c.locator('.tx-confirm');
  assert.ok(await box.isVisible());
  assert.match(await box.innerText(), /Closed port feed/);
  // cancel keeps it
  await c.locator('button.tx-remove-no').click();
  assert.ok(await box.isHidden());
  assert.ok((await peersApi()).some((y) => y.id === s.closed.id));
  await c.locator('button.tx-remove').click();
  await c.locator('button.tx-remove-yes').click();
  await p.locator('#status').getByText('削除しました').waitFor();
  await card(p, s.closed.id).waitFor({ state: 'detached' });
  assert.ok(!(await peersApi()).some((y) => y.id === s.closed.id));
  // the card goes when the page is cleared for its reload; the list is
  // drawn again (summary and cards together) once the peers are read
  await p.locator('#tx-peers #tx-summary').waitFor();
  assert.equal(await p.locator('section.tx-peer').count(), 2);
  await check(b, 'taxii-removed-ja-1366', '1366');
});

test('no hub admin: no menu entry; the page says the API’s refusal', async () => {
  const b = await actor('nisc-analyst');
  const p = b.page;
  assert.equal(await p.locator('#nav a[href="#/taxii"]').count(), 0, 'no menu entry');
  await go(p, '/taxii');
  await p.locator('#tx-forbidden').waitFor();
  assert.match(await p.locator('#tx-forbidden').innerText(), /ハブ管理者/);
  assert.equal(await p.locator('#tx-form').count(), 0);
  expected(b, 403, 'GET');
  await check(b, 'taxii-forbidden-ja-1366', '1366');
  await setLang(p, 'en');
  await p.locator('#tx-forbidden').waitFor();
  assert.match(await p.locator('#tx-forbidden').innerText(), /administrators/);
  expected(b, 403, 'GET');
  await check(b, 'taxii-forbidden-en-1366', '1366');
  await setLang(p, 'ja');
  expected(b, 403, 'GET');
  // and a peer's log page alike
  await go(p, '/taxii/' + s.self.id);
  await p.locator('#tx-forbidden').waitFor();
  expected(b, 403, 'GET');
  const r = await fetch(URL + '/api/v1/taxii/peers', { headers: { Authorization: 'Bearer ' + tokenFor('nisc-analyst') } });
  assert.equal(r.status, 403);
});
