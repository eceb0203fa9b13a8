/*
 * drills.c - CEPTOAR drills (DOMAIN.md §7): a drill is an advisory marked
 * as a drill (every message says 【訓練】/[DRILL]); its report gives reach
 * per CEPTOAR and organisation, the channel that reached each, those not
 * reached, and the change against the previous drill of the same target.
 */
#include "service/provision.h"
#include "service/drills.h"

#include "core/drill.h"
#include "core/range.h"
#include "core/roles.h"
#include "common/buf.h"
#include "common/html.h"
#include "common/util.h"

static const char *const targets[] = {"ceptoar", "sector", "all", "subgroup",
                                      NULL};
static const char *const kinds[] = {"reach", "structure", "outage", NULL};
static const char *const channels[] = {"gateway", "email", "webhook", NULL};

const struct jv_field provision_drill_spec[] = {
    {.name = "target_kind",
     .type = JV_STRING,
     .required = true,
     .max_len = 10,
     .enum_values = targets},
    {.name = "target", .type = JV_STRING, .max_len = 63},
    {.name = "title_ja", .type = JV_STRING, .max_len = 180, .nonblank = true},
    {.name = "title_en", .type = JV_STRING, .max_len = 180, .nonblank = true},
    {.name = "body_ja", .type = JV_STRING, .max_len = 10000, .nonblank = true},
    {.name = "body_en", .type = JV_STRING, .max_len = 10000, .nonblank = true},
    {.name = "kind", .type = JV_STRING, .max_len = 10, .enum_values = kinds},
    {.name = "channel",
     .type = JV_STRING,
     .max_len = 10,
     .enum_values = channels},
    {.name = NULL},
};

/* Whether who may drill target (of kind "all", "sector", "ceptoar" or
 * "subgroup"): NISC drills anything, a ministry the sectors it owns (and
 * their CEPTOARs and sub-groups), a secretariat its own CEPTOAR and its
 * sub-groups; the target must exist. */
static int drill_allowed(struct store_conn *c, const struct auth_ctx *who,
                         const char *kind, const char *target,
                         struct svc_error *e)
{
    const char *okind = who->org.kind;
    bool nisc = strcmp(okind, "nisc") == 0;
    bool ministry = strcmp(okind, "ministry") == 0;
    bool ceptoar = strcmp(okind, "ceptoar") == 0;
    if (!nisc && !ministry && !ceptoar)
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "drills are started by NISC, ministries and CEPTOAR "
                        "secretariats");
    if (strcmp(kind, "all") != 0 && !target)
        return svc_fail(e, IS_ERR_INVALID, "missing_field", "target",
                        "target: required unless target_kind is all");
    if (strcmp(kind, "all") == 0 && !nisc)
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "target_kind",
                        "target_kind: only NISC drills every sector");
    /* a sub-group is checked as its CEPTOAR */
    char sg_cep[IDS_LEN];
    if (strcmp(kind, "subgroup") == 0) {
        if (store_subgroup_ceptoar(c, target, sg_cep, sizeof(sg_cep)))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "target",
                            "target: no such sub-group");
        kind = "ceptoar";
        target = sg_cep;
    }
    if (ceptoar && (strcmp(kind, "ceptoar") || strcmp(target, who->org.id)))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "target",
                        "target: a secretariat drills its own CEPTOAR");
    struct access_org rel;
    if (strcmp(kind, "sector") == 0 &&
        store_names(c, "sector", target, NULL, 0, NULL, 0))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "target",
                        "target: no such sector");
    if (strcmp(kind, "ceptoar") == 0 &&
        (store_org_rel(c, target, &rel) || strcmp(rel.kind, "ceptoar")))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "target",
                        "target: no such CEPTOAR");
    /* a ministry drills the sectors it owns */
    if (ministry) {
        bool own;
        if (strcmp(kind, "ceptoar") == 0) {
            own = strcmp(rel.ministry_id, who->org.id) == 0;
        } else {
            struct store_sectors s;
            own = false;
            if (store_sectors_list(c, &s) == IS_OK) {
                for (size_t i = 0; i < s.nsectors; i++)
                    if (s.sectors[i].id && s.sectors[i].ministry_id &&
                        strcmp(s.sectors[i].id, target) == 0 &&
                        strcmp(s.sectors[i].ministry_id, who->org.id) == 0)
                        own = true;
                store_sectors_release(&s);
            }
        }
        if (!own)
            return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "target",
                            "target: a ministry drills the sectors it owns");
    }
    return IS_OK;
}

/* The advisory a drill sends (a new object): Green, severity 0, the drill
 * marker before the titles, and default texts for what body leaves out
 * (a structure drill asks each member to confirm its contacts); an
 * outage drill carries its one channel (only_channel, read by
 * advisory_issue_drill). */
