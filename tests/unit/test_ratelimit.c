/*
 * test_ratelimit.c - failed log-in counters (service/ratelimit.h).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/auth.h"
#include "service/ratelimit.h"

#define WINDOW 900
#define MAX_FAILS 5
#define T0 1711929600

static int setup(void **state)
{
    struct ratelimit *rl = malloc(sizeof(*rl));
    if (!rl)
        return -1;
    ratelimit_init(rl, WINDOW, MAX_FAILS);
    *state = rl;
    return 0;
}

static int teardown(void **state)
{
    struct ratelimit *rl = *state;
    ratelimit_release(rl);
    free(rl);
    return 0;
}

static void t_unknown_key_not_blocked(void **state)
{
    struct ratelimit *rl = *state;
    assert_false(ratelimit_blocked(rl, "alice", T0));
    assert_false(ratelimit_blocked(rl, "", T0));
    /* clearing an unknown key is harmless */
    ratelimit_clear(rl, "nobody");
    assert_false(ratelimit_blocked(rl, "nobody", T0));
}

static void t_blocked_after_max(void **state)
{
    struct ratelimit *rl = *state;
    for (int i = 0; i < MAX_FAILS; i++) {
        if (ratelimit_blocked(rl, "alice", T0 + i))
            fail_msg("blocked after only %d failures", i);
        ratelimit_fail(rl, "alice", T0 + i);
    }
    assert_true(ratelimit_blocked(rl, "alice", T0 + MAX_FAILS));
    /* more failures keep it blocked */
    ratelimit_fail(rl, "alice", T0 + 10);
    assert_true(ratelimit_blocked(rl, "alice", T0 + 11));
    /* still blocked at the last second of the window */
    assert_true(ratelimit_blocked(rl, "alice", T0 + WINDOW - 1));
}

static void t_unblocked_after_window(void **state)
{
    struct ratelimit *rl = *state;
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, "bob", T0);
    assert_true(ratelimit_blocked(rl, "bob", T0));
    assert_true(ratelimit_blocked(rl, "bob", T0 + WINDOW - 1));
    assert_false(ratelimit_blocked(rl, "bob", T0 + WINDOW));
    /* the count starts again from zero in the new window */
    for (int i = 0; i < MAX_FAILS - 1; i++)
        ratelimit_fail(rl, "bob", T0 + WINDOW + 1);
    assert_false(ratelimit_blocked(rl, "bob", T0 + WINDOW + 2));
    ratelimit_fail(rl, "bob", T0 + WINDOW + 3);
    assert_true(ratelimit_blocked(rl, "bob", T0 + WINDOW + 4));
    /* much later: free again */
    assert_false(ratelimit_blocked(rl, "bob", T0 + 100 * WINDOW));
}

static void t_failures_spread_over_window(void **state)
{
    struct ratelimit *rl = *state;
    /* failures spread inside one window add up */
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, "carol", T0 + i * (WINDOW / MAX_FAILS - 1));
    assert_true(ratelimit_blocked(rl, "carol", T0 + WINDOW - 1));
}

static void t_clear(void **state)
{
    struct ratelimit *rl = *state;
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, "dave", T0);
    assert_true(ratelimit_blocked(rl, "dave", T0 + 1));
    ratelimit_clear(rl, "dave");
    assert_false(ratelimit_blocked(rl, "dave", T0 + 1));
    /* after a clear it takes the full count again */
    for (int i = 0; i < MAX_FAILS - 1; i++)
        ratelimit_fail(rl, "dave", T0 + 2);
    assert_false(ratelimit_blocked(rl, "dave", T0 + 2));
    ratelimit_fail(rl, "dave", T0 + 2);
    assert_true(ratelimit_blocked(rl, "dave", T0 + 2));
}

