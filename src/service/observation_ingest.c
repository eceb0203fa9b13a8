/*
 * observation_ingest.c - the ingest pipeline of website response
 * observation (service/observation.h): per result, the raw row, the
 * verdict against the baseline of its hour of the week, the k-of-n state
 * per vantage point and the site's state, the 5-minute rollup (sketch);
 * per batch, the correlation of the anomalous sites into alerts, opened,
 * extended and closed, and their e-mail jobs. Every step runs inside the
 * caller's write transaction.
 */
#include "service/observation.h"

#include <math.h>
#include <stdlib.h>

#include "common/log.h"
#include "common/util.h"
#include "core/obs_correlate.h"
#include "core/obs_sketch.h"
#include "service/obs_rules.h"

/* ---- baselines ---- */

static int recompute_one(struct store_conn *c, int64_t site,
                         const char *vantage, int how, int64_t before,
                         int64_t now)
{
    double *v = NULL;
    size_t n = 0;
    int rc = store_obs_baseline_source(c, site, vantage, how, before, &v, &n);
    if (!rc && n) {
        double med = 0, mad = 0;
        if (obs_median_mad(v, n, &med, &mad))
            rc = store_obs_baseline_put(c, site, vantage, how, med, mad, (int)n,
                                        now);
    }
    free(v);
    return rc;
}

int obs_baselines_recompute(struct store_conn *c, int64_t site, int64_t now)
{
    struct store_id_list vs = {0};
    int rc = store_begin(c);
    if (rc)
        return rc;
    rc = store_obs_site_vantages(c, site, &vs);
    for (size_t i = 0; !rc && i < vs.n; i++)
        for (int how = 0; !rc && how < 168; how++)
            rc = recompute_one(c, site, vs.items[i].id, how, now + 1, now);
    store_id_list_free(&vs);
    if (!rc)
        rc = store_commit(c);
    if (rc)
        store_rollback(c);
    return rc;
}

/* ---- one result ---- */

static int update_rollup(struct store_conn *c, int64_t site,
                         const char *vantage, const struct obs_result_in *r)
{
    struct store_obs_rollup ru;
    memset(&ru, 0, sizeof(ru));
    struct obs_sketch sk;
    obs_sketch_init(&sk);
    int64_t bucket =
        r->at - (r->at % OBS_BUCKET_S + OBS_BUCKET_S) % OBS_BUCKET_S;
    int rc = store_obs_rollup_get(c, site, vantage, bucket, &ru);
    if (rc == IS_ERR_NOTFOUND) {
        rc = IS_OK;
        ru.n = ru.errors = 0;
    } else if (!rc && ru.sketch_len &&
               !obs_sketch_decode(&sk, ru.sketch, ru.sketch_len)) {
        /* stored bytes that do not decode: start the bucket's sketch
         * again (logged; counts kept) */
        log_event(LOG_WARN, "obs rollup sketch unreadable", "site",
                  json_integer(site), NULL);
        obs_sketch_init(&sk);
    }
    if (rc)
        return rc;
    ru.site_id = site;
    util_xcopy(ru.vantage_id, sizeof(ru.vantage_id), vantage);
    ru.bucket = bucket;
    ru.n++;
    if (strcmp(r->outcome, "ok") != 0)
        ru.errors++;
    else
        obs_sketch_add(&sk, r->total_ms);
    ru.p50 = obs_sketch_quantile(&sk, 0.5);
    ru.p90 = obs_sketch_quantile(&sk, 0.9);
    ru.p99 = obs_sketch_quantile(&sk, 0.99);
    ru.sketch_len = obs_sketch_encode(&sk, ru.sketch, sizeof(ru.sketch));
    double med[4];
    rc = store_obs_bucket_phases(c, site, vantage, bucket, med);
    ru.dns_p50 = med[0];
    ru.connect_p50 = med[1];
    ru.tls_p50 = med[2];
    ru.ttfb_p50 = med[3];
    return rc ? rc : store_obs_rollup_put(c, &ru);
}

