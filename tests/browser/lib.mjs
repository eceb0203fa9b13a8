// lib.mjs - helpers of the browser tests: Debian's chromium through
// playwright-core, one fresh browser (new empty --user-data-dir) per actor,
// sign-in through the UI, screenshots, and the admin API token for setup.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const URL = process.env.INFRASHARE_URL;
export const OUT = process.env.INFRASHARE_UI_OUTPUT || path.join(import.meta.dirname, 'output');
export const ADMIN_TOKEN = process.env.INFRASHARE_ADMIN_TOKEN;
export const DEMO_PW = 'infrashare-demo';
if (!URL) throw new Error('INFRASHARE_URL is not set: run tests/browser/run.sh');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/* A new browser with an empty profile. Collects page errors, CSP
 * violations and dialogs (none may happen). */
export async function browser(opts = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'infrashare-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium', args: ARGS, headless: true,
    viewport: opts.viewport || { width: 1280, height: 900 },
    deviceScaleFactor: opts.scale || 1, locale: opts.locale || 'ja-JP',
    timezoneId: 'UTC',
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  const b = { ctx, page, dir, errors: [], csp: [], dialogs: [] };
  page.on('pageerror', (e) => b.errors.push(String(e)));
  page.on('console', (m) => {
    const s = m.text();
    if (/Content Security Policy|Refused to (execute|apply|load)/i.test(s)) b.csp.push(s);
  });
  page.on('dialog', async (d) => { b.dialogs.push(d.message()); await d.dismiss(); });
  page.setDefaultTimeout(15000);
  b.close = async () => { await ctx.close(); fs.rmSync(dir, { recursive: true, force: true }); };
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

export async function go(page, hash) {
  await page.goto(URL + '/#' + hash);
  await page.locator('main h1').waitFor();
  await page.locator('main .loading').waitFor({ state: 'detached' }).catch(() => {});
}

export async function shot(page, name) {
  fs.mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, name + '.png'), fullPage: true });
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
