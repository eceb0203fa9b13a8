/*
 * surveys.c - survey campaigns, responses, attachments, reminders and
 * CP/BCP readiness (see service/surveys.h).
 */
#include "service/surveys.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "core/roles.h"
#include "service/audit.h"
#include "service/guideline.h"
#include "store/store_notice.h"
#include "store/store_survey.h"

static const char *const answer_values[] = {"adopted", "partly", "not", "na",
                                            NULL};

const struct jv_field survey_create_spec[] = {
    {.name = "fy", .type = JV_INT, .required = true, .min = 2000, .max = 2100},
    {.name = "deadline", .type = JV_TIME, .required = true},
    {.name = "title_ja", .type = JV_STRING, .max_len = 200},
    {.name = "title_en", .type = JV_STRING, .max_len = 200},
    /* sectors asked (none: every sector) */
    {.name = "sectors", .type = JV_STRING_ARRAY, .max_len = 32, .item_len = 63},
    {.name = "edition", .type = JV_STRING, .max_len = 15},
    {.name = NULL},
};

static const struct jv_field answer_spec[] = {
    {.name = "item", .type = JV_STRING, .required = true, .max_len = 47},
    {.name = "answer",
     .type = JV_STRING,
     .required = true,
     .max_len = 8,
     .enum_values = answer_values},
    {.name = "evidence", .type = JV_STRING, .max_len = SURVEY_EVIDENCE_MAX},
};

const struct jv_field survey_answers_spec[] = {
    /* the response's version being replaced (0: none yet) */
    {.name = "version",
     .type = JV_INT,
     .required = true,
     .min = 0,
     .max = 1000000000},
    {.name = "answers",
     .type = JV_OBJECT_ARRAY,
     .max_len = GUIDELINE_MAX_ITEMS,
     .sub = answer_spec,
     .nsub = IS_ARRAY_LEN(answer_spec)},
    /* items whose answer (and evidence) is taken back to "not answered" */
    {.name = "clear",
     .type = JV_STRING_ARRAY,
     .max_len = GUIDELINE_MAX_ITEMS,
     .item_len = 47},
    {.name = "submit", .type = JV_BOOL},
    {.name = "shared", .type = JV_BOOL},
    /* the operator answering: the caller's own (another's is refused) */
    {.name = "org", .type = JV_STRING, .max_len = 63},
    {.name = NULL},
};

const struct jv_field survey_attachment_spec[] = {
    {.name = "item", .type = JV_STRING, .required = true, .max_len = 47},
    {.name = "name", .type = JV_STRING, .required = true, .max_len = 200},
    {.name = "content_type", .type = JV_STRING, .max_len = 100},
    /* the file in base64 (RFC 4648 §4), at most SURVEY_ATTACHMENT_MAX
     * bytes decoded (checked decoded: 413 too_large; the string may be as
     * long as the body, so that a file over the limit is always a 413) */
    {.name = "content",
     .type = JV_STRING,
     .required = true,
     .max_len = SURVEY_ATTACHMENT_MAX_BODY},
    {.name = NULL},
};

const struct jv_field survey_remind_spec[] = {
    /* the operators to remind (none: every one not yet submitted that
     * the caller follows) */
    {.name = "orgs", .type = JV_STRING_ARRAY, .max_len = 6000, .item_len = 63},
    {.name = NULL},
};

const struct jv_field survey_close_spec[] = {
    {.name = "version",
     .type = JV_INT,
     .required = true,
     .min = 1,
     .max = 1000000000},
    {.name = NULL},
};

static const struct jv_field bcp_answer_spec[] = {
    {.name = "check", .type = JV_STRING, .required = true, .max_len = 47},
    {.name = "answer",
     .type = JV_STRING,
     .required = true,
     .max_len = 8,
     .enum_values = answer_values},
    {.name = "note", .type = JV_STRING, .max_len = 2000},
};

const struct jv_field survey_bcp_spec[] = {
    {.name = "version",
     .type = JV_INT,
     .required = true,
     .min = 0,
     .max = 1000000000},
    {.name = "answers",
     .type = JV_OBJECT_ARRAY,
     .required = true,
     .max_len = GUIDELINE_MAX_ITEMS,
     .sub = bcp_answer_spec,
     .nsub = IS_ARRAY_LEN(bcp_answer_spec)},
    {.name = NULL},
};

/* ---- who may do what ---- */

static bool is_nisc(const struct auth_ctx *who)
{
    return (who->roles & ROLE_ADMIN) ||
           (strcmp(who->org.kind, "nisc") == 0 && (who->roles & ROLE_ANALYST));
}

static bool may_answer(const struct auth_ctx *who)
{
    return strcmp(who->org.kind, "operator") == 0 &&
           (who->roles &
            (ROLE_REPORTER | ROLE_LIAISON | ROLE_ANALYST | ROLE_ORG_ADMIN));
}

static bool is_secretariat(const struct auth_ctx *who)
{
    return strcmp(who->org.kind, "ceptoar") == 0 &&
           (who->roles & (ROLE_ANALYST | ROLE_LIAISON | ROLE_ORG_ADMIN));
}

/* Is operator org a member of the caller's CEPTOAR? */
static bool member_of_mine(struct store_conn *c, const struct auth_ctx *who,
                           const char *org)
{
    struct access_org rel;
    if (strcmp(who->org.kind, "ceptoar") != 0 ||
        store_org_rel(c, org, &rel) != IS_OK)
        return false;
    for (int i = 0; i < rel.nceptoars; i++)
        if (strcmp(rel.ceptoars[i], who->org.id) == 0)
            return true;
    return false;
}

static json_t *names_of(struct store_conn *c, const char *what, const char *id)
{
    char ja[601] = "", en[601] = "";
    if (store_names(c, what, id, ja, sizeof(ja), en, sizeof(en)))
        return json_pack("{s:s,s:s}", "ja", id, "en", id);
    return json_pack("{s:s,s:s}", "ja", ja, "en", en);
}

static int load(struct store_conn *c, const char *id, struct store_survey *s,
                struct svc_error *e)
{
    int rc = store_survey_get(c, id, s);
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, rc, "not_found", "id", "no such survey campaign");
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the campaign cannot be read");
    return IS_OK;
}

static json_t *campaign_json(const struct store_survey *s)
{
    json_t *sectors = json_loads(s->sectors, 0, NULL);
    return json_pack(
        "{s:s,s:i,s:s,s:{s:s,s:s},s:o,s:i,s:s,s:o,s:o,s:o,s:I,s:I}", "id",
        s->id, "fy", s->fy, "edition", s->edition, "title", "ja", s->title_ja,
        "en", s->title_en, "sectors", sectors ? sectors : json_array(), "items",
        s->items, "state", s->state, "deadline", svc_time_json(s->deadline),
        "opened_at", svc_time_json(s->opened_at), "closed_at",
        svc_time_json(s->closed_at), "targets", (json_int_t)s->targets,
        "version", (json_int_t)s->version);
}

