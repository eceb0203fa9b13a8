/*
 * test_jv.c - jv_check: validation of JSON objects against a field table.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/jv.h"
#include "common/util.h"

static const char *const colours[] = {"tlp-red", "tlp-amber", "tlp-green",
                                      "tlp-clear", NULL};
static const char *const means[] = {"mail", "phone", "fax", NULL};

static const struct jv_field inner_spec[] = {
    {.name = "b", .type = JV_STRING, .required = true, .max_len = 5},
    {.name = "n", .type = JV_INT, .min = 1, .max = 9},
};
static const struct jv_field deep_spec[] = {
    {.name = "z", .type = JV_BOOL, .required = true},
};
static const struct jv_field mid_spec[] = {
    {.name = "y",
     .type = JV_OBJECT,
     .required = true,
     .sub = deep_spec,
     .nsub = IS_ARRAY_LEN(deep_spec)},
};

static const struct jv_field spec[] = {
    {.name = "title", .type = JV_STRING, .required = true, .max_len = 3},
    {.name = "tlp", .type = JV_STRING, .max_len = 16, .enum_values = colours},
    {.name = "count", .type = JV_INT, .min = 1, .max = 10},
    {.name = "any", .type = JV_INT},
    {.name = "score", .type = JV_NUMBER, .min = -5, .max = 5},
    {.name = "flag", .type = JV_BOOL},
    {.name = "tags", .type = JV_STRING_ARRAY, .max_len = 3, .item_len = 4},
    {.name = "means", .type = JV_STRING_ARRAY, .enum_values = means},
    {.name = "when", .type = JV_TIME},
    {.name = "a",
     .type = JV_OBJECT,
     .sub = inner_spec,
     .nsub = IS_ARRAY_LEN(inner_spec)},
    {.name = "x",
     .type = JV_OBJECT,
     .sub = mid_spec,
     .nsub = IS_ARRAY_LEN(mid_spec)},
};

/* A required text that must say something, and a file's name and type:
 * one line each, never blank (service/reporting.c attachment_spec). */
static const struct jv_field file_spec[] = {
    {.name = "name",
     .type = JV_STRING,
     .required = true,
     .max_len = 20,
     .nonblank = true,
     .one_line = true},
    {.name = "mime", .type = JV_STRING, .max_len = 40, .one_line = true},
};
static const struct jv_field text_spec[] = {
    {.name = "text",
     .type = JV_STRING,
     .required = true,
     .max_len = 20,
     .nonblank = true},
    {.name = "files",
     .type = JV_OBJECT_ARRAY,
     .max_len = 3,
     .sub = file_spec,
     .nsub = IS_ARRAY_LEN(file_spec)},
    {.name = "orgs",
     .type = JV_STRING_ARRAY,
     .max_len = 5,
     .item_len = 10,
     .unique = true},
    {.name = "tags", .type = JV_STRING_ARRAY, .max_len = 5, .item_len = 10},
};

/* Checks json text against spec; returns the result, err filled. */
static int check(const char *text, struct jv_error *err)
{
    json_error_t je;
    json_t *o = json_loads(text, JSON_ALLOW_NUL, &je);
    if (!o)
        fail_msg("bad test JSON %s: %s", text, je.text);
    memset(err, 0, sizeof(*err));
    int rc = jv_check(o, spec, IS_ARRAY_LEN(spec), err);
    json_decref(o);
    return rc;
}

#define EXPECT_OK(text)                                                        \
    do {                                                                       \
        struct jv_error e_;                                                    \
        int rc_ = check(text, &e_);                                            \
        if (rc_ != IS_OK)                                                      \
            fail_msg("rejected %s: %s %s", text, e_.code, e_.message);         \
    } while (0)

#define EXPECT_ERR(text, want_code, want_field)                                \
    do {                                                                       \
        struct jv_error e_;                                                    \
        assert_int_equal(check(text, &e_), IS_ERR_INVALID);                    \
        assert_string_equal(e_.code, want_code);                               \
        assert_string_equal(e_.field, want_field);                             \
        assert_non_null(strstr(e_.message, want_field));                       \
    } while (0)

