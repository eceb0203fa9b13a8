-- 0006: upward alerts (DOMAIN.md §6a; docs/rules.md "Upward alerts").
-- A report arriving at a hop alerts that hop's contacts through the outbox.
-- One row per report and hop: the current alert round (1 at arrival, one
-- more for each update that raises the severity), whether the hop opened
-- the report in this round, and the worker's escalation and reminder.
CREATE TABLE report_alerts (
    report_id    TEXT NOT NULL REFERENCES reports(id),
    org_id       TEXT NOT NULL,          -- the hop
    round        INTEGER NOT NULL,
    severity     INTEGER NOT NULL,       -- the report's, when the round began
    alerted_at   INTEGER NOT NULL,       -- when the round began
    opened_at    INTEGER,                -- NULL: not opened in this round
    opened_by    INTEGER,                -- user id (0: the signed link)
    opened_via   TEXT NOT NULL DEFAULT '', -- api, link
    escalated_at INTEGER,                -- next contacts queued (severity < 4)
    reminded_at  INTEGER,                -- reminder queued (severity >= 4)
    PRIMARY KEY (report_id, org_id)
) STRICT;
CREATE INDEX report_alerts_open ON report_alerts(opened_at, severity);

-- The alerts' delivery jobs: the same columns and states as deliveries
-- (the outbox sends both kinds through one path, deliver/outbox.c).
-- purpose: 'alert' (the round's alert) or 'reminder' (not opened in time).
CREATE TABLE alert_deliveries (
    id           INTEGER PRIMARY KEY,
    report_id    TEXT NOT NULL REFERENCES reports(id),
    org_id       TEXT NOT NULL,
    round        INTEGER NOT NULL,
    purpose      TEXT NOT NULL CHECK (purpose IN ('alert', 'reminder')),
    contact_id   INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    address      TEXT NOT NULL,
    reason       TEXT NOT NULL,          -- first, all, emergency, next, escalation
    state        TEXT NOT NULL CHECK (state IN ('queued', 'sending',
                                   'delivered', 'failed', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    lease_until  INTEGER NOT NULL DEFAULT 0,
    idem_key     TEXT NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER,
    UNIQUE (report_id, org_id, round, purpose, contact_id)
) STRICT;
CREATE INDEX alert_deliveries_due ON alert_deliveries(state, next_at);

-- Acknowledgement links serve alerts too: kind 'alert' names a report in
-- advisory_id and the alert round the link opens.
ALTER TABLE ack_links ADD COLUMN kind TEXT NOT NULL DEFAULT 'advisory';
ALTER TABLE ack_links ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
