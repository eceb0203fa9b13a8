"""Operations: health, metrics, OpenAPI, structured logs, online backup and
durability across a crash."""
import json
import re
import shutil
import signal
import subprocess

import pytest
import requests

from conftest import BUILD, TEST_PG, Hub, assert_error, wait_for

# `infrashare backup` and a crash's write-ahead log are SQLite's files; a
# PostgreSQL hub refuses the backup with the way to do it
# (test_postgresql.py::test_backup_is_refused_with_the_way) and refuses
# `init --force` over an existing hub (drop and create the database;
# test_postgresql.py::test_init_twice_is_refused)
sqlite_only = pytest.mark.skipif(bool(TEST_PG), reason="SQLite's own files")

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def metrics(hub):
    r = hub.metrics()
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for line in r.text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return r.text, samples


def req_count(samples, route, status):
    return samples.get(
        f'infrashare_http_requests_total{{route="{route}",status="{status}"}}', 0.0)


def test_healthz(hub):
    r = hub.get("/healthz")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["status"] == "ok"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"


def test_metrics_format_and_counters(hub):
    text, before = metrics(hub)
    assert "# TYPE infrashare_http_requests_total counter" in text
    assert "# TYPE infrashare_http_request_duration_seconds histogram" in text
    assert "# TYPE infrashare_store_errors_total counter" in text
    assert before["infrashare_store_errors_total"] == 0
    for _ in range(3):
        assert hub.get("/healthz").status_code == 200
    assert hub.get("/no/such/path").status_code == 404
    assert hub.get("/api/v1/session").status_code == 401
    assert hub.get("/api/v1/session").status_code == 401
    text, after = metrics(hub)
    assert req_count(after, "GET /healthz", 200) == req_count(before, "GET /healthz", 200) + 3
    assert req_count(after, "unmatched", 404) == req_count(before, "unmatched", 404) + 1
    assert req_count(after, "GET /api/v1/session", 401) == \
        req_count(before, "GET /api/v1/session", 401) + 2
    # the first /metrics request is counted by the second
    assert req_count(after, "GET /metrics", 200) >= 1
    assert after["infrashare_store_errors_total"] == 0


def assert_metrics_refusal(r):
    """The 401 of GET /metrics: code metrics_token_required, whose English
    and Japanese both ask for the metrics token (not a log-in or an API
    token, which the route never takes)."""
    err = assert_error(r, 401, "metrics_token_required")
    assert "metrics" in err["message"], err
    assert "メトリクス用トークン" in err["message_ja"], err
    assert "ログイン" not in err["message_ja"], err
    assert "API トークン" not in err["message_ja"], err
    assert "infrashare_" not in r.text
    return err


def test_metrics_need_the_metrics_token(hub):
    """Unauthenticated, with a user's API token or session, or with a wrong
    token: 401 JSON, nothing published. With the token: Prometheus text."""
    for headers in ({}, {"Authorization": "Bearer wrong-token-" + "x" * 32},
                    {"Authorization": f"Basic {hub.metrics_token}"},
                    {"Authorization": f"Bearer {hub.metrics_token}x"},
                    {"Authorization": f"Bearer {hub.metrics_token[:-1]}"},
                    {"Authorization": f"Bearer {hub.token('admin')}"}):
        r = hub.get("/metrics", headers=headers)
        assert_metrics_refusal(r)
    r = hub.login("admin").get(hub.url + "/metrics", timeout=30)
    assert_metrics_refusal(r)
    r = hub.metrics()
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "infrashare_worker_ticks_total " in r.text
    # refused scrapes are counted (under GET /metrics, 401)
    _, s = metrics(hub)
    assert req_count(s, "GET /metrics", 401) == 7


OPS_ROUTES = {"GET /healthz", "GET /readyz", "GET /metrics",
              "GET /api/v1/openapi.json",
              "POST /api/v1/session", "GET /api/v1/session",
              "DELETE /api/v1/session"}
LABEL = re.compile(r'(\w+)="([^"]*)"')


