/*
 * server.c - libmicrohttpd glue and the request pipeline (see http.h).
 */
#include "http/http.h"
#include "core/taxii.h"
#include "service/exercises.h"
#include "common/jtext.h"
#include "common/jv.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <zlib.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"

#define COOKIE_NAME "infrashare_session"

/* Limits of the request head, enforced by this file with the JSON error
 * object (docs/rules.md, "HTTP protocol"). The per-connection memory of
 * libmicrohttpd (HTTP_CONN_MEMORY) holds a head at all of them (a target
 * of 8 KiB and 100 fields of 32 KiB: about 41 KiB, with the library's
 * records of them) and the library's copy of a Cookie field of up to 32
 * KiB (in up to 500 cookies; 100 beside a target of 8 KiB); larger heads
 * get the library's 431 (queue_library_431). The
 * library zeroes all of it after every request of a kept-alive
 * connection (MHD_pool_reset), so it is no larger than that: at 256 KiB
 * the zeroing was an eighth of the CPU time of a small GET. */
#define HTTP_MAX_URL 8192           /* request target, bytes: 414 */
#define HTTP_MAX_QUERY_PARAMS 64    /* query parameters: 400 */
#define HTTP_MAX_HEADERS 100        /* header fields: 431 */
#define HTTP_MAX_HEADER_BYTES 32768 /* names + values: 431 */
#define HTTP_CONN_MEMORY ((size_t)96 * 1024)
#define HTTP_GZIP_MIN 1024 /* smaller bodies are sent as they are */

/* The writer pool. A state-changing request (any method but GET and
 * HEAD) is not run on the library's thread that read it: that thread
 * suspends the connection and queues the request here, and one of the
 * pool's threads runs the handler, then resumes the connection, whose
 * library thread sends the answer. Writes queue for the process's writer
 * lock (and, on the CLI's transactions, SQLite's busy timeout); a library
 * thread waiting there would stall every connection it serves, reads
 * included. With the writers apart, a read waits for a free library
 * thread and its statements only (docs/architecture.md, "Threads and
 * connections"). */
#define HTTP_MAX_WRITERS 256 /* = the most --threads allows */

/* Deadlines of slow requests (see "deadlines" below): a body's deadline
 * grows by a second per HTTP_BODY_RATE bytes of its length; the sweeper
 * looks at every connection each HTTP_SWEEP_MS. */
#define HTTP_BODY_RATE 65536.0
#define HTTP_SWEEP_MS 200
/* Under pressure (HTTP_PRESSURE_PERCENT of the connection limit open), a
 * connection whose request head has not fully arrived within
 * HTTP_PRESSURE_HEAD_S of its start or of its previous answer is closed:
 * a few addresses holding idle connections cannot fill the limit for a
 * whole head deadline. */
#define HTTP_PRESSURE_PERCENT 75
#define HTTP_PRESSURE_HEAD_S 2.0

/* What a connection is doing, for its deadline (struct conn_watch). */
enum conn_phase {
    PHASE_HEAD, /* reading a request head: deadline */
    PHASE_BODY, /* reading a request body: deadline, 408 */
    PHASE_BUSY  /* running the request or sending its answer: none */
};

/* A connection of the library (its socket context, from
 * MHD_CONNECTION_NOTIFY_STARTED to MHD_CONNECTION_NOTIFY_CLOSED, which
 * the library calls before it closes fd), in http_server.conns. */
struct conn_watch {
    struct conn_watch *prev, *next;
    int fd;
    enum conn_phase phase;
    double deadline; /* util_mono(); PHASE_HEAD and PHASE_BODY */
    double since;    /* util_mono() when the phase began */
    bool swept;      /* past its deadline: shut down, nothing more runs */
};

struct http_server {
    struct MHD_Daemon *d;
    struct app *app;
    pthread_mutex_t wmu;
    pthread_cond_t wcv;
    struct rstate *whead, *wtail; /* queued, first to last */
    bool wstop;                   /* no more queuing: run inline */
    int nwriters;
    pthread_t writers[HTTP_MAX_WRITERS];
    /* the connections and their deadlines; cmu also keeps each fd open
     * while the sweeper uses it (the library closes it only after
     * on_connection has taken its entry out under cmu) */
    pthread_mutex_t cmu;
    struct conn_watch *conns;
    int nconns; /* entries of conns */
    pthread_t sweeper;
    bool sweeping;
    atomic_bool sweep_stop;
};

static int head_timeout_s = HTTP_HEAD_TIMEOUT_S;
static int body_timeout_s = HTTP_BODY_TIMEOUT_S;
static int max_connections = HTTP_MAX_CONNECTIONS;
/* connections closed at their deadline since the last log line, and
 * closed early under pressure */
static atomic_int timed_out_head, timed_out_body, closed_pressure;

static atomic_int writes_queued, writes_running;
/* run by a writer, its answer not yet sent by the library (http_stop
 * waits for these before the library stops) */
static atomic_int writes_unsent;

/* Per-request state kept by MHD between calls (con_cls). */
struct rstate {
    bool started;   /* the access handler has seen the request */
    int uri_status; /* 414/400 found by on_uri, 0 when fine */
    bool uri_nul;   /* the target has an encoded NUL (%00) */
    bool uri_bytes; /* its decoded path is not UTF-8 */
    bool uri_form;  /* the target is neither a path nor an http(s) URL */
    double t0;
    struct buf body;
    bool too_large;
    bool queued;
    bool idle_raised; /* the library's idle timeout raised for its body */
    int route_index;  /* -1: no route */
    bool method_mismatch;
    char allow[48]; /* methods the path accepts (for 405) */
    char *path;     /* copy of the URL path; params point into it */
    const char *params[HTTP_MAX_PARAMS];
    /* a request run by the writer pool: its connection and method while
     * queued, its answer once done (sent when the connection resumes) */
    struct rstate *wnext;
    struct MHD_Connection *conn;
    const char *method;
    bool done;
    char wmethod[16];
    struct http_req wr;
    struct http_resp wout;
    /* issue 14: a request under /x/{exercise}/ runs in that exercise
     * (exercise_context); "" for the hub's own */
    char exercise[40];
    /* issue 16: the target is under /taxii2 (errors as TAXII error
     * objects, routes_taxii.c) */
    bool taxii;
    /* a TAXII path that matched nothing but would with a trailing slash
     * (TAXII 2.1 URLs end with one): the 404 says so */
    bool slash_missing;
    /* the connection's deadlines (NULL: not watched), and whether the
     * whole request has been received (PHASE_BUSY set) */
    struct conn_watch *watch;
    bool received;
};

/* message_ja of error object e: the code's Japanese sentence
 * (http_error_ja), after the field when there is one, as the English
 * message starts with it. */
static void error_add_ja(json_t *e, const char *code, const char *field,
                         int status)
{
    const char *ja = http_error_ja(code, status);
    char text[768];
    if (field && util_utf8_valid(field, strlen(field)))
        snprintf(text, sizeof(text), "%.256s: %s", field, ja);
    else
        util_xcopy(text, sizeof(text), ja);
    json_t *v = json_string(text);
    if (!v) /* a field cut inside a character: the sentence alone */
        v = json_string(ja);
    json_object_set_new(e, "message_ja", v);
}

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
    if (!e) /* a message quoting bytes that are not UTF-8 */
        e = json_pack("{s:s,s:s}", "code", code, "message",
                      "the request is not valid");
    json_t *f = field ? json_string(field) : NULL;
    if (f)
        json_object_set_new(e, "field", f);
    error_add_ja(e, code, f ? field : NULL, status);
    /* detail_ja: the message's own reason in Japanese, when the table
     * has words for it (error_detail.c) */
    struct buf ja;
    buf_init(&ja, 0);
    if (http_error_detail_ja(msg, f ? field : NULL, &ja)) {
        json_t *d = json_string(buf_str(&ja));
        if (d)
            json_object_set_new(e, "detail_ja", d);
    }
    buf_release(&ja);
    out->body = json_pack("{s:o}", "error", e);
    out->status = status;
    return status;
}

int http_svc_fail(struct http_resp *out, const struct svc_error *e)
{
    int err = e->err == IS_OK ? IS_ERR_INTERNAL : e->err;
    return http_error(out, http_status_of(err),
                      e->code[0] ? e->code : "internal",
                      e->field[0] ? e->field : NULL, "%s", e->message);
}

int http_svc_reply(struct http_resp *out, int rc, const struct svc_error *e,
                   json_t *body, int status)
{
    if (rc) {
        json_decref(body);
        return http_svc_fail(out, e);
    }
    json_decref(out->body);
    out->body = body;
    out->status = status;
    return status;
}

int http_fail(struct http_resp *out, int err)
{
    const struct http_status_row *row = http_status_row(err);
    if (row->status < 400) /* IS_OK is not an error to answer */
        row = http_status_row(IS_ERR_INTERNAL);
    return http_error(out, row->status, row->code, NULL, "%s", row->message);
}

const char *http_query(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->mhd, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->mhd, MHD_HEADER_KIND, name);
}

const char *http_session_cookie(struct http_req *r)
{
    return MHD_lookup_connection_value(r->mhd, MHD_COOKIE_KIND, COOKIE_NAME);
}

