"""Bad input to the reporting API: each refusal names the field, and nothing
is stored (reports counted by NISC and by the filer; a report's updates).

The refused bodies use the Green range wherever the refusal is not about
the range, so that a report stored by mistake would be counted by NISC."""
import base64
import json
from datetime import datetime, timedelta, timezone

import pytest

from conftest import DATA, assert_error

OP = "op-banking-0001"


def iso(**ago):
    t = datetime.now(timezone.utc) - timedelta(**ago)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def tok(hub, user):
    cache = hub.__dict__.setdefault("_rep_tokens", {})
    if user not in cache:
        cache[user] = hub.token(user, name="rep-bad")
    return cache[user]


def body(**fields):
    b = {"title": "bad input probe", "kind": "incident", "detected_at": iso(),
         "range": "green", "route": "direct"}
    b.update(fields)
    return {k: v for k, v in b.items() if v is not None}


def post(hub, b, user=OP):
    return hub.api("POST", "/api/v1/reports", token=tok(hub, user), json=b)


def totals(hub, *users):
    out = {}
    for u in ("nisc-analyst", OP) + users:
        r = hub.api("GET", "/api/v1/reports/counts", token=tok(hub, u))
        assert r.status_code == 200, r.text
        out[u] = r.json()["total"]
    return out


def refused(hub, b, status, code, field, user=OP):
    before = totals(hub, user) if user != OP else totals(hub)
    err = assert_error(post(hub, b, user), status, code, field)
    after = totals(hub, user) if user != OP else totals(hub)
    assert after == before, "a refused report was stored"
    return err


def b64(data):
    return base64.b64encode(data).decode()


# (label, a name with a control character): header injection, line
# breaks, tab, other C0, DEL and C1 (NEL)
CONTROL_NAMES = [("crlf", "a\r\nX-Evil: 1"), ("lf", "a\nb"), ("cr", "a\rb"),
                 ("tab", "a\tb"), ("soh", "a\x01b"), ("esc", "a\x1bb"),
                 ("us", "a\x1f"), ("del", "a\x7fb"), ("nel", "a\x85b")]


