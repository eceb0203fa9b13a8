"""Reliability of 情報提供 delivery against misbehaving real receivers:
a webhook receiver that is down, slow, failing (500), gone (410) or never
answers; SMTP servers that refuse a recipient or drop the connection in the
middle of a message; acknowledgement links that are forged, altered, reused
or unknown; relays by the wrong organisation or widening the range
(DOMAIN.md §3, §6; deliver/outbox.c; service/provision.c).

Observable state: the receivers' logs, the deliveries view, the audit log,
and (read-only) the daemon's outbox table for attempts and next_at, which
the API does not show.
"""
import base64
import hashlib
import hmac
import secrets
import time

import pytest
import requests

import hubdb
from conftest import assert_error, wait_for
from receivers import closed_port
from test_provision_features import (  # noqa: F401 (hook: a fixture)
    ack_path, assert_stays, base_flags, hook, make_hub, staff)

ATTEMPTS = 3


def start(h):
    h.start()
    h.set_policy("meti", "auto")
    h.set_policy("ceptoar-gas", "auto")
    return h


@pytest.fixture
def rhub(tmp_path, smtp):
    h = make_hub(tmp_path, base_flags(smtp, delivery_attempts=ATTEMPTS))
    staff(h)
    yield h
    if h.proc:
        h.stop()


def track_job(h, adv, org, contact_priority, until, timeout):
    """Polls the outbox row of one contact, recording every distinct
    (state, attempts, next_at, last_error) until until(row) holds."""
    snaps = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [j for j in h.jobs(adv, org)
                if j["priority"] == contact_priority]
        if rows:
            r = rows[0]
            key = (r["state"], r["attempts"], r["next_at"], r["last_error"])
            if not snaps or snaps[-1][:4] != key:
                snaps.append(key + (time.time(),))
            if until(r):
                return r, snaps
        time.sleep(0.02)
    raise AssertionError(f"outbox row did not settle: {snaps}")


# ------------------------------------------------------------ B2 receivers

FAILING = ["refused", "drop", "slow", "500", "hang", "429", "410", "404"]
FINAL = {"410", "404"}      # other 4xx but 408/429 are final


