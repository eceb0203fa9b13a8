/*
 * declarations.h - large-scale outage mode (大規模IT障害発生時; DOMAIN.md
 * §6a, docs/rules.md "Large-scale outage mode"): NISC declares it for
 * sectors or nationally, and ends it. While a declaration is active, items
 * in the sectors it covers are in outage mode (core/mode.h): shorter
 * deadlines, the hotline from severity 3, reports passing review at once;
 * the reports filed and advisories issued there are linked to the
 * declaration's event. Declaring starts a roll call of the covered
 * sectors. Declaring and ending are audited.
 *
 * Ownership: on IS_OK a json_t **out holds a new reference the caller
 * json_decref()s. Arguments are borrowed for the call only.
 */
#ifndef INFRASHARE_DECLARATIONS_H
#define INFRASHARE_DECLARATIONS_H

#include <jansson.h>

#include "service/app.h"
#include "service/auth.h"
#include "common/jv.h"
#include "store/store.h"

extern const struct jv_field declaration_declare_spec[];

/* The mode of an item: outage when an active declaration covers its
 * sector (the newest such declaration is named). */
struct decl_mode {
    bool outage;
    char declaration[41];
    char event_id[41];
    char org[64]; /* the declaring organisation: links are made in its name */
};

/* The mode of an item of sector (a report's), read on c (inside the
 * caller's transaction when it holds one). */
int declaration_mode_sector(struct store_conn *c, const char *sector,
                            struct decl_mode *m);
/* The mode of an advisory whose recipients are already written: outage
 * when a declaration covers any of their sectors. */
int declaration_mode_advisory(struct store_conn *c, const char *advisory_id,
                              struct decl_mode *m);

/* POST /api/v1/declarations: NISC analysts only (403 otherwise). */
int declaration_declare(struct app *a, struct store_conn *c,
                        const struct auth_ctx *who, const json_t *body,
                        int64_t now, json_t **out, struct svc_error *e);
/* POST /api/v1/declarations/{id}/end: 404 unknown, 409 already ended. */
int declaration_end(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id, int64_t now,
                    json_t **out, struct svc_error *e);
/* GET /api/v1/declarations: {mode, items}; active_only: the active ones. */
int declaration_list(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, bool active_only, int64_t now,
                     json_t **out, struct svc_error *e);
/* GET /api/v1/declarations/{id}: the declaration with the linked reports
 * and advisories who may read (and only those, counts included). */
int declaration_read(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, const char *id, int64_t now,
                     json_t **out, struct svc_error *e);

#endif
