-- 0026: cross-sector exercises (issue 14), in an exercise's own database:
-- the advisory each participant got for an inject (an inject with a
-- condition goes as one advisory per participant, so that its audience
-- tells nobody who met the condition), and the board's version (bumped
-- by triggers on what the board is made of: its cache,
-- service/exercise_run.c). The triggers do nothing in the hub's own
-- database, which has no ex_board_version row.
ALTER TABLE ex_fired ADD COLUMN advisory_id TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS ex_fired_advisory ON ex_fired(advisory_id, org_id);

CREATE TABLE IF NOT EXISTS ex_board_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;

CREATE TRIGGER IF NOT EXISTS ex_bv_fired AFTER INSERT ON ex_fired
WHEN EXISTS (SELECT 1 FROM ex_board_version)
BEGIN UPDATE ex_board_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS ex_bv_bcp AFTER INSERT ON ex_bcp
WHEN EXISTS (SELECT 1 FROM ex_board_version)
BEGIN UPDATE ex_board_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS ex_bv_report AFTER INSERT ON reports
WHEN EXISTS (SELECT 1 FROM ex_board_version)
BEGIN UPDATE ex_board_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS ex_bv_ack AFTER UPDATE OF acked_at
ON advisory_recipients
WHEN EXISTS (SELECT 1 FROM ex_board_version)
BEGIN UPDATE ex_board_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS ex_bv_hop_in AFTER INSERT ON advisory_hops
WHEN EXISTS (SELECT 1 FROM ex_board_version)
BEGIN UPDATE ex_board_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS ex_bv_relay AFTER UPDATE OF relayed_at
ON advisory_hops
WHEN EXISTS (SELECT 1 FROM ex_board_version)
BEGIN UPDATE ex_board_version SET version = version + 1; END;
CREATE TRIGGER IF NOT EXISTS ex_bv_answer AFTER INSERT ON rollcall_answers
WHEN EXISTS (SELECT 1 FROM ex_board_version)
BEGIN UPDATE ex_board_version SET version = version + 1; END;
