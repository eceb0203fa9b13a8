/*
 * sites.c - see sites.h. Registration of observed websites, their
 * visibility, programme participation, vantage points and assignments.
 */
#include "service/sites.h"

#include <sodium.h>

#include "core/access.h"
#include "core/obs_correlate.h"
#include "core/roles.h"
#include "core/site_url.h"
#include "common/util.h"

static const char *const site_states[] = {
    "learning", "normal", "slow", "unreachable", "maintenance", "paused", NULL};

const struct jv_field sites_register_spec[] = {
    {.name = "org", .type = JV_STRING, .max_len = 63},
    {.name = "url",
     .type = JV_STRING,
     .required = true,
     .max_len = SITE_URL_MAX},
    {.name = "expected_status", .type = JV_INT, .min = 100, .max = 599},
    {.name = "content_match",
     .type = JV_STRING,
     .max_len = SITES_CONTENT_MATCH_MAX},
    {.name = "interval_s",
     .type = JV_INT,
     .min = SITES_INTERVAL_MIN_TEST,
     .max = SITES_INTERVAL_MAX},
    {.name = "label", .type = JV_STRING, .max_len = 200},
    {.name = "notify", .type = JV_BOOL},
    {.name = "hosting", .type = JV_STRING, .max_len = 200},
    {.name = NULL},
};

const struct jv_field sites_update_spec[] = {
    {.name = "version",
     .type = JV_INT,
     .required = true,
     .min = 1,
     .max = 1000000000},
    {.name = "expected_status", .type = JV_INT, .min = 100, .max = 599},
    {.name = "content_match",
     .type = JV_STRING,
     .max_len = SITES_CONTENT_MATCH_MAX},
    {.name = "interval_s",
     .type = JV_INT,
     .min = SITES_INTERVAL_MIN_TEST,
     .max = SITES_INTERVAL_MAX},
    {.name = "label", .type = JV_STRING, .max_len = 200},
    {.name = "notify", .type = JV_BOOL},
    {.name = "paused", .type = JV_BOOL},
    {.name = "hosting", .type = JV_STRING, .max_len = 200},
    {.name = NULL},
};

const struct jv_field sites_maintenance_spec[] = {
    {.name = "starts", .type = JV_TIME, .required = true},
    {.name = "ends", .type = JV_TIME, .required = true},
    {.name = "note", .type = JV_STRING, .max_len = 200},
    {.name = NULL},
};

const struct jv_field sites_participant_spec[] = {
    {.name = "ceptoar", .type = JV_STRING, .required = true, .max_len = 63},
    {.name = NULL},
};

const struct jv_field sites_vantage_spec[] = {
    {.name = "id", .type = JV_STRING, .required = true, .max_len = 32},
    {.name = "name_ja", .type = JV_STRING, .required = true, .max_len = 200},
    {.name = "name_en", .type = JV_STRING, .required = true, .max_len = 200},
    {.name = "public_key", .type = JV_STRING, .required = true, .max_len = 60},
    {.name = NULL},
};

/* ---- visibility ---- */

int sites_may_see(struct store_conn *c, const struct auth_ctx *who,
                  const char *site_org, bool *yes)
{
    struct access_org rel;
    *yes = false;
    int rc = store_org_rel(c, site_org, &rel);
    if (rc == IS_ERR_NOTFOUND)
        return IS_OK;
    if (!rc)
        *yes = access_may_see_site(&who->org, who->roles, &rel);
    return rc;
}

void sites_viewer(const struct auth_ctx *who, struct store_site_viewer *v)
{
    v->scope = (int)access_site_scope(&who->org, who->roles);
    v->org = who->org.id;
}

static int not_found(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_NOTFOUND, "not_found", "id",
                    "no such site (or you may not see it)");
}

int sites_parse_id(const char *s, int64_t *id, struct svc_error *e)
{
    long v;
    if (!s || util_parse_long(s, 1, INT64_MAX, &v))
        return not_found(e);
    *id = v;
    return IS_OK;
}

