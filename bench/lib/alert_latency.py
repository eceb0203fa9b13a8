#!/usr/bin/python3
"""alert_latency.py - upward alert latency (bench/alert_latency.sh).

  alert_latency.py receiver PORTFILE
  alert_latency.py prepare DB --receiver-port P
  alert_latency.py drive --url URL --token TOKEN --receiver-port P
                   --hits FIFO [--reports N] [--rtt N] [--timeout S]

receiver: a real local HTTP/1.1 server (http.server, keep-alive) on
  127.0.0.1 and an ephemeral port, in its own process. It answers every
  POST 200 "ok" and writes one line per POST to stdout:
  "<CLOCK_MONOTONIC seconds> <report id or ->", the time taken right after
  the request body was read (before the answer).

prepare: edits the demo hub before the daemon starts (python sqlite3): the
  first hop of a gas operator's direct report is METI; its contacts are
  replaced by one webhook contact http://127.0.0.1:P/hooks/meti (so a
  severity-4 alert is exactly one job); METI keeps the default policy
  (review, 30 min): the reports stay there, no other hop is alerted.

drive: files N reports (default 1000) one after another as op-gas-0001
  over one keep-alive connection: Amber, direct, declared severity 4. For
  each: t201 = time the 201 was read; the receiver's line for that report
  gives t_recv; latency = t_recv - t201 (it can be negative: the outbox is
  woken at the commit, before the 201 is written). The next report is
  filed only after the alert arrived (no queueing between reports). Then
  the receiver's round trip alone: --rtt POSTs (default 1000) of a body of
  the size of an alert, one after another over one keep-alive connection:
  time from sending to the answer read. Prints one JSON object: p50, p90,
  p99, max of both (ms), and the ratios p50/p50 and p99/p99 (target: the
  alert's p99 at most 2x the round trip's p99).
"""
import argparse
import http.client
import json
import os
import socket
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def receiver(portfile):
    out = sys.stdout

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # TCP_NODELAY, as curl sets it

        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            t = time.monotonic()
            rid = "-"
            try:
                rid = json.loads(body).get("report") or "-"
            except ValueError:
                pass
            out.write(f"{t:.6f} {rid}\n")
            out.flush()
            # the whole answer in one write (no Nagle / delayed-ACK wait)
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain"
                             b"\r\nContent-Length: 2\r\n\r\nok")

    class S(ThreadingHTTPServer):
        daemon_threads = True

    srv = S(("127.0.0.1", 0), H)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{srv.server_address[1]}\n")
    os.rename(tmp, portfile)
    srv.serve_forever()


def prepare(db, port):
    con = sqlite3.connect(db)
    with con:
        con.execute("DELETE FROM contacts WHERE org_id = 'meti'")
        con.execute(
            "INSERT INTO contacts(org_id, channel, address, priority, "
            "emergency, secret, lang, created_at) VALUES ('meti', 'webhook', "
            "?, 1, 0, ?, 'ja', strftime('%s','now'))",
            (f"http://127.0.0.1:{port}/hooks/meti", os.urandom(32).hex()))
    con.close()
    print(json.dumps({"meti_contacts": 1}))


def pct(xs, p):
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


def summary(xs):
    ms = [x * 1000 for x in xs]
    return {"n": len(ms), "p50_ms": round(pct(ms, 50), 3),
            "p90_ms": round(pct(ms, 90), 3), "p99_ms": round(pct(ms, 99), 3),
            "max_ms": round(max(ms), 3), "min_ms": round(min(ms), 3)}


def drive(a):
    seen = {}
    cond = threading.Condition()

    def reader():
        with open(a.hits) as f:
            for line in f:
                t, rid = line.split()
                with cond:
                    seen.setdefault(rid, float(t))
                    cond.notify_all()

    threading.Thread(target=reader, daemon=True).start()
    host = a.url.split("://", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=30)
    hdr = {"Authorization": f"Bearer {a.token}",
           "Content-Type": "application/json"}
    lat, lat_post = [], []
    for i in range(a.reports):
        body = json.dumps({
            "title": f"bench alert {i}", "kind": "incident", "range": "amber",
            "route": "direct", "detected_at": time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "what_happened": "benchmark", "declared_severity": 4,
            "declared_reason": "benchmark"})
        t0 = time.monotonic()
        conn.request("POST", "/api/v1/reports", body, hdr)
        r = conn.getresponse()
        data = r.read()
        t201 = time.monotonic()
        if r.status != 201:
            sys.exit(f"report {i}: {r.status} {data[:200]!r}")
        rid = json.loads(data)["id"]
        deadline = time.monotonic() + a.timeout
        with cond:
            while rid not in seen:
                left = deadline - time.monotonic()
                if left <= 0:
                    sys.exit(f"report {rid}: no alert within {a.timeout} s")
                cond.wait(left)
            t = seen[rid]
        lat.append(t - t201)
        lat_post.append(t - t0)
    conn.close()
    # the receiver's round trip alone, a body of an alert's size
    sample = json.dumps({"id": "alert.R0123456789abcdef.meti.1.alert.1",
                         "type": "report_alert", "purpose": "alert",
                         "report": "-", "round": 1, "severity": 4,
                         "range": "amber", "tlp": "TLP:AMBER+STRICT",
                         "hop": "meti", "login_url": "x" * 60,
                         "open_url": "x" * 140,
                         "sent_at": "2026-01-01T00:00:00Z"})
    rc = http.client.HTTPConnection("127.0.0.1", a.receiver_port, timeout=30)
    rc.connect()
    rc.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rtt = []
    for i in range(a.rtt + 20):
        t0 = time.monotonic()
        rc.request("POST", "/hooks/meti", sample,
                   {"Content-Type": "application/json"})
        rr = rc.getresponse()
        rr.read()
        if i >= 20:  # the first 20 warm the connection
            rtt.append(time.monotonic() - t0)
    rc.close()
    s_lat, s_rtt = summary(lat), summary(rtt)
    print(json.dumps({
        "alert_latency_from_201": s_lat,
        "alert_latency_from_post": summary(lat_post),
        "receiver_round_trip": s_rtt,
        "ratio_p50": round(s_lat["p50_ms"] / s_rtt["p50_ms"], 2),
        "ratio_p99": round(s_lat["p99_ms"] / s_rtt["p99_ms"], 2),
        "target": "alert p99 <= 2x round trip p99",
        "met": s_lat["p99_ms"] <= 2 * s_rtt["p99_ms"]}, indent=1))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("receiver")
    r.add_argument("portfile")
    p = sub.add_parser("prepare")
    p.add_argument("db")
    p.add_argument("--receiver-port", type=int, required=True)
    d = sub.add_parser("drive")
    d.add_argument("--url", required=True)
    d.add_argument("--token", required=True)
    d.add_argument("--receiver-port", type=int, required=True)
    d.add_argument("--hits", required=True)
    d.add_argument("--reports", type=int, default=1000)
    d.add_argument("--rtt", type=int, default=1000)
    d.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args()
    if a.cmd == "receiver":
        receiver(a.portfile)
    elif a.cmd == "prepare":
        prepare(a.db, a.receiver_port)
    else:
        drive(a)


if __name__ == "__main__":
    main()
