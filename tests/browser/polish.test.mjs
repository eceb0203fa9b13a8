// polish.test.mjs - names, not ids or codes, and Japanese that reads
// naturally (issue 11 items 7 and 10), on real pages as an operator, a
// ministry desk, NISC and a CEPTOAR secretariat, in Japanese and English:
// the current hop "mic" shows as 総務省 / MIC; roles, scopes, the sector
// and scope, the severity rule and the ministry's relay heading in words;
// dates "2026/11/30 22:24" (ja) and "2026-11-30 22:24" (en) with the time
// zone stated once per page; update numbers per report; no "（必須）" on a
// read-only page; the strict Japanese line-breaking rules. First, without a
// browser: every key the pages use exists in both languages, and the
// Japanese table has no English-only text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { browser, login, go, shot, mainText, until, adminApi, pageApi, setLang } from './lib.mjs';

const WEB = path.join(import.meta.dirname, '..', '..', 'web');
const OP = 'op-broadcasting-0001';
const MIN = 'mic-desk';
const SEC = 'ceptoar-broadcasting-secretariat';
const NISC = 'nisc-analyst';
const TITLE = '放送設備の停止（表示の試験）' + Date.now();
const open = [];
const s = {};

const JA_DATE = /\b\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}\b/;
const EN_DATE = /\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b/;
const OFFSET = /JST \(\+09:00\)|\+09:00/;

async function actor(user, viewport) {
  const b = await browser(viewport ? { viewport } : {});
  open.push(b);
  await login(b.page, user);
  return b;
}
function clean(b) {
  assert.deepEqual(b.errors, [], 'no script error');
  assert.deepEqual(b.csp, [], 'no CSP violation');
  assert.deepEqual(b.dialogs, [], 'no dialog');
}
/* The time-zone note: once per page, in the footer, in the page's language. */
async function tzOnce(p, l) {
  const notes = await p.locator('#tznote').allInnerTexts();
  assert.equal(notes.length, 1, 'one time-zone note');
  assert.match(notes[0], l === 'ja' ? /日本標準時（JST、UTC\+9）/ : /Japan Standard Time \(JST, UTC\+9\)/);
  const text = await mainText(p);
  assert.doesNotMatch(text, OFFSET, 'no offset in the cells');
  assert.match(text, l === 'ja' ? JA_DATE : EN_DATE);
  if (l === 'ja') assert.doesNotMatch(text, EN_DATE);
  // the <time> elements keep the UTC instant
  const dts = await p.locator('main time').evaluateAll((ts) => ts.map((x) => x.getAttribute('datetime')));
  assert.ok(dts.length > 0 && dts.every((d) => /Z$/.test(d)), JSON.stringify(dts));
}

