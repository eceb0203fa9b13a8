# shellcheck shell=bash disable=SC2034,SC2015
# bench/common.sh - shared helpers for the infrashare benchmarks.
#
# Source it from a bench script:   . "$(dirname "$0")/common.sh"
#
# Provides:
#   bench_build                  release build in build-bench/ (meson+ninja)
#   bench_tmpdir VAR             mktemp -d, removed by the cleanup trap
#   bench_make_hub DIR           fresh hub.db with the national registry + demo
#   bench_token DIR              prints an API token for nisc-analyst
#   bench_operator_tokens DIR N NAME  API tokens of op-banking-0001..N
#   bench_start_daemon DIR T LOG [extra args]
#                                starts infrashared --threads T on DIR/hub.db
#                                (or on $BENCH_HUB_DB when set: a PostgreSQL
#                                URI), waits for the port file (deadline);
#                                sets DAEMON_PID/PORT
#   bench_pg_start VAR DBNAME    a throwaway PostgreSQL 15 server with database
#                                DBNAME (bench/lib/pg_server.py); its URI in
#                                VAR; stopped and removed at exit
#   bench_stop_pid PID [SIG]     SIGTERM (default), waits with a deadline,
#                                SIGKILL if needed; prints the exit status
#   bench_wait_idle PID          waits until the process uses no CPU
#   bench_outdir NAME            bench/out/<stamp>/NAME (created)
#
# Everything listens on 127.0.0.1 only. Every wait loop is bounded in
# iterations and in time. The EXIT trap stops what we started (by pid) and
# removes the temporary directories (set BENCH_KEEP=1 to keep them).

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
IS_CLI=$BUILD/infrashare
IS_DAEMON=$BUILD/infrashared
PY=/usr/bin/python3
BENCH_STAMP=${BENCH_STAMP:-$(date -u +%Y%m%dT%H%M%SZ)}
export BENCH_STAMP
# Log level of the daemon under test; "info" (default) logs one JSON line per
# request, as production does.
BENCH_LOG_LEVEL=${BENCH_LOG_LEVEL:-info}

BENCH_PIDS=()
BENCH_TMPDIRS=()
BENCH_PG_DIRS=()

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 ||
            die "$t missing: run $ROOT/scripts/deps.sh bench"
    done
}

# Set BENCH_NO_BUILD=1 to use build-bench/ as it is (run_all.sh builds once
# and sets it, so all benchmarks of one run use the same binaries).
bench_build() {
    if [ "${BENCH_NO_BUILD:-0}" = 1 ]; then
        [ -x "$IS_CLI" ] && [ -x "$IS_DAEMON" ] || die "no binaries in $BUILD"
        return 0
    fi
    need meson ninja
    if [ ! -f "$BUILD/build.ninja" ]; then
        log "configuring $BUILD (release)"
        (cd "$ROOT" && meson setup "$BUILD" -Dtests=false \
            --buildtype=release) >&2
    fi
    log "building $BUILD"
    ninja -C "$BUILD" >&2
    [ -x "$IS_CLI" ] && [ -x "$IS_DAEMON" ] || die "build produced no binaries"
}

# bench_tmpdir VAR: creates a temporary directory and stores its path in VAR.
bench_tmpdir() {
    local d
    d=$(mktemp -d "${TMPDIR:-/tmp}/isbench.XXXXXX")
    BENCH_TMPDIRS+=("$d")
    printf -v "$1" '%s' "$d"
}

bench_outdir() {
    local d="$BENCH_DIR/out/$BENCH_STAMP/$1"
    mkdir -p "$d"
    printf '%s\n' "$d"
}

bench_make_hub() {
    local dir=$1
    mkdir -p "$dir"
    printf '%s\n' "bench-admin-password-0001" >"$dir/admin.pw"
    chmod 600 "$dir/admin.pw"
    "$IS_CLI" --db "$dir/hub.db" init --demo --data "$ROOT/data" \
        --admin-password-file "$dir/admin.pw" >"$dir/init.out" 2>&1 ||
        { cat "$dir/init.out" >&2; die "init failed"; }
}

bench_token() {
    local dir=$1 tok
    tok=$("$IS_CLI" --db "$dir/hub.db" token create nisc-analyst \
        --name "bench-$$-$RANDOM" | grep '^ist_' | head -n1) || true
    [ -n "$tok" ] || die "token create printed no ist_ line"
    printf '%s\n' "$tok"
}

# bench_operator_tokens DIR N NAME: prints API tokens of the demo operators
# op-banking-0001..N of DIR/hub.db, one per line (token name NAME)
bench_operator_tokens() {
    local dir=$1 n=$2 name=$3 i user tok
    for ((i = 1; i <= n; i++)); do
        user=$(printf 'op-banking-%04d' "$i")
        tok=$("$IS_CLI" --db "$dir/hub.db" token create "$user" \
            --name "$name" | grep '^ist_' | head -n1) || true
        [ -n "$tok" ] || die "token create $user printed no ist_ line"
        echo "$tok"
    done
}

# Is PID a live (non-zombie) process?
bench_alive() {
    local st
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) ||
        return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# bench_start_daemon DIR THREADS LOGFILE [extra args...]
