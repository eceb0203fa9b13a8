/*
 * store_depend.h - the interdependency model's versions and the cascade
 * suggestions' log (issue 15; migration 0025; SQL in
 * store/store_depend_sql.h). Conventions of store/store.h.
 */
#ifndef INFRASHARE_STORE_DEPEND_H
#define INFRASHARE_STORE_DEPEND_H

#include "store/store.h"

struct store_dep_model {
    int64_t version, created_by, created_at;
    char *model; /* malloc'd JSON text */
};
/* The current version (IS_ERR_NOTFOUND: none yet). */
int store_dep_current(struct store_conn *c, struct store_dep_model *out);
/* Adds version (IS_ERR_CONFLICT when it exists: a concurrent edit). */
int store_dep_add(struct store_conn *c, int64_t version, const char *model,
                  int64_t by, int64_t at);

struct store_cascade {
    int64_t id, model_version, created_by, created_at, acted_by, acted_at;
    int severity;
    char event_id[48];
    char advisory_id[40];
    /* the organisation the row is of (migration 0040): its id, or
     * "reporter" for an anonymous report's own reporter */
    char reader[64];
    char *sources, *suggestions; /* malloc'd JSON */
};
void store_cascade_release(struct store_cascade *x);
int store_cascade_add(struct store_conn *c, const struct store_cascade *x,
                      int64_t *id);
int store_cascade_get(struct store_conn *c, int64_t id,
                      struct store_cascade *out);
/* The newest row of event of reader (IS_ERR_NOTFOUND: none). */
int store_cascade_last(struct store_conn *c, const char *event,
                       const char *reader, struct store_cascade *out);
/* A row's number among the rows of its subject (event, 1-based) of its
 * reader, and the row id of reader's number n of subject event
 * (IS_ERR_NOTFOUND: none). Readers see the number, never the hub-wide id,
 * whose gaps would count other subjects' suggestions, nor a number
 * counting another reader's rows. */
int store_cascade_ordinal(struct store_conn *c, const char *event,
                          const char *reader, int64_t id, int64_t *n);
int store_cascade_by_ordinal(struct store_conn *c, const char *event,
                             const char *reader, int64_t n, int64_t *id);
/* Records the advisory made from row id; IS_ERR_NOTFOUND when it has one
 * already (or no such row). */
int store_cascade_acted(struct store_conn *c, int64_t id, const char *adv,
                        int64_t by, int64_t at);

#endif
