/*
 * test_range.c - sharing ranges (core/range.h, DOMAIN.md §3).
 *
 * The heart of this file is a property test: for every range x route x
 * reached-state x reader it compares range_report_decide() with an oracle
 * written here, independently of range.c, straight from DOMAIN.md §3:
 *
 *   may read      iff range >= the narrowest range admitting the reader
 *                   Red    - the originator, or a chain hop the report has
 *                            reached
 *                   Amber  - + members of the originator's CEPTOAR(s) and
 *                            those CEPTOARs' secretariats; for an
 *                            anonymous report only the CEPTOAR it was
 *                            routed through (its members, its secretariat)
 *                   Yellow - + organisations with an ACTIVE handling-rule
 *                            agreement (never signed, or withdrawn: no)
 *                   Green  - + every registered organisation
 *                   White  - + the public
 *   sees identity iff may read and the reader is registered and
 *                   (the route is not anonymous, or the reader is the
 *                    originator, or the routing secretariat once reached)
 *
 * The oracle knows each reader's standing from the role it plays in the
 * scenario (set by hand below), never from range_report_relation(). Every
 * registered reader is tried in each agreement state (none, active,
 * withdrawn: core/agreement.h), whatever its kind. Any
 * difference - a leak or a wrongful denial - fails the test with a message
 * naming the combination.
 */
#include "common/common.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/range.h"

/* ---------------------------------------------------------------- orgs */

static struct access_org org(const char *id, const char *kind,
                             const char *scope, const char *sector,
                             const char *ministry)
{
    struct access_org o;
    memset(&o, 0, sizeof(o));
    snprintf(o.id, sizeof(o.id), "%s", id);
    snprintf(o.kind, sizeof(o.kind), "%s", kind);
    snprintf(o.scope_id, sizeof(o.scope_id), "%s", scope ? scope : "");
    snprintf(o.sector_id, sizeof(o.sector_id), "%s", sector ? sector : "");
    snprintf(o.ministry_id, sizeof(o.ministry_id), "%s",
             ministry ? ministry : "");
    return o;
}

static void member_of(struct access_org *o, const char *ceptoar)
{
    assert_true(o->nceptoars < ACCESS_MAX_GROUPS);
    snprintf(o->ceptoars[o->nceptoars], sizeof(o->ceptoars[0]), "%s", ceptoar);
    o->nceptoars++;
}

/* The part a reader plays in a scenario. The hop roles are the ones the
 * chain of each route is built from. */
enum role {
    R_ORIGINATOR,
    R_SAME_CEPTOAR,      /* another operator in the originator's CEPTOAR */
    R_SECOND_CEPTOAR,    /* operator in the originator's other CEPTOAR */
    R_SAME_SECTOR_OTHER, /* operator in another CEPTOAR of the sector */
    R_OTHER_SECTOR,      /* operator of another sector */
    R_ROUTING_SEC,       /* secretariat of the routing CEPTOAR */
    R_SECOND_SEC,        /* secretariat of the originator's other CEPTOAR */
    R_OTHER_SEC,         /* secretariat of an unrelated CEPTOAR */
    R_MINISTRY_OWNER,    /* ministry owning the originator's sector */
    R_MINISTRY_OTHER,
    R_NISC,
    R_AGENCY_HOP,      /* agency (agreed), the via_agency hop */
    R_AGENCY_OBSERVER, /* agency (agreed), not the hop */
    R_AGENCY_PLAIN,    /* agency that never agreed */
    R_PUBLIC           /* no sign-in: reader NULL */
};

static const char *const role_names[] = {
    "originator",
    "operator in the same CEPTOAR",
    "operator in the originator's second CEPTOAR",
    "operator in another CEPTOAR of the same sector",
    "operator of another sector",
    "routing CEPTOAR secretariat",
    "secretariat of the originator's second CEPTOAR",
    "secretariat of another CEPTOAR",
    "ministry owning the sector",
    "ministry not owning the sector",
    "NISC",
    "agency (agreed), the via_agency hop",
    "agency (agreed), not the hop",
    "agency that never agreed",
    "the public"};

#define MAX_READERS 16

struct reader {
    enum role role;
    const struct access_org *org; /* NULL: the public */
};

