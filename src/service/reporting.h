/*
 * reporting.h - 情報連絡: reports, their hop chain, updates, events,
 * deadlines (DOMAIN.md §4, §5).
 *
 * Routes and their chains (hops in order, NISC always last):
 *   direct       operator -> ministry owning its sector -> NISC
 *   via_ceptoar  operator -> its CEPTOAR secretariat -> ministry -> NISC
 *   anonymous    as via_ceptoar; identity withheld after the secretariat
 *   via_agency   operator -> the chosen agency -> NISC
 * A report arrives at the first hop when filed. A hop whose policy is
 * 'auto' relays at once; a 'review' hop annotates, asks the reporter,
 * narrows the range and forwards. A report whose computed severity is >= 3
 * and that waits at a reviewing hop past the hop's review limit (default
 * 30 min) is forwarded by the hub's worker, and the hop is told.
 *
 * Every view of a report goes through core/range (range_report_decide):
 * what a reader may read and whether it sees the reporting organisation.
 * Every state change, every read of a Red or Amber report and every reveal
 * of an anonymous identity is audited.
 *
 * Ownership: on IS_OK a json_t **out holds a new reference the caller
 * json_decref()s, and a char ** or void ** (csv, name, mime, data) holds
 * malloc'd memory the caller free()s; on an error they are not the
 * caller's. Arguments are borrowed for the call only. struct reporting is
 * the caller's (loaded once by reporting_load, read-only afterwards).
 */
#ifndef INFRASHARE_REPORTING_H
#define INFRASHARE_REPORTING_H

#include <jansson.h>

#include "core/range.h"
#include "core/severity.h"
#include "service/app.h"
#include "service/auth.h"
#include "common/jv.h"
#include "store/store.h"

#define REPORT_MAX_ATTACHMENTS 5
/* An anonymous report's routing CEPTOAR has at least this many member
 * operators of the reporter's scope (its label's crowd; docs/rules.md
 * "Anonymous reports"), as a survey's figures need 5 respondents. */
#define REPORT_ANON_CROWD 5
#define REPORT_MAX_ATTACHMENT (1024 * 1024) /* decoded bytes, each */
#define REPORT_MAX_BODY (8 * 1024 * 1024)   /* request body */

struct reporting {
    struct severity_table sev;
};

/* Loads data/severity, data/catalogue and data/deadlines.json from
 * data_dir into the database (at init). Errors name the file. */
int reporting_import(struct store_conn *c, const char *data_dir, char *err,
                     size_t errlen);
/* Loads the severity table from the database (at daemon start). */
int reporting_load(struct store_conn *c, struct reporting *rp, char *err,
                   size_t errlen);

/* Request field tables (validated by the HTTP pipeline). Each ends with
 * {.name = NULL}: pass JV_UNTIL_NULL as its length to jv_check. */
extern const struct jv_field reporting_file_spec[];
extern const struct jv_field reporting_update_spec[];
extern const struct jv_field reporting_forward_spec[];
/* POST .../reveal: {"reason": why the identity is needed} */
#define REPORT_REVEAL_REASON_MAX 500
extern const struct jv_field reporting_reveal_spec[];
extern const struct jv_field reporting_note_spec[];
extern const struct jv_field reporting_facts_spec[];
extern const struct jv_field reporting_event_spec[];
extern const struct jv_field reporting_link_spec[];
extern const struct jv_field reporting_policy_spec[];

/* POST /api/v1/severity/evaluate: facts in, verdict out. */
int reporting_evaluate(struct app *a, struct store_conn *c, const json_t *facts,
                       json_t **out, struct svc_error *e);

/* Files a report for who's organisation; *out is the reporter's view
 * (with "warnings"). */
int report_file(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const json_t *body, int64_t now, json_t **out,
                struct svc_error *e);
/* Reads one report as who may see it (404 if not). */
int report_read(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const char *id, int64_t now, json_t **out, struct svc_error *e);
/* Is who the anonymous reporter of report id (its acts on its own report
 * are audited withheld: audit_record_withheld)? */
