/*
 * risks.c - the operators' risk registers (see service/risks.h).
 */
#include "service/risks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "core/roles.h"
#include "service/guideline.h"
#include "store/store_notice.h"
#include "store/store_risk.h"

_Static_assert(RISK_DEFAULT_THRESHOLD == 12,
               "RISK_THRESHOLD_SQL in store/store_risk_sql.h says 12");
_Static_assert(RISK_MEASURE_ID_MAX == GUIDELINE_ID_LEN - 1,
               "a measure is a catalogue item id");
_Static_assert(RISK_MAX_SCORE == RISK_MAX_LEVELS * RISK_MAX_LEVELS,
               "the highest score");

static const char *const treatments[] = {"reduce", "avoid", "transfer",
                                         "accept", NULL};
static const char *const states[] = {"open", "closed", NULL};

/* The fields of a risk (written out twice, for the two tables: the
 * OpenAPI tests read the tables from this file). */
const struct jv_field risks_create_spec[] = {
    {.name = "title",
     .type = JV_STRING,
     .required = true,
     .max_len = RISK_TITLE_MAX,
     .nonblank = true},
    {.name = "description", .type = JV_STRING, .max_len = RISK_TEXT_MAX},
    {.name = "owner",
     .type = JV_STRING,
     .required = true,
     .max_len = RISK_NAME_MAX,
     .nonblank = true},
    {.name = "asset", .type = JV_STRING, .max_len = RISK_NAME_MAX},
    {.name = "impact",
     .type = JV_INT,
     .required = true,
     .min = 1,
     .max = RISK_MAX_LEVELS},
    {.name = "likelihood",
     .type = JV_INT,
     .required = true,
     .min = 1,
     .max = RISK_MAX_LEVELS},
    {.name = "treatment",
     .type = JV_STRING,
     .required = true,
     .max_len = 8,
     .enum_values = treatments},
    /* guideline catalogue item ids (service/guideline.h) */
    {.name = "measures",
     .type = JV_STRING_ARRAY,
     .max_len = RISK_MEASURES_MAX,
     .item_len = RISK_MEASURE_ID_MAX},
    {.name = "plan", .type = JV_STRING, .max_len = RISK_TEXT_MAX},
    {.name = "review_at", .type = JV_TIME, .required = true},
    {.name = "shared", .type = JV_BOOL},
    {.name = NULL},
};

const struct jv_field risks_update_spec[] = {
    {.name = "title",
     .type = JV_STRING,
     .required = false,
     .max_len = RISK_TITLE_MAX,
     .nonblank = true},
    {.name = "description", .type = JV_STRING, .max_len = RISK_TEXT_MAX},
    {.name = "owner",
     .type = JV_STRING,
     .required = false,
     .max_len = RISK_NAME_MAX,
     .nonblank = true},
    {.name = "asset", .type = JV_STRING, .max_len = RISK_NAME_MAX},
    {.name = "impact",
     .type = JV_INT,
     .required = false,
     .min = 1,
     .max = RISK_MAX_LEVELS},
    {.name = "likelihood",
     .type = JV_INT,
     .required = false,
     .min = 1,
     .max = RISK_MAX_LEVELS},
    {.name = "treatment",
     .type = JV_STRING,
     .required = false,
     .max_len = 8,
     .enum_values = treatments},
    /* guideline catalogue item ids (service/guideline.h) */
    {.name = "measures",
     .type = JV_STRING_ARRAY,
     .max_len = RISK_MEASURES_MAX,
     .item_len = RISK_MEASURE_ID_MAX},
    {.name = "plan", .type = JV_STRING, .max_len = RISK_TEXT_MAX},
    {.name = "review_at", .type = JV_TIME, .required = false},
    {.name = "shared", .type = JV_BOOL},
    {.name = "state", .type = JV_STRING, .max_len = 6, .enum_values = states},
    /* the version being changed (optimistic concurrency) */
    {.name = "version",
     .type = JV_INT,
     .required = true,
     .min = 1,
     .max = 1000000000},
    {.name = NULL},
};

static const struct jv_field label_spec[] = {
    {.name = "level", .type = JV_INT, .min = 1, .max = RISK_MAX_LEVELS},
    {.name = "ja",
     .type = JV_STRING,
     .required = true,
     .max_len = RISK_LABEL_MAX},
    {.name = "en",
     .type = JV_STRING,
     .required = true,
     .max_len = RISK_LABEL_MAX},
};

const struct jv_field risks_scale_spec[] = {
    {.name = "impact",
     .type = JV_OBJECT_ARRAY,
     .required = true,
     .max_len = RISK_MAX_LEVELS,
     .sub = label_spec,
     .nsub = IS_ARRAY_LEN(label_spec)},
    {.name = "likelihood",
     .type = JV_OBJECT_ARRAY,
     .required = true,
     .max_len = RISK_MAX_LEVELS,
     .sub = label_spec,
     .nsub = IS_ARRAY_LEN(label_spec)},
    {.name = "threshold",
     .type = JV_INT,
     .required = true,
     .min = 1,
     .max = RISK_MAX_SCORE},
    /* the version being replaced (0: the default scale) */
    {.name = "version",
     .type = JV_INT,
     .required = true,
     .min = 0,
     .max = 1000000000},
    {.name = NULL},
};

/* ---- who ---- */

enum reader { READER_NONE, READER_OWN, READER_SECRETARIAT };

/* Operators keep a register; a CEPTOAR's secretariat reads what its
 * members share; no one else reads any. */
