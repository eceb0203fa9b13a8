/*
 * pg_sql.h - the store's statements (SQLite's dialect) rewritten for
 * PostgreSQL (store/ only).
 *
 * The store keeps one text per statement (store_sql.h), written in the
 * part of SQL both engines share. What differs is rewritten here, token by
 * token (never inside a string literal or a quoted name), to the same
 * meaning:
 *   - parameters ?N and ? become $N (a bare ? is one more than the
 *     highest number before it, as SQLite numbers it);
 *   - INSERT OR IGNORE becomes INSERT ... ON CONFLICT DO NOTHING;
 *   - each ORDER BY term gets SQLite's place for NULLs, which sorts them
 *     first: NULLS FIRST ascending, NULLS LAST descending;
 *   - a IS b and a IS NOT b (b not NULL) become IS [NOT] DISTINCT FROM;
 *   - instr -> strpos, ifnull -> coalesce, group_concat -> string_agg
 *     (',' when no separator is given), max/min of two or more arguments
 *     -> GREATEST/LEAST, json_each(x) -> json_array_elements_text(x::json)
 *     (its column is named value too), json_array_length(x) ->
 *     json_array_length(x::json), json_extract(x, '$.k') -> (x::json ->>
 *     'k'), substr(x, -n) -> right(x, n), x'..' -> '\x..'::bytea;
 *   - the names PostgreSQL reserves that the store uses as column names
 *     (window) are quoted;
 *   - LIMIT x -> LIMIT NULLIF(GREATEST(x, -1), -1): a negative limit is
 *     no limit, as in SQLite;
 *   - a parameter or a column standing alone as an operand of AND, OR,
 *     NOT, WHERE, WHEN or HAVING is compared with 0 (SQLite's truth).
 * A statement that needs more (INSERT OR REPLACE, say) has a text of its
 * own for PostgreSQL.
 */
#ifndef INFRASHARE_STORE_PG_SQL_H
#define INFRASHARE_STORE_PG_SQL_H

#include <stdbool.h>
#include <stddef.h>

/* The statement for PostgreSQL: malloc'd (the caller frees), or NULL when
 * out of memory or when sql has a construct this cannot rewrite (an
 * unterminated literal, a json_extract path other than '$.name').
 * *nparams (when not NULL): the highest parameter number; used (when not
 * NULL, 64 entries): used[k] is true when parameter k + 1 appears (a
 * parameter that does not must still have a type on PostgreSQL). */
char *pg_sql_translate(const char *sql, int *nparams, bool *used);

/* Which column names are NOT NULL in every table of the schema: has(ctx,
 * name, n) is true for the n bytes at name. */
struct pg_notnull {
    bool (*has)(void *ctx, const char *name, size_t n);
    void *ctx;
};
/* As pg_sql_translate; an ORDER BY term that is one column, bare or
 * qualified, whose name nn says is NOT NULL everywhere gets no NULLS
 * clause when nothing in the statement is outer-joined and no output is
 * named so (NULLs cannot occur there; the clause would keep PostgreSQL
 * from walking an index in order). nn NULL: as pg_sql_translate. */
char *pg_sql_translate_nn(const char *sql, int *nparams, bool *used,
                          const struct pg_notnull *nn);

#endif
