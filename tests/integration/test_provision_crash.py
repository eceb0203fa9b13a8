"""Crash durability of the delivery outbox (DOMAIN.md §6: "Delivery is
at-least-once: retried with backoff until delivered or escalated, across
restarts; receivers deduplicate by the idempotency key").

5,000 gas operators are written straight into the SQLite database before
the daemon first starts (an organisation row, a membership of ceptoar-gas
and one webhook contact with a random 64-hex secret each, pointing at a
real receiver of the test) - much faster than 5,000 CLI calls, and the
shape the CLI writes. NISC issues a Green advisory to the gas scope with
every hop on `auto`; the daemon is killed with SIGKILL once the receiver has
seen at least 10 % of the messages and before it has seen them all, then
restarted on the same database. Every organisation must be delivered; the
receiver may see duplicates (at-least-once), but after de-duplication by
Idempotency-Key each organisation appears exactly once.
"""
import collections
import json
import secrets
import time

import hubdb
from receivers import WebhookReceiver
from test_provision_features import (base_flags, make_hub, staff,
                                     verify_signature)

N_ORGS = 5000


def seed_operators(db, receiver, n):
    """Writes n operators of the gas scope, members of ceptoar-gas, each
    with one webhook contact, into the hub's database. Returns
    {org: (contact_id, secret)}."""
    now = int(time.time())
    con = hubdb.connect(db, timeout=30)
    out = {}
    with con:
        for i in range(1, n + 1):
            org = f"op-crash-{i:05d}"
            sec = secrets.token_hex(32)
            con.execute(
                "INSERT INTO orgs(id, kind, name_ja, name_en, short_en, "
                "scope_id, observer, demo, attrs, created_at) VALUES "
                "(?, 'operator', ?, ?, '', 'gas', 0, 0, '{}', ?)",
                (org, f"耐障害試験ガス{i}", f"Crash test gas {i}", now))
            con.execute("INSERT INTO memberships(org_id, group_id) VALUES "
                        "(?, 'ceptoar-gas')", (org,))
            cur = con.execute(
                "INSERT INTO contacts(org_id, channel, address, priority, "
                "emergency, secret, lang, created_at) VALUES "
                "(?, 'webhook', ?, 1, 0, ?, 'ja', ?) RETURNING id",
                (org, receiver.url(f"/hooks/{org}"), sec, now))
            out[org] = (cur.fetchone()[0], sec)
    con.close()
    return out


def poll(pred, timeout, interval, what):
    """wait_for with a coarser interval, for heavy predicates."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_during_mass_delivery_then_restart(tmp_path):
    recv = WebhookReceiver().start()
    h = make_hub(tmp_path, base_flags(None, http_timeout_s=10))
    try:
        staff(h)
        contacts = seed_operators(h.db, recv, N_ORGS)
        h.start()
        h.set_policy("meti", "auto")
        h.set_policy("ceptoar-gas", "auto")
        adv = h.issue("nisc-a", title_ja="全事業者への周知",
                      title_en="Notice to every operator")
        assert adv["recipients"] == N_ORGS
        aid = adv["id"]
        # crash once >= 10 % arrived, before all did
        deadline = time.monotonic() + 120
        while recv.count("/hooks/") < N_ORGS // 10:
            assert time.monotonic() < deadline, "deliveries did not start"
            assert h.proc.poll() is None
            time.sleep(0.001)
        h.kill()
        seen_at_kill = recv.count("/hooks/")
        assert N_ORGS // 10 <= seen_at_kill < N_ORGS, seen_at_kill
        # what the crash left behind, as the restart will find it
        states = dict((r["state"], r["n"]) for r in h.db_rows(
            "SELECT state, count(*) AS n FROM deliveries WHERE "
            "advisory_id = ? GROUP BY state", aid))
        left_sending = states.get("sending", 0)
        # the crash hit messages in flight (the case that makes duplicates)
        assert left_sending > 0, states

        h.start()
        def done():
            d = h.deliveries(aid, "nisc-a")
            m = d["messages"]
            return (m["queued"] == 0 and m["sending"] == 0 and
                    all(i["state"] == "delivered" for i in d["items"])
                    and d)
        d = poll(done, 180, 0.5, "every organisation delivered")
        assert len(d["items"]) == N_ORGS
        assert d["messages"]["delivered"] == N_ORGS
        assert d["messages"]["failed"] == 0
        assert d["reach"]["advisory"]["delivered_1h"] == N_ORGS
        # the restart queued again what the crash left in flight
        restarts = [e for e in h.log_lines()
                    if e.get("msg") == "outbox: deliveries queued again "
                                       "after restart"]
        if left_sending:
            assert restarts and restarts[-1]["count"] == left_sending, \
                (left_sending, restarts)

        hits = recv.seen("/hooks/", answered_ok=True)
        by_key = collections.defaultdict(list)
        for hit in hits:
            by_key[hit.headers["idempotency-key"]].append(hit)
        orgs_reached = {hit.path[len("/hooks/"):] for hit in hits}
        assert orgs_reached == set(contacts), \
            sorted(set(contacts) - orgs_reached)[:10]
        # de-duplicated by Idempotency-Key: each organisation exactly once
        per_org = collections.Counter(
            ks[0].path[len("/hooks/"):] for ks in by_key.values())
        assert set(per_org.values()) == {1}
        assert len(by_key) == N_ORGS
        for key, ks in by_key.items():
            org = ks[0].path[len("/hooks/"):]
            cid, sec = contacts[org]
            assert key == f"{aid}.{org}.{cid}"
            for hit in ks:
                assert hit.path == ks[0].path
                assert hit.json["id"] == key and hit.json["org"] == org
        # signatures hold, duplicates included
        dup_hits = [x for ks in by_key.values() if len(ks) > 1 for x in ks]
        for hit in (hits[:50] + hits[-50:] + dup_hits[:200]):
            verify_signature(hit, contacts[hit.path[len("/hooks/"):]][1])
        duplicates = len(hits) - len(by_key)
        report = {"organisations": N_ORGS, "seen_at_kill": seen_at_kill,
                  "left_sending_at_kill": left_sending,
                  "states_at_kill": states,
                  "messages_received": len(hits),
                  "all_requests": recv.count("/hooks/"),
                  "duplicates": duplicates,
                  "unique_keys": len(by_key),
                  "unique_orgs": len(per_org)}
        print("\nCRASH-TEST", json.dumps(report))
        (tmp_path / "crash-report.json").write_text(json.dumps(report))
    finally:
        if h.proc:
            h.stop()
        recv.stop()
