-- issue 16: the TAXII 2.1 server's objects (docs/taxii.md). One row per
-- object version in a collection, in the order the hub added them (seq);
-- added never decreases along seq (service/taxii.c), so the position in
-- seq is the pagination cursor and objects that share an instant are
-- each paged exactly once.
CREATE TABLE taxii_objects (
    seq        INTEGER PRIMARY KEY,
    coll       INTEGER NOT NULL,          -- service/taxii.c collections[]
    stix_id    TEXT NOT NULL,
    ver_us     INTEGER NOT NULL,          -- the version, microseconds
    version    TEXT NOT NULL,             -- its text as the object gave it
    type       TEXT NOT NULL,
    added      INTEGER NOT NULL,          -- date_added, microseconds
    range      INTEGER NOT NULL CHECK (range BETWEEN 0 AND 4),
    poster     TEXT NOT NULL,             -- the posting organisation
    community  TEXT NOT NULL,             -- ",<its CEPTOARs>," when posted
    src        TEXT,                      -- a hub item's id (advisories)
    is_last    INTEGER NOT NULL,
    is_first   INTEGER NOT NULL,
    body       TEXT NOT NULL,             -- the object, compact JSON
    UNIQUE (coll, stix_id, ver_us)
) STRICT;
CREATE INDEX taxii_objects_coll ON taxii_objects (coll, seq);

-- The status resource of each POST (kept 7 days).
CREATE TABLE taxii_status (
    id         TEXT PRIMARY KEY,
    org        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    body       TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX taxii_status_created ON taxii_status (created_at);

-- The TAXII client (service/taxii_sync.c): remote collections the hub
-- pulls from and pushes to (peer hubs, agencies' feeds), their state kept
-- across restarts, and what they did (docs/taxii.md "Peers").
CREATE TABLE taxii_peers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    org         TEXT NOT NULL REFERENCES orgs(id),
    api_root    TEXT NOT NULL,
    collection  TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('pull', 'push', 'both')),
    auth_user   TEXT NOT NULL,            -- '' = Bearer
    secret      TEXT NOT NULL,            -- the remote's API token
    interval_s  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    pull_after  TEXT NOT NULL DEFAULT '', -- X-TAXII-Date-Added-Last seen
    push_seq    INTEGER NOT NULL DEFAULT 0,
    next_run    INTEGER NOT NULL DEFAULT 0,
    last_run    INTEGER,
    last_ok     INTEGER,
    last_error  TEXT NOT NULL DEFAULT '',
    pulled      INTEGER NOT NULL DEFAULT 0,
    added       INTEGER NOT NULL DEFAULT 0,
    duplicates  INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0,
    pushed      INTEGER NOT NULL DEFAULT 0,
    push_failed INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- Every run of a peer, with its reason when it failed (kept 30 days).
CREATE TABLE taxii_runs (
    seq         INTEGER PRIMARY KEY,
    peer        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    direction   TEXT NOT NULL,
    ok          INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    objects     INTEGER NOT NULL,
    added       INTEGER NOT NULL,
    failed      INTEGER NOT NULL
) STRICT;
CREATE INDEX taxii_runs_peer ON taxii_runs (peer, seq);

-- Objects a pull refused, with the reason (the object's first 64 KiB).
CREATE TABLE taxii_quarantine (
    seq         INTEGER PRIMARY KEY,
    peer        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    stix_id     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    body        TEXT NOT NULL
) STRICT;
CREATE INDEX taxii_quarantine_peer ON taxii_quarantine (peer, seq);
