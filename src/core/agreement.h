/*
 * agreement.h - handling-rule agreements (取扱いルールへの同意, DOMAIN.md
 * §6a "Handling rules"; docs/rules.md "Handling-rule agreements"). Pure:
 * no I/O, no clock.
 *
 * Yellow access (core/range.h) is the standing of an organisation that has
 * a recorded, active agreement to the current handling rules; the
 * registry's observer flag alone gives nothing. An agreement is active from
 * its signing until it is withdrawn; a withdrawn agreement gives nothing.
 * An organisation has at most one active agreement.
 */
#ifndef INFRASHARE_AGREEMENT_H
#define INFRASHARE_AGREEMENT_H

#include "common/common.h"

/* An organisation's agreement state: the latest agreement decides. */
enum agreement_state {
    AGREEMENT_NONE = 0, /* never signed */
    AGREEMENT_ACTIVE,   /* signed, not withdrawn */
    AGREEMENT_WITHDRAWN /* signed once, every agreement withdrawn */
};
#define AGREEMENT_STATE_COUNT 3

/* "none", "active", "withdrawn" (static strings); "none" when unknown. */
const char *agreement_state_name(enum agreement_state s);
/* Does the state give Yellow standing (range_relation.observer)? Only an
 * active agreement does. O(1). */
bool agreement_gives_yellow(enum agreement_state s);
/* May a user with roles of organisation viewer_org sign or withdraw the
 * agreement of organisation target? Its own org_admin, or a hub admin.
 * O(1). */
bool agreement_may_manage(const char *viewer_org, unsigned roles,
                          const char *target);
/* May a user with roles of organisation viewer_org (of kind viewer_kind)
 * read target's agreement history? The organisation itself, NISC (its
 * auditors too) and hub admins; another organisation's auditor only its
 * own, as its audit scope. O(1). */
bool agreement_may_read(const char *viewer_org, const char *viewer_kind,
                        unsigned roles, const char *target);

#endif
