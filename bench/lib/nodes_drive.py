"""bench/nodes.sh's driver: filing and acknowledgements with 1, 2 and 3
hub nodes on one PostgreSQL 15, against pgbench's single-row durable
inserts on the same server, in the same run (issue 17, bench/README.md
"Nodes on PostgreSQL").

    /usr/bin/python3 bench/lib/nodes_drive.py OUTDIR BUILD ROOT

env: BENCH_ROUNDS (2), BENCH_DURATION (10 s), BENCH_CLIENTS (16),
     BENCH_NODE_THREADS (4: infrashared --threads of each node),
     BENCH_ACK_PER_RUN (20000: acknowledgements a run may use),
     BENCH_ACK_ORGS (64: recipient organisations of each advisory).

One PostgreSQL server (tests/integration/pgserver.py: initdb in a
temporary folder, fsync and synchronous_commit on, as shipped), one hub
database (init without demo data, BENCH_ACK_ORGS banking operators, each
with a user of roles reader, reporter and liaison and an API token; hop
policies of the FSA and the banking CEPTOAR set to auto; enough green
advisories of NISC to the banking scope issued through a node beforehand
for every acknowledgement run to use fresh (advisory, organisation)
pairs). Per round, in this order:
  nodes=1, nodes=2, nodes=3: that many infrashared processes (--node-id
      bench-N) on the database; BENCH_CLIENTS wrk connections split over
      them (one wrk per node, bench/lib/file_report.lua); the figure is
      the sum of the 201s per second; then SELECT count(*) FROM reports
      must have grown by at least the 201s counted (wrk does not read the
      answers of requests in flight when it stops, which are committed);
  acks, nodes=1, 2, 3: BENCH_CLIENTS wrk connections split over the
      nodes (bench/lib/ack.lua), each wrk with its own slice of the pairs,
      each pair used once: POST /api/v1/advisories/{id}/ack by the
      organisation's liaison; the figure is the first acknowledgements
      (200, "already":false) per second; the acknowledged recipients in
      the database must have grown by at least that many, and no pair may
      have been used twice (a slice run out);
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
ACK_LUA = ROOT / "bench" / "lib" / "ack.lua"
ACK_PER_RUN = int(os.environ.get("BENCH_ACK_PER_RUN", "20000"))
ACK_ORGS = int(os.environ.get("BENCH_ACK_ORGS", "64"))


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


def drive(db, n, work, lua, envs, duration, count):
    """n nodes on db, BENCH_CLIENTS wrk connections split over them (one
    wrk per node, script lua, node i's environment envs(i)) for duration
    seconds: (wrk outputs, the split, what count() grew by meanwhile)."""
    nodes = [start_node(db, f"bench-{i + 1}", work) for i in range(n)]
    try:
        before = count()
        split = [CLIENTS // n + (1 if i < CLIENTS % n else 0)
                 for i in range(n)]
        wrks = [subprocess.Popen(
            ["wrk", "-t1", f"-c{c}", f"-d{duration}s", "--latency",
             "-s", str(lua), f"http://127.0.0.1:{port}"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=envs(i)) for i, ((_, port), c) in enumerate(zip(nodes, split))]
        outs = [w.communicate(timeout=duration + 120)[0] for w in wrks]
        return outs, split, count() - before
    finally:
        for p, _ in nodes:
            stop_node(p)


def sums(outs, pattern, what):
    """The numbers pattern's groups capture in every wrk output, summed."""
    total = None
    for o in outs:
        m = re.search(pattern, o)
        if not m:
            raise SystemExit(f"wrk printed no {what} line:\n" + o)
        v = [float(g) for g in m.groups()]
        total = v if total is None else [a + b for a, b in zip(total, v)]
    return total


def count_reports(srv):
    return int(srv.psql("SELECT count(*) FROM reports", db="hub"))


def run_nodes(srv, db, n, work, tokens, duration, tag):
    env = dict(os.environ, BENCH_TOKENS_FILE=str(tokens), BENCH_RUN_TAG=tag)
    outs, split, added = drive(db, n, work, LUA, lambda i: env, duration,
                               lambda: count_reports(srv))
    created, other, per_s = sums(
        outs, r"FILING created_201=(\d+) other=(\d+) .*"
        r"created_per_s=([\d.]+)", "FILING")
    if added < created:
        raise SystemExit(f"nodes={n}: {int(created)} 201s but only "
                         f"{added} new rows")
    return {"run": f"nodes={n}", "created_per_s": round(per_s, 1),
            "created_201": int(created), "other": int(other),
            "rows_added": added, "clients": split, "wrk": outs}


def count_acks(srv):
    return int(srv.psql("SELECT count(*) FROM advisory_recipients WHERE "
                        "acked_at IS NOT NULL", db="hub"))


def run_acks(srv, db, n, work, pairs, duration, tag):
    """One acknowledgement run over n nodes; pairs: this run's slice, a
    file of its own for each node."""
    per = len(pairs) // n
    files = []
    for i in range(n):
        f = work / f"pairs.{tag}.{i}"
        f.write_text("".join(f"{t} {a}\n"
                             for t, a in pairs[i * per:(i + 1) * per]))
        files.append(f)
    outs, split, added = drive(
        db, n, work, ACK_LUA,
        lambda i: dict(os.environ, BENCH_PAIRS_FILE=str(files[i])),
        duration, lambda: count_acks(srv))
    new, already, other, per_s = sums(
        outs, r"ACKS new_200=(\d+) already=(\d+) other=(\d+) "
        r".*new_per_s=([\d.]+)", "ACKS")
    if already:
        raise SystemExit(f"acks nodes={n}: a slice ran out ({int(already)} "
                         "pairs used twice): raise BENCH_ACK_PER_RUN")
    if new == 0:
        raise SystemExit(f"acks nodes={n}: no acknowledgement:\n" + outs[0])
    if added < new:
        raise SystemExit(f"acks nodes={n}: {int(new)} first acknowledgements "
                         f"but only {added} new in the database")
    return {"run": f"acks nodes={n}", "acks_per_s": round(per_s, 1),
            "acks_200": int(new), "other": int(other), "rows_added": added,
            "clients": split, "wrk": outs}


def http(port, method, path, token, body=None):
    import urllib.request
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + token,
                 "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"{}")


def issue_advisories(db, work, n_adv):
    """n_adv green advisories of NISC to the banking scope, through one
    node, with the hops on auto: their ids."""
    p, port = start_node(db, "bench-setup", work)
    try:
        admin = next(x for x in cli(db, "token", "create", "admin", "--name",
                                    "bench-setup").split()
                     if x.startswith("ist_"))
        for org in ("fsa", "ceptoar-banking"):
            http(port, "PUT", f"/api/v1/orgs/{org}/policy", admin,
                 {"policy": "auto"})
        nisc = next(x for x in cli(db, "token", "create", "bench-nisc",
                                   "--name", "bench-setup").split()
                    if x.startswith("ist_"))
        ids = []
        for i in range(n_adv):
            a = http(port, "POST", "/api/v1/advisories", nisc, {
                "kind": "security_info", "range": "green", "severity": 1,
                "title_ja": f"ベンチ用の情報提供 {i}",
                "title_en": f"Bench advisory {i}",
                "body_ja": "確認してください。", "body_en": "Please confirm.",
                "audience": {"scopes": ["banking"]}})
            if a.get("recipients") != ACK_ORGS:
                raise SystemExit(f"advisory {a.get('id')}: "
                                 f"{a.get('recipients')} recipients, "
                                 f"not {ACK_ORGS}")
            ids.append(a["id"])
        return ids
    finally:
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
        for i in range(1, ACK_ORGS + 1):
            org = f"op-bench-{i:04d}"
            cli(db, "org", "add", org, "--scope", "banking", "--name-ja",
                f"ベンチ事業者 {i}", "--name-en", f"Bench operator {i}",
                "--ceptoar", "ceptoar-banking")
            user = f"bench-{i:04d}"
            cli(db, "user", "add", user, "--org", org, "--roles",
                "reader,reporter,liaison", "--password-file", upw)
            out = cli(db, "token", "create", user, "--name", "bench-nodes")
            lines.append(next(x for x in out.split() if x.startswith("ist_")))
        tokens.write_text("\n".join(lines) + "\n")
        cli(db, "user", "add", "bench-nisc", "--org", "nisc", "--roles",
            "reader,liaison,analyst", "--password-file", upw)
        # every acknowledgement run (3 per round and a warm-up) gets
        # ACK_PER_RUN fresh (token, advisory) pairs
        runs = 3 * ROUNDS + 1
        n_adv = -(-ACK_PER_RUN * runs // ACK_ORGS)
        log(f"issuing {n_adv} advisories to {ACK_ORGS} organisations")
        advs = issue_advisories(db, work, n_adv)
        pairs = [(t, a) for a in advs for t in lines]
        cursor = 0

        def take():
            nonlocal cursor
            cursor += ACK_PER_RUN
            return pairs[cursor - ACK_PER_RUN:cursor]
        (OUT / "machine.txt").write_text(
            subprocess.run(["psql", "--version"], capture_output=True,
                           text=True).stdout
            + srv.psql("SHOW synchronous_commit") + " synchronous_commit, "
            + srv.psql("SHOW fsync") + " fsync\n")
        log("warm-up: nodes=1, 2 s")
        run_nodes(srv, db, 1, work, tokens, 2, "warm")
        run_acks(srv, db, 1, work, take(), 2, "warm")
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
                for n in (1, 2, 3):
                    x = run_acks(srv, db, n, work, take(), DURATION,
                                 f"r{r}n{n}")
                    x["round"] = r + 1
                    log(f"round {r + 1} acks nodes={n}: {x['acks_per_s']} "
                        f"acknowledgements/s ({x['other']} other answers)")
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
        for n in (1, 2, 3):
            v = statistics.median(x["acks_per_s"] for x in results
                                  if x["run"] == f"acks nodes={n}")
            print(f"acknowledgements, {n} node(s), {CLIENTS} clients: "
                  f"median {v:.0f}/s = {v / loop:.2f} x pgbench")
    finally:
        srv.stop()
        srv.remove()


if __name__ == "__main__":
    main()
