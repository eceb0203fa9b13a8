/*
 * routes_drills.c - handlers of the drill programme: the list of drills
 * per CEPTOAR and fiscal year, the national summary, the confirmation of
 * a structure drill, the sub-groups of CEPTOARs (service/drills.h).
 */
#include "http/http.h"

#include "service/drills.h"
#include "common/util.h"

/* fy: a fiscal year (2000-2999), 0 when absent; 400 otherwise. */
static int query_fy(struct http_req *r, struct http_resp *out, int *fy)
{
    const char *s = http_query(r, "fy");
    long v = 0;
    *fy = 0;
    if (s && util_parse_long(s, 2000, 2999, &v))
        return http_error(out, 400, "out_of_range", "fy",
                          "fy: a fiscal year from 2000 to 2999");
    *fy = (int)v;
    return 0;
}

/* An id-like query parameter (at most 63 characters); 400 otherwise. */
static int query_id(struct http_req *r, struct http_resp *out, const char *name,
                    const char **v)
{
    *v = http_query(r, name);
    if (*v && (!**v || strlen(*v) > 63))
        return http_error(out, 400, "invalid_value", name,
                          "%s: an id of 1 to 63 characters", name);
    return 0;
}

int h_drill_list(struct http_req *r, struct http_resp *out)
{
    int limit, fy;
    const char *ceptoar, *cursor;
    if (http_limit(r, out, 50, 200, &limit) || query_fy(r, out, &fy) ||
        query_id(r, out, "ceptoar", &ceptoar) ||
        query_id(r, out, "cursor", &cursor))
        return 400;
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = drill_list(r->app, r->sc, &r->auth, fy, ceptoar, limit, cursor,
                        app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_drill_summary(struct http_req *r, struct http_resp *out)
{
    int fy;
    if (query_fy(r, out, &fy))
        return 400;
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc =
        drill_summary(r->app, r->sc, &r->auth, fy, app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_drill_confirm(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = drill_confirm(r->app, r->sc, &r->auth, r->params[0],
                           app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_subgroups_list(struct http_req *r, struct http_resp *out)
{
    const char *ceptoar;
    if (query_id(r, out, "ceptoar", &ceptoar))
        return 400;
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = subgroups_list(r->app, r->sc, &r->auth, ceptoar, &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}
