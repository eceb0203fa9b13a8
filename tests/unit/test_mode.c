/*
 * test_mode.c - large-scale outage mode (core/mode.h) and the hotline with
 * the mode as an input (audience_hotline_mode, core/audience.h).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/audience.h"
#include "core/deadline.h"
#include "core/mode.h"

/* National covers every sector; a list covers exactly its sectors. */
static void t_covers_table(void **state)
{
    (void)state;
    static const char *const two[] = {"telecom", "water"};
    static const struct {
        bool national;
        int n;
        const char *sector;
        bool want;
    } rows[] = {
        {true, 0, "telecom", true},   {true, 0, "gas", true},
        {true, 2, "gas", true},       {false, 2, "telecom", true},
        {false, 2, "water", true},    {false, 2, "gas", false},
        {false, 2, "tele", false},    {false, 2, "telecoms", false},
        {false, 0, "telecom", false}, {false, 2, "", false},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        assert_int_equal(
            mode_covers(rows[i].national, two, rows[i].n, rows[i].sector),
            rows[i].want);
}

/* Halved, never below the floor; at or below the floor unchanged; normal
 * mode unchanged. */
static void t_shorten_table(void **state)
{
    (void)state;
    static const struct {
        bool outage;
        int64_t interval, floor, want;
    } rows[] = {
        {false, 3600, 300, 3600}, {false, 100, 300, 100},
        {true, 3600, 300, 1800},  {true, 900, 300, 450},
        {true, 600, 300, 300},    {true, 500, 300, 300},
        {true, 300, 300, 300},    {true, 200, 300, 200},
        {true, 0, 300, 0},        {true, 86400, 300, 43200},
        {true, 601, 300, 300},    {true, 602, 300, 301},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        assert_int_equal(
            mode_shorten(rows[i].outage, rows[i].interval, rows[i].floor),
            rows[i].want);
}

/* The default acknowledgement deadlines (15 min, 1 h, 1 day) by severity,
 * in each mode. */
static void t_ack_by_mode(void **state)
{
    (void)state;
    static const int defaults[3] = {900, 3600, 86400};
    static const int64_t normal[6] = {86400, 86400, 86400, 3600, 900, 900};
    static const int64_t outage[6] = {43200, 43200, 43200, 1800, 450, 450};
    for (int s = 0; s <= 5; s++) {
        int64_t n = deadline_ack_s(s, defaults);
        assert_int_equal(mode_ack_s(false, n), normal[s]);
        assert_int_equal(mode_ack_s(true, n), outage[s]);
    }
    /* short configured deadlines keep the 5-minute floor */
    assert_int_equal(mode_ack_s(true, 400), MODE_ACK_FLOOR_S);
    assert_int_equal(mode_ack_s(true, 60), 60);
}

/* A report's due times: each interval from detection halved with its
 * floor. */
static void t_report_due_by_mode(void **state)
{
    (void)state;
    const int64_t t0 = 1711929600;
    struct report_deadlines n = deadline_report(
        t0, (struct deadline_rule){.first_h = 1, .full_h = 24, .final_d = 30});
    struct report_deadlines same = mode_report_due(false, t0, n);
    assert_int_equal(same.first_due, n.first_due);
    assert_int_equal(same.full_due, n.full_due);
    assert_int_equal(same.final_due, n.final_due);
    struct report_deadlines o = mode_report_due(true, t0, n);
    assert_int_equal(o.first_due, t0 + 1800);
    assert_int_equal(o.full_due, t0 + 12 * 3600);
    assert_int_equal(o.final_due, t0 + 15 * 86400);
    /* floors: 1 h first notice -> 30 min; 1 h full stays; 1 day stays */
    n = deadline_report(
        t0, (struct deadline_rule){.first_h = 1, .full_h = 1, .final_d = 1});
    o = mode_report_due(true, t0, n);
    assert_int_equal(o.first_due, t0 + MODE_FIRST_FLOOR_S);
    assert_int_equal(o.full_due, t0 + MODE_FULL_FLOOR_S);
    assert_int_equal(o.final_due, t0 + MODE_FINAL_FLOOR_S);
    n = deadline_report(
        t0, (struct deadline_rule){.first_h = 3, .full_h = 3, .final_d = 3});
    o = mode_report_due(true, t0, n);
    assert_int_equal(o.first_due, t0 + 5400);
    assert_int_equal(o.full_due, t0 + 5400);
    assert_int_equal(o.final_due, t0 + 129600);
}

/* Every drill x kind x severity x mode. */
static void t_hotline_by_mode(void **state)
{
    (void)state;
    static const char *const kinds[] = {"warning", "security_info", "case"};
    int on = 0;
    for (int drill = 0; drill <= 1; drill++)
        for (size_t k = 0; k < IS_ARRAY_LEN(kinds); k++)
            for (int sev = 0; sev <= 5; sev++)
                for (int outage = 0; outage <= 1; outage++) {
                    bool want = !drill && k == 0 && sev >= (outage ? 3 : 4);
                    assert_int_equal(
                        audience_hotline_mode(drill, kinds[k], sev, outage),
                        want);
                    if (!outage)
                        assert_int_equal(audience_hotline(drill, kinds[k], sev),
                                         want);
                    on += want;
                }
    assert_int_equal(on, 2 + 3); /* 4, 5 normal; 3, 4, 5 in outage mode */
}

/* Reports skip review in outage mode at severity 3 or more only. */
static void t_skips_review_table(void **state)
{
    (void)state;
    for (int outage = 0; outage <= 1; outage++)
        for (int sev = 0; sev <= 5; sev++)
            assert_int_equal(mode_report_skips_review(outage, sev),
                             outage && sev >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_covers_table),
        cmocka_unit_test(t_shorten_table),
        cmocka_unit_test(t_ack_by_mode),
        cmocka_unit_test(t_report_due_by_mode),
        cmocka_unit_test(t_hotline_by_mode),
        cmocka_unit_test(t_skips_review_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
