#!/usr/bin/env bash
# Runs the infrashare hub: installs what is missing, builds, initialises
# var/infrashare.db (national registry + demo data) on the first run, and
# starts infrashared on http://127.0.0.1:8080 (PORT=... to change).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
if [ ! -f build/build.ninja ]; then
    meson setup build -Dtests=false --buildtype=release >/dev/null
fi
ninja -C build >/dev/null

port="${PORT:-8080}"
db="${INFRASHARE_DB:-var/infrashare.db}"
mkdir -p "$(dirname "$db")"
if [ ! -f "$db" ]; then
    echo "First run: initialising $db with the national registry and the DEMO data set"
    build/infrashare --db "$db" init --demo
else
    echo "Using the existing $db (the first admin's password was shown when it"
    echo "was created; reset it with: build/infrashare --db $db user passwd admin)"
fi
echo
echo "infrashare hub: http://127.0.0.1:${port}/   (Ctrl-C stops it)"
echo "  API docs: http://127.0.0.1:${port}/api/v1/openapi.json"
echo "  demo users (password infrashare-demo): nisc-analyst, meti-desk,"
echo "  ceptoar-banking-secretariat, op-banking-0001, auditor;"
echo "  C4TAP: c4tap-secretariat (the Council's), jpcert-desk (observer)"
echo
exec build/infrashared --db "$db" --port "$port"