/* ---- the catalogue ---- */

int guideline_get(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *edition, json_t **out,
                  struct svc_error *e)
{
    IS_UNUSED(a);
    IS_UNUSED(who);
    const struct gl_edition *ed = guideline_edition(edition);
    if (ed) {
        *out = json_deep_copy(ed->doc);
        return *out ? IS_OK
                    : svc_fail(e, IS_ERR_NOMEM, "internal", NULL,
                               "out of memory");
    }
    /* an edition no longer shipped, kept for the campaigns that used it */
    char *stored = NULL;
    if (edition && strlen(edition) < 16 &&
        store_gl_edition_get(c, edition, &stored) == IS_OK) {
        *out = json_loads(stored, 0, NULL);
        free(stored);
        if (*out)
            return IS_OK;
    }
    return svc_fail(e, IS_ERR_NOTFOUND, "unknown_edition", "edition",
                    "edition: no such edition of the guideline");
}

/* The stored edition of a campaign, parsed (for editions no longer
 * shipped); NULL with e filled. */
static const struct gl_edition *edition_of(struct store_conn *c,
                                           const struct store_survey *s,
                                           struct gl_edition *own,
                                           struct svc_error *e)
{
    const struct gl_edition *ed = guideline_edition_stored(c, s->edition, own);
    if (!ed)
        svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                 "the campaign's edition of the guideline cannot be read");
    return ed;
}

/* ---- campaigns ---- */

struct list_ctx {
    json_t *arr;
    struct store_conn *c;
    const struct auth_ctx *who;
};

static int list_one(void *ctx, const struct store_survey *s)
{
    struct list_ctx *x = ctx;
    json_t *o = campaign_json(s);
    if (!o)
        return IS_ERR_NOMEM;
    if (strcmp(x->who->org.kind, "operator") == 0) {
        struct store_survey_resp r;
        if (store_survey_resp_get(x->c, s->id, x->who->org.id, &r) == IS_OK)
            json_object_set_new(o, "mine",
                                json_pack("{s:s,s:I}", "state", r.state,
                                          "answered", (json_int_t)r.answered));
        else
            json_object_set_new(o, "mine", json_null());
    }
    json_array_append_new(x->arr, o);
    return IS_OK;
}

int surveys_list(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct list_ctx x = {.arr = json_array(), .c = c, .who = who};
    int rc = store_survey_list(c, list_one, &x);
    if (rc) {
        json_decref(x.arr);
        return svc_fail(e, rc, "internal", NULL,
                        "the campaigns cannot be read");
    }
    *out = json_pack("{s:o}", "items", x.arr);
    return IS_OK;
}

