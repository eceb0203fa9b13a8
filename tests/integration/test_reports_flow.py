"""情報連絡 end to end: a report filed by a demo operator through each route
reaches NISC through the right hops, with the right identities shown
(DOMAIN.md §3, §4; service/reporting.h).

Chains (reporting.h):
  direct       op -> ministry -> NISC
  via_ceptoar  op -> secretariat -> ministry -> NISC
  anonymous    as via_ceptoar, identity withheld after the secretariat
  via_agency   op -> agency -> NISC
"""
import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

from conftest import DATA, assert_error, wait_for

OP = "op-banking-0001"
OP_NAMES = ("op-banking-0001", "デモ銀行0001", "Demo Bank 0001")


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def tok(hub, user):
    cache = hub.__dict__.setdefault("_rep_tokens", {})
    if user not in cache:
        cache[user] = hub.token(user, name="rep-flow")
    return cache[user]


def file_report(hub, user=OP, **fields):
    body = {"title": "flow test report", "kind": "incident",
            "detected_at": now_iso(), "range": "green", "route": "direct"}
    body.update(fields)
    r = hub.api("POST", "/api/v1/reports", token=tok(hub, user), json=body)
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == f"/api/v1/reports/{r.json()['id']}"
    return r.json()


def read(hub, user, rid):
    return hub.api("GET", f"/api/v1/reports/{rid}", token=tok(hub, user))


def read_ok(hub, user, rid):
    r = read(hub, user, rid)
    assert r.status_code == 200, (user, r.text)
    return r.json()


def forward(hub, user, rid, **body):
    return hub.api("POST", f"/api/v1/reports/{rid}/forward",
                   token=tok(hub, user), json=body)


def forward_ok(hub, user, rid, **body):
    r = forward(hub, user, rid, **body)
    assert r.status_code == 200, (user, r.text)
    return r.json()


def arrived(view):
    return [e["org"] for e in view["timeline"] if e["type"] == "arrived"]


def chain(view):
    return [(h["org"], h["reached"], h["current"]) for h in view["chain"]]


def check_arrival_times(view):
    times = [e["at"] for e in view["timeline"] if e["type"] == "arrived"]
    for t in times:
        datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ")
    assert times == sorted(times)


def registry_names():
    """The anonymous label's parts, read independently from data/."""
    nat = json.loads((DATA / "registry" / "10-national.json").read_text())
    cep = json.loads((DATA / "registry" / "20-ceptoars.json").read_text())
    scope = next(s for s in nat["scopes"] if s["id"] == "banking")
    org = next(o for o in cep["organisations"] if o["id"] == "ceptoar-banking")
    return scope, org


# ---- direct ----

def test_direct_route_reaches_nisc_through_the_ministry(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, range="red", route="direct", title="direct red")
    rid = rep["id"]
    assert rep["route"] == "direct"
    assert rep["current_hop"] == "fsa"
    assert rep["reached_nisc"] is False
    assert chain(rep) == [("fsa", True, True), ("nisc", False, False)]
    assert arrived(rep) == ["fsa"]
    # Red: NISC has not been reached, so it cannot read it yet
    assert_error(read(hub, "nisc-analyst", rid), 404, "not_found")
    fsa_view = read_ok(hub, "fsa-desk", rid)
    assert fsa_view["reporter"]["org"] == OP
    # forwarding by an organisation that cannot read it: as if it did not
    # exist; by a reader that is not the current hop: 409
    assert_error(forward(hub, "nisc-analyst", rid), 404, "not_found")
    assert_error(forward(hub, "op-banking-0002", rid), 404, "not_found")
    assert_error(forward(hub, "meti-desk", rid), 404, "not_found")
    view = forward_ok(hub, "fsa-desk", rid, note="checked by FSA")
    assert view["current_hop"] is None
    assert view["reached_nisc"] is True
    assert chain(view) == [("fsa", True, False), ("nisc", True, False)]
    nisc_view = read_ok(hub, "nisc-analyst", rid)
    assert nisc_view["reporter"]["org"] == OP
    assert nisc_view["reporter"]["name"]["ja"] == "デモ銀行0001"
    assert arrived(nisc_view) == ["fsa", "nisc"]
    check_arrival_times(nisc_view)
    fw = [e for e in nisc_view["timeline"] if e["type"] == "forwarded"]
    assert len(fw) == 1 and fw[0]["org"] == "fsa"
    assert fw[0]["detail"]["note"] == "checked by FSA"
    # the end of the chain: nobody forwards further
    assert_error(forward(hub, "fsa-desk", rid), 409, "not_current_hop")
    assert_error(forward(hub, "nisc-analyst", rid), 409, "not_current_hop")


