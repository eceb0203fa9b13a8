#!/usr/bin/env bash
# bench/taxii.sh - TAXII 2.1 ingest and paging (issue 16).
#
#   bench/taxii.sh
#   env: BENCH_TAXII_OBJECTS=1000000   objects to post (multiple of 100)
#        BENCH_TAXII_CONNECTIONS=4     generator connections (threads)
#        BENCH_TAXII_THREADS=4         infrashared --threads
#        BENCH_TAXII_POSTER=op-banking-0001      user that posts (a reporter)
#        BENCH_TAXII_READER=op-electricity-0001  user that reads (another
#                                      organisation: every object is decided
#                                      by the range rule; all are TLP:GREEN)
#        BENCH_DURATION=10s            each measured wrk run
#        BENCH_TAXII_WALK_S=600        deadline of the walk to the deep page
#        BENCH_TAXII_PERF=0            1: perf record the hub for 15 s once
#                                      the first slice is in (perf.txt flat,
#                                      perf.callers.txt inclusive)
#        BENCH_BUILD=build-bench       the build to run (common.sh)
#        BENCH_TAXII_HUB_SQL=""        diagnostic only: SQL run on the fresh
#                                      hub.db before the daemon starts
#                                      (e.g. an index; marked DIAGNOSTIC)
#
# 1. A fresh demo hub (init --demo); API tokens for the poster and the
#    reader; infrashared --threads 4 --no-probe, log level info (a JSON line
#    per request, as production).
# 2. Ingest: build/bench/taxii_ingest (bench/taxii_ingest.c) posts envelopes
#    of 100 STIX 2.1 indicators (unique ids, TLP:GREEN) over 4 keep-alive
#    connections to POST /taxii2/infrashare/collections/shared/objects/
#    until BENCH_TAXII_OBJECTS; every answer must be 202 with success_count
#    100. Per 100,000 objects it prints the slice's objects/s, POST latency,
#    the hub's VmRSS/VmHWM and CPU (from /proc) and its own CPU.
#    Target: >= 37,000 objects/s in every slice (flat).
# 3. Checks: the first and the last object posted are read back by id.
# 4. Paging, the reader's token, the TAXII Accept header:
#      wrk -t2 -c16 -d10s --latency URL    (after a 2 s warm-up)
#    first: objects/?limit=100             (the oldest page)
#    deep:  objects/?limit=100&next=TOKEN  (TOKEN from a walk through the
#           collection with limit=1000, stopped ~1,000 objects before the
#           end: the page is among the newest). The walk's rate is reported
#           too (a peer's full sync).
#    Target: p99 <= 10 ms.
# 5. Memory: VmRSS/VmHWM per slice, idle after the ingest, after the wrk
#    runs; hub.db (+ WAL) size.
# Raw outputs: bench/out/<stamp>/taxii/ (summary.txt, ingest.txt, wrk-*.txt,
# walk.txt, page-*.json, daemon.events.log, statuses.txt, machine.txt).
. "$(dirname "$0")/common.sh"

NOBJ=${BENCH_TAXII_OBJECTS:-1000000}
CONNS=${BENCH_TAXII_CONNECTIONS:-4}
DTHREADS=${BENCH_TAXII_THREADS:-4}
POSTER=${BENCH_TAXII_POSTER:-op-banking-0001}
READER=${BENCH_TAXII_READER:-op-electricity-0001}
DURATION=${BENCH_DURATION:-10s}
WALK_S=${BENCH_TAXII_WALK_S:-600}
CLK_TCK=$(getconf CLK_TCK)
MEDIA='application/taxii+json;version=2.1'
ROOTP=/taxii2/infrashare
OBJP=$ROOTP/collections/shared/objects/

if ! [[ "$NOBJ" =~ ^[1-9][0-9]*$ ]] || [ $((NOBJ % 100)) != 0 ]; then
    die "BENCH_TAXII_OBJECTS must be a positive multiple of 100"