int http_limit(struct http_req *r, struct http_resp *out, int dflt, int max,
               int *limit)
{
    const char *s = http_query(r, "limit");
    long v = dflt;
    if (s && util_parse_long(s, 1, max, &v)) {
        /* "abc" is not a number at all; "0" or "99999" is one out of range */
        bool number = !util_parse_long_simple(s, &v);
        http_error(out, 400, number ? "out_of_range" : "invalid_type", "limit",
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
    /* match reads the path only: one copy serves every pattern. A target
     * longer than HTTP_MAX_URL is refused (414) before this: every path
     * the hub accepts is routed (a longer one was once a JSON 404, also
     * on routes whose 404 is a page) */
    char tmp[HTTP_MAX_URL + 1];
    if (strlen(url) >= sizeof(tmp))
        return;
    util_xcopy(tmp, sizeof(tmp), url);
    for (size_t i = 0; i < http_nroutes; i++) {
        const char *params[HTTP_MAX_PARAMS] = {0};
        if (!match(http_routes[i].pattern, tmp, params))
            continue;
        if (strcmp(http_routes[i].method, method) != 0) {
            st->method_mismatch = true;
            if (!strstr(st->allow, http_routes[i].method)) {
                size_t n = strlen(st->allow);
                bool get = strcmp(http_routes[i].method, "GET") == 0;
                /* a GET route answers HEAD too (above) */
                snprintf(st->allow + n, sizeof(st->allow) - n, "%s%s%s",
                         n ? ", " : "", http_routes[i].method,
                         get ? ", HEAD" : "");
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

/* Under /taxii2, a target that matched no route but would with a '/'
 * appended is marked, so that its 404 tells an integrator the URL
 * TAXII 2.1 uses (section 1.6.4: every URL ends with a slash). */
static void taxii_slash_check(struct rstate *st, const char *url)
{
    size_t n = strlen(url);
    st->slash_missing = false;
    if (!st->taxii || st->route_index >= 0 || st->method_mismatch || !n ||
        url[n - 1] == '/')
        return;
    char tmp[HTTP_MAX_URL + 2];
    if (n + 2 > sizeof(tmp))
        return;
    memcpy(tmp, url, n);
    tmp[n] = '/';
    tmp[n + 1] = '\0';
    for (size_t i = 0; i < http_nroutes && !st->slash_missing; i++) {
        /* only TAXII's routes (match() cuts the copy it is given) */
        if (strncmp(http_routes[i].pattern, "/taxii2/", 8) != 0)
            continue;
        const char *params[HTTP_MAX_PARAMS] = {0};
        char copy[HTTP_MAX_URL + 2];
        util_xcopy(copy, sizeof(copy), tmp);
        st->slash_missing = match(http_routes[i].pattern, copy, params);
    }
    /* the path with its slash, for the 404's message (freed with st) */
    if (st->slash_missing && !st->path)
        st->path = strdup(tmp);
}

static void add_security_headers(struct MHD_Response *resp, bool html,
                                 const char *cache_control)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control",
                            cache_control ? cache_control : "no-store");
    MHD_add_response_header(
        resp, "Content-Security-Policy",
        html ? "default-src 'self'; script-src 'self'; style-src 'self'; "
               "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'"
             : "default-src 'none'; frame-ancestors 'none'");
}

/* True when the Accept-Encoding value (RFC 9110 section 12.5.3) gives
 * gzip a q-value above 0, by name (gzip, x-gzip) or else through "*". */
static bool accepts_gzip(const char *ae)
{
    double gz = -1, star = -1;
    const char *p = ae;
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *name = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t)(p - name);
        double q = 1;
        while (*p && *p != ',') {
            /* parameters: only q matters; a malformed q refuses the item */
            while (*p == ' ' || *p == '\t' || *p == ';')
                p++;
            if ((*p == 'q' || *p == 'Q') && p[1] == '=') {
                char *end;
                q = strtod(p + 2, &end);
                if (end == p + 2 || q < 0 || q > 1)
                    q = 0;
                p = end;
            } else {
                while (*p && *p != ',' && *p != ';')
                    p++;
            }
        }
        if ((n == 4 && strncasecmp(name, "gzip", 4) == 0) ||
            (n == 6 && strncasecmp(name, "x-gzip", 6) == 0))
            gz = q;
        else if (n == 1 && *name == '*')
            star = q;
    }
    return gz >= 0 ? gz > 0 : star > 0;
}

/* gzip (RFC 1952) of in; a malloc'd buffer in *out. 0 on success. */
static int gzip_bytes(const char *in, size_t n, char **out, size_t *outlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (n > UINT_MAX || deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
                                     Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    uLong cap = deflateBound(&zs, (uLong)n);
    char *o = malloc(cap);
    if (!o) {
        deflateEnd(&zs);
        return -1;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = (Bytef *)o;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    *outlen = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(o);
        return -1;
    }
    *out = o;
    return 0;
}

/* RFC 9110 section 13.1.2: weak comparison of each listed tag, or "*". */
static bool etag_listed(const char *list, const char *etag)
{
    const char *e = strncmp(etag, "W/", 2) == 0 ? etag + 2 : etag;
    size_t en = strlen(e);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        const char *start = p;
        if (*p == '"') {
            const char *q = strchr(p + 1, '"');
            p = q ? q + 1 : p + strlen(p);
        } else {
            while (*p && *p != ',')
                p++;
        }
        if ((size_t)(p - start) == en && strncmp(start, e, en) == 0)
            return true;
    }
    return false;
}

/* A 200 with validators becomes 304 when the request's conditions say the
 * client's copy is current (RFC 9110 section 13.2.2: If-None-Match first;
 * If-Modified-Since only without it). */
static bool not_modified(struct MHD_Connection *conn, const char *method,
                         const struct http_resp *out)
{
    if (out->status != 200 ||
        (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0))
        return false;
    const char *inm =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
    if (inm)
        return out->etag[0] && etag_listed(inm, out->etag);
    const char *ims =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Modified-Since");
    int64_t t;
    return ims && out->last_modified > 0 && !util_http_date_parse(ims, &t) &&
           out->last_modified <= t;
}

/* Set while this file queues a response; see MHD_queue_response below. */
static _Thread_local bool queuing_own;

/* The bytes of out (its raw body, taken from it, or its JSON encoded;
 * an encoding failure becomes a 500) into *data (malloc'd, the caller's;
 * NULL only when out of memory) and *len; returns the content type. */
static const char *resp_bytes(struct http_resp *out, char **data, size_t *len)
{
    if (out->raw) {
        *data = out->raw;
        *len = out->rawlen;
        out->raw = NULL;
        return out->ctype ? out->ctype : "application/octet-stream";
    }
    if (!out->body)
        out->body = json_object();
    /* jansson's compact bytes, written several times faster (a list of
     * 50 reports spent a quarter of its time in json_dumps) */
    *data = jtext_dumps(out->body, len);
    if (!*data) {
        *data = strdup("{\"error\":{\"code\":\"internal\",\"message\":"
                       "\"encoding failed\",\"message_ja\":"
                       "\"応答を作成できませんでした。\"}}");
        out->status = 500;
        *len = *data ? strlen(*data) : 0;
    }
    return "application/json; charset=utf-8";
}

/* Compresses *data (len *len) in place when it is large enough and the
 * client accepts gzip; returns whether it did. */
static bool maybe_gzip(struct MHD_Connection *conn, char **data, size_t *len)
{
    if (!*data || *len < HTTP_GZIP_MIN ||
        !accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                  "Accept-Encoding")))
        return false;
    char *z;
    size_t zlen;
    if (gzip_bytes(*data, *len, &z, &zlen))
        return false;
    free(*data);
    *data = z;
    *len = zlen;
    return true;
}

/* The response headers of out (ctype: its content type). */
static void add_resp_headers(struct MHD_Response *resp,
                             const struct http_resp *out,
                             const struct rstate *st, const char *ctype,
                             bool gzipped)
{
    if (out->status != 304)
        MHD_add_response_header(resp, "Content-Type", ctype);
    if (gzipped)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    if (out->etag[0])
        MHD_add_response_header(resp, "ETag", out->etag);
    if (out->last_modified > 0) {
        char date[UTIL_HTTP_DATE_LEN];
        util_http_date(out->last_modified, date);
        MHD_add_response_header(resp, "Last-Modified", date);
    }
    add_security_headers(resp, strncmp(ctype, "text/html", 9) == 0,
                         out->cache_control);
    if (out->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", out->set_cookie);
    if (out->disposition[0])
        MHD_add_response_header(resp, "Content-Disposition", out->disposition);
    if (out->location[0])
        MHD_add_response_header(resp, "Location", out->location);
    if (out->status == 405 && st->allow[0])
        MHD_add_response_header(resp, "Allow", st->allow);
    if (out->retry_after > 0) {
        char secs[16];
        snprintf(secs, sizeof(secs), "%d", out->retry_after);
        MHD_add_response_header(resp, "Retry-After", secs);
    }
    if (out->date_added_first[0])
        MHD_add_response_header(resp, "X-TAXII-Date-Added-First",
                                out->date_added_first);
    if (out->date_added_last[0])
        MHD_add_response_header(resp, "X-TAXII-Date-Added-Last",
                                out->date_added_last);
    if (st->taxii && out->status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate",
                                "Basic realm=\"infrashare TAXII\", "
                                "charset=\"UTF-8\"");
}

/* An error answer under /taxii2 as the TAXII 2.1 error object (title,
 * description, error_code, http_status as a string, details.field and
 * details.message_ja). */
static void taxii_error(struct http_resp *out)
{
    const json_t *err = json_object_get(out->body, "error");
    if (out->raw || !err)
        return;
    const char *code = json_string_value(json_object_get(err, "code"));
    const char *msg = json_string_value(json_object_get(err, "message"));
    const char *field = json_string_value(json_object_get(err, "field"));
    const char *title = MHD_get_reason_phrase_for((unsigned)out->status);
    char status[8];
    snprintf(status, sizeof(status), "%d", out->status);
    json_t *t = json_pack("{s:s,s:s,s:s,s:s}", "title",
                          title && *title ? title : "Error", "description",
                          msg ? msg : "", "error_code", code ? code : "error",
                          "http_status", status);
    /* details (a dictionary TAXII leaves to the server): the field, and
     * the sentence in Japanese, as every other error of the hub has */
    const char *ja = json_string_value(json_object_get(err, "message_ja"));
    json_t *d = t ? json_object() : NULL;
    if (d && field)
        json_object_set_new(d, "field", json_string(field));
    if (d && ja && *ja)
        json_object_set_new(d, "message_ja", json_string(ja));
    const char *dja = json_string_value(json_object_get(err, "detail_ja"));
    if (d && dja && *dja)
        json_object_set_new(d, "detail_ja", json_string(dja));
    if (d && json_object_size(d))
        json_object_set_new(t, "details", d);
    else
        json_decref(d);
    char *text = t ? json_dumps(t, JSON_COMPACT) : NULL;
    json_decref(t);
    if (!text)
        return;
    json_decref(out->body);
    out->body = NULL;
    out->raw = text;
    out->rawlen = strlen(text);
    out->ctype = TAXII_MEDIA;
}

/* The metrics and the one log line of a request answered with out. An
 * exercise's requests are counted apart (never in the hub's request
 * metrics) and their log line names the exercise. */
static void observe(const struct rstate *st, const struct http_req *r,
                    const struct http_resp *out)
{
    double secs = util_mono() - st->t0;
    if (st->exercise[0])
        metrics_exercise_request();
    else
        metrics_observe(st->route_index, out->status, secs);
    const struct http_route *rt =
        st->route_index >= 0 ? &http_routes[st->route_index] : NULL;
    bool actor = r && r->authed && !out->log_withhold_actor;
    /* the line log_event would write, made without JSON values */
    const struct log_field f[] = {
        {.name = "method", .type = LOG_F_STR, .s = r ? r->method : "?"},
        {.name = "route", .type = LOG_F_STR, .s = rt ? rt->pattern : "(none)"},
        {.name = "status", .type = LOG_F_INT, .i = out->status},
        {.name = "ms",
         .type = LOG_F_REAL,
         .d = (double)(int64_t)(secs * 1e5) / 100.0},
        {.name = "user",
         .type = actor ? LOG_F_INT : LOG_F_NULL,
         .i = actor ? r->auth.user_id : 0},
        {.name = "org", .type = LOG_F_STR, .s = actor ? r->auth.org.id : NULL},
        {.name = "exercise",
         .type = LOG_F_STR,
         .s = st->exercise[0] ? st->exercise : NULL},
    };
    log_fields(out->status >= 500 ? LOG_ERROR : LOG_INFO, "request", f,
               IS_ARRAY_LEN(f));
}

/* Retry-After of a 503 store_unavailable: a failover of PostgreSQL takes
 * seconds */
#define STORE_RETRY_AFTER_S 2

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct rstate *st,
                                 struct http_req *r, struct http_resp *out)
{
    char *data;
    size_t len;
    /* issue 17: a failure while the database cannot be reached (no
     * PostgreSQL primary answers) says so, and when to try again */
    if (out->status == 500 && (store_unavailable() || out->store_lost)) {
        http_error(out, 503, "store_unavailable", NULL,
                   "the database cannot be reached now; try again shortly");
        out->retry_after = STORE_RETRY_AFTER_S;
    } else if (out->status == 500 && store_writes_stalled()) {
        /* a writer waited past its lock timeout: the one holding the
         * lock is stuck (a synchronous standby gone), not this request */
        http_error(out, 503, "store_unavailable", NULL,
                   "the database does not take writes now (its writer "
                   "waits); try again shortly");
        out->retry_after = STORE_RETRY_AFTER_S;
    }
    if (st->taxii && out->status >= 400)
        taxii_error(out);
    const char *ctype = resp_bytes(out, &data, &len);
    const char *method = r && r->method ? r->method : "GET";
    bool gzipped = maybe_gzip(conn, &data, &len);
    if (data && not_modified(conn, method, out)) {
        /* 304: validators, Vary and Cache-Control stay; the library sends
         * no body for it, and its Content-Length is that of the 200 it
         * replaces (RFC 9110 section 8.6), so the bytes stay attached */
        out->status = 304;
        gzipped = false;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    add_resp_headers(resp, out, st, ctype, gzipped);
    queuing_own = true;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)out->status, resp);
    queuing_own = false;
    MHD_destroy_response(resp);
    observe(st, r, out);
    json_decref(out->body);
    out->body = NULL;
    free(out->raw);
    st->queued = true;
    return ret;
}

