"""Probe: the daemon's request log must not link an anonymous report to
its reporter.

Every request line carried the caller's user and organisation with a
timestamp. The report's created_at (and each update's `at`) is shown to
every reader, so whoever reads the log (operations staff, a log
collector) matched `POST /api/v1/reports` by op-banking-0001 at 15:13:34
to the anonymous report created at 15:13:34 - no reveal, no audit.
"""
from datetime import datetime, timezone

from conftest import wait_for

OP = "op-banking-0001"


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_request_log_withholds_the_anonymous_reporter(fresh_demo_hub):
    h = fresh_demo_hub
    op = h.login(OP)
    uid = op.me["id"]
    ids = {}
    for route in ("anonymous", "direct"):
        r = h.api("POST", "/api/v1/reports", session=op, json={
            "title": f"log probe {route}", "kind": "incident",
            "detected_at": now_iso(), "range": "amber", "route": route,
            "what_happened": "x"})
        assert r.status_code == 201, r.text
        ids[route] = r.json()["id"]
        u = h.api("POST", f"/api/v1/reports/{ids[route]}/updates",
                  session=op, json={"kind": "update", "text": "more"})
        assert u.status_code == 201, u.text

    def writes():
        return [e for e in h.log_lines()
                if e.get("msg") == "request" and e.get("method") == "POST"
                and e.get("route") in ("/api/v1/reports",
                                       "/api/v1/reports/{id}/updates")
                and e.get("status") == 201]
    lines = wait_for(lambda: len(writes()) == 4 and writes(),
                     what="the four request lines")
    named = [e for e in lines if e.get("org") == OP or e.get("user") == uid]
    # the direct filing and its update name their actor; the anonymous
    # ones name nobody
    assert len(named) == 2, lines
    assert sum(1 for e in lines if e.get("org") is None
               and e.get("user") is None) == 2, lines
    text = h.log_path.read_text(errors="replace")
    assert ids["anonymous"] not in text


def test_request_log_withholds_the_reporters_own_reads(fresh_demo_hub):
    """The anonymous reporter's reads of its own report (the report, its
    attachment, its STIX bundle, a note) are audited withheld; their
    request lines named the reporter at the entry's second (found by an
    outside review). The same reads of a direct report name it, so the
    check can fail."""
    h = fresh_demo_hub
    op = h.login(OP)
    uid = op.me["id"]
    ids = {}
    for route in ("anonymous", "direct"):
        r = h.api("POST", "/api/v1/reports", session=op, json={
            "title": f"read probe {route}", "kind": "incident",
            "detected_at": now_iso(), "range": "amber", "route": route,
            "what_happened": "x", "attachments": [
                {"name": "a.txt", "mime": "text/plain",
                 "content_base64": "aGVsbG8="}]})
        assert r.status_code == 201, r.text
        ids[route] = r.json()["id"]
    paths = ("", "/attachments/1", "/stix")
    for route, rid in ids.items():
        for p in paths:
            g = h.api("GET", f"/api/v1/reports/{rid}{p}", session=op)
            assert g.status_code == 200, (route, p, g.text)

    def reads():
        return [e for e in h.log_lines()
                if e.get("msg") == "request" and e.get("method") == "GET"
                and e.get("route", "").startswith("/api/v1/reports/{id}")
                and e.get("status") == 200]
    lines = wait_for(lambda: len(reads()) == 6 and reads(),
                     what="the six request lines")
    named = [e for e in lines if e.get("org") == OP or e.get("user") == uid]
    assert len(named) == 3, lines
    assert sum(1 for e in lines if e.get("org") is None
               and e.get("user") is None) == 3, lines


def test_request_log_withholds_the_reporter_revealing_its_own_report(
        fresh_demo_hub):
    """The reporter revealing its own anonymous report: the audit entry
    withholds its actor, and the request line named it at the entry's
    second (found by an outside review). The secretariat's reveal of the
    same report names the secretariat, so the check can fail."""
    h = fresh_demo_hub
    op = h.login(OP)
    uid = op.me["id"]
    assert "liaison" in op.me["roles"], op.me
    r = h.api("POST", "/api/v1/reports", session=op, json={
        "title": "reveal probe", "kind": "incident",
        "detected_at": now_iso(), "range": "amber", "route": "anonymous",
        "what_happened": "x"})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    sec = h.login("ceptoar-banking-secretariat")
    for s in (op, sec):
        v = h.api("POST", f"/api/v1/reports/{rid}/reveal", session=s,
                  json={"reason": "確認 / check"})
        assert v.status_code == 200, v.text

    def reveals():
        return [e for e in h.log_lines()
                if e.get("msg") == "request"
                and e.get("route") == "/api/v1/reports/{id}/reveal"
                and e.get("status") == 200]
    lines = wait_for(lambda: len(reveals()) == 2 and reveals(),
                     what="the two request lines")
    assert [e.get("org") for e in lines].count(
        "ceptoar-banking") == 1, lines
    assert not [e for e in lines if e.get("org") == OP
                or e.get("user") == uid], lines
