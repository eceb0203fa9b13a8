#include "service/registry.h"

#include <dirent.h>

#include "common/jv.h"
#include "common/util.h"

#define REG_MAX_FILE (8 * 1024 * 1024)
#define ID_LEN 63

static const char *const kinds[] = {"nisc",    "ministry", "ceptoar",
                                    "council", "agency",   NULL};
static const char *const means[] = {
    "mail",    "phone",           "fax",          "web",
    "mobile",  "satellite_phone", "e_conference", "tv_conference",
    "meeting", "bulletin_board",  "face_to_face", "lgwan",
    NULL};

static const struct jv_field sector_spec[] = {
    {.name = "id", .type = JV_STRING, .required = true, .max_len = ID_LEN},
    {.name = "name_ja",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "name_en",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "ministry",
     .type = JV_STRING,
     .required = true,
     .max_len = ID_LEN},
    {.name = "order", .type = JV_INT, .required = true, .min = 1, .max = 1000},
};
static const struct jv_field scope_spec[] = {
    {.name = "id", .type = JV_STRING, .required = true, .max_len = ID_LEN},
    {.name = "sector", .type = JV_STRING, .required = true, .max_len = ID_LEN},
    {.name = "name_ja",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "name_en",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "related_scopes",
     .type = JV_STRING_ARRAY,
     .required = true,
     .max_len = 32,
     .item_len = ID_LEN},
};
#define ORG_COMMON                                                             \
    {.name = "id", .type = JV_STRING, .required = true, .max_len = ID_LEN},    \
        {.name = "kind",                                                       \
         .type = JV_STRING,                                                    \
         .required = true,                                                     \
         .max_len = 16,                                                        \
         .enum_values = kinds},                                                \
        {.name = "name_ja",                                                    \
         .type = JV_STRING,                                                    \
         .required = true,                                                     \
         .max_len = 200,                                                       \
         .nonblank = true},                                                    \
        {.name = "name_en",                                                    \
         .type = JV_STRING,                                                    \
         .required = true,                                                     \
         .max_len = 200,                                                       \
         .nonblank = true},                                                    \
    {                                                                          \
        .name = "short_en", .type = JV_STRING, .required = true, .max_len = 64 \
    }
/* the secretariat of a council or CEPTOAR, in both languages */
#define SECRETARIAT                                                            \
    {.name = "secretariat_ja",                                                 \
     .type = JV_STRING,                                                        \
     .required = true,                                                         \
     .max_len = 200},                                                          \
    {                                                                          \
        .name = "secretariat_en", .type = JV_STRING, .required = true,         \
        .max_len = 200                                                         \
    }
