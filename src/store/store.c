/*
 * store.c - the connection pool, migrations, meta, backup and the shared
 * statement helpers. Domain queries are in store_registry.c,
 * store_accounts.c and store_audit.c.
 */
#include "store/store_internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/range.h" /* RANGE_V_*: the SQL pre-filter */
#include "core/route.h" /* ROUTE_AUTO_FORWARD_SEVERITY: REPORTS_WAITING */
#include "core/alert.h" /* ALERT_SEVERE: ALERTS_DUE_*, ALERTS_UNOPENED */
#include "core/mode.h"  /* MODE_HOTLINE_SEVERITY: REPORTS_WAITING_OUTAGE */
#include "common/embed.h"
#include "common/log.h"
#include "common/util.h"
#include "store/db_pg.h"

extern const struct embed_file store_migrations[];
extern const size_t store_migrations_count;
extern const struct embed_file store_migrations_pg[];
extern const size_t store_migrations_pg_count;

static const char *const stmt_sql[ST__COUNT] = {
#define ST(name, sql) sql,
#include "store/store_sql.h"
#undef ST
};

/* PostgreSQL's own text of some statements (NULL: SQLite's, rewritten) */
static const char *const stmt_sql_pg[ST__COUNT] = {
#define STP(name, sql) [ST_##name] = sql,
#include "store/store_sql_pg.h"
#undef STP
};

static atomic_uint_fast64_t store_errors;
/* write transactions committed (store_write_commit_count) */
static atomic_uint_fast64_t store_write_commits;
/* PostgreSQL: a connection was lost and could not be made again (no
 * server, or no primary among the URI's hosts); cleared by the next
 * connection made (store_unavailable) */
static atomic_bool store_down;

/* How long a statement waits for a lock another process holds. */
#define STORE_BUSY_MS 10000

struct store {
    char *path;
    /* Writers of this process queue here rather than in SQLite's busy
     * handler, which sleeps and retries: one writer at a time, woken in
     * turn, no sleeping (other processes still meet the busy timeout). */
    pthread_mutex_t write_lock;
    /* the holder of write_lock is inside its write transaction (set after
     * its BEGIN IMMEDIATE succeeded, cleared before it lets go): the
     * database took a writer just now (store_writable) */
    atomic_bool writing;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char node[64]; /* store_set_node */
    /* store_node_claim: the connection holding the node id's lock, and
     * whether another node holds it now */
    struct pg_conn *node_pg;
    atomic_bool node_in_use;
    /* the pool: conns[0..cap), of which nconn opened (SQLite: all at
     * open; PostgreSQL: the first at open, the rest when first needed,
     * store_acquire); world: STORE_WORLD */
    int nconn, cap;
    bool pg, world;
    struct store_conn *conns;
    struct store_conn *free_list;
    /* the read-audit journal (store_journal_attach; NULL: none) and its
     * identity (journal_meta.id, hex) */
    struct store *journal;
    char journal_id[40];
    /* SQLite: the connection group commits write on (store_group.c), one
     * for the store, so that its page cache survives from one batch to
     * the next; .db NULL when none (PostgreSQL, a pool of one) */
    struct store_conn group_conn;
};

struct store_conn *store_group_conn(struct store *s)
{
    return s && s->group_conn.db ? &s->group_conn : NULL;
}

struct store *store_journal_of(const struct store_conn *c)
{
    return c->owner ? c->owner->journal : NULL;
}

const char *store_journal_id(const struct store *s)
{
    return s->journal_id;
}

void store_set_node(struct store *s, const char *node)
{
    util_xcopy(s->node, sizeof(s->node), node);
}

const char *store_node_of(const struct store *s)
{
    return s->node;
}

const char *store_node(const struct store_conn *c)
{
    return c->owner->node;
}

/* The class of the node-id locks: pg_try_advisory_lock's two-key form,
 * whose keys never meet the writer lock's single key (PG_WRITER_LOCK). */
#define PG_NODE_LOCK "SELECT pg_try_advisory_lock(7305322, hashtext($1))::int"

static int node_lock(struct store *s, char *errbuf, size_t errlen)
{
    const char *v[1] = {s->node};
    int64_t got = 0;
    if (pgc_query_int_params(s->node_pg, PG_NODE_LOCK, 1, v, &got)) {
        snprintf(errbuf, errlen, "cannot take the node id \"%s\": %s", s->node,
                 pgc_errmsg(s->node_pg));
        return IS_ERR_STORE;
    }
    atomic_store(&s->node_in_use, got != 1);
    if (got != 1) {
        snprintf(errbuf, errlen,
                 "node id \"%s\" is in use by another running node of this "
                 "database: give each node its own --node-id",
                 s->node);
        return IS_ERR_CONFLICT;
    }
    return IS_OK;
}

int store_node_claim(struct store *s, char *errbuf, size_t errlen)
{
    if (!pg_is_uri(s->path) || !s->node[0])
        return IS_OK;
    if (!s->node_pg) {
        int rc = pgc_open(s->path, &s->node_pg, errbuf, errlen);
        if (rc)
            return rc;
    }
    return node_lock(s, errbuf, errlen);
}

int store_node_check(struct store *s)
{
    if (!s->node_pg)
        return IS_OK;
    int64_t one = 0;
    bool was = atomic_load(&s->node_in_use);
    if (!was && !pgc_lost(s->node_pg) &&
        !pgc_query_int(s->node_pg, "SELECT 1", &one))
        return IS_OK; /* the session, and with it the lock, goes on */
    if (pgc_lost(s->node_pg) && pgc_reconnect(s->node_pg))
        return IS_ERR_STORE;
    char err[256];
    int rc = node_lock(s, err, sizeof(err));
    if (rc == IS_ERR_CONFLICT && !was)
        log_event(LOG_ERROR, "node id in use", "node", json_string(s->node),
                  "error", json_string(err), NULL);
    else if (rc == IS_OK && was)
        log_event(LOG_INFO, "node id held again", "node", json_string(s->node),
                  NULL);
    return rc;
}

bool store_node_in_use(struct store *s)
{
    return atomic_load(&s->node_in_use);
}

uint64_t store_error_count(void)
{
    return atomic_load(&store_errors);
}

uint64_t store_write_commit_count(void)
{
    return atomic_load(&store_write_commits);
}

/* When an SQLite call last gave up waiting for a lock held by another
 * process (SQLITE_BUSY or SQLITE_LOCKED after STORE_BUSY_MS), in
 * milliseconds of util_mono (0: never): store_writes_stalled */
static _Atomic int64_t sqlite_busy_ms;

