#include "common/log.h"

#include <jansson.h>
#include <unistd.h>

#include "common/util.h"

static enum log_level log_min = LOG_INFO;
static int log_fd = 2;

void log_set_level(enum log_level min)
{
    log_min = min;
}

void log_set_fd(int fd)
{
    log_fd = fd;
}

void log_event(enum log_level lvl, const char *msg, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
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
    char ts[UTIL_TIME_LEN];
    util_time_rfc3339(util_now(), ts);
    json_t *o = json_object();
    json_object_set_new(o, "ts", json_string(ts));
    json_object_set_new(o, "level", json_string(names[lvl]));
    json_object_set_new(o, "msg", json_string(msg));
    for (const char *k = va_arg(ap, const char *); k;
         k = va_arg(ap, const char *)) {
        json_t *v = va_arg(ap, json_t *);
        json_object_set_new(o, k, v ? v : json_null());
    }
    va_end(ap);
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
