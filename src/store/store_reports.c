/*
 * store_reports.c - catalogues, hop policies, deadlines, reports, their
 * updates, timeline and attachments, events, reminders.
 */
#include "store/store_internal.h"

#include "common/util.h"
#include "core/range.h"

#define DEFAULT_REVIEW_LIMIT_MIN 30

int store_catalogue_insert(struct store_conn *c, const char *kind,
                           const char *id, const char *scopes_csv,
                           const char *name_ja, const char *name_en,
                           const char *doc)
{
    return store_exec(c, ST_CATALOGUE_INSERT, "catalogue insert", "tttttt",
                      kind, id, scopes_csv, name_ja, name_en, doc);
}

int store_catalogue_check(struct store_conn *c, const char *kind,
                          const char *id, const char *scope)
{
    int64_t one;
    return store_get_int64(c, ST_CATALOGUE_CHECK, "catalogue", &one, "ttt",
                           kind, id, scope);
}

/* Row mapper of ST_CATALOGUE_ALL: kind, doc. */
static int map_catalogue(db_stmt *st, void *ctx)
{
    struct store_catalogue_item *k = store_rows_push(ctx);
    if (!k)
        return IS_ERR_NOMEM;
    const char *kind = (const char *)db_column_text(st, 0);
    k->system_class = kind && strcmp(kind, "system_class") == 0;
    char **const dst[] = {NULL, &k->doc};
    return store_col_strs(st, dst, 2, &k->doc);
}

int store_catalogue_list(struct store_conn *c, const char *scope,
                         struct store_catalogue_item **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(**out)};
    int rc = store_list(c, ST_CATALOGUE_ALL, "catalogue list", map_catalogue,
                        &r, store_drop_first, "t", scope);
    *out = r.items;
    *n = r.n;
    return rc;
}

void store_catalogue_free(struct store_catalogue_item *k, size_t n)
{
    store_rows_free(k, n, sizeof(*k), store_drop_first);
}

struct policy_out {
    bool *review;
    int *limit_min;
};

/* Row mapper of ST_POLICY_GET: policy, review_limit_min. */
static int map_policy(db_stmt *st, void *ctx)
{
    struct policy_out *p = ctx;
    const char *policy = (const char *)db_column_text(st, 0);
    *p->review = !policy || strcmp(policy, "auto") != 0;
    *p->limit_min = db_column_int(st, 1);
    return IS_OK;
}

int store_hop_policy(struct store_conn *c, const char *org_id, bool *review,
                     int *limit_min)
{
    struct policy_out p = {review, limit_min};
    *review = true;
    *limit_min = DEFAULT_REVIEW_LIMIT_MIN;
    int rc =
        store_get_row(c, ST_POLICY_GET, "policy", map_policy, &p, "t", org_id);
    return rc == IS_ERR_NOTFOUND ? IS_OK : rc;
}

int store_hop_reviews(struct store_conn *c, const struct ids *orgs,
                      bool *review)
{
    for (int i = 0; i < orgs->n; i++) {
        int limit;
        int rc = store_hop_policy(c, orgs->id[i], &review[i], &limit);
        if (rc)
            return rc;
    }
    return IS_OK;
}

int store_hop_policy_set(struct store_conn *c, const char *org_id, bool review,
                         int limit_min, int64_t now)
{
    return store_exec(c, ST_POLICY_SET, "policy set", "ttiI", org_id,
                      review ? "review" : "auto", limit_min, now);
}

int store_deadline_set(struct store_conn *c, const char *sector_id, int first_h,
                       int full_h, int final_d)
{
    return store_exec(c, ST_DEADLINE_SET, "deadline set", "tiii", sector_id,
                      first_h, full_h, final_d);
}

struct deadline_out {
    int *first_h, *full_h, *final_d;
};

/* Row mapper of ST_DEADLINE_GET: first_notice_h, full_report_h, final_d. */
static int map_deadline(db_stmt *st, void *ctx)
{
    struct deadline_out *d = ctx;
    *d->first_h = db_column_int(st, 0);
    *d->full_h = db_column_int(st, 1);
    *d->final_d = db_column_int(st, 2);
    return IS_OK;
}

int store_deadline_get(struct store_conn *c, const char *sector_id,
                       int *first_h, int *full_h, int *final_d)
{
    struct deadline_out d = {first_h, full_h, final_d};
    *first_h = 24;
    *full_h = 72;
    *final_d = 30;
    int rc = store_get_row(c, ST_DEADLINE_GET, "deadline", map_deadline, &d,
                           "t", sector_id);
    return rc == IS_ERR_NOTFOUND ? IS_OK : rc;
}

