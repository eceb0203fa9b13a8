#include "ratelimit.h"

#include <sodium.h>

#include "util.h"

/* Keys that do not fit a slot are replaced by a digest of the whole key,
 * so that long keys are counted (and blocked) like short ones. */
static const char *rl_norm(const char *key, char out[RL_KEY])
{
    size_t n = strlen(key);
    if (n < RL_KEY)
        return key;
    unsigned char h[24];
    crypto_generichash(h, sizeof(h), (const unsigned char *)key, n, NULL, 0);
    out[0] = '#';
    util_hex(out + 1, h, sizeof(h));
    return out;
}

void ratelimit_init(struct ratelimit *rl, int64_t window, int max_failures)
{
    memset(rl->slots, 0, sizeof(rl->slots));
    pthread_mutex_init(&rl->lock, NULL);
    rl->window = window;
    rl->max_failures = max_failures;
}

void ratelimit_release(struct ratelimit *rl)
{
    pthread_mutex_destroy(&rl->lock);
}

static uint32_t rl_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Open addressing over 8 probes; lock held. */
static struct rl_slot *rl_find(struct ratelimit *rl, const char *key,
                               int64_t now, bool create)
{
    uint32_t h = rl_hash(key);
    struct rl_slot *victim = NULL;
    for (int i = 0; i < 8; i++) {
        struct rl_slot *s = &rl->slots[(h + (uint32_t)i) % RL_SLOTS];
        if (s->key[0] && strcmp(s->key, key) == 0) {
            if (now - s->window_start >= rl->window) {
                s->window_start = now;
                s->failures = 0;
            }
            return s;
        }
        if (!victim || !s->key[0] ||
            (victim->key[0] && s->window_start < victim->window_start))
            victim = s;
    }
    if (!create)
        return NULL;
    snprintf(victim->key, sizeof(victim->key), "%s", key);
    victim->window_start = now;
    victim->failures = 0;
    return victim;
}

bool ratelimit_blocked(struct ratelimit *rl, const char *key, int64_t now)
{
    char tmp[RL_KEY];
    key = rl_norm(key, tmp);
    pthread_mutex_lock(&rl->lock);
    struct rl_slot *s = rl_find(rl, key, now, false);
    bool blocked = s && s->failures >= rl->max_failures;
    pthread_mutex_unlock(&rl->lock);
    return blocked;
}

void ratelimit_fail(struct ratelimit *rl, const char *key, int64_t now)
{
    char tmp[RL_KEY];
    key = rl_norm(key, tmp);
    pthread_mutex_lock(&rl->lock);
    struct rl_slot *s = rl_find(rl, key, now, true);
    s->failures++;
    pthread_mutex_unlock(&rl->lock);
}

void ratelimit_clear(struct ratelimit *rl, const char *key)
{
    char tmp[RL_KEY];
    key = rl_norm(key, tmp);
    pthread_mutex_lock(&rl->lock);
    struct rl_slot *s = rl_find(rl, key, 0, false);
    if (s)
        memset(s, 0, sizeof(*s));
    pthread_mutex_unlock(&rl->lock);
}
