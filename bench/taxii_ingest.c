/*
 * taxii_ingest.c - load generator for the hub's TAXII 2.1 ingest (issue 16,
 * bench/taxii.sh).
 *
 *   taxii_ingest --port P --token-file F [--objects N] [--connections C]
 *                [--envelope E] [--slice S] [--pid HUB_PID] [--first K]
 *                [--run-id HEX8] [--path PATH] [--max-seconds T]
 *                [--io-timeout T]
 *
 * C connections (one thread each, default 4; plain POSIX sockets, HTTP/1.1
 * keep-alive, to 127.0.0.1:P) POST envelopes of E (default 100) STIX 2.1
 * indicators to PATH (default the `shared` collection's objects/), with the
 * TAXII media type in Content-Type and Accept and `Authorization: Bearer`
 * (the token is read from F: the first line). Until N objects (default
 * 1,000,000) are posted. Every answer must be 202 with a status resource
 * saying "success_count": E; anything else stops the run (exit status 1).
 *
 * Object number n (K, K+1, ...; K default 0) is an indicator with id
 * indicator--RRRRRRRR-0000-4000-8000-<n as 12 hex digits> (R: the run id,
 * default from the clock, so that runs against one hub do not collide),
 * created = modified = valid_from = the generator's start (milliseconds,
 * Z), pattern [ipv4-addr:value = '10.A.B.C'] (A, B, C in 100..199: unique
 * for a million objects), pattern_type stix, TLP:GREEN in
 * object_marking_refs. Every field is fixed width, so each thread builds
 * its request (headers and envelope) once and only rewrites the digits of
 * each object before sending: the generator costs a few percent of one
 * core.
 *
 * Output (stdout, one line each, key=value):
 *   START ...                       the configuration, first and last id
 *   SLICE objects=... slice_s=... objects_per_s=... post_p50_ms=...
 *         post_p99_ms=... post_max_ms=... hub_rss_kb=... hub_hwm_kb=...
 *         hub_cpu_pct=... gen_cpu_pct=...
 *                                   every S objects (default 100,000);
 *                                   hub_* only with --pid (from /proc)
 *   TOTAL objects=... seconds=... objects_per_s=... requests=...
 *         post_p50_ms=... post_p99_ms=... gen_user_s=... gen_sys_s=...
 *         gen_cpu_pct=... reconnects=...
 * Diagnostics go to stderr. Exit status 0 only if every object was
 * accepted.
 *
 * Every wait is bounded: socket reads and writes time out after
 * --io-timeout seconds (default 60), the whole run after --max-seconds
 * (default 3600).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h" /* banned.h: last */

#define MARKING_GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define MEDIA_TAXII "application/taxii+json;version=2.1"
/* latency histogram: 0.1 ms buckets up to 10 s, the last one open */
#define HBUCKETS 100001
#define MAX_CONNS 256
#define MAX_ENVELOPE 10000

struct opts {
    int port;
    long objects;
    int conns;
    int envelope;
    long slice;
    long pid;
    long first;
    unsigned long run_id;
    const char *path;
    long max_seconds;
    long io_timeout;
    char token[512];
};

static struct opts O = {
    .port = 0,
    .objects = 1000000,
    .conns = 4,
    .envelope = 100,
    .slice = 100000,
    .pid = 0,
    .first = 0,
    .run_id = 0,
    .path = "/taxii2/infrashare/collections/shared/objects/",
    .max_seconds = 3600,
    .io_timeout = 60,
};

/* the shared state, under `lock` */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long next_env; /* envelopes handed out */
static atomic_int failed;    /* set on the first error: everyone stops */
static long done;            /* objects accepted */
static long requests;        /* answers read */
static long reconnects;      /* connections opened after the first */
static uint32_t *h_slice;    /* POST latency of this slice */
static uint32_t *h_total;    /* POST latency of the run */
static double t_start;       /* monotonic seconds */
static double t_slice;       /* start of this slice */
static double cpu_slice;     /* generator CPU at the start of the slice */
static long long hub_ticks;  /* hub utime+stime at the start of the slice */
static char ts[32];          /* created/modified/valid_from */
static double max_slice_ms;  /* the slowest POST of this slice */
static double max_total_ms;  /* the slowest POST of the run */

