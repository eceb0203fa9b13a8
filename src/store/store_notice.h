/*
 * store_notice.h - notices: a short message written when it is queued (a
 * survey reminder, a risk review reminder; issue 15) and e-mailed through
 * the outbox to every e-mail contact of one organisation (job kind
 * STORE_JOB_NOTICE, table notice_deliveries; migration 0027).
 */
#ifndef INFRASHARE_STORE_NOTICE_H
#define INFRASHARE_STORE_NOTICE_H

#include "store/store.h"

/* Queues notice (kind, ref) for org: the subject and body (UTF-8 text,
 * both languages written by the caller) go to every e-mail contact of org
 * from now on. *queued: the jobs queued (0: org has no e-mail contact).
 * Inside the caller's write transaction. */
int store_notice_queue(struct store_conn *c, const char *org, const char *kind,
                       const char *ref, const char *subject, const char *body,
                       int64_t now, int64_t *notice_id, int *queued);

/* A notice as queued (for the message of one delivery). */
struct store_notice {
    int64_t id;
    char kind[16];
    char ref[64];
    char org_id[64];
    char *subject, *body; /* malloc'd: store_notice_release */
    int64_t created_at;
};
int store_notice_get(struct store_conn *c, int64_t id,
                     struct store_notice *out);
void store_notice_release(struct store_notice *n);

/* The notices of kind and ref queued for org since `since`: how many. */
int store_notice_count(struct store_conn *c, const char *kind, const char *ref,
                       const char *org, int64_t since, int64_t *n);

#endif
