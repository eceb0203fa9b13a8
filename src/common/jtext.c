/*
 * jtext.c - see jtext.h.
 */
#include "common/jtext.h"

#include "common/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JTEXT_MAX_DEPTH 2048

/* Appends n bytes: in place when they fit the allocation (a page of 50
 * summaries makes some 7,000 small appends), within b's cap; else through
 * buf_add, which grows the buffer, or sets its error past the cap. */
static inline void put_raw(struct buf *b, const char *s, size_t n)
{
    if (!b->err && b->data && n < b->alloc - b->len && b->cap &&
        n <= b->cap - b->len) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return;
    }
    buf_add(b, s, n);
}

/* Escapes as jansson does without JSON_ENSURE_ASCII / JSON_ESCAPE_SLASH:
 * '"' and '\\', the short forms \b \f \n \r \t, other control characters
 * as \u00XX; everything else (UTF-8 included) as it is. */
static void put_string(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    put_raw(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        /* 8 bytes that need no escape at once */
        while (n - i >= 8) {
            uint64_t w = util_w8(s + i);
            if (util_w8_below(w, 0x20) || util_w8_has(w, '"') ||
                util_w8_has(w, '\\'))
                break;
            i += 8;
        }
        if (i == n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (i > run)
            put_raw(b, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t k = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        put_raw(b, esc, k);
    }
    if (n > run)
        put_raw(b, s + run, n - run);
    put_raw(b, "\"", 1);
}

static int dump(const json_t *j, struct buf *b, int depth)
{
    if (depth > JTEXT_MAX_DEPTH)
        return IS_ERR_INVALID;
    char num[64];
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        put_raw(b, "{", 1);
        const char *key;
        json_t *v;
        bool first = true;
        json_object_foreach ((json_t *)j, key, v) {
            if (!first)
                put_raw(b, ",", 1);
            first = false;
            put_string(b, key, strlen(key));
            put_raw(b, ":", 1);
            int rc = dump(v, b, depth + 1);
            if (rc)
                return rc;
        }
        put_raw(b, "}", 1);
        break;
    }
    case JSON_ARRAY: {
        put_raw(b, "[", 1);
        size_t i;
        json_t *v;
        json_array_foreach (j, i, v) {
            if (i)
                put_raw(b, ",", 1);
            int rc = dump(v, b, depth + 1);
            if (rc)
                return rc;
        }
        put_raw(b, "]", 1);
        break;
    }
    case JSON_STRING:
        put_string(b, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER: {
        int n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                         json_integer_value(j));
        put_raw(b, num, (size_t)n);
        break;
    }
    case JSON_REAL: {
        double d = json_real_value(j);
        if (!isfinite(d))
            return IS_ERR_INVALID;
        jtext_real(d, num, sizeof(num));
        put_raw(b, num, strlen(num));
        break;
    }
    case JSON_TRUE: put_raw(b, "true", 4); break;
    case JSON_FALSE: put_raw(b, "false", 5); break;
    case JSON_NULL: put_raw(b, "null", 4); break;
    }
    return IS_OK;
}

void jtext_real(double d, char *out, size_t len)
{
    /* the fewest significant digits, of 15, 16 and 17, that read back as
     * d (17 always do): 0.92, where jansson's json_dumps writes
     * 0.92000000000000004. The "C" locale's '.' (the daemon sets none). */
    int n = 0;
    for (int p = 15; p <= 17; p++) {
        n = snprintf(out, len, "%.*g", p, d);
        if (n < 0 || (size_t)n >= len || strtod(out, NULL) == d)
            break;
    }
    /* still a real when it reads as a whole number (as jansson: 5.0) */
    if (n > 0 && (size_t)n + 2 < len && !strpbrk(out, ".eEn"))
        memcpy(out + n, ".0", 3);
}

int jtext_dump(const json_t *j, struct buf *b)
{
    if (!j)
        return IS_ERR_INVALID;
    int rc = dump(j, b, 0);
    return rc ? rc : buf_error(b);
}

char *jtext_dumps(const json_t *j, size_t *len)
{
    struct buf b;
    buf_init(&b, 0);
    if (jtext_dump(j, &b)) {
        buf_release(&b);
        return NULL;
    }
    if (len)
        *len = b.len;
    char *s = buf_detach(&b);
    return s;
}

/* ---- the writer ---- */

void jw_init(struct jw *w, struct buf *b)
{
    memset(w, 0, sizeof(*w));
    w->b = b;
}

/* Before a value: the comma after the previous value of this level, none
 * right after a key. */
static void jw_pre(struct jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->comma[w->depth])
        put_raw(w->b, ",", 1);
    w->comma[w->depth] = true;
}

static void jw_open(struct jw *w, const char *c)
{
    jw_pre(w);
    if (w->depth >= JW_MAX_DEPTH) {
        buf_set_error(w->b, IS_ERR_INVALID);
        return;
    }
    put_raw(w->b, c, 1);
    w->comma[++w->depth] = false;
}

static void jw_close(struct jw *w, const char *c)
{
    put_raw(w->b, c, 1);
    if (w->depth > 0)
        w->depth--;
}

void jw_obj(struct jw *w)
{
    jw_open(w, "{");
}

void jw_arr(struct jw *w)
{
    jw_open(w, "[");
}

void jw_end_obj(struct jw *w)
{
    jw_close(w, "}");
}

void jw_end_arr(struct jw *w)
{
    jw_close(w, "]");
}

void jw_key(struct jw *w, const char *key)
{
    jw_pre(w);
    put_string(w->b, key, strlen(key));
    put_raw(w->b, ":", 1);
    w->after_key = true;
}

void jw_str(struct jw *w, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    /* what json_string would refuse is not written as a string */
    if (!s || !util_utf8_valid(s, n)) {
        jw_null(w);
        return;
    }
    jw_pre(w);
    put_string(w->b, s, n);
}

void jw_int(struct jw *w, long long v)
{
    jw_pre(w);
    char num[24], *p = num + sizeof(num);
    unsigned long long u =
        v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    put_raw(w->b, p, (size_t)(num + sizeof(num) - p));
}

void jw_bool(struct jw *w, bool v)
{
    jw_pre(w);
    if (v)
        put_raw(w->b, "true", 4);
    else
        put_raw(w->b, "false", 5);
}

void jw_null(struct jw *w)
{
    jw_pre(w);
    put_raw(w->b, "null", 4);
}

void jw_json(struct jw *w, const json_t *j)
{
    if (!j) {
        jw_null(w);
        return;
    }
    jw_pre(w);
    int rc = dump(j, w->b, w->depth);
    if (rc)
        buf_set_error(w->b, rc);
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kint(struct jw *w, const char *key, long long v)
{
    jw_key(w, key);
    jw_int(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_bool(w, v);
}

void jw_ktime(struct jw *w, const char *key, int64_t t)
{
    jw_key(w, key);
    if (!t) {
        jw_null(w);
        return;
    }
    char ts[UTIL_TIME_LEN + 1]; /* quoted; the text needs no escape */
    util_time_rfc3339(t, ts + 1);
    ts[0] = '"';
    ts[UTIL_TIME_LEN] = '"';
    jw_pre(w);
    put_raw(w->b, ts, UTIL_TIME_LEN + 1);
}
