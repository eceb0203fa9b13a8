-- 0014: the hub's read state of an advisory per recipient organisation
-- (issue 11: lists): when a user of the organisation first opened it
-- through the API (GET /api/v1/advisories/{id}) after its release; NULL
-- until then. The inbox's "unread" mark is: not acknowledged and not
-- opened.
ALTER TABLE advisory_recipients ADD COLUMN opened_at INTEGER;
