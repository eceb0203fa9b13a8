/*
 * alerts.h - upward alerts (DOMAIN.md §6a; docs/rules.md "Upward
 * alerts"): a report arriving at a hop alerts the hop's contacts through
 * the outbox (the rules are core/alert.h); the hop acknowledges by
 * opening the report (a read by one of its users, or the signed link of
 * the message); the worker escalates and reminds; NISC and the ministries
 * list the severe reports not yet opened.
 */
#ifndef INFRASHARE_ALERTS_H
#define INFRASHARE_ALERTS_H

#include "core/route.h"
#include "service/app.h"

/* The report's severity that alerts use: the declared one when higher. */
int alerts_severity(const struct store_report *r);

/* Inside the caller's write transaction: r arrived at each hop of walk w;
 * each hop's alert round and its jobs are written (the caller wakes the
 * outbox after the commit, alerts_wake). */
int alerts_arrive(struct app *a, struct store_conn *c,
                  const struct store_report *r, const struct route_walk *w,
                  int64_t now);
/* Inside the caller's write transaction: an update took r's severity from
 * old_severity to alerts_severity(r); when that raises it
 * (alert_new_round), every hop reached starts a new round and is alerted
 * again, and the raise is audited. */
int alerts_raise(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const struct store_report *r,
                 int old_severity, int64_t now);
/* After a commit that queued alerts: wakes the outbox. */
void alerts_wake(struct app *a);
/* who read (or forwarded, or annotated) report id: when who's organisation has
 * an unopened alert of it, the alert is marked opened (via "api") and audited
 * in its own transaction. Errors are logged, never the reader's. */
void alerts_opened_by_read(struct store_conn *c, const struct auth_ctx *who,
                           const char *id, int64_t now);
/* The signed link's confirmation (service/provision.c advisory_ack_link):
 * marks the link used and the round opened, audited. IS_ERR_CONFLICT when
 * the link was used meanwhile. A link of a round the hop opened already
 * (or of an earlier round) is used and recorded as "already". */
int alerts_link_open(struct store_conn *c, const unsigned char hash[32],
                     const char *report, const char *org, int round,
                     const char *addr, int64_t now);
/* The outbox's link maker (struct deliver_settings alert_link_new); ctx
 * is the struct app. It writes nothing: the link of a hop's round is
 * derived from the hub's key (its nonce an HMAC of report, hop and round),
 * and its hash was stored when the round began (alerts_arrive,
 * alerts_raise), so composing an alert needs no write transaction. */
int alert_link_new(void *ctx, struct store_conn *c, const char *report,
                   const char *org, int round, int64_t now, char *url,
                   size_t len);
/* The worker's pass: escalations (severity < 4, deadline_ack_s of the
 * round's severity) and reminders (severity >= 4, the hop's review
 * limit). Returns how many it made. */
int alerts_tick(struct app *a, struct store_conn *c, int64_t now);
/* GET /api/v1/reports/unopened: the severe reports not yet opened, by
 * hop (only hop org when org is not NULL); for NISC and ministries
 * (alert_may_view_unopened, else 403), each row decided by
 * alert_may_list and the range rule. */
int alerts_unopened(struct store_conn *c, const struct auth_ctx *who,
                    const char *org, int64_t now, json_t **out,
                    struct svc_error *e);

#endif
