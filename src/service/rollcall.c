/*
 * rollcall.c - see rollcall.h. The form's checks are core/rollcall.c's;
 * this file parses JSON into its structs, writes answers and the board's
 * counters in one transaction, and encodes the board.
 */
#include "service/rollcall.h"
#include "service/rcache.h"

#include <sodium.h>

#include "common/buf.h"
#include "common/csv.h"
#include "common/log.h"
#include "common/util.h"
#include "core/rollcall.h"
#include "service/provision.h"

/* ---- request tables ---- */

static const char *const qtypes[] = {"yes_no_unknown", "choice", "text", NULL};

static const struct jv_field rc_label_spec[] = {
    {.name = "ja",
     .type = JV_STRING,
     .required = true,
     .max_len = ROLLCALL_LABEL_MAX},
    {.name = "en",
     .type = JV_STRING,
     .required = true,
     .max_len = ROLLCALL_LABEL_MAX},
};

static const struct jv_field rc_option_spec[] = {
    {.name = "id",
     .type = JV_STRING,
     .required = true,
     .max_len = ROLLCALL_ID_MAX},
    {.name = "label",
     .type = JV_OBJECT,
     .required = true,
     .sub = rc_label_spec,
     .nsub = IS_ARRAY_LEN(rc_label_spec)},
};

static const struct jv_field rc_question_spec[] = {
    {.name = "id",
     .type = JV_STRING,
     .required = true,
     .max_len = ROLLCALL_ID_MAX},
    {.name = "type",
     .type = JV_STRING,
     .required = true,
     .max_len = 20,
     .enum_values = qtypes},
    {.name = "label",
     .type = JV_OBJECT,
     .required = true,
     .sub = rc_label_spec,
     .nsub = IS_ARRAY_LEN(rc_label_spec)},
    {.name = "options",
     .type = JV_OBJECT_ARRAY,
     .max_len = ROLLCALL_MAX_OPTIONS,
     .sub = rc_option_spec,
     .nsub = IS_ARRAY_LEN(rc_option_spec)},
    {.name = "required", .type = JV_BOOL},
    {.name = "max_len", .type = JV_INT, .min = 1, .max = ROLLCALL_TEXT_MAX},
};

const struct jv_field rollcall_form_spec[] = {
    {.name = "name", .type = JV_STRING, .max_len = ROLLCALL_ID_MAX},
    {.name = "questions",
     .type = JV_OBJECT_ARRAY,
     .max_len = ROLLCALL_MAX_QUESTIONS,
     .sub = rc_question_spec,
     .nsub = IS_ARRAY_LEN(rc_question_spec)},
};

static const struct jv_field rc_answer_item_spec[] = {
    {.name = "question",
     .type = JV_STRING,
     .required = true,
     .max_len = ROLLCALL_ID_MAX},
    {.name = "value",
     .type = JV_STRING,
     .required = true,
     .max_len = ROLLCALL_TEXT_MAX},
};

_Static_assert(IS_ARRAY_LEN(rollcall_form_spec) == ROLLCALL_FORM_SPEC_N,
               "ROLLCALL_FORM_SPEC_N counts rollcall_form_spec");

const struct jv_field rollcall_answer_spec[] = {
    {.name = "answers",
     .type = JV_OBJECT_ARRAY,
     .required = true,
     .max_len = ROLLCALL_MAX_QUESTIONS,
     .sub = rc_answer_item_spec,
     .nsub = IS_ARRAY_LEN(rc_answer_item_spec)},
    {.name = "org", .type = JV_STRING, .max_len = 63},
    {.name = NULL},
};

/* The standard roll-call form, issued by name ({"name": "roll_call"}). */
static const char standard_form[] =
    "{\"name\":\"roll_call\",\"questions\":["
    "{\"id\":\"affected\",\"type\":\"yes_no_unknown\",\"required\":true,"
    "\"label\":{\"ja\":\"影響の有無\",\"en\":\"Affected?\"}},"
    "{\"id\":\"service_state\",\"type\":\"choice\",\"required\":true,"
    "\"label\":{\"ja\":\"サービスの状態\",\"en\":\"Service state\"},"
    "\"options\":["
    "{\"id\":\"normal\",\"label\":{\"ja\":\"通常\",\"en\":\"Normal\"}},"
    "{\"id\":\"degraded\",\"label\":{\"ja\":\"一部支障\",\"en\":"
    "\"Degraded\"}},"
    "{\"id\":\"stopped\",\"label\":{\"ja\":\"停止\",\"en\":\"Stopped\"}}]},"
    "{\"id\":\"details\",\"type\":\"text\",\"required\":false,"
    "\"max_len\":2000,"
    "\"label\":{\"ja\":\"自由記述\",\"en\":\"Details\"}}]}";