def test_metrics_publish_nothing_per_item(hub):
    """Reports, reveals, advisories, acknowledgement links, the audit log:
    counted only in the two aggregates, never by route or by item."""
    tok = hub.token("admin")
    _, before = metrics(hub)
    reads = ["/api/v1/reports/R-2026-000001", "/api/v1/reports",
             "/api/v1/advisories/A-2026-000001", "/api/v1/audit?limit=5",
             "/api/v1/orgs", "/ack/not-a-token", "/public"]
    writes = ["/api/v1/reports/R-2026-000001/reveal",
              "/api/v1/reports/R-2026-000001/forward", "/api/v1/reports",
              "/api/v1/advisories/A-2026-000001/ack"]
    for p in reads:
        hub.api("GET", p, token=tok)
    for p in writes:
        hub.api("POST", p, token=tok, json={})
    text, after = metrics(hub)

    def total(s, route):
        return sum(v for k, v in s.items()
                   if k.startswith("infrashare_http_requests_total{")
                   and f'route="{route}"' in k)
    assert total(after, "other read") - total(before, "other read") == \
        len(reads)
    assert total(after, "other write") - total(before, "other write") == \
        len(writes)
    allowed = OPS_ROUTES | {"other read", "other write", "unmatched"}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        assert "R-2026" not in line and "A-2026" not in line, line
        for key, value in LABEL.findall(line):
            assert key in {"route", "status", "le", "outcome", "state",
                           "node", "duty"}, line
            if key == "route":
                assert value in allowed, line
            if key == "state":  # the writer pool's gauge, all writes
                assert line.startswith("infrashare_http_writes{"), line
                assert value in {"queued", "running"}, line
            if key == "node":  # the hub's own id (issue 17), nothing else
                assert line.startswith("infrashare_node_info{"), line
            if key == "duty":  # the duties one node performs (issue 17)
                assert line.startswith("infrashare_duty_held{"), line
                assert value in {"prober", "taxii"}, line
    for name in ("infrashare_advisory_", "range", "reveal", "anonymous"):
        assert name not in text


def test_metrics_without_a_token_file_are_closed(tmp_path):
    h = Hub(tmp_path)
    h.init()
    h.metrics_flags = lambda: []
    h.start()
    try:
        r = h.get("/metrics")
        err = assert_metrics_refusal(r)
        assert "--metrics-token-file" in err["message"]
        assert "--metrics-token-file" in err["message_ja"]
        assert_metrics_refusal(h.metrics())
    finally:
        h.stop()


