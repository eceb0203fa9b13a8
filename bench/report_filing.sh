#!/usr/bin/env bash
# bench/report_filing.sh - filing throughput: POST /api/v1/reports with 16
# concurrent clients, against a plain C loop of durable SQLite inserts on
# the same disk, in the same run.
#
#   bench/report_filing.sh
#   env: BENCH_ROUNDS=2          rounds (default 2)
#        BENCH_DURATION=10       seconds per run (default 10)
#        BENCH_CLIENTS=16        wrk connections = SQLite loop threads
#        BENCH_FILING_THREADS=4  infrashared --threads (default 4, its default)
#        BENCH_SQLITE_DIAG_THREADS="1 4"  diagnostic loop runs after the
#                                 measured ones ("" for none; not in the ratio)
#
# A: infrashared, one fresh demo hub, 16 API tokens of 16 demo operators
#    (op-banking-0001..0016), and
#      wrk -t2 -c16 -d10s --latency -s bench/lib/file_report.lua URL
#    The Lua script files a new Green report per request, rotating the
#    tokens, and counts the answers by status; the figure is 201s per second.
# B: bench/sqlite_insert_loop.c, compiled here into bench/out/ with
#      cc -O2 $(pkg-config --cflags --libs sqlite3)
#    16 threads, one connection each, WAL + synchronous=FULL + busy_timeout
#    10 s (as src/store/store.c), each ~1 KB row its own BEGIN IMMEDIATE ..
#    COMMIT, into a temp file in the same directory as the hub database.
# Order: warm-up 2 s each (not recorded), then A B A B. The ratio is
# median(A 201/s) / median(B inserts/s). Target: >= 1.0 (issue 17; it was
# 0.50 in issue 8).
# Check: after each A run (daemon idle) and after the daemon has stopped,
# SELECT count(*) FROM reports must equal the number of 201s the daemon
# logged for POST /api/v1/reports; wrk's own 201 count is at most 16 lower
# (requests in flight when wrk stops are committed, but wrk does not read
# their answers).
# Raw outputs: bench/out/<stamp>/filing/
. "$(dirname "$0")/common.sh"

ROUNDS=${BENCH_ROUNDS:-2}
DURATION=${BENCH_DURATION:-10}
CLIENTS=${BENCH_CLIENTS:-16}
DTHREADS=${BENCH_FILING_THREADS:-4}
CLK_TCK=$(getconf CLK_TCK)

need wrk curl cc pkg-config sqlite3
[ -x /usr/bin/time ] || die "/usr/bin/time missing (package time)"
bench_build
OUT=$(bench_outdir filing)
bench_machine >"$OUT/machine.txt"
bench_buildinfo >>"$OUT/machine.txt"

# ---- the SQLite loop, compiled outside the project build ----
LOOP=$OUT/sqlite_insert_loop
# shellcheck disable=SC2046
cc -O2 -Wall -o "$LOOP" "$BENCH_DIR/sqlite_insert_loop.c" \
    $(pkg-config --cflags --libs sqlite3) -pthread ||
    die "cannot compile sqlite_insert_loop.c"
echo "sqlite3 (pkg-config): $(pkg-config --modversion sqlite3)" >>"$OUT/machine.txt"

# ---- hub, tokens ----
bench_tmpdir HUB
bench_make_hub "$HUB"
TOKENS=$HUB/tokens.txt
bench_operator_tokens "$HUB" 16 bench-filing >"$TOKENS"
export BENCH_TOKENS_FILE=$TOKENS
SQLDB=$HUB/sqlite_loop.db # same directory, same disk as hub.db
{
    echo "hub directory: $HUB"
    df -hT "$HUB" | tail -n 1
} >>"$OUT/machine.txt"

DLOG=$HUB/daemon.log
bench_start_daemon "$HUB" "$DTHREADS" "$DLOG"
log "infrashared --threads $DTHREADS: pid $DAEMON_PID port $PORT"
URL="http://127.0.0.1:$PORT"
# one filing by hand first: it must answer 201
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
code=$(curl -sS --max-time 10 -o "$OUT/first_filing.json" -w '%{http_code}' \
    -H "Authorization: Bearer $(head -n1 "$TOKENS")" \
    -H 'Content-Type: application/json' \
    -d "{\"title\":\"bench filing check\",\"kind\":\"incident\",\"detected_at\":\"$NOW\",\"range\":\"green\",\"route\":\"direct\",\"impact\":{\"users_affected\":100}}" \
    "$URL/api/v1/reports")
