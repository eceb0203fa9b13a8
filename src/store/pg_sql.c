/*
 * pg_sql.c - SQLite's dialect to PostgreSQL's (pg_sql.h has the rules).
 *
 * The text is cut into tokens (words, literals, parameters, punctuation,
 * spaces and comments), each with its depth of parentheses; the rules
 * mark tokens to replace, drop or surround; the output is the tokens
 * written again with those marks.
 */
#include "store/pg_sql.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"

enum tk_kind {
    TK_WORD,
    TK_STR,
    TK_QNAME,
    TK_PARAM,
    TK_BLOB,
    TK_SPACE,
    TK_PUNCT
};

struct tk {
    enum tk_kind kind;
    const char *s;
    size_t n;
    int depth;             /* parentheses open before this token */
    long param;            /* TK_PARAM: its number */
    const char *repl;      /* written instead of the token (NULL: itself) */
    bool drop;             /* not written */
    const char *before;    /* written before it */
    const char *after;     /* written after it */
    const char *tail;      /* written after that (the statement's end) */
    bool json_key;         /* TK_STR '$.name': written as 'name' */
    const struct tk *qual; /* written after a "<qual>." prefix */
    long sub_n;            /* ')' of a subquery named here: its number */
};

struct tks {
    struct tk *v;
    size_t n, cap;
    const struct pg_notnull *nn; /* NULL: no column is known NOT NULL */
};

static bool word_is(const struct tk *t, const char *w)
{
    return t->kind == TK_WORD && strlen(w) == t->n &&
           strncasecmp(t->s, w, t->n) == 0;
}

/* t is one of the n words of kw. */
static bool word_in(const struct tk *t, const char *const *kw, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (word_is(t, kw[i]))
            return true;
    return false;
}

static bool punct_is(const struct tk *t, char c)
{
    return t->kind == TK_PUNCT && t->s[0] == c;
}

static int push(struct tks *ts, enum tk_kind k, const char *s, size_t n,
                int depth)
{
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 64;
        struct tk *v = realloc(ts->v, cap * sizeof(*v));
        if (!v)
            return -1;
        ts->v = v;
        ts->cap = cap;
    }
    ts->v[ts->n++] = (struct tk){.kind = k, .s = s, .n = n, .depth = depth};
    return 0;
}

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* Cuts sql into tokens; -1 on an unterminated literal or no memory. */
static int tokenize(const char *sql, struct tks *ts)
{
    const char *p = sql;
    int depth = 0;
    long last_param = 0;
    while (*p) {
        const char *s = p;
        enum tk_kind k;
        if (isspace((unsigned char)*p)) {
            while (isspace((unsigned char)*p))
                p++;
            k = TK_SPACE;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
            k = TK_SPACE;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            if (!e)
                return -1;
            p = e + 2;
            k = TK_SPACE;
        } else if ((p[0] == 'x' || p[0] == 'X') && p[1] == '\'') {
            p += 2;
            while (*p && *p != '\'')
                p++;
            if (!*p)
                return -1;
            p++;
            k = TK_BLOB;
        } else if (*p == '\'' || *p == '"') {
            char q = *p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == q && p[1] == q) {
                    p += 2;
                    continue;
                }
                if (*p++ == q)
                    break;
            }
            k = q == '\'' ? TK_STR : TK_QNAME;
        } else if (*p == '?') {
            p++;
            long v = 0;
            if (isdigit((unsigned char)*p)) {
                while (isdigit((unsigned char)*p) && v < 100000)
                    v = v * 10 + (*p++ - '0');
            } else {
                v = last_param + 1;
            }
            if (v > last_param)
                last_param = v;
            if (push(ts, TK_PARAM, s, (size_t)(p - s), depth))
                return -1;
            ts->v[ts->n - 1].param = v;
            continue;
        } else if (word_char(*p)) {
            while (word_char(*p))
                p++;
            k = TK_WORD;
        } else {
            if (*p == ')')
                depth--;
            p++;
            k = TK_PUNCT;
        }
        if (push(ts, k, s, (size_t)(p - s), depth))
            return -1;
        if (k == TK_PUNCT && *s == '(')
            depth++;
    }
    return 0;
}

/* The next token after i that is not space; ts->n when none. */
static size_t next(const struct tks *ts, size_t i)
{
    for (i++; i < ts->n && ts->v[i].kind == TK_SPACE; i++)
        ;
    return i;
}

