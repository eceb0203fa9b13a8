/*
 * routes_depend.c - handlers of the interdependency model and cascade
 * suggestions (service/dependencies.h, issue 15). Thin: parse, call the
 * service, encode.
 */
#include "common/jtext.h"
#include "core/taxii.h"
#include "http/http.h"

#include "service/dependencies.h"
#include "service/stix.h"

#define NOW app_now(r->app)

int h_dependencies_get(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = dependencies_get(r->app, r->sc, &r->auth, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_dependencies_put(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = dependencies_put(r->app, r->sc, &r->auth, r->json, NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_event_cascade(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = event_cascade(r->app, r->sc, &r->auth, r->params[0], NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_event_cascade_advisory(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = event_cascade_advisory(r->app, r->sc, &r->auth, r->params[0],
                                    r->json, NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_report_cascade(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = report_cascade(r->app, r->sc, &r->auth, r->params[0], NOW, &o, &e);
    http_svc_reply(out, rc, &e, o, 200);
    http_report_log_actor(r, out);
    return out->status;
}

int h_report_cascade_advisory(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = report_cascade_advisory(r->app, r->sc, &r->auth, r->params[0],
                                     r->json, NOW, &o, &e);
    http_svc_reply(out, rc, &e, o, 201);
    http_report_log_actor(r, out);
    return out->status;
}

int h_obs_alert_cascade(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc =
        obs_alert_cascade(r->app, r->sc, &r->auth, r->params[0], NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_obs_alert_cascade_advisory(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = obs_alert_cascade_advisory(r->app, r->sc, &r->auth, r->params[0],
                                        r->json, NOW, &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

/* issue 16: a STIX 2.1 bundle's answer. It is JSON: sent as
 * application/json, or as the STIX media type to a client whose Accept
 * names application/stix+json (version 2.1 or none). */
static int stix_reply(struct http_req *r, struct http_resp *out, int rc,
                      const struct svc_error *e, json_t *o)
{
    int st = http_svc_reply(out, rc, e, o, 200);
    if (st != 200 || !stix_accept_named(http_header(r, "Accept")))
        return st;
    size_t len;
    char *text = jtext_dumps(out->body, &len);
    if (!text)
        return st; /* sent as JSON, or the pipeline's 500 */
    json_decref(out->body);
    out->body = NULL;
    out->raw = text;
    out->rawlen = len;
    out->ctype = STIX_MEDIA;
    return st;
}

/* issue 16: an advisory as a STIX 2.1 bundle */
int h_advisory_stix(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = advisory_stix(r->app, r->sc, &r->auth, r->params[0], NOW, &o, &e);
    return stix_reply(r, out, rc, &e, o);
}

int h_report_stix(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = report_stix(r->app, r->sc, &r->auth, r->params[0], NOW, &o, &e);
    stix_reply(r, out, rc, &e, o);
    http_report_log_actor(r, out);
    return out->status;
}

int h_event_stix(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = event_stix(r->app, r->sc, &r->auth, r->params[0], NOW, &o, &e);
    return stix_reply(r, out, rc, &e, o);
}

int h_c4tap_stix(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = c4tap_stix(r->app, r->sc, &r->auth, r->params[0], NOW, &o, &e);
    return stix_reply(r, out, rc, &e, o);
}

int h_obs_alert_stix(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = obs_alert_stix(r->app, r->sc, &r->auth, r->params[0], NOW, &o, &e);
    return stix_reply(r, out, rc, &e, o);
}