int sites_get_visible(struct store_conn *c, const struct auth_ctx *who,
                      int64_t id, struct store_site *out, struct svc_error *e)
{
    int rc = store_site_get(c, id, out);
    if (rc == IS_ERR_NOTFOUND)
        return not_found(e);
    if (rc)
        return rc;
    bool yes;
    rc = sites_may_see(c, who, out->org_id, &yes);
    if (rc)
        return rc;
    return yes ? IS_OK : not_found(e);
}

/* ---- JSON ---- */

static json_t *str_or_null(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

json_t *sites_json(const struct store_site *s)
{
    json_t *last = json_null();
    if (s->last_at)
        last = json_pack(
            "{s:o,s:o,s:s}", "at", svc_time_json(s->last_at), "total_ms",
            s->last_total >= 0 ? json_real(s->last_total) : json_null(),
            "outcome", s->last_outcome);
    return json_pack(
        "{s:I,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:i,s:s,s:i,s:b,s:b,s:s,s:s,"
        "s:s,s:o,s:s,s:s,s:o,s:I,s:o,s:o,s:b}",
        "id", (json_int_t)s->id, "org", s->org_id, "org_name_ja",
        s->org_name_ja, "org_name_en", s->org_name_en, "sector",
        str_or_null(s->sector_id), "ceptoar", str_or_null(s->ceptoar_id), "url",
        s->url, "host", s->host, "label", s->label, "expected_status",
        s->expected_status, "content_match", s->content_match, "interval_s",
        s->interval_s, "notify", s->notify, "paused", s->paused, "hosting",
        s->hosting, "dns_provider", s->dns_provider, "state", s->state,
        "state_since", svc_time_json(s->state_since), "reason_ja", s->reason_ja,
        "reason_en", s->reason_en, "last", last ? last : json_null(), "version",
        (json_int_t)s->version, "created_at", svc_time_json(s->created_at),
        "via_org", str_or_null(s->via_org), "demo", s->demo);
}

/* ---- registering ---- */

/* Checks url (the field) for who's hub: the form, the address class (test
 * mode admits loopback), and not the hub itself. */
static int check_url(const struct app *a, const char *url, struct site_url *u,
                     struct svc_error *e)
{
    const char *why = site_url_parse(url, u);
    if (why)
        return svc_fail(e, IS_ERR_INVALID, "invalid_url", "url", "url: %s",
                        why);
    if (!site_addr_allowed(u->cls, a->test_mode) &&
        u->cls == SITE_ADDR_LOOPBACK)
        return svc_fail(e, IS_ERR_INVALID, "forbidden_address", "url",
                        "url: the host is a loopback address, which is "
                        "observed only in the hub's test mode");
    if (!site_addr_allowed(u->cls, a->test_mode))
        return svc_fail(e, IS_ERR_INVALID, "forbidden_address", "url",
                        "url: the host is a %s address, which is never "
                        "observed",
                        site_addr_class_name(u->cls));
    struct site_url hub;
    if (a->public_url[0] && !site_url_parse(a->public_url, &hub)) {
        bool same_host = strcmp(hub.host, u->host) == 0;
        bool both_loop = hub.cls == SITE_ADDR_LOOPBACK &&
                         u->cls == SITE_ADDR_LOOPBACK && hub.port == u->port;
        /* the hub's own name on any port; a loopback hub on its port */
        if ((same_host &&
             (hub.cls != SITE_ADDR_LOOPBACK || hub.port == u->port)) ||
            both_loop)
            return svc_fail(e, IS_ERR_INVALID, "forbidden_address", "url",
                            "url: that is this hub itself");
    }
    return IS_OK;
}

static int check_interval(const struct app *a, const json_t *body, int *out,
                          struct svc_error *e)
{
    long long v = jv_int(body, "interval_s", *out);
    int min = a->test_mode ? SITES_INTERVAL_MIN_TEST : SITES_INTERVAL_MIN;
    if (v < min || v > SITES_INTERVAL_MAX)
        return svc_fail(e, IS_ERR_INVALID, "out_of_range", "interval_s",
                        "interval_s: %d to %d seconds", min,
                        SITES_INTERVAL_MAX);
    *out = (int)v;
    return IS_OK;
}

/* content_match is at most 256 bytes (jv counted code points). */
static int check_content(const json_t *body, struct svc_error *e)
{
    const char *cm = jv_str(body, "content_match");
    if (cm && strlen(cm) > SITES_CONTENT_MATCH_MAX)
        return svc_fail(e, IS_ERR_INVALID, "too_long", "content_match",
                        "content_match: at most %d bytes",
                        SITES_CONTENT_MATCH_MAX);
    return IS_OK;
}

static int audit_site(struct store_conn *c, const struct auth_ctx *who,
                      int64_t now, const char *action,
                      const struct store_site *s, json_t *extra)
{
    char target[32];
    util_xsnprintf(target, sizeof(target), "site:%lld", (long long)s->id);
    json_t *d = json_pack("{s:s,s:s}", "org", s->org_id, "url", s->url);
    if (d && extra)
        json_object_update(d, extra);
    json_decref(extra);
    return audit_record(c, who, now, action, target, d);
}

int sites_register(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const json_t *body, int64_t now,
                   json_t **out, struct svc_error *e)
{
    struct store_site *s = calloc(1, sizeof(*s));
    if (!s)
        return IS_ERR_NOMEM;
    struct site_url *u = calloc(1, sizeof(*u));
    if (!u) {
        free(s);
        return IS_ERR_NOMEM;
    }
    const char *org = jv_str(body, "org") ? jv_str(body, "org") : who->org.id;
    s->interval_s = SITES_INTERVAL_DEFAULT;
    s->expected_status = (int)jv_int(body, "expected_status", 200);
    int rc = check_url(a, jv_str(body, "url"), u, e);
    if (!rc)
        rc = check_interval(a, body, &s->interval_s, e);
    if (!rc)
        rc = check_content(body, e);
    /* An organisation the caller may not see (docs/rules.md "Registry
     * visibility"), one that does not exist and one it may see but not
     * register for all get the same 403: the answer never tells whether a
     * hidden organisation exists, nor its kind. Only a visible one gets
     * the more specific answer. */
    struct access_org rel;
    bool forbidden = false;
    if (!rc) {
        rc = store_org_rel(c, org, &rel);
        if (rc == IS_ERR_NOTFOUND) {
            rc = IS_OK;
            forbidden = true;
        } else if (!rc && !access_may_see_org(&who->org, who->roles, &rel))
            forbidden = true;
    }
    if (!rc && !forbidden && strcmp(rel.kind, "operator") != 0)
        rc = svc_fail(e, IS_ERR_INVALID, "invalid_value", "org",
                      "org: sites are registered for operators (this is a "
                      "%s)",
                      rel.kind);
    if (!rc && (forbidden || !access_may_see_site(&who->org, who->roles, &rel)))
        rc = svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "org",
                      "org: you register sites for your own organisation, "
                      "or as a CEPTOAR secretariat for its members");
    if (rc) {
        free(s);
        free(u);
        return rc;
    }
    util_xcopy(s->org_id, sizeof(s->org_id), rel.id);
    util_xcopy(s->url, sizeof(s->url), u->canon);
    util_xcopy(s->host, sizeof(s->host), u->host);
    util_xcopy(s->label, sizeof(s->label),
               jv_str(body, "label") ? jv_str(body, "label") : "");
    util_xcopy(s->content_match, sizeof(s->content_match),
               jv_str(body, "content_match") ? jv_str(body, "content_match")
                                             : "");
    util_xcopy(s->hosting, sizeof(s->hosting),
               jv_str(body, "hosting") ? jv_str(body, "hosting") : "");
    s->notify = jv_bool(body, "notify", false);
    s->registered_by = who->user_id;
    if (strcmp(who->org.id, rel.id) != 0)
        util_xcopy(s->via_org, sizeof(s->via_org), who->org.id);
    s->created_at = s->updated_at = now;
    free(u);

    rc = store_begin(c);
    bool part = false;
    if (!rc)
        rc = store_site_org_participates(c, s->org_id, &part);
    if (!rc && !part)
        rc = svc_fail(e, IS_ERR_CONFLICT, "not_participating", "org",
                      "org: its CEPTOAR does not take part in the website "
                      "observation programme (POST "
                      "/api/v1/observation/participants)");
    int64_t id = 0;
    if (!rc) {
        rc = store_site_insert(c, s, &id);
        if (rc == IS_ERR_CONFLICT)
            rc = svc_fail(e, IS_ERR_CONFLICT, "duplicate", "url",
                          "url: this organisation has registered %s already",
                          s->url);
    }
    if (!rc)
        rc = store_site_get(c, id, s);
    if (!rc)
        rc = audit_site(c, who, now, "site.register", s,
                        s->via_org[0] ? json_pack("{s:s}", "via", s->via_org)
                                      : NULL);
    if (!rc) {
        *out = sites_json(s);
        rc = *out ? store_commit(c) : IS_ERR_NOMEM;
        if (rc) {
            json_decref(*out);
            *out = NULL;
        }
    }
    if (rc)
        store_rollback(c);
    free(s);
    return rc;
}