/* The site's state from its vantages' (service/obs_rules.h). */
static int update_site_state(struct store_conn *c,
                             const struct store_obs_site *s,
                             const struct obs_result_in *r,
                             enum obs_outcome outcome)
{
    int64_t recent =
        r->at - (int64_t)3 * (s->interval_s > 300 ? s->interval_s : 300);
    struct store_obs_vstate *vs = NULL;
    size_t n = 0;
    int rc = store_obs_vstates_of_site(c, s->id, recent, &vs, &n);
    if (rc)
        return rc;
    struct obs_site_vote vote[OBS_CORR_MAX_VANTAGES];
    size_t nv = n < OBS_CORR_MAX_VANTAGES ? n : OBS_CORR_MAX_VANTAGES;
    for (size_t i = 0; i < nv; i++) {
        memset(&vote[i], 0, sizeof(vote[i]));
        vote[i].state = OBS_STATE_LEARNING;
        obs_state_parse(vs[i].state, &vote[i].state);
        vote[i].ratio = vs[i].ratio;
        vote[i].usual_ms = vs[i].usual_ms;
        vote[i].window = vs[i].window;
        vote[i].window_n = vs[i].window_n;
        vote[i].phase = OBS_PHASE_NONE;
        obs_phase_parse(vs[i].phase, &vote[i].phase);
    }
    struct store_obs_state st, old;
    memset(&st, 0, sizeof(st));
    memset(&old, 0, sizeof(old));
    int grc = store_obs_state_get(c, s->id, &old);
    if (grc && grc != IS_ERR_NOTFOUND) {
        free(vs);
        return grc;
    }
    struct obs_site_verdict sv;
    obs_rules_site_state(vote, nv, &sv);
    st.site_id = s->id;
    util_xcopy(st.state, sizeof(st.state), obs_state_name(sv.state));
    st.since = (!grc && strcmp(old.state, st.state) == 0) ? old.since : r->at;
    st.first_at =
        !grc && old.first_at && old.first_at < r->at ? old.first_at : r->at;
    if (sv.from >= 0) {
        st.window = vs[sv.from].window;
        st.window_n = vs[sv.from].window_n;
    }
    st.last_at = r->at;
    st.last_total = r->total_ms;
    util_xcopy(st.last_outcome, sizeof(st.last_outcome), r->outcome);
    util_xcopy(st.addr, sizeof(st.addr), r->addr);
    st.score = obs_state_anomalous(sv.state) ? sv.ratio : 0;
    util_xcopy(st.phase, sizeof(st.phase),
               sv.phase == OBS_PHASE_NONE ? "" : obs_phase_name(sv.phase));
    struct obs_reason_in ri = {.state = sv.state,
                               .agree = sv.agree,
                               .n = sv.n,
                               .ratio = sv.ratio,
                               .usual_ms = sv.usual_ms,
                               .phase = sv.phase,
                               .outcome = outcome};
    if (!obs_state_reason(&ri, st.reason_ja, sizeof(st.reason_ja), st.reason_en,
                          sizeof(st.reason_en)))
        st.reason_ja[0] = st.reason_en[0] = 0;
    free(vs);
    return store_obs_state_put(c, &st);
}