test('i18n: every key used in web/*.js exists in both languages; no English-only Japanese text', async () => {
  if (!globalThis.document) globalThis.document = { documentElement: {} };
  const i18n = await import(path.join(WEB, 'i18n.js'));
  const files = fs.readdirSync(WEB).filter((f) => f.endsWith('.js'));
  // the pages that keep their own texts (i18n.js addTexts, e.g.
  // page-surveys.js) register them when loaded (api.js reads location)
  if (!globalThis.location) globalThis.location = { pathname: '/' };
  const own = files.filter((f) => f !== 'i18n.js' && /^addTexts\(/m.test(fs.readFileSync(path.join(WEB, f), 'utf8')));
  for (const f of own) await import(path.join(WEB, f));
  const used = new Set();
  for (const f of files) {
    // code only: comment lines (such as the example in i18n.js) are left out
    const src = fs.readFileSync(path.join(WEB, f), 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\/\*|\*)/.test(l)).join('\n');
    for (const m of src.matchAll(/\bt\(\s*'([A-Za-z0-9_.-]+)'\s*[,)]/g)) used.add(m[1]);
  }
  // keys built from a prefix: each value the code may add
  const rules = JSON.parse(fs.readFileSync(path.join(WEB, '..', 'data', 'severity', 'rules.json'), 'utf8')).rules.map((r) => r.id);
  for (const r of ['reader', 'reporter', 'liaison', 'analyst', 'org_admin', 'auditor', 'admin']) used.add('role.' + r);
  for (const r of rules) used.add('rule.' + r);
  for (const k of ['ministry', 'ceptoar', 'council', 'operator', 'other']) used.add('adv.relaytitle.' + k);
  assert.ok(used.size > 300, 'keys found: ' + used.size);
  const src = fs.readFileSync(path.join(WEB, 'i18n.js'), 'utf8');
  // the keys of the text table D (the enum tables' own keys are values)
  const dsrc = src.slice(src.indexOf('const D = {'), src.indexOf('\n};', src.indexOf('const D = {')));
  const all = [...dsrc.matchAll(/^\s*'([^']+)':\s*\[/gm)].map((m) => m[1]);
  for (const f of own) {
    const fsrc = fs.readFileSync(path.join(WEB, f), 'utf8');
    const tsrc = fsrc.slice(fsrc.indexOf('const TEXTS = {'), fsrc.indexOf('\n};', fsrc.indexOf('const TEXTS = {')));
    const keys = [...tsrc.matchAll(/^\s*'([^']+)':\s*\[/gm)].map((m) => m[1]);
    assert.ok(keys.length > 0, f + ': its TEXTS table');
    all.push(...keys);
  }
  const missing = [], bad = [];
  for (const k of used) {
    for (const l of ['ja', 'en']) {
      i18n.setLang(l);
      const v = i18n.t(k, null, true);
      if (typeof v !== 'string' || !v) missing.push(l + ':' + k);
    }
  }
  assert.deepEqual(missing, [], 'keys missing in a language');
  // the Japanese text has Japanese in it, or is a name the English uses too
  // (NISC, CEPTOAR, CSV); the language switch speaks the other language
  const JP = /[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]/;
  for (const k of all) {
    if (k === 'switch' || k === 'switch.label') continue;
    i18n.setLang('ja'); const ja = i18n.t(k, null, true);
    i18n.setLang('en'); const en = i18n.t(k, null, true);
    if (typeof ja !== 'string' || typeof en !== 'string') { bad.push(k + ': not two texts'); continue; }
    if (!JP.test(ja) && !en.includes(ja)) bad.push(k + ': ' + ja);
    // no space between a name or number put into the text and the particle
    // or counter that follows it ("{org} の", "{n} 件"), nor between a
    // particle and the name after it ("に {org}"); "確認済 {c}" (a label
    // and its figure) is fine
    if (/\{(?!id\})\w+\} [のにをはがでとへもや件組分秒時日回名人報版]|[のにをはがでとへもや] \{\w+\}/.test(ja)) bad.push(k + ' (spacing): ' + ja);
  }
  assert.deepEqual(bad, [], 'Japanese texts');
  i18n.setLang('ja');
  assert.equal(i18n.fmtTime('2026-11-30T13:24:00Z'), '2026/11/30 22:24');
  assert.equal(i18n.dur(900), '15分');
  assert.equal(i18n.dur(5400), '1時間30分');
  assert.equal(i18n.dur(86400), '1日');
  assert.equal(i18n.dur(45), '45秒');
  i18n.setLang('en');
  assert.equal(i18n.fmtTime('2026-11-30T13:24:00Z'), '2026-11-30 22:24');
  assert.equal(i18n.dur(900), '15 min');
  assert.equal(i18n.dur(3600), '1 h');
  assert.equal(i18n.dur(2 * 86400 + 3 * 3600), '2 days 3 h');
  i18n.setLang('ja');
});

before(async () => {
  // MIC reviews: the report and the advisory wait there
  await adminApi('PUT', '/orgs/mic/policy', { policy: 'review', review_limit_min: 30 });
});
after(async () => {
  await adminApi('PUT', '/orgs/mic/policy', { policy: 'auto', review_limit_min: 30 });
  for (const b of open) await b.close().catch(() => {});
});

