"""Probe: refused acknowledgement links must not let anyone write the
audit log without limit.

GET /ack/{token} needs no credentials, and every refused link (forged,
expired, used) is audited with the client address. 200 forged links from
one address in about a second wrote 200 permanent entries to the
append-only, hash-chained log that auditors page through. Forged links
are now limited per client address like failed log-ins: after 20 in 15
minutes they get 429 and nothing more is written (links the hub issued
are never limited; test_provision_reliability covers their refusals).
"""
from conftest import wait_for


def audit_count(h, auditor, action):
    n, after = 0, None
    for _ in range(200):
        params = {"limit": 500}
        if after:
            params["after"] = after
        r = h.api("GET", "/api/v1/audit", session=auditor, params=params)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        n += sum(1 for e in items if e["action"] == action)
        after = r.json().get("next_after")
        if not after:
            return n
    raise AssertionError("audit pages do not end")


def test_forged_ack_links_are_limited_per_address(hub):
    auditor = hub.login("admin")
    before = audit_count(hub, auditor, "advisory.ack_link.refused")
    statuses = [hub.get(f"/ack/forgedforgedforged{i:04d}.x.y").status_code
                for i in range(40)]
    assert statuses[:20] == [404] * 20, statuses
    assert set(statuses[20:]) == {429}, statuses
    r = hub.post("/ack/forgedforgedforged9999.x.y")
    assert r.status_code == 429
    assert r.headers["Content-Type"].startswith("text/html")
    assert "Too many" in r.text
    after = audit_count(hub, auditor, "advisory.ack_link.refused")
    assert after - before == 20
