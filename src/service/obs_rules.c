/*
 * obs_rules.c - see service/obs_rules.h.
 */
#include "service/obs_rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/util.h"

void obs_rules_site_state(const struct obs_site_vote *v, size_t n,
                          struct obs_site_verdict *out)
{
    memset(out, 0, sizeof(*out));
    out->from = -1;
    out->state = OBS_STATE_LEARNING;
    size_t t = 0, a = 0, un = 0;
    int first_n = -1;
    int held = -1; /* a maintenance or paused vote: no judgement */
    for (size_t i = 0; i < n; i++) {
        if (v[i].state == OBS_STATE_MAINTENANCE ||
            v[i].state == OBS_STATE_PAUSED) {
            if (held < 0)
                held = (int)i;
            continue;
        }
        if (v[i].state == OBS_STATE_LEARNING)
            continue;
        t++;
        if (obs_state_anomalous(v[i].state)) {
            a++;
            un += v[i].state == OBS_STATE_UNREACHABLE;
        } else if (v[i].state == OBS_STATE_NORMAL && first_n < 0) {
            first_n = (int)i;
        }
    }
    if (a && 2 * a > t) {
        out->state = 2 * un >= a ? OBS_STATE_UNREACHABLE : OBS_STATE_SLOW;
        for (size_t i = 0; i < n && out->from < 0; i++)
            if (v[i].state == out->state)
                out->from = (int)i;
    } else if (first_n >= 0) {
        out->state = OBS_STATE_NORMAL;
        out->from = first_n;
    } else if (held >= 0) {
        out->state = v[held].state;
        out->from = held;
    }
    if (out->from < 0)
        return;
    const struct obs_site_vote *f = &v[out->from];
    out->ratio = f->ratio;
    out->usual_ms = f->usual_ms;
    out->phase = obs_state_anomalous(out->state) ? f->phase : OBS_PHASE_NONE;
    out->n = f->window_n < OBS_STATE_N ? f->window_n : OBS_STATE_N;
    int down =
        obs_window_count(f->window, f->window_n, OBS_STATE_N, OBS_VERDICT_DOWN);
    int slow =
        obs_window_count(f->window, f->window_n, OBS_STATE_N, OBS_VERDICT_SLOW);
    out->agree = out->state == OBS_STATE_UNREACHABLE ? down
                 : out->state == OBS_STATE_SLOW      ? down + slow
                                                     : out->n - down - slow;
}

void obs_alert_groups_free(struct obs_alert_groups *g)
{
    for (size_t i = 0; g->items && i < g->n; i++)
        free(g->items[i].sites);
    free(g->items);
    g->items = NULL;
    g->n = 0;
}

static struct obs_alert_group *group_new(struct obs_alert_groups *g, size_t cap)
{
    struct obs_alert_group *x = realloc(g->items, (g->n + 1) * sizeof(*x));
    if (!x)
        return NULL;
    g->items = x;
    x = &g->items[g->n];
    memset(x, 0, sizeof(*x));
    x->sites = calloc(cap ? cap : 1, sizeof(size_t));
    if (!x->sites)
        return NULL;
    g->n++;
    return x;
}

static bool anomalous_text(const char *s)
{
    enum obs_state st;
    return obs_state_parse(s, &st) && obs_state_anomalous(st);
}

