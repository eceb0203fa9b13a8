/*
 * test_obs_baseline.c - hour of the week (JST), median/MAD, phases and the
 * per-probe verdict (core/obs_baseline.h), and the diurnal
 * scenario at the rule level: a learned daily pattern raises no anomaly.
 */
#include "common/common.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/obs_baseline.h"

/* 2026-11-30 00:00 JST, a Monday */
#define MONDAY 1795964400LL

static void t_hour_of_week(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        int want;
    } rows[] = {
        {MONDAY, 0},
        {MONDAY + 3599, 0},
        {MONDAY + 3600, 1},
        {MONDAY - 1, 167},  /* Sunday 23:59:59 JST */
        {1796099400LL, 37}, /* Tuesday 13:30 JST */
        {MONDAY + 7 * 86400 - 1, 167},
        {MONDAY + 7 * 86400, 0},
        {-32400, 72},             /* 1970-01-01 00:00 JST, Thursday */
        {-291600, 0},             /* 1969-12-29 00:00 JST, Monday */
        {-295200, 167},           /* 1969-12-28 23:00 JST */
        {MONDAY - 9 * 3600, 159}, /* Sunday 15:00 JST */
        {MONDAY - 9 * 3600 - 1, 158},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        assert_int_equal(obs_hour_of_week(rows[i].t), rows[i].want);
    /* every hour of a week once, in order */
    for (int h = 0; h < OBS_HOURS_OF_WEEK; h++)
        assert_int_equal(obs_hour_of_week(MONDAY + h * 3600LL + 1800), h);
}

static void t_median_mad(void **state)
{
    (void)state;
    static const struct {
        double v[8];
        size_t n;
        double median, mad;
    } rows[] = {
        {{5}, 1, 5, 0},
        {{1, 2}, 2, 1.5, 0.5},
        {{3, 1, 2}, 3, 2, 1},
        {{120, 118, 500, 121, 119, 122, 120}, 7, 120, 1},
        {{1, 1, 2, 2, 4, 6, 9}, 7, 2, 1},
        {{10, 20, 30, 40}, 4, 25, 10},
        {{0, 0, 0}, 3, 0, 0},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        double v[8], m = -1, d = -1;
        memcpy(v, rows[i].v, sizeof v);
        assert_true(obs_median_mad(v, rows[i].n, &m, &d));
        assert_true(m == rows[i].median);
        assert_true(d == rows[i].mad);
    }
    double v[3] = {1, -1, 2}, m = 7, d = 7;
    assert_false(obs_median_mad(v, 3, &m, &d));
    v[1] = NAN;
    assert_false(obs_median_mad(v, 3, &m, &d));
    assert_false(obs_median_mad(v, 0, &m, &d));
    assert_true(m == 7 && d == 7);
}

static void t_names(void **state)
{
    (void)state;
    for (int o = 0; o < OBS_OUT_COUNT_; o++) {
        enum obs_outcome back;
        assert_true(obs_outcome_parse(obs_outcome_name(o), &back));
        assert_int_equal(back, o);
    }
    enum obs_outcome o;
    assert_false(obs_outcome_parse("OK", &o));
    assert_false(obs_outcome_parse(NULL, &o));
    assert_null(obs_outcome_name(OBS_OUT_COUNT_));
    for (int p = 0; p < OBS_PHASE_COUNT_; p++) {
        enum obs_phase back;
        assert_true(obs_phase_parse(obs_phase_name(p), &back));
        assert_int_equal(back, p);
    }
    for (int v = 0; v < 4; v++) {
        enum obs_verdict back;
        assert_true(obs_verdict_parse(obs_verdict_name(v), &back));
        assert_int_equal(back, v);
    }
    assert_string_equal(obs_phase_label(OBS_PHASE_CONNECT, true), "接続");
    assert_string_equal(obs_phase_label(OBS_PHASE_TTFB, false), "first byte");
}

