/*
 * test_html.c - html.h, the one escaper of HTML, SVG and XML text.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/html.h"

static void check(const char *in, const char *want)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(html_escape(&b, in), IS_OK);
    assert_string_equal(buf_str(&b), want);
    buf_release(&b);
}

static void t_table(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } rows[] = {
        {"", ""},
        {"plain text", "plain text"},
        {"<", "&lt;"},
        {">", "&gt;"},
        {"&", "&amp;"},
        {"\"", "&quot;"},
        {"'", "&#39;"},
        {"<a href=\"x\" title='y'>&amp;</a>",
         "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"},
        {"tab\tand\nnewline stay", "tab\tand\nnewline stay"},
        {"bell\a, cr\r, esc\x1b dropped", "bell, cr, esc dropped"},
        {"重要インフラ <赤>", "重要インフラ &lt;赤&gt;"},
        {"\x7f kept", "\x7f kept"},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        check(rows[i].in, rows[i].want);
}

static void t_null_is_empty(void **state)
{
    (void)state;
    check(NULL, "");
}

static void t_appends(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_adds(&b, "<p>"), IS_OK);
    assert_int_equal(html_escape(&b, "a<b"), IS_OK);
    assert_string_equal(buf_str(&b), "<p>a&lt;b");
    buf_release(&b);
}

static void t_cap_is_reported(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(html_escape(&b, "<<<<"), IS_ERR_LIMIT);
    assert_true(b.len <= 8);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_table),
        cmocka_unit_test(t_null_is_empty),
        cmocka_unit_test(t_appends),
        cmocka_unit_test(t_cap_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