/* ---- reading ---- */

static int query_text(const char *name, const char *s, size_t max,
                      struct svc_error *e)
{
    struct jv_error je;
    if (s && jv_check_text(name, s, max, &je))
        return svc_fail(e, IS_ERR_INVALID, je.code, name, "%s", je.message);
    return IS_OK;
}

int sites_list(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const struct sites_query *q, json_t **out, struct svc_error *e)
{
    (void)a;
    long limit, offset;
    int rc =
        svc_query_long("limit", q->limit, 50, 1, SITES_LIST_MAX, &limit, e);
    if (!rc)
        rc = svc_query_long("offset", q->offset, 0, 0, 10000000, &offset, e);
    if (!rc)
        rc = query_text("org", q->org, 63, e);
    if (!rc)
        rc = query_text("sector", q->sector, 63, e);
    if (!rc)
        rc = query_text("q", q->q, 200, e);
    if (!rc && q->state) {
        bool known = false;
        for (size_t i = 0; site_states[i]; i++)
            known = known || strcmp(site_states[i], q->state) == 0;
        if (!known)
            rc = svc_fail(e, IS_ERR_INVALID, "invalid_value", "state",
                          "state: learning, normal, slow, unreachable, "
                          "maintenance or paused");
    }
    if (rc)
        return rc;
    struct store_site_viewer v;
    sites_viewer(who, &v);
    struct store_site_filter f = {.org = q->org,
                                  .sector = q->sector,
                                  .state = q->state,
                                  .q = q->q && q->q[0] ? q->q : NULL,
                                  .limit = (int)limit,
                                  .offset = (int)offset};
    struct store_site *items;
    size_t n;
    int64_t total;
    rc = store_read_begin(c);
    if (rc)
        return rc;
    rc = store_sites_list(c, &v, &f, &items, &n, &total);
    store_read_end(c);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, sites_json(&items[i])))
            json_decref(arr), arr = NULL;
    free(items);
    if (!arr)
        return IS_ERR_NOMEM;
    *out =
        json_pack("{s:o,s:I,s:i,s:i}", "items", arr, "total", (json_int_t)total,
                  "limit", (int)limit, "offset", (int)offset);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

