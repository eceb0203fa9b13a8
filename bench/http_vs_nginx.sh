#!/usr/bin/env bash
# bench/http_vs_nginx.sh - throughput/latency of GET /api/v1/orgs/{id} on
# infrashared against nginx serving a static file of the same size.
#
#   bench/http_vs_nginx.sh
#   env: BENCH_THREADS="2 4"  infrashared --threads values (default "2 4")
#        BENCH_ROUNDS=2       rounds (default 2)
#        BENCH_DURATION=10s   wrk duration (default 10s)
#        BENCH_NGINX_WORKERS=2  nginx worker_processes (default 2)
#
# Same wrk command for both servers:
#   wrk -t2 -c64 -d10s --latency [-H 'Authorization: Bearer TOKEN'] URL
# (nginx ignores the Authorization header; it is sent to both so the
# requests are byte-identical.)
#
# infrashared: one daemon per --threads value on one fresh demo hub, each
#   with its own port; JSON request log at the default level (info).
# nginx: Debian's nginx (package nginx-light), foreground (daemon off), with a
#   private config in a temp dir (own pid, error/access logs, temp paths),
#   127.0.0.1 on another port, worker_processes 2, access_log on (one line per
#   request, like infrashared), keepalive_requests raised so neither server
#   closes wrk's keep-alive connections, and the same five security headers
#   infrashared sends. The static file is the infrashared body for the URL,
#   fetched once with curl, served at the same path.
#
# Order (alternating, all servers up the whole time, only one loaded):
#   warm-up 2 s each, then for round in 1..ROUNDS: for T in THREADS:
#   infrashared(T), nginx.  -> A2 B A4 B A2 B A4 B
# Each nginx run is paired with the infrashared run just before it; the
# ratio for T is median req/s of infrashared(T) / median req/s of its nginx
# pairs. Target (issue 17): >= 0.5 (wrk_report.py still prints the older
# 0.30 bar).
# CPU per request: the server's utime+stime (/proc/PID/stat; nginx: master
# and workers) over the run divided by the requests wrk completed, printed
# as "cpu us/req" (median per server) with the 1-minute load average at the
# start of each run (loadavg in results.jsonl): the figure that holds up on
# a busy machine, where req/s does not.
# Raw outputs: bench/out/<stamp>/http/ (wrk-*.txt, results.jsonl, summary.txt)
. "$(dirname "$0")/common.sh"

read -r -a THREADS_LIST <<<"${BENCH_THREADS:-2 4}"
ROUNDS=${BENCH_ROUNDS:-2}
DURATION=${BENCH_DURATION:-10s}
NG_WORKERS=${BENCH_NGINX_WORKERS:-2}
URL_PATH=/api/v1/orgs/op-banking-0001
CLK_TCK=$(getconf CLK_TCK)

need wrk curl nginx
bench_build
OUT=$(bench_outdir http)
bench_tmpdir HUB
bench_make_hub "$HUB"
TOKEN=$(bench_token "$HUB")
AUTH="Authorization: Bearer $TOKEN"
bench_machine >"$OUT/machine.txt"

# ---- infrashared, one daemon per --threads value ----
declare -A IPID IPORT ILOG
for T in "${THREADS_LIST[@]}"; do
    ILOG[$T]=$HUB/daemon.t$T.log
    bench_start_daemon "$HUB" "$T" "${ILOG[$T]}"
    IPID[$T]=$DAEMON_PID
    IPORT[$T]=$PORT
    log "infrashared --threads $T: pid $DAEMON_PID port $PORT"
done

# ---- the static file: the infrashared body for the URL, fetched once ----
bench_tmpdir NG
chmod 755 "$NG"        # nginx workers run as 'nobody' when we are root
mkdir -p "$NG/www${URL_PATH%/*}" "$NG/tmp" "$NG/logs"
chmod -R a+rX "$NG/www"
T0=${THREADS_LIST[0]}
read -r code size hsize < <(curl -sS --max-time 10 -H "$AUTH" \
    -o "$NG/www$URL_PATH" -w '%{http_code} %{size_download} %{size_header}\n' \
    "http://127.0.0.1:${IPORT[$T0]}$URL_PATH")
[ "$code" = 200 ] || die "infrashared answered $code for $URL_PATH"
chmod 644 "$NG/www$URL_PATH"
cp "$NG/www$URL_PATH" "$OUT/body.json"
log "body: $size bytes (headers $hsize bytes)"

