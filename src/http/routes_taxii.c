/*
 * routes_taxii.c - the TAXII 2.1 server's endpoints (service/taxii.h,
 * docs/taxii.md). The pipeline (server.c) checks Accept (406), the POST's
 * media type (415), the credentials (Bearer, or Basic with an API token)
 * and answers every error under /taxii2/ as the TAXII error object; these
 * handlers parse, call the service and encode.
 */
#include <microhttpd.h>
#include <string.h>

#include "common/util.h"
#include "http/http.h"
#include "service/taxii.h"
#include "service/taxii_sync.h"

/* out as a TAXII answer of j (stolen). */
static int reply(struct http_resp *out, int status, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return http_error(out, 500, "internal", NULL, "encoding failed");
    out->raw = text;
    out->rawlen = strlen(text);
    out->ctype = TAXII_MEDIA;
    out->status = status;
    return status;
}

int h_taxii_discovery(struct http_req *r, struct http_resp *out)
{
    return reply(out, 200, taxii_discovery_json(r->app));
}

int h_taxii_api_root(struct http_req *r, struct http_resp *out)
{
    IS_UNUSED(r);
    return reply(out, 200, taxii_api_root_json());
}

int h_taxii_collections(struct http_req *r, struct http_resp *out)
{
    return reply(out, 200, taxii_collections_json(&r->auth));
}

static const struct taxii_coll *coll_of(struct http_req *r,
                                        struct http_resp *out)
{
    const struct taxii_coll *c = taxii_coll_find(r->params[0]);
    if (!c)
        http_error(out, 404, "not_found", NULL, "no such collection");
    return c;
}

int h_taxii_collection(struct http_req *r, struct http_resp *out)
{
    const struct taxii_coll *c = coll_of(r, out);
    if (!c)
        return out->status;
    return reply(out, 200, taxii_collection_json(c, &r->auth));
}

/* The query parameters a GET may carry; any other match[...] is a 400. */
static const char *const known[] = {
    "added_after",        "limit",       "next",
    "match[id]",          "match[type]", "match[version]",
    "match[spec_version]"};

struct unknown_ctx {
    char name[80];
};

static enum MHD_Result find_unknown(void *cls, enum MHD_ValueKind kind,
                                    const char *key, const char *value)
{
    IS_UNUSED(kind);
    IS_UNUSED(value);
    struct unknown_ctx *u = cls;
    for (size_t i = 0; i < IS_ARRAY_LEN(known); i++)
        if (strcmp(key, known[i]) == 0)
            return MHD_YES;
    if (strncmp(key, "match[", 6) == 0) {
        if (util_copy(u->name, sizeof(u->name), key))
            memcpy(u->name, "match[...]", sizeof("match[...]"));
        return MHD_NO;
    }
    return MHD_YES;
}

static int get(struct http_req *r, struct http_resp *out, enum taxii_view v)
{
    const struct taxii_coll *c = coll_of(r, out);
    if (!c)
        return out->status;
    struct unknown_ctx u = {{0}};
    MHD_get_connection_values(r->mhd, MHD_GET_ARGUMENT_KIND, find_unknown, &u);
    if (u.name[0])
        return http_error(out, 400, "invalid_value", u.name,
                          "%s: not a filter of this server (match[id], "
                          "match[type], match[version], match[spec_version])",
                          u.name);
    struct taxii_query q = {
        .view = v,
        .object_id = (v == TAXII_VIEW_OBJECT || v == TAXII_VIEW_VERSIONS)
                         ? r->params[1]
                         : NULL,
        .added_after = http_query(r, "added_after"),
        .match_id = http_query(r, "match[id]"),
        .match_type = http_query(r, "match[type]"),
        .match_version = http_query(r, "match[version]"),
        .match_spec_version = http_query(r, "match[spec_version]"),
        .next = http_query(r, "next"),
        .limit = http_query(r, "limit"),
    };
    /* one object's endpoints name it in the path: TAXII 2.1 5.6 and 5.7
     * take no match[id] or match[type] there */
    bool one = v == TAXII_VIEW_OBJECT || v == TAXII_VIEW_VERSIONS;
    if (one && (q.match_id || q.match_type)) {
        const char *f = q.match_id ? "match[id]" : "match[type]";
        return http_error(out, 400, "invalid_value", f,
                          "%s: not a filter of one object's endpoint "
                          "(TAXII 2.1 5.6, 5.7)",
                          f);
    }
    if (v == TAXII_VIEW_VERSIONS && q.match_version)
        return http_error(out, 400, "invalid_value", "match[version]",
                          "match[version]: the versions endpoint lists every "
                          "version");
    struct taxii_page p;
    struct svc_error e = {0};
    int rc = taxii_get(r->app, r->sc, &r->auth, c, &q, &p, &e);
    if (rc)
        return http_svc_fail(out, &e);
    out->rawlen = p.body.len;
    out->raw = buf_detach(&p.body);
    if (!out->raw)
        return http_error(out, 500, "internal", NULL, "out of memory");
    out->ctype = TAXII_MEDIA;
    /* TAXII_TIME_LEN fits both (routes' answer fields) */
    if (util_copy(out->date_added_first, sizeof(out->date_added_first),
                  p.first) ||
        util_copy(out->date_added_last, sizeof(out->date_added_last), p.last))
        out->date_added_first[0] = out->date_added_last[0] = '\0';
    out->status = 200;
    return 200;
}

