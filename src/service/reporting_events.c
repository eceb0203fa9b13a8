/*
 * reporting_events.c - events (linked reports), hop policies, and the
 * background tick (auto-forwarding past review limits, due reminders).
 */
#include "service/alerts.h"
#include "service/reporting_internal.h"

#include "core/roles.h"
#include "core/route.h"
#include "core/mode.h"
#include "service/declarations.h"
#include "common/jv.h"
#include "common/log.h"
#include "common/util.h"

#define EVENT_MAX_REPORTS 100

const struct jv_field reporting_event_spec[] = {
    {.name = "title_ja",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "title_en",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "reports",
     .type = JV_STRING_ARRAY,
     .max_len = EVENT_MAX_REPORTS,
     .item_len = 40},
    {.name = NULL},
};

const struct jv_field reporting_link_spec[] = {
    {.name = "report", .type = JV_STRING, .required = true, .max_len = 40},
    {.name = NULL},
};

const struct jv_field reporting_policy_spec[] = {
    {.name = "policy",
     .type = JV_STRING,
     .required = true,
     .max_len = 6,
     .enum_values = (const char *const[]){"auto", "review", NULL}},
    {.name = "review_limit_min", .type = JV_INT, .max = 1440},
    {.name = NULL},
};

static bool event_staff(const struct auth_ctx *who)
{
    return (strcmp(who->org.kind, "nisc") == 0 ||
            strcmp(who->org.kind, "ministry") == 0) &&
           (who->roles & ROLE_ANALYST);
}

/* Links one report (that who may read) into an event, in a transaction
 * held by the caller. */
static int link_one(struct store_conn *c, const struct auth_ctx *who,
                    const char *event_id, const char *report_id,
                    const char *field, int64_t now, struct svc_error *e)
{
    struct store_report r;
    if (strlen(report_id) >= sizeof(r.id) || store_report_get(c, report_id, &r))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", field,
                        "%s: no such report", field);
    struct range_decision d = rp_decide(who, &r);
    int rc = IS_OK;
    if (!d.may_read) {
        rc = svc_fail(e, IS_ERR_NOTFOUND, "not_found", field,
                      "%s: no such report", field);
    } else {
        rc = store_event_link(c, event_id, r.id, who->org.id, now);
        if (rc == IS_ERR_CONFLICT)
            rc = svc_fail(e, IS_ERR_CONFLICT, "conflict", field,
                          "%s: the report is already linked to this event",
                          field);
        else if (!rc) {
            char detail[96];
            snprintf(detail, sizeof(detail), "{\"event\":\"%s\"}", event_id);
            rc = store_timeline_add(c, r.id, now, who->org.id, who->user_id,
                                    "linked", detail);
            if (!rc)
                rc = rp_audit(c, who, now, "event.link", &r,
                              json_pack("{s:s}", "event", event_id));
        }
    }
    store_report_release(&r);
    return rc;
}

/* Ends the transaction of an event change that came to rc: commits it
 * and answers the event as who reads it, or rolls it back and answers
 * e (500 "nothing was changed" unless e says more). */
static int commit_and_read(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, const char *id, int rc,
                           int64_t now, json_t **out, struct svc_error *e)
{
    if (rc || (rc = store_commit(c))) {
        store_rollback(c);
        if (!e->err)
            svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                     "nothing was changed");
        return rc;
    }
    return event_read(a, c, who, id, now, out, e);
}

/* An event as the API shows it: {id, title{ja,en}, created_by,
 * created_at}. A new reference. */
static json_t *event_json(const struct store_event *ev)
{
    char ts[UTIL_TIME_LEN];
    util_time_rfc3339(ev->created_at, ts);
    return json_pack("{s:s,s:{s:s,s:s},s:s,s:s}", "id", ev->id, "title", "ja",
                     ev->title_ja, "en", ev->title_en, "created_by",
                     ev->created_by, "created_at", ts);
}

