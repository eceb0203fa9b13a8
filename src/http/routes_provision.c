/*
 * routes_provision.c - handlers of 情報提供: advisories, relay,
 * acknowledgement (API and link), deliveries, drills.
 */
#include "http/http.h"

#include "service/provision.h"
#include "common/util.h"

int h_adv_issue(struct http_req *r, struct http_resp *out)
{
    HTTP_SVC(advisory_issue(r->app, r->sc, &r->auth, r->json, app_now(r->app), o,
                       e));
    out->status = 201;
    snprintf(out->location, sizeof(out->location), "/api/v1/advisories/%s",
             json_string_value(json_object_get(out->body, "id")));
    return 201;
}

int h_adv_list(struct http_req *r, struct http_resp *out)
{
    int limit;
    if (http_limit(r, out, 50, 200, &limit))
        return 400;
    long before = 0;
    const char *cur = http_query(r, "cursor");
    if (cur && util_parse_long(cur, 1, LONG_MAX, &before))
        return http_error(out, 400, "invalid_value", "cursor",
                          "cursor: not a cursor this hub returned");
    const char *inbox = http_query(r, "inbox");
    if (inbox && strcmp(inbox, "true") && strcmp(inbox, "false"))
        return http_error(out, 400, "invalid_value", "inbox",
                          "inbox: true or false");
    HTTP_SVC(advisory_list(r->app, r->sc, &r->auth, limit, before,
                      inbox && strcmp(inbox, "true") == 0, app_now(r->app),
                      o, e));
    return 200;
}

int h_adv_read(struct http_req *r, struct http_resp *out)
{
    HTTP_SVC(advisory_read(r->app, r->sc, &r->auth, r->params[0],
                      app_now(r->app), o, e));
    return 200;
}

int h_adv_relay(struct http_req *r, struct http_resp *out)
{
    HTTP_SVC(advisory_relay(r->app, r->sc, &r->auth, r->params[0], r->json,
                       app_now(r->app), o, e));
    return 200;
}

int h_adv_ack(struct http_req *r, struct http_resp *out)
{
    HTTP_SVC(advisory_ack(r->app, r->sc, &r->auth, r->params[0], app_now(r->app),
                     o, e));
    return 200;
}

int h_adv_deliveries(struct http_req *r, struct http_resp *out)
{
    static const char *const states[] = {"all",       "pending",
                                         "queued",    "sending",
                                         "delivered", "acknowledged",
                                         "unreached"};
    const char *st = http_query(r, "state");
    bool ok = !st;
    for (size_t i = 0; st && i < IS_ARRAY_LEN(states); i++)
        ok |= strcmp(st, states[i]) == 0;
    if (!ok)
        return http_error(out, 400, "invalid_value", "state",
                          "state: all, pending, queued, sending, delivered, "
                          "acknowledged or unreached");
    HTTP_SVC(advisory_deliveries(r->app, r->sc, &r->auth, r->params[0], st,
                            app_now(r->app), o, e));
    return 200;
}

int h_drill_start(struct http_req *r, struct http_resp *out)
{
    HTTP_SVC(drill_start(r->app, r->sc, &r->auth, r->json, app_now(r->app), o,
                    e));
    out->status = 201;
    return 201;
}

int h_drill_report(struct http_req *r, struct http_resp *out)
{
    const char *fmt = http_query(r, "format");
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv") &&
        strcmp(fmt, "html"))
        return http_error(out, 400, "invalid_value", "format",
                          "format: json, csv or html");
    struct svc_error e = {0};
    json_t *o = NULL;
    char *text = NULL;
    size_t len = 0;
    if (drill_report(r->app, r->sc, &r->auth, r->params[0], fmt,
                     app_now(r->app), &o, &text, &len, &e))
        return http_svc_fail(out, &e);
    if (text) {
        out->raw = text;
        out->rawlen = len;
        out->ctype = strcmp(fmt, "csv") == 0 ? "text/csv; charset=utf-8"
                                             : "text/html; charset=utf-8";
    } else {
        out->body = o;
    }
    return 200;
}

int h_ack_link(struct http_req *r, struct http_resp *out)
{
    char *page = NULL;
    int status = 500;
    enum ack_link_mode mode = strcmp(r->method, "POST") == 0
                                  ? ACK_LINK_CONFIRM
                              : strcmp(r->method, "HEAD") == 0
                                  ? ACK_LINK_PROBE
                                  : ACK_LINK_VIEW;
    advisory_ack_link(r->app, r->sc, r->params[0], r->addr, mode,
                      app_now(r->app), &page, &status);
    out->status = status;
    out->raw = page;
    out->rawlen = page ? strlen(page) : 0;
    out->ctype = "text/html; charset=utf-8";
    return status;
}
