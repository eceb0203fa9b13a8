// scenarios.test.mjs - the flows of the web UI, end to end, in order:
// an operator files an anonymous incident in Japanese and sees its
// severity; the secretariat reveals the identity and forwards it; NISC sees
// it without the identity and links it into an event; NISC issues a warning
// to a sector; the secretariat relays it; an operator acknowledges it from
// the inbox and the secretariat's "not yet reached" list shrinks; a drill's
// report shows its chart; the public page shows White and not Green; an
// XSS title renders as text. Each step asserts what the page shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, login, logout, go, shot, mainText, until, adminApi, pageApi, URL } from './lib.mjs';

const OP = 'op-electricity-0001';
const OP_NAME_JA = 'デモ電力0001';
const OP_NAME_EN = 'Demo Power 0001';
const SEC = 'ceptoar-electricity-secretariat';
const NISC = 'nisc-analyst';
const TITLE = '変電所制御システムの停止（訓練外）⚡ 2号系';
const LABEL_JA = '電力の事業者（電力CEPTOAR経由）';
const LABEL_EN = 'an operator in Electricity (via Electricity CEPTOAR)';
const REVEAL_REASON = 'The same substation outage was reported by two members';
const WARN_JA = '電力分野への攻撃に関する警報';
const WARN_EN = 'Warning: attacks on the electricity sector';
const s = {}; // state shared by the steps
const open = [];

async function actor(user, opts) {
  const b = await browser(opts);
  open.push(b);
  if (user) await login(b.page, user);
  return b;
}
function clean(b) {
  assert.deepEqual(b.errors, [], 'no script error');
  assert.deepEqual(b.csp, [], 'no CSP violation');
  assert.deepEqual(b.dialogs, [], 'no dialog');
}

before(async () => {
  // ministries relay at once; the CEPTOAR secretariat reviews (it relays
  // in the UI below)
  await adminApi('PUT', '/orgs/meti/policy', { policy: 'auto', review_limit_min: 30 });
});
after(async () => { for (const b of open) await b.close().catch(() => {}); });