static enum reader reader_of(const struct auth_ctx *who)
{
    if (strcmp(who->org.kind, "operator") == 0)
        return READER_OWN;
    if (strcmp(who->org.kind, "ceptoar") == 0)
        return READER_SECRETARIAT;
    return READER_NONE;
}

static void store_reader(const struct auth_ctx *who,
                         struct store_risk_reader *v)
{
    enum reader k = reader_of(who);
    v->org = k == READER_OWN ? who->org.id : NULL;
    v->secretariat = k == READER_SECRETARIAT ? who->org.id : NULL;
}

static bool may_write(const struct auth_ctx *who)
{
    return reader_of(who) == READER_OWN &&
           (who->roles &
            (ROLE_REPORTER | ROLE_LIAISON | ROLE_ANALYST | ROLE_ORG_ADMIN));
}

static bool may_scale(const struct auth_ctx *who)
{
    return reader_of(who) == READER_OWN &&
           (who->roles & (ROLE_ANALYST | ROLE_ORG_ADMIN));
}

static int not_found(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such risk");
}

/* May who read r? Its own operator, or the secretariat of one of its
 * CEPTOARs when shared. */
static int may_read(struct store_conn *c, const struct auth_ctx *who,
                    const struct store_risk *r, bool *yes)
{
    *yes = false;
    switch (reader_of(who)) {
    case READER_OWN: *yes = strcmp(r->org_id, who->org.id) == 0; break;
    case READER_SECRETARIAT:
        if (r->shared)
            return store_risk_member(c, r->org_id, who->org.id, yes);
        break;
    case READER_NONE: break;
    }
    return IS_OK;
}

/* A risk id of the path (a positive integer), or 0. */
static int64_t parse_id(const char *s)
{
    long v;
    if (!s || strlen(s) > 18 || util_parse_long(s, 1, LONG_MAX, &v))
        return 0;
    return (int64_t)v;
}

/* Loads risk id as who may read it: 404 when it is none or unreadable. */
static int load(struct store_conn *c, const struct auth_ctx *who,
                const char *id, struct store_risk *r, struct svc_error *e)
{
    int64_t n = parse_id(id);
    if (!n)
        return not_found(e);
    int rc = store_risk_get(c, n, r);
    if (rc == IS_ERR_NOTFOUND)
        return not_found(e);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the risk cannot be read");
    bool yes;
    rc = may_read(c, who, r, &yes);
    if (rc || !yes) {
        store_risk_release(r);
        return rc ? svc_fail(e, rc, "internal", NULL, "not read")
                  : not_found(e);
    }
    return IS_OK;
}

/* ---- the scale ---- */

static const char *const default_impact[RISK_MAX_LEVELS][2] = {
    {"軽微", "Negligible"},
    {"小", "Minor"},
    {"中", "Moderate"},
    {"大", "Major"},
    {"甚大", "Severe"}};
static const char *const default_likelihood[RISK_MAX_LEVELS][2] = {
    {"まれ", "Rare"},
    {"起こりにくい", "Unlikely"},
    {"起こりうる", "Possible"},
    {"起こりやすい", "Likely"},
    {"ほぼ確実", "Almost certain"}};

struct scale {
    json_t *impact, *likelihood; /* [{level, ja, en}] (owned) */
    int nimpact, nlikelihood, threshold;
    int64_t version, updated_by, updated_at;
    bool dflt;
};

static void scale_release(struct scale *s)
{
    json_decref(s->impact);
    json_decref(s->likelihood);
    s->impact = s->likelihood = NULL;
}

static json_t *default_labels(const char *const t[RISK_MAX_LEVELS][2])
{
    json_t *a = json_array();
    for (int i = 0; i < RISK_MAX_LEVELS; i++)
        json_array_append_new(a, json_pack("{s:i,s:s,s:s}", "level", i + 1,
                                           "ja", t[i][0], "en", t[i][1]));
    return a;
}

/* Labels as stored or given ([{ja, en}]) with their levels. */
static json_t *labels(const json_t *in)
{
    json_t *a = json_array();
    size_t i;
    json_t *it;
    json_array_foreach (in, i, it)
        json_array_append_new(
            a, json_pack("{s:i,s:s,s:s}", "level", (int)i + 1, "ja",
                         json_string_value(json_object_get(it, "ja")), "en",
                         json_string_value(json_object_get(it, "en"))));
    return a;
}

static bool labels_ok(const json_t *a)
{
    size_t n = json_array_size(a);
    if (!json_is_array(a) || n < RISK_MIN_LEVELS || n > RISK_MAX_LEVELS)
        return false;
    size_t i;
    json_t *it;
    json_array_foreach (a, i, it)
        if (!json_is_string(json_object_get(it, "ja")) ||
            !json_is_string(json_object_get(it, "en")))
            return false;
    return true;
}

/* org's scale: stored, or the default. */
static int scale_load(struct store_conn *c, const char *org, struct scale *s,
                      struct svc_error *e)
{
    memset(s, 0, sizeof(*s));
    struct store_risk_scale row;
    int rc = store_risk_scale_get(c, org, &row);
    if (rc == IS_ERR_NOTFOUND) {
        s->impact = default_labels(default_impact);
        s->likelihood = default_labels(default_likelihood);
        s->nimpact = s->nlikelihood = RISK_MAX_LEVELS;
        s->threshold = RISK_DEFAULT_THRESHOLD;
        s->dflt = true;
        return IS_OK;
    }
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the scale cannot be read");
    json_t *im = json_loads(row.impact, 0, NULL);
    json_t *li = json_loads(row.likelihood, 0, NULL);
    store_risk_scale_release(&row);
    if (!labels_ok(im) || !labels_ok(li)) {
        json_decref(im);
        json_decref(li);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the stored scale cannot be read");
    }
    s->impact = labels(im);
    s->likelihood = labels(li);
    s->nimpact = (int)json_array_size(im);
    s->nlikelihood = (int)json_array_size(li);
    json_decref(im);
    json_decref(li);
    s->threshold = row.threshold;
    s->version = row.version;
    s->updated_by = row.updated_by;
    s->updated_at = row.updated_at;
    return IS_OK;
}

