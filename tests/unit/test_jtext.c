/*
 * test_jtext.c - common/jtext.h: the same bytes as jansson's
 * json_dumps(JSON_COMPACT) for every kind of value, every byte a string
 * may hold, and the parse results of the e-mail corpus (fuzz/corpus/mail)
 * that the C4TAP intake stores.
 */
#include "common/common.h"

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "common/jtext.h"
#include "mail/mail.h"

static void same(const json_t *j)
{
    char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    size_t n = 0;
    char *got = jtext_dumps(j, &n);
    assert_non_null(want);
    assert_non_null(got);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(got, want, n + 1);
    free(want);
    free(got);
}

static void test_every_byte_of_a_string(void **state)
{
    (void)state;
    char all[128];
    for (int i = 0; i < 128; i++)
        all[i] = (char)i;
    /* every ASCII byte alone and all together (strings are UTF-8: what
     * jansson's constructors and the parser's text guarantee) */
    for (int i = 0; i < 128; i++) {
        json_t *s = json_stringn(all + i, 1);
        same(s);
        json_decref(s);
    }
    json_t *s = json_stringn(all, 128);
    same(s);
    json_decref(s);
    s = json_string("日本語 \xe2\x80\xa8 / \\ \" \t\r\n end");
    same(s);
    json_decref(s);
    s = json_string("");
    same(s);
    json_decref(s);
    /* each byte that needs an escape, and a multibyte character, at each
     * position of strings of 1 to 24 bytes (the writer skips 8 plain
     * bytes at a time where it can) */
    static const char *special[] = {"\"",   "\\",   "\n", "\x01",
                                    "\x1f", "\x7f", "/",  "情"};
    for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++)
        for (size_t len = 1; len <= 24; len++)
            for (size_t pos = 0; pos < len; pos++) {
                char t[40];
                memset(t, 'p', len);
                size_t sl = strlen(special[k]);
                memcpy(t + pos, special[k], sl);
                size_t n = pos + sl > len ? pos + sl : len;
                s = json_stringn(t, n);
                assert_non_null(s);
                same(s);
                json_decref(s);
            }
}

static void test_values(void **state)
{
    (void)state;
    json_t *o = json_pack(
        "{s:i,s:I,s:I,s:f,s:f,s:b,s:b,s:n,s:[],s:{},s:[i,[s,{s:s}]],s:s}",
        "zero", 0, "max", (json_int_t)INT64_MAX, "min", (json_int_t)INT64_MIN,
        "real", 1.5, "quarter", -0.25, "t", 1, "f", 0, "null", "empty_a",
        "empty_o", "nest", 1, "x", "k\n", "v\x01", "key \"quoted\"", "値");
    assert_non_null(o);
    same(o);
    /* insertion order kept */
    json_t *p = json_object();
    for (int i = 20; i > 0; i--) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        json_object_set_new(p, k, json_integer(i));
    }
    same(p);
    json_decref(o);
    json_decref(p);
    json_t *nan = json_real(0.0);
    same(nan);
    json_decref(nan);
}

/* Reals: the fewest digits that read back as the same double (not
 * json_dumps's 17: 0.92000000000000004), still reals when whole. */
