/*
 * dependencies.c - the interdependency model and cascade suggestions (see
 * service/dependencies.h).
 */
#include "service/dependencies.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "core/obs_correlate.h"
#include "core/range.h"
#include "core/roles.h"
#include "service/provision.h"
#include "service/observation.h"
#include "service/reporting.h"
#include "store/store_depend.h"

static const char *const model_keys[] = {"format",   "id",      "title_ja",
                                         "title_en", "note_ja", "note_en",
                                         "edges",    NULL};
static const char *const edge_keys[] = {
    "from", "to", "strength", "lag_min", "regional", "why_ja", "why_en", NULL};

const struct jv_field dependencies_put_spec[] = {
    /* the version being replaced (optimistic concurrency; 0: there is
     * none yet, the first model of a hub initialised without one) */
    {.name = "version",
     .type = JV_INT,
     .required = true,
     .min = 0,
     .max = 1000000000},
    /* the model file (checked by dependencies_parse) */
    {.name = "model", .type = JV_OBJECT, .required = true},
    {.name = NULL},
};

static const char *const adv_ranges[] = {"amber", "yellow", "green", "white",
                                         NULL};
const struct jv_field dependencies_advisory_spec[] = {
    {.name = "suggestion",
     .type = JV_INT,
     .required = true,
     .min = 1,
     .max = 1000000000000LL},
    {.name = "sectors", .type = JV_STRING_ARRAY, .max_len = 64, .item_len = 63},
    {.name = "range",
     .type = JV_STRING,
     .max_len = 10,
     .enum_values = adv_ranges},
    /* the advisory's severity, else the suggestion's (required from a Red
     * report, whose severity it would otherwise pass on) */
    {.name = "severity", .type = JV_INT, .min = 0, .max = 5},
    /* given, as POST /api/v1/advisories: neither blank nor holding a
     * bidirectional control (docs/rules.md "Authors, audience, chain") */
    {.name = "title_ja", .type = JV_STRING, .max_len = 200, .nonblank = true},
    {.name = "title_en", .type = JV_STRING, .max_len = 200, .nonblank = true},
    {.name = "body_ja", .type = JV_STRING, .max_len = 20000, .nonblank = true},
    {.name = "body_en", .type = JV_STRING, .max_len = 20000, .nonblank = true},
    {.name = NULL},
};

/* ---- the model file ---- */

__attribute__((format(printf, 4, 5))) static int bad(struct svc_error *e,
                                                     const char *code,
                                                     const char *field,
                                                     const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return svc_fail(e, IS_ERR_INVALID, code, field, "%s: %s", field, msg);
}

static int known(const json_t *o, const char *const *keys, const char *pre,
                 struct svc_error *e)
{
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)o, k, v) {
        bool ok = false;
        for (size_t i = 0; keys[i] && !ok; i++)
            ok = strcmp(keys[i], k) == 0;
        if (!ok) {
            char field[256];
            snprintf(field, sizeof(field), "%s%s%s", pre, *pre ? "." : "", k);
            return bad(e, "unknown_field", field, "not a field of the model");
        }
    }
    return IS_OK;
}

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* current() is reading the stored model again (this thread): the text
 * rules added since it was stored (nonblank, no bidirectional control)
 * are not applied to it, else a model stored before them could no longer
 * be read; a new model (PUT) is checked in full */
static _Thread_local bool rereading;

static int text(const json_t *o, const char *key, const char *pre, size_t max,
                bool required, struct svc_error *e)
{
    char field[64];
    snprintf(field, sizeof(field), "%s%s%s", pre, *pre ? "." : "", key);
    const json_t *v = json_object_get(o, key);
    if (!v)
        return required ? bad(e, "missing_field", field, "is required") : IS_OK;
    if (!json_is_string(v))
        return bad(e, "invalid_type", field, "must be a string");
    if (chars(json_string_value(v)) > max)
        return bad(e, "too_long", field, "at most %zu characters", max);
    /* a required text says something, and is shown as written (as the
     * .nonblank of the field tables, common/jv.h) */
    if (rereading)
        return IS_OK;
    if (required && util_blank(json_string_value(v)))
        return bad(e, "invalid_value", field,
                   "must not be empty or only white space");
    if (required && util_has_bidi_control(json_string_value(v)))
        return bad(e, "invalid_text", field,
                   "contains a bidirectional control character (U+200E/F, "
                   "U+202A-E, U+2066-9), which would show the text "
                   "reordered");
    return IS_OK;
}

/* A node must be a sector or an organisation of the registry. */
static bool node_known(struct store_conn *c, const char *id)
{
    if (!c)
        return true;
    struct access_org rel;
    return store_names(c, "sector", id, NULL, 0, NULL, 0) == IS_OK ||
           store_org_rel(c, id, &rel) == IS_OK;
}

