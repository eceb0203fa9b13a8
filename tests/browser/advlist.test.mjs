// advlist.test.mjs - the advisory list and inbox, and the audit page
// (issue 11, "lists"), in Japanese and English, at 1366x768 and 390x844:
// paging past the first 50 advisories through the API's cursor, filters
// in the URL that survive a reload, sorting by column, an acknowledged
// advisory not "未読", the acknowledged / total column for the author and
// not for an operator; audit filters in the URL, actors and actions by
// name, details as lines, the CSV export with the filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, login, go, drawn, shot, until, adminApi, URL, DEMO_PW } from './lib.mjs';

const SEC = 'ceptoar-chemical-secretariat';
const OP = 'op-chemical-0001';
const DESK = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const open = [];
const s = { ids: [] };

async function actor(user, viewport) {
  const b = await browser({ viewport });
  open.push(b);
  if (user) await login(b.page, user);
  return b;
}
function clean(b) {
  assert.deepEqual(b.errors, [], 'no script error');
  assert.deepEqual(b.csp, [], 'no CSP violation');
  assert.deepEqual(b.dialogs, [], 'no dialog');
}

/* A signed-in API session from Node (cookie + CSRF token). */
async function session(user) {
  const r = await fetch(URL + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: DEMO_PW }) });
  assert.equal(r.status, 201);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await r.json();
  return async (method, p, body) => {
    const q = await fetch(URL + '/api/v1' + p, { method, headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await q.json().catch(() => null);
    if (!q.ok) throw new Error(`${method} ${p}: ${q.status} ${JSON.stringify(data)}`);
    return data;
  };
}

const rows = (p, sel) => p.locator(sel + ' tbody tr');
/* a fresh load of a view (a hash-only change would keep the old page for a moment) */
async function visit(p, hash) {
  await go(p, hash);
  await p.reload();
  await drawn(p);
}

before(async () => {
  const sec = await session(SEC);
  const issue = (n, extra) => sec('POST', '/advisories', Object.assign({
    kind: 'newsletter', range: 'green', severity: 0,
    title_ja: '一覧試験 ' + n, title_en: 'List test ' + n, body_ja: '本文', body_en: 'Body',
    audience: { ceptoars: ['ceptoar-chemical'] } }, extra || {}));
  s.warn = (await issue('警報A', { kind: 'warning', severity: 3, title_ja: '絞り込み警報A', title_en: 'Filter warning A' })).id;
  s.warnAmber = (await issue('警報B', { kind: 'warning', severity: 3, range: 'amber', title_ja: '絞り込み警報B', title_en: 'Filter warning B' })).id;
  for (let i = 0; i < 53; i++) s.ids.push((await issue(String(i).padStart(2, '0'))).id);
  s.acked = s.ids[0];
  s.unacked = s.ids[52]; // the newest: on the first page
  const op = await session(OP);
  await op('POST', '/advisories/' + s.acked + '/ack');
  // opened by the organisation elsewhere (another browser, another user)
  s.opened = s.ids[51];
  await op('GET', '/advisories/' + s.opened);
  s.opName = (await adminApi('GET', '/orgs/' + OP)).name;
});
after(async () => { for (const b of open) await b.close().catch(() => {}); });

test('inbox: a second page, the hub\'s acknowledgement clears 未読, filters in the URL survive a reload, sorting', async () => {
  const b = await actor(OP, DESK);
  const p = b.page;
  await visit(p, '/inbox');
  await p.locator('#inbox table').waitFor();
  assert.equal(await rows(p, '#inbox').count(), 50, 'the first page: 50');
  assert.match(await p.locator('#adv-more-btn').innerText(), /さらに50件/);
  // the acknowledged advisory is not on the first page yet (older)
  assert.equal(await p.locator(`#inbox tr[data-id="${s.acked}"]`).count(), 0);
  await p.locator('#adv-more-btn').click();
  await until(async () => (await rows(p, '#inbox').count()) > 50, 'the second page appended');
  const ackedRow = p.locator(`#inbox tr[data-id="${s.acked}"]`);
  await ackedRow.waitFor();
  // acknowledged on the hub (from another client), never opened here: not unread
  assert.doesNotMatch(await ackedRow.innerText(), /未読/);
  assert.match(await ackedRow.innerText(), /確認済/);
  assert.equal(await ackedRow.getAttribute('class'), null);
  // opened on the hub by the organisation, not here, not acknowledged: read
  const opened = p.locator(`#inbox tr[data-id="${s.opened}"]`);
  assert.doesNotMatch(await opened.innerText(), /未読/);
  assert.match(await opened.innerText(), /未確認/);
  // one not acknowledged: unread; acknowledging it in one click clears the mark
  const row = p.locator(`#inbox tr[data-id="${s.unacked}"]`);
  assert.match(await row.innerText(), /未読/);
  await row.locator('button[data-ack]').click();
  await until(async () => /確認済/.test(await p.locator(`#inbox tr[data-id="${s.unacked}"]`).innerText()), 'acknowledged');
  assert.doesNotMatch(await p.locator(`#inbox tr[data-id="${s.unacked}"]`).innerText(), /未読/);
  await shot(p, 'advlist-inbox-ja-1366');

  // filters: kind warning, severity 3+ -> the two warnings; in the URL
  await p.locator('#f-kind').selectOption('warning');
  await p.locator('#f-sev').selectOption('3');
  await p.locator('#adv-filters button[type=submit]').click();
  await until(async () => /kind=warning/.test(p.url()) && /min_severity=3/.test(p.url()), 'filters in the URL');
  await until(async () => (await rows(p, '#inbox').count()) === 2, 'two warnings');
  const ids = await rows(p, '#inbox').evaluateAll((trs) => trs.map((tr) => tr.dataset.id).sort());
  assert.deepEqual(ids, [s.warn, s.warnAmber].sort());
  // a reload keeps the view
  await p.reload();
  await p.locator('#inbox table').waitFor();
  assert.equal(await rows(p, '#inbox').count(), 2);
  assert.equal(await p.locator('#f-kind').inputValue(), 'warning');
  assert.equal(await p.locator('#f-sev').inputValue(), '3');
  // a shared link: range and acknowledgement too
  await visit(p, '/inbox?kind=warning&range=amber&acked=false');
  await p.locator('#inbox table').waitFor();
  assert.deepEqual(await rows(p, '#inbox').evaluateAll((trs) => trs.map((tr) => tr.dataset.id)), [s.warnAmber]);
  assert.equal(await p.locator('#f-range').inputValue(), 'amber');
  await visit(p, '/inbox?acked=true');
  await p.locator('#inbox table').waitFor();
  const ackedIds = await rows(p, '#inbox').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  assert.ok(ackedIds.includes(s.acked) && ackedIds.includes(s.unacked), 'both acknowledged ones');
  assert.ok(!ackedIds.includes(s.warn));

  // sorting by severity: descending, then ascending; kept in the URL
  // (of the rows loaded: the warnings, the oldest, are on the second page)
  await visit(p, '/inbox');
  await p.locator('#inbox table').waitFor();
  await p.locator('#adv-more-btn').click();
  await until(async () => (await rows(p, '#inbox').count()) > 50, 'the second page appended');
  await p.locator('#inbox th button[data-sort="severity"]').click();
  await until(async () => /sort=severity&dir=desc/.test(p.url()), 'sort in the URL');
  const firstIds = await rows(p, '#inbox').evaluateAll((trs) => trs.slice(0, 2).map((tr) => tr.dataset.id).sort());
  assert.deepEqual(firstIds, [s.warn, s.warnAmber].sort(), 'severity 3 first');
  assert.equal(await p.locator('#inbox th[aria-sort]').getAttribute('aria-sort'), 'descending');
  await p.locator('#inbox th button[data-sort="severity"]').click();
  await until(async () => /dir=asc/.test(p.url()), 'ascending');
  const lastIds = await rows(p, '#inbox').evaluateAll((trs) => trs.slice(-2).map((tr) => tr.dataset.id).sort());
  assert.deepEqual(lastIds, [s.warn, s.warnAmber].sort(), 'severity 3 last');
  await p.reload();
  await p.locator('#inbox table').waitFor();
  assert.equal(await p.locator('#inbox th[aria-sort]').getAttribute('aria-sort'), 'ascending');

  // English
  await visit(p, '/inbox?kind=warning');
  await p.locator('#lang').click();
  await until(async () => /Inbox/.test(await p.locator('main h1').innerText()), 'English');
  await p.locator('#inbox table').waitFor();
  assert.match(await p.locator('#inbox').innerText(), /Filter warning A/);
  assert.match(await p.locator('#adv-filters').innerText(), /Our acknowledgement/);
  await shot(p, 'advlist-inbox-en-1366');
  await p.locator('#lang').click();
  await until(async () => /受信箱/.test(await p.locator('main h1').innerText()), 'back to Japanese');
  clean(b);
});

test('advisory list: the author sees acknowledged / total, an operator does not; phone layout', async () => {
  const b = await actor(SEC, DESK);
  const p = b.page;
  await visit(p, '/advisories?kind=newsletter');
  await p.locator('#adv-list table').waitFor();
  assert.match(await p.locator('#adv-list thead').innerText(), /受領確認／配信先/);
  // the newest 50 newsletters; the acknowledged one is on the next page
  await p.locator('#adv-more-btn').click();
  const cell = p.locator(`#adv-list tr[data-id="${s.acked}"] .acks`);
  await cell.waitFor();
  assert.equal(await cell.getAttribute('data-acks'), '1/13');
  assert.equal(await p.locator(`#adv-list tr[data-id="${s.ids[1]}"] .acks`).getAttribute('data-acks'), '0/13');
  // sorting by the column: the acknowledged one first
  await p.locator('#adv-list th button[data-sort="acks"]').click();
  await until(async () => (await rows(p, '#adv-list').first().getAttribute('data-id')) === s.unacked ||
    (await rows(p, '#adv-list').first().getAttribute('data-id')) === s.acked, 'most acknowledged first');
  await shot(p, 'advlist-list-ja-1366');
  await p.locator('#lang').click();
  await until(async () => /Acknowledged \/ total/.test(await p.locator('#adv-list thead').innerText()), 'English');
  await shot(p, 'advlist-list-en-1366');
  await p.locator('#lang').click();
  await until(async () => /情報提供/.test(await p.locator('main h1').innerText()), 'back to Japanese');
  clean(b);

  const o = await actor(OP, PHONE);
  await visit(o.page, '/advisories?kind=warning');
  await o.page.locator('#adv-list table').waitFor();
  assert.doesNotMatch(await o.page.locator('#adv-list thead').innerText(), /受領確認／配信先/);
  assert.equal(await o.page.locator('#adv-list .acks').count(), 0);
  await shot(o.page, 'advlist-list-ja-390');
  await visit(o.page, '/inbox?kind=warning');
  await o.page.locator('#inbox table').waitFor();
  await shot(o.page, 'advlist-inbox-ja-390');
  const noSideways = async (pg) => pg.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(await noSideways(o.page), 'the inbox does not scroll sideways at 390 px');
  await o.page.locator('#lang').click();
  await until(async () => /Inbox/.test(await o.page.locator('main h1').innerText()), 'English');
  await shot(o.page, 'advlist-inbox-en-390');
  assert.ok(await noSideways(o.page), 'nor in English');
  await o.page.locator('#lang').click();
  await until(async () => /受信箱/.test(await o.page.locator('main h1').innerText()), 'back to Japanese');
  clean(o);
});

test('audit: filters in the URL, actors and actions by name, details as lines, export', async () => {
  const b = await actor('auditor', DESK);
  const p = b.page;
  await visit(p, '/audit?action=advisory.ack&actor_org=' + OP);
  await p.locator('#audit-list table').waitFor();
  const n = await rows(p, '#audit-list').count();
  assert.ok(n >= 2, 'the two acknowledgements');
  const acts = await rows(p, '#audit-list').evaluateAll((trs) => trs.map((tr) => tr.dataset.action));
  assert.deepEqual([...new Set(acts)], ['advisory.ack']);
  const first = rows(p, '#audit-list').first();
  const text = await first.innerText();
  assert.match(text, /情報提供の受領確認/, 'the action in words');
  assert.doesNotMatch(text, /advisory\.ack/, 'not the code');
  // full-width brackets without a space in Japanese, and the details'
  // keys in words (a Japanese auditor read "via", "reason: wrong
  // password": found by a review); the key itself on hover
  assert.ok(text.includes(OP + '（' + s.opName.ja + '）'), 'username（organisation）');
  const dt = first.locator('dl.kv dt').first();
  assert.equal(await dt.innerText(), '経由');
  assert.equal(await dt.getAttribute('title'), 'via');
  assert.doesNotMatch(text, /[{}]"/, 'no raw JSON');
  // the form shows the filters; a reload keeps them
  assert.equal(await p.locator('#af-action').inputValue(), 'advisory.ack');
  await p.reload();
  await p.locator('#audit-list table').waitFor();
  assert.equal(await rows(p, '#audit-list').count(), n);
  // the export carries the same filters and scope
  const href = await p.locator('#audit-export').getAttribute('href');
  assert.match(href, /action=advisory\.ack/);
  const csv = await p.evaluate(async (u) => { const r = await fetch(u); return { ct: r.headers.get('Content-Type'), text: await r.text() }; }, href);
  assert.match(csv.ct, /^text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines.length, n + 1);
  assert.ok(lines.slice(1).every((l) => l.includes('"advisory.ack"') && l.includes('"' + OP + '"')));
  await shot(p, 'advlist-audit-ja-1366');
  // a filter from the form: log-ins, with a time range
  await visit(p, '/audit');
  await p.locator('#af-action').selectOption('login');
  await p.locator('#af-from').fill('2020-01-01T00:00');
  await p.locator('#audit-filters button[type=submit]').click();
  await until(async () => /action=login/.test(p.url()) && /from=2019-12-31T15%3A00%3A00Z/.test(p.url()), 'filters in the URL');
  await p.locator('#audit-list table').waitFor();
  await until(async () => {
    const a = await rows(p, '#audit-list').evaluateAll((trs) => trs.map((tr) => tr.dataset.action));
    return a.length && a.every((x) => x === 'login');
  }, 'only log-ins');
  assert.match(await rows(p, '#audit-list').first().innerText(), /ログイン[\s\S]*接続元アドレス/);
  // an actor's name narrows to its organisation, the other filters kept
  const actorLink = rows(p, '#audit-list').first().locator('a.actor');
  const org = await actorLink.getAttribute('data-org');
  await actorLink.click();
  await until(async () => p.url().includes('actor_org=' + encodeURIComponent(org)) && /action=login/.test(p.url()), 'actor filter in the URL');
  await until(async () => {
    const o = await p.locator('#audit-list tbody tr a.actor').evaluateAll((as) => as.map((a) => a.dataset.org));
    return o.length && o.every((x) => x === org);
  }, 'only that organisation');
  // a bad range is the API's 400, shown on the page
  await visit(p, '/audit?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z');
  await until(async () => /to/.test(await p.locator('#audit-list').innerText()), 'the error');
  // English
  await visit(p, '/audit?action=advisory.ack&actor_org=' + OP);
  await p.locator('#lang').click();
  await until(async () => /Audit log/.test(await p.locator('main h1').innerText()), 'English');
  await p.locator('#audit-list table').waitFor();
  const en = await rows(p, '#audit-list').first().innerText();
  assert.match(en, /Advisory acknowledged/);
  assert.ok(en.includes(OP + ' (' + s.opName.en + ')'));
  await shot(p, 'advlist-audit-en-1366');
  await p.locator('#lang').click();
  await until(async () => /監査ログ/.test(await p.locator('main h1').innerText()), 'back to Japanese');
  clean(b);

  const ph = await actor('auditor', PHONE);
  await visit(ph.page, '/audit?action=advisory.ack');
  await ph.page.locator('#audit-list table').waitFor();
  await shot(ph.page, 'advlist-audit-ja-390');
  await ph.page.locator('#lang').click();
  await until(async () => /Audit log/.test(await ph.page.locator('main h1').innerText()), 'English');
  await shot(ph.page, 'advlist-audit-en-390');
  assert.ok(await ph.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the audit page does not scroll sideways at 390 px');
  await ph.page.locator('#lang').click();
  await until(async () => /監査ログ/.test(await ph.page.locator('main h1').innerText()), 'back to Japanese');
  clean(ph);
});
