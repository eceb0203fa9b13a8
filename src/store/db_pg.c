/*
 * db_pg.c - the store's statements on PostgreSQL, through libpq
 * (db_pg.h; db.h calls pgs_* when a statement has a .pg part).
 *
 * A statement keeps SQLite's contract as the store uses it: bindings stay
 * until changed, a step runs the statement the first time and then walks
 * its rows, a reset ends the run. The whole result is read at the first
 * step (the store's queries are bounded: pages, batches).
 *
 * An INSERT into a table with an identity column gets RETURNING of that
 * column, unless it returns something itself: that is how the id of the
 * row just added (SQLite's last_insert_rowid) is known without a second
 * round trip, and, as SQLite's, it is not changed by an INSERT that added
 * nothing.
 */
#include "store/db_pg.h"

#include <ctype.h>
#include <stdatomic.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "common/util.h"
#include "store/db.h"
#include "store/pg_sql.h"

/* type oids (pg_type.h, stable across versions) */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25
#define OID_FLOAT8 701

/* Statements this thread sent outside a transaction (pgc_thread_unboxed):
 * each is committed on its own, so it may have written. */
static _Thread_local uint64_t thread_unboxed;

uint64_t pgc_thread_unboxed(void)
{
    return thread_unboxed;
}

/* sql may write if run outside a transaction: anything but a SELECT (the
 * store's SELECTs call no function that writes) or the BEGIN of one */
static bool may_write(const char *sql)
{
    while (isspace((unsigned char)*sql))
        sql++;
    return strncasecmp(sql, "SELECT", 6) != 0 &&
           strncasecmp(sql, "BEGIN", 5) != 0;
}

struct pg_conn {
    PGconn *conn;
    char *uri;
    unsigned gen; /* bumped at each connect: prepared statements go */
    int64_t changes, last_id;
    bool lost;
    char err[512];
    /* tables with an identity column, and that column */
    bool idents_loaded;
    size_t n_idents;
    char **ident_table, **ident_col;
    /* column names NOT NULL in every table (loaded with the identities):
     * pg_sql_translate_nn leaves their ORDER BY terms without a NULLS
     * clause, so that an index gives the order */
    size_t n_notnull;
    char **notnull;
    /* pgc_batch_*: rows sent and not yet answered, rows answered, and the
     * first row that failed (0: none) */
    int batch_pending;
    int64_t batch_done, batch_failed;
};

struct pg_stmt {
    struct pg_conn *pc;
    char name[16];
    char *sql;
    int n; /* parameters */
    unsigned gen;
    bool id_return; /* RETURNING of the identity added by us */
    bool write;     /* INSERT, UPDATE or DELETE */
    bool control;   /* SAVEPOINT, RELEASE, ROLLBACK TO...: not preparable */
    const char **vals;
    int *lens, *fmts;
    Oid *types;
    char **owned;
    char (*num)[32];
    PGresult *res;
    int row, nrows;
    bool ran;
    void **blobs;
    size_t *blob_len;
    int nblobs;
};

bool pg_is_uri(const char *path)
{
    return path && (strncmp(path, "postgresql://", 13) == 0 ||
                    strncmp(path, "postgres://", 11) == 0);
}