static int ingest_one(struct store_conn *c, const char *vantage,
                      const struct obs_result_in *r, int64_t now)
{
    struct store_obs_site s;
    int rc = store_obs_site_get(c, r->site, &s);
    if (rc)
        return rc;
    struct store_obs_vstate v;
    memset(&v, 0, sizeof(v));
    rc = store_obs_vstate_get(c, r->site, vantage, &v);
    bool fresh = rc == IS_ERR_NOTFOUND;
    if (fresh) {
        util_xcopy(v.state, sizeof(v.state),
                   obs_state_name(OBS_STATE_LEARNING));
        v.since = 0;
        v.first_at = 0;
        rc = IS_OK;
    }
    if (rc)
        return rc;
    util_xcopy(v.vantage_id, sizeof(v.vantage_id), vantage);
    int how = obs_hour_of_week(r->at);
    /* an hour boundary passed in this vantage's data: the baselines of
     * the hour left and of the hour entered are recomputed from the
     * rollups (before the verdict, which reads the latter) */
    if (!fresh && r->at / 3600 != v.last_at / 3600) {
        int left = obs_hour_of_week(v.last_at);
        rc = recompute_one(c, r->site, vantage, left, r->at, now);
        if (!rc && left != how)
            rc = recompute_one(c, r->site, vantage, how, r->at, now);
        if (rc)
            return rc;
    }
    struct obs_baseline b = {0};
    double med, mad;
    int bn;
    rc = store_obs_baseline_get(c, r->site, vantage, how, &med, &mad, &bn);
    if (rc)
        return rc;
    b.median_ms = med;
    b.mad_ms = mad;
    b.n = bn;
    enum obs_outcome outcome = OBS_OUT_ERROR;
    obs_outcome_parse(r->outcome, &outcome);
    struct obs_phases ph = {r->dns_ms, r->connect_ms, r->tls_ms, r->ttfb_ms,
                            r->total_ms};
    struct obs_phases usual = {-1, -1, -1, -1, -1};
    struct obs_judgement j;
    obs_verdict_of(outcome, &ph, &b, &usual, &j);
    struct store_obs_result row;
    memset(&row, 0, sizeof(row));
    row.site_id = r->site;
    util_xcopy(row.vantage_id, sizeof(row.vantage_id), vantage);
    row.at = r->at;
    row.at_ms = r->at_ms;
    util_xcopy(row.outcome, sizeof(row.outcome), r->outcome);
    row.status = r->status;
    row.dns_ms = r->dns_ms;
    row.connect_ms = r->connect_ms;
    row.tls_ms = r->tls_ms;
    row.ttfb_ms = r->ttfb_ms;
    row.total_ms = r->total_ms;
    util_xcopy(row.addr, sizeof(row.addr), r->addr);
    util_xcopy(row.verdict, sizeof(row.verdict),
               j.verdict == OBS_VERDICT_UNKNOWN ? ""
                                                : obs_verdict_name(j.verdict));
    row.score = j.score;
    rc = store_obs_result_insert(c, &row);
    if (rc)
        return rc;
    /* the window and the k-of-n state; a result older than the latest
     * one taken counts in its rollup but does not move the state */
    if (fresh || r->at >= v.last_at) {
        bool maint = false;
        rc = store_obs_in_maintenance(c, r->site, r->at, &maint);
        if (rc)
            return rc;
        struct obs_state_in in = {.window = v.window,
                                  .window_n = v.window_n,
                                  .since = v.since,
                                  .first_at = v.first_at,
                                  .at = r->at,
                                  .verdict = j.verdict,
                                  .baseline_ready = obs_baseline_ready(&b),
                                  .in_maintenance = maint,
                                  .paused = s.paused};
        in.state = OBS_STATE_LEARNING;
        obs_state_parse(v.state, &in.state);
        struct obs_state_out o;
        obs_state_step(&in, &o);
        util_xcopy(v.state, sizeof(v.state), obs_state_name(o.state));
        v.since = o.since;
        v.window = o.window;
        v.window_n = o.window_n;
        v.first_at = o.first_at;
        v.last_at = r->at;
        if (j.verdict == OBS_VERDICT_SLOW || j.verdict == OBS_VERDICT_DOWN) {
            v.score = j.score;
            v.ratio = j.ratio;
            util_xcopy(v.phase, sizeof(v.phase), obs_phase_name(j.phase));
        } else if (!obs_state_anomalous(o.state)) {
            v.score = 0;
            v.ratio = j.ratio;
            v.phase[0] = 0;
        }
        v.usual_ms = j.usual_ms;
        rc = store_obs_vstate_put(c, r->site, &v);
        if (!rc)
            rc = update_site_state(c, &s, r, outcome);
    } else if (r->at < v.first_at) {
        /* older than every result taken: the learning period counts from
         * it (a vantage point's kept batches, a backfilled history) */
        v.first_at = r->at;
        rc = store_obs_vstate_put(c, r->site, &v);
    }
    if (!rc)
        rc = update_rollup(c, r->site, vantage, r);
    return rc;
}

/* ---- correlation into alerts ---- */

