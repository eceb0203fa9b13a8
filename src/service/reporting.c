/*
 * reporting.c - see reporting.h. Views, filing, hops, updates, reveal.
 * Lists, counts and export are in reporting_list.c; events, policies and
 * the worker tick in reporting_events.c.
 */
#include "service/reporting.h"

#include <sodium.h>

#include "core/access.h"
#include "core/deadline.h"
#include "core/mode.h"
#include "core/roles.h"
#include "core/route.h"
#include "common/buf.h"
#include "common/jv.h"
#include "service/alerts.h"
#include "service/declarations.h"
#include "service/reporting_internal.h"
#include "common/util.h"

/* The view of a report; audit says whether a Red/Amber read is audited
 * (it is not when the view answers a write that was audited itself). */
static int report_view(struct app *a, struct store_conn *c,
                       const struct auth_ctx *who, const char *id, int64_t now,
                       bool audit, json_t **out, struct svc_error *e);
static int view_of(struct store_conn *c, const struct auth_ctx *who,
                   const struct store_report *r, int64_t now, json_t **out,
                   struct svc_error *e);

/* ---- request field tables ---- */

static const char *const kinds[] = {"incident", "precursor", "vulnerability",
                                    "info", NULL};
static const char *const domains[] = {"it", "ot", "iot", NULL};
static const char *const system_types[] = {"regular", "emergency_backup", NULL};
static const char *const causes[] = {"cyberattack", "unintentional", "disaster",
                                     "other",       "unknown",       NULL};
/* 003:259-351, 2285-2292 add watering hole, an abused software update,
 * exploitation of an OS/software vulnerability and control-system malware
 * (docs/rules.md, section on threat types) */
static const char *const threats[] = {"ddos",
                                      "malware",
                                      "ransomware",
                                      "unauthorised_access",
                                      "targeted_email",
                                      "defacement",
                                      "data_leak",
                                      "insider",
                                      "watering_hole",
                                      "supply_chain_update",
                                      "vulnerability_exploit",
                                      "ics_malware",
                                      "other",
                                      "none",
                                      NULL};
static const char *const ranges[] = {"red",   "amber", "yellow",
                                     "green", "white", NULL};
static const char *const routes[] = {"direct", "via_ceptoar", "anonymous",
                                     "via_agency", NULL};
static const char *const update_kinds[] = {"update", "full", "final", "answer",
                                           NULL};

#define BIG 1000000000000LL
static const struct jv_field impact_spec[] = {
    {.name = "users_affected", .type = JV_INT, .max = BIG},
    {.name = "duration_min", .type = JV_INT, .max = 100000000},
    {.name = "kw_lost", .type = JV_INT, .max = BIG},
    {.name = "households", .type = JV_INT, .max = BIG},
    {.name = "broadcast_stop_min", .type = JV_INT, .max = 100000000},
    {.name = "records_leaked", .type = JV_INT, .max = BIG},
    {.name = "operators_affected", .type = JV_INT, .max = 100000},
    {.name = "service_stopped", .type = JV_BOOL},
    {.name = "service_degraded", .type = JV_BOOL},
    {.name = "compromise_confirmed", .type = JV_BOOL},
    {.name = "emergency_systems", .type = JV_BOOL},
    {.name = "safety_affected", .type = JV_BOOL},
    {.name = "card_auth_affected", .type = JV_BOOL},
    {.name = "relay_station", .type = JV_BOOL},
    {.name = "attack_blocked", .type = JV_BOOL},
    {.name = "imminent_multi_sector_threat", .type = JV_BOOL},
};
static const struct jv_field attachment_spec[] = {
    /* metadata of one line each, never blank (docs/rules.md "Who files,
     * and for whom") */
    {.name = "name",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true,
     .one_line = true},
    {.name = "mime",
     .type = JV_STRING,
     .required = true,
     .max_len = 100,
     .nonblank = true,
     .one_line = true},
    /* no length of its own: bounded by the 8 MiB body, and the decoded
     * size is checked (413 attachment_too_large) */
    {.name = "content_base64", .type = JV_STRING, .required = true},
};
#define IMPACT                                                                 \
    {                                                                          \
        .name = "impact", .type = JV_OBJECT, .sub = impact_spec,               \
        .nsub = IS_ARRAY_LEN(impact_spec)                                      \
    }
#define ATTACHMENTS                                                            \
    {                                                                          \
        .name = "attachments", .type = JV_OBJECT_ARRAY,                        \
        .max_len = REPORT_MAX_ATTACHMENTS, .sub = attachment_spec,             \
        .nsub = IS_ARRAY_LEN(attachment_spec)                                  \
    }
#define CONTENT_FIELDS                                                         \
    {.name = "what_happened", .type = JV_STRING, .max_len = 10000},            \
        {.name = "occurred_at", .type = JV_TIME},                              \
        {.name = "contained_at", .type = JV_TIME},                             \
        {.name = "ci_service", .type = JV_STRING, .max_len = 64},              \
        {.name = "system_class", .type = JV_STRING, .max_len = 64},            \
        {.name = "system_type",                                                \
         .type = JV_STRING,                                                    \
         .max_len = 20,                                                        \
         .enum_values = system_types},                                         \
        {.name = "domains",                                                    \
         .type = JV_STRING_ARRAY,                                              \
         .max_len = 3,                                                         \
         .enum_values = domains,                                               \
         .item_len = 4},                                                       \
        {.name = "cause",                                                      \
         .type = JV_STRING,                                                    \
         .max_len = 20,                                                        \
         .enum_values = causes},                                               \
        {.name = "threat_type",                                                \
         .type = JV_STRING,                                                    \
         .max_len = 30,                                                        \
         .enum_values = threats},                                              \
        IMPACT, {.name = "measures", .type = JV_STRING, .max_len = 10000},     \
        {.name = "declared_severity", .type = JV_INT, .max = 5},               \
        {.name = "declared_reason",                                            \
         .type = JV_STRING,                                                    \
         .max_len = 1000,                                                      \
         .nonblank = true},                                                    \
        ATTACHMENTS

const struct jv_field reporting_file_spec[] = {
    {.name = "org", .type = JV_STRING, .max_len = 63},
    {.name = "title",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "kind",
     .type = JV_STRING,
     .required = true,
     .max_len = 20,
     .enum_values = kinds},
    {.name = "detected_at", .type = JV_TIME, .required = true},
    {.name = "scope", .type = JV_STRING, .max_len = 63},
    {.name = "range",
     .type = JV_STRING,
     .required = true,
     .max_len = 10,
     .enum_values = ranges},
    {.name = "route",
     .type = JV_STRING,
     .required = true,
     .max_len = 20,
     .enum_values = routes},
    {.name = "via_ceptoar", .type = JV_STRING, .max_len = 63},
    {.name = "via_agency", .type = JV_STRING, .max_len = 63},
    CONTENT_FIELDS,
    {.name = NULL},
};

const struct jv_field reporting_update_spec[] = {
    {.name = "kind",
     .type = JV_STRING,
     .required = true,
     .max_len = 10,
     .enum_values = update_kinds},
    {.name = "text", .type = JV_STRING, .max_len = 10000},
    {.name = "question", .type = JV_INT, .min = 1, .max = 10000},
    /* a new title; null keeps it, blank is refused */
    {.name = "title", .type = JV_STRING, .max_len = 200, .nonblank = true},
    {.name = "range", .type = JV_STRING, .max_len = 10, .enum_values = ranges},
    CONTENT_FIELDS,
    {.name = NULL},
};

const struct jv_field reporting_forward_spec[] = {
    {.name = "note", .type = JV_STRING, .max_len = 4000},
    {.name = "range", .type = JV_STRING, .max_len = 10, .enum_values = ranges},
    {.name = NULL},
};

const struct jv_field reporting_note_spec[] = {
    {.name = "text",
     .type = JV_STRING,
     .required = true,
     .max_len = 4000,
     .nonblank = true},
    {.name = "question", .type = JV_BOOL},
    {.name = NULL},
};

const struct jv_field reporting_facts_spec[] = {
    {.name = "scope", .type = JV_STRING, .required = true, .max_len = 63},
    {.name = "kind", .type = JV_STRING, .max_len = 20, .enum_values = kinds},
    {.name = "sectors_exceeded", .type = JV_INT, .max = 100},
    IMPACT,
    {.name = NULL},
};

/* ---- data import and load ---- */

static int load_json(const char *path, json_t **out, char *err, size_t errlen)
{
    json_error_t je;
    *out = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!*out) {
        snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column,
                 je.text);
        return IS_ERR_INVALID;
    }
    return IS_OK;
}