static json_t *window_json(const struct store_site_window *w)
{
    return json_pack("{s:I,s:o,s:o,s:s}", "id", (json_int_t)w->id, "starts",
                     svc_time_json(w->starts), "ends", svc_time_json(w->ends),
                     "note", w->note);
}

int sites_read(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, int64_t now, json_t **out, struct svc_error *e)
{
    (void)a;
    int64_t sid;
    int rc = sites_parse_id(id, &sid, e);
    if (rc)
        return rc;
    struct store_site *s = malloc(sizeof(*s));
    if (!s)
        return IS_ERR_NOMEM;
    struct store_site_window *w = NULL;
    size_t nw = 0;
    rc = store_read_begin(c);
    if (!rc) {
        rc = sites_get_visible(c, who, sid, s, e);
        if (!rc)
            rc = store_site_maintenance_list(c, sid, now, &w, &nw);
        store_read_end(c);
    }
    if (!rc) {
        *out = sites_json(s);
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < nw; i++)
            json_array_append_new(arr, window_json(&w[i]));
        if (!*out || !arr || json_object_set_new(*out, "maintenance", arr)) {
            json_decref(*out);
            *out = NULL;
            rc = IS_ERR_NOMEM;
        }
    }
    free(w);
    free(s);
    return rc;
}

