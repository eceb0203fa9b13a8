#!/usr/bin/env bash
# bench/rollcall_board.sh - a roll call of every recipient of the demo
# registry (issue 10 item 5): NISC issues the standard roll call to
# audience "all", 90 % of the recipients answer through the API, and wrk
# reads the board while the answers arrive.
#
#   bench/rollcall_board.sh
#   env: BENCH_ROLLCALL_SHARE=0.9       share of recipients that answer
#        BENCH_ROLLCALL_WORKERS=8       answering client threads
#        BENCH_ROLLCALL_WRK=3s          wrk duration while answers arrive
#                                       (keep it at most the answering
#                                       time the summary prints, or the
#                                       "during" run also reads after)
#        BENCH_ROLLCALL_WRK_THREADS=2   wrk -t of the -c16 runs
#        BENCH_ROLLCALL_THREADS=4       infrashared --threads
#
# Hub: a fresh demo hub (init --demo); bench/lib/rollcall_drive.py prepare
# sets every ministry and CEPTOAR hop 'auto', points the webhook contacts
# at the bench receiver (bench/lib/receiver.c, compiled here; e-mail last,
# --smtp-url to a closed port) and writes an API token for each operator's
# user. The script prints the recipient count: every recipient the
# registry has (distribution lists included once the registry has them).
# Order: issue (201, every recipient released); at once wrk -t2 -c16
# -d$WRK on the board and the answers (rollcall_drive.py answer); then,
# with no answers arriving, wrk -t2 -c16 -d5s on the board, wrk -t1 -c1
# (a read's cost without queueing), the counts alone (limit=1), and the
# deliveries view of the same advisory (it scans every recipient: what a
# board recomputed from the recipients at each read costs). Each wrk run
# also records the daemon's CPU time per request and the load average.
# The board read is GET /api/v1/advisories/{id}/answers (limit 100, as the
# UI asks with 200: counts in all, per CEPTOAR and sector, one page).
# Figures: recipients, answers, time from the 201 of the issue to the first
# board read showing every answer, answers/s, the board's p50/p99 (target
# p99 <= 10 ms while answers arrive).
# Raw outputs: bench/out/<stamp>/rollcall/
. "$(dirname "$0")/common.sh"

SHARE=${BENCH_ROLLCALL_SHARE:-0.9}
WORKERS=${BENCH_ROLLCALL_WORKERS:-8}
WRK_DUR=${BENCH_ROLLCALL_WRK:-3s}
DTHREADS=${BENCH_ROLLCALL_THREADS:-4}
DRIVE=$BENCH_DIR/lib/rollcall_drive.py

need wrk curl gcc
bench_build
OUT=$(bench_outdir rollcall)
{ bench_machine; bench_buildinfo; } >"$OUT/machine.txt"

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

# ---- the hub ----
bench_make_hub "$WORK"
"$PY" "$DRIVE" prepare "$WORK/hub.db" --receiver-port "$RPORT" \
    --tokens "$WORK/tokens.tsv" >"$OUT/prepare.json" || die "prepare failed"
log "prepared: $(cat "$OUT/prepare.json")"
TOK=$(bench_token "$WORK")
LOGF=$WORK/daemon.log
bench_start_daemon "$WORK" "$DTHREADS" "$LOGF" --smtp-url smtp://127.0.0.1:1
URL=http://127.0.0.1:$PORT
bench_wait_idle "$DAEMON_PID" 4 20

"$PY" "$DRIVE" issue --url "$URL" --token "$TOK" --db "$WORK/hub.db" \
    --out "$OUT/issue.json" >&2 || die "issue failed"
ADV=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["advisory"])' "$OUT/issue.json")
N=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["recipients"])' "$OUT/issue.json")
echo "roll call $ADV: $N recipients (every recipient of the registry)"
BOARD="$URL/api/v1/advisories/$ADV/answers"
WRKRES=$OUT/wrk.jsonl
: >"$WRKRES"