static json_t *drill_advisory(const json_t *body, const char *dkind,
                              const char *kind, const char *target,
                              const char *page)
{
    bool structure = strcmp(dkind, "structure") == 0;
    char tja[256], ten[256];
    snprintf(tja, sizeof(tja), "【訓練】%s",
             jv_str(body, "title_ja") ? jv_str(body, "title_ja")
             : structure              ? "連絡体制確認訓練"
                                      : "情報伝達訓練");
    snprintf(ten, sizeof(ten), "[DRILL] %s",
             jv_str(body, "title_en") ? jv_str(body, "title_en")
             : structure              ? "Contact-structure drill"
                                      : "Information-sharing drill");
    json_t *aud = json_object();
    if (strcmp(kind, "all") == 0)
        json_object_set_new(aud, "all", json_true());
    else
        json_object_set_new(aud,
                            strcmp(kind, "sector") == 0     ? "sectors"
                            : strcmp(kind, "subgroup") == 0 ? "subgroups"
                                                            : "ceptoars",
                            json_pack("[s]", target));
    /* a drill also measures the lists its organisations relay to
     * (docs/rules.md, "Distribution lists") */
    json_object_set_new(aud, "include_lists", json_true());
    char bja[1024], ben[1024];
    if (structure) {
        snprintf(bja, sizeof(bja),
                 "【訓練】これは連絡体制確認訓練です。貴組織の連絡先が最新であ"
                 "ることを確認し、%s で「連絡先を確認」を押してください。",
                 page);
        snprintf(ben, sizeof(ben),
                 "[DRILL] This is a contact-structure drill. Check that your "
                 "organisation's contacts are current and press \"Confirm "
                 "contacts\" at %s.",
                 page);
    } else {
        util_xcopy(bja, sizeof(bja),
                   "【訓練】これは訓練です。受領を確認してください。");
        util_xcopy(ben, sizeof(ben),
                   "[DRILL] This is a drill. Please acknowledge receipt.");
    }
    json_t *adv = json_pack(
        "{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:o}", "kind", "security_info", "range",
        "green", "severity", 0, "title_ja", tja, "title_en", ten, "body_ja",
        jv_str(body, "body_ja") ? jv_str(body, "body_ja") : bja, "body_en",
        jv_str(body, "body_en") ? jv_str(body, "body_en") : ben, "audience",
        aud);
    if (adv && jv_str(body, "channel"))
        json_object_set_new(adv, "only_channel",
                            json_string(jv_str(body, "channel")));
    return adv;
}

/* The kind and channel of a drill body: an outage drill names its one
 * channel, the others none. */
static int drill_kind_check(const json_t *body, const char **dkind,
                            struct svc_error *e)
{
    *dkind = jv_str(body, "kind") ? jv_str(body, "kind") : "reach";
    bool outage = strcmp(*dkind, "outage") == 0;
    if (outage && !jv_str(body, "channel"))
        return svc_fail(e, IS_ERR_INVALID, "missing_field", "channel",
                        "channel: an outage drill names its one channel "
                        "(gateway, email or webhook)");
    if (!outage && jv_str(body, "channel"))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "channel",
                        "channel: only an outage drill is limited to one "
                        "channel");
    return IS_OK;
}

/* An outage drill whose recipients lack its channel is refused (the
 * caller rolls back): the message names the first of them and how many
 * there are. */
static int drill_channel_cover(struct store_conn *c, const char *adv,
                               const char *channel, struct svc_error *e)
{
    struct store_id_list miss = {0};
    if (store_recipients_lacking_channel(c, adv, channel, &miss))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the drill could not be started; nothing was sent");
    if (!miss.n) {
        store_id_list_free(&miss);
        return IS_OK;
    }
    struct buf b;
    buf_init(&b, 1024);
    for (size_t i = 0; i < miss.n && i < 10; i++)
        buf_addf(&b, "%s%s", i ? ", " : "", miss.items[i].id);
    char *list = buf_detach(&b);
    /* the first ten named; how many more, in the sentence (its Japanese
     * then says it too) */
    if (miss.n > 10)
        svc_fail(e, IS_ERR_INVALID, "invalid_value", "channel",
                 "channel: %zu target(s) have no %s contact: %s and %zu more",
                 miss.n, channel, list ? list : "", miss.n - 10);
    else
        svc_fail(e, IS_ERR_INVALID, "invalid_value", "channel",
                 "channel: %zu target(s) have no %s contact: %s", miss.n,
                 channel, list ? list : "");
    free(list);
    store_id_list_free(&miss);
    return IS_ERR_INVALID;
}

