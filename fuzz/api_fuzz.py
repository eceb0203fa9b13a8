#!/usr/bin/python3
"""A black-box fuzzer of the whole HTTP API, driven by docs/openapi.json.

Run by hand, outside the test command (fuzz/README.md). It starts a real
infrashared (best an ASan + UBSan build) on a demo hub in a temporary
directory, signs in as users of every kind, and for a number of seconds
sends requests built from the OpenAPI document: every documented
operation, with path parameters drawn from ids the hub has answered with
(or odd strings), query parameters and JSON bodies generated from their
schemas and then mutated (wrong types, out-of-range and huge numbers, long
and odd text, missing and unknown fields, deep nesting, broken JSON).

A finding is any of:
- a 5xx answer (a 503 only counts when it has no Retry-After);
- an answer that does not match the OpenAPI document (status, media type,
  body: tests/integration/openapi_check.py), e.g. a 4xx without the JSON
  error object naming its field;
- no answer within 30 s, or the daemon gone;
- a sanitizer report in the daemon's log.

Each finding is written to OUT/findings.jsonl with the request that made
it (method, path, query, body, who), so that it can be replayed and become
a test. Exit status: 0 when there is none, 1 otherwise.

    fuzz/api_fuzz.py --build /tmp/asan --setup-build build-dev --seconds 600
    fuzz/api_fuzz.py --build build-dev --postgresql --seconds 600
"""
import argparse
import atexit
import json
import os
import random
import re
import string
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote_to_bytes

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from openapi_check import Validator  # noqa: E402

ADMIN_PASSWORD = "admin-password-for-fuzz"
DEMO_PASSWORD = "infrashare-demo"
USERS = ["admin", "nisc-analyst", "auditor", "fsa-desk", "meti-desk",
         "ceptoar-banking-secretariat", "ceptoar-electricity-secretariat",
         "op-banking-0001", "op-electricity-0001"]
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:",
                   "ERROR: LeakSanitizer")
METHODS = ("get", "post", "put", "patch", "delete")
# operations that would end the run or lock the fuzzer out
SKIP = {("DELETE", "/api/v1/session")}

ODD_STRINGS = [
    "", " ", "\u3000", "a" * 5000, "日本語" * 400, "\x00", "a\x00b", "\x7f",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "\u202e", "\ufeff", "%00", "%", "%zz", "../../etc/passwd", "..", ".",
    "'; DROP TABLE reports; --", "<script>alert(1)</script>", "${x}",
    "{{x}}", "\\", "\"", "\n", "\r\n", "a,b", "1e400", "-1", "0", "-0",
    "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "1.5", "NaN", "true", "null", "[]", "{}",
    "2026-02-30T00:00:00Z", "2026-12-07T25:61:61Z", "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z", "2026-12-07T00:00:00+14:00",
    "2026-12-07T00:00:00.123456789Z", "R" + "0" * 16, "R" + "f" * 16,
    "A" * 17, "red", "RED", "amber", "white", "TLP:RED", "ja", "en", "zz",
    "😀" * 50, "e\u0301", "\u00a0",
]
# path parameters and query values sent as these raw bytes once decoded:
# not UTF-8 (a lone continuation byte, a cut sequence, an overlong form,
# a surrogate), which a client library would never encode from text
RAW_ESCAPES = ["%82", "%ff%fe", "%e3%81", "%c3%28", "%ed%a0%80", "%c0%af",
               "%f4%90%80%80", "%01", "%7f", "%0a", "a%82b"]
# header fields the hub reads, sent now and then with odd values
HEADERS = ["Accept", "Accept-Encoding", "Accept-Language", "Content-Type",
           "If-Modified-Since", "If-None-Match", "X-CSRF-Token",
           "X-Infrashare-Signature", "X-Infrashare-Vantage",
           "X-C4TAP-Intake-Token", "Cookie"]
ODD_NUMBERS = [0, -1, 1, 2, 5, 6, -2**31, 2**31 - 1, 2**31, 2**53, 2**53 + 1,
               2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64, 10**30, 1.5, -0.0,
               1e308, 99999, 1000, 1001, 100000]
