/*
 * test_obs_rules.c - the ingest's glue rules (service/obs_rules.h): a
 * site's state from its vantage points' states, and the correlation of
 * stored (site, vantage) states into the alerts wanted.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/obs_rules.h"

#define L OBS_STATE_LEARNING
#define N OBS_STATE_NORMAL
#define S OBS_STATE_SLOW
#define U OBS_STATE_UNREACHABLE
#define M OBS_STATE_MAINTENANCE

/* More than half of the vantages past learning see it anomalous (one of
 * one counts); unreachable by majority (a tie: unreachable); else normal
 * when one sees it normal; else learning. */
static void t_site_state_table(void **state)
{
    (void)state;
    static const struct {
        enum obs_state v[4];
        size_t n;
        enum obs_state want;
        int from;
    } rows[] = {
        {{L}, 0, L, -1},
        {{L}, 1, L, -1},
        {{N}, 1, N, 0},
        {{S}, 1, S, 0},
        {{U}, 1, U, 0},
        {{L, S}, 2, S, 1}, /* learning votes do not count */
        {{N, S}, 2, N, 0}, /* one of two: the vantage's trouble */
        {{S, N}, 2, N, 1},
        {{S, S}, 2, S, 0},
        {{S, U}, 2, U, 1}, /* a tie: unreachable */
        {{U, U, N}, 3, U, 0},
        {{S, S, U}, 3, S, 0},
        {{S, N, N}, 3, N, 1},
        {{M, M}, 2, M, 0},       /* in its maintenance window */
        {{M, S}, 2, S, 1},       /* maintenance is no judgement */
        {{N, S, S, N}, 4, N, 0}, /* half is not more than half */
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        struct obs_site_vote v[4];
        memset(v, 0, sizeof(v));
        for (size_t k = 0; k < rows[i].n; k++) {
            v[k].state = rows[i].v[k];
            v[k].ratio = 5.0;
            v[k].usual_ms = 100;
        }
        struct obs_site_verdict out;
        obs_rules_site_state(v, rows[i].n, &out);
        if (out.state != rows[i].want || out.from != rows[i].from)
            fail_msg("row %zu: state %d from %d, want %d from %d", i,
                     (int)out.state, out.from, (int)rows[i].want, rows[i].from);
    }
}

/* The agreeing probes of the followed vote's newest 5 verdicts. */
static void t_site_state_agree(void **state)
{
    (void)state;
    struct obs_site_vote v = {.state = S, .ratio = 9.3, .usual_ms = 120};
    enum obs_verdict seq[] = {OBS_VERDICT_OK, OBS_VERDICT_SLOW,
                              OBS_VERDICT_SLOW, OBS_VERDICT_DOWN,
                              OBS_VERDICT_SLOW};
    for (size_t i = 0; i < IS_ARRAY_LEN(seq); i++)
        v.window = obs_window_push(v.window, &v.window_n, seq[i]);
    struct obs_site_verdict out;
    obs_rules_site_state(&v, 1, &out);
    assert_int_equal(out.state, S);
    assert_int_equal(out.n, 5);
    assert_int_equal(out.agree, 4);
    v.state = U;
    obs_rules_site_state(&v, 1, &out);
    assert_int_equal(out.agree, 1);
}

static struct store_obs_anomaly_row row(int64_t site, const char *v,
                                        const char *vstate, const char *state,
                                        const char *sector, const char *org)
{
    struct store_obs_anomaly_row r;
    memset(&r, 0, sizeof(r));
    r.site_id = site;
    snprintf(r.vantage_id, sizeof(r.vantage_id), "%s", v);
    snprintf(r.vstate, sizeof(r.vstate), "%s", vstate);
    snprintf(r.state, sizeof(r.state), "%s", state);
    snprintf(r.sector, sizeof(r.sector), "%s", sector);
    snprintf(r.org, sizeof(r.org), "%s", org);
    /* each site on its own /24: no prefix group */
    snprintf(r.addr, sizeof(r.addr), "127.10.%d.1", (int)site);
    snprintf(r.dns, sizeof(r.dns), "ns%d.test", (int)site);
    r.since = r.vsince = 1000 + site;
    r.notify = site % 2;
    return r;
}

/* 20 gas sites, 6 slow together: one sector alert, and each of the 6 its
 * own site alert (a member of a group keeps it); 1 of 20 water sites
 * unreachable: a site alert with its organisation and opt-in. */
