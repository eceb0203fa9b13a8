/*
 * obs_state.c - the k-of-n state machine of a website and its reason
 * text (see obs_state.h for the contract).
 */
#include "common/common.h"

#include <math.h>

#include "core/obs_state.h"

static const char *const state_names[OBS_STATE_COUNT_] = {
    "learning", "normal", "slow", "unreachable", "maintenance", "paused",
};

const char *obs_state_name(enum obs_state s)
{
    if ((int)s < 0 || s >= OBS_STATE_COUNT_)
        return NULL;
    return state_names[s];
}

bool obs_state_parse(const char *s, enum obs_state *out)
{
    if (!s)
        return false;
    for (int i = 0; i < OBS_STATE_COUNT_; i++)
        if (strcmp(s, state_names[i]) == 0) {
            *out = (enum obs_state)i;
            return true;
        }
    return false;
}

bool obs_state_anomalous(enum obs_state s)
{
    return s == OBS_STATE_SLOW || s == OBS_STATE_UNREACHABLE;
}

/* The window's bits as unsigned (only the low 2 x OBS_WINDOW_SLOTS). */
#define WINDOW_MASK ((UINT64_C(1) << (2 * OBS_WINDOW_SLOTS)) - 1)

static bool window_valid(int64_t window, int n)
{
    return window >= 0 && n >= 0 && n <= OBS_WINDOW_SLOTS &&
           ((uint64_t)window & ~WINDOW_MASK) == 0;
}

int64_t obs_window_push(int64_t window, int *n, enum obs_verdict v)
{
    if (!window_valid(window, *n)) {
        window = 0;
        *n = 0;
    }
    uint64_t w = ((uint64_t)window << 2 | ((uint64_t)v & 3u)) & WINDOW_MASK;
    if (*n < OBS_WINDOW_SLOTS)
        (*n)++;
    return (int64_t)w;
}

enum obs_verdict obs_window_at(int64_t window, int n, int i)
{
    if (!window_valid(window, n) || i < 0 || i >= n)
        return OBS_VERDICT_UNKNOWN;
    return (enum obs_verdict)(((uint64_t)window >> (2 * i)) & 3u);
}

int obs_window_count(int64_t window, int n, int last, enum obs_verdict v)
{
    int c = 0;
    for (int i = 0; i < last && i < n; i++)
        if (obs_window_at(window, n, i) == v)
            c++;
    return c;
}

enum obs_state obs_window_judge(int64_t window, int n, enum obs_state current)
{
    int down = obs_window_count(window, n, OBS_STATE_N, OBS_VERDICT_DOWN);
    int slow = obs_window_count(window, n, OBS_STATE_N, OBS_VERDICT_SLOW);
    int ok = obs_window_count(window, n, OBS_STATE_N, OBS_VERDICT_OK);
    /* answered without a usable baseline: reachable, neither ok nor slow */
    int unknown = obs_window_count(window, n, OBS_STATE_N, OBS_VERDICT_UNKNOWN);
    int bad = down + slow;
    switch (current) {
    case OBS_STATE_UNREACHABLE:
        /* leaving unreachable needs answers, not a baseline: a site that
         * was down before its baseline was learnt recovers too */
        if (ok + unknown >= OBS_STATE_RECOVER)
            return OBS_STATE_NORMAL;
        if (down <= OBS_STATE_N - OBS_STATE_RECOVER && bad >= OBS_STATE_K)
            return OBS_STATE_SLOW;
        return current;
    case OBS_STATE_SLOW:
        if (down >= OBS_STATE_K)
            return OBS_STATE_UNREACHABLE;
        if (ok >= OBS_STATE_RECOVER)
            return OBS_STATE_NORMAL;
        return current;
    default:
        if (down >= OBS_STATE_K)
            return OBS_STATE_UNREACHABLE;
        if (bad >= OBS_STATE_K)
            return OBS_STATE_SLOW;
        if (current == OBS_STATE_NORMAL || ok >= OBS_STATE_K)
            return OBS_STATE_NORMAL;
        return OBS_STATE_COUNT_;
    }
}

/* The state a window calls for, given the current state and whether
 * learning is over. */
static enum obs_state decide(enum obs_state cur, int64_t window, int n,
                             bool learnt)
{
    if (!learnt) {
        /* only unreachable needs no baseline; judged as from normal */
        enum obs_state u = obs_window_judge(
            window, n, cur == OBS_STATE_UNREACHABLE ? cur : OBS_STATE_NORMAL);
        return u == OBS_STATE_UNREACHABLE ? u : OBS_STATE_LEARNING;
    }
    enum obs_state next = obs_window_judge(window, n, cur);
    /* from learning, maintenance or pause without an agreement: normal */
    return next == OBS_STATE_COUNT_ ? OBS_STATE_NORMAL : next;
}

