/* issue 15: the guideline's editions, the annual survey, CP/BCP readiness
 * (store_survey.c) and notices (store_notice.c); migration 0027. Included
 * by store/store_sql.h: no include guard on purpose. */
ST(GL_EDITION_PUT, "INSERT OR IGNORE INTO guideline_editions(edition, "
                   "catalogue, stored_at) VALUES (?1, ?2, ?3)")
ST(GL_EDITION_GET, "SELECT catalogue FROM guideline_editions WHERE edition "
                   "= ?1")
#define SV_COLS                                                                \
    "c.id, c.fy, c.edition, c.title_ja, c.title_en, c.sectors, c.items, "      \
    "c.state, c.deadline, c.opened_by, c.opened_at, c.closed_by, "             \
    "c.closed_at, c.version, (SELECT count(*) FROM survey_targets t WHERE "    \
    "t.campaign_id = c.id) "
ST(SV_INSERT, "INSERT INTO survey_campaigns(id, fy, edition, title_ja, "
              "title_en, sectors, items, state, deadline, opened_by, "
              "opened_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8, "
              "?9, ?10)")
ST(SV_GET, "SELECT " SV_COLS "FROM survey_campaigns c WHERE c.id = ?1")
ST(SV_LIST, "SELECT " SV_COLS "FROM survey_campaigns c ORDER BY c.fy DESC "
            "LIMIT 200")
/* the latest closed campaign before fiscal year ?1 (year on year) */
ST(SV_PREVIOUS, "SELECT " SV_COLS "FROM survey_campaigns c WHERE c.fy < ?1 "
                "AND c.state = 'closed' ORDER BY c.fy DESC LIMIT 1")
ST(SV_CLOSE, "UPDATE survey_campaigns SET state = 'closed', closed_by = ?3, "
             "closed_at = ?4, version = version + 1 WHERE id = ?1 AND "
             "version = ?2 AND state = 'open'")
/* the operators of the sectors named in JSON array ?2 (all when empty) */
ST(SV_TARGETS_ADD,
   "INSERT INTO survey_targets(campaign_id, org_id, sector_id) SELECT ?1, "
   "o.id, s.sector_id FROM orgs o JOIN scopes s ON s.id = o.scope_id WHERE "
   "o.kind = 'operator' AND (json_array_length(?2) = 0 OR "
   "s.sector_id IN (SELECT value FROM json_each(?2)))")
ST(SV_TARGET_SECTOR, "SELECT sector_id FROM survey_targets WHERE "
                     "campaign_id = ?1 AND org_id = ?2")
#define SV_RESP_COLS                                                           \
    "t.org_id, t.sector_id, COALESCE(r.state, 'none'), COALESCE(r.shared, "    \
    "0), COALESCE(r.updated_at, 0), COALESCE(r.submitted_at, 0), "             \
    "COALESCE(r.version, 0), (SELECT count(*) FROM survey_answers a WHERE "    \
    "a.campaign_id = t.campaign_id AND a.org_id = t.org_id), (SELECT "         \
    "max(m.at) FROM survey_reminders m WHERE m.campaign_id = t.campaign_id "   \
    "AND m.org_id = t.org_id), o.name_ja, o.name_en FROM survey_targets t "    \
    "JOIN orgs o ON o.id = t.org_id LEFT JOIN survey_responses r ON "          \
    "r.campaign_id = t.campaign_id AND r.org_id = t.org_id "
ST(SV_RESP_GET, "SELECT " SV_RESP_COLS "WHERE t.campaign_id = ?1 AND "
                "t.org_id = ?2")
ST(SV_RESP_ALL, "SELECT " SV_RESP_COLS "WHERE t.campaign_id = ?1 ORDER BY "
                "t.org_id")
/* the members of CEPTOAR ?2 among the campaign's operators */
ST(SV_RESP_OF_CEPTOAR, "SELECT " SV_RESP_COLS "WHERE t.campaign_id = ?1 AND "
                       "t.org_id IN (SELECT org_id FROM memberships WHERE "
                       "group_id = ?2) ORDER BY t.org_id")
/* per sector: operators asked, submitted, drafts */
ST(SV_PROGRESS,
   "SELECT t.sector_id, count(*), sum(r.state = 'submitted'), "
   "sum(r.state = 'draft') FROM survey_targets t LEFT JOIN survey_responses "
   "r ON r.campaign_id = t.campaign_id AND r.org_id = t.org_id WHERE "
   "t.campaign_id = ?1 GROUP BY t.sector_id ORDER BY t.sector_id")
