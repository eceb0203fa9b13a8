#!/usr/bin/python3
"""report_summary.py - results of the reporting benchmarks.

  report_summary.py parse-filing WRK_OUTPUT [key=value ...]  -> JSON line
  report_summary.py parse-sqlite LOOP_OUTPUT [key=value ...] -> JSON line
  report_summary.py filing RESULTS.jsonl                     -> text report
  report_summary.py listing RESULTS.jsonl                    -> text report

parse-filing: wrk_report.parse plus the FILING line of file_report.lua.
parse-sqlite: the SQLITE line of sqlite_insert_loop and the TIME line of
/usr/bin/time. Extra key=value pairs are copied (numbers when they parse).
"""
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrk_report  # noqa: E402


def kv_line(text, tag):
    """key=value pairs of the first line starting with TAG."""
    for line in text.splitlines():
        if line.startswith(tag + " "):
            out = {}
            for m in re.finditer(r"(\w+)=(\S+)", line):
                out[m.group(1)] = wrk_report.num(m.group(2))
            return out
    return None


def extra(pairs):
    out = {}
    for kv in pairs:
        k, _, v = kv.partition("=")
        out[k] = wrk_report.num(v)
    return out


def parse_filing(path, pairs):
    r = wrk_report.parse(path, [])
    f = kv_line(open(path, errors="replace").read(), "FILING") or {}
    r["odd"] = [x for x in r["odd"] if not x.startswith("FILING ")]
    r["filing"] = f
    r["created_per_s"] = f.get("created_per_s")
    r.update(extra(pairs))
    return r


def parse_sqlite(path, pairs):
    text = open(path, errors="replace").read()
    r = {"file": path}
    r.update(kv_line(text, "SQLITE") or {"inserts_per_s": None})
    r.update(kv_line(text, "TIME") or {})
    r["odd"] = [x for x in text.splitlines()
                if not x.startswith(("SQLITE ", "TIME "))]
    r.update(extra(pairs))
    return r


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec=".0f"):
    return "?" if x is None else format(x, spec)


