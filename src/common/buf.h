/*
 * buf.h - growable byte buffer with a hard cap (strbuf-like).
 *
 * A buf always holds a NUL-terminated string in data[0..len]. Every buffer
 * has a cap: appends that would grow it past cap fail with IS_ERR_LIMIT, so
 * buffers sized by network input stay bounded.
 *
 * Failure is STICKY (as curl's dynbuf): the first append that fails (cap
 * reached: IS_ERR_LIMIT; allocation: IS_ERR_NOMEM) records its code in the
 * buf, and every later append is a no-op returning that same code. A
 * producer may therefore ignore the result of each append and check ONCE,
 * at the point where the contents are used (sent, written, returned, parsed):
 * buf_error() or buf_detach(), both warn_unused_result. Contents of a failed
 * buf are cut short and must never be handed out; buf_detach() returns NULL
 * for them. buf_init() and buf_reset() clear the error.
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
    int err;    /* IS_OK, or the sticky code of the first failed append */
};

#define BUF_INIT                                                               \
    {                                                                          \
        NULL, 0, 0, 0, IS_OK                                                   \
    }

void buf_init(struct buf *b, size_t cap);
void buf_release(struct buf *b);
/* Contents as a C string; "" when empty. Owned by the buf. Cut short when
 * buf_error() is set: check it before using the contents. */
const char *buf_str(const struct buf *b);
/* IS_OK, or the sticky code (IS_ERR_LIMIT, IS_ERR_NOMEM) of the first
 * append that failed. The one check a producer makes before its output is
 * used. */
int buf_error(const struct buf *b) __attribute__((warn_unused_result));
/* Marks b failed with rc (a nested buf's error, say) unless it already is;
 * returns the sticky code. */
int buf_set_error(struct buf *b, int rc);
/* Appends n bytes. IS_ERR_LIMIT past cap, IS_ERR_NOMEM; after a failure,
 * a no-op returning that code (see above). O(n) amortised. */
int buf_add(struct buf *b, const void *data, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Empties b and clears its error; keeps the allocation. */
void buf_reset(struct buf *b);
/* Returns the malloc'd string (caller frees) and leaves b empty (error
 * cleared). Returns NULL when buf_error(b) was set (the cut-short contents
 * are freed) or when out of memory: callers answer IS_ERR_LIMIT /
 * IS_ERR_NOMEM (read buf_error() first if the code matters). */
char *buf_detach(struct buf *b) __attribute__((warn_unused_result));

#endif
