/*
 * bench/lib/receiver.c - a small, fast webhook receiver for
 * bench/fanout_webhooks.sh. Not part of the project build: the script
 * compiles it with
 *
 *   gcc -O2 -Wall -Wextra -o bench/out/.../receiver bench/lib/receiver.c
 *
 *   receiver PORT_FILE [--max-seconds S] [--sample FILE]
 *
 * One thread, epoll (level-triggered), HTTP/1.1 with keep-alive and
 * pipelining, 127.0.0.1 only, on a port the kernel picks (written to
 * PORT_FILE once it listens). Bodies need a Content-Length (no chunked
 * uploads). Every request is answered "200 ok", except:
 *
 *   GET /__stats   JSON counters (below), not counted
 *   GET /__reset   zeroes the counters and forgets the keys, not counted
 *
 * Counters: requests, posts, other (non-POST requests), first_ns and
 * last_ns (CLOCK_MONOTONIC of the first/last POST fully read, the clock of
 * Python's time.monotonic() on Linux), last_new_key_ns (the last POST whose
 * Idempotency-Key had not been seen), keys (distinct Idempotency-Keys),
 * dup_keys (POSTs whose key had been seen), no_key, body_bytes, body_min,
 * body_max, conns (connections accepted), conns_open, conns_open_max,
 * conns_with_posts (connections that carried at least one POST since the
 * reset), max_posts_per_conn, bad (malformed requests; the connection is
 * closed).
 * --sample FILE: the first POST body that carries an Idempotency-Key is
 * written to FILE (the body wrk then sends, so both loads have the same size).
 * Stops on SIGTERM/SIGINT, or after --max-seconds (default 3600).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A whole decimal number, or the default when malformed. */
static long arg_long(const char *s, long dflt)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return (errno || end == s || *end) ? dflt : v;
}

#define MAX_CONNS 65536
#define BUF_CAP (1 << 20) /* largest request we accept */
#define KEYSET_BITS 20    /* 1M slots, 8 MiB */

struct conn {
    int fd;
    char *in;
    size_t inlen, inalloc;
    char *out;
    size_t outlen, outoff, outalloc;
    long posts;   /* since the last reset */
    unsigned gen; /* reset generation the posts count belongs to */
};

static struct conn *conns[MAX_CONNS];
static volatile sig_atomic_t stop_flag;
static uint64_t *keyset;
static unsigned gen = 1;

static struct {
    long requests, posts, other, keys, dup_keys, no_key, bad;
    long conns, conns_open, conns_open_max, conns_with_posts;
    long max_posts_per_conn;
    long long body_bytes, body_min, body_max;
    long long first_ns, last_ns, last_new_key_ns;
} st;

static const char *sample_path;
static int sample_done;

static void on_signal(int s)
{
    (void)s;
    stop_flag = 1;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void reset_stats(void)
{
    long open = st.conns_open;
    memset(&st, 0, sizeof(st));
    st.conns_open = open;
    st.conns_open_max = open;
    st.body_min = -1;
    memset(keyset, 0, sizeof(uint64_t) << KEYSET_BITS);
    gen++;
}

/* 1 if the key was new, 0 if seen before. FNV-1a 64; 0 is "empty". */
static int key_add(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 1099511628211ULL;
    }
    if (!h)
        h = 1;
    size_t mask = ((size_t)1 << KEYSET_BITS) - 1;
    if (st.keys > (long)(mask / 2))
        return 1; /* table full enough: stop tracking (never in practice) */
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (keyset[i] == h)
            return 0;
        if (!keyset[i]) {
            keyset[i] = h;
            return 1;
        }
    }
}

static int grow(char **p, size_t *alloc, size_t need)
{
    if (need <= *alloc)
        return 0;
    size_t n = *alloc ? *alloc : 4096;
    while (n < need)
        n *= 2;
    char *q = realloc(*p, n);
    if (!q)
        return -1;
    *p = q;
    *alloc = n;
    return 0;
}

static int queue_out(struct conn *c, const char *s, size_t n)
{
    if (grow(&c->out, &c->outalloc, c->outlen + n))
        return -1;
    memcpy(c->out + c->outlen, s, n);
    c->outlen += n;
    return 0;
}

static void conn_close(int ep, struct conn *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    conns[c->fd] = NULL;
    free(c->in);
    free(c->out);
    free(c);
    st.conns_open--;
}

/* Finds header NAME (case-insensitive) in [h, end); value in *v, *vn. */
static int header(const char *h, const char *end, const char *name,
                  const char **v, size_t *vn)
{
    size_t nl = strlen(name);
    const char *p = h;
    while (p < end) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > nl && p[nl] == ':' &&
            strncasecmp(p, name, nl) == 0) {
            const char *s = p + nl + 1;
            while (s < eol && (*s == ' ' || *s == '\t'))
                s++;
            const char *e = eol;
            while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            *v = s;
            *vn = (size_t)(e - s);
            return 1;
        }
        p = eol + 2;
    }
    return 0;
}

