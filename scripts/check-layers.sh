#!/usr/bin/env bash
# Checks the layering of src/: which layer's headers each layer may include.
# Includes are rooted at src/ ("store/store.h"), so the first path component
# of an include names the layer it comes from.
#
#   common/  includes no other layer
#   core/    no store/, http/, service/, deliver/ (pure rules, no I/O)
#   store/   no service/, http/, deliver/
#   service/ no http/
#   deliver/ no service/, http/
#   probe/   no store/, service/, http/, deliver/ (the website prober:
#            network measurement; common/ and core/ only)
#   mail/    no store/, service/, http/, deliver/, probe/ (a suspicious
#            e-mail into indicators with GMime: bytes in, JSON out)
#   and nothing in the library includes cli/ (the command-line client);
#   only service/ (the hub's prober thread) and the probe program's main
#   (src/probe/probe_main.c) include probe/
#
# And http/ calls service/, not store/: the only store functions http/ may
# call are those of the request's connection and of operations counters
# (http_store_calls below); any other store_*( call in src/http/ fails.
#
# Prints each offending FILE:LINE and exits 1; exits 0 when all is well.
# Usage: scripts/check-layers.sh        (from anywhere in the repository)
set -uo pipefail
cd "$(dirname "$0")/.."

declare -A forbidden=(
    [common]="core store service deliver http cli probe mail"
    [core]="store http service deliver cli probe mail"
    [store]="service http deliver cli probe mail"
    [service]="http cli"
    [deliver]="service http cli probe mail"
    [http]="cli probe"
    [probe]="store service http deliver cli mail"
    [mail]="store service http deliver cli probe"
)

allowed=()

bad=0
for layer in "${!forbidden[@]}"; do
    for f in src/"$layer"/*.[ch]; do
        [ -e "$f" ] || continue
        while IFS=: read -r line header; do
            to=${header%%/*}
            [ "$to" = "$header" ] && continue   # not a path under src/
            for no in ${forbidden[$layer]}; do
                [ "$to" = "$no" ] || continue
                ok=0
                for a in "${allowed[@]}"; do
                    [ "$a" = "$f:$header" ] && ok=1
                done
                if [ $ok -eq 0 ]; then
                    echo "$f:$line: $layer/ may not include $no/ (\"$header\")"
                    bad=1
                fi
            done
        done < <(awk 'match($0, /^[ \t]*#[ \t]*include[ \t]*"[^"]*"/) {
                          h = $0; sub(/^[^"]*"/, "", h); sub(/".*/, "", h)
                          print FNR ":" h }' "$f")
    done
done
# http/ -> store/: the connection a request holds (and, to run a read
# again, whether it was lost and the request wrote nothing), health,
# readiness and metrics
http_store_calls="store_acquire store_put store_conn_lost store_thread_writes store_ping store_schema_version store_writable store_node_in_use store_error_count store_write_commit_count store_unavailable store_writes_stalled"
while IFS=: read -r f line call; do
    name=${call%%(*}
    name=${name%%[[:space:]]*}
    case " $http_store_calls " in
    *" $name "*) ;;
    *) echo "$f:$line: http/ calls the store directly ($name); go through a service/ function"
       bad=1 ;;
    esac
done < <(grep -noE '\bstore_[a-z0-9_]+[[:space:]]*\(' src/http/*.c)
exit $bad