static const struct jv_field org_plain_spec[] = {ORG_COMMON};
static const struct jv_field council_spec[] = {
    ORG_COMMON,
    {.name = "members",
     .type = JV_STRING_ARRAY,
     .required = true,
     .max_len = 256,
     .item_len = ID_LEN},
    SECRETARIAT,
};
static const struct jv_field agency_spec[] = {
    ORG_COMMON,
    {.name = "observer", .type = JV_BOOL, .required = true},
    {.name = "role_en", .type = JV_STRING, .required = true, .max_len = 200},
};
static const struct jv_field history_spec[] = {
    {.name = "2014-04", .type = JV_STRING, .max_len = 32},
    {.name = "2015-03", .type = JV_STRING, .max_len = 32},
    {.name = "2016-03", .type = JV_STRING, .max_len = 32},
    {.name = "2017-03", .type = JV_STRING, .max_len = 32},
};
/* a sub-group inside a CEPTOAR (T-CEPTOAR SG1-SG4) */
static const struct jv_field subgroup_spec[] = {
    {.name = "id", .type = JV_STRING, .required = true, .max_len = ID_LEN},
    {.name = "name_ja",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
    {.name = "name_en",
     .type = JV_STRING,
     .required = true,
     .max_len = 200,
     .nonblank = true},
};
static const struct jv_field ceptoar_spec[] = {
    ORG_COMMON,
    {.name = "scope", .type = JV_STRING, .required = true, .max_len = ID_LEN},
    SECRETARIAT,
    {.name = "members", .type = JV_INT, .required = true, .max = 100000},
    {.name = "member_history",
     .type = JV_OBJECT,
     .required = true,
     .sub = history_spec,
     .nsub = IS_ARRAY_LEN(history_spec)},
    {.name = "contact_means",
     .type = JV_STRING_ARRAY,
     .required = true,
     .max_len = 16,
     .enum_values = means,
     .item_len = 32},
    {.name = "emergency_contact_since",
     .type = JV_STRING,
     .required = true,
     .max_len = 7},
    {.name = "rules_since", .type = JV_STRING, .required = true, .max_len = 7},
    {.name = "source", .type = JV_STRING, .required = true, .max_len = 200},
    {.name = "councils",
     .type = JV_STRING_ARRAY,
     .required = true,
     .max_len = 8,
     .item_len = ID_LEN},
    {.name = "subgroups",
     .type = JV_OBJECT_ARRAY,
     .max_len = 32,
     .sub = subgroup_spec,
     .nsub = IS_ARRAY_LEN(subgroup_spec)},
};
static const struct jv_field file_spec[] = {
    {.name = "sectors", .type = JV_STRING_ARRAY},
    {.name = "scopes", .type = JV_STRING_ARRAY},
    {.name = "organisations", .type = JV_STRING_ARRAY},
};

void registry_init(struct registry *r)
{
    r->sectors = json_array();
    r->scopes = json_array();
    r->orgs = json_array();
}

void registry_release(struct registry *r)
{
    json_decref(r->sectors);
    json_decref(r->scopes);
    json_decref(r->orgs);
    r->sectors = r->scopes = r->orgs = NULL;
}

/* Line of the first occurrence of "needle" (quoted) in text after the
 * section key (when given); 0 if none. */
static int line_of_in(const char *text, const char *section, const char *needle)
{
    char q[128];
    const char *from = text;
    if (section) {
        snprintf(q, sizeof(q), "\"%s\"", section);
        const char *s = strstr(text, q);
        if (s)
            from = s;
    }
    snprintf(q, sizeof(q), "\"%s\"", needle);
    const char *p = strstr(from, q);
    if (!p)
        return 0;
    int line = 1;
    for (const char *s = text; s < p; s++)
        if (*s == '\n')
            line++;
    return line;
}

static int line_of(const char *text, const char *needle)
{
    return line_of_in(text, NULL, needle);
}

static bool id_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static int check_items(const char *path, const char *text, json_t *arr,
                       const char *what, json_t *dest, char *err, size_t errlen)
{
    size_t i;
    json_t *it;
    json_array_foreach (arr, i, it) {
        const struct jv_field *spec = NULL;
        size_t n = 0;
        const char *id = json_string_value(json_object_get(it, "id"));
        int line = id ? line_of_in(text, what, id) : 0;
        if (strcmp(what, "sectors") == 0) {
            spec = sector_spec;
            n = IS_ARRAY_LEN(sector_spec);
        } else if (strcmp(what, "scopes") == 0) {
            spec = scope_spec;
            n = IS_ARRAY_LEN(scope_spec);
        } else {
            const char *kind = jv_str(it, "kind");
            kind = kind ? kind : "";
            if (strcmp(kind, "council") == 0) {
                spec = council_spec;
                n = IS_ARRAY_LEN(council_spec);
            } else if (strcmp(kind, "agency") == 0) {
                spec = agency_spec;
                n = IS_ARRAY_LEN(agency_spec);
            } else if (strcmp(kind, "ceptoar") == 0) {
                spec = ceptoar_spec;
                n = IS_ARRAY_LEN(ceptoar_spec);
            } else {
                spec = org_plain_spec;
                n = IS_ARRAY_LEN(org_plain_spec);
            }
        }
        struct jv_error je;
        if (jv_check(it, spec, n, &je)) {
            snprintf(err, errlen, "%s:%d: %s[%zu]%s%s: %s", path, line, what, i,
                     id ? " " : "", id ? id : "", je.message);
            return IS_ERR_INVALID;
        }
        if (!id_ok(id)) {
            snprintf(err, errlen,
                     "%s:%d: %s[%zu]: id \"%s\" must be lowercase letters, "
                     "digits, '-' or '_'",
                     path, line, what, i, id);
            return IS_ERR_INVALID;
        }
        json_t *copy = json_deep_copy(it);
        json_object_set_new(copy, "_file", json_string(path));
        json_object_set_new(copy, "_line", json_integer(line));
        json_array_append_new(dest, copy);
    }
    return IS_OK;
}

static int load_file(const char *path, struct registry *r, char *err,
                     size_t errlen)
{
    char *text = NULL;
    int rc = util_read_file(path, REG_MAX_FILE, &text, NULL);
    if (rc) {
        snprintf(err, errlen, "%s: cannot read: %s", path,
                 rc == IS_ERR_LIMIT ? "larger than 8 MiB" : strerror(errno));
        return rc;
    }
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: not valid JSON: %s", path, je.line,
                 je.column, je.text);
        free(text);
        return IS_ERR_INVALID;
    }
    const char *key;
    json_t *val;
    rc = IS_OK;
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s:1: the file must hold one JSON object", path);
        rc = IS_ERR_INVALID;
    }
    json_object_foreach (root, key, val) {
        if (rc)
            break;
        bool known = false;
        for (size_t i = 0; i < IS_ARRAY_LEN(file_spec); i++)
            known |= strcmp(key, file_spec[i].name) == 0;
        if (!known || !json_is_array(val)) {
            snprintf(err, errlen, "%s:%d: \"%s\" is not %s", path,
                     line_of(text, key), key,
                     known ? "an array"
                           : "a known section (sectors, "
                             "scopes, organisations)");
            rc = IS_ERR_INVALID;
            break;
        }
        json_t *dest = strcmp(key, "sectors") == 0  ? r->sectors
                       : strcmp(key, "scopes") == 0 ? r->scopes
                                                    : r->orgs;
        rc = check_items(path, text, val, key, dest, err, errlen);
    }
    json_decref(root);
    free(text);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is sub-group sg's id used by another sub-group of any CEPTOAR? */
