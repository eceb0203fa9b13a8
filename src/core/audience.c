#include "core/audience.h"

#include "core/mode.h"

struct range_relation audience_relation(const struct audience_standing *s)
{
    struct range_relation rel = {0};
    if (!s->registered)
        return rel;
    rel.registered = true;
    rel.is_originator = s->is_author;
    /* a withheld recipient was never passed the advisory */
    bool recipient = s->recipient && !s->withheld;
    rel.in_chain = s->hop_reached || (recipient && s->named);
    rel.in_community = recipient;
    rel.observer = agreement_gives_yellow(s->agreement);
    return rel;
}

struct range_decision audience_decide(enum share_range range,
                                      const struct audience_standing *s)
{
    struct range_relation rel = audience_relation(s);
    return range_decide(range, false, &rel);
}

bool audience_names_any(const struct audience_shape *a)
{
    return a->all || a->sectors || a->scopes || a->ceptoars || a->orgs ||
           a->lists;
}

bool audience_red_names_group(enum share_range range,
                              const struct audience_shape *a)
{
    return range == RANGE_RED &&
           (a->all || a->sectors || a->scopes || a->ceptoars || a->lists ||
            a->include_lists || a->subgroups);
}

bool audience_author_is_secretariat(const char *author_kind)
{
    return strcmp(author_kind, "ceptoar") == 0;
}

bool audience_secretariat_too_wide(const struct audience_shape *a)
{
    return a->all || a->sectors || a->scopes;
}

struct audience_chain audience_chain_of(const char *author_kind)
{
    struct audience_chain ch = {
        .ministries = strcmp(author_kind, "nisc") == 0,
        .ceptoars = !audience_author_is_secretariat(author_kind),
    };
    return ch;
}

const char *audience_ceptoar_parent(const char *author, const char *ministry,
                                    const char *const *ministry_hops, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ministry_hops[i] && strcmp(ministry_hops[i], ministry) == 0)
            return ministry;
    return author;
}

bool audience_hotline(bool drill, const char *kind, int severity)
{
    return audience_hotline_mode(drill, kind, severity, false);
}

bool audience_hotline_mode(bool drill, const char *kind, int severity,
                           bool outage)
{
    int threshold = outage ? MODE_HOTLINE_SEVERITY : 4;
    return !drill && strcmp(kind, "warning") == 0 && severity >= threshold;
}

bool audience_relays_at_once(bool hotline, bool hop_reviews)
{
    return hotline || !hop_reviews;
}

bool audience_hop_due(bool hotline, bool hop_reviews, int64_t waited_s,
                      int limit_min)
{
    return audience_relays_at_once(hotline, hop_reviews) ||
           waited_s >= (int64_t)limit_min * 60;
}

const char *audience_list_parent(const char *author, bool owner_is_hop,
                                 bool owner_is_recipient, const char *owner_via)
{
    if (owner_is_hop)
        return NULL;
    if (owner_is_recipient && owner_via && owner_via[0])
        return owner_via;
    return author;
}

bool audience_may_name_list(const char *author_id, const char *author_kind,
                            const char *owner)
{
    return strcmp(author_id, owner) == 0 || strcmp(author_kind, "nisc") == 0;
}

enum audience_withhold audience_withhold_check(const char *kind, int severity,
                                               const char *hop_state)
{
    if (strcmp(kind, "warning") == 0 &&
        severity >= AUDIENCE_WITHHOLD_MIN_SEVERITY)
        return AUDIENCE_WITHHOLD_SEVERE;
    if (strcmp(hop_state, "relayed") == 0)
        return AUDIENCE_WITHHOLD_RELAYED;
    if (strcmp(hop_state, "withheld") == 0)
        return AUDIENCE_WITHHOLD_WITHHELD;
    if (strcmp(hop_state, "waiting") != 0)
        return AUDIENCE_WITHHOLD_NOT_HOP;
    return AUDIENCE_WITHHOLD_OK;
}
