/*
 * http.h - the HTTP server (libmicrohttpd) and its one request pipeline.
 *
 * Every request goes through the same steps, in http/server.c:
 *   request head: target length (414), query parameters (400), header
 *   fields (431), Host in HTTP/1.1 (400) -> size limit (413) -> for a
 *   route taking bodies over HTTP_MAX_BODY, the credentials (401/403)
 *   before the body is read -> route
 *   match (404/405) -> body media type (415) -> JSON parse (400) ->
 *   authentication (401) -> CSRF for cookie sessions (403) -> role check
 *   (403) -> body validation against the route's field table (400) ->
 *   handler -> conditional GET (304), gzip, JSON encoding, security
 *   headers, metrics, one log line. Errors the HTTP library raises itself
 *   are rewritten to the JSON error object (server.c, MHD_queue_response).
 * Handlers only parse what is theirs, call the service and fill the
 * response; they never write error JSON by hand (http_error does).
 */
#ifndef INFRASHARE_HTTP_H
#define INFRASHARE_HTTP_H

#include <jansson.h>

#include "service/app.h"
#include "service/auth.h"
#include "common/common.h"
#include "common/buf.h"
#include "common/jv.h"

#define HTTP_MAX_BODY (1024 * 1024) /* default request body cap */
#define HTTP_MAX_PARAMS 3

struct http_req;
struct http_resp {
    int status;
    json_t *body; /* JSON answer (owned), or */
    char *raw;    /* raw bytes (owned, malloc'd) with ctype */
    size_t rawlen;
    const char *ctype;
    char set_cookie[256]; /* optional Set-Cookie value */
    char location[256];   /* optional Location */
    /* optional Content-Disposition (a file to save, not to show) */
    char disposition[96];
    /* Validators (RFC 9110 section 8.8): a 200 carrying them is answered
     * 304 by the pipeline when If-None-Match / If-Modified-Since match. */
    char etag[64];             /* optional ETag, quoted ("W/\"...\"") */
    int64_t last_modified;     /* optional Last-Modified (0 = none) */
    const char *cache_control; /* NULL: "no-store" */
    /* The caller acted as the reporter of an anonymous report (filing,
     * update, its own reads): the request log line names no user or
     * organisation, whose time would link them to the report's or to the
     * withheld audit entry's (docs/rules.md). */
    bool log_withhold_actor;
    /* issue 16: X-TAXII-Date-Added-First/Last of a TAXII page ("": none) */
    char date_added_first[40], date_added_last[40];
    /* issue 17: optional Retry-After in seconds (0: none), on a 503 */
    int retry_after;
    /* issue 17: the request's own database connection was lost (its
     * backend ended, a failover): a 500 is answered as 503
     * store_unavailable even when other connections reach the database
     * again meanwhile (set by the pipeline) */
    bool store_lost;
};

enum http_auth {
    HTTP_PUBLIC, /* no credentials needed (may still be read if present) */
    HTTP_AUTHED  /* a session or token is required */
};

typedef int (*http_handler)(struct http_req *r, struct http_resp *out);

struct http_route {
    const char *method;
    const char *pattern; /* "/api/v1/orgs/{id}" */
    enum http_auth auth;
    unsigned roles; /* any of these roles (0 = any signed-in user) */
    const struct jv_field *body; /* NULL: no body accepted */
    size_t nbody;
    http_handler fn;
    size_t max_body; /* 0 = HTTP_MAX_BODY */
    /* also accepts an application/x-www-form-urlencoded body (an HTML
     * form's), given to the handler as r->json {name: value} unchecked
     * (the handler checks it); only the answer page of a roll call's
     * link (http/routes_rollcall.c) */
    bool form;
    /* issue 12: the body is JSON checked by the handler itself (a vantage
     * point's signed batch: its raw bytes are in r->body, and each
     * result's field is named with its index, results[3].site) */
    bool raw_json;
    /* a vantage point's account (no role; service/sites.h) may call it;
     * every other route refuses such an account (403) */
    bool vantage;
    /* a public route's own credential check from the header fields (0:
     * accepted; else the answer is in out and its status returned). Run
     * before the body is read when max_body is above HTTP_MAX_BODY (the
     * C4TAP mail intake's token); authenticated routes with such bodies
     * are authenticated then (server.c, credentials_first) */
    int (*precheck)(struct http_req *r, struct http_resp *out);
    /* issue 16: a TAXII 2.1 endpoint (docs/taxii.md): Accept must admit
     * application/taxii+json;version=2.1 (406), a body must be sent as
     * it (415; with raw_json: the handler parses it), credentials may be
     * HTTP Basic with an API token as the password, and every error
     * under /taxii2/ is the TAXII error object */
    bool taxii;
};