/* The ')' closing the '(' at i; ts->n when none. */
static size_t closing(const struct tks *ts, size_t open)
{
    int d = ts->v[open].depth;
    for (size_t i = open + 1; i < ts->n; i++)
        if (punct_is(&ts->v[i], ')') && ts->v[i].depth == d)
            return i;
    return ts->n;
}

/* Commas at the top level of the parentheses opened at i. */
static int args_commas(const struct tks *ts, size_t open, size_t close)
{
    int n = 0;
    for (size_t i = open + 1; i < close; i++)
        if (punct_is(&ts->v[i], ',') && ts->v[i].depth == ts->v[open].depth + 1)
            n++;
    return n;
}

static bool ends_order_term(const struct tk *t)
{
    static const char *const kw[] = {
        "LIMIT",  "OFFSET",    "ROWS",  "RANGE",  "GROUPS",   "UNION",
        "EXCEPT", "INTERSECT", "FETCH", "WINDOW", "RETURNING"};
    return word_in(t, kw, sizeof(kw) / sizeof(kw[0])) || punct_is(t, ';');
}

/* The statement joins with LEFT, RIGHT or FULL: a column NOT NULL in its
 * table may be NULL in a row of the join. */
static bool outer_join(const struct tks *ts)
{
    for (size_t i = 0; i < ts->n; i++)
        if (word_is(&ts->v[i], "LEFT") || word_is(&ts->v[i], "RIGHT") ||
            word_is(&ts->v[i], "FULL"))
            return true;
    return false;
}

/* The statement names an output "AS name" (which may be NULL whatever
 * the columns are). */
static bool output_named(const struct tks *ts, const struct tk *name)
{
    for (size_t i = 0; i < ts->n; i++) {
        if (!word_is(&ts->v[i], "AS"))
            continue;
        size_t j = next(ts, i);
        if (j < ts->n && ts->v[j].kind == TK_WORD && ts->v[j].n == name->n &&
            strncasecmp(ts->v[j].s, name->s, name->n) == 0)
            return true;
    }
    return false;
}

/* The ORDER BY term of the n tokens at idx (spaces, ASC and DESC left
 * out) is one column, bare or qualified, that cannot be NULL: its name is
 * NOT NULL in every table (ts->nn), nothing is outer-joined, and no
 * output is named so. */
static bool term_not_null(const struct tks *ts, const size_t *idx, int n)
{
    if (!ts->nn || !(n == 1 || (n == 3 && punct_is(&ts->v[idx[1]], '.'))))
        return false;
    const struct tk *name = &ts->v[idx[n - 1]];
    if (name->kind != TK_WORD || (n == 3 && ts->v[idx[0]].kind != TK_WORD))
        return false;
    return !outer_join(ts) && !output_named(ts, name) &&
           ts->nn->has(ts->nn->ctx, name->s, name->n);
}

/* Gives each term of the ORDER BY whose BY is at i SQLite's place for
 * NULLs (SQLite sorts NULLs first ascending, last descending), unless the
 * term cannot be NULL: the clause would keep PostgreSQL from walking an
 * index in order (a sort of the whole table instead). */
static void order_by(struct tks *ts, size_t by)
{
    int d = ts->v[by].depth;
    size_t last = ts->n; /* the term's last token that is not space */
    bool nulls = false, desc = false;
    size_t idx[4];
    int n = 0;
    for (size_t i = by + 1;; i++) {
        struct tk *t = i < ts->n ? &ts->v[i] : NULL;
        bool end = !t || t->depth < d ||
                   (t->depth == d && (punct_is(t, ',') || ends_order_term(t)));
        if (end) {
            if (last < ts->n && !nulls && !term_not_null(ts, idx, n))
                ts->v[last].after = desc ? " NULLS LAST" : " NULLS FIRST";
            if (!t || t->depth < d || !punct_is(t, ','))
                return;
            last = ts->n;
            nulls = desc = false;
            n = 0;
            continue;
        }
        if (t->kind == TK_SPACE)
            continue;
        last = i;
        if (t->depth == d) {
            if (word_is(t, "NULLS"))
                nulls = true;
            desc = word_is(t, "DESC");
            if (desc || word_is(t, "ASC"))
                continue;
        }
        if (n < 4)
            idx[n] = i;
        n++;
    }
}

