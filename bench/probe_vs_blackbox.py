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
   Run twice: given the address (no DNS query: an advantage to the
   exporter, as infrashare-probe makes a real one per probe), then, as
   root, given the host name: the exporter in a mount namespace of its own
   whose /etc/resolv.conf names a dnsmasq on 127.53.0.1:53 forwarding to
   the test bed's resolver (port53_resolver), A records only.

Prints one JSON object per tool run and the ratios.
"""
import json
import os
import shutil
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


def ratio(ours, bb):
    return round(ours["cpu_s_per_1000_probes"] /
                 max(1e-9, bb["cpu_s_per_1000_probes"]), 3)


def port53_resolver(d, bed):
    """A dnsmasq on 127.53.0.1 port 53 forwarding to the test bed's
    resolver (no cache), and a resolv.conf naming it: what the exporter
    (Go's resolver reads /etc/resolv.conf, port 53 only) is given in a
    mount namespace of its own. Returns (process, resolv.conf path)."""
    host, port = bed.resolver.rsplit(":", 1)
    conf = Path(d) / "dnsmasq-53.conf"
    conf.write_text("port=53\nlisten-address=127.53.0.1\nbind-interfaces\n"
                    "no-resolv\nno-hosts\ncache-size=0\nno-negcache\n"
                    f"server={host}#{port}\n")
    proc = subprocess.Popen(
        [bed.dnsmasq, "--keep-in-foreground", f"--conf-file={conf}",
         "--pid-file=", f"--log-facility={d}/dnsmasq-53.log"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    q = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
         b"\x03www\x04none\x04test\x00\x00\x01\x00\x01")
    for _ in range(100):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.settimeout(0.2)
        try:
            u.sendto(q, ("127.53.0.1", 53))
            if u.recv(512)[:2] == b"\x12\x34":
                break
        except OSError:
            time.sleep(0.05)
        finally:
            u.close()
    else:
        proc.terminate()
        raise RuntimeError("the port-53 resolver does not answer")
    resolv = Path(d) / "resolv.conf"
    resolv.write_text("nameserver 127.53.0.1\noptions timeout:2 attempts:1\n")
    return proc, resolv


def run_exporter(d, bed, probes, rate, names):
    """blackbox_exporter probing every site, driven at rate; its CPU.
    names=False: the target is the site's address (no DNS query); True:
    the site's host name, resolved by the exporter for every probe (A
    only, as infrashare-probe: ip_protocol_fallback false)."""
    tag = "names" if names else "addr"
    cfg = Path(d) / f"blackbox-{tag}.yml"
    with open(cfg, "w") as f:
        f.write("modules:\n")
        for s in bed.sites:
            f.write(f"  s{s.id}:\n    prober: http\n    timeout: 10s\n"
                    f"    http:\n      preferred_ip_protocol: ip4\n"
                    + ("      ip_protocol_fallback: false\n" if names else
                       f"      headers:\n        Host: {s.host}\n"))
    port = free_port()
    cmd = PIN + [EXPORTER, f"--config.file={cfg}",
                 f"--web.listen-address=127.0.0.1:{port}",
                 "--log.level=error"]
    dns = None
    if names:
        dns, resolv = port53_resolver(d, bed)
        # unshare execs sh, which execs nice -> taskset -> the exporter:
        # the process started here is the exporter
        cmd = ["unshare", "-m", "sh", "-c",
               'mount --bind "$0" /etc/resolv.conf && exec "$@"',
               str(resolv)] + cmd
    exporter = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/metrics", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        targets = Path(d) / f"targets-{tag}.txt"
        with open(targets, "w") as f:
            for s in bed.sites:
                where = s.host if names else s._addr
                f.write(f"s{s.id} http://{where}:{bed.port}/\n")
        u0, s0 = proc_cpu(exporter.pid)
        t0 = time.monotonic()
        drv = subprocess.run(
            ["taskset", "-c", "0", sys.executable,
             str(ROOT / "bench" / "blackbox_driver.py"),
             f"127.0.0.1:{port}", str(targets), str(probes),
             f"{rate:.3f}"], capture_output=True, text=True, check=True)
        bwall = time.monotonic() - t0
        u1, s1 = proc_cpu(exporter.pid)
    finally:
        exporter.terminate()
        exporter.wait()
        if dns:
            dns.terminate()
            dns.wait()
    got = json.loads(drv.stdout.strip().splitlines()[-1])
    return {
        "tool": "blackbox_exporter", "targets": tag,
        "probes": got["probes"], "wall_s": round(bwall, 1),
        "target_rate": round(rate, 1),
        "probes_per_s": round(got["probes"] / bwall, 1),
        "success": got["success"],
        "cpu_user_s": round(u1 - u0, 2), "cpu_sys_s": round(s1 - s0, 2),
        "cpu_s_per_1000_probes":
            round((u1 - u0 + s1 - s0) / max(1, got["probes"]) * 1000, 3),
        "loadavg": open("/proc/loadavg").read().split()[:3]}


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
            # ---- 2. blackbox_exporter on the same sites: given the
            # address (no DNS), then, where possible, the name ----
            rate = probes / wall
            bb = run_exporter(d, bed, probes, rate, names=False)
            print(json.dumps(bb), flush=True)
            ratios = {"ratio_ours_to_blackbox":
                      ratio(ours, bb)}
            if os.geteuid() == 0 and shutil.which("unshare"):
                bbn = run_exporter(d, bed, probes, rate, names=True)
                print(json.dumps(bbn), flush=True)
                ratios["ratio_ours_to_blackbox_names"] = ratio(ours, bbn)
            else:
                print(json.dumps({"skipped": "blackbox_exporter with names "
                                  "needs root (a private /etc/resolv.conf "
                                  "in a mount namespace, a resolver on "
                                  "port 53)"}), flush=True)
            print(json.dumps(ratios))
        finally:
            bed.close()


if __name__ == "__main__":
    main()
