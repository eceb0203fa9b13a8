/*
 * routes.c - the route table and the handlers of the foundation: health,
 * metrics, sessions, API tokens, the registry, the audit log, OpenAPI.
 */
#include "http/http.h"

#include <stdatomic.h>

#include "core/roles.h"
#include "service/taxii.h"
#include "service/taxii_sync.h"
#include "service/agreements.h"
#include "service/audit.h"
#include "service/declarations.h"
#include "service/observation.h"
#include "service/sites.h"
#include "service/c4tap.h"
#include "service/exercises.h"
#include "service/dependencies.h"
#include "service/risks.h"
#include "service/surveys.h"
#include "service/provision.h"
#include "service/lists.h"
#include "service/rollcall.h"
#include "service/registry.h"
#include "service/reporting.h"
#include "common/buf.h"
#include "common/embed.h"
#include "common/log.h"
#include "common/util.h"

extern const struct embed_file http_docs[];
extern const size_t http_docs_count;

#define ID_MAX 63

/* ---- health and metrics ---- */

/* Liveness (issue 17): the process answers. Never touches the database,
 * so a locked or read-only store (a backup, the CLI's transaction) does
 * not get a live hub restarted; whether it takes traffic is GET /readyz.
 * The schema version is this build's (the migrations it embeds). */
static int h_healthz(struct http_req *r, struct http_resp *out)
{
    IS_UNUSED(r);
    out->body = json_pack("{s:s,s:i}", "status", "ok", "schema_version",
                          store_schema_version());
    return 200;
}

/* How long GET /readyz waits for the write lock, and the Retry-After of
 * its 503 (seconds). */
#define READYZ_WAIT_MS 100
#define READYZ_RETRY_S 5
/* How long a readiness verdict is reused (ms): the route is public, and
 * each check takes the write lock (SQLite) or a round trip to the
 * primary (PostgreSQL); probes that come faster than this share one. */
#define READYZ_REUSE_MS 1000

/* the store checks GET /readyz made (GET /metrics) */
static atomic_ullong readyz_checks;

uint64_t http_readyz_checks(void)
{
    return atomic_load(&readyz_checks);
}

/* Whether the database takes writes now, asked of the store at most once
 * per READYZ_REUSE_MS however often the route is called: a request within
 * that time of the last check gets its verdict (one caller wins the right
 * to check; the others take the last verdict meanwhile). A verdict is not
 * reused past what this node has seen since its check: "ready" ends at a
 * store error (a lost connection, a lock not had), "not ready" at a
 * write committed. 1 ready, 0 not. */
static int readyz_verdict(struct store_conn *sc)
{
    static atomic_llong checked_ms; /* util_mono's ms at the last check */
    static atomic_int verdict = -1; /* -1: no check has ended yet */
    /* the store's counts when the last verdict's check began */
    static atomic_ullong errors_at, commits_at;
    long long now = (long long)(util_mono() * 1000.0);
    long long at = atomic_load(&checked_ms);
    int v = atomic_load(&verdict);
    bool seen = v == 1 ? store_error_count() != atomic_load(&errors_at)
                       : store_write_commit_count() != atomic_load(&commits_at);
    if (v >= 0 && !seen && now - at < READYZ_REUSE_MS)
        return v;
    /* one request checks; the others keep the last verdict meanwhile
     * (until the first check ends, each request checks for itself) */
    if (v >= 0 && !atomic_compare_exchange_strong(&checked_ms, &at, now))
        return v;
    atomic_fetch_add(&readyz_checks, 1);
    uint64_t errors = store_error_count(), commits = store_write_commit_count();
    v = store_writable(sc, READYZ_WAIT_MS) == IS_OK;
    atomic_store(&errors_at, errors);
    atomic_store(&commits_at, commits);
    atomic_store(&verdict, v);
    /* reused from when it is known: a check that waited READYZ_WAIT_MS
     * for the lock is not reused for less */
    atomic_store(&checked_ms, (long long)(util_mono() * 1000.0));
    return v;
}

/* Readiness (issue 17): ready to take traffic when the database takes
 * writes now (store_writable: the write lock within READYZ_WAIT_MS, then
 * let go; the verdict reused for READYZ_REUSE_MS, readyz_verdict). Not
 * ready: 503 store_not_writable with Retry-After. The change of state is
 * logged once each way, not every probe. */
static int h_readyz(struct http_req *r, struct http_resp *out)
{
    static atomic_int last = -1; /* 1 ready, 0 not, -1 not asked yet */
    /* a node whose id another running node took (store_node_check) takes
     * no traffic: the two would take each other's outbox work */
    if (store_node_in_use(r->app->store)) {
        out->retry_after = READYZ_RETRY_S;
        return http_error(out, 503, "node_id_in_use", NULL,
                          "another running node of this database has this "
                          "node's id (--node-id)");
    }
    int now = readyz_verdict(r->sc);
    if (atomic_exchange(&last, now) != now)
        log_event(now ? LOG_INFO : LOG_WARN,
                  now ? "ready: the database takes writes"
                      : "not ready: the database does not take writes",
                  "node", json_string(r->app->node_id), NULL);
    if (!now) {
        out->retry_after = READYZ_RETRY_S;
        /* what keeps writes off differs by engine: SQLite's file lock,
         * PostgreSQL's primary (none reachable, or a standby in recovery) */
        if (r->app->on_postgresql)
            return http_error(out, 503, "store_not_writable", NULL,
                              "the database does not take writes now "
                              "(PostgreSQL: no primary server is reachable, "
                              "it is read-only, or its commits wait for a "
                              "synchronous standby); try again later");
        return http_error(out, 503, "store_not_writable", NULL,
                          "the database does not take writes now (another "
                          "process holds its write lock, or it is "
                          "read-only); try again later");
    }
    out->body =
        json_pack("{s:s,s:s}", "status", "ready", "node", r->app->node_id);
    return 200;
}

static int h_metrics(struct http_req *r, struct http_resp *out)
{
    int st = metrics_authorize(r, out);
    if (st)
        return st;
    struct buf b;
    buf_init(&b, 4 * 1024 * 1024);
    if (metrics_render(&b) != IS_OK || buf_error(&b) || b.len == 0) {
        buf_release(&b);
        return http_fail(out, IS_ERR_INTERNAL);
    }
    out->rawlen = b.len;
    out->raw = buf_detach(&b); /* not NULL: b has not failed */
    if (!out->raw)
        return http_fail(out, IS_ERR_INTERNAL);
    out->ctype = "text/plain; version=0.0.4; charset=utf-8";
    return 200;
}

static int h_openapi(struct http_req *r, struct http_resp *out)
{
    IS_UNUSED(r);
    const struct embed_file *f =
        embed_find(http_docs, http_docs_count, "openapi.json");
    if (!f)
        return http_fail(out, IS_ERR_NOTFOUND);
    out->raw = malloc(f->len);
    if (!out->raw)
        return http_fail(out, IS_ERR_NOMEM);
    memcpy(out->raw, f->data, f->len);
    out->rawlen = f->len;
    out->ctype = "application/json; charset=utf-8";
    return 200;
}

/* ---- sessions ---- */

static json_t *me_json(const struct auth_ctx *a)
{
    char roles[128];
    roles_format(a->roles, roles, sizeof(roles));
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id",
                     (json_int_t)a->user_id, "username", a->username,
                     "display_name", a->display_name, "org", a->org.id,
                     "org_kind", a->org.kind, "roles", roles, "lang", a->lang);
}

static const struct jv_field session_body[] = {
    {.name = "username", .type = JV_STRING, .required = true, .max_len = 64},
    {.name = "password",
     .type = JV_STRING,
     .required = true,
     .max_len = AUTH_PW_MAX},
};

/* A sign-in from a browser that holds a session already replaces it (the
 * new cookie overwrites the old): the old session is ended on the hub,
 * audited as its user's logout, rather than left usable for its 12 hours
 * by whoever kept a copy. Best effort: the new session stands either way. */
static void end_replaced_session(struct http_req *r, int64_t now)
{
    const char *old = http_session_cookie(r);
    char cookie[AUTH_COOKIE_LEN];
    struct auth_ctx was;
    if (!old || util_copy(cookie, sizeof(cookie), old) ||
        auth_session(r->sc, cookie, now, &was) != IS_OK)
        return;
    /* IS_ERR_AUTH: a log-out at the same moment ended it (and is the
     * one audited) */
    int rc = auth_logout(r->sc, cookie, &was, now);
    if (rc && rc != IS_ERR_AUTH)
        log_event(LOG_WARN, "the replaced session could not be ended", "user",
                  json_integer(was.user_id), NULL);
}

