/*
 * range.h - sharing ranges (共有範囲, DOMAIN.md §3): the one decision of who
 * may read an item and whose identity they see. Pure: no I/O, no clock.
 *
 * Every path that shows an item - lists, reads, counts, search, exports, the
 * audit view, message bodies, error messages - asks range_decide (through
 * range_report_relation for reports). SQL may pre-select candidates, but the
 * answer is always this function's.
 *
 * Who may read, by range (each includes the ranges above it):
 *   Red    - the originator; the handling chain of the item, once the item
 *            has reached that hop
 *   Amber  - + the item's community (reports: the members and secretariats
 *            of the originator's CEPTOARs - of an anonymous report only
 *            the CEPTOAR it was routed through, so that reading it never
 *            tells that the reporter is also in another CEPTOAR;
 *            advisories: the audience)
 *   Yellow - + organisations with an active agreement to the handling
 *            rules (core/agreement.h; the registry observer flag alone
 *            gives nothing)
 *   Green  - + every registered organisation
 *   White  - + the public (no sign-in)
 * Identity: for an anonymous report only the originator and the secretariat
 * it was routed through see the reporting organisation; everyone else sees
 * "an operator in <scope> (via <CEPTOAR>)". The public never sees the
 * reporting organisation of any report.
 */
#ifndef INFRASHARE_RANGE_H
#define INFRASHARE_RANGE_H

#include "common/common.h"
#include "core/access.h"

/* The ranges' stored values, as macros so that SQL text can be built from
 * them (RANGE_SQL(RANGE_V_WHITE) is "4"); the enum is the one to use in C. */
#define RANGE_V_RED 0
#define RANGE_V_AMBER 1
#define RANGE_V_YELLOW 2
#define RANGE_V_GREEN 3
#define RANGE_V_WHITE 4
#define RANGE_SQL_(v) #v
#define RANGE_SQL(v) RANGE_SQL_(v)

enum share_range { /* ordered from narrowest to widest */
                   RANGE_RED = RANGE_V_RED,
                   RANGE_AMBER = RANGE_V_AMBER,
                   RANGE_YELLOW = RANGE_V_YELLOW,
                   RANGE_GREEN = RANGE_V_GREEN,
                   RANGE_WHITE = RANGE_V_WHITE
};
#define RANGE_COUNT 5

/* The routes' stored values, likewise (RANGE_SQL(ROUTE_V_ANONYMOUS) is
 * "2"). */
#define ROUTE_V_DIRECT 0
#define ROUTE_V_VIA_CEPTOAR 1
#define ROUTE_V_ANONYMOUS 2
#define ROUTE_V_VIA_AGENCY 3

enum report_route {
    ROUTE_DIRECT = ROUTE_V_DIRECT, /* operator -> ministry -> NISC */
    /* operator -> secretariat -> ministry -> NISC */
    ROUTE_VIA_CEPTOAR = ROUTE_V_VIA_CEPTOAR,
    /* as via_ceptoar, identity withheld after it */
    ROUTE_ANONYMOUS = ROUTE_V_ANONYMOUS,
    ROUTE_VIA_AGENCY = ROUTE_V_VIA_AGENCY /* operator -> agency -> NISC */
};
#define ROUTE_COUNT 4

/* "red" ... "white"; -1 when unknown. The *_name and range_tlp strings
 * are static: never freed. */
int range_parse(const char *s);
const char *range_name(enum share_range r);
/* TLP 2.0 label for exports: RED, AMBER+STRICT, AMBER, GREEN, CLEAR. */
const char *range_tlp(enum share_range r);
int route_parse(const char *s);
const char *route_name(enum report_route r);

/* How the reader stands to the item. */
struct range_relation {
    bool registered; /* a signed-in organisation (false: the public) */
    bool is_originator;
    bool in_chain;               /* a handling-chain hop the item has reached */
    bool is_routing_secretariat; /* the secretariat it was routed through */
    bool in_community;           /* Amber participants */
    bool observer; /* an active handling-rule agreement (Yellow) */
};

struct range_decision {
    bool may_read;
    bool sees_identity; /* the originating organisation's name */
};

/* The decision. O(1). */
struct range_decision range_decide(enum share_range range, bool anonymous,
                                   const struct range_relation *rel);

/* Does the content (title, body, hop notes) travel in a message pushed to
 * a recipient (e-mail, webhook, gateway)? Only for Green and White; for
 * Red, Amber and Yellow the message is a notice with a sign-in link
 * (DOMAIN.md §3). O(1). */
bool range_content_travels(enum share_range r);
/* Is a read of an item of this range recorded in the audit log? Reads of
 * Red and Amber items are (reports, their attachments, advisories, and
 * the items a list shows). O(1). */
bool range_read_is_audited(enum share_range r);
/* May an item bounded by range bound be shared at range r? Only at the
 * same range or a narrower one: a hop or a later update may narrow a range,
 * never widen it, and an advisory is never wider than a report it cites
 * (DOMAIN.md §3). O(1). */
bool range_within(enum share_range r, enum share_range bound);

#define RANGE_MAX_CHAIN 4
/* What range decisions need to know about a report. */
struct range_report {
    enum share_range range;
    enum report_route route;
    const char *originator;      /* org id */
    const char *routing_ceptoar; /* via_ceptoar/anonymous: the secretariat */
    /* the originator's CEPTOARs (the Amber community of a named report;
     * an anonymous report's is routing_ceptoar alone) */
    int ncommunity;
    const char *community[ACCESS_MAX_GROUPS];
    int nreached; /* chain hops the report has reached */
    const char *reached[RANGE_MAX_CHAIN];
};

/* The reader's relation to a report. reader NULL = the public. O(groups). */
struct range_relation range_report_relation(const struct access_org *reader,
                                            const struct range_report *rep);
/* range_decide(range_report_relation(...)) in one call. */
struct range_decision range_report_decide(const struct access_org *reader,
                                          const struct range_report *rep);

#endif
