/*
 * store_obs.c - website response observation: results, rollups,
 * baselines, states, alerts and their e-mail jobs (store/store_obs.h).
 * Every statement is in store/store_obs_sql.h.
 */
#include "store/store_obs.h"

#include <stdarg.h>
#include <stdlib.h>

#include "store/store_internal.h"

/* Statements with REAL or blob parameters are bound here by hand (the
 * store_exec letters have neither). */
static db_stmt *prep(struct store_conn *c, enum store_stmt id)
{
    return store_stmt(c, id);
}

static void bind_reader(db_stmt *st, const struct obs_reader *rd)
{
    db_bind_text(st, 1, rd->org ? rd->org : "");
    db_bind_int(st, 2, rd->scope);
    db_bind_int(st, 3, rd->ceptoar ? 1 : 0);
}

/* Walks st's rows with fn(ctx); IS_OK at the end. */
static int walk(struct store_conn *c, db_stmt *st, const char *what,
                store_row_fn fn, void *ctx)
{
    int rc = IS_OK, s;
    while ((s = db_step(st)) == DB_ROW) {
        rc = fn(st, ctx);
        if (rc)
            break;
    }
    if (!rc && s != DB_DONE)
        rc = store_fail(c, what);
    db_reset(st);
    return rc;
}

/* Maps every row of st (prepared and bound; NULL when it could not be
 * prepared: IS_ERR_STORE) with map, which appends to a struct store_rows
 * of size-byte items. Returns the items (malloc'd, the caller's) with
 * their count in *n and IS_OK in *rc; on an error *rc is set, the items
 * made so far are dropped with drop (NULL: none to drop) and freed, and
 * it returns NULL with *n 0. */
static void *rows_of(struct store_conn *c, db_stmt *st, const char *what,
                     store_row_fn map, size_t size, store_drop_fn drop,
                     size_t *n, int *rc)
{
    struct store_rows r = {.size = size};
    *rc = st ? walk(c, st, what, map, &r) : IS_ERR_STORE;
    if (*rc) {
        store_rows_free(r.items, r.n, size, drop);
        r.items = NULL;
        r.n = 0;
    }
    *n = r.n;
    return r.items;
}

/* rows_of for id bound from fmt's arguments (as store_exec). */
static void *rows_fmt(struct store_conn *c, enum store_stmt id,
                      const char *what, store_row_fn map, size_t size,
                      size_t *n, int *rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    db_stmt *st = store_vprep(c, id, fmt, ap);
    va_end(ap);
    return rows_of(c, st, what, map, size, NULL, n, rc);
}

static double col_real(db_stmt *st, int i)
{
    return db_column_double(st, i);
}

/* ---- vantage points ---- */

static int map_vantage(db_stmt *st, void *ctx)
{
    struct store_obs_vantage *v = ctx;
    memset(v, 0, sizeof(*v));
    store_col_copy(st, 0, v->id, sizeof(v->id));
    store_col_copy(st, 1, v->public_key, sizeof(v->public_key));
    v->last_seq = db_column_int64(st, 2);
    v->active = db_column_int(st, 3) != 0;
    return IS_OK;
}

int store_obs_vantage_get(struct store_conn *c, const char *id,
                          struct store_obs_vantage *out)
{
    return store_get_row(c, ST_OBS_VANTAGE_GET, "vantage", map_vantage, out,
                         "t", id);
}

int store_obs_vantage_take_seq(struct store_conn *c, const char *id,
                               int64_t seq)
{
    int rc =
        store_exec_changed(c, ST_OBS_VANTAGE_SEQ, "vantage seq", "tI", id, seq);
    return rc == IS_ERR_NOTFOUND ? IS_ERR_CONFLICT : rc;
}

int store_obs_vantage_ensure_hub(struct store_conn *c, int64_t now)
{
    return store_exec(c, ST_OBS_VANTAGE_ENSURE_HUB, "hub vantage", "I", now);
}

/* ---- sites ---- */

static void read_site(db_stmt *st, struct store_obs_site *s)
{
    memset(s, 0, sizeof(*s));
    s->id = db_column_int64(st, 0);
    store_col_copy(st, 1, s->org_id, sizeof(s->org_id));
    store_col_copy(st, 2, s->sector_id, sizeof(s->sector_id));
    store_col_copy(st, 3, s->host, sizeof(s->host));
    store_col_copy(st, 4, s->hosting, sizeof(s->hosting));
    store_col_copy(st, 5, s->dns_provider, sizeof(s->dns_provider));
    s->interval_s = db_column_int(st, 6);
    s->notify = db_column_int(st, 7) != 0;
    s->paused = db_column_int(st, 8) != 0;
    s->demo = db_column_int(st, 9) != 0;
    s->deleted_at = db_column_int64(st, 10);
    store_col_copy(st, 11, s->label, sizeof(s->label));
    store_col_copy(st, 12, s->url, sizeof(s->url));
}

static int map_site(db_stmt *st, void *ctx)
{
    read_site(st, ctx);
    return IS_OK;
}

