/*
 * exercises.c - cross-sector exercises: planning, briefing, the console,
 * the board and what participants add (see service/exercises.h).
 */
#include "service/exercises.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "core/access.h"
#include "core/exercise.h"
#include "core/roles.h"
#include "service/exercise_run.h"
#include "service/exercise_scenario.h"
#include "service/rollcall.h"
#include "store/store_exercise.h"

/* ---- request bodies ---- */

static const struct jv_field who_spec[] = {
    {.name = "orgs", .type = JV_STRING_ARRAY, .max_len = 2000, .item_len = 63},
    {.name = "sectors", .type = JV_STRING_ARRAY, .max_len = 32, .item_len = 63},
    {.name = "ceptoars",
     .type = JV_STRING_ARRAY,
     .max_len = 64,
     .item_len = 63},
};

const struct jv_field exercise_create_spec[] = {
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
    /* the scenario file (service/exercise_scenario.h checks it) */
    {.name = "scenario", .type = JV_OBJECT, .required = true},
    {.name = "participants",
     .type = JV_OBJECT,
     .sub = who_spec,
     .nsub = IS_ARRAY_LEN(who_spec)},
    {.name = "planned_for", .type = JV_STRING, .max_len = 10},
    {.name = "scale", .type = JV_INT, .min = 1, .max = 3600},
    {.name = "briefing_ja", .type = JV_STRING, .max_len = 20000},
    {.name = "briefing_en", .type = JV_STRING, .max_len = 20000},
    {.name = NULL},
};

const struct jv_field exercise_participants_spec[] = {
    {.name = "orgs", .type = JV_STRING_ARRAY, .max_len = 2000, .item_len = 63},
    {.name = "sectors", .type = JV_STRING_ARRAY, .max_len = 32, .item_len = 63},
    {.name = "ceptoars",
     .type = JV_STRING_ARRAY,
     .max_len = 64,
     .item_len = 63},
    {.name = NULL},
};

const struct jv_field exercise_participant_spec[] = {
    {.name = "venue", .type = JV_STRING, .max_len = 200},
    {.name = "theme_ja", .type = JV_STRING, .max_len = 1000},
    {.name = "theme_en", .type = JV_STRING, .max_len = 1000},
    {.name = NULL},
};

/* The rules pre-check of the briefing: what each participant confirms
 * before the day (docs/rules.md). */
static const char *const checklist_items[] = {
    "contacts_current", "rules_reviewed", "roles_assigned",
    "bcp_authority_known", "report_route_known"};
static const struct jv_field checklist_item_spec[] = {
    {.name = "contacts_current", .type = JV_BOOL},
    {.name = "rules_reviewed", .type = JV_BOOL},
    {.name = "roles_assigned", .type = JV_BOOL},
    {.name = "bcp_authority_known", .type = JV_BOOL},
    {.name = "report_route_known", .type = JV_BOOL},
};
const struct jv_field exercise_checklist_spec[] = {
    {.name = "items",
     .type = JV_OBJECT,
     .required = true,
     .sub = checklist_item_spec,
     .nsub = IS_ARRAY_LEN(checklist_item_spec)},
    {.name = NULL},
};

static const char *const control_actions[] = {
    "brief",   "start", "pause",  "resume", "shift",
    "advance", "fire",  "inject", "end",    NULL};
const struct jv_field exercise_control_spec[] = {
    {.name = "action",
     .type = JV_STRING,
     .required = true,
     .max_len = 10,
     .enum_values = control_actions},
    /* shift (either way) and advance (forward only) */
    {.name = "minutes", .type = JV_INT, .min = -1440, .max = 1440},
    /* fire: the scenario's inject id */
    {.name = "inject", .type = JV_STRING, .max_len = 47},
    /* inject: an ad-hoc inject in the scenario's format (no at_min) */
    {.name = "adhoc", .type = JV_OBJECT},
    /* start: the time scale, and whether the clock starts paused */
    {.name = "scale", .type = JV_INT, .min = 1, .max = 3600},
    {.name = "paused", .type = JV_BOOL},
    {.name = NULL},
};

const struct jv_field exercise_bcp_spec[] = {
    {.name = "note", .type = JV_STRING, .max_len = 2000},
    {.name = NULL},
};

const struct jv_field exercise_answer_spec[] = {
    /* issues found with internal rules (003:2215, 2219-2223) */
    {.name = "gaps", .type = JV_STRING, .required = true, .max_len = 4000},
    {.name = "went_well", .type = JV_STRING, .max_len = 4000},
    {.name = "improve", .type = JV_STRING, .max_len = 4000},
    {.name = "rating", .type = JV_INT, .min = 1, .max = 5},
    {.name = NULL},
};

const struct jv_field exercise_note_spec[] = {
    {.name = "group", .type = JV_STRING, .required = true, .max_len = 60},
    {.name = "text", .type = JV_STRING, .required = true, .max_len = 4000},
    {.name = NULL},
};

static const char *const report_states[] = {"interim", "final", NULL};
const struct jv_field exercise_report_spec[] = {
    {.name = "state",
     .type = JV_STRING,
     .required = true,
     .max_len = 7,
     .enum_values = report_states},
    {.name = "summary_ja", .type = JV_STRING, .max_len = 20000},
    {.name = "summary_en", .type = JV_STRING, .max_len = 20000},
    {.name = NULL},
};

/* BCP activations one organisation may declare in one exercise */
#define EX_MAX_BCP 20

/* ---- who ---- */

bool exercise_controller(const struct auth_ctx *who)
{
    if (!who)
        return false;
    if (who->roles & ROLE_ADMIN)
        return true;
    return strcmp(who->org.kind, "nisc") == 0 &&
           (who->roles & (ROLE_ANALYST | ROLE_LIAISON));
}

static int not_found(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                    "no such exercise, or it is not yours to see");
}

