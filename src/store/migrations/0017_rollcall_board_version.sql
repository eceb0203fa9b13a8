-- 0017: the roll-call board's version (docs/rules.md, "Roll calls and
-- survey requests", the board's cache). Every change to what a board
-- shows - an answer, a recipient added, released, escalated or moved to
-- another hop, an organisation's name or scope, the scope -> sector ->
-- ministry map - bumps the version of the roll calls it touches, by these
-- triggers, whatever code path writes it. A board read in one snapshot
-- with its version may be reused by the next read of the same version.
-- (IF NOT EXISTS: a database rewound to an older schema version by a test
-- re-runs this file.)
CREATE TABLE IF NOT EXISTS rollcall_versions (
    advisory_id TEXT PRIMARY KEY,
    version     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS rollcall_version_answer_ins
AFTER INSERT ON rollcall_answers BEGIN
    INSERT INTO rollcall_versions(advisory_id, version)
    VALUES (NEW.advisory_id, 1)
    ON CONFLICT(advisory_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS rollcall_version_answer_upd
AFTER UPDATE ON rollcall_answers BEGIN
    INSERT INTO rollcall_versions(advisory_id, version)
    VALUES (NEW.advisory_id, 1)
    ON CONFLICT(advisory_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS rollcall_version_counts_ins
AFTER INSERT ON rollcall_counts BEGIN
    INSERT INTO rollcall_versions(advisory_id, version)
    VALUES (NEW.advisory_id, 1)
    ON CONFLICT(advisory_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS rollcall_version_counts_upd
AFTER UPDATE ON rollcall_counts BEGIN
    INSERT INTO rollcall_versions(advisory_id, version)
    VALUES (NEW.advisory_id, 1)
    ON CONFLICT(advisory_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS rollcall_version_rcpt_ins
AFTER INSERT ON advisory_recipients BEGIN
    INSERT INTO rollcall_versions(advisory_id, version)
    SELECT NEW.advisory_id, 1 WHERE EXISTS (SELECT 1 FROM rollcall_forms f
        WHERE f.advisory_id = NEW.advisory_id)
    ON CONFLICT(advisory_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS rollcall_version_rcpt_upd
AFTER UPDATE OF via, released_at, escalated_at ON advisory_recipients BEGIN
    INSERT INTO rollcall_versions(advisory_id, version)
    SELECT NEW.advisory_id, 1 WHERE EXISTS (SELECT 1 FROM rollcall_forms f
        WHERE f.advisory_id = NEW.advisory_id)
    ON CONFLICT(advisory_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS rollcall_version_rcpt_del
AFTER DELETE ON advisory_recipients BEGIN
    UPDATE rollcall_versions SET version = version + 1
    WHERE advisory_id = OLD.advisory_id;
END;

CREATE TRIGGER IF NOT EXISTS rollcall_version_org
AFTER UPDATE OF name_ja, name_en, scope_id ON orgs BEGIN
    UPDATE rollcall_versions SET version = version + 1
    WHERE advisory_id IN (SELECT advisory_id FROM advisory_recipients
                          WHERE org_id = NEW.id);
END;

CREATE TRIGGER IF NOT EXISTS rollcall_version_scope
AFTER UPDATE OF sector_id ON scopes BEGIN
    UPDATE rollcall_versions SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS rollcall_version_sector
AFTER UPDATE OF ministry_id ON sectors BEGIN
    UPDATE rollcall_versions SET version = version + 1;
END;
