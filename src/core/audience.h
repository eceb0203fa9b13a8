/*
 * audience.h - who an advisory (情報提供) goes to and how it travels
 * (DOMAIN.md §3, §5): the reader's standing to an advisory for the range
 * rule, the shape an audience may have, and the relay chain. Pure: no I/O.
 *
 * Standing (for core/range.h's range_decide; advisories are never
 * anonymous):
 *   Red    - the author; a chain hop the advisory has reached (its hop is
 *            no longer pending); a recipient named individually (orgs)
 *   Amber  - + every recipient of the audience
 *   Yellow, Green, White - as for every item
 * Audience shape:
 *   - it names at least one of all, sectors, scopes, ceptoars, orgs;
 *   - a Red advisory names its recipients individually (orgs only);
 *   - a CEPTOAR secretariat sends to its own members only (ceptoars:
 *     [itself] or orgs that are its members), never all/sectors/scopes.
 * Relay chain: the author is step 0 and relays at once. NISC's advisories
 * pass the ministries of the recipients' sectors (step 1); every author
 * but a secretariat passes the recipients' CEPTOAR secretariats (step 2),
 * each under its own ministry when that ministry is a hop, else under the
 * author. A hop relays at once when the advisory is on the hotline or the
 * hop's policy is auto; else it waits for review. The hotline: a warning
 * of severity 4 or 5 that is not a drill.
 */
#ifndef INFRASHARE_AUDIENCE_H
#define INFRASHARE_AUDIENCE_H

#include "core/range.h"

/* What the store knows of a reader and one advisory. */
struct audience_standing {
    bool registered; /* a signed-in organisation (false: the public) */
    bool is_author;
    bool hop_reached; /* a hop of the chain whose state is not pending */
    bool recipient;   /* in the audience, the advisory released to it */
    bool named;       /* a recipient named individually (orgs) */
    /* the reader's handling-rule agreement: Yellow standing when active */
    enum agreement_state agreement;
    /* distribution lists and withholding (docs/rules.md): */
    bool via_list; /* a recipient through a distribution list: the same
                      standing as any recipient of the audience */
    bool withheld; /* a recipient whose releasing hop (or a hop above it)
                      withheld the advisory: no longer a recipient */
};

/* The reader's relation for range_decide. O(1). */
struct range_relation audience_relation(const struct audience_standing *s);
/* range_decide(range, not anonymous, audience_relation(s)). O(1). */
struct range_decision audience_decide(enum share_range range,
                                      const struct audience_standing *s);

/* How many ids each part of an audience names. */
struct audience_shape {
    bool all;
    size_t sectors, scopes, ceptoars, orgs;
    size_t lists;       /* distribution lists named (a group: not Red) */
    bool include_lists; /* + the lists of every organisation reached */
    size_t subgroups;   /* a drill's CEPTOAR sub-groups (a group: not Red) */
};

/* Names the audience anyone at all? */
bool audience_names_any(const struct audience_shape *a);
/* Does a Red advisory name a group (all, sectors, scopes, ceptoars, lists,
 * sub-groups) where it may name only organisations? Asked at issue and
 * of a relay that leaves the range Red. */
bool audience_red_names_group(enum share_range range,
                              const struct audience_shape *a);
/* Is the author a CEPTOAR secretariat (kind "ceptoar")? Its audience is
 * then its own members only. */
bool audience_author_is_secretariat(const char *author_kind);
/* Does a secretariat's audience reach past its members (all, sectors,
 * scopes)? (ceptoars and orgs are checked id by id by the caller against
 * audience_author_is_secretariat's rule: itself, its members.) */
bool audience_secretariat_too_wide(const struct audience_shape *a);

/* Which hops the chain of an advisory by an author of this kind has. */
struct audience_chain {
    bool ministries; /* step 1: the recipients' ministries */
    bool ceptoars;   /* step 2: the recipients' secretariats */
};
struct audience_chain audience_chain_of(const char *author_kind);

#define AUDIENCE_STEP_AUTHOR 0
#define AUDIENCE_STEP_MINISTRY 1
#define AUDIENCE_STEP_CEPTOAR 2

/* The parent hop of a CEPTOAR hop whose secretariat belongs under
 * ministry: ministry when it is one of the n ministry_hops, else author.
 * Returns one of the two pointers. O(n). */
const char *audience_ceptoar_parent(const char *author, const char *ministry,
                                    const char *const *ministry_hops, size_t n);
/* Is the advisory on the hotline (relayed at once everywhere, emergency
 * contacts told)? */
bool audience_hotline(bool drill, const char *kind, int severity);
/* The hotline with the mode as an input: in large-scale outage mode
 * (outage true: a declaration covers the advisory's recipients) a warning
 * of MODE_HOTLINE_SEVERITY (3) or more is on it too (core/mode.h);
 * audience_hotline is this with outage false. */
bool audience_hotline_mode(bool drill, const char *kind, int severity,
                           bool outage);
/* Does a hop relay as soon as the advisory arrives? */
bool audience_relays_at_once(bool hotline, bool hop_reviews);
/* Is a hop that has held the advisory for waited_s seconds due to relay it
 * by itself? At once when it relays at once (audience_relays_at_once);
 * otherwise once waited_s reaches its review limit of limit_min minutes.
 * The store's HOPS_DUE statement selects the same hops
 * (test_store.c::t_hops_due_matches_core). */
bool audience_hop_due(bool hotline, bool hop_reviews, int64_t waited_s,
                      int limit_min);

/* ---- distribution lists and withholding (docs/rules.md) ---- */

#define AUDIENCE_STEP_LIST 3

/* The parent of the hop a list's owner adds to an advisory's chain, so
 * that the owner relays to its list once it has the advisory itself:
 * NULL when the owner is already a hop of the chain (no new hop: the
 * list's members wait for that hop); else owner_via when the owner is a
 * recipient released by a hop (owner_via non-empty); else the author
 * (the owner is released directly, or is not in the audience at all).
 * Returns author, owner_via or NULL. O(1). */
const char *audience_list_parent(const char *author, bool owner_is_hop,
                                 bool owner_is_recipient,
                                 const char *owner_via);
/* May an author name a list in an audience? Its owner may, and NISC may
 * name any list (NISC's extra recipients per CEPTOAR). O(1). */
bool audience_may_name_list(const char *author_id, const char *author_kind,
                            const char *owner);

enum audience_withhold {
    AUDIENCE_WITHHOLD_OK,
    AUDIENCE_WITHHOLD_SEVERE,   /* a warning of severity >= 4 */
    AUDIENCE_WITHHOLD_NOT_HOP,  /* not a hop, or not yet reached */
    AUDIENCE_WITHHOLD_RELAYED,  /* relayed already */
    AUDIENCE_WITHHOLD_WITHHELD, /* withheld already */
};
#define AUDIENCE_WITHHOLD_MIN_SEVERITY 4
/* May a hop in state hop_state ("" when the organisation is no hop)
 * withhold an advisory of this kind and severity? A warning of severity
 * >= AUDIENCE_WITHHOLD_MIN_SEVERITY never (checked first: the answer does
 * not depend on the hop); else only a hop that is waiting. O(1). */
enum audience_withhold audience_withhold_check(const char *kind, int severity,
                                               const char *hop_state);

#endif
