/*
 * surveys.h - the annual safety-standards survey (安全基準等の浸透状況等に
 * 関する調査) and CP/BCP readiness (issue 15; docs/rules.md "The annual
 * safety-standards survey", "CP/BCP readiness").
 *
 * NISC opens one campaign per fiscal year for some or all sectors against
 * an edition of the guideline catalogue (service/guideline.h); each
 * operator asked answers every item (adopted / partly / not / not
 * applicable, with evidence and attachments), saves drafts, submits; its
 * CEPTOAR secretariats follow their members' progress and remind those
 * who have not submitted (notices through the outbox), and read a
 * member's answers only when it shares them; NISC closes the campaign.
 * Confidentiality: nobody but the operator (and its secretariats, when
 * shared) reads an operator's answers; results are published only for a
 * closed campaign, per sector, hiding every group of fewer than
 * SURVEY_MIN_GROUP respondents (and never letting one be recomputed).
 */
#ifndef INFRASHARE_SURVEYS_H
#define INFRASHARE_SURVEYS_H

#include "common/buf.h"
#include "common/jv.h"
#include "service/app.h"

#define SURVEY_MIN_GROUP 5
#define SURVEY_EVIDENCE_MAX 4000           /* characters */
#define SURVEY_ATTACHMENT_MAX (2 << 20)    /* bytes of one file */
#define SURVEY_ATTACHMENTS_PER_ORG 20      /* files per campaign */
#define SURVEY_ATTACHMENT_BYTES (20 << 20) /* bytes per campaign */
/* the body of an upload: the file in base64 and its names */
#define SURVEY_ATTACHMENT_MAX_BODY (SURVEY_ATTACHMENT_MAX / 3 * 4 + 8192)
#define SURVEY_REMIND_GAP (24 * 3600) /* one reminder a day per operator */

extern const struct jv_field survey_create_spec[];
extern const struct jv_field survey_answers_spec[];
extern const struct jv_field survey_attachment_spec[];
extern const struct jv_field survey_remind_spec[];
extern const struct jv_field survey_close_spec[];
extern const struct jv_field survey_bcp_spec[];

/* GET /api/v1/guideline: an edition's catalogue (NULL: the newest). */
int guideline_get(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *edition, json_t **out,
                  struct svc_error *e);

int surveys_list(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, json_t **out, struct svc_error *e);
int survey_create(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const json_t *body, int64_t now,
                  json_t **out, struct svc_error *e);
int survey_get(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *id, json_t **out, struct svc_error *e);
/* Saves (and with submit, submits) the caller's organisation's answers. */
int survey_answers_post(struct app *a, struct store_conn *c,
                        const struct auth_ctx *who, const char *id,
                        const json_t *body, int64_t now, json_t **out,
                        struct svc_error *e);
/* An operator's response (org NULL: the caller's own). */
int survey_answers_get(struct app *a, struct store_conn *c,
                       const struct auth_ctx *who, const char *id,
                       const char *org, json_t **out, struct svc_error *e);
int survey_attachment_post(struct app *a, struct store_conn *c,
                           const struct auth_ctx *who, const char *id,
                           const json_t *body, int64_t now, json_t **out,
                           struct svc_error *e);
/* The bytes of attachment att (malloc'd *data, the caller frees). */
int survey_attachment_get(struct app *a, struct store_conn *c,
                          const struct auth_ctx *who, const char *id,
                          const char *att, unsigned char **data, size_t *len,
                          char *name, size_t namelen, struct svc_error *e);
/* Deletes the caller's own attachment att (its operator's, the campaign
 * open). */
int survey_attachment_delete(struct app *a, struct store_conn *c,
                             const struct auth_ctx *who, const char *id,
                             const char *att, int64_t now, json_t **out,
                             struct svc_error *e);
int survey_progress(struct app *a, struct store_conn *c,
                    const struct auth_ctx *who, const char *id, json_t **out,
                    struct svc_error *e);
int survey_remind(struct app *a, struct store_conn *c,
                  const struct auth_ctx *who, const char *id,
                  const json_t *body, int64_t now, json_t **out,
                  struct svc_error *e);
int survey_close(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id, const json_t *body,
                 int64_t now, json_t **out, struct svc_error *e);

/* survey_report.c: the published results of a closed campaign into text:
 * JSON (format NULL or "json"), CSV ("csv") or a printable HTML page
 * ("html"; lang "ja" or "en"). A closed campaign's results never change:
 * each text is made once and kept (a->survey_cache). */
int survey_aggregates(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, const char *id,
                      const char *format, const char *lang, struct buf *text,
                      struct svc_error *e);

/* CP/BCP readiness of the caller's operator. */
int bcp_get(struct app *a, struct store_conn *c, const struct auth_ctx *who,
            json_t **out, struct svc_error *e);
int bcp_put(struct app *a, struct store_conn *c, const struct auth_ctx *who,
            const json_t *body, int64_t now, json_t **out, struct svc_error *e);

/* What survey_aggregates publishes, computed from the tallies (shared with
 * the benchmark and the unit tests): every sector with at least
 * SURVEY_MIN_GROUP respondents; the others pooled into "other" when
 * together at least SURVEY_MIN_GROUP, else left out of every figure (the
 * national total too), so that no figure of a hidden group can be
 * recomputed by subtraction. */
int survey_results(struct store_conn *c, const char *id, json_t **out);

#endif
