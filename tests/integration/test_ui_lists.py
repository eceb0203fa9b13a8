"""The lists the web UI pages through (issue 11, "lists"; docs/rules.md
"Advisory list filters and the audit view"): the advisory list's filters,
cursor and acknowledged / total column, and the audit log's filters,
names and CSV export, each with its reader's visibility."""
import csv
import io
import re
from datetime import datetime, timedelta, timezone

from conftest import DEMO_PASSWORD, ROOT, assert_error
from test_reports_flow import file_report

SEC = "ceptoar-banking-secretariat"
OP = "op-banking-0001"
OTHER_SEC = "ceptoar-gas-secretariat"


def issue(hub, s, **kw):
    body = {"kind": "security_info", "range": "green", "severity": 1,
            "title_ja": "一覧試験", "title_en": "List test",
            "body_ja": "本文", "body_en": "Body",
            "audience": {"ceptoars": ["ceptoar-banking"]}}
    body.update(kw)
    r = hub.api("POST", "/api/v1/advisories", session=s, json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def listing(hub, s, **params):
    """Every item of the filtered list, page by page through next_cursor
    (pages of 2, so the cursor is used)."""
    out, cursor = [], None
    while True:
        p = dict(params, limit=2)
        if cursor:
            p["cursor"] = cursor
        r = hub.api("GET", "/api/v1/advisories", session=s, params=p)
        assert r.status_code == 200, r.text
        assert len(r.json()["items"]) <= 2
        out.extend(r.json()["items"])
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return out


def test_advisory_filters_and_cursor(fresh_demo_hub):
    hub = fresh_demo_hub
    sec = hub.login(SEC)
    made = {
        "w4": issue(hub, sec, kind="warning", severity=4, range="amber"),
        "w2": issue(hub, sec, kind="warning", severity=2),
        "s1": issue(hub, sec),
        "s3": issue(hub, sec, severity=3),
        "c5": issue(hub, sec, kind="case", severity=5, range="amber"),
    }
    op = hub.login(OP)
    r = hub.api("POST", f"/api/v1/advisories/{made['s3']}/ack", session=op)
    assert r.status_code == 200, r.text

    def ids(**params):
        got = [a["id"] for a in listing(hub, op, inbox="true", **params)]
        assert len(got) == len(set(got)), "a cursor repeated an item"
        return set(got) & set(made.values())

    assert ids() == set(made.values())
    assert ids(kind="warning") == {made["w4"], made["w2"]}
    assert ids(range="amber") == {made["w4"], made["c5"]}
    assert ids(min_severity=3) == {made["w4"], made["s3"], made["c5"]}
    assert ids(kind="warning", min_severity=3) == {made["w4"]}
    assert ids(acked="true") == {made["s3"]}
    assert ids(acked="false") == set(made.values()) - {made["s3"]}
    # the items say the same as the filters
    for a in listing(hub, op, kind="warning", min_severity=3):
        assert a["kind"] == "warning" and a["severity"] >= 3
    # the author received none of them: "acknowledged or not" matches none
    assert not {a["id"] for a in listing(hub, sec, acked="false")} & \
        set(made.values())

    # bad input: 400 naming the field
    for params, field in (({"kind": "memo"}, "kind"),
                          ({"range": "purple"}, "range"),
                          ({"min_severity": "6"}, "min_severity"),
                          ({"min_severity": "x"}, "min_severity"),
                          ({"acked": "maybe"}, "acked")):
        assert_error(hub.api("GET", "/api/v1/advisories", session=op,
                             params=params), 400, "invalid_value", field)


def test_ack_counts_only_for_delivery_viewers(fresh_demo_hub):
    hub = fresh_demo_hub
    sec = hub.login(SEC)
    adv = issue(hub, sec, range="green")
    op = hub.login(OP)
    assert hub.api("POST", f"/api/v1/advisories/{adv}/ack",
                   session=op).status_code == 200
    nisc = hub.login("nisc-analyst")
    nadv = issue(hub, nisc, range="green",
                 audience={"sectors": ["finance"]})

    def item(s, aid):
        got = [a for a in listing(hub, s) if a["id"] == aid]
        assert len(got) == 1
        return got[0]

    # the author: every recipient, one acknowledged
    a = item(sec, adv)
    d = hub.api("GET", f"/api/v1/advisories/{adv}/deliveries",
                session=sec).json()
    assert a["acks"] == {"acknowledged": 1, "total": len(d["items"])}
    assert len(d["items"]) > 1
    # an operator never sees it, on any advisory
    assert all("acks" not in x for x in listing(hub, op))
    # each reader: acks exactly when it may see the deliveries, counting
    # the recipients that view shows (the same rule, counted in SQL)
    for user in ("nisc-analyst", "fsa-desk", SEC, OTHER_SEC, OP,
                 "op-gas-0001", "meti-desk"):
        s = hub.login(user)
        for aid in (adv, nadv):
            got = [x for x in listing(hub, s) if x["id"] == aid]
            dr = hub.api("GET", f"/api/v1/advisories/{aid}/deliveries",
                         session=s)
            if not got:
                assert dr.status_code in (403, 404)
                continue
            if dr.status_code != 200:
                assert "acks" not in got[0], (user, aid)
                continue
            items = dr.json()["items"]
            assert got[0]["acks"] == {
                "acknowledged": sum(1 for i in items if i["acked_at"]),
                "total": len(items)}, (user, aid)
    # a secretariat on NISC's chain counts only the members it releases
    sa = item(sec, nadv)
    dn = hub.api("GET", f"/api/v1/advisories/{nadv}/deliveries",
                 session=nisc).json()
    assert sa["acks"]["total"] < len(dn["items"])
    # another sector's secretariat reads the Green advisory, no counts
    assert "acks" not in item(hub.login(OTHER_SEC), adv)


def entries(hub, s, **params):
    out, after = [], 0
    while True:
        r = hub.api("GET", "/api/v1/audit", session=s,
                    params=dict(params, after=after, limit=50))
        assert r.status_code == 200, r.text
        out.extend(r.json()["items"])
        if r.json()["next_after"] is None:
            return out
        after = r.json()["next_after"]


def csv_rows(resp):
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(resp.text)))


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_audit_filters_names_and_export(fresh_demo_hub):
    hub = fresh_demo_hub
    pw = hub.dir / "bank-auditor.pw"
    pw.write_text(DEMO_PASSWORD + "\n")
    hub.cli("user", "add", "bank-auditor", "--org", "ceptoar-banking",
            "--roles", "reader,auditor", "--password-file", pw)
    # a log-in attempt whose name a spreadsheet would run as a formula
    r = hub.post("/api/v1/session", json={"username": "=HYPERLINK(\"x\")",
                                          "password": "wrong-password-1"})
    assert r.status_code == 401
    sec = hub.login(SEC)
    issue(hub, sec)
    # an anonymous report: its filing's actor is withheld from NISC
    anon = file_report(hub, OP, route="anonymous", range="amber")["id"]
    nisc = hub.login("auditor")
    bank = hub.login("bank-auditor")

    everything = entries(hub, nisc)
    # names, not codes
    logins = [e for e in everything if e["action"] == "login"
              and e["actor_org"] == "ceptoar-banking"]
    assert logins and logins[0]["actor_name"] == SEC
    assert logins[0]["actor_org_name"]["en"] and \
        logins[0]["actor_org_name"]["ja"]
    filed = [e for e in everything if e["action"] == "report.file"
             and e["target"] == anon]
    assert filed and filed[0]["actor_withheld"] is True
    assert filed[0]["actor_name"] is None and filed[0]["actor_org_name"] is None

    # action filter
    got = entries(hub, nisc, action="login")
    assert got and {e["action"] for e in got} == {"login"}
    assert len(got) == sum(1 for e in everything if e["action"] == "login")
    # actor filter: by organisation and by user
    got = entries(hub, nisc, actor_org="ceptoar-banking")
    assert got and {e["actor_org"] for e in got} == {"ceptoar-banking"}
    uid = logins[0]["actor_user"]
    got = entries(hub, nisc, actor_user=uid)
    assert got and {e["actor_user"] for e in got} == {uid}
    # a withheld actor never matches an actor filter (it would name it)
    for e in entries(hub, nisc, actor_org="op-banking-0001"):
        assert e["target"] != anon or e["action"] != "report.file"
    # time range: nothing before the hub started, everything in a wide one
    now = datetime.now(timezone.utc)
    assert entries(hub, nisc, to=iso(now - timedelta(days=3650))) == []
    wide = entries(hub, nisc, **{"from": iso(now - timedelta(days=1)),
                                 "to": iso(now + timedelta(days=1))})
    assert [e["seq"] for e in wide] == \
        [e["seq"] for e in everything if e["seq"] <= wide[-1]["seq"]]

    # an organisation's auditor: its own organisation only, filters or not
    own = entries(hub, bank)
    assert own and {e["actor_org"] for e in own} == {"ceptoar-banking"}
    assert entries(hub, bank, actor_org="nisc") == []
    assert entries(hub, bank, action="login.failed") == []

    # export: the list's scope and filters, CSV-injection safe
    rows = csv_rows(hub.api("GET", "/api/v1/audit/export", session=nisc,
                            params={"action": "login.failed"}))
    assert rows and {r["action"] for r in rows} == {"login.failed"}
    assert "'=HYPERLINK(\"x\")" in {r["target"] for r in rows}
    rows = csv_rows(hub.api("GET", "/api/v1/audit/export", session=bank))
    assert [int(r["seq"]) for r in rows] == [e["seq"] for e in entries(hub, bank)]
    assert {r["actor_org"] for r in rows} == {"ceptoar-banking"}
    assert SEC in {r["actor_name"] for r in rows}
    rows = csv_rows(hub.api("GET", "/api/v1/audit/export", session=nisc,
                            params={"actor_org": "ceptoar-banking"}))
    assert {r["actor_org_name_en"] for r in rows} == \
        {logins[0]["actor_org_name"]["en"]}
    # withheld in the export as in the list
    rows = csv_rows(hub.api("GET", "/api/v1/audit/export", session=nisc,
                            params={"action": "report.file"}))
    anon_rows = [r for r in rows if r["target"] == anon]
    assert anon_rows and anon_rows[0]["actor_withheld"] == "true"
    assert anon_rows[0]["actor_org"] == "" and anon_rows[0]["actor_name"] == ""

    # not an auditor: 403 for the export as for the list
    assert_error(hub.api("GET", "/api/v1/audit/export", session=sec), 403)

    # bad input, naming the field; nothing is recorded for it
    before = len(entries(hub, nisc))
    for path in ("/api/v1/audit", "/api/v1/audit/export"):
        for params, field in (({"action": "report.frobnicate"}, "action"),
                              ({"from": "yesterday"}, "from"),
                              ({"to": "2026-13-01T00:00:00Z"}, "to"),
                              ({"from": "2026-12-01T00:00:00Z",
                                "to": "2026-11-01T00:00:00Z"}, "to"),
                              ({"actor_user": "0"}, "actor_user"),
                              ({"actor_org": ""}, "actor_org")):
            assert_error(hub.api("GET", path, session=nisc, params=params),
                         400, "invalid_value", field)
    assert_error(hub.api("GET", "/api/v1/audit/export", session=nisc,
                         params={"format": "xlsx"}), 400, field="format")
    assert len(entries(hub, nisc)) == before


