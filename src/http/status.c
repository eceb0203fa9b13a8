/*
 * status.c - the one table from error codes (enum is_err) to HTTP statuses.
 *
 * Services and the store return an is_err and never an HTTP status; this
 * file alone decides what each code becomes on the wire (as curl keeps
 * CURLcode apart from its text). The code and sentence here are the
 * defaults http_fail sends when a caller has no more precise ones; a
 * service's struct svc_error carries its own code, field and sentence.
 */
#include "http/http.h"

#define MSG_INTERNAL                                                           \
    "the hub could not complete the request; nothing was changed"

/* Indexed by enum is_err; a code missing here has status 0, which
 * tests/unit/test_http_status.c refuses. */
static const struct http_status_row rows[IS_ERR_COUNT_] = {
    [IS_OK] = {200, "ok", "ok"},
    [IS_ERR_NOMEM] = {500, "internal", MSG_INTERNAL},
    [IS_ERR_INVALID] = {400, "invalid_request", "the request is not valid"},
    [IS_ERR_NOTFOUND] = {404, "not_found",
                         "no such item (or you may not see it)"},
    [IS_ERR_CONFLICT] = {409, "conflict", "conflicts with the current state"},
    [IS_ERR_FORBIDDEN] = {403, "forbidden", "your roles do not allow this"},
    [IS_ERR_AUTH] = {401, "unauthenticated",
                     "sign in or send a valid API token"},
    [IS_ERR_LIMIT] = {429, "rate_limited",
                      "too many attempts; try again later"},
    [IS_ERR_STORE] = {500, "internal", MSG_INTERNAL},
    [IS_ERR_IO] = {500, "internal", MSG_INTERNAL},
    [IS_ERR_GONE] = {410, "gone", "this is no longer available"},
    [IS_ERR_TOO_LARGE] = {413, "too_large", "the request is too large"},
    [IS_ERR_INTERNAL] = {500, "internal", MSG_INTERNAL},
};

const struct http_status_row *http_status_row(int err)
{
    if (err < 0 || err >= IS_ERR_COUNT_)
        err = IS_ERR_INTERNAL;
    return &rows[err];
}

int http_status_of(int err)
{
    return http_status_row(err)->status;
}
