#include "core/route.h"

bool route_via_ceptoar(enum report_route route)
{
    return route == ROUTE_VIA_CEPTOAR || route == ROUTE_ANONYMOUS;
}

static int add(struct ids *chain, const char *id)
{
    return id ? ids_add(chain, id) : IS_OK;
}

int route_chain(enum report_route route, const struct route_hops *hops,
                struct ids *chain)
{
    memset(chain, 0, sizeof(*chain));
    int rc;
    switch (route) {
    case ROUTE_VIA_CEPTOAR:
    case ROUTE_ANONYMOUS:
        rc = add(chain, hops->ceptoar);
        if (!rc)
            rc = add(chain, hops->ministry);
        break;
    case ROUTE_VIA_AGENCY: rc = add(chain, hops->agency); break;
    case ROUTE_DIRECT: rc = add(chain, hops->ministry); break;
    default: return IS_ERR_INVALID;
    }
    if (!rc)
        rc = add(chain, hops->nisc);
    return rc;
}

const char *route_first_hop(const struct ids *chain)
{
    return chain->n > 0 ? chain->id[0] : NULL;
}

const char *route_next_hop(const struct ids *chain, const char *hop)
{
    for (int i = 0; i + 1 < chain->n; i++)
        if (strcmp(chain->id[i], hop) == 0)
            return chain->id[i + 1];
    return NULL;
}

const char *route_choose_ceptoar(const struct access_org *org, const char *want)
{
    for (int i = 0; i < org->nceptoars; i++)
        if (!want || strcmp(want, org->ceptoars[i]) == 0)
            return org->ceptoars[i];
    return NULL;
}

int route_walk(const struct ids *chain, const char *first, const bool *review,
               struct route_walk *w)
{
    memset(w, 0, sizeof(*w));
    int i = 0;
    while (i < chain->n && strcmp(chain->id[i], first) != 0)
        i++;
    if (i == chain->n)
        return IS_ERR_INVALID;
    for (; i < chain->n; i++) {
        int k = w->n++;
        w->arrived[k] = chain->id[i];
        if (i + 1 == chain->n)
            return IS_OK; /* reached NISC: the end of the chain */
        if (review[i]) {
            w->current = chain->id[i];
            return IS_OK;
        }
        w->relayed[k] = true;
    }
    return IS_OK;
}

bool route_hop_due(bool review, int severity, int64_t waited_s, int limit_min)
{
    return !review || (severity >= ROUTE_AUTO_FORWARD_SEVERITY &&
                       waited_s >= (int64_t)limit_min * 60);
}
