/*
 * test_obs_correlate.c - correlation of anomalous websites
 * (core/obs_correlate.h): the scenarios at the rule level (a DDoS
 * on one sector, one site's outage, a DNS provider's failure, a slow
 * vantage point), the window, ties between groups with the same members,
 * determinism, address prefixes and the reason texts.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/obs_correlate.h"

#define T 1796099400LL
#define NSECT 5
#define PER 200
#define NSITES (NSECT * PER)
#define HUB 1u
#define OSAKA 2u
#define BOTH (HUB | OSAKA)

static const char *const sectors[NSECT] = {"energy", "finance", "water", "gov",
                                           "telecom"};
static const char *const dnss[3] = {"ns.a.test", "ns.b.test", "ns.c.test"};
static const char *const hostings[4] = {"AS64500", "AS64501", "AS64502",
                                        "AS64503"};
static const char *const vantages[2] = {"hub", "osaka-1"};
static char prefixes[NSECT][4][OBS_PREFIX_MAX];
static struct obs_corr_site world[NSITES];

/* 1,000 sites: 5 sectors of 200; site i of a sector uses DNS provider
 * i % 3, hosting network (i / 10) % 4, prefix 10.<sector>.<i / 50>.0/24
 * (4 of 50 sites per sector); both vantage points probe every site; none
 * anomalous. */
static void world_reset(void)
{
    for (int s = 0; s < NSECT; s++)
        for (int p = 0; p < 4; p++) {
            char addr[32];
            int r = snprintf(addr, sizeof addr, "10.%d.%d.77", s, p);
            assert_true(r > 0 && (size_t)r < sizeof addr);
            assert_true(
                obs_addr_prefix(addr, prefixes[s][p], sizeof prefixes[s][p]));
        }
    for (int s = 0; s < NSECT; s++)
        for (int i = 0; i < PER; i++) {
            struct obs_corr_site *x = &world[s * PER + i];
            memset(x, 0, sizeof *x);
            x->site_id = s * 1000 + i + 1;
            x->sector = sectors[s];
            x->dns = dnss[i % 3];
            x->hosting = hostings[(i / 10) % 4];
            x->prefix = prefixes[s][i / 50];
            x->probed = BOTH;
        }
}

static void anomalous(struct obs_corr_site *x, uint32_t seen,
                      enum obs_state cond, enum obs_phase phase, int64_t since)
{
    x->anomalous = seen;
    x->condition = cond;
    x->phase = phase;
    x->since = since;
}

static size_t count_fate(const struct obs_corr_result *r, size_t n,
                         enum obs_fate f)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += r->fate[i] == f;
    return c;
}

static void assert_members_sorted(const struct obs_group *g,
                                  const struct obs_corr_site *sites)
{
    for (size_t i = 1; i < g->nmembers; i++)
        assert_true(sites[g->members[i - 1]].site_id <
                    sites[g->members[i]].site_id);
}

/* A DDoS on one sector: 30 of its 200 sites slow from both vantage
 * points within 3 minutes -> exactly one group, kind sector (the prefix
 * groups the 30 also fill are strict subsets of it and dropped), each of
 * the 30 covered by it, no site alert. */