/* The labels of yes_no_unknown, shown by the link's page and the UI. */
static const char *const ynu_ids[] = {"yes", "no", "unknown"};
static const char *const ynu_ja[] = {"はい", "いいえ", "不明"};
static const char *const ynu_en[] = {"Yes", "No", "Unknown"};

/* ---- the form ---- */

struct form {
    int n;
    struct rollcall_question q[ROLLCALL_MAX_QUESTIONS];
};

/* Fills f from a normalised (or checked) form. */
static void form_parse(const json_t *norm, struct form *f)
{
    memset(f, 0, sizeof(*f));
    const json_t *qs = json_object_get(norm, "questions");
    for (size_t i = 0; i < json_array_size(qs) && f->n < ROLLCALL_MAX_QUESTIONS;
         i++) {
        const json_t *q = json_array_get(qs, i);
        struct rollcall_question *x = &f->q[f->n++];
        util_xcopy(x->id, sizeof(x->id),
                   jv_str(q, "id") ? jv_str(q, "id") : "");
        if (!rollcall_qtype_parse(jv_str(q, "type"), &x->type))
            x->type = ROLLCALL_TEXT;
        x->required = jv_bool(q, "required", false);
        x->max_len = (int)jv_int(q, "max_len", 0);
        const json_t *opts = json_object_get(q, "options");
        for (size_t k = 0;
             k < json_array_size(opts) && x->noptions < ROLLCALL_MAX_OPTIONS;
             k++) {
            const char *id = jv_str(json_array_get(opts, k), "id");
            util_xcopy(x->options[x->noptions++], sizeof(x->options[0]),
                       id ? id : "");
        }
    }
}

/* Loads adv's form: IS_OK with *norm (a new reference) and f filled;
 * IS_ERR_NOTFOUND when adv carries none. */
static int form_load(struct store_conn *c, const char *adv, json_t **norm,
                     struct form *f)
{
    char *text = NULL;
    int rc = store_rollcall_form_get(c, adv, NULL, 0, &text);
    if (rc)
        return rc;
    *norm = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!*norm)
        return IS_ERR_STORE;
    if (f)
        form_parse(*norm, f);
    return IS_OK;
}

/* The member key of o, NULL when absent or null (a request's null is
 * the same as leaving the field out). */
static const json_t *member(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_null(v) ? NULL : v;
}

/* The normalised form of checked questions qs: only the fields the hub
 * knows, defaults filled. NULL when out of memory. */
static json_t *form_normalise(const json_t *qs, const char *name)
{
    json_t *out =
        json_pack("{s:s,s:[]}", "name", name ? name : "survey", "questions");
    json_t *arr = json_object_get(out, "questions");
    for (size_t i = 0; out && i < json_array_size(qs); i++) {
        const json_t *q = json_array_get(qs, i);
        const json_t *lab = json_object_get(q, "label");
        json_t *nq = json_pack(
            "{s:s,s:s,s:b,s:{s:s,s:s}}", "id", jv_str(q, "id"), "type",
            jv_str(q, "type"), "required", jv_bool(q, "required", false),
            "label", "ja", jv_str(lab, "ja"), "en", jv_str(lab, "en"));
        if (!nq) {
            json_decref(out);
            return NULL;
        }
        if (strcmp(jv_str(q, "type"), "text") == 0)
            json_object_set_new(
                nq, "max_len",
                json_integer(jv_int(q, "max_len", ROLLCALL_TEXT_DEFAULT)));
        const json_t *opts = member(q, "options");
        if (opts) {
            json_t *no = json_array();
            for (size_t k = 0; k < json_array_size(opts); k++) {
                const json_t *o = json_array_get(opts, k);
                const json_t *ol = json_object_get(o, "label");
                json_array_append_new(no, json_pack("{s:s,s:{s:s,s:s}}", "id",
                                                    jv_str(o, "id"), "label",
                                                    "ja", jv_str(ol, "ja"),
                                                    "en", jv_str(ol, "en")));
            }
            json_object_set_new(nq, "options", no);
        }
        json_array_append_new(arr, nq);
    }
    return out;
}