static json_t *scale_json(const struct scale *s)
{
    return json_pack("{s:O,s:O,s:i,s:I,s:b,s:o}", "impact", s->impact,
                     "likelihood", s->likelihood, "threshold", s->threshold,
                     "version", (json_int_t)s->version, "default", s->dflt,
                     "updated_at", svc_time_json(s->updated_at));
}

/* ---- a risk as JSON ---- */

/* The fields a version records (the snapshot of risk_history). */
static json_t *fields_json(const struct store_risk *r)
{
    json_t *m = json_loads(r->measures ? r->measures : "[]", 0, NULL);
    if (!json_is_array(m)) {
        json_decref(m);
        m = json_array();
    }
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:i,s:i,s:s,s:o,s:s,s:o,s:s,s:b}", "title", r->title,
        "description", r->description, "owner", r->owner, "asset", r->asset,
        "impact", r->impact, "likelihood", r->likelihood, "treatment",
        r->treatment, "measures", m, "plan", r->plan, "review_at",
        svc_time_json(r->review_at), "state", r->state, "shared", r->shared);
}

static json_t *user_json(int64_t id, const char *name)
{
    if (!id)
        return json_null();
    return json_pack("{s:I,s:s}", "id", (json_int_t)id, "username",
                     name ? name : "");
}

static json_t *risk_json(const struct auth_ctx *who, const struct store_risk *r,
                         int threshold, int64_t now)
{
    json_t *o = fields_json(r);
    int score = r->impact * r->likelihood;
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "org",
                        json_pack("{s:s,s:{s:s,s:s}}", "id", r->org_id, "name",
                                  "ja", r->org_name_ja ? r->org_name_ja : "",
                                  "en", r->org_name_en ? r->org_name_en : ""));
    json_object_set_new(o, "score", json_integer(score));
    json_object_set_new(o, "threshold", json_integer(threshold));
    json_object_set_new(o, "above_appetite", json_boolean(score >= threshold));
    json_object_set_new(
        o, "review_due",
        json_boolean(strcmp(r->state, "open") == 0 && r->review_at <= now));
    /* the version is the operator's (its PUTs name it); a secretariat's
     * view has none: it counts the versions made while the risk was not
     * shared too (its history numbers the shared ones 1, 2, ...) */
    bool own = reader_of(who) == READER_OWN;
    if (own)
        json_object_set_new(o, "version", json_integer(r->version));
    json_object_set_new(o, "created_at", svc_time_json(r->created_at));
    json_object_set_new(o, "updated_at", svc_time_json(r->updated_at));
    /* the operator's own users are named to it only */
    json_object_set_new(o, "created_by",
                        own ? user_json(r->created_by, r->created_name)
                            : json_null());
    json_object_set_new(o, "updated_by",
                        own ? user_json(r->updated_by, r->updated_name)
                            : json_null());
    json_object_set_new(o, "read_only", json_boolean(!may_write(who) || !own));
    return o;
}

/* ---- lists ---- */

static bool one_of(const char *s, const char *const *set)
{
    for (size_t i = 0; s && set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

static int bad_query(struct svc_error *e, const char *field, const char *why)
{
    return svc_fail(e, IS_ERR_INVALID, "invalid_value", field, "%s: %s", field,
                    why);
}

static int forbidden_reader(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                    "risk registers are kept by operators; a CEPTOAR "
                    "secretariat reads what its members share");
}

int risks_list(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const struct risk_query *q, int64_t now, json_t **out,
               struct svc_error *e)
{
    IS_UNUSED(a);
    if (reader_of(who) == READER_NONE)
        return forbidden_reader(e);
    struct store_risk_filter f = {.above = -1, .limit = q->limit};
    if (q->state && !one_of(q->state, states))
        return bad_query(e, "state", "open or closed");
    f.state = q->state;
    if (q->treatment && !one_of(q->treatment, treatments))
        return bad_query(e, "treatment", "reduce, avoid, transfer or accept");
    f.treatment = q->treatment;
    if (q->above) {
        if (strcmp(q->above, "true") && strcmp(q->above, "false"))
            return bad_query(e, "above", "true or false");
        f.above = strcmp(q->above, "true") == 0;
    }
    if (q->review_before && util_time_parse(q->review_before, &f.review_before))
        return bad_query(e, "review_before", "an RFC 3339 time");
    if (q->review_before && f.review_before == 0)
        f.review_before = 1; /* 1970-01-01T00:00:00Z: before it, none */
    int rc;
    if (q->cursor) {
        /* the id of the last risk of the previous page, which who may
         * read: any other is the same 400 (docs/rules.md "List cursors") */
        struct store_risk r;
        struct svc_error ignored = {0};
        if (load(c, who, q->cursor, &r, &ignored))
            return bad_query(e, "cursor", "not a cursor this hub returned");
        f.after = r.id;
        store_risk_release(&r);
    }
    int limit = q->limit > 0 && q->limit <= RISK_LIST_MAX ? q->limit : 50;
    f.limit = limit + 1;
    struct store_risk_reader v;
    store_reader(who, &v);
    struct store_risk *rows;
    size_t n;
    rc = store_risks_list(c, &v, &f, &rows, &n);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the list cannot be read");
    json_t *items = json_array();
    size_t shown = n > (size_t)limit ? (size_t)limit : n;
    for (size_t i = 0; i < shown; i++)
        json_array_append_new(items,
                              risk_json(who, &rows[i], rows[i].threshold, now));
    char next[24] = "";
    if (n > shown)
        snprintf(next, sizeof(next), "%lld", (long long)rows[shown - 1].id);
    store_risks_free(rows, n);
    *out = json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     *next ? json_string(next) : json_null());
    return IS_OK;
}

