#include "service/worker.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>

#include "common/log.h"
#include "common/util.h"
#include "service/exercise_run.h"
#include "service/lead.h"
#include "service/provision.h"
#include "service/reporting.h"
#include "service/risks.h"
#include "service/taxii.h"

static atomic_uint_fast64_t ticks;

struct worker {
    struct app *app;
    int tick_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    double node_checked; /* util_mono() of the last store_node_check */
};

/* How often the worker checks this node's hold of its id (seconds). */
#define NODE_CHECK_S 5

uint64_t worker_ticks(void)
{
    return atomic_load(&ticks);
}

static void *run(void *arg)
{
    struct worker *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        pthread_mutex_unlock(&w->lock);
        struct store_conn *c = store_acquire(w->app->store);
        /* the read-audit journal's entries into the chain (store.h) */
        if (store_audit_settle(c, NULL))
            log_event(LOG_ERROR, "audit journal entries not moved", NULL);
        int n = reporting_tick(w->app, c, app_now(w->app));
        n += provision_tick(w->app, c, app_now(w->app));
        n += risks_tick(w->app, c, app_now(w->app));
        /* issue 16: new advisories into the TAXII collection (issue 17:
         * by one node, service/lead.h) */
        int t = lead_holds("taxii", w->app->store, app_now(w->app))
                    ? taxii_tick(w->app, c, app_now(w->app))
                    : 0;
        n += t > 0 ? t : 0;
        store_put(w->app->store, c);
        /* issue 17: this node's id still held (after a failover, taken
         * again on the new primary) */
        if (util_mono() - w->node_checked >= NODE_CHECK_S) {
            w->node_checked = util_mono();
            store_node_check(w->app->store);
        }
        /* issue 14: running exercises, each on its own clock */
        n += ex_runs_tick(w->app);
        if (n)
            log_event(LOG_DEBUG, "worker pass", "changes", json_integer(n),
                      NULL);
        /* hand memory freed by big answers back to the system (glibc
         * keeps it per thread otherwise) */
        malloc_trim(0);
        atomic_fetch_add(&ticks, 1);
        pthread_mutex_lock(&w->lock);
        if (w->stop)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += w->tick_ms / 1000;
        ts.tv_nsec += (long)(w->tick_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->cond, &w->lock, &ts);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int worker_start(struct app *a, int tick_ms, struct worker **out)
{
    struct worker *w = calloc(1, sizeof(*w));
    if (!w)
        return IS_ERR_NOMEM;
    w->app = a;
    w->tick_ms = tick_ms;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        free(w);
        return IS_ERR_INTERNAL;
    }
    *out = w;
    return IS_OK;
}

void worker_stop(struct worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w);
}
