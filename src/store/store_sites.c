/*
 * store_sites.c - website response observation: registered sites, their
 * maintenance windows, programme participants and vantage points (issue
 * 12; see store/store.h). The visibility filter is OBS_SITE_VISIBLE_SQL
 * (store/store_sql.h), the SQL copy of core/access.h's
 * access_may_see_site.
 */
#include "store/store_internal.h"

_Static_assert(ACCESS_SITES_ALL == 0 && ACCESS_SITES_MEMBERS == 1 &&
                   ACCESS_SITES_OWN == 2,
               "OBS_SITE_VISIBLE_SQL reads the scope's numbers");

/* Row mapper of OBS_SITE_COLS into a struct store_site. */
static void read_site(db_stmt *st, struct store_site *s)
{
    memset(s, 0, sizeof(*s));
    s->id = db_column_int64(st, 0);
    store_col_copy(st, 1, s->org_id, sizeof(s->org_id));
    store_col_copy(st, 2, s->url, sizeof(s->url));
    store_col_copy(st, 3, s->host, sizeof(s->host));
    store_col_copy(st, 4, s->label, sizeof(s->label));
    s->expected_status = db_column_int(st, 5);
    store_col_copy(st, 6, s->content_match, sizeof(s->content_match));
    s->interval_s = db_column_int(st, 7);
    s->notify = db_column_int(st, 8) != 0;
    s->paused = db_column_int(st, 9) != 0;
    s->demo = db_column_int(st, 10) != 0;
    store_col_copy(st, 11, s->hosting, sizeof(s->hosting));
    store_col_copy(st, 12, s->dns_provider, sizeof(s->dns_provider));
    s->registered_by = db_column_int64(st, 13);
    store_col_copy(st, 14, s->via_org, sizeof(s->via_org));
    s->version = db_column_int64(st, 15);
    s->created_at = db_column_int64(st, 16);
    s->updated_at = db_column_int64(st, 17);
    s->deleted_at = db_column_int64(st, 18);
    store_col_copy(st, 19, s->org_name_ja, sizeof(s->org_name_ja));
    store_col_copy(st, 20, s->org_name_en, sizeof(s->org_name_en));
    store_col_copy(st, 21, s->sector_id, sizeof(s->sector_id));
    store_col_copy(st, 22, s->ceptoar_id, sizeof(s->ceptoar_id));
    store_col_copy(st, 23, s->state, sizeof(s->state));
    s->state_since = db_column_int64(st, 24);
    store_col_copy(st, 25, s->reason_ja, sizeof(s->reason_ja));
    store_col_copy(st, 26, s->reason_en, sizeof(s->reason_en));
    s->last_at = db_column_int64(st, 27);
    s->last_total = db_column_double(st, 28);
    store_col_copy(st, 29, s->last_outcome, sizeof(s->last_outcome));
}

static int map_site(db_stmt *st, void *ctx)
{
    read_site(st, ctx);
    return IS_OK;
}

static int map_site_listed(db_stmt *st, void *ctx)
{
    struct store_site *s = store_rows_push(ctx);
    if (!s)
        return IS_ERR_NOMEM;
    read_site(st, s);
    return IS_OK;
}

static int site_insert_as(struct store_conn *c, void *ctx, int64_t v)
{
    const struct store_site *s = ctx;
    return store_exec_changed(
        c, ST_SITE_INSERT, "site insert", "ttttitiiittItiII", s->org_id, s->url,
        s->host, s->label, s->expected_status, s->content_match, s->interval_s,
        s->notify ? 1 : 0, s->paused ? 1 : 0, s->hosting, s->dns_provider,
        s->registered_by, s->via_org, s->demo ? 1 : 0, s->created_at, v);
}

int store_site_insert(struct store_conn *c, const struct store_site *s,
                      int64_t *id)
{
    /* an id that counts nothing (docs/rules.md "Ids that count nothing"),
     * above the organisation's own */
    int64_t floor = 0;
    int rc = store_get_int64(c, ST_SITE_MAX_ID, "site max id", &floor, "t",
                             s->org_id);
    if (!rc)
        rc = store_insert_fresh_id(c, s->created_at, floor, site_insert_as,
                                   (void *)s, id);
    return rc;
}

int store_site_get(struct store_conn *c, int64_t id, struct store_site *out)
{
    return store_get_row(c, ST_SITE_GET, "site get", map_site, out, "I", id);
}

int store_site_update(struct store_conn *c, const struct store_site *s,
                      int64_t expect, int64_t now)
{
    int64_t version;
    int rc = store_get_int64(c, ST_SITE_VERSION, "site version", &version, "I",
                             s->id);
    if (rc)
        return rc;
    if (version != expect)
        return IS_ERR_CONFLICT;
    return store_exec_changed(
        c, ST_SITE_UPDATE, "site update", "ItitiiitII", s->id, s->label,
        s->expected_status, s->content_match, s->interval_s, s->notify ? 1 : 0,
        s->paused ? 1 : 0, s->hosting, expect, now);
}

