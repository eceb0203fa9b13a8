/*
 * routes_agreements.c - handlers of handling-rule agreements
 * (service/agreements.h).
 */
#include "http/http.h"

#include "service/agreements.h"

int h_rules_current(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = agreements_rules(r->sc, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_agreements_list(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = agreements_list(r->sc, &r->auth, r->params[0], &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_agreements_sign(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = agreements_sign(r->sc, &r->auth, r->params[0], r->json,
                             app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 201);
}

int h_agreements_withdraw(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = agreements_withdraw(r->sc, &r->auth, r->params[0], r->params[1],
                                 app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}
