/*
 * store_internal.h - shared by the store source files only.
 */
#ifndef INFRASHARE_STORE_INTERNAL_H
#define INFRASHARE_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

/* Prepared statements, cached per connection, prepared on first use. */
enum store_stmt {
#define ST(name, sql) ST_##name,
#include "store_sql.h"
#undef ST
    ST__COUNT
};

struct store_conn {
    struct store *owner;
    sqlite3 *db;
    sqlite3_stmt *stmts[ST__COUNT];
    bool in_tx;
    struct store_conn *next_free;
};

/* Returns the reset statement, or NULL (logged) when preparing failed. */
sqlite3_stmt *store_stmt(struct store_conn *c, enum store_stmt id);
/* Logs a database failure, counts it, returns IS_ERR_STORE. */
int store_fail(struct store_conn *c, const char *what);
/* Maps a step/exec result: DONE/ROW -> OK, CONSTRAINT -> CONFLICT. */
int store_step_done(struct store_conn *c, sqlite3_stmt *st, const char *what);
/* Binds text or NULL. */
void store_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Copies a text column into out ("" for NULL; nothing when out is NULL or
 * outlen 0). A value that does not fit
 * outlen (a field sized below what validation admits: a bug) is never cut
 * short: out is "", and the error is logged and counted in
 * store_error_count() (infrashare_store_errors_total). */
void store_col_copy(sqlite3_stmt *st, int i, char *out, size_t outlen);
/* A text column as a new json string, or json null. */
json_t *store_col_json_str(sqlite3_stmt *st, int i);

#endif