int drill_start(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const json_t *body, int64_t now, json_t **out,
                struct svc_error *e)
{
    const char *kind = jv_str(body, "target_kind");
    const char *target = jv_str(body, "target");
    const char *dkind;
    int rc = drill_kind_check(body, &dkind, e);
    if (!rc)
        rc = drill_allowed(c, who, kind, target, e);
    if (rc)
        return rc;
    const char *channel =
        jv_str(body, "channel") ? jv_str(body, "channel") : "";
    struct store_drill_info d = {.created_at = now,
                                 .fy = drill_fiscal_year(now)};
    char hex[17], page[600];
    util_random_hex(hex, 8);
    snprintf(d.id, sizeof(d.id), "D%s", hex);
    snprintf(page, sizeof(page), "%s/#/drills/%s", a->public_url, d.id);
    json_t *adv = drill_advisory(body, dkind, kind, target, page);
    util_xcopy(d.target_kind, sizeof(d.target_kind), kind);
    util_xcopy(d.target, sizeof(d.target), target ? target : "");
    util_xcopy(d.created_by, sizeof(d.created_by), who->org.id);
    util_xcopy(d.kind, sizeof(d.kind), dkind);
    util_xcopy(d.channel, sizeof(d.channel), channel);
    rc = adv ? store_begin(c) : IS_ERR_NOMEM;
    if (!rc)
        rc = advisory_issue_drill(a, c, who, adv, now, d.advisory,
                                  sizeof(d.advisory));
    json_decref(adv);
    if (!rc && *channel && drill_channel_cover(c, d.advisory, channel, e)) {
        store_rollback(c);
        return IS_ERR_INVALID;
    }
    if (!rc)
        rc = store_drill_add(c, &d);
    if (!rc)
        rc = store_drill_ceptoars_fill(c, d.id, d.advisory);
    if (!rc)
        rc = audit_record(c, who, now, "drill.start", d.id,
                          json_pack("{s:s,s:s,s:s,s:s,s:s}", "advisory",
                                    d.advisory, "kind", dkind, "channel",
                                    channel, "target_kind", kind, "target",
                                    d.target));
    if (rc || (rc = store_commit(c))) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the drill could not be started; nothing was sent");
    }
    *out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:o}", "id", d.id,
                     "advisory", d.advisory, "kind", dkind, "channel", channel,
                     "target_kind", kind, "target", d.target, "fiscal_year",
                     d.fy, "started_at", svc_time_json(now));
    return IS_OK;
}

/* ---- sub-group reach, structure, comparison ---- */

/* Reach per sub-group of the recipients in items (the deliveries view
 * the caller may see): {sub-group: reach bucket}. */
static json_t *reach_by_subgroup(struct store_conn *c, const char *adv,
                                 const struct store_recipient_list *rcpts,
                                 const json_t *items, int64_t t0, int64_t now)
{
    json_t *out = json_object();
    struct store_adv_org_list pairs = {0};
    if (store_subgroups_of_recipients(c, adv, &pairs))
        return out;
    const struct store_recipient_entry **sel =
        calloc(rcpts->n ? rcpts->n : 1, sizeof(*sel));
    for (size_t i = 0; sel && i < pairs.n;) {
        const char *sg = pairs.items[i].adv;
        size_t n = 0, j = i;
        for (; j < pairs.n && strcmp(pairs.items[j].adv, sg) == 0; j++) {
            /* visible to the caller: in its deliveries view */
            bool seen = false;
            size_t k;
            json_t *it;
            json_array_foreach (items, k, it)
                if (strcmp(jv_str(it, "org"), pairs.items[j].org) == 0)
                    seen = true;
            for (size_t r = 0; seen && r < rcpts->n; r++)
                if (strcmp(rcpts->items[r].org, pairs.items[j].org) == 0)
                    sel[n++] = &rcpts->items[r];
        }
        if (n) {
            json_t *rc = advisory_reach(sel, n, t0, now);
            json_object_set(out, sg, json_object_get(rc, "advisory"));
            json_decref(rc);
        }
        i = j;
    }
    free(sel);
    store_adv_org_list_free(&pairs);
    return out;
}

/* A structure drill's contacts section: {max_age_days, confirmed,
 * recent, stale: [{org, name, contacts, contacts_updated_at}]} over the
 * recipients in items. */
