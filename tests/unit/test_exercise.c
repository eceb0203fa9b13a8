/*
 * test_exercise.c - cross-sector exercises' rules (core/exercise.h),
 * written from DOMAIN.md §11 and issue 14: the scenario checks (each bad
 * input of the issue), the controller's clock (time scale, pause, shift),
 * branching and scoring.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "core/exercise.h"

static struct ex_scenario *scenario(void)
{
    /* 0: early warning (expect a report within 45 min), 1: the ministry
     * asks those without a report by 45, 2: NISC's provision at 60 */
    struct ex_scenario *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    s->ninjects = 3;
    snprintf(s->inject[0].id, EX_ID_LEN, "p1-warning");
    s->inject[0].at_min = 0;
    s->inject[0].nexpect = 1;
    snprintf(s->inject[0].expect[0].id, EX_ID_LEN, "p1-report");
    s->inject[0].expect[0].action = EX_ACT_REPORT;
    s->inject[0].expect[0].within_min = 45;
    snprintf(s->inject[1].id, EX_ID_LEN, "p1-ask");
    s->inject[1].at_min = 45;
    s->inject[1].when.present = true;
    s->inject[1].when.negated = true;
    snprintf(s->inject[1].when.action_id, EX_ID_LEN, "p1-report");
    s->inject[1].when.by_min = 45;
    snprintf(s->inject[2].id, EX_ID_LEN, "p1-provision");
    s->inject[2].at_min = 60;
    s->inject[2].nexpect = 1;
    snprintf(s->inject[2].expect[0].id, EX_ID_LEN, "p1-ack");
    s->inject[2].expect[0].action = EX_ACT_ACK;
    s->inject[2].expect[0].within_min = 15;
    return s;
}

static void expect_problem(struct ex_scenario *s, const char *code, int inject,
                           const char *field)
{
    struct ex_problem p = {0};
    assert_false(ex_scenario_check(s, &p));
    assert_string_equal(p.code, code);
    assert_int_equal(p.inject, inject);
    assert_string_equal(p.field, field);
}

static void test_sound_scenario(void **state)
{
    (void)state;
    struct ex_scenario *s = scenario();
    struct ex_problem p = {0};
    assert_true(ex_scenario_check(s, &p));
    free(s);
}

static void test_each_bad_scenario(void **state)
{
    (void)state;
    struct ex_scenario *s = scenario();
    s->inject[2].at_min = 30; /* before the inject at 45 */
    expect_problem(s, "out_of_order", 2, "at_min");
    free(s);
    s = scenario();
    s->inject[1].at_min = EX_MAX_MIN + 1;
    s->inject[2].at_min = EX_MAX_MIN + 1;
    expect_problem(s, "out_of_range", 1, "at_min");
    free(s);
    s = scenario();
    snprintf(s->inject[2].id, EX_ID_LEN, "p1-warning");
    expect_problem(s, "duplicate_id", 2, "id");
    free(s);
    s = scenario();
    snprintf(s->inject[2].expect[0].id, EX_ID_LEN, "p1-report");
    expect_problem(s, "duplicate_id", 2, "expect[0].id");
    free(s);
    s = scenario();
    snprintf(s->inject[2].expect[0].id, EX_ID_LEN, "p1-ask");
    expect_problem(s, "duplicate_id", 2, "expect[0].id");
    free(s);
    s = scenario();
    s->inject[2].expect[0].action = (enum ex_action)99;
    expect_problem(s, "unknown_action", 2, "expect[0].action");
    free(s);
    s = scenario();
    s->inject[0].expect[0].within_min = 0;
    expect_problem(s, "out_of_range", 0, "expect[0].within_min");
    free(s);
    s = scenario();
    snprintf(s->inject[1].when.action_id, EX_ID_LEN, "no-such-action");
    expect_problem(s, "unknown_action", 1, "when.action");
    free(s);
    s = scenario();
    s->inject[1].when.by_min = 50; /* decided after the inject at 45 */
    expect_problem(s, "condition_after_inject", 1, "when.by_min");
    free(s);
    /* a cycle: the warning waits for the provision's acknowledgement,
     * which waits (through the ask) for the warning's report */
    s = scenario();
    s->inject[0].when.present = true;
    snprintf(s->inject[0].when.action_id, EX_ID_LEN, "p1-report");
    s->inject[0].when.by_min = 0;
    expect_problem(s, "cycle", 0, "when.action");
    free(s);
    s = scenario();
    s->inject[2].when.present = true;
    snprintf(s->inject[2].when.action_id, EX_ID_LEN, "p1-ack");
    s->inject[2].when.by_min = 60;
    expect_problem(s, "cycle", 2, "when.action");
    free(s);
    /* waiting for an action of a later inject */
    s = scenario();
    s->inject[1].when.present = true;
    snprintf(s->inject[1].when.action_id, EX_ID_LEN, "p1-ack");
    s->inject[1].when.by_min = 45;
    expect_problem(s, "depends_on_later", 1, "when.action");
    free(s);
    s = scenario();
    s->ninjects = 0;
    expect_problem(s, "out_of_range", -1, "injects");
    free(s);
}

