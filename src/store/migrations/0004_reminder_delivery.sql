-- 0004: due reminders are sent through the delivery worker: each keeps its
-- own attempts, next try and lease, like a delivery job.
ALTER TABLE reminders ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminders ADD COLUMN next_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminders ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminders ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE reminders ADD COLUMN channel TEXT NOT NULL DEFAULT '';
CREATE INDEX reminders_due ON reminders(sent_at, next_at);