static json_t *structure_json(struct store_conn *c,
                              const struct store_drill_info *d,
                              const json_t *items, int64_t now)
{
    struct store_drill_contact_list l = {0};
    if (store_drill_contacts(c, d->id, d->advisory, &l))
        return json_null();
    int64_t nconf = 0, nrecent = 0;
    json_t *stale = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const struct store_drill_contact *x = &l.items[i];
        bool seen = false;
        size_t k;
        json_t *it;
        json_array_foreach (items, k, it)
            if (strcmp(jv_str(it, "org"), x->org) == 0)
                seen = true;
        if (!seen)
            continue;
        enum drill_contact_state st = drill_contact_state(
            x->confirmed_at, x->updated_at, now, DRILL_CONTACT_MAX_AGE_S);
        if (st == DRILL_CONTACT_CONFIRMED)
            nconf++;
        else if (st == DRILL_CONTACT_RECENT)
            nrecent++;
        else
            json_array_append_new(
                stale,
                json_pack("{s:s,s:{s:s,s:s},s:I,s:o}", "org", x->org, "name",
                          "ja", x->name_ja, "en", x->name_en, "contacts",
                          (json_int_t)x->ncontacts, "contacts_updated_at",
                          svc_time_json(x->updated_at)));
    }
    store_drill_contact_list_free(&l);
    return json_pack("{s:I,s:I,s:I,s:o}", "max_age_days",
                     (json_int_t)(DRILL_CONTACT_MAX_AGE_S / 86400), "confirmed",
                     (json_int_t)nconf, "recent", (json_int_t)nrecent, "stale",
                     stale);
}

/* The comparison with the previous drill of the same kind and target:
 * shown only when both 1-day windows are closed (core drill_comparable);
 * *status is "none", "pending" or "shown". */
static json_t *comparison_json(struct app *a, struct store_conn *c,
                               const struct auth_ctx *who,
                               const struct store_drill_info *d, double cur,
                               int64_t now, const char **status)
{
    struct store_drill_info prev;
    *status = "none";
    if (store_drill_previous(c, d, &prev) != IS_OK)
        return json_null();
    if (!drill_comparable(d->created_at, prev.created_at, now)) {
        *status = "pending";
        return json_null();
    }
    json_t *pdl = NULL;
    struct svc_error pe = {0};
    if (advisory_deliveries(a, c, who, prev.advisory, "all", now, &pdl, &pe))
        return json_null();
    double old = json_real_value(json_object_get(
        json_object_get(json_object_get(pdl, "reach"), "advisory"),
        "reach_1d"));
    json_decref(pdl);
    *status = "shown";
    return json_pack("{s:s,s:f,s:f,s:f}", "previous_drill", prev.id,
                     "previous_reach_1d", old, "reach_1d", cur, "change",
                     cur - old);
}

int drill_report(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, int64_t now,
                 json_t **out, struct svc_error *e)
{
    struct store_drill_info d;
    if (strlen(id) >= sizeof(d.id) || store_drill_info_get(c, id, &d))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such drill");
    const char *adv = d.advisory;
    /* who may read the report: those who may see the advisory's
     * deliveries (the author's chain and the secretariats) */
    json_t *dl = NULL;
    int rc = advisory_deliveries(a, c, who, adv, "all", now, &dl, e);
    if (rc)
        return rc;
    struct store_advisory ad;
    int64_t t0 = d.created_at;
    if (store_advisory_get(c, adv, &ad) == IS_OK) {
        t0 = ad.created_at;
        store_advisory_release(&ad);
    }
    d.created_at = t0;
    json_t *items = json_object_get(dl, "items");
    size_t i;
    json_t *r;
    json_t *not_reached = json_array();
    json_array_foreach (items, i, r)
        if (strcmp(jv_str(r, "state"), "acknowledged"))
            json_array_append_new(not_reached,
                                  json_pack("{s:O,s:O,s:O,s:O}", "org",
                                            json_object_get(r, "org"), "name",
                                            json_object_get(r, "name"), "via",
                                            json_object_get(r, "via"), "state",
                                            json_object_get(r, "state")));
    json_t *reach = json_object_get(dl, "reach");
    double cur = json_real_value(
        json_object_get(json_object_get(reach, "advisory"), "reach_1d"));
    const char *cstatus;
    json_t *comparison = comparison_json(a, c, who, &d, cur, now, &cstatus);
    struct store_recipient_list rcpts = {0};
    json_t *by_sg = store_recipients_list(c, adv, &rcpts) == IS_OK
                        ? reach_by_subgroup(c, adv, &rcpts, items, t0, now)
                        : json_object();
    store_recipient_list_free(&rcpts);
    json_t *rep = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:b,s:o,s:O,s:O,s:o,s:o,s:o,s:s}",
        "drill", d.id, "advisory", d.advisory, "kind", d.kind, "channel",
        d.channel, "target_kind", d.target_kind, "target", d.target,
        "created_by", d.created_by, "fiscal_year", d.fy, "window_closed",
        drill_window_closed(t0, now), "started_at", svc_time_json(t0), "reach",
        json_object_get(reach, "advisory"), "by_ceptoar",
        json_object_get(reach, "by_ceptoar"), "by_subgroup", by_sg,
        "not_reached", not_reached, "comparison", comparison,
        "comparison_status", cstatus);
    if (!rep) {
        json_decref(dl);
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL,
                        "the report could not be built");
    }
    json_object_set_new(rep, "structure",
                        strcmp(d.kind, "structure") == 0
                            ? structure_json(c, &d, items, now)
                            : json_null());
    json_object_set(rep, "organisations", items);
    *out = rep;
    json_decref(dl);
    return IS_OK;
}