int store_site_delete(struct store_conn *c, int64_t id, int64_t now)
{
    return store_exec_changed(c, ST_SITE_DELETE, "site delete", "II", id, now);
}

int store_sites_list(struct store_conn *c, const struct store_site_viewer *v,
                     const struct store_site_filter *f, struct store_site **out,
                     size_t *n, int64_t *total)
{
    struct store_rows r = {.size = sizeof(struct store_site)};
    *out = NULL;
    *n = 0;
    int rc =
        store_get_int64(c, ST_SITES_COUNT, "sites count", total, "ittttt",
                        v->scope, v->org, f->org, f->sector, f->state, f->q);
    if (rc)
        return rc;
    rc = store_list(c, ST_SITES_LIST, "sites list", map_site_listed, &r, NULL,
                    "itttttii", v->scope, v->org, f->org, f->sector, f->state,
                    f->q, f->limit, f->offset);
    if (rc)
        return rc;
    *out = r.items;
    *n = r.n;
    return IS_OK;
}

int store_site_org_participates(struct store_conn *c, const char *org,
                                bool *yes)
{
    int64_t k = 0;
    int rc = store_get_int64(c, ST_SITE_ORG_PARTICIPATES, "site participates",
                             &k, "t", org);
    *yes = !rc && k > 0;
    return rc;
}

struct window_row {
    int64_t site_id, starts, ends;
    const char *note;
};

static int window_insert_as(struct store_conn *c, void *ctx, int64_t v)
{
    const struct window_row *w = ctx;
    return store_exec_changed(c, ST_SITE_MAINT_INSERT, "site maintenance",
                              "IIItI", w->site_id, w->starts, w->ends, w->note,
                              v);
}

int store_site_maintenance_add(struct store_conn *c, int64_t site_id,
                               int64_t starts, int64_t ends, const char *note,
                               int64_t now, int64_t *id)
{
    struct window_row w = {site_id, starts, ends, note};
    int64_t floor = 0;
    int rc = store_get_int64(c, ST_SITE_MAINT_MAX_ID, "site maintenance max id",
                             &floor, "I", site_id);
    if (!rc)
        rc = store_insert_fresh_id(c, now, floor, window_insert_as, &w, id);
    return rc;
}

static int map_window(db_stmt *st, void *ctx)
{
    struct store_site_window *w = store_rows_push(ctx);
    if (!w)
        return IS_ERR_NOMEM;
    w->id = db_column_int64(st, 0);
    w->starts = db_column_int64(st, 1);
    w->ends = db_column_int64(st, 2);
    store_col_copy(st, 3, w->note, sizeof(w->note));
    return IS_OK;
}

int store_site_maintenance_list(struct store_conn *c, int64_t site_id,
                                int64_t since, struct store_site_window **out,
                                size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_site_window)};
    int rc = store_list(c, ST_SITE_MAINT_LIST, "site maintenance list",
                        map_window, &r, NULL, "II", site_id, since);
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_obs_participant_add(struct store_conn *c, const char *ceptoar,
                              int64_t by_user, int64_t now)
{
    return store_exec(c, ST_OBS_PART_INSERT, "participant add", "tII", ceptoar,
                      now, by_user);
}

static int map_participant(db_stmt *st, void *ctx)
{
    struct store_obs_participant *p = store_rows_push(ctx);
    if (!p)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, p->ceptoar_id, sizeof(p->ceptoar_id));
    store_col_copy(st, 1, p->name_ja, sizeof(p->name_ja));
    store_col_copy(st, 2, p->name_en, sizeof(p->name_en));
    p->joined_at = db_column_int64(st, 3);
    p->by_user = db_column_int64(st, 4);
    p->sites = db_column_int64(st, 5);
    p->seen = db_column_int64(st, 6);
    return IS_OK;
}

int store_obs_participants(struct store_conn *c, const char *org, int scope,
                           struct store_obs_participant **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_obs_participant)};
    int rc = store_list(c, ST_OBS_PARTS, "participants", map_participant, &r,
                        NULL, "ti", org, scope);
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_obs_vantage_add(struct store_conn *c,
                          const struct store_obs_vantage *v)
{
    return store_exec(c, ST_OBS_VANTAGE_INSERT, "vantage add", "ttttII", v->id,
                      v->name_ja, v->name_en, v->public_key, v->created_at,
                      v->user_id);
}

