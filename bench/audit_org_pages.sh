#!/usr/bin/env bash
# shellcheck disable=SC2034  # BANK and NISC are read as ${!who}
# bench/audit_org_pages.sh - the audit log's pages as an organisation's
# auditor sees them (numbered 1, 2, ... among its own entries: docs/rules.md
# "Who sees what") and as NISC's auditor sees the whole log, on a demo hub
# whose chain holds N extra entries, one in 20 of them the CEPTOAR
# secretariat's (bench/README.md "An organisation's audit pages"). The
# extra rows are written straight into the database (not hash-chained:
# the pages do not verify the chain). Per page, the median of R requests
# with curl, one at a time, and what each answered.
#
#   bench/audit_org_pages.sh                 # N=300000, R=15
#   BENCH_N=1000000 BENCH_R=31 bench/audit_org_pages.sh
. "$(dirname "$0")/common.sh"

N=${BENCH_N:-300000}
R=${BENCH_R:-15}

bench_build
bench_tmpdir TMP
OUT=$(bench_outdir audit_org_pages)
{ bench_buildinfo; bench_machine; } >"$OUT/machine.txt"
bench_make_hub "$TMP"
$PY - "$TMP/hub.db" "$N" <<'PYEOF'
import random, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
n = int(sys.argv[2])
orgs = [r[0] for r in con.execute(
    "SELECT id FROM orgs WHERE kind = 'operator' ORDER BY id LIMIT 200")]
(top,) = con.execute("SELECT coalesce(max(seq), 0) FROM audit").fetchone()
h = bytes(32)
rnd = random.Random(17)
con.executemany(
    "INSERT INTO audit(seq, at, actor_user, actor_org, action, target, "
    "detail, prev_hash, hash, version, commitment) VALUES "
    "(?, ?, NULL, ?, 'report.read', 'x', '{}', ?, ?, 2, NULL)",
    ((top + i, 1796600000 + i,
      "ceptoar-banking" if i % 20 == 0 else rnd.choice(orgs), h, h)
     for i in range(1, n + 1)))
con.commit()
PYEOF
printf '%s\n' "bench-user-password-0001" >"$TMP/user.pw"
"$IS_CLI" --db "$TMP/hub.db" user add bench-bank-auditor --org ceptoar-banking \
    --roles reader,auditor --password-file "$TMP/user.pw" >/dev/null
BANK=$("$IS_CLI" --db "$TMP/hub.db" token create bench-bank-auditor | grep '^ist_' | head -n1)
NISC=$("$IS_CLI" --db "$TMP/hub.db" token create auditor | grep '^ist_' | head -n1)
OWN=$($PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM audit WHERE actor_org = 'ceptoar-banking'\").fetchone()[0])" "$TMP/hub.db")
bench_start_daemon "$TMP" 4 "$OUT/daemon.log"
{
    echo "chain: $((N + 1))+ entries; the secretariat's: $OWN; $R requests per page, one at a time"
    for who in BANK NISC; do
        for q in "before=1000000000&limit=100" "limit=100" "after=$((OWN / 2))&limit=100" "action=login&limit=100"; do
            tok=${!who}
            codes=$(for ((i = 0; i < R; i++)); do
                curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
                    -H "Authorization: Bearer $tok" "http://127.0.0.1:$PORT/api/v1/audit?$q"
            done)
            bad=$(awk '$1 != 200' <<<"$codes" | wc -l)
            med=$(awk '{print $2}' <<<"$codes" | sort -n | awk -v r="$R" 'NR == int((r + 1) / 2)')
            printf '%-5s %-32s median %7.2f ms  (non-200: %s)\n' "$who" "$q" \
                "$(awk -v s="$med" 'BEGIN{print s * 1000}')" "$bad"
        done
    done
} | tee "$OUT/summary.txt"
bench_stop_pid "$DAEMON_PID"