/* ---- confirmation (structure drills) ---- */

int drill_confirm(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id, int64_t now,
                  json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_drill_info d;
    struct store_recipient rc_;
    /* a recipient still waiting below a hop: the drill has not reached
     * it, and does not exist for it yet (as a roll call's answers) */
    if (strlen(id) >= sizeof(d.id) || store_drill_info_get(c, id, &d) ||
        store_recipient_get(c, d.advisory, who->org.id, &rc_) ||
        !rc_.released_at)
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such drill");
    if (strcmp(d.kind, "structure") != 0)
        return svc_fail(e, IS_ERR_CONFLICT, "conflict", NULL,
                        "only a structure drill asks members to confirm their "
                        "contacts");
    int64_t at = 0;
    bool fresh = false;
    int rc = store_begin(c);
    if (!rc)
        rc = store_drill_confirm(c, d.id, who->org.id, who->user_id, "api", now,
                                 &at, &fresh);
    if (!rc && fresh)
        rc = audit_record(c, who, now, "drill.confirm", d.id,
                          json_pack("{s:s}", "org", who->org.id));
    if (rc || (rc = store_commit(c))) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the confirmation could not be recorded");
    }
    *out = json_pack("{s:s,s:s,s:o}", "drill", d.id, "org", who->org.id,
                     "confirmed_at", svc_time_json(at));
    return IS_OK;
}

/* ---- the drill programme ---- */

/* Who sees which drills and figures: NISC everything; a secretariat its
 * CEPTOAR; a ministry the CEPTOARs of the sectors it owns. */
struct drill_viewer {
    const struct auth_ctx *who;
    bool all;
    json_t *seen; /* ceptoar id -> true/false, a cache */
};

static int drill_viewer_of(const struct auth_ctx *who, struct drill_viewer *v,
                           struct svc_error *e)
{
    const char *k = who->org.kind;
    v->who = who;
    v->all = strcmp(k, "nisc") == 0;
    v->seen = json_object();
    if (!v->all && strcmp(k, "ministry") && strcmp(k, "ceptoar")) {
        json_decref(v->seen);
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "the drill programme is for NISC, ministries and "
                        "CEPTOAR secretariats");
    }
    return IS_OK;
}

/* Does v see the figures of CEPTOAR cep ("" = recipients without one:
 * NISC only)? */
static bool viewer_sees_ceptoar(struct store_conn *c, struct drill_viewer *v,
                                const char *cep)
{
    if (v->all)
        return true;
    if (!*cep)
        return false;
    if (strcmp(cep, v->who->org.id) == 0)
        return true;
    if (strcmp(v->who->org.kind, "ministry"))
        return false;
    json_t *x = json_object_get(v->seen, cep);
    if (x)
        return json_is_true(x);
    struct access_org rel;
    bool own = !store_org_rel(c, cep, &rel) &&
               strcmp(rel.ministry_id, v->who->org.id) == 0;
    json_object_set_new(v->seen, cep, json_boolean(own));
    return own;
}

/* Does v see drill d (started by it, or through a CEPTOAR it sees)? */
static bool viewer_sees_drill(struct store_conn *c, struct drill_viewer *v,
                              const struct store_drill_info *d)
{
    if (v->all || strcmp(d->created_by, v->who->org.id) == 0)
        return true;
    char list[sizeof(d->ceptoars)];
    util_xcopy(list, sizeof(list), d->ceptoars);
    for (char *p = list; *p;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (viewer_sees_ceptoar(c, v, p))
            return true;
        if (!comma)
            break;
        p = comma + 1;
    }
    return false;
}

/* Figures accumulated over recipients: counts, times to acknowledge and
 * the channels that reached them. */
struct drill_acc {
    int64_t drills, recipients, delivered_1d, acknowledged_1d;
    int64_t *tta;
    size_t ntta, cap;
    json_t *channels; /* channel -> count */
};

