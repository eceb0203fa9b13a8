"""The audit log: what is recorded, that no secret is, and that the hash
chain catches changed, removed and truncated entries."""
import json
import re

import requests

import hubdb
from conftest import ADMIN_PASSWORD, assert_error

ALICE_PW = "alice-audit-password-7Qz"
WRONG_PW = "wrong-audit-password-9Xk"


def entries(hub, session=None, token=None):
    out, after = [], 0
    while True:
        r = hub.api("GET", "/api/v1/audit", session=session, token=token,
                    params={"after": after, "limit": 1000})
        assert r.status_code == 200, r.text
        out.extend(r.json()["items"])
        if r.json()["next_after"] is None:
            return out
        after = r.json()["next_after"]


def actions(items):
    return [e["action"] for e in items]


def login_raw(hub, username, password):
    return requests.post(hub.url + "/api/v1/session", timeout=30,
                         json={"username": username, "password": password})


def busy_hub(hub):
    """Does one of each audited thing; returns the secrets that passed by."""
    pw = hub.dir / "alice.pw"
    pw.write_text(ALICE_PW + "\n")
    hub.cli("user", "add", "alice", "--org", "nisc", "--roles",
            "reader,auditor", "--password-file", pw)
    assert_error(login_raw(hub, "alice", WRONG_PW), 401)
    assert_error(login_raw(hub, "nobody", WRONG_PW), 401)
    alice = hub.login("alice", ALICE_PW)
    r = alice.post(hub.url + "/api/v1/tokens", json={"name": "audited"},
                   timeout=30)
    assert r.status_code == 201
    api_token, api_tid = r.json()["token"], r.json()["id"]
    assert hub.api("GET", "/api/v1/session", token=api_token).status_code == 200
    r = alice.delete(hub.url + f"/api/v1/tokens/{api_tid}", timeout=30)
    assert r.status_code == 200
    cli_token = hub.cli_token("alice", name="cli-audited")
    hub.cli("user", "disable", "alice")
    return {"api_token": api_token, "api_tid": api_tid, "cli_token": cli_token,
            "session_cookie": alice.cookies["infrashare_session"],
            "csrf": alice.headers["X-CSRF-Token"]}


def test_actions_are_recorded(hub):
    secrets = busy_hub(hub)
    admin = hub.login("admin")
    items = entries(hub, session=admin)
    acts = actions(items)
    for a in ("init", "user.add", "login.failed", "login", "token.create",
              "token.revoke", "user.disable"):
        assert a in acts, (a, acts)
    # sequence numbers run 1..n without gaps, in order
    assert [e["seq"] for e in items] == list(range(1, len(items) + 1))
    # the details say who and what
    add = next(e for e in items if e["action"] == "user.add")
    assert add["target"] == "alice"
    assert add["detail"]["org"] == "nisc"
    assert add["detail"]["via"] == "cli"
    failed = [e for e in items if e["action"] == "login.failed"]
    assert [e["target"] for e in failed] == ["alice", "nobody"]
    assert failed[0]["detail"]["reason"] == "wrong password"
    assert failed[1]["detail"]["reason"] == "unknown user"
    assert all(e["detail"]["addr"] == "127.0.0.1" for e in failed)
    login = next(e for e in items if e["action"] == "login" and e["target"] == "alice")
    assert login["actor_org"] == "nisc"
    assert isinstance(login["actor_user"], int)
    created = [e for e in items if e["action"] == "token.create"]
    assert secrets["api_tid"] in [e["target"] for e in created]
    assert len(created) == 2                      # API and CLI
    revoked = [e for e in items if e["action"] == "token.revoke"]
    assert [e["target"] for e in revoked] == [secrets["api_tid"]]
    assert revoked[0]["actor_user"] == login["actor_user"]
    dis = [e for e in items if e["action"] == "user.disable"]
    assert [e["target"] for e in dis] == ["alice"]
    # order of events is kept
    order = [acts.index(a) for a in ("user.add", "login.failed", "token.revoke",
                                     "user.disable")]
    assert order == sorted(order)


