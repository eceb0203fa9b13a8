"""Racing requests to turn one observation alert into an advisory
(POST /api/v1/observation/alerts/{id}/advisory; docs/rules.md "Ingest,
storage and alerts"): the alert is linked inside the advisory's own write
transaction, so of many concurrent requests by NISC and the sector's
secretariat exactly one issues an advisory; every other one is 409 and
leaves nothing behind (no second advisory, no message queued)."""
from concurrent.futures import ThreadPoolExecutor

import pytest

import hubdb
from conftest import Hub

USERS = ("nisc-analyst", "ceptoar-railway-secretariat")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    h = Hub(tmp_path_factory.mktemp("obsrace"), demo=True)
    h.init_fixture()
    h.start()
    h.tok = {u: h.token(u, name="race") for u in USERS}
    yield h
    h.stop()


def rows(h, sql, *args):
    con = hubdb.connect(h.db, timeout=10, readonly=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def test_racing_requests_issue_one_advisory(hub):
    h = hub
    r = h.api("GET", "/api/v1/observation/alerts", token=h.tok[USERS[0]],
              params={"state": "open"})
    assert r.status_code == 200, r.text
    alerts = [a for a in r.json()["items"] if a["kind"] == "sector"
              and not a["advisory_id"]]
    assert alerts, "the demo has an open sector alert"
    aid = alerts[0]["id"]
    before = rows(h, "SELECT count(*) FROM advisories")[0][0]
    jobs_before = rows(h, "SELECT count(*) FROM deliveries")[0][0]

    def post(i):
        return h.api("POST", f"/api/v1/observation/alerts/{aid}/advisory",
                     token=h.tok[USERS[i % 2]], )

    with ThreadPoolExecutor(max_workers=12) as ex:
        answers = list(ex.map(post, range(24)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1, codes
    assert codes.count(409) == 23, codes
    won = next(a for a in answers if a.status_code == 201).json()
    for a in answers:
        if a.status_code == 409:
            assert a.json()["error"]["code"] == "conflict"
    # the database: one advisory more, linked to the alert; its deliveries
    # only (the losers queued nothing)
    assert rows(h, "SELECT count(*) FROM advisories")[0][0] == before + 1
    assert rows(h, "SELECT advisory_id FROM obs_alerts WHERE id = ?",
                aid) == [(won["advisory_id"],)]
    mine = rows(h, "SELECT count(*) FROM deliveries WHERE advisory_id = ?",
                won["advisory_id"])[0][0]
    assert rows(h, "SELECT count(*) FROM deliveries")[0][0] == \
        jobs_before + mine
    assert rows(h, "SELECT count(*) FROM audit WHERE action = "
                "'observation.advisory'")[0][0] == 1
