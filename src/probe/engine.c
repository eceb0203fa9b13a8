/*
 * engine.c - the probe engine (see engine.h for the contract).
 *
 * Structures: sites[] (the current list, with schedule state), hosts[] (one
 * per distinct host name: probes in flight, the learned DNS provider), a
 * min-heap of scheduled sites by planned start, a FIFO of due sites waiting
 * for the rate limit or their host's slot, and the probes in flight (each:
 * NS walk → A query → HTTP transfer). DNS sockets are polled together with
 * libcurl's through curl_multi_poll's extra descriptors.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/dns.h"
#include "probe/engine.h"
#include "common/util.h"

#define MAX_IN_FLIGHT 512 /* probes at once (each holds one descriptor) */
#define LAG_BINS 10000    /* 1-ms bins; later lags go in the last one */
#define NS_KEEP_US (86400LL * 1000000)
#define NS_RETRY_US (600LL * 1000000)
#define MAX_CNAME 8

enum pstate { P_NS, P_A, P_HTTP };
enum ns_state { NS_UNKNOWN, NS_LEARNING, NS_KNOWN, NS_FAILED };

struct host {
    char *name;
    int active;
    enum ns_state ns_state;
    int64_t ns_at_us;
    char ns[PROBE_NS_LEN];
};

struct site {
    int64_t id;
    char *url;
    char *host; /* lower case, no brackets */
    long port;
    bool https;
    bool literal; /* the host is an IP address: no DNS */
    int expected;
    char *match;
    int64_t interval_us;
    int64_t base_us; /* the round's start before jitter */
    int64_t due_us;  /* the planned start */
    int rounds;
    bool in_flight, finished;
    size_t host_ix;
};

struct probe {
    size_t site_ix; /* SIZE_MAX when the site was removed meanwhile */
    size_t host_ix;
    enum pstate state;
    struct probe_result r;
    int64_t start_us, dns_start_us, deadline_us;
    int fd;
    int tries;
    uint16_t qid;
    uint16_t qtype;
    char qname[DNS_NAME_LEN];
    int cnames;
    const char *ns_suffix; /* into host name, while walking */
    char *host;            /* copies: the site list may change meanwhile */
    char *url;
    char *match;
    int expected;
    bool https;
    long port;
    CURL *easy;
    struct curl_slist *connect_to;
    char *body;
    size_t body_len;
    bool capped;
    char errbuf[CURL_ERROR_SIZE];
};

struct probe_engine {
    struct probe_settings set;
    char *cacert;
    char source_opt[PROBE_ADDR_LEN + 8]; /* "host!ADDR" or "" */
    struct sockaddr_storage source;      /* ss_family 0: any */
    size_t source_len;
    struct sockaddr_storage resolver;
    size_t resolver_len;
    CURLM *multi;
    struct site *sites;
    size_t n_sites;
    size_t *by_id; /* site indices sorted by id */
    struct host *hosts;
    size_t n_hosts;
    size_t *host_index; /* open addressing: name → host index */
    size_t host_mask;
    size_t *heap; /* site indices by due_us */
    size_t n_heap;
    size_t *ready; /* FIFO of due site indices */
    size_t n_ready;
    struct probe **fl; /* in flight */
    size_t n_fl;
    CURL **pool; /* easy handles of finished probes, reset, for reuse */
    size_t n_pool;
    /* rate limit: a token bucket (depth: 50 ms of starts) and, strictly, at
     * most rate starts in any second (ring of the last rate start times) */
    double tokens, depth;
    int64_t tokens_us;
    int64_t *win;
    size_t win_n, win_head;
    uint64_t rng;
    uint64_t started, finished;
    uint32_t lag_hist[LAG_BINS];
    double lag_max_ms;
    struct dns_msg msg; /* parser scratch (large) */
};

/* ---- time, random ---- */

/* The grid on which due probes are started together (see
 * probe_engine_step): fewer wake-ups, each start late by < 20 ms. */
#define START_TICK_US 20000

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* splitmix64: the stable hash of a site id that sets its phase */
static uint64_t hash64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static int64_t jitter_us(struct probe_engine *e, int64_t interval_us)
{
    int64_t j = interval_us / 20;
    if (j > 2000000)
        j = 2000000;
    if (j <= 0)
        return 0;
    return (int64_t)(rng_next(&e->rng) % (uint64_t)(2 * j + 1)) - j;
}

/* ---- heap of scheduled sites ---- */

static bool heap_less(const struct probe_engine *e, size_t a, size_t b)
{
    return e->sites[e->heap[a]].due_us < e->sites[e->heap[b]].due_us;
}

static void heap_swap(struct probe_engine *e, size_t a, size_t b)
{
    size_t t = e->heap[a];
    e->heap[a] = e->heap[b];
    e->heap[b] = t;
}

