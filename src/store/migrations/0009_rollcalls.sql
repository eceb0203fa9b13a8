-- 0009: roll calls and survey requests (docs/rules.md, "Roll calls and
-- survey requests"): an advisory may carry a small answer form; each
-- recipient organisation keeps one answer (a later one replaces it), and
-- the board's counts are kept per (CEPTOAR hop, sector, question, value)
-- in the same transaction as each answer, so reading the board never
-- scans the recipients.

-- The form attached to an advisory (normalised JSON, see service/rollcall.c).
CREATE TABLE rollcall_forms (
    advisory_id TEXT PRIMARY KEY REFERENCES advisories(id),
    name        TEXT NOT NULL DEFAULT '',   -- 'roll_call' for the standard form
    form        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- One answer per recipient organisation (the latest; replacements are in
-- the audit log).
CREATE TABLE rollcall_answers (
    advisory_id TEXT NOT NULL REFERENCES advisories(id),
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    answers     TEXT NOT NULL,              -- JSON {question: value}
    answered_at INTEGER NOT NULL,
    answered_by INTEGER NOT NULL DEFAULT 0, -- user id, 0 = through the link
    how         TEXT NOT NULL,              -- api, link
    revision    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (advisory_id, org_id)
) STRICT, WITHOUT ROWID;

-- The board's counters: question '' holds 'recipients' and 'answered';
-- a choice question holds one row per value given. via is the recipient's
-- releasing hop ('' = released by the author), sector '' = none.
CREATE TABLE rollcall_counts (
    advisory_id TEXT NOT NULL,
    via         TEXT NOT NULL,
    sector      TEXT NOT NULL,
    question    TEXT NOT NULL,
    value       TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (advisory_id, via, sector, question, value)
) STRICT, WITHOUT ROWID;
