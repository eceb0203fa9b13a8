/*
 * store_alerts.c - upward alerts (DOMAIN.md §6a): the hops' alert rounds
 * of reports (report_alerts) and their delivery jobs (alert_deliveries),
 * which the outbox claims with the advisories' (store_deliveries_claim).
 */
#include "store/store_internal.h"

#include "common/util.h"

int store_alert_queue(struct store_conn *c, const char *report, const char *org,
                      const char *purpose, bool every, int64_t now, int *queued)
{
    int rc = store_exec(c, ST_ALERT_QUEUE, "alert queue", "tttiIt", report, org,
                        purpose, every ? 1 : 0, (int64_t)now, store_node(c));
    *queued = rc ? 0 : store_changes(c);
    return rc;
}

int store_alert_arrive(struct store_conn *c, const char *report,
                       const char *org, int severity, bool every, int64_t now,
                       int *queued)
{
    *queued = 0;
    int rc = store_exec(c, ST_ALERT_ARRIVE, "alert arrive", "ttiI", report, org,
                        severity, (int64_t)now);
    if (rc || store_changes(c) == 0)
        return rc; /* arrived before: its alert stands */
    return store_alert_queue(c, report, org, "alert", every, now, queued);
}

/* Row mapper of ST_ALERT_HOPS: pushes one id. */
static int map_id(db_stmt *st, void *ctx)
{
    struct store_id *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->id, sizeof(x->id));
    return IS_OK;
}

int store_alert_raise(struct store_conn *c, const char *report, int severity,
                      int64_t now, struct store_id_list *hops)
{
    *hops = (struct store_id_list){0};
    int rc = store_exec(c, ST_ALERT_RAISE, "alert raise", "tiI", report,
                        severity, (int64_t)now);
    if (!rc) /* the earlier round's unsent jobs are stale */
        rc = store_exec(c, ST_ALD_CANCEL_REPORT, "alert cancel report", "t",
                        report);
    if (rc)
        return rc;
    struct store_rows r = {.size = sizeof(*hops->items)};
    rc = store_list(c, ST_ALERT_HOPS, "alert hops", map_id, &r, NULL, "t",
                    report);
    hops->items = r.items;
    hops->n = r.n;
    return rc;
}

int store_alert_queue_rest(struct store_conn *c, const char *report,
                           const char *org, int64_t now, int *queued)
{
    struct store_alert a;
    int rc = store_alert_get(c, report, org, &a);
    if (!rc)
        rc = store_exec(c, ST_ALERT_QUEUE_NEXT, "alert rest", "ttittIit",
                        report, org, a.round, "alert", "escalation",
                        (int64_t)now, 1, store_node(c));
    *queued = rc ? 0 : store_changes(c);
    return rc;
}

/* Row mapper of ST_ALERT_GET. */
static int map_alert(db_stmt *st, void *ctx)
{
    struct store_alert *a = ctx;
    memset(a, 0, sizeof(*a));
    a->round = db_column_int(st, 0);
    a->severity = db_column_int(st, 1);
    a->alerted_at = db_column_int64(st, 2);
    a->opened_at = db_column_int64(st, 3);
    a->escalated_at = db_column_int64(st, 4);
    a->reminded_at = db_column_int64(st, 5);
    store_col_copy(st, 6, a->opened_via, sizeof(a->opened_via));
    return IS_OK;
}

int store_alert_get(struct store_conn *c, const char *report, const char *org,
                    struct store_alert *out)
{
    return store_get_row(c, ST_ALERT_GET, "alert", map_alert, out, "tt", report,
                         org);
}

int store_alert_open(struct store_conn *c, const char *report, const char *org,
                     int round, int64_t user, const char *via, int64_t now)
{
    int rc =
        store_exec_changed(c, ST_ALERT_OPEN, "alert open", "ttIIti", report,
                           org, (int64_t)now, (int64_t)user, via, round);
    if (!rc)
        rc = store_exec(c, ST_ALD_CANCEL, "alert cancel", "tt", report, org);
    return rc;
}

