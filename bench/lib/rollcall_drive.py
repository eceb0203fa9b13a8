#!/usr/bin/python3
"""rollcall_drive.py - a roll call of every recipient, answered (bench/
rollcall_board.sh).

  rollcall_drive.py prepare DB --receiver-port P --tokens FILE
  rollcall_drive.py issue --url URL --token TOKEN --db DB --out FILE
  rollcall_drive.py answer --url URL --token TOKEN --tokens FILE
                    --issue FILE [--share 0.9] [--workers 8] [--timeout S]
                    [key=value ...]

prepare: edits the demo hub before the daemon starts (python sqlite3):
  every ministry and CEPTOAR hop 'auto' (so the roll call reaches every
  recipient at once); e-mail contacts priority 3 and every webhook contact
  pointed at http://127.0.0.1:P/hooks/<org> (the bench receiver, so the
  outbox's deliveries succeed while answers arrive); one API token for the
  user of each operator and each organisation on a distribution list (a
  user made for it; demo users are named as their organisation and
  hold the liaison role), written as it `infrashare token create` would
  (id, BLAKE2b-256 of the secret), listed in FILE as "org<TAB>token".

issue: POST /api/v1/advisories as NISC: a Green security_info with the
  standard roll-call form ({"name": "roll_call"}) and audience {"all":
  true, "include_lists": true} - every member the registry has and the
  distribution lists of every organisation the roll call reaches. Prints and saves (--out) the
  advisory id, the recipient count and the monotonic time of the 201;
  waits until every recipient is released (read-only sqlite3).

answer: a share (default 90 %) of the recipients, chosen at random, answer
  through POST /api/v1/advisories/{id}/answers with their own tokens
  (--workers threads, one keep-alive connection each); the values are
  random. A poller reads the board's totals (GET .../answers?limit=1, every
  50 ms) until answered == the number sent. Prints one JSON line:
  recipients, answers, answer_s (first to last answer), answers_per_s,
  answer latency p50/p99 (ms), issue_to_complete_s (201 of the issue ->
  first board read showing every answer), complete_after_last_s, and a
  check that the board's counts equal what was sent.
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import random
import sqlite3
import sys
import threading
import time
import urllib.parse


def prepare(a):
    c = sqlite3.connect(a.db)
    now = int(time.time())
    with c:
        c.execute("INSERT OR REPLACE INTO hop_policies(org_id, policy, "
                  "review_limit_min, updated_at) SELECT id, 'auto', 0, 0 "
                  "FROM orgs WHERE kind IN ('ministry', 'ceptoar')")
        c.execute("UPDATE contacts SET priority = 3 WHERE channel = 'email'")
        c.execute("UPDATE contacts SET address = 'http://127.0.0.1:%d"
                  "/hooks/' || org_id WHERE channel != 'email'"
                  % a.receiver_port)
        # organisations on distribution lists have no users in the demo:
        # one each, with the roles of an operator's demo user, so that
        # every recipient can answer through the API
        c.execute("INSERT INTO users(org_id, username, pw_hash, roles, "
                  "created_at) SELECT o.id, o.id, '!', (SELECT roles FROM "
                  "users u JOIN orgs p ON p.id = u.org_id AND p.kind = "
                  "'operator' AND u.username = p.id LIMIT 1), ? FROM orgs o "
                  "WHERE o.kind = 'external' AND NOT EXISTS (SELECT 1 FROM "
                  "users x WHERE x.username = o.id)", (now,))
        rows = c.execute("SELECT u.id, o.id FROM users u JOIN orgs o ON "
                         "o.id = u.org_id WHERE o.kind IN ('operator', "
                         "'external') AND "
                         "u.username = o.id ORDER BY o.id").fetchall()
        with open(a.tokens, "w") as f:
            for uid, org in rows:
                tid = os.urandom(16).hex()
                secret = base64.urlsafe_b64encode(os.urandom(32)).rstrip(
                    b"=").decode()
                h = hashlib.blake2b(secret.encode(), digest_size=32).digest()
                c.execute("INSERT INTO tokens(id, user_id, name, hash, "
                          "created_at) VALUES (?, ?, 'bench-rollcall', ?, ?)",
                          (tid, uid, h, now))
                f.write(f"{org}\tist_{tid}_{secret}\n")
    info = {"operators": c.execute("SELECT count(*) FROM orgs WHERE kind = "
                                   "'operator'").fetchone()[0],
            "external": c.execute("SELECT count(*) FROM orgs WHERE kind = "
                                  "'external'").fetchone()[0],
            "tokens": len(rows)}
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    print(json.dumps(info))


def conn_of(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def call(conn, method, path, token, body=None):
    headers = {"Authorization": "Bearer " + token}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    payload = r.read()
    return r.status, payload


def issue(a):
    body = {"kind": "security_info", "range": "green", "severity": 2,
            "title_ja": "【安否確認】大規模障害の影響", "title_en":
            "Roll call: effects of the large outage", "body_ja":
            "影響の有無とサービスの状態を回答してください。", "body_en":
            "Please report whether you are affected and your service "
            "state.", "audience": {"all": True, "include_lists": True},
            "form": {"name": "roll_call"}}
    c = conn_of(a.url)
    t0 = time.monotonic()
    st, payload = call(c, "POST", "/api/v1/advisories", a.token, body)
    t1 = time.monotonic()
    if st != 201:
        sys.exit(f"issue: {st} {payload[:300]!r}")
    adv = json.loads(payload)
    db = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True, timeout=10)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        n = db.execute("SELECT count(*) FROM advisory_recipients WHERE "
                       "advisory_id = ? AND released_at IS NULL",
                       (adv["id"],)).fetchone()[0]
        if n == 0:
            break
        time.sleep(0.05)
    released_s = time.monotonic() - t1
    db.close()
    out = {"advisory": adv["id"], "recipients": adv["recipients"],
           "t_issued": t1, "issue_ms": round((t1 - t0) * 1000, 1),
           "released_s": round(released_s, 3)}
    with open(a.out, "w") as f:
        json.dump(out, f)
    print(json.dumps(out))


STATES = ["normal", "degraded", "stopped"]
YNU = ["yes", "no", "unknown"]


def answer(a):
    iss = json.load(open(a.issue))
    adv = iss["advisory"]
    toks = dict(line.rstrip("\n").split("\t") for line in open(a.tokens))
    c = conn_of(a.url)
    # the recipients (the board's rows, paged)
    orgs, cur = [], None
    while True:
        q = "?limit=1000" + (f"&cursor={cur}" if cur else "")
        st, payload = call(c, "GET", f"/api/v1/advisories/{adv}/answers{q}",
                           a.token)
        if st != 200:
            sys.exit(f"board: {st} {payload[:300]!r}")
        b = json.loads(payload)
        orgs += [i["org"] for i in b["items"]]
        cur = b["next_cursor"]
        if not cur:
            break
    rnd = random.Random(a.seed)
    chosen = [o for o in orgs if o in toks]
    rnd.shuffle(chosen)
    chosen = chosen[:int(round(len(orgs) * a.share))]
    plan = []
    want = {"affected": {}, "service_state": {}}
    for o in chosen:
        x, y = rnd.choice(YNU), rnd.choice(STATES)
        want["affected"][x] = want["affected"].get(x, 0) + 1
        want["service_state"][y] = want["service_state"].get(y, 0) + 1
        plan.append((o, {"answers": [
            {"question": "affected", "value": x},
            {"question": "service_state", "value": y},
            {"question": "details", "value": f"bench {o}"}]}))
    lat, errors, lock = [], [], threading.Lock()
    idx = [0]

    def worker():
        conn = conn_of(a.url)
        while True:
            with lock:
                if idx[0] >= len(plan):
                    return
                o, body = plan[idx[0]]
                idx[0] += 1
            t = time.monotonic()
            try:
                st, payload = call(conn, "POST",
                                   f"/api/v1/advisories/{adv}/answers",
                                   toks[o], body)
            except (OSError, http.client.HTTPException) as e:
                conn = conn_of(a.url)
                st, payload = 0, str(e).encode()
            d = time.monotonic() - t
            with lock:
                lat.append(d)
                if st != 200:
                    errors.append((o, st, payload[:200].decode(
                        errors="replace")))

    done = {"t": None}

    def poller():
        conn = conn_of(a.url)
        end = time.monotonic() + a.timeout
        while time.monotonic() < end:
            st, payload = call(conn, "GET",
                               f"/api/v1/advisories/{adv}/answers?limit=1",
                               a.token)
            if st == 200 and json.loads(payload)["totals"]["answered"] >= \
                    len(plan):
                done["t"] = time.monotonic()
                return
            time.sleep(0.05)

    t_start = time.monotonic()
    ths = [threading.Thread(target=worker) for _ in range(a.workers)]
    pt = threading.Thread(target=poller)
    pt.start()
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    t_last = time.monotonic()
    pt.join()
    c.close()  # idle since the start: the hub may have closed it
    c = conn_of(a.url)
    st, payload = call(c, "GET", f"/api/v1/advisories/{adv}/answers?limit=1",
                       a.token)
    tot = json.loads(payload)["totals"]
    lat.sort()
    pct = lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000,
                          2) if lat else None
    out = {"advisory": adv, "recipients": len(orgs),
           "answers": len(plan), "share": a.share, "workers": a.workers,
           "errors": len(errors), "first_errors": errors[:3],
           "answer_s": round(t_last - t_start, 3),
           "answers_per_s": round(len(plan) / (t_last - t_start), 1),
           "answer_p50_ms": pct(0.50), "answer_p99_ms": pct(0.99),
           "issue_to_complete_s": round(done["t"] - iss["t_issued"], 3)
           if done["t"] else None,
           "complete_after_last_s": round(done["t"] - t_last, 3)
           if done["t"] else None,
           "board_answered": tot["answered"],
           "board_unanswered": tot["unanswered"],
           "board_counts_match": tot["values"] == want and
           tot["answered"] == len(plan) and
           tot["recipients"] == len(orgs)}
    for kv in a.extra:
        k, _, v = kv.partition("=")
        out[k] = v
    print(json.dumps(out))
    return 0 if out["board_counts_match"] and not errors else 1


def main():
    p = argparse.ArgumentParser()
    sp = p.add_subparsers(dest="cmd", required=True)
    pp = sp.add_parser("prepare")
    pp.add_argument("db")
    pp.add_argument("--receiver-port", type=int, required=True)
    pp.add_argument("--tokens", required=True)
    pi = sp.add_parser("issue")
    pi.add_argument("--url", required=True)
    pi.add_argument("--token", required=True)
    pi.add_argument("--db", required=True)
    pi.add_argument("--out", required=True)
    pa = sp.add_parser("answer")
    pa.add_argument("--url", required=True)
    pa.add_argument("--token", required=True)
    pa.add_argument("--tokens", required=True)
    pa.add_argument("--issue", required=True)
    pa.add_argument("--share", type=float, default=0.9)
    pa.add_argument("--workers", type=int, default=8)
    pa.add_argument("--timeout", type=float, default=300)
    pa.add_argument("--seed", type=int, default=1)
    pa.add_argument("extra", nargs="*")
    a = p.parse_args()
    if a.cmd == "prepare":
        prepare(a)
    elif a.cmd == "issue":
        issue(a)
    else:
        sys.exit(answer(a))


if __name__ == "__main__":
    main()
