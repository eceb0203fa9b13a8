/*
 * dashboard.c - the operations picture (GET /api/v1/dashboard): open
 * reports by sector x effective severity, a 7-day timeline, events in
 * progress, unopened severe reports, advisories in flight with their
 * acknowledgement per CEPTOAR, overdue reports, relays waiting for us.
 *
 * Report counts are computed by the store in SQL with the report list's
 * own filter (rp_filter_init -> REPORTS_WHERE_SQL, whose range pre-filter
 * equals core/range's rule: t_reports_prefilter_matches_core), so every
 * count equals the number of rows the same reader lists with the same
 * filter. Advisories go through the advisory list's rule
 * (advisory_may_read) one by one, over the timeline's window only.
 */
#include "service/dashboard.h"

#include "common/buf.h"
#include "common/util.h"
#include "core/access.h"
#include "core/alert.h"
#include "core/range.h"
#include "core/roles.h"
#include "service/alerts.h"
#include "service/provision.h"
#include "service/rcache.h"
#include "service/reporting_internal.h"

#define JST_OFFSET_S (9 * 3600)
#define DAY_S 86400

/* The filter of the open reports for who (no other filter). */
static void open_filter(const struct auth_ctx *who, int64_t now,
                        struct store_report_filter *f, struct ids *ceps)
{
    struct report_query q = {.min_severity = -1, .state = "open"};
    rp_filter_init(who, &q, now, f, ceps);
}

/* {total, cells} of the open reports who may read; *overdue: how many of
 * them are past a deadline (the list's overdue view). */
static json_t *report_part(struct store_conn *c, const struct auth_ctx *who,
                           int64_t now, int64_t *overdue, int *rc)
{
    struct store_report_filter f;
    struct ids ceps;
    open_filter(who, now, &f, &ceps);
    struct store_dash_cell *cells = NULL;
    size_t n = 0;
    *rc = store_dash_report_cells(c, &f, &cells, &n, overdue);
    json_t *arr = json_array();
    json_int_t total = 0;
    for (size_t i = 0; !*rc && i < n; i++) {
        total += cells[i].n;
        json_array_append_new(arr, json_pack("{s:s,s:i,s:I}", "sector",
                                             cells[i].sector, "severity",
                                             cells[i].severity, "count",
                                             (json_int_t)cells[i].n));
    }
    free(cells);
    return json_pack("{s:I,s:o}", "total", total, "cells", arr);
}

/* "YYYY-MM-DD" of JST day number d. */
static json_t *day_json(int64_t d)
{
    char ts[UTIL_TIME_LEN];
    util_time_rfc3339(d * DAY_S, ts);
    ts[10] = '\0';
    return json_string(ts);
}

struct adv_walk {
    struct store_conn *c;
    const struct auth_ctx *who;
    int64_t since, first_day;
    int64_t days[DASHBOARD_DAYS];
    json_t *flight;
    int nflight;
    int rc;
};

/* The acknowledgement progress of ad on who's board: NULL when ad has
 * none for who or every recipient shown acknowledged. */
static json_t *flight_json(struct adv_walk *x, const struct store_advisory *ad,
                           int scope)
{
    struct store_dash_ack *acks = NULL;
    size_t n = 0;
    if (store_dash_adv_acks(x->c, ad->id, scope, x->who->org.id, &acks, &n)) {
        x->rc = IS_ERR_STORE;
        return NULL;
    }
    json_int_t total = 0, acked = 0;
    json_t *by = json_array();
    for (size_t i = 0; i < n; i++) {
        total += acks[i].total;
        acked += acks[i].acked;
        json_array_append_new(
            by,
            json_pack("{s:o,s:{s:s,s:s},s:I,s:I}", "ceptoar",
                      acks[i].via[0] ? json_string(acks[i].via) : json_null(),
                      "name", "ja", acks[i].name_ja, "en", acks[i].name_en,
                      "acknowledged", (json_int_t)acks[i].acked, "total",
                      (json_int_t)acks[i].total));
    }
    free(acks);
    if (!total || acked == total) {
        json_decref(by);
        return NULL;
    }
    return json_pack("{s:s,s:s,s:i,s:s,s:{s:s,s:s},s:o,s:I,s:I,s:o}", "id",
                     ad->id, "kind", ad->kind, "severity", ad->severity,
                     "range", range_name((enum share_range)ad->range), "title",
                     "ja", ad->title_ja ? ad->title_ja : "", "en",
                     ad->title_en ? ad->title_en : "", "created_at",
                     svc_time_json(ad->created_at), "acknowledged", acked,
                     "total", total, "by_ceptoar", by);
}

