-- issue 16: an object's versions by id, whoever posted them (the object
-- endpoint, match[id], the duplicate checks of pulls and posts): the
-- unique key of 0030 leads with the poster.
CREATE INDEX taxii_objects_id ON taxii_objects (coll, stix_id, ver_us);