BAD_FILINGS = [
    ("kind-outage", dict(kind="outage"), 400, "invalid_value", "kind"),
    ("range-purple", dict(range="purple"), 400, "invalid_value", "range"),
    ("route-pigeon", dict(route="carrier_pigeon"), 400, "invalid_value",
     "route"),
    ("cause", dict(cause="aliens"), 400, "invalid_value", "cause"),
    ("threat", dict(threat_type="gremlins"), 400, "invalid_value",
     "threat_type"),
    ("domains", dict(domains=["it", "ai"]), 400, "invalid_value",
     "domains"),
    ("detected-before-occurred",
     dict(occurred_at=iso(hours=1), detected_at=iso(hours=2)), 400,
     "invalid_value", "detected_at"),
    ("contained-before-occurred",
     dict(occurred_at=iso(hours=2), detected_at=iso(hours=1),
          contained_at=iso(hours=3)), 400, "invalid_value", "contained_at"),
    ("detected-in-future", dict(detected_at=iso(hours=-2)), 400,
     "invalid_value", "detected_at"),
    ("detected-not-a-time", dict(detected_at="yesterday"), 400,
     "invalid_value", "detected_at"),
    ("negative-users", dict(impact={"users_affected": -5}), 400,
     "out_of_range", "impact.users_affected"),
    ("negative-households", dict(impact={"households": -1}), 400,
     "out_of_range", "impact.households"),
    ("unknown-field", dict(colour="blue"), 400, "unknown_field", "colour"),
    ("unknown-impact-field", dict(impact={"sheep": 3}), 400,
     "unknown_field", "impact.sheep"),
    ("missing-title", dict(title=None), 400, "missing_field", "title"),
    ("missing-detected", dict(detected_at=None), 400, "missing_field",
     "detected_at"),
    ("title-too-long", dict(title="x" * 201), 400, "too_long", "title"),
    ("other-org", dict(org="op-banking-0002"), 403, None, "org"),
    ("other-scope", dict(scope="gas"), 400, "invalid_value", "scope"),
    ("ci-service-other-scope", dict(ci_service="gas.gas_supply"), 400,
     "invalid_value", "ci_service"),
    ("ci-service-unknown", dict(ci_service="banking.teleportation"), 400,
     "invalid_value", "ci_service"),
    ("system-class-other-scope", dict(system_class="ict.network"), 400,
     "invalid_value", "system_class"),
    ("via-ceptoar-not-member",
     dict(route="via_ceptoar", via_ceptoar="ceptoar-gas"), 400,
     "invalid_value", "via_ceptoar"),
    ("anonymous-via-ceptoar-not-member",
     dict(route="anonymous", via_ceptoar="ceptoar-securities"), 400,
     "invalid_value", "via_ceptoar"),
    ("via-agency-ministry", dict(route="via_agency", via_agency="fsa"), 400,
     "invalid_value", "via_agency"),
    ("via-agency-ceptoar",
     dict(route="via_agency", via_agency="ceptoar-banking"), 400,
     "invalid_value", "via_agency"),
    ("via-agency-unknown", dict(route="via_agency", via_agency="cia"), 400,
     "invalid_value", "via_agency"),
    ("via-agency-missing", dict(route="via_agency"), 400, "missing_field",
     "via_agency"),
    ("via-agency-wrong-route", dict(route="direct", via_agency="jpcert"),
     400, "invalid_value", "via_agency"),
    ("declared-no-reason", dict(declared_severity=3), 400, None,
     "declared_reason"),
    ("attachment-not-base64",
     dict(attachments=[{"name": "a.txt", "mime": "text/plain",
                        "content_base64": "%%%not base64%%%"}]),
     400, "invalid_value", "attachments.content_base64"),
    ("attachment-missing-name",
     dict(attachments=[{"mime": "text/plain", "content_base64": "aGk="}]),
     400, "missing_field", "attachments[0].name"),
    # a required text of only white space is missing in effect (U+3000,
    # the ideographic space, counts as white space)
    ("title-empty", dict(title=""), 400, "invalid_value", "title"),
    ("title-spaces", dict(title="   "), 400, "invalid_value", "title"),
    ("title-ideographic-spaces", dict(title="\u3000\u3000"), 400,
     "invalid_value", "title"),
    ("title-mixed-white-space", dict(title=" \t\r\n\u3000 "), 400,
     "invalid_value", "title"),
    # and so do the characters that show nothing: no-break spaces,
    # zero-width spaces and joiners, the byte order mark
    ("title-invisible", dict(title="\u00a0\u200b\u200d\ufeff\u2060"), 400,
     "invalid_value", "title"),
    # found by an outside review: each of these showed nothing and passed
    ("title-braille-blank", dict(title="\u2800"), 400, "invalid_value",
     "title"),
    ("title-variation-selector-17", dict(title="\U000E0100"), 400,
     "invalid_value", "title"),
    ("title-tags", dict(title="\U000E0020\U000E0041"), 400,
     "invalid_value", "title"),
    ("title-mongolian-fvs", dict(title="\u180b"), 400, "invalid_value",
     "title"),
    ("title-mark-alone", dict(title="\u0300"), 400, "invalid_value",
     "title"),
    # a bidirectional control would show the rest of a title reversed in
    # every list ("RLO": "report\u202etxt.exe")
    ("title-bidi-override", dict(title="report\u202etxt.exe"), 400,
     "invalid_text", "title"),
    ("attachment-blank-name",
     dict(attachments=[{"name": " \u3000", "mime": "text/plain",
                        "content_base64": b64(b"hi")}]),
     400, "invalid_value", "attachments[0].name"),
    ("attachment-empty-mime",
     dict(attachments=[{"name": "a.txt", "mime": "",
                        "content_base64": b64(b"hi")}]),
     400, "invalid_value", "attachments[0].mime"),
    # an attachment's name and type are one line: no CR, LF, tab or any
    # other control character (C0, DEL, C1)
    *[(f"attachment-name-{label}",
       dict(attachments=[{"name": "a.txt", "mime": "text/plain",
                          "content_base64": b64(b"hi")},
                         {"name": bad, "mime": "text/plain",
                          "content_base64": b64(b"hi")}]),
       400, "invalid_text", "attachments[1].name")
      for label, bad in CONTROL_NAMES],
    *[(f"attachment-mime-{label}",
       dict(attachments=[{"name": "a.txt", "mime": "text/" + bad,
                          "content_base64": b64(b"hi")}]),
       400, "invalid_text", "attachments[0].mime")
      for label, bad in CONTROL_NAMES],
    ("six-attachments",
     dict(attachments=[{"name": f"f{i}.txt", "mime": "text/plain",
                        "content_base64": b64(b"hello")} for i in range(6)]),
     400, "too_long", "attachments"),
]


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One demo hub for the read-only refusals (nothing may be stored)."""
    from conftest import Hub
    h = Hub(tmp_path_factory.mktemp("badinput"), demo=True)
    h.init_fixture()
    h.start()
    yield h
    h.stop()


@pytest.mark.parametrize("name,fields,status,code,field", BAD_FILINGS,
                         ids=[b[0] for b in BAD_FILINGS])
def test_bad_filing_is_refused_and_nothing_stored(shared, name, fields,
                                                  status, code, field):
    refused(shared, body(**fields), status, code, field)


def catalogue_ids(kind, scope):
    doc = json.loads((DATA / "catalogue" / f"{kind}.json").read_text())
    items = doc[kind]
    return [i["id"] for i in items
            if scope in i.get("scopes", []) or i.get("scope") == scope]


def test_catalogue_values_of_the_scope_are_accepted(shared):
    """The counterpart of the ci_service refusals: the catalogue's own
    entries for banking (read from data/) pass."""
    svc = catalogue_ids("ci_services", "banking")[0]
    cls = catalogue_ids("system_classes", "banking")[0]
    ok = post(shared, body(ci_service=svc, system_class=cls,
                           title="catalogue ok"))
    assert ok.status_code == 201, ok.text
    assert ok.json()["ci_service"] == svc
    assert ok.json()["system_class"] == cls


def test_catalogue_endpoint_lists_the_scope(shared):
    """GET /api/v1/catalogue?scope= is where the refusal message sends the
    reporter; it must answer."""
    r = shared.api("GET", "/api/v1/catalogue", token=tok(shared, OP),
                   params={"scope": "banking"})
    assert r.status_code == 200, r.text
    assert {i["id"] for i in r.json()["ci_services"]} == set(
        catalogue_ids("ci_services", "banking"))
    assert {i["id"] for i in r.json()["system_classes"]} == set(
        catalogue_ids("system_classes", "banking"))
    r = shared.api("GET", "/api/v1/catalogue", token=tok(shared, OP))
    assert r.status_code == 200, r.text


def test_an_agency_cannot_file_even_anonymously(shared):
    hub = shared
    hub.cli("user", "add", "ag-rep", "--org", "jpcert", "--roles",
            "reader,reporter")
    for route in ("anonymous", "via_ceptoar", "direct"):
        refused(hub, body(route=route), 403, None, None, user="ag-rep")


def test_a_user_without_the_reporter_role_cannot_file(shared):
    hub = shared
    hub.cli("user", "add", "bank-reader", "--org", OP, "--roles", "reader")
    refused(hub, body(), 403, None, None, user="bank-reader")
    # a ministry desk has no reporter role either
    refused(hub, body(), 403, None, None, user="fsa-desk")


def test_not_json_and_wrong_types(shared):
    hub = shared
    before = totals(hub)
    r = hub.api("POST", "/api/v1/reports", token=tok(hub, OP),
                data=b"{not json", headers={"Content-Type":
                                            "application/json"})
    assert 400 <= r.status_code < 500
    assert_error(post(hub, body(impact={"users_affected": "many"})), 400,
                 "invalid_type", "impact.users_affected")
    assert_error(post(hub, body(impact={"service_stopped": "yes"})), 400,
                 "invalid_type", "impact.service_stopped")
    assert_error(post(hub, body(title=5)), 400, "invalid_type", "title")
    assert totals(hub) == before


def test_text_with_white_space_inside_is_kept(shared):
    """Only a text of nothing but white space is refused: spaces (the
    ideographic one too) around or inside a title, and spaces, quotes and
    non-ASCII letters in an attachment's name, are kept as written."""
    title = "\u3000 ＡＴＭ 障害　(2 branches) "
    name = "ログ file \u3000(1).txt"
    r = post(shared, body(title=title, attachments=[
        {"name": name, "mime": "text/plain; charset=utf-8",
         "content_base64": b64(b"hi")}]))
    assert r.status_code == 201, r.text
    rep = hub_get(shared, r.json()["id"])
    assert rep["title"] == title
    assert rep["attachments"][0]["name"] == name
    assert rep["attachments"][0]["mime"] == "text/plain; charset=utf-8"


