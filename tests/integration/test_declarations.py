"""Large-scale outage mode (大規模IT障害発生時; DOMAIN.md §6a, docs/rules.md
"Large-scale outage mode"): NISC declares it for sectors or nationally;
while it is active, items in the covered sectors are in outage mode —
shorter acknowledgement and report deadlines, warnings of severity 3 on the
hotline (every contact of every recipient and each secretariat's emergency
contact), severity-3 reports passing reviewing hops at once — the hub
starts a roll call of the covered sectors, every view can show the mode,
and the reports and advisories are linked to the declaration's event.
Ending it brings the normal mode back. Declaring and ending are audited.

Real daemon, real webhook and SMTP receivers (test_provision_features's
harness)."""
import json
import os
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from conftest import BUILD, SANITIZER_MARKS, assert_error, wait_for
from receivers import SMTPReceiver, WebhookReceiver
from test_provision_features import base_flags, make_hub, staff

DECL = {"title_ja": "大規模IT障害（ガス）", "title_en": "Large-scale outage (gas)",
        "reason": "複数のガス事業者で制御系が停止 / control systems down"}


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def hook():
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def ohub(tmp_path, smtp, hook):
    """Two gas operators with a webhook and an e-mail contact each, a
    reporter at op-a, the gas secretariat's emergency contact; NISC,
    METI and the gas secretariat staffed, a NISC user without the analyst
    role; METI and the secretariat review with a 30-minute limit."""
    h = make_hub(tmp_path, base_flags(smtp))
    staff(h)
    h.add_user("nisc-reader", "nisc", "reader,liaison")
    for n in ("op-a", "op-b"):
        h.add_operator(n)
        h.add_contact(n, "webhook", hook.url(f"/hooks/{n}"), 1)
        h.add_contact(n, "email", f"{n}@op.example.jp", 2)
        h.add_user(f"{n}-liaison", n, "reader,liaison")
    h.add_user("op-a-rep", "op-a", "reader,reporter")
    h.add_contact("ceptoar-gas", "webhook", hook.url("/emergency/ceptoar-gas"),
                  5, emergency=True)
    h.start()
    h.set_policy("meti", "review", 30)
    h.set_policy("ceptoar-gas", "review", 30)
    yield h
    h.stop()


def declare(h, user="nisc-a", **over):
    body = dict(DECL)
    body.update(over)
    return h.call("POST", "/api/v1/declarations", user, json=body)


def active(h, user):
    return h.ok("GET", "/api/v1/declarations?active=1", user)


