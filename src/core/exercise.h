/*
 * exercise.h - cross-sector exercises (分野横断的演習, DOMAIN.md §11, issue
 * 14; docs/rules.md "Cross-sector exercises"): a scenario's timeline of
 * injects and the expected actions, its checks (order, identifiers,
 * branching without cycles), the controller's clock (start, pause, shift,
 * a time-scale factor: never sleeps) and the scoring of one participant's
 * action. Pure: no I/O, no clock (time is an argument).
 */
#ifndef INFRASHARE_EXERCISE_H
#define INFRASHARE_EXERCISE_H

#include "common/common.h"

#define EX_MAX_INJECTS 200
#define EX_MAX_EXPECT 8
#define EX_ID_LEN 48
#define EX_MAX_MIN (24 * 60) /* a scenario lasts at most a day */

/* What a participant is expected to do after an inject. */
enum ex_action {
    EX_ACT_REPORT = 0, /* file a report (of report_kind when given) */
    EX_ACT_ACK,        /* acknowledge the inject's advisory */
    EX_ACT_RELAY,      /* relay it (a secretariat, a ministry) */
    EX_ACT_BCP,        /* declare BCP activation */
    EX_ACT_ROLLCALL,   /* answer a roll call */
    EX_ACT_COUNT
};
/* "report", "ack", "relay", "bcp", "rollcall"; parse: -1 unknown. */
const char *ex_action_name(enum ex_action a);
int ex_action_parse(const char *s);

struct ex_expect {
    char id[EX_ID_LEN]; /* unique in the scenario */
    enum ex_action action;
    int within_min; /* from the inject's firing */
};

/* Branching: the inject fires for a participant only when it has (or,
 * negated, has not) done the action action_id by minute by_min of the
 * scenario ("if no report by 13:30, the ministry asks"). */
struct ex_condition {
    bool present;
    bool negated;
    char action_id[EX_ID_LEN];
    int by_min;
};

struct ex_inject {
    char id[EX_ID_LEN];
    int at_min; /* minutes from the scenario's start */
    struct ex_condition when;
    int nexpect;
    struct ex_expect expect[EX_MAX_EXPECT];
};

struct ex_scenario {
    int ninjects;
    struct ex_inject inject[EX_MAX_INJECTS];
};

/* The first problem of a scenario: code (a static string), the inject's
 * index and the field ("at_min", "id", "expect[1].id", "when.action"). */
struct ex_problem {
    const char *code;
    int inject;
    char field[64];
};

/* Checks s: injects in time order (out_of_order), times within a day
 * (out_of_range), identifiers unique across injects and expected actions
 * (duplicate_id), a condition naming a known action (unknown_action) of
 * an earlier inject (depends_on_later), decided no later than its inject
 * fires (condition_after_inject), and no cycle among conditions (cycle).
 * Returns true when s is sound; else p names the first problem. O(n^2)
 * in injects. */
bool ex_scenario_check(const struct ex_scenario *s, struct ex_problem *p);

/* The controller's clock. Scenario time runs scale times as fast as
 * real time (a time-compressed run of a test: scale 60 makes a scenario
 * minute a second); pausing stops it; a shift of shift_s seconds moves
 * the whole remaining timeline later (positive) or earlier. */
struct ex_clock {
    int64_t started_at;   /* real Unix seconds (0: not started) */
    int64_t paused_since; /* 0 when running */
    int64_t paused_total; /* real seconds paused before paused_since */
    int64_t shift_s;      /* scenario seconds */
    int64_t advanced_s;   /* exercise seconds jumped forward by hand */
    int scale;            /* >= 1 */
};
/* The exercise's own time at real time now: seconds since the start,
 * running scale times as fast as real time while not paused, plus what
 * the controller jumped forward (advanced_s). Never goes back: every
 * timestamp of the exercise's database is started_at + this (the
 * exercise's clock, service/exercise_run.c). */
int64_t ex_world_s(const struct ex_clock *c, int64_t now);
/* Scenario seconds elapsed at real time now: the exercise's time
 * (ex_world_s) less the shift (0 before the start; never negative). */
int64_t ex_elapsed_s(const struct ex_clock *c, int64_t now);
/* Has the inject's time come at scenario time elapsed_s? */
bool ex_inject_due(const struct ex_inject *i, int64_t elapsed_s);
/* Does the inject's condition let it fire for a participant whose action
 * (the condition's) was done at scenario time done_s (-1: not done)? True
 * when the inject has no condition. */
bool ex_condition_holds(const struct ex_condition *w, int64_t done_s);

/* One expected action of a participant, scored. */
enum ex_outcome { EX_ON_TIME = 0, EX_LATE, EX_MISSED, EX_PENDING };
/* fired_s: when the inject fired for it; done_s: when it acted (-1: not
 * yet); now_s: the scenario time of the scoring (the end, for the
 * debrief). Pending while not done and the limit not passed; missed when
 * not done past the limit; late when done past it. O(1). */
enum ex_outcome ex_score(const struct ex_expect *x, int64_t fired_s,
                         int64_t done_s, int64_t now_s);
const char *ex_outcome_name(enum ex_outcome o);

/* ---- one participant through the whole scenario ---- */

#define EX_MAX_ACTIONS (EX_MAX_INJECTS * EX_MAX_EXPECT)
/* The expected actions of s numbered in scenario order (inject by inject,
 * then expect by expect): the index of action id, or -1. */
int ex_action_index(const struct ex_scenario *s, const char *id);
/* The number of expected actions of s. */
int ex_action_count(const struct ex_scenario *s);

/* One participant's step of the timeline at scenario time now_s. */
struct ex_step {
    bool reached;    /* the inject goes to this participant (targeting) */
    bool fired;      /* due and its condition held */
    int64_t fired_s; /* when (its at_min), when fired */
};
/* What the scenario did for one participant and how it did: targeted[i]
 * whether inject i goes to it (the scenario's `to`, decided by the
 * caller), done_s[a] when it did action a (-1: not; ex_action_index's
 * numbering), at scenario time now_s. Fills step[0..ninjects) and
 * outcome[a] for every action (EX_PENDING also for the actions of an
 * inject that did not fire for it: nothing was asked). Returns the
 * number of actions asked of it (those of fired injects). O(actions). */
int ex_participant_run(const struct ex_scenario *s, const bool *targeted,
                       const int64_t *done_s, int64_t now_s,
                       struct ex_step *step, enum ex_outcome *outcome);

#endif
