#!/usr/bin/env bash
# bench/report_listing.sh - latency of GET /api/v1/reports?limit=50 with
# 100,000 reports in the database.
#
#   bench/report_listing.sh
#   env: BENCH_ENGINE=sqlite      or postgresql (issue 17: see step 1b)
#        BENCH_REPORTS=100000     reports to seed (default 100000; 1000000
#                                 on postgresql)
#        BENCH_ROUNDS=2           rounds (default 2)
#        BENCH_DURATION=10s       wrk duration (default 10s)
#        BENCH_LIST_THREADS=4     infrashared --threads (default 4)
#
# 1. A fresh demo hub (init --demo); bench/lib/seed_reports.py writes the
#    reports straight into its database in one transaction (see that file
#    for the mix: ranges, routes, states, originators over all demo
#    operators; every report has reached NISC).
# 1b. BENCH_ENGINE=postgresql: after the reminder backlog is drained
#    (below), a throwaway PostgreSQL 15 server (bench/lib/pg_server.py,
#    settings as shipped: fsync and synchronous_commit on) and
#    `infrashare migrate-store --to` it, the product's own move, timed;
#    then VACUUM (ANALYZE), as after any bulk load. From there on the
#    tokens, the daemon and the counts use the PostgreSQL database.
# 2. infrashared on it; one API token each for nisc-analyst,
#    op-banking-0001, fsa-desk and ceptoar-banking-secretariat (issue 17's
#    target names NISC, a ministry and a secretariat). Before the measured
#    daemon starts, a first daemon run with --tick-ms 100 lets the worker send the due
#    reminders of the seeded overdue reports (a backlog a real hub would not
#    have), so the worker does not write during the runs.
# 3. For each view, the same command:
#      wrk -t2 -c16 -d10s --latency -H 'Authorization: Bearer TOKEN' URL
#    views:
#      nisc          /api/v1/reports?limit=50                 nisc-analyst
#      operator      /api/v1/reports?limit=50                 op-banking-0001
#      fsa           /api/v1/reports?limit=50                 fsa-desk
#      secretariat   /api/v1/reports?limit=50                 ceptoar-banking-secretariat
#      nisc-overdue  /api/v1/reports?limit=50&overdue=true    nisc-analyst
#      nisc-green    /api/v1/reports?limit=50&q=TLP:GREEN     nisc-analyst
#      nisc-q-all    /api/v1/reports?limit=50&q=TLP:          nisc-analyst
#    nisc-green shows only Green reports (the seeded titles carry their TLP
#    label), so its pages append no audit entry; nisc-q-all matches every
#    title, so it pays the same q= filtering but shows Red/Amber reports and
#    is audited like nisc. Between them they separate the cost of the audit
#    write from the cost of q=.
#    Warm-up 2 s per view (not recorded), then ROUNDS rounds over all views.
#    Per run: req/s, p50/p90/p99, the daemon's CPU time, the statuses it
#    logged, and the audit rows appended (counted with sqlite3 while the
#    daemon is idle). Target: p99 <= 10 ms.
#    Then, as a diagnostic (not for the target), nisc and nisc-green with one
#    client: wrk -t1 -c1 -d5s (env BENCH_LIST_DIAG_VIEWS, "" for none).
# Raw outputs: bench/out/<stamp>/listing/
. "$(dirname "$0")/common.sh"

ENGINE=${BENCH_ENGINE:-sqlite}
case $ENGINE in
sqlite) NREPORTS=${BENCH_REPORTS:-100000} ;;
postgresql) NREPORTS=${BENCH_REPORTS:-1000000} ;;
*) die "BENCH_ENGINE must be sqlite or postgresql, not $ENGINE" ;;
esac
# the reminder backlog grows with the reports: 120 s for 100,000
DRAIN_S=${BENCH_DRAIN_S:-$((NREPORTS / 100000 * 120 > 120 ? NREPORTS / 100000 * 120 : 120))}
ROUNDS=${BENCH_ROUNDS:-2}
DURATION=${BENCH_DURATION:-10s}
DTHREADS=${BENCH_LIST_THREADS:-4}
CLK_TCK=$(getconf CLK_TCK)

need wrk curl sqlite3
[ "$ENGINE" = sqlite ] || need psql
bench_build
OUT=$(bench_outdir listing)
bench_machine >"$OUT/machine.txt"
bench_buildinfo >>"$OUT/machine.txt"