void obs_state_step(const struct obs_state_in *in, struct obs_state_out *out)
{
    int64_t learning_s = in->learning_s > 0 ? in->learning_s : OBS_LEARNING_S;
    /* the earliest result ever, also when an older one arrives later (a
     * vantage point's kept batches, a backfilled history) */
    out->first_at =
        in->first_at > 0 && in->first_at < in->at ? in->first_at : in->at;
    out->window = in->window;
    out->window_n = in->window_n;
    if (!window_valid(out->window, out->window_n)) {
        out->window = 0;
        out->window_n = 0;
    }
    enum obs_state next;
    if (in->paused) {
        next = OBS_STATE_PAUSED;
    } else if (in->in_maintenance) {
        next = OBS_STATE_MAINTENANCE;
    } else {
        out->window = obs_window_push(out->window, &out->window_n, in->verdict);
        bool learnt =
            in->baseline_ready && in->at - out->first_at >= learning_s;
        next = decide(in->state, out->window, out->window_n, learnt);
    }
    out->changed = next != in->state;
    out->state = next;
    out->since = out->changed || in->since <= 0 ? in->at : in->since;
    out->seen = out->window_n < OBS_STATE_N ? out->window_n : OBS_STATE_N;
    int down = obs_window_count(out->window, out->window_n, OBS_STATE_N,
                                OBS_VERDICT_DOWN);
    switch (next) {
    case OBS_STATE_UNREACHABLE: out->agree = down; break;
    case OBS_STATE_SLOW:
        out->agree = down + obs_window_count(out->window, out->window_n,
                                             OBS_STATE_N, OBS_VERDICT_SLOW);
        break;
    case OBS_STATE_NORMAL:
        out->agree = obs_window_count(out->window, out->window_n, OBS_STATE_N,
                                      OBS_VERDICT_OK);
        break;
    default: out->agree = 0; break;
    }
}

/* ---- reason texts ---- */

static const char *const outcome_en[OBS_OUT_COUNT_] = {
    "ok",        "DNS failure", "connection refused", "timeout",
    "TLS error", "HTTP 5xx",    "unexpected status",  "content mismatch",
    "error",
};
static const char *const outcome_ja[OBS_OUT_COUNT_] = {
    "正常",      "名前解決の失敗", "接続拒否",           "タイムアウト",
    "TLSエラー", "HTTP 5xx",       "想定外のステータス", "内容の不一致",
    "エラー",
};

const char *obs_outcome_label(enum obs_outcome o, bool japanese)
{
    if ((int)o < 0 || o >= OBS_OUT_COUNT_)
        return "";
    return japanese ? outcome_ja[o] : outcome_en[o];
}

/* snprintf that reports truncation and errors as false */
static bool put(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool put(char *dst, size_t cap, const char *fmt, ...)
{
    if (!dst || cap == 0)
        return false;
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
    return r >= 0 && (size_t)r < cap;
}

static double finite_or0(double v)
{
    return isfinite(v) ? v : 0;
}

bool obs_state_reason(const struct obs_reason_in *r, char *ja, size_t ja_cap,
                      char *en, size_t en_cap)
{
    bool ok = true;
    int n = r->n, agree = r->agree;
    bool phase = r->phase != OBS_PHASE_NONE && r->phase != OBS_PHASE_TOTAL;
    switch (r->state) {
    case OBS_STATE_SLOW:
        ok = put(en, en_cap,
                 "total %.1f× its usual %.0f ms in %d of the last %d "
                 "probes%s%s%s",
                 finite_or0(r->ratio), finite_or0(r->usual_ms), agree, n,
                 phase ? "; " : "",
                 phase ? obs_phase_label(r->phase, false) : "",
                 phase ? " degraded most" : "");
        ok = put(ja, ja_cap,
                 "総応答時間が通常（%.0f ms）の%.1f倍（直近%d回中%d回）%s%s",
                 finite_or0(r->usual_ms), finite_or0(r->ratio), n, agree,
                 phase ? "。最も悪化した段階: " : "",
                 phase ? obs_phase_label(r->phase, true) : "") &&
             ok;
        return ok;
    case OBS_STATE_UNREACHABLE:
        ok = put(en, en_cap, "unreachable (%s) in %d of the last %d probes",
                 obs_outcome_label(r->outcome, false), agree, n);
        ok = put(ja, ja_cap, "到達不能（%s）（直近%d回中%d回）",
                 obs_outcome_label(r->outcome, true), n, agree) &&
             ok;
        return ok;
    case OBS_STATE_LEARNING:
        ok = put(en, en_cap, "learning its usual response times");
        return put(ja, ja_cap, "通常の応答時間を学習中") && ok;
    case OBS_STATE_MAINTENANCE:
        ok = put(en, en_cap, "in a maintenance window");
        return put(ja, ja_cap, "メンテナンス中") && ok;
    case OBS_STATE_PAUSED:
        ok = put(en, en_cap, "paused (not observed)");
        return put(ja, ja_cap, "一時停止中（観測対象外）") && ok;
    default:
        if (!en || !en_cap || !ja || !ja_cap)
            return false;
        en[0] = '\0';
        ja[0] = '\0';
        return true;
    }
}