/* ---- reports ---- */

void store_report_release(struct store_report *r)
{
    free(r->body);
    r->body = NULL;
}

static void bind_opt_time(db_stmt *st, int i, int64_t t)
{
    if (t)
        db_bind_int64(st, i, t);
    else
        db_bind_null(st, i);
}

/* The stored form of an id list: ",a,b," (",": none), so that SQL can
 * test membership with instr(col, ',' || id || ','). */
static void bind_ids(db_stmt *st, int i, const struct ids *l)
{
    char csv[IDS_MAX * (IDS_LEN + 1) + 2] = ",";
    size_t n = 1;
    for (int k = 0; k < l->n; k++) {
        size_t len = strlen(l->id[k]);
        memcpy(csv + n, l->id[k], len);
        n += len;
        csv[n++] = ',';
    }
    csv[n] = '\0';
    db_bind_text_copy(st, i, csv, n);
}

/* Reads ",a,b," back; empty elements are skipped, and so are ids that do
 * not fit struct ids (none can be stored: bind_ids writes only those). */
static void col_ids(db_stmt *st, int i, struct ids *l)
{
    memset(l, 0, sizeof(*l));
    const char *p = (const char *)db_column_text(st, i);
    while (p && *p) {
        while (*p == ',')
            p++;
        size_t len = strcspn(p, ",");
        if (len > 0 && len < IDS_LEN) {
            char id[IDS_LEN];
            memcpy(id, p, len);
            id[len] = '\0';
            (void)ids_add(l, id); /* full: the rest is dropped */
        }
        p += len;
    }
}

/* Binds every column with the numbering of REPORT_INSERT / REPORT_SAVE. */
static void bind_report(db_stmt *st, const struct store_report *r)
{
    db_bind_text(st, 2, r->id);
    db_bind_text(st, 3, r->originator);
    db_bind_int64(st, 4, r->filed_by);
    db_bind_text(st, 5, r->scope_id);
    db_bind_text(st, 6, r->sector_id);
    db_bind_text(st, 7, r->ministry_id);
    db_bind_text(st, 8, r->routing_ceptoar);
    db_bind_text(st, 9, r->agency_id);
    db_bind_int(st, 10, r->route);
    db_bind_int(st, 11, r->range);
    db_bind_text(st, 12, r->kind);
    db_bind_text(st, 13, r->state);
    db_bind_int(st, 14, r->severity);
    db_bind_text(st, 15, r->severity_rule);
    db_bind_int(st, 16, r->exceeded);
    if (r->declared >= 0)
        db_bind_int(st, 17, r->declared);
    else
        db_bind_null(st, 17);
    bind_ids(st, 18, &r->chain);
    bind_ids(st, 19, &r->reached);
    bind_ids(st, 20, &r->community);
    db_bind_text(st, 21, r->current_hop);
    db_bind_int64(st, 22, r->hop_arrived_at);
    db_bind_int64(st, 23, r->detected_at);
    db_bind_int64(st, 24, r->created_at);
    db_bind_int64(st, 25, r->updated_at);
    db_bind_int64(st, 26, r->first_due);
    db_bind_int64(st, 27, r->full_due);
    db_bind_int64(st, 28, r->final_due);
    bind_opt_time(st, 29, r->full_at);
    bind_opt_time(st, 30, r->closed_at);
    db_bind_text(st, 31, r->body ? r->body : "{}");
}

