"""The hub on PostgreSQL (issue 17, docs/postgresql.md): a real
PostgreSQL 15 server (tests/integration/pgserver.py), `infrashare init
--demo` and infrashared on it, the reporting loop through the API, the
audit chain, readiness; and a password in the URI is never shown.

The whole integration suite runs on PostgreSQL with INFRASHARE_TEST_PG
(conftest.py); this file runs in the default suite, so the engine is
tested on every run.
"""
import json
import os
import signal
import sqlite3
import subprocess
import threading
from datetime import datetime, timezone

import pytest
import requests

import pgserver
from conftest import (ADMIN_PASSWORD, BUILD, SANITIZER_MARKS, TEST_PG, Hub,
                      wait_for)

pytestmark = [
    pytest.mark.skipif(not pgserver.available(),
                       reason="PostgreSQL 15 is not installed "
                              "(scripts/deps.sh test installs it)"),
    # these tests start servers of their own and do the same whichever
    # engine the suite runs on: scripts/test.sh runs them once, in the
    # SQLite run, whose build has the sanitizers
    pytest.mark.skipif(bool(TEST_PG),
                       reason="run by the SQLite run of the suite "
                              "(own PostgreSQL servers)"),
]

SECRET = "pw-" + "9f3c1e7a55d04b2b"


@pytest.fixture(scope="module")
def pg():
    # whole statements in pg_stat_activity (test_a_read_whose_...: the
    # store's statements are longer than the 1 kB shown by default)
    srv = pgserver.PgServer(settings=["track_activity_query_size=16384"])
    try:
        yield srv.start()
    finally:
        srv.stop()
        srv.remove()


@pytest.fixture(scope="module")
def pg_hub(pg, tmp_path_factory):
    h = Hub(tmp_path_factory.mktemp("pghub"), demo=True)
    # trust authentication takes any password: the URI carries one so
    # that where it goes can be checked
    h.db = pg.create_db("hub").replace("postgres@", f"postgres:{SECRET}@")
    h.init_out = h.init()
    h.start()
    yield h
    h.stop()


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_init_and_health(pg_hub, pg):
    out = pg_hub.init_out.stdout
    assert "initialised postgresql://postgres:***@127.0.0.1" in out
    assert "4263 operators" in out
    r = pg_hub.get("/healthz")
    assert r.status_code == 200 and r.json()["schema_version"] >= 33
    r = pg_hub.get("/readyz")
    assert r.status_code == 200, r.text
    # the schema is PostgreSQL's, the registry is in it
    assert int(pg.psql("SELECT count(*) FROM orgs WHERE kind = 'operator'",
                       db="hub")) == 4263
    assert pg.psql("SELECT value FROM meta WHERE key = 'schema_version'",
                   db="hub") == str(pg_hub.get("/healthz").json()["schema_version"])


def test_report_loop_and_ranges(pg_hub):
    op = pg_hub.token("op-banking-0001", name="pg")
    other = pg_hub.token("op-electricity-0001", name="pg")
    nisc = pg_hub.token("nisc-analyst", name="pg")
    body = {"title": "PostgreSQL の試験 / PG test", "kind": "incident",
            "detected_at": now_iso(), "range": "amber", "route": "direct",
            "what_happened": "障害 outage"}
    r = pg_hub.api("POST", "/api/v1/reports", token=op, json=body)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    # the ministry's hop forwards it to NISC
    fsa = pg_hub.token("fsa-desk", name="pg")
    r = pg_hub.api("POST", f"/api/v1/reports/{rid}/forward", token=fsa, json={})
    assert r.status_code == 200, r.text
    got = pg_hub.api("GET", f"/api/v1/reports/{rid}", token=nisc)
    assert got.status_code == 200, got.text
    assert got.json()["title"] == body["title"]
    ids = [x["id"] for x in pg_hub.api("GET", "/api/v1/reports",
                                       token=nisc).json()["items"]]
    assert rid in ids
    # Amber: an operator of another sector neither reads nor lists it
    assert pg_hub.api("GET", f"/api/v1/reports/{rid}",
                      token=other).status_code == 404
    ids = [x["id"] for x in pg_hub.api("GET", "/api/v1/reports",
                                       token=other).json()["items"]]
    assert rid not in ids
    # a search by the title's words finds it (q=), in Japanese too
    r = pg_hub.api("GET", "/api/v1/reports", token=nisc,
                   params={"q": "試験"})
    assert rid in [x["id"] for x in r.json()["items"]]