/* json_extract(x, '$.name') -> ((x)::json ->> 'name'). */
static int json_extract(struct tks *ts, size_t name, size_t open)
{
    size_t close = closing(ts, open);
    if (close == ts->n || args_commas(ts, open, close) != 1)
        return -1;
    size_t comma = open;
    for (size_t i = open + 1; i < close; i++)
        if (punct_is(&ts->v[i], ',') && ts->v[i].depth == ts->v[open].depth + 1)
            comma = i;
    size_t path = next(ts, comma);
    struct tk *p = &ts->v[path];
    if (p->kind != TK_STR || p->n < 5 || strncmp(p->s, "'$.", 3) != 0 ||
        next(ts, path) != close)
        return -1;
    for (size_t j = 3; j + 1 < p->n; j++)
        if (!word_char(p->s[j]))
            return -1;
    ts->v[name].drop = true;
    ts->v[open].repl = "((";
    ts->v[comma].repl = ")::json ->>";
    p->json_key = true;
    ts->v[close].repl = ")";
    return 0;
}

/* The token before i that is not space; ts->n when none. */
static size_t prev(const struct tks *ts, size_t i)
{
    while (i > 0) {
        i--;
        if (ts->v[i].kind != TK_SPACE)
            return i;
    }
    return ts->n;
}

static bool logical_before(const struct tk *t)
{
    return word_is(t, "AND") || word_is(t, "OR") || word_is(t, "NOT") ||
           word_is(t, "WHERE") || word_is(t, "WHEN") || word_is(t, "HAVING");
}

static bool logical_after(const struct tk *t)
{
    return word_is(t, "AND") || word_is(t, "OR") || word_is(t, "THEN") ||
           word_is(t, "ORDER") || word_is(t, "GROUP") || word_is(t, "LIMIT") ||
           punct_is(t, ')');
}

static bool keyword(const struct tk *t)
{
    static const char *const kw[] = {"NOT",    "NULL",  "TRUE",   "FALSE",
                                     "EXISTS", "CASE",  "SELECT", "AND",
                                     "OR",     "WHERE", "WHEN",   "THEN"};
    return word_in(t, kw, sizeof(kw) / sizeof(kw[0]));
}

/* A parameter or a column standing alone as an operand of AND, OR, NOT,
 * WHERE, WHEN or HAVING is an integer in SQLite's truth (not 0): it is
 * compared with 0, as PostgreSQL wants a boolean there. */
static void truth(struct tks *ts)
{
    for (size_t i = 0; i < ts->n; i++) {
        struct tk *t = &ts->v[i];
        if (t->kind != TK_PARAM && (t->kind != TK_WORD || keyword(t)))
            continue;
        size_t last = i; /* a.b: the operand ends at b */
        size_t j = next(ts, i);
        if (t->kind == TK_WORD && j < ts->n && punct_is(&ts->v[j], '.')) {
            size_t k = next(ts, j);
            if (k == ts->n || ts->v[k].kind != TK_WORD)
                continue;
            last = k;
            j = next(ts, k);
        }
        size_t b = prev(ts, i);
        if (b == ts->n || (t->kind == TK_WORD && punct_is(&ts->v[b], '.')))
            continue;
        bool before = logical_before(&ts->v[b]);
        /* "x IS NOT y": NOT is IS's, y a value */
        if (word_is(&ts->v[b], "NOT")) {
            size_t bb = prev(ts, b);
            if (bb < ts->n && word_is(&ts->v[bb], "IS"))
                before = false;
        }
        bool after = j == ts->n || logical_after(&ts->v[j]);
        /* "(x OR": an opening parenthesis with AND or OR after */
        if (!before && punct_is(&ts->v[b], '(') && j < ts->n &&
            (word_is(&ts->v[j], "AND") || word_is(&ts->v[j], "OR")))
            before = true;
        /* "... AND x)" of a function's arguments is not it: the '(' of a
         * call is before a name, the test above saw AND/OR/NOT/... */
        if (before && after && !word_is(&ts->v[b], "THEN")) {
            t->before = "(";
            ts->v[last].after = " <> 0)";
        }
    }
}

