/*
 * store_copy.c - a hub's SQLite database copied into a PostgreSQL one
 * (infrashare migrate-store, issue 17; docs/postgresql.md).
 *
 * The source is read in one read transaction (one snapshot: the hub may
 * go on running, and what it writes after the snapshot is not copied);
 * the destination is written in one write transaction: the copy is all or
 * nothing. Every table of the source, in the order its foreign keys ask
 * (a referenced table first), every column by name, rows in the order of
 * their rowid (so the PostgreSQL-only rowid columns number them the same
 * way). The destination's triggers (version counters, the audit log's
 * append-only guard) are off for the copy: the counters are copied as
 * they are. Then each identity goes past the highest id copied, and every
 * table's row count is compared with the source's before the commit.
 */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "store/db_pg.h"
#include "store/store_exercise.h"

#define COPY_MAX_TABLES 256
#define COPY_MAX_COLS 64

struct copy_table {
    char name[64];
    char deps[8][64]; /* tables its foreign keys reference */
    int ndeps;
    bool placed;
};

/* The source's tables in an order where each comes after those it
 * references (a table referencing itself is fine: rows go in rowid
 * order). */
static int tables_in_order(sqlite3 *db, struct copy_table *t, int *n, char *err,
                           size_t errlen)
{
    sqlite3_stmt *st = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type = "
                           "'table' AND name NOT LIKE 'sqlite_%' ORDER BY "
                           "rowid",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (*n >= COPY_MAX_TABLES || !name ||
            util_copy(t[*n].name, sizeof(t[*n].name), name)) {
            sqlite3_finalize(st);
            snprintf(err, errlen, "too many tables, or a name too long");
            return IS_ERR_INVALID;
        }
        t[*n].ndeps = 0;
        t[*n].placed = false;
        (*n)++;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT DISTINCT \"table\" FROM "
                           "pragma_foreign_key_list(?1)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (int i = 0; i < *n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, t[i].name, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *ref = (const char *)sqlite3_column_text(st, 0);
            if (!ref || !strcmp(ref, t[i].name) || t[i].ndeps >= 8)
                continue;
            if (util_copy(t[i].deps[t[i].ndeps], sizeof(t[i].deps[0]), ref))
                continue;
            t[i].ndeps++;
        }
    }
    sqlite3_finalize(st);
    /* Kahn's order, stable: the source's order among the free ones */
    struct copy_table *sorted = calloc((size_t)*n, sizeof(*sorted));
    if (!sorted)
        return IS_ERR_NOMEM;
    int done = 0;
    while (done < *n) {
        bool progress = false;
        for (int i = 0; i < *n; i++) {
            if (t[i].placed)
                continue;
            bool ready = true;
            for (int d = 0; d < t[i].ndeps && ready; d++)
                for (int k = 0; k < *n; k++)
                    if (!t[k].placed && !strcmp(t[k].name, t[i].deps[d]))
                        ready = false;
            if (ready) {
                t[i].placed = true;
                sorted[done++] = t[i];
                progress = true;
            }
        }
        if (!progress) {
            free(sorted);
            snprintf(err, errlen,
                     "the foreign keys of the tables form a "
                     "cycle: no order to copy them in");
            return IS_ERR_INVALID;
        }
    }
    memcpy(t, sorted, (size_t)*n * sizeof(*t));
    free(sorted);
    return IS_OK;
fail:
    snprintf(err, errlen, "reading the source's tables: %s",
             sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return IS_ERR_STORE;
}

/* A name as a quoted SQL identifier (the names are the schema's own). */
static void quoted(struct buf *b, const char *name)
{
    buf_adds(b, "\"");
    buf_adds(b, name);
    buf_adds(b, "\"");
}