static void heap_push(struct probe_engine *e, size_t site_ix)
{
    size_t i = e->n_heap++;
    e->heap[i] = site_ix;
    while (i > 0 && heap_less(e, i, (i - 1) / 2)) {
        heap_swap(e, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static size_t heap_pop(struct probe_engine *e)
{
    size_t top = e->heap[0];
    e->heap[0] = e->heap[--e->n_heap];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < e->n_heap && heap_less(e, l, m))
            m = l;
        if (r < e->n_heap && heap_less(e, r, m))
            m = r;
        if (m == i)
            break;
        heap_swap(e, i, m);
        i = m;
    }
    return top;
}

/* ---- creation ---- */

/* Settings checked and defaults applied; the resolver parsed. NULL (and
 * *why) when the resolver cannot be used. */
static const char *engine_settings(struct probe_engine *e,
                                   const struct probe_settings *s)
{
    e->set = *s;
    if (e->set.per_host <= 0)
        e->set.per_host = 2;
    if (e->set.rate_per_s <= 0)
        e->set.rate_per_s = 200;
    if (e->set.timeout_ms <= 0)
        e->set.timeout_ms = 10000;
    if (e->set.dns_timeout_ms <= 0)
        e->set.dns_timeout_ms = 2000;
    e->set.resolver = NULL; /* the caller's strings are not kept */
    e->set.cacert = NULL;
    e->rng = s->seed ? s->seed : (uint64_t)mono_us() ^ (uint64_t)wall_ms();
    if (e->rng == 0)
        e->rng = 1;
    char def[80];
    const char *res = s->resolver;
    if (!res) {
        if (dns_default_server("/etc/resolv.conf", def, sizeof def) != IS_OK)
            return "no nameserver in /etc/resolv.conf: give --resolver";
        res = def;
    }
    if (dns_parse_server(res, &e->resolver, &e->resolver_len) != IS_OK)
        return "the resolver is not ADDR:PORT";
    e->set.source = NULL;
    if (s->source) {
        /* an address, port 0 (any): the probes' source, DNS included */
        char with_port[PROBE_ADDR_LEN + 8];
        bool v6 = strchr(s->source, ':') != NULL;
        int rc = v6 ? util_fmt(with_port, sizeof with_port, "[%s]:1", s->source)
                    : util_fmt(with_port, sizeof with_port, "%s:1", s->source);
        if (rc != IS_OK ||
            dns_parse_server(with_port, &e->source, &e->source_len) != IS_OK)
            return "the source is not an IP address";
        if (e->source.ss_family != e->resolver.ss_family)
            return "the source and the resolver differ in address family";
        if (e->source.ss_family == AF_INET)
            ((struct sockaddr_in *)&e->source)->sin_port = 0;
        else
            ((struct sockaddr_in6 *)&e->source)->sin6_port = 0;
        util_xsnprintf(e->source_opt, sizeof e->source_opt, "host!%s",
                       s->source);
    }
    return NULL;
}

struct probe_engine *probe_engine_create(const struct probe_settings *s,
                                         const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    struct probe_engine *e = calloc(1, sizeof *e);
    if (!e) {
        *why = "out of memory";
        return NULL;
    }
    *why = engine_settings(e, s);
    if (*why) {
        probe_engine_destroy(e);
        return NULL;
    }
    e->depth = e->set.rate_per_s / 20;
    if (e->depth < 1)
        e->depth = 1;
    e->tokens = e->depth;
    e->win_n = e->set.rate_per_s < 1 ? 1 : (size_t)e->set.rate_per_s;
    e->win = malloc(e->win_n * sizeof *e->win);
    e->cacert = s->cacert ? strdup(s->cacert) : NULL;
    e->fl = calloc(MAX_IN_FLIGHT, sizeof *e->fl);
    e->pool = calloc(MAX_IN_FLIGHT, sizeof *e->pool);
    if (!e->win || (s->cacert && !e->cacert) || !e->fl || !e->pool) {
        *why = "out of memory";
        probe_engine_destroy(e);
        return NULL;
    }
    for (size_t i = 0; i < e->win_n; i++)
        e->win[i] = INT64_MIN / 2;
    e->multi = curl_multi_init();
    if (!e->multi) {
        *why = "libcurl failed to start";
        probe_engine_destroy(e);
        return NULL;
    }
    return e;
}

/* ---- sites and hosts ---- */

static void free_sites(struct site *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(s[i].url);
        free(s[i].host);
        free(s[i].match);
    }
    free(s);
}

static void free_hosts(struct host *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(h[i].name);
    free(h);
}

