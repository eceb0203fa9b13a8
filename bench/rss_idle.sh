#!/usr/bin/env bash
# bench/rss_idle.sh - resident memory of an idle infrashared on the demo hub.
#
#   bench/rss_idle.sh [THREADS]         (default 4, the daemon's default)
#
# 1. fresh demo hub, daemon started with --threads THREADS
# 2. reading A: right after start (no request yet)
# 3. warm-up 1: 200 requests with curl (keep-alive, one connection):
#    100 x GET /api/v1/orgs/{id} over 100 distinct organisations (token)
#    100 x GET /api/v1/sectors                       -> wait idle -> reading B
# 4. warm-up 2: wrk -t2 -c64 -d2s on /api/v1/orgs/op-banking-0001
#                                                    -> wait idle -> reading C
# Each reading: VmRSS, VmHWM, RssAnon, RssFile, Threads from /proc/PID/status.
# Target: VmRSS <= 32 MB when idle (judged on reading C, the worst case).
# Prints a summary; writes bench/out/<stamp>/rss/{summary.txt,*.log}.
. "$(dirname "$0")/common.sh"

THREADS=${1:-4}
need curl wrk
bench_build
OUT=$(bench_outdir rss)
bench_tmpdir HUB
bench_make_hub "$HUB"
TOKEN=$(bench_token "$HUB")

bench_start_daemon "$HUB" "$THREADS" "$OUT/daemon.log"
PID=$DAEMON_PID
BASE="http://127.0.0.1:$PORT"
log "infrashared pid $PID port $PORT threads $THREADS"

reading() { # reading LABEL
    local f="/proc/$PID/status" k v
    printf '%s' "$1"
    for k in VmRSS VmHWM RssAnon RssFile Threads; do
        v=$(awk -v k="$k:" '$1 == k {print $2}' "$f")
        printf ' %s=%s' "$k" "$v"
    done
    printf '\n'
}

bench_wait_idle "$PID" 4 10
reading start | tee "$OUT/readings.txt"

# 100 distinct organisation ids (first page of the registry)
curl -sS --max-time 10 -H "Authorization: Bearer $TOKEN" \
    "$BASE/api/v1/orgs?limit=100" -o "$HUB/orgs.json"
mapfile -t IDS < <($PY -c '
import json, sys
print("\n".join(o["id"] for o in json.load(open(sys.argv[1]))["items"]))
' "$HUB/orgs.json")
[ "${#IDS[@]}" -ge 1 ] || die "no organisation ids"
# curl config: 200 URLs over one keep-alive connection
{
    for ((i = 0; i < 100; i++)); do
        printf 'url = "%s/api/v1/orgs/%s"\noutput = "/dev/null"\n' \
            "$BASE" "${IDS[i % ${#IDS[@]}]}"
        printf 'url = "%s/api/v1/sectors"\noutput = "/dev/null"\n' "$BASE"
    done
} >"$HUB/warm.curl"
curl -sS --max-time 60 -H "Authorization: Bearer $TOKEN" \
    -w '%{http_code}\n' -K "$HUB/warm.curl" >"$OUT/warmup_curl.codes"
n200=$(grep -c '^200$' "$OUT/warmup_curl.codes" || true)
nall=$(wc -l <"$OUT/warmup_curl.codes")
log "curl warm-up: $n200/$nall responses were 200"

bench_wait_idle "$PID" 8 20
reading after_200_curl | tee -a "$OUT/readings.txt"

wrk -t2 -c64 -d2s --latency -H "Authorization: Bearer $TOKEN" \
    "$BASE/api/v1/orgs/op-banking-0001" >"$OUT/warmup_wrk.txt" 2>&1
bench_wait_idle "$PID" 8 20
reading after_wrk_2s | tee -a "$OUT/readings.txt"
sleep 5
reading after_wrk_2s_plus5s | tee -a "$OUT/readings.txt"

bench_stop_pid "$PID" TERM
stop=$STOP_RESULT

# Non-200 statuses the daemon logged, by status
$PY - "$OUT/daemon.log" >"$OUT/statuses.txt" <<'EOF'
import json, sys, collections
c = collections.Counter()
for line in open(sys.argv[1], errors="replace"):
    try:
        e = json.loads(line)
    except ValueError:
        c["unparsable"] += 1
        continue
    if e.get("msg") == "request":
        c[e.get("status")] += 1
print(" ".join(f"{k}:{v}" for k, v in sorted(c.items(), key=str)))
EOF

kb() { awk -v l="$1" -v k="$2=" '$1 == l {for (i = 2; i <= NF; i++)
    if (index($i, k) == 1) print substr($i, length(k) + 1)}' \
    "$OUT/readings.txt"; }
rss=$(kb after_wrk_2s VmRSS)
hwm=$(kb after_wrk_2s VmHWM)
{
    echo "threads=$THREADS"
    echo "rss_start_kb=$(kb start VmRSS)"
    echo "rss_curl_kb=$(kb after_200_curl VmRSS)"
    echo "hwm_curl_kb=$(kb after_200_curl VmHWM)"
    echo "rss_idle_kb=$rss"
    echo "hwm_kb=$hwm"
    echo "curl_200=$n200/$nall"
    echo "wrk_requests=$(awk '/requests in/{print $1}' "$OUT/warmup_wrk.txt")"
    echo "wrk_errors=$(grep -E 'Non-2xx|Socket errors' "$OUT/warmup_wrk.txt" |
        tr '\n' ';' || true)"
    echo "daemon_statuses=$(cat "$OUT/statuses.txt")"
    echo "daemon_stop=$stop"
    echo "target_kb=32768"
    echo "pass=$([ "$rss" -le 32768 ] && echo yes || echo no)"
} | tee "$OUT/summary.txt"
awk -v t="$THREADS" -v r="$rss" -v h="$hwm" 'BEGIN {
    printf "RSS idle (threads=%s): VmRSS %.1f MiB, VmHWM %.1f MiB " \
        "(target <= 32 MiB)\n", t, r / 1024, h / 1024 }'
