/*
 * alerts.c - upward alerts (service/alerts.h; the rules are core/alert.h,
 * the jobs go out through the outbox with the advisories').
 */
#include "service/alerts.h"

#include <sodium.h>

#include "common/log.h"
#include "common/util.h"
#include "core/alert.h"
#include "core/deadline.h"
#include "service/provision.h"
#include "service/reporting_internal.h"

/* A hop without a policy is reminded after this many minutes, as an
 * advisory hop relays by itself (store_hop_policy's default). */
#define ALERT_DEFAULT_LIMIT_MIN 30

int alerts_severity(const struct store_report *r)
{
    return r->declared > r->severity ? r->declared : r->severity;
}

/* A hop's alert link lives as long as an acknowledgement link. */
#define ALERT_LINK_S (7 * 86400)

/* The token of the link of (report, org, round) begun at alerted_at: its
 * nonce is an HMAC of them with the hub's key (unguessable without it, the
 * same each time it is made); hash: what is stored. */
static void link_token(const struct app *a, const char *report, const char *org,
                       int round, int64_t alerted_at, char *token, size_t len,
                       unsigned char hash[32])
{
    char msg[200], nonce[32];
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    snprintf(msg, sizeof(msg), "alert-link.%.40s.%.64s.%d", report, org, round);
    crypto_auth_hmacsha256(mac, (const unsigned char *)msg, strlen(msg),
                           a->ack_key);
    util_b64url(nonce, sizeof(nonce), mac, 16);
    ack_link_token(a, nonce, alerted_at + ALERT_LINK_S, report, org, token, len,
                   hash);
}

/* Stores the hash of org's link for the round begun at now. */
static int link_store(struct app *a, struct store_conn *c, const char *report,
                      const char *org, int round, int64_t now)
{
    char token[128];
    unsigned char h[32];
    link_token(a, report, org, round, now, token, sizeof(token), h);
    return store_alert_link_insert(c, h, report, org, round,
                                   now + ALERT_LINK_S);
}

int alerts_arrive(struct app *a, struct store_conn *c,
                  const struct store_report *r, const struct route_walk *w,
                  int64_t now)
{
    int sev = alerts_severity(r);
    bool every = alert_fanout(sev) == ALERT_EVERY_CONTACT;
    for (int i = 0; i < w->n; i++) {
        int q = 0;
        int rc =
            store_alert_arrive(c, r->id, w->arrived[i], sev, every, now, &q);
        if (!rc)
            rc = link_store(a, c, r->id, w->arrived[i], 1, now);
        if (rc)
            return rc;
    }
    return IS_OK;
}

int alerts_raise(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const struct store_report *r,
                 int old_severity, int64_t now)
{
    int sev = alerts_severity(r);
    if (!alert_new_round(old_severity, sev))
        return IS_OK;
    struct store_id_list hops = {0};
    int rc = store_alert_raise(c, r->id, sev, now, &hops);
    bool every = alert_fanout(sev) == ALERT_EVERY_CONTACT;
    int total = 0;
    for (size_t i = 0; i < hops.n && !rc; i++) {
        int q = 0;
        struct store_alert al;
        rc = store_alert_get(c, r->id, hops.items[i].id, &al);
        if (!rc)
            rc = link_store(a, c, r->id, hops.items[i].id, al.round, now);
        if (!rc)
            rc = store_alert_queue(c, r->id, hops.items[i].id, "alert", every,
                                   now, &q);
        total += q;
    }
    if (!rc && hops.n)
        rc = rp_audit(c, who, now, "report.alert.raise", r,
                      json_pack("{s:i,s:i,s:i,s:i}", "from", old_severity, "to",
                                sev, "hops", (int)hops.n, "jobs", total));
    store_id_list_free(&hops);
    return rc;
}

void alerts_wake(struct app *a)
{
    if (a && a->wake_outbox)
        a->wake_outbox(a);
}

