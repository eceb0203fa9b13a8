#!/usr/bin/env bash
# bench/fanout_webhooks.sh - advisory fan-out over webhooks (Provision,
# issue 4): one advisory to every demo operator (~4,263), delivered by
# webhook to a local receiver, against wrk posting the same body to the same
# receiver in the same run.
#
#   bench/fanout_webhooks.sh
#   env: BENCH_ROUNDS=3             measured rounds (default 3)
#        BENCH_INFLIGHT="64 256 512" --max-inflight values (one daemon each)
#        BENCH_WRK_DURATION=5s      wrk duration per round
#        BENCH_FANOUT_THREADS=4     infrashared --threads (its default)
#        BENCH_FANOUT_TIMEOUT=120   seconds to wait for one fan-out
#        BENCH_BODY_CHARS=600       advisory body_en length (body_ja 1/3)
#
# Receiver: bench/lib/receiver.c, compiled here with gcc into the output
# folder (not part of the project build): one epoll thread, HTTP/1.1
# keep-alive, answers 200 "ok", counts requests, distinct Idempotency-Keys,
# connections, and keeps the CLOCK_MONOTONIC time of the first and last POST.
# Hub: a fresh demo hub (init --demo), then (bench/lib/fanout_drive.py
# prepare): e-mail contacts priority 3 so the webhook contact goes first,
# webhook addresses http://127.0.0.1:RPORT/hooks/<org>, every ministry and
# CEPTOAR hop 'auto'. Each fan-out runs on its own copy of that database and
# its own daemon (--max-inflight N), so each is the first advisory of a
# freshly started daemon. --smtp-url smtp://127.0.0.1:1 (nothing listens):
# an e-mail fallback after a failed webhook must not reach the demo's
# default smtp://127.0.0.1:2525, where other work on this machine may listen.
# Order: warm-up fan-out (N=256, not recorded; it also saves one webhook body
# for wrk), 2 s wrk warm-up, then per round: wrk -t2 -c64 -d5s
# -s bench/lib/post_webhook.lua on the receiver, then one fan-out per N (the
# order of N rotates from round to round).
# Figures (bench/lib/fanout_drive.py): time from the 201 of POST
# /api/v1/advisories to the last POST at the receiver (target <= 2 s),
# deliveries/s = recipients / that time, ratio deliveries/s / wrk req/s of
# the same round (target >= 0.5), the daemon's VmRSS/VmHWM before, during
# (/proc every 50 ms) and after the fan-out.
# Raw outputs: bench/out/<stamp>/webhooks/
. "$(dirname "$0")/common.sh"

ROUNDS=${BENCH_ROUNDS:-3}
INFLIGHT=${BENCH_INFLIGHT:-64 256 512}
WRK_DURATION=${BENCH_WRK_DURATION:-5s}
DTHREADS=${BENCH_FANOUT_THREADS:-4}
TIMEOUT=${BENCH_FANOUT_TIMEOUT:-120}
BODY_CHARS=${BENCH_BODY_CHARS:-600}
DRIVE=$BENCH_DIR/lib/fanout_drive.py

need wrk curl gcc
bench_build
OUT=$(bench_outdir webhooks)
{ bench_machine; bench_buildinfo; echo "gcc: $(gcc --version | head -n1)"; } \
    >"$OUT/machine.txt"

# ---- the receiver, compiled outside the project build ----
RECEIVER=$OUT/receiver
gcc -O2 -Wall -Wextra -o "$RECEIVER" "$BENCH_DIR/lib/receiver.c" ||
    die "cannot compile bench/lib/receiver.c"
bench_tmpdir WORK
BODY=$OUT/webhook_body.json
rm -f "$BODY"
"$RECEIVER" "$WORK/rport" --max-seconds 3600 --sample "$BODY" \
    2>"$OUT/receiver.stderr" &
RPID=$!
BENCH_PIDS+=("$RPID")
for ((i = 0; i < 500; i++)); do # at most 5 s
    [ -s "$WORK/rport" ] && break
    bench_alive "$RPID" || die "receiver exited"
    sleep 0.01
done
[ -s "$WORK/rport" ] || die "receiver wrote no port file"
RPORT=$(tr -dc '0-9' <"$WORK/rport")
RURL=http://127.0.0.1:$RPORT
log "receiver: pid $RPID port $RPORT"

# ---- the hub template ----
bench_make_hub "$WORK/tmpl"
"$PY" "$DRIVE" prepare "$WORK/tmpl/hub.db" --mode webhook \
    --receiver-port "$RPORT" >"$OUT/prepare.json" ||
    die "prepare failed"
log "template: $(cat "$OUT/prepare.json")"
[ ! -s "$WORK/tmpl/hub.db-wal" ] || die "template has a non-empty WAL"

RESULTS=$OUT/results.jsonl
WRKRES=$OUT/wrk.jsonl
DAEMONS=$OUT/daemons.txt
: >"$RESULTS"
: >"$WRKRES"
: >"$DAEMONS"

