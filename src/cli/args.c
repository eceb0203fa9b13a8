#include "cli/cli.h"
#include "common/util.h"

static bool listed(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (strcmp(*list, name) == 0)
            return true;
    return false;
}

bool cli_locale_ja(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < IS_ARRAY_LEN(vars); i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "ja", 2) == 0;
    }
    return false;
}

int cli_parse_quiet(int argc, char **argv, const char *const *flags,
                    const char *const *valued, struct cli_args *a,
                    enum cli_parse_error *why, const char **arg)
{
    memset(a, 0, sizeof(*a));
    *why = CLI_PARSE_OK;
    *arg = NULL;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (strncmp(s, "--", 2) == 0) {
            const char *name = s + 2;
            *arg = s;
            if (a->nopt >= (int)IS_ARRAY_LEN(a->opt_name)) {
                *why = CLI_PARSE_TOO_MANY_OPTIONS;
                return IS_ERR_INVALID;
            }
            if (listed(flags, name)) {
                a->opt_name[a->nopt] = name;
                a->opt_val[a->nopt++] = NULL;
            } else if (listed(valued, name)) {
                if (i + 1 >= argc) {
                    *why = CLI_PARSE_NO_VALUE;
                    return IS_ERR_INVALID;
                }
                a->opt_name[a->nopt] = name;
                a->opt_val[a->nopt++] = argv[++i];
            } else {
                *why = CLI_PARSE_UNKNOWN;
                return IS_ERR_INVALID;
            }
        } else {
            if (a->npos >= (int)IS_ARRAY_LEN(a->pos)) {
                *why = CLI_PARSE_TOO_MANY_ARGS;
                *arg = s;
                return IS_ERR_INVALID;
            }
            a->pos[a->npos++] = s;
        }
    }
    *arg = NULL;
    return IS_OK;
}

int cli_parse(int argc, char **argv, const char *const *flags,
              const char *const *valued, struct cli_args *a)
{
    enum cli_parse_error why;
    const char *arg;
    if (!cli_parse_quiet(argc, argv, flags, valued, a, &why, &arg))
        return IS_OK;
    switch (why) {
    case CLI_PARSE_TOO_MANY_OPTIONS:
        cli_errf("too many options\n", "オプションが多すぎます\n");
        break;
    case CLI_PARSE_NO_VALUE:
        cli_errf("--%s needs a value\n", "--%s には値が必要です\n", arg + 2);
        break;
    case CLI_PARSE_UNKNOWN:
        cli_errf("unknown option --%s\n", "--%s というオプションはありません\n",
                 arg + 2);
        break;
    default: cli_errf("too many arguments\n", "引数が多すぎます\n"); break;
    }
    return IS_ERR_INVALID;
}

const char *cli_opt(const struct cli_args *a, const char *name)
{
    for (int i = 0; i < a->nopt; i++)
        if (strcmp(a->opt_name[i], name) == 0)
            return a->opt_val[i];
    return NULL;
}

int cli_long_opt(const struct cli_args *a, const char *name, long min, long max,
                 long dflt, long *out)
{
    const char *v = cli_opt(a, name);
    *out = dflt;
    if (!v)
        return IS_OK;
    if (util_parse_long(v, min, max, out)) {
        *out = dflt;
        cli_errf(
            "--%s: a whole number from %ld to %ld (not \"%.40s\")\n",
            "--%s: %ld から %ld までの整数で指定してください（\"%.40s\" は使え"
            "ません）\n",
            name, min, max, v);
        return IS_ERR_INVALID;
    }
    return IS_OK;
}

void cli_json_error(const char *path, const json_error_t *je)
{
    if (je->line < 0)
        cli_errf("cannot read %s: %s\n", "%s を読めません: %s\n", path,
                 je->text);
    else
        cli_errf("%s:%d:%d: not JSON: %s\n",
                 "%s:%d:%d: JSON として読めません: %s\n", path, je->line,
                 je->column, je->text);
}

bool cli_enum_opt(const struct cli_args *a, const char *name,
                  const char *const *allowed)
{
    const char *v = cli_opt(a, name);
    if (!v)
        return true;
    char list[256] = "";
    size_t n = 0;
    for (size_t i = 0; allowed[i]; i++) {
        if (strcmp(v, allowed[i]) == 0)
            return true;
        int w = snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
                         allowed[i]);
        if (w > 0 && (size_t)w < sizeof(list) - n)
            n += (size_t)w;
    }
    cli_errf(
        "--%s: one of %s (not \"%.40s\")\n",
        "--%s: %s のいずれかで指定してください（\"%.40s\" は使えません）\n",
        name, list, v);
    return false;
}

bool cli_flag(const struct cli_args *a, const char *name)
{
    for (int i = 0; i < a->nopt; i++)
        if (strcmp(a->opt_name[i], name) == 0)
            return true;
    return false;
}

int cli_split_line(char *line, char **words, int max, int *nwords,
                   enum cli_split_error *why)
{
    char *in = line, *out = line;
    *nwords = 0;
    *why = CLI_SPLIT_OK;
    for (;;) {
        while (*in == ' ' || *in == '\t' || *in == '\r')
            in++;
        if (!*in || *in == '#') /* the end, or a comment to it */
            return IS_OK;
        if (*nwords >= max) {
            *why = CLI_SPLIT_TOO_MANY_WORDS;
            return IS_ERR_INVALID;
        }
        /* the word is written over its own text: out never passes in */
        words[(*nwords)++] = out;
        while (*in && *in != ' ' && *in != '\t' && *in != '\r') {
            if (*in == '\'') {
                char *end = strchr(in + 1, '\'');
                if (!end) {
                    *why = CLI_SPLIT_OPEN_QUOTE;
                    return IS_ERR_INVALID;
                }
                size_t n = (size_t)(end - in - 1);
                memmove(out, in + 1, n);
                out += n;
                in = end + 1;
            } else if (*in == '"') {
                in++;
                while (*in && *in != '"') {
                    if (*in == '\\' && (in[1] == '"' || in[1] == '\\'))
                        in++;
                    *out++ = *in++;
                }
                if (*in != '"') {
                    *why = CLI_SPLIT_OPEN_QUOTE;
                    return IS_ERR_INVALID;
                }
                in++;
            } else if (*in == '\\' && in[1]) {
                *out++ = in[1];
                in += 2;
            } else {
                *out++ = *in++;
            }
        }
        /* in is at a separator or the end: the NUL written here is at or
         * before it, so the rest of the line is still to read */
        bool end = !*in;
        if (!end)
            in++;
        *out++ = '\0';
        if (end)
            return IS_OK;
    }
}
