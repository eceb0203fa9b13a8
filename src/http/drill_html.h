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
 * CSV cells (quotes doubled; a leading =, +, - or @ is defused with '). */
char *http_drill_csv(json_t *rep, size_t *len);
/* A bilingual page: reach within a day, change against the previous drill,
 * an SVG chart of the acknowledged share over time per CEPTOAR, a table per
 * CEPTOAR and the organisations not reached. */
char *http_drill_html(json_t *rep, size_t *len);

#endif
