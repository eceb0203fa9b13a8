/*
 * log.h - structured log lines: one JSON object per line on stderr.
 *
 * log_event(LOG_INFO, "listening", "port", json_integer(8080), NULL)
 * Fields are name/json_t* pairs (the reference is stolen), ended by NULL.
 * Never pass secrets (passwords, tokens, cookies, CSRF values) or the body of
 * a Red/Amber item: callers log identifiers and outcomes only.
 * Thread-safe: each line is written with one write(2).
 */
#ifndef INFRASHARE_LOG_H
#define INFRASHARE_LOG_H

#include "common/common.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level min);
void log_set_fd(int fd);
void log_event(enum log_level lvl, const char *msg, ...);
/* log_fields: the line log_event writes for the same fields, byte for
 * byte, made without JSON values (the request log of every request:
 * http/server.c). A string field with NULL, and LOG_F_NULL, are null;
 * text that needs escaping is written through jansson as log_event does. */
enum log_field_type { LOG_F_STR, LOG_F_INT, LOG_F_REAL, LOG_F_NULL };
struct log_field {
    const char *name;
    enum log_field_type type;
    const char *s;
    int64_t i;
    double d;
};
void log_fields(enum log_level lvl, const char *msg, const struct log_field *f,
                size_t n);

#endif