def file_report(h, **fields):
    body = {"title": "supply cut", "kind": "incident",
            "detected_at": now_iso(), "range": "red", "route": "direct",
            "impact": {"households": 40}}
    body.update(fields)
    r = h.call("POST", "/api/v1/reports", "op-a-rep", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def hits(hook, path, adv):
    return [m for m in hook.seen(path, True) if m.json.get("advisory") == adv]


def mails(smtp, address, adv):
    return [m for m in smtp.to(address) if m["X-Infrashare-Advisory"] == adv]


def t(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


def test_declare_then_end(ohub, hook, smtp):
    h = ohub
    # normal mode: a severity-3 warning is not on the hotline, 1 h to ack
    assert active(h, "op-a-liaison") == {"mode": "normal", "active": 0,
                                         "items": []}
    before = h.issue("nisc-a", kind="warning", severity=3)
    assert before["hotline"] is False and before["ack_deadline_min"] == 60

    r = declare(h, sectors=["gas"])
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["active"] is True and d["national"] is False
    assert d["sectors"] == ["gas"] and d["ended_at"] is None
    assert d["started_by"]["org"] == "nisc" and d["event"].startswith("E")
    # every signed-in reader sees the mode (the banner's source)
    for user in ("op-a-liaison", "gas-sec", "nisc-reader"):
        a = active(h, user)
        assert a["mode"] == "outage" and a["active"] == 1
        assert [i["id"] for i in a["items"]] == [d["id"]]
        # who declared it: the organisation to all, the user's id to its
        # own organisation's users only (found by an outside review)
        by = a["items"][0]["started_by"]
        assert by["org"] == "nisc"
        assert (by["user"] == d["started_by"]["user"]) == (
            user == "nisc-reader"), (user, by)
        if user != "nisc-reader":
            assert by["user"] is None

    # the roll call of the covered sectors started, on the hotline
    rc = h.advisory(d["rollcall"], "nisc-a")
    assert rc["kind"] == "warning" and rc["severity"] == 3
    assert rc["hotline"] is True and rc["audience"] == {"sectors": ["gas"]}
    assert rc["form"]["name"] == "roll_call"
    assert rc["ack_deadline_min"] == 30
    wait_for(lambda: all(hits(hook, f"/hooks/{n}", rc["id"])
                         for n in ("op-a", "op-b")),
             what="the roll call at both operators")
    # an operator answers it; NISC's board counts the answer
    r = h.call("POST", f"/api/v1/advisories/{rc['id']}/answers",
               "op-a-liaison", json={"answers": [
                   {"question": "affected", "value": "yes"},
                   {"question": "service_state", "value": "degraded"}]})
    assert r.status_code == 200, r.text
    board = h.ok("GET", f"/api/v1/advisories/{rc['id']}/answers", "nisc-a")
    assert board["totals"]["answered"] == 1
    assert board["totals"]["unanswered"] == 1

    # a severity-3 warning now takes the hotline: every contact at once,
    # the secretariat's emergency contact, no hop waits; half the deadline
    adv = h.issue("nisc-a", kind="warning", severity=3,
                  title_ja="点検を", title_en="Check now")
    assert adv["hotline"] is True and adv["ack_deadline_min"] == 30
    aid = adv["id"]
    wait_for(lambda: all(hits(hook, f"/hooks/{n}", aid) and
                         mails(smtp, f"{n}@op.example.jp", aid)
                         for n in ("op-a", "op-b")) and
             hits(hook, "/emergency/ceptoar-gas", aid),
             what="every channel of every recipient and the emergency one")
    chain = {x["org"]: x for x in h.advisory(aid, "nisc-a")["chain"]}
    assert chain["meti"]["how"] == "hotline"
    assert chain["ceptoar-gas"]["how"] == "hotline"
    assert sorted(j["reason"] for j in h.jobs(aid)) == \
        ["emergency"] + ["hotline"] * 4
    # deadlines shorten for every severity (1 day -> 12 h)
    low = h.issue("nisc-a", severity=1)
    assert low["hotline"] is False and low["ack_deadline_min"] == 720

    # a severity-3 report passes METI's review at once and reaches NISC;
    # its due times are halved (24 h -> 12 h, 72 h -> 36 h, 30 d -> 15 d)
    rep = file_report(h)
    assert rep["severity"]["computed"] == 3
    assert rep["current_hop"] is None and rep["reached_nisc"] is True
    dl, det = rep["deadlines"], t(rep["detected_at"])
    assert t(dl["first_notice_due"]) - det == timedelta(hours=12)
    assert t(dl["full_report_due"]) - det == timedelta(hours=36)
    assert t(dl["final_report_due"]) - det == timedelta(days=15)
    assert "linked" in [e["type"] for e in rep["timeline"]]

    # the declaration's event links them
    v = h.ok("GET", f"/api/v1/declarations/{d['id']}", "nisc-a")
    assert {a["id"] for a in v["advisories"]} == {rc["id"], aid, low["id"]}
    assert [x["id"] for x in v["reports"]] == [rep["id"]]
    assert v["counts"] == {"reports": 1, "advisories": 3}
    ev = h.ok("GET", f"/api/v1/events/{d['event']}", "nisc-a")
    assert [x["id"] for x in ev["reports"]] == [rep["id"]]
    # the range rule: op-b may not read op-a's Red report, and sees no
    # trace of it, not even a count
    vb = h.ok("GET", f"/api/v1/declarations/{d['id']}", "op-b-liaison")
    assert vb["reports"] == [] and vb["counts"]["reports"] == 0
    assert h.ok("GET", f"/api/v1/declarations/{d['id']}",
                "op-a-rep")["counts"]["reports"] == 1

    # end: normal again
    r = h.call("POST", f"/api/v1/declarations/{d['id']}/end", "nisc-a")
    assert r.status_code == 200, r.text
    e = r.json()
    assert e["active"] is False and e["ended_by"]["org"] == "nisc"
    assert e["ended_at"] is not None
    assert active(h, "op-a-liaison")["mode"] == "normal"
    listed = h.ok("GET", "/api/v1/declarations", "op-a-liaison")
    assert listed["mode"] == "normal"
    assert [(i["id"], i["active"]) for i in listed["items"]] == \
        [(d["id"], False)]
    after = h.issue("nisc-a", kind="warning", severity=3)
    assert after["hotline"] is False and after["ack_deadline_min"] == 60
    rep2 = file_report(h)
    assert rep2["current_hop"] == "meti" and rep2["reached_nisc"] is False
    dl2, det2 = rep2["deadlines"], t(rep2["detected_at"])
    assert t(dl2["first_notice_due"]) - det2 == timedelta(hours=24)
    v = h.ok("GET", f"/api/v1/declarations/{d['id']}", "nisc-a")
    assert v["counts"] == {"reports": 1, "advisories": 3}
    # ending twice: 409, nothing changed
    assert_error(h.call("POST", f"/api/v1/declarations/{d['id']}/end",
                        "nisc-a"), 409, "already_ended")

    # audited, with who did it
    decl = h.audit("declaration.declare")
    assert [x["target"] for x in decl] == [d["id"]]
    assert decl[0]["detail"]["sectors"] == ["gas"]
    assert decl[0]["actor_org"] == "nisc" and decl[0]["actor_user"]
    ends = h.audit("declaration.end")
    assert [x["target"] for x in ends] == [d["id"]] and ends[0]["actor_org"] == "nisc"


def test_national_declaration_covers_every_sector(ohub):
    h = ohub
    h.add_operator("op-w", scope="water", ceptoars=())
    r = declare(h, national=True)
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["national"] is True and d["sectors"] == []
    assert h.advisory(d["rollcall"], "nisc-a")["audience"] == {"all": True}
    adv = h.issue("nisc-a", kind="warning", severity=3,
                  audience={"orgs": ["op-w"]})
    assert adv["hotline"] is True and adv["ack_deadline_min"] == 30


def test_sector_declaration_leaves_other_sectors_normal(ohub):
    h = ohub
    h.add_operator("op-w", scope="water", ceptoars=())
    assert declare(h, sectors=["water"]).status_code == 201
    gas = h.issue("nisc-a", kind="warning", severity=3)
    assert gas["hotline"] is False and gas["ack_deadline_min"] == 60
    rep = file_report(h)
    assert rep["current_hop"] == "meti"
    water = h.issue("nisc-a", kind="warning", severity=3,
                    audience={"orgs": ["op-w"]})
    assert water["hotline"] is True


def test_declaring_bad_input_changes_nothing(ohub):
    h = ohub

    def state():
        return (h.ok("GET", "/api/v1/declarations", "nisc-a"),
                h.ok("GET", "/api/v1/advisories", "nisc-a")["items"],
                h.audit("declaration.declare"), h.audit("event.create"))

    s0 = state()
    # without the role: a NISC user who is no analyst (the route's role),
    # a ministry analyst (NISC declares)
    assert_error(declare(h, "nisc-reader", sectors=["gas"]), 403)
    assert_error(declare(h, "meti-a", sectors=["gas"]), 403, "forbidden")
    assert_error(declare(h, "gas-sec", national=True), 403, "forbidden")
    assert_error(declare(h, sectors=["no-such-sector"]), 400,
                 "invalid_value", "sectors")
    assert_error(declare(h, sectors=["gas", "gas"]), 400, "invalid_value",
                 "sectors")
    assert_error(declare(h, national=True, sectors=["gas"]), 400,
                 "invalid_value", "sectors")
    assert_error(declare(h), 400, "missing_field", "sectors")
    assert_error(declare(h, national="yes"), 400, None, "national")
    assert_error(declare(h, sectors="gas"), 400, None, "sectors")
    assert_error(declare(h, colour="red", sectors=["gas"]), 400, None,
                 "colour")
    body = dict(DECL, sectors=["gas"])
    del body["title_en"]
    assert_error(h.call("POST", "/api/v1/declarations", "nisc-a", json=body),
                 400, None, "title_en")
    assert_error(declare(h, reason="x" * 2001, sectors=["gas"]), 400, None,
                 "reason")
    assert_error(h.call("GET", "/api/v1/declarations?active=maybe",
                        "nisc-a"), 400, "invalid_value", "active")
    assert_error(h.get("/api/v1/declarations"), 401)
    assert state() == s0
    assert s0[0]["items"] == [] and s0[2] == []

    d = declare(h, sectors=["gas"]).json()
    s1 = state()
    for user in ("nisc-reader", "meti-a"):
        assert_error(h.call("POST", f"/api/v1/declarations/{d['id']}/end",
                            user), 403)
    assert_error(h.call("POST", "/api/v1/declarations/Dnosuch/end",
                        "nisc-a"), 404, "not_found")
    assert_error(h.call("GET", "/api/v1/declarations/Dnosuch", "nisc-a"),
                 404, "not_found")
    assert state() == s1
    assert active(h, "nisc-a")["active"] == 1
    assert h.audit("declaration.end") == []


def client(h, user, *args):
    cmd = [str(BUILD / "infrashare"), *map(str, args), "--url", h.url,
           "--token", h.tok(user)]
    env = {k: v for k, v in os.environ.items()
           if k not in ("INFRASHARE_URL", "INFRASHARE_TOKEN")}
    r = subprocess.run(cmd, capture_output=True, text=True, env=env,
                       timeout=60)
    for mark in SANITIZER_MARKS:
        assert mark not in r.stderr, r.stderr
    return r


def test_cli_declarations_list_declare_end(ohub):
    h = ohub
    r = client(h, "op-a-liaison", "declarations", "list", "--active")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["mode: normal (平時)"]
    # without the role: exit 1 with the API's error, nothing declared
    r = client(h, "meti-a", "declarations", "declare", "--title-ja", "宣言",
               "--title-en", "Declared", "--reason", "test", "--sectors",
               "gas")
    assert r.returncode == 1 and "HTTP 403 forbidden" in r.stderr
    r = client(h, "nisc-a", "declarations", "declare", "--title-ja", "宣言",
               "--title-en", "Declared", "--reason", "test", "--sectors",
               "gas,water")
    assert r.returncode == 0, r.stderr
    did = r.stdout.split()[0]
    assert r.stdout.split()[1:4] == ["active", "gas,water", "宣言"]
    r = client(h, "op-a-liaison", "declarations", "list", "--active")
    assert r.stdout.splitlines()[0] == "mode: outage (大規模IT障害発生時)"
    assert r.stdout.splitlines()[1].split()[:2] == [did, "active"]
    r = client(h, "op-a-liaison", "declarations", "show", did, "--json")
    assert json.loads(r.stdout)["sectors"] == ["gas", "water"]
    r = client(h, "nisc-a", "declarations", "end", did)
    assert r.returncode == 0 and r.stdout.split()[:2] == [did, "ended"]
    r = client(h, "nisc-a", "declarations", "end", did)
    assert r.returncode == 1 and "HTTP 409 already_ended" in r.stderr
    r = client(h, "nisc-a", "declarations", "declare", "--title-ja", "x",
               "--title-en", "x", "--reason", "x")
    assert r.returncode == 1 and "HTTP 400 missing_field" in r.stderr
    r = client(h, "nisc-a", "declarations", "frobnicate")
    assert r.returncode == 2 and "declarations list" in r.stderr
    assert h.ok("GET", "/api/v1/declarations", "nisc-a")["active"] == 0


def test_serious_reports_waiting_move_on_when_declared(ohub):
    """A severity-3 report waiting for METI's review (30 min) when the
    declaration is made moves on at the worker's next pass; a severity-1
    one keeps waiting."""
    h = ohub
    serious = file_report(h)
    minor = file_report(h, kind="precursor", impact={})
    assert serious["severity"]["computed"] == 3
    assert minor["severity"]["computed"] < 3
    assert serious["current_hop"] == minor["current_hop"] == "meti"
    h.wait_ticks(2)
    assert h.ok("GET", f"/api/v1/reports/{serious['id']}",
                "op-a-rep")["current_hop"] == "meti"
    d = declare(h, sectors=["gas"]).json()

    def moved():
        v = h.ok("GET", f"/api/v1/reports/{serious['id']}", "op-a-rep")
        return v if v["reached_nisc"] else None
    v = wait_for(moved, what="the waiting serious report to reach NISC")
    auto = [e for e in v["timeline"] if e["type"] == "auto_forwarded"]
    assert [e["org"] for e in auto] == ["meti"]
    assert auto[0]["detail"] == {"reason": "large-scale outage mode",
                                 "declaration": d["id"]}
    assert "hop_notified" not in [e["type"] for e in v["timeline"]]
    h.wait_ticks(2)
    assert h.ok("GET", f"/api/v1/reports/{minor['id']}",
                "op-a-rep")["current_hop"] == "meti"


def test_reading_a_declaration_audits_its_reports_as_a_list_page(ohub):
    """The Red and Amber reports a declaration shows are audited as a list
    page's are: one attributed declaration.read entry per read naming
    them, the reader's own only when others of its place read them too,
    and never a withheld entry. So an anonymous Amber report is named for
    its reporter as for its fellow member; a per-report withheld entry
    for the reporter beside its attributed ones named it by their place
    in the chain (docs/rules.md "Audit and anonymity")."""
    h = ohub
    h.add_crowd(3)
    h.add_user("op-b-rep", "op-b", "reader,reporter")
    d = declare(h, sectors=["gas"]).json()
    anon = file_report(h, range="amber", route="anonymous",
                       title="anonymous amber", impact={})
    r = h.call("POST", "/api/v1/reports", "op-b-rep", json={
        "title": "named amber", "kind": "incident",
        "detected_at": now_iso(), "range": "amber", "route": "via_ceptoar"})
    assert r.status_code == 201, r.text
    named = r.json()
    start = max(e["seq"] for e in h.audit())
    for user in ("op-a-liaison", "op-b-liaison"):
        v = h.ok("GET", f"/api/v1/declarations/{d['id']}", user)
        assert {x["id"] for x in v["reports"]} == {anon["id"], named["id"]}
    entries = [e for e in h.audit("declaration.read") if e["seq"] > start]
    assert [(e["actor_org"], e.get("actor_withheld", False),
             sorted(e["detail"]["reports"]),
             e["detail"]["declaration"]) for e in entries] == [
        (org, False, sorted([anon["id"], named["id"]]), d["id"])
        for org in ("op-a", "op-b")]
    assert not [e for e in h.audit() if e["seq"] > start and
                e.get("actor_withheld")]
