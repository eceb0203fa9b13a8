/*
 * test_pg_sql.c - store/pg_sql.h: the store's statements rewritten from
 * SQLite's dialect to PostgreSQL's, rule by rule, never inside a literal
 * or a quoted name; and every statement of the store either rewritten or
 * refused, never cut short.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "core/alert.h" /* the constants store_sql.h names */
#include "core/mode.h"
#include "core/range.h"
#include "core/route.h"
#include "store/pg_sql.h"

static void is(const char *sql, const char *want)
{
    char *got = pg_sql_translate(sql, NULL, NULL);
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s\n  gave %s\n  want %s", sql, got ? got : "(NULL)", want);
    free(got);
}

static char *pg_sql_translate_1(const char *sql)
{
    return pg_sql_translate(sql, NULL, NULL);
}

static void t_params(void **state)
{
    (void)state;
    int n = -1;
    bool used[64];
    char *got = pg_sql_translate("SELECT ?3, ?, '?9'", &n, used);
    assert_string_equal(got, "SELECT $3, $4, '?9'");
    assert_int_equal(n, 4);
    assert_false(used[0]);
    assert_false(used[1]);
    assert_true(used[2]);
    assert_true(used[3]);
    free(got);
    is("SELECT a FROM t WHERE b = ?1 AND c = ?2",
       "SELECT a FROM t WHERE b = $1 AND c = $2");
    /* a bare ? is one more than the highest number before it */
    is("VALUES (?, ?, ?5, ?)", "VALUES ($1, $2, $5, $6)");
    is("SELECT ?12", "SELECT $12");
    /* never inside a literal, a quoted name or a comment */
    is("SELECT '?1', \"a?\" -- ?3\n, ?1", "SELECT '?1', \"a?\" -- ?3\n, $1");
    is("SELECT 'it''s ?1', ?1", "SELECT 'it''s ?1', $1");
}

static void t_insert_or_ignore(void **state)
{
    (void)state;
    is("INSERT OR IGNORE INTO t(a) VALUES (?1)",
       "INSERT INTO t(a) VALUES ($1) ON CONFLICT DO NOTHING");
    is("insert or ignore into t(a) select b from u returning a",
       "insert into t(a) select b from u ON CONFLICT DO NOTHING returning a");
    /* the clause belongs to the statement, not to a subquery's RETURNING */
    is("INSERT INTO t(a) VALUES (1)", "INSERT INTO t(a) VALUES (1)");
}

/* DO UPDATE SET: a column named alone is the table's (SQLite's reading) */
static void t_upsert_names(void **state)
{
    (void)state;
    is("INSERT INTO c(value, n) VALUES (?1, 1) ON CONFLICT(value) DO UPDATE "
       "SET n = n + excluded.n, m = max(m, ?2) WHERE n < 10",
       "INSERT INTO c(value, n) VALUES ($1, 1) ON CONFLICT(value) DO UPDATE "
       "SET n = c.n + excluded.n, m = GREATEST(c.m, $2) WHERE c.n < 10");
    is("INSERT INTO s(id, window) VALUES (1, 2) ON CONFLICT(id) DO UPDATE SET "
       "window = CASE WHEN window > 0 THEN excluded.window ELSE 0 END",
       "INSERT INTO s(id, \"window\") VALUES (1, 2) ON CONFLICT(id) DO UPDATE "
       "SET "
       "\"window\" = CASE WHEN s.\"window\" > 0 THEN excluded.\"window\" ELSE "
       "0 END");
}

/* a subquery in FROM or JOIN is named (PostgreSQL 15 wants it) */
static void t_subquery_names(void **state)
{
    (void)state;
    is("SELECT id FROM (SELECT id FROM t) WHERE id > 1",
       "SELECT id FROM (SELECT id FROM t) AS sq_1 WHERE id > 1");
    is("SELECT * FROM a JOIN (SELECT x FROM b) ON 1",
       "SELECT * FROM a JOIN (SELECT x FROM b) AS sq_1 ON 1");
    is("SELECT * FROM (SELECT 1) AS one, (SELECT 2) two",
       "SELECT * FROM (SELECT 1) AS one, (SELECT 2) two");
    is("SELECT count(*) FROM (SELECT 1)",
       "SELECT count(*) FROM (SELECT 1) AS sq_1");
}