/* Splits url into scheme/host/port. IS_OK or IS_ERR_INVALID. */
static int parse_url(const char *url, struct site *st)
{
    CURLU *u = curl_url();
    if (!u)
        return IS_ERR_NOMEM;
    int rc = IS_ERR_INVALID;
    char *scheme = NULL, *host = NULL, *port = NULL;
    /* an authority must follow "://" (libcurl reads "http:///x" as the
     * host "x") */
    const char *auth = strstr(url, "://");
    if (!auth || auth[3] == '/' || auth[3] == '\0')
        goto out;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        goto out;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
        goto out;
    if (strcasecmp(scheme, "http") == 0)
        st->https = false;
    else if (strcasecmp(scheme, "https") == 0)
        st->https = true;
    else
        goto out;
    if (util_parse_long(port, 1, 65535, &st->port) != IS_OK)
        goto out;
    size_t n = strlen(host);
    const char *h = host;
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        h = host + 1;
        n -= 2;
    }
    if (n == 0 || n > 253)
        goto out;
    st->host = strndup(h, n);
    if (!st->host) {
        rc = IS_ERR_NOMEM;
        goto out;
    }
    for (char *p = st->host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    unsigned char tmp[16];
    st->literal = inet_pton(AF_INET, st->host, tmp) == 1 ||
                  inet_pton(AF_INET6, st->host, tmp) == 1;
    rc = IS_OK;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Open-addressing index (name → host index) over hosts; size a power of
 * two ≥ 2n, SIZE_MAX for an empty slot. */
static size_t host_find_or_add(struct host *hosts, size_t *n_hosts,
                               size_t *index, size_t mask, const char *name,
                               bool *added)
{
    size_t i = (size_t)str_hash(name) & mask;
    while (index[i] != SIZE_MAX) {
        if (strcmp(hosts[index[i]].name, name) == 0) {
            *added = false;
            return index[i];
        }
        i = (i + 1) & mask;
    }
    index[i] = *n_hosts;
    hosts[*n_hosts].name = NULL;
    *added = true;
    return (*n_hosts)++;
}

static const struct host *old_host(const struct probe_engine *e,
                                   const char *name)
{
    if (!e->host_index)
        return NULL;
    size_t i = (size_t)str_hash(name) & e->host_mask;
    while (e->host_index[i] != SIZE_MAX) {
        if (strcmp(e->hosts[e->host_index[i]].name, name) == 0)
            return &e->hosts[e->host_index[i]];
        i = (i + 1) & e->host_mask;
    }
    return NULL;
}

static int by_id_cmp(const void *a, const void *b, void *arg)
{
    const struct site *sites = arg;
    int64_t x = sites[*(const size_t *)a].id;
    int64_t y = sites[*(const size_t *)b].id;
    return (x > y) - (x < y);
}

/* The index of the site with this id in sites (sorted by by_id), or
 * SIZE_MAX. O(log n). */
static size_t find_id(const struct site *sites, const size_t *by_id, size_t n,
                      int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t v = sites[by_id[mid]].id;
        if (v == id)
            return by_id[mid];
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

static const struct site *old_site(const struct probe_engine *e, int64_t id)
{
    size_t i = find_id(e->sites, e->by_id, e->n_sites, id);
    return i == SIZE_MAX ? NULL : &e->sites[i];
}

static int build_sites(struct probe_engine *e, const struct probe_site *in,
                       size_t n, struct site *out, size_t *bad)
{
    for (size_t i = 0; i < n; i++) {
        struct site *st = &out[i];
        *bad = i;
        st->id = in[i].id;
        if (!in[i].url || in[i].interval_s < 1 || in[i].interval_s > 86400)
            return IS_ERR_INVALID;
        st->expected = in[i].expected_status ? in[i].expected_status : 200;
        if (st->expected < 100 || st->expected > 599)
            return IS_ERR_INVALID;
        int rc = parse_url(in[i].url, st);
        if (rc != IS_OK)
            return rc;
        st->url = strdup(in[i].url);
        if (!st->url)
            return IS_ERR_NOMEM;
        if (in[i].content_match && in[i].content_match[0]) {
            st->match = strdup(in[i].content_match);
            if (!st->match)
                return IS_ERR_NOMEM;
        }
        st->interval_us = (int64_t)in[i].interval_s * 1000000;
    }
    IS_UNUSED(e);
    return IS_OK;
}

int probe_engine_set_sites(struct probe_engine *e,
                           const struct probe_site *sites, size_t n,
                           size_t *bad)
{
    size_t dummy;
    if (!bad)
        bad = &dummy;
    struct site *ns = calloc(n ? n : 1, sizeof *ns);
    /* hosts: those of the list, and those of probes in flight */
    size_t max_hosts = n + e->n_fl + 1;
    struct host *nh = calloc(max_hosts, sizeof *nh);
    size_t cap = 16;
    while (cap < 2 * max_hosts)
        cap *= 2;
    size_t *index = malloc(cap * sizeof *index);
    size_t *heap = malloc((n ? n : 1) * sizeof *heap);
    size_t *ready = malloc((n ? n : 1) * sizeof *ready);
    size_t *by_id = malloc((n ? n : 1) * sizeof *by_id);
    size_t n_hosts = 0;
    int rc = IS_ERR_NOMEM;
    if (!ns || !nh || !index || !heap || !ready || !by_id)
        goto fail;
    rc = build_sites(e, sites, n, ns, bad);
    if (rc != IS_OK)
        goto fail;
    for (size_t i = 0; i < n; i++)
        by_id[i] = i;
    qsort_r(by_id, n, sizeof *by_id, by_id_cmp, ns);
    for (size_t i = 1; i < n; i++)
        if (ns[by_id[i]].id == ns[by_id[i - 1]].id) {
            *bad = by_id[i] > by_id[i - 1] ? by_id[i] : by_id[i - 1];
            rc = IS_ERR_INVALID; /* the same id twice */
            goto fail;
        }
    for (size_t i = 0; i < cap; i++)
        index[i] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        bool added;
        size_t h =
            host_find_or_add(nh, &n_hosts, index, cap - 1, ns[i].host, &added);
        if (added) {
            nh[h].name = strdup(ns[i].host);
            if (!nh[h].name) {
                rc = IS_ERR_NOMEM;
                goto fail;
            }
            const struct host *oh = old_host(e, ns[i].host);
            if (oh && oh->ns_state != NS_LEARNING) {
                nh[h].ns_state = oh->ns_state;
                nh[h].ns_at_us = oh->ns_at_us;
                memcpy(nh[h].ns, oh->ns, sizeof nh[h].ns);
            }
        }
        ns[i].host_ix = h;
    }
    /* the schedule: kept for known ids, a phase for new ones */
    int64_t now = mono_us();
    for (size_t i = 0; i < n; i++) {
        struct site *st = &ns[i];
        const struct site *os = old_site(e, st->id);
        if (os && os->interval_us == st->interval_us) {
            st->base_us = os->base_us;
            st->due_us = os->due_us;
            st->rounds = os->rounds;
            st->in_flight = os->in_flight;
            st->finished = os->finished;
        } else {
            uint64_t phase =
                hash64((uint64_t)st->id) % (uint64_t)st->interval_us;
            st->base_us = now + (int64_t)phase;
            st->due_us = st->base_us + jitter_us(e, st->interval_us);
            if (st->due_us < now) /* a first round is never late */
                st->due_us = now;
            if (os) {
                st->rounds = os->rounds;
                st->in_flight = os->in_flight;
                st->finished = os->finished;
            }
        }
    }
    /* hosts of probes in flight that no site of the new list has: kept,
     * to go on counting them (the only step here that can fail, so the
     * probes are changed only after it) */
    for (size_t k = 0; k < e->n_fl; k++) {
        bool added;
        size_t h = host_find_or_add(nh, &n_hosts, index, cap - 1,
                                    e->fl[k]->host, &added);
        if (added) {
            nh[h].name = strdup(e->fl[k]->host);
            if (!nh[h].name) {
                rc = IS_ERR_NOMEM;
                goto fail;
            }
        }
    }
    /* probes in flight: to the new indices (or none), host counts */
    for (size_t k = 0; k < e->n_fl; k++) {
        struct probe *p = e->fl[k];
        bool added;
        size_t h =
            host_find_or_add(nh, &n_hosts, index, cap - 1, p->host, &added);
        p->site_ix = find_id(ns, by_id, n, p->r.site);
        p->host_ix = h;
        nh[h].active++;
        if (p->state == P_NS)
            nh[h].ns_state = NS_LEARNING;
    }
    size_t n_heap = 0;
    for (size_t i = 0; i < n; i++)
        if (!ns[i].in_flight && !ns[i].finished)
            heap[n_heap++] = i;
    free_sites(e->sites, e->n_sites);
    free_hosts(e->hosts, e->n_hosts);
    free(e->heap);
    free(e->ready);
    free(e->by_id);
    free(e->host_index);
    e->sites = ns;
    e->n_sites = n;
    e->by_id = by_id;
    e->hosts = nh;
    e->n_hosts = n_hosts;
    e->host_index = index;
    e->host_mask = cap - 1;
    e->heap = heap;
    e->ready = ready;
    e->n_ready = 0;
    /* heapify */
    e->n_heap = 0;
    for (size_t i = 0; i < n_heap; i++)
        heap_push(e, heap[i]);
    return IS_OK;
fail:
    if (ns)
        free_sites(ns, n);
    if (nh)
        free_hosts(nh, n_hosts);
    free(index);
    free(heap);
    free(ready);
    free(by_id);
    return rc;
}

/* ---- probes ---- */

static void probe_free(struct probe *p)
{
    if (p->fd >= 0)
        close(p->fd);
    if (p->easy)
        curl_easy_cleanup(p->easy);
    curl_slist_free_all(p->connect_to);
    free(p->host);
    free(p->url);
    free(p->match);
    free(p->body);
    free(p);
}

static void lag_record(struct probe_engine *e, double lag_ms)
{
    if (lag_ms < 0)
        lag_ms = 0;
    size_t bin = (size_t)lag_ms;
    if (bin >= LAG_BINS)
        bin = LAG_BINS - 1;
    e->lag_hist[bin]++;
    if (lag_ms > e->lag_max_ms)
        e->lag_max_ms = lag_ms;
}

/* Schedules the site's next round (from its planned start, not from when
 * the probe ended: the schedule does not drift). Rounds missed entirely
 * (a probe longer than the interval) are skipped. */
static void reschedule(struct probe_engine *e, size_t ix, int64_t now)
{
    struct site *st = &e->sites[ix];
    st->in_flight = false;
    if (e->set.max_rounds > 0 && st->rounds >= e->set.max_rounds) {
        st->finished = true;
        return;
    }
    st->base_us += st->interval_us;
    if (st->base_us + st->interval_us < now) {
        int64_t behind = (now - st->base_us) / st->interval_us;
        st->base_us += behind * st->interval_us;
    }
    st->due_us = st->base_us + jitter_us(e, st->interval_us);
    heap_push(e, ix);
}

static void finish(struct probe_engine *e, size_t k, const char *outcome)
{
    struct probe *p = e->fl[k];
    p->r.outcome = outcome;
    e->fl[k] = e->fl[--e->n_fl];
    if (p->easy) {
        curl_multi_remove_handle(e->multi, p->easy);
        if (e->n_pool < MAX_IN_FLIGHT) {
            /* kept for the next probe as it is: its fixed options stay
             * set (easy_configure); the per-probe ones are replaced by
             * http_start before it is used again */
            e->pool[e->n_pool++] = p->easy;
            p->easy = NULL;
        }
    }
    struct host *h = &e->hosts[p->host_ix];
    if (h->active > 0)
        h->active--;
    if (p->state == P_NS && h->ns_state == NS_LEARNING)
        h->ns_state = NS_FAILED;
    if (!p->r.ns[0] && h->ns_state == NS_KNOWN)
        memcpy(p->r.ns, h->ns, sizeof p->r.ns);
    e->finished++;
    if (e->set.cb)
        e->set.cb(&p->r, e->set.cb_arg);
    if (p->site_ix != SIZE_MAX)
        reschedule(e, p->site_ix, mono_us());
    probe_free(p);
}

/* The result's detail: prefix and arg (cut off: the detail is "") */
static void fail_detail(struct probe *p, const char *prefix, const char *arg)
{
    if (util_fmt(p->r.detail, sizeof p->r.detail, "%s%s", prefix, arg) != IS_OK)
        p->r.detail[0] = '\0';
}

/* Sends (or re-sends, with a new id) the current query. IS_OK or an error
 * (the probe then fails with outcome dns). */
static int dns_send(struct probe_engine *e, struct probe *p)
{
    uint8_t q[DNS_QUERY_MAX];
    size_t qlen;
    p->qid = (uint16_t)(rng_next(&e->rng) >> 48);
    if (dns_build_query(p->qid, p->qname, p->qtype, q, sizeof q, &qlen) !=
        IS_OK)
        return IS_ERR_INVALID;
    if (p->fd < 0) {
        p->fd = socket(e->resolver.ss_family,
                       SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (p->fd < 0)
            return IS_ERR_IO;
        if (e->source_len && bind(p->fd, (struct sockaddr *)&e->source,
                                  (socklen_t)e->source_len) != 0)
            return IS_ERR_IO;
        if (connect(p->fd, (struct sockaddr *)&e->resolver,
                    (socklen_t)e->resolver_len) != 0)
            return IS_ERR_IO;
    }
    if (send(p->fd, q, qlen, 0) != (ssize_t)qlen)
        return IS_ERR_IO;
    p->tries++;
    p->deadline_us = mono_us() + (int64_t)e->set.dns_timeout_ms * 1000;
    return IS_OK;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct probe *p = arg;
    size_t n = size * nmemb;
    if (!p->match)
        return n; /* no content check: read and drop */
    size_t room = PROBE_BODY_MAX - p->body_len;
    size_t take = n < room ? n : room;
    if (!p->body) {
        p->body = malloc(PROBE_BODY_MAX);
        if (!p->body)
            return 0;
    }
    memcpy(p->body + p->body_len, data, take);
    p->body_len += take;
    if (p->body_len >= PROBE_BODY_MAX) {
        p->capped = true;
        return 0; /* enough: the transfer stops here */
    }
    return n;
}

/* The options every probe's transfer has, set once per easy handle (the
 * handles are reused, never reset): a new connection each time (no reuse,
 * no connection cache left open), no signals, no redirects, no proxy from
 * the environment, no cookie engine (never enabled), the timeouts. */
static void easy_configure(struct probe_engine *e, CURL *c)
{
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)e->set.timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)e->set.timeout_ms);
    curl_easy_setopt(c, CURLOPT_USERAGENT,
                     "infrashare-probe/1 (website response observation)");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    if (e->cacert)
        curl_easy_setopt(c, CURLOPT_CAINFO, e->cacert);
    if (e->source_opt[0])
        curl_easy_setopt(c, CURLOPT_INTERFACE, e->source_opt);
}

