"""Interdependency and cascade suggestions (issue 15, DOMAIN.md §13): the
national model loaded by init, NISC's versioned edits (bad input named and
refused, nothing changed), an electricity L4 event's suggestions checked
against an independent walk of the model file, and one step from a
suggestion to an advisory, recorded with it."""
import heapq
import json
from datetime import datetime, timezone

import pytest

from conftest import ROOT, assert_error

MODEL = json.loads((ROOT / "data/dependencies/national.json").read_text())


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def tok(hub, user):
    cache = hub.__dict__.setdefault("_dep_tokens", {})
    if user not in cache:
        cache[user] = hub.token(user, name="dependencies")
    return cache[user]


def call(hub, method, path, user, **kw):
    return hub.api(method, path, token=tok(hub, user), **kw)


def carries(sev, strength):
    return sev >= 3 and sev + strength >= 6


def oracle(model, sources, sev, max_hops=6):
    """The walk of issue 15 written again: shortest lag, then the stronger
    path, then fewer hops; ranked by strength, lag, hops, id."""
    edges = model["edges"]
    best = {s: (0, -4, 0, [s], False) for s in sources}
    heap = [(0, -4, 0, s) for s in sources]
    done = set()
    while heap:
        lag, nstr, hops, u = heapq.heappop(heap)
        if u in done or best[u][:3] != (lag, nstr, hops):
            continue
        done.add(u)
        if hops >= max_hops:
            continue
        for e in edges:
            if e["from"] != u or e["to"] == u or e["to"] in sources:
                continue
            if not carries(sev, e["strength"]) or e["to"] in done:
                continue
            cand = (lag + e["lag_min"], -min(-nstr, e["strength"]), hops + 1)
            if e["to"] not in best or cand < best[e["to"]][:3]:
                best[e["to"]] = cand + (best[u][3] + [e["to"]],
                                        best[u][4] or e.get("regional", False))
                heapq.heappush(heap, cand + (e["to"],))
    out = []
    for s in sources:
        for e in edges:
            if e["from"] == s and e["to"] == s and carries(sev, e["strength"]):
                out.append((e["strength"], e["lag_min"], 2, s,
                            e.get("regional", False)))
    for n, (lag, nstr, hops, path, reg) in best.items():
        if n not in sources:
            out.append((-nstr, lag, len(path), n, reg))
    out.sort(key=lambda t: (-t[0], t[1], t[2], t[3]))
    return [(n, lag, st, reg) for st, lag, _, n, reg in out]


def event_of_forwarded(hub, filed):
    """Reports filed direct ((user, declared severity, range, the ministry
    that forwards it to NISC) each), forwarded, and NISC's event of them:
    (event id, report ids)."""
    ids = []
    for user, sev, rng, desk in filed:
        r = call(hub, "POST", "/api/v1/reports", user, json={
            "title": f"outage {user}", "kind": "incident",
            "detected_at": now_iso(), "range": rng, "route": "direct",
            "declared_severity": sev, "declared_reason": "test",
            "impact": {"service_stopped": True}})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
        r = call(hub, "POST", f"/api/v1/reports/{ids[-1]}/forward", desk,
                 json={})
        assert r.status_code in (200, 201), r.text
    ev = call(hub, "POST", "/api/v1/events", "nisc-analyst", json={
        "title_ja": "複合障害", "title_en": "combined outage",
        "reports": ids})
    assert ev.status_code == 201, ev.text
    return ev.json()["id"], ids