/* One scenario: the originator, the organisations around it, the readers. */
struct world {
    const char *name;
    struct access_org originator, same_ceptoar, second_ceptoar,
        same_sector_other, other_sector, routing_sec, second_sec, other_sec,
        ministry_owner, ministry_other, nisc, agency_hop, agency_observer,
        agency_plain;
    int ncommunity;
    const char *community[ACCESS_MAX_GROUPS];
    int nreaders;
    struct reader readers[MAX_READERS];
};

static void add_reader(struct world *w, enum role role,
                       const struct access_org *o)
{
    assert_true(w->nreaders < MAX_READERS);
    w->readers[w->nreaders].role = role;
    w->readers[w->nreaders].org = o;
    w->nreaders++;
}

static void common_bodies(struct world *w)
{
    w->nisc = org("nisc", "nisc", NULL, NULL, NULL);
    w->agency_hop = org("jpcert", "agency", NULL, NULL, NULL);
    w->agency_hop.agreement = AGREEMENT_ACTIVE;
    w->agency_observer = org("ipa", "agency", NULL, NULL, NULL);
    w->agency_observer.agreement = AGREEMENT_ACTIVE;
    w->agency_plain = org("npa", "agency", NULL, NULL, NULL);
    w->agency_plain.agreement = AGREEMENT_NONE; /* observer flag, no signing */
}

/* World 1: a bank in the banking CEPTOAR (finance, FSA) - the combination
 * the brief spells out, 13 readers. */
static void world_bank(struct world *w)
{
    memset(w, 0, sizeof(*w));
    w->name = "bank";
    common_bodies(w);
    w->originator =
        org("op-banking-0001", "operator", "banking", "finance", "fsa");
    member_of(&w->originator, "ceptoar-banking");
    w->same_ceptoar =
        org("op-banking-0002", "operator", "banking", "finance", "fsa");
    member_of(&w->same_ceptoar, "ceptoar-banking");
    w->same_sector_other =
        org("op-securities-0001", "operator", "securities", "finance", "fsa");
    member_of(&w->same_sector_other, "ceptoar-securities");
    w->other_sector = org("op-electricity-0001", "operator", "electricity",
                          "electricity", "meti");
    member_of(&w->other_sector, "ceptoar-electricity");
    w->routing_sec =
        org("ceptoar-banking", "ceptoar", "banking", "finance", "fsa");
    w->other_sec =
        org("ceptoar-securities", "ceptoar", "securities", "finance", "fsa");
    w->ministry_owner = org("fsa", "ministry", NULL, NULL, NULL);
    w->ministry_other = org("meti", "ministry", NULL, NULL, NULL);
    w->ncommunity = 1;
    w->community[0] = "ceptoar-banking";

    add_reader(w, R_ORIGINATOR, &w->originator);
    add_reader(w, R_SAME_CEPTOAR, &w->same_ceptoar);
    add_reader(w, R_SAME_SECTOR_OTHER, &w->same_sector_other);
    add_reader(w, R_OTHER_SECTOR, &w->other_sector);
    add_reader(w, R_ROUTING_SEC, &w->routing_sec);
    add_reader(w, R_OTHER_SEC, &w->other_sec);
    add_reader(w, R_MINISTRY_OWNER, &w->ministry_owner);
    add_reader(w, R_MINISTRY_OTHER, &w->ministry_other);
    add_reader(w, R_NISC, &w->nisc);
    add_reader(w, R_AGENCY_HOP, &w->agency_hop);
    add_reader(w, R_AGENCY_OBSERVER, &w->agency_observer);
    add_reader(w, R_AGENCY_PLAIN, &w->agency_plain);
    add_reader(w, R_PUBLIC, NULL);
}

/* World 2: a cable-TV operator that belongs to two CEPTOARs (cable TV,
 * routed through; telecom, the second). Adds the readers that only exist
 * when the community has two CEPTOARs: 15 readers. */