static int notify_alert(struct store_conn *c, const struct obs_alert_group *g,
                        int64_t alert, int64_t now, int *queued)
{
    int q = 0, rc = IS_OK;
    if (strcmp(g->kind, "site") == 0) {
        if (g->notify)
            rc = store_obs_alert_queue(c, alert, g->org, now, &q);
        *queued += q;
        return rc;
    }
    struct store_id_list l = {0};
    if (strcmp(g->kind, "vantage") != 0 && g->sector[0]) {
        rc = store_obs_sector_ceptoars(c, g->sector, &l);
        for (size_t i = 0; !rc && i < l.n; i++) {
            rc = store_obs_alert_queue(c, alert, l.items[i].id, now, &q);
            *queued += q;
        }
        store_id_list_free(&l);
    }
    if (!rc)
        rc = store_obs_nisc_orgs(c, &l);
    for (size_t i = 0; !rc && i < l.n; i++) {
        rc = store_obs_alert_queue(c, alert, l.items[i].id, now, &q);
        *queued += q;
    }
    store_id_list_free(&l);
    return rc;
}

/* A prefix, DNS or hosting group is one sector's (core/obs_correlate.h,
 * rule 2): its subject is its key and its sector. */
static bool per_sector(const char *kind)
{
    return strcmp(kind, "prefix") == 0 || strcmp(kind, "dns") == 0 ||
           strcmp(kind, "hosting") == 0;
}

/* Whether row r's site is of group g as obs_correlate counted its size
 * (sector, dns, hosting, prefix: the same key; vantage: probed by it).
 * More rows than the group's are harmless (a count is then exact to
 * fewer readers); fewer never happen. */
static bool row_in_group(const struct obs_alert_group *g,
                         const struct store_obs_anomaly_row *r)
{
    if (per_sector(g->kind) && strcmp(r->sector, g->sector) != 0)
        return false;
    if (strcmp(g->kind, "sector") == 0)
        return strcmp(r->sector, g->key) == 0;
    if (strcmp(g->kind, "dns") == 0)
        return strcmp(r->dns, g->key) == 0;
    if (strcmp(g->kind, "hosting") == 0)
        return strcmp(r->hosting, g->key) == 0;
    if (strcmp(g->kind, "vantage") == 0)
        return strcmp(r->vantage_id, g->key) == 0;
    if (strcmp(g->kind, "prefix") == 0) {
        char p[OBS_PREFIX_MAX];
        return obs_addr_prefix(r->addr, p, sizeof(p)) && strcmp(p, g->key) == 0;
    }
    return strcmp(g->kind, "site") != 0; /* a site alert: its members */
}

/* The organisations of every site group g counted (its members and the
 * rest of its group), each once: the evidence's group_orgs, from which
 * store_obs_alert_seen tells whether a reader sees every site the
 * alert's counts (of its sites and of its group's) are made of; and how
 * many of those sites each has, as "count:organisation" (group_org_sites,
 * from which it tells how many of the group's sites a reader sees). A
 * site's visibility is its organisation's (OBS_SITE_VISIBLE_SQL), and a
 * site never changes organisation. False when out of memory. */
static bool group_orgs(const struct obs_alert_group *g,
                       const struct store_obs_anomaly_row *rows, size_t nrows,
                       json_t *ev)
{
    json_t *site_org = json_object(); /* site id -> its organisation */
    char key[24];
    for (size_t i = 0; site_org && i < g->nsites; i++) {
        snprintf(key, sizeof(key), "%lld",
                 (long long)rows[g->sites[i]].site_id);
        json_object_set_new(site_org, key, json_string(rows[g->sites[i]].org));
    }
    for (size_t i = 0; site_org && i < nrows; i++)
        if (row_in_group(g, &rows[i])) {
            snprintf(key, sizeof(key), "%lld", (long long)rows[i].site_id);
            json_object_set_new(site_org, key, json_string(rows[i].org));
        }
    json_t *per_org = json_object(); /* organisation -> its sites */
    const char *k;
    json_t *v;
    if (site_org && per_org)
        json_object_foreach (site_org, k, v) {
            const char *o = json_string_value(v);
            json_int_t n = json_integer_value(json_object_get(per_org, o));
            json_object_set_new(per_org, o, json_integer(n + 1));
        }
    json_decref(site_org);
    json_t *orgs = per_org ? json_array() : NULL;
    json_t *counts = per_org ? json_array() : NULL;
    if (orgs && counts)
        json_object_foreach (per_org, k, v) {
            char c[OBS_ID_LEN + 24];
            snprintf(c, sizeof(c), "%lld:%s", (long long)json_integer_value(v),
                     k);
            json_array_append_new(orgs, json_string(k));
            json_array_append_new(counts, json_string(c));
        }
    json_decref(per_org);
    if (!orgs || !counts) {
        json_decref(orgs);
        json_decref(counts);
        return false;
    }
    json_object_set_new(ev, "group_orgs", orgs);
    json_object_set_new(ev, "group_org_sites", counts);
    return true;
}