# ---- via_ceptoar ----

def test_via_ceptoar_route_passes_secretariat_then_ministry(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, range="amber", route="via_ceptoar",
                      title="via ceptoar amber")
    rid = rep["id"]
    assert rep["current_hop"] == "ceptoar-banking"
    assert chain(rep) == [("ceptoar-banking", True, True),
                          ("fsa", False, False), ("nisc", False, False)]
    # Amber: a member of the same CEPTOAR reads it but is not a hop
    peer = read_ok(hub, "op-banking-0002", rid)
    assert peer["reporter"]["org"] == OP
    assert_error(forward(hub, "op-banking-0002", rid), 409, "not_current_hop")
    # the ministry has not been reached yet
    assert_error(read(hub, "fsa-desk", rid), 404, "not_found")
    assert_error(forward(hub, "fsa-desk", rid), 404, "not_found")
    assert_error(read(hub, "op-securities-0001", rid), 404, "not_found")

    sec_view = read_ok(hub, "ceptoar-banking-secretariat", rid)
    assert sec_view["reporter"]["org"] == OP
    v = forward_ok(hub, "ceptoar-banking-secretariat", rid)
    assert v["current_hop"] == "fsa"
    assert chain(v) == [("ceptoar-banking", True, False),
                        ("fsa", True, True), ("nisc", False, False)]
    assert_error(forward(hub, "ceptoar-banking-secretariat", rid), 409,
                 "not_current_hop")
    assert_error(forward(hub, "nisc-analyst", rid), 404, "not_found")
    assert read_ok(hub, "fsa-desk", rid)["reporter"]["org"] == OP
    v = forward_ok(hub, "fsa-desk", rid)
    assert v["current_hop"] is None and v["reached_nisc"] is True
    nisc_view = read_ok(hub, "nisc-analyst", rid)
    assert nisc_view["reporter"]["org"] == OP
    assert arrived(nisc_view) == ["ceptoar-banking", "fsa", "nisc"]
    check_arrival_times(nisc_view)
    assert [e["org"] for e in nisc_view["timeline"]
            if e["type"] == "forwarded"] == ["ceptoar-banking", "fsa"]
    assert chain(nisc_view) == [("ceptoar-banking", True, False),
                                ("fsa", True, False), ("nisc", True, False)]


# ---- anonymous ----

def all_pages(hub, user, **params):
    items, cursor = [], None
    while True:
        p = dict(params, limit=2)
        if cursor:
            p["cursor"] = cursor
        r = hub.api("GET", "/api/v1/reports", token=tok(hub, user), params=p)
        assert r.status_code == 200, r.text
        items.append(r.text)
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items


def audit_items(hub, user="auditor"):
    out, after = [], 0
    while True:
        r = hub.api("GET", "/api/v1/audit", token=tok(hub, user),
                    params={"after": after, "limit": 1000})
        assert r.status_code == 200, r.text
        out.extend(r.json()["items"])
        if r.json()["next_after"] is None:
            return out
        after = r.json()["next_after"]


def assert_no_identity(text, where):
    for name in OP_NAMES:
        assert name not in text, (where, name, text[:2000])


