"""The annual survey, CP/BCP readiness and the risk register (issue 15)
from the command line: `infrashare survey ...`, `infrashare bcp ...` and
`infrashare risk ...` against a demo hub, each user with its own API token
(INFRASHARE_URL, INFRASHARE_TOKEN).

NISC opens a campaign for the water sector (FY 2013: the demo has FY 2025
and 2026), six water operators answer from a file and submit, the water
CEPTOAR's secretariat follows and reminds, NISC closes; the results are
written as CSV (the same bytes as the API's CSV) and HTML. An operator of
the gas sector keeps its CP/BCP checklist and its risk register. An API
error names its code and field on stderr and exits 1 with nothing changed
(checked through the API); bad usage exits 2 with the usage."""
import http.server
import json
import random
import threading
from datetime import datetime, timedelta, timezone

import requests

from conftest import ROOT

CATALOGUE = json.loads((ROOT / "data/guideline/ed5.json").read_text())
ITEMS = [i["id"] for i in CATALOGUE["items"] if i["answerable"]]
CHECKS = [c["id"] for b in CATALOGUE["bcp"] for c in b["checks"]]
ANSWERABLE = ITEMS + CHECKS
VALUES = ["adopted", "partly", "not", "na"]
# six respondents, one of which shares with the secretariat: the
# secretariat does not know five of them, so the sector is published
WATER = [f"op-water-{n:04d}" for n in range(1, 7)]
SEC = "ceptoar-water-secretariat"
CID = "SV2013"


def iso(days):
    t = datetime.now(timezone.utc) + timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Users:
    """Runs the CLI as a user of the hub (a token each, made once)."""

    def __init__(self, hub):
        self.hub = hub
        self.tokens = {}

    def token(self, user):
        if user not in self.tokens:
            self.tokens[user] = self.hub.token(user, name="cli")
        return self.tokens[user]

    def cli(self, user, *args, check=True, url=None):
        env = {"INFRASHARE_URL": url or self.hub.url,
               "INFRASHARE_TOKEN": self.token(user)}
        return self.hub.cli(*args, env=env, check=check)

    def api(self, user, method, path, **kw):
        return self.hub.api(method, path, token=self.token(user), **kw)

    def ok(self, user, method, path, **kw):
        r = self.api(user, method, path, **kw)
        assert r.status_code in (200, 201), r.text
        return r.json()


def refused(r, code, field=None, status=None):
    """An API error: exit 1, nothing on stdout, the code and the field on
    stderr."""
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == "", r.stdout
    assert code in r.stderr, r.stderr
    if field:
        assert f"(field {field})" in r.stderr, r.stderr
    if status:
        assert f"HTTP {status} " in r.stderr, r.stderr


def bad_usage(r, what):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert what in r.stderr, r.stderr
    assert r.stdout == ""


def answers_of(org):
    rnd = random.Random(org)
    return {i: rnd.choice(VALUES) for i in ANSWERABLE}