static void acc_add(struct drill_acc *x, const struct store_recipient *r,
                    int64_t t0)
{
    x->recipients++;
    if (r->delivered_at && r->delivered_at - t0 <= DRILL_WINDOW_S)
        x->delivered_1d++;
    if (r->acked_at && r->acked_at - t0 <= DRILL_WINDOW_S)
        x->acknowledged_1d++;
    if (r->acked_at) {
        if (x->ntta == x->cap) {
            size_t cap = x->cap ? 2 * x->cap : 64;
            int64_t *p = realloc(x->tta, cap * sizeof(*p));
            if (!p)
                return;
            x->tta = p;
            x->cap = cap;
        }
        x->tta[x->ntta++] = r->acked_at - t0;
    }
    if (r->delivered_at && *r->channel) {
        if (!x->channels)
            x->channels = json_object();
        json_t *n = json_object_get(x->channels, r->channel);
        json_object_set_new(x->channels, r->channel,
                            json_integer(json_integer_value(n) + 1));
    }
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The figures of x as JSON; releases x's memory. */
static json_t *acc_json(struct drill_acc *x)
{
    if (x->ntta)
        qsort(x->tta, x->ntta, sizeof(*x->tta), cmp_i64);
    json_t *tta =
        x->ntta ? json_pack("{s:I,s:I,s:I}", "p50_s",
                            (json_int_t)drill_percentile(x->tta, x->ntta, 50),
                            "p90_s",
                            (json_int_t)drill_percentile(x->tta, x->ntta, 90),
                            "max_s", (json_int_t)x->tta[x->ntta - 1])
                : json_object();
    json_t *o = json_pack(
        "{s:I,s:I,s:I,s:I,s:f,s:o,s:o}", "drills", (json_int_t)x->drills,
        "recipients", (json_int_t)x->recipients, "delivered_1d",
        (json_int_t)x->delivered_1d, "acknowledged_1d",
        (json_int_t)x->acknowledged_1d, "reach_1d",
        x->recipients ? (double)x->acknowledged_1d / (double)x->recipients
                      : 0.0,
        "time_to_acknowledge", tta, "channels",
        x->channels ? x->channels : json_object());
    free(x->tta);
    *x = (struct drill_acc){0};
    return o;
}

/* Adds drill d's recipients that v sees to the accumulators of accs
 * (ceptoar id -> index into arr, "" for none); *touched lists the
 * CEPTOARs it added to. */
struct acc_map {
    json_t *index; /* key -> integer index */
    struct drill_acc *arr;
    size_t n, cap;
};

static struct drill_acc *acc_get(struct acc_map *m, const char *key)
{
    json_t *i = json_object_get(m->index, key);
    if (i)
        return &m->arr[json_integer_value(i)];
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 32;
        struct drill_acc *p = realloc(m->arr, cap * sizeof(*p));
        if (!p)
            return NULL;
        m->arr = p;
        m->cap = cap;
    }
    m->arr[m->n] = (struct drill_acc){0};
    json_object_set_new(m->index, key, json_integer((json_int_t)m->n));
    return &m->arr[m->n++];
}

/* Accumulates drill d (its recipients v sees) into m keyed by CEPTOAR
 * (and prefix + CEPTOAR when prefix is given); counts the drill once per
 * CEPTOAR it reached. */
static int acc_drill(struct store_conn *c, struct drill_viewer *v,
                     const struct store_drill_info *d, struct acc_map *m,
                     const char *suffix)
{
    struct store_recipient_list l = {0};
    int rc = store_recipients_list(c, d->advisory, &l);
    if (rc)
        return rc;
    json_t *counted = json_object();
    for (size_t i = 0; i < l.n; i++) {
        const struct store_recipient *r = &l.items[i].r;
        if (!viewer_sees_ceptoar(c, v, r->via))
            continue;
        char key[IDS_LEN + 16];
        snprintf(key, sizeof(key), "%s%s", *r->via ? r->via : "(direct)",
                 suffix);
        struct drill_acc *x = acc_get(m, key);
        if (!x)
            continue;
        if (!json_object_get(counted, key)) {
            json_object_set_new(counted, key, json_true());
            x->drills++;
        }
        acc_add(x, r, d->created_at);
    }
    json_decref(counted);
    store_recipient_list_free(&l);
    return IS_OK;
}

/* The reach of one drill for the list: over the recipients v sees. */
static json_t *drill_item_json(struct store_conn *c, struct drill_viewer *v,
                               const struct store_drill_info *d, int64_t now)
{
    struct drill_acc all = {0};
    struct store_recipient_list l = {0};
    if (!store_recipients_list(c, d->advisory, &l))
        for (size_t i = 0; i < l.n; i++)
            if (v->all || strcmp(d->created_by, v->who->org.id) == 0 ||
                viewer_sees_ceptoar(c, v, l.items[i].r.via))
                acc_add(&all, &l.items[i].r, d->created_at);
    store_recipient_list_free(&l);
    all.drills = 1;
    json_t *ceps = json_array();
    char list[sizeof(d->ceptoars)];
    util_xcopy(list, sizeof(list), d->ceptoars);
    for (char *p = list; *p;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (viewer_sees_ceptoar(c, v, p) ||
            strcmp(d->created_by, v->who->org.id) == 0)
            json_array_append_new(ceps, json_string(p));
        if (!comma)
            break;
        p = comma + 1;
    }
    json_t *reach = acc_json(&all);
    json_object_del(reach, "drills");
    /* may the viewer open the drill's report (GET /drills/{id}: those
     * who may read its advisory's deliveries)? A ministry sees the
     * figures of its sectors' CEPTOARs' drills, not always their reports */
    bool report = advisory_deliveries_readable(c, v->who, d->advisory);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:o,s:b,s:o,s:o,s:b}",
                     "id", d->id, "advisory", d->advisory, "kind", d->kind,
                     "channel", d->channel, "target_kind", d->target_kind,
                     "target", d->target, "created_by", d->created_by,
                     "fiscal_year", d->fy, "started_at",
                     svc_time_json(d->created_at), "window_closed",
                     drill_window_closed(d->created_at, now), "ceptoars", ceps,
                     "reach", reach, "report", report);
}