static int http_start(struct probe_engine *e, struct probe *p)
{
    char ct[PROBE_ADDR_LEN + 8];
    bool v6 = strchr(p->r.addr, ':') != NULL;
    int rc = v6 ? util_fmt(ct, sizeof ct, "::[%s]:", p->r.addr)
                : util_fmt(ct, sizeof ct, "::%s:", p->r.addr);
    if (rc != IS_OK)
        return IS_ERR_INVALID;
    p->connect_to = curl_slist_append(NULL, ct);
    if (e->n_pool > 0) {
        p->easy = e->pool[--e->n_pool];
    } else {
        p->easy = curl_easy_init();
        if (p->easy)
            easy_configure(e, p->easy);
    }
    if (!p->connect_to || !p->easy)
        return IS_ERR_NOMEM;
    CURL *c = p->easy;
    /* per probe (the rest is set once per handle: easy_configure) */
    curl_easy_setopt(c, CURLOPT_URL, p->url);
    curl_easy_setopt(c, CURLOPT_CONNECT_TO, p->connect_to);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, p);
    curl_easy_setopt(c, CURLOPT_PRIVATE, p);
    p->errbuf[0] = '\0';
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, p->errbuf);
    if (curl_multi_add_handle(e->multi, c) != CURLM_OK)
        return IS_ERR_INTERNAL;
    p->state = P_HTTP;
    return IS_OK;
}

