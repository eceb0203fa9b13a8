/* issue 16: the TAXII 2.1 server (store_taxii.c). Included by
 * store/store_sql.h: no include guard on purpose. */
ST(TAXII_LAST_ADDED, "SELECT coalesce(max(added), 0) FROM taxii_objects "
                     "WHERE coll = ?1")
/* the versions of an id in a collection, whoever posted them */
ST(TAXII_SAME_ID,
   "SELECT poster, community, min(range, last_range), ver_us, range FROM "
   "taxii_objects INDEXED BY taxii_objects_id WHERE coll = ?1 AND stix_id = "
   "?2 LIMIT 1000")
/* the rows of an id in a collection, with the advisory each came from */
ST(TAXII_ID_SRC,
   "SELECT coalesce(src, ''), ver_us FROM taxii_objects INDEXED BY "
   "taxii_objects_id WHERE coll = ?1 AND stix_id = ?2 LIMIT 1000")
/* every organisation of the registry (their identities' ids) */
ST(TAXII_ORG_IDS, "SELECT id FROM orgs")
/* the national bodies (NISC, ministries, CEPTOARs, agencies) */
ST(TAXII_NATIONAL_IDS, "SELECT id FROM orgs WHERE kind NOT IN ('operator', "
                       "'external')")
/* which of the ids in ?2 (a JSON array) coll holds, in any version */
ST(TAXII_IDS_HELD,
   "SELECT DISTINCT stix_id FROM taxii_objects INDEXED BY taxii_objects_id "
   "WHERE coll = ?1 AND stix_id IN (SELECT value FROM json_each(?2))")
/* an object's lineage: its versions posted by one organisation */
ST(TAXII_VERSIONS_OF,
   "SELECT max(ver_us), min(ver_us), coalesce(sum(ver_us = ?3), 0), "
   "coalesce(max(CASE WHEN is_last = 1 THEN range END), 0) FROM "
   "taxii_objects WHERE coll = ?1 AND poster = ?4 AND stix_id = ?2")
ST(TAXII_CLEAR_LAST, "UPDATE taxii_objects SET is_last = 0, last_range = ?4 "
                     "WHERE coll = ?1 AND poster = ?3 AND stix_id = ?2")
ST(TAXII_CLEAR_FIRST, "UPDATE taxii_objects SET is_first = 0 WHERE coll = ?1 "
                      "AND poster = ?3 AND stix_id = ?2 AND is_first = 1")