/* Notes an SQLite result code rc that gave up waiting for a lock. */
static void note_busy(int rc)
{
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        atomic_store(&sqlite_busy_ms, (int64_t)(util_mono() * 1000));
}

int store_fail(struct store_conn *c, const char *what)
{
    atomic_fetch_add(&store_errors, 1);
    const char *msg = "?";
    if (c && c->pg && pgc_lost(c->pg))
        atomic_store(&store_down, true);
    if (c && c->pg)
        msg = pgc_errmsg(c->pg);
    else if (c && c->db) {
        msg = sqlite3_errmsg(c->db);
        note_busy(sqlite3_extended_errcode(c->db));
    }
    log_event(LOG_ERROR, "store error", "what", json_string(what),
              c && c->pg ? "postgresql" : "sqlite", json_string(msg), NULL);
    return IS_ERR_STORE;
}

db_stmt *store_stmt(struct store_conn *c, enum store_stmt id)
{
    db_stmt *st = &c->stmts[id];
    if (c->pg) {
        const char *sql = stmt_sql_pg[id] ? stmt_sql_pg[id] : stmt_sql[id];
        if (!st->pg && !(st->pg = pgs_new(c->pg, (int)id, sql))) {
            store_fail(c, stmt_sql[id]);
            return NULL;
        }
        db_reset(st);
        db_clear_bindings(st);
        return st;
    }
    if (!st->lite) {
        if (sqlite3_prepare_v3(c->db, stmt_sql[id], -1,
                               SQLITE_PREPARE_PERSISTENT, &st->lite,
                               NULL) != SQLITE_OK) {
            st->lite = NULL;
            store_fail(c, stmt_sql[id]);
            return NULL;
        }
        return st;
    }
    db_reset(st);
    db_clear_bindings(st);
    return st;
}

int store_step_done(struct store_conn *c, db_stmt *st, const char *what)
{
    int rc = db_step(st);
    db_reset(st);
    switch (rc) {
    case DB_DONE:
    case DB_ROW: return IS_OK;
    case DB_UNIQUE: return IS_ERR_CONFLICT;
    case DB_CONSTRAINT: return IS_ERR_INVALID;
    default: return store_fail(c, what);
    }
}

int store_put_rows(struct store_conn *c, enum store_stmt many, size_t per,
                   size_t width, size_t n,
                   void (*bind)(db_stmt *st, int base, size_t i,
                                const void *ctx),
                   int (*one)(struct store_conn *c, size_t i, const void *ctx),
                   const void *ctx, const char *what)
{
    size_t done = 0;
    for (; n - done >= per; done += per) {
        db_stmt *st = store_stmt(c, many);
        if (!st)
            return IS_ERR_STORE;
        for (size_t k = 0; k < per; k++)
            bind(st, (int)(k * width), done + k, ctx);
        int rc = store_step_done(c, st, what);
        db_clear_bindings(st);
        if (rc)
            return rc;
    }
    for (; done < n; done++) {
        int rc = one(c, done, ctx);
        if (rc)
            return rc;
    }
    return IS_OK;
}

bool store_tx_open(struct store_conn *c)
{
    return c->pg ? pgc_in_tx(c->pg) : !sqlite3_get_autocommit(c->db);
}

int64_t store_changes(struct store_conn *c)
{
    return c->pg ? pgc_changes(c->pg) : sqlite3_changes64(c->db);
}

int64_t store_last_id(struct store_conn *c)
{
    return c->pg ? pgc_last_id(c->pg) : sqlite3_last_insert_rowid(c->db);
}

int store_insert_fresh_id(struct store_conn *c, int64_t t, int64_t floor,
                          store_id_insert_fn fn, void *ctx, int64_t *id)
{
    /* ids fit a JavaScript number (< 2^53) until the year 2242 */
    int64_t sec = t > 0 ? t : 1;
    for (int tries = 0; tries < 16; tries++) {
        int64_t v = (sec << 20) | (int64_t)randombytes_uniform(1u << 20);
        if (v <= floor)
            v = floor + 1 + (int64_t)randombytes_uniform(1u << 20);
        int rc = fn(c, ctx, v);
        if (rc != IS_ERR_NOTFOUND) {
            if (!rc && id)
                *id = v;
            return rc;
        }
    }
    return IS_ERR_CONFLICT;
}

void store_col_copy(db_stmt *st, int i, char *out, size_t outlen)
{
    if (!out || !outlen) /* the caller does not want this column */
        return;
    const char *s = (const char *)db_column_text(st, i);
    if (!s)
        s = "";
    if (util_copy(out, outlen, s)) {
        /* loud, not fatal: a daemon that aborts on a stored row would
         * abort again on every restart */
        atomic_fetch_add(&store_errors, 1);
        const char *col = db_column_name(st, i);
        log_event(LOG_ERROR, "store value longer than its field", "column",
                  json_string(col ? col : "?"), "bytes",
                  json_integer((json_int_t)strlen(s)), "max",
                  json_integer((json_int_t)outlen - 1), NULL);
    }
}

int store_col_dup(db_stmt *st, int i, char **out)
{
    const unsigned char *t = db_column_text(st, i);
    *out = t ? strdup((const char *)t) : NULL;
    return t && !*out ? IS_ERR_NOMEM : IS_OK;
}

static void bind_args(db_stmt *st, const char *fmt, va_list ap)
{
    for (int i = 1; fmt && *fmt; fmt++, i++) {
        switch (*fmt) {
        case 't': db_bind_text(st, i, va_arg(ap, const char *)); break;
        case 'i': db_bind_int(st, i, va_arg(ap, int)); break;
        case 'I': db_bind_int64(st, i, va_arg(ap, int64_t)); break;
        case 'N': {
            int64_t v = va_arg(ap, int64_t);
            if (v)
                db_bind_int64(st, i, v);
            else
                db_bind_null_int(st, i);
            break;
        }
        case 'b':
        case 'B':
            db_bind_blob(st, i, va_arg(ap, const unsigned char *), 32);
            break;
        default: /* 'n' */ db_bind_null(st, i); break;
        }
    }
}

db_stmt *store_vprep(struct store_conn *c, enum store_stmt id, const char *fmt,
                     va_list ap)
{
    db_stmt *st = store_stmt(c, id);
    if (!st)
        return NULL;
    /* a binding list that does not match the statement is a bug: refuse
     * it rather than run the statement with parameters shifted */
    if ((size_t)db_bind_parameter_count(st) != strlen(fmt ? fmt : "")) {
        store_fail(c, "binding list does not match the statement");
        return NULL;
    }
    bind_args(st, fmt, ap);
    return st;
}

