-- issue 16: a peer may turn the STIX reports it brings into advisories
-- (docs/taxii.md "Peers"): its mapping, the audience of those advisories,
-- and each report's conversion (pending until the advisory is issued in
-- the transaction that marks it done, so each report makes one advisory).
ALTER TABLE taxii_peers ADD COLUMN mapping TEXT NOT NULL DEFAULT 'objects'
    CHECK (mapping IN ('objects', 'advisories'));
ALTER TABLE taxii_peers ADD COLUMN audience TEXT NOT NULL DEFAULT '';

CREATE TABLE taxii_adv_map (
    peer       TEXT NOT NULL,
    stix_id    TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    advisory   TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    at         INTEGER NOT NULL,
    body       TEXT NOT NULL,             -- the report object
    PRIMARY KEY (peer, stix_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX taxii_adv_map_pending ON taxii_adv_map (peer, state);

-- When an advisory's range was last narrowed (0: never): its STIX objects'
-- "modified" (docs/stix.md), and the TAXII collection's new version.
ALTER TABLE advisories ADD COLUMN range_at INTEGER NOT NULL DEFAULT 0;

-- The TAXII objects again, with each object's versions kept per poster (an
-- organisation's object is never taken over by another's "newer version":
-- the same id posted by two organisations is two lineages), and each
-- version read only by those who may read it and its lineage's last
-- version (last_range: a narrowed object narrows its older versions).
CREATE TABLE taxii_objects_v2 (
    seq        INTEGER PRIMARY KEY,
    coll       INTEGER NOT NULL,
    stix_id    TEXT NOT NULL,
    ver_us     INTEGER NOT NULL,
    version    TEXT NOT NULL,
    type       TEXT NOT NULL,
    added      INTEGER NOT NULL,
    range      INTEGER NOT NULL CHECK (range BETWEEN 0 AND 4),
    last_range INTEGER NOT NULL CHECK (last_range BETWEEN 0 AND 4),
    poster     TEXT NOT NULL,
    community  TEXT NOT NULL,
    src        TEXT,
    is_last    INTEGER NOT NULL,
    is_first   INTEGER NOT NULL,
    body       TEXT NOT NULL,
    UNIQUE (coll, poster, stix_id, ver_us)
) STRICT;
INSERT INTO taxii_objects_v2 (seq, coll, stix_id, ver_us, version, type,
    added, range, last_range, poster, community, src, is_last, is_first,
    body)
    SELECT seq, coll, stix_id, ver_us, version, type, added, range, range,
           poster, community, src, is_last, is_first, body
    FROM taxii_objects;
DROP TABLE taxii_objects;
ALTER TABLE taxii_objects_v2 RENAME TO taxii_objects;
-- pages in the order of adding (coll, added, seq); a hub item's objects
CREATE INDEX taxii_objects_added ON taxii_objects (coll, added, seq);
CREATE INDEX taxii_objects_src ON taxii_objects (coll, src)
    WHERE src IS NOT NULL;