static int h_login(struct http_req *r, struct http_resp *out)
{
    char cookie[AUTH_COOKIE_LEN];
    struct auth_ctx a;
    int64_t now = app_now(r->app);
    int rc = auth_login(r->sc, &r->app->limits, jv_str(r->json, "username"),
                        jv_str(r->json, "password"), r->addr, now, cookie, &a);
    if (rc == IS_ERR_AUTH)
        return http_error(out, 401, "bad_credentials", NULL,
                          "user name or password is wrong, or the account "
                          "is disabled");
    if (rc)
        return http_fail(out, rc);
    end_replaced_session(r, now);
    snprintf(out->set_cookie, sizeof(out->set_cookie),
             "infrashare_session=%s; Path=/; HttpOnly; SameSite=Strict; "
             "Max-Age=%d%s",
             cookie, AUTH_SESSION_TTL, r->app->cookie_secure ? "; Secure" : "");
    char exp[UTIL_TIME_LEN];
    util_time_rfc3339(now + AUTH_SESSION_TTL, exp);
    out->body = json_pack("{s:o,s:s,s:s}", "user", me_json(&a), "csrf_token",
                          a.csrf, "expires_at", exp);
    out->status = 201;
    return 201;
}

static int h_session_get(struct http_req *r, struct http_resp *out)
{
    out->body = json_pack("{s:o,s:s?}", "user", me_json(&r->auth), "csrf_token",
                          r->auth.via_session ? r->auth.csrf : NULL);
    return 200;
}

static int h_logout(struct http_req *r, struct http_resp *out)
{
    if (!r->auth.via_session)
        return http_error(out, 400, "not_a_session", NULL,
                          "signed in with an API token; revoke the token "
                          "instead (DELETE /api/v1/tokens/{id})");
    int rc = auth_logout(r->sc, r->cookie, &r->auth, app_now(r->app));
    if (rc)
        return http_fail(out, rc);
    snprintf(out->set_cookie, sizeof(out->set_cookie),
             "infrashare_session=; Path=/; HttpOnly; SameSite=Strict; "
             "Max-Age=0");
    out->body = json_pack("{s:b}", "signed_out", 1);
    return 200;
}

static const struct jv_field lang_body[] = {
    {.name = "lang",
     .type = JV_STRING,
     .required = true,
     .max_len = 2,
     .enum_values = (const char *const[]){"ja", "en", NULL}},
};

static int h_session_lang(struct http_req *r, struct http_resp *out)
{
    const char *lang = jv_str(r->json, "lang");
    int rc = auth_set_lang(r->sc, &r->auth, lang);
    if (rc)
        return http_fail(out, rc);
    out->body = json_pack("{s:o}", "user", me_json(&r->auth));
    return 200;
}

/* ---- API tokens ---- */

static const struct jv_field token_body[] = {
    {.name = "name",
     .type = JV_STRING,
     .required = true,
     .max_len = 100,
     .nonblank = true,
     .one_line = true},
    {.name = "expires_in_days", .type = JV_INT, .min = 1, .max = 3650},
    {.name = "username", .type = JV_STRING, .max_len = 64},
};

static int h_token_create(struct http_req *r, struct http_resp *out)
{
    int64_t now = app_now(r->app);
    int64_t uid = r->auth.user_id;
    const char *uname = jv_str(r->json, "username");
    if (uname && strcmp(uname, r->auth.username) != 0) {
        /* tokens for another user: hub admins only (service accounts) */
        if (!(r->auth.roles & ROLE_ADMIN))
            return http_error(out, 403, "forbidden", "username",
                              "username: only an admin may create tokens "
                              "for another user");
        int rc = auth_user_id(r->sc, uname, &uid);
        if (rc == IS_ERR_NOTFOUND)
            return http_error(out, 400, "invalid_value", "username",
                              "username: no such user");
        if (rc)
            return http_fail(out, rc);
    }
    long long days = jv_int(r->json, "expires_in_days", 0);
    int64_t expires = days ? now + days * 86400 : 0;
    char token[AUTH_TOKEN_LEN], id[33];
    int rc = auth_token_create(r->sc, &r->auth, uid, jv_str(r->json, "name"),
                               &expires, now, token, id);
    if (rc)
        return http_fail(out, rc);
    char exp[UTIL_TIME_LEN];
    util_time_rfc3339(expires, exp);
    out->body =
        json_pack("{s:s,s:s,s:s,s:s?,s:s}", "id", id, "token", token, "name",
                  jv_str(r->json, "name"), "expires_at", expires ? exp : NULL,
                  "note", "shown once: store it now");
    out->status = 201;
    snprintf(out->location, sizeof(out->location), "/api/v1/tokens/%s", id);
    return 201;
}

static int h_tokens_list(struct http_req *r, struct http_resp *out)
{
    json_t *items;
    int rc = auth_tokens_json(r->sc, r->auth.user_id, &items);
    if (rc)
        return http_fail(out, rc);
    out->body = json_pack("{s:o}", "items", items);
    return 200;
}

static int h_token_get(struct http_req *r, struct http_resp *out)
{
    const char *id = r->params[0];
    if (strlen(id) != 32)
        return http_fail(out, IS_ERR_NOTFOUND);
    json_t *t;
    int rc = auth_token_json(r->sc, &r->auth, id, &t);
    if (rc)
        return http_fail(out, rc);
    out->body = t;
    return 200;
}

static int h_token_revoke(struct http_req *r, struct http_resp *out)
{
    const char *id = r->params[0];
    if (strlen(id) != 32)
        return http_fail(out, IS_ERR_NOTFOUND);
    int rc = auth_token_revoke(r->sc, &r->auth, id, app_now(r->app));
    if (rc)
        return http_fail(out, rc);
    out->body = json_pack("{s:s,s:b}", "id", id, "revoked", 1);
    return 200;
}

/* ---- registry ---- */

static int h_sectors(struct http_req *r, struct http_resp *out)
{
    json_t *items;
    int rc = registry_sectors_json(r->sc, &items);
    if (rc)
        return http_fail(out, rc);
    out->body = json_pack("{s:o}", "items", items);
    return 200;
}

/* Decodes a hex cursor into out; false when malformed. */
static bool cursor_decode(const char *hex, char *out, size_t outlen)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 >= outlen)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char ch = hex[2 * i + (size_t)k];
            v <<= 4;
            if (ch >= '0' && ch <= '9')
                v |= (unsigned)(ch - '0');
            else if (ch >= 'a' && ch <= 'f')
                v |= (unsigned)(ch - 'a' + 10);
            else
                return false;
        }
        if (v == 0)
            return false;
        out[i] = (char)v;
    }
    out[n / 2] = '\0';
    return true;
}

static int h_orgs(struct http_req *r, struct http_resp *out)
{
    struct store_org_filter f = {0};
    struct jv_error je;
    static const char *const qs[] = {"kind", "scope", "ceptoar"};
    const char *vals[3];
    for (int i = 0; i < 3; i++) {
        vals[i] = http_query(r, qs[i]);
        if (vals[i] && jv_check_text(qs[i], vals[i], ID_MAX, &je))
            return http_error(out, 400, je.code, je.field, "%s", je.message);
    }
    if (vals[0] && !org_kind_valid(vals[0]))
        return http_error(out, 400, "invalid_value", "kind",
                          "kind: one of nisc, ministry, ceptoar, council, "
                          "agency, operator");
    f.kind = vals[0];
    f.scope = vals[1];
    f.ceptoar = vals[2];
    if (http_limit(r, out, 50, 500, &f.limit))
        return 400;
    char after[128];
    const char *cur = http_query(r, "cursor");
    if (cur) {
        /* the decoded bytes are an organisation's id: text, or no
         * cursor this hub returned (PostgreSQL refuses other bytes) */
        if (!cursor_decode(cur, after, sizeof(after)) ||
            !util_utf8_ok(after, strlen(after)))
            return http_error(out, 400, "invalid_value", "cursor",
                              "cursor: not a cursor this hub returned");
        f.after = after;
    }
    f.view = access_org_view(&r->auth.org, r->auth.roles);
    f.viewer_org = r->auth.org.id;
    json_t *items;
    char *next = NULL;
    int rc = registry_orgs_json(r->sc, &f, &items, &next);
    if (rc)
        return http_fail(out, rc);
    json_t *body = json_pack("{s:o}", "items", items);
    if (next) {
        char hex[2 * 128 + 1];
        util_hex(hex, (const unsigned char *)next, strlen(next));
        json_object_set_new(body, "next_cursor", json_string(hex));
        free(next);
    } else {
        json_object_set_new(body, "next_cursor", json_null());
    }
    out->body = body;
    return 200;
}

