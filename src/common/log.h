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

#endif
