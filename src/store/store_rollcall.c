/*
 * store_rollcall.c - roll calls and survey requests: forms, answers, the
 * board's counters and pages (see store.h).
 */
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

int store_rollcall_form_insert(struct store_conn *c, const char *adv,
                               const char *name, const char *form, int64_t now)
{
    return store_exec(c, ST_RC_FORM_INSERT, "rollcall form", "tttI", adv, name,
                      form, now);
}

struct form_ctx {
    char *name;
    size_t name_len;
    char **form;
};

static int map_form(db_stmt *st, void *vctx)
{
    struct form_ctx *x = vctx;
    if (x->name)
        store_col_copy(st, 0, x->name, x->name_len);
    return x->form ? store_col_dup(st, 1, x->form) : IS_OK;
}

int store_rollcall_form_get(struct store_conn *c, const char *adv, char *name,
                            size_t name_len, char **form)
{
    struct form_ctx x = {name, name_len, form};
    if (form)
        *form = NULL;
    return store_get_row(c, ST_RC_FORM_GET, "rollcall form", map_form, &x, "t",
                         adv);
}

int store_rollcall_version(struct store_conn *c, const char *adv,
                           int64_t *version)
{
    return store_get_int64(c, ST_RC_VERSION, "rollcall version", version, "t",
                           adv);
}

int store_rollcall_counts_init(struct store_conn *c, const char *adv)
{
    return store_exec(c, ST_RC_COUNTS_INIT, "rollcall counts", "t", adv);
}

int store_rollcall_count_add(struct store_conn *c, const char *adv,
                             const char *org, const char *question,
                             const char *value, int delta)
{
    return store_exec(c, ST_RC_COUNT_ADD, "rollcall count", "ttttI", adv, org,
                      question, value, (int64_t)delta);
}

static int map_count(db_stmt *st, void *ctx)
{
    struct store_rollcall_count *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->via, sizeof(x->via));
    store_col_copy(st, 1, x->sector, sizeof(x->sector));
    store_col_copy(st, 2, x->question, sizeof(x->question));
    store_col_copy(st, 3, x->value, sizeof(x->value));
    x->n = db_column_int64(st, 4);
    return IS_OK;
}

void store_rollcall_count_list_free(struct store_rollcall_count_list *l)
{
    free(l->items);
    *l = (struct store_rollcall_count_list){0};
}

int store_rollcall_counts(struct store_conn *c, const char *adv,
                          const char *via, const char *ministry,
                          struct store_rollcall_count_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_RC_COUNTS, "rollcall counts", map_count, &r,
                        "ttt", adv, via, ministry);
    out->items = r.items;
    out->n = r.n;
    if (rc)
        store_rollcall_count_list_free(out);
    return rc;
}

static int map_answer(db_stmt *st, void *ctx)
{
    struct store_rollcall_answer *x = ctx;
    int rc = store_col_dup(st, 0, &x->answers);
    x->answered_at = db_column_int64(st, 1);
    x->answered_by = db_column_int64(st, 2);
    store_col_copy(st, 3, x->how, sizeof(x->how));
    x->revision = db_column_int64(st, 4);
    return rc;
}

int store_rollcall_answer_get(struct store_conn *c, const char *adv,
                              const char *org,
                              struct store_rollcall_answer *out)
{
    memset(out, 0, sizeof(*out));
    return store_get_row(c, ST_RC_ANSWER_GET, "rollcall answer", map_answer,
                         out, "tt", adv, org);
}

int store_rollcall_answer_put(struct store_conn *c, const char *adv,
                              const char *org, const char *answers, int64_t now,
                              int64_t by, const char *how)
{
    return store_exec(c, ST_RC_ANSWER_PUT, "rollcall answer", "tttIIt", adv,
                      org, answers, now, by, how);
}

static void row_drop(void *item)
{
    struct store_rollcall_row *x = item;
    free(x->name_ja);
    free(x->name_en);
    free(x->answers);
}

static int map_row(db_stmt *st, void *ctx)
{
    struct store_rollcall_row *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->org, sizeof(x->org));
    store_col_copy(st, 1, x->sector, sizeof(x->sector));
    int rc = store_col_dup(st, 2, &x->name_ja);
    if (!rc)
        rc = store_col_dup(st, 3, &x->name_en);
    store_col_copy(st, 4, x->via, sizeof(x->via));
    x->released_at = db_column_int64(st, 5);
    x->escalated_at = db_column_int64(st, 6);
    if (!rc)
        rc = store_col_dup(st, 7, &x->answers);
    x->answered_at = db_column_int64(st, 8);
    x->answered_by = db_column_int64(st, 9);
    store_col_copy(st, 10, x->how, sizeof(x->how));
    x->revision = db_column_int64(st, 11);
    return rc;
}

void store_rollcall_row_list_free(struct store_rollcall_row_list *l)
{
    store_rows_free(l->items, l->n, sizeof(*l->items), row_drop);
    *l = (struct store_rollcall_row_list){0};
}

int store_rollcall_board_page(struct store_conn *c, const char *adv,
                              const char *via, const char *ministry,
                              const char *after, int state, int limit,
                              struct store_rollcall_row_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc =
        store_list(c, ST_RC_BOARD_PAGE, "rollcall board", map_row, &r, row_drop,
                   "ttttii", adv, via, ministry, after, state, limit);
    out->items = r.items;
    out->n = r.n;
    return rc;
}
