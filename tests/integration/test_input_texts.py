"""Texts the API takes, as an outside review sent them (2026-12-07):
each bad one is refused naming its field and changes nothing, and a long
Japanese text sent the way Python's json writes it (every character as a
\\uXXXX escape, six bytes) fits the body limit its maxLength promises.

docs/rules.md "Texts" (every required title, name and reason says
something and holds no bidirectional control)."""
import json

from conftest import assert_error
from test_reports_flow import OP, file_report, now_iso, tok

HOP = "fsa-desk"  # a direct report's first hop
# U+17B4/5 (Khmer inherent vowels, shown as nothing) and U+061C (the
# Arabic letter mark, a bidirectional control) were taken as a risk's
# title, an exercise's and a file's name: found by a review (2026-12-07)
SAYS_NOTHING = ("", "  ", "\u3000", "\u200b", "\u17b4", "\u17b5\u17b4")
BIDI = ("a\u202eb", "\u2066x", "x\u061cy")


def reports_of(hub):
    r = hub.api("GET", "/api/v1/reports?limit=200", token=tok(hub, OP))
    assert r.status_code == 200, r.text
    return [x["id"] for x in r.json()["items"]]


def test_a_declared_reason_that_says_nothing_is_refused(fresh_demo_hub):
    """declared_severity raises the report's level (alerts to every hop's
    contacts): its reason must say why. A blank, invisible or bidi reason
    was 201."""
    hub = fresh_demo_hub
    before = reports_of(hub)
    for bad in SAYS_NOTHING + BIDI:
        r = hub.api("POST", "/api/v1/reports", token=tok(hub, OP), json={
            "title": "declared", "kind": "incident",
            "detected_at": now_iso(), "range": "green", "route": "direct",
            "declared_severity": 4, "declared_reason": bad})
        assert_error(r, 400, field="declared_reason")
    assert reports_of(hub) == before
    rid = file_report(hub, title="to update")["id"]
    v = hub.api("GET", f"/api/v1/reports/{rid}", token=tok(hub, OP)).json()
    for bad in SAYS_NOTHING + BIDI:
        r = hub.api("POST", f"/api/v1/reports/{rid}/updates",
                    token=tok(hub, OP),
                    json={"kind": "update", "declared_severity": 5,
                          "declared_reason": bad})
        assert_error(r, 400, field="declared_reason")
    w = hub.api("GET", f"/api/v1/reports/{rid}", token=tok(hub, OP)).json()
    assert w["severity"] == v["severity"] and w["updates"] == v["updates"]
    # a reason that says something is taken
    r = hub.api("POST", f"/api/v1/reports/{rid}/updates", token=tok(hub, OP),
                json={"kind": "update", "declared_severity": 4,
                      "declared_reason": "決済停止 / payments stopped"})
    assert r.status_code == 201, r.text


def test_an_update_is_told_about_the_time_it_sent(fresh_demo_hub):
    """An update that sends only occurred_at, after the report's
    detected_at, was told about detected_at, a field an update cannot
    send."""
    hub = fresh_demo_hub
    rid = file_report(hub, title="times",
                      detected_at="2026-12-01T00:00:00Z")["id"]
    r = hub.api("POST", f"/api/v1/reports/{rid}/updates", token=tok(hub, OP),
                json={"kind": "update",
                      "occurred_at": "2026-12-02T00:00:00Z"})
    assert_error(r, 400, "invalid_value", "occurred_at")
    # filing with both: the later one is named, as before
    r = hub.api("POST", "/api/v1/reports", token=tok(hub, OP), json={
        "title": "times", "kind": "incident", "range": "green",
        "route": "direct", "detected_at": "2026-12-01T00:00:00Z",
        "occurred_at": "2026-12-02T00:00:00Z"})
    assert_error(r, 400, "invalid_value", "detected_at")


def test_drill_texts_are_checked_as_an_advisorys(fresh_demo_hub):
    """A drill's title and body become an advisory pushed to every
    member: the same checks as POST /api/v1/advisories (a bidi title was
    201 and reached the members' webhooks)."""
    hub = fresh_demo_hub
    nisc = tok(hub, "nisc-analyst")

    def drills():
        r = hub.api("GET", "/api/v1/drills", token=nisc)
        assert r.status_code == 200, r.text
        return r.json()

    before = drills()
    for field in ("title_ja", "title_en", "body_ja", "body_en"):
        for bad, code in [(b, "invalid_value") for b in SAYS_NOTHING] + \
                [(b, "invalid_text") for b in BIDI]:
            r = hub.api("POST", "/api/v1/drills", token=nisc, json={
                "target_kind": "ceptoar", "target": "ceptoar-banking",
                field: bad})
            assert_error(r, 400, code, field)
    assert drills() == before
    # null or absent: the default texts
    r = hub.api("POST", "/api/v1/drills", token=nisc, json={
        "target_kind": "ceptoar", "target": "ceptoar-banking",
        "title_ja": None})
    assert r.status_code == 201, r.text


