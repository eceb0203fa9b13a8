/*
 * store_drills.c - drill kinds, the drill programme and the sub-groups of
 * CEPTOARs (docs/rules.md, "Drill kinds and the drill programme").
 */
#include "store/store_internal.h"

#include "common/util.h"

#define LIST_TAKE(rc, r, out, free_fn)                                         \
    ((out)->items = (r).items, (out)->n = (r).n,                               \
     (rc) ? (free_fn(out), (rc)) : IS_OK)

static char *col_dup(db_stmt *st, int i)
{
    const unsigned char *s = db_column_text(st, i);
    return strdup(s ? (const char *)s : "");
}

/* ---- sub-groups ---- */

int store_subgroup_insert(struct store_conn *c, const char *id,
                          const char *ceptoar, const char *name_ja,
                          const char *name_en, int ord)
{
    return store_exec(c, ST_SUBGROUP_INSERT, "subgroup insert", "ttttI", id,
                      ceptoar, name_ja, name_en, (int64_t)ord);
}

int store_subgroup_member_add(struct store_conn *c, const char *subgroup,
                              const char *org)
{
    return store_exec(c, ST_SUBGROUP_MEMBER_ADD, "subgroup member", "tt",
                      subgroup, org);
}

int store_subgroup_ceptoar(struct store_conn *c, const char *subgroup,
                           char *out, size_t len)
{
    return store_get_text(c, ST_SUBGROUP_CEPTOAR, "subgroup ceptoar", out, len,
                          "t", subgroup);
}

void store_subgroup_list_free(struct store_subgroup_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].name_ja);
        free(l->items[i].name_en);
    }
    free(l->items);
    *l = (struct store_subgroup_list){0};
}

/* ST_SUBGROUPS_LIST: id, ceptoar, name_ja, name_en, members. */
static int map_subgroup(db_stmt *st, void *ctx)
{
    struct store_subgroup *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->id, sizeof(x->id));
    store_col_copy(st, 1, x->ceptoar, sizeof(x->ceptoar));
    x->name_ja = col_dup(st, 2);
    x->name_en = col_dup(st, 3);
    x->members = db_column_int64(st, 4);
    return x->name_ja && x->name_en ? IS_OK : IS_ERR_NOMEM;
}

int store_subgroups_list(struct store_conn *c, const char *ceptoar,
                         struct store_subgroup_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_SUBGROUPS_LIST, "subgroups", map_subgroup, &r,
                        "t", ceptoar);
    return LIST_TAKE(rc, r, out, store_subgroup_list_free);
}

/* Rows of two ids (struct store_adv_org). */
static int map_two_ids(db_stmt *st, void *ctx)
{
    struct store_adv_org *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->adv, sizeof(x->adv));
    store_col_copy(st, 1, x->org, sizeof(x->org));
    return IS_OK;
}

int store_subgroups_of_recipients(struct store_conn *c, const char *adv,
                                  struct store_adv_org_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_SUBGROUP_OF_RCPTS, "subgroups of recipients",
                        map_two_ids, &r, "t", adv);
    return LIST_TAKE(rc, r, out, store_adv_org_list_free);
}

int store_recipients_add_subgroup(struct store_conn *c, const char *adv,
                                  const char *subgroup)
{
    return store_exec(c, ST_RCPT_SUBGROUP, "recipients subgroup", "tt", adv,
                      subgroup);
}

/* ---- one channel (outage drills) ---- */

int store_advisory_channel_set(struct store_conn *c, const char *adv,
                               const char *channel)
{
    return store_exec(c, ST_ADV_CHANNEL_SET, "advisory channel", "tt", adv,
                      channel);
}

static int map_id(db_stmt *st, void *ctx)
{
    struct store_id *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->id, sizeof(x->id));
    return IS_OK;
}

int store_recipients_lacking_channel(struct store_conn *c, const char *adv,
                                     const char *channel,
                                     struct store_id_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_RCPT_LACKING_CHANNEL, "lacking channel", map_id,
                        &r, "tt", adv, channel);
    return LIST_TAKE(rc, r, out, store_id_list_free);
}

/* ---- drills ---- */

int store_drill_add(struct store_conn *c, const struct store_drill_info *d)
{
    return store_exec(c, ST_DRILLK_INSERT, "drill add", "tttttItti", d->id,
                      d->advisory, d->target_kind, d->target, d->created_by,
                      (int64_t)d->created_at, d->kind, d->channel, d->fy);
}

