#!/usr/bin/env bash
# bench/cli_batch.sh - provisioning N operators (`org add`) as N
# `infrashare` processes against one `infrashare batch` of N lines, on
# SQLite and on a throwaway PostgreSQL 15 (bench/README.md "Set-up
# calls"). Each round makes two fresh non-demo hubs per engine (one for
# each way), times the two ways one after the other and checks that both
# hubs end with the N operators. `org add` hashes nothing: a `user add`
# line costs the password's Argon2id hash on top (about 0.2 s on the
# release build), whichever way it runs.
#
#   bench/cli_batch.sh            # N=100, 3 rounds
#   BENCH_N=300 BENCH_ROUNDS=5 bench/cli_batch.sh
#   BENCH_ENGINES=sqlite bench/cli_batch.sh   # without PostgreSQL
. "$(dirname "$0")/common.sh"

N=${BENCH_N:-100}
ROUNDS=${BENCH_ROUNDS:-3}
ENGINES=${BENCH_ENGINES:-"sqlite postgresql"}

bench_build
bench_tmpdir TMP
OUT=$(bench_outdir cli_batch)
{ bench_buildinfo; bench_machine; } >"$OUT/machine.txt"
for i in $(seq 1 "$N"); do
    echo "org add bench-op-$i --scope gas --name-ja 試験事業者$i --name-en Bench$i --ceptoar ceptoar-gas"
done >"$TMP/lines.txt"

PG=""
case " $ENGINES " in *" postgresql "*) bench_pg_start PG bench ;; esac

# fresh_db ENGINE NAME: a new initialised database; its --db value printed
fresh_db() {
    local db
    if [ "$1" = sqlite ]; then
        db="$TMP/$2.db"
    else
        db="${PG%/*}/$2"
        psql -X -q -d "$PG" -c "CREATE DATABASE $2" >/dev/null ||
            die "CREATE DATABASE $2"
    fi
    printf '%s\n' "bench-admin-password-0001" >"$TMP/admin.pw"
    "$IS_CLI" --db "$db" init --data "$ROOT/data" \
        --admin-password-file "$TMP/admin.pw" >/dev/null 2>&1 ||
        die "init of $db failed"
    printf '%s\n' "$db"
}

operators_of() { # DB: the bench operators it holds
    "$IS_CLI" --db "$1" org list --kind operator --limit 100000 | grep -c '^bench-op-'
}

now() { date +%s.%N; }

printf 'engine round N processes_s batch_s ratio\n' | tee "$OUT/summary.txt"
for engine in $ENGINES; do
    for r in $(seq 1 "$ROUNDS"); do
        a=$(fresh_db "$engine" "procs_$r")
        b=$(fresh_db "$engine" "batch_$r")
        t0=$(now)
        while read -r line; do
            # shellcheck disable=SC2086 # the line's words, as a shell splits them
            "$IS_CLI" --db "$a" $line >/dev/null || die "org add failed"
        done <"$TMP/lines.txt"
        t1=$(now)
        "$IS_CLI" --db "$b" batch <"$TMP/lines.txt" >/dev/null || die "batch failed"
        t2=$(now)
        [ "$(operators_of "$a")" = "$N" ] && [ "$(operators_of "$b")" = "$N" ] ||
            die "a hub does not hold the $N operators"
        awk -v e="$engine" -v r="$r" -v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" \
            'BEGIN { printf "%s %d %d %.3f %.3f %.1f\n", e, r, n, t1 - t0, t2 - t1, (t1 - t0) / (t2 - t1) }' |
            tee -a "$OUT/summary.txt"
    done
done
log "results in $OUT"