int rollcall_form_check(const json_t *form, json_t **norm, struct svc_error *e)
{
    *norm = NULL;
    if (!form || json_is_null(form))
        return IS_OK;
    const json_t *qs = member(form, "questions");
    const char *name = jv_str(form, "name");
    if (!qs) {
        if (!name || strcmp(name, "roll_call") != 0)
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", "form.name",
                            "form.name: \"roll_call\" (the standard form), or "
                            "give form.questions");
        *norm = json_loads(standard_form, 0, NULL);
        return *norm ? IS_OK : IS_ERR_NOMEM;
    }
    if (name && !rollcall_id_valid(name))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "form.name",
                        "form.name: letters a-z, digits and _ only");
    if (json_array_size(qs) == 0)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "form.questions",
                        "form.questions: at least one question");
    char field[96];
    for (size_t i = 0; i < json_array_size(qs); i++) {
        const json_t *q = json_array_get(qs, i);
        const char *id = jv_str(q, "id");
        enum rollcall_qtype t = ROLLCALL_TEXT;
        rollcall_qtype_parse(jv_str(q, "type"), &t);
        const json_t *opts = member(q, "options");
        snprintf(field, sizeof(field), "form.questions[%zu].id", i);
        if (!rollcall_id_valid(id))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                            "%s: letters a-z, digits and _ only", field);
        for (size_t k = 0; k < i; k++)
            if (strcmp(id, jv_str(json_array_get(qs, k), "id")) == 0)
                return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                                "%s: \"%s\" is used twice", field, id);
        snprintf(field, sizeof(field), "form.questions[%zu].options", i);
        if (t == ROLLCALL_CHOICE && json_array_size(opts) < 2)
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                            "%s: a choice has 2 to %d options", field,
                            ROLLCALL_MAX_OPTIONS);
        if (t != ROLLCALL_CHOICE && opts)
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                            "%s: only a choice has options", field);
        for (size_t k = 0; k < json_array_size(opts); k++) {
            const char *oid = jv_str(json_array_get(opts, k), "id");
            snprintf(field, sizeof(field),
                     "form.questions[%zu].options[%zu].id", i, k);
            if (!rollcall_id_valid(oid))
                return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                                "%s: letters a-z, digits and _ only", field);
            for (size_t m = 0; m < k; m++)
                if (strcmp(oid, jv_str(json_array_get(opts, m), "id")) == 0)
                    return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                                    "%s: \"%s\" is used twice", field, oid);
        }
        snprintf(field, sizeof(field), "form.questions[%zu].max_len", i);
        if (t != ROLLCALL_TEXT && member(q, "max_len"))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                            "%s: only a text question has max_len", field);
    }
    *norm = form_normalise(qs, name);
    return *norm ? IS_OK : IS_ERR_NOMEM;
}

int rollcall_attach(struct store_conn *c, const char *adv, const json_t *norm,
                    int64_t now)
{
    char *text = json_dumps(norm, JSON_COMPACT);
    if (!text)
        return IS_ERR_NOMEM;
    const char *name = jv_str(norm, "name");
    int rc = store_rollcall_form_insert(c, adv, name ? name : "", text, now);
    free(text);
    if (!rc)
        rc = store_rollcall_counts_init(c, adv);
    return rc;
}

bool rollcall_has_form(struct store_conn *c, const char *adv)
{
    char name[40];
    return store_rollcall_form_get(c, adv, name, sizeof(name), NULL) == IS_OK;
}

static json_t *answer_json(const struct store_rollcall_answer *x)
{
    json_t *ans = x->answers ? json_loads(x->answers, 0, NULL) : NULL;
    return json_pack("{s:o,s:o,s:s,s:I}", "answers", ans ? ans : json_object(),
                     "answered_at", svc_time_json(x->answered_at), "via",
                     x->how, "revision", (json_int_t)x->revision);
}

void rollcall_adv_json(struct store_conn *c, const struct auth_ctx *who,
                       const char *adv, json_t *o)
{
    json_t *norm = NULL;
    if (form_load(c, adv, &norm, NULL))
        return;
    json_object_set_new(o, "form", norm);
    struct store_rollcall_answer x;
    if (who && store_rollcall_answer_get(c, adv, who->org.id, &x) == IS_OK) {
        json_object_set_new(o, "my_answer", answer_json(&x));
        free(x.answers);
    } else {
        json_object_set_new(o, "my_answer", json_null());
    }
}

int rollcall_issue(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const json_t *body, int64_t now,
                   json_t **out, struct svc_error *e)
{
    struct jv_error je;
    if (jv_check(body, provision_issue_spec, JV_UNTIL_NULL, &je))
        return svc_fail(e, IS_ERR_INVALID, je.code, je.field, "%s", je.message);
    if (json_object_get(body, "form"))
        return advisory_issue(a, c, who, body, now, out, e);
    json_t *copy = json_deep_copy(body);
    if (!copy || json_object_set_new(copy, "form",
                                     json_pack("{s:s}", "name", "roll_call"))) {
        json_decref(copy);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "nothing was sent");
    }
    int rc = advisory_issue(a, c, who, copy, now, out, e);
    json_decref(copy);
    return rc;
}

/* ---- answering ---- */

/* Checks the answers (body "answers": [{question, value}]) against f and
 * builds {question: value} in the form's order (*ans, a new reference;
 * empty values left out). 400 naming "answers.<question>". */
