/*
 * provision.c - see provision.h. Issue, chain, relay, acknowledgement,
 * deliveries view, reach, tick. Drills are in drills.c.
 */
#include "service/provision.h"
#include "service/alerts.h"

#include <arpa/inet.h>
#include <sodium.h>

#include "core/access.h"
#include "core/audience.h"
#include "core/deadline.h"
#include "core/mode.h"
#include "core/range.h"
#include "core/roles.h"
#include "core/rollcall.h"
#include "core/remind.h"
#include "common/buf.h"
#include "common/log.h"
#include "service/declarations.h"
#include "service/reporting.h"
#include "service/rollcall.h"
#include "common/util.h"
#include "service/lists.h"
#include "service/drills.h"
#include "store/store_exercise.h"

static const char *const adv_kinds[] = {"warning", "security_info", "case",
                                        "newsletter", NULL};
static const char *const ranges[] = {"red",   "amber", "yellow",
                                     "green", "white", NULL};

const struct jv_field provision_audience_spec[] = {
    {.name = "all", .type = JV_BOOL},
    {.name = "sectors",
     .type = JV_STRING_ARRAY,
     .max_len = 32,
     .item_len = 63,
     .unique = true},
    {.name = "scopes",
     .type = JV_STRING_ARRAY,
     .max_len = 64,
     .item_len = 63,
     .unique = true},
    {.name = "ceptoars",
     .type = JV_STRING_ARRAY,
     .max_len = 64,
     .item_len = 63,
     .unique = true},
    {.name = "orgs",
     .type = JV_STRING_ARRAY,
     .max_len = 1000,
     .item_len = 63,
     .unique = true},
    /* distribution lists (service/lists.h) */
    {.name = "lists",
     .type = JV_STRING_ARRAY,
     .max_len = 32,
     .item_len = 23,
     .unique = true},
    {.name = "include_lists", .type = JV_BOOL},
    {.name = "subgroups",
     .type = JV_STRING_ARRAY,
     .max_len = 32,
     .item_len = 63,
     .unique = true},
};

_Static_assert(IS_ARRAY_LEN(provision_audience_spec) ==
                   PROVISION_AUDIENCE_SPEC_N,
               "PROVISION_AUDIENCE_SPEC_N counts provision_audience_spec");

const struct jv_field provision_issue_spec[] = {
    {.name = "kind",
     .type = JV_STRING,
     .required = true,
     .max_len = 20,
     .enum_values = adv_kinds},
    {.name = "range",
     .type = JV_STRING,
     .required = true,
     .max_len = 10,
     .enum_values = ranges},
    {.name = "severity", .type = JV_INT, .required = true, .max = 5},
    /* both languages, neither blank (docs/rules.md "Authors, audience,
     * chain") */
    {.name = "title_ja",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "title_en",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "body_ja",
     .type = JV_STRING,
     .required = true,
     .max_len = 20000,
     .nonblank = true},
    {.name = "body_en",
     .type = JV_STRING,
     .required = true,
     .max_len = 20000,
     .nonblank = true},
    {.name = "title_in_notice", .type = JV_BOOL},
    {.name = "audience",
     .type = JV_OBJECT,
     .required = true,
     .sub = provision_audience_spec,
     .nsub = PROVISION_AUDIENCE_SPEC_N},
    {.name = "refs", .type = JV_STRING_ARRAY, .max_len = 20, .item_len = 40},
    /* a roll call's answer form (service/rollcall.c) */
    {.name = "form",
     .type = JV_OBJECT,
     .sub = rollcall_form_spec,
     .nsub = ROLLCALL_FORM_SPEC_N},
    {.name = NULL},
};

const struct jv_field provision_relay_spec[] = {
    {.name = "note_ja", .type = JV_STRING, .max_len = 2000},
    {.name = "note_en", .type = JV_STRING, .max_len = 2000},
    {.name = "range", .type = JV_STRING, .max_len = 10, .enum_values = ranges},
    {.name = NULL},
};

#define DEFAULT_LIMIT_MIN 30

/* Ends a write under the writer lock: commits when rc is IS_OK, else
 * (or when the commit fails) rolls back. Returns rc, or the commit's
 * error. */
static int write_end(struct store_conn *c, int rc)
{
    if (rc || (rc = store_commit(c)))
        store_rollback(c);
    return rc;
}

/* A write that failed in the hub: 500, nothing changed. */
static int nothing_changed(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                    "nothing was changed");
}

static void wake_outbox(struct app *a)
{
    if (a->wake_outbox)
        a->wake_outbox(a);
}

/* ---- the range decision for advisories ---- */

static struct range_decision adv_decide(struct store_conn *c,
                                        const struct auth_ctx *who,
                                        const struct store_advisory *ad)
{
    struct audience_standing s = {0};
    if (who) {
        s.registered = true;
        s.is_author = strcmp(who->org.id, ad->author) == 0;
        struct store_hop h;
        s.hop_reached = store_hop_get(c, ad->id, who->org.id, &h) == IS_OK &&
                        strcmp(h.state, "pending") != 0;
        /* a recipient reads once the chain has released the advisory to
         * it: before, a reviewing hop above it may still withhold it or
         * narrow its range (docs/rules.md "Who may read an advisory") */
        struct store_recipient r;
        if (store_recipient_get(c, ad->id, who->org.id, &r) == IS_OK &&
            r.released_at > 0) {
            s.recipient = true;
            s.named = r.named;
            s.withheld = r.via[0] && lists_via_withheld(c, ad->id, r.via);
        }
        s.agreement = who->org.agreement;
    }
    return audience_decide((enum share_range)ad->range, &s);
}

static int load_readable(struct store_conn *c, const struct auth_ctx *who,
                         const char *id, struct store_advisory *ad,
                         struct svc_error *e)
{
    if (strlen(id) >= sizeof(ad->id) || store_advisory_get(c, id, ad))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such advisory");
    if (!adv_decide(c, who, ad).may_read) {
        store_advisory_release(ad);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such advisory");
    }
    return IS_OK;
}

/* ---- the chain ---- */

static int hop_arrive(struct app *a, struct store_conn *c,
                      const struct store_advisory *ad, const char *hop,
                      int64_t now, int depth);

/* Relays a hop: releases its recipients and lets its children arrive. */
static int hop_release(struct app *a, struct store_conn *c,
                       const struct store_advisory *ad, const char *hop,
                       int64_t now, int depth)
{
    int n = 0;
    /* in an exercise every contact of a participant takes part: each is
     * sent the inject (issue 14, docs/rules.md "Cross-sector exercises") */
    int rc = store_recipients_dispatch(c, ad->id, hop,
                                       ad->hotline || a->exercise, now, &n);
    if (rc || depth > 4)
        return rc;
    struct store_id_list kids = {0};
    rc = store_hop_children(c, ad->id, hop, &kids);
    for (size_t i = 0; !rc && i < kids.n; i++)
        rc = hop_arrive(a, c, ad, kids.items[i].id, now, depth + 1);
    store_id_list_free(&kids);
    return rc;
}

static int hop_arrive(struct app *a, struct store_conn *c,
                      const struct store_advisory *ad, const char *hop,
                      int64_t now, int depth)
{
    int rc = store_hop_arrive(c, ad->id, hop, now);
    if (rc)
        return rc;
    bool review = true;
    int limit = DEFAULT_LIMIT_MIN;
    store_hop_policy(c, hop, &review, &limit);
    if (audience_relays_at_once(ad->hotline, review)) {
        rc = store_hop_relay(c, ad->id, hop, now,
                             ad->hotline ? "hotline" : "auto", "", "");
        if (rc == IS_ERR_CONFLICT)
            return IS_OK;
        if (!rc)
            rc = hop_release(a, c, ad, hop, now, depth);
    }
    return rc;
}

/* What an audience (an issue's body, or an advisory's stored one) names. */
static struct audience_shape shape_of(const json_t *aud)
{
    struct audience_shape shape = {
        .all = jv_bool(aud, "all", false),
        .sectors = json_array_size(json_object_get(aud, "sectors")),
        .scopes = json_array_size(json_object_get(aud, "scopes")),
        .ceptoars = json_array_size(json_object_get(aud, "ceptoars")),
        .orgs = json_array_size(json_object_get(aud, "orgs")),
        .lists = json_array_size(json_object_get(aud, "lists")),
        .include_lists = jv_bool(aud, "include_lists", false),
        .subgroups = json_array_size(json_object_get(aud, "subgroups")),
    };
    return shape;
}

