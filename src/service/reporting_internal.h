/*
 * reporting_internal.h - shared by the reporting*.c files and alerts.c
 * (upward alerts of reports) and dashboard.c (the dashboard) only.
 */
#ifndef INFRASHARE_REPORTING_INTERNAL_H
#define INFRASHARE_REPORTING_INTERNAL_H

#include "common/jtext.h"
#include "service/reporting.h"

/* What core/range needs of r; rr points into r (valid while r is). */
void rp_range_report(const struct store_report *r, struct range_report *rr);
/* The core/range decision for who (NULL = the public) on r. */
struct range_decision rp_decide(const struct auth_ctx *who,
                                const struct store_report *r);
bool rp_overdue(const struct store_report *r, int64_t now);
/* "reporter" object: the organisation, or the anonymous label. A new
 * reference (the caller json_decref()s it), as is rp_summary's. */
json_t *rp_reporter_json(struct store_conn *c, const struct auth_ctx *who,
                         const struct store_report *r, struct range_decision d);
/* The list view of a report (no timeline, no updates): written into w
 * (the list page's text), or as a json_t, the same value. */
void rp_summary_write(struct jw *w, struct store_conn *c,
                      const struct auth_ctx *who, const struct store_report *r,
                      struct range_decision d, int64_t now);
json_t *rp_summary(struct store_conn *c, const struct auth_ctx *who,
                   const struct store_report *r, struct range_decision d,
                   int64_t now);
/* Moves r to the next hop after its current one (forward or auto). */
int rp_forward_step(struct app *a, struct store_conn *c, struct store_report *r,
                    const char *how, int64_t user_id, int64_t now);
/* Audit with the report's anonymity recorded, so that the audit view can
 * withhold the reporter of an anonymous report. */
int rp_audit(struct store_conn *c, const struct auth_ctx *who, int64_t now,
             const char *action, const struct store_report *r, json_t *detail);

/* A page's read audit (reporting_list.c; docs/rules.md "Audit and
 * anonymity"): adds r's id to ids when its read is audited and is named
 * by the page's one attributed entry: a Red or Amber report of others,
 * or the reader's own when its organisation would read it as any other
 * of its place would. A page writes no withheld entry. */
void rp_page_note(json_t *ids, const struct auth_ctx *who,
                  const struct store_report *r);

/* The store filter of q for who at now (reporting_list.c): the report
 * list's filters and its range pre-filter; ceps holds who's CEPTOARs for
 * f (it must outlive f). The list, its counts and the dashboard
 * (service/dashboard.c) all build their filter here. */
void rp_filter_init(const struct auth_ctx *who, const struct report_query *q,
                    int64_t now, struct store_report_filter *f,
                    struct ids *ceps);

#endif