/* ---- the client's address ---- */

/* An address as 16 bytes (IPv4 as IPv4-mapped IPv6). */
struct ip16 {
    unsigned char b[16];
};

static struct ip16 trusted_proxy[HTTP_MAX_TRUSTED_PROXIES];
static int n_trusted_proxies;

static bool ip16_parse(const char *text, struct ip16 *out)
{
    struct in_addr a4;
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, text, &a4) == 1) {
        out->b[10] = out->b[11] = 0xff;
        memcpy(&out->b[12], &a4, 4);
        return true;
    }
    return inet_pton(AF_INET6, text, out->b) == 1;
}

static bool is_trusted_proxy(const struct ip16 *a)
{
    for (int i = 0; i < n_trusted_proxies; i++)
        if (memcmp(trusted_proxy[i].b, a->b, 16) == 0)
            return true;
    return false;
}

/* The address as written (audit, limits): IPv4 as a.b.c.d, whether it
 * came as such or IPv4-mapped (a dual-stack listener's IPv4 clients). */
static void ip16_text(const struct ip16 *a, char *out, size_t len)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a->b, mapped, 12) == 0)
        inet_ntop(AF_INET, &a->b[12], out, (socklen_t)len);
    else
        inet_ntop(AF_INET6, a->b, out, (socklen_t)len);
}

bool http_set_trusted_proxies(const char *list)
{
    struct ip16 got[HTTP_MAX_TRUSTED_PROXIES];
    int n = 0;
    const char *p = list;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t l = end ? (size_t)(end - p) : strlen(p);
        char one[INET6_ADDRSTRLEN + 1];
        if (l == 0 || l >= sizeof(one) || n == HTTP_MAX_TRUSTED_PROXIES)
            return false;
        memcpy(one, p, l);
        one[l] = 0;
        if (!ip16_parse(one, &got[n++]))
            return false;
        p = end ? end + 1 : NULL;
    }
    if (n == 0)
        return false;
    memcpy(trusted_proxy, got, sizeof(got));
    n_trusted_proxies = n;
    return true;
}

/* Every X-Forwarded-For field of the request, in order, as one list. */
struct xff {
    char text[HTTP_MAX_HEADER_BYTES + 1];
    size_t len;
};

static enum MHD_Result xff_add(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    IS_UNUSED(kind);
    struct xff *x = cls;
    if (!key || strcasecmp(key, "X-Forwarded-For") != 0 || !value)
        return MHD_YES;
    size_t l = strlen(value);
    if (x->len + l + 2 >= sizeof(x->text))
        return MHD_YES;
    if (x->len)
        x->text[x->len++] = ',';
    memcpy(x->text + x->len, value, l);
    x->len += l;
    x->text[x->len] = 0;
    return MHD_YES;
}

/* The client behind a trusted proxy (http_set_trusted_proxies): the
 * rightmost X-Forwarded-For entry that is not a trusted proxy itself;
 * false when there is none, or it is not an address. */
static bool forwarded_for(struct MHD_Connection *conn, struct ip16 *out)
{
    struct xff *x = calloc(1, sizeof(*x));
    if (!x)
        return false;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, xff_add, x);
    bool ok = false;
    size_t end = x->len;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && x->text[start - 1] != ',')
            start--;
        size_t a = start, b = end;
        while (a < b && (x->text[a] == ' ' || x->text[a] == '\t'))
            a++;
        while (b > a && (x->text[b - 1] == ' ' || x->text[b - 1] == '\t'))
            b--;
        char one[INET6_ADDRSTRLEN + 1];
        if (b - a == 0 || b - a >= sizeof(one))
            break;
        memcpy(one, x->text + a, b - a);
        one[b - a] = 0;
        if (!ip16_parse(one, out))
            break;
        if (!is_trusted_proxy(out)) {
            ok = true;
            break;
        }
        end = start ? start - 1 : 0;
    }
    free(x);
    return ok;
}

static void client_addr(struct MHD_Connection *conn, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, len, "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    struct ip16 peer;
    memset(&peer, 0, sizeof(peer));
    if (sa->sa_family == AF_INET) {
        peer.b[10] = peer.b[11] = 0xff;
        memcpy(&peer.b[12], &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        memcpy(peer.b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    } else {
        return;
    }
    struct ip16 client;
    if (n_trusted_proxies && is_trusted_proxy(&peer) &&
        forwarded_for(conn, &client))
        peer = client;
    ip16_text(&peer, out, len);
}

static bool is_state_changing(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* HTTP Basic credentials "user:token" (base64): the token's user must be
 * the named one. IS_ERR_AUTH when they are not valid. */
static int basic_token(struct http_req *r, const char *b64, int64_t now)
{
    unsigned char dec[512];
    size_t n = 0;
    const char *end = NULL;
    while (*b64 == ' ')
        b64++;
    if (strlen(b64) > 600 ||
        sodium_base642bin(dec, sizeof(dec) - 1, b64, strlen(b64), " ", &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) ||
        *end != '\0')
        return IS_ERR_AUTH;
    dec[n] = '\0';
    char *colon = memchr(dec, ':', n);
    if (!colon || memchr(dec, '\0', n))
        return IS_ERR_AUTH;
    *colon = '\0';
    const char *user = (const char *)dec, *token = colon + 1;
    int rc = auth_token(r->sc, token, now, &r->auth);
    if (rc)
        return rc;
    if (strcmp(r->auth.username, user) != 0) {
        memset(&r->auth, 0, sizeof(r->auth));
        return IS_ERR_AUTH;
    }
    return IS_OK;
}

/* Authentication: bearer token first, then the session cookie. */
static int authenticate(struct http_req *r, struct MHD_Connection *conn,
                        struct http_resp *out)
{
    const char *authz =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    int rc;
    int64_t now = app_now(r->app);
    if (authz && r->route->taxii && strncasecmp(authz, "Basic ", 6) == 0) {
        /* issue 16: many TAXII clients only do Basic; the password is an
         * API token of the named user (never the user's password) */
        rc = basic_token(r, authz + 6, now);
    } else if (authz) {
        /* the scheme is case-insensitive (RFC 9110 §11.1) */
        if (strncasecmp(authz, "Bearer ", 7) != 0)
            return http_error(out, 401, "unauthenticated", "Authorization",
                              r->route->taxii
                                  ? "Authorization: expected 'Bearer "
                                    "<token>' or Basic with an API token"
                                  : "Authorization: expected 'Bearer "
                                    "<token>'");
        rc = auth_token(r->sc, authz + 7, now, &r->auth);
    } else {
        const char *cookie =
            MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, COOKIE_NAME);
        if (!cookie)
            return http_error(out, 401, "unauthenticated", NULL,
                              "sign in (POST /api/v1/session) or send "
                              "Authorization: Bearer <token>");
        /* a cookie longer than any session's is no session (never a
         * cut-short copy of one) */
        rc = util_copy(r->cookie, sizeof(r->cookie), cookie)
                 ? IS_ERR_AUTH
                 : auth_session(r->sc, cookie, now, &r->auth);
    }
    if (rc == IS_ERR_AUTH)
        return http_error(out, 401, "unauthenticated", NULL,
                          "the session or token is not valid (expired, "
                          "revoked or signed out)");
    if (rc)
        return http_fail(out, rc);
    r->authed = true;
    if (r->auth.via_session && is_state_changing(r->method)) {
        const char *tok =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
        size_t n = strlen(r->auth.csrf);
        if (!tok || strlen(tok) != n || !util_ct_equal(tok, r->auth.csrf, n))
            return http_error(out, 403, "csrf_failed", "X-CSRF-Token",
                              "X-CSRF-Token: missing or does not match "
                              "this session");
    }
    if (r->route->roles && !(r->auth.roles & r->route->roles))
        return http_fail(out, IS_ERR_FORBIDDEN);
    /* an account with no role is a vantage point's (issue 12,
     * service/sites.h): its token is a credential for the routes made for
     * vantage points only, and no credential anywhere else */
    if (!r->auth.roles && !r->route->vantage)
        return http_error(out, 401, "unauthenticated", "Authorization",
                          "this token is a vantage point's: it is valid "
                          "only for the vantage points' routes");
    return 0;
}

/* ---- read transactions ----
 *
 * In WAL mode every statement run outside a transaction is a read
 * transaction of its own: it takes and drops the shared-memory read lock
 * (fcntl calls) and checks the database's size (fstat), which costs more
 * than the statement. So the pipeline reads the credentials (the token or
 * session, its user, the user's organisation: four statements) in one
 * read transaction (auth_read_begin), and for the routes listed below,
 * whose handlers only read and open no transaction of their own, the
 * handler's reads too: one snapshot, one lock, per request. Nothing is
 * cached between requests: a revoked token, an ended session or a
 * disabled user is refused at once. Any other route's transaction ends
 * before its handler runs (the handler may write or begin its own). */

/* Read-only handlers (method, pattern): nothing in them writes or begins
 * a transaction of its own (a nested BEGIN would fail). Adding a
 * route here needs that checked through its whole call tree. The filing
 * is the one exception: report_file reads in the snapshot it finds open
 * and ends it (store_read_end) before its write (a group commit, which
 * refuses to run with a transaction open on the caller's connection), so
 * a filing's credentials and its reads before the write share one read
 * transaction. */
static const struct {
    const char *method, *pattern;
} snapshot_routes[] = {
    {"GET", "/api/v1/sectors"},
    {"GET", "/api/v1/orgs"},
    {"GET", "/api/v1/orgs/{id}"},
    {"POST", "/api/v1/reports"},
};

static bool *snapshot_index; /* by route index; NULL: none */
static pthread_once_t snapshot_once = PTHREAD_ONCE_INIT;

static void snapshot_init(void)
{
    bool *t = calloc(http_nroutes ? http_nroutes : 1, sizeof(*t));
    for (size_t i = 0; t && i < http_nroutes; i++)
        for (size_t k = 0; k < IS_ARRAY_LEN(snapshot_routes); k++)
            if (strcmp(http_routes[i].method, snapshot_routes[k].method) == 0 &&
                strcmp(http_routes[i].pattern, snapshot_routes[k].pattern) == 0)
                t[i] = true;
    snapshot_index = t;
}

static bool snapshot_route(int route_index)
{
    pthread_once(&snapshot_once, snapshot_init);
    return snapshot_index && route_index >= 0 &&
           (size_t)route_index < http_nroutes && snapshot_index[route_index];
}

/* authenticate in one read transaction (r->sc has none open). */
static int authenticate_read(struct http_req *r, struct MHD_Connection *conn,
                             struct http_resp *out)
{
    bool tx = auth_read_begin(r->sc) == IS_OK;
    int rc = authenticate(r, conn, out);
    if (tx)
        auth_read_end(r->sc);
    return rc;
}

void http_etag_of(struct http_resp *out, const void *data, size_t len)
{
    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof(h), data, len, NULL, 0);
    util_hex(hex, h, sizeof(h));
    snprintf(out->etag, sizeof(out->etag), "W/\"%s\"", hex);
}

/* A request body as JSON (duplicate keys refused). U+0000 (\u0000) is
 * valid JSON and decoded, for the caller to refuse naming its field
 * (jv_find_nul) rather than the whole body. An integer beyond 64 bits is
 * found by decoding again with integers as reals: NULL with its path in
 * at; at is "" for any other fault (je says which). */
static json_t *http_json_decode(const char *text, size_t len, json_error_t *je,
                                char *at, size_t atlen)
{
    at[0] = '\0';
    json_t *j =
        json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, je);
    if (j || (!strstr(je->text, "too big integer") &&
              !strstr(je->text, "too big negative integer")))
        return j;
    json_error_t je2;
    json_t *r = json_loadb(text, len,
                           JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL |
                               JSON_DECODE_INT_AS_REAL,
                           &je2);
    if (r && !jv_find_huge_int(r, at, atlen))
        at[0] = '\0';
    json_decref(r);
    return NULL;
}

