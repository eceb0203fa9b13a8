"""Events (DOMAIN.md §4, §5): NISC and ministries link reports of one
campaign or outage; the event has its own severity (level 5 when two or
more sectors are over their service maintenance level)."""
from datetime import datetime, timezone

from conftest import assert_error

OP_NAMES = ("op-banking-0001", "デモ銀行0001", "Demo Bank 0001")


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def tok(hub, user):
    cache = hub.__dict__.setdefault("_rep_tokens", {})
    if user not in cache:
        cache[user] = hub.token(user, name="rep-events")
    return cache[user]


def file_report(hub, user, **fields):
    body = {"title": "event member", "kind": "incident",
            "detected_at": now_iso(), "range": "green", "route": "direct"}
    body.update(fields)
    r = hub.api("POST", "/api/v1/reports", token=tok(hub, user), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def create_event(hub, user, reports, title="campaign"):
    return hub.api("POST", "/api/v1/events", token=tok(hub, user),
                   json={"title_ja": title + "（日本語）", "title_en": title,
                         "reports": reports})


def events(hub, user="nisc-analyst"):
    r = hub.api("GET", "/api/v1/events", token=tok(hub, user))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_two_sectors_exceeded_make_a_level_5_event(fresh_demo_hub):
    hub = fresh_demo_hub
    bank = file_report(hub, "op-banking-0001", title="ATMs down",
                       impact={"service_stopped": True})
    gas = file_report(hub, "op-gas-0001", title="gas supply cut",
                      impact={"households": 40})
    assert bank["severity"]["computed"] == 3
    assert gas["severity"]["computed"] == 3
    r = create_event(hub, "nisc-analyst", [bank["id"], gas["id"]])
    assert r.status_code == 201, r.text
    ev = r.json()
    assert ev["severity"]["level"] == 5
    assert ev["severity"]["sectors_exceeded"] == 2
    assert ev["severity"]["rule"] == "L5-multi-sector"
    assert ev["severity"]["explanation"]["ja"]
    assert ev["severity"]["explanation"]["en"]
    assert {i["id"] for i in ev["reports"]} == {bank["id"], gas["id"]}
    assert "reports_not_shown" not in ev
    got = hub.api("GET", f"/api/v1/events/{ev['id']}",
                  token=tok(hub, "nisc-analyst"))
    assert got.status_code == 200
    assert got.json()["severity"]["level"] == 5
    assert ev["id"] in [e["id"] for e in events(hub)]
    # each report's timeline records the link
    v = hub.api("GET", f"/api/v1/reports/{gas['id']}",
                token=tok(hub, "op-gas-0001")).json()
    linked = [e for e in v["timeline"] if e["type"] == "linked"]
    assert linked and linked[0]["detail"]["event"] == ev["id"]


def test_one_sector_exceeded_gives_the_max_of_the_reports(fresh_demo_hub):
    hub = fresh_demo_hub
    # banking and securities are both finance: one sector
    bank = file_report(hub, "op-banking-0001",
                       impact={"service_stopped": True})
    sec = file_report(hub, "op-securities-0001",
                      impact={"service_stopped": True,
                              "operators_affected": 3})
    gas = file_report(hub, "op-gas-0001", kind="precursor",
                      impact={"households": 29})
    assert sec["severity"]["computed"] == 4
    assert gas["severity"]["computed"] == 1
    r = create_event(hub, "nisc-analyst", [bank["id"], sec["id"], gas["id"]])
    assert r.status_code == 201, r.text
    s = r.json()["severity"]
    assert s["sectors_exceeded"] == 1
    assert s["level"] == 4
    # linking a second exceeded sector raises it to 5
    gas2 = file_report(hub, "op-gas-0002", impact={"households": 31})
    r = hub.api("POST", f"/api/v1/events/{r.json()['id']}/reports",
                token=tok(hub, "nisc-analyst"), json={"report": gas2["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["severity"]["level"] == 5
    assert r.json()["severity"]["sectors_exceeded"] == 2
    # linking the same report twice
    assert_error(hub.api("POST", f"/api/v1/events/{r.json()['id']}/reports",
                         token=tok(hub, "nisc-analyst"),
                         json={"report": gas2["id"]}), 409)


def test_one_report_event_has_that_reports_level(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, "op-banking-0001", kind="precursor")
    r = create_event(hub, "nisc-analyst", [rep["id"]])
    assert r.status_code == 201, r.text
    assert r.json()["severity"]["level"] == 1
    assert r.json()["severity"]["sectors_exceeded"] == 0


def test_linking_an_anonymous_report_never_reveals_it(fresh_demo_hub):
    hub = fresh_demo_hub
    anon = file_report(hub, "op-banking-0001", route="anonymous",
                       range="green", title="anonymous event member",
                       impact={"service_stopped": True})
    gas = file_report(hub, "op-gas-0001", impact={"households": 40})
    r = create_event(hub, "nisc-analyst", [anon["id"], gas["id"]])
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    assert r.json()["severity"]["level"] == 5
    texts = [r.text]
    for user in ("nisc-analyst", "fsa-desk", "meti-desk"):
        g = hub.api("GET", f"/api/v1/events/{eid}", token=tok(hub, user))
        assert g.status_code == 200, (user, g.text)
        item = next(i for i in g.json()["reports"] if i["id"] == anon["id"])
        assert item["reporter"]["withheld"] is True
        assert item["reporter"]["label"]["en"].startswith("an operator in ")
        texts.append(g.text)
        lst = hub.api("GET", "/api/v1/events", token=tok(hub, user))
        texts.append(lst.text)
    # a second link through the link endpoint
    anon2 = file_report(hub, "op-banking-0001", route="anonymous",
                        range="green", title="anonymous two")
    l = hub.api("POST", f"/api/v1/events/{eid}/reports",
                token=tok(hub, "nisc-analyst"), json={"report": anon2["id"]})
    assert l.status_code == 200, l.text
    texts.append(l.text)
    for t in texts:
        for name in OP_NAMES:
            assert name not in t, (name, t[:1500])


def test_operators_and_secretariats_cannot_create_events(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = file_report(hub, "op-banking-0001")
    n = len(events(hub))
    assert_error(create_event(hub, "op-banking-0001", [rep["id"]]), 403)
    assert_error(create_event(hub, "ceptoar-banking-secretariat",
                              [rep["id"]]), 403)
    assert_error(create_event(hub, "jpcert-desk", [rep["id"]]), 403)
    assert_error(hub.api("GET", "/api/v1/events",
                         token=tok(hub, "op-banking-0001")), 403)
    assert len(events(hub)) == n
    v = hub.api("GET", f"/api/v1/reports/{rep['id']}",
                token=tok(hub, "op-banking-0001")).json()
    assert "linked" not in [e["type"] for e in v["timeline"]]


def test_linking_an_unreadable_report_is_not_found(fresh_demo_hub):
    hub = fresh_demo_hub
    # Red, still at the banking secretariat: NISC and FSA cannot read it
    hidden = file_report(hub, "op-banking-0001", range="red",
                         route="via_ceptoar")
    visible = file_report(hub, "op-gas-0001")
    n = len(events(hub))
    err = assert_error(create_event(hub, "nisc-analyst",
                                    [visible["id"], hidden["id"]]),
                       404, "not_found", "reports")
    ghost = assert_error(create_event(hub, "nisc-analyst",
                                      [visible["id"],
                                       "R" + "0" * (len(hidden["id"]) - 1)]),
                         404, "not_found", "reports")
    assert err == ghost
    # nothing was created, and the visible report was not linked
    assert len(events(hub)) == n
    v = hub.api("GET", f"/api/v1/reports/{visible['id']}",
                token=tok(hub, "op-gas-0001")).json()
    assert "linked" not in [e["type"] for e in v["timeline"]]
    r = create_event(hub, "nisc-analyst", [visible["id"]])
    eid = r.json()["id"]
    assert_error(hub.api("POST", f"/api/v1/events/{eid}/reports",
                         token=tok(hub, "nisc-analyst"),
                         json={"report": hidden["id"]}), 404, "not_found")
    assert len(hub.api("GET", f"/api/v1/events/{eid}",
                       token=tok(hub, "nisc-analyst")).json()["reports"]) == 1


def test_a_ministry_creates_events_with_reports_it_can_read(fresh_demo_hub):
    hub = fresh_demo_hub
    b1 = file_report(hub, "op-banking-0001", range="red",
                     impact={"service_stopped": True})
    b2 = file_report(hub, "op-banking-0002", range="amber")
    r = create_event(hub, "fsa-desk", [b1["id"], b2["id"]], "bank outage")
    assert r.status_code == 201, r.text
    ev = r.json()
    assert {i["id"] for i in ev["reports"]} == {b1["id"], b2["id"]}
    assert ev["severity"]["level"] == 3
    # a gas report on the METI chain, Red: not readable by FSA
    g = file_report(hub, "op-gas-0001", range="red")
    assert_error(hub.api("POST", f"/api/v1/events/{ev['id']}/reports",
                         token=tok(hub, "fsa-desk"),
                         json={"report": g["id"]}), 404, "not_found")
    assert_error(create_event(hub, "fsa-desk", [g["id"]]), 404,
                 "not_found", "reports")


def test_link_errors_name_the_request_field(fresh_demo_hub):
    """POST /api/v1/events/{id}/reports takes {"report": ID}; its errors
    name that field (POST /api/v1/events names "reports")."""
    hub = fresh_demo_hub
    visible = file_report(hub, "op-gas-0001")
    hidden = file_report(hub, "op-banking-0001", range="red",
                         route="via_ceptoar")
    eid = create_event(hub, "nisc-analyst", [visible["id"]]).json()["id"]
    assert_error(hub.api("POST", f"/api/v1/events/{eid}/reports",
                         token=tok(hub, "nisc-analyst"),
                         json={"report": hidden["id"]}),
                 404, "not_found", "report")
    assert_error(hub.api("POST", f"/api/v1/events/{eid}/reports",
                         token=tok(hub, "nisc-analyst"),
                         json={"report": "R0000000000000000"}),
                 404, "not_found", "report")


def test_duplicate_in_create_names_the_reports_field(fresh_demo_hub):
    hub = fresh_demo_hub
    visible = file_report(hub, "op-gas-0001")
    n = len(events(hub))
    assert_error(create_event(hub, "nisc-analyst",
                              [visible["id"], visible["id"]]),
                 409, None, "reports")
    assert len(events(hub)) == n


def test_event_aggregates_cover_only_the_reports_the_reader_may_read(
        fresh_demo_hub):
    """An event made by one ministry, linking a Red report of its own sector,
    read by another ministry (and by NISC, which the Red report has not
    reached): severity, sectors_exceeded and every count are computed over
    the reports that reader may read only, so the answer is exactly what an
    event of the readable reports alone would give, and nothing about the
    Red report can be recomputed or differenced from it."""
    hub = fresh_demo_hub
    red = file_report(hub, "op-securities-0001", range="red",
                      title="red securities outage",
                      impact={"service_stopped": True,
                              "operators_affected": 3})
    assert red["severity"]["computed"] == 4
    gas = file_report(hub, "op-gas-0001", impact={"households": 40})
    assert gas["severity"]["computed"] == 3
    r = create_event(hub, "fsa-desk", [red["id"], gas["id"]], "fsa event")
    assert r.status_code == 201, r.text
    full = r.json()
    # the creator reads both: two sectors over their levels make it 5
    assert full["severity"]["level"] == 5
    assert full["severity"]["sectors_exceeded"] == 2
    # the same event as if it linked only the gas report
    ref = create_event(hub, "meti-desk", [gas["id"]], "gas only")
    assert ref.status_code == 201, ref.text
    want = ref.json()["severity"]
    assert want["level"] == 3 and want["sectors_exceeded"] == 1
    for user in ("meti-desk", "nisc-analyst"):
        g = hub.api("GET", f"/api/v1/events/{full['id']}",
                    token=tok(hub, user))
        assert g.status_code == 200, (user, g.text)
        ev = g.json()
        assert [i["id"] for i in ev["reports"]] == [gas["id"]], user
        assert ev["severity"] == want, (user, ev["severity"])
        # no count or trace of what the reader may not read
        assert "reports_not_shown" not in ev, user
        assert red["id"] not in g.text and "red securities" not in g.text
    # the Red report's own hop (FSA) still sees everything
    g = hub.api("GET", f"/api/v1/events/{full['id']}",
                token=tok(hub, "fsa-desk"))
    assert g.json()["severity"] == full["severity"]
    assert len(g.json()["reports"]) == 2