static int vexec(struct store_conn *c, enum store_stmt id, const char *what,
                 bool need_change, const char *fmt, va_list ap)
{
    db_stmt *st = store_vprep(c, id, fmt, ap);
    if (!st)
        return IS_ERR_STORE;
    int rc = store_step_done(c, st, what);
    if (!rc && need_change && store_changes(c) == 0)
        return IS_ERR_NOTFOUND;
    return rc;
}

int store_exec(struct store_conn *c, enum store_stmt id, const char *what,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vexec(c, id, what, false, fmt, ap);
    va_end(ap);
    return rc;
}

int store_exec_changed(struct store_conn *c, enum store_stmt id,
                       const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vexec(c, id, what, true, fmt, ap);
    va_end(ap);
    return rc;
}

/* Steps st: each row through fn (only the first when !all). Resets st. */
static int walk(struct store_conn *c, db_stmt *st, const char *what, bool all,
                store_row_fn fn, void *ctx)
{
    if (!st)
        return IS_ERR_STORE;
    int rc, n = 0, err = IS_OK;
    while ((rc = db_step(st)) == DB_ROW) {
        n++;
        err = fn(st, ctx);
        if (err || !all)
            break;
    }
    db_reset(st);
    if (err)
        return err;
    if (rc != DB_ROW && rc != DB_DONE)
        return store_fail(c, what);
    return n || all ? IS_OK : IS_ERR_NOTFOUND;
}

int store_get_row(struct store_conn *c, enum store_stmt id, const char *what,
                  store_row_fn fn, void *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    db_stmt *st = store_vprep(c, id, fmt, ap);
    va_end(ap);
    return walk(c, st, what, false, fn, ctx);
}

int store_each(struct store_conn *c, enum store_stmt id, const char *what,
               store_row_fn fn, void *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    db_stmt *st = store_vprep(c, id, fmt, ap);
    va_end(ap);
    return walk(c, st, what, true, fn, ctx);
}

static int map_int64(db_stmt *st, void *ctx)
{
    *(int64_t *)ctx = db_column_int64(st, 0);
    return IS_OK;
}

int store_get_int64(struct store_conn *c, enum store_stmt id, const char *what,
                    int64_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    db_stmt *st = store_vprep(c, id, fmt, ap);
    va_end(ap);
    return walk(c, st, what, false, map_int64, out);
}

struct text_out {
    char *out;
    size_t len;
};

static int map_text(db_stmt *st, void *ctx)
{
    struct text_out *t = ctx;
    store_col_copy(st, 0, t->out, t->len);
    return IS_OK;
}

int store_get_text(struct store_conn *c, enum store_stmt id, const char *what,
                   char *out, size_t outlen, const char *fmt, ...)
{
    struct text_out t = {.out = out, .len = outlen};
    va_list ap;
    va_start(ap, fmt);
    db_stmt *st = store_vprep(c, id, fmt, ap);
    va_end(ap);
    return walk(c, st, what, false, map_text, &t);
}

void *store_rows_push(struct store_rows *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        void *p = realloc(r->items, cap * r->size);
        if (!p)
            return NULL;
        r->items = p;
        r->cap = cap;
    }
    void *slot = (char *)r->items + r->n++ * r->size;
    memset(slot, 0, r->size);
    return slot;
}

void store_rows_free(void *items, size_t n, size_t size, store_drop_fn drop)
{
    for (size_t i = 0; items && drop && i < n; i++)
        drop((char *)items + i * size);
    free(items);
}

int store_list(struct store_conn *c, enum store_stmt id, const char *what,
               store_row_fn fn, struct store_rows *r, store_drop_fn drop,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    db_stmt *st = store_vprep(c, id, fmt, ap);
    va_end(ap);
    int rc = walk(c, st, what, true, fn, r);
    if (rc) {
        store_rows_free(r->items, r->n, r->size, drop);
        r->items = NULL;
        r->n = r->cap = 0;
    }
    return rc;
}

int store_rows_end(int rc, struct store_rows *r,
                   void (*fr)(void *items, size_t n))
{
    if (rc) {
        if (fr)
            fr(r->items, r->n);
        else
            free(r->items);
        r->items = NULL;
        r->n = r->cap = 0;
    }
    return rc;
}

int store_col_strs(db_stmt *st, char **const dst[], int n, char **mem)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        if (dst[i] && db_column_text(st, i))
            len += (size_t)db_column_bytes(st, i) + 1;
    char *p = malloc(len), *block = p;
    if (!p)
        return IS_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        const char *s = dst[i] ? (const char *)db_column_text(st, i) : NULL;
        if (dst[i])
            *dst[i] = s ? p : NULL;
        if (s) {
            size_t k = (size_t)db_column_bytes(st, i);
            memcpy(p, s, k);
            p[k] = '\0';
            p += k + 1;
        }
    }
    *mem = block; /* last: mem may be one of dst */
    return IS_OK;
}

void store_drop_first(void *item)
{
    free(*(char **)item);
}

/* SQL function csv_overlap(a, b): 1 when a comma-separated list a
 * (",x,y,") shares an element with b (",y,z,"). Used by the report
 * pre-filter for "is any of the viewer's CEPTOARs in the community". */
static void csv_overlap_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    IS_UNUSED(argc);
    const char *a = (const char *)sqlite3_value_text(argv[0]);
    const char *b = (const char *)sqlite3_value_text(argv[1]);
    int hit = 0;
    if (a && b) {
        const char *p = a;
        while (*p && !hit) {
            while (*p == ',')
                p++;
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (n > 0 && n < 128) {
                char needle[132];
                snprintf(needle, sizeof(needle), ",%.*s,", (int)n, p);
                hit = strstr(b, needle) != NULL;
            }
            p += n;
        }
    }
    sqlite3_result_int(ctx, hit);
}

static int exec(struct store_conn *c, const char *sql)
{
    if (c->pg) {
        if (pgc_exec(c->pg, sql)) {
            log_event(LOG_ERROR, "store exec failed", "error",
                      json_string(pgc_errmsg(c->pg)), NULL);
            atomic_fetch_add(&store_errors, 1);
            return IS_ERR_STORE;
        }
        return IS_OK;
    }
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        note_busy(rc);
        log_event(LOG_ERROR, "store exec failed", "error",
                  json_string(msg ? msg : "?"), NULL);
        sqlite3_free(msg);
        atomic_fetch_add(&store_errors, 1);
        return IS_ERR_STORE;
    }
    return IS_OK;
}

/* Ends holding the process's writer lock (c's transaction is over). */
static void writer_release(struct store_conn *c)
{
    if (c->owner) {
        atomic_store(&c->owner->writing, false);
        pthread_mutex_unlock(&c->owner->write_lock);
    }
}