static int need_controller(const struct auth_ctx *who, struct svc_error *e)
{
    if (exercise_controller(who))
        return IS_OK;
    return svc_fail(e, IS_ERR_FORBIDDEN, "not_a_controller", NULL,
                    "only the exercise's controllers (NISC's analysts and "
                    "liaisons, hub administrators) may do this");
}

/* Loads exercise id when who may see it (a controller, or a user of a
 * participant); *part says whether who's organisation takes part. */
static int load(struct store_conn *c, const struct auth_ctx *who,
                const char *id, struct store_exercise *x, bool *part,
                struct svc_error *e)
{
    int rc = store_exercise_get(c, id, x);
    if (rc == IS_ERR_NOTFOUND)
        return not_found(e);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the exercise cannot be read");
    struct store_ex_participant p;
    *part = store_ex_participant_get(c, id, who->org.id, &p) == IS_OK;
    if (!*part && !exercise_controller(who)) {
        store_exercise_release(x);
        return not_found(e);
    }
    return IS_OK;
}

static int write_end(struct store_conn *c, int rc, struct svc_error *e)
{
    if (!rc && (rc = store_commit(c)))
        svc_fail(e, rc, "internal", NULL, "the change could not be stored");
    if (rc) {
        store_rollback(c);
        if (!e->err)
            svc_fail(e, rc, rc == IS_ERR_CONFLICT ? "conflict" : "internal",
                     NULL, "the change could not be stored");
    }
    return rc;
}

/* ---- answers ---- */

static json_t *clock_json(const struct store_exercise *x, int64_t real_now)
{
    struct ex_clock k;
    ex_clock_of(x, &k);
    bool running = strcmp(x->state, "running") == 0;
    int64_t at = running ? real_now : x->ended_at;
    int64_t world = x->started_at ? x->started_at + ex_world_s(&k, at) : 0;
    if (!running && x->ended_world)
        world = x->ended_world;
    json_t *o = json_pack(
        "{s:b,s:i,s:I,s:I,s:I,s:o,s:o}", "paused",
        running && x->paused_since != 0, "scale", x->scale, "minute",
        (json_int_t)(x->started_at ? ex_elapsed_s(&k, at) / 60 : 0),
        "shift_min", (json_int_t)(x->shift_s / 60), "advanced_min",
        (json_int_t)(x->advanced_s / 60), "started_at",
        svc_time_json(x->started_at), "exercise_time", svc_time_json(world));
    return o;
}

static json_t *part_json(const struct store_ex_participant *p)
{
    json_error_t je;
    json_t *ck = json_loads(p->checklist, 0, &je);
    return json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:s,s:{s:s,s:s},s:o}", "org",
                     p->org_id, "kind", p->kind, "sector", p->sector_id, "name",
                     "ja", p->name_ja, "en", p->name_en, "venue", p->venue,
                     "theme", "ja", p->theme_ja, "en", p->theme_en, "checklist",
                     ck ? ck : json_object());
}

static json_t *exercise_json(struct app *a, struct store_conn *c,
                             const struct auth_ctx *who,
                             const struct store_exercise *x, bool full,
                             int64_t real_now)
{
    bool ctl = exercise_controller(who);
    json_t *o = json_pack(
        "{s:s,s:{s:s,s:s},s:s,s:s,s:i,s:o,s:I,s:s,s:o,s:I}", "id", x->id,
        "title", "ja", x->title_ja, "en", x->title_en, "state", x->state,
        "planned_for", x->planned_for, "participants", x->participants, "clock",
        clock_json(x, real_now), "version", (json_int_t)x->version,
        "report_state", x->report_state, "created_at",
        svc_time_json(x->created_at), "controller", (json_int_t)ctl);
    json_object_set_new(o, "controller", json_boolean(ctl));
    /* the version counts every control action, injects fired to others
     * included: the controllers' alone (docs/rules.md, "Exercises") */
    if (!ctl)
        json_object_del(o, "version");
    if (!full)
        return o;
    json_object_set_new(o, "briefing",
                        json_pack("{s:s,s:s}", "ja",
                                  x->briefing_ja ? x->briefing_ja : "", "en",
                                  x->briefing_en ? x->briefing_en : ""));
    json_error_t je;
    json_t *sc = x->scenario ? json_loads(x->scenario, 0, &je) : NULL;
    /* the timeline is the controllers': participants meet it as it comes */
    if (ctl && sc)
        json_object_set(o, "scenario", sc);
    json_object_set_new(
        o, "scenario_id",
        json_string(sc && json_string_value(json_object_get(sc, "id"))
                        ? json_string_value(json_object_get(sc, "id"))
                        : ""));
    json_decref(sc);
    if (ctl) {
        struct store_ex_participant *ps = NULL;
        size_t n = 0;
        json_t *arr = json_array();
        if (!store_ex_participants(c, x->id, &ps, &n))
            for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, part_json(&ps[i]));
        free(ps);
        json_object_set_new(o, "participant_list", arr);
    }
    struct store_ex_participant me;
    json_t *mine = store_ex_participant_get(c, x->id, who->org.id, &me)
                       ? json_null()
                       : part_json(&me);
    if (json_is_object(mine)) {
        /* what it gave: its questionnaire, its BCP activation */
        struct store_ex_text t;
        json_t *q = json_null();
        if (store_ex_answer_get(c, x->id, who->org.id, &t) == IS_OK) {
            json_t *ans = json_loads(t.text, 0, NULL);
            q = json_pack("{s:o,s:o}", "answers", ans ? ans : json_object(),
                          "submitted_at", svc_time_json(t.at));
            free(t.text);
        }
        json_object_set_new(mine, "questionnaire", q);
        int64_t bcp = 0;
        struct ex_run *r = ex_run_get(a, x->id);
        if (r) {
            struct store_conn *xc = store_acquire(r->store);
            if (store_ex_bcp_last(xc, who->org.id, &bcp))
                bcp = 0;
            store_put(r->store, xc);
            ex_run_put(r);
        }
        json_object_set_new(mine, "bcp_declared_at", svc_time_json(bcp));
    }
    json_object_set_new(o, "me", mine);
    if (*x->report_state)
        json_object_set_new(o, "report",
                            json_pack("{s:s,s:s}", "ja",
                                      x->report_ja ? x->report_ja : "", "en",
                                      x->report_en ? x->report_en : ""));
    return o;
}

