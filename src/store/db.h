/*
 * db.h - the calls through which the store's files run a prepared
 * statement: bind its parameters, step it, read its columns (store/
 * only).
 *
 * The domain files of the store (store_*.c) never call the engine
 * themselves: they get a statement from the connection's cache
 * (store_stmt, store_vprep in store_internal.h) and use these. The
 * engine's own calls are in store.c (connections, transactions,
 * migrations, backup) and here. SQLite's are inline; PostgreSQL's
 * (libpq) are in db_pg.c, used when the statement has a .pg part.
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
#include <string.h>

/* A prepared statement of one connection's cache. */
struct pg_stmt;
typedef struct db_stmt {
    sqlite3_stmt *lite;
    struct pg_stmt *pg; /* PostgreSQL's, when the connection is one */
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

/* PostgreSQL's side of each call below (db_pg.c). */
int pgs_step(struct pg_stmt *p);
void pgs_reset(struct pg_stmt *p);
void pgs_clear_bindings(struct pg_stmt *p);
int pgs_bind_parameter_count(struct pg_stmt *p);
void pgs_bind_int64(struct pg_stmt *p, int i, int64_t v);
void pgs_bind_double(struct pg_stmt *p, int i, double v);
void pgs_bind_null(struct pg_stmt *p, int i);
void pgs_bind_null_int(struct pg_stmt *p, int i);
void pgs_bind_text(struct pg_stmt *p, int i, const char *v, size_t n, int copy);
void pgs_bind_blob(struct pg_stmt *p, int i, const void *v, size_t n);
int pgs_column_count(struct pg_stmt *p);
int pgs_column_null(struct pg_stmt *p, int i);
int64_t pgs_column_int64(struct pg_stmt *p, int i);
double pgs_column_double(struct pg_stmt *p, int i);
const unsigned char *pgs_column_text(struct pg_stmt *p, int i);
const void *pgs_column_blob(struct pg_stmt *p, int i);
int pgs_column_bytes(struct pg_stmt *p, int i);
const char *pgs_column_name(struct pg_stmt *p, int i);

static inline int db_step(db_stmt *s)
{
    if (s->pg)
        return pgs_step(s->pg);
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
    if (s->pg) {
        pgs_reset(s->pg);
        return;
    }
    sqlite3_reset(s->lite);
}
static inline void db_clear_bindings(db_stmt *s)
{
    if (s->pg) {
        pgs_clear_bindings(s->pg);
        return;
    }
    sqlite3_clear_bindings(s->lite);
}
static inline int db_bind_parameter_count(db_stmt *s)
{
    if (s->pg)
        return pgs_bind_parameter_count(s->pg);
    return sqlite3_bind_parameter_count(s->lite);
}

static inline void db_bind_int(db_stmt *s, int i, int v)
{
    if (s->pg) {
        pgs_bind_int64(s->pg, i, v);
        return;
    }
    sqlite3_bind_int(s->lite, i, v);
}
static inline void db_bind_int64(db_stmt *s, int i, int64_t v)
{
    if (s->pg) {
        pgs_bind_int64(s->pg, i, v);
        return;
    }
    sqlite3_bind_int64(s->lite, i, v);
}
static inline void db_bind_double(db_stmt *s, int i, double v)
{
    if (s->pg) {
        pgs_bind_double(s->pg, i, v);
        return;
    }
    sqlite3_bind_double(s->lite, i, v);
}
static inline void db_bind_null(db_stmt *s, int i)
{
    if (s->pg) {
        pgs_bind_null(s->pg, i);
        return;
    }
    sqlite3_bind_null(s->lite, i);
}
/* NULL in the place of an integer (PostgreSQL prepares the statement
 * with the parameter's type: an integer's NULL says which). */
static inline void db_bind_null_int(db_stmt *s, int i)
{
    if (s->pg) {
        pgs_bind_null_int(s->pg, i);
        return;
    }
    sqlite3_bind_null(s->lite, i);
}
/* A NUL-terminated text; NULL binds NULL. */
static inline void db_bind_text(db_stmt *s, int i, const char *v)
{
    if (s->pg) {
        pgs_bind_text(s->pg, i, v, v ? strlen(v) : 0, 0);
        return;
    }
    if (v)
        sqlite3_bind_text(s->lite, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s->lite, i);
}
/* The n bytes at v as text, copied now (v may go before the step). */
static inline void db_bind_text_copy(db_stmt *s, int i, const char *v, size_t n)
{
    if (s->pg) {
        pgs_bind_text(s->pg, i, v, n, 1);
        return;
    }
    sqlite3_bind_text64(s->lite, i, v, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}
/* n bytes as a blob; NULL binds NULL. */
static inline void db_bind_blob(db_stmt *s, int i, const void *v, size_t n)
{
    if (s->pg) {
        pgs_bind_blob(s->pg, i, v, n);
        return;
    }
    if (v)
        sqlite3_bind_blob64(s->lite, i, v, n, SQLITE_STATIC);
    else
        sqlite3_bind_null(s->lite, i);
}

static inline int db_column_count(db_stmt *s)
{
    if (s->pg)
        return pgs_column_count(s->pg);
    return sqlite3_column_count(s->lite);
}
/* DB_NULL for a NULL value, another number for any other. */
static inline int db_column_type(db_stmt *s, int i)
{
    if (s->pg)
        return pgs_column_null(s->pg, i) ? DB_NULL : SQLITE_TEXT;
    return sqlite3_column_type(s->lite, i);
}
static inline int db_column_int(db_stmt *s, int i)
{
    if (s->pg)
        return (int)pgs_column_int64(s->pg, i);
    return sqlite3_column_int(s->lite, i);
}
static inline int64_t db_column_int64(db_stmt *s, int i)
{
    if (s->pg)
        return pgs_column_int64(s->pg, i);
    return sqlite3_column_int64(s->lite, i);
}
static inline double db_column_double(db_stmt *s, int i)
{
    if (s->pg)
        return pgs_column_double(s->pg, i);
    return sqlite3_column_double(s->lite, i);
}
/* The value as NUL-terminated text; NULL for NULL. */
static inline const unsigned char *db_column_text(db_stmt *s, int i)
{
    if (s->pg)
        return pgs_column_text(s->pg, i);
    return sqlite3_column_text(s->lite, i);
}
static inline const void *db_column_blob(db_stmt *s, int i)
{
    if (s->pg)
        return pgs_column_blob(s->pg, i);
    return sqlite3_column_blob(s->lite, i);
}
/* The size in bytes of the value last read by db_column_text or
 * db_column_blob. */
static inline int db_column_bytes(db_stmt *s, int i)
{
    if (s->pg)
        return pgs_column_bytes(s->pg, i);
    return sqlite3_column_bytes(s->lite, i);
}
static inline const char *db_column_name(db_stmt *s, int i)
{
    if (s->pg)
        return pgs_column_name(s->pg, i);
    return sqlite3_column_name(s->lite, i);
}

#endif