static int answers_check(const struct form *f, const json_t *items,
                         json_t **ans, struct svc_error *e)
{
    char field[64];
    const char *given[ROLLCALL_MAX_QUESTIONS] = {0};
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *it = json_array_get(items, i);
        const char *q = jv_str(it, "question");
        int k = 0;
        while (k < f->n && strcmp(f->q[k].id, q) != 0)
            k++;
        snprintf(field, sizeof(field), "answers.%.40s", q);
        if (k == f->n)
            return svc_fail(e, IS_ERR_INVALID, "unknown_field", field,
                            "%s: the form has no such question", field);
        if (given[k])
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                            "%s: answered twice", field);
        given[k] = jv_str(it, "value");
    }
    json_t *out = json_object();
    for (int k = 0; out && k < f->n; k++) {
        const struct rollcall_question *q = &f->q[k];
        snprintf(field, sizeof(field), "answers.%s", q->id);
        switch (rollcall_check_value(q, given[k])) {
        case ROLLCALL_VALUE_OK: break;
        case ROLLCALL_VALUE_EMPTY:
            json_decref(out);
            return svc_fail(e, IS_ERR_INVALID, "missing_field", field,
                            "%s: is required", field);
        case ROLLCALL_VALUE_NOT_OPTION:
            json_decref(out);
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                            "%s: not one of the question's options", field);
        case ROLLCALL_VALUE_TOO_LONG:
            json_decref(out);
            return svc_fail(e, IS_ERR_INVALID, "too_long", field,
                            "%s: longer than %d characters", field,
                            q->max_len ? q->max_len : ROLLCALL_TEXT_DEFAULT);
        }
        if (given[k] && *given[k])
            json_object_set_new(out, q->id, json_string(given[k]));
    }
    *ans = out;
    return out ? IS_OK : IS_ERR_NOMEM;
}

/* Moves the board's counters of org from old (NULL: no answer before)
 * to ans: the counted questions' values, and "answered". */
static int counts_move(struct store_conn *c, const char *adv, const char *org,
                       const struct form *f, const json_t *old,
                       const json_t *ans)
{
    int rc = IS_OK;
    if (!old)
        rc = store_rollcall_count_add(c, adv, org, "", "answered", 1);
    for (int k = 0; !rc && k < f->n; k++) {
        if (!rollcall_counted(&f->q[k]))
            continue;
        const char *was = old ? jv_str(old, f->q[k].id) : NULL;
        const char *now = jv_str(ans, f->q[k].id);
        if (was && now && strcmp(was, now) == 0)
            continue;
        if (was)
            rc = store_rollcall_count_add(c, adv, org, f->q[k].id, was, -1);
        if (!rc && now)
            rc = store_rollcall_count_add(c, adv, org, f->q[k].id, now, 1);
    }
    return rc;
}

/* Writes org's answer ans to adv (inside the caller's transaction): the
 * counters, the answer, the acknowledgement (answering acknowledges), the
 * cancelled deliveries and the audit entry. *revision and *replaced are
 * the answer's. */
static int answer_write(struct store_conn *c, const struct auth_ctx *who,
                        const char *adv, const char *org, const struct form *f,
                        const json_t *ans, const char *how, const char *addr,
                        int64_t now, int64_t *revision, bool *replaced)
{
    struct store_rollcall_answer prev;
    int rc = store_rollcall_answer_get(c, adv, org, &prev);
    if (rc && rc != IS_ERR_NOTFOUND)
        return rc;
    json_t *old =
        !rc && prev.answers ? json_loads(prev.answers, 0, NULL) : NULL;
    *replaced = rc == IS_OK;
    *revision = *replaced ? prev.revision + 1 : 1;
    free(prev.answers);
    char *text = json_dumps(ans, JSON_COMPACT);
    rc = text ? counts_move(c, adv, org, f, old, ans) : IS_ERR_NOMEM;
    if (!rc)
        rc = store_rollcall_answer_put(c, adv, org, text, now,
                                       who ? who->user_id : 0, how);
    free(text);
    if (!rc) {
        int arc =
            store_recipient_ack(c, adv, org, now, who ? who->user_id : 0, how);
        rc = arc == IS_ERR_CONFLICT ? IS_OK : arc;
    }
    if (!rc)
        rc = store_deliveries_cancel(c, adv, org);
    if (!rc) {
        json_t *d =
            json_pack("{s:s,s:s,s:I,s:b}", "org", org, "via", how, "revision",
                      (json_int_t)*revision, "replaced", *replaced);
        if (d && old)
            json_object_set(d, "previous", old);
        if (d && addr)
            json_object_set_new(d, "addr", json_string(addr));
        rc = audit_record(
            c, who, now,
            *replaced ? "rollcall.answer.replace" : "rollcall.answer", adv, d);
    }
    json_decref(old);
    return rc;
}

