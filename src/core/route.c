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
    case ROUTE_VIA_AGENCY:
        rc = add(chain, hops->agency);
        break;
    case ROUTE_DIRECT:
        rc = add(chain, hops->ministry);
        break;
    default:
        return IS_ERR_INVALID;
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
