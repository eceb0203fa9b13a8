/*
 * provision.h - 情報提供: advisories down the chain, acknowledgement,
 * escalation, reach, drills (DOMAIN.md §6, §7).
 *
 * The chain: NISC -> the ministries owning the recipients' sectors -> the
 * recipients' CEPTOARs -> their members. An advisory starts at its
 * author's step (a ministry at the CEPTOARs, a secretariat at its members,
 * the CEPTOAR Council and agencies at the CEPTOARs). Each hop relays by its
 * policy ('auto' at once, 'review' when it relays or when its review limit
 * passes); warnings of severity >= 4 are the hotline: no hop waits, every
 * contact of every recipient is used at once, and each CEPTOAR
 * secretariat's emergency contact too.
 *
 * A recipient's delivery jobs are written in the same transaction that
 * releases it (the outbox, deliver/outbox.c). A recipient that has not
 * acknowledged by the deadline (15 min for 4-5, 1 h for 3, 1 day otherwise)
 * is escalated to its remaining channels and shows as "not yet reached".
 *
 * Ownership: on IS_OK a json_t **out holds a new reference the caller
 * json_decref()s, and a char ** (page, text) holds malloc'd memory the
 * caller free()s; a returned json_t * (advisory_reach) is a new reference
 * too (NULL when out of memory). Arguments are borrowed for the call only.
 */
#ifndef INFRASHARE_PROVISION_H
#define INFRASHARE_PROVISION_H

#include <jansson.h>

#include "service/app.h"
#include "common/buf.h"
#include "service/auth.h"
#include "common/jv.h"
#include "store/store.h"

extern const struct jv_field provision_issue_spec[];
/* An advisory's audience (provision_issue_spec's "audience"; also the
 * audience a TAXII peer's advisories get, service/taxii_sync.c). */
#define PROVISION_AUDIENCE_SPEC_N 8
extern const struct jv_field provision_audience_spec[];
extern const struct jv_field provision_relay_spec[];
extern const struct jv_field provision_drill_spec[];

int advisory_issue(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const json_t *body, int64_t now,
                   json_t **out, struct svc_error *e);
/* As advisory_issue, and link(c, advisory id, ctx) runs inside the same
 * write transaction after the advisory is stored: when it fails, nothing
 * is stored or sent (IS_ERR_CONFLICT from link: 409 "conflict", e.g. the
 * subject has its advisory already). */
int advisory_issue_linked(struct app *a, struct store_conn *c,
                          const struct auth_ctx *who, const json_t *body,
                          int64_t now,
                          int (*link)(struct store_conn *c, const char *adv_id,
                                      void *ctx),
                          void *link_ctx, json_t **out, struct svc_error *e);
/* As advisory_issue_linked, sent past the relay chain: the author
 * reaches every recipient at once and no ministry or CEPTOAR is a hop,
 * so none of them reads the advisory unless it is a recipient itself (an
 * exercise's inject with a condition: a hop would learn who met it). */
int advisory_issue_past_hops(struct app *a, struct store_conn *c,
                             const struct auth_ctx *who, const json_t *body,
                             int64_t now,
                             int (*link)(struct store_conn *c,
                                         const char *adv_id, void *ctx),
                             void *link_ctx, json_t **out, struct svc_error *e);
int advisory_read(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id, int64_t now,
                  json_t **out, struct svc_error *e);
/* The advisory id as the system sees it, for no reader (the TAXII
 * server's reader-independent STIX objects, service/stix.h): as
 * advisory_read's JSON but without any range decision, audit or opening
 * record, nothing of a reader's (mine, withheld; my_answer null) and no
 * refs. IS_ERR_NOTFOUND when there is none. *out a new reference. */
int advisory_json_system(struct store_conn *c, const char *id, int64_t now,
                         json_t **out);
/* May who read advisory id (the range decided as for advisory_read)?
 * False when there is none. Records nothing. */
bool advisory_may_read_id(struct store_conn *c, const struct auth_ctx *who,
                          const char *id);