static int apply_group(struct store_conn *c, const struct obs_alert_group *g,
                       const struct store_obs_anomaly_row *rows, size_t nrows,
                       int64_t now, int *queued)
{
    struct store_obs_alert a;
    memset(&a, 0, sizeof(a));
    util_xcopy(a.kind, sizeof(a.kind), g->kind);
    util_xcopy(a.key, sizeof(a.key), g->key);
    util_xcopy(a.sector_id, sizeof(a.sector_id), g->sector);
    util_xcopy(a.org_id, sizeof(a.org_id), g->org);
    util_xcopy(a.condition, sizeof(a.condition),
               g->unreachable ? "unreachable" : "slow");
    util_xcopy(a.phase, sizeof(a.phase), g->phase);
    a.since = g->since;
    a.raised_at = now;
    a.site_count = (int64_t)g->nsites;
    a.reason_ja = (char *)g->reason_ja;
    a.reason_en = (char *)g->reason_en;
    json_t *ev = json_object();
    json_t *sites = json_array();
    int64_t *ids = calloc(g->nsites ? g->nsites : 1, sizeof(int64_t));
    int64_t *since = calloc(g->nsites ? g->nsites : 1, sizeof(int64_t));
    if (!ev || !sites || !ids || !since) {
        json_decref(ev);
        json_decref(sites);
        free(ids);
        free(since);
        return IS_ERR_NOMEM;
    }
    for (size_t i = 0; i < g->nsites; i++) {
        const struct store_obs_anomaly_row *r = &rows[g->sites[i]];
        ids[i] = r->site_id;
        since[i] = r->since;
        json_array_append_new(
            sites,
            json_pack("{s:I,s:I,s:s,s:f,s:s}", "site", (json_int_t)r->site_id,
                      "since", (json_int_t)r->since, "phase", r->phase, "ratio",
                      isfinite(r->ratio) ? r->ratio : 0.0, "state", r->state));
    }
    json_object_set_new(ev, "sites", sites);
    json_object_set_new(ev, "group_sites", json_integer((json_int_t)g->size));
    if (!group_orgs(g, rows, nrows, ev)) {
        json_decref(ev);
        free(ids);
        free(since);
        return IS_ERR_NOMEM;
    }
    char *evs = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    a.evidence = evs ? evs : "{}";
    int64_t id = 0, osince = 0, ocount = 0;
    int rc = store_obs_alert_open_get(c, a.kind, a.key, a.sector_id, &id,
                                      &osince, &ocount);
    if (rc == IS_ERR_NOTFOUND) {
        rc = store_obs_alert_insert(c, &a, &id);
        if (!rc)
            rc = notify_alert(c, g, id, now, queued);
        if (!rc)
            log_event(LOG_INFO, "observation alert raised", "alert",
                      json_integer(id), "kind", json_string(a.kind), "sites",
                      json_integer(a.site_count), NULL);
    } else if (!rc) {
        a.id = id;
        rc = store_obs_alert_extend(c, &a);
    }
    if (!rc)
        rc = store_obs_alert_sites_set(c, id, ids, since, g->nsites);
    free(evs);
    free(ids);
    free(since);
    return rc;
}

