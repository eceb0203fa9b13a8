/*
 * c4tap.c - see c4tap.h. Organisations, handlers and defaults here;
 * submissions, campaigns, lookups and exports in c4tap_items.c.
 */
#include "service/c4tap_internal.h"

#include <sodium.h>

#include "core/roles.h"
#include "common/util.h"

static const char *const range_names[] = {"red",   "amber", "yellow",
                                          "green", "white", NULL};
static const char *const standing_names[] = {"participant", "observer",
                                             "relation", NULL};
static const char *const handler_kinds[] = {"participant", "analyst", NULL};

/* {original, sender, ...}: each a range name */
const struct jv_field c4tap_ranges_spec[] = {
    {.name = "original", .type = JV_STRING, .enum_values = range_names},
    {.name = "sender", .type = JV_STRING, .enum_values = range_names},
    {.name = "headers", .type = JV_STRING, .enum_values = range_names},
    {.name = "received", .type = JV_STRING, .enum_values = range_names},
    {.name = "urls", .type = JV_STRING, .enum_values = range_names},
    {.name = "attachments", .type = JV_STRING, .enum_values = range_names},
    {.name = "provider", .type = JV_STRING, .enum_values = range_names},
    {.name = NULL},
};

const struct jv_field c4tap_submit_spec[] = {
    {.name = "eml_base64",
     .type = JV_STRING,
     .required = true,
     .max_len = C4TAP_EML_B64_MAX},
    {.name = "ranges",
     .type = JV_OBJECT,
     .sub = c4tap_ranges_spec,
     .nsub = C4_TYPE_COUNT},
    {.name = "anonymous", .type = JV_BOOL},
    {.name = "forwarded", .type = JV_BOOL},
    {.name = "note", .type = JV_STRING, .max_len = 1000},
    {.name = NULL},
};

const struct jv_field c4tap_intake_spec[] = {
    {.name = "eml_base64",
     .type = JV_STRING,
     .required = true,
     .max_len = C4TAP_EML_B64_MAX},
    {.name = "recipient", .type = JV_STRING, .required = true, .max_len = 320},
    {.name = "sender", .type = JV_STRING, .max_len = 320},
    {.name = NULL},
};

const struct jv_field c4tap_defaults_spec[] = {
    {.name = "ranges",
     .type = JV_OBJECT,
     .required = true,
     .sub = c4tap_ranges_spec,
     .nsub = C4_TYPE_COUNT},
    {.name = NULL},
};

const struct jv_field c4tap_join_spec[] = {
    {.name = "org", .type = JV_STRING, .required = true, .max_len = 63},
    {.name = "standing",
     .type = JV_STRING,
     .required = true,
     .enum_values = standing_names},
    {.name = "rules_version",
     .type = JV_STRING,
     .required = true,
     .max_len = 32},
    {.name = "agreed_by", .type = JV_STRING, .required = true, .max_len = 200},
    {.name = "agreed_at", .type = JV_TIME},
    {.name = NULL},
};

const struct jv_field c4tap_handler_spec[] = {
    {.name = "username", .type = JV_STRING, .required = true, .max_len = 64},
    {.name = "kind",
     .type = JV_STRING,
     .required = true,
     .enum_values = handler_kinds},
    {.name = NULL},
};

/* ---- shared helpers (c4tap_internal.h) ---- */

void c4_ranges_default(enum share_range r[C4_TYPE_COUNT])
{
    for (int t = 0; t < C4_TYPE_COUNT; t++)
        r[t] = c4tap_default_range((enum c4tap_type)t);
}

void c4_ranges_parse(const char *s, enum share_range r[C4_TYPE_COUNT])
{
    c4_ranges_default(r);
    if (!s || strlen(s) != C4_TYPE_COUNT)
        return;
    for (int t = 0; t < C4_TYPE_COUNT; t++)
        if (s[t] >= '0' && s[t] < '0' + RANGE_COUNT)
            r[t] = (enum share_range)(s[t] - '0');
}

void c4_ranges_format(const enum share_range r[C4_TYPE_COUNT],
                      char out[STORE_C4_RANGES])
{
    for (int t = 0; t < C4_TYPE_COUNT; t++)
        out[t] = (char)('0' + (int)r[t]);
    out[C4_TYPE_COUNT] = '\0';
}

