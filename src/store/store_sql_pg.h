/*
 * store_sql_pg.h - the statements whose PostgreSQL text is written here
 * rather than rewritten from their SQLite text (pg_sql.h): each
 * STP(NAME, "SQL") replaces ST(NAME, ...) of store_sql.h on PostgreSQL,
 * with the same parameters and the same result columns. Included by
 * store.c only.
 */

/* INSERT OR REPLACE: the row replaced, the columns not named back to
 * their defaults (as SQLite deletes the old row and inserts) */
STP(DEMO_OBS_STATES,
    "INSERT INTO obs_states(site_id, state, since, \"window\", window_n, "
    "last_at, last_total, last_outcome, score, first_at) SELECT s.id, "
    "'normal', ?1 - 6 * 86400, 0, 5, ?1 - 60, 80 + (s.id * 37) % 300, 'ok', "
    "0, ?1 - 7 * 86400 FROM obs_sites s WHERE s.demo = 1 ON CONFLICT "
    "(site_id) DO UPDATE SET state = excluded.state, since = excluded.since, "
    "\"window\" = excluded.\"window\", window_n = excluded.window_n, last_at "
    "= excluded.last_at, last_total = excluded.last_total, last_outcome = "
    "excluded.last_outcome, addr = '', score = excluded.score, reason_ja = "
    "'', reason_en = '', phase = '', first_at = excluded.first_at")
STP(DEMO_OBS_ROLLUP,
    "INSERT INTO obs_rollups(site_id, vantage_id, bucket, n, errors, p50, "
    "p90, p99, dns_p50, connect_p50, tls_p50, ttfb_p50, sketch) VALUES (?1, "
    "'hub', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT "
    "(site_id, vantage_id, bucket) DO UPDATE SET n = excluded.n, errors = "
    "excluded.errors, p50 = excluded.p50, p90 = excluded.p90, p99 = "
    "excluded.p99, dns_p50 = excluded.dns_p50, connect_p50 = "
    "excluded.connect_p50, tls_p50 = excluded.tls_p50, ttfb_p50 = "
    "excluded.ttfb_p50, sketch = excluded.sketch")
STP(DEMO_OBS_ROLLUPS,
    "INSERT INTO obs_rollups(site_id, vantage_id, bucket, n, errors, p50, "
    "p90, p99, dns_p50, connect_p50, tls_p50, ttfb_p50, sketch) "
    "VALUES " DEMO_ROLLUP_ROWS5 " ON CONFLICT "
    "(site_id, vantage_id, bucket) DO UPDATE SET n = excluded.n, errors = "
    "excluded.errors, p50 = excluded.p50, p90 = excluded.p90, p99 = "
    "excluded.p99, dns_p50 = excluded.dns_p50, connect_p50 = "
    "excluded.connect_p50, tls_p50 = excluded.tls_p50, ttfb_p50 = "
    "excluded.ttfb_p50, sketch = excluded.sketch")
STP(DEMO_OBS_BASELINES,
    "INSERT INTO obs_baselines(site_id, vantage_id, how, median_ms, mad_ms, "
    "n, updated_at) VALUES " DEMO_BASELINE_ROWS4 ", " DEMO_BASELINE_ROWS4
    " ON CONFLICT (site_id, vantage_id, how) DO UPDATE SET median_ms = "
    "excluded.median_ms, mad_ms = excluded.mad_ms, n = excluded.n, "
    "updated_at = excluded.updated_at")
STP(DEMO_OBS_BASELINE,
    "INSERT INTO obs_baselines(site_id, vantage_id, how, median_ms, mad_ms, "
    "n, updated_at) VALUES (?1, 'hub', ?2, ?3, ?4, ?5, ?6) ON CONFLICT "
    "(site_id, vantage_id, how) DO UPDATE SET median_ms = "
    "excluded.median_ms, mad_ms = excluded.mad_ms, n = excluded.n, "
    "updated_at = excluded.updated_at")