/* ---- checks of a body ---- */

/* The measures: catalogue items of the current edition, each once. */
static int check_measures(const json_t *m, struct svc_error *e)
{
    size_t i;
    json_t *it;
    json_array_foreach (m, i, it) {
        char field[32];
        snprintf(field, sizeof(field), "measures[%zu]", i);
        const char *id = json_string_value(it);
        if (!guideline_item_known(id))
            return svc_fail(e, IS_ERR_INVALID, "unknown_item", field,
                            "%s: not an item of the guideline's catalogue "
                            "(GET /api/v1/guideline)",
                            field);
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_array_get(m, k)), id) == 0)
                return svc_fail(e, IS_ERR_INVALID, "duplicate_item", field,
                                "%s: the same item twice", field);
    }
    return IS_OK;
}

/* Checks what of the body is not the scale's (text, measures, review
 * date). old_review: the stored review date (an unchanged one may have
 * passed). */
static int check_body(const json_t *body, int64_t now, int64_t old_review,
                      struct svc_error *e)
{
    static const char *const needed[] = {"title", "owner"};
    for (size_t i = 0; i < IS_ARRAY_LEN(needed); i++) {
        const char *s = jv_str(body, needed[i]);
        if (s && util_blank(s))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", needed[i],
                            "%s: must not be empty", needed[i]);
    }
    /* the asset is listed with the title (the field table checks the
     * title's and owner's bidirectional controls: .nonblank) */
    const char *asset = jv_str(body, "asset");
    if (asset && util_has_bidi_control(asset))
        return svc_fail(e, IS_ERR_INVALID, "invalid_text", "asset",
                        "asset: contains a bidirectional control character "
                        "(U+200E/F, U+202A-E, U+2066-9), which would show "
                        "the text reordered");
    const json_t *m = json_object_get(body, "measures");
    if (m && !json_is_null(m)) { /* null: as if absent */
        int rc = check_measures(m, e);
        if (rc)
            return rc;
    }
    const char *t = jv_str(body, "review_at");
    if (t) {
        int64_t at;
        if (util_time_parse(t, &at))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "review_at",
                            "review_at: an RFC 3339 time");
        if (at != old_review && at <= now)
            return svc_fail(e, IS_ERR_INVALID, "in_the_past", "review_at",
                            "review_at: the next review must be in the "
                            "future");
    }
    return IS_OK;
}

static int check_levels(const json_t *body, const struct scale *s,
                        struct svc_error *e)
{
    const json_t *im = json_object_get(body, "impact");
    const json_t *li = json_object_get(body, "likelihood");
    if (im && json_integer_value(im) > s->nimpact)
        return svc_fail(e, IS_ERR_INVALID, "out_of_range", "impact",
                        "impact: a level of your scale, 1 to %d", s->nimpact);
    if (li && json_integer_value(li) > s->nlikelihood)
        return svc_fail(e, IS_ERR_INVALID, "out_of_range", "likelihood",
                        "likelihood: a level of your scale, 1 to %d",
                        s->nlikelihood);
    return IS_OK;
}

/* Sets the fields body has on r; its strings point into body and into
 * *measures (malloc'd, the caller frees it). */
static int apply(struct store_risk *r, const json_t *body, char **measures)
{
    static const struct {
        const char *name;
        size_t off;
    } texts[] = {
        {"title", offsetof(struct store_risk, title)},
        {"description", offsetof(struct store_risk, description)},
        {"owner", offsetof(struct store_risk, owner)},
        {"asset", offsetof(struct store_risk, asset)},
        {"treatment", offsetof(struct store_risk, treatment)},
        {"plan", offsetof(struct store_risk, plan)},
        {"state", offsetof(struct store_risk, state)},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(texts); i++) {
        const char *s = jv_str(body, texts[i].name);
        if (s)
            *(const char **)((char *)r + texts[i].off) = s;
    }
    if (json_object_get(body, "impact"))
        r->impact = (int)jv_int(body, "impact", r->impact);
    if (json_object_get(body, "likelihood"))
        r->likelihood = (int)jv_int(body, "likelihood", r->likelihood);
    if (json_object_get(body, "shared"))
        r->shared = jv_bool(body, "shared", r->shared);
    const char *t = jv_str(body, "review_at");
    if (t && util_time_parse(t, &r->review_at))
        return IS_ERR_INVALID;
    *measures = NULL;
    const json_t *m = json_object_get(body, "measures");
    if (m && !json_is_null(m)) {
        *measures = json_dumps(m, JSON_COMPACT);
        if (!*measures)
            return IS_ERR_NOMEM;
        r->measures = *measures;
    }
    return IS_OK;
}

