-- 0033: a report's title in a column of its own (docs/architecture.md,
-- "Lists"). A list page shows 50 titles; extracting each from the body's
-- JSON at every read was about a tenth of a page's CPU. The title is
-- written with the body (REPORT_INSERT, REPORT_SAVE extract it in the same
-- statement, from the same text), so the two cannot differ; a row whose
-- title is NULL (written by something else) is read from its body, as
-- before. Existing rows are filled once here: one pass over the reports.
ALTER TABLE reports ADD COLUMN title TEXT;
UPDATE reports SET title = json_extract(body, '$.title');
