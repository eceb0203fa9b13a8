/*
 * lists.c - see lists.h. Distribution lists: CRUD under the owner's
 * org_admin users, the audience step that makes list owners relay hops,
 * and withholding at a reviewing hop.
 */
#include "service/lists.h"

#include "core/access.h"
#include "core/audience.h"
#include "core/roles.h"
#include "common/log.h"
#include "common/util.h"

const struct jv_field lists_create_spec[] = {
    {.name = "name_ja",
     .type = JV_STRING,
     .required = true,
     .max_len = LISTS_NAME_MAX,
     .nonblank = true},
    {.name = "name_en",
     .type = JV_STRING,
     .required = true,
     .max_len = LISTS_NAME_MAX,
     .nonblank = true},
    {.name = "members",
     .type = JV_STRING_ARRAY,
     .max_len = LISTS_MAX_MEMBERS,
     .item_len = 63},
    {.name = NULL},
};

const struct jv_field lists_update_spec[] = {
    {.name = "name_ja",
     .type = JV_STRING,
     .max_len = LISTS_NAME_MAX,
     .nonblank = true},
    {.name = "name_en",
     .type = JV_STRING,
     .max_len = LISTS_NAME_MAX,
     .nonblank = true},
    {.name = "members",
     .type = JV_STRING_ARRAY,
     .max_len = LISTS_MAX_MEMBERS,
     .item_len = 63},
    {.name = NULL},
};

const struct jv_field lists_withhold_spec[] = {
    {.name = "reason",
     .type = JV_STRING,
     .required = true,
     .max_len = LISTS_REASON_MAX,
     .nonblank = true},
    {.name = NULL},
};

static int not_found(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such list");
}

static int internal(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                    "nothing was changed");
}

/* The owner org as who may see its lists: IS_OK with *owner filled, or
 * 404 (an organisation who may not see, or whose lists it may not see,
 * is answered as a missing one). */
static int owner_of(struct store_conn *c, const struct auth_ctx *who,
                    const char *org, struct access_org *owner,
                    struct svc_error *e)
{
    if (strlen(org) >= sizeof(owner->id) || store_org_rel(c, org, owner) ||
        !access_may_see_org(&who->org, who->roles, owner))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such organisation");
    if (!access_may_view_lists(&who->org, who->roles, owner))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "an organisation's lists are for itself, its "
                        "secretariats and ministry, NISC and hub admins");
    return IS_OK;
}

static int may_manage(const struct auth_ctx *who, const char *org,
                      struct svc_error *e)
{
    if (!access_may_manage_lists(&who->org, who->roles, org))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "lists are managed by the owner's org_admin users "
                        "and hub admins");
    return IS_OK;
}

static json_t *list_json(const struct store_dlist *l)
{
    return json_pack("{s:s,s:s,s:{s:s,s:s},s:I,s:o}", "id", l->id, "owner",
                     l->owner, "name", "ja", l->name_ja, "en", l->name_en,
                     "members_count", (json_int_t)l->members, "created_at",
                     svc_time_json(l->created_at));
}

int lists_of_org(struct store_conn *c, const struct auth_ctx *who,
                 const char *org, json_t **out, struct svc_error *e)
{
    struct access_org owner;
    int rc = owner_of(c, who, org, &owner, e);
    if (rc)
        return rc;
    struct store_dlist_list l = {0};
    if (store_dlists_owner(c, org, &l))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "lists");
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, list_json(&l.items[i]));
    store_dlist_list_free(&l);
    *out = json_pack("{s:s,s:o}", "owner", org, "items", items);
    return IS_OK;
}

/* The list of owner (404 when it is not one of owner's). */
static int list_of(struct store_conn *c, const char *org, const char *id,
                   struct store_dlist *l, struct svc_error *e)
{
    if (strlen(id) >= sizeof(l->id) || store_dlist_get(c, id, l) ||
        strcmp(l->owner, org) != 0)
        return not_found(e);
    return IS_OK;
}

