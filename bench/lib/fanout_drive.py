#!/usr/bin/python3
"""fanout_drive.py - one advisory fan-out, measured (bench/fanout_*.sh).

  fanout_drive.py prepare DB --mode webhook|email [--receiver-port P]
                  [--operators N]
  fanout_drive.py issue --url URL --token TOKEN --db DB --pid PID
                  (--receiver URL | --sink-stats FILE) [--peer-pid PID]
                  [--timeout S] [--body-chars N] [--no-api-check]
                  [key=value ...]
  fanout_drive.py summary RESULTS.jsonl [WRK.jsonl]

prepare: edits a copy of the demo hub before the daemon starts (python
  sqlite3): every ministry and CEPTOAR hop set to 'auto'; webhook mode also
  sets e-mail contacts to priority 3 (webhooks go first) and points every
  webhook contact at http://127.0.0.1:P/hooks/<org>; e-mail mode points
  every non-e-mail contact at http://127.0.0.1:1/hooks/<org> (nothing
  listens there) so that a fallback cannot reach the demo's 127.0.0.1:8090. --operators N adds
  clones of demo operators (ids "opx-<original id>", same scope, same CEPTOAR
  memberships, an e-mail contact with priority 1 and a webhook contact with
  priority 2, like the demo ones) until there are N operators.

issue: POST /api/v1/advisories as NISC (Green, severity 1, audience all),
  then waits until every recipient is recorded as delivered in the daemon's
  database (read-only sqlite3, polled every 50 ms) and no delivery is queued
  or sending, or until --timeout (default 120 s). Meanwhile a thread reads
  /proc/PID/status every 50 ms (VmRSS, VmHWM, Threads). Then it reads the
  receiver's counters (GET RECEIVER/__stats, reset with /__reset before the
  POST) or the SMTP sink's stats file (per advisory), waits until the daemon
  is idle and reads its memory again ("after"), cross-checks the count with
  GET /api/v1/advisories/{id}/deliveries, and prints one JSON line.

  Times are time.monotonic() (CLOCK_MONOTONIC, the same clock as the
  receiver's and the sink's timestamps):
    t_post       POST sent -> 201 read (the issue request itself)
    to_first_s   201 -> first message at the receiver
    to_last_s    201 -> last message at the receiver (the main figure)
    to_db_s      201 -> the first 50 ms poll that saw every recipient
                 delivered in the database (an upper bound, 50 ms steps)
    db_span_s    max(delivered_at) - advisories.created_at (1 s resolution)
    rate         recipients / to_last_s (messages per second)
  Memory (kB): rss_before_kb, rss_peak_during_kb (largest 50 ms sample from
  the POST to completion), hwm_at_done_kb / rss_at_done_kb (read at
  completion), rss_after_kb / hwm_after_kb (once the daemon is idle again),
  rss_after_api_kb (after the deliveries view, which is not part of the
  fan-out). CPU: daemon_cpu_s and daemon_cpu_ms_per_msg (utime+stime from
  the POST to completion), busiest_thread_share (CPU time of the daemon's
  busiest thread / wall time), peer_cpu_s (receiver or sink).
  --no-api-check skips the deliveries view.
"""
import argparse
import http.client
import json
import os
import sqlite3
import statistics
import sys
import threading
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- prepare