void pg_uri_redact(const char *uri, char *out, size_t outlen)
{
    if (!outlen)
        return;
    size_t o = 0;
    const char *p = uri;
    const char *scheme = strstr(uri, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    bool user_pw = at && colon && colon < at && (!slash || at < slash);
    while (*p && o + 1 < outlen) {
        if (user_pw && p == colon) {
            /* user:password@ -> user:***@ */
            const char *mask = ":***";
            for (size_t k = 0; mask[k] && o + 1 < outlen; k++)
                out[o++] = mask[k];
            p = at;
            continue;
        }
        if ((p == uri || p[-1] == '?' || p[-1] == '&') &&
            strncasecmp(p, "password=", 9) == 0) {
            const char *mask = "password=***";
            for (size_t k = 0; mask[k] && o + 1 < outlen; k++)
                out[o++] = mask[k];
            while (*p && *p != '&')
                p++;
            continue;
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
}

bool pg_uri_has_password(const char *uri)
{
    if (!pg_is_uri(uri))
        return false;
    PQconninfoOption *opts = PQconninfoParse(uri, NULL);
    bool has = false;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val && o->val[0]) {
            has = true;
            /* no copy of the password outlives the question */
            memset(o->val, 0, strlen(o->val));
        }
    PQconninfoFree(opts);
    return has;
}

static void set_err(struct pg_conn *pc, const char *msg)
{
    /* a message longer than the field is cut: it is only logged */
    size_t n = msg ? strlen(msg) : 0;
    if (n >= sizeof(pc->err))
        n = sizeof(pc->err) - 1;
    if (n)
        memcpy(pc->err, msg, n);
    pc->err[n] = '\0';
    while (n && (pc->err[n - 1] == '\n' || pc->err[n - 1] == ' '))
        pc->err[--n] = '\0';
}

/* The error of result r (NULL: the connection's) as it may be logged: the
 * SQLSTATE and the primary message only. The server's DETAIL would quote
 * the row's values (the key of a conflict, say), which a log line must
 * not carry (a withheld reporter's organisation, among others). */
/* util_mono() * 1000 of the last lock timeout (55P03) of any connection
 * of the process (0: none): pgc_lock_timed_out_within */
static _Atomic int64_t lock_timeout_ms;

bool pgc_lock_timed_out_within(double secs)
{
    int64_t at = atomic_load(&lock_timeout_ms);
    return at && (double)((int64_t)(util_mono() * 1000) - at) <= secs * 1000;
}

void pgc_lock_timed_out(void)
{
    atomic_store(&lock_timeout_ms, (int64_t)(util_mono() * 1000));
}

static void set_result_err(struct pg_conn *pc, const PGresult *r)
{
    const char *primary =
        r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state && strcmp(state, "55P03") == 0)
        pgc_lock_timed_out();
    if (!primary) {
        set_err(pc, PQerrorMessage(pc->conn));
        return;
    }
    char msg[sizeof(pc->err)];
    snprintf(msg, sizeof(msg), "%s: %.400s", state ? state : "?", primary);
    set_err(pc, msg);
}

static void idents_free(struct pg_conn *pc)
{
    for (size_t i = 0; i < pc->n_idents; i++) {
        free(pc->ident_table[i]);
        free(pc->ident_col[i]);
    }
    free(pc->ident_table);
    free(pc->ident_col);
    pc->ident_table = pc->ident_col = NULL;
    pc->n_idents = 0;
    for (size_t i = 0; i < pc->n_notnull; i++)
        free(pc->notnull[i]);
    free(pc->notnull);
    pc->notnull = NULL;
    pc->n_notnull = 0;
    pc->idents_loaded = false;
}

/* The session's settings, at every connect. */
static int session_setup(struct pg_conn *pc)
{
    /* times are integers and text is compared bytewise: no setting of
     * the server's changes a result; these make messages and waits
     * predictable. jit is off: the hub's statements are short, and a plan
     * whose estimate crosses jit_above_cost (a scan of a large table)
     * spent more on compiling than on running (620 ms of a 2 s pass at
     * 1,000,000 reports) */
    return pgc_exec(pc, "SET client_encoding = 'UTF8'; "
                        "SET standard_conforming_strings = on; "
                        "SET lock_timeout = '" PG_LOCK_TIMEOUT_TEXT "'; "
                        "SET jit = off");
}

/* "cannot connect to PostgreSQL: why" in errbuf, without libpq's
 * trailing newline (libpq's message names hosts and ports, never the
 * password). */
static void connect_error(char *errbuf, size_t errlen, const char *why)
{
    snprintf(errbuf, errlen, "cannot connect to PostgreSQL: %s", why);
    size_t n = strlen(errbuf);
    while (n && (errbuf[n - 1] == '\n' || errbuf[n - 1] == ' '))
        errbuf[--n] = '\0';
}

/* A pg_conn for the connected conn (taken over, finished on failure),
 * its session set up. */
static int adopt(const char *uri, PGconn *conn, struct pg_conn **out,
                 char *errbuf, size_t errlen)
{
    *out = NULL;
    struct pg_conn *pc = calloc(1, sizeof(*pc));
    if (!pc || !(pc->uri = strdup(uri))) {
        free(pc);
        PQfinish(conn);
        connect_error(errbuf, errlen, "out of memory");
        return IS_ERR_NOMEM;
    }
    pc->conn = conn;
    pc->gen = 1;
    if (session_setup(pc)) {
        snprintf(errbuf, errlen, "PostgreSQL session setup failed: %s",
                 pc->err);
        pgc_close(pc);
        return IS_ERR_STORE;
    }
    *out = pc;
    return IS_OK;
}

int pgc_open(const char *uri, struct pg_conn **out, char *errbuf, size_t errlen)
{
    *out = NULL;
    PGconn *conn = PQconnectdb(uri);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        connect_error(errbuf, errlen,
                      conn ? PQerrorMessage(conn) : "out of memory");
        PQfinish(conn);
        return IS_ERR_IO;
    }
    return adopt(uri, conn, out, errbuf, errlen);
}

