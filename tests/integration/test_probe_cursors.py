"""Probe: list cursors must not count what the reader may not see.

The API promises that lists "never say how much was left out". A cursor
that is the internal sequence number of the last row shown does: the gap
between two readers' consecutive cursors is the number of reports (or
advisories) filed in between that the reader may not read, and the public
page's cursor counted every non-White advisory to anyone on the Internet.
A cursor names only what the page showed: the id of its last item.
"""
import re
from datetime import datetime, timezone

from conftest import assert_error

OP = "op-banking-0001"
READER = "op-gas-0001"


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def file(h, s, rng, title):
    r = h.api("POST", "/api/v1/reports", session=s, json={
        "title": title, "kind": "incident", "detected_at": now_iso(),
        "range": rng, "route": "direct", "what_happened": "x"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def issue(h, s, rng, title, orgs=None):
    body = {"kind": "security_info", "range": rng, "severity": 1,
            "title_ja": title, "title_en": title, "body_ja": "b",
            "body_en": "b",
            "audience": {"orgs": orgs} if orgs else {"sectors": ["finance"]}}
    r = h.api("POST", "/api/v1/advisories", session=s, json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def pages(h, s, path, **params):
    """Every page with limit 1: [(ids on the page, next_cursor)]."""
    out, cursor = [], None
    for _ in range(50):
        p = dict(params, limit=1)
        if cursor:
            p["cursor"] = cursor
        r = h.api("GET", path, session=s, params=p)
        assert r.status_code == 200, r.text
        ids = [i["id"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        out.append((ids, cursor))
        if cursor is None:
            return out
    raise AssertionError("pagination does not end")


def assert_cursors_name_only_shown_items(seen):
    for ids, cursor in seen:
        if cursor is not None:
            assert not re.fullmatch(r"-?\d+", cursor), cursor
            assert cursor == ids[-1], (cursor, ids)


def test_report_cursor_does_not_count_hidden_reports(fresh_demo_hub):
    h = fresh_demo_hub
    op, reader = h.login(OP), h.login(READER)
    g1 = file(h, op, "green", "visible one")
    for i in range(3):
        file(h, op, "red", f"hidden {i}")
    g2 = file(h, op, "green", "visible two")
    seen = pages(h, reader, "/api/v1/reports")
    assert [ids for ids, _ in seen] == [[g2], [g1]]
    assert_cursors_name_only_shown_items(seen)
    # the cursor pages on exactly as before, for lists and exports
    r = h.api("GET", "/api/v1/reports/export", session=reader,
              params={"cursor": seen[0][1]})
    assert r.status_code == 200 and g1 in r.text and g2 not in r.text
    # a cursor naming a report the reader may not read is refused exactly
    # like one the hub never returned
    red = file(h, op, "red", "hidden cursor")
    a = h.api("GET", "/api/v1/reports", session=reader,
              params={"cursor": red})
    b = h.api("GET", "/api/v1/reports", session=reader,
              params={"cursor": "R" + "0" * (len(red) - 1)})
    assert_error(a, 400, "invalid_value", "cursor")
    assert a.content == b.content


def test_advisory_and_public_cursors_do_not_count_hidden_ones(
        fresh_demo_hub):
    h = fresh_demo_hub
    fsa, reader = h.login("fsa-desk"), h.login(READER)
    w1 = issue(h, fsa, "white", "public one")
    for i in range(3):
        issue(h, fsa, "red", f"hidden {i}", orgs=["op-banking-0001"])
    w2 = issue(h, fsa, "white", "public two")
    seen = pages(h, reader, "/api/v1/advisories")
    assert [ids for ids, _ in seen] == [[w2], [w1]]
    assert_cursors_name_only_shown_items(seen)
    # the public page (20 a page) links older pages by the same cursor
    for i in range(20):
        issue(h, fsa, "white", f"public filler {i}")
    r = h.get("/public")
    assert r.status_code == 200
    m = re.search(r'cursor=([^"&]+)"', r.text)
    assert m, r.text[-500:]
    assert not re.fullmatch(r"\d+", m.group(1)), m.group(1)
    older = h.get("/public", params={"cursor": m.group(1)})
    assert older.status_code == 200 and w2 in older.text
    hidden = issue(h, fsa, "red", "hidden cursor", orgs=["op-banking-0001"])
    assert_error(h.get("/public", params={"cursor": hidden}), 400,
                 "invalid_value", "cursor")


def test_update_and_attachment_numbers_do_not_count_hidden_ones(
        fresh_demo_hub):
    """updates[].id, attachments[].id/update and the timeline's
    detail.update are numbered per report: hub-wide row ids would count
    the updates and files of reports the reader may not read."""
    import base64
    h = fresh_demo_hub
    op, reader = h.login(OP), h.login(READER)

    def att(text):
        return [{"name": f"{text}.txt", "mime": "text/plain",
                 "content_base64": base64.b64encode(text.encode()).decode()}]

    hidden = file(h, op, "red", "hidden with files")
    rid = h.api("POST", "/api/v1/reports", session=op, json={
        "title": "visible with files", "kind": "incident",
        "detected_at": now_iso(), "range": "green", "route": "direct",
        "what_happened": "x", "attachments": att("first")}).json()["id"]
    for i in range(3):   # hidden activity between the visible entries
        r = h.api("POST", f"/api/v1/reports/{hidden}/updates", session=op,
                  json={"kind": "update", "text": f"hidden {i}",
                        "attachments": att(f"hidden{i}")})
        assert r.status_code == 201, r.text
    r = h.api("POST", f"/api/v1/reports/{rid}/updates", session=op,
              json={"kind": "update", "text": "more",
                    "attachments": att("second")})
    assert r.status_code == 201, r.text
    view = h.api("GET", f"/api/v1/reports/{rid}", session=reader).json()
    assert [u["id"] for u in view["updates"]] == [1, 2]
    assert [a["id"] for a in view["attachments"]] == [1, 2]
    assert [a["update"] for a in view["attachments"]] == [1, 2]
    tl_updates = [e["detail"]["update"] for e in view["timeline"]
                  if "update" in (e.get("detail") or {})]
    assert tl_updates == [2], view["timeline"]
    for a, want in zip(view["attachments"], (b"first", b"second")):
        got = h.api("GET", f"/api/v1/reports/{rid}/attachments/{a['id']}",
                    session=reader)
        assert got.status_code == 200 and got.content == want
    # the owner's view of the hidden report is numbered the same way
    own = h.api("GET", f"/api/v1/reports/{hidden}", session=op).json()
    assert [u["id"] for u in own["updates"]] == [1, 2, 3, 4]
    assert [a["id"] for a in own["attachments"]] == [1, 2, 3]
    assert [a["update"] for a in own["attachments"]] == [2, 3, 4]
    ghost = h.api("GET", f"/api/v1/reports/{rid}/attachments/3",
                  session=reader)
    assert_error(ghost, 404, "not_found")
