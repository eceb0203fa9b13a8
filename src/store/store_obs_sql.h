/* Website response observation (issue 12): the statements of
 * store/store_obs.c. Included at the end of store/store_sql.h (X-macro,
 * no include guard on purpose). */
#ifndef OBS_VISIBLE_SQL
/* Site s is visible to the reader: the registration's rule
 * (OBS_SITE_VISIBLE_SQL, core access_site_scope) with ?1 the reader's
 * organisation and ?2 its enum access_site_scope. ?3 = 1 when the reader
 * is a CEPTOAR secretariat (the correlated alerts of its sector). */
#define OBS_VISIBLE_SQL(s) OBS_SITE_VISIBLE_SQL(s, "?2", "?1")
/* how (hour of the week, JST, Monday 00:00 = 0) of Unix time t: the epoch
 * was a Thursday 09:00 JST (core/obs_baseline.h obs_how) */
#define OBS_HOW_SQL(t) "(((" t " + 32400) / 3600 + 72) % 168)"
/* a site s of OBS_SECTOR_COUNTS's outer join that counts as observed
 * (registered, not paused) */
#define OBS_LIVE_SQL "s.id IS NOT NULL AND s.paused = 0"
/* its state (st of the same join) is none of normal, slow, unreachable */
#define OBS_OTHER_SQL                                                          \
    "coalesce(st.state, 'learning') NOT IN ('normal', 'slow', 'unreachable')"
#define OBSD_SITE_COLS                                                         \
    "s.id, s.org_id, coalesce(sc.sector_id, ''), s.host, s.hosting, "          \
    "s.dns_provider, s.interval_s, s.notify, s.paused, s.demo, s.deleted_at, " \
    "s.label, s.url"
#define OBSD_SITE_FROM                                                         \
    " FROM obs_sites s JOIN orgs o ON o.id = s.org_id LEFT JOIN scopes sc ON " \
    "sc.id = o.scope_id "
#endif
ST(OBS_VANTAGE_GET, "SELECT id, public_key, last_seq, active FROM "
                    "obs_vantages WHERE id = ?1")
ST(OBS_VANTAGE_SEQ, "UPDATE obs_vantages SET last_seq = ?2 WHERE id = ?1 AND "
                    "last_seq < ?2")
ST(OBS_VANTAGE_ENSURE_HUB,
   "INSERT OR IGNORE INTO obs_vantages(id, name_ja, name_en, public_key, "
   "created_at) VALUES ('hub', 'ハブ', 'Hub', '', ?1)")
ST(OBS_SITE_GET, "SELECT " OBSD_SITE_COLS OBSD_SITE_FROM "WHERE s.id = ?1")
/* a site is assigned to every vantage point while it is registered, not
 * paused and its organisation's CEPTOAR takes part in the programme */
ST(OBS_SITE_ASSIGNED,
   "SELECT count(*)" OBSD_SITE_FROM "WHERE s.id = ?1 AND s.deleted_at = 0 AND "
   "s.paused = 0 AND s.demo = 0 AND EXISTS "
   "(SELECT 1 FROM memberships m JOIN obs_participants p ON p.ceptoar_id = "
   "m.group_id WHERE m.org_id = s.org_id)")
ST(OBS_HUB_SITES,
   "SELECT " OBSD_SITE_COLS OBSD_SITE_FROM
   "WHERE s.deleted_at = 0 AND s.paused = 0 AND s.demo = 0 AND EXISTS "
   "(SELECT 1 FROM memberships m JOIN obs_participants p ON p.ceptoar_id = "
   "m.group_id WHERE m.org_id = s.org_id) ORDER BY s.id")
ST(OBS_RESULT_INSERT,
   "INSERT INTO obs_results(site_id, vantage_id, at, at_ms, outcome, "
   "status, dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms, addr, verdict, "
   "score) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
   "?14)")