static int members_json(struct store_conn *c, const char *id, json_t **out)
{
    struct store_dlist_member_list m = {0};
    if (store_dlist_members(c, id, &m))
        return IS_ERR_STORE;
    json_t *arr = json_array();
    for (size_t i = 0; i < m.n; i++)
        json_array_append_new(
            arr, json_pack("{s:s,s:{s:s,s:s},s:s}", "id", m.items[i].id, "name",
                           "ja", m.items[i].name_ja, "en", m.items[i].name_en,
                           "scope", m.items[i].scope));
    store_dlist_member_list_free(&m);
    *out = arr;
    return IS_OK;
}

static int read_answer(struct store_conn *c, const char *id, json_t **out,
                       struct svc_error *e)
{
    struct store_dlist l;
    json_t *members = NULL;
    if (store_dlist_get(c, id, &l) || members_json(c, id, &members))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "list");
    *out = list_json(&l);
    json_object_set_new(*out, "members", members);
    return IS_OK;
}

int lists_read(struct store_conn *c, const struct auth_ctx *who,
               const char *org, const char *list, json_t **out,
               struct svc_error *e)
{
    struct access_org owner;
    struct store_dlist l;
    int rc = owner_of(c, who, org, &owner, e);
    if (!rc)
        rc = list_of(c, org, list, &l, e);
    return rc ? rc : read_answer(c, list, out, e);
}

/* Checks every id of members (a JSON array of strings): registered, of
 * kind external, visible to the owner (or to who when who sees every
 * organisation: NISC, hub admins), not repeated, and on lists of no more
 * than ACCESS_MAX_GROUPS owners. 400 naming "members". */
static int members_check(struct store_conn *c, const struct auth_ctx *who,
                         const struct access_org *owner, const json_t *members,
                         struct svc_error *e)
{
    bool sees_all = access_org_view(&who->org, who->roles) == ACCESS_VIEW_ALL;
    size_t i;
    json_t *v;
    json_array_foreach (members, i, v) {
        const char *id = json_string_value(v);
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_array_get(members, k)), id) == 0)
                return svc_fail(e, IS_ERR_INVALID, "duplicate", "members",
                                "members: \"%s\" is named twice", id);
        struct access_org m;
        if (store_org_rel(c, id, &m) ||
            !(sees_all || access_may_see_org(owner, ROLE_READER, &m)))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "members",
                            "members: \"%s\" is not in the registry (or not "
                            "visible to the list's owner)",
                            id);
        if (strcmp(m.kind, "external") != 0)
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "members",
                            "members: \"%s\" is not an external organisation "
                            "(members of a CEPTOAR are reached through it)",
                            id);
        bool known = false;
        for (int k = 0; k < m.nceptoars; k++)
            known |= strcmp(m.ceptoars[k], owner->id) == 0;
        if (!known && m.nceptoars >= ACCESS_MAX_GROUPS)
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "members",
                            "members: \"%s\" is on the lists of %d "
                            "organisations already",
                            id, ACCESS_MAX_GROUPS);
    }
    return IS_OK;
}

static int members_write(struct store_conn *c, const char *id,
                         const json_t *members)
{
    int rc = store_dlist_members_clear(c, id);
    size_t i;
    json_t *v;
    json_array_foreach (members, i, v) {
        if (rc)
            break;
        rc = store_dlist_member_add(c, id, json_string_value(v));
    }
    return rc;
}

/* Ends a write: commits on IS_OK, else rolls back; a failed store write
 * becomes e (a duplicate name: 409 naming name_en). */
static int write_end(struct store_conn *c, int rc, struct svc_error *e)
{
    if (!rc && (rc = store_commit(c)) == IS_OK)
        return IS_OK;
    store_rollback(c);
    if (e->code[0])
        return rc;
    if (rc == IS_ERR_CONFLICT)
        return svc_fail(e, IS_ERR_CONFLICT, "duplicate", "name_en",
                        "name_en: the organisation has a list of that name");
    return internal(e);
}

