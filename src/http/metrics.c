/*
 * metrics.c - request counters by route and status, a latency histogram per
 * route, delivery outcomes and store errors, in Prometheus text format.
 * Lock-free (atomics).
 *
 * What is published (docs/rules.md "Metrics access"): only to a scraper that
 * sends the metrics bearer token (--metrics-token-file), and even then
 * nothing per item and nothing that times sharing activity: the operational
 * routes of OPS_ROUTES keep their own label; every other route (reports,
 * reveals, advisories, events, acknowledgement links, the web UI ...) is
 * counted only in two aggregates, "other read" (GET, HEAD) and "other
 * write".
 */
#include <microhttpd.h>
#include <sodium.h>
#include <strings.h>
#include <stdatomic.h>

#include "common/buf.h"
#include "http/http.h"
#include "store/store.h"
#include "service/lead.h"
#include "service/worker.h"
#include "deliver/outbox.h"

#define MAX_ROUTES 128
static const int statuses[] = {200, 201, 204, 302, 400, 401, 403, 404, 405,
                               409, 410, 413, 415, 422, 429, 500, 503};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
#define NBUCKET (sizeof(buckets) / sizeof(buckets[0]))

/* Routes whose counts reveal nothing of what is shared: health and
 * readiness, metrics, the API document and log-in/log-out (brute force
 * shows here). */
static const char *const ops_routes[][2] = {
    {"GET", "/healthz"},           {"GET", "/readyz"},
    {"GET", "/metrics"},           {"GET", "/api/v1/openapi.json"},
    {"POST", "/api/v1/session"},   {"GET", "/api/v1/session"},
    {"DELETE", "/api/v1/session"},
};

/* Pseudo-routes at the end of the table: requests that matched no route,
 * and the two aggregates of every route that is not an operational one. */
#define RI_UNMATCHED (MAX_ROUTES - 1)
#define RI_OTHER_READ (MAX_ROUTES - 2)
#define RI_OTHER_WRITE (MAX_ROUTES - 3)
#define RI_PSEUDO (MAX_ROUTES - 3) /* first pseudo index */

static atomic_uint_fast64_t counts[MAX_ROUTES][NSTATUS + 1];
static atomic_uint_fast64_t hist[MAX_ROUTES][NBUCKET + 1];
static atomic_uint_fast64_t sum_us[MAX_ROUTES];

/* Token of the scraper: only its BLAKE2b hash is kept. */
static unsigned char token_hash[32];
static bool token_set;

int metrics_set_token(const char *token)
{
    size_t n = strlen(token);
    if (n < 32 || n > 256)
        return IS_ERR_INVALID;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)token[i] <= ' ' || (unsigned char)token[i] >= 127)
            return IS_ERR_INVALID;
    crypto_generichash(token_hash, sizeof(token_hash),
                       (const unsigned char *)token, n, NULL, 0);
    token_set = true;
    return IS_OK;
}

/* This hub's node id (infrashare_node_info), "" until set. */
static char node_id[64];

int metrics_set_node(const char *id)
{
    size_t n = strlen(id);
    if (n < 1 || n > 63)
        return IS_ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
            return IS_ERR_INVALID;
    }
    memcpy(node_id, id, n + 1);
    return IS_OK;
}

int metrics_authorize(struct http_req *r, struct http_resp *out)
{
    const char *authz =
        MHD_lookup_connection_value(r->mhd, MHD_HEADER_KIND, "Authorization");
    if (!token_set)
        return http_error(out, 401, "metrics_token_required", NULL,
                          "metrics are not published: start the hub with "
                          "--metrics-token-file and send Authorization: "
                          "Bearer <that token>");
    if (!authz || strncasecmp(authz, "Bearer ", 7) != 0)
        return http_error(out, 401, "metrics_token_required", "Authorization",
                          "send Authorization: Bearer <metrics token>");
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)authz + 7,
                       strlen(authz + 7), NULL, 0);
    if (sodium_memcmp(h, token_hash, sizeof(h)) != 0)
        return http_error(out, 401, "metrics_token_required", "Authorization",
                          "the metrics token is not valid");
    return 0;
}

