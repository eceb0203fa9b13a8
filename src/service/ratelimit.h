/*
 * ratelimit.h - failed log-in counters per key (user name, address).
 *
 * A fixed table of RL_SLOTS keys; each key counts failures in a fixed
 * window that starts at its first failure and ends `window` seconds later
 * (so at most 2 x max - 1 attempts can straddle a window boundary). When
 * the table is full the oldest key is evicted. Keys longer than a slot are
 * replaced by a digest. Time is passed in. Thread-safe (one mutex).
 */
#ifndef INFRASHARE_RATELIMIT_H
#define INFRASHARE_RATELIMIT_H

#include <pthread.h>

#include "common.h"

#define RL_SLOTS 4096
#define RL_KEY 96

struct rl_slot {
    char key[RL_KEY];
    int64_t window_start;
    int failures;
};

struct ratelimit {
    pthread_mutex_t lock;
    int64_t window;  /* seconds */
    int max_failures;
    struct rl_slot slots[RL_SLOTS];
};

void ratelimit_init(struct ratelimit *rl, int64_t window, int max_failures);
void ratelimit_release(struct ratelimit *rl);
/* True when the key has reached max_failures in the current window. */
bool ratelimit_blocked(struct ratelimit *rl, const char *key, int64_t now);
void ratelimit_fail(struct ratelimit *rl, const char *key, int64_t now);
void ratelimit_clear(struct ratelimit *rl, const char *key);

#endif
