#!/usr/bin/python3
"""The hub's memory and disk with many sites observed for a simulated week.

    INFRASHARE_BUILD=build-rel bench/hub_memory.py [SITES] [STEP_S] [DAYS]

Defaults: 10000 sites, one result per site every 3600 s, 7 days. A hub
(release build, --test-mode, --no-probe) with SITES sites of 12 operators
in 3 sectors, written into its database before it starts (the way the
observation tests register them: tests/integration/obs_bed.py; the
registration API itself is tested in test_sites.py), one vantage point
'v1'. The simulated history (DAYS days up to now, every STEP_S seconds per
site, totals around 100 ms with an hour-of-day swing) is pushed through
the API as signed batches of 1,000 results (POST /api/v1/observations,
Ed25519), in time order, one batch after the other. Then: the hub's VmRSS
and VmHWM (/proc/PID/status), the ingest rate (results/s), the database
size and the bytes of each observation table (SQLite dbstat), from which
the disk per site-year: rollups (one row per site, vantage and 5-minute
bucket, kept 400 days) + 48 h of raw results at a 60-s interval.
"""
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
os.environ.setdefault("INFRASHARE_BUILD", str(ROOT / "build-rel"))
from obs_bed import ObsHub  # noqa: E402
from test_obs_scenarios import build  # noqa: E402


def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) // 1024  # MiB
    return out


def table_bytes(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT m.tbl_name, sum(s.pgsize) FROM dbstat s JOIN "
            "sqlite_master m ON m.name = s.name WHERE m.tbl_name LIKE 'obs_%' "
            "GROUP BY m.tbl_name").fetchall()
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t, _ in rows}
    finally:
        con.close()
    return {t: {"bytes": b, "rows": counts[t]} for t, b in rows}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    step = int(sys.argv[2]) if len(sys.argv) > 2 else 3600
    days = float(sys.argv[3]) if len(sys.argv) > 3 else 7
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        h = ObsHub(Path(d))
        third = n // 3
        rows, _ = build(h, (("gas", "ceptoar-gas", third),
                            ("electricity", "ceptoar-electricity", third),
                            ("water", "ceptoar-water", n - 2 * third)),
                        ["v1"])
        h.start()
        pid = h.proc.pid
        idle = status(pid)
        sites = [r["id"] for r in rows]
        now = time.time()
        t = now - days * 86400
        pushed, t0 = 0, time.monotonic()
        while t < now - 60:
            hour = int(t // 3600) % 24
            batch = []
            for s in sites:
                total = 90.0 + (s % 13) + (30.0 if 9 <= hour < 18 else 0.0)
                batch.append(h.result(s, t + (s % 60), total,
                                      addr=h.site_rows[s]["addr"]))
                if len(batch) == 1000:
                    h.push("v1", batch)
                    pushed += len(batch)
                    batch = []
            if batch:
                h.push("v1", batch)
                pushed += len(batch)
            t += step
        wall = time.monotonic() - t0
        after = status(pid)
        # baselines learned: the hub recomputes them as hours pass in the
        # ingested data
        learned = h.db_rows("SELECT count(DISTINCT site_id) AS n FROM "
                            "obs_baselines")[0]["n"]
        tables = table_bytes(h.db)
        db_bytes = sum(p.stat().st_size for p in Path(d).glob(
            Path(h.db).name + "*"))
        h.stop()
    roll = tables.get("obs_rollups", {"bytes": 0, "rows": 1})
    raw = tables.get("obs_results", {"bytes": 0, "rows": 1})
    per_roll = roll["bytes"] / max(1, roll["rows"])
    per_raw = raw["bytes"] / max(1, raw["rows"])
    # a site observed all year from one vantage point: 288 five-minute
    # rollups a day for 400 days kept (a year: 365 days), plus 48 h raw at
    # 60 s (2,880 results)
    site_year = per_roll * 288 * 365 + per_raw * 2880
    print(json.dumps({
        "sites": n, "step_s": step, "days": days, "results": pushed,
        "ingest_s": round(wall, 1),
        "ingest_results_per_s": round(pushed / wall, 1),
        "rss_idle_mib": idle.get("VmRSS"),
        "rss_after_mib": after.get("VmRSS"),
        "hwm_mib": after.get("VmHWM"),
        "sites_with_baselines": learned,
        "db_bytes": db_bytes, "tables": tables,
        "bytes_per_rollup_row": round(per_roll, 1),
        "bytes_per_raw_result": round(per_raw, 1),
        "disk_per_site_year_mib": round(site_year / 2**20, 2),
        "loadavg": open("/proc/loadavg").read().split()[:3]}, indent=1))


if __name__ == "__main__":
    main()