/* PostgreSQL: a connection lost outside a transaction is connected again
 * (libpq tries each host of the URI: the primary may be another one now)
 * before a transaction starts on it. */
static int pg_ready(struct store_conn *c)
{
    if (!pgc_lost(c->pg))
        return IS_OK;
    if (pgc_reconnect(c->pg)) {
        atomic_fetch_add(&store_errors, 1);
        atomic_store(&store_down, true);
        return IS_ERR_STORE;
    }
    atomic_store(&store_down, false);
    log_event(LOG_INFO, "store reconnected", NULL);
    return IS_OK;
}

bool store_unavailable(void)
{
    return atomic_load(&store_down);
}

bool store_writes_stalled(void)
{
    int64_t at = atomic_load(&sqlite_busy_ms);
    if (at && (double)((int64_t)(util_mono() * 1000) - at) <=
                  STORE_BUSY_WINDOW_S * 1000.0)
        return true;
    return pgc_lock_timed_out_within(STORE_BUSY_WINDOW_S);
}

/* Write transactions and group-commit jobs this thread has begun
 * (store_thread_writes). */
static _Thread_local uint64_t thread_writes;

void store_thread_wrote(void)
{
    thread_writes++;
}

uint64_t store_thread_writes(void)
{
    return thread_writes + pgc_thread_unboxed();
}

bool store_conn_lost(const struct store_conn *c)
{
    return c && c->pg && pgc_lost(c->pg);
}

int store_run_lock(struct store_conn *c, enum store_run run)
{
    if (!c->pg)
        return IS_OK;
    char sql[80];
    snprintf(sql, sizeof(sql), "SELECT pg_advisory_lock(7305323, %d)",
             (int)run);
    return pg_ready(c) ? IS_ERR_STORE : exec(c, sql);
}

void store_run_unlock(struct store_conn *c, enum store_run run)
{
    if (!c->pg)
        return;
    char sql[80];
    snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(7305323, %d)",
             (int)run);
    exec(c, sql); /* a lost connection let it go already */
}

/* PostgreSQL: starts a transaction with sql (BEGIN ...). A connection
 * found lost there (the server restarted, the primary moved) is made
 * again and the BEGIN sent once more: nothing of the transaction ran, so
 * that retry is always safe. */
static int pg_begin(struct store_conn *c, const char *sql)
{
    for (int attempt = 0;; attempt++) {
        int rc = pg_ready(c);
        if (rc)
            return rc;
        if (!exec(c, sql)) {
            /* a server answered: the database is reachable again */
            atomic_store(&store_down, false);
            return IS_OK;
        }
        if (attempt > 0 || !pgc_lost(c->pg)) {
            if (pgc_lost(c->pg))
                atomic_store(&store_down, true);
            return IS_ERR_STORE;
        }
    }
}

/* The writer lock of every node on one PostgreSQL database: write
 * transactions take it first, so they run one at a time as on SQLite
 * (the audit chain stays one chain; a read-modify-write reads what the
 * last writer committed). Readers never wait for it. */
#define PG_WRITER_LOCK "7305321"
/* An exercise's world (STORE_WORLD, a schema of the hub's database): its
 * writer lock, keyed by the schema, never meets the hub's (an exercise
 * starts inside the hub's write transaction and migrates its world) or
 * another world's, except by a collision of hashtext, which only makes
 * two worlds' writers take turns. */
#define PG_WORLD_LOCK "7305324, hashtext(current_schema())"

/* Starts the write transaction on the engine (BEGIN IMMEDIATE on SQLite;
 * on PostgreSQL BEGIN and the writer lock; try: IS_ERR_CONFLICT rather
 * than wait). */
static int engine_begin(struct store_conn *c, bool try)
{
    if (!c->pg)
        return exec(c, "BEGIN IMMEDIATE");
    /* waiting for the lock: sent with the BEGIN, one round trip */
    if (!try) {
        int rc = pg_begin(
            c, c->world
                   ? "BEGIN; SELECT pg_advisory_xact_lock(" PG_WORLD_LOCK ")"
                   : "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITER_LOCK ")");
        if (rc && !pgc_lost(c->pg) && pgc_in_tx(c->pg))
            exec(c, "ROLLBACK"); /* begun, but the lock failed */
        return rc;
    }
    int rc = pg_begin(c, "BEGIN");
    if (rc)
        return rc;
    int64_t got = 0;
    if (pgc_query_int(
            c->pg,
            c->world
                ? "SELECT pg_try_advisory_xact_lock(" PG_WORLD_LOCK ")::int"
                : "SELECT pg_try_advisory_xact_lock(" PG_WRITER_LOCK ")::int",
            &got))
        rc = IS_ERR_STORE;
    else if (!got)
        rc = IS_ERR_CONFLICT;
    if (rc)
        exec(c, "ROLLBACK");
    return rc;
}

/* The process's writer mutex. On PostgreSQL no longer than the server's
 * lock_timeout, as another node's writer waits for the writer lock: a
 * writer stuck inside (its COMMIT waiting for a synchronous standby that
 * is gone) makes the others fail, and the hub answer 503, rather than
 * hang (store_writes_stalled). On SQLite a writer waits its turn. */
