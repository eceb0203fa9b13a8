/*
 * test_http_status.c - the error code -> HTTP status table (http/status.c).
 *
 * Exhaustive over enum is_err: every code has a row (a code added to the
 * enum without one fails here), and each status is the one the API has
 * always sent for that code (docs/openapi.json documents them).
 */
#include "common/common.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/http.h"
#include "common/util.h"

/* The expected status of each code, written here independently of the
 * table. IS_ERR_COUNT_ sizes it, so a new code left out is 0 and fails. */
static const int expected[IS_ERR_COUNT_] = {
    [IS_OK] = 200,           [IS_ERR_NOMEM] = 500,    [IS_ERR_INVALID] = 400,
    [IS_ERR_NOTFOUND] = 404, [IS_ERR_CONFLICT] = 409, [IS_ERR_FORBIDDEN] = 403,
    [IS_ERR_AUTH] = 401,     [IS_ERR_LIMIT] = 429,    [IS_ERR_STORE] = 500,
    [IS_ERR_IO] = 500,       [IS_ERR_GONE] = 410,     [IS_ERR_TOO_LARGE] = 413,
    [IS_ERR_INTERNAL] = 500,
};

static void every_code_has_a_status(void **state)
{
    (void)state;
    for (int err = 0; err < IS_ERR_COUNT_; err++) {
        const struct http_status_row *row = http_status_row(err);
        if (!expected[err])
            fail_msg("error code %d (%s) has no expected status in this test",
                     err, is_strerror(err));
        if (row->status != expected[err])
            fail_msg("error code %d (%s): status %d, expected %d", err,
                     is_strerror(err), row->status, expected[err]);
        assert_int_equal(http_status_of(err), expected[err]);
        assert_non_null(row->code);
        assert_true(row->code[0] != '\0');
        assert_non_null(row->message);
        assert_true(row->message[0] != '\0');
        if (err != IS_OK)
            assert_true(row->status >= 400 && row->status <= 599);
    }
}

static void errors_are_4xx_or_5xx_by_kind(void **state)
{
    (void)state;
    /* the caller's fault is 4xx; the hub's own failure is 500 "internal" */
    const int hub[] = {IS_ERR_NOMEM, IS_ERR_STORE, IS_ERR_IO, IS_ERR_INTERNAL};
    for (size_t i = 0; i < IS_ARRAY_LEN(hub); i++) {
        assert_int_equal(http_status_of(hub[i]), 500);
        assert_string_equal(http_status_row(hub[i])->code, "internal");
    }
    assert_string_equal(http_status_row(IS_ERR_NOTFOUND)->code, "not_found");
    assert_string_equal(http_status_row(IS_ERR_AUTH)->code, "unauthenticated");
    assert_string_equal(http_status_row(IS_ERR_FORBIDDEN)->code, "forbidden");
    assert_string_equal(http_status_row(IS_ERR_LIMIT)->code, "rate_limited");
}

static void out_of_range_is_internal(void **state)
{
    (void)state;
    assert_int_equal(http_status_of(-1), 500);
    assert_int_equal(http_status_of(IS_ERR_COUNT_), 500);
    assert_int_equal(http_status_of(INT_MAX), 500);
    assert_ptr_equal(http_status_row(IS_ERR_COUNT_ + 7),
                     http_status_row(IS_ERR_INTERNAL));
}

/* The Japanese sentences (http/error_ja.c): strictly sorted (the lookup
 * is a binary search), each valid UTF-8 with Japanese in it, found by
 * its code; every default code of the status table has one; an unknown
 * code gets its status class's sentence. */
static bool has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

static void japanese_sentence_of_every_code(void **state)
{
    (void)state;
    size_t n = 0;
    const struct http_error_ja_row *rows = http_error_ja_rows(&n);
    assert_true(n > 100);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            assert_true(strcmp(rows[i - 1].code, rows[i].code) < 0);
        assert_true(util_utf8_ok(rows[i].ja, strlen(rows[i].ja)));
        assert_true(has_non_ascii(rows[i].ja));
        assert_ptr_equal(http_error_ja(rows[i].code, 400), rows[i].ja);
    }
    for (int err = 1; err < IS_ERR_COUNT_; err++) {
        const char *code = http_status_row(err)->code;
        bool found = false;
        for (size_t i = 0; i < n; i++)
            found = found || strcmp(rows[i].code, code) == 0;
        if (!found)
            fail_msg("no Japanese sentence for the default code %s", code);
    }
    assert_string_equal(http_error_ja("invalid_value", 400),
                        "値が正しくありません。");
    /* unknown codes (and none): by status class, never NULL */
    assert_string_equal(http_error_ja("no_such_code", 404),
                        "見つかりません（または閲覧できません）。");
    assert_string_equal(http_error_ja("zzz", 503),
                        "ハブは要求を完了できませんでした。");
    assert_string_equal(http_error_ja(NULL, 400),
                        "リクエストが正しくありません。");
    assert_string_equal(http_error_ja("", 403), "権限がありません。");
    assert_string_equal(http_error_ja("aaa", 429),
                        "要求が多すぎます。しばらくしてからお試しください。");
}