static int map_site_listed(db_stmt *st, void *ctx)
{
    struct store_obs_site *s = store_rows_push(ctx);
    if (!s)
        return IS_ERR_NOMEM;
    read_site(st, s);
    return IS_OK;
}

int store_obs_site_get(struct store_conn *c, int64_t id,
                       struct store_obs_site *out)
{
    return store_get_row(c, ST_OBS_SITE_GET, "obs site", map_site, out, "I",
                         id);
}

int store_obs_site_assigned(struct store_conn *c, int64_t id, bool *yes)
{
    int64_t n = 0;
    int rc =
        store_get_int64(c, ST_OBS_SITE_ASSIGNED, "site assigned", &n, "I", id);
    *yes = !rc && n > 0;
    return rc == IS_ERR_NOTFOUND ? IS_OK : rc;
}

int store_obs_hub_sites(struct store_conn *c, struct store_obs_site **out,
                        size_t *n)
{
    int rc;
    *out = rows_fmt(c, ST_OBS_HUB_SITES, "hub sites", map_site_listed,
                    sizeof(**out), n, &rc, "");
    return rc;
}

int store_obs_site_visible(struct store_conn *c, const struct obs_reader *rd,
                           int64_t id, bool *yes)
{
    *yes = false;
    db_stmt *st = prep(c, ST_OBS_SITE_VISIBLE);
    if (!st)
        return IS_ERR_STORE;
    bind_reader(st, rd);
    db_bind_int64(st, 4, id);
    int s = db_step(st);
    if (s == DB_ROW)
        *yes = db_column_int64(st, 0) > 0;
    db_reset(st);
    return s == DB_ROW ? IS_OK : store_fail(c, "site visible");
}

int store_obs_in_maintenance(struct store_conn *c, int64_t site, int64_t at,
                             bool *yes)
{
    int64_t n = 0;
    int rc = store_get_int64(c, ST_OBS_IN_MAINTENANCE, "maintenance", &n, "II",
                             site, at);
    *yes = !rc && n > 0;
    return rc == IS_ERR_NOTFOUND ? IS_OK : rc;
}

/* ---- results ---- */

int store_obs_result_insert(struct store_conn *c,
                            const struct store_obs_result *r)
{
    db_stmt *st = prep(c, ST_OBS_RESULT_INSERT);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int64(st, 1, r->site_id);
    db_bind_text(st, 2, r->vantage_id);
    db_bind_int64(st, 3, r->at);
    db_bind_int(st, 4, r->at_ms);
    db_bind_text(st, 5, r->outcome);
    db_bind_int(st, 6, r->status);
    db_bind_double(st, 7, r->dns_ms);
    db_bind_double(st, 8, r->connect_ms);
    db_bind_double(st, 9, r->tls_ms);
    db_bind_double(st, 10, r->ttfb_ms);
    db_bind_double(st, 11, r->total_ms);
    db_bind_text(st, 12, r->addr);
    db_bind_text(st, 13, r->verdict);
    db_bind_double(st, 14, r->score);
    return store_step_done(c, st, "obs result insert");
}

/* ---- baselines ---- */

int store_obs_baseline_get(struct store_conn *c, int64_t site,
                           const char *vantage, int how, double *median,
                           double *mad, int *n)
{
    *median = -1;
    *mad = 0;
    *n = 0;
    db_stmt *st = prep(c, ST_OBS_BASELINE_GET);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int64(st, 1, site);
    db_bind_text(st, 2, vantage);
    db_bind_int(st, 3, how);
    int s = db_step(st);
    if (s == DB_ROW) {
        *median = col_real(st, 0);
        *mad = col_real(st, 1);
        *n = db_column_int(st, 2);
    }
    db_reset(st);
    if (s == DB_ROW || s == DB_DONE)
        return IS_OK;
    return store_fail(c, "baseline get");
}

int store_obs_baseline_put(struct store_conn *c, int64_t site,
                           const char *vantage, int how, double median,
                           double mad, int n, int64_t now)
{
    db_stmt *st = prep(c, ST_OBS_BASELINE_PUT);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int64(st, 1, site);
    db_bind_text(st, 2, vantage);
    db_bind_int(st, 3, how);
    db_bind_double(st, 4, median);
    db_bind_double(st, 5, mad);
    db_bind_int(st, 6, n);
    db_bind_int64(st, 7, now);
    return store_step_done(c, st, "baseline put");
}

static int map_double(db_stmt *st, void *ctx)
{
    double *d = store_rows_push(ctx);
    if (!d)
        return IS_ERR_NOMEM;
    *d = col_real(st, 0);
    return IS_OK;
}

int store_obs_baseline_source(struct store_conn *c, int64_t site,
                              const char *vantage, int how, int64_t before,
                              double **out, size_t *n)
{
    int rc;
    *out = rows_fmt(c, ST_OBS_BASELINE_SRC, "baseline source", map_double,
                    sizeof(**out), n, &rc, "ItiI", site, vantage, how, before);
    return rc;
}