/* Advisories newest first: stops at the first issued before the window
 * (advisories are stored in the order they are issued). */
static int adv_row(void *ctx, struct store_advisory *ad)
{
    struct adv_walk *x = ctx;
    if (ad->created_at < x->since)
        return 1;
    if (ad->drill || !advisory_may_read(x->c, x->who, ad))
        return 0;
    int64_t k = (ad->created_at + JST_OFFSET_S) / DAY_S - x->first_day;
    if (k >= 0 && k < DASHBOARD_DAYS)
        x->days[k]++;
    int scope = advisory_board_scope(x->c, x->who, ad);
    if (scope < 0)
        return 0;
    json_t *f = flight_json(x, ad, scope);
    if (x->rc)
        return 1;
    if (f) {
        x->nflight++;
        if (json_array_size(x->flight) < DASHBOARD_FLIGHT_MAX)
            json_array_append_new(x->flight, f);
        else
            json_decref(f);
    }
    return 0;
}

/* {total, hops: [{org, kind, name, count}]}: the unopened severe reports
 * of issue 10 (alerts_unopened: the range rule and the ministry's sectors
 * applied), counted per hop. */
static int unopened_part(struct store_conn *c, const struct auth_ctx *who,
                         int64_t now, json_t **out)
{
    json_t *u = NULL;
    struct svc_error e = {0};
    int rc = alerts_unopened(c, who, NULL, now, &u, &e);
    if (rc)
        return rc;
    json_t *hops = json_array(), *h;
    size_t i;
    json_array_foreach (json_object_get(u, "hops"), i, h)
        json_array_append_new(
            hops,
            json_pack(
                "{s:O,s:O,s:O,s:I}", "org", json_object_get(h, "org"), "kind",
                json_object_get(h, "kind"), "name", json_object_get(h, "name"),
                "count",
                (json_int_t)json_array_size(json_object_get(h, "items"))));
    *out = json_pack("{s:O,s:o}", "total", json_object_get(u, "total"), "hops",
                     hops);
    json_decref(u);
    return IS_OK;
}

/* o["events_in_progress"]: events with an open report who may read
 * (events are for NISC's and the ministries' analysts), else null. */
static int events_part(struct store_conn *c, const struct auth_ctx *who,
                       int64_t now, bool allowed, json_t *o)
{
    if (!allowed) {
        json_object_set_new(o, "events_in_progress", json_null());
        return IS_OK;
    }
    struct store_report_filter f;
    struct ids ceps;
    int64_t n = 0;
    open_filter(who, now, &f, &ceps);
    int rc = store_dash_events(c, &f, &n);
    json_object_set_new(o, "events_in_progress", json_integer(n));
    return rc;
}

/* Advisories released to who's organisation that it has not acknowledged
 * and may read (the inbox's rule): *n. */
static int inbox_part(struct store_conn *c, const struct auth_ctx *who,
                      int64_t *n)
{
    struct store_id_list l = {0};
    *n = 0;
    int rc = store_dash_inbox(c, who->org.id, &l);
    for (size_t i = 0; !rc && i < l.n; i++) {
        struct store_advisory ad;
        if (store_advisory_get(c, l.items[i].id, &ad))
            continue;
        if (advisory_may_read(c, who, &ad))
            (*n)++;
        store_advisory_release(&ad);
    }
    store_id_list_free(&l);
    return rc;
}

int dashboard_get(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, int64_t now, json_t **out,
                  struct svc_error *e)
{
    IS_UNUSED(a);
    const char *kind = who->org.kind;
    bool staff = strcmp(kind, "nisc") == 0 || strcmp(kind, "ministry") == 0;
    int rc = IS_OK;
    json_t *o = json_pack("{s:o}", "generated_at", svc_time_json(now));
    int64_t overdue = 0;
    json_object_set_new(o, "open_reports",
                        report_part(c, who, now, &overdue, &rc));
    /* the list's overdue view is for ministries and NISC */
    json_object_set_new(o, "overdue",
                        access_may_view_overdue(kind) ? json_integer(overdue)
                                                      : json_null());