int survey_create(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const json_t *body, int64_t now,
                  json_t **out, struct svc_error *e)
{
    if (!is_nisc(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "campaigns are opened by NISC's analysts");
    struct store_survey s = {0};
    s.fy = (int)jv_int(body, "fy", 0);
    snprintf(s.id, sizeof(s.id), "SV%d", s.fy);
    const char *ename = jv_str(body, "edition");
    const struct gl_edition *ed = guideline_edition(ename);
    if (!ed)
        return svc_fail(e, IS_ERR_INVALID, "unknown_edition", "edition",
                        "edition: no such edition of the guideline");
    util_xcopy(s.edition, sizeof(s.edition), ed->edition);
    s.items = ed->nanswerable;
    if (util_time_parse(jv_str(body, "deadline"), &s.deadline) ||
        s.deadline <= now)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "deadline",
                        "deadline: must be in the future");
    const char *tja = jv_str(body, "title_ja");
    const char *ten = jv_str(body, "title_en");
    /* a title given is shown to every operator asked: empty (or absent)
     * is the default title, one of only white space or invisible
     * characters is refused, and so is one holding a bidirectional
     * control (as every title: common/jv.c, .nonblank) */
    static const char *const titles[] = {"title_ja", "title_en"};
    for (size_t k = 0; k < IS_ARRAY_LEN(titles); k++) {
        const char *t = jv_str(body, titles[k]);
        if (t && *t && util_blank(t))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", titles[k],
                            "%s: must not be only white space (leave it "
                            "empty for the default title)",
                            titles[k]);
        if (t && util_has_bidi_control(t))
            return svc_fail(e, IS_ERR_INVALID, "invalid_text", titles[k],
                            "%s: contains a bidirectional control character "
                            "(U+200E/F, U+202A-E, U+2066-9), which would show "
                            "the text reordered",
                            titles[k]);
    }
    char dja[200], den[200];
    snprintf(dja, sizeof(dja), "%d年度 安全基準等の浸透状況等に関する調査",
             s.fy);
    snprintf(den, sizeof(den), "FY%d survey of the safety standards' adoption",
             s.fy);
    if (util_copy(s.title_ja, sizeof(s.title_ja), tja && *tja ? tja : dja) ||
        util_copy(s.title_en, sizeof(s.title_en), ten && *ten ? ten : den))
        return svc_fail(e, IS_ERR_INVALID, "too_long", "title_ja",
                        "title: at most 200 characters");
    const json_t *want = json_object_get(body, "sectors");
    json_t *sectors = json_array();
    size_t i;
    json_t *v;
    json_array_foreach (want, i, v) {
        const char *sid = json_string_value(v);
        if (store_names(c, "sector", sid, NULL, 0, NULL, 0) != IS_OK) {
            json_decref(sectors);
            char field[32];
            snprintf(field, sizeof(field), "sectors[%zu]", i);
            return svc_fail(e, IS_ERR_INVALID, "unknown_sector", field,
                            "%s: no such sector", field);
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_array_get(want, k)), sid) == 0) {
                json_decref(sectors);
                char field[32];
                snprintf(field, sizeof(field), "sectors[%zu]", i);
                return svc_fail(e, IS_ERR_INVALID, "duplicate_item", field,
                                "%s: the same sector twice", field);
            }
        json_array_append_new(sectors, json_string(sid));
    }
    char *sj = json_dumps(sectors, JSON_COMPACT);
    json_decref(sectors);
    int rc = !sj || util_copy(s.sectors, sizeof(s.sectors), sj) ? IS_ERR_INVALID
                                                                : IS_OK;
    free(sj);
    if (rc)
        return svc_fail(e, rc, "too_long", "sectors", "sectors: too many");
    s.opened_by = who->user_id;
    s.opened_at = now;
    char *doc = json_dumps(ed->doc, JSON_COMPACT);
    if (!doc)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    if ((rc = store_begin(c))) {
        free(doc);
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    }
    int64_t n = 0;
    rc = store_gl_edition_put(c, ed->edition, doc, now);
    free(doc);
    if (!rc && (rc = store_survey_insert(c, &s)) == IS_ERR_CONFLICT)
        svc_fail(e, rc, "campaign_exists", "fy",
                 "fy: a campaign of this fiscal year exists");
    if (!rc)
        rc = store_survey_targets_add(c, s.id, s.sectors, &n);
    if (!rc && n == 0)
        rc = svc_fail(e, IS_ERR_INVALID, "no_operators", "sectors",
                      "sectors: no operator to ask");
    if (!rc)
        rc = audit_record(c, who, now, "survey.open", s.id,
                          json_pack("{s:i,s:s,s:I}", "fy", s.fy, "edition",
                                    s.edition, "targets", (json_int_t)n));
    if (!rc && (rc = store_commit(c)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    if (rc) {
        store_rollback(c);
        if (!e->err)
            svc_fail(e, rc, "internal", NULL, "not stored");
        return rc;
    }
    log_event(LOG_INFO, "survey opened", "campaign", json_string(s.id),
              "targets", json_integer(n), NULL);
    return survey_get(a, c, who, s.id, out, e);
}

int survey_get(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_survey s;
    int rc = load(c, id, &s, e);
    if (rc)
        return rc;
    json_t *o = campaign_json(&s);
    struct store_survey_resp r;
    if (strcmp(who->org.kind, "operator") == 0 &&
        store_survey_resp_get(c, id, who->org.id, &r) == IS_OK)
        json_object_set_new(
            o, "mine",
            json_pack("{s:s,s:b,s:I,s:I,s:o,s:o}", "state", r.state, "shared",
                      r.shared, "answered", (json_int_t)r.answered, "version",
                      (json_int_t)r.version, "updated_at",
                      svc_time_json(r.updated_at), "submitted_at",
                      svc_time_json(r.submitted_at)));
    else
        json_object_set_new(o, "mine", json_null());
    *out = o;
    return IS_OK;
}

/* ---- responses ---- */

struct resp_ctx {
    json_t *answers; /* item -> {answer, evidence, attachments} */
};

static int answer_one(void *ctx, const struct store_survey_answer *x)
{
    struct resp_ctx *r = ctx;
    json_object_set_new(r->answers, x->item,
                        json_pack("{s:s,s:s,s:s,s:[]}", "item", x->item,
                                  "answer", x->answer, "evidence", x->evidence,
                                  "attachments"));
    return IS_OK;
}

static int att_one(void *ctx, const struct store_survey_att *x)
{
    struct resp_ctx *r = ctx;
    json_t *ans = json_object_get(r->answers, x->item);
    if (!ans) {
        ans = json_pack("{s:s,s:n,s:s,s:[]}", "item", x->item, "answer",
                        "evidence", "", "attachments");
        json_object_set_new(r->answers, x->item, ans);
    }
    json_array_append_new(
        json_object_get(ans, "attachments"),
        json_pack("{s:I,s:s,s:s,s:I,s:s,s:o}", "id", (json_int_t)x->id, "name",
                  x->name, "content_type", x->ctype, "size",
                  (json_int_t)x->size, "sha256", x->sha256, "created_at",
                  svc_time_json(x->created_at)));
    return IS_OK;
}

struct bcp_ctx {
    json_t *map; /* check -> answer */
};

static int bcp_one(void *ctx, const struct store_bcp_answer *x)
{
    struct bcp_ctx *b = ctx;
    json_object_set_new(b->map, x->check,
                        json_pack("{s:s,s:s,s:o}", "answer", x->answer, "note",
                                  x->note, "updated_at",
                                  svc_time_json(x->updated_at)));
    return IS_OK;
}

/* The response of org as JSON (the caller decided it may be read). */
/* The response of org as JSON (the caller decided it may be read); own:
 * the reader is the operator itself (its CP/BCP checklist is offered only
 * to it: a secretariat reads the shared answers, never the checklist). */
static int response_json(struct store_conn *c, const struct store_survey *s,
                         const struct gl_edition *ed,
                         const struct store_survey_resp *r, bool own,
                         json_t **out)
{
    struct resp_ctx x = {.answers = json_object()};
    int rc = store_survey_answers(c, s->id, r->org_id, answer_one, &x);
    if (!rc)
        rc = store_survey_atts(c, s->id, r->org_id, att_one, &x);
    /* the operator's CP/BCP readiness, offered for the checks it has not
     * answered here yet */
    struct bcp_ctx b = {.map = json_object()};
    if (!rc && own)
        rc = store_bcp_answers(c, r->org_id, s->edition, bcp_one, &b);
    if (rc) {
        json_decref(x.answers);
        json_decref(b.map);
        return rc;
    }
    json_t *arr = json_array(), *sugg = json_array();
    int missing = 0;
    for (int i = 0; i < ed->nitems; i++) {
        const struct gl_item *it = &ed->items[i];
        json_t *ans = json_object_get(x.answers, it->id);
        if (ans)
            json_array_append(arr, ans);
        if (!it->answerable)
            continue;
        if (!ans || json_is_null(json_object_get(ans, "answer")))
            missing++;
        json_t *pre = json_object_get(b.map, it->id);
        if (pre && !ans)
            json_array_append_new(
                sugg, json_pack("{s:s,s:O,s:O}", "item", it->id, "answer",
                                json_object_get(pre, "answer"), "evidence",
                                json_object_get(pre, "note")));
    }
    json_decref(x.answers);
    json_decref(b.map);
    *out =
        json_pack("{s:s,s:s,s:{s:s,s:s},s:s,s:s,s:b,s:I,s:o,s:o,s:o,s:i,"
                  "s:i,s:o,s:o}",
                  "campaign", s->id, "org", r->org_id, "name", "ja", r->name_ja,
                  "en", r->name_en, "sector", r->sector_id, "state", r->state,
                  "shared", r->shared, "version", (json_int_t)r->version,
                  "updated_at", svc_time_json(r->updated_at), "submitted_at",
                  svc_time_json(r->submitted_at), "last_reminded",
                  svc_time_json(r->last_reminded), "items", ed->nanswerable,
                  "missing", missing, "answers", arr, "suggested", sugg);
    /* the save counter is the operator's own (for its next save's version
     * check): a secretariat's read of shared answers has none, since it
     * counts the saves made while they were not shared too (as a risk's,
     * found by an outside review) */
    if (*out && !own)
        json_object_del(*out, "version");
    return *out ? IS_OK : IS_ERR_NOMEM;
}

int survey_answers_get(struct app *a, struct store_conn *c,
                       const struct auth_ctx *who, const char *id,
                       const char *org, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_survey s;
    int rc = load(c, id, &s, e);
    if (rc)
        return rc;
    if (!org || !*org)
        org = who->org.id;
    bool own = strcmp(org, who->org.id) == 0;
    bool secretariat =
        !own && is_secretariat(who) && member_of_mine(c, who, org);
    struct store_survey_resp r;
    if ((!own && !secretariat) ||
        (rc = store_survey_resp_get(c, id, org, &r)) == IS_ERR_NOTFOUND)
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", own ? "id" : "org",
                        "%s",
                        own ? "your organisation is not asked in this "
                              "campaign"
                            : "org: no response of this operator you "
                              "may read");
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the response cannot be read");
    if (secretariat && !r.shared)
        return svc_fail(e, IS_ERR_FORBIDDEN, "not_shared", "org",
                        "org: the operator has not shared its answers with "
                        "its secretariat");
    struct gl_edition own_ed = {0};
    const struct gl_edition *ed = edition_of(c, &s, &own_ed, e);
    if (!ed)
        return e->err;
    rc = response_json(c, &s, ed, &r, own, out);
    guideline_release(&own_ed);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the response cannot be read");
    return IS_OK;
}

