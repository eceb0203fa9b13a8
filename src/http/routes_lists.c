/*
 * routes_lists.c - handlers of distribution lists and withholding
 * (service/lists.h): thin, one service call each.
 */
#include "http/http.h"

#include "service/lists.h"

int h_lists_of_org(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = lists_of_org(r->sc, &r->auth, r->params[0], &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_lists_create(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = lists_create(r->sc, &r->auth, r->params[0], r->json,
                          app_now(r->app), &o, &e);
    if (http_svc_reply(out, rc, &e, o, 201) != 201)
        return out->status;
    snprintf(out->location, sizeof(out->location),
             "/api/v1/orgs/%.64s/lists/%.24s", r->params[0],
             json_string_value(json_object_get(out->body, "id")));
    return 201;
}

int h_lists_read(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = lists_read(r->sc, &r->auth, r->params[0], r->params[1], &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_lists_update(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = lists_update(r->sc, &r->auth, r->params[0], r->params[1], r->json,
                          app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_lists_delete(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = lists_delete(r->sc, &r->auth, r->params[0], r->params[1],
                          app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_adv_withhold(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = lists_withhold(r->app, r->sc, &r->auth, r->params[0], r->json,
                            app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}
