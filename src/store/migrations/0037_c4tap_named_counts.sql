-- 0037: C4TAP's "seen by N organisations in M sectors" counts only the
-- submissions that name their provider. An anonymous submission counts in
-- `submissions` alone: had it counted as an organisation, a reader who
-- sees the providers of the others could learn its provider from the
-- difference (a group of an anonymous submission and one of X's counting
-- one organisation means the anonymous one is X's too), docs/rules.md
-- "C4TAP: counts, never who". The per-value organisations (0023) are
-- built again from the named submissions. Same change on both engines
-- (src/store/migrations_pg/0037).
DELETE FROM c4tap_value_orgs;
INSERT OR IGNORE INTO c4tap_value_orgs(value, org_id, sector_id)
    SELECT DISTINCT i.value, s.org_id, COALESCE(p.sector_id, '')
    FROM c4tap_indicators i JOIN c4tap_submissions s ON s.id = i.submission_id
    JOIN orgs g ON g.id = s.org_id LEFT JOIN scopes p ON p.id = g.scope_id
    WHERE s.anonymous = 0;
