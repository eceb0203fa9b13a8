#!/usr/bin/python3
"""startup_probe.py - time from spawning infrashared to its first 200 on
/healthz, N times on an existing database.

usage: startup_probe.py DAEMON DB OUTDIR [--runs N] [--threads T]
                        [--log-level L]

Per run: picks a free 127.0.0.1 port, starts the clock, spawns the daemon
(--port P, so /healthz can be polled before the port file exists), then polls
in a tight loop (raw socket, HTTP/1.0 GET /healthz, 0.2 ms pause after a
refused connection) until a 200 arrives. Also notes when the port file
appeared. Bounded: 10 s and 100000 polls per run. Stops the daemon with
SIGTERM (SIGKILL after 10 s). Prints one JSON line per run and a summary.
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def probe(port):
    """Returns the HTTP status of GET /healthz, or None if not reachable."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1.0)
    except OSError:
        return None
    try:
        s.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        data = b""
        while b"\r\n" not in data and len(data) < 4096:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        parts = data.split(b" ", 2)
        if len(parts) >= 2 and parts[1].isdigit():
            return int(parts[1])
        return 0
    except OSError:
        return None
    finally:
        s.close()


def one_run(args, i):
    port = free_port()
    pf = os.path.join(args.outdir, f"port.{i}")
    if os.path.exists(pf):
        os.unlink(pf)
    logf = open(os.path.join(args.outdir, f"daemon.{i}.log"), "wb")
    cmd = [args.daemon, "--db", args.db, "--listen", "127.0.0.1",
           "--port", str(port), "--port-file", pf,
           "--threads", str(args.threads), "--log-level", args.log_level]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=logf)
    t_spawned = time.perf_counter()
    t_pf = t_ok = None
    first_status = None
    polls = 0
    deadline = t0 + 10.0
    while polls < 100000 and time.perf_counter() < deadline:
        polls += 1
        if t_pf is None and os.path.exists(pf):
            t_pf = time.perf_counter()
        st = probe(port)
        if st is not None and first_status is None:
            first_status = st
        if st == 200:
            t_ok = time.perf_counter()
            break
        if proc.poll() is not None:
            break
        time.sleep(0.0002)
    if t_pf is None and os.path.exists(pf):
        t_pf = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "killed"
        proc.wait(timeout=10)
    logf.close()
    ms = lambda t: None if t is None else round((t - t0) * 1000, 2)
    return {"run": i, "port": port, "ms_to_200": ms(t_ok),
            "ms_spawn": ms(t_spawned), "ms_port_file": ms(t_pf),
            "polls": polls, "first_status": first_status, "exit": rc}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("daemon")
    ap.add_argument("db")
    ap.add_argument("outdir")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--log-level", default="info")
    args = ap.parse_args()
    runs = []
    for i in range(1, min(args.runs, 1000) + 1):
        r = one_run(args, i)
        runs.append(r)
        print(json.dumps(r), flush=True)
        time.sleep(0.2)
    ok = [r["ms_to_200"] for r in runs if r["ms_to_200"] is not None]
    summ = {"runs": len(runs), "ok": len(ok)}
    if ok:
        summ.update(min_ms=min(ok), median_ms=round(statistics.median(ok), 2),
                    max_ms=max(ok))
    pfs = [r["ms_port_file"] for r in runs if r["ms_port_file"] is not None]
    if pfs:
        summ["median_port_file_ms"] = round(statistics.median(pfs), 2)
    summ["bad_exits"] = [r["exit"] for r in runs if r["exit"] != 0]
    print("SUMMARY " + json.dumps(summ), flush=True)
    return 0 if len(ok) == len(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