void c4_ranges_apply(const json_t *obj, enum share_range r[C4_TYPE_COUNT])
{
    for (int t = 0; obj && t < C4_TYPE_COUNT; t++) {
        int v = range_parse(jv_str(obj, c4tap_type_name((enum c4tap_type)t)));
        if (v >= 0)
            r[t] = (enum share_range)v;
    }
}

json_t *c4_ranges_json(const enum share_range r[C4_TYPE_COUNT], bool tlp)
{
    json_t *o = json_object();
    for (int t = 0; o && t < C4_TYPE_COUNT; t++)
        json_object_set_new(
            o, c4tap_type_name((enum c4tap_type)t),
            json_string(tlp ? range_tlp(r[t]) : range_name(r[t])));
    return o;
}

int c4_me_of(struct store_conn *c, const struct auth_ctx *who, struct c4_me *m)
{
    memset(m, 0, sizeof(*m));
    if (!who) /* the public */
        return IS_OK;
    m->rd.registered = true;
    struct store_c4tap_handler h;
    int rc = store_c4tap_handler_get(c, who->user_id, &h);
    if (rc && rc != IS_ERR_NOTFOUND)
        return rc;
    if (!rc) {
        m->rd.handler = true;
        m->kind = h.kind;
        m->rd.is_analyst = h.kind == C4_HANDLER_ANALYST;
        m->rd.is_secretariat = strcmp(who->org.id, C4TAP_SECRETARIAT) == 0;
        util_xcopy(m->mail_key, sizeof(m->mail_key), h.mail_key);
    }
    rc = store_c4tap_org_get(c, who->org.id, &m->org);
    if (rc && rc != IS_ERR_NOTFOUND)
        return rc;
    m->org_known = !rc;
    if (!rc)
        m->rd.standing = (enum c4tap_standing)m->org.standing;
    util_xcopy(m->org_id, sizeof(m->org_id), who->org.id);
    return store_c4tap_sectors_with(
        c, C4_STANDING_PARTICIPANT, C4TAP_SECTOR_MIN, m->sectors,
        (int)IS_ARRAY_LEN(m->sectors), &m->nsectors);
}

bool c4_sector_shown(const struct c4_me *m, const char *sector)
{
    for (int i = 0; sector && i < m->nsectors; i++)
        if (strcmp(m->sectors[i], sector) == 0)
            return true;
    return false;
}

struct c4tap_reader c4_reader_for(const struct c4_me *m, const char *sub_org)
{
    struct c4tap_reader r = m->rd;
    r.is_provider = m->rd.handler && sub_org && strcmp(sub_org, m->org_id) == 0;
    return r;
}

void c4_org_defaults(const struct c4_me *m, enum share_range r[C4_TYPE_COUNT])
{
    c4_ranges_parse(m->org_known ? m->org.ranges : NULL, r);
}

int c4_not_handler(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_FORBIDDEN, "not_a_handler", NULL,
                    "C4TAP is for its registered handlers: ask the CEPTOAR "
                    "Council secretariat to register you");
}

bool c4_is_manager(const struct auth_ctx *who)
{
    return (who->roles & ROLE_ADMIN) ||
           ((who->roles & ROLE_ORG_ADMIN) &&
            strcmp(who->org.id, C4TAP_SECRETARIAT) == 0);
}

/* ---- me, organisations, handlers ---- */

static json_t *org_json(const struct store_c4tap_org *o)
{
    enum share_range r[C4_TYPE_COUNT];
    c4_ranges_parse(o->ranges, r);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "org",
                     o->org_id, "name_ja", o->name_ja, "name_en", o->name_en,
                     "sector", o->sector_id, "standing",
                     c4tap_standing_name((enum c4tap_standing)o->standing),
                     "rules_version", o->rules_version, "agreed_by",
                     o->agreed_by, "agreed_at", svc_time_json(o->agreed_at),
                     "withdrawn_at", svc_time_json(o->withdrawn_at),
                     "default_ranges", c4_ranges_json(r, false));
}