# Sets DAEMON_PID and PORT. Port file: DIR/port.<threads>.<n>
bench_start_daemon() {
    local dir=$1 threads=$2 logf=$3
    shift 3
    local pf="$dir/port.$threads.$RANDOM"
    rm -f "$pf"
    "$IS_DAEMON" --db "${BENCH_HUB_DB:-$dir/hub.db}" --listen 127.0.0.1 --port 0 \
        --port-file "$pf" --threads "$threads" \
        --log-level "$BENCH_LOG_LEVEL" "$@" 2>"$logf" &
    DAEMON_PID=$!
    BENCH_PIDS+=("$DAEMON_PID")
    # Poll for the port file: at most 1000 x 10 ms and 15 s of wall time.
    local i deadline=$((SECONDS + 15))
    for ((i = 0; i < 1000; i++)); do
        [ -s "$pf" ] && break
        bench_alive "$DAEMON_PID" || { cat "$logf" >&2; die "daemon exited"; }
        [ "$SECONDS" -lt "$deadline" ] || break
        sleep 0.01
    done
    [ -s "$pf" ] || { cat "$logf" >&2; die "no port file after 15 s"; }
    PORT=$(tr -dc '0-9' <"$pf")
    [ -n "$PORT" ] || die "empty port file"
}

# bench_stop_pid PID [SIGNAL]: sends SIGNAL (default TERM), waits at most
# 10 s, then SIGKILL. Sets STOP_RESULT to "exit=N" or "killed". Must not run
# in a subshell ($(...)): only the parent shell can reap its child.
bench_stop_pid() {
    local pid=$1 sig=${2:-TERM} i rc=0
    STOP_RESULT=""
    if bench_alive "$pid"; then
        kill "-$sig" "$pid" 2>/dev/null || true
        # at most 200 x 50 ms = 10 s
        for ((i = 0; i < 200; i++)); do
            bench_alive "$pid" || break
            sleep 0.05
        done
        if bench_alive "$pid"; then
            log "pid $pid did not stop on SIG$sig within 10 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            STOP_RESULT="killed"
            bench_forget "$pid"
            return 0
        fi
    fi
    wait "$pid" 2>/dev/null || rc=$?
    STOP_RESULT="exit=$rc"
    bench_forget "$pid"
}

# Drops PID from the list the cleanup trap stops (it has been reaped; its
# number may be reused by an unrelated process).
bench_forget() {
    local keep=() p
    for p in "${BENCH_PIDS[@]:-}"; do
        [ -n "$p" ] && [ "$p" != "$1" ] && keep+=("$p")
    done
    BENCH_PIDS=("${keep[@]:-}")
}

# bench_wait_idle PID [quiet_samples] [max_seconds]
# Idle = utime+stime unchanged over `quiet_samples` consecutive 250 ms samples.
bench_wait_idle() {
    local pid=$1 need=${2:-4} maxs=${3:-20} prev="" cur quiet=0 i
    for ((i = 0; i < maxs * 4; i++)); do
        cur=$(sed -e 's/^.*) //' "/proc/$pid/stat" | awk '{print $12+$13}')
        if [ "$cur" = "$prev" ]; then
            quiet=$((quiet + 1))
            [ "$quiet" -ge "$need" ] && return 0
        else
            quiet=0
        fi
        prev=$cur
        sleep 0.25
    done
    log "pid $pid not idle after ${maxs}s (continuing)"
}

bench_cleanup() {
    local rc=$? p d
    set +e
    for p in "${BENCH_PIDS[@]:-}"; do
        [ -n "$p" ] || continue
        bench_alive "$p" && bench_stop_pid "$p" TERM
    done
    for d in "${BENCH_PG_DIRS[@]:-}"; do
        [ -n "$d" ] && "$PY" "$BENCH_DIR/lib/pg_server.py" stop "$d"
    done
    if [ "${BENCH_KEEP:-0}" != 1 ]; then
        for d in "${BENCH_TMPDIRS[@]:-}"; do
            [ -n "$d" ] && [ -d "$d" ] && rm -rf -- "$d"
        done
    elif [ "${#BENCH_TMPDIRS[@]}" -gt 0 ]; then
        log "kept: ${BENCH_TMPDIRS[*]}"
    fi
    return "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bench_pg_start VAR DBNAME: a throwaway PostgreSQL 15 server (initdb in a
# temporary folder, loopback only, settings as shipped) with database
# DBNAME; its URI in VAR. The EXIT trap stops it and removes its folder.
bench_pg_start() {
    local out
    [ -x /usr/lib/postgresql/15/bin/initdb ] ||
        die "PostgreSQL 15 missing: run $ROOT/scripts/deps.sh postgres"
    out=$("$PY" "$BENCH_DIR/lib/pg_server.py" start "$ROOT" "$2") ||
        die "PostgreSQL did not start"
    BENCH_PG_DIRS+=("${out#* }")
    printf -v "$1" '%s' "${out%% *}"
}

# What was measured: commit, whether the tree was dirty, binary checksums.
bench_buildinfo() {
    printf 'commit: %s\n' "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    printf 'dirty files: %s\n' "$(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l)"
    printf 'buildtype: %s\n' "$(grep -o '"name": "buildtype", "value": "[a-z]*"' \
        "$BUILD/meson-info/intro-buildoptions.json" 2>/dev/null |
        sed 's/.*"value": "//; s/"$//')"
    sha256sum "$IS_DAEMON" "$IS_CLI" | sed "s|$ROOT/||"
}

bench_machine() {
    printf 'nproc: %s\n' "$(nproc)"
    printf 'cpu: %s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- |
        sed 's/^ *//')"
    printf 'mem: %s\n' "$(free -h | awk '/^Mem:/{print $2 " total, " $7 " available"}')"
    printf 'kernel: %s\n' "$(uname -r)"
    printf 'wrk: %s\n' "$(wrk -v 2>&1 | head -n1)"
    printf 'nginx: %s\n' "$(nginx -v 2>&1)"
}
