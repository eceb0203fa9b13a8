-- 0036: two of the worker's scans read the open reports, or those still
-- on their way, through indexes of their own instead of every report.
--
-- First, the scan for reports to remind (REPORTS_REMIND: open reports
-- past their full-report or final-report deadline with no reminder of
-- that kind yet, oldest first, 256 at a time) walks the open reports
-- only, in filing order, without reading the table's rows.
--
-- Before, the scan walked every report by seq (the primary order) and
-- read each row to test its state: with 1,000,000 reports on PostgreSQL,
-- 56,000 of them open, one pass took 2 s (bench/README.md, "Listing on
-- PostgreSQL"), every tick of the worker. The index holds open reports
-- only and every column the scan tests, so the pass reads the index alone
-- (190 ms for the same backlog, most of it the reminders' lookup).
-- Same indexes on both engines (src/store/migrations_pg/0036).
CREATE INDEX reports_remind ON reports(seq, id, full_at, full_due, final_due)
    WHERE state = 'open';

-- The worker's scans of reports waiting at a hop (REPORTS_WAITING and,
-- in outage mode, REPORTS_WAITING_OUTAGE: current_hop <> '', the longest
-- waiting first, 256 at a time) walk the reports still on their way only.
-- reports_hop (current_hop, hop_arrived_at) does not serve "<> ''", so
-- each pass read every report: 650 ms per pass at 1,000,000 reports on
-- PostgreSQL, almost all of which had reached NISC long ago; 0.1 ms with
-- this index.
CREATE INDEX reports_waiting ON reports(hop_arrived_at)
    WHERE current_hop <> '';