/* Writes version v of r to its history (the snapshot of the row). */
static int history_add(struct store_conn *c, const struct store_risk *r,
                       int64_t v, int64_t by, int64_t now)
{
    json_t *snap = fields_json(r);
    char *t = snap ? json_dumps(snap, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(snap);
    int rc = t ? store_risk_history_add(c, r->id, v, t, by, now) : IS_ERR_NOMEM;
    free(t);
    return rc;
}

/* The answer: r as stored now, read inside the caller's transaction. */
static int answer(struct store_conn *c, const struct auth_ctx *who, int64_t id,
                  int64_t now, json_t **out, struct svc_error *e)
{
    struct store_risk r;
    int rc = store_risk_get(c, id, &r);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the risk cannot be read");
    *out = risk_json(who, &r, r.threshold, now);
    store_risk_release(&r);
    return IS_OK;
}

static int end(struct store_conn *c, int rc, struct svc_error *e)
{
    if (!rc && (rc = store_commit(c)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    if (rc)
        store_rollback(c);
    return rc;
}

int risk_create(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const json_t *body, int64_t now, json_t **out,
                struct svc_error *e)
{
    IS_UNUSED(a);
    *out = NULL;
    if (!may_write(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "risks are entered by an operator's reporters, "
                        "liaisons, analysts and organisation administrators");
    int rc = check_body(body, now, 0, e);
    if (rc)
        return rc;
    struct store_risk r = {.org_id = (char *)who->org.id,
                           .description = "",
                           .asset = "",
                           .measures = "[]",
                           .plan = "",
                           .state = "open",
                           .created_by = who->user_id,
                           .created_at = now};
    char *measures = NULL;
    if ((rc = apply(&r, body, &measures)))
        return svc_fail(e, rc, "internal", NULL, "out of memory");
    if ((rc = store_begin(c))) {
        free(measures);
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    }
    struct scale s;
    int64_t count = 0;
    rc = scale_load(c, who->org.id, &s, e);
    if (!rc) {
        rc = check_levels(body, &s, e);
        scale_release(&s);
    }
    if (!rc && (rc = store_risk_count(c, who->org.id, &count)))
        svc_fail(e, rc, "internal", NULL, "not counted");
    if (!rc && count >= RISK_MAX_PER_ORG)
        rc = svc_fail(e, IS_ERR_CONFLICT, "too_many", NULL,
                      "an organisation keeps at most %d risks",
                      RISK_MAX_PER_ORG);
    if (!rc && (rc = store_risk_insert(c, &r, &r.id)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    if (!rc && (rc = history_add(c, &r, 1, who->user_id, now)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    char target[24];
    snprintf(target, sizeof(target), "%lld", (long long)r.id);
    if (!rc && (rc = audit_record(c, who, now, "risk.create", target,
                                  json_pack("{s:i}", "version", 1))))
        svc_fail(e, rc, "internal", NULL, "not audited");
    free(measures);
    if (!rc)
        rc = answer(c, who, r.id, now, out, e);
    rc = end(c, rc, e);
    if (rc && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int risk_get(struct app *a, struct store_conn *c, const struct auth_ctx *who,
             const char *id, int64_t now, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_risk r;
    int rc = load(c, who, id, &r, e);
    if (rc)
        return rc;
    *out = risk_json(who, &r, r.threshold, now);
    store_risk_release(&r);
    return IS_OK;
}

/* The names of the fields that differ between two snapshots, in a fixed
 * order. */
static json_t *changed(const json_t *before, const json_t *after)
{
    static const char *const keys[] = {"title",     "description", "owner",
                                       "asset",     "impact",      "likelihood",
                                       "treatment", "measures",    "plan",
                                       "review_at", "state",       "shared"};
    json_t *a = json_array();
    for (size_t i = 0; i < IS_ARRAY_LEN(keys); i++)
        if (!before || !json_equal(json_object_get(before, keys[i]),
                                   json_object_get(after, keys[i])))
            json_array_append_new(a, json_string(keys[i]));
    return a;
}

int risk_update(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const char *id, const json_t *body, int64_t now, json_t **out,
                struct svc_error *e)
{
    IS_UNUSED(a);
    *out = NULL;
    int rc = store_begin(c);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    struct store_risk r;
    if ((rc = load(c, who, id, &r, e))) {
        store_rollback(c);
        return rc;
    }
    int64_t expect = jv_int(body, "version", 0);
    json_t *before = fields_json(&r), *after = NULL, *diff = NULL;
    char *measures = NULL;
    if (!may_write(who) || strcmp(r.org_id, who->org.id) != 0)
        rc = svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                      "risks are changed by their operator's reporters, "
                      "liaisons, analysts and organisation administrators");
    else if (expect != r.version)
        rc = svc_fail(e, IS_ERR_CONFLICT, "version_conflict", "version",
                      "version: the risk is at version %lld, not %lld "
                      "(reload it, then edit)",
                      (long long)r.version, (long long)expect);
    else
        rc = check_body(body, now, r.review_at, e);
    struct scale s;
    if (!rc && !(rc = scale_load(c, r.org_id, &s, e))) {
        rc = check_levels(body, &s, e);
        scale_release(&s);
    }
    if (!rc && (rc = apply(&r, body, &measures)))
        svc_fail(e, rc, "internal", NULL, "out of memory");
    if (!rc) {
        after = fields_json(&r);
        diff = changed(before, after);
    }
    /* a change of nothing makes no version */
    if (!rc && json_array_size(diff) > 0) {
        if ((rc = store_risk_update(c, &r, expect, who->user_id, now)))
            svc_fail(e, rc == IS_ERR_NOTFOUND ? IS_ERR_CONFLICT : rc,
                     rc == IS_ERR_NOTFOUND ? "version_conflict" : "internal",
                     "version", "the risk changed meanwhile");
        if (rc == IS_ERR_NOTFOUND)
            rc = IS_ERR_CONFLICT;
        if (!rc && (rc = history_add(c, &r, expect + 1, who->user_id, now)))
            svc_fail(e, rc, "internal", NULL, "not stored");
        char target[24];
        snprintf(target, sizeof(target), "%lld", (long long)r.id);
        if (!rc && (rc = audit_record(c, who, now, "risk.update", target,
                                      json_pack("{s:I,s:O}", "version",
                                                (json_int_t)(expect + 1),
                                                "changed", diff))))
            svc_fail(e, rc, "internal", NULL, "not audited");
    }
    int64_t rid = r.id;
    store_risk_release(&r);
    free(measures);
    json_decref(before);
    json_decref(after);
    json_decref(diff);
    if (!rc)
        rc = answer(c, who, rid, now, out, e);
    rc = end(c, rc, e);
    if (rc && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* The walk of a risk's history for one page (risk_history): the
 * versions the reader may read, each numbered as the reader sees it. */
struct hist_walk {
    bool own;
    int64_t after; /* the cursor: the last number of the page before */
    int limit;
    int64_t seen; /* a secretariat's number of the last shared version */
    int64_t last; /* the number of the last version shown */
    bool more;    /* a version the reader may read follows the page */
    json_t *items, *prev;
};

/* Takes version v into the page of w (or as the one before the page).
 * Returns false when the page is full and v is readable: w->more. */
static bool hist_take(struct hist_walk *w, const struct store_risk_version *v)
{
    json_t *snap = json_loads(v->snapshot, 0, NULL);
    if (!snap)
        return true;
    /* a secretariat reads the versions that were shared, numbered 1, 2,
     * ... among them: the operator's own numbers would count the ones
     * made while the risk was not shared */
    if (!w->own && !json_is_true(json_object_get(snap, "shared"))) {
        json_decref(snap);
        return true;
    }
    int64_t num = w->own ? v->version : ++w->seen;
    if (num <= w->after) { /* before the page: what the first changed */
        json_decref(w->prev);
        w->prev = snap;
        return true;
    }
    if ((int)json_array_size(w->items) == w->limit) {
        w->more = true;
        json_decref(snap);
        return false;
    }
    json_array_append_new(
        w->items,
        json_pack("{s:I,s:o,s:o,s:o,s:O}", "version", (json_int_t)num, "at",
                  svc_time_json(v->at), "by",
                  w->own ? user_json(v->by, v->username) : json_null(),
                  "changed", changed(w->prev, snap), "risk", snap));
    w->last = num;
    json_decref(w->prev);
    w->prev = snap;
    return true;
}

int risk_history(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id,
                 const struct risk_query *q, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    int limit = q->limit > 0 && q->limit <= RISK_HISTORY_MAX ? q->limit : 100;
    int64_t after = 0;
    if (q->cursor) {
        long v;
        if (strlen(q->cursor) > 10 ||
            util_parse_long(q->cursor, 1, 1000000000L, &v))
            return bad_query(e, "cursor", "not a cursor this hub returned");
        after = v;
    }
    int rc = store_read_begin(c);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "not read");
    struct store_risk r;
    if ((rc = load(c, who, id, &r, e))) {
        store_read_end(c);
        return rc;
    }
    struct hist_walk w = {.own = reader_of(who) == READER_OWN,
                          .after = after,
                          .limit = limit,
                          .items = json_array()};
    /* the version at the cursor too: what the first one changed. A
     * secretariat's "changed" is against the last version that was
     * shared before it, never against one it may not read (what changed
     * while the risk was not shared stays the operator's), and its
     * numbers count the shared versions: its history is read from the
     * start, in chunks, within the one read transaction */
    int64_t from = w.own ? (after > 0 ? after - 1 : 0) : 0;
    int chunk = w.own ? (int)(after - from) + limit + 1 : 500;
    for (bool go = true; go && !rc;) {
        struct store_risk_version *v = NULL;
        size_t n = 0;
        rc = store_risk_history(c, r.id, from, chunk, &v, &n);
        for (size_t i = 0; !rc && go && i < n; i++) {
            go = hist_take(&w, &v[i]);
            from = v[i].version;
        }
        /* the operator's page is one read; a secretariat's goes on until
         * the page and one more shared version, or the end */
        go = go && !rc && !w.own && n == (size_t)chunk;
        store_risk_versions_free(v, n);
    }
    store_risk_release(&r);
    store_read_end(c);
    json_decref(w.prev);
    if (rc) {
        json_decref(w.items);
        return svc_fail(e, rc, "internal", NULL, "the history cannot be read");
    }
    char next[24] = "";
    if (w.more)
        snprintf(next, sizeof(next), "%lld", (long long)w.last);
    *out = json_pack("{s:o,s:o}", "items", w.items, "next_cursor",
                     *next ? json_string(next) : json_null());
    return IS_OK;
}

/* ---- the heat map ---- */

int risks_heatmap(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    enum reader k = reader_of(who);
    if (k == READER_NONE)
        return forbidden_reader(e);
    struct scale s = {0};
    int rc = store_read_begin(c);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "not read");
    if (k == READER_OWN && (rc = scale_load(c, who->org.id, &s, e))) {
        store_read_end(c);
        return rc;
    }
    struct store_risk_reader v;
    store_reader(who, &v);
    struct store_risk_cell *cells;
    size_t n;
    rc = store_risk_heat(c, &v, &cells, &n);
    store_read_end(c);
    if (rc) {
        scale_release(&s);
        return svc_fail(e, rc, "internal", NULL, "not read");
    }
    int ni = k == READER_OWN ? s.nimpact : RISK_MAX_LEVELS;
    int nl = k == READER_OWN ? s.nlikelihood : RISK_MAX_LEVELS;
    int64_t grid[RISK_MAX_LEVELS][RISK_MAX_LEVELS][2] = {{{0}}};
    int64_t total = 0, above = 0;
    for (size_t i = 0; i < n; i++) {
        int im = cells[i].impact, li = cells[i].likelihood;
        total += cells[i].count;
        above += cells[i].above;
        if (im >= 1 && im <= RISK_MAX_LEVELS && li >= 1 &&
            li <= RISK_MAX_LEVELS) {
            grid[im - 1][li - 1][0] += cells[i].count;
            grid[im - 1][li - 1][1] += cells[i].above;
        }
    }
    free(cells);
    json_t *arr = json_array();
    for (int im = 1; im <= ni; im++)
        for (int li = 1; li <= nl; li++) {
            json_t *cell =
                json_pack("{s:i,s:i,s:I,s:I}", "impact", im, "likelihood", li,
                          "count", (json_int_t)grid[im - 1][li - 1][0], "above",
                          (json_int_t)grid[im - 1][li - 1][1]);
            if (k == READER_OWN)
                json_object_set_new(cell, "above_appetite",
                                    json_boolean(im * li >= s.threshold));
            json_array_append_new(arr, cell);
        }
    *out = json_pack("{s:s,s:o,s:i,s:i,s:o,s:I,s:I}", "basis",
                     k == READER_OWN ? "own_scale" : "members_scales", "scale",
                     k == READER_OWN ? scale_json(&s) : json_null(),
                     "impact_levels", ni, "likelihood_levels", nl, "cells", arr,
                     "total", (json_int_t)total, "above_appetite",
                     (json_int_t)above);
    scale_release(&s);
    return IS_OK;
}

/* ---- the scale ---- */

int risks_scale_get(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, json_t **out,
                    struct svc_error *e)
{
    IS_UNUSED(a);
    if (reader_of(who) != READER_OWN)
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "a scale belongs to an operator's risk register");
    struct scale s;
    int rc = scale_load(c, who->org.id, &s, e);
    if (rc)
        return rc;
    *out = scale_json(&s);
    scale_release(&s);
    return IS_OK;
}

/* The labels of a PUT: 3 to 5 levels, each with both languages, levels
 * (when given) in order. */
static int check_labels(const json_t *a, const char *name, struct svc_error *e)
{
    if (json_array_size(a) < RISK_MIN_LEVELS)
        return svc_fail(e, IS_ERR_INVALID, "out_of_range", name,
                        "%s: %d to %d levels", name, RISK_MIN_LEVELS,
                        RISK_MAX_LEVELS);
    size_t i;
    json_t *it;
    json_array_foreach (a, i, it) {
        char field[48];
        const json_t *lv = json_object_get(it, "level");
        if (lv && json_integer_value(lv) != (json_int_t)i + 1) {
            snprintf(field, sizeof(field), "%s[%zu].level", name, i);
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                            "%s: levels are numbered 1, 2, ... in order",
                            field);
        }
        static const char *const langs[] = {"ja", "en"};
        for (int k = 0; k < 2; k++) {
            const char *l = jv_str(it, langs[k]);
            snprintf(field, sizeof(field), "%s[%zu].%s", name, i, langs[k]);
            if (util_blank(l))
                return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                                "%s: must not be empty", field);
            /* shown in every risk's level and the heat map */
            if (util_has_bidi_control(l))
                return svc_fail(e, IS_ERR_INVALID, "invalid_text", field,
                                "%s: contains a bidirectional control "
                                "character (U+200E/F, U+202A-E, U+2066-9), "
                                "which would show the text reordered",
                                field);
        }
    }
    return IS_OK;
}

/* [{ja, en}] as stored. */
static char *labels_text(const json_t *a)
{
    json_t *o = json_array();
    size_t i;
    json_t *it;
    json_array_foreach (a, i, it)
        json_array_append_new(o, json_pack("{s:s,s:s}", "ja", jv_str(it, "ja"),
                                           "en", jv_str(it, "en")));
    char *t = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return t;
}

int risks_scale_put(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const json_t *body, int64_t now,
                    json_t **out, struct svc_error *e)
{
    if (!may_scale(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "an operator's scale is set by its analysts and "
                        "organisation administrators");
    const json_t *im = json_object_get(body, "impact");
    const json_t *li = json_object_get(body, "likelihood");
    int rc = check_labels(im, "impact", e);
    if (!rc)
        rc = check_labels(li, "likelihood", e);
    if (rc)
        return rc;
    int ni = (int)json_array_size(im), nl = (int)json_array_size(li);
    int threshold = (int)jv_int(body, "threshold", 0);
    if (threshold < 1 || threshold > ni * nl)
        return svc_fail(e, IS_ERR_INVALID, "out_of_range", "threshold",
                        "threshold: an impact x likelihood score, 1 to %d",
                        ni * nl);
    int64_t expect = jv_int(body, "version", 0);
    if ((rc = store_begin(c)))
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    struct scale s;
    if ((rc = scale_load(c, who->org.id, &s, e))) {
        store_rollback(c);
        return rc;
    }
    int64_t have = s.version;
    scale_release(&s);
    int ui = 0, ul = 0;
    if (have != expect)
        rc = svc_fail(e, IS_ERR_CONFLICT, "version_conflict", "version",
                      "version: the scale is at version %lld, not %lld "
                      "(reload it, then edit)",
                      (long long)have, (long long)expect);
    else if ((rc = store_risk_levels_used(c, who->org.id, &ui, &ul)))
        svc_fail(e, rc, "internal", NULL, "not read");
    else if (ui > ni)
        rc = svc_fail(e, IS_ERR_CONFLICT, "level_in_use", "impact",
                      "impact: a risk of the register is at level %d; "
                      "change it before the scale",
                      ui);
    else if (ul > nl)
        rc = svc_fail(e, IS_ERR_CONFLICT, "level_in_use", "likelihood",
                      "likelihood: a risk of the register is at level %d; "
                      "change it before the scale",
                      ul);
    struct store_risk_scale row = {.threshold = threshold,
                                   .version = expect + 1,
                                   .updated_by = who->user_id,
                                   .updated_at = now};
    if (!rc) {
        row.impact = labels_text(im);
        row.likelihood = labels_text(li);
        rc = row.impact && row.likelihood
                 ? store_risk_scale_put(c, who->org.id, &row)
                 : IS_ERR_NOMEM;
        if (rc)
            svc_fail(e, rc == IS_ERR_NOTFOUND ? IS_ERR_CONFLICT : rc,
                     rc == IS_ERR_NOTFOUND ? "version_conflict" : "internal",
                     "version", "the scale changed meanwhile");
        if (rc == IS_ERR_NOTFOUND)
            rc = IS_ERR_CONFLICT;
        store_risk_scale_release(&row);
    }
    if (!rc &&
        (rc = audit_record(c, who, now, "risk.scale", who->org.id,
                           json_pack("{s:I,s:i,s:i,s:i}", "version",
                                     (json_int_t)(expect + 1), "impact_levels",
                                     ni, "likelihood_levels", nl, "threshold",
                                     threshold))))
        svc_fail(e, rc, "internal", NULL, "not audited");
    if ((rc = end(c, rc, e)))
        return rc;
    return risks_scale_get(a, c, who, out, e);
}

/* ---- review reminders ---- */

/* t as the date and time in Japan ("2026-05-01 09:00 JST"). */
static void jst(int64_t t, char *out, size_t len)
{
    time_t x = (time_t)(t + 9 * 3600);
    struct tm tm;
    if (!gmtime_r(&x, &tm)) {
        util_xcopy(out, len, "?");
        return;
    }
    snprintf(out, len, "%04d-%02d-%02d %02d:%02d JST", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* At most max code points of s, on one line, into out ("…" when cut). */
static void one_line(const char *s, size_t max, char *out, size_t len)
{
    size_t o = 0, cps = 0;
    for (const char *p = s; *p && o + 8 < len; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch & 0xC0) != 0x80 && cps++ == max) {
            memcpy(out + o, "\xe2\x80\xa6", 3); /* … */
            o += 3;
            break;
        }
        out[o++] = ch < 0x20 ? ' ' : (char)ch;
    }
    out[o] = '\0';
}

static int remind_one(struct app *a, struct store_conn *c,
                      const struct store_risk_due *d, int64_t now, int *queued)
{
    char when[40], utc[UTIL_TIME_LEN], ref[24], subject[1024], link[320];
    jst(d->review_at, when, sizeof(when));
    util_time_rfc3339(d->review_at, utc);
    snprintf(ref, sizeof(ref), "%lld", (long long)d->id);
    char title[400];
    one_line(d->title, 60, title, sizeof(title));
    snprintf(subject, sizeof(subject),
             "【リスク見直し期日】%s / Risk review due: %s", title, title);
    snprintf(link, sizeof(link), "%s/#/risks/%lld", a->public_url,
             (long long)d->id);
    size_t tl = strlen(d->title);
    size_t blen = 2 * tl + 2 * strlen(link) + 1024;
    char *body = malloc(blen);
    if (!body)
        return IS_ERR_NOMEM;
    bool due = d->review_at <= now;
    snprintf(body, blen,
             "リスク登録簿のリスク「%s」の見直し期日%s %s です。\n"
             "見直しの上、リスク登録簿を更新してください。\n%s\n\n"
             "The risk \"%s\" of your organisation's risk register %s "
             "for review on %s (%s).\n"
             "Please review it and update the register.\n%s\n",
             d->title, due ? "（経過）は" : "は", when, link, d->title,
             due ? "was due" : "is due", when, utc, link);
    int64_t notice = 0;
    int n = 0;
    int rc = store_notice_queue(c, d->org_id, "risk", ref, subject, body, now,
                                &notice, &n);
    free(body);
    if (!rc)
        rc = store_risk_remind_add(c, d->id, d->review_at, now, notice);
    if (!rc)
        *queued += n;
    return rc;
}

int risks_tick(struct app *a, struct store_conn *c, int64_t now)
{
    int64_t from = now - RISK_REMIND_LATE, to = now + RISK_REMIND_BEFORE;
    struct store_risk_due *d = NULL;
    size_t n = 0;
    /* a look first, without the writer lock: most passes find none */
    if (store_risk_remind_due(c, from, to, 1, &d, &n) || n == 0) {
        store_risk_due_free(d, n);
        return 0;
    }
    store_risk_due_free(d, n);
    if (store_begin(c))
        return 0;
    int rc = store_risk_remind_due(c, from, to, RISK_TICK_MAX, &d, &n);
    int queued = 0;
    for (size_t i = 0; !rc && i < n; i++)
        rc = remind_one(a, c, &d[i], now, &queued);
    if (!rc)
        rc = store_commit(c);
    if (rc) {
        store_rollback(c);
        log_event(LOG_ERROR, "risk reminders not queued", "error",
                  json_string(is_strerror(rc)), NULL);
        store_risk_due_free(d, n);
        return 0;
    }
    int done = (int)n;
    store_risk_due_free(d, n);
    if (queued && a->wake_outbox)
        a->wake_outbox(a);
    return done;
}
