/*
 * rollcall.h - roll calls and survey requests (安否確認・調査依頼;
 * docs/rules.md, "Roll calls and survey requests").
 *
 * STABLE ENTRY POINT for other modules (keep this signature):
 *
 *   int rollcall_issue(struct app *a, struct store_conn *c,
 *                      const struct auth_ctx *who, const json_t *body,
 *                      int64_t now, json_t **out, struct svc_error *e);
 *
 *   Issues a roll call: an advisory (body exactly as POST
 *   /api/v1/advisories, checked here against provision_issue_spec) with
 *   an answer form. A body without "form" gets the standard roll-call
 *   form ({"name": "roll_call"}: affected? yes/no/unknown; service state
 *   normal/degraded/stopped; free text). Runs its own write transaction
 *   (call it with no transaction open) and wakes the outbox; on IS_OK
 *   *out is the advisory as POST /api/v1/advisories answers it (with
 *   "form" and "recipients"). Errors as advisory_issue (400 naming the
 *   field, 403 for an author kind that may not issue advisories).
 *
 * A roll call is an advisory carrying a form (body field "form" of POST
 * /api/v1/advisories). Each recipient organisation answers once; a later
 * answer replaces the earlier one (audited with the previous answer).
 * Answering acknowledges the advisory; a plain acknowledgement of a roll
 * call is refused (409 answer_required), so the acknowledgement deadline
 * and its escalation (provision_tick) apply to answers unchanged.
 *
 * Ownership as provision.h: a json_t **out is a new reference, a char **
 * malloc'd; arguments are borrowed.
 */
#ifndef INFRASHARE_ROLLCALL_H
#define INFRASHARE_ROLLCALL_H

#include <jansson.h>

#include "service/app.h"
#include "service/auth.h"
#include "common/jv.h"
#include "store/store.h"

/* The "form" field of an advisory body, and its number of fields. */
extern const struct jv_field rollcall_form_spec[];
#define ROLLCALL_FORM_SPEC_N 2
/* The body of POST /api/v1/advisories/{id}/answers. */
extern const struct jv_field rollcall_answer_spec[];

int rollcall_issue(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const json_t *body, int64_t now,
                   json_t **out, struct svc_error *e);

/* POST /api/v1/advisories/{id}/answers: who's organisation answers (it
 * must be a released recipient). *out: {advisory, org, answers,
 * answered_at, revision, replaced}. */
int rollcall_answer(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id,
                    const json_t *body, int64_t now, json_t **out,
                    struct svc_error *e);

/* GET /api/v1/advisories/{id}/answers: the board, for the author, NISC
 * and the chain's secretariats (their members) and ministries (their
 * sectors), as the deliveries view. state: NULL/"all", "answered",
 * "unanswered"; after: the previous page's next_cursor (NULL = first);
 * limit 1..1000. The answer is JSON text (*text malloc'd, *len its
 * length; schema RollcallBoard of docs/openapi.json): its rows are
 * written directly, without a JSON tree, as the board is read often. */
int rollcall_board(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *id,
                   const char *state, const char *after, int limit, int64_t now,
                   char **text, size_t *len, struct svc_error *e);
/* The same board as CSV (every row the viewer sees that state selects,
 * as rollcall_board's state; no pages), audited ("rollcall.export", with
 * the rows and the state). *text malloc'd, *len its length. */
int rollcall_board_csv(struct app *a, struct store_conn *c,
                       const struct auth_ctx *who, const char *id,
                       const char *state, int64_t now, char **text, size_t *len,
                       struct svc_error *e);

/* ---- hooks called by service/provision.c ---- */

/* Checks an advisory body's "form" (NULL: none; *norm NULL) and makes
 * its normalised form (*norm, a new reference). 400 naming the field. */
int rollcall_form_check(const json_t *form, json_t **norm, struct svc_error *e);
/* Attaches the normalised form to the new advisory adv (inside the
 * issuing transaction, after its recipients are written). */
int rollcall_attach(struct store_conn *c, const char *adv, const json_t *norm,
                    int64_t now);
/* Does adv carry a form? */
bool rollcall_has_form(struct store_conn *c, const char *adv);
/* Adds "form" (when adv carries one) and "my_answer" (who's
 * organisation's answer, or null) to an advisory's JSON o. */
void rollcall_adv_json(struct store_conn *c, const struct auth_ctx *who,
                       const char *adv, json_t *o);

/* ---- the answer page of a signed link (/ack/{token}) ---- */

/* Is token a link (shape and hash only: nothing checked, nothing
 * audited) of an advisory that carries a form? The http layer then shows
 * the answer page instead of the acknowledgement page. */
bool rollcall_link_is_form(struct app *a, struct store_conn *c,
                           const char *token);
/* GET: checks the link (refusals audited as acknowledgement links) and
 * gives the form (*form, a new reference) and the advisory's title
 * (*title {ja,en}); POST: answers with fields (question -> value, as
 * sent by the page's HTML form), uses the link, acknowledges; 400
 * naming the field for a bad answer (the link stays unused). Returns as
 * advisory_ack_link. */
int rollcall_link(struct app *a, struct store_conn *c, const char *token,
                  const char *addr, bool confirm, const json_t *fields,
                  int64_t now, json_t **form, json_t **title,
                  struct svc_error *e);

/* The label of the yes_no_unknown value i (0 yes, 1 no, 2 unknown) in
 * Japanese or English; NULL past 2. */
const char *rollcall_ynu_label(int i, bool ja);

#endif