static int import_catalogue(struct store_conn *c, const char *path,
                            const char *section, const char *kind, char *err,
                            size_t errlen)
{
    json_t *root;
    int rc = load_json(path, &root, err, errlen);
    if (rc)
        return rc;
    json_t *arr = json_object_get(root, section);
    if (!json_is_array(arr)) {
        snprintf(err, errlen, "%s: needs an array \"%s\"", path, section);
        json_decref(root);
        return IS_ERR_INVALID;
    }
    size_t i, k;
    json_t *it, *s;
    json_array_foreach (arr, i, it) {
        const char *id = jv_str(it, "id");
        const char *ja = jv_str(it, "name_ja"), *en = jv_str(it, "name_en");
        json_t *scopes = json_object_get(it, "scopes");
        struct buf csv = BUF_INIT;
        buf_init(&csv, 4096);
        buf_adds(&csv, ",");
        if (json_is_array(scopes)) {
            json_array_foreach (scopes, k, s)
                buf_addf(&csv, "%s,", json_string_value(s));
        } else if (jv_str(it, "scope")) {
            buf_addf(&csv, "%s,", jv_str(it, "scope"));
        }
        if (buf_error(&csv)) { /* never store a cut-short scope list */
            snprintf(err, errlen, "%s: %s[%zu] has too many scopes", path,
                     section, i);
            buf_release(&csv);
            rc = IS_ERR_INVALID;
            break;
        }
        if (!id || !ja || !en || csv.len < 2) {
            snprintf(err, errlen,
                     "%s: %s[%zu] needs id, name_ja, name_en "
                     "and scopes",
                     path, section, i);
            buf_release(&csv);
            rc = IS_ERR_INVALID;
            break;
        }
        char *doc = json_dumps(it, JSON_COMPACT);
        rc = store_catalogue_insert(c, kind, id, buf_str(&csv), ja, en, doc);
        free(doc);
        buf_release(&csv);
        if (rc) {
            snprintf(err, errlen, "%s: %s[%zu] %s: %s", path, section, i, id,
                     rc == IS_ERR_CONFLICT ? "duplicate id" : is_strerror(rc));
            break;
        }
    }
    json_decref(root);
    return rc;
}

int reporting_import(struct store_conn *c, const char *data_dir, char *err,
                     size_t errlen)
{
    char p1[4096], p2[4096];
    json_t *rules = NULL, *levels = NULL, *dl = NULL;
    snprintf(p1, sizeof(p1), "%s/severity/rules.json", data_dir);
    snprintf(p2, sizeof(p2), "%s/severity/maintenance_levels.json", data_dir);
    int rc = load_json(p1, &rules, err, errlen);
    if (!rc)
        rc = load_json(p2, &levels, err, errlen);
    if (!rc) {
        struct severity_table *t = malloc(sizeof(*t));
        char e2[256];
        rc = t ? severity_compile(rules, levels, t, e2, sizeof(e2))
               : IS_ERR_NOMEM;
        if (rc && t)
            snprintf(err, errlen, "%s/severity: %s", data_dir, e2);
        free(t);
    }
    if (!rc) {
        char *a = json_dumps(rules, JSON_COMPACT);
        char *b = json_dumps(levels, JSON_COMPACT);
        rc = store_meta_set(c, "severity_rules", a);
        if (!rc)
            rc = store_meta_set(c, "maintenance_levels", b);
        free(a);
        free(b);
    }
    json_decref(rules);
    json_decref(levels);
    if (rc)
        return rc;
    snprintf(p1, sizeof(p1), "%s/catalogue/system_classes.json", data_dir);
    rc = import_catalogue(c, p1, "system_classes", "system_class", err, errlen);
    snprintf(p1, sizeof(p1), "%s/catalogue/ci_services.json", data_dir);
    if (!rc)
        rc = import_catalogue(c, p1, "ci_services", "ci_service", err, errlen);
    snprintf(p1, sizeof(p1), "%s/deadlines.json", data_dir);
    if (!rc)
        rc = load_json(p1, &dl, err, errlen);
    if (!rc) {
        const char *key;
        json_t *v;
        json_object_foreach (json_object_get(dl, "deadlines"), key, v) {
            long long f = jv_int(v, "first_notice_hours", -1);
            long long u = jv_int(v, "full_report_hours", -1);
            long long d = jv_int(v, "final_report_days", -1);
            if (f < 1 || u < 1 || d < 1 || f > 8760 || u > 8760 || d > 3650) {
                snprintf(err, errlen,
                         "%s: deadlines.%s needs "
                         "first_notice_hours, full_report_hours, "
                         "final_report_days (positive)",
                         p1, key);
                rc = IS_ERR_INVALID;
                break;
            }
            rc = store_deadline_set(c, key, (int)f, (int)u, (int)d);
            if (rc)
                break;
        }
        if (!rc && !json_object_get(json_object_get(dl, "deadlines"), "*")) {
            snprintf(err, errlen, "%s: deadlines needs a \"*\" default", p1);
            rc = IS_ERR_INVALID;
        }
    }
    json_decref(dl);
    return rc;
}

int reporting_load(struct store_conn *c, struct reporting *rp, char *err,
                   size_t errlen)
{
    char *a = malloc(1 << 20), *b = malloc(1 << 20);
    int rc = a && b ? IS_OK : IS_ERR_NOMEM;
    if (!rc)
        rc = store_meta_get(c, "severity_rules", a, 1 << 20);
    if (!rc)
        rc = store_meta_get(c, "maintenance_levels", b, 1 << 20);
    if (rc) {
        snprintf(err, errlen,
                 "the database has no severity table (was it "
                 "initialised by an older build? run 'infrashare init')");
    } else {
        json_t *ra = json_loads(a, 0, NULL), *la = json_loads(b, 0, NULL);
        rc = severity_compile(ra, la, &rp->sev, err, errlen);
        json_decref(ra);
        json_decref(la);
    }
    free(a);
    free(b);
    return rc;
}

/* ---- helpers shared with reporting_list.c and reporting_events.c ---- */

void rp_range_report(const struct store_report *r, struct range_report *rr)
{
    memset(rr, 0, sizeof(*rr));
    rr->range = (enum share_range)r->range;
    rr->route = (enum report_route)r->route;
    rr->originator = r->originator;
    rr->routing_ceptoar = r->routing_ceptoar;
    for (int i = 0; i < r->community.n && i < ACCESS_MAX_GROUPS; i++)
        rr->community[rr->ncommunity++] = r->community.id[i];
    for (int i = 0; i < r->reached.n && i < RANGE_MAX_CHAIN; i++)
        rr->reached[rr->nreached++] = r->reached.id[i];
}

struct range_decision rp_decide(const struct auth_ctx *who,
                                const struct store_report *r)
{
    struct range_report rr;
    rp_range_report(r, &rr);
    return range_report_decide(who ? &who->org : NULL, &rr);
}

struct range_decision report_decide(const struct auth_ctx *who,
                                    const struct store_report *r)
{
    return rp_decide(who, r);
}

json_t *report_summary(struct store_conn *c, const struct auth_ctx *who,
                       const struct store_report *r, struct range_decision d,
                       int64_t now)
{
    return rp_summary(c, who, r, d, now);
}

bool rp_overdue(const struct store_report *r, int64_t now)
{
    return deadline_report_overdue(strcmp(r->state, "open") == 0, r->full_at,
                                   r->full_due, r->final_due, now);
}

/* The description shown instead of the reporting organisation, as its
 * two languages (two names of at most 255 bytes and the words around). */
#define ANON_LABEL_LEN 700
static void anon_label(struct store_conn *c, const struct store_report *r,
                       bool with_ceptoar, char ja[ANON_LABEL_LEN],
                       char en[ANON_LABEL_LEN])
{
    char sja[256], sen[256], cja[256] = "", cen[256] = "";
    if (r->scope_ja[0]) {
        util_xcopy(sja, sizeof(sja), r->scope_ja);
        util_xcopy(sen, sizeof(sen), r->scope_en);
    } else {
        store_names(c, "scope", r->scope_id, sja, sizeof(sja), sen,
                    sizeof(sen));
    }
    if (with_ceptoar && r->routing_ceptoar[0]) {
        if (r->ceptoar_ja[0]) {
            util_xcopy(cja, sizeof(cja), r->ceptoar_ja);
            util_xcopy(cen, sizeof(cen), r->ceptoar_en);
        } else {
            store_names(c, "org", r->routing_ceptoar, cja, sizeof(cja), cen,
                        sizeof(cen));
        }
        snprintf(ja, ANON_LABEL_LEN, "%sの事業者（%s経由）", sja, cja);
        snprintf(en, ANON_LABEL_LEN, "an operator in %s (via %s)", sen, cen);
    } else {
        snprintf(ja, ANON_LABEL_LEN, "%sの事業者", sja);
        snprintf(en, ANON_LABEL_LEN, "an operator in %s", sen);
    }
}

/* {"ja": ja, "en": en} under key. */
static void write_ja_en(struct jw *w, const char *key, const char *ja,
                        const char *en)
{
    jw_key(w, key);
    jw_obj(w);
    jw_kstr(w, "ja", ja);
    jw_kstr(w, "en", en);
    jw_end_obj(w);
}

/* The "reporter" object into w: the organisation, or the anonymous
 * label. */
