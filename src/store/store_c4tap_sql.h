/* issue 13: C4TAP (store_c4tap.c; migration 0022). Included by
 * store/store_sql.h: no include guard on purpose. */
#define C4_ORG_COLS                                                            \
    "o.org_id, o.standing, o.rules_version, o.agreed_by, o.agreed_at, "        \
    "o.recorded_by, o.withdrawn_at, o.ranges, g.kind, g.name_ja, g.name_en, "  \
    "COALESCE(p.sector_id, '') FROM c4tap_orgs o JOIN orgs g ON g.id = "       \
    "o.org_id LEFT JOIN scopes p ON p.id = g.scope_id "
ST(C4_ORG_GET, "SELECT " C4_ORG_COLS "WHERE o.org_id = ?1")
ST(C4_ORGS, "SELECT " C4_ORG_COLS "ORDER BY o.standing DESC, o.org_id")
ST(C4_ORG_PUT,
   "INSERT INTO c4tap_orgs(org_id, standing, rules_version, agreed_by, "
   "agreed_at, recorded_by, withdrawn_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
   "?7) ON CONFLICT(org_id) DO UPDATE SET standing = ?2, rules_version = ?3, "
   "agreed_by = ?4, agreed_at = ?5, recorded_by = ?6, withdrawn_at = ?7")
/* sectors with at least ?2 organisations of standing ?1 */
ST(C4_SECTORS_WITH, "SELECT p.sector_id FROM c4tap_orgs o JOIN orgs g ON "
                    "g.id = o.org_id JOIN scopes p ON p.id = g.scope_id "
                    "WHERE o.standing = ?1 GROUP BY p.sector_id HAVING "
                    "count(*) >= ?2 ORDER BY p.sector_id")
ST(C4_ORG_HISTORY, "INSERT INTO c4tap_org_history(org_id, standing, "
                   "rules_version, agreed_by, at, by_user) VALUES (?1, ?2, "
                   "?3, ?4, ?5, ?6)")
ST(C4_ORG_RANGES, "UPDATE c4tap_orgs SET ranges = ?2 WHERE org_id = ?1")
#define C4_HANDLER_COLS                                                        \
    "h.user_id, h.kind, h.mail_key, h.registered_by, h.registered_at, "        \
    "u.username, u.display_name, u.org_id FROM c4tap_handlers h JOIN users "   \
    "u ON u.id = h.user_id "
ST(C4_HANDLER_GET, "SELECT " C4_HANDLER_COLS "WHERE h.user_id = ?1")
ST(C4_HANDLER_BY_KEY, "SELECT " C4_HANDLER_COLS "WHERE h.mail_key = ?1")
ST(C4_HANDLERS, "SELECT " C4_HANDLER_COLS
                "WHERE ?1 IS NULL OR u.org_id = ?1 ORDER BY u.org_id, "
                "u.username")
ST(C4_HANDLER_ADD, "INSERT INTO c4tap_handlers(user_id, kind, mail_key, "
                   "registered_by, registered_at) VALUES (?1, ?2, ?3, ?4, ?5)")
ST(C4_HANDLER_DELETE, "DELETE FROM c4tap_handlers WHERE user_id = ?1")
#define C4_SUB_COLS                                                            \
    "s.id, s.org_id, s.user_id, s.anonymous, s.via, s.ranges, s.sha256, "      \
    "s.size, s.mail_at, s.created_at, s.campaign_id, s.note, s.version, "      \
    "s.demo, g.name_ja, g.name_en, COALESCE(g.scope_id, ''), "                 \
    "COALESCE(p.sector_id, '') "
#define C4_SUB_FROM                                                            \
    "FROM c4tap_submissions s JOIN orgs g ON g.id = s.org_id LEFT JOIN "       \
    "scopes p ON p.id = g.scope_id "
#define C4_SUB_FROM_IND                                                        \
    "FROM c4tap_indicators i JOIN c4tap_submissions s ON s.id = "              \
    "i.submission_id JOIN orgs g ON g.id = s.org_id LEFT JOIN scopes p ON "    \
    "p.id = g.scope_id "
/* ?15 the id (store_insert_fresh_id) */
ST(C4_SUB_INSERT,
   "INSERT INTO c4tap_submissions(id, org_id, user_id, anonymous, via, "
   "ranges, sha256, size, mail_at, created_at, campaign_id, note, parsed, "
   "raw, demo) VALUES (?15, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
   "?12, ?13, ?14) ON CONFLICT(id) DO NOTHING")
