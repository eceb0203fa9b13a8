"""Upward alerts (DOMAIN.md §6a; docs/rules.md "Upward alerts"): a report
arriving at a hop alerts the hop's contacts through the outbox (signed
webhooks to a real HTTP receiver, e-mail to a real SMTP server), with the
range rule in the body; severity >= 4 goes to every contact and the
emergency contacts at once, lower severities to the first contact; an
auto-forward alerts the next hop; a raised severity alerts again; the hop
acknowledges by opening the report (API read or the single-use signed
link); an unopened severe report is reminded once after the hop's review
limit; NISC lists unopened severe reports by hop."""
import json
import re
from datetime import datetime, timezone

import pytest
import requests

from conftest import BUILD, assert_error, wait_for
from receivers import SMTPReceiver, WebhookReceiver
from test_provision_features import (ack_path, assert_stays, base_flags,
                                     make_hub, verify_signature)

OP = "op-alert"


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def hook():
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def ahub(tmp_path, smtp, hook):
    """No demo data: a gas operator that files, METI, the gas secretariat
    and NISC staffed, each hop with a webhook (priority 1) and an e-mail
    (priority 2) contact, METI with an emergency webhook too."""
    h = make_hub(tmp_path, base_flags(smtp))
    h.add_operator(OP)
    h.add_user("op-rep", OP, "reader,reporter")
    h.add_user("nisc-a", "nisc", "reader,liaison,analyst")
    h.add_user("meti-a", "meti", "reader,liaison,analyst")
    h.add_user("gas-sec", "ceptoar-gas", "reader,liaison,analyst")
    h.add_user("op-other", OP, "reader,liaison")
    h.secrets = {}
    for org in ("meti", "nisc", "ceptoar-gas"):
        h.secrets[org] = h.add_contact(org, "webhook",
                                       hook.url(f"/hooks/{org}"), 1)
        h.add_contact(org, "email", f"desk@{org}.example.jp", 2)
    h.secrets["meti-em"] = h.add_contact(
        "meti", "webhook", hook.url("/hooks/meti-emergency"), 3,
        emergency=True)
    h.start()
    yield h
    h.stop()


