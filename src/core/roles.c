#include "core/roles.h"

static const char *const role_names[] = {"reader",  "reporter",  "liaison",
                                         "analyst", "org_admin", "auditor",
                                         "admin"};

const char *roles_name(unsigned bit)
{
    for (unsigned i = 0; i < IS_ARRAY_LEN(role_names); i++)
        if (bit == (1u << i))
            return role_names[i];
    return NULL;
}

unsigned roles_parse_one(const char *name)
{
    for (unsigned i = 0; i < IS_ARRAY_LEN(role_names); i++)
        if (strcmp(name, role_names[i]) == 0)
            return 1u << i;
    return 0;
}

int roles_parse_list(const char *list, unsigned *out)
{
    unsigned r = 0;
    const char *p = list;
    if (!p || !*p)
        return IS_ERR_INVALID;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char name[32];
        if (n == 0 || n >= sizeof(name))
            return IS_ERR_INVALID;
        memcpy(name, p, n);
        name[n] = '\0';
        unsigned bit = roles_parse_one(name);
        if (!bit)
            return IS_ERR_INVALID;
        r |= bit;
        p += n;
        if (*p == ',' && !*++p)
            return IS_ERR_INVALID; /* trailing comma: an empty name */
    }
    *out = r;
    return IS_OK;
}

void roles_format(unsigned roles, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < IS_ARRAY_LEN(role_names); i++) {
        if (!(roles & (1u << i)))
            continue;
        int n = snprintf(out + used, outlen - used, "%s%s", used ? "," : "",
                         role_names[i]);
        if (n < 0 || (size_t)n >= outlen - used)
            return;
        used += (size_t)n;
    }
}

bool org_kind_valid(const char *kind)
{
    static const char *const kinds[] = {"nisc",    "ministry", "ceptoar",
                                        "council", "agency",   "operator",
                                        "external"};
    for (unsigned i = 0; i < IS_ARRAY_LEN(kinds); i++)
        if (strcmp(kind, kinds[i]) == 0)
            return true;
    return false;
}