/* ---- changing ---- */

/* Begins a write transaction and reads the site id who may see. */
static int begin_visible(struct store_conn *c, const struct auth_ctx *who,
                         const char *id, struct store_site *s,
                         struct svc_error *e)
{
    int64_t sid;
    int rc = sites_parse_id(id, &sid, e);
    if (!rc)
        rc = store_begin(c);
    if (rc)
        return rc;
    rc = sites_get_visible(c, who, sid, s, e);
    if (rc)
        store_rollback(c);
    return rc;
}

/* Commits and answers the site as now stored. */
static int commit_with(struct store_conn *c, const struct store_site *s,
                       json_t **out)
{
    *out = sites_json(s);
    int rc = *out ? store_commit(c) : IS_ERR_NOMEM;
    if (rc) {
        store_rollback(c);
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int sites_update(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, const json_t *body,
                 int64_t now, json_t **out, struct svc_error *e)
{
    int rc = check_content(body, e);
    if (rc)
        return rc;
    struct store_site *s = malloc(sizeof(*s));
    if (!s)
        return IS_ERR_NOMEM;
    rc = begin_visible(c, who, id, s, e);
    if (rc) {
        free(s);
        return rc;
    }
    if (json_object_get(body, "interval_s"))
        rc = check_interval(a, body, &s->interval_s, e);
    s->expected_status =
        (int)jv_int(body, "expected_status", s->expected_status);
    if (jv_str(body, "label"))
        util_xcopy(s->label, sizeof(s->label), jv_str(body, "label"));
    if (jv_str(body, "content_match"))
        util_xcopy(s->content_match, sizeof(s->content_match),
                   jv_str(body, "content_match"));
    if (jv_str(body, "hosting"))
        util_xcopy(s->hosting, sizeof(s->hosting), jv_str(body, "hosting"));
    s->notify = jv_bool(body, "notify", s->notify);
    s->paused = jv_bool(body, "paused", s->paused);
    int64_t expect = jv_int(body, "version", 0);
    if (!rc) {
        rc = store_site_update(c, s, expect, now);
        if (rc == IS_ERR_CONFLICT)
            rc = svc_fail(e, IS_ERR_CONFLICT, "version_conflict", "version",
                          "version: the site was changed meanwhile (now "
                          "version %lld); read it again",
                          (long long)s->version);
    }
    if (!rc)
        rc = store_site_get(c, s->id, s);
    if (!rc) {
        json_t *changed = json_object();
        const char *k;
        json_t *v;
        json_object_foreach ((json_t *)body, k, v)
            if (strcmp(k, "version") != 0)
                json_object_set(changed, k, v);
        rc = audit_site(c, who, now, "site.update", s,
                        json_pack("{s:o}", "changed", changed));
    }
    if (!rc)
        rc = commit_with(c, s, out);
    else
        store_rollback(c);
    free(s);
    return rc;
}

int sites_delete(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, int64_t now,
                 json_t **out, struct svc_error *e)
{
    (void)a;
    struct store_site *s = malloc(sizeof(*s));
    if (!s)
        return IS_ERR_NOMEM;
    int rc = begin_visible(c, who, id, s, e);
    if (rc) {
        free(s);
        return rc;
    }
    rc = store_site_delete(c, s->id, now);
    if (!rc)
        rc = audit_site(c, who, now, "site.delete", s, NULL);
    if (!rc) {
        *out = json_pack("{s:I,s:b}", "id", (json_int_t)s->id, "deleted", 1);
        rc = *out ? store_commit(c) : IS_ERR_NOMEM;
        if (rc) {
            json_decref(*out);
            *out = NULL;
        }
    }
    if (rc)
        store_rollback(c);
    free(s);
    return rc;
}

int sites_maintenance_add(struct app *a, struct store_conn *c,
                          const struct auth_ctx *who, const char *id,
                          const json_t *body, int64_t now, json_t **out,
                          struct svc_error *e)
{
    (void)a;
    int64_t starts = 0, ends = 0;
    util_time_parse(jv_str(body, "starts"), &starts); /* checked by jv */
    util_time_parse(jv_str(body, "ends"), &ends);
    if (ends <= starts)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "ends",
                        "ends: after starts");
    if (ends - starts > SITES_MAINT_MAX_S)
        return svc_fail(e, IS_ERR_INVALID, "out_of_range", "ends",
                        "ends: a window is at most 7 days long");
    if (ends <= now)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "ends",
                        "ends: the window is over already");
    struct store_site *s = malloc(sizeof(*s));
    if (!s)
        return IS_ERR_NOMEM;
    int rc = begin_visible(c, who, id, s, e);
    if (rc) {
        free(s);
        return rc;
    }
    struct store_site_window w = {.starts = starts, .ends = ends};
    util_xcopy(w.note, sizeof(w.note),
               jv_str(body, "note") ? jv_str(body, "note") : "");
    rc = store_site_maintenance_add(c, s->id, starts, ends, w.note, now, &w.id);
    if (!rc)
        rc = audit_site(c, who, now, "site.maintenance", s,
                        json_pack("{s:I,s:I}", "starts", (json_int_t)starts,
                                  "ends", (json_int_t)ends));
    if (!rc) {
        *out = window_json(&w);
        if (*out)
            json_object_set_new(*out, "site", json_integer(s->id));
        rc = *out ? store_commit(c) : IS_ERR_NOMEM;
        if (rc) {
            json_decref(*out);
            *out = NULL;
        }
    }
    if (rc)
        store_rollback(c);
    free(s);
    return rc;
}

