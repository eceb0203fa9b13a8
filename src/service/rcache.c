/*
 * rcache.c - the bounded response cache (see rcache.h).
 */
#include "service/rcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    char key[RCACHE_KEY_LEN]; /* "" = empty */
    int64_t version;
    uint64_t used; /* tick of the last use */
    char *text;
    size_t len;
};

struct rcache {
    pthread_mutex_t lock;
    struct slot slots[RCACHE_SLOTS];
    uint64_t tick, hits, misses;
};

struct rcache *rcache_new(void)
{
    struct rcache *rc = calloc(1, sizeof(*rc));
    if (rc && pthread_mutex_init(&rc->lock, NULL)) {
        free(rc);
        return NULL;
    }
    return rc;
}

void rcache_free(struct rcache *rc)
{
    if (!rc)
        return;
    for (size_t i = 0; i < RCACHE_SLOTS; i++)
        free(rc->slots[i].text);
    pthread_mutex_destroy(&rc->lock);
    free(rc);
}

static struct slot *find(struct rcache *rc, const char *key)
{
    for (size_t i = 0; i < RCACHE_SLOTS; i++)
        if (rc->slots[i].key[0] && strcmp(rc->slots[i].key, key) == 0)
            return &rc->slots[i];
    return NULL;
}

bool rcache_get(struct rcache *rc, const char *key, int64_t version,
                char **text, size_t *len)
{
    if (!rc)
        return false;
    bool hit = false;
    pthread_mutex_lock(&rc->lock);
    struct slot *s = find(rc, key);
    if (s && s->version == version) {
        char *copy = malloc(s->len + 1);
        if (copy) {
            memcpy(copy, s->text, s->len);
            copy[s->len] = '\0';
            *text = copy;
            *len = s->len;
            s->used = ++rc->tick;
            hit = true;
        }
    }
    if (hit)
        rc->hits++;
    else
        rc->misses++;
    pthread_mutex_unlock(&rc->lock);
    return hit;
}

void rcache_put(struct rcache *rc, const char *key, int64_t version,
                const char *text, size_t len)
{
    size_t kl = strlen(key);
    if (!rc || kl == 0 || kl >= RCACHE_KEY_LEN || len > RCACHE_MAX_TEXT)
        return;
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, text, len);
    copy[len] = '\0';
    pthread_mutex_lock(&rc->lock);
    struct slot *s = find(rc, key);
    if (s && s->version > version) {
        /* a reader of an older snapshot finished last: keep the newer */
        pthread_mutex_unlock(&rc->lock);
        free(copy);
        return;
    }
    if (!s) {
        s = &rc->slots[0];
        for (size_t i = 0; i < RCACHE_SLOTS; i++) {
            if (!rc->slots[i].key[0]) {
                s = &rc->slots[i];
                break;
            }
            if (rc->slots[i].used < s->used)
                s = &rc->slots[i];
        }
        memcpy(s->key, key, kl + 1);
    }
    char *old = s->text;
    s->text = copy;
    s->len = len;
    s->version = version;
    s->used = ++rc->tick;
    pthread_mutex_unlock(&rc->lock);
    free(old);
}

void rcache_stats(struct rcache *rc, uint64_t *hits, uint64_t *misses)
{
    *hits = *misses = 0;
    if (!rc)
        return;
    pthread_mutex_lock(&rc->lock);
    *hits = rc->hits;
    *misses = rc->misses;
    pthread_mutex_unlock(&rc->lock);
}
