/*
 * c4tap.h - C4TAP, the Council's sharing of suspicious targeted-attack
 * e-mails (issue 13, DOMAIN.md §10; docs/rules.md "C4TAP"): organisations'
 * agreement to the operating rules, handlers, submissions (the API, the
 * CLI, the web page, and a forward through the mail intake), their
 * indicators under per-type ranges, campaigns with waves, the "have others
 * seen this?" lookup and exports with TLP 2.0 labels.
 *
 * Every read, list, count, lookup and export decides each submission's
 * information types with core/c4tap.h (c4tap_may_read,
 * c4tap_sees_provider); nothing here restates the rule. Something the
 * reader may not read is absent (its type named in "hidden"), never
 * blanked out in place.
 *
 * Ownership: on IS_OK a json_t **out holds a new reference the caller
 * json_decref()s; char **out malloc'd text the caller free()s.
 */
#ifndef INFRASHARE_SVC_C4TAP_H
#define INFRASHARE_SVC_C4TAP_H

#include <jansson.h>

#include "common/jv.h"
#include "service/app.h"
#include "service/auth.h"
#include "store/store.h"

/* eml_base64: the base64 of at most MAIL_MAX_BYTES (mail/mail.h) with
 * line breaks (14 MiB); a request body: that and the other fields */
#define C4TAP_EML_B64_MAX 14680064
#define C4TAP_MAX_BODY (C4TAP_EML_B64_MAX + 65536)
#define C4TAP_VALUE_MAX 2048      /* bytes of one indicator value kept */
#define C4TAP_LIST_MAX 200        /* a page of submissions */
#define C4TAP_EXPORT_MAX 100000   /* rows of one export */
#define C4TAP_CAMPAIGNS_MAX 100   /* campaigns listed, newest activity first */
#define C4TAP_CAMPAIGN_SHOWN 100  /* a campaign's newest submissions shown */
#define C4TAP_LOOKUP_ROWS 50      /* a lookup examines the newest rows */
#define C4TAP_LOOKUP_SHOWN 20     /* and shows at most these matches */
#define C4TAP_LOOKUP_ORGS 10000   /* providers a lookup counts for a reader */
#define C4TAP_RULES_VERSION "1.0" /* the operating rules' current version */

extern const struct jv_field c4tap_submit_spec[];
extern const struct jv_field c4tap_intake_spec[];
extern const struct jv_field c4tap_ranges_spec[];
extern const struct jv_field c4tap_ranges_update_spec[];
extern const struct jv_field c4tap_defaults_spec[];
extern const struct jv_field c4tap_join_spec[];
extern const struct jv_field c4tap_handler_spec[];
extern const struct jv_field c4tap_note_spec[];
extern const struct jv_field c4tap_merge_spec[];
extern const struct jv_field c4tap_split_spec[];
extern const struct jv_field c4tap_advisory_spec[];

/* ---- organisations and handlers ---- */

/* GET /api/v1/c4tap/me: the caller's standing, handler kind, default
 * ranges and personal submission address (address: the daemon's
 * --c4tap-address, "" when none). */
int c4tap_me(struct store_conn *c, const struct auth_ctx *who,
             const char *address, json_t **out, struct svc_error *e);
/* POST /api/v1/c4tap/participants: records an organisation's agreement to
 * the operating rules (standing, rules_version, agreed_by, agreed_at);
 * the secretariat's org_admin users and hub admins only (the secretariat
 * vets who joins). Audited (c4tap.join). */
int c4tap_join(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const json_t *body, int64_t now, json_t **out,
               struct svc_error *e);
/* DELETE /api/v1/c4tap/participants/{org}: withdraws: the secretariat,
 * or the organisation's own org_admin (leaving needs no vetting).
 * Audited (c4tap.withdraw). */
int c4tap_withdraw(struct store_conn *c, const struct auth_ctx *who,
                   const char *org, int64_t now, json_t **out,
                   struct svc_error *e);
/* GET /api/v1/c4tap/participants: the secretariat, analysts and hub admins
 * see every organisation; anyone else its own only. */
int c4tap_participants(struct store_conn *c, const struct auth_ctx *who,
                       json_t **out, struct svc_error *e);
/* POST /api/v1/c4tap/handlers {username, kind}: the secretariat's
 * org_admin users and hub admins register any handler; an organisation's
 * own org_admin registers its users as participants' handlers. Audited
 * (c4tap.handler.add). */
int c4tap_handler_add(struct store_conn *c, const struct auth_ctx *who,
                      const json_t *body, int64_t now, json_t **out,
                      struct svc_error *e);
int c4tap_handler_remove(struct store_conn *c, const struct auth_ctx *who,
                         const char *username, int64_t now,
                         struct svc_error *e);
int c4tap_handlers(struct store_conn *c, const struct auth_ctx *who,
                   json_t **out, struct svc_error *e);
/* PUT /api/v1/c4tap/defaults {ranges}: the organisation's default ranges
 * (its handlers and org_admin). */
int c4tap_set_defaults(struct store_conn *c, const struct auth_ctx *who,
                       const json_t *body, int64_t now, json_t **out,
                       struct svc_error *e);

/* ---- submissions ---- */