static void t_valid(void **state)
{
    (void)state;
    EXPECT_OK("{\"title\":\"abc\"}");
    EXPECT_OK("{\"title\":\"abc\",\"tlp\":\"tlp-amber\",\"count\":10,"
              "\"any\":-99999999,\"score\":-4.5,\"flag\":false,"
              "\"tags\":[\"a\",\"bcde\",\"情報通信\"],"
              "\"means\":[\"mail\",\"fax\"],"
              "\"when\":\"2024-04-01T09:00:00+09:00\","
              "\"a\":{\"b\":\"12345\",\"n\":9},\"x\":{\"y\":{\"z\":true}}}");
    EXPECT_OK("{\"title\":\"\",\"tags\":[],\"means\":[]}");
    /* JV_NUMBER accepts integers too */
    EXPECT_OK("{\"title\":\"a\",\"score\":5}");
}

static void t_unknown_field(void **state)
{
    (void)state;
    EXPECT_ERR("{\"title\":\"a\",\"colour\":\"red\"}", "unknown_field",
               "colour");
    /* unknown fields are reported even when required ones are missing */
    EXPECT_ERR("{\"bogus\":1}", "unknown_field", "bogus");
    /* in a nested object, the path is dotted */
    EXPECT_ERR("{\"title\":\"a\",\"a\":{\"b\":\"x\",\"c\":1}}", "unknown_field",
               "a.c");
    /* a hostile key is echoed only as safe ASCII */
    struct jv_error e;
    assert_int_equal(check("{\"title\":\"a\",\"bad\\nkey情\":1}", &e),
                     IS_ERR_INVALID);
    assert_string_equal(e.code, "unknown_field");
    assert_null(strchr(e.field, '\n'));
    assert_int_equal(strncmp(e.field, "bad?key", 7), 0);
    for (const char *p = e.field; *p; p++)
        assert_true(*p > 0x20 && *p < 0x7f);
}

static void t_missing_field(void **state)
{
    (void)state;
    EXPECT_ERR("{}", "missing_field", "title");
    EXPECT_ERR("{\"tlp\":\"tlp-red\"}", "missing_field", "title");
    EXPECT_ERR("{\"title\":null}", "missing_field", "title");
    EXPECT_ERR("{\"title\":\"a\",\"a\":{}}", "missing_field", "a.b");
    EXPECT_ERR("{\"title\":\"a\",\"x\":{}}", "missing_field", "x.y");
    EXPECT_ERR("{\"title\":\"a\",\"x\":{\"y\":{}}}", "missing_field", "x.y.z");
}

static void t_null_optional(void **state)
{
    (void)state;
    EXPECT_OK("{\"title\":\"a\",\"tlp\":null,\"count\":null,\"score\":null,"
              "\"flag\":null,\"tags\":null,\"when\":null,\"a\":null}");
}

static void t_invalid_type(void **state)
{
    (void)state;
    EXPECT_ERR("{\"title\":1}", "invalid_type", "title");
    EXPECT_ERR("{\"title\":[\"a\"]}", "invalid_type", "title");
    EXPECT_ERR("{\"title\":\"a\",\"count\":\"5\"}", "invalid_type", "count");
    EXPECT_ERR("{\"title\":\"a\",\"count\":5.0}", "invalid_type", "count");
    EXPECT_ERR("{\"title\":\"a\",\"count\":true}", "invalid_type", "count");
    EXPECT_ERR("{\"title\":\"a\",\"score\":\"1\"}", "invalid_type", "score");
    EXPECT_ERR("{\"title\":\"a\",\"flag\":1}", "invalid_type", "flag");
    EXPECT_ERR("{\"title\":\"a\",\"flag\":\"true\"}", "invalid_type", "flag");
    EXPECT_ERR("{\"title\":\"a\",\"tags\":\"a\"}", "invalid_type", "tags");
    EXPECT_ERR("{\"title\":\"a\",\"tags\":[\"a\",1]}", "invalid_type", "tags");
    EXPECT_ERR("{\"title\":\"a\",\"when\":1711929600}", "invalid_type", "when");
    EXPECT_ERR("{\"title\":\"a\",\"a\":\"b\"}", "invalid_type", "a");
    EXPECT_ERR("{\"title\":\"a\",\"a\":[]}", "invalid_type", "a");
    EXPECT_ERR("{\"title\":\"a\",\"x\":{\"y\":5}}", "invalid_type", "x.y");
    EXPECT_ERR("{\"title\":\"a\",\"a\":{\"b\":2}}", "invalid_type", "a.b");

    /* the body itself must be an object */
    struct jv_error e;
    json_t *arr = json_array();
    assert_int_equal(jv_check(arr, spec, IS_ARRAY_LEN(spec), &e),
                     IS_ERR_INVALID);
    assert_string_equal(e.code, "invalid_type");
    assert_string_equal(e.field, "body");
    json_decref(arr);
}

