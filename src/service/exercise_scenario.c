/*
 * exercise_scenario.c - see exercise_scenario.h.
 */
#include "service/exercise_scenario.h"

#include "core/range.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

static const char *const top_keys[] = {"format",   "id",          "title_ja",
                                       "title_en", "start_local", "groups",
                                       "injects",  NULL};
static const char *const inject_keys[] = {
    "id",       "at_min",   "from",    "to",      "kind", "severity",
    "title_ja", "title_en", "body_ja", "body_en", "when", "expect",
    "note_ja",  "note_en",  "range",   "drill",   "form", NULL};
static const char *const to_keys[] = {"all", "groups", "sectors", "orgs", NULL};
static const char *const when_keys[] = {"if", "if_not", "by_min", NULL};
static const char *const expect_keys[] = {"id", "action", "within_min",
                                          "report_kind", NULL};
static const char *const group_keys[] = {"sectors", "orgs", "name_ja",
                                         "name_en", NULL};

/* A field's path into out: it may quote the request's own keys and names
 * (any length), so it is cut, never refused; svc_fail cuts it again at a
 * character's boundary to fit the error. */
__attribute__((format(printf, 3, 4))) static void
field_fmt(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, n, fmt, ap);
    va_end(ap);
}

static int bad(struct svc_error *e, const char *code, const char *field,
               const char *what)
{
    return svc_fail(e, IS_ERR_INVALID, code, field, "%s: %s", field, what);
}

/* Every key of o is one of keys (else unknown_field naming it). */
static int known_keys(const json_t *o, const char *const *keys,
                      const char *prefix, struct svc_error *e)
{
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)o, k, v) {
        bool ok = false;
        for (size_t i = 0; keys[i] && !ok; i++)
            ok = strcmp(keys[i], k) == 0;
        if (!ok) {
            /* the key is the request's: any length (svc_fail cuts the
             * field at a character's boundary) */
            char field[256];
            field_fmt(field, sizeof(field), "%s%s%s", prefix,
                      prefix[0] ? "." : "", k);
            return bad(e, "unknown_field", field, "not a field of a scenario");
        }
    }
    return IS_OK;
}

/* A short identifier: [a-z0-9-_.], 1..EX_ID_LEN-1 bytes. */
static bool id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || n >= EX_ID_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-' || s[i] == '_' || s[i] == '.'))
            return false;
    return true;
}

/* Characters (code points) of UTF-8 text: limits count characters, as
 * the API's field tables do (common/jv.h). */
static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static int need_string(const json_t *o, const char *key, const char *prefix,
                       size_t max, bool required, struct svc_error *e)
{
    json_t *v = json_object_get(o, key);
    char field[256];
    field_fmt(field, sizeof(field), "%s%s%s", prefix, prefix[0] ? "." : "",
              key);
    if (!v)
        return required ? bad(e, "missing_field", field, "is required") : IS_OK;
    if (!json_is_string(v))
        return bad(e, "invalid_type", field, "must be a string");
    if (utf8_chars(json_string_value(v), json_string_length(v)) > max)
        return bad(e, "too_long", field, "is too long");
    return IS_OK;
}

static int need_int(const json_t *o, const char *key, const char *prefix,
                    long long min, long long max, bool required, int *out,
                    struct svc_error *e)
{
    json_t *v = json_object_get(o, key);
    char field[256];
    field_fmt(field, sizeof(field), "%s%s%s", prefix, prefix[0] ? "." : "",
              key);
    if (!v)
        return required ? bad(e, "missing_field", field, "is required") : IS_OK;
    if (!json_is_integer(v))
        return bad(e, "invalid_type", field, "must be an integer");
    json_int_t k = json_integer_value(v);
    if (k < min || k > max)
        return bad(e, "out_of_range", field, "is out of range");
    *out = (int)k;
    return IS_OK;
}

