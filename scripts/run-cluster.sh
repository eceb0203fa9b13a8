#!/usr/bin/env bash
# Runs the hub as several nodes on PostgreSQL, on this machine (issue 17,
# docs/postgresql.md): a PostgreSQL 15 primary and a streaming standby in
# synchronous replication (every commit is on both before the hub answers),
# and two infrashared nodes on the same database, each reached directly
# (put a load balancer in front in production). Installs what is missing,
# builds, initialises the database (national registry + demo data) on the
# first run, makes a metrics token (CLUSTER_DIR/metrics.token, mode 600,
# given to every node: GET /metrics needs it), prints the URLs, the way to
# read the metrics and the first admin's password. Ctrl-C stops
# the nodes and the servers; the data stays in var/cluster/ (CLUSTER_DIR)
# for the next run (remove that folder to start anew). A server that does
# not start names its log, and so does a node (the script waits until
# each answers /healthz, and stops all with an error when one does not);
# a first run that stopped before it made the standby (the primary's port
# in use, say) is started anew by the next.
#
#   PORT=8081 (the first node; the second is PORT+1)
#   PG_PORT=55432 (the primary; the standby is PG_PORT+1)
#   INFRASHARE_BUILD (a build folder to use instead of building build/)
#
# This is a local layout to try several nodes and a failover by hand;
# production runs each part on its own machine (docs/postgresql.md,
# "Production layout"). The failover drill, while the script runs (it
# prints these commands with its folder; as root, PostgreSQL's commands
# run as the postgres user, as the script runs them, since pg_ctl refuses
# to run as root; as another user, leave out "runuser -u postgres --"):
#   kill the primary (at once, as a crash; or kill -9 the first line of
#   var/cluster/primary/postmaster.pid):
#     runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl \
#         -D var/cluster/primary -m immediate stop
#   promote the standby (the nodes move to it by themselves):
#     runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl \
#         -D var/cluster/standby promote
# The next run keeps the old primary stopped and runs the promoted
# standby alone (no replication), and its banner says so.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh postgres
# INFRASHARE_BUILD: a build folder made elsewhere (the tests), used as it is
build="${INFRASHARE_BUILD:-build}"
if [ -z "${INFRASHARE_BUILD:-}" ]; then
    if [ ! -f build/build.ninja ]; then
        meson setup build -Dtests=false --buildtype=release >/dev/null
    fi
    ninja -C build >/dev/null
fi

port="${PORT:-8081}"
pg_port="${PG_PORT:-55432}"
bin=/usr/lib/postgresql/15/bin
dir="${CLUSTER_DIR:-$PWD/var/cluster}"
# PostgreSQL refuses to run as root: as root, its folders are the postgres
# user's and its commands run as that user (in /var/lib/infrashare-cluster
# when the postgres user cannot reach this checkout)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
    as_pg=(runuser -u postgres --)
    if [ -z "${CLUSTER_DIR:-}" ] && ! runuser -u postgres -- test -x "$PWD"; then
        dir=/var/lib/infrashare-cluster
    fi
    mkdir -p "$dir"
    chown postgres "$dir"
fi
mkdir -p "$dir"
pg() { "${as_pg[@]}" "$@"; }

pids=()
stop() {
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    for d in standby primary; do
        pg "$bin/pg_ctl" -D "$dir/$d" -m fast -w stop >/dev/null 2>&1 || true
    done
}
trap stop EXIT INT TERM

start_server() { # data folder, port
    if ! pg "$bin/pg_ctl" -D "$1" -w -t 60 -l "$1.log" \
        -o "-p $2 -k $dir -c listen_addresses=127.0.0.1" start >/dev/null; then
        echo "PostgreSQL did not start in $1 on port $2: see $1.log" \
            "(another server on that port? PG_PORT chooses another)" >&2
        return 1
    fi
}

if [ -d "$dir/primary" ] && [ ! -d "$dir/standby" ]; then
    # a first run that stopped before it made the standby (the hub is
    # initialised after it): nothing of a hub is there yet, start anew
    echo "An earlier first run did not finish: starting anew in $dir"
    pg "$bin/pg_ctl" -D "$dir/primary" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir/primary"
fi
if [ ! -d "$dir/primary" ]; then
    echo "First run: a PostgreSQL primary in $dir/primary"
    pg "$bin/initdb" -D "$dir/primary" -U postgres --locale=C \
        --encoding=UTF8 -A trust >/dev/null
    start_server "$dir/primary" "$pg_port"
    pg psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE DATABASE hub"
    echo "... and its standby in $dir/standby (pg_basebackup)"
    pg "$bin/pg_basebackup" -D "$dir/standby" -R -X stream -c fast \
        -d "postgresql://postgres@127.0.0.1:$pg_port/postgres?application_name=standby1"
    pg psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres \
        -c "ALTER SYSTEM SET synchronous_standby_names = 'standby1'" \
        -c "SELECT pg_reload_conf()" >/dev/null
elif [ ! -f "$dir/standby/standby.signal" ]; then
    # the standby was promoted (a failover): the old primary missed what
    # was written since and must not come back as a primary
    echo "The standby was promoted: the old primary in $dir/primary is out of"
    echo "date and stays stopped (rebuild it as a standby with pg_rewind or"
    echo "pg_basebackup, or remove $dir to start anew)."
else
    start_server "$dir/primary" "$pg_port" || true
