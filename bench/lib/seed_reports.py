#!/usr/bin/python3
"""seed_reports.py - fill a demo hub database with N filed reports, fast.

  seed_reports.py HUB_DB [N] [--seed S] [--now EPOCH]

For bench/report_listing.sh only: run it on a fresh demo hub (infrashare
init --demo), never on a hub in use, and with no daemon running. It writes
straight into the database in ONE transaction (a few seconds for 100,000):

* N rows in `reports`, seq ascending with created_at, spread evenly over the
  last 3 years (the newest 1 hour old). Every NOT NULL column has a valid
  value, as report_file (src/service/reporting.c) would write it:
  - originator: the demo operators in turn (random order); filed_by its
    user; scope_id, sector_id, ministry_id from orgs/scopes/sectors;
    community ",<its CEPTOARs>," from memberships.
  - route: direct 55 %, via_ceptoar 25 %, anonymous 10 %, via_agency 10 %.
    chain ",<ministry>,nisc," / ",<ceptoar>,<ministry>,nisc," /
    ",<agency>,nisc,"; reached = chain and current_hop = '' (every report
    has reached NISC); routing_ceptoar / agency_id set for those routes.
  - range: red 4 %, amber 30 %, yellow 6 %, green 50 %, white 10 %.
  - kind: incident 50 %, precursor 25 %, vulnerability 10 %, info 15 %;
    severity 0..5 (40/25/18/11/5/1 %) with the engine's rule id of that
    level (meta 'severity_rules'); exceeded for levels >= 3; a declared
    severity on 3 %.
  - deadlines from the deadlines table; state: reports under 30 days old
    are open (85 % of those older than the full-report deadline have a full
    report); older ones are closed, except 3 % left open (overdue).
  - body: the current view as JSON: title (which carries the report's TLP
    label, e.g. "[TLP:GREEN] ...", so that q=TLP:GREEN selects the Green
    ones), what_happened, detected_at, occurred_at, ci_service (from the
    catalogue, when the scope has one), cause, threat_type, domains, impact.
* one `report_updates` row per report: kind 'original', the same body.

No timeline, audit, reminder or attachment rows are written. Prints counts
by range, route, state and the number of overdue reports, as key=value.
"""
import json
import random
import sqlite3
import sys
import time

RANGES = [(0, 4), (1, 30), (2, 6), (3, 50), (4, 10)]     # red..white, %
ROUTES = [(0, 55), (1, 25), (2, 10), (3, 10)]            # direct..agency
KINDS = [("incident", 50), ("precursor", 25), ("vulnerability", 10),
         ("info", 15)]
LEVELS = [(0, 40), (1, 25), (2, 18), (3, 11), (4, 5), (5, 1)]
TLP = ["TLP:RED", "TLP:AMBER+STRICT", "TLP:AMBER", "TLP:GREEN", "TLP:CLEAR"]
CAUSES = ["cyberattack", "unintentional", "disaster", "other", "unknown"]
THREATS = ["ddos", "malware", "ransomware", "unauthorised_access",
           "targeted_email", "defacement", "data_leak", "insider", "other",
           "none"]
SUBJECTS = [
    ("不審メールの受信", "suspicious e-mail received"),
    ("DDoS攻撃によるサービス遅延", "service slowdown from a DDoS attack"),
    ("ランサムウェア感染の疑い", "suspected ransomware infection"),
    ("ウェブサイト改ざん", "website defacement"),
    ("システム障害（設定誤り）", "system failure (misconfiguration)"),
    ("不正ログインの試行", "attempted unauthorised log-ins"),
    ("脆弱性情報の共有", "vulnerability information"),
    ("外部委託先での情報漏えい", "data leak at a contractor"),
    ("停電による制御系の停止", "control system stop after a power cut"),
    ("マルウェア検知", "malware detected"),
]
YEAR = 365 * 86400