def test_electricity_l4_event_cascade_and_advisory(fresh_demo_hub):
    hub = fresh_demo_hub
    m = call(hub, "GET", "/api/v1/dependencies", "nisc-analyst").json()
    assert m["version"] == 1 and m["model"] == MODEL
    names = {n["id"]: n["name"] for n in m["nodes"]}
    assert names["electricity"]["en"] and names["electricity"]["ja"]
    # an electricity outage at level 4, in an event
    r = call(hub, "POST", "/api/v1/reports", "op-electricity-0001", json={
        "title": "送電停止 / transmission lost", "kind": "incident",
        "detected_at": now_iso(), "range": "green", "route": "direct",
        "declared_severity": 4, "declared_reason": "広域停電",
        "impact": {"households": 200000, "service_stopped": True}})
    assert r.status_code == 201, r.text
    ev = call(hub, "POST", "/api/v1/events", "nisc-analyst", json={
        "title_ja": "関西の大規模停電", "title_en": "Kansai blackout",
        "reports": [r.json()["id"]]})
    assert ev.status_code == 201, ev.text
    eid = ev.json()["id"]
    sev = ev.json()["severity"]["level"]
    assert sev == 4
    c = call(hub, "GET", f"/api/v1/events/{eid}/cascade", "nisc-analyst")
    assert c.status_code == 200, c.text
    c = c.json()
    assert c["sources"] == ["electricity"] and c["severity"] == 4
    want = oracle(MODEL, ["electricity"], 4)
    have = [(s["node"], s["lag_min"], s["strength"], s["regional"])
            for s in c["suggestions"]]
    assert have == want
    # the strong ones first: railway and chemical at once, then water ...
    assert [s["node"] for s in c["suggestions"][:4]] == [
        "chemical", "railway", "medical", "water"]
    # each step says why, in both languages
    fin = next(s for s in c["suggestions"] if s["node"] == "finance")
    assert fin["path"] == ["electricity", "finance"]
    assert fin["steps"][0]["ja"] and fin["steps"][0]["en"]
    # asked again: the same record
    again = call(hub, "GET", f"/api/v1/events/{eid}/cascade",
                 "nisc-analyst").json()
    assert again["suggestion"] == c["suggestion"]
    # a sector that was not suggested: refused, nothing made
    assert_error(call(hub, "POST", f"/api/v1/events/{eid}/cascade/advisory",
                      "nisc-analyst", json={"suggestion": c["suggestion"],
                                            "sectors": ["railway", "nope"]}),
                 400, "not_suggested", "sectors[1]")
    assert call(hub, "GET", f"/api/v1/events/{eid}/cascade",
                "nisc-analyst").json()["advisory"] is None
    # one step to an advisory, to the strong dependents only
    strong = [s["node"] for s in c["suggestions"] if s["strength"] == 3]
    a = call(hub, "POST", f"/api/v1/events/{eid}/cascade/advisory",
             "nisc-analyst", json={"suggestion": c["suggestion"],
                                   "sectors": strong})
    assert a.status_code == 201, a.text
    adv = a.json()["advisory"]
    assert adv["kind"] == "warning" and adv["severity"] == 4
    assert "【連鎖注意】" in adv["title"]["ja"]
    assert adv["recipients"] > 0
    # recorded with the suggestion; a second advisory from it is refused
    c2 = call(hub, "GET", f"/api/v1/events/{eid}/cascade",
              "nisc-analyst").json()
    assert c2["advisory"]["id"] == adv["id"]
    assert_error(call(hub, "POST", f"/api/v1/events/{eid}/cascade/advisory",
                      "nisc-analyst", json={"suggestion": c["suggestion"]}),
                 409, "already_acted", "suggestion")
    # a suggestion of no such event
    assert_error(call(hub, "POST", "/api/v1/events/E0/cascade/advisory",
                      "nisc-analyst", json={"suggestion": c["suggestion"]}),
                 404)
    # operators see no events, hence no cascade
    assert_error(call(hub, "GET", f"/api/v1/events/{eid}/cascade",
                      "op-electricity-0001"), 404)


def test_model_edits_and_bad_input(fresh_demo_hub):
    hub = fresh_demo_hub
    m = call(hub, "GET", "/api/v1/dependencies", "nisc-analyst").json()

    def put(model, version=1, user="nisc-analyst"):
        return call(hub, "PUT", "/api/v1/dependencies", user,
                    json={"version": version, "model": model})

    def edited(**change):
        x = json.loads(json.dumps(MODEL))
        x["edges"].append(change)
        return x
    # a cycle of zero lag: refused, naming the edge that closes it
    z = json.loads(json.dumps(MODEL))
    z["edges"].append({"from": "railway", "to": "electricity", "strength": 1,
                       "lag_min": 0})
    r = put(z)
    err = assert_error(r, 400, "zero_lag_cycle")
    assert err["field"] == f"model.edges[{len(z['edges']) - 1}]"
    # a cycle that takes time is fine (and the walk ends on it)
    for bad, code, field in (
            (edited(**{"from": "nope", "to": "water", "strength": 2,
                       "lag_min": 5}), "unknown_node", "from"),
            (edited(**{"from": "water", "to": "gas", "strength": 4,
                       "lag_min": 5}), "invalid_strength", "strength"),
            (edited(**{"from": "water", "to": "gas", "strength": 2,
                       "lag_min": -1}), "invalid_lag", "lag_min"),
            (edited(**{"from": "water", "to": "gas", "strength": 2}),
             "missing_field", "lag_min"),
            (edited(**{"from": "electricity", "to": "water", "strength": 2,
                       "lag_min": 5}), "duplicate_edge", None),
            (edited(**{"from": "water", "to": "gas", "strength": 2,
                       "lag_min": 5, "colour": "red"}), "unknown_field",
             "colour")):
        err = assert_error(put(bad), 400, code)
        n = len(bad["edges"]) - 1
        assert err["field"] == (f"model.edges[{n}].{field}" if field
                                else f"model.edges[{n}]"), err
    # not NISC: refused
    assert_error(put(edited(**{"from": "water", "to": "gas", "strength": 2,
                               "lag_min": 5}), user="meti-desk"), 403)
    assert_error(put(MODEL, user="op-gas-0001"), 403)
    # nothing changed
    assert call(hub, "GET", "/api/v1/dependencies",
                "nisc-analyst").json()["version"] == 1
    # an edit: version 2; the stale version 1 again: 409
    ok = edited(**{"from": "railway", "to": "electricity", "strength": 1,
                   "lag_min": 600, "why_en": "a timed cycle"})
    r = put(ok)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.json()["model"] == ok
    assert_error(put(ok, version=1), 409, "version_conflict", "version")
    assert call(hub, "GET", "/api/v1/dependencies",
                "nisc-analyst").json()["version"] == 2