test('operator: the report page in words (sector and scope, rule, update numbers, dates), ja and en', async () => {
  const b = await actor(OP);
  const p = b.page;
  const detected = '2026-11-30T13:24:00Z';
  // another report first, so that hub-wide update ids differ from ours
  const other = await pageApi(p, 'POST', '/reports', { title: 'ほかの報告', kind: 'incident', range: 'red', route: 'direct', detected_at: detected, what_happened: 'x' });
  assert.equal(other.status, 201, JSON.stringify(other.body));
  assert.equal((await pageApi(p, 'POST', '/reports/' + other.body.id + '/updates', { kind: 'update', text: 'a' })).status, 201);
  const r = await pageApi(p, 'POST', '/reports', {
    title: TITLE, kind: 'incident', range: 'green', route: 'direct', detected_at: detected,
    what_happened: '送信所の設備が停止', impact: { service_stopped: true } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  s.id = r.body.id;
  for (const text of ['続報その1', '続報その2']) {
    const u = await pageApi(p, 'POST', '/reports/' + s.id + '/updates', { kind: 'update', text });
    assert.equal(u.status, 201, JSON.stringify(u.body));
  }
  await go(p, '/reports/' + s.id);
  await p.locator('main h1', { hasText: TITLE }).waitFor();
  let text = await mainText(p);
  assert.ok(text.includes('情報通信（放送）'), 'sector and scope by name');
  assert.doesNotMatch(text, / \/ broadcasting|L3-exceeded/);
  assert.ok(text.includes('サービス維持レベルの逸脱・サービス停止'), 'the rule by name');
  assert.ok(text.includes('2026/11/30 22:24'), 'detected at, in JST');
  assert.ok(!text.includes('（必須）'), 'no "required" on a read-only page');
  assert.ok(text.includes('検知日時'));
  const upd = await p.locator('main table').last().innerText();
  assert.match(upd, /第1報[\s\S]*第2報[\s\S]*第3報/, 'updates numbered within the report');
  assert.ok((await p.locator('#timeline').innerText()).includes('第3報'));
  await tzOnce(p, 'ja');
  const lb = await p.locator('#timeline td').first().evaluate((el) => getComputedStyle(el).lineBreak);
  assert.equal(lb, 'strict', 'Japanese: no break before small kana or ー');
  const wb = await p.locator('main th').first().evaluate((el) => getComputedStyle(el).wordBreak);
  assert.equal(wb, 'auto-phrase', 'Japanese labels break between phrases');
  await shot(p, 'polish-report-ja');
  await p.setViewportSize({ width: 390, height: 844 });
  await shot(p, 'polish-report-ja-phone');
  await p.setViewportSize({ width: 1366, height: 768 });
  await setLang(p, 'en');
  await p.locator('main h1', { hasText: TITLE }).waitFor();
  text = await mainText(p);
  assert.ok(text.includes('Information and communications (Broadcasting)'), text.slice(0, 2000));
  assert.ok(text.includes('Maintenance level exceeded or service stopped'));
  assert.ok(text.includes('2026-11-30 22:24'));
  assert.match(await p.locator('main table').last().innerText(), /No\. 2[\s\S]*No\. 3/);
  await tzOnce(p, 'en');
  await shot(p, 'polish-report-en');
  // the report form: "required" on its field, the rule by name
  // (the form's fields come after its heading, once the catalogue is read)
  await go(p, '/report/new');
  await until(async () => (await mainText(p)).includes('Detected at (required)'), 'the English form');
  await setLang(p, 'ja');
  await go(p, '/report/new');
  await until(async () => (await mainText(p)).includes('検知日時（必須）'), 'the Japanese form');
  await p.locator('input[name=service_stopped]').check().catch(() => {});
  await until(async () => (await p.locator('#severity-rule').count()) > 0, 'the severity panel');
  const rule = p.locator('#severity-rule');
  await until(async () => /L\d-/.test(await rule.getAttribute('data-rule') || ''), 'a rule');
  assert.doesNotMatch(await rule.innerText(), /^L\d-/, 'a name, not the code');
  const expl = await p.locator('.sevpanel').innerText();
  assert.doesNotMatch(expl, /service_stopped|impact_ratio|kind_precursor|該当: exceeded/, expl);
  await shot(p, 'polish-report-new-ja');
  clean(b);
});

test('ministry: the current hop by name; a ministry relays to its CEPTOARs (ja, en)', async () => {
  const n = await actor(NISC);
  const adv = await pageApi(n.page, 'POST', '/advisories', {
    kind: 'security_info', range: 'amber', severity: 1, title_ja: '中継見出しの試験', title_en: 'Relay heading test',
    body_ja: '本文', body_en: 'Body', audience: { sectors: ['ict'] } });
  assert.equal(adv.status, 201, JSON.stringify(adv.body));
  s.adv = adv.body.id;

  const b = await actor(MIN);
  const p = b.page;
  await go(p, '/reports');
  const row = p.locator('#reports-table tr', { hasText: TITLE });
  await row.waitFor();
  let cells = await row.locator('td').allInnerTexts();
  assert.ok(cells.some((c) => c.includes('総務省')), JSON.stringify(cells));
  assert.ok(!cells.some((c) => /(^|\W)mic(\W|$)/.test(c)), JSON.stringify(cells));
  await tzOnce(p, 'ja');
  await shot(p, 'polish-reports-ministry-ja');
  await setLang(p, 'en');
  await p.locator('#reports-table tr', { hasText: TITLE }).waitFor();
  cells = await p.locator('#reports-table tr', { hasText: TITLE }).locator('td').allInnerTexts();
  assert.ok(cells.some((c) => /\bMIC\b/.test(c)), JSON.stringify(cells));
  await tzOnce(p, 'en');
  await shot(p, 'polish-reports-ministry-en');

  await go(p, '/advisories/' + s.adv);
  await p.locator('#relay-form').waitFor();
  assert.equal(await p.locator('#relay-form h2').innerText(), 'Relay to our CEPTOARs');
  await setLang(p, 'ja');
  await p.locator('#relay-form').waitFor();
  assert.equal(await p.locator('#relay-form h2').innerText(), '所管CEPTOARへ中継');
  assert.ok(!(await mainText(p)).includes('構成員へ中継'));
  await shot(p, 'polish-advisory-ministry-ja');
  clean(b);
  clean(n);
});

test('NISC: home in words (display name, roles, no spaces around particles), ja and en', async () => {
  const b = await actor(NISC);
  const p = b.page;
  await go(p, '/');
  let text = await mainText(p);
  assert.ok(text.includes('内閣サイバーセキュリティセンターのNISC analyst (demo)としてログインしています。'), text.slice(0, 300));
  assert.ok(!/ の /.test(text));
  assert.ok(text.includes('ロール: 閲覧者・報告者・連絡担当・分析担当'), text.slice(0, 400));
  assert.ok(!text.includes('reader'));
  assert.ok((await p.locator('#whoami').innerText()).includes('NISC analyst (demo)'));
  await shot(p, 'polish-home-nisc-ja');
  await setLang(p, 'en');
  text = await mainText(p);
  assert.ok(text.includes('Roles: Reader, Reporter, Liaison, Analyst'), text.slice(0, 400));
  assert.ok(text.includes('Signed in as NISC analyst (demo) of '));
  await shot(p, 'polish-home-nisc-en');
  await setLang(p, 'ja');
  clean(b);
});

test('secretariat: the organisation page in words (scope, member of, roles, language), ja and en', async () => {
  const b = await actor(SEC);
  const p = b.page;
  await go(p, '/org');
  await p.locator('#tokens table, #tokens p').first().waitFor();
  let text = await mainText(p);
  assert.ok(text.includes('情報通信（放送）'), 'scope by name');
  assert.ok(text.includes('セプターカウンシル'), 'member of, by name');
  assert.ok(!text.includes('ceptoar-council'));
  assert.ok(text.includes('閲覧者・'), 'roles in words');
  assert.ok(!/reader,/.test(text));
  assert.ok(text.includes('日本語'));
  await shot(p, 'polish-org-secretariat-ja');
  await p.setViewportSize({ width: 390, height: 844 });
  await shot(p, 'polish-org-secretariat-ja-phone');
  await p.setViewportSize({ width: 1366, height: 768 });
  await setLang(p, 'en');
  await p.locator('#tokens table, #tokens p').first().waitFor();
  text = await mainText(p);
  assert.ok(text.includes('Information and communications (Broadcasting)'));
  assert.ok(text.includes('CEPTOAR Council'));
  assert.ok(/Reader, /.test(text));
  await shot(p, 'polish-org-secretariat-en');
  await setLang(p, 'ja');
  clean(b);
});

test('the language chosen survives a reload that cut off its save, and reaches the hub then; another user in the browser is not given it', async () => {
  const b = await actor(MIN);
  const p = b.page;
  await go(p, '/');
  assert.equal(await p.evaluate(() => document.documentElement.lang), 'ja');
  // the save of the choice never reaches the hub (the page is left first)
  let held = 0;
  await p.route('**/api/v1/session/lang', (r) => { held++; return r.abort(); });
  await p.locator('#lang').click();
  await until(async () => held === 1, 'the save of the language tried');
  assert.equal((await pageApi(p, 'GET', '/session')).body.user.lang, 'ja', 'the hub still has the old choice');
  await p.unroute('**/api/v1/session/lang');
  // reloaded: the choice made here stands, and is sent to the hub again
  const saved = p.waitForResponse((r) => r.url().endsWith('/api/v1/session/lang') && r.request().method() === 'POST');
  await p.reload();
  assert.equal((await saved).status(), 200);
  await p.locator('#whoami').waitFor();
  await until(async () => (await p.evaluate(() => document.documentElement.lang)) === 'en', 'English after the reload');
  assert.equal((await pageApi(p, 'GET', '/session')).body.user.lang, 'en', 'the hub has the choice');
  assert.equal(await p.evaluate(() => localStorage.getItem('infrashare.lang_unsaved')), null, 'nothing left unsaved');
  // a choice left unsaved by one user is not another's: signed out and in
  // as someone else in the same browser, the hub's choice of that user
  await p.route('**/api/v1/session/lang', (r) => r.abort());
  await setLangBare(p);
  await p.unroute('**/api/v1/session/lang');
  assert.ok(await p.evaluate(() => localStorage.getItem('infrashare.lang_unsaved')), 'the choice is unsaved');
  await p.locator('#logout').click();
  await p.locator('input[name=username]').waitFor();
  assert.equal(await p.evaluate(() => localStorage.getItem('infrashare.lang_unsaved')), null, 'signing out forgets it');
  await login(p, SEC);
  const sec = (await pageApi(p, 'GET', '/session')).body.user.lang;
  await until(async () => (await p.evaluate(() => document.documentElement.lang)) === sec, 'the other user\'s language');
  // back as they were for the other tests: the ministry desk in Japanese
  await p.locator('#logout').click();
  await login(p, MIN);
  if ((await pageApi(p, 'GET', '/session')).body.user.lang !== 'ja') await setLang(p, 'ja');
  assert.equal((await pageApi(p, 'GET', '/session')).body.user.lang, 'ja');
  clean(b);
});

test('two language choices in quick succession: the hub keeps the last, even when the first save is answered late', async () => {
  // a user of its own (no other test uses it), Japanese at the start
  const b = await actor('mhlw-desk');
  const p = b.page;
  await go(p, '/');
  if ((await pageApi(p, 'GET', '/session')).body.user.lang !== 'ja') await setLang(p, 'ja');
  // the first save (English) is held on its way to the hub; any later one passes
  let first = null;
  const posts = [];
  await p.route('**/api/v1/session/lang', (r) => {
    posts.push(r.request().postDataJSON().lang);
    if (!first) { first = r; return undefined; }
    return r.continue();
  });
  await p.locator('#lang').click();
  await until(async () => first !== null, 'the first save sent');
  await until(async () => (await p.evaluate(() => document.documentElement.lang)) === 'en', 'English shown');
  await p.locator('#lang').click();
  await until(async () => (await p.evaluate(() => document.documentElement.lang)) === 'ja', 'Japanese shown');
  // the second choice is not sent while the first is under way: two saves
  // at once may reach the hub in either order (here: the second first)
  assert.deepEqual(posts, ['en'], 'one save under way');
  await first.continue();
  await until(async () => (await pageApi(p, 'GET', '/session')).body.user.lang === 'ja' &&
    await p.evaluate(() => localStorage.getItem('infrashare.lang_unsaved')) === null,
  'the hub has the last choice, nothing left unsaved');
  assert.deepEqual(posts, ['en', 'ja'], 'the last choice sent after the first answer');
  await p.unroute('**/api/v1/session/lang');
  await p.reload();
  await p.locator('#whoami').waitFor();
  await drawnLang(p, 'ja');
  assert.equal((await pageApi(p, 'GET', '/session')).body.user.lang, 'ja', 'still the last choice');
  clean(b);
});

/* Waits until the page is drawn in language l. */
async function drawnLang(p, l) {
  await until(async () => (await p.evaluate(() => document.documentElement.lang)) === l, 'language ' + l);
  await p.locator('main[aria-busy="false"]').waitFor();
}

/* The language button pressed once, its save refused (routed away above). */
async function setLangBare(p) {
  const before = await p.evaluate(() => document.documentElement.lang);
  await p.locator('#lang').click();
  await until(async () => (await p.evaluate(() => document.documentElement.lang)) !== before, 'the language switched');
  await until(async () => (await p.locator('main').innerText()) !== '' && await p.locator('main[aria-busy="false"]').count() === 1, 'the page drawn');
}