int pgc_open_lazy(const char *uri, struct pg_conn **out)
{
    *out = NULL;
    PGconn *conn = PQconnectdb(uri);
    if (!conn)
        return IS_ERR_NOMEM;
    if (PQstatus(conn) == CONNECTION_OK) {
        char err[600];
        if (adopt(uri, conn, out, err, sizeof(err)) == IS_OK)
            return IS_OK;
        conn = PQconnectdb(uri); /* its setup failed: kept as lost */
        if (!conn)
            return IS_ERR_NOMEM;
    }
    struct pg_conn *pc = calloc(1, sizeof(*pc));
    if (!pc || !(pc->uri = strdup(uri))) {
        free(pc);
        PQfinish(conn);
        return IS_ERR_NOMEM;
    }
    pc->conn = conn;
    pc->gen = 1;
    set_err(pc, PQerrorMessage(conn));
    pc->lost = true;
    *out = pc;
    return IS_OK;
}

void pgc_close(struct pg_conn *pc)
{
    if (!pc)
        return;
    if (pc->conn)
        PQfinish(pc->conn);
    idents_free(pc);
    free(pc->uri);
    free(pc);
}

int pgc_reconnect(struct pg_conn *pc)
{
    PQreset(pc->conn);
    if (PQstatus(pc->conn) != CONNECTION_OK) {
        set_err(pc, PQerrorMessage(pc->conn));
        pc->lost = true;
        return IS_ERR_STORE;
    }
    pc->gen++;
    pc->lost = false;
    return session_setup(pc);
}

static void check_lost(struct pg_conn *pc)
{
    if (PQstatus(pc->conn) == CONNECTION_BAD)
        pc->lost = true;
}

int pgc_exec(struct pg_conn *pc, const char *sql)
{
    if (!pgc_in_tx(pc) && may_write(sql))
        thread_unboxed++;
    PGresult *r = PQexec(pc->conn, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = IS_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        set_result_err(pc, r);
        check_lost(pc);
        rc = IS_ERR_STORE;
    }
    PQclear(r);
    /* the schema may have changed: identity columns are read again */
    if (!strncasecmp(sql, "CREATE", 6) || !strncasecmp(sql, "ALTER", 5) ||
        !strncasecmp(sql, "DROP", 4) || strlen(sql) > 200)
        idents_free(pc);
    return rc;
}

int pgc_query_int(struct pg_conn *pc, const char *sql, int64_t *out)
{
    return pgc_query_int_params(pc, sql, 0, NULL, out);
}

int pgc_query_text(struct pg_conn *pc, const char *sql, char *out,
                   size_t outlen)
{
    if (outlen)
        out[0] = '\0';
    PGresult *r = PQexec(pc->conn, sql);
    int rc = IS_ERR_STORE;
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
        PQnfields(r) > 0) {
        const char *v = PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0);
        if (strlen(v) < outlen) {
            util_xcopy(out, outlen, v);
            rc = IS_OK;
        } else
            set_err(pc, "value too long");
    } else {
        set_result_err(pc, r);
        check_lost(pc);
    }
    PQclear(r);
    return rc;
}

int pgc_query_int_params(struct pg_conn *pc, const char *sql, int n,
                         const char *const *vals, int64_t *out)
{
    *out = 0;
    PGresult *r = n ? PQexecParams(pc->conn, sql, n, NULL, vals, NULL, NULL, 0)
                    : PQexec(pc->conn, sql);
    int rc = IS_ERR_STORE;
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
        PQnfields(r) > 0) {
        *out =
            PQgetisnull(r, 0, 0) ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        rc = IS_OK;
    } else {
        set_result_err(pc, r);
        check_lost(pc);
    }
    PQclear(r);
    return rc;
}

int pgc_exec_params(struct pg_conn *pc, const char *sql, int n,
                    const char *const *vals, const int *lens, const int *fmts)
{
    if (!pgc_in_tx(pc) && may_write(sql))
        thread_unboxed++;
    PGresult *r = PQexecParams(pc->conn, sql, n, NULL, vals, lens, fmts, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = IS_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        set_result_err(pc, r);
        check_lost(pc);
        rc = IS_ERR_STORE;
    }
    PQclear(r);
    return rc;
}

/* Reads the answers to the rows sent since the last sync: IS_OK, or
 * IS_ERR_STORE with the first failed row in batch_failed. A failed row
 * aborts the rest of the pipeline (PGRES_PIPELINE_ABORTED) and its
 * transaction. */
static int batch_sync(struct pg_conn *pc)
{
    PGconn *c = pc->conn;
    int pending = pc->batch_pending;
    pc->batch_pending = 0;
    if (!PQpipelineSync(c)) {
        set_err(pc, PQerrorMessage(c));
        check_lost(pc);
        return IS_ERR_STORE;
    }
    /* each row's result is followed by a NULL; the sync's result ends
     * the batch; a broken connection ends it too (bounded: at most a few
     * NULLs more than rows) */
    int answered = 0, nulls = 0;
    bool synced = false;
    while (nulls <= pending + 8) {
        PGresult *r = PQgetResult(c);
        if (!r) {
            nulls++;
            if (PQstatus(c) == CONNECTION_BAD)
                break;
            continue;
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            synced = true;
            break;
        }
        answered++;
        if (st == PGRES_FATAL_ERROR && !pc->batch_failed) {
            set_result_err(pc, r);
            pc->batch_failed = pc->batch_done + answered;
        }
        PQclear(r);
    }
    pc->batch_done += answered;
    if (!synced) {
        set_err(pc, PQerrorMessage(c));
        pc->lost = true;
        return IS_ERR_STORE;
    }
    return pc->batch_failed ? IS_ERR_STORE : IS_OK;
}