int h_taxii_objects(struct http_req *r, struct http_resp *out)
{
    return get(r, out, TAXII_VIEW_OBJECTS);
}

int h_taxii_manifest(struct http_req *r, struct http_resp *out)
{
    return get(r, out, TAXII_VIEW_MANIFEST);
}

int h_taxii_object(struct http_req *r, struct http_resp *out)
{
    return get(r, out, TAXII_VIEW_OBJECT);
}

int h_taxii_versions(struct http_req *r, struct http_resp *out)
{
    return get(r, out, TAXII_VIEW_VERSIONS);
}

int h_taxii_add(struct http_req *r, struct http_resp *out)
{
    const struct taxii_coll *c = coll_of(r, out);
    if (!c)
        return out->status;
    char *status = NULL;
    struct svc_error e = {0};
    int rc = taxii_add(r->app, r->sc, &r->auth, c, r->body ? r->body : "",
                       r->body ? r->body_len : 0, &status, &e);
    if (rc)
        return http_svc_fail(out, &e);
    out->raw = status;
    out->rawlen = strlen(status);
    out->ctype = TAXII_MEDIA;
    out->status = 202;
    return 202;
}

int h_taxii_status(struct http_req *r, struct http_resp *out)
{
    char *body = NULL;
    struct svc_error e = {0};
    if (taxii_status(r->sc, &r->auth, r->params[0], &body, &e))
        return http_svc_fail(out, &e);
    out->raw = body;
    out->rawlen = strlen(body);
    out->ctype = TAXII_MEDIA;
    out->status = 200;
    return 200;
}

/* ---- peers (the TAXII client; admins) ---- */

int h_taxii_peers(struct http_req *r, struct http_resp *out)
{
    json_t *body = NULL;
    struct svc_error e = {0};
    int rc = taxii_peers_list(r->sc, &r->auth, &body, &e);
    return http_svc_reply(out, rc, &e, body, 200);
}

int h_taxii_peer_add(struct http_req *r, struct http_resp *out)
{
    json_t *body = NULL;
    struct svc_error e = {0};
    int rc = taxii_peer_add(r->app, r->sc, &r->auth, r->json, &body, &e);
    return http_svc_reply(out, rc, &e, body, 201);
}

int h_taxii_peer_remove(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    if (taxii_peer_remove(r->sc, &r->auth, r->params[0], app_now(r->app), &e))
        return http_svc_fail(out, &e);
    return http_svc_reply(
        out, IS_OK, &e,
        json_pack("{s:s,s:b}", "id", r->params[0], "deleted", 1), 200);
}

int h_taxii_peer_sync(struct http_req *r, struct http_resp *out)
{
    json_t *body = NULL;
    struct svc_error e = {0};
    int rc = taxii_peer_sync(r->app, r->sc, &r->auth, r->params[0], &body, &e);
    return http_svc_reply(out, rc, &e, body, 200);
}

int h_taxii_peer_log(struct http_req *r, struct http_resp *out)
{
    json_t *body = NULL;
    struct svc_error e = {0};
    int rc = taxii_peer_log(r->sc, &r->auth, r->params[0], &body, &e);
    return http_svc_reply(out, rc, &e, body, 200);
}