def test_first_model_on_a_hub_without_one(tmp_path, data_copy):
    """A data directory without a model: no model until NISC puts the
    first one, with version 0."""
    import shutil
    from conftest import Hub
    shutil.rmtree(data_copy / "dependencies")
    hub = Hub(tmp_path / "hub", data=data_copy, demo=True)
    hub.dir.mkdir()
    hub.init_fixture()
    hub.start()
    try:
        assert_error(call(hub, "GET", "/api/v1/dependencies", "nisc-analyst"),
                     404, "no_model")
        assert_error(call(hub, "PUT", "/api/v1/dependencies", "nisc-analyst",
                          json={"version": 1, "model": MODEL}),
                     409, "version_conflict", "version")
        r = call(hub, "PUT", "/api/v1/dependencies", "nisc-analyst",
                 json={"version": 0, "model": MODEL})
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 1
    finally:
        hub.stop()


def test_cascade_inside_an_exercise(fresh_demo_hub):
    """The model travels into an exercise's own database: an event there
    gets its suggestions, and nothing of it reaches the real events."""
    hub = fresh_demo_hub
    scenario = json.loads((ROOT / "data/exercises/fy2015.json").read_text())
    x = call(hub, "POST", "/api/v1/exercises", "nisc-analyst", json={
        "title_ja": "停電演習", "title_en": "Blackout exercise",
        "scenario": scenario, "participants": {"sectors": ["electricity"]}})
    assert x.status_code == 201, x.text
    xid = x.json()["id"]
    r = call(hub, "POST", f"/api/v1/exercises/{xid}/control", "nisc-analyst",
             json={"action": "start", "paused": True})
    assert r.status_code == 200, r.text
    real_events = call(hub, "GET", "/api/v1/events", "nisc-analyst").json()
    r = call(hub, "POST", f"/x/{xid}/api/v1/reports", "op-electricity-0001",
             json={"title": "【演習】送電停止", "kind": "incident",
                   "detected_at": now_iso(), "range": "green",
                   "route": "direct", "declared_severity": 4,
                   "declared_reason": "演習"})
    assert r.status_code == 201, r.text
    ev = call(hub, "POST", f"/x/{xid}/api/v1/events", "nisc-analyst", json={
        "title_ja": "演習の停電", "title_en": "Exercise blackout",
        "reports": [r.json()["id"]]})
    assert ev.status_code == 201, ev.text
    c = call(hub, "GET", f"/x/{xid}/api/v1/events/{ev.json()['id']}/cascade",
             "nisc-analyst")
    assert c.status_code == 200, c.text
    assert [s["node"] for s in c.json()["suggestions"]] == [
        n for n, _, _, _ in oracle(MODEL, ["electricity"], 4)]
    assert call(hub, "GET", "/api/v1/events",
                "nisc-analyst").json() == real_events
    assert_error(call(hub, "GET", f"/api/v1/events/{ev.json()['id']}/cascade",
                      "nisc-analyst"), 404)


