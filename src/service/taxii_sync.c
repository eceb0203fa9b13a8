/*
 * taxii_sync.c - the TAXII 2.1 client (see service/taxii_sync.h).
 */
#include "service/taxii_sync.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "core/roles.h"
#include "core/access.h"
#include "core/stix.h"
#include "core/taxii.h"
#include "deliver/taxii_http.h"
#include "service/lead.h"
#include "service/provision.h"
#include "service/stix.h"
#include "service/taxii.h"
#include "store/store_taxii.h"

static const char *const directions[] = {"pull", "push", "both", NULL};
static const char *const mappings[] = {"objects", "advisories", NULL};

const struct jv_field taxii_peer_spec[] = {
    {.name = "name", .type = JV_STRING, .required = true, .max_len = 200},
    {.name = "org", .type = JV_STRING, .required = true, .max_len = 63},
    {.name = "api_root", .type = JV_STRING, .required = true, .max_len = 512},
    {.name = "collection", .type = JV_STRING, .required = true, .max_len = 128},
    {.name = "direction",
     .type = JV_STRING,
     .required = true,
     .enum_values = directions},
    {.name = "auth_user", .type = JV_STRING, .max_len = 128},
    {.name = "token", .type = JV_STRING, .required = true, .max_len = 256},
    {.name = "interval_s",
     .type = JV_INT,
     .min = 1,
     .max = TAXII_PEER_INTERVAL_MAX},
    {.name = "mapping", .type = JV_STRING, .enum_values = mappings},
    {.name = "audience",
     .type = JV_OBJECT,
     .sub = provision_audience_spec,
     .nsub = PROVISION_AUDIENCE_SPEC_N},
    {.name = NULL},
};

/* One sync at a time (the timer and an admin's "sync now"): a peer's
 * state is read, advanced and written by one run. Across the nodes of a
 * PostgreSQL hub too (store_run_lock): "sync now" runs on the node that
 * takes the request, the schedule on the duty's holder. */
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

static int runs_lock(struct store_conn *c)
{
    pthread_mutex_lock(&run_lock);
    int rc = store_run_lock(c, STORE_RUN_TAXII_PEERS);
    if (rc)
        pthread_mutex_unlock(&run_lock);
    return rc;
}

static void runs_unlock(struct store_conn *c)
{
    store_run_unlock(c, STORE_RUN_TAXII_PEERS);
    pthread_mutex_unlock(&run_lock);
}

static bool is_admin(const struct auth_ctx *who)
{
    return who && (who->roles & ROLE_ADMIN);
}

static int not_admin(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                    "peers are managed by hub administrators");
}

/* ---- the peer's JSON ---- */

static json_t *peer_json(const struct store_taxii_peer *p)
{
    json_t *aud = p->audience[0] ? json_loads(p->audience, 0, NULL) : NULL;
    const char *state = !p->last_run                ? "never"
                        : p->last_ok == p->last_run ? "ok"
                                                    : "failing";
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:o,s:o,s:o,s:o,s:s,s:s,s:s,"
        "s:{s:I,s:I,s:I,s:I,s:I,s:I}}",
        "id", p->id, "name", p->name, "org", p->org, "api_root", p->api_root,
        "collection", p->collection, "direction", p->direction, "auth",
        p->auth_user[0] ? "basic" : "bearer", "interval_s", p->interval_s,
        "created_at", svc_time_json(p->created_at), "last_run",
        svc_time_json(p->last_run), "last_ok", svc_time_json(p->last_ok),
        "next_run", svc_time_json(p->next_run), "state", state, "last_error",
        p->last_error, "pull_after", p->pull_after, "counts", "pulled",
        (json_int_t)p->pulled, "added", (json_int_t)p->added, "duplicates",
        (json_int_t)p->duplicates, "quarantined", (json_int_t)p->quarantined,
        "pushed", (json_int_t)p->pushed, "push_failed",
        (json_int_t)p->push_failed);
    if (o) {
        json_object_set_new(o, "mapping", json_string(p->mapping));
        json_object_set_new(o, "audience", aud ? aud : json_null());
    } else {
        json_decref(aud);
    }
    return o;
}

/* ---- managing peers ---- */

static bool url_ok(const char *u)
{
    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        return false;
    size_t n = strlen(u);
    if (n < 10 || u[n - 1] != '/')
        return false;
    for (const char *p = u; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '\\' || *p == '<' ||
            *p == '>' || (unsigned char)*p >= 0x7f)
            return false;
    return true;
}

static bool name_chars_ok(const char *s, bool token)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (token ? (ch <= ' ' || ch >= 0x7f)
                  : !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
                      ch == '.'))
            return false;
    }
    return true;
}