int event_create(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const json_t *body, int64_t now,
                 json_t **out, struct svc_error *e)
{
    if (!event_staff(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "events are created by NISC and ministry analysts");
    char id[24], hex[17];
    util_random_hex(hex, 8);
    snprintf(id, sizeof(id), "E%s", hex);
    int rc = store_begin(c);
    if (rc)
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "nothing was changed");
    rc = store_event_insert(c, id, jv_str(body, "title_ja"),
                            jv_str(body, "title_en"), who->org.id, now);
    size_t i;
    json_t *it;
    json_array_foreach (json_object_get(body, "reports"), i, it) {
        if (rc)
            break;
        rc = link_one(c, who, id, json_string_value(it), "reports", now, e);
    }
    if (!rc)
        rc = audit_record(c, who, now, "event.create", id, NULL);
    return commit_and_read(a, c, who, id, rc, now, out, e);
}

int event_link(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, const json_t *body, int64_t now, json_t **out,
               struct svc_error *e)
{
    struct store_event ev;
    if (!event_staff(who) || strlen(id) > 40)
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such event");
    /* the event, the report and the link are read and written under the
     * writer lock: of two racing links of one report, one is 409 */
    int rc = store_begin(c);
    if (!rc && store_event_get(c, id, &ev)) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such event");
    }
    if (!rc)
        rc = link_one(c, who, id, jv_str(body, "report"), "report", now, e);
    return commit_and_read(a, c, who, id, rc, now, out, e);
}

int event_read(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, int64_t now, json_t **out, struct svc_error *e)
{
    struct store_event row;
    struct store_report_id *ids;
    size_t nids;
    if (!event_staff(who) || strlen(id) > 40 || store_event_get(c, id, &row))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such event");
    if (store_event_reports(c, id, &ids, &nids))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "event reports");
    /* The event's severity is computed from the linked reports THIS reader
     * may read, never from the others: a reader could otherwise recompute
     * or difference the severity, sectors or count of a report it may not
     * read. Two sectors over their maintenance level make it 5 (rule
     * table, event level). Unreadable reports leave no trace, not even a
     * count: the answer equals that of an event of the readable ones. */
    json_t *items = json_array(), *sectors = json_object();
    int max_level = 0;
    for (size_t i = 0; i < nids; i++) {
        struct store_report r;
        if (store_report_get(c, ids[i].id, &r))
            continue;
        struct range_decision d = rp_decide(who, &r);
        if (d.may_read) {
            int eff = r.declared > r.severity ? r.declared : r.severity;
            if (eff > max_level)
                max_level = eff;
            if (r.exceeded)
                json_object_set_new(sectors, r.sector_id, json_true());
            json_array_append_new(items, rp_summary(c, who, &r, d, now));
        }
        store_report_release(&r);
    }
    struct sev_facts f;
    memset(&f, 0, sizeof(f));
    f.scope = -1;
    f.num[SEV_SECTORS_EXCEEDED] = (double)json_object_size(sectors);
    struct sev_result sr = severity_eval(&a->reporting->sev, &f);
    json_t *sev;
    if (sr.level >= max_level) {
        sev = severity_explain(&a->reporting->sev, &f, &sr);
    } else {
        sev = json_pack("{s:i,s:s,s:s,s:{s:s,s:s}}", "level", max_level, "name",
                        severity_level_name(max_level, false), "rule",
                        "max-of-reports", "explanation", "ja",
                        "連携された報告の最大の深刻度", "en",
                        "the highest severity of the linked reports");
    }
    json_object_set_new(sev, "sectors_exceeded",
                        json_integer((json_int_t)json_object_size(sectors)));
    json_t *ev = event_json(&row);
    json_object_set_new(ev, "severity", sev);
    json_object_set_new(ev, "reports", items);
    json_decref(sectors);
    free(ids);
    *out = ev;
    return IS_OK;
}

int event_list(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               int64_t now, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    IS_UNUSED(now);
    if (!event_staff(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "events are for NISC and ministry analysts");
    struct store_event *evs;
    size_t n;
    if (store_events_list(c, 200, &evs, &n))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "events");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, event_json(&evs[i]));
    free(evs);
    *out = json_pack("{s:o}", "items", items);
    return IS_OK;
}

/* ---- hop policies ---- */