def hub_get(hub, rid, user=OP):
    r = hub.api("GET", f"/api/v1/reports/{rid}", token=tok(hub, user))
    assert r.status_code == 200, r.text
    return r.json()


def big_attachment(size):
    return body(attachments=[{"name": "big.bin",
                              "mime": "application/octet-stream",
                              "content_base64": b64(b"\x01" * size)}])


MIB = 1024 * 1024


def test_attachment_just_over_1_mib_is_413(shared):
    refused(shared, big_attachment(MIB + 1), 413, "attachment_too_large",
            None)


def test_attachment_of_2_mib_is_413(shared):
    """Over 1 MiB decoded is 413 attachment_too_large, however much over
    (not a 400 about the length of the base64 text)."""
    refused(shared, big_attachment(2 * MIB), 413, "attachment_too_large",
            None)


def test_attachment_of_exactly_1_mib_is_accepted(shared):
    r = post(shared, dict(big_attachment(MIB), title="one mebibyte"))
    assert r.status_code == 201, r.text[:500]
    assert r.json()["attachments"][0]["size"] == MIB


def test_attachment_round_trip(fresh_demo_hub):
    hub = fresh_demo_hub
    data = bytes(range(256)) * 40 + b"\x00\xff end"
    r = post(hub, body(range="red", title="with attachment", attachments=[
        {"name": "pcap.bin", "mime": "text/html",
         "content_base64": b64(data)},
        {"name": "note.txt", "mime": "text/plain",
         "content_base64": b64(b"second")}]))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    atts = r.json()["attachments"]
    assert [a["name"] for a in atts] == ["pcap.bin", "note.txt"]
    for a, raw in zip(atts, (data, b"second")):
        for user in (OP, "fsa-desk"):
            g = hub.api("GET", f"/api/v1/reports/{rid}/attachments/{a['id']}",
                        token=tok(hub, user))
            assert g.status_code == 200, g.text
            assert g.content == raw
            # never rendered, whatever the declared type
            assert g.headers["Content-Type"] == "application/octet-stream"
    # Red at FSA: others cannot read it, nor its attachments
    ghost = "R" + "0" * (len(rid) - 1)
    for user in ("op-banking-0002", "nisc-analyst", "meti-desk"):
        a = hub.api("GET", f"/api/v1/reports/{rid}/attachments/{atts[0]['id']}",
                    token=tok(hub, user))
        b = hub.api("GET",
                    f"/api/v1/reports/{ghost}/attachments/{atts[0]['id']}",
                    token=tok(hub, user))
        assert_error(a, 404, "not_found")
        assert a.content == b.content
    # a readable report without that attachment
    assert_error(hub.api("GET", f"/api/v1/reports/{rid}/attachments/999",
                         token=tok(hub, OP)), 404, "not_found")
    # attachments through an update round-trip as well
    u = hub.api("POST", f"/api/v1/reports/{rid}/updates", token=tok(hub, OP),
                json={"kind": "update", "attachments": [
                    {"name": "later.txt", "mime": "text/plain",
                     "content_base64": b64(b"added later")}]})
    assert u.status_code == 201, u.text
    later = u.json()["attachments"][-1]
    # the update record keeps the attachment's name, not its bytes
    rec = u.json()["updates"][-1]["body"]["attachments"]
    assert rec[0]["name"] == "later.txt" and "content_base64" not in rec[0]
    assert "content_base64" not in u.text
    g = hub.api("GET", f"/api/v1/reports/{rid}/attachments/{later['id']}",
                token=tok(hub, OP))
    assert g.content == b"added later"