def test_the_auditor_reads_the_log(fresh_demo_hub):
    hub = fresh_demo_hub
    aud = hub.login("auditor")
    items = entries(hub, session=aud)
    assert items[0]["action"] == "init"
    assert items[0]["detail"]["demo"] is True
    assert items[0]["detail"]["operators"] == 4263
    assert items[-1]["action"] == "login"
    assert items[-1]["target"] == "auditor"
    r = hub.api("GET", "/api/v1/audit/verify", session=aud)
    assert r.status_code == 200
    assert r.json()["ok"] is True
    assert r.json()["entries"] == len(items)
    assert r.json()["problems"] == []


def test_audit_paging(hub):
    admin = hub.login("admin")
    for _ in range(4):
        hub.login("admin")
    items = entries(hub, session=admin)
    assert len(items) == 6
    r = hub.api("GET", "/api/v1/audit", session=admin, params={"limit": 2})
    assert [e["seq"] for e in r.json()["items"]] == [1, 2]
    assert r.json()["next_after"] == 2
    r = hub.api("GET", "/api/v1/audit", session=admin,
                params={"limit": 2, "after": 4})
    assert [e["seq"] for e in r.json()["items"]] == [5, 6]
    r = hub.api("GET", "/api/v1/audit", session=admin,
                params={"limit": 2, "after": 6})
    assert r.json()["items"] == []
    assert r.json()["next_after"] is None
    assert r.json()["scope"] == "all"
    # the newest page below a bound, oldest first (the web UI's "older")
    r = hub.api("GET", "/api/v1/audit", session=admin,
                params={"limit": 2, "before": 5})
    assert [e["seq"] for e in r.json()["items"]] == [3, 4]
    r = hub.api("GET", "/api/v1/audit", session=admin,
                params={"limit": 2, "before": 2})
    assert [e["seq"] for e in r.json()["items"]] == [1]
    r = hub.api("GET", "/api/v1/audit", session=admin,
                params={"limit": 3, "before": 6, "after": 3})
    assert [e["seq"] for e in r.json()["items"]] == [4, 5]


def test_no_secret_in_audit_or_log(hub):
    secrets = busy_hub(hub)
    admin = hub.login("admin")
    items = entries(hub, session=admin)
    cli_list = hub.cli("audit", "list", "--limit", "100000").stdout
    hub.stop()
    log = hub.log_path.read_text(errors="replace")
    audit_text = json.dumps(items, ensure_ascii=False)
    needles = {
        "alice password": ALICE_PW,
        "wrong password": WRONG_PW,
        "admin password": ADMIN_PASSWORD,
        "api token": secrets["api_token"],
        "api token secret": secrets["api_token"].split("_", 2)[2],
        "cli token": secrets["cli_token"],
        "cli token secret": secrets["cli_token"].split("_", 2)[2],
        "session cookie": secrets["session_cookie"],
        "csrf token": secrets["csrf"],
    }
    for what, s in needles.items():
        assert s not in audit_text, f"{what} in the audit log"
        assert s not in cli_list, f"{what} in 'audit list'"
        assert s not in log, f"{what} in the daemon log"
    # and the database holds no secret in clear either (on PostgreSQL, its
    # dump: there a BYTEA column's bytes are written in hex)
    raw = hubdb.contents(hub.db)
    for what, s in needles.items():
        if what in ("session cookie", "csrf token"):
            continue     # the CSRF token is stored by design; cookies hashed
        assert s.encode() not in raw, f"{what} in the database file"
        if hubdb.is_pg(hub.db):
            assert s.encode().hex().encode() not in raw, \
                f"{what} in the database (BYTEA)"
    # the log did record the traffic, so the search was not vacuous
    assert '"route":"/api/v1/tokens"' in log


