/*
 * test_csv.c - csv.h, the one CSV cell writer (quoting and the formula
 * guard shared by every CSV export).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/csv.h"

static void check(const char *in, bool last, const char *want)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(csv_cell(&b, in, last), IS_OK);
    assert_int_equal(buf_error(&b), IS_OK);
    assert_string_equal(buf_str(&b), want);
    buf_release(&b);
}

static void t_table(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool last;
        const char *want;
    } rows[] = {
        {"", false, "\"\","},
        {"", true, "\"\"\r\n"},
        {"plain", false, "\"plain\","},
        {"plain", true, "\"plain\"\r\n"},
        /* quotes are doubled; comma and newline stay inside the quotes */
        {"say \"hi\"", false, "\"say \"\"hi\"\"\","},
        {"\"", false, "\"\"\"\","},
        {"a,b\r\nc", false, "\"a,b\r\nc\","},
        /* formula starts are kept as text with an apostrophe */
        {"=1+2", false, "\"'=1+2\","},
        {"+81 3", false, "\"'+81 3\","},
        {"-1+2", false, "\"'-1+2\","},
        {"-", false, "\"'-\","},
        {"-1.", false, "\"'-1.\","},
        {"-.5", false, "\"'-.5\","},
        {"-1e3", false, "\"'-1e3\","},
        {"-2-3", false, "\"'-2-3\","},
        /* but a plain negative number stays a number */
        {"-1", false, "\"-1\","},
        {"-30.5", false, "\"-30.5\","},
        {"@SUM(A1)", false, "\"'@SUM(A1)\","},
        {"\tx", false, "\"'\tx\","},
        {"\rx", false, "\"'\rx\","},
        {"=cmd|' /C calc'!A0", true, "\"'=cmd|' /C calc'!A0\"\r\n"},
        {"=\"x\"", false, "\"'=\"\"x\"\"\","},
        /* only the first character counts */
        {"a=1", false, "\"a=1\","},
        {" =1", false, "\" =1\","},
        {"\n=1", false, "\"\n=1\","},
        {"'=1", false, "\"'=1\","},
        /* UTF-8 is copied as it is */
        {"重要インフラ", false, "\"重要インフラ\","},
        {"＝全角", false, "\"＝全角\","},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        check(rows[i].in, rows[i].last, rows[i].want);
}

static void t_null_is_empty(void **state)
{
    (void)state;
    check(NULL, false, "\"\",");
    check(NULL, true, "\"\"\r\n");
}

static void t_row(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    csv_cell(&b, "id", false);
    csv_cell(&b, "-x", false);
    assert_int_equal(csv_cell(&b, "z", true), IS_OK);
    assert_string_equal(buf_str(&b), "\"id\",\"'-x\",\"z\"\r\n");
    buf_release(&b);
}

static void t_cap_is_reported(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 6);
    assert_int_equal(csv_cell(&b, "=\"\"\"", true), IS_ERR_LIMIT);
    assert_int_equal(buf_error(&b), IS_ERR_LIMIT);
    assert_true(b.len <= 6);
    assert_null(buf_detach(&b));
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_table),
        cmocka_unit_test(t_null_is_empty),
        cmocka_unit_test(t_row),
        cmocka_unit_test(t_cap_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
