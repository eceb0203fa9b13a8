/*
 * lead.c - duties one node performs for all (service/lead.h).
 */
#include "service/lead.h"

#include <pthread.h>
#include <stdatomic.h>

#include "common/log.h"
#include "store/store.h"

/* This node's lease of one duty. One per duty and process (a process is
 * a node), so that the threads asking for the same duty share it: one
 * renewal per LEAD_RENEW_S, one log line per change. */
struct lead {
    const char *duty;
    pthread_mutex_t lock; /* held over the try, so a second asker waits
                             for its answer instead of trying again */
    struct store *store;  /* the store the lease was taken in */
    int64_t until;        /* the end of this node's lease; 0: not held */
    int64_t tried;        /* when the lease was last taken or renewed */
    atomic_bool holding;  /* the last answer (log, metric) */
};

static struct lead leads[] = {
    {.duty = "prober", .lock = PTHREAD_MUTEX_INITIALIZER},
    {.duty = "taxii", .lock = PTHREAD_MUTEX_INITIALIZER},
};

static struct lead *lead_of(const char *duty)
{
    for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++)
        if (strcmp(leads[i].duty, duty) == 0)
            return &leads[i];
    return NULL;
}

bool lead_duty_held(const char *duty)
{
    struct lead *l = lead_of(duty);
    return l && atomic_load(&l->holding);
}

bool lead_holds(const char *duty, struct store *s, int64_t now)
{
    struct lead *l = lead_of(duty);
    if (!l)
        return false; /* not a duty of node_duties: nobody's */
    pthread_mutex_lock(&l->lock);
    if (l->store != s) { /* a lease taken in another store is not one here */
        l->store = s;
        l->tried = l->until = 0;
    }
    if (l->tried && now >= l->tried && now < l->tried + LEAD_RENEW_S) {
        bool holds = now < l->until;
        pthread_mutex_unlock(&l->lock);
        return holds;
    }
    l->tried = now;
    bool held = false;
    int64_t until = 0;
    struct store_conn *c = store_acquire(s);
    int rc = store_begin(c);
    if (!rc)
        rc = store_duty_hold(c, l->duty, now, LEAD_LEASE_S, &held, &until);
    if (!rc)
        rc = store_commit(c);
    else if (store_in_tx(c))
        store_rollback(c);
    store_put(s, c);
    if (!rc)
        l->until = held ? until : 0;
    bool holds = now < l->until;
    if (atomic_exchange(&l->holding, holds) != holds)
        log_event(LOG_INFO,
                  holds ? "this node performs a duty"
                        : "another node performs a duty",
                  "duty", json_string(l->duty), NULL);
    pthread_mutex_unlock(&l->lock);
    return holds;
}