ST(OBS_BASELINE_GET, "SELECT median_ms, mad_ms, n FROM obs_baselines WHERE "
                     "site_id = ?1 AND vantage_id = ?2 AND how = ?3")
ST(OBS_BASELINE_PUT,
   "INSERT INTO obs_baselines(site_id, vantage_id, how, median_ms, mad_ms, "
   "n, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(site_id, "
   "vantage_id, how) DO "
   "UPDATE SET median_ms = excluded.median_ms, mad_ms = excluded.mad_ms, n "
   "= excluded.n, updated_at = excluded.updated_at")
/* the 5-minute p50s of hour-of-week ?3 in the 4 weeks before ?4 */
ST(OBS_BASELINE_SRC, "SELECT p50 FROM obs_rollups WHERE site_id = ?1 AND "
                     "vantage_id = ?2 AND bucket >= ?4 - 2419200 AND bucket "
                     "< ?4 AND n > errors AND " OBS_HOW_SQL("bucket") " = ?3")
ST(OBS_ROLLUP_GET, "SELECT n, errors, sketch FROM obs_rollups WHERE site_id "
                   "= ?1 AND vantage_id = ?2 AND bucket = ?3")
ST(OBS_ROLLUP_PUT,
   "INSERT INTO obs_rollups(site_id, vantage_id, bucket, n, errors, p50, "
   "p90, p99, dns_p50, connect_p50, tls_p50, ttfb_p50, sketch) VALUES (?1, "
   "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT(site_id, "
   "vantage_id, bucket) DO "
   "UPDATE SET n = excluded.n, errors = excluded.errors, p50 = excluded.p50, "
   "p90 = excluded.p90, p99 = excluded.p99, dns_p50 = excluded.dns_p50, "
   "connect_p50 = excluded.connect_p50, tls_p50 = excluded.tls_p50, "
   "ttfb_p50 = excluded.ttfb_p50, sketch = excluded.sketch")
/* the phase durations of the bucket's raw results (medians per phase) */
ST(OBS_BUCKET_PHASES,
   "SELECT dns_ms, connect_ms, tls_ms, ttfb_ms FROM obs_results WHERE "
   "site_id = ?1 AND vantage_id = ?2 AND at >= ?3 AND at < ?3 + 300 AND "
   "outcome = 'ok'")
ST(OBS_VSTATE_GET,
   "SELECT state, since, window, window_n, first_at, last_at, score, ratio, "
   "usual_ms, phase FROM obs_vstates WHERE site_id = ?1 AND vantage_id = ?2")
ST(OBS_VSTATE_PUT,
   "INSERT INTO obs_vstates(site_id, vantage_id, state, since, window, "
   "window_n, first_at, last_at, score, ratio, usual_ms, phase) VALUES (?1, "
   "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT(site_id, "
   "vantage_id) DO UPDATE SET "
   "state = excluded.state, since = excluded.since, window = "
   "excluded.window, window_n = excluded.window_n, last_at = "
   "excluded.last_at, score = excluded.score, ratio = excluded.ratio, "
   "usual_ms = excluded.usual_ms, phase = excluded.phase, first_at = "
   "min(obs_vstates.first_at, excluded.first_at)")
/* a site's vantages' states, those that reported within ?2 seconds */
ST(OBS_VSTATES_OF_SITE,
   "SELECT vantage_id, state, since, score, ratio, usual_ms, phase, "
   "window, window_n FROM obs_vstates WHERE site_id = ?1 AND last_at >= ?2 "
   "ORDER BY vantage_id")
ST(OBS_STATE_GET, "SELECT state, since, first_at FROM obs_states WHERE "
                  "site_id = ?1")