def filing(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    a = [r for r in rows if "filing" in r]
    b = [r for r in rows if "inserts_per_s" in r]
    out = ["run                    round  per s     p50 ms  p99 ms  cpu s/1k"
           "   checks"]
    for r in a:
        f = r["filing"]
        cpu = (1000 * r["server_cpu_s"] / f["created_201"]
               if f.get("created_201") else None)
        delta = r["db_after"] - r["db_before"]
        ok = "ok" if delta == r.get("server_201") else "MISMATCH"
        out.append(
            f"{'infrashared 201/s':<23}{r['round']:>5}  "
            f"{fmt(r['created_per_s']):>7}  {fmt(r['p50_ms'], '8.2f')}"
            f"{fmt(r['p99_ms'], '8.1f')}  {fmt(cpu, '8.2f')}   "
            f"wrk 201={f.get('created_201')} other={f.get('other')} "
            f"({f.get('statuses')}); daemon 201={r.get('server_201')} "
            f"other={r.get('server_other')}; db +{delta} ({ok})")
    for r in b:
        cpu = (1000 * (r.get("user_s", 0) + r.get("sys_s", 0)) /
               r["inserts"] if r.get("inserts") else None)
        out.append(
            f"{'sqlite loop inserts/s':<23}{r['round']:>5}  "
            f"{fmt(r['inserts_per_s']):>7}  {'':>8}{'':>8}  "
            f"{fmt(cpu, '8.2f')}   inserts={r.get('inserts')} "
            f"errors={r.get('errors')} count_ok={r.get('count_ok')}")
    ma = med([r["created_per_s"] for r in a])
    mb = med([r["inserts_per_s"] for r in b])
    out.append("")
    out.append(f"median infrashared: {fmt(ma)} reports/s (201 only); "
               f"p50 {fmt(med([r['p50_ms'] for r in a]), '.2f')} ms, "
               f"p99 {fmt(med([r['p99_ms'] for r in a]), '.1f')} ms")
    out.append(f"median sqlite loop: {fmt(mb)} inserts/s")
    if ma and mb:
        ratio = ma / mb
        pairs = [x["created_per_s"] / y["inserts_per_s"]
                 for x, y in zip(a, b)
                 if x["created_per_s"] and y["inserts_per_s"]]
        out.append(f"ratio infrashared/sqlite = {ma:.0f}/{mb:.0f} = "
                   f"{ratio:.3f} (target >= 1.0, issue 17: "
                   f"{'met' if ratio >= 1.0 else 'MISSED'}); paired "
                   f"ratios: {', '.join(f'{p:.3f}' for p in pairs)}")
    problems = []
    for r in a:
        bits = []
        f = r["filing"]
        if f.get("other"):
            bits.append(f"non-201={f['other']} ({f.get('statuses')})")
        for k in ("sock_connect", "sock_read", "sock_write", "sock_timeout"):
            if r[k]:
                bits.append(f"{k}={r[k]}")
        if r.get("server_other") not in (None, "none"):
            bits.append(f"daemon other statuses: {r['server_other']}")
        if r.get("server_warn") or r.get("server_error"):
            bits.append(f"daemon warn={r.get('server_warn')} "
                        f"error={r.get('server_error')}")
        if r["odd"]:
            bits.append("wrk printed: " + " | ".join(r["odd"]))
        if bits:
            problems.append(f"  infrashared round {r['round']}: "
                            + ", ".join(bits))
    for r in b:
        if r.get("errors") or r.get("exit") or r["odd"] or \
                r.get("count_ok") != 1:
            problems.append(f"  sqlite round {r['round']}: errors="
                            f"{r.get('errors')} exit={r.get('exit')} "
                            f"count_ok={r.get('count_ok')} "
                            + " | ".join(r["odd"]))
    out.append("")
    out.append("errors/anomalies per run:" if problems else
               "errors/anomalies: none (only 201s, no socket errors, no "
               "SQLite errors)")
    out.extend(problems)
    print("\n".join(out))


def listing(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    groups = {}
    for r in rows:
        groups.setdefault(r["view"], []).append(r)
    out = [f"{'view':<20}{'runs':>5}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}"
           f"{'p99 ms':>9}{'p99 range':>16}{'audit/req':>10}{'errors':>8}"]
    for view, rs in groups.items():
        errs = sum(r["non2xx"] + r["sock_connect"] + r["sock_read"] +
                   r["sock_write"] + r["sock_timeout"] for r in rs)
        apr = med([r["audit_added"] / r["requests"] for r in rs
                   if r.get("requests")])
        p99s = [r["p99_ms"] for r in rs if r["p99_ms"] is not None]
        rng = (f"{min(p99s):.1f}-{max(p99s):.1f}" if p99s else "?")
        p99 = med(p99s)
        out.append(f"{view:<20}{len(rs):>5}{fmt(med([r['rps'] for r in rs])):>9}"
                   f"{fmt(med([r['p50_ms'] for r in rs]), '.2f'):>9}"
                   f"{fmt(med([r['p90_ms'] for r in rs]), '.2f'):>9}"
                   f"{fmt(p99, '.2f'):>9}{rng:>16}"
                   f"{fmt(apr, '.2f'):>10}{errs:>8}"
                   f"   p99 <= 10 ms: "
                   f"{'met' if p99 is not None and p99 <= 10 else 'MISSED'}")
    problems = []
    for r in rows:
        bits = []
        for k in ("non2xx", "sock_connect", "sock_read", "sock_write",
                  "sock_timeout"):
            if r[k]:
                bits.append(f"{k}={r[k]}")
        if r.get("server_other") not in (None, "none"):
            bits.append(f"daemon statuses other than 200: "
                        f"{r['server_other']}")
        if r.get("server_warn") or r.get("server_error"):
            bits.append(f"daemon warn={r.get('server_warn')} "
                        f"error={r.get('server_error')}")
        if r["odd"]:
            bits.append("wrk printed: " + " | ".join(r["odd"]))
        if bits:
            problems.append(f"  {r['view']} round {r.get('round')}: "
                            + ", ".join(bits))
    out.append("")
    out.append("errors/anomalies per run:" if problems else
               "errors/anomalies: none (only 200s, no socket errors)")
    out.extend(problems)
    out.append("")
    out.append("RESULT listing p99 ms (median; target <= 10): " + ", ".join(
        f"{v} {fmt(med([r['p99_ms'] for r in rs]), '.1f')}"
        for v, rs in groups.items()))
    print("\n".join(out))


def main():
    a = sys.argv[1:]
    if len(a) >= 2 and a[0] == "parse-filing":
        print(json.dumps(parse_filing(a[1], a[2:])))
    elif len(a) >= 2 and a[0] == "parse-sqlite":
        print(json.dumps(parse_sqlite(a[1], a[2:])))
    elif len(a) == 2 and a[0] == "filing":
        filing(a[1])
    elif len(a) == 2 and a[0] == "listing":
        listing(a[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