static void t_too_long(void **state)
{
    (void)state;
    /* max_len counts code points: 3 Japanese characters are 9 bytes */
    EXPECT_OK("{\"title\":\"情報通\"}");
    EXPECT_OK(
        "{\"title\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"}");
    EXPECT_ERR("{\"title\":\"情報通信\"}", "too_long", "title");
    EXPECT_ERR("{\"title\":\"abcd\"}", "too_long", "title");
    EXPECT_ERR("{\"title\":\"a\",\"a\":{\"b\":\"123456\"}}", "too_long", "a.b");
    EXPECT_OK("{\"title\":\"a\",\"a\":{\"b\":\"重要インフ\"}}");
    EXPECT_ERR("{\"title\":\"a\",\"a\":{\"b\":\"重要インフラ\"}}", "too_long",
               "a.b");
}

static void t_string_array_limits(void **state)
{
    (void)state;
    /* items: at most 3 */
    EXPECT_OK("{\"title\":\"a\",\"tags\":[\"a\",\"b\",\"c\"]}");
    EXPECT_ERR("{\"title\":\"a\",\"tags\":[\"a\",\"b\",\"c\",\"d\"]}",
               "too_long", "tags");
    /* each item: at most 4 code points */
    EXPECT_OK("{\"title\":\"a\",\"tags\":[\"情報通信\"]}");
    EXPECT_ERR("{\"title\":\"a\",\"tags\":[\"ok\",\"情報通信網\"]}", "too_long",
               "tags");
    EXPECT_ERR("{\"title\":\"a\",\"tags\":[\"abcde\"]}", "too_long", "tags");
    /* enum applies to each item */
    EXPECT_ERR("{\"title\":\"a\",\"means\":[\"mail\",\"pigeon\"]}",
               "invalid_value", "means");
    /* control characters in an item */
    EXPECT_ERR("{\"title\":\"a\",\"tags\":[\"a\\u0007\"]}", "invalid_text",
               "tags");
}

static void t_enum(void **state)
{
    (void)state;
    EXPECT_OK("{\"title\":\"a\",\"tlp\":\"tlp-clear\"}");
    EXPECT_ERR("{\"title\":\"a\",\"tlp\":\"tlp-white\"}", "invalid_value",
               "tlp");
    EXPECT_ERR("{\"title\":\"a\",\"tlp\":\"TLP-RED\"}", "invalid_value", "tlp");
    EXPECT_ERR("{\"title\":\"a\",\"tlp\":\"\"}", "invalid_value", "tlp");
    EXPECT_ERR("{\"title\":\"a\",\"tlp\":\"tlp-red \"}", "invalid_value",
               "tlp");
}

static void t_range(void **state)
{
    (void)state;
    EXPECT_OK("{\"title\":\"a\",\"count\":1}");
    EXPECT_OK("{\"title\":\"a\",\"count\":10}");
    EXPECT_ERR("{\"title\":\"a\",\"count\":0}", "out_of_range", "count");
    EXPECT_ERR("{\"title\":\"a\",\"count\":11}", "out_of_range", "count");
    EXPECT_ERR("{\"title\":\"a\",\"count\":-1}", "out_of_range", "count");
    EXPECT_ERR("{\"title\":\"a\",\"count\":9223372036854775807}",
               "out_of_range", "count");
    EXPECT_ERR("{\"title\":\"a\",\"score\":5.01}", "out_of_range", "score");
    EXPECT_ERR("{\"title\":\"a\",\"score\":-5.5}", "out_of_range", "score");
    EXPECT_OK("{\"title\":\"a\",\"score\":-5}");
    /* min = max = 0: any integer */
    EXPECT_OK("{\"title\":\"a\",\"any\":-9223372036854775807}");
    EXPECT_OK("{\"title\":\"a\",\"any\":0}");
    EXPECT_ERR("{\"title\":\"a\",\"a\":{\"b\":\"x\",\"n\":10}}", "out_of_range",
               "a.n");
}

static void t_time(void **state)
{
    (void)state;
    EXPECT_OK("{\"title\":\"a\",\"when\":\"2024-02-29T12:00:00Z\"}");
    EXPECT_OK("{\"title\":\"a\",\"when\":\"2024-02-29T12:00:00.25+09:00\"}");
    EXPECT_ERR("{\"title\":\"a\",\"when\":\"2023-02-29T12:00:00Z\"}",
               "invalid_value", "when");
    EXPECT_ERR("{\"title\":\"a\",\"when\":\"2024-13-01T00:00:00Z\"}",
               "invalid_value", "when");
    EXPECT_ERR("{\"title\":\"a\",\"when\":\"2024-01-01T00:00:00\"}",
               "invalid_value", "when");
    EXPECT_ERR("{\"title\":\"a\",\"when\":\"yesterday\"}", "invalid_value",
               "when");
    EXPECT_ERR("{\"title\":\"a\",\"when\":\"\"}", "invalid_value", "when");
}

