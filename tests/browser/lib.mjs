// lib.mjs - helpers of the browser tests: Debian's chromium through
// playwright-core, one fresh browser context (an empty profile of its own:
// no cookie, storage or cache shared) per actor, sign-in through the UI,
// screenshots, and the admin API token for setup.
import { chromium } from 'playwright-core';
import { after } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

export const URL = process.env.INFRASHARE_URL;
export const OUT = process.env.INFRASHARE_UI_OUTPUT || path.join(import.meta.dirname, 'output');
export const ADMIN_TOKEN = process.env.INFRASHARE_ADMIN_TOKEN;
export const DEMO_PW = 'infrashare-demo';
if (!URL) throw new Error('INFRASHARE_URL is not set: run tests/browser/run.sh');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/* One chromium per test file, started at the first actor and stopped
 * after the file's tests. Each actor is a context of it of its own: an
 * empty profile (cookies, storage, cache) as a new browser's, without a
 * new chromium's start (a new browser per actor was most of the browser
 * tests' CPU: docs/ui.md). */
let chromiumOfFile = null; // the promise of its launch: one, however many ask at once
function chromiumShared() {
  if (!chromiumOfFile) {
    const launch = chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
    chromiumOfFile = launch;
    // a chromium that failed to start or has gone is started again at the next actor
    const forget = () => { if (chromiumOfFile === launch) chromiumOfFile = null; };
    launch.then((c) => c.on('disconnected', forget), forget);
  }
  return chromiumOfFile;
}
/* Stops the file's chromium (perf.mjs calls it at its end; a test file's
 * is stopped by the hook below, after its tests). */
export async function closeChromium() {
  const launch = chromiumOfFile;
  chromiumOfFile = null;
  const c = launch && await launch.catch(() => null);
  if (c) await c.close();
}
// node --test runs each file in a process of its own and says so
if (process.env.NODE_TEST_CONTEXT) after(closeChromium);

/* A new browser context with an empty profile. Collects page errors, CSP
 * violations and dialogs (none may happen). */
export async function browser(opts = {}) {
  const ctx = await (await chromiumShared()).newContext({
    viewport: opts.viewport || { width: 1280, height: 900 },
    deviceScaleFactor: opts.scale || 1, locale: opts.locale || 'ja-JP',
    timezoneId: 'UTC',
  });
  const page = await ctx.newPage();
  const b = { ctx, page, errors: [], csp: [], dialogs: [] };
  page.on('pageerror', (e) => b.errors.push(String(e)));
  page.on('console', (m) => {
    const s = m.text();
    if (/Content Security Policy|Refused to (execute|apply|load)/i.test(s)) b.csp.push(s);
  });
  page.on('dialog', async (d) => { b.dialogs.push(d.message()); await d.dismiss(); });
  page.setDefaultTimeout(15000);
  // a file's own after hook may close its actors after the chromium of
  // the file was stopped (their contexts went with it)
  b.close = async () => { if (ctx.browser()?.isConnected()) await ctx.close(); };
  return b;
}

export async function login(page, user, pw = DEMO_PW) {
  await page.goto(URL + '/#/login');
  await page.locator('input[name=username]').fill(user);
  await page.locator('input[name=password]').fill(pw);
  await page.locator('form button[type=submit]').click();
  await page.locator('#whoami').waitFor();
  await page.locator('main h1').waitFor();
}

export async function logout(page) {
  await page.locator('#logout').click();
  await page.locator('input[name=username]').waitFor();
}

/* Opens the page of a hash (again, when it is the one shown) and waits
 * until it is drawn whole (drawn, below); with whole false, only for its
 * heading (a test that holds one of the page's reads). */
export async function go(page, hash, { whole = true } = {}) {
  // the page shown before is marked, so that the wait below is for the
  // new page's heading, not the old one still on screen
  const same = await page.evaluate((want) => {
    const h = document.querySelector('main h1');
    if (h) h.setAttribute('data-stale', '1');
    return location.hash === want;
  }, '#' + hash).catch(() => false);
  if (same) await page.reload();
  else await page.goto(URL + '/#' + hash);
  if (whole) await drawn(page);
  else await page.locator('main h1:not([data-stale])').first().waitFor();
}

/* Waits for the page the UI is drawing: its heading (not one marked
 * data-stale, the page before), then the end of its drawing. A page draws
 * its heading before its reads, so the heading alone is too soon; the UI
 * says main is no longer busy (aria-busy="false") once the page has drawn
 * all it reads, and its window title. */
export async function drawn(page) {
  await page.locator('main h1:not([data-stale])').first().waitFor();
  await page.locator('main[aria-busy="false"]').waitFor();
}

/* Switches the UI's language with its button (the page is drawn again),
 * and waits for the page drawn in that language. */