int dependencies_parse(struct store_conn *c, const json_t *j,
                       struct dep_model *m, struct svc_error *e)
{
    memset(m, 0, sizeof(*m));
    if (!json_is_object(j))
        return bad(e, "invalid_type", "model", "must be an object");
    int rc = known(j, model_keys, "", e);
    const char *fmt = json_string_value(json_object_get(j, "format"));
    if (!rc && (!fmt || strcmp(fmt, DEPENDENCIES_FORMAT) != 0))
        rc = bad(e, "invalid_value", "format",
                 "must be \"" DEPENDENCIES_FORMAT "\"");
    if (!rc)
        rc = text(j, "id", "", 47, true, e);
    static const char *const texts[] = {"title_ja", "title_en", "note_ja",
                                        "note_en"};
    for (size_t k = 0; !rc && k < IS_ARRAY_LEN(texts); k++)
        rc = text(j, texts[k], "", k < 2 ? 200 : 4000, k < 2, e);
    const json_t *edges = json_object_get(j, "edges");
    if (!rc && !json_is_array(edges))
        rc = bad(e, edges ? "invalid_type" : "missing_field", "edges",
                 "an array of dependencies");
    if (!rc && json_array_size(edges) > DEP_MAX_EDGES)
        rc = bad(e, "too_many", "edges", "at most %d", DEP_MAX_EDGES);
    size_t i;
    json_t *ed;
    json_array_foreach (edges, i, ed) {
        if (rc)
            break;
        char pre[32], field[64];
        snprintf(pre, sizeof(pre), "edges[%zu]", i);
        if (!json_is_object(ed)) {
            rc = bad(e, "invalid_type", pre, "must be an object");
            break;
        }
        if ((rc = known(ed, edge_keys, pre, e)) ||
            (rc = text(ed, "from", pre, 63, true, e)) ||
            (rc = text(ed, "to", pre, 63, true, e)) ||
            (rc = text(ed, "why_ja", pre, 500, false, e)) ||
            (rc = text(ed, "why_en", pre, 500, false, e)))
            break;
        static const char *const ends[] = {"from", "to"};
        int idx[2] = {-1, -1};
        for (int k = 0; k < 2 && !rc; k++) {
            const char *id = json_string_value(json_object_get(ed, ends[k]));
            snprintf(field, sizeof(field), "%s.%s", pre, ends[k]);
            if (!node_known(c, id))
                rc = bad(e, "unknown_node", field,
                         "%.63s is neither a sector nor an organisation", id);
            else if ((idx[k] = dep_node(m, id, true)) < 0)
                rc = bad(e, "too_many", field, "at most %d nodes",
                         DEP_MAX_NODES);
        }
        if (rc)
            break;
        const json_t *s = json_object_get(ed, "strength");
        const json_t *l = json_object_get(ed, "lag_min");
        const json_t *r = json_object_get(ed, "regional");
        if (!json_is_integer(s)) {
            snprintf(field, sizeof(field), "%s.strength", pre);
            rc = bad(e, s ? "invalid_type" : "missing_field", field,
                     "1 (weak), 2 (medium) or 3 (strong)");
        } else if (!json_is_integer(l)) {
            snprintf(field, sizeof(field), "%s.lag_min", pre);
            rc = bad(e, l ? "invalid_type" : "missing_field", field,
                     "minutes until the dependent feels it (0 to %d)",
                     DEP_MAX_LAG_MIN);
        } else if (r && !json_is_boolean(r)) {
            snprintf(field, sizeof(field), "%s.regional", pre);
            rc = bad(e, "invalid_type", field, "must be true or false");
        }
        if (rc)
            break;
        struct dep_edge *de = &m->edge[m->nedges++];
        de->from = idx[0];
        de->to = idx[1];
        json_int_t sv = json_integer_value(s), lv = json_integer_value(l);
        de->strength = sv < 0 || sv > 9 ? 0 : (int)sv;
        de->lag_min = lv < -1 || lv > DEP_MAX_LAG_MIN ? -1 : (int)lv;
        de->regional = json_is_true(r);
    }
    if (rc)
        return rc;
    struct dep_problem p;
    if (!dep_model_check(m, &p)) {
        char field[64];
        const char *what = strcmp(p.code, "invalid_strength") == 0 ? "strength"
                           : strcmp(p.code, "invalid_lag") == 0    ? "lag_min"
                                                                   : NULL;
        if (what)
            snprintf(field, sizeof(field), "edges[%d].%s", p.edge, what);
        else
            snprintf(field, sizeof(field), "edges[%d]", p.edge);
        const char *why =
            strcmp(p.code, "zero_lag_cycle") == 0
                ? "closes a cycle of dependencies of zero lag (an outage "
                  "would reach itself at once)"
            : strcmp(p.code, "duplicate_edge") == 0
                ? "the same dependency twice"
            : strcmp(p.code, "invalid_strength") == 0
                ? "1 (weak), 2 (medium) or 3 (strong)"
                : "minutes, 0 to 10080";
        return bad(e, p.code, field, "%s", why);
    }
    return IS_OK;
}

/* ---- storage ---- */

int dependencies_import(struct store_conn *c, const char *data_dir, int64_t now,
                        char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/dependencies/national.json", data_dir);
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        FILE *f = fopen(path, "r");
        if (!f)
            return IS_OK; /* none in this data directory */
        fclose(f);
        snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column,
                 je.text);
        return IS_ERR_INVALID;
    }
    struct dep_model *m = malloc(sizeof(*m));
    struct svc_error e = {0};
    int rc = m ? dependencies_parse(c, j, m, &e) : IS_ERR_NOMEM;
    free(m);
    char *t = rc ? NULL : json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (rc) {
        snprintf(err, errlen, "%s: %s", path, e.message);
        return rc;
    }
    rc = t ? store_dep_add(c, 1, t, 0, now) : IS_ERR_NOMEM;
    free(t);
    return rc;
}

