/*
 * obs_baseline.h - a website's learned normal and the verdict on one probe
 * (website response observation, docs/rules.md "Website response
 * observation"). Pure: no I/O, no clock (times are arguments).
 *
 *  - Season: the hour of the week in Japan time (UTC+9, no DST), Monday
 *    00:00-00:59 JST = 0 ... Sunday 23:00-23:59 JST = 167
 *    (obs_hour_of_week). A site's baseline is kept per site, vantage point
 *    and hour of the week: the median and the MAD (median absolute
 *    deviation) of the 5-minute rollups' p50 of total_ms in that hour of
 *    the last 4 weeks, with n = how many rollups (obs_median_mad).
 *  - A baseline with n < OBS_BASELINE_MIN_N is not used: a reachable probe
 *    then gets OBS_VERDICT_UNKNOWN ("ok-learning").
 *  - Verdict of one probe (obs_verdict_of):
 *      down: the outcome is not "ok" (dns, refused, timeout, tls, http5xx,
 *            status, content, error) - with or without a baseline;
 *      slow: outcome ok and total_ms >= the slow threshold
 *            max(3 x median, median + 6 x 1.4826 x MAD, median + 200 ms);
 *      ok:   outcome ok, below the threshold;
 *      unknown: outcome ok, no usable baseline.
 *  - Phases are the durations of each phase ALONE, in ms, -1 when it did
 *    not happen (no TLS on http://, or the probe failed before it): dns
 *    (name lookup), connect (TCP), tls (handshake), ttfb (request sent to
 *    first byte), total (the whole probe, start to last byte).
 *    obs_phases_from_cumulative converts libcurl's cumulative times.
 */
#ifndef INFRASHARE_OBS_BASELINE_H
#define INFRASHARE_OBS_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

#define OBS_HOURS_OF_WEEK 168
#define OBS_JST_OFFSET_S (9 * 3600)
/* a baseline needs this many 5-minute rollups in its hour of the week
 * (one hour of one week has 12) */
#define OBS_BASELINE_MIN_N 6
/* the baseline looks back this far (4 weeks) */
#define OBS_BASELINE_WINDOW_S (28 * 86400LL)
/* the slow threshold: max(RATIO x median, median + MADS x 1.4826 x MAD,
 * median + FLOOR_MS) */
#define OBS_SLOW_RATIO 3.0
#define OBS_SLOW_MADS 6.0
#define OBS_SLOW_FLOOR_MS 200.0
#define OBS_MAD_SIGMA 1.4826
/* the score of a "down" verdict (scores are capped here) */
#define OBS_SCORE_MAX 100.0

/* Probe outcomes, as the prober classifies them; names as stored
 * ("ok", "dns", "refused", "timeout", "tls", "http5xx", "status",
 * "content", "error"). */
enum obs_outcome {
    OBS_OUT_OK = 0,
    OBS_OUT_DNS,     /* name did not resolve */
    OBS_OUT_REFUSED, /* TCP connection refused / reset */
    OBS_OUT_TIMEOUT, /* the probe's time limit passed */
    OBS_OUT_TLS,     /* TLS handshake or certificate failed */
    OBS_OUT_HTTP5XX, /* a 5xx status */
    OBS_OUT_STATUS,  /* another status than expected (not 5xx) */
    OBS_OUT_CONTENT, /* content_match not found */
    OBS_OUT_ERROR,   /* anything else */
    OBS_OUT_COUNT_
};
/* "ok" ... ; NULL for a value out of range. */
const char *obs_outcome_name(enum obs_outcome o);
/* Parses a stored / received name; false for anything else (NULL too). */
bool obs_outcome_parse(const char *s, enum obs_outcome *out);

/* The phase that degraded most; names "", "dns", "connect", "tls",
 * "ttfb", "transfer", "total". */
enum obs_phase {
    OBS_PHASE_NONE = 0,
    OBS_PHASE_DNS,
    OBS_PHASE_CONNECT,
    OBS_PHASE_TLS,
    OBS_PHASE_TTFB,
    OBS_PHASE_TRANSFER, /* total minus the four phases before it */
    OBS_PHASE_TOTAL,    /* cannot tell which */
    OBS_PHASE_COUNT_
};
const char *obs_phase_name(enum obs_phase p);
bool obs_phase_parse(const char *s, enum obs_phase *out);
/* The phase's name for people: "DNS" / "名前解決", "connect" / "接続",
 * "TLS" / "TLS", "first byte" / "最初の応答", "transfer" / "転送",
 * "total" / "総応答時間"; "" for NONE. Static strings. */