ST(OBS_STATE_PUT,
   "INSERT INTO obs_states(site_id, state, since, window, window_n, last_at, "
   "last_total, last_outcome, addr, score, reason_ja, reason_en, phase, "
   "first_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
   "?13, ?14) ON CONFLICT(site_id) DO UPDATE SET state = excluded.state, "
   "since = "
   "excluded.since, window = excluded.window, window_n = excluded.window_n, "
   "last_at = max(last_at, excluded.last_at), last_total = CASE WHEN "
   "excluded.last_at >= last_at THEN excluded.last_total ELSE last_total "
   "END, last_outcome = CASE WHEN excluded.last_at >= last_at THEN "
   "excluded.last_outcome ELSE last_outcome END, addr = CASE WHEN "
   "excluded.addr <> '' THEN excluded.addr ELSE addr END, score = "
   "excluded.score, reason_ja = excluded.reason_ja, reason_en = "
   "excluded.reason_en, phase = excluded.phase")
/* every (site, vantage) state taken in the last ?1 seconds before ?2,
 * with its site's grouping keys: the input of the correlation */
ST(OBS_ANOMALY_INPUT,
   "SELECT v.site_id, v.vantage_id, v.state, v.since, v.ratio, v.phase, "
   "coalesce(sc.sector_id, ''), coalesce(st.addr, ''), s.dns_provider, "
   "s.hosting, s.org_id, s.notify, coalesce(st.state, 'learning'), "
   "coalesce(st.since, 0), s.label, s.host, v.usual_ms, coalesce(st.reason_ja, "
   "''), "
   "coalesce(st.reason_en, '') FROM obs_vstates v JOIN obs_sites s ON s.id = "
   "v.site_id JOIN orgs o ON o.id = s.org_id LEFT JOIN scopes sc ON sc.id = "
   "o.scope_id LEFT JOIN obs_states st ON st.site_id = v.site_id WHERE "
   "s.deleted_at = 0 AND s.paused = 0 AND v.last_at >= ?2 - ?1 ORDER BY "
   "v.site_id, v.vantage_id")
/* the size of each group: sites per sector, DNS provider, hosting
 * network, address prefix (registered, not paused) */
ST(OBS_GROUP_SIZES,
   "SELECT 'sector', coalesce(sc.sector_id, ''), count(*)" OBSD_SITE_FROM
   "WHERE s.deleted_at = 0 AND s.paused = 0 GROUP BY 2 UNION ALL SELECT "
   "'dns', s.dns_provider, count(*) FROM obs_sites s WHERE s.deleted_at = 0 "
   "AND s.paused = 0 AND s.dns_provider <> '' GROUP BY 2 UNION ALL SELECT "
   "'hosting', s.hosting, count(*) FROM obs_sites s WHERE s.deleted_at = 0 "
   "AND s.paused = 0 AND s.hosting <> '' GROUP BY 2")
/* an open alert's subject is its kind and key, and for a prefix, DNS or
 * hosting alert its sector (such a group is one sector's:
 * core/obs_correlate.h) */
ST(OBS_ALERT_OPEN_GET,
   "SELECT id, since, site_count FROM obs_alerts WHERE state = 'open' AND "
   "kind = ?1 AND key = ?2 AND (kind NOT IN ('prefix', 'dns', 'hosting') OR "
   "sector_id = ?3)")
ST(OBS_ALERTS_OPEN_ALL, "SELECT id, kind, key, sector_id FROM obs_alerts "
                        "WHERE state = 'open' ORDER BY id")
/* ?13 the id (store_insert_fresh_id) */
ST(OBS_ALERT_INSERT,
   "INSERT INTO obs_alerts(id, kind, key, sector_id, org_id, condition, "
   "phase, since, raised_at, site_count, reason_ja, reason_en, evidence) "
   "VALUES (?13, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
   "ON CONFLICT(id) DO NOTHING")
/* the largest id of the alerts of one subject (kind and key) */
ST(OBS_ALERT_MAX_ID, "SELECT coalesce(max(id), 0) FROM obs_alerts WHERE "
                     "kind = ?1 AND key = ?2")