bool report_by_hidden_reporter(struct store_conn *c, const struct auth_ctx *who,
                               const char *id);
/* Appends an update / full report / final report / answer. */
int report_update(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id,
                  const json_t *body, int64_t now, json_t **out,
                  struct svc_error *e);
/* The current hop relays the report onward. */
int report_forward(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *id,
                   const json_t *body, int64_t now, json_t **out,
                   struct svc_error *e);
/* A hop annotates or asks the reporter a question. */
int report_note(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const char *id, const json_t *body, int64_t now, json_t **out,
                struct svc_error *e);
/* The routing secretariat (or the originator) reveals the identity behind
 * an anonymous report; audited with the reason given (body checked against
 * reporting_reveal_spec; a blank reason is 400 field "reason"). */
int report_reveal(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id,
                  const json_t *body, int64_t now, json_t **out,
                  struct svc_error *e);

struct report_query {
    int limit;
    int64_t before;     /* set from cursor by the service */
    const char *cursor; /* next_cursor of the previous page: the
                         * id of its last report (NULL = start) */
    const char *sector, *scope, *kind, *state, *q;
    int min_severity; /* -1 = any */
    bool has_max;     /* max_severity applies (zero-initialised: any) */
    int max_severity; /* 0..5, when has_max */
    bool overdue;
};
/* Lists what who may read (who NULL = the public): the page as JSON text
 * {"items":[...],"next_cursor":...} in *text (malloc'd, NUL-terminated,
 * the caller's to free; *len its length). Written directly, not through a
 * json_t: a page of 50 is the hub's hottest read (docs/architecture.md,
 * "Lists"). */
int report_list(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const struct report_query *q, int64_t now, char **text,
                size_t *len, struct svc_error *e);
/* Counts of readable reports by severity, sector, kind and state. */
int report_counts(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const struct report_query *q,
                  int64_t now, json_t **out, struct svc_error *e);
/* CSV export of readable reports (TLP labels); *csv malloc'd. */
int report_export_csv(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, const struct report_query *q,
                      int64_t now, char **csv, size_t *len,
                      struct svc_error *e);
/* The bytes of an attachment of a readable report. */
int report_attachment(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, const char *id, int64_t att,
                      int64_t now, char **name, char **mime, void **data,
                      size_t *len, struct svc_error *e);

/* Events (NISC and ministries). */
int event_create(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const json_t *body, int64_t now,
                 json_t **out, struct svc_error *e);
int event_link(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, const json_t *body, int64_t now, json_t **out,
               struct svc_error *e);
int event_read(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, int64_t now, json_t **out, struct svc_error *e);
int event_list(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               int64_t now, json_t **out, struct svc_error *e);

/* GET/PUT an organisation's hop policy. */
int hop_policy_get(struct store_conn *c, const struct auth_ctx *who,
                   const char *org, json_t **out, struct svc_error *e);
int hop_policy_set(struct store_conn *c, const struct auth_ctx *who,
                   const char *org, const json_t *body, int64_t now,
                   json_t **out, struct svc_error *e);

/* Withholds, in version-1 audit entries (written before migration 0005)
 * about anonymous reports, the actor of the reporting organisation from
 * every reader outside that organisation. Version-2 entries withhold it
 * when they are written. */
void reporting_audit_redact(struct store_conn *c, const struct auth_ctx *who,
                            json_t *entries);

/* One pass of the background work: auto-forwarding past review limits,
 * due reminders for missed deadlines. Returns the number of changes. */
int reporting_tick(struct app *a, struct store_conn *c, int64_t now);

/* For other services (provision cites reports): the core/range decision
 * for who (NULL = the public) on r, and the list view of r as d allows
 * (a new object, the caller's; NULL when out of memory). */
struct range_decision report_decide(const struct auth_ctx *who,
                                    const struct store_report *r);
json_t *report_summary(struct store_conn *c, const struct auth_ctx *who,
                       const struct store_report *r, struct range_decision d,
                       int64_t now);

#endif