/* The operator the caller answers for: its own (and it may answer). */
static int answering_org(struct store_conn *c, const struct auth_ctx *who,
                         const struct store_survey *s, const json_t *body,
                         struct store_survey_resp *r, struct svc_error *e)
{
    const char *org = jv_str(body, "org");
    if (org && strcmp(org, who->org.id) != 0)
        return svc_fail(e, IS_ERR_FORBIDDEN, "not_your_org", "org",
                        "org: an operator answers only for itself");
    if (!may_answer(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "the survey is answered by an operator's reporters, "
                        "liaisons, analysts or administrators");
    int rc = store_survey_resp_get(c, s->id, who->org.id, r);
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, IS_ERR_FORBIDDEN, "not_asked", "id",
                        "your organisation is not asked in this campaign");
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the response cannot be read");
    if (strcmp(s->state, "open") != 0)
        return svc_fail(e, IS_ERR_CONFLICT, "campaign_closed", "id",
                        "the campaign is closed: no more answers");
    return IS_OK;
}

/* The index of the first object of a (an array of objects, or NULL)
 * whose string key is s, or SIZE_MAX when there is none. */
static size_t first_with(const json_t *a, const char *key, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach (a, i, v) {
        const char *x = jv_str(v, key);
        if (x && s && strcmp(x, s) == 0)
            return i;
    }
    return SIZE_MAX;
}

/* the items answered (a set: item -> true) */
static int collect_answered(void *ctx, const struct store_survey_answer *x)
{
    return json_object_set_new((json_t *)ctx, x->item, json_true())
               ? IS_ERR_NOMEM
               : IS_OK;
}