ST(SV_RESP_PUT,
   "INSERT INTO survey_responses(campaign_id, org_id, state, shared, "
   "ever_shared, updated_by, updated_at, submitted_at, version) VALUES (?1, "
   "?2, ?3, ?4, ?4, ?5, ?6, ?7, 1) ON CONFLICT(campaign_id, org_id) DO "
   "UPDATE SET state = ?3, shared = ?4, ever_shared = CASE WHEN ?4 = 1 THEN "
   "1 ELSE survey_responses.ever_shared END, updated_by = ?5, updated_at = "
   "?6, submitted_at = ?7, version = version + 1")
ST(SV_ANSWER_PUT,
   "INSERT INTO survey_answers(campaign_id, org_id, item_id, answer, "
   "evidence) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(campaign_id, org_id, "
   "item_id) DO UPDATE SET answer = ?4, evidence = ?5")
/* STORE_DEMO_ANSWERS new answers in one statement, of the demo data
 * (service/demo_survey.c): one round trip on PostgreSQL instead of 16 */
#define SV_DEMO_ANSWER_ROW "(?, ?, ?, ?, '')"
#define SV_DEMO_ANSWER_ROWS4                                                   \
    SV_DEMO_ANSWER_ROW ", " SV_DEMO_ANSWER_ROW ", " SV_DEMO_ANSWER_ROW         \
                       ", " SV_DEMO_ANSWER_ROW
ST(SV_DEMO_ANSWERS,
   "INSERT INTO survey_answers(campaign_id, org_id, item_id, answer, "
   "evidence) VALUES " SV_DEMO_ANSWER_ROWS4 ", " SV_DEMO_ANSWER_ROWS4
   ", " SV_DEMO_ANSWER_ROWS4 ", " SV_DEMO_ANSWER_ROWS4)
ST(SV_ANSWER_CLEAR, "DELETE FROM survey_answers WHERE campaign_id = ?1 AND "
                    "org_id = ?2 AND item_id = ?3")
ST(SV_ATT_DELETE, "DELETE FROM survey_attachments WHERE id = ?1")
ST(SV_ANSWERS, "SELECT item_id, answer, evidence FROM survey_answers WHERE "
               "campaign_id = ?1 AND org_id = ?2 ORDER BY item_id")
/* the tallies follow a submission: ?4 = +1 (counted) or -1 (taken back) */
ST(SV_TALLY_ROWS,
   "INSERT OR IGNORE INTO survey_tally(campaign_id, sector_id, item_id) "
   "SELECT ?1, ?3, item_id FROM survey_answers WHERE campaign_id = ?1 AND "
   "org_id = ?2")
ST(SV_TALLY_ADD,
   "UPDATE survey_tally AS y SET adopted = adopted + ?4 * (a.answer = "
   "'adopted'), partly = partly + ?4 * (a.answer = 'partly'), not_adopted = "
   "not_adopted + ?4 * (a.answer = 'not'), na = na + ?4 * (a.answer = "
   "'na') FROM survey_answers a WHERE a.campaign_id = ?1 AND a.org_id = ?2 "
   "AND y.campaign_id = ?1 AND y.sector_id = ?3 AND y.item_id = a.item_id")
ST(SV_TALLY_N,
   "INSERT INTO survey_tally_n(campaign_id, sector_id, respondents) VALUES "
   "(?1, ?2, max(?3, 0)) ON CONFLICT(campaign_id, sector_id) DO UPDATE SET "
   "respondents = respondents + ?3")
ST(SV_TALLY, "SELECT y.sector_id, y.item_id, y.adopted, y.partly, "
             "y.not_adopted, y.na FROM survey_tally y WHERE y.campaign_id = "
             "?1 ORDER BY y.sector_id, y.item_id")
ST(SV_TALLY_NS, "SELECT sector_id, respondents FROM survey_tally_n WHERE "
                "campaign_id = ?1 ORDER BY sector_id")
/* per sector and CEPTOAR: the submitted respondents whose answers that
 * CEPTOAR's secretariat may know: shared with it at any time (0038; a
 * response read while shared stays known once sharing is turned off) */
ST(SV_SHARED_COUNTS,
   "SELECT t.sector_id, m.group_id, count(*) FROM survey_responses r JOIN "
   "survey_targets t ON t.campaign_id = r.campaign_id AND t.org_id = "
   "r.org_id JOIN memberships m ON m.org_id = r.org_id JOIN orgs g ON g.id "
   "= m.group_id WHERE r.campaign_id = ?1 AND r.state = 'submitted' AND "
   "r.ever_shared = 1 AND g.kind = 'ceptoar' GROUP BY 1, 2 ORDER BY 1, 2")
ST(SV_ATT_COUNT, "SELECT count(*), COALESCE(sum(size), 0) FROM "
                 "survey_attachments WHERE campaign_id = ?1 AND org_id = ?2")
