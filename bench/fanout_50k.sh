#!/usr/bin/env bash
# bench/fanout_50k.sh - the issue 17 fan-out target: 50,000 deliveries
# (10 webhook contacts x 5,000 operators) to a local receiver in <= 5 s from
# the 201, every outcome recorded in the database, CPU per delivery.
#
#   bench/fanout_50k.sh
#   env: BENCH_ROUNDS=3              measured fan-outs (default 3)
#        BENCH_INFLIGHT=256          infrashared --max-inflight (its default)
#        BENCH_FANOUT_THREADS=4      infrashared --threads (its default)
#        BENCH_OPERATORS=5000        operators (demo 4,263 + clones)
#        BENCH_CONTACTS=10           webhook contacts per operator
#        BENCH_FANOUT_TIMEOUT=300    seconds to wait for one fan-out
#        BENCH_BODY_CHARS=600        advisory body_en length (body_ja 1/3)
#        BENCH_BUILD=...             build dir (default build-bench, release)
#
# Why all ten contacts receive it: the advisory is a `warning` of severity
# 4, which is on the hotline (docs/rules.md "Hotline"): every contact of
# every recipient at once, plus the emergency contacts (緊急窓口) of the
# CEPTOAR secretariats on its chain (18 in the demo, pointed at the same
# receiver; they are counted in the deliveries, the 50,000 check is on the
# operators' deliveries).
# Hub: a fresh demo hub (init --demo), then bench/lib/fanout50k_drive.py
# prepare: clones of demo operators ("opx-<id>", as fanout_email.sh adds
# them) up to BENCH_OPERATORS, every operator's contacts replaced by
# BENCH_CONTACTS webhook contacts, each with its own secret, at
# http://127.0.0.1:RPORT/hooks/<org>/<n>. Each fan-out runs on its own copy
# of that database with its own freshly started daemon (--smtp-url
# smtp://127.0.0.1:1: nothing e-mail may leave).
# Receiver: bench/lib/receiver.c (see fanout_webhooks.sh), compiled here.
# Figures (one JSON line per fan-out in results.jsonl): 201 -> last POST at
# the receiver (target <= 5 s), deliveries/s, 201 -> every delivery
# recorded 'delivered' in the database, daemon CPU (utime+stime) per
# delivery and the outbox thread's share; checks: 50,000 operator
# deliveries recorded delivered, as many distinct Idempotency-Keys at the
# receiver as deliveries in the database, no duplicates.
# Raw outputs: bench/out/<stamp>/fanout50k/
. "$(dirname "$0")/common.sh"

ROUNDS=${BENCH_ROUNDS:-3}
INFLIGHT=${BENCH_INFLIGHT:-256}
DTHREADS=${BENCH_FANOUT_THREADS:-4}
OPERATORS=${BENCH_OPERATORS:-5000}
CONTACTS=${BENCH_CONTACTS:-10}
TIMEOUT=${BENCH_FANOUT_TIMEOUT:-300}
BODY_CHARS=${BENCH_BODY_CHARS:-600}
DRIVE=$BENCH_DIR/lib/fanout50k_drive.py

need curl gcc
bench_build
OUT=$(bench_outdir fanout50k)
{ bench_machine 2>/dev/null || true; bench_buildinfo; } >"$OUT/machine.txt"

RECEIVER=$OUT/receiver
gcc -O2 -Wall -Wextra -o "$RECEIVER" "$BENCH_DIR/lib/receiver.c" ||
    die "cannot compile bench/lib/receiver.c"
bench_tmpdir WORK
"$RECEIVER" "$WORK/rport" --max-seconds 3600 2>"$OUT/receiver.stderr" &
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

bench_make_hub "$WORK/tmpl"
"$PY" "$DRIVE" prepare "$WORK/tmpl/hub.db" --receiver-port "$RPORT" \
    --operators "$OPERATORS" --contacts "$CONTACTS" >"$OUT/prepare.json" ||
    die "prepare failed"
