-- 0023: C4TAP's lookup counts kept per indicator value (issue 13's
-- benchmark: "have others seen this?" must not count thousands of rows at
-- each lookup of a popular value). Kept in the submission's write
-- transaction (store_c4tap_value_add); submissions are never deleted, so
-- the counts only grow. Values across kinds: a submission counts once per
-- value, whichever kinds hold it.
CREATE TABLE IF NOT EXISTS c4tap_values (
    value       TEXT PRIMARY KEY,
    submissions INTEGER NOT NULL,
    first       INTEGER NOT NULL,   -- earliest mail_at
    last        INTEGER NOT NULL    -- latest mail_at
) STRICT, WITHOUT ROWID;

-- the organisations (and their sectors) that submitted a value
CREATE TABLE IF NOT EXISTS c4tap_value_orgs (
    value     TEXT NOT NULL,
    org_id    TEXT NOT NULL,
    sector_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (value, org_id)
) STRICT, WITHOUT ROWID;

-- what 0022's rows already hold
INSERT OR IGNORE INTO c4tap_values(value, submissions, first, last)
    SELECT i.value, count(DISTINCT s.id), min(s.mail_at), max(s.mail_at)
    FROM c4tap_indicators i JOIN c4tap_submissions s ON s.id = i.submission_id
    GROUP BY i.value;
INSERT OR IGNORE INTO c4tap_value_orgs(value, org_id, sector_id)
    SELECT DISTINCT i.value, s.org_id, COALESCE(p.sector_id, '')
    FROM c4tap_indicators i JOIN c4tap_submissions s ON s.id = i.submission_id
    JOIN orgs g ON g.id = s.org_id LEFT JOIN scopes p ON p.id = g.scope_id;

-- the lookup's newest rows of a value without sorting all of them
CREATE INDEX IF NOT EXISTS c4tap_ind_value_sub
    ON c4tap_indicators(value, submission_id);