/* ---- planning ---- */

/* Adds the participants named in w (orgs, sectors, ceptoars); each must
 * be in the registry. */
static int add_participants(struct store_conn *c, const char *id,
                            const json_t *w, int *added, struct svc_error *e)
{
    size_t i;
    json_t *v;
    char field[64];
    json_array_foreach (json_object_get(w, "orgs"), i, v) {
        struct access_org rel;
        const char *org = json_string_value(v);
        util_xsnprintf(field, sizeof(field), "orgs[%zu]", i);
        int rc = store_org_rel(c, org, &rel);
        if (rc == IS_ERR_NOTFOUND)
            return svc_fail(e, IS_ERR_INVALID, "unknown_participants", field,
                            "%s: %.63s is not in the registry", field, org);
        if (!rc)
            rc = store_ex_participant_add(c, id, org, added);
        if (rc)
            return svc_fail(e, rc, "internal", NULL, "not stored");
    }
    json_array_foreach (json_object_get(w, "sectors"), i, v) {
        const char *s = json_string_value(v);
        util_xsnprintf(field, sizeof(field), "sectors[%zu]", i);
        int rc = store_names(c, "sector", s, NULL, 0, NULL, 0);
        if (rc == IS_ERR_NOTFOUND)
            return svc_fail(e, IS_ERR_INVALID, "unknown_participants", field,
                            "%s: no sector %.63s", field, s);
        if (!rc)
            rc = store_ex_participant_add_sector(c, id, s, added);
        if (rc)
            return svc_fail(e, rc, "internal", NULL, "not stored");
    }
    json_array_foreach (json_object_get(w, "ceptoars"), i, v) {
        const char *s = json_string_value(v);
        struct access_org rel;
        util_xsnprintf(field, sizeof(field), "ceptoars[%zu]", i);
        int rc = store_org_rel(c, s, &rel);
        if (rc == IS_ERR_NOTFOUND || (!rc && strcmp(rel.kind, "ceptoar")))
            return svc_fail(e, IS_ERR_INVALID, "unknown_participants", field,
                            "%s: no CEPTOAR %.63s", field, s);
        if (!rc)
            rc = store_ex_participant_add_ceptoar(c, id, s, added);
        if (rc)
            return svc_fail(e, rc, "internal", NULL, "not stored");
    }
    return IS_OK;
}

/* The senders of the scenario's injects must be organisations that issue
 * advisories (NISC, ministries, secretariats, the Council, agencies). */
static int senders_check(struct store_conn *c, const json_t *sc,
                         struct svc_error *e)
{
    size_t i;
    json_t *in;
    json_array_foreach (json_object_get(sc, "injects"), i, in) {
        struct access_org rel;
        const char *from = json_string_value(json_object_get(in, "from"));
        if (store_org_rel(c, from, &rel) == IS_OK &&
            !access_may_author_advisory(rel.kind)) {
            char field[64];
            util_xsnprintf(field, sizeof(field), "scenario.injects[%zu].from",
                           i);
            return svc_fail(e, IS_ERR_INVALID, "invalid_sender", field,
                            "%s: %.63s does not issue advisories (NISC, "
                            "ministries, CEPTOAR secretariats, the Council "
                            "and agencies do)",
                            field, from);
        }
    }
    return IS_OK;
}

/* A roll call's form on an inject (`form`, as an advisory's). */
static int forms_check(const json_t *sc, struct svc_error *e)
{
    size_t i;
    json_t *in;
    json_array_foreach (json_object_get(sc, "injects"), i, in) {
        const json_t *form = json_object_get(in, "form");
        if (!form)
            continue;
        json_t *norm = NULL;
        struct jv_error je;
        char field[64];
        util_xsnprintf(field, sizeof(field), "scenario.injects[%zu].form", i);
        if (!json_is_object(form) ||
            jv_check(form, rollcall_form_spec, ROLLCALL_FORM_SPEC_N, &je))
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                            "%s: a roll call's form (name, questions), as "
                            "an advisory's",
                            field);
        int rc = rollcall_form_check(form, &norm, e);
        json_decref(norm);
        if (rc) {
            util_xcopy(e->field, sizeof(e->field), field);
            return rc;
        }
    }
    return IS_OK;
}

static int scenario_check(struct store_conn *c, const json_t *sc,
                          struct svc_error *e)
{
    struct ex_scenario *s = malloc(sizeof(*s));
    if (!s)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    int rc = exercise_scenario_load(c, sc, s, e);
    free(s);
    if (rc) {
        /* name the field inside the request's body */
        char field[sizeof(e->field) + 16];
        snprintf(field, sizeof(field), "scenario%s%s", *e->field ? "." : "",
                 e->field);
        svc_field(e, field);
        return rc;
    }
    rc = forms_check(sc, e);
    return rc ? rc : senders_check(c, sc, e);
}