/* ---- participants ---- */

static bool is_nisc_or_admin(const struct auth_ctx *who)
{
    return (who->roles & ROLE_ADMIN) ||
           (strcmp(who->org.kind, "nisc") == 0 && (who->roles & ROLE_ANALYST));
}

/* A participating CEPTOAR with its members' sites: counted exactly for
 * who sees every one of them (NISC, hub admins, the CEPTOAR's own
 * secretariat), else as every count of sites (core obs_count_shown:
 * the sites the reader sees exactly, the others "<5" or a multiple of 5),
 * so one member's registering or deleting a site does not show to
 * everyone, nor to a member that moves its own count to a boundary. */
static json_t *participant_json(const struct auth_ctx *who,
                                const struct store_obs_participant *p)
{
    bool sees = access_site_scope(&who->org, who->roles) == ACCESS_SITES_ALL ||
                (strcmp(who->org.kind, "ceptoar") == 0 &&
                 strcmp(who->org.id, p->ceptoar_id) == 0);
    int64_t shown = obs_count_shown(p->sites, p->seen, sees);
    return json_pack("{s:s,s:s,s:s,s:o,s:o}", "ceptoar", p->ceptoar_id,
                     "name_ja", p->name_ja, "name_en", p->name_en, "joined_at",
                     svc_time_json(p->joined_at), "sites",
                     shown < 0 ? json_string("<5") : json_integer(shown));
}