/* The host's address is known (p->r.addr): on to HTTP, or fail. */
static void dns_done(struct probe_engine *e, size_t k)
{
    struct probe *p = e->fl[k];
    if (p->fd >= 0) {
        close(p->fd);
        p->fd = -1;
    }
    if (http_start(e, p) != IS_OK) {
        fail_detail(p, "", "could not start the transfer");
        finish(e, k, "error");
    }
}

/* Starts the A query of the host (after the NS walk, or at once). */
static void a_start(struct probe_engine *e, size_t k)
{
    struct probe *p = e->fl[k];
    p->state = P_A;
    p->tries = 0;
    if (p->fd >= 0) {
        close(p->fd);
        p->fd = -1;
    }
    p->dns_start_us = mono_us();
    util_xcopy(p->qname, sizeof p->qname, p->host);
    p->qtype = DNS_T_A;
    if (dns_send(e, p) != IS_OK) {
        p->r.dns_ms = (double)(mono_us() - p->dns_start_us) / 1000.0;
        fail_detail(p, "", "the query could not be sent");
        finish(e, k, "dns");
    }
}

/* Next step of the NS walk: the parent of the current suffix, or, at two
 * labels or fewer, the end of the walk (provider unknown). */
static void ns_next(struct probe_engine *e, size_t k, bool failed)
{
    struct probe *p = e->fl[k];
    struct host *h = &e->hosts[p->host_ix];
    const char *dot = failed ? NULL : strchr(p->ns_suffix, '.');
    if (dot && strchr(dot + 1, '.')) {
        p->ns_suffix = dot + 1;
        util_xcopy(p->qname, sizeof p->qname, p->ns_suffix);
        p->tries = 0;
        if (dns_send(e, p) == IS_OK)
            return;
    }
    h->ns_state = NS_FAILED;
    h->ns_at_us = mono_us();
    a_start(e, k);
}

static bool probe_due_ns(const struct host *h, int64_t now)
{
    if (h->ns_state == NS_UNKNOWN)
        return true;
    if (h->ns_state == NS_KNOWN)
        return now - h->ns_at_us > NS_KEEP_US;
    if (h->ns_state == NS_FAILED)
        return now - h->ns_at_us > NS_RETRY_US;
    return false; /* another probe is learning it */
}

