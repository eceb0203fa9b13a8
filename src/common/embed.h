/*
 * embed.h - files embedded in the binary at build time by tools/embed.c
 * (SQL migrations, the OpenAPI document, later the web UI).
 */
#ifndef INFRASHARE_EMBED_H
#define INFRASHARE_EMBED_H

#include <stddef.h>

struct embed_file {
    const char *name;          /* file name without directories */
    const unsigned char *data; /* NUL-terminated for convenience */
    size_t len;                /* without the NUL */
};

/* Finds a file by name in a table; NULL when absent. O(n). The result
 * points into the table (static data compiled in): never freed. */
const struct embed_file *embed_find(const struct embed_file *files, size_t n,
                                    const char *name);

#endif
