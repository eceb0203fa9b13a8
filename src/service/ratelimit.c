#include "service/ratelimit.h"

#include <sodium.h>

#include "common/util.h"

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
    if (sodium_init() < 0)
        abort(); /* cannot happen once the daemon has initialised it */
    randombytes_buf(rl->hkey, sizeof(rl->hkey));
}

void ratelimit_release(struct ratelimit *rl)
{
    pthread_mutex_destroy(&rl->lock);
}

static size_t rl_hash(const struct ratelimit *rl, const char *key)
{
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)key, strlen(key), rl->hkey);
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(h); i++)
        v = (v << 8) | h[i];
    return (size_t)(v % RL_SLOTS);
}

size_t ratelimit_home(struct ratelimit *rl, const char *key)
{
    char tmp[RL_KEY];
    return rl_hash(rl, rl_norm(key, tmp));
}

/* Victim preference, lower is taken first. */
static int rl_rank(const struct ratelimit *rl, const struct rl_slot *s,
                   int64_t now)
{
    if (!s->key[0])
        return 0;
    if (now - s->window_start >= rl->window)
        return 1;
    return s->failures < rl->max_failures ? 2 : 3;
}

/* Looks the key up in its neighbourhood; lock held. With create, a missing
 * key takes a slot as the header says. */
static struct rl_slot *rl_find(struct ratelimit *rl, const char *key,
                               int64_t now, bool create)
{
    size_t h = rl_hash(rl, key);
    struct rl_slot *victim = NULL;
    int vrank = 4;
    for (size_t i = 0; i < RL_PROBES; i++) {
        struct rl_slot *s = &rl->slots[(h + i) % RL_SLOTS];
        if (s->key[0] && strcmp(s->key, key) == 0) {
            if (now - s->window_start >= rl->window) {
                s->window_start = now;
                s->failures = 0;
            }
            return s;
        }
        int r = rl_rank(rl, s, now);
        if (r < vrank ||
            (r == vrank && r >= 2 && s->window_start < victim->window_start)) {
            victim = s;
            vrank = r;
        }
    }
    if (!create)
        return NULL;
    util_xcopy(victim->key, sizeof(victim->key), key);
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

bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now)
{
    char tmp[RL_KEY];
    key = rl_norm(key, tmp);
    pthread_mutex_lock(&rl->lock);
    struct rl_slot *s = rl_find(rl, key, now, true);
    bool ok = s->failures < rl->max_failures;
    if (ok)
        s->failures++;
    pthread_mutex_unlock(&rl->lock);
    return ok;
}

void ratelimit_give_back(struct ratelimit *rl, const char *key, int64_t now)
{
    char tmp[RL_KEY];
    key = rl_norm(key, tmp);
    pthread_mutex_lock(&rl->lock);
    struct rl_slot *s = rl_find(rl, key, now, false);
    if (s && s->failures > 0)
        s->failures--;
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

/* ---- per account ---- */

void rl_users_init(struct rl_users *u, int64_t window, int max_failures)
{
    memset(u, 0, sizeof(*u));
    pthread_mutex_init(&u->lock, NULL);
    u->window = window;
    u->max_failures = max_failures;
}

void rl_users_release(struct rl_users *u)
{
    free(u->v);
    u->v = NULL;
    u->cap = u->n = 0;
    pthread_mutex_destroy(&u->lock);
}

static size_t rlu_hash(int64_t id)
{
    uint64_t z = (uint64_t)id + 0x9e3779b97f4a7c15ull; /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (size_t)(z ^ (z >> 31));
}

/* The entry of id, or the empty slot where it would go; lock held, cap > 0
 * and never full (load stays at most one half). */
static struct rl_user *rlu_slot(struct rl_user *v, size_t cap, int64_t id)
{
    size_t i = rlu_hash(id) & (cap - 1);
    while (v[i].id && v[i].id != id)
        i = (i + 1) & (cap - 1);
    return &v[i];
}

static int rlu_grow(struct rl_users *u)
{
    size_t cap = u->cap ? u->cap * 2 : 64;
    struct rl_user *v = calloc(cap, sizeof(*v));
    if (!v)
        return IS_ERR_NOMEM;
    for (size_t i = 0; i < u->cap; i++)
        if (u->v[i].id)
            *rlu_slot(v, cap, u->v[i].id) = u->v[i];
    free(u->v);
    u->v = v;
    u->cap = cap;
    return IS_OK;
}

bool rl_users_blocked(struct rl_users *u, int64_t user_id, int64_t now)
{
    pthread_mutex_lock(&u->lock);
    bool blocked = false;
    if (u->cap) {
        struct rl_user *e = rlu_slot(u->v, u->cap, user_id);
        blocked = e->id == user_id && now - e->window_start < u->window &&
                  e->failures >= u->max_failures;
    }
    pthread_mutex_unlock(&u->lock);
    return blocked;
}

/* Counts one failure of user_id unless it is blocked and `only_if_open`;
 * lock held. */
static int rlu_count(struct rl_users *u, int64_t user_id, int64_t now,
                     bool only_if_open, bool *counted)
{
    *counted = false;
    if (user_id == 0)
        return IS_ERR_INVALID;
    if (2 * (u->n + 1) > u->cap && rlu_grow(u))
        return IS_ERR_NOMEM;
    struct rl_user *e = rlu_slot(u->v, u->cap, user_id);
    if (e->id != user_id) {
        e->id = user_id;
        e->window_start = now;
        e->failures = 0;
        u->n++;
    } else if (now - e->window_start >= u->window) {
        e->window_start = now;
        e->failures = 0;
    }
    if (only_if_open && e->failures >= u->max_failures)
        return IS_OK;
    e->failures++;
    *counted = true;
    return IS_OK;
}

int rl_users_fail(struct rl_users *u, int64_t user_id, int64_t now)
{
    bool counted;
    pthread_mutex_lock(&u->lock);
    int rc = rlu_count(u, user_id, now, false, &counted);
    pthread_mutex_unlock(&u->lock);
    return rc;
}

int rl_users_take(struct rl_users *u, int64_t user_id, int64_t now, bool *ok)
{
    pthread_mutex_lock(&u->lock);
    int rc = rlu_count(u, user_id, now, true, ok);
    pthread_mutex_unlock(&u->lock);
    return rc;
}

void rl_users_clear(struct rl_users *u, int64_t user_id)
{
    pthread_mutex_lock(&u->lock);
    if (u->cap) {
        struct rl_user *e = rlu_slot(u->v, u->cap, user_id);
        if (e->id == user_id) {
            /* keep the entry (no tombstones): a cleared counter */
            e->failures = 0;
            e->window_start = 0;
        }
    }
    pthread_mutex_unlock(&u->lock);
}

size_t rl_users_count(struct rl_users *u)
{
    pthread_mutex_lock(&u->lock);
    size_t n = u->n;
    pthread_mutex_unlock(&u->lock);
    return n;
}
