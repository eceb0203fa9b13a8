"""An anonymous report of an operator in more than one CEPTOAR (docs/rules.md
"Sharing ranges and anonymity"; found by an outside review).

op-multi-0001 is a cable-TV operator in two CEPTOARs: Cable TV (the one it
routes its reports through) and T-CEPTOAR (telecom). An anonymous Amber
report routed through Cable TV CEPTOAR was readable by T-CEPTOAR's
secretariat and members, labelled "an operator in Cable television (via
Cable TV CEPTOAR)"; the secretariat lists its members
(GET /api/v1/orgs?ceptoar=ceptoar-telecom), whose only cable-TV one is
op-multi-0001: the reporter named without the audited reveal.

The rule: the Amber community of an anonymous report is the CEPTOAR it was
routed through (its secretariat and members) only; a named report's stays
every CEPTOAR of the reporter. Checked on every path a reader set is
computed on: the read (404 byte-identical to a missing report), the list,
the search, the counts, the dashboard, the CSV export, the STIX bundle and
the reveal.
"""
import csv
import io

import pytest

from conftest import DEMO_PASSWORD, Hub, assert_error
from test_reports_flow import file_report, tok

MULTI = "op-multi-0001"
REPORTER = "multi-reporter"
MULTI_NAMES = (MULTI, "試験多重加盟事業者", "Multi-CEPTOAR Test Cable")
CABLE, TELECOM = "ceptoar-cable-tv", "ceptoar-telecom"
LABEL_CABLE = "an operator in Cable television (via Cable TV CEPTOAR)"
# the readers around the reporter
CABLE_SEC = "ceptoar-cable-tv-secretariat"
CABLE_OP = "op-cable-tv-0001"
TELECOM_SEC = "ceptoar-telecom-secretariat"
TELECOM_OP = "op-telecom-0001"
OTHER_OP = "op-gas-0001"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("anon-multi")
    h = Hub(d, demo=True)
    h.init_fixture()
    h.cli("org", "add", MULTI, "--scope", "cable_tv",
          "--name-ja", MULTI_NAMES[1], "--name-en", MULTI_NAMES[2],
          "--ceptoar", CABLE, "--ceptoar", TELECOM)
    pw = d / "reporter.pw"
    pw.write_text(DEMO_PASSWORD + "\n")
    h.cli("user", "add", REPORTER, "--org", MULTI, "--roles",
          "reader,reporter", "--password-file", pw)
    h.start()
    reps = {}
    for name, route, rng, via in (
            ("anon_amber", "anonymous", "amber", CABLE),
            ("anon_red", "anonymous", "red", CABLE),
            ("anon_yellow", "anonymous", "yellow", CABLE),
            ("anon_green", "anonymous", "green", CABLE),
            ("named_amber", "via_ceptoar", "amber", CABLE)):
        reps[name] = file_report(
            h, REPORTER, title=f"multi {name} zq{len(reps):02d}kx",
            route=route, range=rng, via_ceptoar=via)["id"]
    yield h, reps
    h.stop()


def get(h, user, path, **params):
    return h.api("GET", path, token=tok(h, user), params=params)


def listed(h, user, **params):
    items, cursor = [], None
    for _ in range(50):
        p = dict(params, limit=100)
        if cursor:
            p["cursor"] = cursor
        r = get(h, user, "/api/v1/reports", **p)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return {i["id"]: i for i in items}
    raise AssertionError("pagination does not end")


# who reads which of the reports (the rule above; each range admits the
# readers of the narrower ones; none of these has a handling-rule agreement)
READS = {
    REPORTER: {"anon_amber", "anon_red", "anon_yellow", "anon_green",
               "named_amber"},
    CABLE_SEC: {"anon_amber", "anon_red", "anon_yellow", "anon_green",
                "named_amber"},
    CABLE_OP: {"anon_amber", "anon_yellow", "anon_green", "named_amber"},
    TELECOM_SEC: {"anon_green", "named_amber"},
    TELECOM_OP: {"anon_green", "named_amber"},
    OTHER_OP: {"anon_green"},
}


def test_the_other_ceptoar_would_single_the_reporter_out(world):
    """The premise: T-CEPTOAR's secretariat lists its members, and the
    only one of the cable-TV scope is the reporter."""
    h, _ = world
    r = get(h, TELECOM_SEC, "/api/v1/orgs", ceptoar=TELECOM, limit=500)
    assert r.status_code == 200, r.text
    cable = [o["id"] for o in r.json()["items"]
             if o.get("scope") == "cable_tv"]
    assert cable == [MULTI]