static void read_report(db_stmt *st, struct store_report *r)
{
    memset(r, 0, sizeof(*r));
    r->seq = db_column_int64(st, 0);
    store_col_copy(st, 1, r->id, sizeof(r->id));
    store_col_copy(st, 2, r->originator, sizeof(r->originator));
    r->filed_by = db_column_int64(st, 3);
    store_col_copy(st, 4, r->scope_id, sizeof(r->scope_id));
    store_col_copy(st, 5, r->sector_id, sizeof(r->sector_id));
    store_col_copy(st, 6, r->ministry_id, sizeof(r->ministry_id));
    store_col_copy(st, 7, r->routing_ceptoar, sizeof(r->routing_ceptoar));
    store_col_copy(st, 8, r->agency_id, sizeof(r->agency_id));
    r->route = db_column_int(st, 9);
    r->range = db_column_int(st, 10);
    store_col_copy(st, 11, r->kind, sizeof(r->kind));
    store_col_copy(st, 12, r->state, sizeof(r->state));
    r->severity = db_column_int(st, 13);
    store_col_copy(st, 14, r->severity_rule, sizeof(r->severity_rule));
    r->exceeded = db_column_int(st, 15) != 0;
    r->declared =
        db_column_type(st, 16) == DB_NULL ? -1 : db_column_int(st, 16);
    col_ids(st, 17, &r->chain);
    col_ids(st, 18, &r->reached);
    col_ids(st, 19, &r->community);
    store_col_copy(st, 20, r->current_hop, sizeof(r->current_hop));
    r->hop_arrived_at = db_column_int64(st, 21);
    r->detected_at = db_column_int64(st, 22);
    r->created_at = db_column_int64(st, 23);
    r->updated_at = db_column_int64(st, 24);
    r->first_due = db_column_int64(st, 25);
    r->full_due = db_column_int64(st, 26);
    r->final_due = db_column_int64(st, 27);
    r->full_at = db_column_int64(st, 28);
    r->closed_at = db_column_int64(st, 29);
    const unsigned char *b = db_column_text(st, 30);
    r->body = strdup(b ? (const char *)b : "{}");
}

int store_report_insert(struct store_conn *c, struct store_report *r)
{
    db_stmt *st = store_stmt(c, ST_REPORT_INSERT);
    if (!st)
        return IS_ERR_STORE;
    bind_report(st, r);
    int rc = store_step_done(c, st, "report insert");
    if (!rc)
        r->seq = store_last_id(c);
    return rc;
}

/* Row mapper of ST_REPORT_GET: read_report; IS_ERR_NOMEM without a body. */
static int map_report(db_stmt *st, void *ctx)
{
    struct store_report *r = ctx;
    read_report(st, r);
    return r->body ? IS_OK : IS_ERR_NOMEM;
}

int store_report_get(struct store_conn *c, const char *id,
                     struct store_report *out)
{
    return store_get_row(c, ST_REPORT_GET, "report get", map_report, out, "t",
                         id);
}

int store_report_save(struct store_conn *c, const struct store_report *r)
{
    db_stmt *st = store_stmt(c, ST_REPORT_SAVE);
    if (!st)
        return IS_ERR_STORE;
    bind_report(st, r);
    int rc = store_step_done(c, st, "report save");
    if (!rc && store_changes(c) != 1)
        return IS_ERR_NOTFOUND;
    return rc;
}

static int scan_rows(struct store_conn *c, db_stmt *st,
                     int (*fn)(void *ctx, struct store_report *r), void *ctx)
{
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct store_report r;
        read_report(st, &r);
        int stop = r.body ? fn(ctx, &r) : IS_ERR_NOMEM;
        store_report_release(&r);
        if (stop) {
            db_reset(st);
            return stop < 0 ? stop : IS_OK;
        }
    }
    db_reset(st);
    return rc == DB_DONE ? IS_OK : store_fail(c, "reports scan");
}

void store_report_filter_bind(db_stmt *st, const struct store_report_filter *f)
{
    db_bind_int64(st, 1, f->before_seq);
    db_bind_text(st, 2, f->sector);
    db_bind_text(st, 3, f->scope);
    db_bind_text(st, 4, f->kind);
    db_bind_text(st, 5, f->state);
    db_bind_int(st, 6, f->min_severity);
    db_bind_int(st, 7, f->overdue);
    db_bind_int64(st, 8, f->now);
    db_bind_text(st, 9, f->viewer);
    db_bind_int(st, 10, f->viewer_agreed);
    if (f->viewer_ceptoars)
        bind_ids(st, 11, f->viewer_ceptoars);
    else
        db_bind_text(st, 11, "");
    db_bind_int(st, 12, f->all);
    db_bind_int(st, 13, f->has_max ? f->max_severity : -1);
}

/* ---- the names a list shows ----
 * A report list names each row's organisation, scope and routing CEPTOAR.
 * Joining orgs and scopes for every row was about a fifth of a list
 * page's CPU; the registry changes rarely (an import, an edit by an
 * admin), so each connection keeps the names it has read, in an
 * open-addressing table, for as long as registry_version (bumped by the
 * triggers of migration 0032 on every insert, delete or change of an id
 * or a name) is the version the table was filled under. A scan reads the
 * version at its first row, inside the read transaction its statement
 * holds, so the version and every name it reads are of one snapshot. At
 * most NAMES_SLOTS / 2 names are kept; past that, names are read each
 * time. */
