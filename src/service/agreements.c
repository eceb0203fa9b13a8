/*
 * agreements.c - handling-rule agreements: the current rules, an
 * organisation's history, signing and withdrawal (see agreements.h).
 */
#include "service/agreements.h"

#include "core/agreement.h"
#include "core/roles.h"
#include "service/audit.h"
#include "common/util.h"

const struct jv_field agreements_sign_spec[] = {
    {.name = "rules_version",
     .type = JV_STRING,
     .required = true,
     .max_len = 31},
    {.name = NULL},
};

static json_t *time_json(int64_t t)
{
    if (!t)
        return json_null();
    char s[UTIL_TIME_LEN];
    util_time_rfc3339(t, s);
    return json_string(s);
}

static json_t *user_json(int64_t id, const char *name)
{
    if (!id)
        return json_null();
    return json_pack("{s:I,s:s}", "id", (json_int_t)id, "username", name);
}

static json_t *agreement_json(const struct store_agreement *a)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "id",
                     (json_int_t)a->id, "org", a->org_id, "rules_version",
                     a->rules_version, "state",
                     a->withdrawn_at ? "withdrawn" : "active", "signed_by",
                     user_json(a->signed_by, a->signed_by_name), "signed_at",
                     time_json(a->signed_at), "withdrawn_by",
                     user_json(a->withdrawn_by, a->withdrawn_by_name),
                     "withdrawn_at", time_json(a->withdrawn_at));
}

static json_t *rules_json(const struct store_rules *r)
{
    return json_pack("{s:s,s:s,s:s,s:o}", "version", r->version, "title_ja",
                     r->title_ja, "title_en", r->title_en, "effective_at",
                     time_json(r->effective_at));
}

int agreements_rules(struct store_conn *c, json_t **out, struct svc_error *e)
{
    struct store_rules r;
    if (store_rules_current(c, &r))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "no handling rules are recorded");
    *out = rules_json(&r);
    return *out ? IS_OK : svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "nomem");
}

/* The organisation, when the reader may see it; else 404. */
static int visible_org(struct store_conn *c, const struct auth_ctx *who,
                       const char *org, struct access_org *rel,
                       struct svc_error *e)
{
    if (strlen(org) > 63 || store_org_rel(c, org, rel) ||
        !access_may_see_org(&who->org, who->roles, rel))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such organisation");
    return IS_OK;
}

int agreements_list(struct store_conn *c, const struct auth_ctx *who,
                    const char *org, json_t **out, struct svc_error *e)
{
    struct access_org rel;
    int rc = visible_org(c, who, org, &rel, e);
    if (rc)
        return rc;
    if (!agreement_may_read(who->org.id, who->org.kind, who->roles, org))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "only the organisation itself, NISC, admins and "
                        "auditors read its agreements");
    struct store_rules cur;
    struct store_agreement *as = NULL;
    size_t n = 0;
    if (store_rules_current(c, &cur) || store_agreements_list(c, org, &as, &n))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "could not read the agreements");
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, agreement_json(&as[i]))) {
            json_decref(arr);
            arr = NULL;
        }
    free(as);
    *out = arr ? json_pack("{s:s,s:s,s:o,s:o}", "org", org, "state",
                           agreement_state_name(rel.agreement), "current_rules",
                           rules_json(&cur), "agreements", arr)
               : NULL;
    return *out ? IS_OK : svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "nomem");
}

/* May who sign or withdraw for org? 404 when org is not visible, 403 when
 * it is but who is not its org_admin nor a hub admin. */
static int may_manage(struct store_conn *c, const struct auth_ctx *who,
                      const char *org, struct svc_error *e)
{
    struct access_org rel;
    int rc = visible_org(c, who, org, &rel, e);
    if (rc)
        return rc;
    if (!agreement_may_manage(who->org.id, who->roles, org))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "only the organisation's org_admin or a hub admin "
                        "signs or withdraws its agreement");
    return IS_OK;
}

static int reply_agreement(struct store_conn *c, int64_t id, const char *org,
                           json_t **out, struct svc_error *e)
{
    struct store_agreement a;
    if (store_agreement_get(c, id, org, &a))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "could not read the agreement");
    *out = agreement_json(&a);
    return *out ? IS_OK : svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "nomem");
}

int agreements_sign(struct store_conn *c, const struct auth_ctx *who,
                    const char *org, const json_t *body, int64_t now,
                    json_t **out, struct svc_error *e)
{
    int rc = may_manage(c, who, org, e);
    if (rc)
        return rc;
    const char *ver = jv_str(body, "rules_version");
    struct store_rules cur;
    if (store_rules_current(c, &cur))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "no handling rules are recorded");
    if (!ver || strcmp(ver, cur.version) != 0)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "rules_version",
                        "rules_version: only the current handling rules (%s) "
                        "can be signed",
                        cur.version);
    int64_t id = 0;
    struct store_agreement act;
    rc = store_begin(c);
    if (!rc) {
        int had = store_agreement_active(c, org, &act);
        if (had == IS_OK)
            rc = IS_ERR_CONFLICT;
        else if (had != IS_ERR_NOTFOUND)
            rc = had;
    }
    if (!rc)
        rc = store_agreement_insert(c, org, ver, who->user_id, now, &id);
    if (!rc)
        rc = audit_record(c, who, now, "agreement.sign", org,
                          json_pack("{s:I,s:s}", "agreement", (json_int_t)id,
                                    "rules_version", ver));
    if (!rc)
        rc = store_commit(c);
    if (rc) {
        store_rollback(c);
        if (rc == IS_ERR_CONFLICT)
            return svc_fail(e, IS_ERR_CONFLICT, "conflict", NULL,
                            "the organisation has an active agreement "
                            "already; nothing was changed");
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "nothing was changed");
    }
    return reply_agreement(c, id, org, out, e);
}

int agreements_withdraw(struct store_conn *c, const struct auth_ctx *who,
                        const char *org, const char *aid, int64_t now,
                        json_t **out, struct svc_error *e)
{
    int rc = may_manage(c, who, org, e);
    if (rc)
        return rc;
    long id;
    if (util_parse_long(aid, 1, LONG_MAX, &id))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such agreement");
    struct store_agreement a;
    rc = store_begin(c);
    if (!rc)
        rc = store_agreement_get(c, id, org, &a);
    if (!rc && a.withdrawn_at)
        rc = IS_ERR_CONFLICT;
    if (!rc)
        rc = store_agreement_withdraw(c, id, org, who->user_id, now);
    if (!rc)
        rc = audit_record(c, who, now, "agreement.withdraw", org,
                          json_pack("{s:I,s:s}", "agreement", (json_int_t)id,
                                    "rules_version", a.rules_version));
    if (!rc)
        rc = store_commit(c);
    if (rc) {
        store_rollback(c);
        if (rc == IS_ERR_NOTFOUND)
            return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                            "no such agreement");
        if (rc == IS_ERR_CONFLICT)
            return svc_fail(e, IS_ERR_CONFLICT, "conflict", NULL,
                            "the agreement is withdrawn already");
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "nothing was changed");
    }
    return reply_agreement(c, id, org, out, e);
}

int agreements_record_system(struct store_conn *c, const char *org, int64_t now)
{
    struct store_rules cur;
    int rc = store_rules_current(c, &cur);
    if (!rc)
        rc = store_agreement_insert(c, org, cur.version, 0, now, NULL);
    return rc;
}