ODD_VALUES = [None, True, False, [], {}, [None], {"": None}, "", 0, 1.0,
              "x", [1, 2, 3]]


class Hub:
    def __init__(self, build, setup_build, work, data, db=None):
        self.build, self.setup_build, self.work = build, setup_build, work
        self.db = db or work / "hub.db"
        self.log_path = work / "infrashared.log"
        pw = work / "admin.pw"
        pw.write_text(ADMIN_PASSWORD + "\n")
        self.cli("init", "--data", str(data), "--admin-password-file",
                 str(pw), "--demo")
        self.proc = None

    def cli(self, *args):
        r = subprocess.run([str(self.setup_build / "infrashare"), "--db",
                            str(self.db), *args], capture_output=True,
                           text=True, timeout=600)
        if r.returncode != 0:
            raise SystemExit(f"infrashare {' '.join(args)}: {r.returncode}\n"
                             f"{r.stdout}\n{r.stderr}")
        return r.stdout

    def start(self):
        port_file = self.work / "port"
        if port_file.exists():
            port_file.unlink()
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(self.build / "infrashared"), "--db", str(self.db), "--port",
             "0", "--port-file", str(port_file), "--threads", "4"],
            stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("infrashared exited at start:\n"
                                 + self.log_path.read_text(errors="replace"))
            if port_file.exists() and port_file.read_text().strip():
                self.url = f"http://127.0.0.1:{int(port_file.read_text())}"
                return
            time.sleep(0.05)
        raise SystemExit("infrashared did not listen in 60 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return "killed"
        return self.proc.returncode if self.proc else None

    def sanitizer_report(self):
        text = self.log_path.read_text(errors="replace")
        for mark in SANITIZER_MARKS:
            i = text.find(mark)
            if i >= 0:
                return text[max(0, i - 200):i + 4000]
        return None


class Gen:
    """Values from a (resolved) JSON schema, then mutated."""

    def __init__(self, validator, rnd, ids):
        self.v, self.r, self.ids = validator, rnd, ids

    def resolve(self, node):
        return self.v._resolve(node) if isinstance(node, dict) else node

    def valid(self, schema, depth=0):
        s = self.resolve(schema) or {}
        r = self.r
        for key in ("oneOf", "anyOf"):
            if key in s:
                return self.valid(r.choice(s[key]), depth + 1)
        if "allOf" in s:
            out = {}
            for part in s["allOf"]:
                v = self.valid(part, depth + 1)
                if isinstance(v, dict):
                    out.update(v)
            return out
        if "enum" in s:
            return r.choice(s["enum"])
        if "const" in s:
            return s["const"]
        if "example" in s and r.random() < 0.3:
            return s["example"]
        t = s.get("type")
        if isinstance(t, list):
            t = r.choice([x for x in t if x != "null"] or ["null"])
        if t == "object" or "properties" in s:
            if depth > 6:
                return {}
            props = s.get("properties", {})
            req = set(s.get("required", []))
            return {k: self.valid(v, depth + 1) for k, v in props.items()
                    if k in req or r.random() < 0.6}
        if t == "array":
            if depth > 6:
                return []
            lo = s.get("minItems", 0)
            hi = min(s.get("maxItems", lo + 3), lo + 3)
            return [self.valid(s.get("items", {}), depth + 1)
                    for _ in range(r.randint(lo, max(lo, hi)))]
        if t == "integer":
            lo = s.get("minimum", 0)
            hi = s.get("maximum", lo + 100)
            return r.randint(int(lo), int(min(hi, lo + 1000)))
        if t == "number":
            return r.uniform(s.get("minimum", 0), s.get("maximum", 100))
        if t == "boolean":
            return r.random() < 0.5
        if t == "null":
            return None
        # strings
        fmt = s.get("format")
        if fmt == "date-time":
            return time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                 time.gmtime(time.time()
                                             + r.randint(-10**6, 10**6)))
        if fmt == "date":
            return time.strftime("%Y-%m-%d", time.gmtime(
                time.time() + r.randint(-10**7, 10**7)))
        if fmt == "email":
            return r.choice(["a@example.jp", "x@demo.example.jp"])
        if fmt == "uri":
            return r.choice(["http://127.0.0.1:9/x", "https://example.jp/",
                             "http://[::1]:1/"])
        if self.ids and r.random() < 0.3:
            return r.choice(self.ids)
        lo = s.get("minLength", 1)
        hi = min(s.get("maxLength", lo + 20), lo + 20)
        return "".join(r.choice(string.ascii_letters + "日本ー 0123456789")
                       for _ in range(r.randint(lo, max(lo, hi))))

    def mutate(self, value, depth=0):
        r = self.r
        roll = r.random()
        if isinstance(value, dict) and value and roll < 0.5:
            v = dict(value)
            k = r.choice(list(v))
            what = r.random()
            if what < 0.2:
                del v[k]
            elif what < 0.3:
                v[k + r.choice(["", "_", "X"]) + "x"] = r.choice(ODD_VALUES)
            elif what < 0.4:
                v[k.upper()] = v[k]
            else:
                v[k] = self.mutate(v[k], depth + 1)
            return v
        if isinstance(value, list) and value and roll < 0.5:
            v = list(value)
            i = r.randrange(len(v))
            what = r.random()
            if what < 0.2:
                v = (v * r.choice([2, 50, 600]))[:2400]  # past every limit
            elif what < 0.4:
                del v[i]
            else:
                v[i] = self.mutate(v[i], depth + 1)
            return v
        if roll < 0.6:
            pool = r.choice([ODD_STRINGS, ODD_NUMBERS, ODD_VALUES])
            return r.choice(pool)
        if roll < 0.8 and isinstance(value, str) and value:
            i = r.randrange(len(value) + 1)
            return value[:i] + r.choice(ODD_STRINGS) + value[i:]
        if roll < 0.72:
            nest = value
            for _ in range(r.choice([10, 100, 2000])):
                nest = [nest] if r.random() < 0.5 else {"a": nest}
            return nest
        return value


