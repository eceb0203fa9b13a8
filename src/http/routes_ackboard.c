/*
 * routes_ackboard.c - the acknowledgement board (issue 11): the deliveries
 * of an advisory as CSV, and reminders to those not acknowledged.
 */
#include "http/http.h"
#include "http/routes_ackboard.h"

#include "service/provision.h"
#include "common/csv.h"
#include "common/jv.h"

/* The contacts of an item in one cell: "channel address" joined by "; ",
 * an emergency contact marked "(emergency)". */
static void csv_contacts(struct buf *b, const json_t *contacts)
{
    struct buf t;
    buf_init(&t, 1024 * 1024);
    size_t i;
    json_t *k;
    json_array_foreach (contacts, i, k) {
        const char *addr = jv_str(k, "address");
        buf_addf(&t, "%s%s%s%s%s", i ? "; " : "", jv_str(k, "channel"),
                 addr ? " " : "", addr ? addr : "",
                 json_is_true(json_object_get(k, "emergency")) ? " (emergency)"
                                                               : "");
    }
    char *s = buf_detach(&t);
    csv_cell(b, s ? s : "", true);
    free(s);
}

char *http_deliveries_csv(const json_t *ans, size_t cap, size_t *len)
{
    json_t *items = json_object_get(ans, "items");
    size_t i;
    json_t *r;
    struct buf b;
    buf_init(&b, cap);
    buf_adds(&b, "org,name_ja,name_en,via,sector,state,released_at,"
                 "delivered_at,acked_at,channel,contacts\r\n");
    json_array_foreach (items, i, r) {
        json_t *nm = json_object_get(r, "name");
        csv_cell(&b, jv_str(r, "org"), false);
        csv_cell(&b, jv_str(nm, "ja"), false);
        csv_cell(&b, jv_str(nm, "en"), false);
        csv_cell(&b, jv_str(r, "via"), false);
        csv_cell(&b, jv_str(r, "sector"), false);
        csv_cell(&b, jv_str(r, "state"), false);
        csv_cell(&b, jv_str(r, "released_at"), false);
        csv_cell(&b, jv_str(r, "delivered_at"), false);
        csv_cell(&b, jv_str(r, "acked_at"), false);
        csv_cell(&b, jv_str(r, "channel"), false);
        csv_contacts(&b, json_object_get(r, "contacts"));
    }
    *len = b.len;
    char *s = buf_detach(&b); /* NULL when b failed: never cut short */
    if (!s)
        *len = 0;
    return s;
}

int h_adv_remind(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = advisory_remind(r->app, r->sc, &r->auth, r->params[0], r->json,
                             app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 202);
}
