/*
 * store_exercise.h - cross-sector exercises' rows (issue 14; migration
 * 0024; the SQL in store/store_exercise_sql.h). In the hub's database:
 * exercises, participants, the questionnaire and the discussion notes. In
 * an exercise's own database (same schema): the injects that fired, whom
 * they reached, BCP activations, and what participants did as the real
 * features recorded it (reports, acknowledgements, relays, roll-call
 * answers). Conventions of store/store.h.
 */
#ifndef INFRASHARE_STORE_EXERCISE_H
#define INFRASHARE_STORE_EXERCISE_H

#include "store/store.h"

struct store_exercise {
    char id[40];
    char title_ja[801], title_en[801]; /* 200 characters of UTF-8 */
    char *scenario; /* malloc'd JSON text (store_exercise_release) */
    char state[12]; /* planning, briefing, running, ended */
    char planned_for[11];
    char *briefing_ja, *briefing_en; /* malloc'd */
    int scale;
    int64_t started_at, paused_since, paused_total, shift_s, advanced_s;
    int64_t ended_at, ended_world;
    char *debrief; /* malloc'd JSON text, "" until the end */
    char report_state[8];
    char *report_ja, *report_en; /* malloc'd */
    int64_t created_by, created_at, version;
    int participants; /* counted */
};
void store_exercise_release(struct store_exercise *x);

/* Inserts x (version 1) under its id (IS_ERR_CONFLICT when taken). */
int store_exercise_insert(struct store_conn *c, struct store_exercise *x);
int store_exercise_get(struct store_conn *c, const char *id,
                       struct store_exercise *out);
/* Writes the state, clock, debrief and report fields of x when its
 * version is still x->version (IS_ERR_CONFLICT otherwise); x->version is
 * then one more. */
int store_exercise_update(struct store_conn *c, struct store_exercise *x);
/* Newest first; org non-NULL: only those org takes part in. The heavy
 * text fields are not read (NULL). */
int store_exercise_list(struct store_conn *c, const char *org,
                        struct store_exercise **out, size_t *n);
void store_exercise_list_free(struct store_exercise *xs, size_t n);
/* The ids of the exercises in state running (at most max). */
int store_exercise_running(struct store_conn *c, char (*ids)[40], size_t max,
                           size_t *n);

struct store_ex_participant {
    char org_id[64];
    char venue[801], theme_ja[4001], theme_en[4001]; /* 200, 1000 chars */
    char checklist[2048];
    /* from the registry */
    char kind[16], name_ja[601], name_en[601], sector_id[64], scope_id[64];
};
int store_ex_participants(struct store_conn *c, const char *exercise,
                          struct store_ex_participant **out, size_t *n);
int store_ex_participant_get(struct store_conn *c, const char *exercise,
                             const char *org, struct store_ex_participant *out);
/* Adds organisations (INSERT OR IGNORE): one, the operators of a sector,
 * the members of a CEPTOAR. *added counts the new rows. */
int store_ex_participant_add(struct store_conn *c, const char *exercise,
                             const char *org, int *added);
int store_ex_participant_add_sector(struct store_conn *c, const char *exercise,
                                    const char *sector, int *added);
int store_ex_participant_add_ceptoar(struct store_conn *c, const char *exercise,
                                     const char *ceptoar, int *added);
int store_ex_participant_remove(struct store_conn *c, const char *exercise,
                                const char *org);
int store_ex_participant_set(struct store_conn *c, const char *exercise,
                             const struct store_ex_participant *p);
/* A participant of exercise also taking part in another running exercise:
 * its id into org/other, or IS_ERR_NOTFOUND when none. */
int store_ex_busy(struct store_conn *c, const char *exercise, char *org,
                  size_t orglen, char *other, size_t otherlen);

/* The questionnaire and the discussion notes. */
int store_ex_answer_put(struct store_conn *c, const char *exercise,
                        const char *org, const char *answers, int64_t by,
                        int64_t at);
struct store_ex_text {
    char org_or_group[256]; /* an org id, or a group of 60 characters */
    char *text;             /* malloc'd: the answers' JSON, or the note */
    int64_t by, at;
};
int store_ex_answers(struct store_conn *c, const char *exercise,
                     struct store_ex_text **out, size_t *n);
/* One participant's answer (IS_ERR_NOTFOUND: none yet); out->text
 * malloc'd (store_ex_texts_free(out, 1) frees it). */
int store_ex_answer_get(struct store_conn *c, const char *exercise,
                        const char *org, struct store_ex_text *out);