def test_cli_audit_verify_ok(hub):
    busy_hub(hub)
    r = hub.cli("audit", "verify")
    assert r.returncode == 0
    assert "OK" in r.stdout
    head = re.search(r"head ([0-9a-f]{64})", r.stdout)
    assert head, r.stdout
    admin = hub.login("admin")
    items = entries(hub, session=admin)
    v = hub.api("GET", "/api/v1/audit/verify", session=admin).json()
    assert v["ok"] is True and v["problems"] == []
    assert v["entries"] == len(items)
    assert v["head"] == items[-1]["hash"]
    # the head printed by the CLI was the last entry before this log-in
    assert head.group(1) == items[-2]["hash"]


# ---- tampering (on the stopped hub's database file) ----

def tamper(db, *sql):
    """Runs each statement (text, or (text, parameters)) with the audit
    log's append-only triggers dropped."""
    con = hubdb.connect(db)
    for t in ("audit_no_update", "audit_no_delete"):
        hubdb.drop_trigger(con, t, "audit")
    for stmt in sql:
        con.execute(*((stmt,) if isinstance(stmt, str) else stmt))
    con.commit()
    con.close()


def prepared(hub):
    """Fills the log, makes an admin token (so that reading the log later
    appends nothing), stops the hub; returns the number of entries."""
    busy_hub(hub)
    hub.admin_token = hub.token("admin", name="auditing")
    n = len(entries(hub, token=hub.admin_token))
    assert n >= 8
    hub.stop()
    return n


def api_verify(hub):
    hub.start()
    r = hub.api("GET", "/api/v1/audit/verify", token=hub.admin_token)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_triggers_refuse_changes(hub):
    n = prepared(hub)
    con = hubdb.connect(hub.db)
    for stmt in ("UPDATE audit SET detail = '{}' WHERE seq = 2",
                 "DELETE FROM audit WHERE seq = 2"):
        try:
            con.execute(stmt)
        except hubdb.DatabaseError as e:
            assert "append-only" in str(e)
        else:
            raise AssertionError(f"{stmt} was allowed")
    con.close()
    r = hub.cli("audit", "verify")
    assert f"{n} entries" in r.stdout


def test_changed_entry_is_detected(hub):
    prepared(hub)
    tamper(hub.db, """UPDATE audit SET detail = '{"via":"nothing to see"}'
                      WHERE seq = 3""")
    r = hub.cli("audit", "verify", check=False)
    assert r.returncode == 3, r.stdout + r.stderr
    assert re.search(r"changed entry 3\b", r.stdout), r.stdout
    assert "removed" not in r.stdout and "truncated" not in r.stdout
    v = api_verify(hub)
    assert v["ok"] is False
    assert {"seq": 3, "kind": "changed"} in [
        {"seq": p["seq"], "kind": p["kind"]} for p in v["problems"]]
    assert all(p["message"] for p in v["problems"])


def test_changed_actor_is_detected(hub):
    prepared(hub)
    tamper(hub.db, "UPDATE audit SET target = 'someone-else' WHERE seq = 2")
    r = hub.cli("audit", "verify", check=False)
    assert r.returncode == 3
    assert re.search(r"changed entry 2\b", r.stdout), r.stdout


def test_removed_middle_entry_is_detected(hub):
    prepared(hub)
    tamper(hub.db, "DELETE FROM audit WHERE seq = 4")
    r = hub.cli("audit", "verify", check=False)
    assert r.returncode == 3, r.stdout + r.stderr
    assert re.search(r"removed entry 4\b", r.stdout), r.stdout
    v = api_verify(hub)
    assert v["ok"] is False
    assert ("removed", 4) in [(p["kind"], p["seq"]) for p in v["problems"]]


def test_truncated_log_is_detected(hub):
    n = prepared(hub)
    tamper(hub.db, f"DELETE FROM audit WHERE seq = {n}")
    r = hub.cli("audit", "verify", check=False)
    assert r.returncode == 3, r.stdout + r.stderr
    assert re.search(rf"truncated entry {n}\b", r.stdout), r.stdout
    v = api_verify(hub)
    assert v["ok"] is False
    assert ("truncated", n) in [(p["kind"], p["seq"]) for p in v["problems"]], v
    assert v["entries"] == n - 1


