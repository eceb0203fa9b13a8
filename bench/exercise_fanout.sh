#!/usr/bin/env bash
# bench/exercise_fanout.sh - a cross-sector exercise's inject fan-out
# (issue 14): 300 participating organisations with 4 people each (1,200
# webhook contacts); every inject to all of them must be delivered within
# 2 s.
#
#   bench/exercise_fanout.sh
#   env: BENCH_ROUNDS=3                  measured rounds (fresh DB + daemon each)
#        BENCH_EXERCISE_STEPS="10 25 60" minutes the paused clock is advanced to
#                                        after the start (minute 0)
#        BENCH_EXERCISE_PARTICIPANTS=300 participating operators
#        BENCH_EXERCISE_CONTACTS=4       webhook contacts (people) of each
#        BENCH_EXERCISE_EMAIL=remove     participants' e-mail contacts: remove,
#                                        or closed (one each, to a closed port:
#                                        a diagnostic, every inject then also
#                                        fails 300 e-mails)
#        BENCH_EXERCISE_THREADS=4        infrashared --threads
#        BENCH_EXERCISE_INFLIGHT=        --max-inflight (empty: the default 256)
#        BENCH_EXERCISE_TIMEOUT=120      seconds to wait for one fan-out
#
# Receiver: bench/lib/receiver.c, compiled here with gcc into the output
# folder (as bench/fanout_webhooks.sh): one epoll thread, HTTP/1.1
# keep-alive, counts POSTs and distinct Idempotency-Keys and keeps the
# CLOCK_MONOTONIC time of the first and last POST.
# Hub: a fresh demo hub (init --demo), then bench/lib/exercise_drive.py
# prepare (python sqlite3, before any daemon starts): every ministry and
# CEPTOAR hop 'auto'; 300 operators across the 13 sectors (the first of
# each sector by id, in turn) whose contacts become 4 webhook contacts
# each, http://127.0.0.1:RPORT/hooks/<org>/<n> (an exercise sends every
# contact of a participant each inject); every other non-e-mail contact
# of the registry at http://127.0.0.1:1/ (closed), --smtp-url
# smtp://127.0.0.1:1 (closed): nothing can reach the demo's default
# receivers on 127.0.0.1:8090/2525, where other work may listen.
# Each round: a copy of that database, an admin token (infrashare token
# create admin), infrashared --threads 4 --no-probe; the driver creates the
# exercise as admin (POST /api/v1/exercises: data/exercises/fy2015.json,
# the 300 organisations), then measures each fan-out: "m0" = POST
# .../control {"action":"start","paused":true} (the start makes the
# exercise's database and fires the minute-0 inject, JPCERT/CC's early
# warning to all, before answering), then {"action":"advance"} to minutes
# 10, 25 and 60 (the minute-10 and minute-25 injects go to all; minute 60
# fires two injects to all: "the ministry asks" to those that have not
# reported - here every participant - and NISC's provision: 2,400
# messages). The daemon is idle before each step. Order: one warm-up round
# (not counted), then BENCH_ROUNDS rounds.
# Figures (bench/lib/exercise_drive.py): send -> last POST at the receiver
# (target <= 2 s for 1,200), answer -> last POST, the control request's own
# time, distinct Idempotency-Keys (checked = the webhook deliveries the
# injects made, 1,200 per inject), the daemon's CPU time.
# Raw outputs: bench/out/<stamp>/exercise_fanout/
. "$(dirname "$0")/common.sh"

ROUNDS=${BENCH_ROUNDS:-3}
STEPS=${BENCH_EXERCISE_STEPS:-10 25 60}
NPART=${BENCH_EXERCISE_PARTICIPANTS:-300}
NCONT=${BENCH_EXERCISE_CONTACTS:-4}
EMAIL=${BENCH_EXERCISE_EMAIL:-remove}
DTHREADS=${BENCH_EXERCISE_THREADS:-4}
INFLIGHT=${BENCH_EXERCISE_INFLIGHT:-}
TIMEOUT=${BENCH_EXERCISE_TIMEOUT:-120}
SCENARIO=$ROOT/data/exercises/fy2015.json
DRIVE=$BENCH_DIR/lib/exercise_drive.py

need curl gcc
bench_build
OUT=$(bench_outdir exercise_fanout)
{
    bench_machine
    bench_buildinfo
    echo "gcc: $(gcc --version | head -n1)"
    echo "load: $(cat /proc/loadavg)"
} >"$OUT/machine.txt"

# ---- the receiver, compiled outside the project build ----
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

# ---- the hub template ----
bench_make_hub "$WORK/tmpl"
"$PY" "$DRIVE" prepare "$WORK/tmpl/hub.db" --receiver-port "$RPORT" \
    --orgs-out "$WORK/orgs.txt" --participants "$NPART" \
    --contacts "$NCONT" --email "$EMAIL" >"$OUT/prepare.json" ||
    die "prepare failed"