/* The current model, parsed (m on the heap, the caller's to free). */
static int current(struct store_conn *c, struct store_dep_model *row,
                   json_t **j, struct dep_model **m, struct svc_error *e)
{
    *j = NULL;
    *m = NULL;
    int rc = store_dep_current(c, row);
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, rc, "no_model", NULL,
                        "no interdependency model has been loaded");
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the model cannot be read");
    *j = json_loads(row->model, 0, NULL);
    *m = malloc(sizeof(**m));
    struct svc_error pe = {0};
    rereading = true;
    int prc = *j && *m ? dependencies_parse(NULL, *j, *m, &pe) : IS_ERR_NOMEM;
    rereading = false;
    if (prc) {
        json_decref(*j);
        free(*m);
        free(row->model);
        *j = NULL;
        *m = NULL;
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the stored model cannot be read");
    }
    return IS_OK;
}

/* ---- what a reader may learn of a node ----
 * A sector, a national body or an operator the reader may see
 * (access_may_see_org) is shown by its id and names; an organisation the
 * reader may not see is not: it is shown as "hidden:N" (N numbering such
 * nodes within one answer), named 非公開の組織 / "an organisation not
 * shown", and the why of its edges is left out (it may name it). */
#define DEP_HIDDEN_JA "非公開の組織"
#define DEP_HIDDEN_EN "an organisation not shown"

struct masker {
    struct store_conn *c;
    const struct auth_ctx *who;
    int n;
    char id[DEP_MAX_NODES][DEP_ID_LEN];
    char label[DEP_MAX_NODES][24];
};

static void masker_init(struct masker *k, struct store_conn *c,
                        const struct auth_ctx *who)
{
    k->c = c;
    k->who = who;
    k->n = 0;
}

/* id as the reader may see it: id itself, or its label (NULL: out of
 * labels, shown as "hidden"). */
static const char *masked(struct masker *k, const char *id)
{
    if (!id)
        return "";
    for (int i = 0; i < k->n; i++)
        if (strcmp(k->id[i], id) == 0)
            return k->label[i];
    if (!k->who || store_names(k->c, "sector", id, NULL, 0, NULL, 0) == IS_OK)
        return id;
    struct access_org rel;
    if (store_org_rel(k->c, id, &rel) == IS_OK &&
        access_may_see_org(&k->who->org, k->who->roles, &rel))
        return id;
    if (k->n >= DEP_MAX_NODES || strlen(id) >= DEP_ID_LEN)
        return "hidden";
    util_xcopy(k->id[k->n], sizeof(k->id[k->n]), id);
    snprintf(k->label[k->n], sizeof(k->label[k->n]), "hidden:%d", k->n + 1);
    return k->label[k->n++];
}

static bool is_hidden(struct masker *k, const char *id)
{
    return id && strcmp(masked(k, id), id) != 0;
}

/* The model file j (changed in place) as the reader may see it. */
static void mask_model(struct masker *k, json_t *j)
{
    size_t i;
    json_t *ed;
    json_array_foreach (json_object_get(j, "edges"), i, ed) {
        const char *f = json_string_value(json_object_get(ed, "from"));
        const char *t = json_string_value(json_object_get(ed, "to"));
        bool hide = is_hidden(k, f) || is_hidden(k, t);
        if (!hide)
            continue;
        json_object_set_new(ed, "from", json_string(masked(k, f)));
        json_object_set_new(ed, "to", json_string(masked(k, t)));
        json_object_del(ed, "why_ja");
        json_object_del(ed, "why_en");
    }
}

/* Stored suggestions (changed in place) as the reader may see them. */
static void mask_suggestions(struct masker *k, json_t *sugg)
{
    size_t i, p;
    json_t *s, *v;
    json_array_foreach (sugg, i, s) {
        const char *node = json_string_value(json_object_get(s, "node"));
        if (is_hidden(k, node)) {
            json_object_set_new(s, "node", json_string(masked(k, node)));
            json_object_set_new(s, "name",
                                json_pack("{s:s,s:s}", "ja", DEP_HIDDEN_JA,
                                          "en", DEP_HIDDEN_EN));
        }
        json_t *path = json_object_get(s, "path");
        json_array_foreach (path, p, v) {
            const char *id = json_string_value(v);
            if (is_hidden(k, id))
                json_array_set_new(path, p, json_string(masked(k, id)));
        }
        json_array_foreach (json_object_get(s, "steps"), p, v) {
            const char *f = json_string_value(json_object_get(v, "from"));
            const char *t = json_string_value(json_object_get(v, "to"));
            if (!is_hidden(k, f) && !is_hidden(k, t))
                continue;
            json_object_set_new(v, "from", json_string(masked(k, f)));
            json_object_set_new(v, "to", json_string(masked(k, t)));
            json_object_set_new(v, "ja", json_string(""));
            json_object_set_new(v, "en", json_string(""));
        }
    }
}

/* The user who stored a version, to whom may see users: hub admins, and
 * the org_admins of that user's organisation (docs/rules.md "Registry
 * visibility"); null to everyone else. 0 (infrashare init) is no user. */
static json_t *model_author(struct store_conn *c, const struct auth_ctx *who,
                            int64_t by)
{
    /* the user itself, hub admins, and its organisation's org_admins */
    if (by == 0 || (who->roles & ROLE_ADMIN) || by == who->user_id)
        return json_integer(by);
    if (!(who->roles & ROLE_ORG_ADMIN))
        return json_null();
    struct store_user u;
    memset(&u, 0, sizeof(u));
    bool same = store_user_by_id(c, by, &u) == IS_OK &&
                strcmp(u.org_id, who->org.id) == 0;
    return same ? json_integer(by) : json_null();
}