int pgc_batch_begin(struct pg_conn *pc, const char *sql, int n)
{
    pc->batch_pending = 0;
    pc->batch_done = pc->batch_failed = 0;
    PGresult *r = PQprepare(pc->conn, "pgc_batch", sql, n, NULL);
    int rc = r && PQresultStatus(r) == PGRES_COMMAND_OK ? IS_OK : IS_ERR_STORE;
    if (rc) {
        set_result_err(pc, r);
        check_lost(pc);
    }
    PQclear(r);
    if (!rc && !PQenterPipelineMode(pc->conn)) {
        set_err(pc, PQerrorMessage(pc->conn));
        rc = IS_ERR_STORE;
    }
    return rc;
}

int pgc_batch_add(struct pg_conn *pc, int n, const char *const *vals,
                  const int *lens, const int *fmts)
{
    if (!PQsendQueryPrepared(pc->conn, "pgc_batch", n, vals, lens, fmts, 0)) {
        set_err(pc, PQerrorMessage(pc->conn));
        check_lost(pc);
        return IS_ERR_STORE;
    }
    if (++pc->batch_pending >= PGC_BATCH_ROWS)
        return batch_sync(pc);
    return IS_OK;
}

int pgc_batch_end(struct pg_conn *pc, int64_t *failed_row)
{
    int rc = pc->batch_pending ? batch_sync(pc) : IS_OK;
    if (!PQexitPipelineMode(pc->conn) && !rc) {
        set_err(pc, PQerrorMessage(pc->conn));
        rc = IS_ERR_STORE;
    }
    if (failed_row)
        *failed_row = pc->batch_failed;
    if (!rc) {
        PGresult *r = PQexec(pc->conn, "DEALLOCATE pgc_batch");
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
            set_result_err(pc, r);
            rc = IS_ERR_STORE;
        }
        PQclear(r);
    }
    return rc;
}

bool pgc_tx_failed(const struct pg_conn *pc)
{
    return PQtransactionStatus(pc->conn) == PQTRANS_INERROR;
}

const char *pgc_errmsg(const struct pg_conn *pc)
{
    return pc->err;
}

bool pgc_in_tx(const struct pg_conn *pc)
{
    PGTransactionStatusType t = PQtransactionStatus(pc->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

int64_t pgc_changes(const struct pg_conn *pc)
{
    return pc->changes;
}

int64_t pgc_last_id(const struct pg_conn *pc)
{
    return pc->last_id;
}

bool pgc_lost(const struct pg_conn *pc)
{
    return pc->lost;
}

static int idents_load(struct pg_conn *pc)
{
    if (pc->idents_loaded)
        return IS_OK;
    /* the catalogue itself, not information_schema's views of it: the
     * same rows (compared on a migrated database) in less than half the
     * time, and every connection of every process reads them */
    PGresult *r = PQexec(
        pc->conn, "SELECT c.relname, a.attname FROM pg_catalog.pg_attribute "
                  "a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE "
                  "c.relnamespace = current_schema()::regnamespace AND "
                  "c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT "
                  "a.attisdropped AND a.attidentity <> ''");
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        set_result_err(pc, r);
        check_lost(pc);
        PQclear(r);
        return IS_ERR_STORE;
    }
    int n = PQntuples(r);
    pc->ident_table = calloc((size_t)n + 1, sizeof(char *));
    pc->ident_col = calloc((size_t)n + 1, sizeof(char *));
    if (!pc->ident_table || !pc->ident_col) {
        PQclear(r);
        idents_free(pc);
        return IS_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++) {
        pc->ident_table[i] = strdup(PQgetvalue(r, i, 0));
        pc->ident_col[i] = strdup(PQgetvalue(r, i, 1));
        pc->n_idents = (size_t)i + 1;
        if (!pc->ident_table[i] || !pc->ident_col[i]) {
            PQclear(r);
            idents_free(pc);
            return IS_ERR_NOMEM;
        }
    }
    PQclear(r);
    r = PQexec(pc->conn,
               "SELECT a.attname FROM pg_catalog.pg_attribute a JOIN "
               "pg_catalog.pg_class c ON c.oid = a.attrelid WHERE "
               "c.relnamespace = current_schema()::regnamespace AND "
               "c.relkind IN ('r', 'v', 'f', 'p') AND a.attnum > 0 AND NOT "
               "a.attisdropped GROUP BY a.attname HAVING "
               "bool_and(a.attnotnull)");
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        set_result_err(pc, r);
        check_lost(pc);
        PQclear(r);
        idents_free(pc);
        return IS_ERR_STORE;
    }
    n = PQntuples(r);
    pc->notnull = calloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; pc->notnull && i < n; i++) {
        pc->notnull[i] = strdup(PQgetvalue(r, i, 0));
        if (!pc->notnull[i])
            break;
        pc->n_notnull = (size_t)i + 1;
    }
    PQclear(r);
    if (!pc->notnull || pc->n_notnull != (size_t)n) {
        idents_free(pc);
        return IS_ERR_NOMEM;
    }
    pc->idents_loaded = true;
    return IS_OK;
}

