/*
 * server.c - libmicrohttpd glue and the request pipeline (see http.h).
 */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "buf.h"
#include "log.h"
#include "util.h"

#define COOKIE_NAME "infrashare_session"

struct http_server {
    struct MHD_Daemon *d;
    struct app *app;
};

/* Per-request state kept by MHD between calls (con_cls). */
struct rstate {
    double t0;
    struct buf body;
    bool too_large;
    bool queued;
    int route_index;      /* -1: no route */
    bool method_mismatch;
    char allow[48];       /* methods the path accepts (for 405) */
    char *path;           /* copy of the URL path; params point into it */
    const char *params[HTTP_MAX_PARAMS];
};

int http_error(struct http_resp *out, int status, const char *code,
               const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_decref(out->body);
    json_t *e = json_pack("{s:s,s:s}", "code", code, "message", msg);
    if (field)
        json_object_set_new(e, "field", json_string(field));
    out->body = json_pack("{s:o}", "error", e);
    out->status = status;
    return status;
}

int http_svc_fail(struct http_resp *out, const struct svc_error *e)
{
    return http_error(out, e->status ? e->status : 500,
                      e->code[0] ? e->code : "internal",
                      e->field[0] ? e->field : NULL, "%s", e->message);
}

int http_fail(struct http_resp *out, int err)
{
    switch (err) {
    case IS_ERR_NOTFOUND:
        return http_error(out, 404, "not_found", NULL,
                          "no such item (or you may not see it)");
    case IS_ERR_AUTH:
        return http_error(out, 401, "unauthenticated", NULL,
                          "sign in or send a valid API token");
    case IS_ERR_FORBIDDEN:
        return http_error(out, 403, "forbidden", NULL,
                          "your roles do not allow this");
    case IS_ERR_CONFLICT:
        return http_error(out, 409, "conflict", NULL,
                          "conflicts with the current state");
    case IS_ERR_LIMIT:
        return http_error(out, 429, "rate_limited", NULL,
                          "too many attempts; try again later");
    case IS_ERR_INVALID:
        return http_error(out, 400, "invalid_request", NULL,
                          "the request is not valid");
    default:
        return http_error(out, 500, "internal", NULL,
                          "the hub could not complete the request; "
                          "nothing was changed");
    }
}

const char *http_query(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->mhd, MHD_GET_ARGUMENT_KIND, name);
}

int http_limit(struct http_req *r, struct http_resp *out, int dflt, int max,
               int *limit)
{
    const char *s = http_query(r, "limit");
    long v = dflt;
    if (s && util_parse_long(s, 1, max, &v)) {
        http_error(out, 400, "out_of_range", "limit",
                   "limit: must be an integer from 1 to %d", max);
        return IS_ERR_INVALID;
    }
    *limit = (int)v;
    return IS_OK;
}

/* Matches path against pattern; fills params. O(length). */
static bool match(const char *pattern, char *path, const char **params)
{
    int np = 0;
    const char *p = pattern;
    char *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            char *se = strchr(s, '/');
            size_t n = se ? (size_t)(se - s) : strlen(s);
            if (!pe || n == 0 || np >= HTTP_MAX_PARAMS)
                return false;
            params[np++] = s;
            p = pe + 1;
            s += n;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}

/* Finds the route; params point into a private copy that is split at '/'
 * only after a match. */
static void route_find(struct rstate *st, const char *method, const char *url)
{
    /* HEAD is GET without a body (libmicrohttpd drops the body) */
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    st->route_index = -1;
    st->method_mismatch = false;
    for (size_t i = 0; i < http_nroutes; i++) {
        char tmp[1024];
        const char *params[HTTP_MAX_PARAMS] = {0};
        if (strlen(url) >= sizeof(tmp))
            return;
        snprintf(tmp, sizeof(tmp), "%s", url);
        if (!match(http_routes[i].pattern, tmp, params))
            continue;
        if (strcmp(http_routes[i].method, method) != 0) {
            st->method_mismatch = true;
            if (!strstr(st->allow, http_routes[i].method)) {
                size_t n = strlen(st->allow);
                snprintf(st->allow + n, sizeof(st->allow) - n, "%s%s",
                         n ? ", " : "", http_routes[i].method);
            }
            continue;
        }
        st->route_index = (int)i;
        free(st->path);
        st->path = strdup(url);
        if (!st->path)
            return;
        match(http_routes[i].pattern, st->path, st->params);
        for (int k = 0; k < HTTP_MAX_PARAMS; k++) {
            if (!st->params[k])
                continue;
            char *slash = strchr((char *)st->params[k], '/');
            if (slash)
                *slash = '\0';
        }
        return;
    }
}