/* The label index a route is counted under. */
static int label_index(int route_index)
{
    if (route_index < 0 || route_index >= RI_PSEUDO ||
        (size_t)route_index >= http_nroutes)
        return RI_UNMATCHED;
    const struct http_route *rt = &http_routes[route_index];
    for (size_t i = 0; i < IS_ARRAY_LEN(ops_routes); i++)
        if (strcmp(rt->method, ops_routes[i][0]) == 0 &&
            strcmp(rt->pattern, ops_routes[i][1]) == 0)
            return route_index;
    return strcmp(rt->method, "GET") == 0 || strcmp(rt->method, "HEAD") == 0
               ? RI_OTHER_READ
               : RI_OTHER_WRITE;
}

static atomic_uint_fast64_t exercise_requests;

void metrics_exercise_request(void)
{
    atomic_fetch_add(&exercise_requests, 1);
}

void metrics_observe(int route_index, int status, double seconds)
{
    int ri = label_index(route_index);
    size_t si = NSTATUS;
    for (size_t i = 0; i < NSTATUS; i++)
        if (statuses[i] == status)
            si = i;
    atomic_fetch_add(&counts[ri][si], 1);
    size_t b = NBUCKET;
    for (size_t i = 0; i < NBUCKET; i++)
        if (seconds <= buckets[i]) {
            b = i;
            break;
        }
    atomic_fetch_add(&hist[ri][b], 1);
    atomic_fetch_add(&sum_us[ri], (uint64_t)(seconds * 1e6));
}

static const char *route_label(int ri, char *tmp, size_t len)
{
    if (ri == RI_OTHER_READ)
        return "other read";
    if (ri == RI_OTHER_WRITE)
        return "other write";
    if (ri == RI_UNMATCHED || (size_t)ri >= http_nroutes)
        return "unmatched";
    snprintf(tmp, len, "%s %s", http_routes[ri].method,
             http_routes[ri].pattern);
    return tmp;
}

