"""The acknowledgement board of an advisory (issue 11 item 2; docs/rules.md
"Acknowledgement board"): the deliveries list names each organisation and
shows the contacts of those not acknowledged, its CSV export (CSV-injection
safe), and reminders (POST /advisories/{id}/remind) through the outbox to a
real SMTP server: no Red/Amber content, audited, once per advisory and
reminding organisation within 10 minutes, bad input refused naming the
field with nothing changed, and the CLI's `advisory remind`.
"""
import csv
import io
import os
import sqlite3
import subprocess

import pytest

from conftest import BUILD, SANITIZER_MARKS, assert_error, wait_for
from test_provision_features import base_flags, make_hub, staff
from receivers import SMTPReceiver

SECRET_TITLE = ("秘密の表題", "SecretTitleAmber")
SECRET_BODY = ("秘密の本文", "SecretBodyAmber")


@pytest.fixture
def smtp():
    s = SMTPReceiver().start()
    yield s
    s.stop()


@pytest.fixture
def bhub(tmp_path, smtp):
    """NISC, METI and the gas secretariat staffed and relaying at once;
    three gas members with e-mail contacts (one with a formula-like name),
    a gas reader without a role that may remind."""
    h = make_hub(tmp_path, base_flags(smtp))
    staff(h)
    for n in ("op-a", "op-b", "op-c"):
        h.add_operator(n)
        h.add_contact(n, "email", f"desk@{n}.example.jp", 1)
        h.add_user(f"{n}-liaison", n)
    h.cli("org", "add", "op-f", "--scope", "gas", "--ceptoar", "ceptoar-gas",
          "--name-ja", "=HYPERLINK(\"http://x\")", "--name-en", "+cmd|calc")
    h.add_contact("op-f", "email", "desk@op-f.example.jp", 1)
    h.add_contact("op-f", "phone", "https://gw.example.jp/phone", 2)
    h.add_user("gas-reader", "ceptoar-gas", "reader")
    h.start()
    h.set_policy("meti", "auto")
    h.set_policy("ceptoar-gas", "auto")
    yield h
    h.stop()


def issue_amber(h):
    adv = h.issue("nisc-a", range="amber", severity=2,
                  title_ja=SECRET_TITLE[0], title_en=SECRET_TITLE[1],
                  body_ja=SECRET_BODY[0], body_en=SECRET_BODY[1])
    return adv["id"]


def mails(smtp, addr):
    return smtp.to(addr)


def remind(h, aid, user, body=None):
    return h.call("POST", f"/api/v1/advisories/{aid}/remind", user,
                  json=body if body is not None else {})


def state_of(h, aid):
    """What a reminder changes: the outbox rows, the reminders and their
    audit entries."""
    return (h.db_rows("SELECT id, state, reason, idem_key FROM deliveries "
                      "WHERE advisory_id = ? ORDER BY id", aid),
            h.db_rows("SELECT * FROM advisory_reminds WHERE advisory_id = ?",
                      aid),
            len(h.audit("advisory.remind")))


def ready(h, smtp, aid):
    """Waits for the first e-mails, then op-a acknowledges."""
    wait_for(lambda: all(mails(smtp, f"desk@{n}.example.jp")
                         for n in ("op-a", "op-b", "op-c", "op-f")),
             what="first e-mails")
    h.ok("POST", f"/api/v1/advisories/{aid}/ack", "op-a-liaison")
    # every first delivery done (none in flight)
    wait_for(lambda: all(j["state"] in ("delivered", "cancelled")
                         for j in h.jobs(aid)), what="deliveries settled")


def test_deliveries_show_names_and_contacts(bhub, smtp):
    aid = issue_amber(bhub)
    ready(bhub, smtp, aid)
    for user in ("gas-sec", "nisc-a"):
        items = bhub.items(aid, user)
        assert items["op-b"]["name"] == {"ja": "試験事業者 op-b",
                                         "en": "Test operator op-b"}
        assert items["op-b"]["contacts"] == [
            {"channel": "email", "address": "desk@op-b.example.jp",
             "priority": 1, "emergency": False}]
        # the acknowledged need no chasing: no contacts
        assert items["op-a"]["state"] == "acknowledged"
        assert "contacts" not in items["op-a"]
        # only an e-mail address: a gateway's URL may carry a credential
        assert [(k["channel"], k["address"]) for k in
                items["op-f"]["contacts"]] == \
            [("email", "desk@op-f.example.jp"), ("phone", None)]
    # an operator sees no deliveries (and so no contacts)
    assert_error(bhub.call("GET", f"/api/v1/advisories/{aid}/deliveries",
                           "op-b-liaison"), 403)


