/*
 * routes_dashboard.c - GET /api/v1/dashboard: the operations picture
 * (service/dashboard.c). Thin: call, encode.
 */
#include "http/http.h"

#include "service/dashboard.h"

int h_dashboard(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = dashboard_get(r->app, r->sc, &r->auth, app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}