int store_ex_note_add(struct store_conn *c, const char *exercise,
                      const char *group, const char *text, int64_t by,
                      int64_t at);
int store_ex_notes(struct store_conn *c, const char *exercise,
                   struct store_ex_text **out, size_t *n);
void store_ex_texts_free(struct store_ex_text *t, size_t n);

/* ---- an exercise's own database ---- */

/* Where exercise's world lives, from the hub's database hub: on SQLite a
 * file beside the hub's ("HUB.exercise-ID.db"); on PostgreSQL a schema of
 * the hub's database ("ex_" and the id in lower case), named by the hub's
 * URI with the schema first on the session's search path (libpq's
 * "options"). Open it with store_open(..., STORE_WORLD ...).
 * IS_ERR_TOO_LARGE when it does not fit outlen. */
int store_ex_world_path(const char *hub, const char *exercise, char *out,
                        size_t outlen);
/* Before a start: the world of an earlier start of exercise goes (its
 * files; its schema, made again empty). On failure a sentence in err. */
int store_ex_world_reset(const char *hub, const char *exercise, char *err,
                         size_t errlen);
/* Copies the registry of the hub's database into c's (an exercise's fresh
 * world): sectors, scopes, organisations, memberships, sub-groups, the
 * catalogue, hop policies, deadlines, handling rules and agreements; users
 * without their password hashes (nobody signs in to an exercise's world);
 * and the contacts of the participants of exercise only. In one
 * transaction on c; what the hub has committed (SQLite: the file at
 * main_path attached; PostgreSQL: the hub's schema, read from hub, a
 * connection of the hub's store). */
/* Brings user id of the hub (read on hub) into the exercise's world on c
 * when it is not there: a user added after the exercise started (the seed
 * copied the users of that moment) acts in it as any other (its reports
 * name it). Reads only when the user is there already. */
int store_ex_user_join(struct store_conn *c, struct store_conn *hub, int64_t id,
                       int64_t now);
/* Whether advisory adv is an inject's (an exercise's world: sent by a
 * controller on its author organisation's behalf); false when it cannot
 * be told. */
bool store_ex_advisory_is_inject(struct store_conn *c, const char *adv);
int store_ex_seed(struct store_conn *c, struct store_conn *hub,
                  const char *main_path, const char *exercise);

struct store_ex_inject {
    char inject_id[48];
    char advisory_id[40];
    int64_t fired_at;
    bool by_hand;
    char *adhoc; /* malloc'd JSON or NULL */
};
int store_ex_injects(struct store_conn *c, struct store_ex_inject **out,
                     size_t *n);
void store_ex_injects_free(struct store_ex_inject *x, size_t n);
/* IS_ERR_CONFLICT when the inject fired already. */
int store_ex_inject_fired(struct store_conn *c, const char *inject,
                          const char *advisory, int64_t at, bool by_hand,
                          const char *adhoc);
/* Inject reached org with advisory (its own, for an inject with a
 * condition). */
int store_ex_fired_add(struct store_conn *c, const char *inject,
                       const char *org, const char *advisory);
/* The board's version: bumped by triggers on what the board reads
 * (migration 0026). */
int store_ex_board_version(struct store_conn *c, int64_t *v);

/* What was done, as the features recorded it: one row per event. */
enum store_ex_event {
    STORE_EX_REACHED = 0, /* an inject reached org (ref: the inject) */
    STORE_EX_REPORT,      /* org filed a report (ref: its kind) */
    STORE_EX_ACK,         /* org acknowledged inject ref's advisory */
    STORE_EX_RELAY,       /* org relayed inject ref's advisory by hand */
    STORE_EX_BCP,         /* org declared BCP activation */
    STORE_EX_ROLLCALL,    /* org answered inject ref's roll call */
    STORE_EX_DELIVERED,   /* (not read: kept for the numbering) */
    STORE_EX_HOP          /* org is a hop (relays) of inject ref's advisory */
};
struct store_ex_event_row {
    int type; /* enum store_ex_event */
    char org_id[64];
    char ref[48];
    int64_t at;
};
/* Every event, oldest first within each type. */
int store_ex_events(struct store_conn *c, struct store_ex_event_row **out,
                    size_t *n);
/* When org last declared BCP activation (0: never). */
int store_ex_bcp_count(struct store_conn *c, const char *org, int64_t *n);
int store_ex_bcp_last(struct store_conn *c, const char *org, int64_t *at);
int store_ex_bcp_add(struct store_conn *c, const char *org, int64_t user,
                     const char *note, int64_t at);

#endif
