#include "common/log.h"

#include <jansson.h>
#include <math.h>
#include <unistd.h>

#include "common/util.h"

static enum log_level log_min = LOG_INFO;
static int log_fd = 2;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level min)
{
    log_min = min;
}

void log_set_fd(int fd)
{
    log_fd = fd;
}

/* The time of a line, RFC 3339 to the second (made once a second per
 * thread). */
static const char *line_time(void)
{
    static _Thread_local int64_t sec = INT64_MIN;
    static _Thread_local char ts[UTIL_TIME_LEN];
    int64_t now = util_now();
    if (now != sec) {
        util_time_rfc3339(now, ts);
        sec = now;
    }
    return ts;
}

/* The object of a line: ts, level, msg (the fields follow). */
static json_t *line_head(enum log_level lvl, const char *msg)
{
    const char *ts = line_time();
    json_t *o = json_object();
    json_object_set_new(o, "ts", json_string(ts));
    json_object_set_new(o, "level", json_string(level_names[lvl]));
    json_object_set_new(o, "msg", json_string(msg));
    return o;
}

/* Writes o as one line with one write(2); takes o. */
static void line_emit(json_t *o)
{
    char *line = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (!line)
        return;
    size_t n = strlen(line);
    char *out = malloc(n + 2);
    if (out) {
        memcpy(out, line, n);
        out[n] = '\n';
        ssize_t w = write(log_fd, out, n + 1);
        IS_UNUSED(w);
        free(out);
    }
    free(line);
}

void log_event(enum log_level lvl, const char *msg, ...)
{
    va_list ap;
    va_start(ap, msg);
    if (lvl < log_min) {
        /* release the stolen references */
        for (const char *k = va_arg(ap, const char *); k;
             k = va_arg(ap, const char *))
            json_decref(va_arg(ap, json_t *));
        va_end(ap);
        return;
    }
    json_t *o = line_head(lvl, msg);
    for (const char *k = va_arg(ap, const char *); k;
         k = va_arg(ap, const char *)) {
        json_t *v = va_arg(ap, json_t *);
        json_object_set_new(o, k, v ? v : json_null());
    }
    va_end(ap);
    line_emit(o);
}

/* ---- log_fields: the same line without building JSON values ---- */

struct line {
    char b[1024];
    size_t n;
    bool bad; /* too long, or text that needs escaping: use jansson */
};

static void put(struct line *l, const char *s, size_t n)
{
    if (l->bad || n > sizeof(l->b) - 2 - l->n) { /* keep room for '\n' */
        l->bad = true;
        return;
    }
    memcpy(l->b + l->n, s, n);
    l->n += n;
}

/* A JSON string as json_dumps writes it, for text that needs no escape
 * (printable ASCII without '"' and '\'); anything else (escapes, UTF-8,
 * bytes that are not UTF-8) goes to the jansson path. */
static void put_str(struct line *l, const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char ch = (unsigned char)s[n];
        if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') {
            l->bad = true;
            return;
        }
    }
    put(l, "\"", 1);
    put(l, s, n);
    put(l, "\"", 1);
}

/* A real as jansson 2.14 writes it with JSON_REAL_PRECISION(6)
 * (jsonp_dtostr): "%.6g", ".0" added when neither '.' nor 'e' is in it, no
 * '+' or leading zeros in the exponent. Not finite: null (json_real
 * refuses it). */
static void put_real(struct line *l, double d)
{
    if (!isfinite(d)) {
        put(l, "null", 4);
        return;
    }
    char t[40];
    int k = snprintf(t, sizeof(t), "%.6g", d);
    if (k <= 0 || (size_t)k >= sizeof(t) - 3) {
        l->bad = true;
        return;
    }
    size_t n = (size_t)k;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789.-e+", t[i])) { /* a locale's separator */
            l->bad = true;
            return;
        }
    if (!strchr(t, '.') && !strchr(t, 'e')) {
        memcpy(t + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(t, 'e');
    if (e) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, n - (size_t)(end - t) + 1);
            n -= (size_t)(end - start);
        }
    }
    put(l, t, n);
}

/* The jansson object of the same line (the fallback). */
static json_t *fields_object(enum log_level lvl, const char *msg,
                             const struct log_field *f, size_t n)
{
    json_t *o = line_head(lvl, msg);
    for (size_t i = 0; i < n; i++) {
        json_t *v = NULL;
        switch (f[i].type) {
        case LOG_F_STR: v = f[i].s ? json_string(f[i].s) : NULL; break;
        case LOG_F_INT: v = json_integer((json_int_t)f[i].i); break;
        case LOG_F_REAL: v = json_real(f[i].d); break;
        case LOG_F_NULL: break;
        }
        json_object_set_new(o, f[i].name, v ? v : json_null());
    }
    return o;
}

void log_fields(enum log_level lvl, const char *msg, const struct log_field *f,
                size_t n)
{
    if (lvl < log_min)
        return;
    struct line l;
    l.n = 0;
    l.bad = false;
    put(&l, "{\"ts\":", 6);
    put_str(&l, line_time());
    put(&l, ",\"level\":", 9);
    put_str(&l, level_names[lvl]);
    put(&l, ",\"msg\":", 7);
    put_str(&l, msg);
    for (size_t i = 0; i < n && !l.bad; i++) {
        put(&l, ",", 1);
        put_str(&l, f[i].name);
        put(&l, ":", 1);
        switch (f[i].type) {
        case LOG_F_STR:
            if (f[i].s)
                put_str(&l, f[i].s);
            else
                put(&l, "null", 4);
            break;
        case LOG_F_INT: {
            char t[24];
            int k = snprintf(t, sizeof(t), "%lld", (long long)f[i].i);
            put(&l, t, k > 0 ? (size_t)k : 0);
            break;
        }
        case LOG_F_REAL: put_real(&l, f[i].d); break;
        case LOG_F_NULL: put(&l, "null", 4); break;
        }
    }
    put(&l, "}", 1);
    if (l.bad) {
        line_emit(fields_object(lvl, msg, f, n));
        return;
    }
    l.b[l.n++] = '\n';
    ssize_t w = write(log_fd, l.b, l.n);
    IS_UNUSED(w);
}
