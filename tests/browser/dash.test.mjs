// dash.test.mjs - the operations picture (issue 11, item 1): NISC's home
// page in Japanese and English at 1366x768 and 390x844. The matrix's cells
// equal GET /api/v1/dashboard's counts (and a report NISC may not read is in
// neither); a tile and a cell open the FILTERED report list with the filter
// in the URL; the list's rows equal the count; a reload keeps the filter;
// sorting by a column is kept in the URL too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, login, go, shot, until, pageApi, adminApi } from './lib.mjs';

const open = [];
const stamp = Date.now();
const s = {};

async function actor(user, viewport) {
  const b = await browser({ viewport });
  open.push(b);
  await login(b.page, user);
  return b;
}
/* Checks the page stayed clean and leaves the user's stored language
 * Japanese (the language is remembered on the hub: later scenarios expect
 * the demo users in Japanese). */
async function clean(b) {
  await setLang(b.page, 'ja');
  assert.deepEqual(b.errors, [], 'no script error');
  assert.deepEqual(b.csp, [], 'no CSP violation');
  assert.deepEqual(b.dialogs, [], 'no dialog');
}
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function file(page, fields) {
  const r = await pageApi(page, 'POST', '/reports', Object.assign({
    kind: 'incident', range: 'green', route: 'direct', detected_at: iso(0),
    what_happened: '計測用', declared_reason: 'test',
  }, fields));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function setLang(p, l) {
  if (await p.evaluate(() => document.documentElement.lang) !== l) {
    await p.locator('#lang').click();
    await until(async () => (await p.evaluate(() => document.documentElement.lang)) === l, 'language ' + l);
  }
}

async function home(p) {
  await go(p, '/');
  await p.locator('#dash-tiles[data-ready="1"]').waitFor();
}

/* Every cell of the page's matrix against the API's cells. */
async function assertMatrix(p) {
  const d = (await pageApi(p, 'GET', '/dashboard')).body;
  const want = new Map(d.open_reports.cells.map((c) => [c.sector + ':' + c.severity, c.count]));
  const shown = await p.locator('#dash-matrix td[data-cell]').evaluateAll((tds) =>
    tds.map((td) => [td.dataset.cell, td.textContent.trim()]));
  assert.ok(shown.length >= 6 * 14, 'a row per sector, a cell per level');
  let total = 0;
  for (const [k, v] of shown) {
    if (k.endsWith(':total')) { total += Number(v); continue; }
    assert.equal(Number(v), want.get(k) || 0, 'cell ' + k);
  }
  for (const [k, n] of want) assert.ok(shown.some(([c, v]) => c === k && Number(v) === n), 'API cell shown ' + k);
  assert.equal(total, d.open_reports.total);
  return d;
}

async function listedRows(p) {
  await p.locator('#reports-info').waitFor();
  await until(async () => (await p.locator('#reports-info').innerText()).trim() !== '', 'the list count');
  // every page (the API's cursor)
  while (await p.locator('#reports-more').count()) {
    const n = await p.locator('#reports-table tbody tr').count();
    await p.locator('#reports-more').click();
    await until(async () => (await p.locator('#reports-table tbody tr').count()) > n, 'the next page');
  }
  return p.locator('#reports-table tbody tr').count();
}

before(async () => {
  // METI reviews what reaches it: the Red report stays at METI (NISC may
  // not read it) whatever the scenarios before left
  s.policy = await adminApi('GET', '/orgs/meti/policy');
  await adminApi('PUT', '/orgs/meti/policy', { policy: 'review', review_limit_min: 30 });
  const o = await actor('op-gas-0001');
  s.gas4 = await file(o.page, { title: 'ダッシュボード gas4 ' + stamp, declared_severity: 4 });
  s.gas4b = await file(o.page, { title: 'ダッシュボード gas4b ' + stamp, declared_severity: 4 });
  s.gas2 = await file(o.page, { title: 'ダッシュボード gas2 ' + stamp, declared_severity: 2 });
  s.late = await file(o.page, { title: 'ダッシュボード late ' + stamp, declared_severity: 1, detected_at: iso(4 * 86400e3) });
  // Red, at its first hop: NISC may not read it, so it is in no count
  s.red = await file(o.page, { title: 'ダッシュボード red ' + stamp, declared_severity: 5, range: 'red' });
  await o.close();
});
after(async () => {
  await adminApi('PUT', '/orgs/meti/policy', { policy: s.policy.policy, review_limit_min: s.policy.review_limit_min });
  for (const b of open) await b.close().catch(() => {});
});

test('NISC (ja, 1366x768): matrix = API, the overdue tile and a cell open filtered lists that survive a reload', async () => {
  const b = await actor('nisc-analyst', { width: 1366, height: 768 });
  const p = b.page;
  await setLang(p, 'ja');
  await home(p);
  const d = await assertMatrix(p);
  // the Red report NISC cannot read is not counted
  const nisc = (await pageApi(p, 'GET', '/reports?limit=500')).body.items.map((x) => x.id);
  assert.ok(!nisc.includes(s.red.id) && nisc.includes(s.gas4.id));
  assert.ok(d.open_reports.cells.some((c) => c.sector === 'gas' && c.severity === 4 && c.count >= 2));
  assert.ok((await p.locator('main').innerText()).includes('分野×深刻度の未完了の報告'));
  assert.equal(await p.locator('svg.timeline g[data-day]').count(), 7);
  await shot(p, 'dash-nisc-ja-1366');

  // the overdue tile opens the overdue-filtered list
  const over = p.locator('[data-tile=overdue] a');
  assert.equal(Number(await over.locator('.n').innerText()), d.overdue);
  assert.ok(d.overdue >= 1);
  await over.click();
  await until(async () => (await p.evaluate(() => location.hash)).includes('overdue=1'), 'overdue in the URL');
  assert.equal(await listedRows(p), d.overdue);
  assert.equal(await p.locator('input[name=overdue]').isChecked(), true);
  const ids = await p.locator('#reports-table tbody tr a .id').allInnerTexts();
  assert.ok(ids.includes(s.late.id) && !ids.includes(s.gas4.id));
  await p.reload();
  await p.locator('#reports-table tbody tr').first().waitFor();
  assert.ok((await p.evaluate(() => location.hash)).includes('overdue=1'));
  assert.equal(await p.locator('input[name=overdue]').isChecked(), true);
  assert.equal(await listedRows(p), d.overdue);

  // a cell: gas x severity 4
  await home(p);
  const cell = p.locator('#dash-matrix td[data-cell="gas:4"] a');
  const n = Number(await cell.innerText());
  await cell.click();
  await until(async () => /sector=gas/.test(await p.evaluate(() => location.hash)), 'the cell filter in the URL');
  const hash = await p.evaluate(() => location.hash);
  assert.match(hash, /state=open/);
  assert.match(hash, /min_severity=4/);
  assert.match(hash, /max_severity=4/);
  assert.equal(await listedRows(p), n);
  assert.equal(await p.locator('select[name=sector]').inputValue(), 'gas');
  assert.equal(await p.locator('select[name=min_severity]').inputValue(), '4');
  assert.match(await p.locator('#reports-csv').getAttribute('href'), /^\/api\/v1\/reports\/export\?.*sector=gas/);
  await shot(p, 'dash-nisc-ja-1366-cell-list');
  await p.reload();
  await p.locator('#reports-table tbody tr').first().waitFor();
  assert.equal(await p.evaluate(() => location.hash), hash);
  assert.equal(await listedRows(p), n);

  // changing a filter writes it back into the URL
  await p.locator('select[name=max_severity]').selectOption('5');
  await p.locator('form.filters button[type=submit]').click();
  await until(async () => /max_severity=5/.test(await p.evaluate(() => location.hash)), 'the changed filter in the URL');

  // sorting by a column: kept in the URL, rows in order
  await p.locator('button[data-sort=detected]').click();
  await until(async () => /sort=detected/.test(await p.evaluate(() => location.hash)), 'the sort in the URL');
  const times = await p.locator('#reports-table tbody tr time').evaluateAll((ts) => ts.map((x) => x.getAttribute('datetime')));
  assert.deepEqual(times, [...times].sort().reverse());
  await p.locator('button[data-sort=detected]').click();
  await until(async () => /dir=asc/.test(await p.evaluate(() => location.hash)), 'ascending in the URL');
  const asc = await p.locator('#reports-table tbody tr time').evaluateAll((ts) => ts.map((x) => x.getAttribute('datetime')));
  assert.deepEqual(asc, [...asc].sort());
  await clean(b);
});

for (const [l, vp] of [['en', { width: 1366, height: 768 }], ['ja', { width: 390, height: 844 }], ['en', { width: 390, height: 844 }]]) {
  test(`NISC (${l}, ${vp.width}x${vp.height}): matrix = API; a tile opens its filtered list`, async () => {
    const b = await actor('nisc-analyst', vp);
    const p = b.page;
    await setLang(p, l);
    await home(p);
    await assertMatrix(p);
    // the headings follow the language switch once the page has drawn
    // again (under load, a read right after the matrix can precede it)
    const heading = l === 'en' ? 'Open reports by sector and severity' : '分野×深刻度の未完了の報告';
    await until(async () => (await p.locator('main').innerText()).includes(heading), `the heading in ${l}`);
    const text = await p.locator('main').innerText();
    assert.ok(text.includes(heading));
    assert.ok(text.includes(l === 'en' ? 'The last 7 days (JST)' : '直近7日間の推移（日本時間）'));
    await shot(p, `dash-nisc-${l}-${vp.width}`);
    // the matrix stays a grid of figures on every screen: a table whose
    // severity headers are shown and whose note is not squeezed into a
    // column, inside the screen's width
    const m = await p.evaluate(() => {
      const tb = document.querySelector('#dash-matrix table');
      const th = document.querySelectorAll('#dash-matrix thead th')[1].getBoundingClientRect();
      return { display: getComputedStyle(tb).display, thH: th.height, thW: th.width,
        cap: document.querySelector('#dash-matrix caption').getBoundingClientRect().width,
        right: tb.getBoundingClientRect().right, vw: document.documentElement.clientWidth };
    });
    assert.equal(m.display, 'table', 'the matrix is a table');
    assert.ok(m.thH > 8 && m.thW > 8, 'the severity headers are shown: ' + JSON.stringify(m));
    assert.ok(m.cap > Math.min(300, m.vw * 0.7), 'the note spans the table: ' + JSON.stringify(m));
    assert.ok(m.right <= m.vw + 1, 'the matrix fits the screen: ' + JSON.stringify(m));
    const open = p.locator('[data-tile=open] a');
    const n = Number(await open.locator('.n').innerText());
    await open.click();
    await until(async () => /state=open/.test(await p.evaluate(() => location.hash)), 'state=open in the URL');
    assert.equal(await p.locator('select[name=state]').inputValue(), 'open');
    if (n <= 200) assert.equal(await listedRows(p), n);
    // the page does not scroll sideways
    const over = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (vp.width > 400) assert.ok(over <= 0, 'no sideways scrolling: ' + over);
    await shot(p, `dash-nisc-${l}-${vp.width}-list`);
    await clean(b);
  });
}

test('a secretariat (ja, en): its CEPTOAR\'s acknowledgement progress equals its delivery board; an operator sees its own items', async () => {
  const n = await actor('nisc-analyst');
  const r = await pageApi(n.page, 'POST', '/advisories', {
    kind: 'security_info', range: 'green', severity: 3, title_ja: '受領確認テスト ' + stamp, title_en: 'Ack check ' + stamp,
    body_ja: '本文', body_en: 'Body', audience: { ceptoars: ['ceptoar-gas'] },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const aid = r.body.id;
  await n.close();
  const b = await actor('ceptoar-gas-secretariat', { width: 1366, height: 768 });
  const p = b.page;
  for (const l of ['ja', 'en']) {
    await setLang(p, l);
    await home(p);
    const d = (await pageApi(p, 'GET', '/dashboard')).body;
    const it = d.advisories_in_flight.items.find((x) => x.id === aid);
    assert.ok(it, 'the advisory is in flight for the secretariat');
    const board = (await pageApi(p, 'GET', `/advisories/${aid}/deliveries?state=all`)).body.items;
    assert.equal(it.total, board.length);
    assert.equal(it.acknowledged, board.filter((x) => x.state === 'acknowledged').length);
    assert.deepEqual(it.by_ceptoar.map((c) => c.ceptoar), ['ceptoar-gas']);
    const li = p.locator(`#dash-flight li[data-adv="${aid}"]`);
    const text = await li.innerText();
    assert.ok(text.includes(l === 'ja' ? `${it.acknowledged} / ${it.total} 受領確認` : `${it.acknowledged} of ${it.total} acknowledged`), text);
    assert.ok(text.includes(l === 'ja' ? '受領確認テスト' : 'Ack check'));
    assert.equal(Number(await p.locator('[data-tile=relay] .n').innerText()), d.waiting_relay);
    await shot(p, `dash-secretariat-${l}-1366`);
  }
  await clean(b);
  const o = await actor('op-gas-0002', { width: 390, height: 844 });
  await setLang(o.page, 'ja');
  await home(o.page);
  const d = (await pageApi(o.page, 'GET', '/dashboard')).body;
  assert.equal(Number(await o.page.locator('[data-tile=inbox] .n').innerText()), d.inbox_unacknowledged);
  assert.equal(await o.page.locator('#dash-matrix').count(), 0, 'no cross-sector matrix for an operator');
  await o.page.locator('[data-tile=open] a').click();
  await until(async () => /mine=0/.test(await o.page.evaluate(() => location.hash)), 'the operator\'s filter in the URL');
  assert.equal(await o.page.locator('input[name=mine]').isChecked(), false);
  await shot(o.page, 'dash-operator-ja-390');
  await clean(o);
});