static void world_cable(struct world *w)
{
    memset(w, 0, sizeof(*w));
    w->name = "cable-tv";
    common_bodies(w);
    w->originator =
        org("op-cable-tv-0001", "operator", "cable_tv", "ict", "mic");
    member_of(&w->originator, "ceptoar-cable-tv");
    member_of(&w->originator, "ceptoar-telecom");
    w->same_ceptoar =
        org("op-cable-tv-0002", "operator", "cable_tv", "ict", "mic");
    member_of(&w->same_ceptoar, "ceptoar-cable-tv");
    w->second_ceptoar =
        org("op-telecom-0001", "operator", "telecom", "ict", "mic");
    member_of(&w->second_ceptoar, "ceptoar-telecom");
    w->same_sector_other =
        org("op-broadcasting-0001", "operator", "broadcasting", "ict", "mic");
    member_of(&w->same_sector_other, "ceptoar-broadcasting");
    w->other_sector =
        org("op-railway-0001", "operator", "railway", "railway", "mlit");
    member_of(&w->other_sector, "ceptoar-railway");
    w->routing_sec =
        org("ceptoar-cable-tv", "ceptoar", "cable_tv", "ict", "mic");
    w->second_sec = org("ceptoar-telecom", "ceptoar", "telecom", "ict", "mic");
    w->other_sec =
        org("ceptoar-broadcasting", "ceptoar", "broadcasting", "ict", "mic");
    w->ministry_owner = org("mic", "ministry", NULL, NULL, NULL);
    w->ministry_other = org("mlit", "ministry", NULL, NULL, NULL);
    w->ncommunity = 2;
    w->community[0] = "ceptoar-cable-tv";
    w->community[1] = "ceptoar-telecom";

    add_reader(w, R_ORIGINATOR, &w->originator);
    add_reader(w, R_SAME_CEPTOAR, &w->same_ceptoar);
    add_reader(w, R_SECOND_CEPTOAR, &w->second_ceptoar);
    add_reader(w, R_SAME_SECTOR_OTHER, &w->same_sector_other);
    add_reader(w, R_OTHER_SECTOR, &w->other_sector);
    add_reader(w, R_ROUTING_SEC, &w->routing_sec);
    add_reader(w, R_SECOND_SEC, &w->second_sec);
    add_reader(w, R_OTHER_SEC, &w->other_sec);
    add_reader(w, R_MINISTRY_OWNER, &w->ministry_owner);
    add_reader(w, R_MINISTRY_OTHER, &w->ministry_other);
    add_reader(w, R_NISC, &w->nisc);
    add_reader(w, R_AGENCY_HOP, &w->agency_hop);
    add_reader(w, R_AGENCY_OBSERVER, &w->agency_observer);
    add_reader(w, R_AGENCY_PLAIN, &w->agency_plain);
    add_reader(w, R_PUBLIC, NULL);
}

/* ------------------------------------------------------------- reports */

/* How far the report has travelled along its chain. The brief's two states
 * (first hop, every hop) plus "just filed" (no hop reached yet). */
enum reached_state { REACHED_NONE, REACHED_FIRST, REACHED_ALL };
#define REACHED_COUNT 3
static const char *const reached_names[REACHED_COUNT] = {
    "no hop yet", "first hop only", "every hop up to NISC"};

/* The chain of a route, as roles (the oracle's view) ... */
static int chain_roles(enum report_route route, enum role out[3])
{
    switch (route) {
    case ROUTE_DIRECT:
        out[0] = R_MINISTRY_OWNER;
        out[1] = R_NISC;
        return 2;
    case ROUTE_VIA_CEPTOAR:
    case ROUTE_ANONYMOUS:
        out[0] = R_ROUTING_SEC;
        out[1] = R_MINISTRY_OWNER;
        out[2] = R_NISC;
        return 3;
    case ROUTE_VIA_AGENCY:
        out[0] = R_AGENCY_HOP;
        out[1] = R_NISC;
        return 2;
    }
    fail_msg("unknown route %d", (int)route);
    return 0;
}

static int hops_reached(int nchain, enum reached_state st)
{
    return st == REACHED_NONE ? 0 : st == REACHED_FIRST ? 1 : nchain;
}

static const struct access_org *role_org(const struct world *w, enum role r)
{
    switch (r) {
    case R_ROUTING_SEC: return &w->routing_sec;
    case R_MINISTRY_OWNER: return &w->ministry_owner;
    case R_NISC: return &w->nisc;
    case R_AGENCY_HOP: return &w->agency_hop;
    default: break;
    }
    fail_msg("role %d is never a hop", (int)r);
    return NULL;
}