static void stats_json(char *b, size_t n)
{
    snprintf(b, n,
             "{\"requests\":%ld,\"posts\":%ld,\"other\":%ld,\"keys\":%ld,"
             "\"dup_keys\":%ld,\"no_key\":%ld,\"bad\":%ld,\"conns\":%ld,"
             "\"conns_open\":%ld,\"conns_open_max\":%ld,"
             "\"conns_with_posts\":%ld,\"max_posts_per_conn\":%ld,"
             "\"body_bytes\":%lld,\"body_min\":%lld,\"body_max\":%lld,"
             "\"first_ns\":%lld,\"last_ns\":%lld,\"last_new_key_ns\":%lld,"
             "\"now_ns\":%lld}",
             st.requests, st.posts, st.other, st.keys, st.dup_keys, st.no_key,
             st.bad, st.conns, st.conns_open, st.conns_open_max,
             st.conns_with_posts, st.max_posts_per_conn, st.body_bytes,
             st.body_min, st.body_max, st.first_ns, st.last_ns,
             st.last_new_key_ns, now_ns());
}

static const char OK[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                         "Content-Length: 2\r\n\r\nok";

/* Handles the complete requests in c->in. -1: close the connection. */
static int handle(struct conn *c)
{
    size_t off = 0;
    int rc = 0;
    while (off < c->inlen) {
        char *req = c->in + off;
        size_t avail = c->inlen - off;
        char *hend = memmem(req, avail, "\r\n\r\n", 4);
        if (!hend) {
            if (avail > 65536) {
                st.bad++;
                rc = -1;
            }
            break;
        }
        const char *eol = memmem(req, (size_t)(hend - req) + 2, "\r\n", 2);
        const char *hdrs = eol + 2, *hdrs_end = hend + 2;
        long long clen = 0;
        const char *v;
        size_t vn;
        if (header(hdrs, hdrs_end, "Transfer-Encoding", &v, &vn)) {
            st.bad++;
            rc = -1;
            break;
        }
        if (header(hdrs, hdrs_end, "Content-Length", &v, &vn)) {
            char tmp[24];
            if (vn == 0 || vn >= sizeof(tmp)) {
                st.bad++;
                rc = -1;
                break;
            }
            memcpy(tmp, v, vn);
            tmp[vn] = '\0';
            char *e;
            clen = strtoll(tmp, &e, 10);
            if (*e || clen < 0 || clen > BUF_CAP) {
                st.bad++;
                rc = -1;
                break;
            }
        }
        size_t total = (size_t)(hend + 4 - req) + (size_t)clen;
        if (avail < total)
            break; /* wait for the rest of the body */
        const char *body = hend + 4;
        int close_after = header(hdrs, hdrs_end, "Connection", &v, &vn) &&
                          vn == 5 && strncasecmp(v, "close", 5) == 0;
        if (strncmp(req, "GET /__stats ", 13) == 0) {
            char js[1024], resp[1200];
            stats_json(js, sizeof(js));
            int n = snprintf(resp, sizeof(resp),
                             "HTTP/1.1 200 OK\r\nContent-Type: "
                             "application/json\r\nContent-Length: %zu\r\n"
                             "\r\n%s",
                             strlen(js), js);
            queue_out(c, resp, (size_t)n);
        } else if (strncmp(req, "GET /__reset ", 13) == 0) {
            reset_stats();
            queue_out(c, OK, sizeof(OK) - 1);
        } else if (strncmp(req, "POST ", 5) == 0) {
            long long t = now_ns();
            st.requests++;
            st.posts++;
            if (!st.first_ns)
                st.first_ns = t;
            st.last_ns = t;
            st.body_bytes += clen;
            if (st.body_min < 0 || clen < st.body_min)
                st.body_min = clen;
            if (clen > st.body_max)
                st.body_max = clen;
            if (header(hdrs, hdrs_end, "Idempotency-Key", &v, &vn)) {
                if (key_add(v, vn)) {
                    st.keys++;
                    st.last_new_key_ns = t;
                } else {
                    st.dup_keys++;
                }
                if (sample_path && !sample_done) {
                    FILE *f = fopen(sample_path, "wb");
                    if (f) {
                        fwrite(body, 1, (size_t)clen, f);
                        fclose(f);
                    }
                    sample_done = 1;
                }
            } else {
                st.no_key++;
            }
            if (c->gen != gen) {
                c->gen = gen;
                c->posts = 0;
            }
            if (c->posts++ == 0)
                st.conns_with_posts++;
            if (c->posts > st.max_posts_per_conn)
                st.max_posts_per_conn = c->posts;
            queue_out(c, OK, sizeof(OK) - 1);
        } else {
            st.requests++;
            st.other++;
            queue_out(c, OK, sizeof(OK) - 1);
        }
        off += total;
        if (close_after) {
            rc = 1;
            break;
        }
    }
    if (off) {
        memmove(c->in, c->in + off, c->inlen - off);
        c->inlen -= off;
    }
    return rc;
}

/* Writes what is queued. 0 all written, 1 more to write, -1 error. */
static int flush_out(struct conn *c)
{
    while (c->outoff < c->outlen) {
        ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
                         MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 1;
            return -1;
        }
        c->outoff += (size_t)n;
    }
    c->outoff = c->outlen = 0;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: receiver PORT_FILE [--max-seconds S] "
                        "[--sample FILE]\n");
        return 2;
    }
    const char *port_file = argv[1];
    long max_seconds = 3600;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--max-seconds") == 0)
            max_seconds = arg_long(argv[i + 1], 0);
        else if (strcmp(argv[i], "--sample") == 0)
            sample_path = argv[i + 1];
        else {
            fprintf(stderr, "receiver: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    keyset = calloc((size_t)1 << KEYSET_BITS, sizeof(uint64_t));
    if (!keyset)
        return 1;
    reset_stats();
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 4096)) {
        perror("receiver: bind/listen");
        return 1;
    }
    socklen_t al = sizeof(a);
    getsockname(ls, (struct sockaddr *)&a, &al);
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
    FILE *pf = fopen(tmp, "w");
    if (!pf) {
        perror("receiver: port file");
        return 1;
    }
    fprintf(pf, "%d\n", ntohs(a.sin_port));
    fclose(pf);
    rename(tmp, port_file);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    long long deadline = now_ns() + (long long)max_seconds * 1000000000LL;
    struct epoll_event evs[256];
    while (!stop_flag && now_ns() < deadline) {
        int n = epoll_wait(ep, evs, 256, 200);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("receiver: epoll_wait");
            break;
        }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                for (int k = 0; k < 1024; k++) { /* bounded accept burst */
                    int cfd =
                        accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (cfd < 0)
                        break;
                    if (cfd >= MAX_CONNS) {
                        close(cfd);
                        continue;
                    }
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one,
                               sizeof(one));
                    struct conn *c = calloc(1, sizeof(*c));
                    if (!c) {
                        close(cfd);
                        continue;
                    }
                    c->fd = cfd;
                    c->gen = gen;
                    conns[cfd] = c;
                    st.conns++;
                    if (++st.conns_open > st.conns_open_max)
                        st.conns_open_max = st.conns_open;
                    struct epoll_event ce = {.events = EPOLLIN, .data.fd = cfd};
                    epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ce);
                }
                continue;
            }
            struct conn *c = conns[fd];
            if (!c)
                continue;
            int dead = 0;
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                for (;;) {
                    if (grow(&c->in, &c->inalloc, c->inlen + 16384)) {
                        dead = 1;
                        break;
                    }
                    ssize_t r =
                        recv(fd, c->in + c->inlen, c->inalloc - c->inlen, 0);
                    if (r > 0) {
                        c->inlen += (size_t)r;
                        if (c->inlen > BUF_CAP + 65536) {
                            st.bad++;
                            dead = 1;
                            break;
                        }
                        continue;
                    }
                    if (r == 0)
                        dead = 2; /* peer closed: answer what we have */
                    else if (errno != EAGAIN && errno != EWOULDBLOCK &&
                             errno != EINTR)
                        dead = 1;
                    break;
                }
            }
            if (dead != 1) {
                int h = handle(c);
                if (h < 0)
                    dead = 1;
                else if (h > 0)
                    dead = 2;
            }
            if (dead != 1) {
                int f = flush_out(c);
                if (f < 0) {
                    dead = 1;
                } else if (f > 0 && !dead) {
                    struct epoll_event ce = {.events = EPOLLIN | EPOLLOUT,
                                             .data.fd = fd};
                    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ce);
                } else if (f == 0 && (evs[i].events & EPOLLOUT)) {
                    struct epoll_event ce = {.events = EPOLLIN, .data.fd = fd};
                    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ce);
                }
            }
            if (dead)
                conn_close(ep, c);
        }
    }
    for (int fd = 0; fd < MAX_CONNS; fd++)
        if (conns[fd])
            conn_close(ep, conns[fd]);
    close(ep);
    close(ls);
    free(keyset);
    return 0;
}
