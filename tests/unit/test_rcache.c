/*
 * test_rcache.c - the bounded response cache (service/rcache.h).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/rcache.h"

static bool get_text(struct rcache *rc, const char *key, int64_t v, char *out,
                     size_t outlen)
{
    char *t = NULL;
    size_t n = 0;
    if (!rcache_get(rc, key, v, &t, &n))
        return false;
    assert_int_equal(strlen(t), n); /* NUL-terminated copy */
    assert_true(n < outlen);
    memcpy(out, t, n + 1);
    free(t);
    return true;
}

static void t_exact_key_and_version(void **state)
{
    (void)state;
    struct rcache *rc = rcache_new();
    assert_non_null(rc);
    char out[64];
    assert_false(get_text(rc, "A|x", 1, out, sizeof(out)));
    rcache_put(rc, "A|x", 1, "one", 3);
    assert_true(get_text(rc, "A|x", 1, out, sizeof(out)));
    assert_string_equal(out, "one");
    assert_false(get_text(rc, "A|x", 2, out, sizeof(out))); /* newer */
    assert_false(get_text(rc, "A|x", 0, out, sizeof(out))); /* older */
    assert_false(get_text(rc, "A|y", 1, out, sizeof(out))); /* other key */
    rcache_put(rc, "A|x", 2, "two", 3);
    assert_true(get_text(rc, "A|x", 2, out, sizeof(out)));
    assert_string_equal(out, "two");
    assert_false(get_text(rc, "A|x", 1, out, sizeof(out)));
    /* a reader of an older snapshot that finishes last keeps the newer */
    rcache_put(rc, "A|x", 1, "old", 3);
    assert_true(get_text(rc, "A|x", 2, out, sizeof(out)));
    assert_string_equal(out, "two");
    uint64_t hits, misses;
    rcache_stats(rc, &hits, &misses);
    assert_int_equal(hits, 3);
    assert_int_equal(misses, 5);
    rcache_free(rc);
}

static void t_bounded(void **state)
{
    (void)state;
    struct rcache *rc = rcache_new();
    assert_non_null(rc);
    char key[32], out[64];
    /* RCACHE_SLOTS + 1 keys: the least recently used one goes */
    for (int i = 0; i <= RCACHE_SLOTS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        rcache_put(rc, key, 1, key, strlen(key));
        if (i == 0)
            continue;
        /* k0 is used again after each put but the last */
        if (i < RCACHE_SLOTS)
            assert_true(get_text(rc, "k0", 1, out, sizeof(out)));
    }
    assert_true(get_text(rc, "k0", 1, out, sizeof(out)));
    assert_false(get_text(rc, "k1", 1, out, sizeof(out))); /* evicted */
    for (int i = 2; i <= RCACHE_SLOTS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_true(get_text(rc, key, 1, out, sizeof(out)));
        assert_string_equal(out, key);
    }
    /* too large a text, too long or empty a key: not kept */
    char *big = malloc(RCACHE_MAX_TEXT + 1);
    assert_non_null(big);
    memset(big, 'x', RCACHE_MAX_TEXT + 1);
    rcache_put(rc, "big", 1, big, RCACHE_MAX_TEXT + 1);
    assert_false(get_text(rc, "big", 1, out, sizeof(out)));
    free(big);
    char longkey[RCACHE_KEY_LEN + 1];
    memset(longkey, 'k', RCACHE_KEY_LEN);
    longkey[RCACHE_KEY_LEN] = '\0';
    rcache_put(rc, longkey, 1, "v", 1);
    assert_false(get_text(rc, longkey, 1, out, sizeof(out)));
    rcache_put(rc, "", 1, "v", 1);
    assert_false(get_text(rc, "", 1, out, sizeof(out)));
    rcache_free(rc);
}

static void t_null_cache(void **state)
{
    (void)state;
    char *t = NULL;
    size_t n = 0;
    rcache_put(NULL, "k", 1, "v", 1);
    assert_false(rcache_get(NULL, "k", 1, &t, &n));
    assert_null(t);
    uint64_t h = 1, m = 1;
    rcache_stats(NULL, &h, &m);
    assert_int_equal(h + m, 0);
    rcache_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_exact_key_and_version),
        cmocka_unit_test(t_bounded),
        cmocka_unit_test(t_null_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