static void reporter_write(struct jw *w, struct store_conn *c,
                           const struct auth_ctx *who,
                           const struct store_report *r,
                           struct range_decision d)
{
    bool anonymous = r->route == ROUTE_ANONYMOUS;
    bool is_originator = who && strcmp(who->org.id, r->originator) == 0;
    jw_obj(w);
    if (d.sees_identity && (!anonymous || is_originator)) {
        char ja_read[256], en_read[256];
        const char *ja = r->originator_ja, *en = r->originator_en;
        if (!ja[0]) { /* not read with the row */
            store_names(c, "org", r->originator, ja_read, sizeof(ja_read),
                        en_read, sizeof(en_read));
            ja = ja_read;
            en = en_read;
        }
        jw_kstr(w, "org", r->originator);
        write_ja_en(w, "name", ja, en);
        jw_kbool(w, "anonymous", anonymous);
    } else {
        /* the routing secretariat may reveal it (audited), not just see
         * it */
        char ja[ANON_LABEL_LEN], en[ANON_LABEL_LEN];
        anon_label(c, r, anonymous, ja, en);
        jw_kbool(w, "anonymous", anonymous);
        jw_kbool(w, "withheld", true);
        write_ja_en(w, "label", ja, en);
        jw_kbool(w, "revealable", anonymous && d.sees_identity);
    }
    jw_end_obj(w);
}

/* The JSON text in b as a json_t (NULL when it cannot be); b released. */
static json_t *written(struct buf *b)
{
    json_t *o = buf_error(b) ? NULL : json_loadb(b->data, b->len, 0, NULL);
    buf_release(b);
    return o;
}

json_t *rp_reporter_json(struct store_conn *c, const struct auth_ctx *who,
                         const struct store_report *r, struct range_decision d)
{
    struct buf b;
    struct jw w;
    buf_init(&b, 0);
    jw_init(&w, &b);
    reporter_write(&w, c, who, r, d);
    return written(&b);
}

void rp_summary_write(struct jw *w, struct store_conn *c,
                      const struct auth_ctx *who, const struct store_report *r,
                      struct range_decision d, int64_t now)
{
    int effective = r->declared > r->severity ? r->declared : r->severity;
    jw_obj(w);
    jw_kstr(w, "id", r->id);
    jw_key(w, "title");
    if (r->title[0]) { /* the scan query reads the title itself */
        jw_str(w, r->title);
    } else { /* other callers parse it */
        json_t *body = json_loads(r->body, 0, NULL);
        jw_json(w, json_object_get(body, "title"));
        json_decref(body);
    }
    jw_kstr(w, "kind", r->kind);
    jw_kstr(w, "state", r->state);
    jw_kstr(w, "range", range_name((enum share_range)r->range));
    jw_kstr(w, "tlp", range_tlp((enum share_range)r->range));
    jw_kstr(w, "route", route_name((enum report_route)r->route));
    jw_kstr(w, "scope", r->scope_id);
    jw_kstr(w, "sector", r->sector_id);
    jw_key(w, "severity");
    jw_obj(w);
    jw_kint(w, "computed", r->severity);
    jw_kstr(w, "rule", r->severity_rule);
    jw_key(w, "declared");
    if (r->declared >= 0)
        jw_int(w, r->declared);
    else
        jw_null(w);
    jw_kint(w, "effective", effective);
    jw_end_obj(w);
    jw_key(w, "reporter");
    reporter_write(w, c, who, r, d);
    jw_kstr(w, "current_hop", r->current_hop[0] ? r->current_hop : NULL);
    jw_ktime(w, "detected_at", r->detected_at);
    jw_ktime(w, "created_at", r->created_at);
    jw_kbool(w, "overdue", rp_overdue(r, now));
    jw_ktime(w, "updated_at", r->updated_at);
    jw_kbool(w, "reached_nisc", r->current_hop[0] == '\0');
    jw_end_obj(w);
}

json_t *rp_summary(struct store_conn *c, const struct auth_ctx *who,
                   const struct store_report *r, struct range_decision d,
                   int64_t now)
{
    struct buf b;
    struct jw w;
    buf_init(&b, 0);
    jw_init(&w, &b);
    rp_summary_write(&w, c, who, r, d, now);
    return written(&b);
}

/* ---- severity ---- */

static void facts_from(const struct severity_table *t, const char *scope,
                       const char *kind, const json_t *impact,
                       int sectors_exceeded, struct sev_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->scope = severity_scope(t, scope);
    for (int k = 0; k < SEV_FACT_COUNT; k++) {
        if (k == SEV_IMPACT_RATIO || k == SEV_EXCEEDED)
            continue;
        json_t *v = json_object_get(impact, severity_fact_name(k));
        if (k < SEV_NUMERIC_COUNT && json_is_number(v))
            f->num[k] = json_number_value(v);
        else if (k >= SEV_NUMERIC_COUNT && json_is_true(v))
            f->flag[k - SEV_NUMERIC_COUNT] = true;
    }
    f->num[SEV_SECTORS_EXCEEDED] = sectors_exceeded;
    const char *kd = kind ? kind : "incident";
    SEV_FLAG(f, SEV_KIND_INCIDENT) = strcmp(kd, "incident") == 0;
    SEV_FLAG(f, SEV_KIND_PRECURSOR) = strcmp(kd, "precursor") == 0;
    SEV_FLAG(f, SEV_KIND_VULNERABILITY) = strcmp(kd, "vulnerability") == 0;
    SEV_FLAG(f, SEV_KIND_INFO) = strcmp(kd, "info") == 0;
}

int reporting_evaluate(struct app *a, struct store_conn *c, const json_t *facts,
                       json_t **out, struct svc_error *e)
{
    const char *scope = jv_str(facts, "scope");
    if (store_names(c, "scope", scope, NULL, 0, NULL, 0))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "scope",
                        "scope: not a business scope of the registry");
    struct sev_facts f;
    facts_from(&a->reporting->sev, scope, jv_str(facts, "kind"),
               json_object_get(facts, "impact"),
               (int)jv_int(facts, "sectors_exceeded", 0), &f);
    struct sev_result r = severity_eval(&a->reporting->sev, &f);
    *out = severity_explain(&a->reporting->sev, &f, &r);
    return IS_OK;
}

static struct sev_result evaluate_body(struct app *a, const char *scope,
                                       const char *kind, const json_t *body)
{
    struct sev_facts f;
    facts_from(&a->reporting->sev, scope, kind, json_object_get(body, "impact"),
               0, &f);
    return severity_eval(&a->reporting->sev, &f);
}

/* ---- audit ---- */

int rp_audit(struct store_conn *c, const struct auth_ctx *who, int64_t now,
             const char *action, const struct store_report *r, json_t *detail)
{
    if (!detail)
        detail = json_object();
    json_object_set_new(detail, "range",
                        json_string(range_name((enum share_range)r->range)));
    if (r->route == ROUTE_ANONYMOUS)
        json_object_set_new(detail, "anonymous_report", json_true());
    /* the anonymous reporter acting on its own report is withheld */
    if (r->route == ROUTE_ANONYMOUS && who &&
        strcmp(who->org.id, r->originator) == 0)
        return audit_record_withheld(c, who, now, action, r->id, detail);
    return audit_record(c, who, now, action, r->id, detail);
}

bool report_by_hidden_reporter(struct store_conn *c, const struct auth_ctx *who,
                               const char *id)
{
    struct store_report r;
    memset(&r, 0, sizeof(r));
    if (store_report_get(c, id, &r))
        return false;
    bool hidden = r.route == ROUTE_ANONYMOUS && who &&
                  strcmp(who->org.id, r.originator) == 0;
    store_report_release(&r);
    return hidden;
}

/* ---- the hop chain ---- */

/* The walk of r arriving at first (core/route.h, route_walk) under the
 * hops' policies as stored now: call inside the write transaction. mode:
 * the sector's mode read in the same transaction, or NULL to read it. */
static int walk_plan(struct store_conn *c, const struct store_report *r,
                     const char *first, const struct decl_mode *mode,
                     struct route_walk *w)
{
    bool review[IDS_MAX];
    int rc = store_hop_reviews(c, &r->chain, review);
    /* large-scale outage mode: a report of severity 3 or more passes every
     * reviewing hop at once (core/mode.h) */
    struct decl_mode m;
    if (!rc && mode)
        m = *mode;
    else if (!rc)
        rc = declaration_mode_sector(c, r->sector_id, &m);
    if (!rc && mode_report_skips_review(m.outage, r->severity))
        for (int i = 0; i < IDS_MAX; i++)
            review[i] = false;
    return rc ? rc : route_walk(&r->chain, first, review, w);
}

/* Applies walk w to r in memory: the hops reached, the current hop ("" at
 * the end of the chain), the arrival time. */
static int walk_apply(struct store_report *r, const struct route_walk *w,
                      int64_t now)
{
    for (int i = 0; i < w->n; i++) {
        int rc = ids_add(&r->reached, w->arrived[i]);
        if (rc)
            return rc;
    }
    r->hop_arrived_at = now;
    util_xcopy(r->current_hop, sizeof(r->current_hop),
               w->current ? w->current : "");
    return IS_OK;
}

/* The timeline entries of walk w: "arrived" at each hop (how: the first
 * arrival's cause; later ones were "relayed"), and "relayed" by each hop
 * that relays automatically. */
static int walk_record(struct app *a, struct store_conn *c,
                       const struct store_report *r, const struct route_walk *w,
                       const char *how, int64_t now)
{
    const char *id = r->id;
    /* every hop arrived at is alerted (service/alerts.h) */
    int arc = alerts_arrive(a, c, r, w, now);
    if (arc)
        return arc;
    for (int i = 0; i < w->n; i++) {
        char detail[128];
        snprintf(detail, sizeof(detail), "{\"how\":\"%s\"}",
                 i ? "relayed" : how);
        int rc =
            store_timeline_add(c, id, now, w->arrived[i], 0, "arrived", detail);
        if (!rc && w->relayed[i])
            rc = store_timeline_add(c, id, now, w->arrived[i], 0, "relayed",
                                    "{\"policy\":\"auto\"}");
        if (rc)
            return rc;
    }
    return IS_OK;
}

