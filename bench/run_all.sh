#!/usr/bin/env bash
# bench/run_all.sh - build once, run every benchmark, print a summary.
#
#   bench/run_all.sh              (about 2.5 minutes)
#   BENCH_DIAG=1 bench/run_all.sh (+ bench/diag_http.sh, about 1 more minute)
#
# Results: bench/out/<stamp>/{machine.txt,summary.txt,rss*/,startup/,http/}
. "$(dirname "$0")/common.sh"

bench_build
export BENCH_NO_BUILD=1
TOP="$BENCH_DIR/out/$BENCH_STAMP"
mkdir -p "$TOP"
{ bench_machine; bench_buildinfo; } >"$TOP/machine.txt"
log "results in $TOP"

fail=()
step() { # step NAME CMD...
    local name=$1
    shift
    log "=== $name"
    if ! "$@" >"$TOP/$name.stdout" 2>"$TOP/$name.stderr"; then
        fail+=("$name")
        log "$name FAILED (see $TOP/$name.stderr)"
    fi
    tail -n 1 "$TOP/$name.stdout" >&2
}

# rss_idle.sh writes into out/<stamp>/rss; run it per thread count and move
# each result aside.
for t in 4 2; do
    step "rss_t$t" "$BENCH_DIR/rss_idle.sh" "$t"
    [ -d "$TOP/rss" ] && rm -rf "$TOP/rss_t$t" && mv "$TOP/rss" "$TOP/rss_t$t"
done
step startup "$BENCH_DIR/startup.sh" 10 4
step http "$BENCH_DIR/http_vs_nginx.sh"
[ "${BENCH_DIAG:-0}" = 1 ] && step diag "$BENCH_DIR/diag_http.sh"
step filing "$BENCH_DIR/report_filing.sh"
step listing "$BENCH_DIR/report_listing.sh"
step webhooks "$BENCH_DIR/fanout_webhooks.sh"
step email "$BENCH_DIR/fanout_email.sh"

get() { sed -n "s/^$2=//p" "$TOP/$1/summary.txt" 2>/dev/null | head -n1; }
mb() { awk -v k="$1" 'BEGIN { if (k == "") print "?"; else printf "%.1f", k / 1024 }'; }
{
    echo "infrashare benchmarks, $BENCH_STAMP"
    sed 's/^/  /' "$TOP/machine.txt"
    echo
    printf '%-44s %-22s %s\n' "benchmark" "result (median)" "target"
    for t in 4 2; do
        printf '%-44s %-22s %s\n' "RSS idle after warm-up, --threads $t" \
            "$(mb "$(get "rss_t$t" rss_idle_kb)") MiB (HWM $(mb "$(get "rss_t$t" hwm_kb)"))" \
            "<= 32 MB: $(get "rss_t$t" pass)"
    done
    printf '%-44s %-22s %s\n' "startup to first /healthz 200 (10 runs)" \
        "$(get startup median_ms) ms ($(get startup min_ms)-$(get startup max_ms))" \
        "<= 1000 ms: $(get startup pass)"
    echo
    echo "HTTP, GET /api/v1/orgs/op-banking-0001, wrk -t2 -c64 -d10s:"
    sed 's/^/  /' "$TOP/http/summary.txt" 2>/dev/null || echo "  (no result)"
    if [ "${BENCH_DIAG:-0}" = 1 ]; then
        echo
        echo "diagnostic (bench/diag_http.sh):"
        sed 's/^/  /' "$TOP/diag/summary.txt" 2>/dev/null || echo "  (no result)"
    fi
    echo
    if [ "${#fail[@]}" -gt 0 ]; then
        echo "FAILED: ${fail[*]}"
    else
        echo "all benchmarks ran"
    fi
} | tee "$TOP/summary.txt"
[ "${#fail[@]}" -eq 0 ]