cpu_ticks() { sed -e 's/^.*) //' "/proc/$DAEMON_PID/stat" | awk '{print $12+$13}'; }
wrk_board() { # NAME DURATION URL [CONNECTIONS]
    local f="$OUT/wrk-$1.txt" c=${4:-16} t=${BENCH_ROLLCALL_WRK_THREADS:-2} c0 c1
    [ "$c" -ge 2 ] || t=1
    c0=$(cpu_ticks)
    timeout 300 wrk -t"$t" -c"$c" -d"$2" --latency \
        -H "Authorization: Bearer $TOK" "$3" >"$f" 2>&1 ||
        echo "wrk exit status $?" >>"$f"
    c1=$(cpu_ticks)
    "$PY" "$BENCH_DIR/lib/wrk_report.py" parse "$f" "run=$1" "conns=$c" \
        "server_cpu_s=$(( (c1 - c0) ))e-2" \
        "load1=$(cut -d' ' -f1 /proc/loadavg)" >>"$WRKRES"
}

# the answers arrive (from the 201 on) while wrk reads the board
log "wrk -t2 -c16 -d$WRK_DUR on the board while $SHARE of $N answer"
wrk_board during "$WRK_DUR" "$BOARD" &
WPID=$!
rc=0
"$PY" "$DRIVE" answer --url "$URL" --token "$TOK" --tokens "$WORK/tokens.tsv" \
    --issue "$OUT/issue.json" --share "$SHARE" --workers "$WORKERS" \
    "threads=$DTHREADS" >"$OUT/answer.json" || rc=$?
wait "$WPID" || true
[ "$rc" = 0 ] || log "answer driver exit status $rc"

# the same reads with no answers arriving; one connection (the cost of a
# read without queueing); the counts alone (limit=1); and the deliveries
# view of the same advisory, which scans every recipient (what a board
# computed from the recipients at each read would cost)
bench_wait_idle "$DAEMON_PID" 4 60
wrk_board after 5s "$BOARD"
wrk_board after-c1 5s "$BOARD" 1
wrk_board counts-only 5s "$BOARD?limit=1"
wrk_board deliveries-view 5s "$URL/api/v1/advisories/$ADV/deliveries?state=unreached"

bench_stop_pid "$DAEMON_PID" TERM
grep -v '"msg":"request"' "$LOGF" >"$OUT/daemon.log" || true
printf 'daemon: warn=%s error=%s stop=%s\n' \
    "$(grep -c '"level":"warn"' "$LOGF" || true)" \
    "$(grep -c '"level":"error"' "$LOGF" || true)" "$STOP_RESULT" \
    >"$OUT/daemon.txt"

"$PY" - "$OUT/answer.json" "$WRKRES" <<'EOF' | tee "$OUT/summary.txt"
import json, sys
a = json.load(open(sys.argv[1]))
print(f"recipients {a['recipients']}, answers {a['answers']} "
      f"({a['share']:.0%}), errors {a['errors']}, board counts match: "
      f"{a['board_counts_match']}")
print(f"issue -> board complete {a['issue_to_complete_s']} s "
      f"(answers took {a['answer_s']} s, {a['answers_per_s']}/s with "
      f"{a['workers']} clients; answer p50 {a['answer_p50_ms']} ms, "
      f"p99 {a['answer_p99_ms']} ms; complete {a['complete_after_last_s']} s "
      f"after the last answer)")
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r["run"] == "during" and r.get("duration_s") and \
            float(r["duration_s"]) > float(a["answer_s"]):
        print(f"NOTE: wrk read for {r['duration_s']} s but the answers "
              f"took {a['answer_s']} s: the 'during' figures include "
              f"reads after the last answer (lower BENCH_ROLLCALL_WRK)")
    err = (r["non2xx"] + r["sock_connect"] + r["sock_read"] +
           r["sock_write"] + r["sock_timeout"])
    cpu = (1000 * float(r["server_cpu_s"]) / r["requests"]
           if r.get("requests") else None)
    print(f"wrk -c{r['conns']:<3} {r['run']:<16} {r['rps']:>8} req/s  p50 "
          f"{r['p50_ms']} ms  p90 {r['p90_ms']} ms  p99 {r['p99_ms']} ms  "
          f"daemon CPU {cpu:.3f} ms/req  errors {err}  load1 {r['load1']}")
EOF
cat "$OUT/daemon.txt"
exit "$rc"
