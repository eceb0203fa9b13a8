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

#endif
