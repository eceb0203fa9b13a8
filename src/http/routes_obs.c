/*
 * routes_obs.c - handlers of website response observation's data
 * (service/observation.h): a vantage point's signed batch, a site's
 * series, alerts and their advisory, the heat map, the sector counts.
 * Thin: parse, call the service, encode.
 */
#include "http/http.h"

#include "service/observation.h"

int h_obs_push(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = obs_push(r->app, r->sc, http_header(r, "X-Infrashare-Vantage"),
                      http_header(r, "X-Infrashare-Signature"), r->body,
                      r->body_len, r->json, app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 202);
}

int h_obs_site_series(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = obs_site_observations(
        r->app, r->sc, &r->auth, r->params[0], http_query(r, "from"),
        http_query(r, "to"), http_query(r, "step"), app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_obs_alerts(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = obs_alerts(r->app, r->sc, &r->auth, http_query(r, "state"),
                        http_query(r, "kind"), http_query(r, "sector"),
                        app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_obs_alert_advisory(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = obs_alert_advisory(r->app, r->sc, &r->auth, r->params[0],
                                app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_obs_heatmap(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = obs_heatmap(r->app, r->sc, &r->auth, http_query(r, "sector"),
                         http_query(r, "from"), http_query(r, "to"),
                         http_query(r, "step"), app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_obs_sectors(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = obs_sectors(r->app, r->sc, &r->auth, app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}