fi
need wrk curl
bench_build
GEN=$BUILD/bench/taxii_ingest
[ -x "$GEN" ] || die "no $GEN (bench/meson.build builds it)"
OUT=$(bench_outdir taxii)
bench_machine >"$OUT/machine.txt"
bench_buildinfo >>"$OUT/machine.txt"
sha256sum "$GEN" | sed "s|$ROOT/||" >>"$OUT/machine.txt"

cpu_ticks() { sed -e 's/^.*) //' "/proc/$1/stat" | awk '{print $12+$13}'; }
mem_line() {
    grep -E '^(VmRSS|VmHWM|RssAnon|RssFile|Threads):' "/proc/$1/status" |
        tr -s ' \t\n' ' '
}
db_size() {
    local f s total=0
    for f in "$HUB/hub.db" "$HUB/hub.db-wal"; do
        s=$(stat -c %s "$f" 2>/dev/null || echo 0)
        total=$((total + s))
    done
    echo "hub.db+wal=$((total / 1048576)) MiB (hub.db $(($(stat -c %s "$HUB/hub.db") / 1048576)) MiB)"
}

# ---- hub, tokens, daemon ----
bench_tmpdir HUB
bench_make_hub "$HUB"
tok_for() {
    local t
    t=$("$IS_CLI" --db "$HUB/hub.db" token create "$1" --name bench-taxii |
        grep '^ist_' | head -n1) || true
    [ -n "$t" ] || die "token create $1 printed no ist_ line"
    printf '%s\n' "$t"
}
PTOKF=$HUB/poster.token
tok_for "$POSTER" >"$PTOKF"
RTOK=$(tok_for "$READER")
{
    echo "hub directory: $HUB"
    df -hT "$HUB" | tail -n 1
    echo "poster: $POSTER, reader: $READER"
} >>"$OUT/machine.txt"

# diagnostic only (what-if, not for the figures): SQL run on the fresh
# hub.db before the daemon starts, e.g. an index the server lacks
if [ -n "${BENCH_TAXII_HUB_SQL:-}" ]; then
    need sqlite3
    sqlite3 "$HUB/hub.db" "$BENCH_TAXII_HUB_SQL" || die "BENCH_TAXII_HUB_SQL failed"
    echo "DIAGNOSTIC: hub.db altered before the start: $BENCH_TAXII_HUB_SQL" |
        tee -a "$OUT/machine.txt" >&2
fi
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"

DLOG=$HUB/daemon.log
bench_start_daemon "$HUB" "$DTHREADS" "$DLOG" --no-probe
log "infrashared --threads $DTHREADS: pid $DAEMON_PID port $PORT"
URL="http://127.0.0.1:$PORT"
bench_wait_idle "$DAEMON_PID" 8 30

# the TAXII routes must answer before anything is measured
for p in /taxii2/ "$ROOTP/" "$ROOTP/collections/"; do
    code=$(curl -sS --max-time 10 -o "$OUT/check.json" -w '%{http_code}' \
        -H "Authorization: Bearer $RTOK" -H "Accept: $MEDIA" "$URL$p") || true
    [ "$code" = 200 ] || {
        head -c 600 "$OUT/check.json" >&2
        die "GET $p answered $code (no TAXII server in this build?)"
    }
done

# ---- ingest ----
PERF_PID=""
if [ "${BENCH_TAXII_PERF:-0}" = 1 ] && command -v perf >/dev/null; then
    # 15 s of the hub's stacks once a fifth of the objects are in
    (
        for ((i = 0; i < 1200; i++)); do
            grep -q '^SLICE' "$OUT/ingest.txt" 2>/dev/null && break
            sleep 0.5
        done
        perf record -F 199 --call-graph dwarf,8192 -p "$DAEMON_PID" \
            -o "$OUT/perf.data" -- sleep 15 >"$OUT/perf.record.log" 2>&1
    ) &
    PERF_PID=$!
    BENCH_PIDS+=("$PERF_PID")