def test_anonymous_route_withholds_identity_after_the_secretariat(
        fresh_demo_hub):
    hub = fresh_demo_hub
    scope, cep = registry_names()
    label_en = f"an operator in {scope['name_en']} (via {cep['name_en']})"
    label_ja = f"{scope['name_ja']}の事業者（{cep['name_ja']}経由）"

    rep = file_report(hub, range="red", route="anonymous",
                      title="anonymous red zebracrossing")
    rid = rep["id"]
    # the reporter sees its own identity
    assert rep["reporter"]["org"] == OP
    assert rep["reporter"]["anonymous"] is True
    assert rep["current_hop"] == "ceptoar-banking"
    # the reporter checks its own list (an audited list of a Red report)
    assert rid in "".join(all_pages(hub, OP))

    # the secretariat reads the label; the identity only through reveal
    sec = read(hub, "ceptoar-banking-secretariat", rid)
    assert sec.status_code == 200
    assert sec.json()["reporter"]["withheld"] is True
    assert sec.json()["reporter"]["revealable"] is True
    assert sec.json()["reporter"]["label"] == {"en": label_en, "ja": label_ja}
    assert_no_identity(sec.text, "secretariat read")
    # only the secretariat (not a hop that merely reads) may reveal
    before = [e for e in audit_items(hub) if e["action"] == "report.reveal"]
    r = hub.api("POST", f"/api/v1/reports/{rid}/reveal",
                token=tok(hub, "ceptoar-banking-secretariat"),
                json={"reason": "same attack seen at two members"})
    assert r.status_code == 200, r.text
    assert r.json()["org"] == OP
    assert r.json()["name"]["ja"] == "デモ銀行0001"
    assert r.json()["audited"] == "report.reveal"
    reveals = [e for e in audit_items(hub) if e["action"] == "report.reveal"]
    assert len(reveals) == len(before) + 1
    assert reveals[-1]["target"] == rid
    assert reveals[-1]["actor_org"] == "ceptoar-banking"
    assert reveals[-1]["detail"]["reason"] == "same attack seen at two members"

    # forward to the ministry, then NISC
    forward_ok(hub, "ceptoar-banking-secretariat", rid)
    assert_error(hub.api("POST", f"/api/v1/reports/{rid}/reveal",
                         token=tok(hub, "fsa-desk"), json={"reason": "why"}),
                 403, "forbidden")
    forward_ok(hub, "fsa-desk", rid)
    assert_error(hub.api("POST", f"/api/v1/reports/{rid}/reveal",
                         token=tok(hub, "nisc-analyst"), json={"reason": "why"}),
                 403, "forbidden")

    # NISC links it into an event
    r = hub.api("POST", "/api/v1/events", token=tok(hub, "nisc-analyst"),
                json={"title_ja": "匿名テスト", "title_en": "anon test",
                      "reports": [rid]})
    assert r.status_code == 201, r.text
    eid = r.json()["id"]

    for user in ("fsa-desk", "nisc-analyst"):
        view = read(hub, user, rid)
        assert view.status_code == 200
        rp = view.json()["reporter"]
        assert rp["withheld"] is True and rp["revealable"] is False
        assert rp["label"]["en"] == label_en
        assert rp["label"]["ja"] == label_ja
        assert "org" not in rp and "name" not in rp
        assert_no_identity(view.text, f"{user} read")
        filed = [e for e in view.json()["timeline"] if e["type"] == "filed"]
        assert filed[0]["org"] is None and filed[0]["by"] == "reporter"
        pages = all_pages(hub, user)
        assert rid in "".join(pages)
        for page in pages:
            assert_no_identity(page, f"{user} list")
        q = hub.api("GET", "/api/v1/reports", token=tok(hub, user),
                    params={"q": "zebracrossing"})
        assert [i["id"] for i in q.json()["items"]] == [rid]
        assert_no_identity(q.text, f"{user} search")
        c = hub.api("GET", "/api/v1/reports/counts", token=tok(hub, user))
        assert c.status_code == 200 and c.json()["total"] >= 1
        assert_no_identity(c.text, f"{user} counts")
        ex = hub.api("GET", "/api/v1/reports/export", token=tok(hub, user))
        assert ex.status_code == 200
        rows = list(csv.DictReader(io.StringIO(ex.text)))
        mine = [row for row in rows if row["id"] == rid]
        assert len(mine) == 1 and mine[0]["reporter"] == label_en
        assert_no_identity(ex.text, f"{user} export")
        ev = hub.api("GET", f"/api/v1/events/{eid}", token=tok(hub, user))
        assert ev.status_code == 200, ev.text
        assert [i["id"] for i in ev.json()["reports"]] == [rid]
        assert_no_identity(ev.text, f"{user} event")
        evs = hub.api("GET", "/api/v1/events", token=tok(hub, user))
        assert evs.status_code == 200
        assert_no_identity(evs.text, f"{user} events")

    # the audit view: the filing is there without its actor, and no entry
    # about this report names the reporting organisation
    items = audit_items(hub)
    filed = [e for e in items if e["action"] == "report.file"
             and e["target"] == rid]
    assert len(filed) == 1
    assert filed[0]["actor_org"] is None
    assert filed[0]["actor_withheld"] is True
    about = [e for e in items if e.get("target") == rid]
    assert {e["action"] for e in about} >= {"report.file", "report.read",
                                            "report.reveal", "report.forward",
                                            "event.link"}
    for e in about:
        assert_no_identity(json.dumps(e, ensure_ascii=False),
                           f"audit {e['action']}")


