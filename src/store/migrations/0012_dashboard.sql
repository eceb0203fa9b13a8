-- 0012: an index for the dashboard (GET /api/v1/dashboard; docs/rules.md,
-- "Dashboard"). Its report counts read only the columns of the report
-- list's filter (REPORTS_WHERE_SQL) and the filing time: this index holds
-- them all, so a count scans the index, never the rows with their bodies,
-- and in the order of its first columns, so the matrix's GROUP BY needs no
-- sort (store_sql.h, DASH_REPORT_CELLS).
CREATE INDEX IF NOT EXISTS reports_dash ON reports(state, sector_id,
    severity, declared, range, kind, scope_id, originator, reached,
    community, full_at, full_due, final_due, created_at);
