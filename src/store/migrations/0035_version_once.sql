-- 0035: no change on SQLite. PostgreSQL's version counters are bumped
-- once per transaction from this version on (migrations_pg/0035): SQLite
-- updates its counter row in place, so its per-row triggers cost nothing
-- to keep. The number keeps both engines' schema versions in step.
SELECT 1;