int obs_rules_correlate(const struct store_obs_anomaly_row *rows, size_t n,
                        struct obs_alert_groups *out)
{
    memset(out, 0, sizeof(*out));
    const char *vantages[OBS_CORR_MAX_VANTAGES];
    size_t nv = 0;
    struct obs_corr_site *sites = calloc(n ? n : 1, sizeof(*sites));
    size_t *first = calloc(n ? n : 1, sizeof(size_t));
    char(*prefix)[OBS_PREFIX_MAX] = calloc(n ? n : 1, OBS_PREFIX_MAX);
    struct obs_corr_result res = {0};
    int rc = IS_OK;
    if (!sites || !first || !prefix) {
        rc = IS_ERR_NOMEM;
        goto done;
    }
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        const struct store_obs_anomaly_row *r = &rows[i];
        size_t vi = 0;
        while (vi < nv && strcmp(vantages[vi], r->vantage_id) != 0)
            vi++;
        if (vi == nv) {
            if (nv == OBS_CORR_MAX_VANTAGES)
                continue; /* more vantage points than the rule takes */
            vantages[nv++] = r->vantage_id;
        }
        if (i == 0 || r->site_id != rows[i - 1].site_id) {
            struct obs_corr_site *s = &sites[ns];
            first[ns++] = i;
            s->site_id = r->site_id;
            s->sector = r->sector;
            if (!obs_addr_prefix(r->addr, prefix[ns - 1], OBS_PREFIX_MAX))
                prefix[ns - 1][0] = 0;
            s->prefix = prefix[ns - 1];
            s->dns = r->dns;
            s->hosting = r->hosting;
            enum obs_state st = OBS_STATE_LEARNING;
            obs_state_parse(r->state, &st);
            s->condition = st;
            s->since = r->since;
            enum obs_phase ph = OBS_PHASE_NONE;
            obs_phase_parse(r->phase, &ph);
            s->phase = ph;
        }
        struct obs_corr_site *s = &sites[ns - 1];
        s->probed |= 1u << vi;
        if (anomalous_text(r->vstate)) {
            s->anomalous |= 1u << vi;
            /* a site whose own state is not anomalous still names how
             * the vantage sees it (the vantage rule) */
            if (!obs_state_anomalous(s->condition)) {
                enum obs_state st = OBS_STATE_SLOW;
                obs_state_parse(r->vstate, &st);
                s->condition = st;
                s->since = r->vsince;
                enum obs_phase ph = OBS_PHASE_NONE;
                obs_phase_parse(r->phase, &ph);
                s->phase = ph;
            }
        }
    }
    rc = obs_correlate(sites, ns, vantages, nv, &res);
    for (size_t g = 0; !rc && g < res.ngroups; g++) {
        const struct obs_group *cg = &res.groups[g];
        struct obs_alert_group *a = group_new(out, cg->nmembers);
        if (!a) {
            rc = IS_ERR_NOMEM;
            break;
        }
        util_xcopy(a->kind, sizeof(a->kind), obs_group_kind_name(cg->kind));
        util_xcopy(a->key, sizeof(a->key), cg->key ? cg->key : "");
        util_xcopy(a->sector, sizeof(a->sector), cg->sector ? cg->sector : "");
        if (!a->sector[0] && cg->kind != OBS_GROUP_VANTAGE && cg->nmembers)
            util_xcopy(a->sector, sizeof(a->sector),
                       sites[cg->members[0]].sector);
        a->unreachable = cg->condition == OBS_STATE_UNREACHABLE;
        util_xcopy(a->phase, sizeof(a->phase),
                   cg->phase == OBS_PHASE_NONE ? ""
                                               : obs_phase_name(cg->phase));
        a->since = cg->since;
        a->size = cg->size;
        for (size_t m = 0; m < cg->nmembers; m++)
            a->sites[a->nsites++] = first[cg->members[m]];
        if (!obs_group_reason(cg, NULL, NULL, a->reason_ja,
                              sizeof(a->reason_ja), a->reason_en,
                              sizeof(a->reason_en)))
            a->reason_ja[0] = a->reason_en[0] = 0;
    }
    /* Every anomalous site keeps its own site alert, also a member of a
     * correlated group (docs/rules.md "Correlation", 4): its organisation
     * reads its site alert and no correlated alert, so had the group's
     * alert covered it, the closing or the absence of its own alert would
     * tell it of other organisations' sites (a hosting key is free text
     * its registrant sets; outside review F2). A vantage point's problem
     * is not the site's: no site alert. */
    for (size_t s = 0; !rc && s < ns; s++) {
        if (res.fate[s] != OBS_FATE_SITE && res.fate[s] != OBS_FATE_GROUP)
            continue;
        const struct store_obs_anomaly_row *r = &rows[first[s]];
        struct obs_alert_group *a = group_new(out, 1);
        if (!a) {
            rc = IS_ERR_NOMEM;
            break;
        }
        util_xcopy(a->kind, sizeof(a->kind), "site");
        snprintf(a->key, sizeof(a->key), "%lld", (long long)r->site_id);
        util_xcopy(a->sector, sizeof(a->sector), r->sector);
        util_xcopy(a->org, sizeof(a->org), r->org);
        a->notify = r->notify;
        a->unreachable = sites[s].condition == OBS_STATE_UNREACHABLE;
        util_xcopy(a->phase, sizeof(a->phase),
                   sites[s].phase == OBS_PHASE_NONE
                       ? ""
                       : obs_phase_name(sites[s].phase));
        a->since = sites[s].since;
        a->size = 1;
        a->sites[a->nsites++] = first[s];
        util_xcopy(a->reason_ja, sizeof(a->reason_ja), r->reason_ja);
        util_xcopy(a->reason_en, sizeof(a->reason_en), r->reason_en);
    }
done:
    obs_corr_free(&res);
    free(sites);
    free(first);
    free(prefix);
    if (rc)
        obs_alert_groups_free(out);
    return rc;
}