def prepare(a):
    c = sqlite3.connect(a.db)
    c.execute("PRAGMA foreign_keys = ON")
    with c:
        c.execute("INSERT OR REPLACE INTO hop_policies(org_id, policy, "
                  "review_limit_min, updated_at) SELECT id, 'auto', 0, 0 "
                  "FROM orgs WHERE kind IN ('ministry', 'ceptoar')")
        added = 0
        if a.operators:
            have = c.execute("SELECT count(*) FROM orgs WHERE kind = "
                             "'operator'").fetchone()[0]
            need = a.operators - have
            now = int(time.time())
            src = c.execute("SELECT id, name_ja, name_en, short_en, "
                            "scope_id, observer, attrs FROM orgs WHERE kind "
                            "= 'operator' ORDER BY id LIMIT ?",
                            (max(need, 0),)).fetchall()
            for (oid, nja, nen, sen, scope, obs, attrs) in src:
                nid = "opx-" + oid
                c.execute("INSERT INTO orgs(id, kind, name_ja, name_en, "
                          "short_en, scope_id, observer, demo, attrs, "
                          "created_at) VALUES (?, 'operator', ?, ?, ?, ?, ?, "
                          "1, ?, ?)", (nid, nja + "X", nen + " X", sen,
                                       scope, obs, attrs, now))
                c.execute("INSERT INTO memberships(org_id, group_id) SELECT "
                          "?, group_id FROM memberships WHERE org_id = ?",
                          (nid, oid))
                c.execute("INSERT INTO contacts(org_id, channel, address, "
                          "priority, emergency, secret, lang, created_at) "
                          "VALUES (?, 'email', ?, 1, 0, NULL, 'ja', ?)",
                          (nid, nid + "@demo.example.jp", now))
                c.execute("INSERT INTO contacts(org_id, channel, address, "
                          "priority, emergency, secret, lang, created_at) "
                          "VALUES (?, 'webhook', ?, 2, 0, ?, 'ja', ?)",
                          (nid, "http://127.0.0.1:8090/hooks/" + nid,
                           os.urandom(32).hex(), now))
                added += 1
        if a.mode == "webhook":
            c.execute("UPDATE contacts SET priority = 3 WHERE channel = "
                      "'email'")
            c.execute("UPDATE contacts SET address = 'http://127.0.0.1:%d"
                      "/hooks/' || org_id WHERE channel = 'webhook'"
                      % a.receiver_port)
        else:
            # the demo points webhooks and gateways at 127.0.0.1:8090, where
            # other work on this machine may listen: a fallback after a
            # failed e-mail must not reach it (port 1: connection refused)
            c.execute("UPDATE contacts SET address = 'http://127.0.0.1:1/"
                      "hooks/' || org_id WHERE channel != 'email'")
    q = lambda s: c.execute(s).fetchone()[0]
    info = {
        "operators": q("SELECT count(*) FROM orgs WHERE kind = 'operator'"),
        "operators_added": added,
        "auto_hops": q("SELECT count(*) FROM hop_policies WHERE policy = "
                       "'auto'"),
        # the contact each operator is reached on first
        "first_channel": dict(c.execute(
            "SELECT k.channel, count(*) FROM orgs o JOIN contacts k ON k.id "
            "= (SELECT k2.id FROM contacts k2 WHERE k2.org_id = o.id ORDER "
            "BY k2.priority, k2.id LIMIT 1) WHERE o.kind = 'operator' GROUP "
            "BY 1").fetchall()),
        "operators_without_contact": q(
            "SELECT count(*) FROM orgs o WHERE kind = 'operator' AND NOT "
            "EXISTS (SELECT 1 FROM contacts k WHERE k.org_id = o.id)"),
    }
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    print(json.dumps(info))


# ---------------------------------------------------------------- issue

def proc_status(pid):
    r = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "RssAnon", "Threads"):
                    r[k] = int(v.split()[0])
    except OSError:
        pass
    return r


def cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