def test_audit_of_lists_and_exports_never_names_an_anonymous_reporter(
        fresh_demo_hub):
    """DOMAIN.md §3, §8a: the anonymity holds in every audit view. A Red
    anonymous report is readable only by its originator and its chain, so
    an audit entry "op-banking-0001 listed/exported [that report]" names
    the reporter to the auditor just as the report.file entry would; and a
    withheld entry written by the same list request beside the attributed
    one would be linked to it by its time and place in the chain. So a
    page's entry names the others' Red/Amber reports it showed and, of
    the reader's own, only those others of its place read too (not this
    Red one), and a page writes no withheld entry (docs/rules.md "Audit
    and anonymity")."""
    hub = fresh_demo_hub
    other = file_report(hub, user="op-banking-0002", range="amber",
                        route="via_ceptoar", title="amber of another bank")
    rep = file_report(hub, range="red", route="anonymous",
                      title="anonymous red audit")
    rid = rep["id"]
    start = max(e["seq"] for e in audit_items(hub))
    pages = "".join(all_pages(hub, OP))
    assert rid in pages and other["id"] in pages
    ex = hub.api("GET", "/api/v1/reports/export", token=tok(hub, OP))
    assert ex.status_code == 200 and rid in ex.text and other["id"] in ex.text
    assert read(hub, OP, rid).status_code == 200
    items = audit_items(hub)
    shown = [e for e in items if e["seq"] > start and
             e["action"] in ("report.list", "report.export")]
    # the pages were audited, by name, and never by a withheld entry
    assert {e["action"] for e in shown} == {"report.list", "report.export"}
    assert all(e["actor_org"] == OP and not e.get("actor_withheld")
               for e in shown), shown
    assert {e["action"] for e in shown
            if other["id"] in e["detail"]["reports"]} == {
                "report.list", "report.export"}
    assert not [e for e in shown if rid in json.dumps(e["detail"])]
    about = [e for e in items
             if e.get("target") == rid or rid in json.dumps(e["detail"])]
    assert {e["action"] for e in about} >= {"report.file", "report.read"}
    for e in about:
        assert_no_identity(json.dumps(e, ensure_ascii=False),
                           f"audit {e['action']}")


# ---- via_agency ----


def test_an_anonymous_amber_report_is_named_in_every_members_page_entry(
        fresh_demo_hub):
    """A list page's audit entry names an anonymous Amber report for its
    reporter exactly as for each fellow member who lists it: left out of
    the reporter's entry alone, its absence named the reporter to NISC's
    auditors (found by an outside review). An anonymous Red report, which
    no other operator reads, is in no operator's entry."""
    hub = fresh_demo_hub
    members = ["op-gas-0002", "op-gas-0003", "op-gas-0004"]
    anon = file_report(hub, user="op-gas-0003", range="amber",
                       route="anonymous", title="anonymous amber")["id"]
    named = file_report(hub, user="op-gas-0001", range="amber",
                        route="via_ceptoar", title="named amber")["id"]
    red = file_report(hub, user="op-gas-0003", range="red",
                      route="anonymous", title="anonymous red")["id"]
    start = max(e["seq"] for e in audit_items(hub))
    seen = {}
    for m in members:
        pages = "".join(all_pages(hub, m))
        ex = hub.api("GET", "/api/v1/reports/export", token=tok(hub, m))
        assert ex.status_code == 200, ex.text
        seen[m] = {x for x in (anon, named, red) if x in pages}
        assert seen[m] == {x for x in (anon, named, red) if x in ex.text}
    # what each lists: both Amber reports; the Red one only its reporter
    assert seen == {"op-gas-0002": {anon, named},
                    "op-gas-0003": {anon, named, red},
                    "op-gas-0004": {anon, named}}
    named_in = {}
    for e in audit_items(hub):
        if e["seq"] > start and e["action"] in ("report.list",
                                                "report.export"):
            assert not e.get("actor_withheld"), e
            ids = set(e["detail"]["reports"]) & {anon, named, red}
            named_in.setdefault((e["actor_org"], e["action"]), set()).update(
                ids)
    for m in members:
        for action in ("report.list", "report.export"):
            assert named_in[(m, action)] == {anon, named}, (m, action)