def test_report_cascade_and_advisory(fresh_demo_hub):
    """One report above the maintenance level: suggestions from its sector
    and effective severity, for whoever may read it; one step to an
    advisory by the ministry the report reached first."""
    hub = fresh_demo_hub
    r = call(hub, "POST", "/api/v1/reports", "op-electricity-0001", json={
        "title": "変電所停止 / substation down", "kind": "incident",
        "detected_at": now_iso(), "range": "amber", "route": "direct",
        "declared_severity": 5, "declared_reason": "広域停電",
        "impact": {"households": 900000, "service_stopped": True}})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    # suggestions for another report first: the hub-wide log grows
    r2 = call(hub, "POST", "/api/v1/reports", "op-electricity-0002", json={
        "title": "別件 / another", "kind": "incident",
        "detected_at": now_iso(), "range": "green", "route": "direct",
        "declared_severity": 4, "declared_reason": "x",
        "impact": {"service_stopped": True}})
    assert r2.status_code == 201, r2.text
    other = call(hub, "GET", f"/api/v1/reports/{r2.json()['id']}/cascade",
                 "meti-desk")
    assert other.status_code == 200 and other.json()["suggestion"] == 1
    # a ministry off the report's route (meti, then NISC) reads the Green
    # report and its own suggestions, but makes no advisory of them: that
    # is for a hop of the route, or NISC (found by an outside review: MHLW
    # made a hotline warning of an electricity report under its name)
    oid = r2.json()["id"]
    off = call(hub, "GET", f"/api/v1/reports/{oid}/cascade", "mhlw-desk")
    assert off.status_code == 200, off.text
    made = len(call(hub, "GET", "/api/v1/advisories?limit=100",
                    "mhlw-desk").json()["items"])
    assert_error(call(hub, "POST", f"/api/v1/reports/{oid}/cascade/advisory",
                      "mhlw-desk", json={"suggestion": off.json()["suggestion"]}),
                 403, "forbidden")
    assert len(call(hub, "GET", "/api/v1/advisories?limit=100",
                    "mhlw-desk").json()["items"]) == made
    again = call(hub, "GET", f"/api/v1/reports/{oid}/cascade", "mhlw-desk")
    assert again.json().get("advisory") is None, again.text
    # NISC, the route's last hop, may
    n = call(hub, "GET", f"/api/v1/reports/{oid}/cascade", "nisc-analyst")
    a = call(hub, "POST", f"/api/v1/reports/{oid}/cascade/advisory",
             "nisc-analyst", json={"suggestion": n.json()["suggestion"]})
    assert a.status_code == 201, a.text
    c = call(hub, "GET", f"/api/v1/reports/{rid}/cascade", "meti-desk")
    assert c.status_code == 200, c.text
    c = c.json()
    assert c["subject"] == {"kind": "report", "id": rid}
    # numbered within its subject: the log's other rows are not counted
    assert c["suggestion"] == 1
    assert c["sources"] == ["electricity"] and c["severity"] == 5
    have = [(s["node"], s["lag_min"], s["strength"], s["regional"])
            for s in c["suggestions"]]
    assert have == oracle(MODEL, ["electricity"], 5)
    # the reporter reads its report, hence its suggestions; another
    # operator reads neither (an Amber report)
    mine = call(hub, "GET", f"/api/v1/reports/{rid}/cascade",
                "op-electricity-0001")
    assert mine.status_code == 200
    assert_error(call(hub, "GET", f"/api/v1/reports/{rid}", "op-gas-0001"),
                 404)
    assert_error(call(hub, "GET", f"/api/v1/reports/{rid}/cascade",
                      "op-gas-0001"), 404)
    assert_error(call(hub, "POST", f"/api/v1/reports/{rid}/cascade/advisory",
                      "op-gas-0001", json={"suggestion": c["suggestion"]}),
                 404)
    # a suggestion of another item is not this report's
    for n in (999999, 2):
        assert_error(call(hub, "POST",
                          f"/api/v1/reports/{rid}/cascade/advisory",
                          "meti-desk", json={"suggestion": n}), 404,
                     "not_found", "suggestion")
    a = call(hub, "POST", f"/api/v1/reports/{rid}/cascade/advisory",
             "meti-desk", json={"suggestion": c["suggestion"],
                                   "sectors": ["water", "railway"]})
    assert a.status_code == 201, a.text
    assert a.json()["advisory"]["severity"] == 5
    again = call(hub, "GET", f"/api/v1/reports/{rid}/cascade",
                 "meti-desk").json()
    assert again["advisory"]["id"] == a.json()["advisory"]["id"]
    assert_error(call(hub, "POST", f"/api/v1/reports/{rid}/cascade/advisory",
                      "meti-desk", json={"suggestion": c["suggestion"]}),
                 409, "already_acted", "suggestion")


