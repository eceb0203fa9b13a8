/* issue 14: cross-sector exercises (store_exercise.c; migration 0024).
 * Included by store/store_sql.h: no include guard on purpose. */
#define EX_COLS                                                                \
    "x.id, x.title_ja, x.title_en, x.state, x.planned_for, x.scale, "          \
    "x.started_at, x.paused_since, x.paused_total, x.shift_s, x.advanced_s, "  \
    "x.ended_at, x.ended_world, x.report_state, x.created_by, x.created_at, "  \
    "x.version, (SELECT count(*) FROM exercise_participants p WHERE "          \
    "p.exercise_id = x.id) "
ST(EX_INSERT,
   "INSERT INTO exercises(id, title_ja, title_en, scenario, state, "
   "planned_for, briefing_ja, briefing_en, scale, created_by, created_at) "
   "VALUES (?1, ?2, ?3, ?4, 'planning', ?5, ?6, ?7, ?8, ?9, ?10)")
ST(EX_GET, "SELECT " EX_COLS ", x.scenario, x.briefing_ja, x.briefing_en, "
           "x.debrief, x.report_ja, x.report_en FROM exercises x WHERE x.id "
           "= ?1")
ST(EX_UPDATE,
   "UPDATE exercises SET state = ?3, scale = ?4, started_at = ?5, "
   "paused_since = ?6, paused_total = ?7, shift_s = ?8, advanced_s = ?9, "
   "ended_at = ?10, ended_world = ?11, debrief = ?12, report_state = ?13, "
   "report_ja = ?14, report_en = ?15, briefing_ja = ?16, briefing_en = ?17, "
   "version = version + 1 WHERE id = ?1 AND version = ?2")
ST(EX_LIST, "SELECT " EX_COLS "FROM exercises x WHERE ?1 IS NULL OR EXISTS "
            "(SELECT 1 FROM exercise_participants p WHERE p.exercise_id = "
            "x.id AND p.org_id = ?1) ORDER BY x.seq DESC LIMIT 500")
ST(EX_RUNNING, "SELECT id FROM exercises WHERE state = 'running' ORDER BY seq")
#define EX_PART_COLS                                                           \
    "p.org_id, p.venue, p.theme_ja, p.theme_en, p.checklist, o.kind, "         \
    "o.name_ja, o.name_en, COALESCE(s.sector_id, ''), COALESCE(o.scope_id, "   \
    "'') FROM exercise_participants p JOIN orgs o ON o.id = p.org_id LEFT "    \
    "JOIN scopes s ON s.id = o.scope_id "
ST(EX_PARTS, "SELECT " EX_PART_COLS "WHERE p.exercise_id = ?1 ORDER BY "
             "p.org_id")
ST(EX_PART_GET, "SELECT " EX_PART_COLS "WHERE p.exercise_id = ?1 AND "
                "p.org_id = ?2")
ST(EX_PART_ADD, "INSERT OR IGNORE INTO exercise_participants(exercise_id, "
                "org_id) VALUES (?1, ?2)")
ST(EX_PART_ADD_SECTOR,
   "INSERT OR IGNORE INTO exercise_participants(exercise_id, org_id) SELECT "
   "?1, o.id FROM orgs o JOIN scopes s ON s.id = o.scope_id WHERE o.kind = "
   "'operator' AND s.sector_id = ?2")
ST(EX_PART_ADD_CEPTOAR,
   "INSERT OR IGNORE INTO exercise_participants(exercise_id, org_id) SELECT "
   "?1, m.org_id FROM memberships m WHERE m.group_id = ?2 UNION SELECT ?1, ?2")
ST(EX_PART_REMOVE, "DELETE FROM exercise_participants WHERE exercise_id = ?1 "
                   "AND org_id = ?2")
ST(EX_PART_SET, "UPDATE exercise_participants SET venue = ?3, theme_ja = ?4, "
                "theme_en = ?5, checklist = ?6 WHERE exercise_id = ?1 AND "
                "org_id = ?2")
ST(EX_BUSY, "SELECT p.org_id, x.id FROM exercise_participants p JOIN "
            "exercises x ON x.id = p.exercise_id WHERE x.state = 'running' "
            "AND x.id <> ?1 AND p.org_id IN (SELECT org_id FROM "
            "exercise_participants WHERE exercise_id = ?1) ORDER BY p.org_id "
            "LIMIT 1")
ST(EX_ANSWER_PUT,
   "INSERT INTO exercise_answers(exercise_id, org_id, answers, "
   "submitted_by, submitted_at) VALUES (?1, ?2, ?3, ?4, ?5) ON "
   "CONFLICT(exercise_id, org_id) DO UPDATE SET answers = ?3, submitted_by "
   "= ?4, submitted_at = ?5")