# ---- every action code the hub writes has a name in the UI ----

AUDIT_CALL = re.compile(
    r"\b(?:audit_record(?:_withheld)?|cli_audit|rp_audit|audit_page)\s*\(")
CODE = re.compile(r'"([a-z_]+(?:\.[a-z_]+)*)"')


def written_codes():
    """The string literals among the first arguments of every call that
    writes an audit entry in src/ (up to its target argument)."""
    codes = set()
    for path in (ROOT / "src").rglob("*.c"):
        text = path.read_text()
        for m in AUDIT_CALL.finditer(text):
            # the call's text up to the end of its statement
            end = text.find(";", m.end())
            call = text[m.end():end]
            for lit in CODE.findall(call.split("json_pack")[0]):
                codes.add(lit)
    return codes


def table_codes():
    src = (ROOT / "src" / "service" / "audit.c").read_text()
    body = src[src.index("const char *const audit_actions[] = {"):]
    body = body[:body.index("};")]
    return set(CODE.findall(body))


def test_every_audit_action_has_a_label(fresh_demo_hub):
    hub = fresh_demo_hub
    table = table_codes()
    written = written_codes()
    # literals that are not action codes: the target of a log-in (a user
    # name) is a variable, so every literal found is a code
    missing = written - table
    assert not missing, f"codes written but not in audit_actions[]: {missing}"
    assert {"login", "advisory.issue", "report.reveal"} <= table
    text = (ROOT / "web" / "i18n.js").read_text()
    block = re.search(r"\n  auditact: \{\n(.*?)\n  \},", text, re.S)
    assert block, "no auditact table in web/i18n.js"
    labels = {c: (ja, en) for c, ja, en in re.findall(
        r"'([a-z_.]+)': \['([^']*)', '([^']*)'\]", block.group(1))}
    assert table <= set(labels), f"no label for {table - set(labels)}"
    for code in table:
        ja, en = labels[code]
        assert ja.strip() and en.strip() and ja != code and en != code
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja), (code, ja)
    # and the hub accepts exactly these as a filter
    nisc = hub.login("auditor")
    for code in sorted(table):
        r = hub.api("GET", "/api/v1/audit", session=nisc,
                    params={"action": code, "limit": 1})
        assert r.status_code == 200, (code, r.text)