static void start_probe(struct probe_engine *e, size_t ix, int64_t now)
{
    struct site *st = &e->sites[ix];
    struct host *h = &e->hosts[st->host_ix];
    struct probe *p = calloc(1, sizeof *p);
    st->rounds++;
    st->in_flight = true;
    e->started++;
    double lag = (double)(now - st->due_us) / 1000.0;
    lag_record(e, lag);
    if (p) {
        p->host = strdup(st->host);
        p->url = strdup(st->url);
        p->match = st->match ? strdup(st->match) : NULL;
    }
    if (!p || !p->host || !p->url || (st->match && !p->match)) {
        /* out of memory: this round is lost, the next one is scheduled */
        if (p)
            probe_free(p);
        e->finished++;
        reschedule(e, ix, now);
        return;
    }
    p->fd = -1;
    p->site_ix = ix;
    p->host_ix = st->host_ix;
    p->expected = st->expected;
    p->https = st->https;
    p->port = st->port;
    p->start_us = now;
    p->r.site = st->id;
    p->r.at_ms = wall_ms();
    p->r.round = st->rounds;
    p->r.lag_ms = lag < 0 ? 0 : lag;
    p->r.dns_ms = p->r.connect_ms = p->r.tls_ms = p->r.ttfb_ms = -1;
    p->r.total_ms = -1;
    h->active++;
    e->fl[e->n_fl++] = p;
    size_t k = e->n_fl - 1;
    if (st->literal) {
        util_xcopy(p->r.addr, sizeof p->r.addr, st->host);
        p->r.dns_ms = 0;
        dns_done(e, k);
        return;
    }
    if (probe_due_ns(h, now) && strchr(st->host, '.')) {
        h->ns_state = NS_LEARNING;
        p->state = P_NS;
        p->ns_suffix = p->host;
        util_xcopy(p->qname, sizeof p->qname, p->host);
        p->qtype = DNS_T_NS;
        if (dns_send(e, p) == IS_OK)
            return;
        ns_next(e, k, true);
        return;
    }
    a_start(e, k);
}

/* A parsed answer to the probe's current query. */
static void on_answer(struct probe_engine *e, size_t k, const struct dns_msg *m)
{
    struct probe *p = e->fl[k];
    if (p->state == P_NS) {
        const char *best = NULL;
        if (m->rcode == DNS_RC_NOERROR)
            for (int i = 0; i < m->n_rr; i++)
                if (m->rr[i].type == DNS_T_NS &&
                    dns_name_eq(m->rr[i].name, p->qname) &&
                    (!best || strcasecmp(m->rr[i].target, best) < 0))
                    best = m->rr[i].target;
        if (best) {
            struct host *h = &e->hosts[p->host_ix];
            util_xcopy(h->ns, sizeof h->ns, best);
            h->ns_state = NS_KNOWN;
            h->ns_at_us = mono_us();
            util_xcopy(p->r.ns, sizeof p->r.ns, best);
            a_start(e, k);
            return;
        }
        /* NODATA / NXDOMAIN at this name: up one label; SERVFAIL and
         * REFUSED: the provider's servers fail, stop */
        ns_next(e, k,
                m->rcode != DNS_RC_NOERROR && m->rcode != DNS_RC_NXDOMAIN);
        return;
    }
    static const char *const rcodes[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                         "NXDOMAIN", "NOTIMP",  "REFUSED"};
    if (m->rcode != DNS_RC_NOERROR) {
        p->r.dns_ms = (double)(mono_us() - p->dns_start_us) / 1000.0;
        fail_detail(p, "resolver answered ",
                    m->rcode < 6 ? rcodes[m->rcode] : "an error");
        finish(e, k, "dns");
        return;
    }
    if (m->tc) {
        p->r.dns_ms = (double)(mono_us() - p->dns_start_us) / 1000.0;
        fail_detail(p, "", "truncated answer");
        finish(e, k, "dns");
        return;
    }
    /* follow the CNAME chain inside the answer, then take its A record */
    char cur[DNS_NAME_LEN];
    util_xcopy(cur, sizeof cur, p->qname);
    for (int hop = 0; hop < MAX_CNAME; hop++) {
        bool moved = false;
        for (int i = 0; i < m->n_rr; i++)
            if (m->rr[i].type == DNS_T_CNAME &&
                dns_name_eq(m->rr[i].name, cur)) {
                util_xcopy(cur, sizeof cur, m->rr[i].target);
                moved = true;
                break;
            }
        if (!moved)
            break;
    }
    int af = p->qtype == DNS_T_A ? AF_INET : AF_INET6;
    for (int i = 0; i < m->n_rr; i++)
        if (m->rr[i].type == p->qtype && dns_name_eq(m->rr[i].name, cur)) {
            p->r.dns_ms = (double)(mono_us() - p->dns_start_us) / 1000.0;
            if (!inet_ntop(af, m->rr[i].addr, p->r.addr, sizeof p->r.addr))
                break;
            dns_done(e, k);
            return;
        }
    if (!dns_name_eq(cur, p->qname) && ++p->cnames <= MAX_CNAME) {
        util_xcopy(p->qname, sizeof p->qname, cur); /* ask for the target */
        p->tries = 0;
        if (dns_send(e, p) == IS_OK)
            return;
    } else if (p->qtype == DNS_T_A) {
        /* no IPv4 address: the name's IPv6 address (AAAA) */
        util_xcopy(p->qname, sizeof p->qname, cur);
        p->qtype = DNS_T_AAAA;
        p->tries = 0;
        if (dns_send(e, p) == IS_OK)
            return;
    }
    p->r.dns_ms = (double)(mono_us() - p->dns_start_us) / 1000.0;
    fail_detail(p, "", "no address for the name");
    finish(e, k, "dns");
}