int dependencies_get(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, json_t **out,
                     struct svc_error *e)
{
    IS_UNUSED(a);
    struct store_dep_model row;
    json_t *j;
    struct dep_model *m;
    int rc = current(c, &row, &j, &m, e);
    if (rc)
        return rc;
    struct masker *k = malloc(sizeof(*k));
    if (!k) {
        free(m);
        free(row.model);
        json_decref(j);
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    }
    masker_init(k, c, who);
    json_t *nodes = json_array();
    for (int i = 0; i < m->nnodes; i++) {
        char ja[601] = "", en[601] = "";
        if (is_hidden(k, m->node[i])) {
            json_array_append_new(nodes,
                                  json_pack("{s:s,s:{s:s,s:s},s:b}", "id",
                                            masked(k, m->node[i]), "name", "ja",
                                            DEP_HIDDEN_JA, "en", DEP_HIDDEN_EN,
                                            "hidden", true));
            continue;
        }
        if (store_names(c, "sector", m->node[i], ja, sizeof(ja), en,
                        sizeof(en)) &&
            store_names(c, "org", m->node[i], ja, sizeof(ja), en, sizeof(en)))
            ja[0] = en[0] = '\0';
        json_array_append_new(nodes,
                              json_pack("{s:s,s:{s:s,s:s}}", "id", m->node[i],
                                        "name", "ja", ja, "en", en));
    }
    mask_model(k, j);
    free(k);
    *out = json_pack(
        "{s:I,s:o,s:o,s:o,s:o}", "version", (json_int_t)row.version,
        "created_at", svc_time_json(row.created_at), "created_by",
        model_author(c, who, row.created_by), "nodes", nodes, "model", j);
    free(m);
    free(row.model);
    return IS_OK;
}

static bool may_edit(const struct auth_ctx *who)
{
    return (who->roles & ROLE_ADMIN) ||
           (strcmp(who->org.kind, "nisc") == 0 && (who->roles & ROLE_ANALYST));
}

int dependencies_put(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, const json_t *body,
                     int64_t now, json_t **out, struct svc_error *e)
{
    if (!may_edit(who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "the model is edited by NISC's analysts");
    const json_t *model = json_object_get(body, "model");
    int64_t version = jv_int(body, "version", 0);
    struct dep_model *m = malloc(sizeof(*m));
    if (!m)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    int rc = store_begin(c);
    if (rc) {
        free(m);
        return svc_fail(e, rc, "internal", NULL, "the database is busy");
    }
    rc = dependencies_parse(c, model, m, e);
    free(m);
    if (rc) { /* name the field inside the body */
        char field[sizeof(e->field) + 8];
        snprintf(field, sizeof(field), "model%s%s",
                 strcmp(e->field, "model") == 0 ? "" : ".",
                 strcmp(e->field, "model") == 0 ? "" : e->field);
        svc_field(e, field);
    }
    struct store_dep_model row = {0};
    if (!rc) {
        int r2 = store_dep_current(c, &row);
        int64_t have = r2 == IS_OK ? row.version : 0;
        free(row.model);
        if (r2 && r2 != IS_ERR_NOTFOUND)
            rc = svc_fail(e, r2, "internal", NULL, "the model cannot be read");
        else if (have != version)
            rc = svc_fail(e, IS_ERR_CONFLICT, "version_conflict", "version",
                          "version: the model is at version %lld, not %lld "
                          "(reload it, then edit)",
                          (long long)have, (long long)version);
        else {
            char *t = json_dumps(model, JSON_COMPACT);
            rc = t ? store_dep_add(c, version + 1, t, who->user_id, now)
                   : IS_ERR_NOMEM;
            free(t);
            if (!rc)
                rc = audit_record(
                    c, who, now, "dependencies.edit", "",
                    json_pack("{s:I}", "version", (json_int_t)(version + 1)));
            if (rc)
                svc_fail(e, rc,
                         rc == IS_ERR_CONFLICT ? "version_conflict"
                                               : "internal",
                         "version", "the model changed meanwhile");
        }
    }
    if (!rc && (rc = store_commit(c)))
        svc_fail(e, rc, "internal", NULL, "not stored");
    if (rc) {
        store_rollback(c);
        return rc;
    }
    return dependencies_get(a, c, who, out, e);
}

/* ---- cascade ---- */

#define EX_MAX_HOPS 6

static json_t *names_json(struct store_conn *c, const char *id)
{
    char ja[601] = "", en[601] = "";
    if (store_names(c, "sector", id, ja, sizeof(ja), en, sizeof(en)) &&
        store_names(c, "org", id, ja, sizeof(ja), en, sizeof(en)))
        return json_pack("{s:s,s:s}", "ja", id, "en", id);
    return json_pack("{s:s,s:s}", "ja", ja, "en", en);
}

/* The why of edge a -> b from the model file. */
static json_t *why_of(const json_t *model, const char *a, const char *b)
{
    size_t i;
    json_t *ed;
    json_array_foreach (json_object_get(model, "edges"), i, ed) {
        const char *f = json_string_value(json_object_get(ed, "from"));
        const char *t = json_string_value(json_object_get(ed, "to"));
        if (f && t && strcmp(f, a) == 0 && strcmp(t, b) == 0) {
            const char *ja = json_string_value(json_object_get(ed, "why_ja"));
            const char *en = json_string_value(json_object_get(ed, "why_en"));
            return json_pack("{s:s,s:s,s:s,s:s,s:O,s:O}", "from", a, "to", b,
                             "ja", ja ? ja : "", "en", en ? en : "", "strength",
                             json_object_get(ed, "strength"), "lag_min",
                             json_object_get(ed, "lag_min"));
        }
    }
    return json_pack("{s:s,s:s}", "from", a, "to", b);
}

static json_t *suggestions_json(struct store_conn *c, const struct dep_model *m,
                                const json_t *model,
                                const struct dep_suggestion *s, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *path = json_array(), *steps = json_array();
        for (int k = 0; k < s[i].npath; k++) {
            json_array_append_new(path, json_string(m->node[s[i].path[k]]));
            if (k + 1 < s[i].npath)
                json_array_append_new(steps,
                                      why_of(model, m->node[s[i].path[k]],
                                             m->node[s[i].path[k + 1]]));
        }
        json_array_append_new(
            arr,
            json_pack("{s:i,s:s,s:o,s:b,s:i,s:i,s:b,s:o,s:o}", "rank", i + 1,
                      "node", m->node[s[i].node], "name",
                      names_json(c, m->node[s[i].node]), "same_sector",
                      s[i].npath == 2 && s[i].path[0] == s[i].path[1],
                      "lag_min", s[i].lag_min, "strength", s[i].strength,
                      "regional", s[i].regional, "path", path, "steps", steps));
    }
    return arr;
}

