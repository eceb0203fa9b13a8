-- 0038: a survey response remembers that it was ever shared with the
-- secretariats of its CEPTOARs (ever_shared). A secretariat that read a
-- member's answers while they were shared still knows them once sharing
-- is turned off, so the publication test (sv_group_ok, docs/rules.md
-- "What is published") counts every response ever shared as known to
-- it, not only those shared at the close. Existing responses start from
-- what they share now. Same change on both engines
-- (src/store/migrations_pg/0038).
ALTER TABLE survey_responses ADD COLUMN ever_shared INTEGER NOT NULL DEFAULT 0;
UPDATE survey_responses SET ever_shared = shared;
