/*
 * jtext.h - a JSON value as compact text, fast: the same bytes as
 * jansson's json_dumps(j, JSON_COMPACT) for what the hub stores (objects
 * in insertion order, strings with the same escapes, integers, reals,
 * true/false/null), written into a struct buf with runs of plain bytes
 * copied at once. jansson's own dump escapes byte by byte through
 * callbacks: it was a sixth of parsing a submitted e-mail (issue 13).
 * Strings must be valid UTF-8 (jansson's constructors check it; callers
 * of json_stringn_nocheck guarantee it): they are not checked again.
 */
#ifndef INFRASHARE_JTEXT_H
#define INFRASHARE_JTEXT_H

#include <jansson.h>

#include "common/buf.h"

/* Appends j's compact text to b. IS_OK, or b's error (IS_ERR_NOMEM,
 * IS_ERR_TOO_LARGE past its cap), or IS_ERR_INVALID for a value JSON has
 * no text for (a real that is not finite, nesting past 2,048 levels). */
int jtext_dump(const json_t *j, struct buf *b);
/* The compact text as a malloc'd, NUL-terminated string (NULL when out
 * of memory or j has no text), the caller's to free(); *len its length
 * when len is not NULL. */
char *jtext_dumps(const json_t *j, size_t *len);

#endif