/* What suggestions are about: an event, a report, or a sector-wide alert
 * of website observation (their key in the cascade log: the event's or
 * report's id, "obs-alert-<id>"). */
enum subject { SUBJ_EVENT, SUBJ_REPORT, SUBJ_ALERT };
static const char *const subject_names[] = {"event", "report",
                                            "observation_alert"};

/* x as its reader sees it; num: x's number among its subject's rows
 * (store_cascade_ordinal), shown instead of the hub-wide row id */
static json_t *cascade_json(struct store_conn *c, const struct auth_ctx *who,
                            const struct store_cascade *x, int64_t num,
                            enum subject kind, const char *id, json_t *event)
{
    json_t *sugg = json_loads(x->suggestions, 0, NULL);
    struct masker *k = malloc(sizeof(*k));
    if (k && sugg) { /* organisations the reader may not see: not named */
        masker_init(k, c, who);
        mask_suggestions(k, sugg);
    } else { /* fail closed: no suggestion unmasked */
        json_decref(sugg);
        sugg = NULL;
    }
    free(k);
    json_t *src = json_loads(x->sources, 0, NULL);
    return json_pack(
        "{s:s,s:{s:s,s:s},s:o,s:I,s:i,s:o,s:o,s:o,s:o,s:o}", "event",
        x->event_id, "subject", "kind", subject_names[kind], "id", id, "title",
        event ? event : json_null(), "suggestion", (json_int_t)num, "severity",
        x->severity, "sources", src ? src : json_array(), "model_version",
        json_integer(x->model_version), "suggestions",
        sugg ? sugg : json_array(), "created_at", svc_time_json(x->created_at),
        "advisory",
        *x->advisory_id ? json_pack("{s:s,s:o}", "id", x->advisory_id, "at",
                                    svc_time_json(x->acted_at))
                        : json_null());
}

/* The subject as who may read it: the sectors it concerns, its severity
 * (an event's: of its readable reports; a website alert: 4 unreachable, 3
 * slow), its title, and its key in the cascade log. */
static int subject_read(struct app *a, struct store_conn *c,
                        const struct auth_ctx *who, enum subject kind,
                        const char *id, int64_t now, json_t **sources,
                        int *severity, json_t **title, char key[64],
                        int *narrowest, struct svc_error *e)
{
    *sources = json_array();
    *title = NULL;
    *severity = 0;
    /* the narrowest sharing range of the reports read (an alert of
     * website observation has none: it bounds nothing) */
    *narrowest = RANGE_WHITE;
    json_t *o = NULL;
    int rc = IS_OK;
    if (kind == SUBJ_ALERT) {
        struct store_obs_alert al;
        bool nisc = false;
        if ((rc = obs_alert_actionable(c, who, id, &al, &nisc, e)))
            return rc;
        if (strcmp(al.kind, "sector") != 0) {
            free(al.mem);
            return svc_fail(e, IS_ERR_CONFLICT, "not_sector_wide", "id",
                            "cascades follow a sector-wide alert (this one "
                            "is of a %s)",
                            al.kind);
        }
        bool un = strcmp(al.condition, "unreachable") == 0;
        *severity = un ? 4 : 3;
        json_array_append_new(*sources, json_string(al.sector_id));
        /* the count as this reader reads the alert's: exact when it sees
         * every site counted, else the sites it sees exactly and the
         * others rounded (core obs_count_shown) */
        struct obs_reader rd;
        obs_reader_of(who, &rd);
        struct obs_seen seen;
        char nja[32], nen[32], t[256];
        if ((rc = store_obs_alert_seen(c, &rd, &al, &seen)) ||
            !obs_count_text(al.site_count, seen.members, seen.exact, true, nja,
                            sizeof(nja)) ||
            !obs_count_text(al.site_count, seen.members, seen.exact, false, nen,
                            sizeof(nen))) {
            free(al.mem);
            return svc_fail(e, rc ? rc : IS_ERR_INTERNAL, "internal", NULL,
                            "the hub failed");
        }
        snprintf(t, sizeof(t),
                 "HPレスポンス観測：%sのサイトが同時に%s / Website "
                 "observation: %s sites %s at once",
                 nja, un ? "到達不能" : "遅延", nen,
                 un ? "unreachable" : "slow");
        *title = json_string(t);
        snprintf(key, 64, "obs-alert-%lld", (long long)al.id);
        free(al.mem);
        return IS_OK;
    }
    rc = kind == SUBJ_EVENT ? event_read(a, c, who, id, now, &o, e)
                            : report_read(a, c, who, id, now, &o, e);
    if (rc)
        return rc;
    if (util_copy(key, 64, id)) {
        json_decref(o);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", "id", "no such item");
    }
    const json_t *sev = json_object_get(o, "severity");
    *severity = (int)json_integer_value(
        json_object_get(sev, kind == SUBJ_EVENT ? "level" : "effective"));
    json_t *reports = kind == SUBJ_EVENT ? json_object_get(o, "reports")
                                         : json_pack("[O]", o);
    size_t i;
    json_t *r;
    json_array_foreach (reports, i, r) {
        const char *sec = json_string_value(json_object_get(r, "sector"));
        int rg = range_parse(json_string_value(json_object_get(r, "range")));
        if (rg < 0 || rg < *narrowest)
            *narrowest = rg < 0 ? RANGE_RED : rg;
        bool have = false;
        size_t k;
        json_t *v;
        json_array_foreach (*sources, k, v)
            have |= sec && strcmp(json_string_value(v), sec) == 0;
        if (sec && *sec && !have)
            json_array_append_new(*sources, json_string(sec));
    }
    if (kind != SUBJ_EVENT)
        json_decref(reports);
    *title = json_incref(json_object_get(o, "title"));
    json_decref(o);
    return IS_OK;
}

