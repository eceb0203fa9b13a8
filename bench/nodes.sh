#!/usr/bin/env bash
# bench/nodes.sh - filing with 1, 2 and 3 hub nodes on one PostgreSQL 15,
# against pgbench's single-row durable inserts on the same server, in the
# same run (issue 17). The method is in bench/lib/nodes_drive.py's
# docstring; figures in bench/README.md ("Nodes on PostgreSQL").
#
#   bench/nodes.sh
#   env: BENCH_ROUNDS=2 BENCH_DURATION=10 BENCH_CLIENTS=16
#        BENCH_NODE_THREADS=4 (infrashared --threads of each node)
# Raw outputs: bench/out/<stamp>/nodes/
. "$(dirname "$0")/common.sh"

need wrk psql
[ -x /usr/lib/postgresql/15/bin/pgbench ] ||
    die "PostgreSQL 15 missing: run $ROOT/scripts/deps.sh postgres"
bench_build
OUT=$(bench_outdir nodes)
bench_machine >"$OUT/machine-host.txt"
bench_buildinfo >>"$OUT/machine-host.txt"
"$PY" "$BENCH_DIR/lib/nodes_drive.py" "$OUT" "$BUILD" "$ROOT" |
    tee "$OUT/summary.txt"
