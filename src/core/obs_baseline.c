/*
 * obs_baseline.c - hour of the week, median/MAD and the per-probe verdict
 * (see obs_baseline.h for the contract).
 */
#include "common/common.h"

#include <math.h>

#include "core/obs_baseline.h"

static const char *const outcome_names[OBS_OUT_COUNT_] = {
    "ok",      "dns",    "refused", "timeout", "tls",
    "http5xx", "status", "content", "error",
};

const char *obs_outcome_name(enum obs_outcome o)
{
    if ((int)o < 0 || o >= OBS_OUT_COUNT_)
        return NULL;
    return outcome_names[o];
}

bool obs_outcome_parse(const char *s, enum obs_outcome *out)
{
    if (!s)
        return false;
    for (int i = 0; i < OBS_OUT_COUNT_; i++)
        if (strcmp(s, outcome_names[i]) == 0) {
            *out = (enum obs_outcome)i;
            return true;
        }
    return false;
}

static const char *const phase_names[OBS_PHASE_COUNT_] = {
    "", "dns", "connect", "tls", "ttfb", "transfer", "total",
};
static const char *const phase_en[OBS_PHASE_COUNT_] = {
    "", "DNS", "connect", "TLS", "first byte", "transfer", "total",
};
static const char *const phase_ja[OBS_PHASE_COUNT_] = {
    "", "名前解決", "接続", "TLS", "最初の応答", "転送", "総応答時間",
};

const char *obs_phase_name(enum obs_phase p)
{
    if ((int)p < 0 || p >= OBS_PHASE_COUNT_)
        return NULL;
    return phase_names[p];
}

bool obs_phase_parse(const char *s, enum obs_phase *out)
{
    if (!s)
        return false;
    for (int i = 0; i < OBS_PHASE_COUNT_; i++)
        if (strcmp(s, phase_names[i]) == 0) {
            *out = (enum obs_phase)i;
            return true;
        }
    return false;
}

const char *obs_phase_label(enum obs_phase p, bool japanese)
{
    if ((int)p < 0 || p >= OBS_PHASE_COUNT_)
        return "";
    return japanese ? phase_ja[p] : phase_en[p];
}

static const char *const verdict_names[4] = {"", "ok", "slow", "down"};

const char *obs_verdict_name(enum obs_verdict v)
{
    if ((int)v < 0 || (int)v > 3)
        return NULL;
    return verdict_names[v];
}

bool obs_verdict_parse(const char *s, enum obs_verdict *out)
{
    if (!s)
        return false;
    for (int i = 0; i < 4; i++)
        if (strcmp(s, verdict_names[i]) == 0) {
            *out = (enum obs_verdict)i;
            return true;
        }
    return false;
}

/* a cumulative time that was reached: > 0 and finite */
static bool reached(double t)
{
    return isfinite(t) && t > 0;
}

static double span(double to, double from)
{
    double d = to - from;
    return d > 0 ? d : 0;
}

void obs_phases_from_cumulative(double namelookup, double connect,
                                double appconnect, double starttransfer,
                                double total, struct obs_phases *out)
{
    out->dns_ms = -1;
    out->connect_ms = -1;
    out->tls_ms = -1;
    out->ttfb_ms = -1;
    out->total_ms = reached(total) ? total : -1;
    if (!reached(namelookup))
        return;
    out->dns_ms = namelookup;
    if (!reached(connect))
        return;
    out->connect_ms = span(connect, namelookup);
    double before_request = connect;
    if (reached(appconnect)) {
        out->tls_ms = span(appconnect, connect);
        before_request = appconnect;
    }
    if (reached(starttransfer))
        out->ttfb_ms = span(starttransfer, before_request);
}

int obs_hour_of_week(int64_t t)
{
    int64_t local = t + OBS_JST_OFFSET_S;
    int64_t days = local / 86400;
    int64_t secs = local % 86400;
    if (secs < 0) {
        secs += 86400;
        days -= 1;
    }
    /* 1970-01-01 was a Thursday: Monday = 0 makes it 3 */
    int64_t wd = (days + 3) % 7;
    if (wd < 0)
        wd += 7;
    return (int)(wd * 24 + secs / 3600);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_sorted(const double *v, size_t n)
{
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

bool obs_median_mad(double *v, size_t n, double *median, double *mad)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]) || v[i] < 0)
            return false;
    qsort(v, n, sizeof *v, cmp_double);
    double m = median_sorted(v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = fabs(v[i] - m);
    qsort(v, n, sizeof *v, cmp_double);
    *median = m;
    *mad = median_sorted(v, n);
    return true;
}

bool obs_baseline_ready(const struct obs_baseline *b)
{
    return b && b->n >= OBS_BASELINE_MIN_N && isfinite(b->median_ms) &&
           b->median_ms >= 0 && isfinite(b->mad_ms) && b->mad_ms >= 0;
}