/* ... and as the struct range_report the code sees, built by hand. */
static struct range_report build_report(const struct world *w,
                                        enum share_range range,
                                        enum report_route route,
                                        enum reached_state st)
{
    struct range_report rep;
    memset(&rep, 0, sizeof(rep));
    rep.range = range;
    rep.route = route;
    rep.originator = w->originator.id;
    rep.routing_ceptoar =
        (route == ROUTE_VIA_CEPTOAR || route == ROUTE_ANONYMOUS)
            ? w->routing_sec.id
            : NULL;
    rep.ncommunity = w->ncommunity;
    for (int i = 0; i < w->ncommunity; i++)
        rep.community[i] = w->community[i];
    enum role chain[3];
    int n = chain_roles(route, chain);
    rep.nreached = hops_reached(n, st);
    assert_true(rep.nreached <= RANGE_MAX_CHAIN);
    for (int i = 0; i < rep.nreached; i++)
        rep.reached[i] = role_org(w, chain[i])->id;
    return rep;
}

/* -------------------------------------------------------------- oracle */

struct verdict {
    bool may_read;
    bool sees_identity;
};

/* The Amber community. Of an anonymous report only the CEPTOAR it was
 * routed through: a member or the secretariat of the originator's second
 * CEPTOAR who could read it would know that the reporter is one of that
 * CEPTOAR's members (found by an outside review). */
static bool role_in_community(const struct world *w, enum report_route route,
                              enum role r)
{
    switch (r) {
    case R_ORIGINATOR:
    case R_SAME_CEPTOAR:
    case R_ROUTING_SEC: return true;
    case R_SECOND_CEPTOAR:
    case R_SECOND_SEC: return w->ncommunity > 1 && route != ROUTE_ANONYMOUS;
    default: return false;
    }
}

/* Yellow standing: an active agreement, nothing else (DOMAIN.md §6a). */
static bool agreed(enum agreement_state ag)
{
    return ag == AGREEMENT_ACTIVE;
}

static struct verdict oracle(const struct world *w, enum share_range range,
                             enum report_route route, enum reached_state st,
                             enum role who, enum agreement_state ag)
{
    struct verdict v = {false, false};
    bool registered = who != R_PUBLIC;
    enum role chain[3];
    int n = hops_reached(chain_roles(route, chain), st);
    bool reached_hop = false;
    for (int i = 0; i < n; i++)
        if (chain[i] == who)
            reached_hop = true;

    enum share_range narrowest;
    if (who == R_ORIGINATOR || reached_hop)
        narrowest = RANGE_RED;
    else if (role_in_community(w, route, who))
        narrowest = RANGE_AMBER;
    else if (registered && agreed(ag))
        narrowest = RANGE_YELLOW;
    else if (registered)
        narrowest = RANGE_GREEN;
    else
        narrowest = RANGE_WHITE;
    v.may_read = range >= narrowest;

    bool routing_sec_reached =
        who == R_ROUTING_SEC && reached_hop &&
        (route == ROUTE_VIA_CEPTOAR || route == ROUTE_ANONYMOUS);
    if (!v.may_read || !registered)
        v.sees_identity = false;
    else if (route == ROUTE_ANONYMOUS)
        v.sees_identity = who == R_ORIGINATOR || routing_sec_reached;
    else
        v.sees_identity = true;
    return v;
}

/* ------------------------------------------------------ property test */

struct tally {
    long combos;
    long mismatches;
    long read_identity, read_anonymised, denied; /* oracle outcomes */
    char first[512];
};

