#!/usr/bin/env bash
# Demo drill (訓練) against a running DEMO hub, in one command:
#
#   scripts/demo-drill.sh [--target-kind ceptoar|sector|all] [--target ID]
#                         [--url URL] [--db PATH] [--build DIR]
#                         [--ack-share 0.85] [--down-org ORG|CEPTOAR|none]
#                         [--down-seconds 60] [--timeout SECONDS]
#                         [--out DIR] [--admin-user admin] [--keep-auto]
#                         [--hook-port 8090] [--smtp-port 2525]
#
# It starts local receivers (scripts/demo_receivers.py: webhooks on
# 127.0.0.1:8090, SMTP on 127.0.0.1:2525), sets the hop policies of the
# ministries and CEPTOARs on the drill's chain to "auto", starts the drill
# as nisc-analyst, lets the receivers acknowledge a deterministic share of
# the messages (the rest never acknowledge; one "down" organisation has its
# mail refused and its webhook answering 503 for --down-seconds), waits
# until the deliveries settle, prints the drill report's summary and saves
# report.json/.csv/.html under var/demo-drill/<drill id>/. On exit it stops
# the receivers, puts the hop policies back and revokes its API tokens.
# Default target: sector finance (1,766 demo operators in 4 CEPTOARs of very
# different size, one ministry). See docs/demo-drill.md.
set -euo pipefail
cd "$(dirname "$0")/.."

kind=sector target="" url=http://127.0.0.1:8080 db=var/infrashare.db
build=build ack_share=0.85 down_org="" down_seconds=60 timeout=""
out=var/demo-drill admin_user=admin keep_auto=0
PY=/usr/bin/python3
RX=scripts/demo_receivers.py
hook_port=8090 smtp_port=2525

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "demo-drill: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    opt=$1 val=""
    case "$opt" in
    --*=*) val=${opt#*=}; opt=${opt%%=*} ;;
    --keep-auto|-h|--help) ;;
    --*) [ $# -ge 2 ] || { usage >&2; die "$opt needs a value"; }
         val=$2; shift ;;
    esac
    case "$opt" in
    --target-kind) kind=$val ;;
    --target) target=$val ;;
    --url) url=${val%/} ;;
    --db) db=$val ;;
    --build) build=${val%/} ;;
    --ack-share) ack_share=$val ;;
    --down-org) down_org=$val ;;
    --down-seconds) down_seconds=$val ;;
    --timeout) timeout=$val ;;
    --out) out=${val%/} ;;
    --admin-user) admin_user=$val ;;
    --keep-auto) keep_auto=1 ;;
    --hook-port) hook_port=$val ;;
    --smtp-port) smtp_port=$val ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $opt" ;;
    esac
    shift
done

case "$kind" in
ceptoar) target=${target:-ceptoar-securities} ;;
sector) target=${target:-finance} ;;
all) [ -z "$target" ] || die "--target-kind all takes no --target" ;;
*) die "--target-kind: ceptoar, sector or all" ;;
esac
[[ "$down_seconds" =~ ^[0-9]+$ ]] || die "--down-seconds: whole seconds"
[[ "$hook_port$smtp_port" =~ ^[0-9]+$ ]] || die "--hook-port, --smtp-port: port numbers"
[ -n "$timeout" ] || timeout=$(( down_seconds + 240 > 300 ? down_seconds + 240 : 300 ))
[[ "$timeout" =~ ^[0-9]+$ ]] || die "--timeout: whole seconds"
$PY -c "import sys; s=float(sys.argv[1]); sys.exit(not 0 <= s <= 1)" \
    "$ack_share" 2>/dev/null || die "--ack-share: a number from 0 to 1"

scripts/deps.sh test  # the test group: python3-aiosmtpd, python3-requests and the rest (quiet when present)
$PY -c "import aiosmtpd, requests" 2>/dev/null ||
    die "$PY cannot import aiosmtpd and requests (python3-aiosmtpd, python3-requests)"
[ -x "$build/infrashare" ] ||
    die "no $build/infrashare: build it first (ninja -C $build, or scripts/run-hub.sh)"
[ -f "$db" ] || die "no database $db (--db: the hub's database)"
curl -fsS -m 5 "$url/healthz" >/dev/null 2>&1 ||
    die "no hub answers at $url (start it: scripts/run-hub.sh; or --url)"
# the demo contacts point at these ports: they must be free
$PY "$RX" ports --http-port "$hook_port" --smtp-port "$smtp_port" || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/demo-drill.XXXXXX")
: >"$work/tokens"; : >"$work/policies"
rx_pid="" wait_pid="" drill="" out_dir=""