def test_sector_wide_website_alert_cascade(fresh_demo_hub):
    """The demo's open sector-wide alert of website observation: its
    sector's dependents at severity 4 (unreachable) or 3 (slow), for NISC
    and the sector's secretariat only."""
    hub = fresh_demo_hub
    alerts = call(hub, "GET", "/api/v1/observation/alerts", "nisc-analyst",
                  params={"state": "open"}).json()["items"]
    al = next(a for a in alerts if a["kind"] == "sector")
    sector = al["sector"]
    sev = 4 if al["condition"] == "unreachable" else 3
    c = call(hub, "GET", f"/api/v1/observation/alerts/{al['id']}/cascade",
             "nisc-analyst")
    assert c.status_code == 200, c.text
    c = c.json()
    assert c["subject"] == {"kind": "observation_alert", "id": str(al["id"])}
    assert c["event"] == f"obs-alert-{al['id']}"
    assert c["sources"] == [sector] and c["severity"] == sev
    have = [(s["node"], s["lag_min"], s["strength"], s["regional"])
            for s in c["suggestions"]]
    assert have == oracle(MODEL, [sector], sev)
    # an operator of the sector sees no sector alert to act on
    assert call(hub, "GET", f"/api/v1/observation/alerts/{al['id']}/cascade",
                f"op-{sector}-0001").status_code in (403, 404)
    if c["suggestions"]:
        a = call(hub, "POST",
                 f"/api/v1/observation/alerts/{al['id']}/cascade/advisory",
                 "nisc-analyst", json={"suggestion": c["suggestion"]})
        assert a.status_code == 201, a.text
        assert a.json()["advisory"]["kind"] == "warning"


def test_a_reader_acts_only_on_the_suggestion_it_was_given(fresh_demo_hub):
    """NISC's suggestion for an event comes from reports a ministry may not
    read: the ministry asks for its own (from what it reads), and NISC's is
    not its to turn into an advisory."""
    hub = fresh_demo_hub
    # each ministry forwards its sector's report to NISC
    eid, ids = event_of_forwarded(hub, (
        ("op-banking-0001", 3, "amber", "fsa-desk"),
        ("op-gas-0001", 5, "amber", "meti-desk")))
    mine = call(hub, "GET", f"/api/v1/events/{eid}/cascade",
                "nisc-analyst").json()
    assert set(mine["sources"]) == {"finance", "gas"}
    # NISC's suggestion is not the ministry's: it has none until it asks
    assert_error(call(hub, "POST", f"/api/v1/events/{eid}/cascade/advisory",
                      "fsa-desk", json={"suggestion": mine["suggestion"]}),
                 404, "not_found", "suggestion")
    # the ministry of finance reads the event without the gas report
    fsa = call(hub, "GET", f"/api/v1/events/{eid}/cascade", "fsa-desk")
    assert fsa.status_code == 200, fsa.text
    assert fsa.json()["sources"] == ["finance"]
    # numbered among its own: its first
    assert fsa.json()["suggestion"] == 1