int c4tap_me(struct store_conn *c, const struct auth_ctx *who,
             const char *address, json_t **out, struct svc_error *e)
{
    (void)e;
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    enum share_range r[C4_TYPE_COUNT];
    c4_org_defaults(&m, r);
    char addr[400] = "";
    const char *at = address ? strchr(address, '@') : NULL;
    if (m.rd.handler && at && at > address &&
        util_fmt(addr, sizeof(addr), "%.*s+%s%s", (int)(at - address), address,
                 m.mail_key, at))
        addr[0] = '\0';
    *out = json_pack(
        "{s:s,s:s?,s:s,s:b,s:b,s:b,s:b,s:o,s:s,s:s}", "org", who->org.id,
        "handler",
        m.rd.handler ? c4tap_handler_name((enum c4tap_handler_kind)m.kind)
                     : NULL,
        "standing", c4tap_standing_name(m.rd.standing), "secretariat",
        m.rd.is_secretariat, "may_submit", c4tap_may_submit(&m.rd),
        "may_analyse", c4tap_may_analyse(&m.rd), "manager", c4_is_manager(who),
        "default_ranges", c4_ranges_json(r, false), "submission_address", addr,
        "rules_version", C4TAP_RULES_VERSION);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

void c4_target(char out[40], const char *what, int64_t id)
{
    util_xsnprintf(out, 40, "%s:%lld", what, (long long)id);
}

int c4_write_end(struct store_conn *c, int rc)
{
    if (rc || (rc = store_commit(c)))
        store_rollback(c);
    return rc;
}

int c4tap_join(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const json_t *body, int64_t now, json_t **out,
               struct svc_error *e)
{
    (void)a;
    const char *org = jv_str(body, "org");
    /* the secretariat vets who joins: an organisation cannot record its
     * own standing (it may leave on its own: c4tap_withdraw) */
    if (!c4_is_manager(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "org",
                        "the Council secretariat records agreements to "
                        "C4TAP's operating rules");
    struct access_org rel;
    int rc = store_org_rel(c, org, &rel);
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, IS_ERR_INVALID, "unknown_org", "org",
                        "org: no such organisation");
    if (rc)
        return rc;
    int standing = c4tap_standing_parse(jv_str(body, "standing"));
    /* participants are Council members: operators (through their
     * CEPTOARs) and the national bodies; analysts' organisations join as
     * observers or relations */
    if (standing == C4_STANDING_PARTICIPANT &&
        strcmp(rel.kind, "operator") != 0 && strcmp(rel.kind, "ceptoar") != 0)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "standing",
                        "standing: participants are operators and CEPTOARs "
                        "(a %s joins as observer or relation)",
                        rel.kind);
    struct store_c4tap_org o = {0};
    util_xcopy(o.org_id, sizeof(o.org_id), org);
    o.standing = standing;
    util_xcopy(o.rules_version, sizeof(o.rules_version),
               jv_str(body, "rules_version"));
    util_xcopy(o.agreed_by, sizeof(o.agreed_by), jv_str(body, "agreed_by"));
    o.agreed_at = now;
    const char *at = jv_str(body, "agreed_at");
    if (at && util_time_parse(at, &o.agreed_at))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "agreed_at",
                        "agreed_at: not an RFC 3339 time");
    if (o.agreed_at > now)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "agreed_at",
                        "agreed_at: in the future");
    o.recorded_by = who->user_id;
    if ((rc = store_begin(c)))
        return rc;
    rc = store_c4tap_org_put(c, &o, now);
    if (!rc)
        rc = audit_record(c, who, now, "c4tap.join", org,
                          json_pack("{s:s,s:s,s:s}", "standing",
                                    c4tap_standing_name(o.standing),
                                    "rules_version", o.rules_version,
                                    "agreed_by", o.agreed_by));
    if ((rc = c4_write_end(c, rc)))
        return rc;
    struct store_c4tap_org got;
    if ((rc = store_c4tap_org_get(c, org, &got)))
        return rc;
    *out = org_json(&got);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

int c4tap_withdraw(struct store_conn *c, const struct auth_ctx *who,
                   const char *org, int64_t now, json_t **out,
                   struct svc_error *e)
{
    if (!c4_is_manager(who) &&
        !((who->roles & ROLE_ORG_ADMIN) && strcmp(org, who->org.id) == 0))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "the Council secretariat (or the organisation's own "
                        "org_admin) withdraws an agreement");
    int rc = store_begin(c);
    if (rc)
        return rc;
    struct store_c4tap_org o;
    rc = store_c4tap_org_get(c, org, &o);
    if (rc == IS_ERR_NOTFOUND || (!rc && o.standing == C4_STANDING_NONE)) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", "org",
                        "this organisation has no agreement to withdraw");
    }
    if (!rc) {
        o.standing = C4_STANDING_NONE;
        o.withdrawn_at = now;
        o.recorded_by = who->user_id;
        rc = store_c4tap_org_put(c, &o, now);
    }
    if (!rc)
        rc = audit_record(c, who, now, "c4tap.withdraw", org, NULL);
    if ((rc = c4_write_end(c, rc)))
        return rc;
    *out = org_json(&o);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

