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
import re
import subprocess

import pytest

import hubdb
from conftest import BUILD, SANITIZER_MARKS, assert_error, wait_for
from test_provision_features import base_flags, make_hub, staff
from test_races import Racer
from receivers import SMTPReceiver

SECRET_TITLE = ("秘密の表題", "SecretTitleAmber")
SECRET_BODY = ("秘密の本文", "SecretBodyAmber")


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
    # ".r<time>.<16 random hex digits>": never the advisory's count of
    # reminders, which told a recipient how many rounds others were sent
    # (docs/rules.md "Ids that count nothing")
    assert re.fullmatch(rf"{aid}\.op-b\.\d+\.r\d+\.[0-9a-f]{{16}}",
                        jobs[0]["idem_key"]), jobs[0]["idem_key"]
    audit = bhub.audit("advisory.remind")
    assert len(audit) == 1
    assert audit[0]["target"] == aid
    assert audit[0]["actor_org"] == "ceptoar-gas"
    assert isinstance(audit[0]["actor_user"], int)
    assert audit[0]["detail"] == {"orgs": 3, "skipped": 0, "messages": 3}
    # a second reminder within 10 minutes: 429, nothing changed (the
    # first reminder's deliveries settled first: the worker marks a job
    # delivered a moment after the server has the mail)
    wait_for(lambda: all(j["state"] in ("delivered", "cancelled")
                         for j in bhub.jobs(aid)), what="reminders settled")
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
    con = hubdb.connect(bhub.db, timeout=10)
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
    con = hubdb.connect(bhub.db, timeout=10)
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


def test_concurrent_reminders_one_per_window(bhub, smtp):
    """Many reminders by one organisation sent at the same moment (two
    users of the gas secretariat, pairs released together on warm
    connections): in each 10-minute window exactly one is answered 202,
    every other 429 remind_too_soon, and the database holds exactly one
    reminder (advisory_reminds row, outbox jobs, audit entry, e-mails)."""
    bhub.add_user("gas-sec2", "ceptoar-gas", "reader,liaison,analyst")
    aid = issue_amber(bhub)
    ready(bhub, smtp, aid)
    path = f"/api/v1/advisories/{aid}/remind"
    chased = ("op-b", "op-c", "op-f")
    before = {n: len(mails(smtp, f"desk@{n}.example.jp")) for n in chased}
    keys = set()
    racer = Racer(bhub)
    try:
        for window in range(3):
            pairs = [(("gas-sec", "POST", path, {}),
                      ("gas-sec2", "POST", path, {})) for _ in range(8)]
            answers = [r for pair in racer.run(pairs) for r in pair]
            won = [r for r in answers if r.status_code == 202]
            assert len(won) == 1, [(r.status_code, r.text) for r in answers]
            assert sorted(won[0].json()["reminded"]) == list(chased)
            assert won[0].json()["messages"] == len(chased)
            for r in answers:
                if r is not won[0]:
                    assert_error(r, 429, "remind_too_soon")
            n = window + 1
            assert len(bhub.db_rows(
                "SELECT * FROM advisory_reminds WHERE advisory_id = ? AND "
                "by_org = 'ceptoar-gas'", aid)) == n
            # the outbox: each chased organisation's job queued again once
            # (a reminder re-queues the job with a new idempotency key)
            jobs = [j for j in bhub.jobs(aid) if j["reason"] == "reminder"]
            assert sorted(j["org_id"] for j in jobs) == list(chased)
            assert not {j["idem_key"] for j in jobs} & keys
            keys |= {j["idem_key"] for j in jobs}
            assert len(bhub.audit("advisory.remind")) == n
            # every reminder sent: one e-mail more per organisation
            wait_for(lambda: all(j["state"] == "delivered" for j in
                                 bhub.jobs(aid) if j["reason"] ==
                                 "reminder"), what="reminders sent")
            assert all(len(mails(smtp, f"desk@{o}.example.jp")) ==
                       before[o] + n for o in chased)
            # the next window: the last reminder 10 minutes ago
            con = hubdb.connect(bhub.db, timeout=10)
            with con:
                con.execute("UPDATE advisory_reminds SET at = at - 601 "
                            "WHERE advisory_id = ?", (aid,))
            con.close()
    finally:
        racer.close()


