/* Every SQL statement of the store, by name (X-macro, see store_internal.h).
 * No include guard on purpose. Numbers that are rules of core/ are spelled
 * from core's constants (RANGE_V_*, SQL_AUTO_FORWARD_SEVERITY), never
 * retyped. */
/* An organisation's handling-rule agreement state (core/agreement.h enum
 * agreement_state: 0 none, 1 active, 2 withdrawn) from its agreements. */
#ifndef AGREEMENT_STATE_SQL
#define AGREEMENT_STATE_SQL(org)                                               \
    "(SELECT CASE WHEN count(*) = 0 THEN 0 "                                   \
    "WHEN sum(ag.withdrawn_at IS NULL) > 0 THEN 1 ELSE 2 END "                 \
    "FROM agreements ag WHERE ag.org_id = " org ")"
#endif
#ifndef SQL_CHANNEL_OK
/* contact k's channel takes part in advisory ?1: no advisory_channel row,
 * or k's channel is its one channel (core/drill.h drill_channel_matches) */
#define SQL_CHANNEL_OK(k)                                                      \
    "NOT EXISTS (SELECT 1 FROM advisory_channel ac WHERE ac.advisory_id = "    \
    "?1 AND NOT (" k ".channel = ac.channel OR (ac.channel = 'gateway' AND " k \
    ".channel IN ('phone', 'sms'))))"
#endif
#ifndef SQL_AUTO_FORWARD_SEVERITY
#define SQL_AUTO_FORWARD_SEVERITY RANGE_SQL(ROUTE_AUTO_FORWARD_SEVERITY)
#endif
/* transactions run on every request: prepared once per connection
 * rather than parsed each time (store_read_begin, store_group.c) */