int drill_list(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               int fy, const char *ceptoar, int limit, const char *cursor,
               int64_t now, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct drill_viewer v;
    int rc = drill_viewer_of(who, &v, e);
    if (rc)
        return rc;
    if (ceptoar) {
        struct access_org rel;
        if (store_org_rel(c, ceptoar, &rel) || strcmp(rel.kind, "ceptoar") ||
            !viewer_sees_ceptoar(c, &v, ceptoar)) {
            json_decref(v.seen);
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "ceptoar",
                            "ceptoar: not a CEPTOAR whose drills you see");
        }
    }
    int64_t before = 0;
    if (cursor) {
        struct store_drill_info d;
        if (strlen(cursor) >= sizeof(d.id) ||
            store_drill_info_get(c, cursor, &d) ||
            !viewer_sees_drill(c, &v, &d)) {
            json_decref(v.seen);
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "cursor",
                            "cursor: not a cursor this hub returned");
        }
        before = d.seq;
    }
    json_t *items = json_array();
    char last[IDS_LEN] = "";
    bool more = false;
    /* pages of the store's list, filtered by what v sees, until limit
     * drills are found (and one more tells there is a next page) */
    for (;;) {
        struct store_drill_info_list l = {0};
        if (store_drills_list(c, fy, ceptoar, before, 200, &l)) {
            json_decref(items);
            json_decref(v.seen);
            return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "drills");
        }
        size_t i = 0;
        for (; i < l.n && !more; i++) {
            before = l.items[i].seq;
            if (!viewer_sees_drill(c, &v, &l.items[i]))
                continue;
            if (json_array_size(items) == (size_t)limit) {
                more = true;
                break;
            }
            json_array_append_new(items,
                                  drill_item_json(c, &v, &l.items[i], now));
            util_xcopy(last, sizeof(last), l.items[i].id);
        }
        size_t n = l.n;
        store_drill_info_list_free(&l);
        if (more || n < 200)
            break;
    }
    json_decref(v.seen);
    *out = json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     more ? json_string(last) : json_null());
    return IS_OK;
}