/* ?11 the id (store_insert_fresh_id) */
ST(SV_ATT_ADD, "INSERT INTO survey_attachments(id, campaign_id, org_id, "
               "item_id, name, ctype, size, sha256, data, created_by, "
               "created_at) VALUES (?11, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
               "?10) ON CONFLICT(id) DO NOTHING")
ST(SV_ATT_MAX_ID, "SELECT coalesce(max(id), 0) FROM survey_attachments "
                  "WHERE campaign_id = ?1 AND org_id = ?2")
ST(SV_ATT_GET, "SELECT id, campaign_id, org_id, item_id, name, ctype, size, "
               "sha256, created_by, created_at, data FROM "
               "survey_attachments WHERE id = ?1")
ST(SV_ATT_META, "SELECT id, campaign_id, org_id, item_id, name, ctype, size, "
                "sha256, created_by, created_at, NULL FROM survey_attachments "
                "WHERE id = ?1")
ST(SV_ATTS, "SELECT id, campaign_id, org_id, item_id, name, ctype, size, "
            "sha256, created_by, created_at, NULL FROM survey_attachments "
            "WHERE campaign_id = ?1 AND org_id = ?2 ORDER BY id")
ST(SV_REMINDED, "INSERT INTO survey_reminders(campaign_id, org_id, by_org, "
                "by_user, at) VALUES (?1, ?2, ?3, ?4, ?5)")
ST(SV_LAST_REMINDED, "SELECT COALESCE(max(at), 0) FROM survey_reminders "
                     "WHERE campaign_id = ?1 AND org_id = ?2")
ST(BCP_ANSWERS, "SELECT check_id, answer, note, updated_by, updated_at FROM "
                "bcp_readiness WHERE org_id = ?1 AND edition = ?2 ORDER BY "
                "check_id")
ST(BCP_PUT, "INSERT INTO bcp_readiness(org_id, edition, check_id, answer, "
            "note, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
            "?7) ON CONFLICT(org_id, edition, check_id) DO UPDATE SET "
            "answer = ?4, note = ?5, updated_by = ?6, updated_at = ?7")
ST(BCP_VERSION, "SELECT version FROM bcp_readiness_version WHERE org_id = ?1")
ST(BCP_BUMP, "INSERT INTO bcp_readiness_version(org_id, version) VALUES "
             "(?1, 1) ON CONFLICT(org_id) DO UPDATE SET version = version + 1")
/* notices (store_notice.c) */
/* ?7 the id (store_insert_fresh_id) */
ST(NOTICE_ADD, "INSERT INTO notices(id, kind, ref, org_id, subject, body, "
               "created_at) VALUES (?7, ?1, ?2, ?3, ?4, ?5, ?6) "
               "ON CONFLICT(id) DO NOTHING")
ST(NOTICE_QUEUE,
   "INSERT OR IGNORE INTO notice_deliveries(notice_id, org_id, contact_id, "
   "channel, address, state, next_at, lease_until, idem_key, created_at) "
   "SELECT ?1, ?2, k.id, k.channel, k.address, 'queued', ?3, 0, 'notice.' "
   "|| ?1 || '.' || k.id, ?3 FROM contacts k WHERE k.org_id = ?2 AND "
   "k.channel = 'email'")
ST(NOTICE_GET, "SELECT id, kind, ref, org_id, subject, body, created_at FROM "
               "notices WHERE id = ?1")
ST(NOTICE_COUNT, "SELECT count(*) FROM notices WHERE kind = ?1 AND ref = ?2 "
                 "AND org_id = ?3 AND created_at >= ?4")
ST(NOTICE_CLAIM,
   "UPDATE notice_deliveries SET state = 'sending', lease_until = ?2, "
   "attempts = attempts + 1 WHERE id IN (SELECT id FROM notice_deliveries "
   "WHERE (state = 'queued' AND next_at <= ?1) OR (state = 'sending' AND "
   "lease_until <= ?1) ORDER BY next_at, id LIMIT ?3) RETURNING id, "
   "notice_id, org_id, contact_id, channel, address, attempts, idem_key, 0, "
   "'', lease_until")
ST(NOTICE_DONE, "UPDATE notice_deliveries SET state = 'delivered', "
                "delivered_at = ?2, last_error = '' WHERE id = ?1 AND state "
                "= 'sending' AND lease_until = ?3")
ST(NOTICE_RETRY, "UPDATE notice_deliveries SET state = 'queued', next_at = "
                 "?2, last_error = ?3 WHERE id = ?1 AND state = 'sending' "
                 "AND lease_until = ?4")
ST(NOTICE_FAILED, "UPDATE notice_deliveries SET state = 'failed', "
                  "last_error = ?2 WHERE id = ?1 AND state = 'sending' AND "
                  "lease_until = ?3")
