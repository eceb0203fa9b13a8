-- 0012: indexes of the dashboard (GET /api/v1/dashboard; docs/rules.md,
-- "Dashboard"): its 7-day timeline reads reports and advisories by the
-- time they were filed or issued.
CREATE INDEX IF NOT EXISTS reports_created ON reports(created_at);
CREATE INDEX IF NOT EXISTS advisories_created ON advisories(created_at);
