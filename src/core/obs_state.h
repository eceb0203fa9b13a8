/*
 * obs_state.h - a website's state from its last probes: k of n, learning
 * period, maintenance, pause, and the reason people read (website response
 * observation, docs/rules.md "Website response observation"). Pure: no
 * I/O, no clock (times are arguments).
 *
 *  - The window: the last OBS_WINDOW_SLOTS verdicts (enum obs_verdict of
 *    core/obs_baseline.h, 2 bits each) packed in an int64 (the column
 *    obs_states.window), the newest in the lowest 2 bits; window_n counts
 *    the valid slots (0..OBS_WINDOW_SLOTS).
 *  - k of n with hysteresis, over the newest OBS_STATE_N (5) verdicts
 *    (obs_window_judge): a state becomes unreachable when >= OBS_STATE_K
 *    (3) are down, slow when >= 3 are slow or down, normal (from
 *    learning, maintenance, pause) when >= 3 are ok. Leaving an anomalous
 *    state needs more: back to normal when >= OBS_STATE_RECOVER (4) are
 *    ok; unreachable to slow when <= 1 is down and >= 3 are slow or down.
 *    Otherwise the state stays. Unknown verdicts (no baseline) count for
 *    nothing. So an anomaly starting now shows at its 3rd anomalous probe
 *    (<= 3 intervals), isolated anomalous probes (1 or 2 of 5) change
 *    nothing, and verdicts alternating ok / slow change the state at most
 *    once (no flapping).
 *  - Learning: until learning_s (default OBS_LEARNING_S, 7 days) has
 *    passed since the first result AND the baseline of the probe's hour
 *    of the week is usable, the state is learning - except unreachable,
 *    which needs no baseline (3 of 5 down make it unreachable; it is left
 *    by the rule above, back to learning).
 *  - Maintenance: a probe inside a maintenance window of its site does
 *    not enter the window and the state shows maintenance; the first probe
 *    after it is judged on the window as it was before plus itself (the
 *    window is held), so the maintenance itself never changes the state.
 *  - Paused (the site's opt-out): state paused, window kept.
 *  - since: the time of the probe that changed the state (kept while the
 *    state stays).
 */
#ifndef INFRASHARE_OBS_STATE_H
#define INFRASHARE_OBS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "core/obs_baseline.h"

#define OBS_STATE_K 3
#define OBS_STATE_N 5
#define OBS_STATE_RECOVER 4
/* verdicts kept in the int64 (31 x 2 bits: the sign bit never set) */
#define OBS_WINDOW_SLOTS 31
#define OBS_LEARNING_S (7 * 86400LL)
/* reason texts fit in this many bytes (NUL included) */
#define OBS_REASON_MAX 256

/* Names as stored in obs_states.state: "learning", "normal", "slow",
 * "unreachable", "maintenance", "paused". */
enum obs_state {
    OBS_STATE_LEARNING = 0,
    OBS_STATE_NORMAL,
    OBS_STATE_SLOW,
    OBS_STATE_UNREACHABLE,
    OBS_STATE_MAINTENANCE,
    OBS_STATE_PAUSED,
    OBS_STATE_COUNT_
};
const char *obs_state_name(enum obs_state s);
bool obs_state_parse(const char *s, enum obs_state *out);
/* slow or unreachable */
bool obs_state_anomalous(enum obs_state s);

/* The window with verdict v pushed as the newest (the oldest past
 * OBS_WINDOW_SLOTS falls off); *n (valid slots) grows up to
 * OBS_WINDOW_SLOTS. A window or n out of range is taken as empty. */
int64_t obs_window_push(int64_t window, int *n, enum obs_verdict v);
/* The i-th newest verdict (0 = newest); UNKNOWN past n or the slots. */
enum obs_verdict obs_window_at(int64_t window, int n, int i);
/* How many of the newest min(last, n) verdicts are v. */
int obs_window_count(int64_t window, int n, int last, enum obs_verdict v);
/* The state the newest OBS_STATE_N verdicts of a window call for, given
 * the current state (the rules above): NORMAL, SLOW or UNREACHABLE - the
 * current one when it stays - or OBS_STATE_COUNT_ when the current state
 * is none of those three (learning, maintenance, paused) and the window
 * does not agree on one. Usable on any window, e.g. one vantage point's
 * own verdicts of a site (current NORMAL: "is it anomalous from there"). */
enum obs_state obs_window_judge(int64_t window, int n, enum obs_state current);

struct obs_state_in {
    enum obs_state state;     /* current (LEARNING for a new site) */
    int64_t since;            /* current state since (0 = new site) */
    int64_t window;           /* before this probe */
    int window_n;             /* before this probe */
    int64_t first_at;         /* first result ever (0 = this is the first) */
    int64_t at;               /* this probe's time */
    enum obs_verdict verdict; /* this probe's (obs_verdict_of) */
    bool baseline_ready;      /* the baseline used for it was usable */
    bool in_maintenance;      /* at is inside a maintenance window */
    bool paused;              /* the site is paused (opt-out) */
    int64_t learning_s;       /* 0 = OBS_LEARNING_S */
};

struct obs_state_out {
    enum obs_state state;
    int64_t since;
    int64_t window;
    int window_n;
    int64_t first_at; /* the earlier of in->first_at and at (at for the
                       * first result) */
    bool changed;     /* state differs from in->state */
    /* for the reason (struct obs_reason_in): of the newest `seen`
     * (<= OBS_STATE_N) verdicts in the window, `agree` show the state
     * (slow: slow or down; unreachable: down; normal: ok; 0 for the
     * others) */
    int agree;
    int seen;
};

/* One step of the state machine (see the rules above). Cannot fail. */
void obs_state_step(const struct obs_state_in *in, struct obs_state_out *out);

/* What the reason text says. */
struct obs_reason_in {
    enum obs_state state;
    int agree;                /* probes of the last n that showed it */
    int n;                    /* the n (OBS_STATE_N, or fewer when new) */
    double ratio;             /* slow: total / usual (obs_judgement.ratio) */
    double usual_ms;          /* slow: the usual total (baseline median) */
    enum obs_phase phase;     /* the phase that degraded most (NONE: unsaid) */
    enum obs_outcome outcome; /* unreachable: the last failure's class */
};

/* The reason in Japanese and English, e.g. slow:
 *   "total 9.3× its usual 120 ms in 4 of the last 5 probes; connect
 *    degraded most"
 *   「総応答時間が通常（120 ms）の9.3倍（直近5回中4回）。最も悪化した
 *    段階: 接続」 (Japanese puts no space around numbers, docs/ui.md)
 * unreachable: "unreachable (timeout) in 5 of the last 5 probes" /
 *   「到達不能（タイムアウト）（直近5回中5回）」;
 * normal "" / ""; learning, maintenance, paused: a fixed sentence each.
 * Writes NUL-terminated text into ja (ja_cap) and en (en_cap); returns
 * false when either did not fit (OBS_REASON_MAX always fits). */
bool obs_state_reason(const struct obs_reason_in *r, char *ja, size_t ja_cap,
                      char *en, size_t en_cap);

/* The outcome's name for people ("timeout" / "タイムアウト", ...). Static. */
const char *obs_outcome_label(enum obs_outcome o, bool japanese);

#endif
