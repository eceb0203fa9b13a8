#!/usr/bin/python3
"""The prober keeps its schedule: N sites at an interval, on the test bed.

    INFRASHARE_BUILD=build-test bench/probe_schedule.py [SITES] [INTERVAL_S] [ROUNDS]

Defaults: 10000 sites, 60 s, 2 rounds. The sites are distinct host names
(www.sNNNNN.bench.test, two DNS providers) on 100 loopback addresses of
the test bed (tests/integration/testbed.py: real dnsmasq, the asyncio
server). Prints the engine's schedule lag (--stats: p50, p99, max), the
prober's CPU seconds (user + system, from the kernel's accounting of the
finished child) per 1,000 probes, and the outcomes.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from testbed import TestBed  # noqa: E402

BUILD = Path(os.environ.get("INFRASHARE_BUILD", ROOT / "build")).resolve()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    interval = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    with tempfile.TemporaryDirectory() as d:
        bed = TestBed(d)
        for i in range(n):
            bed.add_site(sector="bench", addr=f"127.10.250.{i % 100 + 1}")
        bed.start()
        try:
            sites = bed.write_sites(Path(d) / "sites.jsonl",
                                    interval_s=interval)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.monotonic()
            p = subprocess.run(
                [str(BUILD / "infrashare-probe"), "--sites", sites, "--out",
                 "-", "--rounds", str(rounds), "--resolver", bed.resolver,
                 "--stats"], capture_output=True, text=True)
            wall = time.monotonic() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        finally:
            bed.close()
    cpu = (after.ru_utime - before.ru_utime) + \
        (after.ru_stime - before.ru_stime)
    results = [json.loads(x) for x in p.stdout.splitlines()]
    stats = json.loads(p.stderr.strip().splitlines()[-1])
    outcomes = Counter(r["outcome"] for r in results)
    print(json.dumps({
        "sites": n, "interval_s": interval, "rounds": rounds,
        "probes": len(results), "wall_s": round(wall, 1),
        "probes_per_s": round(len(results) / wall, 1),
        "lag_p50_ms": stats["lag_p50_ms"], "lag_p99_ms": stats["lag_p99_ms"],
        "lag_max_ms": stats["lag_max_ms"],
        "cpu_s": round(cpu, 2),
        "cpu_user_s": round(after.ru_utime - before.ru_utime, 2),
        "cpu_sys_s": round(after.ru_stime - before.ru_stime, 2),
        "cpu_s_per_1000_probes": round(cpu / max(1, len(results)) * 1000, 3),
        "outcomes": dict(outcomes)}))


if __name__ == "__main__":
    main()