static double now_mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_self(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flockfile(stderr);
    fputs("taxii_ingest: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
    va_end(ap);
    atomic_store(&failed, 1);
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* ---- the hub's process, from /proc ---- */

static long long proc_ticks(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* the fields after "(comm) ": state is field 3, utime 14, stime 15 */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    p += 2;
    long long ut = 0, st = 0;
    for (int field = 3; field <= 15 && *p; field++) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (field == 14)
            ut = v;
        if (field == 15)
            st = v;
        p = strchr(p, ' ');
        if (!p)
            break;
        p++;
    }
    return ut + st;
}

static long proc_status_kb(long pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t kl = strlen(key);
    long v = -1;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            v = strtol(line + kl + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

/* ---- latency histograms ---- */

static void hist_add(uint32_t *h, double ms)
{
    long b = (long)(ms * 10.0);
    if (b < 0)
        b = 0;
    if (b >= HBUCKETS)
        b = HBUCKETS - 1;
    h[b]++;
}

/* The pct-th percentile: the upper edge of its bucket, at most max_ms (the
 * slowest request seen). */
static double hist_pct(const uint32_t *h, double pct, double max_ms)
{
    unsigned long long n = 0, seen = 0;
    for (long i = 0; i < HBUCKETS; i++)
        n += h[i];
    if (!n)
        return 0;
    unsigned long long want = (unsigned long long)(pct / 100.0 * (double)n);
    if (want < 1)
        want = 1;
    for (long i = 0; i < HBUCKETS; i++) {
        seen += h[i];
        if (seen >= want)
            return (double)(i + 1) / 10.0 < max_ms ? (double)(i + 1) / 10.0
                                                   : max_ms;
    }
    return max_ms;
}

/* ---- one object, fixed width ---- */

/* The object's text with placeholders: 12 'C' (the counter in hex) and
 * "1AA.1BB.1CC" (the address). Every object of a request has the same
 * length, so the request is built once and patched. */
static int object_template(char *out, size_t cap)
{
    int n = snprintf(out, cap,
                     "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
                     "\"id\":\"indicator--%08lx-0000-4000-8000-CCCCCCCCCCCC\","
                     "\"created\":\"%s\",\"modified\":\"%s\","
                     "\"name\":\"bench indicator\","
                     "\"indicator_types\":[\"malicious-activity\"],"
                     "\"pattern\":\"[ipv4-addr:value = '10.1AA.1BB.1CC']\","
                     "\"pattern_type\":\"stix\",\"valid_from\":\"%s\","
                     "\"object_marking_refs\":[\"" MARKING_GREEN "\"]}",
                     O.run_id & 0xffffffffUL, ts, ts, ts);
    return n > 0 && (size_t)n < cap ? n : -1;
}

static const char hexd[] = "0123456789abcdef";

static void put_hex12(char *p, unsigned long long v)
{
    for (int i = 11; i >= 0; i--) {
        p[i] = hexd[v & 0xf];
        v >>= 4;
    }
}

static void put_dec2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

/* ---- one connection ---- */

struct conn {
    int fd;
    int id;
    char *req; /* headers + envelope */
    size_t req_len;
    size_t body_len; /* the envelope's bytes */
    size_t body_off; /* where the envelope starts in req */
    size_t obj_len;  /* one object's text, with its comma */
    size_t off_hex;  /* the counter, in one object */
    size_t off_ip;   /* "AA" of 1AA, in one object */
    char *resp;
    size_t resp_cap;
    int used; /* requests answered on this fd */
};

static int conn_open(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        fail("socket: %s", strerror(errno));
        return -1;
    }
    struct timeval tv = {.tv_sec = O.io_timeout, .tv_usec = 0};
    int one = 1;
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)O.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        fail("connection %d: connect 127.0.0.1:%d: %s", c->id, O.port,
             strerror(errno));
        return -1;
    }
    c->used = 0;
    return 0;
}