def test_via_agency_route_goes_agency_then_nisc(fresh_demo_hub):
    hub = fresh_demo_hub
    assert_error(hub.api("POST", "/api/v1/reports", token=tok(hub, OP),
                         json={"title": "x", "kind": "incident",
                               "detected_at": now_iso(), "range": "red",
                               "route": "via_agency"}),
                 400, "missing_field", "via_agency")
    rep = file_report(hub, range="red", route="via_agency",
                      via_agency="jpcert", title="via agency red")
    rid = rep["id"]
    assert rep["current_hop"] == "jpcert"
    assert chain(rep) == [("jpcert", True, True), ("nisc", False, False)]
    assert read_ok(hub, "jpcert-desk", rid)["reporter"]["org"] == OP
    # not in this chain: the ministry, another agency
    assert_error(read(hub, "fsa-desk", rid), 404, "not_found")
    assert_error(read(hub, "ipa-desk", rid), 404, "not_found")
    assert_error(read(hub, "nisc-analyst", rid), 404, "not_found")
    assert_error(forward(hub, "nisc-analyst", rid), 404, "not_found")
    v = forward_ok(hub, "jpcert-desk", rid)
    assert v["current_hop"] is None and v["reached_nisc"] is True
    nisc_view = read_ok(hub, "nisc-analyst", rid)
    assert nisc_view["reporter"]["org"] == OP
    assert arrived(nisc_view) == ["jpcert", "nisc"]
    check_arrival_times(nisc_view)
    assert chain(nisc_view) == [("jpcert", True, False), ("nisc", True, False)]
    # the ministry is never a hop of this route
    assert_error(read(hub, "fsa-desk", rid), 404, "not_found")
    assert_error(forward(hub, "jpcert-desk", rid), 409, "not_current_hop")


# ---- notes and questions ----

def test_notes_and_questions_by_reached_hops(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, range="green", route="via_ceptoar",
                      title="question me")
    rid = rep["id"]
    sec = tok(hub, "ceptoar-banking-secretariat")
    r = hub.api("POST", f"/api/v1/reports/{rid}/notes", token=sec,
                json={"text": "looked at it"})
    assert r.status_code == 201, r.text
    assert "question" not in r.json()
    r = hub.api("POST", f"/api/v1/reports/{rid}/notes", token=sec,
                json={"text": "which branch?", "question": True})
    assert r.status_code == 201, r.text
    assert r.json()["question"] == 1
    r = hub.api("POST", f"/api/v1/reports/{rid}/notes", token=sec,
                json={"text": "since when?", "question": True})
    assert r.json()["question"] == 2
    # fsa can read a Green report but has not been reached: no notes
    assert_error(hub.api("POST", f"/api/v1/reports/{rid}/notes",
                         token=tok(hub, "fsa-desk"),
                         json={"text": "hello", "question": True}),
                 403, "forbidden")
    view = read_ok(hub, OP, rid)
    qs = [e for e in view["timeline"] if e["type"] == "question"]
    assert [q["detail"]["number"] for q in qs] == [1, 2]
    assert qs[0]["detail"]["text"] == "which branch?"
    assert [e["detail"]["text"] for e in view["timeline"]
            if e["type"] == "note"] == ["looked at it"]
    n_updates = len(view["updates"])
    # the reporter answers question 1
    r = hub.api("POST", f"/api/v1/reports/{rid}/updates", token=tok(hub, OP),
                json={"kind": "answer", "question": 1,
                      "text": "the main branch"})
    assert r.status_code == 201, r.text
    assert r.json()["updates"][-1]["kind"] == "answer"
    assert r.json()["updates"][-1]["body"]["question"] == 1
    assert [e for e in r.json()["timeline"] if e["type"] == "answer"]
    # a question never asked
    assert_error(hub.api("POST", f"/api/v1/reports/{rid}/updates",
                         token=tok(hub, OP),
                         json={"kind": "answer", "question": 99,
                               "text": "?"}),
                 400, "invalid_value", "question")
    assert len(read_ok(hub, OP, rid)["updates"]) == n_updates + 1
    # the secretariat sees the answer in the timeline
    sv = read_ok(hub, "ceptoar-banking-secretariat", rid)
    assert [e for e in sv["timeline"] if e["type"] == "answer"]


# ---- narrowing on forward ----

