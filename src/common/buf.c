#include "common/buf.h"

#define BUF_DEFAULT_CAP ((size_t)64 * 1024 * 1024)

void buf_init(struct buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap ? cap : BUF_DEFAULT_CAP;
    b->err = IS_OK;
}

void buf_release(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
    b->err = IS_OK;
}

int buf_error(const struct buf *b)
{
    return b->err;
}

const char *buf_str(const struct buf *b)
{
    return b->data ? b->data : "";
}

/* Records the first failure; later ones keep it. Returns the sticky code. */
int buf_set_error(struct buf *b, int rc)
{
    if (!b->err)
        b->err = rc;
    return b->err;
}

static int buf_grow(struct buf *b, size_t extra)
{
    if (b->err)
        return b->err;
    size_t cap = b->cap ? b->cap : BUF_DEFAULT_CAP;
    if (extra > cap || b->len > cap - extra)
        return buf_set_error(b, IS_ERR_LIMIT);
    size_t need = b->len + extra + 1;
    if (need <= b->alloc)
        return IS_OK;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    char *p = realloc(b->data, n);
    if (!p)
        return buf_set_error(b, IS_ERR_NOMEM);
    b->data = p;
    b->alloc = n;
    return IS_OK;
}

int buf_add(struct buf *b, const void *data, size_t n)
{
    int rc = buf_grow(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return IS_OK;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    if (b->err)
        return b->err;
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) /* an encoding error: the output would be incomplete */
        return buf_set_error(b, IS_ERR_INTERNAL);
    if ((size_t)n < sizeof(small))
        return buf_add(b, small, (size_t)n);
    int rc = buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return IS_OK;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->err = IS_OK;
    if (b->data)
        b->data[0] = '\0';
}

char *buf_detach(struct buf *b)
{
    char *s = b->data;
    if (b->err) {
        free(s);
        s = NULL;
    } else if (!s) {
        s = calloc(1, 1);
    }
    b->data = NULL;
    b->len = b->alloc = 0;
    b->err = IS_OK;
    return s;
}
