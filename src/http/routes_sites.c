/*
 * routes_sites.c - handlers of website registration, programme
 * participation, vantage points and assignments (service/sites.h,
 * issue 12). Thin: parse, call the service, encode.
 */
#include "http/http.h"

#include "service/sites.h"

int h_sites_register(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = sites_register(r->app, r->sc, &r->auth, r->json, app_now(r->app),
                            &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_sites_list(struct http_req *r, struct http_resp *out)
{
    struct sites_query q = {.org = http_query(r, "org"),
                            .sector = http_query(r, "sector"),
                            .state = http_query(r, "state"),
                            .q = http_query(r, "q"),
                            .limit = http_query(r, "limit"),
                            .offset = http_query(r, "offset")};
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = sites_list(r->app, r->sc, &r->auth, &q, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_sites_read(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = sites_read(r->app, r->sc, &r->auth, r->params[0], app_now(r->app),
                        &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_sites_update(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = sites_update(r->app, r->sc, &r->auth, r->params[0], r->json,
                          app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_sites_delete(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = sites_delete(r->app, r->sc, &r->auth, r->params[0],
                          app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_sites_maintenance(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = sites_maintenance_add(r->app, r->sc, &r->auth, r->params[0],
                                   r->json, app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_obs_participant_join(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = sites_participant_join(r->app, r->sc, &r->auth, r->json,
                                    app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_obs_participants(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = sites_participants(r->app, r->sc, &r->auth, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_obs_vantage_add(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = sites_vantage_add(r->app, r->sc, &r->auth, r->json,
                               app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_obs_vantages(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = sites_vantages(r->app, r->sc, &r->auth, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_obs_assignments(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = sites_assignments(r->app, r->sc, &r->auth, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}