/* Copies table t's rows: *rows gets their number. */
static int copy_table(sqlite3 *db, struct pg_conn *pc, const char *t,
                      int64_t *rows, char *err, size_t errlen)
{
    *rows = 0;
    char cols[COPY_MAX_COLS][64];
    int ncols = 0;
    sqlite3_stmt *st = NULL;
    int rc = IS_ERR_STORE;
    struct buf sel = BUF_INIT, ins = BUF_INIT;
    if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1)", -1,
                           &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW && ncols < COPY_MAX_COLS) {
        const char *c = (const char *)sqlite3_column_text(st, 0);
        if (c && !util_copy(cols[ncols], sizeof(cols[0]), c))
            ncols++;
    }
    sqlite3_finalize(st);
    st = NULL;
    buf_adds(&sel, "SELECT ");
    buf_adds(&ins, "INSERT INTO ");
    quoted(&ins, t);
    buf_adds(&ins, " (");
    for (int i = 0; i < ncols; i++) {
        if (i) {
            buf_adds(&sel, ", ");
            buf_adds(&ins, ", ");
        }
        quoted(&sel, cols[i]);
        quoted(&ins, cols[i]);
    }
    buf_adds(&sel, " FROM ");
    quoted(&sel, t);
    buf_adds(&sel, " ORDER BY rowid");
    buf_adds(&ins, ") OVERRIDING SYSTEM VALUE VALUES (");
    for (int i = 0; i < ncols; i++)
        buf_addf(&ins, "%s$%d", i ? ", " : "", i + 1);
    buf_adds(&ins, ")");
    if (buf_error(&sel) || buf_error(&ins)) {
        rc = IS_ERR_NOMEM;
        goto out;
    }
    if (sqlite3_prepare_v2(db, buf_str(&sel), -1, &st, NULL) != SQLITE_OK) {
        /* a table WITHOUT ROWID: its rows in its key's order */
        size_t cut = strlen(buf_str(&sel)) - strlen(" ORDER BY rowid");
        char *plain = strndup(buf_str(&sel), cut);
        int prc =
            plain ? sqlite3_prepare_v2(db, plain, -1, &st, NULL) : SQLITE_NOMEM;
        free(plain);
        if (prc != SQLITE_OK)
            goto fail;
    }
    const char *vals[COPY_MAX_COLS];
    int lens[COPY_MAX_COLS], fmts[COPY_MAX_COLS];
    char nums[COPY_MAX_COLS][32];
    int s = SQLITE_DONE;
    /* the rows go in batches (pipeline mode): one round trip per
     * PGC_BATCH_ROWS rows, not per row */
    if (pgc_batch_begin(pc, buf_str(&ins), ncols)) {
        snprintf(err, errlen, "%s: %s", t, pgc_errmsg(pc));
        goto out;
    }
    bool sent = true;
    while (sent && (s = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < ncols; i++) {
            lens[i] = 0;
            fmts[i] = 0;
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_NULL: vals[i] = NULL; break;
            case SQLITE_INTEGER:
                snprintf(nums[i], sizeof(nums[i]), "%lld",
                         (long long)sqlite3_column_int64(st, i));
                vals[i] = nums[i];
                break;
            case SQLITE_FLOAT:
                snprintf(nums[i], sizeof(nums[i]), "%.17g",
                         sqlite3_column_double(st, i));
                vals[i] = nums[i];
                break;
            case SQLITE_BLOB:
                vals[i] = sqlite3_column_blob(st, i);
                lens[i] = sqlite3_column_bytes(st, i);
                fmts[i] = 1;
                if (!vals[i]) /* an empty blob */
                    vals[i] = "";
                break;
            default: vals[i] = (const char *)sqlite3_column_text(st, i); break;
            }
        }
        sent = !pgc_batch_add(pc, ncols, vals, lens, fmts);
        if (sent)
            (*rows)++;
    }
    int64_t bad = 0;
    if (pgc_batch_end(pc, &bad) || !sent) {
        if (bad)
            snprintf(err, errlen, "%s: row %lld: %s", t, (long long)bad,
                     pgc_errmsg(pc));
        else
            snprintf(err, errlen, "%s: %s", t, pgc_errmsg(pc));
        goto out;
    }
    if (s != SQLITE_DONE)
        goto fail;
    rc = IS_OK;
    goto out;
fail:
    snprintf(err, errlen, "%s: reading the source: %s", t, sqlite3_errmsg(db));
out:
    sqlite3_finalize(st);
    buf_release(&sel);
    buf_release(&ins);
    return rc;
}

/* Runs "<pre>"<t>"<post>" on the destination. */
static int on_table(struct pg_conn *pc, const char *pre, const char *t,
                    const char *post)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, pre);
    quoted(&b, t);
    buf_adds(&b, post);
    int rc = buf_error(&b) ? IS_ERR_NOMEM : pgc_exec(pc, buf_str(&b));
    buf_release(&b);
    return rc;
}