# ---- hub + 100,000 reports ----
bench_tmpdir HUB
bench_make_hub "$HUB"
log "seeding $NREPORTS reports"
SEED_T0=$(date +%s.%N)
"$PY" "$BENCH_DIR/lib/seed_reports.py" "$HUB/hub.db" "$NREPORTS" \
    >"$OUT/seed.txt" 2>&1 || { cat "$OUT/seed.txt" >&2; die "seeding failed"; }
echo "wall_s=$(awk -v a="$SEED_T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')" \
    >>"$OUT/seed.txt"
cat "$OUT/seed.txt" >&2
{
    echo "hub directory: $HUB"
    df -hT "$HUB" | tail -n 1
    echo "hub.db after seeding: $(stat -c %s "$HUB/hub.db") bytes"
} >>"$OUT/machine.txt"

declare -A TOK
tok_for() {
    local t
    t=$("$IS_CLI" --db "$HUB/hub.db" token create "$1" --name bench-listing |
        grep '^ist_' | head -n1) || true
    [ -n "$t" ] || die "token create $1 printed no ist_ line"
    printf '%s\n' "$t"
}
TOK[nisc-analyst]=$(tok_for nisc-analyst)
TOK[op-banking-0001]=$(tok_for op-banking-0001)
TOK[ceptoar-banking-secretariat]=$(tok_for ceptoar-banking-secretariat)
TOK[fsa-desk]=$(tok_for fsa-desk)

VIEWS=(nisc operator fsa secretariat nisc-overdue nisc-green nisc-q-all)
declare -A VUSER VPATH
VUSER[nisc]=nisc-analyst;       VPATH[nisc]='/api/v1/reports?limit=50'
VUSER[operator]=op-banking-0001; VPATH[operator]='/api/v1/reports?limit=50'
VUSER[secretariat]=ceptoar-banking-secretariat
VPATH[secretariat]='/api/v1/reports?limit=50'
VUSER[fsa]=fsa-desk;            VPATH[fsa]='/api/v1/reports?limit=50'
VUSER[nisc-overdue]=nisc-analyst
VPATH[nisc-overdue]='/api/v1/reports?limit=50&overdue=true'
VUSER[nisc-green]=nisc-analyst
VPATH[nisc-green]='/api/v1/reports?limit=50&q=TLP:GREEN'
VUSER[nisc-q-all]=nisc-analyst
VPATH[nisc-q-all]='/api/v1/reports?limit=50&q=TLP:'

db_q() {
    if [ -n "${BENCH_HUB_DB:-}" ]; then
        psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$BENCH_HUB_DB" -c "$1"
    else
        sqlite3 "$HUB/hub.db" "$1"
    fi
}
# Overdue reports the worker has not sent a due reminder for yet (the
# condition of REPORTS_REMIND in src/store/store_sql.h).
to_remind() {
    db_q "SELECT count(*) FROM reports r WHERE r.state = 'open' AND (
          (r.full_at IS NULL AND r.full_due < $(date +%s) AND NOT EXISTS (
            SELECT 1 FROM reminders m WHERE m.report_id = r.id
            AND m.kind = 'full_report'))
          OR (r.final_due < $(date +%s) AND NOT EXISTS (
            SELECT 1 FROM reminders m WHERE m.report_id = r.id
            AND m.kind = 'final_report')))"
}

# ---- drain the reminder backlog first ----
# The seeded hub has a few thousand overdue reports that have never been
# reminded; the worker reminds 256 per pass (one transaction each), every
# 5 s by default. A hub that had really run for 3 years would have done
# that long ago, so a first daemon run with --tick-ms 100 works through the
# backlog before anything is measured (at most 120 s).
DLOG0=$HUB/daemon.drain.log
n0=$(to_remind)
t0=$SECONDS
bench_start_daemon "$HUB" "$DTHREADS" "$DLOG0" --tick-ms 100
left=$n0
for ((i = 0; i < DRAIN_S * 2 && SECONDS - t0 < DRAIN_S; i++)); do
    left=$(to_remind)
    [ "$left" = 0 ] && break
    sleep 0.5
done
bench_stop_pid "$DAEMON_PID" TERM
echo "reminder backlog: $n0 reports to remind, $left left after $((SECONDS - t0)) s" \
    "(--tick-ms 100), reminders rows: $(db_q 'SELECT count(*) FROM reminders')," \
    "drain daemon $STOP_RESULT" | tee -a "$OUT/seed.txt" >&2
grep '"level":"error"' "$DLOG0" >"$OUT/daemon.drain.errors.log" || true