def pick(rng, table):
    x = rng.random() * sum(w for _, w in table)
    for v, w in table:
        x -= w
        if x < 0:
            return v
    return table[-1][0]


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    path = argv[1]
    n = 100000
    seed = 20261122
    now = int(time.time())
    rest = argv[2:]
    while rest:
        a = rest.pop(0)
        if a == "--seed":
            seed = int(rest.pop(0))
        elif a == "--now":
            now = int(rest.pop(0))
        else:
            n = int(a)
    if not 1 <= n <= 10000000:
        print("seed_reports: N must be 1..10,000,000", file=sys.stderr)
        return 2
    rng = random.Random(seed)
    t0 = time.monotonic()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=ON")
    if db.execute("SELECT count(*) FROM reports").fetchone()[0]:
        print("seed_reports: the database has reports already; use a fresh "
              "demo hub", file=sys.stderr)
        return 1

    # the registry as report_file sees it
    ops = db.execute(
        "SELECT o.id, o.scope_id, sc.sector_id, se.ministry_id, "
        " (SELECT min(u.id) FROM users u WHERE u.org_id = o.id) "
        "FROM orgs o JOIN scopes sc ON sc.id = o.scope_id "
        "JOIN sectors se ON se.id = sc.sector_id "
        "WHERE o.kind = 'operator' AND o.demo = 1 ORDER BY o.id").fetchall()
    ops = [o for o in ops if o[4] is not None]
    ceps = {}
    for org, grp in db.execute(
            "SELECT m.org_id, m.group_id FROM memberships m "
            "JOIN orgs g ON g.id = m.group_id AND g.kind = 'ceptoar' "
            "ORDER BY m.org_id, m.group_id"):
        ceps.setdefault(org, []).append(grp)
    agencies = [r[0] for r in db.execute(
        "SELECT id FROM orgs WHERE kind = 'agency' ORDER BY id")]
    nisc = db.execute("SELECT id FROM orgs WHERE kind = 'nisc' ORDER BY id "
                      "LIMIT 1").fetchone()[0]
    rules = json.loads(db.execute(
        "SELECT value FROM meta WHERE key = 'severity_rules'").fetchone()[0])
    rule_of = {}
    for r in rules["rules"]:
        rule_of.setdefault(int(r["level"]), r["id"])
    dl = {s: (f, u, d) for s, f, u, d in db.execute(
        "SELECT sector_id, first_notice_h, full_report_h, final_d "
        "FROM deadlines")}
    services = {}
    for cid, scopes in db.execute(
            "SELECT id, scopes FROM catalogue WHERE kind = 'ci_service' "
            "ORDER BY id"):
        for s in scopes.strip(",").split(","):
            services.setdefault(s, []).append(cid)
    if not ops or not agencies or not rule_of:
        print("seed_reports: not a demo hub (no operators, agencies or "
              "severity rules)", file=sys.stderr)
        return 1

    order = list(range(len(ops)))
    rng.shuffle(order)
    start = now - 3 * YEAR
    span = 3 * YEAR - 3600
    counts = {}
    ids = set()
    rep_rows = []
    upd_rows = []
    overdue = 0
    for i in range(n):
        oid, scope, sector, ministry, user = ops[order[i % len(ops)]]
        my_ceps = ceps.get(oid, [])
        route = pick(rng, ROUTES)
        if route in (1, 2) and not my_ceps:
            route = 0
        rng_ = pick(rng, RANGES)
        kind = pick(rng, KINDS)
        level = pick(rng, LEVELS)
        if level not in rule_of:
            level = min(rule_of)
        created = start + (span * i) // max(n - 1, 1)
        detected = created - rng.randint(0, 12 * 3600)
        occurred = detected - rng.randint(0, 6 * 3600)
        routing, agency = "", ""
        if route in (1, 2):
            routing = my_ceps[0]
            chain = f",{routing},{ministry},{nisc},"
        elif route == 3:
            agency = rng.choice(agencies)
            chain = f",{agency},{nisc},"
        else:
            chain = f",{ministry},{nisc},"
        community = "," + "".join(c + "," for c in my_ceps)
        fh, uh, fd = dl.get(sector, dl.get("*", (24, 72, 30)))
        first_due = detected + fh * 3600
        full_due = detected + uh * 3600
        final_due = detected + fd * 86400
        age = now - created
        full_at = closed_at = None
        if age < 30 * 86400:
            state = "open"
            if full_due < now and rng.random() < 0.85:
                full_at = min(full_due - rng.randint(0, uh * 1800), now)
        elif rng.random() < 0.03:
            state = "open"                       # forgotten: overdue
            if rng.random() < 0.5:
                full_at = full_due - rng.randint(0, uh * 1800)
        else:
            state = "closed"
            full_at = full_due - rng.randint(0, uh * 1800)
            closed_at = final_due - rng.randint(0, fd * 43200)
        if state == "open" and ((full_at is None and full_due < now)
                                or final_due < now):
            overdue += 1
        updated = max(t for t in (created, full_at, closed_at) if t)
        subj_ja, subj_en = SUBJECTS[rng.randrange(len(SUBJECTS))]
        body = {
            "title": f"[{TLP[rng_]}] {subj_ja} / {subj_en} #{i + 1:06d}",
            "what_happened": (f"{subj_en.capitalize()} observed at "
                              f"{oid}; scope {scope}. Investigation "
                              "ongoing; no further details in this "
                              "benchmark record."),
            "occurred_at": rfc3339(occurred),
            "detected_at": rfc3339(detected),
            "cause": rng.choice(CAUSES),
            "threat_type": rng.choice(THREATS),
            "domains": ["it"] if rng.random() < 0.8 else ["it", "ot"],
            "impact": {"users_affected": rng.randint(0, 50000),
                       "duration_min": rng.randint(0, 600),
                       "service_degraded": level >= 2},
        }
        if services.get(scope):
            body["ci_service"] = rng.choice(services[scope])
        declared = None
        if rng.random() < 0.03:
            declared = min(level + 1, 5)
            body["declared_severity"] = declared
            body["declared_reason"] = "reporter's own assessment"
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        rid = "R%016x" % rng.getrandbits(64)
        while rid in ids:
            rid = "R%016x" % rng.getrandbits(64)
        ids.add(rid)
        rep_rows.append((
            rid, oid, user, scope, sector, ministry, routing, agency, route,
            rng_, kind, state, level, rule_of[level], int(level >= 3),
            declared, chain, chain, community, "", created + 60, detected,
            created, updated, first_due, full_due, final_due, full_at,
            closed_at, text))
        upd_rows.append((rid, created, user, "original", rng_, text))
        for key in (f"range_{rng_}", f"route_{route}", f"state_{state}"):
            counts[key] = counts.get(key, 0) + 1

    # the title column (migration 0033) is filled as the hub fills it,
    # from the body in the same statement
    cols = {r[1] for r in db.execute("PRAGMA table_info(reports)")}
    title_col = ", title" if "title" in cols else ""
    title_val = ", json_extract(?30, '$.title')" if "title" in cols else ""
    db.execute("BEGIN IMMEDIATE")
    db.executemany(
        "INSERT INTO reports(id, originator, filed_by, scope_id, sector_id, "
        "ministry_id, routing_ceptoar, agency_id, route, range, kind, state, "
        "severity, severity_rule, exceeded, declared, chain, reached, "
        "community, current_hop, hop_arrived_at, detected_at, created_at, "
        "updated_at, first_due, full_due, final_due, full_at, closed_at, "
        "body" + title_col + ") VALUES (" +
        ", ".join(f"?{i}" for i in range(1, 31)) + title_val + ")",
        rep_rows)
    db.executemany(
        "INSERT INTO report_updates(report_id, at, user_id, kind, range, "
        "body) VALUES (?,?,?,?,?,?)", upd_rows)
    db.execute("COMMIT")
    fk = db.execute("PRAGMA foreign_key_check(reports)").fetchall()
    fk += db.execute("PRAGMA foreign_key_check(report_updates)").fetchall()
    got = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    out = {"reports": got, "updates": len(upd_rows), "overdue": overdue,
           "operators": len(ops), "fk_violations": len(fk),
           "seconds": round(time.monotonic() - t0, 2)}
    out.update(sorted(counts.items()))
    print(" ".join(f"{k}={v}" for k, v in out.items()))
    return 0 if got == n and not fk else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
