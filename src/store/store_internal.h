/*
 * store_internal.h - shared by the store source files only.
 */
#ifndef INFRASHARE_STORE_INTERNAL_H
#define INFRASHARE_STORE_INTERNAL_H

#include <stdarg.h>

#include "store/db.h"
#include "store/store.h"

/* Prepared statements, cached per connection, prepared on first use. */
enum store_stmt {
#define ST(name, sql) ST_##name,
#include "store/store_sql.h"
#undef ST
    ST__COUNT
};

struct store_conn {
    struct store *owner;
    sqlite3 *db;              /* SQLite's connection, or NULL */
    struct pg_conn *pg;       /* PostgreSQL's (store/db_pg.h), or NULL */
    db_stmt stmts[ST__COUNT]; /* .lite NULL until first used */
    bool in_tx;
    bool world; /* an exercise's world (STORE_WORLD): its own writer lock */
    struct store_conn *next_free;
    /* the organisation and scope names this connection has read, while
     * registry_version is unchanged (store_reports.c) */
    struct names_cache *names;
};
/* The read-audit journal of c's store (NULL: none) and its identity
 * (store_journal_attach). */
struct store *store_journal_of(const struct store_conn *c);
const char *store_journal_id(const struct store *s);
/* The node this process is (store_set_node; "" when not set). */
const char *store_node(const struct store_conn *c);
/* PostgreSQL: each identity column of the connection's schema past the
 * highest id its table holds (after rows were copied in with their ids). */
struct pg_conn;
int store_pg_identities_past(struct pg_conn *pc);
/* Counts a write this thread begins (store_thread_writes). */
void store_thread_wrote(void);
/* SQLite: the connection every group commit of s runs its batch on
 * (store_group.c), NULL when none: the caller's is used. */
struct store_conn *store_group_conn(struct store *s);
/* Frees c->names (conn_close). */
void store_names_cache_free(struct store_conn *c);

/* Returns the reset statement, or NULL (logged) when preparing failed. */
db_stmt *store_stmt(struct store_conn *c, enum store_stmt id);
/* Logs a database failure, counts it, returns IS_ERR_STORE. */
int store_fail(struct store_conn *c, const char *what);
/* Maps a step/exec result: DONE/ROW -> OK, CONSTRAINT -> CONFLICT. */
int store_step_done(struct store_conn *c, db_stmt *st, const char *what);
/* Writes n rows: as many groups of per rows as fit, each one execution
 * of statement many (a multi-row INSERT whose row k takes parameters
 * k * width + 1 .. (k + 1) * width, bound by bind(st, k * width, i, ctx)
 * for row i), then the rest one row at a time by one(c, i, ctx). */
int store_put_rows(struct store_conn *c, enum store_stmt many, size_t per,
                   size_t width, size_t n,
                   void (*bind)(db_stmt *st, int base, size_t i,
                                const void *ctx),
                   int (*one)(struct store_conn *c, size_t i, const void *ctx),
                   const void *ctx, const char *what);
/* A transaction is open on c (a read one or a write one). */
bool store_tx_open(struct store_conn *c);
/* Rows the last write statement on c changed. */
int64_t store_changes(struct store_conn *c);
/* The id the last INSERT on c gave its row (an INTEGER PRIMARY KEY). */
int64_t store_last_id(struct store_conn *c);
/* Inserts one row whose id counts nothing (docs/rules.md "Ids that count
 * nothing"): fn inserts it with the id it is given, by a statement ending
 * in ON CONFLICT(id) DO NOTHING, and answers IS_ERR_NOTFOUND when it
 * changed no row (the id was taken). The id is the second t times 2^20
 * plus 20 random bits, or, when that is not above floor (the largest id
 * of the row's owner: its rows keep the order they were made in even
 * within one second), floor + 1 + 20 random bits. Either way the
 * difference of two ids tells nothing of how many rows others inserted
 * between them. Up to 16 ids are tried; then IS_ERR_CONFLICT. Any other
 * error of fn is returned as it is. *id (may be NULL) gets the id used. */
typedef int (*store_id_insert_fn)(struct store_conn *c, void *ctx, int64_t id);
int store_insert_fresh_id(struct store_conn *c, int64_t t, int64_t floor,
                          store_id_insert_fn fn, void *ctx, int64_t *id);
/* Copies a text column into out ("" for NULL; nothing when out is NULL or
 * outlen 0). A value that does not fit
 * outlen (a field sized below what validation admits: a bug) is never cut
 * short: out is "", and the error is logged and counted in
 * store_error_count() (infrashare_store_errors_total). */
void store_col_copy(db_stmt *st, int i, char *out, size_t outlen);
/* A malloc'd copy of a text column into *out (NULL when the column is
 * NULL): IS_OK, or IS_ERR_NOMEM when the copy cannot be made. */