static int writer_mutex_lock(struct store_conn *c)
{
    if (!c->pg) {
        pthread_mutex_lock(&c->owner->write_lock);
        return IS_OK;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += PG_LOCK_TIMEOUT_S;
    if (pthread_mutex_timedlock(&c->owner->write_lock, &until) == 0)
        return IS_OK;
    pgc_lock_timed_out();
    return IS_ERR_STORE;
}

int store_begin(struct store_conn *c)
{
    thread_writes++;
    if (c->owner && writer_mutex_lock(c))
        return IS_ERR_STORE;
    int rc = engine_begin(c, false);
    if (!rc) {
        c->in_tx = true;
        if (c->owner)
            atomic_store(&c->owner->writing, true);
    } else if (c->owner)
        pthread_mutex_unlock(&c->owner->write_lock);
    return rc;
}

bool store_in_tx(const struct store_conn *c)
{
    return c->in_tx;
}

bool store_in_any_tx(struct store_conn *c)
{
    return store_tx_open(c);
}

int store_try_begin(struct store_conn *c)
{
    thread_writes++;
    if (c->owner && pthread_mutex_trylock(&c->owner->write_lock) != 0)
        return IS_ERR_CONFLICT; /* another writer of this process */
    int rc = engine_begin(c, true);
    if (!rc) {
        c->in_tx = true;
        if (c->owner)
            atomic_store(&c->owner->writing, true);
    } else if (c->owner)
        pthread_mutex_unlock(&c->owner->write_lock);
    return rc;
}

int store_commit(struct store_conn *c)
{
    /* PostgreSQL answers COMMIT of a failed transaction with a rollback,
     * not an error: that is a failure here */
    int rc = c->pg && pgc_tx_failed(c->pg) ? store_fail(c, "commit")
                                           : exec(c, "COMMIT");
    if (rc) {
        exec(c, "ROLLBACK");
    }
    if (c->in_tx) {
        if (!rc)
            atomic_fetch_add(&store_write_commits, 1);
        writer_release(c);
    }
    c->in_tx = false;
    return rc;
}

void store_rollback(struct store_conn *c)
{
    if (c->in_tx) {
        exec(c, "ROLLBACK");
        writer_release(c);
    }
    c->in_tx = false;
}

int store_read_begin(struct store_conn *c)
{
    if (c->pg)
        return pg_begin(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    db_stmt *st = store_stmt(c, ST_READ_BEGIN);
    return st ? store_step_done(c, st, "read begin")
              : exec(c, "BEGIN DEFERRED");
}

void store_read_end(struct store_conn *c)
{
    if (!store_tx_open(c))
        return; /* no transaction open */
    if (c->pg) {
        if (pgc_tx_failed(c->pg) || exec(c, "COMMIT"))
            exec(c, "ROLLBACK");
        return;
    }
    db_stmt *st = store_stmt(c, ST_READ_COMMIT);
    if (!st || store_step_done(c, st, "read end"))
        exec(c, "ROLLBACK");
}

int store_ping(struct store_conn *c)
{
    if (c->pg && pg_ready(c))
        return IS_ERR_STORE;
    return exec(c, "SELECT 1");
}

/* Milliseconds from t0 (util_mono) to now, at least 0. */
static int ms_since(double t0)
{
    double ms = (util_mono() - t0) * 1000.0;
    return ms > 0 ? (int)ms : 0;
}

/* Takes s's writer lock within timeout_ms: IS_OK (held), or the answer of
 * store_writable without it (a writer in its transaction proves the
 * database writable; else IS_ERR_CONFLICT). */
static int writer_lock_within(struct store *s, int timeout_ms, bool *held)
{
    *held = false;
    if (pthread_mutex_trylock(&s->write_lock) == 0) {
        *held = true;
        return IS_OK;
    }
    if (atomic_load(&s->writing))
        return IS_OK;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    long ns = until.tv_nsec + (long)timeout_ms * 1000000L;
    until.tv_sec += ns / 1000000000L;
    until.tv_nsec = ns % 1000000000L;
    if (pthread_mutex_timedlock(&s->write_lock, &until) == 0) {
        *held = true;
        return IS_OK;
    }
    return atomic_load(&s->writing) ? IS_OK : IS_ERR_CONFLICT;
}

/* PostgreSQL: the server is a primary (not in recovery) and no COMMIT
 * of this database has waited for its synchronous standby for
 * PG_SYNCREP_STUCK_S or more (the standby is gone: every write waits,
 * holding the writer lock, until it is back or the primary stops waiting
 * for it), and no writer gave up on the writer lock lately
 * (store_writes_stalled): a write would be taken. The writer lock itself
 * is not asked for: a node's writers wait for it in turn, which is not a
 * fault of the database. */
#define PG_SYNCREP_STUCK_S "3"
static int pg_writable(struct store_conn *c)
{
    int rc = pg_ready(c);
    if (rc)
        return rc;
    int64_t ok = 0;
    if (pgc_query_int(c->pg,
                      "SELECT (NOT pg_is_in_recovery() AND NOT EXISTS "
                      "(SELECT 1 FROM pg_stat_activity WHERE datname = "
                      "current_database() AND wait_event = 'SyncRep' AND "
                      "now() - query_start >= interval '" PG_SYNCREP_STUCK_S
                      " seconds'))::int",
                      &ok))
        return IS_ERR_STORE;
    return ok && !store_writes_stalled() ? IS_OK : IS_ERR_STORE;
}

int store_writable(struct store_conn *c, int timeout_ms)
{
    if (timeout_ms < 1 || timeout_ms > 1000 || c->in_tx || store_tx_open(c))
        return IS_ERR_INVALID;
    if (c->pg)
        return pg_writable(c);
    double t0 = util_mono();
    bool held = false;
    if (c->owner) {
        int rc = writer_lock_within(c->owner, timeout_ms, &held);
        if (rc || !held)
            return rc;
    }
    int left = timeout_ms - ms_since(t0);
    sqlite3_busy_timeout(c->db, left > 1 ? left : 1);
    int rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_busy_timeout(c->db, STORE_BUSY_MS);
    int out = IS_OK;
    if (!sqlite3_get_autocommit(c->db)) { /* the ROLLBACK failed: a bug */
        out = store_fail(c, "readiness probe: ROLLBACK");
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    } else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        out = IS_ERR_CONFLICT;
    } else if (rc != SQLITE_OK) {
        out = IS_ERR_STORE;
    }
    if (held)
        pthread_mutex_unlock(&c->owner->write_lock);
    return out;
}

static int migration_number(const char *name)
{
    long v;
    char num[8];
    size_t i = 0;
    while (i < 4 && name[i] >= '0' && name[i] <= '9') {
        num[i] = name[i];
        i++;
    }
    num[i] = '\0';
    return util_parse_long_simple(num, &v) ? -1 : (int)v;
}

int store_schema_version(void)
{
    int max = 0;
    for (size_t i = 0; i < store_migrations_count; i++) {
        int v = migration_number(store_migrations[i].name);
        if (v > max)
            max = v;
    }
    return max;
}

static void conn_close(struct store_conn *c)
{
    store_names_cache_free(c);
    for (int i = 0; i < ST__COUNT; i++) {
        sqlite3_finalize(c->stmts[i].lite);
        pgs_free(c->stmts[i].pg);
    }
    memset(c->stmts, 0, sizeof(c->stmts));
    sqlite3_close(c->db);
    c->db = NULL;
    pgc_close(c->pg);
    c->pg = NULL;
}

static int conn_open(struct store_conn *c, const char *path, int flags,
                     char *errbuf, size_t errlen)
{
    if (pg_is_uri(path)) {
        memset(c, 0, sizeof(*c));
        c->world = (flags & STORE_WORLD) != 0;
        int rc = pgc_open(path, &c->pg, errbuf, errlen);
        int64_t have = 0;
        if (!rc && c->world && !(flags & STORE_CREATE) &&
            (pgc_query_int(c->pg,
                           "SELECT count(*) FROM pg_namespace WHERE nspname = "
                           "current_schema()",
                           &have) ||
             !have)) {
            snprintf(errbuf, errlen, "the exercise's schema is missing");
            pgc_close(c->pg);
            c->pg = NULL;
            rc = IS_ERR_NOTFOUND;
        }
        return rc;
    }
    int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (flags & STORE_CREATE)
        oflags |= SQLITE_OPEN_CREATE;
    memset(c, 0, sizeof(*c));
    if (sqlite3_open_v2(path, &c->db, oflags, NULL) != SQLITE_OK) {
        snprintf(errbuf, errlen, "%s: cannot open database: %s", path,
                 c->db ? sqlite3_errmsg(c->db) : "out of memory");
        conn_close(c);
        return IS_ERR_IO;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_create_function(c->db, "csv_overlap", 2,
                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            csv_overlap_fn, NULL, NULL);
    sqlite3_busy_timeout(c->db, STORE_BUSY_MS);
    /* The first read tells whether this is an SQLite database at all. */
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, "PRAGMA schema_version", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        int code = sqlite3_errcode(c->db);
        snprintf(errbuf, errlen, "%s: %s", path,
                 code == SQLITE_NOTADB
                     ? "is not an SQLite database (refusing to touch it)"
                     : sqlite3_errmsg(c->db));
        conn_close(c);
        return IS_ERR_INVALID;
    }
    if (exec(c, "PRAGMA journal_mode=WAL") ||
        exec(c, "PRAGMA synchronous=FULL") ||
        exec(c, "PRAGMA foreign_keys=ON") ||
        exec(c, "PRAGMA temp_store=MEMORY") ||
        /* the journal holds withheld actors until they are moved: a
         * deleted row leaves no copy in the file's free pages */
        ((flags & STORE_JOURNAL) && exec(c, "PRAGMA secure_delete=ON"))) {
        snprintf(errbuf, errlen, "%s: cannot configure database: %s", path,
                 sqlite3_errmsg(c->db));
        conn_close(c);
        return IS_ERR_STORE;
    }
    return IS_OK;
}

/* PostgreSQL: whether the meta table exists (a database the store has
 * migrated at least once). */
static int pg_have_meta(struct store_conn *c, int *have)
{
    int64_t n = 0;
    if (pgc_query_int(c->pg,
                      "SELECT count(*) FROM pg_catalog.pg_class WHERE "
                      "relnamespace = current_schema()::regnamespace AND "
                      "relname = 'meta' AND relkind IN ('r', 'v', 'f', "
                      "'p')",
                      &n))
        return store_fail(c, "schema check");
    *have = n > 0;
    return IS_OK;
}

static int db_version(struct store_conn *c, int *out)
{
    if (c->pg) {
        int have_meta = 0;
        int rc = pg_have_meta(c, &have_meta);
        if (rc)
            return rc;
        *out = 0;
        if (!have_meta)
            return IS_OK;
        char v[32];
        rc = store_meta_get(c, "schema_version", v, sizeof(v));
        if (rc == IS_ERR_NOTFOUND)
            return IS_OK;
        long n;
        if (rc || util_parse_long_simple(v, &n))
            return rc ? rc : IS_ERR_INVALID;
        *out = (int)n;
        return IS_OK;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        c->db, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'", -1,
        &st, NULL);
    int have_meta = 0;
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        have_meta = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return store_fail(c, "schema check");
    *out = 0;
    if (!have_meta)
        return IS_OK;
    char v[32];
    rc = store_meta_get(c, "schema_version", v, sizeof(v));
    if (rc == IS_ERR_NOTFOUND)
        return IS_OK;
    if (rc)
        return rc;
    long n;
    if (util_parse_long_simple(v, &n))
        return IS_ERR_INVALID;
    *out = (int)n;
    return IS_OK;
}

/* PostgreSQL: whether the database compares and cases text as SQLite
 * does (bytewise order, lower() and upper() of ASCII letters only) and
 * stores UTF-8. The statements carry no COLLATE clause
 * (migrations_pg/0033_baseline.sql), so the database's own locale decides
 * the order of every list, the cursors' comparisons and the searches.
 * Asked by behaviour, not by name, so that any provider (libc, ICU) and
 * any name of the C locale is judged the same. */
static int pg_locale_check(struct store_conn *c, const char *name, char *errbuf,
                           size_t errlen)
{
    char got[256];
    if (pgc_query_text(
            c->pg,
            "SELECT concat_ws('; ', CASE WHEN current_setting("
            "'server_encoding') <> 'UTF8' THEN 'encoding ' || "
            "current_setting('server_encoding') END, CASE WHEN NOT ('B' < "
            "'a' AND 'a' < 'b') THEN 'text sorts by a language''s rules "
            "(''a'' before ''B'')' END, CASE WHEN lower('\xc3\x89') <> "
            "'\xc3\x89' OR upper('\xc3\xa9') <> '\xc3\xa9' THEN "
            "'lower() and upper() change letters beyond ASCII' END) || "
            "' (LC_COLLATE ' || d.datcollate || ', LC_CTYPE ' || d.datctype "
            "|| ')' FROM pg_catalog.pg_database d WHERE d.datname = "
            "current_database()",
            got, sizeof(got))) {
        snprintf(errbuf, errlen, "%s: cannot read the database's locale: %s",
                 name, pgc_errmsg(c->pg));
        return IS_ERR_STORE;
    }
    if (got[0] == ' ') /* nothing wrong: " (LC_COLLATE ...)" */
        return IS_OK;
    snprintf(errbuf, errlen,
             "%s: the database does not compare text bytewise or is not "
             "UTF-8: %s; infrashare needs a database created with the C "
             "locale: createdb -T template0 --locale=C --encoding=UTF8 "
             "(docs/postgresql.md)",
             name, got);
    return IS_ERR_INVALID;
}

/* PostgreSQL: every migration not applied yet, each in a write
 * transaction that reads the version again under the writer lock, so
 * that nodes starting together apply each one once. */
static int migrate_pg(struct store_conn *c, const char *name, char *errbuf,
                      size_t errlen)
{
    int lrc = pg_locale_check(c, name, errbuf, errlen);
    if (lrc)
        return lrc;
    /* a database at this build's version (every open but a hub's first
     * or an upgrade's): one read, not a locked transaction of four round
     * trips per migration (every process's open: each CLI call is one;
     * 6 of the 90 ms of CPU a `user add` cost here). The engines'
     * migrations carry the same numbers (tools/pg_schema_check.py) */
    int now = 0;
    if (db_version(c, &now) == IS_OK && now == store_schema_version())
        return IS_OK;
    for (size_t i = 0; i < store_migrations_pg_count; i++) {
        const struct embed_file *m = &store_migrations_pg[i];
        int v = migration_number(m->name), have = 0;
        if (store_begin(c))
            goto fail;
        if (db_version(c, &have)) {
            store_rollback(c);
            snprintf(errbuf, errlen, "%s: cannot read the schema version",
                     name);
            return IS_ERR_STORE;
        }
        if (have > store_schema_version()) {
            store_rollback(c);
            snprintf(errbuf, errlen,
                     "%s: database schema version %d is newer than this "
                     "build knows (%d); refusing to start - use a newer "
                     "infrashare",
                     name, have, store_schema_version());
            return IS_ERR_INVALID;
        }
        if (v <= have) {
            store_rollback(c);
            continue;
        }
        char ver[16];
        snprintf(ver, sizeof(ver), "%d", v);
        if (exec(c, (const char *)m->data) ||
            store_meta_set(c, "schema_version", ver) || store_commit(c)) {
            store_rollback(c);
            snprintf(errbuf, errlen, "%s: migration %s failed: %s", name,
                     m->name, pgc_errmsg(c->pg));
            return IS_ERR_STORE;
        }
        log_event(LOG_INFO, "migration applied", "name", json_string(m->name),
                  NULL);
        continue;
    fail:
        snprintf(errbuf, errlen, "%s: cannot start a transaction: %s", name,
                 pgc_errmsg(c->pg));
        return IS_ERR_STORE;
    }
    return IS_OK;
}

static int migrate(struct store_conn *c, const char *path, char *errbuf,
                   size_t errlen)
{
    if (c->pg)
        return migrate_pg(c, path, errbuf, errlen);
    int have = 0;
    if (db_version(c, &have)) {
        snprintf(errbuf, errlen, "%s: cannot read the schema version", path);
        return IS_ERR_STORE;
    }
    int max = store_schema_version();
    if (have > max) {
        snprintf(errbuf, errlen,
                 "%s: database schema version %d is newer than this build "
                 "knows (%d); refusing to start - use a newer infrashare",
                 path, have, max);
        return IS_ERR_INVALID;
    }
    for (size_t i = 0; i < store_migrations_count; i++) {
        const struct embed_file *m = &store_migrations[i];
        int v = migration_number(m->name);
        if (v <= have)
            continue;
        char ver[16];
        snprintf(ver, sizeof(ver), "%d", v);
        if (store_begin(c) || exec(c, (const char *)m->data) ||
            store_meta_set(c, "schema_version", ver) || store_commit(c)) {
            store_rollback(c);
            snprintf(errbuf, errlen, "%s: migration %s failed", path, m->name);
            return IS_ERR_STORE;
        }
        log_event(LOG_INFO, "migration applied", "name", json_string(m->name),
                  NULL);
    }
    return IS_OK;
}

/* SQLite keeps no memory statistics (nothing here reads them): each of
 * its allocations would take a process-wide lock for them. Before any
 * connection is opened. */
static pthread_once_t sqlite_config_once = PTHREAD_ONCE_INIT;
/* The read-audit journal's schema (store_journal_attach): made when
 * missing, with the journal's identity. */
static int journal_schema(struct store_conn *c, const char *name, char *errbuf,
                          size_t errlen)
{
    if (exec(c, "CREATE TABLE IF NOT EXISTS journal_meta("
                "k TEXT PRIMARY KEY, v TEXT NOT NULL);"
                "CREATE TABLE IF NOT EXISTS audit_journal("
                "id INTEGER PRIMARY KEY AUTOINCREMENT, "
                "at INTEGER NOT NULL, actor_user INTEGER NOT NULL, "
                "actor_org TEXT, action TEXT NOT NULL, "
                "target TEXT NOT NULL, detail TEXT NOT NULL, "
                "withhold INTEGER NOT NULL);"
                "INSERT OR IGNORE INTO journal_meta(k, v) "
                "VALUES ('id', lower(hex(randomblob(16))))")) {
        snprintf(errbuf, errlen, "%s: cannot make the audit journal: %s", name,
                 sqlite3_errmsg(c->db));
        return IS_ERR_STORE;
    }
    return IS_OK;
}

int store_journal_attach(struct store *s, bool create, char *errbuf,
                         size_t errlen)
{
    if (s->pg || s->world || s->journal)
        return IS_OK;
    char path[4096];
    if (util_fmt(path, sizeof(path), "%s" STORE_JOURNAL_SUFFIX, s->path)) {
        snprintf(errbuf, errlen, "the database's path is too long");
        return IS_ERR_INVALID;
    }
    struct stat sb;
    if (!create && stat(path, &sb) != 0)
        return IS_OK;
    struct store *j = NULL;
    int rc = store_open(path, STORE_CREATE | STORE_JOURNAL, s->cap, &j, errbuf,
                        errlen);
    if (rc)
        return rc;
    struct store_conn *jc = store_acquire(j);
    rc = store_get_text(jc, ST_JOURNAL_ID, "audit journal id", s->journal_id,
                        sizeof(s->journal_id), "");
    store_put(j, jc);
    if (rc || strlen(s->journal_id) != 32) {
        snprintf(errbuf, errlen, "%s: the audit journal has no identity", path);
        store_close(j);
        return rc ? rc : IS_ERR_STORE;
    }
    s->journal = j;
    /* what a stopped or crashed run left goes into the chain now */
    struct store_conn *c = store_acquire(s);
    rc = store_audit_settle(c, NULL);
    store_put(s, c);
    if (rc) {
        snprintf(errbuf, errlen,
                 "cannot move the audit journal's entries into the audit log");
        s->journal = NULL;
        store_close(j);
    }
    return rc;
}

static void sqlite_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, int flags, int nconn, struct store **out,
               char *errbuf, size_t errlen)
{
    pthread_once(&sqlite_config_once, sqlite_config);
    struct stat sb;
    bool pg = pg_is_uri(path);
    /* the name errors give: a PostgreSQL URI without its password */
    char name[512];
    if (pg)
        pg_uri_redact(path, name, sizeof(name));
    else
        util_xsnprintf(name, sizeof(name), "%.500s", path);
    if (!pg && !(flags & STORE_CREATE) && stat(path, &sb) != 0) {
        snprintf(errbuf, errlen,
                 "%s: no database here (run 'infrashare init' first)", path);
        return IS_ERR_NOTFOUND;
    }
    if (nconn < 1)
        nconn = 1;
    struct store *s = calloc(1, sizeof(*s));
    if (!s)
        return IS_ERR_NOMEM;
    s->path = strdup(path);
    s->conns = calloc((size_t)nconn, sizeof(*s->conns));
    if (!s->path || !s->conns) {
        free(s->path);
        free(s->conns);
        free(s);
        return IS_ERR_NOMEM;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->write_lock, NULL);
    atomic_init(&s->writing, false);
    pthread_cond_init(&s->cond, NULL);
    int rc = conn_open(&s->conns[0], path, flags, errbuf, errlen);
    if (!rc)
        rc = (flags & STORE_JOURNAL)
                 ? journal_schema(&s->conns[0], name, errbuf, errlen)
                 : migrate(&s->conns[0], name, errbuf, errlen);
    s->nconn = rc ? 0 : 1;
    s->cap = nconn;
    s->pg = pg;
    s->world = (flags & STORE_WORLD) != 0;
    /* PostgreSQL: the rest of the pool when first needed (store_acquire):
     * a backend costs the server memory and its connection budget, and a
     * node, or an exercise's world on a node, seldom uses all of them */
    for (int i = s->nconn; !rc && !pg && i < nconn; i++) {
        rc = conn_open(&s->conns[i], path, flags & STORE_JOURNAL, errbuf,
                       errlen);
        if (!rc)
            s->nconn = i + 1;
    }
    if (!rc && !pg && nconn > 1) {
        rc = conn_open(&s->group_conn, path, flags & STORE_JOURNAL, errbuf,
                       errlen);
        s->group_conn.owner = s;
    }
    if (rc) {
        if (s->nconn == 0 && (s->conns[0].db || s->conns[0].pg))
            conn_close(&s->conns[0]);
        store_close(s);
        return rc;
    }
    for (int i = 0; i < s->nconn; i++) {
        s->conns[i].owner = s;
        s->conns[i].next_free = s->free_list;
        s->free_list = &s->conns[i];
    }
    *out = s;
    return IS_OK;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    store_close(s->journal);
    for (int i = 0; i < s->nconn; i++)
        conn_close(&s->conns[i]);
    if (s->group_conn.db)
        conn_close(&s->group_conn);
    if (s->node_pg)
        pgc_close(s->node_pg);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->write_lock);
    pthread_cond_destroy(&s->cond);
    free(s->conns);
    free(s->path);
    free(s);
}

