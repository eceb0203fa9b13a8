-- 0002: reporting (情報連絡): catalogues, hop policies, reports, their
-- timeline, updates, attachments, events, deadlines and due reminders,
-- and the data-driven severity tables.

-- The registry's sector view looks CEPTOARs up by (kind, scope).
CREATE INDEX orgs_kind_scope ON orgs(kind, scope_id);

-- Annex 1 system classes and Annex 2 CI services (data/catalogue).
CREATE TABLE catalogue (
    kind    TEXT NOT NULL CHECK (kind IN ('system_class', 'ci_service')),
    id      TEXT NOT NULL,
    scopes  TEXT NOT NULL,          -- ",telecom,cable_tv," for membership tests
    name_ja TEXT NOT NULL,
    name_en TEXT NOT NULL,
    doc     TEXT NOT NULL,          -- the whole catalogue item (JSON)
    PRIMARY KEY (kind, id)
) STRICT, WITHOUT ROWID;

-- Per organisation: how it handles a report or advisory that reaches it.
CREATE TABLE hop_policies (
    org_id           TEXT PRIMARY KEY REFERENCES orgs(id),
    policy           TEXT NOT NULL CHECK (policy IN ('auto', 'review')),
    review_limit_min INTEGER NOT NULL CHECK (review_limit_min >= 0),
    updated_at       INTEGER NOT NULL
) STRICT;

-- Deadlines per sector; the row with sector_id '*' is the default.
CREATE TABLE deadlines (
    sector_id      TEXT PRIMARY KEY,
    first_notice_h INTEGER NOT NULL,
    full_report_h  INTEGER NOT NULL,
    final_d        INTEGER NOT NULL
) STRICT;

CREATE TABLE reports (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    originator      TEXT NOT NULL REFERENCES orgs(id),
    filed_by        INTEGER NOT NULL REFERENCES users(id),
    scope_id        TEXT NOT NULL,
    sector_id       TEXT NOT NULL,
    ministry_id     TEXT NOT NULL DEFAULT '',
    routing_ceptoar TEXT NOT NULL DEFAULT '',
    agency_id       TEXT NOT NULL DEFAULT '',
    route           INTEGER NOT NULL,   -- core/range.h enum report_route
    range           INTEGER NOT NULL,   -- core/range.h enum share_range
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    severity        INTEGER NOT NULL,   -- computed by the engine
    severity_rule   TEXT NOT NULL,
    exceeded        INTEGER NOT NULL DEFAULT 0,
    declared        INTEGER,            -- declared by the reporter, or NULL
    chain           TEXT NOT NULL,      -- ",ceptoar-x,mic,nisc," in order
    reached         TEXT NOT NULL,      -- hops reached so far, same form
    community       TEXT NOT NULL,      -- originator's CEPTOARs, same form
    current_hop     TEXT NOT NULL DEFAULT '', -- '' when it has reached NISC
    hop_arrived_at  INTEGER NOT NULL,
    detected_at     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    first_due       INTEGER NOT NULL,
    full_due        INTEGER NOT NULL,
    final_due       INTEGER NOT NULL,
    full_at         INTEGER,            -- when a full report was filed
    closed_at       INTEGER,
    body            TEXT NOT NULL       -- the current view (JSON)
) STRICT;
CREATE INDEX reports_originator ON reports(originator, seq);
CREATE INDEX reports_hop ON reports(current_hop, hop_arrived_at);
CREATE INDEX reports_open ON reports(state, full_due, final_due);

-- Append-only: the original report and every update, as filed.
CREATE TABLE report_updates (
    id        INTEGER PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(id),
    at        INTEGER NOT NULL,
    user_id   INTEGER NOT NULL REFERENCES users(id),
    kind      TEXT NOT NULL CHECK (kind IN ('original', 'update', 'full',
                                            'final', 'answer')),
    range     INTEGER NOT NULL,
    body      TEXT NOT NULL
) STRICT;
CREATE INDEX report_updates_report ON report_updates(report_id, id);

-- The timeline: every hop, note, question, forward, link.
CREATE TABLE report_timeline (
    id        INTEGER PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(id),
    at        INTEGER NOT NULL,
    org_id    TEXT NOT NULL,
    user_id   INTEGER,                  -- NULL for the hub itself
    type      TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX report_timeline_report ON report_timeline(report_id, id);

CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY,
    report_id  TEXT NOT NULL REFERENCES reports(id),
    update_id  INTEGER NOT NULL REFERENCES report_updates(id),
    name       TEXT NOT NULL,
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    data       BLOB NOT NULL
) STRICT;
CREATE INDEX attachments_report ON attachments(report_id);

CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    title_ja   TEXT NOT NULL,
    title_en   TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES orgs(id),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE event_reports (
    event_id  TEXT NOT NULL REFERENCES events(id),
    report_id TEXT NOT NULL REFERENCES reports(id),
    linked_by TEXT NOT NULL,
    linked_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, report_id)
) STRICT, WITHOUT ROWID;

-- Reminders that are due; the delivery outbox sends them once it exists.
CREATE TABLE reminders (
    id        INTEGER PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(id),
    org_id    TEXT NOT NULL,
    kind      TEXT NOT NULL,            -- full_report, final_report
    due_at    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at   INTEGER,
    UNIQUE (report_id, kind)
) STRICT;
