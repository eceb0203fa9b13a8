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
#include "service/auth.h"

#include <sodium.h>
#include <string.h>

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

/* A new hash carries the cost the build promises: libsodium's interactive
 * Argon2id (64 MiB, 2 passes), or its minimum in a -Dtest_kdf=true build
 * (meson_options.txt); a hash of the other cost still verifies, since
 * verifying reads the cost from the hash. */
static void test_password_hash_cost(void **state)
{
    (void)state;
    assert_int_equal(sodium_init() < 0, 0);
    char h[crypto_pwhash_STRBYTES];
    assert_int_equal(auth_hash_password("correct horse battery", h, sizeof(h)),
                     IS_OK);
    const char *want = auth_test_kdf() ? "$argon2id$v=19$m=8,t=1,p=1$"
                                       : "$argon2id$v=19$m=65536,t=2,p=1$";
    assert_memory_equal(h, want, strlen(want));
    assert_int_equal(crypto_pwhash_str_verify(h, "correct horse battery", 21),
                     0);
    assert_int_not_equal(
        crypto_pwhash_str_verify(h, "correct horse batterY", 21), 0);
    /* a hash of another cost (1 MiB, 3 passes: cheap under valgrind)
     * verifies in this build */
    char other[crypto_pwhash_STRBYTES];
    assert_int_equal(
        crypto_pwhash_str(other, "pw of another build", 19, 3, (size_t)1 << 20),
        0);
    assert_memory_equal(other, "$argon2id$v=19$m=1024,t=3,p=1$", 30);
    assert_int_equal(crypto_pwhash_str_verify(other, "pw of another build", 19),
                     0);
    /* too small a buffer is refused, not overrun */
    assert_int_equal(auth_hash_password("x", h, 16), IS_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_json),
        cmocka_unit_test(test_fail_fills_error),
        cmocka_unit_test(test_password_hash_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