void alerts_opened_by_read(struct store_conn *c, const struct auth_ctx *who,
                           const char *id, int64_t now)
{
    struct store_alert al;
    if (!who || !who->org.id[0] ||
        store_alert_get(c, id, who->org.id, &al) != IS_OK || al.opened_at)
        return; /* not a hop alerted, or opened already: nothing to write */
    int rc = store_begin(c);
    if (rc)
        return;
    rc = store_alert_open(c, id, who->org.id, 0, who->user_id, "api", now);
    if (rc == IS_ERR_NOTFOUND) { /* opened by a concurrent request */
        store_rollback(c);
        return;
    }
    if (!rc)
        rc = audit_record(c, who, now, "report.alert.open", id,
                          json_pack("{s:s,s:s,s:i}", "via", "api", "org",
                                    who->org.id, "round", al.round));
    if (rc || (rc = store_commit(c))) {
        store_rollback(c);
        log_event(LOG_WARN, "alert: opening not recorded", "report",
                  json_string(id), "org", json_string(who->org.id), NULL);
    }
}

int alerts_link_open(struct store_conn *c, const unsigned char hash[32],
                     const char *report, const char *org, int round,
                     const char *addr, int64_t now)
{
    int rc = store_begin(c);
    if (!rc)
        rc = store_ack_link_use(c, hash, now);
    bool already = false;
    if (!rc) {
        int orc = store_alert_open(c, report, org, round, 0, "link", now);
        already = orc == IS_ERR_NOTFOUND;
        rc = already ? IS_OK : orc;
    }
    if (!rc)
        rc = audit_record(c, NULL, now, "report.alert.open", report,
                          json_pack("{s:s,s:s,s:i,s:s,s:b}", "via", "link",
                                    "org", org, "round", round, "addr", addr,
                                    "already", already));
    if (rc || (rc = store_commit(c)))
        store_rollback(c);
    if (rc == IS_ERR_CONFLICT)
        return IS_ERR_CONFLICT;
    return !rc || rc == IS_ERR_NOMEM ? rc : IS_ERR_STORE;
}

int alert_link_new(void *ctx, struct store_conn *c, const char *report,
                   const char *org, int round, int64_t now, char *url,
                   size_t len)
{
    IS_UNUSED(now);
    const struct app *a = ctx;
    struct store_alert al;
    int rc = store_alert_get(c, report, org, &al);
    if (rc)
        return rc;
    if (al.round != round)
        return IS_ERR_GONE; /* a later round began: this job is stale */
    char token[128];
    unsigned char h[32];
    link_token(a, report, org, round, al.alerted_at, token, sizeof(token), h);
    return util_fmt(url, len, "%s/ack/%s", a->public_url, token);
}

/* Ends one of the tick's transactions: 1 when committed, else 0. */
static int tick_end(struct store_conn *c, int rc)
{
    if (rc || (rc = store_commit(c))) {
        store_rollback(c);
        return 0;
    }
    return 1;
}

/* Reminds hop p->org of report p->adv once, decided again under the
 * writer lock by core (alert_reminder_due). Returns 1 when it did, 0 when
 * not, -1 when no transaction could be begun. */
static int tick_remind(struct store_conn *c, const struct store_adv_org *p,
                       int64_t now)
{
    if (store_begin(c))
        return -1;
    struct store_alert al;
    bool review = true;
    int limit = ALERT_DEFAULT_LIMIT_MIN, q = 0;
    int rc = store_alert_get(c, p->adv, p->org, &al);
    if (!rc)
        rc = store_hop_policy(c, p->org, &review, &limit);
    struct alert_round r = {al.severity, al.alerted_at, al.opened_at,
                            al.escalated_at, al.reminded_at};
    if (!rc && !alert_reminder_due(&r, (int64_t)limit * 60, now))
        rc = IS_ERR_CONFLICT; /* opened or reminded since the scan */
    if (!rc)
        rc = store_alert_reminded(c, p->adv, p->org, now);
    if (!rc)
        rc = store_alert_queue(c, p->adv, p->org, "reminder", true, now, &q);
    if (!rc)
        rc = audit_record(c, NULL, now, "report.alert.remind", p->adv,
                          json_pack("{s:s,s:i,s:i,s:i}", "org", p->org, "round",
                                    al.round, "limit_min", limit, "jobs", q));
    return tick_end(c, rc);
}