def test_survey_and_bcp_cli(fresh_demo_hub, tmp_path):
    u = Users(fresh_demo_hub)
    nisc = "nisc-analyst"

    # ---- bad usage: exit 2 with the usage, nothing asked of the hub ----
    bad_usage(u.cli(nisc, "survey", "frobnicate", check=False),
              "survey open --fy N")
    bad_usage(u.cli(nisc, "survey", check=False), "survey list")
    # a command the program does not know: the program's usage lists ours
    r = u.cli(nisc, "surveys", "list", check=False)
    bad_usage(r, "unknown command 'surveys'")
    for line in ("survey answer ID --file ANSWERS.json", "bcp show",
                 "risk add --title T"):
        assert line in r.stderr, r.stderr
    bad_usage(u.cli(nisc, "survey", "open", "--fy", "2013", check=False),
              "survey open --fy N --deadline")
    bad_usage(u.cli(nisc, "survey", "open", "--fy", "20x3", "--deadline",
                    iso(30), check=False), "--fy")
    bad_usage(u.cli(nisc, "survey", "open", "--fy", "2013", "--deadline",
                    "tomorrow", check=False), "--deadline")
    bad_usage(u.cli(nisc, "survey", "show", "../etc", check=False),
              "survey show ID")
    bad_usage(u.cli(nisc, "survey", "results", CID, "--format", "xml",
                    check=False), "--format: one of json, csv, html")
    bad_usage(u.cli(nisc, "bcp", "frobnicate", check=False), "bcp show")
    assert CID not in [s["id"] for s in u.ok(nisc, "GET",
                                             "/api/v1/surveys")["items"]]

    # ---- NISC opens ----
    # an API refusal first: a deadline in the past, nothing opened
    refused(u.cli(nisc, "survey", "open", "--fy", "2013", "--deadline",
                  iso(-1), "--sectors", "water", check=False),
            "invalid_value", "deadline", 400)
    refused(u.cli(nisc, "survey", "open", "--fy", "2013", "--deadline",
                  iso(30), "--sectors", "water,no-such", check=False),
            "unknown_sector", "sectors[1]", 400)
    assert u.api(nisc, "GET", f"/api/v1/surveys/{CID}").status_code == 404
    r = u.cli(nisc, "survey", "open", "--fy", "2013", "--deadline", iso(30),
              "--sectors", "water", "--title-ja", "平成25年度 調査",
              "--title-en", "FY2013 survey")
    assert "opened" in r.stdout and CID in r.stdout, r.stdout
    assert "平成25年度 調査 / FY2013 survey" in r.stdout
    camp = u.ok(nisc, "GET", f"/api/v1/surveys/{CID}")
    assert camp["state"] == "open" and camp["sectors"] == ["water"]
    assert camp["targets"] >= 6
    # one campaign a fiscal year
    refused(u.cli(nisc, "survey", "open", "--fy", "2013", "--deadline",
                  iso(30), check=False), "campaign_exists", "fy", 409)
    # list and show
    r = u.cli(nisc, "survey", "list")
    assert CID in r.stdout and "FY2013 survey" in r.stdout
    listed = json.loads(u.cli(nisc, "survey", "list", "--json").stdout)
    assert listed == u.ok(nisc, "GET", "/api/v1/surveys")
    shown = json.loads(u.cli(nisc, "survey", "show", CID, "--json").stdout)
    assert shown == camp
    r = u.cli(WATER[0], "survey", "show", CID)
    assert "sectors / 分野: water" in r.stdout
    assert "your response / 自組織の回答: none, answered 0" in r.stdout

    # ---- operators answer from a file ----
    files = {}
    for org in WATER:
        f = tmp_path / f"{org}.json"
        f.write_text(json.dumps({"answers": [
            {"item": i, "answer": a, "evidence": f"{org}: 規程 §{n}"}
            for n, (i, a) in enumerate(answers_of(org).items())]},
            ensure_ascii=False))
        files[org] = f
    # a draft of half the items first, then an incomplete submit refused
    first = WATER[0]
    half = tmp_path / "half.json"
    half.write_text(json.dumps({"answers": [
        {"item": i, "answer": "adopted"} for i in ANSWERABLE[:10]]}))
    r = u.cli(first, "survey", "answer", CID, "--file", half)
    assert "saved as a draft" in r.stdout and "version 1" in r.stdout
    refused(u.cli(first, "survey", "answer", CID, "--file", half, "--submit",
                  check=False), "incomplete", "answers", 400)
    # an unknown item: the API names it, nothing stored
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"answers": [
        {"item": ITEMS[0], "answer": "not"},
        {"item": "9.9.9", "answer": "adopted"}]}))
    refused(u.cli(first, "survey", "answer", CID, "--file", bad, "--submit",
                  check=False), "unknown_item", "answers[1].item", 400)
    # a file that is not one
    notjson = tmp_path / "answers.csv"
    notjson.write_text("item,answer\n4.1.1(1),adopted\n")
    r = u.cli(first, "survey", "answer", CID, "--file", notjson, check=False)
    assert r.returncode == 1 and "answers.csv" in r.stderr
    resp = u.ok(first, "GET", f"/api/v1/surveys/{CID}/answers")
    assert resp["version"] == 1 and resp["state"] == "draft"
    assert {a["item"]: a["answer"] for a in resp["answers"]} == {
        i: "adopted" for i in ANSWERABLE[:10]}

    # an attachment; a file over 2 MiB refused before upload; an unknown
    # item refused by the API
    pdf = tmp_path / "規程.pdf"
    pdf.write_bytes(b"%PDF-1.4 evidence\n" * 100)
    r = u.cli(first, "survey", "attach", CID, "--item", ITEMS[0], pdf)
    assert "attached" in r.stdout and "application/pdf" in r.stdout
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (2 * 1024 * 1024 + 1))
    refused(u.cli(first, "survey", "attach", CID, "--item", ITEMS[0], big,
                  check=False), "too_large", "content")
    assert "2 MiB" in u.cli(first, "survey", "attach", CID, "--item",
                            ITEMS[0], big, check=False).stderr
    refused(u.cli(first, "survey", "attach", CID, "--item", "9.9.9", pdf,
                  check=False), "unknown_item", "item", 400)
    bad_usage(u.cli(first, "survey", "attach", CID, pdf, check=False),
              "survey attach ID --item")
    resp = u.ok(first, "GET", f"/api/v1/surveys/{CID}/answers")
    files_of = {a["item"]: a["attachments"] for a in resp["answers"]}
    assert len(files_of[ITEMS[0]]) == 1
    assert files_of[ITEMS[0]][0]["name"] == "規程.pdf"
    assert files_of[ITEMS[0]][0]["size"] == pdf.stat().st_size

    # everyone submits; the first shares with its secretariat
    for org in WATER:
        extra = ["--share"] if org == first else []
        r = u.cli(org, "survey", "answer", CID, "--file", files[org],
                  "--submit", *extra)
        assert "submitted" in r.stdout and "0 of 77" in r.stdout, r.stdout
        resp = u.ok(org, "GET", f"/api/v1/surveys/{CID}/answers")
        assert resp["state"] == "submitted" and resp["missing"] == 0
        assert {a["item"]: a["answer"] for a in resp["answers"]} == \
            answers_of(org)
    # the response as the operator and, shared, as its secretariat
    mine = json.loads(u.cli(first, "survey", "answers", CID,
                            "--json").stdout)
    assert mine == u.ok(first, "GET", f"/api/v1/surveys/{CID}/answers")
    r = u.cli(first, "survey", "answers", CID)
    assert f"response of {first}" in r.stdout and "submitted" in r.stdout
    assert f"{first}: 規程 §0" in r.stdout and "[1 file(s)]" in r.stdout
    r = u.cli(SEC, "survey", "answers", CID, "--org", first)
    assert f"response of {first}" in r.stdout
    refused(u.cli(SEC, "survey", "answers", CID, "--org", WATER[1],
                  check=False), "not_shared", "org", 403)
    bad_usage(u.cli(SEC, "survey", "answers", CID, "--org", "a&b=c",
                    check=False), "--org")
    # the output of "survey answers --json" is an answers file too
    again = tmp_path / "again.json"
    again.write_text(json.dumps(mine))
    r = u.cli(first, "survey", "answer", CID, "--file", again, "--submit")
    assert "submitted" in r.stdout
    assert u.ok(first, "GET", f"/api/v1/surveys/{CID}/answers")[
        "version"] == mine["version"] + 1

    # ---- the secretariat follows and reminds ----
    prog = u.ok(SEC, "GET", f"/api/v1/surveys/{CID}/progress")
    assert json.loads(u.cli(SEC, "survey", "progress", CID,
                            "--json").stdout) == prog
    r = u.cli(SEC, "survey", "progress", CID)
    water = next(s for s in prog["sectors"] if s["sector"] == "water")
    assert water["submitted"] == 6
    line = next(l for l in r.stdout.splitlines() if l.startswith("water"))
    assert line.split()[:5] == ["water", str(water["targets"]), "6",
                                str(water["drafts"]), str(water["none"])]
    for m in prog["members"]:
        row = next(l for l in r.stdout.splitlines()
                   if l.split()[:1] == [m["org"]])
        assert m["state"] in row, row
    waiting = sorted(m["org"] for m in prog["members"]
                     if m["state"] != "submitted")
    assert waiting
    # an operator not of the secretariat: refused, nobody reminded
    refused(u.cli(SEC, "survey", "remind", CID, "--orgs", "op-gas-0001",
                  check=False), "not_remindable", "orgs[0]", 400)
    assert all(m["last_reminded"] is None for m in u.ok(
        SEC, "GET", f"/api/v1/surveys/{CID}/progress")["members"])
    r = u.cli(SEC, "survey", "remind", CID, "--orgs",
              f"{waiting[0]},{WATER[1]}")
    assert "reminded" in r.stdout and "1 operator(s)" in r.stdout, r.stdout
    assert waiting[0] in r.stdout
    assert f"{WATER[1]}" in r.stdout and "submitted" in r.stdout
    r = u.cli(SEC, "survey", "remind", CID)
    assert f"{len(waiting) - 1} operator(s)" in r.stdout, r.stdout
    assert "reminded_today" in r.stdout
    prog = u.ok(SEC, "GET", f"/api/v1/surveys/{CID}/progress")
    assert sorted(m["org"] for m in prog["members"]
                  if m["last_reminded"]) == waiting
    # operators do not read progress
    refused(u.cli(first, "survey", "progress", CID, check=False),
            "forbidden", status=403)

    # ---- results only once closed; NISC closes ----
    refused(u.cli(nisc, "survey", "results", CID, check=False),
            "campaign_open", "id", 409)
    refused(u.cli(first, "survey", "close", CID, check=False), "forbidden",
            status=403)
    assert u.ok(nisc, "GET", f"/api/v1/surveys/{CID}")["state"] == "open"
    r = u.cli(nisc, "survey", "close", CID)
    assert "closed" in r.stdout and CID in r.stdout
    assert u.ok(nisc, "GET", f"/api/v1/surveys/{CID}")["state"] == "closed"
    refused(u.cli(nisc, "survey", "close", CID, check=False),
            "campaign_closed", "id", 409)
    refused(u.cli(first, "survey", "answer", CID, "--file", files[first],
                  "--submit", check=False), "campaign_closed", "id", 409)

    # CSV into a file: the API's CSV, byte for byte
    out = tmp_path / "results.csv"
    r = u.cli(nisc, "survey", "results", CID, "--format", "csv", "--out", out)
    assert str(out) in r.stdout
    api_csv = u.api(nisc, "GET", f"/api/v1/surveys/{CID}/aggregates",
                    params={"format": "csv"})
    assert api_csv.status_code == 200
    assert out.read_bytes() == api_csv.content
    assert b"water" in out.read_bytes()
    # JSON, the summary and the HTML report
    agg = u.ok(nisc, "GET", f"/api/v1/surveys/{CID}/aggregates")
    assert json.loads(u.cli(nisc, "survey", "results", CID, "--format",
                            "json").stdout) == agg
    group = next(g for g in agg["groups"] if g["key"] == "water")
    assert group["published"] and group["respondents"] == 6
    r = u.cli(first, "survey", "results", CID)
    line = next(l for l in r.stdout.splitlines()
                if l.strip().startswith("water"))
    assert "6 respondent(s)" in line and f"{group['rate']:.1f}%" in line
    html = u.api(nisc, "GET", f"/api/v1/surveys/{CID}/report",
                 params={"lang": "en"}).text
    r = u.cli(nisc, "survey", "results", CID, "--format", "html", "--lang",
              "en")
    assert r.stdout.rstrip("\n") == html.rstrip("\n") and "<html" in html
    page = tmp_path / "report.html"
    u.cli(nisc, "survey", "results", CID, "--format", "html", "--out", page)
    assert page.read_text() == u.api(
        nisc, "GET", f"/api/v1/surveys/{CID}/report",
        params={"lang": "ja"}).text

    # ---- CP/BCP readiness of a gas operator ----
    gas = "op-gas-0001"
    before = u.ok(gas, "GET", "/api/v1/bcp-readiness")
    assert json.loads(u.cli(gas, "bcp", "show", "--json").stdout) == before
    checks = tmp_path / "checks.json"
    checks.write_text(json.dumps({"answers": [
        {"check": CHECKS[0], "answer": "adopted", "note": "訓練済み"},
        {"check": CHECKS[1], "answer": "partly"}]}, ensure_ascii=False))
    r = u.cli(gas, "bcp", "set", "--file", checks)
    assert "saved" in r.stdout
    assert f"version {before['version'] + 1}" in r.stdout
    after = u.ok(gas, "GET", "/api/v1/bcp-readiness")
    got = {c["id"]: (c["answer"], c["note"])
           for ch in after["characteristics"] for c in ch["checks"]}
    assert got[CHECKS[0]] == ("adopted", "訓練済み")
    assert got[CHECKS[1]][0] == "partly"
    r = u.cli(gas, "bcp", "show")
    assert "CP/BCP readiness" in r.stdout and "訓練済み" in r.stdout
    first_ch = CATALOGUE["bcp"][0]
    assert first_ch["title"]["ja"] in r.stdout
    assert first_ch["title"]["en"] in r.stdout
    # an item that is not a check: refused, nothing changed
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"answers": [
        {"check": CHECKS[2], "answer": "adopted"},
        {"check": ITEMS[0], "answer": "adopted"}]}))
    refused(u.cli(gas, "bcp", "set", "--file", wrong, check=False),
            "unknown_item", "answers[1].check", 400)
    assert u.ok(gas, "GET", "/api/v1/bcp-readiness") == after
    bad_usage(u.cli(gas, "bcp", "set", check=False), "bcp set --file")
    # not an operator: the API says so
    refused(u.cli(nisc, "bcp", "show", check=False), "forbidden",
            status=403)


