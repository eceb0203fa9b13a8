#!/usr/bin/env bash
# bench/fanout_email.sh - advisory fan-out by e-mail to a real SMTP server
# (Provision, issue 4): one advisory to 5,000 operators.
#
#   bench/fanout_email.sh
#   env: BENCH_ROUNDS=3            measured rounds (default 3)
#        BENCH_INFLIGHT="256"      --max-inflight values (default: the
#                                  daemon's default, 256)
#        BENCH_EMAIL_OPERATORS=5000 operators in the hub (= messages)
#        BENCH_FANOUT_THREADS=4    infrashared --threads (its default)
#        BENCH_FANOUT_TIMEOUT=180  seconds to wait for one fan-out
#        BENCH_BODY_CHARS=600      advisory body_en length (body_ja 1/3)
#
# SMTP server: bench/lib/smtp_sink.py (aiosmtpd, Debian package
# python3-aiosmtpd) on a free 127.0.0.1 port: accepts every message with
# 250, writes nothing but its counters (per advisory: messages, distinct
# Idempotency-Keys, CLOCK_MONOTONIC of the first and last accepted message;
# globally: TCP connections, EHLO/HELO, RSET, QUIT).
# Hub: a fresh demo hub (4,263 operators, each with an e-mail contact of
# priority 1, so e-mail goes first as it is) plus 737 cloned operators
# ("opx-<id>": same scope and CEPTOAR memberships, an e-mail contact of
# priority 1 and a webhook contact of priority 2, like the demo ones), so
# that ONE advisory to all has 5,000 recipients = 5,000 messages. Every
# ministry and CEPTOAR hop is 'auto'; non-e-mail contacts point at
# http://127.0.0.1:1 (nothing listens there) so that no fallback reaches
# other work on this machine. Each fan-out runs on its own copy of that
# database and its own daemon (--smtp-url smtp://127.0.0.1:SINKPORT
# --max-inflight N).
# Order: warm-up fan-out (not recorded), then BENCH_ROUNDS rounds.
# Figures: messages/s = recipients / (201 of POST /api/v1/advisories -> last
# message accepted by the sink); connection reuse = SMTP sessions
# (EHLO+HELO) and TCP connections against messages. No target was set.
# Raw outputs: bench/out/<stamp>/email/
. "$(dirname "$0")/common.sh"

ROUNDS=${BENCH_ROUNDS:-3}
INFLIGHT=${BENCH_INFLIGHT:-256}
OPERATORS=${BENCH_EMAIL_OPERATORS:-5000}
DTHREADS=${BENCH_FANOUT_THREADS:-4}
TIMEOUT=${BENCH_FANOUT_TIMEOUT:-180}
BODY_CHARS=${BENCH_BODY_CHARS:-600}
DRIVE=$BENCH_DIR/lib/fanout_drive.py

need curl
"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    die "python3-aiosmtpd missing (apt-get install python3-aiosmtpd)"
bench_build
OUT=$(bench_outdir email)
{
    bench_machine
    bench_buildinfo
    echo "aiosmtpd: $("$PY" -c 'import aiosmtpd; print(aiosmtpd.__version__)')"
    echo "python: $("$PY" --version 2>&1)"
} >"$OUT/machine.txt"

# ---- the SMTP sink ----
bench_tmpdir WORK
SINK_STATS=$OUT/sink_stats.json
"$PY" "$BENCH_DIR/lib/smtp_sink.py" 0 --stats "$SINK_STATS" \
    --ready "$WORK/sport" --max-seconds 3600 2>"$OUT/sink.stderr" &
SPID=$!
BENCH_PIDS+=("$SPID")
for ((i = 0; i < 1000; i++)); do # at most 10 s
    [ -s "$WORK/sport" ] && break
    bench_alive "$SPID" || { cat "$OUT/sink.stderr" >&2; die "sink exited"; }
    sleep 0.01
done
[ -s "$WORK/sport" ] || die "the SMTP sink wrote no port file"
SPORT=$(tr -dc '0-9' <"$WORK/sport")
log "smtp sink: pid $SPID port $SPORT"

# ---- the hub template ----
bench_make_hub "$WORK/tmpl"
"$PY" "$DRIVE" prepare "$WORK/tmpl/hub.db" --mode email \
    --operators "$OPERATORS" >"$OUT/prepare.json" || die "prepare failed"
log "template: $(cat "$OUT/prepare.json")"
[ ! -s "$WORK/tmpl/hub.db-wal" ] || die "template has a non-empty WAL"

RESULTS=$OUT/results.jsonl
DAEMONS=$OUT/daemons.txt
: >"$RESULTS"
: >"$DAEMONS"