fi
log "ingest: $NOBJ objects, $CONNS connections, envelopes of 100"
C0=$(cpu_ticks "$DAEMON_PID")
T0=$(date +%s.%N)
rc=0
# a floor of 400 objects/s (the reference server's rate) bounds the run
MAXS=$((NOBJ / 400 + 120))
timeout $((MAXS + 30)) "$GEN" --port "$PORT" --token-file "$PTOKF" \
    --objects "$NOBJ" --connections "$CONNS" --pid "$DAEMON_PID" \
    --max-seconds "$MAXS" >"$OUT/ingest.txt" 2>"$OUT/ingest.stderr" || rc=$?
T1=$(date +%s.%N)
C1=$(cpu_ticks "$DAEMON_PID")
cat "$OUT/ingest.txt" >&2
cat "$OUT/ingest.stderr" >&2
if [ -n "$PERF_PID" ]; then
    wait "$PERF_PID" 2>/dev/null || true
    bench_forget "$PERF_PID"
    # flat (self time), then inclusive time with the callers
    perf report -i "$OUT/perf.data" --no-children --percent-limit 1 \
        -g none --stdio >"$OUT/perf.txt" 2>/dev/null || true
    perf report -i "$OUT/perf.data" --children --percent-limit 3 \
        -g caller,0.5,callee --stdio >"$OUT/perf.callers.txt" 2>/dev/null || true
fi
if [ "$rc" != 0 ]; then
    grep -v '"msg":"request"' "$DLOG" >"$OUT/daemon.events.log" || true
    tail -n 5 "$OUT/daemon.events.log" >&2
    die "ingest failed (exit $rc): see $OUT/ingest.stderr, $OUT/daemon.events.log"
fi
echo "ingest wall_s=$(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.1f", b-a}')" \
    "hub_cpu_s=$(awk -v a="$C0" -v b="$C1" -v t="$CLK_TCK" 'BEGIN{printf "%.1f", (b-a)/t}')" \
    >"$OUT/ingest.cpu.txt"
bench_wait_idle "$DAEMON_PID" 8 60
echo "idle after ingest: $(mem_line "$DAEMON_PID") $(db_size)" >"$OUT/memory.txt"

# ---- checks: the first and last objects are there ----
FIRST_ID=$(sed -n 's/^START .*first_id=\([^ ]*\).*/\1/p' "$OUT/ingest.txt")
LAST_ID=$(sed -n 's/^START .*last_id=\([^ ]*\).*/\1/p' "$OUT/ingest.txt")
: >"$OUT/checks.txt"
for id in "$FIRST_ID" "$LAST_ID"; do
    code=$(curl -sS --max-time 10 -o "$OUT/object.json" -w '%{http_code}' \
        -H "Authorization: Bearer $RTOK" -H "Accept: $MEDIA" \
        "$URL$OBJP$id/") || true
    if [ "$code" = 200 ] && grep -q "\"$id\"" "$OUT/object.json"; then
        echo "check: GET objects/$id/ (reader) 200 with the object: OK" >>"$OUT/checks.txt"
    else
        echo "check: GET objects/$id/ (reader) answered $code: FAILED" >>"$OUT/checks.txt"
    fi
done

# ---- the pages ----
# page_info FILE: "N objects, more=..., next=yes|no, BYTES bytes"
page_info() {
    "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
o = d.get("objects") or []
print("%d objects, more=%s, next=%s, %d bytes, first %s, last %s" % (
    len(o), d.get("more"), "yes" if d.get("next") else "no",
    len(open(sys.argv[1], "rb").read()),
    o[0].get("id") if o else "-", o[-1].get("id") if o else "-"))
' "$1"
}
code=$(curl -sS --max-time 10 -o "$OUT/page-first.json" -w '%{http_code} %{time_total}' \
    -H "Authorization: Bearer $RTOK" -H "Accept: $MEDIA" "$URL$OBJP?limit=100") || true
