#!/usr/bin/env bash
# bench/exercise_board.sh - the controller's live board of a cross-sector
# exercise (issue 14): 300 participating organisations, a few injects
# fired, the participants acting inside the exercise while wrk reads the
# board; target p99 <= 50 ms under wrk -c16.
#
#   bench/exercise_board.sh
#   env: BENCH_ROUNDS=3                  rounds (fresh DB + daemon each)
#        BENCH_EXERCISE_WRK=10s          wrk duration while participants act
#        BENCH_EXERCISE_WRK_THREADS=2    wrk -t of the -c16 runs
#        BENCH_EXERCISE_ACT_S=           seconds the participants' actions are
#                                        spread over (default: the wrk duration)
#        BENCH_EXERCISE_ACT_WORKERS=8    acting client threads
#        BENCH_EXERCISE_TO_MINUTE=25     the clock is advanced to this minute
#                                        before the measurement (25: the
#                                        injects of minutes 0, 10 and 25)
#        BENCH_EXERCISE_PARTICIPANTS=300 participating operators
#        BENCH_EXERCISE_CONTACTS=4       webhook contacts (people) of each
#        BENCH_EXERCISE_THREADS=4        infrashared --threads
#
# Hub: as bench/exercise_fanout.sh (a fresh demo hub; bench/lib/
# exercise_drive.py prepare: hops 'auto', 300 operators across the sectors
# with 4 webhook contacts each at the bench receiver, bench/lib/receiver.c;
# the rest closed), plus an API token for each participant's user (demo
# operator users are named after their organisation) by `infrashare token
# create <org>`, and one for admin. Each round: a copy of that database,
# infrashared --threads 4 --no-probe --smtp-url smtp://127.0.0.1:1; the
# driver (setup) creates the exercise as admin (data/exercises/fy2015.json,
# the 300 organisations), starts it paused and advances it to minute 25:
# the early warning (ack expected), the suspicious traffic and the
# suspicious mail (report expected) reach every participant (3,600
# webhooks, all delivered before the measurement). Then, at once:
#   * wrk -t2 -c16 -d10s --latency GET /api/v1/exercises/{id}/board with
#     the admin token (every participant's row, the totals);
#   * the participants act (exercise_drive.py act): for each of the 300,
#     with its own token, its inbox (GET /x/{id}/api/v1/advisories?inbox=
#     true), an acknowledgement of each of the 3 injects (POST /x/{id}/api/
#     v1/advisories/{adv}/ack), a report (POST /x/{id}/api/v1/reports), a
#     BCP activation (POST /api/v1/exercises/{id}/bcp), its reports (GET
#     /x/{id}/api/v1/reports): 2,100 requests, the participants'
#     sequences interleaved at random and spread evenly over the 10 s
#     (210/s, an open-loop schedule; 8 client threads).
# Then, with nobody acting: the same wrk for 5 s, and wrk -t1 -c1 for 5 s
# (one read's cost without queueing). Each wrk run records the daemon's
# CPU time per request and the load average.
# Figures: the board's p50/p90/p99 while participants act (target p99 <=
# 50 ms), req/s, the daemon's CPU per board read, the actions' statuses and
# latencies, the board's counts after the actions (every ack and report).
# Raw outputs: bench/out/<stamp>/exercise_board/
. "$(dirname "$0")/common.sh"

ROUNDS=${BENCH_ROUNDS:-3}
WRK_DUR=${BENCH_EXERCISE_WRK:-10s}
WRK_T=${BENCH_EXERCISE_WRK_THREADS:-2}
ACT_S=${BENCH_EXERCISE_ACT_S:-}
WORKERS=${BENCH_EXERCISE_ACT_WORKERS:-8}
TO_MIN=${BENCH_EXERCISE_TO_MINUTE:-25}
NPART=${BENCH_EXERCISE_PARTICIPANTS:-300}
NCONT=${BENCH_EXERCISE_CONTACTS:-4}
DTHREADS=${BENCH_EXERCISE_THREADS:-4}
SCENARIO=$ROOT/data/exercises/fy2015.json
DRIVE=$BENCH_DIR/lib/exercise_drive.py

case $WRK_DUR in
*[0-9]s) ;;
*) die "BENCH_EXERCISE_WRK: seconds, like 10s" ;;
esac
[ -n "$ACT_S" ] || ACT_S=${WRK_DUR%s}

need wrk curl gcc
bench_build
OUT=$(bench_outdir exercise_board)
{
    bench_machine
    bench_buildinfo
    echo "load: $(cat /proc/loadavg)"
} >"$OUT/machine.txt"