def test_deliveries_csv_is_injection_safe(bhub, smtp):
    aid = issue_amber(bhub)
    ready(bhub, smtp, aid)
    r = bhub.call("GET", f"/api/v1/advisories/{aid}/deliveries?format=csv"
                  "&state=all", "gas-sec")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    by = {x["org"]: x for x in rows}
    assert set(by) == {"op-a", "op-b", "op-c", "op-f"}
    assert by["op-a"]["state"] == "acknowledged" and by["op-a"]["acked_at"]
    assert by["op-b"]["contacts"] == "email desk@op-b.example.jp"
    assert by["op-b"]["name_ja"] == "試験事業者 op-b"
    # formula-like cells are kept as text
    assert by["op-f"]["name_ja"] == "'=HYPERLINK(\"http://x\")"
    assert by["op-f"]["name_en"] == "'+cmd|calc"
    assert SECRET_TITLE[1] not in r.text and SECRET_BODY[1] not in r.text
    # the state filter applies to the CSV too
    r = bhub.call("GET", f"/api/v1/advisories/{aid}/deliveries?format=csv"
                  "&state=acknowledged", "gas-sec")
    assert [x["org"] for x in csv.DictReader(io.StringIO(r.text))] == ["op-a"]
    err = assert_error(bhub.call(
        "GET", f"/api/v1/advisories/{aid}/deliveries?format=xml", "gas-sec"),
        400, "invalid_value", "format")
    assert "csv" in err["message"]
    assert_error(bhub.call("GET", f"/api/v1/advisories/{aid}/deliveries"
                           "?format=csv", "op-b-liaison"), 403)


def test_remind_sends_email_without_amber_content_and_is_audited(bhub, smtp):
    aid = issue_amber(bhub)
    ready(bhub, smtp, aid)
    before = {n: len(mails(smtp, f"desk@{n}.example.jp"))
              for n in ("op-a", "op-b", "op-c", "op-f")}
    r = remind(bhub, aid, "gas-sec")
    assert r.status_code == 202, r.text
    got = r.json()
    assert got["advisory"] == aid
    assert sorted(got["reminded"]) == ["op-b", "op-c", "op-f"]
    assert got["skipped"] == [] and got["messages"] == 3
    assert got["next_allowed_at"]
    wait_for(lambda: all(len(mails(smtp, f"desk@{n}.example.jp")) ==
                         before[n] + 1 for n in ("op-b", "op-c", "op-f")),
             what="reminder e-mails")
    m = mails(smtp, "desk@op-b.example.jp")[-1]
    assert "【督促】" in m.subject and "[REMINDER]" in m.subject
    assert "受領確認がまだです" in m.text and "not been received" in m.text
    for s in SECRET_TITLE + SECRET_BODY:
        assert s not in m.subject and s not in m.text and \
            s not in m.raw.decode(errors="replace")
    assert "/ack/" in m.text and f"/#/advisories/{aid}" in m.text
    # the acknowledged organisation got nothing more
    assert len(mails(smtp, "desk@op-a.example.jp")) == before["op-a"]
    # the reminder's deliveries are marked as such, with a new key
    jobs = [j for j in bhub.jobs(aid, "op-b")]
    assert [j["reason"] for j in jobs] == ["reminder"]
    assert ".r" in jobs[0]["idem_key"]
    audit = bhub.audit("advisory.remind")
    assert len(audit) == 1
    assert audit[0]["target"] == aid
    assert audit[0]["actor_org"] == "ceptoar-gas"
    assert isinstance(audit[0]["actor_user"], int)
    assert audit[0]["detail"] == {"orgs": 3, "skipped": 0, "messages": 3}
    # a second reminder within 10 minutes: 429, nothing changed
    snap = state_of(bhub, aid)
    err = assert_error(remind(bhub, aid, "gas-sec"), 429, "remind_too_soon")
    assert "10 minutes" in err["message"]
    assert state_of(bhub, aid) == snap
    # NISC follows the advisory too: its own limit
    wait_for(lambda: all(j["state"] == "delivered"
                         for j in bhub.jobs(aid, "op-c")), what="sent")
    r = remind(bhub, aid, "nisc-a", {"orgs": ["op-c"]})
    assert r.status_code == 202, r.text
    assert r.json()["reminded"] == ["op-c"]
    wait_for(lambda: len(mails(smtp, "desk@op-c.example.jp")) ==
             before["op-c"] + 2, what="NISC's reminder")
    # ten minutes later the secretariat may remind again
    con = sqlite3.connect(str(bhub.db), timeout=10)
    with con:
        con.execute("UPDATE advisory_reminds SET at = at - 601 WHERE "
                    "advisory_id = ? AND by_org = 'ceptoar-gas'", (aid,))
    con.close()
    wait_for(lambda: all(j["state"] == "delivered"
                         for j in bhub.jobs(aid, "op-b")), what="sent")
    r = remind(bhub, aid, "gas-sec", {"orgs": ["op-b"]})
    assert r.status_code == 202, r.text
    assert r.json()["reminded"] == ["op-b"]


