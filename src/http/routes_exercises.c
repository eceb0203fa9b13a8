/*
 * routes_exercises.c - handlers of cross-sector exercises
 * (service/exercises.h, issue 14): planning, the console, the board,
 * participants' BCP activation and questionnaire, the debrief. Thin:
 * parse, call the service, encode. What participants do inside an
 * exercise goes through the ordinary routes under /x/{id}/
 * (http/server.c).
 */
#include "http/http.h"

#include "service/exercises.h"

#define NOW app_now(r->app)

#define SIMPLE(name, call, status)                                             \
    int name(struct http_req *r, struct http_resp *out)                        \
    {                                                                          \
        struct svc_error e = {0};                                              \
        json_t *o = NULL;                                                      \
        int rc = call;                                                         \
        return http_svc_reply(out, rc, &e, o, status);                         \
    }

SIMPLE(h_exercise_list, exercise_list(r->app, r->sc, &r->auth, &o, &e), 200)
SIMPLE(h_exercise_create,
       exercise_create(r->app, r->sc, &r->auth, r->json, NOW, &o, &e), 201)
SIMPLE(h_exercise_get,
       exercise_get(r->app, r->sc, &r->auth, r->params[0], &o, &e), 200)
SIMPLE(h_exercise_participants_add,
       exercise_participants_add(r->app, r->sc, &r->auth, r->params[0], r->json,
                                 NOW, &o, &e),
       200)
SIMPLE(h_exercise_participant_put,
       exercise_participant_put(r->app, r->sc, &r->auth, r->params[0],
                                r->params[1], r->json, NOW, &o, &e),
       200)
SIMPLE(h_exercise_checklist,
       exercise_checklist_put(r->app, r->sc, &r->auth, r->params[0], r->json,
                              NOW, &o, &e),
       200)
SIMPLE(h_exercise_control,
       exercise_control(r->app, r->sc, &r->auth, r->params[0], r->json, NOW, &o,
                        &e),
       200)
int h_exercise_board(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    struct buf raw;
    buf_init(&raw, 64 * 1024 * 1024);
    int rc =
        exercise_board(r->app, r->sc, &r->auth, r->params[0], &o, &raw, &e);
    if (rc || o) {
        buf_release(&raw);
        return http_svc_reply(out, rc, &e, o, 200);
    }
    size_t len = raw.len;
    char *text = buf_detach(&raw);
    if (!text)
        return http_fail(out, IS_ERR_NOMEM);
    out->raw = text;
    out->rawlen = len;
    out->ctype = "application/json; charset=utf-8";
    return 200;
}
SIMPLE(h_exercise_bcp,
       exercise_bcp(r->app, r->sc, &r->auth, r->params[0], r->json, &o, &e),
       201)
SIMPLE(h_exercise_answer,
       exercise_answer(r->app, r->sc, &r->auth, r->params[0], r->json, NOW, &o,
                       &e),
       200)
SIMPLE(h_exercise_note,
       exercise_note(r->app, r->sc, &r->auth, r->params[0], r->json, NOW, &o,
                     &e),
       201)
SIMPLE(h_exercise_report,
       exercise_report(r->app, r->sc, &r->auth, r->params[0], r->json, NOW, &o,
                       &e),
       200)

int h_exercise_participant_delete(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    int rc = exercise_participant_delete(r->app, r->sc, &r->auth, r->params[0],
                                         r->params[1], NOW, &e);
    if (rc)
        return http_svc_fail(out, &e);
    out->body = json_pack("{s:s,s:s}", "exercise", r->params[0], "removed",
                          r->params[1]);
    return 200;
}

int h_exercise_debrief(struct http_req *r, struct http_resp *out)
{
    const char *format = http_query(r, "format");
    const char *view = http_query(r, "view");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "html") != 0)
        return http_error(out, 400, "invalid_value", "format",
                          "format: json, csv or html");
    if (view && strcmp(view, "full") != 0 && strcmp(view, "summary") != 0)
        return http_error(out, 400, "invalid_value", "view",
                          "view: full or summary (the management summary)");
    if (view && strcmp(view, "summary") == 0 &&
        (!format || strcmp(format, "html")))
        return http_error(out, 400, "invalid_value", "view",
                          "view: the summary is a page (format=html)");
    struct svc_error e = {0};
    json_t *o = NULL;
    struct buf text;
    buf_init(&text, 64 * 1024 * 1024);
    int rc = exercise_debrief(r->app, r->sc, &r->auth, r->params[0], format,
                              view, &o, &text, &e);
    if (rc) {
        buf_release(&text);
        return http_svc_fail(out, &e);
    }
    if (o) {
        buf_release(&text);
        out->body = o;
        return 200;
    }
    bool csv = strcmp(format, "csv") == 0;
    size_t len = text.len;
    char *raw = buf_detach(&text);
    if (!raw)
        return http_fail(out, IS_ERR_NOMEM);
    out->rawlen = len;
    out->raw = raw;
    out->ctype = csv ? "text/csv; charset=utf-8" : "text/html; charset=utf-8";
    if (csv)
        snprintf(out->disposition, sizeof(out->disposition),
                 "attachment; filename=\"exercise-%.40s.csv\"", r->params[0]);
    return 200;
}