static void read_vantage(db_stmt *st, struct store_obs_vantage *v)
{
    memset(v, 0, sizeof(*v));
    store_col_copy(st, 0, v->id, sizeof(v->id));
    store_col_copy(st, 1, v->name_ja, sizeof(v->name_ja));
    store_col_copy(st, 2, v->name_en, sizeof(v->name_en));
    store_col_copy(st, 3, v->public_key, sizeof(v->public_key));
    v->last_seq = db_column_int64(st, 4);
    v->active = db_column_int(st, 5) != 0;
    v->created_at = db_column_int64(st, 6);
    v->user_id = db_column_int64(st, 7);
}

static int map_vantage(db_stmt *st, void *ctx)
{
    read_vantage(st, ctx);
    return IS_OK;
}

static int map_vantage_listed(db_stmt *st, void *ctx)
{
    struct store_obs_vantage *v = store_rows_push(ctx);
    if (!v)
        return IS_ERR_NOMEM;
    read_vantage(st, v);
    return IS_OK;
}

int store_obs_vantages(struct store_conn *c, struct store_obs_vantage **out,
                       size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_obs_vantage)};
    int rc = store_list(c, ST_OBS_VANTAGES, "vantages", map_vantage_listed, &r,
                        NULL, "");
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_obs_vantage_by_user(struct store_conn *c, int64_t user_id,
                              struct store_obs_vantage *out)
{
    return store_get_row(c, ST_OBS_VANTAGE_BY_USER, "vantage by user",
                         map_vantage, out, "I", user_id);
}

struct assign_walk {
    int (*fn)(const struct store_obs_assignment *a, void *ctx);
    void *ctx;
};

static int map_assignment(db_stmt *st, void *ctx)
{
    const struct assign_walk *w = ctx;
    struct store_obs_assignment a = {
        .id = db_column_int64(st, 0),
        .url = (const char *)db_column_text(st, 1),
        .content_match = (const char *)db_column_text(st, 2),
        .expected_status = db_column_int(st, 3),
        .interval_s = db_column_int(st, 4),
        .host = (const char *)db_column_text(st, 5),
    };
    if (!a.url || !a.content_match || !a.host)
        return IS_ERR_NOMEM;
    return w->fn(&a, w->ctx);
}

int store_obs_assignments(struct store_conn *c, bool with_demo, int64_t after,
                          int (*fn)(const struct store_obs_assignment *a,
                                    void *ctx),
                          void *ctx)
{
    struct assign_walk w = {.fn = fn, .ctx = ctx};
    return store_each(c, ST_OBS_ASSIGNMENTS, "assignments", map_assignment, &w,
                      "iI", with_demo ? 1 : 0, after);
}

/* ---- the website observation demo ---- */

int store_demo_obs_sites(struct store_conn *c, int64_t now, int *sites)
{
    int rc =
        store_exec(c, ST_DEMO_OBS_PARTICIPANTS, "demo participants", "I", now);
    if (!rc)
        rc = store_exec(c, ST_DEMO_OBS_SITES, "demo sites", "I", now);
    if (!rc)
        *sites = store_changes(c);
    if (!rc)
        rc = store_exec(c, ST_DEMO_OBS_STATES, "demo states", "I", now);
    return rc;
}

struct id_fill {
    int64_t *ids;
    int limit, n;
};

static int map_id_fill(db_stmt *st, void *ctx)
{
    struct id_fill *f = ctx;
    if (f->n < f->limit)
        f->ids[f->n++] = db_column_int64(st, 0);
    return IS_OK;
}

int store_demo_obs_scope_sites(struct store_conn *c, const char *scope,
                               int64_t *ids, int limit, int *n)
{
    struct id_fill f = {.ids = ids, .limit = limit};
    int rc = store_each(c, ST_DEMO_OBS_SITES_OF_SCOPE, "demo scope sites",
                        map_id_fill, &f, "ti", scope, limit);
    *n = f.n;
    return rc;
}

int store_demo_obs_rollup(struct store_conn *c,
                          const struct store_demo_rollup *r)
{
    db_stmt *st = store_stmt(c, ST_DEMO_OBS_ROLLUP);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int64(st, 1, r->site_id);
    db_bind_int64(st, 2, r->bucket);
    db_bind_int(st, 3, r->n);
    db_bind_int(st, 4, r->errors);
    db_bind_double(st, 5, r->p50);
    db_bind_double(st, 6, r->p90);
    db_bind_double(st, 7, r->p99);
    db_bind_double(st, 8, r->dns);
    db_bind_double(st, 9, r->connect);
    db_bind_double(st, 10, r->tls);
    db_bind_double(st, 11, r->ttfb);
    db_bind_blob(st, 12, r->sketch, (int)r->sketch_len);
    int rc = store_step_done(c, st, "demo rollup");
    db_reset(st);
    db_clear_bindings(st);
    return rc;
}