def test_opened_is_the_organisations_read_state(fresh_demo_hub):
    hub = fresh_demo_hub
    sec = hub.login(SEC)
    adv = issue(hub, sec)
    red = issue(hub, sec, range="red", audience={"orgs": [OP]})

    def mine(s, aid):
        got = [a for a in listing(hub, s, inbox="true") if a["id"] == aid]
        assert len(got) == 1
        return got[0]["mine"]

    op = hub.login(OP)
    other = hub.login("op-banking-0002")
    assert mine(op, adv)["opened_at"] is None
    # the author reading it records nothing (it is no recipient)
    assert hub.api("GET", f"/api/v1/advisories/{adv}", session=sec).ok
    assert mine(op, adv)["opened_at"] is None
    r = hub.api("GET", f"/api/v1/advisories/{adv}", session=op)
    assert r.status_code == 200 and r.json()["mine"]["opened_at"]
    first = mine(op, adv)["opened_at"]
    assert first
    # another organisation's state is its own
    assert mine(other, adv)["opened_at"] is None
    # a second reading keeps the first time
    assert hub.api("GET", f"/api/v1/advisories/{adv}", session=op).ok
    assert mine(op, adv)["opened_at"] == first
    # an audited (Red) read records it too; an acknowledgement without
    # reading leaves it unopened but acknowledged
    assert hub.api("POST", f"/api/v1/advisories/{red}/ack",
                   session=op).status_code == 200
    m = mine(op, red)
    assert m["acknowledged"] is True and m["opened_at"] is None
    assert hub.api("GET", f"/api/v1/advisories/{red}", session=op).ok
    assert mine(op, red)["opened_at"]