static bool expr_keyword(const struct tk *t)
{
    static const char *const kw[] = {
        "CASE", "WHEN",    "THEN",   "ELSE",   "END",     "AND",      "OR",
        "NOT",  "NULL",    "IS",     "IN",     "BETWEEN", "LIKE",     "CAST",
        "AS",   "INTEGER", "TEXT",   "BIGINT", "REAL",    "DISTINCT", "FROM",
        "TRUE", "FALSE",   "EXISTS", "SELECT", "excluded"};
    return word_in(t, kw, sizeof(kw) / sizeof(kw[0]));
}

/* In INSERT INTO t ... ON CONFLICT ... DO UPDATE SET a = expr [WHERE
 * cond], a column named alone in expr or cond is t's (SQLite's reading);
 * PostgreSQL finds it ambiguous with excluded's: it is written t.a. */
static void upsert_names(struct tks *ts)
{
    size_t ins = ts->n, table = ts->n;
    for (size_t i = 0; i < ts->n; i++) {
        if (ts->v[i].depth != 0)
            continue;
        if (ins == ts->n && word_is(&ts->v[i], "INSERT")) {
            size_t j = next(ts, i);
            if (j < ts->n && word_is(&ts->v[j], "INTO")) {
                ins = i;
                table = next(ts, j);
                if (table < ts->n && ts->v[table].kind != TK_WORD)
                    table = ts->n;
            }
            continue;
        }
        if (table == ts->n || !word_is(&ts->v[i], "DO"))
            continue;
        size_t u = next(ts, i), set = u < ts->n ? next(ts, u) : ts->n;
        if (u == ts->n || !word_is(&ts->v[u], "UPDATE") || set == ts->n ||
            !word_is(&ts->v[set], "SET"))
            continue;
        bool rhs = false; /* after '=' of an assignment, or in WHERE */
        for (size_t k = set + 1; k < ts->n; k++) {
            struct tk *t = &ts->v[k];
            if (t->depth == 0 && word_is(t, "RETURNING"))
                break;
            if (t->depth == 0 && word_is(t, "WHERE")) {
                rhs = true;
                continue;
            }
            if (t->depth == 0 && punct_is(t, ','))
                rhs = false;
            else if (t->depth == 0 && punct_is(t, '='))
                rhs = true;
            if (!rhs || t->kind != TK_WORD || expr_keyword(t) ||
                isdigit((unsigned char)t->s[0]))
                continue;
            size_t a = next(ts, k), b = prev(ts, k);
            if ((a < ts->n &&
                 (punct_is(&ts->v[a], '.') || punct_is(&ts->v[a], '('))) ||
                (b < ts->n && punct_is(&ts->v[b], '.')))
                continue;
            /* the table's name, then the column (window quoted) */
            t->qual = &ts->v[table];
        }
        return;
    }
}

static bool clause_keyword(const struct tk *t)
{
    static const char *const kw[] = {
        "WHERE",  "ORDER",     "GROUP",  "LIMIT",  "UNION",
        "EXCEPT", "INTERSECT", "ON",     "JOIN",   "LEFT",
        "INNER",  "CROSS",     "HAVING", "OFFSET", "RETURNING",
        "USING",  "NATURAL",   "FULL",   "RIGHT",  "WINDOW"};
    return word_in(t, kw, sizeof(kw) / sizeof(kw[0]));
}

/* A subquery in FROM or JOIN without a name gets one (PostgreSQL 15
 * wants it; SQLite does not). */
static void subquery_names(struct tks *ts)
{
    long named = 0;
    for (size_t i = 0; i < ts->n; i++) {
        if (!punct_is(&ts->v[i], '('))
            continue;
        size_t b = prev(ts, i), a = next(ts, i);
        if (b == ts->n || a == ts->n ||
            !(word_is(&ts->v[b], "FROM") || word_is(&ts->v[b], "JOIN")) ||
            !(word_is(&ts->v[a], "SELECT") || word_is(&ts->v[a], "VALUES")))
            continue;
        size_t close = closing(ts, i);
        if (close == ts->n)
            continue;
        size_t after = next(ts, close);
        if (after < ts->n &&
            (ts->v[after].kind == TK_WORD || ts->v[after].kind == TK_QNAME) &&
            !clause_keyword(&ts->v[after]))
            continue; /* named already (AS x, or x) */
        ts->v[close].after = " AS sq_";
        ts->v[close].sub_n = ++named;
    }
}

/* LIMIT x: a negative x is no limit in SQLite, an error in PostgreSQL,
 * whose "no limit" is NULL: LIMIT NULLIF(GREATEST(x, -1), -1). */