bool http_json_media_type(const char *ct)
{
    if (!ct)
        return false;
    const char *p = ct;
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncasecmp(p, "application/json", 16) != 0)
        return false;
    p += 16;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return true;
        if (*p++ != ';')
            return false;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *name = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        size_t nn = (size_t)(p - name);
        while (nn && (name[nn - 1] == ' ' || name[nn - 1] == '\t'))
            nn--;
        if (*p != '=') {
            if (nn)
                return false; /* a parameter without a value */
            continue;
        }
        p++;
        const char *val = p;
        size_t vn;
        if (*p == '"') {
            val = ++p;
            while (*p && *p != '"')
                p++;
            if (*p != '"')
                return false;
            vn = (size_t)(p - val);
            p++;
        } else {
            while (*p && *p != ';' && *p != ' ' && *p != '\t')
                p++;
            vn = (size_t)(p - val);
        }
        /* charset, when given, must be UTF-8; other parameters mean
         * nothing for application/json and are ignored */
        if (nn == 7 && strncasecmp(name, "charset", 7) == 0 &&
            !(vn == 5 && strncasecmp(val, "utf-8", 5) == 0))
            return false;
    }
}

/* ---- the exercise context (issue 14) ----
 *
 * /x/{exercise}/<path> is <path> run inside a running cross-sector
 * exercise: the same route and handler, on the exercise's app (its own
 * database, clock and outbox: service/exercise_run.h). The caller is
 * authenticated against the hub's accounts first and must be a
 * participant or a controller; the routes of the exercise environment are
 * those of the pipeline participants act with (exercise_routes). */

/* The path under an /x/{id} prefix (st->exercise set), or url itself. An
 * id that is no exercise's shape leaves the prefix in place (404). */
static const char *exercise_prefix(struct rstate *st, const char *url)
{
    st->exercise[0] = '\0';
    if (strncmp(url, "/x/", 3) != 0)
        return url;
    const char *id = url + 3;
    size_t n = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789");
    if (n == 0 || n >= sizeof(st->exercise) || (id[n] != '/' && id[n]))
        return url;
    memcpy(st->exercise, id, n);
    st->exercise[n] = '\0';
    return id[n] ? id + n : "/";
}

/* The routes of the exercise environment: pattern prefixes, and whether
 * only reads are (the registry, as copied at the start). */
static bool exercise_route(const struct http_route *rt)
{
    static const struct {
        const char *prefix;
        bool read_only;
    } ok[] = {
        {"/api/v1/reports", false},
        {"/api/v1/events", false},
        {"/api/v1/advisories", false},
        {"/ack/", false},
        {"/api/v1/sectors", true},
        {"/api/v1/orgs", true},
        {"/api/v1/catalogue", true},
        {"/api/v1/severity/", false},
        {"/api/v1/dashboard", true},
        {"/api/v1/declarations", true},
        {"/ui/", true},
    };
    if (strcmp(rt->pattern, "/") == 0)
        return true;
    bool get = strcmp(rt->method, "GET") == 0;
    for (size_t i = 0; i < IS_ARRAY_LEN(ok); i++)
        if (strncmp(rt->pattern, ok[i].prefix, strlen(ok[i].prefix)) == 0)
            return get || !ok[i].read_only;
    return false;
}

/* What of the exercise environment a request without credentials
 * reaches: the page and its files (the same for any id), the
 * acknowledgement links (their token decides); every other route there
 * needs credentials, public ones too, so that nothing tells whether an
 * id runs to whoever takes no part in it (the registry's public reads
 * answered 200 for a running id and 404 for any other: found by an
 * outside review). */
enum ex_open { EX_CLOSED, EX_OPEN_PAGE, EX_OPEN_ACK };
static enum ex_open exercise_open(const struct http_route *rt)
{
    if (strcmp(rt->pattern, "/") == 0 || strncmp(rt->pattern, "/ui/", 4) == 0)
        return EX_OPEN_PAGE;
    return strncmp(rt->pattern, "/ack/", 5) == 0 ? EX_OPEN_ACK : EX_CLOSED;
}

/* Moves request r into exercise st->exercise: *xa its app (a reference
 * exercise_leave gives back), r's connection one of its database. 0, or
 * the status of the answer in out. */
static int exercise_context(struct http_server *srv, const struct rstate *st,
                            struct http_req *r, struct app **xa,
                            struct http_resp *out)
{
    struct svc_error e = {0};
    /* the page and its files are the same for any id (exercise_open) */
    if (!r->authed && exercise_open(r->route) == EX_OPEN_PAGE)
        return 0;
    if (exercise_enter(srv->app, st->exercise, r->authed ? &r->auth : NULL, xa,
                       &e))
        return http_svc_fail(out, &e);
    if (exercise_join_user(*xa, r->sc, r->authed ? &r->auth : NULL, &e)) {
        exercise_leave(*xa);
        *xa = NULL;
        return http_svc_fail(out, &e);
    }
    store_put(srv->app->store, r->sc);
    r->app = *xa;
    r->sc = store_acquire(r->app->store);
    return 0;
}

static bool run_route(struct http_server *srv, struct MHD_Connection *conn,
                      struct rstate *st, const char *method,
                      struct http_resp *out, struct http_req *r, bool retry);