int exercise_create(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const json_t *body, int64_t now,
                    json_t **out, struct svc_error *e)
{
    int rc = need_controller(who, e);
    if (rc)
        return rc;
    const char *pf = jv_str(body, "planned_for");
    /* a day of the calendar (not 2026-02-30): the date at midnight UTC
     * must be an RFC 3339 time */
    char day[32];
    int64_t t;
    snprintf(day, sizeof(day), "%sT00:00:00Z", pf ? pf : "");
    if (pf && *pf && (strlen(pf) != 10 || util_time_parse(day, &t)))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "planned_for",
                        "planned_for: a date, YYYY-MM-DD");
    const json_t *sc = json_object_get(body, "scenario");
    struct store_exercise x = {.scale = (int)jv_int(body, "scale", 1),
                               .created_by = who->user_id,
                               .created_at = now};
    char hex[17];
    util_random_hex(hex, 8);
    snprintf(x.id, sizeof(x.id), "X%s", hex);
    util_xcopy(x.title_ja, sizeof(x.title_ja), jv_str(body, "title_ja"));
    util_xcopy(x.title_en, sizeof(x.title_en), jv_str(body, "title_en"));
    util_xcopy(x.planned_for, sizeof(x.planned_for), pf ? pf : "");
    x.briefing_ja = (char *)jv_str(body, "briefing_ja");
    x.briefing_en = (char *)jv_str(body, "briefing_en");
    x.scenario = json_dumps(sc, JSON_COMPACT);
    if (!x.scenario)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    /* the scenario's check reads the registry outside the write lock:
     * its thousands of lookups hold no writer back */
    rc = scenario_check(c, sc, e);
    if (rc) {
        free(x.scenario);
        return rc;
    }
    rc = store_begin(c);
    if (!rc && (rc = store_exercise_insert(c, &x)))
        svc_fail(e, rc, "internal", NULL, "the exercise could not be stored");
    int added = 0;
    if (!rc)
        rc = add_participants(c, x.id, json_object_get(body, "participants"),
                              &added, e);
    if (!rc)
        rc = audit_record(c, who, now, "exercise.create", x.id,
                          json_pack("{s:i}", "participants", added));
    free(x.scenario);
    x.scenario = NULL;
    x.briefing_ja = x.briefing_en = NULL;
    if (write_end(c, rc, e))
        return e->err;
    struct store_exercise got;
    if (store_exercise_get(c, x.id, &got))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "not read back");
    *out = exercise_json(a, c, who, &got, true, util_now());
    store_exercise_release(&got);
    return IS_OK;
}

int exercise_get(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, json_t **out,
                 struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_exercise x;
    bool part;
    int rc = load(c, who, id, &x, &part, e);
    if (rc)
        return rc;
    *out = exercise_json(a, c, who, &x, true, util_now());
    store_exercise_release(&x);
    return IS_OK;
}

int exercise_list(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_exercise *xs = NULL;
    size_t n = 0;
    int rc = store_exercise_list(
        c, exercise_controller(who) ? NULL : who->org.id, &xs, &n);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the list cannot be read");
    json_t *arr = json_array();
    int64_t now = util_now();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr,
                              exercise_json(a, c, who, &xs[i], false, now));
    store_exercise_list_free(xs, n);
    *out = json_pack("{s:o}", "exercises", arr);
    return IS_OK;
}

static bool planning(const struct store_exercise *x)
{
    return strcmp(x->state, "planning") == 0 ||
           strcmp(x->state, "briefing") == 0;
}

static int not_planning(const struct store_exercise *x, struct svc_error *e)
{
    return svc_fail(e, IS_ERR_CONFLICT, "exercise_started", NULL,
                    "the exercise is %s: participants change only while "
                    "it is planned or briefed",
                    x->state);
}

/* Opens the write, loads the exercise for a controller. */
static int begin_ctl(struct store_conn *c, const struct auth_ctx *who,
                     const char *id, struct store_exercise *x,
                     struct svc_error *e)
{
    int rc = need_controller(who, e);
    if (rc)
        return rc;
    if ((rc = store_begin(c)))
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    rc = store_exercise_get(c, id, x);
    if (rc) {
        store_rollback(c);
        return rc == IS_ERR_NOTFOUND ? not_found(e)
                                     : svc_fail(e, rc, "internal", NULL,
                                                "the exercise cannot be read");
    }
    return IS_OK;
}

/* Opens the write and loads the exercise for a participant's own act
 * (403 when who's organisation takes no part); on an error nothing is
 * open. */
static int begin_part(struct store_conn *c, const struct auth_ctx *who,
                      const char *id, struct store_exercise *x,
                      struct svc_error *e)
{
    int rc = store_begin(c);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    bool part = false;
    rc = load(c, who, id, x, &part, e);
    if (!rc && !part) {
        store_exercise_release(x);
        rc = svc_fail(e, IS_ERR_FORBIDDEN, "not_a_participant", NULL,
                      "your organisation takes no part in this exercise");
    }
    if (rc)
        store_rollback(c);
    return rc;
}

static int answer_exercise(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, const char *id,
                           json_t **out, struct svc_error *e)
{
    struct store_exercise x;
    if (store_exercise_get(c, id, &x))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "not read back");
    *out = exercise_json(a, c, who, &x, true, util_now());
    store_exercise_release(&x);
    return IS_OK;
}

int exercise_participants_add(struct app *a, struct store_conn *c,
                              const struct auth_ctx *who, const char *id,
                              const json_t *body, int64_t now, json_t **out,
                              struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_exercise x;
    int rc = begin_ctl(c, who, id, &x, e);
    if (rc)
        return rc;
    int added = 0;
    if (!planning(&x))
        rc = not_planning(&x, e);
    if (!rc)
        rc = add_participants(c, id, body, &added, e);
    if (!rc)
        rc = audit_record(c, who, now, "exercise.participants", id,
                          json_pack("{s:i}", "added", added));
    store_exercise_release(&x);
    if (write_end(c, rc, e))
        return e->err;
    return answer_exercise(a, c, who, id, out, e);
}

