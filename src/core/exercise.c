/*
 * exercise.c - see exercise.h.
 */
#include "core/exercise.h"

#include "common/util.h"

#include <stdio.h>
#include <string.h>

static const char *const action_names[EX_ACT_COUNT] = {"report", "ack", "relay",
                                                       "bcp", "rollcall"};

const char *ex_action_name(enum ex_action a)
{
    return (unsigned)a < EX_ACT_COUNT ? action_names[a] : "unknown";
}

int ex_action_parse(const char *s)
{
    for (int i = 0; s && i < EX_ACT_COUNT; i++)
        if (strcmp(s, action_names[i]) == 0)
            return i;
    return -1;
}

static bool fail(struct ex_problem *p, const char *code, int inject,
                 const char *field)
{
    p->code = code;
    p->inject = inject;
    util_xcopy(p->field, sizeof(p->field), field); /* our own names */
    return false;
}

/* The inject whose expected actions include id, or -1. */
static int owner_of(const struct ex_scenario *s, const char *id)
{
    for (int i = 0; i < s->ninjects; i++)
        for (int k = 0; k < s->inject[i].nexpect; k++)
            if (strcmp(s->inject[i].expect[k].id, id) == 0)
                return i;
    return -1;
}

/* Depth-first search over "i waits for an action of owner_of(...)":
 * state 0 unseen, 1 on the path, 2 done. */
static bool has_cycle(const struct ex_scenario *s, int i, unsigned char *st)
{
    if (st[i] == 1)
        return true;
    if (st[i] == 2)
        return false;
    st[i] = 1;
    const struct ex_condition *w = &s->inject[i].when;
    if (w->present) {
        int j = owner_of(s, w->action_id);
        if (j >= 0 && has_cycle(s, j, st))
            return true;
    }
    st[i] = 2;
    return false;
}

bool ex_scenario_check(const struct ex_scenario *s, struct ex_problem *p)
{
    if (s->ninjects < 1 || s->ninjects > EX_MAX_INJECTS)
        return fail(p, "out_of_range", -1, "injects");
    /* identifiers: injects and expected actions share one namespace */
    for (int i = 0; i < s->ninjects; i++) {
        const struct ex_inject *a = &s->inject[i];
        if (!a->id[0])
            return fail(p, "missing_field", i, "id");
        if (a->at_min < 0 || a->at_min > EX_MAX_MIN)
            return fail(p, "out_of_range", i, "at_min");
        if (i > 0 && a->at_min < s->inject[i - 1].at_min)
            return fail(p, "out_of_order", i, "at_min");
        if (a->nexpect < 0 || a->nexpect > EX_MAX_EXPECT)
            return fail(p, "out_of_range", i, "expect");
        for (int j = 0; j < i; j++)
            if (strcmp(s->inject[j].id, a->id) == 0)
                return fail(p, "duplicate_id", i, "id");
        for (int k = 0; k < a->nexpect; k++) {
            const struct ex_expect *x = &a->expect[k];
            char field[32];
            snprintf(field, sizeof(field), "expect[%d].id", k);
            if (!x->id[0])
                return fail(p, "missing_field", i, field);
            if (owner_of(s, x->id) != i || strcmp(x->id, a->id) == 0)
                return fail(p, "duplicate_id", i, field);
            for (int j = 0; j < s->ninjects; j++)
                if (strcmp(s->inject[j].id, x->id) == 0)
                    return fail(p, "duplicate_id", i, field);
            for (int m = 0; m < k; m++)
                if (strcmp(a->expect[m].id, x->id) == 0)
                    return fail(p, "duplicate_id", i, field);
            snprintf(field, sizeof(field), "expect[%d].within_min", k);
            if (x->within_min < 1 || x->within_min > EX_MAX_MIN)
                return fail(p, "out_of_range", i, field);
            if ((unsigned)x->action >= EX_ACT_COUNT) {
                snprintf(field, sizeof(field), "expect[%d].action", k);
                return fail(p, "unknown_action", i, field);
            }
        }
    }
    for (int i = 0; i < s->ninjects; i++) {
        const struct ex_condition *w = &s->inject[i].when;
        if (!w->present)
            continue;
        int j = owner_of(s, w->action_id);
        if (j < 0)
            return fail(p, "unknown_action", i, "when.action");
        if (w->by_min < 0 || w->by_min > EX_MAX_MIN)
            return fail(p, "out_of_range", i, "when.by_min");
        if (w->by_min > s->inject[i].at_min)
            return fail(p, "condition_after_inject", i, "when.by_min");
    }
    unsigned char st[EX_MAX_INJECTS] = {0};
    for (int i = 0; i < s->ninjects; i++)
        if (has_cycle(s, i, st))
            return fail(p, "cycle", i, "when.action");
    for (int i = 0; i < s->ninjects; i++) {
        const struct ex_condition *w = &s->inject[i].when;
        int j = w->present ? owner_of(s, w->action_id) : -1;
        if (j >= i)
            return fail(p, "depends_on_later", i, "when.action");
    }
    return true;
}