int rp_forward_step(struct app *a, struct store_conn *c, struct store_report *r,
                    const char *how, int64_t user_id, int64_t now)
{
    const char *next =
        r->current_hop[0] ? route_next_hop(&r->chain, r->current_hop) : NULL;
    if (!next)
        return IS_ERR_CONFLICT;
    IS_UNUSED(user_id);
    struct route_walk w;
    int rc = walk_plan(c, r, next, NULL, &w);
    if (!rc)
        rc = walk_record(a, c, r, &w, how, now);
    if (!rc)
        rc = walk_apply(r, &w, now);
    return rc;
}

/* ---- filing ---- */

static const char *const content_keys[] = {
    "title",        "what_happened",     "occurred_at",
    "detected_at",  "contained_at",      "ci_service",
    "system_class", "system_type",       "domains",
    "cause",        "threat_type",       "impact",
    "measures",     "declared_severity", "declared_reason"};

/* Copies the content fields of src into dst (overwriting); times are
 * stored in RFC 3339 UTC whatever offset the reporter wrote. */
static void merge_content(json_t *dst, const json_t *src)
{
    for (size_t i = 0; i < IS_ARRAY_LEN(content_keys); i++) {
        const char *k = content_keys[i];
        json_t *v = json_object_get(src, k);
        if (!v || json_is_null(v))
            continue;
        int64_t t;
        if (strstr(k, "_at") && json_is_string(v) &&
            !util_time_parse(json_string_value(v), &t)) {
            char ts[UTIL_TIME_LEN];
            util_time_rfc3339(t, ts);
            json_object_set_new(dst, k, json_string(ts));
        } else {
            json_object_set(dst, k, v);
        }
    }
}

/* The update as stored: the request without attachment contents (the
 * attachments are stored apart, with their hash). */
static char *update_record(const json_t *body)
{
    json_t *copy = json_deep_copy(body);
    json_t *atts = json_object_get(copy, "attachments");
    size_t i;
    json_t *it;
    json_array_foreach (atts, i, it)
        json_object_del(it, "content_base64");
    for (size_t k = 0; k < IS_ARRAY_LEN(content_keys); k++) {
        json_t *v = json_object_get(copy, content_keys[k]);
        int64_t t;
        if (v && strstr(content_keys[k], "_at") && json_is_string(v) &&
            !util_time_parse(json_string_value(v), &t)) {
            char ts[UTIL_TIME_LEN];
            util_time_rfc3339(t, ts);
            json_object_set_new(copy, content_keys[k], json_string(ts));
        }
    }
    char *s = json_dumps(copy, JSON_COMPACT);
    json_decref(copy);
    return s;
}

/* Which of two times an error names: the one the request sent (sent:
 * an update's body; NULL when filing, which sends both). An update that
 * sends only occurred_at is told about occurred_at. */
static const char *time_field(const json_t *sent, const char *later,
                              const char *earlier)
{
    if (sent && !json_object_get(sent, later) && json_object_get(sent, earlier))
        return earlier;
    return later;
}

/* Time checks on a merged view: occurred <= detected <= contained; sent
 * as time_field. */
static int check_times(const json_t *view, const json_t *sent, int64_t now,
                       struct svc_error *e)
{
    int64_t occ = 0, det = 0, con = 0;
    const char *s;
    if ((s = jv_str(view, "occurred_at")))
        util_time_parse(s, &occ);
    if ((s = jv_str(view, "detected_at")))
        util_time_parse(s, &det);
    if ((s = jv_str(view, "contained_at")))
        util_time_parse(s, &con);
    if (det > now + 300)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "detected_at",
                        "detected_at: is in the future");
    if (occ && det && det < occ) {
        const char *f = time_field(sent, "detected_at", "occurred_at");
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", f,
                        "%s: detected_at before occurred_at (an incident "
                        "cannot be detected before it occurs)",
                        f);
    }
    if (con && occ && con < occ) {
        const char *f = time_field(sent, "contained_at", "occurred_at");
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", f,
                        "%s: contained_at before occurred_at", f);
    }
    if (jv_int(view, "declared_severity", -1) >= 0 &&
        !jv_str(view, "declared_reason"))
        return svc_fail(e, IS_ERR_INVALID, "missing_field", "declared_reason",
                        "declared_reason: required with declared_severity");
    return IS_OK;
}

static int check_catalogue(struct store_conn *c, const json_t *view,
                           const char *scope, struct svc_error *e)
{
    const char *svc = jv_str(view, "ci_service");
    const char *cls = jv_str(view, "system_class");
    if (svc && store_catalogue_check(c, "ci_service", svc, scope))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "ci_service",
                        "ci_service: not a CI service of scope %s "
                        "(GET /api/v1/catalogue?scope=%s)",
                        scope, scope);
    if (cls && store_catalogue_check(c, "system_class", cls, scope))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "system_class",
                        "system_class: not a system class of scope %s", scope);
    return IS_OK;
}

struct decoded {
    int n;
    unsigned char *data[REPORT_MAX_ATTACHMENTS];
    size_t len[REPORT_MAX_ATTACHMENTS];
};

static void decoded_release(struct decoded *d)
{
    for (int i = 0; i < d->n; i++)
        free(d->data[i]);
    d->n = 0;
}

static int decode_attachments(const json_t *arr, struct decoded *d,
                              struct svc_error *e)
{
    memset(d, 0, sizeof(*d));
    size_t i;
    json_t *it;
    json_array_foreach (arr, i, it) {
        const char *b64 = jv_str(it, "content_base64");
        size_t blen = strlen(b64);
        size_t cap = blen / 4 * 3 + 3;
        if (cap > REPORT_MAX_ATTACHMENT + 3 &&
            blen / 4 * 3 > REPORT_MAX_ATTACHMENT + 2)
            return svc_fail(e, IS_ERR_TOO_LARGE, "attachment_too_large",
                            "attachments.content_base64",
                            "attachments[%zu]: larger than %d bytes", i,
                            REPORT_MAX_ATTACHMENT);
        unsigned char *buf = malloc(cap ? cap : 1);
        size_t out = 0;
        if (!buf)
            return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                            "out of memory");
        if (sodium_base642bin(buf, cap, b64, blen, "\n\r ", &out, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0) {
            free(buf);
            return svc_fail(e, IS_ERR_INVALID, "invalid_value",
                            "attachments.content_base64",
                            "attachments[%zu].content_base64: not base64", i);
        }
        if (out > REPORT_MAX_ATTACHMENT) {
            free(buf);
            return svc_fail(e, IS_ERR_TOO_LARGE, "attachment_too_large",
                            "attachments.content_base64",
                            "attachments[%zu]: larger than %d bytes", i,
                            REPORT_MAX_ATTACHMENT);
        }
        d->data[d->n] = buf;
        d->len[d->n++] = out;
    }
    return IS_OK;
}

static int store_attachments(struct store_conn *c, const char *report_id,
                             int64_t update_id, const json_t *arr,
                             const struct decoded *d)
{
    for (int i = 0; i < d->n; i++) {
        json_t *it = json_array_get(arr, (size_t)i);
        unsigned char h[32];
        char hex[65];
        crypto_hash_sha256(h, d->data[i], d->len[i]);
        util_hex(hex, h, sizeof(h));
        int rc = store_attachment_add(c, report_id, update_id,
                                      jv_str(it, "name"), jv_str(it, "mime"),
                                      d->data[i], d->len[i], hex, NULL);
        if (rc)
            return rc;
    }
    return IS_OK;
}

/* Case-insensitive (ASCII) substring test. */
static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n < 2)
        return false;
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

/* Warnings when a free-text field names the reporter's own organisation
 * (the text is not rewritten: the reporter decides). */
static json_t *own_name_warnings(struct store_conn *c, const char *org,
                                 const json_t *view)
{
    char ja[256], en[256];
    json_t *w = json_array();
    if (store_names(c, "org", org, ja, sizeof(ja), en, sizeof(en)))
        return w;
    static const char *const text_fields[] = {
        "title", "what_happened", "measures", "declared_reason", "text"};
    for (size_t i = 0; i < IS_ARRAY_LEN(text_fields); i++) {
        const char *t = jv_str(view, text_fields[i]);
        if (t && (strstr(t, ja) || contains_ci(t, en) || strstr(t, org)))
            json_array_append_new(
                w, json_pack("{s:s,s:s,s:s,s:s}", "code", "own_name", "field",
                             text_fields[i], "ja",
                             "この欄に自組織の名称が含まれています。匿名性"
                             "や共有範囲に照らして問題がないか確認してくださ"
                             "い。",
                             "en",
                             "This field contains your organisation's name; "
                             "check that this is intended for the report's "
                             "anonymity and sharing range."));
    }
    return w;
}

