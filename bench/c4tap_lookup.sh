#!/usr/bin/env bash
# bench/c4tap_lookup.sh - C4TAP's "have others seen this?" lookup with
# 100,000 submissions stored (issue 13): p99 <= 10 ms under wrk -c16.
#
#   bench/c4tap_lookup.sh
#   env: BENCH_C4TAP_N=100000        submissions stored
#        BENCH_C4TAP_WRK=10s         duration of each wrk run
#        BENCH_C4TAP_WRK_THREADS=2   wrk -t of the -c16 run
#        BENCH_C4TAP_THREADS=4       infrashared --threads
#
# Hub: a fresh demo hub (init --demo), filled by bench/c4tap_load.c (200
# participants in every sector, N e-mails parsed and stored through the
# service's own path into ~10,000 campaigns of skewed sizes: the largest
# holds ~2,500). The reader is a participant's handler (every lookup is
# decided per submission by the range rule: one in ten submissions keeps
# its URLs Red, so readers meet hidden matches). Values: 2,000 lookups,
# half from submissions as stored (popular campaigns weigh more), half
# from campaigns drawn uniformly: URL hosts, URLs, sender addresses,
# attachment hashes. Runs: wrk -c16 (the target), wrk -c1 (one lookup's
# cost without queueing). Prints requests/s and p50/p90/p99.
# Raw outputs: bench/out/<stamp>/c4tap_lookup/
. "$(dirname "$0")/common.sh"

N=${BENCH_C4TAP_N:-100000}
WRK_DUR=${BENCH_C4TAP_WRK:-10s}
DTHREADS=${BENCH_C4TAP_THREADS:-4}

need wrk curl
bench_build
OUT=$(bench_outdir c4tap_lookup)
{ bench_machine; bench_buildinfo; } >"$OUT/machine.txt"
bench_tmpdir WORK
bench_make_hub "$WORK"
log "storing $N C4TAP submissions"
"$BUILD/bench/c4tap_load" "$WORK/hub.db" "$N" "$WORK/values.txt" \
    >"$OUT/load.txt" || die "c4tap_load failed"
cat "$OUT/load.txt" >&2
READER=$(awk '/^reader /{print $2}' "$OUT/load.txt")
TOK=$("$IS_CLI" --db "$WORK/hub.db" token create "$READER" --name bench |
    grep '^ist_' | head -n1)
[ -n "$TOK" ] || die "no token for $READER"
cp "$WORK/values.txt" "$OUT/values.txt"
bench_start_daemon "$WORK" "$DTHREADS" "$OUT/infrashared.log" --no-probe
URL="http://127.0.0.1:$PORT"
# warm the page cache and check the answer once
curl -fsS -H "Authorization: Bearer $TOK" \
    "$URL/api/v1/c4tap/lookup?value=$(head -n1 "$WORK/values.txt")" \
    >"$OUT/sample.json" || die "lookup failed"
bench_wait_idle "$DAEMON_PID"
RES=$OUT/wrk.jsonl
: >"$RES"
for run in "c16 16 ${BENCH_C4TAP_WRK_THREADS:-2}" "c1 1 1"; do
    read -r name c t <<<"$run"
    f="$OUT/wrk-$name.txt"
    BENCH_VALUES_FILE="$WORK/values.txt" timeout 300 wrk -t"$t" -c"$c" \
        -d"$WRK_DUR" --latency -s "$BENCH_DIR/lib/c4tap_lookup.lua" \
        -H "Authorization: Bearer $TOK" "$URL" >"$f" 2>&1 ||
        echo "wrk exit status $?" >>"$f"
    "$PY" "$BENCH_DIR/lib/wrk_report.py" parse "$f" "run=$name" "conns=$c" \
        "submissions=$N" "load=$(cut -d' ' -f1 /proc/loadavg)" >>"$RES"
    grep '^LOOKUP' "$f" >&2 || true
done
bench_stop_pid "$DAEMON_PID"
"$PY" - "$RES" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"c4tap lookup wrk -c{r['conns']:<3} {r.get('rps')} req/s  "
          f"p50 {r.get('p50_ms')} ms  p90 {r.get('p90_ms')} ms  "
          f"p99 {r.get('p99_ms')} ms  ({r.get('submissions')} submissions, "
          f"load {r.get('load')})")
PY
