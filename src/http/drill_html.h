/*
 * drill_html.h - presentation of a drill's report (http/drill_html.c).
 */
#ifndef INFRASHARE_DRILL_HTML_H
#define INFRASHARE_DRILL_HTML_H

#include <jansson.h>

#include "common/common.h"

/* rep is the JSON drill_report (service/provision.h) returns. Each returns
 * a malloc'd text (the caller frees it) and its length in *len. Every text
 * from the report is escaped for its format: HTML text (<, >, &, ") and
 * CSV cells (quotes doubled; a leading =, +, - or @ is defused with ').
 * The text may grow to cap bytes (HTTP_DRILL_CAP in the daemon); past it,
 * or out of memory, each returns NULL (never a cut-short text): the caller
 * answers 500. */
#define HTTP_DRILL_CAP ((size_t)32 * 1024 * 1024)
char *http_drill_csv(json_t *rep, size_t cap, size_t *len)
    __attribute__((warn_unused_result));
/* A bilingual page: reach within a day, change against the previous drill,
 * an SVG chart of the acknowledged share over time per CEPTOAR, a table per
 * CEPTOAR and the organisations not reached. */
char *http_drill_html(json_t *rep, size_t cap, size_t *len)
    __attribute__((warn_unused_result));

#endif
