"""Stored values longer than the fields the daemon copies them into.

A value in the database may have been written by an older version, by the
command line or by hand. The daemon copies some of them into fixed-size
fields; one that does not fit must give a clear answer (or be treated as
matching nothing), never abort the process: an abort on a stored row would
repeat on every read and every restart. Each test writes such a row
straight into the database (hubdb) beside the running daemon, asks for
what reads it, and checks the daemon is still serving."""
import time
from datetime import datetime, timedelta, timezone

import hubdb
from conftest import assert_error

OP = "op-banking-0001"
# 22 code points (within the API's 63), 66 bytes of UTF-8: more than the
# 64-byte id fields
LONG_ID = "あ" * 22


def iso(**ago):
    t = datetime.now(timezone.utc) - timedelta(**ago)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def write(hub, sql, *args):
    con = hubdb.connect(hub.db, timeout=30)
    with con:
        con.execute(sql, args)
    con.close()


def alive(hub):
    r = hub.get("/healthz")
    assert r.status_code == 200, r.text


def test_an_agency_id_longer_than_its_field_is_refused(fresh_demo_hub):
    hub = fresh_demo_hub
    write(hub, "INSERT INTO orgs(id, kind, name_ja, name_en, created_at) "
               "VALUES (?, 'agency', '長い', 'long', ?)",
          LONG_ID, int(time.time()))
    token = hub.token(OP, name="long-agency")
    r = hub.api("POST", "/api/v1/reports", token=token,
                json={"title": "probe", "kind": "incident",
                      "detected_at": iso(minutes=5), "range": "green",
                      "route": "via_agency", "via_agency": LONG_ID})
    assert_error(r, 400, "invalid_value", "via_agency")
    alive(hub)
    r = hub.api("GET", "/api/v1/reports", token=token)
    assert r.status_code == 200 and r.json()["items"] == []


def test_a_timeline_org_longer_than_its_field_is_attributed_to_nobody(
        fresh_demo_hub):
    hub = fresh_demo_hub
    token = hub.token(OP, name="long-timeline")
    r = hub.api("POST", "/api/v1/reports", token=token,
                json={"title": "probe", "kind": "incident",
                      "detected_at": iso(minutes=5), "range": "green",
                      "route": "direct"})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    write(hub, "INSERT INTO report_timeline(report_id, at, org_id, user_id, "
               "type, detail) VALUES (?, ?, ?, 1, 'note', '{}')",
          rid, int(time.time()), "x" * 80)
    r = hub.api("GET", f"/api/v1/reports/{rid}", token=token)
    assert r.status_code == 200, r.text
    odd = [e for e in r.json()["timeline"] if e.get("org") == "x" * 80]
    assert len(odd) == 1
    assert "by" not in odd[0] and "user" not in odd[0]
    alive(hub)