static void run_world(const struct world *w, struct tally *t)
{
    for (int range = RANGE_RED; range <= RANGE_WHITE; range++)
        for (int route = ROUTE_DIRECT; route <= ROUTE_VIA_AGENCY; route++)
            for (int st = REACHED_NONE; st <= REACHED_ALL; st++) {
                struct range_report rep = build_report(
                    w, (enum share_range)range, (enum report_route)route,
                    (enum reached_state)st);
                for (int k = 0; k < w->nreaders; k++)
                    for (int ag = 0; ag < AGREEMENT_STATE_COUNT; ag++) {
                        const struct reader *rd = &w->readers[k];
                        if (!rd->org && ag) /* the public signs nothing */
                            continue;
                        struct access_org as;
                        if (rd->org) {
                            as = *rd->org;
                            as.agreement = (enum agreement_state)ag;
                        }
                        struct verdict want = oracle(
                            w, (enum share_range)range,
                            (enum report_route)route, (enum reached_state)st,
                            rd->role, (enum agreement_state)ag);
                        struct range_decision got =
                            range_report_decide(rd->org ? &as : NULL, &rep);
                        t->combos++;
                        if (!want.may_read)
                            t->denied++;
                        else if (want.sees_identity)
                            t->read_identity++;
                        else
                            t->read_anonymised++;
                        if (got.may_read == want.may_read &&
                            got.sees_identity == want.sees_identity)
                            continue;
                        char msg[512];
                        snprintf(
                            msg, sizeof(msg),
                            "[%s] range=%s route=%s reached=%s reader=%s "
                            "(%s, agreement %s): got may_read=%d "
                            "sees_identity=%d, "
                            "want may_read=%d sees_identity=%d%s",
                            w->name, range_name((enum share_range)range),
                            route_name((enum report_route)route),
                            reached_names[st], role_names[rd->role],
                            rd->org ? rd->org->id : "NULL",
                            agreement_state_name((enum agreement_state)ag),
                            got.may_read, got.sees_identity, want.may_read,
                            want.sees_identity,
                            (got.may_read && !want.may_read) ||
                                    (got.sees_identity && !want.sees_identity)
                                ? "  <-- LEAK"
                                : "  <-- wrongful denial");
                        print_error("%s\n", msg);
                        if (!t->mismatches)
                            snprintf(t->first, sizeof(t->first), "%s", msg);
                        t->mismatches++;
                    }
            }
}

static void test_property_every_combination(void **state)
{
    (void)state;
    struct world *w = test_malloc(sizeof(*w));
    struct tally t;
    memset(&t, 0, sizeof(t));

    world_bank(w);
    assert_int_equal(w->nreaders, 13);
    run_world(w, &t);
    /* 12 registered readers x 3 agreement states, and the public */
    long bank = (long)RANGE_COUNT * ROUTE_COUNT * REACHED_COUNT *
                (12 * AGREEMENT_STATE_COUNT + 1);
    assert_int_equal(t.combos, bank);
    assert_int_equal(bank, 2220);

    world_cable(w);
    assert_int_equal(w->nreaders, 15);
    run_world(w, &t);
    assert_int_equal(t.combos, bank + 5L * 4 * 3 * (14 * 3 + 1));

    test_free(w);
    if (t.mismatches)
        fail_msg("%ld of %ld combinations differ from DOMAIN.md §3; first: "
                 "%s",
                 t.mismatches, t.combos, t.first);
    /* the oracle itself exercised every outcome (so agreement means
     * something): denials, full reads and anonymised reads */
    assert_true(t.denied > 0);
    assert_true(t.read_identity > 0);
    assert_true(t.read_anonymised > 0);
}

/* The brief's exact enumeration (first hop / every hop, 13 readers) counted
 * on its own, so the product the brief asks for is asserted as such. */
static void test_property_brief_product(void **state)
{
    (void)state;
    struct world *w = test_malloc(sizeof(*w));
    world_bank(w);
    long combos = 0, bad = 0;
    for (int range = 0; range < RANGE_COUNT; range++)
        for (int route = 0; route < ROUTE_COUNT; route++)
            for (int st = REACHED_FIRST; st <= REACHED_ALL; st++) {
                struct range_report rep = build_report(
                    w, (enum share_range)range, (enum report_route)route,
                    (enum reached_state)st);
                for (int k = 0; k < w->nreaders; k++) {
                    struct verdict want = oracle(
                        w, (enum share_range)range, (enum report_route)route,
                        (enum reached_state)st, w->readers[k].role,
                        w->readers[k].org ? w->readers[k].org->agreement
                                          : AGREEMENT_NONE);
                    struct range_decision got =
                        range_report_decide(w->readers[k].org, &rep);
                    combos++;
                    if (got.may_read != want.may_read ||
                        got.sees_identity != want.sees_identity) {
                        print_error("range=%s route=%s reached=%s reader=%s "
                                    "differs\n",
                                    range_name((enum share_range)range),
                                    route_name((enum report_route)route),
                                    reached_names[st],
                                    role_names[w->readers[k].role]);
                        bad++;
                    }
                }
            }
    test_free(w);
    assert_int_equal(combos, 5 * 4 * 2 * 13);
    assert_int_equal(bad, 0);
}

/* ---------------------------------------------- hand-checked examples */

