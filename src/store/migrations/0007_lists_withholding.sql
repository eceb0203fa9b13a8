-- 0007: distribution lists (配信先リスト) and withholding (DOMAIN.md §6a).
--
-- A new organisation kind 'external': an organisation outside CEPTOAR
-- membership that receives advisories only through a distribution list
-- (docs/rules.md, "Distribution lists"). A new hop state 'withheld': a
-- reviewing hop decided not to pass the advisory on ("Withholding").
-- Both CHECK constraints only gain a value (every existing row stays
-- valid), so they are widened in place rather than by rebuilding tables
-- that others reference (SQLite's documented writable_schema procedure;
-- RESET reloads the schema on this connection).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''agency'', ''operator'')',
                     '''agency'', ''operator'', ''external'')')
 WHERE type = 'table' AND name = 'orgs'
   AND instr(sql, '''external''') = 0;
UPDATE sqlite_schema
   SET sql = replace(sql, '''relayed'')', '''relayed'', ''withheld'')')
 WHERE type = 'table' AND name = 'advisory_hops'
   AND instr(sql, '''withheld''') = 0;
PRAGMA writable_schema = RESET;

-- Withholding: when and why (one text, bounded by the API), one row per
-- withheld hop. Every statement of this migration can run again on a
-- database that has it (IF NOT EXISTS; the CHECK edits are guarded).
CREATE TABLE IF NOT EXISTS advisory_hop_withheld (
    advisory_id TEXT NOT NULL REFERENCES advisories(id),
    org_id      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (advisory_id, org_id)
) STRICT, WITHOUT ROWID;

-- A distribution list belongs to one organisation (its owner relays).
CREATE TABLE IF NOT EXISTS dist_lists (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    owner      TEXT NOT NULL REFERENCES orgs(id),
    name_ja    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS dist_lists_owner ON dist_lists(owner, id);

CREATE TABLE IF NOT EXISTS dist_list_members (
    list_id TEXT NOT NULL REFERENCES dist_lists(id) ON DELETE CASCADE,
    org_id  TEXT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (list_id, org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dist_list_members_org ON dist_list_members(org_id, list_id);
CREATE UNIQUE INDEX IF NOT EXISTS dist_lists_name ON dist_lists(owner, name_en);