# fanout ROUND N: fresh copy of the template, fresh daemon, one advisory.
fanout() {
    local round=$1 n=$2 dir tok logf rc=0
    bench_tmpdir dir
    cp "$WORK/tmpl/hub.db" "$dir/hub.db"
    tok=$(bench_token "$dir")
    logf=$dir/daemon.log
    bench_start_daemon "$dir" "$DTHREADS" "$logf" --max-inflight "$n" \
        --smtp-url smtp://127.0.0.1:1
    bench_wait_idle "$DAEMON_PID" 4 20
    log "round $round: --max-inflight $n (pid $DAEMON_PID port $PORT)"
    "$PY" "$DRIVE" issue --url "http://127.0.0.1:$PORT" --token "$tok" \
        --db "$dir/hub.db" --pid "$DAEMON_PID" --receiver "$RURL" \
        --peer-pid "$RPID" --timeout "$TIMEOUT" --body-chars "$BODY_CHARS" \
        "round=$round" "inflight=$n" "threads=$DTHREADS" \
        "load1=$(cut -d' ' -f1 /proc/loadavg)" >"$dir/result.json" || rc=$?
    bench_stop_pid "$DAEMON_PID" TERM
    if [ -s "$dir/result.json" ]; then
        cat "$dir/result.json" >>"$RESULTS"
        "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1]))
print("  201 -> last delivery %ss, %s deliveries/s, %s connections, dups %s,"
      " RSS %s -> peak %s -> after %s kB (after API view %s kB)" % (
      r.get("to_last_s"), r.get("rate"), r.get("rx_conns"), r.get("rx_dups"),
      r.get("rss_before_kb"), r.get("rss_peak_during_kb"),
      r.get("rss_after_kb"), r.get("rss_after_api_kb")))' \
            "$dir/result.json" >&2 || true
    fi
    # the daemon's non-request log lines, and its warn/error count
    grep -v '"msg":"request"' "$logf" >"$OUT/daemon-r$round-i$n.log" || true
    grep '"msg":"request"' "$logf" | grep -v '"status":20[01]' \
        >>"$OUT/daemon-r$round-i$n.log" || true
    printf 'round=%s inflight=%s warn=%s error=%s driver_rc=%s stop=%s\n' \
        "$round" "$n" "$(grep -c '"level":"warn"' "$logf" || true)" \
        "$(grep -c '"level":"error"' "$logf" || true)" "$rc" \
        "$STOP_RESULT" >>"$DAEMONS"
    [ "$rc" = 0 ] || log "  driver exit status $rc"
}

# wrk_run ROUND DURATION: wrk on the receiver; receiver counters saved.
wrk_run() {
    local round=$1 dur=$2 f="$OUT/wrk-r$1.txt" c0 c1
    curl -sS --max-time 5 "$RURL/__reset" >/dev/null
    c0=$(sed -e 's/^.*) //' "/proc/$RPID/stat" | awk '{print $12+$13}')
    log "round $round: wrk -t2 -c64 -d$dur (receiver)"
    BENCH_BODY_FILE=$BODY timeout 120 wrk -t2 -c64 -d"$dur" --latency \
        -s "$BENCH_DIR/lib/post_webhook.lua" "$RURL/hooks/op-bench-wrk" \
        >"$f" 2>&1 || echo "wrk exit status $?" >>"$f"
    c1=$(sed -e 's/^.*) //' "/proc/$RPID/stat" | awk '{print $12+$13}')
    curl -sS --max-time 5 "$RURL/__stats" >"$OUT/receiver-wrk-r$round.json"
    grep -E '^Requests/sec|Non-2xx|Socket errors' "$f" >&2 || true
    [ "$round" = warmup ] && return 0
    "$PY" "$BENCH_DIR/lib/wrk_report.py" parse "$f" "round=$round" \
        "receiver_cpu_ticks=$((c1 - c0))" \
        "load1=$(cut -d' ' -f1 /proc/loadavg)" >>"$WRKRES"
}

fanout warmup 256
[ -s "$BODY" ] || die "the warm-up fan-out did not reach the receiver"
log "webhook body for wrk: $(wc -c <"$BODY") bytes"
wrk_run warmup 2s
read -r -a NS <<<"$INFLIGHT"
for ((r = 1; r <= ROUNDS; r++)); do
    wrk_run "$r" "$WRK_DURATION"
    for ((k = 0; k < ${#NS[@]}; k++)); do # rotate the order per round
        fanout "$r" "${NS[$(((k + r - 1) % ${#NS[@]}))]}"
    done
done
bench_stop_pid "$RPID" TERM
echo "receiver: $STOP_RESULT" >>"$DAEMONS"

{
    echo "webhook fan-out, $(date -u +%Y-%m-%dT%H:%MZ), rounds=$ROUNDS" \
        "inflight=\"$INFLIGHT\" wrk=-t2 -c64 -d$WRK_DURATION" \
        "threads=$DTHREADS body_en=$BODY_CHARS chars"
    echo "template: $(cat "$OUT/prepare.json")"
    echo "webhook body: $(wc -c <"$BODY") bytes"
    "$PY" "$DRIVE" summary "$RESULTS" "$WRKRES"
    echo "daemon logs (warn/error lines, non-2xx requests: daemon-r*-i*.log):"
    sed 's/^/  /' "$DAEMONS"
    "$PY" -c '
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [r for r in rows if r.get("round") != "warmup"]
w = [json.loads(l)["rps"] for l in open(sys.argv[2]) if l.strip()]
wm = statistics.median(w) if w else None
parts = []
for n in sorted({r["inflight"] for r in rows}):
    rs = [r for r in rows if r["inflight"] == n]
    t = statistics.median([r["to_last_s"] for r in rs if r.get("to_last_s")] or [0])
    v = statistics.median([r["rate"] for r in rs if r.get("rate")] or [0])
    parts.append("i%s %.2fs %.0f/s ratio %.3f" % (n, t, v, v / wm if wm else 0))
print("RESULT webhooks: " + "; ".join(parts) + " (wrk %.0f req/s)" % (wm or 0))
' "$RESULTS" "$WRKRES"
} | tee "$OUT/summary.txt"