def test_narrowing_on_forward_is_applied_and_visible(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, range="green", route="via_ceptoar",
                      title="narrow me")
    rid = rep["id"]
    assert read(hub, "op-securities-0001", rid).status_code == 200
    assert_error(forward(hub, "ceptoar-banking-secretariat", rid,
                         range="white"), 400, "range_widening", "range")
    assert read_ok(hub, OP, rid)["current_hop"] == "ceptoar-banking"
    v = forward_ok(hub, "ceptoar-banking-secretariat", rid, range="amber")
    assert v["range"] == "amber"
    assert v["tlp"] == "TLP:AMBER+STRICT"
    assert v["current_hop"] == "fsa"
    fw = [e for e in v["timeline"] if e["type"] == "forwarded"]
    assert fw[0]["detail"]["range_from"] == "green"
    assert fw[0]["detail"]["range_to"] == "amber"
    # no longer readable outside the banking CEPTOAR and its chain
    assert_error(read(hub, "op-securities-0001", rid), 404, "not_found")
    assert_error(read(hub, "nisc-analyst", rid), 404, "not_found")
    assert read(hub, "op-banking-0002", rid).status_code == 200
    assert read_ok(hub, "fsa-desk", rid)["range"] == "amber"
    # fsa may narrow further, not widen back
    assert_error(forward(hub, "fsa-desk", rid, range="green"), 400,
                 "range_widening", "range")
    v = forward_ok(hub, "fsa-desk", rid, range="red")
    assert v["range"] == "red"
    assert_error(read(hub, "op-banking-0002", rid), 404, "not_found")
    assert read_ok(hub, "nisc-analyst", rid)["range"] == "red"


# ---- hop policies ----

