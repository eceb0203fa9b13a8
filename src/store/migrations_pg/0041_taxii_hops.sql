-- 0041: the relayed hops of an advisory when its objects were last added
-- to the TAXII advisories collection. An advisory reaches more readers as
-- its hops relay it (a ministry, then a CEPTOAR, for an Amber one); its
-- objects are then added again, at a new date_added, so that a client
-- polling with added_after (and a peer hub pulling) gets what it may now
-- read (docs/taxii.md "The advisories collection"; found by an outside
-- review: a relayed advisory kept the date_added of its issue, before the
-- reader's watermark, and never reached it). An advisory already there
-- counts the hops relayed before its report was added (a second before,
-- at least: relayed_at is in seconds, added in microseconds); those relayed
-- since, it is added again once. Same change on both
-- engines (src/store/migrations/0041).
ALTER TABLE advisories ADD COLUMN taxii_hops BIGINT NOT NULL DEFAULT 0;
UPDATE advisories SET taxii_hops = (
    SELECT count(*) FROM advisory_hops h
    WHERE h.advisory_id = advisories.id AND h.step > 0
      AND h.state = 'relayed'
      AND (h.relayed_at + 1) * 1000000 <= (
          SELECT coalesce(max(t.added), 0) FROM taxii_objects t
          WHERE t.coll = 2 AND t.src = advisories.id AND t.type = 'report'));
