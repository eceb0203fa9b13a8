"""bench/nodes.sh's driver: filing with 1, 2 and 3 hub nodes on one
PostgreSQL 15, against pgbench's single-row durable inserts on the same
server, in the same run (issue 17, bench/README.md "Nodes on PostgreSQL").

    /usr/bin/python3 bench/lib/nodes_drive.py OUTDIR BUILD ROOT

env: BENCH_ROUNDS (2), BENCH_DURATION (10 s), BENCH_CLIENTS (16),
     BENCH_NODE_THREADS (4: infrashared --threads of each node).

One PostgreSQL server (tests/integration/pgserver.py: initdb in a
temporary folder, fsync and synchronous_commit on, as shipped), one hub
database (init without demo data, 16 operators each with a reporter and an
API token). Per round, in this order:
  nodes=1, nodes=2, nodes=3: that many infrashared processes (--node-id
      bench-N) on the database; BENCH_CLIENTS wrk connections split over
      them (one wrk per node, bench/lib/file_report.lua); the figure is
      the sum of the 201s per second; then SELECT count(*) FROM reports
      must have grown by at least the 201s counted (wrk does not read the
      answers of requests in flight when it stops, which are committed);
  pgbench: BENCH_CLIENTS clients, each transaction one INSERT of a ~1 KB
      row and its durable commit (pgbench -n -c C -j 2 -T D -f insert.sql).
Warm-up: 2 s of nodes=1 before the first round (not recorded).
Writes OUTDIR/results.jsonl (one line per run) and prints the medians.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT, BUILD, ROOT = (Path(a) for a in sys.argv[1:4])
sys.path.insert(0, str(ROOT / "tests" / "integration"))
import pgserver  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
THREADS = int(os.environ.get("BENCH_NODE_THREADS", "4"))
CLI = BUILD / "infrashare"
DAEMON = BUILD / "infrashared"
LUA = ROOT / "bench" / "lib" / "file_report.lua"


def log(msg):
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {msg}",
          file=sys.stderr, flush=True)


def cli(db, *args):
    r = subprocess.run([str(CLI), "--db", db, *map(str, args)],
                       capture_output=True, text=True, timeout=300)
    if r.returncode:
        raise SystemExit(f"infrashare {args[0]}: {r.stderr}")
    return r.stdout


def start_node(db, name, work):
    pf = work / f"port.{name}"
    if pf.exists():
        pf.unlink()
    logf = open(work / f"{name}.log", "ab")
    p = subprocess.Popen([str(DAEMON), "--db", db, "--listen", "127.0.0.1",
                          "--port", "0", "--port-file", str(pf),
                          "--threads", str(THREADS), "--node-id", name,
                          "--no-probe", "--log-level", "warn"],
                         stdout=logf, stderr=logf)
    deadline = time.monotonic() + 60
    while not (pf.exists() and pf.read_text().strip()):
        if p.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"node {name} did not start: "
                             + (work / f"{name}.log").read_text())
        time.sleep(0.02)
    return p, int(pf.read_text().strip())


def stop_node(p):
    p.terminate()
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def count_reports(srv):
    return int(srv.psql("SELECT count(*) FROM reports", db="hub"))


def run_nodes(srv, db, n, work, tokens, duration, tag):
    nodes = [start_node(db, f"bench-{i + 1}", work) for i in range(n)]
    try:
        before = count_reports(srv)
        split = [CLIENTS // n + (1 if i < CLIENTS % n else 0)
                 for i in range(n)]
        env = dict(os.environ, BENCH_TOKENS_FILE=str(tokens),
                   BENCH_RUN_TAG=tag)
        wrks = [subprocess.Popen(
            ["wrk", "-t1", f"-c{c}", f"-d{duration}s", "--latency",
             "-s", str(LUA), f"http://127.0.0.1:{port}"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=env) for (_, port), c in zip(nodes, split)]
        outs = [w.communicate(timeout=duration + 120)[0] for w in wrks]
        created = per_s = 0.0
        other = 0
        for o in outs:
            m = re.search(r"FILING created_201=(\d+) other=(\d+) .*"
                          r"created_per_s=([\d.]+)", o)
            if not m:
                raise SystemExit("wrk printed no FILING line:\n" + o)
            created += int(m.group(1))
            other += int(m.group(2))
            per_s += float(m.group(3))
        after = count_reports(srv)
        if after - before < created:
            raise SystemExit(f"nodes={n}: {created} 201s but only "
                             f"{after - before} new rows")
        return {"run": f"nodes={n}", "created_per_s": round(per_s, 1),
                "created_201": int(created), "other": other,
                "rows_added": after - before, "clients": split,
                "wrk": outs}
    finally:
        for p, _ in nodes:
            stop_node(p)


def run_pgbench(srv, duration):
    script = OUT / "insert.sql"
    script.write_text("INSERT INTO bench_rows(body) VALUES "
                      "(repeat('x', 1000));\n")
    os.chmod(script, 0o644)
    r = subprocess.run([str(pgserver.BIN / "pgbench"), "-n", "-c",
                        str(CLIENTS), "-j", "2", "-T", str(duration), "-f",
                        str(script), srv.uri("loop")],
                       capture_output=True, text=True, timeout=duration + 120)
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)",
                  r.stdout)
    if not m:
        raise SystemExit("pgbench: " + r.stdout + r.stderr)
    return {"run": "pgbench", "tps": float(m.group(1)), "out": r.stdout}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    work = OUT / "work"
    work.mkdir(exist_ok=True)
    srv = pgserver.PgServer().start()
    try:
        log(f"PostgreSQL 15 on port {srv.port} ({srv.dir})")
        srv.psql("CREATE DATABASE loop")
        srv.psql("CREATE TABLE bench_rows (id bigserial PRIMARY KEY, "
                 "body text NOT NULL)", db="loop")
        db = srv.create_db("hub")
        pw = work / "admin.pw"
        pw.write_text("bench-admin-password-0001\n")
        cli(db, "init", "--data", ROOT / "data", "--admin-password-file", pw)
        tokens = work / "tokens.txt"
        lines = []
        upw = work / "user.pw"
        upw.write_text("bench-user-password-0001\n")
        for i in range(1, 17):
            org = f"op-bench-{i:04d}"
            cli(db, "org", "add", org, "--scope", "banking", "--name-ja",
                f"ベンチ事業者 {i}", "--name-en", f"Bench operator {i}",
                "--ceptoar", "ceptoar-banking")
            user = f"bench-{i:04d}"
            cli(db, "user", "add", user, "--org", org, "--roles",
                "reader,reporter", "--password-file", upw)
            out = cli(db, "token", "create", user, "--name", "bench-nodes")
            lines.append(next(x for x in out.split() if x.startswith("ist_")))
        tokens.write_text("\n".join(lines) + "\n")
        (OUT / "machine.txt").write_text(
            subprocess.run(["psql", "--version"], capture_output=True,
                           text=True).stdout
            + srv.psql("SHOW synchronous_commit") + " synchronous_commit, "
            + srv.psql("SHOW fsync") + " fsync\n")
        log("warm-up: nodes=1, 2 s")
        run_nodes(srv, db, 1, work, tokens, 2, "warm")
        results = []
        with open(OUT / "results.jsonl", "w") as f:
            for r in range(ROUNDS):
                for n in (1, 2, 3):
                    x = run_nodes(srv, db, n, work, tokens, DURATION,
                                  f"r{r}n{n}")
                    x["round"] = r + 1
                    log(f"round {r + 1} nodes={n}: {x['created_per_s']} "
                        f"reports/s ({x['other']} other answers)")
                    results.append(x)
                    f.write(json.dumps(x) + "\n")
                x = run_pgbench(srv, DURATION)
                x["round"] = r + 1
                log(f"round {r + 1} pgbench: {x['tps']} inserts/s")
                results.append(x)
                f.write(json.dumps(x) + "\n")
        loop = statistics.median(x["tps"] for x in results
                                 if x["run"] == "pgbench")
        print(f"pgbench single-row durable inserts, {CLIENTS} clients: "
              f"median {loop:.0f}/s")
        for n in (1, 2, 3):
            v = statistics.median(x["created_per_s"] for x in results
                                  if x["run"] == f"nodes={n}")
            print(f"filing, {n} node(s), {CLIENTS} clients: median "
                  f"{v:.0f} reports/s = {v / loop:.2f} x pgbench")
    finally:
        srv.stop()
        srv.remove()


if __name__ == "__main__":
    main()