def test_token_names_say_something_on_one_line(fresh_demo_hub):
    hub = fresh_demo_hub
    s = hub.login(OP)

    def names():
        r = hub.api("GET", "/api/v1/tokens", session=s)
        assert r.status_code == 200, r.text
        return sorted(t["name"] for t in r.json()["items"])

    before = names()
    for bad, code in [(b, "invalid_value") for b in SAYS_NOTHING] + \
            [(b, "invalid_text") for b in BIDI + ("a\nb", "a\tb")]:
        r = hub.api("POST", "/api/v1/tokens", session=s, json={"name": bad})
        assert_error(r, 400, code, "name")
    assert names() == before
    r = hub.api("POST", "/api/v1/tokens", session=s,
                json={"name": "連携システム / integration"})
    assert r.status_code == 201, r.text


def test_long_japanese_texts_fit_when_escaped(fresh_demo_hub):
    """A note of 4,000 characters (its maxLength) in Japanese, sent as
    Python's json sends it (\\uXXXX: 24,000 bytes), was 413 at a 16 KiB
    limit; the same note as raw UTF-8 fitted. So does a forward's note."""
    hub = fresh_demo_hub
    rid = file_report(hub, title="long note", range="amber")["id"]
    text = "障" * 4000
    body = json.dumps({"text": text})
    assert len(body.encode()) > 16384
    r = hub.api("POST", f"/api/v1/reports/{rid}/notes", token=tok(hub, HOP),
                data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    r = hub.api("POST", f"/api/v1/reports/{rid}/forward", token=tok(hub, HOP),
                data=json.dumps({"note": text}),
                headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    # one character more is refused naming the field, not by size
    r = hub.api("POST", f"/api/v1/reports/{rid}/notes", token=tok(hub, HOP),
                data=json.dumps({"text": text + "障"}),
                headers={"Content-Type": "application/json"})
    assert_error(r, 400, field="text")


def test_the_export_gives_the_effective_severity(fresh_demo_hub):
    """The CSV's severity column is the list's severity.effective (the
    OpenAPI document said computed; a declared 4 over a computed 0 is 4
    in both)."""
    import csv
    import io
    hub = fresh_demo_hub
    rid = file_report(hub, title="declared four", declared_severity=4,
                      declared_reason="決済停止 / payments stopped")["id"]
    v = hub.api("GET", f"/api/v1/reports/{rid}", token=tok(hub, OP)).json()
    assert v["severity"]["declared"] == 4
    assert v["severity"]["computed"] < 4 and v["severity"]["effective"] == 4
    r = hub.api("GET", "/api/v1/reports/export", token=tok(hub, OP))
    assert r.status_code == 200, r.text
    rows = {x["id"]: x for x in csv.DictReader(io.StringIO(r.text))}
    assert rows[rid]["severity"] == "4"


def test_an_audience_names_each_member_once(fresh_demo_hub):
    """audience.orgs (sectors, scopes, ceptoars, lists, subgroups) with
    an item twice was taken and shown back twice; now 400 naming the
    field, and no advisory is made."""
    hub = fresh_demo_hub
    nisc = tok(hub, "nisc-analyst")

    def ids():
        r = hub.api("GET", "/api/v1/advisories?limit=200", token=nisc)
        assert r.status_code == 200, r.text
        return [a["id"] for a in r.json()["items"]]

    before = ids()
    base = {"kind": "security_info", "range": "green", "severity": 1,
            "title_ja": "重複", "title_en": "twice", "body_ja": "本文",
            "body_en": "body"}
    for key, twice in (("orgs", ["op-banking-0001", "op-banking-0001"]),
                       ("sectors", ["finance", "finance"])):
        r = hub.api("POST", "/api/v1/advisories", token=nisc,
                    json=dict(base, audience={key: twice}))
        assert_error(r, 400, "invalid_value", f"audience.{key}")
    assert ids() == before
    r = hub.api("POST", "/api/v1/advisories", token=nisc,
                json=dict(base, audience={"orgs": ["op-banking-0001"]}))
    assert r.status_code == 201, r.text
    assert r.json()["audience"]["orgs"] == ["op-banking-0001"]


def test_an_update_says_something(fresh_demo_hub):
    """An update of kind "update" with no text and no field it changes was
    appended as a numbered update that says nothing (found by a new user's
    review: the report page's Send with an empty box). 400 naming text,
    the same for a report that does not exist; nothing is appended."""
    hub = fresh_demo_hub
    rid = file_report(hub, title="to update")["id"]
    v = hub.api("GET", f"/api/v1/reports/{rid}", token=tok(hub, OP)).json()
    for body in ({"kind": "update"}, {"kind": "update", "text": ""},
                 {"kind": "update", "text": " \u3000"},
                 {"kind": "update", "text": None}):
        r = hub.api("POST", f"/api/v1/reports/{rid}/updates",
                    token=tok(hub, OP), json=body)
        assert_error(r, 400, "missing_field", "text")
        r2 = hub.api("POST", "/api/v1/reports/R0000000000000000/updates",
                     token=tok(hub, OP), json=body)
        assert r2.json() == r.json() and r2.status_code == 400
    w = hub.api("GET", f"/api/v1/reports/{rid}", token=tok(hub, OP)).json()
    assert w["updates"] == v["updates"]
    # a text, or a field alone, is an update; a full report needs neither
    for body in ({"kind": "update", "text": "復旧作業中 / restoring"},
                 {"kind": "update", "measures": "切替済み"},
                 {"kind": "full"}):
        r = hub.api("POST", f"/api/v1/reports/{rid}/updates",
                    token=tok(hub, OP), json=body)
        assert r.status_code == 201, (body, r.text)
