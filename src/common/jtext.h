/*
 * jtext.h - a JSON value as compact text, fast: the same bytes as
 * jansson's json_dumps(j, JSON_COMPACT) for what the hub stores (objects
 * in insertion order, strings with the same escapes, integers, reals,
 * true/false/null), written into a struct buf with runs of plain bytes
 * copied at once. jansson's own dump escapes byte by byte through
 * callbacks: it was a sixth of parsing a submitted e-mail (issue 13).
 * Strings must be valid UTF-8 (jansson's constructors check it; callers
 * of json_stringn_nocheck guarantee it): they are not checked again.
 */
#ifndef INFRASHARE_JTEXT_H
#define INFRASHARE_JTEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"

/* Appends j's compact text to b. IS_OK, or b's error (IS_ERR_NOMEM,
 * IS_ERR_TOO_LARGE past its cap), or IS_ERR_INVALID for a value JSON has
 * no text for (a real that is not finite, nesting past 2,048 levels). */
int jtext_dump(const json_t *j, struct buf *b);
/* The compact text as a malloc'd, NUL-terminated string (NULL when out
 * of memory or j has no text), the caller's to free(); *len its length
 * when len is not NULL. */
char *jtext_dumps(const json_t *j, size_t *len);
/* A finite real's JSON text into out (len >= 32 holds any): the fewest
 * significant digits (15 to 17) that read back as d, with ".0" when it
 * would read as a whole number. Where the hub's answers differ from
 * json_dumps, which writes 17 digits (0.92000000000000004). */
void jtext_real(double d, char *out, size_t len);

/* ---- writing JSON text directly ----
 * For a hot answer built from stored rows (a list page of 50 reports):
 * the same compact text a json_t built in the same order would dump to,
 * without building the json_t. Keys and values go in order; commas and
 * colons are the writer's. Strings must be valid UTF-8 as for jtext_dump;
 * a NULL string is written as null. Nesting is at most JW_MAX_DEPTH
 * levels (a deeper jw_obj/jw_arr sets the buffer's error). */
#define JW_MAX_DEPTH 16
struct jw {
    struct buf *b;
    int depth;
    bool after_key;
    bool comma[JW_MAX_DEPTH + 1]; /* a value at that level came before */
};
void jw_init(struct jw *w, struct buf *b);
void jw_obj(struct jw *w); /* '{' */
void jw_arr(struct jw *w); /* '[' */
void jw_end_obj(struct jw *w);
void jw_end_arr(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);
void jw_int(struct jw *w, long long v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* j's compact text as the next value (NULL: null). */
void jw_json(struct jw *w, const json_t *j);
/* key and value at once */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, long long v);
void jw_kbool(struct jw *w, const char *key, bool v);
/* A time as RFC 3339 text (util_time_rfc3339), or null for 0 ("none"). */
void jw_ktime(struct jw *w, const char *key, int64_t t);

#endif