int store_col_dup(db_stmt *st, int i, char **out);

/*
 * Statement helpers in the style of Fossil's db_int: one call prepares
 * (from the per-connection cache), binds, steps and maps the result, so a
 * query function is its binding list and its row mapper.
 *
 * Parameters are bound from fmt, one letter per '?' in order:
 *   't' const char *  (NULL binds NULL)     'i' int
 *   'I' int64_t                              'N' int64_t, 0 binds NULL
 *   'b' const unsigned char[32]              'B' the same, NULL binds NULL
 *   'n' nothing read: binds NULL
 * An argument must have exactly the letter's type (int64_t for 'I': cast
 * literals). Text and blobs are bound as they are (db.h): they must live until
 * the call returns. what names the query in the error log.
 */

/* Prepares id and binds fmt's arguments from ap. NULL (logged) when the
 * statement could not be prepared or fmt has not one letter per
 * parameter. */
db_stmt *store_vprep(struct store_conn *c, enum store_stmt id, const char *fmt,
                     va_list ap);

/* Runs a statement that returns no rows the caller needs.
 * IS_OK, IS_ERR_CONFLICT (unique key), IS_ERR_INVALID (other constraint),
 * IS_ERR_STORE. */
int store_exec(struct store_conn *c, enum store_stmt id, const char *what,
               const char *fmt, ...);
/* As store_exec, and IS_ERR_NOTFOUND when it changed no row. */
int store_exec_changed(struct store_conn *c, enum store_stmt id,
                       const char *what, const char *fmt, ...);

/* A row mapper: reads the current row of st into ctx. Returns IS_OK, or an
 * error that stops the walk and is returned by the caller. */
typedef int (*store_row_fn)(db_stmt *st, void *ctx);

/* Maps the first row with fn. IS_ERR_NOTFOUND when there is none. */
int store_get_row(struct store_conn *c, enum store_stmt id, const char *what,
                  store_row_fn fn, void *ctx, const char *fmt, ...);
/* Maps every row with fn, in the statement's order. */
int store_each(struct store_conn *c, enum store_stmt id, const char *what,
               store_row_fn fn, void *ctx, const char *fmt, ...);
/* The first column of the first row as an integer (NULL reads as 0).
 * IS_ERR_NOTFOUND when there is no row. */
int store_get_int64(struct store_conn *c, enum store_stmt id, const char *what,
                    int64_t *out, const char *fmt, ...);
/* The first column of the first row copied into out (as store_col_copy).
 * IS_ERR_NOTFOUND when there is no row. */
int store_get_text(struct store_conn *c, enum store_stmt id, const char *what,
                   char *out, size_t outlen, const char *fmt, ...);

/* A growing array of rows of size bytes each: list mappers append to it
 * (ctx of store_each). items is malloc'd, the caller's to free. */
struct store_rows {
    void *items;
    size_t n, cap, size;
};
/* A zeroed slot at the end of r, or NULL when it cannot grow. */
void *store_rows_push(struct store_rows *r);
/* Releases one item's own memory (not the item itself). */
typedef void (*store_drop_fn)(void *item);
/* Drops each of the n items of size bytes (drop may be NULL) and frees
 * the array. NULL items is fine. */
void store_rows_free(void *items, size_t n, size_t size, store_drop_fn drop);
/* store_each with fn appending to r (r->size set, r empty). On an error
 * the items made so far are dropped and freed and r is left empty. */
int store_list(struct store_conn *c, enum store_stmt id, const char *what,
               store_row_fn fn, struct store_rows *r, store_drop_fn drop,
               const char *fmt, ...);

/* Columns 0..n-1 of the row as strings in one malloc'd block *mem:
 * *dst[i] points at column i's copy (NULL for a NULL column; a NULL
 * dst[i] skips the column). IS_OK, or IS_ERR_NOMEM with *mem NULL. */
int store_col_strs(db_stmt *st, char **const dst[], int n, char **mem);
/* A store_drop_fn for rows whose first member is their one malloc'd
 * block (store_col_strs' mem) or string: frees it. */
void store_drop_first(void *item);
/* Ends a list query that returned rc: on an error releases r's rows with
 * fr (their owned pointers and the array; NULL: the array only) and
 * empties r. Returns rc. */
int store_rows_end(int rc, struct store_rows *r,
                   void (*fr)(void *items, size_t n));

/* Binds ?1..?13 of REPORTS_WHERE_SQL (store_sql.h) from f: the report
 * list's filters and its range pre-filter, shared by every statement that
 * selects or counts readable reports (store_reports.c, store_dashboard.c). */
struct store_report_filter;
void store_report_filter_bind(db_stmt *st, const struct store_report_filter *f);

#endif