static bool notnull_has(void *ctx, const char *name, size_t n)
{
    const struct pg_conn *pc = ctx;
    for (size_t i = 0; i < pc->n_notnull; i++)
        if (strlen(pc->notnull[i]) == n &&
            strncasecmp(pc->notnull[i], name, n) == 0)
            return true;
    return false;
}

/* The identity column of the table sql inserts into, when it has one and
 * sql returns nothing itself; NULL otherwise. */
static const char *insert_identity(struct pg_conn *pc, const char *sql)
{
    while (isspace((unsigned char)*sql))
        sql++;
    if (strncasecmp(sql, "INSERT", 6) != 0 || !isspace((unsigned char)sql[6]))
        return NULL;
    const char *p = sql + 6;
    while (isspace((unsigned char)*p))
        p++;
    if (strncasecmp(p, "INTO", 4) != 0 || !isspace((unsigned char)p[4]))
        return NULL;
    p += 4;
    while (isspace((unsigned char)*p))
        p++;
    const char *t = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    size_t tn = (size_t)(p - t);
    if (!tn || strcasestr(sql, "RETURNING"))
        return NULL;
    if (idents_load(pc))
        return NULL;
    for (size_t i = 0; i < pc->n_idents; i++)
        if (strlen(pc->ident_table[i]) == tn &&
            strncasecmp(pc->ident_table[i], t, tn) == 0)
            return pc->ident_col[i];
    return NULL;
}

struct pg_stmt *pgs_new(struct pg_conn *pc, int id, const char *sql)
{
    struct pg_stmt *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->pc = pc;
    snprintf(p->name, sizeof(p->name), "s%d", id);
    bool used[64];
    /* the schema's NOT NULL names; unknown (not loaded): every ORDER BY
     * term keeps its NULLS clause */
    struct pg_notnull nn = {.has = notnull_has, .ctx = pc};
    bool known = !pgc_in_tx(pc) || !pgc_tx_failed(pc);
    known = known && idents_load(pc) == IS_OK;
    char *t = pg_sql_translate_nn(sql, &p->n, used, known ? &nn : NULL);
    if (t && p->n > 64) { /* the store's statements have at most 40 */
        free(t);
        t = NULL;
    }
    if (!t) {
        free(p);
        return NULL;
    }
    const char *verb = t;
    while (isspace((unsigned char)*verb))
        verb++;
    p->write = !strncasecmp(verb, "INSERT", 6) ||
               !strncasecmp(verb, "UPDATE", 6) ||
               !strncasecmp(verb, "DELETE", 6);
    p->control =
        !strncasecmp(verb, "SAVEPOINT", 9) ||
        !strncasecmp(verb, "RELEASE", 7) || !strncasecmp(verb, "ROLLBACK", 8) ||
        !strncasecmp(verb, "BEGIN", 5) || !strncasecmp(verb, "COMMIT", 6);
    const char *col = insert_identity(pc, t);
    if (col) {
        size_t n = strlen(t) + strlen(col) + 16;
        char *w = malloc(n);
        if (!w) {
            free(t);
            free(p);
            return NULL;
        }
        snprintf(w, n, "%s RETURNING %s", t, col);
        free(t);
        t = w;
        p->id_return = true;
    }
    p->sql = t;
    size_t n = p->n > 0 ? (size_t)p->n : 1;
    p->vals = calloc(n, sizeof(*p->vals));
    p->lens = calloc(n, sizeof(*p->lens));
    p->fmts = calloc(n, sizeof(*p->fmts));
    p->types = calloc(n, sizeof(*p->types));
    p->owned = calloc(n, sizeof(*p->owned));
    p->num = calloc(n, sizeof(*p->num));
    if (!p->vals || !p->lens || !p->fmts || !p->types || !p->owned || !p->num) {
        pgs_free(p);
        return NULL;
    }
    /* a parameter the text does not name still needs a type */
    for (int i = 0; i < p->n; i++)
        if (!used[i])
            p->types[i] = OID_TEXT;
    p->row = -1;
    return p;
}