int64_t ex_world_s(const struct ex_clock *c, int64_t now)
{
    if (!c->started_at)
        return 0;
    if (now < c->started_at)
        now = c->started_at;
    int64_t until = c->paused_since ? c->paused_since : now;
    int64_t real = until - c->started_at - c->paused_total;
    return (real < 0 ? 0 : real) * (c->scale > 1 ? c->scale : 1) +
           (c->advanced_s > 0 ? c->advanced_s : 0);
}

int64_t ex_elapsed_s(const struct ex_clock *c, int64_t now)
{
    if (!c->started_at || now < c->started_at)
        return 0;
    int64_t e = ex_world_s(c, now) - c->shift_s;
    return e < 0 ? 0 : e;
}

bool ex_inject_due(const struct ex_inject *i, int64_t elapsed_s)
{
    return elapsed_s >= (int64_t)i->at_min * 60;
}

bool ex_condition_holds(const struct ex_condition *w, int64_t done_s)
{
    if (!w->present)
        return true;
    bool done_by = done_s >= 0 && done_s <= (int64_t)w->by_min * 60;
    return w->negated ? !done_by : done_by;
}

enum ex_outcome ex_score(const struct ex_expect *x, int64_t fired_s,
                         int64_t done_s, int64_t now_s)
{
    int64_t limit = fired_s + (int64_t)x->within_min * 60;
    if (done_s >= 0)
        return done_s <= limit ? EX_ON_TIME : EX_LATE;
    return now_s > limit ? EX_MISSED : EX_PENDING;
}

const char *ex_outcome_name(enum ex_outcome o)
{
    static const char *const names[] = {"on_time", "late", "missed", "pending"};
    return (unsigned)o < IS_ARRAY_LEN(names) ? names[o] : "unknown";
}

int ex_action_index(const struct ex_scenario *s, const char *id)
{
    int n = 0;
    for (int i = 0; i < s->ninjects; i++)
        for (int k = 0; k < s->inject[i].nexpect; k++, n++)
            if (id && strcmp(s->inject[i].expect[k].id, id) == 0)
                return n;
    return -1;
}

int ex_action_count(const struct ex_scenario *s)
{
    int n = 0;
    for (int i = 0; i < s->ninjects; i++)
        n += s->inject[i].nexpect;
    return n;
}

int ex_participant_run(const struct ex_scenario *s, const bool *targeted,
                       const int64_t *done_s, int64_t now_s,
                       struct ex_step *step, enum ex_outcome *outcome)
{
    int asked = 0, a = 0;
    for (int i = 0; i < s->ninjects; i++) {
        const struct ex_inject *in = &s->inject[i];
        struct ex_step *st = &step[i];
        st->reached = targeted[i];
        int cond =
            in->when.present ? ex_action_index(s, in->when.action_id) : -1;
        /* the condition is decided at by_min: before it, not yet */
        bool decided =
            !in->when.present || now_s >= (int64_t)in->when.by_min * 60;
        st->fired =
            st->reached && ex_inject_due(in, now_s) && decided &&
            ex_condition_holds(&in->when, cond >= 0 ? done_s[cond] : -1);
        st->fired_s = st->fired ? (int64_t)in->at_min * 60 : -1;
        for (int k = 0; k < in->nexpect; k++, a++) {
            if (!st->fired) {
                outcome[a] = EX_PENDING;
                continue;
            }
            asked++;
            outcome[a] =
                ex_score(&in->expect[k], st->fired_s, done_s[a], now_s);
        }
    }
    return asked;
}