/* Checks the audience's ids against the registry. */
static int check_audience(struct store_conn *c, const struct auth_ctx *who,
                          const json_t *aud, int range, struct svc_error *e)
{
    struct audience_shape shape = shape_of(aud);
    /* Red is readable only by the chain and organisations named
     * individually: pushing it to a whole sector would send notices to
     * organisations that may not read it */
    if (audience_red_names_group((enum share_range)range, &shape))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "audience",
                        "audience: a Red advisory names its recipients "
                        "individually (orgs), or use Amber for a group");
    static const char *const keys[] = {"sectors", "scopes", "ceptoars", "orgs"};
    for (size_t k = 0; k < IS_ARRAY_LEN(keys); k++) {
        size_t i;
        json_t *v;
        json_array_foreach (json_object_get(aud, keys[k]), i, v) {
            const char *id = json_string_value(v);
            struct access_org rel;
            bool ok;
            if (k == 0)
                ok = !store_names(c, "sector", id, NULL, 0, NULL, 0);
            else if (k == 1)
                ok = !store_names(c, "scope", id, NULL, 0, NULL, 0);
            else if (k == 2)
                ok = !store_org_rel(c, id, &rel) &&
                     strcmp(rel.kind, "ceptoar") == 0;
            else
                ok = !store_org_rel(c, id, &rel) &&
                     access_may_see_org(&who->org, who->roles, &rel);
            if (!ok) {
                char field[64];
                snprintf(field, sizeof(field), "audience.%s", keys[k]);
                return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                                "%s: \"%s\" is not in the registry (or not "
                                "visible to you)",
                                field, id);
            }
        }
    }
    /* sub-groups of a CEPTOAR (service/drills.c) */
    bool subgroups = false;
    int sg_rc = drill_audience_subgroups(c, who, aud, range, &subgroups, e);
    if (sg_rc)
        return sg_rc;
    if (!audience_names_any(&shape) && !subgroups)
        return svc_fail(e, IS_ERR_INVALID, "missing_field", "audience",
                        "audience: name all, sectors, scopes, ceptoars, "
                        "orgs or lists");
    int lrc = lists_check_audience(c, who, aud, e);
    if (lrc)
        return lrc;
    /* a secretariat pushes to its own members only */
    if (audience_author_is_secretariat(who->org.kind)) {
        if (audience_secretariat_too_wide(&shape))
            return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "audience",
                            "audience: a CEPTOAR secretariat sends to its "
                            "own members (ceptoars: [itself] or orgs)");
        size_t i;
        json_t *v;
        json_array_foreach (json_object_get(aud, "ceptoars"), i, v)
            if (strcmp(json_string_value(v), who->org.id) != 0)
                return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden",
                                "audience.ceptoars",
                                "audience.ceptoars: only your own CEPTOAR");
        json_array_foreach (json_object_get(aud, "orgs"), i, v) {
            struct access_org rel;
            bool member = false;
            if (!store_org_rel(c, json_string_value(v), &rel))
                for (int k = 0; k < rel.nceptoars; k++)
                    member |= strcmp(rel.ceptoars[k], who->org.id) == 0;
            if (!member)
                return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden",
                                "audience.orgs",
                                "audience.orgs: only your members");
        }
    }
    return IS_OK;
}

/* refs: reports the author can read; the advisory may not be wider than
 * any of them. */
static int check_refs(struct store_conn *c, const struct auth_ctx *who,
                      const json_t *refs, int range, struct svc_error *e)
{
    size_t i;
    json_t *v;
    json_array_foreach (refs, i, v) {
        struct store_report r;
        const char *id = json_string_value(v);
        if (strlen(id) >= sizeof(r.id) || store_report_get(c, id, &r))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "refs",
                            "refs: no report %s", id);
        struct range_decision d = report_decide(who, &r);
        int rr = r.range;
        store_report_release(&r);
        if (!d.may_read)
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "refs",
                            "refs: no report %s", id);
        if (!range_within((enum share_range)range, (enum share_range)rr))
            return svc_fail(e, IS_ERR_INVALID, "range_wider_than_source",
                            "range",
                            "range: wider than the range of report %s (%s)", id,
                            range_name((enum share_range)rr));
    }
    return IS_OK;
}

/* Fills ad for a new advisory from a checked body: every field, the
 * malloc'd texts included (IS_ERR_NOMEM when one could not be made; ad
 * then holds what was made, for store_advisory_release). */
static int advisory_fill(const struct app *a, const struct auth_ctx *who,
                         const json_t *body, bool drill, int64_t now,
                         struct store_advisory *ad)
{
    memset(ad, 0, sizeof(*ad));
    util_random_id(ad->id, sizeof(ad->id), 'A');
    util_xcopy(ad->author, sizeof(ad->author), who->org.id);
    ad->author_user = who->user_id;
    util_xcopy(ad->kind, sizeof(ad->kind), jv_str(body, "kind"));
    ad->range = range_parse(jv_str(body, "range"));
    ad->severity = (int)jv_int(body, "severity", 0);
    ad->drill = drill;
    ad->hotline = audience_hotline(drill, ad->kind, ad->severity);
    ad->title_in_notice = jv_bool(body, "title_in_notice", false);
    ad->title_ja = strdup(jv_str(body, "title_ja"));
    ad->title_en = strdup(jv_str(body, "title_en"));
    ad->body_ja = strdup(jv_str(body, "body_ja"));
    ad->body_en = strdup(jv_str(body, "body_en"));
    ad->audience = json_dumps(json_object_get(body, "audience"), JSON_COMPACT);
    json_t *refs = json_object_get(body, "refs");
    ad->refs = refs ? json_dumps(refs, JSON_COMPACT) : strdup("[]");
    ad->ack_deadline_s = deadline_ack_s(ad->severity, a->ack_deadline_s);
    ad->created_at = now;
    if (!ad->title_ja || !ad->title_en || !ad->body_ja || !ad->body_en ||
        !ad->audience || !ad->refs)
        return IS_ERR_NOMEM;
    return IS_OK;
}

/* Writes the recipients the checked audience names (all, sectors,
 * scopes, ceptoars, orgs). */
static int recipients_add(struct store_conn *c, const char *adv,
                          const json_t *aud)
{
    int rc = IS_OK;
    if (jv_bool(aud, "all", false))
        rc = store_recipients_add(c, adv, "all", NULL);
    static const char *const keys[][2] = {{"sectors", "sector"},
                                          {"scopes", "scope"},
                                          {"ceptoars", "ceptoar"},
                                          {"orgs", "org"}};
    for (size_t k = 0; !rc && k < IS_ARRAY_LEN(keys); k++) {
        const json_t *ids = json_object_get(aud, keys[k][0]);
        for (size_t i = 0; !rc && i < json_array_size(ids); i++)
            rc = store_recipients_add(
                c, adv, keys[k][1], json_string_value(json_array_get(ids, i)));
    }
    const json_t *sgs = json_object_get(aud, "subgroups");
    for (size_t i = 0; !rc && i < json_array_size(sgs); i++)
        rc = store_recipients_add_subgroup(
            c, adv, json_string_value(json_array_get(sgs, i)));
    return rc;
}

/* Writes the pending hops of the recipients' chain below the author:
 * the ministries (when the author's kind starts above them), then the
 * CEPTOARs, each under its ministry's hop or the author's; on the
 * hotline each CEPTOAR's emergency contacts are queued too. */
static int hops_add(struct store_conn *c, const struct store_advisory *ad,
                    const char *author_kind, int64_t now)
{
    struct audience_chain plan = audience_chain_of(author_kind);
    struct store_id_list mins = {0};
    struct store_ceptoar_hop_list ceps = {0};
    int rc = IS_OK;
    if (plan.ministries)
        rc = store_hops_ministries(c, ad->id, &mins);
    for (size_t i = 0; !rc && i < mins.n; i++)
        rc = store_hop_insert(c, ad->id, mins.items[i].id,
                              AUDIENCE_STEP_MINISTRY, ad->author, "pending", 0,
                              0, "");
    const char **min_ids = calloc(mins.n ? mins.n : 1, sizeof(*min_ids));
    if (!min_ids && !rc)
        rc = IS_ERR_NOMEM;
    for (size_t k = 0; min_ids && k < mins.n; k++)
        min_ids[k] = mins.items[k].id;
    if (!rc && plan.ceptoars)
        rc = store_hops_ceptoars(c, ad->id, &ceps);
    for (size_t i = 0; !rc && i < ceps.n; i++) {
        const char *cep = ceps.items[i].ceptoar;
        rc = store_hop_insert(c, ad->id, cep, AUDIENCE_STEP_CEPTOAR,
                              audience_ceptoar_parent(ad->author,
                                                      ceps.items[i].ministry,
                                                      min_ids, mins.n),
                              "pending", 0, 0, "");
        if (!rc && ad->hotline)
            rc = store_queue_emergency(c, ad->id, cep, now);
    }
    free(min_ids);
    store_id_list_free(&mins);
    store_ceptoar_hop_list_free(&ceps);
    return rc;
}

/* Large-scale outage mode (service/declarations.h): when a declaration
 * covers a sector of the advisory's recipients (written already), the
 * hotline threshold drops to MODE_HOTLINE_SEVERITY and the acknowledgement
 * deadline shortens (core/mode.h), decided before anything is released;
 * the advisory is linked to the declaration's event. Drills keep the
 * normal mode. */
static int advisory_apply_mode(struct store_conn *c, struct store_advisory *ad,
                               int64_t now)
{
    struct decl_mode m;
    int rc = declaration_mode_advisory(c, ad->id, &m);
    if (rc || !m.outage)
        return rc;
    ad->hotline =
        audience_hotline_mode(ad->drill, ad->kind, ad->severity, true);
    ad->ack_deadline_s = mode_ack_s(true, ad->ack_deadline_s);
    rc = store_advisory_set_mode(c, ad->id, ad->hotline, ad->ack_deadline_s);
    if (!rc)
        rc = store_event_advisory_link(c, m.event_id, ad->id, m.org, now);
    return rc;
}

/* Inserts the advisory and runs its chain (caller holds a transaction):
 * the advisory, the author's hop, the recipients, the hops below (none
 * when past_hops: every recipient is reached by the author at once);
 * then the author relays at once (the recipients without a CEPTOAR hop,
 * and the first hops). ad is filled (store_advisory_release) also on an
 * error. */
static int advisory_create(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, const json_t *body,
                           bool drill, bool past_hops, int64_t now,
                           struct store_advisory *ad)
{
    int rc = advisory_fill(a, who, body, drill, now, ad);
    if (!rc)
        rc = store_advisory_insert(c, ad);
    /* an outage drill's one channel, before anything is queued */
    if (!rc && drill && jv_str(body, "only_channel"))
        rc =
            store_advisory_channel_set(c, ad->id, jv_str(body, "only_channel"));
    if (!rc)
        rc = store_hop_insert(c, ad->id, ad->author, AUDIENCE_STEP_AUTHOR, "",
                              "relayed", now, now, "author");
    if (!rc)
        rc = recipients_add(c, ad->id, json_object_get(body, "audience"));
    if (!rc && !drill)
        rc = advisory_apply_mode(c, ad, now);
    if (!rc && !past_hops)
        rc = hops_add(c, ad, who->org.kind, now);
    if (!rc)
        rc = store_recipients_set_via(c, ad->id);
    if (!rc)
        rc = lists_add_recipients(c, ad, json_object_get(body, "audience"));
    int n = 0;
    if (!rc)
        rc = store_recipients_dispatch(c, ad->id, "",
                                       ad->hotline || a->exercise, now, &n);
    if (!rc)
        rc = hop_release(a, c, ad, ad->author, now, 0);
    return rc;
}