int rollcall_answer(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id,
                    const json_t *body, int64_t now, json_t **out,
                    struct svc_error *e)
{
    IS_UNUSED(a);
    const char *org = jv_str(body, "org");
    if (org && strcmp(org, who->org.id) != 0)
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "org",
                        "org: you answer for your own organisation only");
    struct store_advisory ad;
    if (strlen(id) >= sizeof(ad.id))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such advisory");
    if (store_begin(c))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "nothing was changed");
    struct store_recipient r;
    struct store_hop h;
    json_t *norm = NULL, *ans = NULL;
    struct form f;
    int rc;
    if (store_advisory_get(c, id, &ad)) {
        rc =
            svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such advisory");
        goto fail;
    }
    /* the chain that may read it: the author, and the hops it has
     * reached (a hop it has not reached yet reads nothing of it:
     * docs/rules.md "Who may read an advisory") */
    bool chain =
        strcmp(ad.author, who->org.id) == 0 ||
        (store_hop_get(c, id, who->org.id, &h) == IS_OK && h.arrived_at != 0);
    store_advisory_release(&ad);
    if (store_recipient_get(c, id, who->org.id, &r)) {
        /* not addressed to who's organisation: the chain (which may read
         * it) hears why; anyone else hears what a missing id gets */
        rc = chain ? svc_fail(e, IS_ERR_FORBIDDEN, "not_a_recipient", NULL,
                              "the advisory is not addressed to your "
                              "organisation")
                   : svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                              "no such advisory");
        goto fail;
    }
    if (!r.released_at && !chain) {
        /* still waiting below a hop: the advisory does not exist for it
         * yet (docs/rules.md "Who may read an advisory"), whether or not
         * it asks for answers */
        rc =
            svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such advisory");
        goto fail;
    }
    if (form_load(c, id, &norm, &f)) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "not_a_roll_call", NULL,
                      "this advisory asks for no answers");
        goto fail;
    }
    if (!r.released_at) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "not_released", NULL,
                      "the advisory has not been released to your "
                      "organisation yet");
        goto fail;
    }
    rc = answers_check(&f, json_object_get(body, "answers"), &ans, e);
    if (rc)
        goto fail;
    int64_t rev = 0;
    bool replaced = false;
    rc = answer_write(c, who, id, who->org.id, &f, ans, "api", NULL, now, &rev,
                      &replaced);
    if (rc || (rc = store_commit(c))) {
        rc = svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                      "nothing was changed");
        goto fail;
    }
    *out = json_pack("{s:s,s:s,s:O,s:o,s:I,s:b}", "advisory", id, "org",
                     who->org.id, "answers", ans, "answered_at",
                     svc_time_json(now), "revision", (json_int_t)rev,
                     "replaced", replaced);
    json_decref(ans);
    json_decref(norm);
    return IS_OK;
fail:
    store_rollback(c);
    json_decref(ans);
    json_decref(norm);
    return rc;
}

/* ---- the board ---- */

/* Who sees the board, and which rows: as the deliveries view (the author
 * and NISC every row; a secretariat hop its members; a ministry hop its
 * sectors). */
struct viewer {
    const char *via, *ministry; /* "" = no filter */
};

static int viewer_of(struct store_conn *c, const struct auth_ctx *who,
                     const char *id, struct viewer *v, struct svc_error *e)
{
    struct store_advisory ad;
    if (strlen(id) >= sizeof(ad.id) || store_advisory_get(c, id, &ad))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such advisory");
    bool nisc = strcmp(who->org.kind, "nisc") == 0;
    bool own = strcmp(ad.author, who->org.id) == 0;
    bool inject = advisory_sent_on_behalf(c, who, ad.author, id);
    store_advisory_release(&ad);
    bool author = nisc || (own && !inject);
    struct store_hop h;
    bool hop = inject || (store_hop_get(c, id, who->org.id, &h) == IS_OK &&
                          strcmp(h.state, "pending") != 0);
    bool cep = strcmp(who->org.kind, "ceptoar") == 0;
    bool min = strcmp(who->org.kind, "ministry") == 0;
    v->via = "";
    v->ministry = "";
    if (author)
        return IS_OK;
    if (hop && cep) {
        v->via = who->org.id;
        return IS_OK;
    }
    if (hop && min) {
        v->ministry = who->org.id;
        return IS_OK;
    }
    struct store_recipient r;
    /* not a recipient, or one still waiting below a hop (for which the
     * advisory does not exist yet): what a missing id gets */
    if (!hop && (store_recipient_get(c, id, who->org.id, &r) || !r.released_at))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such advisory");
    return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                    "the answers are for the author's chain and the "
                    "secretariats");
}

static json_t *bucket_new(void)
{
    return json_pack("{s:i,s:i,s:i,s:{}}", "recipients", 0, "answered", 0,
                     "unanswered", 0, "values");
}

static void bucket_add(json_t *b, const struct store_rollcall_count *x)
{
    if (!*x->question) {
        json_t *v = json_object_get(b, x->value);
        if (v)
            json_object_set_new(b, x->value,
                                json_integer(json_integer_value(v) + x->n));
        return;
    }
    json_t *vals = json_object_get(b, "values");
    json_t *q = json_object_get(vals, x->question);
    if (!q) {
        q = json_object();
        json_object_set_new(vals, x->question, q);
    }
    json_t *n = json_object_get(q, x->value);
    json_object_set_new(q, x->value,
                        json_integer(json_integer_value(n) + x->n));
}