static void t_sector_ddos(void **state)
{
    (void)state;
    world_reset();
    for (int k = 0; k < 30; k++)
        anomalous(&world[6 * k + k % 6], BOTH, OBS_STATE_SLOW,
                  OBS_PHASE_CONNECT, T + (k % 3) * 60);
    struct obs_corr_result r;
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    const struct obs_group *g = &r.groups[0];
    assert_int_equal(g->kind, OBS_GROUP_SECTOR);
    assert_string_equal(g->key, "energy");
    assert_string_equal(g->sector, "energy");
    assert_int_equal(g->nmembers, 30);
    assert_int_equal(g->size, PER);
    assert_int_equal(g->condition, OBS_STATE_SLOW);
    assert_int_equal(g->phase, OBS_PHASE_CONNECT);
    assert_true(g->since == T);
    assert_members_sorted(g, world);
    for (size_t i = 0; i < g->nmembers; i++)
        assert_int_equal(r.fate[g->members[i]], OBS_FATE_GROUP);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_GROUP), 30);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_SITE), 0);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_NONE), NSITES - 30);
    obs_corr_free(&r);

    /* 19 of 200 (below 10 %): no sector group (prefix groups of 5 of
     * 50 remain) */
    world_reset();
    for (int k = 0; k < 19; k++)
        anomalous(&world[10 * k], BOTH, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    for (size_t i = 0; i < r.ngroups; i++) /* a prefix may hold 5 */
        assert_int_not_equal(r.groups[i].kind, OBS_GROUP_SECTOR);
    obs_corr_free(&r);

    /* 20 of 200: a group again */
    world_reset();
    for (int k = 0; k < 20; k++)
        anomalous(&world[10 * k], BOTH, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.groups[0].kind, OBS_GROUP_SECTOR);
    obs_corr_free(&r);

    /* one vantage point only: the same DDoS is still one sector group */
    world_reset();
    for (int i = 0; i < NSITES; i++)
        world[i].probed = HUB;
    for (int k = 0; k < 30; k++)
        anomalous(&world[PER + 6 * k], HUB, OBS_STATE_UNREACHABLE,
                  OBS_PHASE_TTFB, T);
    assert_int_equal(obs_correlate(world, NSITES, vantages, 1, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    assert_string_equal(r.groups[0].key, "finance");
    assert_int_equal(r.groups[0].condition, OBS_STATE_UNREACHABLE);
    obs_corr_free(&r);
}

/* One site's outage -> that site only (its own alert); two of one sector
 * and one of another -> three site alerts, no group. */
static void t_single_site(void **state)
{
    (void)state;
    world_reset();
    anomalous(&world[42], BOTH, OBS_STATE_UNREACHABLE, OBS_PHASE_CONNECT, T);
    struct obs_corr_result r;
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    assert_int_equal(r.ngroups, 0);
    assert_int_equal(r.fate[42], OBS_FATE_SITE);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_SITE), 1);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_NONE), NSITES - 1);
    obs_corr_free(&r);

    anomalous(&world[43], HUB, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    anomalous(&world[PER + 5], OSAKA, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    assert_int_equal(r.ngroups, 0);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_SITE), 3);
    obs_corr_free(&r);
}

/* A DNS provider fails: every site using it (a third of every sector)
 * unreachable. A DNS group is one sector's (rule 2: a correlated group
 * never counts another sector's sites; outside review F3), so each sector
 * has one group: its DNS group has the sector group's members, and the
 * sector group is kept naming it (same_as); the prefix and hosting groups
 * of the sector are strict subsets. */
static void t_dns_provider(void **state)
{
    (void)state;
    world_reset();
    size_t n = 0;
    for (int i = 0; i < NSITES; i++)
        if (strcmp(world[i].dns, "ns.b.test") == 0) {
            anomalous(&world[i], BOTH, OBS_STATE_UNREACHABLE, OBS_PHASE_DNS,
                      T + (i % 3) * 40);
            n++;
        }
    struct obs_corr_result r;
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    assert_int_equal(r.ngroups, NSECT);
    size_t sum = 0;
    for (size_t k = 0; k < r.ngroups; k++) {
        const struct obs_group *x = &r.groups[k];
        assert_int_equal(x->kind, OBS_GROUP_SECTOR);
        assert_int_equal(x->same_as, 1u << OBS_GROUP_DNS);
        assert_string_equal(x->sector, x->key);
        assert_int_equal(x->size, PER);
        for (size_t i = 0; i < x->nmembers; i++)
            assert_string_equal(world[x->members[i]].sector, x->sector);
        assert_int_equal(x->condition, OBS_STATE_UNREACHABLE);
        assert_int_equal(x->phase, OBS_PHASE_DNS);
        assert_members_sorted(x, world);
        sum += x->nmembers;
    }
    assert_int_equal(sum, n);
    const struct obs_group *g = &r.groups[0];
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_GROUP), n);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_SITE), 0);

    /* the same input in reverse order: the same answer */
    static struct obs_corr_site rev[NSITES];
    for (int i = 0; i < NSITES; i++)
        rev[i] = world[NSITES - 1 - i];
    struct obs_corr_result r2;
    assert_int_equal(obs_correlate(rev, NSITES, vantages, 2, &r2), IS_OK);
    assert_int_equal(r2.ngroups, r.ngroups);
    assert_int_equal(r2.groups[0].nmembers, g->nmembers);
    for (size_t i = 0; i < g->nmembers; i++)
        assert_true(rev[r2.groups[0].members[i]].site_id ==
                    world[g->members[i]].site_id);
    for (int i = 0; i < NSITES; i++)
        assert_int_equal(r2.fate[i], r.fate[NSITES - 1 - i]);
    obs_corr_free(&r2);
    obs_corr_free(&r);
}

