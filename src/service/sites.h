/*
 * sites.h - website response observation (HPレスポンス観測, issue 12;
 * docs/rules.md "Registration and visibility"): registering the sites to
 * observe, who sees them, programme participation per CEPTOAR, vantage
 * points and what each probes.
 *
 * Visibility (the rule, core/access.h access_may_see_site): a site and
 * everything observed of it is visible to its organisation, the
 * secretariats of that organisation's CEPTOARs, NISC and hub admins; to
 * anyone else it does not exist (404, never 403; lists and totals count
 * only visible sites). Other parts (observations, alerts, heat maps) use
 * sites_may_see / sites_viewer / OBS_SITE_VISIBLE_SQL, never their own
 * copy of the rule.
 *
 * Ownership: on IS_OK a json_t **out holds a new reference the caller
 * json_decref()s. Arguments are borrowed for the call only.
 */
#ifndef INFRASHARE_SITES_H
#define INFRASHARE_SITES_H

#include <jansson.h>

#include "common/jv.h"
#include "service/app.h"
#include "service/auth.h"
#include "store/store.h"

#define SITES_INTERVAL_DEFAULT 60
#define SITES_INTERVAL_MIN 30     /* production */
#define SITES_INTERVAL_MIN_TEST 1 /* --test-mode */
#define SITES_INTERVAL_MAX 3600
#define SITES_CONTENT_MATCH_MAX 256 /* bytes */
#define SITES_LIST_MAX 200
#define SITES_MAINT_MAX_S (7 * 86400) /* one window at most a week long */

extern const struct jv_field sites_register_spec[];
extern const struct jv_field sites_update_spec[];
extern const struct jv_field sites_maintenance_spec[];
extern const struct jv_field sites_participant_spec[];
extern const struct jv_field sites_vantage_spec[];

/* ---- the visibility rule, for every part of the observation ---- */

/* May who see the sites (and observations) of organisation site_org?
 * Reads the organisation's CEPTOARs on c. *yes false also when the
 * organisation does not exist. */
int sites_may_see(struct store_conn *c, const struct auth_ctx *who,
                  const char *site_org, bool *yes);
/* The parameters of OBS_SITE_VISIBLE_SQL (store/store_sql.h) for who:
 * v->org borrows who's organisation id. */
void sites_viewer(const struct auth_ctx *who, struct store_site_viewer *v);
/* The site id if who may see it; IS_ERR_NOTFOUND (e filled: 404
 * not_found, field "id") when it does not exist, is deleted or is not
 * visible: the same answer. */
int sites_get_visible(struct store_conn *c, const struct auth_ctx *who,
                      int64_t id, struct store_site *out, struct svc_error *e);
/* A path id ("123") as a site id; IS_ERR_NOTFOUND (e filled) when it is
 * not a positive decimal integer. */
int sites_parse_id(const char *s, int64_t *id, struct svc_error *e);
/* The site's JSON (docs/openapi.json Site): a new reference, NULL when out
 * of memory. */
json_t *sites_json(const struct store_site *s);

/* ---- sites ---- */

/* POST /api/v1/sites -> 201 site. org defaults to who's organisation; an
 * operator registers its own, a CEPTOAR secretariat for its members (the
 * relay recorded as via_org), NISC and admins for any operator. The
 * organisation's CEPTOAR must participate (409 not_participating).
 * Refused (400 naming the field, nothing stored): see
 * docs/rules.md; a duplicate (same organisation and canonical URL): 409
 * duplicate. Audited (site.register). */
int sites_register(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const json_t *body, int64_t now,
                   json_t **out, struct svc_error *e);

struct sites_query {
    const char *org, *sector, *state, *q;
    const char *limit, *offset; /* the query's text, NULL: default */
};
/* GET /api/v1/sites -> {items, total, limit, offset}: visible sites only. */
int sites_list(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const struct sites_query *q, json_t **out, struct svc_error *e);
/* GET /api/v1/sites/{id} -> site with its maintenance windows. */
int sites_read(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, int64_t now, json_t **out, struct svc_error *e);
/* PATCH /api/v1/sites/{id} {version, ...} -> site; 409 version_conflict
 * when version is not the stored one. Audited (site.update). */
int sites_update(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, const json_t *body,
                 int64_t now, json_t **out, struct svc_error *e);
/* DELETE /api/v1/sites/{id} -> {id, deleted:true}. Audited (site.delete). */
int sites_delete(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, int64_t now,
                 json_t **out, struct svc_error *e);
/* POST /api/v1/sites/{id}/maintenance {starts, ends, note?} -> 201 window.
 * Audited (site.maintenance). */
int sites_maintenance_add(struct app *a, struct store_conn *c,
                          const struct auth_ctx *who, const char *id,
                          const json_t *body, int64_t now, json_t **out,
                          struct svc_error *e);

/* ---- participants, vantage points, assignments ---- */

/* POST /api/v1/observation/participants {ceptoar} -> 201: NISC, admins or
 * that CEPTOAR's own secretariat. 409 when it participates already.
 * Audited (obs.participant.join). */
int sites_participant_join(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, const json_t *body,
                           int64_t now, json_t **out, struct svc_error *e);
/* GET /api/v1/observation/participants -> {items}. */
int sites_participants(struct app *a, struct store_conn *c,
                       const struct auth_ctx *who, json_t **out,
                       struct svc_error *e);
/* POST /api/v1/observation/vantages {id, name_ja, name_en, public_key} ->
 * 201 with the token of the vantage point's new account (shown once): a
 * user "vantage-<id>" of the caller's organisation with no role, which
 * may call only the routes made for vantage points. NISC analysts and
 * admins. Audited (obs.vantage.add). */
int sites_vantage_add(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, const json_t *body,
                      int64_t now, json_t **out, struct svc_error *e);
/* GET /api/v1/observation/vantages -> {items}. */
int sites_vantages(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, json_t **out,
                   struct svc_error *e);
/* The vantage point whose account who is: IS_ERR_FORBIDDEN (e filled)
 * for any other account. */
int sites_vantage_of(struct store_conn *c, const struct auth_ctx *who,
                     struct store_obs_vantage *out, struct svc_error *e);
/* GET /api/v1/observation/assignments (a vantage point's token) ->
 * {vantage, items:[{id,url,expected_status,content_match,interval_s}]}:
 * not paused, not deleted, not demo, of participating CEPTOARs' members. */
int sites_assignments(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, json_t **out,
                      struct svc_error *e);

#endif