/* PostgreSQL: opens the pool's next connection for store_acquire (called
 * and returning with s->lock held, released meanwhile), or NULL when the
 * pool is whole or out of memory. A connection the server does not take
 * now is lost (pgc_open_lazy): its first use connects again or fails as
 * with the server gone (503), never waits here. */
static struct store_conn *pool_grow(struct store *s)
{
    if (!s->pg || s->nconn >= s->cap)
        return NULL;
    struct store_conn *c = &s->conns[s->nconn++]; /* reserved */
    pthread_mutex_unlock(&s->lock);
    struct pg_conn *pc = NULL;
    int rc = pgc_open_lazy(s->path, &pc);
    pthread_mutex_lock(&s->lock);
    if (rc) {
        /* out of memory: the slot stays reserved and empty; the pool
         * serves with the connections it has */
        log_event(LOG_ERROR, "store connection not opened", NULL);
        return NULL;
    }
    memset(c, 0, sizeof(*c));
    c->pg = pc;
    c->world = s->world;
    c->owner = s;
    return c;
}

struct store_conn *store_acquire(struct store *s)
{
    pthread_mutex_lock(&s->lock);
    struct store_conn *c = NULL;
    while (!s->free_list && !(c = pool_grow(s)))
        pthread_cond_wait(&s->cond, &s->lock);
    if (!c) {
        c = s->free_list;
        s->free_list = c->next_free;
    }
    pthread_mutex_unlock(&s->lock);
    return c;
}