/* the largest id of the organisation's submissions (the index of
 * UNIQUE (org_id, sha256)) */
ST(C4_SUB_MAX_ID, "SELECT coalesce(max(id), 0) FROM c4tap_submissions "
                  "WHERE org_id = ?1")
ST(C4_SUB_GET,
   "SELECT " C4_SUB_COLS ", s.parsed " C4_SUB_FROM "WHERE s.id = ?1")
ST(C4_SUB_HEAD, "SELECT " C4_SUB_COLS C4_SUB_FROM "WHERE s.id = ?1")
ST(C4_LOOKUP_COUNTS,
   "SELECT count(DISTINCT s.id), count(DISTINCT CASE WHEN s.anonymous = 0 "
   "THEN s.org_id END), count(DISTINCT CASE WHEN s.anonymous = 0 THEN "
   "p.sector_id END), 0, min(s.mail_at), "
   "max(s.mail_at) FROM c4tap_indicators i JOIN c4tap_submissions s ON s.id "
   "= i.submission_id JOIN orgs g ON g.id = s.org_id LEFT JOIN scopes p ON "
   "p.id = g.scope_id WHERE i.value = ?1 AND (?2 IS NULL OR i.kind = ?2)")
/* the named providers of a value (of kind ?2 unless NULL): each
 * organisation once, with its sector and the widest provider range of its
 * submissions holding the value (the seventh digit of s.ranges, the
 * provider type's), at most ?3 of them */
ST(C4_LOOKUP_PROVIDERS,
   "SELECT s.org_id, COALESCE(p.sector_id, ''), max(substr(s.ranges, 7, "
   "1)) FROM c4tap_indicators i JOIN c4tap_submissions s ON s.id = "
   "i.submission_id JOIN orgs g ON g.id = s.org_id LEFT JOIN scopes p ON "
   "p.id = g.scope_id WHERE i.value = ?1 AND (?2 IS NULL OR i.kind = ?2) "
   "AND s.anonymous = 0 GROUP BY s.org_id, COALESCE(p.sector_id, '') "
   "ORDER BY s.org_id LIMIT ?3")
/* the per-value counts (migration 0023) */
ST(C4_VALUE_ADD, "INSERT INTO c4tap_values(value, submissions, first, last) "
                 "VALUES (?1, 1, ?2, ?2) ON CONFLICT(value) DO UPDATE SET "
                 "submissions = submissions + 1, first = min(first, ?2), "
                 "last = max(last, ?2)")
ST(C4_VALUE_ORG_ADD, "INSERT OR IGNORE INTO c4tap_value_orgs(value, org_id, "
                     "sector_id) VALUES (?1, ?2, ?3)")
ST(C4_VALUE_COUNTS,
   "SELECT v.submissions, (SELECT count(*) FROM c4tap_value_orgs o WHERE "
   "o.value = ?1), (SELECT count(DISTINCT o.sector_id) FROM "
   "c4tap_value_orgs o WHERE o.value = ?1 AND o.sector_id <> ''), 0, "
   "v.first, v.last FROM c4tap_values v WHERE v.value = ?1")
ST(C4_SUB_BY_HASH, "SELECT id FROM c4tap_submissions WHERE org_id = ?1 AND "
                   "sha256 = ?2")
ST(C4_SUB_RAW, "SELECT raw FROM c4tap_submissions WHERE id = ?1")
ST(C4_SUB_VERSION, "SELECT version FROM c4tap_submissions WHERE id = ?1")
ST(C4_SUB_SET_RANGES, "UPDATE c4tap_submissions SET ranges = ?2, version = "
                      "version + 1 WHERE id = ?1 AND version = ?3")
ST(C4_SUB_SET_CAMPAIGN,
   "UPDATE c4tap_submissions SET campaign_id = ?2 WHERE id = ?1")
ST(C4_SUBS_OF_CAMPAIGN, "SELECT " C4_SUB_COLS C4_SUB_FROM
                        "WHERE s.campaign_id = ?1 ORDER BY s.mail_at, s.id")
ST(C4_SUBS_WALK, "SELECT " C4_SUB_COLS C4_SUB_FROM
                 "WHERE ?1 = 0 OR s.id < ?1 ORDER BY s.id DESC")
ST(C4_IND_ADD, "INSERT INTO c4tap_indicators(submission_id, kind, value, "
               "type, keyed) VALUES (?1, ?2, ?3, ?4, ?5)")
