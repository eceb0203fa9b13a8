#!/usr/bin/env bash
# Browser tests of the infrashare web UI.
#
# Debian's chromium driven by playwright-core (npm, pinned in
# package-lock.json), scenarios run by Node's built-in test runner. Starts
# the real daemon from $INFRASHARE_BUILD (default build-test; it builds
# nothing) on an ephemeral port with a temporary demo database, runs the
# scenarios, stops the daemon and exits non-zero on any failure. Prints
# node's test summary ("# pass N" / "# fail N").
#
#   tests/browser/run.sh            the scenarios
#   tests/browser/run.sh --perf     also the measurements of docs/ui.md
#                                   (10,000 reports, first-load bytes)
# Screenshots go to tests/browser/output/ (git-ignored).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${INFRASHARE_BUILD:-build-test}
case $build in /*) ;; *) build="$root/$build" ;; esac
perf=0
[ "${1:-}" = "--perf" ] && perf=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# chromium and fonts (Japanese, emoji) from Debian, when missing
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list :lang=ja 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi 'color emoji' || need+=(fonts-noto-color-emoji)
if [ ${#need[@]} -gt 0 ]; then
    echo "browser tests: installing ${need[*]}"
    as_root apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null ||
        { echo "browser tests: could not install ${need[*]}"; echo "# pass 0"; echo "# fail 1"; exit 1; }
fi
command -v node >/dev/null 2>&1 || { echo "browser tests: node is missing"; echo "# fail 1"; exit 1; }

if [ ! -x "$build/infrashared" ] || [ ! -x "$build/infrashare" ]; then
    echo "browser tests: no infrashared/infrashare in $build (build it first)"
    echo "# pass 0"; echo "# fail 1"
    exit 1
fi

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error) ||
    { echo "browser tests: npm ci failed"; echo "# pass 0"; echo "# fail 1"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/infrashare-browser.XXXXXX")
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

db="$work/hub.db"
printf 'browser-test-admin-password\n' >"$work/admin.pw"
"$build/infrashare" --db "$db" init --demo --data "$root/data" \
    --admin-password-file "$work/admin.pw" >"$work/init.log" 2>&1 ||
    { cat "$work/init.log"; echo "# pass 0"; echo "# fail 1"; exit 1; }
admin_token=$("$build/infrashare" --db "$db" token create admin --name browser-tests 2>/dev/null |
    grep -oE 'ist_[A-Za-z0-9_-]+' | head -1)
[ -n "$admin_token" ] || { echo "browser tests: no admin token"; echo "# fail 1"; exit 1; }

# --ack-deadlines: recipients not acknowledged within a few seconds become
# "not yet reached", so the secretariat's list can be seen to shrink.
"$build/infrashared" --db "$db" --port 0 --port-file "$work/port" \
    --tick-ms 200 --ack-deadlines 4,4,4 >"$work/infrashared.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    [ -s "$work/port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ ! -s "$work/port" ]; then
    cat "$work/infrashared.log"
    echo "# pass 0"; echo "# fail 1"
    exit 1
fi
port=$(cat "$work/port")

mkdir -p "$here/output"
export INFRASHARE_URL="http://127.0.0.1:$port"
export INFRASHARE_DB="$db"
export INFRASHARE_BUILD="$build"
export INFRASHARE_ADMIN_TOKEN="$admin_token"
export INFRASHARE_UI_OUTPUT="$here/output"

cd "$here"
node --test --test-concurrency=1 --test-reporter=tap \
    scenarios.test.mjs security.test.mjs agreements.test.mjs \
    alerts.test.mjs lists.test.mjs rollcall.test.mjs drills.test.mjs \
    ackboard.test.mjs \
    ui-outage-mode.test.mjs
rc=$?

if [ $perf = 1 ] && [ $rc = 0 ]; then
    node perf.mjs || rc=1
fi

if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work/infrashared.log"; then
    echo "browser tests: sanitizer report in the daemon's log"
    rc=1
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
drc=$?
pid=
if [ $drc -ne 0 ] && [ $drc -ne 143 ]; then
    echo "browser tests: infrashared exited $drc"
    tail -20 "$work/infrashared.log"
    rc=1
fi
exit $rc