int c4tap_participants(struct store_conn *c, const struct auth_ctx *who,
                       json_t **out, struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    /* for handlers only, as every C4TAP path; the secretariat's org_admin
     * users and hub admins record the agreements, handlers or not */
    if (!m.rd.handler && !c4_is_manager(who))
        return c4_not_handler(e);
    bool all = c4_is_manager(who) || c4tap_may_analyse(&m.rd);
    struct store_c4tap_org *o = NULL;
    size_t n = 0;
    if ((rc = store_c4tap_orgs(c, &o, &n)))
        return rc;
    json_t *items = json_array();
    int counts[C4_STANDING_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)o[i].standing < C4_STANDING_COUNT)
            counts[o[i].standing]++;
        if (all || strcmp(o[i].org_id, who->org.id) == 0)
            json_array_append_new(items, org_json(&o[i]));
    }
    free(o);
    /* the totals are the programme's size, public to its handlers */
    *out = json_pack("{s:o,s:{s:i,s:i,s:i}}", "items", items, "totals",
                     "participant", counts[C4_STANDING_PARTICIPANT], "observer",
                     counts[C4_STANDING_OBSERVER], "relation",
                     counts[C4_STANDING_RELATION]);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

static json_t *handler_json(const struct store_c4tap_handler *h)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:o}", "username", h->username,
                     "display_name", h->display_name, "org", h->org_id, "kind",
                     c4tap_handler_name((enum c4tap_handler_kind)h->kind),
                     "registered_at", svc_time_json(h->registered_at));
}

/* The one refusal of a handler's registration to a caller who may not
 * register that user (or any). */
static int c4_handler_forbidden(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "username",
                    "the Council secretariat registers handlers (an "
                    "organisation's org_admin registers its own users as "
                    "participants' handlers)");
}

int c4tap_handler_add(struct store_conn *c, const struct auth_ctx *who,
                      const json_t *body, int64_t now, json_t **out,
                      struct svc_error *e)
{
    const char *username = jv_str(body, "username");
    int kind = c4tap_handler_parse(jv_str(body, "kind"));
    /* who may register is decided before the name is looked up, and an
     * org_admin gets one answer for a name that is not of its
     * organisation, whether it exists or not: else the answers told any
     * org_admin which user names exist hub-wide (an outside review) */
    bool manager = c4_is_manager(who);
    bool may_own = (who->roles & ROLE_ORG_ADMIN) && kind == C4_HANDLER_MEMBER;
    if (!manager && !may_own)
        return c4_handler_forbidden(e);
    struct store_user u;
    int rc = store_user_by_name(c, username, &u);
    if (rc == IS_ERR_NOTFOUND && manager)
        return svc_fail(e, IS_ERR_INVALID, "unknown_user", "username",
                        "username: no such user");
    if (rc == IS_ERR_NOTFOUND)
        return c4_handler_forbidden(e);
    if (rc)
        return rc;
    if (!manager && strcmp(u.org_id, who->org.id) != 0)
        return c4_handler_forbidden(e);
    if (u.disabled)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "username",
                        "username: the account is disabled");
    struct store_c4tap_org o;
    rc = store_c4tap_org_get(c, u.org_id, &o);
    if (rc && rc != IS_ERR_NOTFOUND)
        return rc;
    bool agreed = !rc && o.standing != C4_STANDING_NONE;
    /* a handler's organisation has agreed to the operating rules; the
     * secretariat's own staff and analysts need no standing of their own */
    if (kind == C4_HANDLER_MEMBER && !agreed &&
        strcmp(u.org_id, C4TAP_SECRETARIAT) != 0)
        return svc_fail(e, IS_ERR_CONFLICT, "not_participating", "username",
                        "the user's organisation has not agreed to C4TAP's "
                        "operating rules (POST /api/v1/c4tap/participants)");
    struct store_c4tap_handler h = {0};
    h.user_id = u.id;
    h.kind = kind;
    h.registered_by = who->user_id;
    h.registered_at = now;
    unsigned char key[12];
    randombytes_buf(key, sizeof(key));
    sodium_bin2hex(h.mail_key, sizeof(h.mail_key), key, sizeof(key));
    if ((rc = store_begin(c)))
        return rc;
    rc = store_c4tap_handler_add(c, &h);
    if (rc == IS_ERR_CONFLICT) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_CONFLICT, "duplicate", "username",
                        "this user is a handler already");
    }
    if (!rc)
        rc = audit_record(c, who, now, "c4tap.handler.add", u.org_id,
                          json_pack("{s:s,s:s}", "username", u.username, "kind",
                                    c4tap_handler_name(kind)));
    if ((rc = c4_write_end(c, rc)))
        return rc;
    struct store_c4tap_handler got;
    if ((rc = store_c4tap_handler_get(c, u.id, &got)))
        return rc;
    *out = handler_json(&got);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

