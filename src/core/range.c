#include "core/range.h"

static const char *const range_names[RANGE_COUNT] = {"red", "amber", "yellow",
                                                     "green", "white"};
static const char *const range_tlps[RANGE_COUNT] = {
    "TLP:RED", "TLP:AMBER+STRICT", "TLP:AMBER", "TLP:GREEN", "TLP:CLEAR"};
static const char *const route_names[ROUTE_COUNT] = {"direct", "via_ceptoar",
                                                     "anonymous", "via_agency"};

int range_parse(const char *s)
{
    for (int i = 0; s && i < RANGE_COUNT; i++)
        if (strcmp(s, range_names[i]) == 0)
            return i;
    return -1;
}

const char *range_name(enum share_range r)
{
    return (unsigned)r < RANGE_COUNT ? range_names[r] : "red";
}

const char *range_tlp(enum share_range r)
{
    return (unsigned)r < RANGE_COUNT ? range_tlps[r] : "TLP:RED";
}

int route_parse(const char *s)
{
    for (int i = 0; s && i < ROUTE_COUNT; i++)
        if (strcmp(s, route_names[i]) == 0)
            return i;
    return -1;
}

const char *route_name(enum report_route r)
{
    return (unsigned)r < ROUTE_COUNT ? route_names[r] : "direct";
}

bool range_content_travels(enum share_range r)
{
    return r == RANGE_GREEN || r == RANGE_WHITE;
}

bool range_read_is_audited(enum share_range r)
{
    return r == RANGE_RED || r == RANGE_AMBER;
}

bool range_within(enum share_range r, enum share_range bound)
{
    return r <= bound; /* the enum runs from narrowest to widest */
}

struct range_decision range_decide(enum share_range range, bool anonymous,
                                   const struct range_relation *rel)
{
    struct range_decision d = {false, false};
    /* the narrowest range that lets this reader in */
    enum share_range needed;
    if (rel->registered &&
        (rel->is_originator || rel->in_chain || rel->is_routing_secretariat))
        needed = RANGE_RED;
    else if (rel->registered && rel->in_community)
        needed = RANGE_AMBER;
    else if (rel->registered && rel->observer)
        needed = RANGE_YELLOW;
    else if (rel->registered)
        needed = RANGE_GREEN;
    else
        needed = RANGE_WHITE;
    d.may_read = range >= needed;
    if (!d.may_read)
        return d;
    if (!rel->registered)
        d.sees_identity = false;
    else if (anonymous)
        d.sees_identity = rel->is_originator || rel->is_routing_secretariat;
    else
        d.sees_identity = true;
    return d;
}

static bool listed(const char *const *ids, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] && strcmp(ids[i], id) == 0)
            return true;
    return false;
}

struct range_relation range_report_relation(const struct access_org *reader,
                                            const struct range_report *rep)
{
    struct range_relation rel = {0};
    if (!reader || !reader->id[0])
        return rel;
    rel.registered = true;
    rel.is_originator = strcmp(reader->id, rep->originator) == 0;
    rel.in_chain = listed(rep->reached, rep->nreached, reader->id);
    rel.is_routing_secretariat =
        (rep->route == ROUTE_VIA_CEPTOAR || rep->route == ROUTE_ANONYMOUS) &&
        rep->routing_ceptoar && strcmp(rep->routing_ceptoar, reader->id) == 0 &&
        rel.in_chain;
    /* community: a member of one of the originator's CEPTOARs, or the
     * secretariat (the CEPTOAR organisation) itself. An anonymous report's
     * community is only the CEPTOAR it was routed through: a reader in
     * another CEPTOAR of the reporter would learn from reading it that the
     * reporter is one of its fellow members, and with the label's scope
     * often which one (found by an outside review). */
    const char *const *cs = rep->community;
    int ncs = rep->ncommunity;
    if (rep->route == ROUTE_ANONYMOUS) {
        cs = &rep->routing_ceptoar;
        ncs = rep->routing_ceptoar && rep->routing_ceptoar[0] ? 1 : 0;
    }
    if (listed(cs, ncs, reader->id))
        rel.in_community = true;
    for (int i = 0; i < reader->nceptoars && !rel.in_community; i++)
        if (listed(cs, ncs, reader->ceptoars[i]))
            rel.in_community = true;
    rel.observer = agreement_gives_yellow(reader->agreement);
    return rel;
}

struct range_decision range_report_decide(const struct access_org *reader,
                                          const struct range_report *rep)
{
    struct range_relation rel = range_report_relation(reader, rep);
    bool anonymous = rep->route == ROUTE_ANONYMOUS;
    return range_decide(rep->range, anonymous, &rel);
}