#define NAMES_SLOTS 16384u /* a power of two */

struct names_entry {
    char *key; /* "o" or "s", then the id; NULL = free slot */
    char *ja, *en;
};

struct names_cache {
    int64_t version;
    size_t used;
    struct names_entry slot[NAMES_SLOTS];
};

static void names_clear(struct names_cache *nc)
{
    for (size_t i = 0; i < NAMES_SLOTS; i++) {
        free(nc->slot[i].key);
        free(nc->slot[i].ja);
        free(nc->slot[i].en);
    }
    memset(nc->slot, 0, sizeof(nc->slot));
    nc->used = 0;
}

void store_names_cache_free(struct store_conn *c)
{
    if (!c->names)
        return;
    names_clear(c->names);
    free(c->names);
    c->names = NULL;
}

/* Keeps the names only while the registry is at the version read now:
 * false when the version cannot be read (the scan then reads names each
 * time). */
static bool names_check(struct store_conn *c)
{
    int64_t v = 0;
    if (store_get_int64(c, ST_REGISTRY_VERSION, "registry version", &v, ""))
        return false;
    if (!c->names) {
        c->names = calloc(1, sizeof(*c->names));
        if (!c->names)
            return false;
        c->names->version = v;
    }
    if (c->names->version != v) {
        names_clear(c->names);
        c->names->version = v;
    }
    return true;
}

static uint32_t names_hash(const char *k)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 16777619u;
    return h;
}

/* The names of organisation (kind 'o') or scope ('s') id into ja/en (as
 * store_names: the id itself when there is none). */
static void names_get(struct store_conn *c, bool cached, char kind,
                      const char *id, char *ja, size_t jalen, char *en,
                      size_t enlen)
{
    const char *what = kind == 's' ? "scope" : "org";
    char key[72];
    if (!cached || !c->names || util_copy(key + 1, sizeof(key) - 1, id)) {
        store_names(c, what, id, ja, jalen, en, enlen);
        return;
    }
    key[0] = kind;
    struct names_cache *nc = c->names;
    uint32_t i = names_hash(key) & (NAMES_SLOTS - 1);
    for (; nc->slot[i].key; i = (i + 1) & (NAMES_SLOTS - 1)) {
        if (strcmp(nc->slot[i].key, key) == 0) {
            if (util_copy(ja, jalen, nc->slot[i].ja))
                ja[0] = '\0';
            if (util_copy(en, enlen, nc->slot[i].en))
                en[0] = '\0';
            return;
        }
    }
    int rc = store_names(c, what, id, ja, jalen, en, enlen);
    if ((rc != IS_OK && rc != IS_ERR_NOTFOUND) || nc->used >= NAMES_SLOTS / 2)
        return;
    struct names_entry e = {strdup(key), strdup(ja), strdup(en)};
    if (!e.key || !e.ja || !e.en) {
        free(e.key);
        free(e.ja);
        free(e.en);
        return;
    }
    nc->slot[i] = e;
    nc->used++;
}

/* chunks of the reports scan (store_report_rows) */
#define SCAN_CHUNK_FIRST 64
#define SCAN_CHUNK_GROWTH 4
#define SCAN_CHUNK_MAX 4096

int store_reports_open(struct store_conn *c,
                       const struct store_report_filter *f,
                       struct store_report_rows *it)
{
    it->c = c;
    it->st = NULL;
    it->rows = 0;
    it->names = false;
    it->chunk = SCAN_CHUNK_FIRST;
    it->in_chunk = 0;
    it->last_seq = 0;
    db_stmt *st = store_stmt(c, ST_REPORTS_SCAN);
    if (!st)
        return IS_ERR_STORE;
    store_report_filter_bind(st, f);
    db_bind_int64(st, 14, it->chunk);
    it->st = st;
    return IS_OK;
}

/* After a full chunk: the next one, the rows before the last one read
 * (the filter's other bindings stay), SCAN_CHUNK_GROWTH times larger up to
 * SCAN_CHUNK_MAX. A caller that skips many rows (a search in the titles)
 * reaches large chunks soon; one that stops at the first page reads one. */
