-- 0040: a cascade suggestion belongs to the organisation that asked for
-- it (reader: its id; 'reporter' for an anonymous report's own reporter
-- asking about it, which names no organisation, its created_by staying
-- 0): its rows, their numbering, the row reused and the advisory made from
-- it are that organisation's alone. Before, the rows of a subject were
-- shared by every reader: a reader's number jumped when a reader of a
-- wider view asked (counting reports it may not read), and it saw, and
-- could not act on, the advisory another organisation made (docs/rules.md
-- "Suggestions for an event, and the one step to an advisory"; found by
-- an outside review). Existing rows go to the organisation that acted on
-- them, else to the one that asked. Same change on both engines
-- (src/store/migrations/0040).
ALTER TABLE cascade_log ADD COLUMN reader TEXT NOT NULL DEFAULT '';
UPDATE cascade_log SET reader = CASE
    WHEN created_by = 0 THEN 'reporter'
    WHEN acted_by <> 0 THEN
        COALESCE((SELECT org_id FROM users WHERE users.id = cascade_log.acted_by), '')
    ELSE COALESCE((SELECT org_id FROM users WHERE users.id = cascade_log.created_by), '')
END;
DROP INDEX IF EXISTS cascade_log_event;
CREATE INDEX cascade_log_reader ON cascade_log(event_id, reader, id);
