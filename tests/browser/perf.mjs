// perf.mjs - the measurements of docs/ui.md (run by `run.sh --perf`, after
// the scenarios, against the same daemon and database):
//   1. 10,000 reports are seeded into the database as copies of an existing
//      report row (python3 + sqlite3, as the daemon runs: WAL);
//   2. time to first render of NISC's report list: from navigation until the
//      first table row is in the DOM and a frame has been painted, median of
//      5, for a cold page load and for a navigation inside the app;
//   3. the bytes of UI assets of a first load (sign-in page, then signed in
//      on the report list).
import { execFileSync } from 'node:child_process';
import { browser, login, URL } from './lib.mjs';

const DB = process.env.INFRASHARE_DB;
const N = Number(process.env.INFRASHARE_PERF_REPORTS || 10000);

const seed = `
import sqlite3, sys, json
db = sqlite3.connect(sys.argv[1], timeout=30)
n = int(sys.argv[2])
cols = [r[1] for r in db.execute("PRAGMA table_info(reports)")]
row = db.execute("SELECT * FROM reports WHERE current_hop = '' ORDER BY seq LIMIT 1").fetchone()
if row is None:
    sys.exit("no report that reached NISC to copy")
t = dict(zip(cols, row))
del t["seq"]
body = json.loads(t["body"])
kinds = ["incident", "precursor", "vulnerability", "info"]
rows = []
for i in range(n):
    r = dict(t)
    r["id"] = "Rperf%011d" % i
    r["severity"] = i % 6
    r["kind"] = kinds[i % 4]
    r["detected_at"] = t["detected_at"] - 60 * (n - i)
    r["created_at"] = r["detected_at"]
    b = dict(body)
    b["title"] = "性能測定用の報告 perf report #%05d" % i
    r["body"] = json.dumps(b, ensure_ascii=False)
    rows.append(r)
keys = list(rows[0].keys())
with db:
    db.executemany("INSERT INTO reports (%s) VALUES (%s)" % (",".join(keys), ",".join("?" * len(keys))),
                   [tuple(r[k] for k in keys) for r in rows])
print(db.execute("SELECT count(*) FROM reports").fetchone()[0])
`;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const firstRows = () => new Promise((res) => {
  const done = () => requestAnimationFrame(() => setTimeout(() => res(performance.now()), 0));
  if (document.querySelector('#reports-table tbody tr')) { done(); return; }
  const obs = new MutationObserver(() => {
    if (document.querySelector('#reports-table tbody tr')) { obs.disconnect(); done(); }
  });
  obs.observe(document.documentElement, { childList: true, subtree: true });
});

const total = execFileSync('python3', ['-c', seed, DB, String(N)], { encoding: 'utf8' }).trim();
console.log(`# seeded ${N} reports (${total} in the database)`);

const b = await browser();
const p = b.page;
const sizes = new Map();
p.on('response', async (r) => {
  const u = new globalThis.URL(r.url());
  if (u.pathname.startsWith('/api/')) return;
  const body = await r.body().catch(() => null);
  if (body && !sizes.has(u.pathname)) sizes.set(u.pathname, body.length);
});
await p.goto(URL + '/');
await p.locator('input[name=username]').waitFor();
const signin = [...sizes.values()].reduce((a, x) => a + x, 0);
await login(p, 'nisc-analyst');

const warmNav = () => new Promise((res) => {
  const t1 = performance.now();
  const obs = new MutationObserver(() => {
    if (document.querySelector('#reports-table tbody tr')) {
      obs.disconnect();
      requestAnimationFrame(() => setTimeout(() => res(performance.now() - t1), 0));
    }
  });
  obs.observe(document.documentElement, { childList: true, subtree: true });
  location.hash = '#/reports';
});

const cold = [], warm = [], apiMs = [];
for (let i = 0; i < 5; i++) {
  // cold: a full page load of the report list (HTML, CSS, modules, session),
  // measured from the navigation start of the document
  await p.goto('about:blank');
  await p.goto(URL + '/#/reports', { waitUntil: 'commit' });
  cold.push(Math.round(await p.evaluate(firstRows)));
  const api = await p.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/api/v1/reports?')).map((e) => e.duration));
  if (api.length) apiMs.push(Math.round(api[api.length - 1]));
  // warm: navigation inside the app (modules already loaded)
  await p.evaluate(() => { location.hash = '#/'; });
  await p.locator('main h1', { hasText: /ホーム|Home/ }).waitFor();
  await p.waitForTimeout(300);
  warm.push(Math.round(await p.evaluate(warmNav)));
}
const rows = await p.locator('#reports-table tbody tr').count();
const firstLoad = [...sizes.values()].reduce((a, x) => a + x, 0);
console.log(`# NISC report list with ${N} reports: ${rows} rows rendered per page`);
console.log(`# time to first render, cold page load: median ${median(cold)} ms (${cold.join(', ')})`);
if (warm.length) console.log(`# time to first render, in-app navigation: median ${median(warm)} ms (${warm.join(', ')})`);
if (apiMs.length) console.log(`# GET /api/v1/reports (50 rows) in the page: median ${median(apiMs)} ms (${apiMs.join(', ')})`);
console.log(`# first load: sign-in page ${signin} bytes; signed in on the report list ${firstLoad} bytes in ${sizes.size} files`);
for (const [k, v] of [...sizes].sort()) console.log(`#   ${k} ${v}`);
await b.close();