# ---- the receiver of the webhooks, compiled outside the project build ----
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

# ---- the hub template: participants, their tokens, the admin's ----
bench_make_hub "$WORK/tmpl"
"$PY" "$DRIVE" prepare "$WORK/tmpl/hub.db" --receiver-port "$RPORT" \
    --orgs-out "$WORK/orgs.txt" --participants "$NPART" \
    --contacts "$NCONT" >"$OUT/prepare.json" || die "prepare failed"
cp "$WORK/orgs.txt" "$OUT/participants.txt"
log "template: $(cat "$OUT/prepare.json")"
log "an API token for each of the $NPART participants' users"
: >"$WORK/tokens.tsv"
while read -r org; do
    t=$("$IS_CLI" --db "$WORK/tmpl/hub.db" token create "$org" \
        --name bench-exercise | grep '^ist_' | head -n1) || true
    [ -n "$t" ] || die "token create $org printed no ist_ line"
    printf '%s\t%s\n' "$org" "$t" >>"$WORK/tokens.tsv"
done <"$WORK/orgs.txt"
TOK=$("$IS_CLI" --db "$WORK/tmpl/hub.db" token create admin \
    --name bench-exercise | grep '^ist_' | head -n1) || true
[ -n "$TOK" ] || die "token create admin printed no ist_ line"

WRKRES=$OUT/wrk.jsonl
ACTRES=$OUT/act.jsonl
DAEMONS=$OUT/daemons.txt
: >"$WRKRES"
: >"$ACTRES"
: >"$DAEMONS"

cpu_ticks() { sed -e 's/^.*) //' "/proc/$DAEMON_PID/stat" | awk '{print $12+$13}'; }
wrk_board() { # ROUND NAME DURATION URL [CONNECTIONS]
    local f="$OUT/wrk-r$1-$2.txt" c=${5:-16} t=$WRK_T c0 c1
    [ "$c" -ge 2 ] || t=1
    c0=$(cpu_ticks)
    timeout 300 wrk -t"$t" -c"$c" -d"$3" --latency \
        -H "Authorization: Bearer $TOK" "$4" >"$f" 2>&1 ||
        echo "wrk exit status $?" >>"$f"
    c1=$(cpu_ticks)
    "$PY" "$BENCH_DIR/lib/wrk_report.py" parse "$f" "round=$1" "run=$2" \
        "conns=$c" "threads=$t" "server_cpu_s=$((c1 - c0))e-2" \
        "load1=$(cut -d' ' -f1 /proc/loadavg)" >>"$WRKRES"
}

round() {
    local round=$1 dir logf rc=0 xid url board wpid
    bench_tmpdir dir
    cp "$WORK/tmpl/hub.db" "$dir/hub.db"
    logf=$dir/daemon.log
    bench_start_daemon "$dir" "$DTHREADS" "$logf" --no-probe \
        --smtp-url smtp://127.0.0.1:1
    url=http://127.0.0.1:$PORT
    bench_wait_idle "$DAEMON_PID" 4 20
    log "round $round (pid $DAEMON_PID port $PORT): exercise to minute $TO_MIN"
    "$PY" "$DRIVE" setup --url "$url" --token "$TOK" --db "$dir/hub.db" \
        --orgs "$WORK/orgs.txt" --scenario "$SCENARIO" \
        --to-minute "$TO_MIN" --out "$OUT/setup-r$round.json" >&2 ||
        die "setup failed"
    xid=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["exercise"])' \
        "$OUT/setup-r$round.json")
    board="$url/api/v1/exercises/$xid/board"
    bench_wait_idle "$DAEMON_PID" 4 30
    # one read, checked (and the page cache warm)
    curl -fsS -H "Authorization: Bearer $TOK" "$board" \
        >"$OUT/board-r$round-before.json" || die "board read failed"
    log "round $round: wrk -t$WRK_T -c16 -d$WRK_DUR on the board while" \
        "$NPART participants act over ${ACT_S}s"
    wrk_board "$round" during "$WRK_DUR" "$board" &
    wpid=$!
    "$PY" "$DRIVE" act --url "$url" --exercise "$OUT/setup-r$round.json" \
        --tokens "$WORK/tokens.tsv" --admin-token "$TOK" \
        --duration "$ACT_S" --workers "$WORKERS" "round=$round" \
        "threads=$DTHREADS" >>"$ACTRES" || rc=$?
    wait "$wpid" || true
    [ "$rc" = 0 ] || log "  act driver exit status $rc"
    # with nobody acting: the same read, and one connection
    bench_wait_idle "$DAEMON_PID" 4 60
    wrk_board "$round" after 5s "$board"
    wrk_board "$round" after-c1 5s "$board" 1
    curl -fsS -H "Authorization: Bearer $TOK" "$board" \
        >"$OUT/board-r$round-after.json" || log "board read failed"
    bench_stop_pid "$DAEMON_PID" TERM
    grep -v '"msg":"request"' "$logf" >"$OUT/daemon-r$round.log" || true
    grep '"msg":"request"' "$logf" | grep -v '"status":20[01]' \
        >>"$OUT/daemon-r$round.log" || true
    printf 'round=%s warn=%s error=%s act_rc=%s stop=%s\n' "$round" \
        "$(grep -c '"level":"warn"' "$logf" || true)" \
        "$(grep -c '"level":"error"' "$logf" || true)" "$rc" \
        "$STOP_RESULT" >>"$DAEMONS"
    tail -n 3 "$WRKRES" | "$PY" -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l)
    cpu = 1000 * float(r["server_cpu_s"]) / r["requests"] if r.get("requests") else 0
    print("  %-9s %7s req/s  p50 %s  p90 %s  p99 %s ms  daemon CPU %.2f ms/read" % (
        r["run"], r["rps"], r["p50_ms"], r["p90_ms"], r["p99_ms"], cpu))' >&2 || true
}