static int conn_build(struct conn *c)
{
    char obj[2048];
    int ol = object_template(obj, sizeof(obj));
    if (ol < 0)
        return -1;
    const char *hx = strstr(obj, "CCCCCCCCCCCC");
    const char *ip = strstr(obj, "1AA.1BB.1CC");
    if (!hx || !ip)
        return -1;
    c->obj_len = (size_t)ol + 1; /* + ',' or ']' */
    c->off_hex = (size_t)(hx - obj);
    c->off_ip = (size_t)(ip - obj) + 1;
    const char *pre = "{\"objects\":[";
    size_t body_len = strlen(pre) + c->obj_len * (size_t)O.envelope + 1;
    char head[1024];
    int hl = snprintf(head, sizeof(head),
                      "POST %s HTTP/1.1\r\n"
                      "Host: 127.0.0.1:%d\r\n"
                      "Content-Type: " MEDIA_TAXII "\r\n"
                      "Accept: " MEDIA_TAXII "\r\n"
                      "Authorization: Bearer %s\r\n"
                      "Content-Length: %zu\r\n"
                      "\r\n",
                      O.path, O.port, O.token, body_len);
    if (hl < 0 || (size_t)hl >= sizeof(head))
        return -1;
    c->body_len = body_len;
    c->req_len = (size_t)hl + body_len;
    c->req = malloc(c->req_len + 1);
    if (!c->req)
        return -1;
    memcpy(c->req, head, (size_t)hl);
    char *p = c->req + hl;
    memcpy(p, pre, strlen(pre));
    p += strlen(pre);
    c->body_off = (size_t)(p - c->req);
    for (int i = 0; i < O.envelope; i++) {
        memcpy(p, obj, (size_t)ol);
        p[ol] = i + 1 < O.envelope ? ',' : ']';
        p += c->obj_len;
    }
    *p++ = '}';
    *p = '\0';
    c->resp_cap = 1 << 16;
    c->resp = malloc(c->resp_cap);
    return c->resp ? 0 : -1;
}

/* Rewrites the request for objects first..first+E-1. */
static void conn_patch(struct conn *c, long first)
{
    char *o = c->req + c->body_off;
    for (int i = 0; i < O.envelope; i++, o += c->obj_len) {
        unsigned long long n = (unsigned long long)first + (unsigned)i;
        put_hex12(o + c->off_hex, n);
        put_dec2(o + c->off_ip, (unsigned)(n / 10000 % 100));
        put_dec2(o + c->off_ip + 4, (unsigned)(n / 100 % 100));
        put_dec2(o + c->off_ip + 8, (unsigned)(n % 100));
    }
}