static void bucket_finish(json_t *b)
{
    json_int_t r = json_integer_value(json_object_get(b, "recipients"));
    json_int_t a = json_integer_value(json_object_get(b, "answered"));
    json_object_set_new(b, "unanswered", json_integer(r - a));
}

/* {totals, by_ceptoar, by_sector} from the counters v sees. */
static json_t *counts_json(const struct store_rollcall_count_list *l)
{
    json_t *all = bucket_new(), *by_c = json_object(), *by_s = json_object();
    for (size_t i = 0; i < l->n; i++) {
        const struct store_rollcall_count *x = &l->items[i];
        const char *ck = *x->via ? x->via : "(direct)";
        const char *sk = *x->sector ? x->sector : "(none)";
        if (!json_object_get(by_c, ck))
            json_object_set_new(by_c, ck, bucket_new());
        if (!json_object_get(by_s, sk))
            json_object_set_new(by_s, sk, bucket_new());
        bucket_add(all, x);
        bucket_add(json_object_get(by_c, ck), x);
        bucket_add(json_object_get(by_s, sk), x);
    }
    const char *k;
    json_t *b;
    bucket_finish(all);
    json_object_foreach (by_c, k, b)
        bucket_finish(b);
    json_object_foreach (by_s, k, b)
        bucket_finish(b);
    return json_pack("{s:o,s:o,s:o}", "totals", all, "by_ceptoar", by_c,
                     "by_sector", by_s);
}

/* s as a JSON string (quoted, escaped) at the end of b. */
static void json_text(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    buf_adds(b, "\"");
    const unsigned char *run = (const unsigned char *)(s ? s : "");
    const unsigned char *p = run;
    for (; *p; p++) {
        if (*p != '"' && *p != '\\' && *p >= 0x20)
            continue; /* copied with its run */
        buf_add(b, run, (size_t)(p - run));
        run = p + 1;
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            buf_add(b, esc, 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            buf_add(b, esc, 6);
        }
    }
    buf_add(b, run, (size_t)(p - run));
    buf_adds(b, "\"");
}

/* A time as the API writes it: RFC 3339 in quotes, or null for 0. */
static void json_time(struct buf *b, int64_t t)
{
    char s[UTIL_TIME_LEN];
    if (!t) {
        buf_adds(b, "null");
        return;
    }
    util_time_rfc3339(t, s);
    buf_addf(b, "\"%s\"", s);
}

/* One row of the board as JSON text, exactly row_json's object: the
 * board's page is written directly (no JSON tree per row) because it is
 * read often while answers arrive (bench/README.md, roll calls). The
 * stored answers are the hub's own compact JSON and are copied as they
 * are. */
static void row_text(struct buf *b, const struct store_rollcall_row *x)
{
    buf_adds(b, "{\"org\":");
    json_text(b, x->org);
    buf_adds(b, ",\"name\":{\"ja\":");
    json_text(b, x->name_ja);
    buf_adds(b, ",\"en\":");
    json_text(b, x->name_en);
    buf_adds(b, "},\"ceptoar\":");
    json_text(b, x->via);
    buf_adds(b, ",\"sector\":");
    json_text(b, x->sector);
    buf_adds(b, ",\"released_at\":");
    json_time(b, x->released_at);
    buf_adds(b, ",\"escalated_at\":");
    json_time(b, x->escalated_at);
    if (!x->answers) {
        buf_adds(b, ",\"answered\":false,\"answer\":null}");
        return;
    }
    buf_adds(b, ",\"answered\":true,\"answer\":{\"answers\":");
    buf_adds(b, x->answers);
    buf_adds(b, ",\"answered_at\":");
    json_time(b, x->answered_at);
    buf_adds(b, ",\"via\":");
    json_text(b, x->how);
    buf_addf(b, ",\"revision\":%lld}}", (long long)x->revision);
}

static int state_code(const char *state)
{
    if (!state || strcmp(state, "all") == 0)
        return 0;
    return strcmp(state, "answered") == 0 ? 1 : 2;
}

/* The board as rollcall_board answers it, read by the caller inside one
 * snapshot. */