static void t_keys_independent(void **state)
{
    struct ratelimit *rl = *state;
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, "erin", T0);
    ratelimit_fail(rl, "frank", T0);
    assert_true(ratelimit_blocked(rl, "erin", T0));
    assert_false(ratelimit_blocked(rl, "frank", T0));
    assert_false(ratelimit_blocked(rl, "Erin", T0));
    assert_false(ratelimit_blocked(rl, "erin2", T0));
    assert_false(ratelimit_blocked(rl, "eri", T0));
    /* clearing one key leaves the other */
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, "frank", T0);
    ratelimit_clear(rl, "erin");
    assert_false(ratelimit_blocked(rl, "erin", T0));
    assert_true(ratelimit_blocked(rl, "frank", T0));
    /* Japanese and address-like keys */
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, "利用者", T0);
    assert_true(ratelimit_blocked(rl, "利用者", T0));
    assert_false(ratelimit_blocked(rl, "利用", T0));
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, "2001:db8::1", T0);
    assert_true(ratelimit_blocked(rl, "2001:db8::1", T0));
    assert_false(ratelimit_blocked(rl, "2001:db8::2", T0));
}

static void t_max_one(void **state)
{
    (void)state;
    struct ratelimit *rl = malloc(sizeof(*rl));
    assert_non_null(rl);
    ratelimit_init(rl, 60, 1);
    assert_false(ratelimit_blocked(rl, "k", 0));
    ratelimit_fail(rl, "k", 0);
    assert_true(ratelimit_blocked(rl, "k", 59));
    assert_false(ratelimit_blocked(rl, "k", 60));
    ratelimit_release(rl);
    free(rl);
}

static void t_eviction(void **state)
{
    struct ratelimit *rl = *state;
    char key[RL_KEY];
    /* three times as many keys as slots, each failing once */
    for (int i = 0; i < 3 * RL_SLOTS; i++) {
        snprintf(key, sizeof(key), "10.%d.%d.%d", (i >> 16) & 255,
                 (i >> 8) & 255, i & 255);
        ratelimit_fail(rl, key, T0 + i / 64);
    }
    /* nothing is blocked by a single failure */
    for (int i = 0; i < 3 * RL_SLOTS; i += 97) {
        snprintf(key, sizeof(key), "10.%d.%d.%d", (i >> 16) & 255,
                 (i >> 8) & 255, i & 255);
        assert_false(ratelimit_blocked(rl, key, T0 + 3 * RL_SLOTS / 64));
    }
    /* a fresh key is still counted and blocked in a full table */
    int64_t now = T0 + 3 * RL_SLOTS / 64 + 1;
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, "mallory", now);
    assert_true(ratelimit_blocked(rl, "mallory", now));
    ratelimit_clear(rl, "mallory");
    assert_false(ratelimit_blocked(rl, "mallory", now));
    /* many keys blocked in turn, each checked right after its failures */
    for (int i = 0; i < RL_SLOTS + 100; i++) {
        snprintf(key, sizeof(key), "user-%d", i);
        for (int k = 0; k < MAX_FAILS; k++)
            ratelimit_fail(rl, key, now + 1);
        if (!ratelimit_blocked(rl, key, now + 1))
            fail_msg("%s not blocked", key);
    }
}

static void t_long_key_prefix(void **state)
{
    struct ratelimit *rl = *state;
    /* keys of RL_KEY-1 bytes are stored whole */
    char k1[RL_KEY], k2[RL_KEY];
    memset(k1, 'a', sizeof(k1) - 1);
    k1[sizeof(k1) - 1] = '\0';
    memcpy(k2, k1, sizeof(k2));
    k2[RL_KEY - 2] = 'b';
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, k1, T0);
    assert_true(ratelimit_blocked(rl, k1, T0));
    assert_false(ratelimit_blocked(rl, k2, T0));
}

/* BUG (src/service/ratelimit.c rl_find): a key of RL_KEY (96) bytes or
 * more is stored truncated in the slot, but later compared whole with
 * strcmp, so it never matches its own slot: every failure takes a new slot
 * and the key is never blocked. A log-in name of 32 Japanese characters
 * (96 bytes; the HTTP body allows 64 code points) escapes the per-user
 * limit. Expected: blocked after max failures like any other key. */
static void t_long_key_blocked(void **state)
{
    struct ratelimit *rl = *state;
    char longkey[200];
    memset(longkey, 'x', sizeof(longkey) - 1);
    longkey[sizeof(longkey) - 1] = '\0';
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, longkey, T0);
    assert_true(ratelimit_blocked(rl, longkey, T0));

    char ja[3 * 32 + 1] = "";
    for (int i = 0; i < 32; i++)
        memcpy(ja + 3 * i, "利", 3);
    ja[3 * 32] = '\0';
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, ja, T0);
    assert_true(ratelimit_blocked(rl, ja, T0));
}