/* A few decisions spelled out by hand, so the oracle is not the only
 * witness. */
static void test_examples(void **state)
{
    (void)state;
    struct world *w = test_malloc(sizeof(*w));
    world_bank(w);
    struct range_report rep;
    struct range_decision d;

    /* Red, direct, first hop: the ministry reads, NISC not yet */
    rep = build_report(w, RANGE_RED, ROUTE_DIRECT, REACHED_FIRST);
    d = range_report_decide(&w->ministry_owner, &rep);
    assert_true(d.may_read);
    assert_true(d.sees_identity);
    d = range_report_decide(&w->nisc, &rep);
    assert_false(d.may_read);
    assert_false(d.sees_identity);
    d = range_report_decide(&w->originator, &rep);
    assert_true(d.may_read);
    assert_true(d.sees_identity);
    d = range_report_decide(&w->same_ceptoar, &rep);
    assert_false(d.may_read);

    /* Red, all hops: NISC reads; the other ministry never */
    rep = build_report(w, RANGE_RED, ROUTE_DIRECT, REACHED_ALL);
    assert_true(range_report_decide(&w->nisc, &rep).may_read);
    assert_false(range_report_decide(&w->ministry_other, &rep).may_read);
    assert_false(range_report_decide(&w->agency_hop, &rep).may_read);

    /* Amber, anonymous, all hops: CEPTOAR peers read but see no name;
     * the routing secretariat sees it; the ministry and NISC do not */
    rep = build_report(w, RANGE_AMBER, ROUTE_ANONYMOUS, REACHED_ALL);
    d = range_report_decide(&w->same_ceptoar, &rep);
    assert_true(d.may_read);
    assert_false(d.sees_identity);
    d = range_report_decide(&w->routing_sec, &rep);
    assert_true(d.may_read);
    assert_true(d.sees_identity);
    d = range_report_decide(&w->ministry_owner, &rep);
    assert_true(d.may_read);
    assert_false(d.sees_identity);
    d = range_report_decide(&w->nisc, &rep);
    assert_true(d.may_read);
    assert_false(d.sees_identity);
    d = range_report_decide(&w->same_sector_other, &rep);
    assert_false(d.may_read);
    d = range_report_decide(&w->agency_observer, &rep);
    assert_false(d.may_read);

    /* Yellow: an active agreement in; never signed or withdrawn out */
    rep = build_report(w, RANGE_YELLOW, ROUTE_VIA_CEPTOAR, REACHED_FIRST);
    assert_true(range_report_decide(&w->agency_observer, &rep).may_read);
    assert_false(range_report_decide(&w->agency_plain, &rep).may_read);
    struct access_org gone = w->agency_observer;
    gone.agreement = AGREEMENT_WITHDRAWN;
    assert_false(range_report_decide(&gone, &rep).may_read);
    assert_false(range_report_decide(&w->other_sector, &rep).may_read);
    assert_false(range_report_decide(NULL, &rep).may_read);

    /* Green: every registered org, not the public */
    rep = build_report(w, RANGE_GREEN, ROUTE_VIA_AGENCY, REACHED_ALL);
    d = range_report_decide(&w->other_sector, &rep);
    assert_true(d.may_read);
    assert_true(d.sees_identity);
    assert_false(range_report_decide(NULL, &rep).may_read);

    /* White: the public reads, never the name, whatever the route */
    for (int route = 0; route < ROUTE_COUNT; route++) {
        rep =
            build_report(w, RANGE_WHITE, (enum report_route)route, REACHED_ALL);
        d = range_report_decide(NULL, &rep);
        assert_true(d.may_read);
        assert_false(d.sees_identity);
    }
    /* White anonymous: registered non-originators read without the name */
    rep = build_report(w, RANGE_WHITE, ROUTE_ANONYMOUS, REACHED_ALL);
    d = range_report_decide(&w->other_sector, &rep);
    assert_true(d.may_read);
    assert_false(d.sees_identity);
    d = range_report_decide(&w->originator, &rep);
    assert_true(d.sees_identity);

    /* an org struct with an empty id is not a registered reader */
    struct access_org nobody;
    memset(&nobody, 0, sizeof(nobody));
    rep = build_report(w, RANGE_GREEN, ROUTE_DIRECT, REACHED_ALL);
    assert_false(range_report_decide(&nobody, &rep).may_read);
    test_free(w);
}