static int next_chunk(struct store_report_rows *it, db_stmt *st)
{
    db_reset(st);
    if (it->in_chunk < it->chunk || it->last_seq <= 0)
        return DB_DONE;
    it->chunk = it->chunk * SCAN_CHUNK_GROWTH > SCAN_CHUNK_MAX
                    ? SCAN_CHUNK_MAX
                    : it->chunk * SCAN_CHUNK_GROWTH;
    it->in_chunk = 0;
    db_bind_int64(st, 1, it->last_seq);
    db_bind_int64(st, 14, it->chunk);
    return db_step(st);
}

int store_reports_next(struct store_report_rows *it, struct store_report *r)
{
    db_stmt *st = it->st;
    if (!st)
        return IS_ERR_NOTFOUND;
    int rc = db_step(st);
    if (rc == DB_DONE)
        rc = next_chunk(it, st);
    if (rc == DB_ROW) {
        read_report(st, r);
        if (!r->body)
            return IS_ERR_NOMEM;
        it->in_chunk++;
        it->last_seq = r->seq;
        store_col_copy(st, 31, r->title, sizeof(r->title));
        struct store_conn *c = it->c;
        /* the version is read at the first row, while the scan holds its
         * read transaction: the same snapshot as every name it reads */
        if (it->rows++ == 0)
            it->names = names_check(c);
        names_get(c, it->names, 'o', r->originator, r->originator_ja,
                  sizeof(r->originator_ja), r->originator_en,
                  sizeof(r->originator_en));
        if (r->scope_id[0])
            names_get(c, it->names, 's', r->scope_id, r->scope_ja,
                      sizeof(r->scope_ja), r->scope_en, sizeof(r->scope_en));
        if (r->routing_ceptoar[0])
            names_get(c, it->names, 'o', r->routing_ceptoar, r->ceptoar_ja,
                      sizeof(r->ceptoar_ja), r->ceptoar_en,
                      sizeof(r->ceptoar_en));
        return IS_OK;
    }
    db_reset(st);
    it->st = NULL;
    return rc == DB_DONE ? IS_ERR_NOTFOUND : store_fail(it->c, "reports scan");
}

void store_reports_close(struct store_report_rows *it)
{
    if (it->st)
        db_reset(it->st);
    it->st = NULL;
}

int store_reports_waiting(struct store_conn *c, int64_t now,
                          int (*fn)(void *ctx, struct store_report *r),
                          void *ctx)
{
    db_stmt *st = store_stmt(c, ST_REPORTS_WAITING);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int64(st, 1, now);
    db_bind_int(st, 2, DEFAULT_REVIEW_LIMIT_MIN);
    return scan_rows(c, st, fn, ctx);
}

int store_reports_waiting_outage(struct store_conn *c,
                                 int (*fn)(void *ctx, struct store_report *r),
                                 void *ctx)
{
    db_stmt *st = store_stmt(c, ST_REPORTS_WAITING_OUTAGE);
    if (!st)
        return IS_ERR_STORE;
    return scan_rows(c, st, fn, ctx);
}

/* Row mapper of a list of report ids (first column) into a store_rows. */
static int map_report_id(db_stmt *st, void *ctx)
{
    struct store_report_id *id = store_rows_push(ctx);
    if (!id)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, id->id, sizeof(id->id));
    return IS_OK;
}

int store_reports_to_remind(struct store_conn *c, int64_t now,
                            struct store_report_id **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_report_id)};
    int rc =
        store_rows_end(store_each(c, ST_REPORTS_REMIND, "reports to remind",
                                  map_report_id, &r, "I", now),
                       &r, NULL);
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_report_update_add(struct store_conn *c, const char *report_id,
                            int64_t at, int64_t user_id, const char *kind,
                            int range, const char *body, int64_t *id)
{
    int rc = store_exec(c, ST_UPDATE_INSERT, "update insert", "tIItit",
                        report_id, at, user_id, kind, range, body);
    if (!rc && id)
        *id = store_last_id(c);
    return rc;
}

int store_report_update_ordinal(struct store_conn *c, const char *report_id,
                                int64_t id, int64_t *ordinal)
{
    return store_get_int64(c, ST_UPDATE_ORDINAL, "update ordinal", ordinal,
                           "tI", report_id, id);
}

void store_updates_free(struct store_update *u, int n)
{
    for (int i = 0; i < n; i++) {
        free(u[i].kind);
        free(u[i].body);
    }
    free(u);
}

static void updates_free(void *items, size_t n)
{
    store_updates_free(items, (int)n);
}

