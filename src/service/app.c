#include "service/app.h"

#include "common/util.h"

#include <string.h>

int64_t app_now(const struct app *a)
{
    return a && a->clock ? a->clock(a) : util_now();
}

void svc_field(struct svc_error *e, const char *field)
{
    /* a field's name may quote a key of the request (an unknown field of
     * a scenario file): one too long is cut at a character's boundary,
     * never refused (fuzz/fuzz_scenario.c found the abort) */
    if (!field)
        field = "";
    if (util_copy(e->field, sizeof(e->field), field)) {
        size_t n = sizeof(e->field) - 4;
        while (n > 0 && ((unsigned char)field[n] & 0xC0) == 0x80)
            n--;
        memcpy(e->field, field, n);
        memcpy(e->field + n, "...", 4);
    }
}

int svc_fail(struct svc_error *e, enum is_err err, const char *code,
             const char *field, const char *fmt, ...)
{
    e->err = err;
    util_xcopy(e->code, sizeof(e->code), code);
    svc_field(e, field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return err;
}

int svc_query_long(const char *name, const char *text, long dflt, long min,
                   long max, long *out, struct svc_error *e)
{
    *out = dflt;
    if (!text || !util_parse_long(text, min, max, out))
        return IS_OK;
    long v;
    bool number = !util_parse_long_simple(text, &v);
    *out = dflt;
    return svc_fail(e, IS_ERR_INVALID, number ? "out_of_range" : "invalid_type",
                    name, "%s: must be an integer from %ld to %ld", name, min,
                    max);
}

json_t *svc_time_json(int64_t t)
{
    if (!t)
        return json_null();
    char ts[UTIL_TIME_LEN];
    util_time_rfc3339(t, ts);
    return json_string(ts);
}