/* A slow vantage point: osaka-1 sees every site slow, the hub sees them
 * normal -> one 'vantage' group and no site or sector alert. */
static void t_slow_vantage(void **state)
{
    (void)state;
    world_reset();
    for (int i = 0; i < NSITES; i++)
        anomalous(&world[i], OSAKA, OBS_STATE_SLOW, OBS_PHASE_CONNECT, T);
    struct obs_corr_result r;
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.groups[0].kind, OBS_GROUP_VANTAGE);
    assert_string_equal(r.groups[0].key, "osaka-1");
    assert_int_equal(r.groups[0].nmembers, NSITES);
    assert_int_equal(r.groups[0].size, NSITES);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_VANTAGE), NSITES);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_SITE), 0);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_GROUP), 0);
    obs_corr_free(&r);

    /* ... and a real outage at the same time, seen from the hub too: the
     * site's own alert; the vantage group does not swallow it */
    anomalous(&world[7], BOTH, OBS_STATE_UNREACHABLE, OBS_PHASE_CONNECT, T);
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.groups[0].nmembers, NSITES - 1);
    assert_int_equal(r.fate[7], OBS_FATE_SITE);
    obs_corr_free(&r);

    /* a vantage point probing 40 sites, 30 of them slow from there only
     * (>= 50 %): its problem */
    world_reset();
    for (int i = 0; i < NSITES; i++)
        world[i].probed = i < 40 ? BOTH : HUB;
    for (int i = 0; i < 30; i++)
        anomalous(&world[i], OSAKA, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.groups[0].kind, OBS_GROUP_VANTAGE);
    assert_int_equal(r.groups[0].size, 40);
    obs_corr_free(&r);

    /* 19 of its 40 (< 50 %): not flagged; the 19 are the sites' own
     * problem (here: all in one /24, so a prefix group) */
    world_reset();
    for (int i = 0; i < NSITES; i++)
        world[i].probed = i < 40 ? BOTH : HUB;
    for (int i = 0; i < 19; i++)
        anomalous(&world[i * 2], OSAKA, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    for (size_t i = 0; i < r.ngroups; i++)
        assert_int_not_equal(r.groups[i].kind, OBS_GROUP_VANTAGE);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_VANTAGE), 0);
    obs_corr_free(&r);

    /* two sites slow from osaka only: no vantage problem, site alerts */
    world_reset();
    anomalous(&world[1], OSAKA, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    anomalous(&world[500], OSAKA, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    assert_int_equal(r.ngroups, 0);
    assert_int_equal(count_fate(&r, NSITES, OBS_FATE_SITE), 2);
    obs_corr_free(&r);

    /* a sector DDoS seen from both is not a vantage problem */
    world_reset();
    for (int k = 0; k < 30; k++)
        anomalous(&world[2 * PER + k], BOTH, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    assert_int_equal(obs_correlate(world, NSITES, vantages, 2, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.groups[0].kind, OBS_GROUP_SECTOR);
    assert_string_equal(r.groups[0].key, "water");
    assert_int_equal(r.groups[0].same_as, 1u << OBS_GROUP_PREFIX);
    obs_corr_free(&r);
}

/* "At once": a sector of 20 with one site down for ten days and two new
 * anomalies is no group (the densest 30 minutes hold 2); a third new one
 * makes a group of the three, the old outage keeps its own alert. */
static void t_window(void **state)
{
    (void)state;
    struct obs_corr_site s[20];
    memset(s, 0, sizeof s);
    for (int i = 0; i < 20; i++) {
        s[i].site_id = 100 + i;
        s[i].sector = "water";
        s[i].probed = HUB;
    }
    anomalous(&s[0], HUB, OBS_STATE_UNREACHABLE, OBS_PHASE_CONNECT,
              T - 10 * 86400);
    anomalous(&s[5], HUB, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    anomalous(&s[6], HUB, OBS_STATE_SLOW, OBS_PHASE_TTFB, T + 600);
    struct obs_corr_result r;
    assert_int_equal(obs_correlate(s, 20, vantages, 1, &r), IS_OK);
    assert_int_equal(r.ngroups, 0);
    assert_int_equal(count_fate(&r, 20, OBS_FATE_SITE), 3);
    obs_corr_free(&r);
    /* the third more than 30 minutes after the first: still none */
    anomalous(&s[7], HUB, OBS_STATE_SLOW, OBS_PHASE_TTFB, T + 1801);
    assert_int_equal(obs_correlate(s, 20, vantages, 1, &r), IS_OK);
    assert_int_equal(r.ngroups, 0);
    obs_corr_free(&r);
    /* within 30 minutes of the first: a group of 3 (and 7 joins it) */
    anomalous(&s[8], HUB, OBS_STATE_SLOW, OBS_PHASE_TTFB, T + 1200);
    assert_int_equal(obs_correlate(s, 20, vantages, 1, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.groups[0].nmembers, 4);
    assert_true(r.groups[0].since == T);
    assert_int_equal(r.groups[0].condition, OBS_STATE_SLOW);
    assert_int_equal(r.fate[0], OBS_FATE_SITE);
    assert_int_equal(r.fate[7], OBS_FATE_GROUP);
    obs_corr_free(&r);
}

/* Groups with the same members: one is kept, by kind order (sector,
 * dns, hosting, prefix), naming the others in same_as; groups that
 * overlap without one holding the other are all kept. */
static void t_same_members(void **state)
{
    (void)state;
    struct obs_corr_site s[40];
    memset(s, 0, sizeof s);
    for (int i = 0; i < 40; i++) {
        s[i].site_id = i + 1;
        s[i].sector = i < 20 ? "gas" : "rail";
        s[i].prefix = "192.0.2.0/24"; /* all 40 */
        s[i].probed = HUB;
    }
    for (int i = 0; i < 5; i++)
        anomalous(&s[i], HUB, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    struct obs_corr_result r;
    assert_int_equal(obs_correlate(s, 40, vantages, 1, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.groups[0].kind, OBS_GROUP_SECTOR);
    assert_int_equal(r.groups[0].same_as, 1u << OBS_GROUP_PREFIX);
    obs_corr_free(&r);
    /* the /24 holds the first 10 gas sites only, and they use one DNS
     * provider: still the sector */
    for (int i = 0; i < 40; i++) {
        s[i].prefix = i < 10 ? "192.0.2.0/24" : "198.51.100.0/24";
        s[i].dns = i < 10 ? "ns.small.test" : "ns.big.test";
    }
    assert_int_equal(obs_correlate(s, 40, vantages, 1, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.groups[0].kind, OBS_GROUP_SECTOR);
    assert_string_equal(r.groups[0].key, "gas");
    assert_int_equal(r.groups[0].same_as,
                     (1u << OBS_GROUP_PREFIX) | (1u << OBS_GROUP_DNS));
    obs_corr_free(&r);
    /* a sixth anomalous gas site outside the /24 and the provider: the
     * sector holds the other two strictly */
    anomalous(&s[15], HUB, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    assert_int_equal(obs_correlate(s, 40, vantages, 1, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.groups[0].nmembers, 6);
    assert_int_equal(r.groups[0].same_as, 0);
    obs_corr_free(&r);
    /* overlapping groups, neither inside another: all kept, in kind then
     * key order; a hosting group is one sector's */
    memset(s, 0, sizeof s);
    for (int i = 0; i < 40; i++) {
        s[i].site_id = i + 1;
        s[i].sector = i < 20 ? "gas" : "rail";
        s[i].hosting = i >= 3 && i < 23 ? "AS64510" : "AS64511";
        s[i].probed = HUB;
    }
    for (int i = 0; i < 5; i++) {
        anomalous(&s[i], HUB, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
        anomalous(&s[20 + i], HUB, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    }
    /* gas: 0..4; rail: 20..24; AS64510 of gas: 3, 4 (of 17), of rail:
     * 20, 21, 22 (of 3); AS64511 of gas: 0, 1, 2 (of 3), of rail: 23, 24
     * (of 17). Across sectors each hosting network had 5 of 20 anomalous
     * (and made an alert counting both sectors' sites); one sector's are
     * too few or inside the sector's group */
    assert_int_equal(obs_correlate(s, 40, vantages, 1, &r), IS_OK);
    assert_int_equal(r.ngroups, 2);
    assert_int_equal(r.groups[0].kind, OBS_GROUP_SECTOR);
    assert_string_equal(r.groups[0].key, "gas");
    assert_string_equal(r.groups[1].key, "rail");
    assert_int_equal(r.groups[0].same_as, 0);
    assert_int_equal(count_fate(&r, 40, OBS_FATE_GROUP), 10);
    obs_corr_free(&r);
    /* overlapping groups of one sector, neither inside another: both kept
     * (kind, then key order). Sites of no sector (no sector group) */
    memset(s, 0, sizeof s);
    for (int i = 0; i < 40; i++) {
        s[i].site_id = i + 1;
        s[i].hosting = i < 5 ? "AS64510" : "AS64511";
        s[i].prefix = i >= 3 && i < 8 ? "192.0.2.0/24" : "198.51.100.0/24";
        s[i].probed = HUB;
    }
    for (int i = 0; i < 8; i++)
        anomalous(&s[i], HUB, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    /* AS64510: 0..4 of 5; 192.0.2.0/24: 3..7 of 5 */
    assert_int_equal(obs_correlate(s, 40, vantages, 1, &r), IS_OK);
    assert_int_equal(r.ngroups, 2);
    assert_int_equal(r.groups[0].kind, OBS_GROUP_HOSTING);
    assert_string_equal(r.groups[0].key, "AS64510");
    assert_int_equal(r.groups[1].kind, OBS_GROUP_PREFIX);
    assert_string_equal(r.groups[1].key, "192.0.2.0/24");
    assert_int_equal(r.groups[0].nmembers, 5);
    assert_int_equal(count_fate(&r, 40, OBS_FATE_GROUP), 8);
    obs_corr_free(&r);
}

/* Found by an outside review (F3): five railway sites and one gas site
 * on one /24 unreachable. The gas site made a 'prefix' alert of railway
 * (6 sites; the railway sector group a strict subset of it), read by the
 * railway secretariat and ministry, and no alert of its own. A prefix
 * group is one sector's: railway's alert counts railway's five sites
 * alone (the same as without the gas site) and the gas site is left to
 * itself (its site alert). */
static void t_other_sector_in_a_prefix(void **state)
{
    (void)state;
    struct obs_corr_site s[12];
    memset(s, 0, sizeof s);
    for (int i = 0; i < 12; i++) {
        s[i].site_id = i + 1;
        s[i].sector = i < 6 ? "railway" : "gas";
        s[i].prefix = i < 5 || i == 6 ? "127.0.0.0/24" : "127.0.9.0/24";
        s[i].probed = HUB;
    }
    for (int i = 0; i < 5; i++)
        anomalous(&s[i], HUB, OBS_STATE_UNREACHABLE, OBS_PHASE_CONNECT, T + i);
    struct obs_corr_result before, r;
    assert_int_equal(obs_correlate(s, 12, vantages, 1, &before), IS_OK);
    anomalous(&s[6], HUB, OBS_STATE_UNREACHABLE, OBS_PHASE_CONNECT, T + 60);
    assert_int_equal(obs_correlate(s, 12, vantages, 1, &r), IS_OK);
    assert_int_equal(r.ngroups, 1);
    assert_int_equal(r.groups[0].kind, OBS_GROUP_SECTOR);
    assert_string_equal(r.groups[0].key, "railway");
    assert_int_equal(r.groups[0].nmembers, 5);
    for (size_t i = 0; i < r.groups[0].nmembers; i++)
        assert_string_equal(s[r.groups[0].members[i]].sector, "railway");
    assert_int_equal(r.fate[6], OBS_FATE_SITE);
    /* railway's alert as without the gas site */
    assert_int_equal(before.ngroups, 1);
    assert_int_equal(before.groups[0].kind, r.groups[0].kind);
    assert_int_equal(before.groups[0].nmembers, r.groups[0].nmembers);
    assert_int_equal(before.groups[0].size, r.groups[0].size);
    assert_int_equal(before.groups[0].same_as, r.groups[0].same_as);
    obs_corr_free(&before);
    obs_corr_free(&r);
}

static void t_errors_and_empty(void **state)
{
    (void)state;
    struct obs_corr_site s[3];
    memset(s, 0, sizeof s);
    s[0].site_id = 1;
    s[1].site_id = 2;
    s[2].site_id = 1;
    struct obs_corr_result r;
    assert_int_equal(obs_correlate(s, 3, vantages, 1, &r), IS_ERR_INVALID);
    assert_null(r.groups);
    obs_corr_free(&r);
    assert_int_equal(obs_correlate(s, 2, vantages, 33, &r), IS_ERR_INVALID);
    obs_corr_free(&r);
    assert_int_equal(obs_correlate(NULL, 0, vantages, 2, &r), IS_OK);
    assert_int_equal(r.ngroups, 0);
    obs_corr_free(&r);
    /* NULL strings count as "": no group of them */
    for (int i = 0; i < 3; i++) {
        s[i].site_id = i + 1;
        anomalous(&s[i], HUB, OBS_STATE_SLOW, OBS_PHASE_TTFB, T);
    }
    assert_int_equal(obs_correlate(s, 3, vantages, 1, &r), IS_OK);
    assert_int_equal(r.ngroups, 0);
    assert_int_equal(count_fate(&r, 3, OBS_FATE_SITE), 3);
    obs_corr_free(&r);
    /* anomalous bits past nvantages are ignored */
    s[0].anomalous = 4;
    s[1].anomalous = 4;
    s[2].anomalous = 4;
    assert_int_equal(obs_correlate(s, 3, vantages, 2, &r), IS_OK);
    assert_int_equal(count_fate(&r, 3, OBS_FATE_NONE), 3);
    obs_corr_free(&r);
    obs_corr_free(NULL);
}

static void t_names(void **state)
{
    (void)state;
    for (int k = 0; k < OBS_GROUP_COUNT_; k++) {
        enum obs_group_kind back;
        assert_true(obs_group_kind_parse(obs_group_kind_name(k), &back));
        assert_int_equal(back, k);
    }
    enum obs_group_kind k;
    assert_false(obs_group_kind_parse("site", &k));
    assert_string_equal(obs_fate_name(OBS_FATE_VANTAGE), "vantage");
}

static void t_addr_prefix(void **state)
{
    (void)state;
    static const struct {
        const char *addr, *want;
    } rows[] = {
        {"203.0.113.77", "203.0.113.0/24"},
        {"127.10.0.42", "127.10.0.0/24"},
        {"2001:db8:1:2:3::4", "2001:db8:1::/48"},
        {"2001:db8:abcd:ffff::1", "2001:db8:abcd::/48"},
        {"::ffff:198.51.100.9", "198.51.100.0/24"},
        {"::1", "::/48"},
        {"", ""},
        {"example.org", ""},
        {"1.2.3", ""},
        {"1.2.3.4/24", ""},
        {"256.1.1.1", ""},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        char out[OBS_PREFIX_MAX] = "x";
        bool ok = obs_addr_prefix(rows[i].addr, out, sizeof out);
        assert_int_equal(ok, rows[i].want[0] != '\0');
        assert_string_equal(out, rows[i].want);
    }
    char small[8] = "x";
    assert_false(obs_addr_prefix("203.0.113.77", small, sizeof small));
    assert_string_equal(small, "");
    assert_false(obs_addr_prefix(NULL, small, sizeof small));
}

static void t_reason(void **state)
{
    (void)state;
    char ja[OBS_REASON_MAX], en[OBS_REASON_MAX];
    struct obs_group g = {OBS_GROUP_SECTOR,
                          "energy",
                          "energy",
                          OBS_STATE_SLOW,
                          OBS_PHASE_CONNECT,
                          T,
                          200,
                          30,
                          0,
                          NULL};
    assert_true(obs_group_reason(&g, "電力", "Electricity", ja, sizeof ja, en,
                                 sizeof en));
    assert_string_equal(en, "30 of 200 sites of sector Electricity slow at "
                            "once; connect degraded most");
    assert_string_equal(ja, "分野「電力」の200サイト中30サイトが同時に低速。"
                            "最も悪化した段階: 接続");
    g = (struct obs_group){OBS_GROUP_DNS,
                           "ns.b.test",
                           "",
                           OBS_STATE_UNREACHABLE,
                           OBS_PHASE_TOTAL,
                           T,
                           333,
                           333,
                           0,
                           NULL};
    assert_true(obs_group_reason(&g, NULL, NULL, ja, sizeof ja, en, sizeof en));
    assert_string_equal(
        en,
        "333 of 333 sites using DNS provider ns.b.test unreachable at once");
    assert_string_equal(
        ja,
        "DNSプロバイダ「ns.b.test」を使う333サイト中333サイトが同時に到達不能");
    g = (struct obs_group){OBS_GROUP_VANTAGE,
                           "osaka-1",
                           "",
                           OBS_STATE_SLOW,
                           OBS_PHASE_CONNECT,
                           T,
                           50,
                           40,
                           0,
                           NULL};
    assert_true(obs_group_reason(&g, NULL, NULL, ja, sizeof ja, en, sizeof en));
    assert_string_equal(en, "vantage point osaka-1 alone sees 40 of its 50 "
                            "sites slow (the other vantage points see them "
                            "normal): a problem of the vantage point, not of "
                            "the sites");
    assert_string_equal(ja, "観測点「osaka-1」だけが50サイト中40サイトを低速と"
                            "観測（他の観測点では正常）: "
                            "サイトではなく観測点の問題");
    g.kind = OBS_GROUP_PREFIX;
    g.key = "192.0.2.0/24";
    assert_true(obs_group_reason(&g, NULL, NULL, ja, sizeof ja, en, sizeof en));
    assert_string_equal(en, "40 of 50 sites in address block 192.0.2.0/24 "
                            "slow at once; connect degraded most");
    g.kind = OBS_GROUP_HOSTING;
    g.key = "AS64500";
    assert_true(obs_group_reason(&g, NULL, NULL, ja, sizeof ja, en, sizeof en));
    assert_string_equal(ja, "ホスティング網「AS64500」上の50サイト中40サイトが"
                            "同時に低速。最も悪化した段階: 接続");
    assert_false(obs_group_reason(&g, NULL, NULL, ja, 12, en, sizeof en));
}

/* Counts as a reader who does not see every site counted gets them
 * (docs/rules.md "Aggregates"): the sites it sees exactly, the others
 * "<5" below 5, else rounded down to multiples of 5 — the very rule of
 * GET /observation/sectors, in alerts' texts too. */
static void t_counts_shown(void **state)
{
    (void)state;
    assert_int_equal(obs_count_shown(17, 0, true), 17);
    assert_int_equal(obs_count_shown(17, 3, true), 17);
    assert_int_equal(obs_count_shown(0, 0, true), 0);
    assert_int_equal(obs_count_shown(0, 0, false), -1);
    assert_int_equal(obs_count_shown(4, 0, false), -1);
    assert_int_equal(obs_count_shown(5, 0, false), 5);
    assert_int_equal(obs_count_shown(9, 0, false), 5);
    assert_int_equal(obs_count_shown(17, 0, false), 15);
    assert_int_equal(obs_count_shown(16, 0, false), 15); /* one site paused */
    /* the reader's own sites are added exactly, the others rounded */
    assert_int_equal(obs_count_shown(4, 4, false), 4);
    assert_int_equal(obs_count_shown(8, 4, false), 4);
    assert_int_equal(obs_count_shown(9, 4, false), 9);
    assert_int_equal(obs_count_shown(17, 3, false), 13);
    assert_int_equal(obs_count_shown(3, 9, false), 3); /* seen clamped */
    assert_int_equal(obs_count_shown(7, -2, false), 5);
    /* an operator with 4 sites beside 5 others, and beside 4 (one of
     * them paused): it moves its own count by one, 4 -> 5 -> 6 sites, and
     * the difference of the two answers stays 1 — the count rounded as a
     * whole (5 -> 10, 10 -> 10, ...) turned one other site's pause into
     * a step of 5 at the boundary it chose */
    for (int64_t own = 0; own <= 12; own++) {
        int64_t before = obs_count_shown(own + 5, own, false);
        int64_t after = obs_count_shown(own + 4, own, false);
        assert_int_equal(before - (own ? own : 0), 5);
        assert_true(after < 0 ? own == 0 : after == own);
        /* and always true: the count within [shown, shown + 4] */
        for (int64_t others = 0; others < 30; others++) {
            int64_t v = own + others, sh = obs_count_shown(v, own, false);
            assert_true(sh < 0 ? v < 5 : sh <= v && v <= sh + 4);
            /* nothing of the others but others / 5 */
            assert_int_equal(sh < 0 ? 0 : sh - own, others - others % 5);
        }
    }
    char b[32];
    assert_true(obs_count_text(17, 0, true, false, b, sizeof b));
    assert_string_equal(b, "17");
    assert_true(obs_count_text(9, 0, false, false, b, sizeof b));
    assert_string_equal(b, "at least 5");
    assert_true(obs_count_text(9, 0, false, true, b, sizeof b));
    assert_string_equal(b, "5以上");
    assert_true(obs_count_text(3, 0, false, false, b, sizeof b));
    assert_string_equal(b, "fewer than 5");
    assert_true(obs_count_text(3, 0, false, true, b, sizeof b));
    assert_string_equal(b, "5未満");
    assert_true(obs_count_text(8, 2, false, false, b, sizeof b));
    assert_string_equal(b, "at least 7");
    assert_true(obs_count_text(6, 2, false, true, b, sizeof b));
    assert_string_equal(b, "2以上");
    assert_false(obs_count_text(17, 0, false, false, b, 4));
    char ja[OBS_REASON_MAX * 2], en[OBS_REASON_MAX * 2];
    struct obs_group g = {OBS_GROUP_SECTOR,
                          "railway",
                          "railway",
                          OBS_STATE_SLOW,
                          OBS_PHASE_TTFB,
                          T,
                          17,
                          9,
                          0,
                          NULL};
    /* exact: obs_group_reason's very text */
    char ja2[OBS_REASON_MAX], en2[OBS_REASON_MAX];
    const struct obs_seen exact = {true, 0, 0}, none = {false, 0, 0};
    assert_true(obs_group_reason_shown(&g, &exact, NULL, NULL, ja, sizeof ja,
                                       en, sizeof en));
    assert_true(
        obs_group_reason(&g, NULL, NULL, ja2, sizeof ja2, en2, sizeof en2));
    assert_string_equal(ja, ja2);
    assert_string_equal(en, en2);
    assert_string_equal(en, "9 of 17 sites of sector railway slow at once; "
                            "first byte degraded most");
    assert_true(obs_group_reason_shown(&g, &none, NULL, NULL, ja, sizeof ja, en,
                                       sizeof en));
    assert_string_equal(en, "at least 5 of at least 15 sites of sector "
                            "railway slow at once; first byte degraded most");
    assert_string_equal(ja, "分野「railway」の15以上のサイトのうち5以上のサイト"
                            "が同時に低速。最も悪化した段階: 最初の応答");
    /* the stored alert: a size not recorded is not said */
    assert_true(obs_alert_reason_shown("sector", "railway", "slow", "ttfb", 9,
                                       0, &none, ja, sizeof ja, en, sizeof en));
    assert_string_equal(en, "at least 5 sites of sector railway slow at "
                            "once; first byte degraded most");
    assert_true(obs_alert_reason_shown("dns", "ns.a.test", "unreachable", "dns",
                                       3, 7, &none, ja, sizeof ja, en,
                                       sizeof en));
    assert_string_equal(en, "fewer than 5 of at least 5 sites using DNS "
                            "provider ns.a.test unreachable at once; DNS "
                            "degraded most");
    assert_null(strstr(ja, "3"));
    assert_null(strstr(ja, "7"));
    assert_true(obs_alert_reason_shown("vantage", "v2", "slow", "", 28, 28,
                                       &none, ja, sizeof ja, en, sizeof en));
    assert_string_equal(en, "vantage point v2 alone sees at least 25 of its "
                            "at least 25 sites slow (the other vantage "
                            "points see them normal): a problem of the "
                            "vantage point, not of the sites");
    /* a site alert's reason is its site's own: not written here */
    assert_false(obs_alert_reason_shown("site", "12", "slow", "", 1, 1, &none,
                                        ja, sizeof ja, en, sizeof en));
    /* a secretariat that sees 2 of the 3 sites and 4 of the group's 7:
     * its own exactly, the others rounded */
    const struct obs_seen some = {false, 2, 4};
    assert_true(obs_alert_reason_shown("dns", "ns.a.test", "unreachable", "dns",
                                       3, 7, &some, ja, sizeof ja, en,
                                       sizeof en));
    assert_string_equal(en, "at least 2 of at least 4 sites using DNS "
                            "provider ns.a.test unreachable at once; DNS "
                            "degraded most");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_sector_ddos),
        cmocka_unit_test(t_single_site),
        cmocka_unit_test(t_dns_provider),
        cmocka_unit_test(t_slow_vantage),
        cmocka_unit_test(t_window),
        cmocka_unit_test(t_same_members),
        cmocka_unit_test(t_errors_and_empty),
        cmocka_unit_test(t_names),
        cmocka_unit_test(t_addr_prefix),
        cmocka_unit_test(t_reason),
        cmocka_unit_test(t_counts_shown),
        cmocka_unit_test(t_other_sector_in_a_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
