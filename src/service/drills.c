/*
 * drills.c - CEPTOAR drills (DOMAIN.md §7): a drill is an advisory marked
 * as a drill (every message says 【訓練】/[DRILL]); its report gives reach
 * per CEPTOAR and organisation, the channel that reached each, those not
 * reached, and the change against the previous drill of the same target.
 */
#include "service/provision.h"

#include "core/roles.h"
#include "common/buf.h"
#include "common/html.h"
#include "common/util.h"

static const char *const targets[] = {"ceptoar", "sector", "all", NULL};

const struct jv_field provision_drill_spec[] = {
    {.name = "target_kind",
     .type = JV_STRING,
     .required = true,
     .max_len = 10,
     .enum_values = targets},
    {.name = "target", .type = JV_STRING, .max_len = 63},
    {.name = "title_ja", .type = JV_STRING, .max_len = 180},
    {.name = "title_en", .type = JV_STRING, .max_len = 180},
    {.name = "body_ja", .type = JV_STRING, .max_len = 10000},
    {.name = "body_en", .type = JV_STRING, .max_len = 10000},
    {.name = NULL},
};

/* Whether who may drill target (of kind "all", "sector" or "ceptoar"):
 * NISC drills anything, a ministry the sectors it owns (and their
 * CEPTOARs), a secretariat its own CEPTOAR; the target must exist. */
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
 * marker before the titles, and default texts for what body leaves out. */
static json_t *drill_advisory(const json_t *body, const char *kind,
                              const char *target)
{
    char tja[256], ten[256];
    snprintf(tja, sizeof(tja), "【訓練】%s",
             jv_str(body, "title_ja") ? jv_str(body, "title_ja")
                                      : "情報伝達訓練");
    snprintf(ten, sizeof(ten), "[DRILL] %s",
             jv_str(body, "title_en") ? jv_str(body, "title_en")
                                      : "Information-sharing drill");
    json_t *aud = json_object();
    if (strcmp(kind, "all") == 0)
        json_object_set_new(aud, "all", json_true());
    else
        json_object_set_new(
            aud, strcmp(kind, "sector") == 0 ? "sectors" : "ceptoars",
            json_pack("[s]", target));
    /* a drill also measures the lists its organisations relay to
     * (docs/rules.md, "Distribution lists") */
    json_object_set_new(aud, "include_lists", json_true());
    return json_pack(
        "{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:o}", "kind", "security_info", "range",
        "green", "severity", 0, "title_ja", tja, "title_en", ten, "body_ja",
        jv_str(body, "body_ja") ? jv_str(body, "body_ja")
                                : "【訓練】これは訓練です。受領を確認してくだ"
                                  "さい。",
        "body_en",
        jv_str(body, "body_en") ? jv_str(body, "body_en")
                                : "[DRILL] This is a drill. Please "
                                  "acknowledge receipt.",
        "audience", aud);
}

int drill_start(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const json_t *body, int64_t now, json_t **out,
                struct svc_error *e)
{
    const char *kind = jv_str(body, "target_kind");
    const char *target = jv_str(body, "target");
    int rc = drill_allowed(c, who, kind, target, e);
    if (rc)
        return rc;
    json_t *adv = drill_advisory(body, kind, target);
    char adv_id[40], id[24], hex[17];
    util_random_hex(hex, 8);
    snprintf(id, sizeof(id), "D%s", hex);
    rc = store_begin(c);
    if (!rc)
        rc = advisory_issue_drill(a, c, who, adv, now, adv_id, sizeof(adv_id));
    if (!rc)
        rc = store_drill_insert(c, id, adv_id, kind, target ? target : "",
                                who->org.id, now);
    if (!rc)
        rc = audit_record(c, who, now, "drill.start", id,
                          json_pack("{s:s,s:s,s:s}", "advisory", adv_id,
                                    "target_kind", kind, "target",
                                    target ? target : ""));
    json_decref(adv);
    if (rc || (rc = store_commit(c))) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the drill could not be started; nothing was sent");
    }
    *out = json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", id, "advisory", adv_id,
                     "target_kind", kind, "target", target ? target : "",
                     "started_at", svc_time_json(now));
    return IS_OK;
}

int drill_report(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, int64_t now,
                 json_t **out, struct svc_error *e)
{
    struct store_drill d;
    if (strlen(id) > 40 || store_drill_get(c, id, &d))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such drill");
    const char *adv = d.advisory;
    /* who may read the report: those who may see the advisory's
     * deliveries (the author's chain and the secretariats) */
    json_t *dl = NULL;
    int rc = advisory_deliveries(a, c, who, adv, "all", now, &dl, e);
    if (rc)
        return rc;
    struct store_advisory ad;
    store_advisory_get(c, adv, &ad);
    int64_t t0 = ad.created_at;
    store_advisory_release(&ad);
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
    json_t *comparison = json_null();
    struct store_drill prev;
    if (store_drill_prev(c, d.target_kind, d.target, d.seq, &prev) == IS_OK) {
        json_t *pdl = NULL;
        struct svc_error pe = {0};
        if (advisory_deliveries(a, c, who, prev.advisory, "all", now, &pdl,
                                &pe) == IS_OK) {
            double cur = json_real_value(json_object_get(
                json_object_get(reach, "advisory"), "reach_1d"));
            double old = json_real_value(json_object_get(
                json_object_get(json_object_get(pdl, "reach"), "advisory"),
                "reach_1d"));
            comparison = json_pack("{s:s,s:f,s:f,s:f}", "previous_drill",
                                   prev.id, "previous_reach_1d", old,
                                   "reach_1d", cur, "change", cur - old);
            json_decref(pdl);
        }
    }
    json_t *rep =
        json_pack("{s:s,s:s,s:s,s:s,s:o,s:O,s:O,s:o,s:o}", "drill", d.id,
                  "advisory", d.advisory, "target_kind", d.target_kind,
                  "target", d.target, "started_at", svc_time_json(t0), "reach",
                  json_object_get(reach, "advisory"), "by_ceptoar",
                  json_object_get(reach, "by_ceptoar"), "not_reached",
                  not_reached, "comparison", comparison);
    if (!rep) {
        json_decref(dl);
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL,
                        "the report could not be built");
    }
    json_object_set(rep, "organisations", items);
    *out = rep;
    json_decref(dl);
    return IS_OK;
}