static void t_phases_from_cumulative(void **state)
{
    (void)state;
    static const struct {
        double nl, co, ap, st, to;
        struct obs_phases want;
    } rows[] = {
        /* https: every phase */
        {2, 5, 15, 40, 50, {2, 3, 10, 25, 50}},
        /* http: no TLS */
        {2, 5, 0, 40, 50, {2, 3, -1, 35, 50}},
        /* DNS failed */
        {0, 0, 0, 0, 3, {-1, -1, -1, -1, 3}},
        /* refused after DNS */
        {2, 0, 0, 0, 4, {2, -1, -1, -1, 4}},
        /* timeout waiting for the first byte */
        {2, 5, 15, 0, 10000, {2, 3, 10, -1, 10000}},
        /* times out of order never give a negative phase */
        {5, 4, 0, 3, 6, {5, 0, -1, 0, 6}},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        struct obs_phases p;
        obs_phases_from_cumulative(rows[i].nl, rows[i].co, rows[i].ap,
                                   rows[i].st, rows[i].to, &p);
        assert_true(p.dns_ms == rows[i].want.dns_ms);
        assert_true(p.connect_ms == rows[i].want.connect_ms);
        assert_true(p.tls_ms == rows[i].want.tls_ms);
        assert_true(p.ttfb_ms == rows[i].want.ttfb_ms);
        assert_true(p.total_ms == rows[i].want.total_ms);
    }
}

/* The slow threshold: max(3 x median, median + 6 x 1.4826 x MAD,
 * median + 200 ms); the band; unusable baselines. */
static void t_threshold(void **state)
{
    (void)state;
    static const struct {
        double median, mad;
        int64_t n;
        double want;
    } rows[] = {
        {120, 10, 12, 360},                       /* 3 x median */
        {50, 2, 12, 250},                         /* + 200 ms */
        {1000, 300, 12, 1000 + 6 * 1.4826 * 300}, /* + 6 sigma */
        {120, 10, OBS_BASELINE_MIN_N, 360},
        {120, 10, OBS_BASELINE_MIN_N - 1, -1}, /* too few rollups */
        {NAN, 10, 12, -1},
        {-5, 10, 12, -1},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        struct obs_baseline b = {rows[i].median, rows[i].mad, rows[i].n};
        assert_true(fabs(obs_slow_threshold_ms(&b) - rows[i].want) < 1e-9);
    }
    assert_true(obs_slow_threshold_ms(NULL) == -1);
    struct obs_baseline b = {120, 10, 12};
    double lo = -1, hi = -1;
    assert_true(obs_baseline_band(&b, &lo, &hi));
    assert_true(fabs(lo - (120 - 3 * 1.4826 * 10)) < 1e-9);
    assert_true(hi == 360);
    b.mad_ms = 100;
    assert_true(obs_baseline_band(&b, &lo, &hi));
    assert_true(lo == 0);
    b.n = 1;
    assert_false(obs_baseline_band(&b, &lo, &hi));
}

/* The verdict table: every outcome, around the threshold, without a
 * baseline; score, ratio and phase. */