/* ---- rollups ---- */

int store_obs_rollup_get(struct store_conn *c, int64_t site,
                         const char *vantage, int64_t bucket,
                         struct store_obs_rollup *out)
{
    db_stmt *st = prep(c, ST_OBS_ROLLUP_GET);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int64(st, 1, site);
    db_bind_text(st, 2, vantage);
    db_bind_int64(st, 3, bucket);
    int s = db_step(st);
    int rc = IS_ERR_NOTFOUND;
    if (s == DB_ROW) {
        out->n = db_column_int(st, 0);
        out->errors = db_column_int(st, 1);
        int len = db_column_bytes(st, 2);
        const void *b = db_column_blob(st, 2);
        out->sketch_len = 0;
        if (b && len > 0 && (size_t)len <= sizeof(out->sketch)) {
            memcpy(out->sketch, b, (size_t)len);
            out->sketch_len = (size_t)len;
        }
        rc = IS_OK;
    } else if (s != DB_DONE) {
        rc = store_fail(c, "rollup get");
    }
    db_reset(st);
    return rc;
}

int store_obs_rollup_put(struct store_conn *c, const struct store_obs_rollup *r)
{
    db_stmt *st = prep(c, ST_OBS_ROLLUP_PUT);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int64(st, 1, r->site_id);
    db_bind_text(st, 2, r->vantage_id);
    db_bind_int64(st, 3, r->bucket);
    db_bind_int(st, 4, r->n);
    db_bind_int(st, 5, r->errors);
    db_bind_double(st, 6, r->p50);
    db_bind_double(st, 7, r->p90);
    db_bind_double(st, 8, r->p99);
    db_bind_double(st, 9, r->dns_p50);
    db_bind_double(st, 10, r->connect_p50);
    db_bind_double(st, 11, r->tls_p50);
    db_bind_double(st, 12, r->ttfb_p50);
    db_bind_blob(st, 13, r->sketch, (int)r->sketch_len);
    return store_step_done(c, st, "rollup put");
}

struct phases_ctx {
    double v[4][64];
    int n[4];
};

