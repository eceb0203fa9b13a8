-- 0018: website response observation (HPレスポンス観測, issue 12,
-- docs/rules.md "Website response observation"). One schema shared by the
-- registration, the prober's results, the rollups, the baselines, the
-- states and the alerts. Times are Unix seconds; durations milliseconds
-- (REAL, -1: the phase did not happen, e.g. no TLS on http://).

-- programme participation per CEPTOAR (the Council's programme is opt-in
-- per CEPTOAR; a member of a non-participating CEPTOAR cannot register)
CREATE TABLE IF NOT EXISTS obs_participants (
    ceptoar_id TEXT PRIMARY KEY REFERENCES orgs(id),
    joined_at  INTEGER NOT NULL,
    by_user    INTEGER NOT NULL
) STRICT;

-- a registered website
CREATE TABLE IF NOT EXISTS obs_sites (
    id              INTEGER PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id),
    url             TEXT NOT NULL,            -- canonical: scheme://host[:port]/path
    host            TEXT NOT NULL,            -- lower-case host name or literal
    label           TEXT NOT NULL DEFAULT '',
    expected_status INTEGER NOT NULL DEFAULT 200,
    content_match   TEXT NOT NULL DEFAULT '', -- '' = no content check
    interval_s      INTEGER NOT NULL DEFAULT 60,
    notify          INTEGER NOT NULL DEFAULT 0, -- opt-in alert to its org
    paused          INTEGER NOT NULL DEFAULT 0, -- the site's opt-out / pause
    hosting         TEXT NOT NULL DEFAULT '', -- hosting network (AS / provider), registered
    dns_provider    TEXT NOT NULL DEFAULT '', -- learned by the prober (NS) or registered
    registered_by   INTEGER NOT NULL,         -- user id
    via_org         TEXT NOT NULL DEFAULT '', -- secretariat / relay that registered it
    demo            INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, url, deleted_at)
) STRICT;
CREATE INDEX IF NOT EXISTS obs_sites_org ON obs_sites(org_id, id);
CREATE INDEX IF NOT EXISTS obs_sites_host ON obs_sites(host);