/* POST /api/v1/c4tap/submissions {eml_base64, ranges?, anonymous?,
 * forwarded?, note?}: 201 with the submission as its provider sees it.
 * Refused, nothing stored: not a handler of a participant (403
 * not_participant), eml_base64 not base64 / empty / over MAIL_MAX_BYTES /
 * not an e-mail / forwarded without an attached e-mail (400 naming
 * eml_base64), a range not a range (400 naming ranges.<type>), the same
 * bytes again from the organisation (409 duplicate). via: "api" or
 * "mail". */
int c4tap_submit(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const json_t *body,
                 const char *via, int64_t now, json_t **out,
                 struct svc_error *e);
/* POST /api/v1/c4tap/intake {eml_base64, recipient, sender?}: the mail
 * intake (the MTA's pipe, infrashare c4tap intake): the handler is the
 * one whose personal address (c4tap+<key>@...) is the recipient; the
 * e-mail is the one attached to the forward; the organisation's default
 * ranges. The caller checked the intake token. */
int c4tap_intake(struct app *a, struct store_conn *c, const json_t *body,
                 int64_t now, json_t **out, struct svc_error *e);
int c4tap_submission_read(struct store_conn *c, const struct auth_ctx *who,
                          const char *id, int64_t now, json_t **out,
                          struct svc_error *e);
/* GET .../submissions/{id}/original: the original bytes (message/rfc822)
 * when the reader may read the type "original". Audited; *hidden tells
 * that the reader is the anonymous provider (its entry is withheld, and
 * so is its request log line's actor). */
int c4tap_submission_original(struct store_conn *c, const struct auth_ctx *who,
                              const char *id, int64_t now, char **raw,
                              size_t *len, bool *hidden, struct svc_error *e);
/* GET /api/v1/c4tap/submissions?limit=&before=&campaign= */
int c4tap_submissions_list(struct store_conn *c, const struct auth_ctx *who,
                           const char *limit, const char *before,
                           const char *campaign, json_t **out,
                           struct svc_error *e);
/* PATCH /api/v1/c4tap/submissions/{id} {version, ranges}: the provider
 * sets any range; the secretariat and analysts (a relay or re-share) only
 * narrow (409 range_too_wide naming ranges.<type>); anyone else 403; 409
 * conflict on another version. Audited (c4tap.ranges). */
int c4tap_set_ranges(struct store_conn *c, const struct auth_ctx *who,
                     const char *id, const json_t *body, int64_t now,
                     json_t **out, struct svc_error *e);

/* The demo's submissions (service/demo_c4tap.c): raw[0..len) parsed and
 * stored for org's user with ranges (stored digits, core/c4tap.h order),
 * demo = 1, no audit entry; the caller holds the write transaction. */
int c4tap_demo_submit(struct store_conn *c, const char *org, int64_t user_id,
                      const void *raw, size_t len, const char *ranges,
                      bool anonymous, int64_t now);

/* ---- campaigns ---- */
int c4tap_campaigns_list(struct store_conn *c, const struct auth_ctx *who,
                         json_t **out, struct svc_error *e);
int c4tap_campaign_read(struct store_conn *c, const struct auth_ctx *who,
                        const char *id, json_t **out, struct svc_error *e);
/* Analysts and the secretariat: a note (text, range) or a title. */
int c4tap_campaign_note(struct store_conn *c, const struct auth_ctx *who,
                        const char *id, const json_t *body, int64_t now,
                        json_t **out, struct svc_error *e);
/* POST .../campaigns/{id}/merge {from: [ids]} */
int c4tap_campaign_merge(struct store_conn *c, const struct auth_ctx *who,
                         const char *id, const json_t *body, int64_t now,
                         json_t **out, struct svc_error *e);
/* POST .../campaigns/{id}/split {submissions: [ids]}: 201 the new
 * campaign holding them. */
int c4tap_campaign_split(struct store_conn *c, const struct auth_ctx *who,
                         const char *id, const json_t *body, int64_t now,
                         json_t **out, struct svc_error *e);
/* POST .../campaigns/{id}/advisory: an advisory carrying the campaign's
 * indicators whose ranges are at least as wide as the advisory's (409
 * range_too_wide when include names a type some submission shares more
 * narrowly); linked in the advisory's own transaction (one per
 * campaign: 409 conflict). */
int c4tap_campaign_advisory(struct app *a, struct store_conn *c,
                            const struct auth_ctx *who, const char *id,
                            const json_t *body, int64_t now, json_t **out,
                            struct svc_error *e);

/* ---- lookup and export ---- */
/* GET /api/v1/c4tap/lookup?value=&kind= */
int c4tap_lookup(struct store_conn *c, const struct auth_ctx *who,
                 const char *value, const char *kind, json_t **out,
                 struct svc_error *e);
/* GET /api/v1/c4tap/export?format=csv|json&campaign= : every indicator
 * the reader may read, each with its range and TLP 2.0 label. csv: text
 * into *text; json: into *out. Audited (c4tap.export). */
int c4tap_export(struct store_conn *c, const struct auth_ctx *who,
                 const char *format, const char *campaign, int64_t now,
                 char **text, size_t *len, json_t **out, struct svc_error *e);

#endif