static void add_security_headers(struct MHD_Response *resp, bool html)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(
        resp, "Content-Security-Policy",
        html ? "default-src 'self'; script-src 'self'; style-src 'self'; "
               "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'"
             : "default-src 'none'; frame-ancestors 'none'");
}

static enum MHD_Result send_resp(struct MHD_Connection *conn,
                                 struct rstate *st, struct http_req *r,
                                 struct http_resp *out)
{
    char *data;
    size_t len;
    const char *ctype;
    if (out->raw) {
        data = out->raw;
        len = out->rawlen;
        ctype = out->ctype ? out->ctype : "application/octet-stream";
        out->raw = NULL;
    } else {
        if (!out->body)
            out->body = json_object();
        data = json_dumps(out->body, JSON_COMPACT);
        if (!data) {
            data = strdup("{\"error\":{\"code\":\"internal\",\"message\":"
                          "\"encoding failed\"}}");
            out->status = 500;
        }
        len = data ? strlen(data) : 0;
        ctype = "application/json; charset=utf-8";
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", ctype);
    add_security_headers(resp, strncmp(ctype, "text/html", 9) == 0);
    if (out->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", out->set_cookie);
    if (out->location[0])
        MHD_add_response_header(resp, "Location", out->location);
    if (out->status == 405 && st->allow[0])
        MHD_add_response_header(resp, "Allow", st->allow);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)out->status,
                                             resp);
    MHD_destroy_response(resp);
    double secs = util_mono() - st->t0;
    metrics_observe(st->route_index, out->status, secs);
    const struct http_route *rt =
        st->route_index >= 0 ? &http_routes[st->route_index] : NULL;
    log_event(out->status >= 500 ? LOG_ERROR : LOG_INFO, "request", "method",
              json_string(r ? r->method : "?"), "route",
              json_string(rt ? rt->pattern : "(none)"), "status",
              json_integer(out->status), "ms",
              json_real((double)(int64_t)(secs * 1e5) / 100.0), "user",
              r && r->authed ? json_integer(r->auth.user_id) : json_null(),
              "org",
              r && r->authed ? json_string(r->auth.org.id) : json_null(),
              NULL);
    json_decref(out->body);
    out->body = NULL;
    free(out->raw);
    st->queued = true;
    return ret;
}

static void client_addr(struct MHD_Connection *conn, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, len, "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
                  (socklen_t)len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                  out, (socklen_t)len);
}

static bool is_state_changing(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* Authentication: bearer token first, then the session cookie. */
static int authenticate(struct http_req *r, struct MHD_Connection *conn,
                        struct http_resp *out)
{
    const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                    "Authorization");
    int rc;
    int64_t now = app_now(r->app);
    if (authz) {
        if (strncmp(authz, "Bearer ", 7) != 0)
            return http_error(out, 401, "unauthenticated", "Authorization",
                              "Authorization: expected 'Bearer <token>'");
        rc = auth_token(r->sc, authz + 7, now, &r->auth);
    } else {
        const char *cookie = MHD_lookup_connection_value(
            conn, MHD_COOKIE_KIND, COOKIE_NAME);
        if (!cookie)
            return http_error(out, 401, "unauthenticated", NULL,
                              "sign in (POST /api/v1/session) or send "
                              "Authorization: Bearer <token>");
        snprintf(r->cookie, sizeof(r->cookie), "%s", cookie);
        rc = auth_session(r->sc, cookie, now, &r->auth);
    }
    if (rc == IS_ERR_AUTH)
        return http_error(out, 401, "unauthenticated", NULL,
                          "the session or token is not valid (expired, "
                          "revoked or signed out)");
    if (rc)
        return http_fail(out, rc);
    r->authed = true;
    if (r->auth.via_session && is_state_changing(r->method)) {
        const char *tok = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                      "X-CSRF-Token");
        size_t n = strlen(r->auth.csrf);
        if (!tok || strlen(tok) != n ||
            !util_ct_equal(tok, r->auth.csrf, n))
            return http_error(out, 403, "csrf_failed", "X-CSRF-Token",
                              "X-CSRF-Token: missing or does not match "
                              "this session");
    }
    if (r->route->roles && !(r->auth.roles & r->route->roles))
        return http_fail(out, IS_ERR_FORBIDDEN);
    return 0;
}