static bool may_manage(const struct auth_ctx *who, const char *org)
{
    return (who->roles & ROLE_ADMIN) ||
           (strcmp(who->org.id, org) == 0 && (who->roles & ROLE_ORG_ADMIN));
}

int hop_policy_get(struct store_conn *c, const struct auth_ctx *who,
                   const char *org, json_t **out, struct svc_error *e)
{
    struct access_org rel;
    if (strlen(org) > 63 || store_org_rel(c, org, &rel) ||
        !access_may_see_org(&who->org, who->roles, &rel))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such organisation");
    bool review;
    int limit;
    if (store_hop_policy(c, org, &review, &limit))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "policy");
    *out = json_pack("{s:s,s:s,s:i}", "org", org, "policy",
                     review ? "review" : "auto", "review_limit_min", limit);
    return IS_OK;
}

int hop_policy_set(struct store_conn *c, const struct auth_ctx *who,
                   const char *org, const json_t *body, int64_t now,
                   json_t **out, struct svc_error *e)
{
    struct access_org rel;
    if (strlen(org) > 63 || store_org_rel(c, org, &rel) ||
        !access_may_see_org(&who->org, who->roles, &rel) ||
        !may_manage(who, org))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such organisation");
    bool review = strcmp(jv_str(body, "policy"), "review") == 0;
    bool old_review;
    int old_limit = 0, limit = 0;
    /* the limit kept when the request has none is read under the writer
     * lock: a concurrent change of it is never overwritten by a stale
     * copy */
    int rc = store_begin(c);
    if (!rc)
        rc = store_hop_policy(c, org, &old_review, &old_limit);
    if (!rc) {
        limit = (int)jv_int(body, "review_limit_min", old_limit);
        rc = store_hop_policy_set(c, org, review, limit, now);
    }
    if (!rc)
        rc = audit_record(c, who, now, "policy.set", org,
                          json_pack("{s:s,s:i}", "policy",
                                    review ? "review" : "auto",
                                    "review_limit_min", limit));
    if (rc || (rc = store_commit(c))) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "nothing was changed");
    }
    return hop_policy_get(c, who, org, out, e);
}

/* ---- the tick ---- */

struct tick_ctx {
    int n;
    int64_t now;
    char ids[256][40];
};

static int collect_waiting(void *vctx, struct store_report *r)
{
    struct tick_ctx *t = vctx;
    if (t->n >= 256)
        return 1;
    t->ids[t->n][0] = '\0';
    /* decided under the transaction below; only collect here */
    util_xcopy(t->ids[t->n], sizeof(t->ids[0]), r->id);
    t->n++;
    return 0;
}

/* Auto-forwards one report if its hop's policy says so; 1 when it moved. */
static int maybe_forward(struct app *a, struct store_conn *c, const char *id,
                         int64_t now)
{
    IS_UNUSED(a);
    struct store_report r;
    /* read and decided under the writer lock: the hop may have forwarded
     * (or narrowed) the report since it was collected */
    if (store_begin(c))
        return 0;
    if (store_report_get(c, id, &r)) {
        store_rollback(c);
        return 0;
    }
    int moved = 0;
    bool review;
    int limit;
    /* a closed report still travels on to NISC */
    if (!r.current_hop[0] ||
        store_hop_policy(c, r.current_hop, &review, &limit))
        goto out;
    /* large-scale outage mode: severity 3 or more skips review (the walk
     * from the next hop skips it too: rp_forward_step) */
    struct decl_mode m;
    if (declaration_mode_sector(c, r.sector_id, &m))
        goto out;
    bool skip = review && mode_report_skips_review(m.outage, r.severity);
    bool due = skip ||
               route_hop_due(review, r.severity, now - r.hop_arrived_at, limit);
    if (!due)
        goto out;
    char hop[64], detail[256];
    util_xcopy(hop, sizeof(hop), r.current_hop);
    if (skip)
        snprintf(detail, sizeof(detail),
                 "{\"reason\":\"large-scale outage mode\","
                 "\"declaration\":\"%s\"}",
                 m.declaration);
    else if (review)
        snprintf(detail, sizeof(detail),
                 "{\"reason\":\"severity %d waited past the review limit\","
                 "\"review_limit_min\":%d}",
                 r.severity, limit);
    else
        snprintf(detail, sizeof(detail), "{\"reason\":\"policy auto\"}");
    int rc = store_timeline_add(c, r.id, now, hop, 0,
                                review ? "auto_forwarded" : "relayed", detail);
    if (!rc && review && !skip)
        rc = store_timeline_add(c, r.id, now, hop, 0, "hop_notified",
                                "{\"ja\":\"審査期限を過ぎたため、深刻度3以上の"
                                "報告を自動的に転送しました。\",\"en\":\"The "
                                "report (severity 3 or more) was forwarded "
                                "automatically after the review limit.\"}");
    if (!rc)
        rc = rp_forward_step(a, c, &r, review ? "auto_forwarded" : "relayed", 0,
                             now);
    if (!rc) {
        r.updated_at = now;
        rc = store_report_save(c, &r);
    }
    if (!rc)
        rc = rp_audit(c, NULL, now, "report.auto_forward", &r,
                      json_pack("{s:s}", "from", hop));
    if (rc || store_commit(c))
        goto out;
    moved = 1;
    log_event(LOG_INFO, "report auto-forwarded", "report", json_string(r.id),
              "from", json_string(hop), NULL);
out:
    store_rollback(c); /* no-op after a commit */
    store_report_release(&r);
    return moved;
}

