#include "cli/cli.h"

static bool listed(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (strcmp(*list, name) == 0)
            return true;
    return false;
}

int cli_parse(int argc, char **argv, const char *const *flags,
              const char *const *valued, struct cli_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (strncmp(s, "--", 2) == 0) {
            const char *name = s + 2;
            if (a->nopt >= (int)IS_ARRAY_LEN(a->opt_name)) {
                fprintf(stderr, "infrashare: too many options\n");
                return IS_ERR_INVALID;
            }
            if (listed(flags, name)) {
                a->opt_name[a->nopt] = name;
                a->opt_val[a->nopt++] = NULL;
            } else if (listed(valued, name)) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "infrashare: --%s needs a value\n",
                            name);
                    return IS_ERR_INVALID;
                }
                a->opt_name[a->nopt] = name;
                a->opt_val[a->nopt++] = argv[++i];
            } else {
                fprintf(stderr, "infrashare: unknown option --%s\n", name);
                return IS_ERR_INVALID;
            }
        } else {
            if (a->npos >= (int)IS_ARRAY_LEN(a->pos)) {
                fprintf(stderr, "infrashare: too many arguments\n");
                return IS_ERR_INVALID;
            }
            a->pos[a->npos++] = s;
        }
    }
    return IS_OK;
}

const char *cli_opt(const struct cli_args *a, const char *name)
{
    for (int i = 0; i < a->nopt; i++)
        if (strcmp(a->opt_name[i], name) == 0)
            return a->opt_val[i];
    return NULL;
}

bool cli_flag(const struct cli_args *a, const char *name)
{
    for (int i = 0; i < a->nopt; i++)
        if (strcmp(a->opt_name[i], name) == 0)
            return true;
    return false;
}