int store_pg_identities_past(struct pg_conn *pc)
{
    return pgc_exec(
        pc, "DO $$ DECLARE r record; BEGIN FOR r IN SELECT table_name, "
            "column_name FROM information_schema.columns WHERE is_identity = "
            "'YES' AND table_schema = current_schema() LOOP EXECUTE "
            "format('SELECT setval(pg_get_serial_sequence(%L, %L), "
            "coalesce(max(%I), 0) + 1, false) FROM %I', r.table_name, "
            "r.column_name, r.column_name, r.table_name); END LOOP; END $$");
}

int store_copy(struct store *src, struct store *dst,
               struct store_copy_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof(*rep));
    struct store_conn *sc = store_acquire(src), *dc = store_acquire(dst);
    struct copy_table *t = calloc(COPY_MAX_TABLES, sizeof(*t));
    int n = 0, rc = t ? IS_OK : IS_ERR_NOMEM;
    if (!rc && (!sc->db || !dc->pg)) {
        snprintf(err, errlen,
                 "the source must be SQLite and the "
                 "destination PostgreSQL");
        rc = IS_ERR_INVALID;
    }
    /* whether init wrote its severity rules there: asked as a count, not
     * by reading the value (kilobytes of JSON) into a small buffer */
    bool held = false;
    if (!rc && (rc = store_meta_has(dc, "severity_rules", &held)))
        snprintf(err, errlen, "cannot read the destination: %s",
                 pgc_errmsg(dc->pg));
    if (!rc && held) {
        snprintf(err, errlen, "the destination holds a hub already");
        rc = IS_ERR_CONFLICT;
    }
    bool reading = false, writing = false;
    if (!rc && !(rc = store_read_begin(sc)))
        reading = true;
    /* a running exercise's world is a file beside the source, which the
     * copy does not carry: the exercise would not run on (it ends first) */
    char running[1][40];
    size_t nrun = 0;
    if (!rc && !(rc = store_exercise_running(sc, running, 1, &nrun)) && nrun) {
        snprintf(err, errlen,
                 "exercise %s is running, and its world is a file beside "
                 "this database that the copy does not carry: end it first",
                 running[0]);
        rc = IS_ERR_CONFLICT;
    }
    if (!rc)
        rc = tables_in_order(sc->db, t, &n, err, errlen);
    if (!rc && !(rc = store_begin(dc)))
        writing = true;
    else if (!err[0] && rc)
        snprintf(err, errlen, "cannot start: %s", pgc_errmsg(dc->pg));
    /* triggers off; the rows the destination's schema made (its seed
     * rows) go, children first */
    for (int i = 0; !rc && i < n; i++)
        rc = on_table(dc->pg, "ALTER TABLE ", t[i].name,
                      " DISABLE TRIGGER USER");
    for (int i = n - 1; !rc && i >= 0; i--)
        rc = on_table(dc->pg, "DELETE FROM ", t[i].name, "");
    if (rc && !err[0])
        snprintf(err, errlen, "preparing the destination: %s",
                 pgc_errmsg(dc->pg));
    for (int i = 0; !rc && i < n; i++) {
        int64_t rows = 0;
        rc = copy_table(sc->db, dc->pg, t[i].name, &rows, err, errlen);
        rep->rows += rows;
        rep->tables++;
    }
    if (!rc && store_pg_identities_past(dc->pg)) {
        snprintf(err, errlen, "identities: %s", pgc_errmsg(dc->pg));
        rc = IS_ERR_STORE;
    }
    for (int i = 0; !rc && i < n; i++)
        rc =
            on_table(dc->pg, "ALTER TABLE ", t[i].name, " ENABLE TRIGGER USER");
    /* every table's count, before the commit */
    for (int i = 0; !rc && i < n; i++) {
        char q[160];
        snprintf(q, sizeof(q), "SELECT count(*) FROM \"%s\"", t[i].name);
        sqlite3_stmt *st = NULL;
        int64_t a = -1, b = -2;
        if (sqlite3_prepare_v2(sc->db, q, -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            a = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (pgc_query_int(dc->pg, q, &b) || a != b) {
            snprintf(err, errlen, "%s: %lld rows in the source, %lld copied",
                     t[i].name, (long long)a, (long long)b);
            rc = IS_ERR_STORE;
        }
    }
    if (writing) {
        if (!rc) {
            rc = store_commit(dc);
            if (rc && !err[0])
                snprintf(err, errlen, "commit: %s", pgc_errmsg(dc->pg));
        } else {
            store_rollback(dc);
        }
    }
    if (reading)
        store_read_end(sc);
    free(t);
    store_put(src, sc);
    store_put(dst, dc);
    return rc;
}
