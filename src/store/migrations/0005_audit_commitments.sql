-- 0005: withheld identities enter the audit chain only as hiding
-- commitments (see core/audit_chain.h). Entries written before this
-- migration keep version 1 and their hashes; new entries are version 2.
ALTER TABLE audit ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit ADD COLUMN commitment BLOB;
-- The opening of each commitment (and so the withheld actor). Never read by
-- any API view; read by chain verification and to scope an organisation's
-- own view to its own entries.
CREATE TABLE audit_withheld (
    seq        INTEGER PRIMARY KEY,
    salt       BLOB NOT NULL,
    actor_user INTEGER,
    actor_org  TEXT
) STRICT;
CREATE INDEX audit_withheld_org ON audit_withheld(actor_org);
CREATE INDEX audit_actor_org ON audit(actor_org);
CREATE TRIGGER audit_withheld_no_update BEFORE UPDATE ON audit_withheld
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_withheld_no_delete BEFORE DELETE ON audit_withheld
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- The v1 -> v2 link is made by the first entry written after this point
-- (store_audit_append), when version-1 entries exist.
INSERT INTO meta(key, value)
SELECT 'audit_v1_entries', CAST((SELECT count(*) FROM audit) AS TEXT)
WHERE EXISTS (SELECT 1 FROM audit)
   OR EXISTS (SELECT 1 FROM meta WHERE key = 'audit_head');
