#!/usr/bin/env bash
# bench/alert_latency.sh - upward alert latency (issue 10): from the 201 of
# a severity-4 report to the first hop's webhook receiving its alert, p50 /
# p99 over 1,000 reports, against the same receiver's round trip measured
# alone (a plain POST). Target: p99 <= 2x the round trip's p99.
#
#   bench/alert_latency.sh
#   env: BENCH_REPORTS=1000   reports (one after another)
#        BENCH_RTT=1000       plain POSTs for the round trip
#        BENCH_THREADS=4      infrashared --threads
#
# Receiver: bench/lib/alert_latency.py receiver, a real HTTP/1.1 server
# (python http.server, keep-alive) in its own process on 127.0.0.1; it
# writes the CLOCK_MONOTONIC time of each POST to a FIFO the driver reads.
# Hub: a fresh demo hub; METI (the first hop of a gas operator's direct
# report) has one webhook contact, the receiver. Raw outputs:
# bench/out/<stamp>/alert_latency/
. "$(dirname "$0")/common.sh"

REPORTS=${BENCH_REPORTS:-1000}
RTT=${BENCH_RTT:-1000}
DTHREADS=${BENCH_THREADS:-4}
DRIVE=$BENCH_DIR/lib/alert_latency.py

need curl
bench_build
OUT=$(bench_outdir alert_latency)
{ bench_machine; bench_buildinfo; } >"$OUT/machine.txt" 2>/dev/null || true
bench_tmpdir WORK

mkfifo "$WORK/hits"
exec 3<>"$WORK/hits" # held open: neither side blocks opening it
"$PY" "$DRIVE" receiver "$WORK/rport" >"$WORK/hits" 2>"$OUT/receiver.stderr" &
RPID=$!
BENCH_PIDS+=("$RPID")
for ((i = 0; i < 500; i++)); do # at most 5 s
    [ -s "$WORK/rport" ] && break
    bench_alive "$RPID" || die "receiver exited"
    sleep 0.01
done
[ -s "$WORK/rport" ] || die "receiver wrote no port file"
RPORT=$(tr -dc '0-9' <"$WORK/rport")
log "receiver: pid $RPID port $RPORT"

bench_make_hub "$WORK"
"$PY" "$DRIVE" prepare "$WORK/hub.db" --receiver-port "$RPORT" \
    >"$OUT/prepare.json" || die "prepare failed"
TOKEN=$("$IS_CLI" --db "$WORK/hub.db" token create op-gas-0001 \
    --name "bench-alert-$$" | grep '^ist_' | head -n1) || true
[ -n "$TOKEN" ] || die "no token for op-gas-0001"

bench_start_daemon "$WORK" "$DTHREADS" "$OUT/daemon.log" \
    --smtp-url smtp://127.0.0.1:1
log "daemon: pid $DAEMON_PID port $PORT"
"$PY" "$DRIVE" drive --url "http://127.0.0.1:$PORT" --token "$TOKEN" \
    --receiver-port "$RPORT" --hits "$WORK/hits" --reports "$REPORTS" \
    --rtt "$RTT" | tee "$OUT/result.json"
bench_stop_pid "$DAEMON_PID"
log "daemon stopped: $STOP_RESULT"