def test_a_second_daemon_on_a_port_in_use_is_refused(hub):
    # a second hub started on the port of a running one (run-hub.sh run
    # twice) stops with a message; it is not handed part of the first
    # one's connections (SO_REUSEPORT), and the first one goes on
    r = subprocess.run([str(BUILD / "infrashared"), "--db", str(hub.db),
                        "--port", str(hub.port), "--node-id", "second",
                        *hub.metrics_flags()],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r.stderr
    assert f"cannot listen on 127.0.0.1:{hub.port}" in r.stderr, r.stderr
    assert "another hub" in r.stderr, r.stderr
    for _ in range(20):  # every connection reaches the first hub
        assert requests.get(hub.url + "/healthz", timeout=10).status_code == 200
    assert hub.proc.poll() is None


@pytest.mark.parametrize("token", ["short", "has a space " + "x" * 32, ""])
def test_metrics_token_file_must_hold_a_token(tmp_path, token):
    h = Hub(tmp_path)
    h.init()
    path = tmp_path / "bad.token"
    path.write_text(token + "\n")
    r = subprocess.run([str(BUILD / "infrashared"), "--db", str(h.db),
                        "--port", "0", "--metrics-token-file", str(path)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "--metrics-token-file" in r.stderr
    r = subprocess.run([str(BUILD / "infrashared"), "--db", str(h.db),
                        "--port", "0", "--metrics-token-file",
                        str(tmp_path / "missing")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2


def test_latency_histogram(hub):
    for _ in range(5):
        hub.get("/healthz")
    text, s = metrics(hub)
    route = "GET /healthz"
    buckets = []
    for line in text.splitlines():
        m = re.match(r'infrashare_http_request_duration_seconds_bucket'
                     r'\{route="GET /healthz",le="([^"]+)"\} (\d+)$', line)
        if m:
            buckets.append((m.group(1), int(m.group(2))))
    assert len(buckets) >= 2
    assert buckets[-1][0] == "+Inf"
    counts = [c for _, c in buckets]
    assert counts == sorted(counts), "buckets must be cumulative"
    bounds = [float(b) for b, _ in buckets[:-1]]
    assert bounds == sorted(bounds)
    count = s[f'infrashare_http_request_duration_seconds_count{{route="{route}"}}']
    total = s[f'infrashare_http_request_duration_seconds_sum{{route="{route}"}}']
    assert count == counts[-1] == req_count(s, route, 200) == 5
    assert 0 <= total < 5 * 30


def test_openapi(hub):
    r = hub.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert "openapi" in doc
    assert str(doc["openapi"]).startswith("3")
    assert isinstance(doc.get("paths"), dict)


def test_log_lines_are_json_without_secrets(hub):
    secret_q = "zzq-secret-query-value"
    s = hub.login("admin")
    cookie = s.cookies["infrashare_session"]
    csrf = s.headers["X-CSRF-Token"]
    r = s.get(hub.url + "/api/v1/orgs", params={"scope": secret_q}, timeout=30)
    assert r.status_code == 200
    s.get(hub.url + f"/api/v1/orgs?kind=ministry&x={secret_q}", timeout=30)
    hub.get("/nowhere", params={"q": secret_q})
    r = s.post(hub.url + "/api/v1/tokens", json={"name": "logged"}, timeout=30)
    token = r.json()["token"]
    hub.api("GET", "/api/v1/session", token=token)
    requests.post(hub.url + "/api/v1/session", timeout=30,
                  json={"username": "admin", "password": "wrong-but-secret-pw"})
    hub.stop()
    text = hub.log_path.read_text(errors="replace")
    lines = [l for l in text.splitlines() if l.strip()]
    assert lines
    for line in lines:
        obj = json.loads(line)              # every line is one JSON object
        assert isinstance(obj, dict), line
        assert "ts" in obj and "level" in obj and "msg" in obj, line
    reqs = [json.loads(l) for l in lines if json.loads(l)["msg"] == "request"]
    assert len(reqs) >= 6
    for rq in reqs:
        for key in ("method", "route", "status", "ms"):
            assert key in rq, rq
        assert "?" not in rq["route"]
    orgs = [rq for rq in reqs if rq["route"] == "/api/v1/orgs"]
    assert orgs and orgs[0]["method"] == "GET" and orgs[0]["status"] == 200
    assert isinstance(orgs[0]["ms"], (int, float))
    for needle in (secret_q, cookie, csrf, token, token.split("_", 2)[2],
                   "wrong-but-secret-pw", "admin-password-for-tests"):
        assert needle not in text, needle


def test_logs_go_to_stderr(tmp_path):
    h = Hub(tmp_path)
    h.init()
    port_file = tmp_path / "port"
    out_path, err_path = tmp_path / "out", tmp_path / "err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            [str(BUILD / "infrashared"), "--db", str(h.db), "--port", "0",
             "--port-file", str(port_file)], stdout=out, stderr=err)
        try:
            def ready():
                assert proc.poll() is None, err_path.read_text()
                return port_file.exists() and port_file.read_text().strip()
            port = int(wait_for(ready, what="infrashared to listen"))
            assert requests.get(f"http://127.0.0.1:{port}/healthz",
                                timeout=30).status_code == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
    lines = err_path.read_text().splitlines()
    assert any(json.loads(l)["msg"] == "request" for l in lines)
    for l in lines:
        assert isinstance(json.loads(l), dict)
    assert out_path.read_text() == ""


@sqlite_only
def test_backup_while_running(tmp_path, hub):
    pw = hub.dir / "u.pw"
    pw.write_text("backup-user-password\n")
    hub.cli("user", "add", "backed-up", "--org", "meti", "--roles", "reader",
            "--password-file", pw)
    tok = hub.token("admin")
    # traffic during the backup must not disturb it
    assert hub.api("GET", "/api/v1/session", token=tok).status_code == 200
    dest = tmp_path / "backup.db"
    r = hub.cli("backup", dest)
    assert dest.exists() and dest.stat().st_size > 0
    assert str(dest) in r.stdout
    # the running hub is unaffected
    assert hub.api("GET", "/api/v1/session", token=tok).status_code == 200
    users_live = hub.cli("user", "list").stdout
    # a second hub started from a copy of the backup
    work = tmp_path / "restored"
    work.mkdir()
    h2 = Hub(work)
    shutil.copyfile(dest, h2.db)
    h2.start()
    try:
        assert h2.cli("user", "list").stdout == users_live
        assert "backed-up" in users_live
        s = h2.login("backed-up", "backup-user-password")
        assert s.me["org"] == "meti"
        assert h2.login("admin").me["username"] == "admin"
        assert h2.api("GET", "/api/v1/session", token=tok).status_code == 200
        assert len(h2.get("/api/v1/sectors").json()["items"]) == 13
        assert h2.cli("audit", "verify").returncode == 0
    finally:
        h2.stop()


@sqlite_only
def test_backup_refuses_an_existing_file(tmp_path, hub):
    dest = tmp_path / "exists.db"
    dest.write_bytes(b"keep me")
    r = hub.cli("backup", dest, check=False)
    assert r.returncode != 0
    assert "exists" in r.stderr
    assert dest.read_bytes() == b"keep me"
    # refusing also applies to an earlier backup
    good = tmp_path / "good.db"
    hub.cli("backup", good)
    before = good.read_bytes()
    r = hub.cli("backup", good, check=False)
    assert r.returncode != 0
    assert good.read_bytes() == before


def test_token_survives_a_crash(hub):
    s = hub.login("admin")
    r = s.post(hub.url + "/api/v1/tokens", json={"name": "durable"}, timeout=30)
    assert r.status_code == 201
    tok, tid = r.json()["token"], r.json()["id"]
    hub.kill()
    hub.start()
    who = hub.api("GET", "/api/v1/session", token=tok)
    assert who.status_code == 200, who.text
    assert who.json()["user"]["username"] == "admin"
    assert tid in [t["id"] for t in hub.api("GET", "/api/v1/tokens", token=tok).json()["items"]]
    # a revocation is durable as well
    assert hub.api("DELETE", f"/api/v1/tokens/{tid}", token=tok).status_code == 200
    hub.kill()
    hub.start()
    assert_error(hub.api("GET", "/api/v1/session", token=tok), 401)
    # the audit chain is intact after two crashes
    assert hub.cli("audit", "verify").returncode == 0


def test_sessions_survive_a_restart(hub):
    s = hub.login("admin")
    hub.stop()
    hub.start()
    r = s.get(hub.url + "/api/v1/session", timeout=30)
    assert r.status_code == 200


@sqlite_only
def test_init_force_after_a_crash_starts_fresh(hub):
    """'init --force' replaces the database: nothing of the old one may come
    back, even when the old daemon crashed and left its write-ahead log."""
    pw = hub.dir / "old.pw"
    pw.write_text("old-user-password-1\n")
    hub.cli("user", "add", "old-user", "--org", "nisc", "--roles", "reader",
            "--password-file", pw)
    old_token = hub.token("admin", name="old")
    assert hub.api("GET", "/api/v1/session", token=old_token).status_code == 200
    hub.kill()
    hub.init(extra=("--force",))
    users = hub.cli("user", "list").stdout
    assert "old-user" not in users, users
    assert [l.split()[1] for l in users.splitlines()] == ["admin"]
    audit = hub.cli("audit", "list").stdout.splitlines()
    assert [json.loads(l)["action"] for l in audit] == ["init"]
    hub.start()
    assert_error(hub.api("GET", "/api/v1/session", token=old_token), 401)


@sqlite_only
def test_the_hubs_files_are_the_owners_alone(tmp_path):
    """The database, its WAL, the read-audit journal and a backup hold Red
    and Amber reports, credentials' hashes and the audit log: the daemon
    and the CLI make them readable and writable by their owner only,
    whatever the umask they were started with."""
    (tmp_path / "hub").mkdir()
    h = Hub(tmp_path / "hub", demo=True)
    h.init()
    h.start()
    try:
        # a list page with Amber reports: its audit entry goes to the
        # journal, which the daemon makes
        tok = h.token("nisc-analyst")
        assert h.api("GET", "/api/v1/reports?limit=50",
                     token=tok).status_code == 200
        made = sorted(p.name for p in (tmp_path / "hub").iterdir()
                      if p.name.startswith("hub.db"))
        assert "hub.db-wal" in made and "hub.db.audit-journal" in made, made
        dest = tmp_path / "backup.db"
        h.cli("backup", dest)
        files = [tmp_path / "hub" / n for n in made] + [dest]
        for f in files:
            mode = f.stat().st_mode & 0o777
            assert mode & 0o077 == 0, (f.name, oct(mode))
    finally:
        h.stop()
    # a database made readable by others (before this rule, or by hand):
    # the daemon says so in its log at start, with the fix
    h.db.chmod(0o644)
    h.start()
    h.stop()
    warn = [json.loads(l) for l in h.log_path.read_text().splitlines()
            if "readable by others" in l]
    assert len(warn) == 1, warn
    assert warn[0]["level"] == "warn" and warn[0]["mode"] == "0644"
    assert warn[0]["path"] == str(h.db) and "chmod 600" in warn[0]["fix"]
