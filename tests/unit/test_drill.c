/*
 * test_drill.c - drill kinds and the drill programme (core/drill.h): fiscal
 * year, windows, comparison, outage channels, stale contacts,
 * percentiles. Table tests.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/drill.h"

/* Japanese fiscal year, April to March in JST (UTC+9). */
static void t_fiscal_year(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        int fy;
    } rows[] = {
        {1774969199, 2025}, /* 2026-03-31 23:59:59 JST */
        {1774969200, 2026}, /* 2026-04-01 00:00:00 JST */
        {1459436399, 2015}, /* 2016-03-31 23:59:59 JST */
        {1438387200, 2015}, /* 2015-08-01 (T-CEPTOAR's outage drill) */
        {0, 1969},          /* 1970-01-01 09:00 JST, January */
        {951825600, 1999},  /* 2000-02-29 */
        {-23792400, 1969},  /* 1969-04-01 00:00 JST */
        {-23792401, 1968},  /* one second earlier */
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        assert_int_equal(drill_fiscal_year(rows[i].t), rows[i].fy);
    assert_int_equal(drill_fy_start(2026), 1774969200);
    assert_int_equal(drill_fy_start(1969), -23792400);
    for (int fy = 1990; fy < 2040; fy++) {
        assert_int_equal(drill_fiscal_year(drill_fy_start(fy)), fy);
        assert_int_equal(drill_fiscal_year(drill_fy_start(fy) - 1), fy - 1);
    }
}

/* The 1-day window, and comparison only when both windows are closed. */
static void t_windows_and_comparison(void **state)
{
    (void)state;
    const int64_t t = 1774969200, D = DRILL_WINDOW_S;
    static const struct {
        int64_t started, now;
        bool closed;
    } w[] = {
        {0, 0, false},    {0, 1, false},    {0, 86399, false},
        {0, 86400, true}, {0, 86401, true}, {100, 86499, false},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(w); i++)
        assert_int_equal(drill_window_closed(t + w[i].started, t + w[i].now),
                         w[i].closed);
    static const struct {
        int64_t cur, prev, now;
        bool ok;
    } c[] = {
        {0, -D, D - 1, false},  /* current still open */
        {0, -D, D, true},       /* both closed */
        {0, -10, D - 1, false}, /* both open */
        {-D, -2 * D, 0, true},  /* both long closed */
        {0, 0, D, true},        /* same start, closed */
        {D, 0, D, false},       /* the current one just started */
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(c); i++)
        assert_int_equal(
            drill_comparable(t + c[i].cur, t + c[i].prev, t + c[i].now),
            c[i].ok);
}

/* An outage drill's one channel. */
static void t_channels(void **state)
{
    (void)state;
    static const struct {
        const char *only, *channel;
        bool match;
    } rows[] = {
        {"", "email", true},         {"", "fax", true},
        {NULL, "webhook", true},     {"gateway", "phone", true},
        {"gateway", "sms", true},    {"gateway", "fax", false},
        {"gateway", "email", false}, {"gateway", "webhook", false},
        {"email", "email", true},    {"email", "webhook", false},
        {"email", "phone", false},   {"webhook", "webhook", true},
        {"webhook", "email", false}, {"webhook", "sms", false},
        {"email", NULL, false},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        assert_int_equal(drill_channel_matches(rows[i].only, rows[i].channel),
                         rows[i].match);
    assert_true(drill_channel_valid("gateway"));
    assert_true(drill_channel_valid("email"));
    assert_true(drill_channel_valid("webhook"));
    assert_false(drill_channel_valid("phone"));
    assert_false(drill_channel_valid("fax"));
    assert_false(drill_channel_valid(""));
    assert_false(drill_channel_valid(NULL));
}

/* A structure drill member's contacts. */
static void t_contact_state(void **state)
{
    (void)state;
    const int64_t now = 1774969200, Y = DRILL_CONTACT_MAX_AGE_S;
    static const struct {
        int64_t confirmed, updated_ago; /* updated_ago < 0: no contact */
        enum drill_contact_state want;
    } rows[] = {
        {1, -1, DRILL_CONTACT_CONFIRMED},
        {1, 10 * 365 * 86400LL, DRILL_CONTACT_CONFIRMED},
        {0, 0, DRILL_CONTACT_RECENT},
        {0, 86400, DRILL_CONTACT_RECENT},
        {0, 365 * 86400LL, DRILL_CONTACT_RECENT},
        {0, 365 * 86400LL + 1, DRILL_CONTACT_STALE},
        {0, -1, DRILL_CONTACT_STALE},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        int64_t upd = rows[i].updated_ago < 0 ? 0 : now - rows[i].updated_ago;
        int64_t conf = rows[i].confirmed ? now - 5 : 0;
        assert_int_equal(drill_contact_state(conf, upd, now, Y), rows[i].want);
    }
    assert_string_equal(drill_contact_state_name(DRILL_CONTACT_STALE), "stale");
    assert_string_equal(drill_contact_state_name(DRILL_CONTACT_RECENT),
                        "recent");
    assert_string_equal(drill_contact_state_name(DRILL_CONTACT_CONFIRMED),
                        "confirmed");
}

/* Nearest-rank percentiles. */
static void t_percentile(void **state)
{
    (void)state;
    static const int64_t v[] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    static const struct {
        size_t n;
        int p;
        int64_t want;
    } rows[] = {
        {0, 50, 0},   {1, 50, 10},  {1, 90, 10},    {2, 50, 10},    {2, 90, 20},
        {10, 50, 50}, {10, 90, 90}, {10, 100, 100}, {10, 1, 10},    {3, 50, 20},
        {4, 50, 20},  {5, 50, 30},  {10, 0, 0},     {10, 150, 100},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        assert_int_equal(drill_percentile(v, rows[i].n, rows[i].p),
                         rows[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_fiscal_year),
        cmocka_unit_test(t_windows_and_comparison),
        cmocka_unit_test(t_channels),
        cmocka_unit_test(t_contact_state),
        cmocka_unit_test(t_percentile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
