#include "common/jv.h"

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
    if (max_len && util_utf8_len(s) > max_len)
        return jv_fail(err, "too_long", prefix, name,
                       "longer than %zu characters", max_len);
    if (f->enum_values && !in_enum(f->enum_values, s))
        return jv_fail(err, "invalid_value", prefix, name,
                       "not one of the allowed values");
    return IS_OK;
}

static int check_obj(const json_t *obj, const struct jv_field *spec, size_t n,
                     const char *prefix, struct jv_error *err)
{
    if (!json_is_object(obj))
        return jv_fail(err, "invalid_type", "",
                       prefix && *prefix ? prefix : "body",
                       "must be a JSON object");
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
    for (size_t i = 0; i < n; i++) {
        const struct jv_field *f = &spec[i];
        json_t *v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->required)
                return jv_fail(err, "missing_field", prefix, f->name,
                               "is required");
            continue;
        }
        int rc;
        switch (f->type) {
        case JV_STRING:
            rc = check_string(v, f, prefix, f->name, f->max_len, err);
            if (rc)
                return rc;
            break;
        case JV_TIME: {
            int64_t t;
            if (!json_is_string(v))
                return jv_fail(err, "invalid_type", prefix, f->name,
                               "must be an RFC 3339 time string");
            if (util_time_parse(json_string_value(v), &t))
                return jv_fail(err, "invalid_value", prefix, f->name,
                               "is not an RFC 3339 time");
            break;
        }
        case JV_INT:
        case JV_NUMBER: {
            double d;
            if (f->type == JV_INT && !json_is_integer(v))
                return jv_fail(err, "invalid_type", prefix, f->name,
                               "must be an integer");
            if (!json_is_number(v))
                return jv_fail(err, "invalid_type", prefix, f->name,
                               "must be a number");
            d = json_number_value(v);
            if ((f->min || f->max) &&
                (d < (double)f->min || d > (double)f->max))
                return jv_fail(err, "out_of_range", prefix, f->name,
                               "must be between %lld and %lld", f->min, f->max);
            break;
        }
        case JV_BOOL:
            if (!json_is_boolean(v))
                return jv_fail(err, "invalid_type", prefix, f->name,
                               "must be true or false");
            break;
        case JV_STRING_ARRAY: {
            if (!json_is_array(v))
                return jv_fail(err, "invalid_type", prefix, f->name,
                               "must be an array of strings");
            if (f->max_len && json_array_size(v) > f->max_len)
                return jv_fail(err, "too_long", prefix, f->name,
                               "has more than %zu items", f->max_len);
            size_t idx;
            json_t *it;
            json_array_foreach (v, idx, it) {
                rc = check_string(it, f, prefix, f->name, f->item_len, err);
                if (rc)
                    return rc;
            }
            break;
        }
        case JV_OBJECT_ARRAY: {
            if (!json_is_array(v))
                return jv_fail(err, "invalid_type", prefix, f->name,
                               "must be an array of objects");
            if (f->max_len && json_array_size(v) > f->max_len)
                return jv_fail(err, "too_long", prefix, f->name,
                               "has more than %zu items", f->max_len);
            char sub[128];
            if (prefix && *prefix)
                snprintf(sub, sizeof(sub), "%s.%s", prefix, f->name);
            else
                util_xcopy(sub, sizeof(sub), f->name);
            size_t idx;
            json_t *it;
            json_array_foreach (v, idx, it) {
                rc = check_obj(it, f->sub, f->nsub, sub, err);
                if (rc)
                    return rc;
            }
            break;
        }
        case JV_OBJECT: {
            char sub[128];
            if (prefix && *prefix)
                snprintf(sub, sizeof(sub), "%s.%s", prefix, f->name);
            else
                util_xcopy(sub, sizeof(sub), f->name);
            rc = check_obj(v, f->sub, f->nsub, sub, err);
            if (rc)
                return rc;
            break;
        }
        }
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