static int map_phases(db_stmt *st, void *ctx)
{
    struct phases_ctx *p = ctx;
    for (int i = 0; i < 4; i++) {
        double d = col_real(st, i);
        if (d >= 0 && p->n[i] < 64)
            p->v[i][p->n[i]++] = d;
    }
    return IS_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int store_obs_bucket_phases(struct store_conn *c, int64_t site,
                            const char *vantage, int64_t bucket, double med[4])
{
    struct phases_ctx *p = calloc(1, sizeof(*p));
    if (!p)
        return IS_ERR_NOMEM;
    int rc = store_each(c, ST_OBS_BUCKET_PHASES, "bucket phases", map_phases, p,
                        "ItI", site, vantage, bucket);
    for (int i = 0; i < 4; i++) {
        med[i] = -1;
        if (p->n[i]) {
            qsort(p->v[i], (size_t)p->n[i], sizeof(double), cmp_double);
            med[i] = p->v[i][(p->n[i] - 1) / 2];
        }
    }
    free(p);
    return rc;
}

/* ---- states ---- */

static void read_vstate(db_stmt *st, int col0, struct store_obs_vstate *v,
                        bool with_id)
{
    int i = col0;
    if (with_id)
        store_col_copy(st, i++, v->vantage_id, sizeof(v->vantage_id));
    store_col_copy(st, i++, v->state, sizeof(v->state));
    v->since = db_column_int64(st, i++);
    if (with_id) {
        v->score = col_real(st, i++);
        v->ratio = col_real(st, i++);
        v->usual_ms = col_real(st, i++);
        store_col_copy(st, i++, v->phase, sizeof(v->phase));
        v->window = db_column_int64(st, i++);
        v->window_n = db_column_int(st, i++);
        return;
    }
    v->window = db_column_int64(st, i++);
    v->window_n = db_column_int(st, i++);
    v->first_at = db_column_int64(st, i++);
    v->last_at = db_column_int64(st, i++);
    v->score = col_real(st, i++);
    v->ratio = col_real(st, i++);
    v->usual_ms = col_real(st, i++);
    store_col_copy(st, i++, v->phase, sizeof(v->phase));
}

static int map_vstate(db_stmt *st, void *ctx)
{
    read_vstate(st, 0, ctx, false);
    return IS_OK;
}

int store_obs_vstate_get(struct store_conn *c, int64_t site,
                         const char *vantage, struct store_obs_vstate *out)
{
    return store_get_row(c, ST_OBS_VSTATE_GET, "vstate", map_vstate, out, "It",
                         site, vantage);
}

int store_obs_vstate_put(struct store_conn *c, int64_t site,
                         const struct store_obs_vstate *v)
{
    db_stmt *st = prep(c, ST_OBS_VSTATE_PUT);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int64(st, 1, site);
    db_bind_text(st, 2, v->vantage_id);
    db_bind_text(st, 3, v->state);
    db_bind_int64(st, 4, v->since);
    db_bind_int64(st, 5, v->window);
    db_bind_int(st, 6, v->window_n);
    db_bind_int64(st, 7, v->first_at);
    db_bind_int64(st, 8, v->last_at);
    db_bind_double(st, 9, v->score);
    db_bind_double(st, 10, v->ratio);
    db_bind_double(st, 11, v->usual_ms);
    db_bind_text(st, 12, v->phase);
    return store_step_done(c, st, "vstate put");
}

static int map_vstate_listed(db_stmt *st, void *ctx)
{
    struct store_obs_vstate *v = store_rows_push(ctx);
    if (!v)
        return IS_ERR_NOMEM;
    read_vstate(st, 0, v, true);
    return IS_OK;
}

int store_obs_vstates_of_site(struct store_conn *c, int64_t site, int64_t since,
                              struct store_obs_vstate **out, size_t *n)
{
    int rc;
    *out = rows_fmt(c, ST_OBS_VSTATES_OF_SITE, "vstates", map_vstate_listed,
                    sizeof(**out), n, &rc, "II", site, since);
    return rc;
}

static int map_state(db_stmt *st, void *ctx)
{
    struct store_obs_state *s = ctx;
    store_col_copy(st, 0, s->state, sizeof(s->state));
    s->since = db_column_int64(st, 1);
    s->first_at = db_column_int64(st, 2);
    return IS_OK;
}

int store_obs_state_get(struct store_conn *c, int64_t site,
                        struct store_obs_state *out)
{
    return store_get_row(c, ST_OBS_STATE_GET, "state", map_state, out, "I",
                         site);
}

int store_obs_state_put(struct store_conn *c, const struct store_obs_state *s)
{
    db_stmt *st = prep(c, ST_OBS_STATE_PUT);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int64(st, 1, s->site_id);
    db_bind_text(st, 2, s->state);
    db_bind_int64(st, 3, s->since);
    db_bind_int64(st, 4, s->window);
    db_bind_int(st, 5, s->window_n);
    db_bind_int64(st, 6, s->last_at);
    db_bind_double(st, 7, s->last_total);
    db_bind_text(st, 8, s->last_outcome);
    db_bind_text(st, 9, s->addr);
    db_bind_double(st, 10, s->score);
    db_bind_text(st, 11, s->reason_ja);
    db_bind_text(st, 12, s->reason_en);
    db_bind_text(st, 13, s->phase);
    db_bind_int64(st, 14, s->first_at);
    return store_step_done(c, st, "state put");
}

/* ---- correlation input ---- */

static int map_anomaly(db_stmt *st, void *ctx)
{
    struct store_obs_anomaly_row *a = store_rows_push(ctx);
    if (!a)
        return IS_ERR_NOMEM;
    a->site_id = db_column_int64(st, 0);
    store_col_copy(st, 1, a->vantage_id, sizeof(a->vantage_id));
    store_col_copy(st, 2, a->vstate, sizeof(a->vstate));
    a->vsince = db_column_int64(st, 3);
    a->ratio = col_real(st, 4);
    store_col_copy(st, 5, a->phase, sizeof(a->phase));
    store_col_copy(st, 6, a->sector, sizeof(a->sector));
    store_col_copy(st, 7, a->addr, sizeof(a->addr));
    store_col_copy(st, 8, a->dns, sizeof(a->dns));
    store_col_copy(st, 9, a->hosting, sizeof(a->hosting));
    store_col_copy(st, 10, a->org, sizeof(a->org));
    a->notify = db_column_int(st, 11) != 0;
    store_col_copy(st, 12, a->state, sizeof(a->state));
    a->since = db_column_int64(st, 13);
    store_col_copy(st, 14, a->label, sizeof(a->label));
    store_col_copy(st, 15, a->host, sizeof(a->host));
    a->usual_ms = col_real(st, 16);
    store_col_copy(st, 17, a->reason_ja, sizeof(a->reason_ja));
    store_col_copy(st, 18, a->reason_en, sizeof(a->reason_en));
    return IS_OK;
}

int store_obs_anomaly_input(struct store_conn *c, int64_t now, int64_t window_s,
                            struct store_obs_anomaly_row **out, size_t *n)
{
    int rc;
    *out = rows_fmt(c, ST_OBS_ANOMALY_INPUT, "anomaly input", map_anomaly,
                    sizeof(**out), n, &rc, "II", window_s, now);
    return rc;
}

static int map_group(db_stmt *st, void *ctx)
{
    struct store_obs_group_size *g = store_rows_push(ctx);
    if (!g)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, g->kind, sizeof(g->kind));
    store_col_copy(st, 1, g->key, sizeof(g->key));
    g->sites = db_column_int64(st, 2);
    return IS_OK;
}

int store_obs_group_sizes(struct store_conn *c,
                          struct store_obs_group_size **out, size_t *n)
{
    int rc;
    *out = rows_fmt(c, ST_OBS_GROUP_SIZES, "group sizes", map_group,
                    sizeof(**out), n, &rc, "");
    return rc;
}