static int c4_remove_forbidden(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                    "the Council secretariat (or the user's own org_admin) "
                    "removes a handler");
}

int c4tap_handler_remove(struct store_conn *c, const struct auth_ctx *who,
                         const char *username, int64_t now, struct svc_error *e)
{
    /* as c4tap_handler_add: the caller's authority first, then one
     * answer for a name that is not of its organisation */
    bool manager = c4_is_manager(who);
    if (!manager && !(who->roles & ROLE_ORG_ADMIN))
        return c4_remove_forbidden(e);
    struct store_user u;
    int rc = store_user_by_name(c, username, &u);
    if (rc == IS_ERR_NOTFOUND && manager)
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", "username",
                        "no such handler");
    if (rc == IS_ERR_NOTFOUND)
        return c4_remove_forbidden(e);
    if (rc)
        return rc;
    if (!manager && strcmp(u.org_id, who->org.id) != 0)
        return c4_remove_forbidden(e);
    if ((rc = store_begin(c)))
        return rc;
    rc = store_c4tap_handler_delete(c, u.id);
    if (rc == IS_ERR_NOTFOUND) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", "username",
                        "no such handler");
    }
    if (!rc)
        rc = audit_record(c, who, now, "c4tap.handler.remove", u.org_id,
                          json_pack("{s:s}", "username", u.username));
    return c4_write_end(c, rc);
}

int c4tap_handlers(struct store_conn *c, const struct auth_ctx *who,
                   json_t **out, struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    bool all = c4_is_manager(who) || c4tap_may_analyse(&m.rd);
    if (!all && !(who->roles & ROLE_ORG_ADMIN) && !m.rd.handler)
        return c4_not_handler(e);
    struct store_c4tap_handler *h = NULL;
    size_t n = 0;
    if ((rc = store_c4tap_handlers(c, all ? NULL : who->org.id, &h, &n)))
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, handler_json(&h[i]));
    free(h);
    *out = json_pack("{s:o}", "items", items);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

int c4tap_set_defaults(struct store_conn *c, const struct auth_ctx *who,
                       const json_t *body, int64_t now, json_t **out,
                       struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    if (!m.org_known || m.org.standing == C4_STANDING_NONE)
        return svc_fail(e, IS_ERR_CONFLICT, "not_participating", NULL,
                        "your organisation has not agreed to C4TAP's "
                        "operating rules");
    if (!m.rd.handler && !(who->roles & ROLE_ORG_ADMIN))
        return c4_not_handler(e);
    enum share_range r[C4_TYPE_COUNT];
    c4_org_defaults(&m, r);
    c4_ranges_apply(json_object_get(body, "ranges"), r);
    char text[STORE_C4_RANGES];
    c4_ranges_format(r, text);
    if ((rc = store_begin(c)))
        return rc;
    rc = store_c4tap_org_set_ranges(c, who->org.id, text);
    if (!rc)
        rc = audit_record(
            c, who, now, "c4tap.defaults", who->org.id,
            json_pack("{s:o}", "ranges", c4_ranges_json(r, false)));
    if ((rc = c4_write_end(c, rc)))
        return rc;
    *out = json_pack("{s:o}", "default_ranges", c4_ranges_json(r, false));
    return *out ? IS_OK : IS_ERR_NOMEM;
}
