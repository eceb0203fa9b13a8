/*
 * dashboard.h - the aggregates of the operations picture
 * (GET /api/v1/dashboard; docs/rules.md, "Dashboard").
 */
#ifndef INFRASHARE_DASHBOARD_H
#define INFRASHARE_DASHBOARD_H

#include "service/app.h"

/* Days of the dashboard's timeline (JST days, today included). */
#define DASHBOARD_DAYS 7
/* At most this many advisories in flight are listed (newest first). */
#define DASHBOARD_FLIGHT_MAX 20

/* The dashboard for who at now: every count is of what who may read (the
 * report list's filter and range rule; the advisory list's rule); the
 * parts of a role who lacks are null. */
int dashboard_get(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, int64_t now, json_t **out,
                  struct svc_error *e);

/* The same dashboard as JSON text (*text malloc'd, *len its length),
 * computed in one snapshot and kept in a->dash_cache under who's
 * organisation, kind and roles, the JST day and the dashboard's version
 * (migration 0021). A kept text is answered again only while the version
 * is unchanged and no report deadline has passed since it was computed
 * (the overdue count), and for at most DASHBOARD_CACHE_S seconds; its
 * generated_at is now, kept or computed (never when it was computed:
 * that moved with every change hub-wide, hidden rows included). */
#define DASHBOARD_CACHE_S 60
int dashboard_text(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, int64_t now, char **text,
                   size_t *len, struct svc_error *e);
#endif
