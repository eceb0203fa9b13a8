#include "core/audit_chain.h"

#include <sodium.h>

const unsigned char audit_chain_genesis[AUDIT_HASH_LEN] = {0};

static const char v2_tag[] = "infrashare-audit-v2";
static const char bridge_tag[] = "infrashare-audit-bridge";

static void put_field(crypto_generichash_state *st, const void *p, size_t n)
{
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)((uint64_t)n >> (8 * i));
    crypto_generichash_update(st, len, sizeof(len));
    if (n)
        crypto_generichash_update(st, p, n);
}

static void put_str(crypto_generichash_state *st, const char *s)
{
    put_field(st, s ? s : "", s ? strlen(s) : 0);
}

static void put_i64(crypto_generichash_state *st, int64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)v >> (8 * i));
    put_field(st, b, sizeof(b));
}

void audit_chain_hash(const unsigned char prev[AUDIT_HASH_LEN], int64_t at,
                      int64_t actor_user, const char *actor_org,
                      const char *action, const char *target,
                      const char *detail, unsigned char out[AUDIT_HASH_LEN])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
    crypto_generichash_update(&st, prev, AUDIT_HASH_LEN);
    put_i64(&st, at);
    put_i64(&st, actor_user);
    put_str(&st, actor_org);
    put_str(&st, action);
    put_str(&st, target);
    put_str(&st, detail);
    crypto_generichash_final(&st, out, AUDIT_HASH_LEN);
}

void audit_chain_hash_v2(const unsigned char prev[AUDIT_HASH_LEN], int64_t at,
                         int64_t actor_user, const char *actor_org,
                         const unsigned char *commitment, const char *action,
                         const char *target, const char *detail,
                         unsigned char out[AUDIT_HASH_LEN])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
    crypto_generichash_update(&st, prev, AUDIT_HASH_LEN);
    put_field(&st, v2_tag, sizeof(v2_tag) - 1);
    put_i64(&st, at);
    put_i64(&st, actor_user);
    put_str(&st, actor_org);
    put_field(&st, commitment, commitment ? AUDIT_HASH_LEN : 0);
    put_str(&st, action);
    put_str(&st, target);
    put_str(&st, detail);
    crypto_generichash_final(&st, out, AUDIT_HASH_LEN);
}

void audit_chain_commit(const unsigned char salt[AUDIT_SALT_LEN],
                        int64_t actor_user, const char *actor_org,
                        unsigned char out[AUDIT_HASH_LEN])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
    crypto_generichash_update(&st, salt, AUDIT_SALT_LEN);
    put_i64(&st, actor_user);
    put_str(&st, actor_org);
    crypto_generichash_final(&st, out, AUDIT_HASH_LEN);
}

void audit_chain_bridge(const unsigned char salt[AUDIT_SALT_LEN],
                        const unsigned char last[AUDIT_HASH_LEN],
                        unsigned char out[AUDIT_HASH_LEN])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
    put_field(&st, bridge_tag, sizeof(bridge_tag) - 1);
    crypto_generichash_update(&st, salt, AUDIT_SALT_LEN);
    crypto_generichash_update(&st, last, AUDIT_HASH_LEN);
    crypto_generichash_final(&st, out, AUDIT_HASH_LEN);
}