/* Row mapper of two ids (report, org) into a struct store_adv_org. */
static int map_pair(db_stmt *st, void *ctx)
{
    struct store_adv_org *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->adv, sizeof(x->adv));
    store_col_copy(st, 1, x->org, sizeof(x->org));
    return IS_OK;
}

int store_alerts_due_remind(struct store_conn *c, int64_t now,
                            int default_limit_min,
                            struct store_adv_org_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_list(c, ST_ALERTS_DUE_REMIND, "alerts due remind", map_pair,
                        &r, NULL, "Ii", (int64_t)now, default_limit_min);
    out->items = r.items;
    out->n = r.n;
    return rc;
}

int store_alerts_due_escalate(struct store_conn *c, int64_t now,
                              int64_t limit3_s, int64_t limit_low_s,
                              struct store_adv_org_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_list(c, ST_ALERTS_DUE_ESCALATE, "alerts due escalate",
                        map_pair, &r, NULL, "III", (int64_t)now,
                        (int64_t)limit3_s, (int64_t)limit_low_s);
    out->items = r.items;
    out->n = r.n;
    return rc;
}

static int conflict_if_unchanged(int rc)
{
    return rc == IS_ERR_NOTFOUND ? IS_ERR_CONFLICT : rc;
}

int store_alert_reminded(struct store_conn *c, const char *report,
                         const char *org, int64_t now)
{
    return conflict_if_unchanged(store_exec_changed(c, ST_ALERT_REMINDED,
                                                    "alert reminded", "ttI",
                                                    report, org, (int64_t)now));
}

int store_alert_escalated(struct store_conn *c, const char *report,
                          const char *org, int64_t now)
{
    return conflict_if_unchanged(store_exec_changed(c, ST_ALERT_ESCALATED,
                                                    "alert escalated", "ttI",
                                                    report, org, (int64_t)now));
}

static void unopened_drop(void *item)
{
    struct store_unopened *u = item;
    free(u->name_ja);
    free(u->name_en);
}

void store_unopened_list_free(struct store_unopened_list *l)
{
    store_rows_free(l->items, l->n, sizeof(*l->items), unopened_drop);
    *l = (struct store_unopened_list){0};
}

/* Row mapper of ST_ALERTS_UNOPENED. */
static int map_unopened(db_stmt *st, void *ctx)
{
    struct store_unopened *u = store_rows_push(ctx);
    if (!u)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, u->report, sizeof(u->report));
    store_col_copy(st, 1, u->org, sizeof(u->org));
    u->round = db_column_int(st, 2);
    u->severity = db_column_int(st, 3);
    u->alerted_at = db_column_int64(st, 4);
    u->reminded_at = db_column_int64(st, 5);
    store_col_copy(st, 6, u->org_kind, sizeof(u->org_kind));
    int rc = store_col_dup(st, 7, &u->name_ja);
    if (!rc)
        rc = store_col_dup(st, 8, &u->name_en);
    return rc;
}

int store_alerts_unopened(struct store_conn *c, struct store_unopened_list *out)
{
    struct store_rows r = {.size = sizeof(*out->items)};
    int rc = store_list(c, ST_ALERTS_UNOPENED, "alerts unopened", map_unopened,
                        &r, unopened_drop, "");
    out->items = r.items;
    out->n = r.n;
    return rc;
}

int store_alert_link_insert(struct store_conn *c, const unsigned char hash[32],
                            const char *report, const char *org, int round,
                            int64_t expires)
{
    return store_exec(c, ST_ALERT_LINK_INSERT, "alert link insert", "bttIti",
                      hash, report, org, (int64_t)expires, "alert", round);
}

struct link_kind_out {
    char *kind;
    size_t klen;
    int *round;
};

static int map_link_kind(db_stmt *st, void *ctx)
{
    struct link_kind_out *o = ctx;
    store_col_copy(st, 0, o->kind, o->klen);
    *o->round = db_column_int(st, 1);
    return IS_OK;
}

int store_ack_link_kind(struct store_conn *c, const unsigned char hash[32],
                        char *kind, size_t klen, int *round)
{
    struct link_kind_out o = {kind, klen, round};
    return store_get_row(c, ST_ALERT_LINK_KIND, "link kind", map_link_kind, &o,
                         "b", hash);
}