/* A blocked key stays blocked for its whole window while three times as
 * many other keys as the table has slots fail once each (a flood of other
 * names, or of other addresses): the flood may only displace keys that are
 * not blocked. Before: full neighbourhoods evicted their oldest entry, the
 * blocked key among them. */
static void t_lock_survives_flood(void **state)
{
    struct ratelimit *rl = *state;
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, "victim", T0);
    assert_true(ratelimit_blocked(rl, "victim", T0));
    char key[RL_KEY];
    for (int i = 0; i < 3 * RL_SLOTS; i++) {
        snprintf(key, sizeof(key), "flood-%d", i);
        ratelimit_fail(rl, key, T0 + 1 + i / 64);
        ratelimit_fail(rl, key, T0 + 1 + i / 64);
    }
    assert_true(ratelimit_blocked(rl, "victim", T0 + 3 * RL_SLOTS / 64 + 1));
    assert_true(ratelimit_blocked(rl, "victim", T0 + WINDOW - 1));
    assert_false(ratelimit_blocked(rl, "victim", T0 + WINDOW));
}

/* Keys chosen to share a blocked key's neighbourhood (found through the
 * table's own hash, which an outsider cannot compute) fail once each, many
 * times over: the blocked key stays blocked. */
static void t_colliding_keys_keep_lock(void **state)
{
    struct ratelimit *rl = *state;
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, "victim", T0);
    size_t home = ratelimit_home(rl, "victim");
    char key[RL_KEY];
    int found = 0;
    for (int i = 0; found < 4 * RL_PROBES && i < 50 * 1000 * 1000; i++) {
        snprintf(key, sizeof(key), "c%d", i);
        if (ratelimit_home(rl, key) != home)
            continue;
        found++;
        ratelimit_fail(rl, key, T0 + 1);
        ratelimit_fail(rl, key, T0 + 1);
        assert_true(ratelimit_blocked(rl, "victim", T0 + 2));
    }
    assert_int_equal(found, 4 * RL_PROBES);
    assert_true(ratelimit_blocked(rl, "victim", T0 + WINDOW - 1));
    /* keys that are themselves blocked: even then the newest lock counts */
    for (int i = 0; i < MAX_FAILS; i++)
        ratelimit_fail(rl, "other", T0 + 3);
    assert_true(ratelimit_blocked(rl, "other", T0 + 3));
}

/* The table has the same fixed size whatever the traffic: its memory is
 * part of the struct and nothing else is allocated. */
static void t_memory_fixed(void **state)
{
    struct ratelimit *rl = *state;
    assert_true(sizeof(*rl) < RL_SLOTS * (RL_KEY + 32) + 1024);
    char key[RL_KEY];
    for (int i = 0; i < 10 * RL_SLOTS; i++) {
        snprintf(key, sizeof(key), "2001:db8:%x::/64", i);
        for (int k = 0; k < MAX_FAILS; k++)
            ratelimit_fail(rl, key, T0);
    }
    int used = 0;
    for (size_t i = 0; i < RL_SLOTS; i++)
        used += rl->slots[i].key[0] != 0;
    assert_true(used <= RL_SLOTS);
}

/* Accounts: a lock holds for its whole window while thousands of other
 * accounts fail, and ends exactly when its window does. */