static bool subgroup_seen(const struct registry *r, const json_t *sg)
{
    size_t i, j;
    json_t *it, *x;
    json_array_foreach (r->orgs, i, it)
        json_array_foreach (json_object_get(it, "subgroups"), j, x)
            if (x != sg && strcmp(jv_str(x, "id"), jv_str(sg, "id")) == 0)
                return true;
    return false;
}

/* Finds an item by id in an array; NULL when absent. O(n). */
static json_t *find(json_t *arr, const char *id)
{
    size_t i;
    json_t *it;
    json_array_foreach (arr, i, it)
        if (strcmp(jv_str(it, "id"), id) == 0)
            return it;
    return NULL;
}

static int ref_error(json_t *it, char *err, size_t errlen, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s:%lld: %s: %s", jv_str(it, "_file"),
             jv_int(it, "_line", 0), jv_str(it, "id"), msg);
    return IS_ERR_INVALID;
}

static int check_refs(struct registry *r, char *err, size_t errlen)
{
    json_t *all[] = {r->sectors, r->scopes, r->orgs};
    /* unique ids within each kind of item */
    for (size_t k = 0; k < 3; k++) {
        size_t i;
        json_t *it;
        json_array_foreach (all[k], i, it) {
            json_t *first = find(all[k], jv_str(it, "id"));
            if (first != it)
                return ref_error(
                    it, err, errlen, "duplicate id (first defined at %s:%lld)",
                    jv_str(first, "_file"), jv_int(first, "_line", 0));
        }
    }
    size_t i, j;
    json_t *it, *x;
    int nisc = 0;
    json_array_foreach (r->sectors, i, it) {
        json_t *m = find(r->orgs, jv_str(it, "ministry"));
        if (!m || strcmp(jv_str(m, "kind"), "ministry") != 0)
            return ref_error(it, err, errlen,
                             "ministry \"%s\" is not a ministry of the "
                             "registry",
                             jv_str(it, "ministry"));
    }
    json_array_foreach (r->scopes, i, it) {
        if (!find(r->sectors, jv_str(it, "sector")))
            return ref_error(it, err, errlen, "unknown sector \"%s\"",
                             jv_str(it, "sector"));
        json_array_foreach (json_object_get(it, "related_scopes"), j, x)
            if (!find(r->scopes, json_string_value(x)))
                return ref_error(it, err, errlen,
                                 "unknown related scope \"%s\"",
                                 json_string_value(x));
    }
    json_array_foreach (r->orgs, i, it) {
        const char *kind = jv_str(it, "kind");
        if (strcmp(kind, "nisc") == 0)
            nisc++;
        if (strcmp(kind, "ceptoar") == 0) {
            if (!find(r->scopes, jv_str(it, "scope")))
                return ref_error(it, err, errlen, "unknown scope \"%s\"",
                                 jv_str(it, "scope"));
            json_array_foreach (r->orgs, j, x) {
                if (x != it && strcmp(jv_str(x, "kind"), "ceptoar") == 0 &&
                    strcmp(jv_str(x, "scope"), jv_str(it, "scope")) == 0)
                    return ref_error(it, err, errlen,
                                     "scope \"%s\" has a CEPTOAR already "
                                     "(%s)",
                                     jv_str(it, "scope"), jv_str(x, "id"));
            }
            json_array_foreach (json_object_get(it, "councils"), j, x) {
                json_t *c = find(r->orgs, json_string_value(x));
                if (!c || strcmp(jv_str(c, "kind"), "council") != 0)
                    return ref_error(it, err, errlen, "\"%s\" is not a council",
                                     json_string_value(x));
            }
            /* sub-group ids are unique across the registry */
            json_array_foreach (json_object_get(it, "subgroups"), j, x) {
                if (find(r->orgs, jv_str(x, "id")) || subgroup_seen(r, x))
                    return ref_error(it, err, errlen,
                                     "sub-group id \"%s\" is used twice",
                                     jv_str(x, "id"));
            }
        }
        if (strcmp(kind, "council") == 0) {
            json_array_foreach (json_object_get(it, "members"), j, x) {
                json_t *c = find(r->orgs, json_string_value(x));
                if (!c || strcmp(jv_str(c, "kind"), "ceptoar") != 0)
                    return ref_error(it, err, errlen,
                                     "member \"%s\" is not a CEPTOAR",
                                     json_string_value(x));
            }
        }
    }
    if (nisc != 1) {
        snprintf(err, errlen,
                 "registry: there must be exactly one organisation of kind "
                 "\"nisc\" (found %d)",
                 nisc);
        return IS_ERR_INVALID;
    }
    return IS_OK;
}