/* Whether hop i of hops is on the branch of anchor: anchor's hop, the
 * hops it came through (up to the author) and those it went on to. */
static bool hop_on_branch(const struct store_hop_list *hops, size_t i,
                          const char *anchor)
{
    const char *org = hops->items[i].org;
    return store_hop_list_through(hops, anchor, org) ||
           store_hop_list_through(hops, org, anchor);
}

/* The advisory's chain as the API shows it: [{org, step, parent, state,
 * arrived_at, relayed_at, how, note{ja,en}}] (times RFC 3339 or null),
 * NULL when it could not be read. With anchor (not NULL) only its branch
 * (hop_on_branch) and the author's step: what a reader of an advisory to
 * named organisations may see, whose other branches would tell which
 * sectors the others it was sent to are in. */
static json_t *hops_json(struct store_conn *c, const char *adv,
                         const char *anchor)
{
    struct store_hop_list hops;
    if (store_hops_list(c, adv, &hops))
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < hops.n; i++) {
        const struct store_hop_entry *h = &hops.items[i];
        if (anchor && h->hop.step != 0 && !hop_on_branch(&hops, i, anchor))
            continue;
        json_array_append_new(
            arr, json_pack("{s:s,s:i,s:s,s:s,s:o,s:o,s:s,s:{s:s,s:s}}", "org",
                           h->org, "step", h->hop.step, "parent", h->hop.parent,
                           "state", h->hop.state, "arrived_at",
                           svc_time_json(h->hop.arrived_at), "relayed_at",
                           svc_time_json(h->hop.relayed_at), "how", h->hop.how,
                           "note", "ja", h->note_ja, "en", h->note_en));
    }
    store_hop_list_free(&hops);
    return arr;
}

static json_t *audience_for(struct store_conn *c, const struct auth_ctx *who,
                            const struct store_advisory *ad);
static const char *chain_anchor(struct store_conn *c,
                                const struct auth_ctx *who,
                                const struct store_advisory *ad,
                                char anchor[IDS_LEN]);

static json_t *adv_json(struct store_conn *c, const struct auth_ctx *who,
                        const struct store_advisory *ad, bool full, int64_t now)
{
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:i,s:{s:s,s:s},s:b,s:b,s:s,s:o,s:I}", "id", ad->id,
        "kind", ad->kind, "range", range_name((enum share_range)ad->range),
        "tlp", range_tlp((enum share_range)ad->range), "severity", ad->severity,
        "title", "ja", ad->title_ja, "en", ad->title_en, "hotline", ad->hotline,
        "drill", ad->drill, "author", ad->author, "created_at",
        svc_time_json(ad->created_at), "ack_deadline_min",
        (json_int_t)(ad->ack_deadline_s / 60));
    char ja[256], en[256];
    store_names(c, "org", ad->author, ja, sizeof(ja), en, sizeof(en));
    json_object_set_new(o, "author_name",
                        json_pack("{s:s,s:s}", "ja", ja, "en", en));
    if (who) {
        struct store_recipient r;
        if (store_recipient_get(c, ad->id, who->org.id, &r) == IS_OK) {
            json_object_set_new(
                o, "mine",
                json_pack("{s:o,s:o,s:o,s:s,s:b,s:o}", "released_at",
                          svc_time_json(r.released_at), "delivered_at",
                          svc_time_json(r.delivered_at), "acked_at",
                          svc_time_json(r.acked_at), "ack_via", r.ack_via,
                          "acknowledged", r.acked_at != 0, "ack_due",
                          svc_time_json(deadline_ack_due(r.released_at,
                                                         ad->ack_deadline_s))));
            /* issue 11: lists - the hub's read state */
            int64_t opened = 0;
            bool released;
            if (store_recipient_opened(c, ad->id, who->org.id, &opened,
                                       &released))
                opened = 0;
            json_object_set_new(json_object_get(o, "mine"), "opened_at",
                                svc_time_json(opened));
        }
    }
    rollcall_adv_json(c, who, ad->id, o);
    if (!full)
        return o;
    json_object_set_new(
        o, "body",
        json_pack("{s:s,s:s}", "ja", ad->body_ja, "en", ad->body_en));
    json_object_set_new(o, "audience", audience_for(c, who, ad));
    json_object_set_new(o, "title_in_notice",
                        json_boolean(ad->title_in_notice));
    char anchor[IDS_LEN];
    json_t *chain = hops_json(c, ad->id, chain_anchor(c, who, ad, anchor));
    if (chain)
        json_object_set_new(o, "chain", chain);
    /* the author sees which hops withheld it, why, and whom it missed */
    json_t *withheld = who && strcmp(who->org.id, ad->author) == 0
                           ? lists_withheld_json(c, ad->id)
                           : NULL;
    if (withheld)
        json_object_set_new(o, "withheld", withheld);
    /* referenced reports: only those the reader may read, as it may */
    json_t *refs = json_loads(ad->refs, 0, NULL), *shown = json_array();
    size_t i;
    json_t *v;
    json_array_foreach (refs, i, v) {
        struct store_report r;
        if (store_report_get(c, json_string_value(v), &r))
            continue;
        struct range_decision d = report_decide(who, &r);
        if (d.may_read)
            json_array_append_new(shown, report_summary(c, who, &r, d, now));
        store_report_release(&r);
    }
    json_decref(refs);
    json_object_set_new(o, "refs", shown);
    return o;
}

int advisory_issue(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const json_t *body, int64_t now,
                   json_t **out, struct svc_error *e)
{
    return advisory_issue_linked(a, c, who, body, now, NULL, NULL, out, e);
}

static int
issue(struct app *a, struct store_conn *c, const struct auth_ctx *who,
      const json_t *body, int64_t now, bool past_hops,
      int (*link)(struct store_conn *c, const char *adv_id, void *ctx),
      void *link_ctx, json_t **out, struct svc_error *e)
{
    static const char not_sent[] =
        "the advisory could not be stored; nothing was sent";
    if (!access_may_author_advisory(who->org.kind))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "advisories come from NISC, ministries, CEPTOAR "
                        "secretariats, the CEPTOAR Council and agencies");
    /* the cited reports' ranges are read under the writer lock: a report
     * narrowed a moment ago is never cited by a wider advisory */
    int rc = store_begin(c);
    if (rc)
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, not_sent);
    rc = check_audience(c, who, json_object_get(body, "audience"),
                        range_parse(jv_str(body, "range")), e);
    if (!rc)
        rc = check_refs(c, who, json_object_get(body, "refs"),
                        range_parse(jv_str(body, "range")), e);
    json_t *form = NULL;
    if (!rc)
        rc = rollcall_form_check(json_object_get(body, "form"), &form, e);
    if (rc) {
        store_rollback(c);
        return rc;
    }
    struct store_advisory ad;
    rc = advisory_create(a, c, who, body, false, past_hops, now, &ad);
    if (!rc && form)
        rc = rollcall_attach(c, ad.id, form, now);
    json_decref(form);
    int64_t n = 0;
    if (!rc)
        rc = store_recipients_count(c, ad.id, &n);
    if (!rc)
        rc = audit_record(c, who, now, "advisory.issue", ad.id,
                          json_pack("{s:s,s:i,s:I,s:b}", "kind", ad.kind,
                                    "severity", ad.severity, "recipients",
                                    (json_int_t)n, "hotline", ad.hotline));
    bool conflict = false;
    if (!rc && link) {
        rc = link(c, ad.id, link_ctx);
        conflict = rc == IS_ERR_CONFLICT;
    }
    if (write_end(c, rc)) {
        store_advisory_release(&ad);
        return conflict
                   ? svc_fail(e, IS_ERR_CONFLICT, "conflict", NULL,
                              "its subject has an advisory already; "
                              "nothing was sent")
                   : svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, not_sent);
    }
    wake_outbox(a);
    log_event(LOG_INFO, "advisory issued", "advisory", json_string(ad.id),
              "recipients", json_integer(n), "hotline",
              json_boolean(ad.hotline), "exercise",
              a->exercise_id[0] ? json_string(a->exercise_id) : NULL, NULL);
    *out = adv_json(c, who, &ad, true, now);
    json_object_set_new(*out, "recipients", json_integer(n));
    store_advisory_release(&ad);
    return IS_OK;
}

int advisory_issue_linked(struct app *a, struct store_conn *c,
                          const struct auth_ctx *who, const json_t *body,
                          int64_t now,
                          int (*link)(struct store_conn *c, const char *adv_id,
                                      void *ctx),
                          void *link_ctx, json_t **out, struct svc_error *e)
{
    return issue(a, c, who, body, now, false, link, link_ctx, out, e);
}

int advisory_issue_past_hops(struct app *a, struct store_conn *c,
                             const struct auth_ctx *who, const json_t *body,
                             int64_t now,
                             int (*link)(struct store_conn *c,
                                         const char *adv_id, void *ctx),
                             void *link_ctx, json_t **out, struct svc_error *e)
{
    return issue(a, c, who, body, now, true, link, link_ctx, out, e);
}

/* issue 11: lists. Records the first opening of ad by who's organisation
 * when it is a recipient it was released to (the inbox's read state). A
 * failure is logged and does not fail the read. */
