// exercise.test.mjs - cross-sector exercises (issue 14, the UI) on a real
// daemon with the demo data, in Japanese and English, at 1366x768 and
// 390x844, each page checked with axe-core, no script error, no CSP
// violation, no response >= 400 and no sideways scrolling on a phone:
//  - the controller (the hub's admin) creates an exercise through the form
//    with data/exercises/fy2015.json chosen as the scenario file (read in
//    the browser), the gas sector as participants, adds the electricity
//    sector and sets a participant's venue and theme; starts it paused and
//    advances the clock 30 minutes from the console; the live board lists
//    every participant's expected actions as pending;
//  - an operator of a participating gas company opens the exercise, ticks
//    the rules pre-check, acts in the exercise context /x/{id}/ (the banner
//    on every page, the menu of the exercise's pages, API calls under
//    /x/{id}, the session at the root): acknowledges the early warning in
//    its inbox; back on the hub, declares BCP activation and answers the
//    questionnaire; its own board row shows the acknowledgement on time;
//  - the controller's board, left open, shows that acknowledgement as on
//    time without a reload (it refreshes while the exercise runs, and stops
//    when the page is left); resume, pause, shift both ways, fire an inject
//    by hand, end; the debrief page with its formats and figures;
//  - a user taking part in no exercise sees an empty list, not an error.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { browser, login, go, shot, until, pageApi, axeCheck, watch, settle, URL, setLang } from './lib.mjs';

const VIEWS = { 1366: { width: 1366, height: 768 }, 390: { width: 390, height: 844 } };
const SCENARIO = path.join(import.meta.dirname, '..', '..', 'data', 'exercises', 'fy2015.json');
// run.sh makes the demo hub with this admin password
const ADMIN_PW = process.env.INFRASHARE_ADMIN_PASSWORD || 'browser-test-admin-password';
const OP = 'op-gas-0001';
const stamp = Date.now().toString(36);
const TITLE_JA = '分野横断的演習（画面の試験）' + stamp;
const TITLE_EN = 'Cross-sector exercise (UI test) ' + stamp;
const GAPS = 'IT-BCP発動権限者の代行規定がない（' + stamp + '）';
const open = [];
const s = {};

after(async () => { for (const b of open) await b.close().catch(() => {}); });

async function actor(user, view, pw) {
  const b = watch(await browser({ viewport: VIEWS[view] }));
  open.push(b);
  b.requests = [];
  b.page.on('request', (r) => b.requests.push(r.method() + ' ' + r.url().replace(URL, '')));
  await login(b.page, user, pw);
  return b;
}
async function check(b, name, view) {
  await settle(b);
  if (view === '390') {
    const w = await b.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(w[0] <= w[1] + 1, `${name}: the page scrolls sideways (${w[0]} > ${w[1]})`);
  }
  await shot(b.page, name);
  await axeCheck(b.page, name, ['heading-order', 'empty-table-header']);
  assert.deepEqual(b.errors, [], name + ': no script error');
  assert.deepEqual(b.csp, [], name + ': no CSP violation');
  assert.deepEqual(b.dialogs, [], name + ': no dialog');
  assert.deepEqual(b.problems, [], name + ': no failed request');
}
/* The page as it is, in both languages and at both widths (the browser's
 * window is resized; the language is the user's, left in Japanese). */
async function everyWay(b, name, ready) {
  const p = b.page;
  for (const l of ['ja', 'en']) {
    await setLang(p, l);
    await p.setViewportSize(VIEWS[1366]);
    if (ready) await ready(l);
    await check(b, `${name}-${l}-1366`, '1366');
    await p.setViewportSize(VIEWS[390]);
    await check(b, `${name}-${l}-390`, '390');
    await p.setViewportSize(VIEWS[1366]);
  }
  await setLang(p, 'ja');
  if (ready) await ready('ja');
}
const text = (p, sel = 'main') => p.locator(sel).innerText();
const boardRow = (p, org, action) => p.locator(`#ex-board tr[data-org="${org}"][data-action="${action}"]`);

