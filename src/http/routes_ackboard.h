/*
 * routes_ackboard.h - the acknowledgement board's presentation
 * (http/routes_ackboard.c).
 */
#ifndef INFRASHARE_ROUTES_ACKBOARD_H
#define INFRASHARE_ROUTES_ACKBOARD_H

#include <jansson.h>

#include "common/common.h"

/* ans is advisory_deliveries' answer: its items as CSV (one row each;
 * quotes doubled; a leading =, +, -, @, tab or CR defused with '), a
 * malloc'd text of *len bytes; NULL (never cut short) past cap or out of
 * memory. */
#define HTTP_DELIVERIES_CAP ((size_t)32 * 1024 * 1024)
char *http_deliveries_csv(const json_t *ans, size_t cap, size_t *len)
    __attribute__((warn_unused_result));

#endif
