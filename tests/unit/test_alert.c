/*
 * test_alert.c - upward alerts (core/alert.h): the fan-out by severity,
 * when an update starts a new round, and when a hop is due for a reminder
 * or an escalation, over every combination around the limits.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/alert.h"

static void t_fanout_by_severity(void **state)
{
    (void)state;
    static const enum alert_fanout want[6] = {
        ALERT_FIRST_CONTACT, ALERT_FIRST_CONTACT, ALERT_FIRST_CONTACT,
        ALERT_FIRST_CONTACT, ALERT_EVERY_CONTACT, ALERT_EVERY_CONTACT};
    for (int s = 0; s <= 5; s++)
        assert_int_equal(alert_fanout(s), want[s]);
    assert_int_equal(ALERT_SEVERE, 4);
}

static void t_new_round_table(void **state)
{
    (void)state;
    for (int o = 0; o <= 5; o++)
        for (int n = 0; n <= 5; n++)
            assert_int_equal(alert_new_round(o, n), n > o);
}

/* Every severity x opened or not x reminded/escalated or not x now
 * before, at and after the limit: the reminder only for a severe round
 * not opened and not reminded at or past the limit; the escalation only
 * for a lesser one not opened and not escalated at or past its
 * deadline. */
static void t_due_table(void **state)
{
    (void)state;
    const int64_t t0 = 1000000, limit = 1800;
    const int64_t nows[] = {t0, t0 + limit - 1, t0 + limit, t0 + limit + 1};
    int reminders = 0, escalations = 0;
    for (int s = 0; s <= 5; s++)
        for (int opened = 0; opened <= 1; opened++)
            for (int done = 0; done <= 1; done++)
                for (size_t k = 0; k < IS_ARRAY_LEN(nows); k++) {
                    struct alert_round r = {
                        .severity = s,
                        .alerted_at = t0,
                        .opened_at = opened ? t0 + 1 : 0,
                        .escalated_at = done ? t0 + 2 : 0,
                        .reminded_at = done ? t0 + 2 : 0,
                    };
                    bool past = nows[k] >= t0 + limit;
                    bool rem = alert_reminder_due(&r, limit, nows[k]);
                    bool esc = alert_escalation_due(&r, limit, nows[k]);
                    assert_int_equal(rem, s >= 4 && !opened && !done && past);
                    assert_int_equal(esc, s < 4 && !opened && !done && past);
                    reminders += rem;
                    escalations += esc;
                }
    /* 2 severities x 2 times at or past the limit; 4 severities x 2 */
    assert_int_equal(reminders, 4);
    assert_int_equal(escalations, 8);
    /* a limit of zero: due as soon as the round began */
    struct alert_round r = {.severity = 5, .alerted_at = t0};
    assert_true(alert_reminder_due(&r, 0, t0));
    assert_false(alert_reminder_due(&r, 0, t0 - 1));
}

/* Every reader kind x its own ministry or another's report. */
static void t_may_list_table(void **state)
{
    (void)state;
    static const struct {
        const char *kind, *id, *ministry;
        bool view, list;
    } rows[] = {
        {"nisc", "nisc", "min-meti", true, true},
        {"nisc", "nisc", "", true, true},
        {"ministry", "min-meti", "min-meti", true, true},
        {"ministry", "min-meti", "min-fsa", true, false},
        {"ministry", "min-meti", "", true, false},
        {"ministry", "", "", true, false},
        {"operator", "op-1", "min-meti", false, false},
        {"ceptoar", "ceptoar-gas", "min-meti", false, false},
        {"agency", "ag-1", "min-meti", false, false},
        {"council", "council", "min-meti", false, false},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        assert_int_equal(alert_may_view_unopened(rows[i].kind), rows[i].view);
        assert_int_equal(
            alert_may_list(rows[i].kind, rows[i].id, rows[i].ministry),
            rows[i].list);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_fanout_by_severity),
        cmocka_unit_test(t_new_round_table),
        cmocka_unit_test(t_due_table),
        cmocka_unit_test(t_may_list_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