def test_an_operator_node_is_shown_only_to_who_may_see_it(fresh_demo_hub):
    """An operator named in the model (per-operator dependencies) exists,
    as in the registry, only for who may see it: to anyone else the model
    and every suggestion show it as an unnamed "hidden:N" node, without the
    why of its edges; the user who stored a version is shown to hub
    admins only (users are visible to their organisation's admins)."""
    hub = fresh_demo_hub
    org = call(hub, "GET", "/api/v1/orgs/op-banking-0002", "nisc-analyst")
    assert org.status_code == 200, org.text
    secret = [org.json()["id"]] + [
        v for v in json.dumps(org.json()["name"], ensure_ascii=False)
        .split('"') if len(v) > 3 and v not in ("ja", "en")]
    assert_error(call(hub, "GET", "/api/v1/orgs/op-banking-0002",
                      "meti-desk"), 404)
    model = json.loads(json.dumps(MODEL))
    model["edges"].append({"from": "electricity", "to": "op-banking-0002",
                           "strength": 3, "lag_min": 10,
                           "why_en": "op-banking-0002's data centre",
                           "why_ja": "op-banking-0002 のデータセンター"})
    r = call(hub, "PUT", "/api/v1/dependencies", "nisc-analyst",
             json={"version": 1, "model": model})
    assert r.status_code == 200, r.text
    # who may see it: NISC, the ministry of its sector
    for user in ("nisc-analyst", "fsa-desk"):
        m = call(hub, "GET", "/api/v1/dependencies", user).json()
        assert m["model"] == model
        assert "op-banking-0002" in [n["id"] for n in m["nodes"]]
    # anyone else: not there, not even its why
    for user in ("meti-desk", "op-electricity-0001", "op-gas-0001"):
        m = call(hub, "GET", "/api/v1/dependencies", user)
        assert m.status_code == 200, m.text
        text = m.text
        for s in secret:
            assert s not in text, (user, s)
        m = m.json()
        assert m["created_by"] is None
        node = next(n for n in m["nodes"] if n.get("hidden"))
        assert node["id"] == "hidden:1"
        edge = m["model"]["edges"][-1]
        assert edge == {"from": "electricity", "to": "hidden:1",
                        "strength": 3, "lag_min": 10}
    # the suggestions of an electricity report: the same
    r = call(hub, "POST", "/api/v1/reports", "op-electricity-0001", json={
        "title": "送電停止 / transmission lost", "kind": "incident",
        "detected_at": now_iso(), "range": "green", "route": "direct",
        "declared_severity": 4, "declared_reason": "広域停電",
        "impact": {"households": 200000, "service_stopped": True}})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    for user in ("op-electricity-0001", "meti-desk"):
        c = call(hub, "GET", f"/api/v1/reports/{rid}/cascade", user)
        assert c.status_code == 200, c.text
        for s in secret:
            assert s not in c.text, (user, s)
        hid = [s for s in c.json()["suggestions"] if s["node"] == "hidden:1"]
        assert len(hid) == 1 and hid[0]["path"] == ["electricity", "hidden:1"]
        assert hid[0]["steps"][0]["to"] == "hidden:1"
        assert hid[0]["steps"][0]["en"] == ""
    ev = call(hub, "POST", "/api/v1/events", "meti-desk", json={
        "title_ja": "停電", "title_en": "blackout", "reports": [rid]})
    assert ev.status_code == 201, ev.text
    eid = ev.json()["id"]
    c = call(hub, "GET", f"/api/v1/events/{eid}/cascade", "meti-desk")
    assert c.status_code == 200, c.text
    for s in secret:
        assert s not in c.text, s
    # NISC sees the operator in its own suggestions
    c = call(hub, "GET", f"/api/v1/events/{eid}/cascade", "nisc-analyst")
    if c.status_code == 200:
        assert "op-banking-0002" in [s["node"] for s in c.json()["suggestions"]]


def test_suggestions_are_each_organisations_own(fresh_demo_hub):
    """A suggestion (its row, its number, its reuse, the advisory made from
    it) belongs to the organisation that asked: a ministry's number does
    not move when NISC, reading more of the event, asks; another ministry
    neither sees nor is refused for the advisory one made; the anonymous
    reporter's own requests are numbered apart, naming no organisation."""
    hub = fresh_demo_hub
    eid, ids = event_of_forwarded(hub, (
        ("op-electricity-0001", 4, "green", "meti-desk"),
        ("op-banking-0001", 5, "amber", "fsa-desk")))
    path = f"/api/v1/events/{eid}/cascade"
    meti = call(hub, "GET", path, "meti-desk").json()
    assert meti["sources"] == ["electricity"] and meti["suggestion"] == 1
    assert call(hub, "GET", path, "meti-desk").json()["suggestion"] == 1
    nisc = call(hub, "GET", path, "nisc-analyst").json()
    assert set(nisc["sources"]) == {"electricity", "finance"}
    assert nisc["suggestion"] == 1
    # NISC's wider view counts nothing in METI's numbers
    again = call(hub, "GET", path, "meti-desk").json()
    assert again["suggestion"] == 1 and again["advisory"] is None
    # MIC reads the event as METI does (the electricity report): an
    # advisory from its own suggestion 1
    mic = call(hub, "GET", path, "mic-desk")
    assert mic.status_code == 200, mic.text
    assert mic.json()["sources"] == ["electricity"]
    assert mic.json()["suggestion"] == 1
    a = call(hub, "POST", f"{path}/advisory", "mic-desk",
             json={"suggestion": 1, "sectors": ["railway"]})
    assert a.status_code == 201, a.text
    adv = a.json()["advisory"]["id"]
    assert call(hub, "GET", path, "mic-desk").json()["advisory"]["id"] == adv
    # METI: not its advisory, not shown; its own suggestion 1 is free
    assert adv not in call(hub, "GET", path, "meti-desk").text
    a = call(hub, "POST", f"{path}/advisory", "meti-desk",
             json={"suggestion": 1, "sectors": ["railway"]})
    assert a.status_code == 201, a.text
    assert call(hub, "GET", path, "meti-desk").json()["advisory"][
        "id"] == a.json()["advisory"]["id"]
    assert call(hub, "GET", path, "nisc-analyst").json()["advisory"] is None
    # an anonymous report: its reporter's own requests are numbered apart
    # from its organisation's other rows, and recorded without its user
    r = call(hub, "POST", "/api/v1/reports", "op-electricity-0002", json={
        "title": "匿名 / anonymous", "kind": "incident",
        "detected_at": now_iso(), "range": "green", "route": "anonymous",
        "declared_severity": 4, "declared_reason": "test",
        "impact": {"service_stopped": True}})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    rpath = f"/api/v1/reports/{rid}/cascade"
    readers = [u for u in ("meti-desk", "nisc-analyst")
               if call(hub, "GET", f"/api/v1/reports/{rid}", u).status_code
               == 200]
    assert readers
    for u in readers:
        assert call(hub, "GET", rpath, u).json()["suggestion"] == 1
    own = call(hub, "GET", rpath, "op-electricity-0002")
    assert own.status_code == 200, own.text
    assert own.json()["suggestion"] == 1
    for u in readers:
        assert call(hub, "GET", rpath, u).json()["suggestion"] == 1


