-- 0028: the operators' risk registers (issue 15; docs/rules.md "Risk
-- register"; 002:261-308).

-- One risk of one operator. impact and likelihood are levels of the
-- operator's own scale (risk_scales, or the default 5 x 5); measures is a
-- JSON array of guideline catalogue item ids; shared: readable by the
-- secretariats of the operator's CEPTOARs.
CREATE TABLE IF NOT EXISTS risks (
    id          INTEGER PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner       TEXT NOT NULL,                -- the risk owner (name/role)
    asset       TEXT NOT NULL DEFAULT '',     -- asset or service concerned
    impact      INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    likelihood  INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    treatment   TEXT NOT NULL CHECK (treatment IN ('reduce', 'avoid',
                                                   'transfer', 'accept')),
    measures    TEXT NOT NULL DEFAULT '[]',
    plan        TEXT NOT NULL DEFAULT '',     -- the treatment plan
    review_at   INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    shared      INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    version     INTEGER NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_by  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS risks_org ON risks(org_id, id);
CREATE INDEX IF NOT EXISTS risks_review ON risks(state, review_at);

-- Every version of a risk: the row as it was after that version (JSON),
-- who made it and when. Written in the transaction that made the version.
CREATE TABLE IF NOT EXISTS risk_history (
    risk_id  INTEGER NOT NULL REFERENCES risks(id),
    version  INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    by_user  INTEGER NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (risk_id, version)
) STRICT, WITHOUT ROWID;

-- An operator's own scale: 3 to 5 levels of impact and of likelihood,
-- each a label [{"ja": ..., "en": ...}], and its risk appetite: a risk
-- whose impact x likelihood reaches threshold is above appetite. No row:
-- the default 5 x 5 scale, threshold 12 (service/risks.c).
CREATE TABLE IF NOT EXISTS risk_scales (
    org_id     TEXT PRIMARY KEY REFERENCES orgs(id),
    impact     TEXT NOT NULL,
    likelihood TEXT NOT NULL,
    threshold  INTEGER NOT NULL CHECK (threshold BETWEEN 1 AND 25),
    version    INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Review reminders sent: one per risk and review date.
CREATE TABLE IF NOT EXISTS risk_reminders (
    risk_id   INTEGER NOT NULL REFERENCES risks(id),
    review_at INTEGER NOT NULL,
    queued_at INTEGER NOT NULL,
    notice_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (risk_id, review_at)
) STRICT, WITHOUT ROWID;