def acks_of(h, user, aid):
    """(the advisory list's acks, the dashboard's acknowledged/total of
    advisories in flight) of aid as user sees them; None where absent."""
    items = [a for a in h.ok("GET", "/api/v1/advisories?limit=200",
                             user)["items"] if a["id"] == aid]
    listed = items[0].get("acks") if items else None
    flight = [a for a in h.ok("GET", "/api/v1/dashboard", user)[
        "advisories_in_flight"]["items"] if a["id"] == aid]
    board = ({"acknowledged": flight[0]["acknowledged"],
              "total": flight[0]["total"]} if flight else None)
    return listed, board


def test_ministry_counts_only_its_sectors(bhub, smtp):
    """The acknowledgement counts a MINISTRY desk sees (the advisory
    list's acks and the dashboard's advisories in flight) count only the
    recipients of its own sectors, as its deliveries view shows them: on
    NISC's advisory to gas (METI) and banking (FSA) each ministry hop
    counts its own sector, an acknowledgement in the other sector leaves
    its counts unchanged; a ministry that sent an advisory counts every
    recipient; a ministry off the chain sees no counts."""
    h = bhub
    for n in ("op-k", "op-l"):
        h.add_operator(n, scope="banking", ceptoars=("ceptoar-banking",))
        h.add_contact(n, "email", f"desk@{n}.example.jp", 1)
        h.add_user(f"{n}-liaison", n)
    h.add_user("fsa-a", "fsa", "reader,liaison,analyst")
    h.add_user("mlit-a", "mlit", "reader,liaison,analyst")
    h.set_policy("fsa", "auto")
    h.set_policy("ceptoar-banking", "auto")
    gas, banking = {"op-a", "op-b", "op-c", "op-f"}, {"op-k", "op-l"}
    aid = h.issue("nisc-a", range="amber", severity=2,
                  audience={"scopes": ["gas", "banking"]})["id"]
    wait_for(lambda: all(i["state"] != "pending" for i in
                         h.items(aid, "nisc-a").values()),
             what="released to every recipient")
    assert set(h.items(aid, "nisc-a")) == gas | banking
    # each ministry's deliveries view: its own sector only
    assert set(h.items(aid, "meti-a")) == gas
    assert set(h.items(aid, "fsa-a")) == banking

    def want(acked, total):
        return ({"acknowledged": acked, "total": total},) * 2

    assert acks_of(h, "nisc-a", aid) == want(0, 6)
    assert acks_of(h, "meti-a", aid) == want(0, 4)
    assert acks_of(h, "fsa-a", aid) == want(0, 2)
    # a banking member acknowledges: FSA's and NISC's counts move, METI's
    # and the gas secretariat's do not
    h.ok("POST", f"/api/v1/advisories/{aid}/ack", "op-k-liaison")
    assert acks_of(h, "nisc-a", aid) == want(1, 6)
    assert acks_of(h, "fsa-a", aid) == want(1, 2)
    assert acks_of(h, "meti-a", aid) == want(0, 4)
    assert acks_of(h, "gas-sec", aid) == want(0, 4)
    # a gas member acknowledges: METI's counts move, FSA's do not
    h.ok("POST", f"/api/v1/advisories/{aid}/ack", "op-b-liaison")
    assert acks_of(h, "meti-a", aid) == want(1, 4)
    assert acks_of(h, "fsa-a", aid) == want(1, 2)
    # the last banking member: FSA's board is done (no longer in flight),
    # the list still counts
    h.ok("POST", f"/api/v1/advisories/{aid}/ack", "op-l-liaison")
    assert acks_of(h, "fsa-a", aid) == (
        {"acknowledged": 2, "total": 2}, None)
    assert acks_of(h, "meti-a", aid) == want(1, 4)
    assert acks_of(h, "nisc-a", aid) == want(3, 6)
    # a ministry off the chain: neither counts nor the deliveries
    listed, board = acks_of(h, "mlit-a", aid)
    assert listed is None and board is None
    assert h.call("GET", f"/api/v1/advisories/{aid}/deliveries",
                  "mlit-a").status_code in (403, 404)
    # an advisory METI sent itself: it counts every recipient
    mine = h.issue("meti-a", range="amber", severity=2,
                   audience={"scopes": ["gas"]})["id"]
    wait_for(lambda: all(i["state"] != "pending" for i in
                         h.items(mine, "meti-a").values()),
             what="METI's advisory released")
    assert set(h.items(mine, "meti-a")) == gas
    h.ok("POST", f"/api/v1/advisories/{mine}/ack", "op-c-liaison")
    assert acks_of(h, "meti-a", mine) == want(1, 4)
    assert acks_of(h, "fsa-a", mine) == (None, None)
