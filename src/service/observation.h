/*
 * observation.h - website response observation (HPレスポンス観測, issue 12;
 * docs/rules.md "Website response observation"): the signed batches of
 * vantage points, the ingest pipeline (raw result, verdict against the
 * baseline, the k-of-n state, the 5-minute rollup, correlation into
 * alerts), baselines, retention, and the read views (a site's series,
 * alerts, heat map, sector counts) under the visibility rule.
 *
 * Ownership as service/provision.h: on IS_OK a json_t **out holds a new
 * reference the caller json_decref()s.
 */
#ifndef INFRASHARE_OBSERVATION_H
#define INFRASHARE_OBSERVATION_H

#include <jansson.h>

#include "service/app.h"
#include "service/auth.h"
#include "store/store_obs.h"

#define OBS_BATCH_MAX 1000           /* results per batch */
#define OBS_BATCH_MAX_BODY (1 << 20) /* bytes */
#define OBS_SENT_AT_SKEW_S 300       /* sent_at within +-5 min of the hub */
#define OBS_AT_FUTURE_S 60        /* a result's at: not later than now+60 s */
#define OBS_AT_PAST_S (48 * 3600) /* ... nor older than 48 h */
#define OBS_AT_PAST_TEST_S (30 * 86400) /* test mode: 30 days */
#define OBS_MS_MAX 600000.0

/* One probe result as a vantage point measured it (the batch's item, or
 * the in-hub prober's). Durations in ms, -1: the phase did not happen. */
struct obs_result_in {
    int64_t site;
    int64_t at;
    int at_ms;
    char outcome[16];
    int status;
    double dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;
    char addr[64];
    char ns[256];
};

/* POST /api/v1/observations: checks the Ed25519 signature sig_b64 of the
 * raw body (body, len) with the public key of vantage, the batch (body's
 * JSON json), its sequence (> the vantage's last, taken in the write
 * transaction), sent_at (+-OBS_SENT_AT_SKEW_S of now) and every result
 * (ranges; its site assigned); then ingests it in one write transaction.
 * Any refusal stores nothing. *out: {"accepted": n}. */
int obs_push(struct app *a, struct store_conn *c, const char *vantage,
             const char *sig_b64, const char *body, size_t len,
             const json_t *json, int64_t now, json_t **out,
             struct svc_error *e);

/* Ingests results rs[0..n) of vantage in one write transaction (the
 * in-hub prober's path: no signature). */
int obs_ingest(struct app *a, struct store_conn *c, const char *vantage,
               const struct obs_result_in *rs, size_t n, int64_t now);

/* The pipeline of obs_push and obs_ingest, inside the caller's write
 * transaction; *queued: e-mail jobs written (wake the outbox after the
 * commit). */
int obs_ingest_locked(struct app *a, struct store_conn *c, const char *vantage,
                      const struct obs_result_in *rs, size_t n, int64_t now,
                      int *queued);

/* Deletes raw results older than 48 h and rollups older than 400 days
 * (one write transaction); *deleted rows. */
int obs_prune(struct store_conn *c, int64_t now, int64_t *deleted);

/* Recomputes every baseline of site (each vantage and hour of the week)
 * from its rollups (on demand). */
int obs_baselines_recompute(struct store_conn *c, int64_t site, int64_t now);

int obs_site_observations(struct app *a, struct store_conn *c,
                          const struct auth_ctx *who, const char *site_id,
                          const char *from, const char *to, const char *step,
                          int64_t now, json_t **out, struct svc_error *e);
int obs_alerts(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *state, const char *kind, const char *sector,
               int64_t now, json_t **out, struct svc_error *e);
/* The alert alert_id when who may act on it (NISC, or a CEPTOAR secretariat
 * of its sector; not a site's or a vantage point's alert): *al filled (its
 * mem the caller's to free), *nisc whether who is NISC. 404 when who may
 * not see it, 403 when it sees it but may not act. */
int obs_alert_actionable(struct store_conn *c, const struct auth_ctx *who,
                         const char *alert_id, struct store_obs_alert *al,
                         bool *nisc, struct svc_error *e);
int obs_alert_advisory(struct app *a, struct store_conn *c,
                       const struct auth_ctx *who, const char *alert_id,
                       int64_t now, json_t **out, struct svc_error *e);
/* The most cells (the sector's sites, as the reader is shown their count,
 * times the columns) one heat map reads: the UI's 7 days of hours for a
 * sector of 1,488 sites, its 6 hours of 5 minutes for 3,472 */
#define OBS_HEAT_MAX_CELLS 250000
int obs_heatmap(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const char *sector, const char *from, const char *to,
                const char *step, int64_t now, json_t **out,
                struct svc_error *e);
int obs_sectors(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                int64_t now, json_t **out, struct svc_error *e);

/* An alert's reason as a reader gets it: exact (the reader sees every
 * site the alert counts, store_obs_alert_seen) the stored text; else
 * a correlated alert's written again with its counts as seen gives them (core
 * obs_alert_reason_shown); a site alert's (no count of sites) as stored.
 * ja / en at least OBS_SHOWN_REASON_MAX. */
#define OBS_SHOWN_REASON_MAX 1024
void obs_alert_reason_for(const struct store_obs_alert *al,
                          const struct obs_seen *seen, char *ja, size_t ja_cap,
                          char *en, size_t en_cap);

/* The reader of site data for who (NISC and hub admins: every site). */
void obs_reader_of(const struct auth_ctx *who, struct obs_reader *rd);

#endif