static void blobs_free(struct pg_stmt *p)
{
    for (int i = 0; i < p->nblobs; i++) {
        if (p->blobs[i])
            PQfreemem(p->blobs[i]);
        p->blobs[i] = NULL;
        p->blob_len[i] = 0;
    }
}

void pgs_free(struct pg_stmt *p)
{
    if (!p)
        return;
    pgs_reset(p);
    for (int i = 0; i < p->n; i++)
        free(p->owned ? p->owned[i] : NULL);
    free(p->blobs);
    free(p->blob_len);
    free(p->vals);
    free(p->lens);
    free(p->fmts);
    free(p->types);
    free(p->owned);
    free(p->num);
    free(p->sql);
    free(p);
}

const char *pgs_sql(const struct pg_stmt *p)
{
    return p->sql;
}

void pgs_reset(struct pg_stmt *p)
{
    blobs_free(p);
    PQclear(p->res);
    p->res = NULL;
    p->ran = false;
    p->row = -1;
    p->nrows = 0;
}

/* Parameter i (1-based) made ready for a new value: its own copy freed. */
static int param(struct pg_stmt *p, int i)
{
    if (i < 1 || i > p->n)
        return -1;
    i--;
    free(p->owned[i]);
    p->owned[i] = NULL;
    p->vals[i] = NULL;
    p->lens[i] = 0;
    p->fmts[i] = 0;
    return i;
}

void pgs_clear_bindings(struct pg_stmt *p)
{
    for (int i = 1; i <= p->n; i++)
        param(p, i);
}

int pgs_bind_parameter_count(struct pg_stmt *p)
{
    return p->n;
}

void pgs_bind_int64(struct pg_stmt *p, int i, int64_t v)
{
    int k = param(p, i);
    if (k < 0)
        return;
    snprintf(p->num[k], sizeof(p->num[k]), "%lld", (long long)v);
    p->vals[k] = p->num[k];
    if (!p->types[k])
        p->types[k] = OID_INT8;
}

void pgs_bind_double(struct pg_stmt *p, int i, double v)
{
    int k = param(p, i);
    if (k < 0)
        return;
    snprintf(p->num[k], sizeof(p->num[k]), "%.17g", v);
    p->vals[k] = p->num[k];
    if (!p->types[k])
        p->types[k] = OID_FLOAT8;
}

void pgs_bind_null(struct pg_stmt *p, int i)
{
    param(p, i);
}

void pgs_bind_null_int(struct pg_stmt *p, int i)
{
    int k = param(p, i);
    if (k >= 0 && !p->types[k])
        p->types[k] = OID_INT8;
}

void pgs_bind_text(struct pg_stmt *p, int i, const char *v, size_t n, int copy)
{
    int k = param(p, i);
    if (k >= 0 && !p->types[k])
        p->types[k] = OID_TEXT; /* a NULL text is a text too */
    if (k < 0 || !v)
        return;
    if (copy || v[n] != '\0') {
        p->owned[k] = malloc(n + 1);
        if (!p->owned[k])
            return; /* binds NULL: the step fails on a NOT NULL column */
        memcpy(p->owned[k], v, n);
        p->owned[k][n] = '\0';
        v = p->owned[k];
    }
    p->vals[k] = v;
    if (!p->types[k])
        p->types[k] = OID_TEXT;
}

void pgs_bind_blob(struct pg_stmt *p, int i, const void *v, size_t n)
{
    int k = param(p, i);
    if (k >= 0 && !p->types[k])
        p->types[k] = OID_BYTEA;
    if (k < 0 || !v)
        return;
    p->vals[k] = v;
    p->lens[k] = (int)n;
    p->fmts[k] = 1;
    if (!p->types[k])
        p->types[k] = OID_BYTEA;
}

/* What a failed result means for the store. */
static int classify(struct pg_conn *pc, PGresult *r)
{
    set_result_err(pc, r);
    check_lost(pc);
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!state)
        return DB_ERROR;
    if (!strcmp(state, "23505"))
        return DB_UNIQUE;
    if (!strncmp(state, "23", 2))
        return DB_CONSTRAINT;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
        !strcmp(state, "55P03"))
        return DB_BUSY;
    /* a standby answers writes with read_only_sql_transaction; an
     * administrator's shutdown or a crash of the server: another host
     * may be the primary now */
    if (!strcmp(state, "25006") || !strncmp(state, "57P", 3) ||
        !strncmp(state, "08", 2))
        pc->lost = true;
    return DB_ERROR;
}

/* SAVEPOINT st, the statement and RELEASE SAVEPOINT st sent together in
 * libpq's pipeline mode: one round trip instead of three for every write
 * inside a transaction. res[0..2] get the three commands' results (NULL:
 * none came, the connection failed); a command after a failed one comes
 * back PGRES_PIPELINE_ABORTED, and the transaction is then in error until
 * the caller rolls back to the savepoint. */