int exercise_participant_put(struct app *a, struct store_conn *c,
                             const struct auth_ctx *who, const char *id,
                             const char *org, const json_t *body, int64_t now,
                             json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_exercise x;
    int rc = begin_ctl(c, who, id, &x, e);
    if (rc)
        return rc;
    bool ended = strcmp(x.state, "ended") == 0;
    store_exercise_release(&x);
    struct store_ex_participant p;
    rc = ended ? svc_fail(e, IS_ERR_CONFLICT, "exercise_ended", NULL,
                          "the exercise has ended")
               : store_ex_participant_get(c, id, org, &p);
    if (rc == IS_ERR_NOTFOUND)
        svc_fail(e, rc, "not_a_participant", "org",
                 "%.63s takes no part in this exercise", org);
    static const char *const keys[] = {"venue", "theme_ja", "theme_en"};
    char *dst[] = {p.venue, p.theme_ja, p.theme_en};
    size_t lens[] = {sizeof(p.venue), sizeof(p.theme_ja), sizeof(p.theme_en)};
    for (size_t k = 0; !rc && k < IS_ARRAY_LEN(keys); k++)
        if (jv_str(body, keys[k]))
            util_xcopy(dst[k], lens[k], jv_str(body, keys[k]));
    if (!rc)
        rc = store_ex_participant_set(c, id, &p);
    if (!rc)
        rc = audit_record(c, who, now, "exercise.participants", id,
                          json_pack("{s:s}", "set", org));
    if (write_end(c, rc, e))
        return e->err;
    *out = part_json(&p);
    return IS_OK;
}

int exercise_participant_delete(struct app *a, struct store_conn *c,
                                const struct auth_ctx *who, const char *id,
                                const char *org, int64_t now,
                                struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_exercise x;
    int rc = begin_ctl(c, who, id, &x, e);
    if (rc)
        return rc;
    if (!planning(&x))
        rc = not_planning(&x, e);
    store_exercise_release(&x);
    if (!rc &&
        (rc = store_ex_participant_remove(c, id, org)) == IS_ERR_NOTFOUND)
        svc_fail(e, rc, "not_a_participant", "org",
                 "%.63s takes no part in this exercise", org);
    if (!rc)
        rc = audit_record(c, who, now, "exercise.participants", id,
                          json_pack("{s:s}", "removed", org));
    return write_end(c, rc, e) ? e->err : IS_OK;
}

int exercise_checklist_put(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, const char *id,
                           const json_t *body, int64_t now, json_t **out,
                           struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_exercise x;
    int rc = begin_part(c, who, id, &x, e);
    if (!rc) {
        if (strcmp(x.state, "ended") == 0)
            rc = svc_fail(e, IS_ERR_CONFLICT, "exercise_ended", NULL,
                          "the exercise has ended");
        store_exercise_release(&x);
    }
    struct store_ex_participant p;
    if (!rc)
        rc = store_ex_participant_get(c, id, who->org.id, &p);
    json_t *items = json_object_get(body, "items");
    json_t *ck = NULL;
    if (!rc) {
        ck = json_object();
        for (size_t k = 0; k < IS_ARRAY_LEN(checklist_items); k++)
            json_object_set_new(
                ck, checklist_items[k],
                json_boolean(jv_bool(items, checklist_items[k], false)));
        char *t = json_dumps(ck, JSON_COMPACT | JSON_SORT_KEYS);
        rc = t ? util_copy(p.checklist, sizeof(p.checklist), t) ? IS_ERR_LIMIT
                                                                : IS_OK
               : IS_ERR_NOMEM;
        free(t);
    }
    if (!rc)
        rc = store_ex_participant_set(c, id, &p);
    if (!rc)
        rc = audit_record(c, who, now, "exercise.checklist", id, NULL);
    json_decref(ck);
    if (write_end(c, rc, e))
        return e->err;
    *out = part_json(&p);
    return IS_OK;
}

/* ---- the console ---- */

static int find_inject(const json_t *sc, const char *id)
{
    size_t i;
    json_t *in;
    json_array_foreach (json_object_get(sc, "injects"), i, in) {
        const char *s = json_string_value(json_object_get(in, "id"));
        if (s && id && strcmp(s, id) == 0)
            return (int)i;
    }
    return -1;
}

/* An ad-hoc inject: checked as the one inject of a scenario, against
 * the registry; its id must be new to the scenario. */
static int adhoc_check(struct store_conn *c, const json_t *sc,
                       const json_t *adhoc, json_t **norm, struct svc_error *e)
{
    /* it asks for no scored action and goes to every participant it
     * targets: a condition or an expected action would be ignored, so
     * either is refused (a condition taken silently sent the inject to
     * all, found by an outside review) */
    static const char *const none[] = {"when", "expect"};
    for (size_t i = 0; i < IS_ARRAY_LEN(none); i++)
        if (json_object_get(adhoc, none[i])) {
            char field[16];
            snprintf(field, sizeof(field), "adhoc.%s", none[i]);
            return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                            "%s: an ad-hoc inject has no condition and asks "
                            "for no scored action",
                            field);
        }
    json_t *in = json_deep_copy(adhoc);
    if (!in)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    json_object_set_new(in, "at_min", json_integer(0));
    json_t *groups = json_object_get(sc, "groups")
                         ? json_incref(json_object_get(sc, "groups"))
                         : json_object();
    json_t *one =
        json_pack("{s:s,s:s,s:s,s:s,s:o,s:[O]}", "format",
                  EXERCISE_SCENARIO_FORMAT, "id", "adhoc", "title_ja", "adhoc",
                  "title_en", "adhoc", "groups", groups, "injects", in);
    json_decref(in);
    struct ex_scenario *s = malloc(sizeof(*s));
    int rc = one && s ? exercise_scenario_load(c, one, s, e) : IS_ERR_NOMEM;
    free(s);
    if (!rc)
        rc = forms_check(one, e);
    if (!rc)
        rc = senders_check(c, one, e);
    if (rc) {
        /* named as the request has it: adhoc.<field> */
        if (strncmp(e->field, "scenario.", 9) == 0)
            memmove(e->field, e->field + 9, strlen(e->field + 9) + 1);
        char field[sizeof(e->field) + 16];
        const char *f = e->field;
        if (strncmp(f, "injects[0]", 10) == 0)
            f += 10;
        snprintf(field, sizeof(field), "adhoc%s", f);
        svc_field(e, field);
        /* the sentence names the field as the request has it */
        char *at = strstr(e->message, "injects[0]");
        if (at) {
            size_t tail = strlen(at + 10);
            memcpy(at, "adhoc", 5);
            memmove(at + 5, at + 10, tail + 1);
        }
    } else if (find_inject(
                   sc, json_string_value(json_object_get(adhoc, "id"))) >= 0) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "duplicate_id", "adhoc.id",
                      "adhoc.id: the scenario has an inject of that id");
    }
    if (!rc)
        *norm = json_incref(json_array_get(json_object_get(one, "injects"), 0));
    json_decref(one);
    return rc;
}