static void t_correlate_sector_and_site(void **state)
{
    (void)state;
    struct store_obs_anomaly_row rows[40];
    size_t n = 0;
    for (int i = 1; i <= 20; i++)
        rows[n++] = row(i, "hub", i <= 6 ? "slow" : "normal",
                        i <= 6 ? "slow" : "normal", "gas", "op-g");
    for (int i = 21; i <= 40; i++)
        rows[n++] = row(i, "hub", i == 21 ? "unreachable" : "normal",
                        i == 21 ? "unreachable" : "normal", "water", "op-w");
    struct obs_alert_groups g;
    assert_int_equal(obs_rules_correlate(rows, n, &g), IS_OK);
    assert_int_equal(g.n, 8);
    assert_string_equal(g.items[0].kind, "sector");
    assert_string_equal(g.items[0].key, "gas");
    assert_string_equal(g.items[0].sector, "gas");
    assert_int_equal(g.items[0].nsites, 6);
    assert_int_equal(g.items[0].size, 20);
    assert_true(g.items[0].reason_en[0] && g.items[0].reason_ja[0]);
    for (int i = 1; i <= 6; i++) {
        char key[16];
        snprintf(key, sizeof(key), "%d", i);
        assert_string_equal(g.items[i].kind, "site");
        assert_string_equal(g.items[i].key, key);
        assert_string_equal(g.items[i].org, "op-g");
        assert_false(g.items[i].unreachable);
    }
    assert_string_equal(g.items[7].kind, "site");
    assert_string_equal(g.items[7].key, "21");
    assert_string_equal(g.items[7].org, "op-w");
    assert_true(g.items[7].notify);
    assert_true(g.items[7].unreachable);
    obs_alert_groups_free(&g);
}

/* Two vantages: v2 alone sees 5 of its 5 sites slow, hub sees them
 * normal: a vantage alert, no site alert. */
static void t_correlate_vantage(void **state)
{
    (void)state;
    struct store_obs_anomaly_row rows[10];
    size_t n = 0;
    for (int i = 1; i <= 5; i++) {
        rows[n++] = row(i, "hub", "normal", "normal", "gas", "op-g");
        rows[n++] = row(i, "v2", "slow", "normal", "gas", "op-g");
    }
    struct obs_alert_groups g;
    assert_int_equal(obs_rules_correlate(rows, n, &g), IS_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.items[0].kind, "vantage");
    assert_string_equal(g.items[0].key, "v2");
    assert_int_equal(g.items[0].nsites, 5);
    obs_alert_groups_free(&g);
    /* nothing anomalous: nothing wanted */
    assert_int_equal(obs_rules_correlate(rows, 0, &g), IS_OK);
    assert_int_equal(g.n, 0);
    obs_alert_groups_free(&g);
}

/* The site alerts of op-a (what op-a reads of its own sites) with and
 * without op-b's site unreachable. */
static void own_site_alerts(const struct store_obs_anomaly_row *rows, size_t n,
                            char *out, size_t cap)
{
    struct obs_alert_groups g;
    assert_int_equal(obs_rules_correlate(rows, n, &g), IS_OK);
    out[0] = 0;
    for (size_t i = 0; i < g.n; i++)
        if (strcmp(g.items[i].kind, "site") == 0 &&
            strcmp(g.items[i].org, "op-a") == 0) {
            size_t l = strlen(out);
            snprintf(out + l, cap - l, "%s:%s:%d:%lld;", g.items[i].key,
                     g.items[i].phase, (int)g.items[i].unreachable,
                     (long long)g.items[i].since);
        }
    obs_alert_groups_free(&g);
}

/* Found by an outside review (F2): op-a registered two failing sites with
 * the hosting key of op-b's site (free text). When op-b's site failed,
 * the three made a hosting group whose alert covered op-a's two: their
 * site alerts closed, which told op-a of op-b's outage to the second. A
 * site keeps its own alert: what op-a reads of its sites is the same
 * whatever op-b's site does. */
static void t_own_site_alerts_never_depend_on_others(void **state)
{
    (void)state;
    struct store_obs_anomaly_row rows[3];
    for (int i = 0; i < 3; i++) {
        rows[i] = row(i + 1, "hub", i < 2 ? "unreachable" : "normal",
                      i < 2 ? "unreachable" : "normal", "gas",
                      i < 2 ? "op-a" : "op-b");
        snprintf(rows[i].hosting, sizeof(rows[i].hosting), "%s", "H-test");
    }
    char quiet[512], failed[512];
    own_site_alerts(rows, 3, quiet, sizeof(quiet));
    assert_string_equal(quiet, "1::1:1001;2::1:1002;");
    snprintf(rows[2].vstate, sizeof(rows[2].vstate), "unreachable");
    snprintf(rows[2].state, sizeof(rows[2].state), "unreachable");
    struct obs_alert_groups g;
    assert_int_equal(obs_rules_correlate(rows, 3, &g), IS_OK);
    bool grouped = false;
    for (size_t i = 0; i < g.n; i++)
        grouped = grouped || strcmp(g.items[i].kind, "site") != 0;
    assert_true(grouped); /* the group forms (its readers see it) */
    obs_alert_groups_free(&g);
    own_site_alerts(rows, 3, failed, sizeof(failed));
    assert_string_equal(failed, quiet);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_site_state_table),
        cmocka_unit_test(t_site_state_agree),
        cmocka_unit_test(t_correlate_sector_and_site),
        cmocka_unit_test(t_correlate_vantage),
        cmocka_unit_test(t_own_site_alerts_never_depend_on_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
