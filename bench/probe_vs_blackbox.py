#!/usr/bin/python3
"""infrashare-probe and Prometheus blackbox_exporter on the SAME test-bed
sites, one after the other in one run.

    INFRASHARE_BUILD=build-rel bench/probe_vs_blackbox.py [SITES] [INTERVAL_S] [ROUNDS]

Defaults: 10000 sites, 60 s, 2 rounds. The test bed
(tests/integration/testbed.py: real dnsmasq, the asyncio web server) serves
SITES distinct host names (www.sNNNNN.bench.test, two DNS providers) on
100 loopback addresses.

1. infrashare-probe (standalone: --sites FILE --out -, --rounds ROUNDS,
   --stats) under `nice -n -20 taskset -c 1`: its schedule lag (p50, p99,
   max, from the engine), probes/s, and its CPU (user + system of that
   process, from wait4) per 1,000 probes.
2. blackbox_exporter (Debian prometheus-blackbox-exporter) on a loopback
   port under `nice -n -20 taskset -c 1`, one http module per site (its
   Host header), driven by a small asyncio client (bench/blackbox_driver.py,
   pinned to core 0, its own CPU not counted) that GETs
   /probe?target=http://ADDR:PORT/&module=sN for the same number of
   probes at the rate infrashare-probe achieved. Its CPU: utime + stime of
   the exporter process from /proc/PID/stat before and after the drive.
   The exporter gets an address (the site's IP) and so makes NO DNS query;
   infrashare-probe makes a real one per probe (an advantage to the
   exporter).

Prints one JSON object per tool and the load average.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from testbed import TestBed  # noqa: E402

BUILD = Path(os.environ.get("INFRASHARE_BUILD", ROOT / "build-rel")).resolve()
EXPORTER = os.environ.get("BLACKBOX_EXPORTER",
                          "/usr/bin/prometheus-blackbox-exporter")
TICK = os.sysconf("SC_CLK_TCK")
PIN = ["nice", "-n", "-20", "taskset", "-c", "1"]


def proc_cpu(pid):
    """(user, system) seconds of a running process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_probe(sites_file, resolver, rounds):
    t0 = time.monotonic()
    p = subprocess.Popen(
        PIN + [str(BUILD / "infrashare-probe"), "--sites", sites_file,
               "--out", "-", "--rounds", str(rounds), "--resolver", resolver,
               "--stats"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    wall = time.monotonic() - t0
    # communicate() reaped it; its rusage: this was the only child that
    # ended, so RUSAGE_CHILDREN's growth is exactly it
    return out, err, wall, p


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    interval = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    import resource
    with tempfile.TemporaryDirectory() as d:
        bed = TestBed(d)
        for i in range(n):
            bed.add_site(sector="bench", addr=f"127.10.250.{i % 100 + 1}")
        bed.start()
        exporter = None
        try:
            sites = bed.write_sites(Path(d) / "sites.jsonl",
                                    interval_s=interval)
            # ---- 1. infrashare-probe ----
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            out, err, wall, p = run_probe(str(sites), bed.resolver, rounds)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            user = after.ru_utime - before.ru_utime
            sys_ = after.ru_stime - before.ru_stime
            results = [json.loads(x) for x in out.decode().splitlines()]
            stats = json.loads(err.decode().strip().splitlines()[-1])
            probes = len(results)
            ours = {
                "tool": "infrashare-probe", "sites": n,
                "interval_s": interval, "rounds": rounds, "probes": probes,
                "wall_s": round(wall, 1),
                "probes_per_s": round(probes / wall, 1),
                "lag_p50_ms": stats["lag_p50_ms"],
                "lag_p99_ms": stats["lag_p99_ms"],
                "lag_max_ms": stats["lag_max_ms"],
                "cpu_user_s": round(user, 2), "cpu_sys_s": round(sys_, 2),
                "cpu_s_per_1000_probes":
                    round((user + sys_) / max(1, probes) * 1000, 3),
                "outcomes": dict(Counter(r["outcome"] for r in results)),
                "loadavg": open("/proc/loadavg").read().split()[:3]}
            print(json.dumps(ours), flush=True)
            # ---- 2. blackbox_exporter on the same sites ----
            cfg = Path(d) / "blackbox.yml"
            with open(cfg, "w") as f:
                f.write("modules:\n")
                for s in bed.sites:
                    f.write(f"  s{s.id}:\n    prober: http\n    timeout: 10s\n"
                            f"    http:\n      preferred_ip_protocol: ip4\n"
                            f"      headers:\n        Host: {s.host}\n")
            port = free_port()
            exporter = subprocess.Popen(
                PIN + [EXPORTER, f"--config.file={cfg}",
                       f"--web.listen-address=127.0.0.1:{port}",
                       "--log.level=error"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(300):
                try:
                    urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/metrics", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            targets = Path(d) / "targets.txt"
            with open(targets, "w") as f:
                for s in bed.sites:
                    f.write(f"s{s.id} http://{s._addr}:{bed.port}/\n")
            rate = probes / wall
            u0, s0 = proc_cpu(exporter.pid)
            t0 = time.monotonic()
            drv = subprocess.run(
                ["taskset", "-c", "0", sys.executable,
                 str(ROOT / "bench" / "blackbox_driver.py"),
                 f"127.0.0.1:{port}", str(targets), str(probes),
                 f"{rate:.3f}"], capture_output=True, text=True, check=True)
            bwall = time.monotonic() - t0
            u1, s1 = proc_cpu(exporter.pid)
            got = json.loads(drv.stdout.strip().splitlines()[-1])
            bb = {
                "tool": "blackbox_exporter", "probes": got["probes"],
                "wall_s": round(bwall, 1),
                "target_rate": round(rate, 1),
                "probes_per_s": round(got["probes"] / bwall, 1),
                "success": got["success"],
                "cpu_user_s": round(u1 - u0, 2),
                "cpu_sys_s": round(s1 - s0, 2),
                "cpu_s_per_1000_probes":
                    round((u1 - u0 + s1 - s0) / max(1, got["probes"]) * 1000,
                          3),
                "loadavg": open("/proc/loadavg").read().split()[:3]}
            print(json.dumps(bb), flush=True)
            print(json.dumps({
                "ratio_ours_to_blackbox": round(
                    ours["cpu_s_per_1000_probes"] /
                    max(1e-9, bb["cpu_s_per_1000_probes"]), 3)}))
        finally:
            if exporter:
                exporter.terminate()
                exporter.wait()
            bed.close()


if __name__ == "__main__":
    main()
