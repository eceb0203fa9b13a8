/*
 * obs_correlate.h - which anomalous websites belong together: a sector, an
 * address prefix, a DNS provider or a hosting network anomalous at once
 * (the DDoS-campaign signature), or one vantage point's own problem
 * (website response observation, docs/rules.md "Website response
 * observation"). Pure and deterministic: no I/O, no clock; allocates its
 * result (obs_corr_free).
 *
 * Input: EVERY observed site (normal ones too: they give the groups'
 * sizes and "seen normal from the other vantage points"), each with its
 * keys and, per vantage point (bit i = vantages[i], at most
 * OBS_CORR_MAX_VANTAGES), whether that vantage probed it recently and
 * whether it sees it anomalous (its own k of n). Sites paused or in a
 * maintenance window are left out by the caller.
 *
 *  1. Vantage rule: a site is "seen anomalous by v only" when v sees it
 *     anomalous, another vantage probed it, and no other vantage sees it
 *     anomalous. A vantage v for which that holds for >= max(3,
 *     ceil(50 % of the sites v probed)) sites is flagged: one 'vantage'
 *     group (key: the vantage's id, members: those sites). Then every site
 *     whose anomalous vantages are all flagged is the vantage's problem
 *     (fate OBS_FATE_VANTAGE): no site alert, in no other group.
 *     With one vantage point only, its own problem cannot be told apart.
 *  2. Groups: the remaining anomalous sites, by each key (sector, prefix,
 *     dns, hosting; "" = unknown, no group); a prefix, dns or hosting
 *     group is one sector's (its key and its sector): a correlated group
 *     never counts another sector's sites, so its alert, read by its
 *     sector's secretariats and ministry, tells nothing of them and a
 *     site is never counted in another sector's alert instead of its own
 *     (outside review F3). In a group of `size` sites,
 *     take the members whose `since` are >= the start of the densest
 *     OBS_CORR_WINDOW_S window of `since`s (earliest such window on a
 *     tie); the group is correlated when they are >= max(OBS_CORR_MIN,
 *     ceil(OBS_CORR_FRACTION x size)) = max(3, ceil(10 %)).
 *  3. Explained elsewhere: a correlated group whose members are a strict
 *     subset of another correlated group's is dropped (a DNS provider's
 *     failure is one 'dns' group, not also a group per sector). Of groups
 *     with the same members one is kept, by kind order sector, dns,
 *     hosting, prefix (a DDoS on a sector whose sites share one /24 is a
 *     sector alert); its same_as names the kinds dropped for it.
 *  4. Fates: a member of a kept group: OBS_FATE_GROUP (in the group's
 *     alert; the caller raises its own site alert all the same, so that
 *     what its organisation reads never depends on other organisations'
 *     sites: service/obs_rules.h); any other anomalous site:
 *     OBS_FATE_SITE (a site alert to its organisation); not anomalous:
 *     OBS_FATE_NONE.
 * Order: groups by kind (vantage, sector, dns, hosting, prefix), then key,
 * then sector (bytewise); members by site id ascending.
 */
#ifndef INFRASHARE_OBS_CORRELATE_H
#define INFRASHARE_OBS_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "core/obs_baseline.h"
#include "core/obs_state.h"

#define OBS_CORR_MIN 3
#define OBS_CORR_FRACTION 0.10
#define OBS_CORR_WINDOW_S 1800
#define OBS_CORR_VANTAGE_MIN 3
#define OBS_CORR_VANTAGE_FRACTION 0.50
#define OBS_CORR_MAX_VANTAGES 32
/* text of a prefix: "255.255.255.0/24" or an IPv6 /48 */
#define OBS_PREFIX_MAX 48

/* Kinds as stored in obs_alerts.kind ("site" is not a group). */
enum obs_group_kind {
    OBS_GROUP_VANTAGE = 0,
    OBS_GROUP_SECTOR,
    OBS_GROUP_DNS,
    OBS_GROUP_HOSTING,
    OBS_GROUP_PREFIX,
    OBS_GROUP_COUNT_
};
/* "vantage", "sector", "dns", "hosting", "prefix"; NULL out of range */
const char *obs_group_kind_name(enum obs_group_kind k);
bool obs_group_kind_parse(const char *s, enum obs_group_kind *out);

enum obs_fate {
    OBS_FATE_NONE = 0, /* not anomalous */
    OBS_FATE_SITE,     /* its own site alert */
    OBS_FATE_GROUP,    /* a member of a kept correlated group */
    OBS_FATE_VANTAGE   /* a vantage point's problem, not the site's */
};
const char *obs_fate_name(enum obs_fate f); /* "none" "site" ... */

/* The /24 (IPv4) or /48 (IPv6) of a textual address, as
 * "203.0.113.0/24" or "2001:db8:1::/48"; an IPv4-mapped IPv6 address
 * counts as IPv4. False (out = "") for anything else ("" too). */
bool obs_addr_prefix(const char *addr, char *out, size_t cap);

/* One observed site. Strings are borrowed: they must outlive the
 * result; NULL counts as "". */