def test_remind_bad_input_changes_nothing(bhub, smtp):
    aid = issue_amber(bhub)
    ready(bhub, smtp, aid)
    bhub.add_operator("op-z")          # exists, but not a recipient
    snap = state_of(bhub, aid)
    nmails = len(smtp.messages)
    cases = [
        ("gas-sec", {"orgs": ["no-such-org"]}, 400, "invalid_value", "orgs"),
        ("gas-sec", {"orgs": ["op-z"]}, 400, "invalid_value", "orgs"),
        ("gas-sec", {"orgs": ["op-b", "op-b"]}, 400, "invalid_value", "orgs"),
        ("gas-sec", {"orgs": []}, 400, "invalid_value", "orgs"),
        ("gas-sec", {"orgs": "op-b"}, 400, None, "orgs"),
        ("gas-sec", {"orgs": [7]}, 400, None, "orgs"),
        ("gas-sec", {"orgs": ["op-a"]}, 409, "already_acknowledged", "orgs"),
        ("gas-sec", {"org": ["op-b"]}, 400, None, "org"),
        # no role that may remind; an operator; not the board's viewer
        ("gas-reader", {}, 403, None, None),
        ("op-b-liaison", {}, 403, "forbidden", None),
    ]
    for user, body, status, code, field in cases:
        err = assert_error(remind(bhub, aid, user, body), status, code, field)
        if field == "orgs" and status != 400 or code == "invalid_value":
            assert "orgs" in err["message"]
    assert_error(remind(bhub, "A-NOPE", "gas-sec"), 404)
    r = bhub.call("POST", f"/api/v1/advisories/{aid}/remind", "gas-sec",
                  data="{", headers={"Content-Type": "application/json"})
    assert_error(r, 400, "malformed_json", "body")
    assert state_of(bhub, aid) == snap
    assert len(smtp.messages) == nmails
    # the mistakes did not use up the limit
    assert remind(bhub, aid, "gas-sec", {"orgs": ["op-b"]}).status_code == 202


def test_remind_nothing_left(bhub, smtp):
    aid = issue_amber(bhub)
    ready(bhub, smtp, aid)
    for n in ("op-b", "op-c"):
        bhub.ok("POST", f"/api/v1/advisories/{aid}/ack", f"{n}-liaison")
    con = sqlite3.connect(str(bhub.db), timeout=10)
    with con:  # op-f acknowledged too (it has no user)
        con.execute("UPDATE advisory_recipients SET acked_at = 1 WHERE "
                    "advisory_id = ? AND org_id = 'op-f'", (aid,))
    con.close()
    snap = state_of(bhub, aid)
    assert_error(remind(bhub, aid, "gas-sec"), 409, "nothing_to_remind")
    assert state_of(bhub, aid) == snap


def client(h, *args, user):
    env = {k: v for k, v in os.environ.items()
           if k not in ("INFRASHARE_URL", "INFRASHARE_TOKEN")}
    r = subprocess.run([str(BUILD / "infrashare"), *map(str, args), "--url",
                        h.url, "--token", h.tok(user)],
                       capture_output=True, text=True, env=env, timeout=60)
    for mark in SANITIZER_MARKS:
        assert mark not in r.stderr, r.stderr
    return r


def test_cli_advisory_remind(bhub, smtp):
    aid = issue_amber(bhub)
    ready(bhub, smtp, aid)
    n = len(mails(smtp, "desk@op-c.example.jp"))
    r = client(bhub, "advisory", "remind", aid, "--org", "op-c", "--org",
               "op-f", user="gas-sec")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "reminder queued: 2 organisation(s)" in r.stdout
    assert "op-c" in r.stdout and "op-f" in r.stdout
    wait_for(lambda: len(mails(smtp, "desk@op-c.example.jp")) == n + 1,
             what="the CLI's reminder")
    assert len(bhub.audit("advisory.remind")) == 1
    # refused: the limit, with the API's error
    r = client(bhub, "advisory", "remind", aid, user="gas-sec")
    assert r.returncode != 0
    assert "remind_too_soon" in r.stdout + r.stderr or \
        "10 minutes" in r.stdout + r.stderr
