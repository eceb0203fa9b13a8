/*
 * routes_surveys.c - handlers of the guideline catalogue, the annual
 * safety-standards survey and CP/BCP readiness (service/surveys.h, issue
 * 15). Thin: parse, call the service, encode.
 */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/surveys.h"

#define NOW app_now(r->app)

#define SIMPLE(name, call, status)                                             \
    int name(struct http_req *r, struct http_resp *out)                        \
    {                                                                          \
        struct svc_error e = {0};                                              \
        json_t *o = NULL;                                                      \
        int rc = call;                                                         \
        return http_svc_reply(out, rc, &e, o, status);                         \
    }

SIMPLE(h_guideline_get,
       guideline_get(r->app, r->sc, &r->auth, http_query(r, "edition"), &o, &e),
       200)
SIMPLE(h_surveys_list, surveys_list(r->app, r->sc, &r->auth, &o, &e), 200)
SIMPLE(h_survey_create,
       survey_create(r->app, r->sc, &r->auth, r->json, NOW, &o, &e), 201)
SIMPLE(h_survey_get, survey_get(r->app, r->sc, &r->auth, r->params[0], &o, &e),
       200)
SIMPLE(h_survey_answers_post,
       survey_answers_post(r->app, r->sc, &r->auth, r->params[0], r->json, NOW,
                           &o, &e),
       200)
SIMPLE(h_survey_answers_get,
       survey_answers_get(r->app, r->sc, &r->auth, r->params[0],
                          http_query(r, "org"), &o, &e),
       200)
SIMPLE(h_survey_attachment_post,
       survey_attachment_post(r->app, r->sc, &r->auth, r->params[0], r->json,
                              NOW, &o, &e),
       201)
SIMPLE(h_survey_attachment_delete,
       survey_attachment_delete(r->app, r->sc, &r->auth, r->params[0],
                                r->params[1], NOW, &o, &e),
       200)
SIMPLE(h_survey_progress,
       survey_progress(r->app, r->sc, &r->auth, r->params[0], &o, &e), 200)
SIMPLE(h_survey_remind,
       survey_remind(r->app, r->sc, &r->auth, r->params[0], r->json, NOW, &o,
                     &e),
       200)
SIMPLE(h_survey_close,
       survey_close(r->app, r->sc, &r->auth, r->params[0], r->json, NOW, &o,
                    &e),
       200)
SIMPLE(h_bcp_get, bcp_get(r->app, r->sc, &r->auth, &o, &e), 200)
SIMPLE(h_bcp_put, bcp_put(r->app, r->sc, &r->auth, r->json, NOW, &o, &e), 200)

int h_survey_attachment_get(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    unsigned char *data = NULL;
    size_t len = 0;
    char name[801];
    int rc = survey_attachment_get(r->app, r->sc, &r->auth, r->params[0],
                                   r->params[1], &data, &len, name,
                                   sizeof(name), &e);
    if (rc)
        return http_svc_fail(out, &e);
    /* always a download, never shown by the browser on the hub's origin
     * (the operator's declared media type is in the answer's list) */
    out->raw = (char *)data;
    out->rawlen = len;
    out->ctype = "application/octet-stream";
    snprintf(out->disposition, sizeof(out->disposition),
             "attachment; filename=\"survey-%.20s-%.20s\"", r->params[0],
             r->params[1]);
    return 200;
}

static int aggregates(struct http_req *r, struct http_resp *out,
                      const char *format)
{
    const char *lang = http_query(r, "lang");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "html") != 0)
        return http_error(out, 400, "invalid_value", "format",
                          "format: json, csv or html");
    if (lang && strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0)
        return http_error(out, 400, "invalid_value", "lang", "lang: ja or en");
    struct svc_error e = {0};
    struct buf text;
    buf_init(&text, 32 * 1024 * 1024);
    int rc = survey_aggregates(r->app, r->sc, &r->auth, r->params[0], format,
                               lang, &text, &e);
    if (rc) {
        buf_release(&text);
        return http_svc_fail(out, &e);
    }
    bool csv = format && strcmp(format, "csv") == 0;
    bool html = format && strcmp(format, "html") == 0;
    size_t len = text.len;
    char *raw = buf_detach(&text);
    if (!raw)
        return http_fail(out, IS_ERR_NOMEM);
    out->raw = raw;
    out->rawlen = len;
    out->ctype = csv    ? "text/csv; charset=utf-8"
                 : html ? "text/html; charset=utf-8"
                        : "application/json; charset=utf-8";
    if (csv)
        snprintf(out->disposition, sizeof(out->disposition),
                 "attachment; filename=\"survey-%.20s.csv\"", r->params[0]);
    return 200;
}

int h_survey_aggregates(struct http_req *r, struct http_resp *out)
{
    return aggregates(r, out, http_query(r, "format"));
}

int h_survey_report(struct http_req *r, struct http_resp *out)
{
    return aggregates(r, out, "html");
}
