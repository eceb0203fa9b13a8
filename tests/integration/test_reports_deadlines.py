"""Reporting deadlines (DOMAIN.md §4; data/deadlines.json): first notice
within 24 h of detection, full report within 72 h, final report within 30
days; reminders from the worker; an overdue view for ministries and NISC."""
import json
import time
from datetime import datetime, timedelta, timezone

import hubdb
from conftest import DATA, assert_error, wait_for

OP = "op-banking-0001"


def iso(**ago):
    t = datetime.now(timezone.utc) - timedelta(**ago)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(ts):
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc)


def tok(hub, user):
    cache = hub.__dict__.setdefault("_rep_tokens", {})
    if user not in cache:
        cache[user] = hub.token(user, name="rep-deadlines")
    return cache[user]


def file_report(hub, user=OP, **fields):
    body = {"title": "deadline report", "kind": "incident",
            "detected_at": iso(), "range": "green", "route": "direct"}
    body.update(fields)
    r = hub.api("POST", "/api/v1/reports", token=tok(hub, user), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def overdue_ids(hub, user):
    r = hub.api("GET", "/api/v1/reports", token=tok(hub, user),
                params={"overdue": "true"})
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


def read(hub, rid, user=OP):
    r = hub.api("GET", f"/api/v1/reports/{rid}", token=tok(hub, user))
    assert r.status_code == 200, r.text
    return r.json()


def test_deadlines_follow_the_data_file(fresh_demo_hub):
    hub = fresh_demo_hub
    d = json.loads((DATA / "deadlines.json").read_text())["deadlines"]["*"]
    det = iso(hours=1)
    v = file_report(hub, detected_at=det)
    dl = v["deadlines"]
    base = parse(det)
    assert parse(dl["first_notice_due"]) == base + timedelta(
        hours=d["first_notice_hours"])
    assert parse(dl["full_report_due"]) == base + timedelta(
        hours=d["full_report_hours"])
    assert parse(dl["final_report_due"]) == base + timedelta(
        days=d["final_report_days"])
    assert dl["overdue"] is False and v["overdue"] is False
    assert overdue_ids(hub, "nisc-analyst") == []


def test_overdue_full_report(fresh_demo_hub):
    hub = fresh_demo_hub
    fresh = file_report(hub, title="fresh one")
    late = file_report(hub, detected_at=iso(days=4), title="late one")
    rid = late["id"]
    assert late["overdue"] is True
    filed = next(e for e in late["timeline"] if e["type"] == "filed")
    assert filed["detail"].get("first_notice_late") is True
    for user in ("fsa-desk", "nisc-analyst"):
        assert overdue_ids(hub, user) == [rid]
        c = hub.api("GET", "/api/v1/reports/counts", token=tok(hub, user),
                    params={"overdue": "true"})
        assert c.status_code == 200 and c.json()["total"] == 1
    assert fresh["id"] not in overdue_ids(hub, "fsa-desk")
    # not a view for operators, secretariats or agencies
    for user in (OP, "op-banking-0002", "ceptoar-banking-secretariat",
                 "jpcert-desk"):
        assert_error(hub.api("GET", "/api/v1/reports",
                             token=tok(hub, user),
                             params={"overdue": "true"}),
                     403, "forbidden", "overdue")
        assert_error(hub.api("GET", "/api/v1/reports/export",
                             token=tok(hub, user),
                             params={"overdue": "true"}),
                     403, "forbidden", "overdue")
    # the worker issues a reminder to the reporting organisation
    hub.wait_ticks(2)
    v = read(hub, rid)
    kinds = [m["kind"] for m in v["reminders"]]
    assert kinds == ["full_report"]
    assert [e["detail"]["kind"] for e in v["timeline"]
            if e["type"] == "reminder_due"] == ["full_report"]
    # one reminder, not one per pass
    hub.wait_ticks(2)
    assert len(read(hub, rid)["reminders"]) == 1
    assert len([e for e in read(hub, rid)["timeline"]
                if e["type"] == "reminder_due"]) == 1
    # reminders concern the reporter; other readers do not get them
    assert "reminders" not in read(hub, rid, "fsa-desk")
    # the fresh report gets none
    assert read(hub, fresh["id"])["reminders"] == []
    # the full report: no longer overdue (the final one is not yet due)
    r = hub.api("POST", f"/api/v1/reports/{rid}/updates", token=tok(hub, OP),
                json={"kind": "full", "text": "the full report"})
    assert r.status_code == 201, r.text
    assert r.json()["overdue"] is False
    assert r.json()["deadlines"]["full_report_at"] is not None
    assert overdue_ids(hub, "fsa-desk") == []
    assert overdue_ids(hub, "nisc-analyst") == []


def test_overdue_final_report(fresh_demo_hub):
    hub = fresh_demo_hub
    old = file_report(hub, detected_at=iso(days=31), title="very old")
    rid = old["id"]
    assert rid in overdue_ids(hub, "nisc-analyst")
    r = hub.api("POST", f"/api/v1/reports/{rid}/updates", token=tok(hub, OP),
                json={"kind": "full", "text": "full, but late"})
    assert r.status_code == 201
    # still overdue: the final report was due after 30 days
    assert r.json()["overdue"] is True
    assert overdue_ids(hub, "nisc-analyst") == [rid]
    assert overdue_ids(hub, "fsa-desk") == [rid]
    hub.wait_ticks(2)
    kinds = sorted(m["kind"] for m in read(hub, rid)["reminders"])
    assert "final_report" in kinds
    # a final report closes it and ends the overdue state
    r = hub.api("POST", f"/api/v1/reports/{rid}/updates", token=tok(hub, OP),
                json={"kind": "final", "text": "final"})
    assert r.status_code == 201
    assert overdue_ids(hub, "nisc-analyst") == []


def test_overdue_view_shows_only_what_the_reader_may_read(fresh_demo_hub):
    hub = fresh_demo_hub
    # Red, at FSA: NISC may not read it yet, so it is not in NISC's view
    red = file_report(hub, detected_at=iso(days=4), range="red")
    assert overdue_ids(hub, "fsa-desk") == [red["id"]]
    assert overdue_ids(hub, "nisc-analyst") == []
    assert overdue_ids(hub, "meti-desk") == []
    c = hub.api("GET", "/api/v1/reports/counts",
                token=tok(hub, "nisc-analyst"), params={"overdue": "true"})
    assert c.json()["total"] == 0


def test_every_overdue_report_gets_its_reminder(fresh_demo_hub):
    """A hub with many overdue reports (1,788 local governments, 1,428
    banks): the worker's reminders must reach every overdue report, not
    only the newest few hundred. The oldest report here becomes overdue a
    few seconds after filing, when 260 newer overdue reports exist."""
    hub = fresh_demo_hub
    full_h = json.loads((DATA / "deadlines.json").read_text())[
        "deadlines"]["*"]["full_report_hours"]
    # due in an hour: not overdue while the newer ones are filed, however
    # slowly (a loaded machine, parallel test workers)
    later = iso(hours=full_h, seconds=-3600)
    first = file_report(hub, detected_at=later, title="oldest, due later")
    assert first["overdue"] is False
    for i in range(260):
        file_report(hub, detected_at=iso(days=4), title=f"overdue {i}")
    assert read(hub, first["id"])["overdue"] is False
    # then its full report falls due: the deadline moved to the present
    # in the database (the hub has no clock a test could set)
    con = hubdb.connect(hub.db, timeout=10)
    with con:
        con.execute("UPDATE reports SET full_due = ? WHERE id = ?",
                    (int(time.time()), first["id"]))
    con.close()
    wait_for(lambda: read(hub, first["id"])["overdue"], timeout=30,
             what="the first report to fall due")
    hub.wait_ticks(5)
    v = read(hub, first["id"])
    assert [m["kind"] for m in v["reminders"]] == ["full_report"], \
        "the oldest overdue report never got its reminder"
    assert "reminder_due" in [e["type"] for e in v["timeline"]]