/* the lowest campaign sharing a keyed indicator (NULL: none) */
ST(C4_CAMPAIGNS_SHARING,
   "SELECT min(s.campaign_id) FROM c4tap_indicators i JOIN "
   "c4tap_submissions s ON s.id = i.submission_id WHERE i.value = ?2 AND "
   "i.kind = ?1 AND i.keyed = 1")
/* the newest C4TAP_LOOKUP_ROWS rows of a value, with their submissions
 * (the head columns of C4_SUB_COLS follow the indicator's kind and type) */
ST(C4_LOOKUP, "SELECT i.kind, i.type, " C4_SUB_COLS C4_SUB_FROM_IND
              "WHERE i.value = ?1 AND (?2 IS NULL OR i.kind = ?2) ORDER BY "
              "i.submission_id DESC LIMIT ?3")
/* the keyed indicators of a campaign's submissions, with each row's
 * submission (C4_SUB_COLS after the kind, value and type) */
ST(C4_CAMPAIGN_KEYED,
   "SELECT i.kind, i.value, i.type, " C4_SUB_COLS C4_SUB_FROM_IND
   "WHERE s.campaign_id = ?1 AND i.keyed "
   "= 1 ORDER BY i.kind, i.value")
ST(C4_INDICATORS_OF, "SELECT submission_id, kind, value, type FROM "
                     "c4tap_indicators WHERE submission_id = ?1 ORDER BY "
                     "rowid")
#define C4_CAMPAIGN_COLS                                                       \
    "c.id, c.created_at, c.updated_at, c.merged_into, c.version, c.title, "    \
    "c.advisory_id, (SELECT count(*) FROM c4tap_submissions s WHERE "          \
    "s.campaign_id = c.id) FROM c4tap_campaigns c "
/* ?2 the id (store_insert_fresh_id) */
ST(C4_CAMPAIGN_INSERT, "INSERT INTO c4tap_campaigns(id, created_at, "
                       "updated_at) VALUES (?2, ?1, ?1) "
                       "ON CONFLICT(id) DO NOTHING")
ST(C4_CAMPAIGN_GET, "SELECT " C4_CAMPAIGN_COLS "WHERE c.id = ?1")
ST(C4_CAMPAIGNS, "SELECT " C4_CAMPAIGN_COLS
                 "WHERE c.merged_into = 0 ORDER BY c.updated_at DESC, c.id "
                 "DESC")
ST(C4_CAMPAIGN_TOUCH, "UPDATE c4tap_campaigns SET updated_at = max(updated_at, "
                      "?2), version = version + 1 WHERE id = ?1")
ST(C4_CAMPAIGN_TITLE, "UPDATE c4tap_campaigns SET title = ?2, updated_at = "
                      "?3, version = version + 1 WHERE id = ?1")
ST(C4_CAMPAIGN_MOVE, "UPDATE c4tap_submissions SET campaign_id = ?2 WHERE "
                     "campaign_id = ?1")
ST(C4_CAMPAIGN_MERGED, "UPDATE c4tap_campaigns SET merged_into = ?2, "
                       "updated_at = ?3, version = version + 1 WHERE id = ?1")
ST(C4_CAMPAIGN_MERGED_CHAIN,
   "UPDATE c4tap_campaigns SET merged_into = ?2 WHERE merged_into = ?1")
ST(C4_CAMPAIGN_ADVISORY,
   "UPDATE c4tap_campaigns SET advisory_id = ?2, updated_at = ?3, version "
   "= version + 1 WHERE id = ?1 AND advisory_id = ''")
/* ?7 the id (store_insert_fresh_id) */
ST(C4_NOTE_ADD, "INSERT INTO c4tap_notes(id, campaign_id, user_id, org_id, "
                "range, text, created_at) VALUES (?7, ?1, ?2, ?3, ?4, ?5, ?6) "
                "ON CONFLICT(id) DO NOTHING")
/* the largest id of the notes one organisation wrote on a campaign */
ST(C4_NOTE_MAX_ID, "SELECT coalesce(max(id), 0) FROM c4tap_notes WHERE "
                   "campaign_id = ?1 AND org_id = ?2")
ST(C4_NOTES, "SELECT n.id, n.user_id, n.created_at, n.range, n.org_id, "
             "n.text, COALESCE(NULLIF(u.display_name, ''), u.username, '') "
             "FROM c4tap_notes n LEFT JOIN users u ON u.id = n.user_id "
             "WHERE n.campaign_id = ?1 ORDER BY n.id")