/* range_report_decide is range_decide(range_report_relation(...)). */
static void test_relation(void **state)
{
    (void)state;
    struct world *w = test_malloc(sizeof(*w));
    world_cable(w);
    struct range_report rep =
        build_report(w, RANGE_AMBER, ROUTE_ANONYMOUS, REACHED_FIRST);
    struct range_relation rel;

    rel = range_report_relation(&w->routing_sec, &rep);
    assert_true(rel.registered);
    assert_false(rel.is_originator);
    assert_true(rel.in_chain);
    assert_true(rel.is_routing_secretariat);
    assert_true(rel.in_community);

    /* the originator's other CEPTOAR is not the anonymous report's
     * community: its secretariat and members would learn the reporter */
    rel = range_report_relation(&w->second_sec, &rep);
    assert_false(rel.in_community);
    assert_false(rel.in_chain);
    assert_false(rel.is_routing_secretariat);
    assert_false(range_report_decide(&w->second_sec, &rep).may_read);

    rel = range_report_relation(&w->second_ceptoar, &rep);
    assert_false(rel.in_community);
    assert_false(range_report_decide(&w->second_ceptoar, &rep).may_read);

    rel = range_report_relation(&w->same_ceptoar, &rep);
    assert_true(rel.in_community);

    /* a named report's community stays every CEPTOAR of the originator */
    rep = build_report(w, RANGE_AMBER, ROUTE_VIA_CEPTOAR, REACHED_FIRST);
    assert_true(range_report_relation(&w->second_sec, &rep).in_community);
    assert_true(range_report_relation(&w->second_ceptoar, &rep).in_community);
    rep = build_report(w, RANGE_AMBER, ROUTE_ANONYMOUS, REACHED_FIRST);

    rel = range_report_relation(&w->ministry_owner, &rep);
    assert_false(rel.in_chain); /* first hop only: not reached yet */
    assert_false(rel.in_community);

    rel = range_report_relation(&w->agency_observer, &rep);
    assert_true(rel.observer);
    assert_false(rel.in_community);

    rel = range_report_relation(NULL, &rep);
    assert_false(rel.registered);

    /* not routed through a CEPTOAR: no routing secretariat */
    rep = build_report(w, RANGE_AMBER, ROUTE_DIRECT, REACHED_ALL);
    rel = range_report_relation(&w->routing_sec, &rep);
    assert_false(rel.is_routing_secretariat);
    assert_false(rel.in_chain);
    assert_true(rel.in_community);
    test_free(w);
}

/* ---------------------------------------------------- names and labels */

static void test_range_names(void **state)
{
    (void)state;
    static const char *const names[] = {"red", "amber", "yellow", "green",
                                        "white"};
    static const int order[] = {RANGE_RED, RANGE_AMBER, RANGE_YELLOW,
                                RANGE_GREEN, RANGE_WHITE};
    for (size_t i = 0; i < IS_ARRAY_LEN(names); i++) {
        assert_int_equal(range_parse(names[i]), order[i]);
        assert_string_equal(range_name((enum share_range)order[i]), names[i]);
        assert_int_equal(range_parse(range_name((enum share_range)i)), (int)i);
    }
    /* narrowest to widest */
    assert_true(RANGE_RED < RANGE_AMBER && RANGE_AMBER < RANGE_YELLOW &&
                RANGE_YELLOW < RANGE_GREEN && RANGE_GREEN < RANGE_WHITE);
    assert_int_equal(RANGE_COUNT, 5);
    assert_int_equal(range_parse("purple"), -1);
    assert_int_equal(range_parse(""), -1);
    assert_int_equal(range_parse("Red"), -1);
    assert_int_equal(range_parse("red "), -1);
    assert_int_equal(range_parse("TLP:RED"), -1);
    assert_int_equal(range_parse(NULL), -1);
}

static void test_range_tlp(void **state)
{
    (void)state;
    assert_string_equal(range_tlp(RANGE_RED), "TLP:RED");
    assert_string_equal(range_tlp(RANGE_AMBER), "TLP:AMBER+STRICT");
    assert_string_equal(range_tlp(RANGE_YELLOW), "TLP:AMBER");
    assert_string_equal(range_tlp(RANGE_GREEN), "TLP:GREEN");
    assert_string_equal(range_tlp(RANGE_WHITE), "TLP:CLEAR");
}

