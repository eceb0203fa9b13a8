/*
 * store_declarations.c - large-scale outage declarations, their sectors,
 * and the advisories linked to events (see store/store.h).
 */
#include "store/store_internal.h"

static void read_decl(db_stmt *st, struct store_declaration *d)
{
    store_col_copy(st, 0, d->id, sizeof(d->id));
    store_col_copy(st, 1, d->title_ja, sizeof(d->title_ja));
    store_col_copy(st, 2, d->title_en, sizeof(d->title_en));
    store_col_copy(st, 3, d->reason, sizeof(d->reason));
    d->national = db_column_int(st, 4) != 0;
    store_col_copy(st, 5, d->event_id, sizeof(d->event_id));
    store_col_copy(st, 6, d->rollcall_id, sizeof(d->rollcall_id));
    d->started_at = db_column_int64(st, 7);
    d->started_by = db_column_int64(st, 8);
    store_col_copy(st, 9, d->started_org, sizeof(d->started_org));
    d->ended_at = db_column_int64(st, 10);
    d->ended_by = db_column_int64(st, 11);
    store_col_copy(st, 12, d->ended_org, sizeof(d->ended_org));
}

static int map_decl(db_stmt *st, void *ctx)
{
    memset(ctx, 0, sizeof(struct store_declaration));
    read_decl(st, ctx);
    return IS_OK;
}

static int map_decl_listed(db_stmt *st, void *ctx)
{
    struct store_declaration *d = store_rows_push(ctx);
    if (!d)
        return IS_ERR_NOMEM;
    read_decl(st, d);
    return IS_OK;
}

static int map_sector(db_stmt *st, void *ctx)
{
    struct store_declaration *d = ctx;
    if (d->nsectors >= STORE_DECL_MAX_SECTORS)
        return IS_ERR_LIMIT;
    store_col_copy(st, 0, d->sectors[d->nsectors], sizeof(d->sectors[0]));
    d->nsectors++;
    return IS_OK;
}

static int read_sectors(struct store_conn *c, struct store_declaration *d)
{
    d->nsectors = 0;
    return store_each(c, ST_DECL_SECTORS, "declaration sectors", map_sector, d,
                      "t", d->id);
}

int store_declaration_insert(struct store_conn *c,
                             const struct store_declaration *d)
{
    int rc =
        store_exec(c, ST_DECL_INSERT, "declaration insert", "ttttitIIt", d->id,
                   d->title_ja, d->title_en, d->reason, d->national ? 1 : 0,
                   d->event_id, d->started_at, d->started_by, d->started_org);
    for (int i = 0; !rc && i < d->nsectors; i++)
        rc = store_exec(c, ST_DECL_SECTOR_INSERT, "declaration sector", "tt",
                        d->id, d->sectors[i]);
    return rc;
}

int store_declaration_get(struct store_conn *c, const char *id,
                          struct store_declaration *out)
{
    int rc = store_get_row(c, ST_DECL_GET, "declaration get", map_decl, out,
                           "t", id);
    return rc ? rc : read_sectors(c, out);
}

int store_declarations_list(struct store_conn *c, bool active_only, int limit,
                            struct store_declaration **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_declaration)};
    int rc = store_each(c, ST_DECL_LIST, "declarations", map_decl_listed, &r,
                        "ii", active_only ? 1 : 0, limit);
    struct store_declaration *items = r.items;
    for (size_t i = 0; !rc && i < r.n; i++)
        rc = read_sectors(c, &items[i]);
    rc = store_rows_end(rc, &r, NULL);
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_declaration_end(struct store_conn *c, const char *id, int64_t user_id,
                          const char *org, int64_t now)
{
    return store_exec_changed(c, ST_DECL_END, "declaration end", "tIIt", id,
                              now, user_id, org);
}

int store_declaration_set_rollcall(struct store_conn *c, const char *id,
                                   const char *rollcall_id)
{
    return store_exec(c, ST_DECL_SET_ROLLCALL, "declaration roll call", "tt",
                      id, rollcall_id);
}

int store_event_advisory_link(struct store_conn *c, const char *event_id,
                              const char *advisory_id, const char *org,
                              int64_t now)
{
    return store_exec(c, ST_EVENT_ADV_LINK, "event advisory link", "tttI",
                      event_id, advisory_id, org, now);
}

static int map_id40(db_stmt *st, void *ctx)
{
    struct store_report_id *id = store_rows_push(ctx);
    if (!id)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, id->id, sizeof(id->id));
    return IS_OK;
}

int store_event_advisories(struct store_conn *c, const char *event_id,
                           struct store_report_id **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_report_id)};
    int rc =
        store_rows_end(store_each(c, ST_EVENT_ADVISORIES, "event advisories",
                                  map_id40, &r, "t", event_id),
                       &r, NULL);
    *out = r.items;
    *n = r.n;
    return rc;
}

static int map_sector_id(db_stmt *st, void *ctx)
{
    struct store_id *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->id, sizeof(x->id));
    return IS_OK;
}

int store_advisory_sectors(struct store_conn *c, const char *advisory_id,
                           struct store_id_list *out)
{
    struct store_rows r = {.size = sizeof(struct store_id)};
    int rc = store_rows_end(store_each(c, ST_ADV_SECTORS, "advisory sectors",
                                       map_sector_id, &r, "t", advisory_id),
                            &r, NULL);
    out->items = r.items;
    out->n = r.n;
    return rc;
}

int store_advisory_set_mode(struct store_conn *c, const char *advisory_id,
                            bool hotline, int64_t ack_deadline_s)
{
    return store_exec_changed(c, ST_ADV_SET_MODE, "advisory mode", "tiI",
                              advisory_id, hotline ? 1 : 0, ack_deadline_s);
}
