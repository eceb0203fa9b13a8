/*
 * obs_prober.c - the hub's own prober thread (service/obs_prober.h).
 */
#include "service/obs_prober.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "common/log.h"
#include "common/util.h"
#include "probe/engine.h"
#include "service/lead.h"
#include "service/observation.h"

#define REFRESH_S 30  /* the assigned sites are read again this often */
#define FLUSH_MS 1000 /* results are ingested at least this often ... */
#define FLUSH_MAX 500 /* ... or when this many wait */

struct site_copy {
    int64_t id;
    char *url, *content_match;
    int expected_status, interval_s;
};

struct obs_prober {
    struct app *app;
    pthread_t th;
    atomic_bool stop;
    struct probe_engine *eng;
    struct site_copy *sites;
    size_t nsites, cap;
    struct obs_result_in *buf;
    size_t nbuf;
};

static void sites_free(struct site_copy *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].url);
        free(s[i].content_match);
    }
    free(s);
}

struct collect {
    struct site_copy *items;
    size_t n, cap;
};

static int collect_one(const struct store_obs_assignment *a, void *ctx)
{
    struct collect *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct site_copy *x = realloc(c->items, cap * sizeof(*x));
        if (!x)
            return IS_ERR_NOMEM;
        c->items = x;
        c->cap = cap;
    }
    struct site_copy *s = &c->items[c->n];
    s->id = a->id;
    s->url = strdup(a->url ? a->url : "");
    s->content_match = strdup(a->content_match ? a->content_match : "");
    s->expected_status = a->expected_status;
    s->interval_s = a->interval_s;
    if (!s->url || !s->content_match) {
        free(s->url);
        free(s->content_match);
        return IS_ERR_NOMEM;
    }
    c->n++;
    return IS_OK;
}

/* Reads the assigned sites and gives them to the engine. */
static int refresh(struct obs_prober *p)
{
    struct collect c = {0};
    struct store_conn *sc = store_acquire(p->app->store);
    int rc = sc ? store_obs_assignments(sc, false, 0, collect_one, &c)
                : IS_ERR_STORE;
    if (sc)
        store_put(p->app->store, sc);
    if (rc) {
        sites_free(c.items, c.n);
        return rc;
    }
    struct probe_site *ps = calloc(c.n ? c.n : 1, sizeof(*ps));
    if (!ps) {
        sites_free(c.items, c.n);
        return IS_ERR_NOMEM;
    }
    for (size_t i = 0; i < c.n; i++) {
        ps[i].id = c.items[i].id;
        ps[i].url = c.items[i].url;
        ps[i].expected_status = c.items[i].expected_status;
        ps[i].content_match = c.items[i].content_match;
        ps[i].interval_s = c.items[i].interval_s;
    }
    size_t bad = 0;
    rc = probe_engine_set_sites(p->eng, ps, c.n, &bad);
    free(ps);
    if (rc) {
        log_event(LOG_WARN, "hub prober: site list refused", "site",
                  json_integer(bad < c.n ? c.items[bad].id : 0), NULL);
        sites_free(c.items, c.n);
        return rc;
    }
    /* the engine copied the list: the old copies can go */
    sites_free(p->sites, p->nsites);
    p->sites = c.items;
    p->nsites = c.n;
    return IS_OK;
}

static void on_result(const struct probe_result *r, void *arg)
{
    struct obs_prober *p = arg;
    if (p->nbuf == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        struct obs_result_in *x = realloc(p->buf, cap * sizeof(*x));
        if (!x)
            return; /* dropped: out of memory */
        p->buf = x;
        p->cap = cap;
    }
    struct obs_result_in *o = &p->buf[p->nbuf++];
    memset(o, 0, sizeof(*o));
    o->site = r->site;
    o->at = r->at_ms / 1000;
    o->at_ms = (int)(r->at_ms % 1000);
    util_xcopy(o->outcome, sizeof(o->outcome),
               r->outcome ? r->outcome : "error");
    o->status = r->status;
    o->dns_ms = r->dns_ms;
    o->connect_ms = r->connect_ms;
    o->tls_ms = r->tls_ms;
    o->ttfb_ms = r->ttfb_ms;
    o->total_ms = r->total_ms;
    util_xcopy(o->addr, sizeof(o->addr), r->addr);
    util_xcopy(o->ns, sizeof(o->ns), r->ns);
}