static void process(struct http_server *srv, struct MHD_Connection *conn,
                    struct rstate *st, const char *method,
                    struct http_resp *out, struct http_req *r)
{
    r->app = srv->app;
    r->method = method;
    r->mhd = conn;
    client_addr(conn, r->addr, sizeof(r->addr));
    /* the body buf failed (past the route's cap, or out of memory): its
     * contents are cut short and are never parsed */
    if (st->too_large || buf_error(&st->body)) {
        http_error(out, 413, "body_too_large", "body",
                   "the request body is larger than this endpoint accepts");
        return;
    }
    if (st->route_index < 0) {
        if (st->method_mismatch)
            http_error(out, 405, "method_not_allowed", NULL,
                       "this path does not accept %s", method);
        else if (st->slash_missing && st->path)
            http_error(out, 404, "not_found", NULL,
                       "no such path: TAXII 2.1 URLs end with a slash (%.900s)",
                       st->path);
        else
            http_error(out, 404, "not_found", NULL, "no such path");
        return;
    }
    r->route = &http_routes[st->route_index];
    r->route_index = st->route_index;
    r->path = st->path;
    memcpy(r->params, st->params, sizeof(r->params));
    /* body */
    const char *ctype =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    if (r->route->taxii && !taxii_accept_ok(MHD_lookup_connection_value(
                               conn, MHD_HEADER_KIND, "Accept"))) {
        http_error(out, 406, "not_acceptable", "Accept",
                   "Accept: this server answers only %s", TAXII_MEDIA);
        return;
    }
    if (r->route->taxii && st->body.len) {
        if (!r->route->raw_json) {
            http_error(out, 400, "unexpected_body", "body",
                       "this endpoint takes no request body");
            return;
        }
        if (!taxii_ctype_ok(ctype)) {
            http_error(out, 415, "unsupported_media_type", "Content-Type",
                       "Content-Type: the body must be sent as %s",
                       TAXII_MEDIA);
            return;
        }
        /* the envelope is parsed by its handler */
        r->body = buf_str(&st->body);
        r->body_len = st->body.len;
    } else if (st->body.len && r->route->form && ctype &&
               strncasecmp(ctype, "application/x-www-form-urlencoded", 33) ==
                   0) {
        /* an HTML form's body (a roll call's answer page): checked by
         * the handler */
        r->json = http_form_parse(buf_str(&st->body), st->body.len);
        if (!r->json) {
            http_error(out, 400, "malformed_form", "body",
                       "body: not a valid form submission");
            return;
        }
    } else if (st->body.len && r->route->form && !r->route->body) {
        http_error(out, 415, "unsupported_media_type", "Content-Type",
                   "Content-Type: the body must be an HTML form "
                   "(application/x-www-form-urlencoded)");
        return;
    } else if (st->body.len) {
        if (!r->route->body && !r->route->raw_json) {
            http_error(out, 400, "unexpected_body", "body",
                       "this endpoint takes no request body");
            return;
        }
        if (!http_json_media_type(MHD_lookup_connection_value(
                conn, MHD_HEADER_KIND, "Content-Type"))) {
            http_error(out, 415, "unsupported_media_type", "Content-Type",
                       "Content-Type: the body must be sent as "
                       "application/json (UTF-8)");
            return;
        }
        /* RFC 8259 section 8.1: a parser may ignore a UTF-8 byte order
         * mark; the hub does (some tools write one), and only at the
         * start */
        const char *text = buf_str(&st->body);
        size_t tlen = st->body.len;
        r->body = text;
        r->body_len = tlen;
        if (tlen >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
            text += 3;
            tlen -= 3;
        }
        json_error_t je;
        char at[256];
        r->json = http_json_decode(text, tlen, &je, at, sizeof(at));
        if (!r->json && at[0]) {
            http_error(out, 400, "out_of_range", at,
                       "%s: a whole number beyond the 64-bit integers", at);
            return;
        }
        if (!r->json) {
            http_error(out, 400, "malformed_json", "body",
                       "body: not valid JSON (line %d, column %d): %s", je.line,
                       je.column, je.text);
            return;
        }
        if (jv_find_nul(r->json, at, sizeof(at))) {
            http_error(out, 400, "invalid_text", at,
                       "%s: contains a control character or invalid UTF-8", at);
            return;
        }
    } else if (r->route->body) {
        r->json = json_object();
    }
    if (st->exercise[0] && !exercise_route(r->route)) {
        http_error(out, 404, "not_in_exercise", NULL,
                   "%s %s is not part of the exercise environment", method,
                   r->route->pattern);
        return;
    }
    /* issue 17: a read-only request whose PostgreSQL connection was lost
     * while it ran (a failover), and which began no write, is run once
     * more from its credentials on: nothing of it was stored, so running
     * it again is safe, and the client gets its answer instead of a 503.
     * A request that began a write (an audited read's audit entry, say)
     * is not: that write may have been committed. */
    bool reads = !is_state_changing(method);
    for (int attempt = 0;
         run_route(srv, conn, st, method, out, r, reads && attempt == 0);
         attempt++) {
        log_event(LOG_WARN,
                  "request run again: its database connection "
                  "was lost and it had written nothing",
                  "route", json_string(r->route->pattern), NULL);
        json_decref(out->body);
        free(out->raw);
        memset(out, 0, sizeof(*out));
        r->app = srv->app;
        r->authed = false;
        memset(&r->auth, 0, sizeof(r->auth));
    }
}

/* The credentials, the body's check and the handler of a request with a
 * route (process). True when retry was allowed and the request should be
 * run again: its connection was lost and it began no write (out then
 * holds a failure to discard). */
static bool run_route(struct http_server *srv, struct MHD_Connection *conn,
                      struct rstate *st, const char *method,
                      struct http_resp *out, struct http_req *r, bool retry)
{
    uint64_t writes = store_thread_writes();
    r->sc = store_acquire(srv->app->store);
    struct app *xa = NULL;
    /* one read transaction for the credentials, and for the handler too
     * when its route reads only (snapshot_route); never into an
     * exercise's database, which is another connection */
    bool snap = snapshot_route(st->route_index) && !st->exercise[0];
    bool authed = r->route->auth == HTTP_AUTHED ||
                  (st->exercise[0] && exercise_open(r->route) == EX_CLOSED);
    bool tx = (snap || authed) && auth_read_begin(r->sc) == IS_OK;
    if (authed && authenticate(r, conn, out))
        goto done;
    if (tx && !snap) { /* the handler may write: its own transactions */
        auth_read_end(r->sc);
        tx = false;
    }
    if (st->exercise[0] && exercise_context(srv, st, r, &xa, out))
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
    if (tx)
        auth_read_end(r->sc);
    out->store_lost = store_conn_lost(r->sc);
    bool again = retry && out->store_lost && store_thread_writes() == writes;
    store_put(r->app->store, r->sc);
    r->sc = NULL;
    exercise_leave(xa);
    return again;
}

/* The credentials of a request to a route with a large body, from its
 * header fields alone: the route's own check for a public route
 * (http_route.precheck: the mail intake's token), else the session or
 * token, CSRF and roles as the pipeline checks them later. True when the
 * body may be read; else out holds the answer. */
static bool credentials_first(struct http_server *srv,
                              struct MHD_Connection *conn,
                              const struct rstate *st, const char *method,
                              struct http_resp *out)
{
    const struct http_route *rt = &http_routes[st->route_index];
    struct http_req r = {0};
    r.app = srv->app;
    r.route = rt;
    r.route_index = st->route_index;
    r.method = method;
    r.mhd = conn;
    if (rt->auth == HTTP_PUBLIC)
        return !rt->precheck || !rt->precheck(&r, out);
    r.sc = store_acquire(srv->app->store);
    bool ok = !authenticate_read(&r, conn, out);
    store_put(srv->app->store, r.sc);
    return ok;
}

/* Called by libmicrohttpd with the request target before it splits the
 * query into arguments (connection.c, parse_initial_message_line, in
 * 0.9.75 and later). Each argument costs a record in the connection's
 * memory pool, and an exhausted pool there leaves the connection hanging
 * until its timeout; so a target over the limits gets its query cut here
 * (the target is in the library's writable read buffer, and the cut is
 * before the arguments are parsed) and the request is answered 414/400 by
 * on_request. The state allocated here is the request's con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    IS_UNUSED(cls);
    IS_UNUSED(conn);
    struct rstate *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->t0 = util_mono();
    char *q = strchr(uri, '?');
    size_t nparams = 0;
    if (q && q[1]) {
        nparams = 1;
        for (const char *p = q + 1; *p; p++)
            nparams += *p == '&';
    }
    /* an encoded NUL would end the C strings the handlers see, so the
     * hub would answer a shorter path or value than was sent */
    st->uri_nul = strstr(uri, "%00") != NULL;
    if (strlen(uri) > HTTP_MAX_URL)
        st->uri_status = 414;
    else if (nparams > HTTP_MAX_QUERY_PARAMS)
        st->uri_status = 400;
    if (st->uri_status && q)
        q[1] = '\0';
    return st;
}

struct arg_names {
    const char *names[HTTP_MAX_QUERY_PARAMS + 1];
    size_t n;
    const char *dup; /* the first name given twice, or NULL */
    /* the first parameter whose name or value is not UTF-8, or NULL */
    const char *bad;
    bool bad_name; /* it is its name */
};

static enum MHD_Result note_arg(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *value)
{
    IS_UNUSED(kind);
    struct arg_names *a = cls;
    if (!a->bad && !util_utf8_valid(key, strlen(key))) {
        a->bad = key;
        a->bad_name = true;
    } else if (!a->bad && value && !util_utf8_valid(value, strlen(value))) {
        a->bad = key;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->names[i], key) == 0) {
            a->dup = key;
            return MHD_NO;
        }
    }
    if (a->n < IS_ARRAY_LEN(a->names))
        a->names[a->n++] = key;
    return MHD_YES;
}

struct head_count {
    size_t n, bytes, hosts;
    size_t lengths;       /* Content-Length fields */
    const char *length;   /* the first one's value */
    bool lengths_differ;  /* another one's value is not the same */
    size_t encodings;     /* Transfer-Encoding fields */
    const char *encoding; /* the first one's value */
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind,
                                    const char *key, const char *value)
{
    IS_UNUSED(kind);
    struct head_count *hc = cls;
    const char *v = value ? value : "";
    hc->n++;
    hc->bytes += strlen(key) + strlen(v);
    if (strcasecmp(key, "Host") == 0)
        hc->hosts++;
    if (strcasecmp(key, "Content-Length") == 0) {
        if (hc->lengths++ == 0)
            hc->length = v;
        else if (strcmp(v, hc->length) != 0)
            hc->lengths_differ = true;
    }
    if (strcasecmp(key, "Transfer-Encoding") == 0 && hc->encodings++ == 0)
        hc->encoding = v;
    return MHD_YES;
}

/* How the body is framed (RFC 9112 section 6): one way, which the hub
 * and anything in front of it read alike, or the request is refused
 * (fills out, returns true). The library reads the first Content-Length
 * field and ignores the others, ignores Content-Length beside any
 * Transfer-Encoding, and reads a Transfer-Encoding other than chunked as
 * a body without end; so two lengths that differ, or a Transfer-Encoding
 * with a length, would let the bytes after what it read be taken for a
 * second request (request smuggling). An early answer closes the
 * connection (the library reads nothing more of it). */
static bool framing_refused(const struct head_count *hc, const char *version,
                            struct http_resp *out)
{
    if (hc->lengths_differ) {
        http_error(out, 400, "conflicting_content_length", "Content-Length",
                   "Content-Length: sent more than once with different "
                   "values");
        return true;
    }
    if (!hc->encodings)
        return false;
    if (hc->lengths ||
        (version && strcmp(version, MHD_HTTP_VERSION_1_0) == 0)) {
        http_error(out, 400, "ambiguous_framing", "Transfer-Encoding",
                   "Transfer-Encoding: not accepted with Content-Length "
                   "or in HTTP/1.0 (the body's length would be ambiguous)");
        return true;
    }
    if (hc->encodings > 1 || strcasecmp(hc->encoding, "chunked") != 0) {
        http_error(out, 501, "unsupported_transfer_encoding",
                   "Transfer-Encoding",
                   "Transfer-Encoding: only 'chunked' is supported");
        return true;
    }
    return false;
}

