-- 0027: the safety-standards survey, CP/BCP readiness and the outbox's
-- notices (issue 15; docs/rules.md "The annual safety-standards survey").

-- A guideline edition as it was when a campaign first used it: answers
-- keep the edition they were given against, even after a new edition
-- ships (the catalogue itself is data: data/guideline/*.json).
CREATE TABLE IF NOT EXISTS guideline_editions (
    edition    TEXT PRIMARY KEY,
    catalogue  TEXT NOT NULL,                 -- the edition's file (JSON)
    stored_at  INTEGER NOT NULL
) STRICT;

-- One campaign per fiscal year.
CREATE TABLE IF NOT EXISTS survey_campaigns (
    id         TEXT PRIMARY KEY,              -- "SV2026"
    fy         INTEGER NOT NULL UNIQUE,
    edition    TEXT NOT NULL REFERENCES guideline_editions(edition),
    title_ja   TEXT NOT NULL,
    title_en   TEXT NOT NULL,
    sectors    TEXT NOT NULL,                 -- JSON array (as opened)
    items      INTEGER NOT NULL,              -- answerable items
    state      TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    deadline   INTEGER NOT NULL,
    opened_by  INTEGER NOT NULL,
    opened_at  INTEGER NOT NULL,
    closed_by  INTEGER NOT NULL DEFAULT 0,
    closed_at  INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;

-- The operators asked, with their sector when the campaign opened (the
-- group their answers count in, whatever the registry says later).
CREATE TABLE IF NOT EXISTS survey_targets (
    campaign_id TEXT NOT NULL REFERENCES survey_campaigns(id),
    org_id      TEXT NOT NULL,
    sector_id   TEXT NOT NULL,
    PRIMARY KEY (campaign_id, org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS survey_targets_sector
    ON survey_targets(campaign_id, sector_id, org_id);

-- An operator's response: a draft until submitted; shared = its CEPTOAR
-- secretariats may read its answers.
CREATE TABLE IF NOT EXISTS survey_responses (
    campaign_id  TEXT NOT NULL,
    org_id       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('draft', 'submitted')),
    shared       INTEGER NOT NULL DEFAULT 0,
    updated_by   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    submitted_at INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (campaign_id, org_id),
    FOREIGN KEY (campaign_id, org_id)
        REFERENCES survey_targets(campaign_id, org_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS survey_answers (
    campaign_id TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('adopted', 'partly', 'not',
                                                'na')),
    evidence    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (campaign_id, org_id, item_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS survey_attachments (
    id          INTEGER PRIMARY KEY,
    campaign_id TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    ctype       TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    data        BLOB NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS survey_attachments_org
    ON survey_attachments(campaign_id, org_id, item_id);

-- The submitted answers counted per sector and item, kept in step by
-- every submission in its own transaction (never a scan per request).
CREATE TABLE IF NOT EXISTS survey_tally (
    campaign_id TEXT NOT NULL,
    sector_id   TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    adopted     INTEGER NOT NULL DEFAULT 0,
    partly      INTEGER NOT NULL DEFAULT 0,
    not_adopted INTEGER NOT NULL DEFAULT 0,
    na          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, sector_id, item_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS survey_tally_n (
    campaign_id TEXT NOT NULL,
    sector_id   TEXT NOT NULL,
    respondents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, sector_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS survey_reminders (
    campaign_id TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    by_org      TEXT NOT NULL,
    by_user     INTEGER NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS survey_reminders_org
    ON survey_reminders(campaign_id, org_id, at);

-- CP/BCP readiness: an operator's answer per check of the guideline's
-- seven characteristics of cyber attacks (Annex 3).
CREATE TABLE IF NOT EXISTS bcp_readiness (
    org_id     TEXT NOT NULL,
    edition    TEXT NOT NULL,
    check_id   TEXT NOT NULL,
    answer     TEXT NOT NULL CHECK (answer IN ('adopted', 'partly', 'not',
                                               'na')),
    note       TEXT NOT NULL DEFAULT '',
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, edition, check_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bcp_readiness_version (
    org_id  TEXT PRIMARY KEY,
    version INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Notices: a short message written when queued (a survey reminder, a risk
-- review reminder) and e-mailed to every e-mail contact of an
-- organisation through the outbox (STORE_JOB_NOTICE).
CREATE TABLE IF NOT EXISTS notices (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,                 -- "survey", "risk"
    ref        TEXT NOT NULL,                 -- what it is about
    org_id     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS notice_deliveries (
    id           INTEGER PRIMARY KEY,
    notice_id    INTEGER NOT NULL REFERENCES notices(id),
    org_id       TEXT NOT NULL,
    contact_id   INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    address      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'sending',
                                   'delivered', 'failed', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    lease_until  INTEGER NOT NULL DEFAULT 0,
    idem_key     TEXT NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER,
    UNIQUE (notice_id, contact_id)
) STRICT;
CREATE INDEX IF NOT EXISTS notice_deliveries_due
    ON notice_deliveries(state, next_at);