int store_drill_ceptoars_fill(struct store_conn *c, const char *drill,
                              const char *adv)
{
    return store_exec(c, ST_DRILLK_CEPTOARS_FILL, "drill ceptoars", "tt", drill,
                      adv);
}

/* DRILLK_COLS: seq, id, advisory, target_kind, target, created_by,
 * created_at, kind, channel, fy, ceptoars. */
static void map_info(db_stmt *st, struct store_drill_info *d)
{
    memset(d, 0, sizeof(*d));
    d->seq = db_column_int64(st, 0);
    store_col_copy(st, 1, d->id, sizeof(d->id));
    store_col_copy(st, 2, d->advisory, sizeof(d->advisory));
    store_col_copy(st, 3, d->target_kind, sizeof(d->target_kind));
    store_col_copy(st, 4, d->target, sizeof(d->target));
    store_col_copy(st, 5, d->created_by, sizeof(d->created_by));
    d->created_at = db_column_int64(st, 6);
    store_col_copy(st, 7, d->kind, sizeof(d->kind));
    store_col_copy(st, 8, d->channel, sizeof(d->channel));
    d->fy = db_column_int(st, 9);
    store_col_copy(st, 10, d->ceptoars, sizeof(d->ceptoars));
}

static int map_info_one(db_stmt *st, void *ctx)
{
    map_info(st, ctx);
    return IS_OK;
}

static int map_info_row(db_stmt *st, void *ctx)
{
    struct store_drill_info *d = store_rows_push(ctx);
    if (!d)
        return IS_ERR_NOMEM;
    map_info(st, d);
    return IS_OK;
}

int store_drill_info_get(struct store_conn *c, const char *id,
                         struct store_drill_info *out)
{
    return store_get_row(c, ST_DRILLK_GET, "drill info", map_info_one, out, "t",
                         id);
}

int store_drill_previous(struct store_conn *c, const struct store_drill_info *d,
                         struct store_drill_info *out)
{
    return store_get_row(c, ST_DRILLK_PREV, "drill previous", map_info_one, out,
                         "tttI", d->target_kind, d->target, d->kind,
                         (int64_t)d->seq);
}

void store_drill_info_list_free(struct store_drill_info_list *l)
{
    free(l->items);
    *l = (struct store_drill_info_list){0};
}

int store_drills_list(struct store_conn *c, int fy, const char *ceptoar,
                      int64_t before_seq, int limit,
                      struct store_drill_info_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_DRILLK_LIST, "drills list", map_info_row, &r,
                        "itIi", fy, ceptoar, (int64_t)before_seq, limit);
    return LIST_TAKE(rc, r, out, store_drill_info_list_free);
}

int store_drill_confirm(struct store_conn *c, const char *drill,
                        const char *org, int64_t user, const char *via,
                        int64_t now, int64_t *confirmed_at, bool *fresh)
{
    int rc = store_exec(c, ST_DRILLK_CONFIRM, "drill confirm", "ttNtI", drill,
                        org, (int64_t)user, via, (int64_t)now);
    *fresh = !rc && store_changes(c) > 0;
    if (!rc)
        rc = store_get_int64(c, ST_DRILLK_CONFIRMED_AT, "drill confirmed",
                             confirmed_at, "tt", drill, org);
    return rc;
}

void store_drill_contact_list_free(struct store_drill_contact_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].name_ja);
        free(l->items[i].name_en);
    }
    free(l->items);
    *l = (struct store_drill_contact_list){0};
}

/* ST_DRILLK_CONTACTS: org, name_ja, name_en, confirmed_at, updated_at,
 * contacts. */
static int map_drill_contact(db_stmt *st, void *ctx)
{
    struct store_drill_contact *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->org, sizeof(x->org));
    x->name_ja = col_dup(st, 1);
    x->name_en = col_dup(st, 2);
    x->confirmed_at = db_column_int64(st, 3);
    x->updated_at = db_column_int64(st, 4);
    x->ncontacts = db_column_int64(st, 5);
    return x->name_ja && x->name_en ? IS_OK : IS_ERR_NOMEM;
}

int store_drill_contacts(struct store_conn *c, const char *drill,
                         const char *adv, struct store_drill_contact_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_each(c, ST_DRILLK_CONTACTS, "drill contacts",
                        map_drill_contact, &r, "tt", drill, adv);
    return LIST_TAKE(rc, r, out, store_drill_contact_list_free);
}