static int correlate(struct store_conn *c, int64_t now, int *queued)
{
    struct store_obs_anomaly_row *rows = NULL;
    struct store_obs_open_alert *open = NULL;
    size_t nrows = 0, nopen = 0;
    struct obs_alert_groups gs = {0};
    int rc =
        store_obs_anomaly_input(c, now, OBS_CORRELATE_WINDOW_S, &rows, &nrows);
    if (!rc)
        rc = store_obs_alerts_open(c, &open, &nopen);
    if (!rc)
        rc = obs_rules_correlate(rows, nrows, &gs);
    for (size_t i = 0; !rc && i < gs.n; i++)
        rc = apply_group(c, &gs.items[i], rows, nrows, now, queued);
    /* open alerts no longer wanted close; but not one none of whose
     * sites was probed in the window while some are still observed: no
     * probe is no recovery (its vantage points went quiet; another's
     * batch closed it while its sites still read slow: found by a
     * review) */
    for (size_t i = 0; !rc && i < nopen; i++) {
        bool want = false;
        for (size_t k = 0; !want && k < gs.n; k++)
            want = strcmp(gs.items[k].kind, open[i].kind) == 0 &&
                   strcmp(gs.items[k].key, open[i].key) == 0 &&
                   (!per_sector(open[i].kind) ||
                    strcmp(gs.items[k].sector, open[i].sector) == 0);
        int64_t fresh = 0, stale = 0;
        if (!want)
            rc = store_obs_alert_freshness(
                c, open[i].id, now, OBS_CORRELATE_WINDOW_S, &fresh, &stale);
        if (!rc && !want && (fresh > 0 || stale == 0))
            rc = store_obs_alert_close(c, open[i].id, now);
    }
    obs_alert_groups_free(&gs);
    free(rows);
    free(open);
    return rc;
}

static _Atomic int64_t last_prune;

int obs_ingest_locked(struct app *a, struct store_conn *c, const char *vantage,
                      const struct obs_result_in *rs, size_t n, int64_t now,
                      int *queued)
{
    IS_UNUSED(a);
    int rc = IS_OK;
    for (size_t i = 0; !rc && i < n; i++)
        rc = ingest_one(c, vantage, &rs[i], now);
    if (!rc)
        rc = correlate(c, now, queued);
    /* retention, at most once a minute, inside the same transaction */
    int64_t lp = last_prune;
    if (!rc && now - lp >= 60) {
        last_prune = now;
        int64_t del = 0;
        rc = store_obs_prune(c, now - OBS_RAW_KEEP_S, now - OBS_ROLLUP_KEEP_S,
                             &del);
    }
    return rc;
}

int obs_prune(struct store_conn *c, int64_t now, int64_t *deleted)
{
    int rc = store_begin(c);
    if (rc)
        return rc;
    rc = store_obs_prune(c, now - OBS_RAW_KEEP_S, now - OBS_ROLLUP_KEEP_S,
                         deleted);
    if (!rc)
        rc = store_commit(c);
    if (rc)
        store_rollback(c);
    return rc;
}

int obs_ingest(struct app *a, struct store_conn *c, const char *vantage,
               const struct obs_result_in *rs, size_t n, int64_t now)
{
    struct obs_result_in *kept = calloc(n ? n : 1, sizeof(*kept));
    if (!kept)
        return IS_ERR_NOMEM;
    int rc = store_begin(c);
    if (rc) {
        free(kept);
        return rc;
    }
    /* a site paused, deleted or left the programme since it was probed
     * is no longer assigned: its result is dropped */
    size_t nk = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        bool yes = false;
        rc = store_obs_site_assigned(c, rs[i].site, &yes);
        if (!rc && yes)
            kept[nk++] = rs[i];
    }
    int queued = 0;
    if (!rc)
        rc = obs_ingest_locked(a, c, vantage, kept, nk, now, &queued);
    free(kept);
    if (!rc)
        rc = store_commit(c);
    if (rc)
        store_rollback(c);
    else if (queued && a && a->wake_outbox)
        a->wake_outbox(a);
    return rc;
}