ST(OBS_ALERT_EXTEND,
   "UPDATE obs_alerts SET site_count = ?2, condition = ?3, phase = ?4, "
   "reason_ja = ?5, reason_en = ?6, evidence = ?7, since = min(since, ?8), "
   "version = version + 1 WHERE id = ?1 AND state = 'open'")
ST(OBS_ALERT_CLOSE, "UPDATE obs_alerts SET state = 'closed', closed_at = ?2, "
                    "version = version + 1 WHERE id = ?1 AND state = 'open'")
ST(OBS_ALERT_SITE_ADD, "INSERT OR IGNORE INTO obs_alert_sites(alert_id, "
                       "site_id, since) VALUES (?1, ?2, ?3)")
ST(OBS_ALERT_SITES_CLEAR, "DELETE FROM obs_alert_sites WHERE alert_id = ?1")
/* of the alert's sites: how many have a state of some vantage point from
 * the last ?3 seconds before ?2, and how many are still observed (not
 * removed, not paused) but have none */
ST(OBS_ALERT_FRESHNESS,
   "SELECT coalesce(sum(CASE WHEN EXISTS (SELECT 1 FROM obs_vstates v WHERE "
   "v.site_id = x.site_id AND v.last_at >= ?2 - ?3) THEN 1 ELSE 0 END), 0), "
   "coalesce(sum(CASE WHEN s.deleted_at = 0 AND s.paused = 0 AND NOT EXISTS "
   "(SELECT 1 FROM obs_vstates v WHERE v.site_id = x.site_id AND v.last_at "
   ">= ?2 - ?3) THEN 1 ELSE 0 END), 0) FROM obs_alert_sites x JOIN "
   "obs_sites s ON s.id = x.site_id WHERE x.alert_id = ?1")
ST(OBS_ALERT_GET,
   "SELECT id, kind, key, sector_id, org_id, state, condition, phase, since, "
   "raised_at, closed_at, site_count, reason_ja, reason_en, evidence, "
   "advisory_id, version FROM obs_alerts WHERE id = ?1")
/* alerts newest first, filtered (?4 state, ?5 kind, ?6 sector: '' = any),
 * that the reader may see: a site alert of a visible site; a correlated
 * alert for NISC (?2), a secretariat of its sector (?3 and the reader's
 * scope sector ?7), the sector's ministry (?8 = 1 and ministry_id = ?1).
 * A site alert's key is its site's id, cast to BIGINT: PostgreSQL's
 * INTEGER is 32 bits and the id of a site registered through the API is
 * not, so once such a site had an alert this list was a 500 there (found
 * by fuzz/api_fuzz.py) */
ST(OBS_ALERTS_LIST,
   "SELECT a.id, a.kind, a.key, a.sector_id, a.org_id, a.state, "
   "a.condition, a.phase, a.since, a.raised_at, a.closed_at, a.site_count, "
   "a.reason_ja, a.reason_en, a.evidence, a.advisory_id, a.version FROM "
   "obs_alerts a WHERE (?4 = '' OR a.state = ?4) AND (?5 = '' OR a.kind = "
   "?5) AND (?6 = '' OR a.sector_id = ?6) AND (CASE WHEN a.kind = 'site' "
   "THEN EXISTS (SELECT 1 FROM obs_sites s WHERE s.id = CAST(a.key AS "
   "BIGINT) AND " OBS_VISIBLE_SQL(
       "s") ") ELSE (?2 = 0 OR (?3 = 1 AND "
            "a.sector_id = ?7) OR (?8 = 1 AND EXISTS (SELECT 1 FROM sectors se "
            "WHERE "
            "se.id = a.sector_id AND se.ministry_id = ?1))) END) ORDER BY a.id "
            "DESC "
            "LIMIT ?9")
/* the alert's sites the reader may see (?1..?3 as OBS_VISIBLE_SQL) */
ST(OBS_ALERT_SITES_VISIBLE,
   "SELECT s.id, s.label, s.host, s.org_id, x.since FROM obs_alert_sites x "
   "JOIN obs_sites s ON s.id = x.site_id WHERE x.alert_id = ?4 "
   "AND " OBS_VISIBLE_SQL("s") " ORDER BY s.id")