test('the controller creates an exercise from the scenario file, adds participants, starts it paused and advances it', async () => {
  const b = await actor('admin', '1366', ADMIN_PW);
  const p = b.page;
  // the menu has the entry; the list is empty, the form is offered
  await p.locator('#nav a[href="#/exercises"]').click();
  await p.locator('#ex-create').waitFor();
  assert.match(await text(p), /【演習】/);
  await everyWay(b, 'exercise-list-empty');
  // the form: the scenario file is read in the browser into the text box
  await p.locator('#ex-title-ja').fill(TITLE_JA);
  await p.locator('#ex-title-en').fill(TITLE_EN);
  await p.locator('#ex-planned').fill('2026-12-10');
  await p.locator('#ex-scenario-file').setInputFiles(SCENARIO);
  await until(async () => (await p.locator('#ex-scenario').inputValue()).includes('infrashare-exercise-scenario/1'), 'the scenario read');
  assert.match(await p.locator('#ex-scenario-chosen').innerText(), /fy2015\.json/);
  await p.locator('#ex-sectors').fill('gas');
  await p.locator('#ex-briefing-ja').fill('本演習は標的型攻撃と IT-BCP の発動を想定します。');
  await p.locator('#ex-briefing-en').fill('The exercise assumes a targeted attack and an IT-BCP activation.');
  await p.locator('#ex-create-button').click();
  await until(async () => /#\/exercises\/X[0-9a-f]+$/.test(p.url()), 'the exercise page');
  s.id = p.url().split('/').pop();
  await p.locator('#ex-console').waitFor();
  assert.equal(await p.locator('#ex-state [data-state]').getAttribute('data-state'), 'planning');
  assert.match(await text(p), new RegExp(TITLE_JA));
  // the participants: the gas sector; the electricity sector added
  await p.locator(`#ex-participants tr[data-org="${OP}"]`).waitFor();
  assert.equal(await p.locator('#ex-participants tr[data-org^="op-electricity-"]').count(), 0);
  await p.locator('#ex-add-sectors').fill('electricity');
  await p.locator('#ex-add-button').click();
  await p.locator('#ex-participants tr[data-org="op-electricity-0001"]').waitFor();
  // the venue and theme of the gas company
  await p.locator('#ex-edit-org').selectOption(OP);
  await p.locator('#ex-edit-venue').fill('本社 危機管理室');
  await p.locator('#ex-edit-theme-ja').fill('BCP発動判断の手順');
  await p.locator('#ex-edit-theme-en').fill('Deciding on the BCP');
  await p.locator('#ex-edit-button').click();
  await until(async () => (await text(p, `#ex-participants tr[data-org="${OP}"]`)).includes('本社 危機管理室'), 'the venue saved');
  const x = (await pageApi(p, 'GET', '/exercises/' + s.id)).body;
  assert.deepEqual([...new Set(x.participant_list.map((q) => q.sector))].sort(), ['electricity', 'gas']);
  assert.equal(x.participant_list.find((q) => q.org === OP).theme.en, 'Deciding on the BCP');
  await everyWay(b, 'exercise-planning', async () => { await p.locator('#ex-console').waitFor(); });
  // the console: start with the clock paused
  await p.locator('#ex-start-paused').check();
  await p.locator('#ex-scale').fill('1');
  await p.locator('#ex-start').click();
  await p.locator('#ex-resume').waitFor();
  assert.equal(await p.locator('#ex-state [data-state]').getAttribute('data-state'), 'running');
  assert.match(await p.locator('#ex-clock').innerText(), /0分（一時停止中）/);
  // advance 30 minutes
  await p.locator('#ex-advance-min').fill('30');
  await p.locator('#ex-advance').click();
  await until(async () => /30分/.test(await p.locator('#ex-clock').innerText()), 'the clock at 30');
  // the board: every participant's expected actions, pending
  await boardRow(p, OP, 'p1-ack-warning').waitFor();
  assert.equal(await boardRow(p, OP, 'p1-ack-warning').getAttribute('data-outcome'), 'pending');
  assert.match(await text(p, `#ex-board tr[data-org="${OP}"][data-action="p1-ack-warning"]`), /対応待ち/);
  assert.equal(await boardRow(p, 'op-electricity-0001', 'p1-report').getAttribute('data-outcome'), 'pending');
  const parts = x.participant_list.length;
  assert.equal(await p.locator('#ex-board tr[data-action="p1-ack-warning"]').count(), parts, 'one row per participant for the warning');
  assert.equal(await p.locator('#ex-total-pending').innerText(), String(2 * parts));
  assert.ok(await p.locator('#ex-act').isVisible(), 'the link to the exercise context');
  assert.equal(await p.locator('#ex-act').getAttribute('href'), `/x/${s.id}/`);
  await everyWay(b, 'exercise-console-running', async () => { await p.locator('#ex-board[data-ready="1"]').waitFor(); });
  s.ctl = b; // left open on the console: its board refreshes by itself
});

test('the daemon serves the UI under /x/{id}/ while the exercise runs', async () => {
  for (const u of [`/x/${s.id}/`, `/x/${s.id}/ui/app.js`, `/x/${s.id}/ui/page-exercise.js`]) {
    const r = await fetch(URL + u);
    assert.equal(r.status, 200, u);
    assert.match(r.headers.get('Content-Type'), u.endsWith('/') ? /^text\/html/ : /javascript/, u);
  }
  // a route that is not the exercise's: refused there
  const r = await fetch(URL + `/x/${s.id}/api/v1/exercises`);
  assert.equal(r.status, 404);
});

test('a participating operator ticks the checklist, acknowledges in the exercise context, declares BCP and answers', async () => {
  const b = await actor(OP, '390');
  const p = b.page;
  await go(p, '/exercises');
  const row = p.locator(`#ex-list tr[data-id="${s.id}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /実施中/);
  await row.locator('a').click();
  await p.locator('#ex-checklist').waitFor();
  const t0 = await text(p);
  assert.match(t0, /【演習】/);
  assert.match(t0, /本社 危機管理室/);
  assert.match(t0, /BCP発動判断の手順/);
  assert.match(t0, /本演習は標的型攻撃と IT-BCP の発動を想定します。/);
  assert.equal(await p.locator('#ex-console').count(), 0, 'no console for a participant');
  // the rules pre-check
  for (const k of ['contacts_current', 'rules_reviewed', 'roles_assigned', 'bcp_authority_known', 'report_route_known']) await p.locator('#ex-check-' + k).check();
  await p.locator('#ex-checklist-save').click();
  await until(async () => /5\/5/.test(await text(p, '#ex-checklist-out')), 'the checklist saved');
  const me = (await pageApi(p, 'GET', '/exercises/' + s.id)).body.me;
  assert.ok(Object.values(me.checklist).length === 5 && Object.values(me.checklist).every(Boolean), JSON.stringify(me.checklist));
  await check(b, 'exercise-participant-ja-390', '390');

  // the exercise context: the same UI under /x/{id}/
  b.requests.length = 0;
  await p.locator('#ex-act').click();
  await until(async () => new globalThis.URL(p.url()).pathname === `/x/${s.id}/`, 'the exercise context');
  await p.locator('#exercise-banner .xbanner-title').waitFor();
  assert.match(await text(p, '#exercise-banner'), /【演習】演習環境（本番ではありません）/);
  // the exercise's name comes with its second drawing, once it is read
  await until(async () => new RegExp(TITLE_JA).test(await text(p, '#exercise-banner')), 'the exercise named in the banner');
  assert.equal(await p.locator('#exercise-back').getAttribute('href'), '/');
  await until(async () => /^【演習】/.test(await p.title()), 'the exercise title');
  // the menu: the exercise's pages only
  const menu = await p.locator('#nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(menu.includes('#/inbox') && menu.includes('#/reports'), JSON.stringify(menu));
  assert.ok(!menu.includes('#/org') && !menu.includes('#/exercises') && !menu.includes('#/c4tap'), JSON.stringify(menu));
  await check(b, 'exercise-context-home-ja-390', '390');
  await p.locator('#nav a[href="#/inbox"]').click();
  const warn = p.locator('#inbox tr', { hasText: '標的型攻撃に関する早期警戒情報' });
  await warn.waitFor();
  assert.match(await text(p, '#exercise-banner'), /【演習】/, 'the banner on every page');
  await check(b, 'exercise-context-inbox-ja-390', '390');
  await warn.locator('button[data-ack]').click();
  await until(async () => /確認済/.test(await warn.innerText()), 'the acknowledgement');
  await p.setViewportSize(VIEWS[1366]);
  await setLang(p, 'en');
  // the banner is drawn again after the page, once the exercise is read
  // again (app.js exerciseBanner): wait for it, do not read it at once
  await until(async () => /EXERCISE environment — not real/.test(await text(p, '#exercise-banner')), 'the banner in English');
  await check(b, 'exercise-context-inbox-en-1366', '1366');
  await setLang(p, 'ja');
  await p.setViewportSize(VIEWS[390]);
  // the requests: the exercise's routes under /x/{id}, the session at the root
  const api = b.requests.filter((r) => r.includes('/api/v1/'));
  assert.ok(api.some((r) => r.startsWith(`GET /x/${s.id}/api/v1/advisories?`)), api.join('\n'));
  assert.ok(api.some((r) => r.startsWith(`POST /x/${s.id}/api/v1/advisories/`) && r.endsWith('/ack')), api.join('\n'));
  assert.ok(api.some((r) => r === 'GET /api/v1/session'), api.join('\n'));
  assert.ok(api.some((r) => r === `GET /api/v1/exercises/${s.id}`), api.join('\n'));
  const stray = api.filter((r) => /\/api\/v1\/(reports|events|advisories|orgs|sectors|catalogue|dashboard|declarations|severity)/.test(r) && !r.includes(`/x/${s.id}/api/v1/`));
  assert.deepEqual(stray, [], 'no exercise route asked of the real hub');
  // the real hub does not have the exercise's advisory
  const real = await pageApi(p, 'GET', '/advisories?inbox=true&limit=100');
  assert.ok(!real.body.items.some((a) => (a.title.ja || '').includes('標的型攻撃に関する早期警戒情報')), 'not in the real inbox');

  // back on the hub: BCP, the questionnaire, the own board row
  await p.locator('#exercise-back').click();
  await until(async () => new globalThis.URL(p.url()).pathname === '/', 'the real hub');
  await p.locator('#whoami').waitFor();
  assert.equal(await p.locator('#exercise-banner').isVisible(), false, 'no exercise banner on the real hub');
  await go(p, '/exercises/' + s.id);
  await p.locator('#ex-bcp').waitFor();
  await p.locator('#ex-bcp-note').fill('制御系端末の隔離のため');
  await p.locator('#ex-bcp-button').click();
  await until(async () => /BCP発動を宣言しました/.test(await text(p, '#ex-bcp-out')), 'BCP declared');
  await p.locator('#ex-q-gaps').fill(GAPS);
  await p.locator('#ex-q-well').fill('早期警戒情報の受領確認は期限内にできた');
  await p.locator('#ex-q-improve').fill('代行者の指名を規程に加える');
  await p.locator('#ex-q-rating-4').check();
  await p.locator('#ex-q-submit').click();
  await until(async () => /回答を送りました/.test(await text(p, '#ex-q-out')), 'the answers sent');
  // its own row of the board (no one else's)
  await until(async () => (await boardRow(p, OP, 'p1-ack-warning').getAttribute('data-outcome').catch(() => null)) === 'on_time', 'own row on time');
  assert.equal(await p.locator('#ex-board tr[data-org]:not([data-org="' + OP + '"])').count(), 0, 'only its own row');
  assert.match(await text(p, '#ex-board'), /期限内/);
  await everyWay(b, 'exercise-participant-running', async () => { await p.locator('#ex-board[data-ready="1"]').waitFor(); });
});

test('the controller\'s board shows the acknowledgement on time by itself; the console drives the clock and ends the exercise', async () => {
  const b = s.ctl;
  const p = b.page;
  // no reload: the board refreshes while the exercise runs
  await until(async () => (await boardRow(p, OP, 'p1-ack-warning').getAttribute('data-outcome').catch(() => null)) === 'on_time', 'the ack on time on the open board', 20000);
  assert.match(await text(p, `#ex-board tr[data-org="${OP}"][data-action="p1-ack-warning"]`), /期限内/);
  assert.equal(await p.locator('#ex-total-on_time').innerText(), '1');
  assert.equal(await boardRow(p, 'op-gas-0002', 'p1-ack-warning').getAttribute('data-outcome'), 'pending');
  // the board's filter: on time only, then everything again
  await p.locator('#ex-filter-outcome').selectOption('on_time');
  await until(async () => (await p.locator('#ex-board tbody tr').count()) === 1, 'one row on time');
  assert.equal(await p.locator('#ex-board tbody tr').getAttribute('data-org'), OP);
  assert.match(await p.locator('#ex-board-count').innerText(), /^\d+件中1件を表示$/);
  await shot(p, 'exercise-board-ontime-ja-1366');
  await p.locator('#ex-filter-outcome').selectOption('');
  // the pre-check as the participant left it (the participants' table is
  // read with the page)
  await go(p, '/exercises/' + s.id);
  await p.locator('#ex-board[data-ready="1"]').waitFor();
  assert.match(await text(p, `#ex-participants tr[data-org="${OP}"]`), /5\/5/);
  // resume, pause
  await p.locator('#ex-resume').click();
  await p.locator('#ex-pause').waitFor();
  assert.doesNotMatch(await p.locator('#ex-clock').innerText(), /一時停止中/);
  await p.locator('#ex-pause').click();
  await p.locator('#ex-resume').waitFor();
  assert.match(await p.locator('#ex-clock').innerText(), /一時停止中/);
  const minute = async () => Number((await p.locator('#ex-clock').innerText()).match(/(\d+)分/)[1]);
  const m0 = await minute();
  // shift the schedule later, then earlier
  await p.locator('#ex-shift-min').fill('5');
  await p.locator('#ex-shift-later').click();
  await until(async () => (await minute()) === m0 - 5, 'shifted later');
  await p.locator('#ex-shift-min').fill('5');
  await p.locator('#ex-shift-earlier').click();
  await until(async () => (await minute()) === m0, 'shifted back');
  // fire an inject by hand: the NISC advisory planned for minute 60
  await p.locator('#ex-inject').selectOption('p1-nisc-provision');
  await p.locator('#ex-fire').click();
  await boardRow(p, OP, 'p1-ack-provision').waitFor();
  assert.equal(await boardRow(p, OP, 'p1-ack-provision').getAttribute('data-outcome'), 'pending');
  assert.match(await p.locator('#ex-inject option[value="p1-nisc-provision"]').innerText(), /発出済み/);
  // firing it again is refused, and said so
  await p.locator('#ex-inject').selectOption('p1-nisc-provision');
  await p.locator('#ex-fire').click();
  await until(async () => /発出済みです/.test(await text(p, '#ex-console-out')), 'already fired');
  await settle(b);
  b.problems = b.problems.filter((x) => !/409 POST .*\/control$|status of 409/.test(x));
  await everyWay(b, 'exercise-console-fired', async () => { await p.locator('#ex-board[data-ready="1"]').waitFor(); });
  // leaving the page stops the refresh
  await go(p, '/exercises');
  await settle(b);
  const n0 = b.requests.filter((r) => r.endsWith('/board')).length;
  await new Promise((r) => setTimeout(r, 9000));
  assert.equal(b.requests.filter((r) => r.endsWith('/board')).length, n0, 'no board request once the page is left');
  const row = p.locator(`#ex-list tr[data-id="${s.id}"]`);
  assert.match(await row.innerText(), new RegExp(`${TITLE_JA}[\\s\\S]*実施中[\\s\\S]*2026/12/10[\\s\\S]*\\d+組織[\\s\\S]*30分`));
  await everyWay(b, 'exercise-list', async () => { await row.waitFor(); });
  // end
  await go(p, '/exercises/' + s.id);
  await p.locator('#ex-end').click();
  await until(async () => (await p.locator('#ex-state [data-state]').getAttribute('data-state').catch(() => null)) === 'ended', 'ended');
  assert.match(await text(p, '#ex-console'), /演習は終了しました/);
  assert.equal(await p.locator('#ex-act').count(), 0, 'no exercise context once ended');
  await shot(p, 'exercise-ended-ja-1366');
});

test('the debrief page: its formats and figures', async () => {
  const b = s.ctl;
  const p = b.page;
  await go(p, '/exercises/' + s.id);
  await p.locator(`a[href="#/exercises/${s.id}/debrief"]`).first().click();
  await p.locator('#ex-formats').waitFor();
  await p.locator('#ex-debrief-totals').waitFor();
  const tx = await text(p);
  assert.match(tx, /振り返り/);
  assert.match(tx, new RegExp(GAPS.replace(/[()（）]/g, '.')));
  assert.match(await p.locator('#ex-debrief-on_time').innerText(), /^1$/);
  assert.equal(await p.locator('main tr[data-sector="gas"]').count(), 1);
  assert.equal(await p.locator('main tr[data-sector="electricity"]').count(), 1);
  assert.equal(await p.locator('main tr[data-action="p1-ack-warning"]').count(), 1);
  // the documents it links to
  const links = { '#ex-summary-link': /^text\/html/, '#ex-html-link': /^text\/html/, '#ex-csv-link': /^text\/csv/, '#ex-json-link': /^application\/json/ };
  for (const [sel, ct] of Object.entries(links)) {
    const href = await p.locator(sel).getAttribute('href');
    assert.ok(href.startsWith(`/api/v1/exercises/${s.id}/debrief?`), href);
    const r = await p.request.get(URL + href);
    assert.equal(r.status(), 200, href);
    assert.match(r.headers()['content-type'], ct, href);
  }
  assert.match(await p.locator('#ex-summary-link').getAttribute('href'), /format=html&view=summary/);
  await everyWay(b, 'exercise-debrief', async () => { await p.locator('#ex-debrief-totals').waitFor(); });
  // the participant reads the debrief too
  const o = await actor(OP, '1366');
  await go(o.page, `/exercises/${s.id}/debrief`);
  await o.page.locator('#ex-debrief-totals, main .hint').first().waitFor();
  await check(o, 'exercise-debrief-participant-ja-1366', '1366');
});

test('a user taking part in no exercise: an empty list, no error', async () => {
  for (const u of ['meti-desk', 'auditor', 'op-banking-0001']) {
    const b = await actor(u, '1366');
    const p = b.page;
    assert.ok(await p.locator('#nav a[href="#/exercises"]').count(), u + ': the menu entry');
    await go(p, '/exercises');
    await p.locator('#ex-none').waitFor();
    assert.equal(await p.locator('#ex-create').count(), 0, u + ': no form');
    await check(b, `exercise-list-none-${u}`, '1366');
    // the exercise itself: not found, said so (no request refused but this one)
    await go(p, '/exercises/' + s.id);
    assert.match(await text(p, 'main h1'), /見つかりません/);
    await settle(b);
    b.problems = b.problems.filter((x) => !x.includes('/api/v1/exercises/' + s.id) && !/status of 404/.test(x));
    assert.deepEqual(b.problems, []);
    await b.close();
    open.splice(open.indexOf(b), 1);
  }
});