def filed(hub, **fields):
    r = post(hub, body(**fields))
    assert r.status_code == 201, r.text
    return r.json()


def n_updates(hub, rid):
    return len(hub.api("GET", f"/api/v1/reports/{rid}",
                       token=tok(hub, OP)).json()["updates"])


def test_bad_forward_and_update_change_nothing(fresh_demo_hub):
    hub = fresh_demo_hub
    rep = filed(hub, range="amber", route="via_ceptoar")
    rid = rep["id"]
    sec = tok(hub, "ceptoar-banking-secretariat")
    # widening on forward
    assert_error(hub.api("POST", f"/api/v1/reports/{rid}/forward", token=sec,
                         json={"range": "green"}), 400, "range_widening",
                 "range")
    assert_error(hub.api("POST", f"/api/v1/reports/{rid}/forward", token=sec,
                         json={"range": "beige"}), 400, "invalid_value",
                 "range")
    assert_error(hub.api("POST", f"/api/v1/reports/{rid}/forward", token=sec,
                         json={"rnage": "red"}), 400, "unknown_field",
                 "rnage")
    # forwarding by a reader that is not the current hop
    assert_error(hub.api("POST", f"/api/v1/reports/{rid}/forward",
                         token=tok(hub, "op-banking-0002"), json={}),
                 409, "not_current_hop")
    v = hub.api("GET", f"/api/v1/reports/{rid}", token=tok(hub, OP)).json()
    assert v["range"] == "amber" and v["current_hop"] == "ceptoar-banking"
    assert "forwarded" not in [e["type"] for e in v["timeline"]]
    # bad updates
    n = n_updates(hub, rid)
    for b, status, code, field in [
            ({"kind": "rewrite"}, 400, "invalid_value", "kind"),
            ({"kind": "update", "range": "green"}, 400, "range_widening",
             "range"),
            ({"kind": "update", "impact": {"kw_lost": -1}}, 400,
             "out_of_range", "impact.kw_lost"),
            ({"kind": "update", "scope": "gas"}, 400, "unknown_field",
             "scope"),
            ({"kind": "update", "ci_service": "telecom.telecommunications"},
             400, "invalid_value", "ci_service"),
            ({"kind": "update", "declared_severity": 5}, 400, None,
             "declared_reason"),
            ({"kind": "answer", "question": 1}, 400, "invalid_value",
             "question"),
            ({"kind": "update", "attachments": [
                {"name": "x", "mime": "x/y", "content_base64": "@@"}]},
             400, "invalid_value", "attachments.content_base64"),
            # a new title may not be blank; null keeps the title
            ({"kind": "update", "title": ""}, 400, "invalid_value", "title"),
            ({"kind": "update", "title": " \u3000\n"}, 400,
             "invalid_value", "title"),
            ({"kind": "update", "title": "\u2800\U000E0100\u0300"}, 400,
             "invalid_value", "title"),
            ({"kind": "update", "attachments": [
                {"name": "a\r\nX-Evil: 1", "mime": "text/plain",
                 "content_base64": b64(b"hi")}]},
             400, "invalid_text", "attachments[0].name"),
            ({"kind": "update", "attachments": [
                {"name": "a.txt", "mime": "text/plain\r\nX-Evil: 1",
                 "content_base64": b64(b"hi")}]},
             400, "invalid_text", "attachments[0].mime")]:
        assert_error(hub.api("POST", f"/api/v1/reports/{rid}/updates",
                             token=tok(hub, OP), json=b), status, code, field)
    assert n_updates(hub, rid) == n
    assert hub_get(hub, rid)["title"] == rep["title"]
    # a hop's note of only white space says nothing: refused
    for text in ("", "  ", "\u3000\t\r\n"):
        assert_error(hub.api("POST", f"/api/v1/reports/{rid}/notes",
                             token=sec, json={"text": text}),
                     400, "invalid_value", "text")
    assert "note" not in [e["type"] for e in hub_get(hub, rid)["timeline"]]
    # an update of null title keeps it
    r = hub.api("POST", f"/api/v1/reports/{rid}/updates", token=tok(hub, OP),
                json={"kind": "update", "title": None, "text": "more"})
    assert r.status_code == 201, r.text
    assert hub_get(hub, rid)["title"] == rep["title"]
    n = n_updates(hub, rid)
    # an update to a closed report
    r = hub.api("POST", f"/api/v1/reports/{rid}/updates", token=tok(hub, OP),
                json={"kind": "final", "text": "done"})
    assert r.status_code == 201
    n = n_updates(hub, rid)
    assert_error(hub.api("POST", f"/api/v1/reports/{rid}/updates",
                         token=tok(hub, OP),
                         json={"kind": "update", "text": "more"}),
                 409, "report_closed")
    assert n_updates(hub, rid) == n