/* how many of the alert's sites the reader may see (?1..?3 as
 * OBS_VISIBLE_SQL) */
ST(OBS_ALERT_SITES_SEEN,
   "SELECT count(*) FROM obs_alert_sites x JOIN obs_sites s ON s.id = "
   "x.site_id WHERE x.alert_id = ?4 AND " OBS_VISIBLE_SQL("s"))
/* how many organisations of the sites the alert's group counted (the
 * evidence ?4's group_orgs) the reader may not see (?1..?3 as
 * OBS_VISIBLE_SQL; a site's visibility is its organisation's), and 1
 * when the evidence counts a group (group_sites) but names none of its
 * organisations (an alert stored before they were recorded) */
ST(OBS_ALERT_GROUP_UNSEEN,
   "SELECT count(*), CASE WHEN json_extract(?4, '$.group_orgs') IS NULL AND "
   "json_extract(?4, '$.group_sites') IS NOT NULL THEN 1 ELSE 0 END FROM "
   "(SELECT value AS org_id FROM json_each(json_extract(?4, "
   "'$.group_orgs'))) g WHERE NOT " OBS_SITE_VISIBLE_SQL("g", "?2", "?1"))
/* how many sites of the alert's group (the evidence ?4's group_org_sites:
 * "count:organisation" per organisation) the reader may see (?1..?3 as
 * OBS_VISIBLE_SQL; a site's visibility is its organisation's) */
ST(OBS_ALERT_GROUP_SEEN,
   "SELECT coalesce(sum(g.n), 0) FROM (SELECT substr(value, instr(value, "
   "':') + 1) AS org_id, CAST(substr(value, 1, instr(value, ':') - 1) AS "
   "INTEGER) AS n FROM json_each(json_extract(?4, '$.group_org_sites'))) g "
   "WHERE " OBS_SITE_VISIBLE_SQL("g", "?2", "?1"))
ST(OBS_ALERT_SET_ADVISORY,
   "UPDATE obs_alerts SET advisory_id = ?2, version = version + 1 WHERE id "
   "= ?1 AND advisory_id = ''")
/* the one site the reader may see, or none */
ST(OBS_SITE_VISIBLE, "SELECT count(*) FROM obs_sites s WHERE s.id = ?4 AND "
                     "s.deleted_at = 0 AND " OBS_VISIBLE_SQL("s"))
ST(OBS_RAW_POINTS,
   "SELECT at, 1, outcome <> 'ok', total_ms, total_ms, total_ms, dns_ms, "
   "connect_ms, tls_ms, ttfb_ms, vantage_id FROM obs_results WHERE site_id "
   "= ?1 AND at >= ?2 AND at < ?3 ORDER BY at, id LIMIT 20000")
ST(OBS_ROLLUP_POINTS,
   "SELECT bucket, n, errors, p50, p90, p99, dns_p50, connect_p50, tls_p50, "
   "ttfb_p50, vantage_id, sketch FROM obs_rollups WHERE site_id = ?1 AND "
   "bucket >= ?2 AND bucket < ?3 ORDER BY bucket, vantage_id LIMIT 200000")
ST(OBS_SITE_BASELINES, "SELECT vantage_id, how, median_ms, mad_ms, n FROM "
                       "obs_baselines WHERE site_id = ?1 ORDER BY vantage_id, "
                       "how")
ST(OBS_SITE_VANTAGES,
   "SELECT DISTINCT vantage_id FROM obs_vstates WHERE site_id = ?1 ORDER BY 1")
/* sites and their current state per sector (registered, not paused),
 * then the sector's registered sites paused or not and how many of those
 * the reader may see: whether it sees every site of the sector is decided
 * on those, the sites the heat map's aggregate cells count (a paused
 * site's rollups too), so that a pause never turns a reader's counts
 * exact (docs/rules.md "Aggregates"); then how many of each state's the
 * reader may see (added to its counts exactly, the rest rounded) */
