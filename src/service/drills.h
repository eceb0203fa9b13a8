/*
 * drills.h - drill kinds (reach, structure, outage), sub-group targets and
 * the drill programme: the list per CEPTOAR and fiscal year and the
 * national summary (DOMAIN.md §6a, §7; docs/rules.md, "Drill kinds and
 * the drill programme"). drill_start and drill_report are declared in
 * service/provision.h.
 */
#ifndef INFRASHARE_DRILLS_H
#define INFRASHARE_DRILLS_H

#include <jansson.h>

#include "service/app.h"
#include "service/auth.h"
#include "store/store.h"

/* A member confirms, for a structure drill, that its contacts are
 * current: {drill, org, confirmed_at}. 404 when who's organisation is
 * not a recipient, 409 not_structure_drill for another kind. */
int drill_confirm(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id, int64_t now,
                  json_t **out, struct svc_error *e);

/* The drills who may see, newest first: fy (0 = every year), ceptoar
 * (NULL = every one), limit, cursor (the previous page's next_cursor).
 * NISC sees every drill, a ministry those through the CEPTOARs of its
 * sectors and its own, a secretariat those through its CEPTOAR; others
 * 403. */
int drill_list(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               int fy, const char *ceptoar, int limit, const char *cursor,
               int64_t now, json_t **out, struct svc_error *e);

/* The national drill summary of fiscal year fy (0 = the current one):
 * per CEPTOAR who may see, over the drills whose 1-day window is closed,
 * reach within 1 day, time-to-acknowledge percentiles, the channels that
 * reached, and the trend over the five fiscal years up to fy. */
int drill_summary(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, int fy, int64_t now, json_t **out,
                  struct svc_error *e);

/* The sub-groups of ceptoar (NULL = every CEPTOAR): {items: [{id,
 * ceptoar, name{ja,en}, members}]}. */
int subgroups_list(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *ceptoar,
                   json_t **out, struct svc_error *e);

/* Checks the "subgroups" of an advisory audience (each exists; a
 * secretariat names its own CEPTOAR's; Red names no group). *named is
 * set when it names at least one. */
int drill_audience_subgroups(struct store_conn *c, const struct auth_ctx *who,
                             const json_t *aud, int range, bool *named,
                             struct svc_error *e);

#endif