static void limits(struct tks *ts)
{
    for (size_t i = 0; i < ts->n; i++) {
        if (!word_is(&ts->v[i], "LIMIT"))
            continue;
        int d = ts->v[i].depth;
        size_t first = next(ts, i), last = ts->n;
        for (size_t k = first; k < ts->n; k++) {
            const struct tk *t = &ts->v[k];
            if (t->depth < d ||
                (t->depth == d &&
                 (word_is(t, "OFFSET") || word_is(t, "UNION") ||
                  word_is(t, "EXCEPT") || word_is(t, "INTERSECT") ||
                  word_is(t, "RETURNING") || punct_is(t, ';') ||
                  punct_is(t, ','))))
                break;
            if (t->kind != TK_SPACE)
                last = k;
        }
        if (first >= ts->n || last == ts->n || ts->v[first].before ||
            ts->v[last].after)
            continue;
        ts->v[first].before = "NULLIF(GREATEST(";
        ts->v[last].after = ", -1), -1)";
    }
}

/* SQLite's hints to its planner, which PostgreSQL does not take:
 * "INDEXED BY name" and "NOT INDEXED" are dropped, and so is a unary '+'
 * that keeps SQLite from using an index (AND +r.state = 'open'). */
static void planner_hints(struct tks *ts)
{
    static const char *const before_operand[] = {
        "AND",  "OR",   "NOT",    "WHERE", "ON",     "WHEN",
        "THEN", "ELSE", "SELECT", "BY",    "HAVING", "IN"};
    for (size_t i = 0; i < ts->n; i++) {
        struct tk *t = &ts->v[i];
        if (word_is(t, "INDEXED")) {
            size_t b = prev(ts, i), by = next(ts, i);
            size_t last = i;
            if (b < ts->n && word_is(&ts->v[b], "NOT"))
                ts->v[b].drop = true;
            else if (by < ts->n && word_is(&ts->v[by], "BY") &&
                     next(ts, by) < ts->n)
                last = next(ts, by);
            for (size_t k = i; k <= last; k++)
                ts->v[k].drop = true;
            continue;
        }
        if (!punct_is(t, '+'))
            continue;
        size_t b = prev(ts, i);
        if (b < ts->n &&
            (word_in(&ts->v[b], before_operand,
                     sizeof(before_operand) / sizeof(before_operand[0])) ||
             punct_is(&ts->v[b], '(') || punct_is(&ts->v[b], ',') ||
             punct_is(&ts->v[b], '=') || punct_is(&ts->v[b], '<') ||
             punct_is(&ts->v[b], '>')))
            t->drop = true;
    }
}

