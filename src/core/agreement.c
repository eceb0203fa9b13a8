#include "core/agreement.h"

#include "core/roles.h"

const char *agreement_state_name(enum agreement_state s)
{
    switch (s) {
    case AGREEMENT_ACTIVE: return "active";
    case AGREEMENT_WITHDRAWN: return "withdrawn";
    case AGREEMENT_NONE: break;
    }
    return "none";
}

bool agreement_gives_yellow(enum agreement_state s)
{
    return s == AGREEMENT_ACTIVE;
}

bool agreement_may_manage(const char *viewer_org, unsigned roles,
                          const char *target)
{
    if (roles & ROLE_ADMIN)
        return true;
    return (roles & ROLE_ORG_ADMIN) && viewer_org && target &&
           strcmp(viewer_org, target) == 0;
}

bool agreement_may_read(const char *viewer_org, const char *viewer_kind,
                        unsigned roles, const char *target)
{
    /* an auditor reads what its audit scope covers: NISC's (below) every
     * organisation's, any other its own organisation's only */
    if (roles & ROLE_ADMIN)
        return true;
    if (viewer_kind && strcmp(viewer_kind, "nisc") == 0)
        return true;
    return viewer_org && target && strcmp(viewer_org, target) == 0;
}
