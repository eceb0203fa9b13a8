/*
 * store_risk.c - the operators' risk registers (see store/store_risk.h).
 */

#include "store/store_internal.h"
#include "store/store_risk.h"

#include <stdlib.h>

void store_risk_release(struct store_risk *r)
{
    if (!r)
        return;
    free(r->mem);
    r->mem = NULL;
}

static int read_risk(db_stmt *st, struct store_risk *r)
{
    memset(r, 0, sizeof(*r));
    r->id = db_column_int64(st, 0);
    r->impact = db_column_int(st, 6);
    r->likelihood = db_column_int(st, 7);
    r->review_at = db_column_int64(st, 11);
    r->shared = db_column_int(st, 13) != 0;
    r->version = db_column_int64(st, 14);
    r->created_by = db_column_int64(st, 15);
    r->created_at = db_column_int64(st, 16);
    r->updated_by = db_column_int64(st, 17);
    r->updated_at = db_column_int64(st, 18);
    r->threshold = db_column_int(st, 21);
    char **const dst[] = {NULL,
                          &r->org_id,
                          &r->title,
                          &r->description,
                          &r->owner,
                          &r->asset,
                          NULL,
                          NULL,
                          &r->treatment,
                          &r->measures,
                          &r->plan,
                          NULL,
                          &r->state,
                          NULL,
                          NULL,
                          NULL,
                          NULL,
                          NULL,
                          NULL,
                          &r->org_name_ja,
                          &r->org_name_en,
                          NULL,
                          &r->created_name,
                          &r->updated_name};
    return store_col_strs(st, dst, (int)IS_ARRAY_LEN(dst), &r->mem);
}

static int map_risk(db_stmt *st, void *ctx)
{
    return read_risk(st, ctx);
}

static int map_risk_listed(db_stmt *st, void *ctx)
{
    struct store_risk *r = store_rows_push(ctx);
    return r ? read_risk(st, r) : IS_ERR_NOMEM;
}

static int risk_insert_as(struct store_conn *c, void *ctx, int64_t v)
{
    const struct store_risk *r = ctx;
    return store_exec_changed(
        c, ST_RISK_INSERT, "risk insert", "tttttiitttItiIII", r->org_id,
        r->title, r->description, r->owner, r->asset, r->impact, r->likelihood,
        r->treatment, r->measures, r->plan, r->review_at, r->state,
        r->shared ? 1 : 0, r->created_by, r->created_at, v);
}

int store_risk_insert(struct store_conn *c, const struct store_risk *r,
                      int64_t *id)
{
    /* the id is the second it was made and 20 random bits, never a count
     * of the hub's risks: an operator's two ids tell nothing of how many
     * others entered between (docs/rules.md "The risk register"). Ids
     * still grow with time (the list's order); risks of one second come
     * in random order (no floor). */
    return store_insert_fresh_id(c, r->created_at, 0, risk_insert_as, (void *)r,
                                 id);
}

int store_risk_get(struct store_conn *c, int64_t id, struct store_risk *out)
{
    memset(out, 0, sizeof(*out));
    return store_get_row(c, ST_RISK_GET, "risk", map_risk, out, "I", id);
}

int store_risk_update(struct store_conn *c, const struct store_risk *r,
                      int64_t expect, int64_t by, int64_t now)
{
    return store_exec_changed(
        c, ST_RISK_UPDATE, "risk update", "IttttiitttItiIII", r->id, r->title,
        r->description, r->owner, r->asset, r->impact, r->likelihood,
        r->treatment, r->measures, r->plan, r->review_at, r->state,
        r->shared ? 1 : 0, by, expect, now);
}

int store_risk_count(struct store_conn *c, const char *org, int64_t *n)
{
    return store_get_int64(c, ST_RISK_COUNT_ORG, "risk count", n, "t", org);
}

void store_risks_free(struct store_risk *r, size_t n)
{
    store_rows_free(r, n, sizeof(*r), store_drop_first);
}

int store_risks_list(struct store_conn *c, const struct store_risk_reader *v,
                     const struct store_risk_filter *f, struct store_risk **out,
                     size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_risk)};
    *out = NULL;
    *n = 0;
    int rc = store_list(c, ST_RISK_LIST, "risks list", map_risk_listed, &r,
                        store_drop_first, "ttttiNIi", v->org, v->secretariat,
                        f->state, f->treatment, f->above, f->review_before,
                        f->after, f->limit);
    if (rc)
        return rc;
    *out = r.items;
    *n = r.n;
    return IS_OK;
}

static int map_cell(db_stmt *st, void *ctx)
{
    struct store_risk_cell *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    x->impact = db_column_int(st, 0);
    x->likelihood = db_column_int(st, 1);
    x->count = db_column_int64(st, 2);
    x->above = db_column_int64(st, 3);
    return IS_OK;
}

int store_risk_heat(struct store_conn *c, const struct store_risk_reader *v,
                    struct store_risk_cell **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_risk_cell)};
    *out = NULL;
    *n = 0;
    int rc = store_list(c, ST_RISK_HEAT, "risk heat map", map_cell, &r, NULL,
                        "tt", v->org, v->secretariat);
    if (rc)
        return rc;
    *out = r.items;
    *n = r.n;
    return IS_OK;
}