static void t_invalid_text(void **state)
{
    (void)state;
    EXPECT_ERR("{\"title\":\"a\\u0001\"}", "invalid_text", "title");
    EXPECT_ERR("{\"title\":\"\\u001b\"}", "invalid_text", "title");
    EXPECT_ERR("{\"title\":\"\\u007f\"}", "invalid_text", "title");
    /* an embedded NUL (jansson keeps the length) */
    EXPECT_ERR("{\"title\":\"a\\u0000b\"}", "invalid_text", "title");
    /* tab, newline and CR are allowed */
    EXPECT_OK("{\"title\":\"\\t\\n\\r\"}");
    EXPECT_ERR("{\"title\":\"a\",\"a\":{\"b\":\"\\u0002\"}}", "invalid_text",
               "a.b");
}

/* jv_check of text against text_spec: IS_OK, or the error's code and
 * field. */
static void text_case(const char *text, const char *want_code,
                      const char *want_field)
{
    json_error_t je;
    json_t *o = json_loads(text, 0, &je);
    if (!o)
        fail_msg("bad test JSON %s: %s", text, je.text);
    struct jv_error e;
    memset(&e, 0, sizeof(e));
    int rc = jv_check(o, text_spec, IS_ARRAY_LEN(text_spec), &e);
    json_decref(o);
    if (!want_code) {
        if (rc != IS_OK)
            fail_msg("rejected %s: %s %s", text, e.code, e.message);
        return;
    }
    if (rc != IS_ERR_INVALID)
        fail_msg("accepted %s", text);
    assert_string_equal(e.code, want_code);
    assert_string_equal(e.field, want_field);
}

static void t_nonblank(void **state)
{
    (void)state;
    /* empty, or only spaces, tabs, line breaks and U+3000 */
    text_case("{\"text\":\"\"}", "invalid_value", "text");
    text_case("{\"text\":\"   \"}", "invalid_value", "text");
    text_case("{\"text\":\"\\u3000\"}", "invalid_value", "text");
    text_case("{\"text\":\" \\t\\r\\n\\u3000 \"}", "invalid_value", "text");
    text_case("{\"text\":\"x\",\"files\":[{\"name\":\"\\u3000 \"}]}",
              "invalid_value", "files[0].name");
    /* white space around or inside is kept; other spaces are text */
    text_case("{\"text\":\" a \"}", NULL, NULL);
    text_case("{\"text\":\"\\u3000障害\\u3000\"}", NULL, NULL);
    text_case("{\"text\":\"a\\nb\"}", NULL, NULL);
    /* other white space and invisible characters are blank too: no-break
     * spaces, U+2000-U+200A, zero-width space and joiners, word joiner,
     * the byte order mark, soft hyphen, a variation selector */
    static const char *const invisible[] = {
        "\\u00a0",        "\\u202f",        "\\u2003 \\u2009", "\\u200b",
        "\\u200c\\u200d", "\\u2060",        "\\ufeff",         "\\u00ad",
        "\\u3000\\u200b", "\\u1680\\u205f", "\\ufe0f",         "\\u2028"};
    for (size_t i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++) {
        char doc[64];
        snprintf(doc, sizeof(doc), "{\"text\":\"%s\"}", invisible[i]);
        text_case(doc, "invalid_value", "text");
    }
    /* a visible character among them is text */
    text_case("{\"text\":\"\\u200bx\\u00a0\"}", NULL, NULL);
    text_case("{\"text\":\"\\u3001\"}", NULL, NULL);
    /* a bidirectional control shows what follows reordered: invalid_text */
    static const char *const bidi[] = {"abc\\u202etxt.exe", "\\u202ax",
                                       "a\\u2066b\\u2069", "\\u200fx",
                                       "x\\u200e"};
    for (size_t i = 0; i < sizeof(bidi) / sizeof(bidi[0]); i++) {
        char doc[64];
        snprintf(doc, sizeof(doc), "{\"text\":\"%s\"}", bidi[i]);
        text_case(doc, "invalid_text", "text");
    }
    /* missing stays missing_field; over-long is too_long first */
    text_case("{}", "missing_field", "text");
    text_case("{\"text\":\"                     \"}", "too_long", "text");
    assert_true(util_blank(NULL));
    assert_true(util_blank(" \xe3\x80\x80\t"));
    assert_false(util_blank("\xe3\x80\x81"));
    assert_true(util_blank("\xe2\x80\x8b\xc2\xa0")); /* U+200B U+00A0 */
    assert_false(util_blank("\xf0\x9f\x98\x80"));    /* U+1F600 */
    /* what an outside review sent as titles: each shows nothing */
    static const char *const nothing[] = {
        "\xe2\xa0\x80",                     /* U+2800 braille blank */
        "\xf3\xa0\x84\x80",                 /* U+E0100 VS17 */
        "\xf3\xa0\x80\xa0\xf3\xa0\x81\x81", /* U+E0020 U+E0041 tags */
        "\xe1\xa0\x8b",                     /* U+180B Mongolian FVS1 */
        "\xcc\x80",                         /* U+0300 a mark alone */
        "\xe3\x82\x99 \xe2\x83\x9d",        /* U+3099, U+20DD */
        "\xef\xbf\xb9",                     /* U+FFF9 */
        "\xe1\x9e\xb4\xe1\x9e\xb5"};        /* U+17B4 U+17B5 */
    for (size_t i = 0; i < IS_ARRAY_LEN(nothing); i++)
        assert_true(util_blank(nothing[i]));
    /* a mark on a letter, a kana with its voicing mark: text */
    assert_false(util_blank("e\xcc\x81"));
    assert_false(util_blank("\xe3\x81\x8b\xe3\x82\x99"));
    assert_false(util_blank("\xe2\xa0\x81")); /* U+2801 braille dot */
    assert_false(util_has_bidi_control("\xe2\x80\x8b")); /* U+200B */
    assert_true(util_has_bidi_control("a\xe2\x81\xa9")); /* U+2069 */
    assert_true(util_has_bidi_control("x\xd8\x9cy"));    /* U+061C ALM */
}