/* Ingests the waiting results (a site deleted or paused meanwhile is
 * dropped by obs_ingest's own checks). */
static void flush(struct obs_prober *p)
{
    if (!p->nbuf)
        return;
    struct store_conn *sc = store_acquire(p->app->store);
    if (!sc)
        return;
    int rc = obs_ingest(p->app, sc, "hub", p->buf, p->nbuf, util_now());
    store_put(p->app->store, sc);
    if (rc)
        log_event(LOG_WARN, "hub prober: results not stored", "results",
                  json_integer((json_int_t)p->nbuf), NULL);
    p->nbuf = 0;
}

/* Probes nothing more (another node performs the duty): the engine's
 * list emptied, probes in flight finish and are reported. */
static void idle(struct obs_prober *p)
{
    size_t bad = 0;
    struct probe_site none = {0};
    if (probe_engine_set_sites(p->eng, &none, 0, &bad) == IS_OK) {
        sites_free(p->sites, p->nsites);
        p->sites = NULL;
        p->nsites = 0;
    }
}

static void *run(void *arg)
{
    struct obs_prober *p = arg;
    double last_refresh = 0, last_flush = util_mono();
    /* issue 17: of a hub's nodes, one probes (service/lead.h) */
    while (!atomic_load(&p->stop)) {
        double now = util_mono();
        if (!lead_holds("prober", p->app->store, util_now())) {
            if (last_refresh)
                idle(p);
            last_refresh = 0;
        } else if (!last_refresh || now - last_refresh >= REFRESH_S) {
            if (refresh(p))
                log_event(LOG_WARN, "hub prober: sites not read", NULL);
            last_refresh = now;
        }
        int rc = probe_engine_step(p->eng, 200);
        if (rc < 0) {
            log_event(LOG_ERROR, "hub prober: engine failed", "error",
                      json_integer(-rc), NULL);
            break;
        }
        now = util_mono();
        if (p->nbuf >= FLUSH_MAX || (now - last_flush) * 1000 >= FLUSH_MS) {
            flush(p);
            last_flush = now;
        }
    }
    flush(p);
    return NULL;
}

int obs_prober_start(struct app *a, const char *resolver,
                     struct obs_prober **out)
{
    struct obs_prober *p = calloc(1, sizeof(*p));
    if (!p)
        return IS_ERR_NOMEM;
    p->app = a;
    struct store_conn *sc = store_acquire(a->store);
    int rc = sc ? store_obs_vantage_ensure_hub(sc, util_now()) : IS_ERR_STORE;
    if (sc)
        store_put(a->store, sc);
    const char *why = NULL;
    struct probe_settings s = {
        .resolver = resolver, .cb = on_result, .cb_arg = p};
    if (!rc) {
        p->eng = probe_engine_create(&s, &why);
        if (!p->eng)
            rc = IS_ERR_INVALID;
    }
    if (!rc && pthread_create(&p->th, NULL, run, p))
        rc = IS_ERR_INTERNAL;
    if (rc) {
        log_event(LOG_ERROR, "hub prober not started", "why",
                  json_string(why ? why : "the hub failed"), NULL);
        if (p->eng)
            probe_engine_destroy(p->eng);
        free(p);
        return rc;
    }
    log_event(LOG_INFO, "hub prober started", NULL);
    *out = p;
    return IS_OK;
}

void obs_prober_stop(struct obs_prober *p)
{
    if (!p)
        return;
    atomic_store(&p->stop, true);
    probe_engine_wakeup(p->eng); /* not after its wait of up to 200 ms */
    pthread_join(p->th, NULL);
    probe_engine_destroy(p->eng);
    sites_free(p->sites, p->nsites);
    free(p->buf);
    free(p);
}