int taxii_peer_add(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const json_t *body, json_t **out,
                   struct svc_error *e)
{
    if (!is_admin(who))
        return not_admin(e);
    struct store_taxii_peer p = {0};
    const char *name = json_string_value(json_object_get(body, "name"));
    const char *org = json_string_value(json_object_get(body, "org"));
    const char *root = json_string_value(json_object_get(body, "api_root"));
    const char *coll = json_string_value(json_object_get(body, "collection"));
    const char *dir = json_string_value(json_object_get(body, "direction"));
    const json_t *ju = json_object_get(body, "auth_user");
    const char *user = json_is_string(ju) ? json_string_value(ju) : "";
    const char *token = json_string_value(json_object_get(body, "token"));
    const json_t *ji = json_object_get(body, "interval_s");
    int interval = json_is_integer(ji) ? (int)json_integer_value(ji) : 900;
    const json_t *jm = json_object_get(body, "mapping");
    const char *mapping =
        json_is_string(jm) ? json_string_value(jm) : "objects";
    const json_t *aud = json_object_get(body, "audience");
    bool advisories = strcmp(mapping, "advisories") == 0;
    int min = a->test_mode ? 1 : TAXII_PEER_INTERVAL_MIN;
    if (!*name)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "name",
                        "name: must not be empty");
    if (!url_ok(root))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "api_root",
                        "api_root: an http:// or https:// URL of the remote "
                        "API root, ending in '/'");
    if (!name_chars_ok(coll, false))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "collection",
                        "collection: the remote collection's id or alias "
                        "(letters, digits, '-', '_', '.')");
    if (!name_chars_ok(token, true))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "token",
                        "token: printable characters without spaces");
    if (strchr(user, ':') || (*user && !name_chars_ok(user, true)))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "auth_user",
                        "auth_user: printable characters without spaces or "
                        "':'");
    if (interval < min)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "interval_s",
                        "interval_s: at least %d seconds", min);
    struct access_org rel;
    if (store_org_rel(c, org, &rel))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "org",
                        "org: no such organisation in the registry (the "
                        "peer's objects are attributed to it)");
    if (advisories && !json_is_object(aud))
        return svc_fail(e, IS_ERR_INVALID, "missing_field", "audience",
                        "audience: the advisories' audience is needed to "
                        "turn reports into advisories");
    if (!advisories && json_is_object(aud))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "audience",
                        "audience: only for mapping \"advisories\"");
    if (advisories && !access_may_author_advisory(rel.kind))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "org",
                        "org: an organisation of kind %s does not issue "
                        "advisories (NISC, ministries, CEPTOARs, agencies "
                        "do)",
                        rel.kind);
    char *aud_text = advisories ? json_dumps(aud, JSON_COMPACT) : NULL;
    if (advisories && (!aud_text || strlen(aud_text) >= sizeof(p.audience))) {
        free(aud_text);
        return svc_fail(e, IS_ERR_INVALID, "too_long", "audience",
                        "audience: too large");
    }
    if (aud_text)
        memcpy(p.audience, aud_text, strlen(aud_text) + 1);
    free(aud_text);
    memcpy(p.mapping, mapping, strlen(mapping) + 1);
    unsigned char rnd[8];
    char hex[17];
    randombytes_buf(rnd, sizeof(rnd));
    util_hex(hex, rnd, sizeof(rnd));
    int64_t now = app_now(a);
    snprintf(p.id, sizeof(p.id), "T%s", hex);
    if (util_copy(p.name, sizeof(p.name), name) ||
        util_copy(p.org, sizeof(p.org), org) ||
        util_copy(p.api_root, sizeof(p.api_root), root) ||
        util_copy(p.collection, sizeof(p.collection), coll) ||
        util_copy(p.direction, sizeof(p.direction), dir) ||
        util_copy(p.auth_user, sizeof(p.auth_user), user) ||
        util_copy(p.secret, sizeof(p.secret), token))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", NULL,
                        "a value is too long");
    p.interval_s = interval;
    p.created_at = now;
    int rc = store_begin(c);
    if (!rc)
        rc = store_taxii_peer_add(c, &p);
    if (!rc)
        rc = audit_record(c, who, now, "taxii.peer.add", p.id,
                          json_pack("{s:s,s:s,s:s,s:s}", "name", p.name, "org",
                                    p.org, "api_root", p.api_root, "direction",
                                    p.direction));
    if (!rc)
        rc = store_commit(c);
    if (rc) {
        store_rollback(c);
        return svc_fail(e, rc, "internal", NULL, "the peer was not stored");
    }
    p.next_run = now;
    *out = peer_json(&p);
    return IS_OK;
}

static int list_one(const struct store_taxii_peer *p, void *ctx)
{
    json_array_append_new(ctx, peer_json(p));
    return IS_OK;
}

int taxii_peers_list(struct store_conn *c, const struct auth_ctx *who,
                     json_t **out, struct svc_error *e)
{
    if (!is_admin(who))
        return not_admin(e);
    json_t *items = json_array();
    int rc = store_taxii_peers(c, list_one, items);
    if (rc) {
        json_decref(items);
        return svc_fail(e, rc, "internal", NULL, "the peers could not be read");
    }
    *out = json_pack("{s:o}", "items", items);
    return IS_OK;
}

int taxii_peer_remove(struct store_conn *c, const struct auth_ctx *who,
                      const char *id, int64_t now, struct svc_error *e)
{
    if (!is_admin(who))
        return not_admin(e);
    int rc = runs_lock(c);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the peer was not removed");
    rc = store_begin(c);
    if (!rc)
        rc = store_taxii_peer_delete(c, id);
    if (!rc)
        rc = audit_record(c, who, now, "taxii.peer.remove", id, NULL);
    if (!rc)
        rc = store_commit(c);
    if (rc)
        store_rollback(c);
    runs_unlock(c);
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, rc, "not_found", NULL, "no such peer");
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the peer was not removed");
    return IS_OK;
}

static int log_run(int64_t at, const char *direction, bool ok,
                   const char *reason, int64_t objects, int64_t added,
                   int64_t failed, void *ctx)
{
    json_array_append_new(
        ctx, json_pack("{s:o,s:s,s:b,s:s,s:I,s:I,s:I}", "at", svc_time_json(at),
                       "direction", direction, "ok", ok, "reason", reason,
                       "objects", (json_int_t)objects, "added",
                       (json_int_t)added, "failed", (json_int_t)failed));
    return IS_OK;
}