static void bind_rollup(db_stmt *st, int b, size_t i, const void *ctx)
{
    const struct store_demo_rollup *x =
        &((const struct store_demo_rollup *)ctx)[i];
    db_bind_int64(st, b + 1, x->site_id);
    db_bind_int64(st, b + 2, x->bucket);
    db_bind_int(st, b + 3, x->n);
    db_bind_int(st, b + 4, x->errors);
    db_bind_double(st, b + 5, x->p50);
    db_bind_double(st, b + 6, x->p90);
    db_bind_double(st, b + 7, x->p99);
    db_bind_double(st, b + 8, x->dns);
    db_bind_double(st, b + 9, x->connect);
    db_bind_double(st, b + 10, x->tls);
    db_bind_double(st, b + 11, x->ttfb);
    db_bind_blob(st, b + 12, x->sketch, (int)x->sketch_len);
}

static int put_rollup(struct store_conn *c, size_t i, const void *ctx)
{
    return store_demo_obs_rollup(c,
                                 &((const struct store_demo_rollup *)ctx)[i]);
}

int store_demo_obs_rollups(struct store_conn *c,
                           const struct store_demo_rollup *r, size_t n)
{
    return store_put_rows(c, ST_DEMO_OBS_ROLLUPS, STORE_DEMO_ROLLUPS, 12, n,
                          bind_rollup, put_rollup, r, "demo rollups");
}

int store_demo_obs_baseline(struct store_conn *c, int64_t site_id, int how,
                            double median, double mad, int n, int64_t now)
{
    db_stmt *st = store_stmt(c, ST_DEMO_OBS_BASELINE);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int64(st, 1, site_id);
    db_bind_int(st, 2, how);
    db_bind_double(st, 3, median);
    db_bind_double(st, 4, mad);
    db_bind_int(st, 5, n);
    db_bind_int64(st, 6, now);
    int rc = store_step_done(c, st, "demo baseline");
    db_reset(st);
    return rc;
}

/* One site's baselines, row how = one way of measuring. */
struct baselines {
    int64_t site_id, now;
    const double *median, *mad;
    int n;
};

static void bind_baseline(db_stmt *st, int b, size_t how, const void *ctx)
{
    const struct baselines *x = ctx;
    db_bind_int64(st, b + 1, x->site_id);
    db_bind_int(st, b + 2, (int)how);
    db_bind_double(st, b + 3, x->median[how]);
    db_bind_double(st, b + 4, x->mad[how]);
    db_bind_int(st, b + 5, x->n);
    db_bind_int64(st, b + 6, x->now);
}

static int put_baseline(struct store_conn *c, size_t how, const void *ctx)
{
    const struct baselines *x = ctx;
    return store_demo_obs_baseline(c, x->site_id, (int)how, x->median[how],
                                   x->mad[how], x->n, x->now);
}

int store_demo_obs_baselines(struct store_conn *c, int64_t site_id,
                             const double *median, const double *mad, int nhow,
                             int n, int64_t now)
{
    struct baselines x = {site_id, now, median, mad, n};
    return store_put_rows(c, ST_DEMO_OBS_BASELINES, STORE_DEMO_BASELINES, 6,
                          nhow > 0 ? (size_t)nhow : 0, bind_baseline,
                          put_baseline, &x, "demo baselines");
}

int store_demo_obs_state(struct store_conn *c, int64_t site_id,
                         const char *state, int64_t since, int64_t window,
                         int window_n, int64_t last_at, double last_total,
                         double score, const char *reason_ja,
                         const char *reason_en, const char *phase)
{
    db_stmt *st = store_stmt(c, ST_DEMO_OBS_STATE_SET);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int64(st, 1, site_id);
    db_bind_text(st, 2, state);
    db_bind_int64(st, 3, since);
    db_bind_int64(st, 4, window);
    db_bind_int(st, 5, window_n);
    db_bind_int64(st, 6, last_at);
    db_bind_double(st, 7, last_total);
    db_bind_double(st, 8, score);
    db_bind_text(st, 9, reason_ja);
    db_bind_text(st, 10, reason_en);
    db_bind_text(st, 11, phase);
    int rc = store_step_done(c, st, "demo state");
    db_reset(st);
    return rc;
}

int store_demo_obs_alert(struct store_conn *c, const char *sector,
                         const char *phase, int64_t since, int64_t raised,
                         const int64_t *sites, int nsites,
                         const char *reason_ja, const char *reason_en,
                         const char *evidence, int64_t *id)
{
    int rc = store_exec(c, ST_DEMO_OBS_ALERT, "demo alert", "ttIIittt", sector,
                        phase, since, raised, nsites, reason_ja, reason_en,
                        evidence);
    if (rc)
        return rc;
    *id = store_last_id(c);
    for (int i = 0; !rc && i < nsites; i++)
        rc = store_exec(c, ST_DEMO_OBS_ALERT_SITE, "demo alert site", "III",
                        *id, sites[i], since);
    return rc;
}
