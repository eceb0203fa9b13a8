-- 0022: C4TAP, the CEPTOAR Council's sharing of suspicious targeted-attack
-- e-mails (issue 13, DOMAIN.md §10, docs/rules.md "C4TAP"). Ranges are
-- stored as core/range.h's numbers; a submission's per-type ranges as one
-- digit per information type in core/c4tap.h's order (original, sender,
-- headers, received, urls, attachments, provider), e.g. '0111130'.

-- an organisation's standing: its recorded agreement to the operating
-- rules (who signed, when, which version); standing 0 = withdrawn
CREATE TABLE IF NOT EXISTS c4tap_orgs (
    org_id        TEXT PRIMARY KEY REFERENCES orgs(id),
    standing      INTEGER NOT NULL,           -- core/c4tap.h enum c4tap_standing
    rules_version TEXT NOT NULL,
    agreed_by     TEXT NOT NULL,              -- the signatory, as recorded
    agreed_at     INTEGER NOT NULL,
    recorded_by   INTEGER NOT NULL,           -- user id
    withdrawn_at  INTEGER NOT NULL DEFAULT 0,
    ranges        TEXT NOT NULL DEFAULT ''    -- its default ranges ('' = C4TAP's)
) STRICT;

-- every agreement, change and withdrawal (the history the secretariat keeps)
CREATE TABLE IF NOT EXISTS c4tap_org_history (
    id            INTEGER PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    standing      INTEGER NOT NULL,
    rules_version TEXT NOT NULL,
    agreed_by     TEXT NOT NULL,
    at            INTEGER NOT NULL,
    by_user       INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS c4tap_org_history_org ON c4tap_org_history(org_id, id);

-- handlers: the registered users who submit and read (participants'
-- handlers, analysts); mail_key is the secret part of the handler's
-- personal submission address (c4tap+<key>@...)
CREATE TABLE IF NOT EXISTS c4tap_handlers (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id),
    kind          INTEGER NOT NULL,           -- 1 participant, 2 analyst
    mail_key      TEXT NOT NULL UNIQUE,
    registered_by INTEGER NOT NULL,
    registered_at INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS c4tap_campaigns (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    merged_into INTEGER NOT NULL DEFAULT 0,   -- merged: the campaign it went into
    advisory_id TEXT NOT NULL DEFAULT '',     -- the advisory made from it
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE IF NOT EXISTS c4tap_submissions (
    id          INTEGER PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    user_id     INTEGER NOT NULL,
    anonymous   INTEGER NOT NULL DEFAULT 0,
    via         TEXT NOT NULL,                -- api | mail
    ranges      TEXT NOT NULL,
    sha256      TEXT NOT NULL,                -- of the original bytes
    size        INTEGER NOT NULL,
    mail_at     INTEGER NOT NULL,             -- the e-mail's Date (else received)
    created_at  INTEGER NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES c4tap_campaigns(id),
    note        TEXT NOT NULL DEFAULT '',
    parsed      TEXT NOT NULL,                -- the indicators (mail/mail.h JSON)
    raw         BLOB NOT NULL,                -- the original e-mail
    version     INTEGER NOT NULL DEFAULT 1,
    demo        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, sha256)
) STRICT;
CREATE INDEX IF NOT EXISTS c4tap_sub_campaign ON c4tap_submissions(campaign_id, mail_at);

-- the indicators of a submission, one row per value: what lookups,
-- campaigns and exports read. keyed: the value groups submissions into a
-- campaign (attachment hashes, URLs and their hosts, sender addresses,
-- origin IPs, normalised subjects)
CREATE TABLE IF NOT EXISTS c4tap_indicators (
    submission_id INTEGER NOT NULL REFERENCES c4tap_submissions(id),
    kind          TEXT NOT NULL,
    value         TEXT NOT NULL,
    type          INTEGER NOT NULL,           -- core/c4tap.h enum c4tap_type
    keyed         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX IF NOT EXISTS c4tap_ind_value ON c4tap_indicators(value, kind);
CREATE INDEX IF NOT EXISTS c4tap_ind_sub ON c4tap_indicators(submission_id);

-- analysts' notes on a campaign, each with its own range
CREATE TABLE IF NOT EXISTS c4tap_notes (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES c4tap_campaigns(id),
    user_id     INTEGER NOT NULL,
    org_id      TEXT NOT NULL,
    range       INTEGER NOT NULL,
    text        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS c4tap_notes_campaign ON c4tap_notes(campaign_id, id);