/* An array of strings at key, each checked by ok (registry or groups). */
static int names(struct store_conn *c, const json_t *o, const char *key,
                 const char *prefix, const json_t *groups, struct svc_error *e)
{
    json_t *a = json_object_get(o, key);
    char field[256];
    field_fmt(field, sizeof(field), "%s.%s", prefix, key);
    if (!a)
        return IS_OK;
    if (!json_is_array(a) || json_array_size(a) > 1000)
        return bad(e, "invalid_type", field,
                   "must be an array of at most 1,000 names");
    size_t i;
    json_t *x;
    json_array_foreach (a, i, x) {
        const char *s = json_string_value(x);
        if (!s || strlen(s) > 63)
            return bad(e, "invalid_type", field, "must hold short strings");
        if (strcmp(key, "groups") == 0) {
            if (!json_object_get(groups, s))
                return svc_fail(e, IS_ERR_INVALID, "unknown_group", field,
                                "%s: no group %.63s in the scenario's groups",
                                field, s);
            continue;
        }
        if (!c)
            continue;
        int rc = IS_OK;
        if (strcmp(key, "orgs") == 0) {
            struct access_org rel;
            rc = store_org_rel(c, s, &rel);
        } else { /* sectors */
            rc = store_names(c, "sector", s, NULL, 0, NULL, 0);
        }
        if (rc == IS_ERR_NOTFOUND)
            return svc_fail(e, IS_ERR_INVALID, "unknown_participants", field,
                            "%s: %.63s is not in the registry", field, s);
        if (rc)
            return rc;
    }
    return IS_OK;
}

/* exercise_scenario_reload is loading a stored scenario (this thread) */
static _Thread_local bool reloading;