/* Reads what the probe's DNS socket holds; the probe may finish (leave
 * fl[k]) or move on to its next query. */
static void dns_readable(struct probe_engine *e, size_t k)
{
    struct probe *p = e->fl[k];
    uint8_t pkt[DNS_PKT_MAX];
    for (;;) {
        ssize_t n = recv(p->fd, pkt, sizeof pkt, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            /* ECONNREFUSED: an ICMP port unreachable from the resolver */
            if (p->state == P_NS) {
                ns_next(e, k, true);
                return;
            }
            p->r.dns_ms = (double)(mono_us() - p->dns_start_us) / 1000.0;
            fail_detail(p, "resolver unreachable: ", strerror(errno));
            finish(e, k, "dns");
            return;
        }
        if (dns_parse(pkt, (size_t)n, &e->msg) != IS_OK)
            continue; /* malformed: ignored, the deadline still runs */
        if (!e->msg.qr || e->msg.id != p->qid || e->msg.qtype != p->qtype ||
            !dns_name_eq(e->msg.qname, p->qname))
            continue; /* not the answer to this query */
        on_answer(e, k, &e->msg);
        return;
    }
}

static void dns_timeouts(struct probe_engine *e, int64_t now)
{
    for (size_t k = 0; k < e->n_fl;) {
        struct probe *p = e->fl[k];
        if (p->state == P_HTTP || p->deadline_us > now) {
            k++;
            continue;
        }
        struct probe *before = p;
        if (p->tries < 2 && dns_send(e, p) == IS_OK) {
            k++;
            continue;
        }
        if (p->state == P_NS) {
            ns_next(e, k, true);
        } else {
            p->r.dns_ms = (double)(mono_us() - p->dns_start_us) / 1000.0;
            fail_detail(p, "", "no answer from the resolver");
            finish(e, k, "dns");
        }
        if (k < e->n_fl && e->fl[k] == before)
            k++;
    }
}

static const char *classify_curl(struct probe *p, CURLcode rc)
{
    long oserr = 0;
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: return "timeout";
    case CURLE_COULDNT_CONNECT:
        curl_easy_getinfo(p->easy, CURLINFO_OS_ERRNO, &oserr);
        if (oserr == ECONNREFUSED)
            return "refused";
        if (oserr == ETIMEDOUT)
            return "timeout";
        return "error";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED: return "tls";
    case CURLE_COULDNT_RESOLVE_HOST: return "dns";
    default: return "error";
    }
}

static double phase_ms(curl_off_t from, curl_off_t to)
{
    if (to <= 0 || to < from)
        return -1;
    return (double)(to - from) / 1000.0;
}

static void http_done(struct probe_engine *e, size_t k, CURLcode rc)
{
    struct probe *p = e->fl[k];
    CURL *c = p->easy;
    curl_off_t nl = 0, conn = 0, app = 0, st = 0, tot = 0;
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_NAMELOOKUP_TIME_T, &nl);
    curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &conn);
    curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &app);
    curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME_T, &st);
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &tot);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    p->r.connect_ms = phase_ms(nl, conn);
    p->r.tls_ms = p->https ? phase_ms(conn, app) : -1;
    p->r.ttfb_ms = phase_ms(p->https && app > 0 ? app : conn, st);
    p->r.total_ms = p->r.dns_ms + (double)tot / 1000.0;
    p->r.status = (int)status;
    const char *outcome;
    if (rc == CURLE_WRITE_ERROR && p->capped)
        rc = CURLE_OK; /* we stopped reading after 64 KB */
    if (rc != CURLE_OK) {
        outcome = classify_curl(p, rc);
        fail_detail(p, "", p->errbuf[0] ? p->errbuf : curl_easy_strerror(rc));
    } else if (status != p->expected) {
        outcome = status >= 500 ? "http5xx" : "status";
        char msg[64];
        util_xsnprintf(msg, sizeof msg, "status %ld, expected %d", status,
                       p->expected);
        fail_detail(p, "", msg);
    } else if (p->match && !memmem(p->body ? p->body : "", p->body_len,
                                   p->match, strlen(p->match))) {
        outcome = "content";
        fail_detail(p, "", "the expected content is not in the page");
    } else {
        outcome = "ok";
    }
    finish(e, k, outcome);
}

/* ---- the loop ---- */

static bool rate_ok(struct probe_engine *e, int64_t now)
{
    e->tokens += (double)(now - e->tokens_us) * e->set.rate_per_s / 1e6;
    if (e->tokens > e->depth)
        e->tokens = e->depth;
    e->tokens_us = now;
    return e->tokens >= 1 && e->win[e->win_head] <= now - 1000000;
}

static void rate_take(struct probe_engine *e, int64_t now)
{
    e->tokens -= 1;
    e->win[e->win_head] = now;
    e->win_head = (e->win_head + 1) % e->win_n;
}

/* When the rate limit lets the next probe start. */
static int64_t rate_next(const struct probe_engine *e, int64_t now)
{
    int64_t t = now;
    if (e->tokens < 1)
        t = e->tokens_us +
            (int64_t)((1 - e->tokens) * 1e6 / e->set.rate_per_s) + 1;
    int64_t w = e->win[e->win_head] + 1000000;
    return t > w ? t : w;
}