class ConflictProxy:
    """An HTTP proxy to the hub that, on the first PUT of a risk, changes
    the risk itself first (another user's edit in between the CLI's read
    and its write)."""

    def __init__(self, hub, token, meddle):
        self.hub = hub
        self.meddled = False
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                if self.command == "PUT" and not proxy.meddled:
                    proxy.meddled = True
                    meddle()
                r = requests.request(
                    self.command, hub.url + self.path, data=body,
                    headers={k: v for k, v in self.headers.items()
                             if k.lower() in ("authorization",
                                              "content-type", "accept")},
                    timeout=30)
                self.send_response(r.status_code)
                self.send_header("Content-Type",
                                 r.headers.get("Content-Type", ""))
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            do_GET = do_PUT = do_POST = forward

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_risk_cli(fresh_demo_hub):
    u = Users(fresh_demo_hub)
    op = "op-gas-0001"
    m1, m2 = ITEMS[0], CHECKS[0]

    def risks():
        items, cursor = [], None
        while True:
            params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = u.ok(op, "GET", "/api/v1/risks", params=params)
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return items

    start = risks()

    # ---- bad usage: exit 2, nothing added ----
    bad_usage(u.cli(op, "risk", "frobnicate", check=False), "risk add")
    bad_usage(u.cli(op, "risk", "add", "--title", "t", check=False),
              "--owner is required")
    base = ["--title", "制御系への侵入 / Intrusion into control systems",
            "--owner", "CISO", "--impact", "4", "--likelihood", "3",
            "--treatment", "reduce"]
    bad_usage(u.cli(op, "risk", "add", *base, "--review", "next week",
                    check=False), "--review")
    bad_usage(u.cli(op, "risk", "add", *base[:-1], "ignore", "--review",
                    "2030-01-31", check=False), "--treatment")
    bad_usage(u.cli(op, "risk", "add", *base[:5], "9", *base[6:],
                    "--review", "2030-01-31", check=False), "--impact")
    bad_usage(u.cli(op, "risk", "show", "12a", check=False), "risk show ID")
    bad_usage(u.cli(op, "risk", "list", "--state", "ajar", check=False),
              '--state: one of open, closed (not "ajar")')
    # an unknown catalogue item: the API names it, nothing added
    refused(u.cli(op, "risk", "add", *base, "--review", "2030-01-31",
                  "--measures", f"{m1},9.9.9", check=False),
            "unknown_item", "measures[1]", 400)
    refused(u.cli(op, "risk", "add", *base, "--review", "2020-01-31",
                  check=False), "in_the_past", "review_at", 400)
    assert risks() == start

    # ---- add, show, list ----
    r = u.cli(op, "risk", "add", *base, "--review", "2030-01-31",
              "--asset", "SCADA", "--description", "外部からの侵入",
              "--measures", f"{m1},{m2}", "--plan", "ネットワーク分離")
    assert "added" in r.stdout and "Intrusion into control systems" in \
        r.stdout
    added = [x for x in risks() if x not in start]
    assert len(added) == 1
    risk = added[0]
    rid = risk["id"]
    assert (risk["impact"], risk["likelihood"], risk["score"]) == (4, 3, 12)
    assert risk["measures"] == [m1, m2] and risk["asset"] == "SCADA"
    assert risk["review_at"] == "2030-01-30T15:00:00Z"  # 00:00 JST
    assert risk["above_appetite"] and not risk["shared"]
    assert f"{rid}" in r.stdout and "above the risk appetite" in r.stdout
    shown = json.loads(u.cli(op, "risk", "show", str(rid), "--json").stdout)
    assert shown == u.ok(op, "GET", f"/api/v1/risks/{rid}")
    r = u.cli(op, "risk", "show", str(rid))
    assert "CISO" in r.stdout and m2 in r.stdout and "version 1" in r.stdout
    r = u.cli(op, "risk", "list", "--above")
    assert any(l.split()[0] == str(rid) for l in r.stdout.splitlines())
    listed = json.loads(u.cli(op, "risk", "list", "--json").stdout)
    assert [x["id"] for x in listed["items"]] == [x["id"] for x in risks()]

    # ---- update: the version read first ----
    r = u.cli(op, "risk", "update", str(rid), "--likelihood", "1",
              "--treatment", "transfer", "--shared")
    assert "updated" in r.stdout and "version 2" in r.stdout
    cur = u.ok(op, "GET", f"/api/v1/risks/{rid}")
    assert (cur["version"], cur["likelihood"], cur["treatment"],
            cur["shared"], cur["above_appetite"]) == (2, 1, "transfer", True,
                                                      False)
    # the same again changes nothing: no version
    r = u.cli(op, "risk", "update", str(rid), "--likelihood", "1")
    assert "nothing changed" in r.stdout
    assert u.ok(op, "GET", f"/api/v1/risks/{rid}")["version"] == 2
    bad_usage(u.cli(op, "risk", "update", str(rid), check=False),
              "nothing to change")
    # an unknown measure: refused, nothing changed
    refused(u.cli(op, "risk", "update", str(rid), "--measures", "bcp99.9",
                  check=False), "unknown_item", "measures[0]", 400)
    assert u.ok(op, "GET", f"/api/v1/risks/{rid}") == cur
    # another's risk reads as none
    refused(u.cli("op-gas-0002", "risk", "update", str(rid), "--close",
                  check=False), "not_found", status=404)
    # another edit between the read and the write: 409, the CLI's change
    # not made
    def meddle():
        v = u.ok(op, "GET", f"/api/v1/risks/{rid}")["version"]
        u.ok(op, "PUT", f"/api/v1/risks/{rid}",
             json={"version": v, "plan": "meanwhile"})
    with ConflictProxy(fresh_demo_hub, u.token(op), meddle) as p:
        r = u.cli(op, "risk", "update", str(rid), "--impact", "5",
                  check=False, url=p.url)
    refused(r, "version_conflict", "version", 409)
    cur = u.ok(op, "GET", f"/api/v1/risks/{rid}")
    assert (cur["version"], cur["plan"], cur["impact"]) == (3, "meanwhile", 4)
    # close
    r = u.cli(op, "risk", "update", str(rid), "--close", "--review",
              "2031-04-01T09:00:00+09:00")
    assert "version 4" in r.stdout
    cur = u.ok(op, "GET", f"/api/v1/risks/{rid}")
    assert cur["state"] == "closed" and cur["review_at"] == \
        "2031-04-01T00:00:00Z"
    assert rid not in [x["id"] for x in json.loads(u.cli(
        op, "risk", "list", "--state", "open", "--json").stdout)["items"]]

    # ---- history ----
    hist = u.ok(op, "GET", f"/api/v1/risks/{rid}/history")["items"]
    assert [v["version"] for v in hist] == [1, 2, 3, 4]
    got = json.loads(u.cli(op, "risk", "history", str(rid), "--json").stdout)
    assert got["items"] == hist
    r = u.cli(op, "risk", "history", str(rid))
    lines = [l for l in r.stdout.splitlines() if l.startswith("version ")]
    assert len(lines) == 4
    assert "likelihood, treatment" in lines[1] and "shared" in lines[1]
    assert lines[2].endswith("plan") and f"by {op}" in lines[2]
    assert "review_at, state" in lines[3]

    # ---- heat map: the open risks on the operator's scale ----
    r = u.cli(op, "risk", "add", *base, "--review", "2030-06-30")
    hm = u.ok(op, "GET", "/api/v1/risks/heatmap")
    assert json.loads(u.cli(op, "risk", "heatmap", "--json").stdout) == hm
    r = u.cli(op, "risk", "heatmap")
    assert f"{hm['total']} risk(s), {hm['above_appetite']} above" in r.stdout
    rows = {int(l.split()[0]): l.split()[1:] for l in r.stdout.splitlines()
            if l.strip() and l.split()[0].isdigit()}
    assert sorted(rows) == [1, 2, 3, 4, 5]
    for c in hm["cells"]:
        cell = rows[c["impact"]][c["likelihood"] - 1]
        assert cell.rstrip("*") == str(c["count"]), (c, cell)
        assert cell.endswith("*") == c["above_appetite"], (c, cell)
    assert "Severe" in r.stdout and "ほぼ確実" in r.stdout
    # the secretariat reads the shared ones: the closed risk is shared
    sec = "ceptoar-gas-secretariat"
    r = u.cli(sec, "risk", "show", str(rid))
    assert "Intrusion" in r.stdout and op in r.stdout
    refused(u.cli(sec, "risk", "add", *base, "--review", "2030-06-30",
                  check=False), "forbidden", status=403)
    # NISC keeps no register
    refused(u.cli("nisc-analyst", "risk", "heatmap", check=False),
            "forbidden", status=403)
