-- 0001: national registry, accounts, sessions, API tokens, audit chain.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE sectors (
    id          TEXT PRIMARY KEY,
    name_ja     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    ministry_id TEXT NOT NULL,
    ord         INTEGER NOT NULL
) STRICT;

CREATE TABLE scopes (
    id        TEXT PRIMARY KEY,
    sector_id TEXT NOT NULL REFERENCES sectors(id),
    name_ja   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    related   TEXT NOT NULL DEFAULT '[]'   -- JSON array of scope ids
) STRICT;

CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('nisc', 'ministry', 'ceptoar',
                                    'council', 'agency', 'operator')),
    name_ja    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    short_en   TEXT NOT NULL DEFAULT '',
    scope_id   TEXT REFERENCES scopes(id), -- ceptoar: its scope; operator: main scope
    observer   INTEGER NOT NULL DEFAULT 0, -- agreed to the handling rules (Yellow)
    demo       INTEGER NOT NULL DEFAULT 0, -- synthetic demo organisation
    attrs      TEXT NOT NULL DEFAULT '{}', -- kind-specific registry fields (JSON)
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX orgs_kind ON orgs(kind, id);
CREATE INDEX orgs_scope ON orgs(scope_id, id);

-- operator -> CEPTOAR, CEPTOAR -> council
CREATE TABLE memberships (
    org_id   TEXT NOT NULL REFERENCES orgs(id),
    group_id TEXT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (org_id, group_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX memberships_group ON memberships(group_id, org_id);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'webhook', 'phone',
                                                'sms', 'fax')),
    address    TEXT NOT NULL,
    priority   INTEGER NOT NULL DEFAULT 1,
    emergency  INTEGER NOT NULL DEFAULT 0,
    secret     TEXT,                       -- webhook HMAC secret
    lang       TEXT NOT NULL DEFAULT 'ja',
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX contacts_org ON contacts(org_id, priority);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    username     TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    pw_hash      TEXT NOT NULL,            -- Argon2id (libsodium string form)
    roles        INTEGER NOT NULL,         -- bit set, see core/roles.h
    lang         TEXT NOT NULL DEFAULT 'ja',
    disabled     INTEGER NOT NULL DEFAULT 0,
    demo         INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX users_org ON users(org_id);

CREATE TABLE sessions (
    hash       BLOB PRIMARY KEY,           -- BLAKE2b of the cookie value
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    name       TEXT NOT NULL,
    hash       BLOB NOT NULL,              -- BLAKE2b of the secret part
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER
) STRICT;
CREATE INDEX tokens_user ON tokens(user_id);

-- Append-only, hash-chained audit log (see core/audit_chain.h).
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor_user INTEGER,
    actor_org  TEXT,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '{}',
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