static int rewrite(struct tks *ts)
{
    planner_hints(ts);
    truth(ts);
    limits(ts);
    subquery_names(ts);
    upsert_names(ts);
    size_t conflict_at = ts->n; /* ON CONFLICT DO NOTHING goes before it */
    bool ignore = false;
    for (size_t i = 0; i < ts->n; i++) {
        struct tk *t = &ts->v[i];
        if (t->kind == TK_BLOB) {
            t->before = "'\\x";
            continue;
        }
        if (t->kind != TK_WORD)
            continue;
        /* a name PostgreSQL reserves (the store's SQL never uses it as
         * a keyword) */
        if (word_is(t, "window")) {
            t->before = "\"";
            t->after = "\"";
            continue;
        }
        size_t j = next(ts, i);
        struct tk *u = j < ts->n ? &ts->v[j] : NULL;
        if (word_is(t, "INSERT") && u && word_is(u, "OR")) {
            size_t k = next(ts, j);
            if (k < ts->n && word_is(&ts->v[k], "IGNORE")) {
                ignore = true;
                for (size_t x = i + 1; x <= k; x++)
                    ts->v[x].drop = true;
            }
        } else if (word_is(t, "RETURNING") && t->depth == 0) {
            conflict_at = i;
        } else if (word_is(t, "ORDER") && u && word_is(u, "BY")) {
            order_by(ts, j);
        } else if (word_is(t, "IS") && u) {
            if (word_is(u, "NOT")) {
                size_t k = next(ts, j);
                if (k < ts->n && !word_is(&ts->v[k], "NULL") &&
                    !word_is(&ts->v[k], "DISTINCT")) {
                    t->repl = "IS DISTINCT FROM";
                    for (size_t x = i + 1; x <= j; x++)
                        ts->v[x].drop = true;
                }
            } else if (!word_is(u, "NULL") && !word_is(u, "DISTINCT") &&
                       !word_is(u, "TRUE") && !word_is(u, "FALSE")) {
                t->repl = "IS NOT DISTINCT FROM";
            }
        } else if (u && punct_is(u, '(')) {
            size_t close = closing(ts, j);
            if (close == ts->n)
                return -1;
            if (word_is(t, "substr") && args_commas(ts, j, close) == 1) {
                /* substr(x, -n): the last n characters */
                size_t c = j;
                for (size_t x = j + 1; x < close; x++)
                    if (punct_is(&ts->v[x], ',') &&
                        ts->v[x].depth == ts->v[j].depth + 1)
                        c = x;
                size_t m = next(ts, c), num = next(ts, m);
                if (punct_is(&ts->v[m], '-') && num < ts->n &&
                    next(ts, num) == close) {
                    t->repl = "right";
                    ts->v[m].drop = true;
                }
            } else if (word_is(t, "instr"))
                t->repl = "strpos";
            else if (word_is(t, "ifnull"))
                t->repl = "coalesce";
            else if (word_is(t, "group_concat")) {
                t->repl = "string_agg";
                if (args_commas(ts, j, close) == 0)
                    ts->v[close].before = ", ','";
            } else if (word_is(t, "max") && args_commas(ts, j, close) > 0)
                t->repl = "GREATEST";
            else if (word_is(t, "min") && args_commas(ts, j, close) > 0)
                t->repl = "LEAST";
            else if (word_is(t, "json_each")) {
                t->repl = "json_array_elements_text";
                ts->v[j].after = "(";
                ts->v[close].before = ")::json";
            } else if (word_is(t, "json_array_length")) {
                ts->v[j].after = "(";
                ts->v[close].before = ")::json";
            } else if (word_is(t, "json_extract")) {
                if (json_extract(ts, i, j))
                    return -1;
            }
        }
    }
    if (ignore) {
        if (conflict_at < ts->n)
            ts->v[conflict_at].before = "ON CONFLICT DO NOTHING ";
        else if (ts->n)
            ts->v[ts->n - 1].tail = " ON CONFLICT DO NOTHING";
    }
    return 0;
}

static void write_tokens(const struct tks *ts, struct buf *b)
{
    for (size_t i = 0; i < ts->n; i++) {
        const struct tk *t = &ts->v[i];
        if (t->qual) {
            buf_add(b, t->qual->s, t->qual->n);
            buf_adds(b, ".");
        }
        if (t->before)
            buf_adds(b, t->before);
        if (!t->drop) {
            if (t->repl)
                buf_adds(b, t->repl);
            else if (t->kind == TK_PARAM)
                buf_addf(b, "$%ld", t->param);
            else if (t->kind == TK_BLOB)
                buf_add(b, t->s + 2, t->n - 2);
            else if (t->json_key) {
                buf_adds(b, "'");
                buf_add(b, t->s + 3, t->n - 3);
            } else
                buf_add(b, t->s, t->n);
        }
        if (t->kind == TK_BLOB)
            buf_adds(b, "::bytea");
        if (t->after)
            buf_adds(b, t->after);
        if (t->after && t->sub_n)
            buf_addf(b, "%ld", t->sub_n);
        if (t->tail)
            buf_adds(b, t->tail);
    }
}

char *pg_sql_translate(const char *sql, int *nparams, bool *used)
{
    return pg_sql_translate_nn(sql, nparams, used, NULL);
}

char *pg_sql_translate_nn(const char *sql, int *nparams, bool *used,
                          const struct pg_notnull *nn)
{
    if (used)
        memset(used, 0, 64 * sizeof(*used));
    struct tks ts = {.nn = nn};
    char *out = NULL;
    long max = 0;
    if (!tokenize(sql, &ts) && !rewrite(&ts)) {
        for (size_t i = 0; i < ts.n; i++)
            if (ts.v[i].kind == TK_PARAM) {
                if (ts.v[i].param > max)
                    max = ts.v[i].param;
                if (used && ts.v[i].param <= 64)
                    used[ts.v[i].param - 1] = true;
            }
        struct buf b = BUF_INIT;
        write_tokens(&ts, &b);
        out = buf_detach(&b);
    }
    if (nparams)
        *nparams = out ? (int)max : 0;
    free(ts.v);
    return out;
}