/* Chooses the route's chain; fills routing_ceptoar, agency, chain. */
static int plan_route(struct store_conn *c, const struct auth_ctx *who,
                      const json_t *body, struct store_report *r,
                      struct svc_error *e)
{
    char nisc[64];
    if (store_nisc_id(c, nisc, sizeof(nisc)))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the registry has no NISC");
    struct route_hops hops = {.ministry = r->ministry_id, .nisc = nisc};
    switch (r->route) {
    case ROUTE_VIA_CEPTOAR:
    case ROUTE_ANONYMOUS: {
        if (who->org.nceptoars == 0)
            return svc_fail(e, IS_ERR_FORBIDDEN, "route_not_allowed", "route",
                            "route: %s needs a CEPTOAR membership, and "
                            "your organisation has none",
                            route_name((enum report_route)r->route));
        const char *want = jv_str(body, "via_ceptoar");
        const char *chosen = route_choose_ceptoar(&who->org, want);
        if (!chosen)
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "via_ceptoar",
                            "via_ceptoar: not a CEPTOAR your organisation "
                            "belongs to");
        util_xcopy(r->routing_ceptoar, sizeof(r->routing_ceptoar), chosen);
        hops.ceptoar = r->routing_ceptoar;
        /* the label readers get ("an operator in <scope> (via <CEPTOAR>)")
         * hides the reporter among the CEPTOAR's members of its scope:
         * fewer than REPORT_ANON_CROWD of them, and whoever lists the
         * CEPTOAR's members (its secretariat, the ministry, NISC) would
         * single it out without the audited reveal (found by an outside
         * review: a cable-TV operator routed through T-CEPTOAR, its one
         * cable-TV member) */
        int64_t crowd = 0;
        if (r->route == ROUTE_ANONYMOUS &&
            store_ceptoar_scope_crowd(c, chosen, who->org.scope_id, &crowd))
            return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                            "the hub failed");
        if (r->route == ROUTE_ANONYMOUS && crowd < REPORT_ANON_CROWD)
            return svc_fail(
                e, IS_ERR_FORBIDDEN, "route_not_allowed",
                want ? "via_ceptoar" : "route",
                "route: anonymous through %s would not hide your "
                "organisation: fewer than %d of its members are operators "
                "of your scope (%s). Route it through a CEPTOAR of your "
                "scope, or as via_ceptoar (named)",
                chosen, REPORT_ANON_CROWD, who->org.scope_id);
        break;
    }
    case ROUTE_VIA_AGENCY: {
        const char *ag = jv_str(body, "via_agency");
        struct access_org rel;
        if (!ag)
            return svc_fail(e, IS_ERR_INVALID, "missing_field", "via_agency",
                            "via_agency: required with route via_agency");
        if (store_org_rel(c, ag, &rel) || strcmp(rel.kind, "agency") != 0 ||
            util_copy(r->agency_id, sizeof(r->agency_id), ag))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "via_agency",
                            "via_agency: not an agency of the registry");
        hops.agency = r->agency_id;
        break;
    }
    default: break;
    }
    if (jv_str(body, "via_agency") && r->route != ROUTE_VIA_AGENCY)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "via_agency",
                        "via_agency: only with route via_agency");
    if (jv_str(body, "via_ceptoar") &&
        !route_via_ceptoar((enum report_route)r->route))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "via_ceptoar",
                        "via_ceptoar: only with route via_ceptoar or "
                        "anonymous");
    if (route_chain((enum report_route)r->route, &hops, &r->chain))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the route has no chain");
    return IS_OK;
}

/* Whether who may file a report with body: only an operator, only for
 * its own organisation and business scope (*scope: the one asked for, or
 * the organisation's). */
static int file_allowed(const struct auth_ctx *who, const json_t *body,
                        const char **scope, struct svc_error *e)
{
    if (!access_may_file_report(who->org.kind))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "org",
                        "only operators file reports (情報連絡); your "
                        "organisation is a %s",
                        who->org.kind);
    const char *org = jv_str(body, "org");
    if (org && strcmp(org, who->org.id) != 0)
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "org",
                        "org: you may file reports only for your own "
                        "organisation");
    *scope = jv_str(body, "scope");
    if (!*scope)
        *scope = who->org.scope_id;
    if (strcmp(*scope, who->org.scope_id) != 0)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "scope",
                        "scope: your organisation's business scope is %s",
                        who->org.scope_id);
    return IS_OK;
}

/* Fills a new report r (not yet written) from body and its content view:
 * ids, route and chain (plan_route), community, severity, due times. */
static int file_prepare(struct app *a, struct store_conn *c,
                        const struct auth_ctx *who, const json_t *body,
                        const char *scope, const json_t *view, int64_t now,
                        struct store_report *r, struct svc_error *e)
{
    util_random_id(r->id, sizeof(r->id), 'R');
    util_xcopy(r->originator, sizeof(r->originator), who->org.id);
    r->filed_by = who->user_id;
    util_xcopy(r->scope_id, sizeof(r->scope_id), scope);
    util_xcopy(r->sector_id, sizeof(r->sector_id), who->org.sector_id);
    util_xcopy(r->ministry_id, sizeof(r->ministry_id), who->org.ministry_id);
    r->route = route_parse(jv_str(body, "route"));
    r->range = range_parse(jv_str(body, "range"));
    util_xcopy(r->kind, sizeof(r->kind), jv_str(body, "kind"));
    snprintf(r->state, sizeof(r->state), "open");
    int rc = plan_route(c, who, body, r, e);
    if (rc)
        return rc;
    for (int i = 0; i < who->org.nceptoars; i++)
        (void)ids_add(&r->community, who->org.ceptoars[i]); /* fits: */
    /* IDS_MAX >= ACCESS_MAX_GROUPS */
    struct sev_result sr = evaluate_body(a, scope, r->kind, view);
    r->severity = sr.level;
    r->exceeded = sr.exceeded;
    util_xcopy(r->severity_rule, sizeof(r->severity_rule),
               a->reporting->sev.rules[sr.rule].id);
    r->declared = (int)jv_int(view, "declared_severity", -1);
    util_time_parse(jv_str(view, "detected_at"), &r->detected_at);
    struct deadline_rule dl;
    store_deadline_get(c, r->sector_id, &dl.first_h, &dl.full_h, &dl.final_d);
    struct report_deadlines due = deadline_report(r->detected_at, dl);
    r->first_due = due.first_due;
    r->full_due = due.full_due;
    r->final_due = due.final_due;
    r->created_at = r->updated_at = now;
    r->hop_arrived_at = now;
    r->body = json_dumps(view, JSON_COMPACT);
    return IS_OK;
}

/* Links a report filed in outage mode to the declaration's event, with
 * its timeline entry (in the caller's transaction). */
static int declared_link(struct store_conn *c, const struct decl_mode *m,
                         const char *id, int64_t now)
{
    char detail[128];
    snprintf(detail, sizeof(detail),
             "{\"event\":\"%s\",\"declaration\":\"%s\"}", m->event_id,
             m->declaration);
    int rc = store_event_link(c, m->event_id, id, m->org, now);
    if (!rc)
        rc = store_timeline_add(c, id, now, m->org, 0, "linked", detail);
    return rc;
}

/* Writes the new report r inside the open write transaction: its whole
 * initial state (the first hop's arrival and any automatic relays) is
 * computed before it is written, once; then the original update,
 * attachments, timeline and audit record. On failure the caller undoes
 * what was written (file_run runs in a group commit's savepoint). */
static int file_write(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, struct store_report *r,
                      const json_t *atts, struct decoded *att, int64_t now)
{
    const char *first = route_first_hop(&r->chain);
    struct route_walk w;
    int64_t upd = 0;
    if (!first)
        return IS_ERR_INTERNAL; /* plan_route gives every chain NISC */
    /* the mode is read under the writer lock: a declaration made a moment
     * ago applies */
    struct decl_mode m;
    int rc = declaration_mode_sector(c, r->sector_id, &m);
    if (!rc && m.outage) {
        struct report_deadlines due = mode_report_due(
            true, r->detected_at,
            (struct report_deadlines){.first_due = r->first_due,
                                      .full_due = r->full_due,
                                      .final_due = r->final_due});
        r->first_due = due.first_due;
        r->full_due = due.full_due;
        r->final_due = due.final_due;
    }
    if (!rc)
        rc = walk_plan(c, r, first, &m, &w);
    if (!rc)
        rc = walk_apply(r, &w, now);
    if (!rc)
        rc = store_report_insert(c, r);
    if (!rc && m.outage)
        rc = declared_link(c, &m, r->id, now);
    if (!rc)
        rc = store_report_update_add(c, r->id, now, who->user_id, "original",
                                     r->range, r->body, &upd);
    if (!rc)
        rc = store_attachments(c, r->id, upd, atts, att);
    if (!rc)
        rc = store_timeline_add(
            c, r->id, now, r->originator, who->user_id, "filed",
            r->first_due < now ? "{\"first_notice_late\":true}" : "{}");
    if (!rc)
        rc = walk_record(a, c, r, &w, "filed", now);
    if (!rc)
        rc = rp_audit(c, who, now, "report.file", r,
                      json_pack("{s:s,s:i}", "route",
                                route_name((enum report_route)r->route),
                                "severity", r->severity));
    return rc;
}

/* One filing as a group-commit job (store_group_commit): the report is
 * written and its answer read inside the same transaction, before the
 * commit: exactly what is committed, nothing a later request added. */