static void test_reals(void **state)
{
    (void)state;
    static const struct {
        double d;
        const char *text;
    } cases[] = {
        {0.92, "0.92"},
        {59.1, "59.1"},
        {177.8, "177.8"},
        {1.5, "1.5"},
        {5.0, "5.0"},
        {-3.0, "-3.0"},
        {0.0, "0.0"},
        {1e300, "1e+300"},
        {1e-7, "1e-07"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
        {2.0 / 3.0, "0.6666666666666666"},
        {123456789012345680.0, "1.2345678901234568e+17"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {-DBL_MIN, "-2.2250738585072014e-308"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *r = json_real(cases[i].d);
        char *got = jtext_dumps(r, NULL);
        assert_non_null(got);
        assert_string_equal(got, cases[i].text);
        assert_true(strtod(got, NULL) == cases[i].d);
        free(got);
        json_decref(r);
    }
    /* every one of many doubles reads back as itself */
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        memcpy(&d, &x, sizeof(d));
        if (!isfinite(d))
            continue;
        char t[32];
        jtext_real(d, t, sizeof(t));
        assert_true(strtod(t, NULL) == d);
        assert_non_null(strpbrk(t, ".e"));
    }
}

static void test_mail_corpus(void **state)
{
    (void)state;
    const char *src = getenv("INFRASHARE_SRC");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/fuzz/corpus/mail", src ? src : ".");
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static char raw[1 << 20];
        size_t len = fread(raw, 1, sizeof raw, f);
        fclose(f);
        json_t *j = NULL;
        char err[256];
        if (mail_parse(raw, len, &j, err, sizeof err) == IS_OK) {
            same(j);
            json_decref(j);
            n++;
        }
    }
    closedir(d);
    assert_true(n >= 5);
}

/* The writer: keys, values and nesting give the bytes jansson dumps for
 * the json_t built in the same order. */
static void test_writer(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    struct jw w;
    jw_init(&w, &b);
    json_t *want = json_object();
    jw_obj(&w);
    jw_kstr(&w, "id", "r-1");
    json_object_set_new(want, "id", json_string("r-1"));
    jw_kstr(&w, "title", "停電\"q\"\n\x01");
    json_object_set_new(want, "title", json_string("停電\"q\"\n\x01"));
    jw_kstr(&w, "none", NULL);
    json_object_set_new(want, "none", json_null());
    jw_kstr(&w, "bad", "\xff\xfe"); /* not UTF-8: null, as json_string */
    json_object_set_new(want, "bad", json_null());
    long long ints[] = {0, 5, -1, 1234567890123LL, LLONG_MAX, LLONG_MIN};
    jw_key(&w, "ints");
    jw_arr(&w);
    json_t *ja = json_array();
    for (size_t i = 0; i < IS_ARRAY_LEN(ints); i++) {
        jw_int(&w, ints[i]);
        json_array_append_new(ja, json_integer(ints[i]));
    }
    jw_end_arr(&w);
    json_object_set_new(want, "ints", ja);
    jw_key(&w, "empty");
    jw_obj(&w);
    jw_end_obj(&w);
    json_object_set_new(want, "empty", json_object());
    jw_key(&w, "nested");
    jw_obj(&w);
    jw_kbool(&w, "t", true);
    jw_kbool(&w, "f", false);
    jw_ktime(&w, "at", 1709164800);
    jw_ktime(&w, "never", 0);
    jw_end_obj(&w);
    json_object_set_new(want, "nested",
                        json_pack("{s:b,s:b,s:s,s:n}", "t", 1, "f", 0, "at",
                                  "2024-02-29T00:00:00Z", "never"));
    json_t *inner = json_pack("{s:[i,s,{}],s:f}", "a", 1, "b", "x", 0.5);
    jw_key(&w, "json");
    jw_json(&w, inner);
    json_object_set(want, "json", inner);
    jw_key(&w, "nothing");
    jw_json(&w, NULL);
    json_object_set_new(want, "nothing", json_null());
    jw_end_obj(&w);
    assert_int_equal(buf_error(&b), IS_OK);
    char *wt = json_dumps(want, JSON_COMPACT);
    assert_int_equal(b.len, strlen(wt));
    assert_memory_equal(b.data, wt, b.len);
    free(wt);
    json_decref(want);
    json_decref(inner);
    /* an array of objects: commas between elements, none after a key */
    buf_reset(&b);
    jw_init(&w, &b);
    jw_arr(&w);
    for (int i = 0; i < 3; i++) {
        jw_obj(&w);
        jw_kint(&w, "i", i);
        jw_end_obj(&w);
    }
    jw_end_arr(&w);
    assert_int_equal(buf_error(&b), IS_OK);
    assert_int_equal(b.len, strlen("[{\"i\":0},{\"i\":1},{\"i\":2}]"));
    assert_memory_equal(b.data, "[{\"i\":0},{\"i\":1},{\"i\":2}]", b.len);
    /* nesting past the limit is an error of the buffer, not an overflow */
    buf_reset(&b);
    jw_init(&w, &b);
    for (int i = 0; i < JW_MAX_DEPTH + 2; i++)
        jw_arr(&w);
    assert_int_equal(buf_error(&b), IS_ERR_INVALID);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte_of_a_string),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_reals),
        cmocka_unit_test(test_mail_corpus),
        cmocka_unit_test(test_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
