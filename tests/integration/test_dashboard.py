"""The operations picture (GET /api/v1/dashboard; docs/rules.md,
"Dashboard"): counts computed by the hub that count ONLY what the reader
may read. Every count is checked against the list the same reader gets
with the same filter (every page), and a Red/Amber report a reader cannot
read is shown to leave that reader's counts unchanged while a reader who
may read it sees it counted."""
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

import hubdb
from conftest import Hub, assert_error

OP = "op-banking-0001"
READERS = ["nisc-analyst", "fsa-desk", "meti-desk",
           "ceptoar-banking-secretariat", "op-banking-0001",
           "op-banking-0002", "op-gas-0001", "jpcert-desk"]
STAFF = {"nisc-analyst", "fsa-desk", "meti-desk"}


def iso(**ago):
    t = datetime.now(timezone.utc) - timedelta(**ago)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    h = Hub(tmp_path_factory.mktemp("dash"), demo=True)
    h.init_fixture()
    h.start()
    h.tok = {u: h.token(u, name="dash") for u in READERS}
    yield h
    h.stop()


def epoch(at):
    """The hub's RFC 3339 time as whole seconds since the epoch."""
    return int(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp())


def call(h, user, method, path, **kw):
    return h.api(method, path, token=h.tok[user], **kw)


def dash(h, user):
    r = call(h, user, "GET", "/api/v1/dashboard")
    assert r.status_code == 200, r.text
    return r.json()