/* cursor: the previous page's next_cursor, the id of its last advisory
 * (NULL = from the newest); one naming no advisory who may read is
 * 400 invalid_value, as one the hub never returned. */
int advisory_list(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, int limit, const char *cursor,
                  bool inbox, int64_t now, json_t **out, struct svc_error *e);
/* issue 11: lists. The list's filters (GET /api/v1/advisories): kind
 * (NULL any), range (-1 any), min_severity (-1 any), acked (-1 any; 1
 * released to the caller's organisation and acknowledged by it, 0
 * released to it and not yet acknowledged). */
struct advisory_filter {
    const char *kind;
    int range, min_severity, acked;
};
/* advisory_list with the filter f (NULL: none). Each item carries
 * "acks": {acknowledged, total} for a caller who may see the
 * advisory's deliveries (the author's chain and the secretariats, as
 * GET /advisories/{id}/deliveries), counting the recipients that view
 * shows. */
int advisory_list_filtered(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, int limit,
                           const char *cursor, bool inbox,
                           const struct advisory_filter *f, int64_t now,
                           json_t **out, struct svc_error *e);
int advisory_relay(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *id,
                   const json_t *body, int64_t now, json_t **out,
                   struct svc_error *e);
int advisory_ack(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, int64_t now,
                 json_t **out, struct svc_error *e);
/* Was advisory id (of author) sent on who's organisation's behalf: an
 * exercise's inject, which a controller sent as author, NISC aside? Its
 * author then reads its deliveries and answers as a hop of its kind (a
 * ministry its sectors, a secretariat its members), never the others'
 * results (docs/rules.md "Injects"). */
bool advisory_sent_on_behalf(struct store_conn *c, const struct auth_ctx *who,
                             const char *author, const char *id);
/* state: NULL/"all", "pending", "queued", "sending", "delivered",
 * "acknowledged", "unreached". */
/* May who read advisory id's deliveries (advisory_deliveries would
 * answer, not 403 or 404)? A drill's report follows it. */
bool advisory_deliveries_readable(struct store_conn *c,
                                  const struct auth_ctx *who, const char *id);
int advisory_deliveries(struct app *a, struct store_conn *c,
                        const struct auth_ctx *who, const char *id,
                        const char *state, int64_t now, json_t **out,
                        struct svc_error *e);

/* What a request to /ack/{token} does. Only CONFIRM (POST) changes
 * anything: a mail scanner's HEAD or GET must not acknowledge. */
enum ack_link_mode {
    ACK_LINK_VIEW,   /* GET: checks the link, shows the confirm form */
    ACK_LINK_PROBE,  /* HEAD: checks the link; writes nothing */
    ACK_LINK_CONFIRM /* POST: acknowledges (single use, audited) */
};
/* /ack/{token}: acknowledgement without sign-in. Returns IS_OK when the
 * link is valid (VIEW, PROBE) or the acknowledgement was recorded
 * (CONFIRM), with the advisory id in adv; IS_ERR_NOTFOUND for a forged or
 * unknown link, IS_ERR_GONE for an expired one, IS_ERR_CONFLICT for one
 * used already (also by a concurrent request); another code when the hub
 * failed (nothing recorded). A refused link is audited in VIEW and
 * CONFIRM; the acknowledgement is audited with the client address. The
 * page shown is http/'s (http/routes_provision.c). *alert: the link is an
 * upward alert's (kind "alert"): CONFIRM opens the report for its hop
 * (alerts_link_open) instead, and adv is the report's id. */
int advisory_ack_link(struct app *a, struct store_conn *c, const char *token,
                      const char *addr, enum ack_link_mode mode, int64_t now,
                      char *adv, size_t adv_len, bool *alert);
/* The token "nonce.exp.mac" of a link for (id, org) with this nonce and
 * expiry (mac: HMAC-SHA256 with the hub's key), and its BLAKE2b hash, the
 * only thing stored. */
