/*
 * test_svc.c - small helpers the services share (service/app.h).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "service/app.h"

/* 0 is "never / not yet" (null); any other time is RFC 3339 UTC. */
static void test_time_json(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        const char *want; /* NULL: JSON null */
    } rows[] = {
        {0, NULL},
        {1, "1970-01-01T00:00:01Z"},
        {1700000000, "2023-11-14T22:13:20Z"},
        {-1, "1969-12-31T23:59:59Z"},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        json_t *j = svc_time_json(rows[i].t);
        assert_non_null(j);
        if (!rows[i].want) {
            assert_true(json_is_null(j));
        } else {
            assert_true(json_is_string(j));
            assert_string_equal(json_string_value(j), rows[i].want);
        }
        json_decref(j);
    }
}

static void test_fail_fills_error(void **state)
{
    (void)state;
    struct svc_error e = {0};
    assert_int_equal(
        svc_fail(&e, IS_ERR_CONFLICT, "report_closed", NULL, "closed at %d", 3),
        IS_ERR_CONFLICT);
    assert_int_equal(e.err, IS_ERR_CONFLICT);
    assert_string_equal(e.code, "report_closed");
    assert_string_equal(e.field, "");
    assert_string_equal(e.message, "closed at 3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_json),
        cmocka_unit_test(test_fail_fills_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