/* Records a due reminder of kind for r's originator, once per kind, with
 * its timeline entry; counts it in *made when it is new. */
static int add_reminder(struct store_conn *c, const struct store_report *r,
                        const char *kind, int64_t due, int64_t now, int *made)
{
    bool created = false;
    int rc =
        store_reminder_add(c, r->id, r->originator, kind, due, now, &created);
    if (rc || !created)
        return rc;
    (*made)++;
    char detail[64];
    snprintf(detail, sizeof(detail), "{\"kind\":\"%s\"}", kind);
    return store_timeline_add(c, r->id, now, "", 0, "reminder_due", detail);
}

static int remind(struct store_conn *c, const char *id, int64_t now)
{
    struct store_report r;
    int made = 0;
    /* read and decided under the writer lock: a full or final report
     * filed since the scan means no reminder */
    if (store_begin(c))
        return 0;
    if (store_report_get(c, id, &r)) {
        store_rollback(c);
        return 0;
    }
    if (strcmp(r.state, "open") != 0) {
        store_rollback(c);
        store_report_release(&r);
        return 0;
    }
    {
        int rc = IS_OK;
        if (!r.full_at && r.full_due < now)
            rc = add_reminder(c, &r, "full_report", r.full_due, now, &made);
        if (!rc && r.final_due < now)
            rc = add_reminder(c, &r, "final_report", r.final_due, now, &made);
        if (rc || store_commit(c)) {
            store_rollback(c);
            made = 0;
        }
    }
    store_report_release(&r);
    return made;
}

int reporting_tick(struct app *a, struct store_conn *c, int64_t now)
{
    int changes = 0;
    struct tick_ctx *t = calloc(1, sizeof(*t));
    if (!t)
        return 0;
    t->now = now;
    if (store_reports_waiting(c, now, collect_waiting, t) == IS_OK)
        for (int i = 0; i < t->n; i++)
            changes += maybe_forward(a, c, t->ids[i], now);
    /* large-scale outage mode: serious reports waiting in a covered sector
     * move on without waiting for the review limit */
    t->n = 0;
    if (store_reports_waiting_outage(c, collect_waiting, t) == IS_OK)
        for (int i = 0; i < t->n; i++)
            changes += maybe_forward(a, c, t->ids[i], now);
    struct store_report_id *ids;
    size_t n;
    if (store_reports_to_remind(c, now, &ids, &n) == IS_OK) {
        for (size_t i = 0; i < n; i++)
            changes += remind(c, ids[i].id, now);
        free(ids);
    }
    /* upward alerts: auto-forwards queued the next hops' alerts; then the
     * escalations and reminders of unopened alerts (service/alerts.h) */
    if (changes)
        alerts_wake(a);
    changes += alerts_tick(a, c, now);
    free(t);
    return changes;
}
