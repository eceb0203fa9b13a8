/*
 * audit_chain.h - the hash chain of the audit log (pure, no I/O).
 *
 * Two entry versions share one chain:
 *
 *  version 1 (entries written before migration 0005):
 *    hash = BLAKE2b-256(prev || F(at) || F(actor_user) || F(actor_org) ||
 *                       F(action) || F(target) || F(detail))
 *  version 2:
 *    hash = BLAKE2b-256(prev || F("infrashare-audit-v2") || F(at) ||
 *                       F(actor_user) || F(actor_org) || F(commitment) ||
 *                       F(action) || F(target) || F(detail))
 *
 * F(x) is x prefixed by its length as 8 little-endian bytes; integers are 8
 * little-endian bytes; a NULL text is the empty string. A version-1 field
 * list always starts with length 8, a version-2 one with length 19, so no
 * entry of one version can pass as the other.
 *
 * A version-2 entry whose actor is withheld (an anonymous reporter) carries
 * actor_user 0, actor_org "" and a hiding commitment to the actor:
 *    commitment = BLAKE2b-256(salt || F(actor_user) || F(actor_org))
 * with a random 256-bit salt kept outside the published log. Without the
 * salt no guess of the actor can be tested against the hash. Entries that
 * are not withheld have an empty commitment.
 *
 * The first version-2 entry after version-1 entries does not chain from the
 * last version-1 hash itself (version-1 hashes cover withheld actors in
 * clear and must never be testable) but from
 *    bridge = BLAKE2b-256(F("infrashare-audit-bridge") || salt || last)
 * with a secret salt of its own.
 *
 * The sequence number is not hashed: order is carried by prev, so a moved
 * entry is intact in itself but no longer follows its predecessor
 * ("reordered"), a changed entry no longer matches its hash ("changed"), and
 * a missing one leaves a gap ("removed").
 */
#ifndef INFRASHARE_AUDIT_CHAIN_H
#define INFRASHARE_AUDIT_CHAIN_H

#include "common/common.h"

#define AUDIT_HASH_LEN 32
#define AUDIT_SALT_LEN 32

/* The hash of the first entry's predecessor: 32 zero bytes. */
extern const unsigned char audit_chain_genesis[AUDIT_HASH_LEN];

/* Computes a version-1 entry's hash. Cannot fail. */
void audit_chain_hash(const unsigned char prev[AUDIT_HASH_LEN], int64_t at,
                      int64_t actor_user, const char *actor_org,
                      const char *action, const char *target,
                      const char *detail, unsigned char out[AUDIT_HASH_LEN]);

/* Computes a version-2 entry's hash. commitment is NULL (not withheld) or
 * AUDIT_HASH_LEN bytes. Cannot fail. */
void audit_chain_hash_v2(const unsigned char prev[AUDIT_HASH_LEN], int64_t at,
                         int64_t actor_user, const char *actor_org,
                         const unsigned char *commitment, const char *action,
                         const char *target, const char *detail,
                         unsigned char out[AUDIT_HASH_LEN]);

/* The hiding commitment to a withheld actor. */
void audit_chain_commit(const unsigned char salt[AUDIT_SALT_LEN],
                        int64_t actor_user, const char *actor_org,
                        unsigned char out[AUDIT_HASH_LEN]);

/* The link from the last version-1 hash to the first version-2 entry. */
void audit_chain_bridge(const unsigned char salt[AUDIT_SALT_LEN],
                        const unsigned char last[AUDIT_HASH_LEN],
                        unsigned char out[AUDIT_HASH_LEN]);

#endif