static void start_due(struct probe_engine *e, int64_t now)
{
    while (e->n_heap > 0 && e->sites[e->heap[0]].due_us <= now)
        e->ready[e->n_ready++] = heap_pop(e);
    size_t w = 0;
    bool can = rate_ok(e, now);
    for (size_t i = 0; i < e->n_ready; i++) {
        size_t ix = e->ready[i];
        struct site *st = &e->sites[ix];
        bool host_ok = e->hosts[st->host_ix].active < e->set.per_host;
        if (can && host_ok && e->n_fl < MAX_IN_FLIGHT) {
            rate_take(e, now);
            start_probe(e, ix, now);
            can = rate_ok(e, now);
        } else {
            e->ready[w++] = ix;
        }
    }
    e->n_ready = w;
}

static bool all_done(const struct probe_engine *e)
{
    return e->set.max_rounds > 0 && e->n_heap == 0 && e->n_ready == 0 &&
           e->n_fl == 0;
}

int probe_engine_step(struct probe_engine *e, int timeout_ms)
{
    int64_t now = mono_us();
    dns_timeouts(e, now);
    start_due(e, now);
    if (all_done(e))
        return 0;
    /* how long to wait: the next due site, the rate limit, DNS deadlines */
    int64_t until = now + (int64_t)timeout_ms * 1000;
    if (e->n_heap > 0) {
        /* starts are batched on a START_TICK_US grid: the sites due within
         * one tick start together after one wake-up (a start is late by
         * less than a tick; the lag measured includes it) */
        int64_t due = e->sites[e->heap[0]].due_us;
        if (due > now)
            due +=
                START_TICK_US - 1 - (due + START_TICK_US - 1) % START_TICK_US;
        if (due < until)
            until = due;
    }
    if (e->n_ready > 0) {
        int64_t r = rate_next(e, now);
        if (r > now && r < until)
            until = r;
    }
    struct curl_waitfd wfd[MAX_IN_FLIGHT];
    size_t wk[MAX_IN_FLIGHT];
    unsigned nw = 0;
    for (size_t k = 0; k < e->n_fl; k++) {
        struct probe *p = e->fl[k];
        if (p->state == P_HTTP || p->fd < 0)
            continue;
        if (p->deadline_us < until)
            until = p->deadline_us;
        wfd[nw].fd = p->fd;
        wfd[nw].events = CURL_WAIT_POLLIN;
        wfd[nw].revents = 0;
        wk[nw] = k;
        nw++;
    }
    int wait_ms = 0;
    if (until > now)
        wait_ms = (int)((until - now + 999) / 1000);
    if (curl_multi_poll(e->multi, wfd, nw, wait_ms, NULL) != CURLM_OK)
        return -IS_ERR_IO;
    /* DNS answers: walk backwards so finished probes (swapped with the
     * last) do not hide others */
    for (unsigned i = nw; i-- > 0;) {
        if (!(wfd[i].revents & (CURL_WAIT_POLLIN | CURL_WAIT_POLLPRI)))
            continue;
        size_t k = wk[i];
        if (k < e->n_fl && e->fl[k]->fd == wfd[i].fd &&
            e->fl[k]->state != P_HTTP)
            dns_readable(e, k);
    }
    int running;
    if (curl_multi_perform(e->multi, &running) != CURLM_OK)
        return -IS_ERR_IO;
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(e->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct probe *p = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&p);
        CURLcode rc = msg->data.result;
        for (size_t k = 0; k < e->n_fl; k++)
            if (e->fl[k] == p) {
                http_done(e, k, rc);
                break;
            }
    }
    return all_done(e) ? 0 : 1;
}

int probe_engine_run(struct probe_engine *e, volatile sig_atomic_t *stop)
{
    while (!stop || !*stop) {
        int rc = probe_engine_step(e, 1000);
        if (rc < 0)
            return -rc;
        if (rc == 0)
            return IS_OK;
    }
    return IS_OK;
}

void probe_engine_stats(const struct probe_engine *e, struct probe_stats *s)
{
    memset(s, 0, sizeof *s);
    s->started = e->started;
    s->finished = e->finished;
    s->in_flight = (int)e->n_fl;
    uint64_t total = 0;
    for (size_t i = 0; i < LAG_BINS; i++)
        total += e->lag_hist[i];
    if (total == 0)
        return;
    uint64_t p50 = (total + 1) / 2, p99 = (total * 99 + 99) / 100, acc = 0;
    bool got50 = false;
    for (size_t i = 0; i < LAG_BINS; i++) {
        acc += e->lag_hist[i];
        if (!got50 && acc >= p50) {
            s->lag_p50_ms = (double)i + 1;
            got50 = true;
        }
        if (acc >= p99) {
            s->lag_p99_ms = (double)i + 1;
            break;
        }
    }
    s->lag_max_ms = e->lag_max_ms;
}

void probe_engine_wakeup(struct probe_engine *e)
{
    if (e)
        curl_multi_wakeup(e->multi);
}

void probe_engine_destroy(struct probe_engine *e)
{
    if (!e)
        return;
    for (size_t k = 0; k < e->n_fl; k++) {
        if (e->fl[k]->easy)
            curl_multi_remove_handle(e->multi, e->fl[k]->easy);
        probe_free(e->fl[k]);
    }
    free(e->fl);
    for (size_t i = 0; i < e->n_pool; i++)
        curl_easy_cleanup(e->pool[i]);
    free(e->pool);
    if (e->multi)
        curl_multi_cleanup(e->multi);
    free_sites(e->sites, e->n_sites);
    free_hosts(e->hosts, e->n_hosts);
    free(e->heap);
    free(e->ready);
    free(e->by_id);
    free(e->host_index);
    free(e->cacert);
    free(e->win);
    free(e);
}
