"""The operator's view of an advisory (issue 11, operators): the
acknowledgement deadline as the hub counts it, `mine.ack_due` — the
release to the organisation plus the advisory's deadline
(core/deadline.c deadline_ack_due) — in the read and in the inbox list,
and nothing of it for a reader that is not a recipient."""
from datetime import datetime, timedelta

from conftest import wait_for

SEC = "ceptoar-electricity-secretariat"
OP = "op-electricity-0001"


def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def issue(hub, sess, severity):
    r = hub.api("POST", "/api/v1/advisories", session=sess, json={
        "kind": "security_info", "range": "amber", "severity": severity,
        "title_ja": "確認期限の試験", "title_en": "Deadline test",
        "body_ja": "本文", "body_en": "Body",
        "audience": {"orgs": [OP]}})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_ack_due_is_release_plus_deadline(fresh_demo_hub):
    hub = fresh_demo_hub
    sec = hub.login(SEC)
    op = hub.login(OP)
    # severity 3: one hour; severity 1: one day (DOMAIN.md §6)
    for severity, minutes in ((3, 60), (1, 1440)):
        aid = issue(hub, sec, severity)

        def mine():
            r = hub.api("GET", f"/api/v1/advisories/{aid}", session=op)
            assert r.status_code == 200, r.text
            m = r.json().get("mine")
            return m if m and m["released_at"] else None
        m = wait_for(mine, what="the release to the operator")
        a = hub.api("GET", f"/api/v1/advisories/{aid}", session=op).json()
        assert a["ack_deadline_min"] == minutes
        assert ts(m["ack_due"]) - ts(m["released_at"]) == timedelta(minutes=minutes)
        # the inbox list carries the same deadline
        items = hub.api("GET", "/api/v1/advisories?inbox=true", session=op).json()["items"]
        row = next(i for i in items if i["id"] == aid)
        assert row["mine"]["ack_due"] == m["ack_due"]
        # acknowledging does not move the deadline
        r = hub.api("POST", f"/api/v1/advisories/{aid}/ack", session=op)
        assert r.status_code == 200, r.text
        m2 = hub.api("GET", f"/api/v1/advisories/{aid}", session=op).json()["mine"]
        assert m2["acknowledged"] and m2["ack_due"] == m["ack_due"]
    # the author is no recipient: no `mine`, so no deadline of its own
    a = hub.api("GET", f"/api/v1/advisories/{aid}", session=sec).json()
    assert "mine" not in a
