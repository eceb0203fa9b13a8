#!/usr/bin/env bash
# bench/diag_http.sh - DIAGNOSTIC (no target): where does infrashared spend
# its time per request? Same wrk settings as http_vs_nginx.sh (-t2 -c64),
# shorter runs, on three endpoints and two log levels:
#   /healthz                         public, one trivial store ping
#   /api/v1/sectors                  public, registry read, ~10 KB body
#   /api/v1/orgs/op-banking-0001     token auth + two registry reads
# x  --log-level info (default; one JSON log line per request)
#    --log-level warn (no per-request log line)
#
#   bench/diag_http.sh      env: BENCH_DIAG_THREADS=2 BENCH_DIAG_DURATION=5s
#                                BENCH_DIAG_ROUNDS=2
# Writes bench/out/<stamp>/diag/{wrk-*.txt,results.jsonl,summary.txt}.
. "$(dirname "$0")/common.sh"

T=${BENCH_DIAG_THREADS:-2}
DUR=${BENCH_DIAG_DURATION:-5s}
ROUNDS=${BENCH_DIAG_ROUNDS:-2}
need wrk
bench_build
OUT=$(bench_outdir diag)
bench_tmpdir HUB
bench_make_hub "$HUB"
TOKEN=$(bench_token "$HUB")

declare -A P PID
for lvl in info warn; do
    BENCH_LOG_LEVEL=$lvl bench_start_daemon "$HUB" "$T" "$HUB/daemon.$lvl.log"
    P[$lvl]=$PORT
    PID[$lvl]=$DAEMON_PID
done
PATHS=(/healthz /api/v1/sectors /api/v1/orgs/op-banking-0001)
: >"$OUT/results.jsonl"
for ((r = 1; r <= ROUNDS; r++)); do
    for path in "${PATHS[@]}"; do
        for lvl in info warn; do
            name="$(basename "$path")-$lvl"
            f="$OUT/wrk-$name-r$r.txt"
            timeout 60 wrk -t2 -c64 -d"$DUR" --latency \
                -H "Authorization: Bearer $TOKEN" \
                "http://127.0.0.1:${P[$lvl]}$path" >"$f" 2>&1 || true
            "$PY" "$BENCH_DIR/lib/wrk_report.py" parse "$f" "server=$name" \
                "round=$r" >>"$OUT/results.jsonl"
            bench_wait_idle "${PID[$lvl]}" 2 5
        done
    done
done
for lvl in info warn; do
    bench_stop_pid "${PID[$lvl]}" TERM
    echo "stop $lvl: $STOP_RESULT" >>"$OUT/stops.txt"
done
"$PY" "$BENCH_DIR/lib/wrk_report.py" summary "$OUT/results.jsonl" |
    grep -v '^STATS ' | tee "$OUT/summary.txt"
cat "$OUT/stops.txt"