static int load_inject(struct store_conn *c, const json_t *in, int idx,
                       const json_t *groups, struct ex_inject *out,
                       struct svc_error *e)
{
    char pre[256];
    field_fmt(pre, sizeof(pre), "injects[%d]", idx);
    if (!json_is_object(in))
        return bad(e, "invalid_type", pre, "must be an object");
    int rc = known_keys(in, inject_keys, pre, e);
    if (!rc)
        rc = need_string(in, "id", pre, EX_ID_LEN - 1, true, e);
    if (!rc && !id_ok(json_string_value(json_object_get(in, "id")))) {
        char field[256];
        field_fmt(field, sizeof(field), "%s.id", pre);
        rc = bad(e, "invalid_value", field,
                 "letters a-z, digits, '-', '_' and '.' only");
    }
    if (!rc)
        rc = need_int(in, "at_min", pre, 0, EX_MAX_MIN, true, &out->at_min, e);
    static const char *const texts[] = {"title_ja", "title_en", "body_ja",
                                        "body_en"};
    for (size_t k = 0; !rc && k < IS_ARRAY_LEN(texts); k++)
        rc = need_string(in, texts[k], pre, k < 2 ? 200 : 20000, true, e);
    if (!rc)
        rc = need_string(in, "from", pre, 63, true, e);
    if (!rc && c) {
        struct access_org rel;
        int r2 = store_org_rel(
            c, json_string_value(json_object_get(in, "from")), &rel);
        char field[256];
        field_fmt(field, sizeof(field), "%s.from", pre);
        if (r2 == IS_ERR_NOTFOUND)
            rc = bad(e, "unknown_participants", field,
                     "the sender is not in the registry");
        else
            rc = r2;
    }
    int severity = 0;
    if (!rc)
        rc = need_int(in, "severity", pre, 0, 5, false, &severity, e);
    if (!rc)
        rc = need_string(in, "kind", pre, 20, false, e);
    /* an inject travels as an advisory of the exercise's own database
     * (service/exercise_run.c): its kind and range are an advisory's */
    const char *kind = json_string_value(json_object_get(in, "kind"));
    if (!rc && kind && strcmp(kind, "warning") != 0 &&
        strcmp(kind, "info") != 0 && strcmp(kind, "security_info") != 0 &&
        strcmp(kind, "newsletter") != 0) {
        char field[256];
        field_fmt(field, sizeof(field), "%s.kind", pre);
        rc = bad(e, "invalid_value", field,
                 "warning, info, security_info or newsletter");
    }
    const json_t *drill = json_object_get(in, "drill");
    if (!rc && drill && !json_is_boolean(drill)) {
        char field[256];
        field_fmt(field, sizeof(field), "%s.drill", pre);
        rc = bad(e, "invalid_type", field, "must be true or false");
    }
    if (!rc)
        rc = need_string(in, "range", pre, 10, false, e);
    const char *range = json_string_value(json_object_get(in, "range"));
    if (!rc && range && range_parse(range) < 0) {
        char field[256];
        field_fmt(field, sizeof(field), "%s.range", pre);
        rc = bad(e, "invalid_value", field,
                 "red, amber, yellow, green or white");
    }
    const json_t *to = json_object_get(in, "to");
    char tpre[256];
    field_fmt(tpre, sizeof(tpre), "%s.to", pre);
    if (!rc && !json_is_object(to))
        rc = bad(e, to ? "invalid_type" : "missing_field", tpre,
                 "an object naming the participants it goes to");
    if (!rc)
        rc = known_keys(to, to_keys, tpre, e);
    if (!rc && json_object_size(to) == 0)
        rc = bad(e, "missing_field", tpre, "names no participant");
    if (!rc)
        rc = names(c, to, "groups", tpre, groups, e);
    if (!rc)
        rc = names(c, to, "sectors", tpre, groups, e);
    if (!rc)
        rc = names(c, to, "orgs", tpre, groups, e);
    if (rc)
        return rc;
    util_xcopy(out->id, sizeof(out->id),
               json_string_value(json_object_get(in, "id")));
    const json_t *w = json_object_get(in, "when");
    if (w) {
        char wpre[256];
        field_fmt(wpre, sizeof(wpre), "%s.when", pre);
        if (!json_is_object(w))
            return bad(e, "invalid_type", wpre, "must be an object");
        if ((rc = known_keys(w, when_keys, wpre, e)))
            return rc;
        const char *pos = json_string_value(json_object_get(w, "if"));
        const char *neg = json_string_value(json_object_get(w, "if_not"));
        if (!!pos == !!neg || !id_ok(pos ? pos : neg))
            return bad(e, "invalid_value", wpre,
                       "names one expected action, as \"if\" or \"if_not\"");
        if ((rc = need_int(w, "by_min", wpre, 0, EX_MAX_MIN, true,
                           &out->when.by_min, e)))
            return rc;
        out->when.present = true;
        out->when.negated = neg != NULL;
        util_xcopy(out->when.action_id, sizeof(out->when.action_id),
                   pos ? pos : neg);
    }
    const json_t *xs = json_object_get(in, "expect");
    char xpre[256];
    field_fmt(xpre, sizeof(xpre), "%s.expect", pre);
    if (xs && (!json_is_array(xs) || json_array_size(xs) > EX_MAX_EXPECT))
        return bad(e, "invalid_type", xpre,
                   "must be an array of at most 8 expected actions");
    size_t k;
    json_t *x;
    json_array_foreach (xs, k, x) {
        char kpre[256];
        field_fmt(kpre, sizeof(kpre), "%s[%zu]", xpre, k);
        if (!json_is_object(x))
            return bad(e, "invalid_type", kpre, "must be an object");
        struct ex_expect *ex = &out->expect[k];
        if ((rc = known_keys(x, expect_keys, kpre, e)) ||
            (rc = need_string(x, "id", kpre, EX_ID_LEN - 1, true, e)) ||
            (rc = need_int(x, "within_min", kpre, 1, EX_MAX_MIN, true,
                           &ex->within_min, e)) ||
            (rc = need_string(x, "report_kind", kpre, 20, false, e)))
            return rc;
        const char *xid = json_string_value(json_object_get(x, "id"));
        char field[256];
        if (!id_ok(xid)) {
            field_fmt(field, sizeof(field), "%s.id", kpre);
            return bad(e, "invalid_value", field,
                       "letters a-z, digits, '-', '_' and '.' only");
        }
        int act =
            ex_action_parse(json_string_value(json_object_get(x, "action")));
        if (act < 0) {
            field_fmt(field, sizeof(field), "%s.action", kpre);
            return bad(e, "unknown_action", field,
                       "report, ack, relay, bcp or rollcall");
        }
        /* an inject with a condition goes past the relay chain (a hop
         * would learn who met it): it has nothing to relay. Checked when
         * a scenario is given, not when a stored one is loaded again
         * (exercise_scenario_reload: a running exercise resumed after an
         * upgrade; such a relay is then asked of no one) */
        if (act == EX_ACT_RELAY && out->when.present && !reloading) {
            field_fmt(field, sizeof(field), "%s.action", kpre);
            return bad(e, "invalid_value", field,
                       "an inject with a condition (when) goes to each "
                       "participant past the relay chain: it asks for no "
                       "relay");
        }
        util_xcopy(ex->id, sizeof(ex->id), xid);
        ex->action = (enum ex_action)act;
        out->nexpect++;
    }
    return IS_OK;
}