int metrics_render(struct buf *b)
{
    char tmp[256];
    int rc = 0;
    /* a label value of [A-Za-z0-9._-] (metrics_set_node): no escaping */
    if (node_id[0])
        rc |= buf_addf(b,
                       "# HELP infrashare_node_info This hub's node id "
                       "(infrashared --node-id), always 1.\n"
                       "# TYPE infrashare_node_info gauge\n"
                       "infrashare_node_info{node=\"%s\"} 1\n",
                       node_id);
    rc |= buf_adds(b, "# HELP infrashare_http_requests_total HTTP "
                      "requests by route and status.\n"
                      "# TYPE infrashare_http_requests_total counter\n");
    for (int ri = 0; ri < MAX_ROUTES && !rc; ri++) {
        if (ri >= (int)http_nroutes && ri < RI_PSEUDO)
            continue;
        for (size_t si = 0; si <= NSTATUS; si++) {
            uint64_t v = atomic_load(&counts[ri][si]);
            if (!v)
                continue;
            char st[8];
            if (si < NSTATUS)
                snprintf(st, sizeof(st), "%d", statuses[si]);
            else
                snprintf(st, sizeof(st), "other");
            rc |= buf_addf(b,
                           "infrashare_http_requests_total{route=\"%s\","
                           "status=\"%s\"} %llu\n",
                           route_label(ri, tmp, sizeof(tmp)), st,
                           (unsigned long long)v);
        }
    }
    rc |= buf_adds(b, "# HELP infrashare_http_request_duration_seconds "
                      "Request latency by route.\n"
                      "# TYPE infrashare_http_request_duration_seconds "
                      "histogram\n");
    for (int ri = 0; ri < MAX_ROUTES && !rc; ri++) {
        uint64_t total = 0;
        for (size_t i = 0; i <= NBUCKET; i++)
            total += atomic_load(&hist[ri][i]);
        if (!total)
            continue;
        const char *label = route_label(ri, tmp, sizeof(tmp));
        uint64_t cum = 0;
        for (size_t i = 0; i < NBUCKET; i++) {
            cum += atomic_load(&hist[ri][i]);
            rc |= buf_addf(b,
                           "infrashare_http_request_duration_seconds_bucket"
                           "{route=\"%s\",le=\"%g\"} %llu\n",
                           label, buckets[i], (unsigned long long)cum);
        }
        rc |= buf_addf(b,
                       "infrashare_http_request_duration_seconds_bucket"
                       "{route=\"%s\",le=\"+Inf\"} %llu\n"
                       "infrashare_http_request_duration_seconds_sum"
                       "{route=\"%s\"} %.6f\n"
                       "infrashare_http_request_duration_seconds_count"
                       "{route=\"%s\"} %llu\n",
                       label, (unsigned long long)total, label,
                       (double)atomic_load(&sum_us[ri]) / 1e6, label,
                       (unsigned long long)total);
    }
    uint64_t dv, rt, fl;
    outbox_counts(&dv, &rt, &fl);
    rc |= buf_addf(b,
                   "# HELP infrashare_deliveries_total Delivery attempts by "
                   "outcome.\n# TYPE infrashare_deliveries_total counter\n"
                   "infrashare_deliveries_total{outcome=\"delivered\"} %llu\n"
                   "infrashare_deliveries_total{outcome=\"retried\"} %llu\n"
                   "infrashare_deliveries_total{outcome=\"failed\"} %llu\n",
                   (unsigned long long)dv, (unsigned long long)rt,
                   (unsigned long long)fl);
    /* issue 14: exercises' own figures, never in the hub's above */
    outbox_exercise_counts(&dv, &rt, &fl);
    rc |= buf_addf(
        b,
        "# HELP infrashare_exercise_deliveries_total Delivery attempts of "
        "cross-sector exercises (their own outboxes) by outcome.\n"
        "# TYPE infrashare_exercise_deliveries_total counter\n"
        "infrashare_exercise_deliveries_total{outcome=\"delivered\"} %llu\n"
        "infrashare_exercise_deliveries_total{outcome=\"retried\"} %llu\n"
        "infrashare_exercise_deliveries_total{outcome=\"failed\"} %llu\n"
        "# HELP infrashare_exercise_requests_total Requests answered inside "
        "cross-sector exercises (/x/{id}/).\n"
        "# TYPE infrashare_exercise_requests_total counter\n"
        "infrashare_exercise_requests_total %llu\n",
        (unsigned long long)dv, (unsigned long long)rt, (unsigned long long)fl,
        (unsigned long long)atomic_load(&exercise_requests));
    rc |= buf_addf(b,
                   "# HELP infrashare_worker_ticks_total Completed passes of "
                   "the background worker.\n"
                   "# TYPE infrashare_worker_ticks_total counter\n"
                   "infrashare_worker_ticks_total %llu\n",
                   (unsigned long long)worker_ticks());
    rc |= buf_addf(b,
                   "# HELP infrashare_duty_held Whether this node performs "
                   "a duty one node performs for all nodes of the hub (1) "
                   "or leaves it to another (0).\n"
                   "# TYPE infrashare_duty_held gauge\n"
                   "infrashare_duty_held{duty=\"prober\"} %d\n"
                   "infrashare_duty_held{duty=\"taxii\"} %d\n",
                   lead_duty_held("prober"), lead_duty_held("taxii"));
    int wq, wr;
    http_writes(&wq, &wr);
    rc |= buf_addf(b,
                   "# HELP infrashare_http_writes State-changing requests "
                   "waiting for a writer thread (queued) and being run "
                   "(running).\n# TYPE infrashare_http_writes gauge\n"
                   "infrashare_http_writes{state=\"queued\"} %d\n"
                   "infrashare_http_writes{state=\"running\"} %d\n",
                   wq, wr);
    rc |= buf_addf(b,
                   "# HELP infrashare_readyz_checks_total Times GET /readyz "
                   "asked the database whether it takes writes (a verdict "
                   "is reused for a second).\n"
                   "# TYPE infrashare_readyz_checks_total counter\n"
                   "infrashare_readyz_checks_total %llu\n",
                   (unsigned long long)http_readyz_checks());
    rc |= buf_addf(b,
                   "# HELP infrashare_store_errors_total Database errors.\n"
                   "# TYPE infrashare_store_errors_total counter\n"
                   "infrashare_store_errors_total %llu\n",
                   (unsigned long long)store_error_count());
    return rc ? IS_ERR_LIMIT : IS_OK;
}