/* Escalates hop p->org of report p->adv to its remaining contacts. */
static int tick_escalate(struct app *a, struct store_conn *c,
                         const struct store_adv_org *p, int64_t now)
{
    if (store_begin(c))
        return -1;
    struct store_alert al;
    int q = 0;
    int rc = store_alert_get(c, p->adv, p->org, &al);
    struct alert_round r = {al.severity, al.alerted_at, al.opened_at,
                            al.escalated_at, al.reminded_at};
    if (!rc && !alert_escalation_due(
                   &r, deadline_ack_s(al.severity, a->ack_deadline_s), now))
        rc = IS_ERR_CONFLICT;
    if (!rc)
        rc = store_alert_escalated(c, p->adv, p->org, now);
    if (!rc)
        rc = store_alert_queue_rest(c, p->adv, p->org, now, &q);
    if (!rc)
        rc = audit_record(c, NULL, now, "report.alert.escalate", p->adv,
                          json_pack("{s:s,s:i,s:i}", "org", p->org, "round",
                                    al.round, "jobs", q));
    return tick_end(c, rc);
}

int alerts_tick(struct app *a, struct store_conn *c, int64_t now)
{
    int changes = 0;
    struct store_adv_org_list due = {0};
    if (store_alerts_due_remind(c, now, ALERT_DEFAULT_LIMIT_MIN, &due) ==
        IS_OK) {
        for (size_t i = 0; i < due.n; i++) {
            int r = tick_remind(c, &due.items[i], now);
            if (r < 0)
                break;
            changes += r;
        }
    }
    store_adv_org_list_free(&due);
    if (store_alerts_due_escalate(c, now, deadline_ack_s(3, a->ack_deadline_s),
                                  deadline_ack_s(0, a->ack_deadline_s),
                                  &due) == IS_OK) {
        for (size_t i = 0; i < due.n; i++) {
            int r = tick_escalate(a, c, &due.items[i], now);
            if (r < 0)
                break;
            changes += r;
        }
    }
    store_adv_org_list_free(&due);
    if (changes)
        alerts_wake(a);
    return changes;
}

/* The hop's group in the answer (hops in the store's order, org id). */
static json_t *hop_group(json_t *hops, const struct store_unopened *u)
{
    size_t n = json_array_size(hops);
    json_t *last = n ? json_array_get(hops, n - 1) : NULL;
    if (last &&
        strcmp(json_string_value(json_object_get(last, "org")), u->org) == 0)
        return json_object_get(last, "items");
    json_t *items = json_array();
    json_array_append_new(
        hops, json_pack("{s:s,s:s,s:{s:s,s:s},s:o}", "org", u->org, "kind",
                        u->org_kind, "name", "ja", u->name_ja ? u->name_ja : "",
                        "en", u->name_en ? u->name_en : "", "items", items));
    return items;
}

int alerts_unopened(struct store_conn *c, const struct auth_ctx *who,
                    const char *org, int64_t now, json_t **out,
                    struct svc_error *e)
{
    if (!alert_may_view_unopened(who->org.kind))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "the unopened alerts are for NISC and ministries");
    struct store_unopened_list l = {0};
    if (store_alerts_unopened(c, &l))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the alerts could not be read");
    json_t *hops = json_array();
    int total = 0;
    for (size_t i = 0; i < l.n; i++) {
        const struct store_unopened *u = &l.items[i];
        struct store_report r;
        if (org && strcmp(org, u->org) != 0)
            continue;
        if (store_report_get(c, u->report, &r))
            continue;
        struct range_decision d = rp_decide(who, &r);
        if (d.may_read &&
            alert_may_list(who->org.kind, who->org.id, r.ministry_id)) {
            json_t *row = rp_summary(c, who, &r, d, now);
            json_object_set_new(
                row, "alert",
                json_pack("{s:i,s:i,s:o,s:o,s:I}", "round", u->round,
                          "severity", u->severity, "alerted_at",
                          svc_time_json(u->alerted_at), "reminded_at",
                          svc_time_json(u->reminded_at), "waiting_s",
                          (json_int_t)(now - u->alerted_at)));
            json_array_append_new(hop_group(hops, u), row);
            total++;
        }
        store_report_release(&r);
    }
    store_unopened_list_free(&l);
    *out = json_pack("{s:o,s:i}", "hops", hops, "total", total);
    return *out ? IS_OK : IS_ERR_NOMEM;
}