/* Whose suggestions these are (docs/rules.md "Suggestions for an event, and
 * the one step to an advisory"): the asking reader's organisation (its
 * view), never shared with another; an anonymous report's own reporter
 * asking about it is "reporter", which names no organisation. */
static void reader_key(struct store_conn *c, const struct auth_ctx *who,
                       enum subject kind, const char *id, bool *hidden,
                       char key[64])
{
    *hidden = kind == SUBJ_REPORT && report_by_hidden_reporter(c, who, id);
    util_xcopy(key, 64, *hidden ? "reporter" : who->org.id);
}

static int suggest(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, enum subject kind,
                   const char *id, int64_t now, json_t **out,
                   struct svc_error *e)
{
    json_t *sources, *title;
    int severity, narrowest;
    char event[64];
    int rc = subject_read(a, c, who, kind, id, now, &sources, &severity, &title,
                          event, &narrowest, e);
    if (rc) {
        json_decref(sources);
        return rc;
    }
    size_t i;
    struct store_dep_model row;
    json_t *model;
    struct dep_model *m;
    if ((rc = current(c, &row, &model, &m, e))) {
        json_decref(sources);
        json_decref(title);
        return rc;
    }
    int src[DEP_MAX_NODES], nsrc = 0;
    json_t *v;
    json_array_foreach (sources, i, v) {
        int n = dep_node_find(m, json_string_value(v));
        if (n >= 0 && nsrc < DEP_MAX_NODES)
            src[nsrc++] = n;
    }
    struct dep_suggestion *sg = calloc(DEP_MAX_NODES, sizeof(*sg));
    int n =
        sg ? dep_cascade(m, src, nsrc, severity, EX_MAX_HOPS, sg, DEP_MAX_NODES)
           : 0;
    json_t *sugg = suggestions_json(c, m, model, sg, n);
    free(sg);
    free(m);
    json_decref(model);
    /* the anonymous reporter asking about its own report: its act is
     * audited withheld and recorded without its user */
    bool hidden;
    struct store_cascade x = {
        .model_version = row.version, .severity = severity, .created_at = now};
    reader_key(c, who, kind, id, &hidden, x.reader);
    x.created_by = hidden ? 0 : who->user_id;
    free(row.model);
    util_xcopy(x.event_id, sizeof(x.event_id), event);
    x.sources = json_dumps(sources, JSON_COMPACT);
    x.suggestions = json_dumps(sugg, JSON_COMPACT);
    json_decref(sources);
    json_decref(sugg);
    /* recorded once per what was suggested: the same answer again (same
     * model, severity, sources) reuses the last row */
    rc = store_begin(c);
    struct store_cascade last;
    bool same = false;
    if (!rc && store_cascade_last(c, event, x.reader, &last) == IS_OK) {
        same = last.model_version == x.model_version &&
               last.severity == x.severity && x.sources &&
               strcmp(last.sources, x.sources) == 0;
        if (same) {
            store_cascade_release(&x);
            x = last;
        } else {
            store_cascade_release(&last);
        }
    }
    if (!rc && !same)
        rc = x.sources && x.suggestions ? store_cascade_add(c, &x, &x.id)
                                        : IS_ERR_NOMEM;
    int64_t num = 0;
    if (!rc)
        rc = store_cascade_ordinal(c, event, x.reader, x.id, &num);
    if (!rc && !same) {
        json_t *detail =
            json_pack("{s:I,s:i,s:s}", "suggestion", (json_int_t)num, "count",
                      n, "subject", subject_names[kind]);
        rc = hidden
                 ? audit_record_withheld(c, who, now, "cascade.suggest", event,
                                         detail)
                 : audit_record(c, who, now, "cascade.suggest", event, detail);
    }
    if (!rc && (rc = store_commit(c)))
        store_rollback(c);
    if (rc) {
        store_rollback(c);
        store_cascade_release(&x);
        json_decref(title);
        return svc_fail(e, rc, "internal", NULL,
                        "the suggestions could not be recorded");
    }
    *out = cascade_json(c, who, &x, num, kind, id, title);
    store_cascade_release(&x);
    return IS_OK;
}

int event_cascade(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *event, int64_t now,
                  json_t **out, struct svc_error *e)
{
    return suggest(a, c, who, SUBJ_EVENT, event, now, out, e);
}

