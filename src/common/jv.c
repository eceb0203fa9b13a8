#include "common/jv.h"

#include <math.h>

#include "common/util.h"

static int jv_fail(struct jv_error *err, const char *code, const char *prefix,
                   const char *field, const char *fmt, ...)
{
    va_list ap;
    util_xcopy(err->code, sizeof(err->code), code);
    if (prefix && *prefix)
        snprintf(err->field, sizeof(err->field), "%s.%s", prefix, field);
    else
        util_xcopy(err->field, sizeof(err->field), field);
    char tmp[200];
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    /* a diagnostic: the field (< 128) whole, the text cut to fit on purpose */
    snprintf(err->message, sizeof(err->message), "%.127s: %.126s", err->field,
             tmp);
    return IS_ERR_INVALID;
}

static bool in_enum(const char *const *vals, const char *s)
{
    for (; *vals; vals++)
        if (strcmp(*vals, s) == 0)
            return true;
    return false;
}

static int check_string(const json_t *v, const struct jv_field *f,
                        const char *prefix, const char *name, size_t max_len,
                        struct jv_error *err)
{
    if (!json_is_string(v))
        return jv_fail(err, "invalid_type", prefix, name, "must be a string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n || !util_utf8_ok(s, n))
        return jv_fail(err, "invalid_text", prefix, name,
                       "contains a control character or invalid UTF-8");
    if (f->one_line && !util_one_line(s))
        return jv_fail(err, "invalid_text", prefix, name,
                       "must be one line: no line break, tab or other "
                       "control character");
    if (max_len && util_utf8_len(s) > max_len)
        return jv_fail(err, "too_long", prefix, name,
                       "longer than %zu characters", max_len);
    if (f->nonblank && util_blank(s))
        return jv_fail(err, "invalid_value", prefix, name,
                       "must not be empty or only white space");
    if (f->nonblank && util_has_bidi_control(s))
        return jv_fail(err, "invalid_text", prefix, name,
                       "contains a bidirectional control character "
                       "(U+200E/F, U+202A-E, U+2066-9), which would show "
                       "the text reordered");
    if (f->enum_values && !in_enum(f->enum_values, s))
        return jv_fail(err, "invalid_value", prefix, name,
                       "not one of the allowed values");
    return IS_OK;
}

static int check_obj(const json_t *obj, const struct jv_field *spec, size_t n,
                     const char *prefix, struct jv_error *err);

/* Refuses the first key of obj that spec does not name. */
static int check_keys(const json_t *obj, const struct jv_field *spec, size_t n,
                      const char *prefix, struct jv_error *err)
{
    const char *key;
    json_t *val;
    json_object_foreach ((json_t *)obj, key, val) {
        bool known = false;
        for (size_t i = 0; i < n; i++)
            if (strcmp(spec[i].name, key) == 0)
                known = true;
        if (!known) {
            char safe[64];
            /* echo at most 60 bytes of an unknown key, ASCII only */
            size_t k = 0;
            for (const char *p = key; *p && k < 60; p++)
                safe[k++] = (*p > 0x20 && *p < 0x7f) ? *p : '?';
            safe[k] = '\0';
            return jv_fail(err, "unknown_field", prefix, safe,
                           "is not a field of this request");
        }
    }
    return IS_OK;
}

/* The path of field name below prefix ("prefix.name", or name at the
 * top) into sub[128]. */
static void sub_prefix(const char *prefix, const char *name, char sub[128])
{
    if (prefix && *prefix)
        snprintf(sub, 128, "%s.%s", prefix, name);
    else
        util_xcopy(sub, 128, name);
}

/* Checks that v is an array of at most f->max_len items (what: "strings"
 * or "objects"), then each item (of a JV_STRING_ARRAY or JV_OBJECT_ARRAY
 * field). */
static int check_array(const json_t *v, const struct jv_field *f,
                       const char *prefix, struct jv_error *err)
{
    bool objects = f->type == JV_OBJECT_ARRAY;
    bool ints = f->type == JV_INT_ARRAY;
    if (!json_is_array(v))
        return jv_fail(err, "invalid_type", prefix, f->name,
                       objects ? "must be an array of objects"
                       : ints  ? "must be an array of integers"
                               : "must be an array of strings");
    if (f->max_len && json_array_size(v) > f->max_len)
        return jv_fail(err, "too_long", prefix, f->name,
                       "has more than %zu items", f->max_len);
    char sub[128] = "";
    size_t idx;
    json_t *it;
    json_array_foreach (v, idx, it) {
        if (ints) {
            json_int_t k = json_is_integer(it) ? json_integer_value(it) : 0;
            if (!json_is_integer(it))
                return jv_fail(err, "invalid_type", prefix, f->name,
                               "must be an array of integers");
            if ((f->min || f->max) && (k < f->min || k > f->max))
                return jv_fail(err, "out_of_range", prefix, f->name,
                               "items must be between %lld and %lld", f->min,
                               f->max);
            continue;
        }
        if (objects) { /* the item named by its index: "answers[2]" */
            char base[128];
            sub_prefix(prefix, f->name, base);
            snprintf(sub, sizeof(sub), "%.100s[%zu]", base, idx);
        }
        int rc = objects
                     ? check_obj(it, f->sub, f->nsub, sub, err)
                     : check_string(it, f, prefix, f->name, f->item_len, err);
        if (rc)
            return rc;
        for (size_t k = 0; f->unique && !objects && k < idx; k++)
            if (json_equal(json_array_get(v, k), it))
                return jv_fail(err, "invalid_value", prefix, f->name,
                               "lists \"%.80s\" twice", json_string_value(it));
    }
    return IS_OK;
}

/* Checks that number v is an integer (JV_INT) or a number within
 * [f->min, f->max] (when either is set). */
static int check_number(const json_t *v, const struct jv_field *f,
                        const char *prefix, struct jv_error *err)
{
    if (f->type == JV_INT && !json_is_integer(v))
        return jv_fail(err, "invalid_type", prefix, f->name,
                       "must be an integer");
    if (!json_is_number(v))
        return jv_fail(err, "invalid_type", prefix, f->name,
                       "must be a number");
    double d = json_number_value(v);
    if ((f->min || f->max) && (d < (double)f->min || d > (double)f->max))
        return jv_fail(err, "out_of_range", prefix, f->name,
                       "must be between %lld and %lld", f->min, f->max);
    return IS_OK;
}

/* Checks the present, non-null value v of field f. */
static int check_value(const json_t *v, const struct jv_field *f,
                       const char *prefix, struct jv_error *err)
{
    switch (f->type) {
    case JV_STRING: return check_string(v, f, prefix, f->name, f->max_len, err);
    case JV_TIME: {
        int64_t t;
        if (!json_is_string(v))
            return jv_fail(err, "invalid_type", prefix, f->name,
                           "must be an RFC 3339 time string");
        if (util_time_parse(json_string_value(v), &t))
            return jv_fail(err, "invalid_value", prefix, f->name,
                           "is not an RFC 3339 time");
        return IS_OK;
    }
    case JV_INT:
    case JV_NUMBER: return check_number(v, f, prefix, err);
    case JV_BOOL:
        if (!json_is_boolean(v))
            return jv_fail(err, "invalid_type", prefix, f->name,
                           "must be true or false");
        return IS_OK;
    case JV_STRING_ARRAY:
    case JV_INT_ARRAY:
    case JV_OBJECT_ARRAY: return check_array(v, f, prefix, err);
    case JV_OBJECT: {
        /* no table: any object, which the service checks itself (an
         * exercise's scenario file) */
        if (!f->sub && !json_is_object(v))
            return jv_fail(err, "invalid_type", prefix, f->name,
                           "must be an object");
        if (!f->sub)
            return IS_OK;
        char sub[128];
        sub_prefix(prefix, f->name, sub);
        return check_obj(v, f->sub, f->nsub, sub, err);
    }
    }
    return IS_OK;
}

static int check_obj(const json_t *obj, const struct jv_field *spec, size_t n,
                     const char *prefix, struct jv_error *err)
{
    if (!json_is_object(obj))
        return jv_fail(err, "invalid_type", "",
                       prefix && *prefix ? prefix : "body",
                       "must be a JSON object");
    int rc = check_keys(obj, spec, n, prefix, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const struct jv_field *f = &spec[i];
        json_t *v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->required)
                return jv_fail(err, "missing_field", prefix, f->name,
                               "is required");
            continue;
        }
        if ((rc = check_value(v, f, prefix, err)))
            return rc;
    }
    return IS_OK;
}

