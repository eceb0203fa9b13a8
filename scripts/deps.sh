#!/usr/bin/env bash
# Install the Debian 12 packages infrashare needs, only those missing.
# Idempotent and quiet when everything is present.
#   scripts/deps.sh          build + run dependencies
#   scripts/deps.sh test     + test peers (pytest, pytest-xdist, requests,
#                              jsonschema, aiosmtpd, valgrind, openssl,
#                              clang-format, dnsmasq and PyNaCl for the
#                              prober's test bed, postfix for the C4TAP
#                              mail intake: installed unconfigured and not
#                              started, the tests run a private instance;
#                              postgresql-15 for the PostgreSQL store's
#                              tests: no system cluster is made, the tests
#                              start their own servers in temporary folders;
#                              python3-psycopg2 lets tests read its tables)
#   scripts/deps.sh bench    + benchmark peers (wrk, nginx, blackbox_exporter)
#   scripts/deps.sh postgres + PostgreSQL 15's server (scripts/run-cluster.sh;
#                              no system cluster is made) and curl (the
#                              script asks each node's /healthz)
#   scripts/deps.sh browser  + browser tests (Debian chromium, Japanese fonts,
#                              Node.js and npm when no node is on PATH)
set -euo pipefail

pkgs=(build-essential pkg-config meson ninja-build
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libcurl4-openssl-dev
      libsodium-dev zlib1g-dev libgmime-3.0-dev libssl-dev libmimalloc-dev
      libpq-dev libpsl-dev sqlite3 ca-certificates)
for extra in "$@"; do
    case "$extra" in
    test)  pkgs+=(libcmocka-dev python3-pytest python3-pytest-xdist
                  python3-requests python3-jsonschema python3-aiosmtpd
                  valgrind openssl clang-format dnsmasq-base python3-nacl
                  postfix postgresql-15 python3-psycopg2) ;;
    bench) pkgs+=(wrk nginx-light prometheus-blackbox-exporter) ;;
    postgres) pkgs+=(postgresql-15 curl) ;;
    browser) pkgs+=(chromium fonts-noto-cjk fonts-noto-color-emoji)
             command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
                 || pkgs+=(nodejs npm) ;;
    *) echo "deps.sh: unknown group '$extra' (use: test, bench, browser, postgres)" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
        || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# postfix: "No configuration" (no main.cf, not started); the C4TAP tests
# run their own instance (tests/integration/mta.py)
if printf '%s\n' "${missing[@]}" | grep -qx postfix; then
    echo "postfix postfix/main_mailer_type select No configuration" \
        | $SUDO debconf-set-selections
fi
# postgresql-15: Debian's postgresql-common would make and start a
# cluster of its own (port 5432); the tests need none
if printf '%s\n' "${missing[@]}" | grep -qx postgresql-15 \
        && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    $SUDO mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" \
        | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
$SUDO apt-get update -qq >/dev/null
# keep a configuration file already there (createcluster.conf above)
$SUDO env DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1 \
    apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >/dev/null