static void t_order_by_nulls(void **state)
{
    (void)state;
    is("SELECT a FROM t ORDER BY a", "SELECT a FROM t ORDER BY a NULLS FIRST");
    is("SELECT a FROM t ORDER BY a DESC, b ASC, c LIMIT ?1",
       "SELECT a FROM t ORDER BY a DESC NULLS LAST, b ASC NULLS FIRST, c NULLS "
       "FIRST LIMIT NULLIF(GREATEST($1, -1), -1)");
    /* a term's own parentheses and commas; a term that says NULLS stays */
    is("SELECT 1 ORDER BY coalesce(a, b) DESC, c NULLS LAST",
       "SELECT 1 ORDER BY coalesce(a, b) DESC NULLS LAST, c NULLS LAST");
    /* a window's and a subquery's ORDER BY end at their parenthesis */
    is("SELECT row_number() OVER (PARTITION BY a ORDER BY b DESC) FROM t",
       "SELECT row_number() OVER (PARTITION BY a ORDER BY b DESC NULLS LAST) "
       "FROM t");
    is("SELECT (SELECT x FROM u ORDER BY y LIMIT 1) FROM t ORDER BY z",
       "SELECT (SELECT x FROM u ORDER BY y NULLS FIRST LIMIT "
       "NULLIF(GREATEST(1, -1), -1)) FROM t ORDER "
       "BY z NULLS FIRST");
    is("SELECT 1 ORDER BY CASE WHEN a THEN 0 ELSE 1 END, id",
       "SELECT 1 ORDER BY CASE WHEN (a <> 0) THEN 0 ELSE 1 END NULLS FIRST, id "
       "NULLS "
       "FIRST");
}

/* "seq" and "id" are NOT NULL in every table; "at" is not */
static bool nn_has(void *ctx, const char *name, size_t n)
{
    (void)ctx;
    return (n == 3 && strncmp(name, "seq", 3) == 0) ||
           (n == 2 && strncmp(name, "id", 2) == 0);
}