/* Checks of the request head made before the route runs or a body is
 * read; fills out and returns true when the request is refused. */
static bool head_refused(struct MHD_Connection *conn, struct rstate *st,
                         const char *version, struct http_resp *out)
{
    if (st->uri_status == 414) {
        http_error(out, 414, "uri_too_long", "url",
                   "the request target is longer than %d bytes", HTTP_MAX_URL);
        return true;
    }
    if (st->uri_status) {
        http_error(out, 400, "too_many_parameters", "query",
                   "the query has more than %d parameters",
                   HTTP_MAX_QUERY_PARAMS);
        return true;
    }
    if (st->uri_form) {
        http_error(out, 400, "bad_request", "url",
                   "the request target must be a path that starts with '/' "
                   "(or an http or https URL)");
        return true;
    }
    if (st->uri_nul) {
        http_error(out, 400, "invalid_text", "url",
                   "the request target contains an encoded NUL (%%00)");
        return true;
    }
    /* the decoded path and query are text: an id or a value of other
     * bytes names nothing, and PostgreSQL refuses them in a text
     * parameter (found by fuzz/api_fuzz.py: 500 on that engine) */
    if (st->uri_bytes) {
        http_error(out, 400, "invalid_text", "url",
                   "the request path is not UTF-8 once decoded");
        return true;
    }
    /* a parameter given twice is ambiguous (which value counts?) */
    struct arg_names an = {0};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, note_arg, &an);
    if (an.bad) {
        struct jv_error je;
        bool printable =
            !an.bad_name && !jv_check_text("query", an.bad, 64, &je);
        http_error(out, 400, "invalid_text", printable ? an.bad : "query",
                   "%s: not UTF-8 once decoded", printable ? an.bad : "query");
        return true;
    }
    if (an.dup) {
        struct jv_error je;
        bool printable = !jv_check_text("query", an.dup, 64, &je);
        http_error(out, 400, "duplicate_parameter",
                   printable ? an.dup : "query",
                   "%s: query parameter given more than once",
                   printable ? an.dup : "a");
        return true;
    }
    struct head_count hc = {0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &hc);
    if (hc.n > HTTP_MAX_HEADERS || hc.bytes > HTTP_MAX_HEADER_BYTES) {
        http_error(out, 431, "headers_too_large", "headers",
                   "the request has more than %d header fields or more "
                   "than %d bytes of them",
                   HTTP_MAX_HEADERS, HTTP_MAX_HEADER_BYTES);
        return true;
    }
    /* RFC 9112 section 3.2: exactly one Host in HTTP/1.1 */
    if (version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
        hc.hosts != 1) {
        http_error(out, 400, "bad_host", "Host",
                   hc.hosts ? "Host: sent more than once"
                            : "Host: required in HTTP/1.1");
        return true;
    }
    return framing_refused(&hc, version, out);
}

/* Queues a state-changing request for the writer pool, its connection
 * suspended until a writer has run it; false when the pool is stopping or
 * absent (the caller runs it inline). Called on the library's thread, in
 * the access handler (the only place a connection may be suspended). */
static bool writer_submit(struct http_server *srv, struct MHD_Connection *conn,
                          struct rstate *st, const char *method)
{
    pthread_mutex_lock(&srv->wmu);
    if (srv->wstop || srv->nwriters == 0) {
        pthread_mutex_unlock(&srv->wmu);
        return false;
    }
    st->conn = conn;
    st->method = method;
    /* a copy for the log line should the client leave before the answer
     * (on_completed); every state-changing method fits */
    if (util_copy(st->wmethod, sizeof(st->wmethod), method))
        st->wmethod[0] = '\0';
    st->wnext = NULL;
    /* suspended before a writer can see it, so its resume comes after */
    MHD_suspend_connection(conn);
    if (srv->wtail)
        srv->wtail->wnext = st;
    else
        srv->whead = st;
    srv->wtail = st;
    atomic_fetch_add(&writes_queued, 1);
    pthread_cond_signal(&srv->wcv);
    pthread_mutex_unlock(&srv->wmu);
    return true;
}

/* A writer: runs queued requests until stopped and the queue is empty. */
static void *writer_main(void *arg)
{
    struct http_server *srv = arg;
    for (;;) {
        pthread_mutex_lock(&srv->wmu);
        while (!srv->whead && !srv->wstop)
            pthread_cond_wait(&srv->wcv, &srv->wmu);
        struct rstate *st = srv->whead;
        if (!st) { /* stopping, nothing left */
            pthread_mutex_unlock(&srv->wmu);
            return NULL;
        }
        srv->whead = st->wnext;
        if (!srv->whead)
            srv->wtail = NULL;
        atomic_fetch_sub(&writes_queued, 1);
        atomic_fetch_add(&writes_running, 1);
        pthread_mutex_unlock(&srv->wmu);
        struct MHD_Connection *conn = st->conn;
        process(srv, conn, st, st->method, &st->wout, &st->wr);
        st->done = true;
        atomic_fetch_add(&writes_unsent, 1);
        atomic_fetch_sub(&writes_running, 1);
        /* the library thread takes the connection up again and calls the
         * access handler, which sends st->wout; st is not touched here
         * after this (the connection may complete and free it) */
        MHD_resume_connection(conn);
    }
}

void http_writes(int *queued, int *running)
{
    *queued = atomic_load(&writes_queued);
    *running = atomic_load(&writes_running);
}

/* ---- deadlines of slow requests ----
 *
 * The library's connection timeout (lib_idle_s) is an idle timeout: a client
 * that sends a byte of its head or body now and then holds a connection
 * for ever, and a few thousand of those hold all of them (slowloris).
 * So every connection of the library has an entry here (on_connection),
 * with what it is doing and, while it reads a request, a deadline: the
 * whole head within head_timeout_s of the connection's start or of the
 * end of its previous answer; the whole body within body_timeout_s plus a
 * second per 64 KiB of its length after the head. The sweeper thread
 * shuts down (shutdown(2)) each connection past its deadline, under cmu:
 * the library then reads the end of the stream and closes it. One whose
 * body is late is first sent a 408 (written to the socket, as the library
 * cannot queue an answer in the middle of a body); the access handler
 * checks the same deadline on each piece of a body it is given. The
 * handler marks the request received (PHASE_BUSY) under cmu before it
 * runs it, and runs nothing of a connection already swept, so a request
 * answered 408 was never run. */

/* The raw bytes of an answer with JSON body root (taken), Connection:
 * close; NULL when out of memory. Written to the socket directly by the
 * interposed MHD_queue_response and by the sweeper. */
static char *raw_answer(unsigned status, json_t *root, size_t *len)
{
    char *body = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!body)
        return NULL;
    struct buf b;
    buf_init(&b, 4096);
    buf_addf(&b,
             "HTTP/1.1 %u %s\r\nConnection: close\r\n"
             "Content-Type: application/json; charset=utf-8\r\n"
             "Content-Length: %zu\r\nX-Content-Type-Options: nosniff\r\n"
             "Cache-Control: no-store\r\n"
             "Content-Security-Policy: default-src 'none'; "
             "frame-ancestors 'none'\r\n\r\n%s",
             status, MHD_get_reason_phrase_for(status), strlen(body), body);
    free(body);
    if (!b.len || buf_error(&b)) { /* never a cut-short response */
        buf_release(&b);
        return NULL;
    }
    char *out = strdup(buf_str(&b));
    *len = out ? b.len : 0;
    buf_release(&b);
    return out;
}

/* The 408 of a late body, made once. */
static char *late_body_answer;
static size_t late_body_len;
static pthread_once_t late_body_once = PTHREAD_ONCE_INIT;

static void late_body_init(void)
{
    struct http_resp out = {0};
    http_error(&out, 408, "request_timeout", "body",
               "the request body did not arrive within its deadline");
    late_body_answer = raw_answer(408, out.body, &late_body_len);
}

/* Sends the 408 of a late body on fd (best effort: the client may not be
 * reading; the connection is closed either way). Under cmu. */
static void send_late_body(int fd)
{
    pthread_once(&late_body_once, late_body_init);
    if (late_body_answer) {
        ssize_t n = send(fd, late_body_answer, late_body_len,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)n;
    }
    atomic_fetch_add(&timed_out_body, 1);
    metrics_observe(-1, 408, 0);
}

void http_set_request_timeouts(int head_s, int body_s)
{
    head_timeout_s = head_s < 1 ? 1 : head_s;
    body_timeout_s = body_s < 1 ? 1 : body_s;
}

void http_set_connection_limit(int max)
{
    max_connections = max < HTTP_MIN_CONNECTIONS ? HTTP_MIN_CONNECTIONS : max;
}

/* MHD_OPTION_NOTIFY_CONNECTION: the entry of a connection, from its start
 * to its end (its socket context). A connection without one (out of
 * memory) has the idle timeout only. */
static void on_connection(void *cls, struct MHD_Connection *conn,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *s = cls;
    struct conn_watch *w = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        w = ci ? calloc(1, sizeof(*w)) : NULL;
        *socket_context = w;
        if (!w)
            return;
        w->fd = ci->connect_fd;
        w->phase = PHASE_HEAD;
        w->since = util_mono();
        w->deadline = w->since + head_timeout_s;
        pthread_mutex_lock(&s->cmu);
        w->next = s->conns;
        if (s->conns)
            s->conns->prev = w;
        s->conns = w;
        s->nconns++;
        pthread_mutex_unlock(&s->cmu);
        return;
    }
    if (!w) /* MHD_CONNECTION_NOTIFY_CLOSED: before fd is closed */
        return;
    pthread_mutex_lock(&s->cmu);
    if (w->prev)
        w->prev->next = w->next;
    else
        s->conns = w->next;
    if (w->next)
        w->next->prev = w->prev;
    s->nconns--;
    pthread_mutex_unlock(&s->cmu);
    free(w);
    *socket_context = NULL;
}

static struct conn_watch *watch_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Moves connection w to phase, its deadline secs from now; false when it
 * was swept already (its request must not run). */
static bool watch_phase(struct http_server *s, struct conn_watch *w,
                        enum conn_phase phase, double secs)
{
    if (!w)
        return true;
    pthread_mutex_lock(&s->cmu);
    bool ok = !w->swept;
    if (ok) {
        w->phase = phase;
        w->since = util_mono();
        w->deadline = w->since + secs;
    }
    pthread_mutex_unlock(&s->cmu);
    return ok;
}