/* Resolves {id} to an organisation the caller may see; 404 otherwise. */
static int visible_org(struct http_req *r, struct http_resp *out,
                       struct access_org *target)
{
    const char *id = r->params[0];
    if (strlen(id) > ID_MAX)
        return http_fail(out, IS_ERR_NOTFOUND);
    int rc =
        registry_org_visible(r->sc, &r->auth.org, r->auth.roles, id, target);
    return rc ? http_fail(out, rc) : 0;
}

static int h_org(struct http_req *r, struct http_resp *out)
{
    struct access_org target;
    if (visible_org(r, out, &target))
        return out->status;
    json_t *o;
    int rc = registry_org_json(r->sc, target.id, &o);
    if (rc)
        return http_fail(out, rc);
    out->body = o;
    return 200;
}

/* Users and contacts of an organisation: its org admins and hub admins. */
static int own_org_admin(struct http_req *r, struct http_resp *out,
                         struct access_org *target)
{
    if (visible_org(r, out, target))
        return out->status;
    bool own = strcmp(target->id, r->auth.org.id) == 0 &&
               (r->auth.roles & ROLE_ORG_ADMIN);
    if (!own && !(r->auth.roles & ROLE_ADMIN))
        return http_fail(out, IS_ERR_NOTFOUND);
    return 0;
}

static int h_org_users(struct http_req *r, struct http_resp *out)
{
    struct access_org target;
    if (own_org_admin(r, out, &target))
        return out->status;
    json_t *items;
    int rc = auth_users_json(r->sc, target.id, true, &items);
    if (rc)
        return http_fail(out, rc);
    out->body = json_pack("{s:o}", "items", items);
    return 200;
}

static int h_org_contacts(struct http_req *r, struct http_resp *out)
{
    struct access_org target;
    if (own_org_admin(r, out, &target))
        return out->status;
    json_t *items;
    int rc = registry_contacts_json(r->sc, target.id, &items);
    if (rc)
        return http_fail(out, rc);
    out->body = json_pack("{s:o}", "items", items);
    return 200;
}

/* ---- audit ---- */

/* The filters of GET /api/v1/audit and /audit/export into q: actor_org,
 * actor_user, action (a code the hub writes), from and to (RFC 3339,
 * from < to). Non-zero (out filled, 400 naming the field) when one is
 * not valid. */
static int audit_filters(struct http_req *r, struct http_resp *out,
                         struct store_audit_query *q)
{
    const char *org = http_query(r, "actor_org");
    if (org && (!*org || strlen(org) > 63))
        return http_error(out, 400, "invalid_value", "actor_org",
                          "actor_org: an organisation id");
    q->actor_org = org;
    const char *u = http_query(r, "actor_user");
    long user = 0;
    if (u && util_parse_long(u, 1, LONG_MAX, &user))
        return http_error(out, 400, "invalid_value", "actor_user",
                          "actor_user: a user id (integer >= 1)");
    q->actor_user = user;
    const char *act = http_query(r, "action");
    if (act && !audit_action_known(act))
        return http_error(out, 400, "invalid_value", "action",
                          "action: not an action the hub records");
    q->action = act;
    const char *from = http_query(r, "from"), *to = http_query(r, "to");
    if (from && util_time_parse(from, &q->from))
        return http_error(out, 400, "invalid_value", "from",
                          "from: a time (RFC 3339, e.g. "
                          "2026-11-30T00:00:00+09:00)");
    if (to && util_time_parse(to, &q->to))
        return http_error(out, 400, "invalid_value", "to",
                          "to: a time (RFC 3339, e.g. "
                          "2026-12-01T00:00:00+09:00)");
    q->has_from = from != NULL;
    q->has_to = to != NULL;
    if (from && to && q->from >= q->to)
        return http_error(out, 400, "invalid_value", "to",
                          "to: must be later than from");
    return 0;
}

static int h_audit(struct http_req *r, struct http_resp *out)
{
    int limit;
    if (http_limit(r, out, 100, 1000, &limit))
        return 400;
    long after = 0, before = 0;
    const char *a = http_query(r, "after");
    if (a && util_parse_long(a, 0, LONG_MAX, &after))
        return http_error(out, 400, "invalid_value", "after",
                          "after: a sequence number (integer >= 0)");
    const char *b = http_query(r, "before");
    if (b && util_parse_long(b, 1, LONG_MAX, &before))
        return http_error(out, 400, "invalid_value", "before",
                          "before: a sequence number (integer >= 1)");
    struct store_audit_query q = {
        .after = after, .before = before, .limit = limit};
    if (audit_filters(r, out, &q))
        return out->status;
    /* the scope (DOMAIN §8a) is the service's: audit_reads_whole */
    int rc = audit_list(r->sc, &r->auth, &q, &out->body);
    return rc ? http_fail(out, rc) : 200;
}

/* GET /api/v1/audit/export: the entries matching the filters as CSV,
 * with the list's scope */
static int h_audit_export(struct http_req *r, struct http_resp *out)
{
    const char *fmt = http_query(r, "format");
    if (fmt && strcmp(fmt, "csv"))
        return http_error(out, 400, "invalid_value", "format",
                          "format: csv (JSON is GET /api/v1/audit)");
    struct store_audit_query q = {0};
    if (audit_filters(r, out, &q))
        return out->status;
    char *csv;
    size_t len;
    int rc = audit_export_csv(r->sc, &r->auth, &q, &csv, &len);
    if (rc == IS_ERR_TOO_LARGE)
        return http_error(out, 413, "too_large", "from",
                          "more than %d entries: narrow the time range "
                          "(from, to) or the other filters",
                          AUDIT_EXPORT_MAX);
    if (rc)
        return http_fail(out, rc);
    out->raw = csv;
    out->rawlen = len;
    out->ctype = "text/csv; charset=utf-8";
    return 200;
}

static int h_audit_verify(struct http_req *r, struct http_resp *out)
{
    int rc = audit_verify_json(r->sc, &out->body);
    return rc ? http_fail(out, rc) : 200;
}

/* routes_reports.c */
int h_severity_evaluate(struct http_req *r, struct http_resp *out);
int h_catalogue(struct http_req *r, struct http_resp *out);
int h_reports_file(struct http_req *r, struct http_resp *out);
int h_reports_list(struct http_req *r, struct http_resp *out);
int h_reports_counts(struct http_req *r, struct http_resp *out);
int h_reports_unopened(struct http_req *r, struct http_resp *out);
int h_reports_export(struct http_req *r, struct http_resp *out);
int h_report_read(struct http_req *r, struct http_resp *out);
int h_report_update(struct http_req *r, struct http_resp *out);
int h_report_forward(struct http_req *r, struct http_resp *out);
int h_report_note(struct http_req *r, struct http_resp *out);
int h_report_reveal(struct http_req *r, struct http_resp *out);
int h_report_attachment(struct http_req *r, struct http_resp *out);
int h_events_create(struct http_req *r, struct http_resp *out);
int h_events_list(struct http_req *r, struct http_resp *out);
int h_event_read(struct http_req *r, struct http_resp *out);
int h_event_link(struct http_req *r, struct http_resp *out);
int h_policy_get(struct http_req *r, struct http_resp *out);
int h_policy_set(struct http_req *r, struct http_resp *out);

/* routes_provision.c */
int h_adv_issue(struct http_req *r, struct http_resp *out);
int h_adv_list(struct http_req *r, struct http_resp *out);
int h_adv_read(struct http_req *r, struct http_resp *out);
int h_adv_relay(struct http_req *r, struct http_resp *out);
int h_adv_ack(struct http_req *r, struct http_resp *out);
int h_adv_deliveries(struct http_req *r, struct http_resp *out);
int h_adv_remind(struct http_req *r, struct http_resp *out);
int h_drill_start(struct http_req *r, struct http_resp *out);
int h_drill_report(struct http_req *r, struct http_resp *out);
int h_ack_link(struct http_req *r, struct http_resp *out);

/* routes_lists.c */
int h_lists_of_org(struct http_req *r, struct http_resp *out);
int h_lists_create(struct http_req *r, struct http_resp *out);
int h_lists_read(struct http_req *r, struct http_resp *out);
int h_lists_update(struct http_req *r, struct http_resp *out);
int h_lists_delete(struct http_req *r, struct http_resp *out);
int h_adv_withhold(struct http_req *r, struct http_resp *out);
/* routes_rollcall.c */
int h_adv_answer(struct http_req *r, struct http_resp *out);
int h_adv_board(struct http_req *r, struct http_resp *out);
/* routes_drills.c */
int h_drill_list(struct http_req *r, struct http_resp *out);
int h_drill_summary(struct http_req *r, struct http_resp *out);
int h_drill_confirm(struct http_req *r, struct http_resp *out);
int h_subgroups_list(struct http_req *r, struct http_resp *out);

