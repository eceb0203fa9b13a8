/*
 * lists.h - distribution lists (配信先リスト) and withholding (DOMAIN.md
 * §6a; docs/rules.md "Distribution lists", "Withholding").
 *
 * A list belongs to one organisation (its owner) and names external
 * organisations (kind "external") outside CEPTOAR membership. An advisory
 * reaches a list's members THROUGH its owner: the owner is a hop of the
 * chain (AUDIENCE_STEP_LIST, or the hop it is already), and the members
 * are recipients released by it. A reviewing hop may withhold an advisory
 * from those it releases, with a reason the author sees.
 *
 * Every function returns IS_OK or an error with e filled (the API's
 * error object); *out is owned by the caller.
 */
#ifndef INFRASHARE_LISTS_H
#define INFRASHARE_LISTS_H

#include <jansson.h>

#include "common/jv.h"
#include "service/app.h"
#include "service/auth.h"
#include "store/store.h"

#define LISTS_MAX_PER_OWNER 64
#define LISTS_MAX_MEMBERS 2000
#define LISTS_NAME_MAX 200
#define LISTS_REASON_MAX 2000

extern const struct jv_field lists_create_spec[];
extern const struct jv_field lists_update_spec[];
extern const struct jv_field lists_withhold_spec[];

/* GET /api/v1/orgs/{org}/lists */
int lists_of_org(struct store_conn *c, const struct auth_ctx *who,
                 const char *org, json_t **out, struct svc_error *e);
/* POST /api/v1/orgs/{org}/lists: 201 */
int lists_create(struct store_conn *c, const struct auth_ctx *who,
                 const char *org, const json_t *body, int64_t now, json_t **out,
                 struct svc_error *e);
/* GET /api/v1/orgs/{org}/lists/{list} (with its members) */
int lists_read(struct store_conn *c, const struct auth_ctx *who,
               const char *org, const char *list, json_t **out,
               struct svc_error *e);
/* PUT /api/v1/orgs/{org}/lists/{list}: names and/or the whole member set */
int lists_update(struct store_conn *c, const struct auth_ctx *who,
                 const char *org, const char *list, const json_t *body,
                 int64_t now, json_t **out, struct svc_error *e);
/* DELETE /api/v1/orgs/{org}/lists/{list} */
int lists_delete(struct store_conn *c, const struct auth_ctx *who,
                 const char *org, const char *list, int64_t now, json_t **out,
                 struct svc_error *e);

/* POST /api/v1/advisories/{id}/withhold {reason}: who's waiting hop
 * withholds the advisory from those it would release. */
int lists_withhold(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *adv,
                   const json_t *body, int64_t now, json_t **out,
                   struct svc_error *e);

/* ---- used by service/provision.c while issuing and reading ---- */

/* Checks audience.lists (ids the author may name) inside the caller's
 * transaction; IS_OK or 400 naming audience.lists. */
int lists_check_audience(struct store_conn *c, const struct auth_ctx *who,
                         const json_t *aud, struct svc_error *e);
/* After the recipients and hops of the audience are written (and their
 * via set): the lists named in aud and, with include_lists, those of
 * every organisation reached; each owner that is not a hop yet becomes
 * one (audience_list_parent) and the members become recipients it
 * releases. */
int lists_add_recipients(struct store_conn *c, const struct store_advisory *ad,
                         const json_t *aud);
/* Whether a recipient released by hop via is cut off by a withheld hop
 * (via itself or a hop above it). */
bool lists_via_withheld(struct store_conn *c, const char *adv, const char *via);
/* The withheld branches of adv for its author: [{hop, name{ja,en},
 * withheld_at, reason, recipients_not_reached}]; NULL on a store error. */
json_t *lists_withheld_json(struct store_conn *c, const char *adv);

#endif