int report_cascade(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *report, int64_t now,
                   json_t **out, struct svc_error *e)
{
    return suggest(a, c, who, SUBJ_REPORT, report, now, out, e);
}

int obs_alert_cascade(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, const char *alert,
                      int64_t now, json_t **out, struct svc_error *e)
{
    return suggest(a, c, who, SUBJ_ALERT, alert, now, out, e);
}

struct acted {
    int64_t id, by, at;
};

static int link_acted(struct store_conn *c, const char *adv, void *ctx)
{
    struct acted *a = ctx;
    int rc = store_cascade_acted(c, a->id, adv, a->by, a->at);
    return rc == IS_ERR_NOTFOUND ? IS_ERR_CONFLICT : rc;
}

/* Whether who may make an advisory from report id's suggestion
 * (docs/rules.md "Suggestions for an event, and the one step to an
 * advisory"): NISC, or a hop of the report's route; any other reader
 * (another ministry, an agency) reads the suggestions only (found by an
 * outside review: a ministry off the route made a hotline warning of
 * another sector's report under its own name). */
static bool report_advisor(struct store_conn *c, const struct auth_ctx *who,
                           const char *id)
{
    if (strcmp(who->org.kind, "nisc") == 0)
        return true;
    struct store_report r;
    memset(&r, 0, sizeof(r));
    if (store_report_get(c, id, &r))
        return false;
    bool hop = ids_has(&r.chain, who->org.id);
    store_report_release(&r);
    return hop;
}

