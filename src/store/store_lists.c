/*
 * store_lists.c - distribution lists (配信先リスト) and withholding: the
 * rows of store/store.h's "distribution lists and withholding" block.
 * Every statement is in store/store_sql.h.
 */
#include "store/store_internal.h"

/* ST_DLIST_GET / ST_DLISTS_OWNER: id, owner, name_ja, name_en,
 * created_at, members. */
static void map_dlist_into(db_stmt *st, struct store_dlist *l)
{
    store_col_copy(st, 0, l->id, sizeof(l->id));
    store_col_copy(st, 1, l->owner, sizeof(l->owner));
    store_col_copy(st, 2, l->name_ja, sizeof(l->name_ja));
    store_col_copy(st, 3, l->name_en, sizeof(l->name_en));
    l->created_at = db_column_int64(st, 4);
    l->members = db_column_int64(st, 5);
}

static int map_dlist(db_stmt *st, void *ctx)
{
    map_dlist_into(st, ctx);
    return IS_OK;
}

static int map_dlist_row(db_stmt *st, void *ctx)
{
    struct store_dlist *l = store_rows_push(ctx);
    if (!l)
        return IS_ERR_NOMEM;
    map_dlist_into(st, l);
    return IS_OK;
}

/* ST_DLIST_MEMBERS: id, name_ja, name_en, scope. */
static int map_member(db_stmt *st, void *ctx)
{
    struct store_dlist_member *m = store_rows_push(ctx);
    if (!m)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, m->id, sizeof(m->id));
    store_col_copy(st, 1, m->name_ja, sizeof(m->name_ja));
    store_col_copy(st, 2, m->name_en, sizeof(m->name_en));
    store_col_copy(st, 3, m->scope, sizeof(m->scope));
    return IS_OK;
}

/* Rows of ids only (struct store_id, struct store_adv_org). */
static int map_id_cols(db_stmt *st, void *ctx)
{
    char *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    for (int i = 0; i < db_column_count(st); i++)
        store_col_copy(st, i, x + (size_t)i * IDS_LEN, IDS_LEN);
    return IS_OK;
}

void store_dlist_list_free(struct store_dlist_list *l)
{
    free(l->items);
    *l = (struct store_dlist_list){0};
}

void store_dlist_member_list_free(struct store_dlist_member_list *l)
{
    free(l->items);
    *l = (struct store_dlist_member_list){0};
}

/* Hands rows r to the typed list *out; on an error frees them. */
#define TAKE(rc, r, out, free_fn)                                              \
    ((out)->items = (r).items, (out)->n = (r).n,                               \
     (rc) ? (free_fn(out), (rc)) : IS_OK)

int store_dlist_insert(struct store_conn *c, const struct store_dlist *l)
{
    return store_exec(c, ST_DLIST_INSERT, "list insert", "ttttI", l->id,
                      l->owner, l->name_ja, l->name_en, l->created_at);
}

int store_dlist_get(struct store_conn *c, const char *id,
                    struct store_dlist *out)
{
    memset(out, 0, sizeof(*out));
    return store_get_row(c, ST_DLIST_GET, "list", map_dlist, out, "t", id);
}

int store_dlists_owner(struct store_conn *c, const char *owner,
                       struct store_dlist_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc =
        store_each(c, ST_DLISTS_OWNER, "lists", map_dlist_row, &r, "t", owner);
    return TAKE(rc, r, out, store_dlist_list_free);
}

int store_dlist_rename(struct store_conn *c, const char *id,
                       const char *name_ja, const char *name_en)
{
    return store_exec(c, ST_DLIST_RENAME, "list rename", "ttt", id, name_ja,
                      name_en);
}

int store_dlist_members_clear(struct store_conn *c, const char *id)
{
    return store_exec(c, ST_DLIST_MEMBERS_CLEAR, "list clear", "t", id);
}

int store_dlist_delete(struct store_conn *c, const char *id)
{
    int rc = store_dlist_members_clear(c, id);
    return rc ? rc : store_exec(c, ST_DLIST_DELETE, "list delete", "t", id);
}

int store_dlist_member_add(struct store_conn *c, const char *id,
                           const char *org)
{
    return store_exec(c, ST_DLIST_MEMBER_ADD, "list member", "tt", id, org);
}

int store_dlist_members(struct store_conn *c, const char *id,
                        struct store_dlist_member_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_DLIST_MEMBERS, "list members", map_member, &r,
                        "t", id);
    return TAKE(rc, r, out, store_dlist_member_list_free);
}

int store_dlist_owners_of(struct store_conn *c, const char *org,
                          struct store_id_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_DLIST_OWNERS_OF, "list owners", map_id_cols, &r,
                        "t", org);
    return TAKE(rc, r, out, store_id_list_free);
}

int store_dlists_reached(struct store_conn *c, const char *adv,
                         struct store_adv_org_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_DLISTS_REACHED, "lists reached", map_id_cols, &r,
                        "t", adv);
    return TAKE(rc, r, out, store_adv_org_list_free);
}

int store_dlist_recipients_add(struct store_conn *c, const char *adv,
                               const char *list, const char *via)
{
    return store_exec(c, ST_DLIST_RCPT_ADD, "list recipients", "ttt", adv, list,
                      via);
}

int store_hop_withhold(struct store_conn *c, const char *adv, const char *org,
                       int64_t now, const char *reason)
{
    int rc =
        store_exec_changed(c, ST_HOP_WITHHOLD, "hop withhold", "tt", adv, org);
    if (rc)
        return rc == IS_ERR_NOTFOUND ? IS_ERR_CONFLICT : rc;
    return store_exec(c, ST_HOP_WITHHELD_INSERT, "hop withheld", "ttIt", adv,
                      org, now, reason);
}

struct withheld_row {
    int64_t at;
    char *reason;
};

static int map_withheld(db_stmt *st, void *ctx)
{
    struct withheld_row *w = ctx;
    w->at = db_column_int64(st, 0);
    return store_col_dup(st, 1, &w->reason);
}

int store_hop_withheld(struct store_conn *c, const char *adv, const char *org,
                       int64_t *at, char **reason)
{
    struct withheld_row w = {0};
    int rc = store_get_row(c, ST_HOP_WITHHELD, "hop withheld", map_withheld, &w,
                           "tt", adv, org);
    if (rc) {
        free(w.reason);
        return rc;
    }
    *at = w.at;
    *reason = w.reason;
    return IS_OK;
}