struct levels {
    int impact, likelihood;
};

static int map_levels(db_stmt *st, void *ctx)
{
    struct levels *l = ctx;
    l->impact = db_column_int(st, 0);
    l->likelihood = db_column_int(st, 1);
    return IS_OK;
}

int store_risk_levels_used(struct store_conn *c, const char *org, int *impact,
                           int *likelihood)
{
    struct levels l = {0, 0};
    int rc = store_get_row(c, ST_RISK_LEVELS_USED, "risk levels", map_levels,
                           &l, "t", org);
    *impact = l.impact;
    *likelihood = l.likelihood;
    return rc;
}

int store_risk_member(struct store_conn *c, const char *org, const char *group,
                      bool *yes)
{
    int64_t k = 0;
    int rc =
        store_get_int64(c, ST_RISK_MEMBER, "risk member", &k, "tt", org, group);
    *yes = rc == IS_OK && k == 1;
    return rc == IS_ERR_NOTFOUND ? IS_OK : rc;
}

int store_risk_history_add(struct store_conn *c, int64_t risk, int64_t version,
                           const char *snapshot, int64_t by, int64_t at)
{
    return store_exec(c, ST_RISK_HISTORY_ADD, "risk history", "IItII", risk,
                      version, snapshot, by, at);
}

static void drop_version(void *item)
{
    struct store_risk_version *v = item;
    free(v->snapshot);
}

void store_risk_versions_free(struct store_risk_version *v, size_t n)
{
    store_rows_free(v, n, sizeof(*v), drop_version);
}

static int map_version(db_stmt *st, void *ctx)
{
    struct store_risk_version *v = store_rows_push(ctx);
    if (!v)
        return IS_ERR_NOMEM;
    v->version = db_column_int64(st, 0);
    v->by = db_column_int64(st, 2);
    v->at = db_column_int64(st, 3);
    store_col_copy(st, 4, v->username, sizeof(v->username));
    return store_col_dup(st, 1, &v->snapshot);
}

int store_risk_history(struct store_conn *c, int64_t risk, int64_t after,
                       int limit, struct store_risk_version **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_risk_version)};
    *out = NULL;
    *n = 0;
    int rc =
        store_list(c, ST_RISK_HISTORY_LIST, "risk history list", map_version,
                   &r, drop_version, "IIi", risk, after, limit);
    if (rc)
        return rc;
    *out = r.items;
    *n = r.n;
    return IS_OK;
}

void store_risk_scale_release(struct store_risk_scale *s)
{
    if (!s)
        return;
    free(s->impact);
    free(s->likelihood);
    s->impact = s->likelihood = NULL;
}

static int map_scale(db_stmt *st, void *ctx)
{
    struct store_risk_scale *s = ctx;
    memset(s, 0, sizeof(*s));
    s->threshold = db_column_int(st, 2);
    s->version = db_column_int64(st, 3);
    s->updated_by = db_column_int64(st, 4);
    s->updated_at = db_column_int64(st, 5);
    if (store_col_dup(st, 0, &s->impact) ||
        store_col_dup(st, 1, &s->likelihood)) {
        store_risk_scale_release(s);
        return IS_ERR_NOMEM;
    }
    return IS_OK;
}

int store_risk_scale_get(struct store_conn *c, const char *org,
                         struct store_risk_scale *out)
{
    memset(out, 0, sizeof(*out));
    return store_get_row(c, ST_RISK_SCALE_GET, "risk scale", map_scale, out,
                         "t", org);
}

int store_risk_scale_put(struct store_conn *c, const char *org,
                         const struct store_risk_scale *s)
{
    return store_exec_changed(c, ST_RISK_SCALE_PUT, "risk scale put", "tttiIII",
                              org, s->impact, s->likelihood, s->threshold,
                              s->version, s->updated_by, s->updated_at);
}

static void drop_due(void *item)
{
    struct store_risk_due *d = item;
    free(d->title);
}

void store_risk_due_free(struct store_risk_due *d, size_t n)
{
    store_rows_free(d, n, sizeof(*d), drop_due);
}

static int map_due(db_stmt *st, void *ctx)
{
    struct store_risk_due *d = store_rows_push(ctx);
    if (!d)
        return IS_ERR_NOMEM;
    d->id = db_column_int64(st, 0);
    store_col_copy(st, 1, d->org_id, sizeof(d->org_id));
    d->review_at = db_column_int64(st, 3);
    return store_col_dup(st, 2, &d->title);
}

int store_risk_remind_due(struct store_conn *c, int64_t from, int64_t to,
                          int limit, struct store_risk_due **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_risk_due)};
    *out = NULL;
    *n = 0;
    int rc = store_list(c, ST_RISK_REMIND_DUE, "risk reminders due", map_due,
                        &r, drop_due, "IIi", from, to, limit);
    if (rc)
        return rc;
    *out = r.items;
    *n = r.n;
    return IS_OK;
}

int store_risk_remind_add(struct store_conn *c, int64_t risk, int64_t review_at,
                          int64_t now, int64_t notice)
{
    return store_exec(c, ST_RISK_REMIND_ADD, "risk reminder", "IIII", risk,
                      review_at, now, notice);
}