struct http_req {
    struct app *app;
    const struct http_route *route;
    int route_index;
    const char *method;
    const char *path;
    const char *params[HTTP_MAX_PARAMS];
    json_t *json; /* validated body or NULL */
    bool authed;
    struct auth_ctx auth;
    char addr[64];
    char cookie[AUTH_COOKIE_LEN + 8];
    struct store_conn *sc; /* a connection held for the handler */
    void *mhd;             /* struct MHD_Connection * */
    /* the request body's bytes as received (routes with raw_json) */
    const char *body;
    size_t body_len;
};

/* Route table (http/routes.c). */
extern const struct http_route http_routes[];
extern const size_t http_nroutes;

/* Fills out with {"error":{"code","message","field"?}}; returns status. */
int http_error(struct http_resp *out, int status, const char *code,
               const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The HTTP status of each error code, with the machine code and sentence
 * sent when the caller has none more precise (http/status.c: the one place
 * that maps enum is_err to statuses). Codes out of range get the row of
 * IS_ERR_INTERNAL. The rows are static: never freed. */
struct http_status_row {
    int status;
    const char *code;
    const char *message;
};
const struct http_status_row *http_status_row(int err);
int http_status_of(int err);

/* The Japanese sentence of an error code (src/http/error_ja.c): the
 * error object's message_ja. A code with no row gets a sentence for its
 * status class. Never NULL; static text. */
struct http_error_ja_row {
    const char *code;
    const char *ja;
};
const char *http_error_ja(const char *code, int status);
/* The table itself, sorted by code (for its tests and the code check). */
const struct http_error_ja_row *http_error_ja_rows(size_t *n);

/* The Japanese of an error message's specific reason
 * (src/http/error_detail.c): the error object's detail_ja, appended to
 * out ("limit: 1〜1000 の整数で指定してください。"); false when no
 * row of the table says it. The table's rows: English patterns with "{}"
 * for each value the message quotes, Japanese with {1}, {2}, ... */
struct http_error_detail_row {
    const char *en;
    const char *ja;
};
bool http_error_detail_ja(const char *message, const char *field,
                          struct buf *out);
const struct http_error_detail_row *http_error_detail_rows(size_t *n);

/* Answers a service's error: the status of e->err with e's code, field and
 * sentence. An e left unfilled (IS_OK) is 500 "internal". Returns the
 * status. */
int http_svc_fail(struct http_resp *out, const struct svc_error *e);
/* Answers a service call that returned rc and filled body or e: on rc
 * (not IS_OK) releases body and answers e (http_svc_fail); else body
 * becomes the answer (owned by out) with status (200, 201). Returns the
 * status sent, so a handler can `return http_svc_reply(...)`. */
int http_svc_reply(struct http_resp *out, int rc, const struct svc_error *e,
                   json_t *body, int status);

/* True for "application/json" with no charset or charset=utf-8 (media
 * type and parameter names case-insensitive, RFC 9110 section 8.3.1). */
bool http_json_media_type(const char *content_type);
/* Sets a weak ETag from a hash of the bytes (for bodies built per
 * request, whose identity is their content). */
void http_etag_of(struct http_resp *out, const void *data, size_t len);

/* Maps an is_err from the service to a status and error body. */
int http_fail(struct http_resp *out, int err);
/* Query parameter or NULL. Owned by libmicrohttpd: valid while the
 * request is handled, never freed by the caller. */
const char *http_query(struct http_req *r, const char *name);
/* Request header field or NULL (owned by libmicrohttpd, as http_query). */
const char *http_header(struct http_req *r, const char *name);
/* The session cookie the request carries (any route), NULL when none. */
const char *http_session_cookie(struct http_req *r);
/* Parses ?limit= within [1,max] (default dflt); 400 into out on error. */
int http_limit(struct http_req *r, struct http_resp *out, int dflt, int max,
               int *limit);

struct http_server;
/* Starts listening on addr:port (port 0 = ephemeral) with `threads`
 * library threads serving connections and as many writer threads running
 * the state-changing requests (server.c, "the writer pool"): the store
 * needs 2 x threads connections for them. *out is the caller's until
 * http_stop, which stops serving and frees it; app must outlive it. */
int http_start(struct app *app, const char *addr, int port, int threads,
               struct http_server **out);
int http_port(struct http_server *s);
void http_stop(struct http_server *s);
/* The deadlines of a request (docs/rules.md, "HTTP protocol", slow
 * clients): its head must have arrived head_s seconds after its
 * connection opened or the previous answer on it was sent, else the
 * connection is closed; its body body_s seconds, plus one per 64 KiB of
 * its declared length (a chunked body: of the route's cap), after the
 * head, else 408 and closed. Defaults 20 and 30 (HTTP_HEAD_TIMEOUT_S,
 * HTTP_BODY_TIMEOUT_S); values below 1 are taken as 1. Call before
 * http_start. */
#define HTTP_HEAD_TIMEOUT_S 20
#define HTTP_BODY_TIMEOUT_S 30
void http_set_request_timeouts(int head_s, int body_s);
/* The most connections open at once (default HTTP_MAX_CONNECTIONS, at
 * least HTTP_MIN_CONNECTIONS), at most HTTP_MAX_PER_ADDRESS of them (or
 * max, when smaller) from one client address. From three quarters of max
 * open, a connection whose head has not fully arrived 2 s after it
 * opened or after its previous answer is closed (docs/rules.md, "HTTP
 * protocol"). Call before http_start; the process must be able to open
 * that many files (infrashared raises RLIMIT_NOFILE, or lowers max). */
#define HTTP_MAX_CONNECTIONS 4096
#define HTTP_MIN_CONNECTIONS 16
#define HTTP_MAX_PER_ADDRESS 1024
void http_set_connection_limit(int max);
/* --trusted-proxies "a,b,..." (IPv4 or IPv6 addresses, at most
 * HTTP_MAX_TRUSTED_PROXIES): a request whose TCP peer is one of them (a
 * load balancer in front of the nodes) counts as from the rightmost
 * address of its X-Forwarded-For fields that is not itself one of them
 * (log-in limits, the acknowledgement and roll-call links' limits, the
 * audit's address); from the peer itself when the field is missing or
 * that entry is not an address. Without the setting the peer is the
 * client, whatever the fields say. Returns false (nothing set) on a
 * list that does not parse. Call before http_start. */
#define HTTP_MAX_TRUSTED_PROXIES 16
bool http_set_trusted_proxies(const char *list);
/* State-changing requests waiting for a writer thread, and being run. */
void http_writes(int *queued, int *running);
/* the database checks GET /readyz made (each verdict is reused for a
 * second, routes.c readyz_verdict) */
uint64_t http_readyz_checks(void);

/* Roll calls (http/routes_rollcall.c): an HTML form's body as {name:
 * value} (NULL when it is not valid percent-encoded UTF-8); the answer
 * page of a roll call's link: true when token is one (out filled). */
json_t *http_form_parse(const char *text, size_t len);
/* After a route on report r->params[0] answered: the request log line
 * names no user or organisation when the caller is the report's anonymous
 * reporter (its reads, notes, cascades are audited withheld; the line's
 * time would match the entry's). routes_reports.c. */
void http_report_log_actor(struct http_req *r, struct http_resp *out);
bool http_rollcall_link(struct http_req *r, struct http_resp *out);

/* Prometheus text of the request metrics (http/metrics.c). */
void metrics_observe(int route_index, int status, double seconds);
/* A request inside an exercise (issue 14): counted apart. */
void metrics_exercise_request(void);
int metrics_render(struct buf *b);
/* Sets the bearer token a scraper must send for GET /metrics (32 to 256
 * printable characters, no spaces; IS_ERR_INVALID otherwise). Without one,
 * GET /metrics answers 401 to everyone. Call before http_start. */
int metrics_set_token(const char *token);
/* Sets this hub's node id, published as infrashare_node_info{node="id"}
 * 1: 1 to 63 characters of [A-Za-z0-9._-] (IS_ERR_INVALID otherwise,
 * nothing set). Call before http_start. */
int metrics_set_node(const char *id);
/* 0 when the request carries the metrics token, else fills out with 401
 * and returns it. */
int metrics_authorize(struct http_req *r, struct http_resp *out);

#endif