static void t_verdict_table(void **state)
{
    (void)state;
    const struct obs_baseline base = {120, 10, 12};
    const struct obs_baseline young = {120, 10, 3};
    const struct obs_phases usual = {2, 3, 10, 95, 120};
    static const struct {
        enum obs_outcome out;
        struct obs_phases p;
        int which; /* 0 base, 1 young, 2 none */
        enum obs_verdict want;
        enum obs_phase phase;
    } rows[] = {
        {OBS_OUT_OK, {2, 3, 10, 95, 120}, 0, OBS_VERDICT_OK, OBS_PHASE_NONE},
        {OBS_OUT_OK, {2, 3, 10, 300, 359}, 0, OBS_VERDICT_OK, OBS_PHASE_NONE},
        {OBS_OUT_OK, {2, 3, 10, 335, 360}, 0, OBS_VERDICT_SLOW, OBS_PHASE_TTFB},
        {OBS_OUT_OK,
         {2, 900, 10, 95, 1010},
         0,
         OBS_VERDICT_SLOW,
         OBS_PHASE_CONNECT},
        {OBS_OUT_OK, {800, 3, 10, 95, 910}, 0, OBS_VERDICT_SLOW, OBS_PHASE_DNS},
        {OBS_OUT_OK,
         {2, 3, 10, 95, 1200},
         0,
         OBS_VERDICT_SLOW,
         OBS_PHASE_TRANSFER},
        {OBS_OUT_OK,
         {2, 3, 10, 95, 5000},
         1,
         OBS_VERDICT_UNKNOWN,
         OBS_PHASE_NONE},
        {OBS_OUT_OK,
         {2, 3, 10, 95, 5000},
         2,
         OBS_VERDICT_UNKNOWN,
         OBS_PHASE_NONE},
        {OBS_OUT_OK, {-1, -1, -1, -1, -1}, 0, OBS_VERDICT_DOWN, OBS_PHASE_DNS},
        {OBS_OUT_DNS, {-1, -1, -1, -1, 3}, 2, OBS_VERDICT_DOWN, OBS_PHASE_DNS},
        {OBS_OUT_REFUSED,
         {2, -1, -1, -1, 3},
         0,
         OBS_VERDICT_DOWN,
         OBS_PHASE_CONNECT},
        {OBS_OUT_TLS, {2, 3, -1, -1, 30}, 0, OBS_VERDICT_DOWN, OBS_PHASE_TLS},
        {OBS_OUT_HTTP5XX,
         {2, 3, 10, 95, 120},
         0,
         OBS_VERDICT_DOWN,
         OBS_PHASE_TTFB},
        {OBS_OUT_STATUS,
         {2, 3, 10, 95, 120},
         1,
         OBS_VERDICT_DOWN,
         OBS_PHASE_TTFB},
        {OBS_OUT_CONTENT,
         {2, 3, 10, 95, 120},
         0,
         OBS_VERDICT_DOWN,
         OBS_PHASE_TTFB},
        {OBS_OUT_TIMEOUT,
         {2, 3, 10, -1, 10000},
         0,
         OBS_VERDICT_DOWN,
         OBS_PHASE_TTFB},
        {OBS_OUT_TIMEOUT,
         {2, -1, -1, -1, 10000},
         0,
         OBS_VERDICT_DOWN,
         OBS_PHASE_CONNECT},
        {OBS_OUT_TIMEOUT,
         {-1, -1, -1, -1, 10000},
         0,
         OBS_VERDICT_DOWN,
         OBS_PHASE_DNS},
        {OBS_OUT_ERROR,
         {2, 3, 10, 95, 120},
         0,
         OBS_VERDICT_DOWN,
         OBS_PHASE_TOTAL},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        const struct obs_baseline *b = rows[i].which == 0   ? &base
                                       : rows[i].which == 1 ? &young
                                                            : NULL;
        struct obs_judgement j;
        obs_verdict_of(rows[i].out, &rows[i].p, b, &usual, &j);
        assert_int_equal(j.verdict, rows[i].want);
        assert_int_equal(j.phase, rows[i].phase);
        if (j.verdict == OBS_VERDICT_DOWN)
            assert_true(j.score == OBS_SCORE_MAX);
        if (j.verdict == OBS_VERDICT_UNKNOWN) {
            assert_true(j.score == 0);
            assert_true(j.ratio == 0);
            assert_true(j.usual_ms == -1);
        }
    }
    /* score and ratio of a slow probe: 1116 ms against 120 +- 10 */
    struct obs_phases p = {2, 3, 10, 1000, 1116};
    struct obs_judgement j;
    obs_verdict_of(OBS_OUT_OK, &p, &base, &usual, &j);
    assert_int_equal(j.verdict, OBS_VERDICT_SLOW);
    assert_true(fabs(j.ratio - 9.3) < 1e-9);
    assert_true(fabs(j.score - (1116 - 120) / (1.4826 * 10)) < 1e-9);
    assert_true(j.usual_ms == 120 && j.threshold_ms == 360);
    /* faster than usual: score 0, never slow */
    p.total_ms = 60;
    obs_verdict_of(OBS_OUT_OK, &p, &base, NULL, &j);
    assert_int_equal(j.verdict, OBS_VERDICT_OK);
    assert_true(j.score == 0 && j.ratio == 0.5);
    /* without usual phases the largest phase degraded most */
    p = (struct obs_phases){2, 700, 10, 95, 900};
    obs_verdict_of(OBS_OUT_OK, &p, &base, NULL, &j);
    assert_int_equal(j.phase, OBS_PHASE_CONNECT);
}

