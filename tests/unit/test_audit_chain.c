/*
 * test_audit_chain.c - the hash of one audit entry (core/audit_chain.h),
 * both versions, the commitment to a withheld actor and the v1 -> v2 link.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>

#include "core/audit_chain.h"

struct entry {
    unsigned char prev[AUDIT_HASH_LEN];
    int64_t at;
    int64_t actor_user;
    const char *actor_org;
    const char *action;
    const char *target;
    const char *detail;
};

static void base(struct entry *e)
{
    memset(e, 0, sizeof(*e));
    for (int i = 0; i < AUDIT_HASH_LEN; i++)
        e->prev[i] = (unsigned char)(0xa0 + i);
    e->at = 1711929600;
    e->actor_user = 42;
    e->actor_org = "ceptoar-banking";
    e->action = "user.create";
    e->target = "user:7";
    e->detail = "{\"roles\":\"reader\"}";
}

static void hash(const struct entry *e, unsigned char out[AUDIT_HASH_LEN])
{
    memset(out, 0x55, AUDIT_HASH_LEN);
    audit_chain_hash(e->prev, e->at, e->actor_user, e->actor_org, e->action,
                     e->target, e->detail, out);
}

static bool same(const unsigned char *a, const unsigned char *b)
{
    return memcmp(a, b, AUDIT_HASH_LEN) == 0;
}

static void t_genesis_is_zero(void **state)
{
    (void)state;
    unsigned char zero[AUDIT_HASH_LEN] = {0};
    assert_memory_equal(audit_chain_genesis, zero, AUDIT_HASH_LEN);
}

static void t_deterministic(void **state)
{
    (void)state;
    struct entry e;
    unsigned char h1[AUDIT_HASH_LEN], h2[AUDIT_HASH_LEN];
    base(&e);
    hash(&e, h1);
    hash(&e, h2);
    assert_memory_equal(h1, h2, AUDIT_HASH_LEN);
    /* equal contents in different memory give the same hash */
    char org[32], action[32], target[32], detail[64];
    snprintf(org, sizeof(org), "%s", e.actor_org);
    snprintf(action, sizeof(action), "%s", e.action);
    snprintf(target, sizeof(target), "%s", e.target);
    snprintf(detail, sizeof(detail), "%s", e.detail);
    e.actor_org = org;
    e.action = action;
    e.target = target;
    e.detail = detail;
    hash(&e, h2);
    assert_memory_equal(h1, h2, AUDIT_HASH_LEN);
    /* not a trivial output */
    unsigned char zero[AUDIT_HASH_LEN] = {0};
    assert_false(same(h1, zero));
}

/* The documented construction: BLAKE2b-256 over prev, then each field
 * prefixed by its length as 8 little-endian bytes; integers as 8 LE bytes. */
static void put(crypto_generichash_state *st, const void *p, size_t n)
{
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)((uint64_t)n >> (8 * i));
    crypto_generichash_update(st, len, 8);
    crypto_generichash_update(st, p, n);
}

static void put64(crypto_generichash_state *st, int64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)v >> (8 * i));
    put(st, b, 8);
}

static void t_matches_documented_construction(void **state)
{
    (void)state;
    assert_int_equal(sodium_init() >= 0, 1);
    struct entry e;
    base(&e);
    unsigned char got[AUDIT_HASH_LEN], want[AUDIT_HASH_LEN];
    hash(&e, got);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
    crypto_generichash_update(&st, e.prev, AUDIT_HASH_LEN);
    put64(&st, e.at);
    put64(&st, e.actor_user);
    put(&st, e.actor_org, strlen(e.actor_org));
    put(&st, e.action, strlen(e.action));
    put(&st, e.target, strlen(e.target));
    put(&st, e.detail, strlen(e.detail));
    crypto_generichash_final(&st, want, AUDIT_HASH_LEN);
    assert_memory_equal(got, want, AUDIT_HASH_LEN);
}

