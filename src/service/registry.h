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
/* The org's contacts (no secrets) as the API's JSON array: a new
 * reference the caller json_decref()s, on IS_OK only. */
int registry_contacts_json(struct store_conn *c, const char *org_id,
                           json_t **out);

#endif
