-- PostgreSQL only (SQLite's 0035 changes nothing): the version counters
-- dash_version and registry_version are bumped once per transaction
-- instead of once per changed row.
--
-- Their triggers (0033) updated the counter's one row for every row a
-- statement changed. PostgreSQL keeps every version of a row a running
-- transaction wrote, and each update walks them: a transaction changing n
-- rows paid O(n^2) (a demo init, 6,885 organisations, spent 1.4 ms per
-- insert). A reader needs only to see the counter change when a
-- transaction that changed what it caches commits, so one bump per
-- transaction is enough. Whether this transaction has bumped a counter is
-- kept in a transaction-local setting (set_config(..., true)): it ends with
-- the transaction, and a statement rolled back to its savepoint takes its
-- setting back with its update, so the next statement bumps again.
CREATE FUNCTION bump_version_once(counter TEXT) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('infrashare.bumped_' || counter, true)
            IS DISTINCT FROM '1' THEN
        EXECUTE format('UPDATE %I SET version = version + 1 WHERE id = 1',
                       counter || '_version');
        PERFORM set_config('infrashare.bumped_' || counter, '1', true);
    END IF;
END;
$$;

-- Every trigger function of 0033 whose whole body bumps dash_version or
-- registry_version (72 of them: one per table and operation) now calls
-- bump_version_once; the triggers themselves are unchanged.
DO $$
DECLARE
    f RECORD;
BEGIN
    FOR f IN
        SELECT p.proname,
               substring(p.prosrc FROM 'UPDATE (dash|registry)_version') AS c
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema()
          AND p.prosrc ~ '^\s*BEGIN\s+UPDATE (dash|registry)_version SET version = version \+ 1 WHERE id = 1;\s+RETURN NULL;\s+END;\s*$'
    LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS TRIGGER '
                       'LANGUAGE plpgsql AS $f$ BEGIN '
                       'PERFORM bump_version_once(%L); RETURN NULL; END; $f$',
                       f.proname, f.c);
    END LOOP;
END;
$$;
