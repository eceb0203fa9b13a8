"""Audit and anonymity (docs/rules.md "Audit and anonymity", DOMAIN §8a).

The audit chain is published to auditors, so it must not let anyone test a
guess of an anonymous reporter: a withheld actor enters the chain only as a
salted commitment. Each auditor sees its own organisation's entries; NISC's
auditors and hub admins see the whole log with withheld actors withheld.
The reveal of an anonymous reporter takes a reason, which is audited.

The attacks here are the ones an auditor can run against what the API
publishes: recompute each entry's hash (the published fields must be enough
to verify the chain) and swap in every user and organisation of the hub.
"""
import csv
import hashlib
import io
import json
import re
import struct
from datetime import datetime

import pytest

import hubdb
from conftest import DEMO_PASSWORD, ROOT, TEST_PG, assert_error
from test_reports_flow import OP, OP_NAMES, file_report, forward_ok, tok

SECRETARIAT = "ceptoar-banking"
MINISTRY = "fsa"
OTHER_OP = "op-banking-0002"
REASON = "同一の攻撃元が複数の銀行に及んでいるため照会 / same source hits several banks"


# ---- the published construction (core/audit_chain.h), rebuilt here ----

def F(b):
    return struct.pack("<Q", len(b)) + b


def I(v):
    return F(struct.pack("<q", v))


def S(s):
    return F((s or "").encode())


def b2(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def epoch(at):
    return int(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp())


def detail_text(d):
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True)


def hash_v1(prev, at, user, org, action, target, detail):
    return b2(prev + I(at) + I(user) + S(org) + S(action) + S(target)
              + S(detail))


def hash_v2(prev, at, user, org, commitment, action, target, detail):
    return b2(prev + F(b"infrashare-audit-v2") + I(at) + I(user) + S(org)
              + F(commitment or b"") + S(action) + S(target) + S(detail))


def recompute(e, user=None, org=None, commitment=b"keep"):
    """The hash of a published version-2 entry, optionally with another
    actor or commitment swapped in."""
    return hash_v2(bytes.fromhex(e["prev_hash"]), epoch(e["at"]),
                   e["actor_user"] or 0 if user is None else user,
                   e["actor_org"] if org is None else org,
                   bytes.fromhex(e["commitment"]) if commitment == b"keep"
                   and e["commitment"] else
                   (None if commitment == b"keep" else commitment),
                   e["action"], e["target"], detail_text(e["detail"]))


# ---- helpers ----

def entries(hub, token):
    out, after, scope = [], 0, None
    while True:
        r = hub.api("GET", "/api/v1/audit", token=token,
                    params={"after": after, "limit": 1000})
        assert r.status_code == 200, r.text
        scope = r.json()["scope"]
        out.extend(r.json()["items"])
        after = r.json()["next_after"]
        if after is None:
            return out, scope


def own_entries(hub, org):
    """(action, target) of every entry whose actor belongs to org (its
    withheld ones too), in the chain's order: from the database."""
    return [tuple(x) for x in db_rows(
        hub, "SELECT a.action, a.target FROM audit a LEFT JOIN audit_withheld "
        "w ON w.seq = a.seq WHERE coalesce(w.actor_org, a.actor_org) = ? "
        "ORDER BY a.seq", org)]


def raw_text(hub, token):
    r = hub.api("GET", "/api/v1/audit", token=token,
                params={"limit": 1000})
    return r.text


def add_auditor(hub, org, name):
    pw = hub.dir / f"{name}.pw"
    pw.write_text(DEMO_PASSWORD + "\n")
    hub.cli("user", "add", name, "--org", org, "--roles", "reader,auditor",
            "--password-file", pw)
    return hub.token(name, name="audit-anon")