static int log_map(const char *stix_id, const char *state, const char *advisory,
                   const char *reason, int64_t at, void *ctx)
{
    json_array_append_new(ctx,
                          json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", stix_id,
                                    "state", state, "advisory", advisory,
                                    "reason", reason, "at", svc_time_json(at)));
    return IS_OK;
}

static int log_quarantine(int64_t at, const char *stix_id, const char *reason,
                          const char *body, void *ctx)
{
    json_array_append_new(ctx, json_pack("{s:o,s:s,s:s,s:s}", "at",
                                         svc_time_json(at), "id", stix_id,
                                         "reason", reason, "object", body));
    return IS_OK;
}

int taxii_peer_log(struct store_conn *c, const struct auth_ctx *who,
                   const char *id, json_t **out, struct svc_error *e)
{
    if (!is_admin(who))
        return not_admin(e);
    struct store_taxii_peer p;
    int rc = store_taxii_peer_get(c, id, &p);
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, rc, "not_found", NULL, "no such peer");
    json_t *runs = json_array(), *q = json_array(), *m = json_array();
    if (!rc)
        rc = store_taxii_runs(c, id, 50, log_run, runs);
    if (!rc)
        rc = store_taxii_quarantine(c, id, 50, log_quarantine, q);
    if (!rc)
        rc = store_taxii_map_list(c, id, 50, log_map, m);
    if (rc) {
        json_decref(runs);
        json_decref(q);
        json_decref(m);
        return svc_fail(e, rc, "internal", NULL, "the log could not be read");
    }
    *out = json_pack("{s:o,s:o,s:o,s:o}", "peer", peer_json(&p), "runs", runs,
                     "quarantine", q, "advisories", m);
    return IS_OK;
}

/* ---- a run ---- */

struct run {
    const char *direction;
    bool ok;
    char reason[512];
    int64_t objects, added, duplicates, quarantined, failed;
};

static void reason(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void reason(struct run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
    va_end(ap);
    /* a remote server's text is shown as plain text: no control
     * characters */
    for (char *p = r->reason; *p; p++)
        if ((unsigned char)*p < ' ')
            *p = ' ';
}

/* The Authorization value for the peer. */
static void authz_of(const struct store_taxii_peer *p, char *out, size_t len)
{
    if (!p->auth_user[0]) {
        snprintf(out, len, "Bearer %s", p->secret);
        return;
    }
    char plain[400];
    int n = snprintf(plain, sizeof(plain), "%s:%s", p->auth_user, p->secret);
    char b64[560];
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)plain, (size_t)n,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, len, "Basic %s", b64);
    sodium_memzero(plain, sizeof(plain));
}

/* Percent-encodes s (a query value) onto b. */
static void add_escaped(struct buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' ||
            *p == '~')
            buf_add(b, p, 1);
        else
            buf_addf(b, "%%%02X", *p);
    }
}

/* Why an answer is not a usable TAXII one ("" when it is): HTTP status,
 * redirects, media type. */
static bool answer_ok(const struct taxii_http *h, long want, struct run *r,
                      const char *what)
{
    if (h->status >= 300 && h->status < 400) {
        reason(r,
               "%s: the server redirected (HTTP %ld to %.160s); redirects "
               "are not followed",
               what, h->status, h->location[0] ? h->location : "?");
        return false;
    }
    if (h->status != want) {
        /* a TAXII error object's title and description when there is one */
        json_t *j = json_loadb(buf_str(&h->body), h->body.len, 0, NULL);
        const char *t = json_string_value(json_object_get(j, "title"));
        const char *d = json_string_value(json_object_get(j, "description"));
        reason(r, "%s: HTTP %ld%s%.120s%s%.200s", what, h->status,
               t ? ": " : " (not a TAXII error object)", t ? t : "",
               d ? " - " : "", d ? d : "");
        json_decref(j);
        return false;
    }
    if (strncasecmp(h->ctype, "application/taxii+json", 22) != 0 &&
        strncasecmp(h->ctype, "application/json", 16) != 0) {
        reason(r, "%s: the answer is not TAXII JSON (Content-Type: %.100s)",
               what, h->ctype[0] ? h->ctype : "none");
        return false;
    }
    return true;
}

struct held_ctx {
    const char *peer; /* the peer's organisation */
    int64_t ver_us;   /* < 0: any version */
    bool seen;        /* that version, whoever posted it */
    bool mine;        /* a version the peer's organisation posted */
    bool other;       /* a version another organisation posted */
};

static int held_row(const char *poster, const char *community, int range,
                    int own_range, int64_t ver_us, void *ctx)
{
    IS_UNUSED(community);
    IS_UNUSED(range);
    IS_UNUSED(own_range);
    struct held_ctx *h = ctx;
    if (h->ver_us < 0 || ver_us == h->ver_us)
        h->seen = true;
    if (strcmp(poster, h->peer) != 0)
        h->other = true;
    else
        h->mine = true;
    return IS_OK;
}

struct adv_held {
    int64_t ver_us; /* < 0: any version */
    bool any, seen;
};

static int adv_row(const char *src, int64_t ver_us, void *ctx)
{
    IS_UNUSED(src);
    struct adv_held *h = ctx;
    h->any = true;
    if (h->ver_us < 0 || ver_us == h->ver_us)
        h->seen = true;
    return IS_OK;
}

/* Whether this hub holds stix_id in that version, ver_us (< 0: any):
 * in the shared collection, whoever posted it, or among the hub's
 * advisories (one of them coming back from a peer) (*seen); and, for
 * the creator rules, whether an organisation other than peer posted a
 * version of it while peer posted none (*other), and whether it is an
 * object of the hub's advisories (*adv). */
