/*
 * test_deadline.c - acknowledgement and report deadlines (core/deadline.h).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/deadline.h"

/* Every severity, with the default limits and with others. */
static void t_ack_by_severity(void **state)
{
    (void)state;
    static const int defaults[3] = {900, 3600, 86400};
    static const int64_t want[6] = {86400, 86400, 86400, 3600, 900, 900};
    for (int s = 0; s <= 5; s++)
        assert_int_equal(deadline_ack_s(s, defaults), want[s]);
    static const int other[3] = {1, 2, 3};
    static const int64_t want2[6] = {3, 3, 3, 2, 1, 1};
    for (int s = 0; s <= 5; s++)
        assert_int_equal(deadline_ack_s(s, other), want2[s]);
}

static void t_report_due_times(void **state)
{
    (void)state;
    const int64_t t0 = 1711929600;
    struct report_deadlines d = deadline_report(
        t0, (struct deadline_rule){.first_h = 1, .full_h = 24, .final_d = 30});
    assert_int_equal(d.first_due, t0 + 3600);
    assert_int_equal(d.full_due, t0 + 24 * 3600);
    assert_int_equal(d.final_due, t0 + 30 * 86400);
    d = deadline_report(t0, (struct deadline_rule){0});
    assert_int_equal(d.first_due, t0);
    assert_int_equal(d.full_due, t0);
    assert_int_equal(d.final_due, t0);
    /* large values do not overflow int arithmetic */
    d = deadline_report(t0, (struct deadline_rule){.first_h = 1000000,
                                                   .full_h = 1000000,
                                                   .final_d = 1000000});
    assert_int_equal(d.first_due, t0 + (int64_t)1000000 * 3600);
    assert_int_equal(d.final_due, t0 + (int64_t)1000000 * 86400);
}

/* Overdue: every combination of open, full report in or not, and now
 * before, at and after each due time. */
static void t_overdue_table(void **state)
{
    (void)state;
    const int64_t full_due = 1000, final_due = 5000;
    const int64_t nows[] = {999, 1000, 1001, 4999, 5000, 5001};
    int overdue = 0;
    for (int open = 0; open <= 1; open++)
        for (int in = 0; in <= 1; in++)
            for (size_t k = 0; k < IS_ARRAY_LEN(nows); k++) {
                int64_t now = nows[k];
                bool want =
                    open && ((!in && now > full_due) || now > final_due);
                bool got = deadline_report_overdue(open, in ? 900 : 0, full_due,
                                                   final_due, now);
                assert_int_equal(got, want);
                overdue += got;
            }
    /* open without full report: 4 of the 6 times; with it: 1 (past the
     * final due time); closed: never */
    assert_int_equal(overdue, 5);
}

/* Escalation: every combination of released, acknowledged, escalated and
 * now before, at and after the deadline. */
static void t_escalation_due_table(void **state)
{
    (void)state;
    const int64_t rel = 1000, dl = 900;
    const int64_t nows[] = {rel + dl - 1, rel + dl, rel + dl + 1};
    int due = 0;
    for (int released = 0; released <= 1; released++)
        for (int acked = 0; acked <= 1; acked++)
            for (int esc = 0; esc <= 1; esc++)
                for (size_t k = 0; k < IS_ARRAY_LEN(nows); k++) {
                    bool got = deadline_escalation_due(
                        released ? rel : 0, acked ? rel + 5 : 0,
                        esc ? rel + 6 : 0, dl, nows[k]);
                    bool want = released && !acked && !esc && k >= 1;
                    assert_int_equal(got, want);
                    due += got;
                }
    assert_int_equal(due, 2); /* released, open, at and after the deadline */
}

/* The acknowledgement deadline is the edge deadline_escalation_due turns
 * true at; none before the release. */
static void t_ack_due(void **state)
{
    (void)state;
    const int64_t rel = 1000, dl = 900;
    assert_int_equal(deadline_ack_due(0, dl), 0);
    const int64_t due = deadline_ack_due(rel, dl);
    assert_int_equal(due, rel + dl);
    assert_false(deadline_escalation_due(rel, 0, 0, dl, due - 1));
    assert_true(deadline_escalation_due(rel, 0, 0, dl, due));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_ack_by_severity),
        cmocka_unit_test(t_report_due_times),
        cmocka_unit_test(t_overdue_table),
        cmocka_unit_test(t_escalation_due_table),
        cmocka_unit_test(t_ack_due),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