/* routes_dashboard.c (issue 11) */
int h_dashboard(struct http_req *r, struct http_resp *out);

/* routes_web.c */
int h_web_index(struct http_req *r, struct http_resp *out);
int h_web_asset(struct http_req *r, struct http_resp *out);
int h_web_public(struct http_req *r, struct http_resp *out);
int h_web_public_feed(struct http_req *r, struct http_resp *out);

/* routes_agreements.c */
int h_rules_current(struct http_req *r, struct http_resp *out);
int h_agreements_list(struct http_req *r, struct http_resp *out);
int h_agreements_sign(struct http_req *r, struct http_resp *out);
int h_agreements_withdraw(struct http_req *r, struct http_resp *out);
/* routes_obs.c (issue 12) */
int h_obs_push(struct http_req *r, struct http_resp *out);
int h_obs_site_series(struct http_req *r, struct http_resp *out);
int h_obs_alerts(struct http_req *r, struct http_resp *out);
int h_obs_alert_advisory(struct http_req *r, struct http_resp *out);
int h_obs_heatmap(struct http_req *r, struct http_resp *out);
int h_obs_sectors(struct http_req *r, struct http_resp *out);
/* routes_declarations.c */
int h_decl_declare(struct http_req *r, struct http_resp *out);
int h_decl_list(struct http_req *r, struct http_resp *out);
int h_decl_read(struct http_req *r, struct http_resp *out);
int h_decl_end(struct http_req *r, struct http_resp *out);

/* routes_sites.c (issue 12: website observation, registration) */
int h_sites_register(struct http_req *r, struct http_resp *out);
int h_sites_list(struct http_req *r, struct http_resp *out);
int h_sites_read(struct http_req *r, struct http_resp *out);
int h_sites_update(struct http_req *r, struct http_resp *out);
int h_sites_delete(struct http_req *r, struct http_resp *out);
int h_sites_maintenance(struct http_req *r, struct http_resp *out);
int h_obs_participant_join(struct http_req *r, struct http_resp *out);
int h_obs_participants(struct http_req *r, struct http_resp *out);
int h_obs_vantage_add(struct http_req *r, struct http_resp *out);
int h_obs_vantages(struct http_req *r, struct http_resp *out);
int h_obs_assignments(struct http_req *r, struct http_resp *out);

/* routes_c4tap.c (issue 13: C4TAP) */
int h_c4tap_me(struct http_req *r, struct http_resp *out);
int h_c4tap_participants(struct http_req *r, struct http_resp *out);
int h_c4tap_join(struct http_req *r, struct http_resp *out);
int h_c4tap_withdraw(struct http_req *r, struct http_resp *out);
int h_c4tap_handlers(struct http_req *r, struct http_resp *out);
int h_c4tap_handler_add(struct http_req *r, struct http_resp *out);
int h_c4tap_handler_remove(struct http_req *r, struct http_resp *out);
int h_c4tap_defaults(struct http_req *r, struct http_resp *out);
int h_c4tap_submit(struct http_req *r, struct http_resp *out);
int h_c4tap_intake(struct http_req *r, struct http_resp *out);
int h_c4tap_intake_token(struct http_req *r, struct http_resp *out);
int h_c4tap_submissions(struct http_req *r, struct http_resp *out);
int h_c4tap_submission(struct http_req *r, struct http_resp *out);
int h_c4tap_ranges(struct http_req *r, struct http_resp *out);
int h_c4tap_original(struct http_req *r, struct http_resp *out);
int h_c4tap_campaigns(struct http_req *r, struct http_resp *out);
int h_c4tap_campaign(struct http_req *r, struct http_resp *out);
int h_c4tap_campaign_note(struct http_req *r, struct http_resp *out);
int h_c4tap_campaign_merge(struct http_req *r, struct http_resp *out);
int h_c4tap_campaign_split(struct http_req *r, struct http_resp *out);
int h_c4tap_campaign_advisory(struct http_req *r, struct http_resp *out);
int h_c4tap_lookup(struct http_req *r, struct http_resp *out);
int h_c4tap_export(struct http_req *r, struct http_resp *out);
/* routes_exercises.c (issue 14: cross-sector exercises) */
int h_exercise_list(struct http_req *r, struct http_resp *out);
int h_exercise_create(struct http_req *r, struct http_resp *out);
int h_exercise_get(struct http_req *r, struct http_resp *out);
int h_exercise_participants_add(struct http_req *r, struct http_resp *out);
int h_exercise_participant_put(struct http_req *r, struct http_resp *out);
int h_exercise_participant_delete(struct http_req *r, struct http_resp *out);
int h_exercise_checklist(struct http_req *r, struct http_resp *out);
int h_exercise_control(struct http_req *r, struct http_resp *out);
int h_exercise_board(struct http_req *r, struct http_resp *out);
int h_exercise_bcp(struct http_req *r, struct http_resp *out);
int h_exercise_answer(struct http_req *r, struct http_resp *out);
int h_exercise_note(struct http_req *r, struct http_resp *out);
int h_exercise_report(struct http_req *r, struct http_resp *out);
int h_exercise_debrief(struct http_req *r, struct http_resp *out);
/* routes_depend.c (issue 15: interdependency and cascade suggestions) */
int h_dependencies_get(struct http_req *r, struct http_resp *out);
int h_dependencies_put(struct http_req *r, struct http_resp *out);
int h_event_cascade(struct http_req *r, struct http_resp *out);
int h_event_cascade_advisory(struct http_req *r, struct http_resp *out);
int h_report_cascade(struct http_req *r, struct http_resp *out);
int h_report_cascade_advisory(struct http_req *r, struct http_resp *out);
int h_obs_alert_cascade(struct http_req *r, struct http_resp *out);
int h_obs_alert_cascade_advisory(struct http_req *r, struct http_resp *out);
/* routes_surveys.c (issue 15: the guideline catalogue, the annual
 * survey, CP/BCP readiness) */
int h_guideline_get(struct http_req *r, struct http_resp *out);
int h_surveys_list(struct http_req *r, struct http_resp *out);
int h_survey_create(struct http_req *r, struct http_resp *out);
int h_survey_get(struct http_req *r, struct http_resp *out);
int h_survey_answers_post(struct http_req *r, struct http_resp *out);
int h_survey_answers_get(struct http_req *r, struct http_resp *out);
int h_survey_attachment_post(struct http_req *r, struct http_resp *out);
int h_survey_attachment_get(struct http_req *r, struct http_resp *out);
int h_survey_attachment_delete(struct http_req *r, struct http_resp *out);
int h_survey_progress(struct http_req *r, struct http_resp *out);
int h_survey_remind(struct http_req *r, struct http_resp *out);
int h_survey_close(struct http_req *r, struct http_resp *out);
int h_survey_aggregates(struct http_req *r, struct http_resp *out);
int h_survey_report(struct http_req *r, struct http_resp *out);
int h_bcp_get(struct http_req *r, struct http_resp *out);
/* routes_depend.c too (issue 16: STIX 2.1) */
int h_advisory_stix(struct http_req *r, struct http_resp *out);
/* issue 16: TAXII 2.1 (routes_taxii.c) */
int h_taxii_discovery(struct http_req *r, struct http_resp *out);
int h_taxii_api_root(struct http_req *r, struct http_resp *out);
int h_taxii_collections(struct http_req *r, struct http_resp *out);
int h_taxii_collection(struct http_req *r, struct http_resp *out);
int h_taxii_objects(struct http_req *r, struct http_resp *out);
int h_taxii_add(struct http_req *r, struct http_resp *out);
int h_taxii_object(struct http_req *r, struct http_resp *out);
int h_taxii_versions(struct http_req *r, struct http_resp *out);
int h_taxii_manifest(struct http_req *r, struct http_resp *out);
int h_taxii_status(struct http_req *r, struct http_resp *out);
int h_taxii_peers(struct http_req *r, struct http_resp *out);
int h_taxii_peer_add(struct http_req *r, struct http_resp *out);
int h_taxii_peer_remove(struct http_req *r, struct http_resp *out);
int h_taxii_peer_sync(struct http_req *r, struct http_resp *out);
int h_taxii_peer_log(struct http_req *r, struct http_resp *out);
int h_report_stix(struct http_req *r, struct http_resp *out);
int h_event_stix(struct http_req *r, struct http_resp *out);
int h_c4tap_stix(struct http_req *r, struct http_resp *out);
int h_obs_alert_stix(struct http_req *r, struct http_resp *out);
int h_bcp_put(struct http_req *r, struct http_resp *out);
/* routes_risks.c (issue 15: the risk register) */
int h_risks_list(struct http_req *r, struct http_resp *out);
int h_risk_create(struct http_req *r, struct http_resp *out);
int h_risks_heatmap(struct http_req *r, struct http_resp *out);
int h_risks_scale_get(struct http_req *r, struct http_resp *out);
int h_risks_scale_put(struct http_req *r, struct http_resp *out);
int h_risk_get(struct http_req *r, struct http_resp *out);
int h_risk_update(struct http_req *r, struct http_resp *out);
int h_risk_history(struct http_req *r, struct http_resp *out);