/* ---- alerts ---- */

void store_obs_alerts_free(struct store_obs_alert *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++)
        free(a[i].mem);
    free(a);
}

static int read_alert(db_stmt *st, struct store_obs_alert *a)
{
    memset(a, 0, sizeof(*a));
    a->id = db_column_int64(st, 0);
    store_col_copy(st, 1, a->kind, sizeof(a->kind));
    store_col_copy(st, 2, a->key, sizeof(a->key));
    store_col_copy(st, 3, a->sector_id, sizeof(a->sector_id));
    store_col_copy(st, 4, a->org_id, sizeof(a->org_id));
    store_col_copy(st, 5, a->state, sizeof(a->state));
    store_col_copy(st, 6, a->condition, sizeof(a->condition));
    store_col_copy(st, 7, a->phase, sizeof(a->phase));
    a->since = db_column_int64(st, 8);
    a->raised_at = db_column_int64(st, 9);
    a->closed_at = db_column_int64(st, 10);
    a->site_count = db_column_int64(st, 11);
    store_col_copy(st, 15, a->advisory_id, sizeof(a->advisory_id));
    a->version = db_column_int64(st, 16);
    char **const dst[] = {
        NULL, NULL, NULL, NULL, NULL,          NULL,          NULL,        NULL,
        NULL, NULL, NULL, NULL, &a->reason_ja, &a->reason_en, &a->evidence};
    return store_col_strs(st, dst, 15, &a->mem);
}

static int map_alert(db_stmt *st, void *ctx)
{
    return read_alert(st, ctx);
}

static int map_alert_listed(db_stmt *st, void *ctx)
{
    struct store_obs_alert *a = store_rows_push(ctx);
    if (!a)
        return IS_ERR_NOMEM;
    return read_alert(st, a);
}

static void drop_alert(void *item)
{
    struct store_obs_alert *a = item;
    free(a->mem);
    a->mem = NULL;
}

int store_obs_alert_get(struct store_conn *c, int64_t id,
                        struct store_obs_alert *out)
{
    return store_get_row(c, ST_OBS_ALERT_GET, "obs alert", map_alert, out, "I",
                         id);
}

struct open_get {
    int64_t *id, *since, *count;
};

static int map_open_get(db_stmt *st, void *ctx)
{
    struct open_get *g = ctx;
    *g->id = db_column_int64(st, 0);
    *g->since = db_column_int64(st, 1);
    *g->count = db_column_int64(st, 2);
    return IS_OK;
}

int store_obs_alert_open_get(struct store_conn *c, const char *kind,
                             const char *key, const char *sector, int64_t *id,
                             int64_t *since, int64_t *count)
{
    struct open_get g = {id, since, count};
    return store_get_row(c, ST_OBS_ALERT_OPEN_GET, "open alert", map_open_get,
                         &g, "ttt", kind, key, sector);
}

static int map_open(db_stmt *st, void *ctx)
{
    struct store_obs_open_alert *a = store_rows_push(ctx);
    if (!a)
        return IS_ERR_NOMEM;
    a->id = db_column_int64(st, 0);
    store_col_copy(st, 1, a->kind, sizeof(a->kind));
    store_col_copy(st, 2, a->key, sizeof(a->key));
    store_col_copy(st, 3, a->sector, sizeof(a->sector));
    return IS_OK;
}

int store_obs_alerts_open(struct store_conn *c,
                          struct store_obs_open_alert **out, size_t *n)
{
    int rc;
    *out = rows_fmt(c, ST_OBS_ALERTS_OPEN_ALL, "open alerts", map_open,
                    sizeof(**out), n, &rc, "");
    return rc;
}

static int alert_insert_as(struct store_conn *c, void *ctx, int64_t v)
{
    const struct store_obs_alert *a = ctx;
    return store_exec_changed(c, ST_OBS_ALERT_INSERT, "alert insert",
                              "ttttttIIItttI", a->kind, a->key, a->sector_id,
                              a->org_id, a->condition, a->phase, a->since,
                              a->raised_at, a->site_count, a->reason_ja,
                              a->reason_en, a->evidence, v);
}

int store_obs_alert_insert(struct store_conn *c,
                           const struct store_obs_alert *a, int64_t *id)
{
    /* an id that counts nothing (docs/rules.md "Ids that count nothing"):
     * a reader sees some alerts only, and the row counter told it how many
     * others were raised between two of them; above its subject's own */
    int64_t floor = 0;
    int rc = store_get_int64(c, ST_OBS_ALERT_MAX_ID, "alert max id", &floor,
                             "tt", a->kind, a->key);
    if (!rc)
        rc = store_insert_fresh_id(c, a->raised_at, floor, alert_insert_as,
                                   (void *)a, id);
    return rc;
}