static int held(struct store_conn *c, const char *peer, const char *stix_id,
                int64_t ver_us, bool *seen, bool *other, bool *adv)
{
    struct held_ctx h = {.peer = peer, .ver_us = ver_us};
    struct adv_held a = {.ver_us = ver_us};
    int rc = store_taxii_same_id(c, TAXII_COLL_SHARED, stix_id, held_row, &h);
    if (!rc && !h.seen)
        rc = store_taxii_id_src(c, TAXII_COLL_ADVISORIES, stix_id, adv_row, &a);
    *seen = h.seen || a.seen;
    *other = h.other && !h.mine;
    *adv = a.any;
    return rc;
}

/* Why a new version the peer brings may not be added (NULL: it may):
 * the creator rules of a POST (docs/taxii.md "Versions"), with the peer's
 * organisation as the poster. Only an object's creator makes its
 * versions: not of an id another organisation posted here (unless the
 * peer's organisation has a lineage of it already), nor of one of the
 * hub's advisories; and nothing claims another organisation's identity
 * as this hub makes it. A pull's refusal is seen by the hub's
 * administrators only (the peer's log), so every lineage counts, not only
 * those the peer's organisation may read. *rc: the store failed. */
static const char *creator_refusal(struct store_conn *c,
                                   struct taxii_idents *idents,
                                   const json_t *obj,
                                   const struct taxii_object *o, bool other,
                                   bool adv, int *rc)
{
    int foreign = taxii_claims_other(c, idents, obj, o);
    if (foreign < 0) {
        *rc = IS_ERR_STORE;
        return NULL;
    }
    if (foreign)
        return "created_by_ref, or the identity the object defines, is "
               "another organisation's: an object is created by the "
               "organisation that posts it";
    if (adv)
        return "an object of the hub's advisories: only the hub makes its "
               "versions (STIX 2.1 3.6)";
    return other ? "another organisation's object: only the organisation "
                   "that posted it makes new versions (STIX 2.1 3.6)"
                 : NULL;
}

/* Puts an object the peer brought (text, cut to 64 KiB) into its
 * quarantine with why; *count grows when it was not there already (a
 * feed that keeps serving a bad object: quarantined once). */
static int quarantine(struct store_conn *c, const struct store_taxii_peer *p,
                      int64_t now, const char *id, const char *why, char *text,
                      int64_t *count)
{
    if (strlen(text) > 65536)
        text[65536] = '\0';
    bool fresh = false;
    int rc = store_taxii_quarantine_add(c, p->id, now, id, why, text, &fresh);
    if (fresh)
        (*count)++;
    return rc;
}

/* Imports one page's objects (one transaction): each good object into the
 * shared collection as the peer's organisation's, a bad one into the
 * quarantine with its reason. */
static int import_page(struct app *a, struct store_conn *c,
                       const struct store_taxii_peer *p, const char *community,
                       const json_t *objs, int64_t now, struct run *r)
{
    /* the hub's STIX namespace (made at its first use, in a transaction
     * of its own): the identities the creator rules compare with */
    struct taxii_idents idents = {.own = p->org};
    int rc = stix_namespace_load(c, idents.ns);
    if (!rc)
        rc = store_begin(c);
    int64_t last = 0, added = 0;
    if (!rc)
        rc = store_taxii_last_added(c, TAXII_COLL_SHARED, &last);
    if (!rc) {
        added = taxii_now_micro(a);
        if (added <= last)
            added = last + 1;
    }
    struct run pr = {0};
    size_t i;
    const json_t *obj;
    json_array_foreach (objs, i, obj) {
        if (rc)
            break;
        pr.objects++;
        char why[160];
        struct taxii_object o;
        char *text = json_dumps(obj, JSON_COMPACT);
        if (!text) {
            rc = IS_ERR_NOMEM;
            break;
        }
        bool good = taxii_object_check(obj, &o, why, sizeof(why)) == IS_OK;
        if (good && strlen(text) > TAXII_MAX_OBJECT) {
            good = false;
            snprintf(why, sizeof(why), "larger than %d bytes",
                     TAXII_MAX_OBJECT);
        }
        if (!good) {
            const char *id = json_string_value(json_object_get(obj, "id"));
            rc =
                quarantine(c, p, now, id ? id : "", why, text, &pr.quarantined);
            free(text);
            continue;
        }
        if (strcmp(o.type, "marking-definition") == 0 &&
            taxii_tlp_builtin(o.id)) {
            /* an official TLP definition (2.0, and 1.0 of STIX 2.1
             * 7.2.1.4): built in, never redefined, as for a POST */
            pr.duplicates++;
            free(text);
            continue;
        }
        char vtext[TAXII_TIME_LEN];
        const char *vt = o.version_text;
        int64_t ver = o.version;
        /* an id and version held already, whoever posted it here (this
         * hub's own object coming back from a peer, or one that another
         * peer brought), is a duplicate: a loop adds nothing and changes
         * nobody's reading of it. An object without created or modified
         * (a cyber-observable) has each server's date_added as its
         * version: its id names it. */
        bool seen = false, other = false, adv = false;
        rc = held(c, p->org, o.id, vt ? ver : -1, &seen, &other, &adv);
        if (rc || seen) {
            if (!rc)
                pr.duplicates++;
            free(text);
            if (rc)
                break;
            continue;
        }
        const char *refuse =
            creator_refusal(c, &idents, obj, &o, other, adv, &rc);
        if (!rc && refuse)
            rc = quarantine(c, p, now, o.id, refuse, text, &pr.quarantined);
        if (rc || refuse) {
            free(text);
            if (rc)
                break;
            continue;
        }
        if (!vt) {
            taxii_time_format(added, vtext);
            vt = vtext;
            ver = added;
        }
        struct store_taxii_put put = {.coll = TAXII_COLL_SHARED,
                                      .stix_id = o.id,
                                      .version = vt,
                                      .type = o.type,
                                      .poster = p->org,
                                      .community = community,
                                      .src = NULL,
                                      .body = text,
                                      .ver_us = ver,
                                      .added = added,
                                      .range = o.range};
        int k = store_taxii_put(c, &put);
        /* a new report, to turn into an advisory (in this transaction, so
         * that it is converted exactly once) */
        if (k == IS_OK && strcmp(p->mapping, "advisories") == 0 &&
            strcmp(o.type, "report") == 0)
            k = store_taxii_map_add(c, p->id, o.id, now, text);
        free(text);
        if (k == IS_ERR_CONFLICT)
            pr.duplicates++;
        else if (k == IS_OK)
            pr.added++;
        else
            rc = k;
    }
    taxii_idents_release(&idents);
    if (!rc)
        rc = store_commit(c);
    if (rc) {
        store_rollback(c);
        reason(r,
               "the page could not be stored (error %d): nothing of it "
               "was added",
               rc);
        return rc;
    }
    r->objects += pr.objects;
    r->added += pr.added;
    r->duplicates += pr.duplicates;
    r->quarantined += pr.quarantined;
    return IS_OK;
}

