#!/usr/bin/env bash
# Runs every test of infrashare: installs what is missing, builds three
# times (the -Werror test build, the release build the hub runs, and
# AddressSanitizer + UndefinedBehaviorSanitizer),
# checks that no function named in src/common/banned.h is called, that
# the layers include only what they may (scripts/check-layers.sh), that the
# names docs/architecture.md mentions exist (tools/check-doc.py), that no
# string copy is unchecked and that every C file is formatted by
# .clang-format, and runs the unit tests (cmocka), the unit tests under
# valgrind, the
# integration tests (pytest against the real daemon) on PostgreSQL with the
# normal build and on SQLite with the sanitizer build, and
# the browser tests (Debian chromium driven by playwright-core) on the
# normal build, in the background from the build on.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/build-test/results"

scripts/deps.sh test browser || { echo "deps: failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
failures=()

# each stage's heading carries the seconds since the start, so a slow
# stage shows in the log
note() { printf '\n=== [%ds] %s\n' "$SECONDS" "$*"; }

# add_counts NAME PASSED FAILED
add_counts() {
    passed=$((passed + $2))
    failed=$((failed + $3))
    [ "$3" -gt 0 ] && failures+=("$1: $3 failed")
    printf -- '--- %s: %s passed, %s failed\n' "$1" "$2" "$3"
}

# setup_build DIR [meson options...]: the test builds hash passwords at
# Argon2id's minimum cost (-Dtest_kdf=true, meson_options.txt): at the
# interactive cost, hashing was half of the integration suite's time.
setup_build() {
    local dir=$1; shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" -Dtests=true -Dtest_kdf=true "$@" >/dev/null || return 1
    else
        meson setup --reconfigure "$dir" -Dtests=true -Dtest_kdf=true "$@" >/dev/null || return 1
    fi
    ninja -C "$dir" >/dev/null || ninja -C "$dir"
}

# unit_counts TESTLOG CONSOLE: cmocka case counts from a meson test log
unit_counts() {
    local log=$1 console=$2
    local p f
    p=$(grep -hoE '\[  PASSED  \] [0-9]+' "$log" | awk '{s+=$4} END {print s+0}')
    f=$(grep -hoE '\[  FAILED  \] [0-9]+' "$log" | awk '{s+=$4} END {print s+0}')
    # a binary that crashed or leaked under a wrapper counts as a failure
    local bad
    bad=$(grep -cE '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT)' "$console" 2>/dev/null || true)
    echo "$p $((f > bad ? f : bad))"
}

run_unit() { # NAME BUILD [meson test args]
    local name=$1 dir=$2; shift 2
    local console="$out/$name.console"
    meson test -C "$dir" --print-errorlogs "$@" >"$console" 2>&1
    local rc=$?
    read -r p f < <(unit_counts "$dir/meson-logs/testlog.txt" "$console")
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    [ $rc -ne 0 ] && tail -40 "$console"
    add_counts "$name" "$p" "$f"
}

# The integration tests run in INFRASHARE_TEST_WORKERS (default 2) pytest
# processes (pytest-xdist); --dist loadfile gives each worker whole files,
# so a file's module-wide hub is started once and its tests keep their
# order. Every test has its own hub, ports and directories (conftest.py),
# so the workers share nothing. The junit XML is merged by xdist.
# The sanitizer run uses INFRASHARE_TEST_ASAN_WORKERS (default 3): with
# two, a fifth of the 2 CPUs stayed idle while its tests waited for their
# daemons; with three none does. In one pair of runs the stage took 940 s
# instead of 990 s, within the machine's run-to-run spread (the whole
# command: 2,764 s with two, 2,487 s with three, most of that difference
# in the PostgreSQL stage, which this does not change).
workers=${INFRASHARE_TEST_WORKERS:-2}
asan_workers=${INFRASHARE_TEST_ASAN_WORKERS:-3}

run_integration() { # NAME BUILD [WORKERS]
    local name=$1 dir=$2 n=${3:-$workers}
    local xml="$out/$name.xml"
    INFRASHARE_BUILD="$root/$dir" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
        -n "$n" --dist loadfile \
        --junitxml="$xml" tests/integration 2>&1 | tail -25
    # counts, and each failed test's name with its message's first line
    # into $out/NAME.failed (printed again in the summary: the middle of
    # a long log is the part a reader of its ends does not see)
    read -r p f < <(/usr/bin/python3 - "$xml" "$out/$name.failed" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    r = ET.parse(sys.argv[1]).getroot()
except Exception:
    print(0, 1); sys.exit()
s = r if r.tag == "testsuite" else r.find("testsuite")
t, f, e, k = (int(s.get(a, 0)) for a in ("tests", "failures", "errors", "skipped"))
with open(sys.argv[2], "w") as out:
    for c in s.iter("testcase"):
        for bad in list(c.findall("failure")) + list(c.findall("error")):
            msg = (bad.get("message") or "").strip().splitlines()
            out.write("%s::%s: %s\n" % (c.get("classname"), c.get("name"),
                                        (msg[0] if msg else bad.tag)[:300]))
print(t - f - e - k, f + e)
PY
)
    add_counts "$name" "$p" "$f"
}

note "build (gcc, -Wall -Wextra -Werror)"
if ! setup_build build-test; then
    echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi
mkdir -p "$out"
rm -f "$out"/*.failed

# The browser tests run in the background from here on, beside the
# checks, the unit tests and the integration run on PostgreSQL, and their
# results are printed at the end. Alone they keep 1.3 of this machine's
# two cores busy (13.2 min, 1,005 core-seconds, with one chromium per
# test file; 17 min and 1.5 cores with one per actor; /proc/stat,
# 2026-12-06), the PostgreSQL run alone 1.5 (13.6 min): beside each other
# both take longer than alone (the PostgreSQL run 28 min beside the
# browser tests of one chromium per actor, 23-27 min beside those of one
# per file; the whole command 37-42 min), and the two cores stay busy
# (1.95 of them on average, sampled every 10 s; a third pytest worker
# there made it slower, not faster). Run one after the other they would
# take longer still. Beside the sanitizer run instead, the two slowed each
# other down: 1,630 s for the sanitizer run, ~1,500 s for the browser
# tests.
note "browser tests (Debian chromium + playwright-core, real daemon): started in the background"
browser_log="$out/browser.log"
# No screenshots (INFRASHARE_UI_SHOTS=0): no test compares them, and they
# were a tenth of the browser tests' CPU (docs/ui.md).
INFRASHARE_UI_SHOTS=0 INFRASHARE_BUILD="$root/build-test" tests/browser/run.sh >"$browser_log" 2>&1 &
browser_pid=$!

note "release build (-O3 -Werror: the build scripts/run-hub.sh makes)"
# the optimiser sees more (maybe-uninitialized, ...): the hub's own build
# must compile too, not only the test builds
if [ ! -f build-release/build.ninja ]; then
    meson setup build-release -Dtests=false --buildtype=release >/dev/null
fi
if ninja -C build-release >/dev/null 2>&1 || ninja -C build-release; then
    add_counts release-build 1 0
else
    add_counts release-build 0 1
fi

note "banned functions"
# the names come from src/common/banned.h: "#define NAME(...) BANNED(NAME)"
names=$(sed -n 's/^#define \([a-z_0-9]*\)(.*BANNED(\1).*/\1/p' src/common/banned.h | paste -sd'|')
if [ -z "$names" ]; then
    echo "no banned names found in src/common/banned.h"; add_counts banned 0 1
else
    echo "banned: $names"
    banned=$(grep -rnE "\\b($names)\\s*\\(" \
        src tools tests/unit bench fuzz --include='*.c' --include='*.h' | grep -v 'src/common/banned.h' || true)
    if [ -n "$banned" ]; then echo "$banned"; add_counts banned 0 1; else add_counts banned 1 0; fi
fi

note "layering (scripts/check-layers.sh)"
if scripts/check-layers.sh; then add_counts layers 1 0; else add_counts layers 0 1; fi

note "names in docs/architecture.md exist (tools/check-doc.py)"
if /usr/bin/python3 tools/check-doc.py docs/architecture.md; then add_counts doc-names 1 0; else add_counts doc-names 0 1; fi

note "every error code has a Japanese sentence, every CLI message both languages (tools/check-error-ja.py)"
if /usr/bin/python3 tools/check-error-ja.py; then add_counts error-ja 1 0; else add_counts error-ja 0 1; fi

note "PostgreSQL's schema equals SQLite's migrations (tools/pg_schema_check.py, a throwaway PostgreSQL 15)"
if /usr/bin/python3 tools/pg_schema_check.py; then add_counts pg-schema 1 0; else add_counts pg-schema 0 1; fi

note "no unchecked string copies (util_copy / util_xcopy; docs/architecture.md)"
copies=$(perl -0ne 'while (/\bsnprintf\s*\(([^;]*?),\s*"%s"\s*,/g) { print "$ARGV: snprintf(...\"%s\", src)\n" }' \
    $(find src -name '*.c' -o -name '*.h' | sort) || true)
if [ -n "$copies" ]; then echo "$copies"; add_counts copies 0 1; else add_counts copies 1 0; fi

note "formatting (.clang-format)"
# 25 files per clang-format, on every core (one process per file cost
# 20 s alone and 60 s beside the browser tests; batched, 2 s). A file that
# is not formatted is named in the diagnostics: "FILE:LINE:COL: error:".
format_out=$(find src tests/unit bench tools fuzz -name '*.[ch]' -print0 | sort -z \
    | xargs -0 -P "$(nproc)" -n 25 clang-format --dry-run --Werror 2>&1)
format_rc=$?
unformatted=$(printf '%s\n' "$format_out" \
    | sed -n 's/^\([^ :]*\.[ch]\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
if [ -n "$unformatted" ]; then
    echo "not formatted (run: clang-format -i FILE):"; echo "$unformatted"
    add_counts format 0 1
elif [ "$format_rc" -ne 0 ]; then
    echo "clang-format failed:"; printf '%s\n' "$format_out" | head -20
    add_counts format 0 1
else
    add_counts format 1 0
fi

note "unit tests (cmocka)"
run_unit unit build-test

note "unit tests under valgrind"
run_unit unit-valgrind build-test \
    --wrapper "valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$root/tests/unit/valgrind.supp" \
    --timeout-multiplier 10

# The integration suite runs on both engines (issue 17): on PostgreSQL
# with the normal build (each pytest worker starts a throwaway PostgreSQL
# 15 of its own, tests/integration/conftest.py), and on SQLite, the
# default engine, with the sanitizer build below. Both runs are the whole
# suite; running each engine once keeps the command within its time.
# The sanitizer build compiles meanwhile (~80 s alone), in the background,
# at -O1 (with debug information): AddressSanitizer's documentation asks
# for -O1 or higher "to get a reasonable performance", and the run on the
# sanitizer build is CPU bound.
asan_log="$out/asan-build.log"
setup_build build-asan -Db_sanitize=address,undefined -Db_lundef=false \
    -Ddebug=true -Doptimization=1 >"$asan_log" 2>&1 &
asan_pid=$!

note "integration tests on PostgreSQL (real daemon, real PostgreSQL 15, pytest)"
INFRASHARE_TEST_ENGINE=postgresql run_integration integration-pg build-test

note "sanitizer build (ASan + UBSan): its end"
# quarantine_size_mb: freed memory waits in a 32 MB quarantine (ASan's
# default is 256 MB) before it is reused, so a use after free is still
# caught for the last 32 MB freed; with 256 MB every allocation of a
# process touched new pages, and `init --demo` took 5.0 s instead of 2.3 s
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:quarantine_size_mb=32
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if wait "$asan_pid"; then
    run_unit unit-asan build-asan
    # the integration suite on SQLite; a fixture's repeated set-up CLI
    # calls run the normal build once their kind has been checked under
    # the sanitizers (INFRASHARE_SETUP_BUILD, tests/integration/conftest.py)
    INFRASHARE_SETUP_BUILD="$root/build-test" \
        run_integration integration-asan build-asan "$asan_workers"
else
    tail -40 "$asan_log"
    add_counts asan-build 0 1
fi

note "browser tests: results"
wait "$browser_pid"
brc=$?
tail -25 "$browser_log"
# which test failed, and how (the tail above shows only the last file)
sed -n '/^=== browser failures/,/^# pass [0-9]/p' "$browser_log" | head -200
bp=$(grep -E '^# pass [0-9]+' "$browser_log" | tail -1 | awk '{print $3}')
bf=$(grep -E '^# fail [0-9]+' "$browser_log" | tail -1 | awk '{print $3}')
bp=${bp:-0}; bf=${bf:-0}
if [ $brc -ne 0 ] && [ "$bf" -eq 0 ]; then bf=1; fi
add_counts browser "$bp" "$bf"

note "summary"
for f in "${failures[@]+"${failures[@]}"}"; do echo "  $f"; done
for f in "$out"/*.failed; do
    [ -s "$f" ] || continue
    echo "failed in $(basename "$f" .failed):"
    sed 's/^/    /' "$f"
done
sed -n '/^=== browser failures/,/^# pass [0-9]/p' "$browser_log" |
    sed -n "s/^ *not ok [0-9]* - /failed in browser:    /p" | head -20
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
