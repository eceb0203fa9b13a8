/*
 * routes_risks.c - handlers of the operators' risk registers
 * (service/risks.h, issue 15). Thin: parse, call the service, encode.
 */
#include "http/http.h"

#include "service/risks.h"

#define NOW app_now(r->app)

/* The query of a list or a history page: each parameter's length checked
 * here, its value by the service. */
static int query(struct http_req *r, struct http_resp *out,
                 struct risk_query *q, int dflt, int max)
{
    memset(q, 0, sizeof(*q));
    if (http_limit(r, out, dflt, max, &q->limit))
        return IS_ERR_INVALID;
    static const char *const names[] = {"state", "treatment", "above",
                                        "review_before", "cursor"};
    const char **dst[] = {&q->state, &q->treatment, &q->above,
                          &q->review_before, &q->cursor};
    struct jv_error je;
    for (size_t i = 0; i < IS_ARRAY_LEN(names); i++) {
        const char *v = http_query(r, names[i]);
        if (v && jv_check_text(names[i], v, 64, &je)) {
            http_error(out, 400, je.code, je.field, "%s", je.message);
            return IS_ERR_INVALID;
        }
        *dst[i] = v;
    }
    return IS_OK;
}

int h_risks_list(struct http_req *r, struct http_resp *out)
{
    struct risk_query q;
    if (query(r, out, &q, 50, RISK_LIST_MAX))
        return out->status;
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = risks_list(r->app, r->sc, &r->auth, &q, NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_risk_create(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = risk_create(r->app, r->sc, &r->auth, r->json, NOW, &o, &e);
    if (http_svc_reply(out, rc, &e, o, 201) != 201)
        return out->status;
    snprintf(out->location, sizeof(out->location), "/api/v1/risks/%lld",
             (long long)json_integer_value(json_object_get(out->body, "id")));
    return 201;
}

int h_risk_get(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = risk_get(r->app, r->sc, &r->auth, r->params[0], NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_risk_update(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = risk_update(r->app, r->sc, &r->auth, r->params[0], r->json, NOW,
                         &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_risk_history(struct http_req *r, struct http_resp *out)
{
    struct risk_query q;
    if (query(r, out, &q, 100, RISK_HISTORY_MAX))
        return out->status;
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = risk_history(r->app, r->sc, &r->auth, r->params[0], &q, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_risks_heatmap(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = risks_heatmap(r->app, r->sc, &r->auth, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_risks_scale_get(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = risks_scale_get(r->app, r->sc, &r->auth, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_risks_scale_put(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = risks_scale_put(r->app, r->sc, &r->auth, r->json, NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}