static void test_route_names(void **state)
{
    (void)state;
    static const char *const names[] = {"direct", "via_ceptoar", "anonymous",
                                        "via_agency"};
    static const int order[] = {ROUTE_DIRECT, ROUTE_VIA_CEPTOAR,
                                ROUTE_ANONYMOUS, ROUTE_VIA_AGENCY};
    for (size_t i = 0; i < IS_ARRAY_LEN(names); i++) {
        assert_int_equal(route_parse(names[i]), order[i]);
        assert_string_equal(route_name((enum report_route)order[i]), names[i]);
        assert_int_equal(route_parse(route_name((enum report_route)i)), (int)i);
    }
    assert_int_equal(ROUTE_COUNT, 4);
    assert_int_equal(route_parse("via-ceptoar"), -1);
    assert_int_equal(route_parse("Direct"), -1);
    assert_int_equal(route_parse(""), -1);
    assert_int_equal(route_parse(NULL), -1);
}

/* The two per-range rules, as a table written from DOMAIN.md §3. */
static void test_range_rules_table(void **state)
{
    (void)state;
    static const struct {
        enum share_range r;
        bool content_travels, read_audited;
    } rows[] = {
        {RANGE_RED, false, true},     {RANGE_AMBER, false, true},
        {RANGE_YELLOW, false, false}, {RANGE_GREEN, true, false},
        {RANGE_WHITE, true, false},
    };
    assert_int_equal(IS_ARRAY_LEN(rows), RANGE_COUNT);
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        assert_int_equal(range_content_travels(rows[i].r),
                         rows[i].content_travels);
        assert_int_equal(range_read_is_audited(rows[i].r),
                         rows[i].read_audited);
    }
    /* the SQL spelling of the stored values is the enum's */
    assert_string_equal(RANGE_SQL(RANGE_V_RED), "0");
    assert_string_equal(RANGE_SQL(RANGE_V_WHITE), "4");
    assert_int_equal(RANGE_V_AMBER, RANGE_AMBER);
    assert_int_equal(RANGE_V_YELLOW, RANGE_YELLOW);
    assert_int_equal(RANGE_V_GREEN, RANGE_GREEN);
    /* and the routes' (the SQL filter tells anonymous reports apart) */
    assert_string_equal(RANGE_SQL(ROUTE_V_ANONYMOUS), "2");
    assert_int_equal(ROUTE_V_DIRECT, ROUTE_DIRECT);
    assert_int_equal(ROUTE_V_VIA_CEPTOAR, ROUTE_VIA_CEPTOAR);
    assert_int_equal(ROUTE_V_ANONYMOUS, ROUTE_ANONYMOUS);
    assert_int_equal(ROUTE_V_VIA_AGENCY, ROUTE_VIA_AGENCY);
    assert_string_equal(route_name(ROUTE_ANONYMOUS), "anonymous");
}

/* Narrowing only: every pair of ranges, written out (5 x 5). */
static void test_range_within_table(void **state)
{
    (void)state;
    /* within[r][bound]: may an item bounded by bound be shared at r? */
    static const bool within[RANGE_COUNT][RANGE_COUNT] = {
        /* bound:  red    amber  yellow green  white */
        /* red */ {true, true, true, true, true},
        /* amber */ {false, true, true, true, true},
        /* yellow */ {false, false, true, true, true},
        /* green */ {false, false, false, true, true},
        /* white */ {false, false, false, false, true},
    };
    int allowed = 0;
    for (int r = 0; r < RANGE_COUNT; r++)
        for (int b = 0; b < RANGE_COUNT; b++) {
            assert_int_equal(
                range_within((enum share_range)r, (enum share_range)b),
                within[r][b]);
            allowed += within[r][b];
        }
    assert_int_equal(allowed, 15); /* the diagonal and everything narrower */
    assert_false(range_within(RANGE_WHITE, RANGE_RED));
    assert_true(range_within(RANGE_RED, RANGE_WHITE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_within_table),
        cmocka_unit_test(test_property_every_combination),
        cmocka_unit_test(test_property_brief_product),
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_relation),
        cmocka_unit_test(test_range_names),
        cmocka_unit_test(test_range_tlp),
        cmocka_unit_test(test_route_names),
        cmocka_unit_test(test_range_rules_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