struct file_job {
    struct app *a;
    const struct auth_ctx *who;
    struct store_report *r;
    const json_t *atts;
    struct decoded *att;
    int64_t now;
    json_t *out;
    struct svc_error *e;
};

static int file_run(struct store_conn *c, void *arg)
{
    struct file_job *f = arg;
    int rc = file_write(f->a, c, f->who, f->r, f->atts, f->att, f->now);
    if (!rc)
        rc = view_of(c, f->who, f->r, f->now, &f->out, f->e);
    if (rc) {
        json_decref(f->out);
        f->out = NULL;
    }
    return rc;
}

int report_file(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const json_t *body, int64_t now, json_t **out,
                struct svc_error *e)
{
    const char *scope = NULL;
    int rc = file_allowed(who, body, &scope, e);
    if (rc)
        return rc;
    json_t *view = json_object();
    merge_content(view, body);
    /* the reads before the write share one snapshot: one read lock, and
     * SQLite's page cache checked once rather than per statement. The
     * request pipeline may have opened it for the credentials already
     * (http/server.c, snapshot_routes); it ends before the write. */
    bool snap =
        !store_in_tx(c) && (store_in_any_tx(c) || store_read_begin(c) == IS_OK);
    rc = check_times(view, NULL, now, e);
    if (!rc)
        rc = check_catalogue(c, view, scope, e);
    struct decoded att = {0};
    json_t *atts = json_object_get(body, "attachments");
    if (!rc && atts)
        rc = decode_attachments(atts, &att, e);
    struct store_report r;
    memset(&r, 0, sizeof(r));
    if (!rc)
        rc = file_prepare(a, c, who, body, scope, view, now, &r, e);
    json_t *warnings = rc ? NULL : own_name_warnings(c, who->org.id, view);
    if (snap)
        store_read_end(c);
    if (rc) {
        json_decref(view);
        decoded_release(&att);
        store_report_release(&r);
        return rc;
    }
    struct file_job f = {.a = a,
                         .who = who,
                         .r = &r,
                         .atts = atts,
                         .att = &att,
                         .now = now,
                         .e = e};
    struct store_job job = {.run = file_run, .arg = &f};
    *out = NULL;
    if ((rc = store_group_commit(c, &job))) {
        json_decref(f.out); /* read, but its commit failed */
        goto out;
    }
    *out = f.out;
    json_object_set_new(*out, "warnings", warnings);
    warnings = NULL;
    alerts_wake(a); /* the hops' alerts were queued with the report */
out:
    json_decref(warnings);
    json_decref(view);
    decoded_release(&att);
    store_report_release(&r);
    if (rc && !e->err)
        svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                 "the report could not be stored; "
                 "nothing was filed");
    return rc;
}

/* ---- reading ---- */

/* Loads a report the caller may read, or fails with 404. */
static int load_readable(struct store_conn *c, const struct auth_ctx *who,
                         const char *id, struct store_report *r,
                         struct range_decision *d, struct svc_error *e)
{
    if (strlen(id) >= sizeof(r->id))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such report");
    int rc = store_report_get(c, id, r);
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such report");
    if (rc)
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the report could not be "
                        "read");
    *d = rp_decide(who, r);
    if (!d->may_read) {
        store_report_release(r);
        /* exactly as if it did not exist */
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such report");
    }
    return IS_OK;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *at_json(int64_t t)
{
    char ts[UTIL_TIME_LEN];
    util_time_rfc3339(t, ts);
    return json_string(ts);
}

/* [{at, org, user, type, detail}] of report id, oldest first; NULL when
 * the read fails. */
static json_t *timeline_json(struct store_conn *c, const char *id)
{
    struct store_timeline_entry *t;
    int n;
    if (store_timeline_list(c, id, &t, &n))
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *detail = t[i].detail ? json_loads(t[i].detail, 0, NULL) : NULL;
        json_array_append_new(
            arr,
            json_pack("{s:o,s:o,s:o,s:o,s:o}", "at", at_json(t[i].at), "org",
                      str_or_null(t[i].org), "user",
                      t[i].user_id ? json_integer(t[i].user_id) : json_null(),
                      "type", str_or_null(t[i].type), "detail",
                      detail ? detail : json_object()));
    }
    store_timeline_free(t, n);
    return arr;
}

/* [{id, at, kind, range, body}] of report id, oldest first (row ids, not
 * yet numbered per report); NULL when the read fails. */
static json_t *updates_json(struct store_conn *c, const char *id)
{
    struct store_update *u;
    int n;
    if (store_updates_list(c, id, &u, &n))
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *body = u[i].body ? json_loads(u[i].body, 0, NULL) : NULL;
        json_array_append_new(
            arr,
            json_pack("{s:I,s:o,s:o,s:s,s:o}", "id", (json_int_t)u[i].id, "at",
                      at_json(u[i].at), "kind", str_or_null(u[i].kind), "range",
                      range_name((enum share_range)u[i].range), "body",
                      body ? body : json_object()));
    }
    store_updates_free(u, n);
    return arr;
}

/* [{kind, due_at, created_at, sent_at}] of report id; NULL when the read
 * fails. */
static json_t *reminders_json(struct store_conn *c, const char *id)
{
    struct store_report_reminder *m;
    int n;
    if (store_report_reminders(c, id, &m, &n))
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:o,s:o,s:o,s:o}", "kind", str_or_null(m[i].kind),
                           "due_at", at_json(m[i].due_at), "created_at",
                           at_json(m[i].created_at), "sent_at",
                           m[i].sent_at ? at_json(m[i].sent_at) : json_null()));
    store_report_reminders_free(m, n);
    return arr;
}

/* The timeline as this reader may see it: acts of the reporting
 * organisation are attributed to "the reporter" unless the reader sees
 * its identity; user ids only for the reader's own organisation. */
static json_t *timeline_view(struct store_conn *c, const struct auth_ctx *who,
                             const struct store_report *r,
                             struct range_decision d)
{
    json_t *tl = timeline_json(c, r->id);
    if (!tl)
        return json_array();
    bool hide = !d.sees_identity || (r->route == ROUTE_ANONYMOUS && who &&
                                     strcmp(who->org.id, r->originator));
    size_t i;
    json_t *ev;
    json_array_foreach (tl, i, ev) {
        char org_buf[64] = "";
        const char *org = jv_str(ev, "org");
        /* a stored id too long for any organisation matches none (it is
         * attributed to nobody, its user hidden): never an abort */
        if (org && util_copy(org_buf, sizeof(org_buf), org))
            org_buf[0] = '\0';
        org = org ? org_buf : NULL; /* the JSON value may be replaced below */
        bool by_reporter = org && strcmp(org, r->originator) == 0;
        if (by_reporter && hide) {
            json_object_set_new(ev, "org", json_null());
            json_object_set_new(ev, "by", json_string("reporter"));
        } else if (by_reporter) {
            json_object_set_new(ev, "by", json_string("reporter"));
        }
        if (!who || !org || strcmp(org, who->org.id) != 0)
            json_object_del(ev, "user");
    }
    return tl;
}

static json_t *chain_view(struct store_conn *c, const struct store_report *r)
{
    const struct ids *ids = &r->chain;
    json_t *arr = json_array();
    for (int i = 0; i < ids->n; i++) {
        char ja[256], en[256];
        store_names(c, "org", ids->id[i], ja, sizeof(ja), en, sizeof(en));
        json_array_append_new(
            arr, json_pack("{s:s,s:{s:s,s:s},s:b,s:b}", "org", ids->id[i],
                           "name", "ja", ja, "en", en, "reached",
                           ids_has(&r->reached, ids->id[i]), "current",
                           strcmp(r->current_hop, ids->id[i]) == 0));
    }
    return arr;
}

int report_read(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const char *id, int64_t now, json_t **out, struct svc_error *e)
{
    int rc = report_view(a, c, who, id, now, true, out, e);
    if (!rc) /* a user of an alerted hop opened it (service/alerts.h) */
        alerts_opened_by_read(c, who, id, now);
    return rc;
}

/* The ordinal (1-based) of the update with row id row in ups, 0 if none. */
static json_int_t update_ordinal(const json_t *ups, json_int_t row)
{
    size_t i;
    json_t *u;
    json_array_foreach (ups, i, u) {
        if (json_integer_value(json_object_get(u, "id")) == row)
            return (json_int_t)i + 1;
    }
    return 0;
}

/* Renumbers a report view's updates and attachments 1, 2, ... in their
 * order within the report (and the timeline's and attachments' references
 * to updates with them): their row ids are hub-wide, so their gaps would
 * count the updates and files of reports the reader may not read
 * (docs/rules.md, "List cursors"). */
static void number_per_report(json_t *o)
{
    json_t *ups = json_object_get(o, "updates");
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get(o, "attachments"), i, v) {
        json_object_set_new(v, "id", json_integer((json_int_t)i + 1));
        json_int_t row = json_integer_value(json_object_get(v, "update"));
        json_object_set_new(v, "update",
                            json_integer(update_ordinal(ups, row)));
    }
    json_array_foreach (json_object_get(o, "timeline"), i, v) {
        json_t *d = json_object_get(v, "detail");
        json_t *row = json_object_get(d, "update");
        if (json_is_integer(row))
            json_object_set_new(
                d, "update",
                json_integer(update_ordinal(ups, json_integer_value(row))));
    }
    json_array_foreach (ups, i, v)
        json_object_set_new(v, "id", json_integer((json_int_t)i + 1));
}