static int board_text(struct store_conn *c, const struct viewer *vw,
                      const char *id, const char *state, const char *after,
                      int limit, char **text, size_t *len, struct svc_error *e)
{
    json_t *norm = NULL;
    if (form_load(c, id, &norm, NULL))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "this advisory asks for no answers");
    struct store_rollcall_count_list cl = {0};
    struct store_rollcall_row_list rl = {0};
    if (store_rollcall_counts(c, id, vw->via, vw->ministry, &cl) ||
        store_rollcall_board_page(c, id, vw->via, vw->ministry,
                                  after ? after : "", state_code(state),
                                  limit + 1, &rl)) {
        store_rollcall_count_list_free(&cl);
        json_decref(norm);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "the board");
    }
    /* the counts and the form through jansson (small), the rows as text */
    json_t *o = counts_json(&cl);
    json_object_set_new(o, "advisory", json_string(id));
    json_object_set_new(o, "form", norm);
    char *head = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    struct buf b;
    buf_init(&b, 64u * 1024 * 1024);
    size_t hl = head ? strlen(head) : 0;
    if (hl > 1)
        buf_add(&b, head, hl - 1); /* without its closing brace */
    free(head);
    buf_adds(&b, ",\"items\":[");
    size_t shown = rl.n > (size_t)limit ? (size_t)limit : rl.n;
    for (size_t i = 0; i < shown; i++) {
        if (i)
            buf_adds(&b, ",");
        row_text(&b, &rl.items[i]);
    }
    buf_adds(&b, "],\"next_cursor\":");
    if (rl.n > (size_t)limit)
        json_text(&b, rl.items[limit - 1].org);
    else
        buf_adds(&b, "null");
    buf_adds(&b, "}");
    store_rollcall_count_list_free(&cl);
    store_rollcall_row_list_free(&rl);
    *len = b.len;
    *text = hl > 1 ? buf_detach(&b) : NULL;
    if (hl <= 1)
        buf_release(&b);
    return *text ? IS_OK
                 : svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "the board");
}

int rollcall_board(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *id,
                   const char *state, const char *after, int limit, int64_t now,
                   char **text, size_t *len, struct svc_error *e)
{
    IS_UNUSED(now);
    struct viewer v;
    int rc = viewer_of(c, who, id, &v, e);
    if (rc)
        return rc;
    /* The board is read often while answers arrive (bench/README.md, roll
     * calls): the version is read first and the board in the same
     * snapshot, so a text kept under version n shows at least the state of
     * n; the key holds everything that chooses the text (the viewer's
     * filter, not the viewer). */
    char key[RCACHE_KEY_LEN];
    int kl = snprintf(key, sizeof(key), "%s|%s|%s|%d|%d|%s", id, v.via,
                      v.ministry, state_code(state), limit, after ? after : "");
    bool cacheable = a && a->board_cache && kl > 0 && (size_t)kl < sizeof(key);
    if (store_read_begin(c))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "the board");
    int64_t version = 0;
    if (cacheable && store_rollcall_version(c, id, &version))
        cacheable = false;
    if (cacheable && rcache_get(a->board_cache, key, version, text, len)) {
        store_read_end(c);
        return IS_OK;
    }
    rc = board_text(c, &v, id, state, after, limit, text, len, e);
    store_read_end(c);
    if (!rc && cacheable)
        rcache_put(a->board_cache, key, version, *text, *len);
    return rc;
}

#define CSV_CAP (64u * 1024 * 1024)
#define CSV_PAGE 1000

int rollcall_board_csv(struct app *a, struct store_conn *c,
                       const struct auth_ctx *who, const char *id,
                       const char *state, int64_t now, char **text, size_t *len,
                       struct svc_error *e)
{
    IS_UNUSED(a);
    struct viewer v;
    int rc = viewer_of(c, who, id, &v, e);
    if (rc)
        return rc;
    json_t *norm = NULL;
    struct form f;
    if (form_load(c, id, &norm, &f))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "this advisory asks for no answers");
    json_decref(norm);
    struct buf b;
    buf_init(&b, CSV_CAP);
    static const char *const head[] = {"org",         "name_ja", "name_en",
                                       "ceptoar",     "sector",  "answered",
                                       "answered_at", "via",     "revision"};
    for (size_t i = 0; i < IS_ARRAY_LEN(head); i++)
        csv_cell(&b, head[i], false);
    for (int k = 0; k < f.n; k++)
        csv_cell(&b, f.q[k].id, k == f.n - 1);
    char after[IDS_LEN] = "";
    int64_t rows = 0;
    for (;;) {
        struct store_rollcall_row_list rl = {0};
        if (store_rollcall_board_page(c, id, v.via, v.ministry, after,
                                      state_code(state), CSV_PAGE, &rl)) {
            buf_release(&b);
            return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "the board");
        }
        for (size_t i = 0; i < rl.n; i++) {
            const struct store_rollcall_row *x = &rl.items[i];
            json_t *ans = x->answers ? json_loads(x->answers, 0, NULL) : NULL;
            char at[UTIL_TIME_LEN] = "", rev[24] = "";
            if (x->answers) {
                util_time_rfc3339(x->answered_at, at);
                snprintf(rev, sizeof(rev), "%lld", (long long)x->revision);
            }
            csv_cell(&b, x->org, false);
            csv_cell(&b, x->name_ja, false);
            csv_cell(&b, x->name_en, false);
            csv_cell(&b, x->via, false);
            csv_cell(&b, x->sector, false);
            csv_cell(&b, x->answers ? "yes" : "no", false);
            csv_cell(&b, at, false);
            csv_cell(&b, x->answers ? x->how : "", false);
            csv_cell(&b, rev, f.n == 0);
            for (int k = 0; k < f.n; k++)
                csv_cell(&b, jv_str(ans, f.q[k].id), k == f.n - 1);
            json_decref(ans);
            rows++;
        }
        bool more = rl.n == CSV_PAGE;
        if (more)
            util_xcopy(after, sizeof(after), rl.items[rl.n - 1].org);
        store_rollcall_row_list_free(&rl);
        if (!more)
            break;
    }
    if (buf_error(&b)) { /* never a cut-short export */
        buf_release(&b);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the export is too large");
    }
    if (audit_record(c, who, now, "rollcall.export", id,
                     json_pack("{s:I,s:s}", "rows", (json_int_t)rows, "state",
                               state ? state : "all"))) {
        buf_release(&b);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the export could not be audited, so it is refused");
    }
    *len = b.len;
    *text = buf_detach(&b);
    return *text ? IS_OK
                 : svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "the board");
}

