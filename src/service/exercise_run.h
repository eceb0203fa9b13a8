/*
 * exercise_run.h - a cross-sector exercise while it runs (issue 14;
 * docs/rules.md "Cross-sector exercises"): its own database (a file
 * beside the hub's, seeded with the registry and the participants'
 * contacts), an app over it whose time is the exercise's clock, its own
 * outbox marking every message 【演習】/[EXERCISE], the injects fired on
 * the clock by the worker, and what each participant did, scored.
 *
 * Participants act with the real features: a request under
 * /x/{exercise}/ runs the same handler and service code on the
 * exercise's app (http/server.c), so nothing of the exercise is written
 * to, or read from, the hub's own database: no real list, count, reach
 * figure, metric or export can show it.
 */
#ifndef INFRASHARE_EXERCISE_RUN_H
#define INFRASHARE_EXERCISE_RUN_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "core/exercise.h"
#include "service/app.h"
#include "store/store_exercise.h"

#define EX_MAX_RUNNING 16

struct outbox;

struct ex_member {
    char org[64];
    char sector[64];
    char kind[16];
    char name_ja[601], name_en[601];
};

struct ex_run {
    char id[40];
    struct app app; /* the hub's, over the exercise's database */
    struct store *store;
    struct outbox *outbox;
    struct ex_scenario *sc;    /* checked */
    json_t *scenario;          /* its file: texts, targets, groups */
    struct ex_member *members; /* the participants, sorted by org */
    size_t nmembers;
    pthread_mutex_t lock; /* the clock */
    struct ex_clock clock;
    int64_t clock_version; /* the exercise's version the clock is of */
    atomic_int refs;
    atomic_bool live; /* its start is committed: injects may fire */
    /* the whole board as last built (ex_run_board_text): valid for its
     * database's board version and exercise times [from, until) */
    pthread_mutex_t cache_lock;
    pthread_cond_t cache_cond; /* a build ended */
    bool cache_building;
    char *cache_text;
    size_t cache_len;
    int64_t cache_version, cache_from, cache_until;
    bool limits_init;
    char path[4200];
};

/* The registry of running exercises (app->exercises). */
struct ex_runs *ex_runs_new(void);
/* Stops every exercise's outbox and closes their databases. */
void ex_runs_free(struct ex_runs *rs);

/* Opens x's own database (fresh: made anew and seeded from the hub's),
 * starts its outbox and adds it to a's registry. */
int ex_run_open(struct app *a, struct store_conn *c,
                const struct store_exercise *x, bool fresh,
                struct svc_error *e);
/* Loads the exercises left running (daemon start). */
int ex_runs_resume(struct app *a);
/* The running exercise id (a reference: ex_run_put it), or NULL. On
 * PostgreSQL, where several nodes share the exercise, it first follows
 * the stored exercise: opens one another node started, takes the stored
 * clock, closes one another node ended. */
struct ex_run *ex_run_get(struct app *a, const char *id);
/* On PostgreSQL, the same for every exercise the store runs or this node
 * has open (the worker's pass). Nothing on SQLite. */
void ex_runs_follow(struct app *a);
void ex_run_put(struct ex_run *r);
/* Takes the exercise out of the registry and stops its outbox; its
 * database closes when the last reference is put. */
void ex_run_close(struct app *a, const char *id);

/* The clock of an exercise as stored. */
void ex_clock_of(const struct store_exercise *x, struct ex_clock *c);
/* The clock, as stored with the exercise's version (an older version
 * than the clock's is ignored). */
void ex_run_clock_set(struct ex_run *r, const struct ex_clock *c,
                      int64_t version);
void ex_run_clock_get(struct ex_run *r, struct ex_clock *c);
/* The exercise's time (Unix seconds on its clock) at real time now. */
int64_t ex_run_now(struct ex_run *r, int64_t real_now);

/* Is org a participant? */
const struct ex_member *ex_run_member(const struct ex_run *r, const char *org);

/* Fires inject index i of the scenario (by_hand: the controller), or the
 * ad-hoc inject adhoc (an inject object of the scenario format; i
 * ignored). IS_ERR_CONFLICT when it fired already. */
int ex_run_fire(struct ex_run *r, int i, const json_t *adhoc, bool by_hand,
                struct svc_error *e);
/* The worker's pass: fires what is due on every running exercise's
 * clock, then runs the exercise's reporting and provision ticks. Returns
 * the number of changes. */
int ex_runs_tick(struct app *a);
/* The same pass for one exercise (the console's act: what became due on
 * its new clock fires before the answer). */
int ex_run_tick(struct ex_run *r);
/* Its start is committed: the worker may fire its injects (a run opened
 * by `start` waits for the hub's commit). */
void ex_run_go(struct ex_run *r);

/* The board: every participant (only_org non-NULL: that one) with each
 * expected action of the injects that reached it, scored at the
 * exercise's time now (core/exercise.h ex_score), and the totals. A new
 * object, or NULL (out of memory, the database). */
json_t *ex_run_board(struct ex_run *r, const char *only_org, int64_t now);
/* The whole board (every participant, the totals) as JSON text, a
 * malloc'd copy of the cache while nothing it reads was written
 * (ex_board_version, migration 0026) and no pending action's limit
 * passed; else built anew and cached. */
int ex_run_board_text(struct ex_run *r, int64_t now, char **text, size_t *len);

#endif