@pytest.mark.parametrize("mode", FAILING)
def test_failing_receiver_retries_then_next_channel(rhub, hook, smtp, mode):
    h = rhub
    h.add_operator("op-f")
    if mode == "refused":
        addr = f"http://127.0.0.1:{closed_port()}/hooks/op-f"
    else:
        addr = hook.url("/hooks/op-f")
        hook.set_mode("/hooks/op-f", ("slow", 3.5) if mode == "slow"
                      else mode if mode in ("hang", "drop") else int(mode))
    h.add_contact("op-f", "webhook", addr, 1)
    h.add_contact("op-f", "email", "desk@op-f.example.jp", 2)
    start(h)
    adv = h.issue("nisc-a")["id"]
    final = mode in FINAL
    row, snaps = track_job(h, adv, "op-f", 1,
                           lambda r: r["state"] == "failed", timeout=40)
    want_attempts = 1 if final else ATTEMPTS
    assert row["attempts"] == want_attempts, snaps
    assert row["last_error"], row
    if mode.isdigit():
        assert f"http {mode}" in row["last_error"]
    # retries: queued again with a next_at in the future, each later. Read
    # from the hub's log ("delivery retry": the attempt that failed, its
    # next_at, when it was put off, to the ms), not from the polled
    # states, which a poll slowed down by the machine's load can miss
    retries = sorted((e["attempts"], e["next_at"], e["at_ms"] / 1000,
                      e["took_ms"] / 1000)
                     for e in h.log_lines()
                     if e.get("msg") == "delivery retry"
                     and e.get("delivery") == row["id"]
                     and e.get("job") == "advisory")
    assert [r[0] for r in retries] == list(range(1, want_attempts)), \
        (retries, snaps)
    next_ats = sorted({r[1] for r in retries})
    assert len(next_ats) == want_attempts - 1, retries
    for att, next_at, at, _ in retries:
        assert next_at >= int(at) - 1, retries  # next_at not in the past
    if len(next_ats) > 1:
        assert next_ats[1] - next_ats[0] >= 1
    hits = hook.seen("/hooks/op-f")
    if mode == "refused":
        assert hits == []
        assert "connect" in row["last_error"].lower(), row["last_error"]
    else:
        assert len(hits) == want_attempts, hits
        for k in range(1, len(hits)):
            # attempt k+1 was not made before its next_at
            assert hits[k].wall >= next_ats[k - 1] - 0.01, (hits, next_ats)
    if mode in ("slow", "hang"):
        # cut by the timeout, not answered ("timed out"; a slow answer
        # would have come after 3.5 s)
        assert "timed out" in row["last_error"], row["last_error"]
        # each attempt was cut at --http-timeout-s (2 s), as the hub's own
        # transfer clock measured it (the receiver's arrival time lags the
        # hub's send by as much as a loaded machine stalls, so it cannot
        # bound the cut from below; the upper bound only catches a cut far
        # off, as a loaded machine's transfer ends late), and put off after
        # it arrived
        for k, _, put_off_at, took in retries:
            assert 1.95 <= took < 10, (k, retries)
            assert put_off_at >= hits[k - 1].wall - 0.01, (k, retries, hits)
        # one attempt after the other, each after the previous one's cut:
        # by the hub's clock, attempt k+1 was sent (put off at - took) only
        # once attempt k had been put off; the last one (no retry line)
        # arrived after that (an arrival can only lag its send)
        sent = [put_off_at - took for _, _, put_off_at, took in retries]
        for k in range(1, len(retries)):
            assert sent[k] >= retries[k - 1][2] - 0.01, (k, retries)
        assert hits[-1].wall >= retries[-1][2] - 0.01, (retries, hits)
        # so from the first send to the last arrival: at least two cuts
        assert hits[-1].wall - sent[0] >= 2 + 2 - 0.2, (retries, hits)
    # after the last attempt: the next channel, once
    wait_for(lambda: smtp.to("desk@op-f.example.jp"), timeout=30,
             what="the next channel (e-mail)")
    assert len(smtp.to("desk@op-f.example.jp")) == 1
    jobs = {j["priority"]: j for j in h.jobs(adv, "op-f")}
    assert jobs[2]["reason"] == "next"
    wait_for(lambda: h.items(adv, "nisc-a")["op-f"]["state"] == "delivered",
             what="op-f delivered by e-mail")
    item = h.items(adv, "nisc-a")["op-f"]
    assert item["channel"] == "email"
    msgs = h.deliveries(adv, "nisc-a")["messages"]
    assert msgs["failed"] == 1 and msgs["delivered"] == 1
    if final:
        # 410/404 are final: the e-mail followed at once, without a retry
        assert hook.count("/hooks/op-f") == 1


def test_recipient_out_of_channels_is_unreached(rhub, hook):
    h = rhub
    h.add_operator("op-g")
    h.add_contact("op-g", "webhook", hook.url("/hooks/op-g"), 1)
    hook.set_mode("/hooks/op-g", 410)
    start(h)
    adv = h.issue("nisc-a")["id"]
    wait_for(lambda: "op-g" in h.items(adv, "nisc-a", "unreached"),
             what="op-g unreached once its only contact failed for good")
    item = h.items(adv, "nisc-a")["op-g"]
    assert item["delivered_at"] is None and item["escalated_at"] is None
    assert [j["state"] for j in h.jobs(adv)] == ["failed"]
    assert "op-g" in h.items(adv, "gas-sec", "unreached")


