/* issue 15: the operators' risk registers (store_risk.c; migration 0028).
 * Included by store/store_sql.h: no include guard on purpose. */
#ifndef RISK_COLS
/* clang-format off */
/* A risk with its organisation's names, its appetite threshold (12, the
 * default scale's RISK_DEFAULT_THRESHOLD of service/risks.h, when the
 * organisation has stored no scale) and the names of its users. */
#define RISK_THRESHOLD_SQL "coalesce(s.threshold, 12)"
#define RISK_COLS                                                              \
    "r.id, r.org_id, r.title, r.description, r.owner, r.asset, r.impact, "     \
    "r.likelihood, r.treatment, r.measures, r.plan, r.review_at, r.state, "    \
    "r.shared, r.version, r.created_by, r.created_at, r.updated_by, "          \
    "r.updated_at, o.name_ja, o.name_en, " RISK_THRESHOLD_SQL ", "             \
    "coalesce(cu.username, ''), coalesce(uu.username, '')"
#define RISK_FROM                                                              \
    " FROM risks r JOIN orgs o ON o.id = r.org_id "                            \
    "LEFT JOIN risk_scales s ON s.org_id = r.org_id "                          \
    "LEFT JOIN users cu ON cu.id = r.created_by "                              \
    "LEFT JOIN users uu ON uu.id = r.updated_by "
/* Whose risks a reader sees: ?1 an operator's own (every one), or ?2 the
 * shared ones of the members of secretariat ?2. */
#define RISK_READER_SQL                                                        \
    "((?1 IS NOT NULL AND r.org_id = ?1) OR (?2 IS NOT NULL AND "              \
    "r.shared = 1 AND r.org_id IN (SELECT m.org_id FROM memberships m "        \
    "WHERE m.group_id = ?2)))"
/* clang-format on */
#endif
/* ?16 the id (store_risk_insert: from the time, never a count); one taken
 * already inserts nothing */
ST(RISK_INSERT, "INSERT INTO risks(id, org_id, title, description, owner, "
                "asset, impact, likelihood, treatment, measures, plan, "
                "review_at, state, shared, version, created_by, created_at, "
                "updated_by, updated_at) VALUES (?16, ?1, ?2, ?3, ?4, ?5, ?6, "
                "?7, ?8, ?9, ?10, ?11, ?12, ?13, 1, ?14, ?15, ?14, ?15) "
                "ON CONFLICT(id) DO NOTHING")
ST(RISK_GET, "SELECT " RISK_COLS RISK_FROM "WHERE r.id = ?1")
/* the stored version must still be ?15 (a concurrent change loses) */
ST(RISK_UPDATE, "UPDATE risks SET title = ?2, description = ?3, owner = ?4, "
                "asset = ?5, impact = ?6, likelihood = ?7, treatment = ?8, "
                "measures = ?9, plan = ?10, review_at = ?11, state = ?12, "
                "shared = ?13, version = ?15 + 1, updated_by = ?14, "
                "updated_at = ?16 WHERE id = ?1 AND version = ?15")
ST(RISK_COUNT_ORG, "SELECT count(*) FROM risks WHERE org_id = ?1")
/* the list: the reader (RISK_READER_SQL), the filters ?3 state, ?4
 * treatment, ?5 above appetite (0/1, -1 any), ?6 review before; the
 * page after id ?7, ?8 rows */
ST(RISK_LIST,
   "SELECT " RISK_COLS RISK_FROM "WHERE " RISK_READER_SQL
   " AND (?3 IS NULL OR r.state = ?3) "
   "AND (?4 IS NULL OR r.treatment = ?4) "
   "AND (?5 < 0 OR (CASE WHEN r.impact * r.likelihood >= " RISK_THRESHOLD_SQL
   " THEN 1 ELSE 0 END) = ?5) "
   "AND (?6 IS NULL OR r.review_at < ?6) "
   "AND r.id > ?7 ORDER BY r.id LIMIT ?8")
/* the heat map: the reader's open risks per (impact, likelihood), and how
 * many of them are above their own organisation's appetite (+r.state:
 * by the organisations' index, not by every open risk of the hub's) */
ST(RISK_HEAT, "SELECT r.impact, r.likelihood, count(*), "
              "sum(r.impact * r.likelihood >= " RISK_THRESHOLD_SQL ") "
              "FROM risks r LEFT JOIN risk_scales s ON s.org_id = r.org_id "
              "WHERE " RISK_READER_SQL " AND +r.state = 'open' "
              "GROUP BY r.impact, r.likelihood "
              "ORDER BY r.impact, r.likelihood")
/* the highest levels the organisation's risks (open or closed) use */
ST(RISK_LEVELS_USED, "SELECT coalesce(max(impact), 0), "
                     "coalesce(max(likelihood), 0) FROM risks "
                     "WHERE org_id = ?1")
ST(RISK_MEMBER, "SELECT 1 FROM memberships WHERE org_id = ?1 AND "
                "group_id = ?2")
ST(RISK_HISTORY_ADD, "INSERT INTO risk_history(risk_id, version, snapshot, "
                     "by_user, at) VALUES (?1, ?2, ?3, ?4, ?5)")
ST(RISK_HISTORY_LIST, "SELECT h.version, h.snapshot, h.by_user, h.at, "
                      "coalesce(u.username, '') FROM risk_history h "
                      "LEFT JOIN users u ON u.id = h.by_user "
                      "WHERE h.risk_id = ?1 AND h.version > ?2 "
                      "ORDER BY h.version LIMIT ?3")
ST(RISK_SCALE_GET, "SELECT impact, likelihood, threshold, version, "
                   "updated_by, updated_at FROM risk_scales WHERE org_id = ?1")
ST(RISK_SCALE_PUT, "INSERT INTO risk_scales(org_id, impact, likelihood, "
                   "threshold, version, updated_by, updated_at) VALUES (?1, "
                   "?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(org_id) DO UPDATE "
                   "SET impact = excluded.impact, likelihood = "
                   "excluded.likelihood, threshold = excluded.threshold, "
                   "version = excluded.version, updated_by = "
                   "excluded.updated_by, updated_at = excluded.updated_at "
                   "WHERE risk_scales.version = ?5 - 1")
/* review reminders due: open risks reviewed from ?1 to ?2 without a
 * reminder for that date, soonest first, ?3 rows */
ST(RISK_REMIND_DUE, "SELECT r.id, r.org_id, r.title, r.review_at FROM risks r "
                    "WHERE r.state = 'open' AND r.review_at >= ?1 AND "
                    "r.review_at <= ?2 AND NOT EXISTS (SELECT 1 FROM "
                    "risk_reminders m WHERE m.risk_id = r.id AND "
                    "m.review_at = r.review_at) "
                    "ORDER BY r.review_at, r.id LIMIT ?3")
ST(RISK_REMIND_ADD, "INSERT INTO risk_reminders(risk_id, review_at, "
                    "queued_at, notice_id) VALUES (?1, ?2, ?3, ?4)")
