#!/usr/bin/python3
"""wrk_report.py - parse wrk --latency output and summarise runs.

  wrk_report.py parse WRK_OUTPUT [key=value ...]   -> one JSON line
  wrk_report.py summary RESULTS.jsonl              -> text report

parse: requests/s, p50/p75/p90/p99 latency (ms), requests, duration (s),
non-2xx/3xx responses, socket errors (connect/read/write/timeout) and any
line wrk printed that is not part of its normal report ("odd" lines).
Extra key=value pairs are copied into the JSON (numbers when they parse).
"""
import json
import re
import statistics
import sys

UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
NORMAL = re.compile(
    r"^(Running |\s+\d+ threads and|\s+Thread Stats|\s+Latency\s|"
    r"\s+Req/Sec|\s+Latency Distribution|\s+\d+%\s|\s*\d+ requests in|"
    r"Requests/sec:|Transfer/sec:|\s*$)")


def ms(v):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v)
    return round(float(m.group(1)) * UNIT[m.group(2)], 3) if m else None


def num(v):
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def parse(path, extra):
    text = open(path, errors="replace").read()
    r = {"file": path, "rps": None, "p50_ms": None, "p75_ms": None,
         "p90_ms": None, "p99_ms": None, "requests": None, "duration_s": None,
         "non2xx": 0, "sock_connect": 0, "sock_read": 0, "sock_write": 0,
         "sock_timeout": 0, "odd": []}
    for line in text.splitlines():
        m = re.match(r"\s+(50|75|90|99)%\s+(\S+)", line)
        if m:
            r[f"p{m.group(1)}_ms"] = ms(m.group(2))
            continue
        m = re.match(r"\s*(\d+) requests in ([\d.]+)(\w+),", line)
        if m:
            r["requests"] = int(m.group(1))
            r["duration_s"] = ms(m.group(2) + m.group(3)) / 1000.0
            continue
        m = re.match(r"Requests/sec:\s+([\d.]+)", line)
        if m:
            r["rps"] = float(m.group(1))
            continue
        m = re.match(r"\s*Non-2xx or 3xx responses:\s+(\d+)", line)
        if m:
            r["non2xx"] = int(m.group(1))
            continue
        m = re.match(r"\s*Socket errors: connect (\d+), read (\d+), "
                     r"write (\d+), timeout (\d+)", line)
        if m:
            (r["sock_connect"], r["sock_read"], r["sock_write"],
             r["sock_timeout"]) = map(int, m.groups())
            continue
        if not NORMAL.match(line):
            r["odd"].append(line.strip())
    for kv in extra:
        k, _, v = kv.partition("=")
        r[k] = num(v)
    return r


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summary(path):
    runs = [json.loads(l) for l in open(path) if l.strip()]
    groups = {}
    for r in runs:
        groups.setdefault(r["server"], []).append(r)
    out = []
    out.append(f"{'server':<22}{'runs':>5}{'req/s med':>11}{'min':>9}"
               f"{'max':>9}{'p50 ms':>8}{'p99 ms':>8}{'cpu s/10k':>10}"
               f"{'errors':>8}")
    stats = {}
    for name, rs in groups.items():
        rps = [r["rps"] for r in rs]
        errs = sum(r["non2xx"] + r["sock_connect"] + r["sock_read"] +
                   r["sock_write"] + r["sock_timeout"] for r in rs)
        cpu = [10000 * r["server_cpu_s"] / r["requests"] for r in rs
               if r.get("server_cpu_s") is not None and r.get("requests")]
        st = {"runs": len(rs), "rps": med(rps), "rps_min": min(rps),
              "rps_max": max(rps), "p50_ms": med([r["p50_ms"] for r in rs]),
              "p99_ms": med([r["p99_ms"] for r in rs]), "errors": errs,
              "cpu_per_10k": med(cpu)}
        stats[name] = st
        out.append(f"{name:<22}{st['runs']:>5}{st['rps']:>11.0f}"
                   f"{st['rps_min']:>9.0f}{st['rps_max']:>9.0f}"
                   f"{st['p50_ms']:>8.2f}{st['p99_ms']:>8.2f}"
                   f"{(st['cpu_per_10k'] or 0):>10.2f}{errs:>8}")
    out.append("")
    for name, st in stats.items():
        if not name.startswith("infrashared-t"):
            continue
        t = name.split("-t", 1)[1]
        ng = stats.get(f"nginx-paired-t{t}")
        if ng and ng["rps"]:
            ratio = st["rps"] / ng["rps"]
            out.append(f"ratio infrashared(--threads {t})/nginx = "
                       f"{st['rps']:.0f}/{ng['rps']:.0f} = {ratio:.3f} "
                       f"(target >= 0.50, issue 17: "
                       f"{'met' if ratio >= 0.50 else 'MISSED'})")
            stats[name]["ratio"] = round(ratio, 3)
    allng = [r["rps"] for r in runs if r["server"].startswith("nginx")]
    if allng:
        out.append(f"nginx, all {len(allng)} runs: median "
                   f"{med(allng):.0f} req/s")
    out.append("")
    problems = []
    for r in runs:
        bits = []
        for k in ("non2xx", "sock_connect", "sock_read", "sock_write",
                  "sock_timeout"):
            if r[k]:
                bits.append(f"{k}={r[k]}")
        if r.get("server_non200"):
            bits.append(f"server-side non-200: {r['server_non200']}")
        if r["odd"]:
            bits.append("wrk printed: " + " | ".join(r["odd"]))
        if bits:
            problems.append(f"  {r['server']} round {r.get('round')}: "
                            + ", ".join(bits))
    out.append("errors/anomalies per run:" if problems
               else "errors/anomalies: none (no non-2xx, no socket errors)")
    out.extend(problems)
    print("\n".join(out))
    print("STATS " + json.dumps(stats))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "parse":
        print(json.dumps(parse(sys.argv[2], sys.argv[3:])))
    elif len(sys.argv) == 3 and sys.argv[1] == "summary":
        summary(sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