double obs_slow_threshold_ms(const struct obs_baseline *b)
{
    if (!obs_baseline_ready(b))
        return -1;
    double m = b->median_ms;
    double t = OBS_SLOW_RATIO * m;
    double by_mad = m + OBS_SLOW_MADS * OBS_MAD_SIGMA * b->mad_ms;
    double by_floor = m + OBS_SLOW_FLOOR_MS;
    if (by_mad > t)
        t = by_mad;
    if (by_floor > t)
        t = by_floor;
    return t;
}

bool obs_baseline_band(const struct obs_baseline *b, double *low, double *high)
{
    if (!obs_baseline_ready(b))
        return false;
    double lo = b->median_ms - 3.0 * OBS_MAD_SIGMA * b->mad_ms;
    *low = lo > 0 ? lo : 0;
    *high = obs_slow_threshold_ms(b);
    return true;
}

/* The phase a failure happened in. */
static enum obs_phase failed_phase(enum obs_outcome o,
                                   const struct obs_phases *p)
{
    switch (o) {
    case OBS_OUT_DNS: return OBS_PHASE_DNS;
    case OBS_OUT_REFUSED: return OBS_PHASE_CONNECT;
    case OBS_OUT_TLS: return OBS_PHASE_TLS;
    case OBS_OUT_HTTP5XX:
    case OBS_OUT_STATUS:
    case OBS_OUT_CONTENT: return OBS_PHASE_TTFB;
    default: break;
    }
    if (!p)
        return OBS_PHASE_TOTAL;
    if (!(p->dns_ms >= 0))
        return OBS_PHASE_DNS;
    if (!(p->connect_ms >= 0))
        return OBS_PHASE_CONNECT;
    if (!(p->ttfb_ms >= 0))
        return OBS_PHASE_TTFB;
    return OBS_PHASE_TOTAL;
}

static double known(double v)
{
    return isfinite(v) && v >= 0 ? v : 0;
}

/* The remainder of total after the four phases (>= 0). */
static double transfer_of(const struct obs_phases *p)
{
    double rest = known(p->total_ms) - known(p->dns_ms) - known(p->connect_ms) -
                  known(p->tls_ms) - known(p->ttfb_ms);
    return rest > 0 ? rest : 0;
}

/* The phase with the largest excess over its usual duration. */
static enum obs_phase slow_phase(const struct obs_phases *p,
                                 const struct obs_phases *usual)
{
    static const struct obs_phases none = {-1, -1, -1, -1, -1};
    if (!usual)
        usual = &none;
    double v[5] = {known(p->dns_ms), known(p->connect_ms), known(p->tls_ms),
                   known(p->ttfb_ms), transfer_of(p)};
    double u[5] = {known(usual->dns_ms), known(usual->connect_ms),
                   known(usual->tls_ms), known(usual->ttfb_ms),
                   usual->total_ms >= 0 ? transfer_of(usual) : 0};
    static const enum obs_phase ph[5] = {OBS_PHASE_DNS, OBS_PHASE_CONNECT,
                                         OBS_PHASE_TLS, OBS_PHASE_TTFB,
                                         OBS_PHASE_TRANSFER};
    enum obs_phase best = OBS_PHASE_TOTAL;
    double best_excess = 0;
    for (int i = 0; i < 5; i++) {
        double e = v[i] - u[i];
        if (e > best_excess) {
            best_excess = e;
            best = ph[i];
        }
    }
    return best;
}

void obs_verdict_of(enum obs_outcome outcome, const struct obs_phases *p,
                    const struct obs_baseline *b,
                    const struct obs_phases *usual, struct obs_judgement *out)
{
    bool ready = obs_baseline_ready(b);
    double total = p && isfinite(p->total_ms) ? p->total_ms : -1;
    out->usual_ms = ready ? b->median_ms : -1;
    out->threshold_ms = ready ? obs_slow_threshold_ms(b) : -1;
    out->ratio = 0;
    if (ready && total >= 0) {
        double m = b->median_ms > 1.0 ? b->median_ms : 1.0;
        out->ratio = total / m;
    }
    if (outcome != OBS_OUT_OK || total < 0) {
        enum obs_outcome o = outcome == OBS_OUT_OK ? OBS_OUT_ERROR : outcome;
        out->verdict = OBS_VERDICT_DOWN;
        out->score = OBS_SCORE_MAX;
        out->phase = failed_phase(o, p);
        return;
    }
    if (!ready) {
        out->verdict = OBS_VERDICT_UNKNOWN;
        out->score = 0;
        out->phase = OBS_PHASE_NONE;
        return;
    }
    double sigma = OBS_MAD_SIGMA * b->mad_ms;
    if (sigma < 0.05 * b->median_ms)
        sigma = 0.05 * b->median_ms;
    if (sigma < 1.0)
        sigma = 1.0;
    double z = (total - b->median_ms) / sigma;
    out->score = z < 0 ? 0 : z > OBS_SCORE_MAX ? OBS_SCORE_MAX : z;
    if (total >= out->threshold_ms) {
        out->verdict = OBS_VERDICT_SLOW;
        out->phase = slow_phase(p, usual);
    } else {
        out->verdict = OBS_VERDICT_OK;
        out->phase = OBS_PHASE_NONE;
    }
}
