/*
 * route.h - the handling chain of a report (DOMAIN.md §2, "Routes"): which
 * organisations it passes, in order, and the hop after each. Pure: no I/O.
 *
 *   direct       operator -> ministry -> NISC
 *   via_ceptoar  operator -> secretariat -> ministry -> NISC
 *   anonymous    as via_ceptoar (identity withheld after the secretariat)
 *   via_agency   operator -> agency -> NISC
 *
 * The operator is not a hop. A hop named twice counts once (an id is
 * never repeated in a chain); an empty id is skipped.
 */
#ifndef INFRASHARE_ROUTE_H
#define INFRASHARE_ROUTE_H

#include "core/access.h"
#include "core/ids.h"
#include "core/range.h"

/* The organisations a route may pass (borrowed; NULL or "" = none). */
struct route_hops {
    const char *ceptoar;  /* the routing secretariat (via_ceptoar, anonymous) */
    const char *ministry; /* the ministry owning the operator's sector */
    const char *agency;   /* via_agency */
    const char *nisc;
};

/* The chain of route through hops into *chain (overwritten). IS_OK;
 * IS_ERR_INVALID for an unknown route. O(1). */
int route_chain(enum report_route route, const struct route_hops *hops,
                struct ids *chain);
/* The first hop of chain; NULL when it is empty. */
const char *route_first_hop(const struct ids *chain);
/* The hop after hop in chain (a pointer into chain); NULL when hop is the
 * last one (the report has reached the end: NISC) or not in chain. */
const char *route_next_hop(const struct ids *chain, const char *hop);
/* The CEPTOAR a via_ceptoar/anonymous report of org is routed through: the
 * first of org's CEPTOARs that is want (want NULL: the first of all);
 * NULL when there is none (a pointer into org). */
const char *route_choose_ceptoar(const struct access_org *org,
                                 const char *want);
/* Does the route pass a CEPTOAR secretariat? */
bool route_via_ceptoar(enum report_route route);

/* The walk of a report that arrives at a hop of its chain (DOMAIN.md §2,
 * hop policies): it arrives there; a hop that reviews keeps it (it is the
 * current hop); a hop that relays automatically sends it on at once to the
 * next hop, where it arrives in turn; at the last hop (NISC) it has
 * reached the end and there is no current hop. */
struct route_walk {
    int n;                        /* hops arrived at, in order */
    const char *arrived[IDS_MAX]; /* pointers into the chain */
    bool relayed[IDS_MAX];        /* relayed on at once (auto policy) */
    const char *current;          /* the hop holding it; NULL = the end */
};
/* The walk from first through chain; review[i] says whether chain->id[i]
 * reviews what arrives (false: relays automatically; the last hop's entry
 * is not read). Fills *w (pointers into chain). IS_OK; IS_ERR_INVALID
 * when first is not in chain. O(chain length). */
int route_walk(const struct ids *chain, const char *first, const bool *review,
               struct route_walk *w);

/* Severity from which a report waiting at a reviewing hop moves on by
 * itself once the hop's review limit has passed (docs/rules.md). A plain
 * number: the store's REPORTS_WAITING statement is built from it
 * (RANGE_SQL). */
#define ROUTE_AUTO_FORWARD_SEVERITY 3
/* Is a report of severity that has waited waited_s seconds at a hop due
 * to move on by itself? Always when the hop relays automatically (review
 * false); when it reviews, only at ROUTE_AUTO_FORWARD_SEVERITY or more and
 * once waited_s reaches limit_min minutes. */
bool route_hop_due(bool review, int severity, int64_t waited_s, int limit_min);

#endif