/* Row mapper of ST_UPDATES_REPORT: id, at, kind, range, body. */
static int map_update(db_stmt *st, void *ctx)
{
    struct store_update *u = store_rows_push(ctx);
    if (!u)
        return IS_ERR_NOMEM;
    u->id = db_column_int64(st, 0);
    u->at = db_column_int64(st, 1);
    u->range = db_column_int(st, 3);
    int rc = store_col_dup(st, 2, &u->kind);
    return rc ? rc : store_col_dup(st, 4, &u->body);
}

int store_updates_list(struct store_conn *c, const char *report_id,
                       struct store_update **out, int *n)
{
    struct store_rows r = {.size = sizeof(struct store_update)};
    int rc = store_rows_end(store_each(c, ST_UPDATES_REPORT, "updates",
                                       map_update, &r, "t", report_id),
                            &r, updates_free);
    *out = r.items;
    *n = (int)r.n;
    return rc;
}

int store_timeline_add(struct store_conn *c, const char *report_id, int64_t at,
                       const char *org_id, int64_t user_id, const char *type,
                       const char *detail)
{
    return store_exec(c, ST_TIMELINE_INSERT, "timeline insert", "tItNtt",
                      report_id, at, org_id, user_id, type,
                      detail ? detail : "{}");
}

void store_timeline_free(struct store_timeline_entry *t, int n)
{
    for (int i = 0; i < n; i++) {
        free(t[i].org);
        free(t[i].type);
        free(t[i].detail);
    }
    free(t);
}

static void timeline_free(void *items, size_t n)
{
    store_timeline_free(items, (int)n);
}

/* Row mapper of ST_TIMELINE_REPORT: at, org_id, user_id (NULL: 0), type,
 * detail. */
static int map_timeline(db_stmt *st, void *ctx)
{
    struct store_timeline_entry *t = store_rows_push(ctx);
    if (!t)
        return IS_ERR_NOMEM;
    t->at = db_column_int64(st, 0);
    t->user_id = db_column_int64(st, 2);
    int rc = store_col_dup(st, 1, &t->org);
    if (!rc)
        rc = store_col_dup(st, 3, &t->type);
    return rc ? rc : store_col_dup(st, 4, &t->detail);
}

int store_timeline_list(struct store_conn *c, const char *report_id,
                        struct store_timeline_entry **out, int *n)
{
    struct store_rows r = {.size = sizeof(struct store_timeline_entry)};
    int rc = store_rows_end(store_each(c, ST_TIMELINE_REPORT, "timeline",
                                       map_timeline, &r, "t", report_id),
                            &r, timeline_free);
    *out = r.items;
    *n = (int)r.n;
    return rc;
}

int store_attachment_add(struct store_conn *c, const char *report_id,
                         int64_t update_id, const char *name, const char *mime,
                         const void *data, size_t len, const char *sha256,
                         int64_t *id)
{
    db_stmt *st = store_stmt(c, ST_ATTACH_INSERT);
    if (!st)
        return IS_ERR_STORE;
    db_bind_text(st, 1, report_id);
    db_bind_int64(st, 2, update_id);
    db_bind_text(st, 3, name);
    db_bind_text(st, 4, mime);
    db_bind_int64(st, 5, (int64_t)len);
    db_bind_text(st, 6, sha256);
    db_bind_blob(st, 7, data, (int)len);
    int rc = store_step_done(c, st, "attachment insert");
    if (!rc && id)
        *id = store_last_id(c);
    return rc;
}

void store_attachments_free(struct store_attachment *a, int n)
{
    for (int i = 0; i < n; i++) {
        free(a[i].name);
        free(a[i].mime);
        free(a[i].sha256);
    }
    free(a);
}

static void attachments_free(void *items, size_t n)
{
    store_attachments_free(items, (int)n);
}

/* Row mapper of ST_ATTACH_LIST: id, name, mime, size, sha256, update_id. */
static int map_attachment(db_stmt *st, void *ctx)
{
    struct store_attachment *at = store_rows_push(ctx);
    if (!at)
        return IS_ERR_NOMEM;
    at->id = db_column_int64(st, 0);
    at->size = db_column_int64(st, 3);
    at->update_id = db_column_int64(st, 5);
    int rc = store_col_dup(st, 1, &at->name);
    if (!rc)
        rc = store_col_dup(st, 2, &at->mime);
    return rc ? rc : store_col_dup(st, 4, &at->sha256);
}

