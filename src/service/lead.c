/*
 * lead.c - duties one node performs for all (service/lead.h).
 */
#include "service/lead.h"

#include <stdatomic.h>

#include "common/log.h"
#include "store/store.h"

static atomic_bool held_prober, held_taxii;

static atomic_bool *flag_of(const char *duty)
{
    return strcmp(duty, "prober") == 0  ? &held_prober
           : strcmp(duty, "taxii") == 0 ? &held_taxii
                                        : NULL;
}

bool lead_duty_held(const char *duty)
{
    atomic_bool *f = flag_of(duty);
    return f && atomic_load(f);
}

bool lead_holds(struct lead *l, struct store *s, int64_t now)
{
    if (l->tried && now >= l->tried && now < l->tried + LEAD_RENEW_S)
        return now < l->until;
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
    /* the change is logged once per node: two threads may hold a struct
     * lead each for one duty (the worker and the TAXII syncer both do
     * "taxii"), and the node's flag is what changed */
    atomic_bool *f = flag_of(l->duty);
    bool changed = f ? atomic_exchange(f, holds) != holds : holds != l->holding;
    if (changed)
        log_event(LOG_INFO,
                  holds ? "this node performs a duty"
                        : "another node performs a duty",
                  "duty", json_string(l->duty), NULL);
    l->holding = holds;
    return holds;
}