static int send_all(struct conn *c)
{
    size_t off = 0;
    while (off < c->req_len) {
        ssize_t w = send(c->fd, c->req + off, c->req_len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/* Reads more of the answer into c->resp from `have`. 0 on EOF, -1 on error
 * (errno), else the bytes read. */
static ssize_t read_more(struct conn *c, size_t have)
{
    if (have + 4096 > c->resp_cap) {
        size_t cap = c->resp_cap * 2;
        if (cap > (64u << 20))
            return -1;
        char *r = realloc(c->resp, cap);
        if (!r)
            return -1;
        c->resp = r;
        c->resp_cap = cap;
    }
    for (;;) {
        ssize_t n = recv(c->fd, c->resp + have, c->resp_cap - have - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        return n;
    }
}

static const char *find_header(const char *head, size_t hlen, const char *name)
{
    size_t nl = strlen(name);
    const char *p = head, *end = head + hlen;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            break;
        if ((size_t)(eol - p) > nl + 1 && strncasecmp(p, name, nl) == 0 &&
            p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            return v;
        }
        p = eol + 1;
    }
    return NULL;
}

/* Reads one answer: sets *status, *body (into c->resp, NUL-terminated) and
 * *close_after. -1 on a read error or a malformed answer. */
static int read_answer(struct conn *c, int *status, char **body,
                       size_t *body_len, int *close_after)
{
    size_t have = 0;
    char *eoh = NULL;
    while (!eoh) {
        ssize_t n = read_more(c, have);
        if (n <= 0)
            return n == 0 ? -2 : -1;
        have += (size_t)n;
        c->resp[have] = '\0';
        eoh = strstr(c->resp, "\r\n\r\n");
        if (!eoh && have > (1u << 20))
            return -1;
    }
    size_t hlen = (size_t)(eoh - c->resp) + 4;
    if (strncmp(c->resp, "HTTP/1.", 7) != 0 || have < 12)
        return -1;
    long st = strtol(c->resp + 9, NULL, 10);
    *status = (int)st;
    const char *cl = find_header(c->resp, hlen, "Content-Length");
    const char *te = find_header(c->resp, hlen, "Transfer-Encoding");
    const char *cn = find_header(c->resp, hlen, "Connection");
    *close_after = cn && strncasecmp(cn, "close", 5) == 0;
    if (strncmp(c->resp, "HTTP/1.0", 8) == 0 &&
        !(cn && strncasecmp(cn, "keep-alive", 10) == 0))
        *close_after = 1;
    if (te && strncasecmp(te, "chunked", 7) == 0) {
        /* decode in place after the headers */
        size_t rd = hlen, wr = hlen;
        for (;;) {
            char *crlf;
            while (!(crlf = strstr(c->resp + rd, "\r\n"))) {
                ssize_t n = read_more(c, have);
                if (n <= 0)
                    return -1;
                have += (size_t)n;
                c->resp[have] = '\0';
            }
            unsigned long sz = strtoul(c->resp + rd, NULL, 16);
            rd = (size_t)(crlf - c->resp) + 2;
            while (have < rd + sz + 2) {
                ssize_t n = read_more(c, have);
                if (n <= 0)
                    return -1;
                have += (size_t)n;
                c->resp[have] = '\0';
            }
            if (sz == 0) {
                /* no trailers expected: "0\r\n\r\n" */
                break;
            }
            memmove(c->resp + wr, c->resp + rd, sz);
            wr += sz;
            rd += sz + 2;
        }
        c->resp[wr] = '\0';
        *body = c->resp + hlen;
        *body_len = wr - hlen;
        return 0;
    }
    if (!cl) {
        /* no length: the body runs to the end of the connection */
        for (;;) {
            ssize_t n = read_more(c, have);
            if (n < 0)
                return -1;
            if (n == 0)
                break;
            have += (size_t)n;
        }
        c->resp[have] = '\0';
        *close_after = 1;
        *body = c->resp + hlen;
        *body_len = have - hlen;
        return 0;
    }
    long len = strtol(cl, NULL, 10);
    if (len < 0 || len > (32L << 20))
        return -1;
    while (have < hlen + (size_t)len) {
        ssize_t n = read_more(c, have);
        if (n <= 0)
            return -1;
        have += (size_t)n;
    }
    c->resp[hlen + (size_t)len] = '\0';
    *body = c->resp + hlen;
    *body_len = (size_t)len;
    return 0;
}

/* The integer after "key": in a JSON text, or -1. */
static long json_int(const char *body, const char *key)
{
    char k[64];
    snprintf(k, sizeof(k), "\"%s\"", key);
    const char *p = strstr(body, k);
    if (!p)
        return -1;
    p += strlen(k);
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p != ':')
        return -1;
    p++;
    char *end;
    long v = strtol(p, &end, 10);
    return end == p ? -1 : v;
}

/* ---- progress: called after each accepted envelope ---- */

static void slice_line(void)
{
    double t = now_mono(), cpu = cpu_self();
    double secs = t - t_slice;
    long hz = sysconf(_SC_CLK_TCK);
    char hub[256] = "";
    if (O.pid > 0) {
        long long ticks = proc_ticks(O.pid);
        snprintf(hub, sizeof(hub),
                 " hub_rss_kb=%ld hub_hwm_kb=%ld hub_cpu_pct=%.0f",
                 proc_status_kb(O.pid, "VmRSS"), proc_status_kb(O.pid, "VmHWM"),
                 secs > 0 && ticks >= 0 && hub_ticks >= 0
                     ? 100.0 * (double)(ticks - hub_ticks) / (double)hz / secs
                     : -1.0);
        hub_ticks = ticks;
    }
    long n = done % O.slice ? done % O.slice : O.slice;
    printf("SLICE objects=%ld slice_s=%.3f objects_per_s=%.0f "
           "post_p50_ms=%.1f post_p99_ms=%.1f post_max_ms=%.1f%s "
           "gen_cpu_pct=%.1f\n",
           done, secs, secs > 0 ? (double)n / secs : 0.0,
           hist_pct(h_slice, 50, max_slice_ms),
           hist_pct(h_slice, 99, max_slice_ms), max_slice_ms, hub,
           secs > 0 ? 100.0 * (cpu - cpu_slice) / secs : 0.0);
    fflush(stdout);
    memset(h_slice, 0, sizeof(*h_slice) * HBUCKETS);
    max_slice_ms = 0;
    t_slice = t;
    cpu_slice = cpu;
}

static void accepted(double ms)
{
    pthread_mutex_lock(&lock);
    done += O.envelope;
    requests++;
    hist_add(h_slice, ms);
    hist_add(h_total, ms);
    if (ms > max_slice_ms)
        max_slice_ms = ms;
    if (ms > max_total_ms)
        max_total_ms = ms;
    if (done % O.slice == 0 || done >= O.objects)
        slice_line();
    pthread_mutex_unlock(&lock);
}

/* ---- a connection's thread ---- */

static void *worker(void *arg)
{
    struct conn *c = arg;
    if (conn_open(c))
        return NULL;
    long per = O.envelope;
    long nenv = O.objects / per;
    while (!atomic_load(&failed)) {
        long e = atomic_fetch_add(&next_env, 1);
        if (e >= nenv)
            break;
        if (now_mono() - t_start > (double)O.max_seconds) {
            fail("run longer than --max-seconds %ld: stopped", O.max_seconds);
            break;
        }
        long first = O.first + e * per;
        conn_patch(c, first);
        double t0 = now_mono();
        int status = 0, close_after = 0, rc;
        char *body = NULL;
        size_t blen = 0;
        /* A kept-alive connection the server has closed in the meantime
         * fails at once (EPIPE/ECONNRESET, or EOF before any answer): one
         * retry on a new connection. The envelope is then posted again;
         * the hub answers a version it holds as a success that adds
         * nothing, so the count stays right. */
        for (int attempt = 0;; attempt++) {
            rc = send_all(c);
            if (!rc)
                rc = read_answer(c, &status, &body, &blen, &close_after);
            if (!rc || attempt > 0 || c->used == 0)
                break;
            pthread_mutex_lock(&lock);
            reconnects++;
            pthread_mutex_unlock(&lock);
            if (conn_open(c))
                return NULL;
        }
        if (rc) {
            fail("connection %d: envelope %ld: %s", c->id, e,
                 rc == -2 ? "connection closed before the answer"
                          : strerror(errno));
            break;
        }
        double ms = (now_mono() - t0) * 1000.0;
        c->used++;
        long ok = json_int(body, "success_count");
        if (status != 202 || ok != per) {
            fail("envelope %ld (objects %ld..%ld): HTTP %d, success_count "
                 "%ld (want HTTP 202, success_count %ld), failure_count %ld; "
                 "answer: %.600s",
                 e, first, first + per - 1, status, ok, per,
                 json_int(body, "failure_count"), body);
            break;
        }
        accepted(ms);
        if (close_after) {
            pthread_mutex_lock(&lock);
            reconnects++;
            pthread_mutex_unlock(&lock);
            if (conn_open(c))
                return NULL;
        }
    }
    return NULL;
}

static int usage(void)
{
    fputs("usage: taxii_ingest --port P --token-file F [--objects N] "
          "[--connections C]\n"
          "         [--envelope E] [--slice S] [--pid HUB_PID] [--first K]\n"
          "         [--run-id HEX8] [--path PATH] [--max-seconds T] "
          "[--io-timeout T]\n",
          stderr);
    return 2;
}

static int read_token(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "taxii_ingest: %s: %s\n", file, strerror(errno));
        return -1;
    }
    char *ok = fgets(O.token, sizeof(O.token), f);
    fclose(f);
    if (!ok)
        return -1;
    O.token[strcspn(O.token, "\r\n")] = '\0';
    for (const char *p = O.token; *p; p++)
        if (*p <= ' ' || *p > '~')
            return -1;
    return O.token[0] ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *token_file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            return usage();
        const char *v = argv[++i];
        long x;
        if (strcmp(a, "--port") == 0 && !parse_long(v, 1, 65535, &x))
            O.port = (int)x;
        else if (strcmp(a, "--token-file") == 0)
            token_file = v;
        else if (strcmp(a, "--objects") == 0 &&
                 !parse_long(v, 1, 1000000000L, &x))
            O.objects = x;
        else if (strcmp(a, "--connections") == 0 &&
                 !parse_long(v, 1, MAX_CONNS, &x))
            O.conns = (int)x;
        else if (strcmp(a, "--envelope") == 0 &&
                 !parse_long(v, 1, MAX_ENVELOPE, &x))
            O.envelope = (int)x;
        else if (strcmp(a, "--slice") == 0 &&
                 !parse_long(v, 1, 1000000000L, &x))
            O.slice = x;
        else if (strcmp(a, "--pid") == 0 && !parse_long(v, 1, INT_MAX, &x))
            O.pid = x;
        else if (strcmp(a, "--first") == 0 &&
                 !parse_long(v, 0, 0xffffffffffL, &x))
            O.first = x;
        else if (strcmp(a, "--run-id") == 0) {
            char *end;
            errno = 0;
            unsigned long r = strtoul(v, &end, 16);
            if (errno || end == v || *end || r > 0xffffffffUL)
                return usage();
            O.run_id = r;
        } else if (strcmp(a, "--path") == 0 && v[0] == '/' && strlen(v) < 256 &&
                   !strpbrk(v, " \r\n"))
            O.path = v;
        else if (strcmp(a, "--max-seconds") == 0 &&
                 !parse_long(v, 1, 86400, &x))
            O.max_seconds = x;
        else if (strcmp(a, "--io-timeout") == 0 && !parse_long(v, 1, 3600, &x))
            O.io_timeout = x;
        else
            return usage();
    }
    if (!O.port || !token_file)
        return usage();
    if (read_token(token_file)) {
        fprintf(stderr, "taxii_ingest: no token in %s\n", token_file);
        return 2;
    }
    if (O.objects % O.envelope || O.slice % O.envelope) {
        fprintf(stderr, "taxii_ingest: --objects and --slice must be "
                        "multiples of --envelope\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    if (!O.run_id)
        O.run_id =
            ((unsigned long)wall.tv_sec ^ ((unsigned long)wall.tv_nsec << 8) ^
             ((unsigned long)getpid() << 16)) &
            0xffffffffUL;
    struct tm tm;
    gmtime_r(&wall.tv_sec, &tm);
    char day[24];
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts, sizeof(ts), "%s.%03dZ", day,
             (int)(wall.tv_nsec / 1000000 % 1000));

    h_slice = calloc(HBUCKETS, sizeof(*h_slice));
    h_total = calloc(HBUCKETS, sizeof(*h_total));
    struct conn *cs = calloc((size_t)O.conns, sizeof(*cs));
    pthread_t *th = calloc((size_t)O.conns, sizeof(*th));
    if (!h_slice || !h_total || !cs || !th)
        return 1;
    for (int i = 0; i < O.conns; i++) {
        cs[i].fd = -1;
        cs[i].id = i;
        if (conn_build(&cs[i])) {
            fprintf(stderr, "taxii_ingest: cannot build the request\n");
            return 1;
        }
    }
    printf("START objects=%ld connections=%d envelope=%d slice=%ld "
           "body_bytes=%zu request_bytes=%zu object_bytes=%zu "
           "run_id=%08lx timestamp=%s "
           "first_id=indicator--%08lx-0000-4000-8000-%012lx "
           "last_id=indicator--%08lx-0000-4000-8000-%012lx\n",
           O.objects, O.conns, O.envelope, O.slice, cs[0].body_len,
           cs[0].req_len, cs[0].obj_len - 1, O.run_id, ts, O.run_id,
           (unsigned long)O.first, O.run_id,
           (unsigned long)(O.first + O.objects - 1));
    fflush(stdout);

    t_start = t_slice = now_mono();
    cpu_slice = cpu_self();
    hub_ticks = O.pid > 0 ? proc_ticks(O.pid) : -1;
    int started = 0;
    for (int i = 0; i < O.conns; i++) {
        if (pthread_create(&th[i], NULL, worker, &cs[i]) != 0) {
            fail("pthread_create failed");
            break;
        }
        started++;
    }
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    double secs = now_mono() - t_start;

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double us = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    double ss = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("TOTAL objects=%ld seconds=%.3f objects_per_s=%.0f requests=%ld "
           "post_p50_ms=%.1f post_p99_ms=%.1f post_max_ms=%.1f gen_user_s=%.2f "
           "gen_sys_s=%.2f "
           "gen_cpu_pct=%.1f reconnects=%ld ok=%d\n",
           done, secs, secs > 0 ? (double)done / secs : 0.0, requests,
           hist_pct(h_total, 50, max_total_ms),
           hist_pct(h_total, 99, max_total_ms), max_total_ms, us, ss,
           secs > 0 ? 100.0 * (us + ss) / secs : 0.0, reconnects,
           !atomic_load(&failed) && done == O.objects);
    fflush(stdout);
    for (int i = 0; i < O.conns; i++) {
        if (cs[i].fd >= 0)
            close(cs[i].fd);
        free(cs[i].req);
        free(cs[i].resp);
    }
    free(cs);
    free(th);
    free(h_slice);
    free(h_total);
    return !atomic_load(&failed) && done == O.objects ? 0 : 1;
}
