/*
 * taxii_http.c - see deliver/taxii_http.h.
 */
#include "deliver/taxii_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "common/util.h"
#include "core/taxii.h"

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct taxii_http *h = ctx;
    size_t len = size * n;
    if (buf_add(&h->body, data, len))
        return 0; /* past the cap: curl stops with a write error */
    return len;
}

/* A header line "Name: value\r\n" into dst when it is name's. */
static void header_value(const char *line, size_t n, const char *name,
                         char *dst, size_t dstlen)
{
    size_t nl = strlen(name);
    if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    size_t vl = n - nl - 1;
    while (vl && (*v == ' ' || *v == '\t')) {
        v++;
        vl--;
    }
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
        vl--;
    if (vl >= dstlen)
        vl = dstlen - 1;
    memcpy(dst, v, vl);
    dst[vl] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    struct taxii_http *h = ctx;
    size_t len = size * n;
    header_value(data, len, "Content-Type", h->ctype, sizeof(h->ctype));
    header_value(data, len, "Location", h->location, sizeof(h->location));
    header_value(data, len, "X-TAXII-Date-Added-Last", h->date_last,
                 sizeof(h->date_last));
    return len;
}

int taxii_http(const char *url, const char *authz, const char *body, size_t len,
               long timeout_s, size_t max, struct taxii_http *out)
{
    memset(out, 0, sizeof(*out));
    buf_init(&out->body, max);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(out->err, sizeof(out->err), "the HTTP client failed to start");
        return IS_ERR_IO;
    }
    struct curl_slist *hdr = NULL;
    char auth[640];
    snprintf(auth, sizeof(auth), "Authorization: %s", authz ? authz : "");
    hdr = curl_slist_append(hdr, "Accept: " TAXII_MEDIA);
    if (authz)
        hdr = curl_slist_append(hdr, auth);
    if (body)
        hdr = curl_slist_append(hdr, "Content-Type: " TAXII_MEDIA);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                     timeout_s < 10 ? timeout_s : 10L);
    /* a server that stalls: under 1 byte/s for 5 s */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, timeout_s < 5 ? timeout_s : 5L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "infrashare-taxii/1");
    if (body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    int ret = IS_OK;
    if (rc == CURLE_WRITE_ERROR && buf_error(&out->body)) {
        snprintf(out->err, sizeof(out->err),
                 "the answer is larger than %zu bytes", max);
        ret = IS_ERR_IO;
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        /* the low-speed limit and the whole-exchange limit end the same
         * way: the time spent tells which one it was */
        double spent = 0, connected = 0;
        curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &spent);
        curl_easy_getinfo(c, CURLINFO_CONNECT_TIME, &connected);
        if (connected <= 0)
            snprintf(out->err, sizeof(out->err), "no connection within %.0f s",
                     spent);
        else if (spent < (double)timeout_s - 0.5)
            snprintf(out->err, sizeof(out->err),
                     "the server stalled (under 1 byte/s for %ld s; gave up "
                     "after %.0f s)",
                     timeout_s < 5 ? timeout_s : 5L, spent);
        else
            snprintf(out->err, sizeof(out->err),
                     "no complete answer within %ld s (the server is too "
                     "slow or stalled)",
                     timeout_s);
        ret = IS_ERR_IO;
    } else if (rc != CURLE_OK) {
        if (util_copy(out->err, sizeof(out->err), curl_easy_strerror(rc)))
            out->err[0] = '\0';
        ret = IS_ERR_IO;
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    return ret;
}

void taxii_http_release(struct taxii_http *h)
{
    buf_release(&h->body);
}