def set_policy(hub, user, org, **body):
    r = hub.api("PUT", f"/api/v1/orgs/{org}/policy", token=tok(hub, user),
                json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_auto_policy_relays_at_once(fresh_demo_hub):
    hub = fresh_demo_hub
    p = set_policy(hub, "ceptoar-banking-secretariat", "ceptoar-banking",
                   policy="auto")
    assert p["policy"] == "auto"
    rep = file_report(hub, range="amber", route="via_ceptoar",
                      title="auto relayed")
    assert rep["current_hop"] == "fsa"
    assert arrived(rep) == ["ceptoar-banking", "fsa"]
    relayed = [e for e in rep["timeline"] if e["type"] == "relayed"]
    assert len(relayed) == 1 and relayed[0]["org"] == "ceptoar-banking"
    assert chain(rep) == [("ceptoar-banking", True, False),
                          ("fsa", True, True), ("nisc", False, False)]
    assert read(hub, "fsa-desk", rep["id"]).status_code == 200


def test_policy_is_set_by_the_org_admin_or_admin_only(fresh_demo_hub):
    hub = fresh_demo_hub
    # fsa-desk is no org_admin
    r = hub.api("PUT", "/api/v1/orgs/fsa/policy", token=tok(hub, "fsa-desk"),
                json={"policy": "auto"})
    assert r.status_code in (403, 404), r.text
    # a secretariat manages its own policy only
    r = hub.api("PUT", "/api/v1/orgs/ceptoar-gas/policy",
                token=tok(hub, "ceptoar-banking-secretariat"),
                json={"policy": "auto"})
    assert r.status_code in (403, 404), r.text
    r = hub.api("GET", "/api/v1/orgs/fsa/policy", token=tok(hub, "fsa-desk"))
    assert r.json()["policy"] == "review"
    assert r.json()["review_limit_min"] == 30


def test_severe_report_is_auto_forwarded_past_the_review_limit(
        fresh_demo_hub):
    hub = fresh_demo_hub
    set_policy(hub, "admin", "fsa", policy="review", review_limit_min=0)
    serious = file_report(hub, range="red", route="direct",
                          title="bank stopped",
                          impact={"service_stopped": True})
    assert serious["severity"]["computed"] == 3
    minor = file_report(hub, range="red", route="direct", kind="precursor",
                        title="phishing seen")
    assert minor["severity"]["computed"] == 1
    hub.wait_ticks(3)
    v = read_ok(hub, OP, serious["id"])
    assert v["current_hop"] is None and v["reached_nisc"] is True
    types = [e["type"] for e in v["timeline"]]
    assert "auto_forwarded" in types and "hop_notified" in types
    auto = next(e for e in v["timeline"] if e["type"] == "auto_forwarded")
    assert auto["org"] == "fsa"
    note = next(e for e in v["timeline"] if e["type"] == "hop_notified")
    assert note["org"] == "fsa" and note["detail"]["en"]
    assert arrived(v) == ["fsa", "nisc"]
    assert read(hub, "nisc-analyst", serious["id"]).status_code == 200
    # severity 1 waits for review, whatever the limit
    m = read_ok(hub, OP, minor["id"])
    assert m["current_hop"] == "fsa"
    assert "auto_forwarded" not in [e["type"] for e in m["timeline"]]
    assert_error(read(hub, "nisc-analyst", minor["id"]), 404, "not_found")


def test_reports_waiting_when_a_hop_turns_auto_are_relayed(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, range="amber", route="via_ceptoar",
                      title="waiting at the secretariat")
    assert rep["current_hop"] == "ceptoar-banking"
    set_policy(hub, "ceptoar-banking-secretariat", "ceptoar-banking",
               policy="auto")
    hub.wait_ticks(3)
    v = read_ok(hub, OP, rep["id"])
    assert v["current_hop"] == "fsa"
    relayed = [e for e in v["timeline"] if e["type"] == "relayed"]
    assert [e["org"] for e in relayed] == ["ceptoar-banking"]
    assert arrived(v) == ["ceptoar-banking", "fsa"]


def test_serious_report_is_auto_forwarded_even_behind_many_waiting_ones(
        fresh_demo_hub):
    """DOMAIN.md §4: nothing stops a serious report from reaching NISC. A
    hub has many low-severity reports waiting for review at their hops
    (they never move by themselves); a severity-3 report filed after them
    must still be forwarded once its hop's review limit has passed."""
    hub = fresh_demo_hub
    set_policy(hub, "admin", "fsa", policy="review", review_limit_min=0)
    waiting = [file_report(hub, range="red", route="direct",
                           kind="precursor", title=f"minor {i}")["id"]
               for i in range(70)]
    first = read_ok(hub, OP, waiting[-1])["timeline"][-1]["at"]
    # the serious one arrives strictly later than the waiting ones
    wait_for(lambda: now_iso() > first, what="the next second")
    serious = file_report(hub, range="red", route="direct",
                          title="serious behind the queue",
                          impact={"service_stopped": True})
    assert serious["severity"]["computed"] == 3
    hub.wait_ticks(3)
    v = read_ok(hub, OP, serious["id"])
    assert v["reached_nisc"] is True, [e["type"] for e in v["timeline"]]
    assert "auto_forwarded" in [e["type"] for e in v["timeline"]]
    assert read_ok(hub, OP, waiting[0])["current_hop"] == "fsa"


def test_a_closed_report_can_still_be_forwarded(fresh_demo_hub):
    """docs/rules.md: a closed report takes no more updates but can still be
    forwarded to NISC."""
    hub = fresh_demo_hub
    rep = file_report(hub, range="red", route="direct", title="closed early")
    r = hub.api("POST", f"/api/v1/reports/{rep['id']}/updates",
                token=tok(hub, OP), json={"kind": "final", "text": "done"})
    assert r.status_code == 201 and r.json()["state"] == "closed"
    v = forward_ok(hub, "fsa-desk", rep["id"])
    assert v["reached_nisc"] is True
    assert read_ok(hub, "nisc-analyst", rep["id"])["state"] == "closed"


def test_a_closed_serious_report_is_still_auto_forwarded(fresh_demo_hub):
    """Nothing stops a serious report from reaching NISC: closing it with a
    final report while it waits at a reviewing hop does not keep it from
    NISC once the review limit has passed."""
    hub = fresh_demo_hub
    set_policy(hub, "admin", "fsa", policy="review", review_limit_min=1440)
    rep = file_report(hub, range="red", route="direct", title="closed serious",
                      impact={"service_stopped": True})
    r = hub.api("POST", f"/api/v1/reports/{rep['id']}/updates",
                token=tok(hub, OP), json={"kind": "final", "text": "fixed"})
    assert r.status_code == 201 and r.json()["state"] == "closed"
    set_policy(hub, "admin", "fsa", policy="review", review_limit_min=0)
    hub.wait_ticks(3)
    v = read_ok(hub, OP, rep["id"])
    assert v["reached_nisc"] is True, [e["type"] for e in v["timeline"]]