ST(READ_BEGIN, "BEGIN DEFERRED")
ST(READ_COMMIT, "COMMIT")
ST(JOB_SAVEPOINT, "SAVEPOINT store_job")
ST(JOB_RELEASE, "RELEASE store_job")
ST(JOB_ROLLBACK_TO, "ROLLBACK TO store_job")
ST(META_HAS, "SELECT count(*) FROM meta WHERE key = ?1")
ST(META_GET, "SELECT value FROM meta WHERE key = ?1")
ST(META_SET, "INSERT INTO meta(key, value) VALUES (?1, ?2) "
             "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
ST(SECTOR_INSERT, "INSERT INTO sectors(id, name_ja, name_en, ministry_id, ord)"
                  " VALUES (?1, ?2, ?3, ?4, ?5)")
ST(SCOPE_INSERT, "INSERT INTO scopes(id, sector_id, name_ja, name_en, related)"
                 " VALUES (?1, ?2, ?3, ?4, ?5)")
ST(ORG_INSERT, "INSERT INTO orgs(id, kind, name_ja, name_en, short_en, "
               "scope_id, observer, demo, attrs, created_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
ST(MEMBERSHIP_INSERT, "INSERT INTO memberships(org_id, group_id) "
                      "VALUES (?1, ?2)")
ST(ORG_REL,
   "SELECT o.id, o.kind, COALESCE(o.scope_id, ''), "
   "COALESCE(sc.sector_id, ''), COALESCE(se.ministry_id, "
   "''), " AGREEMENT_STATE_SQL(
       "o.id") " FROM orgs o "
               "LEFT JOIN scopes sc ON sc.id = o.scope_id "
               "LEFT JOIN sectors se ON se.id = sc.sector_id WHERE o.id = ?1")
ST(ORG_GROUPS, "SELECT m.group_id, g.kind FROM memberships m "
               "JOIN orgs g ON g.id = m.group_id WHERE m.org_id = ?1 "
               "ORDER BY m.group_id")
ST(SECTORS_ALL,
   "SELECT se.id, se.name_ja, se.name_en, se.ministry_id, "
   "m.name_ja, m.name_en FROM sectors se "
   "LEFT JOIN orgs m ON m.id = se.ministry_id ORDER BY se.ord, se.id")
ST(SCOPES_ALL, "SELECT sc.id, sc.sector_id, sc.name_ja, sc.name_en, "
               "sc.related, c.id, c.name_ja, c.name_en, c.attrs FROM scopes sc "
               "LEFT JOIN orgs c ON c.scope_id = sc.id AND c.kind = 'ceptoar' "
               "ORDER BY sc.rowid")
ST(ORG_GET, "SELECT o.id, o.kind, o.name_ja, o.name_en, o.short_en, "
            "o.scope_id, o.observer, o.demo, o.attrs, sc.sector_id "
            "FROM orgs o LEFT JOIN scopes sc ON sc.id = o.scope_id "
            "WHERE o.id = ?1")
ST(ORG_COUNTS, "SELECT kind, COUNT(*) FROM orgs GROUP BY kind ORDER BY kind")
ST(CONTACT_INSERT, "INSERT INTO contacts(org_id, channel, address, priority, "
                   "emergency, secret, lang, created_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
ST(CONTACTS_ORG, "SELECT id, channel, address, priority, emergency, lang "
                 "FROM contacts WHERE org_id = ?1 ORDER BY priority, id")
ST(USER_INSERT, "INSERT INTO users(org_id, username, display_name, pw_hash, "
                "roles, lang, disabled, demo, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
ST(USER_BY_NAME, "SELECT id, org_id, username, display_name, pw_hash, roles, "
                 "lang, disabled, demo FROM users WHERE username = ?1")
ST(USER_BY_ID, "SELECT id, org_id, username, display_name, pw_hash, roles, "
               "lang, disabled, demo FROM users WHERE id = ?1")
ST(USER_SET_DISABLED, "UPDATE users SET disabled = ?2 WHERE id = ?1")
ST(USER_SET_PASSWORD, "UPDATE users SET pw_hash = ?2 WHERE id = ?1")
ST(USER_SET_LANG, "UPDATE users SET lang = ?2 WHERE id = ?1")
ST(USERS_ORG, "SELECT id, org_id, username, display_name, roles, lang, "
              "disabled, demo FROM users "
              "WHERE (?1 IS NULL OR org_id = ?1) AND (?2 OR demo = 0) "
              "ORDER BY id")
ST(SESSION_INSERT, "INSERT INTO sessions(hash, user_id, csrf, created_at, "
                   "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")
ST(SESSION_GET, "SELECT user_id, csrf FROM sessions "
                "WHERE hash = ?1 AND expires_at > ?2")
ST(SESSION_DELETE, "DELETE FROM sessions WHERE hash = ?1")
ST(SESSIONS_DELETE_USER, "DELETE FROM sessions WHERE user_id = ?1")
ST(SESSIONS_PURGE, "DELETE FROM sessions WHERE expires_at <= ?1")
/* ?7 the token it was made with (NULL: a session's or the CLI's) */
ST(TOKEN_INSERT, "INSERT INTO tokens(id, user_id, name, hash, created_at, "
                 "expires_at, parent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
/* when token ?1 expires (0: never), if it is still valid at ?2 */
ST(TOKEN_EXPIRY, "SELECT coalesce(expires_at, 0) FROM tokens WHERE id = ?1 "
                 "AND revoked_at IS NULL "
                 "AND (expires_at IS NULL OR expires_at > ?2)")
ST(TOKEN_GET, "SELECT user_id, hash FROM tokens WHERE id = ?1 "
              "AND revoked_at IS NULL "
              "AND (expires_at IS NULL OR expires_at > ?2)")
ST(TOKEN_OWNER, "SELECT user_id, revoked_at IS NOT NULL FROM tokens "
                "WHERE id = ?1")
/* token ?1 and every token made with it, and with those, ... */
ST(TOKEN_REVOKE, "WITH RECURSIVE d(id) AS (SELECT CAST(?1 AS TEXT) UNION "
                 "SELECT t.id FROM tokens t JOIN d ON t.parent = d.id) "
                 "UPDATE tokens SET revoked_at = ?2 "
                 "WHERE id IN (SELECT id FROM d) AND revoked_at IS NULL")
ST(TOKENS_USER, "SELECT id, name, created_at, expires_at, revoked_at "
                "FROM tokens WHERE user_id = ?1 ORDER BY created_at, id")
/* where the next audit entry goes, in one statement: the recorded head,
 * whether version-1 entries exist, the last row's seq and hash */
ST(AUDIT_HEAD, "SELECT (SELECT value FROM meta WHERE key = 'audit_head'), "
               "(SELECT count(*) FROM meta WHERE key = 'audit_v1_entries'), "
               "(SELECT seq FROM audit ORDER BY seq DESC LIMIT 1), "
               "(SELECT hash FROM audit ORDER BY seq DESC LIMIT 1)")
ST(AUDIT_INSERT, "INSERT INTO audit(seq, at, actor_user, actor_org, action, "
                 "target, detail, prev_hash, hash, version, commitment) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 2, ?10)")
ST(AUDIT_WITHHELD_INSERT, "INSERT INTO audit_withheld(seq, salt, "
                          "actor_user, actor_org) VALUES (?1, ?2, ?3, ?4)")
/* the read-audit journal (store_audit.c; its own SQLite file, never on
 * PostgreSQL) */
ST(JOURNAL_ID, "SELECT v FROM journal_meta WHERE k = 'id'")
ST(JOURNAL_INSERT, "INSERT INTO audit_journal(at, actor_user, actor_org, "
                   "action, target, detail, withhold) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
ST(JOURNAL_PAGE, "SELECT id, at, actor_user, actor_org, action, target, "
                 "detail, withhold FROM audit_journal ORDER BY id LIMIT ?1")
ST(JOURNAL_DELETE, "DELETE FROM audit_journal WHERE id <= ?1")
ST(AUDIT_ALL, "SELECT a.seq, a.at, a.actor_user, a.actor_org, a.action, "
              "a.target, a.detail, a.prev_hash, a.hash, a.version, "
              "a.commitment, w.salt, w.actor_user, w.actor_org "
              "FROM audit a LEFT JOIN audit_withheld w ON w.seq = a.seq "
              "ORDER BY a.seq")
#ifndef AUDIT_PAGE_SQL
/* the columns of a page after its first (the seq shown): at, the actor,
 * action, target, detail, the chain values, the withheld actor, the names */
#define AUDIT_PAGE_COLS                                                        \
    "a.at, a.actor_user, a.actor_org, a.action, a.target, "                    \
    "a.detail, a.hash, a.version, a.commitment, a.prev_hash, w.actor_user, "   \
    "w.actor_org, (SELECT username FROM users WHERE id = a.actor_user), "      \
    "(SELECT username FROM users WHERE id = w.actor_user), (SELECT name_ja "   \
    "FROM orgs WHERE id = a.actor_org), (SELECT name_en FROM orgs WHERE id = " \
    "a.actor_org), (SELECT name_ja FROM orgs WHERE id = w.actor_org), "        \
    "(SELECT name_en FROM orgs WHERE id = w.actor_org) "
/* an organisation's view (?3): its own entries (found by the actor_org
 * indexes; a withheld entry's actor is in audit_withheld only, so the two
 * never share a seq) numbered 1, 2, ... in the chain's order, the number
 * shown as their seq and bounded by ?1 and ?2, so that the numbers say
 * nothing of the entries of others between them (docs/rules.md "Who sees
 * what"). Each page numbers all of the organisation's entries (a filtered
 * page; an unfiltered one reads its span, ST_AUDIT_ORG_SPAN): its cost
 * grows with them (bench/README.md "An organisation's audit pages") */
/* the seqs (g) of organisation p's entries, withheld ones included */
#define AUDIT_ORG_SEQS(p)                                                      \
    "SELECT seq AS g FROM audit WHERE actor_org = " p " UNION ALL SELECT "     \
    "seq FROM audit_withheld WHERE actor_org = " p
/* clang-format off */
#define AUDIT_ORG_PAGE_SQL(order)                                              \
    "WITH mine AS (SELECT g, row_number() OVER (ORDER BY g) AS pos FROM ("    \
    AUDIT_ORG_SEQS("?3")                                                       \
    ") o) SELECT m.pos, " AUDIT_PAGE_COLS                                      \
    "FROM mine m JOIN audit a ON a.seq = m.g LEFT JOIN audit_withheld w ON "   \
    "w.seq = a.seq WHERE m.pos > ?1 AND m.pos < ?2 " AUDIT_FILTER_SQL          \
    " ORDER BY m.pos " order " LIMIT ?4"
/* clang-format on */
/* the whole log (?3 NULL), by the chain's seq */
#define AUDIT_PAGE_SQL(order)                                                  \
    "SELECT a.seq, " AUDIT_PAGE_COLS                                           \
    "FROM audit a LEFT JOIN audit_withheld w ON w.seq = a.seq "                \
    "WHERE a.seq > ?1 AND a.seq < ?2 AND CAST(?3 AS TEXT) IS "                 \
    "NULL " AUDIT_FILTER_SQL " ORDER BY a.seq " order " LIMIT ?4"
/* the filters of GET /api/v1/audit (NULL = any): actor organisation ?5
 * and user ?6 as the reader sees the actor (the whole log: the entry's
 * own columns, a withheld actor matching nothing; an organisation's view:
 * its own withheld actors too), action ?7; at >= ?8 and at < ?9 */
#define AUDIT_FILTER_SQL                                                       \
    "AND (?5 IS NULL OR (CASE WHEN ?3 IS NULL THEN a.actor_org ELSE "          \
    "coalesce(w.actor_org, a.actor_org) END) = ?5) AND (?6 IS NULL OR (CASE "  \
    "WHEN ?3 IS NULL THEN a.actor_user ELSE coalesce(w.actor_user, "           \
    "a.actor_user) END) = ?6) AND (?7 IS NULL OR a.action = ?7) AND a.at >= "  \
    "?8 "                                                                      \
    "AND a.at < ?9"
#endif
ST(AUDIT_PAGE, AUDIT_PAGE_SQL("ASC"))
ST(AUDIT_PAGE_DESC, AUDIT_PAGE_SQL("DESC"))
ST(AUDIT_ORG_PAGE, AUDIT_ORG_PAGE_SQL("ASC"))
ST(AUDIT_ORG_PAGE_DESC, AUDIT_ORG_PAGE_SQL("DESC"))
/* an organisation's (?1) unfiltered view: how many entries it has, and
 * ?3 of them from its ?2-th on (0-based), numbered ?2 + 1, ?2 + 2, ...:
 * on SQLite the merged index scans skip to the span, only its rows are
 * read whole (PostgreSQL's actor_org indexes are not in seq order: it
 * sorts the organisation's entries first) */
ST(AUDIT_ORG_COUNT, "SELECT (SELECT count(*) FROM audit WHERE actor_org = "
                    "?1) + (SELECT count(*) FROM audit_withheld WHERE "
                    "actor_org = ?1)")
/* clang-format off */
ST(AUDIT_ORG_SPAN,
   "SELECT ?2 + row_number() OVER (ORDER BY m.g), " AUDIT_PAGE_COLS
   "FROM (" AUDIT_ORG_SEQS("?1")
   " ORDER BY 1 LIMIT ?3 OFFSET ?2) m JOIN audit a ON a.seq = m.g LEFT JOIN "
   "audit_withheld w ON w.seq = a.seq ORDER BY m.g")
/* clang-format on */
ST(ORGS_LIST, "SELECT o.id, o.kind, o.name_ja, o.name_en, o.short_en, "
              "o.scope_id, o.observer, o.demo, o.attrs, sc.sector_id "
              "FROM orgs o LEFT JOIN scopes sc ON sc.id = o.scope_id "
              "LEFT JOIN sectors se ON se.id = sc.sector_id "
              "WHERE (?1 IS NULL OR o.kind = ?1) "
              "AND (?2 IS NULL OR o.scope_id = ?2) "
              "AND (?3 IS NULL OR EXISTS (SELECT 1 FROM memberships m "
              "     WHERE m.org_id = o.id AND m.group_id = ?3)) "
              "AND o.id > ?4 "
              "AND (o.kind NOT IN ('operator', 'external') OR ?5 = 0 "
              "     OR o.id = ?6 "
              "     OR (?5 = 1 AND se.ministry_id = ?6) "
              "     OR (?5 = 2 AND EXISTS (SELECT 1 FROM memberships m2 "
              "         WHERE m2.org_id = o.id AND m2.group_id = ?6))) "
              "ORDER BY o.id LIMIT ?7")
ST(ORG_SET_SCOPE, "UPDATE orgs SET scope_id = ?2 WHERE id = ?1")
ST(CATALOGUE_INSERT, "INSERT INTO catalogue(kind, id, scopes, name_ja, "
                     "name_en, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
ST(CATALOGUE_CHECK, "SELECT 1 FROM catalogue WHERE kind = ?1 AND id = ?2 "
                    "AND instr(scopes, ',' || ?3 || ',') > 0")
ST(CATALOGUE_ALL, "SELECT kind, doc FROM catalogue WHERE ?1 IS NULL "
                  "OR instr(scopes, ',' || ?1 || ',') > 0 ORDER BY kind, id")
ST(POLICY_GET, "SELECT policy, review_limit_min FROM hop_policies "
               "WHERE org_id = ?1")
ST(POLICY_SET, "INSERT INTO hop_policies(org_id, policy, review_limit_min, "
               "updated_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(org_id) DO "
               "UPDATE SET policy = excluded.policy, review_limit_min = "
               "excluded.review_limit_min, updated_at = excluded.updated_at")
ST(DEADLINE_SET, "INSERT INTO deadlines(sector_id, first_notice_h, "
                 "full_report_h, final_d) VALUES (?1, ?2, ?3, ?4) "
                 "ON CONFLICT(sector_id) DO UPDATE SET first_notice_h = "
                 "excluded.first_notice_h, full_report_h = "
                 "excluded.full_report_h, final_d = excluded.final_d")
ST(DEADLINE_GET, "SELECT first_notice_h, full_report_h, final_d FROM "
                 "deadlines WHERE sector_id IN (?1, '*') "
                 "ORDER BY sector_id = '*' LIMIT 1")
#define REPORT_COLS                                                            \
    "seq, id, originator, filed_by, scope_id, sector_id, "                     \
    "ministry_id, routing_ceptoar, agency_id, route, range, kind, state, "     \
    "severity, severity_rule, exceeded, declared, chain, reached, "            \
    "community, current_hop, hop_arrived_at, detected_at, created_at, "        \
    "updated_at, first_due, full_due, final_due, full_at, closed_at, body"
ST(REPORT_INSERT, "INSERT INTO reports(id, originator, filed_by, scope_id, "
                  "sector_id, ministry_id, routing_ceptoar, agency_id, route,"
                  " range, kind, state, severity, severity_rule, exceeded, "
                  "declared, chain, reached, community, current_hop, "
                  "hop_arrived_at, detected_at, created_at, updated_at, "
                  "first_due, full_due, final_due, full_at, closed_at, body,"
                  " title) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                  "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
                  "?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, "
                  "json_extract(?31, '$.title'))")
ST(REPORT_GET, "SELECT " REPORT_COLS " FROM reports WHERE id = ?1")
/* the range only narrows here (docs/rules.md): a stale copy never widens */
ST(REPORT_SAVE,
   "UPDATE reports SET range = min(range, ?11), state = ?13, severity = ?14,"
   " severity_rule = ?15, exceeded = ?16, declared = ?17, "
   "reached = ?19, current_hop = ?21, hop_arrived_at = ?22, "
   "updated_at = ?25, full_at = ?29, closed_at = ?30, "
   "body = ?31, title = json_extract(?31, '$.title') WHERE id = ?2")
/* the same columns, qualified, for queries that join */
#define REPORT_COLS_R                                                          \
    "r.seq, r.id, r.originator, r.filed_by, r.scope_id, r.sector_id, "         \
    "r.ministry_id, r.routing_ceptoar, r.agency_id, r.route, r.range, "        \
    "r.kind, r.state, r.severity, r.severity_rule, r.exceeded, "               \
    "r.declared, r.chain, r.reached, r.community, r.current_hop, "             \
    "r.hop_arrived_at, r.detected_at, r.created_at, r.updated_at, "            \
    "r.first_due, r.full_due, r.final_due, r.full_at, r.closed_at, "           \
    "r.body"
/* The filter of a report scan, ?1..?13 (bound by
 * store_report_filter_bind): the list's filters and the pre-filter of
 * core/range.c's rule (range_decide), checked against the rule over every
 * combination by tests/unit/test_store.c
 * (t_reports_prefilter_matches_core). The list, its counts and the
 * dashboard's aggregates (store_dashboard.c) all use this one text. */
#ifndef REPORTS_WHERE_SQL
/* clang-format off */
/* an open report past a deadline at ?8 (core/deadline.c,
 * deadline_report_overdue) */
#define REPORT_OVERDUE_SQL                                                     \
    "(r.state = 'open' AND ((r.full_at IS NULL AND r.full_due < ?8) "          \
    "OR r.final_due < ?8))"
#define REPORTS_WHERE_SQL                                                      \
    "(?1 = 0 OR r.seq < ?1) "                                                  \
    "AND (?2 IS NULL OR r.sector_id = ?2) "                                    \
    "AND (?3 IS NULL OR r.scope_id = ?3) "                                     \
    "AND (?4 IS NULL OR r.kind = ?4) "                                         \
    "AND (?5 IS NULL OR r.state = ?5) "                                        \
    "AND (?6 < 0 OR max(r.severity, coalesce(r.declared, -1)) >= ?6) "         \
    "AND (?13 < 0 OR max(r.severity, coalesce(r.declared, -1)) <= ?13) "       \
    "AND (?7 = 0 OR " REPORT_OVERDUE_SQL ") "                                  \
    "AND (?12 OR r.range = " RANGE_SQL(RANGE_V_WHITE) " "                      \
    "  OR (?9 IS NOT NULL "                                                    \
    "    AND (r.range >= " RANGE_SQL(RANGE_V_GREEN) " "                        \
    "      OR r.originator = ?9 "                                              \
    "      OR instr(r.reached, ',' || ?9 || ',') > 0 "                         \
    "      OR (r.range >= " RANGE_SQL(RANGE_V_YELLOW) " AND ?10) "             \
    "      OR (r.range >= " RANGE_SQL(RANGE_V_AMBER) " "                       \
    "        AND ((r.route <> " RANGE_SQL(ROUTE_V_ANONYMOUS) " "               \
    "            AND (instr(r.community, ',' || ?9 || ',') > 0 "               \
    "              OR csv_overlap(?11, r.community))) "                        \
    "          OR (r.route = " RANGE_SQL(ROUTE_V_ANONYMOUS) " "                \
    "            AND r.routing_ceptoar <> '' "                                 \
    "            AND (r.routing_ceptoar = ?9 "                                 \
    "              OR instr(?11, ',' || r.routing_ceptoar || ',') > 0))))))) "
/* clang-format on */
#endif
ST(REPORTS_SCAN,
   "SELECT " REPORT_COLS_R ", "
   "coalesce(r.title, json_extract(r.body, '$.title')) "
   "FROM reports r WHERE " REPORTS_WHERE_SQL "ORDER BY r.seq DESC LIMIT ?14")
ST(REPORTS_WAITING,
   "SELECT " REPORT_COLS " FROM reports "
   "WHERE current_hop <> '' AND (coalesce((SELECT policy FROM hop_policies "
   "  WHERE org_id = reports.current_hop), 'review') = 'auto' "
   "  OR (severity >= " SQL_AUTO_FORWARD_SEVERITY " AND "
   "  hop_arrived_at + 60 * coalesce((SELECT "
   "  review_limit_min FROM hop_policies WHERE org_id = "
   "  reports.current_hop), ?2) <= ?1)) "
   "ORDER BY hop_arrived_at LIMIT 256")
ST(REPORTS_REMIND,
   "SELECT id FROM reports r WHERE r.state = 'open' AND ("
   "(r.full_at IS NULL AND r.full_due < ?1 AND NOT EXISTS (SELECT 1 FROM "
   " reminders m WHERE m.report_id = r.id AND m.kind = 'full_report')) "
   "OR (r.final_due < ?1 AND NOT EXISTS (SELECT 1 FROM reminders m "
   " WHERE m.report_id = r.id AND m.kind = 'final_report'))) "
   "ORDER BY r.seq LIMIT 256")
ST(UPDATE_INSERT, "INSERT INTO report_updates(report_id, at, user_id, kind, "
                  "range, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
ST(UPDATE_ORDINAL, "SELECT count(*) FROM report_updates WHERE report_id = "
                   "?1 AND id <= ?2")
ST(UPDATES_REPORT, "SELECT id, at, kind, range, body FROM report_updates "
                   "WHERE report_id = ?1 ORDER BY id")
ST(TIMELINE_INSERT, "INSERT INTO report_timeline(report_id, at, org_id, "
                    "user_id, type, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
ST(TIMELINE_REPORT, "SELECT at, org_id, user_id, type, detail FROM "
                    "report_timeline WHERE report_id = ?1 ORDER BY id")
ST(ATTACH_INSERT, "INSERT INTO attachments(report_id, update_id, name, mime,"
                  " size, sha256, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
ST(ATTACH_LIST, "SELECT id, name, mime, size, sha256, update_id FROM "
                "attachments WHERE report_id = ?1 ORDER BY id")
ST(ATTACH_GET, "SELECT name, mime, data FROM attachments "
               "WHERE report_id = ?1 AND id = ?2")
ST(EVENT_INSERT, "INSERT INTO events(id, title_ja, title_en, created_by, "
                 "created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
ST(EVENT_GET, "SELECT id, title_ja, title_en, created_by, created_at FROM "
              "events WHERE id = ?1")
ST(EVENT_LINK, "INSERT INTO event_reports(event_id, report_id, linked_by, "
               "linked_at) VALUES (?1, ?2, ?3, ?4)")
ST(EVENT_REPORTS, "SELECT report_id FROM event_reports WHERE event_id = ?1 "
                  "ORDER BY linked_at, report_id")
ST(EVENTS_ALL, "SELECT id, title_ja, title_en, created_by, created_at FROM "
               "events ORDER BY seq DESC LIMIT ?1")
ST(REMINDER_INSERT, "INSERT INTO reminders(report_id, org_id, kind, due_at, "
                    "created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                    "ON CONFLICT(report_id, kind) DO NOTHING")
ST(REMINDERS_REPORT, "SELECT kind, due_at, created_at, sent_at FROM "
                     "reminders WHERE report_id = ?1 ORDER BY id")
ST(NAMES_SCOPE, "SELECT name_ja, name_en FROM scopes WHERE id = ?1")
ST(NAMES_ORG, "SELECT name_ja, name_en FROM orgs WHERE id = ?1")
ST(REGISTRY_VERSION, "SELECT version FROM registry_version WHERE id = 1")
ST(NAMES_SECTOR, "SELECT name_ja, name_en FROM sectors WHERE id = ?1")
ST(NISC_ID, "SELECT id FROM orgs WHERE kind = 'nisc' ORDER BY id LIMIT 1")
/* the operators of scope ?2 among the members of CEPTOAR ?1 (the crowd
 * an anonymous report's label hides its reporter in) */
ST(CEPTOAR_SCOPE_CROWD,
   "SELECT count(*) FROM memberships m JOIN orgs o ON o.id = m.org_id "
   "WHERE m.group_id = ?1 AND o.kind = 'operator' AND o.scope_id = ?2")
#define ADV_COLS                                                               \
    "seq, id, author, author_user, kind, range, severity, "                    \
    "title_ja, title_en, body_ja, body_en, title_in_notice, audience, "        \
    "refs, hotline, drill, ack_deadline_s, created_at"
ST(ADV_INSERT, "INSERT INTO advisories(id, author, author_user, kind, range,"
               " severity, title_ja, title_en, body_ja, body_en, "
               "title_in_notice, audience, refs, hotline, drill, "
               "ack_deadline_s, created_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7, "
               "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)")
ST(ADV_GET, "SELECT " ADV_COLS " FROM advisories WHERE id = ?1")
/* a range only narrows (docs/rules.md): never widened by a stale write */
ST(ADV_SET_RANGE, "UPDATE advisories SET range_at = CASE WHEN ?2 < range THEN "
                  "?3 ELSE range_at END, range = min(range, ?2) WHERE id = ?1")
ST(ADV_RANGE_AT, "SELECT range_at FROM advisories WHERE id = ?1")
ST(ADV_SCAN, "SELECT " ADV_COLS " FROM advisories WHERE (?1 = 0 OR seq < ?1)"
             " ORDER BY seq DESC")
ST(HOP_INSERT, "INSERT OR IGNORE INTO advisory_hops(advisory_id, org_id, "
               "step, parent, state, arrived_at, relayed_at, how) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
ST(HOP_GET, "SELECT step, parent, state, arrived_at, relayed_at, how "
            "FROM advisory_hops WHERE advisory_id = ?1 AND org_id = ?2")
ST(HOP_RELAY, "UPDATE advisory_hops SET state = 'relayed', relayed_at = ?3, "
              "how = ?4, note_ja = ?5, note_en = ?6 WHERE advisory_id = ?1 "
              "AND org_id = ?2 AND state IN ('pending', 'waiting')")
ST(HOP_ARRIVE, "UPDATE advisory_hops SET state = 'waiting', arrived_at = ?3 "
               "WHERE advisory_id = ?1 AND org_id = ?2 AND state = 'pending'")
ST(HOP_CHILDREN, "SELECT org_id FROM advisory_hops WHERE advisory_id = ?1 "
                 "AND parent = ?2 AND state = 'pending' ORDER BY org_id")
ST(HOPS_ADV, "SELECT org_id, note_ja, note_en, step, parent, state, "
             "arrived_at, relayed_at, how FROM advisory_hops WHERE "
             "advisory_id = ?1 ORDER BY step, org_id")
ST(HOPS_DUE,
   "SELECT h.advisory_id, h.org_id FROM advisory_hops h "
   "JOIN advisories a ON a.id = h.advisory_id WHERE h.state = 'waiting' "
   "AND (a.hotline OR coalesce((SELECT policy FROM hop_policies p WHERE "
   "p.org_id = h.org_id), 'review') = 'auto' OR h.arrived_at + 60 * "
   "coalesce((SELECT review_limit_min FROM hop_policies p WHERE p.org_id "
   "= h.org_id), ?2) <= ?1) ORDER BY h.arrived_at LIMIT 512")
ST(HOPS_MINISTRIES,
   "SELECT DISTINCT se.ministry_id FROM advisory_recipients"
   " r JOIN orgs o ON o.id = r.org_id JOIN scopes sc ON sc.id = o.scope_id "
   "JOIN sectors se ON se.id = sc.sector_id WHERE r.advisory_id = ?1 "
   "ORDER BY 1")
ST(HOPS_CEPTOARS,
   "SELECT DISTINCT m.group_id, coalesce(se.ministry_id, '') "
   "FROM advisory_recipients r JOIN memberships m ON m.org_id = r.org_id "
   "JOIN orgs g ON g.id = m.group_id AND g.kind = 'ceptoar' "
   "LEFT JOIN scopes sc ON sc.id = g.scope_id "
   "LEFT JOIN sectors se ON se.id = sc.sector_id "
   "WHERE r.advisory_id = ?1 ORDER BY 1")
ST(RCPT_ALL, "INSERT OR IGNORE INTO advisory_recipients(advisory_id, org_id)"
             " SELECT ?1, id FROM orgs WHERE kind = 'operator'")
ST(RCPT_SECTOR, "INSERT OR IGNORE INTO advisory_recipients(advisory_id, "
                "org_id) SELECT ?1, o.id FROM orgs o JOIN scopes sc ON sc.id = "
                "o.scope_id WHERE o.kind = 'operator' AND sc.sector_id = ?2")
ST(RCPT_SCOPE, "INSERT OR IGNORE INTO advisory_recipients(advisory_id, "
               "org_id) SELECT ?1, id FROM orgs WHERE kind = 'operator' AND "
               "scope_id = ?2")
ST(RCPT_CEPTOAR,
   "INSERT OR IGNORE INTO advisory_recipients(advisory_id, "
   "org_id) SELECT ?1, m.org_id FROM memberships m JOIN orgs o ON o.id = "
   "m.org_id AND o.kind = 'operator' WHERE m.group_id = ?2")
ST(RCPT_ORG,
   "INSERT INTO advisory_recipients(advisory_id, org_id, named) "
   "VALUES (?1, ?2, 1) ON CONFLICT(advisory_id, org_id) DO UPDATE SET "
   "named = 1")
ST(RCPT_VIA,
   "UPDATE advisory_recipients SET via = coalesce((SELECT "
   "m.group_id FROM memberships m JOIN advisory_hops h ON h.advisory_id = "
   "?1 AND h.org_id = m.group_id WHERE m.org_id = "
   "advisory_recipients.org_id ORDER BY m.group_id LIMIT 1), '') "
   "WHERE advisory_id = ?1")
ST(RCPT_COUNT, "SELECT count(*) FROM advisory_recipients WHERE "
               "advisory_id = ?1")
ST(RCPT_RELEASE, "UPDATE advisory_recipients SET released_at = ?3 WHERE "
                 "advisory_id = ?1 AND via = ?2 AND released_at IS NULL")
ST(DLV_QUEUE_FIRST,
   "INSERT OR IGNORE INTO deliveries(advisory_id, org_id, "
   "contact_id, channel, address, reason, state, next_at, idem_key, "
   "created_at) SELECT r.advisory_id, r.org_id, k.id, k.channel, "
   "k.address, CASE WHEN ?4 THEN 'hotline' ELSE 'first' END, 'queued', ?3, "
   "r.advisory_id || '.' || r.org_id || '.' || k.id, ?3 "
   "FROM advisory_recipients r JOIN contacts k ON k.org_id = r.org_id "
   "WHERE r.advisory_id = ?1 AND r.via = ?2 AND r.released_at = ?3 "
   "AND (?4 OR k.id = (SELECT k2.id FROM contacts k2 WHERE k2.org_id = "
   "r.org_id AND " SQL_CHANNEL_OK("k2") " ORDER BY k2.priority, k2.id "
                                        "LIMIT 1)) AND " SQL_CHANNEL_OK("k"))
ST(DLV_QUEUE_EMERGENCY,
   "INSERT OR IGNORE INTO deliveries(advisory_id, "
   "org_id, contact_id, channel, address, reason, state, next_at, idem_key,"
   " created_at) SELECT ?1, k.org_id, k.id, k.channel, k.address, "
   "'emergency', 'queued', ?3, ?1 || '.' || k.org_id || '.' || k.id, ?3 "
   "FROM contacts k WHERE k.org_id = ?2 AND k.emergency = 1")
ST(DLV_QUEUE_NEXT,
   "INSERT OR IGNORE INTO deliveries(advisory_id, org_id, "
   "contact_id, channel, address, reason, state, next_at, idem_key, "
   "created_at) SELECT ?1, k.org_id, k.id, k.channel, k.address, ?4, "
   "'queued', ?3, ?1 || '.' || k.org_id || '.' || k.id, ?3 FROM contacts k "
   "WHERE k.org_id = ?2 AND " SQL_CHANNEL_OK(
       "k") " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE "
            "d.advisory_id = ?1 AND d.org_id = ?2 AND d.contact_id = k.id) "
            "ORDER BY k.priority, k.id LIMIT CASE WHEN ?5 THEN -1 ELSE 1 END")
/* the first ?3 due jobs by (next_at, id): each part walks deliveries_due
 * (state, next_at, id) in order and stops at ?3 rows, so a claim does not
 * read (and sort) every queued row of a large fan-out */
ST(DLV_CLAIM,
   "UPDATE deliveries SET state = 'sending', lease_until = ?2, "
   "attempts = attempts + 1, claimed_by = ?4 WHERE id IN (SELECT id FROM "
   "(SELECT id, next_at "
   "FROM (SELECT id, next_at FROM deliveries WHERE state = 'queued' AND "
   "next_at <= ?1 ORDER BY next_at, id LIMIT ?3) UNION ALL SELECT id, "
   "next_at FROM (SELECT id, next_at FROM deliveries WHERE state = "
   "'sending' AND lease_until <= ?1 ORDER BY next_at, id LIMIT ?3) "
   "ORDER BY next_at, id LIMIT ?3)) RETURNING id, "
   "advisory_id, org_id, contact_id, channel, address, attempts, "
   "idem_key, 0, reason, lease_until")
ST(DLV_DONE, "UPDATE deliveries SET state = 'delivered', delivered_at = ?2,"
             " last_error = '' WHERE id = ?1 AND state = 'sending' AND "
             "lease_until = ?3")
/* the first delivery to an organisation sets its time and channel; the
 * next ones (every contact on the hotline) leave the row unwritten */
ST(DLV_RCPT_DELIVERED,
   "UPDATE advisory_recipients SET delivered_at = "
   "coalesce(delivered_at, ?3), channel = CASE WHEN channel = '' THEN ?4 "
   "ELSE channel END WHERE advisory_id = ?1 AND org_id = ?2 AND "
   "(delivered_at IS NULL OR channel = '')")
ST(DLV_RETRY, "UPDATE deliveries SET state = 'queued', next_at = ?2, "
              "last_error = ?3 WHERE id = ?1 AND state = 'sending' AND "
              "lease_until = ?4")
ST(DLV_FAILED, "UPDATE deliveries SET state = 'failed', last_error = ?2 "
               "WHERE id = ?1 AND state = 'sending' AND lease_until = ?3")
ST(DLV_CANCEL_ORG, "UPDATE deliveries SET state = 'cancelled' WHERE "
                   "advisory_id = ?1 AND org_id = ?2 AND state = 'queued'")
ST(DLV_PENDING_ORG, "SELECT count(*) FROM deliveries WHERE advisory_id = ?1 "
                    "AND org_id = ?2 AND state IN ('queued', 'sending')")
ST(DLV_COUNTS,
   "SELECT sum(state = 'queued'), sum(state = 'sending'), "
   "sum(state = 'delivered'), sum(state = 'failed'), "
   "sum(state = 'cancelled') FROM deliveries WHERE advisory_id = ?1")
ST(RCPT_ACK,
   "UPDATE advisory_recipients SET acked_at = ?3, acked_by = ?4, "
   "ack_via = ?5 WHERE advisory_id = ?1 AND org_id = ?2 AND acked_at IS NULL"
   " AND released_at IS NOT NULL")
ST(RCPT_GET, "SELECT via, named, released_at, delivered_at, channel, "
             "acked_at, ack_via, escalated_at FROM advisory_recipients WHERE "
             "advisory_id = ?1 AND org_id = ?2")
ST(RCPT_SCAN,
   "SELECT r.org_id, coalesce(sc.sector_id, ''), o.name_ja, o.name_en, "
   "coalesce(d.open, 0), coalesce(d.sending, 0), r.via, r.named, "
   "r.released_at, r.delivered_at, r.channel, r.acked_at, r.ack_via, "
   "r.escalated_at "
   "FROM advisory_recipients r JOIN orgs o ON o.id = r.org_id "
   "LEFT JOIN scopes sc ON sc.id = o.scope_id "
   "LEFT JOIN (SELECT org_id, sum(state IN ('queued', 'sending')) AS open, "
   "sum(state = 'sending') AS sending FROM deliveries WHERE advisory_id = ?1 "
   "GROUP BY org_id) d ON d.org_id = r.org_id "
   "WHERE r.advisory_id = ?1 ORDER BY r.org_id")
ST(RCPT_DUE_ESCALATION,
   "SELECT r.advisory_id, r.org_id FROM "
   "advisory_recipients r JOIN advisories a ON a.id = r.advisory_id WHERE "
   "r.acked_at IS NULL AND r.escalated_at IS NULL AND r.released_at IS NOT "
   "NULL AND r.released_at + a.ack_deadline_s <= ?1 LIMIT 2048")
ST(RCPT_ESCALATED,
   "UPDATE advisory_recipients SET escalated_at = ?3 WHERE "
   "advisory_id = ?1 AND org_id = ?2 AND escalated_at IS NULL AND "
   "acked_at IS NULL")
ST(ACK_LINK_INSERT, "INSERT OR IGNORE INTO ack_links(hash, advisory_id, "
                    "org_id, expires_at) VALUES (?1, ?2, ?3, ?4)")
ST(ACK_LINK_GET, "SELECT advisory_id, org_id, expires_at, used_at FROM "
                 "ack_links WHERE hash = ?1")
ST(ACK_LINK_USE, "UPDATE ack_links SET used_at = ?2 WHERE hash = ?1 AND "
                 "used_at IS NULL")
ST(DRILL_INSERT, "INSERT INTO drills(id, advisory_id, target_kind, target, "
                 "created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
ST(DRILL_GET, "SELECT id, advisory_id, target_kind, target, created_by, "
              "created_at, seq FROM drills WHERE id = ?1")
ST(DRILL_PREV, "SELECT id, advisory_id FROM drills WHERE target_kind = ?1 "
               "AND target = ?2 AND seq < ?3 ORDER BY seq DESC LIMIT 1")
ST(CONTACT_GET, "SELECT channel, address, secret, lang FROM contacts WHERE "
                "id = ?1")
/* the shared log-in limits (store_limit; migration 0034) */
ST(LIMIT_GET, "SELECT window_start, failures FROM login_limits WHERE "
              "kind = ?1 AND key = ?2")
ST(LIMIT_PUT, "INSERT INTO login_limits(kind, key, window_start, failures) "
              "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(kind, key) DO UPDATE SET "
              "window_start = excluded.window_start, failures = "
              "excluded.failures")
ST(LIMIT_DEL, "DELETE FROM login_limits WHERE kind = ?1 AND key = ?2")
ST(LIMIT_PURGE, "DELETE FROM login_limits WHERE window_start <= ?1")
/* a duty's lease (store_duty_hold; migration 0034) */
ST(DUTY_HOLD,
   "INSERT INTO node_duties(duty, node, lease_until) VALUES (?1, ?2, ?3 + "
   "?4) ON CONFLICT(duty) DO UPDATE SET node = excluded.node, lease_until "
   "= excluded.lease_until WHERE node_duties.node = excluded.node OR "
   "node_duties.lease_until <= ?3")
ST(DUTY_GET, "SELECT node, lease_until FROM node_duties WHERE duty = ?1")
ST(DLV_RESET, "UPDATE deliveries SET state = 'queued', lease_until = 0 "
              "WHERE state = 'sending' AND claimed_by = ?1")
ST(REMINDER_CLAIM,
   "UPDATE reminders SET lease_until = ?2, attempts = "
   "attempts + 1 WHERE id IN (SELECT id FROM reminders WHERE sent_at IS "
   "NULL AND next_at <= ?1 AND next_at >= 0 AND lease_until <= ?1 "
   "ORDER BY id LIMIT ?3) RETURNING id, report_id, org_id, kind, attempts")
ST(REMINDER_SENT, "UPDATE reminders SET sent_at = ?2, channel = ?3, "
                  "last_error = '' WHERE id = ?1")
ST(REMINDER_RETRY, "UPDATE reminders SET next_at = ?2, last_error = ?3, "
                   "lease_until = 0 WHERE id = ?1")
ST(CONTACT_FIRST, "SELECT id FROM contacts WHERE org_id = ?1 "
                  "ORDER BY priority, id LIMIT 1")
/* ---- handling-rule agreements (store_agreements.c) ---- */
ST(RULES_CURRENT,
   "SELECT version, title_ja, title_en, effective_at "
   "FROM handling_rules ORDER BY effective_at DESC, version DESC "
   "LIMIT 1")
/* ?5 the id (store_insert_fresh_id) */
ST(AGREEMENT_INSERT, "INSERT INTO agreements(id, org_id, rules_version, "
                     "signed_by, signed_at) VALUES (?5, ?1, ?2, ?3, ?4) "
                     "ON CONFLICT(id) DO NOTHING")
ST(AGREEMENT_MAX_ID, "SELECT coalesce(max(id), 0) FROM agreements WHERE "
                     "org_id = ?1")
ST(AGREEMENT_WITHDRAW, "UPDATE agreements SET withdrawn_by = ?3, "
                       "withdrawn_at = ?4 WHERE id = ?1 AND org_id = ?2 "
                       "AND withdrawn_at IS NULL")
#ifndef AGREEMENT_COLS
#define AGREEMENT_COLS                                                         \
    "SELECT a.id, a.org_id, a.rules_version, coalesce(a.signed_by, 0), "       \
    "coalesce(su.username, ''), a.signed_at, coalesce(a.withdrawn_by, 0), "    \
    "coalesce(wu.username, ''), coalesce(a.withdrawn_at, 0) FROM agreements "  \
    "a "                                                                       \
    "LEFT JOIN users su ON su.id = a.signed_by "                               \
    "LEFT JOIN users wu ON wu.id = a.withdrawn_by "
#endif
ST(AGREEMENTS_ORG, AGREEMENT_COLS "WHERE a.org_id = ?1 ORDER BY a.id DESC")
ST(AGREEMENT_GET, AGREEMENT_COLS "WHERE a.id = ?1 AND a.org_id = ?2")
ST(AGREEMENT_ACTIVE, AGREEMENT_COLS "WHERE a.org_id = ?1 "
                                    "AND a.withdrawn_at IS NULL")
/* ---- upward alerts (0006; core/alert.h; store/store_alerts.c) ---- */
#ifndef SQL_ALERT_SEVERE
#define SQL_ALERT_SEVERE RANGE_SQL(ALERT_SEVERE)
#define SQL_ALERT_HANDOFF_S RANGE_SQL(STORE_ALERT_HANDOFF_S)
#endif
ST(ALERT_ARRIVE,
   "INSERT INTO report_alerts(report_id, org_id, round, severity, "
   "alerted_at) VALUES (?1, ?2, 1, ?3, ?4) ON CONFLICT(report_id, org_id) "
   "DO NOTHING")
ST(ALERT_RAISE,
   "UPDATE report_alerts SET round = round + 1, severity = ?2, "
   "alerted_at = ?3, opened_at = NULL, opened_by = NULL, opened_via = '', "
   "escalated_at = NULL, reminded_at = NULL WHERE report_id = ?1")
ST(ALERT_HOPS, "SELECT org_id FROM report_alerts WHERE report_id = ?1 "
               "ORDER BY org_id")
ST(ALERT_GET,
   "SELECT round, severity, alerted_at, opened_at, escalated_at, "
   "reminded_at, opened_via FROM report_alerts WHERE report_id = ?1 AND "
   "org_id = ?2")
ST(ALERT_QUEUE,
   "INSERT OR IGNORE INTO alert_deliveries(report_id, org_id, round, "
   "purpose, contact_id, channel, address, reason, state, next_at, "
   "idem_key, created_at, lease_until, claimed_by) SELECT a.report_id, "
   "a.org_id, "
   "a.round, ?3, k.id, "
   "k.channel, k.address, CASE WHEN NOT ?4 THEN 'first' WHEN k.emergency "
   "THEN 'emergency' ELSE 'all' END, 'sending', ?5, 'alert.' || a.report_id "
   "|| '.' || a.org_id || '.' || a.round || '.' || ?3 || '.' || k.id, ?5, "
   "?5 + " SQL_ALERT_HANDOFF_S ", ?6 "
   "FROM report_alerts a JOIN contacts k ON k.org_id = a.org_id "
   "WHERE a.report_id = ?1 AND a.org_id = ?2 AND (?4 OR k.id = (SELECT "
   "k2.id FROM contacts k2 WHERE k2.org_id = a.org_id ORDER BY "
   "k2.priority, k2.id LIMIT 1))")
ST(ALERT_QUEUE_NEXT,
   "INSERT OR IGNORE INTO alert_deliveries(report_id, org_id, round, "
   "purpose, contact_id, channel, address, reason, state, next_at, "
   "idem_key, created_at, lease_until, claimed_by) SELECT ?1, k.org_id, "
   "?3, ?4, k.id, "
   "k.channel, k.address, ?5, 'sending', ?6, 'alert.' || ?1 || '.' || "
   "k.org_id || '.' || ?3 || '.' || ?4 || '.' || k.id, ?6, ?6 "
   "+ " SQL_ALERT_HANDOFF_S ", ?8 FROM contacts k WHERE k.org_id = "
   "?2 AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE "
   "d.report_id = ?1 AND d.org_id = ?2 AND d.round = ?3 AND d.purpose = ?4 "
   "AND d.contact_id = k.id) ORDER BY k.priority, k.id "
   "LIMIT CASE WHEN ?7 THEN -1 ELSE 1 END")
ST(ALD_CLAIM,
   "UPDATE alert_deliveries SET state = 'sending', lease_until = ?2, "
   "attempts = attempts + 1, claimed_by = ?4 WHERE id IN (SELECT id FROM "
   "alert_deliveries "
   "WHERE (state = 'queued' AND next_at <= ?1) OR (state = 'sending' AND "
   "lease_until <= ?1) ORDER BY next_at, id LIMIT ?3) RETURNING id, "
   "report_id, org_id, contact_id, channel, address, attempts, idem_key, "
   "round, purpose, lease_until")
ST(ALD_DONE, "UPDATE alert_deliveries SET state = 'delivered', "
             "delivered_at = ?2, last_error = '' WHERE id = ?1 AND "
             "state = 'sending' AND lease_until = ?3")
ST(ALD_RETRY, "UPDATE alert_deliveries SET state = 'queued', next_at = ?2, "
              "last_error = ?3, attempts = ?4 WHERE id = ?1 AND "
              "state = 'sending' AND lease_until = ?5")
ST(ALD_FAILED, "UPDATE alert_deliveries SET state = 'failed', "
               "last_error = ?2, attempts = max(attempts, 1) WHERE id = ?1 "
               "AND state = 'sending' AND lease_until = ?3")
ST(ALD_FRESH,
   "SELECT id, report_id, org_id, contact_id, channel, address, attempts, "
   "idem_key, round, purpose, lease_until FROM alert_deliveries WHERE "
   "state = 'sending' "
   "AND attempts = 0 AND claimed_by = ?2 ORDER BY id LIMIT ?1")
ST(ALD_CANCEL_REPORT,
   "UPDATE alert_deliveries SET state = 'cancelled' WHERE report_id = ?1 "
   "AND state IN ('queued', 'sending')")
ST(ALD_RESET, "UPDATE alert_deliveries SET state = 'queued', "
              "lease_until = 0 WHERE state = 'sending' AND claimed_by = ?1")
ST(ALD_CANCEL, "UPDATE alert_deliveries SET state = 'cancelled' WHERE "
               "report_id = ?1 AND org_id = ?2 AND state = 'queued'")
ST(ALERT_OPENED, "SELECT 1 FROM report_alerts WHERE report_id = ?1 AND "
                 "org_id = ?2 AND round = ?3 AND opened_at IS NOT NULL")
ST(ALERT_OPEN,
   "UPDATE report_alerts SET opened_at = ?3, opened_by = ?4, opened_via = "
   "?5 WHERE report_id = ?1 AND org_id = ?2 AND opened_at IS NULL AND "
   "(?6 = 0 OR round = ?6)")
ST(ALERTS_DUE_REMIND,
   "SELECT report_id, org_id FROM report_alerts a WHERE severity "
   ">= " SQL_ALERT_SEVERE " AND opened_at IS NULL AND reminded_at IS NULL AND "
   "alerted_at + 60 * coalesce((SELECT review_limit_min FROM hop_policies "
   "p WHERE p.org_id = a.org_id), ?2) <= ?1 ORDER BY alerted_at LIMIT 512")
ST(ALERTS_DUE_ESCALATE,
   "SELECT report_id, org_id FROM report_alerts WHERE severity "
   "< " SQL_ALERT_SEVERE " AND opened_at IS NULL AND escalated_at IS NULL AND "
   "alerted_at + CASE WHEN severity = 3 THEN ?2 ELSE ?3 END <= ?1 "
   "ORDER BY alerted_at LIMIT 512")
ST(ALERT_REMINDED,
   "UPDATE report_alerts SET reminded_at = ?3 WHERE report_id = ?1 AND "
   "org_id = ?2 AND reminded_at IS NULL AND opened_at IS NULL AND "
   "severity >= " SQL_ALERT_SEVERE)
ST(ALERT_ESCALATED,
   "UPDATE report_alerts SET escalated_at = ?3 WHERE report_id = ?1 AND "
   "org_id = ?2 AND escalated_at IS NULL AND opened_at IS NULL AND "
   "severity < " SQL_ALERT_SEVERE)
ST(ALERTS_UNOPENED,
   "SELECT a.report_id, a.org_id, a.round, a.severity, a.alerted_at, "
   "coalesce(a.reminded_at, 0), o.kind, o.name_ja, o.name_en FROM "
   "report_alerts a JOIN orgs o ON o.id = a.org_id JOIN reports r ON "
   "r.id = a.report_id WHERE a.opened_at IS NULL AND a.severity "
   ">= " SQL_ALERT_SEVERE " AND r.state = 'open' ORDER BY a.org_id, "
   "a.alerted_at, a.report_id LIMIT 2000")
ST(ALERT_LINK_INSERT,
   "INSERT OR IGNORE INTO ack_links(hash, advisory_id, org_id, expires_at, "
   "kind, round) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
ST(ALERT_LINK_KIND, "SELECT kind, round FROM ack_links WHERE hash = ?1")
/* ---- distribution lists and withholding (store/store_lists.c) ---- */
#define DLIST_COLS                                                             \
    "l.id, l.owner, l.name_ja, l.name_en, l.created_at, (SELECT count(*) "     \
    "FROM dist_list_members m WHERE m.list_id = l.id)"
ST(DLIST_INSERT, "INSERT INTO dist_lists(id, owner, name_ja, name_en, "
                 "created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
ST(DLIST_GET, "SELECT " DLIST_COLS " FROM dist_lists l WHERE l.id = ?1")
ST(DLISTS_OWNER, "SELECT " DLIST_COLS " FROM dist_lists l WHERE l.owner = ?1 "
                 "ORDER BY l.seq")
ST(DLIST_RENAME, "UPDATE dist_lists SET name_ja = ?2, name_en = ?3 "
                 "WHERE id = ?1")
ST(DLIST_MEMBERS_CLEAR, "DELETE FROM dist_list_members WHERE list_id = ?1")
ST(DLIST_DELETE, "DELETE FROM dist_lists WHERE id = ?1")
ST(DLIST_MEMBER_ADD, "INSERT INTO dist_list_members(list_id, org_id) "
                     "VALUES (?1, ?2)")
ST(DLIST_MEMBERS, "SELECT o.id, o.name_ja, o.name_en, coalesce(o.scope_id, '')"
                  " FROM dist_list_members m JOIN orgs o ON o.id = m.org_id "
                  "WHERE m.list_id = ?1 ORDER BY o.id")
/* the owners of the lists an organisation is on, and whether one more
 * owner (?2) would be new: store_org_rel's relays of an external org */
ST(DLIST_OWNERS_OF, "SELECT DISTINCT l.owner FROM dist_list_members m "
                    "JOIN dist_lists l ON l.id = m.list_id "
                    "WHERE m.org_id = ?1 ORDER BY 1")
/* the lists owned by an organisation the advisory reaches (a recipient
 * or a hop) other than its author: include_lists */
ST(DLISTS_REACHED, "SELECT l.id, l.owner FROM dist_lists l WHERE l.owner IN "
                   "(SELECT org_id FROM advisory_recipients WHERE "
                   "advisory_id = ?1 UNION SELECT org_id FROM advisory_hops "
                   "WHERE advisory_id = ?1) AND l.owner <> (SELECT author "
                   "FROM advisories WHERE id = ?1) ORDER BY l.seq")
ST(DLIST_RCPT_ADD, "INSERT OR IGNORE INTO advisory_recipients(advisory_id, "
                   "org_id, via) SELECT ?1, m.org_id, ?3 FROM "
                   "dist_list_members m WHERE m.list_id = ?2")
ST(HOP_WITHHOLD, "UPDATE advisory_hops SET state = 'withheld' WHERE "
                 "advisory_id = ?1 AND org_id = ?2 AND state = 'waiting'")
ST(HOP_WITHHELD_INSERT, "INSERT INTO advisory_hop_withheld(advisory_id, "
                        "org_id, at, reason) VALUES (?1, ?2, ?3, ?4)")
ST(HOP_WITHHELD, "SELECT at, reason FROM advisory_hop_withheld "
                 "WHERE advisory_id = ?1 AND org_id = ?2")
/* ---- large-scale outage declarations (store/store_declarations.c) ---- */
#ifndef SQL_MODE_HOTLINE_SEVERITY
#define SQL_MODE_HOTLINE_SEVERITY RANGE_SQL(MODE_HOTLINE_SEVERITY)
#endif
/* Reports waiting at a hop that large-scale outage mode moves on: severity
 * >= MODE_HOTLINE_SEVERITY and an active declaration covers the report's
 * sector (mode_covers, mode_report_skips_review; checked against core by
 * test_store.c::t_reports_waiting_outage_matches_core) */
ST(REPORTS_WAITING_OUTAGE,
   "SELECT " REPORT_COLS " FROM reports WHERE current_hop <> '' AND "
   "severity >= " SQL_MODE_HOTLINE_SEVERITY " AND EXISTS (SELECT 1 FROM "
   "declarations d WHERE d.ended_at IS NULL AND (d.national <> 0 OR EXISTS "
   "(SELECT 1 FROM declaration_sectors x WHERE x.declaration_id = d.id AND "
   "x.sector_id = reports.sector_id))) ORDER BY hop_arrived_at LIMIT 256")
#define DECL_COLS                                                              \
    "id, title_ja, title_en, reason, national, event_id, rollcall_id, "        \
    "started_at, started_by, started_org, ended_at, ended_by, ended_org"
ST(DECL_INSERT, "INSERT INTO declarations(id, title_ja, title_en, reason, "
                "national, event_id, started_at, started_by, started_org) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
ST(DECL_SECTOR_INSERT, "INSERT INTO declaration_sectors(declaration_id, "
                       "sector_id) VALUES (?1, ?2)")
ST(DECL_GET, "SELECT " DECL_COLS " FROM declarations WHERE id = ?1")
ST(DECL_LIST, "SELECT " DECL_COLS " FROM declarations WHERE "
              "(?1 = 0 OR ended_at IS NULL) ORDER BY seq DESC LIMIT ?2")
ST(DECL_SECTORS, "SELECT sector_id FROM declaration_sectors WHERE "
                 "declaration_id = ?1 ORDER BY sector_id")
ST(DECL_END, "UPDATE declarations SET ended_at = ?2, ended_by = ?3, "
             "ended_org = ?4 WHERE id = ?1 AND ended_at IS NULL")
ST(DECL_SET_ROLLCALL, "UPDATE declarations SET rollcall_id = ?2 WHERE id = ?1")
ST(EVENT_ADV_LINK, "INSERT INTO event_advisories(event_id, advisory_id, "
                   "linked_by, linked_at) VALUES (?1, ?2, ?3, ?4) "
                   "ON CONFLICT DO NOTHING")
ST(EVENT_ADVISORIES, "SELECT advisory_id FROM event_advisories WHERE "
                     "event_id = ?1 ORDER BY linked_at, advisory_id")
ST(ADV_SECTORS, "SELECT DISTINCT s.sector_id FROM advisory_recipients r "
                "JOIN orgs o ON o.id = r.org_id JOIN scopes s ON "
                "s.id = o.scope_id WHERE r.advisory_id = ?1 "
                "ORDER BY s.sector_id")
ST(ADV_SET_MODE, "UPDATE advisories SET hotline = ?2, ack_deadline_s = ?3 "
                 "WHERE id = ?1")
/* ---- roll calls (store/store_rollcall.c) ---- */
ST(RC_FORM_INSERT, "INSERT INTO rollcall_forms(advisory_id, name, form, "
                   "created_at) VALUES (?1, ?2, ?3, ?4)")
ST(RC_VERSION, "SELECT coalesce((SELECT version FROM rollcall_versions "
               "WHERE advisory_id = ?1), 0)")
ST(RC_FORM_GET, "SELECT name, form FROM rollcall_forms WHERE advisory_id = ?1")
ST(RC_COUNTS_INIT,
   "INSERT INTO rollcall_counts(advisory_id, via, sector, question, value, n) "
   "SELECT ?1, r.via, coalesce(sc.sector_id, ''), '', 'recipients', count(*) "
   "FROM advisory_recipients r JOIN orgs o ON o.id = r.org_id "
   "LEFT JOIN scopes sc ON sc.id = o.scope_id WHERE r.advisory_id = ?1 "
   "GROUP BY r.via, coalesce(sc.sector_id, '')")
ST(RC_COUNT_ADD,
   "INSERT INTO rollcall_counts(advisory_id, via, sector, question, value, n) "
   "SELECT ?1, r.via, coalesce(sc.sector_id, ''), ?3, ?4, ?5 "
   "FROM advisory_recipients r JOIN orgs o ON o.id = r.org_id "
   "LEFT JOIN scopes sc ON sc.id = o.scope_id "
   "WHERE r.advisory_id = ?1 AND r.org_id = ?2 "
   "ON CONFLICT(advisory_id, via, sector, question, value) "
   "DO UPDATE SET n = n + excluded.n")
ST(RC_COUNTS,
   "SELECT via, sector, question, value, n FROM rollcall_counts "
   "WHERE advisory_id = ?1 AND n <> 0 AND (?2 = '' OR via = ?2) AND "
   "(?3 = '' OR sector IN (SELECT id FROM sectors WHERE ministry_id = ?3)) "
   "ORDER BY via, sector, question, value")
ST(RC_ANSWER_GET, "SELECT answers, answered_at, answered_by, how, revision "
                  "FROM rollcall_answers WHERE advisory_id = ?1 AND "
                  "org_id = ?2")
ST(RC_ANSWER_PUT,
   "INSERT INTO rollcall_answers(advisory_id, org_id, answers, answered_at, "
   "answered_by, how) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
   "ON CONFLICT(advisory_id, org_id) DO UPDATE SET answers = excluded.answers,"
   " answered_at = excluded.answered_at, answered_by = excluded.answered_by, "
   "how = excluded.how, revision = revision + 1")
/* The board's rows a viewer sees (?2 via = a secretariat's members, ?3 a
 * ministry's sectors; '' = no filter), from the org after ?4, ?5: 0 every
 * recipient, 1 answered, 2 not answered; at most ?6. */
ST(RC_BOARD_PAGE,
   "SELECT r.org_id, coalesce(sc.sector_id, ''), o.name_ja, o.name_en, "
   "r.via, r.released_at, r.escalated_at, a.answers, a.answered_at, "
   "a.answered_by, a.how, a.revision "
   "FROM advisory_recipients r JOIN orgs o ON o.id = r.org_id "
   "LEFT JOIN scopes sc ON sc.id = o.scope_id "
   "LEFT JOIN sectors se ON se.id = sc.sector_id "
   "LEFT JOIN rollcall_answers a ON a.advisory_id = r.advisory_id AND "
   "a.org_id = r.org_id "
   "WHERE r.advisory_id = ?1 AND (?2 = '' OR r.via = ?2) AND "
   "(?3 = '' OR se.ministry_id = ?3) AND r.org_id > ?4 AND "
   "(?5 = 0 OR (?5 = 1) = (a.org_id IS NOT NULL)) "
   "ORDER BY r.org_id LIMIT ?6")
/* ---- drill kinds, the drill programme, sub-groups (store_drills.c) ---- */
ST(SUBGROUP_INSERT, "INSERT INTO subgroups(id, ceptoar_id, name_ja, name_en, "
                    "ord) VALUES (?1, ?2, ?3, ?4, ?5)")
ST(SUBGROUP_MEMBER_ADD, "INSERT OR IGNORE INTO subgroup_members(subgroup_id, "
                        "org_id) VALUES (?1, ?2)")
ST(SUBGROUPS_LIST, "SELECT s.id, s.ceptoar_id, s.name_ja, s.name_en, "
                   "(SELECT count(*) FROM subgroup_members m WHERE "
                   "m.subgroup_id = s.id) FROM subgroups s WHERE ?1 IS NULL "
                   "OR s.ceptoar_id = ?1 ORDER BY s.ceptoar_id, s.ord, s.id")
ST(SUBGROUP_CEPTOAR, "SELECT ceptoar_id FROM subgroups WHERE id = ?1")
ST(SUBGROUP_OF_RCPTS,
   "SELECT m.subgroup_id, r.org_id FROM advisory_recipients r JOIN "
   "subgroup_members m ON m.org_id = r.org_id WHERE r.advisory_id = ?1 "
   "ORDER BY 1, 2")
ST(RCPT_SUBGROUP,
   "INSERT OR IGNORE INTO advisory_recipients(advisory_id, org_id) SELECT "
   "?1, m.org_id FROM subgroup_members m JOIN orgs o ON o.id = m.org_id AND "
   "o.kind = 'operator' WHERE m.subgroup_id = ?2")
ST(ADV_CHANNEL_SET, "INSERT INTO advisory_channel(advisory_id, channel) "
                    "VALUES (?1, ?2)")
/* recipients with no contact an advisory limited to channel ?2 may use
 * (core/drill.h drill_channel_matches, copied in SQL) */
ST(RCPT_LACKING_CHANNEL,
   "SELECT r.org_id FROM advisory_recipients r WHERE r.advisory_id = ?1 AND "
   "NOT EXISTS (SELECT 1 FROM contacts k WHERE k.org_id = r.org_id AND "
   "(k.channel = ?2 OR (?2 = 'gateway' AND k.channel IN ('phone', 'sms')))) "
   "ORDER BY r.org_id")
ST(DRILLK_INSERT,
   "INSERT INTO drills(id, advisory_id, target_kind, target, created_by, "
   "created_at, kind, channel, fy) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
   "?9)")
ST(DRILLK_CEPTOARS_FILL,
   "INSERT OR IGNORE INTO drill_ceptoars(drill_id, ceptoar_id) SELECT "
   "DISTINCT ?1, r.via FROM advisory_recipients r JOIN orgs o ON o.id = "
   "r.via AND o.kind = 'ceptoar' WHERE r.advisory_id = ?2")
#ifndef DRILLK_COLS
#define DRILLK_COLS                                                            \
    "d.seq, d.id, d.advisory_id, d.target_kind, d.target, d.created_by, "      \
    "d.created_at, d.kind, d.channel, d.fy, (SELECT group_concat(x.c, ',') "   \
    "FROM (SELECT ceptoar_id c FROM drill_ceptoars WHERE drill_id = d.id "     \
    "ORDER BY 1) x) "
#endif
ST(DRILLK_GET, "SELECT " DRILLK_COLS "FROM drills d WHERE d.id = ?1")
ST(DRILLK_PREV, "SELECT " DRILLK_COLS "FROM drills d WHERE d.target_kind = ?1 "
                "AND d.target = ?2 AND d.kind = ?3 AND d.seq < ?4 ORDER BY "
                "d.seq DESC LIMIT 1")
/* newest first, below seq ?3 (0 = from the newest); fiscal year ?1 (0 =
 * every year), CEPTOAR ?2 (NULL = every one) */
ST(DRILLK_LIST, "SELECT " DRILLK_COLS "FROM drills d WHERE (?1 = 0 OR d.fy = "
                "?1) AND (?2 IS NULL OR EXISTS (SELECT 1 FROM drill_ceptoars "
                "c WHERE c.drill_id = d.id AND c.ceptoar_id = ?2)) AND (?3 = "
                "0 OR d.seq < ?3) ORDER BY d.seq DESC LIMIT ?4")
ST(DRILLK_CONFIRM,
   "INSERT INTO drill_confirms(drill_id, org_id, confirmed_by, via, "
   "confirmed_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(drill_id, org_id) "
   "DO NOTHING")
ST(DRILLK_CONFIRMED_AT, "SELECT confirmed_at FROM drill_confirms WHERE "
                        "drill_id = ?1 AND org_id = ?2")
/* a structure drill's recipients: confirmed in it (0 = not), and when
 * their contacts last changed or were confirmed before it (0 = never) */
ST(DRILLK_CONTACTS,
   "SELECT r.org_id, o.name_ja, o.name_en, coalesce((SELECT confirmed_at "
   "FROM drill_confirms f WHERE f.drill_id = ?1 AND f.org_id = r.org_id), "
   "0), coalesce((SELECT max(t) FROM (SELECT max(k.created_at) t FROM "
   "contacts k WHERE k.org_id = r.org_id UNION ALL SELECT max(f.confirmed_at) "
   "FROM drill_confirms f WHERE f.org_id = r.org_id AND f.drill_id <> ?1)), "
   "0), (SELECT count(*) FROM contacts k WHERE k.org_id = r.org_id) FROM "
   "advisory_recipients r JOIN orgs o ON o.id = r.org_id WHERE "
   "r.advisory_id = ?2 ORDER BY r.org_id")
/* issue 11: the dashboard (store_dashboard.c). Every report aggregate
 * filters with REPORTS_WHERE_SQL (?1..?13), the report list's own text. */
/* grouped in the order of the index reports_dash (migration 0012), so
 * no sort: the caller folds severity and declared into the effective
 * severity; the last column counts the overdue reports of the group */
ST(DASH_REPORT_CELLS,
   "SELECT r.sector_id, r.severity, coalesce(r.declared, -1), count(*), "
   "sum(" REPORT_OVERDUE_SQL ") FROM reports r WHERE " REPORTS_WHERE_SQL
   "GROUP BY r.state, r.sector_id, r.severity, r.declared")
ST(DASH_REPORT_DAYS,
   "SELECT (r.created_at + 32400) / 86400, count(*) FROM reports r WHERE "
   "r.created_at >= ?14 AND " REPORTS_WHERE_SQL "GROUP BY 1")
ST(DASH_EVENTS_OPEN,
   "SELECT count(DISTINCT er.event_id) FROM event_reports er JOIN reports r "
   "ON r.id = er.report_id WHERE " REPORTS_WHERE_SQL)
/* per relaying CEPTOAR, grouped first, named after: ?2 = 0 every
 * recipient, 1 those released via ?3, 2 those of ministry ?3's sectors */
ST(DASH_ADV_ACKS,
   "SELECT x.via, coalesce(g.name_ja, ''), coalesce(g.name_en, ''), x.n, "
   "x.a FROM (SELECT r.via AS via, count(*) AS n, count(r.acked_at) AS a "
   "FROM advisory_recipients r WHERE r.advisory_id = ?1 AND (?2 = 0 OR (?2 "
   "= 1 AND r.via = ?3) OR (?2 = 2 AND (SELECT coalesce(se.ministry_id, '') "
   "FROM orgs o JOIN scopes sc ON sc.id = o.scope_id JOIN sectors se ON "
   "se.id = sc.sector_id WHERE o.id = r.org_id) = ?3)) GROUP BY r.via) x "
   "LEFT JOIN orgs g ON g.id = x.via ORDER BY x.via")
/* the dashboard's version (migration 0021: bumped by triggers on every
 * table it aggregates) and the next deadline of an open report not yet
 * passed at ?1 (REPORT_OVERDUE_SQL's due times; NULL: none) */
ST(DASH_VERSION, "SELECT version FROM dash_version WHERE id = 1")
ST(DASH_NEXT_DUE,
   "SELECT min(d) FROM (SELECT min(r.full_due) AS d FROM reports r WHERE "
   "r.state = 'open' AND r.full_at IS NULL AND r.full_due >= ?1 UNION ALL "
   "SELECT min(r.final_due) FROM reports r WHERE r.state = 'open' AND "
   "r.final_due >= ?1)")
ST(DASH_WAITING_RELAY, "SELECT count(*) FROM advisory_hops WHERE org_id = ?1 "
                       "AND state = 'waiting'")
/* advisories released to org and not yet acknowledged by it: the inbox's
 * candidates (the caller applies the advisory list's rule) */
ST(DASH_INBOX, "SELECT advisory_id FROM advisory_recipients WHERE org_id = ?1 "
               "AND released_at IS NOT NULL AND acked_at IS NULL ORDER BY "
               "advisory_id LIMIT 1000")
/* issue 11: lists */
/* acknowledged and total recipients of advisory ?1 a viewer sees (mode
 * ?2: 0 every one, 1 those released via organisation ?3, 2 those of the
 * sectors of ministry ?3), as the deliveries view counts them */
ST(ADV_ACK_COUNTS,
   "SELECT count(*), count(r.acked_at) FROM advisory_recipients r "
   "LEFT JOIN orgs o ON o.id = r.org_id LEFT JOIN scopes sc ON sc.id = "
   "o.scope_id LEFT JOIN sectors se ON se.id = sc.sector_id WHERE "
   "r.advisory_id = ?1 AND (?2 = 0 OR (?2 = 1 AND r.via = ?3) OR (?2 = 2 "
   "AND coalesce(se.ministry_id, '') = ?3))")
/* when org ?2 first opened advisory ?1 (NULL: not yet; no row: not a
 * recipient), and whether it is released to it */
ST(RCPT_OPENED_GET,
   "SELECT opened_at, released_at IS NOT NULL FROM "
   "advisory_recipients WHERE advisory_id = ?1 AND org_id = ?2")
ST(RCPT_OPENED_SET, "UPDATE advisory_recipients SET opened_at = ?3 WHERE "
                    "advisory_id = ?1 AND org_id = ?2 AND opened_at IS NULL "
                    "AND released_at IS NOT NULL")
/* issue 11: the acknowledgement board's reminders (store_ackboard.c) */
ST(REMIND_LAST, "SELECT max(at) FROM advisory_reminds WHERE advisory_id = "
                "?1 AND by_org = ?2")
ST(REMIND_INSERT, "INSERT INTO advisory_reminds(advisory_id, by_org, "
                  "by_user, orgs, queued, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
/* the org's earlier deliveries (not in flight) queued again as reminders:
 * the same contacts, at their current address, a new idempotency key:
 * ".r<time>.<?4>", ?4 16 random hex digits, so that two reminders in the
 * same second differ too (it was the advisory's count of reminders, which
 * told a recipient how many rounds others were sent: docs/rules.md "Ids
 * that count nothing") */
ST(REMIND_REQUEUE,
   "UPDATE deliveries SET state = 'queued', reason = 'reminder', attempts "
   "= 0, next_at = ?3, lease_until = 0, last_error = '', address = "
   "(SELECT k.address FROM contacts k WHERE k.id = deliveries.contact_id), "
   "idem_key = advisory_id || '.' || org_id || '.' || contact_id || '.r' || "
   "?3 || '.' || ?4 WHERE advisory_id = ?1 AND org_id = ?2 AND state IN "
   "('delivered', "
   "'failed', 'cancelled') AND EXISTS (SELECT 1 FROM contacts k WHERE k.id "
   "= deliveries.contact_id AND " SQL_CHANNEL_OK("k") ")")
ST(REMIND_OPEN, "SELECT count(*) FROM deliveries WHERE advisory_id = ?1 AND "
                "org_id = ?2 AND state IN ('queued', 'sending')")
#include "store/store_obs_sql.h"
#include "store/store_c4tap_sql.h"
#include "store/store_exercise_sql.h"
#include "store/store_depend_sql.h"
#include "store/store_survey_sql.h"
#include "store/store_stix_sql.h"
#include "store/store_risk_sql.h"
#include "store/store_taxii_sql.h"
/* issue 12: website registration (store_sites.c). The visibility rule of
 * core/access.h (access_site_scope: 0 every site, 1 its own and its
 * members', 2 its own) over the site row alias s, with the scope and the
 * viewer's organisation as parameters: for every statement that lists or
 * counts sites or what was observed of them. */
#define OBS_SITE_VISIBLE_SQL(s, SCOPE, ORG)                                    \
    "(" SCOPE " = 0 OR " s ".org_id = " ORG " OR (" SCOPE                      \
    " = 1 AND EXISTS (SELECT 1 FROM memberships vm WHERE vm.org_id = " s       \
    ".org_id AND vm.group_id = " ORG ")))"
#define OBS_SITE_COLS                                                          \
    "s.id, s.org_id, s.url, s.host, s.label, s.expected_status, "              \
    "s.content_match, s.interval_s, s.notify, s.paused, s.demo, s.hosting, "   \
    "s.dns_provider, s.registered_by, s.via_org, s.version, s.created_at, "    \
    "s.updated_at, s.deleted_at, o.name_ja, o.name_en, "                       \
    "coalesce(sc.sector_id, ''), coalesce((SELECT min(m.group_id) FROM "       \
    "memberships m JOIN orgs g ON g.id = m.group_id AND g.kind = 'ceptoar' "   \
    "WHERE m.org_id = s.org_id), ''), CASE WHEN s.paused THEN 'paused' ELSE "  \
    "coalesce(st.state, 'learning') END, coalesce(st.since, s.created_at), "   \
    "coalesce(st.reason_ja, ''), coalesce(st.reason_en, ''), "                 \
    "coalesce(st.last_at, 0), coalesce(st.last_total, -1), "                   \
    "coalesce(st.last_outcome, '') FROM obs_sites s JOIN orgs o ON o.id = "    \
    "s.org_id LEFT JOIN scopes sc ON sc.id = o.scope_id LEFT JOIN obs_states " \
    "st ON st.site_id = s.id "
#define OBS_SITES_WHERE                                                        \
    "WHERE s.deleted_at = 0 AND " OBS_SITE_VISIBLE_SQL(                        \
        "s", "?1",                                                             \
        "?2") " AND (?3 IS NULL OR s.org_id = ?3) AND (?4 IS NULL "            \
              "OR sc.sector_id = ?4) AND (?5 IS NULL OR CASE WHEN "            \
              "s.paused THEN 'paused' ELSE coalesce(st.state, "                \
              "'learning') END = ?5) AND (?6 IS NULL OR "                      \
              "instr(lower(s.url), lower(?6)) > 0 OR "                         \
              "instr(lower(s.label), lower(?6)) > 0 OR "                       \
              "instr(o.name_ja, ?6) > 0 OR instr(lower(o.name_en), "           \
              "lower(?6)) > 0) "
/* ?16 the id (store_insert_fresh_id) */
ST(SITE_INSERT,
   "INSERT INTO obs_sites(id, org_id, url, host, label, expected_status, "
   "content_match, interval_s, notify, paused, hosting, dns_provider, "
   "registered_by, via_org, demo, version, created_at, updated_at) VALUES "
   "(?16, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1, "
   "?15, ?15) ON CONFLICT(id) DO NOTHING")
/* the largest id of the organisation's sites, deleted ones included */
ST(SITE_MAX_ID, "SELECT coalesce(max(id), 0) FROM obs_sites WHERE org_id = ?1")
ST(SITE_GET, "SELECT " OBS_SITE_COLS "WHERE s.id = ?1 AND s.deleted_at = 0")
ST(SITE_VERSION,
   "SELECT version FROM obs_sites WHERE id = ?1 AND deleted_at = 0")
ST(SITE_UPDATE,
   "UPDATE obs_sites SET label = ?2, expected_status = ?3, content_match = "
   "?4, interval_s = ?5, notify = ?6, paused = ?7, hosting = ?8, version = "
   "version + 1, updated_at = ?10 WHERE id = ?1 AND version = ?9 AND "
   "deleted_at = 0")
ST(SITE_DELETE, "UPDATE obs_sites SET deleted_at = ?2, version = version + "
                "1, updated_at = ?2 WHERE id = ?1 AND deleted_at = 0")
ST(SITES_LIST,
   "SELECT " OBS_SITE_COLS OBS_SITES_WHERE "ORDER BY s.id LIMIT ?7 OFFSET ?8")
ST(SITES_COUNT, "SELECT count(*) FROM obs_sites s JOIN orgs o ON o.id = "
                "s.org_id LEFT JOIN scopes sc ON sc.id = o.scope_id LEFT JOIN "
                "obs_states st ON st.site_id = s.id " OBS_SITES_WHERE)
ST(SITE_ORG_PARTICIPATES,
   "SELECT count(*) FROM memberships m JOIN obs_participants p ON "
   "p.ceptoar_id = m.group_id WHERE m.org_id = ?1")
/* ?5 the id (store_insert_fresh_id) */
ST(SITE_MAINT_INSERT, "INSERT INTO obs_maintenance(id, site_id, starts, ends, "
                      "note) VALUES (?5, ?1, ?2, ?3, ?4) "
                      "ON CONFLICT(id) DO NOTHING")
ST(SITE_MAINT_MAX_ID, "SELECT coalesce(max(id), 0) FROM obs_maintenance "
                      "WHERE site_id = ?1")
ST(SITE_MAINT_LIST, "SELECT id, starts, ends, note FROM obs_maintenance "
                    "WHERE site_id = ?1 AND ends > ?2 ORDER BY starts, id")
ST(OBS_PART_INSERT, "INSERT INTO obs_participants(ceptoar_id, joined_at, "
                    "by_user) VALUES (?1, ?2, ?3)")
/* the participating CEPTOARs, their members' registered sites and how
 * many of those reader ?1 (its enum access_site_scope ?2) may see */
ST(OBS_PARTS,
   "SELECT p.ceptoar_id, o.name_ja, o.name_en, p.joined_at, p.by_user, "
   "(SELECT count(*) FROM obs_sites s JOIN memberships m ON m.org_id = "
   "s.org_id AND m.group_id = p.ceptoar_id WHERE s.deleted_at = 0), "
   "(SELECT count(*) FROM obs_sites s JOIN memberships m ON m.org_id = "
   "s.org_id AND m.group_id = p.ceptoar_id WHERE s.deleted_at = 0 "
   "AND " OBS_SITE_VISIBLE_SQL(
       "s", "?2",
       "?1") ") FROM "
             "obs_participants p JOIN orgs o ON o.id = p.ceptoar_id ORDER BY "
             "p.ceptoar_id")
ST(OBS_VANTAGE_INSERT,
   "INSERT INTO obs_vantages(id, name_ja, name_en, public_key, created_at, "
   "user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
#define OBS_VANTAGE_COLS                                                       \
    "SELECT id, name_ja, name_en, public_key, last_seq, active, created_at, "  \
    "user_id FROM obs_vantages "
ST(OBS_VANTAGES, OBS_VANTAGE_COLS "ORDER BY id")
ST(OBS_VANTAGE_BY_USER, OBS_VANTAGE_COLS "WHERE user_id = ?1 AND user_id "
                                         "!= 0 AND active = 1")
ST(OBS_ASSIGNMENTS,
   "SELECT s.id, s.url, s.content_match, s.expected_status, s.interval_s, "
   "s.host FROM obs_sites s WHERE s.deleted_at = 0 AND s.paused = 0 AND "
   "(?1 = 1 OR s.demo = 0) AND s.id > ?2 AND EXISTS (SELECT 1 FROM "
   "memberships m JOIN obs_participants p ON p.ceptoar_id = m.group_id WHERE "
   "m.org_id = s.org_id) ORDER BY s.id")
/* issue 12: the website observation demo (store_sites.c, demo_obs.c):
 * every demo CEPTOAR participates; 7 of every 10 demo operators (by the
 * number of their id) register one site under .example, demo = 1 (never
 * probed); their hosting network and DNS provider spread over a few
 * names; every demo site normal since ?1 - 6 days */
ST(DEMO_OBS_PARTICIPANTS,
   "INSERT OR IGNORE INTO obs_participants(ceptoar_id, joined_at, by_user) "
   "SELECT id, ?1, 0 FROM orgs WHERE kind = 'ceptoar'")
ST(DEMO_OBS_SITES,
   "INSERT INTO obs_sites(org_id, url, host, label, expected_status, "
   "interval_s, hosting, dns_provider, registered_by, demo, created_at, "
   "updated_at) SELECT o.id, 'https://www.' || o.id || '.example/', 'www.' "
   "|| o.id || '.example', o.name_ja || ' 公式サイト', 200, 60, "
   "'demo-hosting-' || (CAST(substr(o.id, -4) AS INTEGER) % 4), "
   "'ns.demo-dns-' || (CAST(substr(o.id, -4) AS INTEGER) % 3) || '.example', "
   "0, 1, ?1 - 7 * 86400, ?1 - 7 * 86400 FROM orgs o WHERE o.kind = "
   "'operator' AND o.demo = 1 AND CAST(substr(o.id, -4) AS INTEGER) % 10 < 7 "
   "ORDER BY o.id")
ST(DEMO_OBS_STATES,
   "INSERT OR REPLACE INTO obs_states(site_id, state, since, window, "
   "window_n, last_at, last_total, last_outcome, score, first_at) SELECT "
   "s.id, 'normal', ?1 - 6 * 86400, 0, 5, ?1 - 60, 80 + (s.id * 37) % 300, "
   "'ok', 0, ?1 - 7 * 86400 FROM obs_sites s WHERE s.demo = 1")
/* the demo sites of a scope, by id (?2 at most) */
ST(DEMO_OBS_SITES_OF_SCOPE,
   "SELECT s.id FROM obs_sites s JOIN orgs o ON o.id = s.org_id WHERE "
   "s.demo = 1 AND s.deleted_at = 0 AND o.scope_id = ?1 ORDER BY s.id LIMIT "
   "?2")
ST(DEMO_OBS_ROLLUP,
   "INSERT OR REPLACE INTO obs_rollups(site_id, vantage_id, bucket, n, "
   "errors, p50, p90, p99, dns_p50, connect_p50, tls_p50, ttfb_p50, sketch) "
   "VALUES (?1, 'hub', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")
/* STORE_DEMO_ROLLUPS rows of the above in one statement (on PostgreSQL
 * one round trip instead of 5: the demo's 100,000 rollups were half of an
 * init's time there; a PostgreSQL statement of the store takes 64
 * parameters at most, db_pg.c) */
#define DEMO_ROLLUP_ROW "(?, 'hub', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define DEMO_ROLLUP_ROWS5                                                      \
    DEMO_ROLLUP_ROW ", " DEMO_ROLLUP_ROW ", " DEMO_ROLLUP_ROW                  \
                    ", " DEMO_ROLLUP_ROW ", " DEMO_ROLLUP_ROW
ST(DEMO_OBS_ROLLUPS,
   "INSERT OR REPLACE INTO obs_rollups(site_id, vantage_id, bucket, n, "
   "errors, p50, p90, p99, dns_p50, connect_p50, tls_p50, ttfb_p50, sketch) "
   "VALUES " DEMO_ROLLUP_ROWS5)
ST(DEMO_OBS_BASELINE,
   "INSERT OR REPLACE INTO obs_baselines(site_id, vantage_id, how, "
   "median_ms, mad_ms, n, updated_at) VALUES (?1, 'hub', ?2, ?3, ?4, ?5, "
   "?6)")
/* STORE_DEMO_BASELINES rows of the above in one statement */
#define DEMO_BASELINE_ROW "(?, 'hub', ?, ?, ?, ?, ?)"
#define DEMO_BASELINE_ROWS4                                                    \
    DEMO_BASELINE_ROW ", " DEMO_BASELINE_ROW ", " DEMO_BASELINE_ROW            \
                      ", " DEMO_BASELINE_ROW
ST(DEMO_OBS_BASELINES,
   "INSERT OR REPLACE INTO obs_baselines(site_id, vantage_id, how, "
   "median_ms, mad_ms, n, updated_at) VALUES " DEMO_BASELINE_ROWS4
   ", " DEMO_BASELINE_ROWS4)
ST(DEMO_OBS_STATE_SET,
   "UPDATE obs_states SET state = ?2, since = ?3, window = ?4, window_n = "
   "?5, last_at = ?6, last_total = ?7, last_outcome = 'ok', score = ?8, "
   "reason_ja = ?9, reason_en = ?10, phase = ?11 WHERE site_id = ?1")
ST(DEMO_OBS_ALERT,
   "INSERT INTO obs_alerts(kind, key, sector_id, state, condition, phase, "
   "since, raised_at, site_count, reason_ja, reason_en, evidence) VALUES "
   "('sector', ?1, ?1, 'open', 'slow', ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
ST(DEMO_OBS_ALERT_SITE, "INSERT INTO obs_alert_sites(alert_id, site_id, "
                        "since) VALUES (?1, ?2, ?3)")
