"""Report updates (DOMAIN.md §4): appended, never edited in place; the
current view is the original plus its updates; a final report closes it."""
from datetime import datetime, timedelta, timezone

from conftest import assert_error

OP = "op-banking-0001"


def iso(**ago):
    t = datetime.now(timezone.utc) - timedelta(**ago)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def tok(hub, user):
    cache = hub.__dict__.setdefault("_rep_tokens", {})
    if user not in cache:
        cache[user] = hub.token(user, name="rep-updates")
    return cache[user]


def file_report(hub, user=OP, **fields):
    body = {"title": "update me", "kind": "incident", "detected_at": iso(),
            "range": "amber", "route": "direct",
            "what_happened": "first account"}
    body.update(fields)
    r = hub.api("POST", "/api/v1/reports", token=tok(hub, user), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def update(hub, rid, user=OP, **body):
    return hub.api("POST", f"/api/v1/reports/{rid}/updates",
                   token=tok(hub, user), json=body)


def read(hub, rid, user=OP):
    r = hub.api("GET", f"/api/v1/reports/{rid}", token=tok(hub, user))
    assert r.status_code == 200, r.text
    return r.json()


def test_updates_are_appended_and_the_view_is_current(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, cause="unknown")
    rid = rep["id"]
    assert [u["kind"] for u in rep["updates"]] == ["original"]
    original = rep["updates"][0]
    assert original["body"]["title"] == "update me"
    r = update(hub, rid, kind="update", title="update me (revised)",
               what_happened="second account", cause="cyberattack",
               threat_type="ransomware", text="we know more")
    assert r.status_code == 201, r.text
    v = r.json()
    assert [u["kind"] for u in v["updates"]] == ["original", "update"]
    assert v["title"] == "update me (revised)"
    assert v["what_happened"] == "second account"
    assert v["cause"] == "cyberattack" and v["threat_type"] == "ransomware"
    # the original is preserved as filed
    assert v["updates"][0] == original
    assert v["updates"][1]["body"]["text"] == "we know more"
    # another bank's report and update in between (hub-wide rows)
    other = file_report(hub, user="op-banking-0002")
    assert update(hub, other["id"], user="op-banking-0002", kind="update",
                  text="x").status_code == 201
    r = update(hub, rid, kind="full", measures="isolated the servers")
    assert r.status_code == 201, r.text
    v = read(hub, rid, "fsa-desk")
    assert [u["kind"] for u in v["updates"]] == ["original", "update", "full"]
    assert v["updates"][0] == original
    # fields not in the latest update keep their last value
    assert v["title"] == "update me (revised)"
    assert v["what_happened"] == "second account"
    assert v["measures"] == "isolated the servers"
    assert v["deadlines"]["full_report_at"] is not None
    types = [e["type"] for e in v["timeline"]]
    assert "update" in types and "full_report" in types
    # the list shows the current title
    lst = hub.api("GET", "/api/v1/reports", token=tok(hub, "fsa-desk"),
                  params={"q": "revised"}).json()["items"]
    assert [i["id"] for i in lst] == [rid]
    # the audit numbers each update within its report, as the view does:
    # the hub-wide row's gap would count the other bank's update
    a = hub.api("GET", "/api/v1/audit", token=tok(hub, "auditor"),
                params={"action": "report.update", "limit": 1000})
    assert a.status_code == 200, a.text
    got = [(e["target"], e["detail"]["kind"], e["detail"]["update"])
           for e in a.json()["items"]]
    assert got == [(rid, "update", 2), (other["id"], "update", 2),
                   (rid, "full", 3)], got
    assert [u["id"] for u in v["updates"]] == [1, 2, 3]


def test_an_update_may_narrow_but_never_widen(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, range="green")
    rid = rep["id"]
    assert hub.api("GET", f"/api/v1/reports/{rid}",
                   token=tok(hub, "op-gas-0001")).status_code == 200
    r = update(hub, rid, kind="update", range="amber", text="narrower")
    assert r.status_code == 201, r.text
    assert r.json()["range"] == "amber"
    assert r.json()["tlp"] == "TLP:AMBER+STRICT"
    assert [u["range"] for u in r.json()["updates"]] == ["green", "amber"]
    assert_error(hub.api("GET", f"/api/v1/reports/{rid}",
                         token=tok(hub, "op-gas-0001")), 404, "not_found")
    n = len(read(hub, rid)["updates"])
    for wider in ("green", "white", "yellow"):
        assert_error(update(hub, rid, kind="update", range=wider,
                            text="wider"), 400, "range_widening", "range")
    v = read(hub, rid)
    assert len(v["updates"]) == n
    assert v["range"] == "amber"
    assert_error(hub.api("GET", f"/api/v1/reports/{rid}",
                         token=tok(hub, "op-gas-0001")), 404, "not_found")
    # the same range is no widening
    assert update(hub, rid, kind="update", range="amber",
                  text="same").status_code == 201


def test_a_final_report_closes_it(fresh_demo_hub):
    hub = fresh_demo_hub
    rid = file_report(hub)["id"]
    r = update(hub, rid, kind="final", text="root cause: misconfiguration")
    assert r.status_code == 201, r.text
    v = r.json()
    assert v["state"] == "closed"
    assert v["deadlines"]["closed_at"] is not None
    assert v["deadlines"]["overdue"] is False
    assert "final_report" in [e["type"] for e in v["timeline"]]
    n = len(v["updates"])
    for kind in ("update", "full", "final", "answer"):
        body = {"kind": kind, "text": "late"}
        if kind == "answer":
            body["question"] = 1
        assert_error(update(hub, rid, **body), 409, "report_closed")
    assert len(read(hub, rid)["updates"]) == n
    closed = hub.api("GET", "/api/v1/reports", token=tok(hub, OP),
                     params={"state": "closed"}).json()["items"]
    assert [i["id"] for i in closed] == [rid]


def test_only_the_reporting_organisation_updates(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, range="green", route="direct")
    rid = rep["id"]
    # another operator of the same CEPTOAR reads it, with the reporter role
    assert hub.api("GET", f"/api/v1/reports/{rid}",
                   token=tok(hub, "op-banking-0002")).status_code == 200
    assert_error(update(hub, rid, "op-banking-0002", kind="update",
                        text="not mine"), 403, "forbidden")
    # NISC staff hold the reporter role too; still not their report
    assert_error(update(hub, rid, "nisc-analyst", kind="update",
                        text="not ours"), 403, "forbidden")
    # a ministry desk (no reporter role) on a report it is a hop of
    assert_error(update(hub, rid, "fsa-desk", kind="update", text="x"), 403)
    # a report another organisation cannot read is not there at all
    red = file_report(hub, range="red", route="direct")["id"]
    assert_error(update(hub, red, "op-banking-0002", kind="update",
                        text="x"), 404, "not_found")
    assert len(read(hub, rid)["updates"]) == 1
    assert len(read(hub, red)["updates"]) == 1


def test_updates_recompute_severity(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, kind="incident", range="amber")
    rid = rep["id"]
    assert rep["severity"]["computed"] == 0
    r = update(hub, rid, kind="update", impact={"service_degraded": True})
    assert r.status_code == 201, r.text
    assert r.json()["severity"]["computed"] == 2
    r = update(hub, rid, kind="update", impact={"service_stopped": True})
    assert r.status_code == 201, r.text
    s = r.json()["severity"]
    assert s["computed"] == 3 and s["rule"] == "L3-exceeded"
    assert s["effective"] == 3
    assert r.json()["impact"] == {"service_stopped": True}
    ups = [e for e in r.json()["timeline"] if e["type"] == "update"]
    assert ups[-1]["detail"]["severity_from"] == 2
    assert ups[-1]["detail"]["severity_to"] == 3
    # the computed level is what lists filter on
    lst = hub.api("GET", "/api/v1/reports", token=tok(hub, "fsa-desk"),
                  params={"min_severity": 3}).json()["items"]
    assert [i["id"] for i in lst] == [rid]


def test_update_times_are_checked_against_the_view(fresh_demo_hub):
    hub = fresh_demo_hub
    rid = file_report(hub, occurred_at=iso(hours=3),
                      detected_at=iso(hours=2))["id"]
    n = len(read(hub, rid)["updates"])
    # the update sent occurred_at alone: the error names it (an update
    # cannot send detected_at)
    assert_error(update(hub, rid, kind="update", occurred_at=iso(hours=1)),
                 400, "invalid_value", "occurred_at")
    assert_error(update(hub, rid, kind="update",
                        contained_at=iso(hours=4)),
                 400, "invalid_value", "contained_at")
    assert_error(update(hub, rid, kind="update", question=1), 400,
                 "invalid_value", "question")
    assert_error(update(hub, rid, kind="update", detected_at=iso()), 400,
                 "unknown_field", "detected_at")
    assert len(read(hub, rid)["updates"]) == n
