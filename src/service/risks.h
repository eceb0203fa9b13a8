/*
 * risks.h - the operators' risk registers (DOMAIN.md §12, issue 15;
 * docs/rules.md "Risk register"; 002:261-308): each operator's risks with
 * owner, asset, impact x likelihood on its own scale, the treatment
 * (reduce / avoid / transfer / accept), the guideline's measures, the
 * plan and the review date; every version kept; shared on the operator's
 * choice with the secretariats of its CEPTOARs; review reminders e-mailed
 * through the outbox by the background worker.
 *
 * Ownership: on IS_OK a json_t **out holds a new reference the caller
 * json_decref()s. Arguments are borrowed for the call only.
 */
#ifndef INFRASHARE_RISKS_H
#define INFRASHARE_RISKS_H

#include <jansson.h>

#include "common/jv.h"
#include "service/app.h"
#include "service/auth.h"
#include "store/store.h"

#define RISK_MIN_LEVELS 3
#define RISK_MAX_LEVELS 5
#define RISK_DEFAULT_THRESHOLD 12 /* also in store/store_risk_sql.h */
#define RISK_TITLE_MAX 200        /* code points */
#define RISK_TEXT_MAX 4000        /* description, plan */
#define RISK_NAME_MAX 200         /* owner, asset */
#define RISK_LABEL_MAX 100        /* a scale level's label */
#define RISK_MEASURES_MAX 50
#define RISK_MEASURE_ID_MAX 47 /* GUIDELINE_ID_LEN - 1 */
#define RISK_MAX_SCORE 25      /* RISK_MAX_LEVELS squared */
#define RISK_MAX_PER_ORG 10000
/* review reminders: RISK_REMIND_BEFORE ahead of the review date; a date
 * passed more than RISK_REMIND_LATE ago without one gets none */
#define RISK_REMIND_BEFORE (14 * 86400)
#define RISK_REMIND_LATE (30 * 86400)
#define RISK_TICK_MAX 500 /* reminders per worker pass */
#define RISK_LIST_MAX 500
#define RISK_HISTORY_MAX 500

extern const struct jv_field risks_create_spec[];
extern const struct jv_field risks_update_spec[];
extern const struct jv_field risks_scale_spec[];

/* The query of GET /api/v1/risks and of a history page, as received (the
 * service checks each; NULL: absent). limit is checked by the caller. */
struct risk_query {
    const char *state, *treatment, *above, *review_before, *cursor;
    int limit;
};

/* GET /api/v1/risks: {items, next_cursor}. */
int risks_list(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const struct risk_query *q, int64_t now, json_t **out,
               struct svc_error *e);
/* POST /api/v1/risks (body checked against risks_create_spec). Audited
 * risk.create. */
int risk_create(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const json_t *body, int64_t now, json_t **out,
                struct svc_error *e);
/* GET /api/v1/risks/{id} */
int risk_get(struct app *a, struct store_conn *c, const struct auth_ctx *who,
             const char *id, int64_t now, json_t **out, struct svc_error *e);
/* PUT /api/v1/risks/{id} (risks_update_spec; version required). Audited
 * risk.update. */
int risk_update(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const char *id, const json_t *body, int64_t now, json_t **out,
                struct svc_error *e);
/* GET /api/v1/risks/{id}/history: {items, next_cursor}, oldest first
 * (q: cursor and limit only). */
int risk_history(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id,
                 const struct risk_query *q, json_t **out, struct svc_error *e);
/* GET /api/v1/risks/heatmap */
int risks_heatmap(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, json_t **out,
                  struct svc_error *e);
/* GET and PUT /api/v1/risks/scale (risks_scale_spec). The PUT is audited
 * risk.scale. */
int risks_scale_get(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, json_t **out,
                    struct svc_error *e);
int risks_scale_put(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const json_t *body, int64_t now,
                    json_t **out, struct svc_error *e);

/* The background worker's pass: review reminders due (at most
 * RISK_TICK_MAX), each a notice to the operator's e-mail contacts and a
 * risk_reminders row in one transaction. Returns how many were queued. */
int risks_tick(struct app *a, struct store_conn *c, int64_t now);

#endif