/* ---- the signed link's answer page ---- */

bool rollcall_link_is_form(struct app *a, struct store_conn *c,
                           const char *token)
{
    IS_UNUSED(a);
    size_t n = strlen(token);
    if (n < 20 || n > 120)
        return false;
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, n, NULL, 0);
    char adv[40], org[64];
    int64_t exp, used;
    if (store_ack_link_get(c, h, adv, sizeof(adv), org, sizeof(org), &exp,
                           &used))
        return false;
    return rollcall_has_form(c, adv);
}

/* The title of adv as {ja, en} (a new reference), or NULL. */
static json_t *title_of(struct store_conn *c, const char *adv)
{
    struct store_advisory ad;
    if (store_advisory_get(c, adv, &ad))
        return NULL;
    json_t *t = json_pack("{s:s,s:s}", "ja", ad.title_ja, "en", ad.title_en);
    store_advisory_release(&ad);
    return t;
}

/* The link page's fields (question id -> value) as the API's answers. */
static json_t *fields_as_answers(const struct form *f, const json_t *fields)
{
    json_t *arr = json_array();
    for (int k = 0; arr && k < f->n; k++) {
        const char *v = jv_str(fields, f->q[k].id);
        if (v)
            json_array_append_new(arr, json_pack("{s:s,s:s}", "question",
                                                 f->q[k].id, "value", v));
    }
    return arr;
}

int rollcall_link(struct app *a, struct store_conn *c, const char *token,
                  const char *addr, bool confirm, const json_t *fields,
                  int64_t now, json_t **form, json_t **title,
                  struct svc_error *e)
{
    struct advisory_link l;
    *form = NULL;
    *title = NULL;
    int rc = advisory_link_check(
        a, c, token, addr, confirm ? ACK_LINK_CONFIRM : ACK_LINK_VIEW, now, &l);
    if (rc)
        return svc_fail(e, rc, "link", NULL, "link refused");
    struct form f;
    if (form_load(c, l.adv, form, &f))
        return svc_fail(e, IS_ERR_NOTFOUND, "link", NULL, "no form");
    *title = title_of(c, l.adv);
    if (!confirm)
        return IS_OK;
    /* every field the page sent must be a question of the form */
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)fields, k, v) {
        int q = 0;
        while (q < f.n && strcmp(f.q[q].id, k) != 0)
            q++;
        if (q == f.n || !json_is_string(v) ||
            !util_utf8_ok(json_string_value(v), strlen(json_string_value(v))))
            return svc_fail(e, IS_ERR_INVALID, "unknown_field", k,
                            "%.60s: the form has no such question", k);
    }
    json_t *items = fields_as_answers(&f, fields), *ans = NULL;
    rc = items ? answers_check(&f, items, &ans, e) : IS_ERR_NOMEM;
    json_decref(items);
    if (rc)
        return rc == IS_ERR_NOMEM ? svc_fail(e, rc, "internal", NULL, "memory")
                                  : rc;
    int64_t rev = 0;
    bool replaced = false;
    rc = store_begin(c);
    if (!rc)
        rc = store_ack_link_use(c, l.hash, now);
    if (!rc)
        rc = answer_write(c, NULL, l.adv, l.org, &f, ans, "link", addr, now,
                          &rev, &replaced);
    if (!rc)
        rc = store_commit(c);
    json_decref(ans);
    if (rc) {
        store_rollback(c);
        return svc_fail(
            e, rc == IS_ERR_CONFLICT ? IS_ERR_CONFLICT : IS_ERR_INTERNAL,
            "link", NULL, "not answered");
    }
    if (a->wake_outbox)
        a->wake_outbox(a);
    return IS_OK;
}

const char *rollcall_ynu_label(int i, bool ja)
{
    if (i < 0 || i >= (int)IS_ARRAY_LEN(ynu_ids))
        return NULL;
    return ja ? ynu_ja[i] : ynu_en[i];
}
