/*
 * stix.h - infrashare's items as STIX 2.1 (issue 16; docs/stix.md): for
 * now an advisory as a bundle — the report with its Japanese text and the
 * English as language content, the author and the hops that noted it as
 * identities, the hops' notes as notes, the TLP 2.0 marking definition of
 * its range. Ids are UUIDv5 of the hub's namespace and the item, so that
 * exporting again gives the same objects.
 *
 * Ownership: on IS_OK *out holds a new reference the caller json_decref()s.
 */
#ifndef INFRASHARE_SERVICE_STIX_H
#define INFRASHARE_SERVICE_STIX_H

#include <jansson.h>

#include "service/app.h"

/* The hub's STIX namespace (a UUID made once and kept in the meta table). */
int stix_namespace_load(struct store_conn *c, unsigned char ns[16]);

/* GET /api/v1/advisories/{id}/stix: the advisory as who may read it (404
 * otherwise), as a STIX 2.1 bundle. */
int advisory_stix(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id, int64_t now,
                  json_t **out, struct svc_error *e);

/* GET /api/v1/reports/{id}/stix: the report as who may read it (404
 * otherwise): an incident and a report about it, created by the reporter's
 * identity — its organisation when who may know it, else an identity of
 * this report alone named as the anonymity rule names the reporter. */
int report_stix(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const char *id, int64_t now, json_t **out, struct svc_error *e);

#endif