int lists_create(struct store_conn *c, const struct auth_ctx *who,
                 const char *org, const json_t *body, int64_t now, json_t **out,
                 struct svc_error *e)
{
    struct access_org owner;
    int rc = owner_of(c, who, org, &owner, e);
    if (!rc)
        rc = may_manage(who, org, e);
    if (!rc && !access_may_own_lists(owner.kind))
        rc = svc_fail(e, IS_ERR_INVALID, "invalid_value", NULL,
                      "an external organisation keeps no lists");
    if (rc)
        return rc;
    if (store_begin(c))
        return internal(e);
    const json_t *members = json_object_get(body, "members");
    struct store_dlist_list have = {0};
    rc = store_dlists_owner(c, org, &have);
    if (!rc && have.n >= LISTS_MAX_PER_OWNER)
        rc = svc_fail(e, IS_ERR_CONFLICT, "too_many_lists", NULL,
                      "an organisation keeps at most %d lists",
                      LISTS_MAX_PER_OWNER);
    store_dlist_list_free(&have);
    if (!rc)
        rc = members_check(c, who, &owner, members, e);
    struct store_dlist l = {.created_at = now};
    char hex[17];
    util_random_hex(hex, 8);
    util_xsnprintf(l.id, sizeof(l.id), "L%s", hex);
    util_xcopy(l.owner, sizeof(l.owner), org);
    util_xcopy(l.name_ja, sizeof(l.name_ja), jv_str(body, "name_ja"));
    util_xcopy(l.name_en, sizeof(l.name_en), jv_str(body, "name_en"));
    if (!rc)
        rc = store_dlist_insert(c, &l);
    if (!rc)
        rc = members_write(c, l.id, members);
    if (!rc)
        rc = audit_record(c, who, now, "list.create", l.id,
                          json_pack("{s:s,s:I}", "owner", org, "members",
                                    (json_int_t)json_array_size(members)));
    if (!rc)
        rc = read_answer(c, l.id, out, e);
    if ((rc = write_end(c, rc, e)) && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int lists_update(struct store_conn *c, const struct auth_ctx *who,
                 const char *org, const char *list, const json_t *body,
                 int64_t now, json_t **out, struct svc_error *e)
{
    struct access_org owner;
    int rc = owner_of(c, who, org, &owner, e);
    if (!rc)
        rc = may_manage(who, org, e);
    if (rc)
        return rc;
    if (store_begin(c))
        return internal(e);
    struct store_dlist l;
    rc = list_of(c, org, list, &l, e);
    const json_t *members = json_object_get(body, "members");
    if (!rc && members)
        rc = members_check(c, who, &owner, members, e);
    const char *ja = jv_str(body, "name_ja"), *en = jv_str(body, "name_en");
    if (!rc && (ja || en))
        rc = store_dlist_rename(c, list, ja ? ja : l.name_ja,
                                en ? en : l.name_en);
    if (!rc && members)
        rc = members_write(c, list, members);
    if (!rc)
        rc = audit_record(
            c, who, now, "list.update", list,
            json_pack("{s:s,s:b,s:I}", "owner", org, "renamed", ja || en,
                      "members",
                      (json_int_t)(members ? json_array_size(members)
                                           : (size_t)l.members)));
    if (!rc)
        rc = read_answer(c, list, out, e);
    if ((rc = write_end(c, rc, e)) && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int lists_delete(struct store_conn *c, const struct auth_ctx *who,
                 const char *org, const char *list, int64_t now, json_t **out,
                 struct svc_error *e)
{
    struct access_org owner;
    int rc = owner_of(c, who, org, &owner, e);
    if (!rc)
        rc = may_manage(who, org, e);
    if (rc)
        return rc;
    if (store_begin(c))
        return internal(e);
    struct store_dlist l;
    rc = list_of(c, org, list, &l, e);
    if (!rc)
        rc = store_dlist_delete(c, list);
    if (!rc)
        rc = audit_record(c, who, now, "list.delete", list,
                          json_pack("{s:s,s:I}", "owner", org, "members",
                                    (json_int_t)l.members));
    if ((rc = write_end(c, rc, e)))
        return rc;
    *out = json_pack("{s:s,s:b}", "id", list, "deleted", 1);
    return IS_OK;
}

/* ---- the audience step ---- */

int lists_check_audience(struct store_conn *c, const struct auth_ctx *who,
                         const json_t *aud, struct svc_error *e)
{
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get(aud, "lists"), i, v) {
        const char *id = json_string_value(v);
        struct store_dlist l;
        if (strlen(id) >= sizeof(l.id) || store_dlist_get(c, id, &l) ||
            !audience_may_name_list(who->org.id, who->org.kind, l.owner))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value",
                            "audience.lists",
                            "audience.lists: \"%s\" is not a list you may "
                            "name (your own lists; NISC: any list)",
                            id);
    }
    return IS_OK;
}

/* Adds one list: its owner's hop when it is none yet, its members. */
static int list_step(struct store_conn *c, const struct store_advisory *ad,
                     const char *list, const char *owner)
{
    struct store_hop h;
    struct store_recipient r = {0};
    bool is_hop = store_hop_get(c, ad->id, owner, &h) == IS_OK;
    bool is_rcpt = store_recipient_get(c, ad->id, owner, &r) == IS_OK;
    const char *parent =
        audience_list_parent(ad->author, is_hop, is_rcpt, r.via);
    int rc = IS_OK;
    if (parent)
        rc = store_hop_insert(c, ad->id, owner, AUDIENCE_STEP_LIST, parent,
                              "pending", 0, 0, "");
    return rc ? rc : store_dlist_recipients_add(c, ad->id, list, owner);
}

int lists_add_recipients(struct store_conn *c, const struct store_advisory *ad,
                         const json_t *aud)
{
    int rc = IS_OK;
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get(aud, "lists"), i, v) {
        struct store_dlist l;
        rc = store_dlist_get(c, json_string_value(v), &l);
        if (!rc)
            rc = list_step(c, ad, l.id, l.owner);
        if (rc)
            return rc;
    }
    if (!jv_bool(aud, "include_lists", false))
        return IS_OK;
    /* the lists of every organisation the audience reaches, read once
     * (a list's members own no lists: external organisations keep none) */
    struct store_adv_org_list reached = {0};
    rc = store_dlists_reached(c, ad->id, &reached);
    for (size_t k = 0; !rc && k < reached.n; k++)
        rc = list_step(c, ad, reached.items[k].adv, reached.items[k].org);
    store_adv_org_list_free(&reached);
    return rc;
}

/* ---- withholding ---- */

bool lists_via_withheld(struct store_conn *c, const char *adv, const char *via)
{
    char hop[IDS_LEN];
    util_xcopy(hop, sizeof(hop), via);
    /* the chain is at most author, ministry, CEPTOAR, list owner deep */
    for (int depth = 0; hop[0] && depth < 8; depth++) {
        struct store_hop h;
        if (store_hop_get(c, adv, hop, &h))
            return false;
        if (strcmp(h.state, "withheld") == 0)
            return true;
        util_xcopy(hop, sizeof(hop), h.parent);
    }
    return false;
}

/* The withheld hop above (or at) via in hops, or NULL. */
static const struct store_hop_entry *
withheld_above(const struct store_hop_list *hops, const char *via)
{
    const char *cur = via;
    for (int depth = 0; cur[0] && depth < 8; depth++) {
        const struct store_hop_entry *h = NULL;
        for (size_t i = 0; i < hops->n && !h; i++)
            if (strcmp(hops->items[i].org, cur) == 0)
                h = &hops->items[i];
        if (!h)
            return NULL;
        if (strcmp(h->hop.state, "withheld") == 0)
            return h;
        cur = h->hop.parent;
    }
    return NULL;
}

json_t *lists_withheld_json(struct store_conn *c, const char *adv)
{
    struct store_hop_list hops = {0};
    struct store_recipient_list rs = {0};
    if (store_hops_list(c, adv, &hops))
        return NULL;
    json_t *arr = json_array();
    bool any = false;
    for (size_t i = 0; i < hops.n; i++)
        any |= strcmp(hops.items[i].hop.state, "withheld") == 0;
    if (!any || store_recipients_list(c, adv, &rs)) {
        store_hop_list_free(&hops);
        if (any) {
            json_decref(arr);
            return NULL;
        }
        return arr;
    }
    for (size_t i = 0; i < hops.n; i++) {
        const struct store_hop_entry *h = &hops.items[i];
        if (strcmp(h->hop.state, "withheld") != 0)
            continue;
        int64_t n = 0, at = 0;
        for (size_t k = 0; k < rs.n; k++)
            if (!rs.items[k].r.released_at &&
                withheld_above(&hops, rs.items[k].r.via) == h)
                n++;
        char *reason = NULL;
        store_hop_withheld(c, adv, h->org, &at, &reason);
        char ja[256] = "", en[256] = "";
        store_names(c, "org", h->org, ja, sizeof(ja), en, sizeof(en));
        json_array_append_new(
            arr, json_pack("{s:s,s:{s:s,s:s},s:o,s:s,s:I}", "hop", h->org,
                           "name", "ja", ja, "en", en, "withheld_at",
                           svc_time_json(at), "reason", reason ? reason : "",
                           "recipients_not_reached", (json_int_t)n));
        free(reason);
    }
    store_recipient_list_free(&rs);
    store_hop_list_free(&hops);
    return arr;
}

int lists_withhold(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *adv,
                   const json_t *body, int64_t now, json_t **out,
                   struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_advisory ad;
    if (store_begin(c))
        return internal(e);
    struct store_hop h;
    int rc = IS_OK;
    /* an advisory that does not exist and one the organisation is no hop
     * of are the same 404 */
    if (strlen(adv) >= sizeof(ad.id) || store_advisory_get(c, adv, &ad)) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such advisory");
    }
    if (store_hop_get(c, adv, who->org.id, &h) ||
        strcmp(h.state, "pending") == 0)
        rc =
            svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such advisory");
    switch (rc ? AUDIENCE_WITHHOLD_OK
               : audience_withhold_check(ad.kind, ad.severity, h.state)) {
    case AUDIENCE_WITHHOLD_OK: break;
    case AUDIENCE_WITHHOLD_SEVERE:
        rc = svc_fail(e, IS_ERR_FORBIDDEN, "cannot_withhold", "severity",
                      "severity: a warning of severity %d or more cannot be "
                      "withheld",
                      AUDIENCE_WITHHOLD_MIN_SEVERITY);
        break;
    case AUDIENCE_WITHHOLD_RELAYED:
        rc = svc_fail(e, IS_ERR_CONFLICT, "already_relayed", NULL,
                      "your organisation has relayed this advisory already");
        break;
    case AUDIENCE_WITHHOLD_WITHHELD:
        rc = svc_fail(e, IS_ERR_CONFLICT, "already_withheld", NULL,
                      "your organisation has withheld this advisory already");
        break;
    case AUDIENCE_WITHHOLD_NOT_HOP:
        rc = svc_fail(e, IS_ERR_CONFLICT, "not_current_hop", NULL,
                      "the advisory is not waiting for your organisation");
        break;
    }
    const char *reason = jv_str(body, "reason");
    if (!rc && !reason[0])
        rc = svc_fail(e, IS_ERR_INVALID, "missing_field", "reason",
                      "reason: say why the advisory is withheld");
    if (!rc && store_hop_withhold(c, adv, who->org.id, now, reason))
        rc = internal(e);
    if (!rc && audit_record(c, who, now, "advisory.withhold", adv,
                            json_pack("{s:s,s:s}", "hop", who->org.id, "reason",
                                      reason)))
        rc = internal(e);
    if (!rc && store_commit(c))
        rc = internal(e);
    if (rc) {
        store_rollback(c);
        store_advisory_release(&ad);
        return rc;
    }
    log_event(LOG_INFO, "advisory withheld", "advisory", json_string(adv),
              "hop", json_string(who->org.id), NULL);
    *out = json_pack("{s:s,s:s,s:s,s:o,s:s}", "advisory", adv, "hop",
                     who->org.id, "state", "withheld", "withheld_at",
                     svc_time_json(now), "reason", reason);
    store_advisory_release(&ad);
    return IS_OK;
}