static int advise(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, enum subject kind, const char *id,
                  const json_t *body, int64_t now, json_t **out,
                  struct svc_error *e)
{
    /* who must still read the subject (its suggestions follow from it) */
    json_t *srcs = NULL, *ttl = NULL;
    int sev, narrowest;
    char event[64];
    int rc = subject_read(a, c, who, kind, id, now, &srcs, &sev, &ttl, event,
                          &narrowest, e);
    char *mine = rc ? NULL : json_dumps(srcs, JSON_COMPACT);
    json_decref(srcs);
    json_decref(ttl);
    if (rc)
        return rc;
    int64_t sid = jv_int(body, "suggestion", 0);
    struct store_cascade x;
    memset(&x, 0, sizeof(x));
    /* a suggestion made from what this reader reads: the same item, the
     * same sources and severity (another reader's, from reports this one
     * may not read, is not its to act on) */
    int64_t row = 0;
    bool hidden;
    char reader[64];
    reader_key(c, who, kind, id, &hidden, reader);
    if (!mine || store_cascade_by_ordinal(c, event, reader, sid, &row) ||
        store_cascade_get(c, row, &x) || strcmp(x.event_id, event) != 0 ||
        strcmp(x.reader, reader) != 0 || x.severity != sev ||
        strcmp(x.sources, mine) != 0) {
        free(mine);
        store_cascade_release(&x);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", "suggestion",
                        "suggestion: no such suggestion for this item as "
                        "you read it (ask for the suggestions first)");
    }
    free(mine);
    if (*x.advisory_id) {
        store_cascade_release(&x);
        return svc_fail(e, IS_ERR_CONFLICT, "already_acted", "suggestion",
                        "suggestion: an advisory was made from it already");
    }
    if (kind == SUBJ_REPORT && !report_advisor(c, who, id)) {
        store_cascade_release(&x);
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "only a hop of the report's route, or NISC, makes "
                        "an advisory from it; its other readers read the "
                        "suggestions");
    }
    /* the sources' ranges bound the advisory (docs/rules.md "Suggestions
     * for an event, and the one step to an advisory"): never wider than
     * the narrowest report it comes from, and from a Red one the hub
     * writes no text of its own (its text names the source's sector and
     * severity): the caller writes all four, as for any advisory */
    const char *want_range = jv_str(body, "range");
    int bound = narrowest < RANGE_AMBER ? RANGE_AMBER : narrowest;
    if (want_range && range_parse(want_range) > bound) {
        store_cascade_release(&x);
        return svc_fail(e, IS_ERR_INVALID, "range_wider_than_source", "range",
                        "range: wider than a report it comes from (%s)",
                        range_name((enum share_range)narrowest));
    }
    static const char *const own_text[] = {"title_ja", "title_en", "body_ja",
                                           "body_en", "severity"};
    for (size_t k = 0; narrowest == RANGE_RED && k < 5; k++)
        if (k < 4 ? !jv_str(body, own_text[k])
                  : jv_int(body, "severity", -1) < 0) {
            store_cascade_release(&x);
            return svc_fail(e, IS_ERR_INVALID, "red_source", own_text[k],
                            "%s: a report it comes from is Red, so the "
                            "advisory's text and severity are yours to give "
                            "(title_ja, title_en, body_ja, body_en, "
                            "severity): the suggested ones pass on its sector "
                            "and severity",
                            own_text[k]);
        }
    json_t *sugg = json_loads(x.suggestions, 0, NULL);
    json_t *src = json_loads(x.sources, 0, NULL);
    const json_t *want = json_object_get(body, "sectors");
    if (json_is_null(want)) /* null: as if absent (every suggested sector) */
        want = NULL;
    json_t *sectors = json_array();
    size_t i;
    json_t *s;
    json_array_foreach (sugg, i, s) {
        const char *node = json_string_value(json_object_get(s, "node"));
        bool named = !want;
        size_t k;
        json_t *w;
        json_array_foreach (want, k, w)
            named |= strcmp(json_string_value(w), node) == 0;
        /* sectors only: named operators are warned through their sector */
        if (named && store_names(c, "sector", node, NULL, 0, NULL, 0) == IS_OK)
            json_array_append_new(sectors, json_string(node));
    }
    json_array_foreach (want, i, s) {
        bool found = false;
        size_t k;
        json_t *t;
        json_array_foreach (sectors, k, t)
            found |= strcmp(json_string_value(t), json_string_value(s)) == 0;
        if (!found && !rc) {
            char field[32];
            snprintf(field, sizeof(field), "sectors[%zu]", i);
            rc = svc_fail(e, IS_ERR_INVALID, "not_suggested", field,
                          "%s: %.63s is not a sector of this suggestion", field,
                          json_string_value(s));
        }
    }
    if (!rc && json_array_size(sectors) == 0)
        rc = svc_fail(e, IS_ERR_INVALID, "nothing_to_warn", "sectors",
                      "sectors: the suggestion names no sector to warn");
    /* the text: the caller's, or one written from the suggestion */
    struct buf tj, te, bj, be;
    buf_init(&tj, 4096);
    buf_init(&te, 4096);
    buf_init(&bj, 64 * 1024);
    buf_init(&be, 64 * 1024);
    const char *src0 = json_string_value(json_array_get(src, 0));
    json_t *sn = names_json(c, src0 ? src0 : "");
    buf_addf(&tj, "【連鎖注意】%s の障害（深刻度 %d）による影響のおそれ",
             json_string_value(json_object_get(sn, "ja")), x.severity);
    buf_addf(&te, "Possible knock-on effects of an outage in %s (severity %d)",
             json_string_value(json_object_get(sn, "en")), x.severity);
    buf_addf(&bj,
             "%s の障害（深刻度 %d）が相互依存を通じて次の分野に及ぶおそれ"
             "があります。\n",
             json_string_value(json_object_get(sn, "ja")), x.severity);
    buf_addf(&be,
             "An outage in %s (severity %d) may reach these sectors "
             "through their dependencies:\n",
             json_string_value(json_object_get(sn, "en")), x.severity);
    json_array_foreach (sugg, i, s) {
        const char *node = json_string_value(json_object_get(s, "node"));
        bool in = false;
        size_t k;
        json_t *t;
        json_array_foreach (sectors, k, t)
            in |= strcmp(json_string_value(t), node) == 0;
        if (!in)
            continue;
        json_t *nm = json_object_get(s, "name");
        int lag = (int)json_integer_value(json_object_get(s, "lag_min"));
        bool regional = json_is_true(json_object_get(s, "regional"));
        buf_addf(&bj, "・%s：約 %d 分後%s\n",
                 json_string_value(json_object_get(nm, "ja")), lag,
                 regional ? "（同じ地域）" : "");
        buf_addf(&be, "- %s: within about %d minutes%s\n",
                 json_string_value(json_object_get(nm, "en")), lag,
                 regional ? " (in the same region)" : "");
    }
    json_decref(sn);
    json_t *req = NULL;
    if (!rc &&
        (buf_error(&tj) || buf_error(&te) || buf_error(&bj) || buf_error(&be)))
        rc = svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    if (!rc) {
        const char *range = jv_str(body, "range");
        req = json_pack(
            "{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:{s:O}}", "kind", "warning", "range",
            range ? range : "amber", "severity",
            jv_int(body, "severity", -1) >= 0 ? (int)jv_int(body, "severity", 0)
            : x.severity < 0                  ? 0
            : x.severity > 5                  ? 5
                                              : x.severity,
            "title_ja",
            jv_str(body, "title_ja") ? jv_str(body, "title_ja") : buf_str(&tj),
            "title_en",
            jv_str(body, "title_en") ? jv_str(body, "title_en") : buf_str(&te),
            "body_ja",
            jv_str(body, "body_ja") ? jv_str(body, "body_ja") : buf_str(&bj),
            "body_en",
            jv_str(body, "body_en") ? jv_str(body, "body_en") : buf_str(&be),
            "audience", "sectors", sectors);
        if (!req)
            rc = svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    }
    buf_release(&tj);
    buf_release(&te);
    buf_release(&bj);
    buf_release(&be);
    json_decref(sugg);
    json_decref(src);
    json_decref(sectors);
    if (!rc) {
        struct acted ac = {.id = x.id, .by = who->user_id, .at = now};
        json_t *adv = NULL;
        rc = advisory_issue_linked(a, c, who, req, now, link_acted, &ac, &adv,
                                   e);
        if (rc == IS_ERR_CONFLICT)
            svc_fail(e, rc, "already_acted", "suggestion",
                     "suggestion: an advisory was made from it already");
        if (!rc)
            *out = json_pack("{s:I,s:o}", "suggestion", (json_int_t)sid,
                             "advisory", adv);
    }
    json_decref(req);
    store_cascade_release(&x);
    return rc;
}

int event_cascade_advisory(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, const char *event,
                           const json_t *body, int64_t now, json_t **out,
                           struct svc_error *e)
{
    return advise(a, c, who, SUBJ_EVENT, event, body, now, out, e);
}

int report_cascade_advisory(struct app *a, struct store_conn *c,
                            const struct auth_ctx *who, const char *report,
                            const json_t *body, int64_t now, json_t **out,
                            struct svc_error *e)
{
    return advise(a, c, who, SUBJ_REPORT, report, body, now, out, e);
}

int obs_alert_cascade_advisory(struct app *a, struct store_conn *c,
                               const struct auth_ctx *who, const char *alert,
                               const json_t *body, int64_t now, json_t **out,
                               struct svc_error *e)
{
    return advise(a, c, who, SUBJ_ALERT, alert, body, now, out, e);
}