fanout() { # fanout ROUND N
    local round=$1 n=$2 dir tok logf rc=0
    bench_tmpdir dir
    cp "$WORK/tmpl/hub.db" "$dir/hub.db"
    tok=$(bench_token "$dir")
    logf=$dir/daemon.log
    bench_start_daemon "$dir" "$DTHREADS" "$logf" --max-inflight "$n" \
        --smtp-url "smtp://127.0.0.1:$SPORT"
    bench_wait_idle "$DAEMON_PID" 4 20
    log "round $round: --max-inflight $n (pid $DAEMON_PID port $PORT)"
    "$PY" "$DRIVE" issue --url "http://127.0.0.1:$PORT" --token "$tok" \
        --db "$dir/hub.db" --pid "$DAEMON_PID" --sink-stats "$SINK_STATS" \
        --peer-pid "$SPID" --timeout "$TIMEOUT" --body-chars "$BODY_CHARS" \
        "round=$round" "inflight=$n" "threads=$DTHREADS" \
        "load1=$(cut -d' ' -f1 /proc/loadavg)" >"$dir/result.json" || rc=$?
    bench_stop_pid "$DAEMON_PID" TERM
    if [ -s "$dir/result.json" ]; then
        cat "$dir/result.json" >>"$RESULTS"
        "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1]))
print("  201 -> last message %ss, %s messages/s; sink: %s messages, %s"
      " connections, %s EHLO, %s HELO, dups %s; sink CPU %ss; RSS %s -> peak"
      " %s -> after %s kB" % (r.get("to_last_s"), r.get("rate"),
      r.get("smtp_messages"), r.get("smtp_conns"), r.get("smtp_ehlo"),
      r.get("smtp_helo"), r.get("rx_dups"), r.get("peer_cpu_s"),
      r.get("rss_before_kb"), r.get("rss_peak_during_kb"),
      r.get("rss_after_kb")))' "$dir/result.json" >&2 || true
    fi
    grep -v '"msg":"request"' "$logf" >"$OUT/daemon-r$round-i$n.log" || true
    grep '"msg":"request"' "$logf" | grep -v '"status":20[01]' \
        >>"$OUT/daemon-r$round-i$n.log" || true
    printf 'round=%s inflight=%s warn=%s error=%s driver_rc=%s stop=%s\n' \
        "$round" "$n" "$(grep -c '"level":"warn"' "$logf" || true)" \
        "$(grep -c '"level":"error"' "$logf" || true)" "$rc" \
        "$STOP_RESULT" >>"$DAEMONS"
    [ "$rc" = 0 ] || log "  driver exit status $rc"
}

read -r -a NS <<<"$INFLIGHT"
fanout warmup "${NS[0]}"
for ((r = 1; r <= ROUNDS; r++)); do
    for ((k = 0; k < ${#NS[@]}; k++)); do
        fanout "$r" "${NS[$(((k + r - 1) % ${#NS[@]}))]}"
    done
done
sleep 0.3 # the sink writes its stats every 100 ms
bench_stop_pid "$SPID" TERM
echo "smtp sink: $STOP_RESULT" >>"$DAEMONS"

{
    echo "e-mail fan-out, $(date -u +%Y-%m-%dT%H:%MZ), rounds=$ROUNDS" \
        "inflight=\"$INFLIGHT\" threads=$DTHREADS operators=$OPERATORS" \
        "body_en=$BODY_CHARS chars"
    echo "template: $(cat "$OUT/prepare.json")"
    "$PY" "$DRIVE" summary "$RESULTS"
    echo "sink totals (all runs, warm-up included): $("$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (k, v) for k, v in s.items() if k != "advisories"))
' "$SINK_STATS")"
    echo "daemon logs (warn/error lines, non-2xx requests: daemon-r*-i*.log):"
    sed 's/^/  /' "$DAEMONS"
    "$PY" -c '
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [r for r in rows if r.get("round") != "warmup"]
parts = []
for n in sorted({r["inflight"] for r in rows}):
    rs = [r for r in rows if r["inflight"] == n]
    med = lambda k: statistics.median([r[k] for r in rs if r.get(k)] or [0])
    parts.append("i%s %d msgs %.2fs %.0f msg/s, %d SMTP sessions (EHLO+HELO)"
                 % (n, med("smtp_messages"), med("to_last_s"), med("rate"),
                    med("smtp_ehlo") + med("smtp_helo")))
print("RESULT email: " + "; ".join(parts))
' "$RESULTS"
} | tee "$OUT/summary.txt"