def test_truncation_stays_detected_after_new_entries(hub):
    """Removing the newest entries must not become invisible as soon as the
    hub records something new (the recorded head exists to catch it)."""
    n = prepared(hub)
    tamper(hub.db, f"DELETE FROM audit WHERE seq >= {n - 1}")
    hub.start()
    hub.login("admin")                      # appends a new entry
    r = hub.api("GET", "/api/v1/audit/verify", token=hub.admin_token)
    assert r.json()["ok"] is False, r.json()
    hub.stop()
    r = hub.cli("audit", "verify", check=False)
    assert r.returncode == 3, r.stdout


def test_truncated_log_is_detected_before_new_entries(hub):
    n = prepared(hub)
    tamper(hub.db, f"DELETE FROM audit WHERE seq >= {n - 1}")
    r = hub.cli("audit", "verify", check=False)
    assert r.returncode == 3
    assert re.search(rf"truncated entry {n - 1}\b", r.stdout), r.stdout
    assert str(n) in r.stdout


def test_reordered_or_rehashed_entry_is_detected(hub):
    prepared(hub)
    con = hubdb.connect(hub.db)
    rows = con.execute("SELECT seq, hash FROM audit WHERE seq IN (2, 3) "
                       "ORDER BY seq").fetchall()
    con.close()
    h2, h3 = rows[0][1], rows[1][1]
    # swap the stored hashes of two entries: each then fails its own check
    tamper(hub.db, ("UPDATE audit SET hash = ? WHERE seq = 2", (h3,)),
           ("UPDATE audit SET hash = ? WHERE seq = 3", (h2,)))
    r = hub.cli("audit", "verify", check=False)
    assert r.returncode == 3
    assert re.search(r"changed entry 2\b", r.stdout)


def test_a_list_pages_entry_survives_a_crash_before_it_reaches_the_chain(
        tmp_path):
    """docs/rules.md "Audit of reporting": a list page that showed Amber
    reports is answered only once its entry is durable. On SQLite the
    entry waits in the read-audit journal (hub.db.audit-journal) until the
    worker, an audit view or the next start moves it into the chain; the
    worker here ticks once in ten minutes, and the hub is killed (SIGKILL)
    right after the answer. After the restart the chain holds the entry
    exactly once, and the journal is empty. On PostgreSQL the entry is in
    the chain when the page is answered."""
    from test_provision_features import ProvHub
    from test_reports_flow import OP, file_report, tok

    h = ProvHub(tmp_path, demo=True, tick_ms=600000)
    h.init_fixture()
    h.start()
    rep = file_report(h, OP, range="amber", title="crash audit")
    r = h.api("GET", "/api/v1/reports", token=tok(h, "fsa-desk"),
              params={"limit": 5})
    assert r.status_code == 200, r.text
    assert rep["id"] in [i["id"] for i in r.json()["items"]]

    def list_entries():
        with hubdb.connect(h.db) as con:
            return [d for (d,) in con.execute(
                "SELECT detail FROM audit WHERE action = 'report.list'")
                if rep["id"] in d]

    journal = tmp_path / "hub.db.audit-journal"
    if hubdb.is_pg(h.db):
        assert len(list_entries()) == 1
    else:
        assert list_entries() == []
        with hubdb.connect(str(journal)) as con:
            rows = con.execute("SELECT action, detail FROM audit_journal").fetchall()
        assert [a for a, d in rows if rep["id"] in d] == ["report.list"]
    h.kill()
    h.start()
    assert len(list_entries()) == 1
    if not hubdb.is_pg(h.db):
        with hubdb.connect(str(journal)) as con:
            assert con.execute("SELECT count(*) FROM audit_journal").fetchone()[0] == 0
    v = h.api("GET", "/api/v1/audit/verify", token=h._admin_token())
    assert v.status_code == 200 and v.json()["ok"] is True, v.text
    h.stop()