const char *obs_phase_label(enum obs_phase p, bool japanese);

/* One probe's phase durations (each alone), ms; -1 = did not happen. */
struct obs_phases {
    double dns_ms;
    double connect_ms;
    double tls_ms;
    double ttfb_ms;
    double total_ms;
};

/* Converts cumulative times since the probe's start (libcurl's
 * CURLINFO_NAMELOOKUP / CONNECT / APPCONNECT / STARTTRANSFER / TOTAL
 * _TIME_T, in ms; -1 or 0-after-a-failure = not reached) into each
 * phase's own duration. A phase not reached is -1; appconnect 0 (no
 * TLS) gives tls -1. Differences never go below 0. */
void obs_phases_from_cumulative(double namelookup, double connect,
                                double appconnect, double starttransfer,
                                double total, struct obs_phases *out);

/* Hour of the week of unix time t in Japan time, 0..167 (Monday 00:00
 * JST = 0). Any t, negative too. */
int obs_hour_of_week(int64_t t);

/* Median and MAD of v[0..n). v is SORTED IN PLACE (and then reused as
 * scratch for the deviations: its contents are unspecified afterwards).
 * Median of an even count: the mean of the two middle values. Returns
 * false (outputs untouched) when n is 0 or a value is negative or not
 * finite. */
bool obs_median_mad(double *v, size_t n, double *median, double *mad);

/* A learned baseline of one hour of the week (median and MAD of total_ms
 * in ms, n = rollups it was made of). */
struct obs_baseline {
    double median_ms;
    double mad_ms;
    int64_t n;
};

/* Is the baseline usable (n >= OBS_BASELINE_MIN_N, median finite >= 0)? */
bool obs_baseline_ready(const struct obs_baseline *b);

/* The slow threshold of a usable baseline (see above); -1 when not
 * usable. */
double obs_slow_threshold_ms(const struct obs_baseline *b);

/* The band the UI draws: low = max(0, median - 3 x 1.4826 x MAD),
 * high = the slow threshold. False (outputs untouched) when not usable. */
bool obs_baseline_band(const struct obs_baseline *b, double *low, double *high);

/* Per-probe verdict, 2 bits (the window of core/obs_state.h stores
 * these values). Names "", "ok", "slow", "down" (as stored in
 * obs_results.verdict; "" = unknown). */
enum obs_verdict {
    OBS_VERDICT_UNKNOWN = 0, /* reachable, no usable baseline yet */
    OBS_VERDICT_OK = 1,
    OBS_VERDICT_SLOW = 2,
    OBS_VERDICT_DOWN = 3
};
const char *obs_verdict_name(enum obs_verdict v);
bool obs_verdict_parse(const char *s, enum obs_verdict *out);

struct obs_judgement {
    enum obs_verdict verdict;
    /* robust z of total_ms: (total - median) / max(1.4826 MAD,
     * 5 % of median, 1 ms), clamped to [0, OBS_SCORE_MAX];
     * OBS_SCORE_MAX for down; 0 for unknown */
    double score;
    /* total_ms / max(median, 1 ms); 0 when there is no usable baseline
     * or no total */
    double ratio;
    /* the phase that degraded most: for down, the failed phase (dns ->
     * dns, refused -> connect, tls -> tls, http5xx/status/content ->
     * ttfb, timeout/error -> the first phase not reached (dns, connect,
     * ttfb), else total); for slow, the phase with the largest excess
     * over its usual duration (usual: the same struct, -1 = unknown = 0),
     * transfer being total minus the other four; total when no phase
     * exceeds its usual; NONE for ok and unknown */
    enum obs_phase phase;
    double usual_ms;     /* the baseline's median (-1 without one) */
    double threshold_ms; /* the slow threshold (-1 without one) */
};

/* The verdict on one probe. p: its phases; b: the baseline of its site,
 * vantage and hour of the week (NULL = none); usual: the usual phase
 * durations (medians of the rollups' phase p50s; NULL or -1 fields =
 * unknown). Cannot fail; a total_ms < 0 with outcome ok counts as down
 * (error). */
void obs_verdict_of(enum obs_outcome outcome, const struct obs_phases *p,
                    const struct obs_baseline *b,
                    const struct obs_phases *usual, struct obs_judgement *out);

#endif