log "template: $(cat "$OUT/prepare.json")"

RESULTS=$OUT/results.jsonl
DAEMONS=$OUT/daemons.txt
: >"$RESULTS"
: >"$DAEMONS"

fanout() {
    local round=$1 dir tok logf rc=0
    bench_tmpdir dir
    cp "$WORK/tmpl/hub.db" "$dir/hub.db"
    tok=$(bench_token "$dir")
    logf=$dir/daemon.log
    bench_start_daemon "$dir" "$DTHREADS" "$logf" --max-inflight "$INFLIGHT" \
        --smtp-url smtp://127.0.0.1:1
    bench_wait_idle "$DAEMON_PID" 4 20
    log "round $round: pid $DAEMON_PID port $PORT load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$PY" "$DRIVE" issue --url "http://127.0.0.1:$PORT" --token "$tok" \
        --db "$dir/hub.db" --pid "$DAEMON_PID" --receiver "$RURL" \
        --peer-pid "$RPID" --timeout "$TIMEOUT" --body-chars "$BODY_CHARS" \
        --expect $((OPERATORS * CONTACTS)) \
        "round=$round" "inflight=$INFLIGHT" "threads=$DTHREADS" \
        "load1=$(cut -d' ' -f1 /proc/loadavg)" >"$dir/result.json" || rc=$?
    bench_stop_pid "$DAEMON_PID" TERM
    if [ -s "$dir/result.json" ]; then
        cat "$dir/result.json" >>"$RESULTS"
        "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1]))
print("  %s deliveries: POST %ss, 201 -> last %ss (%s/s), -> all recorded %ss;"
      " CPU %s s = %s ms/delivery (outbox %s ms); keys %s dups %s conns %s;"
      " ok %s" % (r.get("db_deliveries"), r.get("t_post_s"),
      r.get("to_last_s"), r.get("rate"), r.get("to_db_s"),
      r.get("daemon_cpu_s"), r.get("cpu_ms_per_delivery"),
      r.get("outbox_cpu_ms_per_delivery"), r.get("rx_unique"),
      r.get("rx_dups"), r.get("rx_conns"), r.get("ok")))' \
            "$dir/result.json" >&2 || true
    fi
    grep -v '"msg":"request"' "$logf" >"$OUT/daemon-r$round.log" || true
    printf 'round=%s warn=%s error=%s driver_rc=%s stop=%s\n' "$round" \
        "$(grep -c '"level":"warn"' "$logf" || true)" \
        "$(grep -c '"level":"error"' "$logf" || true)" "$rc" \
        "$STOP_RESULT" >>"$DAEMONS"
    [ "$rc" = 0 ] || log "  driver exit status $rc"
}

for ((r = 1; r <= ROUNDS; r++)); do
    fanout "$r"
done
bench_stop_pid "$RPID" TERM
echo "receiver: $STOP_RESULT" >>"$DAEMONS"

{
    echo "50k fan-out, $(date -u +%Y-%m-%dT%H:%MZ), rounds=$ROUNDS" \
        "inflight=$INFLIGHT threads=$DTHREADS operators=$OPERATORS" \
        "contacts=$CONTACTS body_en=$BODY_CHARS chars"
    echo "template: $(cat "$OUT/prepare.json")"
    sed 's/^/  /' "$DAEMONS"
    "$PY" -c '
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(k):
    v = [r[k] for r in rows if r.get(k) is not None]
    return statistics.median(v) if v else float("nan")
print("RESULT fanout50k: 201->last %.2fs (runs %s), %.0f deliveries/s,"
      " 201->recorded %.2fs, CPU %.4f ms/delivery (outbox %.4f), all ok %s"
      % (med("to_last_s"), [r.get("to_last_s") for r in rows], med("rate"),
         med("to_db_s"), med("cpu_ms_per_delivery"),
         med("outbox_cpu_ms_per_delivery"), all(r.get("ok") for r in rows)))
' "$RESULTS"
} | tee "$OUT/summary.txt"
