-- 0003: provision (情報提供): advisories, their relay chain, recipients,
-- the delivery outbox, acknowledgement links, drills.

CREATE TABLE advisories (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    author          TEXT NOT NULL REFERENCES orgs(id),
    author_user     INTEGER,
    kind            TEXT NOT NULL CHECK (kind IN ('warning', 'security_info',
                                                  'case', 'newsletter')),
    range           INTEGER NOT NULL,      -- core/range.h
    severity        INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 5),
    title_ja        TEXT NOT NULL,
    title_en        TEXT NOT NULL,
    body_ja         TEXT NOT NULL,
    body_en         TEXT NOT NULL,
    title_in_notice INTEGER NOT NULL DEFAULT 0, -- Red/Amber/Yellow notices
    audience        TEXT NOT NULL,         -- JSON {all, sectors, scopes, ceptoars, orgs}
    refs            TEXT NOT NULL DEFAULT '[]', -- report ids (case advisories)
    hotline         INTEGER NOT NULL DEFAULT 0,
    drill           INTEGER NOT NULL DEFAULT 0,
    ack_deadline_s  INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;

-- The relay chain: one row per hop (ministry, CEPTOAR secretariat ...).
CREATE TABLE advisory_hops (
    advisory_id TEXT NOT NULL REFERENCES advisories(id),
    org_id      TEXT NOT NULL,
    step        INTEGER NOT NULL,          -- 0 author, 1 ministry, 2 CEPTOAR
    parent      TEXT NOT NULL DEFAULT '',  -- the hop it waits for ('' = none)
    state       TEXT NOT NULL CHECK (state IN ('pending', 'waiting',
                                               'relayed')),
    arrived_at  INTEGER,
    relayed_at  INTEGER,
    how         TEXT NOT NULL DEFAULT '',  -- auto, review, limit, hotline
    note_ja     TEXT NOT NULL DEFAULT '',
    note_en     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (advisory_id, org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX advisory_hops_waiting ON advisory_hops(state, arrived_at);

-- Every organisation the advisory is pushed to.
CREATE TABLE advisory_recipients (
    advisory_id   TEXT NOT NULL REFERENCES advisories(id),
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    via           TEXT NOT NULL DEFAULT '', -- the hop that releases it
    named         INTEGER NOT NULL DEFAULT 0, -- named individually
    released_at   INTEGER,
    delivered_at  INTEGER,
    channel       TEXT NOT NULL DEFAULT '', -- the channel that reached it
    acked_at      INTEGER,
    acked_by      INTEGER,
    ack_via       TEXT NOT NULL DEFAULT '', -- api, link
    escalated_at  INTEGER,
    PRIMARY KEY (advisory_id, org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX advisory_recipients_org ON advisory_recipients(org_id);
CREATE INDEX advisory_recipients_via ON advisory_recipients(advisory_id, via);

-- The outbox: one job per message to one contact.
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    advisory_id  TEXT NOT NULL REFERENCES advisories(id),
    org_id       TEXT NOT NULL,
    contact_id   INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    address      TEXT NOT NULL,
    reason       TEXT NOT NULL,            -- first, next, escalation, hotline, emergency
    state        TEXT NOT NULL CHECK (state IN ('queued', 'sending',
                                   'delivered', 'failed', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    lease_until  INTEGER NOT NULL DEFAULT 0,
    idem_key     TEXT NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER,
    UNIQUE (advisory_id, org_id, contact_id)
) STRICT;
CREATE INDEX deliveries_due ON deliveries(state, next_at);
CREATE INDEX deliveries_advisory ON deliveries(advisory_id, org_id);

-- Single-use acknowledgement links (only the hash of the token is kept).
CREATE TABLE ack_links (
    hash        BLOB PRIMARY KEY,
    advisory_id TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE drills (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    advisory_id TEXT NOT NULL REFERENCES advisories(id),
    target_kind TEXT NOT NULL CHECK (target_kind IN ('ceptoar', 'sector',
                                                     'all')),
    target      TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
