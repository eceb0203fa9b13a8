#include "service/app.h"

#include "common/util.h"

int64_t app_now(const struct app *a)
{
    return a && a->clock ? a->clock(a) : util_now();
}

int svc_fail(struct svc_error *e, enum is_err err, const char *code,
             const char *field, const char *fmt, ...)
{
    e->err = err;
    util_xcopy(e->code, sizeof(e->code), code);
    util_xcopy(e->field, sizeof(e->field), field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return err;
}

json_t *svc_time_json(int64_t t)
{
    if (!t)
        return json_null();
    char ts[UTIL_TIME_LEN];
    util_time_rfc3339(t, ts);
    return json_string(ts);
}
