/*
 * store_depend.c - the interdependency model and cascade log (see
 * store/store_depend.h).
 */
#include "store/store_internal.h"
#include "store/store_depend.h"

#include <stdlib.h>

static int map_model(db_stmt *st, void *ctx)
{
    struct store_dep_model *m = ctx;
    m->version = db_column_int64(st, 0);
    m->created_by = db_column_int64(st, 2);
    m->created_at = db_column_int64(st, 3);
    return store_col_dup(st, 1, &m->model);
}

int store_dep_current(struct store_conn *c, struct store_dep_model *out)
{
    memset(out, 0, sizeof(*out));
    return store_get_row(c, ST_DEP_CURRENT, "dependency model", map_model, out,
                         "");
}

int store_dep_add(struct store_conn *c, int64_t version, const char *model,
                  int64_t by, int64_t at)
{
    return store_exec(c, ST_DEP_ADD, "dependency model add", "ItII", version,
                      model, by, at);
}

void store_cascade_release(struct store_cascade *x)
{
    if (!x)
        return;
    free(x->sources);
    free(x->suggestions);
    x->sources = x->suggestions = NULL;
}

static int map_cascade(db_stmt *st, void *ctx)
{
    struct store_cascade *x = ctx;
    memset(x, 0, sizeof(*x));
    x->id = db_column_int64(st, 0);
    store_col_copy(st, 1, x->event_id, sizeof(x->event_id));
    x->model_version = db_column_int64(st, 2);
    x->severity = db_column_int(st, 3);
    x->created_by = db_column_int64(st, 6);
    x->created_at = db_column_int64(st, 7);
    store_col_copy(st, 8, x->advisory_id, sizeof(x->advisory_id));
    x->acted_by = db_column_int64(st, 9);
    x->acted_at = db_column_int64(st, 10);
    store_col_copy(st, 11, x->reader, sizeof(x->reader));
    if (store_col_dup(st, 4, &x->sources) ||
        store_col_dup(st, 5, &x->suggestions)) {
        store_cascade_release(x);
        return IS_ERR_NOMEM;
    }
    return IS_OK;
}

int store_cascade_ordinal(struct store_conn *c, const char *event,
                          const char *reader, int64_t id, int64_t *n)
{
    return store_get_int64(c, ST_CASCADE_ORDINAL, "cascade ordinal", n, "tIt",
                           event, id, reader);
}

int store_cascade_by_ordinal(struct store_conn *c, const char *event,
                             const char *reader, int64_t n, int64_t *id)
{
    if (n < 1)
        return IS_ERR_NOTFOUND;
    return store_get_int64(c, ST_CASCADE_BY_ORDINAL, "cascade by ordinal", id,
                           "tIt", event, n - 1, reader);
}

int store_cascade_add(struct store_conn *c, const struct store_cascade *x,
                      int64_t *id)
{
    int rc =
        store_exec(c, ST_CASCADE_ADD, "cascade add", "tIittIIt", x->event_id,
                   x->model_version, x->severity, x->sources, x->suggestions,
                   x->created_by, x->created_at, x->reader);
    if (!rc && id)
        *id = store_last_id(c);
    return rc;
}

int store_cascade_get(struct store_conn *c, int64_t id,
                      struct store_cascade *out)
{
    return store_get_row(c, ST_CASCADE_GET, "cascade", map_cascade, out, "I",
                         id);
}

int store_cascade_last(struct store_conn *c, const char *event,
                       const char *reader, struct store_cascade *out)
{
    return store_get_row(c, ST_CASCADE_LAST, "cascade last", map_cascade, out,
                         "tt", event, reader);
}

int store_cascade_acted(struct store_conn *c, int64_t id, const char *adv,
                        int64_t by, int64_t at)
{
    return store_exec_changed(c, ST_CASCADE_ACTED, "cascade acted", "ItII", id,
                              adv, by, at);
}