[ "$code" = 201 ] || { cat "$OUT/first_filing.json" >&2; die "filing answered $code"; }

db_reports() { sqlite3 "$HUB/hub.db" 'SELECT count(*) FROM reports'; }
cpu_ticks() { sed -e 's/^.*) //' "/proc/$1/stat" | awk '{print $12+$13}'; }
lines() { wc -l <"$1"; }
# Daemon log lines FROM..: "created=N other=STATUS:N,... warn=N error=N"
server_counts() {
    tail -n "+$1" "$DLOG" | "$PY" -c '
import collections, json, sys
c = collections.Counter(); created = 0; warn = err = 0
for line in sys.stdin:
    try:
        e = json.loads(line)
    except ValueError:
        c["unparsable"] += 1; continue
    if e.get("msg") == "request":
        if e.get("method") == "POST" and e.get("route") == "/api/v1/reports" \
                and e.get("status") == 201:
            created += 1
        else:
            c["%s-%s" % (e.get("method"), e.get("status"))] += 1
    elif e.get("level") == "warn":
        warn += 1
    elif e.get("level") == "error":
        err += 1
other = ",".join(f"{k}:{v}" for k, v in sorted(c.items())) or "none"
print(f"created={created} other={other} warn={warn} error={err}")
'
}

RESULTS=$OUT/results.jsonl
: >"$RESULTS"
SERVER_201_TOTAL=1 # the check above
WRK_201_TOTAL=0

run_a() { # run_a ROUND SECONDS
    local round=$1 secs=$2 f="$OUT/wrk-infrashared-r$1.txt" from c0 c1 n0 n1 sc
    from=$(($(lines "$DLOG") + 1))
    n0=$(db_reports)
    c0=$(cpu_ticks "$DAEMON_PID")
    log "A infrashared round $round (${secs}s, $CLIENTS clients)"
    BENCH_RUN_TAG="r$round" timeout $((secs + 60)) \
        wrk -t2 -c"$CLIENTS" -d"${secs}s" --latency \
        -s "$BENCH_DIR/lib/file_report.lua" "$URL" >"$f" 2>&1 ||
        echo "wrk exit status $?" >>"$f"
    c1=$(cpu_ticks "$DAEMON_PID")
    bench_wait_idle "$DAEMON_PID" 4 20
    n1=$(db_reports)
    sc=$(server_counts "$from")
    local w201 srv201
    w201=$(sed -n 's/^FILING created_201=\([0-9]*\).*/\1/p' "$f")
    srv201=$(sed -n 's/^created=\([0-9]*\).*/\1/p' <<<"$sc")
    SERVER_201_TOTAL=$((SERVER_201_TOTAL + ${srv201:-0}))
    WRK_201_TOTAL=$((WRK_201_TOTAL + ${w201:-0}))
    grep -E '^FILING|Non-2xx|Socket errors' "$f" >&2 || true
    log "  server: $sc; reports in db: $n0 -> $n1 (+$((n1 - n0)))"
    [ "$round" = warmup ] && return 0
    # shellcheck disable=SC2046
    "$PY" "$BENCH_DIR/lib/report_summary.py" parse-filing "$f" "round=$round" \
        "server_cpu_s=$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" \
        'BEGIN{print (b-a)/t}')" "db_before=$n0" "db_after=$n1" \
        $(sed 's/^created=/server_201=/; s/ other=/ server_other=/;
               s/ warn=/ server_warn=/; s/ error=/ server_error=/' <<<"$sc") \
        >>"$RESULTS"
}

run_b() { # run_b ROUND SECONDS [THREADS]
    local round=$1 secs=$2 th=${3:-$CLIENTS} rc=0 f
    f="$OUT/sqlite-r$1$([ "$th" = "$CLIENTS" ] || echo "-threads$th").txt"
    log "B sqlite loop round $round (${secs}s, $th threads)"
    timeout $((secs + 60)) /usr/bin/time \
        -f 'TIME user_s=%U sys_s=%S wall_s=%e maxrss_kb=%M' \
        "$LOOP" "$SQLDB" "$th" "$secs" 1000 >"$f" 2>&1 || rc=$?
    [ "$rc" = 0 ] || echo "exit status $rc" >>"$f"
    grep -E '^SQLITE' "$f" | cut -c1-120 >&2 || true
    [ "$round" = warmup ] && return 0
    "$PY" "$BENCH_DIR/lib/report_summary.py" parse-sqlite "$f" \
        "round=$round" "exit=$rc" >>"$([ "$th" = "$CLIENTS" ] && echo "$RESULTS" ||
            echo "$OUT/diag.jsonl")"
}

