/*
 * test_remind.c - the acknowledgement board's reminder rules
 * (core/remind.h).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/remind.h"

/* Released and not acknowledged only. */
static void t_eligible_table(void **state)
{
    (void)state;
    static const struct {
        int64_t released, acked;
        bool want;
    } rows[] = {
        {0, 0, false},   {100, 0, true}, {100, 200, false},
        {0, 200, false}, {1, 0, true},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        assert_int_equal(remind_eligible(rows[i].released, rows[i].acked),
                         rows[i].want);
}

/* Never reminded: now; within 10 minutes: the rest of them; at exactly
 * 10 minutes and after: now; a last time in the future counts as now. */
static void t_wait_table(void **state)
{
    (void)state;
    static const struct {
        int64_t last, now, want;
    } rows[] = {
        {0, 1000, 0},    {1000, 1000, 600}, {1000, 1001, 599}, {1000, 1599, 1},
        {1000, 1600, 0}, {1000, 5000, 0},   {2000, 1000, 600}, {-5, 1000, 0},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        assert_int_equal(remind_wait_s(rows[i].last, rows[i].now),
                         rows[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_eligible_table),
        cmocka_unit_test(t_wait_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
