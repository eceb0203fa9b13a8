/*
 * store_risk.h - the operators' risk registers: risks, their versions,
 * each operator's scale and the review reminders sent (issue 15;
 * migration 0028; SQL in store/store_risk_sql.h). Conventions of
 * store/store.h.
 */
#ifndef INFRASHARE_STORE_RISK_H
#define INFRASHARE_STORE_RISK_H

#include "store/store.h"

/* A risk as stored, with what reads join to it. The strings live in the
 * one block mem (store_risk_release). */
struct store_risk {
    char *mem;
    int64_t id;
    char *org_id, *title, *description, *owner, *asset, *treatment;
    char *measures; /* JSON array text */
    char *plan, *state;
    int impact, likelihood;
    int64_t review_at;
    bool shared;
    int64_t version, created_by, created_at, updated_by, updated_at;
    /* joined: the organisation's names, its appetite threshold (the
     * default when it stored no scale), the users' names ("" when gone) */
    char *org_name_ja, *org_name_en;
    int threshold;
    char *created_name, *updated_name;
};
void store_risk_release(struct store_risk *r);

/* Who reads (RISK_READER_SQL): an operator its own risks (org), or a
 * CEPTOAR secretariat its members' shared ones (secretariat). */
struct store_risk_reader {
    const char *org, *secretariat; /* exactly one set */
};

/* Inserts r (version 1; created_* as updated_*); *id the new row. The
 * strings are r's (mem unused). */
int store_risk_insert(struct store_conn *c, const struct store_risk *r,
                      int64_t *id);
/* The risk id, whoever owns it (the caller decides who may see it).
 * IS_ERR_NOTFOUND when none. */
int store_risk_get(struct store_conn *c, int64_t id, struct store_risk *out);
/* Writes r's changeable fields as version expect + 1 when the stored
 * version is expect: IS_ERR_NOTFOUND otherwise. */
int store_risk_update(struct store_conn *c, const struct store_risk *r,
                      int64_t expect, int64_t by, int64_t now);
int store_risk_count(struct store_conn *c, const char *org, int64_t *n);

/* The filter of a list (NULL / -1 / 0: any). */
struct store_risk_filter {
    const char *state, *treatment;
    int above;             /* -1 any, 0 below appetite, 1 above */
    int64_t review_before; /* 0: any */
    int64_t after;         /* the page after this id */
    int limit;
};
/* Up to f->limit risks v reads, by id, into a malloc'd array of *n for
 * store_risks_free. */
int store_risks_list(struct store_conn *c, const struct store_risk_reader *v,
                     const struct store_risk_filter *f, struct store_risk **out,
                     size_t *n);
void store_risks_free(struct store_risk *r, size_t n);

/* The open risks v reads, counted per cell. */
struct store_risk_cell {
    int impact, likelihood;
    int64_t count, above;
};
int store_risk_heat(struct store_conn *c, const struct store_risk_reader *v,
                    struct store_risk_cell **out, size_t *n);
/* The highest impact and likelihood org's risks use (0: none). */
int store_risk_levels_used(struct store_conn *c, const char *org, int *impact,
                           int *likelihood);
/* Is org a member of group (a CEPTOAR)? */
int store_risk_member(struct store_conn *c, const char *org, const char *group,
                      bool *yes);

/* One version of a risk. snapshot malloc'd (store_risk_versions_free). */
struct store_risk_version {
    int64_t version, by, at;
    char *snapshot;
    char username[65];
};
int store_risk_history_add(struct store_conn *c, int64_t risk, int64_t version,
                           const char *snapshot, int64_t by, int64_t at);
/* Up to limit versions of risk after version after, oldest first. */
int store_risk_history(struct store_conn *c, int64_t risk, int64_t after,
                       int limit, struct store_risk_version **out, size_t *n);
void store_risk_versions_free(struct store_risk_version *v, size_t n);

/* An organisation's scale as stored (labels as JSON text, malloc'd). */
struct store_risk_scale {
    char *impact, *likelihood;
    int threshold;
    int64_t version, updated_by, updated_at;
};
/* IS_ERR_NOTFOUND: the organisation stored none. */
int store_risk_scale_get(struct store_conn *c, const char *org,
                         struct store_risk_scale *out);
void store_risk_scale_release(struct store_risk_scale *s);
/* Stores s as version s->version, over version s->version - 1 (none when
 * 1): IS_ERR_NOTFOUND when the stored version is another. */
int store_risk_scale_put(struct store_conn *c, const char *org,
                         const struct store_risk_scale *s);

/* Review reminders due: open risks reviewed in [from, to] with no
 * reminder for that date, soonest first. */
struct store_risk_due {
    int64_t id, review_at;
    char org_id[64];
    char *title; /* malloc'd */
};
int store_risk_remind_due(struct store_conn *c, int64_t from, int64_t to,
                          int limit, struct store_risk_due **out, size_t *n);
void store_risk_due_free(struct store_risk_due *d, size_t n);
int store_risk_remind_add(struct store_conn *c, int64_t risk, int64_t review_at,
                          int64_t now, int64_t notice);

#endif
