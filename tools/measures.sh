#!/bin/sh
# Prints the code measures recorded in docs/architecture.md ("Measures").
# Run from the repository root:  tools/measures.sh
set -eu
cd "$(dirname "$0")/.."
echo "== lines per layer (src/LAYER/*.c and *.h)"
for layer in common core store service deliver http cli; do
    printf '%-8s %6s\n' "$layer" "$(cat src/"$layer"/*.[ch] | wc -l)"
done
printf '%-8s %6s\n' main "$(wc -l < src/infrashared.c)"
echo "== functions over 80 lines"
/usr/bin/python3 tools/fn-lengths.py --limit 80 src
echo "== calls from src/http straight into the store (store_*( call sites)"
grep -noE '\bstore_[a-z0-9_]+[[:space:]]*\(' src/http/*.c || true
printf 'call sites: %s, distinct functions: %s\n' \
    "$(grep -oE '\bstore_[a-z0-9_]+[[:space:]]*\(' src/http/*.c | wc -l)" \
    "$(grep -ohE '\bstore_[a-z0-9_]+[[:space:]]*\(' src/http/*.c | sort -u | wc -l)"