[ "${code%% *}" = 200 ] || { head -c 600 "$OUT/page-first.json" >&2; die "first page: $code"; }
echo "first page (curl ${code#* } s): $(page_info "$OUT/page-first.json")" >"$OUT/views.txt"

# Walk with limit=1000 and keep-alive until ~1,000 objects are left; the
# token in hand then points at a page among the newest.
log "walking the collection (limit=1000, at most $WALK_S s)"
"$PY" - "$PORT" "$RTOK" "$OBJP" "$NOBJ" "$WALK_S" >"$OUT/walk.txt" <<'EOF' ||
import http.client, json, statistics, sys, time
port, tok, path, n, limit_s = sys.argv[1], sys.argv[2], sys.argv[3], \
    int(sys.argv[4]), float(sys.argv[5])
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
h = {"Authorization": "Bearer " + tok,
     "Accept": "application/taxii+json;version=2.1"}
seen, tok_next, pages, ms, t0 = 0, None, 0, [], time.monotonic()
stop_at = max(n - 1000, 0)
while seen < stop_at and pages < n // 1000 + 100:
    if time.monotonic() - t0 > limit_s:
        print("deadline: stopped after %d objects" % seen)
        break
    q = path + "?limit=1000" + ("&next=" + tok_next if tok_next else "")
    t = time.monotonic()
    c.request("GET", q, headers=h)
    r = c.getresponse()
    body = r.read()
    ms.append((time.monotonic() - t) * 1000)
    if r.status != 200:
        print("page %d: HTTP %d %s" % (pages, r.status, body[:300]))
        sys.exit(1)
    d = json.loads(body)
    seen += len(d.get("objects") or [])
    pages += 1
    if not d.get("more") or not d.get("next"):
        print("collection ended after %d objects (more=%s)" % (seen, d.get("more")))
        break
    tok_next = d["next"]
dt = time.monotonic() - t0
ms.sort()
print("walk: %d pages, %d objects in %.1f s = %.0f objects/s; page p50 %.1f ms, "
      "p99 %.1f ms, max %.1f ms" % (pages, seen, dt, seen / dt if dt else 0,
      statistics.median(ms) if ms else 0,
      ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else 0,
      ms[-1] if ms else 0))
print("depth=%d" % seen)
print("next=%s" % (tok_next or ""))
EOF
    die "walk failed: $(cat "$OUT/walk.txt")"
cat "$OUT/walk.txt" >&2
DEPTH=$(sed -n 's/^depth=//p' "$OUT/walk.txt")
NEXT=$(sed -n 's/^next=//p' "$OUT/walk.txt")
DEEP_Q=""
if [ -n "$NEXT" ]; then
    NEXT_ENC=$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$NEXT")
    for q in "?limit=100&next=$NEXT_ENC" "?limit=1000&next=$NEXT_ENC"; do
        code=$(curl -sS --max-time 10 -o "$OUT/page-deep.json" -w '%{http_code} %{time_total}' \
            -H "Authorization: Bearer $RTOK" -H "Accept: $MEDIA" "$URL$OBJP$q") || true
        if [ "${code%% *}" = 200 ]; then
            DEEP_Q=$q
            echo "deep page after $DEPTH objects (${q%%&next=*}&next=…, curl ${code#* } s): $(page_info "$OUT/page-deep.json")" >>"$OUT/views.txt"
            break
        fi
        echo "deep page ${q%%&next=*}&next=…: HTTP $code: $(head -c 300 "$OUT/page-deep.json")" >>"$OUT/views.txt"
    done
fi
cat "$OUT/views.txt" >&2

