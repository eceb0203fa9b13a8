/*
 * test_cli_args.c - cli/args.c: the split of an `infrashare batch` line
 * into words (cli_split_line) and the option parser it feeds.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "common/util.h"

/* Splits in into words and checks them against want (NULL-terminated). */
static void check(const char *in, const char *const *want)
{
    char line[512];
    util_xcopy(line, sizeof(line), in);
    char *w[8];
    int n = -1;
    enum cli_split_error why = CLI_SPLIT_TOO_MANY_WORDS;
    assert_int_equal(cli_split_line(line, w, 8, &n, &why), IS_OK);
    assert_int_equal(why, CLI_SPLIT_OK);
    int k = 0;
    for (; want[k]; k++) {
        assert_true(k < n);
        assert_string_equal(w[k], want[k]);
    }
    assert_int_equal(n, k);
}

static void t_words(void **state)
{
    (void)state;
    check("", (const char *[]){NULL});
    check("   \t  ", (const char *[]){NULL});
    check("# a comment", (const char *[]){NULL});
    check("org add op-x", (const char *[]){"org", "add", "op-x", NULL});
    check("  user\tadd  u1  ", (const char *[]){"user", "add", "u1", NULL});
    /* a Windows line end is a separator, not part of the last word */
    check("token create u1\r", (const char *[]){"token", "create", "u1", NULL});
    check("a # rest", (const char *[]){"a", NULL});
    check("a#b", (const char *[]){"a#b", NULL});
}

static void t_quotes(void **state)
{
    (void)state;
    check("--name-ja '試験 事業者'",
          (const char *[]){"--name-ja", "試験 事業者", NULL});
    check("--name-en \"Op \\\"X\\\" \\\\ \\n\"",
          (const char *[]){"--name-en", "Op \"X\" \\ \\n", NULL});
    /* what Python's shlex.quote makes of a single quote */
    check("'it'\"'\"'s'", (const char *[]){"it's", NULL});
    check("'' x", (const char *[]){"", "x", NULL});
    check("a\\ b c\\'d", (const char *[]){"a b", "c'd", NULL});
    check("'#not' \"a # comment\"",
          (const char *[]){"#not", "a # comment", NULL});
    /* a backslash at the end stays */
    check("x\\", (const char *[]){"x\\", NULL});
}

/* in split into at most max words: the result and the reason. */
static int split(const char *in, int max, enum cli_split_error *why)
{
    char line[64];
    util_xcopy(line, sizeof(line), in);
    char *w[8];
    int n = 0;
    *why = CLI_SPLIT_OK;
    int rc = cli_split_line(line, w, max, &n, why);
    if (!rc)
        assert_true(n <= max);
    return rc;
}

static void t_refused(void **state)
{
    (void)state;
    static const char *const open[] = {"user add 'u1", "x \"abc", "x \"ab\\\"",
                                       "'"};
    enum cli_split_error why;
    for (size_t i = 0; i < IS_ARRAY_LEN(open); i++) {
        assert_int_equal(split(open[i], 8, &why), IS_ERR_INVALID);
        assert_int_equal(why, CLI_SPLIT_OPEN_QUOTE);
    }
    assert_int_equal(split("a b c d", 3, &why), IS_ERR_INVALID);
    assert_int_equal(why, CLI_SPLIT_TOO_MANY_WORDS);
    assert_int_equal(split("a b c", 3, &why), IS_OK);
    assert_int_equal(why, CLI_SPLIT_OK);
}

/* The words feed cli_parse as argv does. */
static void t_into_options(void **state)
{
    (void)state;
    char line[] = "add alice --org 'op x' --roles reader,liaison";
    char *w[8];
    int n = 0;
    enum cli_split_error why;
    assert_int_equal(cli_split_line(line, w, 8, &n, &why), IS_OK);
    static const char *const valued[] = {"org", "roles", NULL};
    struct cli_args a;
    assert_int_equal(cli_parse(n, w, NULL, valued, &a), IS_OK);
    assert_int_equal(a.npos, 2);
    assert_string_equal(a.pos[1], "alice");
    assert_string_equal(cli_opt(&a, "org"), "op x");
    assert_string_equal(cli_opt(&a, "roles"), "reader,liaison");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_words),
        cmocka_unit_test(t_quotes),
        cmocka_unit_test(t_refused),
        cmocka_unit_test(t_into_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
