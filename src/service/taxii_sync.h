/*
 * taxii_sync.h - the TAXII 2.1 client (issue 16; docs/taxii.md "Peers"):
 * the hub pulls remote collections (agencies' feeds, peer hubs) into its
 * `shared` collection, attributed to the organisation the admin names for
 * the peer, and pushes to a peer hub what that organisation may read of
 * its own `shared` collection. State is kept across restarts; a bad object
 * is quarantined with its reason, never half-imported; every run is
 * recorded with its reason when it failed. Compiled into the daemon (it
 * uses deliver/taxii_http.c).
 *
 * Ownership: on IS_OK a json_t ** out-parameter holds a new reference the
 * caller json_decref()s.
 */
#ifndef INFRASHARE_SERVICE_TAXII_SYNC_H
#define INFRASHARE_SERVICE_TAXII_SYNC_H

#include <jansson.h>

#include "common/jv.h"
#include "service/app.h"
#include "service/auth.h"

#define TAXII_PEER_INTERVAL_MIN 60 /* seconds (test mode: 1) */
#define TAXII_PEER_INTERVAL_MAX 86400
#define TAXII_PULL_PAGE 500     /* objects asked per page */
#define TAXII_PULL_PAGES 50     /* pages per run */
#define TAXII_PUSH_BATCH 100    /* objects per envelope pushed */
#define TAXII_PUSH_BATCHES 50   /* envelopes per run */
#define TAXII_PEER_TIMEOUT_S 30 /* one exchange */
#define TAXII_PEER_MAX_ANSWER (32 * 1024 * 1024)

extern const struct jv_field taxii_peer_spec[];

/* POST /api/v1/taxii/peers (admins): {name, org, api_root, collection,
 * direction, auth_user?, token, interval_s?}. */
int taxii_peer_add(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const json_t *body, json_t **out,
                   struct svc_error *e);
/* GET /api/v1/taxii/peers: every peer with its state (never its token). */
int taxii_peers_list(struct store_conn *c, const struct auth_ctx *who,
                     json_t **out, struct svc_error *e);
int taxii_peer_remove(struct store_conn *c, const struct auth_ctx *who,
                      const char *id, int64_t now, struct svc_error *e);
/* GET /api/v1/taxii/peers/{id}/log: its last runs and quarantined
 * objects, each with its reason. */
int taxii_peer_log(struct store_conn *c, const struct auth_ctx *who,
                   const char *id, json_t **out, struct svc_error *e);
/* POST /api/v1/taxii/peers/{id}/sync (who: an admin) or the timer (who
 * NULL): runs the peer now; *out its state after the run. */
int taxii_peer_sync(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id, json_t **out,
                    struct svc_error *e);

/* The timer: a thread that runs each peer when it is due. */
struct taxii_syncer;
int taxii_sync_start(struct app *a, struct taxii_syncer **out);
void taxii_sync_stop(struct taxii_syncer *s);

#endif