def file(h, rng, sev, user=OP, route="direct", **extra):
    body = {"title": f"dashboard {rng} {sev}", "kind": "incident",
            "detected_at": iso(), "range": rng, "route": route,
            "what_happened": "a synthetic incident",
            "declared_severity": sev, "declared_reason": "test"}
    body.update(extra)
    r = call(h, user, "POST", "/api/v1/reports", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def forward_to_nisc(h, rid):
    r = call(h, "fsa-desk", "POST", f"/api/v1/reports/{rid}/forward", json={})
    assert r.status_code == 200, r.text


def list_all(h, user, **params):
    items, cursor = [], None
    for _ in range(200):
        p = dict(params, limit=7)
        if cursor:
            p["cursor"] = cursor
        r = call(h, user, "GET", "/api/v1/reports", params=p)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination does not end")


def matrix(d):
    return {(c["sector"], c["severity"]): c["count"]
            for c in d["open_reports"]["cells"]}


def listed_matrix(h, user):
    return dict(Counter((i["sector"], i["severity"]["effective"])
                        for i in list_all(h, user, state="open")))


def test_counts_equal_the_lists_and_leave_out_what_cannot_be_read(world):
    h = world
    before = {u: dash(h, u) for u in READERS}
    listed_before = {u: len(list_all(h, u)) for u in READERS}
    # a Red and an Amber report at the first hop (FSA): NISC, METI and the
    # other operators may not read them; FSA and the originator may (and
    # Amber: the banking CEPTOAR's members and secretariat)
    red = file(h, "red", 4)
    amber = file(h, "amber", 5)
    green = file(h, "green", 4)
    white = file(h, "white", 2)
    forward_to_nisc(h, white["id"])
    gas = file(h, "green", 3, user="op-gas-0001")
    late = file(h, "green", 1, detected_at=iso(days=4))
    after = {u: dash(h, u) for u in READERS}

    def delta(u):
        b, a = matrix(before[u]), matrix(after[u])
        return {k: a.get(k, 0) - b.get(k, 0) for k in set(a) | set(b)
                if a.get(k, 0) != b.get(k, 0)}

    # NISC: the Red and Amber reports it cannot read are not counted
    assert delta("nisc-analyst") == {("finance", 4): 1, ("finance", 2): 1,
                                     ("gas", 3): 1, ("finance", 1): 1}
    # FSA was reached by all the banking reports
    assert delta("fsa-desk") == {("finance", 4): 2, ("finance", 5): 1,
                                 ("finance", 2): 1, ("finance", 1): 1,
                                 ("gas", 3): 1}
    # Amber: the originator's CEPTOAR community
    assert delta("op-banking-0002")[("finance", 5)] == 1
    assert ("finance", 5) not in delta("op-gas-0001")
    assert delta("op-banking-0001")[("finance", 4)] == 2
    for u in READERS:
        d = after[u]
        # every cell equals the rows the same reader lists with the
        # cell's filter (every page), and no readable open report is
        # missing from the matrix
        assert matrix(d) == listed_matrix(h, u), u
        for (sector, sev), n in matrix(d).items():
            rows = list_all(h, u, state="open", sector=sector,
                            min_severity=sev, max_severity=sev)
            assert len(rows) == n, (u, sector, sev)
        assert d["open_reports"]["total"] == len(list_all(h, u, state="open"))
        # today's filed reports: those the reader lists
        today = d["timeline"][-1]
        assert today["reports"] - before[u]["timeline"][-1]["reports"] == \
            len(list_all(h, u)) - listed_before[u], u
    # the counts name no reporter and carry no title
    text = call(h, "nisc-analyst", "GET", "/api/v1/dashboard").text
    for word in ("op-banking-0001", "dashboard red", "dashboard amber"):
        assert word not in text
    # overdue: the list's overdue view, for NISC and ministries only
    for u in READERS:
        d = after[u]
        if u in STAFF:
            assert d["overdue"] == len(list_all(h, u, overdue="true")) >= 1
        else:
            assert d["overdue"] is None
    assert after["fsa-desk"]["overdue"] == 1  # the late report
    assert red["id"] and amber["id"] and green["id"] and gas["id"] and late


def test_timeline_has_seven_jst_days(world):
    h = world
    d = dash(h, "nisc-analyst")
    days = [x["day"] for x in d["timeline"]]
    jst = datetime.now(timezone.utc) + timedelta(hours=9)
    want = [(jst - timedelta(days=k)).strftime("%Y-%m-%d")
            for k in range(6, -1, -1)]
    assert days == want


def test_events_and_unopened_follow_their_views(world):
    h = world
    green = file(h, "green", 5)
    forward_to_nisc(h, green["id"])
    n0 = dash(h, "nisc-analyst")["events_in_progress"]
    r = call(h, "nisc-analyst", "POST", "/api/v1/events",
             json={"title_ja": "事象", "title_en": "Event",
                   "reports": [green["id"]]})
    assert r.status_code == 201, r.text
    for u in READERS:
        d = dash(h, u)
        if u in ("nisc-analyst", "fsa-desk", "meti-desk"):
            un = call(h, u, "GET", "/api/v1/reports/unopened").json()
            assert d["unopened_severe"]["total"] == un["total"]
            assert {x["org"]: x["count"] for x in d["unopened_severe"]["hops"]} \
                == {x["org"]: len(x["items"]) for x in un["hops"]}
        else:
            assert d["unopened_severe"] is None
            assert d["events_in_progress"] is None
    assert dash(h, "nisc-analyst")["events_in_progress"] == n0 + 1


def boards(h, user, aid):
    r = call(h, user, "GET", f"/api/v1/advisories/{aid}/deliveries",
             params={"state": "all"})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    by = Counter(i["via"] or None for i in items)
    acked = Counter(i["via"] or None for i in items
                    if i["state"] == "acknowledged")
    return {k: (acked.get(k, 0), n) for k, n in by.items()}


def flight(h, user, aid):
    d = dash(h, user)
    for it in d["advisories_in_flight"]["items"]:
        if it["id"] == aid:
            assert it["acknowledged"] == sum(c["acknowledged"]
                                             for c in it["by_ceptoar"])
            assert it["total"] == sum(c["total"] for c in it["by_ceptoar"])
            return {c["ceptoar"]: (c["acknowledged"], c["total"])
                    for c in it["by_ceptoar"]}
    return None


def test_advisories_in_flight_match_the_delivery_board(world):
    h = world
    sec = "ceptoar-banking-secretariat"
    t0 = {u: dash(h, u)["timeline"][-1]["advisories"] for u in READERS}
    r = call(h, sec, "POST", "/api/v1/advisories", json={
        "kind": "security_info", "range": "amber", "severity": 2,
        "title_ja": "確認", "title_en": "Check", "body_ja": "本文",
        "body_en": "Body", "audience": {"ceptoars": ["ceptoar-banking"]}})
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    # issued today for who may read it (Amber: the banking community)
    for u in READERS:
        n = dash(h, u)["timeline"][-1]["advisories"] - t0[u]
        readable = call(h, u, "GET", f"/api/v1/advisories/{aid}")
        assert n == (1 if readable.status_code == 200 else 0), u
    assert dash(h, "op-gas-0001")["timeline"][-1]["advisories"] == \
        t0["op-gas-0001"]
    f = flight(h, sec, aid)
    assert f is not None and f == boards(h, sec, aid)
    assert all(a == 0 for a, _ in f.values())
    # an operator acknowledges: the progress moves, its inbox count falls
    un0 = dash(h, OP)["inbox_unacknowledged"]
    assert un0 >= 1
    r = call(h, OP, "POST", f"/api/v1/advisories/{aid}/ack")
    assert r.status_code == 200, r.text
    un = dash(h, OP)["inbox_unacknowledged"]
    r = call(h, OP, "GET", "/api/v1/advisories",
             params={"inbox": "true", "limit": 200})
    assert un == len([a for a in r.json()["items"]
                      if not a["mine"]["acknowledged"]])
    f2 = flight(h, sec, aid)
    assert f2 == boards(h, sec, aid)
    assert sum(a for a, _ in f2.values()) == 1
    assert un == un0 - 1
    # no board, no progress: an operator's dashboard does not list it
    assert flight(h, OP, aid) is None


def test_waiting_relay_counts_our_hops(world):
    h = world
    w0 = {u: dash(h, u)["waiting_relay"] for u in READERS}
    r = call(h, "nisc-analyst", "POST", "/api/v1/advisories", json={
        "kind": "security_info", "range": "green", "severity": 1,
        "title_ja": "中継", "title_en": "Relay", "body_ja": "本文",
        "body_en": "Body", "audience": {"sectors": ["finance"]}})
    assert r.status_code == 201, r.text
    chain = {c["org"]: c["state"] for c in r.json()["chain"]}
    assert "waiting" in chain.values(), chain
    for u, org in (("fsa-desk", "fsa"), ("ceptoar-banking-secretariat",
                                         "ceptoar-banking")):
        want = 1 if chain.get(org) == "waiting" else 0
        assert dash(h, u)["waiting_relay"] - w0[u] == want, (u, chain)
    assert dash(h, OP)["waiting_relay"] == w0[OP] == 0


def test_dashboard_needs_sign_in_and_max_severity_is_checked(world):
    h = world
    assert_error(h.get("/api/v1/dashboard"), 401)
    for bad in ("6", "-1", "x"):
        assert_error(call(h, "nisc-analyst", "GET", "/api/v1/reports",
                          params={"max_severity": bad}),
                     400, "out_of_range", "max_severity")
    # min and max of one level select that level only (its own level-4
    # report: under pytest -n 2 the test that files others may have run
    # on another worker, with a world of its own)
    file(h, "green", 4)
    rows = list_all(h, "nisc-analyst", min_severity=4, max_severity=4)
    assert rows and {r["severity"]["effective"] for r in rows} == {4}


def test_a_kept_dashboard_is_never_stale(world):
    """The hub keeps a computed dashboard (docs/rules.md, "Dashboard", its
    cache) and answers it again only while nothing it counts changed: a
    report filed through the API, a change written by ANOTHER process
    straight into the database, and a report deadline passing each show
    in the very next answer."""
    import time
    from conftest import wait_for
    h = world
    user = "nisc-analyst"
    d1 = dash(h, user)
    assert dash(h, user)["open_reports"] == d1["open_reports"]
    # 1. through the API
    rep = file(h, "green", 3)
    forward_to_nisc(h, rep["id"])
    d2 = dash(h, user)
    assert d2["open_reports"]["total"] == d1["open_reports"]["total"] + 1
    # 2. another writer on the database (not through the daemon): closes it
    con = hubdb.connect(h.db, timeout=10)
    with con:
        con.execute("UPDATE reports SET state = 'closed' WHERE id = ?",
                    (rep["id"],))
    d3 = dash(h, user)
    assert d3["open_reports"]["total"] == d1["open_reports"]["total"]
    # 3. time alone: a deadline a few seconds ahead is not overdue now, and
    # is counted overdue as soon as it has passed (no write in between).
    # 10 s ahead: d4 and its second answer must be read before it passes.
    full_due = int(time.time()) + 10
    with con:
        con.execute("UPDATE reports SET state = 'open', full_at = NULL, "
                    "full_due = ?, final_due = ? WHERE id = ?",
                    (full_due, int(time.time()) + 86400, rep["id"]))
    con.close()
    d4 = dash(h, user)
    assert dash(h, user)["overdue"] == d4["overdue"]  # answered again

    def overdue_counted():
        d = dash(h, user)
        return d if d["overdue"] == d4["overdue"] + 1 else None
    d5 = wait_for(overdue_counted, timeout=40,
                  what="the passed deadline counted overdue")
    # by the hub's own clock: computed once the deadline had passed, and
    # before d4, had it been kept past the deadline, would have expired on
    # its own (DASHBOARD_CACHE_S, 60 s): the deadline is what ended it
    assert epoch(d5["generated_at"]) > full_due, (d5["generated_at"],
                                                  full_due)
    assert epoch(d5["generated_at"]) < epoch(d4["generated_at"]) + 60, \
        (d4["generated_at"], d5["generated_at"])


def test_answer_time_tells_nothing_of_hidden_writes(world):
    """generated_at is the time of each answer, kept or computed: it used
    to be the time the kept dashboard was computed, which moved whenever
    anything it counts changed hub-wide, so an operator learnt when a Red
    report it may not see was filed (docs/rules.md "Dashboard")."""
    import time
    from conftest import wait_for
    h = world
    user = "op-gas-0001"
    d1 = dash(h, user)
    t0 = int(time.time())
    wait_for(lambda: int(time.time()) > t0, what="the next second")
    asked = int(time.time())
    d2 = dash(h, user)  # kept: nothing changed
    assert epoch(d2["generated_at"]) >= asked, (d1, d2)
    # another operator's Red report, which op-gas-0001 may not read
    file(h, "red", 4, user="op-banking-0002")
    t1 = int(time.time())
    wait_for(lambda: int(time.time()) > t1, what="the next second")
    asked = int(time.time())
    d3 = dash(h, user)  # computed again: the hub's data changed
    assert epoch(d3["generated_at"]) >= asked
    same = lambda d: {k: v for k, v in d.items() if k != "generated_at"}
    assert same(d3) == same(d2) == same(d1)
