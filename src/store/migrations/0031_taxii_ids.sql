-- issue 16: an object's versions by id, whoever posted them (the object
-- endpoint, match[id], the duplicate checks of pulls and posts) and by
-- lineage (id, poster): one unique index (coll, stix_id, poster, ver_us)
-- serves both, in place of 0030's table constraint that led with the
-- poster (one index fewer to write per object).
CREATE TABLE taxii_objects_v3 (
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
    body       TEXT NOT NULL
) STRICT;
INSERT INTO taxii_objects_v3 (seq, coll, stix_id, ver_us, version, type,
    added, range, last_range, poster, community, src, is_last, is_first,
    body)
    SELECT seq, coll, stix_id, ver_us, version, type, added, range,
           last_range, poster, community, src, is_last, is_first, body
    FROM taxii_objects;
DROP TABLE taxii_objects;
ALTER TABLE taxii_objects_v3 RENAME TO taxii_objects;
CREATE UNIQUE INDEX taxii_objects_id
    ON taxii_objects (coll, stix_id, poster, ver_us);
CREATE INDEX taxii_objects_added ON taxii_objects (coll, added, seq);
CREATE INDEX taxii_objects_src ON taxii_objects (coll, src)
    WHERE src IS NOT NULL;