test('operator files an anonymous incident in Japanese and sees its severity live', async () => {
  const b = await actor(OP);
  const p = b.page;
  assert.match(await p.locator('nav#nav').innerText(), /報告する/);
  await go(p, '/report/new');
  await p.locator('input[name=title]').fill(TITLE);
  await p.locator('textarea[name=what_happened]').fill('制御ネットワークで不審な通信を検知し、2号系の監視が停止した。');
  await p.locator('select[name=ci_service]').selectOption('electricity.generation');
  await p.locator('select[name=system_class]').selectOption('electricity.power_control');
  await p.locator('input[name=domains][value=ot]').check();
  await p.locator('select[name=cause]').selectOption('cyberattack');
  await p.locator('select[name=threat_type]').selectOption('ransomware');
  // below the maintenance level first: not level 3
  await p.locator('input[name=kw_lost]').fill('5000');
  await until(async () => /深刻度 [0-2] /.test(await p.locator('#severity-live').innerText()), 'severity below 3');
  // past it (100,000 kW for 10 min): level 3 with its rule and explanation
  await p.locator('input[name=kw_lost]').fill('200000');
  await p.locator('input[name=duration_min]').fill('30');
  await until(async () => (await p.locator('#severity-live').innerText()).includes('深刻度 3 高'), 'live severity 3');
  assert.equal(await p.locator('#severity-rule').getAttribute('data-rule'), 'L3-exceeded');
  assert.match(await p.locator('#severity-live').innerText(), /サービス維持レベル/);
  await p.locator('input[name=route][value=anonymous]').check();
  await p.locator('input[name=range][value=amber]').check();
  const who = await p.locator('#whosees').innerText();
  assert.match(who, /事務局だけ/);
  assert.match(who, /電力の事業者/);
  await shot(p, 'operator-report-form-ja');
  await p.locator('#submit-report').click();
  await p.waitForURL(/#\/reports\/R[0-9a-f]+$/);
  s.report = p.url().split('/').pop();
  await p.locator('main h1', { hasText: TITLE }).waitFor();
  const meta = await p.locator('main p.meta').first().innerText();
  assert.match(meta, /深刻度 3 高/);
  assert.match(meta, /AMBER/);
  assert.match(await mainText(p), /匿名/);
  assert.ok(!p.url().includes(encodeURIComponent(TITLE)), 'only the id in the URL');
  assert.ok(!(await p.title()).includes(TITLE), 'no content in the page title');
  await shot(p, 'operator-report-ja');
  clean(b);
  await b.close();
});

test('the secretariat (in English) sees the identity after reveal, asks, and forwards it', async () => {
  const b = await actor(SEC);
  const p = b.page;
  await p.locator('#lang').click();
  await until(async () => (await p.locator('nav#nav').innerText()).includes('Reports via us'), 'English UI');
  await go(p, '/reports');
  const list = await p.locator('#reports-table').innerText();
  assert.ok(list.includes(TITLE));
  assert.ok(list.includes(LABEL_EN), 'the anonymous label in the list');
  assert.ok(!list.includes(OP_NAME_EN) && !list.includes(OP_NAME_JA), 'no identity before reveal');
  await p.locator('#reports-table a', { hasText: TITLE }).click();
  // the reveal asks for a reason and a confirmation before anything is shown
  await p.locator('#reveal').click();
  await p.locator('#reveal-form').waitFor();
  await p.locator('#reveal-submit').click();
  await until(async () => (await p.locator('#reveal-out').innerText()).includes('Enter the reason'), 'reason asked for');
  await p.locator('#reveal-reason').fill(REVEAL_REASON);
  await p.locator('#reveal-submit').click();
  await until(async () => (await p.locator('#reveal-out').innerText()).includes('Tick the confirmation'), 'confirmation asked for');
  assert.ok(!(await p.locator('#reporter').innerText()).includes(OP_NAME_EN), 'no identity before confirming');
  await p.locator('#reveal-confirm').check();
  await p.locator('#reveal-submit').click();
  await until(async () => (await p.locator('#reveal-out').innerText()).includes(OP_NAME_EN), 'revealed identity');
  assert.match(await p.locator('#reveal-out').innerText(), /audit log/);
  await shot(p, 'secretariat-report-revealed-en');
  await p.locator('#note-form textarea').fill('Which substation? Is the backup system affected?');
  await p.locator('#note-question').check();
  await p.locator('#note-send').click();
  await until(async () => (await p.locator('#timeline').innerText()).includes('question'), 'question in the timeline');
  await p.locator('#forward-form textarea').fill('Forwarded after review; identity withheld.');
  await p.locator('#forward').click();
  await until(async () => (await p.locator('#status').innerText()).includes('Forwarded'), 'forwarded');
  // the ministry relays at once: the report reaches NISC
  await until(async () => {
    await go(p, '/reports/' + s.report);
    return (await p.locator('#timeline').innerText()).includes('forwarded');
  }, 'forward in the timeline');
  // the language is remembered for the user (on the hub)
  await logout(p);
  await login(p, SEC);
  assert.match(await p.locator('nav#nav').innerText(), /Reports via us/);
  clean(b);
  await b.close();
});

test('NISC sees the report without the identity, filters it and links it into an event', async () => {
  const b = await actor(NISC);
  const p = b.page;
  await go(p, '/reports');
  await p.locator('select[name=sector]').selectOption('electricity');
  await p.locator('select[name=min_severity]').selectOption('3');
  await p.locator('select[name=kind]').selectOption('incident');
  await p.locator('form[role=search] button[type=submit]').click();
  await until(async () => (await p.locator('#reports-out').innerText()).includes(TITLE), 'the report in the filtered list');
  const text = await mainText(p);
  assert.ok(text.includes(LABEL_JA));
  assert.ok(!text.includes(OP_NAME_JA) && !text.includes(OP_NAME_EN) && !text.includes(OP), 'never the identity');
  await shot(p, 'nisc-reports-ja');
  await p.locator('#reports-table a', { hasText: TITLE }).click();
  await p.locator('main h1', { hasText: TITLE }).waitFor();
  assert.equal(await p.locator('#reveal').count(), 0, 'no reveal for NISC');
  assert.ok(!(await mainText(p)).includes(OP_NAME_JA));
  await p.locator('#link-form input').first().fill('電力制御系への攻撃（2026年11月）');
  await p.locator('#link-form input').nth(1).fill('Attacks on power control systems (Nov 2026)');
  await p.locator('#link-submit').click();
  await p.waitForURL(/#\/events\/E[0-9a-f]+$/);
  s.event = p.url().split('/').pop();
  await until(async () => (await p.locator('#event-reports').innerText()).includes(TITLE), 'report in the event');
  assert.match(await mainText(p), /深刻度 3/);
  await shot(p, 'nisc-event-ja');
  clean(b);
  await b.close();
});

test('NISC issues a warning to the electricity sector', async () => {
  const b = await actor(NISC);
  const p = b.page;
  await go(p, '/advisories/new');
  await p.locator('select[name=kind]').selectOption('warning');
  await p.locator('select[name=severity]').selectOption('3');
  await p.locator('input[name=title_ja]').fill(WARN_JA);
  await p.locator('input[name=title_en]').fill(WARN_EN);
  await p.locator('textarea[name=body_ja]').fill('制御系ネットワークへの不審な通信に警戒してください。');
  await p.locator('textarea[name=body_en]').fill('Watch for suspicious traffic to control networks.');
  await p.locator('input[name=sectors][value=electricity]').check();
  await p.locator('input[name=range][value=green]').check();
  await shot(p, 'nisc-issue-advisory-ja');
  await p.locator('#issue-submit').click();
  await p.waitForURL(/#\/advisories\/A[0-9a-f]+$/);
  s.advisory = p.url().split('/').pop();
  // the window title names one advisory (it said the list's "Advisories":
  // found by a review)
  await until(async () => (await p.title()) === '情報提供 ' + s.advisory + ' - infrashare', 'the advisory\'s window title');
  assert.match(await p.locator('#status').innerText(), /14/);
  await until(async () => (await p.locator('#deliveries').innerText()).includes('CEPTOAR'), 'reach by CEPTOAR');
  await shot(p, 'nisc-advisory-reach-ja');
  clean(b);
  await b.close();
});

test('the secretariat relays it with a sector note and watches who is not yet reached', async () => {
  const b = await actor(SEC);
  s.sec = b;
  const p = b.page;
  await go(p, '/advisories');
  await until(async () => (await p.locator('#waiting').innerText()).includes(WARN_EN), 'waiting for our relay');
  await p.locator('#waiting a', { hasText: 'Relay' }).click();
  await p.locator('#relay-form textarea[name=note_ja]').fill('電力CEPTOARより: 制御系ベンダーの推奨設定も確認してください。');
  await p.locator('#relay-form textarea[name=note_en]').fill('From the Electricity CEPTOAR: also check the vendor hardening guide.');
  await p.locator('#relay').click();
  await until(async () => (await p.locator('#status').innerText()).includes('Relayed'), 'relayed');
  // past the (test) acknowledgement deadline every member is "not yet reached"
  await until(async () => (await p.locator('#unreached-count').innerText().catch(() => '')) === '14', '14 not yet reached');
  assert.ok((await p.locator('#unreached').innerText()).includes(OP));
  await shot(p, 'secretariat-deliveries-14-en');
  clean(b);
});

test('an operator acknowledges it from the inbox with one click', async () => {
  const b = await actor(OP);
  const p = b.page;
  await go(p, '/inbox');
  const row = p.locator(`#inbox tr[data-id="${s.advisory}"]`);
  assert.match(await row.innerText(), /未読/);
  assert.match(await row.innerText(), /未確認/);
  assert.ok((await row.innerText()).includes(WARN_JA));
  await shot(p, 'operator-inbox-ja');
  await row.locator('button[data-ack]').click();
  await until(async () => /確認済/.test(await row.innerText()), 'acknowledged');
  await p.locator(`#inbox a[href="#/advisories/${s.advisory}"]`).click();
  await p.locator('main h1', { hasText: WARN_JA }).waitFor();
  assert.match(await mainText(p), /電力CEPTOAR/);
  await go(p, '/inbox');
  assert.doesNotMatch(await p.locator(`#inbox tr[data-id="${s.advisory}"]`).innerText(), /未読/);
  clean(b);
  await b.close();
});

test('the secretariat\'s "not yet reached" list shrinks as it refreshes', async () => {
  const p = s.sec.page;
  await until(async () => (await p.locator('#unreached-count').innerText().catch(() => '')) === '13', '13 not yet reached', 20000);
  assert.ok(!(await p.locator('#unreached').innerText()).includes(OP), 'the operator left the list');
  assert.match(await p.locator('#deliveries').innerText(), /acknowledged 1/);
  await shot(p, 'secretariat-deliveries-13-en');
  clean(s.sec);
});

test('a drill is started and its report shows the chart and the reach', async () => {
  const p = s.sec.page;
  await go(p, '/drills');
  await p.locator('#drill-start').click();
  await p.locator('#drill-form .confirm-yes').click();
  await p.waitForURL(/#\/drills\/D[0-9a-f]+$/);
  s.drill = p.url().split('/').pop();
  await p.locator('#drill-chart polyline').first().waitFor({ state: 'attached' });
  assert.equal(await p.locator('#reach-1d').innerText(), '0.0%');
  // the operator acknowledges the drill
  const o = await actor(OP);
  await go(o.page, '/inbox');
  const row = o.page.locator('#inbox tr', { hasText: '【訓練】' }).first();
  await row.locator('button[data-ack]').click();
  await until(async () => /確認済/.test(await row.innerText()), 'drill acknowledged');
  clean(o);
  await o.close();
  await until(async () => (await p.locator('#reach-1d').innerText()) === '7.1%', 'reach 1/14', 20000);
  assert.equal(await p.locator('#drill-chart polyline').count(), 1);
  assert.match(await p.locator('#drill-chart').getAttribute('aria-labelledby'), /chart-title/);
  assert.match(await mainText(p), /Not reached \(no acknowledgement\) \(13\)/);
  await shot(p, 'drill-report-en');
  // the HTML report of the API opens in a new tab, with its own chart
  const [tab] = await Promise.all([s.sec.ctx.waitForEvent('page'), p.locator('#drill-html').click()]);
  await tab.waitForLoadState();
  assert.equal(await tab.locator('svg polyline').count(), 1);
  await tab.close();
  clean(s.sec);
  await s.sec.close();
});

test('the public page shows a White advisory and not a Green one, and its Atom feed', async () => {
  const n = await actor(NISC);
  const mk = (range, ja, en) => pageApi(n.page, 'POST', '/advisories', {
    kind: 'security_info', range, severity: 1, title_ja: ja, title_en: en,
    body_ja: ja + 'の本文', body_en: en + ' body', audience: { sectors: ['electricity'] },
  });
  const w = await mk('white', '公開: 制御機器の脆弱性情報 <b>太字</b>', 'Public: control device vulnerability');
  const g = await mk('green', 'コミュニティ限定: 詳細な侵入痕跡', 'Community only: detailed indicators');
  assert.equal(w.status, 201); assert.equal(g.status, 201);
  await n.close();
  const b = await actor(null);
  const p = b.page;
  const r = await p.goto(URL + '/public');
  assert.match(r.headers()['content-security-policy'], /script-src 'self'/);
  const text = await p.locator('main').innerText();
  assert.ok(text.includes('公開: 制御機器の脆弱性情報 <b>太字</b>'), 'White title, as text');
  assert.ok(!text.includes('コミュニティ限定'), 'no Green item');
  assert.equal(await p.locator('main b').count(), 0, 'markup in data is not markup');
  // dates as the UI writes them, the time zone stated once, in the
  // introduction (docs/ui.md "Times"; the items said "2026-12-08 03:36
  // JST (+09:00)" each: found by a review)
  const when = await p.locator('main article time').first().innerText();
  assert.match(when, /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
  assert.equal(text.split('+09:00').length - 1, 1, text);
  assert.equal(await p.locator('header nav a', { hasText: 'Atomフィード' }).getAttribute('href'), '/public/feed.atom');
  await p.locator('header nav a', { hasText: 'English' }).click();
  await p.locator('h1', { hasText: 'Public advisories' }).waitFor();
  assert.ok((await p.locator('main').innerText()).includes('Public: control device vulnerability'));
  assert.ok(!(await p.locator('main').innerText()).includes('Community only'));
  assert.match(await p.locator('main article time').first().innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  // the English page's feed is the English one (it linked the Japanese)
  assert.equal(await p.locator('header nav a', { hasText: 'Atom feed' }).getAttribute('href'), '/public/feed.atom?lang=en');
  assert.equal(await p.locator('link[rel=alternate]').getAttribute('href'), '/public/feed.atom?lang=en');
  await shot(p, 'public-en');
  const feed = await fetch(URL + '/public/feed.atom');
  assert.match(feed.headers.get('content-type'), /application\/atom\+xml/);
  const xml = await feed.text();
  assert.ok(xml.includes('公開: 制御機器の脆弱性情報 &lt;b&gt;太字&lt;/b&gt;'));
  assert.ok(!xml.includes('コミュニティ限定'));
  clean(b);
  await b.close();
});

test('a report titled with markup and script renders as text; nothing sensitive is stored', async () => {
  const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)> 障害 🔥';
  const b = await actor(OP);
  const p = b.page;
  await go(p, '/report/new');
  await p.locator('input[name=title]').fill(XSS);
  await p.locator('select[name=kind]').selectOption('precursor');
  await p.locator('input[name=range][value=amber]').check();
  await p.locator('#submit-report').click();
  await p.waitForURL(/#\/reports\/R[0-9a-f]+$/);
  await p.locator('main h1').waitFor();
  assert.equal(await p.locator('main h1').innerText(), XSS);
  assert.equal(await p.locator('main img').count(), 0);
  assert.equal(await p.locator('main script').count(), 0);
  await shot(p, 'xss-report-ja');
  await go(p, '/reports');
  assert.ok((await p.locator('#reports-table').innerText()).includes(XSS));
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(b.dialogs, [], 'no dialog fired');
  // no Red/Amber content in storage, title or URL
  const stored = await p.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes('障害') && !stored.includes(TITLE.slice(0, 5)), 'no report content in web storage');
  assert.ok(!(await p.title()).includes('障害'));
  clean(b);
  await b.close();
});

test('the other pages render in both languages (screenshots)', async () => {
  const a = await actor('auditor');
  await go(a.page, '/audit');
  await a.page.locator('#verify', { hasText: 'OK' }).waitFor();
  // the list is fetched after the check of the chain: wait for its rows
  await a.page.locator('#audit-list tbody tr').first().waitFor();
  assert.match(await a.page.locator('#audit-list').innerText(), /報告元の開示/); // the action in words (web/i18n.js auditact)
  // the reveal is recorded with its reason
  assert.ok((await a.page.locator('#audit-list tr[data-action="report.reveal"]').first().innerText()).includes(REVEAL_REASON));
  // the auditor does not see who filed the anonymous report
  const filed = a.page.locator(`#audit-list tr[data-action="report.file"][data-target="${s.report}"]`);
  for (let i = 0; i < 20 && !(await filed.count()); i++) {
    const first = await a.page.locator('#audit-list tbody tr').first().innerText();
    await a.page.locator('button', { hasText: '古い方へ' }).click();
    await until(async () => (await a.page.locator('#audit-list tbody tr').first().innerText()) !== first, 'older page');
  }
  assert.match(await filed.innerText(), /報告元のため非表示/);
  assert.ok(!(await filed.innerText()).includes(OP));
  await shot(a.page, 'audit-ja');
  clean(a);
  await a.close();
  const o = await actor('op-electricity-0002');
  await go(o.page, '/org');
  await o.page.locator('input[name=token-name]').fill('SIEM連携');
  await o.page.locator('#tokens + form button[type=submit], form button[type=submit]').last().click();
  await until(async () => (await o.page.locator('#token-secret').innerText()).includes('ist_'), 'token shown once');
  await shot(o.page, 'operator-org-ja');
  await o.page.locator('#lang').click();
  await until(async () => (await o.page.locator('main h1').innerText()) === 'My organisation', 'English');
  assert.equal(await o.page.locator('#token-secret').innerText(), '', 'the secret is gone after re-render');
  await shot(o.page, 'operator-org-en');
  await go(o.page, '/');
  await shot(o.page, 'operator-home-en');
  await go(o.page, '/report/new');
  await until(async () => /Severity [0-5]/.test(await o.page.locator('#severity-live').innerText()), 'severity in English');
  await shot(o.page, 'operator-report-form-en');
  await o.page.locator('#lang').click();
  await until(async () => (await o.page.locator('main h1').innerText()).includes('報告する'), 'back to Japanese');
  clean(o);
  await o.close();
  const n = await actor(NISC);
  await go(n.page, '/');
  await shot(n.page, 'nisc-home-ja');
  await go(n.page, '/advisories');
  await shot(n.page, 'nisc-advisories-ja');
  await go(n.page, '/events');
  await shot(n.page, 'nisc-events-ja');
  clean(n);
  await n.close();
});
