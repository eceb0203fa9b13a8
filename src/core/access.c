#include "core/access.h"

#include "core/roles.h"

enum access_view access_org_view(const struct access_org *viewer,
                                 unsigned roles)
{
    if ((roles & ROLE_ADMIN) || strcmp(viewer->kind, "nisc") == 0)
        return ACCESS_VIEW_ALL;
    if (strcmp(viewer->kind, "ministry") == 0)
        return ACCESS_VIEW_MINISTRY;
    if (strcmp(viewer->kind, "ceptoar") == 0)
        return ACCESS_VIEW_CEPTOAR;
    return ACCESS_VIEW_SELF;
}

bool access_may_see_org(const struct access_org *viewer, unsigned roles,
                        const struct access_org *target)
{
    bool external = strcmp(target->kind, "external") == 0;
    if (strcmp(target->kind, "operator") != 0 && !external)
        return true;
    if (strcmp(viewer->id, target->id) == 0)
        return true;
    if (external)
        return access_may_see_external(viewer, roles, target);
    switch (access_org_view(viewer, roles)) {
    case ACCESS_VIEW_ALL: return true;
    case ACCESS_VIEW_MINISTRY:
        return target->ministry_id[0] &&
               strcmp(target->ministry_id, viewer->id) == 0;
    case ACCESS_VIEW_CEPTOAR:
        for (int i = 0; i < target->nceptoars; i++)
            if (strcmp(target->ceptoars[i], viewer->id) == 0)
                return true;
        return false;
    case ACCESS_VIEW_SELF: return false;
    }
    return false;
}

bool access_may_see_external(const struct access_org *viewer, unsigned roles,
                             const struct access_org *target)
{
    if (strcmp(viewer->id, target->id) == 0)
        return true;
    switch (access_org_view(viewer, roles)) {
    case ACCESS_VIEW_ALL: return true;
    case ACCESS_VIEW_MINISTRY:
        if (target->ministry_id[0] &&
            strcmp(target->ministry_id, viewer->id) == 0)
            return true;
        break;
    default: break;
    }
    /* for an external organisation ceptoars[] holds its list owners */
    for (int i = 0; i < target->nceptoars; i++)
        if (strcmp(target->ceptoars[i], viewer->id) == 0)
            return true;
    return false;
}

bool access_may_view_lists(const struct access_org *viewer, unsigned roles,
                           const struct access_org *owner)
{
    if (strcmp(viewer->id, owner->id) == 0 ||
        access_org_view(viewer, roles) == ACCESS_VIEW_ALL)
        return true;
    /* an operator's lists: also its secretariats and its ministry */
    if (strcmp(owner->kind, "operator") == 0 &&
        (strcmp(viewer->kind, "ministry") == 0 ||
         strcmp(viewer->kind, "ceptoar") == 0))
        return access_may_see_org(viewer, roles, owner);
    return false;
}

bool access_may_manage_lists(const struct access_org *viewer, unsigned roles,
                             const char *owner_id)
{
    if (roles & ROLE_ADMIN)
        return true;
    return (roles & ROLE_ORG_ADMIN) && strcmp(viewer->id, owner_id) == 0;
}

bool access_may_own_lists(const char *kind)
{
    return kind[0] && strcmp(kind, "external") != 0;
}

bool access_may_file_report(const char *kind)
{
    return strcmp(kind, "operator") == 0;
}

bool access_may_author_advisory(const char *kind)
{
    static const char *const authors[] = {"nisc", "ministry", "ceptoar",
                                          "council", "agency"};
    for (size_t i = 0; i < IS_ARRAY_LEN(authors); i++)
        if (strcmp(kind, authors[i]) == 0)
            return true;
    return false;
}

bool access_may_view_overdue(const char *kind)
{
    return strcmp(kind, "ministry") == 0 || strcmp(kind, "nisc") == 0;
}

enum access_site_scope access_site_scope(const struct access_org *viewer,
                                         unsigned roles)
{
    if ((roles & ROLE_ADMIN) || strcmp(viewer->kind, "nisc") == 0)
        return ACCESS_SITES_ALL;
    if (strcmp(viewer->kind, "ceptoar") == 0)
        return ACCESS_SITES_MEMBERS;
    return ACCESS_SITES_OWN;
}

bool access_may_see_site(const struct access_org *viewer, unsigned roles,
                         const struct access_org *site_org)
{
    if (strcmp(viewer->id, site_org->id) == 0)
        return true;
    switch (access_site_scope(viewer, roles)) {
    case ACCESS_SITES_ALL: return true;
    case ACCESS_SITES_MEMBERS:
        for (int i = 0; i < site_org->nceptoars; i++)
            if (strcmp(site_org->ceptoars[i], viewer->id) == 0)
                return true;
        return false;
    case ACCESS_SITES_OWN: return false;
    }
    return false;
}
