/*
 * exercises.h - cross-sector exercises (分野横断的演習, issue 14; DOMAIN.md
 * §11; docs/rules.md "Cross-sector exercises"): planning (participants by
 * organisation, sector, CEPTOAR; venues; individual verification themes),
 * the briefing (documents, each participant's rules pre-check), the
 * exercise day on the controller's console (start, pause, resume, shift,
 * advance, fire an inject by hand, an ad-hoc inject, end), the live board,
 * BCP activation, the questionnaire, discussion notes, the interim and
 * final report, and the debrief (service/exercise_debrief.c).
 *
 * Controllers: NISC's analysts and liaisons, and hub administrators. A
 * participant's users see their own participation, never another's
 * results or the scenario's timeline before it happens.
 *
 * Ownership: on IS_OK a json_t **out holds a new reference the caller
 * json_decref()s. Arguments are borrowed for the call only.
 */
#ifndef INFRASHARE_EXERCISES_H
#define INFRASHARE_EXERCISES_H

#include <jansson.h>

#include "service/app.h"
#include "service/auth.h"
#include "common/jv.h"
#include "common/buf.h"
#include "store/store.h"

extern const struct jv_field exercise_create_spec[];
extern const struct jv_field exercise_participants_spec[];
extern const struct jv_field exercise_participant_spec[];
extern const struct jv_field exercise_checklist_spec[];
extern const struct jv_field exercise_control_spec[];
extern const struct jv_field exercise_bcp_spec[];
extern const struct jv_field exercise_answer_spec[];
extern const struct jv_field exercise_note_spec[];
extern const struct jv_field exercise_report_spec[];

/* Is who a controller of exercises? */
bool exercise_controller(const struct auth_ctx *who);

int exercise_create(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const json_t *body, int64_t now,
                    json_t **out, struct svc_error *e);
int exercise_get(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, json_t **out,
                 struct svc_error *e);
int exercise_list(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, json_t **out,
                  struct svc_error *e);
int exercise_participants_add(struct app *a, struct store_conn *c,
                              const struct auth_ctx *who, const char *id,
                              const json_t *body, int64_t now, json_t **out,
                              struct svc_error *e);
int exercise_participant_put(struct app *a, struct store_conn *c,
                             const struct auth_ctx *who, const char *id,
                             const char *org, const json_t *body, int64_t now,
                             json_t **out, struct svc_error *e);
int exercise_participant_delete(struct app *a, struct store_conn *c,
                                const struct auth_ctx *who, const char *id,
                                const char *org, int64_t now,
                                struct svc_error *e);
int exercise_checklist_put(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, const char *id,
                           const json_t *body, int64_t now, json_t **out,
                           struct svc_error *e);
int exercise_control(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, const char *id,
                     const json_t *body, int64_t now, json_t **out,
                     struct svc_error *e);
/* The board: *out, or (raw non-NULL, a controller, the exercise
 * running) its JSON text in raw, from the run's cache. */
int exercise_board(struct app *a, struct store_conn *c,
                   const struct auth_ctx *who, const char *id, json_t **out,
                   struct buf *raw, struct svc_error *e);
int exercise_bcp(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, const json_t *body,
                 json_t **out, struct svc_error *e);
int exercise_answer(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id,
                    const json_t *body, int64_t now, json_t **out,
                    struct svc_error *e);
int exercise_note(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id,
                  const json_t *body, int64_t now, json_t **out,
                  struct svc_error *e);
int exercise_report(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id,
                    const json_t *body, int64_t now, json_t **out,
                    struct svc_error *e);

/* The debrief (service/exercise_debrief.c): as JSON (*out), or, for
 * format "csv" or "html" (view "summary": the management summary page),
 * as text in *text. */
int exercise_debrief(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, const char *id,
                     const char *format, const char *view, json_t **out,
                     struct buf *text, struct svc_error *e);

/* The exercise context of a request under /x/{id}/ (http/server.c): the
 * running exercise's app for who (a participant or a controller), with a
 * reference held until exercise_leave. IS_ERR_NOTFOUND: no such running
 * exercise; IS_ERR_FORBIDDEN: who takes no part in it (who NULL: a
 * public route, e.g. an acknowledgement link). */
int exercise_enter(struct app *a, const char *id, const struct auth_ctx *who,
                   struct app **xa, struct svc_error *e);
/* The caller's account in the exercise's world xa (exercise_enter's):
 * copied from the hub (hub: a connection of the hub's store) when it was
 * added after the exercise started, so that its acts there (a report's
 * filer) name it. IS_OK, or e filled. */
int exercise_join_user(struct app *xa, struct store_conn *hub,
                       const struct auth_ctx *who, struct svc_error *e);
void exercise_leave(struct app *xa);

#endif