static void is_nn(const char *sql, const char *want)
{
    struct pg_notnull nn = {.has = nn_has, .ctx = NULL};
    char *got = pg_sql_translate_nn(sql, NULL, NULL, &nn);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void t_order_by_not_null(void **state)
{
    (void)state;
    /* a column NOT NULL everywhere, bare or qualified: no clause (an
     * index gives the order); any other term keeps SQLite's place */
    is_nn("SELECT seq, hash FROM audit ORDER BY seq DESC",
          "SELECT seq, hash FROM audit ORDER BY seq DESC");
    is_nn("SELECT a FROM t ORDER BY t.id, at DESC",
          "SELECT a FROM t ORDER BY t.id, at DESC NULLS LAST");
    is_nn("SELECT a FROM t ORDER BY id + 1",
          "SELECT a FROM t ORDER BY id + 1 NULLS FIRST");
    /* outer-joined: the column may be NULL in a row of the join */
    is_nn("SELECT a FROM t LEFT JOIN u ON u.k = t.k ORDER BY u.id",
          "SELECT a FROM t LEFT JOIN u ON u.k = t.k ORDER BY u.id NULLS FIRST");
    /* an output named so may be NULL whatever the columns are */
    is_nn("SELECT max(x) AS seq FROM t GROUP BY k ORDER BY seq",
          "SELECT max(x) AS seq FROM t GROUP BY k ORDER BY seq NULLS FIRST");
    /* without the schema's names, every term keeps its clause */
    is("SELECT a FROM t ORDER BY id",
       "SELECT a FROM t ORDER BY id NULLS FIRST");
}

static void t_is(void **state)
{
    (void)state;
    is("WHERE a IS ?1 AND b IS NOT ?2 AND c IS NULL AND d IS NOT NULL",
       "WHERE a IS NOT DISTINCT FROM $1 AND b IS DISTINCT FROM $2 AND c IS "
       "NULL AND d IS NOT NULL");
}

static void t_functions(void **state)
{
    (void)state;
    is("SELECT instr(a, ','), ifnull(b, 0)",
       "SELECT strpos(a, ','), coalesce(b, 0)");
    is("SELECT max(a), max(a, b), min(a, (b + c)), min(x)",
       "SELECT max(a), GREATEST(a, b), LEAST(a, (b + c)), min(x)");
    is("SELECT group_concat(x.c, ',') FROM x",
       "SELECT string_agg(x.c, ',') FROM x");
    is("SELECT group_concat(c) FROM x", "SELECT string_agg(c, ',') FROM x");
    is("WHERE t IN (SELECT value FROM json_each(?8))",
       "WHERE t IN (SELECT value FROM json_array_elements_text(($8)::json))");
    is("WHERE json_array_length(?2) = 0",
       "WHERE json_array_length(($2)::json) = 0");
    is("SET title = json_extract(?31, '$.title')",
       "SET title = (($31)::json ->> 'title')");
    is("SELECT coalesce(r.title, json_extract(r.body, '$.title'))",
       "SELECT coalesce(r.title, ((r.body)::json ->> 'title'))");
    is("SELECT x'00ff'", "SELECT '\\x00ff'::bytea");
    is("SELECT CAST(substr(o.id, -4) AS INTEGER), substr(a, 2), substr(a, 1, "
       "3)",
       "SELECT CAST(right(o.id, 4) AS INTEGER), substr(a, 2), substr(a, 1, 3)");
    /* a name PostgreSQL reserves is quoted */
    is("UPDATE s SET window = ?1, window_n = excluded.window",
       "UPDATE s SET \"window\" = $1, window_n = excluded.\"window\"");
    /* a column named like a function is left alone */
    is("SELECT max FROM t", "SELECT max FROM t");
}

/* a negative LIMIT is no limit (SQLite's), NULL on PostgreSQL */
static void t_limits(void **state)
{
    (void)state;
    is("SELECT a FROM t LIMIT ?3",
       "SELECT a FROM t LIMIT NULLIF(GREATEST($3, -1), -1)");
    is("SELECT a FROM t LIMIT CASE WHEN ?5 THEN -1 ELSE 1 END OFFSET 2",
       "SELECT a FROM t LIMIT NULLIF(GREATEST(CASE WHEN ($5 <> 0) THEN -1 ELSE "
       "1 END, -1), -1) OFFSET 2");
    is("SELECT (SELECT x FROM u LIMIT 1) FROM t",
       "SELECT (SELECT x FROM u LIMIT NULLIF(GREATEST(1, -1), -1)) FROM t");
    /* the limit's closing survives INSERT OR IGNORE's ON CONFLICT, which
     * follows it at the statement's end */
    is("INSERT OR IGNORE INTO t(a) SELECT a FROM u LIMIT CASE WHEN ?5 THEN -1 "
       "ELSE 1 END",
       "INSERT INTO t(a) SELECT a FROM u LIMIT NULLIF(GREATEST(CASE WHEN ($5 "
       "<> 0) THEN -1 ELSE 1 END, -1), -1) ON CONFLICT DO NOTHING");
}

/* SQLite's planner hints are dropped; a binary '+' stays */
static void t_planner_hints(void **state)
{
    (void)state;
    is("SELECT a FROM t INDEXED BY t_a WHERE a = 1",
       "SELECT a FROM t  WHERE a = 1");
    is("SELECT a FROM t NOT INDEXED WHERE a = 1",
       "SELECT a FROM t   WHERE a = 1");
    is("WHERE x = 1 AND +r.state = 'open'", "WHERE x = 1 AND r.state = 'open'");
    is("SELECT a + b, (+c) FROM t WHERE d = +1",
       "SELECT a + b, (c) FROM t WHERE d = 1");
}

/* SQLite's truth: an integer standing alone where a condition goes */
static void t_truth(void **state)
{
    (void)state;
    is("WHERE ?1 OR a = 1", "WHERE ($1 <> 0) OR a = 1");
    is("WHERE (?12 OR r.range = 5) AND NOT o.demo",
       "WHERE (($12 <> 0) OR r.range = 5) AND NOT (o.demo <> 0)");
    is("SELECT CASE WHEN flag THEN 1 ELSE 0 END FROM t WHERE x AND y = 2",
       "SELECT CASE WHEN (flag <> 0) THEN 1 ELSE 0 END FROM t WHERE (x <> 0) "
       "AND y = 2");
    /* comparisons, calls, NULL tests and values are left alone */
    is("WHERE a = ?1 AND f(b) AND c IS NULL AND NOT EXISTS (SELECT 1)",
       "WHERE a = $1 AND f(b) AND c IS NULL AND NOT EXISTS (SELECT 1)");
    is("SELECT CASE WHEN a = 1 THEN b ELSE c END",
       "SELECT CASE WHEN a = 1 THEN b ELSE c END");
}

static void t_refused(void **state)
{
    (void)state;
    assert_null(pg_sql_translate_1("SELECT 'open"));
    assert_null(pg_sql_translate_1("SELECT /* open"));
    assert_null(pg_sql_translate_1("SELECT json_extract(a, '$.b.c')"));
    assert_null(pg_sql_translate_1("SELECT json_extract(a, '$[0]')"));
    assert_null(pg_sql_translate_1("SELECT instr(a, b"));
}

/* Every statement of the store rewrites, and the rewrite keeps every
 * literal and every parameter number it had. */
#define ST(name, sql) /* first: the helper macros, some defined late */
#include "store/store_sql.h"
#undef ST
static const char *const all[] = {
#define ST(name, sql) sql,
#include "store/store_sql.h"
#undef ST
};

static void t_every_statement(void **state)
{
    (void)state;
    size_t n = sizeof(all) / sizeof(all[0]);
    assert_true(n > 400);
    for (size_t i = 0; i < n; i++) {
        char *got = pg_sql_translate(all[i], NULL, NULL);
        if (!got)
            fail_msg("statement %zu does not rewrite: %s", i, all[i]);
        /* no parameter left in SQLite's form (a statement with literals
         * may hold a '?' in one) */
        if (!strchr(all[i], '\'') && strchr(got, '?'))
            fail_msg("a ? is left in %s", got);
        /* SQLite takes an upsert's last DO UPDATE without a conflict
         * target; PostgreSQL refuses it (42601) */
        if (strstr(got, "ON CONFLICT DO UPDATE"))
            fail_msg("an upsert without its conflict target: %s", got);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_params),
        cmocka_unit_test(t_insert_or_ignore),
        cmocka_unit_test(t_order_by_nulls),
        cmocka_unit_test(t_order_by_not_null),
        cmocka_unit_test(t_is),
        cmocka_unit_test(t_functions),
        cmocka_unit_test(t_truth),
        cmocka_unit_test(t_limits),
        cmocka_unit_test(t_planner_hints),
        cmocka_unit_test(t_upsert_names),
        cmocka_unit_test(t_subquery_names),
        cmocka_unit_test(t_refused),
        cmocka_unit_test(t_every_statement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