def db_rows(hub, sql, *args):
    con = hubdb.connect(hub.db, timeout=10, readonly=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def candidates(hub):
    """Every (user id, organisation) of the hub, and every organisation
    with no user: what an auditor would try."""
    users = db_rows(hub, "SELECT id, org_id FROM users")
    orgs = [o for (o,) in db_rows(hub, "SELECT id FROM orgs")]
    return users + [(0, o) for o in orgs]


def anonymous_activity(hub):
    """The anonymous reporter does everything that is audited about its
    own Red report; the chain's hops act on it. Returns the report id."""
    rep = file_report(hub, range="red", route="anonymous",
                      title="anonymous audit anonymity")
    rid = rep["id"]
    # a report of its own that is not anonymous, shown on the same pages
    named = file_report(hub, range="amber", route="direct",
                        title="named amber next to it")["id"]
    r = hub.api("POST", f"/api/v1/reports/{rid}/updates", token=tok(hub, OP),
                json={"kind": "update", "text": "more detail"})
    assert r.status_code == 201, r.text
    assert hub.api("GET", f"/api/v1/reports/{rid}",
                   token=tok(hub, OP)).status_code == 200
    r = hub.api("GET", "/api/v1/reports", token=tok(hub, OP))
    assert r.status_code == 200 and rid in r.text and named in r.text
    r = hub.api("GET", "/api/v1/reports/export", token=tok(hub, OP))
    assert r.status_code == 200 and rid in r.text
    # the cascade suggestions of its own report (issue 15)
    r = hub.api("GET", f"/api/v1/reports/{rid}/cascade", token=tok(hub, OP))
    assert r.status_code in (200, 404), r.text   # 404: a hub without model
    # the secretariat reads, reveals with a reason, forwards
    sec = tok(hub, "ceptoar-banking-secretariat")
    assert hub.api("GET", f"/api/v1/reports/{rid}",
                   token=sec).status_code == 200
    r = hub.api("POST", f"/api/v1/reports/{rid}/reveal", token=sec,
                json={"reason": REASON})
    assert r.status_code == 200, r.text
    assert r.json()["org"] == OP
    forward_ok(hub, "ceptoar-banking-secretariat", rid)
    assert hub.api("GET", f"/api/v1/reports/{rid}",
                   token=tok(hub, "fsa-desk")).status_code == 200
    forward_ok(hub, "fsa-desk", rid)
    # the reporter signs in (a log-in with its address, in the same second
    # as its next withheld act), then reads its report again
    s = hub.login(OP)
    assert s.get(hub.url + f"/api/v1/reports/{rid}", timeout=30).status_code == 200
    # another operator works too
    file_report(hub, user=OTHER_OP, range="amber", route="direct",
                title="other operator")
    assert hub.api("GET", "/api/v1/reports",
                   token=tok(hub, OTHER_OP)).status_code == 200
    return rid, named


def mentions(e, rid):
    return e["target"] == rid or rid in json.dumps(e["detail"])


def assert_no_identity(text, where):
    for name in OP_NAMES:
        assert name not in text, (where, name, text[:3000])


# ---- 1. commitments: the published chain verifies, guesses never match ----

def test_brute_force_over_every_user_and_org_never_matches(fresh_demo_hub):
    hub = fresh_demo_hub
    hub.spread_over_two_nodes()  # on PostgreSQL: two nodes, one chain
    rid, named = anonymous_activity(hub)
    nisc = tok(hub, "auditor")                  # NISC's auditor
    items, scope = entries(hub, nisc)
    assert scope == "all"
    assert [e["seq"] for e in items] == list(range(1, len(items) + 1))

    # the published fields are enough to verify every entry and every link
    prev = None
    for e in items:
        assert e["version"] == 2
        assert recompute(e).hex() == e["hash"], e
        if prev is not None:
            assert e["prev_hash"] == prev["hash"], e
        prev = e
    v = hub.api("GET", "/api/v1/audit/verify", token=nisc).json()
    assert v["ok"] is True and v["head"] == items[-1]["hash"]

    withheld = [e for e in items if e["actor_withheld"]]
    assert {e["action"] for e in withheld} >= {
        "report.file", "report.update", "report.read", "cascade.suggest"}
    # a list or export page writes no withheld entry: one beside the
    # page's attributed entry (the same request, the same second) would
    # name the reporter by its place in the chain (docs/rules.md)
    assert not [e for e in withheld
                if e["action"] in ("report.list", "report.export")]
    for e in withheld:
        assert e["actor_user"] is None and e["actor_org"] is None
        assert re.fullmatch(r"[0-9a-f]{64}", e["commitment"])
        assert mentions(e, rid)
        assert named not in json.dumps(e["detail"])
    # no attributed entry of the reporter names its anonymous report
    mine = {u for (u,) in db_rows(hub, "SELECT id FROM users WHERE org_id = ?", OP)}
    for e in items:
        if e["actor_org"] == OP or e["actor_user"] in mine:
            assert not mentions(e, rid), e

    # what the hub holds: the withheld actor really is the reporter
    held = dict(((s, (u, o)) for s, u, o in
                 db_rows(hub, "SELECT seq, actor_user, actor_org FROM audit_withheld")))
    assert {e["seq"] for e in withheld} == set(held)
    assert all(o == OP and u in mine for u, o in held.values())

    # the attack: every user and organisation of the hub, every way the
    # actor could enter the hash (in clear, old or new construction, or as
    # an unsalted commitment)
    cands = candidates(hub)
    assert len(cands) > 8000
    for e in withheld:
        at, p = epoch(e["at"]), bytes.fromhex(e["prev_hash"])
        d, cm = detail_text(e["detail"]), bytes.fromhex(e["commitment"])
        for user, org in cands:
            guesses = {
                hash_v1(p, at, user, org, e["action"], e["target"], d),
                hash_v2(p, at, user, org, None, e["action"], e["target"], d),
                hash_v2(p, at, user, org, cm, e["action"], e["target"], d),
                hash_v2(p, at, 0, org, None, e["action"], e["target"], d),
            }
            assert e["hash"] not in {g.hex() for g in guesses}, (e, user, org)
            for c in (b2(I(user) + S(org)), b2(bytes(32) + I(user) + S(org))):
                assert c != cm, (e, user, org)

    # the same search does find the actor of an attributed entry, so it is
    # not vacuous: the reporter's own log-in
    login = [e for e in items if e["action"] == "login" and e["target"] == OP][-1]
    found = [(u, o) for u, o in cands
             if recompute(login, user=u, org=o).hex() == login["hash"]]
    assert found == [(login["actor_user"], OP)]

    # the salts never leave the hub
    text = "".join(raw_text(hub, t) for t in (nisc, hub.token("admin")))
    text += hub.api("GET", "/api/v1/audit/verify", token=nisc).text
    for (salt,) in db_rows(hub, "SELECT salt FROM audit_withheld"):
        assert salt.hex() not in text
    # the CLI opens every commitment and finds it matches
    out = hub.cli("audit", "verify").stdout
    assert f"withheld actors: {len(withheld)}," in out

    # on PostgreSQL the activity above went to two nodes in turn, and
    # their audit entries are one chain (checked above)
    served = hub.requests_served_per_node()
    assert len(served) == (2 if TEST_PG else 1) and min(served) > 10, served


def test_verify_detects_tampering_with_withheld_actors(fresh_demo_hub):
    hub = fresh_demo_hub
    rid, _ = anonymous_activity(hub)
    sec_aud = add_auditor(hub, SECRETARIAT, "sec-auditor")
    items, _ = entries(hub, tok(hub, "auditor"))
    seq = next(e["seq"] for e in items
               if e["actor_withheld"] and e["action"] == "report.file")
    hub.stop()

    def tampered(*sql):
        """Each statement: text, or (text, parameters)."""
        con = hubdb.connect(hub.db)
        for t, table in (("audit_no_update", "audit"),
                         ("audit_no_delete", "audit"),
                         ("audit_withheld_no_update", "audit_withheld"),
                         ("audit_withheld_no_delete", "audit_withheld")):
            hubdb.drop_trigger(con, t, table, if_exists=True)
        for stmt in sql:
            con.execute(*((stmt, ()) if isinstance(stmt, str) else stmt))
        con.commit()
        con.close()
        r = hub.cli("audit", "verify", check=False)
        return r.returncode, r.stdout

    # the opening names someone else: the commitment no longer matches
    rc, out = tampered(f"UPDATE audit_withheld SET actor_org = '{OTHER_OP}' WHERE seq = {seq}")
    assert rc == 3 and re.search(rf"changed entry {seq}\b", out), out
    rc, out = tampered(f"UPDATE audit_withheld SET actor_org = '{OP}' WHERE seq = {seq}")
    assert rc == 0, out
    # the commitment is swapped: the entry's hash no longer matches
    rc, out = tampered((f"UPDATE audit SET commitment = ? WHERE seq = {seq}",
                        (bytes(32),)))
    assert rc == 3 and re.search(rf"changed entry {seq}\b", out), out
    # the opening is removed
    rc, out = tampered(f"DELETE FROM audit_withheld WHERE seq = {seq}")
    assert rc == 3 and "withheld actor" in out, out
    # the server-side verification says so to a scoped auditor too, without
    # anything of the hidden entry
    hub.start()
    v = hub.api("GET", "/api/v1/audit/verify", token=sec_aud).json()
    assert v["ok"] is False
    assert {p["seq"] for p in v["problems"]} == {seq}
    assert_no_identity(json.dumps(v), "verify")


# ---- 2 and 3: who sees what ----

def test_audit_views_are_scoped_and_never_show_a_withheld_actor(fresh_demo_hub):
    hub = fresh_demo_hub
    hub.spread_over_two_nodes()  # on PostgreSQL: two nodes, one chain
    auditors = {org: add_auditor(hub, org, f"aud-{org}")
                for org in (SECRETARIAT, MINISTRY, OTHER_OP, OP)}
    rid, named = anonymous_activity(hub)
    op_users = {u for (u,) in db_rows(hub, "SELECT id FROM users WHERE org_id = ?", OP)}

    for org, t in auditors.items():
        items, scope = entries(hub, t)
        assert scope == "organisation"
        assert items, org
        text = json.dumps(items, ensure_ascii=False)
        for e in items:
            # its own organisation's entries only, and nothing to chain
            # with what it cannot see
            assert e["actor_org"] == org, (org, e)
            assert e["actor_withheld"] is False
            assert e["hash"] is None and e["prev_hash"] is None
            assert e["commitment"] is None
        # every entry of its own, in the chain's order, numbered 1..n among
        # them: the numbers count nothing of the others' entries in between
        assert [(e["action"], e["target"]) for e in items] == own_entries(hub, org)
        assert [e["seq"] for e in items] == list(range(1, len(items) + 1))
        # no one else's log-ins (with addresses), failed ones included
        assert all(e["action"] not in ("login.failed", "login.rate_limited")
                   for e in items)
        if org != OP:
            # no identity of the anonymous reporter, however it got there
            assert_no_identity(text, f"{org} auditor")
            assert not any(e["actor_user"] in op_users for e in items)
        if org == OTHER_OP:
            # nothing about the Red report it cannot read
            assert rid not in text, text
    # the secretariat sees its reads, its reveal with the reason, its forward
    sec, _ = entries(hub, auditors[SECRETARIAT])
    acts = {e["action"] for e in sec if mentions(e, rid)}
    assert acts >= {"report.read", "report.reveal", "report.forward"}
    reveal = [e for e in sec if e["action"] == "report.reveal"]
    assert reveal[-1]["detail"]["reason"] == REASON
    # the ministry: its own acts only
    fsa, _ = entries(hub, auditors[MINISTRY])
    assert {e["action"] for e in fsa if mentions(e, rid)} >= {"report.read",
                                                               "report.forward"}
    # the reporter's own auditor sees its own acts, anonymous ones included,
    # with their actor: it is its own organisation
    own, _ = entries(hub, auditors[OP])
    filed = [e for e in own if e["action"] == "report.file" and e["target"] == rid]
    assert len(filed) == 1 and filed[0]["actor_org"] == OP
    assert filed[0]["actor_user"] in op_users

    # NISC's auditor and the hub admin: everything, withheld actors withheld
    for t in (tok(hub, "auditor"), hub.token("admin")):
        items, scope = entries(hub, t)
        assert scope == "all"
        assert [e["seq"] for e in items] == list(range(1, len(items) + 1))
        about = [e for e in items if mentions(e, rid)]
        assert {e["action"] for e in about} >= {
            "report.file", "report.update", "report.read", "report.reveal",
            "report.forward"}
        for e in about:
            assert_no_identity(json.dumps(e, ensure_ascii=False), e["action"])
            if e["actor_withheld"]:
                assert e["actor_org"] is None and e["actor_user"] is None
            else:
                assert e["actor_org"] in (SECRETARIAT, MINISTRY), e
        logins = [e for e in items if e["action"] == "login"]
        assert any(e["actor_org"] == OP for e in logins)


def test_an_organisations_numbers_count_only_its_own_entries(fresh_demo_hub):
    """An organisation's auditor sees its entries numbered 1, 2, ... among
    its own. The chain's positions would tell it how many entries the
    others made between two of its own, and when: not its to know."""
    hub = fresh_demo_hub
    aud = add_auditor(hub, SECRETARIAT, "sec-auditor3")
    sec_user = "ceptoar-banking-secretariat"
    for _ in range(3):
        hub.login(sec_user)
    first, _ = entries(hub, aud)
    n = len(first)
    assert n >= 3 and [e["seq"] for e in first] == list(range(1, n + 1))
    # others act in between, then the secretariat once more
    for who in ("nisc-analyst", OP, "fsa-desk"):
        hub.login(who)
    hub.login(sec_user)
    again, _ = entries(hub, aud)
    assert again[:n] == first, "the same numbers for the same entries"
    assert [e["seq"] for e in again] == list(range(1, n + 2))
    assert again[n]["action"] == "login" and again[n]["target"] == sec_user
    # (in the chain, the others' three log-ins lie between the two)
    whole, _ = entries(hub, tok(hub, "auditor"))
    sec_logins = [i for i, e in enumerate(whole)
                  if e["action"] == "login" and e["target"] == sec_user]
    between = whole[sec_logins[-2] + 1:sec_logins[-1]]
    assert {e["target"] for e in between if e["action"] == "login"} >= {
        "nisc-analyst", OP, "fsa-desk"}
    # pages in its own numbers: after, before and next_after
    r = hub.api("GET", "/api/v1/audit", token=aud,
                params={"after": 1, "limit": 2}).json()
    assert [e["seq"] for e in r["items"]] == [2, 3] and r["next_after"] == 3
    assert r["items"] == again[1:3]
    r = hub.api("GET", "/api/v1/audit", token=aud,
                params={"before": n + 1, "limit": 2}).json()
    assert r["items"] == again[n - 2:n]
    r = hub.api("GET", "/api/v1/audit", token=aud,
                params={"after": n - 1, "before": n + 1, "limit": 5}).json()
    assert r["items"] == again[n - 1:n]
    # the UI's first page: the newest below a bound past the end
    r = hub.api("GET", "/api/v1/audit", token=aud,
                params={"before": 10**15, "limit": 2}).json()
    assert r["items"] == again[-2:]
    for after in (n + 1, 2**63 - 1):  # (no sum past the end overflows)
        r = hub.api("GET", "/api/v1/audit", token=aud,
                    params={"after": after, "limit": 5}).json()
        assert r["items"] == [] and r["next_after"] is None
    # a filter keeps the numbers (its log-ins, each with its own number)
    r = hub.api("GET", "/api/v1/audit", token=aud,
                params={"action": "login", "limit": 1000}).json()
    assert r["items"] == [e for e in again if e["action"] == "login"]
    # and the export says the same
    text = hub.api("GET", "/api/v1/audit/export", token=aud).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["seq"] for r in rows] == [str(e["seq"]) for e in again]