static void t_each_field_matters(void **state)
{
    (void)state;
    struct entry e;
    unsigned char h0[AUDIT_HASH_LEN], h[AUDIT_HASH_LEN];
    base(&e);
    hash(&e, h0);

    for (int i = 0; i < AUDIT_HASH_LEN; i++) {
        base(&e);
        e.prev[i] ^= 0x01;
        hash(&e, h);
        if (same(h, h0))
            fail_msg("prev byte %d not hashed", i);
    }
    base(&e);
    e.at += 1;
    hash(&e, h);
    assert_false(same(h, h0));
    base(&e);
    e.at = e.at | ((int64_t)1 << 40); /* high bytes count too */
    hash(&e, h);
    assert_false(same(h, h0));
    base(&e);
    e.actor_user = 43;
    hash(&e, h);
    assert_false(same(h, h0));
    base(&e);
    e.actor_user = 0;
    hash(&e, h);
    assert_false(same(h, h0));
    base(&e);
    e.actor_org = "ceptoar-bankinG";
    hash(&e, h);
    assert_false(same(h, h0));
    base(&e);
    e.actor_org = NULL;
    hash(&e, h);
    assert_false(same(h, h0));
    base(&e);
    e.action = "user.delete";
    hash(&e, h);
    assert_false(same(h, h0));
    base(&e);
    e.target = "user:8";
    hash(&e, h);
    assert_false(same(h, h0));
    base(&e);
    e.target = "";
    hash(&e, h);
    assert_false(same(h, h0));
    base(&e);
    e.detail = "{\"roles\":\"admin\"}";
    hash(&e, h);
    assert_false(same(h, h0));
    base(&e);
    e.detail = "{\"roles\":\"reader\"} "; /* trailing space */
    hash(&e, h);
    assert_false(same(h, h0));
}

static void t_fields_not_interchangeable(void **state)
{
    (void)state;
    struct entry e;
    unsigned char a[AUDIT_HASH_LEN], b[AUDIT_HASH_LEN];
    /* at and actor_user swapped */
    base(&e);
    e.at = 1;
    e.actor_user = 2;
    hash(&e, a);
    e.at = 2;
    e.actor_user = 1;
    hash(&e, b);
    assert_false(same(a, b));
    /* the same text moved from action to target */
    base(&e);
    e.action = "x";
    e.target = "";
    hash(&e, a);
    e.action = "";
    e.target = "x";
    hash(&e, b);
    assert_false(same(a, b));
}

static void t_length_prefixing(void **state)
{
    (void)state;
    struct entry e;
    unsigned char a[AUDIT_HASH_LEN], b[AUDIT_HASH_LEN];
    /* ("ab","c") vs ("a","bc") in target/detail */
    base(&e);
    e.target = "ab";
    e.detail = "c";
    hash(&e, a);
    e.target = "a";
    e.detail = "bc";
    hash(&e, b);
    assert_false(same(a, b));
    /* the same across action/target and actor_org/action */
    base(&e);
    e.action = "ab";
    e.target = "c";
    hash(&e, a);
    e.action = "a";
    e.target = "bc";
    hash(&e, b);
    assert_false(same(a, b));
    base(&e);
    e.actor_org = "org";
    e.action = "x";
    hash(&e, a);
    e.actor_org = "orgx";
    e.action = "";
    hash(&e, b);
    assert_false(same(a, b));
}

/* Observed behaviour: a NULL actor_org is hashed as the empty string, so
 * NULL and "" give the same hash (the verifier reads a NULL column as NULL
 * too, so the chain stays consistent; a NULL<->'' edit is not detected). */
static void t_null_and_empty_org(void **state)
{
    (void)state;
    struct entry e;
    unsigned char a[AUDIT_HASH_LEN], b[AUDIT_HASH_LEN], c[AUDIT_HASH_LEN];
    base(&e);
    e.actor_org = NULL;
    hash(&e, a);
    e.actor_org = "";
    hash(&e, b);
    assert_memory_equal(a, b, AUDIT_HASH_LEN);
    e.actor_org = " ";
    hash(&e, c);
    assert_false(same(a, c));
    /* the same for the other text fields */
    base(&e);
    e.target = NULL;
    hash(&e, a);
    e.target = "";
    hash(&e, b);
    assert_memory_equal(a, b, AUDIT_HASH_LEN);
}

static void t_chain(void **state)
{
    (void)state;
    /* a chain of three: each hash depends on the previous one */
    unsigned char h1[AUDIT_HASH_LEN], h2[AUDIT_HASH_LEN], h2b[AUDIT_HASH_LEN];
    audit_chain_hash(audit_chain_genesis, 1, 0, NULL, "a", "", "{}", h1);
    audit_chain_hash(h1, 2, 0, NULL, "b", "", "{}", h2);
    audit_chain_hash(audit_chain_genesis, 2, 0, NULL, "b", "", "{}", h2b);
    assert_false(same(h2, h2b));
    assert_false(same(h1, h2));
}

