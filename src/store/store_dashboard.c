/*
 * store_dashboard.c - the dashboard's aggregates (GET /api/v1/dashboard,
 * service/dashboard.c). The report counts run the report list's own filter
 * text (REPORTS_WHERE_SQL) with its own binding (store_report_filter_bind),
 * so a count never includes a report the same reader cannot list.
 */
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

/* The statement id with f bound, or NULL (logged). */
static db_stmt *prep_filter(struct store_conn *c, enum store_stmt id,
                            const struct store_report_filter *f)
{
    db_stmt *st = store_stmt(c, id);
    if (st)
        store_report_filter_bind(st, f);
    return st;
}

/* Steps st to its end, calling fn on each row; resets st. */
static int walk_rows(struct store_conn *c, db_stmt *st, const char *what,
                     int (*fn)(db_stmt *st, void *ctx), void *ctx)
{
    if (!st)
        return IS_ERR_STORE;
    int rc, out = IS_OK;
    while ((rc = db_step(st)) == DB_ROW && !out)
        out = fn(st, ctx);
    if (!out && rc != DB_DONE)
        out = store_fail(c, what);
    db_reset(st);
    return out;
}

static int row_int64(db_stmt *st, void *ctx)
{
    *(int64_t *)ctx = db_column_int64(st, 0);
    return IS_OK;
}

struct cells_ctx {
    struct store_rows rows;
    int64_t overdue;
};

/* Folds a (sector, severity, declared) group into its (sector, effective
 * severity) cell. */
static int row_cell(db_stmt *st, void *ctx)
{
    struct cells_ctx *x = ctx;
    char sector[64];
    store_col_copy(st, 0, sector, sizeof(sector));
    int sev = db_column_int(st, 1), dec = db_column_int(st, 2);
    int eff = dec > sev ? dec : sev;
    int64_t n = db_column_int64(st, 3);
    x->overdue += db_column_int64(st, 4);
    struct store_dash_cell *cells = x->rows.items;
    for (size_t i = 0; i < x->rows.n; i++) {
        if (cells[i].severity == eff && strcmp(cells[i].sector, sector) == 0) {
            cells[i].n += n;
            return IS_OK;
        }
    }
    struct store_dash_cell *c = store_rows_push(&x->rows);
    if (!c)
        return IS_ERR_NOMEM;
    memcpy(c->sector, sector, sizeof(c->sector));
    c->severity = eff;
    c->n = n;
    return IS_OK;
}

int store_dash_report_cells(struct store_conn *c,
                            const struct store_report_filter *f,
                            struct store_dash_cell **out, size_t *n,
                            int64_t *overdue)
{
    struct cells_ctx x = {.rows = {.size = sizeof(struct store_dash_cell)}};
    int rc = walk_rows(c, prep_filter(c, ST_DASH_REPORT_CELLS, f),
                       "dashboard cells", row_cell, &x);
    if (rc) {
        free(x.rows.items);
        x.rows.items = NULL;
        x.rows.n = 0;
        x.overdue = 0;
    }
    *out = x.rows.items;
    *n = x.rows.n;
    *overdue = x.overdue;
    return rc;
}

struct days_ctx {
    int64_t first, *days;
    int ndays;
};

static int row_day(db_stmt *st, void *ctx)
{
    struct days_ctx *x = ctx;
    int64_t k = db_column_int64(st, 0) - x->first;
    if (k >= 0 && k < x->ndays)
        x->days[k] += db_column_int64(st, 1);
    return IS_OK;
}

int store_dash_report_days(struct store_conn *c,
                           const struct store_report_filter *f, int64_t since,
                           int64_t first_day, int64_t *days, int ndays)
{
    struct days_ctx x = {.first = first_day, .days = days, .ndays = ndays};
    memset(days, 0, sizeof(*days) * (size_t)ndays);
    db_stmt *st = prep_filter(c, ST_DASH_REPORT_DAYS, f);
    if (st)
        db_bind_int64(st, 14, since);
    return walk_rows(c, st, "dashboard days", row_day, &x);
}

int store_dash_events(struct store_conn *c, const struct store_report_filter *f,
                      int64_t *n)
{
    *n = 0;
    return walk_rows(c, prep_filter(c, ST_DASH_EVENTS_OPEN, f),
                     "dashboard events", row_int64, n);
}

static int row_ack(db_stmt *st, void *ctx)
{
    struct store_rows *r = ctx;
    struct store_dash_ack *x = store_rows_push(r);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->via, sizeof(x->via));
    store_col_copy(st, 1, x->name_ja, sizeof(x->name_ja));
    store_col_copy(st, 2, x->name_en, sizeof(x->name_en));
    x->total = db_column_int64(st, 3);
    x->acked = db_column_int64(st, 4);
    return IS_OK;
}

int store_dash_adv_acks(struct store_conn *c, const char *adv, int mode,
                        const char *org, struct store_dash_ack **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_dash_ack)};
    db_stmt *st = store_stmt(c, ST_DASH_ADV_ACKS);
    if (st) {
        db_bind_text(st, 1, adv);
        db_bind_int(st, 2, mode);
        db_bind_text(st, 3, org ? org : "");
    }
    int rc = walk_rows(c, st, "dashboard acks", row_ack, &r);
    if (rc) {
        free(r.items);
        r.items = NULL;
        r.n = 0;
    }
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_dash_version(struct store_conn *c, int64_t *v)
{
    *v = 0;
    return store_get_int64(c, ST_DASH_VERSION, "dashboard version", v, "");
}

int store_dash_next_due(struct store_conn *c, int64_t now, int64_t *t)
{
    *t = 0;
    return store_get_int64(c, ST_DASH_NEXT_DUE, "dashboard deadlines", t, "I",
                           now);
}

int store_dash_waiting_relay(struct store_conn *c, const char *org, int64_t *n)
{
    *n = 0;
    return store_get_int64(c, ST_DASH_WAITING_RELAY, "dashboard relay", n, "t",
                           org);
}

static int row_id(db_stmt *st, void *ctx)
{
    struct store_rows *r = ctx;
    struct store_id *x = store_rows_push(r);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->id, sizeof(x->id));
    return IS_OK;
}

int store_dash_inbox(struct store_conn *c, const char *org,
                     struct store_id_list *out)
{
    struct store_rows r = {.size = sizeof(struct store_id)};
    db_stmt *st = store_stmt(c, ST_DASH_INBOX);
    if (st)
        db_bind_text(st, 1, org);
    int rc = walk_rows(c, st, "dashboard inbox", row_id, &r);
    if (rc) {
        free(r.items);
        r.items = NULL;
        r.n = 0;
    }
    out->items = r.items;
    out->n = r.n;
    return rc;
}