def test_escalation_after_deadline_while_first_channel_retries(
        tmp_path, hook, smtp):
    # a 10 s deadline; the first channel is retried every second or so
    # for far longer (60 attempts)
    deadline_s = 10
    h = make_hub(tmp_path, base_flags(
        smtp, delivery_attempts=60, retry_cap_s=1,
        ack_deadlines=",".join([str(deadline_s)] * 3)))
    staff(h)
    h.add_operator("op-f")
    h.add_contact("op-f", "webhook", hook.url("/hooks/op-f"), 1)
    h.add_contact("op-f", "email", "desk@op-f.example.jp", 2)
    hook.set_mode("/hooks/op-f", 500)
    start(h)
    try:
        adv = h.issue("nisc-a")["id"]
        wait_for(lambda: hook.count("/hooks/op-f") >= 2,
                 what="first channel retrying")
        assert smtp.to("desk@op-f.example.jp") == []
        # between attempts, or in one
        assert h.items(adv, "nisc-a")["op-f"]["state"] in ("queued",
                                                           "sending")
        wait_for(lambda: smtp.to("desk@op-f.example.jp"),
                 timeout=deadline_s + 30, what="escalation to e-mail")
        item = h.items(adv, "nisc-a", "unreached")["op-f"]
        assert item["escalated_at"] is not None
        # not before the deadline, by the hub's own clock; and the first
        # channel had been retried before then (its failed attempts put
        # off in an earlier second, the hub's log)
        [r] = h.db_rows("SELECT released_at, escalated_at FROM "
                        "advisory_recipients WHERE advisory_id = ? AND "
                        "org_id = ?", adv, "op-f")
        assert r["escalated_at"] >= r["released_at"] + deadline_s, r
        first = {j["priority"]: j for j in h.jobs(adv, "op-f")}[1]
        put_off = [e["at_ms"] / 1000 for e in h.log_lines()
                   if e.get("msg") == "delivery retry"
                   and e.get("delivery") == first["id"]
                   and e.get("job") == "advisory"]
        assert len([t for t in put_off if t < r["escalated_at"]]) >= 2, \
            (put_off, r)
        # the mail server has the message; the outbox records the
        # outcome just after it answers
        reasons = wait_for(
            lambda: (lambda r: r if r[2] == ("escalation", "delivered")
                     else None)({j["priority"]: (j["reason"], j["state"])
                                 for j in h.jobs(adv, "op-f")}),
            what="the escalation delivery recorded")
        # the first channel is still being retried (not out of attempts)
        assert reasons[1][1] in ("queued", "sending")
    finally:
        h.stop()


def test_stuck_receivers_do_not_block_other_deliveries(tmp_path, hook):
    # 16 receivers hold their connections far longer than the healthy one
    # may take (BOUND_S): 8 never answer (cut at 60 s), 8 answer after
    # 45 s. A hub that waited for them would reach the healthy receiver
    # only after 45 s
    BOUND_S = 20
    h = make_hub(tmp_path, base_flags(None, http_timeout_s=60))
    staff(h)
    stuck = [f"op-s{i:02d}" for i in range(16)]
    for i, n in enumerate(stuck):
        h.add_operator(n)
        h.add_contact(n, "webhook", hook.url(f"/stuck/{n}"), 1)
    hook.set_mode("/stuck/", "hang")
    for n in stuck[8:]:
        hook.set_mode(f"/stuck/{n}", ("slow", 45))
    h.add_operator("op-fast")
    h.add_contact("op-fast", "webhook", hook.url("/hooks/op-fast"), 1)
    start(h)
    try:
        a1 = h.issue("nisc-a", audience={"orgs": stuck})["id"]
        wait_for(lambda: hook.count("/stuck/") == len(stuck), timeout=30,
                 what="every stuck receiver holding a connection")
        t = time.monotonic()
        a2 = h.issue("nisc-a", audience={"orgs": ["op-fast"]})["id"]
        wait_for(lambda: hook.count("/hooks/op-fast", True),
                 timeout=BOUND_S + 10, what="the healthy receiver, promptly")
        fast = hook.seen("/hooks/op-fast", True)[0]
        took = fast.t - t     # the receiver's clock, as t
        assert took < BOUND_S, took
        # reached while every stuck receiver still held its connection
        # (none had answered; the receiver's clock)
        assert [x.done for x in hook.seen("/stuck/")
                if x.done is not None and x.done <= fast.t] == []
        wait_for(lambda: h.items(a2, "nisc-a")["op-fast"]["state"] ==
                 "delivered", timeout=BOUND_S,
                 what="recorded as delivered")
        # the stuck ones are still held (nothing finished yet)
        assert hook.open_hangs == 8
        assert hook.seen("/stuck/", True) == []
        assert all(j["state"] == "sending" for j in h.jobs(a1))
        # and the API answers meanwhile
        assert h.get("/healthz").status_code == 200
    finally:
        h.stop()