/* Pulls the remote collection's objects added since the last complete
 * pull. A run that stops at its page cap while the remote has more keeps
 * the remote's `next` in resume (the next run goes on from it) and leaves
 * after where it was: after moves, to the last page's
 * X-TAXII-Date-Added-Last, only when a pull reached the end, so objects
 * that share a date_added beyond the cap are not skipped. A saved next
 * the remote no longer takes is dropped (the next run starts again from
 * after: what it held already counts as duplicates). */
/* The hub is stopping (taxii_sync_stop): a run ends at its next page or
 * batch, and no other peer is started, so that a stop never waits for
 * every due peer's pages (each exchange may take up to
 * TAXII_PEER_TIMEOUT_S: a fuzzing run's hub, with dozens of peers of
 * unreachable addresses, took over a minute to stop). What a cut run has
 * done is kept as after a page cap: the next run goes on from there. */
static atomic_bool sync_stopping;

static void pull(struct app *a, struct store_conn *c,
                 const struct store_taxii_peer *p, const struct access_org *org,
                 int64_t now, char after[64], char resume[1024], struct run *r)
{
    r->direction = "pull";
    char authz[700];
    authz_of(p, authz, sizeof(authz));
    char community[ACCESS_MAX_GROUPS * 66 + 70];
    taxii_community(org, community, sizeof(community));
    char next[1024];
    memcpy(next, resume, strlen(resume) + 1);
    bool resumed = next[0] != '\0';
    resume[0] = '\0';
    char last_seen[64] = "";
    for (int page = 0;; page++) {
        if (page == TAXII_PULL_PAGES ||
            (page > 0 && atomic_load(&sync_stopping))) {
            /* the cap: go on from here next run */
            memcpy(resume, next, strlen(next) + 1);
            r->ok = true;
            return;
        }
        struct buf url = BUF_INIT;
        buf_addf(&url, "%scollections/", p->api_root);
        add_escaped(&url, p->collection);
        buf_addf(&url, "/objects/?limit=%d", TAXII_PULL_PAGE);
        if (next[0]) {
            buf_adds(&url, "&next=");
            add_escaped(&url, next);
        } else if (after[0]) {
            buf_adds(&url, "&added_after=");
            add_escaped(&url, after);
        }
        struct taxii_http h;
        int rc = buf_error(&url) ? IS_ERR_NOMEM
                                 : taxii_http(buf_str(&url), authz, NULL, 0,
                                              TAXII_PEER_TIMEOUT_S,
                                              TAXII_PEER_MAX_ANSWER, &h);
        buf_release(&url);
        if (rc) {
            reason(r, "GET objects: %s",
                   rc == IS_ERR_NOMEM ? "out of memory" : h.err);
            taxii_http_release(&h);
            return;
        }
        if (!answer_ok(&h, 200, r, "GET objects")) {
            /* a saved next the remote refuses now: start again from
             * after next run (resume stays empty) */
            if (resumed && page == 0) {
                char was[sizeof(r->reason)];
                memcpy(was, r->reason, sizeof(was));
                reason(r,
                       "%.400s (the page token saved by the last run was "
                       "dropped: the next run starts again)",
                       was);
            }
            taxii_http_release(&h);
            return;
        }
        if (taxii_json_tokens(buf_str(&h.body), h.body.len) >
            TAXII_MAX_TOKENS) {
            reason(r, "GET objects: the answer holds more than %d JSON values",
                   TAXII_MAX_TOKENS);
            taxii_http_release(&h);
            return;
        }
        json_error_t je;
        /* \u0000 is valid JSON: the object holding it is quarantined
         * (taxii_object_check), the page is read on */
        json_t *env =
            json_loadb(buf_str(&h.body), h.body.len, JSON_ALLOW_NUL, &je);
        const json_t *objs = json_object_get(env, "objects");
        const json_t *more = json_object_get(env, "more");
        const char *nx = json_string_value(json_object_get(env, "next"));
        if (!json_is_object(env) || (objs && !json_is_array(objs)) ||
            (more && !json_is_boolean(more))) {
            reason(r, "GET objects: the answer is not a TAXII envelope%s%.100s",
                   env ? "" : ": ", env ? "" : je.text);
            json_decref(env);
            taxii_http_release(&h);
            return;
        }
        if (objs && import_page(a, c, p, community, objs, now, r)) {
            json_decref(env);
            taxii_http_release(&h);
            return;
        }
        if (h.date_last[0] && strlen(h.date_last) < sizeof(last_seen))
            memcpy(last_seen, h.date_last, strlen(h.date_last) + 1);
        bool go = json_is_true(more), stuck = true;
        /* more without a usable next, or the same next again: the
         * remote cannot be read to its end; after stays */
        if (go && (!nx || !*nx || strlen(nx) >= sizeof(next)))
            reason(r, "GET objects: \"more\" is true but %s",
                   !nx || !*nx ? "no \"next\" was given"
                               : "\"next\" is longer than 1023 bytes");
        else if (go && strcmp(nx, next) == 0)
            reason(r, "GET objects: the remote gave the same \"next\" "
                      "twice");
        else if (go) {
            memcpy(next, nx, strlen(nx) + 1);
            stuck = false;
        }
        json_decref(env);
        taxii_http_release(&h);
        if (go && stuck)
            return;
        if (!go)
            break;
    }
    /* the next run asks for what was added after the last object seen
     * (the whole collection was read: objects that share its date_added
     * are all here) */
    if (last_seen[0])
        memcpy(after, last_seen, strlen(last_seen) + 1);
    r->ok = true;
}