#define BODY(spec) .body = spec, .nbody = IS_ARRAY_LEN(spec)
#define PBODY(name) .body = provision_##name##_spec, .nbody = JV_UNTIL_NULL
#define SBODY(name) .body = reporting_##name##_spec, .nbody = JV_UNTIL_NULL
#define ABODY(name) .body = agreements_##name##_spec, .nbody = JV_UNTIL_NULL
#define LBODY(name) .body = lists_##name##_spec, .nbody = JV_UNTIL_NULL
#define DBODY(name) .body = declaration_##name##_spec, .nbody = JV_UNTIL_NULL
#define RBODY(name) .body = rollcall_##name##_spec, .nbody = JV_UNTIL_NULL
#define OBODY(name) .body = sites_##name##_spec, .nbody = JV_UNTIL_NULL
#define CBODY(name) .body = c4tap_##name##_spec, .nbody = JV_UNTIL_NULL
#define SVBODY(name) .body = survey_##name##_spec, .nbody = JV_UNTIL_NULL
#define XBODY(name) .body = exercise_##name##_spec, .nbody = JV_UNTIL_NULL

const struct http_route http_routes[] = {
    {.method = "GET",
     .pattern = "/healthz",
     .auth = HTTP_PUBLIC,
     .fn = h_healthz},
    {.method = "GET",
     .pattern = "/readyz",
     .auth = HTTP_PUBLIC,
     .fn = h_readyz},
    {.method = "GET",
     .pattern = "/metrics",
     .auth = HTTP_PUBLIC,
     .fn = h_metrics},
    {.method = "GET",
     .pattern = "/api/v1/openapi.json",
     .auth = HTTP_PUBLIC,
     .fn = h_openapi},
    {.method = "POST",
     .pattern = "/api/v1/session",
     .auth = HTTP_PUBLIC,
     BODY(session_body),
     .fn = h_login,
     .max_body = 8192},
    {.method = "GET",
     .pattern = "/api/v1/session",
     .auth = HTTP_AUTHED,
     .fn = h_session_get},
    {.method = "DELETE",
     .pattern = "/api/v1/session",
     .auth = HTTP_AUTHED,
     .fn = h_logout},
    {.method = "POST",
     .pattern = "/api/v1/session/lang",
     .auth = HTTP_AUTHED,
     BODY(lang_body),
     .fn = h_session_lang,
     .max_body = 1024},
    {.method = "POST",
     .pattern = "/api/v1/tokens",
     .auth = HTTP_AUTHED,
     BODY(token_body),
     .fn = h_token_create,
     .max_body = 8192},
    {.method = "GET",
     .pattern = "/api/v1/tokens",
     .auth = HTTP_AUTHED,
     .fn = h_tokens_list},
    {.method = "GET",
     .pattern = "/api/v1/tokens/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_token_get},
    {.method = "DELETE",
     .pattern = "/api/v1/tokens/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_token_revoke},
    {.method = "GET",
     .pattern = "/api/v1/sectors",
     .auth = HTTP_PUBLIC,
     .fn = h_sectors},
    {.method = "GET",
     .pattern = "/api/v1/orgs",
     .auth = HTTP_AUTHED,
     .fn = h_orgs},
    {.method = "GET",
     .pattern = "/api/v1/orgs/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_org},
    {.method = "GET",
     .pattern = "/api/v1/orgs/{id}/users",
     .auth = HTTP_AUTHED,
     .fn = h_org_users},
    {.method = "GET",
     .pattern = "/api/v1/orgs/{id}/contacts",
     .auth = HTTP_AUTHED,
     .fn = h_org_contacts},
    {.method = "GET",
     .pattern = "/api/v1/orgs/{id}/policy",
     .auth = HTTP_AUTHED,
     .fn = h_policy_get},
    {.method = "PUT",
     .pattern = "/api/v1/orgs/{id}/policy",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_ADMIN,
     SBODY(policy),
     .fn = h_policy_set,
     .max_body = 4096},
    {.method = "POST",
     .pattern = "/api/v1/severity/evaluate",
     .auth = HTTP_AUTHED,
     SBODY(facts),
     .fn = h_severity_evaluate,
     .max_body = 16384},
    {.method = "GET",
     .pattern = "/api/v1/catalogue",
     .auth = HTTP_AUTHED,
     .fn = h_catalogue},
    {.method = "POST",
     .pattern = "/api/v1/reports",
     .auth = HTTP_AUTHED,
     .roles = ROLE_REPORTER,
     SBODY(file),
     .fn = h_reports_file,
     .max_body = REPORT_MAX_BODY},
    {.method = "GET",
     .pattern = "/api/v1/reports",
     .auth = HTTP_AUTHED,
     .fn = h_reports_list},
    {.method = "GET",
     .pattern = "/api/v1/reports/counts",
     .auth = HTTP_AUTHED,
     .fn = h_reports_counts},
    {.method = "GET",
     .pattern = "/api/v1/reports/export",
     .auth = HTTP_AUTHED,
     .fn = h_reports_export},
    {.method = "GET",
     .pattern = "/api/v1/reports/unopened",
     .auth = HTTP_AUTHED,
     .fn = h_reports_unopened},
    {.method = "GET",
     .pattern = "/api/v1/reports/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_report_read},
    {.method = "POST",
     .pattern = "/api/v1/reports/{id}/updates",
     .auth = HTTP_AUTHED,
     .roles = ROLE_REPORTER,
     SBODY(update),
     .fn = h_report_update,
     .max_body = REPORT_MAX_BODY},
    {.method = "POST",
     .pattern = "/api/v1/reports/{id}/forward",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON | ROLE_ANALYST,
     SBODY(forward),
     .fn = h_report_forward,
     .max_body = 32768},
    {.method = "POST",
     .pattern = "/api/v1/reports/{id}/notes",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON | ROLE_ANALYST,
     SBODY(note),
     .fn = h_report_note,
     .max_body = 32768},
    {.method = "POST",
     .pattern = "/api/v1/reports/{id}/reveal",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON | ROLE_ANALYST,
     SBODY(reveal),
     .fn = h_report_reveal,
     .max_body = 4096},
    {.method = "GET",
     .pattern = "/api/v1/reports/{id}/attachments/{att}",
     .auth = HTTP_AUTHED,
     .fn = h_report_attachment},
    {.method = "POST",
     .pattern = "/api/v1/events",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ANALYST,
     SBODY(event),
     .fn = h_events_create,
     .max_body = 65536},
    {.method = "GET",
     .pattern = "/api/v1/events",
     .auth = HTTP_AUTHED,
     .fn = h_events_list},
    {.method = "GET",
     .pattern = "/api/v1/events/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_event_read},
    {.method = "POST",
     .pattern = "/api/v1/events/{id}/reports",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ANALYST,
     SBODY(link),
     .fn = h_event_link,
     .max_body = 4096},
    {.method = "POST",
     .pattern = "/api/v1/advisories",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON | ROLE_ANALYST,
     PBODY(issue),
     .fn = h_adv_issue,
     .max_body = 262144},
    {.method = "GET",
     .pattern = "/api/v1/advisories",
     .auth = HTTP_AUTHED,
     .fn = h_adv_list},
    {.method = "GET",
     .pattern = "/api/v1/advisories/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_adv_read},
    {.method = "POST",
     .pattern = "/api/v1/advisories/{id}/relay",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON | ROLE_ANALYST,
     PBODY(relay),
     .fn = h_adv_relay,
     .max_body = 32768},
    {.method = "POST",
     .pattern = "/api/v1/advisories/{id}/ack",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON,
     .fn = h_adv_ack},
    {.method = "GET",
     .pattern = "/api/v1/advisories/{id}/deliveries",
     .auth = HTTP_AUTHED,
     .fn = h_adv_deliveries},
    {.method = "POST",
     .pattern = "/api/v1/advisories/{id}/remind",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON | ROLE_ANALYST,
     PBODY(remind),
     .fn = h_adv_remind,
     .max_body = 262144},
    {.method = "POST",
     .pattern = "/api/v1/drills",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON | ROLE_ANALYST,
     PBODY(drill),
     .fn = h_drill_start,
     .max_body = 131072},
    {.method = "GET",
     .pattern = "/api/v1/drills/{id}/report",
     .auth = HTTP_AUTHED,
     .fn = h_drill_report},
    {.method = "GET",
     .pattern = "/ack/{token}",
     .auth = HTTP_PUBLIC,
     .fn = h_ack_link},
    {.method = "POST",
     .pattern = "/ack/{token}",
     .auth = HTTP_PUBLIC,
     .fn = h_ack_link,
     .form = true,
     .max_body = 131072},
    {.method = "GET", .pattern = "/", .auth = HTTP_PUBLIC, .fn = h_web_index},
    {.method = "GET",
     .pattern = "/ui/{file}",
     .auth = HTTP_PUBLIC,
     .fn = h_web_asset},
    {.method = "GET",
     .pattern = "/public",
     .auth = HTTP_PUBLIC,
     .fn = h_web_public},
    {.method = "GET",
     .pattern = "/public/feed.atom",
     .auth = HTTP_PUBLIC,
     .fn = h_web_public_feed},
    {.method = "GET",
     .pattern = "/api/v1/audit",
     .auth = HTTP_AUTHED,
     .roles = ROLE_AUDITOR,
     .fn = h_audit},
    {.method = "GET",
     .pattern = "/api/v1/audit/export",
     .auth = HTTP_AUTHED,
     .roles = ROLE_AUDITOR,
     .fn = h_audit_export},
    {.method = "GET",
     .pattern = "/api/v1/audit/verify",
     .auth = HTTP_AUTHED,
     .roles = ROLE_AUDITOR,
     .fn = h_audit_verify},
    /* handling-rule agreements (routes_agreements.c) */
    {.method = "GET",
     .pattern = "/api/v1/handling-rules",
     .auth = HTTP_AUTHED,
     .fn = h_rules_current},
    {.method = "GET",
     .pattern = "/api/v1/orgs/{id}/agreements",
     .auth = HTTP_AUTHED,
     .fn = h_agreements_list},
    {.method = "POST",
     .pattern = "/api/v1/orgs/{id}/agreements",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_ADMIN,
     ABODY(sign),
     .fn = h_agreements_sign,
     .max_body = 1024},
    {.method = "POST",
     .pattern = "/api/v1/orgs/{id}/agreements/{aid}/withdraw",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_ADMIN,
     .fn = h_agreements_withdraw},
    /* distribution lists and withholding (routes_lists.c) */
    {.method = "GET",
     .pattern = "/api/v1/orgs/{id}/lists",
     .auth = HTTP_AUTHED,
     .fn = h_lists_of_org},
    {.method = "POST",
     .pattern = "/api/v1/orgs/{id}/lists",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_ADMIN,
     LBODY(create),
     .fn = h_lists_create,
     .max_body = 262144},
    {.method = "GET",
     .pattern = "/api/v1/orgs/{id}/lists/{list}",
     .auth = HTTP_AUTHED,
     .fn = h_lists_read},
    {.method = "PUT",
     .pattern = "/api/v1/orgs/{id}/lists/{list}",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_ADMIN,
     LBODY(update),
     .fn = h_lists_update,
     .max_body = 262144},
    {.method = "DELETE",
     .pattern = "/api/v1/orgs/{id}/lists/{list}",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_ADMIN,
     .fn = h_lists_delete},
    {.method = "POST",
     .pattern = "/api/v1/advisories/{id}/withhold",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON | ROLE_ANALYST,
     LBODY(withhold),
     .fn = h_adv_withhold,
     .max_body = 16384},
    {.method = "POST",
     .pattern = "/api/v1/declarations",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ANALYST,
     DBODY(declare),
     .fn = h_decl_declare,
     .max_body = 65536},
    {.method = "GET",
     .pattern = "/api/v1/declarations",
     .auth = HTTP_AUTHED,
     .fn = h_decl_list},
    {.method = "GET",
     .pattern = "/api/v1/declarations/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_decl_read},
    {.method = "POST",
     .pattern = "/api/v1/declarations/{id}/end",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ANALYST,
     .fn = h_decl_end},
    {.method = "POST",
     .pattern = "/api/v1/advisories/{id}/answers",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON,
     RBODY(answer),
     .fn = h_adv_answer,
     .max_body = 131072},
    {.method = "GET",
     .pattern = "/api/v1/advisories/{id}/answers",
     .auth = HTTP_AUTHED,
     .fn = h_adv_board},
    /* the drill programme (routes_drills.c) */
    {.method = "GET",
     .pattern = "/api/v1/drills",
     .auth = HTTP_AUTHED,
     .fn = h_drill_list},
    {.method = "GET",
     .pattern = "/api/v1/drills/summary",
     .auth = HTTP_AUTHED,
     .fn = h_drill_summary},
    {.method = "POST",
     .pattern = "/api/v1/drills/{id}/confirm",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON | ROLE_ORG_ADMIN,
     .fn = h_drill_confirm},
    {.method = "GET",
     .pattern = "/api/v1/subgroups",
     .auth = HTTP_AUTHED,
     .fn = h_subgroups_list},
    /* the operations picture (routes_dashboard.c, issue 11) */
    {.method = "GET",
     .pattern = "/api/v1/dashboard",
     .auth = HTTP_AUTHED,
     .fn = h_dashboard},
    /* website response observation, its data (routes_obs.c, issue 12) */
    {.method = "POST",
     .pattern = "/api/v1/observations",
     .auth = HTTP_PUBLIC, /* the batch's Ed25519 signature authenticates */
     .raw_json = true,
     .fn = h_obs_push,
     .max_body = OBS_BATCH_MAX_BODY},
    {.method = "GET",
     .pattern = "/api/v1/sites/{id}/observations",
     .auth = HTTP_AUTHED,
     .fn = h_obs_site_series},
    {.method = "GET",
     .pattern = "/api/v1/observation/alerts",
     .auth = HTTP_AUTHED,
     .fn = h_obs_alerts},
    {.method = "POST",
     .pattern = "/api/v1/observation/alerts/{id}/advisory",
     .auth = HTTP_AUTHED,
     .roles = ROLE_LIAISON | ROLE_ANALYST,
     .fn = h_obs_alert_advisory},
    {.method = "GET",
     .pattern = "/api/v1/observation/heatmap",
     .auth = HTTP_AUTHED,
     .fn = h_obs_heatmap},
    {.method = "GET",
     .pattern = "/api/v1/observation/sectors",
     .auth = HTTP_AUTHED,
     .fn = h_obs_sectors},
    /* C4TAP (routes_c4tap.c, issue 13) */
    {.method = "GET",
     .pattern = "/api/v1/c4tap/me",
     .auth = HTTP_AUTHED,
     .fn = h_c4tap_me},
    {.method = "GET",
     .pattern = "/api/v1/c4tap/participants",
     .auth = HTTP_AUTHED,
     .fn = h_c4tap_participants},
    {.method = "POST",
     .pattern = "/api/v1/c4tap/participants",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_ADMIN,
     CBODY(join),
     .fn = h_c4tap_join,
     .max_body = 8192},
    {.method = "DELETE",
     .pattern = "/api/v1/c4tap/participants/{org}",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_ADMIN,
     .fn = h_c4tap_withdraw},
    {.method = "GET",
     .pattern = "/api/v1/c4tap/handlers",
     .auth = HTTP_AUTHED,
     .fn = h_c4tap_handlers},
    {.method = "POST",
     .pattern = "/api/v1/c4tap/handlers",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_ADMIN,
     CBODY(handler),
     .fn = h_c4tap_handler_add,
     .max_body = 4096},
    {.method = "DELETE",
     .pattern = "/api/v1/c4tap/handlers/{username}",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_ADMIN,
     .fn = h_c4tap_handler_remove},
    {.method = "PUT",
     .pattern = "/api/v1/c4tap/defaults",
     .auth = HTTP_AUTHED,
     CBODY(defaults),
     .fn = h_c4tap_defaults,
     .max_body = 4096},
    {.method = "POST",
     .pattern = "/api/v1/c4tap/submissions",
     .auth = HTTP_AUTHED,
     CBODY(submit),
     .fn = h_c4tap_submit,
     .max_body = C4TAP_MAX_BODY},
    {.method = "GET",
     .pattern = "/api/v1/c4tap/submissions",
     .auth = HTTP_AUTHED,
     .fn = h_c4tap_submissions},
    {.method = "GET",
     .pattern = "/api/v1/c4tap/submissions/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_c4tap_submission},
    {.method = "PATCH",
     .pattern = "/api/v1/c4tap/submissions/{id}",
     .auth = HTTP_AUTHED,
     CBODY(ranges_update),
     .fn = h_c4tap_ranges,
     .max_body = 4096},
    {.method = "GET",
     .pattern = "/api/v1/c4tap/submissions/{id}/original",
     .auth = HTTP_AUTHED,
     .fn = h_c4tap_original},
    {.method = "POST",
     .pattern = "/api/v1/c4tap/intake",
     .auth = HTTP_PUBLIC,
     CBODY(intake),
     .fn = h_c4tap_intake,
     .precheck = h_c4tap_intake_token,
     .max_body = C4TAP_MAX_BODY},
    {.method = "GET",
     .pattern = "/api/v1/c4tap/campaigns",
     .auth = HTTP_AUTHED,
     .fn = h_c4tap_campaigns},
    {.method = "GET",
     .pattern = "/api/v1/c4tap/campaigns/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_c4tap_campaign},
    {.method = "POST",
     .pattern = "/api/v1/c4tap/campaigns/{id}/notes",
     .auth = HTTP_AUTHED,
     CBODY(note),
     .fn = h_c4tap_campaign_note,
     .max_body = 32768},
    {.method = "POST",
     .pattern = "/api/v1/c4tap/campaigns/{id}/merge",
     .auth = HTTP_AUTHED,
     CBODY(merge),
     .fn = h_c4tap_campaign_merge,
     .max_body = 4096},
    {.method = "POST",
     .pattern = "/api/v1/c4tap/campaigns/{id}/split",
     .auth = HTTP_AUTHED,
     CBODY(split),
     .fn = h_c4tap_campaign_split,
     .max_body = 32768},
    {.method = "POST",
     .pattern = "/api/v1/c4tap/campaigns/{id}/advisory",
     .auth = HTTP_AUTHED,
     CBODY(advisory),
     .fn = h_c4tap_campaign_advisory,
     .max_body = 16384},
    {.method = "GET",
     .pattern = "/api/v1/c4tap/lookup",
     .auth = HTTP_AUTHED,
     .fn = h_c4tap_lookup},
    {.method = "GET",
     .pattern = "/api/v1/c4tap/export",
     .auth = HTTP_AUTHED,
     .fn = h_c4tap_export},
    /* website observation: registration (routes_sites.c, issue 12) */
    {.method = "POST",
     .pattern = "/api/v1/sites",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_LIAISON | ROLE_ANALYST | ROLE_ADMIN,
     OBODY(register),
     .fn = h_sites_register},
    {.method = "GET",
     .pattern = "/api/v1/sites",
     .auth = HTTP_AUTHED,
     .fn = h_sites_list},
    {.method = "GET",
     .pattern = "/api/v1/sites/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_sites_read},
    {.method = "PATCH",
     .pattern = "/api/v1/sites/{id}",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_LIAISON | ROLE_ANALYST | ROLE_ADMIN,
     OBODY(update),
     .fn = h_sites_update},
    {.method = "DELETE",
     .pattern = "/api/v1/sites/{id}",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_LIAISON | ROLE_ANALYST | ROLE_ADMIN,
     .fn = h_sites_delete},
    {.method = "POST",
     .pattern = "/api/v1/sites/{id}/maintenance",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_LIAISON | ROLE_ANALYST | ROLE_ADMIN,
     OBODY(maintenance),
     .fn = h_sites_maintenance},
    {.method = "POST",
     .pattern = "/api/v1/observation/participants",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ORG_ADMIN | ROLE_ANALYST | ROLE_ADMIN,
     OBODY(participant),
     .fn = h_obs_participant_join},
    {.method = "GET",
     .pattern = "/api/v1/observation/participants",
     .auth = HTTP_AUTHED,
     .fn = h_obs_participants},
    {.method = "POST",
     .pattern = "/api/v1/observation/vantages",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ANALYST | ROLE_ADMIN,
     OBODY(vantage),
     .fn = h_obs_vantage_add},
    {.method = "GET",
     .pattern = "/api/v1/observation/vantages",
     .auth = HTTP_AUTHED,
     .fn = h_obs_vantages},
    {.method = "GET",
     .pattern = "/api/v1/observation/assignments",
     .auth = HTTP_AUTHED,
     .vantage = true,
     .fn = h_obs_assignments},
    /* issue 14: cross-sector exercises */
    {.method = "GET",
     .pattern = "/api/v1/exercises",
     .auth = HTTP_AUTHED,
     .fn = h_exercise_list},
    {.method = "POST",
     .pattern = "/api/v1/exercises",
     .auth = HTTP_AUTHED,
     XBODY(create),
     .fn = h_exercise_create},
    {.method = "GET",
     .pattern = "/api/v1/exercises/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_exercise_get},
    {.method = "POST",
     .pattern = "/api/v1/exercises/{id}/participants",
     .auth = HTTP_AUTHED,
     XBODY(participants),
     .fn = h_exercise_participants_add},
    {.method = "PUT",
     .pattern = "/api/v1/exercises/{id}/participants/{org}",
     .auth = HTTP_AUTHED,
     XBODY(participant),
     .fn = h_exercise_participant_put},
    {.method = "DELETE",
     .pattern = "/api/v1/exercises/{id}/participants/{org}",
     .auth = HTTP_AUTHED,
     .fn = h_exercise_participant_delete},
    {.method = "PUT",
     .pattern = "/api/v1/exercises/{id}/checklist",
     .auth = HTTP_AUTHED,
     XBODY(checklist),
     .fn = h_exercise_checklist},
    {.method = "POST",
     .pattern = "/api/v1/exercises/{id}/control",
     .auth = HTTP_AUTHED,
     XBODY(control),
     .fn = h_exercise_control},
    {.method = "GET",
     .pattern = "/api/v1/exercises/{id}/board",
     .auth = HTTP_AUTHED,
     .fn = h_exercise_board},
    {.method = "POST",
     .pattern = "/api/v1/exercises/{id}/bcp",
     .auth = HTTP_AUTHED,
     XBODY(bcp),
     .fn = h_exercise_bcp},
    {.method = "PUT",
     .pattern = "/api/v1/exercises/{id}/questionnaire",
     .auth = HTTP_AUTHED,
     XBODY(answer),
     .fn = h_exercise_answer},
    {.method = "POST",
     .pattern = "/api/v1/exercises/{id}/notes",
     .auth = HTTP_AUTHED,
     XBODY(note),
     .fn = h_exercise_note},
    {.method = "POST",
     .pattern = "/api/v1/exercises/{id}/report",
     .auth = HTTP_AUTHED,
     XBODY(report),
     .fn = h_exercise_report},
    {.method = "GET",
     .pattern = "/api/v1/exercises/{id}/debrief",
     .auth = HTTP_AUTHED,
     .fn = h_exercise_debrief},
    /* issue 15: interdependency and cascade suggestions */
    {.method = "GET",
     .pattern = "/api/v1/dependencies",
     .auth = HTTP_AUTHED,
     .fn = h_dependencies_get},
    {.method = "PUT",
     .pattern = "/api/v1/dependencies",
     .auth = HTTP_AUTHED,
     .body = dependencies_put_spec,
     .nbody = JV_UNTIL_NULL,
     .fn = h_dependencies_put},
    {.method = "GET",
     .pattern = "/api/v1/events/{id}/cascade",
     .auth = HTTP_AUTHED,
     .fn = h_event_cascade},
    {.method = "POST",
     .pattern = "/api/v1/events/{id}/cascade/advisory",
     .auth = HTTP_AUTHED,
     .body = dependencies_advisory_spec,
     .nbody = JV_UNTIL_NULL,
     .fn = h_event_cascade_advisory},
    {.method = "GET",
     .pattern = "/api/v1/reports/{id}/cascade",
     .auth = HTTP_AUTHED,
     .fn = h_report_cascade},
    {.method = "POST",
     .pattern = "/api/v1/reports/{id}/cascade/advisory",
     .auth = HTTP_AUTHED,
     .body = dependencies_advisory_spec,
     .nbody = JV_UNTIL_NULL,
     .fn = h_report_cascade_advisory},
    {.method = "GET",
     .pattern = "/api/v1/observation/alerts/{id}/cascade",
     .auth = HTTP_AUTHED,
     .fn = h_obs_alert_cascade},
    {.method = "POST",
     .pattern = "/api/v1/observation/alerts/{id}/cascade/advisory",
     .auth = HTTP_AUTHED,
     .body = dependencies_advisory_spec,
     .nbody = JV_UNTIL_NULL,
     .fn = h_obs_alert_cascade_advisory},
    /* issue 16: STIX 2.1 */
    {.method = "GET",
     .pattern = "/api/v1/advisories/{id}/stix",
     .auth = HTTP_AUTHED,
     .fn = h_advisory_stix},
    {.method = "GET",
     .pattern = "/api/v1/reports/{id}/stix",
     .auth = HTTP_AUTHED,
     .fn = h_report_stix},
    {.method = "GET",
     .pattern = "/api/v1/events/{id}/stix",
     .auth = HTTP_AUTHED,
     .fn = h_event_stix},
    {.method = "GET",
     .pattern = "/api/v1/c4tap/submissions/{id}/stix",
     .auth = HTTP_AUTHED,
     .fn = h_c4tap_stix},
    {.method = "GET",
     .pattern = "/api/v1/observation/alerts/{id}/stix",
     .auth = HTTP_AUTHED,
     .fn = h_obs_alert_stix},
    /* issue 16: TAXII 2.1 (docs/taxii.md): errors as TAXII error objects,
     * Basic credentials with an API token, Accept and Content-Type of
     * application/taxii+json (server.c) */
    {.method = "GET",
     .pattern = "/taxii2/",
     .auth = HTTP_AUTHED,
     .taxii = true,
     .fn = h_taxii_discovery},
    {.method = "GET",
     .pattern = "/taxii2/infrashare/",
     .auth = HTTP_AUTHED,
     .taxii = true,
     .fn = h_taxii_api_root},
    {.method = "GET",
     .pattern = "/taxii2/infrashare/collections/",
     .auth = HTTP_AUTHED,
     .taxii = true,
     .fn = h_taxii_collections},
    {.method = "GET",
     .pattern = "/taxii2/infrashare/collections/{id}/",
     .auth = HTTP_AUTHED,
     .taxii = true,
     .fn = h_taxii_collection},
    {.method = "GET",
     .pattern = "/taxii2/infrashare/collections/{id}/objects/",
     .auth = HTTP_AUTHED,
     .taxii = true,
     .fn = h_taxii_objects},
    {.method = "POST",
     .pattern = "/taxii2/infrashare/collections/{id}/objects/",
     .auth = HTTP_AUTHED,
     .taxii = true,
     .raw_json = true,
     .max_body = TAXII_MAX_ENVELOPE,
     .fn = h_taxii_add},
    {.method = "GET",
     .pattern = "/taxii2/infrashare/collections/{id}/objects/{obj}/",
     .auth = HTTP_AUTHED,
     .taxii = true,
     .fn = h_taxii_object},
    {.method = "GET",
     .pattern = "/taxii2/infrashare/collections/{id}/objects/{obj}/versions/",
     .auth = HTTP_AUTHED,
     .taxii = true,
     .fn = h_taxii_versions},
    {.method = "GET",
     .pattern = "/taxii2/infrashare/collections/{id}/manifest/",
     .auth = HTTP_AUTHED,
     .taxii = true,
     .fn = h_taxii_manifest},
    {.method = "GET",
     .pattern = "/taxii2/infrashare/status/{id}/",
     .auth = HTTP_AUTHED,
     .taxii = true,
     .fn = h_taxii_status},
    /* issue 16: the TAXII client's peers (service/taxii_sync.h) */
    {.method = "GET",
     .pattern = "/api/v1/taxii/peers",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ADMIN,
     .fn = h_taxii_peers},
    {.method = "POST",
     .pattern = "/api/v1/taxii/peers",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ADMIN,
     .body = taxii_peer_spec,
     .nbody = JV_UNTIL_NULL,
     .fn = h_taxii_peer_add},
    {.method = "DELETE",
     .pattern = "/api/v1/taxii/peers/{id}",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ADMIN,
     .fn = h_taxii_peer_remove},
    {.method = "POST",
     .pattern = "/api/v1/taxii/peers/{id}/sync",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ADMIN,
     .fn = h_taxii_peer_sync},
    {.method = "GET",
     .pattern = "/api/v1/taxii/peers/{id}/log",
     .auth = HTTP_AUTHED,
     .roles = ROLE_ADMIN,
     .fn = h_taxii_peer_log},
    /* issue 15: the guideline catalogue, the annual survey, CP/BCP */
    {.method = "GET",
     .pattern = "/api/v1/guideline",
     .auth = HTTP_AUTHED,
     .fn = h_guideline_get},
    {.method = "GET",
     .pattern = "/api/v1/surveys",
     .auth = HTTP_AUTHED,
     .fn = h_surveys_list},
    {.method = "POST",
     .pattern = "/api/v1/surveys",
     .auth = HTTP_AUTHED,
     SVBODY(create),
     .fn = h_survey_create},
    {.method = "GET",
     .pattern = "/api/v1/surveys/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_survey_get},
    {.method = "POST",
     .pattern = "/api/v1/surveys/{id}/answers",
     .auth = HTTP_AUTHED,
     SVBODY(answers),
     .max_body = 4 * 1024 * 1024,
     .fn = h_survey_answers_post},
    {.method = "GET",
     .pattern = "/api/v1/surveys/{id}/answers",
     .auth = HTTP_AUTHED,
     .fn = h_survey_answers_get},
    {.method = "POST",
     .pattern = "/api/v1/surveys/{id}/attachments",
     .auth = HTTP_AUTHED,
     SVBODY(attachment),
     .max_body = SURVEY_ATTACHMENT_MAX_BODY,
     .fn = h_survey_attachment_post},
    {.method = "GET",
     .pattern = "/api/v1/surveys/{id}/attachments/{att}",
     .auth = HTTP_AUTHED,
     .fn = h_survey_attachment_get},
    {.method = "DELETE",
     .pattern = "/api/v1/surveys/{id}/attachments/{att}",
     .auth = HTTP_AUTHED,
     .fn = h_survey_attachment_delete},
    {.method = "GET",
     .pattern = "/api/v1/surveys/{id}/progress",
     .auth = HTTP_AUTHED,
     .fn = h_survey_progress},
    {.method = "POST",
     .pattern = "/api/v1/surveys/{id}/remind",
     .auth = HTTP_AUTHED,
     SVBODY(remind),
     .fn = h_survey_remind},
    {.method = "POST",
     .pattern = "/api/v1/surveys/{id}/close",
     .auth = HTTP_AUTHED,
     SVBODY(close),
     .fn = h_survey_close},
    {.method = "GET",
     .pattern = "/api/v1/surveys/{id}/aggregates",
     .auth = HTTP_AUTHED,
     .fn = h_survey_aggregates},
    {.method = "GET",
     .pattern = "/api/v1/surveys/{id}/report",
     .auth = HTTP_AUTHED,
     .fn = h_survey_report},
    {.method = "GET",
     .pattern = "/api/v1/bcp-readiness",
     .auth = HTTP_AUTHED,
     .fn = h_bcp_get},
    {.method = "PUT",
     .pattern = "/api/v1/bcp-readiness",
     .auth = HTTP_AUTHED,
     SVBODY(bcp),
     .fn = h_bcp_put},
    /* issue 15: the risk register. The fixed paths (heatmap, scale) come
     * before /api/v1/risks/{id}: the first route matching wins
     * (route_find in server.c) */
    {.method = "GET",
     .pattern = "/api/v1/risks",
     .auth = HTTP_AUTHED,
     .fn = h_risks_list},
    {.method = "POST",
     .pattern = "/api/v1/risks",
     .auth = HTTP_AUTHED,
     .body = risks_create_spec,
     .nbody = JV_UNTIL_NULL,
     .fn = h_risk_create},
    {.method = "GET",
     .pattern = "/api/v1/risks/heatmap",
     .auth = HTTP_AUTHED,
     .fn = h_risks_heatmap},
    {.method = "GET",
     .pattern = "/api/v1/risks/scale",
     .auth = HTTP_AUTHED,
     .fn = h_risks_scale_get},
    {.method = "PUT",
     .pattern = "/api/v1/risks/scale",
     .auth = HTTP_AUTHED,
     .body = risks_scale_spec,
     .nbody = JV_UNTIL_NULL,
     .fn = h_risks_scale_put},
    {.method = "GET",
     .pattern = "/api/v1/risks/{id}",
     .auth = HTTP_AUTHED,
     .fn = h_risk_get},
    {.method = "PUT",
     .pattern = "/api/v1/risks/{id}",
     .auth = HTTP_AUTHED,
     .body = risks_update_spec,
     .nbody = JV_UNTIL_NULL,
     .fn = h_risk_update},
    {.method = "GET",
     .pattern = "/api/v1/risks/{id}/history",
     .auth = HTTP_AUTHED,
     .fn = h_risk_history},
};
const size_t http_nroutes = IS_ARRAY_LEN(http_routes);