def test_scoped_auditor_cannot_link_a_login_to_a_withheld_act(fresh_demo_hub):
    """The reporter's log-in and its withheld act happen in the same second;
    an auditor outside NISC sees neither (another organisation's log-in is
    not its entry, and no withheld entry is shown outside the full view)."""
    hub = fresh_demo_hub
    hub.spread_over_two_nodes()  # on PostgreSQL: two nodes, one chain
    sec_aud = add_auditor(hub, SECRETARIAT, "sec-auditor2")
    rep = file_report(hub, range="amber", route="anonymous", title="timing")
    s = hub.login(OP)
    assert s.get(hub.url + f"/api/v1/reports/{rep['id']}", timeout=30).status_code == 200
    whole, _ = entries(hub, tok(hub, "auditor"))
    login = [e for e in whole if e["action"] == "login" and e["target"] == OP][-1]
    after = [e for e in whole if e["seq"] > login["seq"] and e["actor_withheld"]]
    assert after and after[0]["action"] == "report.read"    # the link exists
    items, _ = entries(hub, sec_aud)
    assert not any(e["action"] == "login" and e["target"] == OP for e in items)
    assert not any(e["actor_withheld"] or e["actor_org"] != SECRETARIAT
                   for e in items)
    # nor a place in the chain to put them by: its own entries only,
    # numbered 1..n, with no gap where the others' were
    assert [e["seq"] for e in items] == list(range(1, len(items) + 1))