struct obs_corr_site {
    int64_t site_id;          /* unique in the input */
    const char *sector;       /* sector id */
    const char *prefix;       /* obs_addr_prefix of its last address */
    const char *dns;          /* DNS provider */
    const char *hosting;      /* hosting network */
    uint32_t probed;          /* bit i: vantages[i] probed it recently */
    uint32_t anomalous;       /* bit i: vantages[i] sees it slow/unreachable */
    enum obs_state condition; /* SLOW or UNREACHABLE when anomalous */
    enum obs_phase phase;     /* the phase that degraded most */
    int64_t since;            /* anomalous since (unix s) */
};

struct obs_group {
    enum obs_group_kind kind;
    const char *key;    /* borrowed: a site's string or a vantage id */
    const char *sector; /* the members' sector (a vantage group's: "" unless
                           all share one) */
    enum obs_state condition; /* most members' (a tie: UNREACHABLE) */
    enum obs_phase phase;     /* most members' (a tie: the lower enum) */
    int64_t since;            /* the earliest member's */
    size_t size;           /* sites in the group (vantage: sites it probed) */
    size_t nmembers;       /* anomalous members counted */
    unsigned same_as;      /* bit (1u << kind): a group of that kind had
                              the same members and was dropped for this */
    const size_t *members; /* indices into the input sites, by site id */
};

struct obs_corr_result {
    struct obs_group *groups;
    size_t ngroups;
    enum obs_fate *fate; /* one per input site */
    size_t *store_;      /* owned member storage */
};

/* Correlates n sites seen by nvantages vantage points (ids, for the
 * vantage groups' keys). Returns IS_OK with *out filled (free with
 * obs_corr_free, also after an error), IS_ERR_INVALID when nvantages >
 * OBS_CORR_MAX_VANTAGES or two sites share an id, IS_ERR_NOMEM. */
int obs_correlate(const struct obs_corr_site *sites, size_t n,
                  const char *const *vantages, size_t nvantages,
                  struct obs_corr_result *out);
void obs_corr_free(struct obs_corr_result *r);

/* The reason of a group in Japanese and English. name_ja / name_en name
 * the key for people (a sector's name, say; NULL = the key itself), e.g.
 *   "30 of 200 sites of sector Energy slow at once; connect degraded most"
 *   「分野「電力」の200サイト中30サイトが同時に低速。最も悪化した段階: 接続」
 *   vantage: "vantage point osaka-1 alone sees 40 of its 50 sites slow
 *   (the other vantage points see them normal): a problem of the vantage
 *   point, not of the sites" / 「観測点「osaka-1」だけが50サイト中40サイト
 *   を低速と観測（他の観測点では正常）: サイトではなく観測点の問題」
 * Returns false when a text did not fit (OBS_REASON_MAX fits names up to
 * 64 bytes). */
bool obs_group_reason(const struct obs_group *g, const char *name_ja,
                      const char *name_en, char *ja, size_t ja_cap, char *en,
                      size_t en_cap);

/* A count of sites (or of their states) as shown to a reader
 * (docs/rules.md "Aggregates"): exact (exact: the reader sees every site
 * it counts). To any other reader, seen of the v are sites it sees (its
 * own, its members'): they are added exactly, and the others (v - seen)
 * rounded down to a multiple of OBS_COUNT_SMALL; -1 (shown "<5") when it
 * sees none of them and the others are fewer than OBS_COUNT_SMALL (0
 * too). So the true count is always within [shown, shown + 4] (0..4 for
 * "<5"), and what the answer tells about the sites the reader does not
 * see is only their count divided by OBS_COUNT_SMALL: neither a small
 * count, nor the difference of two counts (one site's state change, its
 * pause), nor the reader's moving its own count to a boundary tells
 * about one of them. seen is clamped to 0..v. */
#define OBS_COUNT_SMALL 5
int64_t obs_count_shown(int64_t v, int64_t seen, bool exact);
/* The same in words, for texts: exact "17"; else "at least 15" / "15以上",
 * or "fewer than 5" / "5未満". False when it did not fit. */
bool obs_count_text(int64_t v, int64_t seen, bool exact, bool japanese,
                    char *out, size_t cap);
/* What a reader sees of a group's (an alert's) two counts: exact, or how
 * many of its members (the alert's sites) and of the group's sites are
 * sites it sees (obs_count_shown's seen). */
struct obs_seen {
    bool exact;
    int64_t members, size;
};
/* obs_group_reason with the counts (members, size) as obs_count_text
 * gives them to a reader (seen NULL or exact: the very text of
 * obs_group_reason), e.g. "at least 5 of at least 15 sites of sector
 * railway slow at once" /
 * 「分野「railway」の15以上のサイトのうち5以上のサイトが同時に低速」. A size
 * of 0 (not known) is left out: "at least 5 sites of sector ...". */
bool obs_group_reason_shown(const struct obs_group *g,
                            const struct obs_seen *seen, const char *name_ja,
                            const char *name_en, char *ja, size_t ja_cap,
                            char *en, size_t en_cap);

/* The reason of a stored correlated alert (kind "sector", "dns",
 * "hosting", "prefix" or "vantage"; its key, condition "slow" or
 * "unreachable", phase name or "", count of sites and the group's size,
 * 0 when not known) as obs_group_reason_shown writes it. False for a site
 * alert's kind (its reason, the site's own, counts no sites) or any other,
 * or when a text did not fit. */
bool obs_alert_reason_shown(const char *kind, const char *key,
                            const char *condition, const char *phase,
                            int64_t count, int64_t size,
                            const struct obs_seen *seen, char *ja,
                            size_t ja_cap, char *en, size_t en_cap);

#endif