/* a day's shape (JST): 100 ms, but 300 to 900 ms in the evening rush
 * from 18:00 to 22:59 */
static double diurnal(int hour)
{
    if (hour < 18 || hour > 22)
        return 100;
    double x = cos((hour - 20) * 3.14159265358979 / 6.0);
    return 100 + 800 * x * x;
}

/* The "diurnal load -> no false alert after the learning
 * period", at the rule level: four weeks of 5-minute p50s that follow
 * the daily shape (with noise) give per-hour-of-week baselines under
 * which a fifth week with the same shape has no slow probe - while one
 * baseline for all hours (no season) would call the evening slow, and a
 * real 5x slowdown in the evening is still slow. */
static void t_diurnal_learned(void **state)
{
    (void)state;
    enum { WEEKS = 4, PER_HOUR = 12 };
    static double rollups[OBS_HOURS_OF_WEEK][WEEKS * PER_HOUR];
    static double all[OBS_HOURS_OF_WEEK * WEEKS * PER_HOUR];
    size_t counts[OBS_HOURS_OF_WEEK] = {0}, nall = 0;
    uint64_t seed = 99;
    int64_t start = MONDAY - WEEKS * 7 * 86400LL;
    for (int64_t t = start; t < MONDAY; t += 300) {
        int how = obs_hour_of_week(t);
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        double noise = ((double)(seed >> 33) / 2147483648.0 - 0.5) * 20;
        double v = diurnal(how % 24) + noise;
        rollups[how][counts[how]++] = v;
        all[nall++] = v;
    }
    struct obs_baseline base[OBS_HOURS_OF_WEEK];
    for (int h = 0; h < OBS_HOURS_OF_WEEK; h++) {
        assert_int_equal(counts[h], WEEKS * PER_HOUR);
        base[h].n = (int64_t)counts[h];
        assert_true(obs_median_mad(rollups[h], counts[h], &base[h].median_ms,
                                   &base[h].mad_ms));
    }
    struct obs_baseline flat = {0, 0, (int64_t)nall};
    assert_true(obs_median_mad(all, nall, &flat.median_ms, &flat.mad_ms));
    size_t slow = 0, flat_slow = 0;
    for (int64_t t = MONDAY; t < MONDAY + 7 * 86400LL; t += 60) {
        int how = obs_hour_of_week(t);
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        double noise = ((double)(seed >> 33) / 2147483648.0 - 0.5) * 40;
        struct obs_phases p = {2, 3, -1, 50, diurnal(how % 24) + noise};
        struct obs_judgement j;
        obs_verdict_of(OBS_OUT_OK, &p, &base[how], NULL, &j);
        assert_int_not_equal(j.verdict, OBS_VERDICT_UNKNOWN);
        slow += j.verdict == OBS_VERDICT_SLOW;
        /* the same probe against one baseline for every hour */
        obs_verdict_of(OBS_OUT_OK, &p, &flat, NULL, &j);
        flat_slow += j.verdict == OBS_VERDICT_SLOW;
        /* 4x at night (400 ms: below what the evening is) and 5x in the
         * evening are slow */
        if (how % 24 == 3 || how % 24 == 20) {
            p.total_ms *= how % 24 == 3 ? 4 : 5;
            obs_verdict_of(OBS_OUT_OK, &p, &base[how], NULL, &j);
            assert_int_equal(j.verdict, OBS_VERDICT_SLOW);
        }
    }
    assert_int_equal(slow, 0);
    assert_true(flat_slow > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_hour_of_week),
        cmocka_unit_test(t_median_mad),
        cmocka_unit_test(t_names),
        cmocka_unit_test(t_phases_from_cumulative),
        cmocka_unit_test(t_threshold),
        cmocka_unit_test(t_verdict_table),
        cmocka_unit_test(t_diurnal_learned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
