#!/usr/bin/python3
"""The floor under a prober's CPU per probe on this machine: a bare TCP
probe (socket, connect, one write, read to the end, close) and libcurl's
least cost per fresh-connection transfer, against one site of the same
test bed bench/probe_vs_blackbox.py uses, pinned like it (`nice -n -20
taskset -c 1`). Neither makes a DNS query.

    bench/probe_floor.py [PROBES]       (default 20000)

Compiles bench/probe_floor.c (gcc, libcurl) into a temporary directory.
Prints one JSON object per mode. Read with bench/README.md, "Website
response observation": what these cost is what any prober that opens a
new connection per probe pays at the least (tcp), and what one built on
libcurl pays at the least (curl).
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from testbed import TestBed  # noqa: E402

PIN = ["nice", "-n", "-20", "taskset", "-c", "1"]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    with tempfile.TemporaryDirectory() as d:
        exe = Path(d) / "probe_floor"
        subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o",
                        str(exe), str(ROOT / "bench" / "probe_floor.c"),
                        "-lcurl"], check=True)
        bed = TestBed(d)
        site = bed.add_site(sector="bench", addr="127.10.250.1")
        bed.start()
        try:
            for mode in ("tcp", "curl", "tcp", "curl"):
                r = subprocess.run(
                    PIN + [str(exe), site.addr, str(bed.port),
                           site.host, str(n), mode],
                    capture_output=True, text=True, timeout=600)
                out = json.loads(r.stdout)
                out["loadavg"] = open("/proc/loadavg").read().split()[:3]
                print(json.dumps(out), flush=True)
        finally:
            bed.close()


if __name__ == "__main__":
    main()