# ---- wrk ----
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
run_wrk() { # run_wrk NAME QUERY DURATION
    local name=$1 q=$2 dur=$3 f="$OUT/wrk-$1.txt" c0 c1
    c0=$(cpu_ticks "$DAEMON_PID")
    log "wrk $name ($dur)"
    timeout 120 wrk -t2 -c16 -d"$dur" --latency \
        -H "Authorization: Bearer $RTOK" -H "Accept: $MEDIA" \
        "$URL$OBJP$q" >"$f" 2>&1 || echo "wrk exit status $?" >>"$f"
    c1=$(cpu_ticks "$DAEMON_PID")
    grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors' "$f" | tr -s ' ' >&2 || true
    bench_wait_idle "$DAEMON_PID" 4 20
    case $name in warmup*) return 0 ;; esac
    "$PY" "$BENCH_DIR/lib/wrk_report.py" parse "$f" "view=$name" "server=$name" \
        "server_cpu_s=$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" \
        'BEGIN{print (b-a)/t}')" >>"$RESULTS"
}
run_wrk warmup-first '?limit=100' 2s
run_wrk first '?limit=100' "$DURATION"
if [ -n "$DEEP_Q" ]; then
    run_wrk warmup-deep "$DEEP_Q" 2s
    run_wrk deep "$DEEP_Q" "$DURATION"
fi
echo "after wrk: $(mem_line "$DAEMON_PID") $(db_size)" >>"$OUT/memory.txt"

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
bench_stop_pid "$DAEMON_PID" TERM
STOP=$STOP_RESULT
grep -v '"msg":"request"' "$DLOG" >"$OUT/daemon.events.log" || true
grep '"level":"error"' "$DLOG" >"$OUT/daemon.errors.log" || true
# what the database holds, per poster (the advisories collection's objects
# are the hub's own); a check, skipped without sqlite3
if command -v sqlite3 >/dev/null; then
    sqlite3 "$HUB/hub.db" "SELECT 'taxii_objects', poster, count(*)
        FROM taxii_objects GROUP BY poster; SELECT 'taxii_status', count(*)
        FROM taxii_status; SELECT 'page_size', page_size FROM pragma_page_size;
        SELECT 'page_count', page_count FROM pragma_page_count;" 2>&1 |
        tr '|' ' ' >"$OUT/db_after.txt" || true
    held=$(awk -v p="$POSTER" '$1 == "taxii_objects" && $2 == p {print $3}' \
        "$OUT/db_after.txt")
    if [ "${held:-}" = "$NOBJ" ]; then
        echo "check: taxii_objects of $POSTER == $NOBJ: OK" >>"$OUT/checks.txt"
    else
        echo "check: taxii_objects of $POSTER = ${held:-?}, want $NOBJ: MISMATCH" >>"$OUT/checks.txt"
    fi