static void t_one_line(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "a\\r\\nX-Evil: 1", "a\\n",      "\\rb",     "a\\tb",
        "\\u0001",          "\\u001f",   "a\\u007f", "a\\u0085b",
        "\\u009f",          "a\\u2028b", "\\u2029"};
    for (size_t i = 0; i < IS_ARRAY_LEN(bad); i++) {
        char text[128];
        snprintf(text, sizeof(text),
                 "{\"text\":\"x\",\"files\":[{\"name\":\"f\"},"
                 "{\"name\":\"%s\"}]}",
                 bad[i]);
        text_case(text, "invalid_text", "files[1].name");
        snprintf(text, sizeof(text),
                 "{\"text\":\"x\",\"files\":[{\"name\":\"f\","
                 "\"mime\":\"%s\"}]}",
                 bad[i]);
        text_case(text, "invalid_text", "files[0].mime");
    }
    /* the same characters in an ordinary text: tab, CR and LF pass */
    text_case("{\"text\":\"a\\r\\n\\tb\"}", NULL, NULL);
    /* spaces, quotes and non-ASCII letters are one line */
    text_case("{\"text\":\"x\",\"files\":[{\"name\":\"ログ \\u3000(1).txt\","
              "\"mime\":\"text/plain; charset=utf-8\"}]}",
              NULL, NULL);
    /* an empty optional one-line text is allowed (not nonblank) */
    text_case("{\"text\":\"x\",\"files\":[{\"name\":\"f\",\"mime\":\"\"}]}",
              NULL, NULL);
    assert_true(util_one_line("\xc2\xa0 \xe3\x80\x80"));
    assert_false(util_one_line("\xc2\x85"));
}

/* An array of unique items names no item twice; another may. */
static void t_unique(void **state)
{
    (void)state;
    text_case("{\"text\":\"x\",\"orgs\":[\"a\",\"b\",\"a\"]}", "invalid_value",
              "orgs");
    text_case("{\"text\":\"x\",\"orgs\":[\"a\",\"A\",\"b\"]}", NULL, NULL);
    text_case("{\"text\":\"x\",\"tags\":[\"a\",\"a\"]}", NULL, NULL);
}