def test_ack_while_a_delivery_is_in_flight_stops_retries(tmp_path, hook,
                                                         smtp):
    """A recipient acknowledges (API) while its message is in flight to a
    receiver that never answers: the in-flight attempt cannot be recalled,
    but after it times out nothing more may be sent to that organisation
    (no retry of the job, no next channel)."""
    # the attempt is cut after 10 s: room for the acknowledgement to land
    # while it is in flight, even on a loaded machine
    h = make_hub(tmp_path, base_flags(smtp, delivery_attempts=ATTEMPTS,
                                      http_timeout_s=10))
    staff(h)
    h.add_operator("op-h")
    h.add_contact("op-h", "webhook", hook.url("/hooks/op-h"), 1)
    h.add_contact("op-h", "email", "desk@op-h.example.jp", 2)
    h.add_user("op-h-liaison", "op-h")
    hook.set_mode("/hooks/op-h", "hang")
    start(h)
    try:
        adv = h.issue("nisc-a")["id"]
        wait_for(lambda: hook.count("/hooks/op-h") == 1, what="in flight")
        assert [j["state"] for j in h.jobs(adv, "op-h")] == ["sending"]
        h.ok("POST", f"/api/v1/advisories/{adv}/ack", "op-h-liaison")
        # the in-flight attempt times out (10 s); a retry would follow
        # within 1 s of backoff, a next channel after the third attempt
        row, snaps = track_job(h, adv, "op-h", 1,
                               lambda r: r["state"] != "sending", timeout=40)
        # it was still in flight when acknowledged: stopped, not retried
        assert row["state"] == "failed", snaps
        assert row["last_error"] == "stopped: acknowledged meanwhile", snaps
        assert_stays(lambda: hook.count("/hooks/op-h") == 1, 6,
                     f"retried after the acknowledgement: {snaps}")
        assert smtp.to("desk@op-h.example.jp") == [], \
            "next channel used after the acknowledgement"
        assert h.items(adv, "nisc-a")["op-h"]["state"] == "acknowledged"
        assert [j["state"] for j in h.jobs(adv, "op-h")
                if j["state"] in ("queued", "sending")] == []
    finally:
        h.stop()


# ------------------------------------------------------------ B3 SMTP

def test_smtp_recipient_refused_is_final_then_next_channel(rhub, hook, smtp):
    h = rhub
    h.add_operator("op-m")
    h.add_contact("op-m", "email", "nobody@op-m.example.jp", 1)
    h.add_contact("op-m", "webhook", hook.url("/hooks/op-m"), 2)
    smtp.refuse.add("nobody@op-m.example.jp")
    start(h)
    adv = h.issue("nisc-a")["id"]
    wait_for(lambda: hook.count("/hooks/op-m", True), timeout=15,
             what="the next channel (webhook)")
    assert smtp.count_events("refused", "nobody@op-m.example.jp") == 1
    assert smtp.messages == []
    jobs = {j["priority"]: j for j in h.jobs(adv, "op-m")}
    assert jobs[1]["state"] == "failed" and jobs[1]["attempts"] == 1
    assert "550" in jobs[1]["last_error"]
    assert jobs[2]["reason"] == "next"
    wait_for(lambda: h.items(adv, "nisc-a")["op-m"]["state"] == "delivered",
             what="delivered by webhook")
    assert h.items(adv, "nisc-a")["op-m"]["channel"] == "webhook"


@pytest.mark.parametrize("how", ["drop", "421"])
def test_smtp_failure_mid_message_is_retried(rhub, hook, smtp, how):
    h = rhub
    h.add_operator("op-m")
    h.add_contact("op-m", "email", "desk@op-m.example.jp", 1)
    h.add_contact("op-m", "webhook", hook.url("/hooks/op-m"), 2)
    smtp.fail_data["desk@op-m.example.jp"] = [1, how]
    start(h)
    adv = h.issue("nisc-a")["id"]
    wait_for(lambda: smtp.to("desk@op-m.example.jp"), timeout=15,
             what="the e-mail on a later attempt")
    assert smtp.count_events(how, "desk@op-m.example.jp") == 1
    wait_for(lambda: h.items(adv, "nisc-a")["op-m"]["state"] == "delivered",
             what="delivered")
    jobs = {j["priority"]: j for j in h.jobs(adv, "op-m")}
    assert jobs[1]["state"] == "delivered" and jobs[1]["attempts"] == 2
    assert 2 not in jobs               # no next channel was needed
    assert hook.count("/hooks/op-m") == 0
    assert len(smtp.to("desk@op-m.example.jp")) == 1
    mail = smtp.to("desk@op-m.example.jp")[0]
    assert mail["Idempotency-Key"] == jobs[1]["idem_key"]
    assert h.items(adv, "nisc-a")["op-m"]["channel"] == "email"


# ------------------------------------------------------------ B4 ack links

