/*
 * app.h - what the daemon's handlers share: the store, limits, settings.
 */
#ifndef INFRASHARE_APP_H
#define INFRASHARE_APP_H

#include "service/auth.h"
#include "common/common.h"
#include "store/store.h"

#include <jansson.h>

/* An error a service hands back to its caller: the error code (enum
 * is_err; IS_OK while unfilled), a machine code for the API's error object,
 * the field it concerns ("" for none) and a sentence. Services know no
 * HTTP status: src/http/status.c maps err to one. */
struct svc_error {
    int err;
    char code[32];
    char field[128]; /* may quote the request's own names: cut if longer */
    char message[256];
};

/* Sets e's field; one longer than the room is cut at a character's
 * boundary and ends in "..." (it may quote the request's own keys). */
void svc_field(struct svc_error *e, const char *field);
/* Fills e and returns err. */
int svc_fail(struct svc_error *e, enum is_err err, const char *code,
             const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A query parameter that must be a whole number from min to max: *out is
 * dflt when text is NULL, else the number. "abc" is 400 invalid_type,
 * "0" or "99999" beyond the range 400 out_of_range, both naming name
 * (the codes of http_limit, the same on every list). */
int svc_query_long(const char *name, const char *text, long dflt, long min,
                   long max, long *out, struct svc_error *e);

struct reporting;
struct rcache;
struct deliver_settings;
struct ex_runs;
struct ex_run;

struct app {
    struct store *store;
    struct reporting *reporting; /* severity table and report settings */
    struct auth_limits limits;
    bool cookie_secure; /* add "Secure" to the session cookie (behind TLS) */
    /* provision settings (infrashared flags); the delivery worker's own
     * (SMTP, retries, timeouts) are in its struct deliver_settings
     * (deliver/message.h), filled in infrashared.c */
    char public_url[256];      /* base of links in messages */
    int ack_deadline_s[3];     /* severity 4-5, 3, 0-2 */
    unsigned char ack_key[32]; /* signs acknowledgement links */
    /* wakes the delivery worker when jobs were queued (may be NULL) */
    void (*wake_outbox)(struct app *a);
    void *outbox;
    int64_t started_at;
    /* issue 17: this hub's node id (infrashared --node-id, default the
     * host name; 1 to 63 of [A-Za-z0-9._-], checked by metrics_set_node):
     * named by GET /readyz and the metric infrashare_node_info */
    char node_id[64];
    /* the roll-call boards last read, by version (service/rcache.h; NULL:
     * no cache) */
    struct rcache *board_cache;
    /* the dashboards last computed, by reader and version
     * (service/dashboard.c; NULL: no cache) */
    struct rcache *dash_cache;
    /* the published results of closed survey campaigns, by campaign,
     * format and language (service/survey_report.c; NULL: no cache) */
    struct rcache *survey_cache;
    /* infrashared --test-mode (only when listening on loopback): website
     * observation admits loopback site URLs and intervals from 1 s
     * (service/sites.h) */
    bool test_mode;
    /* issue 13, C4TAP: the submission address handlers' personal
     * addresses derive from (--c4tap-address, "" = none), and the mail
     * intake's token (--c4tap-intake-token-file: its BLAKE2b hash) */
    char c4tap_address[256];
    unsigned char c4tap_intake_hash[32];
    bool c4tap_intake_set;
    /* issue 14, cross-sector exercises (service/exercise_run.h): the
     * hub's database file (an exercise's own database is made beside it),
     * the delivery settings an exercise's outbox copies (NULL: exercises
     * deliver nothing), and the running exercises (NULL: none loaded) */
    const char *db_path;
    /* the store is PostgreSQL (db_path a postgresql:// URI): GET /readyz
     * says why writes are off in the engine's terms */
    bool on_postgresql;
    const struct deliver_settings *deliver;
    struct ex_runs *exercises;
    /* an exercise's app (a copy of the hub's, over the exercise's own
     * database): its exercise, and its clock (app_now) */
    struct ex_run *exercise;
    char exercise_id[40]; /* "" for the hub's own */
    int64_t (*clock)(const struct app *a);
};

/* The current time (seconds). One place, so that time is passed down. In
 * an exercise's app, the exercise's time (its clock). */
int64_t app_now(const struct app *a);

/* t (Unix seconds) as an RFC 3339 JSON string, or JSON null for 0 (never,
 * not yet). The caller owns the returned reference. */
json_t *svc_time_json(int64_t t);

#endif