static void note_opened(struct store_conn *c, const struct auth_ctx *who,
                        const struct store_advisory *ad, int64_t now)
{
    int64_t opened;
    bool released;
    if (!who ||
        store_recipient_opened(c, ad->id, who->org.id, &opened, &released) ||
        opened || !released)
        return;
    int rc = store_begin(c);
    if (!rc) {
        rc = store_recipient_open(c, ad->id, who->org.id, now);
        if (rc)
            store_rollback(c);
        else
            rc = store_commit(c);
    }
    if (rc)
        log_event(LOG_WARN, "advisory opening not recorded", "advisory",
                  json_string(ad->id), NULL);
}

bool advisory_may_read_id(struct store_conn *c, const struct auth_ctx *who,
                          const char *id)
{
    struct store_advisory ad;
    struct svc_error e = {0};
    if (load_readable(c, who, id, &ad, &e))
        return false;
    store_advisory_release(&ad);
    return true;
}

int advisory_read(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id, int64_t now,
                  json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_advisory ad;
    int rc = load_readable(c, who, id, &ad, e);
    if (rc)
        return rc;
    note_opened(c, who, &ad, now);
    json_t *o = adv_json(c, who, &ad, true, now);
    if (range_read_is_audited((enum share_range)ad.range) && who &&
        audit_record(c, who, now, "advisory.read", ad.id, NULL)) {
        json_decref(o);
        store_advisory_release(&ad);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the read could not be "
                        "audited, so it is refused");
    }
    store_advisory_release(&ad);
    *out = o;
    return IS_OK;
}

int advisory_json_system(struct store_conn *c, const char *id, int64_t now,
                         json_t **out)
{
    struct store_advisory ad;
    if (!id || strlen(id) >= sizeof(ad.id))
        return IS_ERR_NOTFOUND;
    int rc = store_advisory_get(c, id, &ad);
    if (rc)
        return rc;
    /* no reader: nothing of a reader's (mine, my_answer, withheld), and
     * the cited reports, which only a reader's range decides, left out */
    json_t *o = adv_json(c, NULL, &ad, true, now);
    store_advisory_release(&ad);
    if (!o)
        return IS_ERR_NOMEM;
    json_object_del(o, "refs");
    *out = o;
    return IS_OK;
}

struct list_ctx {
    struct store_conn *c;
    const struct auth_ctx *who;
    int limit, n;
    bool inbox, more;
    const struct advisory_filter *f; /* NULL: none */
    int64_t now;
    char last[40]; /* id of the last advisory shown: the next cursor */
    json_t *items;
};

/* Does ad pass f (as the caller x->who sees it)? */
static bool list_match(const struct list_ctx *x,
                       const struct store_advisory *ad)
{
    const struct advisory_filter *f = x->f;
    if (!f)
        return true;
    if ((f->kind && strcmp(f->kind, ad->kind)) ||
        (f->range >= 0 && f->range != ad->range) ||
        (f->min_severity >= 0 && ad->severity < f->min_severity))
        return false;
    if (f->acked < 0)
        return true;
    struct store_recipient r;
    if (!x->who || store_recipient_get(x->c, ad->id, x->who->org.id, &r) ||
        !r.released_at)
        return false;
    return (r.acked_at != 0) == (f->acked == 1);
}

static json_t *list_acks_json(struct store_conn *c, const struct auth_ctx *who,
                              const struct store_advisory *ad);

static int list_row(void *vctx, struct store_advisory *ad)
{
    struct list_ctx *x = vctx;
    if (!adv_decide(x->c, x->who, ad).may_read)
        return 0;
    struct store_recipient r;
    if (x->inbox &&
        (!x->who || store_recipient_get(x->c, ad->id, x->who->org.id, &r) ||
         !r.released_at))
        return 0;
    if (!list_match(x, ad))
        return 0;
    if (x->n == x->limit) {
        x->more = true;
        return 1;
    }
    json_t *item = adv_json(x->c, x->who, ad, false, x->now);
    json_t *acks = x->who ? list_acks_json(x->c, x->who, ad) : NULL;
    if (acks)
        json_object_set_new(item, "acks", acks);
    json_array_append_new(x->items, item);
    x->n++;
    util_xcopy(x->last, sizeof(x->last), ad->id);
    return 0;
}

int advisory_list(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, int limit, const char *cursor,
                  bool inbox, int64_t now, json_t **out, struct svc_error *e)
{
    return advisory_list_filtered(a, c, who, limit, cursor, inbox, NULL, now,
                                  out, e);
}

int advisory_list_filtered(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, int limit,
                           const char *cursor, bool inbox,
                           const struct advisory_filter *f, int64_t now,
                           json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    int64_t before = 0;
    if (cursor) {
        /* a cursor carries nothing but what the page showed (docs/rules.md,
         * "List cursors") */
        struct store_advisory ad;
        struct svc_error ignored = {0};
        if (load_readable(c, who, cursor, &ad, &ignored))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "cursor",
                            "cursor: not a cursor this hub returned");
        before = ad.seq;
        store_advisory_release(&ad);
    }
    struct list_ctx x = {.c = c,
                         .who = who,
                         .limit = limit,
                         .inbox = inbox,
                         .f = f,
                         .now = now,
                         .items = json_array()};
    if (store_advisories_scan(c, before, list_row, &x)) {
        json_decref(x.items);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "advisories");
    }
    json_t *o = json_pack("{s:o}", "items", x.items);
    if (x.more) {
        json_object_set_new(o, "next_cursor", json_string(x.last));
    } else {
        json_object_set_new(o, "next_cursor", json_null());
    }
    *out = o;
    return IS_OK;
}

/* Begins a write and loads the advisory who may read, under the writer
 * lock. On an error nothing is held (rolled back) and e is filled. */
static int begin_readable(struct store_conn *c, const struct auth_ctx *who,
                          const char *id, struct store_advisory *ad,
                          struct svc_error *e)
{
    if (store_begin(c))
        return nothing_changed(e);
    int rc = load_readable(c, who, id, ad, e);
    if (rc)
        store_rollback(c);
    return rc;
}

/* May who's organisation relay ad now, to range (jv "range", or ad's)?
 * Its hop must be waiting, a hop narrows the range, never widens it, and
 * never to Red while the audience names a group.
 * IS_OK with *range, or an error with e filled. */
static int relay_check(struct store_conn *c, const struct auth_ctx *who,
                       const struct store_advisory *ad, const json_t *body,
                       int *range, struct svc_error *e)
{
    struct store_hop h;
    bool found = !store_hop_get(c, ad->id, who->org.id, &h);
    if (!found || strcmp(h.state, "waiting") != 0) {
        bool relayed = found && strcmp(h.state, "relayed") == 0;
        if (found && strcmp(h.state, "withheld") == 0)
            return svc_fail(e, IS_ERR_CONFLICT, "already_withheld", NULL,
                            "your organisation has withheld this advisory");
        return svc_fail(e, IS_ERR_CONFLICT,
                        relayed ? "already_relayed" : "not_current_hop", NULL,
                        relayed ? "your organisation has relayed this "
                                  "advisory already"
                                : "the advisory is not waiting for your "
                                  "organisation's relay");
    }
    const char *rs = jv_str(body, "range");
    *range = rs ? range_parse(rs) : ad->range;
    if (!range_within((enum share_range) * range, (enum share_range)ad->range))
        return svc_fail(e, IS_ERR_INVALID, "range_widening", "range",
                        "range: a hop may narrow the range (now %s), never "
                        "widen it",
                        range_name((enum share_range)ad->range));
    /* the issue path's rule holds after a relay too: a Red advisory names
     * its recipients individually. A hop narrowing a group's advisory to
     * Red would push it to members who could not read it (and a relay
     * of one already Red would release it to them) */
    json_t *aud = ad->audience ? json_loads(ad->audience, 0, NULL) : NULL;
    struct audience_shape shape = shape_of(aud);
    json_decref(aud);
    if (audience_red_names_group((enum share_range) * range, &shape))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "range",
                        "range: the advisory's audience names a group, and "
                        "a Red advisory names its recipients individually: "
                        "a relay may not make or leave it Red (Amber for a "
                        "group)");
    return IS_OK;
}

/* Writes who's relay of ad at range (ad->range follows): the range, the
 * hop, its release, the audit record. IS_ERR_CONFLICT only when the hop
 * relayed already (a concurrent relay by the same hop won). */
static int relay_write(struct app *a, struct store_conn *c,
                       const struct auth_ctx *who, struct store_advisory *ad,
                       const json_t *body, int range, int64_t now)
{
    int rc = IS_OK;
    if (range != ad->range) {
        rc = store_advisory_set_range(c, ad->id, range, now);
        ad->range = range;
    }
    if (!rc)
        rc = store_hop_relay(c, ad->id, who->org.id, now, "review",
                             jv_str(body, "note_ja"), jv_str(body, "note_en"));
    if (rc)
        return rc;
    rc = hop_release(a, c, ad, who->org.id, now, 0);
    if (!rc)
        rc = audit_record(c, who, now, "advisory.relay", ad->id,
                          json_pack("{s:s}", "range",
                                    range_name((enum share_range)ad->range)));
    return rc == IS_ERR_CONFLICT ? IS_ERR_STORE : rc;
}

int advisory_relay(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *id,
                   const json_t *body, int64_t now, json_t **out,
                   struct svc_error *e)
{
    struct store_advisory ad;
    /* the advisory and the hop are read, checked and written under the
     * writer lock (docs/rules.md, "Concurrent writes"): another hop may
     * have narrowed the range, or this hop relayed, a moment ago */
    int rc = begin_readable(c, who, id, &ad, e);
    if (rc)
        return rc;
    int range = ad.range;
    rc = relay_check(c, who, &ad, body, &range, e);
    if (rc) {
        store_rollback(c);
    } else {
        int wrc = write_end(c, relay_write(a, c, who, &ad, body, range, now));
        if (wrc == IS_ERR_CONFLICT)
            rc = svc_fail(e, IS_ERR_CONFLICT, "already_relayed", NULL,
                          "your organisation has relayed this advisory "
                          "already");
        else if (wrc)
            rc = nothing_changed(e);
    }
    if (!rc) {
        wake_outbox(a);
        *out = adv_json(c, who, &ad, true, now);
    }
    store_advisory_release(&ad);
    return rc;
}