int drill_summary(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, int fy, int64_t now, json_t **out,
                  struct svc_error *e)
{
    IS_UNUSED(a);
    struct drill_viewer v;
    int rc = drill_viewer_of(who, &v, e);
    if (rc)
        return rc;
    if (!fy)
        fy = drill_fiscal_year(now);
    enum { YEARS = 5 };
    struct acc_map m = {.index = json_object()};
    struct drill_acc nat[YEARS] = {0};
    int64_t open = 0;
    /* the five fiscal years up to fy: per CEPTOAR and year, and the
     * national figures per year */
    for (int y = fy - YEARS + 1; !rc && y <= fy; y++) {
        int64_t before = 0;
        for (;;) {
            struct store_drill_info_list l = {0};
            rc = store_drills_list(c, y, NULL, before, 200, &l);
            if (rc)
                break;
            for (size_t i = 0; i < l.n; i++) {
                const struct store_drill_info *d = &l.items[i];
                before = d->seq;
                if (!viewer_sees_drill(c, &v, d))
                    continue;
                if (!drill_window_closed(d->created_at, now)) {
                    open += y == fy;
                    continue;
                }
                char sfx[16];
                snprintf(sfx, sizeof(sfx), "@%d", y);
                acc_drill(c, &v, d, &m, sfx);
                /* national: every recipient the viewer sees */
                struct store_recipient_list rl = {0};
                if (!store_recipients_list(c, d->advisory, &rl)) {
                    bool any = false;
                    for (size_t k = 0; k < rl.n; k++)
                        if (viewer_sees_ceptoar(c, &v, rl.items[k].r.via)) {
                            acc_add(&nat[y - (fy - YEARS + 1)], &rl.items[k].r,
                                    d->created_at);
                            any = true;
                        }
                    nat[y - (fy - YEARS + 1)].drills += any;
                }
                store_recipient_list_free(&rl);
            }
            size_t n = l.n;
            store_drill_info_list_free(&l);
            if (n < 200)
                break;
        }
    }
    if (rc) {
        for (size_t i = 0; i < m.n; i++)
            json_decref(acc_json(&m.arr[i]));
        for (int y = 0; y < YEARS; y++)
            json_decref(acc_json(&nat[y]));
        free(m.arr);
        json_decref(m.index);
        json_decref(v.seen);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "drills");
    }
    /* per CEPTOAR: the figures of fy and the trend */
    json_t *by = json_object();
    const char *key;
    json_t *idx;
    json_object_foreach (m.index, key, idx) {
        const char *at = strrchr(key, '@');
        char cep[IDS_LEN + 16];
        util_xcopy(cep, sizeof(cep), key);
        cep[at - key] = '\0';
        long y = strtol(at + 1, NULL, 10);
        json_t *row = json_object_get(by, cep);
        if (!row) {
            struct access_org rel;
            json_t *name = json_null();
            if (!store_org_rel(c, cep, &rel)) {
                char nja[256], nen[256];
                if (!store_names(c, "org", cep, nja, sizeof(nja), nen,
                                 sizeof(nen)))
                    name = json_pack("{s:s,s:s}", "ja", nja, "en", nen);
            }
            row = json_pack("{s:s,s:o,s:n,s:[]}", "ceptoar", cep, "name", name,
                            "figures", "trend");
            json_object_set_new(by, cep, row);
        }
        json_t *f = acc_json(&m.arr[json_integer_value(idx)]);
        if (y == fy)
            json_object_set(row, "figures", f);
        json_object_set_new(f, "fiscal_year", json_integer(y));
        json_array_append_new(
            json_object_get(row, "trend"),
            json_pack("{s:I,s:I,s:O}", "fiscal_year", (json_int_t)y, "drills",
                      json_object_get(f, "drills"), "reach_1d",
                      json_object_get(f, "reach_1d")));
        json_decref(f);
    }
    free(m.arr);
    json_decref(m.index);
    json_t *rows = json_array();
    json_t *row;
    json_object_foreach (by, key, row)
        json_array_append(rows, row);
    json_decref(by);
    json_t *trend = json_array();
    json_t *national = NULL;
    for (int y = 0; y < YEARS; y++) {
        int fyy = fy - YEARS + 1 + y;
        json_t *f = acc_json(&nat[y]);
        json_array_append_new(
            trend, json_pack("{s:i,s:O,s:O}", "fiscal_year", fyy, "drills",
                             json_object_get(f, "drills"), "reach_1d",
                             json_object_get(f, "reach_1d")));
        if (fyy == fy)
            national = f;
        else
            json_decref(f);
    }
    json_decref(v.seen);
    *out = json_pack("{s:i,s:s,s:s,s:I,s:o,s:o,s:o}", "fiscal_year", fy, "from",
                     "", "until", "", "open_drills", (json_int_t)open,
                     "national", national, "trend", trend, "ceptoars", rows);
    json_object_set_new(*out, "from", svc_time_json(drill_fy_start(fy)));
    json_object_set_new(*out, "until", svc_time_json(drill_fy_start(fy + 1)));
    return IS_OK;
}

/* ---- sub-groups ---- */

int subgroups_list(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *ceptoar,
                   json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    IS_UNUSED(who);
    struct store_subgroup_list l = {0};
    if (store_subgroups_list(c, ceptoar, &l))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "sub-groups");
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:{s:s,s:s},s:I}", "id", l.items[i].id,
                             "ceptoar", l.items[i].ceptoar, "name", "ja",
                             l.items[i].name_ja, "en", l.items[i].name_en,
                             "members", (json_int_t)l.items[i].members));
    store_subgroup_list_free(&l);
    *out = json_pack("{s:o}", "items", items);
    return IS_OK;
}

int drill_audience_subgroups(struct store_conn *c, const struct auth_ctx *who,
                             const json_t *aud, int range, bool *named,
                             struct svc_error *e)
{
    const json_t *sgs = json_object_get(aud, "subgroups");
    *named = json_array_size(sgs) > 0;
    if (*named && range == RANGE_RED)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "audience",
                        "audience: a Red advisory names its recipients "
                        "individually (orgs), or use Amber for a group");
    size_t i;
    json_t *v;
    json_array_foreach (sgs, i, v) {
        char cep[IDS_LEN];
        if (store_subgroup_ceptoar(c, json_string_value(v), cep, sizeof(cep)))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value",
                            "audience.subgroups",
                            "audience.subgroups: \"%s\" is not in the "
                            "registry",
                            json_string_value(v));
        if (strcmp(who->org.kind, "ceptoar") == 0 &&
            strcmp(cep, who->org.id) != 0)
            return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden",
                            "audience.subgroups",
                            "audience.subgroups: only your own CEPTOAR's");
    }
    return IS_OK;
}