struct push_batch {
    const struct store_taxii_peer *p;
    const struct access_org *org;
    struct buf *env;
    int n, scanned;
    int64_t last_seq;
};

static int push_row(const struct store_taxii_row *row, void *ctx)
{
    struct push_batch *x = ctx;
    x->scanned++;
    x->last_seq = row->seq;
    /* never back to where it came from, and only what the peer's
     * organisation may read here */
    if (strcmp(row->poster, x->p->org) == 0 ||
        !taxii_object_decide(x->org, row->range, row->poster, row->community)
             .may_read)
        return 0;
    if (x->n)
        buf_adds(x->env, ",");
    buf_add(x->env, row->body, row->body_len);
    x->n++;
    return x->n == TAXII_PUSH_BATCH ? 1 : 0;
}

/* Pushes to the remote collection what the peer's organisation may read
 * of the shared collection, added since the last push. */
static void push(struct store_conn *c, const struct store_taxii_peer *p,
                 const struct access_org *org, int64_t *seq, struct run *r)
{
    r->direction = "push";
    char authz[700];
    authz_of(p, authz, sizeof(authz));
    struct buf url = BUF_INIT;
    buf_addf(&url, "%scollections/", p->api_root);
    add_escaped(&url, p->collection);
    buf_adds(&url, "/objects/");
    for (int k = 0; k < TAXII_PUSH_BATCHES && !atomic_load(&sync_stopping);
         k++) {
        struct buf env = BUF_INIT;
        buf_adds(&env, "{\"objects\":[");
        struct push_batch x = {.p = p, .org = org, .env = &env};
        int rc = store_taxii_after_seq(c, TAXII_COLL_SHARED, *seq, 1000,
                                       push_row, &x);
        buf_adds(&env, "]}");
        if (rc || buf_error(&env) || buf_error(&url)) {
            reason(r, "the objects to push could not be read");
            buf_release(&env);
            buf_release(&url);
            return;
        }
        if (!x.scanned) { /* all pushed */
            buf_release(&env);
            break;
        }
        if (!x.n) { /* nothing for this peer in what was read */
            *seq = x.last_seq;
            buf_release(&env);
            continue;
        }
        struct taxii_http h;
        rc = taxii_http(buf_str(&url), authz, buf_str(&env), env.len,
                        TAXII_PEER_TIMEOUT_S, 4 * 1024 * 1024, &h);
        buf_release(&env);
        if (rc) {
            reason(r, "POST objects: %s", h.err);
            taxii_http_release(&h);
            buf_release(&url);
            return;
        }
        if (!answer_ok(&h, 202, r, "POST objects")) {
            taxii_http_release(&h);
            buf_release(&url);
            return;
        }
        json_t *st = json_loadb(buf_str(&h.body), h.body.len, 0, NULL);
        taxii_http_release(&h);
        const json_t *sc = json_object_get(st, "success_count");
        const json_t *fc = json_object_get(st, "failure_count");
        if (!json_is_integer(sc) || !json_is_integer(fc)) {
            reason(r, "POST objects: the answer is not a TAXII status");
            json_decref(st);
            buf_release(&url);
            return;
        }
        r->objects += x.n;
        r->added += json_integer_value(sc);
        r->failed += json_integer_value(fc);
        if (json_integer_value(fc) > 0) {
            const json_t *f0 =
                json_array_get(json_object_get(st, "failures"), 0);
            const char *m = json_string_value(json_object_get(f0, "message"));
            const char *id = json_string_value(json_object_get(f0, "id"));
            reason(r, "the peer refused %lld object(s); first: %.100s: %.200s",
                   (long long)json_integer_value(fc), id ? id : "?",
                   m ? m : "no reason given");
        }
        json_decref(st);
        /* judged by the peer (added or refused with a reason): done */
        *seq = x.last_seq;
    }
    buf_release(&url);
    r->ok = true;
}

/* ---- reports into advisories (mapping "advisories") ---- */

#define CONVERT_MAX 20 /* reports turned into advisories per run */