def file(h, severity=4, rng="amber", route="direct", title="alert report",
         **more):
    body = {"title": title, "kind": "incident", "detected_at": now_iso(),
            "range": rng, "route": route,
            "what_happened": "the control network went dark"}
    if severity:
        body["declared_severity"] = severity
        body["declared_reason"] = "test severity"
    body.update(more)
    r = h.call("POST", "/api/v1/reports", "op-rep", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def alert_hits(hook, org, rid, purpose="alert"):
    # the exact path: "/hooks/meti" is a prefix of "/hooks/meti-emergency"
    return [x for x in hook.seen(f"/hooks/{org}")
            if x.path == f"/hooks/{org}"
            and x.json.get("type") == "report_alert"
            and x.json["report"] == rid and x.json["purpose"] == purpose]


def alert_row(h, rid, org):
    rows = h.db_rows("SELECT * FROM report_alerts WHERE report_id = ? AND "
                     "org_id = ?", rid, org)
    return rows[0] if rows else None


def mails_for(smtp, address, rid):
    return [m for m in smtp.messages if address in m.rcpt_tos[0]
            and rid in m["X-Infrashare-Report"]]


# ------------------------------------------------------------ severity >= 4

@pytest.mark.parametrize("rng", ["red", "amber", "yellow"])
def test_severe_alert_reaches_every_contact_without_content(ahub, hook, smtp,
                                                            rng):
    h = ahub
    rid = file(h, 4, rng, title="SECRET-TITLE")["id"]
    # METI (the first hop, reviewing): webhook, e-mail and the emergency
    # webhook, all at once
    wait_for(lambda: alert_hits(hook, "meti", rid), what="meti webhook")
    wait_for(lambda: [x for x in hook.seen("/hooks/meti-emergency")
                      if x.json.get("report") == rid], what="emergency")
    wait_for(lambda: mails_for(smtp, "desk@meti.example.jp", rid),
             what="meti e-mail")
    hit = alert_hits(hook, "meti", rid)[0]
    verify_signature(hit, h.secrets["meti"])
    em = [x for x in hook.seen("/hooks/meti-emergency")
          if x.json.get("report") == rid][0]
    verify_signature(em, h.secrets["meti-em"])
    body = hit.json
    assert body["severity"] == 4 and body["range"] == rng
    assert body["hop"] == "meti" and body["round"] == 1
    assert hit.headers["idempotency-key"] == body["id"]
    assert body["id"].startswith(f"alert.{rid}.meti.1.alert.")
    # the range rule: no title, no body, no reporter
    raw = hit.body.decode() + em.body.decode()
    assert "SECRET-TITLE" not in raw and "went dark" not in raw
    assert OP not in raw
    assert "title" not in body and "what_happened" not in body
    mail = mails_for(smtp, "desk@meti.example.jp", rid)[0]
    assert "SECRET-TITLE" not in mail.subject + mail.text
    assert "went dark" not in mail.text and OP not in mail.text
    assert "/ack/" in mail.text
    # the report stays at METI (review, 30 min): NISC is not alerted yet
    assert alert_row(h, rid, "nisc") is None
    assert alert_hits(hook, "nisc", rid) == []


@pytest.mark.parametrize("rng", ["green", "white"])
def test_green_and_white_alerts_carry_content(ahub, hook, smtp, rng):
    h = ahub
    rid = file(h, 5, rng, title="OPEN-TITLE")["id"]
    wait_for(lambda: alert_hits(hook, "meti", rid), what="meti webhook")
    body = alert_hits(hook, "meti", rid)[0].json
    assert body["title"] == "OPEN-TITLE"
    assert body["what_happened"] == "the control network went dark"
    assert body["reporter"] == OP
    wait_for(lambda: mails_for(smtp, "desk@meti.example.jp", rid),
             what="meti e-mail")
    mail = mails_for(smtp, "desk@meti.example.jp", rid)[0]
    assert "OPEN-TITLE" in mail.subject and "went dark" in mail.text


def test_anonymous_report_never_names_the_reporter(ahub, hook, smtp):
    h = ahub
    h.add_crowd(4)
    h.set_policy("ceptoar-gas", "auto")
    rid = file(h, 4, "green", route="anonymous", title="ANON-TITLE")["id"]
    for org in ("ceptoar-gas", "meti"):
        wait_for(lambda: alert_hits(hook, org, rid), what=f"{org} webhook")
        hit = alert_hits(hook, org, rid)[0]
        assert "reporter" not in hit.json
        assert OP not in hit.body.decode()
    wait_for(lambda: mails_for(smtp, "desk@meti.example.jp", rid),
             what="meti e-mail")
    assert OP not in mails_for(smtp, "desk@meti.example.jp", rid)[0].text


# ------------------------------------------------------------ severity < 4

def test_lesser_alert_goes_to_the_first_contact_then_escalates(
        tmp_path, smtp, hook):
    # acknowledgement deadlines of 1 s: the escalation is due at once
    h = make_hub(tmp_path, base_flags(smtp, ack_deadlines="1,1,1"))
    h.add_operator(OP)
    h.add_user("op-rep", OP, "reader,reporter")
    h.add_user("meti-a", "meti", "reader,liaison,analyst")
    h.add_contact("meti", "webhook", hook.url("/hooks/meti"), 1)
    h.add_contact("meti", "email", "desk@meti.example.jp", 2)
    h.add_contact("meti", "webhook", hook.url("/hooks/meti-emergency"), 3,
                  emergency=True)
    h.start()
    try:
        rid = file(h, 2, "green")["id"]
        wait_for(lambda: alert_hits(hook, "meti", rid), what="first contact")
        h.wait_ticks(3)
        wait_for(lambda: alert_row(h, rid, "meti")["escalated_at"],
                 what="escalation")
        wait_for(lambda: mails_for(smtp, "desk@meti.example.jp", rid),
                 what="escalated e-mail")
        jobs = h.db_rows("SELECT reason FROM alert_deliveries WHERE "
                         "report_id = ? ORDER BY id", rid)
        assert [j["reason"] for j in jobs] == ["first", "escalation",
                                               "escalation"]
        assert len(h.audit("report.alert.escalate")) == 1
    finally:
        h.stop()


def test_lesser_alert_first_contact_only(ahub, hook, smtp):
    h = ahub
    rid = file(h, 3, "green")["id"]
    wait_for(lambda: alert_hits(hook, "meti", rid), what="first contact")
    jobs = h.db_rows("SELECT reason, channel FROM alert_deliveries WHERE "
                     "report_id = ?", rid)
    assert jobs == [{"reason": "first", "channel": "webhook"}]
    assert_stays(lambda: not [x for x in hook.seen("/hooks/meti-emergency")
                              if x.json.get("report") == rid]
                 and not mails_for(smtp, "desk@meti.example.jp", rid),
                 0.5, "only the first contact")


# ------------------------------------------------------------ forwarding

def test_auto_forward_and_manual_forward_alert_the_next_hop(ahub, hook):
    h = ahub
    h.set_policy("ceptoar-gas", "auto")
    rid = file(h, 4, "amber", route="via_ceptoar")["id"]
    # the secretariat relays at once: it and METI arrive, both alerted
    for org in ("ceptoar-gas", "meti"):
        wait_for(lambda: alert_hits(hook, org, rid), what=org)
    assert alert_row(h, rid, "nisc") is None
    # METI forwards by hand: NISC is alerted
    r = h.call("POST", f"/api/v1/reports/{rid}/forward", "meti-a", json={})
    assert r.status_code == 200, r.text
    wait_for(lambda: alert_hits(hook, "nisc", rid), what="nisc")
    verify_signature(alert_hits(hook, "nisc", rid)[0], h.secrets["nisc"])


def test_worker_auto_forward_alerts_nisc(ahub, hook):
    h = ahub
    rid = file(h, 4, "amber")["id"]     # waits at METI (review)
    wait_for(lambda: alert_hits(hook, "meti", rid), what="meti alert")
    assert alert_row(h, rid, "nisc") is None
    h.set_policy("meti", "auto")        # the worker moves it on
    h.wait_ticks(2)
    wait_for(lambda: alert_hits(hook, "nisc", rid), what="nisc alert")
    assert alert_row(h, rid, "nisc")["round"] == 1


# ------------------------------------------------------------ raising

def test_raising_severity_alerts_again(ahub, hook, smtp):
    h = ahub
    rid = file(h, 2, "amber")["id"]
    wait_for(lambda: alert_hits(hook, "meti", rid), what="first round")
    first = alert_hits(hook, "meti", rid)[0].json
    assert first["round"] == 1
    # an update that does not raise: no new round
    r = h.call("POST", f"/api/v1/reports/{rid}/updates", "op-rep",
               json={"kind": "update", "what_happened": "more detail"})
    assert r.status_code == 201, r.text
    assert alert_row(h, rid, "meti")["round"] == 1
    r = h.call("POST", f"/api/v1/reports/{rid}/updates", "op-rep",
               json={"kind": "update", "declared_severity": 5,
                     "declared_reason": "it spread"})
    assert r.status_code == 201, r.text
    wait_for(lambda: [x for x in alert_hits(hook, "meti", rid)
                      if x.json["round"] == 2], what="second round")
    second = [x for x in alert_hits(hook, "meti", rid)
              if x.json["round"] == 2]
    assert second[0].json["severity"] == 5
    # one key per round: a resend of the same round (delivery is at least
    # once: a retry after a slow answer) carries the same key, so the
    # receiver can drop it; the raised round is a new message, a new key
    by_round = {}
    for x in alert_hits(hook, "meti", rid):
        by_round.setdefault(x.json["round"], set()).add(
            x.headers["idempotency-key"])
    assert sorted(by_round) == [1, 2], by_round
    assert all(len(k) == 1 for k in by_round.values()), by_round
    assert by_round[1] != by_round[2], by_round
    # severity 5 now: every contact, the emergency one too
    wait_for(lambda: [x for x in hook.seen("/hooks/meti-emergency")
                      if x.json.get("report") == rid], what="emergency")
    wait_for(lambda: mails_for(smtp, "desk@meti.example.jp", rid),
             what="e-mail")
    assert len(h.audit("report.alert.raise")) == 1


# ------------------------------------------------------------ opening

def test_open_by_link_is_single_use_and_audited(ahub, hook):
    h = ahub
    rid = file(h, 4, "amber")["id"]
    wait_for(lambda: alert_hits(hook, "meti", rid), what="alert")
    link = alert_hits(hook, "meti", rid)[0].json["open_url"]
    path = ack_path(link)
    # a GET shows the form and records nothing
    r = requests.get(h.url + path)
    assert r.status_code == 200 and "Mark as opened" in r.text
    assert alert_row(h, rid, "meti")["opened_at"] is None
    r = requests.post(h.url + path)
    assert r.status_code == 200, r.text
    row = alert_row(h, rid, "meti")
    assert row["opened_at"] and row["opened_via"] == "link"
    r = requests.post(h.url + path)
    assert r.status_code == 409
    opens = h.audit("report.alert.open")
    assert len(opens) == 1 and opens[0]["detail"]["via"] == "link"
    # a forged link: 404, nothing opened elsewhere
    r = requests.post(h.url + path[:-3] + "abc")
    assert r.status_code == 404
    # the unopened view no longer lists it
    v = h.ok("GET", "/api/v1/reports/unopened", "nisc-a")
    assert rid not in json.dumps(v)


def test_open_by_reading(ahub, hook):
    h = ahub
    rid = file(h, 4, "amber")["id"]
    wait_for(lambda: alert_hits(hook, "meti", rid), what="alert")
    # the reporter reading its own report opens nothing
    h.ok("GET", f"/api/v1/reports/{rid}", "op-rep")
    assert alert_row(h, rid, "meti")["opened_at"] is None
    h.ok("GET", f"/api/v1/reports/{rid}", "meti-a")
    row = alert_row(h, rid, "meti")
    assert row["opened_at"] and row["opened_via"] == "api"
    # no retry or reminder after opening
    h.ok("GET", f"/api/v1/reports/{rid}", "meti-a")
    assert len(h.audit("report.alert.open")) == 1


# ------------------------------------------------------------ reminder

def test_reminder_after_the_review_limit_once(ahub, hook):
    h = ahub
    rid_later = file(h, 4, "amber")["id"]   # METI's limit: 30 min
    h.set_policy("ceptoar-gas", "review", 0)
    rid = file(h, 4, "amber", route="via_ceptoar")["id"]
    wait_for(lambda: alert_hits(hook, "ceptoar-gas", rid), what="alert")
    h.wait_ticks(3)
    wait_for(lambda: alert_hits(hook, "ceptoar-gas", rid, "reminder"),
             what="reminder")
    rem = alert_hits(hook, "ceptoar-gas", rid, "reminder")[0]
    verify_signature(rem, h.secrets["ceptoar-gas"])
    assert rem.json["id"] != alert_hits(hook, "ceptoar-gas", rid)[0].json["id"]
    h.wait_ticks(3)
    assert len(alert_hits(hook, "ceptoar-gas", rid, "reminder")) == 1
    assert alert_hits(hook, "meti", rid_later, "reminder") == []
    assert alert_row(h, rid_later, "meti")["reminded_at"] is None
    assert len([e for e in h.audit("report.alert.remind")
                if e["target"] == rid]) == 1


# ------------------------------------------------------------ the view

def test_unopened_view_by_hop(ahub, hook):
    h = ahub
    h.add_crowd(4)
    h.set_policy("ceptoar-gas", "auto")
    r1 = file(h, 4, "amber")["id"]
    r2 = file(h, 5, "green", route="anonymous", title="ANON")["id"]
    r3 = file(h, 2, "green")["id"]          # not severe: not listed
    v = h.ok("GET", "/api/v1/reports/unopened", "nisc-a")
    by = {g["org"]: [i["id"] for i in g["items"]] for g in v["hops"]}
    # the Amber report has not reached NISC: the range rule hides it from
    # NISC (not listed, not counted); the Green one is listed at both hops
    assert by == {"ceptoar-gas": [r2], "meti": [r2]}
    assert v["total"] == 2
    assert r1 not in json.dumps(v) and r3 not in json.dumps(v)
    anon = [i for g in v["hops"] for i in g["items"] if i["id"] == r2][0]
    assert OP not in json.dumps(anon)
    assert anon["reporter"]["anonymous"] is True
    assert anon["alert"]["severity"] == 5 and anon["alert"]["round"] == 1
    # the ministry, a hop reached by both, sees both at its own hop
    m = h.ok("GET", "/api/v1/reports/unopened", "meti-a")
    mby = {g["org"]: sorted(i["id"] for i in g["items"]) for g in m["hops"]}
    assert mby["meti"] == sorted([r1, r2]) and m["total"] == 3
    # once forwarded to NISC, NISC may read it: listed at NISC's own hop
    r = h.call("POST", f"/api/v1/reports/{r1}/forward", "meti-a", json={})
    assert r.status_code == 200, r.text
    v = h.ok("GET", "/api/v1/reports/unopened", "nisc-a")
    by = {g["org"]: sorted(i["id"] for i in g["items"]) for g in v["hops"]}
    assert r1 in by["nisc"] and r1 not in by.get("meti", [])
    # the org filter
    f = h.ok("GET", "/api/v1/reports/unopened?org=ceptoar-gas", "nisc-a")
    assert [g["org"] for g in f["hops"]] == ["ceptoar-gas"]
    # an operator and a secretariat may not
    for user in ("op-other", "gas-sec"):
        r = h.call("GET", "/api/v1/reports/unopened", user)
        assert_error(r, 403, "forbidden")


def test_unopened_view_bad_input(ahub):
    h = ahub
    file(h, 4, "amber")
    before = h.ok("GET", "/api/v1/reports/unopened", "nisc-a")
    r = h.call("GET", "/api/v1/reports/unopened?org=" + "x" * 80, "nisc-a")
    assert_error(r, 400, field="org")
    r = h.api("GET", "/api/v1/reports/unopened")
    assert r.status_code == 401
    assert h.ok("GET", "/api/v1/reports/unopened", "nisc-a") == before


# ------------------------------------------------------------ the CLI

def test_cli_report_unopened(ahub, hook):
    from test_reports_cli import client
    h = ahub
    rid = file(h, 5, "green", title="CLI-TITLE")["id"]
    other = file(h, 4, "amber", title="CLI-AMBER")["id"]
    out = client(h, "report", "unopened", token=h.tok("nisc-a"))
    assert out.returncode == 0, out.stderr
    assert "Unopened severe reports: 1" in out.stdout
    assert "未開封の重大な報告" in out.stdout
    assert "meti (ministry)" in out.stdout and rid in out.stdout
    assert other not in out.stdout          # Amber, not yet at NISC
    js = client(h, "report", "unopened", "--json", "--org", "meti",
                token=h.tok("meti-a"))
    assert js.returncode == 0, js.stderr
    v = json.loads(js.stdout)
    assert sorted(i["id"] for g in v["hops"] for i in g["items"]) == sorted(
        [rid, other])
    # an operator: the API's 403, exit status 1
    bad = client(h, "report", "unopened", token=h.tok("op-other"))
    assert bad.returncode == 1 and "403" in bad.stderr
    bad = client(h, "report", "unopened", "--org", "x" * 80,
                 token=h.tok("nisc-a"))
    assert bad.returncode == 2 and "--org" in bad.stderr