/* [{id, name, mime, size, sha256, update}] of report id, the row ids
 * hub-wide (number_per_report renumbers them); NULL when the read fails. */
static json_t *attachments_json(struct store_conn *c, const char *id)
{
    struct store_attachment *at;
    int n;
    if (store_attachments_list(c, id, &at, &n))
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            arr,
            json_pack("{s:I,s:o,s:o,s:I,s:o,s:I}", "id", (json_int_t)at[i].id,
                      "name", str_or_null(at[i].name), "mime",
                      str_or_null(at[i].mime), "size", (json_int_t)at[i].size,
                      "sha256", str_or_null(at[i].sha256), "update",
                      (json_int_t)at[i].update_id));
    store_attachments_free(at, n);
    return arr;
}

/* The view of report r for who, answered from r as it is in memory (as
 * just written, or as read): the report row is not read back; the
 * timeline, updates, attachments and reminders are read from their
 * tables (inside the caller's transaction, so in r's snapshot). 404
 * exactly as load_readable when who may not read r. Audits nothing. */
static int view_of(struct store_conn *c, const struct auth_ctx *who,
                   const struct store_report *r, int64_t now, json_t **out,
                   struct svc_error *e)
{
    struct range_decision d = rp_decide(who, r);
    if (!d.may_read)
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such report");
    json_t *o = rp_summary(c, who, r, d, now);
    json_t *body = json_loads(r->body, 0, NULL);
    /* content fields of the current view */
    const char *key;
    json_t *v;
    json_object_foreach (body, key, v) {
        if (strcmp(key, "declared_severity") && strcmp(key, "title"))
            json_object_set(o, key, v);
    }
    json_decref(body);
    json_object_set_new(o, "chain", chain_view(c, r));
    json_object_set_new(o, "timeline", timeline_view(c, who, r, d));
    json_t *ups = NULL, *atts = NULL;
    if ((ups = updates_json(c, r->id)))
        json_object_set_new(o, "updates", ups);
    if ((atts = attachments_json(c, r->id)))
        json_object_set_new(o, "attachments", atts);
    number_per_report(o);
    json_object_set_new(
        o, "deadlines",
        json_pack("{s:o,s:o,s:o,s:o,s:o,s:b}", "first_notice_due",
                  svc_time_json(r->first_due), "full_report_due",
                  svc_time_json(r->full_due), "final_report_due",
                  svc_time_json(r->final_due), "full_report_at",
                  svc_time_json(r->full_at), "closed_at",
                  svc_time_json(r->closed_at), "overdue", rp_overdue(r, now)));
    /* deadline reminders concern the reporting organisation */
    if (who && strcmp(who->org.id, r->originator) == 0) {
        json_t *rem = reminders_json(c, r->id);
        if (rem)
            json_object_set_new(o, "reminders", rem);
    }
    *out = o;
    return IS_OK;
}

static int report_view(struct app *a, struct store_conn *c,
                       const struct auth_ctx *who, const char *id, int64_t now,
                       bool audit, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_report r;
    struct range_decision d;
    /* the report row and its chain, timeline, updates and attachments are
     * read in one snapshot: read one after another outside it, an update
     * written between two of them showed a report that never was (the
     * update without its timeline entry). The audit entry is written
     * after the snapshot ends (a read transaction takes no writes). */
    int rc = store_read_begin(c);
    if (rc)
        return svc_fail(e, rc, "internal", NULL,
                        "the report could not be read");
    if ((rc = load_readable(c, who, id, &r, &d, e))) {
        store_read_end(c);
        return rc;
    }
    rc = view_of(c, who, &r, now, out, e);
    store_read_end(c);
    if (!rc && audit && range_read_is_audited((enum share_range)r.range) &&
        rp_audit(c, who, now, "report.read", &r, NULL)) {
        json_decref(*out);
        *out = NULL;
        rc = svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                      "the read could not be audited, so it is refused");
    }
    store_report_release(&r);
    return rc;
}

/* ---- updates, forwarding, notes, reveal ---- */

static int questions_asked(struct store_conn *c, const char *id)
{
    struct store_timeline_entry *t;
    int n, asked = 0;
    if (store_timeline_list(c, id, &t, &n))
        return 0;
    for (int i = 0; i < n; i++)
        if (t[i].type && strcmp(t[i].type, "question") == 0)
            asked++;
    store_timeline_free(t, n);
    return asked;
}

/* Every write below follows one pattern (docs/rules.md, "Concurrent
 * writes"): the report is read, checked and written inside ONE write
 * transaction, under the store's writer lock, so two requests that race
 * are decided one after the other on the state the first one left (the
 * second gets 409 when that state no longer allows it). Nothing read
 * before store_begin may be written back. */

/* Opens the write transaction and loads report id for who (404 as
 * load_readable). On success the transaction is open and *r is the
 * caller's to release; on failure nothing is open or held, and e says why
 * (fail_msg is the sentence when the transaction cannot be begun). */
static int begin_readable(struct store_conn *c, const struct auth_ctx *who,
                          const char *id, struct store_report *r,
                          struct range_decision *d, const char *fail_msg,
                          struct svc_error *e)
{
    if (store_begin(c))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "%s", fail_msg);
    int rc = load_readable(c, who, id, r, d, e);
    if (rc)
        store_rollback(c);
    return rc;
}

/* The range body asks for (its "range", else the current one) in
 * *new_range; refused when it is wider than current. actor names who
 * narrows in the message ("an update", "a hop"). */
static int narrowed_range(const json_t *body, int current, const char *actor,
                          int *new_range, struct svc_error *e)
{
    const char *rs = jv_str(body, "range");
    *new_range = rs ? range_parse(rs) : current;
    if (!range_within((enum share_range) * new_range,
                      (enum share_range)current))
        return svc_fail(e, IS_ERR_INVALID, "range_widening", "range",
                        "range: %s may narrow the range (now %s), never "
                        "widen it",
                        actor, range_name((enum share_range)current));
    return IS_OK;
}

/* Whether who may add the update body to r (read under the writer lock):
 * only the originator, never to a closed report, never widening the range
 * (the new one in *new_range), and "question" only with kind answer,
 * naming a question asked. */
static int update_allowed(struct store_conn *c, const struct auth_ctx *who,
                          const struct store_report *r, const json_t *body,
                          int *new_range, struct svc_error *e)
{
    if (strcmp(who->org.id, r->originator) != 0)
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "only the reporting organisation adds updates");
    if (strcmp(r->state, "closed") == 0)
        return svc_fail(e, IS_ERR_CONFLICT, "report_closed", NULL,
                        "the final report has closed this report; nothing "
                        "can be added");
    int rc = narrowed_range(body, r->range, "an update", new_range, e);
    if (rc)
        return rc;
    if (strcmp(jv_str(body, "kind"), "answer") == 0) {
        long long q = jv_int(body, "question", 0);
        int asked = questions_asked(c, r->id);
        if (q < 1 || q > asked)
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "question",
                            "question: answers need the number of a question "
                            "asked (%d asked so far)",
                            asked);
    } else if (jv_int(body, "question", 0)) {
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "question",
                        "question: only with kind answer");
    }
    return IS_OK;
}

/* Applies an update of kind to r in memory: the merged content view, its
 * severity, the new range, and the full/final report times (a final report
 * closes the report). Writes nothing. */
static void update_apply(struct app *a, struct store_report *r,
                         const json_t *view, const char *kind, int new_range,
                         int64_t now)
{
    struct sev_result sr = evaluate_body(a, r->scope_id, r->kind, view);
    r->severity = sr.level;
    r->exceeded = sr.exceeded;
    util_xcopy(r->severity_rule, sizeof(r->severity_rule),
               a->reporting->sev.rules[sr.rule].id);
    r->declared = (int)jv_int(view, "declared_severity", -1);
    r->range = new_range;
    r->updated_at = now;
    if (strcmp(kind, "full") == 0 && !r->full_at)
        r->full_at = now;
    if (strcmp(kind, "final") == 0) {
        snprintf(r->state, sizeof(r->state), "closed");
        r->closed_at = now;
        if (!r->full_at)
            r->full_at = now;
    }
    free(r->body);
    r->body = json_dumps(view, JSON_COMPACT);
}

/* The timeline entry type of an update of kind. */
static const char *update_event(const char *kind)
{
    return strcmp(kind, "final") == 0    ? "final_report"
           : strcmp(kind, "full") == 0   ? "full_report"
           : strcmp(kind, "answer") == 0 ? "answer"
                                         : "update";
}

/* Writes an applied update inside the open transaction: the update row,
 * its attachments, the timeline entry (old_sev and old_range are r's
 * before update_apply), the report and the audit record. */
