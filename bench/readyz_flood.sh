#!/usr/bin/env bash
# bench/readyz_flood.sh - what a flood of the public GET /readyz takes from
# filing, against a flood of GET /healthz (which touches no database) of
# the same clients, on one SQLite hub.
#
#   bench/readyz_flood.sh
#   env: BENCH_ROUNDS=2       rounds (default 2)
#        BENCH_DURATION=8     seconds of filing per run (default 8)
#
# One fresh demo hub (infrashared --threads 4), 16 API tokens of demo
# operators. Each round, three 8 s runs of
#     wrk -t1 -c8 -s bench/lib/file_report.lua   (filing, as report_filing.sh)
#   1. alone;
#   2. beside  wrk -t1 -c8 GET /healthz  for the whole run;
#   3. beside  wrk -t1 -c8 GET /readyz   for the whole run.
# Printed per run: filings/s (201s), filing p99, the flood's requests/s,
# and the daemon's infrashare_readyz_checks_total after run 3 (how often
# /readyz asked the database: a verdict is reused for a second).
# The figure is run 3 against run 2: what /readyz takes beyond any cheap
# public request. Raw outputs: bench/out/<stamp>/readyz/
. "$(dirname "$0")/common.sh"

ROUNDS=${BENCH_ROUNDS:-2}
DURATION=${BENCH_DURATION:-8}

need wrk curl
bench_build
OUT=$(bench_outdir readyz)
bench_machine >"$OUT/machine.txt"
bench_buildinfo >>"$OUT/machine.txt"

bench_tmpdir HUB
bench_make_hub "$HUB"
TOKENS=$HUB/tokens.txt
bench_operator_tokens "$HUB" 16 bench-readyz >"$TOKENS"
export BENCH_TOKENS_FILE=$TOKENS
printf '%s\n' "metrics-bench-token-0001-abcdefghijklmnopqrstuvwxyz" >"$HUB/metrics.token"
chmod 600 "$HUB/metrics.token"

bench_start_daemon "$HUB" 4 "$OUT/daemon.log" \
    --metrics-token-file "$HUB/metrics.token"
URL=http://127.0.0.1:$PORT

checks() {
    curl -s -H "Authorization: Bearer metrics-bench-token-0001-abcdefghijklmnopqrstuvwxyz" "$URL/metrics" |
        awk '/^infrashare_readyz_checks_total /{print $2}'
}

# filing NAME: one filing run; prints "filings/s p99"
filing() {
    local f="$OUT/$1.filing"
    BENCH_RUN_TAG=$1 wrk -t1 -c8 -d"${DURATION}s" --latency \
        -s "$BENCH_DIR/lib/file_report.lua" "$URL/api/v1/reports" >"$f" 2>&1 ||
        die "wrk failed: $(cat "$f")"
    local rate p99
    rate=$(sed -n 's/.*created_per_s=\([0-9.]*\).*/\1/p' "$f")
    p99=$(awk '$1 == "99%" {print $2}' "$f")
    echo "$rate $p99"
}

# flood PATH NAME: wrk on PATH for the filing run's length and a second
# more, in the background; sets FLOOD_PID
flood() {
    wrk -t1 -c8 -d"$((DURATION + 1))s" "$URL$1" >"$OUT/$2.flood" 2>&1 &
    FLOOD_PID=$!
    BENCH_PIDS+=("$FLOOD_PID")
    sleep 0.5 # the flood is running when the filing starts
}

# flood_end NAME: waits for the flood (in this shell: only the parent can
# wait for its child) and sets FLOOD_RATE to its requests/s
flood_end() {
    wait "$FLOOD_PID" || true
    bench_forget "$FLOOD_PID"
    FLOOD_RATE=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/$1.flood")
}

printf '%-6s %-14s %12s %10s %12s %14s\n' round run filings/s p99 flood_req/s readyz_checks |
    tee "$OUT/summary.txt"
filing warmup >/dev/null
for ((r = 1; r <= ROUNDS; r++)); do
    read -r rate p99 < <(filing "r$r-alone")
    printf '%-6s %-14s %12s %10s %12s %14s\n' "$r" alone "$rate" "$p99" - - |
        tee -a "$OUT/summary.txt"
    flood /healthz "r$r-healthz"
    read -r rate p99 < <(filing "r$r-healthz")
    flood_end "r$r-healthz"
    fr=$FLOOD_RATE
    printf '%-6s %-14s %12s %10s %12s %14s\n' "$r" "+ /healthz" "$rate" "$p99" "$fr" - |
        tee -a "$OUT/summary.txt"
    c0=$(checks)
    flood /readyz "r$r-readyz"
    read -r rate p99 < <(filing "r$r-readyz")
    flood_end "r$r-readyz"
    fr=$FLOOD_RATE
    c1=$(checks)
    # a build before the counter existed has none: n/a
    n=n/a
    [ -n "$c0" ] && [ -n "$c1" ] && n=$((c1 - c0))
    printf '%-6s %-14s %12s %10s %12s %14s\n' "$r" "+ /readyz" "$rate" "$p99" "$fr" \
        "$n" | tee -a "$OUT/summary.txt"
done
bench_stop_pid "$DAEMON_PID"
log "raw outputs: $OUT"