int store_attachments_list(struct store_conn *c, const char *report_id,
                           struct store_attachment **out, int *n)
{
    struct store_rows r = {.size = sizeof(struct store_attachment)};
    int rc = store_rows_end(store_each(c, ST_ATTACH_LIST, "attachments",
                                       map_attachment, &r, "t", report_id),
                            &r, attachments_free);
    *out = r.items;
    *n = (int)r.n;
    return rc;
}

int store_attachment_get(struct store_conn *c, const char *report_id,
                         int64_t id, char **name, char **mime, void **data,
                         size_t *len)
{
    db_stmt *st = store_stmt(c, ST_ATTACH_GET);
    if (!st)
        return IS_ERR_STORE;
    db_bind_text(st, 1, report_id);
    db_bind_int64(st, 2, id);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        return rc == DB_DONE ? IS_ERR_NOTFOUND : store_fail(c, "attachment");
    }
    *name = strdup((const char *)db_column_text(st, 0));
    *mime = strdup((const char *)db_column_text(st, 1));
    *len = (size_t)db_column_bytes(st, 2);
    *data = malloc(*len ? *len : 1);
    if (*data && *len)
        memcpy(*data, db_column_blob(st, 2), *len);
    db_reset(st);
    if (!*name || !*mime || !*data) {
        free(*name);
        free(*mime);
        free(*data);
        return IS_ERR_NOMEM;
    }
    return IS_OK;
}

/* ---- events ---- */

int store_event_insert(struct store_conn *c, const char *id,
                       const char *title_ja, const char *title_en,
                       const char *org, int64_t now)
{
    return store_exec(c, ST_EVENT_INSERT, "event insert", "ttttI", id, title_ja,
                      title_en, org, now);
}

/* Reads an event row (ST_EVENT_GET, ST_EVENTS_ALL): id, title_ja,
 * title_en, created_by, created_at. */
static void read_event(db_stmt *st, struct store_event *ev)
{
    store_col_copy(st, 0, ev->id, sizeof(ev->id));
    store_col_copy(st, 1, ev->title_ja, sizeof(ev->title_ja));
    store_col_copy(st, 2, ev->title_en, sizeof(ev->title_en));
    store_col_copy(st, 3, ev->created_by, sizeof(ev->created_by));
    ev->created_at = db_column_int64(st, 4);
}

static int map_event(db_stmt *st, void *ctx)
{
    memset(ctx, 0, sizeof(struct store_event));
    read_event(st, ctx);
    return IS_OK;
}

static int map_event_listed(db_stmt *st, void *ctx)
{
    struct store_event *ev = store_rows_push(ctx);
    if (!ev)
        return IS_ERR_NOMEM;
    read_event(st, ev);
    return IS_OK;
}

int store_event_get(struct store_conn *c, const char *id,
                    struct store_event *out)
{
    return store_get_row(c, ST_EVENT_GET, "event get", map_event, out, "t", id);
}

int store_event_link(struct store_conn *c, const char *event_id,
                     const char *report_id, const char *org, int64_t now)
{
    return store_exec(c, ST_EVENT_LINK, "event link", "tttI", event_id,
                      report_id, org, now);
}

int store_event_reports(struct store_conn *c, const char *event_id,
                        struct store_report_id **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_report_id)};
    int rc = store_rows_end(store_each(c, ST_EVENT_REPORTS, "event reports",
                                       map_report_id, &r, "t", event_id),
                            &r, NULL);
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_events_list(struct store_conn *c, int limit, struct store_event **out,
                      size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_event)};
    int rc = store_rows_end(store_each(c, ST_EVENTS_ALL, "events",
                                       map_event_listed, &r, "i", limit),
                            &r, NULL);
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_reminder_add(struct store_conn *c, const char *report_id,
                       const char *org_id, const char *kind, int64_t due,
                       int64_t now, bool *created)
{
    int rc = store_exec(c, ST_REMINDER_INSERT, "reminder insert", "tttII",
                        report_id, org_id, kind, due, now);
    *created = !rc && store_changes(c) == 1;
    return rc;
}

void store_report_reminders_free(struct store_report_reminder *r, int n)
{
    for (int i = 0; i < n; i++)
        free(r[i].kind);
    free(r);
}

static void reminders_free(void *items, size_t n)
{
    store_report_reminders_free(items, (int)n);
}

/* Row mapper of ST_REMINDERS_REPORT: kind, due_at, created_at, sent_at
 * (NULL: 0). */