# ---- nginx ----
NGPORT=$("$PY" -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$NG/nginx.conf" <<EOF
# private nginx for bench/http_vs_nginx.sh
daemon off;
master_process on;
worker_processes $NG_WORKERS;
pid $NG/nginx.pid;
error_log $NG/logs/error.log warn;
events { worker_connections 1024; }
http {
    default_type application/json;
    charset utf-8;
    charset_types application/json;
    access_log $NG/logs/access.log combined;
    client_body_temp_path $NG/tmp/body;
    proxy_temp_path $NG/tmp/proxy;
    fastcgi_temp_path $NG/tmp/fastcgi;
    uwsgi_temp_path $NG/tmp/uwsgi;
    scgi_temp_path $NG/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 10000000;
    server_tokens off;
    server {
        listen 127.0.0.1:$NGPORT;
        root $NG/www;
        location / {
            add_header X-Content-Type-Options nosniff always;
            add_header X-Frame-Options DENY always;
            add_header Referrer-Policy no-referrer always;
            add_header Cache-Control no-store always;
            add_header Content-Security-Policy "default-src 'none'; frame-ancestors 'none'" always;
        }
    }
}
EOF
cp "$NG/nginx.conf" "$OUT/nginx.conf"
nginx -t -q -p "$NG" -e "$NG/logs/error.log" -c "$NG/nginx.conf" ||
    die "nginx config test failed"
nginx -p "$NG" -e "$NG/logs/error.log" -c "$NG/nginx.conf" \
    >"$NG/logs/stdout.log" 2>&1 &
NGPID=$!
BENCH_PIDS+=("$NGPID")
# wait until nginx answers: at most 500 x 20 ms and 15 s
ok=""
deadline=$((SECONDS + 15))
for ((i = 0; i < 500 && SECONDS < deadline; i++)); do
    bench_alive "$NGPID" || { cat "$NG/logs/error.log" >&2; die "nginx exited"; }
    c=$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' \
        "http://127.0.0.1:$NGPORT$URL_PATH" || true)
    [ "$c" = 200 ] && { ok=1; break; }
    sleep 0.02
done
[ -n "$ok" ] || die "nginx did not answer 200 within 15 s"
read -r ncode nsize nhsize < <(curl -sS --max-time 10 -H "$AUTH" \
    -o "$NG/check.body" -w '%{http_code} %{size_download} %{size_header}\n' \
    "http://127.0.0.1:$NGPORT$URL_PATH")
cmp -s "$NG/check.body" "$NG/www$URL_PATH" || die "nginx body differs"
log "nginx pid $NGPID port $NGPORT workers $NG_WORKERS: $ncode, body $nsize bytes, headers $nhsize bytes"
{
    echo "infrashared_body_bytes=$size infrashared_header_bytes=$hsize"
    echo "nginx_body_bytes=$nsize nginx_header_bytes=$nhsize"
    echo "--- infrashared headers"
    curl -sS -D - -o /dev/null -H "$AUTH" "http://127.0.0.1:${IPORT[$T0]}$URL_PATH"
    echo "--- nginx headers"
    curl -sS -D - -o /dev/null -H "$AUTH" "http://127.0.0.1:$NGPORT$URL_PATH"
} >"$OUT/responses.txt" 2>&1

# ---- helpers ----
cpu_ticks() { # cpu_ticks PID... : utime+stime of the pids (and nginx workers)
    local p sum=0 t
    for p in "$@"; do
        [ -r "/proc/$p/stat" ] || continue
        t=$(sed -e 's/^.*) //' "/proc/$p/stat" | awk '{print $12+$13}')
        sum=$((sum + t))
    done
    echo "$sum"
}
nginx_pids() { echo "$NGPID $(ps -o pid= --ppid "$NGPID" | tr '\n' ' ')"; }

# Server-side status counts in lines FROM.. of a log (infrashared JSON or
# nginx combined); prints "status:count ..." for statuses other than 200.
server_non200() { # server_non200 KIND FILE FROM_LINE
    tail -n "+$3" "$2" | "$PY" -c '
import collections, json, sys
kind = sys.argv[1]; c = collections.Counter()
for line in sys.stdin:
    if kind == "infrashared":
        try:
            e = json.loads(line)
        except ValueError:
            c["unparsable"] += 1; continue
        if e.get("msg") == "request":
            c[str(e.get("status"))] += 1
        elif e.get("level") in ("warn", "error"):
            c["log-" + e.get("level") + ":" + str(e.get("msg"))] += 1
    else:
        f = line.split()
        c[f[8] if len(f) > 8 else "unparsable"] += 1
print(" ".join(f"{k}:{v}" for k, v in sorted(c.items()) if k != "200"))
' "$1"
}
lines() { wc -l <"$1"; }

RESULTS=$OUT/results.jsonl
: >"$RESULTS"

# run_wrk NAME ROUND PORT KIND LOGFILE PIDS...
run_wrk() {
    local name=$1 round=$2 port=$3 kind=$4 logf=$5
    shift 5
    local f="$OUT/wrk-$name-r$round.txt" from c0 c1 bad load
    from=$(($(lines "$logf") + 1))
    read -r load _ </proc/loadavg
    c0=$(cpu_ticks "$@")
    log "wrk $name round $round (port $port, $DURATION)"
    timeout 120 wrk -t2 -c64 -d"$DURATION" --latency -H "$AUTH" \
        "http://127.0.0.1:$port$URL_PATH" >"$f" 2>&1 ||
        echo "wrk exit status $?" >>"$f"
    c1=$(cpu_ticks "$@")
    bench_wait_idle "$1" 2 5
    bad=$(server_non200 "$kind" "$logf" "$from")
    if [ "$round" != warmup ]; then
        "$PY" "$BENCH_DIR/lib/wrk_report.py" parse "$f" "server=$name" \
            "round=$round" "server_cpu_s=$(awk -v a="$c0" -v b="$c1" \
            -v t="$CLK_TCK" 'BEGIN{print (b-a)/t}')" \
            "server_non200=$bad" "loadavg=$load" >>"$RESULTS"
    fi
    grep -E 'Requests/sec|Non-2xx|Socket errors' "$f" >&2 || true
    [ -z "$bad" ] || log "server-side non-200 during $name: $bad"
}

run_inf() { # run_inf T ROUND
    run_wrk "infrashared-t$1" "$2" "${IPORT[$1]}" infrashared "${ILOG[$1]}" \
        "${IPID[$1]}"
}
run_ng() { # run_ng T ROUND  (T: the infrashared run it is paired with)
    # shellcheck disable=SC2046
    run_wrk "nginx-paired-t$1" "$2" "$NGPORT" nginx "$NG/logs/access.log" \
        $(nginx_pids)
}

# ---- warm-up (2 s each, not recorded) ----
SAVED_DURATION=$DURATION
DURATION=2s
for T in "${THREADS_LIST[@]}"; do run_inf "$T" warmup; done
run_ng "${THREADS_LIST[0]}" warmup
DURATION=$SAVED_DURATION

# ---- measured: A B A B ... ----
for ((r = 1; r <= ROUNDS; r++)); do
    for T in "${THREADS_LIST[@]}"; do
        run_inf "$T" "$r"
        run_ng "$T" "$r"
    done
done

# ---- stop, check the exit status, keep the memory figures ----
{
    for T in "${THREADS_LIST[@]}"; do
        echo "infrashared-t$T after load: $(grep -E '^(VmRSS|VmHWM|Threads):' \
            "/proc/${IPID[$T]}/status" | tr -s ' \t\n' ' ')"
    done
} >"$OUT/memory.txt"
STOPS=""
for T in "${THREADS_LIST[@]}"; do
    bench_stop_pid "${IPID[$T]}" TERM
    STOPS+="infrashared-t$T:$STOP_RESULT "
    # keep only the non-request lines and a count (the full log is large)
    grep -v '"msg":"request"' "${ILOG[$T]}" >"$OUT/daemon.t$T.events.log" || true
done
bench_stop_pid "$NGPID" QUIT
STOPS+="nginx:$STOP_RESULT"
cp "$NG/logs/error.log" "$OUT/nginx-error.log" 2>/dev/null || true
echo "$STOPS" >"$OUT/stops.txt"

"$PY" "$BENCH_DIR/lib/wrk_report.py" summary "$RESULTS" >"$OUT/summary.full"
grep -v '^STATS ' "$OUT/summary.full" >"$OUT/summary.txt"
# CPU microseconds per request, median of each server's measured runs
"$PY" -c '
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("requests") and r.get("server_cpu_s") is not None:
        runs.setdefault(r["server"], []).append(
            (1e6 * r["server_cpu_s"] / r["requests"], r.get("loadavg")))
for name, xs in runs.items():
    us = statistics.median(x[0] for x in xs)
    loads = " ".join(str(x[1]) for x in xs)
    print(f"cpu us/req {name}: {us:.1f} (runs: "
          + " ".join(f"{x[0]:.1f}" for x in xs) + f"; load avg {loads})")
' "$RESULTS" >>"$OUT/summary.txt"
{
    echo "nginx: worker_processes $NG_WORKERS; wrk -t2 -c64 -d$DURATION --latency"
    echo "response: body $size bytes; headers infrashared $hsize B, nginx $nhsize B"
    echo "stops: $STOPS"
    cat "$OUT/memory.txt"
} >>"$OUT/summary.txt"
cat "$OUT/summary.txt"