cp "$WORK/orgs.txt" "$OUT/participants.txt"
log "template: $(cat "$OUT/prepare.json")"
[ ! -s "$WORK/tmpl/hub.db-wal" ] || die "template has a non-empty WAL"

RESULTS=$OUT/results.jsonl
DAEMONS=$OUT/daemons.txt
: >"$RESULTS"
: >"$DAEMONS"

# round NAME: fresh copy of the template, fresh daemon, one exercise.
round() {
    local round=$1 dir tok logf rc=0 extra=()
    bench_tmpdir dir
    cp "$WORK/tmpl/hub.db" "$dir/hub.db"
    tok=$("$IS_CLI" --db "$dir/hub.db" token create admin \
        --name "bench-$$-$RANDOM" | grep '^ist_' | head -n1) || true
    [ -n "$tok" ] || die "token create admin printed no ist_ line"
    logf=$dir/daemon.log
    [ -z "$INFLIGHT" ] || extra=(--max-inflight "$INFLIGHT")
    bench_start_daemon "$dir" "$DTHREADS" "$logf" --no-probe \
        --smtp-url smtp://127.0.0.1:1 "${extra[@]}"
    bench_wait_idle "$DAEMON_PID" 4 20
    log "round $round (pid $DAEMON_PID port $PORT)"
    "$PY" "$DRIVE" fanout --url "http://127.0.0.1:$PORT" --token "$tok" \
        --db "$dir/hub.db" --pid "$DAEMON_PID" --receiver "$RURL" \
        --peer-pid "$RPID" --orgs "$WORK/orgs.txt" --scenario "$SCENARIO" \
        --steps "$STEPS" --timeout "$TIMEOUT" "round=$round" \
        "threads=$DTHREADS" "inflight=${INFLIGHT:-default}" \
        "email=$EMAIL" >"$dir/result.jsonl" || rc=$?
    bench_stop_pid "$DAEMON_PID" TERM
    cat "$dir/result.jsonl" >>"$RESULTS"
    "$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print("  %-4s %s injects %s: send -> last %ss (control %ss, answer -> "
          "last %ss), keys %s/%s, dups %s, daemon CPU %ss" % (
          r.get("step"), len(r.get("injects") or []), ",".join(
          r.get("injects") or []), r.get("send_to_last_s"),
          r.get("t_control_s"), r.get("to_last_s"), r.get("rx_keys"),
          r.get("expected"), r.get("rx_dups"), r.get("daemon_cpu_s")))' \
        "$dir/result.jsonl" >&2 || true
    # the daemon's non-request log lines, its non-2xx requests, and its
    # warn/error count
    grep -v '"msg":"request"' "$logf" >"$OUT/daemon-r$round.log" || true
    grep '"msg":"request"' "$logf" | grep -v '"status":20[01]' \
        >>"$OUT/daemon-r$round.log" || true
    printf 'round=%s warn=%s error=%s driver_rc=%s stop=%s\n' "$round" \
        "$(grep -c '"level":"warn"' "$logf" || true)" \
        "$(grep -c '"level":"error"' "$logf" || true)" "$rc" \
        "$STOP_RESULT" >>"$DAEMONS"
    [ "$rc" = 0 ] || log "  driver exit status $rc"
}

round warmup
for ((r = 1; r <= ROUNDS; r++)); do
    round "$r"
done
bench_stop_pid "$RPID" TERM
echo "receiver: $STOP_RESULT" >>"$DAEMONS"

{
    echo "exercise fan-out, $(date -u +%Y-%m-%dT%H:%MZ), rounds=$ROUNDS" \
        "steps=\"0 $STEPS\" participants=$NPART contacts=$NCONT" \
        "email=$EMAIL threads=$DTHREADS inflight=${INFLIGHT:-default}"
    echo "template: $(cat "$OUT/prepare.json")"
    "$PY" "$DRIVE" summary "$RESULTS"
    echo "daemon logs (warn/error lines, non-2xx requests: daemon-r*.log):"
    sed 's/^/  /' "$DAEMONS"
    "$PY" -c '
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [r for r in rows if r.get("round") != "warmup"]
parts = []
for s in dict.fromkeys(r["step"] for r in rows):
    rs = [r for r in rows if r["step"] == s]
    v = [r["send_to_last_s"] for r in rs if r.get("send_to_last_s")]
    parts.append("%s %.2fs (max %.2fs, %s msgs)" % (
        s, statistics.median(v), max(v), rs[0].get("expected")) if v
        else s + " ?")
one = [r["send_to_last_s"] for r in rows if r.get("expected") == 1200
       and r.get("send_to_last_s")]
ok = bool(one) and max(one) <= 2.0 and all(r.get("keys_ok") for r in rows)
print("RESULT exercise fan-out: " + "; ".join(parts) +
      "; target <= 2 s for 1,200: " + ("met" if ok else "NOT met"))
' "$RESULTS"
} | tee "$OUT/summary.txt"
