#!/usr/bin/env bash
# Browser tests of the infrashare web UI.
#
# Debian's chromium driven by playwright-core (npm, pinned in
# package-lock.json), scenarios run by Node's built-in test runner. For
# each test file: a fresh copy of one demo database made at the start, the
# real daemon from $INFRASHARE_BUILD (default build-test; it builds
# nothing) on an ephemeral port, the file, the daemon stopped. Exits
# non-zero on any failure. Prints the summed summary ("# pass N" /
# "# fail N").
#
#   tests/browser/run.sh            the scenarios
#   tests/browser/run.sh --perf     also the measurements of docs/ui.md
#                                   (10,000 reports, first-load bytes)
#   tests/browser/run.sh a11y ...   only the named files (a11y.test.mjs ...)
# Screenshots go to tests/browser/output/ (git-ignored);
# INFRASHARE_UI_SHOTS=0 takes none (scripts/test.sh runs the tests so).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${INFRASHARE_BUILD:-build-test}
case $build in /*) ;; *) build="$root/$build" ;; esac
perf=0
files=()
for arg in "$@"; do
    case $arg in
        --perf) perf=1 ;;
        *) f=${arg%.mjs}; f=${f%.test}.test.mjs
           [ -f "$here/$f" ] || { echo "browser tests: no $f"; echo "# pass 0"; echo "# fail 1"; exit 1; }
           files+=("$f") ;;
    esac
done
# Run in this order, one node process per file (node --test would sort the
# files by name, and a11y's data must not come before the scenarios').
[ ${#files[@]} -gt 0 ] || files=(ackboard.test.mjs advlist.test.mjs
    agreements.test.mjs alerts.test.mjs dash.test.mjs drills.test.mjs
    lists.test.mjs operator.test.mjs polish.test.mjs rollcall.test.mjs
    scenarios.test.mjs security.test.mjs a11y.test.mjs observation.test.mjs
    ui-outage-mode.test.mjs c4tap.test.mjs exercise.test.mjs
    dependencies.test.mjs surveys.test.mjs risks.test.mjs taxii.test.mjs)

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

# One demo hub is made once (the template); every test file gets a fresh
# copy of it and its own daemon, so no file depends on what another one
# left behind (a user's stored language, a hop's policy, a declared
# outage, data that changes counts).
tmpl="$work/template.db"
printf 'browser-test-admin-password\n' >"$work/admin.pw"
"$build/infrashare" --db "$tmpl" init --demo --data "$root/data" \
    --admin-password-file "$work/admin.pw" >"$work/init.log" 2>&1 ||
    { cat "$work/init.log"; echo "# pass 0"; echo "# fail 1"; exit 1; }
admin_token=$("$build/infrashare" --db "$tmpl" token create admin --name browser-tests 2>/dev/null |
    grep -oE 'ist_[A-Za-z0-9_-]+' | head -1)
[ -n "$admin_token" ] || { echo "browser tests: no admin token"; echo "# fail 1"; exit 1; }

rc=0
# hub_start NAME: a fresh copy of the template and a daemon on it; sets
# db, pid and the environment the test files read. --ack-deadlines:
# recipients not acknowledged within a few seconds become "not yet
# reached", so the secretariat's list can be seen to shrink.
hub_start() {
    db="$work/$1.db"
    cp "$tmpl" "$db"
    rm -f "$work/port"
    "$build/infrashared" --db "$db" --port 0 --port-file "$work/port" \
        --tick-ms 200 --ack-deadlines 4,4,4 \
        --c4tap-address c4tap@c4tap.hub.example >"$work/infrashared.log" 2>&1 &
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
    export INFRASHARE_URL="http://127.0.0.1:$(cat "$work/port")"
    export INFRASHARE_DB="$db"
}
# hub_stop: stops the daemon; a sanitizer report or a bad exit fails the run
hub_stop() {
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    local drc=$?
    pid=
    if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work/infrashared.log"; then
        echo "browser tests: sanitizer report in the daemon's log ($1)"
        rc=1
    fi
    if [ $drc -ne 0 ] && [ $drc -ne 143 ]; then
        echo "browser tests: infrashared exited $drc ($1)"
        tail -20 "$work/infrashared.log"
        rc=1
    fi
    rm -f "$db" "$db-wal" "$db-shm"
}

mkdir -p "$here/output"
export INFRASHARE_BUILD="$build"
export INFRASHARE_ADMIN_TOKEN="$admin_token"
export INFRASHARE_UI_OUTPUT="$here/output"

cd "$here"
npass=0 nfail=0
for f in "${files[@]}"; do
    hub_start "${f%.test.mjs}"
    node --test --test-concurrency=1 --test-reporter=tap "$f" >"$work/tap.log" 2>&1
    frc=$?
    cat "$work/tap.log"
    [ $frc = 0 ] || rc=1
    p=$(grep -E '^# pass [0-9]+' "$work/tap.log" | tail -1 | awk '{print $3}')
    n=$(grep -E '^# fail [0-9]+' "$work/tap.log" | tail -1 | awk '{print $3}')
    npass=$((npass + ${p:-0})); nfail=$((nfail + ${n:-1}))
    if [ $frc != 0 ]; then
        # each failed test with its error block, gathered for the end
        { echo "--- $f"
          awk '/^ *not ok /{p=1} p{print} p && /^ *\.\.\.$/{p=0}' "$work/tap.log"
          echo "--- the daemon's last log lines"
          tail -15 "$work/infrashared.log"; } >>"$work/failures.txt"
    fi
    hub_stop "$f"
done
if [ -s "$work/failures.txt" ]; then
    echo "=== browser failures"
    cat "$work/failures.txt"
fi
echo "# pass $npass"
echo "# fail $nfail"

if [ $perf = 1 ] && [ $rc = 0 ]; then
    hub_start perf
    node perf.mjs || rc=1
    hub_stop perf.mjs
fi
exit $rc
