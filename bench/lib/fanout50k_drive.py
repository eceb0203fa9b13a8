#!/usr/bin/python3
"""fanout50k_drive.py - the 50,000-delivery fan-out of issue 17
(bench/fanout_50k.sh).

  fanout50k_drive.py prepare DB --receiver-port P [--operators 5000]
                     [--contacts 10]
  fanout50k_drive.py issue --url URL --token TOKEN --db DB --pid PID
                     --receiver URL [--peer-pid PID] [--timeout S]
                     [--body-chars N] [key=value ...]

prepare: edits a copy of the demo hub before the daemon starts (python
  sqlite3, like fanout_drive.py prepare): adds clones of demo operators
  ("opx-<demo id>", same scope and CEPTOAR memberships) until there are
  --operators operators; then replaces every operator's contacts with
  --contacts webhook contacts (priorities 1..N, each with its own 32-byte
  secret) at http://127.0.0.1:P/hooks/<org>/<n>; the CEPTOAR secretariats'
  emergency contacts (緊急窓口, phone gateways in the demo) are pointed at
  http://127.0.0.1:P/gw/<org> too, so that nothing leaves this machine.

  Why every contact receives it: the advisory is a `warning` of severity 4,
  which is on the hotline (docs/rules.md "Hotline"): sent to every contact
  of every recipient at once, and to the emergency contacts of every CEPTOAR
  secretariat on its chain. With 5,000 operators x 10 contacts that is
  50,000 deliveries to operators (plus one per secretariat emergency
  contact).

issue: POST /api/v1/advisories as NISC (warning, Green, severity 4,
  audience all), then polls the receiver (GET /__stats, every 50 ms) and
  the daemon's database (read-only, every 250 ms until the receiver has
  everything, then every 50 ms) until every delivery is 'delivered' in the
  database (or --timeout). Prints one JSON line:
    t_post_s       POST sent -> 201 read
    to_first_s     201 -> first POST at the receiver
    to_last_s      201 -> last POST at the receiver (the main figure)
    to_db_s        201 -> the first poll that found every delivery recorded
                   'delivered' (an upper bound, 50 ms steps once the
                   receiver is complete)
    rate           deliveries / to_last_s
    daemon_cpu_s, cpu_ms_per_delivery   utime+stime of the daemon from just
                   before the POST to completion (the issue transaction
                   included), per delivery
    outbox_cpu_s   CPU of the daemon's busiest thread (the outbox)
  and the checks: db_deliveries, db_operator_delivered (must be operators x
  contacts), db_states, rx_unique (distinct Idempotency-Keys, must equal the
  deliveries), rx_dups, keys_match (the receiver's count of distinct keys
  equals the database's distinct idem_key count).
"""
import argparse
import json
import os
import sqlite3
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fanout_drive import (body_text, cpu_s, http_json,  # noqa
                          parse_extra, post_advisory, proc_status, task_cpu,
                          wait_idle)


def prepare(a):
    c = sqlite3.connect(a.db)
    c.execute("PRAGMA foreign_keys = ON")
    now = int(time.time())
    with c:
        have = c.execute("SELECT count(*) FROM orgs WHERE kind = "
                         "'operator'").fetchone()[0]
        need = max(a.operators - have, 0)
        src = c.execute("SELECT id, name_ja, name_en, short_en, scope_id, "
                        "observer, attrs FROM orgs WHERE kind = 'operator' "
                        "ORDER BY id LIMIT ?", (need,)).fetchall()
        if len(src) < need:
            sys.exit("not enough demo operators to clone")
        for (oid, nja, nen, sen, scope, obs, attrs) in src:
            nid = "opx-" + oid
            c.execute("INSERT INTO orgs(id, kind, name_ja, name_en, short_en,"
                      " scope_id, observer, demo, attrs, created_at) VALUES "
                      "(?, 'operator', ?, ?, ?, ?, ?, 1, ?, ?)",
                      (nid, nja + "X", nen + " X", sen, scope, obs, attrs,
                       now))
            c.execute("INSERT INTO memberships(org_id, group_id) SELECT ?, "
                      "group_id FROM memberships WHERE org_id = ?", (nid, oid))
        c.execute("DELETE FROM contacts WHERE org_id IN (SELECT id FROM orgs "
                  "WHERE kind = 'operator')")
        ops = [r[0] for r in c.execute(
            "SELECT id FROM orgs WHERE kind = 'operator' ORDER BY id")]
        rows = []
        for oid in ops:
            for k in range(1, a.contacts + 1):
                rows.append((oid, "http://127.0.0.1:%d/hooks/%s/%d"
                             % (a.receiver_port, oid, k), k,
                             os.urandom(32).hex(), now))
        c.executemany("INSERT INTO contacts(org_id, channel, address, "
                      "priority, emergency, secret, lang, created_at) VALUES "
                      "(?, 'webhook', ?, ?, 0, ?, 'ja', ?)", rows)
        # secretariats' emergency contacts: on this machine only
        c.execute("UPDATE contacts SET address = 'http://127.0.0.1:%d/gw/' "
                  "|| org_id, secret = coalesce(secret, ?) WHERE channel != "
                  "'email' AND org_id NOT IN (SELECT id FROM orgs WHERE kind "
                  "= 'operator')" % a.receiver_port, (os.urandom(32).hex(),))
    q = lambda s: c.execute(s).fetchone()[0]
    info = {
        "operators": q("SELECT count(*) FROM orgs WHERE kind = 'operator'"),
        "operators_added": len(src),
        "operator_contacts": q("SELECT count(*) FROM contacts k JOIN orgs o "
                               "ON o.id = k.org_id WHERE o.kind = "
                               "'operator'"),
        "operator_contacts_webhook": q(
            "SELECT count(*) FROM contacts k JOIN orgs o ON o.id = k.org_id "
            "WHERE o.kind = 'operator' AND k.channel = 'webhook'"),
        "emergency_contacts": q("SELECT count(*) FROM contacts WHERE "
                                "emergency = 1"),
        "emergency_not_local": q(
            "SELECT count(*) FROM contacts WHERE emergency = 1 AND channel "
            "!= 'email' AND address NOT LIKE 'http://127.0.0.1:%'"),
    }
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    print(json.dumps(info))