static void exec_savepointed(struct pg_stmt *p, PGresult *res[3])
{
    PGconn *c = p->pc->conn;
    res[0] = res[1] = res[2] = NULL;
    if (!PQenterPipelineMode(c))
        return;
    bool sent =
        PQsendQueryParams(c, "SAVEPOINT st", 0, NULL, NULL, NULL, NULL, 0) &&
        PQsendQueryPrepared(c, p->name, p->n, p->vals, p->lens, p->fmts, 0) &&
        PQsendQueryParams(c, "RELEASE SAVEPOINT st", 0, NULL, NULL, NULL, NULL,
                          0) &&
        PQpipelineSync(c);
    /* each command's results end with a NULL; the sync's result ends the
     * pipeline. A broken connection ends it too: at most a few NULLs more
     * than commands are read */
    for (int i = 0, nulls = 0; sent && nulls < 8;) {
        PGresult *r = PQgetResult(c);
        if (!r) {
            nulls++;
            i++;
            if (PQstatus(c) == CONNECTION_BAD)
                break;
            continue;
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (i < 3 && !res[i])
            res[i] = r;
        else
            PQclear(r);
    }
    if (!PQexitPipelineMode(c) || PQstatus(c) == CONNECTION_BAD) {
        /* results are left unread: this connection is not used again */
        set_err(p->pc, PQerrorMessage(c));
        p->pc->lost = true;
    }
}

static int run(struct pg_stmt *p)
{
    struct pg_conn *pc = p->pc;
    if (pc->lost)
        return DB_ERROR;
    if (!pgc_in_tx(pc) && may_write(p->sql))
        thread_unboxed++;
    if (p->control) { /* the server prepares no transaction control */
        if (p->n > 0)
            return DB_ERROR;
        PGresult *r = PQexec(pc->conn, p->sql);
        int rc = r && PQresultStatus(r) == PGRES_COMMAND_OK ? DB_DONE
                                                            : classify(pc, r);
        PQclear(r);
        p->ran = true;
        p->nrows = 0;
        return rc == DB_DONE ? DB_ROW : rc;
    }
    if (p->gen != pc->gen) {
        /* a parameter first bound NULL with no type may be one nothing
         * around it types (x IS NULL): the server refuses that, which
         * would end an open transaction; a savepoint keeps it, and the
         * parameter is taken as text, as most are */
        bool untyped = false;
        for (int i = 0; i < p->n; i++)
            untyped = untyped || !p->types[i];
        bool sp = untyped && pgc_in_tx(pc) && !pgc_exec(pc, "SAVEPOINT prep");
        PGresult *r = PQprepare(pc->conn, p->name, p->sql, p->n, p->types);
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        if (state && !strcmp(state, "42P18") &&
            (!sp || !pgc_exec(pc, "ROLLBACK TO SAVEPOINT prep"))) {
            PQclear(r);
            for (int i = 0; i < p->n; i++)
                if (!p->types[i])
                    p->types[i] = OID_TEXT;
            r = PQprepare(pc->conn, p->name, p->sql, p->n, p->types);
        }
        if (sp && r && PQresultStatus(r) == PGRES_COMMAND_OK)
            pgc_exec(pc, "RELEASE SAVEPOINT prep");
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
            int rc = classify(pc, r);
            PQclear(r);
            return rc;
        }
        PQclear(r);
        p->gen = pc->gen;
    }
    /* SQLite undoes a failed statement and its transaction goes on (the
     * store handles a conflict and keeps writing); PostgreSQL would end
     * the transaction: a write inside one runs under a savepoint */
    bool sp = p->write && pgc_in_tx(pc);
    PGresult *spr[3] = {NULL, NULL, NULL};
    if (sp) {
        exec_savepointed(p, spr);
        if (!spr[0] || PQresultStatus(spr[0]) != PGRES_COMMAND_OK) {
            int rc = pc->lost && !spr[0] ? DB_ERROR : classify(pc, spr[0]);
            for (int i = 0; i < 3; i++)
                PQclear(spr[i]);
            return rc;
        }
        PQclear(spr[0]);
        p->res = spr[1];
    } else {
        p->res = PQexecPrepared(pc->conn, p->name, p->n, p->vals, p->lens,
                                p->fmts, 0);
    }
    ExecStatusType st = p->res ? PQresultStatus(p->res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        int rc = pc->lost && !p->res ? DB_ERROR : classify(pc, p->res);
        PQclear(p->res);
        PQclear(spr[2]);
        p->res = NULL;
        if (sp && !pc->lost) {
            char keep[sizeof(pc->err)];
            memcpy(keep, pc->err, sizeof(keep));
            pgc_exec(pc, "ROLLBACK TO SAVEPOINT st; RELEASE SAVEPOINT st");
            memcpy(pc->err, keep, sizeof(keep)); /* the statement's error */
        }
        return rc;
    }
    if (sp && (!spr[2] || PQresultStatus(spr[2]) != PGRES_COMMAND_OK)) {
        int rc = pc->lost && !spr[2] ? DB_ERROR : classify(pc, spr[2]);
        PQclear(spr[2]);
        PQclear(p->res);
        p->res = NULL;
        return rc == DB_DONE ? DB_ERROR : rc;
    }
    PQclear(spr[2]);
    p->ran = true;
    const char *cmd = PQcmdStatus(p->res);
    if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) ||
        !strncmp(cmd, "DELETE", 6)) {
        long long n = 0;
        const char *t = PQcmdTuples(p->res);
        if (t && *t)
            n = strtoll(t, NULL, 10);
        pc->changes = n;
    }
    p->nrows = st == PGRES_TUPLES_OK ? PQntuples(p->res) : 0;
    if (p->id_return) {
        if (p->nrows > 0)
            pc->last_id =
                strtoll(PQgetvalue(p->res, p->nrows - 1, 0), NULL, 10);
        p->nrows = 0; /* the caller's statement returns no rows */
    }
    int nc = PQnfields(p->res);
    if (nc > p->nblobs) {
        void **b = realloc(p->blobs, (size_t)nc * sizeof(*b));
        if (b)
            p->blobs = b;
        size_t *l = b ? realloc(p->blob_len, (size_t)nc * sizeof(*l)) : NULL;
        if (l)
            p->blob_len = l;
        if (!b || !l) {
            PQclear(p->res);
            p->res = NULL;
            set_err(pc, "out of memory");
            return DB_ERROR;
        }
        for (int i = p->nblobs; i < nc; i++) {
            p->blobs[i] = NULL;
            p->blob_len[i] = 0;
        }
        p->nblobs = nc;
    }
    return DB_ROW;
}