int survey_answers_post(struct app *a, struct store_conn *c,
                        const struct auth_ctx *who, const char *id,
                        const json_t *body, int64_t now, json_t **out,
                        struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_survey s;
    struct store_survey_resp r;
    int rc = store_begin(c);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    /* everything below is read in the write transaction */
    if ((rc = load(c, id, &s, e)) ||
        (rc = answering_org(c, who, &s, body, &r, e)))
        goto fail;
    struct gl_edition own_ed = {0};
    const struct gl_edition *ed = edition_of(c, &s, &own_ed, e);
    if (!ed) {
        rc = e->err;
        goto fail;
    }
    int64_t version = jv_int(body, "version", 0);
    if (version != r.version) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "version_conflict", "version",
                      "version: the response is at version %lld, not %lld "
                      "(reload it)",
                      (long long)r.version, (long long)version);
        goto fail_ed;
    }
    const json_t *answers = json_object_get(body, "answers");
    size_t i;
    json_t *v;
    json_array_foreach (answers, i, v) {
        const char *item = jv_str(v, "item");
        const struct gl_item *it = guideline_item(ed, item);
        if (!it || !it->answerable) {
            char field[40];
            snprintf(field, sizeof(field), "answers[%zu].item", i);
            rc = svc_fail(e, IS_ERR_INVALID, "unknown_item", field, "%s: %s",
                          field,
                          it ? "a heading: answer its items"
                             : "not an item of the campaign's edition of the "
                               "guideline");
            goto fail_ed;
        }
        /* one answer an item: two would be applied in turn, the last
         * silently winning */
        if (first_with(answers, "item", item) < i) {
            char field[40];
            snprintf(field, sizeof(field), "answers[%zu].item", i);
            rc = svc_fail(e, IS_ERR_INVALID, "duplicate_item", field,
                          "%s: the same item twice", field);
            goto fail_ed;
        }
    }
    json_array_foreach (json_object_get(body, "clear"), i, v) {
        const char *item = json_string_value(v);
        const struct gl_item *it = guideline_item(ed, item);
        if (!it || !it->answerable) {
            char field[40];
            snprintf(field, sizeof(field), "clear[%zu]", i);
            rc = svc_fail(e, IS_ERR_INVALID, "unknown_item", field,
                          "%s: not an answerable item of the campaign's "
                          "edition",
                          field);
            goto fail_ed;
        }
        /* an item both answered and cleared: which one was meant? */
        if (first_with(answers, "item", item) < SIZE_MAX) {
            char field[40];
            snprintf(field, sizeof(field), "clear[%zu]", i);
            rc = svc_fail(e, IS_ERR_INVALID, "duplicate_item", field,
                          "%s: the item is also answered in this save", field);
            goto fail_ed;
        }
    }
    bool was_submitted = strcmp(r.state, "submitted") == 0;
    /* without "submit" a save keeps the response's state: a submitted one
     * stays submitted (and complete) */
    bool submit = jv_bool(body, "submit", was_submitted);
    bool shared = jv_bool(body, "shared", r.shared);
    /* a submitted response counted in the tallies comes out first, and
     * goes back with its new answers when submitted again */
    if (was_submitted &&
        (rc = store_survey_tally_apply(c, id, r.org_id, r.sector_id, -1))) {
        svc_fail(e, rc, "internal", NULL, "not stored");
        goto fail_ed;
    }
    json_array_foreach (json_object_get(body, "clear"), i, v) {
        if ((rc = store_survey_answer_clear(c, id, r.org_id,
                                            json_string_value(v)))) {
            svc_fail(e, rc, "internal", NULL, "not stored");
            goto fail_ed;
        }
    }
    json_array_foreach (json_object_get(body, "answers"), i, v) {
        if ((rc = store_survey_answer_put(c, id, r.org_id, jv_str(v, "item"),
                                          jv_str(v, "answer"),
                                          jv_str(v, "evidence")))) {
            svc_fail(e, rc, "internal", NULL, "not stored");
            goto fail_ed;
        }
    }
    if (submit) {
        json_t *have = json_object();
        if ((rc = store_survey_answers(c, id, r.org_id, collect_answered,
                                       have))) {
            json_decref(have);
            svc_fail(e, rc, "internal", NULL, "not stored");
            goto fail_ed;
        }
        int missing = 0;
        const char *first = NULL;
        for (int k = 0; k < ed->nitems; k++)
            if (ed->items[k].answerable &&
                !json_object_get(have, ed->items[k].id)) {
                missing++;
                first = first ? first : ed->items[k].id;
            }
        json_decref(have);
        if (missing) {
            rc = svc_fail(e, IS_ERR_INVALID, "incomplete", "answers",
                          "answers: %d of the %d items are not answered yet, "
                          "the first %.47s (save a draft, or answer them all "
                          "to submit)",
                          missing, ed->nanswerable, first);
            goto fail_ed;
        }
        if ((rc = store_survey_tally_apply(c, id, r.org_id, r.sector_id, 1))) {
            svc_fail(e, rc, "internal", NULL, "not stored");
            goto fail_ed;
        }
    }
    rc = store_survey_resp_put(c, id, r.org_id, submit ? "submitted" : "draft",
                               shared, who->user_id, now, submit ? now : 0);
    if (!rc)
        rc = audit_record(
            c, who, now, submit ? "survey.submit" : "survey.save", id,
            json_pack("{s:s,s:I,s:b}", "org", r.org_id, "version",
                      (json_int_t)(r.version + 1), "shared", shared));
    if (!rc && (rc = store_commit(c)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    if (rc) {
        if (!e->err)
            svc_fail(e, rc, "internal", NULL, "not stored");
        goto fail_ed;
    }
    if ((rc = store_survey_resp_get(c, id, r.org_id, &r)) ||
        (rc = response_json(c, &s, ed, &r, true, out)))
        svc_fail(e, rc, "internal", NULL, "stored, but cannot be read back");
    guideline_release(&own_ed);
    return rc;
fail_ed:
    guideline_release(&own_ed);
fail:
    store_rollback(c);
    return rc;
}

/* ---- attachments ---- */

static bool ctype_ok(const char *t)
{
    /* type "/" subtype of token characters (RFC 9110 §8.3.1), no
     * parameters */
    const char *slash = strchr(t, '/');
    if (!slash || slash == t || !slash[1])
        return false;
    for (const char *p = t; *p; p++)
        if (p != slash &&
            !(((*p | 32) >= 'a' && (*p | 32) <= 'z') ||
              (*p >= '0' && *p <= '9') || strchr("!#$&-^_.+", *p)))
            return false;
    return true;
}

/* A file name: not empty nor only white space or invisible characters
 * (util_blank: a name that shows nothing), one line (util_one_line: no
 * control character, C0, DEL or C1, and no line or paragraph separator
 * U+2028/9), no path separator or quote, and no bidirectional control
 * that would show it reversed (util_has_bidi_control); UTF-8 checked by
 * the field table. */
static bool name_ok(const char *n)
{
    return !util_blank(n) && util_one_line(n) && !strpbrk(n, "/\\\"") &&
           strcmp(n, ".") != 0 && strcmp(n, "..") != 0 &&
           !util_has_bidi_control(n);
}

int survey_attachment_post(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, const char *id,
                           const json_t *body, int64_t now, json_t **out,
                           struct svc_error *e)
{
    IS_UNUSED(a);
    const char *b64 = jv_str(body, "content");
    const char *name = jv_str(body, "name");
    const char *ctype = jv_str(body, "content_type");
    if (!ctype || !*ctype)
        ctype = "application/octet-stream";
    if (!name_ok(name))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "name",
                        "name: a file name, not blank, without / \\ \" or "
                        "control characters");
    if (!ctype_ok(ctype))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "content_type",
                        "content_type: a media type (type/subtype)");
    size_t blen = strlen(b64);
    size_t cap = blen / 4 * 3 + 3;
    unsigned char *data = malloc(cap ? cap : 1);
    if (!data)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    size_t len = 0;
    const char *end = NULL;
    if (sodium_base642bin(data, cap, b64, blen, "\r\n", &len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != b64 + blen) {
        free(data);
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "content",
                        "content: the file in base64 (RFC 4648 §4)");
    }
    if (len > SURVEY_ATTACHMENT_MAX) {
        free(data);
        return svc_fail(e, IS_ERR_TOO_LARGE, "too_large", "content",
                        "content: a file is at most %d bytes",
                        SURVEY_ATTACHMENT_MAX);
    }
    struct store_survey s;
    struct store_survey_resp r;
    int rc = store_begin(c);
    if (rc) {
        free(data);
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    }
    struct gl_edition own_ed = {0};
    const struct gl_edition *ed = NULL;
    if (!(rc = load(c, id, &s, e)) &&
        !(rc = answering_org(c, who, &s, body, &r, e)) &&
        !(ed = edition_of(c, &s, &own_ed, e)))
        rc = e->err;
    const struct gl_item *it =
        rc ? NULL : guideline_item(ed, jv_str(body, "item"));
    if (!rc && (!it || !it->answerable))
        rc = svc_fail(e, IS_ERR_INVALID, "unknown_item", "item",
                      "item: not an item of the campaign's edition");
    int64_t n = 0, bytes = 0;
    if (!rc && (rc = store_survey_att_count(c, id, r.org_id, &n, &bytes)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    if (!rc && n >= SURVEY_ATTACHMENTS_PER_ORG)
        rc = svc_fail(e, IS_ERR_TOO_LARGE, "too_many", "content",
                      "content: at most %d files per campaign",
                      SURVEY_ATTACHMENTS_PER_ORG);
    if (!rc && bytes + (int64_t)len > SURVEY_ATTACHMENT_BYTES)
        rc = svc_fail(e, IS_ERR_TOO_LARGE, "too_large", "content",
                      "content: at most %d bytes of files per campaign",
                      SURVEY_ATTACHMENT_BYTES);
    struct store_survey_att att = {0};
    int64_t att_id = 0;
    if (!rc) {
        unsigned char h[32];
        crypto_hash_sha256(h, data, len);
        sodium_bin2hex(att.sha256, sizeof(att.sha256), h, sizeof(h));
        util_xcopy(att.campaign_id, sizeof(att.campaign_id), id);
        util_xcopy(att.org_id, sizeof(att.org_id), r.org_id);
        util_xcopy(att.item, sizeof(att.item), it->id);
        if (util_copy(att.name, sizeof(att.name), name) ||
            util_copy(att.ctype, sizeof(att.ctype), ctype))
            rc = svc_fail(e, IS_ERR_INVALID, "too_long", "name",
                          "name: too long");
        att.created_by = who->user_id;
        att.created_at = now;
    }
    if (!rc && (rc = store_survey_att_add(c, &att, data, len, &att_id)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    if (!rc)
        rc = audit_record(c, who, now, "survey.attach", id,
                          json_pack("{s:s,s:I,s:s,s:I}", "org", r.org_id,
                                    "attachment", (json_int_t)att_id, "item",
                                    att.item, "size", (json_int_t)len));
    if (!rc && (rc = store_commit(c)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    free(data);
    guideline_release(&own_ed);
    if (rc) {
        store_rollback(c);
        if (!e->err)
            svc_fail(e, rc, "internal", NULL, "not stored");
        return rc;
    }
    *out =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:o}", "id", (json_int_t)att_id,
                  "campaign", id, "item", att.item, "name", att.name,
                  "content_type", att.ctype, "size", (json_int_t)len, "sha256",
                  att.sha256, "created_at", svc_time_json(now));
    return IS_OK;
}

int survey_attachment_get(struct app *a, struct store_conn *c,
                          const struct auth_ctx *who, const char *id,
                          const char *att, unsigned char **data, size_t *len,
                          char *name, size_t namelen, struct svc_error *e)
{
    IS_UNUSED(a);
    long n = 0;
    struct store_survey_att x;
    memset(&x, 0, sizeof(x));
    /* who may read it is decided on its description; the bytes are read
     * only then */
    int rc = util_parse_long(att, 1, INT64_MAX, &n)
                 ? IS_ERR_NOTFOUND
                 : store_survey_att_meta(c, n, &x);
    bool may = !rc && strcmp(x.campaign_id, id) == 0;
    if (may && strcmp(x.org_id, who->org.id) != 0) {
        /* a secretariat: a member's file when the member shares */
        struct store_survey_resp r;
        may = is_secretariat(who) && member_of_mine(c, who, x.org_id) &&
              store_survey_resp_get(c, id, x.org_id, &r) == IS_OK && r.shared;
    }
    if (may)
        may = store_survey_att_get(c, n, &x) == IS_OK;
    if (!may) {
        free(x.data);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", "att",
                        "no such attachment you may read");
    }
    *data = x.data;
    *len = (size_t)x.size;
    if (util_copy(name, namelen, x.name))
        util_xcopy(name, namelen, "attachment");
    return IS_OK;
}

int survey_attachment_delete(struct app *a, struct store_conn *c,
                             const struct auth_ctx *who, const char *id,
                             const char *att, int64_t now, json_t **out,
                             struct svc_error *e)
{
    IS_UNUSED(a);
    long n = 0;
    struct store_survey s;
    struct store_survey_resp r;
    int rc = store_begin(c);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    if ((rc = load(c, id, &s, e)) ||
        (rc = answering_org(c, who, &s, NULL, &r, e)))
        goto fail;
    /* the caller's own file of this campaign, else as if there were none */
    struct store_survey_att x;
    memset(&x, 0, sizeof(x));
    if (util_parse_long(att, 1, INT64_MAX, &n) ||
        store_survey_att_meta(c, n, &x) || strcmp(x.campaign_id, id) != 0 ||
        strcmp(x.org_id, r.org_id) != 0) {
        rc = svc_fail(e, IS_ERR_NOTFOUND, "not_found", "att",
                      "no such attachment of yours");
        goto fail;
    }
    if ((rc = store_survey_att_delete(c, n))) {
        svc_fail(e, rc, "internal", NULL, "not deleted");
        goto fail;
    }
    if ((rc = audit_record(c, who, now, "survey.detach", id,
                           json_pack("{s:s,s:I,s:s}", "org", r.org_id,
                                     "attachment", (json_int_t)n, "item",
                                     x.item))) ||
        (rc = store_commit(c))) {
        svc_fail(e, rc, "internal", NULL, "not deleted");
        goto fail;
    }
    *out = json_pack("{s:s,s:I,s:b}", "campaign", id, "attachment",
                     (json_int_t)n, "deleted", 1);
    return IS_OK;
fail:
    store_rollback(c);
    return rc;
}

/* ---- progress and reminders ---- */

struct prog_ctx {
    json_t *arr;
    struct store_conn *c;
    const char *only; /* a secretariat: its own sector only */
};

static int prog_one(void *ctx, const struct store_survey_progress *p)
{
    struct prog_ctx *x = ctx;
    if (x->only && strcmp(x->only, p->sector_id) != 0)
        return IS_OK;
    json_array_append_new(
        x->arr,
        json_pack("{s:s,s:o,s:I,s:I,s:I,s:I}", "sector", p->sector_id, "name",
                  names_of(x->c, "sector", p->sector_id), "targets",
                  (json_int_t)p->targets, "submitted", (json_int_t)p->submitted,
                  "drafts", (json_int_t)p->drafts, "none",
                  (json_int_t)(p->targets - p->submitted - p->drafts)));
    return IS_OK;
}

static int member_one(void *ctx, const struct store_survey_resp *r)
{
    json_t *arr = ctx;
    json_array_append_new(
        arr, json_pack("{s:s,s:{s:s,s:s},s:s,s:s,s:b,s:I,s:o,s:o,s:o}", "org",
                       r->org_id, "name", "ja", r->name_ja, "en", r->name_en,
                       "sector", r->sector_id, "state", r->state, "shared",
                       r->shared, "answered", (json_int_t)r->answered,
                       "updated_at", svc_time_json(r->updated_at),
                       "submitted_at", svc_time_json(r->submitted_at),
                       "last_reminded", svc_time_json(r->last_reminded)));
    return IS_OK;
}

int survey_progress(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id, json_t **out,
                    struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_survey s;
    int rc = load(c, id, &s, e);
    if (rc)
        return rc;
    bool sec = is_secretariat(who);
    bool wide = is_nisc(who) || strcmp(who->org.kind, "ministry") == 0 ||
                strcmp(who->org.kind, "nisc") == 0;
    if (!sec && !wide)
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "progress is followed by NISC, the ministries and "
                        "the CEPTOAR secretariats");
    /* NISC and the ministries: every sector's counts; a secretariat: its
     * own sector's and its members' states */
    struct prog_ctx p = {
        .arr = json_array(), .c = c, .only = wide ? NULL : who->org.sector_id};
    json_t *members = json_null();
    rc = store_survey_progress(c, id, prog_one, &p);
    if (!rc && sec) {
        members = json_array();
        rc = store_survey_resp_of_ceptoar(c, id, who->org.id, member_one,
                                          members);
    }
    if (rc) {
        json_decref(p.arr);
        json_decref(members);
        return svc_fail(e, rc, "internal", NULL, "progress cannot be read");
    }
    *out = json_pack("{s:s,s:s,s:o,s:o}", "campaign", id, "state", s.state,
                     "sectors", p.arr, "members", members);
    return IS_OK;
}

struct remind_ctx {
    json_t *orgs; /* candidates: [{org, state, last}] */
};

static int remind_cand(void *ctx, const struct store_survey_resp *r)
{
    struct remind_ctx *x = ctx;
    json_array_append_new(x->orgs, json_pack("{s:s,s:s,s:I}", "org", r->org_id,
                                             "state", r->state, "last",
                                             (json_int_t)r->last_reminded));
    return IS_OK;
}

int survey_remind(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id,
                  const json_t *body, int64_t now, json_t **out,
                  struct svc_error *e)
{
    bool sec = is_secretariat(who);
    if (!sec && !is_nisc(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "reminders are sent by the CEPTOAR secretariats and "
                        "NISC");
    struct store_survey s;
    int rc = store_begin(c);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    if ((rc = load(c, id, &s, e)))
        goto fail;
    if (strcmp(s.state, "open") != 0) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "campaign_closed", "id",
                      "the campaign is closed");
        goto fail;
    }
    /* the operators the caller may remind */
    struct remind_ctx x = {.orgs = json_array()};
    const json_t *want = json_object_get(body, "orgs");
    if (!json_is_array(want)) /* null: as if absent (everyone followed) */
        want = NULL;
    size_t i;
    json_t *v;
    if (want) {
        json_array_foreach (want, i, v) {
            struct store_survey_resp r;
            const char *org = json_string_value(v);
            bool ok = (!sec || member_of_mine(c, who, org)) &&
                      store_survey_resp_get(c, id, org, &r) == IS_OK;
            if (!ok) {
                json_decref(x.orgs);
                char field[32];
                snprintf(field, sizeof(field), "orgs[%zu]", i);
                rc = svc_fail(e, IS_ERR_INVALID, "not_remindable", field,
                              "%s: not an operator of this campaign you "
                              "follow",
                              field);
                goto fail;
            }
            remind_cand(&x, &r);
        }
    } else if (sec) {
        rc = store_survey_resp_of_ceptoar(c, id, who->org.id, remind_cand, &x);
    } else {
        /* NISC: every operator asked */
        rc = store_survey_resp_of_ceptoar(c, id, NULL, remind_cand, &x);
    }
    if (rc) {
        json_decref(x.orgs);
        svc_fail(e, rc, "internal", NULL, "the operators cannot be read");
        goto fail;
    }
    char deadline[UTIL_TIME_LEN];
    util_time_rfc3339(s.deadline, deadline);
    char subject[512], text[4096];
    snprintf(subject, sizeof(subject),
             "【安全基準等調査】回答のお願い（%d年度） / Safety-standards "
             "survey FY%d: please answer",
             s.fy, s.fy);
    snprintf(text, sizeof(text),
             "%s\n%s\n\n"
             "貴組織の回答はまだ提出されていません。期限 / deadline: %s\n"
             "Your organisation's answers have not been submitted yet.\n\n"
             "回答はこちらから / Answer here:\n%s/#/surveys/%s\n",
             s.title_ja, s.title_en, deadline, a->public_url, s.id);
    json_t *sent = json_array(), *skipped = json_array();
    int64_t queued = 0;
    json_t *seen = json_object(); /* each operator once per request */
    json_array_foreach (x.orgs, i, v) {
        const char *org = jv_str(v, "org");
        if (json_object_get(seen, org))
            continue;
        json_object_set_new(seen, org, json_true());
        const char *state = jv_str(v, "state");
        int64_t last = jv_int(v, "last", 0);
        const char *why = strcmp(state, "submitted") == 0 ? "submitted"
                          : last && now - last < SURVEY_REMIND_GAP
                              ? "reminded_today"
                              : NULL;
        if (why) {
            json_array_append_new(
                skipped, json_pack("{s:s,s:s}", "org", org, "reason", why));
            continue;
        }
        int nq = 0;
        if ((rc = store_notice_queue(c, org, "survey", s.id, subject, text, now,
                                     NULL, &nq)) ||
            (rc = store_survey_reminded(c, id, org, who->org.id, who->user_id,
                                        now)))
            break;
        queued += nq;
        json_array_append_new(
            sent, json_pack("{s:s,s:i}", "org", org, "messages", nq));
    }
    json_decref(x.orgs);
    json_decref(seen);
    if (!rc)
        rc = audit_record(c, who, now, "survey.remind", id,
                          json_pack("{s:I,s:I}", "operators",
                                    (json_int_t)json_array_size(sent),
                                    "messages", (json_int_t)queued));
    if (!rc && (rc = store_commit(c)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    if (rc) {
        json_decref(sent);
        json_decref(skipped);
        if (!e->err)
            svc_fail(e, rc, "internal", NULL, "not stored");
        goto fail;
    }
    if (queued && a->wake_outbox)
        a->wake_outbox(a);
    *out = json_pack("{s:s,s:o,s:o,s:I}", "campaign", id, "reminded", sent,
                     "skipped", skipped, "messages", (json_int_t)queued);
    return IS_OK;
fail:
    store_rollback(c);
    return rc;
}

int survey_close(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, const json_t *body,
                 int64_t now, json_t **out, struct svc_error *e)
{
    if (!is_nisc(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "campaigns are closed by NISC's analysts");
    struct store_survey s;
    int rc = store_begin(c);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    if ((rc = load(c, id, &s, e)))
        goto fail;
    int64_t version = jv_int(body, "version", 0);
    if (strcmp(s.state, "open") != 0) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "campaign_closed", "id",
                      "the campaign is closed already");
        goto fail;
    }
    if (version != s.version) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "version_conflict", "version",
                      "version: the campaign is at version %lld",
                      (long long)s.version);
        goto fail;
    }
    rc = store_survey_close(c, id, version, who->user_id, now);
    if (rc == IS_ERR_CONFLICT)
        svc_fail(e, rc, "version_conflict", "version",
                 "version: the campaign changed meanwhile");
    if (!rc)
        rc = audit_record(c, who, now, "survey.close", id, NULL);
    if (!rc && (rc = store_commit(c)))
        svc_fail(e, rc, "internal", NULL, "not closed");
    if (rc) {
        if (!e->err)
            svc_fail(e, rc, "internal", NULL, "not closed");
        goto fail;
    }
    return survey_get(a, c, who, id, out, e);