# shellcheck disable=SC2317  # (run by the trap)
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    [ -n "$wait_pid" ] && kill -TERM "$wait_pid" 2>/dev/null
    if [ -n "$rx_pid" ] && kill -0 "$rx_pid" 2>/dev/null; then
        kill -TERM "$rx_pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$rx_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$rx_pid" 2>/dev/null && kill -KILL "$rx_pid" 2>/dev/null
        wait "$rx_pid" 2>/dev/null
        echo "receivers stopped"
    fi
    if [ "$keep_auto" = 0 ] && [ -s "$work/policies" ]; then
        local n=0 org tok pol lim
        while read -r org tok pol lim; do
            api PUT "/api/v1/orgs/$org/policy" "$tok" \
                "{\"policy\":\"$pol\",\"review_limit_min\":$lim}" >/dev/null &&
                n=$((n + 1))
        done <"$work/policies"
        echo "hop policies put back: $n (--keep-auto leaves them auto)"
    fi
    local tid
    while read -r tid; do
        [ -n "$tid" ] && "$build/infrashare" --db "$db" token revoke "$tid" >/dev/null 2>&1
    done <"$work/tokens"
    if [ -n "$out_dir" ] && [ -d "$out_dir" ]; then
        cp "$work/receivers.log" "$out_dir/receivers.log" 2>/dev/null
        cp "$work/status.json" "$out_dir/receivers.json" 2>/dev/null
        [ -s "$out_dir/report.json" ] ||
            echo "demo-drill: stopped before the report; drill $drill stays in the hub (report: GET $url/api/v1/drills/$drill/report)" >&2
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# api METHOD PATH TOKEN [JSON]: prints the body; fails on HTTP >= 400
api() {
    local args=(-sS -m 60 -X "$1" -H "Authorization: Bearer $3" -w '\n%{http_code}')
    [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data "$4")
    local res code
    res=$(curl "${args[@]}" "$url$2") || { echo "demo-drill: $1 $2: no answer from $url" >&2; return 1; }
    code=${res##*$'\n'} res=${res%$'\n'*}
    if [ "$code" -ge 400 ]; then
        echo "demo-drill: $1 $2: HTTP $code: $res" >&2
        return 1
    fi
    printf '%s\n' "$res"
}
jget() { $PY "$RX" get "$1"; }

# mktoken USER: an API token made by the CLI on the database (revoked at exit)
mktoken() {
    local res
    res=$("$build/infrashare" --db "$db" token create "$1" --name demo-drill \
        --expires-days 1 2>&1) || { echo "demo-drill: token for $1: $res" >&2; return 1; }
    sed -n 's/^token id \([0-9a-f]*\) for .*/\1/p' <<<"$res" >>"$work/tokens"
    grep '^ist_' <<<"$res"
}

nisc=$(mktoken nisc-analyst) || die "no demo user nisc-analyst in $db (a demo hub: init --demo)"
api GET /api/v1/session "$nisc" >/dev/null 2>&1 ||
    die "the hub at $url does not accept a token made in $db: is --db the hub's database?"
admin=$(mktoken "$admin_user") || die "no user $admin_user in $db (--admin-user)"

# the chain: NISC -> ministries -> CEPTOARs
$PY "$RX" plan --url "$url" --target-kind "$kind" --target "$target" >"$work/plan"
mapfile -t ministries < <(awk '$1 == "ministry" { print $2 }' "$work/plan")
mapfile -t ceptoars < <(awk '$1 == "ceptoar" { print $2 }' "$work/plan")

# the "down" receiver: by default the first acknowledging member of the
# smallest CEPTOAR of the drill
down_file=""
if [ "$down_org" = none ]; then
    down_org=""
elif [ -z "$down_org" ]; then
    smallest=$(awk '$1 == "ceptoar" { print $3, $2 }' "$work/plan" | sort -n | head -1 | cut -d' ' -f2)
    down_org=$($PY "$RX" pick-down --url "$url" --token "$nisc" \
        --ceptoar "$smallest" --ack-share "$ack_share")
else
    dkind=$(api GET "/api/v1/orgs/$down_org" "$nisc" | jget kind) ||
        die "--down-org $down_org: no such organisation"
    if [ "$dkind" = ceptoar ]; then
        down_file=$work/down-orgs
        $PY "$RX" members --url "$url" --token "$nisc" --ceptoar "$down_org" >"$down_file"
    elif [ "$dkind" != operator ]; then
        die "--down-org: an operator or a CEPTOAR (all its members), not a $dkind"
    fi
fi

echo "demo drill: ${kind} ${target:-sectors} on $url (database $db)"
echo "  chain: NISC -> ${ministries[*]} -> $(awk '$1 == "ceptoar" { printf "%s%s (%d)", sep, $2, $3; sep=", " }' "$work/plan")"
if [ -n "$down_file" ]; then
    echo "  down: the $(wc -l <"$down_file") members of $down_org: e-mail refused (550), webhook 503 for ${down_seconds}s"
elif [ -n "$down_org" ]; then
    echo "  down: $down_org: e-mail refused (550), webhook 503 for ${down_seconds}s from its first request"
fi
echo "  receivers acknowledge ${ack_share} of the organisations (by a hash of the org id); the rest never do"

# receivers
rx_args=(serve --http-port "$hook_port" --smtp-port "$smtp_port"
         --ack-share "$ack_share" --down-seconds "$down_seconds"
         --state-dir "$work")
[ -n "$down_org" ] && [ -z "$down_file" ] && rx_args+=(--down-org "$down_org")
[ -n "$down_file" ] && rx_args+=(--down-file "$down_file")
$PY "$RX" "${rx_args[@]}" 2>"$work/receivers.log" &
rx_pid=$!
for _ in $(seq 100); do
    [ -f "$work/ready" ] && break
    kill -0 "$rx_pid" 2>/dev/null || break
    sleep 0.1
done
if [ ! -f "$work/ready" ]; then
    cat "$work/receivers.log" >&2
    die "the receivers did not start (webhooks 127.0.0.1:$hook_port, SMTP 127.0.0.1:$smtp_port)"
fi

# hop policies to auto (the secretariat for a CEPTOAR, the admin for a
# ministry); the old ones are put back at exit
set_auto() {  # ORG TOKEN
    local cur pol lim
    cur=$(api GET "/api/v1/orgs/$1/policy" "$2") || return 1
    pol=$(jget policy <<<"$cur") lim=$(jget review_limit_min <<<"$cur")
    [ "$pol" = auto ] && return 0
    api PUT "/api/v1/orgs/$1/policy" "$2" \
        "{\"policy\":\"auto\",\"review_limit_min\":$lim}" >/dev/null || return 1
    echo "$1 $2 $pol $lim" >>"$work/policies"
}
for m in "${ministries[@]}"; do
    set_auto "$m" "$admin" || die "could not set the policy of $m"
done
for c in "${ceptoars[@]}"; do
    tok=$(mktoken "$c-secretariat" 2>/dev/null) || tok=$admin
    set_auto "$c" "$tok" || set_auto "$c" "$admin" || die "could not set the policy of $c"
done
echo "  hop policies set to auto: $(wc -l <"$work/policies") changed, $(( ${#ministries[@]} + ${#ceptoars[@]} )) on the chain"

# the drill
if [ "$kind" = all ]; then body='{"target_kind":"all"}'
else body="{\"target_kind\":\"$kind\",\"target\":\"$target\"}"; fi
res=$(api POST /api/v1/drills "$nisc" "$body") || die "the drill was not started"
drill=$(jget id <<<"$res") advisory=$(jget advisory <<<"$res")
out_dir=$out/$drill
mkdir -p "$out_dir"
echo "drill $drill started (advisory $advisory)"
# the receivers acknowledge this advisory only (not other hubs' messages)
curl -fsS -m 5 -X PUT --data "{\"advisory\":\"$advisory\"}" \
    "http://127.0.0.1:$hook_port/_demo/advisory" >/dev/null ||
    die "the receivers did not take the advisory id"

# every hop relayed? a hop not foreseen is set to auto now (the hub's tick
# relays it)
for _ in $(seq 30); do
    $PY "$RX" chain --url "$url" --token "$nisc" --advisory "$advisory" >"$work/chain"
    open=$(awk '$1 != "relayed"' "$work/chain" | wc -l)
    [ "$open" -eq 0 ] && break
    while read -r state org _; do
        [ "$state" = waiting ] && ! grep -q "^$org " "$work/policies" &&
            set_auto "$org" "$admin" && echo "  hop $org was waiting: set to auto"
    done <"$work/chain"
    sleep 1
done
[ "$open" -eq 0 ] && echo "  chain relayed: $(awk '{ print $2 "(" $3 ")" }' "$work/chain" | paste -sd' ')" ||
    echo "  warning: $open hop(s) not relayed yet: $(awk '$1 != "relayed" { print $2 "(" $1 ")" }' "$work/chain" | paste -sd' ')"

echo "waiting for the deliveries to settle (at most ${timeout}s):"
settled=0
# in the background so that a signal reaches the trap at once
$PY "$RX" wait --url "$url" --token "$nisc" --advisory "$advisory" \
    --status-url "http://127.0.0.1:$hook_port/_demo/status" \
    --timeout "$timeout" &
wait_pid=$!
wait "$wait_pid" || settled=$?
wait_pid=""

# the report
api GET "/api/v1/drills/$drill/report?format=json" "$nisc" >"$out_dir/report.json" ||
    die "no report for $drill"
for f in csv html; do
    curl -fsS -m 60 -H "Authorization: Bearer $nisc" \
        "$url/api/v1/drills/$drill/report?format=$f" -o "$out_dir/report.$f" ||
        echo "demo-drill: could not fetch the $f report" >&2
done
curl -fsS -m 5 "http://127.0.0.1:$hook_port/_demo/status" -o "$work/status.json" 2>/dev/null || true
$PY "$RX" summary --report "$out_dir/report.json" --status "$work/status.json" \
    --ack-share "$ack_share"
echo
echo "reports: $out_dir/report.json, report.csv, report.html"
[ "$settled" -eq 0 ] || echo "demo-drill: the deliveries had not settled after ${timeout}s (the report shows the state then)" >&2
exit "$settled"
