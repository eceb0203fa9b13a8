/*
 * test_obs_state.c - a website's state from its last probes
 * (core/obs_state.h): the 2-bit window, k of n (no flapping, a change
 * within 3 probes), the learning period, maintenance windows holding the
 * state, pause, and the bilingual reason.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/obs_state.h"

#define DAY 86400LL
#define T0 1795964400LL

#define U OBS_VERDICT_UNKNOWN
#define O OBS_VERDICT_OK
#define S OBS_VERDICT_SLOW
#define D OBS_VERDICT_DOWN

static void t_window(void **state)
{
    (void)state;
    int64_t w = 0;
    int n = 0;
    w = obs_window_push(w, &n, O);
    w = obs_window_push(w, &n, S);
    w = obs_window_push(w, &n, D);
    assert_int_equal(n, 3);
    assert_int_equal(w, (1 << 4) | (2 << 2) | 3); /* newest lowest */
    assert_int_equal(obs_window_at(w, n, 0), D);
    assert_int_equal(obs_window_at(w, n, 1), S);
    assert_int_equal(obs_window_at(w, n, 2), O);
    assert_int_equal(obs_window_at(w, n, 3), U); /* past n */
    assert_int_equal(obs_window_at(w, n, -1), U);
    assert_int_equal(obs_window_count(w, n, 5, S), 1);
    assert_int_equal(obs_window_count(w, n, 2, O), 0);
    /* 31 slots at most; the sign bit is never set */
    for (int i = 0; i < 100; i++) {
        w = obs_window_push(w, &n, D);
        assert_true(w >= 0);
    }
    assert_int_equal(n, OBS_WINDOW_SLOTS);
    assert_int_equal(obs_window_count(w, n, 64, D), OBS_WINDOW_SLOTS);
    /* a window out of range is taken as empty */
    n = 3;
    assert_int_equal(obs_window_at(-1, n, 0), U);
    w = obs_window_push(-5, &n, O);
    assert_int_equal(n, 1);
    assert_int_equal(w, O);
    n = 40;
    w = obs_window_push(7, &n, S);
    assert_int_equal(n, 1);
    assert_int_equal(w, S);
}

/* the window of verdicts v[0..n) pushed oldest first */
static int64_t win(const int *v, int n, int *wn)
{
    int64_t w = 0;
    *wn = 0;
    for (int i = 0; i < n; i++)
        w = obs_window_push(w, wn, (enum obs_verdict)v[i]);
    return w;
}

/* The judgement over the newest 5, from each current state: entering
 * needs 3 of 5, leaving an anomalous state 4 ok of 5 (or, unreachable to
 * slow, at most 1 down); otherwise the state stays. */
static void t_judge_table(void **state)
{
    (void)state;
    enum {
        NO = OBS_STATE_NORMAL,
        SL = OBS_STATE_SLOW,
        UR = OBS_STATE_UNREACHABLE,
        LE = OBS_STATE_LEARNING,
        NONE = OBS_STATE_COUNT_
    };
    static const struct {
        int v[8]; /* oldest first */
        int n;
        int from, want;
    } rows[] = {
        {{O, O, O}, 3, LE, NO},
        {{O, O}, 2, LE, NONE},
        {{O, O}, 2, NO, NO},
        {{D, D, D}, 3, NO, UR},
        {{S, S, S}, 3, NO, SL},
        {{S, D, S, O, O}, 5, NO, SL},
        {{D, D, S, O, O}, 5, NO, SL},
        {{D, D, D, S, S}, 5, NO, UR},
        {{S, S, O, O, O}, 5, NO, NO},
        {{O, S, O, S, U}, 5, LE, NONE},
        {{O, S, O, S, U}, 5, NO, NO},
        {{U, U, U, U, U}, 5, SL, SL},
        /* only the newest 5 count */
        {{D, D, D, O, O, O, S, S}, 8, NO, NO},
        {{O, O, O, S, S, U, S, U}, 8, NO, SL},
        /* leaving slow: 4 ok of 5 */
        {{S, S, O, O, O}, 5, SL, SL},
        {{S, O, O, O, O}, 5, SL, NO},
        {{S, O, S, O, S}, 5, SL, SL},
        {{O, S, O, S, O}, 5, SL, SL},
        {{S, D, D, D, O}, 5, SL, UR},
        /* leaving unreachable */
        {{D, D, S, S, O}, 5, UR, UR},
        {{D, S, S, S, O}, 5, UR, SL},
        {{D, O, O, O, O}, 5, UR, NO},
        /* answers without a baseline are answers: a site down before its
         * baseline was learnt recovers */
        {{D, U, U, U, U}, 5, UR, NO},
        {{D, U, O, U, O}, 5, UR, NO},
        {{D, D, U, U, U}, 5, UR, UR},
        {{D, D, O, O, O}, 5, UR, UR},
        {{D, S, D, S, D}, 5, UR, UR},
        {{S, D, S, D, S}, 5, UR, UR},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        int n;
        int64_t w = win(rows[i].v, rows[i].n, &n);
        assert_int_equal(obs_window_judge(w, n, (enum obs_state)rows[i].from),
                         rows[i].want);
    }
}