# the ids of the fuzzer's own API tokens, never sent as path parameters:
# revoking them would lock the fuzzer out for the rest of its run (users
# it signs in as may still be disabled by it: then they answer 401)
OWN = set()


def expands_past(value, budget):
    """True when value, written as JSON, has more than budget values (a
    list repeated in a list repeated ... is small in memory and huge
    written out)."""
    todo, n = [value], 0
    while todo:
        v = todo.pop()
        n += 1
        if n > budget:
            return True
        if isinstance(v, dict):
            todo.extend(v.values())
        elif isinstance(v, list):
            todo.extend(v)
    return False


def harvest(body, ids, depth=0, kinds=None, key=None):
    """Ids the hub answered with, for path parameters later: all in ids;
    with kinds, the top-level ones of an answer to template T (its items'
    and its own) also in kinds[T + "/"], where a path parameter right
    after T's text looks first (kind_of)."""
    if kinds is not None and key and isinstance(body, dict):
        mine = kinds.setdefault(key, [])
        for item in [body] + (body.get("items") or []
                              if isinstance(body.get("items"), list) else []):
            if isinstance(item, dict) and isinstance(item.get("id"),
                                                     (str, int)) \
                    and len(mine) < 2000:
                if str(item["id"]) not in OWN:
                    mine.append(str(item["id"]))
    if depth > 5 or len(ids) > 5000:
        return
    if isinstance(body, dict):
        for k, v in body.items():
            if (k == "id" or k.endswith("_id")) and isinstance(v, (str, int)):
                if str(v) not in OWN:
                    ids.append(str(v))
            elif isinstance(v, (dict, list)):
                harvest(v, ids, depth + 1)
    elif isinstance(body, list):
        for v in body[:50]:
            harvest(v, ids, depth + 1)


def kind_of(template, name):
    """The text of template before its parameter {name}: the key of the
    ids of that kind (harvest)."""
    return template[:template.index("{" + name + "}")]