int jv_check(const json_t *obj, const struct jv_field *spec, size_t n,
             struct jv_error *err)
{
    if (n == JV_UNTIL_NULL)
        for (n = 0; spec[n].name; n++)
            ;
    return check_obj(obj, spec, n, "", err);
}

int jv_check_text(const char *field, const char *s, size_t max_len,
                  struct jv_error *err)
{
    size_t n = strlen(s);
    if (!util_utf8_ok(s, n))
        return jv_fail(err, "invalid_text", "", field,
                       "contains a control character or invalid UTF-8");
    if (max_len && util_utf8_len(s) > max_len)
        return jv_fail(err, "too_long", "", field, "longer than %zu characters",
                       max_len);
    return IS_OK;
}

const char *jv_str(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

long long jv_int(const json_t *obj, const char *name, long long dflt)
{
    json_t *v = json_object_get(obj, name);
    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

bool jv_bool(const json_t *obj, const char *name, bool dflt)
{
    json_t *v = json_object_get(obj, name);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* Depth-first search for a value that bad() picks, its path in path. */
static bool find_value(const json_t *j, bool (*bad)(const json_t *),
                       const char *at, char *path, size_t len, int depth)
{
    if (bad(j)) {
        util_xcopy(path, len, *at ? at : "body");
        return true;
    }
    if (depth > 64)
        return false; /* the decoder's own depth limit is lower */
    char sub[256];
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach ((json_t *)j, k, v) {
            snprintf(sub, sizeof(sub), *at ? "%.120s.%.120s" : "%.120s%.120s",
                     at, k);
            if (find_value(v, bad, sub, path, len, depth + 1))
                return true;
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach (j, i, v) {
            snprintf(sub, sizeof(sub), "%.120s[%zu]", at, i);
            if (find_value(v, bad, sub, path, len, depth + 1))
                return true;
        }
    }
    return false;
}

static bool holds_nul(const json_t *v)
{
    return json_is_string(v) &&
           strlen(json_string_value(v)) != json_string_length(v);
}

static bool huge_int(const json_t *v)
{
    /* 2^63: no 64-bit integer reaches it, and every double beyond is
     * integral */
    return json_is_real(v) && fabs(json_real_value(v)) >= 9223372036854775808.0;
}

bool jv_find_nul(const json_t *j, char *path, size_t len)
{
    return find_value(j, holds_nul, "", path, len, 0);
}

bool jv_find_huge_int(const json_t *j, char *path, size_t len)
{
    return find_value(j, huge_int, "", path, len, 0);
}