struct pending_report {
    char id[STIX_ID_LEN];
    char *body;
};

struct pending_list {
    struct pending_report r[CONVERT_MAX];
    int n;
};

static int collect_pending(const char *stix_id, const char *body, void *ctx)
{
    struct pending_list *l = ctx;
    if (l->n == CONVERT_MAX || strlen(stix_id) >= sizeof(l->r[0].id))
        return IS_OK;
    char *copy = strdup(body);
    if (!copy)
        return IS_ERR_NOMEM;
    memcpy(l->r[l->n].id, stix_id, strlen(stix_id) + 1);
    l->r[l->n].body = copy;
    l->n++;
    return IS_OK;
}

/* s cut to at most max code points (whole characters). */
static json_t *cut_text(const char *s, size_t max)
{
    size_t i = 0, cps = 0;
    while (s[i] && cps < max) {
        unsigned char ch = (unsigned char)s[i];
        size_t len = ch < 0x80 ? 1 : ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;
        for (size_t k = 1; k < len && s[i + k]; k++)
            ;
        i += len;
        cps++;
    }
    return json_stringn(s, i);
}

/* The advisory a report becomes: its name as the title, its description
 * as the body (both languages: the feed's text is in one), its marking's
 * range, the severity of a "severity-N" label (else 2), the peer's
 * audience. NULL with why when it cannot be one. */
static json_t *advisory_of(const struct store_taxii_peer *p, const json_t *rep,
                           char *why, size_t whylen)
{
    struct taxii_object o;
    if (taxii_object_check(rep, &o, why, whylen))
        return NULL;
    const char *name = json_string_value(json_object_get(rep, "name"));
    const char *desc = json_string_value(json_object_get(rep, "description"));
    if (!name || !*name) {
        snprintf(why, whylen, "the report has no name (the title)");
        return NULL;
    }
    int severity = 2;
    size_t i;
    const json_t *l;
    json_array_foreach (json_object_get(rep, "labels"), i, l) {
        const char *t = json_string_value(l);
        if (t && strncmp(t, "severity-", 9) == 0 && t[9] >= '0' &&
            t[9] <= '5' && !t[10])
            severity = t[9] - '0';
    }
    json_t *aud = json_loads(p->audience, 0, NULL);
    json_t *b = json_pack(
        "{s:s,s:s,s:i,s:o,s:o,s:o,s:o,s:o}", "kind", "security_info", "range",
        range_name((enum share_range)o.range), "severity", severity, "title_ja",
        cut_text(name, 200), "title_en", cut_text(name, 200), "body_ja",
        cut_text(desc && *desc ? desc : name, 20000), "body_en",
        cut_text(desc && *desc ? desc : name, 20000), "audience",
        aud ? aud : json_object());
    struct jv_error je;
    if (!b || jv_check(b, provision_issue_spec, JV_UNTIL_NULL, &je)) {
        if (util_copy(why, whylen, b ? je.message : "out of memory"))
            why[0] = '\0';
        json_decref(b);
        return NULL;
    }
    return b;
}

struct link_ctx {
    const char *peer, *stix_id;
};

/* Inside the advisory's transaction: the report is done (once). */
static int link_done(struct store_conn *c, const char *adv_id, void *ctx)
{
    const struct link_ctx *l = ctx;
    int rc = store_taxii_map_set(c, l->peer, l->stix_id, "done", adv_id, "");
    return rc == IS_ERR_NOTFOUND ? IS_ERR_CONFLICT : rc;
}

/* Turns the peer's pending reports into advisories issued as its
 * organisation's; a report that cannot be one is marked failed with the
 * reason (in r). */
static void convert(struct app *a, struct store_conn *c,
                    const struct store_taxii_peer *p,
                    const struct access_org *org, int64_t now, struct run *r)
{
    struct pending_list l = {.n = 0};
    if (store_taxii_map_pending(c, p->id, CONVERT_MAX, collect_pending, &l)) {
        reason(r, "the reports to turn into advisories could not be read");
        r->ok = false;
    }
    struct auth_ctx who = {.user_id = 0, .roles = ROLE_ANALYST};
    snprintf(who.username, sizeof(who.username), "taxii-peer");
    snprintf(who.lang, sizeof(who.lang), "ja");
    who.org = *org;
    int failed = 0;
    for (int k = 0; k < l.n; k++) {
        char why[256] = "";
        json_t *rep = json_loads(l.r[k].body, 0, NULL);
        json_t *body = rep ? advisory_of(p, rep, why, sizeof(why)) : NULL;
        json_t *out = NULL;
        struct svc_error e = {0};
        struct link_ctx lc = {p->id, l.r[k].id};
        int rc = body ? advisory_issue_linked(a, c, &who, body, now, link_done,
                                              &lc, &out, &e)
                      : IS_ERR_INVALID;
        if (rc && body)
            if (util_copy(why, sizeof(why), e.message))
                why[0] = '\0';
        if (rc && rc != IS_ERR_CONFLICT) {
            /* recorded as failed with its reason (never tried again) */
            int k2 = store_begin(c);
            if (!k2)
                k2 = store_taxii_map_set(c, p->id, l.r[k].id, "failed", "",
                                         why[0] ? why : "not an advisory");
            if (!k2)
                k2 = store_commit(c);
            if (k2)
                store_rollback(c);
            if (!failed++)
                reason(r,
                       "a report was not turned into an advisory: %.100s: "
                       "%.200s",
                       l.r[k].id, why[0] ? why : "not an advisory");
        }
        json_decref(out);
        json_decref(body);
        json_decref(rep);
        free(l.r[k].body);
    }
    r->failed += failed;
}

