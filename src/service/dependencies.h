/*
 * dependencies.h - interdependency between sectors (and named operators)
 * and cascade suggestions (DOMAIN.md §13, issue 15; docs/rules.md
 * "Interdependency and cascade suggestions"): the model as data
 * (data/dependencies/national.json, format "infrashare-dependencies/1"),
 * versioned and edited by NISC; for an event, the dependents to warn with
 * the path and the expected lag (core/depend.h), recorded with what was
 * done about them; one step to an advisory.
 *
 * Ownership: on IS_OK a json_t **out holds a new reference the caller
 * json_decref()s. Arguments are borrowed for the call only.
 */
#ifndef INFRASHARE_DEPENDENCIES_H
#define INFRASHARE_DEPENDENCIES_H

#include <jansson.h>

#include "core/depend.h"
#include "service/app.h"
#include "service/auth.h"
#include "common/jv.h"
#include "store/store.h"

#define DEPENDENCIES_FORMAT "infrashare-dependencies/1"

extern const struct jv_field dependencies_put_spec[];
extern const struct jv_field dependencies_advisory_spec[];

/* Checks model file j and fills *m (the caller's; large: heap). c NULL:
 * the registry is not consulted; else every node must be a sector or an
 * organisation. IS_OK, or IS_ERR_INVALID with e naming the field
 * ("edges[3].lag_min") and the code (missing_field, invalid_type,
 * unknown_field, invalid_value, unknown_node, invalid_strength,
 * invalid_lag, duplicate_edge, zero_lag_cycle, too_many). */
int dependencies_parse(struct store_conn *c, const json_t *j,
                       struct dep_model *m, struct svc_error *e);

/* infrashare init: the first version from DIR/dependencies/national.json
 * when it exists (checked against the registry), in the caller's
 * transaction. */
int dependencies_import(struct store_conn *c, const char *data_dir, int64_t now,
                        char *err, size_t errlen);

/* GET /api/v1/dependencies: the current version (any signed-in user). */
int dependencies_get(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, json_t **out,
                     struct svc_error *e);
/* PUT /api/v1/dependencies {version, model}: a new version, by NISC's
 * analysts and hub admins, when version is still the current one
 * (409 version_conflict otherwise). Audited. */
int dependencies_put(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, const json_t *body,
                     int64_t now, json_t **out, struct svc_error *e);
/* GET /api/v1/events/{id}/cascade: the suggestions for the event as who
 * may read it (its readable reports' sectors and severity), recorded. */
int event_cascade(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *event, int64_t now,
                  json_t **out, struct svc_error *e);
/* POST /api/v1/events/{id}/cascade/advisory: one step from a recorded
 * suggestion to an advisory to the dependents (all, or those named), the
 * advisory recorded with the suggestion in the same transaction. */
int event_cascade_advisory(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, const char *event,
                           const json_t *body, int64_t now, json_t **out,
                           struct svc_error *e);
/* The same for one report (its sector, its effective severity), as who may
 * read it. */
int report_cascade(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *report, int64_t now,
                   json_t **out, struct svc_error *e);
int report_cascade_advisory(struct app *a, struct store_conn *c,
                            const struct auth_ctx *who, const char *report,
                            const json_t *body, int64_t now, json_t **out,
                            struct svc_error *e);
/* The same for a sector-wide alert of website observation (issue 12), by
 * who may act on it (NISC, the sector's secretariats): its sector, severity
 * 4 when the sites are unreachable, 3 when slow. 409 not_sector_wide for
 * other alerts. */
int obs_alert_cascade(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, const char *alert,
                      int64_t now, json_t **out, struct svc_error *e);
int obs_alert_cascade_advisory(struct app *a, struct store_conn *c,
                               const struct auth_ctx *who, const char *alert,
                               const json_t *body, int64_t now, json_t **out,
                               struct svc_error *e);

#endif