int exercise_control(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, const char *id,
                     const json_t *body, int64_t now, json_t **out,
                     struct svc_error *e)
{
    struct store_exercise x;
    int rc = begin_ctl(c, who, id, &x, e);
    if (rc)
        return rc;
    const char *act = jv_str(body, "action");
    long long minutes = jv_int(body, "minutes", 0);
    bool running = strcmp(x.state, "running") == 0;
    bool opened = false, close_run = false;
    json_t *sc = x.scenario ? json_loads(x.scenario, 0, NULL) : NULL;
    json_t *detail = json_pack("{s:s}", "action", act);
    const char *inject = jv_str(body, "inject");
    json_t *adhoc = NULL;
    if (strcmp(act, "brief") == 0) {
        if (strcmp(x.state, "planning") != 0)
            rc = svc_fail(e, IS_ERR_CONFLICT, "invalid_state", "action",
                          "only a planned exercise goes to its briefing");
        else
            util_xcopy(x.state, sizeof(x.state), "briefing");
    } else if (strcmp(act, "start") == 0) {
        char org[64] = "", other[40] = "";
        if (!planning(&x))
            rc = svc_fail(e, IS_ERR_CONFLICT, "invalid_state", "action",
                          "the exercise is %s: it starts once", x.state);
        else if (x.participants == 0)
            rc = svc_fail(e, IS_ERR_CONFLICT, "no_participants", "action",
                          "the exercise has no participants");
        else if (store_ex_busy(c, id, org, sizeof(org), other, sizeof(other)) ==
                 IS_OK)
            rc = svc_fail(e, IS_ERR_CONFLICT, "participant_busy", "action",
                          "%s takes part in exercise %s, which is running", org,
                          other);
        if (!rc) {
            util_xcopy(x.state, sizeof(x.state), "running");
            x.scale = (int)jv_int(body, "scale", x.scale);
            x.started_at = now;
            x.paused_since = jv_bool(body, "paused", false) ? now : 0;
            x.paused_total = x.shift_s = x.advanced_s = 0;
            rc = ex_run_open(a, c, &x, true, e);
            opened = !rc;
        }
    } else if (!running) {
        rc = svc_fail(e, IS_ERR_CONFLICT, "not_running", "action",
                      "the exercise is %s, not running", x.state);
    } else if (strcmp(act, "pause") == 0) {
        if (x.paused_since)
            rc = svc_fail(e, IS_ERR_CONFLICT, "paused", "action",
                          "the exercise is paused already");
        else
            x.paused_since = now;
    } else if (strcmp(act, "resume") == 0) {
        if (!x.paused_since)
            rc = svc_fail(e, IS_ERR_CONFLICT, "not_paused", "action",
                          "the exercise is not paused");
        else {
            x.paused_total += now - x.paused_since;
            x.paused_since = 0;
        }
    } else if (strcmp(act, "shift") == 0) {
        if (minutes == 0)
            rc = svc_fail(e, IS_ERR_INVALID, "missing_field", "minutes",
                          "minutes: how far to move the timeline (later: "
                          "positive, earlier: negative)");
        else
            x.shift_s += minutes * 60;
    } else if (strcmp(act, "advance") == 0) {
        if (minutes < 1)
            rc = svc_fail(e, IS_ERR_INVALID, "invalid_value", "minutes",
                          "minutes: the exercise's time only goes forward "
                          "(1 or more)");
        else
            x.advanced_s += minutes * 60;
    } else if (strcmp(act, "fire") == 0) {
        if (!inject || find_inject(sc, inject) < 0)
            rc = svc_fail(e, IS_ERR_INVALID, "unknown_inject", "inject",
                          "inject: the scenario has no inject %.47s",
                          inject ? inject : "(none given)");
    } else if (strcmp(act, "inject") == 0) {
        if (!json_object_get(body, "adhoc"))
            rc = svc_fail(e, IS_ERR_INVALID, "missing_field", "adhoc",
                          "adhoc: the inject to send");
        else
            rc = adhoc_check(c, sc, json_object_get(body, "adhoc"), &adhoc, e);
    } else if (strcmp(act, "end") == 0) {
        struct ex_run *r = ex_run_get(a, id);
        int64_t wnow = r ? ex_run_now(r, now) : now;
        /* over: what was not done is missed, whatever time was left */
        json_t *board = r ? ex_run_board(r, NULL, INT64_MAX / 4) : NULL;
        ex_run_put(r);
        if (!r) {
            /* its database could not be opened again (the log said why
             * at the start): it still ends, without results, so that its
             * participants are free for other exercises */
            log_event(LOG_ERROR, "exercise ended without its results",
                      "exercise", json_string(id), NULL);
            board = json_pack("{s:[]}", "participants");
        }
        if (!board)
            rc = svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                          "the exercise's results cannot be read");
        else {
            json_object_set_new(board, "ended_at", svc_time_json(wnow));
            free(x.debrief);
            x.debrief = json_dumps(board, JSON_COMPACT);
            json_decref(board);
            util_xcopy(x.state, sizeof(x.state), "ended");
            x.ended_at = now;
            x.ended_world = wnow;
            close_run = true;
            if (!x.debrief)
                rc = svc_fail(e, IS_ERR_NOMEM, "internal", NULL,
                              "out of memory");
        }
    }
    if (!rc && (strcmp(act, "shift") == 0 || strcmp(act, "advance") == 0))
        json_object_set_new(detail, "minutes", json_integer(minutes));
    if (!rc && inject)
        json_object_set_new(detail, "inject", json_string(inject));
    /* an inject by hand fires under the hub's write lock: two controllers
     * firing it at once are one firing and one 409, and a refused firing
     * changes nothing here either (version, audit) */
    if (!rc && running && (strcmp(act, "fire") == 0 || adhoc)) {
        struct ex_run *fr = ex_run_get(a, id);
        rc = fr ? ex_run_fire(fr, adhoc ? -1 : find_inject(sc, inject), adhoc,
                              true, e)
                : svc_fail(e, IS_ERR_CONFLICT, "not_running", "action",
                           "the exercise is not running here");
        ex_run_put(fr);
    }
    if (!rc && (rc = store_exercise_update(c, &x)))
        svc_fail(e, rc, rc == IS_ERR_CONFLICT ? "conflict" : "internal", NULL,
                 "the exercise changed meanwhile; try again");
    if (!rc)
        rc = audit_record(c, who, now, "exercise.control", id,
                          json_incref(detail));
    json_decref(detail);
    if (write_end(c, rc, e)) {
        if (opened)
            ex_run_close(a, id);
        store_exercise_release(&x);
        json_decref(sc);
        json_decref(adhoc);
        return e->err;
    }
    /* the clock of the running exercise follows the stored one */
    struct ex_run *r = ex_run_get(a, id);
    json_t *fired = NULL;
    if (r && !close_run) {
        struct ex_clock k;
        ex_clock_of(&x, &k);
        ex_run_clock_set(r, &k, x.version);
        ex_run_go(r); /* a start is committed now */
        /* what is due on the new clock fires now, not at the next pass
         * of the worker (this exercise only) */
        fired = json_integer(ex_run_tick(r));
    }
    ex_run_put(r);
    if (close_run)
        ex_run_close(a, id);
    log_event(LOG_INFO, "exercise control", "exercise", json_string(id),
              "action", json_string(act), NULL);
    store_exercise_release(&x);
    json_decref(sc);
    json_decref(adhoc);
    json_decref(fired);
    if (rc)
        return rc;
    return answer_exercise(a, c, who, id, out, e);
}

