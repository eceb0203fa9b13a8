-- 0024: cross-sector exercises (分野横断的演習, issue 14; docs/rules.md
-- "Cross-sector exercises"). The exercise itself (planning, briefing,
-- the controller's clock, the questionnaire, the debrief) lives in the
-- hub's database; what participants do during the exercise lives in the
-- exercise's own database (a file beside the hub's), which has the same
-- schema: the ex_* tables below are used there only.

CREATE TABLE IF NOT EXISTS exercises (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    title_ja      TEXT NOT NULL,
    title_en      TEXT NOT NULL,
    scenario      TEXT NOT NULL,           -- the scenario file (JSON)
    state         TEXT NOT NULL CHECK (state IN ('planning', 'briefing',
                                                 'running', 'ended')),
    planned_for   TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD or ''
    briefing_ja   TEXT NOT NULL DEFAULT '', -- documents for participants
    briefing_en   TEXT NOT NULL DEFAULT '',
    scale         INTEGER NOT NULL DEFAULT 1, -- core/exercise.h ex_clock
    started_at    INTEGER NOT NULL DEFAULT 0,
    paused_since  INTEGER NOT NULL DEFAULT 0,
    paused_total  INTEGER NOT NULL DEFAULT 0,
    shift_s       INTEGER NOT NULL DEFAULT 0,
    advanced_s    INTEGER NOT NULL DEFAULT 0,
    ended_at      INTEGER NOT NULL DEFAULT 0,
    ended_world   INTEGER NOT NULL DEFAULT 0, -- exercise time at the end
    debrief       TEXT NOT NULL DEFAULT '', -- the figures at the end (JSON)
    report_state  TEXT NOT NULL DEFAULT '' CHECK (report_state IN
                      ('', 'interim', 'final')),
    report_ja     TEXT NOT NULL DEFAULT '',
    report_en     TEXT NOT NULL DEFAULT '',
    created_by    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE IF NOT EXISTS exercise_participants (
    exercise_id TEXT NOT NULL REFERENCES exercises(id),
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    venue       TEXT NOT NULL DEFAULT '', -- '' = from its own workplace
    theme_ja    TEXT NOT NULL DEFAULT '', -- individual verification theme
    theme_en    TEXT NOT NULL DEFAULT '',
    checklist   TEXT NOT NULL DEFAULT '{}', -- the briefing's rules pre-check
    PRIMARY KEY (exercise_id, org_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS exercise_participants_org
    ON exercise_participants(org_id);

-- The questionnaire after the exercise: one answer per participant.
CREATE TABLE IF NOT EXISTS exercise_answers (
    exercise_id  TEXT NOT NULL REFERENCES exercises(id),
    org_id       TEXT NOT NULL,
    answers      TEXT NOT NULL,            -- JSON
    submitted_by INTEGER NOT NULL,
    submitted_at INTEGER NOT NULL,
    PRIMARY KEY (exercise_id, org_id)
) STRICT, WITHOUT ROWID;

-- The controllers' notes of the group discussions.
CREATE TABLE IF NOT EXISTS exercise_notes (
    id          INTEGER PRIMARY KEY,
    exercise_id TEXT NOT NULL REFERENCES exercises(id),
    grp         TEXT NOT NULL,
    text        TEXT NOT NULL,
    by_user     INTEGER NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS exercise_notes_ex ON exercise_notes(exercise_id, id);

-- ---- in an exercise's own database ----
-- Each inject once: when it fired (exercise time), its advisory ('' when
-- it reached nobody), by hand or by the clock, an ad-hoc inject's JSON.
CREATE TABLE IF NOT EXISTS ex_injects (
    inject_id   TEXT PRIMARY KEY,
    advisory_id TEXT NOT NULL DEFAULT '',
    fired_at    INTEGER NOT NULL,
    by_hand     INTEGER NOT NULL DEFAULT 0,
    adhoc       TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;
-- Whom it reached.
CREATE TABLE IF NOT EXISTS ex_fired (
    inject_id TEXT NOT NULL,
    org_id    TEXT NOT NULL,
    PRIMARY KEY (inject_id, org_id)
) STRICT, WITHOUT ROWID;
-- Business-continuity plan activations declared by participants.
CREATE TABLE IF NOT EXISTS ex_bcp (
    id          INTEGER PRIMARY KEY,
    org_id      TEXT NOT NULL,
    declared_at INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX IF NOT EXISTS ex_bcp_org ON ex_bcp(org_id, declared_at);