static json_t *ack_json(const char *adv, const char *org, int64_t acked_at,
                        bool already)
{
    return json_pack("{s:s,s:s,s:o,s:b}", "advisory", adv, "org", org,
                     "acked_at", svc_time_json(acked_at), "already", already);
}

int advisory_ack(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, int64_t now,
                 json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_advisory ad;
    /* read, decided and written under the writer lock: of racing
     * acknowledgements exactly one records (the others answer
     * "already": acknowledging is idempotent) */
    int rc = begin_readable(c, who, id, &ad, e);
    if (rc)
        return rc;
    struct store_recipient r;
    if (store_recipient_get(c, ad.id, who->org.id, &r) || !r.released_at) {
        store_rollback(c);
        rc = svc_fail(e, IS_ERR_CONFLICT, "not_a_recipient", NULL,
                      "the advisory has not been sent to your "
                      "organisation");
    } else if (r.acked_at) {
        store_rollback(c);
        *out = ack_json(ad.id, who->org.id, r.acked_at, true);
    } else if (rollcall_ack_needs_answer(rollcall_has_form(c, ad.id))) {
        /* a roll call is acknowledged by answering it (rollcall.h) */
        store_rollback(c);
        rc = svc_fail(e, IS_ERR_CONFLICT, "answer_required", NULL,
                      "this advisory asks for answers: answering "
                      "acknowledges it (POST .../answers)");
    } else {
        rc = store_recipient_ack(c, ad.id, who->org.id, now, who->user_id,
                                 "api");
        if (!rc)
            rc = store_deliveries_cancel(c, ad.id, who->org.id);
        if (!rc)
            rc = audit_record(c, who, now, "advisory.ack", ad.id,
                              json_pack("{s:s}", "via", "api"));
        if (write_end(c, rc))
            rc = nothing_changed(e);
        else
            *out = ack_json(ad.id, who->org.id, now, false);
    }
    store_advisory_release(&ad);
    return rc;
}

/* ---- deliveries, reach ---- */

/* A recipient's delivery state. */
static const char *rcpt_state(const struct store_recipient_entry *x)
{
    const struct store_recipient *r = &x->r;
    if (r->acked_at)
        return "acknowledged";
    if (!r->released_at)
        return "pending";
    bool delivered = r->delivered_at != 0;
    /* past the deadline without acknowledgement, or out of channels */
    if (r->escalated_at || (!delivered && x->open == 0))
        return "unreached";
    if (delivered)
        return "delivered";
    return x->sending ? "sending" : "queued";
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Adds one recipient (delivered and acknowledged at, 0 = not) to a reach
 * bucket (a JSON object of counters). */
static void reach_add(json_t *b, int64_t del, int64_t ack, int64_t t0)
{
    static const int64_t windows[] = {15 * 60, 3600, 86400};
    static const char *const names[] = {"15m", "1h", "1d"};
    json_t *n = json_object_get(b, "recipients");
    json_object_set_new(b, "recipients",
                        json_integer(json_integer_value(n) + 1));
    for (int w = 0; w < 3; w++) {
        char k[32];
        snprintf(k, sizeof(k), "delivered_%s", names[w]);
        if (del && del - t0 <= windows[w])
            json_object_set_new(
                b, k,
                json_integer(json_integer_value(json_object_get(b, k)) + 1));
        snprintf(k, sizeof(k), "acknowledged_%s", names[w]);
        if (ack && ack - t0 <= windows[w])
            json_object_set_new(
                b, k,
                json_integer(json_integer_value(json_object_get(b, k)) + 1));
    }
    if (ack)
        json_array_append_new(json_object_get(b, "_tta"),
                              json_integer(ack - t0));
}
static json_t *reach_new(void)
{
    return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:[]}", "recipients", 0,
                     "delivered_15m", 0, "delivered_1h", 0, "delivered_1d", 0,
                     "acknowledged_15m", 0, "acknowledged_1h", 0,
                     "acknowledged_1d", 0, "_tta");
}

/* Turns the collected times-to-acknowledge into p50/p90/max and rates. */
static void reach_finish(json_t *b)
{
    json_t *tta = json_object_get(b, "_tta");
    size_t n = json_array_size(tta);
    int64_t *v = n ? malloc(n * sizeof(*v)) : NULL;
    json_t *stats = json_object();
    if (v) {
        for (size_t i = 0; i < n; i++)
            v[i] = json_integer_value(json_array_get(tta, i));
        qsort(v, n, sizeof(*v), cmp_i64);
        json_object_set_new(stats, "p50_s", json_integer(v[(n - 1) / 2]));
        json_object_set_new(stats, "p90_s",
                            json_integer(v[(size_t)((double)(n - 1) * 0.9)]));
        json_object_set_new(stats, "max_s", json_integer(v[n - 1]));
        free(v);
    }
    json_object_set_new(b, "time_to_acknowledge", stats);
    json_object_del(b, "_tta");
    double total = (double)json_integer_value(json_object_get(b, "recipients"));
    json_object_set_new(
        b, "reach_1d",
        json_real(total > 0 ? (double)json_integer_value(
                                  json_object_get(b, "acknowledged_1d")) /
                                  total
                            : 0.0));
}

json_t *advisory_reach(const struct store_recipient_entry *const *rs, size_t n,
                       int64_t created_at, int64_t now)
{
    IS_UNUSED(now);
    json_t *all = reach_new(), *by_c = json_object(), *by_s = json_object();
    for (size_t i = 0; i < n; i++) {
        const struct store_recipient *r = &rs[i]->r;
        const char *ck = *r->via ? r->via : "(direct)";
        const char *sk = *rs[i]->sector ? rs[i]->sector : "(none)";
        if (!json_object_get(by_c, ck))
            json_object_set_new(by_c, ck, reach_new());
        if (!json_object_get(by_s, sk))
            json_object_set_new(by_s, sk, reach_new());
        reach_add(all, r->delivered_at, r->acked_at, created_at);
        reach_add(json_object_get(by_c, ck), r->delivered_at, r->acked_at,
                  created_at);
        reach_add(json_object_get(by_s, sk), r->delivered_at, r->acked_at,
                  created_at);
    }
    reach_finish(all);
    const char *k;
    json_t *b;
    json_object_foreach (by_c, k, b)
        reach_finish(b);
    json_object_foreach (by_s, k, b)
        reach_finish(b);
    return json_pack("{s:o,s:o,s:o}", "advisory", all, "by_ceptoar", by_c,
                     "by_sector", by_s);
}

/* Who may see an advisory's deliveries, and which. */
struct dlv_viewer {
    const char *org;  /* the viewer's organisation */
    bool author_side; /* the author or NISC: every recipient */
    bool ceptoar;     /* else a secretariat hop (its members), or a
                         ministry hop (its sectors) */
};

bool advisory_sent_on_behalf(struct store_conn *c, const struct auth_ctx *who,
                             const char *author, const char *id)
{
    /* to participants the author may not see in real work: the
     * exercise's controller sent it */
    return strcmp(who->org.id, author) == 0 &&
           strcmp(who->org.kind, "nisc") != 0 &&
           store_ex_advisory_is_inject(c, id);
}

/* The author's chain and the secretariats only: IS_OK with v filled, or
 * IS_ERR_FORBIDDEN (e filled). */
static int dlv_viewer_of(struct store_conn *c, const struct auth_ctx *who,
                         const struct store_advisory *ad, struct dlv_viewer *v,
                         struct svc_error *e)
{
    v->org = who->org.id;
    bool nisc = strcmp(who->org.kind, "nisc") == 0;
    bool author = strcmp(who->org.id, ad->author) == 0;
    bool inject = advisory_sent_on_behalf(c, who, ad->author, ad->id);
    v->author_side = nisc || (author && !inject);
    v->ceptoar = strcmp(who->org.kind, "ceptoar") == 0;
    struct store_hop h;
    memset(&h, 0, sizeof(h));
    bool hop = !store_hop_get(c, ad->id, who->org.id, &h) || inject;
    bool ministry = strcmp(who->org.kind, "ministry") == 0;
    /* a list owner's hop sees the recipients it releases, as a
     * secretariat does */
    if (hop && h.step == AUDIENCE_STEP_LIST)
        v->ceptoar = true;
    if (!v->author_side && !(hop && (ministry || v->ceptoar)))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "delivery status is for the author's chain and the "
                        "secretariats");
    return IS_OK;
}

/* issue 11: lists. {acknowledged, total} of the recipients the
 * deliveries view of who shows (dlv_visible, counted in SQL), or NULL
 * when who may not see ad's deliveries or the counts could not be read. */
static json_t *list_acks_json(struct store_conn *c, const struct auth_ctx *who,
                              const struct store_advisory *ad)
{
    struct dlv_viewer v;
    struct svc_error ignored = {0};
    if (dlv_viewer_of(c, who, ad, &v, &ignored))
        return NULL;
    enum store_acks_mode mode = v.author_side ? STORE_ACKS_ALL
                                : v.ceptoar   ? STORE_ACKS_VIA
                                              : STORE_ACKS_MINISTRY;
    int64_t acked, total;
    if (store_advisory_ack_counts(c, ad->id, mode, v.org, &acked, &total))
        return NULL;
    return json_pack("{s:I,s:I}", "acknowledged", (json_int_t)acked, "total",
                     (json_int_t)total);
}

/* Does v see recipient x? A secretariat the recipients it releases, a
 * ministry those of its sectors. */