for ((r = 1; r <= ROUNDS; r++)); do
    round "$r"
done
bench_stop_pid "$RPID" TERM
echo "receiver: $STOP_RESULT" >>"$DAEMONS"

"$PY" - "$ACTRES" "$WRKRES" "$OUT/prepare.json" <<'EOF' | tee "$OUT/summary.txt"
import json, statistics, sys
acts = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
wrk = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
prep = json.load(open(sys.argv[3]))
med = lambda xs: statistics.median(xs) if xs else None
print(f"exercise board: {prep['participants']} participants, "
      f"{prep['participant_contacts']} contacts, {len(acts)} rounds")
for a in acts:
    print(f"round {a['round']}: {a['actions']} actions in {a['act_s']} s "
          f"({a['actions_per_s']}/s, {a['workers']} clients, at most "
          f"{a['max_behind_s']} s behind the schedule), errors {a['errors']}, "
          f"action p50 {a['p50_ms']} ms p99 {a['p99_ms']} ms; board after: "
          f"{a.get('board_participants')} rows, {a.get('board_bytes')} bytes, "
          f"done {a.get('board_done')}, totals {a.get('board_totals')}")
    print(f"  by kind p50 {a['by_kind_p50_ms']} p99 {a['by_kind_p99_ms']}")
for r in wrk:
    err = (r["non2xx"] + r["sock_connect"] + r["sock_read"] +
           r["sock_write"] + r["sock_timeout"])
    cpu = (1000 * float(r["server_cpu_s"]) / r["requests"]
           if r.get("requests") else None)
    print(f"round {r['round']} wrk -t{r['threads']} -c{r['conns']:<3} "
          f"{r['run']:<9} {r['rps']:>8} req/s  p50 {r['p50_ms']} ms  "
          f"p90 {r['p90_ms']} ms  p99 {r['p99_ms']} ms  daemon CPU "
          f"{cpu:.2f} ms/read  errors {err}  load1 {r['load1']}")
out = {}
for run in dict.fromkeys(r["run"] for r in wrk):
    rs = [r for r in wrk if r["run"] == run]
    out[run] = {k: med([r[k] for r in rs if r.get(k) is not None])
                for k in ("rps", "p50_ms", "p90_ms", "p99_ms")}
    out[run]["p99_all"] = [r["p99_ms"] for r in rs]
    out[run]["cpu_ms_per_read"] = med([
        1000 * float(r["server_cpu_s"]) / r["requests"] for r in rs
        if r.get("requests")])
print("MEDIANS " + json.dumps(out))
d = out.get("during", {})
p99s = d.get("p99_all") or []
ok = bool(p99s) and all(p <= 50 for p in p99s) and all(
    a["errors"] == 0 for a in acts)
print(f"RESULT exercise board while participants act: p99 "
      f"{d.get('p99_ms')} ms median (rounds: {p99s}), p50 {d.get('p50_ms')} "
      f"ms, {d.get('rps')} req/s; target p99 <= 50 ms: "
      f"{'met' if ok else 'NOT met'}")
EOF
cat "$DAEMONS"
