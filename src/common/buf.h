/*
 * buf.h - growable byte buffer with a hard cap (strbuf-like).
 *
 * A buf always holds a NUL-terminated string in data[0..len]. Every buffer
 * has a cap: appends that would grow it past cap fail with IS_ERR_LIMIT and
 * leave it unchanged, so buffers sized by network input stay bounded.
 *
 * Lifecycle: buf_init (no allocation), buf_release (frees contents),
 * buf_detach (hands the string to the caller, who must free() it).
 */
#ifndef INFRASHARE_BUF_H
#define INFRASHARE_BUF_H

#include "common/common.h"

struct buf {
    char *data; /* NULL until the first append; buf_str() never returns NULL */
    size_t len;
    size_t alloc;
    size_t cap; /* maximum len; 0 means the default (64 MiB) */
};

#define BUF_INIT {NULL, 0, 0, 0}

void buf_init(struct buf *b, size_t cap);
void buf_release(struct buf *b);
/* Contents as a C string; "" when empty. Owned by the buf. */
const char *buf_str(const struct buf *b);
/* Appends n bytes. IS_ERR_LIMIT past cap, IS_ERR_NOMEM. O(n) amortised. */
int buf_add(struct buf *b, const void *data, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
/* Returns the malloc'd string (caller frees) and leaves b empty. */
char *buf_detach(struct buf *b);

#endif