void ack_link_token(const struct app *a, const char *nonce, int64_t exp,
                    const char *id, const char *org, char *token, size_t len,
                    unsigned char hash[32]);
/* A valid link, as advisory_link_check finds it. */
struct advisory_link {
    unsigned char hash[32];
    char adv[40], org[64];
};
/* Checks token as advisory_ack_link does (refusals audited and limited
 * alike, by mode) without using it: IS_OK with l filled, or the codes of
 * advisory_ack_link. For the answer page of a roll call (rollcall.h). */
int advisory_link_check(struct app *a, struct store_conn *c, const char *token,
                        const char *addr, enum ack_link_mode mode, int64_t now,
                        struct advisory_link *l);
/* Makes a single-use link for (advisory, org) valid for 7 days; writes the
 * URL into url. Called by the outbox when composing a message. */
int advisory_ack_link_new(struct app *a, struct store_conn *c, const char *adv,
                          const char *org, int64_t now, char *url, size_t len);

/* Reach of an advisory over the recipients rs[0..n): per advisory,
 * CEPTOAR and sector. */
json_t *advisory_reach(const struct store_recipient_entry *const *rs, size_t n,
                       int64_t created_at, int64_t now);

/* Creates a drill advisory inside the caller's transaction. */
int advisory_issue_drill(struct app *a, struct store_conn *c,
                         const struct auth_ctx *who, const json_t *body,
                         int64_t now, char *adv_id, size_t len);

/* The list summary of advisory id (as GET /api/v1/advisories shows it)
 * when who may read it; *out NULL when it may not or there is none. */
int advisory_summary_if_readable(struct store_conn *c,
                                 const struct auth_ctx *who, const char *id,
                                 int64_t now, json_t **out);

int drill_start(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const json_t *body, int64_t now, json_t **out,
                struct svc_error *e);
/* The figures of a drill's report as JSON (*out, owned by the caller):
 * drill, advisory, target_kind, target, started_at, reach, by_ceptoar,
 * not_reached, comparison, organisations. Rendering it as CSV or HTML is
 * http/'s (http/drill_html.c). */
int drill_report(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, int64_t now,
                 json_t **out, struct svc_error *e);

/* One pass: hops past their review limit relay; recipients past their
 * acknowledgement deadline are escalated. Returns the changes made. */
int provision_tick(struct app *a, struct store_conn *c, int64_t now);

/* issue 11: the dashboard (service/dashboard.c). Whether who may read
 * ad (the list's and the read's rule), and which of its recipients who
 * sees on its delivery board (GET /advisories/{id}/deliveries):
 * -1 none (no board for who), 0 every one (the author or NISC), 1 those
 * released via who's organisation (a secretariat or list-owner hop), 2
 * those of who's sectors (a ministry hop). */
bool advisory_may_read(struct store_conn *c, const struct auth_ctx *who,
                       const struct store_advisory *ad);
int advisory_board_scope(struct store_conn *c, const struct auth_ctx *who,
                         const struct store_advisory *ad);
/* ---- issue 11: reminders from the acknowledgement board ---- */
/* body {orgs?: [org id]} */
extern const struct jv_field provision_remind_spec[];
/* Queues a reminder to the named recipients (orgs), else to every
 * released, not acknowledged recipient whose delivery who follows (the
 * deliveries' viewer rule): their earlier deliveries again (the same
 * contacts and channels; the range rule of message_compose), audited
 * "advisory.remind". At most once per advisory and reminding organisation
 * within REMIND_INTERVAL_S (IS_ERR_LIMIT "remind_too_soon"; only one that
 * queued a message counts). An org not a
 * visible recipient is IS_ERR_INVALID naming "orgs"; acknowledged or not
 * released IS_ERR_CONFLICT naming "orgs"; nothing to remind
 * IS_ERR_CONFLICT "nothing_to_remind". Answer {advisory, reminded: [org],
 * skipped: [{org, reason}], messages, next_allowed_at}. */
int advisory_remind(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id,
                    const json_t *body, int64_t now, json_t **out,
                    struct svc_error *e);

#endif
