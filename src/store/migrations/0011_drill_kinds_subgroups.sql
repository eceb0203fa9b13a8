-- 0011: drill kinds and the drill programme; sub-groups inside a CEPTOAR
-- (docs/rules.md, "Drill kinds and the drill programme").

-- Sub-groups of a CEPTOAR (T-CEPTOAR SG1-SG4): registry data.
CREATE TABLE subgroups (
    id         TEXT PRIMARY KEY,
    ceptoar_id TEXT NOT NULL REFERENCES orgs(id),
    name_ja    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    ord        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX subgroups_ceptoar ON subgroups(ceptoar_id, ord);

CREATE TABLE subgroup_members (
    subgroup_id TEXT NOT NULL REFERENCES subgroups(id),
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (subgroup_id, org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX subgroup_members_org ON subgroup_members(org_id, subgroup_id);

-- An advisory limited to one channel (an outage drill): gateway (phone and
-- SMS), email or webhook. No row: every channel.
CREATE TABLE advisory_channel (
    advisory_id TEXT PRIMARY KEY REFERENCES advisories(id),
    channel     TEXT NOT NULL CHECK (channel IN ('gateway', 'email',
                                                 'webhook'))
) STRICT, WITHOUT ROWID;

-- Drills gain a kind, the outage channel, sub-group targets and the
-- fiscal year they started in.
CREATE TABLE drills_new (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    advisory_id TEXT NOT NULL REFERENCES advisories(id),
    target_kind TEXT NOT NULL CHECK (target_kind IN ('ceptoar', 'sector',
                                                     'all', 'subgroup')),
    target      TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'reach'
                CHECK (kind IN ('reach', 'structure', 'outage')),
    channel     TEXT NOT NULL DEFAULT '',  -- outage: gateway, email, webhook
    fy          INTEGER NOT NULL DEFAULT 0 -- fiscal year (core/drill.h)
) STRICT;
-- the fiscal year of the drills before this migration: the calendar year
-- in Japan time, minus one for January to March (core/drill.h)
INSERT INTO drills_new(seq, id, advisory_id, target_kind, target, created_by,
                       created_at, fy)
    SELECT seq, id, advisory_id, target_kind, target, created_by, created_at,
           CAST(strftime('%Y', created_at + 32400, 'unixepoch') AS INTEGER) -
           (CAST(strftime('%m', created_at + 32400, 'unixepoch') AS INTEGER)
            < 4)
    FROM drills;
DROP TABLE drills;
ALTER TABLE drills_new RENAME TO drills;
CREATE INDEX drills_fy ON drills(fy, seq);

-- The CEPTOARs a drill went through (its recipients' relaying
-- secretariats): the drill programme lists drills per CEPTOAR.
CREATE TABLE drill_ceptoars (
    drill_id   TEXT NOT NULL REFERENCES drills(id),
    ceptoar_id TEXT NOT NULL,
    PRIMARY KEY (ceptoar_id, drill_id)
) STRICT, WITHOUT ROWID;

-- Structure drills: a member confirms its contacts are current.
CREATE TABLE drill_confirms (
    drill_id     TEXT NOT NULL REFERENCES drills(id),
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    confirmed_by INTEGER,
    via          TEXT NOT NULL DEFAULT 'api',
    confirmed_at INTEGER NOT NULL,
    PRIMARY KEY (drill_id, org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX drill_confirms_org ON drill_confirms(org_id, confirmed_at);
