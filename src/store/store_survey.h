/*
 * store_survey.h - the guideline's stored editions, survey campaigns, their
 * responses, answers, attachments, tallies and reminders, and CP/BCP
 * readiness (issue 15; migration 0027). The service decides who may read
 * what (service/surveys.c); these functions only store.
 */
#ifndef INFRASHARE_STORE_SURVEY_H
#define INFRASHARE_STORE_SURVEY_H

#include "store/store.h"

/* An edition's catalogue as first stored (answers keep it). */
int store_gl_edition_put(struct store_conn *c, const char *edition,
                         const char *catalogue, int64_t now);
/* *out malloc'd (the caller frees); IS_ERR_NOTFOUND when never stored. */
int store_gl_edition_get(struct store_conn *c, const char *edition, char **out);

struct store_survey {
    char id[16];
    int fy;
    char edition[16];
    char title_ja[801], title_en[801]; /* 200 characters */
    char sectors[2048];                /* JSON array as opened */
    int items;                         /* answerable items */
    char state[8];                     /* open, closed */
    int64_t deadline, opened_by, opened_at, closed_by, closed_at, version;
    int64_t targets; /* operators asked */
};
int store_survey_insert(struct store_conn *c, const struct store_survey *s);
int store_survey_get(struct store_conn *c, const char *id,
                     struct store_survey *out);
/* Newest first (at most 200); fn per campaign. */
int store_survey_list(struct store_conn *c,
                      int (*fn)(void *ctx, const struct store_survey *s),
                      void *ctx);
/* The latest closed campaign of a fiscal year before fy. */
int store_survey_previous(struct store_conn *c, int fy,
                          struct store_survey *out);
/* IS_ERR_CONFLICT when not open at version. */
int store_survey_close(struct store_conn *c, const char *id, int64_t version,
                       int64_t by, int64_t at);
/* Asks the operators of the sectors in JSON array sectors (every sector
 * when empty): *n asked. */
int store_survey_targets_add(struct store_conn *c, const char *id,
                             const char *sectors, int64_t *n);

/* An operator's place in a campaign: asked (a target) with its sector,
 * and its response ("none" before its first save). */
struct store_survey_resp {
    char org_id[64], sector_id[64];
    char state[12]; /* none, draft, submitted */
    bool shared;
    int64_t updated_at, submitted_at, version, answered, last_reminded;
    char name_ja[601], name_en[601];
};
/* IS_ERR_NOTFOUND when org is not asked in campaign id. */
int store_survey_resp_get(struct store_conn *c, const char *id, const char *org,
                          struct store_survey_resp *out);
/* The asked members of CEPTOAR ceptoar (NULL: every operator asked), by
 * id. */
int store_survey_resp_of_ceptoar(
    struct store_conn *c, const char *id, const char *ceptoar,
    int (*fn)(void *ctx, const struct store_survey_resp *r), void *ctx);
int store_survey_resp_put(struct store_conn *c, const char *id, const char *org,
                          const char *state, bool shared, int64_t by,
                          int64_t at, int64_t submitted_at);

/* Per sector: asked, submitted, drafts. */
struct store_survey_progress {
    char sector_id[64];
    int64_t targets, submitted, drafts;
};
int store_survey_progress(struct store_conn *c, const char *id,
                          int (*fn)(void *ctx,
                                    const struct store_survey_progress *p),
                          void *ctx);

/* The demo's new answers (none may exist) of org in campaign id, item[k]
 * answered answer[k] with no evidence: STORE_DEMO_ANSWERS to a statement. */
#define STORE_DEMO_ANSWERS 16
int store_survey_demo_answers(struct store_conn *c, const char *id,
                              const char *org, const char *const *item,
                              const char *const *answer, size_t n);
int store_survey_answer_put(struct store_conn *c, const char *id,
                            const char *org, const char *item,
                            const char *answer, const char *evidence);
/* Takes item's answer of org back to "not answered" (none: nothing). */
int store_survey_answer_clear(struct store_conn *c, const char *id,
                              const char *org, const char *item);
struct store_survey_answer {
    char item[48];
    char answer[12];
    const char *evidence; /* valid during the call */
};
int store_survey_answers(struct store_conn *c, const char *id, const char *org,
                         int (*fn)(void *ctx,
                                   const struct store_survey_answer *a),
                         void *ctx);

/* Counts org's stored answers in (sign +1) or out of (sign -1) its
 * sector's tallies (inside the caller's write transaction). */
int store_survey_tally_apply(struct store_conn *c, const char *id,
                             const char *org, const char *sector, int sign);
struct store_survey_tally {
    char sector_id[64], item[48];
    int64_t adopted, partly, not_adopted, na;
};
int store_survey_tally(struct store_conn *c, const char *id,
                       int (*fn)(void *ctx, const struct store_survey_tally *t),
                       void *ctx);
/* Respondents per sector. */
int store_survey_tally_n(struct store_conn *c, const char *id,
                         int (*fn)(void *ctx, const char *sector, int64_t n),
                         void *ctx);

/* Per sector and CEPTOAR, the submitted respondents sharing with it. */
int store_survey_shared_counts(struct store_conn *c, const char *id,
                               int (*fn)(void *ctx, const char *sector,
                                         const char *ceptoar, int64_t n),
                               void *ctx);

struct store_survey_att {
    int64_t id;
    char campaign_id[16], org_id[64], item[48];
    char name[801], ctype[128];
    int64_t size;
    char sha256[65];
    int64_t created_by, created_at;
    unsigned char *data; /* store_survey_att_get only: malloc'd */
};
int store_survey_att_count(struct store_conn *c, const char *id,
                           const char *org, int64_t *n, int64_t *bytes);
int store_survey_att_add(struct store_conn *c, const struct store_survey_att *a,
                         const unsigned char *data, size_t len, int64_t *out);
int store_survey_att_delete(struct store_conn *c, int64_t att);
/* Its description only (a->data NULL). */
int store_survey_att_meta(struct store_conn *c, int64_t att,
                          struct store_survey_att *out);
/* With its bytes (a->data, the caller frees). */
int store_survey_att_get(struct store_conn *c, int64_t att,
                         struct store_survey_att *out);
int store_survey_atts(struct store_conn *c, const char *id, const char *org,
                      int (*fn)(void *ctx, const struct store_survey_att *a),
                      void *ctx);

int store_survey_reminded(struct store_conn *c, const char *id, const char *org,
                          const char *by_org, int64_t by, int64_t at);

/* CP/BCP readiness of org against edition's checks. */
struct store_bcp_answer {
    char check[48];
    char answer[12];
    const char *note; /* valid during the call */
    int64_t updated_by, updated_at;
};
int store_bcp_answers(struct store_conn *c, const char *org,
                      const char *edition,
                      int (*fn)(void *ctx, const struct store_bcp_answer *a),
                      void *ctx);
int store_bcp_put(struct store_conn *c, const char *org, const char *edition,
                  const char *check, const char *answer, const char *note,
                  int64_t by, int64_t at);
/* 0 when org never answered. */
int store_bcp_version(struct store_conn *c, const char *org, int64_t *out);
int store_bcp_bump(struct store_conn *c, const char *org);

#endif