fail:
    store_rollback(c);
    return rc;
}

/* ---- CP/BCP readiness ---- */

static int bcp_json(struct store_conn *c, const struct auth_ctx *who,
                    json_t **out)
{
    const struct gl_edition *ed = guideline_edition(NULL);
    struct bcp_ctx b = {.map = json_object()};
    int64_t version = 0;
    int rc = store_bcp_answers(c, who->org.id, ed->edition, bcp_one, &b);
    if (!rc)
        rc = store_bcp_version(c, who->org.id, &version);
    if (rc) {
        json_decref(b.map);
        return rc;
    }
    /* per characteristic: the checks with their answers and a score
     * (adopted 1, partly 0.5, of the checks that apply) */
    json_t *chars = json_array();
    int answered_all = 0, total_all = 0, applies_all = 0;
    double score_all = 0;
    size_t i;
    json_t *ch;
    json_array_foreach (json_object_get(ed->doc, "bcp"), i, ch) {
        json_t *checks = json_array();
        int answered = 0, total = 0, applies = 0;
        double score = 0;
        size_t k;
        json_t *ck;
        json_array_foreach (json_object_get(ch, "checks"), k, ck) {
            const char *cid = json_string_value(json_object_get(ck, "id"));
            json_t *ans = json_object_get(b.map, cid);
            const char *av = ans ? jv_str(ans, "answer") : NULL;
            total++;
            if (av) {
                answered++;
                if (strcmp(av, "na") != 0)
                    applies++;
                score += strcmp(av, "adopted") == 0  ? 1.0
                         : strcmp(av, "partly") == 0 ? 0.5
                                                     : 0.0;
            }
            json_array_append_new(
                checks,
                json_pack("{s:s,s:O,s:o,s:o}", "id", cid, "text",
                          json_object_get(ck, "text"), "answer",
                          av ? json_string(av) : json_null(), "note",
                          ans ? json_incref(json_object_get(ans, "note"))
                              : json_string("")));
        }
        answered_all += answered;
        total_all += total;
        applies_all += applies;
        score_all += score;
        json_array_append_new(
            chars,
            json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:o,s:i,s:i,s:o}", "id",
                      json_object_get(ch, "id"), "title",
                      json_object_get(ch, "title"), "point",
                      json_object_get(ch, "point"), "considerations",
                      json_object_get(ch, "considerations"), "preparations",
                      json_object_get(ch, "preparations"), "ref",
                      json_object_get(ch, "ref"), "checks", checks, "answered",
                      answered, "total", total, "readiness",
                      applies ? json_integer(
                                    (json_int_t)(score * 100 / applies + 0.5))
                              : json_null()));
    }
    json_decref(b.map);
    json_t *overall =
        applies_all
            ? json_integer((json_int_t)(score_all * 100 / applies_all + 0.5))
            : json_null();
    *out = json_pack("{s:s,s:s,s:I,s:i,s:i,s:o,s:o}", "org", who->org.id,
                     "edition", ed->edition, "version", (json_int_t)version,
                     "answered", answered_all, "total", total_all, "readiness",
                     overall, "characteristics", chars);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