/* detail_ja of message m with field f ("" when there is none) */
static const char *detail(const char *m, const char *f, struct buf *b)
{
    buf_reset(b);
    if (!http_error_detail_ja(m, f, b))
        return "";
    return buf_str(b);
}

/* Every row, its English written with values in place of "{}", gives its
 * Japanese with those values in place of {1}, {2}, ...: the row matches
 * what it says and no other row takes its message. */
static void every_detail_row_says_its_message(void **state)
{
    (void)state;
    size_t n = 0;
    const struct http_error_detail_row *rows = http_error_detail_rows(&n);
    assert_true(n > 400);
    struct buf msg, want, got;
    buf_init(&msg, 0);
    buf_init(&want, 0);
    buf_init(&got, 0);
    for (size_t i = 0; i < n; i++) {
        assert_true(util_utf8_ok(rows[i].ja, strlen(rows[i].ja)));
        assert_true(has_non_ascii(rows[i].ja));
        if (i > 0)
            assert_true(strcmp(rows[i - 1].en, rows[i].en) < 0);
        buf_reset(&msg);
        assert_int_equal(buf_adds(&msg, "some.field[3]: "), 0);
        int k = 0;
        for (const char *p = rows[i].en; *p; p++) {
            if (p[0] == '{' && p[1] == '}') {
                assert_int_equal(buf_addf(&msg, "<v%d>", ++k), 0);
                p++;
            } else {
                assert_int_equal(buf_add(&msg, p, 1), 0);
            }
        }
        buf_reset(&want);
        assert_int_equal(buf_adds(&want, "some.field[3]: "), 0);
        for (const char *p = rows[i].ja; *p; p++) {
            if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}') {
                assert_int_equal(buf_addf(&want, "<v%c>", p[1]), 0);
                p += 2;
            } else {
                assert_int_equal(buf_add(&want, p, 1), 0);
            }
        }
        const char *d = detail(buf_str(&msg), "some.field[3]", &got);
        if (strcmp(d, buf_str(&want)) != 0)
            fail_msg("row \"%s\": \"%s\" gave \"%s\"", rows[i].en,
                     buf_str(&msg), d);
    }
    buf_release(&msg);
    buf_release(&want);
    buf_release(&got);
}

static void detail_of_messages(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    /* the service's own messages, as the API answers them */
    assert_string_equal(
        detail("detected_at: is in the future", "detected_at", &b),
        "detected_at: 未来の日時は指定できません。");
    assert_string_equal(
        detail("limit: must be an integer from 1 to 1000", "limit", &b),
        "limit: 1〜1000 の整数で指定してください。");
    /* a field with characters no head has: taken as the field says */
    assert_string_equal(detail("a b: must be a string", "a b", &b),
                        "a b: 文字列で指定してください。");
    /* a message with no field before it */
    assert_string_equal(detail("must be a string", "", &b),
                        "文字列で指定してください。");
    /* a reason the table has no words for: no detail */
    assert_string_equal(detail("limit: is purple", "limit", &b), "");
    assert_string_equal(detail("", "", &b), "");
    assert_false(http_error_detail_ja(NULL, NULL, &b));
    /* a value must be there: "{}" stands for one byte or more */
    assert_string_equal(detail("x: must be an integer from  to 1000", "x", &b),
                        "");
    /* the longest message the hub writes, of braces and colons */
    char big[512];
    for (size_t i = 0; i < sizeof(big) - 1; i++)
        big[i] = "{}: "[i % 4];
    big[sizeof(big) - 1] = '\0';
    assert_string_equal(detail(big, "", &b), "");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_a_status),
        cmocka_unit_test(errors_are_4xx_or_5xx_by_kind),
        cmocka_unit_test(out_of_range_is_internal),
        cmocka_unit_test(japanese_sentence_of_every_code),
        cmocka_unit_test(every_detail_row_says_its_message),
        cmocka_unit_test(detail_of_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
