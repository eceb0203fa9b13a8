/*
 * routes_declarations.c - handlers of large-scale outage declarations
 * (service/declarations.h). Thin: parse, call the service, encode.
 */
#include "http/http.h"

#include "service/declarations.h"

int h_decl_declare(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = declaration_declare(r->app, r->sc, &r->auth, r->json,
                                 app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_decl_list(struct http_req *r, struct http_resp *out)
{
    const char *act = http_query(r, "active");
    bool active = false;
    if (act) {
        if (strcmp(act, "1") == 0 || strcmp(act, "true") == 0)
            active = true;
        else if (strcmp(act, "0") && strcmp(act, "false"))
            return http_error(out, 400, "invalid_value", "active",
                              "active: 1, 0, true or false");
    }
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = declaration_list(r->app, r->sc, &r->auth, active, app_now(r->app),
                              &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_decl_read(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = declaration_read(r->app, r->sc, &r->auth, r->params[0],
                              app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_decl_end(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = declaration_end(r->app, r->sc, &r->auth, r->params[0],
                             app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}