int store_obs_alert_extend(struct store_conn *c,
                           const struct store_obs_alert *a)
{
    return store_exec(c, ST_OBS_ALERT_EXTEND, "alert extend", "IItttttI", a->id,
                      a->site_count, a->condition, a->phase, a->reason_ja,
                      a->reason_en, a->evidence, a->since);
}

int store_obs_alert_close(struct store_conn *c, int64_t id, int64_t now)
{
    return store_exec(c, ST_OBS_ALERT_CLOSE, "alert close", "II", id, now);
}

static int map_two_counts(db_stmt *st, void *ctx)
{
    int64_t **out = ctx;
    *out[0] = db_column_int64(st, 0);
    *out[1] = db_column_int64(st, 1);
    return IS_OK;
}

int store_obs_alert_freshness(struct store_conn *c, int64_t id, int64_t now,
                              int64_t window, int64_t *fresh, int64_t *stale)
{
    int64_t *out[2] = {fresh, stale};
    *fresh = *stale = 0;
    return store_get_row(c, ST_OBS_ALERT_FRESHNESS, "alert freshness",
                         map_two_counts, out, "III", id, now, window);
}

int store_obs_alert_sites_set(struct store_conn *c, int64_t alert,
                              const int64_t *sites, const int64_t *since,
                              size_t n)
{
    int rc = store_exec(c, ST_OBS_ALERT_SITES_CLEAR, "alert sites clear", "I",
                        alert);
    for (size_t i = 0; !rc && i < n; i++)
        rc = store_exec(c, ST_OBS_ALERT_SITE_ADD, "alert site", "III", alert,
                        sites[i], since[i]);
    return rc;
}

int store_obs_alerts_list(struct store_conn *c, const struct obs_reader *rd,
                          const char *state, const char *kind,
                          const char *sector, int limit,
                          struct store_obs_alert **out, size_t *n)
{
    db_stmt *st = prep(c, ST_OBS_ALERTS_LIST);
    if (st) {
        bind_reader(st, rd);
        db_bind_text(st, 4, state ? state : "");
        db_bind_text(st, 5, kind ? kind : "");
        db_bind_text(st, 6, sector ? sector : "");
        db_bind_text(st, 7, rd->ceptoar && rd->sector ? rd->sector : "");
        db_bind_int(st, 8, rd->ministry ? 1 : 0);
        db_bind_int(st, 9, limit);
    }
    int rc;
    *out = rows_of(c, st, "alerts list", map_alert_listed, sizeof(**out),
                   drop_alert, n, &rc);
    return rc;
}

static int map_alert_site(db_stmt *st, void *ctx)
{
    struct store_obs_alert_site *s = store_rows_push(ctx);
    if (!s)
        return IS_ERR_NOMEM;
    s->id = db_column_int64(st, 0);
    store_col_copy(st, 1, s->label, sizeof(s->label));
    store_col_copy(st, 2, s->host, sizeof(s->host));
    store_col_copy(st, 3, s->org, sizeof(s->org));
    s->since = db_column_int64(st, 4);
    return IS_OK;
}

int store_obs_alert_sites_visible(struct store_conn *c,
                                  const struct obs_reader *rd, int64_t alert,
                                  struct store_obs_alert_site **out, size_t *n)
{
    db_stmt *st = prep(c, ST_OBS_ALERT_SITES_VISIBLE);
    if (st) {
        bind_reader(st, rd);
        db_bind_int64(st, 4, alert);
    }
    int rc;
    *out = rows_of(c, st, "alert sites", map_alert_site, sizeof(**out), NULL, n,
                   &rc);
    return rc;
}

void store_obs_reader_of(const struct access_org *o, unsigned roles,
                         struct obs_reader *rd)
{
    memset(rd, 0, sizeof(*rd));
    rd->org = o->id;
    rd->scope = (int)access_site_scope(o, roles);
    rd->all = rd->scope == ACCESS_SITES_ALL;
    rd->ceptoar = strcmp(o->kind, "ceptoar") == 0;
    rd->ministry = strcmp(o->kind, "ministry") == 0;
    rd->sector = o->sector_id;
}

/* One row of statement id with the reader's binds (?1..?3) and ?4 the
 * alert's id (ev NULL) or its evidence: its first two columns. */
static int alert_reader_row(struct store_conn *c, enum store_stmt id,
                            const struct obs_reader *rd, int64_t alert,
                            const char *ev, int64_t *a, int64_t *b)
{
    db_stmt *st = prep(c, id);
    if (!st)
        return IS_ERR_STORE;
    bind_reader(st, rd);
    if (ev)
        db_bind_text(st, 4, ev);
    else
        db_bind_int64(st, 4, alert);
    int s = db_step(st);
    if (s == DB_ROW) {
        *a = db_column_int64(st, 0);
        if (b)
            *b = db_column_int64(st, 1);
    }
    db_reset(st);
    return s == DB_ROW ? IS_OK : store_fail(c, "alert seen");
}

