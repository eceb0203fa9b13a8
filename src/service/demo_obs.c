/*
 * demo_obs.c - the website observation part of the demo data set (see
 * service/demo.h, demo_obs_generate). Everything is synthetic and
 * deterministic (a site's numbers come from its id): the hosts are under
 * .example and the sites are demo = 1, so no prober ever contacts them.
 */
#include "service/demo.h"

#include <jansson.h>
#include <math.h>

#include "core/obs_baseline.h"
#include "core/obs_sketch.h"
#include "core/obs_state.h"

#define DEMO_OBS_DAYS 7
#define DEMO_OBS_PER_SCOPE 2 /* sites with a week of history per scope */
#define DEMO_OBS_ALERT_SCOPE "railway"
#define DEMO_OBS_ALERT_MAX 40 /* sites of the alert's scope with history */
#define DEMO_OBS_SLOW_EVERY 2 /* every 2nd of them is slow now */
#define DEMO_OBS_SLOW_RATIO 9.0
#define DEMO_OBS_SLOW_S 900 /* slow for the last 15 minutes */

/* The demo CEPTOARs' scopes (data/registry/20-ceptoars.json). */
static const char *const scopes[] = {"telecom",
                                     "cable_tv",
                                     "broadcasting",
                                     "banking",
                                     "securities",
                                     "life_insurance",
                                     "non_life_insurance",
                                     "aviation",
                                     "electricity",
                                     "gas",
                                     "local_government",
                                     "medical",
                                     "water",
                                     "logistics",
                                     "chemical",
                                     "credit",
                                     "petroleum"};

/* A small deterministic generator (xorshift) per site. */
static double rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* The site's usual total (ms) and the daily load: busier in Japan's
 * working hours. */
static double base_ms(int64_t site)
{
    return 60.0 + (double)((site * 37) % 300);
}

static double load_factor(int how)
{
    int hour = how % 24;
    return 1.0 + 0.35 * sin(2.0 * M_PI * (hour - 7) / 24.0);
}

/* One site's week of 5-minute rollups and its baselines; slow: the last
 * DEMO_OBS_SLOW_S seconds are DEMO_OBS_SLOW_RATIO times slower. The
 * rollups go to the store STORE_DEMO_ROLLUPS at a time. */
static int site_history(struct store_conn *c, int64_t site, int64_t now,
                        bool slow, struct demo_stats *stats)
{
    uint64_t seed = 0x9E3779B97F4A7C15ull ^ (uint64_t)site * 0x100000001B3ull;
    double base = base_ms(site);
    int64_t last = now - now % 300;
    int rc = IS_OK;
    struct store_demo_rollup batch[STORE_DEMO_ROLLUPS];
    unsigned char enc[STORE_DEMO_ROLLUPS][OBS_SKETCH_MAX_BYTES];
    size_t nb = 0;
    for (int64_t b = last - DEMO_OBS_DAYS * 86400; !rc && b < last; b += 300) {
        struct obs_sketch sk;
        obs_sketch_init(&sk);
        double f = load_factor(obs_hour_of_week(b));
        bool now_slow = slow && b >= now - DEMO_OBS_SLOW_S;
        for (int i = 0; i < 5; i++) {
            double v = base * f * (0.9 + 0.35 * rnd(&seed));
            obs_sketch_add(&sk, now_slow ? v * DEMO_OBS_SLOW_RATIO : v);
        }
        size_t len = obs_sketch_encode(&sk, enc[nb], sizeof(enc[nb]));
        if (!len) {
            rc = IS_ERR_INTERNAL;
            break;
        }
        double p50 = obs_sketch_quantile(&sk, 0.5);
        double fixed = base * f * 0.5; /* dns + connect + tls, usual */
        batch[nb] = (struct store_demo_rollup){
            .site_id = site,
            .bucket = b,
            .n = 5,
            .errors = 0,
            .p50 = p50,
            .p90 = obs_sketch_quantile(&sk, 0.9),
            .p99 = obs_sketch_quantile(&sk, 0.99),
            .dns = fixed * 0.2,
            .connect = fixed * 0.3,
            .tls = fixed * 0.5,
            .ttfb = p50 - fixed > 0 ? (p50 - fixed) * 0.8 : 0,
            .sketch = enc[nb],
            .sketch_len = len,
        };
        if (++nb == STORE_DEMO_ROLLUPS) {
            rc = store_demo_obs_rollups(c, batch, nb);
            stats->rollups += rc ? 0 : (int)nb;
            nb = 0;
        }
    }
    if (!rc && nb) {
        rc = store_demo_obs_rollups(c, batch, nb);
        stats->rollups += rc ? 0 : (int)nb;
    }
    double median[OBS_HOURS_OF_WEEK], mad[OBS_HOURS_OF_WEEK];
    for (int how = 0; how < OBS_HOURS_OF_WEEK; how++) {
        median[how] = base * load_factor(how) * (0.9 + 0.35 * 0.5);
        mad[how] = median[how] * 0.08;
    }
    if (!rc)
        rc = store_demo_obs_baselines(c, site, median, mad, OBS_HOURS_OF_WEEK,
                                      DEMO_OBS_DAYS * 12 / 7, now);
    return rc;
}

