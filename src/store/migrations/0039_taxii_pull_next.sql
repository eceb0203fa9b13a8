-- 0039: a TAXII peer's pull that stops at its page cap (50 pages a run)
-- while the remote still has more keeps the remote's `next` (pull_next)
-- and the next run goes on from it; `pull_after` moves only when a pull
-- reached the end. Before, the capped run moved pull_after to the last
-- page's X-TAXII-Date-Added-Last, so the objects the remote still held
-- with that date_added were never asked for again (docs/taxii.md "Pull").
-- Same change on both engines (src/store/migrations_pg/0039).
ALTER TABLE taxii_peers ADD COLUMN pull_next TEXT NOT NULL DEFAULT '';
