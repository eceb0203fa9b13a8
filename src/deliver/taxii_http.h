/*
 * taxii_http.h - one HTTP exchange with a remote TAXII 2.1 server for the
 * TAXII client (service/taxii_sync.c; docs/taxii.md "Peers"), by libcurl:
 * http and https only, no redirect followed (a redirect is an answer the
 * caller refuses with its reason), a total timeout and a stall limit, the
 * answer's body capped.
 */
#ifndef INFRASHARE_DELIVER_TAXII_HTTP_H
#define INFRASHARE_DELIVER_TAXII_HTTP_H

#include <stddef.h>

#include "common/buf.h"

struct taxii_http {
    long status;        /* the HTTP status (0: no answer) */
    char ctype[128];    /* Content-Type ("" when none) */
    char location[256]; /* Location of a redirect */
    char date_last[64]; /* X-TAXII-Date-Added-Last */
    struct buf body;    /* the answer's body, at most max bytes */
    char err[256];      /* why there is no usable answer */
};

/* GET (body NULL) or POST (body, len, as application/taxii+json) of url
 * with the Authorization value authz. IS_OK when an answer came (out->status
 * set, whatever it is); IS_ERR_IO with out->err (no connection, timeout,
 * stall, a body over max bytes). out->body is the caller's to release
 * (taxii_http_release) in both cases. */
int taxii_http(const char *url, const char *authz, const char *body, size_t len,
               long timeout_s, size_t max, struct taxii_http *out);
void taxii_http_release(struct taxii_http *h);

#endif
