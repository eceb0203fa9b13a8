#!/usr/bin/env bash
# bench/startup.sh - wall time from process start to the first 200 on
# /healthz, on an EXISTING demo database.
#
#   bench/startup.sh [RUNS] [THREADS]      (defaults 10 and 4)
#
# The demo hub is created once (not timed); then RUNS daemon starts are timed
# by bench/lib/startup_probe.py (spawn -> tight /healthz poll -> SIGTERM).
# Reports min/median/max in ms. Target: <= 1000 ms.
# Writes bench/out/<stamp>/startup/{runs.jsonl,summary.txt,daemon.*.log}.
. "$(dirname "$0")/common.sh"

RUNS=${1:-10}
THREADS=${2:-4}
bench_build
OUT=$(bench_outdir startup)
bench_tmpdir HUB
bench_make_hub "$HUB"
log "timing $RUNS starts on $HUB/hub.db ($(du -h "$HUB/hub.db" | cut -f1))"

rc=0
timeout 300 "$PY" "$BENCH_DIR/lib/startup_probe.py" "$IS_DAEMON" \
    "$HUB/hub.db" "$OUT" --runs "$RUNS" --threads "$THREADS" \
    --log-level "$BENCH_LOG_LEVEL" >"$OUT/probe.out" || rc=$?
grep -v '^SUMMARY' "$OUT/probe.out" >"$OUT/runs.jsonl" || true
cat "$OUT/runs.jsonl" >&2
S=$(sed -n 's/^SUMMARY //p' "$OUT/probe.out")
[ -n "$S" ] || die "startup probe failed (rc=$rc)"
"$PY" - "$S" "$THREADS" <<'PYEOF' | tee "$OUT/summary.txt"
import json, sys
s = json.loads(sys.argv[1])
print(f"threads={sys.argv[2]}")
for k in ("runs", "ok", "min_ms", "median_ms", "max_ms",
          "median_port_file_ms"):
    print(f"{k}={s.get(k)}")
print(f"bad_exits={s.get('bad_exits')}")
print("target_ms=1000")
print("pass=" + ("yes" if s.get("max_ms") is not None and s["ok"] == s["runs"]
                 and s["median_ms"] <= 1000 else "no"))
PYEOF
printf 'Startup to first /healthz 200: min %s ms, median %s ms, max %s ms ' \
    "$(sed -n 's/^min_ms=//p' "$OUT/summary.txt")" \
    "$(sed -n 's/^median_ms=//p' "$OUT/summary.txt")" \
    "$(sed -n 's/^max_ms=//p' "$OUT/summary.txt")"
echo "(target <= 1000 ms)"
exit "$rc"
