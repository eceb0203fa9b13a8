/*
 * engine.h - the probe engine: measures websites on a schedule with one
 * libcurl multi handle and the prober's own DNS stub resolver.
 *
 * One thread owns an engine (the infrashare-probe program's main, or a
 * thread of the hub); nothing here is shared between engines, and nothing
 * blocks except the wait inside probe_engine_step (bounded by its timeout).
 * The process calls curl_global_init once before creating an engine.
 * At most 512 probes are in flight at once (each holds one descriptor);
 * more due sites wait, which shows as schedule lag.
 *
 * Schedule: a site's phase within its interval is hash(site id) mod
 * interval (stable across restarts and vantages), each round's start is
 * moved by a random jitter of at most min(5 % of the interval, 2 s), so
 * starts spread over the interval (no thundering herd). Before a probe
 * starts it needs a token of the global rate limit (rate_per_s; a token
 * bucket 50 ms deep, and never more than rate_per_s starts in any one
 * second) and a free slot of its host (at most per_host probes of one
 * host name at once); a due site waiting for either starts late, and the
 * lateness (actual start − planned start) is the schedule lag
 * (probe_engine_stats).
 *
 * A probe: its own DNS query (A, following CNAMEs; AAAA when the name has
 * no A record; timed: dns_ms), then an HTTP GET on a fresh connection to
 * that address (CURLOPT_CONNECT_TO keeps
 * the Host header and TLS SNI), no redirects followed, the first 64 KB of
 * the body kept for the content check. Phase durations in ms (-1: not
 * reached): dns, connect (TCP), tls (handshake; -1 for http), ttfb (request
 * sent → first byte), total (dns + the whole transfer).
 * Outcome: ok, dns, refused, timeout, tls, http5xx, status (unexpected,
 * not 5xx), content (content_match not in the first 64 KB), error.
 * The DNS provider of a site (ns) is the lowest-sorting NS name of the
 * nearest enclosing zone (NS queried walking up the labels), learned once
 * per host and kept for a day.
 */
#ifndef INFRASHARE_PROBE_ENGINE_H
#define INFRASHARE_PROBE_ENGINE_H
#include <signal.h>

#include "common/common.h"

#define PROBE_ADDR_LEN 48
#define PROBE_NS_LEN 256
#define PROBE_BODY_MAX 65536

/* A site to probe. The engine copies what it needs. */
struct probe_site {
    int64_t id;
    const char *url;           /* http:// or https:// */
    int expected_status;       /* 100..599; 0 means 200 */
    const char *content_match; /* NULL or "": no content check */
    int interval_s;            /* ≥ 1 */
};

struct probe_result {
    int64_t site;
    int64_t at_ms;       /* wall clock of the start, ms since the epoch */
    const char *outcome; /* static string, see above */
    int status;          /* HTTP status, 0 when none */
    double dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;
    char addr[PROBE_ADDR_LEN]; /* the address probed, "" when none */
    char ns[PROBE_NS_LEN];     /* DNS provider (NS name), "" unknown */
    double lag_ms;             /* actual start − planned start */
    int round;                 /* 1 for the site's first probe */
    char detail[160];          /* a short English reason for failures */
};

typedef void (*probe_result_cb)(const struct probe_result *r, void *arg);

struct probe_settings {
    const char *resolver; /* "ADDR:PORT"; NULL: resolv.conf's first */
    int per_host;         /* concurrent probes per host name; 0 → 2 */
    double rate_per_s;    /* probe starts per second; 0 → 200 */
    int timeout_ms;       /* HTTP transfer; 0 → 10000 */
    int dns_timeout_ms;   /* per query, two tries; 0 → 2000 */
    int max_rounds;       /* stop after each site was probed this often;
                             0: never stop */
    const char *cacert;   /* CA file for https; NULL: the system's */
    const char *source;   /* source IP address of every probe (DNS too);
                             NULL: the system's choice */
    uint64_t seed;        /* jitter; 0: from the clock */
    probe_result_cb cb;   /* called for every finished probe */
    void *cb_arg;
};

struct probe_stats {
    uint64_t started, finished;
    int in_flight;
    double lag_p50_ms, lag_p99_ms, lag_max_ms;
};

struct probe_engine;

/* NULL on a bad setting (resolver unparsable) or out of memory; *why (if
 * not NULL) gets a static sentence. */
struct probe_engine *probe_engine_create(const struct probe_settings *s,
                                         const char **why);
/* Replaces the site list (copies it). A site kept (same id) keeps its
 * schedule; new sites get their phase; removed sites are not probed again
 * (a probe in flight finishes and is reported). O(n log n). IS_OK,
 * IS_ERR_INVALID (a URL without an http(s) scheme or host, interval
 * outside 1..86400, status out of range, an id twice; *bad gets the
 * index), IS_ERR_NOMEM. On an error the old list stays in force. */
int probe_engine_set_sites(struct probe_engine *e,
                           const struct probe_site *sites, size_t n,
                           size_t *bad);
/* Starts due probes, waits at most timeout_ms for network activity, and
 * finishes (reports) completed probes. Returns 1 while there is work
 * (always, unless max_rounds is set and all rounds are done), 0 when done,
 * or -1 (IS_ERR_*, negated) on a failure of libcurl or of polling. */
int probe_engine_step(struct probe_engine *e, int timeout_ms);
/* probe_engine_step until done or *stop becomes non-zero. IS_OK or the
 * error of a failed step. */
int probe_engine_run(struct probe_engine *e, volatile sig_atomic_t *stop);
void probe_engine_stats(const struct probe_engine *e, struct probe_stats *s);
/* Ends the wait of a probe_engine_step now (any thread may call it: the
 * owner's thread returns at once, e.g. to see that it must stop). */
void probe_engine_wakeup(struct probe_engine *e);
void probe_engine_destroy(struct probe_engine *e);

#endif
