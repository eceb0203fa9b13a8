/*
 * taxii.h - the TAXII 2.1 server (issue 16; docs/taxii.md): collections
 * per audience, objects added by members and peer hubs (each read as its
 * TLP 2.0 marking's range allows, core/taxii.h taxii_object_decide), the
 * hub's advisories (materialised by taxii_tick, read as each advisory's
 * range allows), pages that never skip or repeat, status resources.
 *
 * Ownership: on IS_OK a json_t ** out-parameter holds a new reference the
 * caller json_decref()s; a struct buf out is the caller's to release.
 */
#ifndef INFRASHARE_SERVICE_TAXII_H
#define INFRASHARE_SERVICE_TAXII_H

#include <jansson.h>

#include "common/buf.h"
#include "core/stix.h"
#include "core/taxii.h"
#include "service/app.h"
#include "service/auth.h"

#define TAXII_MAX_ENVELOPE (10 * 1024 * 1024) /* bytes of a POST */
#define TAXII_MAX_OBJECTS 10000               /* objects in one POST */
#define TAXII_PAGE_MAX 1000
#define TAXII_PAGE_DEFAULT 100
#define TAXII_SCAN 20000 /* stored objects one page reads at most */
/* bytes of the objects one page holds at most: a page ends early (more,
 * next) before the object that would pass it; an object alone is at most
 * TAXII_MAX_OBJECT, so every page holds at least one */
#define TAXII_PAGE_MAX_BYTES (16 * 1024 * 1024)
#define TAXII_STATUS_KEEP_S (7 * 86400)

#define TAXII_COLL_SHARED 1
#define TAXII_COLL_ADVISORIES 2

struct taxii_coll {
    int n;
    const char *id, *alias;
    const char *title, *description;
    bool writable; /* by reporters, liaisons and analysts */
};
/* A collection by its id or alias; NULL when none. */
const struct taxii_coll *taxii_coll_find(const char *id_or_alias);

/* GET /taxii2/, the API root, the collections (as who may use them). */
json_t *taxii_discovery_json(const struct app *a);
json_t *taxii_api_root_json(void);
json_t *taxii_collections_json(const struct auth_ctx *who);
json_t *taxii_collection_json(const struct taxii_coll *coll,
                              const struct auth_ctx *who);

enum taxii_view {
    TAXII_VIEW_OBJECTS,  /* …/objects/: an envelope */
    TAXII_VIEW_MANIFEST, /* …/manifest/ */
    TAXII_VIEW_OBJECT,   /* …/objects/{id}/: an envelope of its versions */
    TAXII_VIEW_VERSIONS  /* …/objects/{id}/versions/ */
};

/* A GET's query parameters (NULL: absent). */
struct taxii_query {
    enum taxii_view view;
    const char *object_id;
    const char *added_after, *match_id, *match_type, *match_version,
        *match_spec_version, *next, *limit;
};

/* A page, as JSON text, and the date_added of its first and last objects
 * ("" when it has none). */
struct taxii_page {
    struct buf body;
    char first[TAXII_TIME_LEN], last[TAXII_TIME_LEN];
};

/* GET of objects, manifest, an object, its versions. e->field names the
 * parameter of a 400; a collection or object who may not read is 404. */
int taxii_get(struct app *a, struct store_conn *c, const struct auth_ctx *who,
              const struct taxii_coll *coll, const struct taxii_query *q,
              struct taxii_page *out, struct svc_error *e);
void taxii_page_release(struct taxii_page *p);

/* The identities the hub makes for the organisations other than own
 * (docs/stix.md "Identifiers"), sorted: who a created_by_ref may not name
 * unless it is the poster's own. Loaded at the first object that names an
 * identity; zero-initialise with .own set, release with
 * taxii_idents_release. */
struct taxii_idents {
    unsigned char ns[16];
    char (*ids)[STIX_ID_LEN];
    size_t n, cap;
    const char *own;
    int rc;
};
/* Whether obj (checked into o) claims another organisation's identity
 * as the hub makes it: its created_by_ref names one, or it defines one
 * (an identity of that id, a language-content whose object_ref is one).
 * 1 yes, 0 no, -1 it could not be decided (the store failed). The rule of
 * a POST and of a peer's pull (docs/taxii.md "Versions"). */
int taxii_claims_other(struct store_conn *c, struct taxii_idents *x,
                       const json_t *obj, const struct taxii_object *o);
void taxii_idents_release(struct taxii_idents *x);

/* POST …/objects/: the envelope's bytes; *status the status resource's
 * JSON text as stored (malloc'd, the caller's). */
int taxii_add(struct app *a, struct store_conn *c, const struct auth_ctx *who,
              const struct taxii_coll *coll, const char *body, size_t len,
              char **status, struct svc_error *e);
/* GET …/status/{id}/: the status, for its poster's organisation only. */
int taxii_status(struct store_conn *c, const struct auth_ctx *who,
                 const char *id, char **body, struct svc_error *e);

/* Microseconds now, as the app's clock tells (the real clock's fraction
 * when the app runs on it): the date_added of what is added now. */
int64_t taxii_now_micro(const struct app *a);

/* The worker's turn: adds advisories issued since the last turn to the
 * advisories collection, and forgets status resources older than 7 days.
 * Returns how many advisories it added (negative: an error). */
int taxii_tick(struct app *a, struct store_conn *c, int64_t now);

#endif