/* A piece of w's body has come: false when its deadline has passed (then
 * it is answered 408, unless the sweeper has done so, and the caller
 * closes the connection). */
static bool body_in_time(struct http_server *s, struct conn_watch *w)
{
    if (!w)
        return true;
    double now = util_mono();
    pthread_mutex_lock(&s->cmu);
    bool ok = !w->swept && !(w->phase == PHASE_BODY && now >= w->deadline);
    if (!ok && !w->swept) {
        w->swept = true;
        send_late_body(w->fd);
    }
    pthread_mutex_unlock(&s->cmu);
    return ok;
}

/* The deadline of a body after its head: Content-Length n (-1: none),
 * chunked (then the route's cap counts). */
/* The library's idle timeout (MHD_OPTION_CONNECTION_TIMEOUT), a
 * backstop behind the deadlines above: the shorter of the two, so that an
 * idle connection is never held longer than its next head's deadline;
 * while a body is read it is raised past the body's deadline plus
 * HTTP_LIB_MARGIN_S, so that a silent body gets its 408 (the library
 * would close it without an answer first), and set back after. */
#define HTTP_LIB_MARGIN_S 5
static unsigned lib_idle_s(void)
{
    return (unsigned)(head_timeout_s < body_timeout_s ? head_timeout_s
                                                      : body_timeout_s);
}

static double body_deadline(long n, bool chunked, size_t cap)
{
    double len = n >= 0 ? (double)n : chunked ? (double)cap : 0;
    return body_timeout_s + len / HTTP_BODY_RATE;
}

/* ---- the library's messages ----
 *
 * libmicrohttpd writes its messages (a client that left in the middle of
 * a request, the connection limit reached, ...) through
 * MHD_OPTION_EXTERNAL_LOGGER: they become log lines ("http library",
 * its text in "text"), so stderr stays one JSON object per line. Clients
 * cause most of them, so at most HTTP_LIB_LOG_PER_S are written a second
 * in the whole process; the others are counted, and their number written
 * in one line ("http library messages suppressed") once that second is
 * over (by the next message or the sweeper). */
#define HTTP_LIB_LOG_PER_S 10

static struct {
    pthread_mutex_t mu;
    int64_t second; /* of util_mono() */
    int lines;      /* written in that second */
    int64_t suppressed;
} lib_log = {.mu = PTHREAD_MUTEX_INITIALIZER, .second = -1};

/* Ends the second of the budget when it is over; returns how many lines
 * it suppressed (to be reported). Under lib_log.mu. */
static int64_t lib_log_roll(int64_t sec)
{
    int64_t dropped = 0;
    if (sec != lib_log.second) {
        dropped = lib_log.suppressed;
        lib_log.suppressed = 0;
        lib_log.second = sec;
        lib_log.lines = 0;
    }
    return dropped;
}

static void lib_log_report(int64_t dropped)
{
    if (dropped > 0)
        log_event(LOG_WARN, "http library messages suppressed", "count",
                  json_integer(dropped), "per_second",
                  json_integer(HTTP_LIB_LOG_PER_S), NULL);
}

/* The sweeper's part: the count of a second that is over. */
static void lib_log_tick(void)
{
    pthread_mutex_lock(&lib_log.mu);
    int64_t dropped = lib_log_roll((int64_t)util_mono());
    pthread_mutex_unlock(&lib_log.mu);
    lib_log_report(dropped);
}

__attribute__((format(printf, 2, 0))) static void
on_library_message(void *cls, const char *fmt, va_list ap)
{
    IS_UNUSED(cls);
    pthread_mutex_lock(&lib_log.mu);
    int64_t dropped = lib_log_roll((int64_t)util_mono());
    bool write = lib_log.lines < HTTP_LIB_LOG_PER_S;
    if (write)
        lib_log.lines++;
    else
        lib_log.suppressed++;
    pthread_mutex_unlock(&lib_log.mu);
    lib_log_report(dropped);
    if (!write)
        return;
    char text[320];
    vsnprintf(text, sizeof(text), fmt, ap);
    /* printable ASCII on one line (a message may quote what a client
     * sent) */
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
            text[i] = '?';
    /* the library's own trouble (a failed call, a limit reached) is a
     * warning; a client's (a request cut short, a reset) is information */
    bool trouble = strstr(fmt, "ailed") || strstr(fmt, "limit");
    log_event(trouble ? LOG_WARN : LOG_INFO, "http library", "text",
              json_string(text), NULL);
}

/* MHD_set_panic_func: the library's fatal error, as a log line, then the
 * abort it expects. */
static void on_library_panic(void *cls, const char *file, unsigned int line,
                             const char *reason)
{
    IS_UNUSED(cls);
    log_event(LOG_ERROR, "http library panic", "file",
              json_string(file ? file : ""), "line", json_integer(line),
              "reason", json_string(reason ? reason : ""), NULL);
    abort();
}

/* Shuts down every connection past its deadline (once), and under
 * pressure every one whose head is late by HTTP_PRESSURE_HEAD_S; logs how
 * many were, at most once a second. */
static void sweep(struct http_server *s, double *last_log)
{
    double now = util_mono();
    pthread_mutex_lock(&s->cmu);
    bool pressure =
        (long)s->nconns * 100 >= (long)max_connections * HTTP_PRESSURE_PERCENT;
    for (struct conn_watch *w = s->conns; w; w = w->next) {
        if (w->swept || w->phase == PHASE_BUSY)
            continue;
        bool early = pressure && w->phase == PHASE_HEAD &&
                     now - w->since >= HTTP_PRESSURE_HEAD_S;
        if (now < w->deadline && !early)
            continue;
        w->swept = true;
        if (w->phase == PHASE_BODY)
            send_late_body(w->fd);
        else if (now < w->deadline)
            atomic_fetch_add(&closed_pressure, 1);
        else
            atomic_fetch_add(&timed_out_head, 1);
        shutdown(w->fd, SHUT_RDWR);
    }
    int open = s->nconns;
    pthread_mutex_unlock(&s->cmu);
    if (now - *last_log < 1)
        return;
    int head = atomic_exchange(&timed_out_head, 0);
    int body = atomic_exchange(&timed_out_body, 0);
    int early = atomic_exchange(&closed_pressure, 0);
    if (head || body || early) {
        log_event(LOG_INFO, "connections closed at their deadline", "head",
                  json_integer(head), "body", json_integer(body),
                  "head_timeout_s", json_integer(head_timeout_s),
                  "body_timeout_s", json_integer(body_timeout_s),
                  "under_pressure", json_integer(early), "open",
                  json_integer(open), "max_connections",
                  json_integer(max_connections), NULL);
        *last_log = now;
    }
}

static void *sweeper_main(void *arg)
{
    struct http_server *s = arg;
    double last_log = 0;
    while (!atomic_load(&s->sweep_stop)) {
        nanosleep(&(struct timespec){.tv_nsec = HTTP_SWEEP_MS * 1000000L},
                  NULL);
        sweep(s, &last_log);
        lib_log_tick();
    }
    return NULL;
}

/* The path of a request target (RFC 9112 section 3.2): the origin form
 * ("/path") itself; the absolute form ("http://host/path"), which a
 * server must accept too, without its scheme and authority; NULL for
 * anything else ("*", "path", "G E T / ..." read as method G). */
static const char *target_path(const char *url)
{
    if (url[0] == '/')
        return url;
    size_t skip = strncasecmp(url, "http://", 7) == 0    ? 7
                  : strncasecmp(url, "https://", 8) == 0 ? 8
                                                         : 0;
    if (!skip)
        return NULL;
    const char *path = strchr(url + skip, '/');
    return path ? path : "/";
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct rstate *st = *con_cls;
    if (!st || !st->started) {
        if (!st) {
            st = calloc(1, sizeof(*st));
            if (!st)
                return MHD_NO;
            st->t0 = util_mono();
        }
        st->started = true;
        *con_cls = st;
        /* the head is in: no deadline while it is checked (credentials
         * may be read), the body's from then on */
        st->watch = watch_of(conn);
        if (!watch_phase(srv, st->watch, PHASE_BUSY, 0))
            return MHD_NO; /* swept meanwhile */
        const char *path = target_path(url);
        st->uri_form = !path;
        url = path ? path : "/";
        st->uri_bytes = !util_utf8_valid(url, strlen(url));
        st->taxii = strncmp(url, "/taxii2", 7) == 0 &&
                    (url[7] == '/' || url[7] == '\0');
        route_find(st, method, exercise_prefix(st, url));
        taxii_slash_check(st, exercise_prefix(st, url));
        size_t cap = HTTP_MAX_BODY;
        if (st->route_index >= 0 && http_routes[st->route_index].max_body)
            cap = http_routes[st->route_index].max_body;
        buf_init(&st->body, cap);
        struct http_resp hout = {0};
        if (head_refused(conn, st, version, &hout)) {
            struct http_req r = {0};
            r.method = method;
            return send_resp(conn, st, &r, &hout);
        }
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     "Content-Length");
        long n = -1;
        if (cl && util_parse_long(cl, 0, LONG_MAX, &n))
            n = -1;
        if (n >= 0 && (size_t)n > cap) {
            /* refuse before reading: MHD closes the connection after */
            struct http_resp out = {0};
            struct http_req r = {0};
            r.method = method;
            http_error(&out, 413, "body_too_large", "body",
                       "the request body is larger than %zu bytes", cap);
            return send_resp(conn, st, &r, &out);
        }
        /* a route that takes bodies larger than the default (uploads of
         * megabytes) checks the credentials before reading one: nobody
         * without them makes the hub read and parse megabytes. A body
         * declared no larger than the default is read as on any route,
         * and the credentials checked once, with it (a filing without
         * attachments does not pay for two checks) */
        struct http_resp early = {0};
        if (cap > HTTP_MAX_BODY && st->route_index >= 0 &&
            !(n >= 0 && (size_t)n <= HTTP_MAX_BODY) &&
            !credentials_first(srv, conn, st, method, &early)) {
            struct http_req r = {0};
            r.method = method;
            return send_resp(conn, st, &r, &early);
        }
        const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     "Transfer-Encoding");
        double secs = body_deadline(n, te != NULL, cap);
        if (!watch_phase(srv, st->watch, PHASE_BODY, secs))
            return MHD_NO;
        /* the library's idle timeout must not end a silent body before
         * its deadline, which answers 408 (it closed it without a word) */
        if (secs + HTTP_LIB_MARGIN_S > lib_idle_s()) {
            MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
                                      (unsigned)(secs + HTTP_LIB_MARGIN_S));
            st->idle_raised = true;
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!body_in_time(srv, st->watch))
            return MHD_NO; /* answered 408 */
        if (!st->too_large &&
            buf_add(&st->body, upload_data, *upload_data_size))
            st->too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->queued)
        return MHD_YES;
    if (!st->received) {
        /* all of it is in: from here on it runs and is answered, or
         * was answered 408 and never runs */
        st->received = true;
        if (!watch_phase(srv, st->watch, PHASE_BUSY, 0))
            return MHD_NO;
    }
    if (st->done) { /* back from the writer pool */
        enum MHD_Result ret = send_resp(conn, st, &st->wr, &st->wout);
        json_decref(st->wr.json);
        st->wr.json = NULL;
        return ret;
    }
    if (is_state_changing(method) && writer_submit(srv, conn, st, method))
        return MHD_YES;
    struct http_resp out = {0};
    struct http_req r = {0};
    process(srv, conn, st, method, &out, &r);
    enum MHD_Result ret = send_resp(conn, st, &r, &out);
    json_decref(r.json);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    /* the next request's head on a kept-alive connection: its deadline
     * counts from now */
    watch_phase(cls, watch_of(conn), PHASE_HEAD, head_timeout_s);
    struct rstate *st = *con_cls;
    if (!st)
        return;
    if (st->idle_raised && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
                                  lib_idle_s());
    if (st->done) { /* a writer's answer: sent, or its connection gone */
        if (!st->queued) {
            /* the client left while its write ran: the write is
             * committed, so it is logged and counted like any other */
            st->wr.method = st->wmethod;
            observe(st, &st->wr, &st->wout);
            log_event(LOG_WARN, "answer not sent", "status",
                      json_integer(st->wout.status), "reason",
                      json_string("the client closed the connection "
                                  "before the answer"),
                      NULL);
            json_decref(st->wout.body);
            free(st->wout.raw);
            json_decref(st->wr.json);
        }
        atomic_fetch_sub(&writes_unsent, 1);
    }
    buf_release(&st->body);
    free(st->path);
    free(st);
    *con_cls = NULL;
}