-- maintenance windows: anomalies inside one do not change a state
CREATE TABLE IF NOT EXISTS obs_maintenance (
    id       INTEGER PRIMARY KEY,
    site_id  INTEGER NOT NULL REFERENCES obs_sites(id),
    starts   INTEGER NOT NULL,
    ends     INTEGER NOT NULL,
    note     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX IF NOT EXISTS obs_maintenance_site ON obs_maintenance(site_id, ends);

-- vantage points: 'hub' is the prober inside the hub; others push signed
-- batches (Ed25519 public key, base64) to POST /api/v1/observations
CREATE TABLE IF NOT EXISTS obs_vantages (
    id         TEXT PRIMARY KEY,              -- short name, e.g. 'hub', 'osaka-1'
    name_ja    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    public_key TEXT NOT NULL DEFAULT '',      -- '' for 'hub'
    last_seq   INTEGER NOT NULL DEFAULT 0,    -- highest batch sequence taken (replay)
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
) STRICT;

-- raw probe results, kept 48 h
CREATE TABLE IF NOT EXISTS obs_results (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES obs_sites(id),
    vantage_id TEXT NOT NULL,
    at         INTEGER NOT NULL,              -- probe start (Unix s)
    at_ms      INTEGER NOT NULL DEFAULT 0,    -- its milliseconds
    outcome    TEXT NOT NULL,                 -- ok dns refused timeout tls http5xx status content error
    status     INTEGER NOT NULL DEFAULT 0,
    dns_ms     REAL NOT NULL DEFAULT -1,
    connect_ms REAL NOT NULL DEFAULT -1,
    tls_ms     REAL NOT NULL DEFAULT -1,
    ttfb_ms    REAL NOT NULL DEFAULT -1,
    total_ms   REAL NOT NULL DEFAULT -1,
    addr       TEXT NOT NULL DEFAULT '',      -- resolved address used
    verdict    TEXT NOT NULL DEFAULT '',      -- '', 'ok', 'slow', 'down' (per-probe, vs baseline)
    score      REAL NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX IF NOT EXISTS obs_results_site ON obs_results(site_id, at);
CREATE INDEX IF NOT EXISTS obs_results_at ON obs_results(at);

-- 5-minute rollups, kept 400 days: counts + a mergeable sketch of total_ms
-- (core/obs_sketch.h) + medians per phase
CREATE TABLE IF NOT EXISTS obs_rollups (
    site_id    INTEGER NOT NULL,
    vantage_id TEXT NOT NULL,
    bucket     INTEGER NOT NULL,              -- start, multiple of 300
    n          INTEGER NOT NULL,
    errors     INTEGER NOT NULL,
    p50        REAL NOT NULL,
    p90        REAL NOT NULL,
    p99        REAL NOT NULL,
    dns_p50    REAL NOT NULL DEFAULT -1,
    connect_p50 REAL NOT NULL DEFAULT -1,
    tls_p50    REAL NOT NULL DEFAULT -1,
    ttfb_p50   REAL NOT NULL DEFAULT -1,
    sketch     BLOB NOT NULL,
    PRIMARY KEY (site_id, vantage_id, bucket)
) STRICT, WITHOUT ROWID;

-- the learned normal per site, vantage and hour of the week (0..167,
-- JST, Monday 00:00 = 0)
CREATE TABLE IF NOT EXISTS obs_baselines (
    site_id    INTEGER NOT NULL,
    vantage_id TEXT NOT NULL,
    how        INTEGER NOT NULL,
    median_ms  REAL NOT NULL,
    mad_ms     REAL NOT NULL,
    n          INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (site_id, vantage_id, how)
) STRICT, WITHOUT ROWID;

-- the current state of a site (k of n probes to change)
CREATE TABLE IF NOT EXISTS obs_states (
    site_id     INTEGER PRIMARY KEY,
    state       TEXT NOT NULL DEFAULT 'learning', -- learning normal slow unreachable maintenance paused
    since       INTEGER NOT NULL,
    window      INTEGER NOT NULL DEFAULT 0,    -- last verdicts, 2 bits each (core/obs_state.h)
    window_n    INTEGER NOT NULL DEFAULT 0,
    last_at     INTEGER NOT NULL DEFAULT 0,
    last_total  REAL NOT NULL DEFAULT -1,
    last_outcome TEXT NOT NULL DEFAULT '',
    addr        TEXT NOT NULL DEFAULT '',      -- last resolved address (prefix correlation)
    score       REAL NOT NULL DEFAULT 0,
    reason_ja   TEXT NOT NULL DEFAULT '',
    reason_en   TEXT NOT NULL DEFAULT '',
    phase       TEXT NOT NULL DEFAULT '',      -- the phase that degraded most
    first_at    INTEGER NOT NULL DEFAULT 0     -- first result ever (learning period)
) STRICT;

-- alerts: one site's, or a correlated group's (sector, prefix, DNS
-- provider, hosting network) or a vantage point's own problem
CREATE TABLE IF NOT EXISTS obs_alerts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('site', 'sector', 'prefix',
                                  'dns', 'hosting', 'vantage')),
    key         TEXT NOT NULL,                 -- site id, sector id, prefix, NS, network, vantage
    sector_id   TEXT NOT NULL DEFAULT '',
    org_id      TEXT NOT NULL DEFAULT '',      -- kind 'site': the site's organisation
    state       TEXT NOT NULL DEFAULT 'open',  -- open, closed
    condition   TEXT NOT NULL DEFAULT 'slow',  -- slow, unreachable
    phase       TEXT NOT NULL DEFAULT '',
    since       INTEGER NOT NULL,              -- first anomalous probe
    raised_at   INTEGER NOT NULL,
    closed_at   INTEGER NOT NULL DEFAULT 0,
    site_count  INTEGER NOT NULL DEFAULT 0,
    reason_ja   TEXT NOT NULL DEFAULT '',
    reason_en   TEXT NOT NULL DEFAULT '',
    evidence    TEXT NOT NULL DEFAULT '{}',    -- JSON: per-site since/phase/ratio, vantages
    advisory_id TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX IF NOT EXISTS obs_alerts_open ON obs_alerts(state, kind, key);
CREATE TABLE IF NOT EXISTS obs_alert_sites (
    alert_id INTEGER NOT NULL REFERENCES obs_alerts(id),
    site_id  INTEGER NOT NULL,
    since    INTEGER NOT NULL,
    PRIMARY KEY (alert_id, site_id)
) STRICT, WITHOUT ROWID;