static int participants_json(struct store_conn *c, const struct auth_ctx *who,
                             const char *only, json_t **out)
{
    struct store_obs_participant *ps;
    size_t n;
    int rc = store_obs_participants(
        c, who->org.id, (int)access_site_scope(&who->org, who->roles), &ps, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (!only || strcmp(only, ps[i].ceptoar_id) == 0)
            json_array_append_new(arr, participant_json(who, &ps[i]));
    free(ps);
    if (!arr)
        return IS_ERR_NOMEM;
    *out = arr;
    return IS_OK;
}

int sites_participant_join(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, const json_t *body,
                           int64_t now, json_t **out, struct svc_error *e)
{
    (void)a;
    const char *cep = jv_str(body, "ceptoar");
    struct access_org rel;
    int rc = store_org_rel(c, cep, &rel);
    if (rc == IS_ERR_NOTFOUND || (!rc && strcmp(rel.kind, "ceptoar") != 0))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "ceptoar",
                        "ceptoar: not a CEPTOAR of the registry");
    if (rc)
        return rc;
    if (!is_nisc_or_admin(who) && strcmp(who->org.id, rel.id) != 0)
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "ceptoar",
                        "ceptoar: NISC, an admin or the CEPTOAR's own "
                        "secretariat enrols it");
    rc = store_begin(c);
    if (rc)
        return rc;
    rc = store_obs_participant_add(c, rel.id, who->user_id, now);
    if (rc == IS_ERR_CONFLICT)
        rc = svc_fail(e, IS_ERR_CONFLICT, "already_participating", "ceptoar",
                      "ceptoar: %s takes part already", rel.id);
    if (!rc)
        rc = audit_record(c, who, now, "obs.participant.join", rel.id, NULL);
    json_t *arr = NULL;
    if (!rc)
        rc = participants_json(c, who, rel.id, &arr);
    if (!rc) {
        *out = json_incref(json_array_get(arr, 0));
        json_decref(arr);
        rc = *out ? store_commit(c) : IS_ERR_NOMEM;
        if (rc) {
            json_decref(*out);
            *out = NULL;
        }
    }
    if (rc)
        store_rollback(c);
    return rc;
}

int sites_participants(struct app *a, struct store_conn *c,
                       const struct auth_ctx *who, json_t **out,
                       struct svc_error *e)
{
    (void)a;
    (void)e;
    json_t *arr;
    int rc = participants_json(c, who, NULL, &arr);
    if (rc)
        return rc;
    *out = json_pack("{s:o}", "items", arr);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

/* ---- vantage points ---- */

static json_t *vantage_json(const struct store_obs_vantage *v)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:b,s:o}", "id", v->id, "name_ja",
                     v->name_ja, "name_en", v->name_en, "public_key",
                     v->public_key, "last_seq", (json_int_t)v->last_seq,
                     "active", v->active, "created_at",
                     svc_time_json(v->created_at));
}