fi
# the statuses the hub logged, per method and route
"$PY" -c '
import collections, json, sys
c = collections.Counter()
for line in open(sys.argv[1], errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("msg") == "request":
        c[(e.get("method"), e.get("route"), e.get("status"))] += 1
for (m, r, s), n in sorted(c.items(), key=lambda kv: -kv[1]):
    print("%8d %s %s %s" % (n, m, r, s))
' "$DLOG" >"$OUT/statuses.txt"

# ---- summary ----
{
    echo "TAXII 2.1 ingest and paging (issue 16), $BENCH_STAMP"
    grep -E '^(DIAGNOSTIC|load average|commit|dirty)' "$OUT/machine.txt" || true
    echo "infrashared --threads $DTHREADS --no-probe (log level $BENCH_LOG_LEVEL);" \
        "generator: $CONNS connections, envelopes of 100 indicators"
    echo
    "$PY" - "$OUT/ingest.txt" <<'EOF'
import re, sys
rows, total, start = [], {}, {}
for line in open(sys.argv[1]):
    kind, _, rest = line.partition(" ")
    kv = dict(re.findall(r"(\w+)=(\S+)", rest))
    if kind == "SLICE":
        rows.append(kv)
    elif kind == "TOTAL":
        total = kv
    elif kind == "START":
        start = kv
print("ingest, per slice:")
print("%10s %8s %10s %9s %9s %9s %9s %8s %8s" % (
    "objects", "slice s", "objects/s", "POST p50", "POST p99", "RSS MiB",
    "HWM MiB", "hub CPU", "gen CPU"))
def mib(v):
    try:
        return "%.0f" % (int(v) / 1024)
    except (TypeError, ValueError):
        return "?"
for r in rows:
    print("%10s %8s %10s %7sms %7sms %9s %9s %7s%% %7s%%" % (
        r["objects"], r["slice_s"], r["objects_per_s"], r["post_p50_ms"],
        r["post_p99_ms"], mib(r.get("hub_rss_kb")), mib(r.get("hub_hwm_kb")),
        r.get("hub_cpu_pct", "?"), r["gen_cpu_pct"]))
full = [r for r in rows if int(r["objects"]) % int(start.get("slice", 100000)) == 0]
rates = [float(r["objects_per_s"]) for r in (full or rows)]
if rates:
    print("slice rate: min %.0f, max %.0f, last/first %.2f" % (
        min(rates), max(rates), rates[-1] / rates[0] if rates[0] else 0))
    print("RESULT_INGEST min_slice_objects_per_s=%.0f target>=37000: %s" % (
        min(rates), "met" if min(rates) >= 37000 else "MISSED"))
if total:
    print("total: %s objects in %s s = %s objects/s, %s requests, POST p50 %s ms "
          "p99 %s ms; generator CPU %s s user + %s s sys (%s%% of one core), "
          "reconnects %s" % (total["objects"], total["seconds"],
          total["objects_per_s"], total["requests"], total["post_p50_ms"],
          total["post_p99_ms"], total["gen_user_s"], total["gen_sys_s"],
          total["gen_cpu_pct"], total["reconnects"]))
print("request body: %s bytes (%s per object)" % (start.get("body_bytes"),
      start.get("object_bytes")))
EOF
    echo "hub CPU during the ingest: $(cat "$OUT/ingest.cpu.txt")"
    echo
    echo "paging, wrk -t2 -c16 -d$DURATION --latency (reader $READER):"
    "$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    errs = r["non2xx"] + r["sock_connect"] + r["sock_read"] + r["sock_write"] + r["sock_timeout"]
    req = r.get("requests") or 0
    print("  %-6s %7.0f req/s  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  errors %d"
          "  hub CPU %.2f ms/request" % (r["view"], r["rps"] or 0,
          r["p50_ms"] or 0, r["p90_ms"] or 0, r["p99_ms"] or 0, errs,
          1000 * r["server_cpu_s"] / req if req else 0))
p99 = [json.loads(l)["p99_ms"] for l in open(sys.argv[1])]
p99 = [x for x in p99 if x is not None]
if p99:
    print("RESULT_PAGING max_p99_ms=%.2f target<=10: %s" % (
        max(p99), "met" if max(p99) <= 10 else "MISSED"))
' "$RESULTS"
    sed 's/^/  /' "$OUT/views.txt"
    grep '^walk\|^deadline\|^collection' "$OUT/walk.txt" | sed 's/^/  /'
    echo
    echo "memory (kB):"
    sed 's/^/  /' "$OUT/memory.txt"
    echo
    cat "$OUT/checks.txt"
    [ -f "$OUT/db_after.txt" ] && sed 's/^/db after: /' "$OUT/db_after.txt"
    echo "statuses the hub logged:"
    sed 's/^/  /' "$OUT/statuses.txt"
    echo "stop: $STOP; daemon error lines: $(wc -l <"$OUT/daemon.errors.log")"
} >"$OUT/summary.txt"
cat "$OUT/summary.txt"
# last line: the one run_all.sh would show
echo "taxii: $(sed -n 's/^RESULT_INGEST //p' "$OUT/summary.txt"); $(sed -n 's/^RESULT_PAGING //p' "$OUT/summary.txt")"