# ---- warm-up, then A B A B ----
run_a warmup 2
run_b warmup 2
for ((r = 1; r <= ROUNDS; r++)); do
    run_a "$r" "$DURATION"
    run_b "$r" "$DURATION"
done
# diagnostic, not in the ratio: the same loop with fewer connections (the
# daemon serves requests on --threads threads and opens --threads + 2
# connections, src/infrashared.c, so at most 4 filings write at once)
: >"$OUT/diag.jsonl"
for th in ${BENCH_SQLITE_DIAG_THREADS-1 4}; do
    run_b diag "$DURATION" "$th"
done

# ---- stop, then count what was committed ----
echo "after load: $(grep -E '^(VmRSS|VmHWM|Threads):' "/proc/$DAEMON_PID/status" |
    tr -s ' \t\n' ' ')" >"$OUT/memory.txt"
bench_stop_pid "$DAEMON_PID" TERM
STOP=$STOP_RESULT
grep -v '"msg":"request"' "$DLOG" >"$OUT/daemon.events.log" || true
grep '"level":"error"' "$DLOG" >"$OUT/daemon.errors.log" || true
sqlite3 "$HUB/hub.db" "
SELECT 'reports', count(*) FROM reports;
SELECT 'report_updates', count(*) FROM report_updates;
SELECT 'report_timeline', count(*) FROM report_timeline;
SELECT 'audit_report_file', count(*) FROM audit WHERE action = 'report.file';
SELECT 'distinct_titles', count(DISTINCT json_extract(body, '\$.title')) FROM reports;
SELECT 'originators', count(DISTINCT originator) FROM reports;
PRAGMA journal_mode;
PRAGMA quick_check;" | tr '|' ' ' >"$OUT/db_after.txt"
DB_FINAL=$(awk '$1 == "reports" {print $2}' "$OUT/db_after.txt")
{
    echo "stop: $STOP"
    echo "db_reports_final=$DB_FINAL"
    echo "server_201_total=$SERVER_201_TOTAL (daemon log, incl. warm-up and the curl check)"
    echo "wrk_201_total=$((WRK_201_TOTAL + 1)) (wrk response() counts, incl. warm-up, + the curl check)"
    if [ "$DB_FINAL" = "$SERVER_201_TOTAL" ]; then
        echo "check: reports in db == 201s logged by the daemon: OK"
    else
        echo "check: reports in db ($DB_FINAL) != 201s logged ($SERVER_201_TOTAL): MISMATCH"
    fi
    echo "in flight at wrk's stop (committed, answer not read by wrk): $((SERVER_201_TOTAL - WRK_201_TOTAL - 1))"
    sed 's/^/db: /' "$OUT/db_after.txt"
    echo "daemon error lines: $(lines "$OUT/daemon.errors.log")"
} >"$OUT/checks.txt"

"$PY" "$BENCH_DIR/lib/report_summary.py" filing "$RESULTS" >"$OUT/summary.txt"
{
    echo
    echo "diagnostic sqlite loop runs (not in the ratio):"
    "$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print("  %s threads: %s inserts/s, errors=%s, count_ok=%s" % (
        r.get("threads"), r.get("inserts_per_s"), r.get("errors"),
        r.get("count_ok")))
' "$OUT/diag.jsonl"
    echo "infrashared --threads $DTHREADS, wrk -t2 -c$CLIENTS -d${DURATION}s; sqlite loop $CLIENTS threads"
    cat "$OUT/checks.txt"
    cat "$OUT/memory.txt"
} >>"$OUT/summary.txt"
cat "$OUT/summary.txt"
# last line: the one run_all.sh shows
echo "filing: $(grep '^ratio' "$OUT/summary.txt"); $(grep '^check:' "$OUT/checks.txt")"