/* ---- the board and participants' acts ---- */

int exercise_board(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *id, json_t **out,
                   struct buf *raw, struct svc_error *e)
{
    struct store_exercise x;
    bool part;
    int rc = load(c, who, id, &x, &part, e);
    if (rc)
        return rc;
    bool ctl = exercise_controller(who);
    json_t *board = NULL;
    struct ex_run *r =
        strcmp(x.state, "running") == 0 ? ex_run_get(a, id) : NULL;
    if (r && ctl && raw) {
        /* the live board of every participant: its cached text (the
         * board is read every few seconds by every controller's console
         * while participants act: bench/exercise_board.sh) */
        char *text = NULL;
        size_t len = 0;
        rc = ex_run_board_text(r, ex_run_now(r, util_now()), &text, &len);
        ex_run_put(r);
        json_t *head =
            rc ? NULL
               : json_pack("{s:s,s:s,s:o}", "exercise", id, "state", x.state,
                           "clock", clock_json(&x, util_now()));
        char *h = head ? json_dumps(head, JSON_COMPACT) : NULL;
        json_decref(head);
        store_exercise_release(&x);
        if (!h || !text || len < 2) {
            free(h);
            free(text);
            return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                            "the board cannot be read");
        }
        /* {head..., board...}: the two objects' members joined */
        buf_add(raw, h, strlen(h) - 1);
        buf_adds(raw, ",");
        buf_add(raw, text + 1, len - 1);
        free(h);
        free(text);
        return buf_error(raw) ? svc_fail(e, IS_ERR_NOMEM, "internal", NULL,
                                         "the board is too large")
                              : IS_OK;
    }
    if (r) {
        board = ex_run_board(r, ctl ? NULL : who->org.id,
                             ex_run_now(r, util_now()));
        ex_run_put(r);
    } else if (x.debrief && *x.debrief) {
        board = json_loads(x.debrief, 0, NULL);
        if (board && !ctl) { /* a participant: its own row */
            json_t *mine = json_array();
            size_t i;
            json_t *p;
            json_array_foreach (json_object_get(board, "participants"), i, p)
                if (strcmp(json_string_value(json_object_get(p, "org")),
                           who->org.id) == 0)
                    json_array_append(mine, p);
            json_object_set_new(board, "participants", mine);
            json_object_del(board, "totals");
        }
    } else {
        board = json_pack("{s:[]}", "participants");
    }
    if (!board) {
        store_exercise_release(&x);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the board cannot be read");
    }
    if (!ctl)
        json_object_del(board, "totals");
    json_object_set_new(board, "exercise", json_string(id));
    json_object_set_new(board, "state", json_string(x.state));
    json_object_set_new(board, "clock", clock_json(&x, util_now()));
    store_exercise_release(&x);
    *out = board;
    return IS_OK;
}