static void t_first_problem_and_no_change(void **state)
{
    (void)state;
    json_t *o =
        json_pack("{s:s,s:i,s:b}", "title", "abcd", "count", 99, "flag", 1);
    char *before = json_dumps(o, JSON_SORT_KEYS);
    struct jv_error e;
    assert_int_equal(jv_check(o, spec, IS_ARRAY_LEN(spec), &e), IS_ERR_INVALID);
    /* fields are checked in table order: title comes before count */
    assert_string_equal(e.code, "too_long");
    assert_string_equal(e.field, "title");
    char *after = json_dumps(o, JSON_SORT_KEYS);
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_decref(o);
}

static void t_check_text_and_getters(void **state)
{
    (void)state;
    struct jv_error e;
    assert_int_equal(jv_check_text("q", "情報通信", 4, &e), IS_OK);
    assert_int_equal(jv_check_text("q", "情報通信", 3, &e), IS_ERR_INVALID);
    assert_string_equal(e.code, "too_long");
    assert_string_equal(e.field, "q");
    assert_int_equal(jv_check_text("q", "a\x01", 0, &e), IS_ERR_INVALID);
    assert_string_equal(e.code, "invalid_text");
    assert_int_equal(jv_check_text("q", "\xc0\xaf", 0, &e), IS_ERR_INVALID);
    assert_string_equal(e.code, "invalid_text");

    json_t *o = json_pack("{s:s,s:I,s:b,s:s}", "s", "v", "i",
                          (json_int_t)1234567890123LL, "b", 1, "n", "7");
    assert_string_equal(jv_str(o, "s"), "v");
    assert_null(jv_str(o, "i"));
    assert_null(jv_str(o, "missing"));
    assert_true(jv_int(o, "i", -1) == 1234567890123LL);
    assert_int_equal(jv_int(o, "n", -1), -1); /* a string is not an int */
    assert_int_equal(jv_int(o, "missing", 42), 42);
    assert_true(jv_bool(o, "b", false));
    assert_false(jv_bool(o, "s", false));
    assert_true(jv_bool(o, "missing", true));
    json_decref(o);
}

/* jv_find_nul / jv_find_huge_int: the path of the first such value */
static void t_find_nul_and_huge(void **state)
{
    (void)state;
    json_error_t je;
    char at[256];
    json_t *j = json_loads("{\"a\":\"ok\",\"b\":[1,{\"c\":\"x\\u0000\"}]}",
                           JSON_ALLOW_NUL, &je);
    assert_non_null(j);
    assert_true(jv_find_nul(j, at, sizeof(at)));
    assert_string_equal(at, "b[1].c");
    assert_false(jv_find_huge_int(j, at, sizeof(at)));
    json_decref(j);
    j = json_loads("\"\\u0000\"", JSON_ALLOW_NUL | JSON_DECODE_ANY, &je);
    assert_non_null(j);
    assert_true(jv_find_nul(j, at, sizeof(at)));
    assert_string_equal(at, "body");
    json_decref(j);
    /* a string without NUL, even with other control characters, is not
     * found (jv_check refuses those, naming the field) */
    j = json_loads("{\"a\":\"\\u0001\",\"n\":-9223372036854775807}", 0, &je);
    assert_non_null(j);
    assert_false(jv_find_nul(j, at, sizeof(at)));
    json_decref(j);
    j = json_loads("{\"k\":{\"n\":[0,-9223372036854775809]}}",
                   JSON_DECODE_INT_AS_REAL, &je);
    assert_non_null(j);
    assert_true(jv_find_huge_int(j, at, sizeof(at)));
    assert_string_equal(at, "k.n[1]");
    json_decref(j);
    j = json_loads("{\"n\":9223372036854774784}", JSON_DECODE_INT_AS_REAL,
                   &je); /* the largest double below 2^63 */
    assert_non_null(j);
    assert_false(jv_find_huge_int(j, at, sizeof(at)));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_valid),
        cmocka_unit_test(t_unknown_field),
        cmocka_unit_test(t_missing_field),
        cmocka_unit_test(t_null_optional),
        cmocka_unit_test(t_invalid_type),
        cmocka_unit_test(t_too_long),
        cmocka_unit_test(t_string_array_limits),
        cmocka_unit_test(t_enum),
        cmocka_unit_test(t_range),
        cmocka_unit_test(t_time),
        cmocka_unit_test(t_invalid_text),
        cmocka_unit_test(t_nonblank),
        cmocka_unit_test(t_one_line),
        cmocka_unit_test(t_unique),
        cmocka_unit_test(t_first_problem_and_no_change),
        cmocka_unit_test(t_check_text_and_getters),
        cmocka_unit_test(t_find_nul_and_huge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