int pgs_step(struct pg_stmt *p)
{
    if (!p->ran) {
        int rc = run(p);
        if (rc != DB_ROW)
            return rc;
    }
    blobs_free(p);
    if (p->row + 1 < p->nrows) {
        p->row++;
        return DB_ROW;
    }
    p->row = p->nrows;
    return DB_DONE;
}

/* The current row's value of column i, or NULL (NULL value, no row). */
static const char *value(struct pg_stmt *p, int i)
{
    if (!p->res || p->row < 0 || p->row >= p->nrows || i < 0 ||
        i >= PQnfields(p->res) || PQgetisnull(p->res, p->row, i))
        return NULL;
    return PQgetvalue(p->res, p->row, i);
}

int pgs_column_count(struct pg_stmt *p)
{
    return p->res ? PQnfields(p->res) : 0;
}

int pgs_column_null(struct pg_stmt *p, int i)
{
    return value(p, i) == NULL;
}

int64_t pgs_column_int64(struct pg_stmt *p, int i)
{
    const char *v = value(p, i);
    if (!v)
        return 0;
    if (PQftype(p->res, i) == OID_BOOL)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

double pgs_column_double(struct pg_stmt *p, int i)
{
    const char *v = value(p, i);
    if (!v)
        return 0.0;
    if (PQftype(p->res, i) == OID_BOOL)
        return v[0] == 't';
    return strtod(v, NULL);
}

const unsigned char *pgs_column_text(struct pg_stmt *p, int i)
{
    const char *v = value(p, i);
    if (v && PQftype(p->res, i) == OID_BOOL)
        return (const unsigned char *)(v[0] == 't' ? "1" : "0");
    return (const unsigned char *)v;
}

const void *pgs_column_blob(struct pg_stmt *p, int i)
{
    const char *v = value(p, i);
    if (!v)
        return NULL;
    if (PQftype(p->res, i) != OID_BYTEA)
        return v;
    if (!p->blobs[i]) {
        size_t n = 0;
        p->blobs[i] = PQunescapeBytea((const unsigned char *)v, &n);
        p->blob_len[i] = n;
    }
    return p->blobs[i];
}

int pgs_column_bytes(struct pg_stmt *p, int i)
{
    const char *v = value(p, i);
    if (!v)
        return 0;
    if (PQftype(p->res, i) == OID_BYTEA) {
        pgs_column_blob(p, i);
        return (int)p->blob_len[i];
    }
    if (PQftype(p->res, i) == OID_BOOL)
        return 1;
    return PQgetlength(p->res, p->row, i);
}

const char *pgs_column_name(struct pg_stmt *p, int i)
{
    return p->res && i >= 0 && i < PQnfields(p->res) ? PQfname(p->res, i)
                                                     : NULL;
}