def refused_entries(h):
    return h.audit("advisory.ack_link.refused")


def expect_refused(h, path, status, reason, adv, org="op-a",
                   method="GET"):
    before = len(refused_entries(h))
    state_before = h.items(adv, "nisc-a")[org]
    r = requests.request(method, h.url + path, timeout=30)
    assert r.status_code == status, (path, r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("text/html")
    after = refused_entries(h)
    assert len(after) == before + 1, after[-3:]
    assert after[-1]["detail"]["reason"] == reason
    assert h.items(adv, "nisc-a")[org] == state_before
    return r


def test_ack_links_forged_altered_unknown_reused(rhub, hook):
    h = rhub
    h.add_operator("op-a")
    h.add_contact("op-a", "webhook", hook.url("/hooks/op-a"), 1)
    start(h)
    adv = h.issue("nisc-a")["id"]
    wait_for(lambda: hook.count("/hooks/op-a", True), what="message")
    wait_for(lambda: h.items(adv, "nisc-a")["op-a"]["state"] == "delivered",
             what="delivered")
    path = ack_path(hook.seen("/hooks/op-a", True)[0].json["ack_url"])
    token = path[len("/ack/"):]
    nonce, exp, mac = token.split(".")
    assert int(exp) > time.time() + 6 * 86400
    # forged: the last character changed
    last = "A" if token[-1] != "A" else "B"
    r = expect_refused(h, "/ack/" + token[:-1] + last, 404, "forged", adv)
    assert "This link is not valid." in r.text
    # the expiry part altered (later): refused as forged
    expect_refused(h, f"/ack/{nonce}.{int(exp) + 86400}.{mac}", 404,
                   "forged", adv)
    expect_refused(h, f"/ack/{nonce}.{int(exp) - 8 * 86400}.{mac}", 404,
                   "forged", adv)
    # unknown token of the right shape, and garbage
    fake = (base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=")
            .decode() + f".{exp}." + base64.urlsafe_b64encode(
                secrets.token_bytes(24)).decode())
    expect_refused(h, "/ack/" + fake, 404, "forged", adv)
    expect_refused(h, "/ack/short", 404, "forged", adv)
    assert h.audit("advisory.ack") == []
    # forged links are refused on POST too
    expect_refused(h, "/ack/" + token[:-1] + last, 404, "forged", adv,
                   method="POST")
    # GET and HEAD of the real link change nothing and audit nothing
    for _ in range(2):
        before = h.audit("advisory.ack_link.refused")
        r = h.get(path)
        assert r.status_code == 200 and '<form method="post">' in r.text
        r = requests.head(h.url + path, timeout=30)
        assert r.status_code == 200 and r.text == ""
        assert h.items(adv, "nisc-a")["op-a"]["state"] == "delivered"
        assert h.audit("advisory.ack") == []
        assert h.audit("advisory.ack_link.refused") == before
    # the real link acknowledges once, by POST ...
    r = h.post(path)
    assert r.status_code == 200 and "Acknowledged" in r.text
    item = h.items(adv, "nisc-a")["op-a"]
    assert item["state"] == "acknowledged" and item["ack_via"] == "link"
    acked_at = item["acked_at"]
    # ... and is refused when reused (nothing changes)
    r = expect_refused(h, path, 409, "used", adv, method="POST")
    assert "used already" in r.text
    expect_refused(h, path, 409, "used", adv)
    assert h.items(adv, "nisc-a")["op-a"]["acked_at"] == acked_at
    acks = h.audit("advisory.ack")
    assert len(acks) == 1 and acks[0]["detail"]["via"] == "link"
    assert acks[0]["detail"]["addr"] == "127.0.0.1"  # audited with address


def test_ack_link_expired(rhub, hook):
    """A link past its expiry is refused as expired (410). The test cannot
    wait 7 days: it signs a link that expired an hour ago with the hub's
    key (read from the database, as the hub itself would) and stores it
    like the hub stores links."""
    h = rhub
    h.add_operator("op-a")
    h.add_contact("op-a", "webhook", hook.url("/hooks/op-a"), 1)
    start(h)
    adv = h.issue("nisc-a")["id"]
    wait_for(lambda: h.items(adv, "nisc-a")["op-a"]["state"] == "delivered",
             what="delivered")
    key = bytes.fromhex(h.db_rows("SELECT value FROM meta WHERE key = "
                                  "'ack_key'")[0]["value"])
    nonce = base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(
        b"=").decode()
    exp = int(time.time()) - 3600
    mac = hmac.new(key, f"{nonce}.{exp}.{adv}.op-a".encode(),
                   hashlib.sha256).digest()[:24]
    token = f"{nonce}.{exp}." + base64.urlsafe_b64encode(mac).rstrip(
        b"=").decode()
    con = hubdb.connect(h.db, timeout=10)
    with con:
        con.execute("INSERT INTO ack_links(hash, advisory_id, org_id, "
                    "expires_at) VALUES (?, ?, ?, ?)",
                    (hashlib.blake2b(token.encode(), digest_size=32).digest(),
                     adv, "op-a", exp))
    con.close()
    r = expect_refused(h, "/ack/" + token, 410, "expired", adv)
    assert "expired" in r.text
    assert h.items(adv, "nisc-a")["op-a"]["acked_at"] is None


# ------------------------------------------------------------ B5 relay

def test_relay_by_wrong_org_or_widening_changes_nothing(rhub, hook):
    h = rhub
    for n in ("op-a", "op-b"):
        h.add_operator(n)
        h.add_contact(n, "webhook", hook.url(f"/hooks/{n}"), 1)
        h.add_user(f"{n}-liaison", n)
    h.add_user("elec-sec", "ceptoar-electricity", "reader,liaison,analyst")
    start(h)
    h.set_policy("ceptoar-gas", "review", 30)
    green = h.issue("nisc-a")["id"]
    amber = h.issue("nisc-a", range="amber")["id"]
    h.wait_ticks(2)

    def snapshot(adv):
        a = h.advisory(adv, "nisc-a")
        return (a["range"], a["chain"], h.deliveries(adv, "nisc-a"))

    before = {a: snapshot(a) for a in (green, amber)}
    for a in (green, amber):
        assert {i["state"] for i in before[a][2]["items"]} == {"pending"}
    # organisations that are not the current hop
    assert_error(h.call("POST", f"/api/v1/advisories/{green}/relay",
                        "elec-sec", json={"note_en": "x"}), 409,
                 "not_current_hop")
    assert_error(h.call("POST", f"/api/v1/advisories/{green}/relay",
                        "op-a-liaison", json={}), 409, "not_current_hop")
    assert_error(h.call("POST", f"/api/v1/advisories/{green}/relay",
                        "meti-a", json={}), 409, "already_relayed")
    assert_error(h.call("POST", f"/api/v1/advisories/{green}/relay",
                        "nisc-a", json={}), 409)
    # the current hop widening the range
    assert_error(h.call("POST", f"/api/v1/advisories/{green}/relay",
                        "gas-sec", json={"range": "white"}), 400,
                 "range_widening", "range")
    assert_error(h.call("POST", f"/api/v1/advisories/{amber}/relay",
                        "gas-sec", json={"range": "green",
                                         "note_ja": "広げたい"}), 400,
                 "range_widening", "range")
    assert_error(h.call("POST", f"/api/v1/advisories/{amber}/relay",
                        "gas-sec", json={"range": "purple"}), 400)
    h.wait_ticks(2)
    for a in (green, amber):
        now = snapshot(a)
        assert now[0] == before[a][0] and now[1] == before[a][1]
        assert now[2]["items"] == before[a][2]["items"]
        assert now[2]["messages"] == before[a][2]["messages"]
    assert h.audit("advisory.relay") == []
    assert hook.count("/hooks/") == 0
    # the hop can still relay (narrowing) afterwards; to Red only an
    # advisory that names its recipients (test_relay_never_makes_a_group_
    # advisory_red): these name the gas scope
    assert_error(h.call("POST", f"/api/v1/advisories/{amber}/relay",
                        "gas-sec", json={"range": "red"}), 400,
                 "invalid_value", "range")
    h.ok("POST", f"/api/v1/advisories/{green}/relay", "gas-sec",
         json={"range": "amber"})
    assert h.advisory(green, "nisc-a")["range"] == "amber"
    wait_for(lambda: hook.count("/hooks/op-a", True) and
             hook.count("/hooks/op-b", True), what="members after relay")
    assert all(x.json["advisory"] == green for x in hook.seen("/hooks/"))
    assert h.advisory(amber, "nisc-a")["range"] == "amber"


def test_relay_never_makes_a_group_advisory_red(rhub, hook):
    """A Red advisory names its recipients individually, and a relay keeps
    that rule as the issue does (docs/rules.md "Authors, audience,
    chain"): a hop narrowing an Amber advisory to a group (a scope, a
    sector's CEPTOAR) to Red is refused 400 naming the audience, and
    nothing changes - range, chain, no delivery queued, no audit entry,
    nothing sent. Before, the ministry's relay to Red answered 200 and the
    secretariat's plain relay then pushed TLP:RED notices with an
    acknowledgement link to every member, none of which could read the
    advisory or acknowledge it (found by an outside review). An advisory
    that names its recipients may still be narrowed to Red."""
    h = rhub
    for n in ("op-a", "op-b"):
        h.add_operator(n)
        h.add_contact(n, "webhook", hook.url(f"/hooks/{n}"), 1)
        h.add_user(f"{n}-liaison", n)
    h.start()
    h.set_policy("meti", "review", 60)
    h.set_policy("ceptoar-gas", "review", 60)
    advs = [h.issue("nisc-a", range="amber", audience=aud)["id"]
            for aud in ({"scopes": ["gas"]},
                        {"ceptoars": ["ceptoar-gas"]})]
    h.wait_ticks(2)

    def snapshot(adv):
        a = h.advisory(adv, "nisc-a")
        return (a["range"], a["chain"], h.deliveries(adv, "nisc-a"))

    def refused_and_unchanged(user):
        before = {a: snapshot(a) for a in advs}
        for a in advs:
            for body in ({"range": "red"},
                         {"range": "red", "note_ja": "赤に",
                          "note_en": "to Red"}):
                assert_error(h.call("POST", f"/api/v1/advisories/{a}/relay",
                                    user, json=body), 400,
                             "invalid_value", "range")
        h.wait_ticks(2)
        for a in advs:
            now = snapshot(a)
            assert now[0] == "amber" and now == before[a]
            assert h.jobs(a) == []
        assert hook.count("/hooks/") == 0

    # the ministry: the first hop
    refused_and_unchanged("meti-a")
    assert h.audit("advisory.relay") == []
    for a in advs:
        h.ok("POST", f"/api/v1/advisories/{a}/relay", "meti-a", json={})
    # the secretariat, which releases the members
    refused_and_unchanged("gas-sec")
    assert len(h.audit("advisory.relay")) == len(advs)
    for a in advs:
        assert {i["state"] for i in h.items(a, "nisc-a").values()} == {
            "pending"}
    # relayed as it is, the members are sent Amber and read it
    for a in advs:
        out = h.ok("POST", f"/api/v1/advisories/{a}/relay", "gas-sec",
                   json={})
        assert out["range"] == "amber"
    wait_for(lambda: len(hook.seen("/hooks/", True)) >= 2 * len(advs),
             what="members after relay")
    assert {x.json["range"] for x in hook.seen("/hooks/", True)} == {
        "amber"}
    for a in advs:
        assert h.ok("GET", f"/api/v1/advisories/{a}", "op-a-liaison")[
            "range"] == "amber"
    # an advisory that names its recipients: a hop may make it Red
    named = h.issue("nisc-a", range="amber",
                    audience={"orgs": ["op-a"]})["id"]
    h.wait_ticks(2)
    out = h.ok("POST", f"/api/v1/advisories/{named}/relay", "meti-a",
               json={"range": "red"})
    assert out["range"] == "red"


def test_red_advisory_names_its_recipients(rhub, hook):
    """Red is readable only by the chain and organisations named
    individually: a Red advisory to a group is refused (nothing stored or
    sent); named recipients read it, and its link acknowledges."""
    h = rhub
    h.add_operator("op-a")
    h.add_contact("op-a", "webhook", hook.url("/hooks/op-a"), 1)
    h.add_user("op-a-liaison", "op-a")
    start(h)
    for aud in ({"scopes": ["gas"]}, {"sectors": ["gas"]},
                {"ceptoars": ["ceptoar-gas"]}, {"all": True}):
        r = h.call("POST", "/api/v1/advisories", "nisc-a", json={
            "kind": "security_info", "range": "red", "severity": 1,
            "title_ja": "t", "title_en": "t", "body_ja": "b", "body_en": "b",
            "audience": aud})
        assert_error(r, 400, "invalid_value", "audience")
    assert h.audit("advisory.issue") == []
    adv = h.issue("nisc-a", range="red", audience={"orgs": ["op-a"]})["id"]
    wait_for(lambda: hook.count("/hooks/op-a", True), what="notice")
    msg = hook.seen("/hooks/op-a", True)[0].json
    assert msg["range"] == "red" and "body" not in msg and "title" not in msg
    assert h.ok("GET", f"/api/v1/advisories/{adv}", "op-a-liaison")[
        "range"] == "red"
    r = h.post(ack_path(msg["ack_url"]))
    assert r.status_code == 200, r.text
    item = h.items(adv, "nisc-a")["op-a"]
    assert item["state"] == "acknowledged" and item["ack_via"] == "link"


def test_concurrent_acknowledgements(rhub, hook):
    """Many people of one organisation acknowledge at once (API), and a
    link is followed many times at once (a mail scanner and a person):
    acknowledgement is idempotent - every API call answers 200, exactly
    one of them not "already"; exactly one link use succeeds, every other
    is refused 409 and audited."""
    import collections
    import concurrent.futures as cf
    h = rhub
    for n in ("op-a", "op-b"):
        h.add_operator(n)
        h.add_contact(n, "webhook", hook.url(f"/hooks/{n}"), 1)
    h.add_user("op-b-liaison", "op-b")
    start(h)
    tok = h.tok("op-b-liaison")
    problems = []
    for rnd in range(8):
        adv = h.issue("nisc-a")["id"]
        wait_for(lambda: {x.json["org"] for x in hook.seen("/hooks/", True)
                          if x.json["advisory"] == adv} == {"op-a", "op-b"},
                 what="both delivered")
        link = ack_path([x for x in hook.seen("/hooks/op-a", True)
                         if x.json["advisory"] == adv][0].json["ack_url"])
        refused_before = len(refused_entries(h))
        with cf.ThreadPoolExecutor(16) as ex:
            links = list(ex.map(lambda i: h.post(link).status_code,
                                range(16)))
            acks = list(ex.map(
                lambda i: h.api("POST", f"/api/v1/advisories/{adv}/ack",
                                token=tok), range(16)))
        refused = len(refused_entries(h)) - refused_before
        if collections.Counter(links) != {200: 1, 409: 15} or refused != 15:
            problems.append((rnd, "link", collections.Counter(links),
                             refused))
        outcome = collections.Counter(
            (r.status_code, r.json().get("already")) for r in acks)
        if outcome != {(200, False): 1, (200, True): 15}:
            problems.append((rnd, "api", dict(outcome),
                             [r.text for r in acks
                              if r.status_code != 200][:1]))
        assert h.items(adv, "nisc-a")["op-b"]["state"] == "acknowledged"
        assert len([e for e in h.audit("advisory.ack")
                    if e["target"] == adv]) == 2
    assert problems == [], "\n".join(map(repr, problems))


def test_concurrent_relays_by_the_hop(rhub, hook):
    """Two people of the secretariat relay at the same moment: one relay
    happens (one audit entry, members sent once); the others are told
    409 already_relayed - not a 500."""
    import collections
    import concurrent.futures as cf
    h = rhub
    h.add_operator("op-a")
    h.add_contact("op-a", "webhook", hook.url("/hooks/op-a"), 1)
    start(h)
    h.set_policy("ceptoar-gas", "review", 30)
    tok = h.tok("gas-sec")
    problems = []
    for rnd in range(20):
        adv = h.issue("nisc-a")["id"]
        with cf.ThreadPoolExecutor(12) as ex:
            rs = list(ex.map(
                lambda i: h.api("POST", f"/api/v1/advisories/{adv}/relay",
                                token=tok, json={"note_en": f"n{i}"}),
                range(12)))
        outcome = collections.Counter(
            (r.status_code, r.json().get("error", {}).get("code"))
            for r in rs)
        if outcome != {(200, None): 1, (409, "already_relayed"): 11}:
            problems.append((rnd, dict(outcome)))
        wait_for(lambda: [x for x in hook.seen("/hooks/op-a", True)
                          if x.json["advisory"] == adv], what="member")
        assert len([e for e in h.audit("advisory.relay")
                    if e["target"] == adv]) == 1
    assert hook.count("/hooks/op-a") == 20
    assert problems == [], "\n".join(map(repr, problems))