ST(OBS_SECTOR_COUNTS,
   "SELECT se.id, se.name_ja, se.name_en, se.ministry_id, "
   "coalesce(sum(" OBS_LIVE_SQL "), 0), "
   "coalesce(sum(" OBS_LIVE_SQL " AND st.state = 'normal'), 0), "
   "coalesce(sum(" OBS_LIVE_SQL " AND st.state = 'slow'), 0), "
   "coalesce(sum(" OBS_LIVE_SQL " AND st.state = 'unreachable'), 0), "
   "coalesce(sum(" OBS_LIVE_SQL " AND " OBS_OTHER_SQL "), 0), "
   "coalesce(sum(" OBS_LIVE_SQL " AND " OBS_VISIBLE_SQL(
       "s") "), 0), "
            "count(s.id), "
            "coalesce(sum(s.id IS NOT NULL AND " OBS_VISIBLE_SQL(
                "s") "), 0), "
                     "coalesce(sum(" OBS_LIVE_SQL
                     " AND st.state = 'normal' AND " OBS_VISIBLE_SQL(
                         "s") "), 0), "
                              "coalesce(sum(" OBS_LIVE_SQL
                              " AND st.state = 'slow' AND " OBS_VISIBLE_SQL(
                                  "s") "), 0), "
                                       "coalesce(sum(" OBS_LIVE_SQL
                                       " AND st.state = 'unreachable' "
                                       "AND " OBS_VISIBLE_SQL(
                                           "s") "), 0), "
                                                "coalesce(sum(" OBS_LIVE_SQL
                                                " AND " OBS_OTHER_SQL
                                                " AND " OBS_VISIBLE_SQL(
                                                    "s") "), 0) "
                                                         "FROM sectors se LEFT "
                                                         "JOIN scopes sc ON "
                                                         "sc.sector_id = se.id "
                                                         "LEFT JOIN orgs o ON "
                                                         "o.scope_id = sc.id "
                                                         "LEFT JOIN obs_sites "
                                                         "s ON "
                                                         "s.org_id = o.id AND "
                                                         "s.deleted_at = 0 "
                                                         "LEFT JOIN obs_states "
                                                         "st ON "
                                                         "st.site_id = s.id "
                                                         "GROUP BY se.id ORDER "
                                                         "BY se.ord, se.id")
/* the heat map's sites of sector ?4 the reader may see */
ST(OBS_HEAT_SITES,
   "SELECT s.id, s.label, s.host, s.org_id, coalesce(st.state, "
   "'learning')" OBSD_SITE_FROM
   "LEFT JOIN obs_states st ON st.site_id = s.id WHERE s.deleted_at = 0 AND "
   "s.paused = 0 AND sc.sector_id = ?4 AND " OBS_VISIBLE_SQL(
       "s") " ORDER BY "
            "s.id LIMIT 5000")
/* the registered sites of sector ?4 the reader may see, paused or not
 * (those of OBS_HEAT_CELLS it sees) */
ST(OBS_HEAT_SEEN,
   "SELECT s.id" OBSD_SITE_FROM "WHERE s.deleted_at = 0 AND sc.sector_id = "
   "?4 AND " OBS_VISIBLE_SQL("s") " ORDER BY s.id")
/* a cell of the heat map: the site's probes in buckets ?1..?2 grouped by
 * ?3 seconds (every registered site of sector ?4, paused or not: the
 * sites OBS_SECTOR_COUNTS's last two columns count); its p50 is the highest of
 * its vantage points' and buckets' medians, its usual is the baseline of that
 * row: on a tie, the smaller baseline (the higher ratio), then the first
 * vantage id and bucket, so both engines pick the same row (docs/rules.md
 * "Aggregates") */