int registry_load(const char *dir, struct registry *r, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open registry directory: %s", dir,
                 strerror(errno));
        return IS_ERR_IO;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < IS_ARRAY_LEN(names)) {
        size_t len = strlen(de->d_name);
        if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0 &&
            de->d_name[0] != '.')
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(char *), cmp_names);
    int rc = n ? IS_OK : IS_ERR_INVALID;
    if (!n)
        snprintf(err, errlen, "%s: no *.json registry files", dir);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (!rc)
            rc = load_file(path, r, err, errlen);
        free(names[i]);
    }
    if (!rc)
        rc = check_refs(r, err, errlen);
    return rc;
}

/* The kind-specific fields of an organisation as JSON text (malloc'd). */
static char *org_attrs(json_t *it)
{
    json_t *a = json_deep_copy(it);
    static const char *const drop[] = {
        "id",    "kind",  "name_ja",  "name_en", "short_en",
        "_file", "_line", "observer", "scope",   "subgroups"};
    for (size_t i = 0; i < IS_ARRAY_LEN(drop); i++)
        json_object_del(a, drop[i]);
    char *s = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(a);
    return s;
}

int registry_import(struct store_conn *c, const struct registry *r, int64_t now)
{
    size_t i, j;
    json_t *it, *x;
    int rc = IS_OK;
    json_array_foreach (r->orgs, i, it) {
        char *attrs = org_attrs(it);
        struct store_org o = {
            .id = jv_str(it, "id"),
            .kind = jv_str(it, "kind"),
            .name_ja = jv_str(it, "name_ja"),
            .name_en = jv_str(it, "name_en"),
            .short_en = jv_str(it, "short_en"),
            .scope_id = NULL,
            .observer = jv_bool(it, "observer", false),
            .demo = false,
            .attrs = attrs,
        };
        rc = store_org_insert(c, &o, now);
        free(attrs);
        if (rc)
            return rc;
    }
    json_array_foreach (r->sectors, i, it) {
        rc = store_sector_insert(c, jv_str(it, "id"), jv_str(it, "name_ja"),
                                 jv_str(it, "name_en"), jv_str(it, "ministry"),
                                 (int)jv_int(it, "order", 0));
        if (rc)
            return rc;
    }
    json_array_foreach (r->scopes, i, it) {
        char *rel =
            json_dumps(json_object_get(it, "related_scopes"), JSON_COMPACT);
        rc = store_scope_insert(c, jv_str(it, "id"), jv_str(it, "sector"),
                                jv_str(it, "name_ja"), jv_str(it, "name_en"),
                                rel);
        free(rel);
        if (rc)
            return rc;
    }
    /* CEPTOARs: their scope (now that scopes exist) and their councils */
    json_array_foreach (r->orgs, i, it) {
        if (strcmp(jv_str(it, "kind"), "ceptoar") != 0)
            continue;
        rc = store_org_set_scope(c, jv_str(it, "id"), jv_str(it, "scope"));
        if (rc)
            return rc;
        json_array_foreach (json_object_get(it, "councils"), j, x) {
            rc = store_membership_insert(c, jv_str(it, "id"),
                                         json_string_value(x));
            if (rc)
                return rc;
        }
        json_array_foreach (json_object_get(it, "subgroups"), j, x) {
            rc = store_subgroup_insert(c, jv_str(x, "id"), jv_str(it, "id"),
                                       jv_str(x, "name_ja"),
                                       jv_str(x, "name_en"), (int)j);
            if (rc)
                return rc;
        }
    }
    return IS_OK;
}