def test_audit_chain_verifies(pg_hub):
    # the CLI reads the chain of the same PostgreSQL database
    r = pg_hub.cli("audit", "verify")
    assert "audit log OK" in r.stdout and "chain intact" in r.stdout, r.stdout
    entries = int(r.stdout.split("entries")[0].split()[-1])
    assert entries >= 3  # init, the report filed, its forwarding


def test_password_never_shown(pg_hub):
    """The URI's password is in no output: init's, the daemon's log,
    the audit log, an error message of the CLI."""
    assert SECRET not in pg_hub.init_out.stdout + pg_hub.init_out.stderr
    assert SECRET not in pg_hub.log_path.read_text(errors="replace")
    r = pg_hub.cli("audit", "list", "--limit", "1000")
    assert "init" in r.stdout and SECRET not in r.stdout + r.stderr
    # a server that does not answer: the message names the host, not the
    # password
    bad = pg_hub.db.rsplit("@", 1)[0] + "@127.0.0.1:1/hub"
    r = subprocess.run([str(BUILD / "infrashare"), "--db", bad, "audit",
                        "verify"], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "PostgreSQL" in r.stderr, r.stderr
    assert SECRET not in r.stderr + r.stdout


PW_WARNING = "URI carries a password, which every local user sees in " \
    "the process list"


def test_a_password_in_the_uri_is_warned_of(pg_hub, pg):
    """A password in --db is in the process list for every local user:
    the daemon logs one warning at start, the CLI says so on stderr (in
    the locale's language), naming ~/.pgpass and never the password; a
    URI without a password gets no warning."""
    warn = [l for l in pg_hub.log_lines()
            if "carries a password" in str(l.get("msg"))]
    assert len(warn) == 1, warn
    assert warn[0]["level"] == "warn", warn
    assert warn[0]["msg"] == "the --db " + PW_WARNING, warn
    assert "~/.pgpass" in warn[0]["fix"] and "0600" in warn[0]["fix"], warn
    assert SECRET not in pg_hub.log_path.read_text(errors="replace")
    for lang, text in (("C", "warning: the --db " + PW_WARNING),
                       ("ja_JP.UTF-8", "警告: --db の URI にパスワード")):
        r = pg_hub.cli("audit", "verify", env={"LC_ALL": lang})
        assert text in r.stderr, r.stderr
        assert r.stderr.count("~/.pgpass") == 1, r.stderr
        assert SECRET not in r.stdout + r.stderr
    # no password in the URI (libpq would read ~/.pgpass): no warning
    bare = pg_hub.db.replace(f"postgres:{SECRET}@", "postgres@")
    r = subprocess.run([str(BUILD / "infrashare"), "--db", bare, "audit",
                        "verify"], capture_output=True, text=True,
                       timeout=60, env={**os.environ, "LC_ALL": "C"})
    assert r.returncode == 0, r.stderr
    assert "password" not in r.stderr, r.stderr


def test_backup_is_refused_with_the_way(pg_hub, tmp_path):
    r = pg_hub.cli("backup", str(tmp_path / "b.db"), check=False)
    assert r.returncode != 0
    assert "pg_basebackup" in r.stderr
    assert not (tmp_path / "b.db").exists()


def test_init_twice_is_refused(pg_hub, pg):
    """init (with --force too) over a database that holds a hub is refused
    with the way to start anew, and changes nothing (SQLite's --force
    replaces its file; a PostgreSQL database is dropped by its owner)."""
    users = pg.psql("SELECT count(*) FROM users", db="hub")
    head = pg.psql("SELECT max(seq) FROM audit", db="hub")
    for extra in ((), ("--force",)):
        r = pg_hub.cli(
            "init", "--data", pg_hub.data, "--admin-password-file",
            pg_hub.dir / "admin.pw", *extra, check=False)
        assert r.returncode == 1, r.stdout + r.stderr
        assert "a hub exists already" in r.stderr, r.stderr
        assert "drop and create the database" in r.stderr, r.stderr
        assert SECRET not in r.stderr + r.stdout
    assert pg.psql("SELECT count(*) FROM users", db="hub") == users
    assert pg.psql("SELECT max(seq) FROM audit", db="hub") == head


@pytest.mark.parametrize("name,options,why", [
    # ICU's root collation sorts "a" before "B"
    ("icu", "LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'und'",
     "text sorts by a language's rules ('a' before 'B')"),
    # codepoint order, as C, but lower('É') is 'é' (SQLite: 'É')
    ("cutf8", "LOCALE 'C.utf8'",
     "lower() and upper() change letters beyond ASCII (LC_COLLATE C.utf8, "
     "LC_CTYPE C.utf8)"),
    ("ascii", "LOCALE 'C' ENCODING 'SQL_ASCII'", "encoding SQL_ASCII"),
])
def test_a_database_not_created_with_the_c_locale_is_refused(
        pg, tmp_path_factory, name, options, why):
    """The statements carry no COLLATE clause: the database's locale
    decides every list's order, the cursors' comparisons and the searches'
    lower(). A database that does not compare and case text as SQLite
    (bytewise, ASCII letters only) or is not UTF-8 is refused by `init`
    and by the daemon, with the command that makes a right one, and
    nothing is written into it."""
    db = "locale_" + name
    pg.psql(f"CREATE DATABASE {db} TEMPLATE template0 {options}")
    h = Hub(tmp_path_factory.mktemp("pglocale"))
    h.db = pg.uri(db)
    r = h.init(check=False)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "does not compare text bytewise or is not UTF-8" in r.stderr
    assert why in r.stderr, r.stderr
    assert "createdb -T template0 --locale=C --encoding=UTF8" in r.stderr
    assert pg.psql("SELECT count(*) FROM pg_catalog.pg_tables WHERE "
                   "schemaname = 'public'", db=db) == "0"
    d = subprocess.run(
        [str(BUILD / "infrashared"), "--db", h.db, "--port", "0"],
        capture_output=True, text=True, timeout=120)
    assert d.returncode == 1, d.stdout + d.stderr
    assert "does not compare text bytewise" in d.stdout + d.stderr
    for mark in SANITIZER_MARKS:
        assert mark not in d.stderr, d.stderr


def test_pool_opens_connections_when_needed(pg, tmp_path_factory):
    """A node's pool (2 x --threads + 4 = 12 connections) opens its first
    connection at start and each other one when a thread first finds none
    free: an idle node holds a few backends, a busy one no more than its
    pool, and every request is served."""
    from concurrent.futures import ThreadPoolExecutor
    h = Hub(tmp_path_factory.mktemp("pool"))
    h.db = pg.create_db("pool")

    def backends():
        """Client backends on the database (not an autovacuum worker)."""
        return int(pg.psql("SELECT count(*) FROM pg_stat_activity "
                           "WHERE datname = 'pool' AND "
                           "backend_type = 'client backend'"))
    h.init()
    # the CLI's work done before the node starts (the token is a row):
    # the backends counted below are then the node's alone, once those
    # of the CLI's connections are gone (a backend outlives its client
    # for a moment, in view of pg_stat_activity)
    tok = h.token("admin", name="pool")
    wait_for(lambda: backends() == 0, timeout=30,
             what="the backends of the CLI's connections gone")
    h.start()
    try:
        idle = backends()
        assert 1 <= idle <= 8, idle  # the whole pool would be 12
        with ThreadPoolExecutor(16) as ex:
            rs = list(ex.map(lambda _: h.api(
                "GET", "/api/v1/reports?limit=50", token=tok), range(200)))
        assert [r.status_code for r in rs] == [200] * 200
        assert idle <= backends() <= 12
    finally:
        h.stop()


class TableLock:
    """A psql session holding an ACCESS EXCLUSIVE lock on a table until
    release(): every statement of the hub that reads the table waits for
    it, in view of pg_stat_activity."""

    def __init__(self, pg, table, db="hub"):
        self.pg = pg
        self.proc = subprocess.Popen(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", pg.uri(db)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self.proc.stdin.write("SET application_name = 'test-locker';\n"
                              f"BEGIN; LOCK TABLE {table} IN ACCESS "
                              "EXCLUSIVE MODE;\n")
        self.proc.stdin.flush()
        wait_for(lambda: pg.psql(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a "
            "USING (pid) WHERE a.application_name = 'test-locker' AND "
            f"l.relation = '{table}'::regclass AND l.granted",
            db=db) == "1", what=f"the lock on {table}")

    def waiting(self):
        """(pid, query) of each backend waiting for a lock."""
        out = self.pg.psql(
            "SELECT pid, replace(query, E'\\n', ' ') FROM pg_stat_activity "
            "WHERE "
            "wait_event_type = 'Lock' AND application_name <> 'test-locker'")
        return [(int(line.split("|", 1)[0]), line.split("|", 1)[1])
                for line in out.splitlines() if "|" in line]

    def release(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("ROLLBACK;\n\\q\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def cut_while_waiting(pg, table, statement, request):
    """Runs request() (an HTTP call) while table is locked; when the hub's
    backend that runs it waits for the lock in statement (a part of the
    statement's text), terminates that backend (the connection is lost in
    the middle of the request's transaction, as in a failover), releases
    the lock and returns request()'s answer. Other backends of the hub
    that wait meanwhile (the worker's timers) are terminated too: one of
    them may hold the writer lock the request waits for."""
    from concurrent.futures import ThreadPoolExecutor
    lock = TableLock(pg, table)
    try:
        with ThreadPoolExecutor(1) as ex:
            fut = ex.submit(request)
            seen = set()

            def found():
                waiting = lock.waiting()
                seen.update(q[-60:] for _, q in waiting)
                for pid, _ in waiting:
                    pg.psql(f"SELECT pg_terminate_backend({pid})")
                return any(statement in q for _, q in waiting)
            try:
                wait_for(found, what=f"the request waiting in {statement!r}")
            except AssertionError as e:
                raise AssertionError(f"{e}; waited: {seen}") from None
            lock.release()
            return fut.result(timeout=60)
    finally:
        lock.release()


def test_a_read_whose_connection_is_lost_is_run_again(pg_hub, pg):
    """Issue 17, failover: a read-only request whose database connection is
    lost in the middle of its transaction (its backend terminated while
    it waits) began no write, so the hub runs it once more and answers
    200, not 503. A write request in the same situation is never run
    again: 503 store_unavailable, and nothing of it is stored."""
    op = pg_hub.token("op-banking-0001", name="lost")
    body = {"title": "lost connection / 接続断", "kind": "incident",
            "detected_at": now_iso(), "range": "green", "route": "direct"}
    r = pg_hub.api("POST", "/api/v1/reports", token=op, json=body)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    log_before = len(pg_hub.log_path.read_text(errors="replace"))

    got = cut_while_waiting(
        pg, "reports", "FROM reports WHERE id",
        lambda: pg_hub.api("GET", f"/api/v1/reports/{rid}", token=op))
    assert got.status_code == 200, got.text
    assert got.json()["id"] == rid and got.json()["title"] == body["title"]
    log = pg_hub.log_path.read_text(errors="replace")[log_before:]
    assert log.count("request run again") == 1, log
    assert "/api/v1/reports/{id}" in log

    # a write: terminated inside its write transaction, never run again
    count = int(pg.psql("SELECT count(*) FROM reports", db="hub"))
    log_before = len(pg_hub.log_path.read_text(errors="replace"))
    got = cut_while_waiting(
        pg, "reports", "INSERT INTO reports",
        lambda: pg_hub.api("POST", "/api/v1/reports", token=op,
                           json=dict(body, title="never stored twice")))
    assert got.status_code == 503, got.text
    assert got.json()["error"]["code"] == "store_unavailable"
    assert int(pg.psql("SELECT count(*) FROM reports", db="hub")) == count
    assert pg.psql("SELECT count(*) FROM reports WHERE title = "
                   "'never stored twice'", db="hub") == "0"
    log = pg_hub.log_path.read_text(errors="replace")[log_before:]
    assert "request run again" not in log
    # and the hub serves again without a restart
    r = pg_hub.api("POST", "/api/v1/reports", token=op,
                   json=dict(body, title="after the cut"))
    assert r.status_code == 201, r.text


def test_server_gone_then_back(tmp_path_factory):
    """The database server dies (SIGKILL) under a running hub: requests
    answer 503 store_unavailable with Retry-After, a write never gets a
    2xx, /readyz is not ready; the server comes back on the same port and
    data: the hub serves again without a restart, and what got a 201
    before is there."""
    srv = pgserver.PgServer()
    h = Hub(tmp_path_factory.mktemp("pgdown"), demo=True)
    try:
        srv.start()
        h.db = srv.create_db("hub")
        h.init()
        h.start()
        op = h.token("op-banking-0001", name="pg")
        body = {"title": "before the crash", "kind": "incident",
                "detected_at": now_iso(), "range": "green", "route": "direct"}
        r = h.api("POST", "/api/v1/reports", token=op, json=body)
        assert r.status_code == 201, r.text
        before = r.json()["id"]

        srv.stop(kill=True)
        r = h.api("POST", "/api/v1/reports", token=op,
                  json=dict(body, title="while down"))
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "store_unavailable"
        assert int(r.headers["Retry-After"]) >= 1
        r = h.api("GET", f"/api/v1/reports/{before}", token=op)
        assert r.status_code == 503, r.text
        r = h.get("/readyz")
        assert r.status_code == 503, r.text
        # PostgreSQL's reason, not SQLite's write lock
        err = r.json()["error"]
        assert err["code"] == "store_not_writable", r.text
        assert "no primary server is reachable" in err["message"], r.text
        assert "write lock" not in err["message"], r.text

        srv.start()  # the same data folder and port
        r = h.api("GET", f"/api/v1/reports/{before}", token=op)
        assert r.status_code == 200, r.text
        r = h.api("POST", "/api/v1/reports", token=op,
                  json=dict(body, title="after the restart"))
        assert r.status_code == 201, r.text
        assert h.get("/readyz").status_code == 200
        titles = srv.psql("SELECT string_agg(title, '|' ORDER BY seq) FROM "
                          "reports", db="hub").split("|")
        assert titles == ["before the crash", "after the restart"]
        assert "store reconnected" in h.log_path.read_text(errors="replace")
    finally:
        h.stop(expect_clean=False)
        srv.remove()


def _stop_while_a_commit_waits(srv, h, signals):
    """Makes every COMMIT wait for a synchronous standby that does not
    exist, signs in as the admin (a session row: a write) in a thread
    until its COMMIT waits, then sends the node SIGTERM `signals` times
    (then a SIGINT once the node says it is stopping: Ctrl-C pressed
    again; a second SIGTERM first, which does not force it). Returns the
    node's exit status and what the sign-in got (an answer or an
    exception)."""
    srv.require_sync("nobody")
    got = {}

    def sign_in():
        try:
            got["answer"] = requests.post(
                h.url + "/api/v1/session", timeout=120,
                json={"username": "admin", "password": ADMIN_PASSWORD})
        except requests.RequestException as e:
            got["error"] = e
    t = threading.Thread(target=sign_in)
    t.start()
    wait_for(lambda: srv.psql("SELECT count(*) FROM pg_stat_activity WHERE "
                              "wait_event = 'SyncRep'") != "0",
             what="a COMMIT waiting for the standby")
    h.proc.send_signal(signal.SIGTERM)
    if signals == 2:
        wait_for(lambda: '"msg":"stopping"' in h.log_path.read_text(
            errors="replace"), what="the node stopping")
        h.proc.send_signal(signal.SIGTERM)  # asked again: not forced
        h.proc.send_signal(signal.SIGINT)
    rc = h.proc.wait(timeout=60)
    t.join(timeout=60)
    assert not t.is_alive()
    return rc, got


def test_a_stop_during_a_commit_that_never_ends_is_forced(tmp_path_factory):
    """A COMMIT that never ends (the primary waits for a synchronous
    standby that is gone): a node told to stop does not wait for it
    forever. The stop is forced after --stop-timeout-s (exit 3, "stop
    forced" in the log, reason timeout), or at once by a SIGINT after the
    first signal (reason "second signal"; a second SIGTERM does not force
    it: test_writer_pool's stop sends one while queued writes run); the
    request waiting on the COMMIT gets no answer at all, never a 2xx."""
    srv = pgserver.PgServer()
    h = Hub(tmp_path_factory.mktemp("pgstuck"))
    try:
        srv.start()
        h.db = srv.create_db("hub")
        h.init()
        for signals, timeout, reason in ((1, "2", "timeout"),
                                         (2, "600", "second signal")):
            srv.psql("ALTER SYSTEM RESET synchronous_standby_names")
            srv.psql("SELECT pg_reload_conf()")
            h.daemon_args = ["--stop-timeout-s", timeout]
            h.start()
            assert h.get("/readyz").status_code == 200
            rc, got = _stop_while_a_commit_waits(srv, h, signals)
            assert rc == 3, (rc, h.log_path.read_text(errors="replace")[-3000:])
            assert "error" in got, got["answer"].status_code
            forced = [json.loads(line) for line in
                      h.log_path.read_text(errors="replace").splitlines()
                      if '"msg":"stop forced"' in line]
            assert forced and forced[-1]["reason"] == reason, forced
            h.stop(expect_clean=False)
            h.log_path.unlink()
    finally:
        srv.psql("ALTER SYSTEM RESET synchronous_standby_names")
        srv.psql("SELECT pg_reload_conf()")
        h.stop(expect_clean=False)
        srv.stop()
        srv.remove()


def test_migrate_store_sqlite_to_postgresql(pg, tmp_path_factory):
    """infrashare migrate-store: a hub that ran on SQLite (a report filed
    and forwarded, an advisory sent) copied into an empty PostgreSQL
    database; every table's count and the audit chain's head equal; the
    hub started on PostgreSQL serves what it had and takes new writes (the
    ids go on past the copied ones); a destination that holds a hub is
    refused and left as it was."""
    h = Hub(tmp_path_factory.mktemp("mig"), demo=True)
    h.db = h.dir / "hub.db"  # the source is SQLite, whichever engine the suite runs on
    h.init()
    h.start()
    op = h.token("op-banking-0001", name="mig")
    nisc = h.token("nisc-analyst", name="mig")
    body = {"title": "移行前の報告 / before the move", "kind": "incident",
            "detected_at": now_iso(), "range": "amber", "route": "direct"}
    r = h.api("POST", "/api/v1/reports", token=op, json=body)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    r = h.api("POST", f"/api/v1/reports/{rid}/forward",
              token=h.token("fsa-desk", name="mig"), json={})
    assert r.status_code == 200, r.text
    h.stop()
    head = h.cli("audit", "verify").stdout
    sqlite_db = h.db

    uri = pg.create_db("moved").replace("postgres@", f"postgres:{SECRET}@")
    r = h.cli("migrate-store", "--to", uri)
    assert "each table's count equal" in r.stdout, r.stdout
    assert "audit chain intact in both" in r.stdout
    assert SECRET not in r.stdout + r.stderr
    # the same head as the source's own verification
    src_head = head.split("head ")[1].split()[0]
    assert f"head {src_head}" in r.stdout

    # a second run: the destination holds a hub now; refused, unchanged
    before = pg.psql("SELECT count(*) FROM reports", db="moved")
    r = h.cli("migrate-store", "--to", uri, check=False)
    assert r.returncode != 0 and "holds a hub already" in r.stderr
    # the refusal only: no error logged on the way (the probe once read
    # the severity rules into 8 bytes: "store value longer than its field")
    assert "longer than its field" not in r.stdout + r.stderr, r.stderr
    assert '"level":"error"' not in r.stdout + r.stderr, r.stderr
    assert pg.psql("SELECT count(*) FROM reports", db="moved") == before

    h.db = uri
    h.start()
    try:
        nisc = h.token("nisc-analyst", name="after")
        got = h.api("GET", f"/api/v1/reports/{rid}", token=nisc)
        assert got.status_code == 200, got.text
        assert got.json()["title"] == body["title"]
        op = h.token("op-banking-0001", name="after")
        r = h.api("POST", "/api/v1/reports", token=op,
                  json=dict(body, title="after the move"))
        assert r.status_code == 201, r.text
        r = h.cli("audit", "verify")
        assert "audit log OK" in r.stdout, r.stdout
    finally:
        h.stop()
    assert sqlite_db.exists()  # the source is left as it was


def test_migrate_store_refuses_a_running_exercise(pg, tmp_path_factory):
    """An SQLite hub's running exercise has its world in a file beside the
    database, which migrate-store does not carry: the move is refused,
    naming the exercise, and nothing is written; ended, it moves."""
    h = Hub(tmp_path_factory.mktemp("migx"), demo=True)
    h.db = h.dir / "hub.db"
    h.init()
    h.start()
    try:
        nisc = h.token("nisc-analyst", name="migx")
        xs = h.api("GET", "/api/v1/exercises", token=nisc).json()["exercises"]
        x = xs[0]["id"]

        def control(action):
            r = h.api("POST", f"/api/v1/exercises/{x}/control", token=nisc,
                      json={"action": action})
            assert r.status_code == 200, r.text
        control("start")
    finally:
        h.stop()
    uri = pg.create_db("movedx")
    r = h.cli("migrate-store", "--to", uri, check=False)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"exercise {x} is running" in r.stderr, r.stderr
    assert "nothing was written" in r.stderr, r.stderr
    assert pg.psql("SELECT count(*) FROM orgs", db="movedx") == "0"
    h.start()
    try:
        control("end")
    finally:
        h.stop()
    r = h.cli("migrate-store", "--to", uri)
    assert "each table's count equal" in r.stdout, r.stdout


def test_migrate_store_failed_row_is_named_and_nothing_written(
        pg, tmp_path_factory):
    """The copy sends rows in batches (pipeline mode, 256 rows to a round
    trip): a row PostgreSQL refuses in the middle of a batch is named by
    its table and number, the destination keeps no row (one transaction),
    and once the source is mended the same destination takes the move."""
    h = Hub(tmp_path_factory.mktemp("migbad"), demo=True)
    h.db = h.dir / "hub.db"  # the source is SQLite on either engine's run
    h.init()
    src = sqlite3.connect(h.db)
    n_orgs = src.execute("SELECT count(*) FROM orgs").fetchone()[0]
    assert n_orgs > 600  # the 300th row is inside the second batch
    rowid, name = src.execute(
        "SELECT rowid, name_en FROM orgs ORDER BY rowid LIMIT 1 OFFSET 299"
    ).fetchone()
    # text that is not UTF-8: SQLite keeps its bytes, PostgreSQL refuses it
    src.execute("UPDATE orgs SET name_en = name_en || CAST(X'FF' AS TEXT) "
                "WHERE rowid = ?", (rowid,))
    src.commit()
    uri = pg.create_db("migbad")
    r = h.cli("migrate-store", "--to", uri, check=False)
    assert r.returncode != 0
    assert "orgs: row 300:" in r.stderr, r.stderr
    # the schema is made first; the rows go in one transaction: none kept
    assert pg.psql("SELECT (SELECT count(*) FROM orgs) + (SELECT count(*) "
                   "FROM users) + (SELECT count(*) FROM audit)",
                   db="migbad") == "0"

    src.execute("UPDATE orgs SET name_en = ? WHERE rowid = ?", (name, rowid))
    src.commit()
    src.close()
    r = h.cli("migrate-store", "--to", uri)
    assert "each table's count equal" in r.stdout, r.stdout
    assert pg.psql("SELECT count(*) FROM orgs", db="migbad") == str(n_orgs)
    assert pg.psql("SELECT name_en FROM orgs ORDER BY id", db="migbad") == \
        "\n".join(x for (x,) in sqlite3.connect(h.db).execute(
            "SELECT name_en FROM orgs ORDER BY id"))