ST(TAXII_INSERT,
   "INSERT INTO taxii_objects (coll, stix_id, ver_us, version, type, added, "
   "range, poster, community, src, is_last, is_first, body, last_range) "
   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")
/* A page: the collection's objects after the position (added, seq), in
 * the order they were added, pre-selected by range as core/taxii.c
 * taxii_object_decide decides (?6 = 1: no pre-selection; ?7 the caller's
 * organisation, ?14 it has Yellow standing, ?15 its CEPTOARs ",a,b,") and
 * by the filters (NULL: none; JSON arrays). */
/* clang-format off */
#ifndef TAXII_PAGE_COLS
#define TAXII_PAGE_COLS                                                        \
    "SELECT seq, stix_id, ver_us, version, type, added, "                     \
    "min(range, last_range), poster, community, src, body FROM "               \
    "taxii_objects "
#define TAXII_PAGE_FILTERS                                                     \
    " AND (?6 = 1 OR min(range, last_range) >= " RANGE_SQL(RANGE_V_GREEN) " "  \
    "OR poster = ?7 "                                                          \
    "OR (min(range, last_range) >= " RANGE_SQL(RANGE_V_YELLOW) " "             \
    "AND ?14 = 1) "                                                            \
    "OR (min(range, last_range) >= " RANGE_SQL(RANGE_V_AMBER) " "              \
    "AND (instr(community, ',' || ?7 || ',') > 0 "                             \
    "OR csv_overlap(?15, community)))) "                                       \
    "AND (?8 IS NULL OR type IN (SELECT value FROM json_each(?8))) "           \
    "AND (?9 = 1 OR (?10 = 1 AND is_last = 1) OR (?11 = 1 AND is_first = 1) "  \
    "OR (?12 IS NOT NULL AND ver_us IN (SELECT CAST(value AS BIGINT) FROM "   \
    "json_each(?12)))) "
#endif
ST(TAXII_PAGE,
   TAXII_PAGE_COLS
   "WHERE coll = ?1 AND added >= ?2 AND (added > ?2 OR seq > ?3) "
   "AND ?4 IS NULL AND ?5 = 0" TAXII_PAGE_FILTERS
   "ORDER BY added, seq LIMIT ?13")
/* The same for a list of ids (?4, a JSON array): by the ids' index. */
ST(TAXII_PAGE_IDS,
   "SELECT seq, stix_id, ver_us, version, type, added, "
   "min(range, last_range), poster, community, src, body FROM taxii_objects "
   "INDEXED BY taxii_objects_id "
   "WHERE coll = ?1 AND stix_id IN (SELECT value FROM json_each(?4)) "
   "AND added >= ?2 AND (added > ?2 OR seq > ?3) AND ?5 = 0"
   TAXII_PAGE_FILTERS
   "ORDER BY added, seq LIMIT ?13")
/* objects of a collection after seq, in the order of adding (a push) */
ST(TAXII_AFTER_SEQ,
   TAXII_PAGE_COLS "WHERE coll = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")
#ifndef TAXII_PEER_COLS
#define TAXII_PEER_COLS                                                        \
    "id, name, org, api_root, collection, direction, auth_user, secret, "      \
    "interval_s, created_at, pull_after, push_seq, next_run, "                 \
    "coalesce(last_run, 0), coalesce(last_ok, 0), last_error, pulled, "        \
    "added, duplicates, quarantined, pushed, push_failed, mapping, audience, " \
    "pull_next"
#endif
/* clang-format on */
ST(TAXII_SRC_SEEN, "SELECT count(*) FROM taxii_objects WHERE coll = ?1 AND "
                   "src = ?2")
ST(TAXII_STATUS_PUT, "INSERT INTO taxii_status (id, org, created_at, body) "
                     "VALUES (?1, ?2, ?3, ?4)")
ST(TAXII_STATUS_GET, "SELECT body FROM taxii_status WHERE id = ?1 AND "
                     "org = ?2")
ST(TAXII_STATUS_PRUNE, "DELETE FROM taxii_status WHERE created_at < ?1")
/* advisories whose range was narrowed since their objects were added */
ST(TAXII_ADVISORIES_NARROWED,
   "SELECT DISTINCT a.seq, a.id FROM advisories a JOIN taxii_objects t ON "
   "t.coll = ?1 AND t.src = a.id WHERE t.type = 'report' AND t.is_last = 1 "
   "AND a.range < t.range LIMIT ?2")
/* advisories in the collection relayed by a hop since their objects were
 * added (their readers grew: migration 0041) */
ST(TAXII_ADVISORIES_RELAYED,
   "SELECT a.seq, a.id FROM advisories a WHERE a.drill = 0 AND "
   "a.taxii_hops < (SELECT count(*) FROM advisory_hops h WHERE "
   "h.advisory_id = a.id AND h.step > 0 AND h.state = 'relayed') AND "
   "EXISTS (SELECT 1 FROM taxii_objects t WHERE t.coll = ?1 AND t.src = "
   "a.id) ORDER BY a.seq LIMIT ?2")
/* the relayed hops of an advisory as its objects are added */
ST(TAXII_ADVISORY_HOPS_SET,
   "UPDATE advisories SET taxii_hops = (SELECT count(*) FROM advisory_hops h "
   "WHERE h.advisory_id = ?1 AND h.step > 0 AND h.state = 'relayed') WHERE "
   "id = ?1")
ST(TAXII_SRC_DELETE, "DELETE FROM taxii_objects WHERE coll = ?1 AND src = ?2")
/* advisories not yet in the TAXII collection (the worker's high-water) */
ST(TAXII_ADVISORIES_AFTER, "SELECT seq, id FROM advisories WHERE seq > ?1 "
                           "AND drill = 0 ORDER BY seq LIMIT ?2")
ST(TAXII_PEER_ADD,
   "INSERT INTO taxii_peers (id, name, org, api_root, collection, direction, "
   "auth_user, secret, interval_s, created_at, next_run, mapping, audience) "
   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12)")
ST(TAXII_PEER_GET, "SELECT " TAXII_PEER_COLS " FROM taxii_peers WHERE id = ?1")
ST(TAXII_PEERS, "SELECT " TAXII_PEER_COLS " FROM taxii_peers ORDER BY name, "
                "id")
ST(TAXII_PEER_DELETE, "DELETE FROM taxii_peers WHERE id = ?1")
ST(TAXII_PEER_DUE, "SELECT id FROM taxii_peers WHERE next_run <= ?1 ORDER BY "
                   "next_run, id LIMIT 1")
ST(TAXII_PEER_STATE,
   "UPDATE taxii_peers SET pull_after = ?2, pull_next = ?14, push_seq = ?3, "
   "next_run = ?4, "
   "last_run = ?5, last_ok = CASE WHEN ?6 = 1 THEN ?5 ELSE last_ok END, "
   "last_error = ?7, pulled = pulled + ?8, added = added + ?9, duplicates = "
   "duplicates + ?10, quarantined = quarantined + ?11, pushed = pushed + ?12, "
   "push_failed = push_failed + ?13 WHERE id = ?1")
ST(TAXII_RUN_ADD, "INSERT INTO taxii_runs (peer, at, direction, ok, reason, "
                  "objects, added, failed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                  "?8)")
ST(TAXII_RUNS, "SELECT at, direction, ok, reason, objects, added, failed FROM "
               "taxii_runs WHERE peer = ?1 ORDER BY seq DESC LIMIT ?2")
ST(TAXII_RUNS_PRUNE, "DELETE FROM taxii_runs WHERE at < ?1")
ST(TAXII_QUARANTINE_ADD, "INSERT INTO taxii_quarantine (peer, at, stix_id, "
                         "reason, body) VALUES (?1, ?2, ?3, ?4, ?5)")
ST(TAXII_QUARANTINE_HELD,
   "SELECT count(*) FROM taxii_quarantine WHERE peer = ?1 AND stix_id = ?2 "
   "AND reason = ?3 AND body = ?4")
ST(TAXII_QUARANTINE, "SELECT at, stix_id, reason, body FROM taxii_quarantine "
                     "WHERE peer = ?1 ORDER BY seq DESC LIMIT ?2")
ST(TAXII_MAP_ADD, "INSERT OR IGNORE INTO taxii_adv_map (peer, stix_id, state, "
                  "at, body) VALUES (?1, ?2, 'pending', ?3, ?4)")
ST(TAXII_MAP_PENDING, "SELECT stix_id, body FROM taxii_adv_map WHERE peer = "
                      "?1 AND state = 'pending' ORDER BY at, stix_id LIMIT ?2")
ST(TAXII_MAP_SET, "UPDATE taxii_adv_map SET state = ?3, advisory = ?4, "
                  "reason = ?5 WHERE peer = ?1 AND stix_id = ?2 AND state = "
                  "'pending'")
ST(TAXII_MAP_LIST, "SELECT stix_id, state, advisory, reason, at FROM "
                   "taxii_adv_map WHERE peer = ?1 ORDER BY at DESC, stix_id "
                   "LIMIT ?2")
