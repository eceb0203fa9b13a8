"""Deadline reminders go through the delivery worker (issue 3 §8): a report
past its full-report deadline gets one reminder, sent to the reporting
organisation's first contact, and the reporter sees it as sent."""
from datetime import datetime, timedelta, timezone

from conftest import wait_for
from receivers import WebhookReceiver
from test_provision_features import ProvHub


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def setup_operator(hub, receiver=None):
    hub.cli("org", "add", "op-late", "--scope", "gas", "--name-ja",
            "遅延ガス", "--name-en", "Late Gas", "--ceptoar", "ceptoar-gas")
    if receiver:
        hub.cli("org", "contact", "op-late", "--channel", "webhook",
                "--address", receiver.url("/late"), "--priority", "1")
    pw = hub.dir / "rep.pw"
    pw.write_text("reporter-password-1\n")
    hub.cli("user", "add", "late-rep", "--org", "op-late", "--roles",
            "reader,reporter", "--password-file", pw)
    return hub.token("late-rep")


def file_overdue(hub, tok):
    four_days = datetime.now(timezone.utc) - timedelta(days=4)
    r = hub.api("POST", "/api/v1/reports", token=tok,
                json={"title": "遅れた報告 late report", "kind": "incident",
                      "detected_at": iso(four_days), "range": "red",
                      "route": "direct"})
    assert r.status_code == 201, r.text
    assert r.json()["overdue"] is True
    return r.json()["id"]


def test_reminder_is_sent_to_the_first_contact(tmp_path):
    with WebhookReceiver() as rx:
        hub = ProvHub(tmp_path, flags=["--retry-base-s", "1"])
        hub.init_fixture()
        hub.start()
        try:
            tok = setup_operator(hub, rx)
            rid = file_overdue(hub, tok)

            def sent():
                v = hub.api("GET", f"/api/v1/reports/{rid}", token=tok).json()
                rem = [m for m in v.get("reminders", [])
                       if m["kind"] == "full_report"]
                return rem and rem[0]["sent_at"] and rem[0]
            rem = wait_for(sent, what="the reminder to be sent")
            hits = [h for h in rx.seen("/late")]
            assert len(hits) == 1, hits
            body = hits[0].json
            assert body["type"] == "reminder" and body["report"] == rid
            assert body["kind"] == "full_report"
            assert body["title"] == "遅れた報告 late report"
            # the report and the deadline, never the reminders' row
            # counter (docs/rules.md "Ids that count nothing")
            assert hits[0].headers["idempotency-key"] == \
                f"reminder.{rid}.full_report"
            assert body["id"] == f"reminder.{rid}.full_report"
            assert hits[0].headers["x-infrashare-signature"].startswith("t=")
            # one reminder per missed deadline, however many passes follow
            hub.wait_ticks(3)
            assert len(rx.seen("/late")) == 1
            assert rem["due_at"]
        finally:
            hub.stop()


def test_reminder_retries_until_the_receiver_answers(tmp_path):
    with WebhookReceiver() as rx:
        rx.set_mode("/late", 500)
        hub = ProvHub(tmp_path, flags=["--retry-base-s", "1",
                                       "--delivery-attempts", "5"])
        hub.init_fixture()
        hub.start()
        try:
            tok = setup_operator(hub, rx)
            rid = file_overdue(hub, tok)
            wait_for(lambda: rx.count("/late") >= 2, timeout=30,
                     what="two refused attempts")
            rx.set_mode("/late", "ok")

            def sent():
                v = hub.api("GET", f"/api/v1/reports/{rid}", token=tok).json()
                return any(m["sent_at"] for m in v.get("reminders", []))
            wait_for(sent, timeout=60, what="the reminder after recovery")
            assert rx.count("/late", answered_ok=True) == 1
        finally:
            hub.stop()


def test_an_organisation_without_contacts_keeps_its_reminder_due(tmp_path):
    hub = ProvHub(tmp_path, flags=["--retry-base-s", "1",
                                   "--delivery-attempts", "1"])
    hub.init_fixture()
    hub.start()
    try:
        tok = setup_operator(hub)
        rid = file_overdue(hub, tok)
        hub.wait_ticks(5)
        v = hub.api("GET", f"/api/v1/reports/{rid}", token=tok).json()
        rems = v["reminders"]
        assert [m["kind"] for m in rems] == ["full_report"]
        assert rems[0]["sent_at"] is None
        # nothing else was written about it: the timeline names it once
        assert [e["type"] for e in v["timeline"]].count("reminder_due") == 1
    finally:
        hub.stop()