static int map_report_reminder(db_stmt *st, void *ctx)
{
    struct store_report_reminder *m = store_rows_push(ctx);
    if (!m)
        return IS_ERR_NOMEM;
    m->due_at = db_column_int64(st, 1);
    m->created_at = db_column_int64(st, 2);
    m->sent_at = db_column_int64(st, 3);
    return store_col_dup(st, 0, &m->kind);
}

int store_report_reminders(struct store_conn *c, const char *report_id,
                           struct store_report_reminder **out, int *n)
{
    struct store_rows r = {.size = sizeof(struct store_report_reminder)};
    int rc = store_rows_end(store_each(c, ST_REMINDERS_REPORT, "reminders",
                                       map_report_reminder, &r, "t", report_id),
                            &r, reminders_free);
    *out = r.items;
    *n = (int)r.n;
    return rc;
}

int store_names(struct store_conn *c, const char *what, const char *id,
                char *ja, size_t jalen, char *en, size_t enlen)
{
    enum store_stmt which = strcmp(what, "scope") == 0    ? ST_NAMES_SCOPE
                            : strcmp(what, "sector") == 0 ? ST_NAMES_SECTOR
                                                          : ST_NAMES_ORG;
    db_stmt *st = store_stmt(c, which);
    if (!st)
        return IS_ERR_STORE;
    db_bind_text(st, 1, id);
    int rc = db_step(st);
    /* until found, the names are the id itself; an id that does not fit
     * the caller's arrays leaves "" (never a cut-short id) */
    if (ja && util_copy(ja, jalen, id ? id : ""))
        ja[0] = '\0';
    if (en && util_copy(en, enlen, id ? id : ""))
        en[0] = '\0';
    if (rc == DB_ROW && ja && en) {
        store_col_copy(st, 0, ja, jalen);
        store_col_copy(st, 1, en, enlen);
    }
    db_reset(st);
    if (rc == DB_ROW)
        return IS_OK;
    return rc == DB_DONE ? IS_ERR_NOTFOUND : store_fail(c, "names");
}

int store_nisc_id(struct store_conn *c, char *out, size_t outlen)
{
    return store_get_text(c, ST_NISC_ID, "nisc id", out, outlen, "");
}

int store_ceptoar_scope_crowd(struct store_conn *c, const char *ceptoar,
                              const char *scope, int64_t *n)
{
    return store_get_int64(c, ST_CEPTOAR_SCOPE_CROWD, "scope crowd", n, "tt",
                           ceptoar, scope ? scope : "");
}

struct claim_out {
    struct store_reminder *r;
    int *n, max;
};

/* Row mapper of ST_REMINDER_CLAIM: id, report_id, org_id, kind, attempts
 * (rows past max are left out: the statement claims at most max). */
static int map_claimed(db_stmt *st, void *ctx)
{
    struct claim_out *o = ctx;
    if (*o->n >= o->max)
        return IS_OK;
    struct store_reminder *r = &o->r[(*o->n)++];
    memset(r, 0, sizeof(*r));
    r->id = db_column_int64(st, 0);
    store_col_copy(st, 1, r->report_id, sizeof(r->report_id));
    store_col_copy(st, 2, r->org_id, sizeof(r->org_id));
    store_col_copy(st, 3, r->kind, sizeof(r->kind));
    r->attempts = db_column_int(st, 4);
    return IS_OK;
}

int store_reminders_claim(struct store_conn *c, int64_t now, int lease, int max,
                          struct store_reminder *out, int *n)
{
    struct claim_out o = {out, n, max};
    *n = 0;
    return store_each(c, ST_REMINDER_CLAIM, "reminders", map_claimed, &o, "IIi",
                      now, now + lease, max);
}

int store_reminder_sent(struct store_conn *c, int64_t id, int64_t now,
                        const char *channel)
{
    return store_exec(c, ST_REMINDER_SENT, "reminder sent", "IIt", id, now,
                      channel);
}

int store_reminder_retry(struct store_conn *c, int64_t id, int64_t next_at,
                         const char *error)
{
    return store_exec(c, ST_REMINDER_RETRY, "reminder retry", "IIt", id,
                      next_at, error);
}

int store_contact_first(struct store_conn *c, const char *org,
                        int64_t *contact_id)
{
    return store_get_int64(c, ST_CONTACT_FIRST, "contact", contact_id, "t",
                           org);
}