# ---- 1b. the hub moved to PostgreSQL ----
if [ "$ENGINE" = postgresql ]; then
    bench_pg_start PG_URI hub
    log "migrate-store to PostgreSQL 15 ($PG_URI)"
    M_T0=$(date +%s.%N)
    "$IS_CLI" --db "$HUB/hub.db" migrate-store --to "$PG_URI" \
        >"$OUT/migrate.txt" 2>&1 || { cat "$OUT/migrate.txt" >&2; die "migrate-store failed"; }
    echo "migrate-store wall_s=$(awk -v a="$M_T0" -v b="$(date +%s.%N)" \
        'BEGIN{printf "%.1f", b-a}')" >>"$OUT/migrate.txt"
    BENCH_HUB_DB=$PG_URI
    db_q 'VACUUM (ANALYZE)'
    {
        echo "engine: PostgreSQL $(db_q 'SHOW server_version'), fsync $(db_q 'SHOW fsync'), synchronous_commit $(db_q 'SHOW synchronous_commit'), shared_buffers $(db_q 'SHOW shared_buffers')"
        echo "database size after the move: $(db_q "SELECT pg_size_pretty(pg_database_size('hub'))")"
    } >>"$OUT/machine.txt"
    cat "$OUT/migrate.txt" >&2
fi

DLOG=$HUB/daemon.log
bench_start_daemon "$HUB" "$DTHREADS" "$DLOG"
log "infrashared --threads $DTHREADS: pid $DAEMON_PID port $PORT"
URL="http://127.0.0.1:$PORT"
# the worker's first pass runs at start: let it finish
bench_wait_idle "$DAEMON_PID" 8 30
cpu_ticks() { sed -e 's/^.*) //' "/proc/$1/stat" | awk '{print $12+$13}'; }
lines() { wc -l <"$1"; }

# ---- what each view returns (one curl each) ----
for v in "${VIEWS[@]}"; do
    read -r code size ttot < <(curl -sS --max-time 10 -o "$OUT/page-$v.json" \
        -w '%{http_code} %{size_download} %{time_total}\n' \
        -H "Authorization: Bearer ${TOK[${VUSER[$v]}]}" "$URL${VPATH[$v]}")
    [ "$code" = 200 ] || { cat "$OUT/page-$v.json" >&2; die "$v answered $code"; }
    "$PY" -c '
import collections, json, sys
v, n, size, t = sys.argv[1], int(sys.argv[3]), sys.argv[4], sys.argv[5]
d = json.load(open(sys.argv[2]))
items = d["items"]
c = collections.Counter(i["range"] for i in items)
cur = d.get("next_cursor")
# the cursor is the last item'"'"'s id since issue 8 (it counts nothing the
# reader may not see), so how far the scan went is not recoverable
scanned = ("more follow" if not str(cur).isdigit() else n - int(cur) + 1) if cur else "all"
ra = c["red"] + c["amber"]
print(f"{v}: {len(items)} items, ranges {dict(sorted(c.items()))}, "
      f"red+amber {ra}, rows scanned {scanned}, "
      f"{size} bytes, curl {float(t) * 1000:.1f} ms")
' "$v" "$OUT/page-$v.json" "$NREPORTS" "$size" "$ttot" >>"$OUT/views.txt"
done
cat "$OUT/views.txt" >&2

# Daemon log lines FROM..: "server_requests=N server_other=..., warn, error"
server_counts() {
    tail -n "+$1" "$DLOG" | "$PY" -c '
import collections, json, sys
c = collections.Counter(); ok = 0; warn = err = 0
for line in sys.stdin:
    try:
        e = json.loads(line)
    except ValueError:
        c["unparsable"] += 1; continue
    if e.get("msg") == "request":
        if e.get("status") == 200:
            ok += 1
        else:
            c["%s-%s" % (e.get("route"), e.get("status"))] += 1
    elif e.get("level") == "warn":
        warn += 1
    elif e.get("level") == "error":
        err += 1
other = ",".join("%s:%d" % kv for kv in sorted(c.items())) or "none"
print("server_200=%d server_other=%s server_warn=%d server_error=%d"
      % (ok, other, warn, err))
'
}

