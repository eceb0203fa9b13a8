-- 0008: handling-rule agreements (docs/rules.md "Handling-rule agreements").
-- Yellow access requires an active agreement; the orgs.observer flag is kept
-- as registry data only (eligible to agree) and gives nothing by itself.
-- Idempotent (IF NOT EXISTS, OR IGNORE): safe to apply over a database
-- that already has these tables.
CREATE TABLE IF NOT EXISTS handling_rules (
    version      TEXT PRIMARY KEY,
    title_ja     TEXT NOT NULL,
    title_en     TEXT NOT NULL,
    effective_at INTEGER NOT NULL -- unix seconds; the latest is current
) STRICT;
INSERT OR IGNORE INTO handling_rules(version, title_ja, title_en, effective_at) VALUES
    ('2026.1', '重要インフラにおける情報共有の取扱いルール（2026年版）',
     'Handling rules for critical-infrastructure information sharing (2026)',
     1767225600);
CREATE TABLE IF NOT EXISTS agreements (
    id            INTEGER PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    rules_version TEXT NOT NULL REFERENCES handling_rules(version),
    signed_by     INTEGER, -- users.id; NULL when recorded by the system (demo)
    signed_at     INTEGER NOT NULL,
    withdrawn_by  INTEGER,
    withdrawn_at  INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS agreements_org ON agreements(org_id, id);
-- at most one active agreement per organisation: a second concurrent
-- signing fails on this index (409)
CREATE UNIQUE INDEX IF NOT EXISTS agreements_one_active ON agreements(org_id)
    WHERE withdrawn_at IS NULL;