int store_obs_alert_seen(struct store_conn *c, const struct obs_reader *rd,
                         const struct store_obs_alert *al, struct obs_seen *out)
{
    memset(out, 0, sizeof(*out));
    out->exact = rd->all;
    if (rd->all)
        return IS_OK;
    int rc = alert_reader_row(c, ST_OBS_ALERT_SITES_SEEN, rd, al->id, NULL,
                              &out->members, NULL);
    if (rc)
        return rc;
    out->exact = out->members >= al->site_count;
    /* a site alert counts its one site; a correlated one also the sites
     * of its group ("3 of 5 sites of sector finance"): every one of
     * them, paused since or not, must be the reader's to see */
    if (strcmp(al->kind, "site") == 0)
        return IS_OK;
    const char *ev = al->evidence ? al->evidence : "{}";
    if ((rc = alert_reader_row(c, ST_OBS_ALERT_GROUP_SEEN, rd, 0, ev,
                               &out->size, NULL)))
        return rc;
    if (!out->exact)
        return IS_OK;
    int64_t unseen = 1, unrecorded = 1;
    rc = alert_reader_row(c, ST_OBS_ALERT_GROUP_UNSEEN, rd, 0, ev, &unseen,
                          &unrecorded);
    out->exact = !rc && unseen == 0 && unrecorded == 0;
    return rc;
}

int store_obs_alert_set_advisory(struct store_conn *c, int64_t id,
                                 const char *adv)
{
    int rc = store_exec_changed(c, ST_OBS_ALERT_SET_ADVISORY, "alert advisory",
                                "It", id, adv);
    return rc == IS_ERR_NOTFOUND ? IS_ERR_CONFLICT : rc;
}

int store_obs_alert_queue(struct store_conn *c, int64_t alert, const char *org,
                          int64_t now, int *queued)
{
    int rc = store_exec(c, ST_OBS_ALERT_QUEUE, "obs alert queue", "ItI", alert,
                        org, now);
    *queued = rc ? 0 : store_changes(c);
    return rc;
}

static int map_id(db_stmt *st, void *ctx)
{
    struct store_id *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->id, sizeof(x->id));
    return IS_OK;
}

int store_obs_sector_ceptoars(struct store_conn *c, const char *sector,
                              struct store_id_list *out)
{
    int rc;
    out->items = rows_fmt(c, ST_OBS_SECTOR_CEPTOARS, "sector ceptoars", map_id,
                          sizeof(*out->items), &out->n, &rc, "t", sector);
    return rc;
}

int store_obs_nisc_orgs(struct store_conn *c, struct store_id_list *out)
{
    int rc;
    out->items = rows_fmt(c, ST_OBS_NISC_ORGS, "nisc orgs", map_id,
                          sizeof(*out->items), &out->n, &rc, "");
    return rc;
}

int store_obs_site_vantages(struct store_conn *c, int64_t site,
                            struct store_id_list *out)
{
    int rc;
    out->items = rows_fmt(c, ST_OBS_SITE_VANTAGES, "site vantages", map_id,
                          sizeof(*out->items), &out->n, &rc, "I", site);
    return rc;
}

/* ---- series ---- */

static int map_point(db_stmt *st, void *ctx)
{
    struct store_obs_point *p = store_rows_push(ctx);
    if (!p)
        return IS_ERR_NOMEM;
    p->t = db_column_int64(st, 0);
    p->n = db_column_int(st, 1);
    p->errors = db_column_int(st, 2);
    p->p50 = col_real(st, 3);
    p->p90 = col_real(st, 4);
    p->p99 = col_real(st, 5);
    p->dns = col_real(st, 6);
    p->connect = col_real(st, 7);
    p->tls = col_real(st, 8);
    p->ttfb = col_real(st, 9);
    store_col_copy(st, 10, p->vantage, sizeof(p->vantage));
    if (db_column_count(st) > 11) {
        int len = db_column_bytes(st, 11);
        const void *b = db_column_blob(st, 11);
        if (b && len > 0 && (size_t)len <= sizeof(p->sketch)) {
            memcpy(p->sketch, b, (size_t)len);
            p->sketch_len = (size_t)len;
        }
    }
    return IS_OK;
}

int store_obs_points(struct store_conn *c, int64_t site, bool raw, int64_t from,
                     int64_t to, struct store_obs_point **out, size_t *n)
{
    int rc;
    *out = rows_fmt(c, raw ? ST_OBS_RAW_POINTS : ST_OBS_ROLLUP_POINTS, "points",
                    map_point, sizeof(**out), n, &rc, "III", site, from, to);
    return rc;
}

static int map_baseline_row(db_stmt *st, void *ctx)
{
    struct store_obs_baseline_row *b = store_rows_push(ctx);
    if (!b)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, b->vantage, sizeof(b->vantage));
    b->how = db_column_int(st, 1);
    b->median = col_real(st, 2);
    b->mad = col_real(st, 3);
    b->n = db_column_int(st, 4);
    return IS_OK;
}

