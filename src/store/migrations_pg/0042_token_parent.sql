-- 0042: the token a token was made with (POST /api/v1/tokens with a
-- bearer token; NULL when made from a signed-in session or by the
-- command line). Revoking a token revokes the tokens made with it, and
-- theirs (docs/rules.md "Sign-in, sessions and tokens"; found by an outside
-- review: a leaked token could make itself a second one, and revoking
-- the first left the second working). Same change on both engines
-- (src/store/migrations/0042).
ALTER TABLE tokens ADD COLUMN parent TEXT;
CREATE INDEX tokens_parent ON tokens(parent);
