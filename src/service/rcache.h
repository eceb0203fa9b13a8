/*
 * rcache.h - a small, bounded cache of response texts keyed by a string
 * and a version (the roll-call board: service/rollcall.c).
 *
 * An entry is found only under its exact key AND version: the caller reads
 * the version of what it shows first, then the content, in one snapshot
 * (store_read_begin), so a stored text is never older than its version and
 * a reader of version v never gets a text from before v. Thread-safe (one
 * mutex); at most RCACHE_SLOTS entries, each at most RCACHE_MAX_TEXT bytes
 * (larger texts are not kept); the least recently used entry is replaced.
 * Memory: at most RCACHE_SLOTS * (RCACHE_MAX_TEXT + key) bytes.
 */
#ifndef INFRASHARE_RCACHE_H
#define INFRASHARE_RCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RCACHE_SLOTS 32
#define RCACHE_MAX_TEXT (512u * 1024)
#define RCACHE_KEY_LEN 256

struct rcache;

/* NULL when out of memory (callers then work without a cache). */
struct rcache *rcache_new(void);
void rcache_free(struct rcache *rc);

/* Puts a malloc'd copy of the text stored under (key, version) in *text,
 * its length in *len, and answers true; false when there is none (or rc
 * is NULL, or out of memory). */
bool rcache_get(struct rcache *rc, const char *key, int64_t version,
                char **text, size_t *len);
/* Keeps a copy of text under (key, version), replacing an entry of the
 * same key; does nothing for rc NULL, a key of RCACHE_KEY_LEN bytes or
 * more, or a text above RCACHE_MAX_TEXT. */
void rcache_put(struct rcache *rc, const char *key, int64_t version,
                const char *text, size_t len);
/* Counters for /metrics and tests. */
void rcache_stats(struct rcache *rc, uint64_t *hits, uint64_t *misses);

#endif