void store_put(struct store *s, struct store_conn *c)
{
    if (c->in_tx)
        store_rollback(c);
    pthread_mutex_lock(&s->lock);
    c->next_free = s->free_list;
    s->free_list = c;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

bool store_is_postgresql(const char *db)
{
    return pg_is_uri(db);
}

bool store_db_has_password(const char *db)
{
    return pg_uri_has_password(db);
}

void store_redact(const char *db, char *out, size_t outlen)
{
    if (pg_is_uri(db))
        pg_uri_redact(db, out, outlen);
    else if (outlen)
        util_xsnprintf(out, outlen, "%.*s", (int)(outlen - 1), db);
}

int store_backup(struct store *s, const char *dest, char *errbuf, size_t errlen)
{
    if (pg_is_uri(s->path)) {
        snprintf(errbuf, errlen,
                 "a PostgreSQL store is backed up with PostgreSQL's own "
                 "tools (pg_basebackup, pg_dump): docs/postgresql.md");
        return IS_ERR_INVALID;
    }
    struct stat sb;
    if (stat(dest, &sb) == 0) {
        snprintf(errbuf, errlen, "%s: exists already; not overwriting", dest);
        return IS_ERR_CONFLICT;
    }
    sqlite3 *to = NULL;
    if (sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        snprintf(errbuf, errlen, "%s: %s", dest,
                 to ? sqlite3_errmsg(to) : "cannot open");
        sqlite3_close(to);
        return IS_ERR_IO;
    }
    struct store_conn *c = store_acquire(s);
    sqlite3_backup *b = sqlite3_backup_init(to, "main", c->db, "main");
    int rc = IS_OK;
    if (!b) {
        snprintf(errbuf, errlen, "%s: %s", dest, sqlite3_errmsg(to));
        rc = IS_ERR_STORE;
    } else {
        int step;
        /* copy in chunks so writers are not held off for long */
        while ((step = sqlite3_backup_step(b, 256)) == SQLITE_OK ||
               step == SQLITE_BUSY || step == SQLITE_LOCKED)
            if (step != SQLITE_OK)
                sqlite3_sleep(20);
        sqlite3_backup_finish(b);
        if (step != SQLITE_DONE) {
            snprintf(errbuf, errlen, "%s: backup failed: %s", dest,
                     sqlite3_errstr(step));
            rc = IS_ERR_STORE;
        }
    }
    store_put(s, c);
    sqlite3_close(to);
    if (rc)
        unlink(dest);
    return rc;
}

int store_meta_get(struct store_conn *c, const char *key, char *out,
                   size_t outlen)
{
    return store_get_text(c, ST_META_GET, "meta get", out, outlen, "t", key);
}

int store_meta_has(struct store_conn *c, const char *key, bool *has)
{
    int64_t n = 0;
    int rc = store_get_int64(c, ST_META_HAS, "meta has", &n, "t", key);
    *has = !rc && n > 0;
    return rc;
}

int store_meta_set(struct store_conn *c, const char *key, const char *value)
{
    return store_exec(c, ST_META_SET, "meta set", "tt", key, value);
}