# ---- 2: the reveal takes a reason ----

def test_reveal_requires_a_reason_and_audits_it(fresh_demo_hub):
    hub = fresh_demo_hub
    hub.spread_over_two_nodes()  # on PostgreSQL: two nodes, one chain
    rid = file_report(hub, range="amber", route="anonymous",
                      title="reveal reason")["id"]
    sec = tok(hub, "ceptoar-banking-secretariat")
    admin = hub.token("admin")

    def count():
        return len(entries(hub, admin)[0])

    n = count()
    url = f"/api/v1/reports/{rid}/reveal"
    assert_error(hub.api("POST", url, token=sec), 400, field="reason")
    assert_error(hub.api("POST", url, token=sec, json={}), 400, field="reason")
    for bad in ("", "   \n\t", "\u3000 \u3000", 42, None, ["x"], "x" * 501):
        assert_error(hub.api("POST", url, token=sec, json={"reason": bad}),
                     400, field="reason")
    assert_error(hub.api("POST", url, token=sec,
                         json={"reason": "ok", "extra": 1}), 400)
    assert count() == n                  # nothing revealed, nothing audited
    r = hub.api("POST", url, token=sec, json={"reason": "x" * 500})
    assert r.status_code == 200, r.text
    r = hub.api("POST", url, token=sec, json={"reason": REASON})
    assert r.status_code == 200 and r.json()["org"] == OP
    items, _ = entries(hub, admin)
    reveals = [e for e in items if e["action"] == "report.reveal"]
    assert [e["detail"]["reason"] for e in reveals] == ["x" * 500, REASON]
    assert all(e["actor_org"] == SECRETARIAT and e["target"] == rid
               for e in reveals)
    assert_no_identity(json.dumps(reveals, ensure_ascii=False), "reveal")


