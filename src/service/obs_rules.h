/*
 * obs_rules.h - the glue between the ingest pipeline
 * (service/observation_ingest.c) and the pure rules of core/obs_*.h: a
 * site's state from its vantage points' states, and the correlation of
 * the stored (site, vantage) states into the alerts wanted now. No store
 * access, no clock.
 */
#ifndef INFRASHARE_OBS_RULES_H
#define INFRASHARE_OBS_RULES_H

#include "common/common.h"
#include "core/obs_baseline.h"
#include "core/obs_correlate.h"
#include "core/obs_state.h"
#include "store/store_obs.h"

/* (site, vantage) states taken in the last 15 minutes take part in the
 * correlation */
#define OBS_CORRELATE_WINDOW_S 900

/* One vantage point's state of a site. */
struct obs_site_vote {
    enum obs_state state;
    double ratio, usual_ms;
    int64_t window;
    int window_n;
    enum obs_phase phase;
};
/* The site's state: anomalous when more than half of the vantage points
 * that judged it (not learning, maintenance or paused) see it anomalous
 * (one of one counts); then the worse of unreachable and slow by
 * majority (a tie: unreachable); else normal when one sees it normal;
 * else maintenance or paused when one says so; else learning. */
struct obs_site_verdict {
    enum obs_state state;
    int from; /* the vote it follows, -1 none */
    double ratio, usual_ms;
    int agree, n; /* of the followed vote's newest OBS_STATE_N verdicts */
    enum obs_phase phase;
};
void obs_rules_site_state(const struct obs_site_vote *v, size_t n,
                          struct obs_site_verdict *out);

/* An alert wanted now: a correlated group of core/obs_correlate.h, or one
 * anomalous site (kind "site"). */
struct obs_alert_group {
    char kind[16];
    char key[256];
    char sector[64];
    char org[64]; /* a site alert's organisation */
    bool notify;  /* a site alert: the site's opt-in */
    bool unreachable;
    char phase[16];
    int64_t since;
    size_t size;   /* sites in the group */
    size_t *sites; /* row indices (one per site) */
    size_t nsites;
    char reason_ja[512], reason_en[512];
};
struct obs_alert_groups {
    struct obs_alert_group *items;
    size_t n;
};
/* rows: every (site, vantage) state taken lately, ordered by site, then
 * vantage (store_obs_anomaly_input). The alerts wanted: every kept group of
 * obs_correlate, then a site alert for every anomalous site that is not a
 * vantage point's problem (OBS_FATE_SITE and OBS_FATE_GROUP alike: what a
 * site's organisation reads of its own site never depends on other
 * organisations' sites). */
int obs_rules_correlate(const struct store_obs_anomaly_row *rows, size_t n,
                        struct obs_alert_groups *out);
void obs_alert_groups_free(struct obs_alert_groups *g);

#endif
