/*
 * common.h - included first by every infrashare source file.
 *
 * Pulls in the standard headers every module uses, the error enum, and, last,
 * banned.h so that unsafe functions cannot be called anywhere.
 */
#ifndef INFRASHARE_COMMON_H
#define INFRASHARE_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One error enum for the whole code base: 0 is success. Services return
 * these (with a code, field and sentence in struct svc_error); only
 * src/http/status.c knows which HTTP status each one becomes. */
enum is_err {
    IS_OK = 0,
    IS_ERR_NOMEM,     /* allocation failed */
    IS_ERR_INVALID,   /* bad input from a caller or the network */
    IS_ERR_NOTFOUND,  /* no such item, or the caller may not see it */
    IS_ERR_CONFLICT,  /* uniqueness or state conflict */
    IS_ERR_FORBIDDEN, /* authenticated but not allowed */
    IS_ERR_AUTH,      /* missing or bad credentials */
    IS_ERR_LIMIT,     /* a size or rate limit was hit */
    IS_ERR_STORE,     /* the database failed */
    IS_ERR_IO,        /* file or network I/O failed */
    IS_ERR_GONE,      /* existed but may no longer be used (expired link) */
    IS_ERR_TOO_LARGE, /* a body or a field is past its size cap */
    IS_ERR_INTERNAL,  /* a bug: should not happen */
    IS_ERR_COUNT_     /* not an error: the number of codes above */
};

/* A short English name for an error code ("not found"). Cannot fail.
 * Static storage: never freed, valid for the life of the process. */
const char *is_strerror(int err);

#define IS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define IS_UNUSED(x) ((void)(x))

#include "common/banned.h"
#endif