ST(EX_ANSWERS, "SELECT org_id, answers, submitted_by, submitted_at FROM "
               "exercise_answers WHERE exercise_id = ?1 ORDER BY org_id")
ST(EX_ANSWER_GET, "SELECT org_id, answers, submitted_by, submitted_at FROM "
                  "exercise_answers WHERE exercise_id = ?1 AND org_id = ?2")
ST(EX_NOTE_ADD, "INSERT INTO exercise_notes(exercise_id, grp, text, by_user, "
                "at) VALUES (?1, ?2, ?3, ?4, ?5)")
ST(EX_NOTES, "SELECT grp, text, by_user, at FROM exercise_notes WHERE "
             "exercise_id = ?1 ORDER BY id")
/* an exercise's own database */
ST(EX_INJECTS, "SELECT inject_id, advisory_id, fired_at, by_hand, adhoc FROM "
               "ex_injects ORDER BY fired_at, inject_id")
ST(EX_INJECT_FIRED, "INSERT INTO ex_injects(inject_id, advisory_id, "
                    "fired_at, by_hand, adhoc) VALUES (?1, ?2, ?3, ?4, ?5)")
ST(EX_FIRED_ADD, "INSERT OR IGNORE INTO ex_fired(inject_id, org_id, "
                 "advisory_id) VALUES (?1, ?2, ?3)")
ST(EX_BCP_COUNT, "SELECT count(*) FROM ex_bcp WHERE org_id = ?1")
ST(EX_BCP_LAST, "SELECT max(declared_at) FROM ex_bcp WHERE org_id = ?1")
ST(EX_BCP_ADD, "INSERT INTO ex_bcp(org_id, declared_at, user_id, note) "
               "VALUES (?1, ?2, ?3, ?4)")
/* every event, by type (enum store_ex_event) */
/* every event the board reads, by type (enum store_ex_event); advisories
 * are named by the inject they carried (ex_fired.advisory_id) */
ST(EX_EVENTS,
   "SELECT 0, f.org_id, f.inject_id, i.fired_at FROM ex_fired f JOIN "
   "ex_injects i ON i.inject_id = f.inject_id "
   /* an anonymous report (route 2, ROUTE_ANONYMOUS) is no one's act on
    * the board: credited to its organisation, the board would name its
    * reporter (docs/rules.md "Cross-sector exercises") */
   "UNION ALL SELECT 1, originator, kind, created_at FROM reports WHERE "
   "route <> 2 "
   "UNION ALL SELECT 2, r.org_id, f.inject_id, r.acked_at FROM "
   "advisory_recipients r JOIN ex_fired f ON f.advisory_id = r.advisory_id "
   "AND f.org_id = r.org_id WHERE r.acked_at IS NOT NULL "
   "UNION ALL SELECT 3, h.org_id, f.inject_id, min(h.relayed_at) FROM "
   "advisory_hops h JOIN (SELECT DISTINCT inject_id, advisory_id FROM "
   "ex_fired) f ON f.advisory_id = h.advisory_id WHERE h.relayed_at IS NOT "
   "NULL AND h.step > 0 AND h.how = 'review' GROUP BY h.org_id, f.inject_id "
   "UNION ALL SELECT 4, org_id, '', declared_at FROM ex_bcp "
   "UNION ALL SELECT 5, a.org_id, f.inject_id, a.answered_at FROM "
   "rollcall_answers a JOIN ex_fired f ON f.advisory_id = a.advisory_id "
   "AND f.org_id = a.org_id "
   "UNION ALL SELECT 7, h.org_id, f.inject_id, min(h.arrived_at) FROM "
   "advisory_hops h JOIN (SELECT DISTINCT inject_id, advisory_id FROM "
   "ex_fired) f ON f.advisory_id = h.advisory_id WHERE h.step > 0 GROUP BY "
   "h.org_id, f.inject_id")
ST(EX_BOARD_VERSION, "SELECT version FROM ex_board_version WHERE id = 1")
ST(EX_BOARD_VERSION_INIT, "INSERT OR IGNORE INTO ex_board_version(id, "
                          "version) VALUES (1, 1)")
/* a user of the hub in an exercise's world (its row as the seed copies
 * it: no password hash), unless it is there already */
ST(EX_USER_HAS, "SELECT count(*) FROM users WHERE id = ?1")
ST(EX_USER_JOIN,
   "INSERT INTO users(id, org_id, username, display_name, pw_hash, roles, "
   "lang, disabled, demo, created_at) VALUES (?1, ?2, ?3, ?4, '', ?5, ?6, "
   "?7, ?8, ?9) ON CONFLICT DO NOTHING")
/* is advisory ?1 an inject's, sent by a controller on its author's
 * behalf? (none in the hub's own database) */
ST(EX_ADV_IS_INJECT, "SELECT count(*) FROM ex_fired WHERE advisory_id = ?1")
