-- 0020: website response observation, ingest (issue 12, docs/rules.md
-- "Ingest, storage and alerts"). The k-of-n window per site AND vantage
-- point: a site's state (obs_states) is derived from its vantages' states,
-- so that one vantage point's own trouble is told apart from the site's.
CREATE TABLE IF NOT EXISTS obs_vstates (
    site_id    INTEGER NOT NULL,
    vantage_id TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'learning',
    since      INTEGER NOT NULL,
    window     INTEGER NOT NULL DEFAULT 0,   -- last verdicts, 2 bits each
    window_n   INTEGER NOT NULL DEFAULT 0,
    first_at   INTEGER NOT NULL,             -- first result from this vantage
    last_at    INTEGER NOT NULL DEFAULT 0,   -- latest result taken
    score      REAL NOT NULL DEFAULT 0,
    ratio      REAL NOT NULL DEFAULT 0,
    usual_ms   REAL NOT NULL DEFAULT -1,
    phase      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (site_id, vantage_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS obs_vstates_state ON obs_vstates(state, vantage_id);
CREATE INDEX IF NOT EXISTS obs_states_state ON obs_states(state);
CREATE INDEX IF NOT EXISTS obs_alert_sites_site ON obs_alert_sites(site_id);
-- the e-mail jobs of observation alerts (the outbox's third kind)
CREATE TABLE IF NOT EXISTS obs_alert_deliveries (
    id           INTEGER PRIMARY KEY,
    alert_id     INTEGER NOT NULL REFERENCES obs_alerts(id),
    org_id       TEXT NOT NULL,
    contact_id   INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    address      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'sending',
                                   'delivered', 'failed', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL,
    lease_until  INTEGER NOT NULL DEFAULT 0,
    idem_key     TEXT NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER,
    UNIQUE (alert_id, org_id, contact_id)
) STRICT;
CREATE INDEX IF NOT EXISTS obs_alert_deliveries_due
    ON obs_alert_deliveries(state, next_at);