int exercise_bcp(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, const json_t *body,
                 json_t **out, struct svc_error *e)
{
    IS_UNUSED(c);
    struct ex_run *r = ex_run_get(a, id);
    if (!r)
        return svc_fail(e, IS_ERR_NOTFOUND, "not_running", NULL,
                        "no such exercise is running");
    int rc = IS_OK;
    /* a controller knows the exercise; to anyone else outside it, it is
     * no exercise, as an unknown id */
    if (!ex_run_member(r, who->org.id))
        rc = exercise_controller(who)
                 ? svc_fail(e, IS_ERR_FORBIDDEN, "not_a_participant", NULL,
                            "your organisation takes no part in this "
                            "exercise")
                 : svc_fail(e, IS_ERR_NOTFOUND, "not_running", NULL,
                            "no such exercise is running");
    int64_t now = ex_run_now(r, util_now());
    struct store_conn *xc = rc ? NULL : store_acquire(r->store);
    if (xc) {
        const char *note = jv_str(body, "note");
        rc = store_begin(xc);
        int64_t n = 0;
        if (!rc && (rc = store_ex_bcp_count(xc, who->org.id, &n)) == IS_OK &&
            n >= EX_MAX_BCP)
            rc = svc_fail(e, IS_ERR_CONFLICT, "too_many_declarations", NULL,
                          "your organisation declared BCP activation %d "
                          "times in this exercise already",
                          EX_MAX_BCP);
        if (!rc)
            rc = store_ex_bcp_add(xc, who->org.id, who->user_id,
                                  note ? note : "", now);
        if (!rc)
            rc = audit_record(xc, who, now, "exercise.bcp", id, NULL);
        if (rc || (rc = store_commit(xc))) {
            store_rollback(xc);
            if (!e->err)
                svc_fail(e, rc, "internal", NULL, "not stored");
        }
        store_put(r->store, xc);
    }
    ex_run_put(r);
    if (rc)
        return rc;
    *out = json_pack("{s:s,s:s,s:o}", "exercise", id, "org", who->org.id,
                     "declared_at", svc_time_json(now));
    return IS_OK;
}

int exercise_answer(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id,
                    const json_t *body, int64_t now, json_t **out,
                    struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_exercise x;
    int rc = begin_part(c, who, id, &x, e);
    if (!rc) {
        if (planning(&x))
            rc = svc_fail(e, IS_ERR_CONFLICT, "not_started", NULL,
                          "the questionnaire opens when the exercise starts");
        store_exercise_release(&x);
    }
    char *t = NULL;
    if (!rc) {
        t = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        rc = t ? store_ex_answer_put(c, id, who->org.id, t, who->user_id, now)
               : IS_ERR_NOMEM;
    }
    if (!rc)
        rc = audit_record(c, who, now, "exercise.answer", id, NULL);
    free(t);
    if (write_end(c, rc, e))
        return e->err;
    *out = json_pack("{s:s,s:s,s:O,s:o}", "exercise", id, "org", who->org.id,
                     "answers", body, "submitted_at", svc_time_json(now));
    return IS_OK;
}

int exercise_note(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id,
                  const json_t *body, int64_t now, json_t **out,
                  struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_exercise x;
    int rc = begin_ctl(c, who, id, &x, e);
    if (rc)
        return rc;
    store_exercise_release(&x);
    rc = store_ex_note_add(c, id, jv_str(body, "group"), jv_str(body, "text"),
                           who->user_id, now);
    if (!rc)
        rc = audit_record(c, who, now, "exercise.note", id, NULL);
    if (write_end(c, rc, e))
        return e->err;
    *out = json_pack("{s:s,s:s,s:s,s:o}", "exercise", id, "group",
                     jv_str(body, "group"), "text", jv_str(body, "text"), "at",
                     svc_time_json(now));
    return IS_OK;
}

int exercise_report(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id,
                    const json_t *body, int64_t now, json_t **out,
                    struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_exercise x;
    int rc = begin_ctl(c, who, id, &x, e);
    if (rc)
        return rc;
    if (strcmp(x.state, "ended") != 0)
        rc = svc_fail(e, IS_ERR_CONFLICT, "not_ended", "state",
                      "the report follows the end of the exercise");
    else if (strcmp(x.report_state, "final") == 0)
        rc = svc_fail(e, IS_ERR_CONFLICT, "report_final", "state",
                      "the final report is issued: it no longer changes");
    if (!rc) {
        util_xcopy(x.report_state, sizeof(x.report_state),
                   jv_str(body, "state"));
        if (jv_str(body, "summary_ja")) {
            free(x.report_ja);
            x.report_ja = strdup(jv_str(body, "summary_ja"));
        }
        if (jv_str(body, "summary_en")) {
            free(x.report_en);
            x.report_en = strdup(jv_str(body, "summary_en"));
        }
        rc = store_exercise_update(c, &x);
    }
    if (!rc)
        rc = audit_record(c, who, now, "exercise.report", id,
                          json_pack("{s:s}", "state", x.report_state));
    store_exercise_release(&x);
    if (write_end(c, rc, e))
        return e->err;
    return answer_exercise(a, c, who, id, out, e);
}

/* ---- the exercise context ---- */

int exercise_enter(struct app *a, const char *id, const struct auth_ctx *who,
                   struct app **xa, struct svc_error *e)
{
    struct ex_run *r = ex_run_get(a, id);
    if (!r)
        return svc_fail(e, IS_ERR_NOTFOUND, "not_running", NULL,
                        "no exercise %.39s is running", id ? id : "");
    /* anyone else: it does not exist for them, as for an unknown id
     * (a 403 told them that it exists and runs) */
    if (who && !exercise_controller(who) && !ex_run_member(r, who->org.id)) {
        ex_run_put(r);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_running", NULL,
                        "no exercise %.39s is running", id);
    }
    *xa = &r->app;
    return IS_OK;
}

int exercise_join_user(struct app *xa, struct store_conn *hub,
                       const struct auth_ctx *who, struct svc_error *e)
{
    if (!xa || !who || who->user_id <= 0)
        return IS_OK;
    struct store_conn *c = store_acquire(xa->store);
    int rc = store_ex_user_join(c, hub, who->user_id, util_now());
    store_put(xa->store, c);
    if (rc)
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "your account could not be brought into the "
                        "exercise");
    return IS_OK;
}

void exercise_leave(struct app *xa)
{
    if (xa)
        ex_run_put(xa->exercise);
}