/* Marks site slow (4 of the last 5 probes) with its reason. */
static int site_slow(struct store_conn *c, int64_t site, int64_t now)
{
    int64_t w = 0;
    int n = 0;
    static const enum obs_verdict seq[] = {OBS_VERDICT_OK, OBS_VERDICT_SLOW,
                                           OBS_VERDICT_SLOW, OBS_VERDICT_SLOW,
                                           OBS_VERDICT_SLOW};
    for (size_t i = 0; i < IS_ARRAY_LEN(seq); i++)
        w = obs_window_push(w, &n, seq[i]);
    double usual = base_ms(site) * load_factor(obs_hour_of_week(now)) * 1.075;
    struct obs_reason_in why = {.state = OBS_STATE_SLOW,
                                .agree = 4,
                                .n = OBS_STATE_N,
                                .ratio = DEMO_OBS_SLOW_RATIO,
                                .usual_ms = usual,
                                .phase = OBS_PHASE_TTFB};
    char ja[OBS_REASON_MAX], en[OBS_REASON_MAX];
    if (!obs_state_reason(&why, ja, sizeof(ja), en, sizeof(en)))
        return IS_ERR_INTERNAL;
    return store_demo_obs_state(c, site, "slow", now - DEMO_OBS_SLOW_S + 240, w,
                                n, now - 30, usual * DEMO_OBS_SLOW_RATIO,
                                DEMO_OBS_SLOW_RATIO, ja, en, "ttfb");
}

/* The open sector-wide alert of the slow sites. */
static int sector_alert(struct store_conn *c, const int64_t *slow, int n,
                        int64_t now)
{
    int64_t since = now - DEMO_OBS_SLOW_S + 240;
    json_t *sites = json_array();
    for (int i = 0; sites && i < n; i++)
        json_array_append_new(
            sites, json_pack("{s:I,s:I,s:f,s:s}", "site", (json_int_t)slow[i],
                             "since", (json_int_t)since, "ratio",
                             DEMO_OBS_SLOW_RATIO, "phase", "ttfb"));
    json_t *ev = sites ? json_pack("{s:o,s:[s],s:b}", "sites", sites,
                                   "vantages", "hub", "demo", 1)
                       : NULL;
    char *evidence = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    if (!evidence)
        return IS_ERR_NOMEM;
    char ja[256], en[256];
    snprintf(ja, sizeof(ja),
             "鉄道分野の%dサイトで同時に応答が遅延（通常の約%.0f倍）。最も悪化"
             "した段階: 最初の応答（デモ）",
             n, DEMO_OBS_SLOW_RATIO);
    snprintf(en, sizeof(en),
             "%d railway sites slow at once (about %.0f× their usual); first "
             "byte degraded most (demo)",
             n, DEMO_OBS_SLOW_RATIO);
    int64_t id;
    int rc = store_demo_obs_alert(c, DEMO_OBS_ALERT_SCOPE, "ttfb", since,
                                  now - DEMO_OBS_SLOW_S + 600, slow, n, ja, en,
                                  evidence, &id);
    free(evidence);
    return rc;
}

int demo_obs_generate(struct store_conn *c, int64_t now,
                      struct demo_stats *stats)
{
    int rc = store_demo_obs_sites(c, now, &stats->sites);
    int64_t ids[DEMO_OBS_ALERT_MAX];
    int n = 0;
    for (size_t i = 0; !rc && i < IS_ARRAY_LEN(scopes); i++) {
        rc = store_demo_obs_scope_sites(c, scopes[i], ids, DEMO_OBS_PER_SCOPE,
                                        &n);
        for (int k = 0; !rc && k < n; k++)
            rc = site_history(c, ids[k], now, false, stats);
    }
    if (!rc)
        rc = store_demo_obs_scope_sites(c, DEMO_OBS_ALERT_SCOPE, ids,
                                        DEMO_OBS_ALERT_MAX, &n);
    int64_t slow[DEMO_OBS_ALERT_MAX];
    int nslow = 0;
    for (int k = 0; !rc && k < n; k++) {
        bool is_slow = k % DEMO_OBS_SLOW_EVERY == 0;
        rc = site_history(c, ids[k], now, is_slow, stats);
        if (!rc && is_slow) {
            rc = site_slow(c, ids[k], now);
            slow[nslow++] = ids[k];
        }
    }
    if (!rc && nslow)
        rc = sector_alert(c, slow, nslow, now);
    return rc;
}