def task_cpu(pid):
    """{tid: cpu seconds} for every thread of PID."""
    r = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return r
    for t in tids:
        try:
            with open(f"/proc/{pid}/task/{t}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            r[t] = (int(parts[11]) + int(parts[12])) / CLK_TCK
        except (OSError, IndexError, ValueError):
            pass
    return r


class Sampler(threading.Thread):
    """Reads /proc/PID/status every 50 ms until stopped (at most 20 min)."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.samples = pid, []
        self.stop = threading.Event()

    def run(self):
        for _ in range(24000):
            s = proc_status(self.pid)
            if s:
                self.samples.append((time.monotonic(), s))
            if self.stop.wait(0.05):
                break

    def peak(self, t0, t1, key):
        v = [s.get(key, 0) for t, s in self.samples if t0 <= t <= t1]
        return max(v) if v else None


def http_json(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def wait_idle(pid, quiet=4, max_s=20):
    prev, n = None, 0
    for _ in range(int(max_s * 4)):
        cur = cpu_s(pid)
        n = n + 1 if cur == prev else 0
        if n >= quiet:
            return True
        prev = cur
        time.sleep(0.25)
    return False


def body_text(chars, lang):
    if lang == "ja":
        unit = ("重要インフラ事業者各位。広く利用されているソフトウェアの脆弱性"
                "に関する情報を共有します。影響を受ける製品を確認し、修正版を"
                "適用してください。")
    else:
        unit = ("To all critical infrastructure operators: we share "
                "information on a vulnerability in widely used software. "
                "Check the affected products and apply the fixed version. ")
    return (unit * (chars // len(unit) + 1))[:chars]


def sink_stats(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def parse_extra(pairs):
    """--extra k=v pairs as a dict, numbers as numbers."""
    extra = {}
    for kv in pairs:
        k, _, v = kv.partition("=")
        try:
            extra[k] = int(v)
        except ValueError:
            try:
                extra[k] = float(v)
            except ValueError:
                extra[k] = v
    return extra


def post_advisory(url, token, payload, timeout):
    """POSTs payload to /api/v1/advisories of the hub at url; returns
    (status, body bytes, monotonic time sent, monotonic time answered)."""
    host, _, port = url.split("//", 1)[1].rstrip("/").partition(":")
    body = json.dumps(payload, ensure_ascii=False).encode()
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    t_send = time.monotonic()
    conn.request("POST", "/api/v1/advisories", body=body, headers={
        "Authorization": "Bearer " + token,
        "Content-Type": "application/json"})
    r = conn.getresponse()
    rbody = r.read()
    t_answer = time.monotonic()
    conn.close()
    return r.status, rbody, t_send, t_answer


def issue(a):
    extra = parse_extra(a.extra)
    db = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True, timeout=10)
    res = dict(extra)
    res["mode"] = "webhook" if a.receiver else "email"
    before = proc_status(a.pid)
    res["rss_before_kb"] = before.get("VmRSS")
    res["hwm_before_kb"] = before.get("VmHWM")
    res["threads_before"] = before.get("Threads")
    sink0 = None
    if a.receiver:
        with urllib.request.urlopen(a.receiver + "/__reset", timeout=30) as r:
            r.read()
    else:
        sink0 = sink_stats(a.sink_stats) or {}
    sampler = Sampler(a.pid)
    sampler.start()
    time.sleep(0.2)  # a few samples before the POST
    cpu0 = cpu_s(a.pid)
    tcpu0 = task_cpu(a.pid)
    pcpu0 = cpu_s(a.peer_pid) if a.peer_pid else None
    status, rbody, t_send, t201 = post_advisory(a.url, a.token, {
        "kind": "security_info", "range": "green", "severity": 1,
        "title_ja": "ベンチマーク: 配信性能の測定",
        "title_en": "Benchmark: delivery throughput",
        "body_ja": body_text(a.body_chars // 3, "ja"),
        "body_en": body_text(a.body_chars, "en"),
        "audience": {"all": True}}, 60)
    res["issue_status"] = status
    res["t_post_s"] = round(t201 - t_send, 4)
    if status != 201:
        sampler.stop.set()
        res["error"] = rbody[:300].decode(errors="replace")
        print(json.dumps(res))
        return 1
    adv = json.loads(rbody)
    aid, nrec = adv["id"], adv["recipients"]
    res["advisory"], res["recipients"] = aid, nrec
    # ---- wait for completion (bounded: timeout / 50 ms polls)
    t_db = None
    states = {}
    reached = 0
    polls = 0
    deadline = t201 + a.timeout
    while time.monotonic() < deadline and polls < a.timeout * 20 + 10:
        polls += 1
        try:
            states = dict(db.execute(
                "SELECT state, count(*) FROM deliveries WHERE advisory_id = "
                "? GROUP BY state", (aid,)).fetchall())
            reached = db.execute(
                "SELECT count(*) FROM advisory_recipients WHERE advisory_id "
                "= ? AND delivered_at IS NOT NULL", (aid,)).fetchone()[0]
        except sqlite3.OperationalError as e:  # busy: try again
            res.setdefault("db_poll_errors", []).append(str(e))
        if reached >= nrec and t_db is None:
            t_db = time.monotonic()
        busy = states.get("queued", 0) + states.get("sending", 0)
        if reached >= nrec and busy == 0:
            break
        time.sleep(0.05)
    t_done = time.monotonic()
    done_status = proc_status(a.pid)
    cpu1 = cpu_s(a.pid)
    tcpu1 = task_cpu(a.pid)
    pcpu1 = cpu_s(a.peer_pid) if a.peer_pid else None
    res["timeout"] = reached < nrec
    res["polls"] = polls
    res["db_states"] = states
    res["db_reached"] = reached
    res["to_db_s"] = round(t_db - t201, 4) if t_db else None
    # ---- the receiving side
    if a.receiver:
        rs = http_json(a.receiver + "/__stats")
        res["rx"] = rs
        first, last = rs["first_ns"] / 1e9, rs["last_ns"] / 1e9
        res["rx_messages"] = rs["posts"]
        res["rx_unique"] = rs["keys"]
        res["rx_dups"] = rs["dup_keys"]
        res["rx_conns"] = rs["conns_with_posts"]
        res["rx_body_bytes_avg"] = (round(rs["body_bytes"] / rs["posts"])
                                    if rs["posts"] else None)
    else:
        # the sink writes its stats every 100 ms: wait for this advisory's
        # count to reach the number the database says was delivered
        want = states.get("delivered", 0)
        st = None
        for _ in range(100):
            st = sink_stats(a.sink_stats) or {}
            if st.get("advisories", {}).get(aid, {}).get("n", 0) >= want:
                break
            time.sleep(0.1)
        s = st.get("advisories", {}).get(aid, {})
        res["rx"] = s
        first, last = s.get("first", 0), s.get("last", 0)
        res["rx_messages"] = s.get("n", 0)
        res["rx_unique"] = s.get("unique", 0)
        res["rx_dups"] = s.get("dups", 0)
        res["rx_rcpt_mismatch"] = s.get("rcpt_mismatch", 0)
        for k in ("conns", "ehlo", "helo", "rset", "quit", "messages",
                  "conns_with_messages"):
            res["smtp_" + k] = st.get(k, 0) - sink0.get(k, 0)
        res["smtp_max_msgs_per_conn"] = st.get("max_msgs_per_conn")
    res["to_first_s"] = round(first - t201, 4) if first else None
    res["to_last_s"] = round(last - t201, 4) if last else None
    res["rx_span_s"] = round(last - first, 4) if first else None
    res["rate"] = (round(nrec / (last - t201), 1)
                   if last and last > t201 and not res["timeout"] else None)
    res["rate_post_to_last"] = (round(nrec / (last - t_send), 1)
                                if last and not res["timeout"] else None)
    res["daemon_cpu_s"] = (round(cpu1 - cpu0, 3)
                           if cpu0 is not None and cpu1 is not None else None)
    res["daemon_cpu_ms_per_msg"] = (round(1000 * (cpu1 - cpu0) / nrec, 3)
                                    if res["daemon_cpu_s"] is not None
                                    else None)
    # the busiest thread (the outbox is one thread): its CPU time and its
    # share of the wall time from the POST to completion
    busy = sorted(((tcpu1[t] - tcpu0.get(t, 0.0), t) for t in tcpu1),
                  reverse=True)
    if busy:
        res["busiest_thread_cpu_s"] = round(busy[0][0], 3)
        res["busiest_thread_share"] = round(busy[0][0] / (t_done - t_send),
                                            3)
        res["second_thread_cpu_s"] = (round(busy[1][0], 3)
                                      if len(busy) > 1 else None)
    if pcpu0 is not None and pcpu1 is not None:
        res["peer_cpu_s"] = round(pcpu1 - pcpu0, 3)
    # ---- memory during and after
    res["rss_peak_during_kb"] = sampler.peak(t_send, t_done, "VmRSS")
    res["hwm_at_done_kb"] = done_status.get("VmHWM")
    res["rss_at_done_kb"] = done_status.get("VmRSS")
    res["threads_peak"] = sampler.peak(t_send, t_done, "Threads")
    res["samples"] = len(sampler.samples)
    res["idle_after"] = wait_idle(a.pid)
    sampler.stop.set()
    sampler.join(2)
    after = proc_status(a.pid)
    res["rss_after_kb"] = after.get("VmRSS")
    res["hwm_after_kb"] = after.get("VmHWM")
    res["threads_after"] = after.get("Threads")
    # ---- the database's view
    q = lambda s, *p: db.execute(s, (aid,) + p).fetchone()
    created = q("SELECT created_at FROM advisories WHERE id = ?")[0]
    mn, mx = q("SELECT min(delivered_at), max(delivered_at) FROM deliveries "
               "WHERE advisory_id = ? AND state = 'delivered'")
    res["db_span_s"] = (mx - created) if mx else None
    res["db_first_s"] = (mn - created) if mn else None
    res["db_deliveries"] = q("SELECT count(*) FROM deliveries WHERE "
                             "advisory_id = ?")[0]
    res["db_retried"] = q("SELECT count(*) FROM deliveries WHERE advisory_id"
                          " = ? AND attempts > 1")[0]
    res["db_max_attempts"] = q("SELECT max(attempts) FROM deliveries WHERE "
                               "advisory_id = ?")[0]
    res["db_dup_contacts"] = q(
        "SELECT count(*) FROM (SELECT org_id, contact_id FROM deliveries "
        "WHERE advisory_id = ? GROUP BY 1, 2 HAVING count(*) > 1)")[0]
    res["db_orgs_delivered_twice"] = q(
        "SELECT count(*) FROM (SELECT org_id FROM deliveries WHERE "
        "advisory_id = ? AND state = 'delivered' GROUP BY 1 HAVING count(*) "
        "> 1)")[0]
    res["db_channels"] = dict(db.execute(
        "SELECT channel || ':' || state, count(*) FROM deliveries WHERE "
        "advisory_id = ? GROUP BY 1", (aid,)).fetchall())
    res["db_errors"] = [e for (e,) in db.execute(
        "SELECT DISTINCT last_error FROM deliveries WHERE advisory_id = ? "
        "AND last_error != '' LIMIT 5", (aid,)).fetchall()]
    db.close()
    # ---- the API's view (not timed; its memory effect is recorded:
    # rss_after_api_kb)
    try:
        if a.no_api_check:
            raise RuntimeError("skipped (--no-api-check)")
        host, _, port = a.url.split("//", 1)[1].rstrip("/").partition(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.request("GET", f"/api/v1/advisories/{aid}/deliveries",
                     headers={"Authorization": "Bearer " + a.token})
        r = conn.getresponse()
        raw = r.read()
        api_bytes = len(raw)
        d = json.loads(raw)
        conn.close()
        res["api_status"] = r.status
        res["api_messages"] = d.get("messages")
        res["api_delivered_eq_recipients"] = (
            d.get("messages", {}).get("delivered") == nrec)
        res["api_body_bytes"] = api_bytes
        res["rss_after_api_kb"] = proc_status(a.pid).get("VmRSS")
    except Exception as e:  # noqa: BLE001 - reported, not fatal
        res["api_error"] = str(e)
    print(json.dumps(res, ensure_ascii=False))
    return 0 if not res["timeout"] else 3


# ---------------------------------------------------------------- summary

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, nd=2):
    if x is None:
        return "?"
    return f"{x:.{nd}f}" if isinstance(x, float) else str(x)


def summary(a):
    rows = [json.loads(l) for l in open(a.results) if l.strip()]
    rows = [r for r in rows if r.get("round") != "warmup"]
    wrk = {}
    if a.wrk:
        for l in open(a.wrk):
            if l.strip():
                w = json.loads(l)
                wrk[str(w.get("round"))] = w
    groups = {}
    for r in rows:
        groups.setdefault(r.get("inflight"), []).append(r)
    out = []
    w_rps = [w["rps"] for w in wrk.values() if w.get("rps")]
    if wrk:
        out.append("wrk_rps_median=%s (runs: %s)" % (
            fmt(med(w_rps), 0), " ".join(fmt(x, 0) for x in w_rps)))
    for inf, rs in sorted(groups.items(), key=lambda kv: int(kv[0])):
        ratios = []
        for r in rs:
            w = wrk.get(str(r.get("round")))
            if w and w.get("rps") and r.get("rate"):
                ratios.append(r["rate"] / w["rps"])
        ok = all(not r.get("timeout") for r in rs)
        line = {
            "inflight": inf, "runs": len(rs), "all_complete": ok,
            "recipients": med([r.get("recipients") for r in rs]),
            "to_last_s_median": med([r.get("to_last_s") for r in rs]),
            "to_last_s_all": [r.get("to_last_s") for r in rs],
            "to_db_s_median": med([r.get("to_db_s") for r in rs]),
            "to_first_s_median": med([r.get("to_first_s") for r in rs]),
            "t_post_s_median": med([r.get("t_post_s") for r in rs]),
            "rate_median": med([r.get("rate") for r in rs]),
            "rate_all": [r.get("rate") for r in rs],
            "ratio_median": (round(med(ratios), 4) if ratios else None),
            "ratio_all": [round(x, 4) for x in ratios],
            "db_span_s_all": [r.get("db_span_s") for r in rs],
            "cpu_ms_per_msg_median": med([r.get("daemon_cpu_ms_per_msg")
                                          for r in rs]),
            "busiest_thread_share_all": [r.get("busiest_thread_share")
                                         for r in rs],
            "peer_cpu_s_all": [r.get("peer_cpu_s") for r in rs],
            "rss_after_api_kb_median": med([r.get("rss_after_api_kb")
                                            for r in rs]),
            "load1_all": [r.get("load1") for r in rs],
            "rss_before_kb_median": med([r.get("rss_before_kb") for r in rs]),
            "rss_peak_during_kb_median": med([r.get("rss_peak_during_kb")
                                              for r in rs]),
            "hwm_at_done_kb_median": med([r.get("hwm_at_done_kb")
                                          for r in rs]),
            "rss_after_kb_median": med([r.get("rss_after_kb") for r in rs]),
            "rx_conns_all": [r.get("rx_conns") or r.get("smtp_conns")
                             for r in rs],
            "dups_total": sum(r.get("rx_dups", 0) or 0 for r in rs),
            "failed_total": sum(r.get("db_states", {}).get("failed", 0)
                                for r in rs),
            "retried_total": sum(r.get("db_retried", 0) or 0 for r in rs),
            "api_ok_all": all(r.get("api_delivered_eq_recipients")
                              for r in rs),
        }
        if rs and rs[0].get("mode") == "email":
            for k in ("smtp_conns", "smtp_ehlo", "smtp_helo", "smtp_rset",
                      "smtp_quit", "smtp_messages"):
                line[k + "_all"] = [r.get(k) for r in rs]
        out.append(json.dumps(line))
    print("\n".join(out))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("prepare")
    pp.add_argument("db")
    pp.add_argument("--mode", choices=("webhook", "email"), required=True)
    pp.add_argument("--receiver-port", type=int, default=0)
    pp.add_argument("--operators", type=int, default=0)
    pi = sub.add_parser("issue")
    pi.add_argument("--url", required=True)
    pi.add_argument("--token", required=True)
    pi.add_argument("--db", required=True)
    pi.add_argument("--pid", type=int, required=True)
    pi.add_argument("--receiver")
    pi.add_argument("--sink-stats")
    pi.add_argument("--peer-pid", type=int)
    pi.add_argument("--timeout", type=float, default=120)
    pi.add_argument("--body-chars", type=int, default=600)
    pi.add_argument("--no-api-check", action="store_true")
    pi.add_argument("extra", nargs="*")
    ps = sub.add_parser("summary")
    ps.add_argument("results")
    ps.add_argument("wrk", nargs="?")
    a = p.parse_args()
    if a.cmd == "prepare":
        if a.mode == "webhook" and not a.receiver_port:
            p.error("--receiver-port is needed in webhook mode")
        prepare(a)
        return 0
    if a.cmd == "issue":
        if bool(a.receiver) == bool(a.sink_stats):
            p.error("give --receiver or --sink-stats")
        return issue(a)
    summary(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