/* Records a run and the peer's state. */
static int record(struct store_conn *c, const struct store_taxii_peer *p,
                  const char *after, const char *resume, int64_t seq,
                  int64_t now, const struct run *r, const struct run *before)
{
    /* the peer's state is the whole sync's: a "both" peer whose pull
     * failed stays failing with that reason however its push went */
    bool peer_ok = r->ok && (!before || before->ok);
    const char *peer_reason = !r->ok                  ? r->reason
                              : before && !before->ok ? before->reason
                                                      : r->reason;
    struct store_taxii_run sr = {.direction = r->direction,
                                 .ok = r->ok,
                                 .reason = r->reason,
                                 .peer_ok = peer_ok,
                                 .peer_reason = peer_reason,
                                 .objects = r->objects,
                                 .added = r->added,
                                 .duplicates = r->duplicates,
                                 .quarantined = r->quarantined,
                                 .failed = r->failed};
    int rc = store_begin(c);
    if (!rc)
        rc = store_taxii_peer_state(c, p->id, after, resume, seq,
                                    now + p->interval_s, now, &sr);
    if (!rc)
        rc = store_commit(c);
    if (rc)
        store_rollback(c);
    return rc;
}

static int run_peer(struct app *a, struct store_conn *c, const char *id,
                    int64_t now)
{
    struct store_taxii_peer p;
    int rc = store_taxii_peer_get(c, id, &p);
    if (rc)
        return rc;
    struct access_org org;
    char after[64], resume[1024];
    memcpy(after, p.pull_after, sizeof(after));
    memcpy(resume, p.pull_next, sizeof(resume));
    int64_t seq = p.push_seq;
    if (store_org_rel(c, p.org, &org)) {
        struct run r = {.direction = "pull"};
        reason(&r, "the peer's organisation %s is no longer in the registry",
               p.org);
        return record(c, &p, after, resume, seq, now, &r, NULL);
    }
    struct run pulled = {.ok = true};
    bool both = strcmp(p.direction, "both") == 0;
    if (both || strcmp(p.direction, "pull") == 0) {
        struct run r = {0};
        pull(a, c, &p, &org, now, after, resume, &r);
        /* reports brought by this pull or an earlier one */
        if (strcmp(p.mapping, "advisories") == 0)
            convert(a, c, &p, &org, now, &r);
        if ((rc = record(c, &p, after, resume, seq, now, &r, NULL)))
            return rc;
        pulled = r;
        if (!r.ok)
            log_event(LOG_WARN, "taxii peer: pull failed", "peer",
                      json_string(p.id), "reason", json_string(r.reason), NULL);
    }
    if (both || strcmp(p.direction, "push") == 0) {
        struct run r = {0};
        push(c, &p, &org, &seq, &r);
        if ((rc = record(c, &p, after, resume, seq, now, &r, &pulled)))
            return rc;
        if (!r.ok)
            log_event(LOG_WARN, "taxii peer: push failed", "peer",
                      json_string(p.id), "reason", json_string(r.reason), NULL);
    }
    return IS_OK;
}

int taxii_peer_sync(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id, json_t **out,
                    struct svc_error *e)
{
    if (who && !is_admin(who))
        return not_admin(e);
    int64_t now = app_now(a);
    int rc = runs_lock(c);
    if (!rc) {
        rc = run_peer(a, c, id, now);
        runs_unlock(c);
    }
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, rc, "not_found", NULL, "no such peer");
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the run was not recorded");
    int audited =
        who ? audit_record(c, who, now, "taxii.peer.sync", id, NULL) : IS_OK;
    if (audited)
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the run could not be audited");
    struct store_taxii_peer p;
    if ((rc = store_taxii_peer_get(c, id, &p)))
        return svc_fail(e, rc, "internal", NULL, "the peer could not be read");
    *out = peer_json(&p);
    return IS_OK;
}

/* ---- the timer ---- */

struct taxii_syncer {
    struct app *app;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
};

static void *sync_main(void *arg)
{
    struct taxii_syncer *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        pthread_mutex_unlock(&s->lock);
        struct store_conn *c = store_acquire(s->app->store);
        int64_t now = app_now(s->app);
        char id[24];
        /* the peers due now, one after the other (each run moves its
         * next_run past now) */
        /* the peers' sync: one node's duty (service/lead.h) */
        bool lead = lead_holds("taxii", s->app->store, now);
        for (int k = 0; lead && k < 100 && !atomic_load(&sync_stopping) &&
                        store_taxii_peer_due(c, now, id) == IS_OK;
             k++) {
            int rc = runs_lock(c);
            if (!rc) {
                rc = run_peer(s->app, c, id, now);
                runs_unlock(c);
            }
            if (rc)
                break;
        }
        if (lead)
            store_taxii_runs_prune(c, now - 30 * 86400);
        store_put(s->app->store, c);
        pthread_mutex_lock(&s->lock);
        if (s->stop)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&s->cond, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int taxii_sync_start(struct app *a, struct taxii_syncer **out)
{
    struct taxii_syncer *s = calloc(1, sizeof(*s));
    if (!s)
        return IS_ERR_NOMEM;
    atomic_store(&sync_stopping, false);
    s->app = a;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    if (pthread_create(&s->thread, NULL, sync_main, s)) {
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->cond);
        free(s);
        return IS_ERR_INTERNAL;
    }
    *out = s;
    return IS_OK;
}

void taxii_sync_stop(struct taxii_syncer *s)
{
    if (!s)
        return;
    atomic_store(&sync_stopping, true);
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s);
}