static bool vantage_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n < 2 || n > 32 || id[0] == '-' || id[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') ||
              (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
            return false;
    return true;
}

int sites_vantage_add(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, const json_t *body,
                      int64_t now, json_t **out, struct svc_error *e)
{
    (void)a;
    if (!is_nisc_or_admin(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "",
                        "NISC analysts and admins add vantage points");
    struct store_obs_vantage v = {.active = true, .created_at = now};
    const char *id = jv_str(body, "id");
    if (!vantage_id_ok(id))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "id",
                        "id: 2 to 32 of a-z 0-9 -, not starting or ending "
                        "with -");
    const char *pk = jv_str(body, "public_key");
    unsigned char raw[crypto_sign_PUBLICKEYBYTES + 1];
    size_t rawlen = 0;
    if (sodium_base642bin(raw, sizeof(raw), pk, strlen(pk), NULL, &rawlen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) ||
        rawlen != crypto_sign_PUBLICKEYBYTES)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "public_key",
                        "public_key: an Ed25519 public key, 32 bytes in "
                        "base64");
    util_xcopy(v.id, sizeof(v.id), id);
    util_xcopy(v.name_ja, sizeof(v.name_ja), jv_str(body, "name_ja"));
    util_xcopy(v.name_en, sizeof(v.name_en), jv_str(body, "name_en"));
    util_xcopy(v.public_key, sizeof(v.public_key), pk);

    struct store_user u;
    memset(&u, 0, sizeof(u));
    util_xcopy(u.org_id, sizeof(u.org_id), who->org.id);
    util_xsnprintf(u.username, sizeof(u.username), "vantage-%s", v.id);
    util_xcopy(u.display_name, sizeof(u.display_name), v.name_en);
    util_xcopy(u.pw_hash, sizeof(u.pw_hash), "!"); /* no password: a token */
    util_xcopy(u.lang, sizeof(u.lang), "en");
    u.roles = 0;
    char token[AUTH_TOKEN_LEN], tid[33];
    int rc = store_begin(c);
    if (rc)
        return rc;
    rc = store_user_insert(c, &u, now, &v.user_id);
    if (!rc)
        rc = store_obs_vantage_add(c, &v);
    if (rc == IS_ERR_CONFLICT)
        rc = svc_fail(e, IS_ERR_CONFLICT, "duplicate", "id",
                      "id: a vantage point (or its account) %s exists already",
                      v.id);
    if (!rc)
        rc = auth_token_insert(c, who, v.user_id, "vantage point", 0, now,
                               token, tid);
    if (!rc)
        rc = audit_record(c, who, now, "obs.vantage.add", v.id,
                          json_pack("{s:s}", "account", u.username));
    if (!rc) {
        *out = vantage_json(&v);
        if (*out &&
            json_object_set_new(*out, "account", json_string(u.username)))
            json_decref(*out), *out = NULL;
        if (*out && json_object_set_new(*out, "token", json_string(token)))
            json_decref(*out), *out = NULL;
        rc = *out ? store_commit(c) : IS_ERR_NOMEM;
        if (rc) {
            json_decref(*out);
            *out = NULL;
        }
    }
    sodium_memzero(token, sizeof(token));
    if (rc)
        store_rollback(c);
    return rc;
}

int sites_vantages(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, json_t **out,
                   struct svc_error *e)
{
    (void)a;
    (void)who;
    (void)e;
    struct store_obs_vantage *vs;
    size_t n;
    int rc = store_obs_vantages(c, &vs, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, vantage_json(&vs[i]));
    free(vs);
    *out = arr ? json_pack("{s:o}", "items", arr) : NULL;
    return *out ? IS_OK : IS_ERR_NOMEM;
}

int sites_vantage_of(struct store_conn *c, const struct auth_ctx *who,
                     struct store_obs_vantage *out, struct svc_error *e)
{
    int rc = store_obs_vantage_by_user(c, who->user_id, out);
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "",
                        "only a vantage point's account has assignments");
    return rc;
}

static int add_assignment(const struct store_obs_assignment *x, void *ctx)
{
    json_t *o = json_pack("{s:I,s:s,s:i,s:s,s:i}", "id", (json_int_t)x->id,
                          "url", x->url, "expected_status", x->expected_status,
                          "content_match", x->content_match, "interval_s",
                          x->interval_s);
    return o && !json_array_append_new(ctx, o) ? IS_OK : IS_ERR_NOMEM;
}

int sites_assignments(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, json_t **out,
                      struct svc_error *e)
{
    (void)a;
    struct store_obs_vantage v;
    int rc = sites_vantage_of(c, who, &v, e);
    if (rc)
        return rc;
    json_t *arr = json_array();
    if (!arr)
        return IS_ERR_NOMEM;
    rc = store_obs_assignments(c, false, 0, add_assignment, arr);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = json_pack("{s:s,s:o}", "vantage", v.id, "items", arr);
    return *out ? IS_OK : IS_ERR_NOMEM;
}
