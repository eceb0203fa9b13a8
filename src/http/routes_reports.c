/*
 * routes_reports.c - handlers of 情報連絡: severity evaluation, catalogue,
 * reports, events, hop policies. Thin: parse, call service/reporting, encode.
 */
#include "http/http.h"

#include "core/roles.h"
#include "service/alerts.h"
#include "service/registry.h"
#include "service/reporting.h"
#include "common/util.h"

int h_severity_evaluate(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = reporting_evaluate(r->app, r->sc, r->json, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_catalogue(struct http_req *r, struct http_resp *out)
{
    const char *scope = http_query(r, "scope");
    struct jv_error je;
    if (scope && jv_check_text("scope", scope, 63, &je))
        return http_error(out, 400, je.code, je.field, "%s", je.message);
    json_t *o;
    if (registry_catalogue_json(r->sc, scope, &o))
        return http_fail(out, IS_ERR_STORE);
    out->body = o;
    return 200;
}

/* Parses the list filters of /api/v1/reports. */
static int report_query(struct http_req *r, struct http_resp *out,
                        struct report_query *q, int max_limit)
{
    memset(q, 0, sizeof(*q));
    q->min_severity = -1;
    if (http_limit(r, out, 50, max_limit, &q->limit))
        return IS_ERR_INVALID;
    static const char *const names[] = {"sector", "scope", "kind", "state",
                                        "q"};
    const char **dst[] = {&q->sector, &q->scope, &q->kind, &q->state, &q->q};
    struct jv_error je;
    for (size_t i = 0; i < IS_ARRAY_LEN(names); i++) {
        const char *v = http_query(r, names[i]);
        if (v && jv_check_text(names[i], v, i == 4 ? 200 : 63, &je)) {
            http_error(out, 400, je.code, je.field, "%s", je.message);
            return IS_ERR_INVALID;
        }
        *dst[i] = v;
    }
    if (q->kind && strcmp(q->kind, "incident") &&
        strcmp(q->kind, "precursor") && strcmp(q->kind, "vulnerability") &&
        strcmp(q->kind, "info")) {
        http_error(out, 400, "invalid_value", "kind",
                   "kind: incident, precursor, vulnerability or info");
        return IS_ERR_INVALID;
    }
    if (q->state && strcmp(q->state, "open") && strcmp(q->state, "closed")) {
        http_error(out, 400, "invalid_value", "state", "state: open or closed");
        return IS_ERR_INVALID;
    }
    const char *s = http_query(r, "min_severity");
    long v;
    if (s) {
        if (util_parse_long(s, 0, 5, &v)) {
            http_error(out, 400, "out_of_range", "min_severity",
                       "min_severity: an integer from 0 to 5");
            return IS_ERR_INVALID;
        }
        q->min_severity = (int)v;
    }
    s = http_query(r, "max_severity");
    if (s) {
        if (util_parse_long(s, 0, 5, &v)) {
            http_error(out, 400, "out_of_range", "max_severity",
                       "max_severity: an integer from 0 to 5");
            return IS_ERR_INVALID;
        }
        q->has_max = true;
        q->max_severity = (int)v;
    }
    s = http_query(r, "overdue");
    if (s) {
        if (strcmp(s, "true") && strcmp(s, "false")) {
            http_error(out, 400, "invalid_value", "overdue",
                       "overdue: true or false");
            return IS_ERR_INVALID;
        }
        q->overdue = strcmp(s, "true") == 0;
    }
    s = http_query(r, "cursor");
    if (s) {
        /* resolved by the service, which refuses a cursor naming a report
         * the caller may not read as one the hub never returned */
        if (jv_check_text("cursor", s, 64, &je)) {
            http_error(out, 400, "invalid_value", "cursor",
                       "cursor: not a cursor this hub returned");
            return IS_ERR_INVALID;
        }
        q->cursor = s;
    }
    return IS_OK;
}

/* Whether a report view is of an anonymous report (its reporter filed or
 * updated it: the request log must not name the actor). */
static bool anonymous_view(const json_t *view)
{
    const char *route = json_string_value(json_object_get(view, "route"));
    return route && strcmp(route, "anonymous") == 0;
}

void http_report_log_actor(struct http_req *r, struct http_resp *out)
{
    if (out->status >= 200 && out->status < 300 && r->params[0] &&
        report_by_hidden_reporter(r->sc, &r->auth, r->params[0]))
        out->log_withhold_actor = true;
}

int h_reports_file(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc =
        report_file(r->app, r->sc, &r->auth, r->json, app_now(r->app), &o, &e);
    if (http_svc_reply(out, rc, &e, o, 201) != 201)
        return out->status;
    out->log_withhold_actor = anonymous_view(out->body);
    snprintf(out->location, sizeof(out->location), "/api/v1/reports/%s",
             json_string_value(json_object_get(out->body, "id")));
    return 201;
}

int h_reports_list(struct http_req *r, struct http_resp *out)
{
    struct report_query q;
    if (report_query(r, out, &q, 500))
        return 400;
    struct svc_error e = {0};
    char *text;
    size_t len;
    if (report_list(r->app, r->sc, &r->auth, &q, app_now(r->app), &text, &len,
                    &e))
        return http_svc_fail(out, &e);
    out->raw = text;
    out->rawlen = len;
    out->ctype = "application/json; charset=utf-8";
    return 200;
}

int h_reports_counts(struct http_req *r, struct http_resp *out)
{
    struct report_query q;
    if (report_query(r, out, &q, 500))
        return 400;
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc =
        report_counts(r->app, r->sc, &r->auth, &q, app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_reports_export(struct http_req *r, struct http_resp *out)
{
    struct report_query q;
    if (report_query(r, out, &q, 500))
        return 400;
    const char *fmt = http_query(r, "format");
    if (fmt && strcmp(fmt, "csv"))
        return http_error(out, 400, "invalid_value", "format",
                          "format: csv (JSON is GET /api/v1/reports)");
    struct svc_error e = {0};
    char *csv;
    size_t len;
    if (report_export_csv(r->app, r->sc, &r->auth, &q, app_now(r->app), &csv,
                          &len, &e))
        return http_svc_fail(out, &e);
    out->raw = csv;
    out->rawlen = len;
    out->ctype = "text/csv; charset=utf-8";
    return 200;
}

int h_report_read(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = report_read(r->app, r->sc, &r->auth, r->params[0], app_now(r->app),
                         &o, &e);
    http_svc_reply(out, rc, &e, o, 200);
    http_report_log_actor(r, out);
    return out->status;
}

int h_report_update(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = report_update(r->app, r->sc, &r->auth, r->params[0], r->json,
                           app_now(r->app), &o, &e);
    if (http_svc_reply(out, rc, &e, o, 201) != 201)
        return out->status;
    out->log_withhold_actor = anonymous_view(out->body);
    return 201;
}

int h_report_forward(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = report_forward(r->app, r->sc, &r->auth, r->params[0], r->json,
                            app_now(r->app), &o, &e);
    http_svc_reply(out, rc, &e, o, 200);
    http_report_log_actor(r, out);
    return out->status;
}

int h_report_note(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = report_note(r->app, r->sc, &r->auth, r->params[0], r->json,
                         app_now(r->app), &o, &e);
    http_svc_reply(out, rc, &e, o, 201);
    http_report_log_actor(r, out);
    return out->status;
}

int h_report_reveal(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = report_reveal(r->app, r->sc, &r->auth, r->params[0], r->json,
                           app_now(r->app), &o, &e);
    /* the reporter revealing its own anonymous report: the audit
     * withholds its actor, and so does the request log */
    http_svc_reply(out, rc, &e, o, 200);
    http_report_log_actor(r, out);
    return out->status;
}

int h_report_attachment(struct http_req *r, struct http_resp *out)
{
    long att;
    if (util_parse_long(r->params[1], 1, LONG_MAX, &att))
        return http_fail(out, IS_ERR_NOTFOUND);
    struct svc_error e = {0};
    char *name, *mime;
    void *data;
    size_t len;
    if (report_attachment(r->app, r->sc, &r->auth, r->params[0], att,
                          app_now(r->app), &name, &mime, &data, &len, &e))
        return http_svc_fail(out, &e);
    free(name);
    free(mime);
    /* served as an opaque download whatever its declared type: never
     * rendered by the browser */
    out->raw = data;
    out->rawlen = len;
    out->ctype = "application/octet-stream";
    out->status = 200;
    http_report_log_actor(r, out);
    return 200;
}

int h_events_create(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc =
        event_create(r->app, r->sc, &r->auth, r->json, app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_events_list(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = event_list(r->app, r->sc, &r->auth, app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_event_read(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = event_read(r->app, r->sc, &r->auth, r->params[0], app_now(r->app),
                        &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_event_link(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = event_link(r->app, r->sc, &r->auth, r->params[0], r->json,
                        app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_policy_get(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = hop_policy_get(r->sc, &r->auth, r->params[0], &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_policy_set(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = hop_policy_set(r->sc, &r->auth, r->params[0], r->json,
                            app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

/* GET /api/v1/reports/unopened[?org=]: severe reports not yet opened by
 * the hops they reached (service/alerts.h). */
int h_reports_unopened(struct http_req *r, struct http_resp *out)
{
    const char *org = http_query(r, "org");
    struct jv_error je;
    if (org && jv_check_text("org", org, 63, &je))
        return http_error(out, 400, je.code, je.field, "%s", je.message);
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = alerts_unopened(r->sc, &r->auth, org, app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}