static bool dlv_visible(struct store_conn *c, const struct dlv_viewer *v,
                        const struct store_recipient_entry *x)
{
    if (v->author_side)
        return true;
    if (v->ceptoar)
        return strcmp(x->r.via, v->org) == 0;
    struct access_org rel;
    return !store_org_rel(c, x->org, &rel) &&
           strcmp(rel.ministry_id, v->org) == 0;
}

/* The advisory's audience as who may see it. The author's side (the
 * author, NISC) sees all of it; anyone else sees of its named
 * organisations (`orgs`) itself and those its delivery board shows it (a
 * secretariat those it releases, a ministry those of its sectors), never
 * an operator waiting below a hop, withheld from, or outside its view
 * (docs/rules.md "Who may read an advisory"). Sectors, scopes and CEPTOARs
 * name groups, not operators, and are kept. */
static json_t *audience_for(struct store_conn *c, const struct auth_ctx *who,
                            const struct store_advisory *ad)
{
    json_t *aud = json_loads(ad->audience, 0, NULL);
    json_t *orgs = json_object_get(aud, "orgs");
    if (!json_is_array(orgs))
        return aud;
    struct dlv_viewer v;
    struct svc_error ignored = {0};
    bool viewer = who && !dlv_viewer_of(c, who, ad, &v, &ignored);
    if (viewer && v.author_side)
        return aud;
    json_t *kept = json_array();
    size_t i;
    json_t *o;
    json_array_foreach (orgs, i, o) {
        const char *org = json_string_value(o);
        bool shown = org && who && strcmp(org, who->org.id) == 0;
        if (!shown && org && viewer) {
            struct store_recipient_entry x = {0};
            util_xcopy(x.org, sizeof(x.org), org);
            shown = !store_recipient_get(c, ad->id, org, &x.r) &&
                    dlv_visible(c, &v, &x);
        }
        if (shown)
            json_array_append(kept, o);
    }
    json_object_set_new(aud, "orgs", kept);
    return aud;
}

/* Whose branch of the relay chain who sees (hops_json), or NULL for all
 * of it: the author's side sees every hop, and so does every reader of
 * an advisory to groups only (sectors, scopes, CEPTOARs, which its
 * audience names anyway). Of one also sent to named organisations, a
 * hop sees its own branch, a recipient the branch of the hop that
 * released it to it, anyone else the author's step only: another
 * branch would tell which sectors the other named organisations are in
 * (found by an outside review of a Red advisory to two operators of two
 * sectors). */
static const char *chain_anchor(struct store_conn *c,
                                const struct auth_ctx *who,
                                const struct store_advisory *ad,
                                char anchor[IDS_LEN])
{
    json_t *aud = json_loads(ad->audience, 0, NULL);
    bool named = json_array_size(json_object_get(aud, "orgs")) > 0;
    json_decref(aud);
    if (!named)
        return NULL;
    struct dlv_viewer v;
    struct svc_error ignored = {0};
    if (who && !dlv_viewer_of(c, who, ad, &v, &ignored) && v.author_side)
        return NULL;
    anchor[0] = '\0';
    struct store_hop h;
    struct store_recipient r;
    if (who && !store_hop_get(c, ad->id, who->org.id, &h))
        util_xcopy(anchor, IDS_LEN, who->org.id);
    else if (who && !store_recipient_get(c, ad->id, who->org.id, &r))
        util_xcopy(anchor, IDS_LEN, r.via);
    return anchor;
}

/* The recipients of an advisory whose delivery a viewer follows: the one
 * lookup of the deliveries view and of reminders. all holds every
 * recipient; items[0..n) point into it, those dlv_visible, in the
 * store's order. */
struct dlv_seen {
    struct store_recipient_list all;
    const struct store_recipient_entry **items;
    size_t n;
};

static void dlv_seen_free(struct dlv_seen *s)
{
    free(s->items);
    store_recipient_list_free(&s->all);
    memset(s, 0, sizeof(*s));
}

/* Reads the recipients of adv and picks those v sees. IS_OK, or
 * IS_ERR_STORE / IS_ERR_NOMEM with s empty (nothing to free). */
static int dlv_seen_load(struct store_conn *c, const char *adv,
                         const struct dlv_viewer *v, struct dlv_seen *s)
{
    memset(s, 0, sizeof(*s));
    if (store_recipients_list(c, adv, &s->all))
        return IS_ERR_STORE;
    s->items = calloc(s->all.n ? s->all.n : 1, sizeof(*s->items));
    if (!s->items) {
        dlv_seen_free(s);
        return IS_ERR_NOMEM;
    }
    for (size_t i = 0; i < s->all.n; i++)
        if (dlv_visible(c, v, &s->all.items[i]))
            s->items[s->n++] = &s->all.items[i];
    return IS_OK;
}

/* One item of the deliveries answer. */
static json_t *dlv_item_json(const struct store_recipient_entry *x,
                             const char *state)
{
    const struct store_recipient *r = &x->r;
    return json_pack(
        "{s:s,s:{s:s,s:s},s:s,s:s,s:s,s:o,s:o,s:s,s:o,s:s,s:o}", "org", x->org,
        "name", "ja", x->name_ja, "en", x->name_en, "via", r->via, "sector",
        x->sector, "state", state, "released_at", svc_time_json(r->released_at),
        "delivered_at", svc_time_json(r->delivered_at), "channel", r->channel,
        "acked_at", svc_time_json(r->acked_at), "ack_via", r->ack_via,
        "escalated_at", svc_time_json(r->escalated_at));
}

/* The contacts of recipient org as the deliveries viewer sees them
 * (docs/rules.md, "Acknowledgement board"): channel, address (e-mail
 * only; null for a webhook or a phone/SMS/FAX gateway, whose URL may carry
 * a credential), priority, emergency; never a secret. An empty array when
 * they cannot be read. */
static json_t *dlv_contacts_json(struct store_conn *c, const char *org)
{
    struct store_contact_entry *k = NULL;
    size_t n = 0;
    json_t *arr = json_array();
    if (store_contacts_list(c, org, &k, &n))
        return arr;
    for (size_t i = 0; i < n; i++) {
        bool hook = strcmp(k[i].channel, "email") != 0;
        json_array_append_new(
            arr, json_pack("{s:s,s:s?,s:i,s:b}", "channel", k[i].channel,
                           "address", hook ? NULL : k[i].address, "priority",
                           k[i].priority, "emergency", k[i].emergency));
    }
    store_contacts_free(k, n);
    return arr;
}

/* The advisory-wide message counts: the author's side's; null for the
 * hops. IS_ERR_STORE when they could not be read. */
static int dlv_counts_json(struct store_conn *c, const char *adv,
                           const struct dlv_viewer *v, json_t **out)
{
    struct store_delivery_counts dc;
    if (!v->author_side) {
        *out = json_null();
        return IS_OK;
    }
    if (store_delivery_counts(c, adv, &dc))
        return IS_ERR_STORE;
    *out = json_pack("{s:I,s:I,s:I,s:I,s:I}", "queued", (json_int_t)dc.queued,
                     "sending", (json_int_t)dc.sending, "delivered",
                     (json_int_t)dc.delivered, "failed", (json_int_t)dc.failed,
                     "cancelled", (json_int_t)dc.cancelled);
    return IS_OK;
}

/* The deliveries answer for the recipients v sees: {advisory, items (in
 * state, NULL/"all" = every), reach, messages}. IS_ERR_INTERNAL (e
 * filled) when the hub failed. */
static int dlv_answer(struct store_conn *c, const struct store_advisory *ad,
                      const struct dlv_viewer *v, const char *state,
                      int64_t now, json_t **out, struct svc_error *e)
{
    struct dlv_seen seen;
    json_t *counts = NULL;
    if (dlv_seen_load(c, ad->id, v, &seen))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "deliveries");
    if (dlv_counts_json(c, ad->id, v, &counts)) {
        dlv_seen_free(&seen);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "delivery counts");
    }
    json_t *items = json_array();
    for (size_t i = 0; i < seen.n; i++) {
        const struct store_recipient_entry *x = seen.items[i];
        const char *st = rcpt_state(x);
        if (!state || strcmp(state, "all") == 0 || strcmp(state, st) == 0) {
            json_t *it = dlv_item_json(x, st);
            /* whom to call: the contacts of those not acknowledged */
            if (it && strcmp(st, "acknowledged") != 0)
                json_object_set_new(it, "contacts",
                                    dlv_contacts_json(c, x->org));
            json_array_append_new(items, it);
        }
    }
    *out = json_pack("{s:s,s:o,s:o,s:o}", "advisory", ad->id, "items", items,
                     "reach",
                     advisory_reach(seen.items, seen.n, ad->created_at, now),
                     "messages", counts);
    /* withheld branches: the author's side (service/lists.c) */
    json_t *withheld = v->author_side ? lists_withheld_json(c, ad->id) : NULL;
    if (withheld)
        json_object_set_new(*out, "withheld", withheld);
    dlv_seen_free(&seen);
    return IS_OK;
}

int advisory_deliveries(struct app *a, struct store_conn *c,
                        const struct auth_ctx *who, const char *id,
                        const char *state, int64_t now, json_t **out,
                        struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_advisory ad;
    int rc = load_readable(c, who, id, &ad, e);
    if (rc)
        return rc;
    struct dlv_viewer v;
    rc = dlv_viewer_of(c, who, &ad, &v, e);
    if (!rc)
        rc = dlv_answer(c, &ad, &v, state, now, out, e);
    store_advisory_release(&ad);
    return rc;
}

bool advisory_deliveries_readable(struct store_conn *c,
                                  const struct auth_ctx *who, const char *id)
{
    struct store_advisory ad;
    struct svc_error e = {0};
    if (load_readable(c, who, id, &ad, &e))
        return false;
    struct dlv_viewer v;
    bool ok = dlv_viewer_of(c, who, &ad, &v, &e) == IS_OK;
    store_advisory_release(&ad);
    return ok;
}