/* Version 2: the documented construction, with its tag and commitment. */
static void t_v2_matches_documented_construction(void **state)
{
    (void)state;
    struct entry e;
    base(&e);
    unsigned char cm[AUDIT_HASH_LEN], got[AUDIT_HASH_LEN], want[AUDIT_HASH_LEN];
    memset(cm, 0x3c, sizeof(cm));
    audit_chain_hash_v2(e.prev, e.at, 0, NULL, cm, e.action, e.target, e.detail,
                        got);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
    crypto_generichash_update(&st, e.prev, AUDIT_HASH_LEN);
    put(&st, "infrashare-audit-v2", 19);
    put64(&st, e.at);
    put64(&st, 0);
    put(&st, "", 0);
    put(&st, cm, AUDIT_HASH_LEN);
    put(&st, e.action, strlen(e.action));
    put(&st, e.target, strlen(e.target));
    put(&st, e.detail, strlen(e.detail));
    crypto_generichash_final(&st, want, AUDIT_HASH_LEN);
    assert_memory_equal(got, want, AUDIT_HASH_LEN);
}

/* An entry of one version never hashes like the other, and the commitment
 * is part of the hash (present, absent, or another one). */
static void t_v2_differs_from_v1_and_covers_commitment(void **state)
{
    (void)state;
    struct entry e;
    base(&e);
    unsigned char v1[AUDIT_HASH_LEN], a[AUDIT_HASH_LEN], b[AUDIT_HASH_LEN];
    unsigned char c[AUDIT_HASH_LEN], cm[AUDIT_HASH_LEN];
    hash(&e, v1);
    audit_chain_hash_v2(e.prev, e.at, e.actor_user, e.actor_org, NULL, e.action,
                        e.target, e.detail, a);
    assert_false(same(v1, a));
    memset(cm, 0, sizeof(cm));
    audit_chain_hash_v2(e.prev, e.at, e.actor_user, e.actor_org, cm, e.action,
                        e.target, e.detail, b);
    assert_false(same(a, b));
    cm[31] = 1;
    audit_chain_hash_v2(e.prev, e.at, e.actor_user, e.actor_org, cm, e.action,
                        e.target, e.detail, c);
    assert_false(same(b, c));
}

/* The commitment hides the actor behind the salt: each of salt, user and
 * organisation changes it, and without the salt a guess of the actor
 * (unsalted, or with a zero salt) gives something else. */
static void t_commitment(void **state)
{
    (void)state;
    unsigned char salt[AUDIT_SALT_LEN], c0[AUDIT_HASH_LEN], c[AUDIT_HASH_LEN];
    for (int i = 0; i < AUDIT_SALT_LEN; i++)
        salt[i] = (unsigned char)(7 * i + 1);
    audit_chain_commit(salt, 42, "op-banking-0001", c0);
    audit_chain_commit(salt, 42, "op-banking-0001", c);
    assert_memory_equal(c0, c, AUDIT_HASH_LEN);
    audit_chain_commit(salt, 43, "op-banking-0001", c);
    assert_false(same(c0, c));
    audit_chain_commit(salt, 42, "op-banking-0002", c);
    assert_false(same(c0, c));
    for (int i = 0; i < AUDIT_SALT_LEN; i++) {
        salt[i] ^= 0x80;
        audit_chain_commit(salt, 42, "op-banking-0001", c);
        if (same(c0, c))
            fail_msg("salt byte %d not covered", i);
        salt[i] ^= 0x80;
    }
    unsigned char zero[AUDIT_SALT_LEN] = {0};
    audit_chain_commit(zero, 42, "op-banking-0001", c);
    assert_false(same(c0, c));
    /* the documented construction */
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
    crypto_generichash_update(&st, salt, AUDIT_SALT_LEN);
    put64(&st, 42);
    put(&st, "op-banking-0001", 15);
    crypto_generichash_final(&st, c, AUDIT_HASH_LEN);
    assert_memory_equal(c0, c, AUDIT_HASH_LEN);
}

static void t_bridge(void **state)
{
    (void)state;
    unsigned char salt[AUDIT_SALT_LEN] = {1}, last[AUDIT_HASH_LEN] = {2};
    unsigned char a[AUDIT_HASH_LEN], b[AUDIT_HASH_LEN];
    audit_chain_bridge(salt, last, a);
    assert_false(same(a, last));
    salt[5] = 9;
    audit_chain_bridge(salt, last, b);
    assert_false(same(a, b));
    last[31] = 3;
    audit_chain_bridge(salt, last, a);
    assert_false(same(a, b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_genesis_is_zero),
        cmocka_unit_test(t_deterministic),
        cmocka_unit_test(t_matches_documented_construction),
        cmocka_unit_test(t_each_field_matters),
        cmocka_unit_test(t_fields_not_interchangeable),
        cmocka_unit_test(t_length_prefixing),
        cmocka_unit_test(t_null_and_empty_org),
        cmocka_unit_test(t_chain),
        cmocka_unit_test(t_v2_matches_documented_construction),
        cmocka_unit_test(t_v2_differs_from_v1_and_covers_commitment),
        cmocka_unit_test(t_commitment),
        cmocka_unit_test(t_bridge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
