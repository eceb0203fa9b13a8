/*
 * ratelimit.h - failed log-in counters.
 *
 * Every counter counts failures in a fixed window that starts at its first
 * failure and ends `window` seconds later (so at most 2 x max - 1 attempts
 * can straddle a window boundary); a key is blocked while it has reached
 * max failures in its current window. Time is passed in. Thread-safe (one
 * mutex per table).
 *
 * struct ratelimit - a BOUNDED table of RL_SLOTS string keys, for keys that
 *   anyone can make up (client addresses, log-in names that are no
 *   account). Memory is fixed. A key's slot is chosen by a keyed hash
 *   (SipHash under a random per-table key), so nobody can pick keys that
 *   collide. A new key takes, among the RL_PROBES slots of its
 *   neighbourhood: an empty slot, else one whose window is over, else the
 *   not-blocked one with the oldest window, and only when every neighbour
 *   is blocked the oldest blocked one. Keys longer than a slot are replaced
 *   by a digest. Eviction can end a key's count early, which is why
 *   accounts are never counted here.
 *
 * struct rl_users - counters per ACCOUNT, keyed by user id, in a hash map
 *   that grows and never evicts: a lock holds for its whole window whatever
 *   other traffic does. Callers pass only ids of existing accounts, so its
 *   size is bounded by the number of accounts (one entry of 24 bytes each).
 */
#ifndef INFRASHARE_RATELIMIT_H
#define INFRASHARE_RATELIMIT_H

#include <pthread.h>

#include "common/common.h"

#define RL_SLOTS 4096
#define RL_PROBES 16
#define RL_KEY 96

struct rl_slot {
    char key[RL_KEY];
    int64_t window_start;
    int failures;
};

struct ratelimit {
    pthread_mutex_t lock;
    int64_t window; /* seconds */
    int max_failures;
    unsigned char hkey[16]; /* SipHash key (random) */
    struct rl_slot slots[RL_SLOTS];
};

void ratelimit_init(struct ratelimit *rl, int64_t window, int max_failures);
void ratelimit_release(struct ratelimit *rl);
/* True when the key has reached max_failures in the current window. */
bool ratelimit_blocked(struct ratelimit *rl, const char *key, int64_t now);
void ratelimit_fail(struct ratelimit *rl, const char *key, int64_t now);
void ratelimit_clear(struct ratelimit *rl, const char *key);
/* Check and count in one step (for attempts that run concurrently): false
 * when the key is blocked; else counts one failure in advance and returns
 * true. An attempt that then succeeds calls ratelimit_give_back. */
bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now);
/* Takes back one failure counted by ratelimit_take (never below zero). */
void ratelimit_give_back(struct ratelimit *rl, const char *key, int64_t now);
/* The first slot of the key's neighbourhood (for tests that make keys
 * collide on purpose). */
size_t ratelimit_home(struct ratelimit *rl, const char *key);

struct rl_user {
    int64_t id; /* 0: empty */
    int64_t window_start;
    int failures;
};

struct rl_users {
    pthread_mutex_t lock;
    int64_t window;
    int max_failures;
    struct rl_user *v; /* open addressing, cap a power of two */
    size_t cap, n;
};

void rl_users_init(struct rl_users *u, int64_t window, int max_failures);
void rl_users_release(struct rl_users *u);
/* user_id > 0 (an existing account). */
bool rl_users_blocked(struct rl_users *u, int64_t user_id, int64_t now);
/* IS_ERR_NOMEM when the map cannot grow (the failure is then not
 * counted; the caller refuses the log-in). */
int rl_users_fail(struct rl_users *u, int64_t user_id, int64_t now);
void rl_users_clear(struct rl_users *u, int64_t user_id);
/* As ratelimit_take: *ok false when blocked, else one failure is counted
 * in advance (a success then calls rl_users_clear). IS_ERR_NOMEM. */
int rl_users_take(struct rl_users *u, int64_t user_id, int64_t now, bool *ok);
/* Entries held (for tests: memory is one entry per account that failed). */
size_t rl_users_count(struct rl_users *u);

#endif