    /* the timeline: reports filed and advisories issued per JST day */
    struct adv_walk x = {.c = c, .who = who, .flight = json_array()};
    int64_t today = (now + JST_OFFSET_S) / DAY_S;
    x.first_day = today - (DASHBOARD_DAYS - 1);
    x.since = x.first_day * DAY_S - JST_OFFSET_S;
    int64_t filed[DASHBOARD_DAYS] = {0};
    if (!rc) {
        struct store_report_filter f;
        struct ids ceps;
        struct report_query q = {.min_severity = -1};
        rp_filter_init(who, &q, now, &f, &ceps);
        rc = store_dash_report_days(c, &f, x.since, x.first_day, filed,
                                    DASHBOARD_DAYS);
    }
    if (!rc)
        rc = store_advisories_scan(c, 0, adv_row, &x);
    if (!rc)
        rc = x.rc;
    json_t *tl = json_array();
    for (int k = 0; !rc && k < DASHBOARD_DAYS; k++)
        json_array_append_new(
            tl, json_pack("{s:o,s:I,s:I}", "day", day_json(x.first_day + k),
                          "reports", (json_int_t)filed[k], "advisories",
                          (json_int_t)x.days[k]));
    json_object_set_new(o, "timeline", tl);
    json_object_set_new(
        o, "advisories_in_flight",
        json_pack("{s:i,s:o}", "total", x.nflight, "items", x.flight));

    if (!rc)
        rc = events_part(c, who, now, staff && (who->roles & ROLE_ANALYST), o);
    json_t *un = json_null();
    if (!rc && alert_may_view_unopened(kind))
        rc = unopened_part(c, who, now, &un);
    json_object_set_new(o, "unopened_severe", un);

    int64_t waiting = 0;
    if (!rc)
        rc = store_dash_waiting_relay(c, who->org.id, &waiting);
    json_object_set_new(o, "waiting_relay", json_integer(waiting));
    int64_t unacked = 0;
    if (!rc)
        rc = inbox_part(c, who, &unacked);
    json_object_set_new(o, "inbox_unacknowledged", json_integer(unacked));

    if (rc) {
        json_decref(o);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the dashboard could not be read");
    }
    *out = o;
    return IS_OK;
}

/* A kept dashboard's "generated_at" (its first member, 20 characters) made
 * the time of the answer: the kept text is what a computation now would
 * give, and the time it was computed told a reader when the hub's data
 * changed, its hidden rows included (docs/rules.md "Dashboard"). */
static void answer_time(char *text, size_t len, int64_t now)
{
    static const char head[] = "{\"generated_at\":\"";
    size_t h = sizeof(head) - 1;
    char t[UTIL_TIME_LEN];
    util_time_rfc3339(now, t);
    if (len > h + 20 && memcmp(text, head, h) == 0 && text[h + 20] == '"' &&
        strlen(t) == 20)
        memcpy(text + h, t, 20);
}

/* A kept dashboard is stored as "<expiry>\n<JSON>": the last second it
 * may be answered (its next report deadline, or DASHBOARD_CACHE_S after
 * it was computed, whichever is first). */
int dashboard_text(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, int64_t now, char **text,
                   size_t *len, struct svc_error *e)
{
    char key[RCACHE_KEY_LEN];
    int64_t day = (now + JST_OFFSET_S) / DAY_S;
    int kl = snprintf(key, sizeof(key), "dash|%s|%s|%u|%lld", who->org.id,
                      who->org.kind, who->roles, (long long)day);
    bool cacheable = a && a->dash_cache && kl > 0 && (size_t)kl < sizeof(key);
    if (store_read_begin(c))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the dashboard could not be read");
    int64_t version = 0, next_due = 0;
    if (cacheable && store_dash_version(c, &version))
        cacheable = false;
    char *kept = NULL;
    size_t kept_len = 0;
    if (cacheable &&
        rcache_get(a->dash_cache, key, version, &kept, &kept_len)) {
        char *nl = memchr(kept, '\n', kept_len);
        long long expiry = nl ? strtoll(kept, NULL, 10) : 0;
        if (nl && now <= expiry) {
            size_t off = (size_t)(nl + 1 - kept);
            memmove(kept, nl + 1, kept_len - off);
            kept[kept_len - off] = '\0';
            answer_time(kept, kept_len - off, now);
            *text = kept;
            *len = kept_len - off;
            store_read_end(c);
            return IS_OK;
        }
        free(kept);
    }
    json_t *o = NULL;
    int rc = dashboard_get(a, c, who, now, &o, e);
    if (!rc && cacheable && store_dash_next_due(c, now, &next_due))
        cacheable = false;
    store_read_end(c);
    if (rc)
        return rc;
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!body)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL,
                        "the dashboard could not be encoded");
    size_t blen = strlen(body);
    if (cacheable) {
        int64_t expiry = now + DASHBOARD_CACHE_S;
        if (next_due > 0 && next_due < expiry)
            expiry = next_due;
        struct buf b = BUF_INIT;
        (void)buf_addf(&b, "%lld\n", (long long)expiry);
        (void)buf_add(&b, body, blen);
        if (!buf_error(&b))
            rcache_put(a->dash_cache, key, version, b.data, b.len);
        buf_release(&b);
    }
    *text = body;
    *len = blen;
    return IS_OK;
}
