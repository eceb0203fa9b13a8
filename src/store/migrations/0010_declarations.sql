-- 0010: large-scale outage declarations (大規模IT障害発生時) and the
-- advisories linked to events.
CREATE TABLE declarations (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    title_ja     TEXT NOT NULL,
    title_en     TEXT NOT NULL,
    reason       TEXT NOT NULL,
    national     INTEGER NOT NULL DEFAULT 0,
    event_id     TEXT NOT NULL REFERENCES events(id),
    rollcall_id  TEXT NOT NULL DEFAULT '',  -- the roll call it started
    started_at   INTEGER NOT NULL,
    started_by   INTEGER NOT NULL REFERENCES users(id),
    started_org  TEXT NOT NULL REFERENCES orgs(id),
    ended_at     INTEGER,                   -- NULL while active
    ended_by     INTEGER REFERENCES users(id),
    ended_org    TEXT REFERENCES orgs(id)
) STRICT;
CREATE INDEX declarations_active ON declarations(ended_at, seq);

-- The sectors a declaration covers (none when national).
CREATE TABLE declaration_sectors (
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    sector_id      TEXT NOT NULL REFERENCES sectors(id),
    PRIMARY KEY (declaration_id, sector_id)
) STRICT, WITHOUT ROWID;

-- Advisories linked to an event (reports are in event_reports).
CREATE TABLE event_advisories (
    event_id    TEXT NOT NULL REFERENCES events(id),
    advisory_id TEXT NOT NULL REFERENCES advisories(id),
    linked_by   TEXT NOT NULL,
    linked_at   INTEGER NOT NULL,
    PRIMARY KEY (event_id, advisory_id)
) STRICT, WITHOUT ROWID;