export async function setLang(page, l) {
  if ((await page.evaluate(() => document.documentElement.lang)) === l) return;
  await page.evaluate(() => { const h = document.querySelector('main h1'); if (h) h.setAttribute('data-stale', '1'); });
  // signed in, the choice is stored on the hub: waited for, so that a
  // reload or the user's next sign-in finds it there
  const saved = await page.locator('#whoami').count()
    ? page.waitForResponse((r) => r.url().endsWith('/api/v1/session/lang') && r.request().method() === 'POST')
    : null;
  await page.locator('#lang').click();
  if (saved) assert.equal((await saved).status(), 200, 'the language is stored on the hub');
  await until(async () => (await page.evaluate(() => document.documentElement.lang)) === l, 'language ' + l);
  await drawn(page);
}

/* A screenshot for people to look at (tests/browser/output/NAME.png) of a
 * page (whole, unless fullPage is false) or of one locator. No test
 * compares them: a screenshot that times out on a loaded machine is noted
 * in the log and the test goes on (the assertions are elsewhere). */
export async function shot(target, name, { fullPage = true } = {}) {
  if (process.env.INFRASHARE_UI_SHOTS === '0') return;
  fs.mkdirSync(OUT, { recursive: true });
  const opts = { path: path.join(OUT, name + '.png'), timeout: 30000 };
  if (typeof target.goto === 'function') opts.fullPage = fullPage;
  try {
    await target.screenshot(opts);
  } catch (e) {
    if (e.name !== 'TimeoutError') throw e;
    console.log(`# screenshot ${name}: not taken (${e.message.split('\n')[0]})`);
  }
}

export async function mainText(page) {
  return page.locator('main').innerText();
}

/* Waits until fn(page) is truthy (polling), or fails with what. */
export async function until(fn, what, timeout = 20000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting for ' + what + ' (last: ' + JSON.stringify(last) + ')');
}

/* The JSON API with the admin token (test setup only). */
export async function adminApi(method, p, body) {
  const r = await fetch(URL + '/api/v1' + p, {
    method, headers: { Authorization: 'Bearer ' + ADMIN_TOKEN, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(data)}`);
  return data;
}

/* The JSON API from inside a signed-in page (its cookie and CSRF token). */
export async function pageApi(page, method, p, body) {
  return page.evaluate(async ([m, url, b]) => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch('/api/v1' + url, {
      method: m, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: b === null ? undefined : JSON.stringify(b),
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, [method, p, body === undefined ? null : body]);
}

/* axe-core (npm, pinned in package-lock.json) run on the page as it is.
 * The script is evaluated through the DevTools protocol, which the page's
 * CSP (script-src 'self') does not govern; nothing is added to the DOM.
 * Fails on any violation of impact serious or critical, and on any
 * violation of the rules named in failRules whatever their impact; prints
 * every violation (all impacts) with its nodes. Returns the violations. */
const AXE = fs.readFileSync(path.join(import.meta.dirname, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
export async function axeCheck(page, name, failRules = []) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const v = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((x) => ({
      id: x.id, impact: x.impact, help: x.help,
      nodes: x.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })),
    }));
  });
  const bad = v.filter((x) => x.impact === 'serious' || x.impact === 'critical' || failRules.includes(x.id));
  for (const x of v) {
    console.log(`# axe ${name}: ${x.impact} ${x.id} (${x.help})`);
    for (const n of x.nodes) console.log(`#   ${n.target}  ${n.html.replace(/\s+/g, ' ')}`);
  }
  if (bad.length) {
    throw new Error(`axe on ${name}: ` + bad.map((x) => `${x.impact} ${x.id}: ` +
      x.nodes.map((n) => n.target + ' ' + n.summary).join(' | ')).join('; '));
  }
  return v;
}

/* Records what the browser logs as an error while b.page is used: console
 * errors (a failed request is logged as one), responses with status >= 400
 * and requests that fail (other than those a navigation cancels). Also
 * counts requests in flight for settle(). b.problems is the list. */
export function watch(b) {
  b.problems = [];
  b.inflight = 0;
  const p = b.page;
  p.on('console', (m) => { if (m.type() === 'error') b.problems.push('console: ' + m.text()); });
  p.on('response', (r) => { if (r.status() >= 400) b.problems.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  p.on('request', () => { b.inflight++; });
  p.on('requestfinished', () => { b.inflight--; });
  p.on('requestfailed', (r) => {
    b.inflight--;
    const f = r.failure();
    if (!f || !/ERR_ABORTED/.test(f.errorText)) b.problems.push(`failed ${r.method()} ${r.url()}: ${f && f.errorText}`);
  });
  return b;
}

/* Waits until no request of a watch()ed browser has been in flight for
 * quietMs (pages load their data after their heading). */
export async function settle(b, quietMs = 300, timeout = 15000) {
  const end = Date.now() + timeout;
  let since = Date.now();
  while (Date.now() < end) {
    if (b.inflight > 0) since = Date.now();
    else if (Date.now() - since >= quietMs) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('requests still in flight after ' + timeout + ' ms');
}