/* ---- acknowledgement links ---- */

static void link_mac(const struct app *a, const char *nonce, int64_t exp,
                     const char *adv, const char *org, char *out, size_t outlen)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char expbuf[24];
    snprintf(expbuf, sizeof(expbuf), "%lld", (long long)exp);
    crypto_auth_hmacsha256_init(&st, a->ack_key, sizeof(a->ack_key));
    const char *parts[] = {nonce, ".", expbuf, ".", adv, ".", org};
    for (size_t i = 0; i < IS_ARRAY_LEN(parts); i++)
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i],
                                      strlen(parts[i]));
    crypto_auth_hmacsha256_final(&st, mac);
    util_b64url(out, outlen, mac, 24);
}

void ack_link_token(const struct app *a, const char *nonce, int64_t exp,
                    const char *id, const char *org, char *token, size_t len,
                    unsigned char hash[32])
{
    char mac[48];
    link_mac(a, nonce, exp, id, org, mac, sizeof(mac));
    snprintf(token, len, "%s.%lld.%s", nonce, (long long)exp, mac);
    crypto_generichash(hash, 32, (const unsigned char *)token, strlen(token),
                       NULL, 0);
}

int advisory_ack_link_new(struct app *a, struct store_conn *c, const char *adv,
                          const char *org, int64_t now, char *url, size_t len)
{
    unsigned char raw[16], h[32];
    char nonce[32], token[128];
    randombytes_buf(raw, sizeof(raw));
    util_b64url(nonce, sizeof(nonce), raw, sizeof(raw));
    int64_t exp = now + 7 * 86400;
    ack_link_token(a, nonce, exp, adv, org, token, sizeof(token), h);
    int rc = store_ack_link_insert(c, h, adv, org, exp);
    if (!rc)
        snprintf(url, len, "%s/ack/%s", a->public_url, token);
    return rc;
}

/* A link as the hub stored it, found by its token's hash. */
struct ack_link {
    unsigned char hash[32];
    char adv[40], org[64];
    int64_t expires, used;
};

/* Is token shaped as the hub writes them (base64url and dots)? */
static bool link_shape_ok(const char *token, size_t n)
{
    bool ok = n > 20 && n < 120;
    for (size_t i = 0; i < n && ok; i++)
        ok = (token[i] >= 'a' && token[i] <= 'z') ||
             (token[i] >= 'A' && token[i] <= 'Z') ||
             (token[i] >= '0' && token[i] <= '9') || token[i] == '-' ||
             token[i] == '_' || token[i] == '.';
    return ok;
}

/* Does the token's signature match what the hub stored for the link? */
static bool link_signed(const struct app *a, const char *token,
                        const struct ack_link *l)
{
    char nonce[40], mac[48];
    const char *d1 = strchr(token, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d1 || !d2 || (size_t)(d1 - token) >= sizeof(nonce))
        return false;
    snprintf(nonce, sizeof(nonce), "%.*s", (int)(d1 - token), token);
    link_mac(a, nonce, l->expires, l->adv, l->org, mac, sizeof(mac));
    return strlen(mac) == strlen(d2 + 1) &&
           util_ct_equal(mac, d2 + 1, strlen(mac));
}

/* Looks token up (l filled as far as it was found): NULL when the link is
 * valid at now, else why not: "forged" (unknown, or a signature that does
 * not match), "expired", "used". */
static const char *link_check(const struct app *a, struct store_conn *c,
                              const char *token, int64_t now,
                              struct ack_link *l)
{
    memset(l, 0, sizeof(*l));
    size_t n = strlen(token);
    if (!link_shape_ok(token, n))
        return "forged";
    crypto_generichash(l->hash, sizeof(l->hash), (const unsigned char *)token,
                       n, NULL, 0);
    if (store_ack_link_get(c, l->hash, l->adv, sizeof(l->adv), l->org,
                           sizeof(l->org), &l->expires, &l->used) ||
        !link_signed(a, token, l))
        return "forged";
    if (l->expires <= now)
        return "expired";
    return l->used ? "used" : NULL;
}

static void link_refusal_audit(struct store_conn *c, const char *adv,
                               const char *reason, const char *addr,
                               int64_t now)
{
    audit_record(c, NULL, now, "advisory.ack_link.refused", adv,
                 json_pack("{s:s,s:s}", "reason", reason, "addr", addr));
}

/* Answers a refused link: IS_ERR_LIMIT (nothing audited) past the
 * per-address limit of forged links, else audited (not on a PROBE) and
 * IS_ERR_GONE (expired), IS_ERR_CONFLICT (used) or IS_ERR_NOTFOUND. */
static int link_refuse(struct app *a, struct store_conn *c, const char *adv,
                       const char *reason, const char *addr,
                       enum ack_link_mode mode, int64_t now)
{
    if (reason[0] == 'f') {
        /* A forged or unknown link needs no secret and every refusal is
         * audited, so these are limited per client address like failed
         * log-ins: past AUTH_ADDR_FAILS in the window, 429 and nothing
         * audited. Links the hub issued (valid, used, expired) are never
         * limited: a recipient behind a busy address can always
         * acknowledge. */
        char akey[INET6_ADDRSTRLEN + 8];
        auth_addr_key(addr, akey, sizeof(akey));
        if (!auth_limit_take(&a->limits, c, AUTH_LIMIT_ACK, akey, now))
            return IS_ERR_LIMIT;
    }
    if (mode != ACK_LINK_PROBE)
        link_refusal_audit(c, adv, reason, addr, now);
    return reason[0] == 'e'   ? IS_ERR_GONE
           : reason[0] == 'u' ? IS_ERR_CONFLICT
                              : IS_ERR_NOTFOUND;
}

/* Uses a valid link: marks it used and acknowledges for its organisation
 * (idempotent), in one audited transaction. IS_ERR_CONFLICT (audited as
 * a refusal) when a concurrent request used it a moment ago;
 * IS_ERR_STORE or IS_ERR_NOMEM when the hub failed. */
static int link_confirm(struct store_conn *c, const struct ack_link *l,
                        const char *addr, int64_t now)
{
    int rc = store_begin(c);
    if (!rc)
        rc = store_ack_link_use(c, l->hash, now);
    bool already = false;
    if (!rc) {
        int arc = store_recipient_ack(c, l->adv, l->org, now, 0, "link");
        already = arc == IS_ERR_CONFLICT;
        rc = arc == IS_ERR_CONFLICT ? IS_OK : arc;
    }
    if (!rc)
        rc = store_deliveries_cancel(c, l->adv, l->org);
    if (!rc)
        rc = audit_record(c, NULL, now, "advisory.ack", l->adv,
                          json_pack("{s:s,s:s,s:s,s:b}", "via", "link", "org",
                                    l->org, "addr", addr, "already", already));
    rc = write_end(c, rc);
    if (rc == IS_ERR_CONFLICT) {
        /* used by a concurrent request a moment ago: refused, and
         * audited like every refusal */
        link_refusal_audit(c, l->adv, "used", addr, now);
        return IS_ERR_CONFLICT;
    }
    /* the hub failed: never answered as one of the refusals */
    return !rc || rc == IS_ERR_NOMEM ? rc : IS_ERR_STORE;
}

int advisory_ack_link(struct app *a, struct store_conn *c, const char *token,
                      const char *addr, enum ack_link_mode mode, int64_t now,
                      char *adv_out, size_t adv_len, bool *alert)
{
    struct ack_link l;
    *alert = false;
    const char *reason = link_check(a, c, token, now, &l);
    if (reason)
        return link_refuse(a, c, l.adv, reason, addr, mode, now);
    util_xcopy(adv_out, adv_len, l.adv);
    /* an upward alert's link opens the report for its hop
     * (service/alerts.h); the checks above are the same for both */
    char kind[16] = "advisory";
    int round = 0;
    if (store_ack_link_kind(c, l.hash, kind, sizeof(kind), &round))
        return IS_ERR_STORE;
    *alert = strcmp(kind, "alert") == 0;
    if (mode != ACK_LINK_CONFIRM)
        return IS_OK;
    if (*alert) {
        int rc = alerts_link_open(c, l.hash, l.adv, l.org, round, addr, now);
        if (rc == IS_ERR_CONFLICT)
            link_refusal_audit(c, l.adv, "used", addr, now);
        return rc;
    }
    return link_confirm(c, &l, addr, now);
}

int advisory_link_check(struct app *a, struct store_conn *c, const char *token,
                        const char *addr, enum ack_link_mode mode, int64_t now,
                        struct advisory_link *out)
{
    struct ack_link l;
    const char *reason = link_check(a, c, token, now, &l);
    if (reason)
        return link_refuse(a, c, l.adv, reason, addr, mode, now);
    memcpy(out->hash, l.hash, sizeof(out->hash));
    util_xcopy(out->adv, sizeof(out->adv), l.adv);
    util_xcopy(out->org, sizeof(out->org), l.org);
    return IS_OK;
}

/* ---- the tick ---- */

/* Ends one of the tick's transactions: commits when rc is IS_OK, else
 * (or when the commit fails) rolls back. 1 when committed, else 0. */
static int tick_end(struct store_conn *c, int rc)
{
    return write_end(c, rc) ? 0 : 1;
}

/* Relays a due hop by itself (policy auto, review limit passed, or the
 * hotline), in its own transaction decided under the writer lock: the hop
 * may have relayed since the scan (store_hop_relay is then a conflict).
 * Returns 1 when it relayed, 0 when not, -1 when no transaction could be
 * begun (the tick stops). */