def issue(a):
    extra = parse_extra(a.extra)
    db = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True, timeout=10)
    res = dict(extra)
    res["rss_before_kb"] = proc_status(a.pid).get("VmRSS")
    with urllib.request.urlopen(a.receiver + "/__reset", timeout=30) as r:
        r.read()
    cpu0 = cpu_s(a.pid)
    tcpu0 = task_cpu(a.pid)
    pcpu0 = cpu_s(a.peer_pid) if a.peer_pid else None
    status, rbody, t_send, t201 = post_advisory(a.url, a.token, {
        "kind": "warning", "range": "green", "severity": 4,
        "title_ja": "ベンチマーク: 5万件配信の測定",
        "title_en": "Benchmark: 50,000 deliveries",
        "body_ja": body_text(a.body_chars // 3, "ja"),
        "body_en": body_text(a.body_chars, "en"),
        "audience": {"all": True}}, 120)
    res["issue_status"] = status
    res["t_post_s"] = round(t201 - t_send, 4)
    if status != 201:
        res["error"] = rbody[:300].decode(errors="replace")
        print(json.dumps(res))
        return 1
    adv = json.loads(rbody)
    aid = adv["id"]
    res["advisory"], res["recipients"] = aid, adv.get("recipients")
    res["hotline"] = adv.get("hotline")
    ndlv = db.execute("SELECT count(*) FROM deliveries WHERE advisory_id = ?",
                      (aid,)).fetchone()[0]
    res["db_deliveries"] = ndlv
    # ---- wait for completion: bounded by --timeout and the poll count
    t_db = t_rx = None
    states, rx = {}, {}
    deadline = t201 + a.timeout
    polls = 0
    next_db = 0.0
    while time.monotonic() < deadline and polls < a.timeout * 20 + 10:
        polls += 1
        if t_rx is None:
            rx = http_json(a.receiver + "/__stats")
            if rx.get("keys", 0) >= ndlv:
                t_rx = time.monotonic()
        now = time.monotonic()
        if t_rx is not None or now >= next_db:
            next_db = now + 0.25
            try:
                states = dict(db.execute(
                    "SELECT state, count(*) FROM deliveries WHERE "
                    "advisory_id = ? GROUP BY state", (aid,)).fetchall())
            except sqlite3.OperationalError as e:  # busy: try again
                res.setdefault("db_poll_errors", []).append(str(e))
            if states.get("delivered", 0) >= ndlv:
                t_db = time.monotonic()
                break
            if (states.get("failed", 0) + states.get("delivered", 0) >= ndlv
                    and states.get("failed", 0)):
                break  # finished with failures: reported below
        time.sleep(0.05)
    t_done = time.monotonic()
    cpu1 = cpu_s(a.pid)
    tcpu1 = task_cpu(a.pid)
    pcpu1 = cpu_s(a.peer_pid) if a.peer_pid else None
    rx = http_json(a.receiver + "/__stats")
    res["timeout"] = t_db is None
    res["polls"] = polls
    res["db_states"] = states
    res["to_db_s"] = round(t_db - t201, 4) if t_db else None
    first, last = rx["first_ns"] / 1e9, rx["last_ns"] / 1e9
    res["rx_posts"] = rx["posts"]
    res["rx_unique"] = rx["keys"]
    res["rx_dups"] = rx["dup_keys"]
    res["rx_no_key"] = rx["no_key"]
    res["rx_conns"] = rx["conns_with_posts"]
    res["rx_body_bytes_avg"] = (round(rx["body_bytes"] / rx["posts"])
                                if rx["posts"] else None)
    res["to_first_s"] = round(first - t201, 4) if first else None
    res["to_last_s"] = round(last - t201, 4) if last else None
    res["rate"] = (round(ndlv / (last - t201), 1)
                   if last and last > t201 and not res["timeout"] else None)
    if cpu0 is not None and cpu1 is not None:
        res["daemon_cpu_s"] = round(cpu1 - cpu0, 3)
        res["cpu_ms_per_delivery"] = round(1000 * (cpu1 - cpu0) / ndlv, 4)
    busy = sorted(((tcpu1[t] - tcpu0.get(t, 0.0), t) for t in tcpu1),
                  reverse=True)
    if busy:
        res["outbox_cpu_s"] = round(busy[0][0], 3)
        res["outbox_cpu_ms_per_delivery"] = round(1000 * busy[0][0] / ndlv,
                                                  4)
        res["other_threads_cpu_s"] = round(sum(b[0] for b in busy[1:]), 3)
        res["outbox_share"] = round(busy[0][0] / (t_done - t_send), 3)
    if pcpu0 is not None and pcpu1 is not None:
        res["peer_cpu_s"] = round(pcpu1 - pcpu0, 3)
    res["idle_after"] = wait_idle(a.pid)
    res["rss_after_kb"] = proc_status(a.pid).get("VmRSS")
    # ---- the database's view: every outcome recorded
    q = lambda s: db.execute(s, (aid,)).fetchone()[0]
    res["db_operator_delivered"] = q(
        "SELECT count(*) FROM deliveries d JOIN orgs o ON o.id = d.org_id "
        "WHERE d.advisory_id = ? AND o.kind = 'operator' AND d.state = "
        "'delivered' AND d.delivered_at IS NOT NULL")
    res["db_distinct_keys"] = q("SELECT count(DISTINCT idem_key) FROM "
                                "deliveries WHERE advisory_id = ?")
    res["db_retried"] = q("SELECT count(*) FROM deliveries WHERE advisory_id "
                          "= ? AND attempts > 1")
    res["db_recipients_delivered"] = q(
        "SELECT count(*) FROM advisory_recipients WHERE advisory_id = ? AND "
        "delivered_at IS NOT NULL")
    res["db_ack_links"] = q("SELECT count(*) FROM ack_links WHERE "
                            "advisory_id = ?")
    res["db_errors"] = [e for (e,) in db.execute(
        "SELECT DISTINCT last_error FROM deliveries WHERE advisory_id = ? "
        "AND last_error != '' LIMIT 5", (aid,)).fetchall()]
    db.close()
    res["keys_match"] = (rx["keys"] == res["db_distinct_keys"] == ndlv
                         and rx["dup_keys"] == 0 and rx["no_key"] == 0)
    ok = (not res["timeout"] and res["keys_match"]
          and res["db_operator_delivered"] == a.expect)
    res["ok"] = ok
    print(json.dumps(res, ensure_ascii=False))
    return 0 if ok else 3


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("prepare")
    pp.add_argument("db")
    pp.add_argument("--receiver-port", type=int, required=True)
    pp.add_argument("--operators", type=int, default=5000)
    pp.add_argument("--contacts", type=int, default=10)
    pi = sub.add_parser("issue")
    pi.add_argument("--url", required=True)
    pi.add_argument("--token", required=True)
    pi.add_argument("--db", required=True)
    pi.add_argument("--pid", type=int, required=True)
    pi.add_argument("--receiver", required=True)
    pi.add_argument("--peer-pid", type=int)
    pi.add_argument("--timeout", type=float, default=300)
    pi.add_argument("--body-chars", type=int, default=600)
    pi.add_argument("--expect", type=int, default=50000,
                    help="operator deliveries that must be delivered")
    pi.add_argument("extra", nargs="*")
    a = p.parse_args()
    if a.cmd == "prepare":
        prepare(a)
        return 0
    return issue(a)


if __name__ == "__main__":
    sys.exit(main())
