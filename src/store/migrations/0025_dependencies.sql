-- 0025: interdependency between sectors and cascade suggestions (issue 15;
-- docs/rules.md "Interdependency and cascade suggestions").

-- The model, versioned: each edit is a new version (the current one is
-- the highest); the first comes from data/dependencies/national.json.
CREATE TABLE IF NOT EXISTS dep_models (
    version    INTEGER PRIMARY KEY,
    model      TEXT NOT NULL,              -- the model file (JSON)
    created_by INTEGER NOT NULL,           -- 0: infrashare init
    created_at INTEGER NOT NULL
) STRICT;

-- What was suggested for an event, and what was done about it.
CREATE TABLE IF NOT EXISTS cascade_log (
    id            INTEGER PRIMARY KEY,
    event_id      TEXT NOT NULL,
    model_version INTEGER NOT NULL,
    severity      INTEGER NOT NULL,
    sources       TEXT NOT NULL,           -- JSON array of sectors
    suggestions   TEXT NOT NULL,           -- JSON, as answered
    created_by    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    advisory_id   TEXT NOT NULL DEFAULT '',
    acted_by      INTEGER NOT NULL DEFAULT 0,
    acted_at      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX IF NOT EXISTS cascade_log_event ON cascade_log(event_id, id);
