-- 0036: the worker's scan for reports to remind (REPORTS_REMIND: open
-- reports past their full-report or final-report deadline with no
-- reminder of that kind yet, oldest first, 256 at a time) walks the open
-- reports only, in filing order, without reading the table's rows.
--
-- Before, the scan walked every report by seq (the primary order) and
-- read each row to test its state: with 1,000,000 reports on PostgreSQL,
-- 56,000 of them open, one pass took 2 s (bench/README.md, "Listing on
-- PostgreSQL"), every tick of the worker. The index holds open reports
-- only and every column the scan tests, so the pass reads the index alone
-- (190 ms for the same backlog, most of it the reminders' lookup).
-- Same index on both engines (src/store/migrations/0036).
CREATE INDEX reports_remind ON reports(seq, id, full_at, full_due, final_due)
    WHERE state = 'open';