def test_a_cascade_advisory_text_is_neither_blank_nor_reordered(
        fresh_demo_hub):
    """Titles and bodies given to an advisory from a suggestion are checked
    as those of POST /api/v1/advisories: blank (U+3000 included) is 400
    invalid_value, a bidirectional control 400 invalid_text, and nothing
    is issued."""
    hub = fresh_demo_hub
    r = call(hub, "POST", "/api/v1/reports", "op-electricity-0001", json={
        "title": "変電所停止 / substation down", "kind": "incident",
        "detected_at": now_iso(), "range": "amber", "route": "direct",
        "declared_severity": 5, "declared_reason": "広域停電",
        "impact": {"households": 900000, "service_stopped": True}})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    ev = call(hub, "POST", "/api/v1/events", "meti-desk", json={
        "title_ja": "停電", "title_en": "blackout", "reports": [rid]})
    assert ev.status_code == 201, ev.text
    eid = ev.json()["id"]
    before = call(hub, "GET", "/api/v1/advisories", "op-water-0001").text
    for path in (f"/api/v1/reports/{rid}/cascade",
                 f"/api/v1/events/{eid}/cascade"):
        c = call(hub, "GET", path, "meti-desk")
        assert c.status_code == 200, c.text
        n = c.json()["suggestion"]
        for field, value, code in (
                ("title_ja", "", "invalid_value"),
                ("title_en", "  ", "invalid_value"),
                ("body_ja", "\u3000", "invalid_value"),
                ("body_en", "\u200b", "invalid_value"),
                ("title_en", "invoice\u202efdp.exe", "invalid_text"),
                ("body_ja", "本文\u2066x", "invalid_text")):
            assert_error(call(hub, "POST", f"{path}/advisory", "meti-desk",
                              json={"suggestion": n, "sectors": ["water"],
                                    field: value}), 400, code, field)
        # nothing issued, the suggestion not acted on
        assert call(hub, "GET", path, "meti-desk").json()["advisory"] is None
    assert call(hub, "GET", "/api/v1/advisories",
                "op-water-0001").text == before
    a = call(hub, "POST", f"/api/v1/events/{eid}/cascade/advisory",
             "meti-desk", json={"suggestion": n, "sectors": ["water"],
                                "title_en": "Knock-on effects"})
    assert a.status_code == 201, a.text


def test_a_model_text_is_neither_blank_nor_reordered(fresh_demo_hub):
    """The model's required texts (title_ja, title_en, id): blank (U+3000
    included) is 400 invalid_value, a bidirectional control 400
    invalid_text, naming the field; nothing is stored."""
    hub = fresh_demo_hub
    for field, value, code in (("title_en", "   ", "invalid_value"),
                               ("title_ja", "\u3000", "invalid_value"),
                               ("id", "", "invalid_value"),
                               ("title_en", "abc\u202edef", "invalid_text"),
                               ("title_ja", "相互\u2066依存", "invalid_text"),
                               ("id", "n\u200e", "invalid_text")):
        bad = dict(MODEL, **{field: value})
        assert_error(call(hub, "PUT", "/api/v1/dependencies", "nisc-analyst",
                          json={"version": 1, "model": bad}),
                     400, code, f"model.{field}")
    m = call(hub, "GET", "/api/v1/dependencies", "nisc-analyst").json()
    assert m["version"] == 1 and m["model"] == MODEL


