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
/* The official TLP 2.0 marking-definition object of range r (a new
 * reference). */
json_t *stix_tlp_marking(int r);

/* GET /api/v1/advisories/{id}/stix: the advisory as who may read it (404
 * otherwise), as a STIX 2.1 bundle. */
int advisory_stix(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id, int64_t now,
                  json_t **out, struct svc_error *e);

/* For the TAXII server, without a reader: the STIX objects of advisory
 * adv_id — its report and the report's language content, its author's
 * identity (and its language content) and the TLP marking definition of
 * its range — with the ids GET /api/v1/advisories/{id}/stix gives, but no
 * hops' notes (those depend on the reader), no range decision, no audit
 * and no opening record: the caller decides who may have them. *objects a
 * new JSON array of STIX objects (not a bundle), *range the advisory's
 * range (0 red ... 4 white). IS_ERR_NOTFOUND when there is no such
 * advisory. */
int stix_advisory_objects(struct app *a, struct store_conn *c,
                          const char *adv_id, int64_t now, json_t **objects,
                          int *range);

/* For the TAXII server: a national body's identity (and its English
 * language content) as stix_advisory_objects gives it in an advisory it
 * authored (TLP:CLEAR, public registry information), into *objects (a new
 * JSON array). IS_ERR_NOTFOUND when org is not a national body of the
 * registry. */
int stix_national_identity_objects(struct store_conn *c, const char *org,
                                   json_t **objects);

/* GET /api/v1/reports/{id}/stix: the report as who may read it (404
 * otherwise): an incident and a report about it, created by the reporter's
 * identity — its organisation when who may know it, else an identity of
 * this report alone named as the anonymity rule names the reporter. */
int report_stix(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const char *id, int64_t now, json_t **out, struct svc_error *e);

/* GET /api/v1/events/{id}/stix: the event as who may read it (event_read
 * decides; 404 otherwise): an incident and a report about it (TLP:RED:
 * events are NISC's and the ministries'), created by the organisation
 * that made it, whose object_refs are the incident and, of each linked
 * report who may read, that report's incident — in the bundle as the
 * report export gives it to who (its reporter as the anonymity rule
 * shows it, its own marking; the read audited as report_read does). */
int event_stix(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, int64_t now, json_t **out, struct svc_error *e);

/* GET /api/v1/c4tap/submissions/{id}/stix: the submission as who may read
 * it (c4tap_submission_read decides; 404 otherwise): of each information
 * type who may read, its observables (email-addr, email-message, url,
 * domain-name, ipv4-addr, ipv6-addr, file), the indicators C4TAP keys on
 * (STIX patterns) and an observed-data, each marked with its type's
 * range; the provider as creator only when who may know it and only on
 * objects no wider than the provider's range. A bundle without objects
 * when who may read none of them. */
int c4tap_stix(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, int64_t now, json_t **out, struct svc_error *e);

/* GET /api/v1/observation/alerts/{id}/stix: the alert as who sees it in
 * GET /api/v1/observation/alerts (404 otherwise): an observed-data of the
 * sites who may see (domain-name / ipv4-addr), the infrastructure the
 * alert is about, and a sighting of it; all TLP:RED. */
int obs_alert_stix(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *id, int64_t now,
                   json_t **out, struct svc_error *e);

#endif
