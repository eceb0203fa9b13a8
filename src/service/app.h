/*
 * app.h - what the daemon's handlers share: the store, limits, settings.
 */
#ifndef INFRASHARE_APP_H
#define INFRASHARE_APP_H

#include "auth.h"
#include "common.h"
#include "store.h"

struct app {
    struct store *store;
    struct auth_limits limits;
    bool cookie_secure;  /* add "Secure" to the session cookie (behind TLS) */
    int64_t started_at;
};

/* The current time (seconds). One place, so that time is passed down. */
int64_t app_now(const struct app *a);

#endif