def operations(doc):
    ops = []
    for path, item in doc["paths"].items():
        common = item.get("parameters", [])
        for m in METHODS:
            if m not in item:
                continue
            op = item[m]
            if (m.upper(), path) in SKIP:
                continue
            params = common + op.get("parameters", [])
            body = op.get("requestBody", {}).get("content", {})
            ops.append((m.upper(), path, params, body))
    return ops


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"),
                    help="the build whose infrashared is fuzzed")
    ap.add_argument("--setup-build", default=None,
                    help="the build whose infrashare makes the demo hub "
                    "(default: --build)")
    ap.add_argument("--postgresql", action="store_true",
                    help="the hub on a throwaway PostgreSQL 15 "
                    "(tests/integration/pgserver.py) instead of SQLite")
    ap.add_argument("--seeds", default=None,
                    help="JSON bodies to start from: the file the "
                    "integration tests write with INFRASHARE_RECORD_BODIES")
    ap.add_argument("--clients", type=int, default=1,
                    help="clients sending at once (each its own choices: "
                    "seed, seed + 1, ...), for races between requests")
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--out", default=str(ROOT / "fuzz" / "out" / "api"))
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(
        os.urandom(4), "big")
    rnd = random.Random(seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    findings_path = out / "findings.jsonl"
    build = Path(args.build).resolve()
    setup = Path(args.setup_build or args.build).resolve()

    doc = json.loads((ROOT / "docs" / "openapi.json").read_text())
    validator = Validator(doc)
    ops = operations(doc)
    seeds = {}  # (method, template): bodies the hub accepted in the tests
    if args.seeds:
        with open(args.seeds, encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                seeds.setdefault((rec["method"], rec["template"]),
                                 set()).add(json.dumps(rec["body"]))
        seeds = {k: sorted(v) for k, v in seeds.items()}
        print(f"seed bodies for {len(seeds)} operations", flush=True)
    work = Path(tempfile.mkdtemp(prefix="api-fuzz-"))
    print(f"seed {seed}; {len(ops)} operations; hub in {work}", flush=True)
    pg = None
    if args.postgresql:
        from pgserver import PgServer
        pg = PgServer().start()
        pg.create_db("fuzz")
        atexit.register(lambda: (pg.stop(), pg.remove()))
    hub = Hub(build, setup, work, ROOT / "data",
              pg.uri("fuzz") if pg else None)
    atexit.register(hub.stop)  # an error of the fuzzer's own leaves none
    tokens = {}
    for u in USERS:
        text = hub.cli("token", "create", u, "--name", "fuzz")
        tokens[u] = [l for l in text.splitlines() if l.startswith("ist_")][0]
        OWN.add(tokens[u].split("_")[1])
    hub.start()
    ids = []
    kinds = {}  # kind_of(template, name): ids the hub answered with there
    for path in ("/api/v1/reports", "/api/v1/advisories", "/api/v1/orgs",
                 "/api/v1/sites", "/api/v1/risks", "/api/v1/drills",
                 "/api/v1/exercises", "/api/v1/c4tap/submissions",
                 "/api/v1/surveys", "/api/v1/users", "/api/v1/tokens"):
        for who in ("admin", "nisc-analyst", "op-banking-0001"):
            try:
                r = requests.get(hub.url + path, timeout=30, headers={
                    "Authorization": "Bearer " + tokens[who]})
                if r.headers.get("Content-Type", "").startswith(
                        "application/json"):
                    harvest(r.json(), ids, kinds=kinds, key=path + "/")
            except (requests.RequestException, ValueError):
                pass
    ids = sorted(set(ids))
    print(f"{len(ids)} ids harvested", flush=True)

    findings = 0
    sent = 0
    seen = set()
    t_end = time.monotonic() + args.seconds

    def finding(kind, detail, req):
        with lock:
            found(kind, detail, req)

    def found(kind, detail, req):
        nonlocal findings
        key = (kind, req["method"], req["template"],
               re.sub(r"\d+", "N", str(detail))[:200])
        if key in seen:
            return
        seen.add(key)
        findings += 1
        rec = {"kind": kind, "detail": detail, **req}
        with open(findings_path, "a") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(f"FINDING {kind}: {req['method']} {req['path']}: "
              f"{str(detail)[:300]}", flush=True)

    statuses = {}
    accepted = set()  # operations answered with a 2xx at least once
    tally = {}  # API_FUZZ_TALLY: the refusals of writes, most common first
    admitted = {}  # operation: users it did not refuse (then chosen more)
    lock = threading.Lock()
    stop = threading.Event()

    def client(rnd, gen):
        nonlocal sent
        session = requests.Session()
        while time.monotonic() < t_end and not stop.is_set():
            method, template, params, content = rnd.choice(ops)
            path = template
            check_doc = True
            for name in re.findall(r"{([^}]+)}", template):
                p = rnd.random()
                near = kinds.get(kind_of(template, name))
                if p < 0.55 and near:
                    val = rnd.choice(near)
                elif p < 0.7 and ids:
                    val = rnd.choice(ids)
                elif p < 0.85:
                    val = rnd.choice(ODD_STRINGS)
                else:
                    val = str(rnd.choice(ODD_NUMBERS))
                val = requests.utils.quote(str(val)[:3000], safe="")
                if rnd.random() < 0.05:
                    val = rnd.choice(RAW_ESCAPES)
                if val in (".", ".."):  # a client would remove dot segments
                    val = val.replace(".", "%2E")
                # the hub decodes %2F (and an empty value leaves "//"): the
                # path has another shape than the template's, so its answer
                # is checked for 5xx only
                check_doc = check_doc and "%2F" not in val and val != ""
                path = path.replace("{" + name + "}", val, 1)
            query = {}
            for p in params:
                p = gen.resolve(p)
                if p.get("in") != "query" or rnd.random() < 0.4:
                    continue
                v = gen.valid(p.get("schema", {}))
                if rnd.random() < 0.4:
                    v = gen.mutate(v)
                if isinstance(v, (dict, list)):
                    try:
                        v = "[" * 2000 if expands_past(v, 10000) \
                            else json.dumps(v)[:2000]
                    except RecursionError:
                        v = "[" * 2000
                elif isinstance(v, bool):
                    v = "true" if v else "false"
                query[p["name"]] = str(v)[:4000] if v is not None else ""
                if rnd.random() < 0.03:  # bytes: requests sends them as is
                    query[p["name"]] = unquote_to_bytes(
                        rnd.choice(RAW_ESCAPES))
            headers = {}
            allowed = admitted.get((method, template))
            if allowed and rnd.random() < 0.75:
                who = rnd.choice(sorted(allowed))
            else:
                who = rnd.choice(USERS + [None])
            if who:
                headers["Authorization"] = "Bearer " + tokens[who]
            if rnd.random() < 0.08:
                name = rnd.choice(HEADERS)
                if rnd.random() < 0.5:
                    headers[name] = unquote_to_bytes(
                        rnd.choice(RAW_ESCAPES).replace("%0a", "x"))
                else:
                    # what the client library refuses to send is left out
                    headers[name] = re.sub(rb"[\x00\r\n]", b"", rnd.choice(
                        ODD_STRINGS).encode("utf-8")).strip()[:2000]
            data = None
            if content:
                media = rnd.choice(list(content))
                schema = content[media].get("schema", {})
                known = seeds.get((method, template))
                if known and media == "application/json" and rnd.random() < 0.6:
                    body = json.loads(rnd.choice(known))
                else:
                    body = gen.valid(schema)
                for _ in range(rnd.choice([0, 0, 0, 1, 1, 2, 3])):
                    body = gen.mutate(body)
                if media.startswith("application/x-www-form"):
                    headers["Content-Type"] = media
                    data = "&".join(
                        f"{k}={requests.utils.quote(v if isinstance(v, str) else json.dumps(v)[:200] if not isinstance(v, (dict, list)) else '[')}"
                        for k, v in (body.items() if isinstance(body, dict)
                                     else []))
                else:
                    headers["Content-Type"] = media
                    try:
                        # written out, nested repeated arrays would take
                        # gigabytes (the fuzzer was once killed for
                        # memory): past 200,000 values, a long flat array
                        data = "[" + "1," * 1000000 + "1]" \
                            if expands_past(body, 200000) else \
                            json.dumps(body, ensure_ascii=rnd.random() < 0.5)
                    except (ValueError, RecursionError):
                        data = "[" * 5000
                    if rnd.random() < 0.02:
                        cut = rnd.randrange(len(data) + 1)
                        data = data[:cut]
                data = data.encode("utf-8", "surrogatepass")
            if path.startswith("/taxii2"):
                headers["Accept"] = "application/taxii+json;version=2.1"
            req = {"method": method, "template": template, "path": path,
                   "query": query, "who": who,
                   "body": data.decode("utf-8", "replace")[:20000]
                   if data else None}
            with lock:
                sent += 1
                n_sent = sent
            try:
                r = session.request(method, hub.url + path, params=query,
                                    data=data, headers=headers, timeout=30)
            except requests.Timeout:
                finding("timeout", "no answer in 30 s", req)
                continue
            except requests.RequestException as e:
                if hub.proc.poll() is not None:
                    finding("daemon_gone", f"exit {hub.proc.returncode}: {e}",
                            req)
                    stop.set()
                    break
                finding("connection", str(e), req)
                continue
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if r.status_code < 300:
                accepted.add((method, template))
            if who and r.status_code not in (401, 403, 404, 429):
                admitted.setdefault((method, template), set()).add(who)
            if os.environ.get("API_FUZZ_TALLY") and r.status_code == 400 \
                    and method != "GET":
                try:
                    e = r.json()["error"]
                    k = (template, e.get("code"), e.get("field"))
                    tally[k] = tally.get(k, 0) + 1
                except (ValueError, KeyError, TypeError):
                    pass
            if r.status_code >= 500 and not (r.status_code == 503
                                             and r.headers.get("Retry-After")):
                finding("5xx", f"{r.status_code} {r.text[:500]}", req)
            if r.status_code < 300:
                try:
                    # a collection's items, or the one item of .../{id}
                    harvest(r.json(), ids, kinds=kinds,
                            key=template[:template.rindex("{")]
                            if template.endswith("}") else template + "/")
                except ValueError:
                    pass
            problems = check_doc and validator.check_response(method, r.request.path_url
                                                .split("?")[0], r.status_code,
                                                r.headers, r.content)
            if problems:
                finding("openapi", "; ".join(problems)[:1000], req)
            if n_sent % 500 == 0:
                report = hub.sanitizer_report()
                if report:
                    finding("sanitizer", report, req)
                    stop.set()
                    break
                print(f"{n_sent} requests, {findings} findings", flush=True)


    def choices(i):  # client i's own random choices, repeatable
        r = rnd if i == 0 else random.Random(seed + i)
        return r, Gen(validator, r, ids)
    clients = [threading.Thread(target=client, args=choices(i))
               for i in range(args.clients)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()

    rc = hub.stop()
    report = hub.sanitizer_report()
    if report:
        finding("sanitizer", report, {"method": "-", "template": "-",
                                      "path": "-", "query": {}, "who": None,
                                      "body": None})
    if rc not in (0, None):
        finding("exit", f"infrashared exit status {rc} at SIGTERM",
                {"method": "-", "template": "-", "path": "-", "query": {},
                 "who": None, "body": None})
    for k, v in sorted(tally.items(), key=lambda kv: -kv[1])[:40]:
        print(f"  400 {v}: {k}")
    print("answers: " + ", ".join(f"{k}: {v}" for k, v in
                                  sorted(statuses.items())), flush=True)
    print(f"operations answered 2xx at least once: {len(accepted)} of "
          f"{len(ops)} (the others: {out / 'never_2xx.txt'})", flush=True)
    (out / "never_2xx.txt").write_text("".join(
        f"{m} {t}\n" for m, t, _, _ in ops if (m, t) not in accepted))
    print(f"seed {seed}: {sent} requests, {findings} findings "
          f"({findings_path}); hub log {hub.log_path}", flush=True)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