static void t_users_lock_holds(void **state)
{
    (void)state;
    struct rl_users u;
    rl_users_init(&u, WINDOW, MAX_FAILS);
    assert_false(rl_users_blocked(&u, 7, T0));
    for (int i = 0; i < MAX_FAILS; i++) {
        assert_false(rl_users_blocked(&u, 7, T0 + i));
        assert_int_equal(rl_users_fail(&u, 7, T0 + i), IS_OK);
    }
    assert_true(rl_users_blocked(&u, 7, T0 + MAX_FAILS));
    for (int64_t id = 8; id < 8 + 20000; id++)
        for (int k = 0; k < 3; k++)
            assert_int_equal(rl_users_fail(&u, id, T0 + 10), IS_OK);
    assert_int_equal(rl_users_count(&u), 20001);
    assert_true(rl_users_blocked(&u, 7, T0 + WINDOW - 1));
    assert_false(rl_users_blocked(&u, 8, T0 + 11));
    assert_false(rl_users_blocked(&u, 7, T0 + WINDOW));
    /* a new window counts from zero */
    assert_int_equal(rl_users_fail(&u, 7, T0 + WINDOW), IS_OK);
    assert_false(rl_users_blocked(&u, 7, T0 + WINDOW));
    /* a success clears; the entry stays (no growth on re-use) */
    for (int i = 0; i < MAX_FAILS; i++)
        rl_users_fail(&u, 9, T0 + 20);
    assert_true(rl_users_blocked(&u, 9, T0 + 20));
    rl_users_clear(&u, 9);
    assert_false(rl_users_blocked(&u, 9, T0 + 20));
    assert_int_equal(rl_users_count(&u), 20001);
    /* ids that never failed are not held */
    rl_users_clear(&u, 999999);
    assert_false(rl_users_blocked(&u, 999999, T0));
    assert_int_equal(rl_users_count(&u), 20001);
    assert_int_equal(rl_users_fail(&u, 0, T0), IS_ERR_INVALID);
    rl_users_release(&u);
}

/* Check-and-count: exactly max attempts get through, whatever runs at the
 * same time; a success takes its count back. */
static void t_take(void **state)
{
    struct ratelimit *rl = *state;
    for (int i = 0; i < MAX_FAILS; i++)
        assert_true(ratelimit_take(rl, "k", T0));
    assert_false(ratelimit_take(rl, "k", T0));
    assert_true(ratelimit_blocked(rl, "k", T0 + WINDOW - 1));
    assert_true(ratelimit_take(rl, "k", T0 + WINDOW));
    ratelimit_give_back(rl, "k", T0 + WINDOW);
    ratelimit_give_back(rl, "k", T0 + WINDOW); /* never below zero */
    for (int i = 0; i < MAX_FAILS; i++)
        assert_true(ratelimit_take(rl, "k", T0 + WINDOW));
    assert_false(ratelimit_take(rl, "k", T0 + WINDOW));

    struct rl_users u;
    rl_users_init(&u, WINDOW, MAX_FAILS);
    bool ok = false;
    for (int i = 0; i < MAX_FAILS; i++) {
        assert_int_equal(rl_users_take(&u, 3, T0, &ok), IS_OK);
        assert_true(ok);
    }
    assert_int_equal(rl_users_take(&u, 3, T0, &ok), IS_OK);
    assert_false(ok);
    assert_true(rl_users_blocked(&u, 3, T0 + WINDOW - 1));
    assert_int_equal(rl_users_take(&u, 3, T0 + WINDOW, &ok), IS_OK);
    assert_true(ok);
    rl_users_clear(&u, 3);
    assert_false(rl_users_blocked(&u, 3, T0 + WINDOW));
    rl_users_release(&u);
}

static void t_addr_key(void **state)
{
    (void)state;
    char k[80];
    auth_addr_key("192.0.2.7", k, sizeof(k));
    assert_string_equal(k, "192.0.2.7");
    auth_addr_key("::ffff:192.0.2.7", k, sizeof(k));
    assert_string_equal(k, "192.0.2.7");
    auth_addr_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", k, sizeof(k));
    assert_string_equal(k, "2001:db8:1:2::/64");
    char k2[80];
    auth_addr_key("2001:db8:1:2::1", k2, sizeof(k2));
    assert_string_equal(k, k2);
    auth_addr_key("2001:db8:1:3::1", k2, sizeof(k2));
    assert_string_not_equal(k, k2);
    auth_addr_key("::1", k, sizeof(k));
    assert_string_equal(k, "::/64");
    auth_addr_key("", k, sizeof(k));
    assert_string_equal(k, "");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(t_unknown_key_not_blocked),
        T(t_blocked_after_max),
        T(t_unblocked_after_window),
        T(t_failures_spread_over_window),
        T(t_clear),
        T(t_keys_independent),
        cmocka_unit_test(t_max_one),
        T(t_eviction),
        T(t_long_key_prefix),
        T(t_long_key_blocked),
        T(t_lock_survives_flood),
        T(t_colliding_keys_keep_lock),
        T(t_memory_fixed),
        cmocka_unit_test(t_users_lock_holds),
        cmocka_unit_test(t_addr_key),
        T(t_take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