# ---- existing databases: migration 0005 keeps the old chain verifiable ----

MIGRATIONS = sorted((ROOT / "src" / "store" / "migrations").glob("*.sql"))


def migration_number(path):
    return int(path.name.split("_", 1)[0])


def drop_later_migrations(con, after):
    """Drops what the migrations numbered above after created (their
    tables, indexes and triggers, newest first, and the columns they
    added), so that the hub applies
    them again at its next start as it would to an old database."""
    for path in reversed(MIGRATIONS):
        if migration_number(path) <= after:
            continue
        sql = path.read_text(encoding="utf-8")
        for kind, name in reversed(re.findall(
                r"CREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX|TRIGGER)\s+"
                r"(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", sql, re.I)):
            con.execute(f"DROP {kind.upper()} IF EXISTS {name}")
        # and the columns they added to older tables
        for table, col in re.findall(
                r"ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)", sql, re.I):
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            if col in cols:
                con.execute(f"ALTER TABLE {table} DROP COLUMN {col}")


def to_version_1(hub):
    """Rewrites the stopped hub's database as a hub before migration 0005
    wrote it: schema 4, every entry version 1 with its actor in clear.
    Returns the rows (seq, actor_user, actor_org, hash) of the entries."""
    con = hubdb.connect(hub.db)
    drop_later_migrations(con, 5)
    for t in ("audit_no_update", "audit_no_delete",
              "audit_withheld_no_update", "audit_withheld_no_delete"):
        con.execute(f"DROP TRIGGER IF EXISTS {t}")
    w = {s: (u, o) for s, u, o in con.execute(
        "SELECT seq, actor_user, actor_org FROM audit_withheld")}
    rows = con.execute("SELECT seq, at, actor_user, actor_org, action, "
                       "target, detail FROM audit ORDER BY seq").fetchall()
    con.execute("DELETE FROM audit")
    con.execute("DROP TABLE audit_withheld")
    con.execute("DROP INDEX audit_actor_org")
    con.execute("ALTER TABLE audit DROP COLUMN version")
    con.execute("ALTER TABLE audit DROP COLUMN commitment")
    prev, out = bytes(32), []
    for seq, at, user, org, action, target, detail in rows:
        if seq in w:
            user, org = w[seq]
        h = hash_v1(prev, at, user or 0, org, action, target, detail)
        con.execute("INSERT INTO audit(seq, at, actor_user, actor_org, "
                    "action, target, detail, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (seq, at, user, org, action, target, detail, prev, h))
        out.append((seq, user, org, h))
        prev = h
    con.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'",
                (f"{rows[-1][0]}:{prev.hex()}",))
    con.execute("DELETE FROM meta WHERE key IN ('audit_v1_entries', "
                "'audit_bridge')")
    con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    con.execute("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    con.execute("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    con.commit()
    con.close()
    return out, set(w)


@pytest.mark.skipif(bool(TEST_PG), reason="rebuilds an SQLite database of schema 4 "
                    "from the SQLite migrations (PRAGMA, SQLite triggers); "
                    "PostgreSQL starts at its baseline 0033")
def test_migration_keeps_old_entries_verifiable_and_unguessable(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, range="red", route="anonymous", title="before 0005")
    rid = rep["id"]
    assert hub.api("GET", "/api/v1/reports", token=tok(hub, OP)).status_code == 200
    hub.stop()
    old, old_withheld = to_version_1(hub)
    assert old_withheld
    # before the migration, the old chain let a guess be tested: the true
    # reporter matches its entry's hash (what the published hash allowed)
    con = hubdb.connect(hub.db)
    seq = min(old_withheld)
    at, action, target, detail, prev, h = con.execute(
        "SELECT at, action, target, detail, prev_hash, hash FROM audit "
        "WHERE seq = ?", (seq,)).fetchone()
    con.close()
    users = db_rows(hub, "SELECT id, org_id FROM users")
    found = [(u, o) for u, o in users
             if hash_v1(prev, at, u, o, action, target, detail) == h]
    assert len(found) == 1 and found[0][1] == OP
    assert hub.cli("audit", "verify").returncode == 0

    hub.start()                                    # migration 0005 on
    assert db_rows(hub, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(migration_number(MIGRATIONS[-1])),)]
    nisc = tok(hub, "auditor")
    v = hub.api("GET", "/api/v1/audit/verify", token=nisc).json()
    assert v["ok"] is True, v
    # new entries: the reporter acts again (withheld, version 2)
    assert hub.api("GET", f"/api/v1/reports/{rid}", token=tok(hub, OP)).status_code == 200
    items, _ = entries(hub, nisc)
    v = hub.api("GET", "/api/v1/audit/verify", token=nisc).json()
    assert v["ok"] is True and v["entries"] == len(items), v
    first_new = next(e for e in items if e["version"] == 2)
    assert first_new["seq"] == old[-1][0] + 1
    for e in items:
        if e["version"] == 1:
            assert e["hash"] is None and e["prev_hash"] is None
            if e["seq"] in old_withheld:
                assert e["actor_withheld"] is True
                assert e["actor_org"] is None and e["actor_user"] is None
        else:
            assert recompute(e).hex() == e["hash"]
    assert any(e["actor_withheld"] and e["version"] == 2 for e in items)
    # no old hash is published anywhere, not even as the first new entry's
    # predecessor: even the right guess cannot be confirmed
    text = raw_text(hub, nisc) + raw_text(hub, hub.token("admin"))
    for _, _, _, oh in old:
        assert oh.hex() not in text
    assert first_new["prev_hash"] != old[-1][3].hex()
    hub.stop()
    assert hub.cli("audit", "verify").returncode == 0
    # tampering with an old entry is still detected
    (target,), = db_rows(hub, "SELECT target FROM audit WHERE seq = 2")
    con = hubdb.connect(hub.db)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("UPDATE audit SET target = 'x' WHERE seq = 2")
    con.commit()
    r = hub.cli("audit", "verify", check=False)
    assert r.returncode == 3 and re.search(r"changed entry 2\b", r.stdout)
    con.execute("UPDATE audit SET target = ? WHERE seq = 2", (target,))
    con.commit()
    assert hub.cli("audit", "verify").returncode == 0
    # and so is the link from the old entries to the new ones
    con.execute("DELETE FROM meta WHERE key = 'audit_bridge'")
    con.commit()
    con.close()
    r = hub.cli("audit", "verify", check=False)
    assert r.returncode == 3
    assert re.search(rf"reordered entry {first_new['seq']}\b", r.stdout), r.stdout