static void process(struct http_server *srv, struct MHD_Connection *conn,
                    struct rstate *st, const char *method,
                    struct http_resp *out, struct http_req *r)
{
    r->app = srv->app;
    r->method = method;
    r->mhd = conn;
    client_addr(conn, r->addr, sizeof(r->addr));
    if (st->too_large) {
        http_error(out, 413, "body_too_large", "body",
                   "the request body is larger than this endpoint accepts");
        return;
    }
    if (st->route_index < 0) {
        if (st->method_mismatch)
            http_error(out, 405, "method_not_allowed", NULL,
                       "this path does not accept %s", method);
        else
            http_error(out, 404, "not_found", NULL, "no such path");
        return;
    }
    r->route = &http_routes[st->route_index];
    r->route_index = st->route_index;
    r->path = st->path;
    memcpy(r->params, st->params, sizeof(r->params));
    /* body */
    if (st->body.len) {
        if (!r->route->body) {
            http_error(out, 400, "unexpected_body", "body",
                       "this endpoint takes no request body");
            return;
        }
        json_error_t je;
        r->json = json_loadb(buf_str(&st->body), st->body.len,
                             JSON_REJECT_DUPLICATES, &je);
        if (!r->json) {
            http_error(out, 400, "malformed_json", "body",
                       "body: not valid JSON (line %d, column %d): %s",
                       je.line, je.column, je.text);
            return;
        }
    } else if (r->route->body) {
        r->json = json_object();
    }
    r->sc = store_acquire(srv->app->store);
    if (r->route->auth == HTTP_AUTHED && authenticate(r, conn, out))
        goto done;
    if (r->route->body) {
        struct jv_error je;
        if (jv_check(r->json, r->route->body, r->route->nbody, &je)) {
            http_error(out, 400, je.code, je.field, "%s", je.message);
            goto done;
        }
    }
    out->status = 200;
    r->route->fn(r, out);
done:
    store_release(srv->app->store, r->sc);
    r->sc = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    IS_UNUSED(version);
    struct http_server *srv = cls;
    struct rstate *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof(*st));
        if (!st)
            return MHD_NO;
        st->t0 = util_mono();
        route_find(st, method, url);
        size_t cap = HTTP_MAX_BODY;
        if (st->route_index >= 0 && http_routes[st->route_index].max_body)
            cap = http_routes[st->route_index].max_body;
        buf_init(&st->body, cap);
        *con_cls = st;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     "Content-Length");
        long n;
        if (cl && !util_parse_long(cl, 0, LONG_MAX, &n) && (size_t)n > cap) {
            /* refuse before reading: MHD closes the connection after */
            struct http_resp out = {0};
            struct http_req r = {0};
            r.method = method;
            http_error(&out, 413, "body_too_large", "body",
                       "the request body is larger than %zu bytes", cap);
            return send_resp(conn, st, &r, &out);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!st->too_large &&
            buf_add(&st->body, upload_data, *upload_data_size))
            st->too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->queued)
        return MHD_YES;
    struct http_resp out = {0};
    struct http_req r = {0};
    process(srv, conn, st, method, &out, &r);
    enum MHD_Result ret = send_resp(conn, st, &r, &out);
    json_decref(r.json);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls, enum MHD_RequestTerminationCode toe)
{
    IS_UNUSED(cls);
    IS_UNUSED(conn);
    IS_UNUSED(toe);
    struct rstate *st = *con_cls;
    if (!st)
        return;
    buf_release(&st->body);
    free(st->path);
    free(st);
    *con_cls = NULL;
}

int http_start(struct app *app, const char *addr, int port, int threads,
               struct http_server **out)
{
    struct http_server *s = calloc(1, sizeof(*s));
    if (!s)
        return IS_ERR_NOMEM;
    s->app = app;
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
        free(s);
        return IS_ERR_INVALID;
    }
    s->d = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port,
        NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &sin,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)1024,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->d) {
        free(s);
        return IS_ERR_IO;
    }
    *out = s;
    return IS_OK;
}

int http_port(struct http_server *s)
{
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

void http_stop(struct http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->d);
    free(s);
}
