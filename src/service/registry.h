/*
 * registry.h - the national registry as data (the data/registry directory).
 *
 * Every *.json file of the directory is read in file-name order; each is one
 * object with optional arrays "sectors", "scopes", "organisations" (the
 * format is documented in data/README.md). Adding a sector, scope or CEPTOAR
 * is adding or editing a file: no code knows the list.
 *
 * registry_load validates everything (syntax, keys, types, references,
 * uniqueness) before anything is written; errors name the file and line.
 */
#ifndef INFRASHARE_REGISTRY_H
#define INFRASHARE_REGISTRY_H

#include <jansson.h>

#include "common/common.h"
#include "store/store.h"

struct registry {
    json_t *sectors; /* arrays of validated objects, owned */
    json_t *scopes;
    json_t *orgs;
};

void registry_init(struct registry *r);
void registry_release(struct registry *r);
/* Loads and checks a directory. On error writes "FILE:LINE: problem". */
int registry_load(const char *dir, struct registry *r, char *err,
                  size_t errlen);
/* Writes the registry into the store (caller holds a transaction). */
int registry_import(struct store_conn *c, const struct registry *r,
                    int64_t now);

/* ---- the registry as the API shows it (registry_view.c) ----
 * Each *_json fills a new reference the caller json_decref()s, on IS_OK
 * only; errors are the store's (IS_ERR_NOTFOUND, IS_ERR_STORE) or
 * IS_ERR_NOMEM. */

/* GET /api/v1/sectors items: each sector with its ministry and scopes,
 * each scope with its related scopes and CEPTOAR (or null). */
int registry_sectors_json(struct store_conn *c, json_t **out);
/* One organisation: registry fields, "registry" attributes when it has
 * any, "member_of". */
int registry_org_json(struct store_conn *c, const char *id, json_t **out);
/* A page of organisations as registry_org_json encodes them; *next as
 * store_orgs_list sets it (malloc'd, the caller free()s it). */
int registry_orgs_json(struct store_conn *c, const struct store_org_filter *f,
                       json_t **items, char **next);
/* {"system_classes": [...], "ci_services": [...]}, optionally one scope. */
int registry_catalogue_json(struct store_conn *c, const char *scope,
                            json_t **out);
/* The org's contacts (no secrets) as the API's JSON array. */
int registry_contacts_json(struct store_conn *c, const char *org_id,
                           json_t **out);
/* The organisation id into target when viewer (with roles) may see it;
 * IS_ERR_NOTFOUND when it does not exist or is hidden from the viewer. */
int registry_org_visible(struct store_conn *c, const struct access_org *viewer,
                         unsigned roles, const char *id,
                         struct access_org *target);

/* The encoders of the above, for what the store listed: a new reference,
 * NULL when out of memory. The argument is borrowed. */
json_t *registry_sectors_encode(const struct store_sectors *s);
json_t *registry_org_encode(const struct store_org_entry *e);

#endif