int exercise_scenario_load(struct store_conn *c, const json_t *j,
                           struct ex_scenario *out, struct svc_error *e)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(j))
        return bad(e, "invalid_type", "scenario", "must be a JSON object");
    int rc = known_keys(j, top_keys, "", e);
    if (rc)
        return rc;
    const char *fmt = json_string_value(json_object_get(j, "format"));
    if (!fmt || strcmp(fmt, EXERCISE_SCENARIO_FORMAT) != 0)
        return bad(e, "invalid_value", "format",
                   "must be \"" EXERCISE_SCENARIO_FORMAT "\"");
    if ((rc = need_string(j, "id", "", EX_ID_LEN - 1, true, e)) ||
        (rc = need_string(j, "title_ja", "", 200, true, e)) ||
        (rc = need_string(j, "title_en", "", 200, true, e)) ||
        (rc = need_string(j, "start_local", "", 5, false, e)))
        return rc;
    const json_t *groups = json_object_get(j, "groups");
    if (groups && !json_is_object(groups))
        return bad(e, "invalid_type", "groups", "must be an object");
    const char *gname;
    json_t *g;
    json_object_foreach ((json_t *)groups, gname, g) {
        char gpre[256];
        field_fmt(gpre, sizeof(gpre), "groups.%s", gname);
        if (!json_is_object(g))
            return bad(e, "invalid_type", gpre, "must be an object");
        if ((rc = known_keys(g, group_keys, gpre, e)) ||
            (rc = names(c, g, "sectors", gpre, groups, e)) ||
            (rc = names(c, g, "orgs", gpre, groups, e)))
            return rc;
    }
    const json_t *injects = json_object_get(j, "injects");
    if (!json_is_array(injects) || json_array_size(injects) == 0 ||
        json_array_size(injects) > EX_MAX_INJECTS)
        return bad(e, injects ? "invalid_type" : "missing_field", "injects",
                   "an array of 1 to 200 injects");
    size_t i;
    json_t *in;
    json_array_foreach (injects, i, in) {
        if ((rc = load_inject(c, in, (int)i, groups, &out->inject[i], e)))
            return rc;
        out->ninjects++;
    }
    struct ex_problem p = {0};
    if (!ex_scenario_check(out, &p)) {
        char field[256];
        if (p.inject >= 0)
            field_fmt(field, sizeof(field), "injects[%d].%s", p.inject,
                      p.field);
        else
            util_xcopy(field, sizeof(field), p.field);
        static const struct {
            const char *code, *why;
        } why[] = {
            {"out_of_order", "injects must come in the order of their times"},
            {"out_of_range", "out of range"},
            {"duplicate_id", "this identifier is used already"},
            {"unknown_action", "names no expected action of the scenario"},
            {"depends_on_later", "waits for an action of a later inject"},
            {"condition_after_inject",
             "is decided after the inject's own time"},
            {"cycle", "the branching conditions make a cycle"},
            {"missing_field", "is required"},
        };
        const char *text = "invalid";
        for (size_t k = 0; k < IS_ARRAY_LEN(why); k++)
            if (strcmp(why[k].code, p.code) == 0)
                text = why[k].why;
        return svc_fail(e, IS_ERR_INVALID, p.code, field, "%s: %s", field,
                        text);
    }
    return IS_OK;
}

int exercise_scenario_reload(const json_t *j, struct ex_scenario *out,
                             struct svc_error *e)
{
    reloading = true;
    int rc = exercise_scenario_load(NULL, j, out, e);
    reloading = false;
    return rc;
}
