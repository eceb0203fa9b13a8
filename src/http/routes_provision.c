/*
 * routes_provision.c - handlers of 情報提供: advisories, relay,
 * acknowledgement (API and link), deliveries, drills.
 */
#include "http/http.h"

#include "service/provision.h"
#include "http/drill_html.h"
#include "core/range.h"
#include "http/routes_ackboard.h"
#include "common/util.h"

int h_adv_issue(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = advisory_issue(r->app, r->sc, &r->auth, r->json, app_now(r->app),
                            &o, &e);
    if (http_svc_reply(out, rc, &e, o, 201) != 201)
        return out->status;
    snprintf(out->location, sizeof(out->location), "/api/v1/advisories/%s",
             json_string_value(json_object_get(out->body, "id")));
    return 201;
}

int h_adv_list(struct http_req *r, struct http_resp *out)
{
    int limit;
    if (http_limit(r, out, 50, 200, &limit))
        return 400;
    const char *cur = http_query(r, "cursor");
    const char *inbox = http_query(r, "inbox");
    if (inbox && strcmp(inbox, "true") && strcmp(inbox, "false"))
        return http_error(out, 400, "invalid_value", "inbox",
                          "inbox: true or false");
    /* issue 11: lists - the filters */
    struct advisory_filter f = {.range = -1, .min_severity = -1, .acked = -1};
    static const char *const kinds[] = {"warning", "security_info", "case",
                                        "newsletter"};
    f.kind = http_query(r, "kind");
    bool kind_ok = !f.kind;
    for (size_t i = 0; f.kind && i < IS_ARRAY_LEN(kinds); i++)
        kind_ok |= strcmp(f.kind, kinds[i]) == 0;
    if (!kind_ok)
        return http_error(out, 400, "invalid_value", "kind",
                          "kind: warning, security_info, case or newsletter");
    const char *rg = http_query(r, "range");
    if (rg && (f.range = range_parse(rg)) < 0)
        return http_error(out, 400, "invalid_value", "range",
                          "range: red, amber, yellow, green or white");
    const char *sev = http_query(r, "min_severity");
    long sv = -1;
    if (sev && util_parse_long(sev, 0, 5, &sv))
        return http_error(out, 400, "invalid_value", "min_severity",
                          "min_severity: an integer from 0 to 5");
    f.min_severity = (int)sv;
    const char *ack = http_query(r, "acked");
    if (ack && strcmp(ack, "true") && strcmp(ack, "false"))
        return http_error(out, 400, "invalid_value", "acked",
                          "acked: true or false");
    if (ack)
        f.acked = strcmp(ack, "true") == 0;
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = advisory_list_filtered(r->app, r->sc, &r->auth, limit, cur,
                                    inbox && strcmp(inbox, "true") == 0, &f,
                                    app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_adv_read(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = advisory_read(r->app, r->sc, &r->auth, r->params[0],
                           app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_adv_relay(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = advisory_relay(r->app, r->sc, &r->auth, r->params[0], r->json,
                            app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_adv_ack(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = advisory_ack(r->app, r->sc, &r->auth, r->params[0],
                          app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_adv_deliveries(struct http_req *r, struct http_resp *out)
{
    static const char *const states[] = {
        "all",       "pending",      "queued",   "sending",
        "delivered", "acknowledged", "unreached"};
    const char *st = http_query(r, "state");
    bool ok = !st;
    for (size_t i = 0; st && i < IS_ARRAY_LEN(states); i++)
        ok |= strcmp(st, states[i]) == 0;
    if (!ok)
        return http_error(out, 400, "invalid_value", "state",
                          "state: all, pending, queued, sending, delivered, "
                          "acknowledged or unreached");
    const char *fmt = http_query(r, "format");
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv"))
        return http_error(out, 400, "invalid_value", "format",
                          "format: json or csv");
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = advisory_deliveries(r->app, r->sc, &r->auth, r->params[0], st,
                                 app_now(r->app), &o, &e);
    if (rc || !fmt || strcmp(fmt, "json") == 0)
        return http_svc_reply(out, rc, &e, o, 200);
    /* issue 11: the board's CSV export (http/routes_ackboard.c) */
    size_t len = 0;
    char *text = http_deliveries_csv(o, HTTP_DELIVERIES_CAP, &len);
    json_decref(o);
    if (!text)
        return http_fail(out, IS_ERR_INTERNAL);
    out->raw = text;
    out->rawlen = len;
    out->ctype = "text/csv; charset=utf-8";
    return 200;
}

int h_drill_start(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc =
        drill_start(r->app, r->sc, &r->auth, r->json, app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_drill_report(struct http_req *r, struct http_resp *out)
{
    const char *fmt = http_query(r, "format");
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv") && strcmp(fmt, "html"))
        return http_error(out, 400, "invalid_value", "format",
                          "format: json, csv or html");
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = drill_report(r->app, r->sc, &r->auth, r->params[0],
                          app_now(r->app), &o, &e);
    if (rc || !fmt || strcmp(fmt, "json") == 0)
        return http_svc_reply(out, rc, &e, o, 200);
    size_t len = 0;
    bool csv = strcmp(fmt, "csv") == 0;
    char *text = csv ? http_drill_csv(o, HTTP_DRILL_CAP, &len)
                     : http_drill_html(o, HTTP_DRILL_CAP, &len);
    json_decref(o);
    if (!text) /* past its cap or out of memory: never a cut-short body */
        return http_fail(out, IS_ERR_INTERNAL);
    out->raw = text;
    out->rawlen = len;
    out->ctype = csv ? "text/csv; charset=utf-8" : "text/html; charset=utf-8";
    return 200;
}

/* The small bilingual page of an acknowledgement link. Returns it
 * (malloc'd; NULL when out of memory or past its cap, never cut short). */
static char *page(const char *title_ja, const char *title_en,
                  const char *msg_ja, const char *msg_en)
{
    struct buf b;
    buf_init(&b, 65536);
    buf_addf(&b,
             "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width\">"
             "<title>%s / %s</title></head><body>"
             "<h1>%s</h1><p>%s</p><h1 lang=\"en\">%s</h1><p lang=\"en\">%s"
             "</p></body></html>\n",
             title_ja, title_en, title_ja, msg_ja, title_en, msg_en);
    return buf_detach(&b);
}

/* The page a valid link shows on GET: a plain form that POSTs to the
 * same URL (no script: the CSP of HTML pages allows none inline). */
static char *confirm_page(const char *adv)
{
    struct buf b;
    buf_init(&b, 65536);
    buf_adds(&b,
             "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width\">"
             "<title>受領確認 / Acknowledge</title></head><body>"
             "<h1>受領確認</h1><p>情報提供 <code>");
    for (const char *p = adv; *p; p++) /* ids are [a-z0-9-]; kept so */
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')
            buf_add(&b, p, 1);
    buf_adds(&b,
             "</code> の受領を貴組織として記録します。下のボタンを押すと"
             "確認が記録されます（このリンクは一度だけ使えます）。</p>"
             "<h1 lang=\"en\">Acknowledge</h1><p lang=\"en\">Record that "
             "your organisation received this advisory. Nothing is recorded "
             "until you press the button (the link works once).</p>"
             "<form method=\"post\"><button type=\"submit\">"
             "受領を確認する / Acknowledge</button></form>"
             "</body></html>\n");
    return buf_detach(&b);
}

/* The page answering the service's outcome of an acknowledgement link;
 * its status is the error code's (http/status.c). */
static char *ack_page(int rc, enum ack_link_mode mode, const char *adv)
{
    switch (rc) {
    case IS_OK:
        if (mode != ACK_LINK_CONFIRM)
            return confirm_page(adv);
        return page("受領を確認しました", "Acknowledged",
                    "貴組織の受領確認を記録しました。",
                    "Your organisation's acknowledgement was recorded.");
    case IS_ERR_CONFLICT:
        return page("確認できませんでした", "Not acknowledged",
                    "このリンクは既に使用されています。",
                    "This link has been used already.");
    case IS_ERR_GONE:
        return page("確認できませんでした", "Not acknowledged",
                    "このリンクの有効期限が切れています。ログインして"
                    "確認してください。",
                    "This link has expired. Sign in to acknowledge.");
    case IS_ERR_NOTFOUND:
        return page("確認できませんでした", "Not acknowledged",
                    "このリンクは無効です。", "This link is not valid.");
    case IS_ERR_LIMIT:
        return page("確認できませんでした", "Not acknowledged",
                    "無効なリンクが多すぎます。しばらくしてから"
                    "お試しください。",
                    "Too many links that were not valid. Please "
                    "try again later.");
    default:
        return page("確認できませんでした", "Not acknowledged",
                    "もう一度お試しください。", "Please try again.");
    }
}

/* The pages of an upward alert's link (opens the report for the hop). */
static char *alert_page(int rc, enum ack_link_mode mode, const char *report)
{
    if (rc == IS_OK && mode != ACK_LINK_CONFIRM) {
        struct buf b;
        buf_init(&b, 65536);
        buf_adds(&b, "<!doctype html><html lang=\"ja\"><head><meta "
                     "charset=\"utf-8\"><meta name=\"viewport\" "
                     "content=\"width=device-width\"><title>開封確認 / Mark "
                     "as opened</title></head><body><h1>開封確認</h1><p>報告 "
                     "<code>");
        for (const char *p = report; *p; p++) /* ids are [A-Za-z0-9] */
            if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9'))
                buf_add(&b, p, 1);
        buf_adds(&b, "</code> を貴組織が開封したことを記録します。下のボタンを"
                     "押すと記録されます（このリンクは一度だけ使えます）。</p>"
                     "<h1 lang=\"en\">Mark as opened</h1><p lang=\"en\">Record "
                     "that your organisation opened this report. Nothing is "
                     "recorded until you press the button (the link works "
                     "once).</p><form method=\"post\"><button type=\"submit\">"
                     "開封を記録する / Mark as opened</button></form>"
                     "</body></html>\n");
        return buf_detach(&b);
    }
    if (rc == IS_OK)
        return page("開封を記録しました", "Marked as opened",
                    "貴組織の開封を記録しました。内容はログインして確認して"
                    "ください。",
                    "Your organisation's opening was recorded. Sign in to "
                    "read the report.");
    return ack_page(rc, mode, report);
}

/* An exercise's link page (issue 14: "marked like drills"): the window
 * title starts with 【演習】[EXERCISE] and the page with a banner naming
 * the exercise, so that a phone or SMS contact who opens the link cannot
 * take it for a real advisory. The page is replaced; on failure
 * (out of memory) it is dropped and the answer is a 500. */
static int mark_exercise_page(struct http_resp *out, const char *xid)
{
    const char *page = out->raw;
    const char *t = page ? strstr(page, "<title>") : NULL;
    const char *body = t ? strstr(t, "<body>") : NULL;
    if (!body)
        return IS_OK; /* not one of the link pages */
    struct buf b;
    buf_init(&b, out->rawlen + 1024);
    t += strlen("<title>");
    body += strlen("<body>");
    buf_add(&b, page, (size_t)(t - page));
    buf_adds(&b, "【演習】[EXERCISE] ");
    buf_add(&b, t, (size_t)(body - t));
    /* xid is [A-Za-z0-9] (exercise_prefix in http/server.c) */
    buf_addf(&b,
             "<p><strong>【演習】これは演習です（%s）。実際の事案ではあり"
             "ません。</strong></p><p lang=\"en\"><strong>[EXERCISE] This "
             "is an exercise (%s), not a real incident.</strong></p>",
             xid, xid);
    buf_adds(&b, body);
    if (buf_error(&b)) {
        buf_release(&b);
        free(out->raw);
        out->raw = NULL;
        out->rawlen = 0;
        return http_fail(out, IS_ERR_INTERNAL);
    }
    free(out->raw);
    out->rawlen = b.len;
    out->raw = buf_detach(&b);
    return IS_OK;
}

static int ack_link(struct http_req *r, struct http_resp *out);

int h_ack_link(struct http_req *r, struct http_resp *out)
{
    int st = ack_link(r, out);
    if (r->app->exercise_id[0] && out->raw &&
        mark_exercise_page(out, r->app->exercise_id))
        return out->status;
    return st;
}

static int ack_link(struct http_req *r, struct http_resp *out)
{
    if (http_rollcall_link(r, out)) /* a roll call's link: its answer page */
        return out->status;
    char adv[40] = "";
    bool alert = false;
    enum ack_link_mode mode = strcmp(r->method, "POST") == 0 ? ACK_LINK_CONFIRM
                              : strcmp(r->method, "HEAD") == 0 ? ACK_LINK_PROBE
                                                               : ACK_LINK_VIEW;
    int rc = advisory_ack_link(r->app, r->sc, r->params[0], r->addr, mode,
                               app_now(r->app), adv, sizeof(adv), &alert);
    char *page = alert ? alert_page(rc, mode, adv) : ack_page(rc, mode, adv);
    if (!page) /* out of memory or past the page's cap: no cut-short page */
        return http_fail(out, IS_ERR_INTERNAL);
    out->status = http_status_of(rc);
    out->raw = page;
    out->rawlen = page ? strlen(page) : 0;
    out->ctype = "text/html; charset=utf-8";
    return out->status;
}