def test_a_cascade_advisory_is_no_wider_than_its_sources(fresh_demo_hub):
    """docs/rules.md "Suggestions for an event, and the one step to an
    advisory": the advisory may not be wider than the narrowest report it
    comes from (400 range_wider_than_source), and from a Red report the
    hub writes no text of its own, since its text names the source's
    sector and severity (400 red_source naming the first text missing).
    Nothing is issued by a refused request."""
    hub = fresh_demo_hub

    def filed(user, rng):
        r = call(hub, "POST", "/api/v1/reports", user, json={
            "title": "変電所停止 / substation down", "kind": "incident",
            "detected_at": now_iso(), "range": rng, "route": "direct",
            "declared_severity": 5, "declared_reason": "広域停電",
            "impact": {"households": 900000, "service_stopped": True}})
        assert r.status_code == 201, r.text
        rid = r.json()["id"]
        c = call(hub, "GET", f"/api/v1/reports/{rid}/cascade", "meti-desk")
        assert c.status_code == 200, c.text
        return rid, c.json()["suggestion"]

    def issued():
        r = call(hub, "GET", "/api/v1/advisories?limit=200", "meti-desk")
        assert r.status_code == 200, r.text
        return sorted(a["id"] for a in r.json()["items"])

    before = issued()
    # a Green report: green and narrower go, white is wider
    rid, sid = filed("op-electricity-0001", "green")
    path = f"/api/v1/reports/{rid}/cascade/advisory"
    assert_error(call(hub, "POST", path, "meti-desk",
                      json={"suggestion": sid, "range": "white"}),
                 400, "range_wider_than_source", "range")
    assert issued() == before
    a = call(hub, "POST", path, "meti-desk",
             json={"suggestion": sid, "range": "green", "severity": 3})
    assert a.status_code == 201, a.text
    assert a.json()["advisory"]["range"] == "green"
    assert a.json()["advisory"]["severity"] == 3
    before = issued()
    # an Amber report: the default (Amber) goes, yellow or green do not
    rid, sid = filed("op-electricity-0002", "amber")
    path = f"/api/v1/reports/{rid}/cascade/advisory"
    for wide in ("yellow", "green", "white"):
        assert_error(call(hub, "POST", path, "meti-desk",
                          json={"suggestion": sid, "range": wide}),
                     400, "range_wider_than_source", "range")
    assert issued() == before
    # a Red report: the suggested text is not written; the caller's is
    rid, sid = filed("op-electricity-0003", "red")
    path = f"/api/v1/reports/{rid}/cascade/advisory"
    own = {"title_ja": "電力の依存先への注意", "title_en": "Watch your power",
           "body_ja": "電力への依存を確認してください。",
           "body_en": "Check what depends on power.", "severity": 2}
    assert_error(call(hub, "POST", path, "meti-desk",
                      json={"suggestion": sid}), 400, "red_source", "title_ja")
    for missing in own:
        part = {k: v for k, v in own.items() if k != missing}
        assert_error(call(hub, "POST", path, "meti-desk",
                          json={"suggestion": sid, **part}),
                     400, "red_source", missing)
    assert_error(call(hub, "POST", path, "meti-desk",
                      json={"suggestion": sid, "range": "yellow", **own}),
                 400, "range_wider_than_source", "range")
    assert issued() == before
    a = call(hub, "POST", path, "meti-desk", json={"suggestion": sid, **own})
    assert a.status_code == 201, a.text
    adv = call(hub, "GET", f"/api/v1/advisories/{a.json()['advisory']['id']}",
               "meti-desk").json()
    # its severity the caller's, not the Red report's 5 (found by a
    # review of this change)
    assert adv["range"] == "amber" and adv["severity"] == 2
    assert adv["title"] == {"ja": own["title_ja"], "en": own["title_en"]}
    assert adv["body"] == {"ja": own["body_ja"], "en": own["body_en"]}
    assert "連鎖注意" not in json.dumps(adv, ensure_ascii=False)
