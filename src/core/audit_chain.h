/*
 * audit_chain.h - the hash chain of the audit log (pure, no I/O).
 *
 * hash(entry) = BLAKE2b-256(prev_hash || len-prefixed(at, actor_user,
 * actor_org, action, target, detail)). The sequence number is not hashed:
 * order is carried by prev_hash, so a moved entry is intact in itself but no
 * longer follows its predecessor ("reordered"), a changed entry no longer
 * matches its hash ("changed"), and a missing one leaves a gap ("removed").
 */
#ifndef INFRASHARE_AUDIT_CHAIN_H
#define INFRASHARE_AUDIT_CHAIN_H

#include "../common/common.h"

#define AUDIT_HASH_LEN 32

/* The hash of the first entry's predecessor: 32 zero bytes. */
extern const unsigned char audit_chain_genesis[AUDIT_HASH_LEN];

/* Computes an entry's hash. Cannot fail. O(size of the entry). */
void audit_chain_hash(const unsigned char prev[AUDIT_HASH_LEN], int64_t at,
                      int64_t actor_user, const char *actor_org,
                      const char *action, const char *target,
                      const char *detail, unsigned char out[AUDIT_HASH_LEN]);

#endif
