-- 0013: reminders of an advisory (issue 11, the acknowledgement board):
-- who reminded, when, how many organisations. The rate limit (one per
-- advisory and reminding organisation within 10 minutes) reads it.
CREATE TABLE advisory_reminds (
    id          INTEGER PRIMARY KEY,
    advisory_id TEXT NOT NULL REFERENCES advisories(id),
    by_org      TEXT NOT NULL,
    by_user     INTEGER NOT NULL,
    orgs        INTEGER NOT NULL,
    queued      INTEGER NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX advisory_reminds_by ON advisory_reminds(advisory_id, by_org, at);
