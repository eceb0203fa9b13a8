/*
 * db.h - the calls through which the store's files run a prepared
 * statement: bind its parameters, step it, read its columns (store/
 * only).
 *
 * The domain files of the store (store_*.c) never call the engine
 * themselves: they get a statement from the connection's cache
 * (store_stmt, store_vprep in store_internal.h) and use these. The
 * engine's own calls are in store.c (connections, transactions,
 * migrations, backup) and here, so that what a second engine has to
 * provide is this file's list.
 *
 * Semantics are SQLite's: parameters are numbered from 1, columns from 0;
 * text and blobs bound are the caller's and must stay valid until the
 * statement is stepped to its end or reset (db_bind_text_copy copies);
 * what a column read returns is valid until the next step or reset.
 */
#ifndef INFRASHARE_STORE_DB_H
#define INFRASHARE_STORE_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* A prepared statement of one connection's cache. */
typedef struct db_stmt {
    sqlite3_stmt *lite;
} db_stmt;

/* What db_step answers. */
enum db_step_result {
    DB_ROW = 1,    /* a row is ready to read */
    DB_DONE,       /* no more rows; a write has been applied */
    DB_UNIQUE,     /* a unique or primary key would be violated */
    DB_CONSTRAINT, /* another constraint (check, foreign key, not null) */
    DB_BUSY,       /* another process holds the database */
    DB_ERROR       /* anything else (the connection's error message) */
};

/* db_column_type's answer for a NULL value (the only type compared). */
#define DB_NULL SQLITE_NULL

static inline int db_step(db_stmt *s)
{
    int rc = sqlite3_step(s->lite);
    switch (rc & 0xff) {
    case SQLITE_ROW: return DB_ROW;
    case SQLITE_DONE: return DB_DONE;
    case SQLITE_CONSTRAINT: {
        int ext = sqlite3_extended_errcode(sqlite3_db_handle(s->lite));
        return ext == SQLITE_CONSTRAINT_UNIQUE ||
                       ext == SQLITE_CONSTRAINT_PRIMARYKEY
                   ? DB_UNIQUE
                   : DB_CONSTRAINT;
    }
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DB_BUSY;
    default: return DB_ERROR;
    }
}

/* Ends the statement's run (its rows, its read) and keeps its bindings. */
static inline void db_reset(db_stmt *s)
{
    sqlite3_reset(s->lite);
}
static inline void db_clear_bindings(db_stmt *s)
{
    sqlite3_clear_bindings(s->lite);
}
static inline int db_bind_parameter_count(db_stmt *s)
{
    return sqlite3_bind_parameter_count(s->lite);
}

static inline void db_bind_int(db_stmt *s, int i, int v)
{
    sqlite3_bind_int(s->lite, i, v);
}
static inline void db_bind_int64(db_stmt *s, int i, int64_t v)
{
    sqlite3_bind_int64(s->lite, i, v);
}
static inline void db_bind_double(db_stmt *s, int i, double v)
{
    sqlite3_bind_double(s->lite, i, v);
}
static inline void db_bind_null(db_stmt *s, int i)
{
    sqlite3_bind_null(s->lite, i);
}
/* A NUL-terminated text; NULL binds NULL. */
static inline void db_bind_text(db_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s->lite, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s->lite, i);
}
/* The n bytes at v as text, copied now (v may go before the step). */
static inline void db_bind_text_copy(db_stmt *s, int i, const char *v, size_t n)
{
    sqlite3_bind_text64(s->lite, i, v, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}
/* n bytes as a blob; NULL binds NULL. */
static inline void db_bind_blob(db_stmt *s, int i, const void *v, size_t n)
{
    if (v)
        sqlite3_bind_blob64(s->lite, i, v, n, SQLITE_STATIC);
    else
        sqlite3_bind_null(s->lite, i);
}

static inline int db_column_count(db_stmt *s)
{
    return sqlite3_column_count(s->lite);
}
/* DB_NULL for a NULL value, another number for any other. */
static inline int db_column_type(db_stmt *s, int i)
{
    return sqlite3_column_type(s->lite, i);
}
static inline int db_column_int(db_stmt *s, int i)
{
    return sqlite3_column_int(s->lite, i);
}
static inline int64_t db_column_int64(db_stmt *s, int i)
{
    return sqlite3_column_int64(s->lite, i);
}
static inline double db_column_double(db_stmt *s, int i)
{
    return sqlite3_column_double(s->lite, i);
}
/* The value as NUL-terminated text; NULL for NULL. */
static inline const unsigned char *db_column_text(db_stmt *s, int i)
{
    return sqlite3_column_text(s->lite, i);
}
static inline const void *db_column_blob(db_stmt *s, int i)
{
    return sqlite3_column_blob(s->lite, i);
}
/* The size in bytes of the value last read by db_column_text or
 * db_column_blob. */
static inline int db_column_bytes(db_stmt *s, int i)
{
    return sqlite3_column_bytes(s->lite, i);
}
static inline const char *db_column_name(db_stmt *s, int i)
{
    return sqlite3_column_name(s->lite, i);
}

#endif