/* Stops the writer pool: queuing ends, the queue is run to its end, the
 * threads are joined. */
static void writers_stop(struct http_server *s)
{
    pthread_mutex_lock(&s->wmu);
    s->wstop = true;
    pthread_cond_broadcast(&s->wcv);
    pthread_mutex_unlock(&s->wmu);
    for (int i = 0; i < s->nwriters; i++)
        pthread_join(s->writers[i], NULL);
    s->nwriters = 0;
}

static void http_free(struct http_server *s)
{
    pthread_cond_destroy(&s->wcv);
    pthread_mutex_destroy(&s->wmu);
    pthread_mutex_destroy(&s->cmu);
    free(s);
}

int http_start(struct app *app, const char *addr, int port, int threads,
               struct http_server **out)
{
    struct http_server *s = calloc(1, sizeof(*s));
    if (!s)
        return IS_ERR_NOMEM;
    s->app = app;
    pthread_mutex_init(&s->wmu, NULL);
    pthread_cond_init(&s->wcv, NULL);
    pthread_mutex_init(&s->cmu, NULL);
    atomic_init(&s->sweep_stop, false);
    MHD_set_panic_func(on_library_panic, NULL);
    /* IPv4 literal, or IPv6 literal (with or without brackets): "::" is
     * dual stack (IPv4 clients too), any other IPv6 address IPv6 only */
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    char a6[64];
    size_t alen = strlen(addr);
    if (alen >= 2 && addr[0] == '[' && addr[alen - 1] == ']' &&
        alen - 2 < sizeof(a6))
        snprintf(a6, sizeof(a6), "%.*s", (int)(alen - 2), addr + 1);
    else if (util_copy(a6, sizeof(a6), addr))
        a6[0] = '\0'; /* too long for any address: refused below */
    if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, a6, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        flags |= IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr) ? MHD_USE_DUAL_STACK
                                                           : MHD_USE_IPv6;
    } else {
        http_free(s);
        return IS_ERR_INVALID;
    }
    int nw = threads < 1                  ? 1
             : threads > HTTP_MAX_WRITERS ? HTTP_MAX_WRITERS
                                          : threads;
    for (; s->nwriters < nw; s->nwriters++) {
        if (pthread_create(&s->writers[s->nwriters], NULL, writer_main, s)) {
            writers_stop(s);
            http_free(s);
            return IS_ERR_IO;
        }
    }
    /* the logger first: it takes the messages of the options after it.
     * No MHD_OPTION_LISTENING_ADDRESS_REUSE: the library's default,
     * SO_REUSEADDR, lets a restart bind at once; SO_REUSEPORT would let a
     * second daemon bind a port in use and take half of its connections */
    s->d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, on_library_message, NULL,
        MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)(max_connections < HTTP_MAX_PER_ADDRESS
                       ? max_connections
                       : HTTP_MAX_PER_ADDRESS),
        MHD_OPTION_CONNECTION_TIMEOUT, lib_idle_s(),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_CONN_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_END);
    if (!s->d) {
        writers_stop(s);
        http_free(s);
        return IS_ERR_IO;
    }
    if (pthread_create(&s->sweeper, NULL, sweeper_main, s)) {
        writers_stop(s);
        MHD_stop_daemon(s->d);
        http_free(s);
        return IS_ERR_IO;
    }
    s->sweeping = true;
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
    /* the writers finish what is queued and resume those connections, so
     * that none is suspended when the library stops (requests that arrive
     * meanwhile run inline) */
    writers_stop(s);
    /* and the library sends those answers before it stops (closing a
     * connection whose write was committed would lose its 2xx); bounded,
     * should a client not read */
    for (int ms = 0; atomic_load(&writes_unsent) > 0 && ms < 10000; ms++)
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    MHD_stop_daemon(s->d);
    if (s->sweeping) {
        atomic_store(&s->sweep_stop, true);
        pthread_join(s->sweeper, NULL);
    }
    http_free(s);
}

/* ---- the library's own error responses ----
 *
 * libmicrohttpd answers some malformed requests itself, before the access
 * handler runs (a head larger than the connection memory: 431/414; a
 * Content-Length it cannot parse: 413/400; an HTTP version it does not
 * speak: 505), with fixed HTML bodies and, for the Content-Length errors,
 * the header block written twice (0.9.75 sets the reply up in
 * transmit_error_response and again in the state machine). It queues those
 * through this exported function, which the executable's definition here
 * interposes (the library calls it through its PLT). A call that does not
 * come from send_resp is such an error: the JSON error object is written
 * to the socket directly (short, one write, Connection: close) and MHD_NO
 * tells the library to close the connection without its own reply. Calls
 * from send_resp go to the library's function unchanged. */

typedef enum MHD_Result (*queue_fn)(struct MHD_Connection *, unsigned int,
                                    struct MHD_Response *);
static queue_fn real_queue;
static pthread_once_t real_queue_once = PTHREAD_ONCE_INIT;

static void real_queue_init(void)
{
    real_queue = (queue_fn)(uintptr_t)dlsym(RTLD_NEXT, "MHD_queue_response");
}

static const char *library_error_text(unsigned status, const char **code,
                                      const char **field)
{
    *field = NULL;
    switch (status) {
    case 400:
        *code = "bad_request";
        return "the request is not valid HTTP/1.1 (request line, header "
               "syntax or a Content-Length that is not a decimal number)";
    case 413:
        *code = "body_too_large";
        *field = "Content-Length";
        return "Content-Length is larger than any request body the hub "
               "accepts";
    case 414:
        *code = "uri_too_long";
        *field = "url";
        return "the request target is too long";
    case 431:
        *code = "headers_too_large";
        *field = "headers";
        return "the request head is too large";
    case 505:
        *code = "http_version_not_supported";
        return "use HTTP/1.1 or HTTP/1.0";
    default: *code = "bad_request"; return "the request could not be processed";
    }
}

/* 431 from the library: answered through its own queue (with the JSON
 * body), never by closing the connection. 0.9.75 refuses a head whose
 * cookies do not fit the connection's memory in parse_cookie_header, whose
 * result its caller ignores: it goes on looking up Host and
 * Content-Length in the head, so a connection closed there (MHD_NO) has
 * its memory freed under that reading (a crash of the daemon on one
 * request with a long Cookie header). So an (empty) reply is queued, and
 * the library's state machine closes the connection; the JSON answer
 * itself is written to the socket first, whole. */
static enum MHD_Result queue_library_431(struct MHD_Connection *connection,
                                         int fd, json_t *root)
{
    /* 0.9.75 writes the header block of this reply twice, so the client
     * read the second head as the body: the answer is written to the
     * socket here, whole (as the other errors of the library are), its
     * sending side shut, and an empty reply queued so that the library's
     * state machine goes on to close the connection (its writes fail
     * and are not seen) */
    size_t len;
    char *answer = raw_answer(431, root, &len);
    if (answer) {
        ssize_t n = send(fd, answer, len, MSG_NOSIGNAL);
        (void)n; /* best effort: the connection is closed either way */
        free(answer);
    }
    shutdown(fd, SHUT_WR);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result ret = real_queue(connection, 431, resp);
    MHD_destroy_response(resp);
    metrics_observe(-1, 431, 0);
    log_event(LOG_INFO, "request", "route", json_string("(none)"), "status",
              json_integer(431), "refused_by", json_string("http"), NULL);
    return ret;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection,
                                   unsigned int status_code,
                                   struct MHD_Response *response)
{
    pthread_once(&real_queue_once, real_queue_init);
    if (queuing_own || !real_queue)
        return real_queue ? real_queue(connection, status_code, response)
                          : MHD_NO;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return MHD_NO;
    const char *code, *field;
    const char *msg = library_error_text(status_code, &code, &field);
    json_t *e = json_pack("{s:s,s:s}", "code", code, "message", msg);
    if (field)
        json_object_set_new(e, "field", json_string(field));
    error_add_ja(e, code, field, (int)status_code);
    json_t *root = json_pack("{s:o}", "error", e);
    if (status_code == 431)
        return queue_library_431(connection, ci->connect_fd, root);
    size_t len;
    char *answer = raw_answer(status_code, root, &len);
    if (answer) {
        ssize_t n = send(ci->connect_fd, answer, len, MSG_NOSIGNAL);
        (void)n; /* best effort: the connection is closed either way */
        free(answer);
    }
    metrics_observe(-1, (int)status_code, 0);
    log_event(LOG_INFO, "request", "route", json_string("(none)"), "status",
              json_integer(status_code), "refused_by", json_string("http"),
              NULL);
    return MHD_NO;
}