def test_bad_list_parameters(shared):
    hub = shared
    t = tok(hub, "nisc-analyst")
    for params, code, field in [
            ({"kind": "outage"}, "invalid_value", "kind"),
            ({"state": "ajar"}, "invalid_value", "state"),
            ({"min_severity": "9"}, "out_of_range", "min_severity"),
            ({"overdue": "maybe"}, "invalid_value", "overdue"),
            ({"cursor": "abc"}, "invalid_value", "cursor")]:
        assert_error(hub.api("GET", "/api/v1/reports", token=t,
                             params=params), 400, code, field)
    assert_error(hub.api("GET", "/api/v1/reports/export", token=t,
                         params={"format": "xlsx"}), 400, "invalid_value",
                 "format")


def test_via_ceptoar_only_with_a_ceptoar_route(shared):
    """As via_agency is refused outside route via_agency, a via_ceptoar on a
    route that passes no CEPTOAR is refused rather than silently ignored
    (the reporter believes the report goes through that CEPTOAR)."""
    refused(shared, body(route="direct", via_ceptoar="ceptoar-banking"),
            400, "invalid_value", "via_ceptoar")
    refused(shared, body(route="via_agency", via_agency="jpcert",
                         via_ceptoar="ceptoar-gas"),
            400, "invalid_value", "via_ceptoar")


def test_request_body_over_8_mib_is_413(shared):
    before = totals(shared)
    r = shared.api("POST", "/api/v1/reports", token=tok(shared, OP),
                   data=b"{" + b" " * (9 * 1024 * 1024) + b"}",
                   headers={"Content-Type": "application/json"})
    assert_error(r, 413)
    assert totals(shared) == before
