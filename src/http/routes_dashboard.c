/*
 * routes_dashboard.c - GET /api/v1/dashboard: the operations picture
 * (service/dashboard.c). Thin: call, encode.
 */
#include "http/http.h"

#include "service/dashboard.h"

int h_dashboard(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    char *text = NULL;
    size_t len = 0;
    int rc = dashboard_text(r->app, r->sc, &r->auth, app_now(r->app), &text,
                            &len, &e);
    if (rc)
        return http_svc_fail(out, &e);
    out->raw = text;
    out->rawlen = len;
    out->ctype = "application/json; charset=utf-8";
    return 200;
}