static int tick_relay(struct app *a, struct store_conn *c,
                      const struct store_adv_org *p, int64_t now)
{
    struct store_advisory ad;
    if (store_begin(c))
        return -1;
    if (store_advisory_get(c, p->adv, &ad)) {
        store_rollback(c);
        return 0;
    }
    bool review = true;
    int limit;
    store_hop_policy(c, p->org, &review, &limit);
    int rc = store_hop_relay(c, p->adv, p->org, now,
                             ad.hotline ? "hotline"
                             : review   ? "limit"
                                        : "auto",
                             "", "");
    if (!rc)
        rc = hop_release(a, c, &ad, p->org, now, 0);
    if (!rc)
        rc = audit_record(c, NULL, now, "advisory.auto_relay", p->adv,
                          json_pack("{s:s}", "hop", p->org));
    store_advisory_release(&ad);
    return tick_end(c, rc);
}

/* Escalates a recipient past its deadline to its remaining channels, in
 * its own transaction (a conflict: acknowledged or escalated since the
 * scan). Returns as tick_relay. */
static int tick_escalate(struct store_conn *c, const struct store_adv_org *p,
                         int64_t now)
{
    if (store_begin(c))
        return -1;
    int q = 0;
    int rc = store_recipient_escalated(c, p->adv, p->org, now);
    if (!rc)
        rc = store_queue_next(c, p->adv, p->org, "escalation", true, now, &q);
    if (!rc)
        rc = audit_record(c, NULL, now, "advisory.escalate", p->adv,
                          json_pack("{s:s,s:i}", "org", p->org, "channels", q));
    return tick_end(c, rc);
}

int provision_tick(struct app *a, struct store_conn *c, int64_t now)
{
    int changes = 0;
    struct store_adv_org_list due = {0}, esc = {0};
    if (store_hops_due(c, now, DEFAULT_LIMIT_MIN, &due) == IS_OK) {
        for (size_t i = 0; i < due.n; i++) {
            int r = tick_relay(a, c, &due.items[i], now);
            if (r < 0)
                break;
            changes += r;
        }
    }
    store_adv_org_list_free(&due);
    if (store_recipients_due_escalation(c, now, &esc) == IS_OK) {
        for (size_t i = 0; i < esc.n; i++) {
            int r = tick_escalate(c, &esc.items[i], now);
            if (r < 0)
                break;
            changes += r;
        }
    }
    store_adv_org_list_free(&esc);
    if (changes)
        wake_outbox(a);
    return changes;
}

int advisory_issue_drill(struct app *a, struct store_conn *c,
                         const struct auth_ctx *who, const json_t *body,
                         int64_t now, char *adv_id, size_t len)
{
    struct store_advisory ad;
    memset(&ad, 0, sizeof(ad));
    int rc = advisory_create(a, c, who, body, true, false, now, &ad);
    util_xcopy(adv_id, len, ad.id);
    store_advisory_release(&ad);
    return rc;
}

/* ---- for large-scale outage declarations (service/declarations.c) ---- */

int advisory_summary_if_readable(struct store_conn *c,
                                 const struct auth_ctx *who, const char *id,
                                 int64_t now, json_t **out)
{
    struct store_advisory ad;
    struct svc_error ignored = {0};
    *out = NULL;
    if (load_readable(c, who, id, &ad, &ignored))
        return IS_OK;
    *out = adv_json(c, who, &ad, false, now);
    store_advisory_release(&ad);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

/* issue 11: the dashboard */
bool advisory_may_read(struct store_conn *c, const struct auth_ctx *who,
                       const struct store_advisory *ad)
{
    return adv_decide(c, who, ad).may_read;
}

int advisory_board_scope(struct store_conn *c, const struct auth_ctx *who,
                         const struct store_advisory *ad)
{
    struct dlv_viewer v;
    struct svc_error e = {0};
    if (!who || dlv_viewer_of(c, who, ad, &v, &e))
        return -1;
    return v.author_side ? 0 : v.ceptoar ? 1 : 2;
}

/* ---- issue 11: reminders from the acknowledgement board ---- */

const struct jv_field provision_remind_spec[] = {
    {.name = "orgs", .type = JV_STRING_ARRAY, .max_len = 5000, .item_len = 63},
    {.name = NULL},
};

/* The recipient the viewer sees named org, or NULL. */
static const struct store_recipient_entry *rcpt_find(const struct dlv_seen *s,
                                                     const char *org)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i]->org, org) == 0)
            return s->items[i];
    return NULL;
}

/* Checks the body's orgs against the recipients the viewer sees: each a
 * visible, released, not acknowledged recipient, named once. IS_OK, or the
 * error naming "orgs" (e filled). */
static int remind_check_orgs(const struct dlv_seen *seen, const json_t *orgs,
                             struct svc_error *e)
{
    size_t i, j;
    json_t *o;
    if (json_array_size(orgs) == 0)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "orgs",
                        "orgs: name at least one organisation, or leave "
                        "orgs out to remind every one not acknowledged");
    json_array_foreach (orgs, i, o) {
        const char *org = json_string_value(o);
        for (j = 0; j < i; j++)
            if (strcmp(org, json_string_value(json_array_get(orgs, j))) == 0)
                return svc_fail(e, IS_ERR_INVALID, "invalid_value", "orgs",
                                "orgs[%zu]: %s is named twice", i, org);
        const struct store_recipient_entry *x = rcpt_find(seen, org);
        if (!x)
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "orgs",
                            "orgs[%zu]: %s is not a recipient of this "
                            "advisory whose delivery you follow",
                            i, org);
        if (x->r.acked_at)
            return svc_fail(e, IS_ERR_CONFLICT, "already_acknowledged", "orgs",
                            "orgs[%zu]: %s has acknowledged already", i, org);
        if (!remind_eligible(x->r.released_at, x->r.acked_at))
            return svc_fail(e, IS_ERR_CONFLICT, "not_released", "orgs",
                            "orgs[%zu]: the advisory has not been released "
                            "to %s yet",
                            i, org);
    }
    return IS_OK;
}

/* Queues the reminders (seen: the recipients the viewer sees; orgs: the
 * body's, checked by remind_check_orgs, or NULL for every eligible one)
 * and fills the answer's arrays. */
static int remind_queue_all(struct store_conn *c, const char *adv,
                            const struct dlv_seen *seen, const json_t *orgs,
                            int64_t now, json_t *reminded, json_t *skipped,
                            int *nqueued)
{
    int rc = IS_OK;
    for (size_t i = 0; !rc && i < seen->n; i++) {
        const struct store_recipient_entry *x = seen->items[i];
        bool named = false;
        size_t j;
        json_t *o;
        json_array_foreach (orgs, j, o)
            named |= strcmp(json_string_value(o), x->org) == 0;
        if (orgs ? !named : !remind_eligible(x->r.released_at, x->r.acked_at))
            continue;
        int q = 0;
        bool flight = false;
        rc = store_remind_queue(c, adv, x->org, now, &q, &flight);
        if (rc)
            break;
        *nqueued += q;
        if (q)
            json_array_append_new(reminded, json_string(x->org));
        else
            json_array_append_new(
                skipped, json_pack("{s:s,s:s}", "org", x->org, "reason",
                                   flight ? "in_flight" : "no_contact"));
    }
    return rc;
}

int advisory_remind(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id,
                    const json_t *body, int64_t now, json_t **out,
                    struct svc_error *e)
{
    struct store_advisory ad;
    int rc = begin_readable(c, who, id, &ad, e);
    if (rc)
        return rc;
    struct dlv_viewer v;
    struct dlv_seen seen = {0};
    const json_t *orgs = json_object_get(body, "orgs");
    if (json_is_null(orgs)) /* null is absent */
        orgs = NULL;
    int64_t last = 0;
    json_t *reminded = json_array(), *skipped = json_array();
    int nq = 0;
    if ((rc = dlv_viewer_of(c, who, &ad, &v, e)))
        goto fail;
    if (dlv_seen_load(c, ad.id, &v, &seen) ||
        store_remind_last(c, ad.id, who->org.id, &last)) {
        rc = nothing_changed(e);
        goto fail;
    }
    if (orgs && (rc = remind_check_orgs(&seen, orgs, e)))
        goto fail;
    int64_t wait = remind_wait_s(last, now);
    if (wait) {
        rc = svc_fail(e, IS_ERR_LIMIT, "remind_too_soon", NULL,
                      "your organisation reminded the recipients of this "
                      "advisory less than %d minutes ago; try again in %lld "
                      "s",
                      REMIND_INTERVAL_S / 60, (long long)wait);
        goto fail;
    }
    rc = remind_queue_all(c, ad.id, &seen, orgs, now, reminded, skipped, &nq);
    size_t n = json_array_size(reminded) + json_array_size(skipped);
    if (!rc && n == 0) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "nothing_to_remind", NULL,
                      "every recipient you follow has acknowledged or has "
                      "not been released yet");
        goto fail;
    }
    if (!rc && nq) /* only a reminder that sent something counts */
        rc = store_remind_insert(c, ad.id, who->org.id, who->user_id,
                                 (int)json_array_size(reminded), nq, now);
    if (!rc)
        rc = audit_record(c, who, now, "advisory.remind", ad.id,
                          json_pack("{s:I,s:I,s:I}", "orgs",
                                    (json_int_t)json_array_size(reminded),
                                    "skipped",
                                    (json_int_t)json_array_size(skipped),
                                    "messages", (json_int_t)nq));
    if (write_end(c, rc)) {
        rc = nothing_changed(e);
    } else {
        char next[UTIL_TIME_LEN];
        util_time_rfc3339(now + REMIND_INTERVAL_S, next);
        *out = json_pack("{s:s,s:O,s:O,s:i,s:s}", "advisory", ad.id, "reminded",
                         reminded, "skipped", skipped, "messages", nq,
                         "next_allowed_at", next);
        if (nq)
            wake_outbox(a);
    }
    goto done;
fail:
    store_rollback(c);
done:
    json_decref(reminded);
    json_decref(skipped);
    dlv_seen_free(&seen);
    store_advisory_release(&ad);
    return rc;
}
