/*
 * access.h - who may see which organisation of the registry (pure rules).
 *
 * The rule (docs/rules.md, "Registry visibility"):
 *  - national bodies (nisc, ministry, ceptoar, council, agency) are visible
 *    to every signed-in user;
 *  - an operator is visible to itself, to the secretariats of the CEPTOARs it
 *    belongs to, to the ministry owning its sector, to NISC, and to hub
 *    admins; to anyone else it does not exist (404).
 * Sharing-range decisions for reports and advisories come in later modules
 * and use the same struct access_org.
 */
#ifndef INFRASHARE_ACCESS_H
#define INFRASHARE_ACCESS_H

#include "common/common.h"
#include "core/agreement.h"

#define ACCESS_MAX_GROUPS 8

struct access_org {
    char id[64];
    char kind[16];
    char scope_id[64];    /* "" when none */
    char sector_id[64];   /* sector of scope_id */
    char ministry_id[64]; /* ministry owning sector_id */
    /* its handling-rule agreement (core/agreement.h): only an active one
     * gives Yellow standing; the registry observer flag gives nothing */
    enum agreement_state agreement;
    int nceptoars;
    char ceptoars[ACCESS_MAX_GROUPS][64]; /* CEPTOARs of an operator */
};

enum access_view {
    ACCESS_VIEW_ALL,      /* every operator */
    ACCESS_VIEW_MINISTRY, /* operators of the sectors the viewer owns */
    ACCESS_VIEW_CEPTOAR,  /* members of the viewer's CEPTOAR */
    ACCESS_VIEW_SELF      /* only itself */
};

/* Which operators a viewer may list. O(1). */
enum access_view access_org_view(const struct access_org *viewer,
                                 unsigned roles);
/* May the viewer see this organisation? O(groups). */
bool access_may_see_org(const struct access_org *viewer, unsigned roles,
                        const struct access_org *target);

/* An external organisation (kind "external", reached only through
 * distribution lists; docs/rules.md "Distribution lists") is visible to
 * itself, NISC and hub admins, the ministry owning its sector, and the
 * owners of the lists it is on: for such a target, ceptoars[] holds those
 * owners (store_org_rel fills it), never CEPTOAR memberships. O(groups).
 * access_may_see_org calls it for kind "external". */
bool access_may_see_external(const struct access_org *viewer, unsigned roles,
                             const struct access_org *target);

/* Distribution lists (docs/rules.md "Distribution lists"). Who may see
 * an owner's lists: the owner, NISC and hub admins, and for an operator's
 * lists its secretariats and its ministry. O(groups). */
bool access_may_view_lists(const struct access_org *viewer, unsigned roles,
                           const struct access_org *owner);
/* Who may create, change and delete them: the owner's org_admin users
 * and hub admins. O(1). */
bool access_may_manage_lists(const struct access_org *viewer, unsigned roles,
                             const char *owner_id);
/* Which kinds of organisation keep lists: every kind but external. */
bool access_may_own_lists(const char *kind);

/* What an organisation's kind (access_org.kind) lets it do, whatever the
 * roles of its users (DOMAIN.md §4, §5; docs/rules.md). O(1).
 * Reports (情報連絡) are filed by operators only. */
bool access_may_file_report(const char *kind);
/* Advisories (情報提供) come from NISC, ministries, CEPTOAR secretariats,
 * the CEPTOAR Council and agencies. */
bool access_may_author_advisory(const char *kind);
/* The overdue view of reports is for ministries and NISC. */
bool access_may_view_overdue(const char *kind);

/* Website response observation (issue 12; docs/rules.md "Registration
 * and visibility"). A registered site and everything observed of it is
 * visible to its organisation, the secretariats of that organisation's
 * CEPTOARs (site_org->ceptoars: its memberships, as store_org_rel fills
 * them), NISC and hub admins; never to other operators, other CEPTOARs'
 * secretariats or ministries (ministries get sector aggregates only).
 * O(groups). */
bool access_may_see_site(const struct access_org *viewer, unsigned roles,
                         const struct access_org *site_org);
/* The same rule as the parameters of a SQL filter (OBS_SITE_VISIBLE_SQL in
 * store/store_sql.h): every site, the sites of the viewer's members and
 * its own (a CEPTOAR secretariat), or its own only. O(1). */
enum access_site_scope {
    ACCESS_SITES_ALL,
    ACCESS_SITES_MEMBERS, /* own + organisations that are members of it */
    ACCESS_SITES_OWN
};
enum access_site_scope access_site_scope(const struct access_org *viewer,
                                         unsigned roles);

#endif