/* A site past its learning period, probed once a minute. */
struct site {
    struct obs_state_in in;
};

static void site_init(struct site *s, enum obs_state st, int64_t at)
{
    memset(s, 0, sizeof *s);
    s->in.state = st;
    s->in.since = at;
    s->in.first_at = at - 30 * DAY;
    s->in.at = at;
    s->in.baseline_ready = true;
}

/* the last step's output */
static struct obs_state_out last;

/* One probe; returns the state after it. */
static enum obs_state probe(struct site *s, enum obs_verdict v)
{
    struct obs_state_out out;
    s->in.at += 60;
    s->in.verdict = v;
    obs_state_step(&s->in, &out);
    assert_int_equal(out.changed, out.state != s->in.state);
    s->in.state = out.state;
    s->in.since = out.since;
    s->in.window = out.window;
    s->in.window_n = out.window_n;
    s->in.first_at = out.first_at;
    last = out;
    return out.state;
}

/* k of n, no flapping: isolated slow probes (1 or 2 of 5) never move a
 * normal site; the third slow of five does, at that probe (within 3
 * intervals); verdicts alternating ok / slow change the state once and
 * then hold it; the way back needs 4 ok of 5. since is the changing
 * probe's time. */
static void t_k_of_n(void **state)
{
    (void)state;
    struct site s;
    site_init(&s, OBS_STATE_NORMAL, T0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(probe(&s, O), OBS_STATE_NORMAL);
    int64_t since = s.in.since;
    /* 2 of every 5 slow, forever: normal */
    static const int two_of_five[] = {S, O, S, O, O};
    for (int i = 0; i < 40; i++) {
        assert_int_equal(probe(&s, two_of_five[i % 5]), OBS_STATE_NORMAL);
        assert_true(s.in.since == since);
    }
    /* a slowdown starting now */
    assert_int_equal(probe(&s, O), OBS_STATE_NORMAL);
    assert_int_equal(probe(&s, O), OBS_STATE_NORMAL);
    assert_int_equal(probe(&s, S), OBS_STATE_NORMAL);
    assert_int_equal(probe(&s, S), OBS_STATE_NORMAL);
    assert_int_equal(probe(&s, S), OBS_STATE_SLOW); /* 3rd slow probe */
    assert_true(s.in.since == s.in.at);
    assert_int_equal(last.agree, 3);
    assert_int_equal(last.seen, 5);
    since = s.in.since;
    /* alternating: stays slow */
    for (int i = 0; i < 40; i++) {
        assert_int_equal(probe(&s, i % 2 ? S : O), OBS_STATE_SLOW);
        assert_true(s.in.since == since);
    }
    /* 4 ok of 5: normal */
    assert_int_equal(probe(&s, O), OBS_STATE_SLOW);
    assert_int_equal(probe(&s, O), OBS_STATE_SLOW);
    assert_int_equal(probe(&s, O), OBS_STATE_NORMAL);
    /* alternating from normal: one change, then held */
    int changes = 0;
    enum obs_state prev = s.in.state;
    for (int i = 0; i < 40; i++) {
        enum obs_state now = probe(&s, i % 2 ? O : S);
        changes += now != prev;
        prev = now;
    }
    assert_int_equal(changes, 1);
    assert_int_equal(prev, OBS_STATE_SLOW);
    /* unreachable: 3 downs; down and slow alternating hold it */
    site_init(&s, OBS_STATE_NORMAL, T0);
    assert_int_equal(probe(&s, D), OBS_STATE_NORMAL);
    assert_int_equal(probe(&s, D), OBS_STATE_NORMAL);
    assert_int_equal(probe(&s, D), OBS_STATE_UNREACHABLE);
    assert_int_equal(last.agree, 3);
    for (int i = 0; i < 20; i++)
        assert_int_equal(probe(&s, i % 2 ? D : S), OBS_STATE_UNREACHABLE);
    /* slow ones only: at most 1 down of 5 -> slow */
    /* the newest five, oldest first */
    assert_int_equal(probe(&s, S), OBS_STATE_UNREACHABLE); /* S D S D S */
    assert_int_equal(probe(&s, S), OBS_STATE_UNREACHABLE); /* D S D S S */
    assert_int_equal(probe(&s, S), OBS_STATE_SLOW);        /* S D S S S */
    /* unknown verdicts (no baseline for this hour) change nothing */
    site_init(&s, OBS_STATE_SLOW, T0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(probe(&s, U), OBS_STATE_SLOW);
}

/* Learning: 7 days since the first result AND a usable baseline; slow
 * verdicts do not count while learning, unreachable does. */
static void t_learning(void **state)
{
    (void)state;
    struct obs_state_in in = {0};
    struct obs_state_out out;
    /* the first result ever */
    in.state = OBS_STATE_LEARNING;
    in.at = T0;
    in.verdict = OBS_VERDICT_UNKNOWN;
    obs_state_step(&in, &out);
    assert_int_equal(out.state, OBS_STATE_LEARNING);
    assert_true(out.first_at == T0);
    assert_true(out.since == T0);
    assert_false(out.changed);
    assert_int_equal(out.window_n, 1);
    assert_int_equal(out.seen, 1);
    assert_int_equal(out.agree, 0);
    /* an older result arriving later moves the first result back */
    in.first_at = T0;
    in.at = T0 - 14 * DAY;
    obs_state_step(&in, &out);
    assert_true(out.first_at == T0 - 14 * DAY);
    in.at = T0 + 60;
    obs_state_step(&in, &out);
    assert_true(out.first_at == T0);
    in.first_at = 0;
    static const struct {
        int64_t age; /* at - first_at */
        bool ready;
        int64_t learning_s;
        int v[5];
        enum obs_state from, want;
    } rows[] = {
        {6 * DAY,
         true,
         0,
         {O, O, O, O, O},
         OBS_STATE_LEARNING,
         OBS_STATE_LEARNING},
        {7 * DAY,
         true,
         0,
         {O, O, O, O, O},
         OBS_STATE_LEARNING,
         OBS_STATE_NORMAL},
        {7 * DAY,
         false,
         0,
         {O, O, O, O, O},
         OBS_STATE_LEARNING,
         OBS_STATE_LEARNING},
        {6 * DAY,
         true,
         0,
         {S, S, S, S, S},
         OBS_STATE_LEARNING,
         OBS_STATE_LEARNING},
        {6 * DAY,
         true,
         0,
         {D, D, D, O, O},
         OBS_STATE_LEARNING,
         OBS_STATE_UNREACHABLE},
        {1 * DAY,
         false,
         0,
         {O, O, D, D, D},
         OBS_STATE_LEARNING,
         OBS_STATE_UNREACHABLE},
        {1 * DAY,
         false,
         0,
         {D, D, O, D, O},
         OBS_STATE_UNREACHABLE,
         OBS_STATE_UNREACHABLE}, /* no 3 of 5 either way: stays */
        {1 * DAY,
         false,
         0,
         {D, O, O, O, O},
         OBS_STATE_UNREACHABLE,
         OBS_STATE_LEARNING},
        {1 * DAY,
         false,
         0,
         {D, D, O, O, O},
         OBS_STATE_UNREACHABLE,
         OBS_STATE_UNREACHABLE},
        /* a shorter learning period (test mode) */
        {3600, true, 1800, {S, S, S, O, O}, OBS_STATE_LEARNING, OBS_STATE_SLOW},
        {1000,
         true,
         1800,
         {S, S, S, O, O},
         OBS_STATE_LEARNING,
         OBS_STATE_LEARNING},
        /* past learning, no agreement: normal */
        {8 * DAY,
         true,
         0,
         {O, S, O, S, U},
         OBS_STATE_LEARNING,
         OBS_STATE_NORMAL},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        memset(&in, 0, sizeof in);
        in.state = rows[i].from;
        in.since = T0;
        in.first_at = T0;
        for (int k = 0; k < 4; k++)
            in.window = obs_window_push(in.window, &in.window_n,
                                        (enum obs_verdict)rows[i].v[k]);
        in.verdict = (enum obs_verdict)rows[i].v[4];
        in.at = T0 + rows[i].age;
        in.baseline_ready = rows[i].ready;
        in.learning_s = rows[i].learning_s;
        obs_state_step(&in, &out);
        assert_int_equal(out.state, rows[i].want);
        assert_int_equal(out.changed, rows[i].want != rows[i].from);
    }
}

/* Maintenance holds the state: probes inside the window show
 * maintenance and do not enter the window; after it the state is what
 * it was (normal stays normal although every maintenance probe was
 * down; slow stays slow). Pause likewise. */
static void t_maintenance_holds(void **state)
{
    (void)state;
    struct site s;
    site_init(&s, OBS_STATE_NORMAL, T0);
    for (int i = 0; i < 5; i++)
        probe(&s, O);
    int64_t w = s.in.window;
    int wn = s.in.window_n;
    s.in.in_maintenance = true;
    for (int i = 0; i < 30; i++) {
        assert_int_equal(probe(&s, D), OBS_STATE_MAINTENANCE);
        assert_true(s.in.window == w && s.in.window_n == wn);
    }
    s.in.in_maintenance = false;
    assert_int_equal(probe(&s, D), OBS_STATE_NORMAL); /* O O O O D */
    assert_int_equal(probe(&s, D), OBS_STATE_NORMAL);
    assert_int_equal(probe(&s, O), OBS_STATE_NORMAL);
    /* slow before: slow after */
    site_init(&s, OBS_STATE_NORMAL, T0);
    for (int i = 0; i < 5; i++)
        probe(&s, S);
    assert_int_equal(s.in.state, OBS_STATE_SLOW);
    s.in.in_maintenance = true;
    for (int i = 0; i < 5; i++)
        assert_int_equal(probe(&s, O), OBS_STATE_MAINTENANCE);
    s.in.in_maintenance = false;
    assert_int_equal(probe(&s, O), OBS_STATE_SLOW);
    /* paused: the window is kept (S S S S O); resumed: judged again */
    w = s.in.window;
    s.in.paused = true;
    assert_int_equal(probe(&s, O), OBS_STATE_PAUSED);
    assert_int_equal(probe(&s, D), OBS_STATE_PAUSED);
    assert_true(s.in.window == w);
    s.in.paused = false;
    assert_int_equal(probe(&s, O), OBS_STATE_SLOW);   /* S S S O O */
    assert_int_equal(probe(&s, O), OBS_STATE_SLOW);   /* S S O O O */
    assert_int_equal(probe(&s, O), OBS_STATE_NORMAL); /* S O O O O */
    /* out of maintenance without agreement: normal */
    site_init(&s, OBS_STATE_MAINTENANCE, T0);
    assert_int_equal(probe(&s, S), OBS_STATE_NORMAL);
}

static void t_names(void **state)
{
    (void)state;
    for (int i = 0; i < OBS_STATE_COUNT_; i++) {
        enum obs_state back;
        assert_true(obs_state_parse(obs_state_name(i), &back));
        assert_int_equal(back, i);
    }
    enum obs_state st;
    assert_false(obs_state_parse("down", &st));
    assert_null(obs_state_name(OBS_STATE_COUNT_));
    assert_true(obs_state_anomalous(OBS_STATE_SLOW));
    assert_true(obs_state_anomalous(OBS_STATE_UNREACHABLE));
    assert_false(obs_state_anomalous(OBS_STATE_NORMAL));
    assert_false(obs_state_anomalous(OBS_STATE_MAINTENANCE));
}

static void t_reason(void **state)
{
    (void)state;
    char ja[OBS_REASON_MAX], en[OBS_REASON_MAX];
    struct obs_reason_in r = {OBS_STATE_SLOW,  4,         5, 9.3, 120,
                              OBS_PHASE_TOTAL, OBS_OUT_OK};
    assert_true(obs_state_reason(&r, ja, sizeof ja, en, sizeof en));
    assert_string_equal(
        en, "total 9.3× its usual 120 ms in 4 of the last 5 probes");
    assert_string_equal(ja,
                        "総応答時間が通常（120 ms）の9.3倍（直近5回中4回）");
    r.phase = OBS_PHASE_CONNECT;
    assert_true(obs_state_reason(&r, ja, sizeof ja, en, sizeof en));
    assert_string_equal(en, "total 9.3× its usual 120 ms in 4 of the last 5 "
                            "probes; connect degraded most");
    assert_string_equal(ja, "総応答時間が通常（120 ms）の9.3倍（直近5回中4回）"
                            "。最も悪化した段階: 接続");
    r = (struct obs_reason_in){
        OBS_STATE_UNREACHABLE, 5, 5, 0, 120, OBS_PHASE_TTFB, OBS_OUT_TIMEOUT};
    assert_true(obs_state_reason(&r, ja, sizeof ja, en, sizeof en));
    assert_string_equal(en, "unreachable (timeout) in 5 of the last 5 probes");
    assert_string_equal(ja, "到達不能（タイムアウト）（直近5回中5回）");
    r.state = OBS_STATE_NORMAL;
    assert_true(obs_state_reason(&r, ja, sizeof ja, en, sizeof en));
    assert_string_equal(en, "");
    assert_string_equal(ja, "");
    static const enum obs_state fixed[] = {
        OBS_STATE_LEARNING, OBS_STATE_MAINTENANCE, OBS_STATE_PAUSED};
    for (size_t i = 0; i < IS_ARRAY_LEN(fixed); i++) {
        r.state = fixed[i];
        assert_true(obs_state_reason(&r, ja, sizeof ja, en, sizeof en));
        assert_true(strlen(en) > 0 && strlen(ja) > 0);
    }
    /* too small: false, still terminated */
    r.state = OBS_STATE_SLOW;
    assert_false(obs_state_reason(&r, ja, 10, en, sizeof en));
    assert_true(strlen(ja) < 10);
    assert_false(obs_state_reason(&r, ja, sizeof ja, en, 0));
    assert_string_equal(obs_outcome_label(OBS_OUT_DNS, true), "名前解決の失敗");
    assert_string_equal(obs_outcome_label(OBS_OUT_REFUSED, false),
                        "connection refused");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_window),
        cmocka_unit_test(t_judge_table),
        cmocka_unit_test(t_k_of_n),
        cmocka_unit_test(t_learning),
        cmocka_unit_test(t_maintenance_holds),
        cmocka_unit_test(t_names),
        cmocka_unit_test(t_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
