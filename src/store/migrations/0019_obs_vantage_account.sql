-- 0019: the account a vantage point signs in with (issue 12,
-- docs/rules.md "Registration and visibility"): POST
-- /api/v1/observation/vantages creates a user with no role (it may call
-- only the routes made for vantage points) and links it here.
ALTER TABLE obs_vantages ADD COLUMN user_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS obs_vantages_user ON obs_vantages(user_id);
-- the prober inside the hub is vantage point 'hub' on every hub
INSERT OR IGNORE INTO obs_vantages(id, name_ja, name_en, public_key,
                                   created_at)
VALUES ('hub', 'ハブ内の観測', 'Inside the hub', '', 0);