fi
start_server "$dir/standby" "$((pg_port + 1))" || true

# libpq tries the hosts in turn and keeps the one that takes writes
db="postgresql://postgres@127.0.0.1:$pg_port,127.0.0.1:$((pg_port + 1))/hub?target_session_attrs=read-write&connect_timeout=2"
# a hub is there once init has written its severity rules
held=$(pg psql -X -q -t -A -d "$db" \
    -c "SELECT count(*) FROM meta WHERE key = 'severity_rules'" 2>/dev/null || echo 0)
if [ "$held" != "1" ]; then
    echo "Initialising the hub's database with the national registry and the DEMO data set"
    "$build/infrashare" --db "$db" init --demo
else
    echo "Using the hub already in the database (reset the admin's password with:"
    echo "  $build/infrashare --db '$db' user passwd admin)"
fi

# GET /metrics answers only the metrics token (docs/rules.md "Metrics
# access"): one for the nodes, made on the first run, the owner's alone
token_file="$dir/metrics.token"
if [ ! -s "$token_file" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' \
        >"$token_file" && echo >>"$token_file")
fi
chmod 600 "$token_file"

for i in 1 2; do
    rm -f "$dir/node-$i.port"
    "$build/infrashared" --db "$db" --port "$((port + i - 1))" --node-id "node-$i" \
        --port-file "$dir/node-$i.port" --metrics-token-file "$token_file" \
        >>"$dir/node-$i.log" 2>&1 &
    pids+=($!)
done
# each node started: it wrote its port file (it bound its port: not
# another process on it) and answers /healthz; a node that exited or does
# not answer stops the script (the trap stops the rest)
for i in 1 2; do
    node_port=$((port + i - 1))
    deadline=$((SECONDS + 120))
    until [ -s "$dir/node-$i.port" ] &&
        curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$node_port/healthz"; do
        if ! kill -0 "${pids[$((i - 1))]}" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
            echo "node-$i did not start on port $node_port: see $dir/node-$i.log" \
                "(another process on that port? PORT chooses another)" >&2
            tail -n 3 "$dir/node-$i.log" >&2 || true
            exit 1
        fi
        sleep 0.2
    done
done
# what runs, asked of the servers (after a failover the promoted standby
# is the primary, alone): each port's role, and the standby's replication
role() { # port: primary, standby or none
    case "$(pg psql -X -q -t -A -h 127.0.0.1 -p "$1" -U postgres -d postgres \
        -c "SELECT pg_is_in_recovery()" 2>/dev/null || true)" in
    f) echo primary ;;
    t) echo standby ;;
    *) echo none ;;
    esac
}
primary_at="" standby_at=""
for p in "$pg_port" "$((pg_port + 1))"; do
    case "$(role "$p")" in
    primary) primary_at=$p ;;
    standby) standby_at=$p ;;
    esac
done
sync=""
if [ -n "$primary_at" ] && [ -n "$standby_at" ]; then
    deadline=$((SECONDS + 15)) # the standby connects a moment after start
    while :; do
        sync=$(pg psql -X -q -t -A -h 127.0.0.1 -p "$primary_at" -U postgres \
            -d postgres -c "SELECT sync_state FROM pg_stat_replication
                WHERE application_name = 'standby1' AND state = 'streaming'" \
            2>/dev/null || true)
        [ "$sync" = sync ] || [ "$SECONDS" -ge "$deadline" ] && break
        sleep 0.5
    done
fi
database="primary 127.0.0.1:${primary_at:-?}"
if [ -n "$primary_at" ] && [ "$primary_at" != "$pg_port" ]; then
    database+=" (the standby, promoted; nothing runs on the old primary's"
    database+=" 127.0.0.1:$pg_port)"
fi
if [ -z "$standby_at" ]; then
    database+="; no standby: nothing replicates"
elif [ "$sync" = sync ]; then
    database+=", synchronous standby 127.0.0.1:$standby_at (streaming)"
else
    database+=", standby 127.0.0.1:$standby_at NOT streaming: see $dir/standby.log"
fi
pg_ctl_shown="$bin/pg_ctl"
[ ${#as_pg[@]} -eq 0 ] || pg_ctl_shown="${as_pg[*]} $bin/pg_ctl"

echo
echo "infrashare hub, two nodes on one PostgreSQL database (Ctrl-C stops all):"
echo "  node-1: http://127.0.0.1:${port}/   node-2: http://127.0.0.1:$((port + 1))/"
echo "  database: $database"
echo "  logs: $dir/node-1.log, $dir/node-2.log, $dir/primary.log, $dir/standby.log"
echo "  metrics (infrashare_node_info, infrashare_duty_held, ...): the token is in"
echo "  $token_file (mode 600):"
echo "    curl -H \"Authorization: Bearer \$(cat $token_file)\" http://127.0.0.1:${port}/metrics"
if [ "$primary_at" = "$pg_port" ] && [ "$sync" = sync ]; then
    echo "  failover drill: kill the primary, then promote the standby:"
    echo "    $pg_ctl_shown -D $dir/primary -m immediate stop"
    echo "    $pg_ctl_shown -D $dir/standby promote"
fi
echo "  demo users (password infrashare-demo): nisc-analyst, meti-desk,"
echo "  ceptoar-banking-secretariat, op-banking-0001, auditor"
wait "${pids[@]}"