def test_anonymous_through_a_ceptoar_that_would_single_it_out_is_refused(
        world):
    """The label names the scope and the CEPTOAR ("an operator in Cable
    television (via T-CEPTOAR)"): through T-CEPTOAR, whose only cable-TV
    member is the reporter, it would name the reporter to whoever lists
    T-CEPTOAR's members (its secretariat, the ministry, NISC) without the
    audited reveal (a second outside review). Refused, naming
    via_ceptoar, and nothing is filed; named (via_ceptoar) it may go."""
    h, reps = world
    before = len(listed(h, REPORTER))
    r = h.api("POST", "/api/v1/reports", token=tok(h, REPORTER), json={
        "title": "anon via telecom", "kind": "incident", "range": "amber",
        "route": "anonymous", "via_ceptoar": TELECOM,
        "detected_at": "2026-12-01T00:00:00Z"})
    assert_error(r, 403, "route_not_allowed", "via_ceptoar")
    assert "fewer than 5" in r.json()["error"]["message"]
    assert len(listed(h, REPORTER)) == before
    named = file_report(h, REPORTER, title="named via telecom",
                        route="via_ceptoar", via_ceptoar=TELECOM)
    assert named["current_hop"] == TELECOM


@pytest.mark.parametrize("user", list(READS))
def test_read_follows_the_routing_ceptoar(world, user):
    h, reps = world
    ghost = "R" + "0" * (len(reps["anon_amber"]) - 1)
    missing = get(h, user, f"/api/v1/reports/{ghost}")
    assert_error(missing, 404, "not_found")
    for name, rid in reps.items():
        r = get(h, user, f"/api/v1/reports/{rid}")
        if name not in READS[user]:
            assert r.status_code == 404, (user, name, r.text)
            assert r.content == missing.content, (user, name)
            continue
        assert r.status_code == 200, (user, name, r.text)
        rp = r.json()["reporter"]
        if name.startswith("named") or user == REPORTER:
            assert rp["org"] == MULTI, (user, name, rp)
            continue
        assert "org" not in rp and rp["withheld"] is True, (user, name, rp)
        # only the secretariat routed through may reveal
        routing = TELECOM_SEC if name.endswith("_telecom") else CABLE_SEC
        assert rp["revealable"] is (user == routing), (user, name)
        for s in MULTI_NAMES:
            assert s not in r.text, (user, name, s)


@pytest.mark.parametrize("user", [TELECOM_SEC, TELECOM_OP])
def test_other_ceptoar_cannot_read_the_anonymous_amber_report(world, user):
    """The fault itself: 404, as for a report that does not exist, for the
    secretariat and a member of the reporter's other CEPTOAR; the STIX
    bundle and the reveal too."""
    h, reps = world
    rid = reps["anon_amber"]
    ghost = "R" + "0" * (len(rid) - 1)
    for suffix in ("", "/stix"):
        a = get(h, user, f"/api/v1/reports/{rid}{suffix}")
        b = get(h, user, f"/api/v1/reports/{ghost}{suffix}")
        assert a.status_code == b.status_code == 404, (suffix, a.text)
        assert a.content == b.content
    for rid_, body in ((rid, {"reason": "which of our members is it"}),
                       (ghost, {"reason": "which of our members is it"})):
        r = h.api("POST", f"/api/v1/reports/{rid_}/reveal",
                  token=tok(h, user), json=body)
        assert_error(r, 404, "not_found")


@pytest.mark.parametrize("user", list(READS))
def test_list_search_counts_and_export_agree(world, user):
    h, reps = world
    want = {reps[n] for n in READS[user]}
    mine = set(reps.values())
    items = listed(h, user)
    assert set(items) & mine == want, user
    for name, rid in reps.items():
        r = get(h, user, "/api/v1/reports", q=f"multi {name} ")
        got = {i["id"] for i in r.json()["items"]} & {rid}
        assert got == ({rid} if name in READS[user] else set()), (user, name)
        c = get(h, user, "/api/v1/reports/counts", q=f"multi {name} ")
        assert c.json()["total"] == (1 if name in READS[user] else 0), \
            (user, name)
    c = get(h, user, "/api/v1/reports/counts")
    assert c.status_code == 200, c.text
    assert c.json()["total"] == len(items)
    by_range = {}
    for it in items.values():
        by_range[it["range"]] = by_range.get(it["range"], 0) + 1
    assert c.json()["by_range"] == by_range
    d = get(h, user, "/api/v1/dashboard")
    assert d.status_code == 200, d.text
    assert d.json()["open_reports"]["total"] == len(listed(h, user,
                                                           state="open"))
    e = get(h, user, "/api/v1/reports/export")
    assert e.status_code == 200, e.text
    rows = list(csv.DictReader(io.StringIO(e.text)))
    assert {row["id"] for row in rows} & mine == want, user
    for row in rows:
        if row["id"] in (reps["anon_amber"], reps["anon_green"]) and \
                user != REPORTER:
            assert row["reporter"] == LABEL_CABLE, (user, row)


def test_the_other_ceptoar_counts_nothing_of_it(world):
    """T-CEPTOAR's secretariat and member count exactly the reports of
    the reporter they read: the anonymous Amber report routed through
    Cable TV CEPTOAR is not among them (its count would tell it exists)."""
    h, reps = world
    for user in (TELECOM_SEC, TELECOM_OP):
        items = listed(h, user)
        assert reps["anon_amber"] not in items
        assert reps["named_amber"] in items
        assert items[reps["named_amber"]]["reporter"]["org"] == MULTI
        c = get(h, user, "/api/v1/reports/counts").json()
        assert c["total"] == len(items)
        assert c["by_range"].get("amber", 0) == sum(
            1 for i in items.values() if i["range"] == "amber")
