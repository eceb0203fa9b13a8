-- 0032: the registry names' version (docs/architecture.md, "Lists").
-- A report list shows the names of organisations and scopes; each
-- connection keeps the names it has read (store_reports.c) while this
-- counter is unchanged. Every insert, delete, or change of an id or a
-- name of an organisation or a scope bumps it, by these triggers,
-- whatever writes it (the daemon, the command-line tool's registry
-- import, another process on the database).
-- (IF NOT EXISTS: a database rewound to an older schema version by a test
-- re-runs this file.)
CREATE TABLE IF NOT EXISTS registry_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO registry_version(id, version) VALUES (1, 1);

CREATE TRIGGER IF NOT EXISTS registry_version_orgs_ins
AFTER INSERT ON orgs BEGIN
    UPDATE registry_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS registry_version_orgs_upd
AFTER UPDATE OF id, name_ja, name_en ON orgs BEGIN
    UPDATE registry_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS registry_version_orgs_del
AFTER DELETE ON orgs BEGIN
    UPDATE registry_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS registry_version_scopes_ins
AFTER INSERT ON scopes BEGIN
    UPDATE registry_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS registry_version_scopes_upd
AFTER UPDATE OF id, name_ja, name_en ON scopes BEGIN
    UPDATE registry_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS registry_version_scopes_del
AFTER DELETE ON scopes BEGIN
    UPDATE registry_version SET version = version + 1 WHERE id = 1;
END;
