#!/usr/bin/env bash
# bench/survey_aggregates.sh - the annual survey's published figures for
# NISC with 5,000 operators x 120 items (issue 15: <= 100 ms, precomputed
# or incremental, not a scan per request).
#
#   bench/survey_aggregates.sh
#   env: BENCH_SURVEY_OPERATORS=5000   operators asked and submitted
#        BENCH_SURVEY_ITEMS=120        answerable items of the edition
#        BENCH_SURVEY_WRK=10s          duration of each wrk run
#        BENCH_SURVEY_THREADS=4        infrashared --threads
#
# Hub: a fresh demo hub (init --demo) filled by bench/survey_load.c
# (synthetic operators up to the count, a 120-item edition stored as a
# campaign's, every operator's answers submitted through the store's
# incremental path, the campaign closed). The reader is NISC's analyst:
# GET /api/v1/surveys/SV2099/aggregates (every sector's and the national
# figures, per item, phase and overall, with the year-on-year lookup),
# then ?format=csv. The first request of each format (which computes the
# figures; the text is kept afterwards) is timed with curl; then wrk -c1
# (one request's cost) and wrk -c16.
# Prints requests/s and p50/p90/p99. Raw outputs:
# bench/out/<stamp>/survey_aggregates/
. "$(dirname "$0")/common.sh"

OPS=${BENCH_SURVEY_OPERATORS:-5000}
ITEMS=${BENCH_SURVEY_ITEMS:-120}
WRK_DUR=${BENCH_SURVEY_WRK:-10s}
DTHREADS=${BENCH_SURVEY_THREADS:-4}

need wrk curl
bench_build
OUT=$(bench_outdir survey_aggregates)
{ bench_machine; bench_buildinfo; } >"$OUT/machine.txt"
bench_tmpdir WORK
bench_make_hub "$WORK"
log "a closed campaign of $OPS operators x $ITEMS items"
"$BUILD/bench/survey_load" "$WORK/hub.db" "$OPS" "$ITEMS" \
    >"$OUT/load.txt" || die "survey_load failed"
cat "$OUT/load.txt" >&2
TOK=$(bench_token "$WORK")
[ -n "$TOK" ] || die "no token"
bench_start_daemon "$WORK" "$DTHREADS" "$OUT/infrashared.log" --no-probe
URL="http://127.0.0.1:$PORT/api/v1/surveys/SV2099/aggregates"
# the first request of each format computes it (later ones are the kept
# text): its time is the cost of the figures themselves
for q in "" "?format=csv" "?format=html"; do
    t=$(curl -fsS -o /dev/null -w '%{time_total}' \
        -H "Authorization: Bearer $TOK" "$URL$q") || die "aggregates failed"
    printf 'first request%s: %s s\n' "${q:- (json)}" "$t" |
        tee -a "$OUT/first.txt" >&2
done
curl -fsS -H "Authorization: Bearer $TOK" "$URL" >"$OUT/sample.json" ||
    die "aggregates failed"
"$PY" - "$OUT/sample.json" "$OPS" "$ITEMS" <<'PY' || die "unexpected answer"
import json, sys
a = json.load(open(sys.argv[1]))
nat = [g for g in a["groups"] if g["key"] == "national"][0]
assert nat["respondents"] == int(sys.argv[2]), nat["respondents"]
assert len(nat["items"]) == int(sys.argv[3])
print(f"national respondents {nat['respondents']}, items "
      f"{len(nat['items'])}, groups {len(a['groups'])}, "
      f"{len(json.dumps(a))} bytes", file=sys.stderr)
PY
bench_wait_idle "$DAEMON_PID"
RES=$OUT/wrk.jsonl
: >"$RES"
for run in "json-c1 1 1 " "json-c16 16 2 " "csv-c1 1 1 ?format=csv"; do
    read -r name c t q <<<"$run"
    f="$OUT/wrk-$name.txt"
    timeout 300 wrk -t"$t" -c"$c" -d"$WRK_DUR" --latency \
        -H "Authorization: Bearer $TOK" "$URL$q" >"$f" 2>&1 ||
        echo "wrk exit status $?" >>"$f"
    "$PY" "$BENCH_DIR/lib/wrk_report.py" parse "$f" "run=$name" "conns=$c" \
        "operators=$OPS" "items=$ITEMS" \
        "load=$(cut -d' ' -f1 /proc/loadavg)" >>"$RES"
done
bench_stop_pid "$DAEMON_PID"
"$PY" - "$RES" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"survey aggregates {r['run']:<9} {r.get('rps')} req/s  "
          f"p50 {r.get('p50_ms')} ms  p90 {r.get('p90_ms')} ms  "
          f"p99 {r.get('p99_ms')} ms  ({r.get('operators')} operators x "
          f"{r.get('items')} items, load {r.get('load')})")
PY
