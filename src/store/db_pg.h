/*
 * db_pg.h - a PostgreSQL connection of the store, through libpq (store/
 * only; store.c opens it, db.h's calls run its statements).
 *
 * Statements are the store's texts rewritten by pg_sql.h, prepared on the
 * server at their first run (named s<id>), parameters sent as text (blobs
 * as binary) with the types of their first binding, results read as text.
 */
#ifndef INFRASHARE_STORE_DB_PG_H
#define INFRASHARE_STORE_DB_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pg_conn;
struct pg_stmt;

/* Whether path names a PostgreSQL database (a postgresql:// or
 * postgres:// URI, libpq's form, several hosts allowed). */
bool pg_is_uri(const char *path);

/* uri as it may be shown (an error, a log line): the password of its
 * user part and any password= parameter replaced by ***; cut to outlen. */
void pg_uri_redact(const char *uri, char *out, size_t outlen);

/* Whether uri carries a non-empty password (user:password@ or a
 * password= parameter), as libpq reads it. */
bool pg_uri_has_password(const char *uri);

/* Connects: IS_OK, or an error with errbuf saying why (the password, if
 * the URI has one, is never written there). */
int pgc_open(const char *uri, struct pg_conn **out, char *errbuf,
             size_t errlen);
/* A connection of a pool, opened when first needed: connected, or, when
 * the server does not take it now, lost (pgc_lost: the first use connects
 * again, as after a failover, or fails as with the server gone). IS_OK, or
 * IS_ERR_NOMEM. */
int pgc_open_lazy(const char *uri, struct pg_conn **out);
void pgc_close(struct pg_conn *pc);
/* Runs sql (one or more statements, no parameters): IS_OK or
 * IS_ERR_STORE (the message in pgc_errmsg). */
int pgc_exec(struct pg_conn *pc, const char *sql);
/* The first column of the first row of sql as an integer: IS_OK, or
 * IS_ERR_STORE (no row, or the query failed). */
int pgc_query_int(struct pg_conn *pc, const char *sql, int64_t *out);
/* The first column of sql's first row as text into out (IS_ERR_STORE
 * when there is no row or the value does not fit outlen; "" for NULL). */
int pgc_query_text(struct pg_conn *pc, const char *sql, char *out,
                   size_t outlen);
/* The first column of the first row of sql, with n text parameters
 * vals, as an integer: as pgc_query_int. */
int pgc_query_int_params(struct pg_conn *pc, const char *sql, int n,
                         const char *const *vals, int64_t *out);
/* Runs sql with n parameters (vals[i] NULL: NULL; fmts[i] 1: binary,
 * lens[i] its size), types taken from where each stands: IS_OK, or
 * IS_ERR_STORE (the message in pgc_errmsg). */
int pgc_exec_params(struct pg_conn *pc, const char *sql, int n,
                    const char *const *vals, const int *lens, const int *fmts);
/* Many rows of one statement sent in libpq's pipeline mode, answered
 * every PGC_BATCH_ROWS rows (one round trip per batch instead of per row;
 * migrate-store's copy). pgc_batch_begin prepares sql (n parameters) and
 * enters pipeline mode; pgc_batch_add sends one row (parameters as in
 * pgc_exec_params; they may be reused when it returns); pgc_batch_end
 * reads the last answers and leaves pipeline mode. Each returns IS_OK or
 * IS_ERR_STORE (the message in pgc_errmsg); a failed row fails the
 * transaction, and pgc_batch_end sets *failed_row to its number from 1
 * (0: none failed). After an error, call pgc_batch_end and roll back. */
#define PGC_BATCH_ROWS 256
int pgc_batch_begin(struct pg_conn *pc, const char *sql, int n);
int pgc_batch_add(struct pg_conn *pc, int n, const char *const *vals,
                  const int *lens, const int *fmts);
int pgc_batch_end(struct pg_conn *pc, int64_t *failed_row);
/* The open transaction has failed (only ROLLBACK is taken now). */
bool pgc_tx_failed(const struct pg_conn *pc);
/* The last error's message ("" when none). */
const char *pgc_errmsg(const struct pg_conn *pc);
/* A transaction is open (or failed and not yet ended). */
bool pgc_in_tx(const struct pg_conn *pc);
/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t pgc_changes(const struct pg_conn *pc);
/* The id the last INSERT gave its row, when its table has an identity
 * column (0 before any). */
int64_t pgc_last_id(const struct pg_conn *pc);
/* The connection was lost (the server went away): every statement fails
 * until pgc_reconnect succeeds. */
bool pgc_lost(const struct pg_conn *pc);
/* Did a statement of any connection of the process end on lock_timeout
 * (SQLSTATE 55P03: the writer lock not had within it) in the last secs
 * seconds? */
bool pgc_lock_timed_out_within(double secs);
/* Records a lock timeout the caller saw itself (the process's own writer
 * mutex not had within PG_LOCK_TIMEOUT_S). */
void pgc_lock_timed_out(void);
/* The session's lock_timeout (session_setup), seconds. */
#define PG_LOCK_TIMEOUT_S 10
#define PG_LOCK_TIMEOUT_TEXT "10s" /* the same, as the setting's text */
/* Connects again (another host of the URI, say): IS_OK or IS_ERR_STORE. */
int pgc_reconnect(struct pg_conn *pc);
/* How many statements other than SELECT (and BEGIN) the calling thread
 * has sent outside a transaction, on any connection: each commits on its
 * own, so any of them may have written. */
uint64_t pgc_thread_unboxed(void);

/* The statement id of the store's cache, with its SQLite text: NULL when
 * it cannot be rewritten (logged by the caller) or out of memory. */
struct pg_stmt *pgs_new(struct pg_conn *pc, int id, const char *sql);
void pgs_free(struct pg_stmt *p);
/* The statement's PostgreSQL text. */
const char *pgs_sql(const struct pg_stmt *p);

#endif
