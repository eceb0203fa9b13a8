"""The outbox works in batches (issue 17): many jobs are claimed, composed
and their outcomes recorded per transaction, and one advisory's message is
composed from what was read once per advisory and once per organisation.

A hotline warning (DOMAIN.md §6: every contact of every recipient at once,
and the secretariat's emergency contact) goes to 300 gas operators with 5
webhook contacts each, through an outbox of --max-inflight 16 (batches of
4, so claims, compositions and records overlap many times). Without a
crash every message must be sent exactly once and recorded exactly once:
a lost outcome leaves a job 'sending' (and sends it again when its lease
runs out), a job claimed twice sends twice, a cached value of the wrong
organisation shows in the bodies. The operators are written straight into
the database, as test_provision_crash.py does.
"""
import collections
import re
import secrets
import time

import hubdb
from receivers import WebhookReceiver
from test_provision_features import (base_flags, make_hub, staff,
                                     verify_signature)

N_ORGS = 300
N_CONTACTS = 5


def seed(db, receiver):
    """N_ORGS gas operators with N_CONTACTS webhook contacts each, and an
    emergency webhook contact of ceptoar-gas. Returns {contact_id: (org,
    secret)} and the emergency contact's (id, secret)."""
    now = int(time.time())
    con = hubdb.connect(db, timeout=30)
    out = {}
    with con:
        for i in range(1, N_ORGS + 1):
            org = f"op-batch-{i:04d}"
            con.execute(
                "INSERT INTO orgs(id, kind, name_ja, name_en, short_en, "
                "scope_id, observer, demo, attrs, created_at) VALUES "
                "(?, 'operator', ?, ?, '', 'gas', 0, 0, '{}', ?)",
                (org, f"一括試験ガス{i}", f"Batch test gas {i}", now))
            con.execute("INSERT INTO memberships(org_id, group_id) VALUES "
                        "(?, 'ceptoar-gas')", (org,))
            for k in range(1, N_CONTACTS + 1):
                sec = secrets.token_hex(32)
                cur = con.execute(
                    "INSERT INTO contacts(org_id, channel, address, "
                    "priority, emergency, secret, lang, created_at) VALUES "
                    "(?, 'webhook', ?, ?, 0, ?, 'ja', ?) RETURNING id",
                    (org, receiver.url(f"/hooks/{org}/{k}"), k, sec, now))
                out[cur.fetchone()[0]] = (org, sec)
        esec = secrets.token_hex(32)
        cur = con.execute(
            "INSERT INTO contacts(org_id, channel, address, priority, "
            "emergency, secret, lang, created_at) VALUES ('ceptoar-gas', "
            "'webhook', ?, 9, 1, ?, 'ja', ?) RETURNING id",
            (receiver.url("/emergency/ceptoar-gas"), esec, now))
        emergency = (cur.fetchone()[0], esec)
    con.close()
    return out, emergency


def metric(h, name, outcome):
    pat = re.compile(r'^%s\{outcome="%s"\} (\d+)$' % (re.escape(name),
                                                       outcome))
    for line in h.metrics().text.splitlines():
        m = pat.match(line)
        if m:
            return int(m.group(1))
    raise AssertionError(f"no {name}{{outcome={outcome}}} in /metrics")


def test_hotline_fanout_in_batches_each_message_once(tmp_path):
    recv = WebhookReceiver().start()
    h = make_hub(tmp_path, base_flags(None, http_timeout_s=10,
                                      max_inflight=16))
    try:
        staff(h)
        contacts, (ecid, esec) = seed(h.db, recv)
        h.start()
        total = N_ORGS * N_CONTACTS + 1
        adv = h.issue("nisc-a", kind="warning", severity=4,
                      title_ja="一括配信の試験", title_en="Batch delivery test",
                      body_ja="全連絡先への本文", body_en="Body for every contact")
        assert adv["hotline"] is True and adv["recipients"] == N_ORGS
        aid = adv["id"]

        def done():
            rows = h.db_rows("SELECT state, count(*) AS n FROM deliveries "
                             "WHERE advisory_id = ? GROUP BY state", aid)
            return {r["state"]: r["n"] for r in rows} == {"delivered": total}
        deadline = time.monotonic() + 120
        while not done():
            assert time.monotonic() < deadline, "not every job recorded"
            assert h.proc.poll() is None
            time.sleep(0.1)

        # every job recorded once, on its first attempt, with its time
        jobs = h.db_rows("SELECT contact_id, org_id, idem_key, attempts, "
                         "delivered_at, reason FROM deliveries WHERE "
                         "advisory_id = ?", aid)
        assert len(jobs) == total
        assert all(j["attempts"] == 1 and j["delivered_at"] for j in jobs)
        assert collections.Counter(j["reason"] for j in jobs) == \
            {"hotline": total - 1, "emergency": 1}
        # each organisation: delivered, by webhook
        rcpts = h.db_rows("SELECT org_id, delivered_at, channel FROM "
                          "advisory_recipients WHERE advisory_id = ?", aid)
        assert len(rcpts) == N_ORGS
        assert all(r["delivered_at"] and r["channel"] == "webhook"
                   for r in rcpts)
        # the counters count what was committed, once each
        assert metric(h, "infrashare_deliveries_total", "delivered") == total
        assert metric(h, "infrashare_deliveries_total", "retried") == 0

        # the receiver: every message exactly once (no crash, no
        # duplicate), each at its own contact's address
        hits = recv.seen("/", answered_ok=True)
        assert len(hits) == total == recv.count("/")
        by_key = {x.headers["idempotency-key"]: x for x in hits}
        assert len(by_key) == total
        ack_urls = set()
        for cid, (org, sec) in contacts.items():
            hit = by_key.pop(f"{aid}.{org}.{cid}")
            assert hit.path.startswith(f"/hooks/{org}/")
            body = hit.json
            assert body["id"] == f"{aid}.{org}.{cid}"
            assert body["org"] == org and body["advisory"] == aid
            assert body["hotline"] is True and body["kind"] == "warning"
            assert body["title"] == {"ja": "一括配信の試験",
                                     "en": "Batch delivery test"}
            assert body["body"] == {"ja": "全連絡先への本文",
                                    "en": "Body for every contact"}
            assert body["notes"] == [] and "channel" not in body
            assert "/ack/" in body["ack_url"]
            ack_urls.add(body["ack_url"])
            verify_signature(hit, sec)
        # one single-use link per message
        assert len(ack_urls) == N_ORGS * N_CONTACTS
        links = h.db_rows("SELECT count(*) AS n FROM ack_links WHERE "
                          "advisory_id = ?", aid)
        assert links[0]["n"] == N_ORGS * N_CONTACTS
        # the secretariat's emergency contact: told, not asked
        (em,) = by_key.values()
        assert em.path == "/emergency/ceptoar-gas"
        assert em.json["id"] == f"{aid}.ceptoar-gas.{ecid}"
        assert em.json["org"] == "ceptoar-gas"
        assert em.json["ack_url"] is None
        verify_signature(em, esec)
    finally:
        if h.proc:
            h.stop()
        recv.stop()