int store_obs_site_baselines(struct store_conn *c, int64_t site,
                             struct store_obs_baseline_row **out, size_t *n)
{
    int rc;
    *out = rows_fmt(c, ST_OBS_SITE_BASELINES, "site baselines",
                    map_baseline_row, sizeof(**out), n, &rc, "I", site);
    return rc;
}

/* ---- aggregates ---- */

static int map_sector_count(db_stmt *st, void *ctx)
{
    struct store_obs_sector_count *s = store_rows_push(ctx);
    if (!s)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, s->id, sizeof(s->id));
    store_col_copy(st, 1, s->name_ja, sizeof(s->name_ja));
    store_col_copy(st, 2, s->name_en, sizeof(s->name_en));
    store_col_copy(st, 3, s->ministry, sizeof(s->ministry));
    s->sites = db_column_int64(st, 4);
    s->normal = db_column_int64(st, 5);
    s->slow = db_column_int64(st, 6);
    s->unreachable = db_column_int64(st, 7);
    s->other = db_column_int64(st, 8);
    s->visible = db_column_int64(st, 9);
    s->registered = db_column_int64(st, 10);
    s->registered_visible = db_column_int64(st, 11);
    s->normal_visible = db_column_int64(st, 12);
    s->slow_visible = db_column_int64(st, 13);
    s->unreachable_visible = db_column_int64(st, 14);
    s->other_visible = db_column_int64(st, 15);
    return IS_OK;
}

int store_obs_sector_counts(struct store_conn *c, const struct obs_reader *rd,
                            struct store_obs_sector_count **out, size_t *n)
{
    db_stmt *st = prep(c, ST_OBS_SECTOR_COUNTS);
    if (st)
        bind_reader(st, rd);
    int rc;
    *out = rows_of(c, st, "sector counts", map_sector_count, sizeof(**out),
                   NULL, n, &rc);
    return rc;
}

static int map_heat_site(db_stmt *st, void *ctx)
{
    struct store_obs_heat_site *s = store_rows_push(ctx);
    if (!s)
        return IS_ERR_NOMEM;
    s->id = db_column_int64(st, 0);
    store_col_copy(st, 1, s->label, sizeof(s->label));
    store_col_copy(st, 2, s->host, sizeof(s->host));
    store_col_copy(st, 3, s->org, sizeof(s->org));
    store_col_copy(st, 4, s->state, sizeof(s->state));
    return IS_OK;
}

int store_obs_heat_sites(struct store_conn *c, const struct obs_reader *rd,
                         const char *sector, struct store_obs_heat_site **out,
                         size_t *n)
{
    db_stmt *st = prep(c, ST_OBS_HEAT_SITES);
    if (st) {
        bind_reader(st, rd);
        db_bind_text(st, 4, sector);
    }
    int rc;
    *out = rows_of(c, st, "heat sites", map_heat_site, sizeof(**out), NULL, n,
                   &rc);
    return rc;
}

static int map_i64(db_stmt *st, void *ctx)
{
    int64_t *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    *x = db_column_int64(st, 0);
    return IS_OK;
}

int store_obs_heat_seen(struct store_conn *c, const struct obs_reader *rd,
                        const char *sector, int64_t **out, size_t *n)
{
    db_stmt *st = prep(c, ST_OBS_HEAT_SEEN);
    if (st) {
        bind_reader(st, rd);
        db_bind_text(st, 4, sector);
    }
    int rc;
    *out = rows_of(c, st, "heat seen", map_i64, sizeof(**out), NULL, n, &rc);
    return rc;
}

static int map_heat_cell(db_stmt *st, void *ctx)
{
    struct store_obs_heat_cell *h = store_rows_push(ctx);
    if (!h)
        return IS_ERR_NOMEM;
    h->site = db_column_int64(st, 0);
    h->t = db_column_int64(st, 1);
    h->n = db_column_int64(st, 2);
    h->errors = db_column_int64(st, 3);
    h->p50 = col_real(st, 4);
    h->usual = db_column_type(st, 5) == DB_NULL ? -1 : col_real(st, 5);
    return IS_OK;
}

int store_obs_heat_cells(struct store_conn *c, const char *sector, int64_t from,
                         int64_t to, int step, struct store_obs_heat_cell **out,
                         size_t *n)
{
    int rc;
    *out = rows_fmt(c, ST_OBS_HEAT_CELLS, "heat cells", map_heat_cell,
                    sizeof(**out), n, &rc, "IIit", from, to, step, sector);
    return rc;
}

int store_obs_prune(struct store_conn *c, int64_t raw_before,
                    int64_t rollup_before, int64_t *deleted)
{
    *deleted = 0;
    int rc =
        store_exec(c, ST_OBS_PRUNE_RESULTS, "prune results", "I", raw_before);
    if (!rc)
        *deleted += store_changes(c);
    if (!rc)
        rc = store_exec(c, ST_OBS_PRUNE_ROLLUPS, "prune rollups", "I",
                        rollup_before);
    if (!rc)
        *deleted += store_changes(c);
    return rc;
}
