/*
 * sqlite_insert_loop - the yardstick for bench/report_filing.sh: durable
 * single-row inserts into SQLite, as fast as SQLite does them on this disk.
 * Not part of the project build; report_filing.sh compiles it with
 *   cc -O2 sqlite_insert_loop.c $(pkg-config --cflags --libs sqlite3) -pthread
 *
 *   sqlite_insert_loop DB THREADS SECONDS [ROW_BYTES]
 *
 * Settings as the hub's store (src/store/store.c): journal_mode=WAL,
 * synchronous=FULL (set on every connection: it is a per-connection
 * setting), busy_timeout 10 s. Each of THREADS threads opens its own
 * connection and, until SECONDS have passed, runs
 *   BEGIN IMMEDIATE; INSERT one row (ROW_BYTES of text, default 1000); COMMIT
 * so each row is its own durable transaction, as each filing is in the hub.
 * Prints one line of key=value pairs (inserts, seconds, inserts_per_s,
 * errors) and checks that SELECT count(*) equals the inserts it counted
 * (rows of earlier runs into the same file are counted first).
 * Bounded: each thread stops at the deadline or after 50 million inserts.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>

/* A whole decimal number, or the default when malformed. */
static long arg_long(const char *s, long dflt)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return (errno || end == s || *end) ? dflt : v;
}

#define MAX_THREADS 256
#define MAX_PER_THREAD 50000000L

struct worker {
    pthread_t th;
    int id;
    long inserts;
    long errors;
    char first_error[200];
};

static const char *db_path;
static double run_seconds;
static int row_bytes = 1000;
static pthread_barrier_t start_line;
static double t_start;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "sqlite_insert_loop: %s: %s\n", sql,
                msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
    }
    return rc;
}

static sqlite3 *open_conn(void)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_insert_loop: cannot open %s: %s\n", db_path,
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    if (exec(db, "PRAGMA journal_mode=WAL") ||
        exec(db, "PRAGMA synchronous=FULL")) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    sqlite3 *db = open_conn();
    sqlite3_stmt *ins = NULL, *begin = NULL, *commit = NULL, *rollback = NULL;
    char *text = malloc((size_t)row_bytes + 1);
    if (db && text) {
        sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL);
        sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL);
        sqlite3_prepare_v2(db, "ROLLBACK", -1, &rollback, NULL);
        sqlite3_prepare_v2(db,
                           "INSERT INTO t(thread, n, at, body) "
                           "VALUES (?1, ?2, ?3, ?4)",
                           -1, &ins, NULL);
    }
    if (!db || !text || !ins || !begin || !commit || !rollback) {
        snprintf(w->first_error, sizeof(w->first_error), "setup failed");
        w->errors++;
        pthread_barrier_wait(&start_line);
        goto out;
    }
    /* printable text that differs from row to row */
    for (int i = 0; i < row_bytes; i++)
        text[i] = (char)('a' + (i * 7 + w->id) % 26);
    text[row_bytes] = '\0';
    pthread_barrier_wait(&start_line);
    double deadline = t_start + run_seconds;
    for (long n = 0; n < MAX_PER_THREAD; n++) {
        if (now_s() >= deadline)
            break;
        snprintf(text, (size_t)row_bytes < 40 ? (size_t)row_bytes : 40,
                 "thread %d row %ld ", w->id, n);
        text[strlen(text)] = ' ';
        int rc = sqlite3_step(begin);
        sqlite3_reset(begin);
        if (rc == SQLITE_DONE) {
            sqlite3_bind_int(ins, 1, w->id);
            sqlite3_bind_int64(ins, 2, n);
            sqlite3_bind_int64(ins, 3, (sqlite3_int64)time(NULL));
            sqlite3_bind_text(ins, 4, text, row_bytes, SQLITE_STATIC);
            rc = sqlite3_step(ins);
            sqlite3_reset(ins);
            if (rc == SQLITE_DONE) {
                rc = sqlite3_step(commit);
                sqlite3_reset(commit);
            }
            if (rc != SQLITE_DONE) {
                sqlite3_step(rollback);
                sqlite3_reset(rollback);
            }
        }
        if (rc == SQLITE_DONE) {
            w->inserts++;
        } else {
            if (!w->errors)
                snprintf(w->first_error, sizeof(w->first_error), "%s",
                         sqlite3_errmsg(db));
            w->errors++;
        }
    }
out:
    sqlite3_finalize(ins);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_finalize(rollback);
    sqlite3_close(db);
    free(text);
    return NULL;
}

static long count_rows(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    long n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr,
                "usage: sqlite_insert_loop DB THREADS SECONDS [ROW_BYTES]\n");
        return 2;
    }
    db_path = argv[1];
    int nthreads = (int)arg_long(argv[2], 0);
    run_seconds = atof(argv[3]);
    if (argc > 4)
        row_bytes = (int)arg_long(argv[4], 0);
    if (nthreads < 1 || nthreads > MAX_THREADS || run_seconds <= 0 ||
        run_seconds > 3600 || row_bytes < 40 || row_bytes > 1000000) {
        fprintf(stderr,
                "sqlite_insert_loop: THREADS 1..%d, SECONDS "
                "0..3600, ROW_BYTES 40..1000000\n",
                MAX_THREADS);
        return 2;
    }
    sqlite3 *db = open_conn();
    if (!db)
        return 1;
    if (exec(db, "CREATE TABLE IF NOT EXISTS t ("
                 " id INTEGER PRIMARY KEY, thread INTEGER NOT NULL,"
                 " n INTEGER NOT NULL, at INTEGER NOT NULL,"
                 " body TEXT NOT NULL) STRICT")) {
        sqlite3_close(db);
        return 1;
    }
    long before = count_rows(db);
    static struct worker w[MAX_THREADS];
    pthread_barrier_init(&start_line, NULL, (unsigned)nthreads + 1);
    for (int i = 0; i < nthreads; i++) {
        w[i].id = i;
        if (pthread_create(&w[i].th, NULL, run, &w[i]) != 0) {
            fprintf(stderr, "sqlite_insert_loop: pthread_create failed\n");
            return 1;
        }
    }
    t_start = now_s();
    pthread_barrier_wait(&start_line);
    long total = 0, errors = 0;
    const char *first_error = "";
    for (int i = 0; i < nthreads; i++) {
        pthread_join(w[i].th, NULL);
        total += w[i].inserts;
        errors += w[i].errors;
        if (w[i].errors && !*first_error)
            first_error = w[i].first_error;
    }
    double secs = now_s() - t_start;
    long after = count_rows(db);
    sqlite3_close(db);
    printf("SQLITE inserts=%ld seconds=%.3f inserts_per_s=%.1f errors=%ld "
           "threads=%d row_bytes=%d rows_before=%ld rows_after=%ld "
           "count_ok=%d sqlite=%s%s%s\n",
           total, secs, (double)total / secs, errors, nthreads, row_bytes,
           before, after, after == before + total, sqlite3_libversion(),
           *first_error ? " first_error=" : "", first_error);
    return errors || after != before + total ? 1 : 0;
}