ST(OBS_HEAT_CELLS,
   "SELECT site_id, cell, sum(n), sum(errors), max(p50), max(CASE WHEN rk = "
   "1 THEN base END) FROM (SELECT site_id, cell, n, errors, p50, base, "
   "row_number() OVER (PARTITION BY site_id, cell ORDER BY p50 DESC, base "
   "IS NULL, base, vantage_id, bucket) AS rk FROM (SELECT r.site_id, "
   "r.bucket / ?3 * ?3 AS cell, r.n, r.errors, r.p50, r.vantage_id, "
   "r.bucket, (SELECT b.median_ms FROM obs_baselines b WHERE b.site_id = "
   "r.site_id AND b.vantage_id = r.vantage_id AND b.how = " OBS_HOW_SQL(
       "r.bucket") ") AS base FROM obs_rollups r JOIN obs_sites s ON s.id = "
                   "r.site_id JOIN orgs o ON o.id = s.org_id JOIN scopes sc ON "
                   "sc.id = o.scope_id WHERE sc.sector_id = ?4 AND "
                   "s.deleted_at = 0 AND r.bucket >= ?1 AND r.bucket < ?2) AS "
                   "rows_in) AS ranked GROUP BY site_id, cell ORDER BY 1, 2")
ST(OBS_PRUNE_RESULTS, "DELETE FROM obs_results WHERE at < ?1")
ST(OBS_PRUNE_ROLLUPS, "DELETE FROM obs_rollups WHERE bucket < ?1")
/* the e-mail jobs of an alert: every e-mail contact of organisation ?2 */
ST(OBS_ALERT_QUEUE,
   "INSERT OR IGNORE INTO obs_alert_deliveries(alert_id, org_id, "
   "contact_id, channel, address, state, next_at, lease_until, idem_key, "
   "created_at) SELECT ?1, ?2, k.id, k.channel, k.address, 'queued', ?3, 0, "
   "'obs.' || ?1 || '.' || ?2 || '.' || k.id, ?3 FROM contacts k WHERE "
   "k.org_id = ?2 AND k.channel = 'email'")
/* the CEPTOAR secretariats of sector ?1 */
ST(OBS_SECTOR_CEPTOARS,
   "SELECT o.id FROM orgs o JOIN scopes sc ON sc.id = o.scope_id WHERE "
   "o.kind = 'ceptoar' AND sc.sector_id = ?1 ORDER BY o.id")
ST(OBS_NISC_ORGS, "SELECT id FROM orgs WHERE kind = 'nisc' ORDER BY id")
ST(OBS_OAD_CLAIM,
   "UPDATE obs_alert_deliveries SET state = 'sending', lease_until = ?2, "
   "attempts = attempts + 1 WHERE id IN (SELECT id FROM "
   "obs_alert_deliveries WHERE (state = 'queued' AND next_at <= ?1) OR "
   "(state = 'sending' AND lease_until <= ?1) ORDER BY next_at, id LIMIT "
   "?3) RETURNING id, alert_id, org_id, contact_id, channel, address, "
   "attempts, idem_key, 0, '', lease_until")
ST(OBS_OAD_DONE, "UPDATE obs_alert_deliveries SET state = 'delivered', "
                 "delivered_at = ?2, last_error = '' WHERE id = ?1 AND "
                 "state = 'sending' AND lease_until = ?3")
ST(OBS_OAD_RETRY, "UPDATE obs_alert_deliveries SET state = 'queued', "
                  "next_at = ?2, last_error = ?3 WHERE id = ?1 AND state = "
                  "'sending' AND lease_until = ?4")
ST(OBS_OAD_FAILED, "UPDATE obs_alert_deliveries SET state = 'failed', "
                   "last_error = ?2 WHERE id = ?1 AND state = 'sending' AND "
                   "lease_until = ?3")
ST(OBS_IN_MAINTENANCE, "SELECT count(*) FROM obs_maintenance WHERE site_id = "
                       "?1 AND starts <= ?2 AND ends > ?2")