RESULTS=$OUT/results.jsonl
: >"$RESULTS"
run_view() { # run_view VIEW ROUND DURATION [CONNECTIONS THREADS RESULTS]
    local v=$1 round=$2 dur=$3 conns=${4:-16} wt=${5:-2} res=${6:-$RESULTS}
    local f="$OUT/wrk-$1-r$2.txt" from c0 c1 a0 a1 sc
    from=$(($(lines "$DLOG") + 1))
    a0=$(db_q 'SELECT count(*) FROM audit')
    c0=$(cpu_ticks "$DAEMON_PID")
    log "wrk $v round $round ($dur, $conns connections)"
    timeout 120 wrk -t"$wt" -c"$conns" -d"$dur" --latency \
        -H "Authorization: Bearer ${TOK[${VUSER[$v]}]}" "$URL${VPATH[$v]}" \
        >"$f" 2>&1 || echo "wrk exit status $?" >>"$f"
    c1=$(cpu_ticks "$DAEMON_PID")
    bench_wait_idle "$DAEMON_PID" 4 20
    a1=$(db_q 'SELECT count(*) FROM audit')
    sc=$(server_counts "$from")
    grep -E 'Requests/sec|99%|Non-2xx|Socket errors' "$f" | tr -s ' ' >&2 || true
    log "  $sc audit +$((a1 - a0))"
    [ "$round" = warmup ] && return 0
    # shellcheck disable=SC2086
    "$PY" "$BENCH_DIR/lib/wrk_report.py" parse "$f" "view=$v" "server=$v" \
        "round=$round" "audit_added=$((a1 - a0))" \
        "server_cpu_s=$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" \
        'BEGIN{print (b-a)/t}')" "connections=$conns" $sc >>"$res"
}

for v in "${VIEWS[@]}"; do run_view "$v" warmup 2s; done
for ((r = 1; r <= ROUNDS; r++)); do
    for v in "${VIEWS[@]}"; do run_view "$v" "$r" "$DURATION"; done
done
# diagnostic, not for the target: one client (wrk -t1 -c1), the service time
# of one request without queueing behind the 15 others
DIAG=$OUT/diag.jsonl
: >"$DIAG"
for v in ${BENCH_LIST_DIAG_VIEWS-nisc nisc-green}; do
    run_view "$v" c1 5s 1 1 "$DIAG"
done

echo "after load: $(grep -E '^(VmRSS|VmHWM|Threads):' "/proc/$DAEMON_PID/status" |
    tr -s ' \t\n' ' ')" >"$OUT/memory.txt"
bench_stop_pid "$DAEMON_PID" TERM
STOP=$STOP_RESULT
grep -v '"msg":"request"' "$DLOG" >"$OUT/daemon.events.log" || true
grep '"level":"error"' "$DLOG" >"$OUT/daemon.errors.log" || true
db_q "SELECT 'reports', count(*) FROM reports;
      SELECT 'reminders', count(*) FROM reminders;
      SELECT 'audit report.list', count(*) FROM audit WHERE action = 'report.list';" |
    tr '|' ' ' >"$OUT/db_after.txt"

{
    "$PY" "$BENCH_DIR/lib/report_summary.py" listing "$RESULTS"
    # CPU per request, from the same runs
    "$PY" -c '
import json, statistics, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rs:
    if r.get("server_200"):
        by.setdefault(r["view"], []).append(1000 * r["server_cpu_s"] / r["server_200"])
print("daemon CPU per request (ms, median): " + ", ".join(
    "%s %.2f" % (k, statistics.median(v)) for k, v in by.items()))
' "$RESULTS"
    echo
    echo "diagnostic, one client (wrk -t1 -c1 -d5s), not for the target:"
    "$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print("  %-13s %6.0f req/s  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  audit/req %.2f"
          % (r["view"], r["rps"], r["p50_ms"], r["p90_ms"], r["p99_ms"],
             r["audit_added"] / max(r["requests"], 1)))
' "$DIAG"
    echo
    echo "first page of each view (one curl before the runs):"
    sed 's/^/  /' "$OUT/views.txt"
    echo "engine: $ENGINE, $NREPORTS reports"
    echo "seeding: $(tr '\n' ' ' <"$OUT/seed.txt")"
    [ "$ENGINE" = sqlite ] || echo "move: $(tr '\n' ' ' <"$OUT/migrate.txt")"
    echo "infrashared --threads $DTHREADS, wrk -t2 -c16 -d$DURATION --latency, $ROUNDS rounds"
    echo "stop: $STOP; daemon error lines: $(lines "$OUT/daemon.errors.log")"
    sed 's/^/db after: /' "$OUT/db_after.txt"
    cat "$OUT/memory.txt"
} >"$OUT/summary.txt"
cat "$OUT/summary.txt"
# last line: the one run_all.sh shows
grep '^RESULT ' "$OUT/summary.txt" | sed 's/^RESULT //'