int bcp_get(struct app *a, struct store_conn *c, const struct auth_ctx *who,
            json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    if (strcmp(who->org.kind, "operator") != 0)
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "CP/BCP readiness is an operator's own checklist");
    if (!guideline_edition(NULL))
        return svc_fail(e, IS_ERR_NOTFOUND, "unknown_edition", NULL,
                        "no guideline edition is loaded");
    int rc = bcp_json(c, who, out);
    return rc ? svc_fail(e, rc, "internal", NULL, "cannot be read") : IS_OK;
}

int bcp_put(struct app *a, struct store_conn *c, const struct auth_ctx *who,
            const json_t *body, int64_t now, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    if (!may_answer(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "CP/BCP readiness is kept by an operator's "
                        "reporters, liaisons, analysts or administrators");
    const struct gl_edition *ed = guideline_edition(NULL);
    if (!ed)
        return svc_fail(e, IS_ERR_NOTFOUND, "unknown_edition", NULL,
                        "no guideline edition is loaded");
    size_t i;
    json_t *v;
    json_array_foreach (json_object_get(body, "answers"), i, v) {
        const struct gl_item *it = guideline_item(ed, jv_str(v, "check"));
        if (!it || strcmp(it->pdca, "bcp") != 0 || !it->answerable) {
            char field[40];
            snprintf(field, sizeof(field), "answers[%zu].check", i);
            return svc_fail(e, IS_ERR_INVALID, "unknown_item", field,
                            "%s: not a CP/BCP check of the guideline", field);
        }
        /* one answer a check: two would be applied in turn, the last
         * silently winning */
        if (first_with(json_object_get(body, "answers"), "check",
                       jv_str(v, "check")) < i) {
            char field[40];
            snprintf(field, sizeof(field), "answers[%zu].check", i);
            return svc_fail(e, IS_ERR_INVALID, "duplicate_item", field,
                            "%s: the same check twice", field);
        }
    }
    int rc = store_begin(c);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    int64_t have = 0, version = jv_int(body, "version", 0);
    if ((rc = store_bcp_version(c, who->org.id, &have)))
        svc_fail(e, rc, "internal", NULL, "cannot be read");
    else if (have != version)
        rc = svc_fail(e, IS_ERR_CONFLICT, "version_conflict", "version",
                      "version: the checklist is at version %lld, not %lld",
                      (long long)have, (long long)version);
    json_array_foreach (json_object_get(body, "answers"), i, v) {
        if (rc)
            break;
        if ((rc = store_bcp_put(c, who->org.id, ed->edition, jv_str(v, "check"),
                                jv_str(v, "answer"), jv_str(v, "note"),
                                who->user_id, now)))
            svc_fail(e, rc, "internal", NULL, "not stored");
    }
    if (!rc && (rc = store_bcp_bump(c, who->org.id)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    if (!rc)
        rc = audit_record(
            c, who, now, "bcp.update", who->org.id,
            json_pack(
                "{s:I,s:I}", "version", (json_int_t)(version + 1), "checks",
                (json_int_t)json_array_size(json_object_get(body, "answers"))));
    if (!rc && (rc = store_commit(c)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    if (rc) {
        store_rollback(c);
        if (!e->err)
            svc_fail(e, rc, "internal", NULL, "not stored");
        return rc;
    }
    rc = bcp_json(c, who, out);
    return rc ? svc_fail(e, rc, "internal", NULL, "cannot be read") : IS_OK;
}