static int update_record_all(struct store_conn *c, const struct auth_ctx *who,
                             const struct store_report *r, const json_t *body,
                             const json_t *atts, struct decoded *att,
                             int old_sev, int old_range, int64_t now)
{
    const char *kind = jv_str(body, "kind");
    char *ubody = update_record(body);
    int64_t upd = 0;
    int rc = store_report_update_add(c, r->id, now, who->user_id, kind,
                                     r->range, ubody, &upd);
    free(ubody);
    if (!rc)
        rc = store_attachments(c, r->id, upd, atts, att);
    char detail[160];
    snprintf(detail, sizeof(detail),
             "{\"update\":%lld,\"severity_from\":%d,\"severity_to\":%d%s}",
             (long long)upd, old_sev, r->severity,
             old_range != r->range ? ",\"narrowed\":true" : "");
    if (!rc)
        rc = store_timeline_add(c, r->id, now, r->originator, who->user_id,
                                update_event(kind), detail);
    if (!rc)
        rc = store_report_save(c, r);
    /* the audit entry numbers the update within the report, as its view
     * does: the hub-wide row id's gaps would count the updates of
     * reports its auditors may not read */
    int64_t ord = 0;
    if (!rc)
        rc = store_report_update_ordinal(c, r->id, upd, &ord);
    if (!rc)
        rc = rp_audit(
            c, who, now, "report.update", r,
            json_pack("{s:s,s:I}", "kind", kind, "update", (json_int_t)ord));
    return rc;
}

int report_update(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id,
                  const json_t *body, int64_t now, json_t **out,
                  struct svc_error *e)
{
    static const char failed[] = "the update could not be stored; "
                                 "nothing was changed";
    struct store_report r;
    struct range_decision d;
    json_t *view = NULL, *warnings = NULL;
    struct decoded att = {0};
    json_t *atts = json_object_get(body, "attachments");
    /* an update of kind "update" says something: a text, or a field it
     * changes (a blank one was appended as a numbered update that says
     * nothing: found by a review). Checked on the request alone, before
     * the report is read: the same answer whether it exists or not */
    if (strcmp(jv_str(body, "kind"), "update") == 0) {
        bool says = false;
        const char *k;
        json_t *v;
        json_object_foreach ((json_t *)body, k, v) {
            if (!strcmp(k, "kind") || json_is_null(v))
                continue;
            says = strcmp(k, "text") != 0 || !util_blank(json_string_value(v));
            if (says)
                break;
        }
        if (!says)
            return svc_fail(e, IS_ERR_INVALID, "missing_field", "text",
                            "text: an update says something: a text, or a "
                            "field it changes");
    }
    /* the attachments depend on the request only: decoded before the
     * writer lock is taken */
    int rc = atts ? decode_attachments(atts, &att, e) : IS_OK;
    if (!rc)
        rc = begin_readable(c, who, id, &r, &d, failed, e);
    if (rc) {
        decoded_release(&att);
        return rc;
    }
    int new_range = -1; /* set by update_allowed on IS_OK */
    if ((rc = update_allowed(c, who, &r, body, &new_range, e)))
        goto out;
    view = json_loads(r.body, 0, NULL);
    merge_content(view, body);
    if ((rc = check_times(view, body, now, e)) ||
        (rc = check_catalogue(c, view, r.scope_id, e)))
        goto out;
    warnings = own_name_warnings(c, who->org.id, body);
    int old_sev = r.severity, old_range = r.range;
    int old_alert_sev = alerts_severity(&r);
    update_apply(a, &r, view, jv_str(body, "kind"), new_range, now);
    rc = update_record_all(c, who, &r, body, atts, &att, old_sev, old_range,
                           now);
    if (!rc) /* a raised severity alerts the hops reached again */
        rc = alerts_raise(a, c, who, &r, old_alert_sev, now);
    if (rc)
        goto out;
    if ((rc = store_commit(c)))
        goto out;
    alerts_wake(a);
    rc = view_of(c, who, &r, now, out, e);
    if (!rc) {
        json_object_set_new(*out, "warnings", warnings);
        warnings = NULL;
    }
out:
    store_rollback(c); /* no-op after a commit */
    json_decref(view);
    json_decref(warnings);
    decoded_release(&att);
    store_report_release(&r);
    if (rc && !e->err)
        svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "%s", failed);
    return rc;
}

int report_forward(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *id,
                   const json_t *body, int64_t now, json_t **out,
                   struct svc_error *e)
{
    static const char failed[] = "the report could not be "
                                 "forwarded; nothing was changed";
    struct store_report r;
    struct range_decision d;
    int rc = begin_readable(c, who, id, &r, &d, failed, e);
    if (rc)
        return rc;
    if (!r.current_hop[0]) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "not_current_hop", NULL,
                      "the report has reached the end of its chain");
        goto out;
    }
    if (strcmp(r.current_hop, who->org.id) != 0) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "not_current_hop", NULL,
                      "only the current hop (%s) forwards this report",
                      r.current_hop);
        goto out;
    }
    int new_range = -1; /* set by narrowed_range on IS_OK */
    if ((rc = narrowed_range(body, r.range, "a hop", &new_range, e)))
        goto out;
    json_t *detail = json_pack(
        "{s:s,s:s}", "range_from", range_name((enum share_range)r.range),
        "range_to", range_name((enum share_range)new_range));
    if (jv_str(body, "note"))
        json_object_set_new(detail, "note", json_string(jv_str(body, "note")));
    char *dt = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    r.range = new_range;
    r.updated_at = now;
    rc = store_timeline_add(c, r.id, now, who->org.id, who->user_id,
                            "forwarded", dt);
    free(dt);
    if (!rc)
        rc = rp_forward_step(a, c, &r, "forwarded", who->user_id, now);
    if (!rc)
        rc = store_report_save(c, &r);
    if (!rc)
        rc = rp_audit(c, who, now, "report.forward", &r,
                      json_pack("{s:s}", "to",
                                r.current_hop[0] ? r.current_hop : "nisc"));
    if (!rc && !(rc = store_commit(c))) {
        alerts_wake(a); /* the next hops' alerts */
        /* the hop that forwarded it has opened it */
        alerts_opened_by_read(c, who, r.id, now);
        rc = view_of(c, who, &r, now, out, e);
    }
out:
    store_rollback(c); /* no-op after a commit */
    store_report_release(&r);
    if (rc && !e->err)
        svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "%s", failed);
    return rc;
}

int report_note(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const char *id, const json_t *body, int64_t now, json_t **out,
                struct svc_error *e)
{
    struct store_report r;
    struct range_decision d;
    int rc = begin_readable(c, who, id, &r, &d, "nothing was changed", e);
    if (rc)
        return rc;
    if (!ids_has(&r.reached, who->org.id)) {
        rc = svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                      "only the hops the report has reached annotate it "
                      "or ask the reporter");
        goto out;
    }
    bool question = jv_bool(body, "question", false);
    /* counted under the lock: two questions never share a number */
    int number = question ? questions_asked(c, r.id) + 1 : 0;
    json_t *detail = json_pack("{s:s}", "text", jv_str(body, "text"));
    if (question)
        json_object_set_new(detail, "number", json_integer(number));
    char *dt = json_dumps(detail, JSON_COMPACT);
    json_decref(detail);
    rc = store_timeline_add(c, r.id, now, who->org.id, who->user_id,
                            question ? "question" : "note", dt);
    free(dt);
    r.updated_at = now;
    if (!rc)
        rc = store_report_save(c, &r);
    if (!rc)
        rc = rp_audit(c, who, now, question ? "report.question" : "report.note",
                      &r, NULL);
    if (!rc && !(rc = store_commit(c))) {
        /* a hop that annotates it has opened it */
        alerts_opened_by_read(c, who, r.id, now);
        rc = view_of(c, who, &r, now, out, e);
    }
    if (!rc && question)
        json_object_set_new(*out, "question", json_integer(number));
out:
    store_rollback(c); /* no-op after a commit */
    store_report_release(&r);
    if (rc && !e->err)
        svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "nothing was changed");
    return rc;
}

const struct jv_field reporting_reveal_spec[] = {
    {.name = "reason",
     .type = JV_STRING,
     .required = true,
     .max_len = REPORT_REVEAL_REASON_MAX},
    {.name = NULL},
};

int report_reveal(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id,
                  const json_t *body, int64_t now, json_t **out,
                  struct svc_error *e)
{
    IS_UNUSED(a);
    const char *reason = jv_str(body, "reason");
    /* white space only, the ideographic space (U+3000) included */
    if (util_blank(reason))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "reason",
                        "reason: say why the identity is needed (1-%d "
                        "characters)",
                        REPORT_REVEAL_REASON_MAX);
    struct store_report r;
    struct range_decision d;
    int rc = load_readable(c, who, id, &r, &d, e);
    if (rc)
        return rc;
    if (r.route != ROUTE_ANONYMOUS) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "not_anonymous", NULL,
                      "this report was not filed anonymously");
    } else if (!d.sees_identity) {
        rc = svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                      "only the secretariat the report was routed through "
                      "may reveal the reporting organisation");
    } else {
        char ja[256], en[256];
        store_names(c, "org", r.originator, ja, sizeof(ja), en, sizeof(en));
        rc = rp_audit(c, who, now, "report.reveal", &r,
                      json_pack("{s:s}", "reason", reason));
        if (rc)
            rc = svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                          "the reveal could not be audited, so it is "
                          "refused");
        else
            *out = json_pack("{s:s,s:s,s:{s:s,s:s},s:s}", "report", r.id, "org",
                             r.originator, "name", "ja", ja, "en", en,
                             "audited", "report.reveal");
    }
    store_report_release(&r);
    return rc;
}