static void test_clock(void **state)
{
    (void)state;
    struct ex_clock c = {0};
    assert_int_equal(ex_elapsed_s(&c, 1000), 0); /* not started */
    c.started_at = 1000;
    c.scale = 1;
    assert_int_equal(ex_elapsed_s(&c, 999), 0);
    assert_int_equal(ex_elapsed_s(&c, 1060), 60);
    /* compressed: scale 60 makes a scenario minute a real second */
    c.scale = 60;
    assert_int_equal(ex_elapsed_s(&c, 1045), 45 * 60);
    /* paused at 1010: time stands still */
    c.paused_since = 1010;
    assert_int_equal(ex_elapsed_s(&c, 1500), 600);
    /* resumed at 1100 after 90 s paused */
    c.paused_since = 0;
    c.paused_total = 90;
    assert_int_equal(ex_elapsed_s(&c, 1101), 660);
    /* the timeline shifted 5 scenario minutes later */
    c.shift_s = 300;
    assert_int_equal(ex_elapsed_s(&c, 1101), 360);
    c.shift_s = 100000;
    assert_int_equal(ex_elapsed_s(&c, 1101), 0);
    /* jumped 20 minutes forward by hand: the exercise's time and the
     * scenario's both move; the shift still holds the timeline back */
    c.shift_s = 300;
    int64_t w = ex_world_s(&c, 1101);
    assert_int_equal(w, 660);
    c.advanced_s = 1200;
    assert_int_equal(ex_world_s(&c, 1101), w + 1200);
    assert_int_equal(ex_elapsed_s(&c, 1101), 360 + 1200);
    /* paused, the exercise's time stands still and never goes back */
    c.paused_since = 1101;
    assert_int_equal(ex_world_s(&c, 5000), w + 1200);
    c = (struct ex_clock){0};
    assert_int_equal(ex_world_s(&c, 5000), 0); /* not started */
    struct ex_inject i = {.at_min = 6};
    assert_false(ex_inject_due(&i, 359));
    assert_true(ex_inject_due(&i, 360));
}

static void test_branching_and_scoring(void **state)
{
    (void)state;
    struct ex_scenario *s = scenario();
    const struct ex_condition *ask = &s->inject[1].when;
    /* "if no report by 45": asks who reported late or never */
    assert_true(ex_condition_holds(ask, -1));
    assert_true(ex_condition_holds(ask, 45 * 60 + 1));
    assert_false(ex_condition_holds(ask, 45 * 60));
    assert_false(ex_condition_holds(ask, 10));
    struct ex_condition pos = *ask;
    pos.negated = false;
    assert_true(ex_condition_holds(&pos, 10));
    assert_false(ex_condition_holds(&pos, -1));
    assert_true(ex_condition_holds(&s->inject[0].when, -1)); /* none */
    const struct ex_expect *x = &s->inject[0].expect[0];     /* 45 min */
    assert_int_equal(ex_score(x, 0, 600, 9999), EX_ON_TIME);
    assert_int_equal(ex_score(x, 0, 45 * 60, 9999), EX_ON_TIME);
    assert_int_equal(ex_score(x, 0, 45 * 60 + 1, 9999), EX_LATE);
    assert_int_equal(ex_score(x, 0, -1, 45 * 60), EX_PENDING);
    assert_int_equal(ex_score(x, 0, -1, 45 * 60 + 1), EX_MISSED);
    assert_int_equal(ex_score(x, 600, -1, 45 * 60 + 1), EX_PENDING);
    assert_string_equal(ex_outcome_name(EX_MISSED), "missed");
    for (int a = 0; a < EX_ACT_COUNT; a++)
        assert_int_equal(ex_action_parse(ex_action_name((enum ex_action)a)), a);
    assert_int_equal(ex_action_parse("dance"), -1);
    free(s);
}

/* Three participants through the small scenario: fast (reports at 10
 * min, acknowledges at 62), late (reports at 50, so the ministry asks;
 * never acknowledges), silent (nothing). At the end (minute 90). */
static void test_participants_through_the_scenario(void **state)
{
    (void)state;
    struct ex_scenario *s = scenario();
    assert_int_equal(ex_action_count(s), 2);
    int report = ex_action_index(s, "p1-report");
    int ack = ex_action_index(s, "p1-ack");
    assert_int_equal(report, 0);
    assert_int_equal(ack, 1);
    assert_int_equal(ex_action_index(s, "nope"), -1);
    bool all[3] = {true, true, true};
    struct ex_step step[3];
    enum ex_outcome out[2];
    int64_t end = 90 * 60;

    int64_t fast[2] = {10 * 60, 62 * 60};
    assert_int_equal(ex_participant_run(s, all, fast, end, step, out), 2);
    assert_true(step[0].fired && !step[1].fired && step[2].fired);
    assert_int_equal(out[report], EX_ON_TIME);
    assert_int_equal(out[ack], EX_ON_TIME);

    int64_t late[2] = {50 * 60, -1};
    assert_int_equal(ex_participant_run(s, all, late, end, step, out), 2);
    assert_true(step[1].fired); /* no report by 45: the ministry asks */
    assert_int_equal(step[1].fired_s, 45 * 60);
    assert_int_equal(out[report], EX_LATE);
    assert_int_equal(out[ack], EX_MISSED);

    int64_t silent[2] = {-1, -1};
    ex_participant_run(s, all, silent, end, step, out);
    assert_int_equal(out[report], EX_MISSED);
    /* mid-way (minute 30): nothing decided yet, the ask not fired */
    ex_participant_run(s, all, silent, 30 * 60, step, out);
    assert_false(step[1].fired);
    assert_int_equal(out[report], EX_PENDING);
    assert_false(step[2].fired);

    /* not targeted by the provision: nothing asked of it there */
    bool part[3] = {true, true, false};
    assert_int_equal(ex_participant_run(s, part, fast, end, step, out), 1);
    assert_false(step[2].fired);
    assert_int_equal(out[ack], EX_PENDING);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sound_scenario),
        cmocka_unit_test(test_each_bad_scenario),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_branching_and_scoring),
        cmocka_unit_test(test_participants_through_the_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
